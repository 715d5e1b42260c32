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

/// One thing inside a resource that a check judged on its own: a principal (IDN), an IAM role
/// (WID, NODE), an access entry, a workload (WKL). The outcome's status is still the one verdict
/// of the check on the resource; subjects say which parts of it made that verdict, so history can
/// fingerprint them, waivers can name a principal and reports can tabulate them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// Stable identity, part of the history fingerprint: an Entra object id, an IAM ARN,
    /// `namespace/Kind/name`. Never a display name.
    pub id: String,
    /// What a person reads: `Alice (User 0000…)`, a role name, `team-a/Deployment/web`.
    pub label: String,
    pub status: Status,
    /// One phrase: why this status (`active permanent Owner on /subscriptions/…`).
    pub reason: String,
    /// Facts a report can tabulate, in order (IDN-012: `how`, `terms`, `principal_type`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<(String, String)>,
}

impl Subject {
    pub fn new(id: impl Into<String>, label: impl Into<String>, status: Status, reason: impl Into<String>) -> Self {
        Self { id: id.into(), label: label.into(), status, reason: reason.into(), facts: Vec::new() }
    }
    pub fn fact(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.facts.push((key.into(), value.into()));
        self
    }
}

/// The result of one check on one resource: exactly one verdict per (check, resource).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    /// One sentence a security engineer can act on.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The parts judged on their own, sorted by id; empty for checks about the resource as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Subject>,
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self { status, message: message.into(), evidence, subjects: Vec::new() }
    }
    /// Attaches the subjects judged (sorted by id, then status, for deterministic output).
    pub fn with_subjects(mut self, mut subjects: Vec<Subject>) -> Self {
        subjects.sort();
        subjects.dedup();
        self.subjects = subjects;
        self
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
