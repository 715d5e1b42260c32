#!/usr/bin/env python3
"""Writes entra-risk-CASE.yaml and entra-risk-CASE.truth.csv: one Entra tenant per case of
IDN-005 (risk-based Conditional Access, a tenant-scope check), each with one subscription and no
cluster, so each truth table has the one IDN-005 row of its tenant. The policies start from
Microsoft's risk templates ("Require multifactor authentication for risky sign-ins", "Require
password change for high-risk users": all users but a break-glass group, all resources) as
Graph v1.0 lists them, and each case changes what it names. The truth is written here by hand
from CHECKS.md (v1.1) and docs/verdicts.md ("IDN-005: risk policies") — never copied from a scan.

Run from the repository root after changing a case:
    python3 mocks/estates/labeled/entra_risk_gen.py
"""
import copy, os, uuid
import labeled_io

NS = uuid.UUID("0c9b7d2e-51a4-4f0e-b6c3-7e8d9f0a1b2c")
AKS_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
HERE = os.path.dirname(os.path.abspath(__file__))


def gid(name):
    return str(uuid.uuid5(NS, name))


SESSION_NULLS = {"disableResilienceDefaults": None, "applicationEnforcedRestrictions": None, "cloudAppSecurity": None,
                 "persistentBrowser": None, "continuousAccessEvaluation": None, "secureSignInSession": None}
EVERY_TIME = {"value": None, "type": None, "authenticationType": "primaryAndSecondaryAuthentication",
              "frequencyInterval": "everyTime", "isEnabled": True}


def template(tenant, key, name, sign_in=(), user_risk=(), grant=("mfa",), operator="OR"):
    """A Microsoft risk template as GET conditionalAccess/policies returns it."""
    return {
        "id": gid(f"{tenant}:{key}"), "templateId": None, "displayName": name, "state": "enabled",
        "createdDateTime": "2026-03-02T08:00:00Z", "modifiedDateTime": None,
        "conditions": {
            "userRiskLevels": list(user_risk), "signInRiskLevels": list(sign_in), "clientAppTypes": ["all"],
            "servicePrincipalRiskLevels": [], "insiderRiskLevels": None, "platforms": None, "locations": None,
            "devices": None, "clientApplications": None, "authenticationFlows": None,
            "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                             "includeAuthenticationContextClassReferences": [], "applicationFilter": None},
            "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [gid(f"{tenant}:break-glass")],
                      "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": None, "excludeGuestsOrExternalUsers": None},
        },
        "grantControls": {"operator": operator, "builtInControls": list(grant), "customAuthenticationFactors": [], "termsOfUse": [],
                          "authenticationStrength": None},
        "sessionControls": dict(SESSION_NULLS, signInFrequency=EVERY_TIME),
    }


