#!/usr/bin/env python3
"""Writes entra-admins.yaml and entra-admins.truth.csv: one AKS cluster per case of the
catalog's *Cluster-admin-capable* definition (docs/verdicts.md), with the verdict every check
must give on it. The truth is written here by hand, case by case — never copied from a scan.

Run from the repository root after changing a case:
    python3 mocks/estates/labeled/entra_admins_gen.py
"""
import uuid, os
import labeled_io

TENANT = "5a1b2c3d-0000-4000-8000-0000000000e1"
CLIENT = "5a1b2c3d-0000-4000-8000-0000000000c1"
NS = uuid.UUID("8f0c2f5e-3f6a-4a52-9d3e-4c1f2a7b9e10")


def gid(name):
    return str(uuid.uuid5(NS, name))


MAIN = "5a1b2c3d-0000-4000-8000-00000000a0a0"
AKS_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"
R = {  # built-in role GUIDs
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "uaa": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "rbac-administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "aks-cluster-admin-role": "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    "aks-cluster-user-role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    "aks-contributor-role": "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    "aks-rbac-admin": "3498e952-d568-435e-9b2c-8d77e338d7f7",
    "aks-rbac-cluster-admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "aks-rbac-reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "aks-rbac-writer": "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
}

# ── the directory ───────────────────────────────────────────────────────────────────────────
users, groups, elig, assign, policies, custom_roles = {}, {}, [], [], [], []


def user(name):
    uid = gid("user:" + name)
    users[name] = {"id": uid, "displayName": name, "userPrincipalName": f"{name.lower().replace(' ', '.')}@labeled.example", "accountEnabled": True}
    return uid


def group(name, members=(), eligible=(), policy="strict"):
    g = gid("group:" + name)
    groups[name] = {"id": g, "displayName": name, "securityEnabled": True, "mailEnabled": False, "mailNickname": name, "groupTypes": [], "members": list(members)}
    for p in eligible:
        elig.append({"id": f"{g}_member_{gid('e:' + name + p)}", "accessId": "member", "principalId": p, "groupId": g,
                     "memberType": "Direct", "status": "Provisioned", "createdUsing": gid('e:' + name + p),
                     "createdDateTime": "2026-05-01T09:00:00Z",
                     "scheduleInfo": {"startDateTime": "2026-05-01T09:00:00Z", "recurrence": None,
                                      "expiration": {"type": "afterDateTime", "endDateTime": "2027-05-01T00:00:00Z", "duration": None}}})
    if policy:
        policies.append(pim_policy(g, policy))
    return g


def time_bound_member(group_id, principal):
    assign.append({"id": f"{group_id}_member_{gid('a:' + principal)}", "accessId": "member", "principalId": principal, "groupId": group_id,
                   "memberType": "Direct", "status": "Provisioned", "assignmentType": "Assigned", "createdDateTime": "2026-05-01T09:00:00Z",
                   "scheduleInfo": {"startDateTime": "2026-05-01T09:00:00Z", "recurrence": None,
                                    "expiration": {"type": "afterDateTime", "endDateTime": "2026-12-31T00:00:00Z", "duration": None}}})


def pim_policy(g, kind):
    strict = kind == "strict"
    target = {"caller": "EndUser", "operations": ["All"], "level": "Assignment", "inheritableSettings": [], "enforcedSettings": []}
    pid = f"Group_{g}_{gid('policy:' + g)}"
    return {"id": f"{pid}_member", "policyId": pid, "scopeId": g, "scopeType": "Group", "roleDefinitionId": "member",
            "policy": {"id": pid, "displayName": "Group", "description": "Group", "isOrganizationDefault": False, "scopeId": g, "scopeType": "Group",
                       "rules": [
                           {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment",
                            "isExpirationRequired": True, "maximumDuration": "PT4H" if strict else "PT24H", "target": target},
                           {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment",
                            "enabledRules": ["MultiFactorAuthentication", "Justification"] if strict else ["Justification"], "target": target},
                           {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment", "target": target,
                            "setting": {"isApprovalRequired": strict, "isApprovalRequiredForExtension": False, "isRequestorJustificationRequired": True,
                                        "approvalMode": "SingleStage", "approvalStages": []}}]}}


def custom_role(name, actions=(), data=(), not_data=()):
    guid = gid("role:" + name)
    custom_roles.append({"id": f"/subscriptions/{MAIN}/providers/Microsoft.Authorization/roleDefinitions/{guid}", "name": guid,
                         "type": "Microsoft.Authorization/roleDefinitions",
                         "properties": {"roleName": name, "type": "CustomRole", "description": name, "assignableScopes": [f"/subscriptions/{MAIN}"],
                                        "permissions": [{"actions": list(actions), "notActions": [], "dataActions": list(data), "notDataActions": list(not_data)}]}})
    return guid


