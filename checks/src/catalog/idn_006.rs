//! IDN-006: standing cluster-admin access — a person with an admin path ([`crate::admins`])
//! whose every link is active and permanent: a permanent assignment of a cluster-admin-capable
//! role, or membership at any depth, each link permanent, of a group holding admin permanently
//! (role assignment or `adminGroupObjectIDs`). One PIM eligibility (for Azure resources or for
//! a group, at any depth) or one time-bound link makes the path need activation or expire.
//!
//! Service principals holding admin are listed in the evidence but not judged: automation is
//! out of scope of this check (it has no PIM to activate). Potential admins (IDN-011) are not
//! judged either. A path whose terms could not be read, or a group whose members could not be
//! listed on a path that could be standing, is `unknown`; gaps that could only hide eligible or
//! time-bound admins do not matter here.

use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-006",
        slug: "aks-standing-admin-access",
        title: "Standing cluster-admin access",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "A user who holds cluster admin around the clock, directly or as a permanent member of an admin \
group, turns every phishing, token theft or compromised laptop of that user into a cluster compromise at any hour. \
With PIM (eligible role assignments, or PIM for Groups on the admin group) nobody holds the role until they activate \
it for a few hours, with justification, approval and MFA, and every activation is audited. Time-bound assignments \
expire by themselves.",
        remediation: "Convert the listed permanent assignments to PIM-eligible ones (Entra admin center, Identity \
Governance > Privileged Identity Management > Azure resources, or PIM for Groups on the admin group: Add assignments > \
Eligible), then remove the active ones (`az role assignment delete --assignee <id> --role <role> --scope <scope>`, or \
remove the member from the group). Keep automation on service principals or managed identities with the narrowest \
role.",
        references: &[
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/concept-pim-for-groups",
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-resource-roles-assign-roles",
            "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
        ],
        compliance: &["seeds/000", "seeds/001"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let m = match admin_model(c) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let mut v = Verdicts::default();
    let mut automation: Vec<String> = vec![];
    for p in &m.people {
        let Some(r) = p.best(Kind::Admin) else { continue };
        let ev = route_evidence(p, r);
        let who = p.principal.label();
        let subject = |status, reason: String| Subject::new(p.principal.id.clone(), who.clone(), status, reason);
        if is_service_principal(&p.principal) {
            automation.push(name(&p.principal).to_string());
            v.note(Evidence::new(ev.path, format!("{} [service principal: listed, not judged]", ev.observed)));
            v.subject(subject(Status::NotApplicable, "service principal: automation is not judged".into()));
            continue;
        }
        let via = if r.chain.len() > 1 { format!(" (via {})", r.chain_text()) } else { String::new() };
        let what = match &r.root {
            None => format!("{who} holds {}", r.hold.what()),
            Some(g) => format!(
                "{who} is a member of {}{via}, which holds cluster admin through {}",
                name(g),
                r.hold.describe()
            ),
        };
        match r.tenure {
            Tenure::Permanent => {
                let why = match &r.root {
                    None => " through an active permanent assignment",
                    Some(_) => ", every link active and permanent",
                };
                v.subject(subject(Status::Fail, format!("standing: {}", r.short())));
                v.fail(format!("{what}{why}"), vec![ev]);
            }
            Tenure::Unknown => {
                v.subject(subject(Status::Unknown, format!("terms not read: {}", r.short())));
                v.unknown(format!("{what}, on terms that could not be read ({})", r.terms(m.groups)), vec![ev]);
            }
            _ => {
                let terms = r.terms(m.groups);
                v.subject(subject(Status::Pass, format!("not standing: {terms}")));
                v.pass(format!("{who} ({}): {terms}", r.short()), vec![ev]);
            }
        }
    }
    for gap in m.gaps_at(Kind::Admin, Tenure::Unknown) {
        v.unknown(gap.what.clone(), vec![Evidence::new(gap.path.clone(), gap.what.clone())]);
    }
    for root in m.admin_roots() {
        let reached = m
            .people
            .iter()
            .any(|p| p.routes.iter().any(|r| r.root.as_ref().is_some_and(|g| same_id(&g.id, &root.principal.id))));
        if !reached && root.node.is_ok() {
            let mut ev: Vec<Evidence> = root.holds.iter().map(Hold::evidence).collect();
            if let Ok(n) = &root.node {
                ev.push(Evidence::of(&n.members));
            }
            v.pass(
                format!("{} holds cluster admin through {} but has no member", root.principal.label(), root.how()),
                ev,
            );
        }
    }
    let ids = &c.authn.admin_group_ids;
    if v.is_empty() && automation.is_empty() {
        return Outcome::pass(
            "No standing admin: no principal holds a cluster-admin-capable role on a scope covering the cluster and no group is listed in adminGroupObjectIDs.",
            vec![Evidence::of(&c.entra.role_grants), Evidence::of(ids)],
        );
    }
    let mut o = v.outcome(
        "Standing cluster-admin access (active, permanent, neither PIM-eligible nor time-bound)",
        "Standing cluster-admin access cannot be ruled out",
        "No standing cluster-admin access",
        vec![],
    );
    if o.status == Status::Pass && o.message.ends_with(": .") {
        o.message = "No standing cluster-admin access by users.".into();
    }
    if !automation.is_empty() {
        o.message.push_str(&format!(
            " Service principals holding admin are listed but not judged (automation is out of scope of this check): {}.",
            automation.join(", ")
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RoleGrant, Terms};
    use crate::testing::*;

    fn add_grant(c: &mut Cluster, g: RoleGrant) {
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(g);
        set_grants(c, grants);
    }

    #[test]
    fn eligible_only_admin_group_passes() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("Alice Admin (User a11ce000-0000-0000-0000-000000000001) (eligible via aks-admins): PIM-eligible for aks-admins (activation up to PT4H, approval required, MFA)"), "{}", o.message);
        assert_eq!(o.subjects.len(), 1);
        assert_eq!(o.subjects[0].status, Status::Pass);
        assert_eq!(run(&crate::catalog::idn_007::CHECK, &hardened_aks()).status, Status::Pass);
        // A group holding admin with nobody behind it.
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| g.eligible = Field::value(g.eligible.path.clone(), vec![], "[]"));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.contains("but has no member"), "{}", o.message);
    }

    #[test]
    fn permanent_user_grant_on_the_resource_group_fails() {
        let mut c = hardened_aks();
        add_grant(&mut c, grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Dave Ops (User da7e0000-0000-0000-0000-000000000004) holds Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod through an active permanent assignment"), "{}", o.message);
        let dave_subject = o.subjects.iter().find(|s| s.id == dave().id).unwrap();
        assert_eq!(dave_subject.status, Status::Fail);
    }

    #[test]
    fn time_bound_or_eligible_user_grants_pass() {
        let mut c = hardened_aks();
        add_grant(
            &mut c,
            grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::TimeBound { end: "2025-06-01T04:00:00Z".into() }),
        );
        add_grant(&mut c, grant_at(dave(), OWNER, Terms::Eligible { end: None }, SUBSCRIPTION_SCOPE));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("active until 2025-06-01T04:00:00Z"), "{}", o.message);
    }

    #[test]
    fn permanent_direct_member_fails() {
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), dave(), Terms::Permanent);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("Dave Ops (User da7e0000-0000-0000-0000-000000000004) is a member of aks-admins, which holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), every link active and permanent"),
            "{}",
            o.message
        );
    }

    #[test]
    fn nested_permanent_member_fails_with_the_chain() {
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("is a member of aks-admins (via platform-team → aks-admins)"), "{}", o.message);
    }

    #[test]
    fn a_time_bound_or_eligible_link_makes_the_member_fine() {
        let mut c = hardened_aks();
        let end = Terms::TimeBound { end: "2025-06-01T03:00:00Z".into() };
        add_member(&mut c, &aks_admins(), platform_team(), end);
        add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(
            o.message.contains(
                "(time-bound via platform-team → aks-admins): active until 2025-06-01T03:00:00Z in aks-admins"
            ),
            "{}",
            o.message
        );
        // Eligible for a group that is a permanent member of the admin group: not standing.
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
        add_eligible(&mut c, &platform_team(), dave());
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn a_group_eligible_for_the_admin_group_leads_to_its_members() {
        // The seeds' reference setup: a requester group is the eligible principal.
        let mut c = hardened_aks();
        let requesters = principal("Group", "9e9e0000-0000-0000-0000-000000000009", "condiac-pim-test");
        add_eligible(&mut c, &aks_admins(), requesters.clone());
        add_member(&mut c, &requesters, dave(), Terms::Permanent);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(
            o.message.contains(
                "Dave Ops (User da7e0000-0000-0000-0000-000000000004) (eligible via condiac-pim-test → aks-admins)"
            ),
            "{}",
            o.message
        );
        // …but a permanent membership of the requester group in the admin group is standing.
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), requesters.clone(), Terms::Permanent);
        add_member(&mut c, &requesters, dave(), Terms::Permanent);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn cycles_end() {
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(&mut c, &platform_team(), aks_admins(), Terms::Permanent);
        add_eligible(&mut c, &platform_team(), aks_admins());
        add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects.iter().filter(|s| s.id == dave().id).count(), 1);
    }

    #[test]
    fn an_eligible_group_grant_makes_members_fine() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(aks_admins(), AKS_RBAC_CLUSTER_ADMIN, Terms::Eligible { end: None })]);
        add_member(&mut c, &aks_admins(), dave(), Terms::Permanent);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        // …unless the group is also in adminGroupObjectIDs, which is always active.
        set_list(&mut c.authn.admin_group_ids, &[&aks_admins().id]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("through properties.aadProfile.adminGroupObjectIDs"), "{}", o.message);
    }

    #[test]
    fn admin_roles_count_at_any_covering_scope_and_custom_roles_too() {
        let mut c = hardened_aks();
        add_grant(&mut c, grant_at(dave(), OWNER, Terms::Permanent, MG_SCOPE));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("holds Owner on /providers/Microsoft.Management/managementGroups/mg-platform"));
        let mut c = hardened_aks();
        let role = custom_role("AKS break-glass", &[], &["Microsoft.ContainerService/managedClusters/*"]);
        add_grant(&mut c, grant_of(dave(), role, Terms::Permanent, RG_SCOPE));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        // Non-admin roles are ignored.
        let mut c = hardened_aks();
        add_grant(&mut c, grant(dave(), READER, Terms::Permanent));
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn data_roles_need_azure_rbac() {
        let mut c = hardened_aks();
        add_grant(&mut c, grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent));
        c.authz.azure_rbac = Field::value("properties.aadProfile.enableAzureRBAC", false, "false");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        absent(&mut c.authz.azure_rbac);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "absent: off");
        unknown(&mut c.authz.azure_rbac);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown, "never a pass when Azure RBAC is not known");
        assert!(o.message.contains("whether Azure RBAC authorizes Kubernetes is not known"), "{}", o.message);
        // managedClusters/write needs nothing.
        add_grant(&mut c, grant(principal("User", "e0", "Eve"), CONTRIBUTOR, Terms::Permanent));
        c.authn.local_accounts_enabled = Field::value("properties.disableLocalAccounts", false, "true");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn potential_admins_are_not_judged() {
        let mut c = hardened_aks();
        add_grant(&mut c, grant(dave(), USER_ACCESS_ADMINISTRATOR, Terms::Permanent));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(!o.message.contains("Dave"), "{}", o.message);
    }

    #[test]
    fn service_principals_are_listed_not_judged() {
        let mut c = hardened_aks();
        let sp = principal("ServicePrincipal", "5e000000-0000-0000-0000-000000000005", "gitops-deployer");
        add_grant(&mut c, grant(sp, AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.ends_with("out of scope of this check): gitops-deployer."), "{}", o.message);
        assert!(o.evidence.iter().any(|e| e.observed.contains("gitops-deployer") && e.observed.contains("not judged")));
    }

    #[test]
    fn unknown_terms_or_members_are_unknown_unless_something_fails() {
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| {
            g.members = Field::unknown(g.members.path.clone(), "Authorization_RequestDenied on listGroupMembers")
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Authorization_RequestDenied on listGroupMembers"), "{}", o.message);
        let mut g = grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent);
        g.terms = Field::unknown(g.terms.path.clone(), "PIM schedules not readable");
        add_grant(&mut c, g);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        add_grant(&mut c, grant_at(principal("User", "e0", "Eve"), CONTRIBUTOR, Terms::Permanent, SUBSCRIPTION_SCOPE));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains(" Not judged: "), "{}", o.message);
        // Unreadable role definitions are unknown, and so are uncollected assignments.
        let mut c = hardened_aks();
        let mut g = grant(dave(), READER, Terms::Permanent);
        g.role = Field::unknown(g.role.path.clone(), "AuthorizationFailed on roleDefinitions");
        add_grant(&mut c, g);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        unknown(&mut c.entra.role_grants);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn gaps_that_only_hide_eligible_admins_do_not_matter() {
        let mut c = hardened_aks();
        let requesters = principal("Group", "9e9e0000-0000-0000-0000-000000000009", "condiac-pim-test");
        add_eligible(&mut c, &aks_admins(), requesters.clone());
        let mut g = group_with(requesters, vec![], vec![]);
        g.members = Field::unknown(g.members.path.clone(), "denied");
        put_group(&mut c, g);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        assert_eq!(run(&crate::catalog::idn_012::CHECK, &c).status, Status::Unknown, "the inventory has a gap");
    }

    #[test]
    fn no_admin_grants_pass() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(dave(), READER, Terms::Permanent)]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.starts_with("No standing admin"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
        add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
        add_grant(
            &mut c,
            grant(
                principal("User", "e1e00000-0000-0000-0000-000000000006", "Erin Lead"),
                crate::azure_rbac::builtin::AKS_RBAC_ADMIN,
                Terms::Permanent,
            ),
        );
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Standing cluster-admin access (active, permanent, neither PIM-eligible nor time-bound): Dave Ops (User da7e0000-0000-0000-0000-000000000004) is a member of aks-admins (via platform-team → aks-admins), which holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), every link active and permanent; Erin Lead (User e1e00000-0000-0000-0000-000000000006) holds Azure Kubernetes Service RBAC Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod through an active permanent assignment."
        evidence:
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members[da7e0000-0000-0000-0000-000000000004]"
            observed: "principal=Dave Ops (User da7e0000-0000-0000-0000-000000000004) permanent via platform-team → aks-admins — Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent), through group aks-admins via platform-team → aks-admins (built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC)"
          - path: "roleAssignments[e1e00000-0000-0000-0000-000000000006:3498e952-d568-435e-9b2c-8d77e338d7f7]"
            observed: "principal=Erin Lead (User e1e00000-0000-0000-0000-000000000006) Azure Kubernetes Service RBAC Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent) (built-in Azure Kubernetes Service RBAC Admin on the whole cluster: roles, role bindings and workloads of every namespace)"
        subjects:
          - id: a11ce000-0000-0000-0000-000000000001
            label: Alice Admin (User a11ce000-0000-0000-0000-000000000001)
            status: pass
            reason: "not standing: PIM-eligible for aks-admins (activation up to PT4H, approval required, MFA)"
          - id: da7e0000-0000-0000-0000-000000000004
            label: Dave Ops (User da7e0000-0000-0000-0000-000000000004)
            status: fail
            reason: "standing: permanent via platform-team → aks-admins"
          - id: e1e00000-0000-0000-0000-000000000006
            label: Erin Lead (User e1e00000-0000-0000-0000-000000000006)
            status: fail
            reason: "standing: permanent: Azure Kubernetes Service RBAC Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod"
        "#);
    }
}
