//! One self-contained HTML page: the data as JSON islands, rendered and filtered by inline script.
//! No request leaves the page (a Content-Security-Policy forbids it). Findings are written one
//! by one as they are read; only per-resource and per-check aggregates are kept.
//! Untrusted text is escaped twice over: control and bidi characters made visible here, and the
//! script only ever sets `textContent`.

use super::ReportMeta;
use super::identity::{fingerprint, mark};
use super::text::clean;
use crate::catalog_cmd::explain_text;
use crate::findings::ScanResult;
use kubeposture_checks::CheckMeta;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// JSON safe inside `<script>`: no `<`, `>`, `&`, line separators, C1 or bidi controls survive unescaped (they can
/// only occur inside strings, where the escapes mean the same).
fn island_json(v: &impl Serialize) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let s = super::json::escape_controls(&s);
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn island(out: &mut dyn Write, id: &str, v: &impl Serialize) -> std::io::Result<()> {
    writeln!(out, "<script type=\"application/json\" id=\"{id}\">{}</script>", island_json(v))
}

fn check_json(m: &CheckMeta) -> Value {
    json!({
        "id": m.id,
        "slug": m.slug,
        "title": m.title,
        "severity": m.severity.as_str(),
        "clouds": m.clouds.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "explain": explain_text(m),
        "compliance": m.compliance,
    })
}

pub fn render(result: &ScanResult, meta: &ReportMeta, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>kubeposture report</title>\n<style>\n{CSS}</style>\n</head>\n\
<body>\n<header><h1>kubeposture</h1><p id=\"headline\"></p></header>\n\
<nav id=\"tabs\"></nav>\n<section id=\"filters\" aria-label=\"Filters\"></section>\n<main id=\"app\"><noscript>This report needs JavaScript to render its tables; the data is in the page source as JSON.</noscript></main>"
    )?;

    // Resources (aggregates, already in memory) by index.
    let resources: Vec<Value> = result
        .resources
        .iter()
        .map(|(r, c)| {
            json!({
                "kind": r.kind.as_str(), "cloud": r.cloud.as_str(), "account": clean(&r.account),
                "region": clean(&r.region), "rg": r.resource_group.as_deref().map(clean),
                "name": clean(&r.name), "id": clean(&r.id), "counts": c,
            })
        })
        .collect();
    island(out, "kp-resources", &resources)?;
    let index: BTreeMap<&str, usize> = result.resources.keys().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();

    // Findings, one by one; checks seen are collected on the way.
    let mut checks: BTreeMap<&'static str, &'static CheckMeta> = BTreeMap::new();
    out.write_all(b"<script type=\"application/json\" id=\"kp-findings\">[")?;
    for (i, f) in result.findings.iter().enumerate() {
        checks.entry(f.check.id).or_insert(f.check);
        let evidence: Vec<[String; 2]> = f.evidence.iter().map(|e| [clean(&e.path), clean(&e.observed)]).collect();
        let subjects: Vec<Value> = f
            .subjects
            .iter()
            .map(|s| {
                json!({
                    "id": clean(&s.id), "label": clean(&s.label), "status": s.status.as_str(), "reason": clean(&s.reason),
                    "facts": s.facts.iter().map(|(k, v)| [clean(k), clean(v)]).collect::<Vec<_>>(),
                })
            })
            .collect();
        let v = json!({
            "c": f.check.id, "s": f.status.as_str(), "r": index.get(f.resource.id.as_str()).copied().unwrap_or(usize::MAX),
            "m": clean(&f.message), "e": evidence, "sub": subjects, "fp": fingerprint(&f), "mk": mark(&f),
        });
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        out.write_all(island_json(&v).as_bytes())?;
    }
    out.write_all(b"\n]</script>\n")?;

    for c in kubeposture_checks::all() {
        checks.entry(c.meta.id).or_insert(&c.meta);
    }
    let checks: BTreeMap<&str, Value> = checks.into_iter().map(|(id, m)| (id, check_json(m))).collect();
    island(out, "kp-checks", &checks)?;

    let not_collected: Vec<Value> = result
        .not_collected
        .iter()
        .map(|n| json!({"cloud": n.cloud.as_str(), "scope": clean(&n.scope), "operation": clean(&n.operation), "reason": clean(&n.reason)}))
        .collect();
    let compliance = meta.options.compliance.map(|f| {
        let mut view = super::compliance::aggregate(f, result);
        for c in &mut view.controls {
            c.failing_resources = c.failing_resources.iter().map(|r| clean(r)).collect();
        }
        view
    });
    island(
        out,
        "kp-meta",
        &json!({
            "version": env!("CARGO_PKG_VERSION"),
            "clouds": meta.clouds,
            "fail_on": meta.fail_on.label(),
            "exit_code": meta.exit_code,
            "failing": result.failing(meta.fail_on),
            "totals": result.totals(),
            "not_collected": not_collected,
            "started_at": super::rfc3339(result.started_at),
            "finished_at": super::rfc3339(result.finished_at),
            "compliance": compliance,
        }),
    )?;
    writeln!(out, "<script>\n{JS}</script>\n</body>\n</html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_cannot_close_the_script() {
        let s = island_json(&json!({"x": "</script><script>alert(1)</script>&\u{2028}"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&') && !s.contains('\u{2028}'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["x"], "</script><script>alert(1)</script>&\u{2028}");
    }
}