# People.
PIA = user("Pia Platform")        # eligible for the shared platform-admins group
ALICE = user("alice")             # the seeds' requester
KENJI = user("Kenji Deployer")    # the deployer with a leftover permanent assignment
people = {n: user(n) for n in ["Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy",
                                "Rupert", "Sybil", "Trent", "Uma", "Victor", "Walter", "Xena", "Yusuf", "Zoe", "Bob", "Carol", "Dan"]}

# The shared admin group in every cluster's adminGroupObjectIDs: PIM-managed, strict policy.
PLATFORM = group("platform-admins", eligible=[PIA])

# ── the clusters ────────────────────────────────────────────────────────────────────────────
subscriptions = {MAIN: {"name": "labeled-main", "clusters": [], "assignments": [], "eligible": [], "instances": [], "diag": {}}}
faults = []
truth = []

BASE = {  # the non-identity checks on the hardened body
    "AUTH-001": "pass", "AUTH-002": "pass", "AUTH-003": "pass", "AUTH-004": "pass", "AUTH-009": "pass",
    "CLU-001": "pass", "CLU-002": "pass", "CLU-003": "pass", "CLU-004": "pass", "CLU-005": "pass", "CLU-006": "pass", "CLU-007": "pass", "CLU-008": "pass",
    "NET-001": "pass", "NET-002": "not_applicable", "NET-003": "pass", "NET-004": "pass", "NET-006": "pass",
    "NODE-004": "pass", "WID-005": "pass", "WID-006": "pass",
}
# Identity checks on a cluster whose only admin path is platform-admins (eligible Pia).
IDN = {
    "IDN-001": "pass", "IDN-002": "pass", "IDN-003": "pass", "IDN-004": "pass",
    "IDN-006": "pass", "IDN-007": "pass", "IDN-008": "pass", "IDN-009": "pass", "IDN-010": "pass", "IDN-011": "pass", "IDN-012": "pass",
}
# Inside the cluster (its Kubernetes API): the estate gives no objects, so each cluster is an
# empty one (only what every API server holds; the scan's demo thresholds set registries and
# ports); without Entra integration the API is not read at all.
DATA_PLANE = [f"WKL-{i:03}" for i in range(1, 17)] + ["K8S-001", "K8S-003", "K8S-004"]


def data_plane(aad):
    if aad:
        return "pass", "data plane: an empty cluster (no Kubernetes objects in the estate)"
    return "unknown", "data plane: no Entra integration, and kubeposture does not use local accounts"


# When the cluster's admins cannot all be listed, the CA policy (All users, excluding the
# deployer) cannot be judged for them.
CA_UNKNOWN = {"IDN-001": "unknown", "IDN-002": "unknown", "IDN-003": "unknown", "IDN-004": "unknown"}


def body(name, sub, aad=True, local=False, azure_rbac=True, admin_groups=(PLATFORM,)):
    rid = f"/subscriptions/{sub}/resourceGroups/rg-{name}/providers/Microsoft.ContainerService/managedClusters/{name}"
    p = {
        "provisioningState": "Succeeded", "kubernetesVersion": "1.34.2", "currentKubernetesVersion": "1.34.2", "supportPlan": "KubernetesOfficial",
        "dnsPrefix": name, "privateFQDN": f"{name}-0a1b2c3d.privatelink.westeurope.azmk8s.io", "enableRBAC": True,
        "aadProfile": {"managed": True, "enableAzureRBAC": azure_rbac, "adminGroupObjectIDs": list(admin_groups), "tenantID": TENANT},
        "apiServerAccessProfile": {"enablePrivateCluster": True, "enablePrivateClusterPublicFQDN": False},
        "publicNetworkAccess": "Disabled", "servicePrincipalProfile": {"clientId": "msi"},
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "cilium", "networkDataplane": "cilium"},
        "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", "osType": "Linux", "osSKU": "AzureLinux", "enableEncryptionAtHost": True, "orchestratorVersion": "1.34.2"}],
        "oidcIssuerProfile": {"enabled": True, "issuerURL": f"https://westeurope.oic.prod-aks.azure.com/{TENANT}/{gid(name)}/"},
        "securityProfile": {"defender": {"securityMonitoring": {"enabled": True}}, "workloadIdentity": {"enabled": True},
                            "azureKeyVaultKms": {"enabled": True, "keyId": "https://kv-labeled.vault.azure.net/keys/etcd/0123456789abcdef0123456789abcdef", "keyVaultNetworkAccess": "Private"}},
        "addonProfiles": {"azurepolicy": {"enabled": True, "config": {"version": "v2"}}, "azureKeyvaultSecretsProvider": {"enabled": True}},
        "autoUpgradeProfile": {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"},
    }
    if local is True:
        p["disableLocalAccounts"] = False
    elif local is False:
        p["disableLocalAccounts"] = True
    # local None: the field is absent (AKS's default: enabled).
    if not aad:
        del p["aadProfile"]
    return rid, {"id": rid, "name": name, "type": "Microsoft.ContainerService/ManagedClusters", "location": "westeurope",
                 "sku": {"name": "Base", "tier": "Standard"}, "identity": {"type": "SystemAssigned"}, "properties": p}


