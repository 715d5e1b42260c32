//! IRSA trust analysis: which service account tokens of one cluster a role's trust policy
//! accepts, found by probing [`decide`] with synthetic `AssumeRoleWithWebIdentity` requests.
//!
//! The probes are `sub` = `system:serviceaccount:<ns>:<sa>` for made-up namespace and service
//! account names (which no policy names, so a probe that is allowed stands for "any name") and
//! for every name that literally appears in the document's `:sub` patterns (wildcards filled in),
//! with `aud` = `sts.amazonaws.com`, made-up audiences and the audiences the document names.
//! A pod chooses its token's audience, so a subject counts as allowed when any audience is.
//! The whole document is evaluated, so a second statement that re-opens access is seen and a
//! `Deny` that narrows an `Allow` is honoured.

use crate::iam::document::{Effect, PolicyDocument};
use crate::iam::eval::{Decision, decide, statement_applies};
use crate::iam::request::Request;

/// The audience EKS pods request for IRSA tokens.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// The action IRSA uses.
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// Made-up names of different shapes; "every namespace" means all of them are allowed.
const PROBE_NAMESPACES: [&str; 3] = ["kp-probe-ns-7f3a", "q0probe9", "z"];
const PROBE_SERVICE_ACCOUNTS: [&str; 3] = ["kp-probe-sa-2c9e", "r1probe4", "y"];
/// A made-up audience, then near misses of `sts.amazonaws.com` that loose patterns admit.
const PROBE_AUDIENCES: [&str; 4] =
    ["kp-probe-aud-5d1e", "sts.amazonaws.com.kp-probe.example", "kp-probe.sts.amazonaws.com", "sts.amazonaws.co"];

/// The prefix of the cluster's condition keys: the issuer URL without scheme or trailing `/`,
/// lower-cased (`oidc.eks.REGION.amazonaws.com/id/ID`).
pub fn issuer_host(issuer_url: &str) -> String {
    let url = issuer_url.trim();
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    host.trim_end_matches('/').to_lowercase()
}

/// Something a trust policy accepts, and the statements that accept it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// A `sub` pattern (`system:serviceaccount:*:default`, `system:serviceaccount:payments:*`)
    /// or an audience (`*` = any audience).
    pub pattern: String,
    pub statements: Vec<usize>,
}

/// What one role's trust policy lets the cluster's service account tokens do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IrsaAnalysis {
    /// `Allow` statements naming the provider and `sts:AssumeRoleWithWebIdentity` (conditions aside).
    pub trust_statements: Vec<usize>,
    /// Subjects allowed in every namespace (WID-001): `system:serviceaccount:*:*` or `…:*:SA`.
    pub every_namespace: Vec<Grant>,
    /// Namespaces whose every service account is allowed (WID-002): `system:serviceaccount:NS:*`,
    /// or `system:serviceaccount:*:*` when that holds in every namespace.
    pub every_service_account: Vec<Grant>,
    /// Audiences other than `sts.amazonaws.com` that are accepted (WID-003); `*` = any audience.
    pub other_audiences: Vec<Grant>,
}

/// The `Allow` statements that trust `provider_arn` for `sts:AssumeRoleWithWebIdentity`,
/// whatever their conditions.
pub fn web_identity_statements(doc: &PolicyDocument, provider_arn: &str) -> Vec<usize> {
    let req = Request::new(WEB_IDENTITY_ACTION).principal("Federated", provider_arn);
    doc.statements
        .iter()
        .filter(|st| st.effect == Effect::Allow && statement_applies(st, &req))
        .map(|st| st.index)
        .collect()
}

/// A name to probe with, and how the document wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Name {
    concrete: String,
    label: String,
}

/// A pattern with its wildcards filled in, so the result matches it: `pay*` → `pay`.
fn concrete(pattern: &str) -> String {
    pattern.replace('*', "").replace('?', "x")
}

fn push_unique(names: &mut Vec<Name>, label: &str) {
    let name = Name { concrete: concrete(label), label: label.to_string() };
    if !name.concrete.is_empty() && !names.iter().any(|n| n.concrete == name.concrete) {
        names.push(name);
    }
}

fn probes(names: &[&str]) -> Vec<Name> {
    names.iter().map(|n| Name { concrete: n.to_string(), label: "*".into() }).collect()
}

fn union(into: &mut Vec<usize>, more: &[usize]) {
    for i in more {
        if !into.contains(i) {
            into.push(*i);
        }
    }
    into.sort_unstable();
}

