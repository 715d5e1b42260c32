//! `Field<T>`: one collected value with the API path it came from, or why it is missing.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt::Display;

/// What a provider observed for one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Obs<T> {
    /// The API returned the field. `raw` is the wire value as shown in evidence.
    Value { value: T, raw: String },
    /// The response was collected and the field was not in it.
    Absent,
    /// The input could not be collected; `reason` says why.
    Unknown { reason: String },
}

/// A collected field: its API path (for evidence) and what was observed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field<T> {
    pub path: Cow<'static, str>,
    #[serde(flatten)]
    pub obs: Obs<T>,
}

impl<T> Field<T> {
    pub fn value(path: impl Into<Cow<'static, str>>, value: T, raw: impl Into<String>) -> Self {
        Self { path: path.into(), obs: Obs::Value { value, raw: raw.into() } }
    }
    pub fn absent(path: impl Into<Cow<'static, str>>) -> Self {
        Self { path: path.into(), obs: Obs::Absent }
    }
    pub fn unknown(path: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Self { path: path.into(), obs: Obs::Unknown { reason: reason.into() } }
    }
    /// An optional wire value: `Some` → value (raw rendered by `Display`), `None` → absent.
    pub fn from_option(path: impl Into<Cow<'static, str>>, v: Option<T>) -> Self
    where
        T: Display,
    {
        match v {
            Some(v) => {
                let raw = v.to_string();
                Self::value(path, v, raw)
            }
            None => Self::absent(path),
        }
    }
    pub fn get(&self) -> Option<&T> {
        match &self.obs {
            Obs::Value { value, .. } => Some(value),
            _ => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.obs, Obs::Unknown { .. })
    }
    pub fn unknown_reason(&self) -> Option<&str> {
        match &self.obs {
            Obs::Unknown { reason } => Some(reason),
            _ => None,
        }
    }
    /// The observed value as evidence text: the raw wire value, `(absent)`, or `unknown: reason`.
    pub fn observed(&self) -> String {
        match &self.obs {
            Obs::Value { raw, .. } => raw.clone(),
            Obs::Absent => "(absent)".to_string(),
            Obs::Unknown { reason } => format!("unknown: {reason}"),
        }
    }
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Field<U> {
        let obs = match &self.obs {
            Obs::Value { value, raw } => Obs::Value { value: f(value), raw: raw.clone() },
            Obs::Absent => Obs::Absent,
            Obs::Unknown { reason } => Obs::Unknown { reason: reason.clone() },
        };
        Field { path: self.path.clone(), obs }
    }
}

impl Field<bool> {
    /// True only when the API returned `true`.
    pub fn is_true(&self) -> bool {
        self.get() == Some(&true)
    }
}
