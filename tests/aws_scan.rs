//! End to end on AWS: the built binary scans the mock's EKS, IAM, EC2 and STS through the real
//! AWS SDK (aws-config credential chain, AssumeRole, paginators, standard retries) over HTTPS.

mod common;

use common::aws::*;
use common::{Mock, finding, triples};
use kubeposture_mocks::MockOptions;
use serde_json::{Value, json};

/// Two accounts × two regions, eight clusters, with IRSA and IMDS flaws here and there.
fn two_accounts() -> Value {
    let a_issuers: Vec<String> = [
        ("us-east-1", "a-east-1"),
        ("us-east-1", "a-east-2"),
        ("us-east-1", "a-east-3"),
        ("eu-west-1", "a-west-1"),
        ("eu-west-1", "a-west-2"),
    ]
    .iter()
    .map(|(r, n)| issuer(ACCT_A, r, n))
    .collect();
    let b_issuers: Vec<String> = [("us-east-1", "b-east-1"), ("us-east-1", "b-east-2"), ("eu-west-1", "b-west-1")]
        .iter()
        .map(|(r, n)| issuer(ACCT_B, r, n))
        .collect();
    let any_sa = |i: &str| json!({"StringLike": {format!("{}:sub", i.trim_start_matches("https://")): "system:serviceaccount:*"}});
    let a_roles = vec![
        irsa_role(ACCT_A, "irsa-good", &a_issuers[0], Some(scoped(&a_issuers[0]))),
        irsa_role(ACCT_A, "irsa-any", &a_issuers[1], Some(any_sa(&a_issuers[1]))),
        irsa_role(ACCT_A, "irsa-open", &a_issuers[3], None),
    ];
    let b_roles = vec![irsa_role(ACCT_B, "irsa-good", &b_issuers[0], Some(scoped(&b_issuers[0])))];
    let public = json!({"resourcesVpcConfig": {"endpointPublicAccess": true, "endpointPrivateAccess": false, "publicAccessCidrs": ["0.0.0.0/0"]}});
    let mut hop2 = cluster(ACCT_A, "eu-west-1", "a-west-1", json!({}));
    hop2["nodegroups"][0]["launchTemplate"]["id"] = json!(lt_id("eu-west-1", "hop2"));
    let mut configmap =
        cluster(ACCT_B, "us-east-1", "b-east-1", json!({"accessConfig": {"authenticationMode": "CONFIG_MAP"}}));
    configmap["accessEntries"] = json!([]);
    let mut no_lt = cluster(ACCT_B, "eu-west-1", "b-west-1", json!({"version": "1.30"}));
    no_lt["nodegroups"][0].as_object_mut().unwrap().remove("launchTemplate");
    let mut b = account(
        ACCT_B,
        false,
        &[
            ("us-east-1", vec![configmap, cluster(ACCT_B, "us-east-1", "b-east-2", json!({}))]),
            ("eu-west-1", vec![no_lt]),
        ],
        iam(ACCT_B, &b_issuers, b_roles),
    );
    b["regional"]["eu-west-1"]["instances"] = json!([
        {"InstanceId": "i-0b000000000000001", "State": {"Name": "running"},
         "Tags": [{"Key": "eks:cluster-name", "Value": "b-west-1"}, {"Key": "eks:nodegroup-name", "Value": "ng"}],
         "MetadataOptions": {"State": "applied", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}}
    ]);
    estate(
        vec![
            account(
                ACCT_A,
                true,
                &[
                    (
                        "us-east-1",
                        vec![
                            cluster(ACCT_A, "us-east-1", "a-east-1", json!({})),
                            cluster(ACCT_A, "us-east-1", "a-east-2", public),
                            cluster(ACCT_A, "us-east-1", "a-east-3", json!({})),
                        ],
                    ),
                    ("eu-west-1", vec![hop2, cluster(ACCT_A, "eu-west-1", "a-west-2", json!({}))]),
                ],
                iam(ACCT_A, &a_issuers, a_roles),
            ),
            b,
        ],
        json!([]),
    )
}

fn roles() -> Vec<String> {
    vec![reader(ACCT_A), reader(ACCT_B)]
}

fn status(report: &Value, check: &str, name: &str) -> String {
    finding(report, check, name)["status"].as_str().unwrap().to_string()
}

