//! The reports as their consumers see them: SARIF against the official 2.1.0 schema and
//! Microsoft's SARIF multitool (GitHub ingestion rules included), every OCSF event against its
//! OCSF version's class schema, and the HTML report in headless Chromium (the demo and a
//! hostile-strings estate). The tools come from `tests/ecosystem/setup.sh` (run by `.ci/run`);
//! without them this test says it was skipped, except in CI (`CI` set), where it fails.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command as Proc;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir(name: &str) -> PathBuf {
    let d = root().join("target/ecosystem").join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Tools {
    python: PathBuf,
    multitool: PathBuf,
    node_dir: PathBuf,
    chromium: PathBuf,
}

fn tools() -> Option<Tools> {
    let eco = root().join("tests/ecosystem");
    let t = Tools {
        python: root().join("target/ecosystem/venv/bin/python"),
        multitool: eco.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"),
        node_dir: eco.clone(),
        chromium: PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())),
    };
    let present = [&t.python, &t.multitool, &eco.join("node_modules/playwright-core/package.json"), &t.chromium]
        .iter()
        .all(|p| p.exists());
    if present {
        return Some(t);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the ecosystem validators: run tests/ecosystem/setup.sh first (.ci/run does)"
    );
    eprintln!("ecosystem validators skipped: run tests/ecosystem/setup.sh to install them (Node.js, Chromium, Python)");
    None
}

fn run(cmd: &mut Proc, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// Writes every format of the demo scan into `dir`, recorded in a fresh history store (every
/// finding marked new) with a waiver (NET-003 on the legacy cluster marked waived), so the
/// validators and the browser see the marks too.
fn demo_reports(dir: &Path) {
    let waivers = dir.join("waivers.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n  - {check: NET-003, resource: aks-legacy-*, reason: decommissioned in Q1, owner: secops@example.com, expires: 2099-12-31}\n",
    )
    .unwrap();
    let history = dir.join("history.db");
    let _ = std::fs::remove_file(&history);
    let out = Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["scan", "--demo", "--quiet", "--sarif-unknown", "--compliance", "cis-aks-1.8"])
        .args(["--format", "json,sarif,ocsf,ocsf-json,html", "--output-dir"])
        .arg(dir)
        .arg("--history")
        .arg(&history)
        .arg("--waivers")
        .arg(&waivers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

const MARKER: &str = "<script>window.__pwned=1</script>";

/// The demo's report with every name, message, evidence value and subject made hostile:
/// markup, quotes, bidi overrides, control characters, a huge name.
fn hostile_report(demo_json: &Path, dir: &Path) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&std::fs::read(demo_json).unwrap()).unwrap();
    let evil = |s: &str, i: usize| match i % 4 {
        0 => format!("{s}{MARKER}"),
        1 => format!("{s}\"'><img id=pwned src=x onerror=\"window.__pwned=1\">"),
        2 => format!("{s}\u{202e}gpj.exe\u{0007}\u{001b}[31m\r\n"),
        _ => format!("{s}-{}", "x".repeat(5000)),
    };
    let findings = v["findings"].as_array_mut().unwrap();
    for (i, f) in findings.iter_mut().enumerate() {
        let name = f["resource"]["name"].as_str().unwrap().to_string();
        f["resource"]["name"] = evil(&name, i % 3 + usize::from(name.len() % 2 == 0)).into();
        f["message"] = evil(f["message"].as_str().unwrap(), i).into();
        for e in f["evidence"].as_array_mut().unwrap() {
            e["observed"] = evil(e["observed"].as_str().unwrap(), i + 1).into();
        }
    }
    // The first finding of all carries the marker in its message whatever the rotation.
    findings[0]["message"] = format!("first {MARKER}").into();
    let path = dir.join("hostile.json");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    path
}

#[test]
fn reports_pass_their_consumers_validators() {
    let Some(t) = tools() else { return };
    let demo = out_dir("demo");
    demo_reports(&demo);
    let hostile_dir = out_dir("hostile");
    let hostile = hostile_report(&demo.join("kubeposture.json"), &hostile_dir);
    let out = Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["report", "--sarif-unknown", "--format", "sarif,ocsf,ocsf-json,html", "--from"])
        .arg(&hostile)
        .arg("--output-dir")
        .arg(&hostile_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let validate = root().join("tests/ecosystem/validate.py");
    let schema = root().join("tests/ecosystem/sarif-schema-2.1.0.json");
    for dir in [&demo, &hostile_dir] {
        let sarif = dir.join("kubeposture.sarif");
        println!("{}", run(Proc::new(&t.python).arg(&validate).arg("sarif").arg(&sarif).arg(&schema), "SARIF schema"));
        for f in ["kubeposture.ocsf.jsonl", "kubeposture.ocsf.json"] {
            println!("{}", run(Proc::new(&t.python).arg(&validate).arg("ocsf").arg(dir.join(f)), "OCSF schema"));
        }
        // Microsoft's multitool with the SARIF and GitHub (GH…) rule sets: no error or warning.
        let log = dir.join("multitool.sarif");
        run(
            Proc::new(&t.multitool)
                .args([
                    "validate",
                    "--rule-kind",
                    "Sarif;Gh",
                    "--level",
                    "Error;Warning",
                    "--log",
                    "ForceOverwrite",
                    "-o",
                ])
                .arg(&log)
                .arg(&sarif),
            "sarif-multitool validate",
        );
        let v: Value = serde_json::from_slice(&std::fs::read(&log).unwrap()).unwrap();
        let results = v["runs"][0]["results"].as_array().cloned().unwrap_or_default();
        let bad: Vec<String> =
            results.iter().map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]["text"])).collect();
        assert!(bad.is_empty(), "{}: the multitool objects:\n{}", sarif.display(), bad.join("\n"));
        assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true, "{}", log.display());
    }

    // The browser: the demo, then the hostile estate.
    let browser = root().join("tests/ecosystem/browser.mjs");
    for (dir, extra) in [(&demo, vec!["--marks"]), (&hostile_dir, vec!["--hostile", MARKER, "--marks"])] {
        let text = run(
            Proc::new("node")
                .current_dir(&t.node_dir)
                .env("CHROMIUM", &t.chromium)
                .arg(&browser)
                .arg(dir.join("kubeposture.html"))
                .arg(dir.join("screenshot"))
                .args(&extra),
            "headless Chromium",
        );
        println!("{text}");
        assert!(dir.join("screenshot-findings.png").exists());
    }
}