def cluster(name, why, expect, sub=MAIN, **kw):
    """One case: its cluster, and its verdicts (BASE and IDN, changed by `expect`)."""
    rid, b = body(name, sub, **kw)
    s = subscriptions[sub]
    s["clusters"].append(b)
    s["diag"][rid] = [{"id": f"{rid}/providers/microsoft.insights/diagnosticSettings/audit", "name": "audit",
                       "properties": {"logs": [{"category": "kube-audit-admin", "enabled": True}]}}]
    verdicts = dict(BASE, **IDN)
    verdicts.update(expect)
    for check, status in sorted(verdicts.items()):
        truth.append((check, name, status, why))
    status, dp_why = data_plane(kw.get("aad", True))
    for check in DATA_PLANE:
        truth.append((check, name, status, dp_why))
    return rid


def scope_rg(name, sub=MAIN):
    return f"/subscriptions/{sub}/resourceGroups/rg-{name}"


def role_id(role, sub=MAIN):
    guid = R.get(role, role)
    return f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def grant(scope, role, principal, kind="User", sub=MAIN, condition=None, name=None, instance=None):
    n = name or gid(f"ra:{scope}:{role}:{principal}")
    rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{n}"
    props = {"roleDefinitionId": role_id(role, sub), "principalId": principal, "principalType": kind, "scope": scope,
             "condition": condition, "conditionVersion": "2.0" if condition else None,
             "createdOn": "2026-05-01T09:00:00.0000000Z", "updatedOn": "2026-05-01T09:00:00.0000000Z", "createdBy": None, "updatedBy": None,
             "delegatedManagedIdentityResourceId": None, "description": None}
    subscriptions[sub]["assignments"].append({"id": rid, "name": n, "type": "Microsoft.Authorization/roleAssignments", "properties": props})
    return rid, n


def instance(scope, role, principal, origin, end, kind="User", sub=MAIN, assignment_type="Assigned"):
    n = gid(f"rasi:{origin}:{end}")
    subscriptions[sub]["instances"].append({
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/{n}", "name": n,
        "type": "Microsoft.Authorization/RoleAssignmentScheduleInstances",
        "properties": {"scope": scope, "roleDefinitionId": role_id(role, sub), "principalId": principal, "principalType": kind,
                       "roleAssignmentScheduleId": f"{scope}/providers/Microsoft.Authorization/roleAssignmentSchedules/{gid('sched:' + origin)}",
                       "originRoleAssignmentId": origin, "status": "Provisioned", "startDateTime": "2026-05-01T09:00:00Z", "endDateTime": end,
                       "linkedRoleEligibilityScheduleId": None, "linkedRoleEligibilityScheduleInstanceId": None,
                       "assignmentType": assignment_type, "memberType": "Direct", "createdOn": "2026-05-01T09:00:00Z", "condition": None, "conditionVersion": None}})


def eligible_grant(scope, role, principal, kind="User", sub=MAIN, condition=None):
    n = gid(f"resi:{scope}:{role}:{principal}")
    subscriptions[sub]["eligible"].append({
        "id": f"{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/{n}", "name": n,
        "type": "Microsoft.Authorization/RoleEligibilityScheduleInstances",
        "properties": {"scope": scope, "roleDefinitionId": role_id(role, sub), "principalId": principal, "principalType": kind,
                       "roleEligibilityScheduleId": f"{scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/{gid('es:' + n)}",
                       "status": "Provisioned", "startDateTime": "2026-05-01T09:00:00Z", "endDateTime": "2027-05-01T09:00:00Z",
                       "memberType": "Direct", "createdOn": "2026-05-01T09:00:00Z", "condition": condition, "conditionVersion": "2.0" if condition else None}})


P = people