struct Prober<'a> {
    doc: &'a PolicyDocument,
    provider: &'a str,
    sub_key: String,
    aud_key: String,
    /// Keys of other identity providers: never in a token from this one.
    foreign_keys: Vec<String>,
    audiences: Vec<String>,
}

impl Prober<'_> {
    fn decide(&self, sub: &str, aud: &str) -> Decision {
        let mut req = Request::new(WEB_IDENTITY_ACTION)
            .principal("Federated", self.provider)
            .with(&self.sub_key, sub)
            .with(&self.aud_key, aud);
        for k in &self.foreign_keys {
            req = req.without(k);
        }
        decide(self.doc, &req)
    }

    /// The statements allowing `sub` with some audience; `None` when no audience works.
    fn with_any_audience(&self, sub: &str) -> Option<Vec<usize>> {
        let mut by = Vec::new();
        for aud in &self.audiences {
            union(&mut by, self.decide(sub, aud).allowing());
        }
        (!by.is_empty()).then_some(by)
    }

    /// The statements allowing every pair, or `None` if one pair is refused.
    fn all_allowed(&self, namespaces: &[Name], accounts: &[Name]) -> Option<Vec<usize>> {
        let mut by = Vec::new();
        for ns in namespaces {
            for sa in accounts {
                union(&mut by, &self.with_any_audience(&subject(&ns.concrete, &sa.concrete))?);
            }
        }
        Some(by)
    }
}

fn subject(namespace: &str, account: &str) -> String {
    format!("system:serviceaccount:{namespace}:{account}")
}

