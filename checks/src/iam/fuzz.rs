//! Property tests: no input, however malformed, makes parsing, evaluation, the IRSA analysis or
//! the checks built on them panic.

use crate::field::Field;
use crate::iam::{Effect, Request, analyze_irsa, broad_statements, decide, parse};
use crate::model::{Cloud, InlinePolicy};
use crate::outcome::Status;
use crate::testing::{EKS_ISSUER, EKS_OIDC_PROVIDER, run};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn host() -> &'static str {
    EKS_ISSUER.trim_start_matches("https://")
}

/// Strings with the shapes policies use: wildcards, ARNs, keys, and arbitrary text.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just("*".to_string()),
        Just("sts:AssumeRoleWithWebIdentity".to_string()),
        Just("sts:*".to_string()),
        Just("system:serviceaccount:*".to_string()),
        Just("system:serviceaccount:*:default".to_string()),
        Just("sts.amazonaws.com".to_string()),
        Just(EKS_OIDC_PROVIDER.to_string()),
        "system:serviceaccount:[a-z*?]{0,6}:[a-z*?]{0,6}",
        "[a-zA-Z0-9:*?/._-]{0,16}",
        "\\PC{0,8}",
    ]
    .boxed()
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => text().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// Any JSON, nested a little.
fn junk() -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(text(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

fn strings() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => text().prop_map(Value::String),
        8 => prop::collection::vec(text().prop_map(Value::String), 0..4).prop_map(Value::Array),
        1 => junk(),
    ]
    .boxed()
}

