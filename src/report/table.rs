//! Terminal report: a summary per cluster, then failing and unknown findings by severity.

use super::ReportMeta;
use super::text::clean;
use crate::findings::ScanResult;
use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubeposture_checks::{ResourceKind, ResourceRef, Severity, Status};
use std::io::Write;

pub(super) fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    // Not a terminal (a file, a pipe, CI): a fixed width so output is stable.
    if t.width().is_none() {
        t.set_width(160);
    }
    t
}

pub fn render(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let totals = result.totals();
    writeln!(
        out,
        "kubeposture: {} cluster(s), {} failing, {} unknown, {} passing (fail-on: {}, exit {})",
        result.count(kubeposture_checks::ResourceKind::Cluster),
        totals.fail,
        totals.unknown,
        totals.pass,
        meta.fail_on.label(),
        meta.exit_code
    )?;

    if !result.not_collected.is_empty() {
        let mut t = table(&["Not collected", "Operation", "Reason"]);
        for n in &result.not_collected {
            t.add_row(vec![clean(&format!("{} {}", n.cloud.as_str(), n.scope)), clean(&n.operation), clean(&n.reason)]);
        }
        writeln!(out, "\n{t}")?;
    }

    if !result.resources.is_empty() {
        let mut t = table(&["Resource", "Cloud", "Account", "Region", "Fail", "Unknown", "Pass", "N/A"]);
        for (k, c) in &result.resources {
            let name = match &k.resource_group {
                Some(rg) => format!("{}/{}", clean(rg), clean(&k.name)),
                None => resource_name(k),
            };
            t.add_row(vec![
                Cell::new(name),
                Cell::new(k.cloud.as_str()),
                Cell::new(clean(&k.account)),
                Cell::new(clean(&k.region)),
                Cell::new(c.fail),
                Cell::new(c.unknown),
                Cell::new(c.pass),
                Cell::new(c.not_applicable),
            ]);
        }
        writeln!(out, "\n{t}")?;
    }

    for sev in Severity::ALL {
        let rows: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.check.severity == sev && matches!(f.status, Status::Fail | Status::Unknown))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut t = table(&["Check", "Status", "Resource", "Finding", "Evidence"]);
        for f in rows {
            let evidence: Vec<String> =
                f.evidence.iter().map(|e| format!("{} = {}", clean(&e.path), clean(&e.observed))).collect();
            t.add_row(vec![
                format!("{}\n{}", f.check.id, f.check.slug),
                status_cell(f),
                resource_name(&f.resource),
                clean(&f.message),
                evidence.join("\n"),
            ]);
        }
        writeln!(out, "\n{} ({})\n{t}", sev.as_str().to_uppercase(), t.row_count())?;
    }
    Ok(())
}

/// The status with the marks history and waivers put on it (`fail new`, `fail waived`).
fn status_cell(f: &crate::findings::Finding) -> String {
    let mut s = f.status.as_str().to_string();
    if let Some(n) = f.marks.novelty {
        s.push('\n');
        s.push_str(n.as_str());
    }
    if f.is_waived() {
        s.push_str("\nwaived");
    }
    s
}

/// A cluster by its name; an account or tenant by kind and name.
fn resource_name(r: &ResourceRef) -> String {
    match r.kind {
        ResourceKind::Cluster => clean(&r.name),
        kind => format!("{} {}", kind.as_str(), clean(&r.name)),
    }
}
