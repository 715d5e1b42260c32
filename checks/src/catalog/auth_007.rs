//! AUTH-007: who holds cluster admin through EKS access entries, against an allow-list or a cap.

use crate::catalog::prelude::*;
use crate::model::AccessEntry;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-007",
        slug: "eks-cluster-admin-entries",
        title: "Unexpected EKS cluster-admin access entries",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "An access entry associated with AmazonEKSClusterAdminPolicy, or with AmazonEKSAdminPolicy at \
cluster scope, gives its principal full control of every namespace and Secret. Each extra holder is another set of \
credentials whose theft compromises the whole cluster, and admin grants made for an incident or a migration are easily \
forgotten. Keeping the holders to a short, reviewed list of roles (never IAM users with long-lived keys) keeps that \
exposure small and auditable.",
        remediation: "Review the listed principals. Remove admin from those that do not need it with `aws eks \
disassociate-access-policy --cluster-name <cluster> --principal-arn <arn> --policy-arn \
arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy` (or delete the entry with `aws eks \
delete-access-entry`), grant narrower policies (AmazonEKSEditPolicy, AmazonEKSViewPolicy, namespace scope) instead, \
and replace IAM users with a role. List the intended admins in the `eks_allowed_admins` threshold.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
        ],
        compliance: &["EKS-BP \"Regularly audit access\""],
    },
    cluster: Some(eval),
    scope: None,
};

