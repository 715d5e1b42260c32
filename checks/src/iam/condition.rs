//! Condition operators and their evaluation against a [`Request`].
//!
//! An operator is an optional set prefix (`ForAnyValue:`/`ForAllValues:`), a base operator and
//! an optional `IfExists` suffix. The values of one condition are ORed (NORed for negated
//! operators); the conditions of a statement are ANDed. Keys compare case-insensitively.

use crate::iam::document::Condition;
use crate::iam::request::{KeyState, Request};
use crate::iam::wildcard;

/// Three-valued truth: `Unknown` when the request does not say enough (a key it does not know,
/// an operator this build does not evaluate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b { Truth::True } else { Truth::False }
    }
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    ForAnyValue,
    ForAllValues,
}

/// How one policy value is compared with one request value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// Exact, case-sensitive (`StringEquals`).
    Exact,
    /// Exact, ignoring case (`StringEqualsIgnoreCase`).
    IgnoreCase,
    /// `*`/`?` wildcards, case-sensitive (`StringLike`).
    Like,
    /// ARN components with wildcards (`ArnEquals`, `ArnLike`).
    Arn,
    /// `true`/`false`, ignoring case (`Bool`).
    Bool,
}

/// The operator without its prefix and suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseOp {
    /// A string, ARN or boolean comparison; `negated` for the `…Not…` forms.
    Match { compare: Compare, negated: bool },
    /// `Null`: `true` = the key is absent, `false` = present.
    Null,
    /// Numeric, date, IP address, binary or unrecognised operators, kept as written: not
    /// evaluated, so always [`Truth::Unknown`] unless `IfExists` meets an absent key.
    Unsupported(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetOp>,
    pub base: BaseOp,
    pub if_exists: bool,
}

