//! The fault matrix over the demo estate: a clean scan, then one scan per fault — throttling at
//! 20% and 50%, a 5xx once (per family) and persistently (per operation), a malformed page of
//! every paged list (and, on AWS, a paging token that repeats), a 403 on every operation, token
//! failures. For every (check, resource) of
//! the clean scan each faulty scan must say the same, or `unknown` with a reason naming the
//! operation (a scope that could not be collected at all must be named in `not_collected` with
//! the operation). Nothing else may change; nothing may be added.
//!
//! Seeded: `KUBEPOSTURE_MATRIX_SEED=N` repeats a run's throttling dice, and
//! `KUBEPOSTURE_MATRIX_CASE=substring` runs only the cases whose name contains it.

use kubeposture_mocks::faults::{Fault, OPERATIONS};
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Operations whose failure makes verdicts `unknown` (as it must) with a reason that may not
/// name the call: `(operation, why)`, cargo-deny style. A listed case is printed, not failed; an
/// entry no case uses is reported as unused. Empty: every reason names its operation (Graph's
/// `listTransitiveMemberOf` and `getDirectoryObjectsByIds` included, since issue 9).
const UNNAMED: &[(&str, &str)] = &[];

/// The UNNAMED entries some case needed.
static UNNAMED_USED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

fn unnamed_used(case: &str) {
    if let Some((op, _)) = UNNAMED.iter().find(|(op, _)| case.starts_with(&format!("{op}:"))) {
        UNNAMED_USED.lock().unwrap().push(op);
    }
}

struct Case {
    name: String,
    faults: Vec<Value>,
    opts: MockOptions,
    /// Words of which a reason must name one (the operations the case breaks).
    names: Vec<String>,
    /// `--max-retries`: the default for throttling and one-off errors (which retries must
    /// absorb), 1 for persistent faults (what they end in is the same, sooner).
    retries: &'static str,
}

/// `eks:ListClusters` → `ListClusters`: how the scanner names an AWS operation.
fn said(op: &str) -> String {
    op.split_once(':').map(|(_, o)| o).unwrap_or(op).to_string()
}

fn family(op: &str) -> &str {
    match op.split_once(':') {
        Some((svc, _)) => svc,
        None if kubeposture_mocks::faults::is_graph(op) || op == "listTransitiveMemberOf" => "graph",
        None if op.contains("Role") => "authorization",
        None if op == "token" => "token",
        None => "arm",
    }
}

fn cases(seed: u64) -> Vec<Case> {
    let opts = MockOptions { seed, ..MockOptions::default() };
    let mut out = Vec::new();
    for ratio in [0.2, 0.5] {
        out.push(Case {
            name: format!("throttled {}%", (ratio * 100.0) as u32),
            faults: vec![],
            opts: MockOptions { throttle_ratio: ratio, ..opts.clone() },
            names: vec!["Throttl".into(), "TooManyRequests".into(), "RequestLimitExceeded".into(), "429".into()],
            retries: "8",
        });
    }
    let mut families: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (op, selectors) in OPERATIONS {
        families.entry(family(op)).or_default().push(op);
        let one = |faults: Vec<Value>, what: &str| Case {
            name: format!("{op}: {what}"),
            faults,
            opts: opts.clone(),
            names: vec![said(op)],
            retries: "1",
        };
        if op == &"token" {
            out.push(one(vec![json!({"operation": op, "status": 400, "code": "invalid_client"})], "login refused"));
            out.push(one(vec![json!({"operation": op, "malformed": true})], "malformed token answer"));
            continue;
        }
        out.push(one(vec![json!({"operation": op, "status": 503})], "5xx every time"));
        out.push(one(vec![json!({"operation": op, "status": 403})], "403"));
        if selectors.contains(&"page") {
            out.push(one(vec![json!({"operation": op, "page": 1, "malformed": true})], "malformed page 1"));
            if op.contains(':') {
                let repeat = json!({"operation": op, "page": 1, "repeatToken": true});
                out.push(one(vec![repeat], "page 1 repeats its paging token"));
            }
        }
    }
    for (fam, ops) in &families {
        if *fam == "token" {
            continue;
        }
        out.push(Case {
            name: format!("{fam}: 5xx once on each operation"),
            faults: ops.iter().map(|op| json!({"operation": op, "status": 500, "times": 1})).collect(),
            opts: opts.clone(),
            names: ops.iter().map(|o| said(o)).collect(),
            retries: "8",
        });
    }
    out
}

struct Scan {
    code: i32,
    report: Value,
    stderr: String,
    /// Answers the mock replaced by an injected fault (0: the case tested nothing).
    faults_fired: u64,
}

