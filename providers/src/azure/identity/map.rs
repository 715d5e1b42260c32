//! ARM authorization and Graph bodies → the identity model. Decides only what is known.

use super::models::*;
use kubeposture_checks::model::{CaPolicy, PimPolicy, Principal, RoleDefinition, Terms};

/// The GUID at the end of a role definition id (`…/roleDefinitions/{guid}`), lower-cased.
pub fn role_guid(role_definition_id: &str) -> String {
    role_definition_id.rsplit('/').next().unwrap_or(role_definition_id).to_ascii_lowercase()
}

pub fn role_definition(guid: &str, body: &RoleDefinitionBody) -> RoleDefinition {
    let perms = body.properties.as_ref().map(|p| p.permissions.as_slice()).unwrap_or_default();
    let all = |f: fn(&Permission) -> &Vec<String>| perms.iter().flat_map(f).cloned().collect::<Vec<_>>();
    RoleDefinition {
        id: guid.to_string(),
        name: body.properties.as_ref().and_then(|p| p.role_name.clone()).unwrap_or_else(|| body.name.clone()),
        actions: all(|p| &p.actions),
        not_actions: all(|p| &p.not_actions),
        data_actions: all(|p| &p.data_actions),
        not_data_actions: all(|p| &p.not_data_actions),
    }
}

/// Whether an assignment at `scope` applies to the resource `id`: the same scope or a parent
/// of it (on whole path segments), the root, or a management group above the subscription
/// (ARM lists those among the subscription's assignments only when they apply).
pub fn covers(scope: &str, id: &str) -> bool {
    let (scope, id) = (scope.trim_end_matches('/').to_ascii_lowercase(), id.to_ascii_lowercase());
    scope.is_empty()
        || scope.starts_with("/providers/microsoft.management/managementgroups/")
        || id == scope
        || id.strip_prefix(&scope).is_some_and(|rest| rest.starts_with('/'))
}

/// An active assignment's terms from its PIM schedule instance: an end date makes it
/// time-bound, an activation too; no instance, or one without an end, is permanent.
pub fn active_terms(instance: Option<&AssignmentProperties>) -> Terms {
    match instance {
        Some(i) => match (&i.end_date_time, i.assignment_type.as_deref()) {
            (Some(end), _) => Terms::TimeBound { end: end.clone() },
            (None, Some(t)) if t.eq_ignore_ascii_case("Activated") => Terms::TimeBound { end: "activation end".into() },
            _ => Terms::Permanent,
        },
        None => Terms::Permanent,
    }
}

/// A PIM-for-Groups assignment schedule's terms.
pub fn schedule_terms(s: &GroupSchedule) -> Terms {
    let exp = s.schedule_info.as_ref().and_then(|i| i.expiration.as_ref());
    match exp.and_then(|e| e.kind.as_deref()) {
        Some(k) if k.eq_ignore_ascii_case("afterDateTime") => Terms::TimeBound {
            end: exp.and_then(|e| e.end_date_time.clone()).unwrap_or_else(|| "(end not given)".into()),
        },
        Some(k) if k.eq_ignore_ascii_case("afterDuration") => Terms::TimeBound {
            end: format!("{} after start", exp.and_then(|e| e.duration.clone()).unwrap_or_default()),
        },
        _ if s.assignment_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("activated")) => {
            Terms::TimeBound { end: "activation end".into() }
        }
        _ => Terms::Permanent,
    }
}

/// A PIM-for-Groups eligibility's terms: eligible until its expiration, if any.
pub fn eligibility_terms(s: &GroupSchedule) -> Terms {
    let exp = s.schedule_info.as_ref().and_then(|i| i.expiration.as_ref());
    let end = match exp.and_then(|e| e.kind.as_deref()) {
        Some(k) if k.eq_ignore_ascii_case("afterDateTime") => exp.and_then(|e| e.end_date_time.clone()),
        Some(k) if k.eq_ignore_ascii_case("afterDuration") => {
            exp.and_then(|e| e.duration.clone()).map(|d| format!("{d} after start"))
        }
        _ => None,
    };
    Terms::Eligible { end }
}

pub fn principal(id: &str, kind: Option<&str>, name: Option<&str>) -> Principal {
    Principal {
        id: id.to_string(),
        kind: kind.filter(|k| !k.is_empty()).unwrap_or("Unknown").to_string(),
        display_name: name.map(str::to_string),
    }
}

/// The `member` role's PIM policy: its end-user activation rules.
pub fn pim_policy(path: &str, assignments: &[PolicyAssignment]) -> Option<PimPolicy> {
    let member = assignments
        .iter()
        .find(|a| a.role_definition_id.as_deref().is_some_and(|r| r.eq_ignore_ascii_case("member")))?;
    let rules = member.policy.as_ref().map(|p| p.rules.as_slice()).unwrap_or_default();
    let rule = |id: &str| rules.iter().find(|r| r.id.eq_ignore_ascii_case(id));
    Some(PimPolicy {
        path: path.to_string(),
        max_activation: rule("Expiration_EndUser_Assignment").and_then(|r| r.maximum_duration.clone()),
        approval_required: rule("Approval_EndUser_Assignment")
            .and_then(|r| r.setting.as_ref())
            .and_then(|s| s.is_approval_required),
        activation_rules: rule("Enablement_EndUser_Assignment")
            .and_then(|r| r.enabled_rules.clone())
            .unwrap_or_default(),
    })
}

