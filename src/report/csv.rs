//! CSV: one row per finding and resource, RFC 4180 (CRLF, quoted as needed), control characters
//! escaped, formula-neutralized.

use super::text::{clean, clean_lines, neutralize};
use crate::findings::ScanResult;
use std::io::Write;

/// The header, documented in the README.
pub const HEADER: [&str; 20] = [
    "check_id",
    "severity",
    "status",
    "title",
    "cloud",
    "resource_type",
    "account",
    "region",
    "resource_group",
    "resource",
    "resource_id",
    "message",
    "evidence",
    "compliance",
    "fingerprint",
    "novelty",
    "waived",
    "waiver_owner",
    "waiver_reason",
    "waiver_expires",
];

pub fn render(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(HEADER)?;
    for f in &result.findings {
        // Control characters escaped as the table shows them; evidence keeps one item per line.
        let evidence: Vec<String> =
            f.evidence.iter().map(|e| format!("{} = {}", clean(&e.path), clean(&e.observed))).collect();
        // The finding's own waiver, else the first subject's (`partial`: some subjects waived).
        let subject_waiver = f.subject_marks.iter().find_map(|m| m.waiver.as_ref());
        let waiver = f.marks.waiver.as_ref().or(subject_waiver);
        let waived = match waiver {
            None => "",
            Some(_) if f.is_waived() => "yes",
            Some(_) => "partial",
        };
        let expires = waiver.and_then(|w| w.expires).map(|d| d.to_string()).unwrap_or_default();
        let row = [
            f.check.id,
            f.check.severity.as_str(),
            f.status.as_str(),
            f.check.title,
            f.resource.cloud.as_str(),
            f.resource.kind.as_str(),
            &f.resource.account,
            &f.resource.region,
            f.resource.resource_group.as_deref().unwrap_or(""),
            &f.resource.name,
            &f.resource.id,
            &f.message,
            &evidence.join("\n"),
            &f.check.compliance.join("; "),
            &f.marks.fingerprint,
            f.marks.novelty.map(|n| n.as_str()).unwrap_or(""),
            waived,
            waiver.map(|w| w.owner.as_str()).unwrap_or(""),
            waiver.map(|w| w.reason.as_str()).unwrap_or(""),
            &expires,
        ];
        w.write_record(row.iter().map(|c| neutralize(&clean_lines(c))))?;
    }
    w.flush()?;
    Ok(())
}
