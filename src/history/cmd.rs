//! `kubeposture history [prune]` and `kubeposture diff`.

use super::diff::{self, Change, Row};
use super::{ScanRow, Store};
use crate::cli::{DiffArgs, DiffFormat, HistoryAction, HistoryArgs, ListFormat, StoreArgs};
use crate::report::text::{clean, neutralize};
use anyhow::{Context as _, bail};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::io::Write;

pub async fn open(args: &StoreArgs) -> anyhow::Result<Store> {
    let Some(url) = &args.history else {
        bail!("no history store: pass --history URL or set KUBEPOSTURE_HISTORY (a file path, or postgres://…)")
    };
    let ca = match &args.ca_cert {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read --ca-cert {}", p.display()))?),
        None => None,
    };
    Ok(Store::open(url, ca.as_deref()).await?)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    if t.width().is_none() {
        t.set_width(160);
    }
    t
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `2026-11-30 08:16:08` (UTC), for tables.
fn short_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")).unwrap_or_default()
}

pub async fn history(args: HistoryArgs) -> anyhow::Result<u8> {
    let mut store = open(&args.store).await?;
    if let Some(HistoryAction::Prune { keep }) = args.action {
        let cutoff = time::OffsetDateTime::now_utc() - keep;
        let n = store.prune(cutoff).await?;
        eprintln!("pruned {n} scan(s) that started before {}", rfc3339(cutoff));
        return Ok(crate::findings::exit::OK);
    }
    let scans = store.scans(args.scope.as_deref(), None, args.limit).await?;
    crate::report::to_stdout(|out| match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({"schema": "kubeposture.history/v1", "scans": scans}),
            )?;
            writeln!(out)
        }
        ListFormat::Table => {
            let mut t = table(&[
                "Scan",
                "Started (UTC)",
                "Scope",
                "Clouds",
                "Fail",
                "Unknown",
                "Pass",
                "Not collected",
                "Exit",
            ]);
            for s in &scans {
                t.add_row(vec![
                    s.id.to_string(),
                    short_time(s.started_at),
                    clean(&s.scope_key),
                    s.scope.clouds.join(","),
                    s.counts.fail.to_string(),
                    s.counts.unknown.to_string(),
                    s.counts.pass.to_string(),
                    s.not_collected.len().to_string(),
                    s.exit_code.to_string(),
                ]);
            }
            writeln!(out, "{t}")
        }
    })?;
    Ok(crate::findings::exit::OK)
}

/// Picks the two scans: given ids, or the latest and the one before it of the same scope.
async fn pick(store: &Store, args: &DiffArgs) -> anyhow::Result<(ScanRow, ScanRow)> {
    let new = match args.new {
        Some(id) => store.scan(id).await?,
        None => match args.old {
            // `diff OLD`: against the latest scan of OLD's scope.
            Some(old) => {
                let old = store.scan(old).await?;
                store.scans(Some(&old.scope_key), None, 1).await?.remove(0)
            }
            None => match store.scans(args.scope.as_deref(), None, 1).await?.pop() {
                Some(s) => s,
                None => bail!("the history store has no scans yet: run `kubeposture scan --history …` first"),
            },
        },
    };
    let old = match args.old {
        Some(id) => store.scan(id).await?,
        None => match store.scans(Some(&new.scope_key), Some(new.id), 1).await?.pop() {
            Some(s) => s,
            None => bail!(
                "scan {} is the only scan of its scope ({}); nothing to compare with yet",
                new.id,
                clean(&new.scope_key)
            ),
        },
    };
    Ok((old, new))
}

pub async fn diff(args: DiffArgs) -> anyhow::Result<u8> {
    let store = open(&args.store).await?;
    let (old, new) = pick(&store, &args).await?;
    let rows = diff::diff(&store.findings(old.id).await?, &new, &store.findings(new.id).await?);
    crate::report::to_stdout(|out| match args.format {
        DiffFormat::Table => render_table(&old, &new, &rows, out),
        DiffFormat::Json => render_json(&old, &new, &rows, out),
        DiffFormat::Csv => render_csv(&rows, out),
    })?;
    Ok(crate::findings::exit::OK)
}

fn counts(rows: &[Row]) -> Vec<(Change, usize)> {
    Change::ALL.iter().map(|c| (*c, rows.iter().filter(|r| r.change == *c).count())).collect()
}

fn status(s: Option<kubeposture_checks::Status>) -> &'static str {
    s.map(|s| s.as_str()).unwrap_or("—")
}

fn resource_name(r: &kubeposture_checks::ResourceRef) -> String {
    match r.kind {
        kubeposture_checks::ResourceKind::Cluster => clean(&r.name),
        k => format!("{} {}", k.as_str(), clean(&r.name)),
    }
}

