//! The admins Conditional Access must guard, as "admin persons": the one place that reads the
//! cluster-admin-capable model (`crate::admins::AdminSet`) for CA.
//!
//! A person is a principal that signs in and can act as cluster admin (every admin path: role
//! holders, PIM-eligible ones, the people admin groups lead to through membership and PIM
//! eligibility at any depth). Service principals and managed identities are left out:
//! Conditional Access for users does not apply to them; so are potential admins (IDN-011's).
//! Each person carries what CA targets users through: the groups it is in while acting as admin
//! (the groups of its paths — it has activated an eligible membership to be admin at all — and
//! every group of its `transitiveMemberOf`), its directory roles (held, and PIM-eligible), its
//! user type, and whether each of those could be collected.
//!
//! When the admins cannot all be listed, one "unlisted admins" person stands for the rest:
//! nothing is known about it, so only a policy that applies to everybody can guard it.

use crate::admins::{AdminSet, is_service_principal, key};
use crate::field::{Field, Obs};
use crate::model::{Cluster, Memberships, Principal, UserType};
use std::collections::BTreeSet;
/// One admin as Conditional Access sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// Lower-cased object id; `None` for the admins that could not be listed.
    pub id: Option<String>,
    /// `Name (User id)`, for messages.
    pub label: String,
    /// `User`, `Unknown`, … as the API said.
    pub kind: String,
    /// Lower-cased ids of the groups it is in while acting as admin.
    pub groups: BTreeSet<String>,
    /// Every group membership is known (`transitiveMemberOf` was read), or why not.
    pub groups_complete: Result<(), String>,
    /// Role template ids held (active), lower-cased, or why they are not known.
    pub roles: Result<BTreeSet<String>, String>,
    /// Role template ids it may activate through PIM, lower-cased, or why they are not known.
    pub eligible_roles: Result<BTreeSet<String>, String>,
    pub user_type: Result<UserType, String>,
}

impl Person {
    /// The stand-in for admins that could not be listed.
    pub fn unlisted(why: &str) -> Self {
        let unknown = || format!("the cluster's admins could not all be listed ({why})");
        Person {
            id: None,
            label: "admins not listed".into(),
            kind: "Unknown".into(),
            groups: BTreeSet::new(),
            groups_complete: Err(unknown()),
            roles: Err(unknown()),
            eligible_roles: Err(unknown()),
            user_type: Err(unknown()),
        }
    }

    /// `Subject` id: the object id, or a fixed id for the unlisted admins.
    pub fn subject_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| "unlisted-admins".into())
    }

    fn of(p: &Principal, path_groups: &BTreeSet<String>, member_of: Option<&Field<Memberships>>) -> Self {
        let lower = |v: &[String]| v.iter().map(|s| key(s)).collect::<BTreeSet<_>>();
        let missing = |what: &str| {
            if p.is("User") {
                format!("the {what} of {} were not collected", p.label())
            } else {
                format!("{} is a {}, whose {what} are not collected", p.label(), p.kind)
            }
        };
        let mut person = Person {
            id: Some(key(&p.id)),
            label: p.label(),
            kind: p.kind.clone(),
            groups: path_groups.clone(),
            groups_complete: Err(missing("group memberships")),
            roles: Err(missing("directory roles")),
            eligible_roles: Err(missing("PIM-eligible directory roles")),
            user_type: Err(missing("user type")),
        };
        match member_of.map(|f| (f, &f.obs)) {
            Some((_, Obs::Value { value: m, .. })) => {
                person.groups.extend(lower(&m.groups));
                person.groups_complete = Ok(());
                person.roles = Ok(lower(&m.roles));
                person.eligible_roles = match &m.eligible_roles.obs {
                    Obs::Value { value, .. } => Ok(lower(value)),
                    _ => Err(format!("{}: {}", m.eligible_roles.path, m.eligible_roles.observed())),
                };
                person.user_type = match &m.user_type.obs {
                    Obs::Value { value, .. } => Ok(*value),
                    _ => Err(format!("{}: {}", m.user_type.path, m.user_type.observed())),
                };
            }
            Some((f, _)) => {
                let why = format!("{}: {}", f.path, f.observed());
                person.groups_complete = Err(why.clone());
                person.roles = Err(why.clone());
                person.eligible_roles = Err(why.clone());
                person.user_type = Err(why);
            }
            None => {}
        }
        person
    }
}

/// The cluster's admins as persons, plus the unlisted-admins stand-in when some are missing.
pub fn people(c: &Cluster) -> Vec<Person> {
    let set = AdminSet::of(c);
    let member_of = c.entra.member_of.get();
    let mut out: Vec<Person> = set
        .people
        .iter()
        .filter(|p| !p.potential && !is_service_principal(&p.principal))
        .map(|p| Person::of(&p.principal, &p.groups, member_of.and_then(|m| m.get(&key(&p.principal.id)))))
        .collect();
    if !set.incomplete.is_empty() {
        out.push(Person::unlisted(&set.incomplete.join(", ")));
    }
    out
}
