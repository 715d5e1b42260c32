//! Reading a saved JSON report (`kubeposture.report/v1`) back into a `ScanResult`, so any format
//! can be rendered again without scanning. Unknown fields are ignored (v1 only adds fields); a
//! check this binary does not know keeps the metadata the report carried.

use super::json::SCHEMA;
use crate::findings::{FailOn, Finding, Marks, Novelty, ScanResult, Waived};
use kubeposture_checks::{CheckMeta, Cloud, Evidence, ResourceKind, ResourceRef, Severity, Status, Subject};
use kubeposture_providers::ScopeFailure;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a kubeposture JSON report: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("unsupported report schema '{0}' (this kubeposture reads {SCHEMA})")]
    Schema(String),
    #[error("the report is inconsistent: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct Report {
    schema: String,
    scan: Scan,
    findings: Vec<Finding1>,
    #[serde(default)]
    checks: BTreeMap<String, Check1>,
}

#[derive(Deserialize)]
struct Scan {
    #[serde(default)]
    clouds: Vec<String>,
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    finished_at: Option<String>,
    #[serde(default)]
    not_collected: Vec<NotCollected1>,
}

#[derive(Deserialize)]
struct NotCollected1 {
    cloud: String,
    scope: String,
    operation: String,
    reason: String,
}

#[derive(Deserialize, Clone)]
struct Resource1 {
    kind: String,
    cloud: String,
    account: String,
    region: String,
    resource_group: Option<String>,
    name: String,
    id: String,
}

#[derive(Deserialize)]
struct Finding1 {
    check_id: String,
    status: String,
    resource: Resource1,
    message: String,
    #[serde(default)]
    evidence: Vec<Evidence>,
    #[serde(default)]
    subjects: Vec<Subject1>,
    #[serde(flatten)]
    marks: Marks1,
}

/// Fingerprint and history marks, as the JSON view flattens them into findings and subjects.
#[derive(Deserialize, Default)]
struct Marks1 {
    #[serde(default)]
    fingerprint: String,
    #[serde(default)]
    novelty: Option<String>,
    #[serde(default)]
    waiver: Option<Waiver1>,
}

#[derive(Deserialize)]
struct Waiver1 {
    reason: String,
    owner: String,
    #[serde(default)]
    expires: Option<String>,
}

impl Marks1 {
    fn into_marks(self) -> Result<Marks, LoadError> {
        let novelty = match self.novelty.as_deref() {
            None => None,
            Some("new") => Some(Novelty::New),
            Some("existing") => Some(Novelty::Existing),
            Some(other) => return Err(LoadError::Invalid(format!("unknown novelty '{other}'"))),
        };
        let waiver = match self.waiver {
            None => None,
            Some(w) => {
                let expires = match w.expires {
                    None => None,
                    Some(d) => Some(
                        time::Date::parse(&d, time::macros::format_description!("[year]-[month]-[day]"))
                            .map_err(|_| LoadError::Invalid(format!("waiver expiry '{d}' is not YYYY-MM-DD")))?,
                    ),
                };
                Some(Arc::new(Waived { reason: w.reason, owner: w.owner, expires }))
            }
        };
        Ok(Marks { fingerprint: self.fingerprint, novelty, waiver })
    }
}

#[derive(Deserialize)]
struct Subject1 {
    id: String,
    label: String,
    status: String,
    reason: String,
    #[serde(default)]
    facts: BTreeMap<String, String>,
    #[serde(flatten)]
    marks: Marks1,
}

#[derive(Deserialize)]
struct Check1 {
    slug: String,
    title: String,
    severity: String,
    #[serde(default)]
    clouds: Vec<String>,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    compliance: Vec<String>,
}

/// What the report said about the scan besides its findings.
pub struct Loaded {
    pub result: ScanResult,
    pub clouds: Vec<&'static str>,
    pub fail_on: FailOn,
}

fn cloud(s: &str) -> Result<Cloud, LoadError> {
    match s {
        "AKS" | "aks" => Ok(Cloud::Aks),
        "EKS" | "eks" => Ok(Cloud::Eks),
        other => Err(LoadError::Invalid(format!("unknown cloud '{other}'"))),
    }
}

fn status(s: &str) -> Result<Status, LoadError> {
    [Status::Fail, Status::Unknown, Status::Pass, Status::NotApplicable]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| LoadError::Invalid(format!("unknown status '{s}'")))
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The registry's record, or (for a check this version does not have) the report's own.
fn check_meta(id: &str, checks: &BTreeMap<String, Check1>) -> Result<&'static CheckMeta, LoadError> {
    if let Some(c) = kubeposture_checks::all().iter().find(|c| c.meta.id == id) {
        return Ok(&c.meta);
    }
    let c = checks.get(id).ok_or_else(|| LoadError::Invalid(format!("finding of check {id} without its metadata")))?;
    let clouds: Vec<Cloud> = c.clouds.iter().map(|s| cloud(s)).collect::<Result<_, _>>()?;
    let strs = |v: &[String]| -> &'static [&'static str] {
        Box::leak(v.iter().map(|s| leak(s.clone())).collect::<Vec<_>>().into_boxed_slice())
    };
    Ok(Box::leak(Box::new(CheckMeta {
        id: leak(id.to_string()),
        slug: leak(c.slug.clone()),
        title: leak(c.title.clone()),
        severity: Severity::parse(&c.severity)
            .ok_or_else(|| LoadError::Invalid(format!("{id}: unknown severity '{}'", c.severity)))?,
        clouds: Box::leak(clouds.into_boxed_slice()),
        rationale: leak(c.rationale.clone()),
        remediation: leak(c.remediation.clone()),
        references: strs(&c.references),
        compliance: strs(&c.compliance),
    })))
}