fn run(case_faults: &[Value], opts: MockOptions, retries: &str) -> Scan {
    let mut estate = Estate::demo();
    for f in case_faults {
        let fault: Fault = serde_json::from_value(f.clone()).unwrap();
        fault.validate().unwrap_or_else(|e| panic!("{e}"));
        estate.faults.push(fault);
    }
    let azure = estate.client_credentials().unwrap();
    let aws = estate.aws_credentials().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let mock = rt.block_on(MockCloud::start(estate, MockOptions { ca_pem_path: Some(ca.clone()), ..opts })).unwrap();
    let url = mock.url();
    let mut cmd = assert_cmd::Command::cargo_bin("kubeposture").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AZURE_TENANT_ID", &azure.tenant_id)
        .env("AZURE_CLIENT_ID", &azure.client_id)
        .env("AZURE_CLIENT_SECRET", &azure.client_secret)
        .env("AWS_ACCESS_KEY_ID", &aws.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &aws.secret_access_key)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["scan", "--quiet", "--cloud", "all", "--format", "json", "--azure-credential", "client-secret"])
        .args(["--max-retries", retries])
        .args(["--authority-host", &url, "--arm-endpoint", &url, "--graph-endpoint", &url, "--aws-endpoint-url", &url])
        .arg("--ca-cert")
        .arg(&ca);
    for r in &aws.roles {
        let spec = match &r.external_id {
            Some(id) => format!("{},external_id={id}", r.role_arn),
            None => r.role_arn.clone(),
        };
        cmd.args(["--aws-role-arn", &spec]);
    }
    let out = cmd.timeout(std::time::Duration::from_secs(300)).output().unwrap();
    // The demo estate has faults of its own: count the case's.
    let counters = mock.counters();
    let faults_fired = case_faults
        .iter()
        .filter_map(|f| f["operation"].as_str())
        .map(|op| counters.get(&format!("{op}:fault")).copied().unwrap_or(0))
        .sum();
    rt.block_on(mock.shutdown());
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    Scan { code: out.status.code().unwrap_or(-1), report, stderr, faults_fired }
}

/// (check, resource id) → (status, message + evidence).
fn verdicts(report: &Value) -> BTreeMap<(String, String), (String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = (f["check_id"].as_str().unwrap().to_string(), f["resource"]["id"].as_str().unwrap().to_string());
            // The whole finding: a reason may sit in a subject's (principal's) reason.
            let why = f.to_string();
            (key, (f["status"].as_str().unwrap().to_string(), why))
        })
        .collect()
}

/// What a faulty scan changed that it may not: one line per deviation.
fn deviations(clean: &Scan, case: &Case, got: &Scan) -> Vec<String> {
    let names = |text: &str| case.names.iter().any(|n| text.contains(n.as_str()));
    let base = verdicts(&clean.report);
    let now = verdicts(&got.report);
    let not_collected = got.report["scan"]["not_collected"].to_string();
    let mut out = Vec::new();
    for ((check, id), (status, _)) in &base {
        match now.get(&(check.clone(), id.clone())) {
            Some((s, _)) if s == status => {}
            Some((s, why)) if s == "unknown" && names(why) => {}
            Some((s, _))
                if s == "unknown" && UNNAMED.iter().any(|(op, _)| case.name.starts_with(&format!("{op}:"))) =>
            {
                eprintln!("unnamed (see UNNAMED): [{}] {check} on {id}: {status} → unknown", case.name);
                unnamed_used(&case.name);
            }
            Some((s, why)) => {
                let why: String = why.chars().take(300).collect();
                out.push(format!("{check} on {id}: {status} → {s} ({why}…)"))
            }
            None if names(&not_collected) => {}
            None => {
                out.push(format!("{check} on {id}: {status} → missing, and not_collected names no {:?}", case.names))
            }
        }
    }
    for (check, id) in now.keys() {
        if !base.contains_key(&(check.clone(), id.clone())) {
            out.push(format!("{check} on {id}: not in the clean scan"));
        }
    }
    if got.code != clean.code && got.code != 2 {
        out.push(format!("exit {} (clean: {})", got.code, clean.code));
    }
    if got.code == 2 && !names(&not_collected) && !names(&got.stderr) {
        out.push(format!("exit 2 without naming {:?}: {not_collected}", case.names));
    }
    out
}

#[test]
fn under_any_fault_a_verdict_equals_the_clean_scan_or_is_unknown_naming_the_operation() {
    let seed: u64 = std::env::var("KUBEPOSTURE_MATRIX_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(9);
    let filter = std::env::var("KUBEPOSTURE_MATRIX_CASE").unwrap_or_default();
    let clean = run(&[], MockOptions { seed, ..MockOptions::default() }, "8");
    assert_eq!(clean.report["scan"]["not_collected"], json!([]), "{}", clean.stderr);
    let all: Vec<Case> = cases(seed).into_iter().filter(|c| c.name.contains(&filter)).collect();
    let queue = Mutex::new(all.iter());
    let failures = Mutex::new(Vec::new());
    let vacuous = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        // Scans mostly wait (latency, backoff): more at once than cores.
        for _ in 0..6 {
            s.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().next() else { break };
                    let got = run(&case.faults, case.opts.clone(), case.retries);
                    if !case.faults.is_empty() && got.faults_fired == 0 {
                        vacuous.lock().unwrap().push(case.name.clone());
                    }
                    let found = deviations(&clean, case, &got);
                    if !found.is_empty() {
                        failures.lock().unwrap().push(format!("[{}]\n  {}", case.name, found.join("\n  ")));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let mut vacuous = vacuous.into_inner().unwrap();
    vacuous.sort();
    for name in &vacuous {
        // The demo never makes that call (e.g. Organizations without --aws-organization).
        eprintln!("note: [{name}] never fired: the demo scan does not make that call");
    }
    if filter.is_empty() {
        let used = UNNAMED_USED.lock().unwrap();
        for (op, why) in UNNAMED.iter().filter(|(op, _)| !used.contains(op)) {
            eprintln!("warning: unused UNNAMED entry {op} ({why}): every reason now names it, remove the entry");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases changed a verdict (seed {seed}; rerun one with KUBEPOSTURE_MATRIX_CASE):\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
