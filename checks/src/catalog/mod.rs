//! One file per check. Each exports `CHECK`; `registry.rs` lists them.

// Not every check uses every item.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use crate::catalog::cidr::*;
    pub use crate::catalog::eks::*;
    pub use crate::catalog::setting::*;
    pub use crate::catalog::version::*;
    pub use crate::context::Context;
    pub use crate::field::Field;
    pub use crate::meta::{CheckMeta, Severity};
    pub use crate::model::{Cloud, Cluster};
    pub use crate::outcome::{Evidence, Outcome, Status};
    pub use crate::registry::Check;
    pub use crate::require;
}

pub mod ca;
pub mod cidr;
pub mod eks;
pub mod entra;
pub mod irsa;
pub mod node_role;
pub mod setting;
pub mod verdicts;
pub mod version;

pub mod auth_001;
pub mod auth_002;
pub mod auth_003;
pub mod auth_004;
pub mod auth_005;
pub mod auth_006;
pub mod auth_007;
pub mod auth_008;
pub mod auth_009;
pub mod clu_001;
pub mod clu_002;
pub mod clu_003;
pub mod clu_004;
pub mod clu_005;
pub mod clu_006;
pub mod clu_007;
pub mod clu_008;
pub mod idn_001;
pub mod idn_002;
pub mod idn_003;
pub mod idn_004;
pub mod idn_005;
pub mod idn_006;
pub mod idn_007;
pub mod idn_008;
pub mod idn_009;
pub mod idn_010;
pub mod idn_011;
pub mod idn_012;
pub mod net_001;
pub mod net_002;
pub mod net_003;
pub mod net_004;
pub mod net_005;
pub mod net_006;
pub mod node_001;
pub mod node_002;
pub mod node_003;
pub mod node_004;
pub mod wid_001;
pub mod wid_002;
pub mod wid_003;
pub mod wid_004;
pub mod wid_005;
pub mod wid_006;
