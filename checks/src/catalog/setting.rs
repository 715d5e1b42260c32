//! Helpers for checks that judge one setting.

use crate::field::Field;
use crate::outcome::{Evidence, Outcome};

/// A boolean setting whose secure value is `true` and whose absence means the cloud's
/// insecure default: true → pass; false or absent → fail; not collected → unknown.
pub fn must_be_true(field: &Field<bool>, pass: &str, fail: &str) -> Outcome {
    if field.is_unknown() {
        return Outcome::unknown(field);
    }
    let evidence = vec![Evidence::of(field)];
    if field.is_true() { Outcome::pass(pass, evidence) } else { Outcome::fail(fail, evidence) }
}

/// `value` (trimmed) equals one of `names`, ignoring ASCII case.
pub fn is_one_of(value: &str, names: &[&str]) -> bool {
    let v = value.trim();
    names.iter().any(|n| n.eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn must_be_true_never_passes_on_missing_data() {
        let o = must_be_true(&Field::absent("p"), "ok", "bad");
        assert_eq!((o.status, o.evidence[0].observed.as_str()), (crate::Status::Fail, "(absent)"));
        assert_eq!(must_be_true(&Field::unknown("p", "denied"), "ok", "bad").status, crate::Status::Unknown);
        assert_eq!(must_be_true(&Field::value("p", false, "false"), "ok", "bad").status, crate::Status::Fail);
        assert_eq!(must_be_true(&Field::value("p", true, "true"), "ok", "bad").status, crate::Status::Pass);
    }

    #[test]
    fn is_one_of_ignores_case_and_padding() {
        assert!(is_one_of(" Calico ", &["azure", "calico"]));
        assert!(!is_one_of("calico2", &["calico"]));
    }
}
