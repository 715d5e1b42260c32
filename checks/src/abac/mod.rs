//! ABAC conditions on role assignments (condition language 2.0): does a delegating assignment
//! (one whose role allows `roleAssignments/write`) restrict the roles it may assign to roles that
//! are not cluster-admin-capable?
//!
//! The condition is parsed ([`parse`]) and evaluated for a write request ([`eval`]). Its holder
//! counts as **constrained** only when every role a write may assign is neither
//! cluster-admin-capable on the cluster nor itself able to assign roles (a delegate allowed to
//! hand out User Access Administrator hands out everything). A role the condition does not name
//! stands for all the others — Owner among them — so an exclusion list (`GuidNotEquals`) never
//! constrains. Conditions on deletes only, or on principal types or ids only, leave writes
//! free: **unconstrained**. A condition that cannot be parsed, or names a custom role whose
//! definition was not read, is **unknown**.

pub mod eval;
pub mod parse;

use crate::azure_rbac::{Gates, ROLE_ASSIGNMENT_WRITE, Reach, builtin_definition, can_delegate, reach};
use crate::model::RoleGrant;

/// How far a role-assignment writer is constrained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delegation {
    /// It can assign an admin-capable (or delegating) role; why.
    Unconstrained(String),
    /// Its writes are limited to roles that are neither; how.
    Constrained(String),
    /// It could not be told; why.
    Unknown(String),
}

/// The role GUIDs (lower-cased) a condition compares the assigned role with, built-in ones left
/// out: the custom roles whose definitions the provider reads for [`delegation`]. Empty when
/// the condition does not parse (it is then unknown whatever the roles).
pub fn custom_roles_named(condition: &str) -> Vec<String> {
    let Ok(expr) = parse::parse(condition) else { return vec![] };
    let mut out = std::collections::BTreeSet::new();
    if eval::roles_named(&expr, &mut out).is_err() {
        return vec![];
    }
    out.into_iter().filter(|g| builtin_definition(g).is_none()).take(eval::MAX_ROLES).collect()
}

/// Judge the condition of a grant whose role allows `roleAssignments/write`, on a cluster with
/// these settings.
pub fn delegation(g: &RoleGrant, gates: Gates) -> Delegation {
    let Some(condition) = g.condition.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
        return Delegation::Unconstrained("no ABAC condition restricts the roles it may assign".into());
    };
    let expr = match parse::parse(condition) {
        Ok(e) => e,
        Err(e) => return Delegation::Unknown(format!("its ABAC condition could not be parsed: {e}")),
    };
    let allowed = match eval::assignable(&expr, ROLE_ASSIGNMENT_WRITE) {
        Ok(a) => a,
        Err(why) => return Delegation::Unknown(format!("its ABAC condition could not be judged: {why}")),
    };
    if allowed.unnamed {
        return Delegation::Unconstrained(
            "its ABAC condition lets it assign roles the condition does not name (Owner or Azure Kubernetes Service RBAC Cluster Admin among them)".into(),
        );
    }
    let (mut names, mut unknown) = (vec![], vec![]);
    for guid in &allowed.named {
        let def = builtin_definition(guid).map(std::sync::Arc::new).or_else(|| {
            g.condition_roles.iter().find(|(k, _)| k.eq_ignore_ascii_case(guid)).and_then(|(_, f)| f.get().cloned())
        });
        let Some(def) = def else {
            let why = g.condition_roles.iter().find(|(k, _)| k.eq_ignore_ascii_case(guid)).map(|(_, f)| f.observed());
            unknown.push(format!("role {guid} ({})", why.unwrap_or_else(|| "definition not read".into())));
            continue;
        };
        match reach(&def, gates) {
            Reach::Admin(why) => {
                return Delegation::Unconstrained(format!("its ABAC condition lets it assign {}: {why}", def.name));
            }
            Reach::Undetermined(why) => unknown.push(format!("{} ({why})", def.name)),
            Reach::None if can_delegate(&def) => {
                return Delegation::Unconstrained(format!(
                    "its ABAC condition lets it assign {}, which can assign roles itself",
                    def.name
                ));
            }
            Reach::None => names.push(def.name.clone()),
        }
    }
    if !unknown.is_empty() {
        return Delegation::Unknown(format!(
            "its ABAC condition lets it assign roles whose reach could not be told: {}",
            unknown.join(", ")
        ));
    }
    if names.is_empty() {
        return Delegation::Constrained("its ABAC condition allows no role assignment writes".into());
    }
    Delegation::Constrained(format!(
        "its ABAC condition limits writes to {}, none cluster-admin-capable",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests;
