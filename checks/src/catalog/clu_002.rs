//! CLU-002: cluster auto-upgrade is off.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-002",
        slug: "auto-upgrade-disabled",
        title: "Cluster auto-upgrade disabled",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Without an auto-upgrade channel, Kubernetes patch releases, which carry the fixes for control-plane \
and kubelet CVEs, reach the cluster only when someone upgrades it by hand. In practice clusters drift months behind and \
eventually fall out of support (CLU-001).",
        remediation: "Run `az aks update -g <rg> -n <cluster> --auto-upgrade-channel patch` (or `stable`), and \
schedule it with a planned maintenance window: `az aks maintenanceconfiguration add -g <rg> --cluster-name <cluster> \
--name aksManagedAutoUpgradeSchedule ...`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster",
            "https://learn.microsoft.com/azure/aks/planned-maintenance",
        ],
        compliance: &["—"],
    },
    cluster: Some(eval),
    scope: None,
};

/// Channels that upgrade Kubernetes automatically.
const CHANNELS: &[&str] = &["patch", "stable", "rapid"];

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let channel = &c.version.upgrade_channel;
    require!(channel);
    let evidence = vec![Evidence::of(channel)];
    match channel.get().map(|s| s.trim()) {
        // Absent: AKS's default channel is none.
        None => Outcome::fail(
            "No auto-upgrade channel is set, so Kubernetes patches reach the cluster only when someone upgrades it by hand.",
            evidence,
        ),
        Some(v) if v.is_empty() || v.eq_ignore_ascii_case("none") => Outcome::fail(
            "The auto-upgrade channel is 'none', so Kubernetes patches reach the cluster only when someone upgrades it by hand.",
            evidence,
        ),
        // `node-image` upgrades node images only, never the Kubernetes version (CHECKS.md v1.1).
        Some(v) if v.eq_ignore_ascii_case("node-image") => Outcome::fail(
            "The auto-upgrade channel is 'node-image', which refreshes node images but never upgrades Kubernetes: patches reach the cluster only when someone upgrades it by hand; use 'patch' or 'stable' (and nodeOSUpgradeChannel for node images).",
            evidence,
        ),
        Some(v) if is_one_of(v, CHANNELS) => {
            Outcome::pass(format!("The cluster auto-upgrades on the '{v}' channel."), evidence)
        }
        // A value newer than this build: do not assume it upgrades anything.
        Some(v) => Outcome::unknown_because(
            format!("unrecognised auto-upgrade channel '{v}', so whether the cluster is upgraded cannot be told."),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn enabled_channels_pass() {
        for ch in ["patch", "stable", "Rapid"] {
            let mut c = hardened_aks();
            set_str(&mut c.version.upgrade_channel, ch);
            assert_eq!(run(&CHECK, &c).status, Status::Pass, "{ch}");
        }
    }

    #[test]
    fn node_image_upgrades_no_kubernetes_and_fails() {
        for ch in ["node-image", "Node-Image", " node-image "] {
            let mut c = hardened_aks();
            set_str(&mut c.version.upgrade_channel, ch);
            let o = run(&CHECK, &c);
            assert_eq!(o.status, Status::Fail, "{ch}");
            assert!(o.message.contains("never upgrades Kubernetes"), "{}", o.message);
        }
    }

    #[test]
    fn none_or_absent_fails() {
        let mut c = hardened_aks();
        set_str(&mut c.version.upgrade_channel, "None");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        c.version.upgrade_channel = Field::absent("properties.autoUpgradeProfile");
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
    }

    #[test]
    fn unrecognised_or_uncollected_is_unknown() {
        let mut c = hardened_aks();
        set_str(&mut c.version.upgrade_channel, "lts-auto");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("'lts-auto'"));
        unknown(&mut c.version.upgrade_channel);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set_str(&mut c.version.upgrade_channel, "none");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The auto-upgrade channel is 'none', so Kubernetes patches reach the cluster only when someone upgrades it by hand."
        evidence:
          - path: properties.autoUpgradeProfile.upgradeChannel
            observed: none
        "#);
    }
}
