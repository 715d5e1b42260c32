//! Scheduled scans end to end: the demo estate scanned twice with a change between (a cluster
//! hardened, one regressed, a subscription denied), `diff`, `--fail-on-new`, waivers, concurrent
//! scans into one store, and a scan killed in the middle of writing.
//!
//! PostgreSQL variants use `KUBEPOSTURE_TEST_POSTGRES_URL` (`.ci/run` starts a server); without
//! it they say they were skipped, and under CI they fail.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

const SUB_PROD: &str = "4f1c2d3e-0000-4000-8000-00000000a001";
const SUB_DEV: &str = "4f1c2d3e-0000-4000-8000-00000000b002";

fn demo_estate() -> serde_yaml_ng::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("mocks/estates/demo.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_estate(dir: &Path, name: &str, estate: &serde_yaml_ng::Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_yaml_ng::to_string(estate).unwrap()).unwrap();
    p
}

/// The managed cluster body named `name`.
fn cluster<'a>(estate: &'a mut serde_yaml_ng::Value, name: &str) -> &'a mut serde_yaml_ng::Value {
    let subs = estate["azure"]["subscriptions"].as_sequence_mut().unwrap();
    subs.iter_mut()
        .flat_map(|s| s["managedClusters"].as_sequence_mut().unwrap().iter_mut())
        .find(|c| c["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no cluster {name} in the demo estate"))
}

fn yaml(s: &str) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(s).unwrap()
}

/// The demo estate with aks-payments hardened (0.0.0.0/0 gone from its allow-list) and
/// aks-prod-hardened regressed (public, open to the internet).
fn changed_estate(deny_dev: bool) -> serde_yaml_ng::Value {
    let mut e = demo_estate();
    cluster(&mut e, "aks-payments")["properties"]["apiServerAccessProfile"] =
        yaml("{enablePrivateCluster: false, authorizedIPRanges: [203.0.113.0/24, 198.51.100.16/28]}");
    cluster(&mut e, "aks-prod-hardened")["properties"]["apiServerAccessProfile"] =
        yaml("{enablePrivateCluster: false, authorizedIPRanges: [0.0.0.0/0]}");
    if deny_dev {
        let fault = yaml(&format!("{{operation: listManagedClusters, subscription: {SUB_DEV}, status: 403}}"));
        match e.get_mut("faults").and_then(|f| f.as_sequence_mut()) {
            Some(faults) => faults.push(fault),
            None => {
                e.as_mapping_mut().unwrap().insert("faults".into(), serde_yaml_ng::Value::Sequence(vec![fault]));
            }
        }
    }
    e
}

fn kubeposture(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kubeposture").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .timeout(std::time::Duration::from_secs(300));
    cmd
}

fn scan(dir: &Path, estate: &Path, history: &str, extra: &[&str]) -> Output {
    kubeposture(dir)
        .args(["scan", "--demo", "--quiet", "--format", "json", "--estate"])
        .arg(estate)
        .args(["--history", history])
        .args(extra)
        .output()
        .unwrap()
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\nstderr: {}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    })
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    kubeposture(dir).args(args).output().unwrap()
}

fn scans(dir: &Path, history: &str) -> Vec<Value> {
    let o = run(dir, &["history", "--format", "json", "--history", history]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json_out(&o)["scans"].as_array().unwrap().clone()
}

// ---- PostgreSQL ------------------------------------------------------------------------

/// A fresh database on the test server, or `None` (skipped, said on the terminal).
fn postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("KUBEPOSTURE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "KUBEPOSTURE_TEST_POSTGRES_URL is not set: under CI, .ci/run must start PostgreSQL"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: PostgreSQL history test (no server: set KUBEPOSTURE_TEST_POSTGRES_URL, as .ci/run does)"
        );
        return None;
    };
    let db = format!("kp_e2e_{}_{}", std::process::id(), rand_suffix());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.expect("test server");
        tokio::spawn(conn);
        client.batch_execute(&format!("CREATE DATABASE {db}")).await.unwrap();
    });
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{db}"));
    // TLS to the store is the unit tests' subject (src/history/tests.rs); here, plain.
    url.set_query(Some("sslmode=disable"));
    Some(url.to_string())
}

fn rand_suffix() -> u128 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000;
    t * 100 + N.fetch_add(1, Ordering::SeqCst) as u128
}

fn sqlite_url(dir: &Path) -> String {
    dir.join("history.db").display().to_string()
}

// ---- the demo with a change ------------------------------------------------------------

