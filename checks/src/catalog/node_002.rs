//! NODE-002: a node role holds administrator-class policies or statements granting whole
//! services on every resource.

use crate::catalog::node_role::{RoleUse, aws_managed, node_roles};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::field::Obs;
use crate::iam::{PolicyDocument, broad_statements};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NODE-002",
        slug: "node-role-overprivileged",
        title: "Node IAM role overprivileged",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "Every process on a worker node can read the node role's credentials from the instance metadata \
service, and unless IMDS is locked down so can every pod on it. Whatever the node role may do, a compromised container \
may do too: with AdministratorAccess, PowerUserAccess, IAMFullAccess or a `*` / `service:*` grant on every resource, \
one container escape or SSRF becomes control of the AWS account.",
        remediation: "Keep the node role to `AmazonEKSWorkerNodePolicy`, `AmazonEC2ContainerRegistryPullOnly` (or \
`AmazonEC2ContainerRegistryReadOnly`) and, if used, `AmazonSSMManagedInstanceCore`. Detach the rest with `aws iam \
detach-role-policy --role-name <node-role> --policy-arn <arn>` or `aws iam delete-role-policy --role-name <node-role> \
--policy-name <name>`, and give the workloads that need more their own IRSA or EKS Pod Identity roles.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html",
        ],
        compliance: &["CIS EKS 5.1.3", "EKS-BP"],
    },
    cluster: Some(eval),
    scope: None,
};

/// AWS-managed policies that make a node role an administrator (of the account or of IAM).
const ADMIN_POLICIES: [&str; 3] = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// What one role's policies showed.
#[derive(Default)]
struct Findings {
    broad: Vec<String>,
    broad_evidence: Vec<Evidence>,
    unknown: Vec<String>,
    unknown_evidence: Vec<Evidence>,
}

impl Findings {
    fn document(&mut self, what: &str, doc: &Field<PolicyDocument>) {
        match &doc.obs {
            Obs::Value { value, .. } => {
                for b in broad_statements(value) {
                    self.broad.push(format!("{what} Statement[{}] allows {}", b.statement.index, b.grants));
                    self.broad_evidence.push(Evidence::new(
                        format!("{}.Statement[{}]", doc.path, b.statement.index),
                        b.statement.raw.clone(),
                    ));
                }
            }
            Obs::Unknown { reason } => {
                self.unknown.push(format!("{what}: {reason}"));
                self.unknown_evidence.push(Evidence::of(doc));
            }
            Obs::Absent => {
                self.unknown.push(format!("{what}: no policy document was returned"));
                self.unknown_evidence.push(Evidence::of(doc));
            }
        }
    }

    fn list_unknown<T>(&mut self, what: &str, list: &Field<T>) {
        if let Some(reason) = list.unknown_reason() {
            self.unknown.push(format!("{what}: {reason}"));
            self.unknown_evidence.push(Evidence::of(list));
        }
    }
}

