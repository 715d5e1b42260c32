//! IDN-004: some admin of the cluster has no enforced Conditional Access policy that guards every
//! one of its AKS sign-ins with a sign-in frequency at or below `ca_max_sign_in_frequency_hours`
//! (default 8; `hours` or `days`, or every time; any other unit is unknown).

use crate::catalog::ca::controls::sign_in_frequency;
use crate::catalog::ca::{Messages, judge};
use crate::catalog::prelude::*;

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

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let max = ctx.thresholds.ca_max_sign_in_frequency_hours;
    judge(
        c,
        |p| sign_in_frequency(p, max),
        &Messages {
            pass: "Every AKS sign-in of every admin of the cluster is re-checked often enough",
            fail: "No enforced Conditional Access policy guarding every AKS sign-in sets a sign-in frequency within ca_max_sign_in_frequency_hours for these admins of the cluster",
            unknown: "Whether the AKS sign-ins of these admins are re-checked often enough cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SignInFrequency;
    use crate::testing::*;

    fn frequency(c: &mut Cluster, edit: impl FnOnce(&mut SignInFrequency)) {
        edit_aks_ca(c, |p| edit(p.session.sign_in_frequency.as_mut().expect("set")));
    }

    #[test]
    fn four_hours_pass() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(o.evidence[0].observed.contains("sign-in frequency 4 h (at most 8 h)"), "{:?}", o.evidence);
    }

    #[test]
    fn every_time_passes_and_threshold_is_configurable() {
        let mut c = hardened_aks();
        frequency(&mut c, |f| {
            f.interval = Some("everyTime".into());
            f.value = None;
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        frequency(&mut c, |f| f.value = Some(8));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "8 h is at the threshold");
        let mut ctx = ctx();
        ctx.thresholds.ca_max_sign_in_frequency_hours = 4;
        assert_eq!(eval(&c, &ctx).status, Status::Fail);
    }

    #[test]
    fn a_day_or_no_frequency_fails() {
        let mut c = hardened_aks();
        frequency(&mut c, |f| {
            f.value = Some(1);
            f.unit = Some("days".into());
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("1 day(s) = 24 h is longer than 8 h"), "{:?}", o.evidence);
        edit_aks_ca(&mut c, |p| p.session = Default::default());
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn an_unknown_unit_is_unknown_never_hours() {
        let mut c = hardened_aks();
        frequency(&mut c, |f| f.unit = Some("minutes".into()));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        assert!(o.message.contains("'minutes'"), "{}", o.message);
        frequency(&mut c, |f| f.unit = None);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
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
        frequency(&mut c, |f| f.value = Some(24));
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enforced Conditional Access policy guarding every AKS sign-in sets a sign-in frequency within ca_max_sign_in_frequency_hours for these admins of the cluster: Alice Admin (User a11ce000-0000-0000-0000-000000000001)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: its sign-in frequency of 24 h is longer than 8 h"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it sets no sign-in frequency"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it sets no sign-in frequency"
        subjects:
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (User a11ce000-0000-0000-0000-000000000001)
            status: fail
            reason: no enforced policy guards every sign-in
        "#);
    }
}
