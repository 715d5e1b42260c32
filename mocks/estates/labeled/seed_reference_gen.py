#!/usr/bin/env python3
"""Writes seed-reference-TENANT.yaml and seed-reference-TENANT.truth.csv (one estate per tenant): the seeds' reference setup
(github.com/windagecat/Azure-container-env_Auth-and-Autho-Enhancement, seeds/000) as Azure and
Graph would return it after its hands-ons, with the variants a reader of the repository ends up
with — one AKS cluster per case, one tenant per set of Conditional Access policies.

What comes from the repository, unchanged where the mock serves it:
- the AKS cluster of `conditinalaccess_PIM/Azure/aks.tf` and `ABAC/Azure/aks.tf` (local accounts
  disabled, managed Entra ID + Azure RBAC, azure CNI + calico, no apiServerAccessProfile: public,
  Kubernetes 1.27), with the deployer's (`azurerm_client_config.current`) permanent AKS RBAC
  Cluster Admin at cluster scope;
- `PIM/PIMadgroup.tf` + `rbac.tf`: the requester group `condiac-pim-test` PIM-eligible (member,
  P365D) for k8sadmin (AKS RBAC Cluster Admin), k8scontributor (custom "Azure Kubernetes Service
  RBAC Cluster Contributor": managedClusters/* minus rbac.authorization.k8s.io), armadmin (Owner)
  and armcontributor (Contributor), each at the resource group; their member policy PT8H,
  approval by the deployer, MFA + justification;
- `conditinalaccess/json/*.json`: the Conditional Access bodies verbatim (null-heavy, beta
  fields, `${groupid}` in includeUsers, the deployer in excludeUsers, report-only), the Intune
  policy with includeUsers ["None"];
- `ABAC/Condition/*/k8sRBAC.tf`: k8sroleassigner (roleAssignments/*) at {cluster}/namespaces/{ns}
  with each of the hands-on's conditions (and none), verbatim.

The truth is written here by hand from CHECKS.md (v1.1) and docs/verdicts.md, case by case —
never copied from a scan. Run from the repository root after changing a case:
    python3 mocks/estates/labeled/seed_reference_gen.py
"""
import copy, os, uuid
import labeled_io

NS = uuid.UUID("2f7d4c1e-9b0a-4e3c-8d5f-6a1b2c3d4e5f")


def gid(name):
    return str(uuid.uuid5(NS, name))


AKS_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"
R = {  # built-in role GUIDs
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "aks-cluster-user-role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    "aks-rbac-cluster-admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "acr-pull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
}
CREATED = "2024-06-10T05:12:31.5821034Z"
LOCATION = "japanwest"

tenants, subscriptions, custom_roles, truth = {}, {}, [], []

# ── the checks every copy of aks.tf's cluster answers the same way ────────────────────────────
BODY = {
    "NET-001": ("fail", "no apiServerAccessProfile: public endpoint, no allow-list"),
    "NET-002": ("not_applicable", "no allow-list to judge (docs/verdicts.md: absent apiServerAccessProfile)"),
    "NET-003": ("fail", "public endpoint"),
    "NET-004": ("not_applicable", "not a private cluster"),
    "NET-006": ("pass", "networkPolicy calico"),
    "AUTH-001": ("pass", "aadProfile.managed true"),
    "AUTH-002": ("pass", "local_account_disabled = true"),
    "AUTH-003": ("pass", "azure_rbac_enabled = true"),
    "AUTH-004": ("pass", "enableRBAC true"),
    "AUTH-009": ("pass", "SystemAssigned identity, clientId msi"),
    "CLU-001": ("fail", "1.27.9: not in japanwest's kubernetesVersions"),
    "CLU-002": ("fail", "no upgradeChannel"),
    "CLU-003": ("pass", "nodeOSUpgradeChannel NodeImage"),
    "CLU-004": ("fail", "securityProfile {}: no KMS"),
    "CLU-005": ("fail", "no diagnostic setting"),
    "CLU-006": ("fail", "azurepolicy add-on disabled"),
    "CLU-007": ("fail", "securityProfile {}: no Defender"),
    "CLU-008": ("fail", "azureKeyvaultSecretsProvider disabled"),
    "NODE-004": ("fail", "defaultpool enableEncryptionAtHost false"),
    "WID-005": ("fail", "oidcIssuerProfile.enabled false, no workloadIdentity"),
    "WID-006": ("pass", "no podIdentityProfile"),
}
# Inside the cluster (its Kubernetes API, read with an Entra token: aadProfile.managed true): the
# estate gives no Kubernetes objects, so each cluster is an empty one (only what every API server
# holds; the scan's demo thresholds set registries and ports): nothing fails, everything is judged.
BODY.update({check: ("pass", "data plane: an empty cluster (no Kubernetes objects in the estate)")
             for check in [f"WKL-{i:03}" for i in range(1, 17)] + ["K8S-001", "K8S-003", "K8S-004"]})


# ── the directory ───────────────────────────────────────────────────────────────────────────
def tenant(key, name):
    t = {"tenantId": gid("tenant:" + key), "displayName": name,
         "clients": [{"clientId": gid("client:" + key), "clientSecret": "labeled-only-client-secret"}],
         "users": [], "groups": [], "servicePrincipals": [], "conditionalAccessPolicies": [],
         "privilegedAccess": {"eligibilitySchedules": [], "assignmentSchedules": [], "roleManagementPolicyAssignments": []}}
    t["servicePrincipals"].append({"id": gid("sp:scanner:" + key), "appId": t["clients"][0]["clientId"],
                                   "displayName": "kubeposture-scanner", "servicePrincipalType": "Application"})
    tenants[key] = t
    return t


