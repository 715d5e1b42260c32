//! WKL-013: workloads and objects in the `default` namespace.

use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::add_gaps;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-013",
        slug: "default-namespace-used",
        title: "Workloads and objects in the default namespace",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Namespaces are the unit of RBAC, network policy, quotas and Pod Security admission. Objects \
left in `default` share it with anything else deployed without thought, are often covered by no policy at all, \
and make it hard to tell who owns what.",
        remediation: "Create a namespace per application or team with its own RBAC, network policies, quotas and \
Pod Security level, move workloads, Services, ConfigMaps and Secrets there, and leave `default` with only the \
`kubernetes` Service and `kube-root-ca.crt`.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-isolation",
        ],
        compliance: &["seeds/004", "AzPolicy 9f061a12", "CIS AKS 4.6.3", "CIS EKS 4.5.2"],
    },
    cluster: Some(eval),
    scope: None,
};

const NS: &str = "default";

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let d = &c.data_plane;
    let mut tally = Tally::default();
    let gap = |tally: &mut Tally, what: &str, f_reason: Option<&str>, e: Evidence| {
        tally.gap(format!("{what} could not be listed ({})", f_reason.unwrap_or("absent from what was collected")), e);
    };
    match d.workloads.get() {
        Some(set) => {
            for w in set.items.iter().filter(|w| w.namespace == NS) {
                tally.fail(
                    w.id(),
                    "workload in default".into(),
                    vec![Evidence::new(w.id(), "metadata.namespace = default")],
                );
            }
            add_gaps(&mut tally, set, &d.workloads);
        }
        None => gap(&mut tally, "Workloads", d.workloads.unknown_reason(), Evidence::of(&d.workloads)),
    }
    match d.services.get() {
        Some(list) => {
            for s in list.iter().filter(|s| s.namespace == NS) {
                let id = format!("{NS}/Service/{}", s.name);
                if s.name == "kubernetes" {
                    tally.pass();
                } else {
                    tally.fail(
                        id.clone(),
                        "Service in default".into(),
                        vec![Evidence::new(id, "metadata.namespace = default")],
                    );
                }
            }
        }
        None => gap(&mut tally, "Services", d.services.unknown_reason(), Evidence::of(&d.services)),
    }
    for (field, kind, builtin) in
        [(&d.default_config_maps, "ConfigMap", Some("kube-root-ca.crt")), (&d.default_secrets, "Secret", None)]
    {
        match field.get() {
            Some(names) => {
                for n in names {
                    if Some(n.as_str()) == builtin {
                        tally.pass();
                        continue;
                    }
                    let id = format!("{NS}/{kind}/{n}");
                    tally.fail(
                        id.clone(),
                        format!("{kind} in default"),
                        vec![Evidence::new(id, "metadata.namespace = default")],
                    );
                }
            }
            None => gap(&mut tally, &format!("{kind}s in default"), field.unknown_reason(), Evidence::of(field)),
        }
    }
    tally.outcome(
        "object",
        "Objects in the default namespace",
        "The default namespace holds only the kubernetes Service and kube-root-ca.crt",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        let mut c = hardened_aks();
        edit_workload(&mut c, |w| w.namespace = "default".into());
        listed(&mut c.data_plane.default_secrets).push("db-password".into());
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        let ids: Vec<&str> = o.subjects.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["default/Deployment/web", "default/Secret/db-password"]);
        unknown(&mut c.data_plane.default_config_maps);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "a failure stands even when a list is missing");
        assert!(o.message.contains("Not judged: ConfigMaps in default could not be listed"), "{}", o.message);
        let mut c = hardened_aks();
        unknown(&mut c.data_plane.default_secrets);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown, "Secrets not readable (AKS RBAC Reader)");
    }
}
