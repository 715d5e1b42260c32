//! Every path to cluster admin on one AKS cluster — the catalog's *Cluster-admin-capable* — as
//! one model shared by IDN-006/007/008…010/012, AUTH-002 and the Conditional Access checks.
//!
//! A path starts at a **hold**: a role assignment (active or PIM-eligible) on a scope covering
//! the cluster whose role reaches admin there ([`crate::azure_rbac::reach`]) or delegates
//! unconstrained (a *potential* admin), or a group listed in `aadProfile.adminGroupObjectIDs`.
//! A hold by a group continues through the group's edges — active members and principals
//! PIM-eligible for its `member` role, at any depth, groups eligible for groups included — to
//! the people at the end ([`walk`]). Each path has a [`Tenure`]: the least standing of its
//! links (one eligible or time-bound link makes the whole path need activation or expire).
//!
//! Whatever could not be read becomes a [`Gap`] carrying the tenure at which it matters, so a
//! check can tell a gap that could hide standing access from one that could only hide eligible
//! admins.

mod set;
mod walk;

pub use set::{AdminPerson, AdminSet};

use crate::azure_rbac::{Gates, Reach, can_delegate, reach};
use crate::field::{Field, Obs};
use crate::model::{Cluster, EntraGroup, PimPolicy, Principal, RoleGrant, Terms};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How standing a path is, most standing first: a path is as standing as its least standing link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tenure {
    /// Every link active with no end.
    Permanent,
    /// Some link's terms could not be read (and none is known to expire or need activation).
    Unknown,
    /// Active, but some link ends by itself (time-bound assignment or PIM activation).
    TimeBound,
    /// Some link is a PIM eligibility: nothing until activated.
    Eligible,
}

impl Tenure {
    pub fn of(terms: &Field<Terms>) -> Tenure {
        match terms.get() {
            Some(Terms::Permanent) => Tenure::Permanent,
            Some(Terms::TimeBound { .. }) => Tenure::TimeBound,
            Some(Terms::Eligible { .. }) => Tenure::Eligible,
            None => Tenure::Unknown,
        }
    }
    /// Active now or possibly so: what standing-access checks look at.
    pub fn may_stand(self) -> bool {
        self <= Tenure::Unknown
    }
}

/// Admin, or only able to make itself one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Admin,
    /// Unconstrained `roleAssignments/write`: can assign itself an admin role (IDN-011).
    Potential,
}

/// What a role assignment means for this cluster.
#[derive(Clone, Debug, PartialEq)]
pub enum GrantReach {
    Admin(&'static str),
    Potential(String),
    /// Could be `Kind` but it could not be told (role definition or a cluster setting not read,
    /// or a condition not understood).
    Undetermined(Kind, String),
    None,
}

/// Where a path starts.
#[derive(Clone, Debug)]
pub enum Source<'a> {
    Grant(&'a RoleGrant),
    /// `aadProfile.adminGroupObjectIDs`: Kubernetes cluster-admin for the group's members.
    AdminGroupIds(&'a Field<Vec<String>>),
}

/// One way a principal holds admin (or potential admin) by itself.
#[derive(Clone, Debug)]
pub struct Hold<'a> {
    pub source: Source<'a>,
    pub kind: Kind,
    pub tenure: Tenure,
    /// Why this makes an admin (`built-in Owner: …`).
    pub why: String,
}

impl Hold<'_> {
    /// `Role on scope (terms)` or the `adminGroupObjectIDs` path.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Grant(g) => format!("{} on {} ({})", role_name(g), g.scope, terms_text(&g.terms)),
            Source::AdminGroupIds(f) => f.path.to_string(),
        }
    }
    /// `Role on scope` without terms.
    pub fn what(&self) -> String {
        match &self.source {
            Source::Grant(g) => format!("{} on {}", role_name(g), g.scope),
            Source::AdminGroupIds(f) => f.path.to_string(),
        }
    }
    pub fn terms(&self) -> Option<Terms> {
        match &self.source {
            Source::Grant(g) => g.terms.get().cloned(),
            Source::AdminGroupIds(_) => Some(Terms::Permanent),
        }
    }
    pub fn path(&self) -> String {
        match &self.source {
            Source::Grant(g) => g.path.clone(),
            Source::AdminGroupIds(f) => f.path.to_string(),
        }
    }
    /// `Role on scope (terms) (why)` at the assignment's path.
    pub fn evidence(&self) -> crate::outcome::Evidence {
        crate::outcome::Evidence::new(self.path(), format!("{} ({})", self.describe(), self.why))
    }
}

