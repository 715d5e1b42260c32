//! Reports, all rendered from one `ScanResult`.

pub mod csv;
pub mod json;
pub mod table;
pub mod text;

use crate::findings::{FailOn, ScanResult};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "kubeposture.txt",
            Format::Json => "kubeposture.json",
            Format::Csv => "kubeposture.csv",
        }
    }
}

/// What every report needs besides the result.
pub struct ReportMeta {
    pub clouds: Vec<&'static str>,
    pub fail_on: FailOn,
    pub exit_code: u8,
}

pub fn render(format: Format, result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Table => table::render(result, meta, out),
        Format::Json => json::render(result, meta, out),
        Format::Csv => csv::render(result, out),
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
