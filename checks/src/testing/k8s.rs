//! Data-plane fixtures: a hardened set of in-cluster objects (what the Kubernetes API of a
//! well-run cluster shows) that check tests then break.

use crate::field::Field;
use crate::model::*;

/// A container that passes every WKL check.
pub fn hardened_container(name: &str, image: &str) -> Container {
    Container {
        name: name.into(),
        list: ContainerList::Containers,
        image: Some(image.into()),
        ports: vec![ContainerPort { container_port: 8080, host_port: None }],
        limits_cpu: Some("500m".into()),
        limits_memory: Some("256Mi".into()),
        security: SecurityContext {
            privileged: Some(false),
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(10001),
            capabilities_add: vec![],
            capabilities_drop: vec!["ALL".into()],
            apparmor: Some(AppArmorProfile { kind: "RuntimeDefault".into(), localhost_profile: None }),
        },
        apparmor_annotation: None,
        host_path_mounts: vec![],
    }
}

/// `shop/Deployment/web`: passes every WKL check.
pub fn hardened_workload() -> Workload {
    Workload {
        namespace: "shop".into(),
        kind: "Deployment".into(),
        name: "web".into(),
        from_pod: false,
        pod: PodTemplate {
            service_account: Some("web".into()),
            automount_token: Some(false),
            security: SecurityContext { run_as_non_root: Some(true), run_as_user: Some(10001), ..Default::default() },
            containers: vec![hardened_container("web", "contosoacr.azurecr.io/shop/web:1.4.2")],
            ..Default::default()
        },
    }
}

fn value<T>(path: &'static str, v: T) -> Field<T> {
    Field::value(path, v, "(listed)")
}

fn names(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| s.to_string()).collect()
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    PolicyRule {
        verbs: names(verbs),
        api_groups: names(groups),
        resources: names(resources),
        non_resource_urls: vec![],
    }
}

fn subject(kind: &str, name: &str, namespace: Option<&str>) -> RbacSubject {
    RbacSubject { kind: kind.into(), name: name.into(), namespace: namespace.map(str::to_string) }
}

/// `cluster-admin` as every API server defines it (bootstrap policy).
pub fn cluster_admin_role() -> Role {
    Role {
        namespace: None,
        name: "cluster-admin".into(),
        rules: vec![
            rule(&["*"], &["*"], &["*"]),
            PolicyRule {
                verbs: names(&["*"]),
                api_groups: vec![],
                resources: vec![],
                non_resource_urls: names(&["*"]),
            },
        ],
        bootstrap: true,
    }
}

/// A ClusterRoleBinding (not bootstrap) of `role` to `subjects` (`(kind, name, namespace)`).
pub fn cluster_binding(name: &str, role: &str, subjects: &[(&str, &str, Option<&str>)]) -> Binding {
    Binding {
        namespace: None,
        name: name.into(),
        role_kind: "ClusterRole".into(),
        role_name: role.into(),
        subjects: subjects.iter().map(|(k, n, ns)| subject(k, n, *ns)).collect(),
        bootstrap: false,
    }
}

/// What a hardened cluster's API shows: one hardened Deployment behind a TLS Ingress, service
/// accounts without token automount, a namespaced reader role, the default RBAC policy, no
/// legacy token Secrets; on EKS an `aws-auth` mapping only the node role.
pub fn hardened_data_plane(cloud: Cloud) -> DataPlane {
    use paths::*;
    let reader = Role {
        namespace: Some("shop".into()),
        name: "pod-reader".into(),
        rules: vec![rule(&["get", "list", "watch"], &[""], &["pods", "pods/log"])],
        bootstrap: false,
    };
    let reader_binding = Binding {
        namespace: Some("shop".into()),
        name: "devs-read-pods".into(),
        role_kind: "Role".into(),
        role_name: "pod-reader".into(),
        subjects: vec![subject("Group", "shop-devs", None)],
        bootstrap: false,
    };
    let default_admin = Binding {
        namespace: None,
        name: "cluster-admin".into(),
        role_kind: "ClusterRole".into(),
        role_name: "cluster-admin".into(),
        subjects: vec![subject("Group", "system:masters", None)],
        bootstrap: true,
    };
    let aws_auth = match cloud {
        Cloud::Eks => value(
            AWS_AUTH,
            AwsAuth {
                map_roles: vec![AwsAuthMapping {
                    arn: "arn:aws:iam::111122223333:role/eks-node".into(),
                    username: Some("system:node:{{EC2PrivateDNSName}}".into()),
                    groups: names(&["system:bootstrappers", "system:nodes"]),
                }],
                ..Default::default()
            },
        ),
        Cloud::Aks => Field::absent(AWS_AUTH),
    };
    DataPlane {
        workloads: value(WORKLOADS, Workloads { items: vec![hardened_workload()], gaps: vec![] }),
        services: value(
            SERVICES,
            vec![
                Service {
                    namespace: "default".into(),
                    name: "kubernetes".into(),
                    kind: Some("ClusterIP".into()),
                    ports: vec![ServicePort { port: 443, node_port: None }],
                },
                Service {
                    namespace: "shop".into(),
                    name: "web".into(),
                    kind: Some("ClusterIP".into()),
                    ports: vec![ServicePort { port: 443, node_port: None }],
                },
            ],
        ),
        ingresses: value(
            INGRESSES,
            vec![Ingress {
                namespace: "shop".into(),
                name: "web".into(),
                rules: vec![Some("shop.contoso.com".into())],
                default_backend: false,
                tls: vec![names(&["shop.contoso.com"])],
            }],
        ),
        service_accounts: value(
            SERVICE_ACCOUNTS,
            ["default", "web"]
                .iter()
                .map(|n| ServiceAccount { namespace: "shop".into(), name: n.to_string(), automount_token: Some(false) })
                .collect(),
        ),
        roles: value(ROLES, vec![reader]),
        cluster_roles: value(CLUSTER_ROLES, vec![cluster_admin_role()]),
        role_bindings: value(ROLE_BINDINGS, vec![reader_binding]),
        cluster_role_bindings: value(CLUSTER_ROLE_BINDINGS, vec![default_admin]),
        default_config_maps: value(DEFAULT_CONFIG_MAPS, names(&["kube-root-ca.crt"])),
        default_secrets: value(DEFAULT_SECRETS, vec![]),
        token_secrets: value(TOKEN_SECRETS, vec![]),
        aws_auth,
    }
}

/// The listed value of a field, for editing in place (panics on a field without a value).
pub fn listed<T>(f: &mut Field<T>) -> &mut T {
    match &mut f.obs {
        crate::field::Obs::Value { value, .. } => value,
        _ => panic!("{} has no value", f.path),
    }
}

/// Edits the first workload of the cluster.
pub fn edit_workload(c: &mut Cluster, edit: impl FnOnce(&mut Workload)) {
    edit(&mut listed(&mut c.data_plane.workloads).items[0]);
}

/// Edits the first container of the first workload.
pub fn edit_container(c: &mut Cluster, edit: impl FnOnce(&mut Container)) {
    edit_workload(c, |w| edit(&mut w.pod.containers[0]));
}

/// Adds a workload.
pub fn push_workload(c: &mut Cluster, w: Workload) {
    listed(&mut c.data_plane.workloads).items.push(w);
}
