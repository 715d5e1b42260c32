//! OCSF 1.8.0 Detection Finding events (class 2004, cloud profile), one per finding: JSON lines
//! (`--format ocsf`) or one JSON array (`--format ocsf-json`). Each event is written as soon as
//! its finding is read.

use super::ReportMeta;
use super::identity::{fingerprint, mark};
use crate::findings::{Finding, ScanResult};
use kubeposture_checks::{Cloud, ResourceKind, Severity, Status};
use serde_json::{Value, json};
use std::io::Write;

pub const OCSF_VERSION: &str = "1.8.0";
const CLASS_UID: u32 = 2004;
const ACTIVITY_CREATE: u32 = 1;

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// The finding's OCSF status: a failure is `New` (`Suppressed` when waived), a pass `Resolved`,
/// an unknown verdict `Unknown`; `not_applicable` is `Other`. `status_code` keeps our verdict.
fn status(f: &Finding) -> (u8, &'static str) {
    match (f.status, mark(f)) {
        (Status::Fail, Some("waived")) => (3, "Suppressed"),
        (Status::Fail, _) => (1, "New"),
        (Status::Pass, _) => (4, "Resolved"),
        (Status::Unknown, _) => (0, "Unknown"),
        (Status::NotApplicable, _) => (99, "Not applicable"),
    }
}

fn resource_type(f: &Finding) -> &'static str {
    match (f.resource.kind, f.resource.cloud) {
        (ResourceKind::Cluster, Cloud::Aks) => "Microsoft.ContainerService/managedClusters",
        (ResourceKind::Cluster, Cloud::Eks) => "AWS::EKS::Cluster",
        (ResourceKind::Account, _) => "AWS::Account",
        (ResourceKind::Tenant, _) => "Microsoft Entra ID tenant",
    }
}

pub fn event(f: &Finding, time_ms: i128) -> Value {
    let m = f.check;
    let r = &f.resource;
    let (severity_id, severity_name) = severity(m.severity);
    let (status_id, status_name) = status(f);
    let provider = match r.cloud {
        Cloud::Aks => "Azure",
        Cloud::Eks => "AWS",
    };
    let mut cloud = json!({"provider": provider, "account": {"uid": r.account}});
    if !r.region.is_empty() {
        cloud["region"] = json!(r.region);
    }
    let mut unmapped = json!({
        "verdict": f.status.as_str(),
        "resource_kind": r.kind.as_str(),
        "compliance": m.compliance,
    });
    if let Some(rg) = &r.resource_group {
        unmapped["resource_group"] = json!(rg);
    }
    if !f.subjects.is_empty() {
        unmapped["subjects"] = json!(f.subjects);
    }
    if let Some(mk) = mark(f) {
        unmapped["mark"] = json!(mk);
    }
    let mut e = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "time": time_ms as i64,
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status_name,
        "status_code": f.status.as_str(),
        "status_detail": f.message,
        "message": format!("{} {}: {}", m.id, m.title, f.message),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "kubeposture", "vendor_name": "kubeposture", "version": env!("CARGO_PKG_VERSION")},
            "event_code": m.id,
            "profiles": ["cloud"],
        },
        "finding_info": {
            "uid": fingerprint(f),
            "title": m.title,
            "desc": f.message,
            "types": [format!("Kubernetes posture/{}", m.family())],
            "analytic": {"uid": m.id, "name": m.slug, "type_id": 1, "type": "Rule"},
        },
        "cloud": cloud,
        "resources": [{"uid": r.id, "name": r.name, "type": resource_type(f)}],
        "remediation": {"desc": m.remediation, "references": m.references},
        "unmapped": unmapped,
    });
    if !f.evidence.is_empty() {
        e["evidences"] = f
            .evidence
            .iter()
            .map(|ev| json!({"name": ev.path, "data": {"path": ev.path, "observed": ev.observed}}))
            .collect();
    }
    e
}

/// Event time in ms: the scan's finish when recorded, else the report's generation time.
fn time_ms(result: &ScanResult, meta: &ReportMeta) -> i128 {
    result.finished_at.unwrap_or(meta.generated_at).unix_timestamp_nanos() / 1_000_000
}

/// JSON lines: one event per line.
pub fn render_lines(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let t = time_ms(result, meta);
    for f in &result.findings {
        super::json::write_escaped(out, &event(&f, t))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One JSON array of events.
pub fn render_array(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let t = time_ms(result, meta);
    out.write_all(b"[")?;
    for (i, f) in result.findings.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        super::json::write_escaped(out, &event(&f, t))?;
    }
    out.write_all(b"\n]\n")
}
