//! The explicit list of checks. Adding a check = one file in `catalog/` + one line here.

use crate::catalog::*;
use crate::context::Context;
use crate::meta::CheckMeta;
use crate::model::{Cluster, Scope};
use crate::outcome::Outcome;

/// How a check judges one cluster.
pub type ClusterEval = fn(&Cluster, &Context) -> Outcome;
/// How a check judges a scope above clusters (an AWS account, an Entra tenant).
pub type ScopeEval = fn(&Scope, &Context) -> Outcome;

/// A check: its metadata and pure functions of the model, for clusters, scopes or both.
pub struct Check {
    pub meta: CheckMeta,
    pub cluster: Option<ClusterEval>,
    pub scope: Option<ScopeEval>,
}

/// Every implemented check, in catalog order.
pub fn all() -> &'static [Check] {
    static ALL: &[Check] = &[
        net_001::CHECK,
        net_002::CHECK,
        net_003::CHECK,
        net_004::CHECK,
        net_005::CHECK,
        net_006::CHECK,
        auth_001::CHECK,
        auth_002::CHECK,
        auth_003::CHECK,
        auth_004::CHECK,
        auth_005::CHECK,
        auth_006::CHECK,
        auth_007::CHECK,
        auth_008::CHECK,
        auth_009::CHECK,
        idn_001::CHECK,
        idn_002::CHECK,
        idn_003::CHECK,
        idn_004::CHECK,
        idn_005::CHECK,
        idn_006::CHECK,
        idn_007::CHECK,
        idn_008::CHECK,
        idn_009::CHECK,
        idn_010::CHECK,
        idn_011::CHECK,
        idn_012::CHECK,
        wid_001::CHECK,
        wid_002::CHECK,
        wid_003::CHECK,
        wid_004::CHECK,
        wid_005::CHECK,
        wid_006::CHECK,
        node_001::CHECK,
        node_002::CHECK,
        node_003::CHECK,
        node_004::CHECK,
        clu_001::CHECK,
        clu_002::CHECK,
        clu_003::CHECK,
        clu_004::CHECK,
        clu_005::CHECK,
        clu_006::CHECK,
        clu_007::CHECK,
        clu_008::CHECK,
        wkl_001::CHECK,
        wkl_002::CHECK,
        wkl_003::CHECK,
        wkl_004::CHECK,
        wkl_005::CHECK,
        wkl_006::CHECK,
        wkl_007::CHECK,
        wkl_008::CHECK,
        wkl_009::CHECK,
        wkl_010::CHECK,
        wkl_011::CHECK,
        wkl_012::CHECK,
        wkl_013::CHECK,
        wkl_014::CHECK,
        wkl_015::CHECK,
        wkl_016::CHECK,
        k8s_001::CHECK,
        k8s_002::CHECK,
        k8s_003::CHECK,
        k8s_004::CHECK,
    ];
    ALL
}

pub fn find(id: &str) -> Option<&'static Check> {
    all().iter().find(|c| c.meta.id.eq_ignore_ascii_case(id) || c.meta.slug == id)
}

