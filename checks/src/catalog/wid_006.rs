//! WID-006: the deprecated pod-managed identity (aad-pod-identity / NMI) is enabled.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-006",
        slug: "aks-pod-identity-deprecated",
        title: "Deprecated pod-managed identity enabled",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "Pod-managed identity runs a Node Managed Identity (NMI) daemon that rewrites each node's iptables \
to intercept every pod's calls to the instance metadata endpoint and hands out tokens by pod label. Anyone who can \
create a pod with matching labels in a namespace obtains the identity, and a flaw in the interception exposes the \
node's own identity. The feature is deprecated and replaced by Microsoft Entra Workload ID.",
        remediation: "Move each workload to workload identity (WID-005) with a federated credential, delete its pod \
identity with `az aks pod-identity delete -g <rg> --cluster-name <cluster> --namespace <ns> --name <identity>`, then \
run `az aks update -g <rg> -n <cluster> --disable-pod-identity`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity",
            "https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity",
        ],
        compliance: &["seeds/002"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let pod_identity = &c.workload_identity.pod_identity_enabled;
    require!(pod_identity);
    let evidence = vec![Evidence::of(pod_identity)];
    match pod_identity.get() {
        Some(true) => Outcome::fail(
            "Deprecated pod-managed identity is enabled: its NMI daemon intercepts every pod's metadata-endpoint traffic; migrate to workload identity and disable it.",
            evidence,
        ),
        // False or absent: the add-on is off (absence is its default, so a pass here is safe).
        _ => Outcome::pass("Deprecated pod-managed identity is not enabled.", evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn absent_or_false_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        set(&mut c.workload_identity.pod_identity_enabled, false);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn enabled_fails() {
        let mut c = hardened_aks();
        set(&mut c.workload_identity.pod_identity_enabled, true);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn uncollected_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.workload_identity.pod_identity_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set(&mut c.workload_identity.pod_identity_enabled, true);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Deprecated pod-managed identity is enabled: its NMI daemon intercepts every pod's metadata-endpoint traffic; migrate to workload identity and disable it."
        evidence:
          - path: properties.podIdentityProfile.enabled
            observed: "true"
        "#);
    }
}
