//! IDN-008: an admin group's PIM-for-Groups policy (`member` role) allows activations longer
//! than `pim_max_activation_hours` (default 8), or sets no maximum.

use crate::azure_rbac::duration_hours;
use crate::catalog::entra::{PimVerdict, judge_pim};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-008",
        slug: "pim-activation-too-long",
        title: "PIM activation of an AKS admin group too long",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "Just-in-time access is only as short as the longest activation PIM allows. An activation of a \
day or more into a cluster-admin group is standing access in all but name: a token thief or a forgotten session keeps \
admin long after the task is done. A few hours (2 to 3 in the reference setup, at most 8) covers a maintenance task.",
        remediation: "In Privileged Identity Management > Groups > the admin group > Settings > Member, set Activation \
maximum duration to 8 hours or less (the threshold is pim_max_activation_hours).",
        references: &[
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/groups-role-settings",
            "https://learn.microsoft.com/graph/identity-governance-pim-rules-overview",
        ],
        compliance: &["seeds/000 (\"2–3 hours\"; its reference setup uses PT8H)"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let max = ctx.thresholds.pim_max_activation_hours;
    judge_pim(
        c,
        "rules[Expiration_EndUser_Assignment].maximumDuration",
        |p| match &p.max_activation {
            None => (PimVerdict::Fail("the activation has no maximum duration".into()), "(absent)".into()),
            Some(d) => {
                let verdict = match duration_hours(d) {
                    Some(h) if h <= f64::from(max) => PimVerdict::Pass(format!("activation at most {d}")),
                    Some(_) => PimVerdict::Fail(format!("activation up to {d}, longer than {max} h")),
                    None => PimVerdict::Unknown(format!("the maximum duration {d} is not an ISO 8601 duration")),
                };
                (verdict, d.clone())
            }
        },
        [
            "Admin groups allow PIM activations longer than pim_max_activation_hours",
            "The PIM activation length of the admin groups cannot be judged",
            "PIM activations into the admin groups are short",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn activation(c: &mut Cluster, d: Option<&str>) {
        edit_admin_group(c, |g| {
            let mut p = g.pim_policy.get().cloned().expect("hardened policy");
            p.max_activation = d.map(String::from);
            g.pim_policy = Field::value(g.pim_policy.path.clone(), p, "…");
        });
    }

    #[test]
    fn four_hours_pass_and_eight_is_the_limit() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        activation(&mut c, Some("PT8H"));
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        let mut ctx = ctx();
        ctx.thresholds.pim_max_activation_hours = 3;
        assert_eq!(eval(&c, &ctx).status, Status::Fail);
    }

    #[test]
    fn twelve_hours_or_no_maximum_fails() {
        let mut c = hardened_aks();
        activation(&mut c, Some("PT12H"));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("aks-admins: activation up to PT12H, longer than 8 h"), "{}", o.message);
        activation(&mut c, None);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        activation(&mut c, Some("P1D"));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn unreadable_policy_or_duration_is_unknown() {
        let mut c = hardened_aks();
        activation(&mut c, Some("eight hours"));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        edit_admin_group(&mut c, |g| {
            g.pim_policy = Field::unknown(g.pim_policy.path.clone(), "RoleManagementPolicy.Read.AzureADGroup missing")
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("RoleManagementPolicy.Read.AzureADGroup missing"));
        unknown(&mut c.entra.groups);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn absent_policy_fails_and_no_admin_group_is_not_applicable() {
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| g.pim_policy = Field::absent(g.pim_policy.path.clone()));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.ends_with("(absent)"));
        set_groups(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "the admin group was not read");
        set_grants(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable, "no group holds admin");
    }

    /// Issue 9: when the admin groups cannot be worked out, IDN-008…010 are unknown — never
    /// not applicable (the provider turns a denied, failing, malformed or non-string
    /// `principalId` list of role assignments or eligibility instances into unknown grants).
    #[test]
    fn admin_groups_not_worked_out_are_unknown_never_not_applicable() {
        use crate::model::Terms;
        let checks = [&CHECK, &crate::catalog::idn_009::CHECK, &crate::catalog::idn_010::CHECK];
        type Break = Box<dyn Fn(&mut Cluster)>;
        let cases: Vec<(&str, Break)> = vec![
            (
                "role assignments denied",
                Box::new(|c: &mut Cluster| {
                    c.entra.role_grants =
                        Field::unknown("roleAssignments", "AuthorizationFailed (HTTP 403) on listRoleAssignments")
                }),
            ),
            (
                "eligibility instances denied",
                Box::new(|c: &mut Cluster| {
                    c.entra.role_grants = Field::unknown(
                        "roleAssignments",
                        "PIM eligibility could not be read: AuthorizationFailed (HTTP 403) on listRoleEligibilityScheduleInstances",
                    )
                }),
            ),
            (
                "a group's role definition denied",
                Box::new(|c: &mut Cluster| {
                    let mut g = grant(aks_admins(), READER, Terms::Permanent);
                    g.role = Field::unknown(g.role.path.clone(), "AuthorizationFailed (HTTP 403) on getRoleDefinition");
                    set_grants(c, vec![g]);
                }),
            ),
            (
                "adminGroupObjectIDs not read",
                Box::new(|c: &mut Cluster| {
                    set_grants(c, vec![]);
                    unknown(&mut c.authn.admin_group_ids);
                }),
            ),
            (
                "the group expansion not read",
                Box::new(|c: &mut Cluster| {
                    unknown(&mut c.entra.groups);
                }),
            ),
        ];
        for (what, break_it) in cases {
            for check in checks {
                let mut c = hardened_aks();
                break_it(&mut c);
                let o = run(check, &c);
                assert_eq!(o.status, Status::Unknown, "{} with {what}: {}", check.meta.id, o.message);
            }
        }
        // A user's unreadable role hides no group.
        let mut c = hardened_aks();
        let mut g = grant(dave(), READER, Terms::Permanent);
        g.role = Field::unknown(g.role.path.clone(), "denied");
        set_grants(&mut c, vec![g]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        activation(&mut c, Some("PT12H"));
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Admin groups allow PIM activations longer than pim_max_activation_hours: aks-admins: activation up to PT12H, longer than 8 h."
        evidence:
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].roleManagementPolicy[member].rules[Expiration_EndUser_Assignment].maximumDuration"
            observed: group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) value=PT12H
        subjects:
          - id: 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c
            label: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)
            status: fail
            reason: "activation up to PT12H, longer than 8 h"
        "#);
    }
}
