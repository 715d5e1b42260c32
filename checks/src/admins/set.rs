//! The cluster's admins as Conditional Access sees them (IDN-001…004): who signs in and can act
//! as cluster admin, the groups each is known to be in, and whether that list is complete.
//!
//! This is the interface the CA evaluator reads; keep it small:
//! - [`AdminSet::people`]: every non-group principal with an admin or potential-admin path,
//!   service principals included (their `principal.kind` says so; CA for users skips them);
//! - [`AdminPerson::groups`]: the groups of its paths (the group holding admin and every group
//!   between), which it is in — or will be once a PIM eligibility is activated, the moment it
//!   signs in as admin — plus its `transitiveMemberOf` when that was read;
//! - [`AdminPerson::memberships_complete`]: `groups` is its whole transitive membership;
//! - [`AdminSet::incomplete`]: why admins may be missing (empty: the list is complete).

use super::{AdminModel, Kind, is_group, key};
use crate::model::{Cluster, Principal};
use std::collections::BTreeSet;

/// One principal that can act as cluster admin.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminPerson {
    /// Object id, kind (`User`, `ServicePrincipal`, …) and display name.
    pub principal: Principal,
    /// One line per path: `alice (eligible via condiac-pim-test → k8sadmin)` style, then how.
    pub how: Vec<String>,
    /// Only a potential admin: it can assign itself an admin role (unconstrained delegation).
    pub potential: bool,
    /// Lower-cased ids of the groups it is known to be in (see the module doc).
    pub groups: BTreeSet<String>,
    /// Lower-cased directory role template ids it is known to hold (empty until collected).
    pub roles: BTreeSet<String>,
    /// `groups` (and `roles`) are complete: its `transitiveMemberOf` was read.
    pub memberships_complete: bool,
}

/// The cluster's admins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdminSet {
    /// Sorted by object id.
    pub people: Vec<AdminPerson>,
    /// The groups holding admin and every group on a path, by lower-cased id.
    pub groups: Vec<(String, Principal)>,
    /// Lower-cased ids of the groups holding admin themselves (role or `adminGroupObjectIDs`).
    pub admin_groups: BTreeSet<String>,
    /// Why admins may be missing from `people`; empty when the list is complete.
    pub incomplete: Vec<String>,
}

impl AdminSet {
    pub fn of(c: &Cluster) -> AdminSet {
        let m = match AdminModel::of(c) {
            Ok(m) => m,
            Err(f) => {
                return AdminSet { incomplete: vec![format!("{}: {}", f.path, f.observed())], ..Default::default() };
            }
        };
        let mut set = AdminSet::default();
        let add_group = |set: &mut AdminSet, p: &Principal| {
            let k = key(&p.id);
            if !set.groups.iter().any(|(g, _)| *g == k) {
                set.groups.push((k, p.clone()));
            }
        };
        for r in &m.roots {
            add_group(&mut set, &r.principal);
            set.admin_groups.insert(key(&r.principal.id));
        }
        let member_of = c.entra.member_of.get();
        for p in &m.people {
            let mut groups = BTreeSet::new();
            for r in &p.routes {
                for hop in &r.chain {
                    groups.insert(key(&hop.group.id));
                    add_group(&mut set, &hop.group);
                }
            }
            let full = member_of.and_then(|all| all.get(&key(&p.principal.id))).and_then(|m| m.get());
            if let Some(m) = full {
                groups.extend(m.groups.iter().map(|g| key(g)));
            }
            let mut how = vec![AdminModel::person_text(p)];
            how.extend(p.routes.iter().map(|r| r.how()));
            set.people.push(AdminPerson {
                principal: p.principal.clone(),
                how,
                potential: p.kind() == Kind::Potential,
                groups,
                roles: full.map(|m| m.roles.iter().map(|r| key(r)).collect()).unwrap_or_default(),
                memberships_complete: full.is_some(),
            });
        }
        set.incomplete = m.gaps.iter().map(|g| g.what.clone()).collect();
        debug_assert!(set.people.iter().all(|p| !is_group(&p.principal)));
        set
    }

    /// Every admin's full group membership is known.
    pub fn memberships_complete(&self) -> bool {
        self.people.iter().all(|p| p.memberships_complete)
    }
}
