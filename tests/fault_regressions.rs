//! Issue 9's regressions, one test each: a fault or bad input that once changed a verdict, lost
//! a scope silently or printed a debug dump. Each runs the built binary against the mock.

mod common;

use common::aws::*;
use common::{Mock, finding};
use kubeposture_mocks::MockOptions;
use serde_json::{Value, json};

/// One account, two regions: a hardened cluster in us-east-1, one without a launch template
/// (IMDS read from two running instances) in eu-west-1, and an OIDC provider of eu-west-1 that
/// no cluster uses (orphaned).
fn one_account(faults: Value) -> Value {
    let east = issuer(ACCT_A, "us-east-1", "east");
    let west = issuer(ACCT_A, "eu-west-1", "west");
    let orphan = issuer(ACCT_A, "eu-west-1", "deleted");
    let roles = vec![
        irsa_role(ACCT_A, "irsa-good", &east, Some(scoped(&east))),
        irsa_role(ACCT_A, "irsa-good-west", &west, Some(scoped(&west))),
    ];
    let mut no_lt = cluster(ACCT_A, "eu-west-1", "west", json!({}));
    no_lt["nodegroups"][0].as_object_mut().unwrap().remove("launchTemplate");
    let mut a = account(
        ACCT_A,
        true,
        &[("us-east-1", vec![cluster(ACCT_A, "us-east-1", "east", json!({}))]), ("eu-west-1", vec![no_lt])],
        iam(ACCT_A, &[east, west, orphan], roles),
    );
    let instance = |id: &str, tokens: &str| {
        json!({"InstanceId": id, "State": {"Name": "running"},
               "Tags": [{"Key": "eks:cluster-name", "Value": "west"}, {"Key": "eks:nodegroup-name", "Value": "ng"}],
               "MetadataOptions": {"State": "applied", "HttpTokens": tokens, "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}})
    };
    // Page 1 is hardened, page 2 is not: a scan that stops after page 1 would pass NODE-001.
    a["regional"]["eu-west-1"]["instances"] =
        json!([instance("i-0a000000000000001", "required"), instance("i-0a000000000000002", "optional")]);
    estate(vec![a], faults)
}

fn scan(faults: Value, opts: MockOptions) -> (i32, Value, String) {
    let mock = Mock::start(one_account(faults), MockOptions { page_size: 1, ..opts });
    mock.scan_aws_json(&[&reader(ACCT_A)], &[])
}

fn status(report: &Value, check: &str, name: &str) -> String {
    finding(report, check, name)["status"].as_str().unwrap().to_string()
}

fn reason(report: &Value, check: &str, name: &str) -> String {
    let f = finding(report, check, name);
    format!("{} {}", f["message"], f["evidence"])
}

#[test]
fn clean_baseline_of_the_regression_estate() {
    let (code, report, stderr) = scan(json!([]), MockOptions::default());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(status(&report, "NODE-001", "west"), "fail", "IMDSv1 on the instance of page 2");
    assert_eq!(status(&report, "WID-004", ACCT_A), "fail", "the orphaned provider of eu-west-1");
    assert_eq!(status(&report, "WID-001", "east"), "pass");
}

#[test]
fn a_truncated_later_page_of_describe_instances_is_unknown_never_page_one_only() {
    let faults = json!([{"operation": "ec2:DescribeInstances", "page": 2, "malformed": true}]);
    let (_, report, stderr) = scan(faults, MockOptions::default());
    assert_eq!(status(&report, "NODE-001", "west"), "unknown", "{stderr}");
    let why = reason(&report, "NODE-001", "west");
    assert!(why.contains("malformed body on DescribeInstances, page 2"), "{why}");
}

/// A paging token that repeats an earlier one ends the SDK's paginator quietly (here: page 1
/// twice, then stop). The list is incomplete: whatever needs it is `unknown` naming the page,
/// never judged on a shorter (or doubled) list. Single-page lists too (ListClusters: the one
/// page says more follow, with its own token).
#[test]
fn a_repeated_paging_token_is_an_incomplete_list_never_a_shorter_one() {
    for (op, check, name, says) in [
        ("ec2:DescribeInstances", "NODE-001", "west", "DescribeInstances, page 2"),
        ("iam:ListRoles", "WID-001", "east", "ListRoles, page 2"),
        ("eks:ListClusters", "WID-004", ACCT_A, "ListClusters, page 2"),
    ] {
        let fault = json!({"operation": op, "page": 1, "repeatToken": true});
        let (_, report, stderr) = scan(json!([fault]), MockOptions::default());
        assert_eq!(status(&report, check, name), "unknown", "{op}: {stderr}");
        let why = reason(&report, check, name);
        assert!(why.contains(says) && why.contains("repeats one of an earlier page"), "{op}: {why}");
    }
}

/// The `cluster` selector of `ec2:DescribeInstances` picks the page holding that cluster's
/// nodes: its node checks become unknown naming the call; a region without them is untouched.
#[test]
fn describe_instances_fault_on_the_page_with_a_clusters_nodes() {
    let faults = json!([{"operation": "ec2:DescribeInstances", "cluster": "west", "status": 403}]);
    let (_, report, stderr) = scan(faults, MockOptions::default());
    assert_eq!(status(&report, "NODE-001", "west"), "unknown", "{stderr}");
    let why = reason(&report, "NODE-001", "west");
    assert!(why.contains("UnauthorizedOperation") && why.contains("DescribeInstances"), "{why}");
    let (_, clean, _) = scan(json!([]), MockOptions::default());
    assert_eq!(status(&report, "NODE-001", "east"), status(&clean, "NODE-001", "east"));
    let faults = json!([{"operation": "ec2:DescribeInstances", "cluster": "no-such-cluster", "status": 403}]);
    let (_, report, _) = scan(faults, MockOptions::default());
    assert_eq!(status(&report, "NODE-001", "west"), "fail", "no page holds its nodes: the clean verdict");
}

#[test]
fn a_truncated_describe_regions_loses_the_account_loudly() {
    let faults = json!([{"operation": "ec2:DescribeRegions", "malformed": true}]);
    let (code, report, stderr) = scan(faults, MockOptions::default());
    assert_eq!(code, 2, "{stderr}");
    let nc = report["scan"]["not_collected"].as_array().unwrap();
    assert!(nc.iter().any(|n| n["operation"] == "DescribeRegions"), "{nc:?}");
    assert!(stderr.contains("malformed body on DescribeRegions"), "{stderr}");
    assert_eq!(report["summary"]["clusters"], 0);
}

#[test]
fn wid_004_is_unknown_when_a_regions_cluster_list_failed() {
    for fault in [
        json!({"operation": "eks:ListClusters", "region": "eu-west-1", "status": 403}),
        json!({"operation": "eks:ListClusters", "region": "eu-west-1", "malformed": true}),
    ] {
        let (code, report, stderr) = scan(json!([fault]), MockOptions::default());
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(status(&report, "WID-004", ACCT_A), "unknown", "{fault}: {stderr}");
        let why = reason(&report, "WID-004", ACCT_A);
        assert!(why.contains("ListClusters") && why.contains("eu-west-1"), "{why}");
        assert!(!why.contains("[]"), "no empty provider list as evidence: {why}");
    }
}

#[test]
fn malformed_pages_of_iam_and_eks_lists_say_what_happened() {
    for (op, check, name, says) in [
        ("iam:ListRoles", "WID-001", "east", "malformed body on ListRoles, page 2"),
        ("eks:ListAccessEntries", "AUTH-007", "east", "malformed body on ListAccessEntries, page 1"),
        ("eks:DescribeCluster", "NET-001", "east", "malformed body on DescribeCluster"),
    ] {
        let page = if op.contains("List") { json!(if op == "iam:ListRoles" { 2 } else { 1 }) } else { Value::Null };
        let mut fault = json!({"operation": op, "malformed": true});
        if !page.is_null() {
            fault["page"] = page;
        }
        let (_, report, stderr) = scan(json!([fault]), MockOptions::default());
        assert_eq!(status(&report, check, name), "unknown", "{op}: {stderr}");
        let why = reason(&report, check, name);
        assert!(why.contains(says), "{op}: {why}");
        assert!(!why.contains("UnknownError") && !why.contains("(no message)"), "{op}: {why}");
    }
}

#[test]
fn a_denied_describe_access_entry_is_unknown_not_absent() {
    let faults = json!([{"operation": "eks:DescribeAccessEntry", "status": 403}]);
    let (_, report, stderr) = scan(faults, MockOptions::default());
    let evidence = finding(&report, "AUTH-007", "east")["evidence"].to_string();
    assert!(
        evidence.contains("type=unknown (AccessDeniedException (HTTP 403) on DescribeAccessEntry"),
        "{evidence}\n{stderr}"
    );
    assert!(!evidence.contains("(absent)"), "{evidence}");
}

#[test]
fn role_assumption_retries_like_every_call() {
    // Throttled long enough to outlast the SDK's default 5 s credential budget.
    let mock = Mock::start(
        one_account(json!([{"operation": "sts:AssumeRole", "status": 400, "code": "Throttling", "times": 5}])),
        MockOptions::default(),
    );
    let (code, report, stderr) = mock.scan_aws_json(&[&reader(ACCT_A)], &["--max-retries", "8"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["scan"]["not_collected"], json!([]), "{stderr}");
    assert_eq!(report["summary"]["clusters"], 2);
    // And --max-retries bounds it: with none, the account is reported, not lost silently.
    let mock = Mock::start(
        one_account(json!([{"operation": "sts:AssumeRole", "status": 400, "code": "Throttling", "times": 5}])),
        MockOptions::default(),
    );
    let (code, report, stderr) = mock.scan_aws_json(&[&reader(ACCT_A)], &["--max-retries", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let nc = report["scan"]["not_collected"].to_string();
    assert!(nc.contains("AssumeRole") && nc.contains("Throttling"), "{nc}");
}

/// The binary with nothing in its environment but PATH and an empty HOME.
fn bare(args: &[&str]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .env_clear()
        .env("PATH", "/nonexistent")
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn no_aws_credentials_says_what_was_tried_and_what_to_do() {
    let (code, stderr) = bare(&["scan", "--quiet", "--cloud", "aws", "--region", "us-east-1", "--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("{stderr}"));
    for says in ["no AWS credentials found", "environment", "aws sso login", "--aws-profile"] {
        assert!(line.contains(says), "{line}");
    }
    assert!(!stderr.contains("DispatchFailure") && !stderr.contains("ConnectorError"), "{stderr}");
    assert!(line.len() < 600, "one or two sentences: {line}");
}

#[test]
fn no_azure_credential_says_what_was_tried_and_what_to_do() {
    let (code, stderr) = bare(&["scan", "--quiet", "--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("{stderr}"));
    for says in ["Azure CLI", "az login", "AZURE_CLIENT_SECRET", "--azure-credential"] {
        assert!(line.contains(says), "{line}");
    }
    assert!(line.len() < 600, "one or two sentences: {line}");
}

#[test]
fn usage_errors_exit_3_with_one_line() {
    for args in [
        &["scan", "--fromat", "json"][..],
        &["scan", "--subscription", "not-a-guid"],
        &["scan", "--cloud", "aws", "--region", "Europe"],
        &["scan", "--region", "eu-west-1"],
        &["scan", "--cloud", "aws", "--subscription", "aaaaaaaa-0000-0000-0000-000000000001"],
        &["scan", "--log", "loud"],
        &["scan", "--max-retries", "-1"],
        &["scan", "--demo", "--arm-endpoint", "https://example.test"],
        &["explain", "NOPE-001"],
        &["frobnicate"],
        &[],
    ] {
        let (code, stderr) = bare(args);
        assert_eq!(code, 3, "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.yaml");
    std::fs::write(&cfg, "thresholds: {max_ipv4_prefix: 33}\n").unwrap();
    let (code, stderr) = bare(&["scan", "--demo", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("max_ipv4_prefix") && stderr.trim_end().lines().count() == 1, "{stderr}");
}

#[test]
fn every_report_format_escapes_control_and_bidi_characters() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["scan", "--demo", "--quiet", "--format", "json", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let raw = ['\u{1b}', '\u{7}', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}'];
    let hostile: String = raw.iter().collect();
    let mut v: Value = serde_json::from_slice(&std::fs::read(dir.path().join("kubeposture.json")).unwrap()).unwrap();
    for f in v["findings"].as_array_mut().unwrap() {
        let name = f["resource"]["name"].as_str().unwrap().to_string();
        f["resource"]["name"] = format!("{name}{hostile}[31m").into();
        f["message"] = format!("{}{hostile}", f["message"].as_str().unwrap()).into();
        for e in f["evidence"].as_array_mut().unwrap() {
            e["observed"] = format!("{}{hostile}", e["observed"].as_str().unwrap()).into();
        }
    }
    let from = dir.path().join("hostile.json");
    std::fs::write(&from, serde_json::to_vec(&v).unwrap()).unwrap();
    let reports = dir.path().join("out");
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["report", "--sarif-unknown", "--format", "json,csv,sarif,ocsf,ocsf-json,html", "--from"])
        .arg(&from)
        .arg("--output-dir")
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let mut seen = 0;
    for e in std::fs::read_dir(&reports).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let found: Vec<char> = raw.iter().copied().filter(|c| text.contains(*c)).collect();
        assert!(found.is_empty(), "{}: raw {found:?}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 6, "one file per format");
}

#[test]
fn a_refused_role_assumption_is_said_in_words() {
    let mock = Mock::start(
        one_account(
            json!([{"operation": "sts:AssumeRole", "status": 403, "code": "AccessDenied", "message": "not authorized to perform: sts:AssumeRole"}]),
        ),
        MockOptions::default(),
    );
    let (code, report, stderr) = mock.scan_aws_json(&[&reader(ACCT_A)], &["--max-retries", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("{stderr}"));
    for says in ["AssumeRole", "AccessDenied: not authorized to perform: sts:AssumeRole", "trust policy"] {
        assert!(line.contains(says), "{line}");
    }
    for dump in ["Error {", "aws_request_id", "unhandled error", "service error"] {
        assert!(!stderr.contains(dump), "{stderr}");
    }
    assert!(report["scan"]["not_collected"].to_string().contains("AccessDenied"));
}
