//! WKL-011: Ingress rules served without TLS.

use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::need;
use crate::model::Ingress;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-011",
        slug: "service-not-https",
        title: "Ingresses serving hosts without TLS",
        severity: Severity::Medium,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "An Ingress rule whose host has no TLS entry is served over plain HTTP: credentials, session \
cookies and data cross the network readable and modifiable by anyone on the path.",
        remediation: "Give every Ingress a `spec.tls` entry covering each host of its rules (a certificate from \
cert-manager, Key Vault or ACM), and configure the controller to redirect HTTP to HTTPS.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html",
        ],
        compliance: &["seeds/004 \"HTTPS only\"", "AzPolicy 1a5b4dca"],
    },
    cluster: Some(eval),
    scope: None,
};

/// A TLS host covers `host` exactly, or as a wildcard for one more label (`*.example.com`).
fn covers(tls_host: &str, host: &str) -> bool {
    let (t, h) = (tls_host.trim().to_ascii_lowercase(), host.trim().to_ascii_lowercase());
    if t == h {
        return true;
    }
    match (t.strip_prefix("*."), h.split_once('.')) {
        (Some(suffix), Some((label, rest))) => !label.is_empty() && !label.contains('*') && rest == suffix,
        _ => false,
    }
}

/// The rules (by index, host) no TLS entry covers; a TLS entry without hosts covers them all.
fn uncovered(i: &Ingress) -> Vec<(String, String)> {
    if i.tls.iter().any(|t| t.is_empty()) {
        return vec![];
    }
    let mut out = Vec::new();
    for (n, host) in i.rules.iter().enumerate() {
        let ok = match host.as_deref().filter(|h| !h.trim().is_empty()) {
            Some(h) => i.tls.iter().flatten().any(|t| covers(t, h)),
            None => false,
        };
        if !ok {
            out.push((format!("spec.rules[{n}].host"), host.clone().unwrap_or_else(|| "(any host)".into())));
        }
    }
    if i.rules.is_empty() && i.default_backend && i.tls.is_empty() {
        out.push(("spec.defaultBackend".into(), "(any host)".into()));
    }
    out
}

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let ingresses = match need(&c.data_plane.ingresses, "The cluster's Ingresses") {
        Ok(i) => i,
        Err(o) => return o,
    };
    let mut tally = Tally::default();
    for i in ingresses.iter().filter(|i| !ctx.thresholds.workloads.exempt(&i.namespace)) {
        let id = format!("{}/Ingress/{}", i.namespace, i.name);
        let bad = uncovered(i);
        if bad.is_empty() {
            tally.pass();
            continue;
        }
        let hosts: Vec<&str> = bad.iter().map(|(_, h)| h.as_str()).collect();
        let why = format!("no TLS for {}", hosts.join(", "));
        let mut evidence: Vec<Evidence> =
            bad.iter().map(|(p, h)| Evidence::new(format!("{id}:{p}"), h.clone())).collect();
        evidence.push(Evidence::new(format!("{id}:spec.tls"), format!("{:?}", i.tls)));
        tally.fail(id, why, evidence);
    }
    tally.outcome("Ingress", "Ingresses serving hosts without TLS", "Every Ingress host is covered by TLS", vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn tls_coverage() {
        assert!(covers("*.contoso.com", "shop.contoso.com"));
        assert!(!covers("*.contoso.com", "a.shop.contoso.com"));
        assert!(!covers("*.contoso.com", "contoso.com"));
        assert!(covers("Shop.Contoso.com", "shop.contoso.com"));
    }

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_aks()).status, Status::Pass);
        let mut c = hardened_aks();
        listed(&mut c.data_plane.ingresses)[0].rules.push(Some("admin.contoso.com".into()));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("no TLS for admin.contoso.com"), "{}", o.message);
        listed(&mut c.data_plane.ingresses)[0].rules = vec![None];
        assert_eq!(run(&CHECK, &c).status, Status::Fail, "a rule for any host needs a host-less TLS entry");
        listed(&mut c.data_plane.ingresses)[0].tls = vec![vec![]];
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        unknown(&mut c.data_plane.ingresses);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }
}
