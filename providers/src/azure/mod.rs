//! Azure: credentials, ARM calls and mapping managedClusters into the posture model.

pub mod arm;
pub mod credential;
pub mod data_plane;
pub mod identity;
pub mod map;
pub mod mgmt;
pub mod models;
pub mod scan;

pub use credential::CredentialChoice;
pub use scan::{ApiVersions, AzureConfig, Endpoints, SetupError, scan};