/// A group holding admin (or potential admin) by itself, and its expansion.
#[derive(Clone, Debug)]
pub struct Root<'a> {
    pub principal: Principal,
    pub holds: Vec<Hold<'a>>,
    /// The group as read, or why it was not.
    pub node: Result<&'a EntraGroup, String>,
}

impl Root<'_> {
    /// Admin if any hold is, else potential.
    pub fn kind(&self) -> Kind {
        self.holds.iter().map(|h| h.kind).min().unwrap_or(Kind::Potential)
    }
    /// The most standing hold of the root's kind.
    pub fn tenure(&self) -> Tenure {
        let k = self.kind();
        self.holds.iter().filter(|h| h.kind == k).map(|h| h.tenure).min().unwrap_or(Tenure::Eligible)
    }
    /// Every hold, `Role on scope (terms) and properties.aadProfile…`.
    pub fn how(&self) -> String {
        self.holds.iter().map(Hold::describe).collect::<Vec<_>>().join(" and ")
    }
}

/// One link of a path below its hold: the member is in `group` on `terms`.
#[derive(Clone, Debug)]
pub struct Hop {
    pub group: Principal,
    pub terms: Field<Terms>,
}

/// One path from a hold to a principal.
#[derive(Clone, Debug)]
pub struct Route<'a> {
    pub hold: Hold<'a>,
    /// The group holding it (`None`: the principal holds it itself).
    pub root: Option<Principal>,
    /// From the principal's own group up to the root group.
    pub chain: Vec<Hop>,
    pub tenure: Tenure,
}

impl Route<'_> {
    pub fn kind(&self) -> Kind {
        self.hold.kind
    }
    /// `condiac-pim-test → k8sadmin`: the groups from the principal up to the root.
    pub fn chain_text(&self) -> String {
        self.chain.iter().map(|h| name(&h.group)).collect::<Vec<_>>().join(" → ")
    }
    /// `eligible via condiac-pim-test → k8sadmin`, `permanent: Owner on /subscriptions/…`.
    pub fn short(&self) -> String {
        let t = match self.tenure {
            Tenure::Permanent => "permanent",
            Tenure::Unknown => "terms unknown",
            Tenure::TimeBound => "time-bound",
            Tenure::Eligible => "eligible",
        };
        let potential = if self.kind() == Kind::Potential { "potential admin, " } else { "" };
        if self.chain.is_empty() {
            format!("{potential}{t}: {}", self.hold.what())
        } else {
            format!("{potential}{t} via {}", self.chain_text())
        }
    }
    /// The hold and how the principal reaches it: `AKS RBAC Cluster Admin on … (active,
    /// permanent), through group k8sadmin via condiac-pim-test → k8sadmin`.
    pub fn how(&self) -> String {
        match &self.root {
            None => self.hold.describe(),
            Some(g) if self.chain.len() > 1 => {
                format!("{}, through group {} via {}", self.hold.describe(), name(g), self.chain_text())
            }
            Some(g) => format!("{}, through group {}", self.hold.describe(), name(g)),
        }
    }
    /// The terms of the whole path: the first link with the path's tenure says how.
    pub fn terms(&self, groups: &BTreeMap<String, Arc<EntraGroup>>) -> String {
        if self.tenure == Tenure::Permanent {
            return "permanent".into();
        }
        if self.hold.tenure == self.tenure {
            return match &self.hold.source {
                Source::Grant(g) => terms_text(&g.terms),
                Source::AdminGroupIds(_) => "permanent".into(),
            };
        }
        for hop in self.chain.iter().rev() {
            if Tenure::of(&hop.terms) != self.tenure {
                continue;
            }
            let t = terms_text(&hop.terms);
            if self.tenure == Tenure::Eligible {
                let policy = groups.get(&key(&hop.group.id)).and_then(|g| g.pim_policy.get());
                return format!("{t} for {}{}", name(&hop.group), policy.map(activation_text).unwrap_or_default());
            }
            return format!("{t} in {}", name(&hop.group));
        }
        terms_text(&self.hold_terms_field())
    }
    fn hold_terms_field(&self) -> Field<Terms> {
        match &self.hold.source {
            Source::Grant(g) => g.terms.clone(),
            Source::AdminGroupIds(f) => Field::value(f.path.clone(), Terms::Permanent, "permanent"),
        }
    }
}

