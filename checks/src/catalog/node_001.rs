//! NODE-001: pods can fetch the node's instance-profile credentials from IMDS.

use crate::catalog::prelude::*;
use crate::model::{Imds, NodePool};
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NODE-001",
        slug: "node-credentials-reachable-from-pods",
        title: "Node credentials reachable from pods through IMDS",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "The node's IAM role can pull every image, describe and attach network interfaces and often much \
more. When the instance metadata service accepts IMDSv1 requests, or answers IMDSv2 token requests more than one \
network hop away, any pod (including one exploited through an SSRF bug) can read the node role's credentials and act \
as the node in the AWS account, bypassing IRSA and EKS Pod Identity scoping.",
        remediation: "Require IMDSv2 and a hop limit of 1 in the node group's launch template: `aws ec2 \
create-launch-template-version --launch-template-id <lt-id> --source-version <n> --launch-template-data \
'{\"MetadataOptions\":{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":1}}'`, then `aws eks \
update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup> --launch-template \
id=<lt-id>,version=<new>`. Running instances can be fixed in place with `aws ec2 modify-instance-metadata-options \
--instance-id <id> --http-tokens required --http-put-response-hop-limit 1`. Give pods that need AWS access their own \
role through IRSA or EKS Pod Identity.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
            "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html",
        ],
        compliance: &["EKS-BP \"Restrict access to the instance profile assigned to the worker node\""],
    },
    cluster: Some(eval),
    scope: None,
};

/// How one metadata-options source exposes the node's credentials.
struct SourceVerdict {
    /// Why pods can reach the credentials; empty when they cannot.
    problems: Vec<String>,
    /// What the source leaves to defaults this check cannot see.
    undetermined: Option<String>,
    evidence: Vec<Evidence>,
}

fn judge(imds: &Imds) -> SourceVerdict {
    let at = |name: &str| format!("{}.{name}", imds.source);
    if imds.endpoint.as_deref().is_some_and(|e| e.trim().eq_ignore_ascii_case("disabled")) {
        // No metadata service at all: no credentials to fetch.
        let evidence = vec![Evidence::new(at("HttpEndpoint"), "disabled")];
        return SourceVerdict { problems: vec![], undetermined: None, evidence };
    }
    let mut problems = Vec::new();
    let tokens = match imds.http_tokens.as_deref().map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("required") => t.to_string(),
        Some(t) => {
            problems.push(format!("HttpTokens is {t}, so IMDSv1 requests need no token"));
            t.to_string()
        }
        None => {
            problems.push("HttpTokens is not set (the EC2 default is optional: IMDSv1 answers)".to_string());
            "(absent: EC2 default is optional unless the AMI requires IMDSv2)".to_string()
        }
    };
    let mut undetermined = None;
    let hops = match imds.hop_limit {
        Some(n) if n > 1 => {
            problems.push(format!("HttpPutResponseHopLimit is {n}, so IMDSv2 tokens reach pods"));
            n.to_string()
        }
        Some(n) => n.to_string(),
        None => {
            // Not a pass: AL2023 AMIs (ImdsSupport v2.0) and account IMDS defaults make it 2.
            undetermined =
                Some(format!("{} leaves HttpPutResponseHopLimit to the AMI's or account's default", imds.source));
            "(absent: the AMI's or account's default applies, 2 for AL2023 AMIs)".to_string()
        }
    };
    let evidence = vec![Evidence::new(at("HttpTokens"), tokens), Evidence::new(at("HttpPutResponseHopLimit"), hops)];
    SourceVerdict { problems, undetermined, evidence }
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let field = &c.node_pools;
    require!(field);
    let Some(pools) = field.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so the nodes' metadata options cannot be judged.", field.path),
            vec![Evidence::of(field)],
        );
    };
    // Access entries and Auto Mode's computeConfig name a node role, not nodes: there is no
    // metadata service to judge.
    let pools: Vec<&NodePool> = pools.iter().filter(|p| p.kind.has_nodes()).collect();
    if pools.is_empty() {
        return Outcome::not_applicable(
            "The cluster has no nodes of any kind (no managed node group, and no self-managed, Karpenter or Auto Mode instance tagged for it), so no node credentials are exposed to pods.",
            vec![Evidence::of(field)],
        );
    }
    let (mut failing, mut fail_evidence) = (Vec::new(), Vec::new());
    let (mut undetermined, mut unknown_evidence): (Vec<String>, Vec<Evidence>) = (Vec::new(), Vec::new());
    let (mut pass_evidence, mut subjects) = (Vec::new(), Vec::new());
    for pool in &pools {
        let label = pool.kind.describe(&pool.name);
        match judge_pool(pool) {
            PoolVerdict::Fail(problems, evidence) => {
                subjects.push(Subject::new(&pool.path, &label, Status::Fail, problems.join("; ")));
                failing.extend(problems);
                fail_evidence.extend(evidence);
            }
            PoolVerdict::Undetermined(why, evidence) => {
                subjects.push(Subject::new(&pool.path, &label, Status::Unknown, &why));
                undetermined.push(why);
                unknown_evidence.push(evidence);
            }
            PoolVerdict::Pass(evidence) => {
                subjects.push(Subject::new(&pool.path, &label, Status::Pass, "IMDSv2 required, hop limit 1"));
                pass_evidence.extend(evidence);
            }
        }
    }
    if !failing.is_empty() {
        return Outcome::fail(
            format!("Pods can fetch the node role's credentials from IMDS: {}.", failing.join("; ")),
            fail_evidence,
        )
        .with_subjects(subjects);
    }
    if !undetermined.is_empty() {
        return Outcome::unknown_because(
            format!("The metadata options of these nodes could not be judged: {}.", undetermined.join("; ")),
            unknown_evidence,
        )
        .with_subjects(subjects);
    }
    let names: Vec<String> = pools.iter().map(|p| p.kind.describe(&p.name)).collect();
    Outcome::pass(
        format!(
            "Every node requires IMDSv2 with a hop limit of 1, or disables IMDS, so pods cannot fetch node credentials: {}.",
            names.join(", ")
        ),
        pass_evidence,
    )
    .with_subjects(subjects)
}

