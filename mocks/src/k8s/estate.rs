//! The estate's `kubernetes:` section: what each cluster's Kubernetes API holds and what the
//! scanner's identity may do there.

use serde::Deserialize;
use serde_json::Value;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    #[serde(default)]
    pub clusters: Vec<KubeCluster>,
}

/// One cluster's API. A cluster of the estate without an entry serves an empty cluster (the
/// objects every API server has, nothing else).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeCluster {
    /// The AKS cluster's ARM resource id, or the EKS cluster's ARN.
    pub cluster: String,
    /// `false`: the endpoint the cluster's credentials name refuses connections (a private
    /// API server out of the scanner's reach).
    #[serde(default = "yes")]
    pub reachable: bool,
    /// `true`: every request is 401 (the identity is not mapped: no access entry, another
    /// tenant's Entra).
    #[serde(default)]
    pub unauthorized: bool,
    /// Resources (lower-case plural, `secrets`, `clusterrolebindings`) the identity may not
    /// list or get: 403.
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// Resources whose lists come back truncated: the first page carries `remainingItemCount`
    /// but no `continue` token (a proxy or server that drops it).
    #[serde(default)]
    pub truncated: Vec<String>,
    /// `false`: Deployments, StatefulSets, DaemonSets and Jobs get no ReplicaSets and pods
    /// made for them (the estate lists what it wants).
    #[serde(default = "yes")]
    pub controllers: bool,
    /// Kubernetes objects as `kubectl get -o yaml` shows them (`apiVersion`, `kind`,
    /// `metadata.name` required; `metadata.namespace` defaults to `default`).
    #[serde(default)]
    pub objects: Vec<Value>,
}

fn yes() -> bool {
    true
}
