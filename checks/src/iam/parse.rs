//! Parsing policy documents in every JSON form IAM accepts, plain or URL-encoded as IAM returns
//! them on the wire.

use crate::iam::document::{Condition, Effect, PolicyDocument, Principals, Statement};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a text is not a policy document. Every message is one line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy document is not JSON: {0}")]
    NotJson(String),
    #[error("the policy document is not JSON after URL-decoding: {0}")]
    NotJsonDecoded(String),
    #[error("the policy document is URL-encoded but does not decode to UTF-8 text")]
    NotUtf8,
    #[error("the policy document is ambiguous: {0} (which one IAM acts on cannot be told)")]
    DuplicateKey(String),
    #[error("the policy document is {0}, not an object")]
    NotAnObject(&'static str),
    #[error("the policy document has no Statement")]
    NoStatement,
    #[error("Statement[{0}].Effect is {1:?}; IAM knows only \"Allow\" and \"Deny\"")]
    UnknownEffect(usize, String),
    #[error("Statement[{0}] has no Effect; IAM requires \"Allow\" or \"Deny\"")]
    NoEffect(usize),
    #[error("Statement[{0}] is {1}, not an object")]
    StatementNotObject(usize, &'static str),
    #[error("{element}: {problem}")]
    BadElement { element: String, problem: String },
}

/// Parses a policy document: a JSON text, or the URL-encoded JSON IAM returns (`%7B%22Version…`,
/// RFC 3986 percent-decoding, where `+` stays a plus sign). JSON is tried first.
/// A document repeating a key in one object is ambiguous: an error, never one reading of it.
pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
    let text = text.trim();
    let (value, json) = match serde_json::from_str::<Value>(text) {
        Ok(v) => (v, std::borrow::Cow::Borrowed(text)),
        Err(_) if text.contains('%') => {
            let decoded = percent_encoding::percent_decode_str(text).decode_utf8().map_err(|_| PolicyError::NotUtf8)?;
            let decoded = decoded.trim().to_string();
            let v = serde_json::from_str(&decoded).map_err(|e| PolicyError::NotJsonDecoded(e.to_string()))?;
            (v, std::borrow::Cow::Owned(decoded))
        }
        Err(e) => return Err(PolicyError::NotJson(e.to_string())),
    };
    if let Some(why) = crate::iam::unique::duplicate_key(&json) {
        return Err(PolicyError::DuplicateKey(why));
    }
    from_value(&value)
}

/// The document text as JSON: itself when it is JSON, else percent-decoded (lossily, for
/// attributing and showing a document that does not parse).
pub fn decode(text: &str) -> std::borrow::Cow<'_, str> {
    let t = text.trim();
    if serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok() || !t.contains('%') {
        return t.into();
    }
    percent_encoding::percent_decode_str(t).decode_utf8_lossy()
}

/// Converts an already-parsed JSON value.
pub fn from_value(value: &Value) -> Result<PolicyDocument, PolicyError> {
    let Value::Object(doc) = value else {
        return Err(PolicyError::NotAnObject(kind(value)));
    };
    let version = optional_string(doc, "Version", "Version")?;
    let statements = match doc.get("Statement") {
        None | Some(Value::Null) => return Err(PolicyError::NoStatement),
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| statement(i, v)).collect::<Result<_, _>>()?
        }
        Some(single) => vec![statement(0, single)?],
    };
    Ok(PolicyDocument { version, statements })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn bad(element: impl Into<String>, problem: impl Into<String>) -> PolicyError {
    PolicyError::BadElement { element: element.into(), problem: problem.into() }
}

fn optional_string(obj: &Map<String, Value>, key: &str, element: &str) -> Result<Option<String>, PolicyError> {
    match obj.get(key) {
        // `null` is not IAM's "absent": a wrong type, so the document does not parse.
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(element, format!("expected a string, found {}", kind(other)))),
    }
}

/// A string or an array of strings (`Action`, `Resource`, principal values).
fn strings(v: &Value, element: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                other => Err(bad(element, format!("expected strings, found {}", kind(other)))),
            })
            .collect(),
        other => Err(bad(element, format!("expected a string or an array of strings, found {}", kind(other)))),
    }
}

fn optional_strings(obj: &Map<String, Value>, key: &str, at: &str) -> Result<Option<Vec<String>>, PolicyError> {
    match obj.get(key) {
        // `null` is not IAM's "absent": a wrong type, so the document does not parse.
        None => Ok(None),
        Some(v) => strings(v, &format!("{at}.{key}")).map(Some),
    }
}

