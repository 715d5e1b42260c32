//! One file per check. Each exports `CHECK`; `registry.rs` lists them.

pub(crate) mod prelude {
    pub use crate::catalog::cidr::*;
    pub use crate::context::Context;
    pub use crate::field::Field;
    pub use crate::meta::{CheckMeta, Severity};
    pub use crate::model::{Cloud, Cluster};
    pub use crate::outcome::{Evidence, Outcome, Status};
    pub use crate::registry::Check;
    pub use crate::require;
}

pub mod cidr;

pub mod net_001;
