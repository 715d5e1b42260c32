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
    /// AUTH-007: principal ARNs allowed to hold EKS cluster admin through access entries
    /// (`AmazonEKSClusterAdminPolicy` at any scope, `AmazonEKSAdminPolicy` at cluster scope), e.g.
    /// `arn:aws:iam::111122223333:role/platform-admins` or `arn:aws:iam::*:role/break-glass-*`.
    /// `*` matches any run of characters (including `/` and `:`), `?` exactly one; ASCII case is
    /// ignored (IAM names are case-insensitive). When set, AUTH-007 fails for any admin principal
    /// not matched. Default empty: every admin entry is listed as evidence and AUTH-007 fails when
    /// more than `eks_max_cluster_admins` principals hold admin or any of them is an IAM user.
    pub eks_allowed_admins: Vec<String>,
    /// AUTH-007: with an empty `eks_allowed_admins`, the most principals that may hold EKS cluster
    /// admin through access entries (default 2).
    pub eks_max_cluster_admins: usize,
    /// IDN-004: the longest Conditional Access sign-in frequency, in hours, that counts as
    /// re-checking AKS admins often enough (default 8; `everyTime` always counts).
    pub ca_max_sign_in_frequency_hours: u32,
    /// IDN-008: the longest PIM-for-Groups activation, in hours, an admin group's `member` role
    /// may allow (`Expiration_EndUser_Assignment.maximumDuration`; default 8, i.e. `PT8H`).
    pub pim_max_activation_hours: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            max_ipv4_prefix: 16,
            max_ipv6_prefix: 48,
            eks_allowed_admins: Vec::new(),
            eks_max_cluster_admins: 2,
            ca_max_sign_in_frequency_hours: 8,
            pim_max_activation_hours: 8,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eks_admin_thresholds_default_and_parse() {
        let t = Thresholds::default();
        assert!(t.eks_allowed_admins.is_empty());
        assert_eq!(t.eks_max_cluster_admins, 2);
        let t: Thresholds =
            serde_json::from_str(r#"{"eks_allowed_admins": ["arn:aws:iam::*:role/break-glass-*"]}"#).expect("parses");
        assert_eq!(t.eks_allowed_admins, ["arn:aws:iam::*:role/break-glass-*"]);
        assert_eq!((t.eks_max_cluster_admins, t.max_ipv4_prefix), (2, 16));
        assert!(serde_json::from_str::<Thresholds>(r#"{"eks_max_admins": 3}"#).is_err());
    }

    #[test]
    fn idn_thresholds_default_and_parse() {
        let t = Thresholds::default();
        assert_eq!((t.ca_max_sign_in_frequency_hours, t.pim_max_activation_hours), (8, 8));
        let t: Thresholds =
            serde_json::from_str(r#"{"ca_max_sign_in_frequency_hours": 4, "pim_max_activation_hours": 3}"#)
                .expect("parses");
        assert_eq!((t.ca_max_sign_in_frequency_hours, t.pim_max_activation_hours, t.eks_max_cluster_admins), (4, 3, 2));
    }
}
