//! Builders for Entra/ARM authorization estates in their real shapes (Graph v1.0, ARM
//! 2022-04-01 / 2020-10-01): a tenant whose AKS admin access is JIT and guarded by Conditional
//! Access, which the scenario tests then break one piece at a time.
#![allow(dead_code)]

use super::{CLIENT, SECRET, SUB_A, SUB_B, TENANT, aks, versions};
use serde_json::{Value, json};

pub const AKS_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
pub const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
pub const USER_ACCESS_ADMINISTRATOR: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

pub const ADMINS: &str = "a0000000-0000-0000-0000-00000000000a";
pub const ONCALL: &str = "a0000000-0000-0000-0000-00000000000b";
pub const ALICE: &str = "10000000-0000-0000-0000-000000000001";
pub const BOB: &str = "10000000-0000-0000-0000-000000000002";
pub const DAVE: &str = "10000000-0000-0000-0000-000000000004";
pub const ERIN: &str = "10000000-0000-0000-0000-000000000005";
pub const SP: &str = "20000000-0000-0000-0000-000000000001";

pub fn rg_scope(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// An ARM role assignment at `scope`.
pub fn assignment(sub: &str, n: u32, scope: &str, role: &str, principal: &str, kind: &str) -> Value {
    let name = format!("9{n:07}-0000-0000-0000-000000000000");
    json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal,
            "principalType": kind,
            "scope": scope
        }
    })
}

fn schedule(group: &str, principal: &str, expiration: Value, assignment: bool) -> Value {
    let mut s = json!({
        "id": format!("{group}_member_{principal}"),
        "accessId": "member", "principalId": principal, "groupId": group, "memberType": "Direct", "status": "Provisioned",
        "createdDateTime": "2026-01-05T10:00:00Z",
        "scheduleInfo": {"startDateTime": "2026-01-05T10:00:00Z", "recurrence": null, "expiration": expiration}
    });
    if assignment {
        s["assignmentType"] = json!("assigned");
    }
    s
}

pub fn eligible(group: &str, principal: &str) -> Value {
    schedule(group, principal, json!({"type": "afterDateTime", "endDateTime": "2027-01-05T00:00:00Z", "duration": null}), false)
}

pub fn permanent_member(group: &str, principal: &str) -> Value {
    schedule(group, principal, json!({"type": "noExpiration", "endDateTime": null, "duration": null}), true)
}

/// The `member` role's PIM policy of a group.
pub fn pim_policy(group: &str, max: &str, approval: bool, rules: &[&str]) -> Value {
    let target = json!({"caller": "EndUser", "operations": ["All"], "level": "Assignment", "inheritableSettings": [], "enforcedSettings": []});
    json!({
        "id": format!("Group_{group}_p1_member"), "policyId": format!("Group_{group}_p1"), "scopeId": group, "scopeType": "Group", "roleDefinitionId": "member",
        "policy": {"id": format!("Group_{group}_p1"), "displayName": "Group", "scopeId": group, "scopeType": "Group", "rules": [
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": max, "target": target},
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment", "enabledRules": rules, "target": target},
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment", "target": target,
             "setting": {"isApprovalRequired": approval, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true, "approvalMode": "SingleStage", "approvalStages": []}}
        ]}
    })
}

/// A Conditional Access policy in Graph's shape.
pub fn ca(id: &str, state: &str, apps: &[&str], exclude_apps: &[&str], groups: &[&str], operator: &str, controls: &[&str], hours: Option<u32>) -> Value {
    json!({
        "id": id, "displayName": id, "state": state, "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": null,
        "conditions": {
            "signInRiskLevels": [], "userRiskLevels": [], "clientAppTypes": ["all"], "platforms": null, "locations": null,
            "applications": {"includeApplications": apps, "excludeApplications": exclude_apps, "includeUserActions": []},
            "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": groups, "excludeGroups": [], "includeRoles": [], "excludeRoles": []}
        },
        "grantControls": {"operator": operator, "builtInControls": controls, "customAuthenticationFactors": [], "termsOfUse": []},
        "sessionControls": hours.map(|h| json!({"signInFrequency": {"value": h, "type": "hours", "isEnabled": true, "frequencyInterval": "timeBased"}}))
    })
}

