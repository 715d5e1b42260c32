//! AUTH-004: Kubernetes RBAC is disabled.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-004",
        slug: "kubernetes-rbac-disabled",
        title: "Kubernetes RBAC disabled",
        severity: Severity::Critical,
        clouds: &[Cloud::Aks],
        rationale: "With Kubernetes RBAC disabled, every authenticated identity, including every pod's service account \
token, is effectively cluster-admin. A single compromised workload can read every Secret, start privileged pods on any \
node and take over the cluster. Entra ID integration and Azure RBAC also require Kubernetes RBAC.",
        remediation: "`enableRBAC` cannot be changed on an existing cluster: create a replacement cluster with RBAC \
enabled (the default of `az aks create`; do not pass `--disable-rbac`), move the workloads, and delete the old cluster.",
        references: &[
            "https://learn.microsoft.com/azure/aks/concepts-identity",
            "https://learn.microsoft.com/azure/aks/azure-ad-rbac",
        ],
        compliance: &["AzPolicy ac4a19c2"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let rbac = &c.authz.kubernetes_rbac;
    require!(rbac);
    let evidence = vec![Evidence::of(rbac)];
    match rbac.get() {
        Some(true) => Outcome::pass("Kubernetes RBAC is enabled.", evidence),
        Some(false) => Outcome::fail(
            "Kubernetes RBAC is disabled, so every authenticated identity, including every pod's service account, has full control of the cluster.",
            evidence,
        ),
        // Absent: the response does not say, so the state cannot be told.
        None => Outcome::unknown_because(
            format!(
                "{} is absent from the response, so whether Kubernetes RBAC is enforced cannot be told.",
                rbac.path
            ),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn enabled_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn disabled_fails() {
        let mut c = hardened_aks();
        set(&mut c.authz.kubernetes_rbac, false);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn absent_or_uncollected_is_unknown() {
        let mut c = hardened_aks();
        absent(&mut c.authz.kubernetes_rbac);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Unknown, "(absent)"));
        unknown(&mut c.authz.kubernetes_rbac);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set(&mut c.authz.kubernetes_rbac, false);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Kubernetes RBAC is disabled, so every authenticated identity, including every pod's service account, has full control of the cluster."
        evidence:
          - path: properties.enableRBAC
            observed: "false"
        "#);
    }
}
