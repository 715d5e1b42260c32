//! The history store: every scan with its scope, what was not collected, and every finding with
//! its evidence, in SQLite (a file, the default) or PostgreSQL (one record for a fleet of
//! scanners). One schema, versioned migrations applied on first use, one transaction per scan.

pub mod cmd;
pub mod diff;
mod marks;
mod postgres;
mod schema;
pub mod scope;
mod sqlite;
#[cfg(test)]
mod tests;

pub use marks::mark_novelty;
pub use scope::ScanScope;

use crate::findings::{Counts, ScanResult};
use kubeposture_checks::{Evidence, ResourceRef, Status};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

/// Rows written per statement (PostgreSQL) or between progress checks.
const BATCH: usize = 200;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("history store URL '{0}' is not understood: use a file path, sqlite://PATH or postgres://USER@HOST/DB")]
    Url(String),
    #[error("cannot open the history store {store}: {cause}")]
    Open { store: String, cause: String },
    #[error(
        "the history store {store} has schema version {found}, newer than this kubeposture knows ({known}); upgrade kubeposture"
    )]
    TooNew { store: String, found: i64, known: i64 },
    #[error("history store {store}: {cause}")]
    Query { store: String, cause: String },
    #[error("no scan {0} in the history store (see `kubeposture history`)")]
    NoSuchScan(i64),
    /// The scan's own findings could not all be read: nothing is recorded.
    #[error(transparent)]
    Findings(#[from] crate::findings::SpillError),
}

/// One scan as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanRow {
    pub id: i64,
    /// The scan's selection (clouds, subscriptions, roles, regions, `--history-scope`): `diff`
    /// compares scans of the same key.
    pub scope_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    pub tool_version: String,
    pub catalog_version: String,
    pub scope: ScanScope,
    pub not_collected: Vec<NotCollected>,
    pub exit_code: i64,
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCollected {
    pub cloud: String,
    pub scope: String,
    pub operation: String,
    pub reason: String,
}

/// One finding as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFinding {
    pub fingerprint: String,
    pub check_id: String,
    pub severity: String,
    pub status: Status,
    pub resource: ResourceRef,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub novelty: Option<String>,
    /// JSON of the waiver applied, if any.
    pub waiver: Option<String>,
    pub subjects: Vec<StoredSubject>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredSubject {
    pub fingerprint: String,
    pub id: String,
    pub label: String,
    pub status: Status,
    pub reason: String,
    pub novelty: Option<String>,
    pub waiver: Option<String>,
}

/// What a scan records besides its findings.
pub struct NewScan<'a> {
    pub scope_key: &'a str,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub scope: &'a ScanScope,
    pub exit_code: u8,
}

pub enum Store {
    Sqlite(sqlite::Db),
    Postgres(postgres::Db),
}

impl Store {
    /// Opens (creating and migrating on first use) the store at `url`: a path or `sqlite://PATH`,
    /// or `postgres://…` / `postgresql://…` (`sslmode=disable|prefer|require`; TLS trusts the
    /// platform roots and `extra_ca_pem`).
    pub async fn open(url: &str, extra_ca_pem: Option<&[u8]>) -> Result<Store, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Store::Postgres(postgres::Db::open(url, extra_ca_pem).await?));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() || url.contains("://") && !url.starts_with("sqlite://") {
            return Err(StoreError::Url(url.to_string()));
        }
        Ok(Store::Sqlite(sqlite::Db::open(std::path::Path::new(path))?))
    }

    /// Records a scan and all its findings in one transaction; returns its id.
    pub async fn record(&mut self, scan: &NewScan<'_>, result: &ScanResult) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(db) => db.record(scan, result),
            Store::Postgres(db) => db.record(scan, result).await,
        }
    }

    /// Scans, newest first: all, or those of one scope key; all, or those before scan `before`.
    pub async fn scans(
        &self,
        scope_key: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ScanRow>, StoreError> {
        match self {
            Store::Sqlite(db) => db.scans(scope_key, before, limit),
            Store::Postgres(db) => db.scans(scope_key, before, limit).await,
        }
    }

    pub async fn scan(&self, id: i64) -> Result<ScanRow, StoreError> {
        let got = match self {
            Store::Sqlite(db) => db.scan(id)?,
            Store::Postgres(db) => db.scan(id).await?,
        };
        got.ok_or(StoreError::NoSuchScan(id))
    }

    /// A scan's findings with their subjects, in fingerprint order.
    pub async fn findings(&self, id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        match self {
            Store::Sqlite(db) => db.findings(id),
            Store::Postgres(db) => db.findings(id).await,
        }
    }

    /// Statuses by fingerprint (findings and subjects) of one scan.
    pub async fn statuses(&self, id: i64) -> Result<std::collections::HashMap<String, Status>, StoreError> {
        match self {
            Store::Sqlite(db) => db.statuses(id),
            Store::Postgres(db) => db.statuses(id).await,
        }
    }

    /// Deletes scans that started before `cutoff`; returns how many.
    pub async fn prune(&mut self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(db) => db.prune(cutoff),
            Store::Postgres(db) => db.prune(cutoff).await,
        }
    }
}

