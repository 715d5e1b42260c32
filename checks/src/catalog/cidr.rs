//! Allow-list helpers shared by the NET checks: an allow-list is judged by the union of its
//! prefixes, whatever their spelling (`*`, `0.0.0.0/0`, `0.0.0.0/1` + `128.0.0.0/1`, host bits
//! set, surrounding whitespace, IPv4-mapped IPv6).

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::Ipv6Addr;

/// Parses `a.b.c.d/n`, `a.b.c.d` (a single host) or an IPv6 form; host bits are cleared
/// (`10.1.2.3/8` admits `10.0.0.0/8`). `None` for anything else.
pub fn parse_cidr(entry: &str) -> Option<IpNet> {
    let e = entry.trim();
    let net = e.parse::<IpNet>().ok().or_else(|| e.parse::<std::net::IpAddr>().ok().map(IpNet::from))?;
    Some(net.trunc())
}

/// `::ffff:0:0/96`: IPv4 addresses written as IPv6.
fn mapped_range() -> Ipv6Net {
    Ipv6Net::new(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96).unwrap_or_default()
}

/// The networks one parsed entry admits, IPv4-mapped IPv6 counted as the IPv4 it stands for
/// (a dual-stack endpoint may see IPv4 clients that way): `::ffff:10.0.0.0/104` is `10.0.0.0/8`,
/// and an IPv6 prefix wide enough to hold all of `::ffff:0:0/96` admits all of IPv4 too.
pub fn admitted(net: IpNet) -> Vec<IpNet> {
    let IpNet::V6(v6) = net else { return vec![net] };
    let mapped = mapped_range();
    if mapped.contains(&v6) {
        let [.., a, b, c, d] = v6.network().octets();
        let v4 = Ipv4Net::new([a, b, c, d].into(), v6.prefix_len() - 96).unwrap_or_default();
        return vec![IpNet::V4(v4)];
    }
    if v6.contains(&mapped) {
        return vec![net, IpNet::V4(Ipv4Net::default())];
    }
    vec![net]
}

/// One allow-list entry as the API returned it, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `*`: every address of every family.
    Any,
    /// A prefix (host bits cleared) and the networks it admits (see [`admitted`]).
    Net(IpNet, Vec<IpNet>),
    /// Not a CIDR, an IP address or `*`.
    Malformed,
}

impl Entry {
    pub fn read(text: &str) -> Entry {
        if text.trim() == "*" {
            return Entry::Any;
        }
        match parse_cidr(text) {
            Some(net) => Entry::Net(net, admitted(net)),
            None => Entry::Malformed,
        }
    }
}

/// An allow-list judged by the union of its prefixes.
#[derive(Clone, Debug)]
pub struct AllowList<'a> {
    /// Every entry with its position and reading.
    pub entries: Vec<(usize, &'a str, Entry)>,
    /// The union of everything the entries admit, aggregated (`ipnet`'s aggregate).
    pub union: Vec<IpNet>,
}

impl<'a> AllowList<'a> {
    pub fn read(entries: &'a [String]) -> Self {
        let entries: Vec<(usize, &str, Entry)> =
            entries.iter().enumerate().map(|(i, e)| (i, e.as_str(), Entry::read(e))).collect();
        let mut nets = Vec::new();
        for (_, _, e) in &entries {
            match e {
                Entry::Any => nets.extend([IpNet::V4(Ipv4Net::default()), IpNet::V6(Ipv6Net::default())]),
                Entry::Net(_, admits) => nets.extend(admits.iter().copied()),
                Entry::Malformed => {}
            }
        }
        AllowList { entries, union: IpNet::aggregate(&nets) }
    }

    /// The whole IPv4 space (`0.0.0.0/0`) or IPv6 space (`::/0`) is in the union.
    pub fn admits_everything(&self) -> bool {
        self.union.iter().any(|n| n.prefix_len() == 0)
    }

    /// The families whose whole space the union covers, in words.
    pub fn open_families(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for n in self.union.iter().filter(|n| n.prefix_len() == 0) {
            out.push(if matches!(n, IpNet::V4(_)) { "IPv4" } else { "IPv6" });
        }
        out
    }

