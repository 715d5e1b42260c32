//! What a scan covered. It decides what "resolved" may mean: a finding that is gone is
//! resolved only where the later scan listed every cluster; elsewhere it was "not collected".

use crate::findings::ScanResult;
use crate::fingerprint::canonical;
use kubeposture_checks::{Cloud, ResourceKind, ResourceRef};
use kubeposture_providers::Coverage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The scope a scan recorded: the clouds asked for, and the tenants, subscriptions, accounts
/// and regions it collected completely.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanScope {
    pub clouds: Vec<String>,
    /// Entra tenants whose tenant-level checks ran.
    pub tenants: BTreeSet<String>,
    /// Azure subscriptions whose clusters were all listed.
    pub subscriptions: BTreeSet<String>,
    /// AWS accounts whose account-level checks ran.
    pub accounts: BTreeSet<String>,
    /// AWS `account/region` pairs whose clusters were all listed.
    pub regions: BTreeSet<String>,
}

impl ScanScope {
    pub fn of(clouds: &[&str], result: &ScanResult) -> Self {
        let mut s = ScanScope { clouds: clouds.iter().map(|c| c.to_string()).collect(), ..Default::default() };
        for c in &result.covered {
            match c {
                Coverage::Subscription(id) => {
                    s.subscriptions.insert(canonical(id));
                }
                Coverage::Region { account, region } => {
                    s.regions.insert(format!("{account}/{region}"));
                }
            }
        }
        for r in result.resources.keys() {
            match r.kind {
                ResourceKind::Tenant => {
                    s.tenants.insert(canonical(&r.id));
                }
                ResourceKind::Account => {
                    s.accounts.insert(r.account.clone());
                }
                ResourceKind::Cluster => {}
            }
        }
        s
    }

    /// Did this scan collect everything where `r` lives (so its absence means it is gone)?
    pub fn covers(&self, r: &ResourceRef) -> bool {
        match (r.kind, r.cloud) {
            (ResourceKind::Cluster, Cloud::Aks) => self.subscriptions.contains(&canonical(&r.account)),
            (ResourceKind::Cluster, Cloud::Eks) => self.regions.contains(&format!("{}/{}", r.account, r.region)),
            (ResourceKind::Tenant, _) => self.tenants.contains(&canonical(&r.id)),
            (ResourceKind::Account, _) => self.accounts.contains(&r.account),
        }
    }
}

/// The scope key of a scan that names none (`--history-scope`): its selection, normalized so
/// the same selection in another order is the same key.
pub fn derived_key(
    clouds: &[&str],
    subscriptions: &[String],
    roles: &[String],
    regions: &[String],
    profile: Option<&str>,
    demo: bool,
) -> String {
    let list = |v: &[String], lower: bool| {
        let mut v: Vec<String> = v.iter().map(|s| if lower { s.to_ascii_lowercase() } else { s.clone() }).collect();
        v.sort();
        v.dedup();
        v.join(",")
    };
    let mut parts = vec![format!("clouds={}", clouds.join(","))];
    if demo {
        parts.push("demo".into());
    }
    if !subscriptions.is_empty() {
        parts.push(format!("subscriptions={}", list(subscriptions, true)));
    }
    if !roles.is_empty() {
        // `ARN,external_id=ID`: the external id is a shared secret of sorts; keep only the ARN.
        let arns: Vec<String> = roles.iter().map(|r| r.split(',').next().unwrap_or("").to_string()).collect();
        parts.push(format!("roles={}", list(&arns, false)));
    }
    if !regions.is_empty() {
        parts.push(format!("regions={}", list(regions, true)));
    }
    if let Some(p) = profile {
        parts.push(format!("profile={p}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_ignore_order_case_and_external_ids() {
        let a = derived_key(
            &["azure", "aws"],
            &["B".into(), "a".into()],
            &["arn:aws:iam::1:role/r,external_id=SECRET".into()],
            &[],
            None,
            false,
        );
        let b = derived_key(
            &["azure", "aws"],
            &["a".into(), "b".into()],
            &["arn:aws:iam::1:role/r".into()],
            &[],
            None,
            false,
        );
        assert_eq!(a, b);
        assert!(!a.contains("SECRET"));
        assert_eq!(derived_key(&["azure"], &[], &[], &[], None, true), "clouds=azure demo");
    }

    #[test]
    fn covers_by_subscription_region_tenant_account() {
        let mut result = ScanResult::default();
        result.covered.push(Coverage::Subscription("AAAAAAAA-0000-0000-0000-000000000001".into()));
        result.covered.push(Coverage::Region { account: "111122223333".into(), region: "us-east-1".into() });
        let s = ScanScope::of(&["azure", "aws"], &result);
        let mut aks = crate::findings::tests::cluster("aks-1");
        aks.account = "aaaaaaaa-0000-0000-0000-000000000001".into();
        assert!(s.covers(&aks));
        aks.account = "bbbbbbbb-0000-0000-0000-000000000002".into();
        assert!(!s.covers(&aks), "a subscription not listed is not covered");
        let eks = ResourceRef {
            kind: ResourceKind::Cluster,
            cloud: Cloud::Eks,
            account: "111122223333".into(),
            region: "us-east-1".into(),
            resource_group: None,
            name: "c".into(),
            id: "arn:aws:eks:us-east-1:111122223333:cluster/c".into(),
            tags: Default::default(),
        };
        assert!(s.covers(&eks));
        assert!(!s.covers(&ResourceRef { region: "eu-west-1".into(), ..eks.clone() }));
        let account = ResourceRef { kind: ResourceKind::Account, region: String::new(), ..eks };
        assert!(!s.covers(&account), "the account scope was not emitted");
    }
}
