//! IDN-005 (Entra tenant): enabled Conditional Access policies must act on sign-in risk medium
//! and high, and on user risk high (one policy or several).
//!
//! A policy *acts* when it is `enabled`, includes some users (`includeUsers: ["None"]` is not a
//! policy for users) and some application, and grants access only through a control (a
//! built-in control, an authentication strength, terms of use, a custom control; `block`
//! included): a risk policy with session controls only challenges nobody. Which users and apps
//! it covers is not judged here: the tenant-wide risk policies protect every app, AKS included.

use crate::catalog::ca::answer::{Answer, all, any};
use crate::catalog::ca::controls::{controls_text, enforced};
use crate::catalog::ca::{policies, policy_evidence, unrecognised};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::model::{CaPolicy, GuestsOrExternalUsers, Scope};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-005",
        slug: "entra-risk-policies-missing",
        title: "Entra ID risk-based Conditional Access missing",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Entra ID Protection scores each sign-in (password spray, anonymous IP, token replay, impossible \
travel) and each user (leaked credentials). Unless enabled Conditional Access policies act on medium or high sign-in \
risk and on high user risk, those detections only raise alerts: an attacker with a cluster admin's leaked password \
or stolen session is not challenged or blocked.",
        remediation: "In Protection > Conditional Access, create (or enable) a policy for All users with the condition \
Sign-in risk High and Medium granting access with multifactor authentication (or an authentication strength) and \
sign-in frequency Every time, and a policy with User risk High granting access with multifactor authentication and \
password change. Exclude only break-glass accounts.",
        references: &[
            "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-risk-policies",
            "https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-sign-in",
            "https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-user",
        ],
        compliance: &["seeds/000"],
    },
    cluster: None,
    scope: Some(eval_scope),
};

fn has(levels: &[String], level: &str) -> bool {
    levels.iter().any(|l| l.trim().eq_ignore_ascii_case(level))
}

/// Targets some users: `includeUsers: ["None"]` (or nothing) is not a policy for users.
fn targets_users(p: &CaPolicy) -> Answer {
    let Some(u) = &p.conditions.users else {
        return Answer::no("it has no users condition");
    };
    let guests = |g: &Option<GuestsOrExternalUsers>| {
        g.as_ref().is_some_and(|g| g.types.iter().any(|t| !t.trim().eq_ignore_ascii_case("none")))
    };
    let someone = u.include_users.iter().any(|x| !x.trim().eq_ignore_ascii_case("None"))
        || !u.include_groups.is_empty()
        || !u.include_roles.is_empty()
        || guests(&u.include_guests);
    if someone {
        return Answer::yes("");
    }
    if let Some(why) = unrecognised(p, "conditions.users", false) {
        return Answer::unknown(why);
    }
    Answer::no(format!("its users condition includes nobody (includeUsers [{}])", u.include_users.join(", ")))
}

/// Targets some application (or user action).
fn targets_apps(p: &CaPolicy) -> Answer {
    let Some(a) = &p.conditions.applications else {
        return Answer::no("it has no applications condition");
    };
    let some = a.include.iter().any(|x| !x.trim().eq_ignore_ascii_case("None"))
        || !a.user_actions.is_empty()
        || !a.authentication_contexts.is_empty();
    if some {
        return Answer::yes("");
    }
    if let Some(why) = unrecognised(p, "conditions.applications", false) {
        return Answer::unknown(why);
    }
    Answer::no(format!("its applications include none (includeApplications [{}])", a.include.join(", ")))
}

/// Grants access only through a control (or blocks): session controls alone challenge nobody.
fn has_grant(p: &CaPolicy) -> Answer {
    if let Some(why) = unrecognised(p, "grantControls", true) {
        return Answer::unknown(why);
    }
    match &p.grant {
        Some(g) if !controls_text(g).is_empty() => Answer::yes(controls_text(g)),
        _ => Answer::no("it has no grant control, so it challenges nobody"),
    }
}

/// Enforced, for some users and apps, with a grant control.
fn acts(p: &CaPolicy) -> Answer {
    all([enforced(p), targets_users(p), targets_apps(p), has_grant(p)])
}

/// The risk levels the catalog asks for: sign-in risk medium and high, user risk high.
const WANTED: [(&str, &str); 3] =
    [("signInRiskLevels", "medium"), ("signInRiskLevels", "high"), ("userRiskLevels", "high")];

fn levels<'a>(p: &'a CaPolicy, condition: &str) -> &'a [String] {
    if condition == "signInRiskLevels" { &p.conditions.sign_in_risk_levels } else { &p.conditions.user_risk_levels }
}

