//! WKL-005: Services listening on ports outside the allowed list.

use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::catalog::workloads::need;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "WKL-005",
        slug: "service-disallowed-port",
        title: "Services listening on ports that are not allowed",
        severity: Severity::Low,
        clouds: &[Cloud::Aks, Cloud::Eks],
        rationale: "Every port a Service exposes is a way in. Keeping Services to an agreed set of ports makes an \
unexpected listener (a debug port, a database exposed through a LoadBalancer) stand out and keeps network rules \
simple to review.",
        remediation: "Expose only the ports the application serves, and list the ports your organisation allows in \
`thresholds.workloads.allowed_service_ports`. Until that list is set this check is not applicable.",
        references: &[
            "https://learn.microsoft.com/azure/defender-for-cloud/kubernetes-workload-protections",
            "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html",
        ],
        compliance: &["seeds/004 \"services listen on allowed ports\"", "AzPolicy 233a2a17"],
    },
    cluster: Some(eval),
    scope: None,
};

fn eval(c: &Cluster, ctx: &Context) -> Outcome {
    let services = match need(&c.data_plane.services, "The cluster's Services") {
        Ok(s) => s,
        Err(o) => return o,
    };
    let Some(allowed) = &ctx.thresholds.workloads.allowed_service_ports else {
        return Outcome::not_applicable(
            "No allowed Service ports are configured (thresholds.workloads.allowed_service_ports): set them to judge Service ports.",
            vec![Evidence::new("thresholds.workloads.allowed_service_ports", "(not set)")],
        );
    };
    let mut tally = Tally::default();
    for s in services {
        // The API server's own Service is not the cluster owner's to choose.
        let api_server = s.namespace == "default" && s.name == "kubernetes";
        if api_server || ctx.thresholds.workloads.exempt(&s.namespace) {
            continue;
        }
        let id = format!("{}/Service/{}", s.namespace, s.name);
        let bad: Vec<(usize, i32)> = s
            .ports
            .iter()
            .enumerate()
            .filter(|(_, p)| !u16::try_from(p.port).is_ok_and(|port| allowed.contains(&port)))
            .map(|(i, p)| (i, p.port))
            .collect();
        if bad.is_empty() {
            tally.pass();
            continue;
        }
        let ports: Vec<String> = bad.iter().map(|(_, p)| p.to_string()).collect();
        let evidence =
            bad.iter().map(|(i, p)| Evidence::new(format!("{id}:spec.ports[{i}].port"), p.to_string())).collect();
        tally.fail(id, format!("port {}", ports.join(", ")), evidence);
    }
    let list: Vec<String> = allowed.iter().map(u16::to_string).collect();
    tally.outcome(
        "Service",
        &format!("Services on ports outside {}", list.join(", ")),
        "Every Service listens only on allowed ports",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServicePort};
    use crate::testing::*;

    #[test]
    fn decision_table() {
        let c = hardened_aks();
        assert_eq!(run(&CHECK, &c).status, Status::Pass);
        let mut c = hardened_aks();
        listed(&mut c.data_plane.services).push(Service {
            namespace: "shop".into(),
            name: "redis".into(),
            kind: Some("LoadBalancer".into()),
            ports: vec![ServicePort { port: 6379, node_port: Some(31000) }],
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.subjects[0].id, "shop/Service/redis");
        assert_eq!(o.evidence[0].path, "shop/Service/redis:spec.ports[0].port");
        unknown(&mut c.data_plane.services);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn not_applicable_until_configured() {
        let mut ctx = ctx();
        ctx.thresholds.workloads.allowed_service_ports = None;
        let o = (CHECK.cluster.unwrap())(&hardened_aks(), &ctx);
        assert_eq!(o.status, Status::NotApplicable);
    }
}
