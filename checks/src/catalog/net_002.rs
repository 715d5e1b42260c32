//! NET-002: the public endpoint's allow-list admits too much (or lists ranges that mean nothing there).

use crate::catalog::prelude::*;
use crate::context::Thresholds;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-002",
        slug: "api-endpoint-broad-allowlist",
        title: "API server allow-list too broad",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "An allow-list only reduces exposure if its entries are narrow: a /8 or a whole cloud region's range \
admits millions of addresses, including ones an attacker can rent. Private, CGNAT, loopback or link-local ranges never \
match traffic arriving at a public endpoint, so such entries protect nothing and usually mean the operator believed the \
endpoint was restricted to an internal network when it is not.",
        remediation: "List only the public egress addresses of your offices, VPN and CI runners, each no wider than /16 \
(IPv4) or /48 (IPv6). AKS: `az aks update -g <rg> -n <cluster> --api-server-authorized-ip-ranges 203.0.113.0/24,198.51.100.7/32`. \
EKS: `aws eks update-cluster-config --name <cluster> --resources-vpc-config publicAccessCidrs=203.0.113.0/24`. \
For access from inside the network use a private cluster (AKS) or `endpointPrivateAccess=true` (EKS) instead of private \
ranges on the public allow-list.",
        references: &[
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
            "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        ],
        compliance: &["CIS AKS 5.4.1", "CIS EKS 5.4.1"],
    },
    cluster: Some(eval),
    scope: None,
};

/// What is wrong with one allow-list entry.
enum Verdict {
    Fine,
    Bad(Vec<String>),
    Unparsable,
}

