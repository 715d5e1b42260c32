//! The objects one cluster's API serves: the estate's objects as the API server stores them
//! (namespace, uid, resourceVersion filled in), the objects every cluster has, and what the
//! controllers would create (a Deployment's ReplicaSet and pods, a StatefulSet's pods…).

use super::estate::KubeCluster;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// One served resource type.
#[derive(Debug)]
pub struct Resource {
    pub plural: &'static str,
    pub kind: &'static str,
    /// `v1`, `apps/v1`, …
    pub api_version: &'static str,
    pub namespaced: bool,
}

pub const RESOURCES: &[Resource] = &[
    Resource { plural: "pods", kind: "Pod", api_version: "v1", namespaced: true },
    Resource { plural: "services", kind: "Service", api_version: "v1", namespaced: true },
    Resource { plural: "serviceaccounts", kind: "ServiceAccount", api_version: "v1", namespaced: true },
    Resource { plural: "configmaps", kind: "ConfigMap", api_version: "v1", namespaced: true },
    Resource { plural: "secrets", kind: "Secret", api_version: "v1", namespaced: true },
    Resource { plural: "namespaces", kind: "Namespace", api_version: "v1", namespaced: false },
    Resource { plural: "deployments", kind: "Deployment", api_version: "apps/v1", namespaced: true },
    Resource { plural: "replicasets", kind: "ReplicaSet", api_version: "apps/v1", namespaced: true },
    Resource { plural: "statefulsets", kind: "StatefulSet", api_version: "apps/v1", namespaced: true },
    Resource { plural: "daemonsets", kind: "DaemonSet", api_version: "apps/v1", namespaced: true },
    Resource { plural: "jobs", kind: "Job", api_version: "batch/v1", namespaced: true },
    Resource { plural: "cronjobs", kind: "CronJob", api_version: "batch/v1", namespaced: true },
    Resource { plural: "ingresses", kind: "Ingress", api_version: "networking.k8s.io/v1", namespaced: true },
    Resource { plural: "roles", kind: "Role", api_version: "rbac.authorization.k8s.io/v1", namespaced: true },
    Resource {
        plural: "rolebindings",
        kind: "RoleBinding",
        api_version: "rbac.authorization.k8s.io/v1",
        namespaced: true,
    },
    Resource {
        plural: "clusterroles",
        kind: "ClusterRole",
        api_version: "rbac.authorization.k8s.io/v1",
        namespaced: false,
    },
    Resource {
        plural: "clusterrolebindings",
        kind: "ClusterRoleBinding",
        api_version: "rbac.authorization.k8s.io/v1",
        namespaced: false,
    },
];

/// The resource served at `GROUP/VERSION` (`v1` for the core group) under `plural`.
pub fn resource(group_version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.api_version == group_version && r.plural == plural)
}

fn by_kind(api_version: &str, kind: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.api_version == api_version && r.kind == kind)
}

/// Objects by resource plural, each list sorted by namespace and name.
#[derive(Debug, Default)]
pub struct World {
    pub objects: BTreeMap<&'static str, Vec<Value>>,
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// A stable UUID for an object.
fn uid(seed: &str) -> String {
    let (a, b) = (fnv(seed), fnv(&format!("{seed}\u{1}")));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 50),
        b & 0xffff_ffff_ffff
    )
}

/// `n` characters of Kubernetes' name-suffix alphabet, stable for `seed`.
fn suffix(seed: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv(seed);
    (0..n)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h = (h / ALPHABET.len() as u64) ^ fnv(&format!("{seed}{h}"));
            c
        })
        .collect()
}

fn meta_str<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o.pointer(&format!("/metadata/{key}")).and_then(Value::as_str)
}

