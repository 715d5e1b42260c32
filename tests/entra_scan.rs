//! End to end on Entra identity: small estates served by the mock's Graph and ARM
//! authorization endpoints, scanned by the built binary; each scenario breaks one thing.

mod common;

use common::entra::*;
use common::{Mock, SUB_A, TENANT, finding};
use kubeposture_mocks::MockOptions;
use serde_json::{Value, json};

fn scan(tenant: Value, clusters: Vec<Value>, assignments: Vec<Value>, faults: Value) -> (Mock, Value) {
    let m =
        Mock::start(estate(tenant, clusters, assignments, faults), MockOptions { page_size: 2, ..Default::default() });
    let (code, report, stderr) = m.scan_json(&["--fail-on", "never"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["scan"]["not_collected"], json!([]), "{stderr}");
    (m, report)
}

fn status(report: &Value, check: &str, name: &str) -> String {
    finding(report, check, name)["status"].as_str().unwrap().to_string()
}

fn text(report: &Value, check: &str, name: &str) -> String {
    let f = finding(report, check, name);
    format!("{} {}", f["message"], f["evidence"])
}

fn groups(t: &mut Value) -> &mut Vec<Value> {
    t["groups"].as_array_mut().unwrap()
}

#[test]
fn the_good_tenant_passes_every_identity_check() {
    let (_, r) = scan(tenant(), vec![cluster("c1")], assignments(), json!([]));
    for check in
        ["IDN-001", "IDN-002", "IDN-003", "IDN-004", "IDN-006", "IDN-007", "IDN-008", "IDN-009", "IDN-010", "IDN-011"]
    {
        assert_eq!(status(&r, check, "c1"), "pass", "{check}: {}", text(&r, check, "c1"));
    }
    assert_eq!(status(&r, "IDN-005", TENANT), "pass");
    assert_eq!(status(&r, "IDN-012", "c1"), "pass");
    assert!(text(&r, "IDN-012", "c1").contains("aks-admins"));
}

#[test]
fn a_user_with_a_permanent_cluster_admin_assignment_is_standing_access() {
    let mut a = assignments();
    a.push(assignment(SUB_A, 3, &rg_scope(SUB_A, "rg"), AKS_RBAC_CLUSTER_ADMIN, DAVE, "User"));
    let (_, r) = scan(tenant(), vec![cluster("c1")], a, json!([]));
    assert_eq!(status(&r, "IDN-006", "c1"), "fail");
    assert!(text(&r, "IDN-006", "c1").contains("Dave Standing"), "{}", text(&r, "IDN-006", "c1"));
}

#[test]
fn a_group_with_one_permanent_member_is_standing_access() {
    let mut t = tenant();
    groups(&mut t)[0]["members"] = json!([DAVE]);
    t["privilegedAccess"]["assignmentSchedules"] = json!([permanent_member(ADMINS, DAVE)]);
    let (_, r) = scan(t, vec![cluster("c1")], assignments(), json!([]));
    assert_eq!(status(&r, "IDN-006", "c1"), "fail");
    let why = text(&r, "IDN-006", "c1");
    assert!(why.contains("Dave Standing") && !why.contains("Alice Admin"), "{why}");
    assert_eq!(status(&r, "IDN-007", "c1"), "pass", "the group is PIM-managed");
}

#[test]
fn a_nested_group_with_a_permanent_member_is_standing_access_with_the_chain() {
    let mut t = tenant();
    groups(&mut t)[0]["members"] = json!([ONCALL]);
    groups(&mut t)[1]["members"] = json!([ERIN]);
    let (_, r) = scan(t, vec![cluster("c1")], assignments(), json!([]));
    assert_eq!(status(&r, "IDN-006", "c1"), "fail");
    let why = text(&r, "IDN-006", "c1");
    assert!(why.contains("Erin Nested") && why.contains("aks-oncall") && why.contains("aks-admins"), "{why}");
}

#[test]
fn an_admin_group_object_id_group_without_pim() {
    let mut t = tenant();
    groups(&mut t).push(json!({"id": "a0000000-0000-0000-0000-0000000000cc", "displayName": "legacy-admins", "securityEnabled": true, "members": [DAVE]}));
    let mut c = cluster("c1");
    c["properties"]["aadProfile"]["adminGroupObjectIDs"] = json!(["a0000000-0000-0000-0000-0000000000cc"]);
    let (_, r) = scan(t, vec![c], assignments(), json!([]));
    assert_eq!(status(&r, "IDN-007", "c1"), "fail");
    assert!(text(&r, "IDN-007", "c1").contains("legacy-admins"));
    assert_eq!(status(&r, "IDN-006", "c1"), "fail", "Dave is a permanent member of an admin group");
}

#[test]
fn pim_activation_too_long_and_without_approval_or_mfa() {
    let mut t = tenant();
    t["privilegedAccess"]["roleManagementPolicyAssignments"] =
        json!([pim_policy(ADMINS, "PT12H", false, &["Justification"])]);
    let (_, r) = scan(t, vec![cluster("c1")], assignments(), json!([]));
    assert_eq!(status(&r, "IDN-008", "c1"), "fail");
    assert!(text(&r, "IDN-008", "c1").contains("PT12H"));
    assert_eq!(status(&r, "IDN-009", "c1"), "fail");
    assert_eq!(status(&r, "IDN-010", "c1"), "fail");
}

#[test]
fn conditional_access_gaps() {
    let run = |policy: Ca| {
        let mut t = tenant();
        t["conditionalAccessPolicies"][0] = policy.json();
        scan(t, vec![cluster("c1")], assignments(), json!([])).1
    };
    let r = run(Ca { id: "all-but-aks", apps: &["All"], exclude_apps: &[AKS_APP], ..Ca::aks() });
    assert_eq!(status(&r, "IDN-001", "c1"), "fail");
    let r = run(Ca { id: "report-only", state: "enabledForReportingButNotEnforced", ..Ca::aks() });
    assert_eq!(status(&r, "IDN-002", "c1"), "fail");
    assert!(text(&r, "IDN-002", "c1").contains("report-only"));
    let r = run(Ca { id: "mfa-only", operator: "OR", controls: &["mfa"], ..Ca::aks() });
    assert_eq!(status(&r, "IDN-001", "c1"), "pass");
    assert_eq!(status(&r, "IDN-003", "c1"), "fail");
    let r = run(Ca { id: "daily", hours: Some(24), ..Ca::aks() });
    assert_eq!(status(&r, "IDN-004", "c1"), "fail");
}

#[test]
fn no_risk_policies_fail_on_the_tenant() {
    let mut t = tenant();
    t["conditionalAccessPolicies"].as_array_mut().unwrap().truncate(1);
    let (_, r) = scan(t, vec![cluster("c1")], assignments(), json!([]));
    let f = finding(&r, "IDN-005", TENANT);
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(f["resource"]["kind"], "tenant");
}

#[test]
fn user_access_administrator_with_and_without_a_condition() {
    let mut a = assignments();
    a.push(assignment(SUB_A, 4, &format!("/subscriptions/{SUB_A}"), USER_ACCESS_ADMINISTRATOR, BOB, "User"));
    let (_, r) = scan(tenant(), vec![cluster("c1")], a.clone(), json!([]));
    assert_eq!(status(&r, "IDN-011", "c1"), "fail");
    assert!(text(&r, "IDN-011", "c1").contains("Bob Delegator"));

    let condition = format!(
        "((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{READER}}}))"
    );
    let last = a.len() - 1;
    a[last]["properties"]["condition"] = json!(condition);
    a[last]["properties"]["conditionVersion"] = json!("2.0");
    let (_, r) = scan(tenant(), vec![cluster("c1")], a, json!([]));
    assert_eq!(status(&r, "IDN-011", "c1"), "pass");
}

#[test]
fn a_shared_admin_group_is_read_once_per_scan() {
    let clusters: Vec<Value> = (1..=6).map(|i| cluster(&format!("c{i}"))).collect();
    let (m, r) = scan(tenant(), clusters, assignments(), json!([]));
    assert_eq!(r["summary"]["clusters"], 7);
    let n = m.counters();
    for op in ["listGroupEligibilitySchedules", "listGroupAssignmentSchedules", "listRoleManagementPolicyAssignments"] {
        assert_eq!(n.get(&format!("{op}@{ADMINS}")).copied(), Some(1), "{op}: {n:?}");
    }
    assert_eq!(
        n.get("listConditionalAccessPolicies").copied(),
        Some(2),
        "once per tenant (3 policies, 2 per page): {n:?}"
    );
    assert!(n.get("listRoleAssignments").copied().unwrap_or(0) <= 2 * 2, "once per subscription (paged by 2): {n:?}");
}

#[test]
fn a_denied_conditional_access_read_makes_only_the_ca_checks_unknown() {
    let faults =
        json!([{"operation": "listConditionalAccessPolicies", "status": 403, "code": "Authorization_RequestDenied"}]);
    let (_, r) = scan(tenant(), vec![cluster("c1")], assignments(), faults);
    for check in ["IDN-001", "IDN-002", "IDN-003", "IDN-004"] {
        assert_eq!(status(&r, check, "c1"), "unknown", "{check}");
        assert!(text(&r, check, "c1").contains("Policy.Read.All"), "{check}: {}", text(&r, check, "c1"));
    }
    assert_eq!(status(&r, "IDN-005", TENANT), "unknown");
    for check in ["AUTH-001", "NET-001", "IDN-006", "IDN-011"] {
        assert_eq!(status(&r, check, "c1"), "pass", "{check} is unaffected");
    }
}

/// The seeds' reference setup: a requester group is the eligible principal of the admin group;
/// its members are named with their chain, and none of them stands.
#[test]
fn a_group_eligible_for_the_admin_group_is_expanded() {
    const REQUESTERS: &str = "a0000000-0000-0000-0000-00000000000c";
    let mut t = tenant();
    groups(&mut t).push(json!({"id": REQUESTERS, "displayName": "condiac-pim-test", "securityEnabled": true, "mailEnabled": false, "members": [DAVE]}));
    t["privilegedAccess"]["eligibilitySchedules"] = json!([eligible(ADMINS, REQUESTERS)]);
    t["privilegedAccess"]["assignmentSchedules"] = json!([permanent_member(REQUESTERS, DAVE)]);
    let (m, r) = scan(t, vec![cluster("c1")], assignments(), json!([]));
    assert_eq!(status(&r, "IDN-006", "c1"), "pass", "{}", text(&r, "IDN-006", "c1"));
    assert_eq!(status(&r, "IDN-007", "c1"), "pass");
    let inventory = text(&r, "IDN-012", "c1");
    assert!(inventory.contains("Dave Standing (eligible via condiac-pim-test → aks-admins)"), "{inventory}");
    // The requester group is read once, like any group.
    assert_eq!(m.counters().get(&format!("listGroupMembers@{REQUESTERS}")).copied(), Some(1));
}

/// Issue 9: IDN-008…010 are unknown, never not applicable, when the admin groups cannot be
/// worked out — whatever the fault on the role assignments or their PIM eligibility.
#[test]
fn pim_policy_checks_are_unknown_when_the_admin_groups_cannot_be_worked_out() {
    let faults = [
        json!({"operation": "listRoleAssignments", "status": 403, "code": "AuthorizationFailed"}),
        json!({"operation": "listRoleAssignments", "status": 500, "code": "InternalServerError"}),
        json!({"operation": "listRoleAssignments", "malformed": true}),
        json!({"operation": "listRoleEligibilityScheduleInstances", "status": 403, "code": "AuthorizationFailed"}),
        json!({"operation": "getRoleDefinition", "role": AKS_RBAC_CLUSTER_ADMIN, "status": 403, "code": "AuthorizationFailed"}),
    ];
    for fault in faults {
        let m = Mock::start(
            estate(tenant(), vec![cluster("c1")], assignments(), json!([fault])),
            MockOptions { page_size: 2, ..Default::default() },
        );
        let (_, r, stderr) = m.scan_json(&["--fail-on", "never", "--max-retries", "1"]);
        for check in ["IDN-008", "IDN-009", "IDN-010"] {
            let f = finding(&r, check, "c1");
            assert_eq!(f["status"], "unknown", "{check} under {fault}: {f}\n{stderr}");
        }
    }
    // A principalId that is not a string makes the whole list unreadable, not shorter.
    let mut a = assignments();
    a[0]["properties"]["principalId"] = json!(42);
    let (_, r) = scan(tenant(), vec![cluster("c1")], a, json!([]));
    for check in ["IDN-006", "IDN-007", "IDN-008", "IDN-009", "IDN-010", "IDN-012"] {
        assert_eq!(status(&r, check, "c1"), "unknown", "{check}: {}", text(&r, check, "c1"));
    }
}