def estate(key, why, status, edit=None):
    """One tenant with the two templates, changed by `edit(tenant_id, sign_in, user_risk, users)`."""
    tenant = gid("tenant:" + key)
    client = gid("client:" + key)
    alice = gid(f"{tenant}:alice")
    glass = gid(f"{tenant}:break-glass")
    users = [{"id": alice, "displayName": "alice", "userPrincipalName": "alice@risk.example", "accountEnabled": True, "userType": "Member"},
             {"id": gid(f"{tenant}:glass"), "displayName": "break-glass", "userPrincipalName": "glass@risk.example",
              "accountEnabled": True, "userType": "Member"}]
    groups = [{"id": glass, "displayName": "break-glass accounts", "description": None, "securityEnabled": True, "mailEnabled": False,
               "mailNickname": "break-glass", "groupTypes": [], "isAssignableToRole": None, "members": [gid(f"{tenant}:glass")]},
              {"id": gid(f"{tenant}:risk-pilot"), "displayName": "risk pilot", "description": None, "securityEnabled": True,
               "mailEnabled": False, "mailNickname": "risk-pilot", "groupTypes": [], "isAssignableToRole": None, "members": [alice]},
              {"id": gid(f"{tenant}:risk-empty"), "displayName": "risk rollout (empty)", "description": None, "securityEnabled": True,
               "mailEnabled": False, "mailNickname": "risk-empty", "groupTypes": [], "isAssignableToRole": None, "members": []}]
    sign_in = template(tenant, "sign-in", "Require multifactor authentication for risky sign-ins", sign_in=["high", "medium"])
    user_risk = template(tenant, "user", "Require password change for high-risk users", user_risk=["high"],
                         grant=("mfa", "passwordChange"), operator="AND")
    policies = [sign_in, user_risk]
    if edit:
        policies = edit(tenant, sign_in, user_risk, {"alice": alice, "pilot": gid(f"{tenant}:risk-pilot"), "empty": gid(f"{tenant}:risk-empty")}) or policies
    sub = gid("sub:" + key)
    scanner = gid("sp:" + key)
    t = {"tenantId": tenant, "displayName": f"Labeled risk policies: {key}",
         "clients": [{"clientId": client, "clientSecret": "labeled-only-client-secret"}],
         "users": users, "groups": groups,
         "servicePrincipals": [{"id": scanner, "appId": client, "displayName": "kubeposture-scanner", "servicePrincipalType": "Application"}],
         "conditionalAccessPolicies": policies,
         "privilegedAccess": {"eligibilitySchedules": [], "assignmentSchedules": [], "roleManagementPolicyAssignments": []}}
    n = gid(f"ra:{sub}:reader")
    reader = {"id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{n}", "name": n,
              "type": "Microsoft.Authorization/roleAssignments",
              "properties": {"roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
                             "principalId": scanner, "principalType": "ServicePrincipal", "scope": f"/subscriptions/{sub}",
                             "condition": None, "conditionVersion": None, "createdOn": "2026-03-02T08:00:00Z", "updatedOn": "2026-03-02T08:00:00Z",
                             "createdBy": None, "updatedBy": None, "delegatedManagedIdentityResourceId": None, "description": None}}
    body = {"estate": "v1", "entra": {"tenants": [t]},
            "azure": {"subscriptions": [{"subscriptionId": sub, "tenantId": tenant, "displayName": f"risk-{key}", "managedClusters": [],
                                         "diagnosticSettings": {}, "roleAssignments": [reader], "roleEligibilityScheduleInstances": [],
                                         "roleAssignmentScheduleInstances": []}]}}
    stem = f"entra-risk-{key}"
    labeled_io.write(HERE, stem,
                     f"# Labeled estate: IDN-005 (risk-based Conditional Access) — {why}. One tenant, no cluster;\n"
                     f"# {stem}.truth.csv beside it. Generated by entra_risk_gen.py; edit the generator, not this file.\n",
                     body, [("IDN-005", tenant, status, why)])


def combined(t, s, u, ids):
    s["conditions"]["userRiskLevels"] = ["high"]
    s["displayName"] = "Risky sign-ins of risky users: MFA"
    return [s]


def office(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["applications"]["includeApplications"] = ["Office365"]


def trusted(t, s, u, ids):
    s["conditions"]["locations"] = {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}


def deleted_user(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["users"].update(includeUsers=[gid(f"{t}:deleted-user")], excludeGroups=[])


def pilot_group(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["users"].update(includeUsers=[], includeGroups=[ids["pilot"]], excludeGroups=[])


def user_id(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["users"].update(includeUsers=[ids["alice"]], excludeGroups=[])


def global_admins(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["users"].update(includeUsers=[], includeRoles=[GLOBAL_ADMIN], excludeGroups=[])


def session_only(t, s, u, ids):
    s["grantControls"] = None


estate("templates", "Microsoft's two risk templates, all users but break-glass, all resources", "pass")
estate("combined-conditions", "one policy with both sign-in and user risk acts only on risky sign-ins of high-risk users", "fail", combined)
estate("office365-only", "risk policies for Office 365 only leave AKS sign-ins alone", "fail", office)
estate("trusted-locations-excluded", "the sign-in risk policy leaves out trusted locations", "fail", trusted)
estate("deleted-user", "includeUsers holds only the id of a deleted user: nobody", "fail", deleted_user)
estate("pilot-group", "includeGroups holds a group of the tenant (a user's id is somebody too)", "pass", pilot_group)
def empty_group(t, s, u, ids):
    for p in (s, u):
        p["conditions"]["users"].update(includeUsers=[], includeGroups=[ids["empty"]], excludeGroups=[])


estate("empty-group", "includeGroups holds only a group nobody is in or eligible for: nobody", "fail", empty_group)
estate("user-id", "includeUsers holds a user's id", "pass", user_id)
estate("global-admins", "includeRoles Global Administrator: always held", "pass", global_admins)
estate("session-only", "the sign-in risk policy has session controls only: it challenges nobody", "fail", session_only)