struct Builder {
    by_key: BTreeMap<(&'static str, String, String), Value>,
    serial: u64,
}

impl Builder {
    /// Stores an object as the API server would: namespace, uid, resourceVersion and
    /// creationTimestamp filled in. The first object stored under a key wins.
    fn put(&mut self, r: &'static Resource, mut o: Value) -> Value {
        let name = meta_str(&o, "name").unwrap_or_default().to_string();
        let ns = if r.namespaced { meta_str(&o, "namespace").unwrap_or("default").to_string() } else { String::new() };
        self.serial += 1;
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            if r.namespaced {
                m.insert("namespace".into(), json!(ns));
            }
            m.entry("uid").or_insert_with(|| json!(uid(&format!("{}/{ns}/{name}", r.kind))));
            m.entry("resourceVersion").or_insert_with(|| json!((1000 + self.serial).to_string()));
            m.entry("creationTimestamp").or_insert_with(|| json!("2026-01-05T09:00:00Z"));
        }
        if let Some(obj) = o.as_object_mut() {
            obj.insert("apiVersion".into(), json!(r.api_version));
            obj.insert("kind".into(), json!(r.kind));
        }
        self.by_key.entry((r.plural, ns, name)).or_insert(o).clone()
    }

    fn has(&self, plural: &'static str, ns: &str, name: &str) -> bool {
        self.by_key.contains_key(&(plural, ns.to_string(), name.to_string()))
    }
}

fn res(plural: &str) -> &'static Resource {
    RESOURCES.iter().find(|r| r.plural == plural).expect("a served resource")
}

/// An owner reference to `o` as its controller.
fn owner(r: &Resource, o: &Value) -> Value {
    json!([{
        "apiVersion": r.api_version,
        "kind": r.kind,
        "name": meta_str(o, "name").unwrap_or_default(),
        "uid": meta_str(o, "uid").unwrap_or_default(),
        "controller": true,
        "blockOwnerDeletion": true
    }])
}

/// A pod made from a template, with what the API server adds: the service account and, unless
/// automount is off, the projected token volume.
fn pod_from(template: &Value, name: &str, ns: &str, owner_refs: Value) -> Value {
    let mut spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    let mut metadata = template.get("metadata").cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.insert("name".into(), json!(name));
        m.insert("namespace".into(), json!(ns));
        m.insert("ownerReferences".into(), owner_refs);
    }
    if let Some(s) = spec.as_object_mut() {
        let sa = s.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default").to_string();
        s.insert("serviceAccountName".into(), json!(sa));
        s.insert("serviceAccount".into(), json!(sa));
        s.entry("nodeName").or_insert_with(|| json!("node-0"));
        if s.get("automountServiceAccountToken") != Some(&json!(false)) {
            let volume = format!("kube-api-access-{}", suffix(name, 5));
            let projected = json!({"name": volume, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
            ]}});
            let volumes = s.entry("volumes").or_insert_with(|| json!([]));
            if let Some(v) = volumes.as_array_mut() {
                v.push(projected);
            }
            if let Some(cs) = s.get_mut("containers").and_then(Value::as_array_mut) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
                    if let Some(m) = mounts.as_array_mut() {
                        m.push(json!({"name": volume, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}));
                    }
                }
            }
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": {"phase": "Running"}})
}

/// Most pods made per controller (the estate's `replicas` beyond this are not simulated).
const MAX_REPLICAS: u64 = 1000;

fn replicas(o: &Value, default: u64) -> u64 {
    o.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(default).min(MAX_REPLICAS)
}

