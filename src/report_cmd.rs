//! `kubeposture report` (any format from a saved JSON report) and `kubeposture admins`.

use crate::cli::{AdminsCmd, AdminsFormat, ReportCmd};
use crate::findings::{ScanResult, exit};
use crate::report::{self, Format, ReportMeta, ReportOptions, load};
use anyhow::{Context as _, bail};
use std::path::Path;

fn load_file(path: &Path) -> anyhow::Result<load::Loaded> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    load::from_json(&bytes)
        .with_context(|| format!("{}: write it with `kubeposture scan --format json`", path.display()))
}

pub async fn report(cmd: ReportCmd) -> anyhow::Result<u8> {
    if cmd.format.len() > 1 && cmd.output_dir.is_none() {
        bail!("several --format values need --output-dir");
    }
    let mut loaded = match (&cmd.from, cmd.scan) {
        (Some(path), _) => load_file(path)?,
        (None, Some(id)) => {
            let store = crate::history::cmd::open(&cmd.store).await?;
            load::from_history(&store, id).await?
        }
        (None, None) => bail!("give --from FILE or --scan ID"),
    };
    loaded.result.filter(&cmd.view.filter());
    let fail_on = cmd.fail_on.unwrap_or(loaded.fail_on);
    let code = loaded.result.exit_code(fail_on);
    let meta = ReportMeta {
        clouds: loaded.clouds,
        fail_on,
        exit_code: code,
        generated_at: report::generation_time(),
        options: ReportOptions::new(&cmd.report, &cmd.view),
    };
    crate::scan_cmd::write_reports(&cmd.format, cmd.output_dir.as_deref(), &loaded.result, &meta)?;
    Ok(code)
}

pub async fn admins(cmd: AdminsCmd) -> anyhow::Result<u8> {
    let mut result: ScanResult = match &cmd.from {
        Some(p) => load_file(p)?.result,
        None => {
            if cmd.scan.format != [Format::Table] || cmd.scan.output_dir.is_some() {
                bail!(
                    "kubeposture admins prints one table: use --admins-format table|csv|json, not --format/--output-dir"
                );
            }
            crate::scan_cmd::collect(&cmd.scan).await?.0
        }
    };
    result.filter(&cmd.scan.view.filter());
    let inv = report::admins::collect(&result, cmd.principal.as_deref());
    result.findings.check()?;
    report::to_stdout(|out| match cmd.admins_format {
        AdminsFormat::Table => report::admins::render_table(&inv, report::term::Term::detect(cmd.scan.view.color), out),
        AdminsFormat::Csv => report::admins::render_csv(&inv, out),
        AdminsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &inv)?;
            writeln!(out)
        }
    })?;
    Ok(if result.not_collected.is_empty() && inv.incomplete.is_empty() { exit::OK } else { exit::INCOMPLETE })
}
