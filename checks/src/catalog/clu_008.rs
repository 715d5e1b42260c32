//! CLU-008: the Key Vault Secrets Store CSI driver add-on is off.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-008",
        slug: "keyvault-secrets-provider-disabled",
        title: "Key Vault secrets provider disabled",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "The Azure Key Vault provider for the Secrets Store CSI driver mounts secrets from Key Vault into pods \
at run time, so they are access-controlled, audited and rotated in Key Vault instead of living as base64 in \
Kubernetes Secrets, manifests and Git repositories. Without it, teams tend to copy credentials into the cluster where \
anyone who can read Secrets in the namespace gets them.",
        remediation: "Run `az aks enable-addons --addons azure-keyvault-secrets-provider -g <rg> -n <cluster>` and \
mount secrets through a SecretProviderClass using workload identity; enable rotation with \
`az aks addon update -g <rg> -n <cluster> -a azure-keyvault-secrets-provider --enable-secret-rotation`.",
        references: &["https://learn.microsoft.com/azure/aks/csi-secrets-store-driver"],
        compliance: &["seeds/001"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent: the add-on is not installed.
    must_be_true(
        &c.protection.keyvault_secrets_provider,
        "The Azure Key Vault secrets provider add-on is enabled.",
        "The Azure Key Vault secrets provider add-on is not enabled, so workloads cannot mount secrets from Key Vault.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.protection.keyvault_secrets_provider);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set(&mut c.protection.keyvault_secrets_provider, false);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The Azure Key Vault secrets provider add-on is not enabled, so workloads cannot mount secrets from Key Vault."
        evidence:
          - path: properties.addonProfiles.azureKeyvaultSecretsProvider.enabled
            observed: "false"
        "#);
    }
}
