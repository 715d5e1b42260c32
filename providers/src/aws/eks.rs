//! Per-cluster EKS reads: node groups (with their IMDS options and node roles), access entries
//! with their access policies, add-ons, and the region's version catalog.

use super::ec2::{self, RegionInstances, TemplateRef};
use super::error::err;
use super::iam::NodeRoles;
use super::nodes;
use super::pages;
use aws_sdk_ec2::types::Instance;
use aws_sdk_eks::Client;
use aws_smithy_types::date_time::Format;
use kubeposture_checks::Field;
use kubeposture_checks::model::{
    AccessEntry, AccessPolicy, Addon, CatalogVersion, Imds, NodeKind, NodePool, VersionCatalog, is_policy_engine_addon,
};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The clients one cluster's collection uses.
pub struct Clients<'a> {
    pub eks: &'a Client,
    pub ec2: &'a aws_sdk_ec2::Client,
    pub iam: &'a aws_sdk_iam::Client,
    pub node_roles: &'a NodeRoles,
    /// The region's instances tagged for clusters (one `DescribeInstances` per region).
    pub instances: &'a RegionInstances,
    /// The account's instance profiles, read on first need.
    pub profiles: &'a OnceCell<Arc<nodes::Profiles>>,
}

/// Managed node groups, then every other kind of node tagged for the cluster.
pub async fn node_pools(c: &Clients<'_>, cluster: &str) -> Field<Vec<NodePool>> {
    const PATH: &str = "nodegroups";
    let pager = c.eks.list_nodegroups().cluster_name(cluster).into_paginator().send();
    let names = pages::all("ListNodegroups", pager, |o| o.nodegroups.unwrap_or_default()).await;
    let names = match names {
        Ok(n) => n,
        Err(e) => return Field::unknown(PATH, e.to_string()),
    };
    let mut pools = futures::future::join_all(names.iter().map(|n| node_pool(c, cluster, n))).await;
    let others = nodes::other_pools(c, cluster).await;
    let raw = format!(
        "[{}]",
        names.iter().cloned().chain(others.iter().map(|p| p.kind.describe(&p.name))).collect::<Vec<_>>().join(", ")
    );
    pools.extend(others);
    Field::value(PATH, pools, raw)
}

/// A managed node group's running instances (from the region's tagged instances).
fn running(c: &Clients<'_>, path: String, cluster: &str, nodegroup: &str) -> Field<Vec<Imds>> {
    match c.instances {
        Ok(all) => {
            let mine: Vec<&Instance> = all
                .iter()
                .filter(|i| ec2::belongs_to(i, cluster) && ec2::tag(i, "eks:nodegroup-name") == Some(nodegroup))
                .collect();
            ec2::from_instances(
                path,
                &mine,
                "the node group has no launch template and no running instances to read from",
            )
        }
        Err(reason) => Field::unknown(path, reason.clone()),
    }
}

async fn node_pool(c: &Clients<'_>, cluster: &str, name: &str) -> NodePool {
    let base = format!("nodegroups[{name}]");
    let at = |leaf: &str| format!("{base}.{leaf}");
    let described = c.eks.describe_nodegroup().cluster_name(cluster).nodegroup_name(name).send().await;
    let ng = match described.map_err(err("DescribeNodegroup")) {
        Ok(o) => o.nodegroup,
        Err(e) => {
            let reason = e.to_string();
            return NodePool {
                name: name.to_string(),
                kind: NodeKind::ManagedNodeGroup,
                mode: Field::absent(at("mode")),
                os_type: Field::unknown(at("amiType"), reason.clone()),
                encryption_at_host: Field::absent(at("encryptionAtHost")),
                imds: Field::unknown(at("imds"), reason.clone()),
                node_role: Field::unknown(at("nodeRole"), reason),
                path: base,
            };
        }
    };
    let ng = ng.as_ref();
    let imds = match ng.and_then(|n| n.launch_template()) {
        Some(lt) => {
            let t = TemplateRef { id: lt.id(), name: lt.name(), version: lt.version() };
            let from_template = ec2::from_launch_template(c.ec2, at("launchTemplate"), t).await;
            // A template that leaves an option unset defers to the AMI's and account's defaults;
            // the running instances then show what is in effect.
            ec2::effective(from_template, || running(c, at("instances"), cluster, name))
        }
        None => running(c, at("instances"), cluster, name),
    };
    let node_role = match ng.and_then(|n| n.node_role()) {
        Some(arn) => c.node_roles.get(c.iam, arn, &at("nodeRole")).await,
        None => Field::absent(at("nodeRole")),
    };
    NodePool {
        name: name.to_string(),
        kind: NodeKind::ManagedNodeGroup,
        mode: Field::from_option(
            at("capacityType"),
            ng.and_then(|n| n.capacity_type()).map(|t| t.as_str().to_string()),
        ),
        os_type: Field::from_option(at("amiType"), ng.and_then(|n| n.ami_type()).map(|t| t.as_str().to_string())),
        encryption_at_host: Field::absent(at("encryptionAtHost")),
        imds,
        node_role,
        path: base,
    }
}

