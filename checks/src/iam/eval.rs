//! "Could this request be allowed?" — the policy evaluation the checks need, worst case for the
//! defender wherever the request leaves something open.
//!
//! A statement applies when its principal, action and resource elements match the request.
//! Its conditions are then read three-valued: an `Allow` whose conditions are unknown (a key the
//! request does not know, an operator not evaluated) counts as allowing, a `Deny` whose
//! conditions are unknown counts as not denying. An explicit deny wins; otherwise any applying
//! allow allows. A statement whose `Effect` is neither `Allow` nor `Deny` (IAM rejects such
//! documents) neither grants nor denies anything.

use crate::iam::condition::{Truth, evaluate_all};
use crate::iam::document::{Effect, PolicyDocument, Principals, Statement};
use crate::iam::request::Request;
use crate::iam::wildcard;

/// The outcome of evaluating a document for one request; indices are `Statement[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// These `Allow` statements apply and no `Deny` does.
    Allowed(Vec<usize>),
    /// These `Deny` statements apply (they win over any allow).
    Denied(Vec<usize>),
    /// No statement allows the request (implicit deny).
    NotAllowed,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
    /// The allowing statements; empty unless allowed.
    pub fn allowing(&self) -> &[usize] {
        match self {
            Decision::Allowed(by) => by,
            _ => &[],
        }
    }
}

/// `Principal`/`NotPrincipal` against the request's principal; ignored when the request has none.
fn principal_applies(st: &Statement, req: &Request) -> bool {
    let Some((kind, value)) = &req.principal else {
        return true;
    };
    let named = |p: &Option<Principals>| p.as_ref().map(|p| p.matches(kind, value));
    named(&st.principal).unwrap_or(true) && !named(&st.not_principal).unwrap_or(false)
}

/// `Action`/`NotAction`, case-insensitive wildcards. A statement with neither applies to nothing.
pub fn action_applies(st: &Statement, action: &str) -> bool {
    let any =
        |list: &Option<Vec<String>>| list.as_ref().map(|l| l.iter().any(|p| wildcard::matches_ignore_case(p, action)));
    if st.action.is_none() && st.not_action.is_none() {
        return false;
    }
    any(&st.action).unwrap_or(true) && !any(&st.not_action).unwrap_or(false)
}

/// `Resource`/`NotResource`, case-sensitive wildcards; ignored when the request has no resource.
fn resource_applies(st: &Statement, req: &Request) -> bool {
    let Some(resource) = &req.resource else {
        return true;
    };
    let any = |list: &Option<Vec<String>>| list.as_ref().map(|l| l.iter().any(|p| wildcard::matches(p, resource)));
    any(&st.resource).unwrap_or(true) && !any(&st.not_resource).unwrap_or(false)
}

/// Whether the statement's principal, action and resource match (conditions aside).
pub fn statement_applies(st: &Statement, req: &Request) -> bool {
    principal_applies(st, req) && action_applies(st, &req.action) && resource_applies(st, req)
}

