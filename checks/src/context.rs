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
    /// WKL-…/K8S-…: what the workload checks allow (`thresholds.workloads.*` in the config file).
    pub workloads: WorkloadThresholds,
}

/// The catalog's `workloads.*` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case", deny_unknown_fields)]
pub struct WorkloadThresholds {
    /// Namespaces whose workloads, Services, Ingresses and Roles are not judged (as Defender
    /// leaves out `kube-system`). An exact name, or a prefix ending in `*`.
    pub exempt_namespaces: Vec<String>,
    /// WKL-002: registries images may come from: `myacr.azurecr.io`, `*.azurecr.io`,
    /// `123456789012.dkr.ecr.*.amazonaws.com`, or a repository prefix `ghcr.io/my-org`. Images
    /// without a registry are Docker Hub's (`docker.io/library/redis`). `None` (the default):
    /// WKL-002 is `unknown` until set.
    pub allowed_registries: Option<Vec<String>>,
    /// WKL-003: capabilities a container may add (names with or without `CAP_`).
    pub allowed_capabilities: Vec<String>,
    /// WKL-004: AppArmor profiles allowed (annotation spelling or field `type`; `localhost/*`
    /// allows every local profile).
    pub allowed_apparmor: Vec<String>,
    /// WKL-005: ports a Service may listen on. `None` (the default): WKL-005 is
    /// `not_applicable` until set.
    pub allowed_service_ports: Option<Vec<u16>>,
    /// WKL-007: `hostPath` volumes allowed: a path prefix (matched by whole path segments) and
    /// whether every mount of it must be read-only. Default: none.
    pub allowed_host_paths: Vec<AllowedHostPath>,
}

/// One allowed `hostPath`, as Azure Policy's `allowedHostPaths` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AllowedHostPath {
    pub path_prefix: String,
    #[serde(default)]
    pub read_only: bool,
}

impl Default for WorkloadThresholds {
    fn default() -> Self {
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect();
        Self {
            exempt_namespaces: s(&[
                "kube-system",
                "gatekeeper-system",
                "azure-arc",
                "calico-system",
                "tigera-operator",
            ]),
            allowed_registries: None,
            allowed_capabilities: s(&["NET_BIND_SERVICE"]),
            allowed_apparmor: s(&["runtime/default", "RuntimeDefault", "localhost/*"]),
            allowed_service_ports: None,
            allowed_host_paths: Vec::new(),
        }
    }
}

impl WorkloadThresholds {
    /// Whether objects of `namespace` are left out.
    pub fn exempt(&self, namespace: &str) -> bool {
        self.exempt_namespaces.iter().any(|e| match e.strip_suffix('*') {
            Some(prefix) => namespace.starts_with(prefix),
            None => e == namespace,
        })
    }
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
            workloads: WorkloadThresholds::default(),
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
    fn workload_thresholds_default_and_parse() {
        let w = Thresholds::default().workloads;
        assert!(w.exempt("kube-system") && w.exempt("tigera-operator") && !w.exempt("default"));
        assert_eq!((w.allowed_registries, w.allowed_service_ports), (None, None));
        assert_eq!(w.allowed_capabilities, ["NET_BIND_SERVICE"]);
        let t: Thresholds = serde_json::from_str(
            r#"{"workloads": {"allowed_registries": ["*.azurecr.io"], "exempt_namespaces": ["team-*"],
                "allowed_host_paths": [{"path_prefix": "/var/log", "read_only": true}]}}"#,
        )
        .expect("parses");
        assert_eq!(t.workloads.allowed_registries.as_deref(), Some(&["*.azurecr.io".to_string()][..]));
        assert!(t.workloads.exempt("team-a") && !t.workloads.exempt("kube-system"));
        assert_eq!(
            t.workloads.allowed_host_paths[0],
            AllowedHostPath { path_prefix: "/var/log".into(), read_only: true }
        );
        assert!(serde_json::from_str::<Thresholds>(r#"{"workloads": {"allowed_registry": []}}"#).is_err());
    }

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
