//! NET-006: no network policy engine, so NetworkPolicy objects are not enforced.

use crate::catalog::prelude::*;
use crate::model::{Addon, is_policy_engine_addon};

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
`aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --configuration-values '{\"enableNetworkPolicy\":\"true\"}'` \
(vpc-cni v1.14 or later), or install a Calico or Cilium policy engine add-on.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html",
        ],
        compliance: &["CIS AKS 5.4.4", "CIS EKS 5.4.4"],
    },
    cluster: Some(eval),
    scope: None,
};

/// Engines this build knows enforce NetworkPolicy (AKS `networkProfile.networkPolicy`).
const KNOWN_ENGINES: &[&str] = &["azure", "calico", "cilium"];

/// EKS: add-ons whose name contains one of these (ASCII case ignored) install a NetworkPolicy
/// engine of their own (Calico / Tigera operator, Cilium / Isovalent), whatever vpc-cni says.
/// What an add-on's status says about its enforcement.
enum Running {
    /// `ACTIVE`.
    Yes,
    /// `CREATE_FAILED` or `DELETING`: not installed, or going away.
    No(String),
    /// Any other status (`DEGRADED`, `CREATING`, `UPDATING`, `UPDATE_FAILED`, `DELETE_FAILED`,
    /// one newer than this build), or none read: whether it enforces cannot be told.
    Unsure(String),
}

fn running(a: &Addon) -> Running {
    match a.status.get().map(|s| s.trim().to_ascii_uppercase()) {
        Some(s) if s == "ACTIVE" => Running::Yes,
        Some(s) if s == "CREATE_FAILED" || s == "DELETING" => Running::No(format!("the {} add-on is {s}", a.name)),
        Some(s) => Running::Unsure(format!("the {} add-on is {s}", a.name)),
        None => Running::Unsure(match a.status.unknown_reason() {
            Some(why) => format!("the {} add-on's status was not read ({why})", a.name),
            None => format!("the {} add-on's status is not reported", a.name),
        }),
    }
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    match c.r#ref.cloud {
        Cloud::Aks => aks(c),
        Cloud::Eks => eks(c),
    }
}

