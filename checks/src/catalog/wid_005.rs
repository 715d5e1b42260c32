//! WID-005: Microsoft Entra Workload ID (OIDC issuer + workload identity) is not enabled.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WID-005",
        slug: "aks-workload-identity-disabled",
        title: "Workload identity disabled",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Microsoft Entra Workload ID lets a pod exchange its own short-lived, audience-bound service account \
token for an Entra token scoped to one identity. Without the OIDC issuer and the workload identity webhook, pods that \
call Azure fall back to client secrets stored in Kubernetes Secrets, or to the node's managed identity, which every pod \
on the node can use.",
        remediation: "Run `az aks update -g <rg> -n <cluster> --enable-oidc-issuer --enable-workload-identity`, then give \
each workload its own user-assigned identity with a federated credential for its service account \
(`az identity federated-credential create ... --issuer <oidc-issuer-url> --subject system:serviceaccount:<ns>:<sa>`).",
        references: &[
            "https://learn.microsoft.com/azure/aks/workload-identity-overview",
            "https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster",
            "https://learn.microsoft.com/azure/aks/use-oidc-issuer",
        ],
        compliance: &["AzPolicy 2cc2e023"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let (oidc, wi) = (&c.workload_identity.oidc_issuer_enabled, &c.workload_identity.workload_identity_enabled);
    let evidence = vec![Evidence::of(oidc), Evidence::of(wi)];
    // False or absent (AKS's default is off) fails, even if the other input is unknown.
    let off = |f: &Field<bool>| !f.is_true() && !f.is_unknown();
    let what = match (off(oidc), off(wi)) {
        (true, true) => "Neither the OIDC issuer nor workload identity is enabled",
        (true, false) => "The OIDC issuer is not enabled",
        (false, true) => "Workload identity is not enabled",
        (false, false) => {
            require!(oidc);
            require!(wi);
            return Outcome::pass("The OIDC issuer and workload identity are both enabled.", evidence);
        }
    };
    Outcome::fail(
        format!(
            "{what}, so pods cannot use Entra workload identities and fall back to stored secrets or the node's identity."
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn both_enabled_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn either_off_fails_and_is_named() {
        let mut c = hardened_aks();
        set(&mut c.workload_identity.workload_identity_enabled, false);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("Workload identity is not enabled"), "{}", o.message);
        let mut c = hardened_aks();
        absent(&mut c.workload_identity.oidc_issuer_enabled);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("The OIDC issuer is not enabled"), "{}", o.message);
    }

    #[test]
    fn one_off_fails_even_if_the_other_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.workload_identity.oidc_issuer_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        set(&mut c.workload_identity.workload_identity_enabled, false);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        c.workload_identity.oidc_issuer_enabled = Field::absent("properties.oidcIssuerProfile");
        c.workload_identity.workload_identity_enabled = Field::absent("properties.securityProfile.workloadIdentity");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Neither the OIDC issuer nor workload identity is enabled, so pods cannot use Entra workload identities and fall back to stored secrets or the node's identity."
        evidence:
          - path: properties.oidcIssuerProfile
            observed: (absent)
          - path: properties.securityProfile.workloadIdentity
            observed: (absent)
        "#);
    }
}
