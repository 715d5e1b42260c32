//! Property tests of the ARM managedCluster reader: a body with one field of the wrong type, an
//! unknown enum value or absurd nesting never panics, takes bounded time, and never makes a
//! check `pass` that the well-formed body does not pass. Bases: every AKS cluster of the demo.

use kubeposture_checks::model::{Cluster, DataPlane, EntraAccess, VersionCatalog};
use kubeposture_checks::{Context, Field, Status};
use kubeposture_providers::azure::map::{self, Extras};
use kubeposture_providers::azure::models::{KubernetesVersionList, ManagedCluster};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn demo_clusters() -> &'static Vec<Value> {
    static BASES: OnceLock<Vec<Value>> = OnceLock::new();
    BASES.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../mocks/estates/demo.yaml");
        let estate: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut out = Vec::new();
        for s in estate["azure"]["subscriptions"].as_array().unwrap() {
            out.extend(s["managedClusters"].as_array().cloned().unwrap_or_default());
        }
        assert!(out.len() >= 5, "the demo's AKS clusters");
        out
    })
}

fn catalog() -> Field<Arc<VersionCatalog>> {
    let list: KubernetesVersionList = serde_json::from_value(json!({"values": [
        {"version": "1.30", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}},
        {"version": "1.31", "capabilities": {"supportPlan": ["KubernetesOfficial"]}},
        {"version": "1.32", "capabilities": {"supportPlan": ["KubernetesOfficial"]}}
    ]}))
    .unwrap();
    Field::value("kubernetesVersions", Arc::new(map::catalog(&list)), "1.30..1.32")
}

/// What the scanner makes of one body (as `azure::scan` does: unparsable → every field unknown).
fn read(body: &Value) -> Cluster {
    let extras = || Extras {
        catalog: catalog(),
        logging: Field::unknown("diagnosticSettings", "not part of the test"),
        entra: EntraAccess::unknown("not part of the test"),
        data_plane: DataPlane::unknown("not part of the test"),
    };
    match ManagedCluster::deserialize(body) {
        Ok(mc) => map::map(&mc, SUB, extras()),
        Err(e) => map::unparsable(body, SUB, &e.to_string()),
    }
}

fn statuses(c: &Cluster) -> BTreeMap<&'static str, Status> {
    let ctx = Context::new(time::macros::datetime!(2026-11-23 00:00 UTC));
    kubeposture_checks::evaluate(c, &ctx).into_iter().map(|(m, o)| (m.id, o.status)).collect()
}

/// Every path to a value under `properties` (object keys and array indexes).
fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| paths(c, [at.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, c)| paths(c, [at.clone(), vec![i.to_string()]].concat(), out))
        }
        _ => {}
    }
}

fn slot<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        other => &mut other[k.as_str()],
    })
}

/// A value of another type than `old`, an unknown enum value, or deep nesting.
fn wrong(old: &Value, pick: u8, n: i64) -> Value {
    let deep = |depth: usize| {
        let mut v = json!(n);
        for _ in 0..depth {
            v = json!([v]);
        }
        v
    };
    match (old, pick % 6) {
        (_, 0) => deep(120),
        (Value::String(_), 1) => json!(format!("x-unknown-{n}")),
        (Value::String(_), 2) => json!(n),
        (Value::Bool(b), 1) => json!(b.to_string()),
        (Value::Number(_), 1) => json!(n.to_string()),
        (Value::Object(_), 1) => json!([n]),
        (Value::Array(_), 1) => json!({"x-unknown": n}),
        (Value::Bool(_), 2) => json!(n),
        (_, 2) => json!(true),
        // (Not null: ARM writes null for an unset profile, which is absence.)
        (_, 3) => json!([[n]]),
        // (Not an object of unknown keys in place of an object: that is every field absent, which
        // has meanings of its own.)
        (Value::Object(_), 4) => json!(format!("x-unknown-{n}")),
        (_, 4) => json!({"x-unknown": [n]}),
        _ => json!(format!("x-unknown-{n}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_wrong_field_never_makes_a_check_pass(base in 0usize..64, at in any::<prop::sample::Index>(), pick in any::<u8>(), n in any::<i64>()) {
        let bases = demo_clusters();
        let body = &bases[base % bases.len()];
        let mut all = Vec::new();
        paths(&body["properties"], vec!["properties".into()], &mut all);
        let path = at.get(&all);
        let mut broken = body.clone();
        let target = slot(&mut broken, path);
        *target = wrong(target, pick, n);

        let started = std::time::Instant::now();
        let before = statuses(&read(body));
        let after = statuses(&read(&broken));
        // A hang guard, not a benchmark.
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(5));
        for (id, status) in &after {
            if *status == Status::Pass {
                prop_assert_eq!(before.get(id), Some(&Status::Pass), "{} passes only when broken at {}", id, path.join("."));
            }
        }
    }
}

#[test]
fn deep_nesting_anywhere_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!(r#"{{"id": "x", "name": "x", "location": "x", "properties": {{"networkProfile": {deep}}}}}"#);
    // serde_json refuses nesting deeper than 128 instead of recursing: the page is malformed.
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert!(serde_json::from_str::<ManagedCluster>(&text).is_err());
}
