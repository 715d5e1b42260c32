//! IDN-012: inventory of every principal that can act as cluster admin. Never fails.
//!
//! EKS: cluster-admin access entries. AKS: principals holding a cluster-admin-capable Azure
//! role on a covering scope (any terms, PIM-eligible included) and the admin groups (by role or
//! `adminGroupObjectIDs`) with their active members' chains and PIM-eligible principals. An
//! inventory with gaps (a role definition, group expansion or member list not collected) is
//! `unknown`, like an EKS entry whose access policies could not be read.

use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::model::AdminGroup;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-012",
        slug: "cluster-admin-inventory",
        title: "Cluster-admin inventory",
        severity: Severity::Info,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Knowing exactly who can act as cluster admin, and through which grant, is the starting point of \
every access review and incident response: it is the list of credentials whose compromise means full control of \
the cluster. This check never fails; it records that list so it can be reviewed and compared between scans.",
        remediation: "Review the listed principals with their owners. On EKS, remove grants nobody can justify (`aws eks \
disassociate-access-policy` or `aws eks delete-access-entry`), and pin the intended admins in the \
`eks_allowed_admins` threshold so AUTH-007 flags any new one. On AKS, remove unjustified role assignments (`az role \
assignment delete`) and group members, and make the rest PIM-eligible (IDN-006, IDN-007).",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
            "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
        ],
        compliance: &["—"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    match c.r#ref.cloud {
        Cloud::Aks => eval_aks(c, ctx),
        Cloud::Eks => eval_eks(c, ctx),
    }
}

