//! The data plane end to end: `kubeposture scan` against the mock's Kubernetes API servers
//! (AKS through listClusterUserCredential and an Entra token, EKS through DescribeCluster and
//! the k8s-aws-v1 token), paging, a 403 on one kind, faults, `--no-data-plane`, and the demo's
//! scenes.

mod common;

use common::*;
use kubeposture_mocks::MockOptions;
use serde_json::{Value, json};

fn cluster_id(name: &str) -> String {
    format!(
        "/subscriptions/{SUB_A}/resourceGroups/rg-{name}/providers/Microsoft.ContainerService/managedClusters/{name}"
    )
}

fn with_kubernetes(mut estate: Value, clusters: Value) -> Value {
    estate["kubernetes"] = json!({"clusters": clusters});
    estate
}

/// A bare pod in `team-a`, privileged or not.
fn pod(i: usize, privileged: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("job-{i:04}"), "namespace": "team-a"},
           "spec": {"containers": [{"name": "main", "image": "contoso.azurecr.io/batch:1",
                    "securityContext": {"privileged": privileged}}]}})
}

fn statuses(report: &Value, name: &str) -> std::collections::BTreeMap<String, (String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["name"] == name)
        .filter(|f| f["check_id"].as_str().is_some_and(|c| c.starts_with("WKL-") || c.starts_with("K8S-")))
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_string(),
                (f["status"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()),
            )
        })
        .collect()
}

#[test]
fn pages_are_read_whole_and_a_403_on_one_kind_stays_with_its_checks() {
    let pods: Vec<Value> = (0..600).map(|i| pod(i, i % 2 == 0)).collect();
    let estate = with_kubernetes(
        estate(vec![aks(SUB_A, "rg-big", "big", "westeurope", json!({}))], vec![], json!([])),
        json!([{"cluster": cluster_id("big"), "forbidden": ["secrets"], "objects": pods}]),
    );
    let m = Mock::start(estate, MockOptions::default());
    // The workload settings a deployment configures, through the config file.
    let config = m.dir.path().join("kubeposture.yaml");
    std::fs::write(
        &config,
        "thresholds:\n  workloads:\n    allowed_registries: ['*.azurecr.io']\n    allowed_service_ports: [80, 443]\n",
    )
    .unwrap();
    let (_, report, stderr) = m.scan_json(&["--fail-on", "never", "--config", config.to_str().unwrap()]);
    let s = statuses(&report, "big");
    // 600 pods (and CoreDNS's two in kube-system) in pages of 100: all judged, the privileged
    // half named.
    let counters = m.counters();
    assert_eq!(counters.get(&format!("k8s:list:pods@{}", cluster_id("big"))), Some(&7), "{counters:?}");
    let (status, message) = &s["WKL-015"];
    assert_eq!(status, "fail", "{stderr}");
    assert!(
        message.starts_with("Privileged containers: 300 workloads of 600: team-a/Pod/job-0000 (main: privileged);"),
        "{message}"
    );
    assert!(message.ends_with("; and 250 more."), "{message}");
    let f = finding(&report, "WKL-015", "big");
    assert_eq!(f["subjects"].as_array().unwrap().len(), 300);
    // Secrets are 403 (Azure RBAC on, AKS RBAC Reader): only the checks that read them are unknown.
    for (check, (status, message)) in &s {
        let reads_secrets = check == "K8S-003" || check == "WKL-013";
        assert_eq!(status == "unknown", reads_secrets, "{check}: {status} {message}");
        if reads_secrets {
            assert!(
                message.contains("403 Forbidden") && message.contains("RBAC Reader does not cover Secrets"),
                "{message}"
            );
        }
    }
}

