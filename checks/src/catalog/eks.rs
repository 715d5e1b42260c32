//! EKS helpers shared by the AUTH and IDN checks: IAM principal ARNs, the access policies that
//! make a principal cluster admin, and the allow-list pattern matcher.

use crate::field::Field;
use crate::model::{AccessEntry, AccessPolicy, AwsAuthMapping};
use crate::outcome::{Evidence, Outcome, Subject};

/// What an IAM principal ARN names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`: long-lived access keys or a console password.
    User,
    /// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
    Role,
    /// Anything else (not an IAM user or role ARN).
    Other,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "IAM user",
            PrincipalKind::Role => "IAM role",
            PrincipalKind::Other => "other principal",
        }
    }
}

/// Classifies an IAM principal ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`, …).
pub fn principal_kind(arn: &str) -> PrincipalKind {
    let parts: Vec<&str> = arn.trim().splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = parts.as_slice() else {
        return PrincipalKind::Other;
    };
    if partition.is_empty() || account.is_empty() {
        return PrincipalKind::Other;
    }
    let named = |prefix: &str| resource.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty());
    if named("user/") {
        PrincipalKind::User
    } else if named("role/") {
        PrincipalKind::Role
    } else {
        PrincipalKind::Other
    }
}

/// The cluster authenticates through `aws-auth` only (`accessConfig.authenticationMode`
/// `CONFIG_MAP`): EKS keeps no access entries then, and refuses to list them.
pub fn config_map_only(mode: &Field<String>) -> bool {
    mode.get().is_some_and(|m| m.trim().eq_ignore_ascii_case("CONFIG_MAP"))
}

/// AUTH-006/007 on a `CONFIG_MAP` cluster: no access entries to judge.
pub fn no_access_entries(mode: &Field<String>) -> Outcome {
    Outcome::not_applicable(
        "The cluster's authenticationMode is CONFIG_MAP: EKS keeps no access entries (its aws-auth mappings are K8S-002's, its mode AUTH-005's).",
        vec![Evidence::of(mode)],
    )
}

/// An `aws-auth` mapping to `system:masters` (`key` is `mapRoles` or `mapUsers`).
pub fn maps_to_masters(m: &AwsAuthMapping) -> bool {
    m.groups.iter().any(|g| g.trim() == "system:masters")
}

/// The IDN-012 facts of an `aws-auth` mapping to `system:masters` (K8S-002 and IDN-012 list it).
pub fn masters_facts(s: Subject, key: &str, m: &AwsAuthMapping) -> Subject {
    let principal_type = match principal_kind(&m.arn) {
        PrincipalKind::Other if key == "mapUsers" => PrincipalKind::User.as_str(),
        PrincipalKind::Other => PrincipalKind::Role.as_str(),
        k => k.as_str(),
    };
    let user = m.username.as_deref().map(|u| format!(" as {u}")).unwrap_or_default();
    s.fact("how", format!("aws-auth {key} → system:masters{user}"))
        .fact("terms", "permanent")
        .fact("principal_type", principal_type)
}

/// Kubernetes `cluster-admin`, at any scope.
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";
/// Kubernetes `admin`; cluster admin when its access scope is the whole cluster.
pub const ADMIN_POLICY: &str = "AmazonEKSAdminPolicy";

/// The access policy's name: the last segment of `arn:aws:eks::aws:cluster-access-policy/NAME`.
pub fn policy_name(p: &AccessPolicy) -> &str {
    let arn = p.policy_arn.trim();
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The policy makes its holder a cluster admin: `AmazonEKSClusterAdminPolicy` at any scope, or
/// `AmazonEKSAdminPolicy` at cluster scope.
pub fn grants_cluster_admin(p: &AccessPolicy) -> bool {
    let name = policy_name(p);
    name == CLUSTER_ADMIN_POLICY || (name == ADMIN_POLICY && p.scope.trim().eq_ignore_ascii_case("cluster"))
}

/// `AmazonEKSAdminPolicy` at an access scope this build does not know (neither `cluster` nor
/// `namespace`, or none): whether it makes its holder cluster admin cannot be told.
pub fn admin_scope_unreadable(p: &AccessPolicy) -> bool {
    let scope = p.scope.trim();
    policy_name(p) == ADMIN_POLICY && !scope.eq_ignore_ascii_case("cluster") && !scope.eq_ignore_ascii_case("namespace")
}

/// One access policy association that makes a principal cluster admin.
#[derive(Clone, Copy, Debug)]
pub struct AdminGrant<'a> {
    pub entry: &'a AccessEntry,
    /// Index of the policy in the entry's associated policies.
    pub index: usize,
    pub policy: &'a AccessPolicy,
}

