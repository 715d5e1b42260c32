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
    let mut evidence = vec![Evidence::of(&ep.public), Evidence::of(&ep.allowed_cidrs)];
    if cidrs.is_empty() {
        return Outcome::fail(
            "The public API endpoint accepts connections from any address (no allow-list).",
            evidence,
        );
    }
    let list = AllowList::read(cidrs);
    if list.admits_everything() {
        let families = list.open_families();
        let mut parts = Vec::new();
        for whole in list.union.iter().filter(|n| n.prefix_len() == 0) {
            let within = list.entries_within(whole);
            for (i, entry) in &within {
                let e = Evidence::new(format!("{}[{i}]", ep.allowed_cidrs.path), entry.to_string());
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
            parts.push(match within.as_slice() {
                [(_, one)] => format!("'{}'", one.trim()),
                many => format!("{} together", quote_entries(many)),
            });
        }
        parts.dedup();
        return Outcome::fail(
            format!(
                "The public API endpoint's allow-list admits every {} address ({}): the whole internet can reach it.",
                families.join(" and every "),
                parts.join("; ")
            ),
            evidence,
        );
    }
    let malformed = list.malformed();
    if !malformed.is_empty() {
        for (i, entry) in &malformed {
            evidence.push(Evidence::new(format!("{}[{i}]", ep.allowed_cidrs.path), entry.to_string()));
        }
        return Outcome::unknown_because(
            format!(
                "The allow-list entry {} is not a CIDR or IP address, so whether the list admits every address cannot be told.",
                quote_entries(&malformed)
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
    fn allow_lists_are_judged_by_their_union() {
        for open in [
            &["0.0.0.0/1", "128.0.0.0/1"][..],
            &["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2", "2001:db8::/48"],
            &[" 0.0.0.0/0\t"],
            &["10.9.8.7/0"],
            &["::/1", "8000::/1"],
            &["::ffff:0:0/96"],
            &["203.0.113.0/24", "*"],
        ] {
            let o = run(&public(Some(open)));
            assert_eq!(o.status, Status::Fail, "{open:?}: {o:?}");
            assert!(o.message.contains("admits every"), "{}", o.message);
        }
        let o = run(&public(Some(&["0.0.0.0/1", "203.0.113.0/24", "128.0.0.0/1"])));
        assert!(o.message.contains("'0.0.0.0/1', '128.0.0.0/1' together"), "{}", o.message);
        let cited: Vec<&str> = o.evidence.iter().map(|e| e.path.as_str()).collect();
        assert!(
            cited.ends_with(&[
                "properties.apiServerAccessProfile.authorizedIPRanges[0]",
                "properties.apiServerAccessProfile.authorizedIPRanges[2]"
            ]),
            "{cited:?}"
        );
    }

    #[test]
    fn malformed_entries_are_unknown_unless_the_rest_is_open() {
        for odd in
            [&["203.0.113.0/24", "office-vpn"][..], &[""], &["0/0"], &["1.2.3.4/33"], &["0.0.0.0-255.255.255.255"]]
        {
            let o = run(&public(Some(odd)));
            assert_eq!(o.status, Status::Unknown, "{odd:?}: {o:?}");
        }
        assert_eq!(run(&public(Some(&["nope", "0.0.0.0/1", "128.0.0.0/1"]))).status, Status::Fail);
    }

    #[test]
    fn half_of_the_space_is_not_everything() {
        for closed in [&["0.0.0.0/1"][..], &["0.0.0.0/1", "128.0.0.0/2", "8000::/1"], &["::ffff:10.0.0.0/104"]] {
            assert_eq!(run(&public(Some(closed))).status, Status::Pass, "{closed:?}");
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
        message: "The public API endpoint's allow-list admits every IPv4 address ('0.0.0.0/0'): the whole internet can reach it."
        evidence:
          - path: cluster.resourcesVpcConfig.endpointPublicAccess
            observed: "true"
          - path: cluster.resourcesVpcConfig.publicAccessCidrs
            observed: "[\"0.0.0.0/0\"]"
          - path: "cluster.resourcesVpcConfig.publicAccessCidrs[0]"
            observed: 0.0.0.0/0
        "#);
    }
}
