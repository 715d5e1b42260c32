//! Every WKL and K8S check on Kubernetes objects as the API returns them: pass, fail and
//! unknown, through the reader's own mapping (`k8s::offline`). The seed's two sample
//! Deployments (seeds/004, verbatim) are among the fixtures; `tests/fixtures/k8s/SOURCES.md`
//! says where each comes from.

use kubeposture_checks::{Context, Outcome, Status};
use kubeposture_providers::k8s::offline;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// Kinds the API server keeps outside namespaces.
const CLUSTER_SCOPED: &[&str] = &["Namespace", "ClusterRole", "ClusterRoleBinding"];

/// The manifests of `file` as the API server stores them: namespace `default` when none is
/// given, a uid.
fn stored(file: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k8s").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(&text).enumerate() {
        let mut o = Value::deserialize(doc).unwrap_or_else(|e| panic!("{file}: {e}"));
        if o.is_null() {
            continue;
        }
        let kind = o["kind"].as_str().unwrap_or_default().to_string();
        let meta = o["metadata"].as_object_mut().expect("metadata");
        if !CLUSTER_SCOPED.contains(&kind.as_str()) {
            meta.entry("namespace").or_insert(json!("default"));
        }
        meta.entry("uid").or_insert(json!(format!("{file}-{i}")));
        out.push(o);
    }
    out
}

fn ctx() -> Context {
    let mut ctx = Context::new(time::macros::datetime!(2026-11-30 00:00 UTC));
    ctx.thresholds.workloads.allowed_registries = Some(vec!["*.azurecr.io".into()]);
    ctx.thresholds.workloads.allowed_service_ports = Some(vec![80, 443]);
    ctx
}

/// What the API server keeps in every namespace: the `default` ServiceAccount and the
/// `kube-root-ca.crt` ConfigMap.
fn namespace_defaults(objects: &[Value]) -> Vec<Value> {
    let mut namespaces: Vec<&str> = objects.iter().filter_map(|o| o["metadata"]["namespace"].as_str()).collect();
    namespaces.extend(["default", "kube-system"]);
    namespaces.sort();
    namespaces.dedup();
    namespaces
        .iter()
        .flat_map(|ns| {
            [
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns, "uid": format!("sa-{ns}")}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": ns, "uid": format!("cm-{ns}")}}),
            ]
        })
        .filter(|d| !objects.iter().any(|o| o["kind"] == d["kind"] && o["metadata"]["namespace"] == d["metadata"]["namespace"] && o["metadata"]["name"] == d["metadata"]["name"]))
        .collect()
}

/// Every WKL/K8S outcome on an EKS cluster holding `files`, with `unreadable` lists 403.
fn scan(files: &[&str], unreadable: &[&str]) -> BTreeMap<&'static str, Outcome> {
    let mut objects: Vec<Value> = files.iter().flat_map(|f| stored(f)).collect();
    objects.extend(namespace_defaults(&objects));
    let denied: Vec<(&str, &str)> = unreadable.iter().map(|k| (*k, "403 Forbidden (fixture)")).collect();
    let dp = offline::data_plane(objects, &denied, true).expect("fixtures parse");
    let mut cluster = kubeposture_checks::testing::hardened_eks();
    cluster.data_plane = dp;
    kubeposture_checks::evaluate(&cluster, &ctx())
        .into_iter()
        .filter(|(m, _)| m.id.starts_with("WKL-") || m.id.starts_with("K8S-"))
        .map(|(m, o)| (m.id, o))
        .collect()
}

/// Fixtures, and lists that cannot be read.
type Unreadable = (&'static [&'static str], &'static [&'static str]);

