//! The minimal plan: the calls a scan of the generated estate must make when it reads each thing
//! once — subscriptions and accounts once, IAM once per account, the version catalog once per
//! location or region, each role definition, managed policy, admin group and admin user once
//! per scan, and per cluster only what is that cluster's own — its Kubernetes API included.

use crate::estate::{LOCATIONS, NODE_POLICIES, REGIONS, Shape, aks_has_entra};
use std::collections::BTreeMap;

/// Items per page of the mock (its default) and of Organizations' `ListAccounts` (at most 20).
const PAGE: usize = 100;
const ORG_PAGE: usize = 20;

fn pages(items: usize, size: usize) -> u64 {
    items.div_ceil(size).max(1) as u64
}

/// Lists of one cluster's Kubernetes API, one page each in the generated clusters (fewer objects
/// than a page): Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, Pods,
/// Services, Ingresses, ServiceAccounts, Roles, ClusterRoles, RoleBindings, ClusterRoleBindings,
/// ConfigMaps and Secrets of `default`, service-account token Secrets (docs/dataplane.md).
const K8S_LISTS: u64 = 17;

/// Calls by operation (the mock's counter names).
pub fn minimal(shape: &Shape) -> BTreeMap<String, u64> {
    let mut p: BTreeMap<String, u64> = BTreeMap::new();
    let mut add = |op: &str, n: u64| *p.entry(op.to_string()).or_default() += n;
    if shape.aks > 0 {
        let subs = shape.subscriptions();
        add("token", 2); // ARM and Graph
        add("listSubscriptions", pages(subs, PAGE));
        for s in 0..subs {
            add("listManagedClusters", pages(shape.aks_in(s), PAGE));
        }
        // Authorization, once per subscription (3 assignments, no PIM instances).
        add("listRoleAssignments", subs as u64);
        add("listRoleEligibilityScheduleInstances", subs as u64);
        add("listRoleAssignmentScheduleInstances", subs as u64);
        // Principal names of each subscription's assignments (the admin group's eligible user
        // is named in the same batch as the first subscription's).
        add("getDirectoryObjectsByIds", subs as u64);
        // The admin users' kinds (`userType`) once, the kinds of the ids the CA policy names
        // once, and the tenant's directory-role eligibility.
        add("getDirectoryObjectsByIds", 2);
        add("listDirectoryRoleEligibilityScheduleInstances", 1);
        add("getRoleDefinition", 3); // Owner, AKS RBAC Cluster Admin, Reader: once each
        add("listKubernetesVersions", shape.aks.min(LOCATIONS.len()) as u64);
        add("listDiagnosticSettings", shape.aks as u64);
        add("listConditionalAccessPolicies", 1);
        // The one admin group, expanded once.
        for op in [
            "listGroupMembers",
            "listGroupAssignmentSchedules",
            "listGroupEligibilitySchedules",
            "listRoleManagementPolicyAssignments",
        ] {
            add(op, 1);
        }
        add("listTransitiveMemberOf", 3); // the owner, the member, the eligible user
        // Data plane: the clusters with managed Entra integration (the others are not read):
        // their address and CA, one token for the AKS server app, their lists.
        let entra = (0..subs).map(|s| (0..shape.aks_in(s)).filter(|i| aks_has_entra(*i)).count() as u64).sum::<u64>();
        if entra > 0 {
            add("token", 1);
            add("listClusterUserCredential", entra);
            add("k8s:list", K8S_LISTS * entra);
        }
    }
    if shape.eks > 0 {
        let accounts = shape.accounts() as u64;
        add("organizations:ListAccounts", pages(shape.accounts(), ORG_PAGE));
        add("sts:AssumeRole", accounts);
        add("sts:GetCallerIdentity", accounts);
        add("ec2:DescribeRegions", accounts);
        add("iam:ListOpenIDConnectProviders", accounts);
        for a in 0..shape.accounts() {
            let clusters: usize = (0..shape.regions).map(|r| shape.eks_in(a, r)).sum();
            add("iam:ListRoles", pages(4 + clusters, PAGE)); // 4 base roles + one IRSA role per cluster
            for r in 0..shape.regions {
                add("eks:ListClusters", pages(shape.eks_in(a, r), PAGE));
            }
        }
        // The node role of each account, its three AWS-managed policies once per scan.
        add("iam:ListAttachedRolePolicies", accounts);
        add("iam:ListRolePolicies", accounts);
        add("iam:ListInstanceProfilesForRole", accounts);
        add("iam:GetPolicy", NODE_POLICIES.len() as u64);
        add("iam:GetPolicyVersion", NODE_POLICIES.len() as u64);
        let regions_used = (0..shape.regions).filter(|r| (0..shape.accounts()).any(|a| shape.eks_in(a, *r) > 0));
        add("eks:DescribeClusterVersions", regions_used.count() as u64);
        let n = shape.eks as u64;
        // Per cluster: the cluster; two node groups (one from its launch template, one from
        // its running instances); two access entries with their policies; three add-ons, of
        // which vpc-cni is described.
        for op in [
            "eks:DescribeCluster",
            "eks:ListNodegroups",
            "eks:ListAccessEntries",
            "eks:ListAddons",
            "eks:DescribeAddon",
        ] {
            add(op, n);
        }
        add("eks:DescribeNodegroup", 2 * n);
        add("ec2:DescribeLaunchTemplateVersions", n);
        // The instances tagged for clusters (two per cluster): one paged DescribeInstances per
        // account and region with clusters.
        for a in 0..shape.accounts() {
            for r in (0..shape.regions).filter(|r| shape.eks_in(a, *r) > 0) {
                add("ec2:DescribeInstances", pages(2 * shape.eks_in(a, r), PAGE));
            }
        }
        add("eks:DescribeAccessEntry", 2 * n);
        add("eks:ListAssociatedAccessPolicies", 2 * n);
        // Data plane: the lists and `kube-system/aws-auth` (the token is signed locally).
        add("k8s:list", K8S_LISTS * n);
        add("k8s:get", n);
    }
    p
}

