//! NET-003: the API server has a public endpoint at all.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-003",
        slug: "api-endpoint-public",
        title: "API server has a public endpoint",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Even behind an allow-list, a public API server is an internet-facing service: it can be found, \
fingerprinted and attacked from any address the allow-list admits, and a mistake in that list is enough to expose it. \
A private endpoint keeps the control plane reachable only from networks you operate, so stolen credentials alone are \
not enough to use it.",
        remediation: "AKS: create the cluster as a private cluster (`az aks create --enable-private-cluster ...`); a cluster \
using API Server VNet Integration can be converted with `az aks update -g <rg> -n <cluster> --enable-private-cluster`. \
EKS: `aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false`. \
Reach the API through a VPN, ExpressRoute/Direct Connect, a jump host, or `az aks command invoke`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/private-clusters",
            "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        ],
        compliance: &["CIS AKS 5.4.2", "CIS EKS 5.4.2", "AzPolicy 040732e8"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let public = &c.endpoint.public;
    require!(public);
    let evidence = vec![Evidence::of(public)];
    match public.get() {
        Some(true) => Outcome::fail(
            match c.r#ref.cloud {
                Cloud::Aks => {
                    "The API server has a public endpoint; make the cluster private so the control plane is reachable only from your networks."
                }
                Cloud::Eks => {
                    "The API server has a public endpoint; enable endpointPrivateAccess and disable endpointPublicAccess so the control plane is reachable only from your VPC and connected networks."
                }
            },
            evidence,
        ),
        Some(false) => Outcome::pass("The API server has no public endpoint.", evidence),
        None => Outcome::unknown_because(
            format!("{} is absent, so whether the API server is public cannot be told.", public.path),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn public() -> Cluster {
        let mut c = hardened_aks();
        make_public(&mut c, Some(&["203.0.113.0/24"]));
        c
    }

    #[test]
    fn private_cluster_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn public_endpoint_fails_even_with_allow_list() {
        assert_eq!(run(&CHECK, &public()).status, Status::Fail);
    }

    #[test]
    fn missing_data_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.endpoint.public);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"));
        absent(&mut c.endpoint.public);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn eks_public_endpoint_fails_with_eks_wording() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let mut c = hardened_eks();
        set(&mut c.endpoint.public, true);
        set_list(&mut c.endpoint.allowed_cidrs, &["203.0.113.0/24"]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("disable endpointPublicAccess") && !o.message.contains("make the cluster private"));
        assert_eq!(o.evidence, vec![Evidence::new("cluster.resourcesVpcConfig.endpointPublicAccess", "true")]);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &public()), @r#"
        status: fail
        message: The API server has a public endpoint; make the cluster private so the control plane is reachable only from your networks.
        evidence:
          - path: properties.apiServerAccessProfile.enablePrivateCluster
            observed: "false"
        "#);
    }
}
