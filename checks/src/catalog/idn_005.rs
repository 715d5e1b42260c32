//! IDN-005 (Entra tenant): enabled Conditional Access policies must act on sign-in risk medium
//! and high, and on user risk high (one policy or several).
//!
//! A policy *acts* on a risk level when it is `enabled`, has that level in its risk condition,
//! applies to someone and to every sign-in to the AKS server app at that risk — the one
//! evaluator's users, applications and narrowing rules (`ca::applies`), with its own risk
//! condition as the only narrowing allowed — and grants access only through a control (a
//! built-in control, an authentication strength, terms of use, a custom control; `block`
//! included): a risk policy with session controls only challenges nobody.

use crate::catalog::ca::answer::{Answer, all, any};
use crate::catalog::ca::applies::{applications, includes_someone, narrowing_besides};
use crate::catalog::ca::controls::{controls_text, enforced};
use crate::catalog::ca::{policies, policy_evidence, unrecognised};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::model::{CaPolicy, Scope};

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

/// Enforced, for someone, on every AKS sign-in at the risk of `condition`, with a grant control.
fn acts(p: &CaPolicy, condition: &str) -> Answer {
    all([enforced(p), includes_someone(p), applications(p), narrowing_besides(p, Some(condition)), has_grant(p)])
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
    let acting = |condition: &str| -> Vec<Answer> { list.iter().map(|p| acts(p, condition)).collect() };
    let (sign_in, user) = (acting("signInRiskLevels"), acting("userRiskLevels"));
    let mut v = Verdicts::default();
    for (condition, level) in WANTED {
        let what = format!("{condition} {level}");
        let acting = if condition == "signInRiskLevels" { &sign_in } else { &user };
        let answers = list.iter().zip(acting).filter(|(p, _)| has(levels(p, condition), level)).map(|(p, a)| match a {
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
        .zip(sign_in.iter().zip(&user))
        .filter(|(p, _)| !p.conditions.sign_in_risk_levels.is_empty() || !p.conditions.user_risk_levels.is_empty())
        .map(|(p, (s, u))| {
            let a = if p.conditions.sign_in_risk_levels.is_empty() { u } else { s };
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
    use crate::model::{CaUsers, ObjectKinds};
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
    fn one_policy_with_both_conditions_acts_only_when_both_hold() {
        // Conditions combine with AND: sign-in risk medium with low user risk is not acted on.
        let mut p = hardened_ca()[1].clone();
        p.conditions.user_risk_levels = vec!["high".into()];
        let o = run_scope(&CHECK, &tenant_with(vec![p]));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("it applies only at userRiskLevels [high]"), "{}", o.message);
    }

    const GROUP: &str = "0e0e0e0e-0000-0000-0000-000000000000";
    const USER: &str = "a11ce000-0000-0000-0000-000000000001";

    /// The hardened tenant's risk policies with `users` as their users condition.
    fn risk_for(users: CaUsers, objects: ObjectKinds) -> Scope {
        let mut policies = hardened_ca();
        for p in &mut policies[1..] {
            *ca_users(p) = CaUsers { objects: objects.clone(), ..users.clone() };
        }
        tenant_with(policies)
    }

    fn kinds(found: &[(&str, &str)]) -> ObjectKinds {
        let mut k = ObjectKinds::resolved(found.iter().map(|(i, k)| (i.to_string(), k.to_string())).collect());
        k.populated.insert(GROUP.into(), Ok(true));
        k
    }

    #[test]
    fn who_a_risk_policy_applies_to_is_the_directorys_answer() {
        let users = |list: &[&str]| CaUsers {
            include_users: list.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let groups = |list: &[&str]| CaUsers {
            include_groups: list.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let known = kinds(&[(GROUP, "Group"), (USER, "User")]);
        // A group's id in includeUsers: Graph matches includeUsers against users only.
        let o = run_scope(&CHECK, &risk_for(users(&[GROUP]), known.clone()));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("is not a user (Graph matches includeUsers against users only)"), "{}", o.message);
        // A user's id, or the group in includeGroups, is somebody.
        assert_eq!(run_scope(&CHECK, &risk_for(users(&[USER]), known.clone())).status, Status::Pass);
        assert_eq!(run_scope(&CHECK, &risk_for(groups(&[GROUP]), known.clone())).status, Status::Pass);
        // A user's id in includeGroups, or a deleted object's id, is nobody.
        assert_eq!(run_scope(&CHECK, &risk_for(groups(&[USER]), known.clone())).status, Status::Fail);
        assert_eq!(run_scope(&CHECK, &risk_for(users(&[USER]), kinds(&[]))).status, Status::Fail);
        // The one user included is excluded too.
        let out = CaUsers { exclude_users: vec![USER.into()], ..users(&[USER]) };
        assert_eq!(run_scope(&CHECK, &risk_for(out, known)).status, Status::Fail);
        // A group nobody is in or eligible for is nobody; not knowing is unknown.
        let mut empty = kinds(&[(GROUP, "Group")]);
        empty.populated.insert(GROUP.into(), Ok(false));
        let o = run_scope(&CHECK, &risk_for(groups(&[GROUP]), empty.clone()));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("a group nobody is in or eligible for"), "{}", o.message);
        empty.populated.insert(GROUP.into(), Err("members: 403".into()));
        assert_eq!(run_scope(&CHECK, &risk_for(groups(&[GROUP]), empty.clone())).status, Status::Unknown);
        empty.populated.clear();
        assert_eq!(run_scope(&CHECK, &risk_for(groups(&[GROUP]), empty)).status, Status::Unknown);
        // Kinds not read: unknown, never a pass.
        let o = run_scope(&CHECK, &risk_for(users(&[GROUP]), ObjectKinds::default()));
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        let o = run_scope(&CHECK, &risk_for(groups(&[GROUP]), ObjectKinds::default()));
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        // Directory roles: Global Administrator is always held; whether others are is not known.
        let roles = |r: &str| CaUsers { include_roles: vec![r.into()], ..Default::default() };
        let ga = "62e90394-69f5-4237-9190-012177145e10";
        assert_eq!(run_scope(&CHECK, &risk_for(roles(ga), kinds(&[]))).status, Status::Pass);
        let reader = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
        assert_eq!(run_scope(&CHECK, &risk_for(roles(reader), kinds(&[]))).status, Status::Unknown);
    }

    #[test]
    fn a_risk_policy_that_leaves_out_aks_sign_ins_does_not_act() {
        for (what, edit) in [
            ("Office365 only", (|p: &mut CaPolicy| ca_apps(p).include = vec!["Office365".into()]) as fn(&mut CaPolicy)),
            ("AKS excluded", |p| ca_apps(p).exclude = vec![crate::azure_rbac::AKS_SERVER_APP_ID.into()]),
            ("trusted locations left out", |p| {
                p.conditions.locations = Some(crate::model::IncludeExclude {
                    include: vec!["All".into()],
                    exclude: vec!["AllTrusted".into()],
                })
            }),
            ("legacy clients only", |p| {
                p.conditions.client_app_types = vec!["exchangeActiveSync".into(), "other".into()]
            }),
        ] {
            let mut policies = hardened_ca();
            edit(&mut policies[1]);
            let o = run_scope(&CHECK, &tenant_with(policies));
            assert_eq!(o.status, Status::Fail, "{what}: {o:?}");
            assert!(o.message.contains("signInRiskLevels medium (sign-in-risk: "), "{what}: {}", o.message);
        }
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
