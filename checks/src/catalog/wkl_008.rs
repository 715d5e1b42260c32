//! WKL-008: containers that may gain privileges (no `allowPrivilegeEscalation: false`).

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-008",
        slug: "privilege-escalation-allowed",
        title: "Containers allowing privilege escalation",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Unless `allowPrivilegeEscalation` is false, a process in the container can gain more privileges \
than its parent (setuid binaries, file capabilities): a non-root foothold becomes root inside the container, one \
step closer to the node.",
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container (it is not inherited \
from the pod). The setting is implied for privileged containers and those with CAP_SYS_ADMIN, which fail here too.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004", "AzPolicy 1c6e92c9", "CIS AKS 4.2.5", "CIS EKS 4.2.5"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let fail = "Containers without allowPrivilegeEscalation: false";
    judge_workloads(c, ctx, fail, "Every container sets allowPrivilegeEscalation: false", |w| {
        containers_without(w, "allowPrivilegeEscalation", false, |k| k.security.allow_privilege_escalation)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        edit_container(&mut c, |k| k.security.allow_privilege_escalation = None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "absent means allowed");
        assert_eq!(o.evidence[0].observed, "(absent)");
        edit_container(&mut c, |k| k.security.allow_privilege_escalation = Some(true));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