/// Evaluates the whole document for `req`, worst case for the defender.
pub fn decide(doc: &PolicyDocument, req: &Request) -> Decision {
    let (mut allow, mut deny) = (Vec::new(), Vec::new());
    for st in doc.statements.iter().filter(|st| statement_applies(st, req)) {
        let conditions = evaluate_all(&st.conditions, req);
        match st.effect {
            Effect::Allow if conditions != Truth::False => allow.push(st.index),
            Effect::Deny if conditions == Truth::True => deny.push(st.index),
            _ => {}
        }
    }
    if !deny.is_empty() {
        Decision::Denied(deny)
    } else if !allow.is_empty() {
        Decision::Allowed(allow)
    } else {
        Decision::NotAllowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse;

    const PROVIDER: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.example/id/1";

    fn web_identity() -> Request {
        Request::new("sts:AssumeRoleWithWebIdentity").principal("Federated", PROVIDER)
    }

    fn doc(statements: &str) -> PolicyDocument {
        parse(&format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#)).unwrap()
    }

    #[test]
    fn principal_forms() {
        let fed =
            format!(r#"{{"Effect":"Allow","Principal":{{"Federated":["arn:other","{PROVIDER}"]}},"Action":"sts:*"}}"#);
        assert_eq!(decide(&doc(&fed), &web_identity()), Decision::Allowed(vec![0]));
        for p in [r#""*""#, r#"{"AWS":"*"}"#, r#"{"Federated":"arn:aws:iam::111122223333:oidc-provider/*"}"#] {
            let d = doc(&format!(r#"{{"Effect":"Allow","Principal":{p},"Action":"sts:AssumeRoleWithWebIdentity"}}"#));
            assert!(decide(&d, &web_identity()).is_allowed(), "{p}");
        }
        let other = doc(r#"{"Effect":"Allow","Principal":{"Federated":"arn:other"},"Action":"*"}"#);
        assert_eq!(decide(&other, &web_identity()), Decision::NotAllowed);
        let service = doc(r#"{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"*"}"#);
        assert_eq!(decide(&service, &web_identity()), Decision::NotAllowed);
        let not_principal = doc(r#"{"Effect":"Allow","NotPrincipal":{"Federated":"arn:other"},"Action":"*"}"#);
        assert!(decide(&not_principal, &web_identity()).is_allowed());
    }

    #[test]
    fn action_forms() {
        for a in [r#""STS:assumerolewithwebidentity""#, r#"["s3:GetObject","sts:AssumeRoleWith*"]"#, r#""*""#] {
            let d = doc(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":{a}}}"#));
            assert!(decide(&d, &web_identity()).is_allowed(), "{a}");
        }
        let not_action = doc(r#"{"Effect":"Allow","Principal":"*","NotAction":"sts:AssumeRole"}"#);
        assert!(decide(&not_action, &web_identity()).is_allowed());
        let excluded = doc(r#"{"Effect":"Allow","Principal":"*","NotAction":"sts:*"}"#);
        assert!(!decide(&excluded, &web_identity()).is_allowed());
        let neither = doc(r#"{"Effect":"Allow","Principal":"*"}"#);
        assert!(!decide(&neither, &web_identity()).is_allowed());
    }

    #[test]
    fn resources() {
        let d = doc(
            r#"[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":"ec2:*","NotResource":"arn:x"}]"#,
        );
        assert!(decide(&d, &Request::new("s3:GetObject").resource("arn:aws:s3:::b/k")).is_allowed());
        assert!(!decide(&d, &Request::new("s3:GetObject").resource("arn:aws:s3:::c/k")).is_allowed());
        assert!(decide(&d, &Request::new("ec2:RunInstances").resource("arn:y")).is_allowed());
        assert!(!decide(&d, &Request::new("ec2:RunInstances").resource("arn:x")).is_allowed());
    }

    #[test]
    fn deny_wins_and_unknown_keys_are_worst_case() {
        let d = doc(r#"[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k:team":"a"}}},
                {"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringEquals":{"k:env":"prod"}}}]"#);
        // Neither key known: the allow counts, the deny does not.
        assert_eq!(decide(&d, &web_identity()), Decision::Allowed(vec![0]));
        assert_eq!(decide(&d, &web_identity().with("K:ENV", "prod")), Decision::Denied(vec![1]));
        assert_eq!(decide(&d, &web_identity().with("k:team", "b")), Decision::NotAllowed);
        assert_eq!(decide(&d, &web_identity().without("k:team")), Decision::NotAllowed);
    }

    #[test]
    fn other_effects_never_grant_or_deny() {
        // An Effect IAM does not know, or none, is a parse error (parse.rs); a document built
        // otherwise still neither grants nor denies through such a statement.
        let mut d = doc(r#"[{"Effect":"Allow","Principal":"*","Action":"*"}]"#);
        d.statements[0].effect = Effect::Other(String::new());
        assert_eq!(decide(&d, &web_identity()), Decision::NotAllowed);
    }
}
