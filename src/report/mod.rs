//! Reports, all rendered from one `ScanResult`.

pub mod admins;
pub mod compliance;
pub mod csv;
pub mod html;
pub mod identity;
pub mod json;
pub mod load;
pub mod ocsf;
pub mod sarif;
pub mod table;
pub mod term;
pub mod text;

use crate::findings::{FailOn, ScanResult};
use kubeposture_checks::compliance::Framework;
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// OCSF Detection Finding events, one JSON object per line.
    Ocsf,
    /// OCSF Detection Finding events as one JSON array.
    OcsfJson,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "kubeposture.txt",
            Format::Json => "kubeposture.json",
            Format::Csv => "kubeposture.csv",
            Format::Sarif => "kubeposture.sarif",
            Format::Ocsf => "kubeposture.ocsf.jsonl",
            Format::OcsfJson => "kubeposture.ocsf.json",
            Format::Html => "kubeposture.html",
        }
    }
}

/// What every report needs besides the result.
#[derive(Clone)]
pub struct ReportMeta {
    pub clouds: Vec<&'static str>,
    pub fail_on: FailOn,
    pub exit_code: u8,
    /// When the report was made (OCSF events need a time when the scan recorded none):
    /// `SOURCE_DATE_EPOCH` when set, else now.
    pub generated_at: time::OffsetDateTime,
    pub options: ReportOptions,
}

/// Flags that shape reports.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions {
    /// The terminal report's width and colour (files: `$COLUMNS` or 100, no colour).
    pub term: term::Term,
    /// The terminal report shows evidence under each finding (`--details`).
    pub details: bool,
    /// SARIF: unknown findings become results too.
    pub sarif_unknown: bool,
    /// Group results by this framework's controls (table, CSV, JSON, HTML).
    pub compliance: Option<Framework>,
}

impl ReportOptions {
    pub fn new(report: &crate::cli::ReportArgs, view: &crate::cli::ViewArgs) -> Self {
        ReportOptions {
            term: term::Term::detect(view.color),
            details: view.details,
            sarif_unknown: report.sarif_unknown,
            compliance: report.compliance,
        }
    }
}

/// `SOURCE_DATE_EPOCH` (reproducible output) or the current time.
pub fn generation_time() -> time::OffsetDateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc)
}

pub fn rfc3339(t: Option<time::OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
}

pub fn render(format: Format, result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    let framework = meta.options.compliance;
    match (format, framework) {
        (Format::Table, Some(f)) => compliance::render_table(f, result, meta.options.term, out),
        (Format::Csv, Some(f)) => compliance::render_csv(f, result, out),
        (Format::Table, None) => {
            table::render(result, meta, meta.options.term, table::View { details: meta.options.details }, out)
        }
        (Format::Json, _) => json::render(result, meta, out),
        (Format::Csv, None) => csv::render(result, out),
        (Format::Sarif, _) => sarif::render(result, meta, out),
        (Format::Ocsf, _) => ocsf::render_lines(result, meta, out),
        (Format::OcsfJson, _) => ocsf::render_array(result, meta, out),
        (Format::Html, _) => html::render(result, meta, out),
    }
}

/// Writes text to stdout. A reader that went away (`kubeposture … | head`) is not an error:
/// whatever it wanted, it has.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match write(&mut lock).and_then(|()| lock.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
