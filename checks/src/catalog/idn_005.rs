//! IDN-005 (Entra tenant): no enabled Conditional Access policy acts on sign-in risk (medium or
//! high), or none acts on user risk (high).
//!
//! A policy *acts* when it is `enabled`, its users condition is not empty, and it grants access
//! only through a control (`builtInControls` or an authentication strength; `block` included): a
//! risk policy with session controls only challenges nobody. Applications are not restricted
//! here: the tenant-wide risk policies protect every app, AKS included.

use crate::catalog::ca::{is_enforced, policies, policy_evidence};
use crate::catalog::prelude::*;
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

fn has(levels: &[String], wanted: &[&str]) -> bool {
    levels.iter().any(|l| is_one_of(l, wanted))
}

/// Enforced, applies to someone, and grants only with a control (or blocks).
fn acts(p: &CaPolicy) -> bool {
    let users = !(p.include_users.is_empty() && p.include_groups.is_empty() && p.include_roles.is_empty());
    let control = !p.grant_controls.is_empty() || p.authentication_strength.is_some();
    is_enforced(p) && users && control
}

fn eval_scope(s: &Scope, _ctx: &Context) -> Outcome {
    let field = &s.conditional_access;
    let list = match policies(field) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let sign_in: Vec<&CaPolicy> =
        list.iter().filter(|p| acts(p) && has(&p.sign_in_risk_levels, &["medium", "high"])).collect();
    let user: Vec<&CaPolicy> = list.iter().filter(|p| acts(p) && has(&p.user_risk_levels, &["high"])).collect();
    let shown = |p: &CaPolicy| {
        format!(
            "signInRiskLevels [{}] userRiskLevels [{}] builtInControls [{}]",
            p.sign_in_risk_levels.join(", "),
            p.user_risk_levels.join(", "),
            p.grant_controls.join(", ")
        )
    };
    let mut missing = vec![];
    if sign_in.is_empty() {
        missing.push("sign-in risk (medium or high)");
    }
    if user.is_empty() {
        missing.push("user risk (high)");
    }
    let names = |l: &[&CaPolicy]| l.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    if missing.is_empty() {
        let mut counted = sign_in.clone();
        counted.extend(user.iter().filter(|p| !sign_in.iter().any(|q| q.id == p.id)));
        return Outcome::pass(
            format!(
                "Enabled Conditional Access policies act on sign-in risk ({}) and user risk ({}).",
                names(&sign_in),
                names(&user)
            ),
            counted.iter().map(|p| policy_evidence(field, p, &format!("acts on {}", shown(p)))).collect(),
        );
    }
    // Show every policy with a risk condition, and why it does not act, besides those that do.
    let mut evidence: Vec<Evidence> = list
        .iter()
        .filter(|p| !p.sign_in_risk_levels.is_empty() || !p.user_risk_levels.is_empty())
        .map(|p| {
            let verdict = if acts(p) {
                "acts".to_string()
            } else if !is_enforced(p) {
                "does not act: not enforced".to_string()
            } else {
                "does not act: no users or no grant control".to_string()
            };
            policy_evidence(field, p, &format!("{verdict}; {}", shown(p)))
        })
        .collect();
    if evidence.is_empty() {
        evidence
            .push(Evidence::new(field.path.to_string(), format!("{} (none with a risk condition)", field.observed())));
    }
    Outcome::fail(
        format!("No enabled Conditional Access policy acts on {} in the tenant.", missing.join(" or on ")),
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
        assert!(o.message.contains("sign-in risk (medium or high) or on user risk (high)"), "{}", o.message);
    }

    #[test]
    fn each_missing_half_is_named() {
        let mut policies = hardened_ca();
        policies[2].state = "enabledForReportingButNotEnforced".into();
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.ends_with("acts on user risk (high) in the tenant."), "{}", o.message);
        let mut policies = hardened_ca();
        policies[1].sign_in_risk_levels = vec!["low".into()];
        let o = run_scope(&CHECK, &tenant_with(policies));
        assert!(o.message.ends_with("acts on sign-in risk (medium or high) in the tenant."), "{}", o.message);
    }

    #[test]
    fn one_policy_may_cover_both() {
        let mut p = hardened_ca()[1].clone();
        p.user_risk_levels = vec!["high".into()];
        assert_eq!(run_scope(&CHECK, &tenant_with(vec![p])).status, Status::Pass);
    }

    #[test]
    fn unknown_policies_are_unknown() {
        let mut s = clean_tenant();
        s.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run_scope(&CHECK, &s);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
        absent(&mut s.conditional_access);
        assert_eq!(run_scope(&CHECK, &s).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut policies = hardened_ca();
        policies[1].state = "disabled".into();
        policies.remove(2);
        insta::assert_yaml_snapshot!(run_scope(&CHECK, &tenant_with(policies)), @r#"
        status: fail
        message: No enabled Conditional Access policy acts on sign-in risk (medium or high) or on user risk (high) in the tenant.
        evidence:
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state disabled): does not act: not enforced; signInRiskLevels [high, medium] userRiskLevels [] builtInControls [mfa]"
        "#);
    }
}
