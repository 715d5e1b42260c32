//! WID-001: an IRSA role's trust policy lets pods in every namespace assume it.

use crate::catalog::irsa::{IrsaCheck, judge};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-001",
        slug: "irsa-trust-any-service-account",
        title: "IRSA role assumable from any namespace",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "With IAM roles for service accounts, STS hands out a role's credentials to whoever presents a \
service account token signed by the cluster's OIDC issuer that satisfies the role's trust policy. When the trust policy \
has no `:sub` condition, or its `:sub` pattern matches every namespace (`system:serviceaccount:*`, `*`, or \
`system:serviceaccount:*:default`), any pod in the cluster, including one an attacker starts in a namespace they \
control, can assume the role and use its AWS permissions.",
        remediation: "Scope each IRSA role's trust policy to one service account with `StringEquals` on both keys: \
`\"oidc.eks.<region>.amazonaws.com/id/<id>:sub\": \"system:serviceaccount:<namespace>:<service-account>\"` and \
`\"oidc.eks.<region>.amazonaws.com/id/<id>:aud\": \"sts.amazonaws.com\"`, then apply it with \
`aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`. Check every statement: a \
second statement without conditions re-opens the role.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
        ],
        compliance: &[
            "EKS-BP \"Scope the IAM role trust policy for IRSA roles to the service account name\"",
            "CIS EKS 5.2.1",
        ],
    },
    cluster: Some(eval),
    scope: None,
};