fn time(s: &Option<String>) -> Option<time::OffsetDateTime> {
    s.as_deref().and_then(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
}

pub fn from_json(bytes: &[u8]) -> Result<Loaded, LoadError> {
    let report: Report = serde_json::from_slice(bytes)?;
    if report.schema != SCHEMA {
        return Err(LoadError::Schema(report.schema));
    }
    let mut result = ScanResult::default();
    let mut metas: BTreeMap<String, &'static CheckMeta> = BTreeMap::new();
    let mut refs: BTreeMap<String, Arc<ResourceRef>> = BTreeMap::new();
    for f in report.findings {
        let check = match metas.get(&f.check_id) {
            Some(m) => *m,
            None => {
                let m = check_meta(&f.check_id, &report.checks)?;
                metas.insert(f.check_id.clone(), m);
                m
            }
        };
        let r = &f.resource;
        let resource = match refs.get(&r.id) {
            Some(a) => a.clone(),
            None => {
                let kind = [ResourceKind::Cluster, ResourceKind::Account, ResourceKind::Tenant]
                    .into_iter()
                    .find(|k| k.as_str() == r.kind)
                    .ok_or_else(|| LoadError::Invalid(format!("unknown resource kind '{}'", r.kind)))?;
                let a = Arc::new(ResourceRef {
                    kind,
                    cloud: cloud(&r.cloud)?,
                    account: r.account.clone(),
                    region: r.region.clone(),
                    resource_group: r.resource_group.clone(),
                    name: r.name.clone(),
                    id: r.id.clone(),
                    tags: Default::default(),
                });
                refs.insert(r.id.clone(), a.clone());
                a
            }
        };
        let mut subjects = Vec::with_capacity(f.subjects.len());
        let mut subject_marks = Vec::with_capacity(f.subjects.len());
        for s in f.subjects {
            let mut m = s.marks.into_marks()?;
            if m.fingerprint.is_empty() {
                m.fingerprint = crate::fingerprint::subject(check.id, &resource, &s.id);
            }
            subject_marks.push(m);
            subjects.push(Subject {
                id: s.id,
                label: s.label,
                status: status(&s.status)?,
                reason: s.reason,
                facts: s.facts.into_iter().collect(),
            });
        }
        let mut marks = f.marks.into_marks()?;
        if marks.fingerprint.is_empty() {
            marks.fingerprint = crate::fingerprint::finding(check.id, &resource);
        }
        result.record(Finding {
            check,
            resource,
            status: status(&f.status)?,
            message: f.message,
            evidence: f.evidence,
            subjects,
            marks,
            subject_marks,
        });
    }
    for n in report.scan.not_collected {
        result.not_collected.push(ScopeFailure {
            cloud: cloud(&n.cloud)?,
            scope: n.scope,
            operation: n.operation,
            reason: n.reason,
        });
    }
    result.started_at = time(&report.scan.started_at);
    result.finished_at = time(&report.scan.finished_at);
    result.finish();
    let clouds = report.scan.clouds.iter().map(|c| if c == "aws" { "aws" } else { "azure" }).collect();
    let fail_on = match report.scan.fail_on.as_deref() {
        Some(s) => FailOn::parse(s).map_err(LoadError::Invalid)?,
        None => FailOn(Some(Severity::Low)),
    };
    Ok(Loaded { result, clouds, fail_on })
}

/// A scan recorded in the history store, as a `ScanResult` (subjects without their facts: the
/// store keeps id, label, status and reason).
pub async fn from_history(store: &crate::history::Store, id: i64) -> anyhow::Result<Loaded> {
    use anyhow::Context as _;
    let row = store.scan(id).await.with_context(|| format!("scan {id} is not in the history store"))?;
    let mut result = ScanResult::default();
    for f in store.findings(id).await? {
        let check = kubeposture_checks::find(&f.check_id).map(|c| &c.meta).with_context(|| {
            format!("scan {id} has findings of check {} that this version does not know", f.check_id)
        })?;
        let marks =
            |fingerprint: String, novelty: Option<String>, waiver: Option<String>| -> Result<Marks, LoadError> {
                let waiver = match waiver {
                    Some(w) => Some(serde_json::from_str::<Waiver1>(&w)?),
                    None => None,
                };
                Marks1 { fingerprint, novelty, waiver }.into_marks()
            };
        let mut subjects = Vec::new();
        let mut subject_marks = Vec::new();
        for s in f.subjects {
            subject_marks.push(marks(s.fingerprint, s.novelty, s.waiver)?);
            subjects.push(Subject { id: s.id, label: s.label, status: s.status, reason: s.reason, facts: Vec::new() });
        }
        result.record(Finding {
            check,
            resource: Arc::new(f.resource),
            status: f.status,
            message: f.message,
            evidence: f.evidence,
            subjects,
            marks: marks(f.fingerprint, f.novelty, f.waiver)?,
            subject_marks,
        });
    }
    for n in row.not_collected {
        result.not_collected.push(ScopeFailure {
            cloud: cloud(&n.cloud)?,
            scope: n.scope,
            operation: n.operation,
            reason: n.reason,
        });
    }
    result.started_at = Some(row.started_at);
    result.finished_at = Some(row.finished_at);
    result.finish();
    let clouds = row.scope.clouds.iter().map(|c| if c == "aws" { "aws" } else { "azure" }).collect();
    Ok(Loaded { result, clouds, fail_on: FailOn(Some(Severity::Low)) })
}
