//! Inputs a check may read besides the cluster: the clock and configurable thresholds.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Thresholds marked *(configurable)* in the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case", deny_unknown_fields)]
pub struct Thresholds {
    /// NET-002: widest IPv4 prefix length allowed on a public allow-list.
    pub max_ipv4_prefix: u8,
    /// NET-002: widest IPv6 prefix length allowed on a public allow-list.
    pub max_ipv6_prefix: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { max_ipv4_prefix: 16, max_ipv6_prefix: 48 }
    }
}

/// Everything a check may read besides the cluster.
#[derive(Clone, Debug)]
pub struct Context {
    pub now: OffsetDateTime,
    pub thresholds: Thresholds,
}

impl Context {
    pub fn new(now: OffsetDateTime) -> Self {
        Self { now, thresholds: Thresholds::default() }
    }
}
