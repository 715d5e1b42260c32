//! IAM policy documents: the parsed form the model carries, and the evaluation the WID and
//! NODE checks need. Parsing accepts every JSON form IAM accepts (single values or arrays,
//! `*` principals, condition operators with `ForAnyValue:`/`ForAllValues:` and `IfExists`),
//! plain or URL-encoded. Evaluation never panics and, where a request leaves something open,
//! assumes the worst for the defender.

pub mod broad;
pub mod condition;
pub mod document;
pub mod eval;
#[cfg(test)]
mod fuzz;
pub mod glob;
pub mod irsa;
pub mod parse;
pub mod request;
mod unique;
pub mod wildcard;

pub use broad::{BroadGrant, Escalation, RoleGrants, broad_statements};
pub use condition::{Operator, Truth};
pub use document::*;
pub use eval::{Decision, decide};
pub use irsa::{
    IrsaAnalysis, STS_AUDIENCE, Scope, WEB_IDENTITY_ACTION, analyze_irsa, applies_to_provider, issuer_host,
    names_provider, web_identity_statements,
};
pub use parse::{PolicyError, decode, parse};
pub use request::{KeyState, Request};
