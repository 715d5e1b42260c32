//! A tenant's directory as the estate describes it (Graph users, groups, service principals,
//! Conditional Access policies, PIM for Groups): lookups for the Graph handlers, and the checks
//! run when the estate is loaded.

use crate::estate::Tenant;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The kind of a directory object, from the estate list it is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
    ServicePrincipal,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::User, Kind::Group, Kind::ServicePrincipal];

    /// The Graph type name, as `directoryObjects/getByIds` `types` names it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::ServicePrincipal => "servicePrincipal",
        }
    }

    pub fn odata_type(self) -> &'static str {
        match self {
            Kind::User => "#microsoft.graph.user",
            Kind::Group => "#microsoft.graph.group",
            Kind::ServicePrincipal => "#microsoft.graph.servicePrincipal",
        }
    }

    fn estate_key(self) -> &'static str {
        match self {
            Kind::User => "users",
            Kind::Group => "groups",
            Kind::ServicePrincipal => "servicePrincipals",
        }
    }
}

/// The estate-only key of a group: its active direct members.
pub const MEMBERS: &str = "members";

/// `v[key]` as a string.
pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Tenant {
    fn objects(&self, kind: Kind) -> &[Value] {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
            Kind::ServicePrincipal => &self.service_principals,
        }
    }

    /// The user, group or service principal with this object id.
    pub fn object(&self, id: &str) -> Option<(Kind, &Value)> {
        Kind::ALL.into_iter().find_map(|k| {
            self.objects(k).iter().find(|o| str_of(o, "id").is_some_and(|i| i.eq_ignore_ascii_case(id))).map(|o| (k, o))
        })
    }

    pub fn group(&self, id: &str) -> Option<&Value> {
        self.object(id).filter(|(k, _)| *k == Kind::Group).map(|(_, g)| g)
    }

    /// The groups `id` belongs to, directly or through nested groups.
    pub fn transitive_groups(&self, id: &str) -> Vec<&Value> {
        let mut found: Vec<&Value> = Vec::new();
        let mut frontier = vec![id.to_ascii_lowercase()];
        while let Some(member) = frontier.pop() {
            for g in &self.groups {
                let contains = self.members(g).iter().any(|m| m.eq_ignore_ascii_case(&member));
                let gid = str_of(g, "id").unwrap_or_default();
                if contains && !found.iter().any(|f| str_of(f, "id") == Some(gid)) {
                    found.push(g);
                    frontier.push(gid.to_ascii_lowercase());
                }
            }
        }
        found
    }

    /// The directory roles `id` holds, directly or through a (role-assignable) group it is in.
    pub fn transitive_roles(&self, id: &str) -> Vec<&Value> {
        let mut holders = vec![id.to_ascii_lowercase()];
        holders.extend(self.transitive_groups(id).iter().filter_map(|g| str_of(g, "id")).map(str::to_ascii_lowercase));
        self.directory_roles
            .iter()
            .filter(|r| self.members(r).iter().any(|m| holders.contains(&m.to_ascii_lowercase())))
            .collect()
    }

    /// The ids of a group's active direct members.
    pub fn members<'a>(&self, group: &'a Value) -> Vec<&'a str> {
        group
            .get(MEMBERS)
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// A directory role as Graph serves it: typed, without the estate's `members`.
pub fn public_role(v: &Value) -> Value {
    let mut out = Map::new();
    out.insert("@odata.type".into(), Value::String("#microsoft.graph.directoryRole".into()));
    if let Some(m) = v.as_object() {
        out.extend(m.iter().filter(|(k, _)| k.as_str() != MEMBERS).map(|(k, x)| (k.clone(), x.clone())));
    }
    Value::Object(out)
}

