//! WKL-014: containers adding CAP_SYS_ADMIN (or every capability).

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-014",
        slug: "cap-sys-admin",
        title: "Containers with CAP_SYS_ADMIN",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "CAP_SYS_ADMIN is the catch-all capability: mounting file systems, configuring namespaces, \
loading BPF programs and much more. Most known container escapes need it; a container holding it is nearly a \
privileged container.",
        remediation: "Remove `SYS_ADMIN` (and `ALL`) from `securityContext.capabilities.add`. If a workload truly \
needs one privileged operation, find the narrower capability or move that operation to a node-level component.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004 \"CAP_SYS_ADMIN\"", "AzPolicy d2e7ea85"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(c, ctx, "Containers adding CAP_SYS_ADMIN", "No container adds CAP_SYS_ADMIN", |w| {
        let found = containers(w)
            .filter(|k| {
                k.security.capabilities_add.iter().any(|a| matches!(capability(a).as_str(), "SYS_ADMIN" | "ALL"))
            })
            .map(|k| {
                let path = container_path(w, k, "securityContext.capabilities.add");
                (
                    format!("{}: adds SYS_ADMIN", k.name),
                    Evidence::new(path, format!("{:?}", k.security.capabilities_add)),
                )
            })
            .collect();
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
        edit_container(&mut c, |k| k.security.capabilities_add = vec!["CAP_SYS_ADMIN".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        edit_container(&mut c, |k| k.security.capabilities_add = vec!["all".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        edit_container(&mut c, |k| k.security.capabilities_add = vec!["NET_ADMIN".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
