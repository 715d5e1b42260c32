//! AUTH-006: an EKS access entry names an IAM user instead of a role.

use crate::catalog::prelude::*;
use crate::model::AccessEntry;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "AUTH-006",
        slug: "eks-access-entry-iam-user",
        title: "EKS access entry for an IAM user",
        severity: Severity::Medium,
        clouds: &[Cloud::Eks],
        rationale: "An IAM user authenticates with long-lived access keys that get copied into laptops, CI variables \
and scripts, and keep working from anywhere until someone rotates them. Access granted per user also drifts: people \
change teams and their entries stay. A role that people assume through federation or IAM Identity Center gives \
short-lived credentials, one place to add or remove people, and a session name in the audit log.",
        remediation: "Create a role for the group of people (or reuse an IAM Identity Center permission set role), give \
it an access entry with the same access policies (`aws eks create-access-entry --cluster-name <cluster> \
--principal-arn <role-arn>` and `aws eks associate-access-policy ...`), let the users assume it, then remove the \
user's entry with `aws eks delete-access-entry --cluster-name <cluster> --principal-arn <user-arn>`.",
        references: &[
            "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        ],
        compliance: &["EKS-BP \"use IAM roles for multiple users\""],
    },
    cluster: Some(eval),
    scope: None,
};

fn arns(entries: &[&AccessEntry]) -> String {
    entries.iter().map(|e| e.principal_arn.trim()).collect::<Vec<_>>().join(", ")
}

fn principal_evidence(e: &AccessEntry) -> Evidence {
    Evidence::new(format!("{}.principalArn", e.path), format!("{} (type {})", e.principal_arn, e.kind_label()))
}

fn eval(c: &Cluster, _ctx: &Context) -> Outcome {
    // Unknown covers a denied ListAccessEntries and a CONFIG_MAP cluster whose API refuses the call.
    if config_map_only(&c.authn.mode) {
        return no_access_entries(&c.authn.mode);
    }
    let field = &c.authn.access_entries;
    require!(field);
    let Some(entries) = field.get() else {
        return Outcome::unknown_because(
            format!("{} is absent, so the access entries' principals cannot be judged.", field.path),
            vec![Evidence::of(field)],
        );
    };
    let of_kind = |k: PrincipalKind| entries.iter().filter(|e| principal_kind(&e.principal_arn) == k).collect();
    let users: Vec<&AccessEntry> = of_kind(PrincipalKind::User);
    if !users.is_empty() {
        return Outcome::fail(
            format!(
                "Access entries grant cluster access to IAM user(s) {}; grant it to a role the users assume instead.",
                arns(&users)
            ),
            users.iter().map(|e| principal_evidence(e)).collect(),
        );
    }
    let other: Vec<&AccessEntry> = of_kind(PrincipalKind::Other);
    if !other.is_empty() {
        return Outcome::unknown_because(
            format!(
                "The access entry principal(s) {} are neither an IAM user nor role ARN this build can read.",
                arns(&other)
            ),
            other.iter().map(|e| principal_evidence(e)).collect(),
        );
    }
    // No entries at all passes too: nobody is granted access through an IAM user entry. Mappings in
    // the aws-auth ConfigMap (modes CONFIG_MAP / API_AND_CONFIG_MAP, see AUTH-005) are not visible here.
    let configmap_note = match c.authn.mode.get() {
        Some(m) if m.trim().eq_ignore_ascii_case("API") => "",
        _ => " (aws-auth ConfigMap mappings are not visible to this check)",
    };
    Outcome::pass(
        format!("Every access entry's principal is an IAM role ({} entries){configmap_note}.", entries.len()),
        vec![Evidence::of(field)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::testing::*;

    fn with_user(c: &mut Cluster, arn: &str) {
        let mut entry = hardened_eks().authn.access_entries.get().expect("entries")[0].clone();
        entry.path = format!("accessEntries[{arn}]");
        entry.principal_arn = arn.into();
        let path = c.authn.access_entries.path.clone();
        let mut entries = c.authn.access_entries.get().cloned().unwrap_or_default();
        entries.push(entry);
        let raw = format!("{} entries", entries.len());
        c.authn.access_entries = Field::value(path, entries, raw);
    }

    #[test]
    fn roles_only_pass() {
        let o = run(&CHECK, &hardened_eks());
        assert_eq!(o.status, Status::Pass);
        assert_eq!(o.message, "Every access entry's principal is an IAM role (2 entries).");
    }

    #[test]
    fn no_entries_pass_with_a_configmap_note() {
        let mut c = hardened_eks();
        c.authn.access_entries = Field::value("accessEntries", vec![], "[]");
        set_str(&mut c.authn.mode, "API_AND_CONFIG_MAP");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Pass);
        assert!(o.message.contains("aws-auth ConfigMap mappings are not visible"), "{}", o.message);
    }

    #[test]
    fn iam_users_fail_and_are_named() {
        let mut c = hardened_eks();
        with_user(&mut c, "arn:aws:iam::111122223333:user/eks-admin-user");
        with_user(&mut c, "arn:aws-cn:iam::111122223333:user/ops/alice");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("user/eks-admin-user, arn:aws-cn:iam::111122223333:user/ops/alice"));
        assert!(!o.message.contains("platform-admins"), "{}", o.message);
        assert_eq!(o.evidence.len(), 2);
    }

    #[test]
    fn unreadable_principal_is_unknown_unless_a_user_fails() {
        let mut c = hardened_eks();
        with_user(&mut c, "arn:aws:iam::111122223333:root");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains(":root"), "{}", o.message);
        with_user(&mut c, "arn:aws:iam::111122223333:user/bob");
        assert_eq!(run(&CHECK, &c).status, Status::Fail);
    }

    #[test]
    fn uncollected_entries_are_unknown_with_the_reason() {
        let mut c = hardened_eks();
        c.authn.access_entries = Field::unknown("accessEntries", "AccessDeniedException on ListAccessEntries");
        let o = run(&CHECK, &c);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AccessDeniedException on ListAccessEntries"), "{}", o.message);
        absent(&mut c.authn.access_entries);
        assert_eq!(run(&CHECK, &c).status, Status::Unknown);
    }

    #[test]
    fn failure_snapshot() {
        let mut c = hardened_eks();
        with_user(&mut c, "arn:aws:iam::111122223333:user/eks-admin-user");
        insta::assert_yaml_snapshot!(run(&CHECK, &c), @r#"
        status: fail
        message: "Access entries grant cluster access to IAM user(s) arn:aws:iam::111122223333:user/eks-admin-user; grant it to a role the users assume instead."
        evidence:
          - path: "accessEntries[arn:aws:iam::111122223333:user/eks-admin-user].principalArn"
            observed: "arn:aws:iam::111122223333:user/eks-admin-user (type STANDARD)"
        "#);
    }
}
