//! IDN-002: the policies that would cover AKS sign-in by the cluster's admins are only in
//! report-only (`enabledForReportingButNotEnforced`) or `disabled` state.

use crate::catalog::ca::{Admins, Reach, is_enforced, policies, policy_evidence, targets_aks};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-002",
        slug: "aks-conditional-access-report-only",
        title: "AKS Conditional Access only in report-only or disabled state",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "A Conditional Access policy in report-only mode is evaluated and logged but never enforced, and a \
disabled one is not evaluated at all. Policies written for AKS are often left in report-only after a pilot, which \
looks like protection in the portal while every kubectl sign-in by the cluster's admins still succeeds from any \
device.",
        remediation: "Review the sign-in logs' Report-only tab for the listed policies to confirm they would not lock \
out legitimate admins (keep a break-glass account excluded), then switch them to On in Protection > Conditional \
Access (state enabled).",
        references: &[
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only",
            "https://learn.microsoft.com/azure/aks/access-control-managed-azure-ad",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let field = &c.entra.conditional_access;
    let list = match policies(field) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let admins = Admins::of(c);
    let (mut enforced, mut dormant, mut undecided) = (vec![], vec![], vec![]);
    for p in list.iter().filter(|p| targets_aks(p).is_ok()) {
        match admins.reach(p) {
            Reach::Covers if is_enforced(p) => enforced.push(p),
            Reach::Covers => dormant.push(p),
            Reach::Not(_) => {}
            Reach::Unknown(why) => undecided.push((p, why)),
        }
    }
    let names = |l: &[&crate::model::CaPolicy]| l.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    if !enforced.is_empty() {
        return Outcome::pass(
            format!(
                "Enabled Conditional Access policies cover AKS sign-in by the cluster's admins: {}.",
                names(&enforced)
            ),
            enforced.iter().map(|p| policy_evidence(field, p, "covers the cluster's admins, enforced")).collect(),
        );
    }
    let undecided_evidence = || -> Vec<Evidence> {
        undecided.iter().map(|(p, why)| policy_evidence(field, p, &format!("coverage unknown: {why}"))).collect()
    };
    // An enabled policy of unknown coverage may be the one that enforces.
    if undecided.iter().any(|(p, _)| is_enforced(p)) || (dormant.is_empty() && !undecided.is_empty()) {
        let listed: Vec<String> = undecided.iter().map(|(p, why)| format!("{} ({why})", p.name)).collect();
        let mut evidence = undecided_evidence();
        evidence.extend(dormant.iter().map(|p| policy_evidence(field, p, "covers the cluster's admins, not enforced")));
        return Outcome::unknown_because(
            format!(
                "Whether an enforced Conditional Access policy covers AKS sign-in by the cluster's admins cannot be told: {}.",
                listed.join("; ")
            ),
            evidence,
        );
    }
    if dormant.is_empty() {
        return Outcome::not_applicable(
            "No Conditional Access policy would cover AKS sign-in by the cluster's admins in any state; IDN-001 reports the gap.",
            vec![Evidence::of(field)],
        );
    }
    let mut evidence: Vec<Evidence> = dormant
        .iter()
        .map(|p| policy_evidence(field, p, "would cover the cluster's admins but is not enforced"))
        .collect();
    evidence.extend(undecided_evidence());
    Outcome::fail(
        format!(
            "Conditional Access policies that would cover AKS sign-in by the cluster's admins are not enforced (report-only or disabled): {}.",
            names(&dormant)
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn enforced_policy_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn report_only_aks_policy_fails_here_and_in_idn_001() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.state = "enabledForReportingButNotEnforced".into());
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.ends_with("(report-only or disabled): AKS: compliant device."), "{}", o.message);
        assert_eq!(run(&crate::catalog::idn_001::CHECK, &c).status, Status::Fail);
        edit_aks_ca(&mut c, |p| p.state = "disabled".into());
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn nothing_that_would_cover_is_not_applicable() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.include_applications = vec!["Office365".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        set_ca(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn undecided_coverage_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
        edit_aks_ca(&mut c, |p| {
            p.include_users.clear();
            p.include_groups = vec![aks_admins().id];
        });
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.state = "enabledForReportingButNotEnforced".into());
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Conditional Access policies that would cover AKS sign-in by the cluster's admins are not enforced (report-only or disabled): AKS: compliant device."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabledForReportingButNotEnforced): would cover the cluster's admins but is not enforced"
        "#);
    }
}
