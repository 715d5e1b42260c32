//! Allow-list helpers shared by the NET checks.

use ipnet::IpNet;

/// `0.0.0.0/0`, `::/0` or `*`: an entry that admits every address.
pub fn is_open_to_all(entry: &str) -> bool {
    let e = entry.trim();
    e == "*" || parse_cidr(e).is_some_and(|n| n.prefix_len() == 0)
}

/// Parses `a.b.c.d/n`, `a.b.c.d` (a single host) or an IPv6 form. `None` for anything else.
pub fn parse_cidr(entry: &str) -> Option<IpNet> {
    let e = entry.trim();
    e.parse::<IpNet>().ok().or_else(|| e.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// The name of the non-internet range `net` lies in (RFC 1918, CGNAT, loopback, link-local,
/// IPv6 unique-local), or `None` for a publicly routable range.
pub fn private_range(net: &IpNet) -> Option<&'static str> {
    const RANGES: &[(&str, &str)] = &[
        ("10.0.0.0/8", "RFC 1918 private"),
        ("172.16.0.0/12", "RFC 1918 private"),
        ("192.168.0.0/16", "RFC 1918 private"),
        ("100.64.0.0/10", "RFC 6598 carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("fc00::/7", "RFC 4193 unique-local"),
        ("fe80::/10", "link-local"),
        ("::1/128", "loopback"),
    ];
    let net = net.trunc();
    RANGES
        .iter()
        .filter_map(|(range, name)| Some((range.parse::<IpNet>().ok()?, *name)))
        .find(|(range, _)| range.contains(&net))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        parse_cidr(s).expect("test CIDR parses")
    }

    #[test]
    fn private_ranges_are_named() {
        for (cidr, name) in [
            ("10.1.2.0/24", Some("RFC 1918 private")),
            ("172.31.255.255", Some("RFC 1918 private")),
            ("192.168.0.0/16", Some("RFC 1918 private")),
            ("100.64.0.0/10", Some("RFC 6598 carrier-grade NAT")),
            ("127.0.0.1", Some("loopback")),
            ("169.254.169.254", Some("link-local")),
            ("fd00::/8", Some("RFC 4193 unique-local")),
            ("fe80::1", Some("link-local")),
            ("::1", Some("loopback")),
            ("172.32.0.0/16", None),
            ("203.0.113.0/24", None),
            ("2001:db8::/48", None),
            // Wider than a private range: not inside it (NET-002 flags its width instead).
            ("10.0.0.0/7", None),
        ] {
            assert_eq!(private_range(&net(cidr)), name, "{cidr}");
        }
    }

    #[test]
    fn parse_accepts_hosts_and_rejects_garbage() {
        assert_eq!(net("203.0.113.7").prefix_len(), 32);
        assert_eq!(net(" 2001:db8::1 ").prefix_len(), 128);
        assert!(parse_cidr("203.0.113.0/33").is_none());
        assert!(parse_cidr("office").is_none());
        assert!(parse_cidr("").is_none());
    }
}
