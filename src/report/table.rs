//! The terminal report: what is wrong, where, how bad, on one screen. A summary per resource,
//! then one line per failing finding grouped by severity (highest first), unknown findings
//! grouped by cause, counts by status, and the exit code's reason. `--details` adds the evidence
//! under each finding. Laid out for `Term::width`: no line is longer; untrusted text is escaped
//! (`text::clean`) and only ever truncated or wrapped, never sent raw. One pass over the findings
//! for the failures, with the unknown causes aggregated on the way (linear time).
//!
//! The data-plane checks (WKL/K8S, judged inside each cluster) are folded when more than one of
//! them is shown without `--details`: one entry per check with the number of clusters where it
//! fails and where it is unknown, laid out in columns; `--check ID` or `--details` list them in
//! full. Their per-workload reasons and per-cluster causes would otherwise fill several screens.

use super::ReportMeta;
use super::term::Term;
use super::text::clean;
use crate::findings::{Finding, ScanResult};
use kubeposture_checks::{ResourceKind, ResourceRef, Severity, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use textwrap::core::display_width;

/// Layout choices besides the terminal.
#[derive(Clone, Copy, Debug, Default)]
pub struct View {
    /// Evidence (and subjects) under each finding; unknown findings listed one by one.
    pub details: bool,
}

/// The other tables (compliance, admins): comfy-table laid out for the terminal's width.
pub(super) fn table(header: &[&str], term: Term) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header.to_vec())
        .set_width(u16::try_from(term.width).unwrap_or(u16::MAX));
    t
}

