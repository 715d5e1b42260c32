//! K8S-004: bound Roles and ClusterRoles granting wildcards or escalate/bind/impersonate.

use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::need;
use crate::model::{Binding, Role};
use std::collections::BTreeSet;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "K8S-004",
        slug: "rbac-wildcards",
        title: "Bound roles with wildcards or escalation verbs",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A role granting `*` verbs or `*` resources grants everything that exists now and every resource \
type added later (Secrets, new CRDs); `escalate`, `bind` and `impersonate` let its holder grant themselves more or \
act as someone else. Bound to any subject, such a role is a privilege-escalation path that least-privilege reviews \
miss because the role's name looks harmless.",
        remediation: "Replace wildcards with the explicit verbs and resources the holder needs, and remove \
`escalate`, `bind` and `impersonate` unless the role exists to delegate RBAC. Review the role's bindings.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
            "https://learn.microsoft.com/azure/aks/concepts-identity",
        ],
        compliance: &[
            "seeds/003 \"least privileged access\"",
            "CIS AKS 4.1.3",
            "CIS AKS 4.1.7",
            "CIS EKS 4.1.3",
            "CIS EKS 4.1.8",
        ],
    },
    cluster: Some(eval),
    scope: None,
};

const ESCALATING: [&str; 3] = ["escalate", "bind", "impersonate"];

/// What in the role's rules is too broad, one phrase per finding.
fn too_broad(r: &Role) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, rule) in r.rules.iter().enumerate() {
        if rule.verbs.iter().any(|v| v.trim() == "*") {
            out.push((i, "verbs *".to_string()));
        }
        if rule.resources.iter().any(|v| v.trim() == "*") {
            out.push((i, "resources *".to_string()));
        }
        for v in rule.verbs.iter().map(|v| v.trim().to_ascii_lowercase()).filter(|v| ESCALATING.contains(&v.as_str())) {
            out.push((i, format!("verb {v}")));
        }
    }
    out
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let d = &c.data_plane;
    let exempt = |ns: &Option<String>| ns.as_deref().is_some_and(|n| ctx.thresholds.workloads.exempt(n));
    let mut tally = Tally::default();
    // Which roles have a binding with at least one subject (RoleBindings in exempt namespaces,
    // and the API server's own default bindings such as cluster-admin → system:masters, do not
    // count: a binding someone added to a default role does).
    let mut bound: BTreeSet<(Option<String>, String)> = BTreeSet::new();
    let mut bindings_known = true;
    for field in [&d.cluster_role_bindings, &d.role_bindings] {
        match need(field, "The bindings") {
            Ok(list) => {
                for b in
                    list.iter().filter(|b: &&Binding| !b.bootstrap && !b.subjects.is_empty() && !exempt(&b.namespace))
                {
                    let ns = if b.role_kind == "Role" { b.namespace.clone() } else { None };
                    bound.insert((ns, b.role_name.clone()));
                }
            }
            Err(_) => {
                bindings_known = false;
                tally.gap(format!("{} could not be read ({})", field.path, field.observed()), Evidence::of(field));
            }
        }
    }
    for field in [&d.cluster_roles, &d.roles] {
        let Some(roles) = field.get() else {
            tally.gap(format!("{} could not be read ({})", field.path, field.observed()), Evidence::of(field));
            continue;
        };
        for r in roles {
            let skip = r.name.starts_with("system:") || exempt(&r.namespace);
            let is_bound = bound.contains(&(r.namespace.clone(), r.name.clone()));
            if skip || (bindings_known && !is_bound) {
                continue;
            }
            let found = too_broad(r);
            if found.is_empty() {
                tally.pass();
                continue;
            }
            let why: Vec<String> = found.iter().map(|(_, w)| w.clone()).collect();
            let mut rules: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
            rules.dedup();
            let evidence = rules
                .iter()
                .map(|i| {
                    let rule = &r.rules[*i];
                    Evidence::new(
                        format!("{}:rules[{i}]", r.id()),
                        format!(
                            "verbs {:?} resources {:?} apiGroups {:?}",
                            rule.verbs, rule.resources, rule.api_groups
                        ),
                    )
                })
                .collect();
            if is_bound {
                tally.fail(r.id(), why.join(", "), evidence);
            } else {
                // Bindings unread: a broad role may or may not be bound.
                tally.unknown(r.id(), format!("{} (bindings not read)", why.join(", ")), evidence);
            }
        }
    }
    tally.outcome(
        "bound role",
        "Bound roles grant wildcards or escalate/bind/impersonate",
        "No bound role grants wildcards or escalate/bind/impersonate",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyRule;
    use crate::testing::*;

    fn wide_role() -> Role {
        Role {
            namespace: Some("shop".into()),
            name: "deployer".into(),
            rules: vec![PolicyRule {
                verbs: vec!["*".into()],
                api_groups: vec!["apps".into()],
                resources: vec!["deployments".into()],
                non_resource_urls: vec![],
            }],
            bootstrap: false,
        }
    }

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        listed(&mut c.data_plane.roles).push(wide_role());
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "not bound");
        listed(&mut c.data_plane.role_bindings)[0].role_name = "deployer".into();
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].id, "shop/Role/deployer");
        unknown(&mut c.data_plane.role_bindings);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        let mut c = hardened_aks();
        unknown(&mut c.data_plane.roles);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "AKS RBAC Reader cannot read roles");
    }

    #[test]
    fn impersonation_and_system_roles() {
        let mut c = hardened_eks();
        let mut imp = wide_role();
        imp.namespace = None;
        imp.name = "system:impersonator".into();
        imp.rules[0].verbs = vec!["impersonate".into()];
        listed(&mut c.data_plane.cluster_roles).push(imp.clone());
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "imp",
            "system:impersonator",
            &[("User", "alice", None)],
        ));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "system: roles are left out");
        imp.name = "impersonator".into();
        listed(&mut c.data_plane.cluster_roles).push(imp);
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "imp2",
            "impersonator",
            &[("User", "alice", None)],
        ));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("ClusterRole/impersonator (verb impersonate)"), "{}", o.message);
    }

    /// The API server's default policy binds `cluster-admin` to `system:masters`: that binding
    /// does not count. A binding someone added does, even to a default role (`cluster-admin`,
    /// `edit` with its service-account impersonation): the catalog leaves out `system:` roles
    /// only.
    #[test]
    fn default_roles_count_when_someone_binds_them() {
        let mut c = hardened_eks();
        let mut cluster_admin = wide_role();
        (cluster_admin.namespace, cluster_admin.name, cluster_admin.bootstrap) = (None, "cluster-admin".into(), true);
        cluster_admin.rules[0].resources = vec!["*".into()];
        listed(&mut c.data_plane.cluster_roles).push(cluster_admin);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "only the default binding to system:masters");
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "ops-admins",
            "cluster-admin",
            &[("Group", "ops", None)],
        ));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "{}", o.message);
        assert!(o.message.contains("ClusterRole/cluster-admin"), "{}", o.message);
    }
}
