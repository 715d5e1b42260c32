//! Azure identity around an AKS cluster, shared by AUTH-002 and the IDN checks: who holds
//! cluster admin through Azure role assignments on covering scopes and through
//! `aadProfile.adminGroupObjectIDs`, on what terms, and how to show it as evidence.

use crate::azure_rbac::is_cluster_admin_capable;
use crate::field::{Field, Obs};
use crate::model::{AdminGroup, Cluster, GroupMember, PimPolicy, Principal, RoleGrant, Terms};
use crate::outcome::{Evidence, Outcome};

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

/// Local accounts enabled: absent `disableLocalAccounts` is AKS's default (enabled); `None` when
/// not collected.
pub fn local_accounts(c: &Cluster) -> Option<bool> {
    match &c.authn.local_accounts_enabled.obs {
        Obs::Value { value, .. } => Some(*value),
        Obs::Absent => Some(true),
        Obs::Unknown { .. } => None,
    }
}

/// A field's value, or the `unknown` outcome a check returns without it (absent included: the
/// provider always fills these for AKS, so absence means it was not collected).
pub fn collected<'a, T>(field: &'a Field<T>, what: &str) -> Result<&'a T, Outcome> {
    match &field.obs {
        Obs::Value { value, .. } => Ok(value),
        Obs::Unknown { .. } => Err(Outcome::unknown(field)),
        Obs::Absent => Err(Outcome::unknown_because(
            format!("{} is absent (not collected), so {what} cannot be judged.", field.path),
            vec![Evidence::of(field)],
        )),
    }
}

/// The role assignments on scopes covering the cluster, or why they are not available.
pub fn role_grants(c: &Cluster) -> Result<&[RoleGrant], Outcome> {
    collected(&c.entra.role_grants, "Azure role assignments").map(Vec::as_slice)
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

/// `principal=… role=… scope=… terms=…`.
pub fn grant_line(g: &RoleGrant) -> String {
    format!("principal={} role={} scope={} terms={}", g.principal.label(), role_name(g), g.scope, terms_text(&g.terms))
}

pub fn grant_evidence(g: &RoleGrant) -> Evidence {
    Evidence::new(g.path.clone(), grant_line(g))
}

/// What a role grant means for cluster admin.
#[derive(Clone, Debug, PartialEq)]
pub enum Capability {
    Admin(&'static str),
    NotAdmin,
    /// The role definition could not be read.
    Unknown(String),
}

pub fn capability(g: &RoleGrant, local_accounts: Option<bool>) -> Capability {
    match &g.role.obs {
        Obs::Value { value, .. } => match is_cluster_admin_capable(value, local_accounts) {
            Some(why) => Capability::Admin(why),
            None => Capability::NotAdmin,
        },
        Obs::Unknown { reason } => Capability::Unknown(reason.clone()),
        Obs::Absent => Capability::Unknown(format!("{} is absent", g.role.path)),
    }
}

/// `aks-admins › platform-team › Dave`: the membership chain from the admin group down.
pub fn chain_display(m: &GroupMember) -> String {
    let mut parts: Vec<&str> = m.chain.iter().map(|l| name(&l.group)).collect();
    parts.push(name(&m.principal));
    parts.join(" › ")
}

/// How an active member's membership stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Membership {
    /// Every link active and permanent.
    Standing,
    /// A link is time-bound (or a PIM activation): the membership ends by itself.
    Expiring(String),
    /// A link's terms could not be read (and none is known to expire).
    Unknown(String),
}

pub fn membership(m: &GroupMember) -> Membership {
    if m.chain.is_empty() {
        return Membership::Unknown("the membership chain was not collected".into());
    }
    let mut unknown = None;
    for link in &m.chain {
        match &link.terms.obs {
            Obs::Value { value: Terms::Permanent, .. } => {}
            Obs::Value { value, .. } => {
                return Membership::Expiring(format!("{}: {}", name(&link.group), value.describe()));
            }
            _ => {
                unknown.get_or_insert_with(|| format!("{}: {}", link.terms.path, link.terms.observed()));
            }
        }
    }
    match unknown {
        Some(why) => Membership::Unknown(why),
        None => Membership::Standing,
    }
}

/// One way a group holds cluster admin.
#[derive(Clone, Debug)]
pub enum Hold<'a> {
    /// A cluster-admin-capable role assignment (any terms).
    Grant(&'a RoleGrant, &'static str),
    /// Listed in `aadProfile.adminGroupObjectIDs`: Kubernetes cluster-admin for its members.
    AdminGroupIds(&'a Field<Vec<String>>),
}

impl Hold<'_> {
    /// `Role on scope (terms)` or the `adminGroupObjectIDs` path.
    pub fn describe(&self) -> String {
        match self {
            Hold::Grant(g, _) => format!("{} on {} ({})", role_name(g), g.scope, terms_text(&g.terms)),
            Hold::AdminGroupIds(f) => f.path.to_string(),
        }
    }
    /// The grant's terms (`adminGroupObjectIDs` is always active and permanent); `None` when
    /// not collected.
    pub fn terms(&self) -> Option<Terms> {
        match self {
            Hold::Grant(g, _) => g.terms.get().cloned(),
            Hold::AdminGroupIds(_) => Some(Terms::Permanent),
        }
    }
    pub fn evidence(&self) -> Evidence {
        match self {
            Hold::Grant(g, why) => Evidence::new(g.path.clone(), format!("{} ({why})", grant_line(g))),
            Hold::AdminGroupIds(f) => Evidence::of(f),
        }
    }
}

