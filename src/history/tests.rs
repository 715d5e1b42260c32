//! The store test suite, run against SQLite and against a real PostgreSQL server.
//!
//! PostgreSQL: `KUBEPOSTURE_TEST_POSTGRES_URL` (set by `.ci/run`, which starts a server on
//! loopback). Without it the PostgreSQL tests say they were skipped; under CI (`CI` set) a
//! missing server is a failure.

use super::*;
use crate::findings::{Novelty, ScanResult};
use kubeposture_checks::{Outcome, Subject};
use std::sync::atomic::{AtomicU32, Ordering};

fn find(id: &str) -> &'static kubeposture_checks::CheckMeta {
    &kubeposture_checks::find(id).unwrap().meta
}

/// Two clusters; IDN-006 with subjects on the first.
fn result(net001: Status, bob: Status) -> ScanResult {
    let mut r = ScanResult::default();
    let a = crate::findings::tests::cluster("aks-a");
    let b = crate::findings::tests::cluster("aks-b");
    let subjects = vec![
        Subject::new("00000000-0000-0000-0000-00000000000a", "Alice (User)", Status::Fail, "standing Owner"),
        Subject::new("00000000-0000-0000-0000-00000000000b", "Bob (User)", bob, "standing Owner"),
    ];
    r.record_all(
        &a,
        vec![
            (find("NET-001"), Outcome::fail("open to the internet", vec![Evidence::new("p", "[\"0.0.0.0/0\"]")])),
            (find("IDN-006"), Outcome::fail("standing admins", vec![]).with_subjects(subjects)),
        ],
    );
    let net = match net001 {
        Status::Pass => Outcome::pass("private", vec![]),
        Status::Fail => Outcome::fail("open", vec![]),
        _ => Outcome::unknown_because("denied", vec![]),
    };
    r.record_all(&b, vec![(find("NET-001"), net)]);
    r.covered.push(kubeposture_providers::Coverage::Subscription("sub-1".into()));
    r.finish();
    r
}

async fn record(store: &mut Store, key: &str, started: OffsetDateTime, result: &ScanResult) -> i64 {
    let scope = ScanScope::of(&["azure"], result);
    let scan = NewScan { scope_key: key, started_at: started, finished_at: started, scope: &scope, exit_code: 1 };
    store.record(&scan, result).await.unwrap()
}

fn now() -> OffsetDateTime {
    // Whole microseconds: what both backends keep.
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap()
}

// ---- the suite -------------------------------------------------------------------------

async fn round_trip(url: &str) {
    let mut store = Store::open(url, ca().as_deref()).await.unwrap();
    let t = now();
    let r = result(Status::Fail, Status::Fail);
    let id = record(&mut store, "k", t, &r).await;
    let scans = store.scans(None, None, 10).await.unwrap();
    assert_eq!(scans.len(), 1);
    let s = &scans[0];
    assert_eq!((s.id, s.scope_key.as_str(), s.exit_code), (id, "k", 1));
    assert_eq!(s.started_at, t);
    assert_eq!(s.counts.fail, 3);
    assert!(s.scope.subscriptions.contains("sub-1"));
    assert_eq!(s.catalog_version, catalog_version());
    let got = store.findings(id).await.unwrap();
    assert_eq!(got.len(), 3);
    for f in &r.findings {
        let g = got.iter().find(|g| g.fingerprint == f.marks.fingerprint).expect("stored");
        assert_eq!((g.check_id.as_str(), g.status), (f.check.id, f.status));
        assert_eq!(g.resource, *f.resource);
        assert_eq!(g.message, f.message);
        assert_eq!(g.evidence, f.evidence);
        let ids: Vec<&str> = g.subjects.iter().map(|s| s.id.as_str()).collect();
        let want: Vec<&str> = f.subjects.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, want);
    }
    // Reopening migrates nothing twice.
    drop(store);
    let store = Store::open(url, ca().as_deref()).await.unwrap();
    assert_eq!(store.scans(None, None, 10).await.unwrap().len(), 1);
    assert!(matches!(store.scan(id + 100).await, Err(StoreError::NoSuchScan(_))));
}

