//! K8S-002: `aws-auth` mappings to `system:masters` and of IAM users. Every `system:masters`
//! mapping is a subject with the admin inventory's facts.

use crate::catalog::eks::{maps_to_masters, masters_facts};
use crate::catalog::prelude::*;
use crate::catalog::tally::Tally;
use crate::model::AwsAuthMapping;
use crate::outcome::Subject;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "K8S-002",
        slug: "aws-auth-admin-mappings",
        title: "aws-auth maps principals to system:masters or maps IAM users",
        severity: Severity::High,
        clouds: &[Cloud::Eks],
        rationale: "The `aws-auth` ConfigMap is edited by hand, invisible to the EKS API and to IAM, and a mapping \
to `system:masters` is cluster admin that no RBAC binding shows and nothing can revoke short of editing the map. \
Mapping IAM users ties cluster access to long-lived access keys instead of roles assumed for a session.",
        remediation: "Move cluster access to access entries (`aws eks create-access-entry` with an access policy), \
switch `authenticationMode` to `API`, and remove the `system:masters` and `mapUsers` entries from `aws-auth`. Map \
roles, not users, and grant admin through `AmazonEKSClusterAdminPolicy` to a small set of roles.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html",
            "https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html",
            "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        ],
        compliance: &["seeds/003", "CIS EKS 4.1.7"],
    },
    cluster: Some(eval),
    scope: None,
};

const CM: &str = "kube-system/ConfigMap/aws-auth";

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    let field = &c.data_plane.aws_auth;
    if field.is_unknown() {
        return Outcome::unknown_because(
            format!("The aws-auth ConfigMap could not be read or parsed: {}", field.unknown_reason().unwrap_or("")),
            vec![Evidence::of(field)],
        );
    }
    let Some(map) = field.get() else {
        return Outcome::pass(
            "There is no aws-auth ConfigMap: no IAM principal is mapped outside access entries.",
            vec![Evidence::of(field)],
        );
    };
    // With authentication mode API, EKS no longer reads the ConfigMap.
    let inert = c.authn.mode.get().is_some_and(|m| m.trim().eq_ignore_ascii_case("API"));
    let note = if inert { " (ignored by EKS while authenticationMode is API)" } else { "" };
    let mut tally = Tally::default();
    let mut judge = |key: &str, i: usize, m: &AwsAuthMapping| {
        let path = format!("{CM}:data.{key}[{i}]");
        let masters = maps_to_masters(m);
        let evidence = vec![Evidence::new(
            path,
            format!(
                "{} → groups {:?}{}",
                m.arn,
                m.groups,
                m.username.as_ref().map(|u| format!(" as {u}")).unwrap_or_default()
            ),
        )];
        let mut why = Vec::new();
        if masters {
            why.push("mapped to system:masters".to_string());
        }
        if key == "mapUsers" {
            why.push("an IAM user".to_string());
        }
        if why.is_empty() {
            tally.pass();
            return;
        }
        let mut s = Subject::new(m.arn.trim(), m.arn.trim(), Status::Fail, format!("{}{note}", why.join(", ")));
        if masters {
            s = masters_facts(s, key, m);
        }
        tally.fail_subject(s, evidence);
    };
    for (i, m) in map.map_roles.iter().enumerate() {
        judge("mapRoles", i, m);
    }
    for (i, m) in map.map_users.iter().enumerate() {
        judge("mapUsers", i, m);
    }
    tally.outcome(
        "mapping",
        &format!("aws-auth maps IAM principals to system:masters or maps IAM users{note}"),
        "aws-auth maps no principal to system:masters and no IAM user",
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn mapping(arn: &str, groups: &[&str]) -> AwsAuthMapping {
        AwsAuthMapping {
            arn: arn.into(),
            username: Some("admin".into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn decision_table() {
        assert_eq!(run(&CHECK, &hardened_eks()).status, Status::Pass);
        let mut c = hardened_eks();
        listed(&mut c.data_plane.aws_auth)
            .map_roles
            .push(mapping("arn:aws:iam::111122223333:role/ops", &["system:masters"]));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("(ignored by EKS while authenticationMode is API)"), "{}", o.message);
        let mut c = hardened_eks();
        listed(&mut c.data_plane.aws_auth).map_users.push(mapping("arn:aws:iam::111122223333:user/bob", &["viewers"]));
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail, "IAM users are mapped at all");
        assert!(o.subjects[0].facts.is_empty(), "not an admin: no inventory facts");
        c.data_plane.aws_auth = Field::unknown(c.data_plane.aws_auth.path.clone(), "data.mapRoles is not YAML: …");
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
        absent(&mut c.data_plane.aws_auth);
        assert_eq!(run(&CHECK, &c).status, Status::Pass, "no ConfigMap at all");
    }

    #[test]
    fn masters_mappings_feed_the_inventory() {
        let mut c = hardened_eks();
        set_str(&mut c.authn.mode, "API_AND_CONFIG_MAP");
        listed(&mut c.data_plane.aws_auth)
            .map_users
            .push(mapping("arn:aws:iam::111122223333:user/alice", &["system:masters"]));
        let o = run(&CHECK, &c);
        insta::assert_yaml_snapshot!(o, @r#"
        status: fail
        message: "aws-auth maps IAM principals to system:masters or maps IAM users: 1 mapping of 2: arn:aws:iam::111122223333:user/alice (mapped to system:masters, an IAM user)."
        evidence:
          - path: "kube-system/ConfigMap/aws-auth:data.mapUsers[0]"
            observed: "arn:aws:iam::111122223333:user/alice → groups [\"system:masters\"] as admin"
        subjects:
          - id: "arn:aws:iam::111122223333:user/alice"
            label: "arn:aws:iam::111122223333:user/alice"
            status: fail
            reason: "mapped to system:masters, an IAM user"
            facts:
              - - how
                - "aws-auth mapUsers → system:masters as admin"
              - - terms
                - permanent
              - - principal_type
                - IAM user
        "#);
    }
}
