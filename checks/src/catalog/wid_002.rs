//! WID-002: an IRSA role's trust policy lets every service account of a namespace assume it.

use crate::catalog::irsa::{IrsaCheck, judge};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-002",
        slug: "irsa-trust-namespace-wildcard",
        title: "IRSA role assumable by every service account of a namespace",
        severity: Severity::Medium,
        clouds: &[Cloud::Eks],
        rationale: "A `:sub` pattern such as `system:serviceaccount:payments:*` lets every service account in the \
namespace, including `default` and accounts created later, assume the role. Anyone who can create a pod or a service \
account in that namespace gets the role's AWS permissions, not just the one workload that needs them.",
        remediation: "Replace the namespace wildcard with the service accounts that need the role: \
`\"StringEquals\": {\"oidc.eks.<region>.amazonaws.com/id/<id>:sub\": [\"system:serviceaccount:<namespace>:<service-account>\"]}` \
and apply it with `aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        ],
        compliance: &["EKS-BP"],
    },
    cluster: Some(eval),
    scope: None,
};

const IRSA: IrsaCheck = IrsaCheck {
    scope: |a| &a.service_accounts,
    fail: "More than one service account of a namespace can assume these IRSA roles",
    unknown: "The trust policies of these IRSA roles could not be judged",
    pass: "No IRSA role trusts more than one service account of a namespace; roles judged",
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge(c, &IRSA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::irsa::fixtures::*;
    use crate::testing::*;

    #[test]
    fn scoped_role_passes() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let good = run(&CHECK, &cluster_with(fixture("irsa-good-sub-and-aud-StringEquals.json")));
        assert_eq!(good.status, Status::Pass);
    }

    #[test]
    fn namespace_wildcard_fixture_fails() {
        let o = run(&CHECK, &cluster_with(fixture("irsa-weak-namespace-wildcard-StringLike.json")));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("any service account of namespace `default`"), "{}", o.message);
    }

    #[test]
    fn open_role_fails_for_every_namespace() {
        let o = run(&CHECK, &cluster_with(fixture("irsa-bad-no-condition.json")));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("any service account of namespace"), "{}", o.message);
    }

    #[test]
    fn one_service_account_in_every_namespace_is_not_a_namespace_wildcard() {
        let trust = allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*:default"}}"#);
        assert_eq!(run(&CHECK, &cluster_with(statements(&format!("[{trust}]")))).status, Status::Pass);
    }

    #[test]
    fn several_namespaces_are_named() {
        let trust = allow(
            r#"{"StringLike":{"HOST:sub":["system:serviceaccount:payments:*","system:serviceaccount:team-*:*","system:serviceaccount:web:frontend"]}}"#,
        );
        let o = run(&CHECK, &cluster_with(statements(&format!("[{trust}]"))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("any service account of namespace `team-a`"), "{}", o.message);
        let two = allow(
            r#"{"StringEquals":{"HOST:sub":["system:serviceaccount:web:frontend","system:serviceaccount:web:backend"]}}"#,
        );
        let o = run(&CHECK, &cluster_with(statements(&format!("[{two}]"))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("more than one service account of namespace `web`"), "{}", o.message);
    }

    #[test]
    fn deny_narrowing_the_namespace_passes() {
        let open = allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:payments:*"}}"#);
        let deny = r#"{"Effect":"Deny","Principal":{"Federated":"PROVIDER"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringNotLike":{"HOST:sub":"system:serviceaccount:payments:api"}}}"#;
        assert_eq!(run(&CHECK, &cluster_with(statements(&format!("[{open},{deny}]")))).status, Status::Pass);
    }

    #[test]
    fn unknown_and_not_applicable() {
        let mut c = hardened_eks();
        unknown(&mut c.workload_identity.irsa_roles);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        absent(&mut c.workload_identity.oidc_issuer_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &cluster_with(fixture("irsa-weak-namespace-wildcard-StringLike.json"))), @r#"
        status: fail
        message: "More than one service account of a namespace can assume these IRSA roles: app (arn:aws:iam::111122223333:role/app) accepts any service account of namespace `default` (e.g. `system:serviceaccount:default:a` and `system:serviceaccount:default:b`) (Statement[0])."
        evidence:
          - path: iam.ListOpenIDConnectProviders
            observed: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
          - path: "iam.ListRoles[app].Arn"
            observed: "arn:aws:iam::111122223333:role/app"
          - path: "role[app].AssumeRolePolicyDocument.Statement[0]"
            observed: "{\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringLike\":{\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:aud\":\"sts.amazonaws.com\",\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub\":\"system:serviceaccount:default:*\"}},\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF\"}}"
        subjects:
          - id: "arn:aws:iam::111122223333:role/app"
            label: app
            status: fail
            reason: "accepts any service account of namespace `default` (e.g. `system:serviceaccount:default:a` and `system:serviceaccount:default:b`) (Statement[0])"
        "#);
    }
}