/// What the controllers create for a stored object.
fn children(b: &mut Builder, r: &'static Resource, o: &Value) {
    let ns = meta_str(o, "namespace").unwrap_or("default").to_string();
    let name = meta_str(o, "name").unwrap_or_default().to_string();
    let template = o.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let pods: Vec<(String, Value)> = match r.kind {
        "Deployment" => {
            let hash = suffix(&format!("{ns}/{name}"), 10);
            let rs_name = format!("{name}-{hash}");
            let mut t = template.clone();
            if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
                labels.insert("pod-template-hash".into(), json!(hash));
            }
            let rs = json!({
                "metadata": {"name": rs_name, "namespace": ns, "ownerReferences": owner(r, o),
                             "labels": t.pointer("/metadata/labels").cloned().unwrap_or_else(|| json!({}))},
                "spec": {"replicas": replicas(o, 1), "selector": o.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({})), "template": t}
            });
            let rs = b.put(res("replicasets"), rs);
            let refs = owner(res("replicasets"), &rs);
            (0..replicas(o, 1))
                .map(|i| {
                    let pod = format!("{rs_name}-{}", suffix(&format!("{rs_name}/{i}"), 5));
                    (pod.clone(), pod_from(&t, &pod, &ns, refs.clone()))
                })
                .collect()
        }
        "StatefulSet" => (0..replicas(o, 1))
            .map(|i| {
                let pod = format!("{name}-{i}");
                (pod.clone(), pod_from(&template, &pod, &ns, owner(r, o)))
            })
            .collect(),
        "DaemonSet" => (0..2)
            .map(|i| {
                let pod = format!("{name}-{}", suffix(&format!("{name}/{i}"), 5));
                (pod.clone(), pod_from(&template, &pod, &ns, owner(r, o)))
            })
            .collect(),
        "Job" => {
            let pod = format!("{name}-{}", suffix(&name, 5));
            vec![(pod.clone(), pod_from(&template, &pod, &ns, owner(r, o)))]
        }
        _ => vec![],
    };
    for (_, p) in pods {
        b.put(res("pods"), p);
    }
}

fn bootstrap_label() -> Value {
    json!({"kubernetes.io/bootstrapping": "rbac-defaults"})
}

/// What every API server holds besides the estate's objects.
fn defaults(b: &mut Builder, namespaces: &BTreeSet<String>) {
    let rule = |verbs: &[&str], groups: &[&str], resources: &[&str]| json!({"verbs": verbs, "apiGroups": groups, "resources": resources});
    for (name, rules) in [
        ("cluster-admin", json!([rule(&["*"], &["*"], &["*"]), {"verbs": ["*"], "nonResourceURLs": ["*"]}])),
        (
            "view",
            json!([rule(
                &["get", "list", "watch"],
                &["", "apps", "batch"],
                &["pods", "services", "configmaps", "deployments", "jobs"]
            )]),
        ),
        (
            "edit",
            json!([
                rule(
                    &["create", "delete", "get", "list", "patch", "update", "watch"],
                    &["", "apps"],
                    &["pods", "deployments", "secrets"]
                ),
                rule(&["impersonate"], &[""], &["serviceaccounts"])
            ]),
        ),
    ] {
        b.put(res("clusterroles"), json!({"metadata": {"name": name, "labels": bootstrap_label()}, "rules": rules}));
    }
    b.put(
        res("clusterrolebindings"),
        json!({
            "metadata": {"name": "cluster-admin", "labels": bootstrap_label()},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]
        }),
    );
    b.put(
        res("services"),
        json!({"metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
               "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]}}),
    );
    let coredns = json!({
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns"}}, "template": {
            "metadata": {"labels": {"k8s-app": "kube-dns"}},
            "spec": {"serviceAccountName": "coredns", "containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}]}}}
    });
    if !b.has("deployments", "kube-system", "coredns") {
        let d = b.put(res("deployments"), coredns);
        children(b, res("deployments"), &d);
    }
    for ns in namespaces {
        b.put(res("namespaces"), json!({"metadata": {"name": ns}, "status": {"phase": "Active"}}));
        b.put(res("serviceaccounts"), json!({"metadata": {"name": "default", "namespace": ns}}));
        b.put(
            res("configmaps"),
            json!({"metadata": {"name": "kube-root-ca.crt", "namespace": ns}, "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n"}}),
        );
    }
}

/// Builds the served objects; `Err` names the estate object that is not valid.
pub fn build(cluster: Option<&KubeCluster>) -> Result<World, String> {
    let mut b = Builder { by_key: BTreeMap::new(), serial: 0 };
    let mut namespaces: BTreeSet<String> =
        ["default", "kube-system", "kube-public", "kube-node-lease"].iter().map(|s| s.to_string()).collect();
    let empty = Vec::new();
    let objects = cluster.map(|c| &c.objects).unwrap_or(&empty);
    let controllers = cluster.is_none_or(|c| c.controllers);
    let mut stored = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let at = format!("objects[{i}]");
        let api_version = o.get("apiVersion").and_then(Value::as_str).ok_or(format!("{at} has no apiVersion"))?;
        let kind = o.get("kind").and_then(Value::as_str).ok_or(format!("{at} has no kind"))?;
        let r = by_kind(api_version, kind).ok_or(format!("{at}: {api_version} {kind} is not served by this mock"))?;
        let name = meta_str(o, "name").filter(|n| !n.is_empty()).ok_or(format!("{at} has no metadata.name"))?;
        let ns = meta_str(o, "namespace").unwrap_or("default");
        if b.has(r.plural, if r.namespaced { ns } else { "" }, name) {
            return Err(format!("{at}: {kind} {ns}/{name} is listed twice"));
        }
        if r.namespaced {
            namespaces.insert(ns.to_string());
        }
        stored.push((r, b.put(r, o.clone())));
    }
    if controllers {
        for (r, o) in &stored {
            children(&mut b, r, o);
        }
    }
    defaults(&mut b, &namespaces);
    let mut world = World::default();
    for ((plural, _, _), o) in b.by_key {
        world.objects.entry(plural).or_default().push(o);
    }
    Ok(world)
}

