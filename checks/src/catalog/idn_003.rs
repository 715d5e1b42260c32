//! IDN-003: some admin of the cluster has no enforced Conditional Access policy that guards every
//! one of its AKS sign-ins and *requires* a compliant or domain-joined device (with `OR`, every
//! alternative must be one).

use crate::catalog::ca::controls::{Need, requires};
use crate::catalog::ca::{Messages, judge};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-003",
        slug: "aks-conditional-access-no-device-compliance",
        title: "AKS Conditional Access does not require a compliant device",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "MFA proves who signs in, not from what. An admin who passes MFA on an unmanaged or infected laptop \
hands that machine a token that acts as cluster admin. Requiring an Intune-compliant (or hybrid-joined) device limits \
kubectl access to managed machines whose health is checked, and a device that turns non-compliant (for example when \
Defender for Endpoint reports malware) loses access at its next token request. A policy that offers the device check \
only as an alternative (OR) to MFA does not enforce it.",
        remediation: "In the Conditional Access policy for AKS, under Grant, select Require device to be marked as \
compliant (or Require Microsoft Entra hybrid joined device) together with MFA and choose Require all the selected \
controls; enrol the admins' devices in Intune with a compliance policy. Isolate a compromised device at once: a token \
already issued stays valid for 60 to 90 minutes.",
        references: &[
            "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-device-compliance",
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant",
            "https://learn.microsoft.com/azure/aks/access-control-managed-azure-ad",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge(
        c,
        |p| requires(p, Need::Device),
        &Messages {
            pass: "Every AKS sign-in of every admin of the cluster requires a compliant or domain-joined device",
            fail: "No enforced Conditional Access policy requires a compliant or domain-joined device on every AKS sign-in of these admins of the cluster",
            unknown: "Whether every AKS sign-in of these admins requires a compliant device cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn controls(c: &mut Cluster, op: Option<&str>, built_in: &[&str]) {
        edit_aks_ca(c, |p| {
            ca_grant(p).operator = op.map(String::from);
            ca_grant(p).built_in = built_in.iter().map(|s| s.to_string()).collect();
        });
    }

    #[test]
    fn compliant_device_and_mfa_pass() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(
            o.evidence[0].observed.contains("requires compliantDevice (AND of mfa, compliantDevice)"),
            "{:?}",
            o.evidence
        );
    }

    #[test]
    fn device_alone_or_either_device_passes() {
        let mut c = hardened_aks();
        controls(&mut c, Some("OR"), &["compliantDevice", "domainJoinedDevice"]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        controls(&mut c, None, &["domainJoinedDevice"]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn mfa_without_device_fails() {
        let mut c = hardened_aks();
        controls(&mut c, Some("AND"), &["mfa"]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.evidence[0].observed.contains("requires none of a compliant or domain-joined device"),
            "{:?}",
            o.evidence
        );
        assert_eq!(run(&crate::catalog::idn_001::CHECK, &c).status, Status::Pass, "IDN-001 is satisfied by MFA");
    }

    #[test]
    fn device_or_mfa_does_not_count() {
        let mut c = hardened_aks();
        controls(&mut c, Some("OR"), &["mfa", "compliantDevice"]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.evidence[0].observed.contains("alternative that is not a compliant or domain-joined device"),
            "{:?}",
            o.evidence
        );
    }

    #[test]
    fn unknown_policies_are_unknown() {
        let mut c = hardened_aks();
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
        let mut c = hardened_aks();
        controls(&mut c, Some("AND"), &["unknownFutureValue"]);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        controls(&mut c, Some("OR"), &["mfa", "compliantDevice"]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enforced Conditional Access policy requires a compliant or domain-joined device on every AKS sign-in of these admins of the cluster: Alice Admin (User a11ce000-0000-0000-0000-000000000001)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: it lets a sign-in through with an alternative that is not a compliant or domain-joined device (mfa, compliantDevice, operator OR): mfa is not a compliant or domain-joined device"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it requires none of a compliant or domain-joined device (mfa): mfa is not a compliant or domain-joined device"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it requires none of a compliant or domain-joined device (mfa): mfa is not a compliant or domain-joined device"
        subjects:
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (User a11ce000-0000-0000-0000-000000000001)
            status: fail
            reason: no enforced policy guards every sign-in
        "#);
    }
}