#[test]
fn two_accounts_two_regions_paged_throttled_and_iam_read_once_per_account() {
    let (ra, rb) = (reader(ACCT_A), reader(ACCT_B));
    let plain = Mock::start(two_accounts(), MockOptions { page_size: 1, ..Default::default() });
    let (code, report, stderr) = plain.scan_aws_json(&[&ra, &rb], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["scan"]["not_collected"], json!([]), "{stderr}");
    assert_eq!(report["summary"]["clusters"], 8);
    assert_eq!(report["summary"]["scopes"], 2, "one scope per account");

    // The flaws, each where it was put.
    assert_eq!(status(&report, "NET-001", "a-east-2"), "fail");
    assert_eq!(status(&report, "NET-001", "a-east-1"), "pass", "private endpoint with the default 0.0.0.0/0 list");
    assert_eq!(status(&report, "WID-001", "a-east-2"), "fail");
    assert_eq!(status(&report, "WID-001", "a-west-1"), "fail", "no condition at all");
    assert_eq!(status(&report, "WID-001", "a-east-1"), "pass");
    assert_eq!(status(&report, "NODE-001", "a-west-1"), "fail", "hop limit 2");
    assert_eq!(status(&report, "NODE-001", "b-west-1"), "fail", "IMDSv1 on the running instance");
    assert!(finding(&report, "NODE-001", "b-west-1")["evidence"].to_string().contains("i-0b000000000000001"));
    assert_eq!(status(&report, "AUTH-005", "b-east-1"), "fail");
    assert_eq!(status(&report, "AUTH-006", "b-east-1"), "not_applicable", "CONFIG_MAP keeps no access entries");
    assert_eq!(status(&report, "CLU-001", "b-west-1"), "fail", "1.30 is in extended support");
    assert_eq!(status(&report, "WID-004", "a-east-1"), "pass");
    assert_eq!(status(&report, "NODE-002", "a-east-1"), "pass");
    for c in ["a-east-1", "a-east-3", "a-west-2", "b-east-2"] {
        let fails: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"]["name"] == c && f["status"] == "fail")
            .map(|f| f["check_id"].as_str().unwrap())
            .collect();
        assert!(fails.is_empty(), "{c} is hardened but fails {fails:?}");
    }

    // IAM once per account, however many regions and clusters: one page per role at page size 1.
    let n = plain.counters();
    let count = |k: &str| n.get(k).copied().unwrap_or(0);
    for (acct, roles_in_account) in [(ACCT_A, 7), (ACCT_B, 5)] {
        assert_eq!(count(&format!("iam:ListOpenIDConnectProviders@{acct}")), 1, "{n:?}");
        assert_eq!(count(&format!("iam:ListRoles@{acct}")), roles_in_account, "{n:?}");
        assert_eq!(count(&format!("iam:ListAttachedRolePolicies@{acct}")), 1, "one node role: {n:?}");
        assert_eq!(count(&format!("ec2:DescribeRegions@{acct}")), 1, "{n:?}");
    }
    assert_eq!(count("iam:GetPolicyVersion"), 1, "one document per policy ARN per scan: {n:?}");
    assert_eq!(count("eks:DescribeClusterVersions"), 2 * 3, "once per region (3 versions, 1 per page): {n:?}");
    assert!(count("eks:ListClusters") > 3 + 2 + 2, "paged one cluster at a time: {n:?}");

    let throttled =
        Mock::start(two_accounts(), MockOptions { page_size: 1, throttle_ratio: 0.3, seed: 11, ..Default::default() });
    let (code2, report2, stderr2) = throttled.scan_aws_json(&[&ra, &rb], &[]);
    assert_eq!(code2, 1, "{stderr2}");
    let t = throttled.counters();
    let absorbed: u64 = t.iter().filter(|(k, _)| k.ends_with(":throttled") && !k.contains('@')).map(|(_, v)| *v).sum();
    assert!(absorbed > 10, "the mock throttled too little: {t:?}");
    assert_eq!(triples(&report2), triples(&report));
    assert_eq!(report2["findings"], report["findings"], "byte-for-byte the same findings");
}

