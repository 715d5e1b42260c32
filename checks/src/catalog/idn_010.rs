//! IDN-010: an admin group's PIM-for-Groups policy (`member` role) does not require
//! `MultiFactorAuthentication` on activation.

use crate::catalog::entra::{PimVerdict, judge_pim};
use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "IDN-010",
        slug: "pim-activation-without-mfa",
        title: "PIM activation of an AKS admin group without MFA",
        severity: Severity::Low,
        clouds: &[Cloud::Aks],
        rationale: "Activation is the moment an eligible user becomes cluster admin. Requiring multifactor \
authentication at that moment means a session or refresh token stolen from the user's browser is not enough to \
activate: the attacker must also pass a fresh MFA challenge.",
        remediation: "In Privileged Identity Management > Groups > the admin group > Settings > Member, set On activation, \
require: Azure MFA (or a Conditional Access authentication context that requires MFA).",
        references: &[
            "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/groups-role-settings",
            "https://learn.microsoft.com/graph/identity-governance-pim-rules-overview",
        ],
        compliance: &["seeds/000"],
    },
    cluster: Some(eval),
    scope: None,
};

const MFA: &str = "MultiFactorAuthentication";

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    judge_pim(
        c,
        "rules[Enablement_EndUser_Assignment].enabledRules",
        |p| {
            let shown = format!("[{}]", p.activation_rules.join(", "));
            let verdict = if p.activation_rules.iter().any(|r| is_one_of(r, &[MFA])) {
                PimVerdict::Pass("activation requires MFA".into())
            } else {
                PimVerdict::Fail(format!("activation does not require {MFA} (enabledRules {shown})"))
            };
            (verdict, shown)
        },
        [
            "Admin groups can be activated without MFA",
            "Whether activating the admin groups requires MFA cannot be told",
            "Activating the admin groups requires MFA",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn rules(c: &mut Cluster, rules: &[&str]) {
        edit_admin_group(c, |g| {
            let mut p = g.pim_policy.get().cloned().expect("hardened policy");
            p.activation_rules = rules.iter().map(|s| s.to_string()).collect();
            g.pim_policy = Field::value(g.pim_policy.path.clone(), p, "…");
        });
    }

    #[test]
    fn mfa_passes() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        rules(&mut c, &["multifactorauthentication"]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
    }

    #[test]
    fn no_mfa_fails() {
        let mut c = hardened_aks();
        rules(&mut c, &["Justification", "Ticketing"]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("enabledRules [Justification, Ticketing]"));
        rules(&mut c, &[]);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
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
        rules(&mut c, &["Justification"]);
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Admin groups can be activated without MFA: aks-admins: activation does not require MultiFactorAuthentication (enabledRules [Justification])."
        evidence:
          - path: "groups[3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c].roleManagementPolicy[member].rules[Enablement_EndUser_Assignment].enabledRules"
            observed: "group=aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c) value=[Justification]"
        subjects:
          - id: 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c
            label: aks-admins (Group 3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c)
            status: fail
            reason: "activation does not require MultiFactorAuthentication (enabledRules [Justification])"
        "#);
    }
}
