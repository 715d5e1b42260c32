//! What NODE-002/003 share: the cluster's node roles, one entry per role however many pools
//! use it, and AWS-managed policy ARNs.

use crate::catalog::verdicts::Verdicts;
use crate::field::Obs;
use crate::model::{Cluster, NodeKind, NodePool, NodeRole};
use crate::outcome::{Evidence, Outcome, Status, Subject};

/// One node role and the pools (node groups, other nodes, access entries) that use it.
pub struct RoleUse<'a> {
    pub role: &'a NodeRole,
    pub pools: Vec<&'a NodePool>,
}

impl RoleUse<'_> {
    /// `eks-node (arn:…, node groups ng-a, ng-b, Karpenter node pool default)`.
    pub fn label(&self) -> String {
        let managed: Vec<&str> =
            self.pools.iter().filter(|p| p.kind == NodeKind::ManagedNodeGroup).map(|p| p.name.as_str()).collect();
        let mut uses = Vec::new();
        match managed.as_slice() {
            [] => {}
            [one] => uses.push(format!("node group {one}")),
            many => uses.push(format!("node groups {}", many.join(", "))),
        }
        uses.extend(
            self.pools.iter().filter(|p| p.kind != NodeKind::ManagedNodeGroup).map(|p| p.kind.describe(&p.name)),
        );
        format!("{} ({}, {})", self.role.name, self.role.arn, uses.join(", "))
    }
}

/// The node roles of every kind of node of the cluster and of its EC2 access entries. Pools
/// whose role was not collected are recorded as unknown in `v`; nodes launched without an
/// instance profile have no role to judge. `Err` is the whole outcome: unknown when the nodes
/// were not collected, not applicable when there are none (e.g. Fargate only).
pub fn node_roles<'a>(c: &'a Cluster, v: &mut Verdicts) -> Result<Vec<RoleUse<'a>>, Outcome> {
    let pools = &c.node_pools;
    if pools.is_unknown() {
        return Err(Outcome::unknown(pools));
    }
    let list = pools.get().map(Vec::as_slice).unwrap_or_default();
    if list.is_empty() {
        return Err(Outcome::not_applicable(
            "The cluster has no nodes and no EC2 access entry (e.g. Fargate only), so there is no node role to judge.",
            vec![Evidence::of(pools)],
        ));
    }
    let mut roles: Vec<RoleUse> = Vec::new();
    for pool in list {
        let Some(role) = pool.node_role.get() else {
            let no_profile = matches!(pool.node_role.obs, Obs::Absent)
                && matches!(pool.kind, NodeKind::SelfManaged | NodeKind::Karpenter | NodeKind::AutoMode);
            if !no_profile {
                let reason = pool.node_role.unknown_reason().unwrap_or("no node role was returned");
                v.unknown(format!("{}: {reason}", pool.kind.describe(&pool.name)), vec![Evidence::of(&pool.node_role)]);
                v.subject(Subject::new(&pool.path, pool.kind.describe(&pool.name), Status::Unknown, reason));
            }
            continue;
        };
        match roles.iter_mut().find(|r| r.role.arn == role.arn) {
            Some(r) => r.pools.push(pool),
            None => roles.push(RoleUse { role, pools: vec![pool] }),
        }
    }
    Ok(roles)
}

/// `arn` is the AWS-managed policy `name` in any partition (`aws`, `aws-cn`, `aws-us-gov`).
pub fn aws_managed(arn: &str, name: &str) -> bool {
    let Some(rest) = arn.trim().strip_prefix("arn:") else { return false };
    let Some((partition, path)) = rest.split_once(':') else { return false };
    ["aws", "aws-cn", "aws-us-gov"].contains(&partition) && path == format!("iam::aws:policy/{name}")
}

#[cfg(test)]
pub mod fixtures {
    //! Node roles for the NODE tests.

    use crate::field::Field;
    use crate::model::{Cluster, ManagedPolicy, NodeRole};
    use crate::testing::{eks_node_role, hardened_eks};
    use std::sync::Arc;

    /// The hardened EKS cluster whose node groups all use [`eks_node_role`] changed by `f`.
    pub fn with_node_role(f: impl FnOnce(&mut NodeRole)) -> Cluster {
        let mut role = eks_node_role();
        f(&mut role);
        let mut c = hardened_eks();
        let mut pools = c.node_pools.get().cloned().unwrap_or_default();
        for p in &mut pools {
            p.node_role = Field::value(p.node_role.path.clone(), Arc::new(role.clone()), role.arn.clone());
        }
        c.node_pools = Field::value(c.node_pools.path.clone(), pools, "node groups");
        c
    }

    /// Adds a managed policy to the role's attached policies.
    pub fn attach(role: &mut NodeRole, policy: ManagedPolicy) {
        let mut list = role.attached.get().cloned().unwrap_or_default();
        list.push(policy);
        role.attached = Field::value(role.attached.path.clone(), list, "attached policies");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_in_every_partition() {
        assert!(aws_managed("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"));
        assert!(aws_managed("arn:aws-cn:iam::aws:policy/AdministratorAccess", "AdministratorAccess"));
        assert!(aws_managed("arn:aws-us-gov:iam::aws:policy/IAMFullAccess", "IAMFullAccess"));
        assert!(!aws_managed("arn:aws:iam::111122223333:policy/AdministratorAccess", "AdministratorAccess"));
        assert!(!aws_managed("arn:aws:iam::aws:policy/AdministratorAccess-Amplify", "AdministratorAccess"));
        assert!(!aws_managed("arn:aws:iam::aws:policy/job-function/AdministratorAccess", "AdministratorAccess"));
        assert!(!aws_managed("AdministratorAccess", "AdministratorAccess"));
    }
}
