//! NET-006: no network policy engine, so NetworkPolicy objects are not enforced.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NET-006",
        slug: "network-policy-missing",
        title: "No network policy enforcement",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Without a network policy engine the Kubernetes API accepts NetworkPolicy objects but nothing \
enforces them: every pod can reach every other pod, the node and cloud metadata endpoints, and in-cluster services such \
as databases. One compromised workload then becomes a foothold for lateral movement across every namespace.",
        remediation: "AKS: install a policy engine, e.g. `az aks update -g <rg> -n <cluster> --network-policy azure` \
(or `calico`), or move to Azure CNI powered by Cilium with `--network-dataplane cilium`; then apply default-deny \
NetworkPolicies per namespace. EKS: enable the VPC CNI's network policy support with \
`aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --configuration-values '{\"enableNetworkPolicy\":\"true\"}'`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html",
        ],
        compliance: &["CIS AKS 5.4.4", "CIS EKS 5.4.4"],
    },
    cluster: Some(eval),
    scope: None,
};

/// Engines this build knows enforce NetworkPolicy.
const KNOWN_ENGINES: &[&str] = &["azure", "calico", "cilium"];

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let engine = &c.network.policy_engine;
    require!(engine);
    let evidence = vec![Evidence::of(engine)];
    match engine.get().map(|s| s.trim()) {
        // Absent: no engine is installed.
        None => Outcome::fail(
            "No network policy engine is configured, so NetworkPolicy objects are not enforced and every pod can reach every other pod.",
            evidence,
        ),
        Some(v) if v.is_empty() || v.eq_ignore_ascii_case("none") => Outcome::fail(
            "The network policy engine is 'none', so NetworkPolicy objects are not enforced and every pod can reach every other pod.",
            evidence,
        ),
        Some(v) if is_one_of(v, KNOWN_ENGINES) => {
            Outcome::pass(format!("NetworkPolicy objects are enforced by the '{v}' engine."), evidence)
        }
        // A value newer than this build: never assume it enforces anything.
        Some(v) => Outcome::unknown_because(
            format!(
                "unrecognised network policy engine '{v}'; this build cannot tell whether it enforces NetworkPolicy."
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
    fn known_engines_pass() {
        for engine in ["cilium", "Azure", "calico"] {
            let mut c = hardened_aks();
            set_str(&mut c.network.policy_engine, engine);
            assert_eq!(run(&CHECK, &c).status, Status::Pass, "{engine}");
        }
    }

    #[test]
    fn none_or_absent_fails() {
        for engine in ["none", "None", ""] {
            let mut c = hardened_aks();
            set_str(&mut c.network.policy_engine, engine);
            assert_eq!(run(&CHECK, &c).status, Status::Fail, "{engine:?}");
        }
        let mut c = hardened_aks();
        absent(&mut c.network.policy_engine);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
    }

    #[test]
    fn unrecognised_engine_is_unknown_and_named() {
        let mut c = hardened_aks();
        set_str(&mut c.network.policy_engine, "weirdnet");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("unrecognised network policy engine 'weirdnet'"));
        assert_eq!(o.evidence[0].observed, "weirdnet");
    }

    #[test]
    fn uncollected_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.network.policy_engine);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        absent(&mut c.network.policy_engine);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "No network policy engine is configured, so NetworkPolicy objects are not enforced and every pod can reach every other pod."
        evidence:
          - path: properties.networkProfile.networkPolicy
            observed: (absent)
        "#);
    }
}