fn eval_scope(s: &Scope, _ctx: &Context) -> Outcome {
    let field = &s.conditional_access;
    let list = match policies(field) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let acting: Vec<Answer> = list.iter().map(acts).collect();
    let mut v = Verdicts::default();
    for (condition, level) in WANTED {
        let what = format!("{condition} {level}");
        let answers =
            list.iter().zip(&acting).filter(|(p, _)| has(levels(p, condition), level)).map(|(p, a)| match a {
                Answer::Yes(_) => Answer::yes(p.name.clone()),
                Answer::No(why) => Answer::no(format!("{}: {why}", p.name)),
                Answer::Unknown(why) => Answer::unknown(format!("{}: {why}", p.name)),
            });
        match any(answers) {
            Answer::Yes(names) => v.pass(format!("{what} ({names})"), vec![]),
            Answer::Unknown(why) => v.unknown(format!("{what} ({why})"), vec![]),
            Answer::No(why) if why.is_empty() => v.fail(format!("{what} (no policy has this condition)"), vec![]),
            Answer::No(why) => v.fail(format!("{what} ({why})"), vec![]),
        }
    }
    let shown = |p: &CaPolicy| {
        format!(
            "signInRiskLevels [{}] userRiskLevels [{}] grant [{}]",
            p.conditions.sign_in_risk_levels.join(", "),
            p.conditions.user_risk_levels.join(", "),
            p.grant.as_ref().map(controls_text).unwrap_or_default()
        )
    };
    let mut evidence: Vec<Evidence> = list
        .iter()
        .zip(&acting)
        .filter(|(p, _)| !p.conditions.sign_in_risk_levels.is_empty() || !p.conditions.user_risk_levels.is_empty())
        .map(|(p, a)| {
            let verdict = match a {
                Answer::Yes(_) => "acts".to_string(),
                Answer::No(why) => format!("does not act: {why}"),
                Answer::Unknown(why) => format!("unknown whether it acts: {why}"),
            };
            policy_evidence(field, p, &format!("{verdict}; {}", shown(p)))
        })
        .collect();
    if evidence.is_empty() {
        evidence
            .push(Evidence::new(field.path.to_string(), format!("{} (none with a risk condition)", field.observed())));
    }
    v.outcome(
        "No enabled Conditional Access policy acts on these risk levels in the tenant",
        "Whether enabled Conditional Access policies act on these risk levels cannot be told",
        "Enabled Conditional Access policies act on",
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use std::sync::Arc;

    fn tenant_with(policies: Vec<CaPolicy>) -> Scope {
        let mut s = clean_tenant();
        s.conditional_access = Field::value("conditionalAccess/policies", Arc::new(policies), "…");
        s
    }

    #[test]
    fn clean_tenant_passes() {
        let o = run_scope(&CHECK, &clean_tenant());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert_eq!(o.evidence.len(), 2);
    }

    #[test]
    fn no_risk_policies_fail() {
        let o = run_scope(&CHECK, &tenant_with(vec![aks_ca_policy()]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("signInRiskLevels medium (no policy has this condition)"), "{}", o.message);
        assert!(o.message.contains("userRiskLevels high"), "{}", o.message);
    }

    #[test]
    fn each_missing_level_is_named() {
        let mut policies = hardened_ca();
        policies[2].state = "enabledForReportingButNotEnforced".into();
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("userRiskLevels high (user-risk: not enforced"), "{}", o.message);
        assert!(!o.message.contains("signInRiskLevels"), "{}", o.message);
        let mut policies = hardened_ca();
        policies[1].conditions.sign_in_risk_levels = vec!["high".into()];
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert_eq!(o.status, Status::Fail, "medium sign-in risk is not acted on");
        assert!(o.message.contains("signInRiskLevels medium"), "{}", o.message);
    }

    #[test]
    fn one_policy_may_cover_both() {
        let mut p = hardened_ca()[1].clone();
        p.conditions.user_risk_levels = vec!["high".into()];
        assert_eq!(run_scope(&CHECK, &tenant_with(vec![p])).status, Status::Pass);
    }

    #[test]
    fn a_policy_for_no_users_or_without_a_grant_does_not_act() {
        let mut policies = hardened_ca();
        ca_users(&mut policies[1]).include_users = vec!["None".into()];
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("includes nobody (includeUsers [None])"), "{}", o.message);
        let mut policies = hardened_ca();
        policies[2].grant = None;
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("challenges nobody"), "{}", o.message);
        let mut policies = hardened_ca();
        policies[2].grant = Some(crate::model::CaGrant {
            operator: Some("OR".into()),
            built_in: vec!["block".into()],
            ..Default::default()
        });
        assert_eq!(run_scope(&CHECK, &tenant_with(policies)).status, Status::Pass, "block acts");
    }

    #[test]
    fn unknown_policies_or_states_are_unknown() {
        let mut s = clean_tenant();
        s.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run_scope(&CHECK, &s);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
        absent(&mut s.conditional_access);
        assert_eq!(run_scope(&CHECK, &s).status, Status::Unknown);
        let mut policies = hardened_ca();
        policies[2].state = "enabledForPilot".into();
        assert_eq!(run_scope(&CHECK, &tenant_with(policies)).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut policies = hardened_ca();
        policies[1].state = "disabled".into();
        policies.remove(2);
        insta::assert_yaml_snapshot!(run_scope(&CHECK, &tenant_with(policies)), @r#"
        status: fail
        message: "No enabled Conditional Access policy acts on these risk levels in the tenant: signInRiskLevels medium (sign-in-risk: not enforced (state disabled)); signInRiskLevels high (sign-in-risk: not enforced (state disabled)); userRiskLevels high (no policy has this condition)."
        evidence:
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state disabled): does not act: not enforced (state disabled); signInRiskLevels [high, medium] userRiskLevels [] grant [mfa]"
        "#);
    }
}
