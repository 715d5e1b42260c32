//! IAM wildcard matching: `*` matches any run of characters (empty, `:` and `/` included), `?`
//! exactly one character. Everything else is literal.
//!
//! The matcher keeps one backtrack point (the last `*`), so it runs in at most
//! `O(len(pattern) × len(text))` steps: a pattern such as `*a*a*a*…b` cannot make it explode.

/// Case-sensitive wildcard match (condition values, ARNs, principals).
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_chars(&p, &t)
}

/// Case-insensitive wildcard match (action names, `…IgnoreCase` operators).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches(&pattern.to_lowercase(), &text.to_lowercase())
}

/// `ArnLike`/`ArnEquals`: the six colon-separated components (`arn:partition:service:region:
/// account:resource`) are matched one by one, so a `*` does not run across a component boundary.
/// A pattern of only `*` matches anything; when neither side is shaped like an ARN the two are
/// matched as whole strings; otherwise components that do not line up do not match.
pub fn arn_matches(pattern: &str, text: &str) -> bool {
    if pattern.chars().all(|c| c == '*') {
        return true;
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let t: Vec<&str> = text.splitn(6, ':').collect();
    match (p.len(), t.len()) {
        (6, 6) => p.iter().zip(&t).all(|(p, t)| matches(p, t)),
        (6, _) | (_, 6) => false,
        _ => matches(pattern, text),
    }
}

fn match_chars(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // After the last `*` seen: the pattern index just past it and the text index it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry from there.
                Some((after, tried)) => {
                    pi = after;
                    ti = tried + 1;
                    star = Some((after, tried + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook recursive matcher: exponential, but obviously right on short inputs.
    fn reference(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, _) => t.is_empty(),
            (Some('*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
            (Some(_), None) => false,
            (Some(&c), Some(&d)) => (c == '?' || c == d) && reference(&p[1..], &t[1..]),
        }
    }

    #[test]
    fn star_and_question_mark() {
        assert!(matches("system:serviceaccount:*", "system:serviceaccount:ns:sa"));
        assert!(matches("system:serviceaccount:*:default", "system:serviceaccount:a/b:default"));
        assert!(matches("*", ""));
        assert!(matches("a*", "a"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("abc", "abcd"));
        assert!(!matches("system:serviceaccount:default:*", "system:serviceaccount:kube-system:x"));
        assert!(matches("é?", "éü"));
    }

    #[test]
    fn case_rules() {
        assert!(!matches("System:*", "system:x"));
        assert!(matches_ignore_case("sts:assumerolewithwebidentity", "sts:AssumeRoleWithWebIdentity"));
        assert!(matches_ignore_case("STS:*", "sts:AssumeRole"));
    }

    #[test]
    fn arn_components_match_separately() {
        let role = "arn:aws:iam::111122223333:role/app";
        assert!(arn_matches("arn:aws:iam::*:role/*", role));
        assert!(arn_matches("arn:aws:iam::111122223333:role/*", role));
        // A `*` in the account component cannot swallow the resource.
        assert!(!arn_matches("arn:aws:iam::*", role));
        assert!(arn_matches("*", role));
        assert!(arn_matches("**", "not an arn") && arn_matches("not*", "not an arn"));
        assert!(!arn_matches("arn:*", role));
        assert!(arn_matches("arn:aws:logs:*:*:log-group:a:*", "arn:aws:logs:eu-west-1:1:log-group:a:b"));
    }

    #[test]
    fn no_exponential_blowup() {
        let p = "*a".repeat(40) + "b";
        let t = "a".repeat(2000);
        assert!(!matches(&p, &t));
    }

    proptest! {
        #[test]
        fn agrees_with_reference(p in "[ab*?:]{0,10}", t in "[ab:/]{0,12}") {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            prop_assert_eq!(matches(&p, &t), reference(&pc, &tc), "pattern {:?} text {:?}", p, t);
        }

        #[test]
        fn literal_text_matches_itself(t in "\\PC{0,20}") {
            let literal = t.replace(['*', '?'], "");
            prop_assert!(matches(&literal, &literal));
            prop_assert!(matches("*", &t));
        }
    }
}
