//! WKL-002: images from registries outside the allowed list.

use crate::catalog::prelude::*;
use crate::catalog::workloads::*;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-002",
        slug: "untrusted-registry",
        title: "Images from registries that are not trusted",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "An image pulled from a public or unknown registry runs whatever its publisher put in it, \
unscanned and unsigned by your pipeline; a typo-squatted or hijacked repository becomes code running in your \
cluster. Allowing only your own registries (Azure Container Registry, Amazon ECR) keeps every image behind your \
scanning and promotion process.",
        remediation: "Mirror third-party images into your own registry and reference them there. List the registries \
you trust in the config file (`thresholds.workloads.allowed_registries`, e.g. `myacr.azurecr.io` or \
`111122223333.dkr.ecr.*.amazonaws.com`) and enforce the same list at admission with the Azure Policy add-on \
(AKS) or Kyverno or Gatekeeper (EKS).",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
        ],
        compliance: &["seeds/004 \"trusted registries\"", "AzPolicy febd0533", "CIS EKS 5.1.4"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    // What could not be read says so first; then whether there is a list to judge against.
    if let Err(o) = workloads(c) {
        return o;
    }
    let Some(allowed) = &ctx.thresholds.workloads.allowed_registries else {
        return Outcome::unknown_because(
            "No trusted registries are configured: configure allowed_registries (thresholds.workloads.allowed_registries in the config file) to judge where images come from.",
            vec![Evidence::new("thresholds.workloads.allowed_registries", "(not set)")],
        );
    };
    let fail = format!("Images from registries outside {}", allowed.join(", "));
    judge_workloads(c, ctx, &fail, "Every image comes from an allowed registry", |w| {
        let mut found = Vec::new();
        for k in containers(w) {
            let path = container_path(w, k, "image");
            match k.image.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
                Some(image) if registry_allowed(image, allowed) => {}
                Some(image) => found.push((format!("{}: {image}", k.name), Evidence::new(path, image))),
                None => {
                    return Verdict::Unknown(format!("{}: no image", k.name), vec![Evidence::new(path, "(absent)")]);
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
        edit_container(&mut c, |k| k.image = Some("redis:latest".into()));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("web: redis:latest"), "{}", o.message);
        edit_container(&mut c, |k| k.image = None);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_aks();
        unknown(&mut c.data_plane.workloads);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn unconfigured_is_unknown_not_pass() {
        let mut ctx = ctx();
        ctx.thresholds.workloads.allowed_registries = None;
        let o = (CHECK.cluster.unwrap())(&hardened_aks(), &ctx);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("configure allowed_registries"), "{}", o.message);
        ctx.thresholds.workloads.allowed_registries = Some(vec![]);
        assert_eq!((CHECK.cluster.unwrap())(&hardened_aks(), &ctx).status, Status::Fail);
    }
}
