//! IDN-012: inventory of every principal that can act as cluster admin. Never fails.
//!
//! AKS: every admin path of [`crate::admins`] — principals holding a cluster-admin-capable Azure
//! role on a covering scope (any terms, PIM-eligible included), the groups holding admin (by
//! role or `adminGroupObjectIDs`), and the people their members and PIM eligibility lead to at
//! any depth, each named with its chain (`alice (eligible via condiac-pim-test → k8sadmin)`);
//! potential admins (unconstrained role-assignment rights, IDN-011) are listed as such. EKS:
//! cluster-admin access entries (the cluster creator's included while
//! `bootstrapClusterCreatorAdminPermissions` is on), and the `system:masters` mappings of the
//! `aws-auth` ConfigMap outside authentication mode `API` ([`aws_auth_admins`]).
//!
//! Every listed principal is a subject with the facts `how`, `terms` and `principal_type`. An
//! inventory with gaps (a role definition, group expansion or member list not collected) is
//! `unknown`, like an EKS entry whose access policies could not be read.

use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::outcome::Subject;

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

fn eval_aks(c: &Cluster, _ctx: &Context) -> Outcome {
    let m = match admin_model(c) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let (mut evidence, mut listed, mut subjects) = (vec![], vec![], vec![]);
    for root in &m.roots {
        evidence.extend(root.holds.iter().map(Hold::evidence));
        let potential = if root.kind() == Kind::Potential { "potential admin: " } else { "" };
        listed.push(format!("group {} ({potential}{})", root.principal.label(), root.how()));
        let terms = match root.holds.iter().min_by_key(|h| h.tenure) {
            Some(h) => h.terms().map(|t| t.describe()).unwrap_or_else(|| "unknown".into()),
            None => "unknown".into(),
        };
        subjects.push(
            Subject::new(
                root.principal.id.clone(),
                root.principal.label(),
                Status::Pass,
                format!("{potential}{}", root.how()),
            )
            .fact("how", root.how())
            .fact("terms", terms)
            .fact("principal_type", root.principal.kind.clone()),
        );
        if let Ok(n) = &root.node {
            evidence.push(Evidence::new(
                n.members.path.to_string(),
                format!("group={} members: {}", n.group.label(), n.members.observed()),
            ));
            evidence.push(Evidence::new(
                n.eligible.path.to_string(),
                format!("group={} PIM-eligible: {}", n.group.label(), n.eligible.observed()),
            ));
        }
    }
    for p in &m.people {
        evidence.extend(p.routes.iter().map(|r| route_evidence(p, r)));
        let text = AdminModel::person_text(p);
        listed.push(text.clone());
        let best = p.best(p.kind()).or_else(|| p.routes.first());
        let terms = best.map(|r| r.terms(m.groups)).unwrap_or_default();
        let how: Vec<String> = p.routes.iter().map(|r| r.how()).collect();
        let kind = if p.kind() == Kind::Potential {
            format!("{} (potential admin)", p.principal.kind)
        } else {
            p.principal.kind.clone()
        };
        subjects.push(
            Subject::new(p.principal.id.clone(), text, Status::Pass, best.map(|r| r.short()).unwrap_or_default())
                .fact("how", how.join("; "))
                .fact("terms", terms)
                .fact("principal_type", kind),
        );
    }
    const HIDDEN: &str = " Kubernetes RoleBindings to Entra users or groups are not included.";
    if !m.gaps.is_empty() {
        let gaps: Vec<String> = m.gaps.iter().map(|g| g.what.clone()).collect();
        evidence.extend(m.gaps.iter().map(|g| Evidence::new(g.path.clone(), g.what.clone())));
        return Outcome::unknown_because(
            format!(
                "The cluster-admin inventory is incomplete ({} known): could not be collected: {}.",
                listed.len(),
                gaps.join("; ")
            ),
            evidence,
        )
        .with_subjects(subjects);
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
    .with_subjects(subjects)
}

/// `system:masters` mappings of the `aws-auth` ConfigMap, as subjects, in every authentication
/// mode but `API` (where EKS no longer reads it); `Err` with the reason when the ConfigMap could
/// not be read or parsed. No ConfigMap maps nobody.
fn aws_auth_admins(c: &Cluster) -> Result<Vec<Subject>, String> {
    if c.authn.mode.get().is_some_and(|m| m.trim().eq_ignore_ascii_case("API")) {
        return Ok(vec![]);
    }
    let field = &c.data_plane.aws_auth;
    if field.is_unknown() {
        return Err(field.unknown_reason().unwrap_or("not collected").to_string());
    }
    let Some(map) = field.get() else { return Ok(vec![]) };
    let mapped = map.map_roles.iter().map(|m| ("mapRoles", m)).chain(map.map_users.iter().map(|m| ("mapUsers", m)));
    Ok(mapped
        .filter(|(_, m)| maps_to_masters(m))
        .map(|(key, m)| {
            let s = Subject::new(m.arn.trim(), m.arn.trim(), Status::Pass, format!("aws-auth {key}: system:masters"));
            masters_facts(s, key, m)
        })
        .collect())
}

fn eval_eks(c: &Cluster, _ctx: &Context) -> Outcome {
    let field = &c.authn.access_entries;
    // CONFIG_MAP keeps no access entries (EKS refuses to list them): the admins are aws-auth's
    // and the creator's.
    let none = Vec::new();
    let config_map = config_map_only(&c.authn.mode);
    if !config_map {
        require!(field);
    }
    let Some(entries) = field.get().or(config_map.then_some(&none)) else {
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
        _ => " Kubernetes RBAC bindings are not included.",
    };
    let aws_auth = aws_auth_admins(c);
    let mut subjects: Vec<Subject> = aws_auth.as_ref().cloned().unwrap_or_default();
    let mapped: Vec<String> = subjects.iter().map(|s| s.id.clone()).collect();
    for e in &admins {
        let policies: Vec<String> = inv
            .grants
            .iter()
            .filter(|g| g.entry.principal_arn == e.principal_arn)
            .map(|g| format!("{} ({})", policy_name(g.policy), g.policy.scope))
            .collect();
        let kind = principal_kind(&e.principal_arn).as_str();
        subjects.push(
            Subject::new(
                e.principal_arn.trim(),
                e.principal_arn.trim(),
                Status::Pass,
                format!("access entry: {}", policies.join(", ")),
            )
            .fact("how", format!("access entry associated with {}", policies.join(", ")))
            .fact("terms", "permanent")
            .fact("principal_type", kind),
        );
    }
    // In the API modes the creator's admin rights are an access entry (listed above, or gone with
    // it); with the ConfigMap alone they are invisible, but still there.
    let creator_note = if c.authn.creator_admin.is_true() && config_map {
        subjects.push(
            Subject::new(
                format!("{}#cluster-creator", c.r#ref.id),
                "the cluster creator",
                Status::Pass,
                "bootstrapClusterCreatorAdminPermissions",
            )
            .fact("how", "cluster creator (bootstrapClusterCreatorAdminPermissions: system:masters outside aws-auth)")
            .fact("terms", "permanent")
            .fact("principal_type", "IAM principal (not shown by the EKS API)"),
        );
        " The cluster creator holds cluster admin (bootstrapClusterCreatorAdminPermissions is true); the EKS API does not name it."
    } else {
        ""
    };
    let aws_note = if mapped.is_empty() {
        String::new()
    } else {
        format!(" The aws-auth ConfigMap maps {} to system:masters.", mapped.join(", "))
    };
    if let Err(why) = &aws_auth {
        let mut evidence = inv.grant_evidence();
        evidence.push(Evidence::of(&c.data_plane.aws_auth));
        return Outcome::unknown_because(
            format!(
                "The cluster-admin inventory is incomplete ({} known): the aws-auth ConfigMap, which EKS reads in authentication mode {}, could not be read: {why}",
                subjects.len(),
                c.authn.mode.observed()
            ),
            evidence,
        )
        .with_subjects(subjects);
    }
    if admins.is_empty() {
        return Outcome::pass(
            format!(
                "{}{aws_note}{creator_note}{hidden}",
                if config_map {
                    "The cluster keeps no access entries (authenticationMode CONFIG_MAP)."
                } else {
                    "No access entry grants cluster admin."
                }
            ),
            vec![Evidence::of(field)],
        )
        .with_subjects(subjects);
    }
    let listed: Vec<String> = admins
        .iter()
        .map(|e| format!("{} ({})", e.principal_arn.trim(), principal_kind(&e.principal_arn).as_str()))
        .collect();
    Outcome::pass(
        format!(
            "{} principal(s) can act as cluster admin through access entries: {}.{aws_note}{creator_note}{hidden}",
            admins.len(),
            listed.join(", ")
        ),
        inv.grant_evidence(),
    )
    .with_subjects(subjects)
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
            kind: Field::value("type", kind.to_string(), kind),
            username: Field::absent("username"),
            kubernetes_groups: Field::value("kubernetesGroups", vec![], ""),
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
        assert!(o.message.contains("Kubernetes RBAC bindings are not included"), "{}", o.message);
    }

    /// Outside authentication mode `API`, EKS reads `aws-auth`: its `system:masters` mappings
    /// are cluster admins (Definitions); an `aws-auth` that could not be read is a gap.
    #[test]
    fn aws_auth_masters_are_admins_outside_api_mode() {
        use crate::model::{AwsAuth, AwsAuthMapping};
        let mut c = hardened_eks();
        let ops = "arn:aws:iam::111122223333:role/ops";
        let masters = AwsAuth {
            map_roles: vec![AwsAuthMapping {
                arn: ops.into(),
                username: Some("ops".into()),
                groups: vec!["system:masters".into()],
            }],
            ..Default::default()
        };
        c.data_plane.aws_auth = Field::value("kube-system/ConfigMap/aws-auth", masters, "…");
        // Mode API: EKS ignores the ConfigMap.
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(!o.subjects.iter().any(|s| s.id == ops), "{:?}", o.subjects);
        set_str(&mut c.authn.mode, "API_AND_CONFIG_MAP");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        let s = o.subjects.iter().find(|s| s.id == ops).expect("the ops role is listed");
        assert!(
            s.facts.iter().any(|(k, v)| k == "how" && v == "aws-auth mapRoles → system:masters as ops"),
            "{:?}",
            s.facts
        );
        assert!(o.message.contains("aws-auth"), "{}", o.message);
        c.data_plane.aws_auth = Field::unknown("kube-system/ConfigMap/aws-auth", "403 Forbidden on get ConfigMaps");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("403 Forbidden on get ConfigMaps"), "{}", o.message);
        absent(&mut c.data_plane.aws_auth);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "no ConfigMap: nobody mapped");
    }

    /// A `CONFIG_MAP` cluster has no access entries: its admins are aws-auth's `system:masters`
    /// mappings and the cluster creator, and the inventory is complete when aws-auth was read.
    #[test]
    fn config_map_mode_lists_aws_auth_and_the_creator() {
        let mut c = config_map_eks();
        c.authn.creator_admin =
            Field::value("cluster.accessConfig.bootstrapClusterCreatorAdminPermissions", true, "true");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        assert!(o.subjects.iter().any(|s| s.label == "the cluster creator"), "{:?}", o.subjects);
        c.data_plane.aws_auth = Field::unknown("kube-system/ConfigMap/aws-auth", "cannot connect to the API server");
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
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
        assert!(o.message.starts_with("3 path(s) to cluster admin through Azure: group aks-admins"), "{}", o.message);
        assert!(o.message.contains("; Alice Admin (eligible via aks-admins); Dave Ops (eligible: Owner on /providers/Microsoft.Management/managementGroups/mg-platform)."), "{}", o.message);
        assert!(!o.message.contains("Reader") && !o.message.contains("User Access Administrator"), "{}", o.message);
        let alice = o.subjects.iter().find(|s| s.id == alice().id).unwrap();
        assert_eq!(alice.label, "Alice Admin (eligible via aks-admins)");
        let fact = |k: &str| alice.facts.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str()).unwrap();
        assert_eq!(fact("principal_type"), "User");
        assert_eq!(fact("terms"), "PIM-eligible for aks-admins (activation up to PT4H, approval required, MFA)");
        assert!(
            fact("how").starts_with("Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/"),
            "{}",
            fact("how")
        );
        assert!(fact("how").ends_with("(active, permanent), through group aks-admins"), "{}", fact("how"));
    }

    #[test]
    fn aks_without_admins_passes_and_gaps_are_unknown() {
        use crate::model::Terms;
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(dave(), READER, Terms::Permanent)]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        let mut c = hardened_aks();
        unknown(&mut c.entra.groups);
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
        add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        let sp = principal("ServicePrincipal", "5e000000-0000-0000-0000-000000000005", "gitops-deployer");
        grants.push(grant_at(sp, CONTRIBUTOR, Terms::Permanent, SUBSCRIPTION_SCOPE));
        set_grants(&mut c, grants);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: pass
        message: "4 path(s) to cluster admin through Azure: group aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) (Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent)); gitops-deployer (permanent: Contributor on /subscriptions/00000000-0000-0000-0000-000000000001); Alice Admin (eligible via aks-admins); Dave Ops (permanent via platform-team → aks-admins). Kubernetes RoleBindings to Entra users or groups are not included."
        evidence:
          - path: "roleAssignments[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c:b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b]"
            observed: "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent) (built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) members: […]"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].eligibilitySchedules"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) PIM-eligible: […]"
          - path: "roleAssignments[5e000000-0000-0000-0000-000000000005:b24988ac-6180-42a0-ab88-20f7382dd24c]"
            observed: "principal=gitops-deployer (ServicePrincipal 5e000000-0000-0000-0000-000000000005) Contributor on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent) (built-in Contributor: managedClusters/write (can rewrite adminGroupObjectIDs, re-enable local accounts))"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members[a11ce000-0000-0000-0000-000000000001]"
            observed: "principal=Alice Admin (User a11ce000-0000-0000-0000-000000000001) eligible via aks-admins — Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), through group aks-admins (built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members[da7e0000-0000-0000-0000-000000000004]"
            observed: "principal=Dave Ops (User da7e0000-0000-0000-0000-000000000004) permanent via platform-team → aks-admins — Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), through group aks-admins via platform-team → aks-admins (built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC)"
        subjects:
          - id: 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c
            label: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)
            status: pass
            reason: "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent)"
            facts:
              - - how
                - "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent)"
              - - terms
                - "active, permanent"
              - - principal_type
                - Group
          - id: 5e000000-0000-0000-0000-000000000005
            label: "gitops-deployer (permanent: Contributor on /subscriptions/00000000-0000-0000-0000-000000000001)"
            status: pass
            reason: "permanent: Contributor on /subscriptions/00000000-0000-0000-0000-000000000001"
            facts:
              - - how
                - "Contributor on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent)"
              - - terms
                - permanent
              - - principal_type
                - ServicePrincipal
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (eligible via aks-admins)
            status: pass
            reason: eligible via aks-admins
            facts:
              - - how
                - "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), through group aks-admins"
              - - terms
                - "PIM-eligible for aks-admins (activation up to PT4H, approval required, MFA)"
              - - principal_type
                - User
          - id: da7e0000-0000-0000-0000-000000000004
            label: Dave Ops (permanent via platform-team → aks-admins)
            status: pass
            reason: permanent via platform-team → aks-admins
            facts:
              - - how
                - "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), through group aks-admins via platform-team → aks-admins"
              - - terms
                - permanent
              - - principal_type
                - User
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
        subjects:
          - id: "arn:aws:iam::111122223333:role/platform-admins"
            label: "arn:aws:iam::111122223333:role/platform-admins"
            status: pass
            reason: "access entry: AmazonEKSClusterAdminPolicy (cluster)"
            facts:
              - - how
                - access entry associated with AmazonEKSClusterAdminPolicy (cluster)
              - - terms
                - permanent
              - - principal_type
                - IAM role
          - id: "arn:aws:iam::111122223333:user/eks-admin-user"
            label: "arn:aws:iam::111122223333:user/eks-admin-user"
            status: pass
            reason: "access entry: AmazonEKSClusterAdminPolicy (cluster)"
            facts:
              - - how
                - access entry associated with AmazonEKSClusterAdminPolicy (cluster)
              - - terms
                - permanent
              - - principal_type
                - IAM user
        "#);
    }
}
