//! IDN-002: for some admin of the cluster, the policies that would guard every one of its AKS
//! sign-ins are only in report-only (`enabledForReportingButNotEnforced`) or `disabled` state.
//! An admin no policy would guard in any state is IDN-001's gap, not this one's.

use crate::catalog::ca::answer::{Answer, all, any};
use crate::catalog::ca::applies::applies;
use crate::catalog::ca::controls::enforced;
use crate::catalog::ca::people::people;
use crate::catalog::ca::{nobody, policies, policy_evidence};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::model::CaPolicy;
use crate::outcome::Subject;

fn is_enforced(p: &CaPolicy) -> bool {
    enforced(p).is_yes()
}

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
    let people = people(c);
    if people.is_empty() {
        return nobody(field);
    }
    let mut v = Verdicts::default();
    let mut covers: Vec<Vec<&str>> = vec![Vec::new(); list.len()];
    let mut unguarded = Vec::new();
    for person in &people {
        let mut enforced_answers = Vec::new();
        let mut dormant = Vec::new();
        // Not enforced, and whether it would guard the admin is unknown.
        let mut maybe_dormant = Vec::new();
        for (i, p) in list.iter().enumerate() {
            let applies = applies(p, person);
            let state = enforced(p);
            if applies.is_yes() {
                covers[i].push(&person.label);
                if state.is_no() {
                    dormant.push(format!("{} (state {})", p.name, p.state));
                }
            } else if let (Answer::Unknown(why), true) = (&applies, state.is_no()) {
                maybe_dormant.push(format!("{} (state {}): {why}", p.name, p.state));
            }
            enforced_answers.push(all([state, applies]));
        }
        let subject = |status, reason: String| Subject::new(person.subject_id(), person.label.clone(), status, reason);
        match any(enforced_answers) {
            Answer::Yes(_) => {
                let names: Vec<&str> = list
                    .iter()
                    .zip(&covers)
                    .filter(|(p, who)| is_enforced(p) && who.contains(&person.label.as_str()))
                    .map(|(p, _)| p.name.as_str())
                    .collect();
                v.pass(format!("{} by {}", person.label, names.join(", ")), vec![]);
                v.subject(subject(Status::Pass, format!("enforced: {}", names.join(", "))));
            }
            Answer::Unknown(why) => {
                v.unknown(format!("{}: {why}", person.label), vec![]);
                v.subject(subject(Status::Unknown, why));
            }
            Answer::No(_) if !dormant.is_empty() => {
                v.fail(format!("{}: only {}", person.label, dormant.join(", ")), vec![]);
                v.subject(subject(Status::Fail, format!("only {}", dormant.join(", "))));
            }
            Answer::No(_) if !maybe_dormant.is_empty() => {
                let why = format!(
                    "whether these policies, not enforced, would guard it is unknown: {}",
                    maybe_dormant.join("; ")
                );
                v.unknown(format!("{}: {why}", person.label), vec![]);
                v.subject(subject(Status::Unknown, why));
            }
            Answer::No(_) => unguarded.push(person.label.clone()),
        }
    }
    let policy_lines: Vec<Evidence> = list
        .iter()
        .zip(&covers)
        .filter(|(_, who)| !who.is_empty())
        .map(|(p, who)| {
            let state = if is_enforced(p) { "enforced" } else { "not enforced" };
            policy_evidence(field, p, &format!("would guard every AKS sign-in of {} ({state})", who.join(", ")))
        })
        .collect();
    // Admins no policy would guard in any state are IDN-001's gap, not this one's: they are
    // named, and the others decide. Only when no admin has a policy that would guard it in any
    // state (nothing to judge here) does the check not apply.
    if unguarded.len() == people.len() {
        let mut evidence = vec![Evidence::new(
            field.path.to_string(),
            format!("no policy in any state would guard {} (IDN-001 reports it)", unguarded.join(", ")),
        )];
        evidence.extend(policy_lines);
        return Outcome::not_applicable(
            format!(
                "No Conditional Access policy, enforced or not, would guard every AKS sign-in of {}; IDN-001 reports the gap.",
                unguarded.join(", ")
            ),
            evidence,
        );
    }
    if !unguarded.is_empty() {
        v.note(Evidence::new(
            field.path.to_string(),
            format!("no policy in any state would guard {} (IDN-001 reports it)", unguarded.join(", ")),
        ));
    }
    v.outcome(
        "Conditional Access policies that would guard the AKS sign-ins of these admins are not enforced (report-only or disabled)",
        "Whether an enforced Conditional Access policy guards the AKS sign-ins of these admins cannot be told",
        "Enforced Conditional Access policies guard the AKS sign-ins of the cluster's admins",
        policy_lines,
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
        assert!(
            o.message.contains("only AKS: compliant device (state enabledForReportingButNotEnforced)"),
            "{}",
            o.message
        );
        assert_eq!(run(&crate::catalog::idn_001::CHECK, &c).status, Status::Fail);
        edit_aks_ca(&mut c, |p| p.state = "disabled".into());
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn nothing_that_would_cover_is_not_applicable() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| ca_apps(p).include = vec!["Office365".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        set_ca(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    /// Alice and Dave are admins; the AKS policy excludes Dave.
    fn dave_excluded() -> Cluster {
        use crate::model::Terms;
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), dave(), Terms::Permanent);
        set_member_of(&mut c, &dave().id, memberships(&[&aks_admins().id], &[]));
        edit_aks_ca(&mut c, |p| ca_users(p).exclude_users = vec![dave().id]);
        c
    }

    #[test]
    fn an_admin_no_policy_would_guard_is_idn_001s_gap_the_others_decide() {
        // Alice is guarded by an enforced policy, Dave by none in any state: pass (IDN-001 fails).
        let c = dave_excluded();
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.evidence.iter().any(|e| e.observed.contains("Dave Ops")), "{o:?}");
        assert_eq!(run(&crate::catalog::idn_001::CHECK, &c).status, Status::Fail);
        let mut c = dave_excluded();
        edit_aks_ca(&mut c, |p| p.state = "disabled".into());
        assert_eq!(run(&CHECK, &c).status, Status::Fail, "Alice is guarded only by a disabled policy");
        // Nobody is guarded by a policy in any state: nothing to judge here.
        let mut c = dave_excluded();
        edit_aks_ca(&mut c, |p| ca_users(p).exclude_users = vec![dave().id, alice().id]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::NotApplicable, "{o:?}");
        assert!(o.message.contains("Dave Ops") && o.message.contains("Alice"), "{}", o.message);
    }

    #[test]
    fn a_dormant_policy_that_may_guard_an_unguarded_admin_is_unknown() {
        // Dave is excluded from the enforced policy; a report-only policy names a group whose
        // membership for Dave is not known: it may be his dormant guard.
        let mut c = dave_excluded();
        let mut dormant = aks_ca_policy();
        dormant.id = "ca-dormant".into();
        dormant.state = "enabledForReportingButNotEnforced".into();
        *ca_users(&mut dormant) = crate::model::CaUsers {
            include_groups: vec!["0e0e0e0e-0000-0000-0000-000000000000".into()],
            ..Default::default()
        };
        let mut list = c.entra.conditional_access.get().map(|l| l.to_vec()).unwrap_or_default();
        list.push(dormant);
        set_ca(&mut c, list);
        set_member_of(&mut c, &dave().id, Field::unknown("transitiveMemberOf", "403"));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        assert!(o.message.contains("not enforced"), "{}", o.message);
    }

    #[test]
    fn undecided_coverage_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
        edit_aks_ca(&mut c, |p| {
            *ca_users(p) = crate::model::CaUsers { include_groups: vec![aks_admins().id], ..Default::default() }
        });
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        edit_aks_ca(&mut c, |p| p.state = "enabledForPilot".into());
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
        message: "Conditional Access policies that would guard the AKS sign-ins of these admins are not enforced (report-only or disabled): Alice Admin (User a11ce000-0000-0000-0000-000000000001): only AKS: compliant device (state enabledForReportingButNotEnforced)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabledForReportingButNotEnforced): would guard every AKS sign-in of Alice Admin (User a11ce000-0000-0000-0000-000000000001) (not enforced)"
        subjects:
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (User a11ce000-0000-0000-0000-000000000001)
            status: fail
            reason: "only AKS: compliant device (state enabledForReportingButNotEnforced)"
        "#);
    }
}