async fn novelty_against_the_covering_scan(url: &str) {
    let mut store = Store::open(url, ca().as_deref()).await.unwrap();
    let first = result(Status::Pass, Status::Pass);
    record(&mut store, "k", now(), &first).await;
    // Another scope's scan is no baseline.
    record(&mut store, "other", now(), &result(Status::Fail, Status::Fail)).await;
    let mut second = result(Status::Fail, Status::Fail);
    mark_novelty(&store, "k", &mut second).await.unwrap();
    let by = |name: &str, check: &str| {
        second.findings.iter().find(|f| f.resource.name == name && f.check.id == check).unwrap().clone()
    };
    assert_eq!(by("aks-a", "NET-001").marks.novelty, Some(Novelty::Existing));
    assert_eq!(by("aks-b", "NET-001").marks.novelty, Some(Novelty::New), "pass → fail is new");
    let idn = by("aks-a", "IDN-006");
    assert_eq!(idn.marks.novelty, Some(Novelty::Existing));
    let marks: Vec<_> = idn.subject_marks.iter().map(|m| m.novelty).collect();
    assert_eq!(marks, vec![Some(Novelty::Existing), Some(Novelty::New)], "Alice existing, Bob new");
    assert!(idn.is_new_failure());

    // A scan that did not cover the subscription is skipped: the baseline is the one before.
    let mut uncovered = result(Status::Fail, Status::Fail);
    uncovered.covered.clear();
    record(&mut store, "k", now(), &uncovered).await;
    let mut third = result(Status::Pass, Status::Pass);
    mark_novelty(&store, "k", &mut third).await.unwrap();
    assert!(third.findings.iter().all(|f| f.marks.novelty == Some(Novelty::Existing)));
}

async fn prune_keeps_recent(url: &str) {
    let mut store = Store::open(url, ca().as_deref()).await.unwrap();
    let r = result(Status::Fail, Status::Fail);
    let old = record(&mut store, "k", now() - time::Duration::days(100), &r).await;
    let recent = record(&mut store, "k", now() - time::Duration::days(10), &r).await;
    assert_eq!(store.prune(now() - time::Duration::days(90)).await.unwrap(), 1);
    let ids: Vec<i64> = store.scans(None, None, 10).await.unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![recent]);
    assert!(store.findings(old).await.unwrap().is_empty());
    assert_eq!(store.findings(recent).await.unwrap().len(), 3);
    let next = record(&mut store, "k", now(), &r).await;
    assert!(next > recent, "ids are never reused");
}

async fn previous_scan_of_a_scope(url: &str) {
    let mut store = Store::open(url, ca().as_deref()).await.unwrap();
    let r = result(Status::Fail, Status::Fail);
    let a = record(&mut store, "k", now(), &r).await;
    let _b = record(&mut store, "other", now(), &r).await;
    let c = record(&mut store, "k", now(), &r).await;
    let prev = store.scans(Some("k"), Some(c), 1).await.unwrap();
    assert_eq!(prev.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a]);
}

/// Several scanners writing at once, each with its own connection: every scan lands whole.
fn concurrent_writers(url: &str) {
    let url = url.to_string();
    // First use (migrations) happens concurrently too.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let mut store = Store::open(&url, ca().as_deref()).await.unwrap();
                    let mut ids = Vec::new();
                    for _ in 0..3 {
                        ids.push(
                            record(&mut store, &format!("scanner-{i}"), now(), &result(Status::Fail, Status::Fail))
                                .await,
                        );
                    }
                    ids
                })
            })
        })
        .collect();
    let mut ids: Vec<i64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = Store::open(&url, ca().as_deref()).await.unwrap();
        assert_eq!(store.scans(None, None, 100).await.unwrap().len(), 12);
        for id in ids {
            assert_eq!(store.findings(id).await.unwrap().len(), 3);
        }
    });
}

