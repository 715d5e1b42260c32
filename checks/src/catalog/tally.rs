//! One outcome per cluster out of many objects judged one by one (workloads, Services,
//! bindings…): any failure fails, otherwise anything not judged is unknown, otherwise it passes.
//! The message names the first [`MAX_LISTED`] offenders and counts the rest; every offender and
//! every object not judged is a [`Subject`].

use crate::outcome::{Evidence, Outcome, Status, Subject};

/// Offenders named in a message (and given evidence) before the rest are only counted.
pub const MAX_LISTED: usize = 50;

struct Entry {
    subject: Subject,
    evidence: Vec<Evidence>,
}

#[derive(Default)]
pub struct Tally {
    fails: Vec<Entry>,
    unknowns: Vec<Entry>,
    /// Subjects recorded with a passing status (inventories), and plain pass counts.
    passes: Vec<Subject>,
    passed: usize,
    /// Lists that could not be read, with their evidence.
    gaps: Vec<(String, Evidence)>,
}

impl Tally {
    pub fn fail(&mut self, id: String, why: String, evidence: Vec<Evidence>) {
        self.fail_subject(Subject::new(id.clone(), id, Status::Fail, why), evidence);
    }
    pub fn fail_subject(&mut self, subject: Subject, evidence: Vec<Evidence>) {
        self.fails.push(Entry { subject, evidence });
    }
    pub fn unknown(&mut self, id: String, why: String, evidence: Vec<Evidence>) {
        self.unknowns.push(Entry { subject: Subject::new(id.clone(), id, Status::Unknown, why), evidence });
    }
    pub fn pass(&mut self) {
        self.passed += 1;
    }
    /// A passing object worth listing (an inventory entry).
    pub fn pass_subject(&mut self, subject: Subject) {
        self.passed += 1;
        self.passes.push(subject);
    }
    /// A list that could not be read: what is missing and why.
    pub fn gap(&mut self, what: String, evidence: Evidence) {
        self.gaps.push((what, evidence));
    }
    pub fn failed(&self) -> usize {
        self.fails.len()
    }

    /// `noun` names what was judged (`workload`); `fail` and `pass` lead the message.
    pub fn outcome(self, noun: &str, fail: &str, pass: &str, context: Vec<Evidence>) -> Outcome {
        let judged = self.fails.len() + self.unknowns.len() + self.passed;
        let mut evidence = context;
        let not_judged = |unknowns: &[Entry], gaps: &[(String, Evidence)]| {
            let mut parts: Vec<String> = gaps.iter().map(|(w, _)| w.clone()).collect();
            if !unknowns.is_empty() {
                parts.push(format!("{}: {}", count(unknowns.len(), noun), listing(unknowns)));
            }
            parts.join("; ")
        };
        let status;
        let message;
        if !self.fails.is_empty() {
            status = Status::Fail;
            let mut m = format!("{fail}: {} of {judged}: {}.", count(self.fails.len(), noun), listing(&self.fails));
            if !self.unknowns.is_empty() || !self.gaps.is_empty() {
                m.push_str(&format!(" Not judged: {}.", not_judged(&self.unknowns, &self.gaps)));
            }
            message = m;
        } else if !self.unknowns.is_empty() || !self.gaps.is_empty() {
            status = Status::Unknown;
            message = format!(
                "Could not judge every {noun} ({} passed): {}.",
                self.passed,
                not_judged(&self.unknowns, &self.gaps)
            );
        } else {
            status = Status::Pass;
            message = match self.passed {
                0 => format!("{pass}."),
                n => format!("{pass} ({} judged).", count(n, noun)),
            };
        }
        for e in self.fails.iter().take(MAX_LISTED) {
            evidence.extend(e.evidence.iter().cloned());
        }
        for e in self.unknowns.iter().take(MAX_LISTED) {
            evidence.extend(e.evidence.iter().cloned());
        }
        evidence.extend(self.gaps.into_iter().map(|(_, e)| e));
        let subjects: Vec<Subject> =
            self.fails.into_iter().chain(self.unknowns).map(|e| e.subject).chain(self.passes).collect();
        let outcome = match status {
            Status::Fail => Outcome::fail(message, evidence),
            Status::Unknown => Outcome::unknown_because(message, evidence),
            _ => Outcome::pass(message, evidence),
        };
        outcome.with_subjects(subjects)
    }
}

/// `1 workload`, `3 workloads`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `a (why); b (why)` for the first [`MAX_LISTED`], then `and N more`.
fn listing(entries: &[Entry]) -> String {
    let mut parts: Vec<String> =
        entries.iter().take(MAX_LISTED).map(|e| format!("{} ({})", e.subject.label, e.subject.reason)).collect();
    if entries.len() > MAX_LISTED {
        parts.push(format!("and {} more", entries.len() - MAX_LISTED));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_are_listed_up_to_the_cap_then_counted() {
        let mut t = Tally::default();
        for i in 0..60 {
            t.fail(format!("ns/Pod/p{i:02}"), "privileged".into(), vec![Evidence::new(format!("p{i}"), "true")]);
        }
        t.pass();
        t.unknown("ns/Pod/u".into(), "service account not listed".into(), vec![]);
        let o = t.outcome("workload", "Privileged containers", "None", vec![]);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.starts_with("Privileged containers: 60 workloads of 62: ns/Pod/p00 (privileged);"),
            "{}",
            o.message
        );
        assert!(o.message.contains("ns/Pod/p49 (privileged); and 10 more."), "{}", o.message);
        assert!(!o.message.contains("p50 "), "{}", o.message);
        assert!(o.message.ends_with("Not judged: 1 workload: ns/Pod/u (service account not listed)."), "{}", o.message);
        assert_eq!(o.evidence.len(), 50);
        assert_eq!(o.subjects.len(), 61);
    }

    #[test]
    fn gaps_make_a_pass_unknown() {
        let mut t = Tally::default();
        t.pass();
        t.gap("Pods could not be listed: Forbidden".into(), Evidence::new("/api/v1/pods", "unknown: Forbidden"));
        let o = t.outcome("workload", "Bad", "All fine", vec![]);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(o.message, "Could not judge every workload (1 passed): Pods could not be listed: Forbidden.");
        let mut t = Tally::default();
        t.pass();
        t.pass();
        let o = t.outcome("workload", "Bad", "All fine", vec![]);
        assert_eq!((o.status, o.message.as_str()), (Status::Pass, "All fine (2 workloads judged)."));
    }
}
