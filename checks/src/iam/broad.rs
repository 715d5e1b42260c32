//! Over-broad identity policy statements (NODE-002): `Allow` of every action, or every action of
//! a service, on every resource.

use crate::iam::document::{Effect, PolicyDocument, Statement};
use crate::iam::eval::action_applies;
use crate::iam::wildcard;

/// A statement that grants a whole service or more on every resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadGrant<'a> {
    pub statement: &'a Statement,
    /// What it grants, in words: `` `iam:*` on `*` ``, `` every action except `…` on `*` ``.
    pub grants: String,
}

/// A wildcard that covers whole services: `*`, `s3:*`, `*:*`, `s3:?*`, `s3*`. Returns the
/// service pattern it covers (`*` for every service).
fn whole_service(action: &str) -> Option<&str> {
    let a = action.trim();
    match a.split_once(':') {
        Some((service, name)) if name.contains('*') && name.chars().all(|c| c == '*' || c == '?') => Some(service),
        Some(_) => None,
        None if a.contains('*') => Some(a),
        None => None,
    }
}

/// Whether `resource` covers every resource of a service matching `service`: `*`, or an ARN
/// pattern whose resource part is only `*` and whose service is that service or a wildcard
/// (`arn:aws:s3:::*`, `arn:aws:iam::*:*`, `arn:*:*:*:*:*`). Partition, region and account may be
/// anything: every resource of the service in one account is still every resource the node's
/// credentials can reach there.
fn covers_service(resource: &str, service: &str) -> bool {
    let r = resource.trim();
    let all_stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    if all_stars(r) {
        return true;
    }
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    if parts.len() != 6 || !parts[0].eq_ignore_ascii_case("arn") || !all_stars(parts[5]) {
        return false;
    }
    let (svc, want) = (parts[2].to_ascii_lowercase(), service.to_ascii_lowercase());
    all_stars(&svc) || all_stars(&want) || wildcard::matches(&want, &svc) || wildcard::matches(&svc, &want)
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// The `Allow` statements granting `*` or `SERVICE:*` on every resource of that service, and
/// `Allow` + `NotAction` on every resource (everything except a few actions). Conditions are not
/// weighed: an over-broad grant is reported even when a condition narrows it.
pub fn broad_statements(doc: &PolicyDocument) -> Vec<BroadGrant<'_>> {
    let mut out = Vec::new();
    for st in doc.statements.iter().filter(|st| st.effect == Effect::Allow) {
        if let Some(nr) = &st.not_resource {
            let wide: Vec<String> =
                st.action.iter().flatten().filter(|a| whole_service(a).is_some()).cloned().collect();
            let grants = if !wide.is_empty() {
                format!("{} on every resource except {}", quoted(&wide), quoted(nr))
            } else if let Some(not_action) = &st.not_action {
                format!("every action except {} on every resource except {}", quoted(not_action), quoted(nr))
            } else {
                continue;
            };
            out.push(BroadGrant { statement: st, grants });
            continue;
        }
        let resources = st.resource.as_deref().unwrap_or_default();
        if let Some(not_action) = &st.not_action {
            if let Some(r) = resources.iter().find(|r| covers_service(r, "*")) {
                let grants = format!("every action except {} on `{}`", quoted(not_action), r.trim());
                out.push(BroadGrant { statement: st, grants });
            }
            continue;
        }
        let mut wide = Vec::new();
        let mut on = Vec::new();
        for a in st.action.iter().flatten() {
            let Some(service) = whole_service(a) else { continue };
            if let Some(r) = resources.iter().find(|r| covers_service(r, service)) {
                wide.push(a.clone());
                let r = r.trim().to_string();
                if !on.contains(&r) {
                    on.push(r);
                }
            }
        }
        if !wide.is_empty() {
            out.push(BroadGrant { statement: st, grants: format!("{} on {}", quoted(&wide), quoted(&on)) });
        }
    }
    out
}

/// Statements of a role's policies, each with the name of its policy, read together: privilege
/// escalation often takes two grants from two policies.
#[derive(Default)]
pub struct RoleGrants<'a> {
    statements: Vec<(String, &'a Statement)>,
}

