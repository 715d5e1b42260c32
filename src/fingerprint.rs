//! Stable fingerprints: what a finding (or one of its subjects) is about, never how it reads.
//!
//! A finding is fingerprinted from its check id and resource id, a subject from those and the
//! subject's id. Display names, messages and evidence text never enter, so a fingerprint survives
//! reordering, renamed clusters or principals and new evidence wording. Ids are compared as their
//! service compares them: ARM ids and Entra object ids (GUIDs) case-insensitively, ARNs and
//! Kubernetes names exactly.

use kubeposture_checks::ResourceRef;
use sha2::{Digest, Sha256};

/// Version tag: a change of the recipe gets a new prefix, so old and new never collide.
const PREFIX: &str = "kp1:";

/// `kp1:` and 32 hex digits (128 bits of SHA-256).
pub fn finding(check_id: &str, resource: &ResourceRef) -> String {
    digest(&[check_id, &resource_key(resource)])
}

pub fn subject(check_id: &str, resource: &ResourceRef, subject_id: &str) -> String {
    digest(&[check_id, &resource_key(resource), &canonical(subject_id)])
}

/// The resource's id as its service compares it.
pub fn resource_key(r: &ResourceRef) -> String {
    canonical(&r.id)
}

/// ARM ids (`/subscriptions/…`) and GUIDs are case-insensitive; everything else is exact.
pub fn canonical(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('/') || is_guid(id) { id.to_ascii_lowercase() } else { id.to_string() }
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let out = h.finalize();
    let mut s = String::with_capacity(PREFIX.len() + 32);
    s.push_str(PREFIX);
    for b in &out[..16] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeposture_checks::{Cloud, ResourceKind};

    fn aks(id: &str, name: &str) -> ResourceRef {
        ResourceRef {
            kind: ResourceKind::Cluster,
            cloud: Cloud::Aks,
            account: "sub".into(),
            region: "westeurope".into(),
            resource_group: Some("rg".into()),
            name: name.into(),
            id: id.into(),
            tags: Default::default(),
        }
    }

    #[test]
    fn arm_ids_and_guids_compare_case_insensitively_names_do_not_enter() {
        let a = aks("/subscriptions/AB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/x", "x");
        let b = aks(
            "/subscriptions/ab/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/x",
            "renamed",
        );
        assert_eq!(finding("NET-001", &a), finding("NET-001", &b));
        assert_ne!(finding("NET-001", &a), finding("NET-002", &a));
        let guid = "AF5F2478-0000-4000-8000-00000000000A";
        assert_eq!(subject("IDN-006", &a, guid), subject("IDN-006", &b, &guid.to_lowercase()));
        assert_ne!(subject("IDN-006", &a, guid), finding("IDN-006", &a));
        assert!(finding("NET-001", &a).starts_with("kp1:") && finding("NET-001", &a).len() == 36);
    }

    #[test]
    fn arns_and_kubernetes_names_are_exact() {
        let mut r = aks("arn:aws:eks:us-east-1:111122223333:cluster/Prod", "Prod");
        r.cloud = Cloud::Eks;
        let mut lower = r.clone();
        lower.id = lower.id.to_lowercase();
        assert_ne!(finding("NET-001", &r), finding("NET-001", &lower));
        assert_ne!(subject("WKL-001", &r, "team/Deployment/Web"), subject("WKL-001", &r, "team/deployment/web"));
        // Length prefixes keep part boundaries.
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    }

    #[test]
    fn pinned_value() {
        // A fingerprint is stored and compared across versions: it must never drift.
        let r = aks("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c", "c");
        assert_eq!(finding("NET-001", &r), "kp1:e6e588333e2db76bef3505de17f1845f");
    }
}
