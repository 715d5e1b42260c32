//! WKL-015: privileged containers.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-015",
        slug: "privileged-container",
        title: "Privileged containers",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A privileged container has every capability, all host devices and no seccomp or AppArmor \
confinement: root in it is root on the node. Anyone who compromises it owns the node, its kubelet credentials and \
every pod scheduled there.",
        remediation: "Remove `securityContext.privileged: true`. Grant the specific capability a workload needs \
instead, and keep genuinely privileged node agents in exempt system namespaces.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004", "AzPolicy 95edb821", "CIS AKS 4.2.1", "CIS EKS 4.2.1"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(c, ctx, "Privileged containers", "No container is privileged", |w| {
        let found = containers(w)
            .filter(|k| k.security.privileged == Some(true))
            .map(|k| {
                let path = container_path(w, k, "securityContext.privileged");
                (format!("{}: privileged", k.name), Evidence::new(path, "true"))
            })
            .collect();
        Verdict::from_findings(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, ContainerList};
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        edit_workload(&mut c, |w| {
            let mut init: Container = hardened_container("setup", "contosoacr.azurecr.io/setup:1");
            init.list = ContainerList::InitContainers;
            init.security.privileged = Some(true);
            w.pod.containers.push(init);
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "init containers count");
        assert_eq!(
            o.evidence[0].path,
            "shop/Deployment/web:spec.template.spec.initContainers[setup].securityContext.privileged"
        );
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