/// A known way for the role's holder to make itself more powerful.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation<'a> {
    /// `iam:PassRole with ec2:RunInstances`, `iam:CreatePolicyVersion`, …
    pub what: String,
    /// The allowing statements: (policy name, statement).
    pub by: Vec<(String, &'a Statement)>,
}

impl<'a> RoleGrants<'a> {
    pub fn add(&mut self, policy: &str, doc: &'a PolicyDocument) {
        self.statements.extend(doc.statements.iter().map(|st| (policy.to_string(), st)));
    }

    /// The `Allow` statements granting `action` on a resource `covers` accepts (conditions not
    /// weighed), unless an unconditional `Deny` of it on every resource applies.
    fn allowing(&self, action: &str, covers: &dyn Fn(&Statement) -> bool) -> Vec<(String, &'a Statement)> {
        let denied = self.statements.iter().any(|(_, st)| {
            st.effect == Effect::Deny
                && st.conditions.is_empty()
                && action_applies(st, action)
                && st.not_resource.is_none()
                && st.resource.iter().flatten().any(|r| r.trim() == "*")
        });
        if denied {
            return vec![];
        }
        self.statements
            .iter()
            .filter(|(_, st)| st.effect == Effect::Allow && action_applies(st, action) && covers(st))
            .map(|(p, st)| (p.clone(), *st))
            .collect()
    }