def user(t, name):
    uid = gid(f"user:{t['tenantId']}:{name}")
    t["users"].append({"id": uid, "displayName": name, "userPrincipalName": f"{name}@windagecat.onmicrosoft.com",
                       "accountEnabled": True, "userType": "Member"})
    return uid


def group(t, name, members=()):
    g = gid(f"group:{t['tenantId']}:{name}")
    t["groups"].append({"id": g, "displayName": name, "description": None, "securityEnabled": True, "mailEnabled": False,
                        "mailNickname": name, "groupTypes": [], "isAssignableToRole": None, "members": list(members)})
    return g


def target(caller, level):
    return {"caller": caller, "operations": ["All"], "level": level, "inheritableSettings": [], "enforcedSettings": []}


def notification(rid, recipient, caller, level, extra=()):
    return {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "id": rid, "notificationType": "Email",
            "recipientType": recipient, "notificationLevel": "All", "isDefaultRecipientsEnabled": not extra,
            "notificationRecipients": list(extra), "target": target(caller, level)}


def pim_policy(g, approver):
    """PIMadgroup.tf's azuread_group_role_management_policy, as Graph lists it (the rules of
    policyroot-list-rolemanagementpolicyassignments.group-example3 with the repository's values)."""
    pid = f"Group_{g}_{gid('policy:' + g)}"
    mail = ["pim-admins@windagecat.example"]
    rules = [
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Eligibility",
         "isExpirationRequired": True, "maximumDuration": "P365D", "target": target("Admin", "Eligibility")},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_Admin_Eligibility",
         "enabledRules": [], "target": target("Admin", "Eligibility")},
        notification("Notification_Admin_Admin_Eligibility", "Admin", "Admin", "Eligibility", mail),
        notification("Notification_Requestor_Admin_Eligibility", "Requestor", "Admin", "Eligibility"),
        notification("Notification_Approver_Admin_Eligibility", "Approver", "Admin", "Eligibility"),
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Assignment",
         "isExpirationRequired": True, "maximumDuration": "P30D", "target": target("Admin", "Assignment")},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_Admin_Assignment",
         "enabledRules": ["Justification"], "target": target("Admin", "Assignment")},
        notification("Notification_Admin_Admin_Assignment", "Admin", "Admin", "Assignment", mail),
        notification("Notification_Requestor_Admin_Assignment", "Requestor", "Admin", "Assignment"),
        notification("Notification_Approver_Admin_Assignment", "Approver", "Admin", "Assignment"),
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment",
         "isExpirationRequired": True, "maximumDuration": "PT8H", "target": target("EndUser", "Assignment")},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment",
         "enabledRules": ["MultiFactorAuthentication", "Justification"], "target": target("EndUser", "Assignment")},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment",
         "target": target("EndUser", "Assignment"),
         "setting": {"isApprovalRequired": True, "isApprovalRequiredForExtension": False, "isRequestorJustificationRequired": True,
                     "approvalMode": "SingleStage",
                     "approvalStages": [{"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": True, "escalationTimeInMinutes": 0,
                                         "isEscalationEnabled": False,
                                         "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver, "description": None}],
                                         "escalationApprovers": []}]}},
        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule", "id": "AuthenticationContext_EndUser_Assignment",
         "isEnabled": False, "claimValue": None, "target": target("EndUser", "Assignment")},
        notification("Notification_Admin_EndUser_Assignment", "Admin", "EndUser", "Assignment", mail),
        notification("Notification_Requestor_EndUser_Assignment", "Requestor", "EndUser", "Assignment"),
        notification("Notification_Approver_EndUser_Assignment", "Approver", "EndUser", "Assignment"),
    ]
    return {"id": f"{pid}_member", "policyId": pid, "scopeId": g, "scopeType": "Group", "roleDefinitionId": "member",
            "policy": {"id": pid, "displayName": "Group", "description": "Group", "isOrganizationDefault": False, "scopeId": g,
                       "scopeType": "Group", "lastModifiedDateTime": None, "lastModifiedBy": {"displayName": None, "id": None}, "rules": rules}}


def eligible(t, g, principal):
    """azuread_privileged_access_group_eligibility_schedule: member, duration P365D."""
    created = gid(f"elig:{g}:{principal}")
    t["privilegedAccess"]["eligibilitySchedules"].append({
        "id": f"{g}_member_{created}", "scheduleInfo": {"startDateTime": "2024-06-10T05:20:11.037Z", "recurrence": None,
                                                       "expiration": {"type": "afterDuration", "endDateTime": None, "duration": "P365D"}},
        "createdUsing": created, "createdDateTime": "2024-06-10T05:20:11.037Z", "modifiedDateTime": "0001-01-01T08:00:00Z",
        "status": "Provisioned", "memberType": "Direct", "accessId": "member", "principalId": principal, "groupId": g})


def activated(t, g, principal):
    """The JIT hands-on, step 3: the test user's approved 1-hour activation of the membership."""
    created = gid(f"act:{g}:{principal}")
    t["privilegedAccess"]["assignmentSchedules"].append({
        "id": f"{g}_member_{created}", "scheduleInfo": {"startDateTime": "2026-11-30T08:00:00Z", "recurrence": None,
                                                       "expiration": {"type": "afterDuration", "endDateTime": None, "duration": "PT1H"}},
        "createdUsing": created, "createdDateTime": "2026-11-30T08:00:00Z", "modifiedDateTime": "0001-01-01T08:00:00Z",
        "status": "Provisioned", "memberType": "Direct", "assignmentType": "Activated", "accessId": "member",
        "principalId": principal, "groupId": g})
    for grp in t["groups"]:
        if grp["id"] == g:
            grp["members"].append(principal)