impl AdminGrant<'_> {
    pub fn kind(&self) -> PrincipalKind {
        principal_kind(&self.entry.principal_arn)
    }

    /// `accessEntries[ARN].associatedAccessPolicies[i]` = principal, policy, scope and entry type.
    pub fn evidence(&self) -> Evidence {
        let p = self.policy;
        let scope = if p.namespaces.is_empty() {
            p.scope.clone()
        } else {
            format!("{} [{}]", p.scope, p.namespaces.join(", "))
        };
        Evidence::new(
            format!("{}[{}]", self.entry.policies.path, self.index),
            format!(
                "principal={} ({}) policy={} scope={} type={}",
                self.entry.principal_arn,
                self.kind().as_str(),
                policy_name(p),
                scope,
                self.entry.kind_label()
            ),
        )
    }
}

/// Who holds cluster admin through access entries, and which entries could not be judged.
#[derive(Debug, Default)]
pub struct AdminInventory<'a> {
    pub grants: Vec<AdminGrant<'a>>,
    /// Entries whose associated policies were not collected (unknown or absent), or hold
    /// `AmazonEKSAdminPolicy` at an access scope this build does not know.
    pub undetermined: Vec<&'a AccessEntry>,
}

impl<'a> AdminInventory<'a> {
    pub fn of(entries: &'a [AccessEntry]) -> Self {
        let mut inv = AdminInventory::default();
        for entry in entries {
            let Some(policies) = entry.policies.get() else {
                inv.undetermined.push(entry);
                continue;
            };
            for (index, policy) in policies.iter().enumerate() {
                if grants_cluster_admin(policy) {
                    inv.grants.push(AdminGrant { entry, index, policy });
                }
            }
            if policies.iter().any(admin_scope_unreadable) {
                inv.undetermined.push(entry);
            }
        }
        inv
    }

    /// The distinct principals holding cluster admin, in entry order.
    pub fn principals(&self) -> Vec<&'a AccessEntry> {
        let mut seen: Vec<&'a AccessEntry> = Vec::new();
        for g in &self.grants {
            if !seen.iter().any(|e| e.principal_arn == g.entry.principal_arn) {
                seen.push(g.entry);
            }
        }
        seen
    }

    pub fn grant_evidence(&self) -> Vec<Evidence> {
        self.grants.iter().map(AdminGrant::evidence).collect()
    }

    pub fn undetermined_evidence(&self) -> Vec<Evidence> {
        self.undetermined.iter().map(|e| Evidence::of(&e.policies)).collect()
    }

    /// `ARN, ARN: reason` for the message of an incomplete inventory.
    pub fn undetermined_names(&self) -> String {
        let names: Vec<&str> = self.undetermined.iter().map(|e| e.principal_arn.as_str()).collect();
        let reason = self.undetermined.iter().find_map(|e| match e.policies.get() {
            None => e.policies.unknown_reason().map(str::to_string),
            Some(policies) => policies.iter().find(|p| admin_scope_unreadable(p)).map(|p| {
                format!("{} at access scope type '{}' (unknown to this build)", policy_name(p), p.scope.trim())
            }),
        });
        let reason = reason.unwrap_or_else(|| "associated access policies absent from the response".to_string());
        format!("{}: {reason}", names.join(", "))
    }
}

