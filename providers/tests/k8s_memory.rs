//! Memory, not time: reading a cluster of 5,000 pods keeps only the compact model, and the
//! pages in flight stay small. Measured with a counting allocator in this test binary (one
//! test, so nothing else allocates meanwhile), against the mock's Kubernetes API in-process.

use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use kubeposture_providers::k8s::{self, AccessHint, Target, eks_token};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1 << 20;
const PODS: usize = 5_000;

/// 5,000 bare pods (no controller): each one is its own workload, the largest model a pod
/// count can give. Every pod is as a real one looks: labels, a projected token volume, probes.
fn estate() -> Estate {
    let pods: Vec<_> = (0..PODS)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("worker-{i:05}"), "namespace": format!("team-{}", i % 20),
                             "labels": {"app": "worker", "shard": i.to_string()},
                             "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "x".repeat(600)}},
                "spec": {"containers": [{"name": "main", "image": format!("contoso.azurecr.io/worker:{}", i % 7),
                    "args": ["--shard", i.to_string()],
                    "env": [{"name": "SHARD", "value": i.to_string()}, {"name": "MODE", "value": "batch"}],
                    "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "allowPrivilegeEscalation": false}}]},
                "status": {"phase": "Running", "podIP": "10.0.0.1"}})
        })
        .collect();
    let e = json!({
        "estate": "v1",
        "aws": {"accounts": [{
            "accountId": "111111111111", "regions": ["eu-west-1"],
            "credentials": [{"accessKeyId": "AKIAMEMORYTEST000001", "secretAccessKey": "s", "arn": "arn:aws:iam::111111111111:user/scanner"}],
            "regional": {"eu-west-1": {"clusters": [{"cluster": {"name": "big", "status": "ACTIVE"}}]}}
        }]},
        "kubernetes": {"clusters": [{"cluster": "arn:aws:eks:eu-west-1:111111111111:cluster/big", "objects": pods}]}
    });
    Estate::from_yaml(&e.to_string()).expect("estate parses")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_pods_fit_in_a_small_model() {
    let m = MockCloud::start(estate(), MockOptions { page_size: 500, ..Default::default() }).await.unwrap();
    let creds = aws_credential_types::Credentials::new("AKIAMEMORYTEST000001", "s", None, None, "test");
    let endpoint = eks_token::sts_endpoint("eu-west-1", Some(&m.url()));
    let target = Target {
        server: format!("{}/k8s/eks/111111111111/eu-west-1/big", m.url()),
        ca_pem: Some(m.ca_pem().as_bytes().to_vec()),
        token: eks_token::token(&creds, "eu-west-1", &endpoint, "big", std::time::SystemTime::now()).unwrap(),
        eks: true,
        hint: AccessHint::default(),
    };
    let opts = k8s::Options::default();
    // Warm up (TLS, connection pool, the mock's first pages), then measure a second read.
    drop(k8s::read(&target, &opts).await);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let dp = k8s::read(&target, &opts).await;
    let retained = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let workloads = dp.workloads.get().expect("read").items.len();
    assert_eq!(workloads, PODS + 1, "every pod judged (and the CoreDNS Deployment)");
    println!(
        "{PODS} pods: model {:.1} MiB retained, {:.1} MiB peak while reading (mock included)",
        retained as f64 / MIB as f64,
        peak as f64 / MIB as f64
    );
    // The compact model: under 1 KiB a workload (a pod as the API sends it is ~2 KiB of JSON
    // here, 10–20 KiB on a real cluster with managed fields and status).
    assert!(retained < PODS * 1024, "the model of {PODS} pods holds {retained} bytes");
    // Pages of 250 pods are parsed and dropped one at a time; the peak includes the in-process
    // mock's own page building. The whole 10,000-cluster scan has 200 MiB (issue 10), and
    // data planes are read 16 at a time.
    assert!(peak < 40 * MIB, "reading {PODS} pods peaked at {peak} bytes");
    // Scored, the cluster's findings name every offending workload (here all 5,000 fail several
    // checks: no AppArmor profile, capabilities kept, token automounted, …); the model is then
    // dropped.
    let mut cluster = kubeposture_checks::testing::hardened_eks();
    cluster.data_plane = dp;
    let ctx = kubeposture_checks::Context::new(time::OffsetDateTime::UNIX_EPOCH);
    let before = LIVE.load(Ordering::Relaxed);
    let outcomes = kubeposture_checks::evaluate(&cluster, &ctx);
    let findings = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let subjects: usize = outcomes.iter().map(|(_, o)| o.subjects.len()).sum();
    println!("findings: {subjects} subjects in {:.1} MiB", findings as f64 / MIB as f64);
    assert!(subjects >= 4 * PODS, "each offending workload is a subject");
    assert!(findings < subjects * 256, "{findings} bytes for {subjects} subjects");
    m.shutdown().await;
}
