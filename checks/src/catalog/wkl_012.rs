//! WKL-012: pods that mount a service-account token they do not need.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;
use crate::model::ServiceAccount;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-012",
        slug: "api-credential-automount",
        title: "Pods with an automounted API credential",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Every pod gets a token for its service account mounted at a well-known path unless it opts out. \
Most applications never call the Kubernetes API, but an attacker who compromises one can use that token to query \
or change the cluster with whatever the service account was granted.",
        remediation: "Set `automountServiceAccountToken: false` on the pod spec, or on its ServiceAccount, for every \
workload that does not call the Kubernetes API; workloads that do should use their own service account with only \
the permissions they need.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        ],
        compliance: &["seeds/004", "seeds/003", "AzPolicy 423dd1ba", "CIS AKS 4.1.6", "CIS EKS 4.1.6"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let accounts: Result<&Vec<ServiceAccount>, String> = match &c.data_plane.service_accounts {
        f if f.get().is_some() => Ok(f.get().expect("checked")),
        f => Err(f.unknown_reason().unwrap_or("absent from what was collected").to_string()),
    };
    let fail = "Pods that automount a service-account token";
    judge_workloads(c, ctx, fail, "No pod automounts a service-account token", |w| {
        let pod_path = w.at("automountServiceAccountToken");
        match w.pod.automount_token {
            Some(false) => return Verdict::Pass,
            Some(true) => {
                return Verdict::Fail(
                    vec!["automountServiceAccountToken: true".into()],
                    vec![Evidence::new(pod_path, "true")],
                );
            }
            None => {}
        }
        let name = w.pod.service_account.as_deref().filter(|n| !n.is_empty()).unwrap_or("default");
        let sa_id = format!("{}/ServiceAccount/{name}", w.namespace);
        let sa_path = format!("{sa_id}:automountServiceAccountToken");
        let accounts = match &accounts {
            Ok(a) => a,
            Err(why) => {
                let why = format!("service account {name} not read: {why}");
                return Verdict::Unknown(why, vec![Evidence::new(pod_path, "(absent)")]);
            }
        };
        match accounts.iter().find(|s| s.namespace == w.namespace && s.name == name) {
            Some(sa) if sa.automount_token == Some(false) => Verdict::Pass,
            Some(sa) => Verdict::Fail(
                vec![format!("token of service account {name} automounted")],
                vec![Evidence::new(pod_path, "(absent)"), Evidence::new(sa_path, shown(&sa.automount_token))],
            ),
            None => Verdict::Unknown(
                format!("service account {name} does not exist"),
                vec![Evidence::new(pod_path, "(absent)"), Evidence::new(sa_id, "(not found)")],
            ),
        }
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
        edit_workload(&mut c, |w| w.pod.automount_token = None);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "the service account opts out");
        listed(&mut c.data_plane.service_accounts)[1].automount_token = None;
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("token of service account web automounted"), "{}", o.message);
        edit_workload(&mut c, |w| w.pod.service_account = Some("ghost".into()));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        unknown(&mut c.data_plane.service_accounts);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
        edit_workload(&mut c, |w| w.pod.automount_token = Some(true));
        assert_eq!(run(&CHECK, &c).status, Status::Fail, "the pod's own setting needs no service account");
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