fn judge_role(r: &RoleUse, v: &mut Verdicts) {
    let role = r.role;
    let mut f = Findings::default();
    f.list_unknown("attached policies", &role.attached);
    // Absent lists: the role has no policies of that kind.
    for p in role.attached.get().into_iter().flatten() {
        if let Some(name) = ADMIN_POLICIES.iter().find(|n| aws_managed(&p.arn, n)) {
            f.broad.push(format!("AWS managed policy {name}"));
            f.broad_evidence.push(Evidence::new(format!("{}[{}]", role.attached.path, p.name), p.arn.clone()));
        } else {
            f.document(&format!("policy {}", p.name), &p.document);
        }
    }
    f.list_unknown("inline policies", &role.inline);
    for p in role.inline.get().into_iter().flatten() {
        f.document(&format!("inline policy {}", p.name), &p.document);
    }
    let label = r.label();
    if !f.broad.is_empty() {
        // Who else gets these credentials: every instance launched with the role's profiles.
        let mut evidence = f.broad_evidence;
        evidence.push(Evidence::of(&role.instance_profiles));
        v.fail(format!("{label} has {}", f.broad.join(", ")), evidence);
    }
    if !f.unknown.is_empty() {
        v.unknown(format!("{label}: {}", f.unknown.join(", ")), f.unknown_evidence);
    }
    if f.broad.is_empty() && f.unknown.is_empty() {
        v.pass(label, vec![Evidence::of(&role.attached), Evidence::of(&role.inline)]);
    }
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let mut v = Verdicts::default();
    let roles = match node_roles(c, &mut v) {
        Ok(roles) => roles,
        Err(outcome) => return outcome,
    };
    for r in &roles {
        judge_role(r, &mut v);
    }
    v.outcome(
        "Node roles grant more than nodes need, to every pod that reaches instance metadata",
        "The node roles' policies could not be fully judged",
        "No node role has an administrator policy or a service-wide grant on every resource; roles judged",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::node_role::fixtures::*;
    use crate::iam::{Effect, parse};
    use crate::model::{InlinePolicy, ManagedPolicy, NodeRole};
    use crate::testing::*;

    fn managed(name: &str, document: Field<PolicyDocument>) -> ManagedPolicy {
        ManagedPolicy { arn: format!("arn:aws:iam::aws:policy/{name}"), name: name.into(), document }
    }

    fn doc(name: &str, json: &str) -> Field<PolicyDocument> {
        Field::value(format!("policy[{name}].Document"), parse(json).unwrap(), json)
    }

    fn inline(role: &mut NodeRole, name: &str, document: Field<PolicyDocument>) {
        role.inline = Field::value(role.inline.path.clone(), vec![InlinePolicy { name: name.into(), document }], "[x]");
    }

    #[test]
    fn standard_node_policies_pass() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("eks-node (arn:aws:iam::111122223333:role/eks-node, node group ng-general)"));
    }

    #[test]
    fn admin_class_managed_policies_fail_in_any_partition() {
        for arn in [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws-cn:iam::aws:policy/PowerUserAccess",
            "arn:aws-us-gov:iam::aws:policy/IAMFullAccess",
        ] {
            let name = arn.rsplit('/').next().unwrap();
            // The document was not readable: the name alone decides.
            let p = ManagedPolicy { arn: arn.into(), name: name.into(), document: Field::unknown("d", "AccessDenied") };
            let o = run(&CHECK, &with_node_role(|r| attach(r, p)));
            assert_eq!(o.status, Status::Fail, "{arn}");
            assert!(o.message.contains(&format!("AWS managed policy {name}")), "{}", o.message);
        }
    }

    #[test]
    fn broad_attached_or_inline_statements_fail() {
        let star = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}]}"#;
        let o = run(&CHECK, &with_node_role(|r| attach(r, managed("S3Everything", doc("S3Everything", star)))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("policy S3Everything Statement[0] allows `s3:*` on `*`"), "{}", o.message);
        let not_action = r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#;
        let o = run(&CHECK, &with_node_role(|r| inline(r, "almost-admin", doc("almost-admin", not_action))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("inline policy almost-admin Statement[0] allows every action except `iam:*`"));
    }

    #[test]
    fn scoped_statements_pass() {
        let scoped = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::logs/*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert_eq!(run(&CHECK, &with_node_role(|r| inline(r, "logs", doc("logs", scoped)))).status, Status::Pass);
    }

    #[test]
    fn unreadable_document_is_unknown_unless_something_fails() {
        let missing = Field::unknown("policy[Custom].Document", "GetPolicyVersion: NoSuchEntity 404");
        let c = with_node_role(|r| attach(r, managed("Custom", missing.clone())));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("policy Custom: GetPolicyVersion: NoSuchEntity 404"), "{}", o.message);
        let c = with_node_role(|r| {
            attach(r, managed("Custom", missing));
            inline(r, "admin", doc("admin", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#));
        });
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("Not judged: eks-node"), "{}", o.message);
    }

    #[test]
    fn shared_role_is_judged_once_naming_its_node_groups() {
        let mut c = with_node_role(|r| attach(r, managed("AdministratorAccess", Field::absent("d"))));
        let mut pools = c.node_pools.get().unwrap().clone();
        let mut second = pools[0].clone();
        second.name = "ng-gpu".into();
        pools.push(second);
        c.node_pools = Field::value("nodegroups", pools, "2 node groups");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message.matches("AdministratorAccess").count(), 1, "{}", o.message);
        assert!(o.message.contains("node groups ng-general, ng-gpu"), "{}", o.message);
    }

    #[test]
    fn missing_inputs() {
        let mut c = hardened_eks();
        unknown(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        c.node_pools = Field::value("nodegroups", vec![], "[]");
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        absent(&mut c.node_pools);
        assert_eq!(run(&CHECK, &c).status, Status::NotApplicable);
        let c = with_node_role(|r| unknown(&mut r.attached));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let c = with_node_role(|r| unknown(&mut r.inline));
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        let mut c = hardened_eks();
        let mut pools = c.node_pools.get().unwrap().clone();
        unknown(&mut pools[0].node_role);
        c.node_pools = Field::value("nodegroups", pools, "1");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("node group ng-general: AuthorizationFailed"), "{}", o.message);
    }

    #[test]
    fn failure_snapshot() {
        let c = with_node_role(|r| {
            attach(r, managed("IAMFullAccess", Field::absent("policy[IAMFullAccess].Document")));
            let mut st = statement(1, Effect::Allow, &["ec2:*", "ssm:GetParameter"], &["*"]);
            st.raw = r#"{"Action":["ec2:*","ssm:GetParameter"],"Effect":"Allow","Resource":"*"}"#.into();
            let d = PolicyDocument {
                version: None,
                statements: vec![statement(0, Effect::Allow, &["ecr:BatchGetImage"], &["*"]), st],
            };
            inline(r, "node-extras", Field::value("role[eks-node].RolePolicy[node-extras]", d, "{…}"));
        });
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Node roles grant more than nodes need, to every pod that reaches instance metadata: eks-node (arn:aws:iam::111122223333:role/eks-node, node group ng-general) has AWS managed policy IAMFullAccess, inline policy node-extras Statement[1] allows `ec2:*` on `*`."
        evidence:
          - path: "role[eks-node].AttachedPolicies[IAMFullAccess]"
            observed: "arn:aws:iam::aws:policy/IAMFullAccess"
          - path: "role[eks-node].RolePolicy[node-extras].Statement[1]"
            observed: "{\"Action\":[\"ec2:*\",\"ssm:GetParameter\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}"
          - path: "role[eks-node].InstanceProfiles"
            observed: "[eks-node]"
        "#);
    }
}
