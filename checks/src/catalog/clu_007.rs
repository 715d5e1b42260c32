//! CLU-007: Microsoft Defender for Containers runtime monitoring is off.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-007",
        slug: "defender-disabled",
        title: "Defender for Containers disabled",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks],
        rationale: "The Defender sensor watches node and container runtime activity and the control-plane audit stream \
for attack behaviour: crypto miners, reverse shells, access to the metadata endpoint, privileged pod creation. Without \
it, a compromise inside the cluster raises no alert, and Defender's workload hardening recommendations are not \
assessed.",
        remediation: "Enable the Defender for Containers plan (`az security pricing create -n Containers --tier Standard`) \
and the sensor on the cluster: `az aks update -g <rg> -n <cluster> --enable-defender`.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-introduction",
            "https://learn.microsoft.com/azure/defender-for-cloud/tutorial-enable-containers-azure",
        ],
        compliance: &["seeds/004", "AzPolicy a1840de2"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Absent: the Defender profile is not configured.
    must_be_true(
        &c.protection.defender,
        "Defender for Containers security monitoring is enabled.",
        "Defender for Containers security monitoring is not enabled, so runtime attacks in the cluster raise no alert.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_true_setting(&CHECK, |c| &mut c.protection.defender);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_aks();
        c.protection.defender = Field::absent("properties.securityProfile.defender");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Defender for Containers security monitoring is not enabled, so runtime attacks in the cluster raise no alert."
        evidence:
          - path: properties.securityProfile.defender
            observed: (absent)
        "#);
    }
}
