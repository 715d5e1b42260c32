//! End to end: the built binary scans the mock cloud over HTTPS with the real azure_identity
//! client-secret credential and azure_core pipeline.

mod common;

use common::*;
use kubeposture_mocks::MockOptions;
use serde_json::json;
use std::time::Duration;

fn many(sub: &str, n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            let props = if i % 2 == 0 {
                json!({"apiServerAccessProfile": {"authorizedIPRanges": ["0.0.0.0/0"]}, "disableLocalAccounts": false})
            } else {
                json!({})
            };
            aks(
                sub,
                &format!("rg-{}", i % 3),
                &format!("aks-{i:02}"),
                if i % 2 == 0 { "westeurope" } else { "eastus" },
                props,
            )
        })
        .collect()
}

#[test]
fn pages_and_throttling_give_the_same_findings() {
    let estate = estate(many(SUB_A, 7), many(SUB_B, 3), json!([]));
    let plain = Mock::start(estate.clone(), MockOptions { page_size: 2, ..Default::default() });
    let (code, report, stderr) = plain.scan_json(&[]);
    assert_eq!(code, 1, "failing findings → exit 1; stderr: {stderr}");
    assert_eq!(report["schema"], "kubeposture.report/v1");
    assert_eq!(report["summary"]["clusters"], 10);
    let c = plain.counters();
    assert!(c["listManagedClusters"] >= 4 + 2, "7 clusters at 2 per page = 4 pages: {c:?}");
    // Per-location work is done once per scan, not once per cluster.
    assert!(c["listKubernetesVersions"] <= 2, "{c:?}");
    let expected = triples(&report);

    let throttled = Mock::start(
        estate,
        MockOptions {
            page_size: 2,
            throttle_ratio: 0.3,
            retry_after_secs: 1,
            seed: 7,
            latency: Duration::from_millis(5),
            ..Default::default()
        },
    );
    let (code2, report2, stderr2) = throttled.scan_json(&[]);
    assert_eq!(code2, 1, "{stderr2}");
    let t = throttled.counters();
    let throttled_calls: u64 = t.iter().filter(|(k, _)| k.ends_with(":throttled")).map(|(_, v)| *v).sum();
    assert!(throttled_calls > 0, "the mock throttled nothing: {t:?}");
    assert_eq!(triples(&report2), expected);
    assert_eq!(report2["findings"], report["findings"], "byte-for-byte the same findings");
}

#[test]
fn wrong_client_secret_is_one_clear_line_and_exit_2() {
    let m = Mock::start(estate(many(SUB_A, 1), vec![], json!([])), MockOptions::default());
    let out = m.scan("not-the-secret", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains(TENANT), "names the tenant: {}", errors[0]);
    assert!(errors[0].contains("AADSTS7000215") && errors[0].contains("Invalid client secret"), "{}", errors[0]);
    assert!(!stderr.contains("panicked") && !stdout.contains("panicked"));
    for s in [SECRET, "not-the-secret"] {
        assert!(!stderr.contains(s) && !stdout.contains(s), "a secret was printed");
    }
}

#[test]
fn forbidden_subscription_is_reported_and_the_rest_scanned() {
    let faults = json!([{"operation": "listManagedClusters", "subscription": SUB_B, "status": 403, "code": "AuthorizationFailed"}]);
    let m = Mock::start(estate(many(SUB_A, 3), many(SUB_B, 2), faults), MockOptions::default());
    let (code, report, stderr) = m.scan_json(&[]);
    assert_eq!(code, 2, "{stderr}");
    let nc = report["scan"]["not_collected"].as_array().unwrap();
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert!(nc[0]["scope"].as_str().unwrap().contains(SUB_B));
    assert!(nc[0]["reason"].as_str().unwrap().contains("AuthorizationFailed"));
    assert_eq!(report["summary"]["clusters"], 3, "subscription A still scanned");
    assert!(stderr.contains("AuthorizationFailed") && stderr.contains(SUB_B), "{stderr}");
}

