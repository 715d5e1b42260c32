//! Cloud adapters: they collect settings read-only and map them into the posture model.
//! Providers never decide pass/fail; they decide only what is known and what is not.

pub mod aws;
pub mod azure;
pub mod collected;
pub mod errors;
pub mod http;
pub mod k8s;
pub mod limit;
pub mod once;

pub use collected::{Collected, Coverage, ScopeFailure};