fn principals(obj: &Map<String, Value>, key: &str, at: &str) -> Result<Option<Principals>, PolicyError> {
    let element = format!("{at}.{key}");
    match obj.get(key) {
        // `null` is not IAM's "absent": a wrong type, so the document does not parse.
        None => Ok(None),
        Some(Value::String(s)) if s.trim() == "*" => Ok(Some(Principals::Any)),
        Some(Value::Object(by_type)) => {
            let mut out = BTreeMap::new();
            for (t, values) in by_type {
                out.insert(t.clone(), strings(values, &format!("{element}.{t}"))?);
            }
            Ok(Some(Principals::ByType(out)))
        }
        Some(Value::String(s)) => {
            let shown: String = s.chars().take(60).collect();
            Err(bad(element, format!("expected \"*\" or an object of principal types, found {shown:?}")))
        }
        Some(other) => {
            Err(bad(element, format!("expected \"*\" or an object of principal types, found {}", kind(other))))
        }
    }
}

/// A condition value as a string: strings as is, booleans and numbers as their JSON text.
fn scalar(v: &Value, element: &str) -> Result<String, PolicyError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(bad(element, format!("expected a string, boolean or number, found {}", kind(other)))),
    }
}

fn conditions(obj: &Map<String, Value>, at: &str) -> Result<Vec<Condition>, PolicyError> {
    let element = format!("{at}.Condition");
    let block = match obj.get("Condition") {
        None | Some(Value::Null) => return Ok(vec![]),
        Some(Value::Object(block)) => block,
        Some(other) => return Err(bad(element, format!("expected an object, found {}", kind(other)))),
    };
    let mut out = Vec::new();
    for (operator, entries) in block {
        let Value::Object(entries) = entries else {
            return Err(bad(format!("{element}.{operator}"), format!("expected an object, found {}", kind(entries))));
        };
        for (key, values) in entries {
            let at = format!("{element}.{operator}.{key}");
            let values = match values {
                Value::Array(items) => items.iter().map(|v| scalar(v, &at)).collect::<Result<_, _>>()?,
                single => vec![scalar(single, &at)?],
            };
            out.push(Condition { operator: operator.clone(), key: key.clone(), values });
        }
    }
    Ok(out)
}