# ── Azure ─────────────────────────────────────────────────────────────────────────────────────
def subscription(key, t, name):
    sid = gid("sub:" + key)
    subscriptions[sid] = {"subscriptionId": sid, "tenantId": t["tenantId"], "displayName": name, "managedClusters": [],
                          "diagnosticSettings": {}, "roleAssignments": [], "roleEligibilityScheduleInstances": [],
                          "roleAssignmentScheduleInstances": []}
    grant(sid, f"/subscriptions/{sid}", "reader", gid("sp:scanner:" + key), "ServicePrincipal")
    return sid


def role_id(sid, role):
    return f"/subscriptions/{sid}/providers/Microsoft.Authorization/roleDefinitions/{R.get(role, role)}"


def grant(sid, scope, role, principal, kind, condition=None):
    n = gid(f"ra:{scope}:{role}:{principal}")
    subscriptions[sid]["roleAssignments"].append({
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{n}", "name": n, "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"roleDefinitionId": role_id(sid, role), "principalId": principal, "principalType": kind, "scope": scope,
                       "condition": condition, "conditionVersion": "2.0" if condition else None,
                       "createdOn": CREATED, "updatedOn": CREATED, "createdBy": gid("terraform"), "updatedBy": gid("terraform"),
                       "delegatedManagedIdentityResourceId": None, "description": None}})


def eligible_grant(sid, scope, role, principal, kind):
    n = gid(f"resi:{scope}:{role}:{principal}")
    subscriptions[sid]["roleEligibilityScheduleInstances"].append({
        "id": f"{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/{n}", "name": n,
        "type": "Microsoft.Authorization/RoleEligibilityScheduleInstances",
        "properties": {"scope": scope, "roleDefinitionId": role_id(sid, role), "principalId": principal, "principalType": kind,
                       "roleEligibilityScheduleId": f"{scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/{gid('es:' + n)}",
                       "status": "Provisioned", "startDateTime": "2026-01-05T00:00:00Z", "endDateTime": "2027-01-05T00:00:00Z",
                       "memberType": "Direct", "createdOn": "2026-01-05T00:00:00Z", "condition": None, "conditionVersion": None}})


def custom_role(sid, name, description, actions=(), data=(), not_data=()):
    guid = gid(f"role:{sid}:{name}")
    custom_roles.append({"id": f"/subscriptions/{sid}/providers/Microsoft.Authorization/roleDefinitions/{guid}", "name": guid,
                         "type": "Microsoft.Authorization/roleDefinitions",
                         "properties": {"roleName": name, "type": "CustomRole", "description": description,
                                        "assignableScopes": [f"/subscriptions/{sid}"],
                                        "permissions": [{"actions": list(actions), "notActions": [], "dataActions": list(data),
                                                         "notDataActions": list(not_data)}],
                                        "createdOn": CREATED, "updatedOn": CREATED, "createdBy": None, "updatedBy": None}})
    return guid


def aks(sid, rg, name, t):
    """aks.tf's cluster as GET managedClusters returns it (azurerm 3.x sends the disabled add-ons)."""
    rid = f"/subscriptions/{sid}/resourcegroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
    subnet = f"/subscriptions/{sid}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet_{name}/subnets/snet_{name}"
    body = {
        "id": rid, "location": LOCATION, "name": name, "type": "Microsoft.ContainerService/ManagedClusters", "tags": {"owner": "testuser"},
        "properties": {
            "provisioningState": "Succeeded", "powerState": {"code": "Running"}, "kubernetesVersion": "1.27", "currentKubernetesVersion": "1.27.9",
            "dnsPrefix": "cpcluster01", "fqdn": f"cpcluster01-{gid(name)[:8]}.hcp.{LOCATION}.azmk8s.io",
            "azurePortalFQDN": f"cpcluster01-{gid(name)[:8]}.portal.hcp.{LOCATION}.azmk8s.io",
            "agentPoolProfiles": [{
                "name": "defaultpool", "count": 1, "vmSize": "Standard_B2s", "osDiskSizeGB": 128, "osDiskType": "Managed",
                "kubeletDiskType": "OS", "vnetSubnetID": subnet, "maxPods": 30, "type": "VirtualMachineScaleSets", "maxCount": 3,
                "minCount": 1, "enableAutoScaling": True, "provisioningState": "Succeeded", "powerState": {"code": "Running"},
                "orchestratorVersion": "1.27.9", "currentOrchestratorVersion": "1.27.9", "enableNodePublicIP": False,
                "tags": {"owner": "testuser"}, "mode": "System", "enableEncryptionAtHost": False, "enableUltraSSD": False,
                "osType": "Linux", "osSKU": "Ubuntu", "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202405.27.0",
                "upgradeSettings": {"maxSurge": "10%"}, "enableFIPS": False}],
            "linuxProfile": {"adminUsername": "aksuser", "ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0labeled aksuser\n"}]}},
            "servicePrincipalProfile": {"clientId": "msi"},
            "addonProfiles": {"azureKeyvaultSecretsProvider": {"enabled": False, "config": None},
                              "azurepolicy": {"enabled": False, "config": None}},
            "nodeResourceGroup": f"MC_{rg}_{name}_{LOCATION}", "enableRBAC": True, "supportPlan": "KubernetesOfficial",
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico", "loadBalancerSku": "standard",
                               "loadBalancerProfile": {"managedOutboundIPs": {"count": 1}, "effectiveOutboundIPs": [
                                   {"id": f"/subscriptions/{sid}/resourceGroups/MC_{rg}_{name}_{LOCATION}/providers/Microsoft.Network/publicIPAddresses/{gid('pip:' + name)}"}],
                                   "backendPoolType": "nodeIPConfiguration"},
                               "serviceCidr": "10.1.0.0/24", "dnsServiceIP": "10.1.0.10", "outboundType": "loadBalancer",
                               "serviceCidrs": ["10.1.0.0/24"], "ipFamilies": ["IPv4"]},
            "aadProfile": {"managed": True, "adminGroupObjectIDs": None, "adminUsers": None, "enableAzureRBAC": True, "tenantID": t["tenantId"]},
            "maxAgentPools": 100, "disableLocalAccounts": True,
            "securityProfile": {}, "storageProfile": {"diskCSIDriver": {"enabled": True}, "fileCSIDriver": {"enabled": True},
                                                      "snapshotController": {"enabled": True}},
            "oidcIssuerProfile": {"enabled": False},
            "workloadAutoScalerProfile": {},
            "autoUpgradeProfile": {"nodeOSUpgradeChannel": "NodeImage"},
            "resourceUID": gid("uid:" + name)[:24].replace("-", ""),
        },
        "identity": {"type": "SystemAssigned", "principalId": gid("mi:" + name), "tenantId": t["tenantId"]},
        "sku": {"name": "Base", "tier": "Free"},
    }
    subscriptions[sid]["managedClusters"].append(body)
    # ARM returns `resourcegroups`; terraform writes scopes from the id it normalised.
    return rid.replace("/resourcegroups/", "/resourceGroups/")