#[test]
fn what_cannot_be_read_is_unknown_with_its_cause() {
    let no_entra =
        aks(SUB_A, "rg-local", "local", "westeurope", json!({"aadProfile": null, "disableLocalAccounts": false}));
    let faults = json!([
        {"operation": "listClusterUserCredential", "cluster": "nouser", "status": 403, "code": "AuthorizationFailed"},
        {"operation": "k8s:list", "cluster": "flaky", "kind": "pods", "page": 2, "status": 500}
    ]);
    let pods: Vec<Value> = (0..150).map(|i| pod(i, false)).collect();
    let estate = with_kubernetes(
        estate(
            vec![
                no_entra,
                aks(SUB_A, "rg-nouser", "nouser", "westeurope", json!({})),
                aks(SUB_A, "rg-flaky", "flaky", "westeurope", json!({})),
            ],
            vec![],
            faults,
        ),
        json!([{"cluster": cluster_id("flaky"), "objects": pods}]),
    );
    let m = Mock::start(estate, MockOptions::default());
    let (_, report, _) = m.scan_json(&["--fail-on", "never"]);
    for (check, (status, message)) in statuses(&report, "local") {
        assert_eq!(status, "unknown", "{check}");
        assert!(
            message.contains("no Entra integration: kubeposture does not use local accounts"),
            "{check}: {message}"
        );
    }
    let (status, message) = &statuses(&report, "nouser")["WKL-001"];
    assert_eq!(status, "unknown");
    assert!(message.contains("AuthorizationFailed (HTTP 403) on listClusterUserCredential"), "{message}");
    assert!(message.contains("Azure Kubernetes Service Cluster User Role"), "{message}");
    // A broken second page of pods: nothing passes on what was read before it; what failed on
    // the first page still fails, naming what was not judged.
    let flaky = statuses(&report, "flaky");
    let (status, message) = &flaky["WKL-015"];
    assert_eq!(status, "unknown", "{message}");
    assert!(message.contains("Pods could not be listed (HTTP 500") && message.contains("(page 2)"), "{message}");
    let (status, message) = &flaky["WKL-001"];
    assert_eq!(status, "fail", "{message}");
    assert!(message.ends_with("Not judged: Pods could not be listed (HTTP 500 InternalError on list Pods (page 2): InternalError (injected by the mock on k8s:list))."), "{message}");
    assert_eq!(flaky["K8S-001"].0, "pass", "RBAC was read");
}

#[test]
fn no_data_plane_reads_no_kubernetes_api_and_never_passes() {
    let estate = estate(vec![aks(SUB_A, "rg-a", "a", "westeurope", json!({}))], vec![], json!([]));
    let m = Mock::start(estate, MockOptions::default());
    let (_, report, _) = m.scan_json(&["--fail-on", "never", "--no-data-plane"]);
    let s = statuses(&report, "a");
    assert_eq!(s.len(), 19, "every WKL/K8S check of an AKS cluster is reported: {s:?}");
    for (check, (status, message)) in s {
        assert_eq!(status, "unknown", "{check}");
        assert!(message.contains("--no-data-plane"), "{message}");
    }
    let counters = m.counters();
    assert!(
        !counters.keys().any(|k| k.starts_with("k8s:") || k.starts_with("listClusterUserCredential")),
        "{counters:?}"
    );
}

#[test]
fn eks_clusters_are_read_with_the_iam_identity() {
    use common::aws::*;
    let arn = |name: &str| format!("arn:aws:eks:us-east-1:{ACCT_A}:cluster/{name}");
    let aws_auth = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapUsers": "- userarn: arn:aws:iam::111111111111:user/alice\n  username: alice\n  groups: [system:masters]\n"}});
    let estate = with_kubernetes(
        common::aws::estate(
            vec![account(
                ACCT_A,
                true,
                &[(
                    "us-east-1",
                    vec![
                        cluster(ACCT_A, "us-east-1", "mapped", json!({})),
                        cluster(ACCT_A, "us-east-1", "unmapped", json!({})),
                    ],
                )],
                iam(ACCT_A, &[], vec![]),
            )],
            json!([]),
        ),
        json!([
            {"cluster": arn("mapped"), "objects": [aws_auth]},
            {"cluster": arn("unmapped"), "unauthorized": true}
        ]),
    );
    let m = Mock::start(estate, MockOptions::default());
    let (_, report, stderr) = m.scan_aws_json(&[&reader(ACCT_A)], &["--region", "us-east-1", "--fail-on", "never"]);
    let f = finding(&report, "K8S-002", "mapped");
    assert_eq!(f["status"], "fail", "{stderr}");
    let subject = &f["subjects"][0];
    assert_eq!(subject["id"], "arn:aws:iam::111111111111:user/alice");
    assert_eq!(subject["facts"]["how"], "aws-auth mapUsers → system:masters as alice");
    assert_eq!(subject["facts"]["principal_type"], "IAM user");
    let (status, message) = &statuses(&report, "unmapped")["WKL-001"];
    assert_eq!(status, "unknown");
    assert!(message.contains("401 Unauthorized") && message.contains("create an access entry"), "{message}");
}

