//! IDN-011: a principal can create role assignments (User Access Administrator, Role Based
//! Access Control Administrator, Owner, or a custom role with `roleAssignments/write`) on a
//! scope covering the cluster, and the assignment has no ABAC condition limiting what it may
//! assign. PIM-eligible assignments count: they can be activated.

use crate::abac::{Delegation, delegation};
use crate::azure_rbac::can_delegate;
use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::field::Obs;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-011",
        slug: "rbac-delegation-unconstrained",
        title: "Unconstrained role-assignment delegation",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "Whoever can write role assignments on the cluster, its resource group, subscription or a \
management group above it can assign themselves (or anyone) Azure Kubernetes Service RBAC Cluster Admin or Owner, \
bypassing PIM, approvals and every other admin control. An ABAC condition on the delegating assignment limits which \
roles (and principals) it may assign, so delegation of access management no longer implies cluster admin.",
        remediation: "Replace the listed assignments with Role Based Access Control Administrator constrained by a \
condition (portal: Add role assignment > Conditions > Constrain roles, or `az role assignment create --condition \
<expr> --condition-version 2.0`) that allows assigning only the roles the delegate really needs, excluding Owner, \
User Access Administrator, Role Based Access Control Administrator and the AKS admin roles. Make the remaining \
assignments PIM-eligible.",
        references: &[
            "https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview",
            "https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-portal",
        ],
        compliance: &["seeds/000 (its reference repo's ABAC hands-on)"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let grants = match role_grants(c) {
        Ok(g) => g,
        Err(o) => return o,
    };
    let gates = crate::admins::gates(c);
    let mut v = Verdicts::default();
    for g in grants {
        let label = g.principal.label();
        let subject = |status, why: &str| {
            Subject::new(
                g.principal.id.clone(),
                label.clone(),
                status,
                format!("{} on {}: {why}", role_name(g), g.scope),
            )
        };
        match &g.role.obs {
            Obs::Value { value, .. } if can_delegate(value) => {}
            Obs::Value { .. } => continue,
            _ => {
                let what = format!("the role of {label} on {} could not be read ({})", g.scope, g.role.observed());
                v.subject(subject(Status::Unknown, "role definition not read"));
                v.unknown(what, vec![grant_evidence(g)]);
                continue;
            }
        }
        let condition = g.condition.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let ev = vec![Evidence::new(
            g.path.clone(),
            format!("{} condition={}", grant_line(g), condition.unwrap_or("(none)")),
        )];
        let who = format!("{label} holds {} on {} ({})", role_name(g), g.scope, terms_text(&g.terms));
        match delegation(g, gates) {
            Delegation::Constrained(how) => {
                v.subject(subject(Status::Pass, &how));
                v.pass(format!("{who}, constrained: {how}"), ev)
            }
            Delegation::Unconstrained(why) => {
                v.subject(subject(Status::Fail, &why));
                v.fail(format!("{who}: {why}"), ev)
            }
            Delegation::Unknown(why) => {
                v.subject(subject(Status::Unknown, &why));
                v.unknown(format!("{who}: {why}"), ev)
            }
        }
    }
    if v.is_empty() {
        return Outcome::pass(
            "No principal can write role assignments on a scope covering the cluster.",
            vec![Evidence::of(&c.entra.role_grants)],
        );
    }
    v.outcome(
        "Principals can assign any role, cluster admin included, on scopes covering the cluster (PIM-eligible assignments count: they can be activated)",
        "Whether role-assignment delegation is constrained cannot be told",
        "Every principal that can write role assignments on scopes covering the cluster is constrained by an ABAC condition",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RoleGrant, Terms};
    use crate::testing::*;

    fn uaa_on_subscription(condition: Option<&str>) -> Cluster {
        let mut c = hardened_aks();
        let mut g = grant_at(dave(), USER_ACCESS_ADMINISTRATOR, Terms::Permanent, SUBSCRIPTION_SCOPE);
        g.condition = condition.map(String::from);
        let mut grants: Vec<RoleGrant> = c.entra.role_grants.get().cloned().unwrap_or_default();
        grants.push(g);
        set_grants(&mut c, grants);
        c
    }

    #[test]
    fn constrained_delegation_passes() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(o.evidence[0].observed.contains("condition=((!(ActionMatches"), "{:?}", o.evidence);
        let cond = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {4abbcc35-e782-43d8-92c5-2d3f1bd2253f}))";
        assert_eq!(run(&CHECK, &uaa_on_subscription(Some(cond))).status, Status::Pass);
    }

    #[test]
    fn unconstrained_user_access_administrator_fails() {
        let o = run(&CHECK, &uaa_on_subscription(None));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Dave Ops (User da7e0000-0000-0000-0000-000000000004) holds User Access Administrator on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent): no ABAC condition restricts the roles it may assign"), "{}", o.message);
        assert_eq!(run(&CHECK, &uaa_on_subscription(Some("  "))).status, Status::Fail, "a blank condition is none");
    }

    #[test]
    fn owner_rbac_admin_and_eligible_count() {
        for (role, terms) in [(OWNER, Terms::Permanent), (RBAC_ADMINISTRATOR, Terms::Eligible { end: None })] {
            let mut c = hardened_aks();
            set_grants(&mut c, vec![grant_at(dave(), role, terms, MG_SCOPE)]);
            assert_eq!(run(&CHECK, &c).status, Status::Fail, "{role}");
        }
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(dave(), CONTRIBUTOR, Terms::Permanent)]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "Contributor cannot assign roles");
    }

    #[test]
    fn unknown_roles_or_grants_are_unknown() {
        let mut c = hardened_aks();
        let mut g = grant(dave(), READER, Terms::Permanent);
        g.role = Field::unknown(g.role.path.clone(), "AuthorizationFailed on roleDefinitions");
        set_grants(&mut c, vec![g]);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        unknown(&mut c.entra.role_grants);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &uaa_on_subscription(None)), @r#"
        status: fail
        message: "Principals can assign any role, cluster admin included, on scopes covering the cluster (PIM-eligible assignments count: they can be activated): Dave Ops (User da7e0000-0000-0000-0000-000000000004) holds User Access Administrator on /subscriptions/00000000-0000-0000-0000-000000000001 (active, permanent): no ABAC condition restricts the roles it may assign."
        evidence:
          - path: "roleAssignments[da7e0000-0000-0000-0000-000000000004:18d7d88d-d35e-4fb5-a5c3-7773c20a72d9]"
            observed: "principal=Dave Ops (User da7e0000-0000-0000-0000-000000000004) role=User Access Administrator scope=/subscriptions/00000000-0000-0000-0000-000000000001 terms=active, permanent condition=(none)"
        subjects:
          - id: b0b00000-0000-0000-0000-000000000002
            label: Bob Delegator (User b0b00000-0000-0000-0000-000000000002)
            status: pass
            reason: "User Access Administrator on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod: its ABAC condition limits writes to Reader, none cluster-admin-capable"
          - id: da7e0000-0000-0000-0000-000000000004
            label: Dave Ops (User da7e0000-0000-0000-0000-000000000004)
            status: fail
            reason: "User Access Administrator on /subscriptions/00000000-0000-0000-0000-000000000001: no ABAC condition restricts the roles it may assign"
        "#);
    }
}
