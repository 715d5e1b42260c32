//! IAM policy documents: the parsed form the model carries, and the evaluation the WID and
//! NODE checks need. Parsing accepts every JSON form IAM accepts (single values or arrays,
//! `*` principals, condition operators with `ForAnyValue:`/`ForAllValues:` and `IfExists`).

pub mod document;

pub use document::*;