pub async fn access_entries(eks: &Client, cluster: &str) -> Field<Vec<AccessEntry>> {
    const PATH: &str = "accessEntries";
    let pager = eks.list_access_entries().cluster_name(cluster).into_paginator().send();
    let arns = pages::all("ListAccessEntries", pager, |o| o.access_entries.unwrap_or_default()).await;
    let arns = match arns {
        Ok(a) => a,
        Err(e) => return Field::unknown(PATH, e.to_string()),
    };
    let entries = futures::future::join_all(arns.iter().map(|a| access_entry(eks, cluster, a))).await;
    let raw = format!("{} entr{}", entries.len(), if entries.len() == 1 { "y" } else { "ies" });
    Field::value(PATH, entries, raw)
}

async fn access_entry(eks: &Client, cluster: &str, principal: &str) -> AccessEntry {
    let path = format!("accessEntries[{principal}]");
    let (described, policies) = tokio::join!(
        eks.describe_access_entry().cluster_name(cluster).principal_arn(principal).send(),
        pages::all(
            "ListAssociatedAccessPolicies",
            eks.list_associated_access_policies()
                .cluster_name(cluster)
                .principal_arn(principal)
                .into_paginator()
                .send(),
            |o| o.associated_access_policies.unwrap_or_default()
        )
    );
    let policies_path = format!("{path}.associatedAccessPolicies");
    let policies = match policies {
        Ok(list) => {
            let mapped: Vec<AccessPolicy> = list
                .iter()
                .map(|p| AccessPolicy {
                    policy_arn: p.policy_arn().unwrap_or_default().to_string(),
                    scope: p
                        .access_scope()
                        .and_then(|s| s.r#type())
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    namespaces: p.access_scope().map(|s| s.namespaces().to_vec()).unwrap_or_default(),
                })
                .collect();
            let raw = mapped
                .iter()
                .map(|p| format!("{} ({})", p.policy_arn.rsplit('/').next().unwrap_or(&p.policy_arn), p.scope))
                .collect::<Vec<_>>()
                .join(", ");
            Field::value(policies_path, mapped, format!("[{raw}]"))
        }
        Err(e) => Field::unknown(policies_path, e.to_string()),
    };
    // The principal is known from the list; its type, username and groups only from the
    // description: a failed one leaves them unknown, never empty.
    let at = |leaf: &str| format!("{path}.{leaf}");
    let (kind, username, kubernetes_groups) = match described.map_err(err("DescribeAccessEntry")) {
        Ok(d) => {
            let e = d.access_entry;
            let e = e.as_ref();
            (
                Field::from_option(at("type"), e.and_then(|e| e.r#type()).map(str::to_string)),
                Field::from_option(at("username"), e.and_then(|e| e.username()).map(str::to_string)),
                match e {
                    Some(e) => Field::value(
                        at("kubernetesGroups"),
                        e.kubernetes_groups().to_vec(),
                        e.kubernetes_groups().join(", "),
                    ),
                    None => Field::unknown(at("kubernetesGroups"), "DescribeAccessEntry returned no accessEntry"),
                },
            )
        }
        Err(e) => {
            let why = e.to_string();
            (
                Field::unknown(at("type"), why.clone()),
                Field::unknown(at("username"), why.clone()),
                Field::unknown(at("kubernetesGroups"), why),
            )
        }
    };
    AccessEntry { path, principal_arn: principal.to_string(), kind, username, kubernetes_groups, policies }
}

/// Add-ons; `vpc-cni` and NetworkPolicy engines are described (their configuration and status
/// decide network policy), the others only listed.
pub async fn addons(eks: &Client, cluster: &str) -> Field<Vec<Addon>> {
    const PATH: &str = "addons";
    let pager = eks.list_addons().cluster_name(cluster).into_paginator().send();
    let names = pages::all("ListAddons", pager, |o| o.addons.unwrap_or_default()).await;
    let names = match names {
        Ok(n) => n,
        Err(e) => return Field::unknown(PATH, e.to_string()),
    };
    let mut out = Vec::new();
    for name in &names {
        let path = format!("addons[{name}]");
        let config_path = format!("{path}.configurationValues");
        let status_path = format!("{path}.status");
        if name != "vpc-cni" && !is_policy_engine_addon(name) {
            out.push(Addon {
                path,
                name: name.clone(),
                version: None,
                configuration: Field::absent(config_path),
                service_account_role_arn: None,
                status: Field::absent(status_path),
            });
            continue;
        }
        let described = eks.describe_addon().cluster_name(cluster).addon_name(name).send().await;
        let addon = match described.map_err(err("DescribeAddon")) {
            Ok(d) => d.addon,
            Err(e) => {
                let reason = e.to_string();
                out.push(Addon {
                    path,
                    name: name.clone(),
                    version: None,
                    configuration: Field::unknown(config_path, reason.clone()),
                    service_account_role_arn: None,
                    status: Field::unknown(status_path, reason),
                });
                continue;
            }
        };
        let a = addon.as_ref();
        out.push(Addon {
            path,
            name: name.clone(),
            version: a.and_then(|a| a.addon_version()).map(str::to_string),
            configuration: configuration(config_path, a.and_then(|a| a.configuration_values())),
            service_account_role_arn: a.and_then(|a| a.service_account_role_arn()).map(str::to_string),
            status: match a.and_then(|a| a.status()) {
                Some(s) => Field::value(status_path, s.as_str().to_string(), s.as_str()),
                None => Field::absent(status_path),
            },
        });
    }
    Field::value(PATH, out, format!("[{}]", names.join(", ")))
}

/// The most nesting and text `configurationValues` may have: the YAML parser is superlinear on
/// deep nesting, and no add-on schema nests this deep.
const CONFIG_MAX_DEPTH: usize = 64;
const CONFIG_MAX_BYTES: usize = 1 << 20;

/// `configurationValues`: JSON or YAML text; empty means unset. JSON is read first (linear); YAML
/// only within [`CONFIG_MAX_DEPTH`] and [`CONFIG_MAX_BYTES`], else the value is unknown.
fn configuration(path: String, text: Option<&str>) -> Field<serde_json::Value> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Field::absent(path);
    };
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return Field::value(path, v, text.to_string());
    }
    if text.len() > CONFIG_MAX_BYTES {
        return Field::unknown(path, format!("configurationValues is {} bytes, more than is read", text.len()));
    }
    if nesting(text) > CONFIG_MAX_DEPTH {
        return Field::unknown(path, format!("configurationValues nests deeper than {CONFIG_MAX_DEPTH} levels"));
    }
    match serde_yaml_ng::from_str::<serde_json::Value>(text) {
        Ok(v) => Field::value(path, v, text.to_string()),
        Err(e) => Field::unknown(path, format!("configurationValues is neither JSON nor YAML: {e}")),
    }
}