/// ` (activation up to PT4H, approval, MFA)` from a PIM-for-Groups policy.
pub fn activation_text(p: &PimPolicy) -> String {
    let mut parts = vec![format!("activation up to {}", p.max_activation.as_deref().unwrap_or("(no maximum)"))];
    parts.push(match p.approval_required {
        Some(true) => "approval required".into(),
        Some(false) => "no approval".into(),
        None => "approval not set".into(),
    });
    let mfa = p.activation_rules.iter().any(|r| r.eq_ignore_ascii_case("MultiFactorAuthentication"));
    parts.push(if mfa { "MFA".into() } else { "no MFA".into() });
    format!(" ({})", parts.join(", "))
}

/// A non-group principal that holds admin (or potential admin), with every path to it (the
/// most standing one per hold).
#[derive(Clone, Debug)]
pub struct Person<'a> {
    pub principal: Principal,
    pub routes: Vec<Route<'a>>,
}

impl Person<'_> {
    /// The most standing route of that kind.
    pub fn best(&self, kind: Kind) -> Option<&Route<'_>> {
        self.routes.iter().filter(|r| r.kind() == kind).min_by_key(|r| r.tenure)
    }
    /// Admin if any route is, else potential.
    pub fn kind(&self) -> Kind {
        self.routes.iter().map(Route::kind).min().unwrap_or(Kind::Potential)
    }
}

/// Something that could not be read, and the path tenure and kind at which it matters.
#[derive(Clone, Debug)]
pub struct Gap {
    pub what: String,
    pub tenure: Tenure,
    pub kind: Kind,
    /// Evidence path of what is missing.
    pub path: String,
    /// It may hide a group (and so a PIM policy that matters): everything but the role of a
    /// grant to a user.
    pub hides_groups: bool,
    pub on: GapOn,
}

/// What a gap is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GapOn {
    /// A role assignment whose reach could not be told.
    Grant,
    /// `adminGroupObjectIDs` could not be read.
    AdminGroupIds,
    /// A group's members, eligibility, or a principal's kind on a path.
    Membership,
}

/// The cluster's admin paths.
#[derive(Clone, Debug)]
pub struct AdminModel<'a> {
    pub gates: Gates,
    /// Every role assignment on a covering scope and what it means here.
    pub grants: Vec<(&'a RoleGrant, GrantReach)>,
    /// Groups holding admin or potential admin, in the order first seen.
    pub roots: Vec<Root<'a>>,
    /// Users, service principals and other non-group principals, sorted by id.
    pub people: Vec<Person<'a>>,
    /// Groups with PIM-for-Groups eligibility on an admin path (their activation leads to admin).
    pub eligibility_groups: Vec<&'a EntraGroup>,
    pub gaps: Vec<Gap>,
    /// The groups as read (empty when not collected).
    pub groups: &'a BTreeMap<String, Arc<EntraGroup>>,
}

static NO_GROUPS: BTreeMap<String, Arc<EntraGroup>> = BTreeMap::new();