# 1. The hardened baseline: platform-admins only (eligible Pia, strict policy).
cluster("adm-hardened", "baseline: admin group with PIM-eligible members only", {})

# 2–5. Built-in AKS RBAC data roles held permanently by a user at the cluster's resource group.
for case, role, verdict in [("adm-rbac-cluster-admin-user", "aks-rbac-cluster-admin", "fail"),
                            ("adm-rbac-admin-user", "aks-rbac-admin", "fail"),
                            ("adm-rbac-writer-user", "aks-rbac-writer", "fail"),
                            ("adm-rbac-reader-user", "aks-rbac-reader", "pass")]:
    grant(scope_rg(case), role, P["Dave"])
    cluster(case, f"permanent {role} for a user (Azure RBAC on)", {"IDN-006": verdict})

# 6–11. Custom roles by their data actions.
for case, data, not_data, verdict, why in [
    ("adm-custom-impersonate", ["Microsoft.ContainerService/managedClusters/serviceaccounts/impersonate/action"], [], "fail", "impersonates service accounts"),
    ("adm-custom-bind", ["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/bind/action"], [], "fail", "binds ClusterRoles"),
    ("adm-custom-escalate", ["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/escalate/action"], [], "fail", "escalates ClusterRoles"),
    ("adm-custom-readonly-wildcard", ["Microsoft.ContainerService/managedClusters/*"],
     ["Microsoft.ContainerService/managedClusters/*/write", "Microsoft.ContainerService/managedClusters/*/delete", "Microsoft.ContainerService/managedClusters/*/action"], "pass", "managedClusters/* minus writes, deletes and actions"),
    ("adm-custom-configmaps", ["Microsoft.ContainerService/managedClusters/configmaps/*", "Microsoft.ContainerService/managedClusters/services/*"], [], "pass", "configmaps and services only"),
    ("adm-custom-deployer", ["Microsoft.ContainerService/managedClusters/apps/deployments/*"], [], "fail", "creates Deployments everywhere: pods as any service account"),
]:
    role = custom_role(f"labeled {case}", ["Microsoft.ContainerService/managedClusters/read"], data, not_data)
    grant(scope_rg(case), role, P["Erin"])
    cluster(case, f"custom data role: {why}", {"IDN-006": verdict})

# 12–14. listClusterAdminCredential: only while local accounts are enabled (absent = enabled).
grant(scope_rg("adm-admin-credential-local-on"), "aks-cluster-admin-role", P["Frank"])
cluster("adm-admin-credential-local-on", "AKS Cluster Admin Role, local accounts enabled", {"IDN-006": "fail", "AUTH-002": "fail"}, local=True)
grant(scope_rg("adm-admin-credential-local-off"), "aks-cluster-admin-role", P["Frank"])
cluster("adm-admin-credential-local-off", "AKS Cluster Admin Role, local accounts disabled", {})
grant(scope_rg("adm-admin-credential-local-absent"), "aks-cluster-admin-role", P["Frank"])
cluster("adm-admin-credential-local-absent", "AKS Cluster Admin Role, disableLocalAccounts absent (enabled)", {"IDN-006": "fail", "AUTH-002": "fail"}, local=None)

# 15–17. managedClusters/write, whatever the settings.
grant(scope_rg("adm-contributor"), "contributor", P["Grace"])
cluster("adm-contributor", "Contributor on a hardened cluster: managedClusters/write", {"IDN-006": "fail"})
grant(scope_rg("adm-aks-contributor-role"), "aks-contributor-role", P["Grace"])
cluster("adm-aks-contributor-role", "AKS Contributor Role: managedClusters/write", {"IDN-006": "fail"})
write_only = custom_role("labeled cluster writer", ["Microsoft.ContainerService/managedClusters/read", "Microsoft.ContainerService/managedClusters/write"])
grant(scope_rg("adm-custom-cluster-write"), write_only, P["Grace"])
cluster("adm-custom-cluster-write", "custom role with managedClusters/write only", {"IDN-006": "fail"})

# 18. A data role on a cluster whose Azure RBAC is off is no admin path.
grant(scope_rg("adm-data-role-rbac-off"), "aks-rbac-cluster-admin", P["Heidi"])
cluster("adm-data-role-rbac-off", "AKS RBAC Cluster Admin while Azure RBAC is off", {"AUTH-003": "fail"}, azure_rbac=False)

