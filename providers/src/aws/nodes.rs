//! Nodes outside managed node groups and node identities without nodes: EC2 instances tagged
//! for the cluster, grouped into Karpenter node pools, EKS Auto Mode node pools and self-managed
//! groups (by Auto Scaling group), each with its launch template or its instances' metadata
//! options and the role behind its instance profile; and the roles of `EC2_LINUX`/`EC2_WINDOWS`
//! access entries.

use super::ec2::{self, TemplateRef, tag};
use super::eks::Clients;
use super::pages;
use aws_sdk_ec2::types::Instance;
use kubeposture_checks::Field;
use kubeposture_checks::model::{AccessEntry, Imds, NodeKind, NodePool, NodeRole};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Instance profile ARN → role ARNs (`ListInstanceProfiles`, once per account), or why not.
pub type Profiles = Result<HashMap<String, Vec<String>>, String>;

pub async fn list_profiles(iam: &aws_sdk_iam::Client) -> Profiles {
    let listed = pages::all("ListInstanceProfiles", iam.list_instance_profiles().into_paginator().send(), |o| {
        o.instance_profiles
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(listed.iter().map(|p| (p.arn().to_string(), p.roles().iter().map(|r| r.arn().to_string()).collect())).collect())
}

/// The kind of node and the pool it belongs to; `None` for managed node group instances.
pub fn kind_of(i: &Instance) -> Option<(NodeKind, String)> {
    if tag(i, "eks:nodegroup-name").is_some() {
        return None;
    }
    let pool = tag(i, "eks:kubernetes-node-pool-name").or(tag(i, "karpenter.sh/nodepool"));
    if tag(i, "aws:eks:cluster-name").is_some() {
        return Some((NodeKind::AutoMode, pool.unwrap_or("(unnamed)").to_string()));
    }
    if let Some(p) = tag(i, "karpenter.sh/nodepool") {
        return Some((NodeKind::Karpenter, p.to_string()));
    }
    match tag(i, "aws:autoscaling:groupName") {
        Some(asg) => Some((NodeKind::SelfManaged, asg.to_string())),
        None => Some((NodeKind::SelfManaged, "standalone instances".to_string())),
    }
}

/// The pools of the cluster's nodes outside managed node groups.
pub async fn other_pools(c: &Clients<'_>, cluster: &str) -> Vec<NodePool> {
    let all = match c.instances {
        Ok(all) => all,
        Err(reason) => {
            // The list of nodes is incomplete: never a shorter list, one pool that says why.
            let path = "instances".to_string();
            let why = format!("the cluster's instances could not be listed: {reason}");
            return vec![NodePool {
                name: "instances outside managed node groups".into(),
                kind: NodeKind::SelfManaged,
                mode: Field::absent(format!("{path}.mode")),
                os_type: Field::absent(format!("{path}.osType")),
                encryption_at_host: Field::absent(format!("{path}.encryptionAtHost")),
                imds: Field::unknown(path.clone(), why.clone()),
                node_role: Field::unknown(format!("{path}.nodeRole"), why),
                path,
            }];
        }
    };
    // Group by kind and pool, then by instance profile (a role each).
    let mut groups: BTreeMap<(NodeKind, String, Option<String>), Vec<&Instance>> = BTreeMap::new();
    for i in all.iter().filter(|i| ec2::belongs_to(i, cluster)) {
        if let Some((kind, name)) = kind_of(i) {
            let profile = i.iam_instance_profile().and_then(|p| p.arn()).map(str::to_string);
            groups.entry((kind, name, profile)).or_default().push(i);
        }
    }
    let profiles_per_pool = {
        let mut n: HashMap<(NodeKind, String), usize> = HashMap::new();
        for (kind, name, _) in groups.keys() {
            *n.entry((*kind, name.clone())).or_default() += 1;
        }
        n
    };
    let mut out = Vec::new();
    for ((kind, name, profile), members) in groups {
        let label = match (&profile, profiles_per_pool[&(kind, name.clone())]) {
            (Some(p), n) if n > 1 => format!("{name} (profile {})", p.rsplit('/').next().unwrap_or(p)),
            _ => name.clone(),
        };
        let path = format!("instances[{}]", kind.describe(&label));
        let imds = pool_imds(c, kind, &path, &members).await;
        let node_role = match &profile {
            Some(p) => role_of_profile(c, p, &format!("{path}.IamInstanceProfile")).await,
            None => Field::absent(format!("{path}.IamInstanceProfile")),
        };
        out.push(NodePool {
            name: label,
            kind,
            mode: Field::absent(format!("{path}.mode")),
            os_type: Field::absent(format!("{path}.osType")),
            encryption_at_host: Field::absent(format!("{path}.encryptionAtHost")),
            imds,
            node_role,
            path,
        });
    }
    out
}

/// The launch template id and version an instance was launched from (its EC2 tags).
fn template_of(i: &Instance) -> Option<(&str, &str)> {
    Some((tag(i, "aws:ec2launchtemplate:id")?, tag(i, "aws:ec2launchtemplate:version")?))
}

/// The launch template versions the instances were launched from (skipped for Auto Mode,
/// whose templates EKS owns), else the instances themselves. An instance without a template
/// (a launch configuration's, one launched by hand) is read by itself: never left out.
async fn pool_imds(c: &Clients<'_>, kind: NodeKind, path: &str, members: &[&Instance]) -> Field<Vec<Imds>> {
    let mut templates: Vec<(&str, &str)> = members.iter().filter_map(|i| template_of(i)).collect();
    templates.sort_unstable();
    templates.dedup();
    let running = || ec2::from_instances(format!("{path}.instances"), members, "no instance to read from");
    if kind == NodeKind::AutoMode || templates.is_empty() {
        return running();
    }
    let mut sources: Vec<Imds> =
        members.iter().filter(|i| template_of(i).is_none()).map(|i| ec2::instance_imds(i)).collect();
    let raw = match sources.len() {
        0 => format!("{} launch template version(s)", templates.len()),
        n => format!("{} launch template version(s), {n} instance(s) launched without one", templates.len()),
    };
    for (id, version) in templates {
        let t = TemplateRef { id: Some(id), name: None, version: Some(version) };
        let field = ec2::from_launch_template(c.ec2, format!("{path}.launchTemplate"), t).await;
        match field.get() {
            Some(v) => sources.extend(v.iter().cloned()),
            None => return field,
        }
    }
    ec2::effective(Field::value(format!("{path}.launchTemplate"), sources, raw), running)
}

async fn role_of_profile(c: &Clients<'_>, profile: &str, path: &str) -> Field<Arc<NodeRole>> {
    let profiles = c.profiles.get_or_init(|| async { Arc::new(list_profiles(c.iam).await) }).await;
    let roles = match profiles.as_ref() {
        Ok(map) => map.get(profile),
        Err(e) => return Field::unknown(path.to_string(), e.clone()),
    };
    match roles.map(Vec::as_slice) {
        Some([role]) => c.node_roles.get(c.iam, role, path).await,
        Some([]) => Field::absent(path.to_string()),
        Some(_) => Field::unknown(path.to_string(), format!("instance profile {profile} holds more than one role")),
        None => Field::unknown(path.to_string(), format!("instance profile {profile} is not in ListInstanceProfiles")),
    }
}

/// Access entry types whose principal is a node role: `EC2_LINUX`, `EC2_WINDOWS`, `EC2` (the
/// custom node role of EKS Auto Mode), `HYBRID_LINUX` (EKS Hybrid Nodes) and `HYPERPOD_LINUX`
/// (SageMaker HyperPod nodes).
const NODE_ENTRY_TYPES: [&str; 5] = ["EC2_LINUX", "EC2_WINDOWS", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"];

/// Access entry types whose principal is not a node role: people and CI (`STANDARD`), and Fargate
/// pod execution roles (no instance metadata pods could reach).
const OTHER_ENTRY_TYPES: [&str; 2] = ["STANDARD", "FARGATE_LINUX"];

/// The node roles of `EC2_LINUX`/`EC2_WINDOWS`/`EC2` access entries, as pools without nodes. When
/// the entries could not be listed (and the cluster is not in `CONFIG_MAP` mode, where it has
/// none), one pool says the node roles are unknown.
pub async fn access_entry_pools(
    c: &Clients<'_>,
    entries: &Field<Vec<AccessEntry>>,
    authentication_mode: Option<&str>,
) -> Vec<NodePool> {
    let pool = |name: String, path: String, node_role| role_pool(NodeKind::AccessEntry, name, path, node_role);
    let Some(list) = entries.get() else {
        return match entries.unknown_reason() {
            Some(reason) if authentication_mode != Some("CONFIG_MAP") => {
                let path = entries.path.to_string();
                let why =
                    format!("the access entries could not be listed, so their EC2 node roles are unknown: {reason}");
                vec![pool("EC2 access entries".into(), path.clone(), Field::unknown(path, why))]
            }
            _ => vec![],
        };
    };
    let mut out = Vec::new();
    for e in list {
        let Some(k) = e.kind.get() else {
            // DescribeAccessEntry failed: the entry may be an EC2 node role, never silently left out.
            if let Some(reason) = e.kind.unknown_reason() {
                let why = format!("whether access entry {} is an EC2 node role is unknown: {reason}", e.principal_arn);
                out.push(pool(e.principal_arn.clone(), e.path.clone(), Field::unknown(e.path.clone(), why)));
            }
            continue;
        };
        let is = |types: &[&str]| types.iter().any(|t| k.trim().eq_ignore_ascii_case(t));
        if is(&NODE_ENTRY_TYPES) {
            let role = c.node_roles.get(c.iam, &e.principal_arn, &format!("{}.principalArn", e.path)).await;
            out.push(pool(e.principal_arn.clone(), e.path.clone(), role));
        } else if !is(&OTHER_ENTRY_TYPES) {
            // A type this scanner does not know may be a node's: never silently left out.
            let why =
                format!("access entry type {k} is not known, so whether {} is a node role is unknown", e.principal_arn);
            out.push(pool(e.principal_arn.clone(), e.path.clone(), Field::unknown(format!("{}.type", e.path), why)));
        }
    }
    out
}

/// The node role EKS Auto Mode assigns to the instances it launches (`computeConfig.nodeRoleArn`),
/// as a pool without nodes: it is a node role even while no instance runs. `None` when the
/// cluster's Auto Mode compute is off (`enabled: false`) or names no role.
pub async fn auto_mode_pool(
    c: &Clients<'_>,
    compute: Option<&aws_sdk_eks::types::ComputeConfigResponse>,
) -> Option<NodePool> {
    let compute = compute?;
    if compute.enabled() == Some(false) {
        return None;
    }
    let arn = compute.node_role_arn().filter(|a| !a.trim().is_empty())?;
    let path = "computeConfig".to_string();
    let node_role = c.node_roles.get(c.iam, arn, &format!("{path}.nodeRoleArn")).await;
    Some(role_pool(NodeKind::AutoModeNodeRole, arn.to_string(), path, node_role))
}

/// A node role without nodes of its own (an access entry's, Auto Mode's): no instance metadata.
fn role_pool(kind: NodeKind, name: String, path: String, node_role: Field<Arc<NodeRole>>) -> NodePool {
    NodePool {
        name,
        kind,
        mode: Field::absent(format!("{path}.mode")),
        os_type: Field::absent(format!("{path}.type")),
        encryption_at_host: Field::absent(format!("{path}.encryptionAtHost")),
        imds: Field::absent(format!("{path}.imds")),
        node_role,
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::tests::instance;

    #[test]
    fn each_instance_is_classified_by_its_tags() {
        let kind = |tags: &[(&str, &str)]| kind_of(&instance(tags));
        assert_eq!(kind(&[("eks:cluster-name", "c"), ("eks:nodegroup-name", "ng")]), None);
        assert_eq!(
            kind(&[("aws:eks:cluster-name", "c"), ("eks:kubernetes-node-pool-name", "system")]),
            Some((NodeKind::AutoMode, "system".into()))
        );
        assert_eq!(
            kind(&[("eks:eks-cluster-name", "c"), ("karpenter.sh/nodepool", "default")]),
            Some((NodeKind::Karpenter, "default".into()))
        );
        assert_eq!(
            kind(&[("kubernetes.io/cluster/c", "owned"), ("aws:autoscaling:groupName", "workers")]),
            Some((NodeKind::SelfManaged, "workers".into()))
        );
        assert_eq!(
            kind(&[("kubernetes.io/cluster/c", "shared")]),
            Some((NodeKind::SelfManaged, "standalone instances".into()))
        );
    }
}
