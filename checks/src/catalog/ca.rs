//! Which Conditional Access policies cover sign-in to *this cluster* (shared by IDN-001…004).
//!
//! The catalog says a policy covers AKS when it is enabled, includes the AKS server application
//! (or `All`) without excluding it, and its users condition is not empty. That is refined here:
//! coverage is judged against the cluster's admins, because a policy that applies to AKS but not
//! to the people who can act as cluster admin protects nothing that matters.
//!
//! **The cluster's admins** are [`AdminSet`]'s people (every admin path of `crate::admins`:
//! role holders, PIM-eligible ones too, and the people the admin groups lead to through
//! membership and PIM eligibility at any depth) without service principals — Conditional Access
//! for users does not apply to them — and without potential admins (IDN-011's).
//!
//! A policy covers the cluster when
//! - its applications include `All` or the AKS server app (case-insensitive) and it does not
//!   exclude the AKS app, and it has no sign-in or user risk condition (it would apply only to
//!   risky sign-ins);
//! - its users condition reaches every admin: `includeUsers` contains `All` or the admin's id, or
//!   `includeGroups` holds a group the admin is in (an admin group, a group of the membership
//!   chain, or any group of the admin's `transitiveMemberOf`). A policy whose include lists are
//!   all empty covers nobody; directory roles (`includeRoles`) never count, since role membership
//!   is not collected (a policy that targets only roles does not cover). When some admin is not
//!   reached, `includeGroups` names other groups and the admins' memberships are not all known,
//!   coverage is unknown;
//! - none of the admins, admin groups or chain groups appears in `excludeUsers`/`excludeGroups`
//!   (a policy that excludes some admins does not cover the cluster; the excluded admins are
//!   named). `excludeRoles` are not expanded. Each admin user's full group membership
//!   (`transitiveMemberOf`) is taken into account on both sides, so a policy that includes or
//!   excludes groups beyond the admin groups is judged; without those memberships, other
//!   included groups leave coverage unknown and other excluded groups are taken to hold no admin
//!   (break-glass exclusions are the norm);
//! - and, for IDN-001/003/004, its state is `enabled` (IDN-002 looks at the policies that would
//!   cover except for `enabledForReportingButNotEnforced` or `disabled`).
//!
//! When the admins cannot all be listed (role assignments, a role definition, the admin groups,
//! their members or eligibility not collected), only a policy for `All` users that excludes
//! nobody can be judged; any other policy makes its coverage unknown.

use crate::admins::{AdminSet, is_service_principal, same_id};
use crate::azure_rbac::AKS_SERVER_APP_ID;
use crate::field::Field;
use crate::model::{CaPolicy, Cluster, Principal};
use crate::outcome::{Evidence, Outcome};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Does the policy reach every admin of the cluster?
#[derive(Clone, Debug, PartialEq)]
pub enum Reach {
    Covers,
    /// Why it does not.
    Not(String),
    /// Why it cannot be told.
    Unknown(String),
}

#[derive(Clone, Debug)]
struct Person {
    principal: Principal,
    /// Lower-cased ids of the groups it is known to be in (chain groups, the admin group).
    groups: BTreeSet<String>,
}

/// The cluster's admins as far as collected; see the module doc.
#[derive(Clone, Debug, Default)]
pub struct Admins {
    people: Vec<Person>,
    /// Admin groups and chain groups, by lower-cased id.
    groups: Vec<(String, Principal)>,
    /// Lower-cased ids of the admin groups proper.
    admin_groups: BTreeSet<String>,
    /// Why the list is incomplete.
    incomplete: Vec<String>,
    /// Every admin's full group membership is known (`transitiveMemberOf`), so a policy that
    /// includes other groups can be judged rather than left unknown.
    memberships_known: bool,
}

