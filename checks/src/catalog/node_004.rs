//! NODE-004: an agent pool does not use encryption at host.

use crate::catalog::prelude::*;
use crate::model::NodePool;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NODE-004",
        slug: "host-encryption-disabled",
        title: "Encryption at host disabled on a node pool",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Server-side encryption covers managed disks in Azure Storage, but not the node's temporary disk, \
ephemeral OS disks, or the disk caches kept on the VM host. Container images, emptyDir volumes and other pod data land \
there unencrypted, readable by anyone who obtains the host's storage. Encryption at host encrypts that data on the \
host itself.",
        remediation: "Register the feature once per subscription (`az feature register --namespace Microsoft.Compute \
--name EncryptionAtHost`), add a replacement pool with `az aks nodepool add -g <rg> --cluster-name <cluster> -n <pool> \
--enable-encryption-at-host`, move workloads with `kubectl drain`, and delete the old pool.",
        references: &["https://learn.microsoft.com/azure/aks/enable-host-encryption"],
        compliance: &["AzPolicy 41425d9f"],
    },
    cluster: Some(eval),
    scope: None,
};

fn named(pools: &[&NodePool]) -> String {
    pools.iter().map(|p| format!("{} ({})", p.name, p.path)).collect::<Vec<_>>().join(", ")
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let pools = &c.node_pools;
    require!(pools);
    let Some(pools) = pools.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so host encryption of the agent pools cannot be judged.", c.node_pools.path),
            vec![Evidence::of(&c.node_pools)],
        );
    };
    // An AKS cluster always has a pool; an empty list means the data is incomplete.
    if pools.is_empty() {
        return Outcome::unknown_because(
            "No agent pools are listed, so host encryption cannot be judged.",
            vec![Evidence::of(&c.node_pools)],
        );
    }
    // False or absent (AKS's default is off) fails.
    let off: Vec<&NodePool> =
        pools.iter().filter(|p| !p.encryption_at_host.is_true() && !p.encryption_at_host.is_unknown()).collect();
    if !off.is_empty() {
        return Outcome::fail(
            format!("Encryption at host is off on agent pool(s) {}.", named(&off)),
            off.iter().map(|p| Evidence::of(&p.encryption_at_host)).collect(),
        );
    }
    let uncollected: Vec<&NodePool> = pools.iter().filter(|p| p.encryption_at_host.is_unknown()).collect();
    if let Some(first) = uncollected.first() {
        return Outcome::unknown_because(
            format!(
                "enableEncryptionAtHost could not be collected for agent pool(s) {}: {}",
                named(&uncollected),
                first.encryption_at_host.unknown_reason().unwrap_or("not collected")
            ),
            uncollected.iter().map(|p| Evidence::of(&p.encryption_at_host)).collect(),
        );
    }
    let all: Vec<&NodePool> = pools.iter().collect();
    Outcome::pass(
        format!("Encryption at host is on for every agent pool: {}.", named(&all)),
        pools.iter().map(|p| Evidence::of(&p.encryption_at_host)).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn pool(i: usize, name: &str, at_host: Option<bool>) -> NodePool {
        let path = format!("properties.agentPoolProfiles[{i}]");
        NodePool {
            name: name.into(),
            kind: crate::model::NodeKind::AgentPool,
            mode: Field::value(format!("{path}.mode"), "User".to_string(), "User"),
            os_type: Field::value(format!("{path}.osType"), "Linux".to_string(), "Linux"),
            encryption_at_host: Field::from_option(format!("{path}.enableEncryptionAtHost"), at_host),
            imds: Field::absent("imds"),
            node_role: Field::absent("nodeRole"),
            path,
        }
    }

    fn with_pools(pools: Vec<NodePool>) -> Cluster {
        let mut c = hardened_aks();
        let raw = format!("{} pool(s)", pools.len());
        c.node_pools = Field::value("properties.agentPoolProfiles", pools, raw);
        c
    }

    #[test]
    fn every_pool_encrypted_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let c = with_pools(vec![pool(0, "system", Some(true)), pool(1, "user", Some(true))]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn any_pool_off_or_absent_fails_and_is_named() {
        let c = with_pools(vec![pool(0, "system", Some(true)), pool(1, "gpu", Some(false)), pool(2, "batch", None)]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("gpu (properties.agentPoolProfiles[1])"), "{}", o.message);
        assert!(o.message.contains("batch (properties.agentPoolProfiles[2])"), "{}", o.message);
        assert!(!o.message.contains("system"), "{}", o.message);
        assert_eq!(o.evidence.len(), 2);
    }

    #[test]
    fn uncollected_pool_is_unknown_unless_another_fails() {
        let mut p = pool(1, "user", Some(true));
        unknown(&mut p.encryption_at_host);
        let c = with_pools(vec![pool(0, "system", Some(true)), p.clone()]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.contains("user (properties.agentPoolProfiles[1])") && o.message.contains("AuthorizationFailed")
        );
        let c = with_pools(vec![pool(0, "system", Some(false)), p]);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn missing_pool_list_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        assert_eq!(run(&CHECK, &with_pools(vec![])).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let c = with_pools(vec![pool(0, "system", Some(true)), pool(1, "gpu", Some(false)), pool(2, "batch", None)]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Encryption at host is off on agent pool(s) gpu (properties.agentPoolProfiles[1]), batch (properties.agentPoolProfiles[2])."
        evidence:
          - path: "properties.agentPoolProfiles[1].enableEncryptionAtHost"
            observed: "false"
          - path: "properties.agentPoolProfiles[2].enableEncryptionAtHost"
            observed: (absent)
        "#);
    }
}