/// (check, fixtures that fail it, unknown: fixtures and lists that cannot be read).
const CASES: &[(&str, &[&str], Unreadable)] = &[
    ("WKL-001", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-002", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-003", &["seed-004-healthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-004", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-005", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["services"])),
    ("WKL-006", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["daemonsets"])),
    ("WKL-007", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-008", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-009", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-010", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["cronjobs"])),
    ("WKL-011", &["offenders.yaml"], (&["hardened.yaml"], &["ingresses"])),
    ("WKL-012", &["seed-004-healthy.yaml"], (&["seed-004-healthy.yaml"], &["serviceaccounts"])),
    ("WKL-013", &["seed-004-healthy.yaml"], (&["hardened.yaml"], &["secrets"])),
    ("WKL-014", &["offenders.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-015", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("WKL-016", &["seed-004-unhealthy.yaml"], (&["hardened.yaml"], &["pods"])),
    ("K8S-001", &["offenders.yaml"], (&["hardened.yaml"], &["clusterrolebindings"])),
    ("K8S-002", &["offenders.yaml"], (&["aws-auth-broken.yaml"], &[])),
    ("K8S-003", &["offenders.yaml"], (&["hardened.yaml"], &["secrets"])),
    ("K8S-004", &["offenders.yaml"], (&["hardened.yaml"], &["roles"])),
];

#[test]
fn every_check_passes_fails_and_is_unknown_on_api_objects() {
    let hardened = scan(&["hardened.yaml"], &[]);
    assert_eq!(hardened.len(), CASES.len(), "every WKL/K8S check has a case");
    for (id, fail, (unknown_files, unreadable)) in CASES {
        assert_eq!(hardened[id].status, Status::Pass, "{id} on hardened.yaml: {:?}", hardened[id]);
        let o = &scan(fail, &[])[id];
        assert_eq!(o.status, Status::Fail, "{id} on {fail:?}: {o:?}");
        assert!(!o.evidence.is_empty(), "{id}: a failure names its evidence");
        let o = &scan(unknown_files, unreadable)[id];
        assert_eq!(o.status, Status::Unknown, "{id} on {unknown_files:?} with {unreadable:?} unreadable: {o:?}");
        assert!(
            o.message.contains("403 Forbidden (fixture)") || o.message.contains("cannot be parsed"),
            "{id}: the reason is named: {}",
            o.message
        );
    }
}

/// The seed's two samples, judged by the whole catalog: the "healthy" one is healthy by
/// Defender's parameters at the time, and still misses three of the catalog's rules.
#[test]
fn seed_samples_against_the_catalog() {
    let healthy = scan(&["seed-004-healthy.yaml"], &[]);
    let failing: Vec<&str> = healthy.iter().filter(|(_, o)| o.status == Status::Fail).map(|(id, _)| *id).collect();
    assert_eq!(failing, ["WKL-003", "WKL-012", "WKL-013"], "{healthy:#?}");
    assert!(healthy.values().all(|o| o.status != Status::Unknown), "{healthy:#?}");
    assert!(healthy["WKL-003"].message.contains("redis: does not drop ALL"), "{}", healthy["WKL-003"].message);
    let id = "default/Deployment/redis-healthy-deployment";
    assert_eq!(
        healthy["WKL-013"].subjects.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [id, "default/Service/redis-healthy-service"]
    );

    let unhealthy = scan(&["seed-004-unhealthy.yaml"], &[]);
    let passing: Vec<&str> = unhealthy.iter().filter(|(_, o)| o.status != Status::Fail).map(|(id, _)| *id).collect();
    // Not about workloads (or nothing of it in the sample): Ingress TLS, CAP_SYS_ADMIN (it adds
    // NET_ADMIN), and the cluster-level K8S checks.
    assert_eq!(passing, ["K8S-001", "K8S-002", "K8S-003", "K8S-004", "WKL-011", "WKL-014"], "{unhealthy:#?}");
    let evidence = |check: &str| -> Vec<String> {
        unhealthy[check].evidence.iter().map(|e| format!("{} = {}", e.path, e.observed)).collect()
    };
    let at = "default/Deployment/redis-unhealthy-deployment:spec.template.spec";
    assert!(evidence("WKL-006").contains(&format!("{at}.hostNetwork = true")), "{:?}", evidence("WKL-006"));
    assert!(evidence("WKL-006").contains(&format!("{at}.containers[redis].ports[0].hostPort = 9001")));
    assert!(evidence("WKL-007").contains(&format!("{at}.volumes[test-volume].hostPath.path = /tmp")));
    assert!(evidence("WKL-009").contains(&format!("{at}.hostPID = true")));
    assert!(evidence("WKL-016").contains(&format!("{at}.containers[redis].securityContext.runAsUser = 0")));
    assert!(unhealthy["WKL-002"].message.contains("redis: redis:latest"));
    assert!(unhealthy["WKL-005"].message.contains("default/Service/redis-unhealthy-service (port 6001)"));
}

/// A workload kind that cannot be listed is named, and a failure elsewhere still stands.
#[test]
fn a_gap_never_hides_a_failure() {
    let o = &scan(&["seed-004-unhealthy.yaml"], &["cronjobs"])["WKL-015"];
    assert_eq!(o.status, Status::Fail);
    assert!(o.message.contains("Not judged: CronJobs could not be listed (403 Forbidden (fixture))"), "{}", o.message);
}