fn aks(c: &Cluster) -> Outcome {
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

/// What vpc-cni's `enableNetworkPolicy` says: `Some(true)`/`Some(false)`, or `None` for a value
/// this build does not recognise. Missing means the add-on default, `false`.
fn network_policy_enabled(config: Option<&serde_json::Value>) -> Option<bool> {
    use serde_json::Value;
    match config.and_then(|c| c.get("enableNetworkPolicy")) {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") || s.trim().is_empty() => Some(false),
        Some(_) => None,
    }
}

fn eks(c: &Cluster) -> Outcome {
    let addons = &c.addons;
    require!(addons);
    // Absent: the add-on list came back without add-ons, so nothing installs a policy engine.
    let list = addons.get().map(Vec::as_slice).unwrap_or_default();
    let addon_evidence = |a: &crate::model::Addon| {
        Evidence::new(a.path.clone(), format!("{} {}", a.name, a.version.as_deref().unwrap_or("(version absent)")))
    };
    let status_evidence = |a: &Addon| Evidence::of(&a.status);
    let engines: Vec<&Addon> = list.iter().filter(|a| is_policy_engine_addon(&a.name)).collect();
    let live: Vec<&&Addon> = engines.iter().filter(|a| matches!(running(a), Running::Yes)).collect();
    if !live.is_empty() {
        let names: Vec<&str> = live.iter().map(|a| a.name.as_str()).collect();
        return Outcome::pass(
            format!("NetworkPolicy objects are enforced by the {} add-on (ACTIVE).", names.join(", ")),
            live.iter().flat_map(|a| [addon_evidence(a), status_evidence(a)]).collect(),
        );
    }
    // Engines installed but not ACTIVE: a failed or departing one enforces nothing; one in any
    // other state may or may not, so the verdict cannot be a fail (nor a pass).
    let mut not_running = Vec::new();
    let mut unsure = Vec::new();
    for a in &engines {
        match running(a) {
            Running::No(why) => not_running.push(why),
            Running::Unsure(why) => unsure.push((why, addon_evidence(a), status_evidence(a))),
            Running::Yes => {}
        }
    }
    let cni = list.iter().find(|a| a.name.trim().eq_ignore_ascii_case("vpc-cni"));
    if let Some(Running::No(why)) = cni.map(running) {
        not_running.push(why);
    }
    let cni = cni.filter(|a| !matches!(running(a), Running::No(_)));
    let fail_or_unknown = |fail: String, mut evidence: Vec<Evidence>| {
        let noted = if not_running.is_empty() { String::new() } else { format!(" ({})", not_running.join("; ")) };
        if unsure.is_empty() {
            return Outcome::fail(format!("{fail}{noted}"), evidence);
        }
        let whys: Vec<&str> = unsure.iter().map(|(w, _, _)| w.as_str()).collect();
        evidence.extend(unsure.iter().flat_map(|(_, a, s)| [a.clone(), s.clone()]));
        let whys = whys.join("; ");
        Outcome::unknown_because(
            format!(
                "{}{}, so whether it enforces NetworkPolicy cannot be told{noted}.",
                whys[..1].to_uppercase(),
                &whys[1..]
            ),
            evidence,
        )
    };
    let Some(cni) = cni else {
        let shown = match addons.get() {
            _ if !not_running.is_empty() => "No add-on running enforces NetworkPolicy".to_string(),
            None => "No add-ons are reported".to_string(),
            Some(l) if l.is_empty() => "No add-ons are installed".to_string(),
            Some(l) => format!(
                "The installed add-ons ({}) include neither vpc-cni nor a policy engine",
                l.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        return fail_or_unknown(
            format!(
                "{shown}, so no NetworkPolicy engine is visible through the EKS API (a self-managed CNI or engine is not seen by this check); without one every pod can reach every other pod."
            ),
            vec![Evidence::of(addons)],
        );
    };
    let config = &cni.configuration;
    require!(config);
    let evidence = vec![addon_evidence(cni), Evidence::of(config), status_evidence(cni)];
    match network_policy_enabled(config.get()) {
        Some(true) => match running(cni) {
            Running::Yes => Outcome::pass(
                "NetworkPolicy objects are enforced by the vpc-cni add-on (enableNetworkPolicy is true, ACTIVE).",
                evidence,
            ),
            Running::No(why) | Running::Unsure(why) => Outcome::unknown_because(
                format!("The vpc-cni add-on sets enableNetworkPolicy to \"true\", but {why}, so whether NetworkPolicy is enforced cannot be told."),
                evidence,
            ),
        },
        Some(false) => fail_or_unknown(
            "The vpc-cni add-on's configurationValues do not set enableNetworkPolicy to \"true\" and no other policy engine add-on is running, so NetworkPolicy objects are not enforced and every pod can reach every other pod.".to_string(),
            evidence,
        ),
        None => Outcome::unknown_because(
            format!(
                "unrecognised vpc-cni enableNetworkPolicy value {}; this build cannot tell whether NetworkPolicy is enforced.",
                config.get().and_then(|v| v.get("enableNetworkPolicy")).map(|v| v.to_string()).unwrap_or_default()
            ),
            evidence,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Addon;
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

    fn addon(name: &str, config: Field<serde_json::Value>) -> Addon {
        Addon {
            path: format!("addons[{name}]"),
            name: name.into(),
            version: Some("v1.0.0-eksbuild.1".into()),
            configuration: config,
            service_account_role_arn: None,
            status: Field::value(format!("addons[{name}].status"), "ACTIVE".to_string(), "ACTIVE"),
        }
    }

    fn with_status(mut a: Addon, status: &str) -> Addon {
        a.status = Field::value(a.status.path.clone(), status.to_string(), status);
        a
    }

    #[test]
    fn an_engine_or_vpc_cni_that_is_not_active_never_passes() {
        let off = || addon("vpc-cni", cni_config(serde_json::json!({})));
        let on = || addon("vpc-cni", cni_config(serde_json::json!({"enableNetworkPolicy": "true"})));
        let engine = |status| with_status(addon("calico", Field::absent("addons[calico].configurationValues")), status);
        // A failed engine is no engine: vpc-cni without network policy fails.
        let out = run(&CHECK, &eks_with(vec![off(), engine("CREATE_FAILED")]));
        assert_eq!(out.status, Status::Fail, "{}", out.message);
        assert!(out.message.contains("CREATE_FAILED"), "{}", out.message);
        // A degraded or updating engine may or may not enforce.
        for status in ["DEGRADED", "UPDATING", "CREATING", "SOMETHING_NEW"] {
            let out = run(&CHECK, &eks_with(vec![off(), engine(status)]));
            assert_eq!(out.status, Status::Unknown, "{status}: {}", out.message);
        }
        let mut unread = engine("ACTIVE");
        unread.status = Field::unknown("addons[calico].status", "DescribeAddon: AccessDenied");
        assert_eq!(run(&CHECK, &eks_with(vec![off(), unread])).status, Status::Unknown);
        // vpc-cni enabling network policy counts only when ACTIVE; one that failed to install is none.
        for status in ["DEGRADED", "UPDATE_FAILED", "CREATING"] {
            let out = run(&CHECK, &eks_with(vec![with_status(on(), status)]));
            assert_eq!(out.status, Status::Unknown, "{status}: {}", out.message);
        }
        let out = run(&CHECK, &eks_with(vec![with_status(on(), "CREATE_FAILED")]));
        assert_eq!(out.status, Status::Fail, "{}", out.message);
        assert!(out.message.starts_with("No add-on running"), "{}", out.message);
        assert_eq!(run(&CHECK, &eks_with(vec![on()])).status, Status::Pass);
        // An ACTIVE engine passes whatever else is there.
        assert_eq!(run(&CHECK, &eks_with(vec![off(), engine("DEGRADED"), engine("ACTIVE")])).status, Status::Pass);
    }

    fn cni_config(json: serde_json::Value) -> Field<serde_json::Value> {
        let raw = json.to_string();
        Field::value("addons[vpc-cni].configurationValues", json, raw)
    }

    fn eks_with(addons: Vec<Addon>) -> Cluster {
        let mut c = hardened_eks();
        let raw = format!("{} add-ons", addons.len());
        c.addons = Field::value("addons", addons, raw);
        c
    }

    #[test]
    fn eks_vpc_cni_network_policy_passes_as_string_or_bool() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(
            o.evidence[1],
            Evidence::new("addons[vpc-cni].configurationValues", r#"{"enableNetworkPolicy":"true"}"#)
        );
        let c = eks_with(vec![addon("vpc-cni", cni_config(serde_json::json!({"enableNetworkPolicy": true})))]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn eks_vpc_cni_without_network_policy_fails() {
        for config in [
            serde_json::json!({"enableNetworkPolicy": "false"}),
            serde_json::json!({"enableNetworkPolicy": false}),
            serde_json::json!({"env": {"ENABLE_PREFIX_DELEGATION": "true"}}),
        ] {
            let c = eks_with(vec![addon("vpc-cni", cni_config(config.clone()))]);
            assert_eq!(run(&CHECK, &c).status, Status::Fail, "{config}");
        }
        let c = eks_with(vec![addon("vpc-cni", Field::absent("addons[vpc-cni].configurationValues"))]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.evidence[1], Evidence::new("addons[vpc-cni].configurationValues", "(absent)"));
    }

    #[test]
    fn eks_other_policy_engine_addon_passes() {
        let off = addon("vpc-cni", cni_config(serde_json::json!({"enableNetworkPolicy": "false"})));
        for engine in ["tigera-operator", "calico", "isovalent_cilium"] {
            let c = eks_with(vec![off.clone(), addon(engine, Field::absent("configurationValues"))]);
            let o = run(&CHECK, &c);
            assert_eq!(o.status, Status::Pass, "{engine}");
            assert!(o.message.contains(engine), "{}", o.message);
        }
    }

    #[test]
    fn eks_without_addons_fails() {
        let o = run(&CHECK, &eks_with(vec![]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("No add-ons are installed"), "{}", o.message);
        let o = run(&CHECK, &eks_with(vec![addon("coredns", Field::absent("addons[coredns].configurationValues"))]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("(coredns) include neither vpc-cni"), "{}", o.message);
        let mut c = hardened_eks();
        absent(&mut c.addons);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
    }

    #[test]
    fn eks_uncollected_or_unreadable_is_unknown() {
        let mut c = hardened_eks();
        c.addons = Field::unknown("addons", "AccessDeniedException on ListAddons");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AccessDeniedException on ListAddons"));
        let c = eks_with(vec![addon(
            "vpc-cni",
            Field::unknown("addons[vpc-cni].configurationValues", "configurationValues is neither JSON nor YAML"),
        )]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("neither JSON nor YAML"), "{}", o.message);
        let c = eks_with(vec![addon("vpc-cni", cni_config(serde_json::json!({"enableNetworkPolicy": "yes"})))]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains(r#"enableNetworkPolicy value "yes""#), "{}", o.message);
    }

    #[test]
    fn eks_failure_snapshot() {
        let c = eks_with(vec![
            addon("vpc-cni", cni_config(serde_json::json!({"enableNetworkPolicy": "false"}))),
            addon("coredns", Field::absent("addons[coredns].configurationValues")),
        ]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "The vpc-cni add-on's configurationValues do not set enableNetworkPolicy to \"true\" and no other policy engine add-on is running, so NetworkPolicy objects are not enforced and every pod can reach every other pod."
        evidence:
          - path: "addons[vpc-cni]"
            observed: vpc-cni v1.0.0-eksbuild.1
          - path: "addons[vpc-cni].configurationValues"
            observed: "{\"enableNetworkPolicy\":\"false\"}"
          - path: "addons[vpc-cni].status"
            observed: ACTIVE
        "#);
    }
}
