//! Every report format, rendered by `kubeposture report` from a small saved estate
//! (`tests/data/small-report.json`: two AKS clusters, one EKS cluster, a tenant; IDN-012 with
//! subjects), snapshotted; and the JSON report read back without loss.

use assert_cmd::Command;
use std::process::Command as Proc;

const SMALL: &str = "tests/data/small-report.json";
/// Fixed generation time (OCSF `time` of a scan without recorded timestamps).
const EPOCH: &str = "1767225600";

fn kp() -> Command {
    let mut c = Command::cargo_bin("kubeposture").unwrap();
    c.env("SOURCE_DATE_EPOCH", EPOCH).env_remove("NO_COLOR").env("COLUMNS", "120");
    c
}

fn report(args: &[&str]) -> (String, i32) {
    let out = kp().args(["report", "--from", SMALL]).args(args).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap_or(-1))
}

#[test]
fn small_estate_in_every_format() {
    for format in ["table", "csv", "json", "ocsf", "ocsf-json"] {
        let (out, code) = report(&["--format", format]);
        assert_eq!(code, 1, "{format}: the small estate has failures");
        insta::assert_snapshot!(format!("small_{format}"), out);
    }
}

/// SARIF without the catalog's rules (every check's metadata, which other changes touch): the
/// rules are checked here, the results snapshotted.
#[test]
fn small_estate_sarif() {
    let (out, _) = report(&["--format", "sarif"]);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].take();
    let rules = rules.as_array().unwrap();
    let checks: Vec<serde_json::Value> = serde_json::from_slice(
        &Command::cargo_bin("kubeposture").unwrap().args(["checks", "--format", "json"]).output().unwrap().stdout,
    )
    .unwrap();
    assert_eq!(rules.len(), checks.len(), "one rule per check");
    for (rule, check) in rules.iter().zip(&checks) {
        assert_eq!(rule["id"], check["id"]);
        assert_eq!(rule["shortDescription"]["text"], check["title"]);
        assert_eq!(rule["fullDescription"]["text"], check["rationale"]);
        assert!(rule["help"]["text"].as_str().unwrap().contains("Remediation"));
        assert!(rule["properties"]["security-severity"].as_str().unwrap().parse::<f64>().is_ok());
        let name = rule["name"].as_str().unwrap();
        assert!(name.chars().next().unwrap().is_ascii_uppercase() && !name.contains('-'), "{name}");
    }
    for r in v["runs"][0]["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the result's rule");
    }
    insta::assert_snapshot!("small_sarif_results", serde_json::to_string_pretty(&v).unwrap());
}

/// The page minus its style and script: the data islands and the skeleton.
#[test]
fn small_estate_html() {
    let (out, _) = report(&["--format", "html"]);
    assert!(out.starts_with("<!DOCTYPE html>") && out.trim_end().ends_with("</html>"));
    assert!(!out.contains("http://") || !out.contains("src=\"http"), "no external resources");
    assert!(out.contains("Content-Security-Policy") && out.contains("default-src 'none'"));
    let style = out.find("<style>").unwrap()..out.find("</style>").unwrap();
    let script = out.rfind("<script>").unwrap()..out.rfind("</script>").unwrap();
    let mut data = format!("{}{}{}", &out[..style.start], &out[style.end..script.start], &out[script.end..]);
    // The checks island holds every check's metadata (other changes touch it): checked, not snapshotted.
    let checks = data.find("<script type=\"application/json\" id=\"kp-checks\">").unwrap();
    let end = checks + data[checks..].find("</script>").unwrap();
    let island: serde_json::Value = serde_json::from_str(data[checks..end].split_once('>').unwrap().1).unwrap();
    for id in ["NET-001", "AUTH-002", "IDN-012", "NODE-001"] {
        assert!(island[id]["explain"].as_str().unwrap().contains("Rationale"), "{id}");
    }
    data.replace_range(checks..end, "<script type=\"application/json\" id=\"kp-checks\">…");
    insta::assert_snapshot!("small_html_data", data);
}