#[test]
fn demo_with_a_change_diff_shows_exactly_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let history = sqlite_url(d);
    let before = write_estate(d, "before.yaml", &demo_estate());
    let after = write_estate(d, "after.yaml", &changed_estate(true));

    let first = scan(d, &before, &history, &[]);
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    assert!(stderr(&first).contains("recorded scan 1"), "{}", stderr(&first));
    let first = json_out(&first);
    let second = scan(d, &after, &history, &[]);
    assert_eq!(code(&second), 2, "the denied subscription is not collected: {}", stderr(&second));
    let second_json = json_out(&second);

    // Every finding carries a fingerprint and, with --history, a novelty mark.
    let f = |report: &Value, check: &str, cluster: &str| -> Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == check && f["resource"]["name"] == cluster)
            .cloned()
            .unwrap_or_else(|| panic!("no {check} on {cluster}"))
    };
    assert_eq!(f(&first, "NET-001", "aks-legacy-2021")["novelty"], "new", "the first scan has nothing to compare with");
    assert_eq!(f(&second_json, "NET-001", "aks-prod-hardened")["novelty"], "new");
    assert_eq!(f(&second_json, "NET-001", "aks-prod-hardened")["status"], "fail");
    assert_eq!(f(&second_json, "NET-001", "aks-legacy-2021")["novelty"], "existing");
    assert_eq!(
        f(&first, "NET-001", "aks-payments")["fingerprint"],
        f(&second_json, "NET-001", "aks-payments")["fingerprint"]
    );

    let diff = run(d, &["diff", "--format", "json", "--history", &history]);
    assert_eq!(code(&diff), 0, "{}", stderr(&diff));
    let diff = json_out(&diff);
    assert_eq!((diff["old"]["id"].as_i64(), diff["new"]["id"].as_i64()), (Some(1), Some(2)));
    let changes = diff["changes"].as_array().unwrap();

    // Findings of the denied subscription's clusters in the first scan: all "not collected".
    let dev_findings: Vec<&Value> = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["account"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(SUB_DEV)))
        .collect();
    assert!(!dev_findings.is_empty());
    let mut by_resource: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    for c in changes {
        by_resource.entry(c["resource"]["name"].as_str().unwrap().to_string()).or_default().push((
            c["change"].as_str().unwrap().to_string(),
            format!("{} {}", c["check_id"].as_str().unwrap(), c["subject"]["id"].as_str().unwrap_or("")),
        ));
    }
    let not_collected: Vec<&Value> = changes.iter().filter(|c| c["change"] == "not_collected").collect();
    assert_eq!(not_collected.len(), dev_findings.len(), "every finding of the denied subscription, once");
    for c in changes {
        let account = c["resource"]["account"].as_str().unwrap();
        if account.eq_ignore_ascii_case(SUB_DEV) {
            assert_eq!(c["change"], "not_collected", "{c}");
        } else {
            assert_ne!(c["change"], "not_collected", "{c}");
        }
    }
    assert_eq!(diff["summary"]["not_collected"].as_u64().unwrap() as usize, dev_findings.len());

    // Outside it: only the hardened and the regressed cluster changed.
    let changed: std::collections::BTreeSet<&str> = by_resource
        .keys()
        .map(String::as_str)
        .filter(|r| !["aks-dev-shared", "aks-dev-sandbox", "aks-ml-gpu"].contains(r))
        .collect();
    assert_eq!(changed, ["aks-payments", "aks-prod-hardened"].into(), "{by_resource:#?}");
    let payments = &by_resource["aks-payments"];
    assert!(payments.contains(&("resolved".into(), "NET-001 ".into())), "{payments:?}");
    assert!(payments.iter().all(|(c, _)| c == "resolved" || c == "changed"), "{payments:?}");
    let hardened = &by_resource["aks-prod-hardened"];
    assert!(hardened.contains(&("regressed".into(), "NET-001 ".into())), "{hardened:?}");
    assert!(hardened.iter().all(|(c, _)| ["regressed", "new", "changed"].contains(&c.as_str())), "{hardened:?}");

    // The same in the table and CSV forms.
    let table = run(d, &["diff", "--history", &history]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("kubeposture diff: scan 1"), "{text}");
    assert!(text.contains("REGRESSED") && text.contains("RESOLVED") && text.contains("NOT COLLECTED"), "{text}");
    assert!(text.contains(&format!("not collected in scan 2: AKS subscription {SUB_DEV}")), "{text}");
    let csv = run(d, &["diff", "--format", "csv", "--history", &history, "1", "2"]);
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("change,check_id,severity,"), "{csv}");
    assert_eq!(csv.lines().count(), changes.len() + 1);

    // `history` lists both, newest first, with what was not collected.
    let listed = scans(d, &history);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["exit_code"], 2);
    assert_eq!(listed[0]["not_collected"].as_array().unwrap().len(), 1);
    assert!(listed[0]["scope"]["subscriptions"].as_array().unwrap().iter().all(|s| s != SUB_DEV));
}

