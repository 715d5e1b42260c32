//! IDN-004: no enabled Conditional Access policy covering AKS sign-in by the cluster's admins
//! sets a sign-in frequency at or below `ca_max_sign_in_frequency_hours` (default 8).

use crate::catalog::ca::{Messages, judge_enforced};
use crate::catalog::prelude::*;
use crate::model::CaPolicy;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-004",
        slug: "aks-sign-in-frequency",
        title: "AKS sign-in frequency too long",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Without a sign-in frequency session control, the refresh token cached by kubelogin keeps issuing \
AKS tokens for up to 90 days without asking the admin to sign in again, so the device and MFA checks of Conditional \
Access are rarely repeated and a copied token cache stays useful for a long time. Forcing a new sign-in every few \
hours (8 by default) bounds that window to a working day.",
        remediation: "In the Conditional Access policy for AKS, under Session, enable Sign-in frequency and set it to \
8 hours or less (or Every time). The threshold is ca_max_sign_in_frequency_hours.",
        references: &[
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime",
            "https://learn.microsoft.com/azure/aks/access-control-managed-azure-ad",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

fn frequency(p: &CaPolicy, max: u32) -> Result<String, String> {
    if p.sign_in_every_time {
        return Ok("sign-in frequency every time".into());
    }
    match p.sign_in_frequency_hours {
        Some(h) if h <= max => Ok(format!("sign-in frequency {h} h (at most {max} h)")),
        Some(h) => Err(format!("its sign-in frequency of {h} h is longer than {max} h")),
        None => Err("it sets no sign-in frequency".into()),
    }
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let max = ctx.thresholds.ca_max_sign_in_frequency_hours;
    judge_enforced(
        c,
        |p| frequency(p, max),
        &Messages {
            pass: "AKS sign-in by every admin of the cluster is re-checked often enough",
            fail: "No enabled Conditional Access policy covering AKS sign-in by the cluster's admins sets a sign-in frequency within ca_max_sign_in_frequency_hours",
            unknown: "Whether AKS sign-in by every admin is re-checked often enough cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn four_hours_pass() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(o.evidence[0].observed.contains("sign-in frequency 4 h (at most 8 h)"));
    }

    #[test]
    fn every_time_passes_and_threshold_is_configurable() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| {
            p.sign_in_frequency_hours = None;
            p.sign_in_every_time = true;
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        edit_aks_ca(&mut c, |p| p.sign_in_frequency_hours = Some(8));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "8 h is at the threshold");
        let mut ctx = ctx();
        ctx.thresholds.ca_max_sign_in_frequency_hours = 4;
        assert_eq!(eval(&c, &ctx).status, Status::Fail);
    }

    #[test]
    fn day_long_or_missing_frequency_fails() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.sign_in_frequency_hours = Some(24));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("24 h is longer than 8 h"));
        edit_aks_ca(&mut c, |p| p.sign_in_frequency_hours = None);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn unknown_policies_are_unknown() {
        let mut c = hardened_aks();
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.sign_in_frequency_hours = Some(24));
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enabled Conditional Access policy covering AKS sign-in by the cluster's admins sets a sign-in frequency within ca_max_sign_in_frequency_hours: 3 policies considered, none counts (see the evidence)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: its sign-in frequency of 24 h is longer than 8 h"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [high, medium], userRiskLevels [])"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [], userRiskLevels [high])"
        "#);
    }
}