/// An upper bound on a YAML text's nesting: open flow brackets plus indentation steps of a line.
fn nesting(text: &str) -> usize {
    let mut flow: usize = 0;
    let mut deepest = 0;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        for b in line.bytes() {
            match b {
                b'[' | b'{' => flow += 1,
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(flow + indent / 2);
        }
    }
    deepest
}

/// `DescribeClusterVersions` → the region's catalog.
pub async fn versions(eks: &Client, region: &str) -> Field<Arc<VersionCatalog>> {
    let path = format!("clusterVersions[{region}]");
    let pager = eks.describe_cluster_versions().include_all(true).into_paginator().send();
    let listed = pages::all("DescribeClusterVersions", pager, |o| o.cluster_versions.unwrap_or_default()).await;
    let listed = match listed {
        Ok(l) => l,
        Err(e) => return Field::unknown(path, e.to_string()),
    };
    let versions: Vec<CatalogVersion> = listed
        .iter()
        .filter_map(|v| {
            let mut support: Vec<String> = Vec::new();
            let states = [v.version_status().map(|s| s.as_str()), v.status().map(|s| s.as_str())];
            for s in states.into_iter().flatten() {
                let s = s.to_ascii_uppercase().replace('-', "_");
                if !support.contains(&s) {
                    support.push(s);
                }
            }
            Some(CatalogVersion {
                minor: v.cluster_version()?.to_string(),
                support,
                preview: false,
                end_of_standard_support: v.end_of_standard_support_date().and_then(|d| d.fmt(Format::DateTime).ok()),
            })
        })
        .collect();
    let raw = versions.iter().map(|v| format!("{} {}", v.minor, v.support.join("/"))).collect::<Vec<_>>().join(", ");
    Field::value(path, Arc::new(VersionCatalog { versions }), raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_values_are_json_or_yaml() {
        let json = configuration("p".into(), Some(r#"{"enableNetworkPolicy": "true"}"#));
        assert_eq!(json.get().unwrap()["enableNetworkPolicy"], "true");
        let yaml = configuration("p".into(), Some("enableNetworkPolicy: \"true\"\nenv:\n  X: 1\n"));
        assert_eq!(yaml.get().unwrap()["enableNetworkPolicy"], "true");
        assert!(configuration("p".into(), Some("  ")).get().is_none());
        assert!(configuration("p".into(), Some("{not: [json")).is_unknown());
    }

    #[test]
    fn deep_configuration_values_are_unknown_in_linear_time() {
        for deep in [
            "[".repeat(100_000),
            format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)),
            (0..100).map(|i| format!("{}a:\n", "  ".repeat(i))).collect(),
        ] {
            let started = std::time::Instant::now();
            let f = configuration("p".into(), Some(&deep));
            assert!(f.is_unknown(), "{:?}", f.unknown_reason());
            // A hang guard, not a benchmark: the quadratic parse took tens of seconds.
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        let nested = "a:\n  b:\n    c: [1, {d: 2}]\n";
        assert_eq!(configuration("p".into(), Some(nested)).get().unwrap()["a"]["b"]["c"][1]["d"], 2);
    }
}