def case(name, why, identity):
    """Truth rows of one cluster: BODY and the identity checks (each with its reason)."""
    rows = dict(BODY)
    rows.update(identity)
    missing = {f"IDN-0{n:02d}" for n in range(1, 13) if n != 5} - set(rows)
    assert not missing, f"{name}: no truth for {sorted(missing)}"
    for check, (status, reason) in sorted(rows.items()):
        truth.append((check, name, status, f"{why}: {reason}"))


# ── Conditional Access: the repository's JSON bodies ────────────────────────────────────────
SC_NULLS = {"disableResilienceDefaults": None, "applicationEnforcedRestrictions": None, "cloudAppSecurity": None,
            "persistentBrowser": None, "continuousAccessEvaluation": None, "secureSignInSession": None,
            "networkAccessSecurity": None, "globalSecureAccessFilteringProfile": None}
EVERY_TIME = {"value": None, "type": None, "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "everyTime", "isEnabled": True}


def conditions(apps, users, sign_in=(), user_risk=()):
    return {"userRiskLevels": list(user_risk), "signInRiskLevels": list(sign_in), "clientAppTypes": ["all"],
            "servicePrincipalRiskLevels": [], "insiderRiskLevels": None, "clients": None, "platforms": None, "locations": None,
            "times": None, "deviceStates": None, "devices": None, "clientApplications": None, "authenticationFlows": None,
            "applications": {"includeApplications": apps, "excludeApplications": [], "includeUserActions": [],
                             "includeAuthenticationContextClassReferences": [], "applicationFilter": None, "networkAccess": None,
                             "globalSecureAccess": None},
            "users": users}


def users_cond(include_users=(), include_groups=(), exclude_users=(), exclude_groups=()):
    return {"includeUsers": list(include_users), "excludeUsers": list(exclude_users), "includeGroups": list(include_groups),
            "excludeGroups": list(exclude_groups), "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": None,
            "excludeGuestsOrExternalUsers": None}


def grants(op, controls):
    return {"operator": op, "builtInControls": controls, "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": None}


def repo_policies(users, state):
    """The four policies of conditional_policy_restapi.tf, `users` standing for the templatefile's
    substitution, in the repository's key order."""
    device = {"sessionControls": dict(SC_NULLS, signInFrequency={"value": 8, "type": "hours", "frequencyInterval": "timeBased", "isEnabled": True}),
              "conditions": conditions(["499b84ac-1321-427f-aa17-267ca6975798", AKS_APP, "797f4846-ba00-4fd7-ba43-dac1f8f63013", "MicrosoftAdminPortals"], users),
              "grantControls": grants("OR", ["compliantDevice"]), "displayName": "コンテナ環境のデバイス準拠ポリシー", "state": state}
    sign_in = {"conditions": conditions(["All"], users, sign_in=["high", "medium"]), "grantControls": grants("OR", ["mfa"]),
               "sessionControls": dict(SC_NULLS, signInFrequency=EVERY_TIME), "displayName": "危険なサインインポリシー", "state": state}
    mfa = {"sessionControls": None, "conditions": conditions(["All"], users), "grantControls": grants("OR", ["mfa"]),
           "displayName": "MFA必須ポリシー", "state": state}
    user_risk = {"conditions": conditions(["All"], users, user_risk=["high"]), "grantControls": grants("AND", ["mfa", "passwordChange"]),
                 "sessionControls": dict(SC_NULLS, signInFrequency=EVERY_TIME), "displayName": "危険なユーザーリスクポリシー", "state": state}
    return [device, sign_in, mfa, user_risk]


def intune(users):
    return {"sessionControls": dict(SC_NULLS, signInFrequency=EVERY_TIME),
            "conditions": conditions(["0000000a-0000-0000-c000-000000000000"], users),
            "grantControls": grants("AND", ["compliantDevice", "mfa"]), "displayName": "Intuneポリシー",
            "state": "enabledForReportingButNotEnforced"}


def add_policies(t, bodies):
    for i, b in enumerate(bodies):
        # What GET adds to a POSTed body: id, template and timestamps.
        p = {"id": gid(f"ca:{t['tenantId']}:{i}"), "templateId": None, "createdDateTime": "2024-06-10T06:01:44.4367413Z", "modifiedDateTime": None}
        p.update(copy.deepcopy(b))
        t["conditionalAccessPolicies"].append(p)


# ── the JIT deployment (conditinalaccess_PIM) ───────────────────────────────────────────────
def jit_tenant(key, name):
    t = tenant(key, name)
    people = {"deployer": user(t, "aks-deployer"), "alice": user(t, "alice")}
    # service_principal/adgroup.tf; the test user added as its member (JIT hands-on prerequisites).
    people["requester"] = group(t, "condiac-pim-test", members=[people["alice"]])
    return t, people


def jit_cluster(t, people, sid, name, leftover=True):
    """One `terraform apply` of Azure/ and PIM/: the cluster, four PIM groups (random suffix) and
    their role assignments; the test user's AKS Cluster User Role at the resource group."""
    rg = "PIMtestforaks-" + name
    rid = aks(sid, rg, name, t)
    scope = f"/subscriptions/{sid}/resourceGroups/{rg}"
    contrib = gid(f"role:{sid}:Azure Kubernetes Service RBAC Cluster Contributor")
    if not any(r["name"] == contrib for r in custom_roles):  # rbac.tf, once per subscription
        custom_role(sid, "Azure Kubernetes Service RBAC Cluster Contributor", "Role for k8scontributor", data=[
            "Microsoft.ContainerService/managedClusters/*"], not_data=[
            "Microsoft.ContainerService/managedClusters/apis/rbac.authorization.k8s.io/*",
            "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*"])
    suffix = gid("suffix:" + name)[:4].upper()
    pim = {}
    for base, role in [("k8sadmin", "aks-rbac-cluster-admin"), ("k8scontributor", contrib), ("armadmin", "owner"), ("armcontributor", "contributor")]:
        g = group(t, f"{base}-{suffix}")
        eligible(t, g, people["requester"])
        t["privilegedAccess"]["roleManagementPolicyAssignments"].append(pim_policy(g, people["deployer"]))
        grant(sid, scope, role, g, "Group")
        pim[base] = g
    grant(sid, scope, "aks-cluster-user-role", people["alice"], "User")
    if leftover:
        grant(sid, rid, "aks-rbac-cluster-admin", people["deployer"], "User")
    return pim


def jit_truth(ca, standing, extra=None):
    """The identity verdicts of a JIT cluster: `ca` the IDN-001…004 rows, `standing` IDN-006's."""
    rows = {
        "IDN-006": standing,
        "IDN-007": ("pass", "k8sadmin, k8scontributor, armadmin, armcontributor each have an eligibility schedule (condiac-pim-test)"),
        "IDN-008": ("pass", "the four member policies allow PT8H: not longer than PT8H"),
        "IDN-009": ("pass", "Approval_EndUser_Assignment requires approval"),
        "IDN-010": ("pass", "Enablement_EndUser_Assignment has MultiFactorAuthentication"),
        "IDN-011": ("fail", "armadmin holds Owner on the resource group, no condition: roleAssignments/write unconstrained"),
        "IDN-012": ("pass", "inventory: the four groups, alice eligible via condiac-pim-test, the deployer if any"),
    }
    rows.update(ca)
    rows.update(extra or {})
    return rows


DEPLOYER_STANDING = ("fail", "the deployer's AKS RBAC Cluster Admin at cluster scope: active, permanent")
NO_STANDING = ("pass", "no standing admin: alice only PIM-eligible through condiac-pim-test; the deployer's leftover removed")

# 1. As published: the four policies (and the Intune one, uploaded unedited) report-only, the
# requester group's id in includeUsers.
t, p = jit_tenant("published", "Seed reference: policies as published (report-only)")
sid = subscription("published", t, "seed-published")
add_policies(t, repo_policies(users_cond(include_users=[p["requester"]], exclude_users=[p["deployer"]]), "enabledForReportingButNotEnforced")
             + [intune(users_cond(include_users=["None"]))])
NOT_TARGETED = "includeUsers holds condiac-pim-test's group id: Graph matches includeUsers against user ids, so alice is not targeted"
PUB_CA = {
    "IDN-001": ("fail", "every policy report-only; the deployer is excluded from all"),
    "IDN-002": ("not_applicable", "no policy in any state would guard an admin: " + NOT_TARGETED + "; the deployer excluded"),
    "IDN-003": ("fail", "no enabled policy requiring a compliant device guards the admins"),
    "IDN-004": ("fail", "no enabled policy with sign-in frequency guards the admins"),
}
jit_cluster(t, p, sid, "pub-aks-cp01")
case("pub-aks-cp01", "seed as published, with the deployer's leftover", jit_truth(PUB_CA, DEPLOYER_STANDING))
jit_cluster(t, p, sid, "pub-no-leftover", leftover=False)
case("pub-no-leftover", "seed as published, deployer's leftover removed", jit_truth(dict(PUB_CA, **{
    "IDN-001": ("fail", "every policy report-only; alice not targeted (" + NOT_TARGETED + ")"),
    "IDN-002": ("not_applicable", "no policy in any state would guard alice: " + NOT_TARGETED)}), NO_STANDING))
pim = jit_cluster(t, p, sid, "pub-activated", leftover=False)
activated(t, pim["k8scontributor"], p["alice"])
case("pub-activated", "seed as published, alice's approved 1-hour k8scontributor activation in progress", jit_truth(dict(PUB_CA, **{
    "IDN-001": ("fail", "every policy report-only; alice not targeted (" + NOT_TARGETED + ")"),
    "IDN-002": ("not_applicable", "no policy in any state would guard alice: " + NOT_TARGETED)}),
    ("pass", "alice's k8scontributor membership is a PIM activation (PT1H): time-bound, not standing")))
truth.append(("IDN-005", t["tenantId"], "fail", "seed as published: the risk policies are report-only"))

# 2. The device and MFA policies switched to enabled (what a reader does after checking report-only).
t, p = jit_tenant("enforced", "Seed reference: policies enabled, group id in includeUsers")
sid = subscription("enforced", t, "seed-enforced")
bodies = repo_policies(users_cond(include_users=[p["requester"]], exclude_users=[p["deployer"]]), "enabled")
for b in bodies[1::2]:  # the risk policies stay report-only: only the AKS-facing ones were switched on
    b["state"] = "enabledForReportingButNotEnforced"
add_policies(t, bodies + [intune(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]]))])
ENF_CA = {
    "IDN-001": ("fail", "the deployer is excluded from every policy, and " + NOT_TARGETED),
    "IDN-002": ("not_applicable", "no policy in any state guards an admin (" + NOT_TARGETED + ")"),
    "IDN-003": ("fail", "the device policy is enabled but targets no admin (" + NOT_TARGETED + ")"),
    "IDN-004": ("fail", "the 8-hour frequency is on a policy that targets no admin"),
}
jit_cluster(t, p, sid, "enf-aks-cp01")
case("enf-aks-cp01", "policies enabled, group id in includeUsers, deployer's leftover", jit_truth(ENF_CA, DEPLOYER_STANDING))
jit_cluster(t, p, sid, "enf-no-leftover", leftover=False)
case("enf-no-leftover", "policies enabled, group id in includeUsers, no leftover", jit_truth(dict(ENF_CA, **{
    "IDN-001": ("fail", "enabled policies, but " + NOT_TARGETED)}), NO_STANDING))
