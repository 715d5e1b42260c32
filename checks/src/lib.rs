//! kubeposture's posture model and check catalog. Checks are pure functions of the model.

pub mod abac;
pub mod admins;
pub mod azure_rbac;
pub mod catalog;
pub mod compliance;
pub mod context;
pub mod field;
pub mod iam;
pub mod meta;
pub mod model;
pub mod outcome;
#[cfg(test)]
mod prop_verdicts;
pub mod registry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use context::{Context, Thresholds};
pub use field::{Field, Obs};
pub use meta::{CheckMeta, Severity};
pub use model::{Cloud, Cluster, ResourceKind, ResourceRef, Scope};
pub use outcome::{Evidence, Outcome, Status, Subject};
pub use registry::{Check, all, evaluate, evaluate_scope, find};
