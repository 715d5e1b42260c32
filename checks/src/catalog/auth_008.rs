//! AUTH-008: the EKS cluster creator was given cluster admin at creation.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-008",
        slug: "eks-creator-admin-retained",
        title: "EKS cluster creator granted cluster admin",
        severity: Severity::Low,
        clouds: &[Cloud::Eks],
        rationale: "By default EKS makes whichever IAM principal created the cluster a permanent cluster admin: often \
a person's SSO role or a CI pipeline role used for much else. That grant is easy to overlook because nobody asked for \
it, and it outlives the reason the principal created the cluster. Cluster admin should be granted deliberately, through \
reviewed access entries, and kept only for break-glass use.",
        remediation: "Create new clusters with `--access-config bootstrapClusterCreatorAdminPermissions=false` and \
explicit admin access entries. On an existing cluster, give the intended admins their own access entries, then \
remove the creator's grant with `aws eks disassociate-access-policy --cluster-name <cluster> --principal-arn \
<creator-arn> --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy` or `aws eks \
delete-access-entry`. The flag is fixed at creation: EKS keeps reporting it as true after the grant is removed.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_AccessConfigResponse.html",
        ],
        compliance: &["EKS-BP \"Remove the cluster-admin permissions from the cluster creator\""],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let flag = &c.authn.creator_admin;
    require!(flag);
    let evidence = vec![Evidence::of(flag)];
    match flag.get() {
        Some(false) => Outcome::pass("The cluster creator was not made a cluster admin at creation.", evidence),
        // The flag records creation time only; EKS does not clear it when the creator's entry is removed.
        Some(true) => Outcome::fail(
            "The cluster was created with bootstrapClusterCreatorAdminPermissions = true, so the creating IAM principal was given a cluster-admin access entry; remove that grant (AUTH-007 and IDN-012 list the admin entries).",
            evidence,
        ),
        // Clusters from before access entries do not report the flag.
        None => Outcome::unknown_because(
            format!("{} is absent, so whether the cluster creator was made a cluster admin cannot be told.", flag.path),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let mut c = hardened_eks();
        set(&mut c.authn.creator_admin, true);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        absent(&mut c.authn.creator_admin);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Unknown, "(absent)"));
        unknown(&mut c.authn.creator_admin);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        set(&mut c.authn.creator_admin, true);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The cluster was created with bootstrapClusterCreatorAdminPermissions = true, so the creating IAM principal was given a cluster-admin access entry; remove that grant (AUTH-007 and IDN-012 list the admin entries)."
        evidence:
          - path: cluster.accessConfig.bootstrapClusterCreatorAdminPermissions
            observed: "true"
        "#);
    }
}
