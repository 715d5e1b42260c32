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
    schedule(
        group,
        principal,
        json!({"type": "afterDateTime", "endDateTime": "2027-01-05T00:00:00Z", "duration": null}),
        false,
    )
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

/// A Conditional Access policy, rendered in Graph's shape by [`Ca::json`].
#[derive(Clone)]
pub struct Ca<'a> {
    pub id: &'a str,
    pub state: &'a str,
    pub apps: &'a [&'a str],
    pub exclude_apps: &'a [&'a str],
    pub groups: &'a [&'a str],
    pub operator: &'a str,
    pub controls: &'a [&'a str],
    pub hours: Option<u32>,
}

impl Ca<'_> {
    /// The good AKS policy: the admins, MFA and a compliant device, every 4 hours.
    pub fn aks() -> Ca<'static> {
        Ca {
            id: "aks-compliant",
            state: "enabled",
            apps: &[AKS_APP],
            exclude_apps: &[],
            groups: &[ADMINS],
            operator: "AND",
            controls: &["mfa", "compliantDevice"],
            hours: Some(4),
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "id": self.id, "displayName": self.id, "state": self.state, "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": null,
            "conditions": {
                "signInRiskLevels": [], "userRiskLevels": [], "clientAppTypes": ["all"], "platforms": null, "locations": null,
                "applications": {"includeApplications": self.apps, "excludeApplications": self.exclude_apps, "includeUserActions": []},
                "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": self.groups, "excludeGroups": [], "includeRoles": [], "excludeRoles": []}
            },
            "grantControls": {"operator": self.operator, "builtInControls": self.controls, "customAuthenticationFactors": [], "termsOfUse": []},
            "sessionControls": self.hours.map(|h| json!({"signInFrequency": {"value": h, "type": "hours", "isEnabled": true, "frequencyInterval": "timeBased"}}))
        })
    }
}

fn risk(id: &str, sign_in: &[&str], user: &[&str]) -> Value {
    let mut p =
        Ca { id, apps: &["All"], groups: &[], operator: "OR", controls: &["mfa"], hours: None, ..Ca::aks() }.json();
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
            Ca::aks().json(),
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