/// The demo's data-plane scenes, as its estate comments describe them.
#[test]
fn demo_scenes_inside_the_clusters() {
    let out = assert_cmd::Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["scan", "--demo", "--quiet", "--format", "json"])
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks: Vec<String> =
        (1..=16).map(|i| format!("WKL-{i:03}")).chain((1..=4).map(|i| format!("K8S-{i:03}"))).collect();
    for check in &checks {
        let of = |status: &str| {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["check_id"] == check.as_str() && f["status"] == status)
        };
        assert!(of("fail") && of("pass"), "{check} fails somewhere and passes somewhere");
    }
    for hardened in ["aks-prod-hardened", "eks-prod-hardened"] {
        for (check, (status, message)) in statuses(&report, hardened) {
            assert_eq!(status, "pass", "{hardened} {check}: {message}");
        }
    }
    let payments = statuses(&report, "aks-payments");
    for check in ["WKL-001", "WKL-003", "WKL-006", "WKL-007", "WKL-009", "WKL-012", "WKL-013", "WKL-015", "WKL-016"] {
        assert_eq!(payments[check].0, "fail", "aks-payments {check}");
    }
    assert!(payments["WKL-003"].1.contains("default/Deployment/redis-healthy-deployment"), "{}", payments["WKL-003"].1);
    let s = statuses(&report, "eks-dev-batch");
    assert!(
        s.values().all(|(st, m)| st == "unknown" && m.contains("cannot connect") && m.contains("private")),
        "{s:?}"
    );
    let s = statuses(&report, "eks-dev-sandbox");
    assert!(s.values().all(|(st, m)| st == "unknown" && m.contains("401 Unauthorized")), "{s:?}");
    let s = statuses(&report, "aks-dev-shared");
    let unknown: Vec<&String> = s.iter().filter(|(_, (st, _))| st == "unknown").map(|(c, _)| c).collect();
    assert_eq!(unknown, ["K8S-001", "K8S-003", "K8S-004", "WKL-013"], "only what AKS RBAC Reader cannot read");
    let admin = finding(&report, "K8S-001", "aks-dev-sandbox");
    assert_eq!(admin["subjects"][0]["facts"]["how"], "ClusterRoleBinding/debug-everyone → ClusterRole cluster-admin");
    assert_eq!(finding(&report, "K8S-003", "aks-internal-tools")["subjects"][0]["id"], "ci/Secret/deployer-token");
}

/// A list that breaks is never a shorter list: under a truncated answer (no `continue` token
/// while `remainingItemCount` says more remain), a malformed page, an expired `continue` (410)
/// or a 403 on one workload kind, every check equals the clean cluster's verdict or is
/// `unknown` naming the cause — and what passes on the clean cluster is `unknown`.
#[test]
fn a_list_that_breaks_is_never_a_shorter_list() {
    let pods: Vec<Value> = (0..150).map(|i| pod(i, false)).collect();
    let names = ["clean", "cut", "garbled", "expired", "nodeploy"];
    let faults = json!([
        {"operation": "k8s:list", "cluster": "garbled", "kind": "pods", "page": 2, "malformed": true},
        {"operation": "k8s:list", "cluster": "expired", "kind": "pods", "page": 2, "status": 410, "code": "Expired",
         "message": "The provided continue parameter is too old to display a consistent list result."}
    ]);
    let estate = with_kubernetes(
        estate(
            names.iter().map(|n| aks(SUB_A, &format!("rg-{n}"), n, "westeurope", json!({}))).collect(),
            vec![],
            faults,
        ),
        json!([
            {"cluster": cluster_id("clean"), "objects": pods},
            {"cluster": cluster_id("cut"), "objects": pods, "truncated": ["pods"]},
            {"cluster": cluster_id("garbled"), "objects": pods},
            {"cluster": cluster_id("expired"), "objects": pods},
            {"cluster": cluster_id("nodeploy"), "objects": pods, "forbidden": ["deployments"]}
        ]),
    );
    let m = Mock::start(estate, MockOptions::default());
    let (_, report, stderr) = m.scan_json(&["--fail-on", "never"]);
    let clean = statuses(&report, "clean");
    assert_eq!(clean["WKL-015"].0, "pass", "{stderr}");
    assert_eq!(clean["WKL-001"].0, "fail", "no limits on any pod");
    let causes = [
        (
            "cut",
            "Pods came back incomplete: the answer ended the list without a continue token while 52 more items remain",
        ),
        ("garbled", "malformed answer to list Pods (page 2)"),
        ("expired", "HTTP 410 Expired on list Pods (page 2)"),
        ("nodeploy", "403 Forbidden on list Deployments"),
    ];
    for (name, cause) in causes {
        let s = statuses(&report, name);
        assert_eq!(s.len(), clean.len(), "{name}");
        for (check, (status, message)) in &s {
            let (clean_status, _) = &clean[check];
            assert!(
                status == clean_status || status == "unknown",
                "{name} {check}: {status} ({message}), clean {clean_status}"
            );
            if clean_status == "pass" && check.starts_with("WKL-") && !["WKL-005", "WKL-011"].contains(&check.as_str())
            {
                assert_eq!(status, "unknown", "{name} {check}: {message}");
                assert!(message.contains(cause), "{name} {check}: {message}");
            }
        }
        assert!(s["WKL-001"].0 == "fail" && s["WKL-001"].1.contains(cause), "{name}: {:?}", s["WKL-001"]);
        assert_eq!(s["K8S-001"].0, "pass", "{name}: RBAC was read");
    }
}