/// Lower-cased, trimmed object id: how the model keys principals.
pub fn key(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// Directory object ids compare without regard to case or padding.
pub fn same_id(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The display name, or the id when there is none.
pub fn name(p: &Principal) -> &str {
    p.display_name.as_deref().unwrap_or(&p.id)
}

/// `Group` or `ForeignGroup`: holds roles on behalf of its members.
pub fn is_group(p: &Principal) -> bool {
    p.kind.to_ascii_lowercase().contains("group")
}

/// Service principals and managed identities: automation, outside Conditional Access for users.
pub fn is_service_principal(p: &Principal) -> bool {
    p.is("ServicePrincipal") || p.is("ManagedIdentity")
}

/// Devices and organisational contacts: group members that cannot sign in to a cluster.
pub fn is_inert(p: &Principal) -> bool {
    p.is("device") || p.is("orgContact")
}

/// A principal whose kind was not told (it may be a group).
pub fn kind_unknown(p: &Principal) -> bool {
    p.is("Unknown") || p.is("DirectoryObject") || p.kind.trim().is_empty()
}

/// Terms as evidence text: `active, permanent`, `(absent)` or `unknown: reason`.
pub fn terms_text(terms: &Field<Terms>) -> String {
    match terms.get() {
        Some(t) => t.describe(),
        None => terms.observed(),
    }
}

/// The role's name, or what was observed instead.
pub fn role_name(g: &RoleGrant) -> String {
    match g.role.get() {
        Some(def) => def.name.clone(),
        None => format!("role {} ({})", g.role.path, g.role.observed()),
    }
}

/// The settings of the cluster that decide which powers reach it.
pub fn gates(c: &Cluster) -> Gates {
    let flag = |f: &Field<bool>, absent: bool| match &f.obs {
        Obs::Value { value, .. } => Some(*value),
        Obs::Absent => Some(absent),
        Obs::Unknown { .. } => None,
    };
    Gates {
        // Absent `disableLocalAccounts`: AKS's default, enabled.
        local_accounts: flag(&c.authn.local_accounts_enabled, true),
        // Absent `enableAzureRBAC` / `aadProfile`: off.
        azure_rbac: flag(&c.authz.azure_rbac, false),
        entra: flag(&c.authn.entra_managed, false),
    }
}

/// What the grant means on a cluster with these settings.
pub fn grant_reach(g: &RoleGrant, gates: Gates) -> GrantReach {
    let def = match &g.role.obs {
        Obs::Value { value, .. } => value,
        Obs::Unknown { reason } => {
            return GrantReach::Undetermined(Kind::Admin, format!("its role definition could not be read ({reason})"));
        }
        Obs::Absent => return GrantReach::Undetermined(Kind::Admin, format!("{} is absent", g.role.path)),
    };
    match reach(def, gates) {
        Reach::Admin(why) => GrantReach::Admin(why),
        Reach::Undetermined(why) => GrantReach::Undetermined(Kind::Admin, why),
        Reach::None if can_delegate(def) => match crate::abac::delegation(g, gates) {
            crate::abac::Delegation::Unconstrained(why) => GrantReach::Potential(why),
            crate::abac::Delegation::Constrained(_) => GrantReach::None,
            crate::abac::Delegation::Unknown(why) => GrantReach::Undetermined(Kind::Potential, why),
        },
        Reach::None => GrantReach::None,
    }
}

impl<'a> AdminModel<'a> {
    /// The model, or why the role assignments themselves could not be read.
    pub fn of(c: &'a Cluster) -> Result<Self, &'a Field<Vec<RoleGrant>>> {
        let grants = c.entra.role_grants.get().ok_or(&c.entra.role_grants)?;
        Ok(Self::build(c, grants))
    }

    fn build(c: &'a Cluster, grants: &'a [RoleGrant]) -> Self {
        let gates = gates(c);
        let groups = c.entra.groups.get().unwrap_or(&NO_GROUPS);
        let mut m = AdminModel {
            gates,
            grants: vec![],
            roots: vec![],
            people: vec![],
            eligibility_groups: vec![],
            gaps: vec![],
            groups,
        };
        let mut direct: Vec<(Principal, Hold<'a>)> = vec![];
        for g in grants {
            let r = grant_reach(g, gates);
            let hold = |kind, why: String| Hold { source: Source::Grant(g), kind, tenure: Tenure::of(&g.terms), why };
            match &r {
                GrantReach::Admin(why) => direct.push((g.principal.clone(), hold(Kind::Admin, why.to_string()))),
                GrantReach::Potential(why) => direct.push((g.principal.clone(), hold(Kind::Potential, why.clone()))),
                GrantReach::Undetermined(kind, why) => m.gaps.push(Gap {
                    what: format!(
                        "whether {} on {} makes {} an admin: {why}",
                        role_name(g),
                        g.scope,
                        g.principal.label()
                    ),
                    tenure: Tenure::of(&g.terms),
                    kind: *kind,
                    path: g.path.clone(),
                    hides_groups: is_group(&g.principal) || kind_unknown(&g.principal),
                    on: GapOn::Grant,
                }),
                GrantReach::None => {}
            }
            m.grants.push((g, r));
        }
        let ids = &c.authn.admin_group_ids;
        match &ids.obs {
            Obs::Value { value, .. } => {
                for id in value.iter().filter(|id| !id.trim().is_empty()) {
                    let p = Principal { id: id.trim().to_string(), kind: "Group".into(), display_name: None };
                    let why = "listed in aadProfile.adminGroupObjectIDs: Kubernetes cluster-admin".to_string();
                    let hold =
                        Hold { source: Source::AdminGroupIds(ids), kind: Kind::Admin, tenure: Tenure::Permanent, why };
                    direct.push((p, hold));
                }
            }
            Obs::Unknown { reason } => m.gaps.push(Gap {
                what: format!("{}: {reason}", ids.path),
                tenure: Tenure::Permanent,
                kind: Kind::Admin,
                path: ids.path.to_string(),
                hides_groups: true,
                on: GapOn::AdminGroupIds,
            }),
            Obs::Absent => {}
        }
        let groups_unknown = c.entra.groups.unknown_reason();
        let mut people: BTreeMap<String, Person<'a>> = BTreeMap::new();
        for (p, hold) in direct {
            if is_group(&p) {
                let k = key(&p.id);
                match m.roots.iter_mut().find(|r| key(&r.principal.id) == k) {
                    Some(r) => r.holds.push(hold),
                    None => {
                        let node = match (groups.get(&k), groups_unknown) {
                            (Some(n), _) => Ok(&**n),
                            (None, Some(why)) => Err(format!("{}: {why}", c.entra.groups.path)),
                            (None, None) => Err(format!("{} was not read", p.label())),
                        };
                        let principal = node.as_ref().map(|n| n.group.clone()).unwrap_or(p);
                        m.roots.push(Root { principal, holds: vec![hold], node });
                    }
                }
                continue;
            }
            let tenure = hold.tenure;
            if kind_unknown(&p) {
                m.gaps.push(Gap {
                    what: format!(
                        "what kind of principal {} is (it holds {}): if a group, its members are not listed",
                        p.label(),
                        hold.describe()
                    ),
                    tenure,
                    kind: hold.kind,
                    path: hold.path(),
                    hides_groups: true,
                    on: GapOn::Membership,
                });
            }
            let entry = people.entry(key(&p.id)).or_insert_with(|| Person { principal: p, routes: vec![] });
            entry.routes.push(Route { hold, root: None, chain: vec![], tenure });
        }
        let mut eligibility: BTreeMap<String, &'a EntraGroup> = BTreeMap::new();
        for root in &m.roots {
            let kind = root.kind();
            let node = match &root.node {
                Ok(n) => *n,
                Err(why) => {
                    m.gaps.push(Gap {
                        what: format!("the members of {}, which holds {}: {why}", root.principal.label(), root.how()),
                        tenure: root.tenure(),
                        kind,
                        path: format!("groups[{}]", root.principal.id),
                        hides_groups: true,
                        on: GapOn::Membership,
                    });
                    continue;
                }
            };
            let hold = root.holds.iter().filter(|h| h.kind == kind).min_by_key(|h| h.tenure).cloned();
            let Some(hold) = hold else { continue };
            let w = walk::walk(node, hold.tenure, groups);
            m.gaps.extend(w.gaps.into_iter().map(|(what, tenure, path)| Gap {
                what,
                tenure,
                kind,
                path,
                hides_groups: true,
                on: GapOn::Membership,
            }));
            if kind == Kind::Admin {
                for g in w.eligibility_groups {
                    eligibility.entry(key(&g.group.id)).or_insert(g);
                }
            }
            for (p, tenure, chain) in w.reached {
                let entry = people.entry(key(&p.id)).or_insert_with(|| Person { principal: p, routes: vec![] });
                entry.routes.push(Route { hold: hold.clone(), root: Some(root.principal.clone()), chain, tenure });
            }
        }
        m.people = people.into_values().collect();
        m.eligibility_groups = eligibility.into_values().collect();
        m
    }

    /// Admin roots: groups holding cluster admin (not only potential).
    pub fn admin_roots(&self) -> impl Iterator<Item = &Root<'a>> {
        self.roots.iter().filter(|r| r.kind() == Kind::Admin)
    }

    /// Gaps that matter for this kind at this tenure or more standing.
    pub fn gaps_at(&self, kind: Kind, worst: Tenure) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(move |g| g.kind <= kind && g.tenure <= worst)
    }

    /// The route text IDN-012 and the CA checks name people with: `alice (eligible via
    /// condiac-pim-test → k8sadmin)`.
    pub fn person_text(p: &Person) -> String {
        let routes: Vec<String> = p.routes.iter().map(Route::short).collect();
        format!("{} ({})", name(&p.principal), routes.join("; "))
    }
}

#[cfg(test)]
mod tests;
