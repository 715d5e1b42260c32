//! Kubernetes objects (k8s-openapi types, as the API returns them) → the compact posture
//! model. Decides only what is known: a field the object lacks stays `None`.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::api::rbac::v1 as rbac;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeposture_checks::model::{
    AppArmorProfile, Binding, Container, ContainerList, ContainerPort, Gap, HostPathVolume, Ingress, Mount,
    PodTemplate, PolicyRule, RbacSubject, Role, SecurityContext, Service, ServiceAccount, ServicePort, TokenSecret,
    Workload, Workloads,
};
use std::collections::{BTreeMap, HashMap, HashSet};

const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const BOOTSTRAP_LABEL: &str = "kubernetes.io/bootstrapping";

fn ns(m: &ObjectMeta) -> String {
    m.namespace.clone().unwrap_or_default()
}

fn name(m: &ObjectMeta) -> String {
    m.name.clone().unwrap_or_default()
}

fn bootstrap(m: &ObjectMeta) -> bool {
    m.labels.as_ref().and_then(|l| l.get(BOOTSTRAP_LABEL)).is_some_and(|v| v == "rbac-defaults")
}

fn apparmor(p: &Option<core::AppArmorProfile>) -> Option<AppArmorProfile> {
    p.as_ref().map(|p| AppArmorProfile { kind: p.type_.clone(), localhost_profile: p.localhost_profile.clone() })
}

fn security(s: Option<&core::SecurityContext>) -> SecurityContext {
    let Some(s) = s else { return SecurityContext::default() };
    let caps = s.capabilities.as_ref();
    SecurityContext {
        privileged: s.privileged,
        allow_privilege_escalation: s.allow_privilege_escalation,
        read_only_root_filesystem: s.read_only_root_filesystem,
        run_as_non_root: s.run_as_non_root,
        run_as_user: s.run_as_user,
        capabilities_add: caps.and_then(|c| c.add.clone()).unwrap_or_default(),
        capabilities_drop: caps.and_then(|c| c.drop.clone()).unwrap_or_default(),
        apparmor: apparmor(&s.app_armor_profile),
    }
}

fn pod_security(s: Option<&core::PodSecurityContext>) -> SecurityContext {
    let Some(s) = s else { return SecurityContext::default() };
    SecurityContext {
        run_as_non_root: s.run_as_non_root,
        run_as_user: s.run_as_user,
        apparmor: apparmor(&s.app_armor_profile),
        ..Default::default()
    }
}

/// The fields `Container` and `EphemeralContainer` share.
struct ContainerParts<'a> {
    name: &'a str,
    image: &'a Option<String>,
    ports: Option<&'a Vec<core::ContainerPort>>,
    resources: Option<&'a core::ResourceRequirements>,
    security: Option<&'a core::SecurityContext>,
    mounts: Option<&'a Vec<core::VolumeMount>>,
}

