//! AUTH-005: EKS authentication still reads the aws-auth ConfigMap.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-005",
        slug: "eks-configmap-authentication",
        title: "EKS authentication through the aws-auth ConfigMap",
        severity: Severity::Medium,
        clouds: &[Cloud::Eks],
        rationale: "While the authentication mode includes CONFIG_MAP, anyone who can edit the aws-auth ConfigMap in \
kube-system can map any IAM principal to system:masters, and that grant is invisible to IAM and to the EKS API. A \
malformed edit locks every administrator out. Access entries (mode API) are managed and audited through the EKS API \
and CloudTrail, can be scoped with access policies, and survive a broken ConfigMap.",
        remediation: "Switch to `API_AND_CONFIG_MAP` with `aws eks update-cluster-config --name <cluster> --access-config \
authenticationMode=API_AND_CONFIG_MAP`, recreate every aws-auth mapping as an access entry (`aws eks \
create-access-entry` and `aws eks associate-access-policy`, or `eksctl utils migrate-to-access-entry`), then finish \
the migration with `--access-config authenticationMode=API`. Mode changes cannot be reverted.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html",
        ],
        compliance: &["CIS EKS 4.1.7", "EKS-BP \"Cluster Access Manager\""],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let mode = &c.authn.mode;
    require!(mode);
    let Some(value) = mode.get().map(|s| s.trim()) else {
        // Clusters from before access entries report no mode; the catalog does not guess CONFIG_MAP.
        return Outcome::unknown_because(
            format!("{} is absent, so how the cluster maps IAM principals cannot be told.", mode.path),
            vec![Evidence::of(mode)],
        );
    };
    if value.eq_ignore_ascii_case("API") {
        return Outcome::pass(
            "The cluster authenticates through access entries only (authenticationMode API); the aws-auth ConfigMap is ignored.",
            vec![Evidence::of(mode)],
        );
    }
    if value.eq_ignore_ascii_case("CONFIG_MAP") {
        return Outcome::fail(
            "The cluster authenticates through the aws-auth ConfigMap only (authenticationMode CONFIG_MAP): whoever can edit it in kube-system can map any IAM principal to system:masters, unseen by IAM and the EKS API; migrate to access entries.",
            vec![Evidence::of(mode)],
        );
    }
    if value.eq_ignore_ascii_case("API_AND_CONFIG_MAP") {
        return Outcome::fail(
            "Migration pending: authenticationMode API_AND_CONFIG_MAP still honours the aws-auth ConfigMap next to access entries; move its mappings to access entries and switch to API.",
            vec![Evidence::new(mode.path.to_string(), format!("{} (migration pending)", mode.observed()))],
        );
    }
    Outcome::unknown_because(
        format!(
            "unrecognised authentication mode '{value}'; this build cannot tell whether the aws-auth ConfigMap is honoured."
        ),
        vec![Evidence::of(mode)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn mode(value: &str) -> Cluster {
        let mut c = hardened_eks();
        set_str(&mut c.authn.mode, value);
        c
    }

    #[test]
    fn api_mode_passes() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        assert_eq!(run(&CHECK, &mode(" api ")).status, Status::Pass);
    }

    #[test]
    fn config_map_modes_fail() {
        let o = run(&CHECK, &mode("CONFIG_MAP"));
        assert_eq!(o.status, Status::Fail);
        assert!(!o.message.contains("Migration pending"), "{}", o.message);
        let o = run(&CHECK, &mode("API_AND_CONFIG_MAP"));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("Migration pending"), "{}", o.message);
        assert_eq!(o.evidence[0].observed, "API_AND_CONFIG_MAP (migration pending)");
    }

    #[test]
    fn absent_or_unrecognised_is_unknown() {
        let mut c = hardened_eks();
        absent(&mut c.authn.mode);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Unknown, "(absent)"));
        let o = run(&CHECK, &mode("OIDC_ONLY"));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("unrecognised authentication mode 'OIDC_ONLY'"), "{}", o.message);
        let mut c = hardened_eks();
        unknown(&mut c.authn.mode);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &mode("API_AND_CONFIG_MAP")), @r#"
        status: fail
        message: "Migration pending: authenticationMode API_AND_CONFIG_MAP still honours the aws-auth ConfigMap next to access entries; move its mappings to access entries and switch to API."
        evidence:
          - path: cluster.accessConfig.authenticationMode
            observed: API_AND_CONFIG_MAP (migration pending)
        "#);
    }
}
