//! AUTH-003: Kubernetes authorization is not governed by Azure RBAC.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-003",
        slug: "azure-rbac-disabled",
        title: "Azure RBAC for Kubernetes authorization disabled",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "With Azure RBAC for Kubernetes authorization, who may do what inside the cluster is an Azure role \
assignment: it can be made PIM-eligible and time-bound, reviewed centrally, and scoped to a namespace. Without it, \
in-cluster RoleBindings are managed separately in every cluster, standing admin bindings go unnoticed, and PIM cannot \
govern them.",
        remediation: "Run `az aks update -g <rg> -n <cluster> --enable-azure-rbac` (requires Entra ID integration, \
AUTH-001), then grant access with the Azure Kubernetes Service RBAC roles, preferably as PIM-eligible assignments.",
        references: &[
            "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
            "https://learn.microsoft.com/azure/aks/concepts-identity",
        ],
        compliance: &["CIS AKS 5.5.2"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent `enableAzureRBAC` (or `aadProfile`) means Azure RBAC is off.
    must_be_true(
        &c.authz.azure_rbac,
        "Kubernetes authorization is governed by Azure RBAC.",
        "Azure RBAC for Kubernetes authorization is not enabled, so in-cluster access is not governed by Azure role assignments or PIM.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.authz.azure_rbac);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set(&mut c.authz.azure_rbac, false);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Azure RBAC for Kubernetes authorization is not enabled, so in-cluster access is not governed by Azure role assignments or PIM."
        evidence:
          - path: properties.aadProfile.enableAzureRBAC
            observed: "false"
        "#);
    }
}