/// The catalog a scan was scored with: the spec version and a digest of ids, severities and
/// titles, so a changed catalog shows in history.
pub fn catalog_version() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in kubeposture_checks::all() {
        h.update(c.meta.id);
        h.update(c.meta.severity.as_str());
        h.update(c.meta.title);
    }
    let d = h.finalize();
    format!(
        "CHECKS.md v1.1, {} checks, {:02x}{:02x}{:02x}{:02x}",
        kubeposture_checks::all().len(),
        d[0],
        d[1],
        d[2],
        d[3]
    )
}

pub(crate) fn status_of(s: &str) -> Status {
    match s {
        "pass" => Status::Pass,
        "fail" => Status::Fail,
        "not_applicable" => Status::NotApplicable,
        _ => Status::Unknown,
    }
}

pub(crate) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The waiver of a finding or subject as stored.
pub(crate) fn waiver_json(m: &crate::findings::Marks) -> Option<String> {
    m.waiver.as_ref().map(|w| {
        json(&serde_json::json!({
            "reason": w.reason, "owner": w.owner, "expires": w.expires.map(|d| d.to_string()),
        }))
    })
}

pub(crate) fn counts_of(result: &ScanResult) -> Counts {
    result.totals()
}

/// A finding's columns, as both backends write them.
pub(crate) struct FindingRow<'a> {
    pub fingerprint: &'a str,
    pub check_id: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub cloud: &'static str,
    pub kind: &'static str,
    pub r: &'a ResourceRef,
    pub message: &'a str,
    pub evidence: serde_json::Value,
    pub novelty: Option<&'static str>,
    pub waiver: Option<String>,
}

pub(crate) struct SubjectRow<'a> {
    pub finding: &'a str,
    pub fingerprint: &'a str,
    pub id: &'a str,
    pub label: &'a str,
    pub status: &'static str,
    pub reason: &'a str,
    pub facts: serde_json::Value,
    pub novelty: Option<&'static str>,
    pub waiver: Option<String>,
}

pub(crate) fn finding_row(f: &crate::findings::Finding) -> FindingRow<'_> {
    FindingRow {
        fingerprint: &f.marks.fingerprint,
        check_id: f.check.id,
        severity: f.check.severity.as_str(),
        status: f.status.as_str(),
        cloud: f.resource.cloud.as_str(),
        kind: f.resource.kind.as_str(),
        r: &f.resource,
        message: &f.message,
        evidence: serde_json::to_value(&f.evidence).unwrap_or_default(),
        novelty: f.marks.novelty.map(|n| n.as_str()),
        waiver: waiver_json(&f.marks),
    }
}

pub(crate) fn subject_rows(f: &crate::findings::Finding) -> impl Iterator<Item = SubjectRow<'_>> {
    f.marked_subjects().map(|(s, m)| SubjectRow {
        finding: &f.marks.fingerprint,
        fingerprint: &m.fingerprint,
        id: &s.id,
        label: &s.label,
        status: s.status.as_str(),
        reason: &s.reason,
        facts: serde_json::to_value(&s.facts).unwrap_or_default(),
        novelty: m.novelty.map(|n| n.as_str()),
        waiver: waiver_json(m),
    })
}

pub(crate) fn not_collected_of(result: &ScanResult) -> Vec<NotCollected> {
    result
        .not_collected
        .iter()
        .map(|n| NotCollected {
            cloud: n.cloud.as_str().into(),
            scope: n.scope.clone(),
            operation: n.operation.clone(),
            reason: n.reason.clone(),
        })
        .collect()
}

/// Rebuilds a resource from its stored columns.
pub(crate) fn resource_of(
    cloud: &str,
    kind: &str,
    account: String,
    region: String,
    resource_group: Option<String>,
    name: String,
    id: String,
) -> ResourceRef {
    use kubeposture_checks::{Cloud, ResourceKind};
    ResourceRef {
        kind: match kind {
            "account" => ResourceKind::Account,
            "tenant" => ResourceKind::Tenant,
            _ => ResourceKind::Cluster,
        },
        cloud: if cloud == "EKS" { Cloud::Eks } else { Cloud::Aks },
        account,
        region,
        resource_group,
        name,
        id,
        tags: Default::default(),
    }
}

/// Test hook (`KUBEPOSTURE_FAILPOINT=history-stall`): stop for a minute inside the scan's
/// transaction after the first batch, so a test can kill the process mid-write.
pub(crate) fn failpoint_stall() {
    if std::env::var("KUBEPOSTURE_FAILPOINT").is_ok_and(|v| v == "history-stall") {
        eprintln!("history: failpoint history-stall reached");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Groups stored subjects under their findings (both sorted by finding fingerprint).
pub(crate) fn attach_subjects(findings: &mut [StoredFinding], subjects: Vec<(String, StoredSubject)>) {
    let mut by_finding: std::collections::HashMap<String, Vec<StoredSubject>> = std::collections::HashMap::new();
    for (f, s) in subjects {
        by_finding.entry(f).or_default().push(s);
    }
    for f in findings {
        if let Some(mut v) = by_finding.remove(&f.fingerprint) {
            v.sort_by(|a, b| a.id.cmp(&b.id).then(a.status.cmp(&b.status)));
            f.subjects = v;
        }
    }
}

/// Fingerprint → status; where a fingerprint repeats, the worst status wins (fail first).
pub(crate) fn insert_worst(map: &mut std::collections::HashMap<String, Status>, fp: String, status: Status) {
    map.entry(fp).and_modify(|s| *s = (*s).min(status)).or_insert(status);
}