fn container(
    c: ContainerParts<'_>,
    list: ContainerList,
    annotations: Option<&BTreeMap<String, String>>,
    host_paths: &[HostPathVolume],
) -> Container {
    let limit = |k: &str| c.resources.and_then(|r| r.limits.as_ref()).and_then(|l| l.get(k)).map(|q| q.0.clone());
    Container {
        name: c.name.to_string(),
        list,
        image: c.image.clone(),
        ports: c
            .ports
            .map(|ps| {
                ps.iter().map(|p| ContainerPort { container_port: p.container_port, host_port: p.host_port }).collect()
            })
            .unwrap_or_default(),
        limits_cpu: limit("cpu"),
        limits_memory: limit("memory"),
        security: security(c.security),
        apparmor_annotation: annotations.and_then(|a| a.get(&format!("{APPARMOR_PREFIX}{}", c.name))).cloned(),
        host_path_mounts: c
            .mounts
            .map(|ms| {
                ms.iter()
                    .filter(|m| host_paths.iter().any(|h| h.name == m.name))
                    .map(|m| Mount { volume: m.name.clone(), mount_path: m.mount_path.clone(), read_only: m.read_only })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A pod spec and the annotations of its template (or pod) → the compact template.
pub fn pod_template(spec: &core::PodSpec, annotations: Option<&BTreeMap<String, String>>) -> PodTemplate {
    let host_paths: Vec<HostPathVolume> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.host_path.as_ref().map(|h| HostPathVolume { name: v.name.clone(), path: h.path.clone() }))
        .collect();
    fn parts(c: &core::Container) -> ContainerParts<'_> {
        ContainerParts {
            name: &c.name,
            image: &c.image,
            ports: c.ports.as_ref(),
            resources: c.resources.as_ref(),
            security: c.security_context.as_ref(),
            mounts: c.volume_mounts.as_ref(),
        }
    }
    let mut containers: Vec<Container> = spec
        .containers
        .iter()
        .map(|c| container(parts(c), ContainerList::Containers, annotations, &host_paths))
        .collect();
    containers.extend(
        spec.init_containers
            .iter()
            .flatten()
            .map(|c| container(parts(c), ContainerList::InitContainers, annotations, &host_paths)),
    );
    containers.extend(spec.ephemeral_containers.iter().flatten().map(|c| {
        let p = ContainerParts {
            name: &c.name,
            image: &c.image,
            ports: c.ports.as_ref(),
            resources: c.resources.as_ref(),
            security: c.security_context.as_ref(),
            mounts: c.volume_mounts.as_ref(),
        };
        container(p, ContainerList::EphemeralContainers, annotations, &host_paths)
    }));
    let os = spec
        .os
        .as_ref()
        .map(|o| o.name.clone())
        .or_else(|| spec.node_selector.as_ref().and_then(|s| s.get("kubernetes.io/os")).cloned());
    PodTemplate {
        host_network: spec.host_network,
        host_pid: spec.host_pid,
        host_ipc: spec.host_ipc,
        service_account: spec.service_account_name.clone().or_else(|| spec.service_account.clone()),
        automount_token: spec.automount_service_account_token,
        os,
        security: pod_security(spec.security_context.as_ref()),
        host_paths,
        containers,
    }
}

/// The controller owner reference of an object: (kind, name, uid).
fn controller(m: &ObjectMeta) -> Option<(&str, &str, &str)> {
    m.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.as_str(), o.name.as_str(), o.uid.as_str()))
}

/// Kinds whose objects carry a pod template, in the order they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    CronJob,
    Deployment,
    Job,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Pod,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CronJob => "CronJob",
            Kind::Deployment => "Deployment",
            Kind::Job => "Job",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::Pod => "Pod",
        }
    }
    pub fn plural(self) -> &'static str {
        match self {
            Kind::CronJob => "CronJobs",
            Kind::Deployment => "Deployments",
            Kind::Job => "Jobs",
            Kind::ReplicaSet => "ReplicaSets",
            Kind::StatefulSet => "StatefulSets",
            Kind::DaemonSet => "DaemonSets",
            Kind::Pod => "Pods",
        }
    }
    fn parse(kind: &str) -> Option<Kind> {
        [Kind::CronJob, Kind::Deployment, Kind::Job, Kind::ReplicaSet, Kind::StatefulSet, Kind::DaemonSet, Kind::Pod]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }
}

/// Builds the workload set as lists arrive: controllers first (CronJobs and Deployments, then
/// Jobs and ReplicaSets, StatefulSets and DaemonSets), then pods. An object whose controller
/// was listed is represented by that controller; pods of controllers kubeposture does not list
/// (or could not) stand for their owner, once per distinct template.
#[derive(Default)]
pub struct WorkloadsBuilder {
    items: Vec<Workload>,
    /// The list each item came from (items are pushed as lists arrive, some read at once).
    sources: Vec<Kind>,
    gaps: Vec<Gap>,
    /// uids of the listed controllers.
    listed: HashSet<String>,
    /// Kinds whose list failed.
    failed: HashSet<Kind>,
    /// Workloads standing for an unlisted owner, by (namespace, kind, name).
    by_owner: HashMap<(String, String, String), Vec<usize>>,
}

impl WorkloadsBuilder {
    /// A kind could not be listed.
    pub fn failed(&mut self, kind: Kind, reason: String) {
        self.failed.insert(kind);
        self.gaps.push(Gap { kind: kind.plural().to_string(), reason });
    }

