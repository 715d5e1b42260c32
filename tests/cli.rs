//! The catalog commands and the demo, through the built binary.

use assert_cmd::Command;

fn kp() -> Command {
    Command::cargo_bin("kubeposture").unwrap()
}

#[test]
fn explain_prints_rationale_remediation_and_compliance() {
    let out = kp().args(["explain", "NET-001"]).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for want in ["NET-001", "Rationale", "Remediation", "Compliance", "CIS AKS 5.4.1", "AzPolicy 0e246bcf"] {
        assert!(s.contains(want), "missing {want}:\n{s}");
    }
}

#[test]
fn explain_unknown_id_is_a_usage_error() {
    kp().args(["explain", "NOPE-999"]).assert().code(3);
}

#[test]
fn checks_lists_every_implemented_id() {
    let out = kp().args(["checks", "--format", "json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let table = String::from_utf8(kp().arg("checks").output().unwrap().stdout).unwrap();
    for id in &ids {
        assert!(table.contains(id), "{id} missing from the table");
    }
    for want in [
        "NET-001", "NET-002", "NET-003", "NET-004", "NET-006", "AUTH-001", "AUTH-002", "AUTH-003", "AUTH-004",
        "AUTH-009", "WID-005", "WID-006", "NODE-004", "CLU-001", "CLU-002", "CLU-003", "CLU-004", "CLU-005", "CLU-006",
        "CLU-007", "CLU-008",
    ] {
        assert!(ids.contains(&want), "{want} not implemented");
    }
}

#[test]
fn demo_scan_reports_every_demo_cluster() {
    let out = kp()
        .args(["scan", "--demo", "--quiet", "--format", "json"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let clusters = |cloud: &str| {
        report["resources"].as_array().unwrap().iter().filter(|r| r["kind"] == "cluster" && r["cloud"] == cloud).count()
    };
    assert!(clusters("AKS") >= 6 && clusters("EKS") >= 6, "{}", report["summary"]);
    assert!(report["scan"]["not_collected"].as_array().unwrap().is_empty());
    let statuses: std::collections::BTreeSet<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    for s in ["pass", "fail", "unknown", "not_applicable"] {
        assert!(statuses.contains(s), "the demo shows {s}");
    }
}

#[test]
fn demo_output_is_deterministic() {
    let run = || kp().args(["scan", "--demo", "--quiet", "--format", "csv"]).output().unwrap().stdout;
    assert_eq!(run(), run());
}

#[test]
fn docs_page_is_generated_from_the_records() {
    let out = kp().args(["checks", "--format", "markdown"]).output().unwrap();
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md");
    if std::env::var_os("KUBEPOSTURE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/checks.md is stale: run `KUBEPOSTURE_BLESS=1 cargo test --test cli docs_page`"
    );
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    let bin = assert_cmd::cargo::cargo_bin("kubeposture");
    let mut child = std::process::Command::new(bin)
        .args(["scan", "--demo", "--quiet"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("kubeposture:"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the scan's own exit code");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// One scan signs in to one tenant: an estate with two is refused, never scanned in part.
#[test]
fn an_estate_with_several_tenants_is_refused_not_cut_to_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two-tenants.yaml");
    let client = |id: &str| format!("{{tenantId: {id}, clients: [{{clientId: c-{id}, clientSecret: s}}]}}");
    std::fs::write(&path, format!("estate: v1\nentra: {{tenants: [{}, {}]}}\n", client("t-one"), client("t-two")))
        .unwrap();
    let out = kp().args(["scan", "--demo", "--quiet", "--estate"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has 2 Entra tenants (t-one, t-two)"), "{err}");
    assert!(err.contains("split it into one estate file per tenant"), "{err}");
    assert!(out.stdout.is_empty(), "nothing scanned: {out:?}");
}
