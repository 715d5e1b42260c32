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

/// The widest prefix this family may have (configurable).
fn max_prefix(net: &ipnet::IpNet, t: &Thresholds) -> u8 {
    match net {
        ipnet::IpNet::V4(_) => t.max_ipv4_prefix,
        ipnet::IpNet::V6(_) => t.max_ipv6_prefix,
    }
}

/// Why one entry admits too much on its own; empty when it does not.
fn entry_problems(entry: &Entry, t: &Thresholds) -> Vec<String> {
    let admits = match entry {
        Entry::Any => return vec!["admits every address".into()],
        Entry::Net(_, admits) => admits,
        Entry::Malformed => return vec![],
    };
    let mut why = Vec::new();
    for net in admits {
        let max = max_prefix(net, t);
        if net.prefix_len() < max {
            let mapped = matches!((entry, net), (Entry::Net(ipnet::IpNet::V6(_), _), ipnet::IpNet::V4(_)));
            let family = if mapped { format!(" (as IPv4 {net})") } else { String::new() };
            why.push(format!("/{} is wider than /{max}{family}", net.prefix_len()));
        }
        if let Some(range) = private_range(net) {
            why.push(format!("{range} range, never the source of traffic to a public endpoint"));
        }
    }
    why
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
    let field = &ep.allowed_cidrs;
    let entries = field.get().map(Vec::as_slice).unwrap_or_default();
    let mut evidence = vec![Evidence::of(&ep.public), Evidence::of(field)];
    if entries.is_empty() {
        // A public endpoint with no allow-list is NET-001's failure, not a broad entry.
        return Outcome::not_applicable(
            "The public endpoint has no allow-list at all; NET-001 reports that exposure.",
            evidence,
        );
    }
    let t = &ctx.thresholds;
    let list = AllowList::read(entries);
    let mut cited: Vec<usize> = Vec::new();
    let mut bad = Vec::new();
    for (i, text, entry) in &list.entries {
        let why = entry_problems(entry, t);
        if !why.is_empty() {
            bad.push(format!("{} ({})", text.trim(), why.join("; ")));
            cited.push(*i);
        }
    }
    // Entries each narrow enough that together make a prefix wider than allowed.
    for net in list.union.iter().filter(|n| n.prefix_len() < max_prefix(n, t)) {
        let within = list.entries_within(net);
        if within.len() > 1 && within.iter().all(|(i, _)| !cited.contains(i)) {
            bad.push(format!(
                "{} together admit {net} (/{} is wider than /{})",
                quote_entries(&within),
                net.prefix_len(),
                max_prefix(net, t)
            ));
            cited.extend(within.iter().map(|(i, _)| *i));
        }
    }
    let malformed = list.malformed();
    cited.extend(malformed.iter().map(|(i, _)| *i));
    cited.sort_unstable();
    cited.dedup();
    for i in cited {
        evidence.push(Evidence::new(format!("{}[{i}]", field.path), entries[i].clone()));
    }
    let not_parsed = match malformed.as_slice() {
        [] => String::new(),
        m => format!("; also not a CIDR or IP address: {}", quote_entries(m)),
    };
    if !bad.is_empty() {
        return Outcome::fail(
            format!("The public API endpoint's allow-list admits too much: {}{not_parsed}.", bad.join(", ")),
            evidence,
        );
    }
    if !malformed.is_empty() {
        return Outcome::unknown_because(
            format!(
                "The allow-list entry {} is not a CIDR or IP address, so the allow-list cannot be fully judged.",
                quote_entries(&malformed)
            ),
            evidence,
        );
    }
    Outcome::pass(
        format!(
            "Every allow-list entry is a public range no wider than /{} (IPv4) or /{} (IPv6), and so is their union.",
            t.max_ipv4_prefix, t.max_ipv6_prefix
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
    fn narrow_entries_that_together_are_wide_fail() {
        let o = run(&CHECK, &public(&["203.0.0.0/17", "203.0.128.0/17", "203.1.0.0/16", "198.51.100.0/24"]));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(
            o.message.contains("'203.0.0.0/17', '203.0.128.0/17', '203.1.0.0/16' together admit 203.0.0.0/15"),
            "{}",
            o.message
        );
        assert!(!o.evidence.iter().any(|e| e.observed == "198.51.100.0/24"), "{:?}", o.evidence);
        // Exactly /16 together is fine.
        assert_eq!(run(&CHECK, &public(&["203.0.0.0/17", "203.0.128.0/17"])).status, Status::Pass);
        // Halves of the internet: each entry is already too wide.
        let o = run(&CHECK, &public(&["0.0.0.0/1", "128.0.0.0/1"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("0.0.0.0/1 (/1 is wider than /16)"), "{}", o.message);
    }

    #[test]
    fn spellings_and_mapped_ipv6() {
        for wide in [" 10.9.8.7/0 ", "::ffff:0:0/96", "::ffff:52.0.0.0/104", "1.2.3.4/8"] {
            assert_eq!(run(&CHECK, &public(&[wide])).status, Status::Fail, "{wide}");
        }
        let o = run(&CHECK, &public(&["::ffff:10.1.0.0/112"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("RFC 1918"), "{}", o.message);
        assert_eq!(run(&CHECK, &public(&["::ffff:203.0.113.0/120", "2001:db8:1::/48"])).status, Status::Pass);
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
