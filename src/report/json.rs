//! JSON report through a frozen, versioned view: `kubeposture.report/v1`. Internal types may
//! change; this file's structs change only with a new schema version.

use super::{ReportMeta, rfc3339};
use crate::findings::{Counts, Marks, ScanResult};
use kubeposture_checks::ResourceKind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

pub const SCHEMA: &str = "kubeposture.report/v1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    tool: Tool,
    scan: Scan<'a>,
    summary: Summary,
    resources: Vec<Resource<'a>>,
    findings: Findings<'a>,
    checks: BTreeMap<&'static str, Check>,
    /// With `--compliance`: the results grouped by the framework's controls.
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance: Option<super::compliance::View>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Scan<'a> {
    clouds: &'a [&'static str],
    fail_on: &'static str,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<String>,
    not_collected: Vec<NotCollected<'a>>,
    /// Expired and unused waivers.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

#[derive(Serialize)]
struct NotCollected<'a> {
    cloud: &'static str,
    scope: &'a str,
    operation: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Summary {
    clusters: usize,
    /// Accounts and tenants with findings of their own.
    scopes: usize,
    findings: Counts,
}

#[derive(Serialize)]
struct ResourceKey<'a> {
    kind: &'static str,
    cloud: &'static str,
    account: &'a str,
    region: &'a str,
    resource_group: Option<&'a str>,
    name: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct Resource<'a> {
    #[serde(flatten)]
    key: ResourceKey<'a>,
    counts: Counts,
}

#[derive(Serialize)]
struct Finding<'a> {
    check_id: &'static str,
    severity: &'static str,
    title: &'static str,
    status: &'static str,
    resource: ResourceKey<'a>,
    message: &'a str,
    evidence: Vec<Evidence<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Subject<'a>>,
    #[serde(flatten)]
    marks: MarksView<'a>,
}

/// Fingerprint, and with `--history` / `--waivers` the marks.
#[derive(Serialize)]
struct MarksView<'a> {
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    novelty: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverView<'a>>,
}

#[derive(Serialize)]
struct WaiverView<'a> {
    reason: &'a str,
    owner: &'a str,
    /// `YYYY-MM-DD`; absent for a permanent waiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

fn marks(m: &Marks) -> MarksView<'_> {
    MarksView {
        fingerprint: &m.fingerprint,
        novelty: m.novelty.map(|n| n.as_str()),
        waiver: m.waiver.as_ref().map(|w| WaiverView {
            reason: &w.reason,
            owner: &w.owner,
            expires: w.expires.map(|d| d.to_string()),
        }),
    }
}

#[derive(Serialize)]
struct Subject<'a> {
    id: &'a str,
    label: &'a str,
    status: &'static str,
    reason: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    facts: BTreeMap<&'a str, &'a str>,
    #[serde(flatten)]
    marks: MarksView<'a>,
}

#[derive(Serialize)]
struct Evidence<'a> {
    path: &'a str,
    observed: &'a str,
}

#[derive(Serialize)]
struct Check {
    slug: &'static str,
    title: &'static str,
    severity: &'static str,
    clouds: Vec<&'static str>,
    rationale: &'static str,
    remediation: &'static str,
    references: &'static [&'static str],
    compliance: &'static [&'static str],
}

fn key(c: &kubeposture_checks::ResourceRef) -> ResourceKey<'_> {
    ResourceKey {
        kind: c.kind.as_str(),
        cloud: c.cloud.as_str(),
        account: &c.account,
        region: &c.region,
        resource_group: c.resource_group.as_deref(),
        name: &c.name,
        id: &c.id,
    }
}

/// The findings, serialized one by one as the serializer reaches them: a pass over
/// `result.findings` in its order, never a second list of them.
struct Findings<'a>(&'a ScanResult);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.findings.iter().map(Read))
    }
}

/// A finding as read from `result.findings`, serialized through its report view.
struct Read(crate::findings::Finding);

impl Serialize for Read {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        finding(&self.0).serialize(serializer)
    }
}