# 19. Without Entra ID the user kubeconfig is cluster admin.
grant(scope_rg("adm-user-credential-no-entra"), "aks-cluster-user-role", P["Ivan"])
cluster("adm-user-credential-no-entra", "Cluster User Role on a cluster without Entra ID",
        {"IDN-006": "fail", "AUTH-001": "fail", "AUTH-002": "fail", "AUTH-003": "fail",
         "IDN-007": "not_applicable", "IDN-008": "not_applicable", "IDN-009": "not_applicable", "IDN-010": "not_applicable"},
        aad=False, local=True)

# 20. The seeds' reference setup: a requester group eligible for four PIM groups.
def seed(case, requester_name):
    req = group(requester_name, members=[ALICE], policy=None)
    k8s_contrib = custom_role(f"AKS RBAC Cluster Contributor ({case})", ["Microsoft.ContainerService/managedClusters/read"],
                              ["Microsoft.ContainerService/managedClusters/*"], ["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*"])
    for gname, role in [("k8sadmin", "aks-rbac-cluster-admin"), ("k8scontributor", k8s_contrib), ("armadmin", "owner"), ("armcontributor", "contributor")]:
        g = group(f"{gname} ({case})", eligible=[req])
        grant(scope_rg(case), role, g, kind="Group")
    return req


seed("adm-seed-requester-group", "condiac-pim-test")
cluster("adm-seed-requester-group", "seeds' setup: requester group eligible for k8sadmin, k8scontributor, armadmin, armcontributor",
        {"IDN-011": "fail"})  # armadmin holds Owner with no condition

# 21. The same, plus the deployer's leftover permanent Owner — excluded from the CA policy.
seed("adm-seed-deployer-leftover", "condiac-pim-test (deployer case)")
grant(scope_rg("adm-seed-deployer-leftover"), "owner", KENJI)
cluster("adm-seed-deployer-leftover", "seeds' setup with the deployer's leftover permanent Owner, excluded from CA",
        {"IDN-006": "fail", "IDN-011": "fail", "IDN-001": "fail", "IDN-002": "pass", "IDN-003": "fail", "IDN-004": "fail"})  # IDN-002: the others guarded by enforced policies; Kenji is IDN-001's gap

# 22. The requester group as a permanent member (not eligible) of the admin group: standing.
req22 = group("requesters (member case)", members=[P["Judy"]], policy=None)
a22 = group("k8sadmin (member case)", members=[req22], eligible=[PIA])
grant(scope_rg("adm-requester-permanent-member"), "aks-rbac-cluster-admin", a22, kind="Group")
cluster("adm-requester-permanent-member", "requester group is a permanent member of the admin group", {"IDN-006": "fail"})

# 23. An eligible group with a nested group inside: still eligible at the end.
g2 = group("nested-ops", members=[P["Bob"]], policy=None)
g1 = group("ops-requesters", members=[g2], policy=None)
a23 = group("k8sadmin (nested eligible case)", eligible=[g1])
grant(scope_rg("adm-eligible-group-nested"), "aks-rbac-cluster-admin", a23, kind="Group")
cluster("adm-eligible-group-nested", "eligible group → nested group → Bob: PIM-eligible", {})

# 24. A nested cycle with a standing member.
cyc_a = gid("group:cycle-a")
cyc_b = group("cycle-b", members=[cyc_a, P["Carol"]], policy=None)
group("cycle-a", members=[cyc_b], eligible=[PIA])
grant(scope_rg("adm-nested-cycle"), "aks-rbac-cluster-admin", cyc_a, kind="Group")
cluster("adm-nested-cycle", "cycle-a ⇄ cycle-b, Carol a permanent member of cycle-b", {"IDN-006": "fail"})

# 25. A cycle through eligibility only.
ecyc_a = gid("group:elig-cycle-a")
ecyc_b = group("elig-cycle-b", members=[P["Dan"]], eligible=[ecyc_a])
group("elig-cycle-a", eligible=[ecyc_b])
grant(scope_rg("adm-eligible-cycle"), "aks-rbac-cluster-admin", ecyc_a, kind="Group")
cluster("adm-eligible-cycle", "elig-cycle-a and elig-cycle-b eligible for each other; Dan eligible", {})

# 26. A nested group with its own eligibility and a lax PIM policy.
n26 = group("nested-lax", eligible=[P["Mallory"]], policy="lax")
a26 = group("k8sadmin (nested lax case)", members=[n26], eligible=[PIA])
grant(scope_rg("adm-nested-eligibility-lax"), "aks-rbac-cluster-admin", a26, kind="Group")
cluster("adm-nested-eligibility-lax", "nested group whose own PIM activation is 24 h, no approval, no MFA",
        {"IDN-008": "fail", "IDN-009": "fail", "IDN-010": "fail"})