truth.append(("IDN-005", t["tenantId"], "fail", "the risk policies are still report-only"))

# 2b. Every policy switched on, the risk policies too, the group's id still in includeUsers: the
# risk policies are enabled but apply to nobody (IDN-005 asks the directory what each id is).
t, p = jit_tenant("enabled-all", "Seed reference: every policy enabled, group id in includeUsers")
sid = subscription("enabled-all", t, "seed-enabled-all")
add_policies(t, repo_policies(users_cond(include_users=[p["requester"]], exclude_users=[p["deployer"]]), "enabled"))
jit_cluster(t, p, sid, "all-no-leftover", leftover=False)
case("all-no-leftover", "every policy enabled, group id in includeUsers, no leftover", jit_truth(dict(ENF_CA, **{
    "IDN-001": ("fail", "enabled policies, but " + NOT_TARGETED)}), NO_STANDING))
truth.append(("IDN-005", t["tenantId"], "fail",
              "the risk policies are enabled, but includeUsers holds condiac-pim-test's group id: Graph matches it against user ids, so they apply to nobody"))

# 3. Enabled, the requester group in includeGroups (as the portal saves "select groups").
def groups_tenant(key, name):
    t, p = jit_tenant(key, name)
    sid = subscription(key, t, "seed-" + key)
    add_policies(t, repo_policies(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]]), "enabled")
                 + [intune(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]]))])
    truth.append(("IDN-005", t["tenantId"], "pass", "enabled sign-in risk (high, medium) and user risk (high) policies for the requester group"))
    return t, p, sid


