//! WKL-004: Linux containers without an allowed AppArmor profile.

use crate::catalog::eks::wildcard_match;
use crate::catalog::prelude::*;
use crate::catalog::workloads::*;
use crate::model::AppArmorProfile;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-004",
        slug: "apparmor-not-enforced",
        title: "Containers without an allowed AppArmor profile",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "AppArmor confines what a container's processes may do on the node (mounts, raw sockets, writes \
under /proc and /sys) even when they run as root. An `Unconfined` container, or one whose profile is left to the \
node (no profile is applied on nodes without AppArmor, nor ever to privileged containers), has no such fence.",
        remediation: "Set `securityContext.appArmorProfile.type: RuntimeDefault` (or a `Localhost` profile) on the \
pod or each container (Kubernetes 1.30+), or the annotation \
`container.apparmor.security.beta.kubernetes.io/<container>: runtime/default` on older clusters. Never use \
`Unconfined`. Other accepted profiles go in `thresholds.workloads.allowed_apparmor`.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-security",
            "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
        ],
        compliance: &["seeds/004 \"allowed AppArmor profiles\"", "AzPolicy 511f5417"],
    },
    cluster: Some(eval),
    scope: None,
};

/// The profile in effect and where it was set: the container's field, its legacy annotation,
/// then the pod's field.
fn effective(w: &crate::model::Workload, k: &crate::model::Container) -> Option<(String, String)> {
    if let Some(p) = &k.security.apparmor {
        return Some((p.as_annotation(), container_path(w, k, "securityContext.appArmorProfile")));
    }
    if let Some(a) = &k.apparmor_annotation {
        let path =
            format!("{}:metadata.annotations[container.apparmor.security.beta.kubernetes.io/{}]", w.id(), k.name);
        return Some((a.trim().to_string(), path));
    }
    w.pod
        .security
        .apparmor
        .as_ref()
        .map(|p: &AppArmorProfile| (p.as_annotation(), w.at("securityContext.appArmorProfile")))
}

fn allowed(profile: &str, list: &[String]) -> bool {
    let norm = |p: &str| match p.trim() {
        "RuntimeDefault" => "runtime/default".to_string(),
        "Unconfined" => "unconfined".to_string(),
        other => other.to_string(),
    };
    let profile = norm(profile);
    list.iter().any(|a| wildcard_match(&norm(a), &profile))
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let list = &ctx.thresholds.workloads.allowed_apparmor;
    let fail = "Containers without an allowed AppArmor profile";
    judge_workloads(c, ctx, fail, "Every Linux container runs an allowed AppArmor profile", |w| {
        if w.pod.is_windows() {
            return Verdict::NotApplicable;
        }
        let mut found = Vec::new();
        for k in containers(w) {
            match effective(w, k) {
                Some((p, path)) if p.eq_ignore_ascii_case("unconfined") => {
                    found.push((format!("{}: Unconfined", k.name), Evidence::new(path, p)));
                }
                Some((p, path)) if !allowed(&p, list) => {
                    found.push((format!("{}: profile {p} not allowed", k.name), Evidence::new(path, p)));
                }
                Some(_) => {}
                None => {
                    let path = container_path(w, k, "securityContext.appArmorProfile");
                    found.push((format!("{}: no AppArmor profile set", k.name), Evidence::new(path, "(absent)")));
                }
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
        edit_container(&mut c, |k| {
            k.security.apparmor = None;
            k.apparmor_annotation = Some("runtime/default".into());
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "legacy annotation");
        edit_container(&mut c, |k| k.apparmor_annotation = Some("localhost/k8s-nginx".into()));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "localhost/* allowed");
        edit_container(&mut c, |k| k.apparmor_annotation = Some("unconfined".into()));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        edit_container(&mut c, |k| k.apparmor_annotation = None);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "no profile: the node decides");
        assert!(o.message.contains("no AppArmor profile set"), "{}", o.message);
        edit_workload(&mut c, |w| {
            w.pod.security.apparmor = Some(AppArmorProfile { kind: "RuntimeDefault".into(), localhost_profile: None })
        });
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "pod-level profile");
        edit_container(&mut c, |k| {
            k.security.apparmor = Some(AppArmorProfile { kind: "Unconfined".into(), localhost_profile: None })
        });
        assert_eq!(run(&CHECK, &c).status, Status::Fail, "the container's field wins");
        edit_workload(&mut c, |w| w.pod.os = Some("windows".into()));
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "Windows pods: not applicable");
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