/// Runs every applicable check on one cluster. Pure: same inputs, same outputs.
pub fn evaluate(cluster: &Cluster, ctx: &Context) -> Vec<(&'static CheckMeta, Outcome)> {
    all()
        .iter()
        .filter(|c| c.meta.applies_to(cluster.r#ref.cloud))
        .filter_map(|c| Some((&c.meta, (c.cluster?)(cluster, ctx))))
        .collect()
}

/// Runs every applicable scope check on one account or tenant.
pub fn evaluate_scope(scope: &Scope, ctx: &Context) -> Vec<(&'static CheckMeta, Outcome)> {
    all()
        .iter()
        .filter(|c| c.meta.applies_to(scope.r#ref.cloud))
        .filter_map(|c| Some((&c.meta, (c.scope?)(scope, ctx))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Field, Obs};
    use crate::model::Cloud;
    use crate::outcome::Status;
    use crate::testing::*;
    use std::collections::BTreeSet;

    /// Catalog order of the families.
    const FAMILIES: &[&str] = &["NET", "AUTH", "IDN", "WID", "NODE", "CLU", "WKL", "K8S"];

    fn metas() -> impl Iterator<Item = &'static CheckMeta> {
        all().iter().map(|c| &c.meta)
    }

    /// `(family index, number)` of an id shaped `^[A-Z]+-\d{3}$`, or `None`.
    fn parse_id(id: &str) -> Option<(usize, u32)> {
        let (family, number) = id.split_once('-')?;
        let shaped = !family.is_empty()
            && family.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && number.len() == 3
            && number.bytes().all(|b| b.is_ascii_digit());
        if !shaped {
            return None;
        }
        Some((FAMILIES.iter().position(|f| *f == family)?, number.parse().ok()?))
    }

    #[test]
    fn ids_are_well_formed_known_families_in_catalog_order() {
        let keys: Vec<(usize, u32)> =
            metas().map(|m| parse_id(m.id).unwrap_or_else(|| panic!("bad id {}", m.id))).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "ALL must be in catalog order, ids unique: {keys:?}");
        for m in metas() {
            assert_eq!(m.family(), FAMILIES[parse_id(m.id).map(|k| k.0).unwrap_or_default()], "{}", m.id);
        }
        assert!(parse_id("NET-1").is_none() && parse_id("net-001").is_none() && parse_id("XYZ-001").is_none());
    }

    #[test]
    fn ids_and_slugs_are_unique() {
        let ids: BTreeSet<&str> = metas().map(|m| m.id).collect();
        let slugs: BTreeSet<&str> = metas().map(|m| m.slug).collect();
        assert_eq!(ids.len(), all().len());
        assert_eq!(slugs.len(), all().len());
        for m in metas() {
            assert!(
                m.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}: slug {}",
                m.id,
                m.slug
            );
        }
    }

    #[test]
    fn every_record_is_complete() {
        for m in metas() {
            let text = [m.title, m.rationale, m.remediation];
            assert!(text.iter().all(|t| !t.trim().is_empty()), "{}: empty text", m.id);
            assert!(!m.clouds.is_empty(), "{}: no clouds", m.id);
            assert!(!m.references.is_empty(), "{}: no references", m.id);
            for r in m.references {
                let official = ["https://learn.microsoft.com/", "https://docs.aws.amazon.com/"];
                assert!(official.iter().any(|p| r.starts_with(p)), "{}: reference {r}", m.id);
            }
            assert!(!m.compliance.is_empty(), "{}: no compliance ids", m.id);
            assert!(m.compliance.iter().all(|c| !c.trim().is_empty()), "{}: blank compliance id", m.id);
            // "—" (no mapping, as CHECKS.md writes it) stands alone.
            assert!(m.compliance == ["—"] || !m.compliance.contains(&"—"), "{}", m.id);
            // Plain text: no Markdown beyond backticks.
            for t in [m.rationale, m.remediation] {
                assert!(!t.contains("**") && !t.contains("](") && !t.contains('#'), "{}: markdown in {t}", m.id);
            }
            assert!(find(m.id).is_some_and(|c| c.meta.id == m.id) && find(m.slug).is_some(), "{}", m.id);
        }
    }

    #[test]
    fn catalog_listing() {
        let listing: String = metas()
            .map(|m| {
                let clouds: Vec<&str> = m.clouds.iter().map(|c| c.as_str()).collect();
                format!("{} {} {} {}\n", m.id, m.slug, m.severity.as_str(), clouds.join(","))
            })
            .collect();
        insta::assert_snapshot!("catalog", listing);
    }

    #[test]
    fn hardened_aks_passes_every_check() {
        let outcomes = evaluate(&hardened_aks(), &ctx());
        for (meta, o) in &outcomes {
            // NET-002 judges a public allow-list; the hardened cluster has no public endpoint.
            let expected = if meta.id == "NET-002" { Status::NotApplicable } else { Status::Pass };
            assert_eq!(o.status, expected, "{}: {o:?}", meta.id);
        }
        let cluster_checks = all().iter().filter(|c| c.meta.applies_to(Cloud::Aks) && c.cluster.is_some()).count();
        assert_eq!(outcomes.len(), cluster_checks);
        let ids: Vec<&str> = outcomes.iter().map(|(m, _)| m.id).collect();
        for id in (1..=12).filter(|n| *n != 5).map(|n| format!("IDN-{n:03}")) {
            assert!(ids.contains(&id.as_str()), "{id} runs on AKS clusters: {ids:?}");
        }
        assert!(!ids.contains(&"IDN-005"), "IDN-005 judges the tenant, not clusters");
    }

    #[test]
    fn clean_tenant_passes_every_tenant_check() {
        let outcomes = evaluate_scope(&clean_tenant(), &ctx());
        let ids: Vec<&str> = outcomes.iter().map(|(m, _)| m.id).collect();
        assert_eq!(ids, ["IDN-005"]);
        for (meta, o) in outcomes {
            assert_eq!(o.status, Status::Pass, "{}: {o:?}", meta.id);
        }
        let mut denied = clean_tenant();
        denied.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        for (meta, o) in evaluate_scope(&denied, &ctx()) {
            assert_eq!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
            assert!(o.message.contains("Policy.Read.All"), "{}: {}", meta.id, o.message);
        }
    }

    /// Graph denies Conditional Access: IDN-001…005 are unknown with Graph's reason while the
    /// ARM-based checks are unaffected.
    #[test]
    fn conditional_access_denied_only_affects_ca_checks() {
        let mut c = hardened_aks();
        c.entra.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        for (meta, o) in evaluate(&c, &ctx()) {
            if ["IDN-001", "IDN-002", "IDN-003", "IDN-004"].contains(&meta.id) {
                assert_eq!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
                assert!(o.message.contains("Authorization_RequestDenied") && o.message.contains("Policy.Read.All"));
            } else {
                assert_ne!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
            }
        }
        let by_id = |id: &str| evaluate(&c, &ctx()).into_iter().find(|(m, _)| m.id == id).map(|(_, o)| o.status);
        assert_eq!(by_id("AUTH-001"), Some(Status::Pass));
        assert_eq!(by_id("NET-001"), Some(Status::Pass));
        let mut tenant = clean_tenant();
        tenant.conditional_access = Field::unknown("conditionalAccess/policies", CA_DENIED);
        let o = find("IDN-005").and_then(|c| c.scope).map(|eval| eval(&tenant, &ctx())).expect("IDN-005 scope check");
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Policy.Read.All"));
    }

    #[test]
    fn clean_account_passes_every_scope_check() {
        let scope = evaluate_scope(&clean_account(), &ctx());
        assert!(scope.iter().any(|(m, _)| m.id == "WID-004"));
        for (meta, o) in scope {
            assert_eq!(o.status, Status::Pass, "{}: {o:?}", meta.id);
        }
    }

    fn nothing_collected() -> Cluster {
        Cluster::unknown(hardened_aks().r#ref, "AuthorizationFailed")
    }

    #[test]
    fn hardened_eks_passes_every_eks_check() {
        let outcomes = evaluate(&hardened_eks(), &ctx());
        for (meta, o) in &outcomes {
            // NET-002 judges a public allow-list; the hardened cluster's endpoint is private.
            let expected = if meta.id == "NET-002" { Status::NotApplicable } else { Status::Pass };
            assert_eq!(o.status, expected, "{}: {o:?}", meta.id);
        }
        assert_eq!(outcomes.len(), all().iter().filter(|c| c.meta.applies_to(Cloud::Eks)).count());
        let ids: Vec<&str> = outcomes.iter().map(|(m, _)| m.id).collect();
        for id in ["NET-005", "AUTH-005", "AUTH-006", "AUTH-007", "AUTH-008", "IDN-012", "NODE-001"] {
            assert!(ids.contains(&id), "{id} runs on EKS: {ids:?}");
        }
    }

    #[test]
    fn eks_nothing_collected_is_unknown_everywhere() {
        let c = Cluster::unknown(hardened_eks().r#ref, "AccessDeniedException on DescribeCluster");
        let outcomes = evaluate(&c, &ctx());
        assert!(!outcomes.is_empty());
        for (meta, o) in outcomes {
            assert_eq!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
            assert!(o.message.contains("AccessDeniedException on DescribeCluster"), "{}: {}", meta.id, o.message);
        }
    }

    #[test]
    fn eks_nothing_passes_on_absence() {
        let mut c = everything_absent();
        c.r#ref = hardened_eks().r#ref;
        for (meta, o) in evaluate(&c, &ctx()) {
            // K8S-002: an absent aws-auth ConfigMap (the API answered 404) maps nobody.
            if meta.id == "K8S-002" {
                assert_eq!(o.status, Status::Pass, "{o:?}");
                continue;
            }
            assert_ne!(o.status, Status::Pass, "{}: {o:?}", meta.id);
            if o.status == Status::Fail {
                assert!(o.evidence.iter().any(|e| e.observed == "(absent)"), "{}: {o:?}", meta.id);
            }
        }
    }

    #[test]
    fn nothing_collected_is_unknown_everywhere() {
        for (meta, o) in evaluate(&nothing_collected(), &ctx()) {
            assert_eq!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
            assert!(o.message.contains("AuthorizationFailed"), "{}: {}", meta.id, o.message);
        }
    }

    /// Every field of the model turned absent (the JSON round trip reaches every `Field`).
    fn everything_absent() -> Cluster {
        fn to_absent(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(map) => {
                    if map.get("state").and_then(|s| s.as_str()) == Some("unknown") {
                        map.remove("reason");
                        map.insert("state".into(), "absent".into());
                    }
                    map.values_mut().for_each(to_absent);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(to_absent),
                _ => {}
            }
        }
        let mut json = serde_json::to_value(nothing_collected()).expect("model serializes");
        to_absent(&mut json);
        serde_json::from_value(json).expect("model deserializes")
    }

    #[test]
    fn nothing_passes_on_absence() {
        let c = everything_absent();
        assert!(matches!(c.authn.entra_managed.obs, Obs::Absent));
        for (meta, o) in evaluate(&c, &ctx()) {
            // WID-006: an absent pod identity profile is the secure default.
            if meta.id == "WID-006" {
                assert_eq!(o.status, Status::Pass, "{o:?}");
                continue;
            }
            assert_ne!(o.status, Status::Pass, "{}: {o:?}", meta.id);
            if o.status == Status::Fail {
                assert!(o.evidence.iter().any(|e| e.observed == "(absent)"), "{}: {o:?}", meta.id);
            }
        }
    }

    #[test]
    fn odd_values_never_panic_or_pass_blindly() {
        let mut c = hardened_aks();
        make_public(&mut c, Some(&["", " ", "/", "1.2.3.4/99", "::/", "*"]));
        for f in [
            &mut c.version.current,
            &mut c.version.support_plan,
            &mut c.version.upgrade_channel,
            &mut c.version.node_os_upgrade_channel,
            &mut c.endpoint.public_network_access,
            &mut c.cloud_identity.kind,
            &mut c.network.policy_engine,
        ] {
            set_str(f, "\u{1F4A5}.\u{0}");
        }
        c.node_pools = Field::value("properties.agentPoolProfiles", vec![], "[]");
        for (meta, o) in evaluate(&c, &ctx()) {
            let blind = ["CLU-001", "CLU-002", "CLU-003", "NET-006", "AUTH-009", "NODE-004"];
            if blind.contains(&meta.id) {
                assert_eq!(o.status, Status::Unknown, "{}: {o:?}", meta.id);
            }
        }
    }
}
