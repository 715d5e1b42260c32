//! ARM authorization and Graph bodies → the identity model. Decides only what is known.

use super::models::*;
use kubeposture_checks::model::{PimPolicy, Principal, RoleDefinition, Terms, UserType};

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

/// A user's account kind as Conditional Access's guest conditions see it: `userType`, and
/// whether the account was invited from another tenant (`externalUserState` set,
/// `creationType: Invitation`, or a `#EXT#` user principal name).
pub fn user_type(u: &UserBody) -> Result<UserType, String> {
    let external = u.external_user_state.as_deref().is_some_and(|s| !s.trim().is_empty())
        || u.creation_type.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("Invitation"))
        || u.user_principal_name.as_deref().is_some_and(|n| n.to_ascii_uppercase().contains("#EXT#"));
    match u.user_type.as_deref().map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("Member") => {
            Ok(if external { UserType::ExternalMember } else { UserType::Member })
        }
        Some(t) if t.eq_ignore_ascii_case("Guest") => {
            Ok(if external { UserType::ExternalGuest } else { UserType::InternalGuest })
        }
        Some(t) => Err(format!("userType '{t}' of user {} is not understood", u.id)),
        None => Err(format!("userType of user {} was not returned", u.id)),
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
    fn user_types() {
        let u = |t: Option<&str>, state: Option<&str>, upn: &str| UserBody {
            id: "u".into(),
            user_type: t.map(String::from),
            external_user_state: state.map(String::from),
            creation_type: None,
            user_principal_name: Some(upn.into()),
        };
        assert_eq!(user_type(&u(Some("Member"), None, "a@contoso.com")), Ok(UserType::Member));
        assert_eq!(user_type(&u(Some("Guest"), None, "g@contoso.com")), Ok(UserType::InternalGuest));
        assert_eq!(user_type(&u(Some("Guest"), Some("Accepted"), "x")), Ok(UserType::ExternalGuest));
        assert_eq!(
            user_type(&u(Some("Member"), None, "b_fabrikam.com#EXT#@contoso.com")),
            Ok(UserType::ExternalMember)
        );
        assert!(user_type(&u(None, None, "x")).is_err());
        assert!(user_type(&u(Some("Robot"), None, "x")).is_err());
    }
}
