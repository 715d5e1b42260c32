//! NODE-002: a node role holds administrator-class policies or statements granting whole
//! services on every resource.

use crate::catalog::node_role::{RoleUse, aws_managed, node_roles};
use crate::catalog::prelude::*;
use crate::catalog::verdicts::Verdicts;
use crate::field::Obs;
use crate::iam::{PolicyDocument, RoleGrants, Statement, broad_statements};
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "NODE-002",
        slug: "node-role-overprivileged",
        title: "Node IAM role overprivileged",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "Every process on a worker node can read the node role's credentials from the instance metadata \
service, and unless IMDS is locked down so can every pod on it. Whatever the node role may do, a compromised container \
may do too: with AdministratorAccess, PowerUserAccess, IAMFullAccess or a `*` / `service:*` grant on every resource \
of that service (`*`, `arn:aws:s3:::*`, `arn:aws:iam::*:*`), one container escape or SSRF becomes control of the AWS \
account. Narrower grants that let the holder raise its own privileges count too: `iam:PassRole` with \
`ec2:RunInstances` or `lambda:CreateFunction`, `iam:CreatePolicyVersion`, `iam:Attach*Policy`, `iam:Put*Policy`, \
`iam:UpdateAssumeRolePolicy`, and `sts:AssumeRole` on every role.",
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
    fn document<'a>(&mut self, what: &str, doc: &'a Field<PolicyDocument>, grants: &mut RoleGrants<'a>) {
        match &doc.obs {
            Obs::Value { value, .. } => {
                grants.add(what, value);
                for b in broad_statements(value) {
                    self.broad.push(format!("{what} Statement[{}] allows {}", b.statement.index, b.grants));
                    self.broad_evidence.push(statement_evidence(doc, b.statement));
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

fn statement_evidence(doc: &Field<PolicyDocument>, st: &Statement) -> Evidence {
    Evidence::new(format!("{}.Statement[{}]", doc.path, st.index), st.raw.clone())
}

fn judge_role(r: &RoleUse, v: &mut Verdicts) {
    let role = r.role;
    let mut f = Findings::default();
    let mut grants = RoleGrants::default();
    let mut paths: Vec<(String, &Field<PolicyDocument>)> = Vec::new();
    f.list_unknown("attached policies", &role.attached);
    // Absent lists: the role has no policies of that kind.
    for p in role.attached.get().into_iter().flatten() {
        if let Some(name) = ADMIN_POLICIES.iter().find(|n| aws_managed(&p.arn, n)) {
            f.broad.push(format!("AWS managed policy {name}"));
            f.broad_evidence.push(Evidence::new(format!("{}[{}]", role.attached.path, p.name), p.arn.clone()));
        } else {
            let what = format!("policy {}", p.name);
            f.document(&what, &p.document, &mut grants);
            paths.push((what, &p.document));
        }
    }
    f.list_unknown("inline policies", &role.inline);
    for p in role.inline.get().into_iter().flatten() {
        let what = format!("inline policy {}", p.name);
        f.document(&what, &p.document, &mut grants);
        paths.push((what, &p.document));
    }
    for e in grants.escalations(&role.arn) {
        let cited: Vec<String> = e.by.iter().map(|(p, st)| format!("{p} Statement[{}]", st.index)).collect();
        f.broad.push(format!("privilege escalation through {} ({})", e.what, cited.join(", ")));
        for (p, st) in &e.by {
            if let Some((_, doc)) = paths.iter().find(|(what, _)| what == p) {
                let ev = statement_evidence(doc, st);
                if !f.broad_evidence.contains(&ev) {
                    f.broad_evidence.push(ev);
                }
            }
        }
    }
    let label = r.label();
    let subject = |status, reason: String| Subject::new(role.arn.clone(), role.name.clone(), status, reason);
    if !f.broad.is_empty() {
        // Who else gets these credentials: every instance launched with the role's profiles.
        let mut evidence = f.broad_evidence;
        evidence.push(Evidence::of(&role.instance_profiles));
        v.subject(subject(Status::Fail, f.broad.join(", ")));
        v.fail(format!("{label} has {}", f.broad.join(", ")), evidence);
    }
    if !f.unknown.is_empty() {
        if f.broad.is_empty() {
            v.subject(subject(Status::Unknown, f.unknown.join(", ")));
        }
        v.unknown(format!("{label}: {}", f.unknown.join(", ")), f.unknown_evidence);
    }
    if f.broad.is_empty() && f.unknown.is_empty() {
        v.subject(subject(Status::Pass, "no administrator policy, service-wide grant or escalation path".into()));
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
        "No node role has an administrator policy, a service-wide grant on every resource or a privilege-escalation path; roles judged",
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
    fn service_wide_arns_and_escalation_paths_fail() {
        let s3 = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}}"#;
        let o = run(&CHECK, &with_node_role(|r| inline(r, "s3", doc("s3", s3))));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("allows `s3:*` on `arn:aws:s3:::*`"), "{}", o.message);
        let esc = r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#;
        let o = run(&CHECK, &with_node_role(|r| inline(r, "launcher", doc("launcher", esc))));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(
            o.message.contains("privilege escalation through iam:PassRole with ec2:RunInstances (inline policy launcher Statement[0], inline policy launcher Statement[1])"),
            "{}",
            o.message
        );
        assert!(o.evidence.iter().any(|e| e.path == "policy[launcher].Document.Statement[1]"), "{:?}", o.evidence);
        let assume = r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#;
        let o = run(&CHECK, &with_node_role(|r| inline(r, "hop", doc("hop", assume))));
        assert!(o.message.contains("sts:AssumeRole on every role"), "{}", o.message);
    }

    #[test]
    fn roles_of_every_node_kind_and_access_entry_are_judged() {
        use crate::model::{NodeKind, NodePool};
        let admin_role = {
            let mut r = eks_node_role();
            r.arn = "arn:aws:iam::111122223333:role/karpenter-node".into();
            r.name = "karpenter-node".into();
            attach(&mut r, managed("AdministratorAccess", Field::absent("d")));
            std::sync::Arc::new(r)
        };
        let mut c = hardened_eks();
        let mut pools: Vec<NodePool> = c.node_pools.get().cloned().unwrap();
        let mut extra = |kind, name: &str, role: Field<std::sync::Arc<NodeRole>>| {
            let mut p = pools[0].clone();
            (p.kind, p.name, p.path, p.node_role) = (kind, name.to_string(), format!("x[{name}]"), role);
            pools.push(p);
        };
        extra(NodeKind::Karpenter, "default", Field::value("r", admin_role.clone(), "r"));
        extra(
            NodeKind::AccessEntry,
            "arn:aws:iam::111122223333:role/karpenter-node",
            Field::value("r", admin_role, "r"),
        );
        extra(NodeKind::SelfManaged, "no-profile", Field::absent("instanceProfile"));
        c.node_pools = Field::value("nodegroups", pools, "4");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(
            o.message.contains("karpenter-node (arn:aws:iam::111122223333:role/karpenter-node, Karpenter node pool default, access entry arn:aws:iam::111122223333:role/karpenter-node) has AWS managed policy AdministratorAccess"),
            "{}",
            o.message
        );
        assert!(!o.message.contains("no-profile"), "nodes without a profile have no role: {}", o.message);
        let ids: Vec<&str> = o.subjects.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["arn:aws:iam::111122223333:role/eks-node", "arn:aws:iam::111122223333:role/karpenter-node"]);
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
        subjects:
          - id: "arn:aws:iam::111122223333:role/eks-node"
            label: eks-node
            status: fail
            reason: "AWS managed policy IAMFullAccess, inline policy node-extras Statement[1] allows `ec2:*` on `*`"
        "#);
    }
}
