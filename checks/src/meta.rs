//! Check metadata: the single record that `explain`, docs, SARIF rules and CSV render from.

use crate::model::Cloud;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Self::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Family {
    #[serde(rename = "NET")]
    Net,
    #[serde(rename = "AUTH")]
    Auth,
    #[serde(rename = "IDN")]
    Idn,
    #[serde(rename = "WID")]
    Wid,
    #[serde(rename = "NODE")]
    Node,
    #[serde(rename = "CLU")]
    Clu,
    #[serde(rename = "WKL")]
    Wkl,
    #[serde(rename = "K8S")]
    K8s,
}

/// One check's metadata. Ids are stable forever.
#[derive(Clone, Debug, Serialize)]
pub struct CheckMeta {
    pub id: &'static str,
    pub slug: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub clouds: &'static [Cloud],
    /// Why it matters (Markdown-free plain text, may span lines).
    pub rationale: &'static str,
    /// What to change, with the CLI or portal step.
    pub remediation: &'static str,
    pub references: &'static [&'static str],
    pub compliance: &'static [&'static str],
}

impl CheckMeta {
    pub fn applies_to(&self, cloud: Cloud) -> bool {
        self.clouds.contains(&cloud)
    }
    pub fn family(&self) -> &str {
        self.id.split('-').next().unwrap_or(self.id)
    }
}
