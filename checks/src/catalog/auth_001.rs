//! AUTH-001: the cluster does not use AKS-managed Microsoft Entra ID integration.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-001",
        slug: "entra-integration-disabled",
        title: "Microsoft Entra ID integration disabled",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "Without AKS-managed Entra ID integration, users reach the cluster with certificates in static \
kubeconfig files that cannot be tied to a person, cannot be revoked individually, and never pass through Conditional \
Access, MFA or PIM. Leaving the company or losing a laptop does not end that access; only rotating the cluster \
certificates does.",
        remediation: "Enable the integration: `az aks update -g <rg> -n <cluster> --enable-aad \
--aad-admin-group-object-ids <admin-group-object-id>` (it cannot be disabled afterwards). Then disable local accounts \
(AUTH-002) and grant access through Entra groups.",
        references: &[
            "https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id",
            "https://learn.microsoft.com/azure/aks/concepts-identity",
        ],
        compliance: &["CIS AKS 5.5.1", "AzPolicy 450d2877"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent `aadProfile` (or `managed`) means no managed integration.
    must_be_true(
        &c.authn.entra_managed,
        "The cluster uses AKS-managed Microsoft Entra ID integration.",
        "AKS-managed Microsoft Entra ID integration is not enabled, so cluster sign-in bypasses Entra ID, Conditional Access and PIM.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.authn.entra_managed);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        c.authn.entra_managed = Field::absent("properties.aadProfile");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "AKS-managed Microsoft Entra ID integration is not enabled, so cluster sign-in bypasses Entra ID, Conditional Access and PIM."
        evidence:
          - path: properties.aadProfile
            observed: (absent)
        "#);
    }
}
