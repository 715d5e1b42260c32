//! K8S-003: long-lived service-account token Secrets.

use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::need;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "K8S-003",
        slug: "legacy-service-account-tokens",
        title: "Long-lived service-account token Secrets",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "A Secret of type `kubernetes.io/service-account-token` holds a token that never expires and \
works from anywhere the API server is reachable. Copied into a CI system or a laptop, it is a standing credential \
that no sign-in policy, MFA or audit of the cloud identity sees.",
        remediation: "Delete the token Secrets (`kubectl delete secret <name> -n <namespace>`). Workloads get \
short-lived projected tokens automatically; external systems should authenticate with their cloud identity (Entra \
ID workload identity, IAM roles) or request a bounded token with `kubectl create token --duration`.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
            "https://learn.microsoft.com/azure/aks/concepts-identity",
        ],
        compliance: &["seeds/003 \"don't use SA tokens for authentication\""],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let secrets = match need(&c.data_plane.token_secrets, "The service-account token Secrets") {
        Ok(s) => s,
        Err(o) => return o,
    };
    let mut tally = Tally::default();
    for s in secrets {
        let id = format!("{}/Secret/{}", s.namespace, s.name);
        let account = s.service_account.as_deref().unwrap_or("(no service-account annotation)");
        let why = format!("long-lived token of service account {account}");
        tally.fail(id.clone(), why, vec![Evidence::new(format!("{id}:type"), "kubernetes.io/service-account-token")]);
    }
    tally.outcome(
        "Secret",
        "Long-lived service-account tokens exist",
        "No Secret of type kubernetes.io/service-account-token exists",
        vec![Evidence::of(&c.data_plane.token_secrets)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TokenSecret;
    use crate::testing::*;

    #[test]
    fn decision_table() {
        let o = run(&CHECK, &hardened_aks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.message, "No Secret of type kubernetes.io/service-account-token exists.");
        let mut c = hardened_aks();
        listed(&mut c.data_plane.token_secrets).push(TokenSecret {
            namespace: "ci".into(),
            name: "deployer-token".into(),
            service_account: Some("deployer".into()),
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].id, "ci/Secret/deployer-token");
        unknown(&mut c.data_plane.token_secrets);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
