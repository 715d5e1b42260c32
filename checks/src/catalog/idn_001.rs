//! IDN-001: no enabled Conditional Access policy guards AKS sign-in by the cluster's admins with
//! a grant control. Coverage is judged against the cluster's admins (see `ca.rs`).

use crate::catalog::ca::{Messages, judge_enforced};
use crate::catalog::prelude::*;
use crate::model::CaPolicy;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-001",
        slug: "aks-no-conditional-access",
        title: "No Conditional Access policy guards AKS sign-in",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "With Entra ID integration, every kubectl sign-in is a token request for the AKS server application \
(6dae42f8-4368-4678-94ff-3960e28e3630). Unless an enabled Conditional Access policy covers that application and the \
cluster's admins with a grant control (MFA, an authentication strength, a compliant or domain-joined device, or \
block), a stolen password or a phished refresh token is enough to act as cluster admin from any device anywhere. \
A policy that excludes the AKS application or some of the admins (for example through an excluded group) leaves \
exactly those sign-ins unguarded.",
        remediation: "In the Entra admin center, Protection > Conditional Access, create a policy for the users or groups \
that hold cluster admin (or All users with only break-glass accounts excluded), target the application Azure \
Kubernetes Service AAD Server (6dae42f8-4368-4678-94ff-3960e28e3630) or All cloud apps, grant access only with \
Require device to be marked as compliant and Require multifactor authentication (or an authentication strength), \
and set it to On. Do not exclude the admin groups or the AKS application.",
        references: &[
            "https://learn.microsoft.com/azure/aks/access-control-managed-azure-ad",
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant",
            "https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

const GRANTS: [&str; 4] = ["compliantDevice", "domainJoinedDevice", "mfa", "block"];

/// A grant control among `compliantDevice`, `domainJoinedDevice`, `mfa`, an authentication
/// strength, or `block`.
fn has_grant_control(p: &CaPolicy) -> Result<String, String> {
    let mut found: Vec<String> =
        p.grant_controls.iter().filter(|c| is_one_of(c, &GRANTS)).map(|c| c.trim().to_string()).collect();
    if let Some(s) = &p.authentication_strength {
        found.push(format!("authenticationStrength {s}"));
    }
    if found.is_empty() {
        return Err(format!(
            "no grant control among compliantDevice, domainJoinedDevice, mfa, an authentication strength or block (builtInControls [{}])",
            p.grant_controls.join(", ")
        ));
    }
    Ok(format!("grant controls {}", found.join(", ")))
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge_enforced(
        c,
        has_grant_control,
        &Messages {
            pass: "Enabled Conditional Access policies guard AKS sign-in by every admin of the cluster with a grant control",
            fail: "No enabled Conditional Access policy guards AKS sign-in by the cluster's admins with a grant control (MFA, authentication strength, compliant or domain-joined device, block)",
            unknown: "Whether Conditional Access guards AKS sign-in by every admin cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn hardened_policy_passes() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.ends_with("with a grant control: AKS: compliant device."), "{}", o.message);
        assert_eq!(o.evidence.len(), 1, "only counted policies: {:?}", o.evidence);
    }

    #[test]
    fn all_apps_policy_excluding_aks_fails() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| {
            p.include_applications = vec!["All".into()];
            p.exclude_applications = vec![AKS_APP.into()];
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("excludes the AKS server app"), "{:?}", o.evidence);
        assert_eq!(o.evidence.len(), 3, "every policy considered: {:?}", o.evidence);
    }

    #[test]
    fn report_only_policy_does_not_count() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.state = "enabledForReportingButNotEnforced".into());
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("not enforced (state enabledForReportingButNotEnforced)"));
    }

    #[test]
    fn excluding_the_admin_group_fails_naming_it() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.exclude_groups = vec![aks_admins().id]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        let why = &o.evidence[0].observed;
        assert!(why.contains("excludes the cluster's admins: aks-admins (Group 3c8e1f2a"), "{why}");
        assert!(why.contains("Alice Admin"), "the eligible admin is named: {why}");
    }

    #[test]
    fn session_only_policy_does_not_count() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.grant_controls.clear());
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("no grant control"));
        // An authentication strength alone counts.
        edit_aks_ca(&mut c, |p| {
            p.grant_controls.clear();
            p.authentication_strength = Some("Phishing-resistant MFA".into());
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn no_policies_fail() {
        let mut c = hardened_aks();
        set_ca(&mut c, vec![]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.ends_with(": the tenant has no Conditional Access policies."), "{}", o.message);
    }

    #[test]
    fn unreadable_policies_are_unknown_with_the_reason() {
        let mut c = hardened_aks();
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All") && o.message.contains("Authorization_RequestDenied"));
    }

    #[test]
    fn unknown_admins_leave_group_targeted_policies_undecided() {
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
        edit_aks_ca(&mut c, |p| {
            p.include_users.clear();
            p.include_groups = vec![aks_admins().id];
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.exclude_groups = vec![aks_admins().id]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enabled Conditional Access policy guards AKS sign-in by the cluster's admins with a grant control (MFA, authentication strength, compliant or domain-joined device, block): 3 policies considered, none counts (see the evidence)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: it excludes the cluster's admins: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c), Alice Admin (User a11ce000-0000-0000-0000-000000000001)"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [high, medium], userRiskLevels [])"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it applies only to risky sign-ins or users (signInRiskLevels [], userRiskLevels [high])"
        "#);
    }
}