    /// Adds an object's template unless its controller is represented already.
    fn add(&mut self, kind: Kind, meta: &ObjectMeta, template: PodTemplate) {
        if let Some(uid) = meta.uid.as_ref()
            && kind != Kind::Pod
        {
            self.listed.insert(uid.clone());
        }
        let namespace = ns(meta);
        let own = Workload {
            namespace: namespace.clone(),
            kind: kind.as_str().into(),
            name: name(meta),
            from_pod: false,
            pod: template,
        };
        let Some((owner_kind, owner_name, owner_uid)) = controller(meta) else {
            self.push(kind, own);
            return;
        };
        if self.listed.contains(owner_uid) {
            return;
        }
        // The owner is a kind that was listed and is gone (orphan awaiting garbage collection),
        // or a node's mirror pod: the object stands for itself.
        let owner = Kind::parse(owner_kind);
        let owner_read = owner.is_some_and(|k| !self.failed.contains(&k));
        if owner_read || owner_kind == "Node" {
            self.push(kind, own);
            return;
        }
        let key = (namespace, owner_kind.to_string(), owner_name.to_string());
        let same = self.by_owner.get(&key).is_some_and(|ix| ix.iter().any(|&i| self.items[i].pod == own.pod));
        if same {
            return;
        }
        let first = !self.by_owner.contains_key(&key);
        let w = if first {
            Workload { kind: key.1.clone(), name: key.2.clone(), from_pod: kind == Kind::Pod, ..own }
        } else {
            own
        };
        self.by_owner.entry(key).or_default().push(self.items.len());
        self.push(kind, w);
    }

    fn push(&mut self, source: Kind, w: Workload) {
        self.items.push(w);
        self.sources.push(source);
    }

    pub fn cron_job(&mut self, o: &CronJob) {
        let template = o.spec.job_template.spec.as_ref().map(|j| &j.template);
        self.templated(Kind::CronJob, &o.metadata, template);
    }

    fn templated(&mut self, kind: Kind, meta: &ObjectMeta, template: Option<&core::PodTemplateSpec>) {
        let Some(spec) = template.and_then(|t| t.spec.as_ref()) else { return };
        let annotations = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.annotations.as_ref());
        self.add(kind, meta, pod_template(spec, annotations));
    }

    pub fn deployment(&mut self, o: &Deployment) {
        self.templated(Kind::Deployment, &o.metadata, o.spec.as_ref().map(|s| &s.template));
    }
    pub fn job(&mut self, o: &Job) {
        self.templated(Kind::Job, &o.metadata, o.spec.as_ref().map(|s| &s.template));
    }
    pub fn replica_set(&mut self, o: &ReplicaSet) {
        self.templated(Kind::ReplicaSet, &o.metadata, o.spec.as_ref().and_then(|s| s.template.as_ref()));
    }
    pub fn stateful_set(&mut self, o: &StatefulSet) {
        self.templated(Kind::StatefulSet, &o.metadata, o.spec.as_ref().map(|s| &s.template));
    }
    pub fn daemon_set(&mut self, o: &DaemonSet) {
        self.templated(Kind::DaemonSet, &o.metadata, o.spec.as_ref().map(|s| &s.template));
    }

    /// A pod: skipped when its controller is listed, before its spec is even looked at.
    pub fn pod(&mut self, o: &core::Pod) {
        if controller(&o.metadata).is_some_and(|(_, _, uid)| self.listed.contains(uid)) {
            return;
        }
        let Some(spec) = o.spec.as_ref() else { return };
        self.add(Kind::Pod, &o.metadata, pod_template(spec, o.metadata.annotations.as_ref()));
    }

    /// The workloads in one order whatever order the lists arrived in (several are read at
    /// once): by the list each came from, in `Kind` order, then in that list's own order.
    pub fn finish(self) -> Workloads {
        let mut ranked: Vec<(Kind, Workload)> = self.sources.into_iter().zip(self.items).collect();
        ranked.sort_by_key(|(kind, _)| *kind);
        Workloads { items: ranked.into_iter().map(|(_, w)| w).collect(), gaps: self.gaps }
    }
}

pub fn service(o: &core::Service) -> Service {
    let spec = o.spec.as_ref();
    Service {
        namespace: ns(&o.metadata),
        name: name(&o.metadata),
        kind: spec.and_then(|s| s.type_.clone()),
        ports: spec
            .and_then(|s| s.ports.as_ref())
            .map(|ps| ps.iter().map(|p| ServicePort { port: p.port, node_port: p.node_port }).collect())
            .unwrap_or_default(),
    }
}

pub fn ingress(o: &net::Ingress) -> Ingress {
    let spec = o.spec.as_ref();
    Ingress {
        namespace: ns(&o.metadata),
        name: name(&o.metadata),
        rules: spec
            .and_then(|s| s.rules.as_ref())
            .map(|r| r.iter().map(|r| r.host.clone()).collect())
            .unwrap_or_default(),
        default_backend: spec.is_some_and(|s| s.default_backend.is_some()),
        tls: spec
            .and_then(|s| s.tls.as_ref())
            .map(|t| t.iter().map(|t| t.hosts.clone().unwrap_or_default()).collect())
            .unwrap_or_default(),
    }
}