fn risk(id: &str, sign_in: &[&str], user: &[&str]) -> Value {
    let mut p = ca(id, "enabled", &["All"], &[], &[], "OR", &["mfa"], None);
    p["conditions"]["users"]["includeUsers"] = json!(["All"]);
    p["conditions"]["signInRiskLevels"] = json!(sign_in);
    p["conditions"]["userRiskLevels"] = json!(user);
    p
}

/// The good tenant: `aks-admins` holds AKS RBAC Cluster Admin on `rg` of subscription A, has
/// only PIM-eligible members and a strict policy; CA requires MFA and a compliant device with
/// 4 h sign-in frequency for them; risk policies exist.
pub fn tenant() -> Value {
    json!({
        "tenantId": TENANT,
        "clients": [{"clientId": CLIENT, "clientSecret": SECRET}],
        "users": [
            {"id": ALICE, "displayName": "Alice Admin", "userPrincipalName": "alice@contoso.example"},
            {"id": BOB, "displayName": "Bob Delegator", "userPrincipalName": "bob@contoso.example"},
            {"id": DAVE, "displayName": "Dave Standing", "userPrincipalName": "dave@contoso.example"},
            {"id": ERIN, "displayName": "Erin Nested", "userPrincipalName": "erin@contoso.example"}
        ],
        "groups": [
            {"id": ADMINS, "displayName": "aks-admins", "securityEnabled": true, "mailEnabled": false, "members": []},
            {"id": ONCALL, "displayName": "aks-oncall", "securityEnabled": true, "mailEnabled": false, "members": []}
        ],
        "servicePrincipals": [{"id": SP, "appId": CLIENT, "displayName": "kubeposture"}],
        "conditionalAccessPolicies": [
            ca("aks-compliant", "enabled", &[AKS_APP], &[], &[ADMINS], "AND", &["mfa", "compliantDevice"], Some(4)),
            risk("sign-in-risk", &["high", "medium"], &[]),
            risk("user-risk", &[], &["high"])
        ],
        "privilegedAccess": {
            "eligibilitySchedules": [eligible(ADMINS, ALICE)],
            "assignmentSchedules": [],
            "roleManagementPolicyAssignments": [pim_policy(ADMINS, "PT4H", true, &["MultiFactorAuthentication", "Justification"])]
        }
    })
}

/// Subscription A with `clusters` and `assignments`; subscription B with one cluster.
pub fn estate(tenant: Value, clusters: Vec<Value>, assignments: Vec<Value>, faults: Value) -> Value {
    json!({
        "estate": "v1",
        "entra": {"tenants": [tenant]},
        "azure": {
            "kubernetesVersions": {"westeurope": versions()},
            "subscriptions": [
                {"subscriptionId": SUB_A, "tenantId": TENANT, "displayName": "Prod", "managedClusters": clusters, "roleAssignments": assignments},
                {"subscriptionId": SUB_B, "tenantId": TENANT, "displayName": "Dev", "managedClusters": [aks(SUB_B, "rg-b", "other", "westeurope", json!({}))]}
            ]
        },
        "faults": faults
    })
}

/// The usual assignments: aks-admins holds AKS RBAC Cluster Admin on `rg`, the scanner reads.
pub fn assignments() -> Vec<Value> {
    vec![
        assignment(SUB_A, 1, &rg_scope(SUB_A, "rg"), AKS_RBAC_CLUSTER_ADMIN, ADMINS, "Group"),
        assignment(SUB_A, 2, &format!("/subscriptions/{SUB_A}"), READER, SP, "ServicePrincipal"),
    ]
}

pub fn cluster(name: &str) -> Value {
    aks(SUB_A, "rg", name, "westeurope", json!({}))
}
