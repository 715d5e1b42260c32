//! NET-004: a private AKS cluster still publishes a public name or allows public network access.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-004",
        slug: "private-cluster-public-fqdn",
        title: "Private cluster still exposes a public FQDN or public network access",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "By default AKS gives a private cluster an extra FQDN in public Azure DNS that resolves to the API \
server's private IP address. It tells anyone who guesses or enumerates the name that the cluster exists and where it \
lives in your address space, which helps an attacker who is already inside the network. `publicNetworkAccess` set to \
`Enabled` leaves the door open to public access paths the private cluster was meant to close.",
        remediation: "Remove the public FQDN with `az aks update -g <rg> -n <cluster> --disable-public-fqdn` (clients \
then need the private DNS zone, or a custom DNS server that forwards to it). Set public network access to Disabled, e.g. \
`az resource update --ids <cluster-resource-id> --set properties.publicNetworkAccess=Disabled`.",
        references: &["https://learn.microsoft.com/azure/aks/private-clusters"],
        compliance: &["CIS AKS 5.4.2"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let ep = &c.endpoint;
    require!(ep.private);
    match ep.private.get() {
        // Not a private cluster: NET-001/002/003 judge its public endpoint.
        Some(false) => {
            return Outcome::not_applicable("The cluster is not a private cluster.", vec![Evidence::of(&ep.private)]);
        }
        None => {
            return Outcome::unknown_because(
                format!("{} is absent, so whether the cluster is private cannot be told.", ep.private.path),
                vec![Evidence::of(&ep.private)],
            );
        }
        Some(true) => {}
    }
    let (fqdn, access) = (&ep.private_cluster_public_fqdn, &ep.public_network_access);
    let evidence = vec![Evidence::of(&ep.private), Evidence::of(fqdn), Evidence::of(access)];
    let mut problems = Vec::new();
    match fqdn.get() {
        Some(true) => problems.push("it publishes a public FQDN"),
        Some(false) => {}
        // Absent: AKS creates the public FQDN of a private cluster by default.
        None if !fqdn.is_unknown() => {
            problems.push("it publishes a public FQDN (AKS's default when the setting is absent)")
        }
        None => {}
    }
    // Absent `publicNetworkAccess` is accepted on a private cluster (catalog decision).
    let unrecognised = match access.get().map(|s| s.trim()) {
        Some(v) if v.eq_ignore_ascii_case("enabled") => {
            problems.push("publicNetworkAccess is Enabled");
            None
        }
        Some(v) if v.eq_ignore_ascii_case("disabled") => None,
        Some(v) => Some(v),
        None => None,
    };
    if !problems.is_empty() {
        return Outcome::fail(
            format!("The private cluster is still exposed publicly: {}.", problems.join("; ")),
            evidence,
        );
    }
    require!(fqdn);
    require!(access);
    if let Some(v) = unrecognised {
        return Outcome::unknown_because(
            format!(
                "unrecognised publicNetworkAccess value '{v}', so whether public access is allowed cannot be told."
            ),
            evidence,
        );
    }
    Outcome::pass("The private cluster publishes no public FQDN and does not enable public network access.", evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn hardened_private_cluster_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn absent_public_network_access_is_accepted() {
        let mut c = hardened_aks();
        absent(&mut c.endpoint.public_network_access);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn public_fqdn_fails_whether_set_or_defaulted() {
        let mut c = hardened_aks();
        set(&mut c.endpoint.private_cluster_public_fqdn, true);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        absent(&mut c.endpoint.private_cluster_public_fqdn);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.evidence.iter().any(|e| e.path.ends_with("enablePrivateClusterPublicFQDN") && e.observed == "(absent)")
        );
    }

    #[test]
    fn public_network_access_enabled_fails_any_case() {
        let mut c = hardened_aks();
        set_str(&mut c.endpoint.public_network_access, "enabled");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn unrecognised_access_value_is_unknown_and_named() {
        let mut c = hardened_aks();
        set_str(&mut c.endpoint.public_network_access, "SecuredByPerimeter");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("'SecuredByPerimeter'"));
        assert!(o.evidence.iter().any(|e| e.observed == "SecuredByPerimeter"));
    }

    #[test]
    fn public_cluster_is_not_applicable() {
        let mut c = hardened_aks();
        make_public(&mut c, Some(&["203.0.113.0/24"]));
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn uncollected_inputs_are_unknown_unless_already_failing() {
        let mut c = hardened_aks();
        unknown(&mut c.endpoint.private);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_aks();
        unknown(&mut c.endpoint.private_cluster_public_fqdn);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        set_str(&mut c.endpoint.public_network_access, "Enabled");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        absent(&mut c.endpoint.private_cluster_public_fqdn);
        set_str(&mut c.endpoint.public_network_access, "Enabled");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The private cluster is still exposed publicly: it publishes a public FQDN (AKS's default when the setting is absent); publicNetworkAccess is Enabled."
        evidence:
          - path: properties.apiServerAccessProfile.enablePrivateCluster
            observed: "true"
          - path: properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN
            observed: (absent)
          - path: properties.publicNetworkAccess
            observed: Enabled
        "#);
    }
}