// ---- backends --------------------------------------------------------------------------

/// The test server's CA (`KUBEPOSTURE_TEST_POSTGRES_CA`): with a TLS server, sslmode `prefer`
/// verifies it like `require` does.
fn ca() -> Option<Vec<u8>> {
    std::env::var("KUBEPOSTURE_TEST_POSTGRES_CA").ok().map(|p| std::fs::read(p).unwrap())
}

fn sqlite_url() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sub/history.db").display());
    (dir, url)
}

/// A fresh database on the test server, or `None` (skipped) on a machine without one.
async fn postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("KUBEPOSTURE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "KUBEPOSTURE_TEST_POSTGRES_URL is not set: under CI, .ci/run must start PostgreSQL"
        );
        // Straight to the terminal: the test harness captures eprintln! of passing tests.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: PostgreSQL store test (no server: set KUBEPOSTURE_TEST_POSTGRES_URL, as .ci/run does)\n",
        );
        return None;
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let db = format!(
        "kp_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.expect("test server reachable");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {db}")).await.unwrap();
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{db}"));
    Some(url.to_string())
}

macro_rules! suite {
    ($($name:ident),*) => {
        mod sqlite_store {
            $(
                #[tokio::test]
                async fn $name() {
                    let (_dir, url) = super::sqlite_url();
                    super::$name(&url).await;
                }
            )*
        }
        mod postgres_store {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(url) = super::postgres_url().await else { return };
                    super::$name(&url).await;
                }
            )*
        }
    };
}

suite!(round_trip, novelty_against_the_covering_scan, prune_keeps_recent, previous_scan_of_a_scope);

#[test]
fn sqlite_concurrent_writers() {
    let (_dir, url) = sqlite_url();
    concurrent_writers(&url);
}

#[test]
fn postgres_concurrent_writers() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(postgres_url()) else { return };
    concurrent_writers(&url);
}

#[tokio::test]
async fn urls_are_checked_and_passwords_never_shown() {
    assert!(matches!(Store::open("mysql://x", None).await, Err(StoreError::Url(_))));
    assert!(matches!(Store::open("", None).await, Err(StoreError::Url(_))));
    let err = Store::open("postgres://scanner:hunter2@127.0.0.1:1/db?connect_timeout=2", None)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert!(err.contains("postgres://scanner@127.0.0.1:1/db"), "{err}");
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (dir, url) = sqlite_url();
    drop(Store::open(&url, ca().as_deref()).await.unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("sub/history.db")).unwrap();
    conn.execute("INSERT INTO kubeposture_migrations (version, applied_at) VALUES (99, 'later')", []).unwrap();
    let err = Store::open(&url, ca().as_deref()).await.err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

/// TLS to PostgreSQL through rustls: `sslmode=require` with the server's private CA given
/// (`--ca-cert`) works; without it the certificate is refused. `.ci/run` starts the server with
/// TLS and exports its CA as `KUBEPOSTURE_TEST_POSTGRES_CA`.
#[tokio::test]
async fn postgres_tls_verifies_the_server() {
    let Some(url) = postgres_url().await else { return };
    let Ok(ca) = std::env::var("KUBEPOSTURE_TEST_POSTGRES_CA") else {
        assert!(std::env::var_os("CI").is_none(), "under CI, .ci/run must export KUBEPOSTURE_TEST_POSTGRES_CA");
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: PostgreSQL TLS test (no KUBEPOSTURE_TEST_POSTGRES_CA)\n",
        );
        return;
    };
    let pem = std::fs::read(ca).unwrap();
    let tls_url = format!("{url}?sslmode=require");
    let mut store = Store::open(&tls_url, Some(&pem)).await.unwrap();
    record(&mut store, "tls", now(), &result(Status::Fail, Status::Fail)).await;
    assert_eq!(store.scans(Some("tls"), None, 10).await.unwrap().len(), 1);
    let refused = Store::open(&tls_url, None).await.err().expect("an unknown CA is refused").to_string();
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
}
