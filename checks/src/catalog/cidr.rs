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
    e.parse::<IpNet>()
        .ok()
        .or_else(|| e.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}
