//! Inside the cluster: what its Kubernetes API showed, in a compact form (WKL-…, K8S-…).
//!
//! Each list the reader makes is one [`Field`]: a value when every page was read, unknown with
//! the reason (unreachable, 401/403, timeout, a broken page) otherwise — never a shorter list.
//! Objects keep only what the checks judge, so a cluster of thousands of pods stays small;
//! the API's own names are kept (`hostNetwork`, `runAsUser`) and absent fields stay `None`.

use crate::field::Field;
use serde::{Deserialize, Serialize};

/// Evidence paths of the lists (the API path each was read from).
pub mod paths {
    pub const WORKLOADS: &str = "/api/v1/pods + /apis/apps/v1 + /apis/batch/v1";
    pub const SERVICES: &str = "/api/v1/services";
    pub const INGRESSES: &str = "/apis/networking.k8s.io/v1/ingresses";
    pub const SERVICE_ACCOUNTS: &str = "/api/v1/serviceaccounts";
    pub const ROLES: &str = "/apis/rbac.authorization.k8s.io/v1/roles";
    pub const CLUSTER_ROLES: &str = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
    pub const ROLE_BINDINGS: &str = "/apis/rbac.authorization.k8s.io/v1/rolebindings";
    pub const CLUSTER_ROLE_BINDINGS: &str = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
    pub const DEFAULT_CONFIG_MAPS: &str = "/api/v1/namespaces/default/configmaps";
    pub const DEFAULT_SECRETS: &str = "/api/v1/namespaces/default/secrets";
    pub const TOKEN_SECRETS: &str = "/api/v1/secrets?fieldSelector=type=kubernetes.io/service-account-token";
    pub const AWS_AUTH: &str = "/api/v1/namespaces/kube-system/configmaps/aws-auth";
}

/// Everything read from one cluster's Kubernetes API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataPlane {
    /// Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and pods, each judged
    /// once on its pod template (pods of a listed controller are not repeated).
    pub workloads: Field<Workloads>,
    pub services: Field<Vec<Service>>,
    pub ingresses: Field<Vec<Ingress>>,
    pub service_accounts: Field<Vec<ServiceAccount>>,
    pub roles: Field<Vec<Role>>,
    pub cluster_roles: Field<Vec<Role>>,
    pub role_bindings: Field<Vec<Binding>>,
    pub cluster_role_bindings: Field<Vec<Binding>>,
    /// Names of the ConfigMaps in `default` (metadata only).
    pub default_config_maps: Field<Vec<String>>,
    /// Names of the Secrets in `default` (metadata only: contents are never read).
    pub default_secrets: Field<Vec<String>>,
    /// Secrets of type `kubernetes.io/service-account-token`, by name (metadata only).
    pub token_secrets: Field<Vec<TokenSecret>>,
    /// EKS: `kube-system/aws-auth`, parsed; absent when the ConfigMap does not exist, unknown
    /// when it cannot be read or parsed. Absent on AKS.
    pub aws_auth: Field<AwsAuth>,
}

impl DataPlane {
    /// Nothing could be read; every list is unknown for `reason`.
    pub fn unknown(reason: &str) -> Self {
        use paths::*;
        macro_rules! u {
            ($p:expr) => {
                Field::unknown($p, reason)
            };
        }
        DataPlane {
            workloads: u!(WORKLOADS),
            services: u!(SERVICES),
            ingresses: u!(INGRESSES),
            service_accounts: u!(SERVICE_ACCOUNTS),
            roles: u!(ROLES),
            cluster_roles: u!(CLUSTER_ROLES),
            role_bindings: u!(ROLE_BINDINGS),
            cluster_role_bindings: u!(CLUSTER_ROLE_BINDINGS),
            default_config_maps: u!(DEFAULT_CONFIG_MAPS),
            default_secrets: u!(DEFAULT_SECRETS),
            token_secrets: u!(TOKEN_SECRETS),
            aws_auth: u!(AWS_AUTH),
        }
    }
}

/// The workloads of a cluster, and the kinds whose list could not be read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Workloads {
    pub items: Vec<Workload>,
    /// Kinds not listed (403, broken page…): their workloads are missing from `items`, except
    /// those with running pods, which are judged through the pods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
}

/// A list that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// `Deployments`, `Pods`, …
    pub kind: String,
    pub reason: String,
}

/// One workload judged on its pod template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub namespace: String,
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`, `Pod`, or the
    /// kind of a controller kubeposture does not list (`Rollout`) whose pods stand for it.
    pub kind: String,
    pub name: String,
    /// The template was read from one of the workload's pods, not from the object itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_pod: bool,
    pub pod: PodTemplate,
}

impl Workload {
    /// `namespace/Kind/name`: the subject id.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.namespace, self.kind, self.name)
    }

    /// The path of the pod spec inside the object, for evidence.
    pub fn spec_path(&self) -> &'static str {
        if self.from_pod || self.kind == "Pod" {
            return "spec";
        }
        match self.kind.as_str() {
            "CronJob" => "spec.jobTemplate.spec.template.spec",
            _ => "spec.template.spec",
        }
    }

    /// `ns/Kind/name:spec.template.spec.LEAF`.
    pub fn at(&self, leaf: &str) -> String {
        format!("{}:{}.{leaf}", self.id(), self.spec_path())
    }
}

/// A pod spec (`PodSpec` plus the template's AppArmor annotations), reduced to what is judged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PodTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_pid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<bool>,
    /// `serviceAccountName` (or the deprecated `serviceAccount`); `None`: the API's `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// `automountServiceAccountToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_token: Option<bool>,
    /// `os.name`, else the `kubernetes.io/os` node selector (`linux`, `windows`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Pod-level `securityContext`.
    #[serde(default)]
    pub security: SecurityContext,
    /// Only the `hostPath` volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_paths: Vec<HostPathVolume>,
    pub containers: Vec<Container>,
}