#[test]
fn compliance_views() {
    for framework in ["cis-aks-1.8", "cis-eks-1.8", "seeds"] {
        let (table, _) = report(&["--compliance", framework]);
        let (csv, _) = report(&["--compliance", framework, "--format", "csv"]);
        insta::assert_snapshot!(format!("compliance_{framework}_table"), table);
        insta::assert_snapshot!(format!("compliance_{framework}_csv"), csv);
    }
    let (json, _) = report(&["--compliance", "cis-eks-1.8", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let controls = v["compliance"]["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 50, "every CIS EKS 1.8 control, automated or manual");
    let by_id = |id: &str| controls.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(by_id("5.4.1")["status"], "fail", "NET-001 fails on eks-prod-public");
    assert_eq!(by_id("3.2.1")["status"], "manual");
    assert_eq!(v["findings"].as_array().unwrap().len(), 17, "the findings stay in the report");
    let bad = kp().args(["report", "--from", SMALL, "--compliance", "pci"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(3), "a usage error (exit 3, issue 9)");
}

#[test]
fn admins_inventory_from_a_saved_report() {
    let out = kp().args(["admins", "--from", SMALL]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "eks-prod-public's inventory is incomplete");
    insta::assert_snapshot!("admins_table", table);
    let out =
        kp().args(["admins", "--from", SMALL, "--principal", "SOFIA", "--admins-format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let admins = v["admins"].as_array().unwrap();
    assert_eq!(admins.len(), 1);
    assert_eq!(admins[0]["cluster"], "aks-internal-tools");
    assert_eq!(admins[0]["terms"], "permanent");
    assert_eq!(v["incomplete"][0]["cluster"], "eks-prod-public", "incomplete clusters are never dropped");
    let out = kp().args(["admins", "--from", SMALL, "--admins-format", "csv"]).output().unwrap();
    insta::assert_snapshot!("admins_csv", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn json_report_reads_back_without_loss() {
    let scan = kp().args(["scan", "--demo", "--quiet", "--format", "json"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.json");
    std::fs::write(&path, &scan.stdout).unwrap();
    let again = kp().args(["report", "--format", "json", "--from"]).arg(&path).output().unwrap();
    assert_eq!(again.status.code(), scan.status.code(), "same exit code");
    assert!(again.stdout == scan.stdout, "report --format json reproduces the scan's JSON byte for byte");
    let csv = |o: &std::process::Output| o.stdout.clone();
    let scan_csv = kp().args(["scan", "--demo", "--quiet", "--format", "csv"]).output().unwrap();
    let report_csv = kp().args(["report", "--format", "csv", "--from"]).arg(&path).output().unwrap();
    assert!(csv(&scan_csv) == csv(&report_csv), "and every other format from it");
}

#[test]
fn report_errors_are_one_line_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"schema\": \"other/v9\", \"scan\": {}, \"findings\": []}").unwrap();
    for (path, want) in [(junk.as_path(), "unsupported report schema"), (dir.path(), "cannot read")] {
        let out = kp().args(["report", "--from"]).arg(path).output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(want) && err.lines().count() == 1, "{err}");
    }
}

/// The terminal report of the demo as a pipe sees it (no terminal: `$COLUMNS`, no colour).
fn demo_table(columns: &str, extra: &[&str]) -> String {
    let out = kp()
        .env("COLUMNS", columns)
        .args(["scan", "--demo", "--quiet"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or_default()
}

#[test]
fn terminal_report_of_the_demo_at_80_and_120_columns() {
    for columns in ["80", "120"] {
        let default = demo_table(columns, &[]);
        let details = demo_table(columns, &["--details"]);
        let width: usize = columns.parse().unwrap();
        assert!(widest(&default) <= width && widest(&details) <= width, "no line wider than {columns}");
        assert!(!default.contains('\u{1b}') && !details.contains('\u{1b}'), "piped output is plain");
        insta::assert_snapshot!(format!("demo_table_{columns}"), default);
        insta::assert_snapshot!(format!("demo_table_details_{columns}"), details);
    }
    let lines = demo_table("120", &[]).lines().count();
    assert!(lines <= 120, "the default demo view fits one screen: {lines} lines at 120 columns");
}

#[test]
fn piped_output_respects_columns() {
    let admins = kp().env("COLUMNS", "100").args(["admins", "--from", SMALL]).output().unwrap();
    let admins = String::from_utf8(admins.stdout).unwrap();
    let mut outputs = vec![("admins".to_string(), admins)];
    for extra in [&[][..], &["--details"][..], &["--compliance", "cis-aks-1.8"][..], &["--compliance", "seeds"][..]] {
        outputs.push((format!("{extra:?}"), demo_table("100", extra)));
    }
    for (what, out) in outputs {
        let long: Vec<&str> = out.lines().filter(|l| l.chars().count() > 100).collect();
        assert!(long.is_empty(), "{what}: lines over 100 columns:\n{}", long.join("\n"));
    }
}

#[test]
fn filters_apply_to_every_format_and_the_exit_code() {
    let one = demo_table("100", &["--check", "api-endpoint-open-to-internet", "--resource", "eks-prod-public"]);
    assert!(one.contains("NET-001") && one.contains("eks-prod-public") && !one.contains("CLU-004"), "{one}");
    let json = kp()
        .args([
            "scan",
            "--demo",
            "--quiet",
            "--format",
            "json",
            "--check",
            "NET-001,CLU-001",
            "--resource",
            "rg-dev/aks-dev-sandbox",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let checks: std::collections::BTreeSet<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["check_id"].as_str().unwrap()).collect();
    assert_eq!(checks, ["CLU-001", "NET-001"].into_iter().collect());
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["resource"]["name"] == "aks-dev-sandbox"));
    // A passing check alone exits 0.
    let pass = kp()
        .args(["scan", "--demo", "--quiet", "--check", "NET-001", "--resource", "eks-prod-hardened"])
        .output()
        .unwrap();
    assert_eq!(pass.status.code(), Some(0), "{}", String::from_utf8_lossy(&pass.stdout));
    let bad = kp().args(["scan", "--demo", "--check", "NOPE-1"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(3), "an unknown check is a usage error");
    let (sarif, _) = report(&["--format", "sarif", "--check", "NODE-001"]);
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert!(s["runs"][0]["results"].as_array().unwrap().iter().all(|r| r["ruleId"] == "NODE-001"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let always = demo_table("100", &["--color", "always"]);
    assert!(always.contains("\u{1b}[1;31m"), "severity coloured");
    assert!(always.lines().all(|l| !l.contains('\u{1b}') || l.ends_with("\u{1b}[0m") || l.contains("\u{1b}[0m")));
    let never = demo_table("100", &["--color", "never"]);
    assert!(!never.contains('\u{1b}'));
    let no_color = kp().env("NO_COLOR", "1").args(["scan", "--demo", "--quiet"]).output().unwrap();
    assert!(!no_color.stdout.contains(&0x1b));
}

#[test]
fn report_renders_a_scan_from_the_history_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let scan = kp().args(["scan", "--demo", "--quiet", "--format", "json", "--history"]).arg(&db).output().unwrap();
    assert_eq!(scan.status.code(), Some(1), "{}", String::from_utf8_lossy(&scan.stderr));
    let again = kp().args(["report", "--scan", "1", "--format", "json", "--history"]).arg(&db).output().unwrap();
    assert_eq!(again.status.code(), Some(1), "{}", String::from_utf8_lossy(&again.stderr));
    let a: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(a["summary"], b["summary"]);
    let key = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {} {} {}", f["fingerprint"], f["status"], f["message"], f["evidence"]))
            .collect()
    };
    assert_eq!(key(&a), key(&b), "the same findings, statuses, messages and evidence");
    let missing = kp().args(["report", "--scan", "99", "--history"]).arg(&db).output().unwrap();
    assert_eq!(missing.status.code(), Some(3));
}

/// On a terminal (a pseudo-terminal from util-linux `script`, 90 columns): the layout follows the
/// terminal, not `$COLUMNS`, and colour is on unless `NO_COLOR` is set.
#[test]
fn a_terminal_sets_the_width_and_colour() {
    if Proc::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("kubeposture");
    let on_tty = |no_color: bool| {
        let mut c = Proc::new("script");
        c.args(["-qec", &format!("stty cols 90 rows 50; exec '{}' scan --demo --quiet", bin.display()), "/dev/null"])
            .env("COLUMNS", "200")
            .env("SOURCE_DATE_EPOCH", EPOCH);
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let out = c.output().unwrap();
        String::from_utf8(out.stdout).unwrap().replace('\r', "")
    };
    let coloured = on_tty(false);
    assert!(coloured.contains("\u{1b}[1;31m"), "severity coloured on a terminal:\n{coloured}");
    let plain = strip_sgr(&coloured);
    assert!(plain.contains("Exit 1:"), "{plain}");
    assert!(widest(&plain) <= 90 && widest(&plain) > 80, "laid out for the terminal's 90 columns, not $COLUMNS");
    let no_color = on_tty(true);
    assert!(!no_color.contains('\u{1b}'), "NO_COLOR turns colour off on a terminal too");
    assert_eq!(no_color, plain, "colour never changes the layout");
}

fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
