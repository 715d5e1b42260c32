//! Which roles a condition lets its holder assign: the condition is evaluated for a
//! `roleAssignments/write` request with each role GUID it names, and with one role it does not
//! name (standing for every other role, Owner and any custom admin role among them). Every other
//! attribute (principal type, principal id, resource, environment…) is the requester's to choose,
//! so each comparison on one counts as possibly true and possibly false: the answer can only
//! over-state what may be assigned, never under-state it.

use super::parse::{Attribute, Expr, Quantifier};
use crate::azure_rbac::{action_matches, guid_of};
use std::collections::BTreeSet;

/// The request attribute naming the role being assigned.
pub const ROLE_ATTRIBUTE: &str = "Microsoft.Authorization/roleAssignments:RoleDefinitionId";
/// More role GUIDs than this in one condition are not evaluated (bounded work).
pub const MAX_ROLES: usize = 256;

/// The roles a write may assign.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignable {
    /// Some role the condition does not name may be assigned.
    pub unnamed: bool,
    /// Named role GUIDs (lower-cased) that may be assigned.
    pub named: Vec<String>,
}

fn is_role(a: &Attribute) -> bool {
    a.source.eq_ignore_ascii_case("Request") && a.name.eq_ignore_ascii_case(ROLE_ATTRIBUTE)
}

/// `Some(true)` for an equality operator, `Some(false)` for its negation, `None` otherwise.
fn equality(op: &str) -> Option<bool> {
    match op.to_ascii_lowercase().as_str() {
        "guidequals" | "stringequals" | "stringequalsignorecase" => Some(true),
        "guidnotequals" | "stringnotequals" | "stringnotequalsignorecase" => Some(false),
        _ => None,
    }
}

fn guid(v: &str) -> String {
    guid_of(v).to_ascii_lowercase()
}

/// Collects the role GUIDs compared against; an error for a comparison on the role it cannot
/// evaluate.
pub fn roles_named(e: &Expr, out: &mut BTreeSet<String>) -> Result<(), String> {
    match e {
        Expr::Not(x) => roles_named(x, out),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().try_for_each(|x| roles_named(x, out)),
        Expr::Compare { attribute, quantifier, operator, values } if is_role(attribute) => {
            if equality(operator).is_none() {
                return Err(format!(
                    "it compares the assigned role with {operator}, which kubeposture does not evaluate"
                ));
            }
            if quantifier.is_none() && values.len() != 1 {
                return Err(format!(
                    "it compares the assigned role with {operator} against {} values without a ForAnyOf…/ForAllOf… quantifier",
                    values.len()
                ));
            }
            out.extend(values.iter().map(|v| guid(v)));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// What the expression can evaluate to: (can be true, can be false).
fn outcomes(e: &Expr, action: &str, role: Option<&str>) -> (bool, bool) {
    match e {
        Expr::Not(x) => {
            let (t, f) = outcomes(x, action, role);
            (f, t)
        }
        Expr::And(xs) => xs.iter().fold((true, false), |(t, f), x| {
            let (xt, xf) = outcomes(x, action, role);
            (t && xt, f || xf)
        }),
        Expr::Or(xs) => xs.iter().fold((false, true), |(t, f), x| {
            let (xt, xf) = outcomes(x, action, role);
            (t || xt, f && xf)
        }),
        Expr::ActionMatches(patterns) => {
            let m = patterns.iter().any(|p| action_matches(p, action));
            (m, !m)
        }
        Expr::Exists { attribute, negated } if is_role(attribute) => (!negated, *negated),
        Expr::Compare { attribute, quantifier, operator, values } if is_role(attribute) => {
            let want = equality(operator).unwrap_or(true);
            let test = |v: &String| (role == Some(guid(v).as_str())) == want;
            let r = match quantifier {
                None | Some(Quantifier::AnyOfAny | Quantifier::AllOfAny) => values.iter().any(test),
                Some(Quantifier::AnyOfAll | Quantifier::AllOfAll) => values.iter().all(test),
            };
            (r, !r)
        }
        // Sub-operations, other attributes, attribute-to-attribute comparisons: either way.
        _ => (true, true),
    }
}

/// The roles a request for `action` may assign under the condition.
pub fn assignable(e: &Expr, action: &str) -> Result<Assignable, String> {
    let mut named = BTreeSet::new();
    roles_named(e, &mut named)?;
    if named.len() > MAX_ROLES {
        return Err(format!("it names more than {MAX_ROLES} roles"));
    }
    Ok(Assignable {
        unnamed: outcomes(e, action, None).0,
        named: named.into_iter().filter(|g| outcomes(e, action, Some(g)).0).collect(),
    })
}