GUARDED = {
    "IDN-001": ("pass", "alice (eligible via condiac-pim-test) is guarded by the enabled device policy (AKS app, her group, all client apps, compliantDevice)"),
    "IDN-002": ("pass", "the policies guarding alice are enabled"),
    "IDN-003": ("pass", "the device policy's OR has one alternative: compliantDevice"),
    "IDN-004": ("pass", "the device policy signs in again every 8 hours: not above 8"),
}
t, p, sid = groups_tenant("groups", "Seed reference: policies enabled, requester group in includeGroups")
jit_cluster(t, p, sid, "grp-no-leftover", leftover=False)
case("grp-no-leftover", "policies enabled for the requester group, no leftover", jit_truth(GUARDED, NO_STANDING))
pim = jit_cluster(t, p, sid, "grp-activated", leftover=False)
activated(t, pim["k8sadmin"], p["alice"])
case("grp-activated", "policies enabled for the requester group, alice's k8sadmin activation in progress",
     jit_truth(GUARDED, ("pass", "alice's k8sadmin membership is a PIM activation (PT1H): time-bound")))

# 3b. The same tenant shape with the deployer still an admin, excluded from every policy.
DEPLOYER_UNGUARDED = {
    "IDN-001": ("fail", "the deployer (an admin) is excluded from every policy"),
    "IDN-002": ("pass", "the policies guarding alice are enabled; the deployer is guarded by none in any state (IDN-001)"),
    "IDN-003": ("fail", "the deployer is guarded by no policy requiring a compliant device"),
    "IDN-004": ("fail", "the deployer is guarded by no sign-in frequency"),
}
t, p, sid = groups_tenant("groups-deployer", "Seed reference: policies enabled for the requester group, the deployer an admin")
jit_cluster(t, p, sid, "grp-aks-cp01")
case("grp-aks-cp01", "policies enabled for the requester group, deployer's leftover excluded from CA", jit_truth(DEPLOYER_UNGUARDED, DEPLOYER_STANDING))
# The deployer kept only a PIM-eligible Owner on the subscription (its own subscription, so the
# other cluster keeps its verdicts).
sid2 = subscription("groups-eligible-owner", t, "seed-groups-eligible-owner")
jit_cluster(t, p, sid2, "grp-deployer-eligible-owner", leftover=False)
eligible_grant(sid2, f"/subscriptions/{sid2}", "owner", p["deployer"], "User")
case("grp-deployer-eligible-owner", "no leftover; the deployer PIM-eligible Owner of the subscription, excluded from CA",
     jit_truth(DEPLOYER_UNGUARDED, ("pass", "the deployer's Owner is PIM-eligible; alice eligible"), {
         "IDN-001": ("fail", "the deployer (eligible Owner: managedClusters/write) is excluded from every policy")}))

