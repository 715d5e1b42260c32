//! AUTH-002: local accounts (the static admin kubeconfig) are enabled.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-002",
        slug: "local-accounts-enabled",
        title: "Local accounts enabled",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "While local accounts are enabled, anyone allowed to call `listClusterAdminCredential` (for example \
any Contributor on the subscription) can download a static cluster-admin kubeconfig. That certificate bypasses Entra \
ID, Conditional Access and PIM, is not tied to a person in the audit log, and stays valid until the cluster \
certificates are rotated, so it is a favourite persistence mechanism.",
        remediation: "Run `az aks update -g <rg> -n <cluster> --disable-local-accounts` (requires Entra ID integration, \
AUTH-001), then `az aks rotate-certs -g <rg> -n <cluster>` to revoke admin kubeconfigs that were already downloaded.",
        references: &[
            "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad",
            "https://learn.microsoft.com/azure/aks/certificate-rotation",
        ],
        compliance: &["AzPolicy 993c2fcd"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let local = &c.authn.local_accounts_enabled;
    require!(local);
    // Later: principals able to call listClusterAdminCredential are appended here.
    let evidence = vec![Evidence::of(local)];
    match local.get() {
        Some(false) => {
            Outcome::pass("Local accounts are disabled; no static admin kubeconfig can be fetched.", evidence)
        }
        // Absent `disableLocalAccounts`: AKS enables local accounts by default.
        _ => Outcome::fail(
            "Local accounts are enabled: whoever can call listClusterAdminCredential gets a static cluster-admin kubeconfig that bypasses Entra ID, Conditional Access and PIM.",
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn local_accounts(disable: Option<bool>) -> Cluster {
        let mut c = hardened_aks();
        c.authn.local_accounts_enabled = match disable {
            Some(d) => Field::value("properties.disableLocalAccounts", !d, d.to_string()),
            None => Field::absent("properties.disableLocalAccounts"),
        };
        c
    }

    #[test]
    fn disabled_local_accounts_pass() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        assert_eq!(run(&CHECK, &local_accounts(Some(true))).status, Status::Pass);
    }

    #[test]
    fn enabled_or_absent_fails() {
        let o = run(&CHECK, &local_accounts(Some(false)));
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "false"));
        let o = run(&CHECK, &local_accounts(None));
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
    }

    #[test]
    fn uncollected_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.authn.local_accounts_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &local_accounts(Some(false))), @r#"
        status: fail
        message: "Local accounts are enabled: whoever can call listClusterAdminCredential gets a static cluster-admin kubeconfig that bypasses Entra ID, Conditional Access and PIM."
        evidence:
          - path: properties.disableLocalAccounts
            observed: "false"
        "#);
    }
}
