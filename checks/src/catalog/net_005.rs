//! NET-005: the EKS private endpoint is off, so nodes and in-VPC clients use the public one.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-005",
        slug: "eks-private-access-disabled",
        title: "EKS private endpoint access disabled",
        severity: Severity::Medium,
        clouds: &[Cloud::Eks],
        rationale: "With `endpointPrivateAccess` off, the API server has no endpoint inside the VPC: kubelets, \
controllers and in-VPC administrators all reach it through its public endpoint, so their traffic leaves the VPC \
through a NAT or internet gateway, and the public endpoint cannot be closed or narrowed to a few admin ranges without \
cutting the nodes off from their own control plane.",
        remediation: "`aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true`. \
Make sure the cluster security group admits TCP 443 from the node and admin subnets, and that the VPC has \
`enableDnsHostnames` and `enableDnsSupport` on. Then narrow `publicAccessCidrs` or set `endpointPublicAccess=false` \
(NET-001, NET-003).",
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
        compliance: &["CIS EKS 5.4.2"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let private = &c.endpoint.private;
    require!(private);
    let evidence = vec![Evidence::of(private)];
    match private.get() {
        Some(true) => Outcome::pass(
            "The API server has a private endpoint in the VPC; nodes and in-VPC clients do not leave the VPC to reach it.",
            evidence,
        ),
        Some(false) => Outcome::fail(
            "endpointPrivateAccess is false: nodes and in-VPC clients reach the API server through its public endpoint, so it cannot be closed to the internet; enable private access.",
            evidence,
        ),
        // EKS always returns the flag; absence means the response is not what this build expects.
        None => Outcome::unknown_because(
            format!("{} is absent, so whether the API server has a private endpoint cannot be told.", private.path),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn private_access_passes() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence[0].path, "cluster.resourcesVpcConfig.endpointPrivateAccess");
    }

    #[test]
    fn private_access_off_fails() {
        let mut c = hardened_eks();
        set(&mut c.endpoint.public, true);
        set(&mut c.endpoint.private, false);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn missing_data_is_unknown() {
        let mut c = hardened_eks();
        unknown(&mut c.endpoint.private);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
        absent(&mut c.endpoint.private);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("endpointPrivateAccess is absent"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        set(&mut c.endpoint.public, true);
        set(&mut c.endpoint.private, false);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "endpointPrivateAccess is false: nodes and in-VPC clients reach the API server through its public endpoint, so it cannot be closed to the internet; enable private access."
        evidence:
          - path: cluster.resourcesVpcConfig.endpointPrivateAccess
            observed: "false"
        "#);
    }
}