/// The host of the Kubernetes API servers' calls in [`by_host`]: each cluster's API server is a
/// host of its own, but the scan reads at most `--max-in-flight` lists at a time across them
/// (its memory bound), so they share that many slots.
pub const DATA_PLANES: &str = "kubernetes (data planes)";

/// The minimal plan by the API host the scan bounds each call on (`--max-in-flight` each, the
/// data planes together too): login, ARM, Graph, and each AWS service in each region — as the
/// clouds serve them, although the mock answers all on one address.
pub fn by_host(shape: &Shape) -> BTreeMap<String, u64> {
    let plan = minimal(shape);
    let mut hosts: BTreeMap<String, u64> = BTreeMap::new();
    let mut add = |host: String, n: u64| *hosts.entry(host).or_default() += n;
    // Clusters of each region, and the (account, region) lists.
    let in_region = |r: usize| (0..shape.accounts()).map(|a| shape.eks_in(a, r) as u64).sum::<u64>();
    let eks = shape.eks.max(1) as u64;
    for (op, n) in &plan {
        let n = *n;
        match op.split_once(':') {
            None if op == "token" => add("login".into(), n),
            None if ARM.contains(&op.as_str()) => add("arm".into(), n),
            None => add("graph".into(), n),
            Some(("k8s", _)) => add(DATA_PLANES.into(), n),
            Some(("iam", _)) => add("iam".into(), n),
            // Sent in the scan's own region (`AWS_REGION`).
            Some((service @ ("sts" | "organizations"), _)) | Some((service @ "ec2", "DescribeRegions")) => {
                add(format!("{service}.{BASE_REGION}"), n)
            }
            Some((service, api)) => {
                for (r, region) in REGIONS[..shape.regions].iter().enumerate() {
                    let calls = match api {
                        "ListClusters" => (0..shape.accounts()).map(|a| pages(shape.eks_in(a, r), PAGE)).sum(),
                        "DescribeInstances" => (0..shape.accounts())
                            .filter(|a| shape.eks_in(*a, r) > 0)
                            .map(|a| pages(2 * shape.eks_in(a, r), PAGE))
                            .sum(),
                        "DescribeClusterVersions" => u64::from(in_region(r) > 0),
                        // Per cluster: this region's share.
                        _ => n * in_region(r) / eks,
                    };
                    add(format!("{service}.{region}"), calls);
                }
            }
        }
    }
    hosts.retain(|_, v| *v > 0);
    hosts
}