# 27. A time-bound membership.
a27 = group("k8sadmin (time-bound case)", members=[P["Niaj"]], eligible=[PIA])
time_bound_member(a27, P["Niaj"])
grant(scope_rg("adm-time-bound-member"), "aks-rbac-cluster-admin", a27, kind="Group")
cluster("adm-time-bound-member", "member until 2026-12-31 (PIM assignment schedule)", {})

# 28. Schedule instances by id: a lapsed activation of the same principal, role and scope is not
# this permanent assignment's instance.
s28 = scope_rg("adm-schedule-instance-by-id")
stale = f"{s28}/providers/Microsoft.Authorization/roleAssignments/{gid('stale activation')}"
instance(s28, "aks-rbac-cluster-admin", P["Olivia"], stale, "2026-06-01T17:00:00Z", assignment_type="Activated")
rid28, _ = grant(s28, "aks-rbac-cluster-admin", P["Olivia"])
instance(s28, "aks-rbac-cluster-admin", P["Olivia"], rid28, None)
cluster("adm-schedule-instance-by-id", "permanent assignment; a lapsed activation's instance has the same principal/role/scope", {"IDN-006": "fail"})
# 29. …and its own instance says time-bound.
s29 = scope_rg("adm-schedule-instance-time-bound")
rid29, _ = grant(s29, "aks-rbac-cluster-admin", P["Olivia"])
instance(s29, "aks-rbac-cluster-admin", P["Olivia"], rid29, "2026-12-31T00:00:00Z")
cluster("adm-schedule-instance-time-bound", "assignment whose own schedule instance ends 2026-12-31", {})

# 30. A group eligible (PIM for Azure resources) for the role: its permanent members need activation.
a30 = group("k8sadmin (azure pim case)", members=[P["Peggy"]])
eligible_grant(scope_rg("adm-group-eligible-azure-role"), "aks-rbac-cluster-admin", a30, kind="Group")
cluster("adm-group-eligible-azure-role", "group only PIM-eligible for AKS RBAC Cluster Admin; its members permanent", {})

# 31. adminGroupObjectIDs group without PIM: standing members, no eligibility, no policy.
legacy = group("legacy-cluster-admins", members=[P["Rupert"]], policy=None)
cluster("adm-admin-group-ids-no-pim", "adminGroupObjectIDs group with a permanent member and no PIM",
        {"IDN-006": "fail", "IDN-007": "fail", "IDN-008": "fail", "IDN-009": "fail", "IDN-010": "fail"}, admin_groups=[legacy])

# 32. A service principal with Contributor: listed, not judged.
sp = gid("sp:gitops")
grant(scope_rg("adm-service-principal"), "contributor", sp, kind="ServicePrincipal")
cluster("adm-service-principal", "service principal holding Contributor", {})

# ── IDN-011: delegation and ABAC conditions ─────────────────────────────────────────────────
W = "Microsoft.Authorization/roleAssignments/write"
D = "Microsoft.Authorization/roleAssignments/delete"
RQ = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
RS = "@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"


def cond_roles(guids, op="ForAnyOfAnyValues:GuidEquals"):
    s = ", ".join(guids)
    return f"((!(ActionMatches{{'{W}'}})) OR ({RQ} {op} {{{s}}})) AND ((!(ActionMatches{{'{D}'}})) OR ({RS} {op} {{{s}}}))"


