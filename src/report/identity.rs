//! How reports name a finding across runs and a resource as a path. The one place SARIF, OCSF and
//! HTML take a finding's fingerprint and history mark from.

use crate::findings::Finding;
use kubeposture_checks::{Cloud, ResourceKind, ResourceRef};

/// The finding's stable identity across scans (SARIF `partialFingerprints`, OCSF
/// `finding_info.uid`): the history store's fingerprint.
pub fn fingerprint(f: &Finding) -> String {
    f.marks.fingerprint.clone()
}

/// The history mark of a finding: `waived` (as a whole or every failing subject), else `new` or
/// `existing` when the scan was compared with history; `None` otherwise.
pub fn mark(f: &Finding) -> Option<&'static str> {
    if f.is_waived() {
        return Some("waived");
    }
    f.marks.novelty.map(|n| n.as_str())
}

/// A relative path naming the resource: `azure/SUBSCRIPTION/RG/CLUSTER`,
/// `aws/ACCOUNT/REGION/CLUSTER`, `aws/ACCOUNT`, `azure/tenant/TENANT`. Each segment is
/// percent-encoded, so any name makes a valid relative URI.
pub fn resource_path(r: &ResourceRef) -> String {
    let cloud = match r.cloud {
        Cloud::Aks => "azure",
        Cloud::Eks => "aws",
    };
    let segments: Vec<&str> = match (r.kind, r.cloud) {
        (ResourceKind::Cluster, Cloud::Aks) => {
            vec![&r.account, r.resource_group.as_deref().unwrap_or("-"), &r.name]
        }
        (ResourceKind::Cluster, Cloud::Eks) => vec![&r.account, &r.region, &r.name],
        (ResourceKind::Tenant, _) => vec!["tenant", &r.name],
        (ResourceKind::Account, _) => vec![&r.account],
    };
    let mut out = String::from(cloud);
    for s in segments {
        out.push('/');
        out.push_str(&encode_segment(s));
    }
    out
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn encode_segment(s: &str) -> String {
    if s.is_empty() {
        return "-".into();
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: ResourceKind, cloud: Cloud, name: &str) -> ResourceRef {
        ResourceRef {
            kind,
            cloud,
            account: "sub-1".into(),
            region: "eu-west-1".into(),
            resource_group: Some("rg".into()),
            name: name.into(),
            id: format!("/subscriptions/sub-1/x/{name}"),
            tags: Default::default(),
        }
    }

    #[test]
    fn resource_paths_are_relative_and_encoded() {
        assert_eq!(resource_path(&r(ResourceKind::Cluster, Cloud::Aks, "aks-1")), "azure/sub-1/rg/aks-1");
        let mut eks = r(ResourceKind::Cluster, Cloud::Eks, "prod");
        eks.resource_group = None;
        assert_eq!(resource_path(&eks), "aws/sub-1/eu-west-1/prod");
        assert_eq!(resource_path(&r(ResourceKind::Account, Cloud::Eks, "111")), "aws/sub-1");
        assert_eq!(resource_path(&r(ResourceKind::Tenant, Cloud::Aks, "t")), "azure/tenant/t");
        let hostile = resource_path(&r(ResourceKind::Cluster, Cloud::Aks, "../<script>\u{202e} x"));
        assert_eq!(hostile, "azure/sub-1/rg/..%2F%3Cscript%3E%E2%80%AE%20x");
    }
}