# 3c. The requester group in includeGroups, every policy excluding a "CA exclusion" group for
# which alice is PIM-eligible (the just-in-time exclusion pattern): she can activate the
# membership and escape every policy, as with an excluded directory role she is eligible for.
# 3d. The same, with the excluded group's eligibility held by a group (`via`) for which alice is
# eligible in turn: two activations and she escapes.
def exclusion_tenant(key, name, cluster, why, escapes, via=None):
    t, p = jit_tenant(key, name)
    sid = subscription(key, t, "seed-" + key)
    exempt = group(t, "ca-exclusion")
    if via:
        hop = group(t, via)
        eligible(t, exempt, hop)
        eligible(t, hop, p["alice"])
    else:
        eligible(t, exempt, p["alice"])
    add_policies(t, repo_policies(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]], exclude_groups=[exempt]), "enabled"))
    jit_cluster(t, p, sid, cluster, leftover=False)
    case(cluster, why, jit_truth({
        "IDN-001": ("fail", escapes),
        "IDN-002": ("not_applicable", "no policy in any state would guard alice: " + escapes),
        "IDN-003": ("fail", escapes),
        "IDN-004": ("fail", escapes)}, NO_STANDING))
    truth.append(("IDN-005", t["tenantId"], "pass", "enabled sign-in (high, medium) and user risk (high) policies for the requester group"))


exclusion_tenant("groups-exclusion", "Seed reference: policies enabled for the requester group, alice eligible for the excluded group",
                 "grpx-no-leftover", "policies enabled for the requester group, alice PIM-eligible for the excluded group",
                 "alice is PIM-eligible for ca-exclusion, which every policy excludes: she can activate it and escape")
exclusion_tenant("groups-exclusion-chain", "Seed reference: alice eligible for a group that is eligible for the excluded group",
                 "grpxc-no-leftover", "policies enabled for the requester group, alice eligible for the excluded group through another group",
                 "alice is PIM-eligible for ca-exclusion-requesters, a group PIM-eligible for ca-exclusion, which every policy "
                 "excludes: two activations and she escapes", via="ca-exclusion-requesters")

# 4. includeGroups, but still report-only (the portal's default for an imported policy).
t, p = jit_tenant("groups-report-only", "Seed reference: requester group in includeGroups, report-only")
sid = subscription("groups-report-only", t, "seed-groups-report-only")
add_policies(t, repo_policies(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]]), "enabledForReportingButNotEnforced")
             + [intune(users_cond(include_groups=[p["requester"]], exclude_users=[p["deployer"]]))])
jit_cluster(t, p, sid, "grpro-no-leftover", leftover=False)
case("grpro-no-leftover", "policies for the requester group, report-only, no leftover", jit_truth({
    "IDN-001": ("fail", "the policies that would guard alice are report-only"),
    "IDN-002": ("fail", "the device and MFA policies would guard alice but are enabledForReportingButNotEnforced"),
    "IDN-003": ("fail", "the compliant-device policy is report-only"),
    "IDN-004": ("fail", "the 8-hour policy is report-only"),
}, NO_STANDING))
truth.append(("IDN-005", t["tenantId"], "fail", "risk policies report-only"))

# ── the ABAC hands-on (ABAC/Azure + ABAC/Condition/*) ───────────────────────────────────────
t = tenant("abac", "Seed reference: ABAC hands-on")
deployer = user(t, "aks-deployer")
sid = subscription("abac", t, "seed-abac")
team_users = {n: user(t, f"{n}-4711") for n in ["k8sdeveloper1", "k8sdeveloper2", "k8sroleassigner1"]}
teams = {tn: group(t, tn, members=[team_users[un]]) for tn, un in
         [("k8sdevelopA", "k8sdeveloper1"), ("k8sdevelopB", "k8sdeveloper2"), ("k8sroleassign", "k8sroleassigner1")]}
k8sdeveloper = custom_role(sid, "k8sdeveloper", "Role for k8sdeveloper", data=[
    "Microsoft.ContainerService/managedClusters/services/read", "Microsoft.ContainerService/managedClusters/apps/deployments/read",
    "Microsoft.ContainerService/managedClusters/pods/read", "Microsoft.ContainerService/managedClusters/logs/read"])
assigner = custom_role(sid, "k8sroleassigner", "Role for k8sroleassigner", actions=["Microsoft.Authorization/roleAssignments/*"])
acr = "/subscriptions/%s/resourceGroups/aksRBACtest/providers/Microsoft.ContainerRegistry/registries/acrforaksX7k2" % sid
custom_roles.append({"id": f"/providers/Microsoft.Authorization/roleDefinitions/{R['acr-pull']}", "name": R["acr-pull"],
                     "type": "Microsoft.Authorization/roleDefinitions",
                     "properties": {"roleName": "AcrPull", "type": "BuiltInRole", "description": "acr pull", "assignableScopes": ["/"],
                                    "permissions": [{"actions": ["Microsoft.ContainerRegistry/registries/pull/read"], "notActions": [],
                                                     "dataActions": [], "notDataActions": []}]}})


def heredoc(cond):
    """`condition = <<-EOT … EOT`: the indentation stripped, the final newline kept."""
    return cond + "\n"


