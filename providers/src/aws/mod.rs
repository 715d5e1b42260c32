//! AWS: credentials and accounts, EKS/IAM/EC2/STS reads, and mapping clusters into the model.

pub mod config;
mod data_plane;
mod ec2;
mod eks;
pub mod error;
pub mod fleet;
pub mod iam;
pub mod map;
mod nodes;
pub mod org;
mod pages;
mod scan;
mod session;
mod vpc_flags;
pub mod wire;

pub use config::{AwsConfig, RoleTarget, SetupError, StaticKeys};
pub use org::OrgScope;
pub use scan::scan;
