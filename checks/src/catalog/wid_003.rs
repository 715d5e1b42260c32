//! WID-003: an IRSA role's trust policy does not pin the token audience to `sts.amazonaws.com`.

use crate::catalog::irsa::{IrsaCheck, judge};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-003",
        slug: "irsa-trust-missing-audience",
        title: "IRSA role trust does not require the STS audience",
        severity: Severity::Low,
        clouds: &[Cloud::Eks],
        rationale: "Service account tokens carry an audience (`aud`) saying which service they are meant for. IRSA \
tokens are minted for `sts.amazonaws.com`. A trust policy that does not require that audience also accepts tokens \
minted for other services (a vault, a webhook, another cloud), so a token leaked from one of those, or requested by a \
pod for another purpose, can be exchanged for the role's AWS credentials.",
        remediation: "Add `\"StringEquals\": {\"oidc.eks.<region>.amazonaws.com/id/<id>:aud\": \"sts.amazonaws.com\"}` \
to every statement that trusts the cluster's OIDC provider (exact match, not `StringLike` with wildcards), and apply it \
with `aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`.",
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
    scope: |a| &a.audiences,
    fail: "These IRSA roles accept tokens not minted for sts.amazonaws.com",
    unknown: "The trust policies of these IRSA roles could not be judged",
    pass: "Every IRSA role requires the sts.amazonaws.com audience; roles judged",
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge(c, &IRSA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::irsa::fixtures::*;
    use crate::testing::*;

    fn status_of(condition: &str) -> Status {
        run(&CHECK, &cluster_with(statements(&format!("[{}]", allow(condition))))).status
    }

    #[test]
    fn sts_audience_passes() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        for f in ["irsa-good-sub-and-aud-StringEquals.json", "irsa-weak-namespace-wildcard-StringLike.json"] {
            assert_eq!(run(&CHECK, &cluster_with(fixture(f))).status, Status::Pass, "{f}");
        }
    }

    #[test]
    fn no_audience_condition_fails() {
        let o = run(&CHECK, &cluster_with(fixture("irsa-bad-no-condition.json")));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("any audience"), "{}", o.message);
        assert_eq!(status_of(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b"}}"#), Status::Fail);
    }

    #[test]
    fn loose_or_other_audiences_fail() {
        let sub = r#""HOST:sub":"system:serviceaccount:a:b""#;
        for aud in ["sts.*", "*.amazonaws.com", "sts.amazonaws.co?"] {
            let condition = format!(r#"{{"StringEquals":{{{sub}}},"StringLike":{{"HOST:aud":"{aud}"}}}}"#);
            assert_eq!(status_of(&condition), Status::Fail, "{condition}");
        }
        assert_eq!(status_of(&format!(r#"{{"StringEquals":{{{sub},"HOST:aud":"my-vault"}}}}"#)), Status::Fail);
        assert_eq!(
            status_of(&format!(r#"{{"StringNotEquals":{{"HOST:aud":"x"}},"StringEquals":{{{sub}}}}}"#)),
            Status::Fail
        );
    }

    #[test]
    fn audience_forms_that_pin_sts() {
        let sub = r#""HOST:sub":"system:serviceaccount:a:b""#;
        for aud in [
            r#""StringEquals":{"HOST:aud":["sts.amazonaws.com"]}"#,
            r#""StringLike":{"HOST:AUD":"sts.amazonaws.com"}"#,
            r#""ForAnyValue:StringEquals":{"HOST:aud":"sts.amazonaws.com"}"#,
        ] {
            let condition = format!(r#"{{"StringEqualsIgnoreCase":{{{sub}}},{aud}}}"#);
            assert_eq!(status_of(&condition), Status::Pass, "{condition}");
        }
    }

    #[test]
    fn unknown_and_not_applicable() {
        let mut c = hardened_eks();
        unknown(&mut c.workload_identity.oidc_provider);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let c = with_roles(hardened_eks(), vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn failure_snapshot() {
        let c = cluster_with(statements(&format!(
            "[{}]",
            allow(
                r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b"},"StringLike":{"HOST:aud":"sts.amazonaws.com*"}}"#
            )
        )));
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "These IRSA roles accept tokens not minted for sts.amazonaws.com: app (arn:aws:iam::111122223333:role/app) accepts audience `sts.amazonaws.com.` (Statement[0])."
        evidence:
          - path: iam.ListOpenIDConnectProviders
            observed: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
          - path: "iam.ListRoles[app].Arn"
            observed: "arn:aws:iam::111122223333:role/app"
          - path: "role[app].AssumeRolePolicyDocument.Statement[0]"
            observed: "{\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub\":\"system:serviceaccount:a:b\"},\"StringLike\":{\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:aud\":\"sts.amazonaws.com*\"}},\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF\"}}"
        subjects:
          - id: "arn:aws:iam::111122223333:role/app"
            label: app
            status: fail
            reason: "accepts audience `sts.amazonaws.com.` (Statement[0])"
        "#);
    }
}