/// `pattern` matches all of `text`: `*` any run of characters, `?` exactly one; ASCII case ignored.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.trim().chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.trim().chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was and how much of `text` it has taken so far.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` take one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    /// EKS keeps access entries only in the API modes: with `CONFIG_MAP` there are none for
    /// AUTH-006/007 to judge (EKS refuses ListAccessEntries), whatever the call answered.
    #[test]
    fn config_map_mode_has_no_access_entries() {
        use crate::catalog::{auth_006, auth_007};
        use crate::testing::*;
        let c = config_map_eks();
        for check in [&auth_006::CHECK, &auth_007::CHECK] {
            let o = run(check, &c);
            assert_eq!(o.status, crate::Status::NotApplicable, "{}: {}", check.meta.id, o.message);
            assert!(o.message.contains("CONFIG_MAP"), "{}", o.message);
        }
    }

    #[test]
    fn principal_kinds_in_every_partition() {
        use PrincipalKind::*;
        for (arn, kind) in [
            ("arn:aws:iam::111122223333:user/eks-admin-user", User),
            ("arn:aws-cn:iam::111122223333:user/ops/alice", User),
            ("arn:aws-us-gov:iam::111122223333:user/bob", User),
            ("arn:aws:iam::111122223333:role/Admin", Role),
            ("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b", Role),
            (" arn:aws:iam::111122223333:role/padded ", Role),
            ("arn:aws:iam::111122223333:root", Other),
            ("arn:aws:iam::111122223333:user/", Other),
            ("arn:aws:sts::111122223333:assumed-role/Admin/alice", Other),
            ("arn:aws:iam:eu-west-1:111122223333:user/odd", Other),
            ("arn:aws:iam:::user/no-account", Other),
            ("user/alice", Other),
            ("", Other),
        ] {
            assert_eq!(principal_kind(arn), kind, "{arn}");
        }
    }

    fn policy(name: &str, scope: &str) -> AccessPolicy {
        AccessPolicy {
            policy_arn: format!("arn:aws:eks::aws:cluster-access-policy/{name}"),
            scope: scope.into(),
            namespaces: if scope == "namespace" { vec!["team-a".into()] } else { vec![] },
        }
    }

    #[test]
    fn cluster_admin_policies() {
        assert!(grants_cluster_admin(&policy("AmazonEKSClusterAdminPolicy", "cluster")));
        assert!(grants_cluster_admin(&policy("AmazonEKSClusterAdminPolicy", "namespace")));
        assert!(grants_cluster_admin(&policy("AmazonEKSAdminPolicy", "cluster")));
        assert!(grants_cluster_admin(&policy("AmazonEKSAdminPolicy", "Cluster")));
        assert!(!grants_cluster_admin(&policy("AmazonEKSAdminPolicy", "namespace")));
        assert!(!grants_cluster_admin(&policy("AmazonEKSEditPolicy", "cluster")));
        assert!(!grants_cluster_admin(&policy("AmazonEKSViewPolicy", "cluster")));
        assert!(!grants_cluster_admin(&policy("AmazonEKSClusterAdminPolicyX", "cluster")));
        // An access scope type this build does not know leaves AmazonEKSAdminPolicy undetermined.
        for scope in ["", "organization"] {
            assert!(admin_scope_unreadable(&policy("AmazonEKSAdminPolicy", scope)), "{scope:?}");
            assert!(!admin_scope_unreadable(&policy("AmazonEKSEditPolicy", scope)), "{scope:?}");
        }
        assert!(!admin_scope_unreadable(&policy("AmazonEKSAdminPolicy", "Namespace")));
    }

    #[test]
    fn inventory_lists_grants_and_undetermined_entries() {
        let entry = |arn: &str, policies: Field<Vec<AccessPolicy>>| AccessEntry {
            path: format!("accessEntries[{arn}]"),
            principal_arn: arn.into(),
            kind: Field::value("type", "STANDARD".to_string(), "STANDARD"),
            username: Field::absent("username"),
            kubernetes_groups: Field::value("kubernetesGroups", vec![], ""),
            policies,
        };
        let p = |arn: &str| format!("accessEntries[{arn}].associatedAccessPolicies");
        let a = "arn:aws:iam::111122223333:role/a";
        let b = "arn:aws:iam::111122223333:user/b";
        let c = "arn:aws:iam::111122223333:role/c";
        let entries = vec![
            entry(
                a,
                Field::value(
                    p(a),
                    vec![policy("AmazonEKSViewPolicy", "cluster"), policy("AmazonEKSClusterAdminPolicy", "namespace")],
                    "…",
                ),
            ),
            entry(b, Field::value(p(b), vec![policy("AmazonEKSAdminPolicy", "cluster")], "…")),
            entry(c, Field::unknown(p(c), "AccessDeniedException on ListAssociatedAccessPolicies")),
        ];
        let inv = AdminInventory::of(&entries);
        assert_eq!(inv.principals().len(), 2);
        assert_eq!(inv.undetermined.len(), 1);
        assert!(inv.undetermined_names().contains("role/c: AccessDeniedException"));
        let ev = inv.grant_evidence();
        assert_eq!(ev[0].path, format!("{}[1]", p(a)));
        assert_eq!(
            ev[0].observed,
            format!(
                "principal={a} (IAM role) policy=AmazonEKSClusterAdminPolicy scope=namespace [team-a] type=STANDARD"
            )
        );
        assert!(ev[1].observed.contains("(IAM user) policy=AmazonEKSAdminPolicy scope=cluster"));
    }

    #[test]
    fn wildcards() {
        let arn = "arn:aws:iam::111122223333:role/break-glass-admin";
        for (pattern, matches) in [
            (arn, true),
            ("ARN:AWS:IAM::111122223333:ROLE/BREAK-GLASS-ADMIN", true),
            ("arn:aws:iam::*:role/break-glass-*", true),
            ("arn:aws:iam::111122223333:role/*", true),
            ("*", true),
            ("arn:aws:iam::111122223333:role/break-glass-?dmin", true),
            ("arn:aws:iam::*:role/*-admin", true),
            ("*glass*", true),
            ("arn:aws:iam::111122223333:role/break-glass", false),
            ("arn:aws:iam::111122223333:role/break-glass-admin?", false),
            ("arn:aws:iam::444455556666:role/*", false),
            ("", false),
            ("arn:aws:iam::111122223333:user/*", false),
        ] {
            assert_eq!(wildcard_match(pattern, arn), matches, "{pattern}");
        }
        assert!(wildcard_match("", ""));
        assert!(wildcard_match("**", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYbc"));
        assert!(!wildcard_match("a*b*c", "aXXbYYb"));
    }
}
