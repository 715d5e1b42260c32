//! CLU-001: the control-plane Kubernetes version is out of standard support, per the cloud's own catalog.

use crate::catalog::prelude::*;
use crate::model::CatalogVersion;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-001",
        slug: "kubernetes-version-unsupported",
        title: "Kubernetes version out of standard support",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Once a Kubernetes minor version leaves standard support, the cloud stops shipping security patches \
for its control plane and node images in the normal channel, and known CVEs stay exploitable. Clusters left behind also \
become hard to upgrade in one step, so the exposure tends to grow rather than shrink.",
        remediation: "AKS: list the targets with `az aks get-upgrades -g <rg> -n <cluster>` and upgrade with \
`az aks upgrade -g <rg> -n <cluster> --kubernetes-version <version>`; long-term support (Premium tier, \
`--k8s-support-plan AKSLongTermSupport`) keeps patches coming while you upgrade, but is not standard support. \
EKS: `aws eks update-cluster-version --name <cluster> --kubernetes-version <version>`, one minor version at a time.",
        references: &[
            "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions",
            "https://learn.microsoft.com/azure/aks/long-term-support",
            "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
        ],
        compliance: &["—"],
    },
    cluster: Some(eval),
    scope: None,
};

/// Support states meaning standard support (AKS `KubernetesOfficial`, EKS `STANDARD_SUPPORT`).
const STANDARD: &[&str] = &["KubernetesOfficial", "STANDARD_SUPPORT"];
/// AKS long-term support: the plan in the catalog and on the cluster.
const LTS: &str = "AKSLongTermSupport";

