//! The Azure REST API spec examples in tests/fixtures/azure-aks, pasted unchanged into an
//! estate, come out of a scan through the mock with the same statuses as when their bodies are
//! mapped directly: the mock adds nothing and loses nothing. (The identity checks, IDN-…, read
//! the tenant rather than the cluster body and are compared elsewhere.)

mod common;

use common::*;
use kubeposture_checks::model::{DataPlane, EntraAccess, VersionCatalog};
use kubeposture_checks::{Context, Field};
use kubeposture_mocks::MockOptions;
use kubeposture_providers::azure::map::{self, Extras};
use kubeposture_providers::azure::models::{KubernetesVersionList, ManagedCluster};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The first response body of a spec example (the 200, else the first), as a list of clusters;
/// a recorded resource with an `id` as itself (an excerpt without one cannot be served).
fn first_bodies(path: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let Some(responses) = doc.get("responses").and_then(Value::as_object) else {
        return if doc.get("id").is_some() { vec![doc] } else { vec![] };
    };
    let body = responses.get("200").or_else(|| responses.values().next()).and_then(|r| r.get("body"));
    match body {
        Some(b) if b.get("value").is_some() => b["value"].as_array().cloned().unwrap_or_default(),
        Some(b) => vec![b.clone()],
        None => vec![],
    }
}

fn direct_statuses(body: &Value, sub: &str) -> BTreeMap<String, String> {
    let list: KubernetesVersionList = serde_json::from_value(versions()).unwrap();
    let catalog: Field<Arc<VersionCatalog>> = Field::value("kubernetesVersions", Arc::new(map::catalog(&list)), "");
    let mc = ManagedCluster::deserialize(body).unwrap();
    let cluster = map::map(
        &mc,
        sub,
        Extras {
            catalog,
            logging: Field::value("diagnosticSettings", vec![], "[]"),
            entra: EntraAccess::absent(),
            data_plane: DataPlane::unknown("not part of the fixture"),
        },
    );
    let ctx = Context::new(time::OffsetDateTime::now_utc());
    kubeposture_checks::evaluate(&cluster, &ctx)
        .into_iter()
        .filter(|(m, _)| !is_beside_arm(m.id))
        .map(|(m, o)| (m.id.to_string(), o.status.as_str().to_string()))
        .collect()
}

/// Checks judged on more than the cluster body: the identity around it (IDN) and its
/// Kubernetes API (WKL, K8S), which the spec examples do not show.
fn is_beside_arm(check: &str) -> bool {
    ["IDN-", "WKL-", "K8S-"].iter().any(|p| check.starts_with(p))
}

#[test]
fn spec_examples_pasted_into_an_estate_scan_like_their_direct_mapping() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure-aks");
    let mut scanned = 0;
    for version_dir in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(version_dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            for body in first_bodies(&path) {
                let id = body["id"].as_str().unwrap().to_string();
                let sub = id.split('/').nth(2).unwrap().to_string();
                let location = body["location"].as_str().unwrap().to_string();
                let estate = json!({
                    "estate": "v1",
                    "entra": {"tenants": [{"tenantId": TENANT, "clients": [{"clientId": CLIENT, "clientSecret": SECRET}]}]},
                    "azure": {
                        "kubernetesVersions": {location: versions()},
                        "subscriptions": [{"subscriptionId": sub, "tenantId": TENANT, "managedClusters": [body.clone()]}]
                    }
                });
                let m = Mock::start(estate, MockOptions::default());
                let (code, report, stderr) = m.scan_json(&["--fail-on", "never"]);
                assert_eq!(code, 0, "{}: {stderr}", path.display());
                let via_mock: BTreeMap<String, String> = report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["resource"]["kind"] == "cluster" && !is_beside_arm(f["check_id"].as_str().unwrap()))
                    .map(|f| (f["check_id"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string()))
                    .collect();
                assert_eq!(via_mock, direct_statuses(&body, &sub), "{}", path.display());
                scanned += 1;
            }
        }
    }
    assert!(scanned >= 8, "only {scanned} fixtures found");
}