enum PoolVerdict {
    /// `node group via source: problems` for each failing source, and their evidence.
    Fail(Vec<String>, Vec<Evidence>),
    /// Why the pool could not be judged, and the field that says so.
    Undetermined(String, Evidence),
    Pass(Vec<Evidence>),
}

fn judge_pool(pool: &NodePool) -> PoolVerdict {
    let field = &pool.imds;
    let label = pool.kind.describe(&pool.name);
    let sources = match field.get() {
        Some(s) if !s.is_empty() => s,
        Some(_) => {
            return PoolVerdict::Undetermined(
                format!("{label}: no launch template version or instance reported metadata options"),
                Evidence::of(field),
            );
        }
        None => {
            let why = field.unknown_reason().unwrap_or("metadata options absent from the response");
            return PoolVerdict::Undetermined(format!("{label}: {why}"), Evidence::of(field));
        }
    };
    let (mut problems, mut bad_evidence, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
    let mut undetermined = None;
    for imds in sources {
        let v = judge(imds);
        if v.problems.is_empty() {
            undetermined = undetermined.or(v.undetermined.map(|why| (why, v.evidence[1].clone())));
            evidence.extend(v.evidence);
        } else {
            problems.push(format!("{label} via {}: {}", imds.source, v.problems.join(" and ")));
            bad_evidence.extend(v.evidence);
        }
    }
    match (problems.is_empty(), undetermined) {
        (false, _) => PoolVerdict::Fail(problems, bad_evidence),
        (true, Some((why, e))) => PoolVerdict::Undetermined(format!("{label}: {why}"), e),
        (true, None) => PoolVerdict::Pass(evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::model::NodeKind;
    use crate::testing::*;

    const LT: &str = "launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions";

    fn imds(source: &str, tokens: Option<&str>, hops: Option<i64>, endpoint: Option<&str>) -> Imds {
        Imds {
            source: source.into(),
            http_tokens: tokens.map(Into::into),
            hop_limit: hops,
            endpoint: endpoint.map(Into::into),
        }
    }

    /// The hardened cluster with its one node group's metadata sources replaced.
    fn with_sources(sources: Vec<Imds>) -> Cluster {
        let mut c = hardened_eks();
        let mut pools = c.node_pools.get().cloned().expect("pools");
        pools[0].imds = Field::value(pools[0].imds.path.clone(), sources, "test");
        c.node_pools = Field::value(c.node_pools.path.clone(), pools, "1 node group");
        c
    }

    fn second_pool(c: &mut Cluster, imds: Field<Vec<Imds>>) {
        let mut pools = c.node_pools.get().cloned().expect("pools");
        let mut p = pools[0].clone();
        p.name = "ng-batch".into();
        p.path = "nodegroups[ng-batch]".into();
        p.imds = imds;
        pools.push(p);
        c.node_pools = Field::value(c.node_pools.path.clone(), pools, "2 node groups");
    }

    #[test]
    fn imdsv2_with_one_hop_passes() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence[0], Evidence::new(format!("{LT}.HttpTokens"), "required"));
    }

    #[test]
    fn optional_tokens_fail_naming_group_and_source() {
        let o = run(&CHECK, &with_sources(vec![imds(LT, Some("optional"), Some(1), Some("enabled"))]));
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains(&format!("node group ng-general via {LT}: HttpTokens is optional")),
            "{}",
            o.message
        );
        assert_eq!(o.evidence[0], Evidence::new(format!("{LT}.HttpTokens"), "optional"));
    }

    #[test]
    fn absent_tokens_fail_and_say_why() {
        let o = run(&CHECK, &with_sources(vec![imds(LT, None, Some(1), None)]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence[0].observed.contains("EC2 default is optional unless the AMI requires IMDSv2"));
    }

    #[test]
    fn hop_limit_above_one_fails_absent_is_not_a_pass() {
        let o = run(&CHECK, &with_sources(vec![imds(LT, Some("required"), Some(2), Some("enabled"))]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("HttpPutResponseHopLimit is 2"), "{}", o.message);
        let o = run(&CHECK, &with_sources(vec![imds(LT, Some("required"), None, None)]));
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        assert!(o.message.contains("leaves HttpPutResponseHopLimit"), "{}", o.message);
        assert!(o.evidence[0].observed.starts_with("(absent: the AMI's or account's default"), "{:?}", o.evidence);
    }

    #[test]
    fn disabled_endpoint_passes_whatever_else_is_set() {
        let o = run(&CHECK, &with_sources(vec![imds(LT, Some("optional"), Some(3), Some("disabled"))]));
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.evidence, vec![Evidence::new(format!("{LT}.HttpEndpoint"), "disabled")]);
    }

    #[test]
    fn one_bad_instance_fails_the_group() {
        let good = imds("instance[i-0aaa].MetadataOptions", Some("required"), Some(1), Some("enabled"));
        let bad = imds("instance[i-0bbb].MetadataOptions", Some("required"), Some(2), Some("enabled"));
        let o = run(&CHECK, &with_sources(vec![good, bad]));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("via instance[i-0bbb].MetadataOptions"), "{}", o.message);
        assert!(!o.message.contains("i-0aaa"), "{}", o.message);
    }

    #[test]
    fn undetermined_group_is_unknown_unless_another_fails() {
        let mut c = hardened_eks();
        second_pool(
            &mut c,
            Field::unknown("nodegroups[ng-batch].launchTemplate", "no launch template and no running instances"),
        );
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("ng-batch: no launch template and no running instances"), "{}", o.message);
        let mut c = with_sources(vec![imds(LT, Some("optional"), Some(1), None)]);
        second_pool(&mut c, Field::unknown("nodegroups[ng-batch].launchTemplate", "UnauthorizedOperation"));
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
        let mut c = hardened_eks();
        second_pool(&mut c, Field::value("nodegroups[ng-batch].instances", vec![], "[]"));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        second_pool(&mut c, Field::absent("nodegroups[ng-batch].launchTemplate"));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    fn pool_of(kind: NodeKind, name: &str, imds: Field<Vec<Imds>>) -> NodePool {
        let mut p = hardened_eks().node_pools.get().cloned().expect("pools").remove(0);
        (p.kind, p.name, p.path, p.imds) = (kind, name.into(), format!("instances[{name}]"), imds);
        p
    }

    fn with_pools(pools: Vec<NodePool>) -> Cluster {
        let mut c = hardened_eks();
        c.node_pools = Field::value(c.node_pools.path.clone(), pools, "pools");
        c
    }

    #[test]
    fn every_kind_of_node_is_judged() {
        let bad = |id: &str| {
            Field::value(
                "instances",
                vec![imds(&format!("instance[{id}].MetadataOptions"), Some("optional"), Some(1), None)],
                "1",
            )
        };
        for (kind, name, said) in [
            (NodeKind::SelfManaged, "asg-web", "self-managed nodes asg-web"),
            (NodeKind::Karpenter, "default", "Karpenter node pool default"),
            (NodeKind::AutoMode, "general-purpose", "Auto Mode node pool general-purpose"),
        ] {
            let mut pools = hardened_eks().node_pools.get().cloned().unwrap();
            pools.push(pool_of(kind, name, bad("i-0abc")));
            let o = run(&CHECK, &with_pools(pools));
            assert_eq!(o.status, Status::Fail, "{kind:?}");
            assert!(o.message.contains(&format!("{said} via instance[i-0abc].MetadataOptions")), "{}", o.message);
            assert!(o.subjects.iter().any(|s| s.label == said && s.status == Status::Fail), "{:?}", o.subjects);
        }
    }

    #[test]
    fn access_entries_and_auto_mode_node_roles_have_no_metadata_service_to_judge() {
        for kind in [NodeKind::AccessEntry, NodeKind::AutoModeNodeRole] {
            let entry = pool_of(kind, "arn:aws:iam::111122223333:role/n", Field::absent("imds"));
            let o = run(&CHECK, &with_pools(vec![entry.clone()]));
            assert_eq!(o.status, Status::NotApplicable, "{kind:?}: {o:?}");
            let mut pools = hardened_eks().node_pools.get().cloned().unwrap();
            pools.push(entry);
            assert_eq!(run(&CHECK, &with_pools(pools)).status, Status::Pass, "{kind:?}");
        }
    }

    #[test]
    fn undiscoverable_instances_are_unknown_unless_a_group_fails() {
        let lost = pool_of(
            NodeKind::SelfManaged,
            "instances",
            Field::unknown("instances", "DescribeInstances failed: page 2 truncated"),
        );
        let mut pools = hardened_eks().node_pools.get().cloned().unwrap();
        pools.push(lost.clone());
        let o = run(&CHECK, &with_pools(pools));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("page 2 truncated"), "{}", o.message);
        let mut c = with_sources(vec![imds(LT, Some("optional"), Some(1), None)]);
        let mut pools = c.node_pools.get().cloned().unwrap();
        pools.push(lost);
        c.node_pools = Field::value("nodegroups", pools, "2");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn fargate_only_is_not_applicable() {
        let mut c = hardened_eks();
        c.node_pools = Field::value("nodegroups", vec![], "[]");
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn uncollected_node_groups_are_unknown() {
        let mut c = hardened_eks();
        unknown(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = with_sources(vec![imds(LT, Some("optional"), Some(2), Some("enabled"))]);
        second_pool(
            &mut c,
            Field::value(
                "nodegroups[ng-batch].instances",
                vec![imds("instance[i-0bbb].MetadataOptions", None, None, None)],
                "1 instance",
            ),
        );
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Pods can fetch the node role's credentials from IMDS: node group ng-general via launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions: HttpTokens is optional, so IMDSv1 requests need no token and HttpPutResponseHopLimit is 2, so IMDSv2 tokens reach pods; node group ng-batch via instance[i-0bbb].MetadataOptions: HttpTokens is not set (the EC2 default is optional: IMDSv1 answers)."
        evidence:
          - path: "launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions.HttpTokens"
            observed: optional
          - path: "launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"
            observed: "2"
          - path: "instance[i-0bbb].MetadataOptions.HttpTokens"
            observed: "(absent: EC2 default is optional unless the AMI requires IMDSv2)"
          - path: "instance[i-0bbb].MetadataOptions.HttpPutResponseHopLimit"
            observed: "(absent: the AMI's or account's default applies, 2 for AL2023 AMIs)"
        subjects:
          - id: "nodegroups[ng-batch]"
            label: node group ng-batch
            status: fail
            reason: "node group ng-batch via instance[i-0bbb].MetadataOptions: HttpTokens is not set (the EC2 default is optional: IMDSv1 answers)"
          - id: "nodegroups[ng-general]"
            label: node group ng-general
            status: fail
            reason: "node group ng-general via launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions: HttpTokens is optional, so IMDSv1 requests need no token and HttpPutResponseHopLimit is 2, so IMDSv2 tokens reach pods"
        "#);
    }
}
