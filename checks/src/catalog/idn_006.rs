//! IDN-006: standing cluster-admin access — a user with an active permanent assignment of a
//! cluster-admin-capable role, or an active member of an admin group whose membership is
//! permanent at every link while the group holds admin permanently (role assignment or
//! `adminGroupObjectIDs`).
//!
//! Service principals holding admin are listed in the evidence but not judged: automation is
//! out of scope of this check (it has no PIM to activate). Nested group members are judged
//! through their chain: one time-bound link (or PIM activation) makes the membership expire.

use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::model::Terms;

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
    let paths = match AdminPaths::collect(c) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut v = Verdicts::default();
    let mut automation: Vec<String> = vec![];
    for (g, why) in &paths.principals {
        let ev = Evidence::new(g.path.clone(), format!("{} ({why})", grant_line(g)));
        if is_service_principal(&g.principal) {
            automation.push(name(&g.principal).to_string());
            v.note(Evidence::new(ev.path, format!("{} [service principal: listed, not judged]", ev.observed)));
            continue;
        }
        let who = format!("{} holds {} on {}", g.principal.label(), role_name(g), g.scope);
        match g.terms.get() {
            Some(Terms::Permanent) => v.fail(format!("{who} through an active permanent assignment"), vec![ev]),
            Some(t) => v.pass(format!("{who} ({})", t.describe()), vec![ev]),
            None => v.unknown(format!("{who} on terms that could not be read ({})", g.terms.observed()), vec![ev]),
        }
    }
    for (g, reason) in &paths.undetermined {
        // An eligible or time-bound grant cannot be standing, whatever the role.
        if matches!(g.terms.get(), Some(Terms::Eligible { .. } | Terms::TimeBound { .. })) {
            continue;
        }
        let what = format!("the role of {} on {} could not be read ({reason})", g.principal.label(), g.scope);
        v.unknown(what, vec![grant_evidence(g)]);
    }
    if let Some(e) = &paths.admin_group_ids_unknown {
        v.unknown(format!("{} could not be read ({})", e.path, e.observed), vec![e.clone()]);
    }
    for held in &paths.groups {
        judge_group(held, &mut v, &mut automation);
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

fn judge_group(held: &HeldGroup, v: &mut Verdicts, automation: &mut Vec<String>) {
    let label = held.principal.label();
    let group = name(&held.principal);
    let holds_ev: Vec<Evidence> = held.holds.iter().map(Hold::evidence).collect();
    let standing: Vec<String> =
        held.holds.iter().filter(|h| h.terms() == Some(Terms::Permanent)).map(Hold::describe).collect();
    let unread: Vec<String> = held.holds.iter().filter(|h| h.terms().is_none()).map(Hold::describe).collect();
    if standing.is_empty() && unread.is_empty() {
        v.pass(
            format!("{label} holds cluster admin only through eligible or time-bound assignments: {}", held.how()),
            holds_ev,
        );
        return;
    }
    let expanded = match &held.expanded {
        Ok(g) => *g,
        Err(why) => {
            v.unknown(
                format!(
                    "the members of {label}, which holds cluster admin through {}, could not be listed: {why}",
                    held.how()
                ),
                holds_ev,
            );
            return;
        }
    };
    let members = match expanded.members.get() {
        Some(m) => m,
        None => {
            let what = format!("the members of {label} could not be listed: {}", expanded.members.observed());
            v.unknown(what, holds_ev);
            return;
        }
    };
    let how = if standing.is_empty() { unread.join(" and ") } else { standing.join(" and ") };
    let mut people = 0;
    for m in members.iter().filter(|m| !is_group(&m.principal)) {
        let chain = chain_display(m);
        let ev = |note: &str| {
            Evidence::new(
                format!("{}[{}]", expanded.members.path, m.principal.id),
                format!(
                    "member={} chain={chain} ({note}); {group} holds cluster admin through {}",
                    m.principal.label(),
                    held.how()
                ),
            )
        };
        if is_service_principal(&m.principal) {
            automation.push(name(&m.principal).to_string());
            v.note(ev("service principal: listed, not judged"));
            continue;
        }
        people += 1;
        let who = m.principal.label();
        match membership(m) {
            Membership::Standing if !standing.is_empty() => v.fail(
                format!("{who} is a permanent member ({chain}, every link active and permanent) of {group}, which holds cluster admin through {how}"),
                vec![ev("every link active, permanent")],
            ),
            Membership::Standing => v.unknown(
                format!("{who} is a permanent member ({chain}) of {group}, whose cluster-admin assignment terms could not be read: {how}"),
                vec![ev("every link active, permanent")],
            ),
            Membership::Expiring(when) => v.pass(format!("{who} ({chain}) is time-bound: {when}"), vec![ev(&when)]),
            Membership::Unknown(why) => {
                v.unknown(format!("the membership terms of {who} ({chain}) could not be read: {why}"), vec![ev(&why)])
            }
        }
    }
    if people == 0 {
        let mut ev = holds_ev;
        ev.push(Evidence::of(&expanded.members));
        v.pass(
            format!(
                "{label} holds cluster admin through {how} but has no active member: admin requires PIM activation"
            ),
            ev,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AdminGroup, GroupMember};
    use crate::testing::*;

    fn with_members(c: &mut Cluster, members: Vec<GroupMember>) {
        edit_admin_group(c, |g: &mut AdminGroup| {
            let raw = format!("{} members", members.len());
            g.members = Field::value(g.members.path.clone(), members, raw);
        });
    }

    fn add_grant(c: &mut Cluster, g: crate::model::RoleGrant) {
        let mut grants = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(g);
        set_grants(c, grants);
    }

    #[test]
    fn eligible_only_admin_group_passes() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("has no active member: admin requires PIM activation"), "{}", o.message);
        assert_eq!(run(&crate::catalog::idn_007::CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn permanent_user_grant_on_the_resource_group_fails() {
        let mut c = hardened_aks();
        add_grant(&mut c, grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Dave Ops (User da7e0000-0000-0000-0000-000000000004) holds Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod through an active permanent assignment"), "{}", o.message);
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
        assert!(o.message.contains("active until 2025-06-01T04:00:00Z"));
    }

    #[test]
    fn permanent_direct_member_fails() {
        let mut c = hardened_aks();
        with_members(&mut c, vec![member(dave(), &[(aks_admins(), Terms::Permanent)])]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains(
                "Dave Ops (User da7e0000-0000-0000-0000-000000000004) is a permanent member (aks-admins › Dave Ops"
            ),
            "{}",
            o.message
        );
        assert!(
            o.message.contains(
                "which holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/"
            ),
            "{}",
            o.message
        );
    }

    #[test]
    fn nested_permanent_member_fails_with_the_chain() {
        let mut c = hardened_aks();
        let chain = [(aks_admins(), Terms::Permanent), (platform_team(), Terms::Permanent)];
        with_members(&mut c, vec![member(dave(), &chain)]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("(aks-admins › platform-team › Dave Ops, every link active and permanent)"),
            "{}",
            o.message
        );
    }

    #[test]
    fn a_time_bound_link_makes_the_member_fine() {
        let mut c = hardened_aks();
        let end = Terms::TimeBound { end: "2025-06-01T03:00:00Z".into() };
        let chain = [(aks_admins(), end), (platform_team(), Terms::Permanent)];
        with_members(&mut c, vec![member(dave(), &chain)]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("is time-bound: aks-admins: active until 2025-06-01T03:00:00Z"), "{}", o.message);
    }

    #[test]
    fn an_eligible_group_grant_makes_members_fine() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(aks_admins(), AKS_RBAC_CLUSTER_ADMIN, Terms::Eligible { end: None })]);
        with_members(&mut c, vec![member(dave(), &[(aks_admins(), Terms::Permanent)])]);
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
            g.members = Field::unknown(g.members.path.clone(), "Authorization_RequestDenied on transitiveMembers")
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("Authorization_RequestDenied on transitiveMembers"), "{}", o.message);
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
        let chain = [(aks_admins(), Terms::Permanent), (platform_team(), Terms::Permanent)];
        with_members(&mut c, vec![member(dave(), &chain)]);
        add_grant(
            &mut c,
            grant(
                principal("User", "e1e00000-0000-0000-0000-000000000006", "Erin Lead"),
                AKS_RBAC_ADMIN,
                Terms::Permanent,
            ),
        );
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Standing cluster-admin access (active, permanent, neither PIM-eligible nor time-bound): Erin Lead (User e1e00000-0000-0000-0000-000000000006) holds Azure Kubernetes Service RBAC Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod through an active permanent assignment; Dave Ops (User da7e0000-0000-0000-0000-000000000004) is a permanent member (aks-admins › platform-team › Dave Ops, every link active and permanent) of aks-admins, which holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent)."
        evidence:
          - path: "roleAssignments[e1e00000-0000-0000-0000-000000000006:3498e952-d568-435e-9b2c-8d77e338d7f7]"
            observed: "principal=Erin Lead (User e1e00000-0000-0000-0000-000000000006) role=Azure Kubernetes Service RBAC Admin scope=/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod terms=active, permanent (built-in Azure Kubernetes Service RBAC Admin: admin of every namespace, including roles and role bindings)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].members[da7e0000-0000-0000-0000-000000000004]"
            observed: "member=Dave Ops (User da7e0000-0000-0000-0000-000000000004) chain=aks-admins › platform-team › Dave Ops (every link active, permanent); aks-admins holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent)"
        "#);
    }
}
