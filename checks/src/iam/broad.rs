//! Over-broad identity policy statements (NODE-002): `Allow` of every action, or every action of
//! a service, on every resource.

use crate::iam::document::{Effect, PolicyDocument, Statement};

/// A statement that grants a whole service or more on every resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadGrant<'a> {
    pub statement: &'a Statement,
    /// What it grants, in words: `` `iam:*` on `*` ``, `` every action except `…` on `*` ``.
    pub grants: String,
}

/// A wildcard that covers whole services: `*`, `s3:*`, `*:*`, `s3:?*`, `s3*`.
fn whole_service(action: &str) -> bool {
    let a = action.trim();
    match a.split_once(':') {
        Some((_, name)) => name.contains('*') && name.chars().all(|c| c == '*' || c == '?'),
        None => a.contains('*'),
    }
}

/// `*`, or an ARN pattern whose every component after the partition is a bare wildcard
/// (`arn:aws:*:*:*:*`).
fn any_resource(resource: &str) -> bool {
    let r = resource.trim();
    let is_wild = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    r == "*"
        || r.strip_prefix("arn:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(_, rest)| rest.split(':').all(is_wild))
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// Every resource: `Resource` lists `*`, or `NotResource` excludes only some.
fn every_resource(st: &Statement) -> Option<String> {
    if let Some(resources) = &st.resource {
        return resources.iter().find(|r| any_resource(r)).map(|r| format!("`{}`", r.trim()));
    }
    st.not_resource.as_ref().map(|nr| format!("every resource except {}", quoted(nr)))
}

/// The `Allow` statements granting `*` or `SERVICE:*` on every resource, and `Allow` +
/// `NotAction` on every resource (everything except a few actions). Conditions are not
/// weighed: an over-broad grant is reported even when a condition narrows it.
pub fn broad_statements(doc: &PolicyDocument) -> Vec<BroadGrant<'_>> {
    let mut out = Vec::new();
    for st in doc.statements.iter().filter(|st| st.effect == Effect::Allow) {
        let Some(on) = every_resource(st) else { continue };
        let wide: Vec<String> = st.action.iter().flatten().filter(|a| whole_service(a)).cloned().collect();
        let grants = if !wide.is_empty() {
            format!("{} on {on}", quoted(&wide))
        } else if let Some(not_action) = &st.not_action {
            format!("every action except {} on {on}", quoted(not_action))
        } else {
            continue;
        };
        out.push(BroadGrant { statement: st, grants });
    }
    out
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
    fn narrow_or_denying_statements_are_not_broad() {
        assert!(grants(r#"{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:?","Resource":"*"}"#).is_empty());
        assert!(grants(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}"#).is_empty());
    }
}
