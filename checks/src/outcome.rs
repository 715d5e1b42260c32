//! What a check says about one resource.

use crate::field::Field;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Fail,
    Unknown,
    Pass,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// One observation backing a status: the API field path and the value seen there.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub path: String,
    pub observed: String,
}

impl Evidence {
    pub fn new(path: impl Into<String>, observed: impl Into<String>) -> Self {
        Self { path: path.into(), observed: observed.into() }
    }
    pub fn of<T>(field: &Field<T>) -> Self {
        Self { path: field.path.to_string(), observed: field.observed() }
    }
}

/// The result of one check on one cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    /// One sentence a security engineer can act on.
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self { status, message: message.into(), evidence }
    }
    pub fn pass(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Pass, message, evidence)
    }
    pub fn fail(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Fail, message, evidence)
    }
    pub fn not_applicable(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::NotApplicable, message, evidence)
    }
    /// `unknown` because an input field could not be collected; the reason is the evidence.
    pub fn unknown<T>(field: &Field<T>) -> Self {
        let reason = field.unknown_reason().unwrap_or("not collected");
        Self::new(
            Status::Unknown,
            format!("{} could not be collected: {reason}", field.path),
            vec![Evidence::of(field)],
        )
    }
    pub fn unknown_because(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Unknown, message, evidence)
    }
}

/// Return `Outcome::unknown` from the enclosing check when a field could not be collected.
#[macro_export]
macro_rules! require {
    ($field:expr) => {
        if $field.is_unknown() {
            return $crate::outcome::Outcome::unknown(&$field);
        }
    };
}