/// Probes `doc` as the trust policy of a role, for tokens of the cluster whose IAM OIDC
/// provider is `provider_arn` and whose issuer is `issuer_url`.
pub fn analyze_irsa(doc: &PolicyDocument, provider_arn: &str, issuer_url: &str) -> IrsaAnalysis {
    let host = issuer_host(issuer_url);
    let (sub_key, aud_key) = (format!("{host}:sub"), format!("{host}:aud"));
    let (mut namespaces, mut accounts, mut subjects) = (Vec::new(), Vec::new(), Vec::new());
    let mut audiences: Vec<String> = std::iter::once(STS_AUDIENCE).chain(PROBE_AUDIENCES).map(String::from).collect();
    let mut foreign_keys = Vec::new();
    for c in doc.statements.iter().flat_map(|st| &st.conditions) {
        let key = c.key.to_lowercase();
        if key == sub_key {
            for v in &c.values {
                push_unique(&mut subjects, v);
                // `…:NS:SA`: the last two segments name the namespace and service account.
                let mut segments = v.rsplit(':');
                if let (Some(sa), Some(ns)) = (segments.next(), segments.next()) {
                    push_unique(&mut accounts, sa);
                    push_unique(&mut namespaces, ns);
                }
            }
        } else if key == aud_key {
            for a in c.values.iter().map(|v| concrete(v)) {
                if !a.is_empty() && !audiences.contains(&a) {
                    audiences.push(a);
                }
            }
        } else if let Some((prefix, _)) = key.split_once(':')
            && prefix != host
            && (prefix.contains('.') || prefix.contains('/'))
        {
            foreign_keys.push(key);
        }
    }
    let p = Prober { doc, provider: provider_arn, sub_key, aud_key, foreign_keys, audiences };
    let (probe_ns, probe_sa) = (probes(&PROBE_NAMESPACES), probes(&PROBE_SERVICE_ACCOUNTS));
    let mut out = IrsaAnalysis { trust_statements: web_identity_statements(doc, provider_arn), ..Default::default() };

    // Every namespace, every service account; otherwise named service accounts in every namespace.
    if let Some(by) = p.all_allowed(&probe_ns, &probe_sa) {
        let g = Grant { pattern: subject("*", "*"), statements: by };
        out.every_namespace.push(g.clone());
        out.every_service_account.push(g);
    } else {
        for sa in &accounts {
            if let Some(by) = p.all_allowed(&probe_ns, std::slice::from_ref(sa)) {
                out.every_namespace.push(Grant { pattern: subject("*", &sa.label), statements: by });
            }
        }
        for ns in &namespaces {
            if let Some(by) = p.all_allowed(std::slice::from_ref(ns), &probe_sa) {
                out.every_service_account.push(Grant { pattern: subject(&ns.label, "*"), statements: by });
            }
        }
    }

    // Audiences: any subject the document could let in, with each audience other than STS.
    let all_ns: Vec<Name> = probe_ns.into_iter().chain(namespaces).collect();
    let all_sa: Vec<Name> = probe_sa.into_iter().chain(accounts).collect();
    let candidates: Vec<String> = all_ns
        .iter()
        .flat_map(|ns| all_sa.iter().map(|sa| subject(&ns.concrete, &sa.concrete)))
        .chain(subjects.into_iter().map(|s| s.concrete))
        .collect();
    for aud in p.audiences.iter().filter(|a| a.as_str() != STS_AUDIENCE) {
        let mut by = Vec::new();
        for sub in &candidates {
            union(&mut by, p.decide(sub, aud).allowing());
        }
        if by.is_empty() {
            continue;
        }
        if aud == PROBE_AUDIENCES[0] {
            // Any audience: the near misses add nothing.
            out.other_audiences = vec![Grant { pattern: "*".into(), statements: by }];
            break;
        }
        out.other_audiences.push(Grant { pattern: aud.clone(), statements: by });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse;

    const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/";
    const PROVIDER: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    const HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";

    fn analyze(statements: &str) -> IrsaAnalysis {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#).replace("HOST", HOST);
        analyze_irsa(&parse(&text).unwrap(), PROVIDER, ISSUER)
    }

    fn allow(condition: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}"#
        )
    }

    fn patterns(grants: &[Grant]) -> Vec<&str> {
        grants.iter().map(|g| g.pattern.as_str()).collect()
    }

    #[test]
    fn issuer_host_strips_scheme_and_slash() {
        assert_eq!(issuer_host(ISSUER), HOST.to_lowercase());
        assert_eq!(issuer_host("oidc.example/ID"), "oidc.example/id");
    }

    #[test]
    fn scoped_trust_grants_nothing_broad() {
        let a = analyze(&allow(
            r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:payments:api","HOST:aud":"sts.amazonaws.com"}}"#,
        ));
        assert_eq!(a, IrsaAnalysis { trust_statements: vec![0], ..Default::default() });
    }

    #[test]
    fn default_service_account_of_every_namespace() {
        let a = analyze(&allow(
            r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*:default"},"StringEquals":{"HOST:aud":"sts.amazonaws.com"}}"#,
        ));
        assert_eq!(patterns(&a.every_namespace), ["system:serviceaccount:*:default"]);
        assert!(a.every_service_account.is_empty() && a.other_audiences.is_empty());
    }

    #[test]
    fn wildcard_namespace_label_is_kept_as_written() {
        let a = analyze(&allow(
            r#"{"StringLike":{"HOST:sub":"system:serviceaccount:team-?-*:*","HOST:aud":"sts.amazonaws.com"}}"#,
        ));
        assert_eq!(patterns(&a.every_service_account), ["system:serviceaccount:team-?-*:*"]);
        assert!(a.every_namespace.is_empty());
    }

    #[test]
    fn loose_audience_patterns() {
        let a = analyze(&allow(
            r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b"},"StringLike":{"HOST:aud":"sts.amazonaws.com*"}}"#,
        ));
        assert_eq!(patterns(&a.other_audiences), ["sts.amazonaws.com.kp-probe.example"]);
        let a = analyze(&allow(
            r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b","HOST:aud":["sts.amazonaws.com","my-app"]}}"#,
        ));
        assert_eq!(patterns(&a.other_audiences), ["my-app"]);
        let a = analyze(&allow(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b"}}"#));
        assert_eq!(patterns(&a.other_audiences), ["*"]);
    }

    #[test]
    fn audience_is_chosen_by_the_pod() {
        // Scoped to a custom audience only: a pod can still request a token for it.
        let a = analyze(&allow(r#"{"StringLike":{"HOST:sub":"*","HOST:aud":"my-app"}}"#));
        assert_eq!(patterns(&a.every_namespace), ["system:serviceaccount:*:*"]);
        assert_eq!(patterns(&a.other_audiences), ["my-app"]);
    }

    #[test]
    fn another_providers_keys_are_absent_from_this_providers_tokens() {
        // The condition names another cluster's issuer: no token of this cluster satisfies it.
        let a = analyze(&allow(
            r#"{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub":"system:serviceaccount:a:b"}}"#,
        ));
        assert_eq!(a, IrsaAnalysis { trust_statements: vec![0], ..Default::default() });
        // A global key this analysis does not know stays worst case.
        let a = analyze(&allow(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#));
        assert_eq!(patterns(&a.every_namespace), ["system:serviceaccount:*:*"]);
    }
}
