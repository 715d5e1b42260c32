//! CLU-004: Kubernetes Secrets are not encrypted with a customer-managed KMS key.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-004",
        slug: "secrets-encryption-cmk-missing",
        title: "Secrets not encrypted with a customer-managed key",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Kubernetes Secrets hold registry credentials, database passwords and cloud keys. KMS envelope \
encryption with a key you control adds a layer an attacker with access to etcd data or its backups still has to get \
past, lets you audit every decryption in the key's logs, and lets you revoke access to every Secret by disabling the \
key.",
        remediation: "AKS: `az aks update -g <rg> -n <cluster> --enable-azure-keyvault-kms --azure-keyvault-kms-key-id \
<key-id> --azure-keyvault-kms-key-vault-network-access Private --azure-keyvault-kms-key-vault-resource-id <vault-id>` \
(or `Public` without the vault id). EKS: `aws eks associate-encryption-config --cluster-name <cluster> \
--encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"<kms-key-arn>\"}}]'`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption",
            "https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html",
        ],
        compliance: &["CIS EKS 5.3.1", "CIS AKS 5.3.1", "AzPolicy dbbdc317"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent: no KMS configuration, so Secrets use only the platform-managed key.
    must_be_true(
        &c.protection.secrets_kms,
        "Kubernetes Secrets are encrypted with a customer-managed KMS key.",
        "Kubernetes Secrets are not encrypted with a customer-managed KMS key, so you cannot audit or revoke their decryption.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.protection.secrets_kms);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        c.protection.secrets_kms = Field::absent("properties.securityProfile.azureKeyVaultKms");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Kubernetes Secrets are not encrypted with a customer-managed KMS key, so you cannot audit or revoke their decryption."
        evidence:
          - path: properties.securityProfile.azureKeyVaultKms
            observed: (absent)
        "#);
    }

    #[test]
    fn eks_decision_table() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let mut c = hardened_eks();
        // `encryptionConfig: []`: no KMS key covers Secrets.
        c.protection.secrets_kms = Field::value("cluster.encryptionConfig", false, "[]");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        absent(&mut c.protection.secrets_kms);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.protection.secrets_kms);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn eks_failure_snapshot() {
        let mut c = hardened_eks();
        c.protection.secrets_kms = Field::value("cluster.encryptionConfig", false, "[]");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Kubernetes Secrets are not encrypted with a customer-managed KMS key, so you cannot audit or revoke their decryption."
        evidence:
          - path: cluster.encryptionConfig
            observed: "[]"
        "#);
    }
}
