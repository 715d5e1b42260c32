//! Every AKS example in tests/fixtures/azure-aks parses into the model, and the real-world
//! excerpts score as their fields imply.

use kubeposture_checks::model::{Cluster, DataPlane, EntraAccess, VersionCatalog};
use kubeposture_checks::{Cloud, Context, Field, Status};
use kubeposture_providers::azure::map::{self, Extras};
use kubeposture_providers::azure::models::{KubernetesVersionList, ManagedCluster};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/azure-aks")
}

/// Cluster bodies in a fixture: an example's response bodies (single or `value[]`), or the
/// file itself when it is a resource.
fn bodies(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    let Some(responses) = doc.get("responses").and_then(|r| r.as_object()) else {
        return vec![doc.clone()];
    };
    let mut out = Vec::new();
    for resp in responses.values() {
        match resp.get("body") {
            Some(b) if b.get("value").is_some() => out.extend(b["value"].as_array().cloned().unwrap_or_default()),
            Some(b) if b.is_object() => out.push(b.clone()),
            _ => {}
        }
    }
    out
}

fn catalog() -> Field<Arc<VersionCatalog>> {
    let list: KubernetesVersionList = serde_json::from_value(serde_json::json!({"values": [
        {"version": "1.29", "capabilities": {"supportPlan": ["AKSLongTermSupport"]}},
        {"version": "1.30", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}},
        {"version": "1.31", "capabilities": {"supportPlan": ["KubernetesOfficial"]}},
        {"version": "1.32", "capabilities": {"supportPlan": ["KubernetesOfficial"]}}
    ]}))
    .unwrap();
    Field::value("locations/x/kubernetesVersions", Arc::new(map::catalog(&list)), "1.29..1.32")
}

fn load(path: &Path) -> Vec<Cluster> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    bodies(&doc)
        .into_iter()
        .map(|b| {
            let mc = ManagedCluster::deserialize(&b).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            map::map(
                &mc,
                "00000000-0000-0000-0000-000000000000",
                Extras {
                    catalog: catalog(),
                    logging: Field::unknown("diagnosticSettings", "not part of the fixture"),
                    entra: EntraAccess::unknown("not part of the fixture"),
                    data_plane: DataPlane::unknown("not part of the fixture"),
                },
            )
        })
        .collect()
}

fn statuses(c: &Cluster) -> BTreeMap<&'static str, Status> {
    let ctx = Context::new(time::macros::datetime!(2026-11-23 00:00 UTC));
    kubeposture_checks::evaluate(c, &ctx).into_iter().map(|(m, o)| (m.id, o.status)).collect()
}

#[test]
fn every_fixture_parses_into_the_model() {
    let mut n = 0;
    for dir in std::fs::read_dir(fixtures()).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let clusters = load(&path);
            assert!(!clusters.is_empty(), "{} holds no cluster", path.display());
            for c in &clusters {
                // Every AKS check yields a status for every fixture: no panic, nothing skipped.
                let aks =
                    kubeposture_checks::all().iter().filter(|c| c.cluster.is_some() && c.meta.applies_to(Cloud::Aks));
                assert_eq!(statuses(c).len(), aks.count(), "{}", path.display());
            }
            n += 1;
        }
    }
    assert!(n >= 9, "expected the 9 fixture files, found {n}");
}

#[test]
fn private_cluster_public_fqdn_example() {
    let c = load(&fixtures().join("2026-05-01/ManagedClustersCreate_PrivateClusterPublicFQDN.json"));
    let s = statuses(&c[0]);
    assert_eq!(s["NET-001"], Status::Pass);
    assert_eq!(s["NET-003"], Status::Pass);
    assert_eq!(s["NET-004"], Status::Fail);
}

#[test]
fn get_example_without_access_profile_is_a_default_public_cluster() {
    let c = load(&fixtures().join("2026-08-01/ManagedClustersGet.json"));
    let s = statuses(&c[0]);
    let expect = [
        ("NET-001", Status::Fail),
        ("NET-002", Status::NotApplicable),
        ("NET-003", Status::Fail),
        ("NET-004", Status::NotApplicable),
    ];
    for (id, want) in expect {
        assert_eq!(s[id], want, "{id}");
    }
    assert_eq!(s["AUTH-004"], Status::Fail, "enableRBAC false");
    assert_eq!(s["AUTH-009"], Status::Fail, "servicePrincipalProfile.clientId = clientid");
    assert_eq!(s["CLU-001"], Status::Fail, "1.9.6 is long out of support");
}