fn judge(entry: &str, t: &Thresholds) -> Verdict {
    if entry.trim() == "*" {
        return Verdict::Bad(vec!["admits every address".into()]);
    }
    let Some(net) = parse_cidr(entry) else {
        return Verdict::Unparsable;
    };
    let max = match net {
        ipnet::IpNet::V4(_) => t.max_ipv4_prefix,
        ipnet::IpNet::V6(_) => t.max_ipv6_prefix,
    };
    let mut why = Vec::new();
    if net.prefix_len() < max {
        why.push(format!("/{} is wider than /{max}", net.prefix_len()));
    }
    if let Some(range) = private_range(&net) {
        why.push(format!("{range} range, never the source of traffic to a public endpoint"));
    }
    if why.is_empty() { Verdict::Fine } else { Verdict::Bad(why) }
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let ep = &c.endpoint;
    require!(ep.public);
    match ep.public.get() {
        // Private-only endpoint: there is no public allow-list to judge.
        Some(false) => {
            return Outcome::not_applicable(
                "The API server has no public endpoint, so it has no allow-list to judge.",
                vec![Evidence::of(&ep.public)],
            );
        }
        None => {
            return Outcome::unknown_because(
                format!("{} is absent, so whether the API server is public cannot be told.", ep.public.path),
                vec![Evidence::of(&ep.public)],
            );
        }
        Some(true) => {}
    }
    require!(ep.allowed_cidrs);
    let list = &ep.allowed_cidrs;
    let entries = list.get().map(Vec::as_slice).unwrap_or_default();
    let mut evidence = vec![Evidence::of(&ep.public), Evidence::of(list)];
    if entries.is_empty() {
        // A public endpoint with no allow-list is NET-001's failure, not a broad entry.
        return Outcome::not_applicable(
            "The public endpoint has no allow-list at all; NET-001 reports that exposure.",
            evidence,
        );
    }
    let (mut bad, mut unparsable) = (Vec::new(), Vec::new());
    for (i, entry) in entries.iter().enumerate() {
        let shown = entry.trim();
        match judge(entry, &ctx.thresholds) {
            Verdict::Fine => continue,
            Verdict::Bad(why) => bad.push(format!("{shown} ({})", why.join("; "))),
            Verdict::Unparsable => unparsable.push(format!("'{shown}'")),
        }
        evidence.push(Evidence::new(format!("{}[{i}]", list.path), entry.clone()));
    }
    let not_parsed = match unparsable.as_slice() {
        [] => String::new(),
        u => format!("; also not a CIDR or IP address: {}", u.join(", ")),
    };
    if !bad.is_empty() {
        return Outcome::fail(
            format!("The public API endpoint's allow-list admits too much: {}{not_parsed}.", bad.join(", ")),
            evidence,
        );
    }
    if !unparsable.is_empty() {
        return Outcome::unknown_because(
            format!(
                "The allow-list entry {} is not a CIDR or IP address, so the allow-list cannot be fully judged.",
                unparsable.join(", ")
            ),
            evidence,
        );
    }
    Outcome::pass(
        format!(
            "Every allow-list entry is a public range no wider than /{} (IPv4) or /{} (IPv6).",
            ctx.thresholds.max_ipv4_prefix, ctx.thresholds.max_ipv6_prefix
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn public(cidrs: &[&str]) -> Cluster {
        let mut c = hardened_aks();
        make_public(&mut c, Some(cidrs));
        c
    }

    #[test]
    fn narrow_public_ranges_pass() {
        let o = run(&CHECK, &public(&["203.0.113.0/24", "198.51.100.7", "2001:db8:1::/48", "8.8.0.0/16"]));
        assert_eq!(o.status, Status::Pass, "{o:?}");
    }

    #[test]
    fn private_cluster_is_not_applicable() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::NotApplicable);
    }

    #[test]
    fn public_without_allow_list_is_not_applicable() {
        let mut c = hardened_aks();
        make_public(&mut c, None);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        assert_eq!(run(&CHECK, &public(&[])).status, Status::NotApplicable);
    }

    #[test]
    fn wide_prefixes_fail() {
        for wide in ["0.0.0.0/0", "*", "203.0.0.0/15", "::/0", "2001:db8::/47"] {
            let o = run(&CHECK, &public(&["203.0.113.0/24", wide]));
            assert_eq!(o.status, Status::Fail, "{wide}");
            assert!(o.message.contains(wide), "{wide}: {}", o.message);
            assert!(o.evidence.iter().any(|e| e.path.ends_with("authorizedIPRanges[1]") && e.observed == wide));
        }
    }

    #[test]
    fn thresholds_are_configurable() {
        let mut ctx = ctx();
        ctx.thresholds.max_ipv4_prefix = 24;
        assert_eq!(eval(&public(&["198.51.0.0/22"]), &ctx).status, Status::Fail);
        ctx.thresholds.max_ipv4_prefix = 8;
        assert_eq!(eval(&public(&["198.51.0.0/22"]), &ctx).status, Status::Pass);
    }

    #[test]
    fn private_ranges_fail() {
        for private in ["10.1.0.0/16", "172.16.5.0/24", "192.168.1.10", "100.64.1.0/24", "fd12:3456::/48"] {
            assert_eq!(run(&CHECK, &public(&[private])).status, Status::Fail, "{private}");
        }
    }

    #[test]
    fn unparsable_entry_alone_is_unknown_and_named() {
        let o = run(&CHECK, &public(&["203.0.113.0/24", "office-vpn"]));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("'office-vpn'"), "{}", o.message);
    }

    #[test]
    fn unparsable_entry_does_not_hide_a_bad_one() {
        let o = run(&CHECK, &public(&["office-vpn", "0.0.0.0/0"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("'office-vpn'"), "{}", o.message);
    }

    #[test]
    fn uncollected_inputs_are_unknown() {
        let mut c = public(&["0.0.0.0/0"]);
        unknown(&mut c.endpoint.allowed_cidrs);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = public(&["0.0.0.0/0"]);
        unknown(&mut c.endpoint.public);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.endpoint.public);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let o = run(&CHECK, &public(&["203.0.113.0/24", "10.0.0.0/8", "198.51.100.0/12", "bogus"]));
        insta::assert_yaml_snapshot!(o, @r#"
        status: fail
        message: "The public API endpoint's allow-list admits too much: 10.0.0.0/8 (/8 is wider than /16; RFC 1918 private range, never the source of traffic to a public endpoint), 198.51.100.0/12 (/12 is wider than /16); also not a CIDR or IP address: 'bogus'."
        evidence:
          - path: properties.apiServerAccessProfile.enablePrivateCluster
            observed: "false"
          - path: properties.apiServerAccessProfile.authorizedIPRanges
            observed: "[\"203.0.113.0/24\",\"10.0.0.0/8\",\"198.51.100.0/12\",\"bogus\"]"
          - path: "properties.apiServerAccessProfile.authorizedIPRanges[1]"
            observed: 10.0.0.0/8
          - path: "properties.apiServerAccessProfile.authorizedIPRanges[2]"
            observed: 198.51.100.0/12
          - path: "properties.apiServerAccessProfile.authorizedIPRanges[3]"
            observed: bogus
        "#);
    }

    fn eks(public: bool, cidrs: &[&str]) -> Cluster {
        let mut c = hardened_eks();
        set(&mut c.endpoint.public, public);
        set_list(&mut c.endpoint.allowed_cidrs, cidrs);
        c
    }

    #[test]
    fn eks_private_endpoint_with_default_cidrs_is_not_applicable() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::NotApplicable);
        assert!(!o.evidence.iter().any(|e| e.observed.contains("0.0.0.0/0")), "{o:?}");
    }

    #[test]
    fn eks_public_cidrs_are_judged() {
        assert_eq!(run(&CHECK, &eks(true, &["203.0.113.0/24", "2001:db8:1::/48"])).status, Status::Pass);
        for wide in ["0.0.0.0/0", "52.0.0.0/8", "10.0.0.0/16"] {
            let o = run(&CHECK, &eks(true, &["203.0.113.0/24", wide]));
            assert_eq!(o.status, Status::Fail, "{wide}");
            let at = "cluster.resourcesVpcConfig.publicAccessCidrs[1]";
            assert!(o.evidence.contains(&Evidence::new(at, wide)), "{wide}: {:?}", o.evidence);
        }
        assert_eq!(run(&CHECK, &eks(true, &[])).status, Status::NotApplicable);
    }

    #[test]
    fn eks_failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &eks(true, &["203.0.113.0/24", "52.0.0.0/8"])), @r#"
        status: fail
        message: "The public API endpoint's allow-list admits too much: 52.0.0.0/8 (/8 is wider than /16)."
        evidence:
          - path: cluster.resourcesVpcConfig.endpointPublicAccess
            observed: "true"
          - path: cluster.resourcesVpcConfig.publicAccessCidrs
            observed: "[\"203.0.113.0/24\",\"52.0.0.0/8\"]"
          - path: "cluster.resourcesVpcConfig.publicAccessCidrs[1]"
            observed: 52.0.0.0/8
        "#);
    }
}
