//! CSV: one row per finding and resource, RFC 4180 (CRLF, quoted as needed), formula-neutralized.

use super::text::neutralize;
use crate::findings::ScanResult;
use std::io::Write;

/// The header, documented in the README.
pub const HEADER: [&str; 14] = [
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
];

pub fn render(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(HEADER)?;
    for f in &result.findings {
        let evidence: Vec<String> = f.evidence.iter().map(|e| format!("{} = {}", e.path, e.observed)).collect();
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
        ];
        w.write_record(row.iter().map(|c| neutralize(c)))?;
    }
    w.flush()?;
    Ok(())
}
