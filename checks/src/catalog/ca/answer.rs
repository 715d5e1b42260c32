//! A three-valued answer with its reason: yes, no, or unknown. Combined with Kleene's logic, so
//! an unknown part never turns into a yes: `all` is yes only when every part is, and a definite
//! no wins over unknowns; `any` is yes when one part is, otherwise unknown when one part is.

/// Yes (how), no (why not) or unknown (what could not be told).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes(String),
    No(String),
    Unknown(String),
}

impl Answer {
    pub fn yes(how: impl Into<String>) -> Self {
        Answer::Yes(how.into())
    }
    pub fn no(why: impl Into<String>) -> Self {
        Answer::No(why.into())
    }
    pub fn unknown(why: impl Into<String>) -> Self {
        Answer::Unknown(why.into())
    }
    pub fn is_yes(&self) -> bool {
        matches!(self, Answer::Yes(_))
    }
    pub fn is_no(&self) -> bool {
        matches!(self, Answer::No(_))
    }
    /// The reason, whatever the answer.
    pub fn text(&self) -> &str {
        match self {
            Answer::Yes(s) | Answer::No(s) | Answer::Unknown(s) => s,
        }
    }
    /// Negation: a yes becomes a no with the same text and the other way round.
    pub fn negate(self) -> Self {
        match self {
            Answer::Yes(s) => Answer::No(s),
            Answer::No(s) => Answer::Yes(s),
            u => u,
        }
    }
}

fn join(parts: Vec<String>) -> String {
    let mut parts: Vec<String> = parts.into_iter().filter(|s| !s.is_empty()).collect();
    parts.dedup();
    parts.join("; ")
}

/// Every part holds: any no → no (with every no's reason), else any unknown → unknown, else yes.
pub fn all(parts: impl IntoIterator<Item = Answer>) -> Answer {
    let (mut yes, mut no, mut unknown) = (vec![], vec![], vec![]);
    for p in parts {
        match p {
            Answer::Yes(s) => yes.push(s),
            Answer::No(s) => no.push(s),
            Answer::Unknown(s) => unknown.push(s),
        }
    }
    if !no.is_empty() {
        Answer::No(join(no))
    } else if !unknown.is_empty() {
        Answer::Unknown(join(unknown))
    } else {
        Answer::Yes(join(yes))
    }
}

/// Some part holds: any yes → yes (with every yes's reason), else any unknown → unknown, else no.
pub fn any(parts: impl IntoIterator<Item = Answer>) -> Answer {
    all(parts.into_iter().map(Answer::negate)).negate()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_logic_never_makes_an_unknown_a_yes() {
        let (y, n, u) = (Answer::yes("y"), Answer::no("n"), Answer::unknown("u"));
        assert_eq!(all([y.clone(), u.clone()]), Answer::unknown("u"));
        assert_eq!(all([u.clone(), n.clone(), Answer::no("m")]), Answer::no("n; m"));
        assert_eq!(all([y.clone(), Answer::yes("z")]), Answer::yes("y; z"));
        assert_eq!(all([]), Answer::yes(""));
        assert_eq!(any([n.clone(), u.clone()]), Answer::unknown("u"));
        assert_eq!(any([n.clone(), u, y]), Answer::yes("y"));
        assert_eq!(any([n, Answer::no("m")]), Answer::no("n; m"));
        assert_eq!(any([]), Answer::no(""));
    }
}
