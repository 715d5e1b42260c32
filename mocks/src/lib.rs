//! A mock cloud that speaks the real wire protocols over HTTPS on loopback: the Entra ID
//! token endpoint, Azure Resource Manager (incl. Microsoft.Authorization), Microsoft Graph, and
//! AWS (EKS, IAM, STS, EC2), serving an estate file. It injects latency,
//! throttling and faults and counts calls, so kubeposture's real SDK code is what is tested.
//! `mocks/README.md` documents the estate file and the options.

mod arm;
mod authz;
pub mod aws;
mod directory;
mod entra;
pub mod estate;
pub mod faults;
mod graph;
pub mod k8s;
mod mgmt;
mod paging;
pub mod ratelimit;
mod server;
mod state;
#[cfg(test)]
mod testkit;
mod tls;

#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod fixture_tests;

pub use estate::{AwsCredentials, AwsRoleToAssume, ClientCredentials, Estate, EstateError};
pub use ratelimit::{BucketStats, RateLimits};
pub use server::MockCloud;

use std::path::PathBuf;
use std::time::Duration;

/// How the mock behaves, besides what the estate holds.
#[derive(Clone, Debug)]
pub struct MockOptions {
    /// Address to listen on; port 0 picks a free one.
    pub listen: std::net::SocketAddr,
    /// Also write the CA certificate (PEM) here.
    pub ca_pem_path: Option<PathBuf>,
    /// Items per page of every paged list.
    pub page_size: usize,
    /// Delay before every API answer.
    pub latency: Duration,
    /// Share of API calls answered with the service's throttling error (0.0 … 1.0): ARM and Graph 429,
    /// EKS 429 `ThrottlingException`, IAM/STS 400 `Throttling`, EC2 503 `RequestLimitExceeded`.
    /// Entra logins are never throttled; STS calls are (the AWS SDKs retry them).
    pub throttle_ratio: f64,
    /// `Retry-After` seconds on a throttled answer.
    pub retry_after_secs: u64,
    /// Seed of the throttling dice, so a run can be repeated.
    pub seed: u64,
    /// Token-bucket rate limits as the clouds publish them (`RateLimits::published()`);
    /// `None`: unlimited.
    pub rate_limits: Option<RateLimits>,
}

impl Default for MockOptions {
    fn default() -> Self {
        Self {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ca_pem_path: None,
            page_size: 100,
            latency: Duration::ZERO,
            throttle_ratio: 0.0,
            retry_after_secs: 1,
            seed: 1,
            rate_limits: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("cannot generate the mock's TLS certificates: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("cannot write the CA certificate to {path}: {source}")]
    WriteCa { path: PathBuf, source: std::io::Error },
}