fn arns(entries: &[&AccessEntry]) -> String {
    entries.iter().map(|e| e.principal_arn.trim()).collect::<Vec<_>>().join(", ")
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    if config_map_only(&c.authn.mode) {
        return no_access_entries(&c.authn.mode);
    }
    let field = &c.authn.access_entries;
    require!(field);
    let Some(entries) = field.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so who holds cluster admin cannot be told.", field.path),
            vec![Evidence::of(field)],
        );
    };
    let inv = AdminInventory::of(entries);
    let admins = inv.principals();
    let t = &ctx.thresholds;
    let incomplete = |evidence: Vec<Evidence>| {
        let mut evidence = evidence;
        evidence.extend(inv.undetermined_evidence());
        Outcome::unknown_because(
            format!(
                "The access policies of {} could not be collected, so cluster-admin holders cannot be fully judged.",
                inv.undetermined_names()
            ),
            evidence,
        )
    };

    if !t.eks_allowed_admins.is_empty() {
        let allowed = |e: &AccessEntry| t.eks_allowed_admins.iter().any(|p| wildcard_match(p, &e.principal_arn));
        let outside: Vec<&AccessEntry> = admins.iter().copied().filter(|e| !allowed(e)).collect();
        if !outside.is_empty() {
            return Outcome::fail(
                format!(
                    "Access entries grant cluster admin to principal(s) not in eks_allowed_admins: {}.",
                    arns(&outside)
                ),
                inv.grants
                    .iter()
                    .filter(|g| outside.iter().any(|e| e.principal_arn == g.entry.principal_arn))
                    .map(AdminGrant::evidence)
                    .collect(),
            );
        }
        if !inv.undetermined.is_empty() {
            return incomplete(inv.grant_evidence());
        }
        return Outcome::pass(
            format!("Every cluster-admin principal ({}) is in eks_allowed_admins.", admins.len()),
            if admins.is_empty() { vec![Evidence::of(field)] } else { inv.grant_evidence() },
        );
    }

    // No allow-list: every admin grant is evidence; judge the count and the principal kinds.
    let max = t.eks_max_cluster_admins;
    let users: Vec<&AccessEntry> =
        admins.iter().copied().filter(|e| principal_kind(&e.principal_arn) == PrincipalKind::User).collect();
    let mut problems = Vec::new();
    if admins.len() > max {
        problems.push(format!(
            "{} principals hold cluster admin through access entries, more than eks_max_cluster_admins ({max}): {}",
            admins.len(),
            arns(&admins)
        ));
    }
    if !users.is_empty() {
        problems.push(format!("IAM user(s) {} hold cluster admin with long-lived credentials", arns(&users)));
    }
    if !problems.is_empty() {
        let pending = if inv.undetermined.is_empty() {
            String::new()
        } else {
            format!(" (also not collected: the access policies of {})", inv.undetermined_names())
        };
        return Outcome::fail(format!("{}{pending}.", problems.join("; ")), inv.grant_evidence());
    }
    if !inv.undetermined.is_empty() {
        return incomplete(inv.grant_evidence());
    }
    if admins.is_empty() {
        return Outcome::pass("No access entry grants cluster admin.", vec![Evidence::of(field)]);
    }
    Outcome::pass(
        format!(
            "{} principal(s) hold cluster admin through access entries (at most {max}), none of them an IAM user: {}.",
            admins.len(),
            arns(&admins)
        ),
        inv.grant_evidence(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::model::AccessPolicy;
    use crate::testing::*;

    const CLUSTER_ADMIN: &str = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    const ADMIN: &str = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy";

    fn policy(arn: &str, scope: &str) -> AccessPolicy {
        let namespaces = if scope == "namespace" { vec!["team-a".to_string()] } else { vec![] };
        AccessPolicy { policy_arn: arn.into(), scope: scope.into(), namespaces }
    }

    fn add(c: &mut Cluster, arn: &str, policies: Field<Vec<AccessPolicy>>) {
        let path = c.authn.access_entries.path.clone();
        let mut entries = c.authn.access_entries.get().cloned().unwrap_or_default();
        entries.push(AccessEntry {
            path: format!("accessEntries[{arn}]"),
            principal_arn: arn.into(),
            kind: Field::value("type", "STANDARD".to_string(), "STANDARD"),
            username: Field::absent("username"),
            kubernetes_groups: Field::value("kubernetesGroups", vec![], ""),
            policies,
        });
        let raw = format!("{} entries", entries.len());
        c.authn.access_entries = Field::value(path, entries, raw);
    }

    fn add_admin(c: &mut Cluster, arn: &str, policy_arn: &str, scope: &str) {
        let path = format!("accessEntries[{arn}].associatedAccessPolicies");
        add(c, arn, Field::value(path, vec![policy(policy_arn, scope)], "…"));
    }

    fn add_undetermined(c: &mut Cluster, arn: &str) {
        let path = format!("accessEntries[{arn}].associatedAccessPolicies");
        add(c, arn, Field::unknown(path, "AccessDeniedException on ListAssociatedAccessPolicies"));
    }

    fn role(name: &str) -> String {
        format!("arn:aws:iam::111122223333:role/{name}")
    }

    fn with_allow_list(patterns: &[&str]) -> Context {
        let mut ctx = ctx();
        ctx.thresholds.eks_allowed_admins = patterns.iter().map(|s| s.to_string()).collect();
        ctx
    }

    #[test]
    fn one_admin_role_passes_and_is_listed() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence.len(), 1);
        assert!(o.evidence[0].observed.contains("role/platform-admins (IAM role) policy=AmazonEKSClusterAdminPolicy"));
    }

    #[test]
    fn no_admins_pass() {
        let mut c = hardened_eks();
        c.authn.access_entries = Field::value("accessEntries", vec![], "[]");
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn more_admins_than_the_cap_fail() {
        let mut c = hardened_eks();
        add_admin(&mut c, &role("sre"), CLUSTER_ADMIN, "namespace");
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "two admins are allowed by default");
        add_admin(&mut c, &role("ci-deployer"), ADMIN, "cluster");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("3 principals hold cluster admin"), "{}", o.message);
        assert_eq!(o.evidence.len(), 3);
        let mut ctx = ctx();
        ctx.thresholds.eks_max_cluster_admins = 3;
        assert_eq!(eval(&c, &ctx).status, Status::Pass);
    }

    #[test]
    fn namespace_scoped_admin_policy_is_not_cluster_admin() {
        let mut c = hardened_eks();
        add_admin(&mut c, &role("a"), ADMIN, "namespace");
        add_admin(&mut c, &role("b"), ADMIN, "namespace");
        add_admin(&mut c, &role("c"), "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", "cluster");
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn an_iam_user_admin_fails() {
        let mut c = hardened_eks();
        add_admin(&mut c, "arn:aws:iam::111122223333:user/eks-admin-user", CLUSTER_ADMIN, "cluster");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("IAM user(s) arn:aws:iam::111122223333:user/eks-admin-user"), "{}", o.message);
    }

    #[test]
    fn allow_list_decides_when_set() {
        let mut c = hardened_eks();
        add_admin(&mut c, &role("break-glass-eu"), CLUSTER_ADMIN, "cluster");
        add_admin(&mut c, &role("break-glass-us"), CLUSTER_ADMIN, "cluster");
        let ctx = with_allow_list(&[&role("platform-admins"), "arn:aws:iam::*:role/break-glass-*"]);
        assert_eq!(eval(&c, &ctx).status, Status::Pass, "three listed admins pass despite the default cap");
        add_admin(&mut c, &role("intern"), ADMIN, "cluster");
        let o = eval(&c, &ctx);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.ends_with("not in eks_allowed_admins: arn:aws:iam::111122223333:role/intern."));
        assert_eq!(o.evidence.len(), 1, "only the principals outside the list: {:?}", o.evidence);
    }

    #[test]
    fn undetermined_entry_is_unknown_unless_the_rest_fails() {
        let mut c = hardened_eks();
        add_undetermined(&mut c, &role("maybe-admin"));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("role/maybe-admin: AccessDeniedException"), "{}", o.message);
        let ctx = with_allow_list(&[&role("platform-admins")]);
        assert_eq!(eval(&c, &ctx).status, Status::Unknown);
        add_admin(&mut c, &role("intern"), ADMIN, "cluster");
        assert_eq!(eval(&c, &ctx).status, Status::Fail);
        add_admin(&mut c, &role("sre"), CLUSTER_ADMIN, "cluster");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("also not collected: the access policies of"), "{}", o.message);
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

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        add_admin(&mut c, "arn:aws:iam::111122223333:user/eks-admin-user", CLUSTER_ADMIN, "cluster");
        add_admin(&mut c, &role("Admin"), ADMIN, "cluster");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "3 principals hold cluster admin through access entries, more than eks_max_cluster_admins (2): arn:aws:iam::111122223333:role/platform-admins, arn:aws:iam::111122223333:user/eks-admin-user, arn:aws:iam::111122223333:role/Admin; IAM user(s) arn:aws:iam::111122223333:user/eks-admin-user hold cluster admin with long-lived credentials."
        evidence:
          - path: "accessEntries[arn:aws:iam::111122223333:role/platform-admins].associatedAccessPolicies[0]"
            observed: "principal=arn:aws:iam::111122223333:role/platform-admins (IAM role) policy=AmazonEKSClusterAdminPolicy scope=cluster type=STANDARD"
          - path: "accessEntries[arn:aws:iam::111122223333:user/eks-admin-user].associatedAccessPolicies[0]"
            observed: "principal=arn:aws:iam::111122223333:user/eks-admin-user (IAM user) policy=AmazonEKSClusterAdminPolicy scope=cluster type=STANDARD"
          - path: "accessEntries[arn:aws:iam::111122223333:role/Admin].associatedAccessPolicies[0]"
            observed: "principal=arn:aws:iam::111122223333:role/Admin (IAM role) policy=AmazonEKSAdminPolicy scope=cluster type=STANDARD"
        "#);
    }
}
