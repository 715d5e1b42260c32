//! The parsed form of an IAM policy document.

use crate::iam::wildcard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A policy document (identity policy or role trust policy).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Position in the document (`Statement[i]` in evidence).
    pub index: usize,
    pub sid: Option<String>,
    /// `Allow`, `Deny`, or the unexpected value as written.
    pub effect: Effect,
    pub principal: Option<Principals>,
    pub not_principal: Option<Principals>,
    pub action: Option<Vec<String>>,
    pub not_action: Option<Vec<String>>,
    pub resource: Option<Vec<String>>,
    pub not_resource: Option<Vec<String>>,
    pub conditions: Vec<Condition>,
    /// The statement as compact JSON, for evidence.
    pub raw: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
    Other(String),
}

impl Effect {
    /// `Allow`/`Deny` as IAM spells them; anything else as written.
    pub fn as_str(&self) -> &str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
            Effect::Other(s) => s,
        }
    }
}

/// `"*"`, or principals by type (`AWS`, `Federated`, `Service`, `CanonicalUser`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principals {
    Any,
    ByType(BTreeMap<String, Vec<String>>),
}

impl Principals {
    /// Whether this principal element names the principal `kind` (`Federated`, …) `value`.
    /// `"*"` and `{"AWS": "*"}` name every principal; types compare case-insensitively, values
    /// as IAM wildcards.
    pub fn matches(&self, kind: &str, value: &str) -> bool {
        match self {
            Principals::Any => true,
            Principals::ByType(by_type) => by_type.iter().any(|(t, values)| {
                let everyone = t.eq_ignore_ascii_case("AWS") && values.iter().any(|v| v == "*");
                everyone || (t.eq_ignore_ascii_case(kind) && values.iter().any(|v| wildcard::matches(v, value)))
            }),
        }
    }
}

/// One condition entry: `"ForAnyValue:StringLikeIfExists": {"key": ["v1", "v2"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// The operator as written.
    pub operator: String,
    /// The key as written (IAM compares keys case-insensitively).
    pub key: String,
    /// Values as strings (booleans and numbers written as JSON text).
    pub values: Vec<String>,
}
