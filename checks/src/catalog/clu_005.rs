//! CLU-005: control-plane audit logs are not shipped anywhere.

use crate::catalog::prelude::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "CLU-005",
        slug: "control-plane-audit-logs-off",
        title: "Control-plane audit logs off",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "The API server audit log is the only record of who read which Secret, who created a privileged pod, \
or who bound themselves to cluster-admin. Without it, an intrusion cannot be detected, scoped or reconstructed, and on \
EKS the authenticator log is what maps a Kubernetes user back to the IAM principal behind it.",
        remediation: "AKS: `az monitor diagnostic-settings create --name aks-audit --resource <cluster-resource-id> \
--workspace <log-analytics-workspace-id> --logs '[{\"category\":\"kube-audit-admin\",\"enabled\":true}]'` (or the \
`audit` category group). EKS: `aws eks update-cluster-config --name <cluster> --logging \
'{\"clusterLogging\":[{\"types\":[\"audit\",\"authenticator\"],\"enabled\":true}]}'`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/monitor-aks",
            "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
        ],
        compliance: &["CIS EKS 2.1.1", "CIS AKS 2.1.1"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let logs = &c.logging.enabled_categories;
    require!(logs);
    // Absent: nothing enables logging (both clouds default to off).
    let enabled = logs.get().map(Vec::as_slice).unwrap_or_default();
    let has = |name: &str| enabled.iter().any(|c| is_one_of(c, &[name]));
    let evidence = vec![Evidence::of(logs)];
    match c.r#ref.cloud {
        Cloud::Aks => {
            let audit: Vec<&str> = ["kube-audit", "kube-audit-admin"].into_iter().filter(|n| has(n)).collect();
            if !audit.is_empty() {
                return Outcome::pass(
                    format!("A diagnostic setting ships the API server audit log ({}).", audit.join(", ")),
                    evidence,
                );
            }
            if enabled.is_empty() {
                return Outcome::fail(
                    "No diagnostic setting enables kube-audit or kube-audit-admin, so API server requests leave no audit trail.",
                    evidence,
                );
            }
            Outcome::fail(
                format!(
                    "Diagnostic settings ship {} but neither kube-audit nor kube-audit-admin, so API server requests leave no audit trail.",
                    enabled.join(", ")
                ),
                evidence,
            )
        }
        Cloud::Eks => {
            let missing: Vec<&str> = ["audit", "authenticator"].into_iter().filter(|n| !has(n)).collect();
            if missing.is_empty() {
                return Outcome::pass("Control-plane logging ships both the audit and authenticator logs.", evidence);
            }
            let consequence = match missing.as_slice() {
                ["audit"] => "API server requests leave no audit trail",
                ["authenticator"] => "API requests cannot be traced to the IAM principals behind them",
                _ => "API server requests leave no audit trail and cannot be traced to IAM principals",
            };
            Outcome::fail(
                format!("Control-plane logging does not enable {}, so {consequence}.", missing.join(" or ")),
                evidence,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn aks(categories: &[&str]) -> Cluster {
        let mut c = hardened_aks();
        set_list(&mut c.logging.enabled_categories, categories);
        c
    }

    fn eks(types: &[&str]) -> Cluster {
        let mut c = aks(types);
        c.r#ref.cloud = Cloud::Eks;
        c.logging.enabled_categories = Field::value(
            "cluster.logging.clusterLogging",
            types.iter().map(|s| s.to_string()).collect(),
            format!("{types:?}"),
        );
        c
    }

    #[test]
    fn aks_audit_categories_pass() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        assert_eq!(run(&CHECK, &aks(&["kube-audit"])).status, Status::Pass);
        assert_eq!(run(&CHECK, &aks(&["Kube-Audit-Admin"])).status, Status::Pass);
    }

    #[test]
    fn aks_without_audit_fails() {
        let o = run(&CHECK, &aks(&[]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.starts_with("No diagnostic setting enables kube-audit"));
        let o = run(&CHECK, &aks(&["kube-apiserver", "guard"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("kube-apiserver, guard"));
        let mut c = hardened_aks();
        absent(&mut c.logging.enabled_categories);
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn eks_needs_audit_and_authenticator() {
        assert_eq!(run(&CHECK, &eks(&["api", "audit", "authenticator"])).status, Status::Pass);
        let o = run(&CHECK, &eks(&["api", "audit"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("does not enable authenticator"), "{}", o.message);
        assert_eq!(run(&CHECK, &eks(&[])).status, Status::Fail);
    }

    #[test]
    fn uncollected_is_unknown() {
        let mut c = hardened_aks();
        unknown(&mut c.logging.enabled_categories);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &aks(&["kube-apiserver", "guard"])), @r#"
        status: fail
        message: "Diagnostic settings ship kube-apiserver, guard but neither kube-audit nor kube-audit-admin, so API server requests leave no audit trail."
        evidence:
          - path: "diagnosticSettings[*].logs"
            observed: "[\"kube-apiserver\",\"guard\"]"
        "#);
    }

    fn hardened_eks_with(types: &[&str]) -> Cluster {
        let mut c = hardened_eks();
        set_list(&mut c.logging.enabled_categories, types);
        c
    }

    #[test]
    fn eks_decision_table() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let all = ["api", "audit", "authenticator", "controllermanager", "scheduler"];
        assert_eq!(run(&CHECK, &hardened_eks_with(&all)).status, Status::Pass);
        let o = run(&CHECK, &hardened_eks_with(&["api", "audit"]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("does not enable authenticator,"), "{}", o.message);
        let o = run(&CHECK, &hardened_eks_with(&["authenticator"]));
        assert!(o.message.contains("does not enable audit, so API server requests leave no audit trail"));
        let o = run(&CHECK, &hardened_eks_with(&[]));
        assert!(o.message.contains("does not enable audit or authenticator"), "{}", o.message);
        let mut c = hardened_eks();
        absent(&mut c.logging.enabled_categories);
        let o = run(&CHECK, &c);
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (Status::Fail, "(absent)"));
        unknown(&mut c.logging.enabled_categories);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn eks_failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &hardened_eks_with(&["api", "audit"])), @r#"
        status: fail
        message: "Control-plane logging does not enable authenticator, so API requests cannot be traced to the IAM principals behind them."
        evidence:
          - path: cluster.logging.clusterLogging
            observed: "[\"api\",\"audit\"]"
        "#);
    }
}