/// A group holding cluster admin, with its expansion from `adminGroups` when collected.
#[derive(Clone, Debug)]
pub struct HeldGroup<'a> {
    pub principal: Principal,
    pub holds: Vec<Hold<'a>>,
    /// The expanded group (members, eligibility, PIM policy), or why it is missing.
    pub expanded: Result<&'a AdminGroup, String>,
}

impl HeldGroup<'_> {
    /// Every way it holds admin, `;`-free: `Role on scope (terms) and properties.aadProfile…`.
    pub fn how(&self) -> String {
        self.holds.iter().map(Hold::describe).collect::<Vec<_>>().join(" and ")
    }
}

/// Every path to cluster admin through Azure: grants to non-group principals, groups (by grant
/// or `adminGroupObjectIDs`), and what could not be judged.
#[derive(Clone, Debug, Default)]
pub struct AdminPaths<'a> {
    /// Cluster-admin-capable grants to users, service principals and other non-group principals.
    pub principals: Vec<(&'a RoleGrant, &'static str)>,
    pub groups: Vec<HeldGroup<'a>>,
    /// Grants whose role definition could not be read.
    pub undetermined: Vec<(&'a RoleGrant, String)>,
    /// `adminGroupObjectIDs` could not be collected: evidence of it.
    pub admin_group_ids_unknown: Option<Evidence>,
}

impl<'a> AdminPaths<'a> {
    /// The cluster's admin paths, or the `unknown` outcome when its role assignments could
    /// not be collected.
    pub fn collect(c: &'a Cluster) -> Result<Self, Outcome> {
        Ok(Self::of(c, role_grants(c)?))
    }

    pub fn of(c: &'a Cluster, grants: &'a [RoleGrant]) -> Self {
        let local = local_accounts(c);
        let mut paths = AdminPaths::default();
        let add = |groups: &mut Vec<HeldGroup<'a>>, p: &Principal, hold: Hold<'a>| match groups
            .iter_mut()
            .find(|g| same_id(&g.principal.id, &p.id))
        {
            Some(g) => g.holds.push(hold),
            None => groups.push(HeldGroup { principal: p.clone(), holds: vec![hold], expanded: Err(String::new()) }),
        };
        for g in grants {
            match capability(g, local) {
                Capability::Admin(why) if is_group(&g.principal) => {
                    add(&mut paths.groups, &g.principal, Hold::Grant(g, why))
                }
                Capability::Admin(why) => paths.principals.push((g, why)),
                Capability::NotAdmin => {}
                Capability::Unknown(reason) => paths.undetermined.push((g, reason)),
            }
        }
        let ids = &c.authn.admin_group_ids;
        match &ids.obs {
            Obs::Value { value, .. } => {
                for id in value.iter().filter(|id| !id.trim().is_empty()) {
                    let p = Principal { id: id.trim().to_string(), kind: "Group".into(), display_name: None };
                    add(&mut paths.groups, &p, Hold::AdminGroupIds(ids));
                }
            }
            Obs::Unknown { .. } => paths.admin_group_ids_unknown = Some(Evidence::of(ids)),
            Obs::Absent => {}
        }
        let expanded = &c.entra.admin_groups;
        for g in &mut paths.groups {
            g.expanded = match &expanded.obs {
                Obs::Value { value, .. } => value
                    .iter()
                    .find(|a| same_id(&a.group.id, &g.principal.id))
                    .map(|a| &**a)
                    .ok_or_else(|| format!("{} was not expanded in {}", g.principal.label(), expanded.path)),
                Obs::Unknown { reason } => Err(format!("{}: {reason}", expanded.path)),
                Obs::Absent => Err(format!("{} is absent", expanded.path)),
            };
            if let Ok(a) = &g.expanded {
                g.principal = a.group.clone();
            }
        }
        paths
    }
}