pub fn service_account(o: &core::ServiceAccount) -> ServiceAccount {
    ServiceAccount {
        namespace: ns(&o.metadata),
        name: name(&o.metadata),
        automount_token: o.automount_service_account_token,
    }
}

fn rules(rules: Option<&Vec<rbac::PolicyRule>>) -> Vec<PolicyRule> {
    rules
        .into_iter()
        .flatten()
        .map(|r| PolicyRule {
            verbs: r.verbs.clone(),
            api_groups: r.api_groups.clone().unwrap_or_default(),
            resources: r.resources.clone().unwrap_or_default(),
            non_resource_urls: r.non_resource_urls.clone().unwrap_or_default(),
        })
        .collect()
}

pub fn role(o: &rbac::Role) -> Role {
    Role {
        namespace: Some(ns(&o.metadata)),
        name: name(&o.metadata),
        rules: rules(o.rules.as_ref()),
        bootstrap: bootstrap(&o.metadata),
    }
}

pub fn cluster_role(o: &rbac::ClusterRole) -> Role {
    Role { namespace: None, name: name(&o.metadata), rules: rules(o.rules.as_ref()), bootstrap: bootstrap(&o.metadata) }
}

fn subjects(s: Option<&Vec<rbac::Subject>>) -> Vec<RbacSubject> {
    s.into_iter()
        .flatten()
        .map(|s| RbacSubject { kind: s.kind.clone(), name: s.name.clone(), namespace: s.namespace.clone() })
        .collect()
}

pub fn role_binding(o: &rbac::RoleBinding) -> Binding {
    Binding {
        namespace: Some(ns(&o.metadata)),
        name: name(&o.metadata),
        role_kind: o.role_ref.kind.clone(),
        role_name: o.role_ref.name.clone(),
        subjects: subjects(o.subjects.as_ref()),
        bootstrap: bootstrap(&o.metadata),
    }
}

pub fn cluster_role_binding(o: &rbac::ClusterRoleBinding) -> Binding {
    Binding {
        namespace: None,
        name: name(&o.metadata),
        role_kind: o.role_ref.kind.clone(),
        role_name: o.role_ref.name.clone(),
        subjects: subjects(o.subjects.as_ref()),
        bootstrap: bootstrap(&o.metadata),
    }
}

