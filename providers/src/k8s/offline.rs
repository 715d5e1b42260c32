//! The model from objects already read — `kubectl get -o json` output, test fixtures — through
//! the same mapping as the live reader. Lists that could not be read are named with a reason.

use super::map::{self, Kind, WorkloadsBuilder};
use kubeposture_checks::Field;
use kubeposture_checks::model::{DataPlane, paths};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Objects of a List (`kind: List`, `PodList`, …) or the object itself.
fn flatten(objects: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for o in objects {
        match o.get("items").and_then(Value::as_array) {
            Some(items) if o.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List")) => {
                out.extend(items.iter().cloned())
            }
            _ => out.push(o),
        }
    }
    out
}

fn kind(o: &Value) -> &str {
    o.get("kind").and_then(Value::as_str).unwrap_or_default()
}

/// Builds the data plane from `objects`; `unreadable` lists resources (lower-case plural, as
/// in RBAC: `pods`, `secrets`) that could not be read, with the reason. `eks` reads `aws-auth`.
pub fn data_plane(objects: Vec<Value>, unreadable: &[(&str, &str)], eks: bool) -> Result<DataPlane, String> {
    let objects = flatten(objects);
    let denied = |plural: &str| unreadable.iter().find(|(p, _)| *p == plural).map(|(_, r)| r.to_string());
    fn typed<T: DeserializeOwned>(o: &Value) -> Result<T, String> {
        serde_json::from_value(o.clone()).map_err(|e| {
            format!("{} does not parse: {e}", o.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?"))
        })
    }
    fn all<T: DeserializeOwned>(objects: &[Value], k: &str) -> Result<Vec<T>, String> {
        objects.iter().filter(|o| kind(o) == k).map(typed).collect()
    }
    fn field<T, U>(
        path: &'static str,
        reason: Option<String>,
        items: Result<Vec<T>, String>,
        f: impl Fn(&T) -> U,
    ) -> Field<Vec<U>> {
        match (reason, items) {
            (Some(r), _) => Field::unknown(path, r),
            (None, Err(e)) => Field::unknown(path, e),
            (None, Ok(items)) => {
                let n = items.len();
                Field::value(path, items.iter().map(f).collect(), format!("{n} items"))
            }
        }
    }
    let mut b = WorkloadsBuilder::default();
    macro_rules! feed {
        ($kind:expr, $plural:expr, $k:expr, $method:ident) => {
            match denied($plural) {
                Some(r) => b.failed($kind, r),
                None => {
                    for o in all(&objects, $k)? {
                        b.$method(&o);
                    }
                }
            }
        };
    }
    feed!(Kind::CronJob, "cronjobs", "CronJob", cron_job);
    feed!(Kind::Deployment, "deployments", "Deployment", deployment);
    feed!(Kind::Job, "jobs", "Job", job);
    feed!(Kind::ReplicaSet, "replicasets", "ReplicaSet", replica_set);
    feed!(Kind::StatefulSet, "statefulsets", "StatefulSet", stateful_set);
    feed!(Kind::DaemonSet, "daemonsets", "DaemonSet", daemon_set);
    feed!(Kind::Pod, "pods", "Pod", pod);
    let workloads = b.finish();
    let raw = format!("{} workloads", workloads.items.len());
    let in_default =
        |o: &&Value| o.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("default") == "default";
    let names = |k: &str, plural: &str, path: &'static str| match denied(plural) {
        Some(r) => Field::unknown(path, r),
        None => {
            let n: Vec<String> = objects
                .iter()
                .filter(|o| kind(o) == k)
                .filter(in_default)
                .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string))
                .collect();
            let raw = format!("{} items", n.len());
            Field::value(path, n, raw)
        }
    };
    let token_secrets = match denied("secrets") {
        Some(r) => Field::unknown(paths::TOKEN_SECRETS, r),
        None => {
            let t: Vec<_> = objects
                .iter()
                .filter(|o| kind(o) == "Secret")
                .filter(|o| o.get("type").and_then(Value::as_str) == Some("kubernetes.io/service-account-token"))
                .map(typed::<k8s_openapi::api::core::v1::Secret>)
                .collect::<Result<Vec<_>, _>>()?
                .iter()
                .map(|s| map::token_secret(&s.metadata))
                .collect();
            let raw = format!("{} token Secrets", t.len());
            Field::value(paths::TOKEN_SECRETS, t, raw)
        }
    };
    let aws_auth = if !eks {
        Field::absent(paths::AWS_AUTH)
    } else if let Some(r) = denied("configmaps") {
        Field::unknown(paths::AWS_AUTH, r)
    } else {
        let cm = objects.iter().find(|o| {
            kind(o) == "ConfigMap"
                && o.pointer("/metadata/name").and_then(Value::as_str) == Some("aws-auth")
                && o.pointer("/metadata/namespace").and_then(Value::as_str) == Some("kube-system")
        });
        match cm.map(typed::<k8s_openapi::api::core::v1::ConfigMap>).transpose()? {
            None => Field::absent(paths::AWS_AUTH),
            Some(cm) => match super::aws_auth::parse(&cm.data.unwrap_or_default()) {
                Ok(a) => Field::value(paths::AWS_AUTH, a, "aws-auth"),
                Err(e) => Field::unknown(paths::AWS_AUTH, format!("the aws-auth ConfigMap cannot be parsed: {e}")),
            },
        }
    };
    Ok(DataPlane {
        workloads: Field::value(paths::WORKLOADS, workloads, raw),
        services: field(paths::SERVICES, denied("services"), all(&objects, "Service"), map::service),
        ingresses: field(paths::INGRESSES, denied("ingresses"), all(&objects, "Ingress"), map::ingress),
        service_accounts: field(
            paths::SERVICE_ACCOUNTS,
            denied("serviceaccounts"),
            all(&objects, "ServiceAccount"),
            map::service_account,
        ),
        roles: field(paths::ROLES, denied("roles"), all(&objects, "Role"), map::role),
        cluster_roles: field(
            paths::CLUSTER_ROLES,
            denied("clusterroles"),
            all(&objects, "ClusterRole"),
            map::cluster_role,
        ),
        role_bindings: field(
            paths::ROLE_BINDINGS,
            denied("rolebindings"),
            all(&objects, "RoleBinding"),
            map::role_binding,
        ),
        cluster_role_bindings: field(
            paths::CLUSTER_ROLE_BINDINGS,
            denied("clusterrolebindings"),
            all(&objects, "ClusterRoleBinding"),
            map::cluster_role_binding,
        ),
        default_config_maps: names("ConfigMap", "configmaps", paths::DEFAULT_CONFIG_MAPS),
        default_secrets: names("Secret", "secrets", paths::DEFAULT_SECRETS),
        token_secrets,
        aws_auth,
    })
}
