//! The Microsoft Graph and ARM authorization examples in tests/fixtures parse into the
//! identity models, and map to what their fields say.

use kubeposture_checks::model::Terms;
use kubeposture_providers::azure::identity::map;
use kubeposture_providers::azure::identity::models::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> Value {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// The `value` items of a Graph response, or of an ARM example's 200 body.
fn items<T: DeserializeOwned>(rel: &str) -> Vec<T> {
    let doc = fixture(rel);
    let body = doc.pointer("/responses/200/body").cloned().unwrap_or(doc);
    let list = body.get("value").cloned().unwrap_or_else(|| Value::Array(vec![body]));
    serde_json::from_value(list).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn conditional_access_examples() {
    use kubeposture_providers::azure::identity::ca::ca_policy;
    let listed: Vec<Value> = items("graph/v1.0/conditionalaccessroot-list-policies.example1.response.json");
    assert_eq!(listed.len(), 2);
    let p = ca_policy(&listed[1], 1);
    assert_eq!(
        (p.state.as_str(), p.grant.as_ref().map(|g| g.built_in.clone())),
        ("disabled", Some(vec!["mfa".to_string()]))
    );
    assert_eq!(p.conditions.users.as_ref().map(|u| u.include_users.clone()), Some(vec!["None".to_string()]));
    assert!(p.unrecognised.is_empty(), "{:?}", p.unrecognised);

    let one: Vec<Value> = items("graph/v1.0/conditionalaccesspolicy-get.example1.response.json");
    let p = ca_policy(&one[0], 0);
    assert!(p.unrecognised.is_empty(), "every property of the documented example is understood: {:?}", p.unrecognised);
    let c = &p.conditions;
    assert_eq!(c.applications.as_ref().map(|a| a.include.clone()), Some(vec!["All".to_string()]));
    let users = c.users.as_ref().expect("users");
    assert_eq!(users.exclude_users, vec!["124c5b6a-ffa5-483a-9b88-04c3fce5574a", "GuestsOrExternalUsers"]);
    assert_eq!(users.include_roles.len(), 3);
    assert_eq!(c.client_app_types, vec!["mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]);
    assert_eq!(
        c.platforms.as_ref().map(|x| x.exclude.clone()),
        Some(vec!["iOS".to_string(), "windowsPhone".to_string()])
    );
    assert_eq!(c.locations.as_ref().map(|x| x.include.clone()), Some(vec!["AllTrusted".to_string()]));
    assert_eq!(c.sign_in_risk_levels, vec!["medium", "low"]);
    let g = p.grant.as_ref().expect("grant");
    assert_eq!(g.operator.as_deref(), Some("OR"));
    assert!(g.built_in.contains(&"compliantDevice".to_string()) && g.terms_of_use.len() == 2);
    let f = p.session.sign_in_frequency.as_ref().expect("signInFrequency");
    assert_eq!((f.value, f.unit.as_deref(), f.is_enabled), (Some(4), Some("hours"), Some(true)));
    assert_eq!(p.session.cloud_app_security, Some((Some(true), Some("blockDownloads".to_string()))));
}

#[test]
fn group_member_examples() {
    for n in 1..=3 {
        let members: Vec<DirectoryObject> = items(&format!("graph/v1.0/group-list-members.example{n}.response.json"));
        assert!(!members.is_empty(), "example {n}");
    }
}

#[test]
fn pim_for_groups_examples() {
    let eligible: Vec<GroupSchedule> =
        items("graph/v1.0/privilegedaccessgroup-list-eligibilityschedules.example1.response.json");
    assert_eq!(eligible[0].principal_id, "3cce9d87-3986-4f19-8335-7ed075408ca2");
    let narrow: Vec<GroupSchedule> =
        items("graph/v1.0/privilegedaccessgroup-list-eligibilityschedules.example2.response.json");
    assert_eq!(narrow[0].access_id.as_deref(), Some("member"));
    let active: Vec<GroupSchedule> =
        items("graph/v1.0/privilegedaccessgroup-list-assignmentschedules.example1.response.json");
    assert_eq!(map::schedule_terms(&active[0]), Terms::Permanent, "noExpiration");

    let policies: Vec<PolicyAssignment> =
        items("graph/v1.0/policyroot-list-rolemanagementpolicyassignments.group-example3.response.json");
    assert_eq!(policies[0].role_definition_id.as_deref(), Some("owner"));
    assert!(map::pim_policy("p", &policies).is_none(), "the example is the owner role's policy, not member's");
    let mut as_member =
        fixture("graph/v1.0/policyroot-list-rolemanagementpolicyassignments.group-example3.response.json");
    as_member["value"][0]["roleDefinitionId"] = "member".into();
    let policies: Vec<PolicyAssignment> = serde_json::from_value(as_member["value"].clone()).unwrap();
    let p = map::pim_policy("p", &policies).unwrap();
    assert_eq!(p.max_activation.as_deref(), Some("PT8H"));
    assert_eq!(p.approval_required, Some(false));
    assert_eq!(p.activation_rules, vec!["Justification"]);
}

#[test]
fn arm_authorization_examples() {
    for rel in [
        "azure-authorization/2022-04-01/RoleAssignments_ListForScope.json",
        "azure-authorization/2020-10-01/RoleAssignments_ListForSubscription.json",
    ] {
        let a: Vec<RoleAssignment> = items(rel);
        let p = a[0].properties.as_ref().unwrap();
        assert_eq!(map::role_guid(&p.role_definition_id), "0b5fe924-9a61-425c-96af-cfe6e287ca2d", "{rel}");
        assert!(map::covers(&p.scope, &format!("{}/resourceGroups/rg/providers/x/y/z", p.scope)));
    }
    let eligible: Vec<ScheduleInstance> =
        items("azure-authorization/2020-10-01/GetRoleEligibilityScheduleInstancesByScope.json");
    let p = eligible[0].properties.as_ref().unwrap();
    assert_eq!(p.end_date_time.as_deref(), Some("2021-09-10T00:31:41.477Z"));
    assert!(p.condition.is_some());
    let active: Vec<ScheduleInstance> =
        items("azure-authorization/2020-10-01/GetRoleAssignmentScheduleInstancesByScope.json");
    let p = active[0].properties.as_ref().unwrap();
    assert!(matches!(map::active_terms(Some(p)), Terms::TimeBound { .. }), "endDateTime set");
    let defs: Vec<RoleDefinitionBody> = items("azure-authorization/2022-04-01/GetRoleDefinitionById.json");
    let d = map::role_definition("x", &defs[0]);
    assert_eq!(
        (d.name.as_str(), d.actions.clone(), d.data_actions.clone()),
        ("Role name", vec!["action".into()], vec!["dataAction".into()])
    );
}