const IRSA: IrsaCheck = IrsaCheck {
    scope: |a| &a.namespaces,
    fail: "Pods in more than one namespace can assume these IRSA roles",
    unknown: "The trust policies of these IRSA roles could not be judged",
    pass: "No IRSA role can be assumed from more than one namespace; roles judged",
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge(c, &IRSA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::irsa::fixtures::*;
    use crate::iam::parse;
    use crate::testing::*;

    fn status_of(trust: &str) -> Status {
        run(&CHECK, &cluster_with(statements(trust))).status
    }

    #[test]
    fn scoped_role_passes() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("payments-api (arn:aws:iam::111122223333:role/payments-api)"), "{}", o.message);
    }

    #[test]
    fn fixtures() {
        let good = run(&CHECK, &cluster_with(fixture("irsa-good-sub-and-aud-StringEquals.json")));
        assert_eq!(good.status, Status::Pass, "{good:?}");
        let open = run(&CHECK, &cluster_with(fixture("irsa-bad-no-condition.json")));
        assert_eq!(open.status, Status::Fail, "{open:?}");
        assert!(open.message.contains("service accounts of any namespace"), "{}", open.message);
        // A namespace wildcard is WID-002's finding, not this one.
        let ns = run(&CHECK, &cluster_with(fixture("irsa-weak-namespace-wildcard-StringLike.json")));
        assert_eq!(ns.status, Status::Pass, "{ns:?}");
        // Pod Identity trust names no OIDC provider: the role is not reachable with IRSA tokens.
        let pod_identity = run(&CHECK, &cluster_with(fixture("pod-identity-trust.json")));
        assert_eq!(pod_identity.status, Status::Pass);
        assert!(pod_identity.message.contains("no statement trusts this provider"), "{}", pod_identity.message);
    }

    #[test]
    fn best_practices_snippet_wrapped_in_a_statement() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/aws/trust-policies/irsa-best-practices-condition-snippet.json"
        );
        let snippet: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let condition = localize(
            &snippet["Condition"]
                .to_string()
                .replace("oidc.eks.us-west-2.amazonaws.com/id/D43CF17C27A865933144EA99A26FB128", "HOST"),
        );
        let doc = statements(&format!("[{}]", allow(&condition)));
        assert_eq!(doc.statements[0].conditions.len(), 2);
        assert_eq!(run(&CHECK, &cluster_with(doc)).status, Status::Pass);
    }

    #[test]
    fn array_sub_with_one_open_value_fails() {
        let trust = allow(
            r#"{"StringLike":{"HOST:sub":["system:serviceaccount:payments:api","system:serviceaccount:*"],"HOST:aud":"sts.amazonaws.com"}}"#,
        );
        assert_eq!(status_of(&format!("[{trust}]")), Status::Fail);
    }

    #[test]
    fn for_any_value_string_like() {
        let open = allow(r#"{"ForAnyValue:StringLike":{"HOST:sub":["system:serviceaccount:*:*"]}}"#);
        assert_eq!(status_of(&format!("[{open}]")), Status::Fail);
        let scoped = allow(r#"{"ForAnyValue:StringLike":{"HOST:sub":"system:serviceaccount:payments:api-*"}}"#);
        assert_eq!(status_of(&format!("[{scoped}]")), Status::Pass);
    }

    /// `ForAllValues:` is true when the key is missing, but every token the cluster's issuer signs
    /// carries `sub`: with the key present it restricts like `StringEquals`, so it passes here.
    /// (The audience is not pinned either, which WID-003 reports.)
    #[test]
    fn for_all_values_on_sub_restricts_because_sub_is_always_present() {
        let trust = allow(r#"{"ForAllValues:StringEquals":{"HOST:sub":"system:serviceaccount:payments:api"}}"#);
        assert_eq!(status_of(&format!("[{trust}]")), Status::Pass);
    }

    #[test]
    fn string_equals_if_exists_restricts() {
        let trust = allow(r#"{"StringEqualsIfExists":{"HOST:sub":"system:serviceaccount:payments:api"}}"#);
        assert_eq!(status_of(&format!("[{trust}]")), Status::Pass);
        let open = allow(r#"{"StringLikeIfExists":{"HOST:sub":"*"}}"#);
        assert_eq!(status_of(&format!("[{open}]")), Status::Fail);
    }

    #[test]
    fn condition_keys_ignore_case() {
        let upper = host().to_uppercase();
        let open = allow(&format!(r#"{{"StringLike":{{"{upper}:SUB":"system:serviceaccount:*"}}}}"#));
        assert_eq!(status_of(&format!("[{open}]")), Status::Fail);
        let scoped = allow(&format!(r#"{{"StringEquals":{{"{upper}:SUB":"system:serviceaccount:payments:api"}}}}"#));
        assert_eq!(status_of(&format!("[{scoped}]")), Status::Pass);
    }

    #[test]
    fn principal_as_array_of_federated_providers() {
        let trust = r#"[{"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER","PROVIDER"]},"Action":"sts:AssumeRoleWithWebIdentity"}]"#;
        assert_eq!(status_of(trust), Status::Fail);
    }

    #[test]
    fn action_as_array_and_service_wildcard() {
        for action in [
            r#"["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]"#,
            r#""sts:*""#,
            r#""STS:assumerolewithwebidentity""#,
        ] {
            let trust = format!(r#"[{{"Effect":"Allow","Principal":{{"Federated":"PROVIDER"}},"Action":{action}}}]"#);
            assert_eq!(status_of(&trust), Status::Fail, "{action}");
        }
    }

    #[test]
    fn second_statement_reopens_access() {
        let scoped = allow(
            r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:payments:api","HOST:aud":"sts.amazonaws.com"}}"#,
        );
        let open =
            r#"{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},"Action":"sts:AssumeRoleWithWebIdentity"}"#;
        let o = run(&CHECK, &cluster_with(statements(&format!("[{scoped},{open}]"))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("(Statement[1])"), "{}", o.message);
        assert_eq!(o.evidence.last().map(|e| e.path.as_str()), Some("role[app].AssumeRolePolicyDocument.Statement[1]"));
    }

    #[test]
    fn deny_that_scopes_an_open_allow_passes() {
        let open = allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*"}}"#);
        let deny = r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringNotEquals":{"HOST:sub":"system:serviceaccount:payments:api"}}}"#;
        assert_eq!(status_of(&format!("[{open},{deny}]")), Status::Pass);
        // A deny on a key the probes do not know is not counted on.
        let deny_unknown = r#"{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}"#;
        assert_eq!(status_of(&format!("[{open},{deny_unknown}]")), Status::Fail);
    }

    #[test]
    fn another_clusters_provider_is_not_this_clusters_role() {
        let other = r#"[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER"},"Action":"sts:AssumeRoleWithWebIdentity"}]"#;
        let o = run(&CHECK, &cluster_with(statements(other)));
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.contains("no statement trusts this provider"), "{}", o.message);
    }

    #[test]
    fn string_not_equals_on_sub_is_open() {
        let trust = allow(r#"{"StringNotEquals":{"HOST:sub":"system:serviceaccount:kube-system:aws-node"}}"#);
        assert_eq!(status_of(&format!("[{trust}]")), Status::Fail);
    }

    #[test]
    fn namespace_prefix_wildcards_and_lists_span_namespaces() {
        for sub in [
            r#""system:serviceaccount:team-*""#,
            r#""system:serviceaccount:team-?:api""#,
            r#"["system:serviceaccount:a:api","system:serviceaccount:b:api"]"#,
        ] {
            let trust = allow(&format!(r#"{{"StringLike":{{"HOST:sub":{sub},"HOST:aud":"sts.amazonaws.com"}}}}"#));
            let o = run(&CHECK, &cluster_with(statements(&format!("[{trust}]"))));
            assert_eq!(o.status, Status::Fail, "{sub}");
            assert!(o.message.contains("more than one namespace"), "{sub}: {}", o.message);
        }
    }

    #[test]
    fn principal_star_and_aws_star_trust_every_provider() {
        for p in [r#""*""#, r#"{"AWS":"*"}"#] {
            let trust = format!(r#"[{{"Effect":"Allow","Principal":{p},"Action":"sts:AssumeRoleWith*"}}]"#);
            assert_eq!(status_of(&trust), Status::Fail, "{p}");
        }
    }

    #[test]
    fn roles_are_subjects() {
        let open = role("open", statements(&format!("[{}]", allow(r#"{"StringLike":{"HOST:sub":"*"}}"#))));
        let c = with_roles(hardened_eks(), vec![role("ok", irsa_trust("system:serviceaccount:a:b")), open]);
        let o = run(&CHECK, &c);
        let subjects: Vec<(&str, Status)> = o.subjects.iter().map(|s| (s.label.as_str(), s.status)).collect();
        assert_eq!(subjects, [("ok", Status::Pass), ("open", Status::Fail)]);
        assert_eq!(o.subjects[1].id, "arn:aws:iam::111122223333:role/open");
    }

    #[test]
    fn default_service_account_of_every_namespace_fails() {
        let trust =
            allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*:default","HOST:aud":"sts.amazonaws.com"}}"#);
        let o = run(&CHECK, &cluster_with(statements(&format!("[{trust}]"))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("service accounts of any namespace"), "{}", o.message);
        assert!(o.message.contains(":default`"), "{}", o.message);
    }

    #[test]
    fn url_encoded_document() {
        let text = localize(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            allow(r#"{"StringLike":{"HOST:sub":"*"}}"#)
        ));
        let encoded: String = text
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let doc = parse(&encoded).unwrap();
        assert_eq!(run(&CHECK, &cluster_with(doc)).status, Status::Fail);
    }

    #[test]
    fn statement_with_not_action() {
        let trust = r#"[{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},"NotAction":"sts:AssumeRole"}]"#;
        assert_eq!(status_of(trust), Status::Fail);
        let excludes = r#"[{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},"NotAction":"sts:AssumeRoleWith*"}]"#;
        assert_eq!(status_of(excludes), Status::Pass);
    }

    #[test]
    fn not_json_trust_is_unknown_unless_another_role_fails() {
        let error = parse("not a policy").unwrap_err().to_string();
        let mut broken = role("broken", irsa_trust("x"));
        broken.trust =
            crate::field::Field::unknown(broken.trust.path.clone(), format!("the trust document is not JSON: {error}"));
        let c = with_roles(hardened_eks(), vec![role("ok", irsa_trust("system:serviceaccount:a:b")), broken.clone()]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("broken (arn:aws:iam::111122223333:role/broken)") && o.message.contains("not JSON"));
        let open = role(
            "open",
            statements(
                r#"[{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},"Action":"sts:AssumeRoleWithWebIdentity"}]"#,
            ),
        );
        let o = run(&CHECK, &with_roles(hardened_eks(), vec![broken, open]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Not judged: broken"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let trust =
            allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*:default","HOST:aud":"sts.amazonaws.com"}}"#);
        let c = with_roles(
            hardened_eks(),
            vec![
                role("payments-api", irsa_trust("system:serviceaccount:payments:api")),
                role("reports", statements(&format!("[{trust}]"))),
            ],
        );
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Pods in more than one namespace can assume these IRSA roles: reports (arn:aws:iam::111122223333:role/reports) accepts service accounts of any namespace (e.g. `system:serviceaccount:a:default` and `system:serviceaccount:b:default`) (Statement[0])."
        evidence:
          - path: iam.ListOpenIDConnectProviders
            observed: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
          - path: "iam.ListRoles[reports].Arn"
            observed: "arn:aws:iam::111122223333:role/reports"
          - path: "role[reports].AssumeRolePolicyDocument.Statement[0]"
            observed: "{\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringLike\":{\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:aud\":\"sts.amazonaws.com\",\"oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub\":\"system:serviceaccount:*:default\"}},\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF\"}}"
        subjects:
          - id: "arn:aws:iam::111122223333:role/payments-api"
            label: payments-api
            status: pass
            reason: scoped
          - id: "arn:aws:iam::111122223333:role/reports"
            label: reports
            status: fail
            reason: "accepts service accounts of any namespace (e.g. `system:serviceaccount:a:default` and `system:serviceaccount:b:default`) (Statement[0])"
        "#);
    }
}
