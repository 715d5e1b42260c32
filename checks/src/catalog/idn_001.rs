//! IDN-001: some admin of the cluster has no enforced Conditional Access policy that guards every
//! one of its AKS sign-ins with a grant control (see `ca/mod.rs`).

use crate::catalog::ca::controls::{Need, requires};
use crate::catalog::ca::{Messages, judge};
use crate::catalog::prelude::*;

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

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge(
        c,
        |p| requires(p, Need::Guard),
        &Messages {
            pass: "Enforced Conditional Access policies guard every AKS sign-in of every admin of the cluster with a grant control",
            fail: "No enforced Conditional Access policy guards every AKS sign-in with a grant control (MFA, an MFA authentication strength, a compliant or domain-joined device, or block) for these admins of the cluster",
            unknown: "Whether Conditional Access guards every AKS sign-in of these admins cannot be told",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Terms;
    use crate::testing::*;

    /// Dave: a permanent member of platform-team, itself a member of the admin group.
    fn with_dave(c: &mut Cluster) {
        add_member(c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(c, &platform_team(), dave(), Terms::Permanent);
        set_member_of(c, &dave().id, memberships(&[&platform_team().id, &aks_admins().id], &[]));
    }

    #[test]
    fn hardened_policy_passes() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.ends_with("with a grant control: Alice Admin (User a11ce000-0000-0000-0000-000000000001) by AKS: compliant device."), "{}", o.message);
        assert_eq!(o.evidence.len(), 1, "only counted policies: {:?}", o.evidence);
        assert_eq!(o.subjects.len(), 1);
        assert_eq!(o.subjects[0].status, Status::Pass);
    }

    #[test]
    fn all_apps_policy_excluding_aks_fails() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| {
            ca_apps(p).include = vec!["All".into()];
            ca_apps(p).exclude = vec![AKS_APP.into()];
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
    fn one_excluded_admin_fails_naming_only_that_admin() {
        let mut c = hardened_aks();
        with_dave(&mut c);
        edit_aks_ca(&mut c, |p| exclude_group(p, &platform_team().id, &[]));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("Dave Ops") && !o.message.contains("Alice"), "{}", o.message);
        let why = &o.evidence[0].observed;
        assert!(why.contains("counts for Alice Admin") && why.contains("does not count for Dave Ops"), "{why}");
        let statuses: Vec<Status> = o.subjects.iter().map(|s| s.status).collect();
        assert!(statuses.contains(&Status::Pass) && statuses.contains(&Status::Fail), "{:?}", o.subjects);
    }

    #[test]
    fn session_only_policy_does_not_count_but_an_mfa_strength_does() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| p.grant = None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("no grant controls"));
        edit_aks_ca(&mut c, |p| {
            ca_grant(p).built_in.clear();
            ca_grant(p).authentication_strength = Some(crate::model::AuthenticationStrength {
                id: Some("00000000-0000-0000-0000-000000000004".into()),
                name: Some("Phishing-resistant MFA".into()),
                ..Default::default()
            });
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn no_policies_fail() {
        let mut c = hardened_aks();
        set_ca(&mut c, vec![]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].reason, "the tenant has no Conditional Access policies");
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
            *ca_users(p) = crate::model::CaUsers { include_groups: vec![aks_admins().id], ..Default::default() }
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
        // A policy for everybody still guards them.
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn a_cluster_without_user_admins_is_not_applicable() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![]);
        set_groups(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        edit_aks_ca(&mut c, |p| ca_users(p).exclude_groups = vec![aks_admins().id]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No enforced Conditional Access policy guards every AKS sign-in with a grant control (MFA, an MFA authentication strength, a compliant or domain-joined device, or block) for these admins of the cluster: Alice Admin (User a11ce000-0000-0000-0000-000000000001)."
        evidence:
          - path: "conditionalAccess/policies[ca-aks]"
            observed: "AKS: compliant device (state enabled): does not count: it excludes Alice Admin (User a11ce000-0000-0000-0000-000000000001) (excludeGroups group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)"
          - path: "conditionalAccess/policies[sign-in-risk]"
            observed: "sign-in-risk (state enabled): does not count: it applies only at signInRiskLevels [high, medium]"
          - path: "conditionalAccess/policies[user-risk]"
            observed: "user-risk (state enabled): does not count: it applies only at userRiskLevels [high]"
        subjects:
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (User a11ce000-0000-0000-0000-000000000001)
            status: fail
            reason: no enforced policy guards every sign-in
        "#);
    }
}
