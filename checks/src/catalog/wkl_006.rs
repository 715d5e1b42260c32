//! WKL-006: pods on the host network or containers binding host ports.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-006",
        slug: "host-network-or-port",
        title: "Pods using the host network or host ports",
        severity: Severity::High,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A pod on the host network sees and can bind every interface of the node: it can sniff node \
traffic, reach the instance metadata service and the kubelet directly, and bypass network policies. A host port \
exposes the container on the node's address, outside the Service and network-policy model.",
        remediation: "Remove `hostNetwork: true` and `hostPort` from pod specs; expose the workload through a \
Service instead. Keep host networking to node-level system agents in exempt namespaces.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &[
            "seeds/004 \"restrict host networking and ports\"",
            "AzPolicy 82985f06",
            "CIS AKS 4.2.4",
            "CIS EKS 4.2.4",
        ],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    judge_workloads(
        c,
        ctx,
        "Pods on the host network or with host ports",
        "No pod uses the host network or host ports",
        |w| {
            let mut found = Vec::new();
            if w.pod.host_network == Some(true) {
                found.push(("hostNetwork: true".to_string(), Evidence::new(w.at("hostNetwork"), "true")));
            }
            for k in containers(w) {
                for (i, p) in k.ports.iter().enumerate() {
                    if let Some(hp) = p.host_port.filter(|hp| *hp != 0) {
                        let path = container_path(w, k, &format!("ports[{i}].hostPort"));
                        found.push((format!("{}: hostPort {hp}", k.name), Evidence::new(path, hp.to_string())));
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
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let mut c = hardened_eks();
        edit_workload(&mut c, |w| w.pod.host_network = Some(true));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        let mut c = hardened_eks();
        edit_container(&mut c, |k| k.ports[0].host_port = Some(9001));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("web: hostPort 9001"), "{}", o.message);
        edit_container(&mut c, |k| k.ports[0].host_port = Some(0));
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