    /// The entries whose admitted networks lie inside `net` (what makes up that part of the
    /// union), leaving out those another of them already holds.
    pub fn entries_within(&self, net: &IpNet) -> Vec<(usize, &'a str)> {
        let inside = |e: &Entry| -> Vec<IpNet> {
            match e {
                Entry::Any => vec![*net],
                Entry::Net(_, admits) => admits.iter().filter(|a| net.contains(*a)).copied().collect(),
                Entry::Malformed => vec![],
            }
        };
        let parts: Vec<(usize, &str, Vec<IpNet>)> =
            self.entries.iter().map(|(i, t, e)| (*i, *t, inside(e))).filter(|(_, _, n)| !n.is_empty()).collect();
        let held = |i: usize, nets: &[IpNet]| {
            parts.iter().any(|(j, _, other)| {
                *j != i
                    && nets.iter().all(|n| other.iter().any(|o| o.contains(n)))
                    && !(other.iter().all(|o| nets.iter().any(|n| n.contains(o))) && *j > i)
            })
        };
        parts.iter().filter(|(i, _, nets)| !held(*i, nets)).map(|(i, t, _)| (*i, *t)).collect()
    }

    /// Entries that are not a CIDR, an IP address or `*`, as written.
    pub fn malformed(&self) -> Vec<(usize, &'a str)> {
        self.entries.iter().filter(|(_, _, e)| *e == Entry::Malformed).map(|(i, t, _)| (*i, *t)).collect()
    }
}

/// `'a', 'b'`: entries quoted as written (trimmed) for messages.
pub fn quote_entries(entries: &[(usize, &str)]) -> String {
    entries.iter().map(|(_, e)| format!("'{}'", e.trim())).collect::<Vec<_>>().join(", ")
}

/// `0.0.0.0/0`, `::/0` or `*` on its own: an entry that admits every address.
pub fn is_open_to_all(entry: &str) -> bool {
    match Entry::read(entry) {
        Entry::Any => true,
        Entry::Net(_, admits) => admits.iter().any(|n| n.prefix_len() == 0),
        Entry::Malformed => false,
    }
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

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
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
    fn parse_accepts_hosts_clears_host_bits_and_rejects_garbage() {
        assert_eq!(net("203.0.113.7").prefix_len(), 32);
        assert_eq!(net(" 2001:db8::1 ").prefix_len(), 128);
        assert_eq!(net("10.1.2.3/8"), net("10.0.0.0/8"));
        assert_eq!(net("\t1.2.3.4/0\n"), net("0.0.0.0/0"));
        for bad in ["203.0.113.0/33", "office", "", "/", "::/", "0/0", "1.2.3.4/-1", "1.2.3.4 /8"] {
            assert!(parse_cidr(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_union_decides_whatever_the_spelling() {
        for open in [
            &["0.0.0.0/0"][..],
            &["*"],
            &["::/0"],
            &[" 0.0.0.0/0 "],
            &["203.0.113.0/24", "1.2.3.4/0"],
            &["0.0.0.0/1", "128.0.0.0/1"],
            &["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"],
            &["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2", "::1"],
            &["::/1", "8000::/1"],
            &["::ffff:0:0/96"],
            &["::ffff:0.0.0.0/97", "128.0.0.0/1"],
            &["::/64"],
            // `::/1` holds every IPv4-mapped address.
            &["0.0.0.0/1", "::/1"],
        ] {
            let l = list(open);
            assert!(AllowList::read(&l).admits_everything(), "{open:?}");
        }
        for closed in [
            &["203.0.113.0/24"][..],
            &["0.0.0.0/1"],
            &["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"],
            &["0.0.0.0/1", "8000::/1"],
            &["::ffff:10.0.0.0/104"],
            &["2001:db8::/32", "office"],
        ] {
            let l = list(closed);
            assert!(!AllowList::read(&l).admits_everything(), "{closed:?}");
        }
    }

    #[test]
    fn open_families_and_contributors() {
        let l = list(&["0.0.0.0/1", "2001:db8::/32", "128.0.0.0/1", "nope"]);
        let a = AllowList::read(&l);
        assert_eq!(a.open_families(), ["IPv4"]);
        assert_eq!(a.entries_within(&net("0.0.0.0/0")), [(0, "0.0.0.0/1"), (2, "128.0.0.0/1")]);
        assert_eq!(a.malformed(), [(3, "nope")]);
        let star = list(&["*"]);
        assert_eq!(AllowList::read(&star).open_families(), ["IPv4", "IPv6"]);
    }

    #[test]
    fn mapped_ipv6_is_the_ipv4_it_stands_for() {
        assert_eq!(admitted(net("::ffff:10.0.0.0/104")), [net("10.0.0.0/8")]);
        assert_eq!(admitted(net("::/64")), [net("::/64"), net("0.0.0.0/0")]);
        assert_eq!(admitted(net("2001:db8::/48")), [net("2001:db8::/48")]);
        assert!(is_open_to_all("::ffff:0:0/96") && is_open_to_all("*") && !is_open_to_all("0.0.0.0/1"));
    }
}
