//! Labeled estates: every (check, resource) verdict of a full scan against a truth table.
//!
//! Each `mocks/estates/labeled/NAME.yaml` is an estate file; `NAME.truth.csv` beside it lists
//! `check_id,resource,status,why` for every finding the scan must report — `resource` is the
//! cluster name, or the account / tenant id for findings about a scope. The scan runs through the
//! binary (`scan --demo --estate FILE`), so the mock, the SDKs, the providers and the checks are
//! all exercised. A missing, extra or different row fails; a wrong `pass` is called out first.
//! On a mismatch the observed table is written to `target/labeled/NAME.observed.csv` to diff.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Key = (String, String);

struct Row {
    status: String,
    note: String,
}

fn estates() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mocks/estates/labeled");
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    v.sort();
    v
}

fn truth(path: &Path) -> Result<BTreeMap<Key, Row>, String> {
    let mut rd = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = BTreeMap::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |n: usize| rec.get(n).unwrap_or("").trim().to_string();
        let (check, resource, status) = (field(0), field(1), field(2));
        if !["pass", "fail", "unknown", "not_applicable"].contains(&status.as_str()) {
            return Err(format!("{} row {}: status '{status}' is not a status", path.display(), i + 2));
        }
        if rows.insert((check.clone(), resource.clone()), Row { status, note: field(3) }).is_some() {
            return Err(format!("{} row {}: ({check}, {resource}) is listed twice", path.display(), i + 2));
        }
    }
    Ok(rows)
}

/// The scan's verdicts by (check, resource name or scope id), with each finding's message.
fn observed(estate: &Path) -> Result<BTreeMap<Key, Row>, String> {
    let out = Command::cargo_bin("kubeposture")
        .unwrap()
        .env_remove("KUBEPOSTURE_LOG")
        .args(["scan", "--demo", "--quiet", "--format", "json", "--fail-on", "never", "--estate"])
        .arg(estate)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .map_err(|e| e.to_string())?;
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!("{}: no JSON report ({e}); stderr:\n{}", estate.display(), String::from_utf8_lossy(&out.stderr))
    })?;
    let mut rows = BTreeMap::new();
    let mut ids_by_name: BTreeMap<String, String> = BTreeMap::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        let r = &f["resource"];
        let id = r["id"].as_str().unwrap_or_default().to_string();
        let name = if r["kind"] == "cluster" { r["name"].as_str().unwrap_or_default().to_string() } else { id.clone() };
        if let Some(other) = ids_by_name.insert(name.clone(), id.clone())
            && other != id
        {
            return Err(format!(
                "{}: two resources are named {name}: name each case's cluster uniquely",
                estate.display()
            ));
        }
        let key = (f["check_id"].as_str().unwrap_or_default().to_string(), name);
        let row = Row {
            status: f["status"].as_str().unwrap_or_default().to_string(),
            note: f["message"].as_str().unwrap_or_default().to_string(),
        };
        if rows.insert(key.clone(), row).is_some() {
            return Err(format!("{}: two findings for {key:?}", estate.display()));
        }
    }
    for n in report["scan"]["not_collected"].as_array().into_iter().flatten() {
        eprintln!("{}: not collected: {}", estate.display(), n["reason"].as_str().unwrap_or_default());
    }
    Ok(rows)
}

fn compare(estate: &Path) -> Result<usize, String> {
    let truth_path = estate.with_extension("truth.csv");
    let want = truth(&truth_path)?;
    let got = observed(estate)?;
    let mut wrong_pass = vec![];
    let mut other = vec![];
    for (key, w) in &want {
        match got.get(key) {
            None => other.push(format!("missing  {} {}: want {} ({})", key.0, key.1, w.status, w.note)),
            Some(g) if g.status != w.status => {
                let line =
                    format!("{} {}: want {} ({}), got {} — {}", key.0, key.1, w.status, w.note, g.status, g.note);
                if g.status == "pass" { wrong_pass.push(format!("WRONG PASS {line}")) } else { other.push(line) }
            }
            Some(_) => {}
        }
    }
    for (key, g) in &got {
        if !want.contains_key(key) {
            other.push(format!("extra    {} {}: got {} — {}", key.0, key.1, g.status, g.note));
        }
    }
    if wrong_pass.is_empty() && other.is_empty() {
        return Ok(want.len());
    }
    let name = estate.file_stem().unwrap_or_default().to_string_lossy().to_string();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/labeled");
    let _ = std::fs::create_dir_all(&dir);
    let mut csv = String::from("check_id,resource,status,why\n");
    for (k, g) in &got {
        csv.push_str(&format!("{},{},{},\"{}\"\n", k.0, k.1, g.status, g.note.replace('"', "'")));
    }
    let _ = std::fs::write(dir.join(format!("{name}.observed.csv")), csv);
    wrong_pass.extend(other);
    Err(format!(
        "{}: {} differences (observed table in target/labeled/{name}.observed.csv):\n  {}",
        estate.display(),
        wrong_pass.len(),
        wrong_pass.join("\n  ")
    ))
}

#[test]
fn every_labeled_estate_scans_to_its_truth_table() {
    let estates = estates();
    let results: Vec<Result<usize, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = estates.iter().map(|e| s.spawn(move || compare(e))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("comparison panicked".into()))).collect()
    });
    let mut failures = vec![];
    for (estate, r) in estates.iter().zip(results) {
        match r {
            Ok(n) => eprintln!("{}: {n} verdicts as labeled", estate.display()),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
