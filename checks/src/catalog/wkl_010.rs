//! WKL-010: containers with a writable root file system.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-010",
        slug: "root-filesystem-writable",
        title: "Containers with a writable root file system",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A writable root file system lets an attacker who gets code execution drop tools, replace \
binaries or persist changes in the container. An immutable one forces any writes into declared volumes, which are \
easy to review and to mount `noexec`.",
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an emptyDir \
where the application needs to write (`/tmp`, caches).",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004", "AzPolicy df49d893"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let fail = "Containers without readOnlyRootFilesystem: true";
    judge_workloads(c, ctx, fail, "Every container has a read-only root file system", |w| {
        containers_without(w, "readOnlyRootFilesystem", true, |k| k.security.read_only_root_filesystem)
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
        edit_container(&mut c, |k| k.security.read_only_root_filesystem = Some(false));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        edit_container(&mut c, |k| k.security.read_only_root_filesystem = None);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
