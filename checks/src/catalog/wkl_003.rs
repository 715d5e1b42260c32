//! WKL-003: containers that keep the default capabilities or add ones not allowed.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-003",
        slug: "capabilities-not-dropped",
        title: "Containers not limited to the Linux capabilities they need",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Container runtimes grant a default set of Linux capabilities (NET_RAW, CHOWN, SETUID, DAC_OVERRIDE \
and more) that most applications never use but that an attacker in the container can: NET_RAW alone allows ARP and \
DNS spoofing on the node network. Dropping ALL and adding back only what is needed removes that surface.",
        remediation: "Set `securityContext.capabilities.drop: [ALL]` on every container and add back only the \
capabilities the application needs (usually none; `NET_BIND_SERVICE` to bind ports below 1024). Capabilities the \
organisation accepts go in `thresholds.workloads.allowed_capabilities`.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://learn.microsoft.com/azure/aks/developer-best-practices-pod-security",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004 \"least privileged Linux capabilities\"", "AzPolicy c26596ff"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let allowed: Vec<String> = ctx.thresholds.workloads.allowed_capabilities.iter().map(|n| capability(n)).collect();
    let fail = "Containers that do not drop ALL capabilities or add capabilities not allowed";
    judge_workloads(c, ctx, fail, "Every container drops ALL capabilities and adds only allowed ones", |w| {
        if w.pod.is_windows() {
            return Verdict::NotApplicable;
        }
        let mut found = Vec::new();
        for k in containers(w) {
            let s = &k.security;
            if !s.capabilities_drop.iter().any(|d| capability(d) == "ALL") {
                let path = container_path(w, k, "securityContext.capabilities.drop");
                let seen = if s.capabilities_drop.is_empty() {
                    "(absent)".into()
                } else {
                    format!("{:?}", s.capabilities_drop)
                };
                found.push((format!("{}: does not drop ALL", k.name), Evidence::new(path, seen)));
            }
            let extra: Vec<&String> = s.capabilities_add.iter().filter(|a| !allowed.contains(&capability(a))).collect();
            if !extra.is_empty() {
                let path = container_path(w, k, "securityContext.capabilities.add");
                let names: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
                found.push((
                    format!("{}: adds {}", k.name, names.join(", ")),
                    Evidence::new(path, format!("{:?}", s.capabilities_add)),
                ));
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
        edit_container(&mut c, |k| k.security.capabilities_add = vec!["net_bind_service".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "allowed by default, any spelling");
        edit_container(&mut c, |k| k.security.capabilities_add = vec!["CAP_NET_ADMIN".into()]);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("adds CAP_NET_ADMIN"), "{}", o.message);
        let mut c = hardened_aks();
        edit_container(&mut c, |k| k.security.capabilities_drop = vec!["NET_RAW".into()]);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        edit_workload(&mut c, |w| w.pod.os = Some("windows".into()));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "Windows pods have no Linux capabilities");
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