/// `s` cut to `width` display columns, with `…` when cut.
fn fit(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = display_width(ch.encode_utf8(&mut [0; 4]));
        if w + cw + 1 > width {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` padded with spaces to `width` display columns (cut first if longer).
fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let w = display_width(&s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Long ids kept readable in a column: `4f1c2d3e-…-00000000a001` → `4f1c2d3e…a001`.
fn short_id(s: &str, width: usize) -> String {
    if display_width(s) <= width || width < 8 || !s.is_ascii() {
        return fit(s, width);
    }
    let tail = (width - 1) / 3;
    format!("{}…{}", &s[..width - 1 - tail], &s[s.len() - tail..])
}

/// ARM resource ids shortened to `rg/name`; ARNs and everything else kept whole.
pub(super) fn shorten_ids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lower = word.to_ascii_lowercase();
        match (lower.find("/subscriptions/"), lower.find("/resourcegroups/")) {
            (Some(start), Some(rg)) if rg > start => {
                let rest = &word[rg + "/resourcegroups/".len()..];
                let mut parts = rest.split('/');
                let group = parts.next().unwrap_or_default();
                let name = rest.rsplit('/').next().unwrap_or_default();
                out.push_str(&word[..start]);
                out.push_str(group);
                if name != group {
                    out.push('/');
                    out.push_str(name);
                }
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// Wraps at spaces to `width`; a token longer than the line is broken, nothing else is.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    wrap_hanging(text, width, indent, indent)
}

/// Like `wrap`, with another indent for the continuation lines.
pub(super) fn wrap_hanging(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let opts = textwrap::Options::new(width.max(rest.len() + 10))
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(true)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, opts).into_iter().map(|l| l.into_owned()).collect()
}

/// At most `max` lines of [`wrap_hanging`], the last ending in `…` when text was left out: a
/// summary line stays a few lines whatever a cloud put in a name (`--details` shows it whole).
fn wrap_at_most(text: &str, width: usize, first: &str, rest: &str, max: usize) -> Vec<String> {
    // What cannot be shown is not wrapped either.
    let shown = fit(text, width.saturating_mul(max + 1));
    let mut lines = wrap_hanging(&shown, width, first, rest);
    if lines.len() > max || shown.len() < text.len() {
        lines.truncate(max.max(1));
        if let Some(last) = lines.last_mut() {
            let cut = last.trim_end_matches('…');
            *last = fit(&format!("{cut}…"), width.max(rest.len() + 10));
        }
    }
    lines
}

/// A resource as a person names it: `rg/cluster`, `cluster`, `account 1111…`.
fn resource_name(r: &ResourceRef) -> String {
    match (r.kind, &r.resource_group) {
        (ResourceKind::Cluster, Some(rg)) => format!("{}/{}", clean(rg), clean(&r.name)),
        (ResourceKind::Cluster, None) => clean(&r.name),
        (kind, _) => format!("{} {}", kind.as_str(), clean(&r.name)),
    }
}

/// `resource_name` in `width` columns: whole when it fits, else the cluster without its resource
/// group, a scope's id with both ends kept, and only then cut.
fn resource_label(r: &ResourceRef, width: usize) -> String {
    let full = resource_name(r);
    if display_width(&full) <= width {
        return full;
    }
    match r.kind {
        ResourceKind::Cluster => fit(&clean(&r.name), width),
        kind => {
            let prefix = format!("{} ", kind.as_str());
            format!("{prefix}{}", short_id(&clean(&r.name), width.saturating_sub(prefix.len())))
        }
    }
}

/// Whether a reason says again what the title says (`Local accounts enabled` / `Local accounts
/// are enabled`): same first two words, or every word of the title in it.
fn repeats_title(title: &str, reason: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    };
    let (t, r) = (words(title), words(reason));
    t.len() >= 2 && (r.starts_with(&t[..2]) || t.iter().all(|w| r.contains(w)))
}

/// The first sentence of a message: the one phrase a line has room for.
fn sentence(message: &str) -> String {
    let m = clean(message);
    match m.find(". ") {
        Some(i) => m[..i].to_string(),
        None => m.trim_end_matches('.').to_string(),
    }
}

/// The reason a finding fails, without its particulars: the first sentence up to its first
/// `: `, `; ` or `, so ` (the particulars are in `--details`). Findings of one check with the
/// same phrase share a line.
fn phrase(message: &str) -> String {
    let s = sentence(message);
    for sep in [": ", "; ", ", so "] {
        if let Some(i) = s.find(sep).filter(|i| *i >= 12) {
            return s[..i].to_string();
        }
    }
    s
}

/// What made a finding unknown, said so that findings with the same cause group together:
/// `AccessDeniedException (HTTP 403) on ListAccessEntries`, else the message's first phrase.
pub fn unknown_cause(message: &str) -> String {
    let m = clean(message);
    let after = m.split_once("could not be collected: ").map(|(_, r)| r).unwrap_or(&m);
    if let Some(http) = after.find("(HTTP ")
        && let Some(on) = after[http..].find(") on ")
    {
        let start = http + on + ") on ".len();
        let op_end = after[start..].find([':', ' ', ';', ',']).map(|e| start + e).unwrap_or(after.len());
        let code_start = after[..http].trim_end().rfind([' ', ':']).map(|i| i + 1).unwrap_or(0);
        return after[code_start..op_end].trim().to_string();
    }
    if let Some(cause) = kubernetes_cause(after) {
        return cause;
    }
    sentence(after)
}

/// A Kubernetes read's failure without the API server's message: `403 Forbidden on list
/// Secrets`, `HTTP 500 InternalError on list Pods`, `cannot connect to the API server`.
fn kubernetes_cause(m: &str) -> Option<String> {
    const UNREACHABLE: &str = "cannot connect to the API server";
    if let Some(on) = m.find(" on list ") {
        // The status before ` on list `: `403 Forbidden`, `HTTP 500 InternalError`.
        let head = &m[..on];
        let start = ["HTTP ", "401 ", "403 ", "404 "]
            .iter()
            .filter_map(|s| head.rfind(s))
            .max()
            .filter(|i| head[*i..].split(' ').count() <= 3)?;
        let tail = &m[on + " on list ".len()..];
        let end = tail.find([':', '(', ';']).unwrap_or(tail.len());
        return Some(format!("{} on list {}", &head[start..], tail[..end].trim()));
    }
    m.contains(UNREACHABLE).then(|| UNREACHABLE.to_string())
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Fail => "31",
        Status::Unknown => "33",
        Status::Pass => "32",
        Status::NotApplicable => "2",
    }
}