fn describe(e: &CatalogVersion) -> String {
    let mut s = format!("support=[{}] preview={}", e.support.join(", "), e.preview);
    if let Some(end) = &e.end_of_standard_support {
        s.push_str(&format!(" endOfStandardSupport={end}"));
    }
    s
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let v = &c.version;
    require!(v.current);
    let Some(raw) = v.current.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so the control-plane version cannot be judged.", v.current.path),
            vec![Evidence::of(&v.current)],
        );
    };
    let Some(minor) = parse_minor(raw) else {
        return Outcome::unknown_because(
            format!("The control-plane version '{}' is not a Kubernetes version this build can read.", raw.trim()),
            vec![Evidence::of(&v.current)],
        );
    };
    require!(v.catalog);
    let mut evidence = vec![Evidence::of(&v.current), Evidence::of(&v.catalog)];
    let Some(catalog) = v.catalog.get() else {
        return Outcome::unknown_because(
            "The cloud's list of supported versions is absent, so support cannot be judged.",
            evidence,
        );
    };
    let Some(entry) = catalog.versions.iter().find(|e| parse_minor(&e.minor) == Some(minor)) else {
        let newest = catalog.versions.iter().filter_map(|e| parse_minor(&e.minor)).max();
        return match newest {
            None => Outcome::unknown_because(
                "The cloud's list of supported versions is empty, so support cannot be judged.",
                evidence,
            ),
            Some(n) if minor > n => Outcome::unknown_because(
                format!(
                    "Kubernetes {minor} is newer than every version the cloud lists (newest {n}), so support cannot be judged."
                ),
                evidence,
            ),
            Some(_) => Outcome::fail(
                format!(
                    "Kubernetes {minor} is no longer offered by the cloud in {}; upgrade to a supported version.",
                    c.r#ref.region
                ),
                evidence,
            ),
        };
    };
    evidence.push(Evidence::new(format!("{}[{}]", v.catalog.path, entry.minor), describe(entry)));
    if entry.preview {
        return Outcome::fail(
            format!("Kubernetes {minor} is a preview version, which is not covered by standard support."),
            evidence,
        );
    }
    // An unparsable date is ignored; the support states below still decide.
    let ended = entry
        .end_of_standard_support
        .as_deref()
        .filter(|d| OffsetDateTime::parse(d.trim(), &Rfc3339).is_ok_and(|end| end < ctx.now));
    if let Some(end) = ended {
        return Outcome::fail(format!("Standard support for Kubernetes {minor} ended on {end}; upgrade."), evidence);
    }
    let has = |names: &[&str]| entry.support.iter().any(|s| is_one_of(s, names));
    if has(STANDARD) {
        return Outcome::pass(format!("Kubernetes {minor} is in standard support."), evidence);
    }
    if has(&[LTS]) {
        // Long-term support is not standard support (as EKS extended support is not): the
        // cluster's plan only says whether Microsoft still patches it, for a fee.
        evidence.push(Evidence::of(&v.support_plan));
        let plan = match v.support_plan.get() {
            Some(plan) if is_one_of(plan, &[LTS]) => {
                format!("the cluster pays for it on the {LTS} plan, but that is not standard support; upgrade")
            }
            _ => format!("and the cluster's support plan is {}; upgrade", v.support_plan.observed()),
        };
        return Outcome::fail(format!("Kubernetes {minor} is only in long-term support, {plan}."), evidence);
    }
    if entry.support.is_empty() {
        return Outcome::unknown_because(
            format!("The cloud lists Kubernetes {minor} with no support state, so support cannot be judged."),
            evidence,
        );
    }
    Outcome::fail(
        format!("Kubernetes {minor} is out of standard support ({}); upgrade.", entry.support.join(", ")),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VersionCatalog;
    use crate::testing::*;
    use std::sync::Arc;

    fn at(version: &str) -> Cluster {
        let mut c = hardened_aks();
        set_str(&mut c.version.current, version);
        c
    }

    fn with_entry(c: &mut Cluster, entry: CatalogVersion) {
        let mut versions = aks_catalog().versions.clone();
        versions.retain(|e| e.minor != entry.minor);
        versions.push(entry);
        c.version.catalog = Field::value(c.version.catalog.path.clone(), Arc::new(VersionCatalog { versions }), "test");
    }

    fn entry(minor: &str, support: &[&str]) -> CatalogVersion {
        CatalogVersion {
            minor: minor.into(),
            support: support.iter().map(|s| s.to_string()).collect(),
            preview: false,
            end_of_standard_support: None,
        }
    }

    #[test]
    fn standard_support_passes_in_every_spelling() {
        for v in ["1.31.2", "v1.31.2", "1.31", "1.30.9"] {
            assert_eq!(run(&CHECK, &at(v)).status, Status::Pass, "{v}");
        }
    }

    /// Long-term support is not standard support (the catalog's words), as EKS extended support
    /// is not: a version only in LTS fails whatever plan the cluster pays for; the plan is named.
    #[test]
    fn lts_only_version_is_out_of_standard_support_whatever_the_plan() {
        let mut c = at("1.29.9");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("support plan is KubernetesOfficial"), "{}", o.message);
        set_str(&mut c.version.support_plan, "AKSLongTermSupport");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("only in long-term support") && o.message.contains("AKSLongTermSupport"),
            "{}",
            o.message
        );
        absent(&mut c.version.support_plan);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.version.support_plan);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn version_missing_from_catalog_fails() {
        let o = run(&CHECK, &at("1.27.3"));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("no longer offered"));
    }

    #[test]
    fn version_newer_than_catalog_is_unknown() {
        assert_eq!(run(&CHECK, &at("1.40.0")).status, Status::Unknown);
    }

    #[test]
    fn preview_fails() {
        let mut c = at("1.33.0");
        with_entry(&mut c, CatalogVersion { preview: true, ..entry("1.33", &["KubernetesOfficial"]) });
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn past_end_of_standard_support_fails_future_or_garbage_is_ignored() {
        let mut c = at("1.31.2");
        let eos = |d: &str| CatalogVersion {
            end_of_standard_support: Some(d.into()),
            ..entry("1.31", &["STANDARD_SUPPORT"])
        };
        with_entry(&mut c, eos("2025-03-23T00:00:00Z"));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("ended on 2025-03-23T00:00:00Z"));
        with_entry(&mut c, eos("2026-03-23T00:00:00+00:00"));
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        with_entry(&mut c, eos("next spring"));
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn other_support_states_fail() {
        let mut c = at("1.31.2");
        with_entry(&mut c, entry("1.31", &["EXTENDED_SUPPORT"]));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        with_entry(&mut c, entry("1.31", &[]));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn missing_inputs_are_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.version.catalog);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.version.catalog);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_aks();
        unknown(&mut c.version.current);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.version.current);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        assert_eq!(run(&CHECK, &at("latest")).status, Status::Unknown);
        let mut c = hardened_aks();
        c.version.catalog = Field::value("kubernetesVersions", Arc::new(VersionCatalog::default()), "0 versions");
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &at("1.29.9")), @r#"
        status: fail
        message: "Kubernetes 1.29 is only in long-term support, and the cluster's support plan is KubernetesOfficial; upgrade."
        evidence:
          - path: properties.currentKubernetesVersion
            observed: 1.29.9
          - path: locations/westeurope/kubernetesVersions
            observed: 4 versions
          - path: "locations/westeurope/kubernetesVersions[1.29]"
            observed: "support=[AKSLongTermSupport] preview=false"
          - path: properties.supportPlan
            observed: KubernetesOfficial
        "#);
    }

    fn eks_at(version: &str) -> Cluster {
        let mut c = hardened_eks();
        set_str(&mut c.version.current, version);
        c
    }

    #[test]
    fn eks_standard_support_passes() {
        for v in ["1.32", "1.31", "1.33.1"] {
            let o = run(&CHECK, &eks_at(v));
            assert_eq!(o.status, Status::Pass, "{v}: {o:?}");
        }
    }

    #[test]
    fn eks_extended_support_fails() {
        let o = run(&CHECK, &eks_at("1.30"));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "Kubernetes 1.30 is out of standard support (EXTENDED_SUPPORT); upgrade.");
    }

    #[test]
    fn eks_past_end_of_standard_support_fails() {
        let mut c = eks_at("1.31");
        let mut versions = eks_catalog().versions.clone();
        versions[1].end_of_standard_support = Some("2025-05-31T23:59:59Z".into());
        c.version.catalog = Field::value(c.version.catalog.path.clone(), Arc::new(VersionCatalog { versions }), "test");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("ended on 2025-05-31T23:59:59Z"), "{}", o.message);
    }

    #[test]
    fn eks_missing_inputs_are_unknown() {
        let mut c = hardened_eks();
        c.version.catalog =
            Field::unknown("clusterVersions[eu-west-1]", "AccessDeniedException on DescribeClusterVersions");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("DescribeClusterVersions"));
        assert_eq!(run(&CHECK, &eks_at("1.34")).status, Status::Unknown);
        assert_eq!(run(&CHECK, &eks_at("1.28")).status, Status::Fail);
    }

    #[test]
    fn eks_failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &eks_at("1.30")), @r#"
        status: fail
        message: Kubernetes 1.30 is out of standard support (EXTENDED_SUPPORT); upgrade.
        evidence:
          - path: cluster.version
            observed: "1.30"
          - path: "clusterVersions[eu-west-1]"
            observed: "1.30, 1.31, 1.32, 1.33"
          - path: "clusterVersions[eu-west-1][1.30]"
            observed: "support=[EXTENDED_SUPPORT] preview=false endOfStandardSupport=2025-07-23T00:00:00Z"
        "#);
    }
}
