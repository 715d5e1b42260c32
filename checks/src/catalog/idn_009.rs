//! IDN-009: an admin group's PIM-for-Groups policy (`member` role) does not require approval
//! to activate.

use crate::catalog::entra::{PimVerdict, judge_pim};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-009",
        slug: "pim-activation-without-approval",
        title: "PIM activation of an AKS admin group without approval",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "Without approval, anyone eligible (or anyone who has stolen an eligible admin's session) activates \
cluster admin on their own, at any time. Requiring an approver puts a second person between a compromised account and \
the cluster, and makes every activation a deliberate, reviewed decision.",
        remediation: "In Privileged Identity Management > Groups > the admin group > Settings > Member, enable Require \
approval to activate and select approvers who are not themselves eligible.",
        references: &[
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/groups-role-settings",
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/groups-approval-workflow",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge_pim(
        c,
        "rules[Approval_EndUser_Assignment].setting.isApprovalRequired",
        |p| match p.approval_required {
            Some(true) => (PimVerdict::Pass("activation requires approval".into()), "true".into()),
            Some(false) => (PimVerdict::Fail("activation does not require approval".into()), "false".into()),
            None => (PimVerdict::Fail("the policy has no approval rule".into()), "(absent)".into()),
        },
        [
            "Admin groups can be activated without approval",
            "Whether activating the admin groups requires approval cannot be told",
            "Activating the admin groups requires approval",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn approval(c: &mut Cluster, required: Option<bool>) {
        edit_admin_group(c, |g| {
            let mut p = g.pim_policy.get().cloned().expect("hardened policy");
            p.approval_required = required;
            g.pim_policy = Field::value(g.pim_policy.path.clone(), p, "…");
        });
    }

    #[test]
    fn approval_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
    }

    #[test]
    fn no_approval_fails() {
        let mut c = hardened_aks();
        approval(&mut c, Some(false));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        approval(&mut c, None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.ends_with("value=(absent)"));
    }

    #[test]
    fn unknown_or_no_groups() {
        let mut c = hardened_aks();
        edit_admin_group(&mut c, |g| g.pim_policy = Field::unknown(g.pim_policy.path.clone(), "denied"));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        set_groups(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "the admin group was not read");
        set_grants(&mut c, vec![]);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable, "no group holds admin");
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        approval(&mut c, Some(false));
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Admin groups can be activated without approval: aks-admins: activation does not require approval."
        evidence:
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].roleManagementPolicy[member].rules[Approval_EndUser_Assignment].setting.isApprovalRequired"
            observed: group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) value=false
        subjects:
          - id: 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c
            label: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)
            status: fail
            reason: activation does not require approval
        "#);
    }
}