fn statement(index: usize, v: &Value) -> Result<Statement, PolicyError> {
    let Value::Object(obj) = v else {
        return Err(PolicyError::StatementNotObject(index, kind(v)));
    };
    let at = format!("Statement[{index}]");
    // IAM requires Effect and accepts only `Allow` and `Deny`: anything else (none included) is
    // an error, checked last, after the fields' own errors. Reading a statement IAM would refuse
    // as "grants nothing" could pass what grants access.
    let written = optional_string(obj, "Effect", &format!("{at}.Effect"))?;
    let effect = match written.as_deref() {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => Effect::Other(other.unwrap_or_default().to_string()),
    };
    let statement = Statement {
        index,
        sid: optional_string(obj, "Sid", &format!("{at}.Sid"))?,
        effect,
        principal: principals(obj, "Principal", &at)?,
        not_principal: principals(obj, "NotPrincipal", &at)?,
        action: optional_strings(obj, "Action", &at)?,
        not_action: optional_strings(obj, "NotAction", &at)?,
        resource: optional_strings(obj, "Resource", &at)?,
        not_resource: optional_strings(obj, "NotResource", &at)?,
        conditions: conditions(obj, &at)?,
        raw: serde_json::to_string(v).unwrap_or_default(),
    };
    match (&statement.effect, written) {
        (Effect::Other(_), None) => Err(PolicyError::NoEffect(index)),
        (Effect::Other(e), Some(_)) => Err(PolicyError::UnknownEffect(index, e.clone())),
        _ => Ok(statement),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":"system:serviceaccount:a:b","x:aud":["sts.amazonaws.com"]}}}]}"#;

    #[test]
    fn plain_json_with_every_element() {
        let d = parse(GOOD).unwrap();
        assert_eq!(d.version.as_deref(), Some("2012-10-17"));
        let s = &d.statements[0];
        assert_eq!((s.index, &s.effect), (0, &Effect::Allow));
        assert_eq!(s.action.as_deref(), Some(&["sts:AssumeRoleWithWebIdentity".to_string()][..]));
        assert!(s.principal.as_ref().unwrap().matches("Federated", "arn:aws:iam::1:oidc-provider/x"));
        assert_eq!(s.conditions.len(), 2);
        assert_eq!(s.conditions[1].values, vec!["system:serviceaccount:a:b"]);
        assert!(s.raw.starts_with('{') && !s.raw.contains('\n') && s.raw.contains("\"x:sub\""), "{}", s.raw);
    }

    #[test]
    fn url_encoded_as_iam_returns_it() {
        let encoded: String = GOOD
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        assert!(encoded.starts_with("%7B%22Version%22"));
        assert_eq!(parse(&encoded).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn decode_keeps_json_and_decodes_the_wire_form() {
        assert_eq!(decode(r#" {"a": "50%"} "#), r#"{"a": "50%"}"#);
        assert_eq!(decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
        assert_eq!(decode("not%20json%zz"), "not json%zz");
    }

    #[test]
    fn plus_is_not_a_space() {
        let d = parse("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22a+b%22%7D%7D").unwrap();
        assert_eq!(d.statements[0].action.as_deref(), Some(&["a+b".to_string()][..]));
    }

    #[test]
    fn single_values_statement_object_and_scalar_conditions() {
        let d = parse(
            r#"{"Statement":{"Sid":"s","Effect":"Deny","Principal":"*","NotAction":"iam:*","NotResource":["a","b"],
            "Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"n":[1,2.5]}}}}"#,
        )
        .unwrap();
        assert_eq!(d.version, None);
        let s = &d.statements[0];
        assert_eq!((s.sid.as_deref(), &s.effect, &s.principal), (Some("s"), &Effect::Deny, &Some(Principals::Any)));
        assert_eq!(s.not_action.as_deref(), Some(&["iam:*".to_string()][..]));
        assert_eq!(s.not_resource.as_ref().map(Vec::len), Some(2));
        let values: Vec<&[String]> = s.conditions.iter().map(|c| c.values.as_slice()).collect();
        assert_eq!(values, [&["false".to_string()][..], &["1".to_string(), "2.5".to_string()][..]]);
    }

    #[test]
    fn principal_forms() {
        let d = parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"}},{"Effect":"Allow","NotPrincipal":{"AWS":["arn:aws:iam::1:root"],"Service":"ec2.amazonaws.com"}}]}"#,
        )
        .unwrap();
        assert!(d.statements[0].principal.as_ref().unwrap().matches("Federated", "anything"));
        assert_eq!(d.statements[1].index, 1);
        let Some(Principals::ByType(np)) = &d.statements[1].not_principal else { panic!("not by type") };
        assert_eq!(np["Service"], vec!["ec2.amazonaws.com"]);
    }

    #[test]
    fn unexpected_or_missing_effect_is_an_error() {
        let e = parse(r#"{"Statement":[{"Effect":"allow"},{"Action":"*"}]}"#).unwrap_err();
        assert_eq!(e.to_string(), "Statement[0].Effect is \"allow\"; IAM knows only \"Allow\" and \"Deny\"");
        let e = parse(r#"{"Statement":[{"Effect":"Allow","Action":"*"},{"Action":"*"}]}"#).unwrap_err();
        assert_eq!(e.to_string(), "Statement[1] has no Effect; IAM requires \"Allow\" or \"Deny\"");
        let e = parse(r#"{"Statement":{"Effect":"","Action":"*"}}"#).unwrap_err();
        assert_eq!(e, PolicyError::UnknownEffect(0, String::new()));
    }

    #[test]
    fn deep_nesting_is_refused_quickly_without_overflowing_the_stack() {
        for deep in [
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!(r#"{{"Statement":{}{}}}"#, "{\"a\":".repeat(100_000), "}".repeat(100_000)),
            "%5B".repeat(100_000),
        ] {
            let start = std::time::Instant::now();
            let e = parse(&deep).unwrap_err().to_string();
            assert!(e.contains("recursion limit"), "{e}");
            assert!(start.elapsed() < std::time::Duration::from_secs(5));
            assert!(!decode(&deep).is_empty());
        }
    }

    #[test]
    fn errors_are_clear_single_lines() {
        let cases = [
            ("not json", "the policy document is not JSON: expected ident at line 1 column 2"),
            ("[1]", "the policy document is an array, not an object"),
            ("{}", "the policy document has no Statement"),
            (r#"{"Statement":[{"Effect":"Allow"},"x"]}"#, "Statement[1] is a string, not an object"),
            (
                r#"{"Statement":{"Action":7}}"#,
                "Statement[0].Action: expected a string or an array of strings, found a number",
            ),
            (
                r#"{"Statement":{"Principal":"me"}}"#,
                "Statement[0].Principal: expected \"*\" or an object of principal types, found \"me\"",
            ),
            (
                r#"{"Statement":{"Condition":{"StringEquals":{"k":{"x":1}}}}}"#,
                "Statement[0].Condition.StringEquals.k: expected a string, boolean or number, found an object",
            ),
            (
                "%7B%22Statement",
                "the policy document is not JSON after URL-decoding: EOF while parsing a string at line 1 column 11",
            ),
            ("%FF%FE", "the policy document is URL-encoded but does not decode to UTF-8 text"),
        ];
        for (text, message) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert_eq!(e, message, "{text}");
            assert!(!e.contains('\n'));
        }
    }
}