impl PodTemplate {
    /// Windows pods (no AppArmor, no Linux capabilities).
    pub fn is_windows(&self) -> bool {
        self.os.as_deref().is_some_and(|o| o.trim().eq_ignore_ascii_case("windows"))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostPathVolume {
    pub name: String,
    pub path: String,
}

/// Which list of the pod spec a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerList {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl ContainerList {
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::InitContainers => "initContainers",
            ContainerList::EphemeralContainers => "ephemeralContainers",
        }
    }
}

/// A `securityContext` (pod or container level; the pod level has no capabilities or
/// privilege flags, so those stay `None` there).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_root_filesystem: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities_add: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities_drop: Vec<String>,
    /// `appArmorProfile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparmor: Option<AppArmorProfile>,
}

/// `appArmorProfile`: `type` (`RuntimeDefault`, `Localhost`, `Unconfined`) and `localhostProfile`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppArmorProfile {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localhost_profile: Option<String>,
}

impl AppArmorProfile {
    /// The annotation spelling of the profile: `runtime/default`, `localhost/NAME`, `unconfined`.
    pub fn as_annotation(&self) -> String {
        match self.kind.as_str() {
            "RuntimeDefault" => "runtime/default".into(),
            "Unconfined" => "unconfined".into(),
            "Localhost" => format!("localhost/{}", self.localhost_profile.as_deref().unwrap_or("")),
            other => other.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub list: ContainerList,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    /// `resources.limits.cpu` / `.memory` as written (`100m`, `250Mi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_memory: Option<String>,
    #[serde(default)]
    pub security: SecurityContext,
    /// The legacy annotation `container.apparmor.security.beta.kubernetes.io/NAME` of the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparmor_annotation: Option<String>,
    /// Mounts of the pod's `hostPath` volumes (others are not kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_path_mounts: Vec<Mount>,
}

impl Container {
    /// `containers[NAME]`.
    pub fn at(&self) -> String {
        format!("{}[{}]", self.list.as_str(), self.name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerPort {
    pub container_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub volume: String,
    pub mount_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub ports: Vec<ServicePort>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePort {
    pub port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ingress {
    pub namespace: String,
    pub name: String,
    /// `spec.rules[].host`, `None` for a rule without a host.
    pub rules: Vec<Option<String>>,
    /// `spec.defaultBackend` is set.
    #[serde(default)]
    pub default_backend: bool,
    /// `spec.tls[].hosts`.
    pub tls: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_token: Option<bool>,
}

/// A Role (namespace set) or ClusterRole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub rules: Vec<PolicyRule>,
    /// Labelled `kubernetes.io/bootstrapping: rbac-defaults`: the API server's own default policy.
    #[serde(default)]
    pub bootstrap: bool,
}

impl Role {
    /// `ns/Role/name` or `ClusterRole/name`.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/Role/{}", self.name),
            None => format!("ClusterRole/{}", self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

/// A RoleBinding (namespace set) or ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// `roleRef.kind`: `Role` or `ClusterRole`.
    pub role_kind: String,
    pub role_name: String,
    pub subjects: Vec<RbacSubject>,
    #[serde(default)]
    pub bootstrap: bool,
}

impl Binding {
    /// `ns/RoleBinding/name` or `ClusterRoleBinding/name`.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/RoleBinding/{}", self.name),
            None => format!("ClusterRoleBinding/{}", self.name),
        }
    }
}

/// A binding's subject: `User`, `Group` or `ServiceAccount` (with its namespace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RbacSubject {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl RbacSubject {
    /// `Group system:authenticated`, `ServiceAccount team-a/default`.
    pub fn label(&self) -> String {
        match (&self.namespace, self.kind.as_str()) {
            (Some(ns), "ServiceAccount") => format!("ServiceAccount {ns}/{}", self.name),
            _ => format!("{} {}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSecret {
    pub namespace: String,
    pub name: String,
    /// The `kubernetes.io/service-account.name` annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
}

/// The `aws-auth` ConfigMap's mappings (`mapRoles`, `mapUsers`, `mapAccounts`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsAuth {
    pub map_roles: Vec<AwsAuthMapping>,
    pub map_users: Vec<AwsAuthMapping>,
    pub map_accounts: Vec<String>,
}

/// One `mapRoles` (`rolearn`) or `mapUsers` (`userarn`) entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsAuthMapping {
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub groups: Vec<String>,
}