fn principal() -> BoxedStrategy<Value> {
    let kind = prop_oneof![Just("AWS"), Just("Federated"), Just("Service"), Just("CanonicalUser"), Just("x")];
    prop_oneof![
        2 => Just(Value::from("*")),
        4 => Just(serde_json::json!({"Federated": EKS_OIDC_PROVIDER})),
        8 => prop::collection::btree_map(kind.prop_map(String::from), strings(), 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => junk(),
    ]
    .boxed()
}

fn operator() -> BoxedStrategy<String> {
    let prefix = prop_oneof![Just(""), Just("ForAnyValue:"), Just("ForAllValues:"), Just("Other:")];
    let base = prop_oneof![
        Just("StringEquals"),
        Just("StringNotEquals"),
        Just("StringEqualsIgnoreCase"),
        Just("StringNotEqualsIgnoreCase"),
        Just("StringLike"),
        Just("StringNotLike"),
        Just("ArnLike"),
        Just("ArnNotEquals"),
        Just("Bool"),
        Just("Null"),
        Just("NumericLessThan"),
        Just("DateGreaterThan"),
        Just("IpAddress"),
        Just("Bogus"),
    ];
    let suffix = prop_oneof![Just(""), Just("IfExists")];
    (prefix, base, suffix, "\\PC{0,2}")
        .prop_map(|(p, b, s, noise)| if noise.is_empty() { format!("{p}{b}{s}") } else { format!("{p}{b}{noise}{s}") })
        .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        Just(format!("{}:sub", host())),
        Just(format!("{}:aud", host())),
        Just(format!("{}:SUB", host().to_uppercase())),
        Just("oidc.eks.us-east-1.amazonaws.com/id/OTHER:sub".to_string()),
        Just("aws:SourceVpc".to_string()),
        text(),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<Value> {
    let values = prop_oneof![
        8 => scalar(),
        8 => prop::collection::vec(scalar(), 0..4).prop_map(Value::Array),
        1 => junk(),
    ];
    let entries = prop::collection::btree_map(key(), values, 0..3).prop_map(|m| Value::Object(m.into_iter().collect()));
    prop_oneof![
        16 => prop::collection::btree_map(operator(), entries, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => junk(),
    ]
    .boxed()
}

fn statement() -> BoxedStrategy<Value> {
    let effect = prop_oneof![6 => Just(Value::from("Allow")), 3 => Just(Value::from("Deny")), 1 => scalar()];
    let action = prop_oneof![
        4 => Just(Value::from("sts:AssumeRoleWithWebIdentity")),
        1 => Just(Value::from("sts:*")),
        4 => strings(),
    ];
    let sid = prop_oneof![8 => text().prop_map(Value::String), 1 => scalar()];
    let fields = (
        prop::option::weighted(0.95, effect),
        prop::option::weighted(0.9, principal()),
        prop::option::weighted(0.1, principal()),
        prop::option::weighted(0.8, action),
        prop::option::weighted(0.2, strings()),
        prop::option::weighted(0.3, strings()),
        prop::option::weighted(0.1, strings()),
        prop::option::weighted(0.8, condition()),
        prop::option::weighted(0.2, sid),
    );
    let object = fields.prop_map(|(e, p, np, a, na, r, nr, c, sid)| {
        let mut m = Map::new();
        let names = ["Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource"];
        for (name, v) in names.into_iter().zip([e, p, np, a, na, r, nr]) {
            if let Some(v) = v {
                m.insert(name.into(), v);
            }
        }
        if let Some(c) = c {
            m.insert("Condition".into(), c);
        }
        if let Some(s) = sid {
            m.insert("Sid".into(), s);
        }
        Value::Object(m)
    });
    prop_oneof![30 => object, 1 => junk()].boxed()
}

fn document() -> BoxedStrategy<Value> {
    let statements = prop_oneof![
        4 => statement(),
        8 => prop::collection::vec(statement(), 0..5).prop_map(Value::Array),
        1 => junk(),
    ];
    let version = prop_oneof![8 => Just(Value::from("2012-10-17")), 1 => scalar()];
    let doc = (prop::option::weighted(0.7, version), prop::option::weighted(0.95, statements)).prop_map(
        |(version, statements)| {
            let mut m = Map::new();
            if let Some(v) = version {
                m.insert("Version".into(), v);
            }
            if let Some(s) = statements {
                m.insert("Statement".into(), s);
            }
            Value::Object(m)
        },
    );
    prop_oneof![20 => doc, 1 => junk()].boxed()
}

/// Runs everything that reads a policy document on `text`; panics are the failure.
fn exercise(text: &str) {
    let Ok(doc) = parse(text) else { return };
    let probe = Request::new("sts:AssumeRoleWithWebIdentity").principal("Federated", EKS_OIDC_PROVIDER);
    for req in [
        probe.clone(),
        probe.with(&format!("{}:sub", host()), "system:serviceaccount:a:b"),
        Request::new("s3:GetObject").resource("arn:aws:s3:::b/k"),
    ] {
        let decision = decide(&doc, &req);
        for i in decision.allowing() {
            assert!(doc.statements.iter().any(|st| st.index == *i && st.effect == Effect::Allow));
        }
    }
    let analysis = analyze_irsa(&doc, EKS_OIDC_PROVIDER, EKS_ISSUER);
    agrees_with_concrete_requests(&doc, &analysis);
    broad_statements(&doc);
    let mut c = crate::catalog::node_role::fixtures::with_node_role(|r| {
        let policy = InlinePolicy { name: "fuzz".into(), document: Field::value("d", doc.clone(), "{…}") };
        r.inline = Field::value(r.inline.path.clone(), vec![policy], "[fuzz]");
    });
    c.workload_identity.irsa_roles = crate::catalog::irsa::fixtures::cluster_with(doc).workload_identity.irsa_roles;
    for check in crate::registry::all().iter().filter(|c| c.meta.applies_to(Cloud::Eks)) {
        let o = run(check, &c);
        assert!(o.status != Status::Fail || !o.evidence.is_empty(), "{}: a failure without evidence", check.meta.id);
    }
}

/// Soundness against the concrete evaluator: whatever `decide` lets in for sample subjects and
/// audiences, the analysis never calls scoped. (Documents whose `Federated` values hold
/// wildcards are skipped: IAM compares principals literally, `decide` as patterns.)
fn agrees_with_concrete_requests(doc: &crate::iam::PolicyDocument, a: &crate::iam::IrsaAnalysis) {
    use crate::iam::{Principals, Scope};
    let wildcard_principal = doc.statements.iter().flat_map(|st| [&st.principal, &st.not_principal]).any(|p| {
        matches!(p, Some(Principals::ByType(m)) if m.values().flatten().any(|v| v.trim() != "*" && (v.contains('*') || v.contains('?'))))
    });
    if wildcard_principal {
        return;
    }
    let (sub, aud) = (format!("{}:sub", host()), format!("{}:aud", host()));
    let mut base = Request::new("sts:AssumeRoleWithWebIdentity").principal("Federated", EKS_OIDC_PROVIDER);
    for c in doc.statements.iter().flat_map(|st| &st.conditions) {
        let k = c.key.trim().to_lowercase();
        let foreign =
            k.split_once(':').is_some_and(|(p, _)| p != host().to_lowercase() && (p.contains('.') || p.contains('/')));
        if k == "aws:federatedprovider" {
            base = base.with(&k, EKS_OIDC_PROVIDER);
        } else if foreign
            || k.starts_with("aws:principal")
            || k == "sts:externalid"
            || k.starts_with("aws:source") && k != "aws:sourceip" && k != "aws:sourcevpc" && k != "aws:sourcevpce"
        {
            base = base.without(&k);
        }
    }
    let allowed = |ns: &str, sa: &str, audience: &str| {
        let req = base.clone().with(&sub, format!("system:serviceaccount:{ns}:{sa}")).with(&aud, audience);
        decide(doc, &req).is_allowed()
    };
    let auds = ["sts.amazonaws.com", "x"];
    let any_aud = |ns: &str, sa: &str| auds.iter().any(|au| allowed(ns, sa, au));
    if any_aud("a", "x") && any_aud("b", "x") {
        assert_ne!(a.namespaces, Scope::Scoped, "two namespaces let in: {doc:?}");
    }
    if any_aud("a", "x") && any_aud("a", "y") {
        assert_ne!(a.service_accounts, Scope::Scoped, "two service accounts let in: {doc:?}");
    }
    if allowed("a", "x", "x") {
        assert_ne!(a.audiences, Scope::Scoped, "another audience let in: {doc:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn policy_shaped_documents_never_panic(doc in document(), encode in any::<bool>()) {
        let text = serde_json::to_string(&doc).unwrap_or_default();
        let text = if encode {
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string()
        } else {
            text
        };
        exercise(&text);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,64}") {
        exercise(&s);
    }

    #[test]
    fn percent_soup_never_panics(s in "(%[0-9A-Fa-f]{2}|%[^0-9]?|[{}\":,\\[\\]a-zA-Z*+ ]){0,48}") {
        exercise(&s);
    }
}

#[test]
fn open_trust_goes_all_the_way_through() {
    // A well-formed open trust policy reaches the analysis and fails the WID checks.
    let text = format!(
        r#"{{"Statement":{{"Effect":"Allow","Principal":{{"Federated":"{EKS_OIDC_PROVIDER}"}},"Action":"sts:*"}}}}"#
    );
    let doc = parse(&text).unwrap();
    assert!(analyze_irsa(&doc, EKS_OIDC_PROVIDER, EKS_ISSUER).namespaces.is_broad());
    exercise(&text);
    let o = run(&crate::catalog::wid_001::CHECK, &crate::catalog::irsa::fixtures::cluster_with(doc));
    assert_eq!(o.status, Status::Fail);
}
/// Guards the generators: enough documents parse, and some trust this cluster's provider, for
/// the properties above to reach the analysis and the checks.
#[test]
fn generators_reach_the_analysis() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut parsed, mut trusted) = (0, 0);
    for _ in 0..1000 {
        let Ok(tree) = document().new_tree(&mut runner) else { continue };
        if let Ok(d) = parse(&tree.current().to_string()) {
            parsed += 1;
            trusted += usize::from(!analyze_irsa(&d, EKS_OIDC_PROVIDER, EKS_ISSUER).trust_statements.is_empty());
        }
    }
    assert!(parsed > 250 && trusted > 25, "parsed {parsed}, trusted {trusted}");
}
