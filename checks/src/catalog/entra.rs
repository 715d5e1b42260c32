//! Azure identity helpers shared by AUTH-002 and the IDN checks: evidence text for role
//! assignments and the PIM-for-Groups policy judgement of IDN-008…010. The admin paths
//! themselves are [`crate::admins`].

pub use crate::admins::{
    AdminModel, GapOn, Hold, Kind, Person, Root, Route, Tenure, is_group, is_service_principal, name, role_name,
    same_id, terms_text,
};
use crate::catalog::verdicts::Verdicts;
use crate::field::{Field, Obs};
use crate::model::{Cluster, EntraGroup, PimPolicy, RoleGrant};
use crate::outcome::{Evidence, Outcome, Subject};

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

/// The cluster's admin model, or the `unknown` outcome when its role assignments could not be
/// collected.
pub fn admin_model(c: &Cluster) -> Result<AdminModel<'_>, Outcome> {
    role_grants(c)?;
    AdminModel::of(c).map_err(Outcome::unknown)
}

/// `principal=… role=… scope=… terms=…`.
pub fn grant_line(g: &RoleGrant) -> String {
    format!("principal={} role={} scope={} terms={}", g.principal.label(), role_name(g), g.scope, terms_text(&g.terms))
}

pub fn grant_evidence(g: &RoleGrant) -> Evidence {
    Evidence::new(g.path.clone(), grant_line(g))
}

/// Evidence of one route to a person: the grant, or the membership path below a group.
pub fn route_evidence(p: &Person, r: &Route) -> Evidence {
    let label = p.principal.label();
    match &r.root {
        None => Evidence::new(r.hold.path(), format!("principal={label} {} ({})", r.hold.describe(), r.hold.why)),
        Some(g) => Evidence::new(
            format!("groups[{}].members[{}]", g.id, p.principal.id),
            format!("principal={label} {} — {} ({})", r.short(), r.how(), r.hold.why),
        ),
    }
}

/// How one group's PIM policy fares on one rule.
pub enum PimVerdict {
    Pass(String),
    Fail(String),
    Unknown(String),
}

/// IDN-008…010: judge the PIM-for-Groups policy (`member` role) of every group whose members
/// are cluster admins — the groups holding admin themselves, and any group on an admin path
/// whose PIM eligibility leads to admin (a nested group, a group eligible for an admin group) —
/// on one rule. `rule` is the rule's path under the policy; `judge` returns the verdict and the
/// value shown. Not applicable only when it is known that no group holds admin.
pub fn judge_pim(
    c: &Cluster,
    rule: &str,
    judge: impl Fn(&PimPolicy) -> (PimVerdict, String),
    messages: [&str; 3],
) -> Outcome {
    let m = match admin_model(c) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let mut v = Verdicts::default();
    let mut judged: Vec<String> = vec![];
    let mut judge_group = |v: &mut Verdicts, g: &EntraGroup| {
        let id = crate::admins::key(&g.group.id);
        if judged.contains(&id) {
            return;
        }
        judged.push(id);
        let label = g.group.label();
        let policy = &g.pim_policy;
        let (status, why, ev) = match &policy.obs {
            Obs::Value { value, .. } => {
                let (verdict, shown) = judge(value);
                let ev = vec![Evidence::new(format!("{}.{rule}", value.path), format!("group={label} value={shown}"))];
                match verdict {
                    PimVerdict::Pass(why) => (crate::Status::Pass, why, ev),
                    PimVerdict::Fail(why) => (crate::Status::Fail, why, ev),
                    PimVerdict::Unknown(why) => (crate::Status::Unknown, why, ev),
                }
            }
            Obs::Unknown { reason } => (
                crate::Status::Unknown,
                format!("the PIM policy could not be read ({reason})"),
                vec![Evidence::new(policy.path.to_string(), format!("group={label} {}", policy.observed()))],
            ),
            Obs::Absent => (
                crate::Status::Fail,
                "no PIM-for-Groups policy for the member role was found".to_string(),
                vec![Evidence::new(policy.path.to_string(), format!("group={label} (absent)"))],
            ),
        };
        v.subject(Subject::new(g.group.id.clone(), label, status, why.clone()));
        let what = format!("{}: {why}", name(&g.group));
        match status {
            crate::Status::Pass => v.pass(what, ev),
            crate::Status::Fail => v.fail(what, ev),
            _ => v.unknown(what, ev),
        }
    };
    for root in m.admin_roots() {
        match &root.node {
            Ok(n) => judge_group(&mut v, n),
            Err(why) => {
                let label = root.principal.label();
                v.subject(Subject::new(root.principal.id.clone(), label.clone(), crate::Status::Unknown, why.clone()));
                v.unknown(
                    format!("{}: its PIM policy could not be read ({why})", name(&root.principal)),
                    vec![Evidence::new(format!("groups[{}]", root.principal.id), format!("group={label} {why}"))],
                );
            }
        }
    }
    for g in &m.eligibility_groups {
        judge_group(&mut v, g);
    }
    for gap in m.gaps_at(Kind::Admin, Tenure::Eligible).filter(|g| g.hides_groups) {
        v.unknown(
            format!("other groups holding admin may not be known: {}", gap.what),
            vec![Evidence::new(gap.path.clone(), gap.what.clone())],
        );
    }
    if v.is_empty() {
        return Outcome::not_applicable(
            "No group holds cluster admin, so no PIM-for-Groups policy applies.",
            vec![Evidence::of(&c.entra.role_grants), Evidence::of(&c.authn.admin_group_ids)],
        );
    }
    let [fail, unknown, pass] = messages;
    v.outcome(fail, unknown, pass, vec![])
}