/// Whether a check is judged inside the cluster (its Kubernetes API).
fn data_plane(f: &Finding) -> bool {
    matches!(f.check.family(), "WKL" | "K8S")
}

/// One folded data-plane check: clusters where it fails and where it is unknown.
struct Folded {
    check: &'static kubeposture_checks::CheckMeta,
    fail: usize,
    unknown: usize,
}

struct Cause {
    findings: usize,
    resources: BTreeSet<String>,
    checks: BTreeSet<&'static str>,
}

pub fn render(
    result: &ScanResult,
    meta: &ReportMeta,
    term: Term,
    view: View,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let w = term.width;
    let totals = result.totals();
    let clusters = result.count(ResourceKind::Cluster);
    let head = format!(
        "kubeposture: {clusters} cluster(s), {} scope(s): {} failing, {} unknown, {} passing, {} not applicable",
        result.resources.len() - clusters,
        totals.fail,
        totals.unknown,
        totals.pass,
        totals.not_applicable
    );
    for l in wrap_hanging(&head, w, "", "  ") {
        writeln!(out, "{l}")?;
    }

    if !result.not_collected.is_empty() {
        writeln!(out, "\n{}", term.paint("1;31", "NOT COLLECTED"))?;
        for n in &result.not_collected {
            // A scope names what a cloud returned: cut in the summary so the cause stays in view.
            let scope = if view.details { clean(&n.scope) } else { fit(&clean(&n.scope), w) };
            let line = format!("{} {scope} ({}): {}", n.cloud.as_str(), clean(&n.operation), clean(&n.reason));
            let lines = if view.details { wrap(&line, w, "  ") } else { wrap_at_most(&line, w, "  ", "  ", 6) };
            for l in lines {
                writeln!(out, "{l}")?;
            }
        }
    }

    summary(result, term, out)?;

    // Failures by severity, one line each; unknown causes aggregated on the way.
    let id_w = 9;
    let res_w = result
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| display_width(&resource_name(&f.resource)))
        .max()
        .unwrap_or(10)
        .clamp(10, (w / 3).max(10));
    // Fold the data-plane checks when more than one of them is shown (a pass over the ids).
    let fold = !view.details && {
        let mut ids = result.findings.iter().filter(data_plane).map(|f| f.check.id);
        ids.next().is_some_and(|first| ids.any(|id| id != first))
    };
    let folded_here = |f: &Finding| fold && data_plane(f);
    let mut folded: Vec<Folded> = Vec::new();
    let mut causes: BTreeMap<String, Cause> = BTreeMap::new();
    let mut current: Option<Severity> = None;
    // Failures of the current check (findings of one check are consecutive), printed as one
    // line per distinct reason when the check changes.
    let mut group: Vec<Finding> = Vec::new();
    let fails_by_sev: BTreeMap<Severity, usize> = result
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && !folded_here(f))
        .fold(BTreeMap::new(), |mut m, f| {
            *m.entry(f.check.severity).or_default() += 1;
            m
        });
    for f in &result.findings {
        if folded_here(&f) {
            if folded.last().is_none_or(|l| l.check.id != f.check.id) {
                folded.push(Folded { check: f.check, fail: 0, unknown: 0 });
            }
            if let Some(l) = folded.last_mut() {
                match f.status {
                    Status::Fail => l.fail += 1,
                    Status::Unknown => l.unknown += 1,
                    _ => {}
                }
            }
            continue;
        }
        match f.status {
            Status::Fail => {
                if current != Some(f.check.severity) {
                    flush(&mut group, term, id_w, res_w, out)?;
                    current = Some(f.check.severity);
                    let n = fails_by_sev.get(&f.check.severity).copied().unwrap_or_default();
                    let head = format!("{} ({n} failing)", f.check.severity.as_str().to_uppercase());
                    writeln!(out, "\n{}", term.paint(severity_color(f.check.severity), &fit(&head, w)))?;
                }
                if view.details {
                    failure_line(&[&f], term, id_w, res_w, true, out)?;
                    details(&f, w, out)?;
                } else {
                    if group.first().is_some_and(|g: &Finding| g.check.id != f.check.id) {
                        flush(&mut group, term, id_w, res_w, out)?;
                    }
                    group.push(f);
                }
            }
            Status::Unknown => {
                let c = causes.entry(unknown_cause(&f.message)).or_insert_with(|| Cause {
                    findings: 0,
                    resources: BTreeSet::new(),
                    checks: BTreeSet::new(),
                });
                c.findings += 1;
                c.resources.insert(resource_name(&f.resource));
                c.checks.insert(f.check.id);
            }
            _ => {}
        }
    }

    flush(&mut group, term, id_w, res_w, out)?;
    fold_section(&folded, term, id_w, out)?;

    if !causes.is_empty() {
        let shown: usize = causes.values().map(|c| c.findings).sum();
        let head = format!("UNKNOWN ({shown} finding(s), {} cause(s))", causes.len());
        writeln!(out, "\n{}", term.paint(status_color(Status::Unknown), &fit(&head, w)))?;
        for (cause, c) in &causes {
            let checks: Vec<&str> = c.checks.iter().copied().collect();
            // Six lines of cause at most (a cause quotes what a cloud said).
            let shown = if view.details { cause.clone() } else { fit(cause, 6 * w) };
            let line = format!(
                "{shown}: {} finding(s) on {} resource(s) ({})",
                c.findings,
                c.resources.len(),
                checks.join(", ")
            );
            let lines = wrap_hanging(&line, w, "  ", "      ");
            for l in &lines {
                writeln!(out, "{l}")?;
            }
            if view.details {
                // Another pass, so the unknown findings need not be held.
                for f in result.findings.iter().filter(|f| f.status == Status::Unknown && !folded_here(f)) {
                    if unknown_cause(&f.message) == *cause {
                        let d = format!("{} {}: {}", f.check.id, resource_name(&f.resource), clean(&f.message));
                        for l in wrap(&shorten_ids(&d), w, "      ") {
                            writeln!(out, "{l}")?;
                        }
                    }
                }
            }
        }
    }

    writeln!(out)?;
    let counts = format!(
        "{} failing, {} unknown, {} passing, {} not applicable.",
        totals.fail, totals.unknown, totals.pass, totals.not_applicable
    );
    for l in wrap(&counts, w, "") {
        writeln!(out, "{l}")?;
    }
    for l in wrap(&result.exit_reason(meta.fail_on), w, "") {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// The folded data-plane checks that fail or are unknown somewhere: `K8S-001  crit  1 fail
/// 4 unknown  Title`, in as many columns as the width holds (read down, then across).
fn fold_section(folded: &[Folded], term: Term, id_w: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let shown: Vec<&Folded> = folded.iter().filter(|f| f.fail + f.unknown > 0).collect();
    if shown.is_empty() {
        return Ok(());
    }
    let w = term.width;
    let (fails, unknowns) = shown.iter().fold((0, 0), |(a, b), f| (a + f.fail, b + f.unknown));
    let head = format!(
        "INSIDE THE CLUSTERS (WKL/K8S: {fails} failing, {unknowns} unknown; clusters per check: --check ID lists them, \
         --details says why)"
    );
    let mut lines = wrap_hanging(&head, w, "", "  ").into_iter();
    if let Some(first) = lines.next() {
        writeln!(out, "\n{}", term.paint("1", &first))?;
    }
    for l in lines {
        writeln!(out, "{l}")?;
    }
    let num_w = shown.iter().map(|f| f.fail.max(f.unknown).to_string().len()).max().unwrap_or(1);
    // id, severity, "N fail", "N unknown" and at least 24 columns of title per column.
    let fixed = id_w + 6 + (num_w + 6) + (num_w + 10);
    let cols = ((w.saturating_sub(2) + 3) / (fixed + 24 + 3)).clamp(1, shown.len());
    let cell_w = (w.saturating_sub(2) + 3) / cols - 3;
    let rows = shown.len().div_ceil(cols);
    for r in 0..rows {
        let mut line = String::from("  ");
        for c in 0..cols {
            let Some(f) = shown.get(c * rows + r) else { break };
            if c > 0 {
                line.push_str("   ");
            }
            let sev = match f.check.severity {
                Severity::Critical => "crit",
                Severity::Medium => "med",
                s => s.as_str(),
            };
            let counts = format!("{:>num_w$} fail  {:>num_w$} unknown  ", f.fail, f.unknown);
            let text = format!("{}{counts}", pad(sev, 6));
            let title_w = cell_w.saturating_sub(id_w + display_width(&text));
            let cell = format!("{}{text}{}", pad(f.check.id, id_w), fit(f.check.title, title_w));
            let cell = if c + 1 < cols { pad(&cell, cell_w) } else { cell };
            line.push_str(&cell.replacen(f.check.id, &term.paint(severity_color(f.check.severity), f.check.id), 1));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// One line per distinct reason among one check's failures, in first-seen order.
fn flush(group: &mut Vec<Finding>, term: Term, id_w: usize, res_w: usize, out: &mut dyn Write) -> std::io::Result<()> {
    // Indexed by phrase, so a check failing on many resources for many reasons stays linear.
    let mut by_phrase: Vec<Vec<&Finding>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in group.iter() {
        let i = *index.entry(phrase(&f.message)).or_insert_with(|| {
            by_phrase.push(Vec::new());
            by_phrase.len() - 1
        });
        by_phrase[i].push(f);
    }
    for findings in by_phrase {
        failure_line(&findings, term, id_w, res_w, false, out)?;
    }
    group.clear();
    Ok(())
}

/// `  NET-001  rg/cluster +2      [new] Title: the reason's phrase` for failures sharing a reason.
fn failure_line(
    fs: &[&Finding],
    term: Term,
    id_w: usize,
    res_w: usize,
    title_only: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let Some(f) = fs.first() else { return Ok(()) };
    let w = term.width;
    let rest = w.saturating_sub(2 + id_w + res_w + 2);
    let mut marks: Vec<&str> = fs.iter().filter_map(|f| super::identity::mark(f)).collect();
    marks.sort();
    marks.dedup();
    let mark: String = marks.iter().map(|m| format!("[{m}] ")).collect();
    // The title when there is room for it and the reason; else the reason, which says more.
    let reason = shorten_ids(&phrase(&f.message));
    let titled = format!("{mark}{}: {reason}", f.check.title);
    let text = if title_only {
        format!("{mark}{}", f.check.title)
    } else if repeats_title(f.check.title, &reason) {
        format!("{mark}{reason}")
    } else if display_width(&titled) <= rest || rest >= 90 {
        titled
    } else {
        format!("{mark}{reason}")
    };
    let more = if fs.len() > 1 { format!(" +{}", fs.len() - 1) } else { String::new() };
    let name = resource_label(&f.resource, res_w.saturating_sub(display_width(&more)));
    let line = format!(
        "  {}{}  {}",
        term.paint(severity_color(f.check.severity), &pad(f.check.id, id_w)),
        pad(&format!("{name}{more}"), res_w),
        fit(&text, rest)
    );
    writeln!(out, "{}", line.trim_end())
}

/// Evidence (`path = observed`) and subjects under a finding, wrapped to the width.
fn details(f: &Finding, w: usize, out: &mut dyn Write) -> std::io::Result<()> {
    for l in wrap(&shorten_ids(&clean(&f.message)), w, "      ") {
        writeln!(out, "{l}")?;
    }
    for e in &f.evidence {
        let line = format!("{} = {}", clean(&e.path), shorten_ids(&clean(&e.observed)));
        for l in wrap_hanging(&line, w, "      · ", "        ") {
            writeln!(out, "{l}")?;
        }
    }
    for s in f.subjects.iter().filter(|s| s.status != Status::Pass) {
        let line = format!("{} {}: {}", s.status.as_str(), clean(&s.label), shorten_ids(&clean(&s.reason)));
        for l in wrap_hanging(&line, w, "      › ", "        ") {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// One line per resource: name, cloud, account, region and counts, fitted to the width.
fn summary(result: &ScanResult, term: Term, out: &mut dyn Write) -> std::io::Result<()> {
    if result.resources.is_empty() {
        return Ok(());
    }
    let w = term.width;
    let nums = ["FAIL", "UNK", "PASS", "N/A"];
    let num_w = 5 * nums.len();
    let cloud_w = 6;
    let region_w =
        result.resources.keys().map(|r| display_width(&clean(&r.region))).max().unwrap_or(6).clamp(6, 14) + 1;
    let account_w = 16;
    let name_max = result.resources.keys().map(|r| display_width(&resource_name(r))).max().unwrap_or(8);
    // Drop the account, then the region column when the terminal is too narrow for the names
    // (up to 32 columns of them: longer ones are shortened anyway).
    let mut cols = (true, true);
    let fixed = |c: (bool, bool)| num_w + cloud_w + if c.0 { account_w } else { 0 } + if c.1 { region_w } else { 0 };
    if w < fixed(cols) + name_max.min(32) {
        cols.0 = false;
    }
    if w < fixed(cols) + 20 {
        cols.1 = false;
    }
    let name_w = name_max.min(w.saturating_sub(fixed(cols))).max(8);
    let mut head = format!("{}{}", pad("RESOURCE", name_w), pad(" CLOUD", cloud_w));
    if cols.0 {
        head += &pad(" ACCOUNT", account_w);
    }
    if cols.1 {
        head += &pad(" REGION", region_w);
    }
    for n in nums {
        head += &format!("{n:>5}");
    }
    writeln!(out, "\n{}", fit(&head, w))?;
    for (r, c) in &result.resources {
        let mut line =
            format!("{}{}", pad(&resource_label(r, name_w), name_w), pad(&format!(" {}", r.cloud.as_str()), cloud_w));
        if cols.0 {
            line += &format!(" {}", pad(&short_id(&clean(&r.account), account_w - 2), account_w - 1));
        }
        if cols.1 {
            line += &format!(" {}", pad(&clean(&r.region), region_w - 1));
        }
        let fail = format!("{:>5}", c.fail);
        line += &if c.fail > 0 { term.paint(status_color(Status::Fail), &fail) } else { fail };
        let unknown = format!("{:>5}", c.unknown);
        line += &if c.unknown > 0 { term.paint(status_color(Status::Unknown), &unknown) } else { unknown };
        line += &format!("{:>5}{:>5}", c.pass, c.not_applicable);
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_and_wrapping_respect_the_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(pad("ab", 4), "ab  ");
        let arn = "arn:aws:iam::111122223333:role/a-very-long-role-name-that-does-not-fit-anywhere-at-all";
        for l in wrap(&format!("trust policy of {arn} admits any service account"), 40, "  ") {
            assert!(display_width(&l) <= 40, "{l}");
        }
        let lines = wrap(&format!("x {arn}"), 120, "");
        assert_eq!(lines.len(), 1, "an ARN is not broken when the width allows");
    }

    #[test]
    fn arm_ids_shorten_to_group_and_name() {
        let id =
            "/subscriptions/4f1c/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-1";
        assert_eq!(shorten_ids(&format!("scope={id} terms=x")), "scope=rg-platform/aks-1 terms=x");
        assert_eq!(shorten_ids("/subscriptions/4f1c/resourceGroups/rg-a"), "rg-a");
        let arn = "arn:aws:eks:us-east-1:111122223333:cluster/x";
        assert_eq!(shorten_ids(arn), arn);
    }

    #[test]
    fn unknown_causes_group_by_error_and_operation() {
        let m = "accessEntries could not be collected: AccessDeniedException (HTTP 403) on ListAccessEntries: User is not authorized";
        assert_eq!(unknown_cause(m), "AccessDeniedException (HTTP 403) on ListAccessEntries");
        assert_eq!(unknown_cause("The inventory is incomplete. More text"), "The inventory is incomplete");
    }

    /// A Kubernetes list refused on two clusters groups as one cause: the API server's own
    /// message (the scanning identity's object id, the resource) is the particulars.
    #[test]
    fn kubernetes_list_errors_group_by_status_and_list() {
        let on = |id: &str| {
            format!(
                "Could not judge every bound role (0 passed): /apis/rbac.authorization.k8s.io/v1/clusterrolebindings could not be read (unknown: 403 Forbidden on list ClusterRoleBindings (clusterrolebindings is forbidden: User \"{id}\" cannot list resource \"clusterrolebindings\" at the cluster scope): Azure Kubernetes Service RBAC Reader does not cover Secrets and RBAC objects)"
            )
        };
        assert_eq!(unknown_cause(&on("5e0f2a7c")), "403 Forbidden on list ClusterRoleBindings");
        assert_eq!(unknown_cause(&on("9a1b")), unknown_cause(&on("5e0f2a7c")));
        let secrets = "Could not judge every object (2 passed): Secrets in default could not be listed (403 Forbidden on list Secrets in default (secrets is forbidden: User \"u\" cannot list resource \"secrets\")): grant it";
        assert_eq!(unknown_cause(secrets), "403 Forbidden on list Secrets in default");
        let other = "Pods could not be read: HTTP 500 InternalError on list Pods: etcdserver: request timed out";
        assert_eq!(unknown_cause(other), "HTTP 500 InternalError on list Pods");
        let unreachable = "Pods could not be read: cannot connect to the API server https://10.0.0.4:443 (timed out): the cluster's API server is private";
        assert_eq!(unknown_cause(unreachable), "cannot connect to the API server");
    }

    #[test]
    fn a_reason_repeating_the_title_replaces_it() {
        assert!(repeats_title("Local accounts enabled", "Local accounts are enabled"));
        assert!(repeats_title("Kubernetes RBAC disabled", "Kubernetes RBAC is disabled"));
        assert!(repeats_title("Workload identity disabled", "Workload identity is not enabled"));
        assert!(!repeats_title("Cluster auto-upgrade disabled", "No auto-upgrade channel is set"));
        assert!(!repeats_title("Node OS patching not managed", "The node OS upgrade channel is 'Unmanaged'"));
    }

    #[test]
    fn long_resource_names_keep_what_identifies_them() {
        let r = |kind, resource_group: Option<&str>, name: &str| ResourceRef {
            kind,
            cloud: kubeposture_checks::Cloud::Aks,
            account: String::new(),
            region: String::new(),
            resource_group: resource_group.map(String::from),
            name: name.into(),
            id: String::new(),
            tags: Default::default(),
        };
        let cluster = r(ResourceKind::Cluster, Some("rg-platform"), "aks-internal-tools");
        assert_eq!(resource_label(&cluster, 40), "rg-platform/aks-internal-tools");
        assert_eq!(resource_label(&cluster, 20), "aks-internal-tools");
        let tenant = r(ResourceKind::Tenant, None, "7d1c9a52-4b1e-4e8f-9a3c-2f6b8e0d1c35");
        assert_eq!(resource_label(&tenant, 24), "tenant 7d1c9a52-4b…d1c35");
    }

    /// A 100 KB cluster name and a hostile one (controls, bidi overrides, a line break) in
    /// every place the table shows a name: failure lines, details, unknown causes, subjects,
    /// not-collected scopes. The layout stays the terminal's (no line wider); without
    /// `--details` the output does not grow with the name, with it at most linearly; nothing
    /// raw reaches the terminal.
    #[test]
    fn a_100_kb_or_hostile_cluster_name_keeps_the_layout_bounded_and_escaped() {
        use crate::findings::tests::cluster;
        use kubeposture_checks::{Evidence, Outcome, Subject};
        let huge = "a".repeat(100 * 1024);
        let hostile = "evil\u{1b}[2J\u{7}\u{9b}31m\u{202e}txt.exe\u{2066}\nsecond-line";
        let raw = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}'];
        let find = |id| &kubeposture_checks::find(id).unwrap().meta;
        let mut result = ScanResult::default();
        for name in [huge.as_str(), hostile] {
            let evidence = vec![Evidence::new("properties.name", name)];
            let subjects = vec![Subject::new(name, name, Status::Fail, format!("standing Owner of {name}"))];
            result.record_all(
                &cluster(name),
                vec![
                    (find("NET-001"), Outcome::fail(format!("{name} is open"), evidence.clone())),
                    (find("IDN-006"), Outcome::fail("standing admins", evidence.clone()).with_subjects(subjects)),
                    (find("NET-002"), Outcome::unknown_because(format!("{name} could not be read"), evidence)),
                ],
            );
            result.not_collected.push(kubeposture_providers::ScopeFailure {
                cloud: kubeposture_checks::Cloud::Aks,
                scope: format!("cluster {name}"),
                operation: "getManagedCluster".into(),
                reason: format!("InternalServerError on {name}"),
            });
        }
        result.finish();
        let meta = ReportMeta {
            clouds: vec!["azure"],
            fail_on: crate::findings::FailOn(Some(Severity::Low)),
            exit_code: 2,
            generated_at: time::OffsetDateTime::UNIX_EPOCH,
            options: super::super::ReportOptions {
                term: Term::plain(100),
                details: false,
                sarif_unknown: false,
                compliance: None,
            },
        };
        let mut sizes = Vec::new();
        for details in [false, true] {
            let mut out = Vec::new();
            render(&result, &meta, Term::plain(100), View { details }, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(display_width(line) <= 100, "details={details}: {} columns", display_width(line));
            }
            let found: Vec<char> = raw.iter().copied().filter(|c| text.lines().any(|l| l.contains(*c))).collect();
            assert!(found.is_empty(), "details={details}: raw {found:?}");
            assert!(text.contains("evil\\u{1b}[2J\\u{7}\\u{9b}31m\\u{202e}txt.exe\\u{2066}\\nsecond-line"), "{text}");
            sizes.push(text.len());
        }
        assert!(sizes[0] < 16 * 1024, "the summary does not grow with a name: {} bytes", sizes[0]);
        let input: usize = result
            .findings
            .iter()
            .map(|f| {
                f.message.len()
                    + f.evidence.iter().map(|e| e.observed.len()).sum::<usize>()
                    + f.subjects.iter().map(|s| s.id.len() + s.label.len() + s.reason.len()).sum::<usize>()
            })
            .sum::<usize>()
            + result.not_collected.iter().map(|n| n.scope.len() + n.reason.len()).sum::<usize>();
        assert!(sizes[1] < 2 * input, "details at most linear in what they show: {} bytes of {input}", sizes[1]);
    }

    #[test]
    fn short_ids_keep_both_ends() {
        assert_eq!(short_id("4f1c2d3e-0000-4000-8000-00000000a001", 13), "4f1c2d3e…a001");
        assert_eq!(short_id("111122223333", 13), "111122223333");
    }
}
