//! AUTH-002: local accounts (the static admin kubeconfig) are enabled. When it fails, the
//! evidence lists who can call `listClusterAdminCredential` (Azure role assignments on covering
//! scopes whose role permits it, any terms, and the people the holding groups lead to — see
//! [`crate::admins`]), or says why that could not be read; each is a subject.

use crate::admins::Source;
use crate::azure_rbac::can_fetch_admin_kubeconfig;
use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::field::Obs;
use crate::model::RoleGrant;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-002",
        slug: "local-accounts-enabled",
        title: "Local accounts enabled",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "While local accounts are enabled, anyone allowed to call `listClusterAdminCredential` (for example \
any Contributor on the subscription) can download a static cluster-admin kubeconfig. That certificate bypasses Entra \
ID, Conditional Access and PIM, is not tied to a person in the audit log, and stays valid until the cluster \
certificates are rotated, so it is a favourite persistence mechanism.",
        remediation: "Run `az aks update -g <rg> -n <cluster> --disable-local-accounts` (requires Entra ID integration, \
AUTH-001), then `az aks rotate-certs -g <rg> -n <cluster>` to revoke admin kubeconfigs that were already downloaded.",
        references: &[
            "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad",
            "https://learn.microsoft.com/azure/aks/certificate-rotation",
        ],
        compliance: &["AzPolicy 993c2fcd"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let local = &c.authn.local_accounts_enabled;
    require!(local);
    let mut evidence = vec![Evidence::of(local)];
    match local.get() {
        Some(false) => {
            Outcome::pass("Local accounts are disabled; no static admin kubeconfig can be fetched.", evidence)
        }
        // Absent `disableLocalAccounts`: AKS enables local accounts by default.
        _ => {
            let (more, subjects) = credential_fetchers(c);
            evidence.extend(more);
            Outcome::fail(
                "Local accounts are enabled: whoever can call listClusterAdminCredential gets a static cluster-admin kubeconfig that bypasses Entra ID, Conditional Access and PIM.",
                evidence,
            )
            .with_subjects(subjects)
        }
    }
}

/// One evidence line per role assignment that permits `listClusterAdminCredential` (or whose
/// role could not be read), then the people its groups lead to; or one line saying why the
/// assignments are not known. Each principal that can fetch the kubeconfig is a subject.
fn credential_fetchers(c: &Cluster) -> (Vec<Evidence>, Vec<Subject>) {
    let m = match AdminModel::of(c) {
        Ok(m) => m,
        Err(field) => {
            return (
                vec![Evidence::new(
                    field.path.to_string(),
                    format!(
                        "the role assignments could not be read, so who can call listClusterAdminCredential is not known: {}",
                        field.observed()
                    ),
                )],
                vec![],
            );
        }
    };
    let fetches = |g: &RoleGrant| g.role.get().is_some_and(|d| can_fetch_admin_kubeconfig(d));
    let (mut evidence, mut subjects) = (vec![], vec![]);
    for (g, _) in &m.grants {
        match &g.role.obs {
            Obs::Value { .. } if fetches(g) => {
                evidence.push(grant_evidence(g));
                let why = format!("{} on {} ({})", role_name(g), g.scope, terms_text(&g.terms));
                subjects.push(Subject::new(g.principal.id.clone(), g.principal.label(), Status::Fail, why));
            }
            Obs::Value { .. } => {}
            _ => evidence.push(Evidence::new(
                g.path.clone(),
                format!("{} (role definition not read: may be able to call listClusterAdminCredential)", grant_line(g)),
            )),
        }
    }
    for p in &m.people {
        for r in p.routes.iter().filter(|r| r.root.is_some()) {
            if let Source::Grant(g) = &r.hold.source
                && fetches(g)
            {
                evidence.push(route_evidence(p, r));
                subjects.push(Subject::new(p.principal.id.clone(), p.principal.label(), Status::Fail, r.short()));
            }
        }
    }
    if evidence.is_empty() {
        evidence.push(Evidence::new(
            c.entra.role_grants.path.to_string(),
            "no role assignment on a scope covering the cluster permits listClusterAdminCredential",
        ));
    }
    (evidence, subjects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn local_accounts(disable: Option<bool>) -> Cluster {
        let mut c = hardened_aks();
        c.authn.local_accounts_enabled = match disable {
            Some(d) => Field::value("properties.disableLocalAccounts", !d, d.to_string()),
            None => Field::absent("properties.disableLocalAccounts"),
        };
        c
    }

    #[test]
    fn disabled_local_accounts_pass() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        assert_eq!(run(&CHECK, &local_accounts(Some(true))).status, Status::Pass);
    }

    #[test]
    fn enabled_or_absent_fails() {
        let o = run(&CHECK, &local_accounts(Some(false)));
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "false"));
        let o = run(&CHECK, &local_accounts(None));
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
    }

    #[test]
    fn uncollected_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.authn.local_accounts_enabled);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn evidence_names_who_can_fetch_the_admin_kubeconfig() {
        use crate::model::Terms;
        let mut c = local_accounts(Some(false));
        let o = run(&CHECK, &c);
        assert_eq!(o.evidence.len(), 2);
        assert!(o.evidence[1].observed.starts_with("no role assignment"), "{:?}", o.evidence);
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(grant_at(dave(), CONTRIBUTOR, Terms::Permanent, SUBSCRIPTION_SCOPE));
        grants.push(grant(principal("User", "e1", "Erin"), AKS_CLUSTER_ADMIN_ROLE, Terms::Eligible { end: None }));
        set_grants(&mut c, grants);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.evidence.len(), 3, "{:?}", o.evidence);
        assert!(
            o.evidence[1].observed.contains("principal=Dave Ops")
                && o.evidence[1].observed.contains("role=Contributor")
        );
        assert!(o.evidence[2].observed.contains("terms=PIM-eligible"));
        unknown(&mut c.entra.role_grants);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.evidence.len(), 2);
        assert!(
            o.evidence[1].observed.contains("could not be read")
                && o.evidence[1].observed.contains("AuthorizationFailed")
        );
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &local_accounts(Some(false))), @r#"
        status: fail
        message: "Local accounts are enabled: whoever can call listClusterAdminCredential gets a static cluster-admin kubeconfig that bypasses Entra ID, Conditional Access and PIM."
        evidence:
          - path: properties.disableLocalAccounts
            observed: "false"
          - path: roleAssignments
            observed: no role assignment on a scope covering the cluster permits listClusterAdminCredential
        "#);
    }

    #[test]
    fn failure_snapshot_with_credential_holders() {
        use crate::model::Terms;
        let mut c = local_accounts(Some(false));
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(grant_at(dave(), CONTRIBUTOR, Terms::Permanent, SUBSCRIPTION_SCOPE));
        set_grants(&mut c, grants);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Local accounts are enabled: whoever can call listClusterAdminCredential gets a static cluster-admin kubeconfig that bypasses Entra ID, Conditional Access and PIM."
        evidence:
          - path: properties.disableLocalAccounts
            observed: "false"
          - path: "roleAssignments[da7e0000-0000-0000-0000-000000000004:b24988ac-6180-42a0-ab88-20f7382dd24c]"
            observed: "principal=Dave Ops (User da7e0000-0000-0000-0000-000000000004) role=Contributor scope=/subscriptions/00000000-0000-0000-0000-000000000001 terms=active, permanent"
        subjects:
          - id: da7e0000-0000-0000-0000-000000000004
            label: Dave Ops (User da7e0000-0000-0000-0000-000000000004)
            status: fail
            reason: "Contributor on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent)"
        "#);
    }
}