/// Drops `kind`/`apiVersion` (list items carry neither) and keeps only the metadata when
/// the client asked for `PartialObjectMetadata`.
pub fn list_item(o: &Value, metadata_only: bool) -> Value {
    if metadata_only {
        return json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": o.get("metadata")});
    }
    let mut m: Map<String, Value> = o.as_object().cloned().unwrap_or_default();
    m.remove("apiVersion");
    m.remove("kind");
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(objects: Value) -> KubeCluster {
        serde_json::from_value(json!({"cluster": "c", "objects": objects})).unwrap()
    }

    #[test]
    fn controllers_make_replica_sets_and_pods() {
        let c = cluster(json!([{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}]));
        let w = build(Some(&c)).unwrap();
        let rs: Vec<&Value> =
            w.objects["replicasets"].iter().filter(|r| meta_str(r, "namespace") == Some("default")).collect();
        assert_eq!(rs.len(), 1);
        let rs_uid = meta_str(rs[0], "uid").unwrap();
        let pods: Vec<&Value> = w.objects["pods"]
            .iter()
            .filter(|p| p.pointer("/metadata/ownerReferences/0/uid").and_then(Value::as_str) == Some(rs_uid))
            .collect();
        assert_eq!(pods.len(), 3);
        assert_eq!(pods[0].pointer("/spec/serviceAccountName"), Some(&json!("default")));
        assert!(w.objects["serviceaccounts"].iter().any(|s| meta_str(s, "namespace") == Some("default")));
        assert!(w.objects["services"].iter().any(|s| meta_str(s, "name") == Some("kubernetes")));
    }

    #[test]
    fn invalid_objects_are_named() {
        assert!(
            build(Some(&cluster(json!([{"apiVersion": "v1", "kind": "Pod", "metadata": {}}]))))
                .unwrap_err()
                .contains("objects[0]")
        );
        assert!(
            build(Some(&cluster(json!([{"apiVersion": "v2", "kind": "Pod", "metadata": {"name": "x"}}])))).is_err()
        );
        let twice = json!([{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "default"}}]);
        assert!(build(Some(&cluster(twice))).unwrap_err().contains("listed twice"));
    }
}
