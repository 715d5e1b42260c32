//! WKL-016: containers that may run as root.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-016",
        slug: "runs-as-root",
        title: "Containers that may run as root",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A process running as UID 0 in a container is root for the kernel it shares with the node: \
any escape, writable host mount or kernel bug it reaches is exploited with full privileges. Images default to \
root unless told otherwise.",
        remediation: "Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (on the pod, or on each \
container), and build images that run as a numeric non-root user.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004", "AzPolicy f06ddb64"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(c, ctx, "Containers that may run as root", "Every container runs as a non-root user", |w| {
        let pod = &w.pod.security;
        let mut found = Vec::new();
        for k in containers(w) {
            // The container's setting overrides the pod's.
            let non_root = k.security.run_as_non_root.or(pod.run_as_non_root);
            let (user, user_path) = match (k.security.run_as_user, pod.run_as_user) {
                (Some(u), _) => (Some(u), container_path(w, k, "securityContext.runAsUser")),
                (None, Some(u)) => (Some(u), w.at("securityContext.runAsUser")),
                (None, None) => (None, container_path(w, k, "securityContext.runAsUser")),
            };
            let non_root_path = match (k.security.run_as_non_root, pod.run_as_non_root) {
                (None, Some(_)) => w.at("securityContext.runAsNonRoot"),
                _ => container_path(w, k, "securityContext.runAsNonRoot"),
            };
            let why = match (non_root, user) {
                (_, Some(0)) => format!("{}: runAsUser 0", k.name),
                (Some(true), Some(_)) => continue,
                (Some(true), None) => format!("{}: runAsNonRoot without a non-zero runAsUser", k.name),
                _ => format!("{}: runAsNonRoot not true", k.name),
            };
            found.push((why.clone(), Evidence::new(non_root_path, shown(&non_root))));
            found.push((String::new(), Evidence::new(user_path, shown(&user))));
        }
        // Two evidence rows per container, one reason.
        let (why, evidence): (Vec<String>, Vec<Evidence>) = found.into_iter().unzip();
        let why: Vec<String> = why.into_iter().filter(|w| !w.is_empty()).collect();
        if why.is_empty() { Verdict::Pass } else { Verdict::Fail(why, evidence) }
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
        edit_container(&mut c, |k| {
            k.security.run_as_non_root = None;
            k.security.run_as_user = None;
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "the pod's settings apply");
        edit_container(&mut c, |k| k.security.run_as_user = Some(0));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("web: runAsUser 0"), "{}", o.message);
        edit_container(&mut c, |k| k.security.run_as_user = None);
        edit_workload(&mut c, |w| w.pod.security.run_as_user = None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "runAsNonRoot alone: the catalog wants a non-zero runAsUser too");
        edit_workload(&mut c, |w| w.pod.security = Default::default());
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