/// `Dave Ops (User …) via aks-admins › platform-team › Dave Ops (active, permanent)`.
fn members_text(g: &AdminGroup) -> String {
    match g.members.get() {
        Some(m) if m.is_empty() => "none".into(),
        Some(m) => m
            .iter()
            .map(|m| {
                let terms = match membership(m) {
                    Membership::Standing => "active, permanent".to_string(),
                    Membership::Expiring(w) => w,
                    Membership::Unknown(w) => format!("terms unknown: {w}"),
                };
                format!("{} via {} ({terms})", m.principal.label(), chain_display(m))
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => g.members.observed(),
    }
}

fn eval_aks(c: &Cluster, _ctx: &Context) -> Outcome {
    let paths = match AdminPaths::collect(c) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (mut evidence, mut listed, mut gaps) = (vec![], vec![], vec![]);
    for (g, why) in &paths.principals {
        evidence.push(Evidence::new(g.path.clone(), format!("{} ({why})", grant_line(g))));
        listed.push(format!(
            "{} through {} on {} ({})",
            g.principal.label(),
            role_name(g),
            g.scope,
            terms_text(&g.terms)
        ));
    }
    for held in &paths.groups {
        evidence.extend(held.holds.iter().map(Hold::evidence));
        listed.push(format!("group {} through {}", held.principal.label(), held.how()));
        match &held.expanded {
            Ok(g) => {
                let label = g.group.label();
                evidence.push(Evidence::new(
                    g.members.path.to_string(),
                    format!("group={label} active members: {}", members_text(g)),
                ));
                let eligible = match g.eligible.get() {
                    Some(e) if e.is_empty() => "none".to_string(),
                    Some(e) => e.iter().map(|p| p.label()).collect::<Vec<_>>().join(", "),
                    None => g.eligible.observed(),
                };
                evidence.push(Evidence::new(
                    g.eligible.path.to_string(),
                    format!("group={label} PIM-eligible: {eligible}"),
                ));
                for f in [g.members.unknown_reason(), g.eligible.unknown_reason()].into_iter().flatten() {
                    gaps.push(format!("{label}: {f}"));
                }
                if g.members.get().is_some_and(|m| m.iter().any(|m| matches!(membership(m), Membership::Unknown(_)))) {
                    gaps.push(format!("{label}: membership terms"));
                }
            }
            Err(why) => gaps.push(format!("the members of {}: {why}", held.principal.label())),
        }
    }
    for (g, reason) in &paths.undetermined {
        evidence.push(grant_evidence(g));
        gaps.push(format!("the role of {} on {} ({reason})", g.principal.label(), g.scope));
    }
    if let Some(e) = &paths.admin_group_ids_unknown {
        gaps.push(format!("{}: {}", e.path, e.observed));
        evidence.push(e.clone());
    }
    const HIDDEN: &str = " Kubernetes RoleBindings to Entra users or groups are not included.";
    if !gaps.is_empty() {
        return Outcome::unknown_because(
            format!(
                "The cluster-admin inventory is incomplete ({} known): could not be collected: {}.",
                listed.len(),
                gaps.join("; ")
            ),
            evidence,
        );
    }
    if listed.is_empty() {
        return Outcome::pass(
            format!(
                "No principal holds a cluster-admin-capable Azure role on a scope covering the cluster and adminGroupObjectIDs is empty.{HIDDEN}"
            ),
            vec![Evidence::of(&c.entra.role_grants), Evidence::of(&c.authn.admin_group_ids)],
        );
    }
    Outcome::pass(
        format!("{} path(s) to cluster admin through Azure: {}.{HIDDEN}", listed.len(), listed.join("; ")),
        evidence,
    )
}

fn eval_eks(c: &Cluster, _ctx: &Context) -> Outcome {
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

    #[test]
    fn aks_lists_every_admin_path() {
        use crate::model::Terms;
        let mut c = hardened_aks();
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(grant_at(dave(), OWNER, Terms::Eligible { end: None }, MG_SCOPE));
        set_grants(&mut c, grants);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.starts_with("2 path(s) to cluster admin through Azure: Dave Ops"), "{}", o.message);
        assert!(o.evidence.iter().any(|e| e.observed == "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) PIM-eligible: Alice Admin (User a11ce000-0000-0000-0000-000000000001)"), "{:?}", o.evidence);
        assert!(!o.message.contains("Reader") && !o.message.contains("User Access Administrator"), "{}", o.message);
    }

    #[test]
    fn aks_without_admins_passes_and_gaps_are_unknown() {
        use crate::model::Terms;
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(dave(), READER, Terms::Permanent)]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        let mut c = hardened_aks();
        unknown(&mut c.entra.admin_groups);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("(1 known)") && o.message.contains("AuthorizationFailed"), "{}", o.message);
        unknown(&mut c.entra.role_grants);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    /// The AKS side never fails either: its inventory with a nested member and a direct grant.
    #[test]
    fn aks_inventory_snapshot() {
        use crate::model::Terms;
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| {
            let m = member(dave(), &[(aks_admins(), Terms::Permanent), (platform_team(), Terms::Permanent)]);
            g.members = Field::value(g.members.path.clone(), vec![m], "[Dave]");
        });
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        let sp = principal("ServicePrincipal", "5e000000-0000-0000-0000-000000000005", "gitops-deployer");
        grants.push(grant_at(sp, CONTRIBUTOR, Terms::Permanent, SUBSCRIPTION_SCOPE));
        set_grants(&mut c, grants);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: pass
        message: "2 path(s) to cluster admin through Azure: gitops-deployer (ServicePrincipal 5e000000-0000-0000-0000-000000000005) through Contributor on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent); group aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent). Kubernetes RoleBindings to Entra users or groups are not included."
        evidence:
          - path: "roleAssignments[5e000000-0000-0000-0000-000000000005:b24988ac-6180-42a0-ab88-20f7382dd24c]"
            observed: "principal=gitops-deployer (ServicePrincipal 5e000000-0000-0000-0000-000000000005) role=Contributor scope=/subscriptions/00000000-0000-0000-0000-000000000001 terms=active, permanent (built-in Contributor: managedClusters/write (can re-enable local accounts) and listClusterAdminCredential)"
          - path: "roleAssignments[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c:b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b]"
            observed: "principal=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) role=Azure Kubernetes Service RBAC Cluster Admin scope=/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod terms=active, permanent (built-in Azure Kubernetes Service RBAC Cluster Admin: full control of the cluster through Azure RBAC)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) active members: Dave Ops (User da7e0000-0000-0000-0000-000000000004) via aks-admins › platform-team › Dave Ops (active, permanent)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].eligibilitySchedules"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) PIM-eligible: Alice Admin (User a11ce000-0000-0000-0000-000000000001)"
        "#);
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
