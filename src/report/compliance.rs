//! `--compliance FRAMEWORK`: results grouped by the framework's controls. A control's status is
//! `fail` if any finding of a check mapped to it fails on a resource the framework covers, else
//! `unknown` if any is unknown, else `pass` if any passes, else `not_applicable`; `not_assessed`
//! when its checks produced no finding (no cluster of that cloud scanned); `manual` when no
//! check maps to it. One pass over the findings; per-control aggregates only.

use super::text::{clean, neutralize};
use crate::findings::{Counts, ScanResult};
use kubeposture_checks::compliance::{Control, Framework};
use kubeposture_checks::{CheckMeta, ResourceKind, Status};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Fail,
    Unknown,
    Pass,
    NotApplicable,
    NotAssessed,
    Manual,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Fail => "fail",
            ControlStatus::Unknown => "unknown",
            ControlStatus::Pass => "pass",
            ControlStatus::NotApplicable => "not_applicable",
            ControlStatus::NotAssessed => "not_assessed",
            ControlStatus::Manual => "manual",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ControlRow {
    pub id: &'static str,
    pub title: &'static str,
    pub status: ControlStatus,
    /// The checks mapped to the control (from their metadata), in catalog order.
    pub checks: Vec<&'static str>,
    pub counts: Counts,
    /// Resources failing any of its checks (cluster names; `kind name` for scopes).
    pub failing_resources: BTreeSet<String>,
}

#[derive(Debug, Serialize)]
pub struct View {
    pub framework: &'static str,
    pub title: &'static str,
    pub controls: Vec<ControlRow>,
}

pub fn aggregate(framework: Framework, result: &ScanResult) -> View {
    let mut metas: Vec<&'static CheckMeta> = kubeposture_checks::all().iter().map(|c| &c.meta).collect();
    for f in &result.findings {
        if !metas.iter().any(|m| m.id == f.check.id) {
            metas.push(f.check);
        }
    }
    let controls: &[Control] = framework.controls();
    let mut rows: Vec<ControlRow> = controls
        .iter()
        .map(|c| ControlRow {
            id: c.id,
            title: c.title,
            status: ControlStatus::Manual,
            checks: Vec::new(),
            counts: Counts::default(),
            failing_resources: BTreeSet::new(),
        })
        .collect();
    let position: BTreeMap<&str, usize> = controls.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut of_check: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for m in &metas {
        for c in framework.controls_of(m) {
            if let Some(&i) = position.get(c) {
                rows[i].checks.push(m.id);
                of_check.entry(m.id).or_default().push(i);
            }
        }
    }
    for f in result.findings.iter().filter(|f| framework.covers(f.resource.cloud)) {
        for &i in of_check.get(f.check.id).map(Vec::as_slice).unwrap_or_default() {
            rows[i].counts.add(f.status);
            if f.status == Status::Fail {
                rows[i].failing_resources.insert(match f.resource.kind {
                    ResourceKind::Cluster => f.resource.name.clone(),
                    kind => format!("{} {}", kind.as_str(), f.resource.name),
                });
            }
        }
    }
    for r in &mut rows {
        let c = r.counts;
        r.status = if r.checks.is_empty() {
            ControlStatus::Manual
        } else if c.fail > 0 {
            ControlStatus::Fail
        } else if c.unknown > 0 {
            ControlStatus::Unknown
        } else if c.pass > 0 {
            ControlStatus::Pass
        } else if c.not_applicable > 0 {
            ControlStatus::NotApplicable
        } else {
            ControlStatus::NotAssessed
        };
    }
    View { framework: framework.key(), title: framework.title(), controls: rows }
}

pub fn render_table(
    framework: Framework,
    result: &ScanResult,
    term: super::term::Term,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let view = aggregate(framework, result);
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    view.controls.iter().for_each(|c| *by_status.entry(c.status.as_str()).or_default() += 1);
    let summary: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let head = format!("{} ({} controls): {}", view.title, view.controls.len(), summary.join(", "));
    for l in super::table::wrap_hanging(&head, term.width, "", "  ") {
        writeln!(out, "{l}")?;
    }
    let mut t = super::table::table(
        &["Control", "Status", "Title", "Checks", "Fail", "Unknown", "Pass", "Failing resources"],
        term,
    );
    for c in &view.controls {
        let failing: Vec<String> = c.failing_resources.iter().map(|r| clean(r)).collect();
        t.add_row(vec![
            clean(c.id),
            c.status.as_str().to_string(),
            c.title.to_string(),
            c.checks.join(" "),
            c.counts.fail.to_string(),
            c.counts.unknown.to_string(),
            c.counts.pass.to_string(),
            failing.join(", "),
        ]);
    }
    writeln!(out, "\n{t}")
}

pub const CSV_HEADER: [&str; 10] = [
    "framework",
    "control",
    "title",
    "status",
    "checks",
    "fail",
    "unknown",
    "pass",
    "not_applicable",
    "failing_resources",
];

pub fn render_csv(framework: Framework, result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    let view = aggregate(framework, result);
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(CSV_HEADER)?;
    for c in &view.controls {
        let failing: Vec<&str> = c.failing_resources.iter().map(String::as_str).collect();
        let row = [
            view.framework.to_string(),
            c.id.to_string(),
            c.title.to_string(),
            c.status.as_str().to_string(),
            c.checks.join("; "),
            c.counts.fail.to_string(),
            c.counts.unknown.to_string(),
            c.counts.pass.to_string(),
            c.counts.not_applicable.to_string(),
            failing.join("; "),
        ];
        w.write_record(row.iter().map(|c| neutralize(c)))?;
    }
    w.flush()?;
    Ok(())
}