/// A token Secret from its metadata alone.
pub fn token_secret(m: &ObjectMeta) -> TokenSecret {
    TokenSecret {
        namespace: ns(m),
        name: name(m),
        service_account: m.annotations.as_ref().and_then(|a| a.get("kubernetes.io/service-account.name")).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn from<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).expect("valid object")
    }

    fn rs(name: &str, uid: &str, owner: Option<(&str, &str, &str)>) -> ReplicaSet {
        let owners: Vec<_> = owner
            .iter()
            .map(|(k, n, u)| json!({"apiVersion": "apps/v1", "kind": k, "name": n, "uid": u, "controller": true}))
            .collect();
        from(json!({
            "metadata": {"name": name, "namespace": "shop", "uid": uid, "ownerReferences": owners},
            "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}}
        }))
    }

    fn pod(name: &str, owner: Option<(&str, &str, &str)>, image: &str) -> core::Pod {
        let owners: Vec<_> = owner
            .iter()
            .map(|(k, n, u)| json!({"apiVersion": "apps/v1", "kind": k, "name": n, "uid": u, "controller": true}))
            .collect();
        from(json!({
            "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"), "ownerReferences": owners},
            "spec": {"containers": [{"name": "app", "image": image}]}
        }))
    }

    fn ids(w: &Workloads) -> Vec<String> {
        w.items.iter().map(|w| w.id()).collect()
    }

    #[test]
    fn pods_of_listed_controllers_are_not_repeated() {
        let mut b = WorkloadsBuilder::default();
        b.deployment(&from(json!({
            "metadata": {"name": "web", "namespace": "shop", "uid": "d1"},
            "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}}
        })));
        b.replica_set(&rs("web-6d4cf56db6", "r1", Some(("Deployment", "web", "d1"))));
        b.replica_set(&rs("bare-rs", "r2", None));
        for i in 0..3 {
            b.pod(&pod(&format!("web-6d4cf56db6-{i}"), Some(("ReplicaSet", "web-6d4cf56db6", "r1")), "app:1"));
        }
        b.pod(&pod("debug", None, "busybox"));
        b.pod(&pod("kube-apiserver-node1", Some(("Node", "node1", "n1")), "apiserver"));
        assert_eq!(
            ids(&b.finish()),
            ["shop/Deployment/web", "shop/ReplicaSet/bare-rs", "shop/Pod/debug", "shop/Pod/kube-apiserver-node1"]
        );
    }

    /// Jobs, ReplicaSets, StatefulSets and DaemonSets are listed at once: whichever answers
    /// first, the workloads come out in one order (reports and their snapshots depend on it).
    #[test]
    fn the_order_of_workloads_does_not_depend_on_which_list_answers_first() {
        let ds: DaemonSet = from(json!({
            "metadata": {"name": "agent", "namespace": "shop", "uid": "ds1"},
            "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "a", "image": "a:1"}]}}}
        }));
        let job: Job = from(json!({
            "metadata": {"name": "migrate", "namespace": "shop", "uid": "j1"},
            "spec": {"template": {"spec": {"containers": [{"name": "m", "image": "m:1"}]}}}
        }));
        let (mut first, mut second) = (WorkloadsBuilder::default(), WorkloadsBuilder::default());
        first.daemon_set(&ds);
        first.job(&job);
        second.job(&job);
        second.daemon_set(&ds);
        assert_eq!(ids(&first.finish()), ["shop/Job/migrate", "shop/DaemonSet/agent"]);
        assert_eq!(ids(&second.finish()), ["shop/Job/migrate", "shop/DaemonSet/agent"]);
    }

    #[test]
    fn pods_of_unlisted_controllers_stand_for_them_once_per_template() {
        let mut b = WorkloadsBuilder::default();
        b.failed(Kind::ReplicaSet, "Forbidden".into());
        for i in 0..3 {
            b.pod(&pod(&format!("web-x-{i}"), Some(("ReplicaSet", "web-x", "r1")), "app:1"));
        }
        b.pod(&pod("web-x-new", Some(("ReplicaSet", "web-x", "r1")), "app:2"));
        b.pod(&pod("canary-0", Some(("Rollout", "canary", "ro1")), "app:3"));
        let w = b.finish();
        assert_eq!(ids(&w), ["shop/ReplicaSet/web-x", "shop/Pod/web-x-new", "shop/Rollout/canary"]);
        assert!(w.items[0].from_pod && w.items[0].spec_path() == "spec");
        assert_eq!(w.gaps, [Gap { kind: "ReplicaSets".into(), reason: "Forbidden".into() }]);
    }

    #[test]
    fn template_fields_map_from_the_wire_shape() {
        let spec: core::PodSpec = from(json!({
            "hostNetwork": true, "hostPID": true, "serviceAccount": "legacy",
            "nodeSelector": {"kubernetes.io/os": "windows"},
            "securityContext": {"runAsUser": 1000, "appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}},
            "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "tmp", "emptyDir": {}}],
            "containers": [{
                "name": "app", "image": "redis", "ports": [{"containerPort": 9001, "hostPort": 9001}],
                "resources": {"limits": {"cpu": "100m"}},
                "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}},
                "volumeMounts": [{"name": "logs", "mountPath": "/l", "readOnly": true}, {"name": "tmp", "mountPath": "/tmp"}]
            }],
            "initContainers": [{"name": "init", "image": "busybox"}]
        }));
        let annotations: BTreeMap<String, String> =
            [(format!("{APPARMOR_PREFIX}app"), "runtime/default".to_string())].into();
        let t = pod_template(&spec, Some(&annotations));
        assert_eq!((t.host_network, t.host_pid, t.host_ipc), (Some(true), Some(true), None));
        assert_eq!(t.service_account.as_deref(), Some("legacy"));
        assert!(t.is_windows());
        assert_eq!(t.security.run_as_user, Some(1000));
        assert_eq!(t.host_paths, [HostPathVolume { name: "logs".into(), path: "/var/log".into() }]);
        let app = &t.containers[0];
        assert_eq!((app.limits_cpu.as_deref(), app.limits_memory.as_deref()), (Some("100m"), None));
        assert_eq!(app.ports, [ContainerPort { container_port: 9001, host_port: Some(9001) }]);
        assert_eq!(app.apparmor_annotation.as_deref(), Some("runtime/default"));
        assert_eq!(app.host_path_mounts.len(), 1, "only hostPath mounts are kept");
        assert_eq!(t.containers[1].list, ContainerList::InitContainers);
    }
}
