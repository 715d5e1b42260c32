//! WKL-009: pods sharing the host's PID or IPC namespace.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-009",
        slug: "host-namespaces-shared",
        title: "Pods sharing the host PID or IPC namespace",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "With `hostPID` a container sees every process on the node and, with enough privilege, can read \
their memory and environment (credentials included) or signal them; with `hostIPC` it can read and write the \
node's shared memory. Both break the isolation between the pod and the node.",
        remediation: "Remove `hostPID: true` and `hostIPC: true` from pod specs. Node-level debugging belongs in \
short-lived `kubectl debug node/…` sessions, not in workloads.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &[
            "seeds/004 \"sensitive host namespaces\"",
            "AzPolicy 47a1ee2f",
            "CIS AKS 4.2.2",
            "CIS AKS 4.2.3",
            "CIS EKS 4.2.2",
            "CIS EKS 4.2.3",
        ],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(c, ctx, "Pods sharing host namespaces", "No pod shares the host PID or IPC namespace", |w| {
        let mut found = Vec::new();
        for (leaf, v) in [("hostPID", w.pod.host_pid), ("hostIPC", w.pod.host_ipc)] {
            if v == Some(true) {
                found.push((format!("{leaf}: true"), Evidence::new(w.at(leaf), "true")));
            }
        }
        Verdict::from_findings(found)
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
        edit_workload(&mut c, |w| w.pod.host_ipc = Some(true));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.evidence[0].path, "shop/Deployment/web:spec.template.spec.hostIPC");
        edit_workload(&mut c, |w| {
            w.pod.host_ipc = Some(false);
            w.pod.host_pid = Some(true);
        });
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