#[test]
fn fail_on_new_exits_1_only_for_new_failures_and_waivers_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let history = sqlite_url(d);
    let before = write_estate(d, "before.yaml", &demo_estate());
    let after = write_estate(d, "after.yaml", &changed_estate(false));

    let o = scan(d, &before, &history, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = scan(d, &before, &history, &["--fail-on-new"]);
    assert_eq!(code(&o), 0, "nothing new: {}", stderr(&o));
    let o = scan(d, &after, &history, &["--fail-on-new"]);
    assert_eq!(code(&o), 1, "aks-prod-hardened regressed: {}", stderr(&o));

    // Waive the new failures of aks-prod-hardened: the same scan exits 0 (a new scan of the same
    // estate would see them as existing, so compare against the second scan again).
    let report = json_out(&o);
    let new_failures: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["novelty"] == "new")
        .collect();
    assert!(!new_failures.is_empty());
    let mut waivers = String::from("waivers:\n");
    for f in &new_failures {
        assert_eq!(f["resource"]["name"], "aks-prod-hardened", "{f}");
        waivers.push_str(&format!(
            "  - {{check: {}, resource: aks-prod-hardened, account: {SUB_PROD}, reason: Migration window, owner: platform@contoso.com, expires: 2099-12-31}}\n",
            f["check_id"].as_str().unwrap()
        ));
    }
    std::fs::write(d.join("waivers.yaml"), waivers).unwrap();
    let other = tempfile::tempdir().unwrap();
    let h2 = sqlite_url(other.path());
    assert_eq!(code(&scan(d, &before, &h2, &[])), 1);
    let o = scan(d, &after, &h2, &["--fail-on-new", "--waivers", d.join("waivers.yaml").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "every new failure is waived: {}", stderr(&o));
    let report = json_out(&o);
    let waived = report["findings"].as_array().unwrap().iter().filter(|f| f["waiver"].is_object()).count();
    assert_eq!(waived, new_failures.len());
    let one = report["findings"].as_array().unwrap().iter().find(|f| f["waiver"].is_object()).unwrap();
    assert_eq!(one["status"], "fail", "a waived finding keeps its status");
    assert_eq!(one["waiver"]["owner"], "platform@contoso.com");
    assert_eq!(one["waiver"]["expires"], "2099-12-31");
}

#[test]
fn waivers_expired_unused_and_permanent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let estate = write_estate(d, "demo.yaml", &demo_estate());
    let waivers = d.join("waivers.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n\
         - {check: NET-001, resource: aks-legacy-2021, reason: Old, owner: a@b.c, expires: 2020-01-31}\n\
         - {check: NET-001, resource: no-such-cluster, reason: Typo, owner: a@b.c, expires: 2099-01-01}\n\
         - {check: NET-001, resource: aks-payments, reason: Until the firewall lands, owner: a@b.c, expires: 2099-01-01}\n",
    )
    .unwrap();
    let o = kubeposture(d)
        .args(["scan", "--demo", "--quiet", "--format", "json", "--estate"])
        .arg(&estate)
        .arg("--waivers")
        .arg(&waivers)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("waiver 1 (NET-001, resource aks-legacy-2021, owner a@b.c) has expired"), "{err}");
    assert!(err.contains("waiver 2 (NET-001, resource no-such-cluster, owner a@b.c) matched no failing"), "{err}");
    let report = json_out(&o);
    assert_eq!(report["scan"]["warnings"].as_array().unwrap().len(), 2);
    let net = |name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == "NET-001" && f["resource"]["name"] == name)
            .cloned()
            .unwrap()
    };
    assert!(net("aks-legacy-2021")["waiver"].is_null(), "expired: not applied");
    assert_eq!(net("aks-payments")["waiver"]["reason"], "Until the firewall lands");
    assert!(net("aks-payments")["novelty"].is_null(), "no history: no novelty mark");

    // Permanent: an error (exit 3) unless the config allows it.
    std::fs::write(&waivers, "waivers:\n- {check: NET-001, resource: aks-payments, reason: Accepted, owner: a@b.c}\n")
        .unwrap();
    let o = kubeposture(d)
        .args(["scan", "--demo", "--quiet", "--estate"])
        .arg(&estate)
        .arg("--waivers")
        .arg(&waivers)
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("`expires` is required"), "{}", stderr(&o));
    let config = d.join("config.yaml");
    std::fs::write(&config, "allow_permanent: true\n").unwrap();
    let o = kubeposture(d)
        .args(["scan", "--demo", "--quiet", "--format", "csv", "--estate"])
        .arg(&estate)
        .arg("--waivers")
        .arg(&waivers)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let mut rows = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[14..], ["fingerprint", "novelty", "waived", "waiver_owner", "waiver_reason", "waiver_expires"]);
    let row = rows
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "NET-001" && &r[9] == "aks-payments")
        .expect("NET-001 on aks-payments");
    assert!(row[14].starts_with("kp1:"));
    assert_eq!((&row[15], &row[16], &row[17], &row[18], &row[19]), ("", "yes", "a@b.c", "Accepted", ""));
}

