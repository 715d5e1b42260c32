//! Per-item verdicts of a check that judges many things (roles, policies) folded into one
//! outcome: any failure fails, otherwise anything not judged is unknown, otherwise it passes.
//! A failure never hides what could not be judged: the message names those too.

use crate::outcome::{Evidence, Outcome, Subject};

#[derive(Debug, Default)]
pub struct Verdicts {
    fails: Vec<String>,
    unknowns: Vec<String>,
    passes: Vec<String>,
    fail_evidence: Vec<Evidence>,
    unknown_evidence: Vec<Evidence>,
    pass_evidence: Vec<Evidence>,
    notes: Vec<Evidence>,
    subjects: Vec<Subject>,
}

impl Verdicts {
    pub fn fail(&mut self, what: String, evidence: Vec<Evidence>) {
        self.fails.push(what);
        self.fail_evidence.extend(evidence);
    }
    pub fn unknown(&mut self, what: String, evidence: Vec<Evidence>) {
        self.unknowns.push(what);
        self.unknown_evidence.extend(evidence);
    }
    pub fn pass(&mut self, what: String, evidence: Vec<Evidence>) {
        self.passes.push(what);
        self.pass_evidence.extend(evidence);
    }

    /// Evidence shown whatever the outcome (after everything else): things listed, not judged.
    pub fn note(&mut self, evidence: Evidence) {
        self.notes.push(evidence);
    }
    /// Records what one subject (principal, role, workload) was judged to be; attached to the
    /// outcome as it is. Use beside `fail`/`unknown`/`pass`, which build the message.
    pub fn subject(&mut self, subject: Subject) {
        self.subjects.push(subject);
    }
    /// Nothing was judged.
    pub fn is_empty(&self) -> bool {
        self.fails.is_empty() && self.unknowns.is_empty() && self.passes.is_empty()
    }

    /// One outcome: `fail`/`unknown`/`pass` lead the message and the items follow it.
    /// `context` (e.g. the OIDC provider judged against) leads the evidence.
    pub fn outcome(mut self, fail: &str, unknown: &str, pass: &str, context: Vec<Evidence>) -> Outcome {
        let subjects = std::mem::take(&mut self.subjects);
        self.fold(fail, unknown, pass, context).with_subjects(subjects)
    }

    fn fold(self, fail: &str, unknown: &str, pass: &str, context: Vec<Evidence>) -> Outcome {
        let mut evidence = context;
        if !self.fails.is_empty() {
            let mut message = format!("{fail}: {}.", self.fails.join("; "));
            if !self.unknowns.is_empty() {
                message.push_str(&format!(" Not judged: {}.", self.unknowns.join("; ")));
            }
            evidence.extend(self.fail_evidence);
            evidence.extend(self.unknown_evidence);
            evidence.extend(self.notes);
            return Outcome::fail(message, evidence);
        }
        if !self.unknowns.is_empty() {
            evidence.extend(self.unknown_evidence);
            evidence.extend(self.notes);
            return Outcome::unknown_because(format!("{unknown}: {}.", self.unknowns.join("; ")), evidence);
        }
        evidence.extend(self.pass_evidence);
        evidence.extend(self.notes);
        Outcome::pass(format!("{pass}: {}.", self.passes.join("; ")), evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;

    fn ev(s: &str) -> Vec<Evidence> {
        vec![Evidence::new(s, s)]
    }

    #[test]
    fn fail_wins_and_names_what_was_not_judged() {
        let mut v = Verdicts::default();
        v.pass("a".into(), ev("a"));
        v.unknown("b (denied)".into(), ev("b"));
        v.fail("c is open".into(), ev("c"));
        v.note(Evidence::new("n", "listed"));
        let o = v.outcome("Bad", "Not judged", "Fine", ev("ctx"));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "Bad: c is open. Not judged: b (denied).");
        let paths: Vec<&str> = o.evidence.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["ctx", "c", "b", "n"]);
    }

    #[test]
    fn unknown_beats_pass() {
        let mut v = Verdicts::default();
        v.pass("a".into(), ev("a"));
        v.unknown("b".into(), ev("b"));
        let o = v.outcome("Bad", "Could not judge", "Fine", vec![]);
        assert_eq!((o.status, o.message.as_str()), (Status::Unknown, "Could not judge: b."));
        let mut v = Verdicts::default();
        v.pass("a".into(), ev("a"));
        v.pass("z".into(), ev("z"));
        let o = v.outcome("Bad", "Could not judge", "Fine", vec![]);
        assert_eq!((o.status, o.message.as_str(), o.evidence.len()), (Status::Pass, "Fine: a; z.", 2));
    }

    #[test]
    fn subjects_are_attached_sorted() {
        let mut v = Verdicts::default();
        v.fail("b".into(), ev("b"));
        v.subject(Subject::new("id-b", "B", Status::Fail, "permanent"));
        v.pass("a".into(), ev("a"));
        v.subject(Subject::new("id-a", "A", Status::Pass, "eligible").fact("terms", "PIM-eligible"));
        let o = v.outcome("Bad", "Not judged", "Fine", vec![]);
        assert_eq!(o.status, Status::Fail);
        let ids: Vec<&str> = o.subjects.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["id-a", "id-b"]);
        assert_eq!(o.subjects[0].facts, [("terms".to_string(), "PIM-eligible".to_string())]);
    }
}
