//! NODE-003: `AmazonEKS_CNI_Policy` is attached to a node role instead of to the vpc-cni
//! add-on's own service account role.

use crate::catalog::node_role::{aws_managed, node_roles};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NODE-003",
        slug: "node-role-cni-policy",
        title: "VPC CNI policy attached to the node role",
        severity: Severity::Low,
        clouds: &[Cloud::Eks],
        rationale: "`AmazonEKS_CNI_Policy` lets its holder create, attach and delete network interfaces and assign IP \
addresses across the account's VPCs. On the node role every pod that reaches instance metadata holds it too, not just \
the `aws-node` daemon that needs it, and can tamper with the network of any node.",
        remediation: "Give the `vpc-cni` add-on its own role (IRSA or EKS Pod Identity) for the `aws-node` service \
account, e.g. `aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --service-account-role-arn \
<cni-role-arn>`, then detach the policy from the node role with `aws iam detach-role-policy --role-name <node-role> \
--policy-arn arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy`.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        ],
        compliance: &["EKS-BP \"Update the aws-node daemonset to use IRSA\""],
    },
    cluster: Some(eval),
    scope: None,
};

const CNI_POLICY: &str = "AmazonEKS_CNI_Policy";

/// The vpc-cni add-on's service account role as evidence, and a sentence about it.
fn cni_addon(c: &Cluster) -> (Evidence, String) {
    let addon = c.addons.get().and_then(|list| list.iter().find(|a| a.name == "vpc-cni"));
    match addon {
        Some(a) => {
            let path = format!("{}.serviceAccountRoleArn", a.path);
            match &a.service_account_role_arn {
                Some(arn) => (
                    Evidence::new(path, arn.clone()),
                    format!(
                        "the vpc-cni add-on already uses its own role {arn}, so detach the policy from the node role"
                    ),
                ),
                None => (
                    Evidence::new(path, "(absent)"),
                    "the vpc-cni add-on has no service account role: give it one, then detach the policy".to_string(),
                ),
            }
        }
        None => (Evidence::of(&c.addons), "no vpc-cni add-on role was found".to_string()),
    }
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let mut v = Verdicts::default();
    let roles = match node_roles(c, &mut v) {
        Ok(roles) => roles,
        Err(outcome) => return outcome,
    };
    let mut attached_to = Vec::new();
    for r in &roles {
        let attached = &r.role.attached;
        let subject = |status, reason: &str| Subject::new(r.role.arn.clone(), r.role.name.clone(), status, reason);
        if let Some(reason) = attached.unknown_reason() {
            v.unknown(format!("{}: attached policies: {reason}", r.label()), vec![Evidence::of(attached)]);
            v.subject(subject(Status::Unknown, reason));
            continue;
        }
        match attached.get().into_iter().flatten().find(|p| aws_managed(&p.arn, CNI_POLICY)) {
            Some(p) => {
                v.subject(subject(Status::Fail, "AmazonEKS_CNI_Policy attached"));
                attached_to.push((r.label(), Evidence::new(format!("{}[{}]", attached.path, p.name), p.arn.clone())))
            }
            None => {
                v.subject(subject(Status::Pass, "AmazonEKS_CNI_Policy not attached"));
                v.pass(r.label(), vec![Evidence::of(attached)])
            }
        }
    }
    if !attached_to.is_empty() {
        let (addon_evidence, addon) = cni_addon(c);
        let names: Vec<String> = attached_to.iter().map(|(label, _)| label.clone()).collect();
        let mut evidence: Vec<Evidence> = attached_to.into_iter().map(|(_, e)| e).collect();
        evidence.push(addon_evidence);
        v.fail(format!("{}; {addon}", names.join(", ")), evidence);
    }
    v.outcome(
        "AmazonEKS_CNI_Policy is attached to node roles, so every pod on those nodes can manage VPC networking",
        "The node roles' attached policies could not be collected",
        "AmazonEKS_CNI_Policy is not attached to any node role; roles judged",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::node_role::fixtures::*;
    use crate::model::ManagedPolicy;
    use crate::testing::*;

    fn with_cni_policy(partition: &str) -> Cluster {
        with_node_role(|r| {
            attach(
                r,
                ManagedPolicy {
                    arn: format!("arn:{partition}:iam::aws:policy/AmazonEKS_CNI_Policy"),
                    name: "AmazonEKS_CNI_Policy".into(),
                    document: Field::absent("policy[AmazonEKS_CNI_Policy].Document"),
                },
            )
        })
    }

    #[test]
    fn not_attached_passes() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
    }

    #[test]
    fn attached_fails_in_any_partition() {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            assert_eq!(run(&CHECK, &with_cni_policy(partition)).status, Status::Fail, "{partition}");
        }
    }

    #[test]
    fn a_node_role_without_nodes_is_judged() {
        // Auto Mode's computeConfig.nodeRoleArn while no instance runs; a HYBRID_LINUX entry.
        for kind in [crate::model::NodeKind::AutoModeNodeRole, crate::model::NodeKind::AccessEntry] {
            let mut c = with_cni_policy("aws");
            let mut pools = c.node_pools.get().cloned().unwrap();
            pools.iter_mut().for_each(|p| p.kind = kind);
            c.node_pools = Field::value(c.node_pools.path.clone(), pools, "pools");
            let o = run(&CHECK, &c);
            assert_eq!(o.status, Status::Fail, "{kind:?}: {o:?}");
            assert!(o.message.contains(&kind.describe("")), "{}", o.message);
        }
    }

    #[test]
    fn evidence_names_the_addon_role_or_its_absence() {
        let o = run(&CHECK, &with_cni_policy("aws"));
        assert!(o.message.contains("already uses its own role arn:aws:iam::111122223333:role/vpc-cni-irsa"));
        let mut c = with_cni_policy("aws");
        let mut addons = c.addons.get().unwrap().clone();
        addons[0].service_account_role_arn = None;
        c.addons = Field::value("addons", addons, "[vpc-cni]");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.evidence.iter().any(|e| e.path == "addons[vpc-cni].serviceAccountRoleArn" && e.observed == "(absent)")
        );
        unknown(&mut c.addons);
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.evidence.iter().any(|e| e.path == "addons" && e.observed.contains("AuthorizationFailed")));
    }

    #[test]
    fn unknown_attached_list_or_node_groups() {
        let o = run(&CHECK, &with_node_role(|r| unknown(&mut r.attached)));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("eks-node") && o.message.contains("AuthorizationFailed"), "{}", o.message);
        // Also unknown when another role is fine, and failing when another has the policy.
        let mut c = with_cni_policy("aws");
        let mut pools = c.node_pools.get().cloned().unwrap_or_default();
        let mut other = pools[0].clone();
        let mut role = (**other.node_role.get().unwrap()).clone();
        role.arn = "arn:aws:iam::111122223333:role/eks-node-gpu".into();
        role.name = "eks-node-gpu".into();
        unknown(&mut role.attached);
        other.name = "ng-gpu".into();
        other.node_role = Field::value("nodegroups[ng-gpu].nodeRole", std::sync::Arc::new(role), "eks-node-gpu");
        pools.push(other);
        c.node_pools = Field::value("nodegroups", pools, "2");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Not judged: eks-node-gpu"), "{}", o.message);
        let mut c = hardened_eks();
        unknown(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        c.node_pools = Field::value("nodegroups", vec![], "[]");
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
    }

    #[test]
    fn failure_snapshot() {
        insta::assert_yaml_snapshot!(run(&CHECK, &with_cni_policy("aws")), @r#"
        status: fail
        message: "AmazonEKS_CNI_Policy is attached to node roles, so every pod on those nodes can manage VPC networking: eks-node (arn:aws:iam::111122223333:role/eks-node, node group ng-general); the vpc-cni add-on already uses its own role arn:aws:iam::111122223333:role/vpc-cni-irsa, so detach the policy from the node role."
        evidence:
          - path: "role[eks-node].AttachedPolicies[AmazonEKS_CNI_Policy]"
            observed: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
          - path: "addons[vpc-cni].serviceAccountRoleArn"
            observed: "arn:aws:iam::111122223333:role/vpc-cni-irsa"
        subjects:
          - id: "arn:aws:iam::111122223333:role/eks-node"
            label: eks-node
            status: fail
            reason: AmazonEKS_CNI_Policy attached
        "#);
    }
}