/// How one admin group's PIM policy fares on one rule.
pub enum PimVerdict {
    Pass(String),
    Fail(String),
    Unknown(String),
}

/// IDN-008…010: judge each admin group's PIM-for-Groups policy (`member` role) on one rule.
/// `rule` is the rule's path under the policy; `judge` returns the verdict and the value shown.
pub fn judge_pim(
    c: &Cluster,
    rule: &str,
    judge: impl Fn(&PimPolicy) -> (PimVerdict, String),
    messages: [&str; 3],
) -> Outcome {
    use crate::catalog::verdicts::Verdicts;
    let groups = match collected(&c.entra.admin_groups, "the admin groups' PIM policies") {
        Ok(g) => g,
        Err(o) => return o,
    };
    if groups.is_empty() {
        return Outcome::not_applicable(
            "No group holds cluster admin, so no PIM-for-Groups policy applies.",
            vec![Evidence::of(&c.entra.admin_groups)],
        );
    }
    let mut v = Verdicts::default();
    for g in groups {
        let label = g.group.label();
        let policy = &g.pim_policy;
        match &policy.obs {
            Obs::Value { value, .. } => {
                let (verdict, shown) = judge(value);
                let ev = vec![Evidence::new(format!("{}.{rule}", value.path), format!("group={label} value={shown}"))];
                match verdict {
                    PimVerdict::Pass(why) => v.pass(format!("{}: {why}", name(&g.group)), ev),
                    PimVerdict::Fail(why) => v.fail(format!("{}: {why}", name(&g.group)), ev),
                    PimVerdict::Unknown(why) => v.unknown(format!("{}: {why}", name(&g.group)), ev),
                }
            }
            Obs::Unknown { reason } => v.unknown(
                format!("{}: the PIM policy could not be read ({reason})", name(&g.group)),
                vec![Evidence::new(policy.path.to_string(), format!("group={label} {}", policy.observed()))],
            ),
            Obs::Absent => v.fail(
                format!("{}: no PIM-for-Groups policy for the member role was found", name(&g.group)),
                vec![Evidence::new(policy.path.to_string(), format!("group={label} (absent)"))],
            ),
        }
    }
    let [fail, unknown, pass] = messages;
    v.outcome(fail, unknown, pass, vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Link;
    use crate::testing::*;

    fn link(g: Principal, terms: Field<Terms>) -> Link {
        Link { group: g, terms }
    }

    #[test]
    fn membership_terms() {
        let dave = principal("User", "d", "Dave");
        let permanent = || Field::value("t", Terms::Permanent, "permanent");
        let m = GroupMember {
            principal: dave.clone(),
            chain: vec![link(aks_admins(), permanent()), link(platform_team(), permanent())],
        };
        assert_eq!(membership(&m), Membership::Standing);
        assert_eq!(chain_display(&m), "aks-admins › platform-team › Dave");
        let mut m2 = m.clone();
        m2.chain[1].terms = Field::unknown("t", "denied");
        assert!(matches!(membership(&m2), Membership::Unknown(_)));
        m2.chain[0].terms = Field::value("t", Terms::TimeBound { end: "2025-06-02".into() }, "…");
        assert!(matches!(membership(&m2), Membership::Expiring(w) if w.contains("aks-admins: active until")));
        assert!(matches!(membership(&GroupMember { principal: dave, chain: vec![] }), Membership::Unknown(_)));
    }

    #[test]
    fn local_accounts_absent_means_enabled() {
        let mut c = hardened_aks();
        assert_eq!(local_accounts(&c), Some(false));
        absent(&mut c.authn.local_accounts_enabled);
        assert_eq!(local_accounts(&c), Some(true));
        unknown(&mut c.authn.local_accounts_enabled);
        assert_eq!(local_accounts(&c), None);
    }

    #[test]
    fn admin_paths_merge_grants_and_admin_group_ids() {
        let mut c = hardened_aks();
        let id = aks_admins().id.to_uppercase();
        set_list(&mut c.authn.admin_group_ids, &[&id, "9f9f9f9f-0000-0000-0000-000000000000"]);
        let grants = role_grants(&c).expect("collected");
        let paths = AdminPaths::of(&c, grants);
        assert!(paths.principals.is_empty() && paths.undetermined.is_empty());
        assert_eq!(paths.groups.len(), 2);
        let g = &paths.groups[0];
        assert_eq!(name(&g.principal), "aks-admins");
        assert_eq!(g.holds.len(), 2);
        assert!(g.how().ends_with("(active, permanent) and properties.aadProfile.adminGroupObjectIDs"), "{}", g.how());
        assert!(paths.groups[1].expanded.as_ref().is_err_and(|e| e.contains("was not expanded")));
    }
}
