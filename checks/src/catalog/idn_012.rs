//! IDN-012: inventory of every principal that can act as cluster admin. Never fails.
//!
//! EKS side only for now: cluster-admin access entries. The AKS side (Azure role holders on
//! covering scopes and `adminGroupObjectIDs`) arrives with the Entra identity work, which adds
//! `Cloud::Aks` to `clouds`.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-012",
        slug: "cluster-admin-inventory",
        title: "Cluster-admin inventory",
        severity: Severity::Info,
        clouds: &[Cloud::Eks],
        rationale: "Knowing exactly who can act as cluster admin, and through which grant, is the starting point of \
every access review and incident response: it is the list of credentials whose compromise means full control of \
the cluster. This check never fails; it records that list so it can be reviewed and compared between scans.",
        remediation: "Review the listed principals with their owners. Remove grants nobody can justify (`aws eks \
disassociate-access-policy` or `aws eks delete-access-entry`), and pin the intended admins in the \
`eks_allowed_admins` threshold so AUTH-007 flags any new one.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
        ],
        compliance: &["—"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let field = &c.authn.access_entries;
    require!(field);
    let Some(entries) = field.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so the cluster admins cannot be listed.", field.path),
            vec![Evidence::of(field)],
        );
    };
    let inv = AdminInventory::of(entries);
    let admins = inv.principals();
    if !inv.undetermined.is_empty() {
        let mut evidence = inv.grant_evidence();
        evidence.extend(inv.undetermined_evidence());
        return Outcome::unknown_because(
            format!(
                "The cluster-admin inventory is incomplete ({} known): the access policies of {} could not be collected.",
                admins.len(),
                inv.undetermined_names()
            ),
            evidence,
        );
    }
    // Grants made outside access entries are invisible to the EKS API.
    let hidden = match c.authn.mode.get() {
        Some(m) if m.trim().eq_ignore_ascii_case("API") => {
            " Kubernetes RBAC bindings to the entries' groups or usernames are not included."
        }
        _ => " system:masters mappings in the aws-auth ConfigMap and Kubernetes RBAC bindings are not included.",
    };
    if admins.is_empty() {
        return Outcome::pass(format!("No access entry grants cluster admin.{hidden}"), vec![Evidence::of(field)]);
    }
    let listed: Vec<String> = admins
        .iter()
        .map(|e| format!("{} ({})", e.principal_arn.trim(), principal_kind(&e.principal_arn).as_str()))
        .collect();
    Outcome::pass(
        format!(
            "{} principal(s) can act as cluster admin through access entries: {}.{hidden}",
            admins.len(),
            listed.join(", ")
        ),
        inv.grant_evidence(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::model::{AccessEntry, AccessPolicy};
    use crate::testing::*;

    fn add(c: &mut Cluster, arn: &str, kind: &str, policies: Field<Vec<AccessPolicy>>) {
        let path = c.authn.access_entries.path.clone();
        let mut entries = c.authn.access_entries.get().cloned().unwrap_or_default();
        entries.push(AccessEntry {
            path: format!("accessEntries[{arn}]"),
            principal_arn: arn.into(),
            kind: Some(kind.into()),
            username: None,
            kubernetes_groups: vec![],
            policies,
        });
        c.authn.access_entries = Field::value(path, entries, "test");
    }

    fn admin_policy(name: &str, scope: &str) -> Vec<AccessPolicy> {
        vec![AccessPolicy {
            policy_arn: format!("arn:aws:eks::aws:cluster-access-policy/{name}"),
            scope: scope.into(),
            namespaces: vec![],
        }]
    }

    #[test]
    fn lists_every_admin_and_never_fails() {
        let mut c = hardened_eks();
        for i in 0..5 {
            let arn = format!("arn:aws:iam::111122223333:user/admin-{i}");
            let p = Field::value(
                format!("accessEntries[{arn}].associatedAccessPolicies"),
                admin_policy("AmazonEKSAdminPolicy", "cluster"),
                "…",
            );
            add(&mut c, &arn, "STANDARD", p);
        }
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence.len(), 6);
        assert!(o.message.starts_with("6 principal(s) can act as cluster admin"), "{}", o.message);
        assert!(o.message.contains("user/admin-4 (IAM user)"), "{}", o.message);
    }

    #[test]
    fn no_admins_pass_and_say_what_is_not_seen() {
        let mut c = hardened_eks();
        c.authn.access_entries = Field::value("accessEntries", vec![], "[]");
        set_str(&mut c.authn.mode, "API_AND_CONFIG_MAP");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.contains("aws-auth ConfigMap"), "{}", o.message);
    }

    #[test]
    fn incomplete_inventory_is_unknown() {
        let mut c = hardened_eks();
        let arn = "arn:aws:iam::111122223333:role/ops";
        let p = Field::unknown(
            format!("accessEntries[{arn}].associatedAccessPolicies"),
            "AccessDeniedException on ListAssociatedAccessPolicies",
        );
        add(&mut c, arn, "STANDARD", p);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("(1 known)") && o.message.contains("AccessDeniedException"), "{}", o.message);
        assert_eq!(o.evidence.len(), 2);
    }

    #[test]
    fn uncollected_entries_are_unknown() {
        let mut c = hardened_eks();
        c.authn.access_entries = Field::unknown("accessEntries", "AccessDeniedException on ListAccessEntries");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AccessDeniedException on ListAccessEntries"));
        absent(&mut c.authn.access_entries);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    /// The check never fails, so the snapshot is of the inventory it reports.
    #[test]
    fn inventory_snapshot() {
        let mut c = hardened_eks();
        let arn = "arn:aws:iam::111122223333:user/eks-admin-user";
        let p = Field::value(
            format!("accessEntries[{arn}].associatedAccessPolicies"),
            admin_policy("AmazonEKSClusterAdminPolicy", "cluster"),
            "…",
        );
        add(&mut c, arn, "STANDARD", p);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: pass
        message: "2 principal(s) can act as cluster admin through access entries: arn:aws:iam::111122223333:role/platform-admins (IAM role), arn:aws:iam::111122223333:user/eks-admin-user (IAM user). Kubernetes RBAC bindings to the entries' groups or usernames are not included."
        evidence:
          - path: "accessEntries[arn:aws:iam::111122223333:role/platform-admins].associatedAccessPolicies[0]"
            observed: "principal=arn:aws:iam::111122223333:role/platform-admins (IAM role) policy=AmazonEKSClusterAdminPolicy scope=cluster type=STANDARD"
          - path: "accessEntries[arn:aws:iam::111122223333:user/eks-admin-user].associatedAccessPolicies[0]"
            observed: "principal=arn:aws:iam::111122223333:user/eks-admin-user (IAM user) policy=AmazonEKSClusterAdminPolicy scope=cluster type=STANDARD"
        "#);
    }
}
