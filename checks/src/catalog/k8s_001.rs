//! K8S-001: cluster admin granted to everyone, anonymous users or default service accounts.
//! Every other cluster-admin binding is listed as a passing subject for the admin inventory.

use crate::catalog::prelude::*;
use crate::catalog::rbac::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::need;
use crate::model::{Binding, RbacSubject};
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "K8S-001",
        slug: "broad-cluster-admin-binding",
        title: "Cluster admin granted to broad groups or default service accounts",
        severity: Severity::Critical,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A ClusterRoleBinding of cluster-admin to `system:authenticated` makes every identity that can \
sign in (on EKS any AWS principal of any account the cluster trusts, on AKS every user of the tenant) a cluster \
admin; to `system:unauthenticated` or `system:anonymous` it gives the cluster away; to a `default` service account \
it makes every pod of that namespace an admin. These bindings are usually left over from debugging.",
        remediation: "Delete the binding (`kubectl delete clusterrolebinding <name>`) and grant the people or \
workloads that need access a narrower role bound to their own identity or group. Review the listed cluster-admin \
bindings with their owners.",
        references: &[
            "https://learn.microsoft.com/azure/aks/concepts-identity",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        ],
        compliance: &["seeds/002", "seeds/003", "CIS AKS 4.1.1", "CIS EKS 4.1.1"],
    },
    cluster: Some(eval),
    scope: None,
};

/// `how`/`terms`/`principal_type` facts, as IDN-012 names them.
fn admin_subject(b: &Binding, s: &RbacSubject, status: Status, reason: String) -> Subject {
    let id = format!("{}:{}", b.id(), principal_id(s));
    Subject::new(id, s.label(), status, reason)
        .fact("how", format!("{} → ClusterRole {}", b.id(), b.role_name))
        .fact("terms", "permanent")
        .fact("principal_type", s.kind.clone())
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let d = &c.data_plane;
    let bindings = match need(&d.cluster_role_bindings, "The ClusterRoleBindings") {
        Ok(b) => b,
        Err(o) => return o,
    };
    let roles = d.cluster_roles.get();
    let mut tally = Tally::default();
    let mut gap = false;
    for b in bindings.iter().filter(|b| b.role_kind == "ClusterRole") {
        // `cluster-admin` is the same on every API server; other roles are read.
        let admin = if b.role_name == "cluster-admin" {
            Some(true)
        } else {
            roles.map(|r| role_of(b, &[], r).is_some_and(is_admin_role))
        };
        for s in &b.subjects {
            let evidence = vec![Evidence::new(format!("{}:subjects", b.id()), s.label())];
            match (admin, is_broad(s)) {
                (Some(true), Some(who)) => {
                    let why = format!("{who}, through {}", b.id());
                    tally.fail_subject(admin_subject(b, s, Status::Fail, why), evidence);
                }
                (Some(true), None) if !b.bootstrap => {
                    tally.pass_subject(admin_subject(b, s, Status::Pass, format!("cluster admin through {}", b.id())));
                }
                (None, Some(_)) => gap = true,
                _ => tally.pass(),
            }
        }
    }
    if gap {
        tally.gap(
            format!("whether the ClusterRoles bound to broad groups grant everything ({})", d.cluster_roles.observed()),
            Evidence::of(&d.cluster_roles),
        );
    }
    tally.outcome(
        "binding subject",
        "ClusterRoleBindings grant cluster admin to broad groups or default service accounts",
        "No ClusterRoleBinding grants cluster admin to a broad group or a default service account",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_eks();
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "oops",
            "cluster-admin",
            &[("Group", "system:authenticated", None)],
        ));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].id, "ClusterRoleBinding/oops:Group/system:authenticated");
        unknown(&mut c.data_plane.cluster_role_bindings);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn custom_admin_roles_and_unknown_roles() {
        let mut c = hardened_aks();
        let mut root = cluster_admin_role();
        root.name = "root".into();
        root.bootstrap = false;
        listed(&mut c.data_plane.cluster_roles).push(root);
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "ci",
            "root",
            &[("ServiceAccount", "default", Some("ci"))],
        ));
        assert_eq!(run(&CHECK, &c).status, Status::Fail, "a * on * ClusterRole counts");
        unknown(&mut c.data_plane.cluster_roles);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "cannot tell what `root` grants");
    }

    #[test]
    fn named_admins_feed_the_inventory() {
        let mut c = hardened_aks();
        listed(&mut c.data_plane.cluster_role_bindings).push(cluster_binding(
            "platform-admins",
            "cluster-admin",
            &[("Group", "a1b2c3d4-entra-group", None)],
        ));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        insta::assert_yaml_snapshot!(o.subjects, @r#"
        - id: "ClusterRoleBinding/platform-admins:Group/a1b2c3d4-entra-group"
          label: Group a1b2c3d4-entra-group
          status: pass
          reason: cluster admin through ClusterRoleBinding/platform-admins
          facts:
            - - how
              - ClusterRoleBinding/platform-admins → ClusterRole cluster-admin
            - - terms
              - permanent
            - - principal_type
              - Group
        "#);
    }
}