/// Calls that must answer one after another before any cluster's Kubernetes API can be read:
/// AKS — the ARM token, the subscriptions, a subscription's clusters, a cluster's credential;
/// EKS — the organization's accounts, the role, the regions, a region's clusters, the cluster.
pub fn before_data_planes(shape: &Shape) -> u64 {
    if shape.aks > 0 { 4 } else { 5 }
}

/// The region of the scan's own calls (`run::scan` sets `AWS_REGION`).
pub const BASE_REGION: &str = "us-east-1";

/// ARM's operations (the mock's counter names); Graph's are the other Azure ones.
const ARM: &[&str] = &[
    "listSubscriptions",
    "listManagedClusters",
    "listRoleAssignments",
    "listRoleEligibilityScheduleInstances",
    "listRoleAssignmentScheduleInstances",
    "getRoleDefinition",
    "listKubernetesVersions",
    "listDiagnosticSettings",
    "listClusterUserCredential",
];

/// Calls the mock answered, by operation (its base counters: not per account or group, not the
/// replaced answers), and the throttled answers.
pub fn observed(counters: &BTreeMap<String, u64>) -> (BTreeMap<String, u64>, u64) {
    let mut calls = BTreeMap::new();
    let mut throttled = 0;
    for (k, v) in counters {
        if k.contains('@') || k.starts_with("_mock") {
            continue;
        }
        if let Some(op) = k.strip_suffix(":throttled") {
            throttled += v;
            *calls.entry(op.to_string()).or_insert(0) += 0;
        } else if !k.ends_with(":fault") {
            *calls.entry(k.clone()).or_insert(0) += v;
        }
    }
    // A throttled call was counted on arrival too: what was served is the rest.
    for (k, v) in counters {
        if let Some(c) = k.strip_suffix(":throttled").filter(|_| !k.contains('@')).and_then(|op| calls.get_mut(op)) {
            *c = c.saturating_sub(*v);
        }
    }
    calls.retain(|_, v| *v > 0);
    (calls, throttled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planned_call_has_one_host() {
        let shape = Shape { aks: 120, per_subscription: 50, eks: 130, per_region: 25, regions: 2 };
        let hosts = by_host(&shape);
        assert_eq!(hosts.values().sum::<u64>(), minimal(&shape).values().sum::<u64>());
        assert_eq!(hosts["eks.us-east-1"], hosts["eks.eu-west-1"] + 11 * 20, "75 and 55 clusters, 11 EKS calls each");
        assert!(hosts.contains_key("arm") && hosts.contains_key("graph") && hosts.contains_key(DATA_PLANES));
    }

    #[test]
    fn observed_subtracts_throttled_answers() {
        let c: BTreeMap<String, u64> = [
            ("eks:DescribeCluster", 12),
            ("eks:DescribeCluster:throttled", 2),
            ("eks:DescribeCluster@1", 12),
            ("token", 2),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        let (calls, throttled) = observed(&c);
        assert_eq!(throttled, 2);
        assert_eq!(calls.get("eks:DescribeCluster"), Some(&10));
        assert_eq!(calls.get("token"), Some(&2));
    }
}
