//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one rule per check (from its
//! metadata record), one result per failing finding (and per unknown one with `--sarif-unknown`).
//! Written as a stream: the rules, then one result per finding in the result's order.

use super::ReportMeta;
use super::identity::{fingerprint, mark, resource_path};
use crate::catalog_cmd::explain_text;
use crate::findings::{Finding, ScanResult};
use kubeposture_checks::{CheckMeta, Severity, Status};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;

const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFO_URI: &str = "https://github.com/kubeposture/kubeposture";

/// GitHub's `security-severity` scale: over 9 critical, 7–8.9 high, 4–6.9 medium, below 4 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `api-endpoint-open-to-internet` → `ApiEndpointOpenToInternet` (SARIF's friendly-name form).
fn pascal_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn rule(m: &CheckMeta) -> Value {
    let mut tags = vec!["security".to_string(), "kubernetes".to_string()];
    tags.extend(m.clouds.iter().map(|c| c.as_str().to_string()));
    tags.extend(m.compliance.iter().filter(|c| **c != "—").map(|c| c.to_string()));
    tags.truncate(20);
    let references: String = m.references.iter().map(|r| format!("- <{r}>\n")).collect();
    json!({
        "id": m.id,
        "name": pascal_case(m.slug),
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.rationale},
        "help": {
            "text": explain_text(m),
            "markdown": format!(
                "**{} {}** (severity {})\n\n{}\n\n**Remediation.** {}\n\n**References.**\n{}\n**Compliance.** {}",
                m.id, m.title, m.severity.as_str(), m.rationale, m.remediation, references, m.compliance.join("; ")
            ),
        },
        "helpUri": m.references.first().copied().unwrap_or(INFO_URI),
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "security-severity": security_severity(m.severity),
            "precision": "high",
            "tags": tags,
        },
    })
}

#[derive(Serialize)]
struct Evidence<'a> {
    path: &'a str,
    observed: &'a str,
}

fn sarif_result(f: &Finding, rule_index: usize) -> Value {
    let mut text = match f.status {
        Status::Unknown => format!("Unknown: {}", f.message),
        _ => f.message.clone(),
    };
    for e in &f.evidence {
        text.push_str(&format!("\n{} = {}", e.path, e.observed));
    }
    let r = &f.resource;
    let mut properties = json!({
        "status": f.status.as_str(),
        "resourceId": r.id,
        "resourceKind": r.kind.as_str(),
        "cloud": r.cloud.as_str(),
        "account": r.account,
        "region": r.region,
        "evidence": f.evidence.iter().map(|e| Evidence { path: &e.path, observed: &e.observed }).collect::<Vec<_>>(),
    });
    if let Some(rg) = &r.resource_group {
        properties["resourceGroup"] = json!(rg);
    }
    if !f.subjects.is_empty() {
        properties["subjects"] = json!(f.subjects);
    }
    if let Some(m) = mark(f) {
        properties["mark"] = json!(m);
    }
    json!({
        "ruleId": f.check.id,
        "ruleIndex": rule_index,
        "level": if f.status == Status::Unknown { "warning" } else { level(f.check.severity) },
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": resource_path(r)},
                "region": {"startLine": 1},
            },
            "logicalLocations": [{"name": r.name, "fullyQualifiedName": r.id, "kind": "resource"}],
        }],
        "partialFingerprints": {"kubeposture/v1": fingerprint(f)},
        "properties": properties,
    })
}

/// Whether a finding becomes a result.
fn reported(f: &Finding, meta: &ReportMeta) -> bool {
    f.status == Status::Fail || (f.status == Status::Unknown && meta.options.sarif_unknown)
}

pub fn render(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    // Rules: the whole catalog in catalog order, then any check only a loaded report knows.
    let mut rules: Vec<&'static CheckMeta> = kubeposture_checks::all().iter().map(|c| &c.meta).collect();
    for f in &result.findings {
        if !rules.iter().any(|m| m.id == f.check.id) {
            rules.push(f.check);
        }
    }
    let index = |id: &str| rules.iter().position(|m| m.id == id).unwrap_or_default();

    let notifications: Vec<Value> = result
        .not_collected
        .iter()
        .map(|n| {
            json!({
                "level": "error",
                "message": {"text": format!("could not collect {} {} ({}): {}", n.cloud.as_str(), n.scope, n.operation, n.reason)},
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": result.not_collected.is_empty(),
        "exitCode": meta.exit_code,
        "toolExecutionNotifications": notifications,
    });
    if let Some(t) = super::rfc3339(result.started_at) {
        invocation["startTimeUtc"] = json!(t);
    }
    if let Some(t) = super::rfc3339(result.finished_at) {
        invocation["endTimeUtc"] = json!(t);
    }
    let driver = json!({
        "name": "kubeposture",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": INFO_URI,
        "rules": rules.iter().map(|m| rule(m)).collect::<Vec<_>>(),
    });
    write!(
        out,
        "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{}}},\"invocations\":[{}],\"columnKind\":\"unicodeCodePoints\",\"results\":[",
        json!(SCHEMA_URI),
        driver,
        super::json::escape_controls(&invocation.to_string())
    )?;
    let mut first = true;
    for f in result.findings.iter().filter(|f| reported(f, meta)) {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(b"\n")?;
        super::json::write_escaped(out, &sarif_result(&f, index(f.check.id)))?;
    }
    writeln!(out, "\n]}}]}}")
}
