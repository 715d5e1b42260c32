//! CLU-003: node OS security patches are not applied by AKS.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-003",
        slug: "node-os-patching-disabled",
        title: "Node OS patching not managed",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "Node OS vulnerabilities (kernel, container runtime, OpenSSL) are the usual path from a compromised \
container to the host. With the node OS channel `None` nothing patches the nodes; with `Unmanaged` the OS applies \
updates on its own schedule, new nodes start unpatched, kernel fixes wait for a reboot nobody schedules, and Windows \
nodes are not patched at all.",
        remediation: "Run `az aks update -g <rg> -n <cluster> --node-os-upgrade-channel NodeImage` (or `SecurityPatch`) \
and give it a maintenance window: `az aks maintenanceconfiguration add -g <rg> --cluster-name <cluster> \
--name aksManagedNodeOSUpgradeSchedule ...`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/auto-upgrade-node-image",
            "https://learn.microsoft.com/azure/aks/planned-maintenance",
        ],
        compliance: &["seeds/001"],
    },
    cluster: Some(eval),
    scope: None,
};

/// Channels in which AKS patches the nodes.
const MANAGED: &[&str] = &["NodeImage", "SecurityPatch"];
/// Channels in which AKS does not.
const UNMANAGED: &[&str] = &["None", "Unmanaged", ""];

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let channel = &c.version.node_os_upgrade_channel;
    require!(channel);
    let evidence = vec![Evidence::of(channel)];
    match channel.get().map(|s| s.trim()) {
        // Absent: treated as no managed patching (CHECKS.md).
        None => Outcome::fail(
            "No node OS upgrade channel is set, so AKS does not apply OS security patches to the nodes.",
            evidence,
        ),
        Some(v) if is_one_of(v, UNMANAGED) => Outcome::fail(
            format!(
                "The node OS upgrade channel is '{v}', so AKS does not apply OS security patches to the nodes; use NodeImage or SecurityPatch."
            ),
            evidence,
        ),
        Some(v) if is_one_of(v, MANAGED) => {
            Outcome::pass(format!("AKS patches the node OS through the '{v}' channel."), evidence)
        }
        // A value newer than this build: do not assume it patches anything.
        Some(v) => Outcome::unknown_because(
            format!("unrecognised node OS upgrade channel '{v}', so whether the nodes are patched cannot be told."),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn managed_channels_pass() {
        for ch in ["NodeImage", "SecurityPatch", "securitypatch"] {
            let mut c = hardened_aks();
            set_str(&mut c.version.node_os_upgrade_channel, ch);
            assert_eq!(run(&CHECK, &c).status, Status::Pass, "{ch}");
        }
    }

    #[test]
    fn none_unmanaged_or_absent_fails() {
        for ch in ["None", "Unmanaged", "unmanaged"] {
            let mut c = hardened_aks();
            set_str(&mut c.version.node_os_upgrade_channel, ch);
            assert_eq!(run(&CHECK, &c).status, Status::Fail, "{ch}");
        }
        let mut c = hardened_aks();
        absent(&mut c.version.node_os_upgrade_channel);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn unrecognised_or_uncollected_is_unknown() {
        let mut c = hardened_aks();
        set_str(&mut c.version.node_os_upgrade_channel, "LivePatch");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("'LivePatch'"));
        unknown(&mut c.version.node_os_upgrade_channel);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set_str(&mut c.version.node_os_upgrade_channel, "Unmanaged");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The node OS upgrade channel is 'Unmanaged', so AKS does not apply OS security patches to the nodes; use NodeImage or SecurityPatch."
        evidence:
          - path: properties.autoUpgradeProfile.nodeOSUpgradeChannel
            observed: Unmanaged
        "#);
    }
}