/// An object as Graph serves it: a group without the estate's `members`, and with
/// `@odata.type` when `typed` (directoryObject collections carry it) unless the estate wrote one.
pub fn public(kind: Kind, v: &Value, typed: bool) -> Value {
    let mut out = Map::new();
    if typed && v.get("@odata.type").is_none() {
        out.insert("@odata.type".into(), Value::String(kind.odata_type().into()));
    }
    if let Some(m) = v.as_object() {
        for (k, x) in m {
            if !(kind == Kind::Group && k == MEMBERS) {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    Value::Object(out)
}

/// Checks a tenant's directory: objects are JSON objects with a unique `id`; group members,
/// PIM schedules and policy assignments refer to objects of the tenant.
pub fn validate(t: &Tenant) -> Result<(), String> {
    let at = format!("entra.tenants[{}]", t.tenant_id);
    let mut ids = BTreeSet::new();
    for kind in Kind::ALL {
        for (i, o) in t.objects(kind).iter().enumerate() {
            let Some(id) = str_of(o, "id") else {
                return Err(format!("{at}.{}[{i}] has no string `id` (the object id)", kind.estate_key()));
            };
            if !ids.insert(id.to_ascii_lowercase()) {
                return Err(format!(
                    "{at}: object id {id} is used twice (users, groups and servicePrincipals share ids)"
                ));
            }
        }
    }
    for g in &t.groups {
        let gid = str_of(g, "id").unwrap_or_default();
        let Some(members) = g.get(MEMBERS) else { continue };
        let Some(members) = members.as_array() else {
            return Err(format!("{at}.groups[{gid}].members must be a list of object ids"));
        };
        for m in members {
            let Some(m) = m.as_str() else {
                return Err(format!("{at}.groups[{gid}].members must be a list of object ids, not {m}"));
            };
            if m.eq_ignore_ascii_case(gid) {
                return Err(format!("{at}.groups[{gid}].members: a group cannot be a member of itself"));
            }
            if t.object(m).is_none() {
                return Err(format!(
                    "{at}.groups[{gid}].members: {m} is not a user, group or servicePrincipal of the tenant"
                ));
            }
        }
    }
    let mut policies = BTreeSet::new();
    for (i, p) in t.conditional_access_policies.iter().enumerate() {
        let Some(id) = str_of(p, "id") else {
            return Err(format!("{at}.conditionalAccessPolicies[{i}] has no string `id`"));
        };
        if !policies.insert(id.to_ascii_lowercase()) {
            return Err(format!("{at}.conditionalAccessPolicies: policy id {id} is used twice"));
        }
    }
    for (i, r) in t.directory_roles.iter().enumerate() {
        let (Some(id), Some(_)) = (str_of(r, "id"), str_of(r, "roleTemplateId")) else {
            return Err(format!("{at}.directoryRoles[{i}] needs string `id` and `roleTemplateId`"));
        };
        let members = r.get(MEMBERS).map(|m| m.as_array().map(|a| a.iter().map(Value::as_str).collect::<Vec<_>>()));
        match members {
            None => {}
            Some(Some(list)) => {
                for m in list {
                    match m {
                        Some(m) if t.object(m).is_some() => {}
                        _ => {
                            return Err(format!(
                                "{at}.directoryRoles[{id}].members: {m:?} is not a user, group or servicePrincipal of the tenant"
                            ));
                        }
                    }
                }
            }
            Some(None) => return Err(format!("{at}.directoryRoles[{id}].members must be a list of object ids")),
        }
    }
    for (i, e) in t.role_management.directory.role_eligibility_schedule_instances.iter().enumerate() {
        if str_of(e, "principalId").is_none() || str_of(e, "roleDefinitionId").is_none() {
            return Err(format!(
                "{at}.roleManagement.directory.roleEligibilityScheduleInstances[{i}] needs string `principalId` and `roleDefinitionId`"
            ));
        }
    }
    let pa = &t.privileged_access;
    for (list, items) in
        [("eligibilitySchedules", &pa.eligibility_schedules), ("assignmentSchedules", &pa.assignment_schedules)]
    {
        for (i, s) in items.iter().enumerate() {
            let here = format!(
                "{at}.privilegedAccess.{list}[{}]",
                str_of(s, "id").map(str::to_string).unwrap_or(i.to_string())
            );
            let (Some(group), Some(principal)) = (str_of(s, "groupId"), str_of(s, "principalId")) else {
                return Err(format!("{here} needs string `groupId` and `principalId`"));
            };
            if t.group(group).is_none() {
                return Err(format!("{here}.groupId: {group} is not a group of the tenant"));
            }
            if t.object(principal).is_none() {
                return Err(format!(
                    "{here}.principalId: {principal} is not a user, group or servicePrincipal of the tenant"
                ));
            }
        }
    }
    for (i, a) in pa.role_management_policy_assignments.iter().enumerate() {
        let here = format!(
            "{at}.privilegedAccess.roleManagementPolicyAssignments[{}]",
            str_of(a, "id").map(str::to_string).unwrap_or(i.to_string())
        );
        let (Some(scope), Some(scope_type)) = (str_of(a, "scopeId"), str_of(a, "scopeType")) else {
            return Err(format!("{here} needs string `scopeId` and `scopeType`"));
        };
        if scope_type.eq_ignore_ascii_case("Group") && t.group(scope).is_none() {
            return Err(format!("{here}.scopeId: {scope} is not a group of the tenant"));
        }
        if let Some(policy) = a.get("policy").filter(|p| !p.is_null())
            && (!policy.is_object() || policy.get("rules").is_some_and(|r| !r.is_array()))
        {
            return Err(format!("{here}.policy must be an object whose `rules` is a list"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::estate::Estate;

    const OK: &str = r#"
estate: v1
entra:
  tenants:
    - tenantId: t
      users: [{id: u1, displayName: U1}, {id: u2}]
      groups:
        - {id: g1, displayName: admins, members: [u1, g2, sp1]}
        - {id: g2, members: [u2]}
      servicePrincipals: [{id: sp1, appId: a1}]
      conditionalAccessPolicies: [{id: p1, state: enabled}]
      privilegedAccess:
        eligibilitySchedules: [{id: e1, groupId: g1, principalId: u2, accessId: member}]
        assignmentSchedules: [{id: a1, groupId: g2, principalId: u2, accessId: member}]
        roleManagementPolicyAssignments:
          - {id: r1, scopeId: g1, scopeType: Group, roleDefinitionId: member, policy: {id: p, rules: []}}
          - {id: r2, scopeId: /, scopeType: Directory, roleDefinitionId: x}
"#;

    fn err(from: &str, to: &str) -> String {
        assert!(OK.contains(from), "{from}");
        Estate::from_yaml(&OK.replacen(from, to, 1)).unwrap_err().to_string()
    }

    #[test]
    fn a_consistent_directory_loads() {
        let e = Estate::from_yaml(OK).unwrap();
        let t = &e.entra.tenants[0];
        assert_eq!(t.members(t.group("G1").unwrap()), ["u1", "g2", "sp1"]);
        assert!(t.group("u1").is_none());
        let public = super::public(super::Kind::Group, t.group("g1").unwrap(), true);
        assert_eq!(
            public,
            serde_json::json!({"@odata.type": "#microsoft.graph.group", "id": "g1", "displayName": "admins"})
        );
    }

    #[test]
    fn references_are_checked() {
        let e = err("members: [u1, g2, sp1]", "members: [u1, g3]");
        assert!(e.contains("entra.tenants[t].groups[g1].members: g3 is not a user, group or servicePrincipal"), "{e}");
        let e = err("members: [u2]", "members: [g2]");
        assert!(e.contains("cannot be a member of itself"), "{e}");
        let e = err("members: [u2]", "members: u2");
        assert!(e.contains("groups[g2].members must be a list"), "{e}");
        let e = err("{id: e1, groupId: g1", "{id: e1, groupId: u1");
        assert!(e.contains("privilegedAccess.eligibilitySchedules[e1].groupId: u1 is not a group"), "{e}");
        let e = err(
            "principalId: u2, accessId: member}]\n        roleM",
            "principalId: nobody, accessId: member}]\n        roleM",
        );
        assert!(e.contains("assignmentSchedules[a1].principalId: nobody"), "{e}");
        let e = err("{id: a1, groupId: g2, ", "{id: a1, ");
        assert!(e.contains("assignmentSchedules[a1] needs string `groupId` and `principalId`"), "{e}");
        let e = err("{id: r1, scopeId: g1", "{id: r1, scopeId: g9");
        assert!(e.contains("roleManagementPolicyAssignments[r1].scopeId: g9 is not a group"), "{e}");
        let e = err("{id: sp1, appId", "{id: u1, appId");
        assert!(e.contains("object id u1 is used twice"), "{e}");
        let e = err("{id: u2}", "{displayName: nobody}");
        assert!(e.contains("users[1] has no string `id`"), "{e}");
        let e = err("[{id: p1, state: enabled}]", "[{id: p1}, {id: P1}]");
        assert!(e.contains("policy id P1 is used twice"), "{e}");
        let e = err("privilegedAccess:", "privilegedAccess:\n        eligibilitySchedule: []");
        assert!(e.contains("unknown field `eligibilitySchedule`"), "{e}");
    }
}