#[test]
fn bad_inputs_make_only_the_affected_checks_unknown() {
    let i = issuer(ACCT_A, "us-east-1", "c1");
    // A trust document that is not JSON, but names the cluster's issuer.
    let broken = json!({"Role": {"RoleName": "irsa-broken", "Arn": format!("arn:aws:iam::{ACCT_A}:role/irsa-broken"),
        "AssumeRolePolicyDocument": format!("Statement: allow {} for everyone", i.trim_start_matches("https://"))}});
    let faults = json!([
        {"operation": "iam:GetPolicyVersion", "policy": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "status": 404, "code": "NoSuchEntity"},
        {"operation": "eks:ListAccessEntries", "cluster": "c2", "status": 403, "code": "AccessDeniedException"}
    ]);
    let mut e = estate(
        vec![account(
            ACCT_A,
            true,
            &[(
                "us-east-1",
                vec![cluster(ACCT_A, "us-east-1", "c1", json!({})), cluster(ACCT_A, "us-east-1", "c2", json!({}))],
            )],
            iam(ACCT_A, &[i.clone(), issuer(ACCT_A, "us-east-1", "c2")], vec![broken]),
        )],
        faults,
    );
    e["aws"]["accounts"][0]["assumableRoles"] = json!([]);
    let m = Mock::start(e, MockOptions::default());
    let (code, report, stderr) = m.scan_aws_json(&[], &["--fail-on", "never"]);
    assert_eq!(code, 0, "no scope lost, nothing counted as failing: {stderr}");
    assert_eq!(report["scan"]["not_collected"], json!([]));

    let wid = finding(&report, "WID-001", "c1");
    assert_eq!(wid["status"], "unknown", "{wid}");
    assert!(wid["message"].as_str().unwrap().contains("irsa-broken"), "{wid}");
    // A trust policy that does not parse may trust any provider: judged for every cluster.
    let other = finding(&report, "WID-001", "c2");
    assert_eq!(other["status"], "unknown", "{other}");
    assert!(other["message"].as_str().unwrap().contains("listed for every cluster of account"), "{other}");

    let node = finding(&report, "NODE-002", "c1");
    assert_eq!(node["status"], "unknown", "{node}");
    assert!(node.to_string().contains("NoSuchEntity"), "{node}");

    for check in ["AUTH-006", "AUTH-007", "IDN-012"] {
        let f = finding(&report, check, "c2");
        assert_eq!(f["status"], "unknown", "{f}");
        assert!(f["message"].as_str().unwrap().contains("AccessDeniedException"), "{f}");
        assert_eq!(status(&report, check, "c1"), "pass", "{check} on c1 is unaffected");
    }
    for check in ["NET-001", "NODE-001", "CLU-004", "CLU-005", "WID-004"] {
        assert_eq!(status(&report, check, "c2"), "pass", "{check} on c2 is unaffected");
    }
}

#[test]
fn a_region_that_cannot_be_listed_is_not_collected_and_the_rest_is_scanned() {
    let mut e = two_accounts();
    e["faults"] = json!([{"operation": "eks:ListClusters", "account": ACCT_B, "region": "eu-west-1", "status": 403, "code": "AccessDeniedException"}]);
    let m = Mock::start(e, MockOptions::default());
    let (code, report, stderr) = m.scan_aws_json(&roles().iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(code, 2, "{stderr}");
    let nc = report["scan"]["not_collected"].as_array().unwrap();
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0]["scope"], format!("account {ACCT_B} region eu-west-1"));
    assert!(nc[0]["reason"].as_str().unwrap().contains("AccessDeniedException"));
    assert_eq!(report["summary"]["clusters"], 7, "every other region still scanned");
    assert!(stderr.contains("AccessDeniedException") && stderr.contains("eu-west-1"), "{stderr}");
}

#[test]
fn a_role_that_cannot_be_assumed_is_reported_and_the_other_account_scanned() {
    let m = Mock::start(two_accounts(), MockOptions::default());
    let wrong = format!("{},external_id=not-the-right-one", reader(ACCT_B));
    let (code, report, stderr) = m.scan_aws_json(&[&reader(ACCT_A), &wrong], &[]);
    assert_eq!(code, 2, "{stderr}");
    let nc = report["scan"]["not_collected"].as_array().unwrap();
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0]["scope"], format!("role {}", reader(ACCT_B)));
    assert!(nc[0]["reason"].as_str().unwrap().contains("AccessDenied"), "{nc:?}");
    assert_eq!(report["summary"]["clusters"], 5, "account A still scanned");
}

#[test]
fn unknown_aws_key_is_one_clear_line_and_exit_2() {
    let m = Mock::start(two_accounts(), MockOptions::default());
    let out = m.scan_aws("AKIAUNKNOWNKEY000001", "wrong-secret", &[], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("GetCallerIdentity") && errors[0].contains("InvalidClientTokenId"), "{}", errors[0]);
    for s in [SECRET, "wrong-secret"] {
        assert!(!stderr.contains(s) && !stdout.contains(s), "a secret was printed");
    }
}
