//! WKL-001: a container without CPU or memory limits.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-001",
        slug: "container-resource-limits",
        title: "Containers without CPU and memory limits",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A container without a memory limit can take all of its node's memory and have the kernel kill \
other pods; one without a CPU limit can starve them. A compromised or runaway workload then becomes a denial of \
service for everything scheduled beside it, including system pods.",
        remediation: "Set `resources.limits.cpu` and `resources.limits.memory` on every container and init \
container (and requests to match), or give each namespace a LimitRange with defaults. Enforce it with the Azure \
Policy add-on (AKS) or an admission policy such as Kyverno or Gatekeeper (EKS).",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://learn.microsoft.com/azure/aks/developer-best-practices-resource-management",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004 \"CPU and memory limits\"", "AzPolicy e345eecc"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(
        c,
        ctx,
        "Containers without CPU or memory limits",
        "Every container sets CPU and memory limits",
        |w| {
            let mut found = Vec::new();
            for k in running_containers(w) {
                for (leaf, v) in [("cpu", &k.limits_cpu), ("memory", &k.limits_memory)] {
                    if v.as_deref().is_none_or(|v| v.trim().is_empty()) {
                        let path = container_path(w, k, &format!("resources.limits.{leaf}"));
                        found.push((format!("{}: no {leaf} limit", k.name), Evidence::new(path, shown(v))));
                    }
                }
            }
            Verdict::from_findings(found)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        edit_container(&mut c, |k| k.limits_memory = None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].id, "shop/Deployment/web");
        assert_eq!(
            o.evidence[0].path,
            "shop/Deployment/web:spec.template.spec.containers[web].resources.limits.memory"
        );
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn exempt_namespaces_are_left_out() {
        let mut c = hardened_aks();
        edit_workload(&mut c, |w| {
            w.namespace = "kube-system".into();
            w.pod.containers[0].limits_cpu = None;
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert_eq!(o.message, "Every container sets CPU and memory limits.");
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        edit_container(&mut c, |k| {
            k.limits_cpu = None;
            k.limits_memory = None;
        });
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Containers without CPU or memory limits: 1 workload of 1: shop/Deployment/web (web: no cpu limit, web: no memory limit)."
        evidence:
          - path: "shop/Deployment/web:spec.template.spec.containers[web].resources.limits.cpu"
            observed: (absent)
          - path: "shop/Deployment/web:spec.template.spec.containers[web].resources.limits.memory"
            observed: (absent)
        subjects:
          - id: shop/Deployment/web
            label: shop/Deployment/web
            status: fail
            reason: "web: no cpu limit, web: no memory limit"
        "#);
    }
}
