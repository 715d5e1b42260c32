//! NET-001: the API server is reachable from the whole internet.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-001",
        slug: "api-endpoint-open-to-internet",
        title: "API server endpoint open to the internet",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A public API server with no source restriction can be reached by anyone on the internet. \
Every credential leak, authentication bug or zero-day in the API server is then exploitable from anywhere, \
and brute force or token replay is not limited by network location.",
        remediation: "AKS: make the cluster private (`az aks create --enable-private-cluster`) or restrict the public \
endpoint with `az aks update --api-server-authorized-ip-ranges <CIDRs>`; never include 0.0.0.0/0. \
EKS: `aws eks update-cluster-config --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true`, \
or set `publicAccessCidrs` to your egress ranges.",
        references: &[
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
            "https://learn.microsoft.com/azure/aks/private-clusters",
            "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        ],
        compliance: &[
            "CIS AKS 5.4.1",
            "CIS EKS 5.4.1",
            "AzPolicy 0e246bcf",
            "EKS-BP \"Make the EKS cluster endpoint private\"",
        ],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let ep = &c.endpoint;
    require!(ep.public);
    if ep.public.get().is_none() {
        return Outcome::unknown_because(
            format!("{} is absent, so whether the API server is public cannot be told.", ep.public.path),
            vec![Evidence::of(&ep.public)],
        );
    }
    if !ep.public.is_true() {
        return Outcome::pass("The API server has no public endpoint.", vec![Evidence::of(&ep.public)]);
    }
    require!(ep.allowed_cidrs);
    let cidrs = ep.allowed_cidrs.get().map(Vec::as_slice).unwrap_or_default();
    let evidence = vec![Evidence::of(&ep.public), Evidence::of(&ep.allowed_cidrs)];
    if cidrs.is_empty() {
        return Outcome::fail(
            "The public API endpoint accepts connections from any address (no allow-list).",
            evidence,
        );
    }
    let open: Vec<&str> = cidrs.iter().map(String::as_str).filter(|c| is_open_to_all(c)).collect();
    if !open.is_empty() {
        return Outcome::fail(
            format!(
                "The public API endpoint's allow-list contains {}, which admits the whole internet.",
                open.join(", ")
            ),
            evidence,
        );
    }
    Outcome::pass("The public API endpoint only accepts listed source ranges.", evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn public(cidrs: Option<&[&str]>) -> Cluster {
        let mut c = hardened_aks();
        c.endpoint.public = Field::value("properties.apiServerAccessProfile.enablePrivateCluster", true, "false");
        c.endpoint.allowed_cidrs = match cidrs {
            Some(l) => Field::value(
                "properties.apiServerAccessProfile.authorizedIPRanges",
                l.iter().map(|s| s.to_string()).collect(),
                format!("{l:?}"),
            ),
            None => Field::absent("properties.apiServerAccessProfile.authorizedIPRanges"),
        };
        c
    }

    fn run(c: &Cluster) -> Outcome {
        crate::testing::run(&CHECK, c)
    }

    #[test]
    fn private_cluster_passes() {
        assert_eq!(run(&hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn public_without_allow_list_fails() {
        let o = run(&public(None));
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence.iter().any(|e| e.path.ends_with("authorizedIPRanges") && e.observed == "(absent)"));
    }

    #[test]
    fn allow_list_with_any_address_fails() {
        for open in ["0.0.0.0/0", "::/0", "*"] {
            assert_eq!(run(&public(Some(&["203.0.113.0/24", open]))).status, Status::Fail, "{open}");
        }
    }

    #[test]
    fn narrow_allow_list_passes() {
        assert_eq!(run(&public(Some(&["203.0.113.0/24"]))).status, Status::Pass);
    }

    #[test]
    fn uncollected_endpoint_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.endpoint.public);
        let o = run(&c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"));
    }

    #[test]
    fn absent_endpoint_is_unknown_not_pass() {
        let mut c = hardened_aks();
        c.endpoint.public = Field::absent("properties.apiServerAccessProfile.enablePrivateCluster");
        assert_eq!(run(&c).status, Status::Unknown);
    }

    #[test]
    fn uncollected_allow_list_on_public_endpoint_is_unknown() {
        let mut c = public(None);
        unknown(&mut c.endpoint.allowed_cidrs);
        assert_eq!(run(&c).status, Status::Unknown);
    }

    fn eks(public: bool, cidrs: &[&str]) -> Cluster {
        let mut c = hardened_eks();
        set(&mut c.endpoint.public, public);
        set_list(&mut c.endpoint.allowed_cidrs, cidrs);
        c
    }

    #[test]
    fn eks_public_endpoint_open_to_all_fails() {
        for open in [&["0.0.0.0/0"][..], &["203.0.113.0/24", "::/0"], &[]] {
            let o = run(&eks(true, open));
            assert_eq!(o.status, Status::Fail, "{open:?}");
            assert_eq!(o.evidence[0], Evidence::new("cluster.resourcesVpcConfig.endpointPublicAccess", "true"));
            assert_eq!(o.evidence[1].path, "cluster.resourcesVpcConfig.publicAccessCidrs");
        }
    }

    #[test]
    fn eks_public_endpoint_with_narrow_cidrs_passes() {
        assert_eq!(run(&eks(true, &["203.0.113.0/24"])).status, Status::Pass);
    }

    #[test]
    fn eks_private_endpoint_ignores_the_default_cidrs() {
        // EKS reports publicAccessCidrs ["0.0.0.0/0"] even when the public endpoint is off.
        let c = hardened_eks();
        assert_eq!(c.endpoint.allowed_cidrs.observed(), r#"["0.0.0.0/0"]"#);
        let o = run(&c);
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence, vec![Evidence::new("cluster.resourcesVpcConfig.endpointPublicAccess", "false")]);
    }

    #[test]
    fn eks_failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&eks(true, &["0.0.0.0/0"])), @r#"
        status: fail
        message: "The public API endpoint's allow-list contains 0.0.0.0/0, which admits the whole internet."
        evidence:
          - path: cluster.resourcesVpcConfig.endpointPublicAccess
            observed: "true"
          - path: cluster.resourcesVpcConfig.publicAccessCidrs
            observed: "[\"0.0.0.0/0\"]"
        "#);
    }
}