def abac_condition(kind, ns_group):
    W = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
    D = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
    rq, rs = "@Request[Microsoft.Authorization/roleAssignments:", "@Resource[Microsoft.Authorization/roleAssignments:"
    role = "RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {%s}" % k8sdeveloper
    if kind == "constrain-roles":
        return heredoc(f"{W}({rq}{role})) AND {D}({rs}{role}))")
    if kind == "roles-principal-types":
        pt = "PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'Group'}"
        return heredoc(f"{W}({rq}{role} AND {rq}{pt})) AND {D}({rs}{role} AND {rs}{pt}))")
    if kind == "roles-principals":
        pr = "PrincipalId] ForAnyOfAnyValues:GuidEquals {%s}" % ns_group
        return heredoc(f"{W}({rq}{role} AND {rq}{pr})) AND {D}({rs}{role} AND {rs}{pr}))")
    return None  # non_role-Condition


ABAC_BASE = {
    "IDN-001": ("fail", "no Conditional Access policy in this tenant; the deployer is an admin"),
    "IDN-002": ("not_applicable", "no policy in any state"),
    "IDN-003": ("fail", "no policy requires a compliant device"),
    "IDN-004": ("fail", "no policy sets a sign-in frequency"),
    "IDN-006": ("fail", "the deployer's AKS RBAC Cluster Admin at cluster scope (ABAC/Azure/aks.tf): active, permanent"),
    "IDN-007": ("not_applicable", "no group holds cluster admin (the deployer is a user; AKS Cluster User Role is no admin path with local accounts off)"),
    "IDN-008": ("not_applicable", "no admin group: no PIM policy to judge"),
    "IDN-009": ("not_applicable", "no admin group: no PIM policy to judge"),
    "IDN-010": ("not_applicable", "no admin group: no PIM policy to judge"),
    "IDN-012": ("pass", "inventory: the deployer (and k8sroleassign where it is a potential admin)"),
}
for kind, label in [("constrain-roles", "Constrain_roles"), ("roles-principal-types", "Constrain_roles_and_principal_types"),
                    ("roles-principals", "Constrain_roles_and_principals"), ("no-condition", "non_role-Condition")]:
    for where in ["ns", "cluster"]:
        name = f"abac-{where}-{kind}"
        rid = aks(sid, "aksRBACtest", name, t)
        grant(sid, rid, "aks-rbac-cluster-admin", deployer, "User")
        for g in teams.values():  # aks_get-credentials_role
            grant(sid, rid, "aks-cluster-user-role", g, "Group")
        grant(sid, acr, "acr-pull", gid("kubelet:" + name), "ServicePrincipal")
        if where == "ns":
            for ns, g in [("k8sdevelopa", teams["k8sdevelopA"]), ("k8sdevelopb", teams["k8sdevelopB"])]:
                grant(sid, f"{rid}/namespaces/{ns}", assigner, teams["k8sroleassign"], "Group", abac_condition(kind, g))
                # The hands-on's step 2.2.2: the assigner gives the team k8sdeveloper in its namespace.
                grant(sid, f"{rid}/namespaces/{ns}", k8sdeveloper, g, "Group")
            verdict = ("pass", f"{label}: k8sroleassigner is assigned at {{cluster}}/namespaces/{{ns}}, not a scope covering the cluster")
        else:
            grant(sid, rid, assigner, teams["k8sroleassign"], "Group", abac_condition(kind, teams["k8sdevelopA"]))
            verdict = {
                "constrain-roles": ("pass", f"{label} at cluster scope: writes limited to k8sdeveloper (read-only data actions)"),
                "roles-principal-types": ("pass", f"{label} at cluster scope: writes limited to k8sdeveloper (principal type does not matter)"),
                "roles-principals": ("pass", f"{label} at cluster scope: writes limited to k8sdeveloper for one group"),
                "no-condition": ("fail", f"{label} at cluster scope: roleAssignments/* with no condition"),
            }[kind]
        case(name, f"ABAC hands-on {label} ({'namespace' if where == 'ns' else 'cluster'} scope)", dict(ABAC_BASE, **{"IDN-011": verdict}))
truth.append(("IDN-005", t["tenantId"], "fail", "ABAC hands-on tenant: no Conditional Access policy"))

# ── the estates: one file per tenant (a scan signs in to one tenant) ──────────────────────────
VERSIONS = {LOCATION: {"values": [
    {"version": "1.32", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.32.9": {"upgrades": ["1.33.5"]}}},
    {"version": "1.33", "isDefault": True, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.33.5": {"upgrades": ["1.34.2"]}}},
    {"version": "1.34", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.34.2": {"upgrades": []}}}]}}
here = os.path.dirname(os.path.abspath(__file__))
for key, t in tenants.items():
    subs = [s for s in subscriptions.values() if s["tenantId"] == t["tenantId"]]
    sids = {s["subscriptionId"] for s in subs}
    names = {c["name"] for s in subs for c in s["managedClusters"]}
    roles = [r for r in custom_roles if r["id"].startswith("/providers/") and key == "abac" or r["id"].split("/")[2] in sids]
    estate = {"estate": "v1", "entra": {"tenants": [t]},
              "azure": {"kubernetesVersions": VERSIONS, "roleDefinitions": roles, "subscriptions": subs}}
    stem = f"seed-reference-{key}"
    labeled_io.write(here, stem,
                f"# Labeled estate: the seeds' reference setup (seeds/000, windagecat/Azure-container-env_Auth-and-Autho-\n"
                f"# Enhancement) — tenant \"{t['displayName']}\" — one AKS cluster per case, with {stem}.truth.csv beside\n"
                f"# it. Generated by seed_reference_gen.py, which says where each body comes from and what every check\n"
                f"# must answer; edit the generator, not this file.\n",
                estate, [r for r in truth if r[1] in names or r[1] == t["tenantId"]], ensure_ascii=False)
print(f"{len(truth)} rows, {sum(len(s['managedClusters']) for s in subscriptions.values())} clusters, {len(tenants)} tenants")