readers = [R["reader"], R["aks-rbac-reader"]]
harmless = custom_role("labeled config reader", ["Microsoft.ContainerService/managedClusters/read"], ["Microsoft.ContainerService/managedClusters/configmaps/read"])
unread_custom = "0badc0de-0000-4000-8000-00000000abac"
abac = [
    ("adm-abac-none", "uaa", None, "fail", "User Access Administrator, no condition"),
    ("adm-abac-readers", "uaa", cond_roles(readers), "pass", "writes and deletes limited to Reader and AKS RBAC Reader"),
    ("adm-abac-aks-roles", "rbac-administrator",
     "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {3498e952-d568-435e-9b2c-8d77e338d7f7, b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b, 7f6c6a51-bcf8-42ba-9220-52d62157d7db, a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {ea585310-c95c-4a68-af22-49af4363bbb1})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {3498e952-d568-435e-9b2c-8d77e338d7f7, b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b, 7f6c6a51-bcf8-42ba-9220-52d62157d7db, a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {ea585310-c95c-4a68-af22-49af4363bbb1}))",
     "fail", "Microsoft's 'Constrain AKS cluster management': AKS RBAC Cluster Admin may be assigned"),
    ("adm-abac-all-except", "rbac-administrator",
     "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, f58310d9-a9f6-439a-9e8d-f62e7b41a168, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, f58310d9-a9f6-439a-9e8d-f62e7b41a168, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9}))",
     "fail", "Microsoft's 'Allow most roles, but don't allow others to assign roles': Contributor remains"),
    ("adm-abac-delete-only", "uaa", f"((!(ActionMatches{{'{D}'}})) OR ({RS} ForAnyOfAnyValues:GuidEquals {{{', '.join(readers)}}}))", "fail", "condition on deletes only"),
    ("adm-abac-principal-types-only", "uaa",
     f"((!(ActionMatches{{'{W}'}})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {{'User', 'Group'}}))",
     "fail", "condition on principal types only"),
    ("adm-abac-unparseable", "uaa", f"((!(ActionMatches{{'{W}'}})) OR ({RQ} ForAnyOfAnyValues:GuidEquals {{{R['reader']}}}", "unknown", "condition that does not parse"),
    ("adm-abac-grants-uaa", "rbac-administrator", cond_roles([R["reader"], R["uaa"]]), "fail", "writes limited to Reader and User Access Administrator (which assigns anything)"),
    ("adm-abac-unread-custom", "uaa", cond_roles([unread_custom]), "unknown", "writes limited to a custom role whose definition cannot be read"),
    ("adm-abac-harmless-custom", "rbac-administrator", f"(!(ActionMatches{{'{W}'}})) || ({RQ} GuidEquals {harmless})", "pass", "writes limited to a read-only custom role (&&/|| spelling)"),
    ("adm-abac-keywords", "uaa", f"not (ActionMatches{{'{W}'}}) or ({RQ} ForAnyOfAnyValues:GuidEquals {{{R['aks-rbac-reader']}}} and Exists {RQ})", "pass", "lower-case keywords, Exists"),
]
for case, role, condition, verdict, why in abac:
    grant(scope_rg(case), role, P["Sybil"], condition=condition)
    expect = {"IDN-011": verdict}
    if verdict == "unknown":
        # Whether Sybil is a potential admin is not known: the inventory and the CA admin set
        # have a gap.
        expect.update({"IDN-012": "unknown", **CA_UNKNOWN})
    cluster(case, f"IDN-011: {why}", expect)
# A PIM-eligible RBAC Administrator without condition: it can be activated.
eligible_grant(scope_rg("adm-abac-eligible"), "rbac-administrator", P["Trent"])
cluster("adm-abac-eligible", "IDN-011: PIM-eligible RBAC Administrator, no condition", {"IDN-011": "fail"})

# ── admin groups that cannot be worked out: IDN-006…012 unknown, never not applicable ─────────
# A group holds a custom role whose definition is denied.
denied_role = custom_role("labeled denied role", ["Microsoft.ContainerService/managedClusters/read"])
a43 = group("ops (definition denied case)", members=[P["Uma"]], policy=None)
grant(scope_rg("adm-fault-definition-denied"), denied_role, a43, kind="Group")
faults.append({"operation": "getRoleDefinition", "role": denied_role, "status": 403, "code": "AuthorizationFailed"})
cluster("adm-fault-definition-denied", "a group's role definition is denied",
        {"IDN-006": "unknown", "IDN-007": "unknown", "IDN-008": "unknown", "IDN-009": "unknown", "IDN-010": "unknown",
         "IDN-011": "unknown", "IDN-012": "unknown", **CA_UNKNOWN})

ALL_UNKNOWN = {c: "unknown" for c in ["IDN-006", "IDN-007", "IDN-008", "IDN-009", "IDN-010", "IDN-011", "IDN-012"]}
ALL_UNKNOWN.update(CA_UNKNOWN)
for i, (case, fault, why) in enumerate([
    ("adm-fault-assignments-denied", {"operation": "listRoleAssignments", "status": 403, "code": "AuthorizationFailed"}, "role assignments denied (403)"),
    ("adm-fault-assignments-5xx", {"operation": "listRoleAssignments", "status": 500, "code": "InternalServerError"}, "role assignments fail (500, persistent)"),
    ("adm-fault-assignments-malformed", {"operation": "listRoleAssignments", "malformed": True}, "role assignments malformed"),
    ("adm-fault-eligibility-denied", {"operation": "listRoleEligibilityScheduleInstances", "status": 403, "code": "AuthorizationFailed"}, "roleEligibilityScheduleInstances denied (403)"),
    ("adm-fault-principal-not-string", None, "an assignment whose principalId is not a string"),
]):
    sub = f"5a1b2c3d-0000-4000-8000-0000000f{i:04d}"
    subscriptions[sub] = {"name": f"labeled-{case}", "clusters": [], "assignments": [], "eligible": [], "instances": [], "diag": {}}
    g = group(f"k8sadmin ({case})", eligible=[PIA])
    grant(scope_rg(case, sub), "aks-rbac-cluster-admin", g, kind="Group", sub=sub)
    if fault:
        faults.append(dict(fault, subscription=sub))
    else:
        _, n = grant(scope_rg(case, sub), "aks-rbac-cluster-admin", P["Victor"], sub=sub)
        subscriptions[sub]["assignments"][-1]["properties"]["principalId"] = 42
    cluster(case, f"{why}: the admin groups cannot be worked out", ALL_UNKNOWN, sub=sub)

