//! AUTH-009: the cluster authenticates to Azure with a service principal secret.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-009",
        slug: "service-principal-credentials",
        title: "Cluster uses a service principal instead of a managed identity",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "A cluster that authenticates to Azure with a service principal keeps that principal's client \
secret on the control plane and on every node, where anyone with node access can read it and reuse it from anywhere. \
The secret expires (by default after a year) and must be rotated by hand, so it is often made long-lived instead. \
Managed identities have no secret to steal or rotate.",
        remediation: "Migrate with `az aks update -g <rg> -n <cluster> --enable-managed-identity`, then \
`az aks nodepool upgrade -g <rg> --cluster-name <cluster> -n <pool> --node-image-only` for each pool; grant the new \
identity the roles the service principal held, and delete the service principal's secret.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-managed-identity",
            "https://learn.microsoft.com/azure/aks/update-credentials",
        ],
        compliance: &["AzPolicy da6e2401"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let kind = &c.cloud_identity.kind;
    require!(kind);
    let evidence = vec![Evidence::of(kind)];
    match kind.get().map(|s| s.trim()) {
        Some(k) if k.eq_ignore_ascii_case("managed_identity") => Outcome::pass(
            format!("The cluster authenticates to Azure with a managed identity ({}).", kind.observed()),
            evidence,
        ),
        Some(k) if k.eq_ignore_ascii_case("service_principal") => Outcome::fail(
            format!(
                "The cluster authenticates to Azure with service principal {}, whose client secret expires and must be rotated by hand; migrate to a managed identity.",
                kind.observed()
            ),
            evidence,
        ),
        Some(k) => Outcome::unknown_because(
            format!(
                "unrecognised cluster identity kind '{k}', so whether it relies on a stored secret cannot be told."
            ),
            evidence,
        ),
        // Absent: neither `identity` nor `servicePrincipalProfile` was returned.
        None => Outcome::unknown_because(
            "The response has neither a managed identity nor a service principal, so how the cluster authenticates to Azure cannot be told.",
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn service_principal() -> Cluster {
        let mut c = hardened_aks();
        c.cloud_identity.kind = Field::value(
            "properties.servicePrincipalProfile.clientId",
            "service_principal".to_string(),
            "5f0a1b2c-0000-4000-8000-00000000abcd",
        );
        c
    }

    #[test]
    fn managed_identity_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn service_principal_fails() {
        assert_eq!(run(&CHECK, &service_principal()).status, Status::Fail);
    }

    #[test]
    fn absent_uncollected_or_unrecognised_is_unknown() {
        let mut c = hardened_aks();
        absent(&mut c.cloud_identity.kind);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        set_str(&mut c.cloud_identity.kind, "federated_thing");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("'federated_thing'"));
        unknown(&mut c.cloud_identity.kind);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &service_principal()), @r#"
        status: fail
        message: "The cluster authenticates to Azure with service principal 5f0a1b2c-0000-4000-8000-00000000abcd, whose client secret expires and must be rotated by hand; migrate to a managed identity."
        evidence:
          - path: properties.servicePrincipalProfile.clientId
            observed: 5f0a1b2c-0000-4000-8000-00000000abcd
        "#);
    }
}
