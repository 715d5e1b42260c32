//! Kubernetes RBAC helpers shared by K8S-001 and K8S-004: what a role grants and who a
//! binding reaches.

use crate::model::{Binding, PolicyRule, RbacSubject, Role};

/// `*` verbs on `*` resources: everything the rule's API groups hold (`cluster-admin`).
pub fn grants_everything(rule: &PolicyRule) -> bool {
    rule.verbs.iter().any(|v| v.trim() == "*") && rule.resources.iter().any(|r| r.trim() == "*")
}

/// The ClusterRole is `cluster-admin` or has a `*` on `*` rule.
pub fn is_admin_role(role: &Role) -> bool {
    role.rules.iter().any(grants_everything)
}

/// The role a binding refers to, among the listed roles.
pub fn role_of<'a>(b: &Binding, roles: &'a [Role], cluster_roles: &'a [Role]) -> Option<&'a Role> {
    if b.role_kind == "ClusterRole" {
        cluster_roles.iter().find(|r| r.name == b.role_name)
    } else {
        roles.iter().find(|r| r.name == b.role_name && r.namespace == b.namespace)
    }
}

/// Everyone, anyone unauthenticated, every service account, or a `default` service account.
pub fn is_broad(s: &RbacSubject) -> Option<&'static str> {
    let name = s.name.trim();
    match s.kind.as_str() {
        "Group" => match name {
            "system:authenticated" => Some("every authenticated identity"),
            "system:unauthenticated" => Some("anonymous requests"),
            "system:serviceaccounts" => Some("every service account"),
            n if n.starts_with("system:serviceaccounts:") => Some("every service account of a namespace"),
            _ => None,
        },
        "User" => match name {
            "system:anonymous" => Some("anonymous requests"),
            n if n.starts_with("system:serviceaccount:") && n.ends_with(":default") => {
                Some("a default service account")
            }
            _ => None,
        },
        "ServiceAccount" if name == "default" => Some("a default service account"),
        _ => None,
    }
}

/// A subject as a principal id: `Group/system:masters`, `ServiceAccount/ns/name`, `User/alice`.
pub fn principal_id(s: &RbacSubject) -> String {
    match &s.namespace {
        Some(ns) if s.kind == "ServiceAccount" => format!("ServiceAccount/{ns}/{}", s.name),
        _ => format!("{}/{}", s.kind, s.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(kind: &str, name: &str, ns: Option<&str>) -> RbacSubject {
        RbacSubject { kind: kind.into(), name: name.into(), namespace: ns.map(str::to_string) }
    }

    #[test]
    fn broad_subjects() {
        assert!(is_broad(&subject("Group", "system:authenticated", None)).is_some());
        assert!(is_broad(&subject("Group", "system:serviceaccounts:team-a", None)).is_some());
        assert!(is_broad(&subject("User", "system:anonymous", None)).is_some());
        assert!(is_broad(&subject("User", "system:serviceaccount:team-a:default", None)).is_some());
        assert!(is_broad(&subject("ServiceAccount", "default", Some("team-a"))).is_some());
        assert!(is_broad(&subject("ServiceAccount", "ci", Some("team-a"))).is_none());
        assert!(is_broad(&subject("Group", "system:masters", None)).is_none());
        assert_eq!(principal_id(&subject("ServiceAccount", "ci", Some("team-a"))), "ServiceAccount/team-a/ci");
    }
}