# ── the tenant ──────────────────────────────────────────────────────────────────────────────
ca = [
    {"id": gid("ca:aks"), "displayName": "AKS: compliant device and MFA (the deployer excluded)", "state": "enabled",
     "createdDateTime": "2026-05-01T09:00:00Z", "modifiedDateTime": None,
     "conditions": {"userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"], "platforms": None, "locations": None,
                    "applications": {"includeApplications": [AKS_APP], "excludeApplications": [], "includeUserActions": []},
                    "users": {"includeUsers": ["All"], "excludeUsers": [KENJI], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []}},
     "grantControls": {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"], "customAuthenticationFactors": [], "termsOfUse": []},
     "sessionControls": {"applicationEnforcedRestrictions": None, "persistentBrowser": None, "cloudAppSecurity": None,
                         "signInFrequency": {"value": 4, "type": "hours", "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased", "isEnabled": True}}},
]
for pid, name, sign_in, user_risk in [("risk-sign-in", "Risky sign-ins: MFA", ["high", "medium"], []), ("risk-user", "Risky users: MFA", [], ["high"])]:
    ca.append({"id": gid("ca:" + pid), "displayName": name, "state": "enabled", "createdDateTime": "2026-05-01T09:00:00Z", "modifiedDateTime": None,
               "conditions": {"userRiskLevels": user_risk, "signInRiskLevels": sign_in, "clientAppTypes": ["all"], "platforms": None, "locations": None,
                              "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
                              "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": []},
               "sessionControls": None})
truth.append(("IDN-005", TENANT, "pass", "sign-in and user risk policies exist"))

SCANNER_SP = gid("sp:kubeposture")
for sub in subscriptions:
    grant(f"/subscriptions/{sub}", "reader", SCANNER_SP, kind="ServicePrincipal", sub=sub)

estate = {
    "estate": "v1",
    "entra": {"tenants": [{
        "tenantId": TENANT, "displayName": "Labeled: cluster admins",
        "clients": [{"clientId": CLIENT, "clientSecret": "labeled-only-client-secret"}],
        "users": list(users.values()),
        "groups": list(groups.values()),
        "servicePrincipals": [{"id": SCANNER_SP, "appId": CLIENT, "displayName": "kubeposture-scanner", "servicePrincipalType": "Application"},
                              {"id": sp, "appId": gid("app:gitops"), "displayName": "gitops-deployer", "servicePrincipalType": "Application"}],
        "conditionalAccessPolicies": ca,
        "privilegedAccess": {"eligibilitySchedules": elig, "assignmentSchedules": assign, "roleManagementPolicyAssignments": policies},
    }]},
    "azure": {
        "kubernetesVersions": {"westeurope": {"values": [
            {"version": "1.33", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.33.5": {"upgrades": ["1.34.2"]}}},
            {"version": "1.34", "isDefault": True, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.34.2": {"upgrades": []}}}]}},
        "roleDefinitions": custom_roles,
        "subscriptions": [{"subscriptionId": sub, "tenantId": TENANT, "displayName": s["name"], "managedClusters": s["clusters"],
                           "diagnosticSettings": s["diag"], "roleAssignments": s["assignments"],
                           "roleEligibilityScheduleInstances": s["eligible"], "roleAssignmentScheduleInstances": s["instances"]}
                          for sub, s in subscriptions.items()],
    },
    "faults": faults,
}

here = os.path.dirname(os.path.abspath(__file__))
labeled_io.write(here, "entra-admins",
                 "# Labeled estate: every path to cluster admin (docs/verdicts.md, \"Cluster-admin-capable\"), one AKS\n"
                 "# cluster per case, with entra-admins.truth.csv beside it. Generated by entra_admins_gen.py, which\n"
                 "# says what each case is and what every check must answer; edit the generator, not this file.\n",
                 estate, truth)
print(f"{len(truth)} rows, {sum(len(s['clusters']) for s in subscriptions.values())} clusters")