pub fn ca_policy(b: &CaPolicyBody) -> CaPolicy {
    let c = b.conditions.as_ref();
    let apps = c.and_then(|c| c.applications.as_ref());
    let users = c.and_then(|c| c.users.as_ref());
    let list = |v: Option<&Vec<String>>| v.cloned().unwrap_or_default();
    let grant = b.grant_controls.as_ref();
    let freq =
        b.session_controls.as_ref().and_then(|s| s.sign_in_frequency.as_ref()).filter(|f| f.is_enabled == Some(true));
    CaPolicy {
        id: b.id.clone(),
        name: b.display_name.clone().unwrap_or_else(|| b.id.clone()),
        state: b.state.clone().unwrap_or_default(),
        include_applications: list(apps.and_then(|a| a.include_applications.as_ref())),
        exclude_applications: list(apps.and_then(|a| a.exclude_applications.as_ref())),
        include_users: list(users.and_then(|u| u.include_users.as_ref())),
        include_groups: list(users.and_then(|u| u.include_groups.as_ref())),
        include_roles: list(users.and_then(|u| u.include_roles.as_ref())),
        exclude_users: list(users.and_then(|u| u.exclude_users.as_ref())),
        exclude_groups: list(users.and_then(|u| u.exclude_groups.as_ref())),
        exclude_roles: list(users.and_then(|u| u.exclude_roles.as_ref())),
        grant_operator: grant.and_then(|g| g.operator.clone()),
        grant_controls: list(grant.and_then(|g| g.built_in_controls.as_ref())),
        authentication_strength: grant
            .and_then(|g| g.authentication_strength.as_ref())
            .and_then(|s| s.display_name.clone().or_else(|| s.id.clone())),
        sign_in_frequency_hours: freq.and_then(|f| {
            let v = f.value?;
            match f.unit.as_deref() {
                Some(u) if u.eq_ignore_ascii_case("days") => v.checked_mul(24),
                _ => Some(v),
            }
        }),
        sign_in_every_time: freq.is_some_and(|f| f.frequency_interval.as_deref() == Some("everyTime")),
        sign_in_risk_levels: list(c.and_then(|c| c.sign_in_risk_levels.as_ref())),
        user_risk_levels: list(c.and_then(|c| c.user_risk_levels.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn covering_scopes() {
        let id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/c";
        for scope in [
            "/subscriptions/s",
            "/subscriptions/s/resourcegroups/rg",
            id,
            "/",
            "/providers/Microsoft.Management/managementGroups/root",
        ] {
            assert!(covers(scope, id), "{scope}");
        }
        for scope in ["/subscriptions/s2", "/subscriptions/s/resourceGroups/rg2", "/subscriptions/s/resourceGroups/R"] {
            assert!(!covers(scope, id), "{scope}");
        }
    }

    #[test]
    fn terms_of_assignments_and_schedules() {
        let inst = |end: Option<&str>, t: &str| AssignmentProperties {
            end_date_time: end.map(str::to_string),
            assignment_type: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(active_terms(None), Terms::Permanent);
        assert_eq!(active_terms(Some(&inst(None, "Assigned"))), Terms::Permanent);
        assert_eq!(
            active_terms(Some(&inst(Some("2026-12-01T00:00:00Z"), "Assigned"))),
            Terms::TimeBound { end: "2026-12-01T00:00:00Z".into() }
        );
        let s: GroupSchedule = serde_json::from_value(json!({"principalId": "p", "accessId": "member",
            "scheduleInfo": {"expiration": {"type": "noExpiration"}}}))
        .unwrap();
        assert_eq!(schedule_terms(&s), Terms::Permanent);
        let s: GroupSchedule = serde_json::from_value(json!({"principalId": "p",
            "scheduleInfo": {"expiration": {"type": "afterDateTime", "endDateTime": "2027-01-01T00:00:00Z"}}}))
        .unwrap();
        assert_eq!(schedule_terms(&s), Terms::TimeBound { end: "2027-01-01T00:00:00Z".into() });
    }

    #[test]
    fn sign_in_frequency_in_days_is_hours() {
        let b: CaPolicyBody = serde_json::from_value(json!({"id": "p", "state": "enabled",
            "sessionControls": {"signInFrequency": {"value": 1, "type": "days", "isEnabled": true}}}))
        .unwrap();
        assert_eq!(ca_policy(&b).sign_in_frequency_hours, Some(24));
        let b: CaPolicyBody = serde_json::from_value(json!({"id": "p",
            "sessionControls": {"signInFrequency": {"value": 1, "type": "days", "isEnabled": false}}}))
        .unwrap();
        assert_eq!(ca_policy(&b).sign_in_frequency_hours, None);
    }
}
