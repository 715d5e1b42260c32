//! WID-004: the cluster's OIDC issuer has no IAM OIDC provider, or the account keeps IAM OIDC
//! providers for EKS issuers that no cluster uses any more.

use crate::catalog::prelude::*;
use crate::model::Scope;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-004",
        slug: "irsa-oidc-provider-missing",
        title: "IAM OIDC provider missing or orphaned",
        severity: Severity::Low,
        clouds: &[Cloud::Eks],
        rationale: "IRSA works only when the account has an IAM OIDC provider for the cluster's issuer. Without it \
no pod can exchange its service account token for role credentials, so workloads fall back to the node's instance \
profile, which every pod on the node shares. Conversely, a provider for the issuer of a deleted cluster is orphaned \
trust: every role that still names it stays assumable by anyone who can obtain a token from that issuer, and the \
stale roles are easy to overlook.",
        remediation: "Create the provider for each cluster with `eksctl utils associate-iam-oidc-provider --cluster \
<cluster> --approve` (or `aws iam create-open-id-connect-provider --url <issuer-url> --client-id-list \
sts.amazonaws.com`). Delete orphaned providers with `aws iam delete-open-id-connect-provider \
--open-id-connect-provider-arn <arn>` after removing them from the trust policies of the roles that name them.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html",
        ],
        compliance: &["EKS-BP"],
    },
    cluster: Some(eval),
    scope: Some(eval_scope),
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let wi = &c.workload_identity;
    require!(wi.oidc_issuer_enabled);
    if !wi.oidc_issuer_enabled.is_true() {
        return Outcome::not_applicable(
            "The cluster has no OIDC issuer, so it needs no IAM OIDC provider.",
            vec![Evidence::of(&wi.oidc_issuer_enabled)],
        );
    }
    require!(wi.oidc_provider);
    let evidence = vec![Evidence::of(&wi.oidc_issuer_url), Evidence::of(&wi.oidc_provider)];
    match wi.oidc_provider.get() {
        Some(arn) => Outcome::pass(format!("The cluster's OIDC issuer has the IAM OIDC provider {arn}."), evidence),
        None => Outcome::fail(
            "The cluster has an OIDC issuer but no IAM OIDC provider for it, so IRSA cannot work and pods fall back to node credentials.",
            evidence,
        ),
    }
}

fn eval_scope(s: &Scope, _ctx: &Context) -> Outcome {
    let orphans = &s.orphan_oidc_providers;
    require!(orphans);
    let Some(list) = orphans.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so orphaned IAM OIDC providers cannot be judged.", orphans.path),
            vec![Evidence::of(orphans)],
        );
    };
    if list.is_empty() {
        return Outcome::pass(
            "Every IAM OIDC provider for an EKS issuer belongs to an existing cluster.",
            vec![Evidence::of(orphans)],
        );
    }
    Outcome::fail(
        format!(
            "IAM OIDC providers for EKS issuers that match no cluster of the account (orphaned trust): {}.",
            list.join(", ")
        ),
        list.iter().enumerate().map(|(i, arn)| Evidence::new(format!("{}[{i}]", orphans.path), arn.clone())).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn provider_present_passes() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
    }

    #[test]
    fn provider_absent_fails() {
        let mut c = hardened_eks();
        absent(&mut c.workload_identity.oidc_provider);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence.iter().any(|e| e.observed == "(absent)"), "{o:?}");
    }

    #[test]
    fn unknown_or_no_issuer() {
        let mut c = hardened_eks();
        unknown(&mut c.workload_identity.oidc_provider);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        unknown(&mut c.workload_identity.oidc_issuer_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        set(&mut c.workload_identity.oidc_issuer_enabled, false);
        absent(&mut c.workload_identity.oidc_provider);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn account_without_orphans_passes() {
        assert_eq!(run_scope(&CHECK, &clean_account()).status, Status::Pass);
    }

    #[test]
    fn account_orphans_fail_and_are_named() {
        let mut s = clean_account();
        let arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DELETED0000";
        set_list(&mut s.orphan_oidc_providers, &[arn]);
        let o = run_scope(&CHECK, &s);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains(arn));
    }

    #[test]
    fn account_orphans_unknown_or_absent_are_unknown() {
        let mut s = clean_account();
        unknown(&mut s.orphan_oidc_providers);
        let o = run_scope(&CHECK, &s);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"));
        absent(&mut s.orphan_oidc_providers);
        assert_eq!(run_scope(&CHECK, &s).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        absent(&mut c.workload_identity.oidc_provider);
        let mut s = clean_account();
        set_list(
            &mut s.orphan_oidc_providers,
            &[
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DELETED0000",
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DELETED1111",
            ],
        );
        insta::assert_yaml_snapshot!((run(&CHECK, &c), run_scope(&CHECK, &s)), @r#"
        - status: fail
          message: "The cluster has an OIDC issuer but no IAM OIDC provider for it, so IRSA cannot work and pods fall back to node credentials."
          evidence:
            - path: cluster.identity.oidc.issuer
              observed: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
            - path: iam.ListOpenIDConnectProviders
              observed: (absent)
        - status: fail
          message: "IAM OIDC providers for EKS issuers that match no cluster of the account (orphaned trust): arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DELETED0000, arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DELETED1111."
          evidence:
            - path: "iam.ListOpenIDConnectProviders[0]"
              observed: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DELETED0000"
            - path: "iam.ListOpenIDConnectProviders[1]"
              observed: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DELETED1111"
        "#);
    }
}