fn finding(f: &crate::findings::Finding) -> Finding<'_> {
    Finding {
        check_id: f.check.id,
        severity: f.check.severity.as_str(),
        title: f.check.title,
        status: f.status.as_str(),
        resource: key(&f.resource),
        message: &f.message,
        evidence: f.evidence.iter().map(|e| Evidence { path: &e.path, observed: &e.observed }).collect(),
        subjects: f
            .marked_subjects()
            .map(|(s, m)| Subject {
                id: &s.id,
                label: &s.label,
                status: s.status.as_str(),
                reason: &s.reason,
                facts: s.facts.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
                marks: marks(m),
            })
            .collect(),
        marks: marks(&f.marks),
    }
}

pub fn render(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let mut checks = BTreeMap::new();
    for f in &result.findings {
        let m = f.check;
        checks.entry(m.id).or_insert_with(|| Check {
            slug: m.slug,
            title: m.title,
            severity: m.severity.as_str(),
            clouds: m.clouds.iter().map(|c| c.as_str()).collect(),
            rationale: m.rationale,
            remediation: m.remediation,
            references: m.references,
            compliance: m.compliance,
        });
    }
    let report = Report {
        schema: SCHEMA,
        tool: Tool { name: "kubeposture", version: env!("CARGO_PKG_VERSION") },
        scan: Scan {
            clouds: &meta.clouds,
            fail_on: meta.fail_on.label(),
            exit_code: meta.exit_code,
            started_at: rfc3339(result.started_at),
            finished_at: rfc3339(result.finished_at),
            not_collected: result
                .not_collected
                .iter()
                .map(|n| NotCollected {
                    cloud: n.cloud.as_str(),
                    scope: &n.scope,
                    operation: &n.operation,
                    reason: &n.reason,
                })
                .collect(),
            warnings: &result.warnings,
        },
        summary: Summary {
            clusters: result.count(ResourceKind::Cluster),
            scopes: result.resources.len() - result.count(ResourceKind::Cluster),
            findings: result.totals(),
        },
        resources: result.resources.iter().map(|(k, c)| Resource { key: key(k), counts: *c }).collect(),
        findings: Findings(result),
        checks,
        compliance: meta.options.compliance.map(|f| super::compliance::aggregate(f, result)),
    };
    // C0 controls are escaped by JSON itself; C1 and bidi controls are escaped too (`\u202e`), so
    // a report printed to a terminal shows what a name is. Written as it is serialized: the
    // report is never held whole.
    let mut w = std::io::BufWriter::with_capacity(64 << 10, EscapeControls::new(out));
    serde_json::to_writer_pretty(&mut w, &report)?;
    w.flush()?;
    drop(w);
    writeln!(out)
}

/// Writes JSON text on with [`escape_controls`] applied, holding back an incomplete UTF-8
/// sequence at the end of a write until the next one completes it.
pub struct EscapeControls<'a> {
    out: &'a mut dyn Write,
    pending: Vec<u8>,
}

impl<'a> EscapeControls<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        EscapeControls { out, pending: Vec::new() }
    }
}

impl Write for EscapeControls<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let (text, rest) = match std::str::from_utf8(&self.pending) {
            Ok(text) => (text, self.pending.len()),
            // An incomplete sequence at the end waits; invalid bytes (not from serde_json) pass.
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                (std::str::from_utf8(&self.pending[..valid]).unwrap_or_default(), valid)
            }
            Err(_) => {
                self.out.write_all(&self.pending)?;
                self.pending.clear();
                return Ok(buf.len());
            }
        };
        self.out.write_all(escape_controls(text).as_bytes())?;
        self.pending.drain(..rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&std::mem::take(&mut self.pending))?;
        self.out.flush()
    }
}

/// One value as compact JSON with [`escape_controls`]: how SARIF and OCSF write untrusted text.
pub fn write_escaped(out: &mut dyn Write, v: &impl Serialize) -> std::io::Result<()> {
    out.write_all(escape_controls(&serde_json::to_string(v)?).as_bytes())
}

/// JSON text with every C1 or bidirectional control written as a `\uXXXX` escape (same value).
pub fn escape_controls(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.chars().any(|c| c.is_control() || super::text::is_bidi_control(c)) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if (c.is_control() && c as u32 > 0x7f) || super::text::is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn bidi_and_c1_controls_are_escaped_and_keep_their_value() {
        let v = serde_json::json!({"name": "aks\u{202E}gnp.exe\u{9b}x\u{1b}"});
        let text = super::escape_controls(&serde_json::to_string(&v).unwrap()).into_owned();
        assert!(text.is_ascii(), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}
