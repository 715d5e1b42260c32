//! IDN-007: a group that holds cluster admin itself — an active (permanent or time-bound)
//! assignment of a cluster-admin-capable role, or `adminGroupObjectIDs` — has no PIM-for-Groups
//! eligibility schedules at all (eligible users or eligible groups). Groups nested in it or
//! eligible for it are judged through it: their members' paths are IDN-006's.

use crate::catalog::entra::*;
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-007",
        slug: "aks-admin-group-not-pim-managed",
        title: "AKS admin group not managed by PIM for Groups",
        severity: Severity::High,
        clouds: &[Cloud::Aks],
        rationale: "When cluster admin is granted to a group, the group's membership is the real admin list. Without \
PIM for Groups, members are added by hand and stay until someone removes them, so admin access is standing, \
unapproved and unaudited. With eligibility schedules on the group's member role, admins join it just in time for a \
few hours after justification, approval and MFA, and leave it automatically.",
        remediation: "In the Entra admin center, Identity Governance > Privileged Identity Management > Groups, bring \
the listed group under PIM, add the admins as Eligible members (Assignments > Add assignments, Assignment type \
Eligible), configure the member role settings (IDN-008 to IDN-010), then remove the permanent active members.",
        references: &[
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/concept-pim-for-groups",
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/groups-assign-member-owner",
        ],
        compliance: &["seeds/000"],
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
    // A grant to a group whose reach is not known, unless it is only eligible (then the group
    // holds nothing active whatever the role).
    let hidden = m
        .gaps_at(Kind::Admin, Tenure::TimeBound)
        .filter(|g| (g.on == GapOn::Grant && g.hides_groups) || g.on == GapOn::AdminGroupIds);
    for gap in hidden {
        v.unknown(gap.what.clone(), vec![Evidence::new(gap.path.clone(), gap.what.clone())]);
    }
    for root in m.admin_roots() {
        let label = root.principal.label();
        let subject = |status, reason: &str| Subject::new(root.principal.id.clone(), label.clone(), status, reason);
        let mut ev: Vec<Evidence> = root.holds.iter().map(Hold::evidence).collect();
        let tenure = root.tenure();
        if tenure == Tenure::Eligible {
            v.subject(subject(Status::Pass, "holds admin only through PIM-eligible role assignments"));
            v.pass(format!("{label} holds cluster admin only through PIM-eligible role assignments"), ev);
            continue;
        }
        let group = match &root.node {
            Ok(g) => *g,
            Err(why) => {
                v.subject(subject(Status::Unknown, why));
                v.unknown(format!("the PIM eligibility of {label} could not be read: {why}"), ev);
                continue;
            }
        };
        let eligible = &group.eligible;
        ev.push(Evidence::new(eligible.path.to_string(), format!("group={label} eligible={}", eligible.observed())));
        match eligible.get() {
            None => {
                v.subject(subject(Status::Unknown, "PIM eligibility not read"));
                v.unknown(format!("the PIM eligibility of {label} could not be read ({})", eligible.observed()), ev)
            }
            Some(list) if !list.is_empty() => {
                let names: Vec<String> = list.iter().map(|e| e.principal.label()).collect();
                v.subject(subject(Status::Pass, "PIM for Groups: eligibility schedules"));
                v.pass(format!("{label}: PIM-eligible {}", names.join(", ")), ev)
            }
            Some(_) if tenure == Tenure::Unknown => {
                v.subject(subject(Status::Unknown, "no eligibility; whether its admin role is active is not known"));
                v.unknown(
                    format!(
                        "{label} has no PIM-for-Groups eligibility, and whether its cluster-admin assignment is active could not be read: {}",
                        root.how()
                    ),
                    ev,
                )
            }
            Some(_) => {
                v.subject(subject(Status::Fail, "no PIM-for-Groups eligibility: membership managed outside PIM"));
                v.fail(
                    format!(
                        "{label} holds cluster admin through {} but has no PIM-for-Groups eligibility: its membership is managed outside PIM",
                        root.how()
                    ),
                    ev,
                )
            }
        }
    }
    if v.is_empty() {
        return Outcome::not_applicable(
            "No group holds cluster admin (no cluster-admin-capable group assignment, no adminGroupObjectIDs).",
            vec![Evidence::of(&c.entra.role_grants), Evidence::of(&c.authn.admin_group_ids)],
        );
    }
    v.outcome(
        "Groups holding cluster admin are not managed by PIM for Groups",
        "Whether the groups holding cluster admin are PIM-managed cannot be told",
        "Every group holding cluster admin is managed by PIM for Groups",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Terms;
    use crate::testing::*;

    fn no_eligibility(c: &mut Cluster) {
        edit_admin_group(c, |g| g.eligible = Field::value(g.eligible.path.clone(), vec![], "[]"));
    }

    #[test]
    fn eligible_members_pass() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.contains("PIM-eligible Alice Admin"), "{}", o.message);
    }

    #[test]
    fn admin_group_object_id_without_eligibility_fails() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![]);
        set_list(&mut c.authn.admin_group_ids, &[&aks_admins().id]);
        no_eligibility(&mut c);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("holds cluster admin through properties.aadProfile.adminGroupObjectIDs but has no PIM-for-Groups eligibility"), "{}", o.message);
    }

    #[test]
    fn role_holding_group_without_eligibility_fails() {
        let mut c = hardened_aks();
        no_eligibility(&mut c);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        // A group that is only eligible for the role does not hold it.
        set_grants(&mut c, vec![grant(aks_admins(), AKS_RBAC_CLUSTER_ADMIN, Terms::Eligible { end: None })]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn unknown_eligibility_or_expansion_is_unknown() {
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| {
            g.eligible = Field::unknown(g.eligible.path.clone(), "PrivilegedAccess.Read.AzureADGroup missing")
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("PrivilegedAccess.Read.AzureADGroup missing"), "{}", o.message);
        let mut c = hardened_aks();
        set_groups(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "the group was not expanded");
    }

    #[test]
    fn no_admin_group_is_not_applicable() {
        let mut c = hardened_aks();
        set_grants(&mut c, vec![grant(dave(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent)]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        unknown(&mut c.entra.role_grants);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        set_list(&mut c.authn.admin_group_ids, &[&aks_admins().id]);
        no_eligibility(&mut c);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Groups holding cluster admin are not managed by PIM for Groups: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) holds cluster admin through Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent) and properties.aadProfile.adminGroupObjectIDs but has no PIM-for-Groups eligibility: its membership is managed outside PIM."
        evidence:
          - path: "roleAssignments[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c:b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b]"
            observed: "Azure Kubernetes Service RBAC Cluster Admin on /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod (active, permanent) (built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC)"
          - path: properties.aadProfile.adminGroupObjectIDs
            observed: "properties.aadProfile.adminGroupObjectIDs (listed in aadProfile.adminGroupObjectIDs: Kubernetes cluster-admin)"
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].eligibilitySchedules"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) eligible=[]"
        subjects:
          - id: 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c
            label: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)
            status: fail
            reason: "no PIM-for-Groups eligibility: membership managed outside PIM"
        "#);
    }
}
