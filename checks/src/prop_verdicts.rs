//! Property tests for what the clouds feed the checks: IAM trust documents (plain and
//! URL-encoded) and CIDR allow-lists, broken one field at a time (wrong type, unknown enum,
//! deep nesting, junk entries). No panic, bounded time, and never a `pass` that the well-formed
//! input does not give.

use crate::catalog::irsa::fixtures::cluster_with;
use crate::catalog::{net_001, net_002, wid_001, wid_002, wid_003};
use crate::iam::parse;
use crate::outcome::Status;
use crate::testing::{EKS_OIDC_PROVIDER, hardened_aks, make_public, run};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn host() -> &'static str {
    crate::testing::EKS_ISSUER.trim_start_matches("https://")
}

/// Well-formed trust documents: open to every service account (fails), and scoped (passes).
fn trust(scoped: bool) -> Value {
    let sub = if scoped { "system:serviceaccount:apps:api" } else { "system:serviceaccount:*" };
    let op = if scoped { "StringEquals" } else { "StringLike" };
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": EKS_OIDC_PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {op: {format!("{}:sub", host()): sub, format!("{}:aud", host()): "sts.amazonaws.com"}}
    }]})
}

fn leaves(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| leaves(c, [at.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, c)| leaves(c, [at.clone(), vec![i.to_string()]].concat(), out))
        }
        _ => {}
    }
}

fn slot<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        other => &mut other[k.as_str()],
    })
}

/// Another type, an unknown enum, or nesting; what IAM itself accepts is left out: a scalar in a
/// condition's values is a legitimate value (`"…:sub": 7` allows only `7`), and any action name
/// is a legitimate action.
fn wrong(old: &Value, pick: u8, path: &[String]) -> Value {
    let in_condition = path.iter().any(|p| p == "Condition") && path.len() > 4;
    let is_enum = path.last().is_some_and(|l| l == "Effect" || l == "Version");
    match (old, pick % 5) {
        (Value::String(s), 1) if is_enum => json!(format!("{s}Unknown")),
        (_, 0 | 1) if in_condition => json!({"x": [[[true]]]}),
        (_, 0 | 1) => json!(7),
        (_, 2) => Value::Null,
        (_, 3) => json!([{"x": [[[true]]]}]),
        _ if in_condition => json!([{"x": 1}]),
        _ => json!(false),
    }
}

/// The condition operator renamed to one IAM does not have (`StringLikeX`).
fn unknown_operator(doc: &mut Value) {
    if let Some(c) = doc["Statement"][0]["Condition"].as_object_mut() {
        let ops: Vec<String> = c.keys().cloned().collect();
        for op in ops {
            let v = c.remove(&op).unwrap();
            c.insert(format!("{op}X"), v);
        }
    }
}

/// The WID checks' statuses for a trust document given as text.
fn wid(text: &str) -> Vec<Status> {
    let started = Instant::now();
    let doc = match parse(&crate::iam::decode(text)) {
        Ok(d) => d,
        // A document that does not parse is the provider's to report as unknown.
        Err(_) => return vec![],
    };
    let c = cluster_with(doc);
    let out = [&wid_001::CHECK, &wid_002::CHECK, &wid_003::CHECK].iter().map(|k| run(k, &c).status).collect();
    assert!(started.elapsed() < Duration::from_secs(5), "a hang guard, not a benchmark");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_broken_trust_field_never_passes_what_the_open_policy_fails(at in any::<prop::sample::Index>(), pick in any::<u8>(), encode in any::<bool>(), scoped in any::<bool>()) {
        let base = trust(scoped);
        let mut all = Vec::new();
        leaves(&base, vec![], &mut all);
        let path = at.get(&all[1..]);
        let mut broken = base.clone();
        if pick % 7 == 6 {
            unknown_operator(&mut broken);
        } else {
            let s = slot(&mut broken, path);
            *s = wrong(s, pick, path);
        }
        let text = broken.to_string();
        let text = if encode { percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string() } else { text };
        let before = wid(&base.to_string());
        let after = wid(&text);
        for (i, s) in after.iter().enumerate() {
            if *s == Status::Pass {
                prop_assert_eq!(before[i], Status::Pass, "check {} passes only when {} is broken: {}", i, path.join("."), broken);
            }
        }
    }

    #[test]
    fn an_allow_list_with_the_internet_never_passes(junk in prop::collection::vec("\\PC{0,24}|[0-9./:a-f]{0,20}", 0..8), at in 0usize..8) {
        let mut entries: Vec<String> = junk;
        entries.insert(at.min(entries.len()), "0.0.0.0/0".to_string());
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let mut c = hardened_aks();
        make_public(&mut c, Some(&refs));
        for check in [&net_001::CHECK, &net_002::CHECK] {
            let o = run(check, &c);
            prop_assert_ne!(o.status, Status::Pass, "{} passes {:?}", check.meta.id, refs);
        }
    }
}

#[test]
fn deeply_nested_documents_are_errors_in_bounded_time() {
    for text in [
        format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)),
        format!(r#"{{"Statement": {}1{}}}"#, "[".repeat(200_000), "]".repeat(200_000)),
        format!("%7B%22Statement%22%3A{}", "%5B".repeat(200_000)),
    ] {
        let started = Instant::now();
        assert!(parse(&crate::iam::decode(&text)).is_err());
        assert!(started.elapsed() < Duration::from_secs(5), "a hang guard, not a benchmark");
    }
}