#[test]
fn malformed_page_names_the_url_and_other_scopes_survive() {
    let faults = json!([{"operation": "listManagedClusters", "subscription": SUB_A, "page": 2, "malformed": true}]);
    let m =
        Mock::start(estate(many(SUB_A, 5), many(SUB_B, 2), faults), MockOptions { page_size: 2, ..Default::default() });
    let (code, report, stderr) = m.scan_json(&[]);
    assert_eq!(code, 2, "{stderr}");
    let reason = report["scan"]["not_collected"][0]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("malformed body on listManagedClusters, page 2"), "{reason}");
    let clusters = report["summary"]["clusters"].as_u64().unwrap();
    assert_eq!(clusters, 2 + 2, "page 1 of A and all of B: {report}");
}

#[test]
fn hostile_cluster_name_survives_table_and_csv() {
    let name = "=HYPERLINK(\"x\")\nsecond-line";
    let mut body = aks(SUB_A, "rg", "hostile", "westeurope", json!({"disableLocalAccounts": false}));
    body["name"] = json!(name);
    let m = Mock::start(estate(vec![body], vec![], json!([])), MockOptions::default());
    let dir = m.dir.path().join("out");
    let out = m.scan(SECRET, &["--format", "table,csv,json", "--output-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let table = std::fs::read_to_string(dir.join("kubeposture.txt")).unwrap();
    assert!(table.contains("=HYPERLINK(\"x\")\\nsecond-line"), "name intact, newline escaped:\n{table}");

    let csv_text = std::fs::read_to_string(dir.join("kubeposture.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "resource").unwrap();
    let kind = headers.iter().position(|h| h == "resource_type").unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).filter(|r| &r[kind] == "cluster").collect();
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(&r[col], format!("'{name}"), "neutralized with the newline kept inside the quoted cell");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kubeposture.json")).unwrap()).unwrap();
    assert_eq!(json["resources"][0]["name"], name, "JSON keeps the exact name");
}

#[test]
fn missing_access_profile_is_a_default_public_cluster_and_unknown_policy_is_evidence() {
    let mut partly = aks(SUB_A, "rg", "partly", "westeurope", json!({"networkProfile": {"networkPolicy": "weirdnet"}}));
    partly["properties"].as_object_mut().unwrap().remove("apiServerAccessProfile");
    let m = Mock::start(estate(vec![partly], vec![], json!([])), MockOptions::default());
    let (_, report, _) = m.scan_json(&["--fail-on", "never"]);
    let find = |id: &str| report["findings"].as_array().unwrap().iter().find(|f| f["check_id"] == id).unwrap().clone();
    for (id, want) in
        [("NET-001", "fail"), ("NET-002", "not_applicable"), ("NET-003", "fail"), ("NET-004", "not_applicable")]
    {
        assert_eq!(find(id)["status"], want, "{id}");
    }
    assert!(find("NET-001")["evidence"].to_string().contains("no apiServerAccessProfile"), "{}", find("NET-001"));
    let net6 = find("NET-006");
    assert!(net6["evidence"].to_string().contains("weirdnet"), "{net6}");
    assert_ne!(net6["status"], "pass");
}

#[test]
fn untrusted_certificate_fails_fast_with_a_hint() {
    let m = Mock::start(estate(many(SUB_A, 1), vec![], json!([])), MockOptions::default());
    let url = m.url();
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .env_clear()
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_CLIENT_SECRET", SECRET)
        .args([
            "scan",
            "--quiet",
            "--azure-credential",
            "client-secret",
            "--authority-host",
            &url,
            "--arm-endpoint",
            &url,
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one line, no retry noise: {stderr}");
    assert!(errors[0].contains("UnknownIssuer") && errors[0].contains("--ca-cert"), "{}", errors[0]);
    assert_eq!(m.counters().get("token"), None, "the TLS handshake failed before any request");
}

#[test]
fn a_ca_file_without_a_certificate_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-ca.pem");
    std::fs::write(&bad, "hello").unwrap();
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["scan", "--quiet", "--ca-cert"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no PEM certificate"));
}