// ---- concurrency and crashes -----------------------------------------------------------

fn concurrent_scans_land(history: &str) {
    let dir = tempfile::tempdir().unwrap();
    let estate = write_estate(dir.path(), "demo.yaml", &demo_estate());
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("kubeposture"))
                .args(["scan", "--demo", "--quiet", "--format", "json", "--estate"])
                .arg(&estate)
                .args(["--history", history])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut totals = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        totals.push(json_out(&o)["summary"]["findings"].clone());
    }
    let listed = scans(dir.path(), history);
    assert_eq!(listed.len(), 3);
    for s in &listed {
        assert_eq!(s["counts"], totals[0], "each scan landed whole");
    }
}

#[test]
fn concurrent_scans_into_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_scans_land(&sqlite_url(dir.path()));
}

#[test]
fn concurrent_scans_into_postgres() {
    let Some(url) = postgres_url() else { return };
    concurrent_scans_land(&url);
}

/// Starts a scan that stops inside its write transaction, kills it there, and checks that the
/// store holds only whole scans and takes the next one.
fn killed_mid_write_leaves_the_store_consistent(history: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let estate = write_estate(d, "demo.yaml", &demo_estate());
    assert_eq!(code(&scan(d, &estate, history, &[])), 1);

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubeposture"))
        .args(["scan", "--demo", "--quiet", "--format", "json", "--estate"])
        .arg(&estate)
        .args(["--history", history])
        .env("KUBEPOSTURE_FAILPOINT", "history-stall")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let mut buf = [0u8; 4096];
    while !seen.contains("failpoint history-stall reached") {
        assert!(std::time::Instant::now() < deadline, "the scan never reached the write: {seen}");
        let n = std::io::Read::read(&mut err, &mut buf).unwrap();
        assert!(n > 0, "the scan ended before writing: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback by us
    child.wait().unwrap();

    let listed = scans(d, history);
    assert_eq!(listed.len(), 1, "the killed scan left no record: {listed:#?}");
    let next = scan(d, &estate, history, &[]);
    assert_eq!(code(&next), 1, "{}", stderr(&next));
    assert!(stderr(&next).contains("recorded scan"), "{}", stderr(&next));
    let listed = scans(d, history);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["counts"], listed[1]["counts"]);
    let diff = run(d, &["diff", "--format", "json", "--history", history]);
    assert_eq!(code(&diff), 0, "{}", stderr(&diff));
    assert!(json_out(&diff)["changes"].as_array().unwrap().is_empty(), "the same estate twice: no changes");
    listed
}

#[test]
fn sqlite_scan_killed_mid_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    killed_mid_write_leaves_the_store_consistent(path.to_str().unwrap());
    let db = rusqlite::Connection::open(&path).unwrap();
    let ok: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let orphans: i64 = db
        .query_row("SELECT COUNT(*) FROM findings WHERE scan_id NOT IN (SELECT id FROM scans)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn postgres_scan_killed_mid_write() {
    let Some(url) = postgres_url() else { return };
    killed_mid_write_leaves_the_store_consistent(&url);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let orphans: i64 = client
            .query_one("SELECT COUNT(*) FROM findings WHERE scan_id NOT IN (SELECT id FROM scans)", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(orphans, 0);
    });
}

#[test]
fn prune_and_bad_store_urls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let history = sqlite_url(d);
    let estate = write_estate(d, "demo.yaml", &demo_estate());
    assert_eq!(code(&scan(d, &estate, &history, &[])), 1);
    let o = run(d, &["history", "prune", "--keep", "90d", "--history", &history]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("pruned 0 scan(s)"), "{}", stderr(&o));
    assert_eq!(scans(d, &history).len(), 1);
    // Only one scan of the scope: diff says so (exit 3, one line).
    let o = run(d, &["diff", "--history", &history]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("only scan of its scope"), "{}", stderr(&o));
    // A store that cannot be opened fails before scanning, without echoing a password.
    let o = scan(d, &estate, "postgres://scanner:hunter2@127.0.0.1:1/kp?connect_timeout=3", &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(!stderr(&o).contains("hunter2"), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot open the history store postgres://scanner@127.0.0.1:1/kp"), "{}", stderr(&o));
    let o = run(d, &["history", "prune", "--keep", "soon", "--history", &history]);
    assert_ne!(code(&o), 0);
}