    /// The privilege-escalation combinations of CHECKS.md NODE-002 this role allows. `role_arn`
    /// gives the partition and account for "`sts:AssumeRole` on every role".
    pub fn escalations(&self, role_arn: &str) -> Vec<Escalation<'a>> {
        let any = |st: &Statement| st.resource.is_some() || st.not_resource.is_some();
        let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
        let (partition, account) = match parts.as_slice() {
            [_, p, _, _, a, _] => (*p, *a),
            _ => ("aws", "123456789012"),
        };
        let probes = [
            format!("arn:{partition}:iam::{account}:role/kp-probe-role"),
            format!("arn:{partition}:iam::{account}:role/service-role/kp-probe-role-2"),
        ];
        let every_role = |st: &Statement| {
            probes.iter().all(|probe| {
                let hit =
                    |l: &Option<Vec<String>>| l.as_ref().map(|l| l.iter().any(|r| wildcard::matches(r.trim(), probe)));
                hit(&st.resource).unwrap_or(true) && !hit(&st.not_resource).unwrap_or(false)
            })
        };
        let mut out = Vec::new();
        let pass_role = self.allowing("iam:PassRole", &any);
        for launch in ["ec2:RunInstances", "lambda:CreateFunction"] {
            let by = self.allowing(launch, &any);
            if !pass_role.is_empty() && !by.is_empty() {
                let mut all = pass_role.clone();
                all.extend(by);
                out.push(Escalation { what: format!("iam:PassRole with {launch}"), by: all });
            }
        }
        let alone: [(&str, &[&str]); 4] = [
            ("iam:CreatePolicyVersion", &["iam:CreatePolicyVersion"]),
            ("iam:Attach*Policy", &["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"]),
            ("iam:Put*Policy", &["iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy"]),
            ("iam:UpdateAssumeRolePolicy", &["iam:UpdateAssumeRolePolicy"]),
        ];
        for (what, actions) in alone {
            let granted: Vec<&str> = actions.iter().copied().filter(|a| !self.allowing(a, &any).is_empty()).collect();
            if granted.is_empty() {
                continue;
            }
            let by = granted.iter().flat_map(|a| self.allowing(a, &any)).collect();
            let what = if granted.len() == actions.len() || what == granted[0] {
                what.to_string()
            } else {
                format!("{what} ({})", granted.join(", "))
            };
            out.push(Escalation { what, by });
        }
        let assume = self.allowing("sts:AssumeRole", &every_role);
        if !assume.is_empty() {
            out.push(Escalation { what: "sts:AssumeRole on every role".into(), by: assume });
        }
        for e in &mut out {
            e.by.sort_by_key(|(p, st)| (p.clone(), st.index));
            e.by.dedup_by_key(|(p, st)| (p.clone(), st.index));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse;

    fn grants(statements: &str) -> Vec<(usize, String)> {
        let d = parse(&format!(r#"{{"Statement":{statements}}}"#)).unwrap();
        broad_statements(&d).into_iter().map(|b| (b.statement.index, b.grants)).collect()
    }

    #[test]
    fn admin_and_service_wildcards_on_star() {
        assert_eq!(grants(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#), [(0, "`*` on `*`".into())]);
        assert_eq!(
            grants(r#"[{"Effect":"Allow","Action":["ec2:Describe*","s3:*","iam:*"],"Resource":["arn:x","*"]}]"#),
            [(0, "`s3:*`, `iam:*` on `*`".into())]
        );
        assert_eq!(grants(r#"{"Effect":"Allow","Action":"*:*","Resource":"*"}"#).len(), 1);
        assert_eq!(
            grants(r#"{"Effect":"Allow","Action":"iam:?*","Resource":"arn:aws:*:*:*:*"}"#),
            [(0, "`iam:?*` on `arn:aws:*:*:*:*`".into())]
        );
    }

    #[test]
    fn not_action_and_not_resource() {
        assert_eq!(
            grants(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#),
            [(0, "every action except `iam:*` on `*`".into())]
        );
        assert_eq!(
            grants(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret"}"#),
            [(0, "`s3:*` on every resource except `arn:aws:s3:::secret`".into())]
        );
    }

    #[test]
    fn every_resource_of_the_service() {
        for (st, want) in [
            (r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}"#, "`s3:*` on `arn:aws:s3:::*`"),
            (r#"{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:*"}"#, "`iam:*` on `arn:aws:iam::*:*`"),
            (
                r#"{"Effect":"Allow","Action":"IAM:*","Resource":"arn:aws:iam::111122223333:*"}"#,
                "`IAM:*` on `arn:aws:iam::111122223333:*`",
            ),
            (r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:*:*:*:*"}"#, "`ec2:*` on `arn:aws:*:*:*:*`"),
            (r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::*"}"#, "`*` on `arn:aws:s3:::*`"),
            (
                r#"{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":["arn:aws:s3:::*","*"]}"#,
                "`s3:*` on `arn:aws:s3:::*`",
            ),
        ] {
            assert_eq!(grants(st), [(0, want.to_string())], "{st}");
        }
    }

    #[test]
    fn escalation_combinations_across_policies() {
        let d = |s: &str| parse(&format!(r#"{{"Statement":{s}}}"#)).unwrap();
        let pass = d(r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/app"}"#);
        let run = d(r#"{"Effect":"Allow","Action":["ec2:RunInstances","ec2:Describe*"],"Resource":"*"}"#);
        let iam = d(
            r#"[{"Effect":"Allow","Action":["iam:Attach*","iam:PutRolePolicy","iam:CreatePolicyVersion","iam:UpdateAssumeRolePolicy"],"Resource":"*"}]"#,
        );
        let assume = d(r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/*"}"#);
        let mut g = RoleGrants::default();
        g.add("pass", &pass);
        g.add("run", &run);
        g.add("iam", &iam);
        g.add("assume", &assume);
        let found: Vec<String> =
            g.escalations("arn:aws:iam::111122223333:role/node").into_iter().map(|e| e.what).collect();
        assert_eq!(
            found,
            [
                "iam:PassRole with ec2:RunInstances",
                "iam:CreatePolicyVersion",
                "iam:Attach*Policy",
                "iam:Put*Policy (iam:PutRolePolicy)",
                "iam:UpdateAssumeRolePolicy",
                "sts:AssumeRole on every role",
            ]
        );
        // Each alone, or scoped, is not an escalation.
        let mut g = RoleGrants::default();
        g.add("pass", &pass);
        let one_role =
            d(r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/reader"}"#);
        g.add("one", &one_role);
        assert!(g.escalations("arn:aws:iam::111122223333:role/node").is_empty());
        // An unconditional deny on every resource removes the grant.
        let deny = d(r#"{"Effect":"Deny","Action":"iam:*","Resource":"*"}"#);
        let mut g = RoleGrants::default();
        g.add("iam", &iam);
        g.add("deny", &deny);
        assert!(g.escalations("arn:aws:iam::111122223333:role/node").is_empty());
    }

    #[test]
    fn narrow_or_denying_statements_are_not_broad() {
        assert!(grants(r#"{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:?","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*/*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:iam::*:*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/*"}"#).is_empty());
    }
}
