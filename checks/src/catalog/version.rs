//! Kubernetes version parsing shared by the lifecycle checks.

use std::fmt;

/// A Kubernetes minor version, `1.31`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minor {
    pub major: u32,
    pub minor: u32,
}

impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The minor of `1.31.2`, `v1.31.2`, `1.31` or `1.31.2-eks-1a2b`; `None` for anything else.
pub fn parse_minor(s: &str) -> Option<Minor> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let mut parts = s.split('.');
    let major = parts.next()?.parse().ok()?;
    let rest = parts.next()?;
    let digits = rest.split(|c: char| !c.is_ascii_digit()).next()?;
    let minor = digits.parse().ok()?;
    Some(Minor { major, minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_clouds_return() {
        let m = Some(Minor { major: 1, minor: 31 });
        for s in ["1.31.2", "v1.31.2", "V1.31", "1.31", " 1.31.0 ", "1.31-eks", "1.31.2-eks-1a2b"] {
            assert_eq!(parse_minor(s), m, "{s}");
        }
    }

    #[test]
    fn rejects_non_versions() {
        for s in ["", "1", "v", "1.", "1.x", "latest", "one.two", "-1.31"] {
            assert_eq!(parse_minor(s), None, "{s}");
        }
    }

    #[test]
    fn orders_numerically() {
        assert!(parse_minor("1.9") < parse_minor("1.10"));
        assert_eq!(Minor { major: 1, minor: 9 }.to_string(), "1.9");
    }
}
