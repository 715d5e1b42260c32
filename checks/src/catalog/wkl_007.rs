//! WKL-007: hostPath volumes outside the allowed paths.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-007",
        slug: "host-path-volume",
        title: "Pods mounting host paths that are not allowed",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A hostPath volume gives the container the node's own files: the container runtime socket, \
kubelet credentials, other pods' volumes, or the whole root file system. Write access to most host paths is a \
direct route to taking over the node and every pod on it.",
        remediation: "Replace hostPath volumes with emptyDir, ConfigMap, Secret, projected or CSI volumes. Where a \
node agent truly needs a host directory, run it in an exempt namespace or list the path (and whether it must be \
read-only) in `thresholds.workloads.allowed_host_paths`.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004 \"HostPath volume mounts\"", "AzPolicy 098fc59e"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let allowed = &ctx.thresholds.workloads.allowed_host_paths;
    judge_workloads(c, ctx, "Pods mounting host paths", "No pod mounts a host path that is not allowed", |w| {
        let mut found = Vec::new();
        for v in &w.pod.host_paths {
            let evidence = Evidence::new(w.at(&format!("volumes[{}].hostPath.path", v.name)), v.path.clone());
            let Some(rule) = allowed.iter().find(|a| path_within(&v.path, &a.path_prefix)) else {
                found.push((format!("hostPath {}", v.path), evidence));
                continue;
            };
            if !rule.read_only {
                continue;
            }
            // Allowed read-only: every mount of the volume must say so.
            for k in containers(w) {
                for m in k.host_path_mounts.iter().filter(|m| m.volume == v.name && m.read_only != Some(true)) {
                    let path = container_path(w, k, &format!("volumeMounts[{}].readOnly", m.mount_path));
                    let why = format!("{}: hostPath {} mounted writable", k.name, v.path);
                    found.push((why, Evidence::new(path, shown(&m.read_only))));
                }
            }
        }
        Verdict::from_findings(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::AllowedHostPath;
    use crate::model::{HostPathVolume, Mount};
    use crate::testing::*;

    fn with_host_path(read_only: Option<bool>) -> Cluster {
        let mut c = hardened_aks();
        edit_workload(&mut c, |w| {
            w.pod.host_paths = vec![HostPathVolume { name: "logs".into(), path: "/var/log/pods".into() }];
            w.pod.containers[0].host_path_mounts =
                vec![Mount { volume: "logs".into(), mount_path: "/host-logs".into(), read_only }];
        });
        c
    }

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let c = with_host_path(Some(true));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "no host path is allowed by default");
        assert_eq!(o.evidence[0].path, "shop/Deployment/web:spec.template.spec.volumes[logs].hostPath.path");
        let mut ctx = ctx();
        ctx.thresholds.workloads.allowed_host_paths =
            vec![AllowedHostPath { path_prefix: "/var/log".into(), read_only: true }];
        let eval = CHECK.cluster.unwrap();
        assert_eq!(eval(&c, &ctx).status, Status::Pass);
        assert_eq!(eval(&with_host_path(None), &ctx).status, Status::Fail, "allowed read-only, mounted writable");
        let mut c = with_host_path(Some(true));
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