fn render_table(old: &ScanRow, new: &ScanRow, rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let summary: Vec<String> =
        counts(rows).iter().map(|(c, n)| format!("{n} {}", c.as_str().replace('_', " "))).collect();
    writeln!(
        out,
        "kubeposture diff: scan {} ({} UTC) → scan {} ({} UTC)",
        old.id,
        short_time(old.started_at),
        new.id,
        short_time(new.started_at)
    )?;
    writeln!(out, "{}", summary.join(", "))?;
    for n in &new.not_collected {
        writeln!(
            out,
            "not collected in scan {}: {} {} ({})",
            new.id,
            clean(&n.cloud),
            clean(&n.scope),
            clean(&n.reason)
        )?;
    }
    for change in Change::ALL {
        let of: Vec<&Row> = rows.iter().filter(|r| r.change == change).collect();
        if of.is_empty() {
            continue;
        }
        if change == Change::NotCollected {
            // One line per resource: what the older scan had there.
            let mut per: std::collections::BTreeMap<&kubeposture_checks::ResourceRef, (usize, usize)> =
                Default::default();
            for r in &of {
                let e = per.entry(&r.resource).or_default();
                e.0 += 1;
                e.1 += usize::from(r.old_status == Some(kubeposture_checks::Status::Fail));
            }
            let mut t = table(&["Resource", "Account", "Findings before", "Failing before"]);
            for (r, (n, failing)) in per {
                t.add_row(vec![resource_name(r), clean(&r.account), n.to_string(), failing.to_string()]);
            }
            writeln!(out, "\nNOT COLLECTED ({} findings: neither resolved nor failing)\n{t}", of.len())?;
            continue;
        }
        let mut t = table(&["Check", "Resource", "Subject", "Was → Now", "Finding"]);
        for r in &of {
            t.add_row(vec![
                format!("{}\n{}", r.check_id, r.severity),
                resource_name(&r.resource),
                r.subject.as_ref().map(|s| clean(&s.label)).unwrap_or_default(),
                format!("{} → {}", status(r.old_status), status(r.new_status)),
                clean(&r.message),
            ]);
        }
        writeln!(out, "\n{} ({})\n{t}", change.as_str().replace('_', " ").to_uppercase(), of.len())?;
    }
    Ok(())
}

fn render_json(old: &ScanRow, new: &ScanRow, rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let scan = |s: &ScanRow| {
        serde_json::json!({
            "id": s.id, "scope_key": s.scope_key, "started_at": rfc3339(s.started_at),
            "not_collected": s.not_collected,
        })
    };
    let summary: serde_json::Map<String, serde_json::Value> =
        counts(rows).into_iter().map(|(c, n)| (c.as_str().to_string(), n.into())).collect();
    let changes: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "change": r.change, "check_id": r.check_id, "severity": r.severity,
                "resource": {
                    "kind": r.resource.kind.as_str(), "cloud": r.resource.cloud.as_str(),
                    "account": r.resource.account, "region": r.resource.region,
                    "resource_group": r.resource.resource_group, "name": r.resource.name, "id": r.resource.id,
                },
                "subject": r.subject, "fingerprint": r.fingerprint,
                "old_status": r.old_status.map(|s| s.as_str()), "new_status": r.new_status.map(|s| s.as_str()),
                "message": r.message,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "schema": "kubeposture.diff/v1", "old": scan(old), "new": scan(new), "summary": summary, "changes": changes,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The diff's CSV header.
pub const CSV_HEADER: [&str; 14] = [
    "change",
    "check_id",
    "severity",
    "cloud",
    "resource_type",
    "account",
    "region",
    "resource",
    "resource_id",
    "subject_id",
    "subject",
    "old_status",
    "new_status",
    "message",
];

fn render_csv(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(CSV_HEADER)?;
    for r in rows {
        let cells = [
            r.change.as_str(),
            &r.check_id,
            &r.severity,
            r.resource.cloud.as_str(),
            r.resource.kind.as_str(),
            &r.resource.account,
            &r.resource.region,
            &r.resource.name,
            &r.resource.id,
            r.subject.as_ref().map(|s| s.id.as_str()).unwrap_or(""),
            r.subject.as_ref().map(|s| s.label.as_str()).unwrap_or(""),
            r.old_status.map(|s| s.as_str()).unwrap_or(""),
            r.new_status.map(|s| s.as_str()).unwrap_or(""),
            &r.message,
        ];
        w.write_record(cells.iter().map(|c| neutralize(c)))?;
    }
    w.flush()?;
    Ok(())
}
