//! What a provider streams to the engine.

use kubeposture_checks::{Cloud, Cluster, Scope};
use serde::Serialize;

/// One item of a scan's output stream.
#[derive(Debug)]
pub enum Collected {
    /// A cluster's posture, complete: checks can score it now.
    Cluster(Box<Cluster>),
    /// An account or tenant, for what belongs to no cluster; sent after its clusters.
    Scope(Box<Scope>),
    /// A scope (a whole cloud login, a subscription, an account/region) could not be collected.
    ScopeFailed(ScopeFailure),
    /// Every cluster of a part of the estate was listed (all pages, no error); sent after the
    /// last of its clusters. History may call a finding of it that is gone "resolved"; anywhere
    /// not covered, a finding that is gone was only "not collected".
    Covered(Coverage),
}

/// A part of the estate whose cluster list was read completely.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// `managedClusters` of an Azure subscription (the id as ARM returns it).
    Subscription(String),
    /// `ListClusters` in one AWS account and region.
    Region { account: String, region: String },
}

/// A scope that could not be collected, and why. Findings for everything else still stand.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScopeFailure {
    pub cloud: Cloud,
    /// `tenant 1111…`, `subscription 0000… (Prod)`, …
    pub scope: String,
    /// The API operation that failed (`listManagedClusters`).
    pub operation: String,
    /// The cause as the cloud stated it (error code and message), never a secret.
    pub reason: String,
}
