//! IDN-003: no enabled Conditional Access policy covering AKS sign-in by the cluster's admins
//! *requires* a compliant or domain-joined device.

use crate::catalog::ca::{Messages, judge_enforced};
use crate::catalog::prelude::*;
use crate::model::CaPolicy;

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

const DEVICE: [&str; 2] = ["compliantDevice", "domainJoinedDevice"];

/// The policy requires a managed device: a device control, and either the operator is `AND` or
/// every control (authentication strength included) is a device control.
fn requires_device(p: &CaPolicy) -> Result<String, String> {
    let controls: Vec<&str> = p.grant_controls.iter().map(|c| c.trim()).collect();
    let (device, others): (Vec<&str>, Vec<&str>) = controls.iter().partition(|c| is_one_of(c, &DEVICE));
    let mut others: Vec<String> = others.iter().map(|c| c.to_string()).collect();
    if let Some(s) = &p.authentication_strength {
        others.push(format!("authenticationStrength {s}"));
    }
    if device.is_empty() {
        return Err(format!(
            "it requires no compliant or domain-joined device (builtInControls [{}]); MFA alone lets an unmanaged or infected laptop in",
            controls.join(", ")
        ));
    }
    let op = p.grant_operator.as_deref().unwrap_or("(none)").trim();
    if op.eq_ignore_ascii_case("AND") || others.is_empty() {
        return Ok(format!("requires {} (operator {op})", device.join(" or ")));
    }
    Err(format!(
        "it offers {} only as an alternative (operator {op}) to {}: with MFA alone an unmanaged laptop gets in",
        device.join(", "),
        others.join(", ")
    ))
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge_enforced(
        c,
        requires_device,
        &Messages {
            pass: "AKS sign-in by every admin of the cluster requires a compliant or domain-joined device",
            fail: "No enabled Conditional Access policy covering AKS sign-in by the cluster's admins requires a compliant or domain-joined device",
            unknown: "Whether AKS sign-in by every admin requires a compliant device cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn compliant_device_and_mfa_pass() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(o.evidence[0].observed.contains("requires compliantDevice (operator AND)"), "{:?}", o.evidence);
    }

    #[test]
    fn device_alone_or_either_device_passes() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| {
            p.grant_operator = Some("OR".into());
            p.grant_controls = vec!["compliantDevice".into(), "domainJoinedDevice".into()];
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        edit_aks_ca(&mut c, |p| {
            p.grant_operator = None;
            p.grant_controls = vec!["domainJoinedDevice".into()];
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn mfa_without_device_fails() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.grant_controls = vec!["mfa".into()]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("requires no compliant or domain-joined device"));
        // IDN-001 is satisfied by MFA.
        assert_eq!(run(&crate::catalog::idn_001::CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn device_or_mfa_does_not_count() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.grant_operator = Some("OR".into()));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("only as an alternative (operator OR) to mfa"), "{:?}", o.evidence);
        edit_aks_ca(&mut c, |p| {
            p.grant_operator = Some("OR".into());
            p.grant_controls = vec!["compliantDevice".into()];
            p.authentication_strength = Some("Phishing-resistant MFA".into());
        });
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn unknown_policies_are_unknown() {
        let mut c = hardened_aks();
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| {
            p.grant_operator = Some("OR".into());
            p.grant_controls = vec!["mfa".into()];
        });
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enabled Conditional Access policy covering AKS sign-in by the cluster's admins requires a compliant or domain-joined device: 3 policies considered, none counts (see the evidence)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: it requires no compliant or domain-joined device (builtInControls [mfa]); MFA alone lets an unmanaged or infected laptop in"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [high, medium], userRiskLevels [])"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [], userRiskLevels [high])"
        "#);
    }
}