#[test]
fn aksgpt_real_world_excerpt() {
    let c = load(&fixtures().join("real-world/aksgpt_README_anonymized_cluster.excerpt.json"));
    let s = statuses(&c[0]);
    let expect = [
        ("NET-001", Status::Fail),          // apiServerAccessProfile without private cluster or ranges
        ("NET-002", Status::NotApplicable), // no allow-list at all
        ("NET-003", Status::Fail),
        ("NET-004", Status::NotApplicable),
        ("NET-006", Status::Pass),  // networkPolicy azure
        ("AUTH-001", Status::Pass), // aadProfile.managed
        ("AUTH-002", Status::Pass), // disableLocalAccounts true
        ("AUTH-003", Status::Pass), // enableAzureRBAC
        ("AUTH-004", Status::Pass),
        ("AUTH-009", Status::Fail), // servicePrincipalProfile.clientId, no identity in the excerpt
        ("WID-005", Status::Fail),  // securityProfile {}
        ("WID-006", Status::Pass),
        ("NODE-004", Status::Fail), // enableEncryptionAtHost false
        ("CLU-001", Status::Pass),  // 1.31.2
        ("CLU-002", Status::Fail),  // upgradeChannel none
        ("CLU-003", Status::Fail),  // no nodeOSUpgradeChannel
        ("CLU-004", Status::Fail),
        ("CLU-005", Status::Unknown), // diagnostic settings not in the excerpt
        ("CLU-006", Status::Pass),    // azurepolicy enabled
        ("CLU-007", Status::Fail),
        ("CLU-008", Status::Fail),
    ];
    for (id, want) in expect {
        assert_eq!(s[id], want, "{id}");
    }
}

#[test]
fn azure_cli_recorded_response() {
    let c =
        load(&fixtures().join("real-world/azure-cli_test_aks_create_enable_azure_rbac.PUT-201-response.excerpt.json"));
    let s = statuses(&c[0]);
    let expect = [
        ("NET-001", Status::Fail), // no apiServerAccessProfile: a default public cluster
        ("NET-006", Status::Fail), // kubenet, no networkPolicy
        ("AUTH-001", Status::Pass),
        ("AUTH-002", Status::Fail), // disableLocalAccounts false
        ("AUTH-003", Status::Pass),
        ("AUTH-004", Status::Pass),
        ("AUTH-009", Status::Pass), // identity SystemAssigned
        ("NODE-004", Status::Fail),
        ("CLU-001", Status::Fail), // 1.22.6
        ("CLU-004", Status::Fail),
        ("CLU-007", Status::Fail),
    ];
    for (id, want) in expect {
        assert_eq!(s[id], want, "{id}");
    }
    assert_eq!(c[0].r#ref.resource_group.as_deref(), Some("clitest000001"));
}

#[test]
fn unknown_network_policy_is_kept() {
    let body = serde_json::json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
        "name": "c", "location": "westeurope", "properties": {"networkProfile": {"networkPolicy": "weirdnet"}}});
    let mc = ManagedCluster::deserialize(&body).unwrap();
    let c = map::map(
        &mc,
        "s",
        Extras {
            catalog: catalog(),
            logging: Field::absent("x"),
            entra: EntraAccess::absent(),
            data_plane: DataPlane::unknown("not part of the fixture"),
        },
    );
    assert_eq!(c.network.policy_engine.get().map(String::as_str), Some("weirdnet"));
    assert_eq!(c.network.policy_engine.observed(), "weirdnet");
}

#[test]
fn body_of_the_wrong_shape_keeps_the_cluster_as_unknown() {
    let body = serde_json::json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/odd",
        "name": "odd", "location": "westeurope", "properties": {"enableRBAC": "yes"}});
    let err = ManagedCluster::deserialize(&body).unwrap_err();
    let c = map::unparsable(&body, "s", &err.to_string());
    assert_eq!(c.r#ref.name, "odd");
    assert!(statuses(&c).values().all(|s| *s == Status::Unknown));
}
