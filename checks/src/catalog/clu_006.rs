//! CLU-006: the Azure Policy add-on is off, so no admission-time enforcement of workload rules.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-006",
        slug: "policy-addon-disabled",
        title: "Azure Policy add-on disabled",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "The Azure Policy add-on runs Gatekeeper as an admission controller, so rules such as no privileged \
containers, no host namespaces and only trusted registries are enforced when a pod is created, not merely reported \
afterwards. Without it, anyone allowed to create pods can deploy a container that escapes to the node.",
        remediation: "Run `az aks enable-addons --addons azure-policy -g <rg> -n <cluster>`, then assign the \
Kubernetes pod security baseline or restricted initiative to the cluster's scope with effect Deny.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-azure-policy",
            "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes",
        ],
        compliance: &["seeds/004", "AzPolicy 0a15ec92"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent: the add-on is not installed.
    must_be_true(
        &c.protection.policy_addon,
        "The Azure Policy add-on is enabled.",
        "The Azure Policy add-on is not enabled, so no admission-time policy stops privileged or untrusted workloads.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.protection.policy_addon);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        absent(&mut c.protection.policy_addon);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The Azure Policy add-on is not enabled, so no admission-time policy stops privileged or untrusted workloads."
        evidence:
          - path: properties.addonProfiles.azurepolicy.enabled
            observed: (absent)
        "#);
    }
}