impl Operator {
    /// Reads an operator as written (`ForAnyValue:StringLikeIfExists`); never fails.
    pub fn parse(text: &str) -> Operator {
        let text = text.trim();
        let (set, rest) = match text.split_once(':') {
            Some((p, rest)) if p.eq_ignore_ascii_case("ForAnyValue") => (Some(SetOp::ForAnyValue), rest),
            Some((p, rest)) if p.eq_ignore_ascii_case("ForAllValues") => (Some(SetOp::ForAllValues), rest),
            _ => (None, text),
        };
        let (name, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        let m = |compare, negated| BaseOp::Match { compare, negated };
        let base = match name.to_ascii_lowercase().as_str() {
            "stringequals" => m(Compare::Exact, false),
            "stringnotequals" => m(Compare::Exact, true),
            "stringequalsignorecase" => m(Compare::IgnoreCase, false),
            "stringnotequalsignorecase" => m(Compare::IgnoreCase, true),
            "stringlike" => m(Compare::Like, false),
            "stringnotlike" => m(Compare::Like, true),
            "arnequals" | "arnlike" => m(Compare::Arn, false),
            "arnnotequals" | "arnnotlike" => m(Compare::Arn, true),
            "bool" => m(Compare::Bool, false),
            "null" => BaseOp::Null,
            _ => BaseOp::Unsupported(name.to_string()),
        };
        Operator { set, base, if_exists }
    }
}

fn compare(how: Compare, policy: &str, request: &str) -> bool {
    match how {
        Compare::Exact => policy == request,
        Compare::IgnoreCase => policy.to_lowercase() == request.to_lowercase(),
        Compare::Like => wildcard::matches(policy, request),
        Compare::Arn => wildcard::arn_matches(policy, request),
        Compare::Bool => policy.trim().eq_ignore_ascii_case(request.trim()),
    }
}

/// Evaluates one condition entry against the request.
pub fn evaluate(condition: &Condition, request: &Request) -> Truth {
    let op = Operator::parse(&condition.operator);
    let key = request.key(&condition.key);
    let (compare_with, negated) = match &op.base {
        BaseOp::Null => {
            return match key {
                KeyState::Unknown => Truth::Unknown,
                KeyState::Absent => condition.values.iter().any(|v| v.trim().eq_ignore_ascii_case("true")).into(),
                KeyState::Present(_) => condition.values.iter().any(|v| v.trim().eq_ignore_ascii_case("false")).into(),
            };
        }
        BaseOp::Unsupported(_) => {
            return if op.if_exists && key == KeyState::Absent { Truth::True } else { Truth::Unknown };
        }
        BaseOp::Match { compare, negated } => (*compare, *negated),
    };
    let present = match key {
        KeyState::Unknown => return Truth::Unknown,
        // IAM: `…IfExists` and `ForAllValues:` are true on a missing key, `ForAnyValue:` false;
        // plain operators are false, except negated ones, which are true.
        KeyState::Absent => {
            return match op.set {
                _ if op.if_exists => Truth::True,
                Some(SetOp::ForAllValues) => Truth::True,
                Some(SetOp::ForAnyValue) => Truth::False,
                None => negated.into(),
            };
        }
        KeyState::Present(values) => values,
    };
    // A policy variable is substituted per request: read literally it could decide wrongly.
    if condition.values.iter().any(|v| crate::iam::irsa::has_variable(v)) {
        return Truth::Unknown;
    }
    // One request value: matches any policy value (positive), or none of them (negated).
    let one = |v: &String| condition.values.iter().any(|p| compare(compare_with, p, v)) != negated;
    match op.set {
        Some(SetOp::ForAnyValue) => present.iter().any(one),
        Some(SetOp::ForAllValues) => present.iter().all(one),
        // A single-valued key has one value; for several, positive needs a match and negated none.
        None if negated => present.iter().all(one),
        None => present.iter().any(one),
    }
    .into()
}

/// ANDs a statement's conditions: false if any is false, else unknown if any is unknown.
pub fn evaluate_all(conditions: &[Condition], request: &Request) -> Truth {
    let mut result = Truth::True;
    for c in conditions {
        match evaluate(c, request) {
            Truth::False => return Truth::False,
            Truth::Unknown => result = Truth::Unknown,
            Truth::True => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::condition;

    const SUB: &str = "oidc.example/id/1:sub";

    fn req(sub: Option<&str>) -> Request {
        let r = Request::new("sts:AssumeRoleWithWebIdentity");
        match sub {
            Some(s) => r.with(SUB, s),
            None => r.without(SUB),
        }
    }

    fn eval(op: &str, values: &[&str], sub: Option<&str>) -> Truth {
        evaluate(&condition(op, SUB, values), &req(sub))
    }

    #[test]
    fn operators_parse_with_prefix_and_suffix() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(op.set, Some(SetOp::ForAnyValue));
        assert!(op.if_exists);
        assert_eq!(op.base, BaseOp::Match { compare: Compare::Like, negated: false });
        assert_eq!(Operator::parse("ArnNotLike").base, BaseOp::Match { compare: Compare::Arn, negated: true });
        assert_eq!(Operator::parse("NumericLessThan").base, BaseOp::Unsupported("NumericLessThan".into()));
        assert_eq!(Operator::parse("IfExists").base, BaseOp::Unsupported(String::new()));
        assert_eq!(Operator::parse("ÿIfExistsÿ").base, BaseOp::Unsupported("ÿIfExistsÿ".into()));
    }

    #[test]
    fn string_operators_on_a_present_key() {
        let sa = Some("system:serviceaccount:ns:app");
        assert_eq!(eval("StringEquals", &["system:serviceaccount:ns:app"], sa), Truth::True);
        assert_eq!(eval("StringEquals", &["system:serviceaccount:ns:*"], sa), Truth::False);
        assert_eq!(eval("StringLike", &["x", "system:serviceaccount:ns:*"], sa), Truth::True);
        assert_eq!(eval("StringEquals", &["SYSTEM:serviceaccount:ns:app"], sa), Truth::False);
        assert_eq!(eval("StringEqualsIgnoreCase", &["SYSTEM:serviceaccount:ns:app"], sa), Truth::True);
        // Negated: true only when no value matches.
        assert_eq!(eval("StringNotEquals", &["a", "b"], sa), Truth::True);
        assert_eq!(eval("StringNotLike", &["a", "system:*"], sa), Truth::False);
        assert_eq!(eval("StringNotEqualsIgnoreCase", &["SYSTEM:SERVICEACCOUNT:NS:APP"], sa), Truth::False);
    }

    #[test]
    fn missing_key_semantics() {
        assert_eq!(eval("StringEquals", &["x"], None), Truth::False);
        assert_eq!(eval("StringNotEquals", &["x"], None), Truth::True);
        assert_eq!(eval("StringEqualsIfExists", &["x"], None), Truth::True);
        assert_eq!(eval("ForAllValues:StringEquals", &["x"], None), Truth::True);
        assert_eq!(eval("ForAnyValue:StringEquals", &["x"], None), Truth::False);
        assert_eq!(eval("Null", &["true"], None), Truth::True);
        assert_eq!(eval("Null", &["false"], None), Truth::False);
        assert_eq!(eval("Null", &["false"], Some("x")), Truth::True);
        assert_eq!(eval("NumericLessThanIfExists", &["1"], None), Truth::True);
    }

    #[test]
    fn unknown_keys_and_operators_are_unknown() {
        let r = Request::new("a");
        assert_eq!(evaluate(&condition("StringEquals", SUB, &["x"]), &r), Truth::Unknown);
        assert_eq!(evaluate(&condition("Null", SUB, &["true"]), &r), Truth::Unknown);
        assert_eq!(eval("DateLessThan", &["2020-01-01"], Some("x")), Truth::Unknown);
    }

    #[test]
    fn set_operators_on_multi_valued_keys() {
        let r = Request::new("a").with_values("tags", vec!["a".into(), "b".into()]);
        let ev = |op: &str, values: &[&str]| evaluate(&condition(op, "TAGS", values), &r);
        assert_eq!(ev("ForAnyValue:StringEquals", &["b", "z"]), Truth::True);
        assert_eq!(ev("ForAllValues:StringEquals", &["b", "z"]), Truth::False);
        assert_eq!(ev("ForAllValues:StringLike", &["*"]), Truth::True);
        assert_eq!(ev("ForAnyValue:StringNotEquals", &["a"]), Truth::True);
        assert_eq!(ev("ForAllValues:StringNotEquals", &["a"]), Truth::False);
        let empty = Request::new("a").with_values("tags", vec![]);
        assert_eq!(evaluate(&condition("ForAllValues:StringEquals", "tags", &["x"]), &empty), Truth::True);
        assert_eq!(evaluate(&condition("ForAnyValue:StringEquals", "tags", &["x"]), &empty), Truth::False);
    }

    #[test]
    fn bool_and_arn() {
        let r = Request::new("a").with("aws:SecureTransport", "true").with("aws:SourceArn", "arn:aws:s3:::bucket");
        assert_eq!(evaluate(&condition("Bool", "aws:securetransport", &["TRUE"]), &r), Truth::True);
        assert_eq!(evaluate(&condition("Bool", "aws:securetransport", &["false"]), &r), Truth::False);
        assert_eq!(evaluate(&condition("ArnLike", "aws:sourcearn", &["arn:aws:s3:::*"]), &r), Truth::True);
        assert_eq!(evaluate(&condition("ArnNotEquals", "aws:sourcearn", &["arn:aws:s3:::*"]), &r), Truth::False);
    }

    #[test]
    fn conditions_are_anded() {
        let r = req(Some("s"));
        let t = condition("StringEquals", SUB, &["s"]);
        let f = condition("StringEquals", SUB, &["x"]);
        let u = condition("StringEquals", "other:key", &["x"]);
        assert_eq!(evaluate_all(&[], &r), Truth::True);
        assert_eq!(evaluate_all(&[t.clone(), u.clone()], &r), Truth::Unknown);
        assert_eq!(evaluate_all(&[u, f, t], &r), Truth::False);
    }
}