fn key(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

impl Admins {
    /// The admins of [`AdminSet`], without service principals (Conditional Access for users does
    /// not apply to them) and potential admins (listed by IDN-012, judged by IDN-011).
    pub fn of(c: &Cluster) -> Self {
        let set = AdminSet::of(c);
        let mut a = Admins {
            groups: set.groups.clone(),
            admin_groups: set.admin_groups.clone(),
            incomplete: set.incomplete.clone(),
            ..Default::default()
        };
        for p in set.people.iter().filter(|p| !p.potential) {
            a.person(&p.principal, p.groups.iter().cloned());
        }
        a.memberships_known = set
            .people
            .iter()
            .filter(|p| !p.potential && !is_service_principal(&p.principal))
            .all(|p| p.memberships_complete);
        a
    }

    fn person(&mut self, p: &Principal, groups: impl IntoIterator<Item = String>) {
        if is_service_principal(p) {
            return;
        }
        let i = match self.people.iter().position(|x| same_id(&x.principal.id, &p.id)) {
            Some(i) => i,
            None => {
                self.people.push(Person { principal: p.clone(), groups: BTreeSet::new() });
                self.people.len() - 1
            }
        };
        self.people[i].groups.extend(groups);
    }

    fn known_group(&self, id: &str) -> Option<&Principal> {
        let k = key(id);
        self.groups.iter().find(|(g, _)| *g == k).map(|(_, p)| p)
    }

    /// Judge the policy's users condition; see the module doc.
    pub fn reach(&self, p: &CaPolicy) -> Reach {
        let has = |list: &[String], id: &str| list.iter().any(|x| same_id(x, id));
        let all = has(&p.include_users, "All");
        if p.include_users.is_empty() && p.include_groups.is_empty() {
            return Reach::Not(if p.include_roles.is_empty() {
                "its users condition is empty, so it applies to nobody".into()
            } else {
                "it targets directory roles only (includeRoles); role membership is not collected, so it is not counted as covering the cluster's admins".into()
            });
        }
        if !self.incomplete.is_empty() {
            if all && p.exclude_users.is_empty() && p.exclude_groups.is_empty() {
                return Reach::Covers;
            }
            return Reach::Unknown(format!(
                "the cluster's admins could not all be listed ({}), so only a policy for All users that excludes nobody can be judged",
                self.incomplete.join(", ")
            ));
        }
        // Exclusions: admin and chain groups by name, then admins excluded directly or through them.
        let mut excluded: Vec<String> =
            p.exclude_groups.iter().filter_map(|g| self.known_group(g)).map(|g| g.label()).collect();
        for person in &self.people {
            let by_group = p.exclude_groups.iter().any(|g| person.groups.contains(&key(g)));
            if has(&p.exclude_users, &person.principal.id) || by_group {
                excluded.push(person.principal.label());
            }
        }
        if !excluded.is_empty() {
            return Reach::Not(format!("it excludes the cluster's admins: {}", excluded.join(", ")));
        }
        let reached = |person: &Person| {
            all || has(&p.include_users, &person.principal.id)
                || p.include_groups.iter().any(|g| person.groups.contains(&key(g)))
        };
        let missed: Vec<String> = self.people.iter().filter(|x| !reached(x)).map(|x| x.principal.label()).collect();
        if missed.is_empty() {
            let touches =
                all || !self.people.is_empty() || p.include_groups.iter().any(|g| self.admin_groups.contains(&key(g)));
            return if touches { Reach::Covers } else { Reach::Not("it reaches none of the cluster's admins".into()) };
        }
        let others: Vec<&str> =
            p.include_groups.iter().filter(|g| self.known_group(g).is_none()).map(|g| g.trim()).collect();
        if others.is_empty() || self.memberships_known {
            Reach::Not(format!("it does not include the cluster's admins {}", missed.join(", ")))
        } else {
            Reach::Unknown(format!(
                "whether groups {} contain the cluster's admins {} is not known (memberships outside the admin groups are not collected)",
                others.join(", "),
                missed.join(", ")
            ))
        }
    }
}

/// The policy applies to sign-in to the AKS server application, unconditionally on risk; `Err`
/// says why not.
pub fn targets_aks(p: &CaPolicy) -> Result<(), String> {
    let has = |list: &[String], id: &str| list.iter().any(|x| same_id(x, id));
    if !(has(&p.include_applications, "All") || has(&p.include_applications, AKS_SERVER_APP_ID)) {
        let apps =
            if p.include_applications.is_empty() { "none".to_string() } else { p.include_applications.join(", ") };
        return Err(format!(
            "its applications ({apps}) include neither All nor the AKS server app {AKS_SERVER_APP_ID}"
        ));
    }
    if has(&p.exclude_applications, AKS_SERVER_APP_ID) {
        return Err(format!("it excludes the AKS server app {AKS_SERVER_APP_ID}"));
    }
    if !p.sign_in_risk_levels.is_empty() || !p.user_risk_levels.is_empty() {
        return Err(format!(
            "it applies only to risky sign-ins or users (signInRiskLevels [{}], userRiskLevels [{}])",
            p.sign_in_risk_levels.join(", "),
            p.user_risk_levels.join(", ")
        ));
    }
    Ok(())
}

/// State `enabled`: enforced.
pub fn is_enforced(p: &CaPolicy) -> bool {
    p.state.trim().eq_ignore_ascii_case("enabled")
}

/// Evidence naming a policy and what was concluded about it.
pub fn policy_evidence(field: &Field<Arc<Vec<CaPolicy>>>, p: &CaPolicy, what: &str) -> Evidence {
    Evidence::new(format!("{}[{}]", field.path, p.id), format!("{} (state {}): {what}", p.name, p.state))
}

/// The tenant's policies, or the `unknown` outcome.
pub fn policies(field: &Field<Arc<Vec<CaPolicy>>>) -> Result<&[CaPolicy], Outcome> {
    crate::catalog::entra::collected(field, "Conditional Access").map(|p| p.as_slice())
}

/// The texts of a check judged by [`judge_enforced`].
pub struct Messages {
    /// Leads the pass message; the counted policies follow.
    pub pass: &'static str,
    /// Leads the fail message; the number of policies considered follows (each in the evidence).
    pub fail: &'static str,
    /// Leads the unknown message; the undecided policies follow.
    pub unknown: &'static str,
}

/// IDN-001/003/004: pass when an enabled policy covering the cluster satisfies `counts` (`Ok`
/// says how, `Err` why not); fail with every policy considered and why it did not count; unknown
/// when only policies whose coverage cannot be judged could count.
pub fn judge_enforced(c: &Cluster, counts: impl Fn(&CaPolicy) -> Result<String, String>, m: &Messages) -> Outcome {
    let field = &c.entra.conditional_access;
    let list = match policies(field) {
        Ok(l) => l,
        Err(o) => return o,
    };
    if list.is_empty() {
        return Outcome::fail(
            format!("{}: the tenant has no Conditional Access policies.", m.fail),
            vec![Evidence::of(field)],
        );
    }
    let admins = Admins::of(c);
    let (mut counted, mut undecided, mut all) = (vec![], vec![], vec![]);
    for p in list {
        let verdict = if !is_enforced(p) {
            Err(format!("not enforced (state {})", p.state))
        } else {
            targets_aks(p).and_then(|()| counts(p))
        };
        let ev = match verdict {
            Err(why) => policy_evidence(field, p, &format!("does not count: {why}")),
            Ok(how) => match admins.reach(p) {
                Reach::Covers => {
                    let ev = policy_evidence(field, p, &format!("counts: {how}"));
                    counted.push((p.name.as_str(), ev.clone()));
                    ev
                }
                Reach::Not(why) => policy_evidence(field, p, &format!("does not count: {why}")),
                Reach::Unknown(why) => {
                    undecided.push(format!("{} ({why})", p.name));
                    policy_evidence(field, p, &format!("{how}, but coverage of the cluster's admins is unknown: {why}"))
                }
            },
        };
        all.push(ev);
    }
    if !counted.is_empty() {
        let names: Vec<&str> = counted.iter().map(|(n, _)| *n).collect();
        return Outcome::pass(
            format!("{}: {}.", m.pass, names.join(", ")),
            counted.into_iter().map(|(_, e)| e).collect(),
        );
    }
    if !undecided.is_empty() {
        return Outcome::unknown_because(format!("{}: {}.", m.unknown, undecided.join("; ")), all);
    }
    Outcome::fail(format!("{}: {} policies considered, none counts (see the evidence).", m.fail, list.len()), all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Terms;
    use crate::testing::*;

    fn reach(c: &Cluster, edit: impl FnOnce(&mut CaPolicy)) -> Reach {
        let mut p = aks_ca_policy();
        edit(&mut p);
        Admins::of(c).reach(&p)
    }

    fn with_member(c: &mut Cluster) {
        add_member(c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(c, &platform_team(), dave(), Terms::Permanent);
    }

    #[test]
    fn all_users_covers_and_applications_decide() {
        let c = hardened_aks();
        assert_eq!(reach(&c, |_| {}), Reach::Covers);
        let mut p = aks_ca_policy();
        p.include_applications = vec!["All".into()];
        assert_eq!(targets_aks(&p), Ok(()));
        p.exclude_applications = vec![AKS_APP.to_uppercase()];
        assert!(targets_aks(&p).unwrap_err().contains("excludes the AKS server app"));
        p.include_applications = vec!["Office365".into()];
        p.exclude_applications.clear();
        assert!(targets_aks(&p).unwrap_err().contains("include neither All nor"));
        let mut p = aks_ca_policy();
        p.sign_in_risk_levels = vec!["high".into()];
        assert!(targets_aks(&p).unwrap_err().contains("risky"));
    }

    #[test]
    fn include_by_group_or_user_must_reach_every_admin() {
        let mut c = hardened_aks();
        with_member(&mut c);
        let by_group = |g: String| {
            move |p: &mut CaPolicy| {
                p.include_users.clear();
                p.include_groups = vec![g];
            }
        };
        assert_eq!(reach(&c, by_group(aks_admins().id)), Reach::Covers);
        // A chain group reaches Dave, not Alice (eligible for aks-admins).
        let r = reach(&c, by_group(platform_team().id.to_uppercase()));
        assert!(matches!(&r, Reach::Not(w) if w.contains("Alice Admin") && !w.contains("Dave")), "{r:?}");
        let r = reach(&c, by_group("0e0e0e0e-0000-0000-0000-000000000000".into()));
        assert!(matches!(&r, Reach::Unknown(w) if w.contains("0e0e0e0e") && w.contains("Dave Ops")), "{r:?}");
        let r = reach(&c, |p| {
            p.include_users = vec![dave().id, "a11ce000-0000-0000-0000-000000000001".into()];
        });
        assert_eq!(r, Reach::Covers);
        let r = reach(&c, |p| {
            p.include_users.clear();
            p.include_roles = vec!["62e90394-69f5-4237-9190-012177145e10".into()];
        });
        assert!(matches!(&r, Reach::Not(w) if w.contains("directory roles only")), "{r:?}");
        let r = reach(&c, |p| p.include_users.clear());
        assert!(matches!(&r, Reach::Not(w) if w.contains("applies to nobody")), "{r:?}");
    }

    #[test]
    fn known_memberships_decide_other_groups() {
        let mut c = hardened_aks();
        with_member(&mut c);
        let other = "0e0e0e0e-0000-0000-0000-000000000000".to_string();
        let break_glass = "b7ea0000-0000-0000-0000-000000000000".to_string();
        let alice = "a11ce000-0000-0000-0000-000000000001".to_string();
        c.entra.member_of = Field::value(
            "transitiveMemberOf",
            [(key(&dave().id), vec![other.clone(), break_glass.to_uppercase()]), (alice.clone(), vec![other.clone()])]
                .into(),
            "{…}",
        );
        let include = |g: String| {
            move |p: &mut CaPolicy| {
                p.include_users.clear();
                p.include_groups = vec![g];
            }
        };
        assert_eq!(reach(&c, include(other.clone())), Reach::Covers, "both admins are in it");
        c.entra.member_of =
            Field::value("transitiveMemberOf", [(key(&dave().id), vec![other.clone()]), (alice, vec![])].into(), "{…}");
        let r = reach(&c, include(other));
        assert!(matches!(&r, Reach::Not(w) if w.contains("Alice Admin") && !w.contains("Dave")), "{r:?}");
        let r = reach(&c, |p| p.exclude_groups = vec![break_glass.clone()]);
        assert_eq!(r, Reach::Covers, "Dave is no longer in the break-glass group");
    }

    #[test]
    fn excluding_admins_does_not_cover() {
        let mut c = hardened_aks();
        with_member(&mut c);
        let r = reach(&c, |p| p.exclude_groups = vec![platform_team().id]);
        assert!(matches!(&r, Reach::Not(w) if w.contains("platform-team (Group") && w.contains("Dave Ops")), "{r:?}");
        let r = reach(&c, |p| p.exclude_users = vec![dave().id.to_uppercase()]);
        assert!(matches!(&r, Reach::Not(w) if w.contains("Dave Ops")), "{r:?}");
        // A break-glass group outside the admin groups is not expanded.
        assert_eq!(
            reach(&c, |p| p.exclude_groups = vec!["b7ea0000-0000-0000-0000-000000000000".into()]),
            Reach::Covers
        );
    }

    #[test]
    fn service_principals_need_no_coverage() {
        let mut c = hardened_aks();
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(grant(
            principal("ServicePrincipal", "5p", "ci-deployer"),
            AKS_RBAC_CLUSTER_ADMIN,
            Terms::Permanent,
        ));
        set_grants(&mut c, grants);
        assert_eq!(reach(&c, |p| p.include_users = vec!["a11ce000-0000-0000-0000-000000000001".into()]), Reach::Covers);
    }

    #[test]
    fn unknown_admins_only_judge_all_users_without_exclusions() {
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
        assert_eq!(reach(&c, |_| {}), Reach::Covers);
        let r = reach(&c, |p| p.exclude_groups = vec!["b7ea0000-0000-0000-0000-000000000000".into()]);
        assert!(matches!(&r, Reach::Unknown(w) if w.contains("AuthorizationFailed")), "{r:?}");
        let mut c = hardened_aks();
        unknown(&mut c.entra.role_grants);
        assert!(matches!(reach(&c, |p| p.include_users = vec![dave().id]), Reach::Unknown(_)));
    }
}
