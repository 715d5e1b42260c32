//! The scan result: findings built from check outcomes, then sorted and filtered in one place
//! (`ScanResult::finish`), which also decides the exit code. The findings themselves are kept by
//! `spill::Findings` (memory up to a budget, then a temporary file) and read back in order.

mod spill;
pub use spill::{Findings, SpillError};

use kubeposture_checks::{CheckMeta, Evidence, Outcome, ResourceKind, ResourceRef, Severity, Status, Subject};
use kubeposture_providers::{Coverage, ScopeFailure};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One check's verdict on one cluster.
#[derive(Clone, Debug)]
pub struct Finding {
    pub check: &'static CheckMeta,
    /// The cluster, account or tenant; shared by all its findings.
    pub resource: Arc<ResourceRef>,
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The principals, roles or workloads judged on their own (see `Subject`).
    pub subjects: Vec<Subject>,
    /// Fingerprint and history/waiver marks of the finding as a whole.
    pub marks: Marks,
    /// The same for each subject, in the order of `subjects`.
    pub subject_marks: Vec<Marks>,
}

/// What history and waivers say about a finding or one of its subjects.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marks {
    /// Stable identity across scans (`crate::fingerprint`): check id + resource id (+ subject id).
    pub fingerprint: String,
    /// Against the previous scan of the same scope; `None` when the scan keeps no history.
    pub novelty: Option<Novelty>,
    /// The waiver that applies, if any. A waived finding keeps its status.
    pub waiver: Option<Arc<Waived>>,
}

/// `existing`: the previous scan of the same scope that collected this resource saw the same
/// status; `new`: it saw another status or did not have it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Novelty {
    New,
    Existing,
}

impl Novelty {
    pub fn as_str(self) -> &'static str {
        match self {
            Novelty::New => "new",
            Novelty::Existing => "existing",
        }
    }
}

/// An accepted risk, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Waived {
    pub reason: String,
    pub owner: String,
    /// `None` only for a permanent waiver (`allow_permanent: true` in the config).
    pub expires: Option<time::Date>,
}

impl Finding {
    /// The subjects with their marks.
    pub fn marked_subjects(&self) -> impl Iterator<Item = (&Subject, &Marks)> {
        self.subjects.iter().zip(self.subject_marks.iter())
    }

    /// Waived as a whole, or every failing subject of it is.
    pub fn is_waived(&self) -> bool {
        if self.marks.waiver.is_some() {
            return true;
        }
        let mut failing = self.marked_subjects().filter(|(s, _)| s.status == Status::Fail).peekable();
        failing.peek().is_some() && failing.all(|(_, m)| m.waiver.is_some())
    }

    /// A failure the previous scan did not have: the finding's own mark, or, where subjects
    /// failed, one of its failing subjects that is not waived.
    pub fn is_new_failure(&self) -> bool {
        if self.status != Status::Fail {
            return false;
        }
        let failing: Vec<&Marks> =
            self.marked_subjects().filter(|(s, _)| s.status == Status::Fail).map(|(_, m)| m).collect();
        if failing.is_empty() {
            self.marks.novelty == Some(Novelty::New)
        } else {
            failing.iter().any(|m| m.waiver.is_none() && m.novelty == Some(Novelty::New))
        }
    }
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub fail: usize,
    pub unknown: usize,
    pub pass: usize,
    pub not_applicable: usize,
}

impl Counts {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Fail => self.fail += 1,
            Status::Unknown => self.unknown += 1,
            Status::Pass => self.pass += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// `--fail-on`: the lowest severity whose failures make the exit code 1; `None` = never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

impl FailOn {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("never") || s.eq_ignore_ascii_case("none") {
            return Ok(FailOn(None));
        }
        Severity::parse(s)
            .map(|v| FailOn(Some(v)))
            .ok_or_else(|| format!("unknown severity '{s}' (critical, high, medium, low, info, never)"))
    }
    pub fn label(&self) -> &'static str {
        self.0.map(Severity::as_str).unwrap_or("never")
    }
}

/// Exit codes (documented in the README).
pub mod exit {
    /// Nothing failing (and not waived) at or above `--fail-on`, every scope collected.
    pub const OK: u8 = 0;
    /// Failing findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Some scope could not be collected (named in the output); takes precedence over 1.
    pub const INCOMPLETE: u8 = 2;
    /// Bad usage or setup (flags, config file, output directory).
    pub const USAGE: u8 = 3;
}

/// The report order: severity (highest first), check id, resource, status, message.
fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.check
        .severity
        .cmp(&a.check.severity)
        .then_with(|| a.check.id.cmp(b.check.id))
        .then_with(|| a.resource.cmp(&b.resource))
        .then_with(|| a.status.cmp(&b.status))
        .then_with(|| a.message.cmp(&b.message))
}

/// `--check` / `--resource`: the findings every report shows and the exit code counts. Applied
/// once (`ScanResult::filter`) before anything is rendered.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Check ids (already resolved from ids or slugs).
    pub checks: Vec<String>,
    /// A cluster's name, `rg/name` or full id; an account or tenant id (case-insensitive).
    pub resources: Vec<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.resources.is_empty()
    }

    fn keeps(&self, f: &Finding) -> bool {
        let r = &f.resource;
        let resource = |want: &String| {
            let rg_name = r.resource_group.as_ref().map(|rg| format!("{rg}/{}", r.name));
            [Some(&r.name), Some(&r.id), rg_name.as_ref()]
                .into_iter()
                .flatten()
                .any(|have| have.eq_ignore_ascii_case(want))
        };
        (self.checks.is_empty() || self.checks.iter().any(|c| c == f.check.id))
            && (self.resources.is_empty() || self.resources.iter().any(resource))
    }
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub resources: BTreeMap<Arc<ResourceRef>, Counts>,
    /// In the report order once `finish` ran; read it as a pass (`for f in &result.findings`).
    pub findings: Findings,
    pub not_collected: Vec<ScopeFailure>,
    /// The parts of the estate whose clusters were all listed (see `Coverage`).
    pub covered: Vec<Coverage>,
    pub started_at: Option<time::OffsetDateTime>,
    pub finished_at: Option<time::OffsetDateTime>,
    /// `--fail-on-new`: only failures new since the previous scan count for the exit code.
    pub fail_on_new: bool,
    /// Warnings about the scan's inputs (expired or unused waivers), for stderr and reports.
    pub warnings: Vec<String>,
}

impl ScanResult {
    /// Records one resource's outcomes.
    pub fn record_all(&mut self, resource: &ResourceRef, outcomes: Vec<(&'static CheckMeta, Outcome)>) {
        let resource = Arc::new(resource.clone());
        for (check, o) in outcomes {
            let subject_marks = o
                .subjects
                .iter()
                .map(|s| Marks {
                    fingerprint: crate::fingerprint::subject(check.id, &resource, &s.id),
                    ..Marks::default()
                })
                .collect();
            let f = Finding {
                check,
                resource: resource.clone(),
                status: o.status,
                message: o.message,
                evidence: o.evidence,
                subjects: o.subjects,
                marks: Marks { fingerprint: crate::fingerprint::finding(check.id, &resource), ..Marks::default() },
                subject_marks,
            };
            self.record(f);
        }
    }

    pub fn record(&mut self, f: Finding) {
        self.resources.entry(f.resource.clone()).or_default().add(f.status);
        self.findings.push(f);
    }

    /// Deterministic order (`order`); failed scopes by name.
    pub fn finish(&mut self) {
        self.findings.sort();
        self.not_collected.sort();
        self.not_collected.dedup();
        self.covered.sort();
        self.covered.dedup();
    }

    /// Keeps only the findings the filter selects; per-resource counts follow.
    pub fn filter(&mut self, filter: &Filter) {
        if filter.is_empty() {
            return;
        }
        self.findings.retain(|f| filter.keeps(f));
        self.resources.clear();
        for f in self.findings.iter() {
            self.resources.entry(f.resource.clone()).or_default().add(f.status);
        }
    }

    /// The exit code and why, in one sentence.
    pub fn exit_reason(&self, fail_on: FailOn) -> String {
        let code = self.exit_code(fail_on);
        let threshold = match fail_on.0 {
            Some(s) => format!("at or above {} (--fail-on)", s.as_str()),
            None => "counted (--fail-on never)".to_string(),
        };
        let new = if self.fail_on_new { "new " } else { "" };
        match code {
            exit::INCOMPLETE => format!(
                "Exit {code}: {} scope(s) could not be collected (named above); everything else is reported.",
                self.not_collected.len()
            ),
            exit::FINDINGS => format!("Exit {code}: {} {new}failing finding(s) {threshold}.", self.failing(fail_on)),
            _ => format!("Exit {code}: no {new}failing finding {threshold}."),
        }
    }

    /// How many resources of a kind were scored.
    pub fn count(&self, kind: ResourceKind) -> usize {
        self.resources.keys().filter(|r| r.kind == kind).count()
    }

    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        self.findings.iter().for_each(|f| c.add(f.status));
        c
    }

    /// Failing findings at or above the threshold that count for the exit code: not waived,
    /// and with `--fail-on-new` only new failures.
    pub fn failing(&self, fail_on: FailOn) -> usize {
        match fail_on.0 {
            None => 0,
            Some(min) => self
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.check.severity >= min && !f.is_waived())
                .filter(|f| !self.fail_on_new || f.is_new_failure())
                .count(),
        }
    }

    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        if !self.not_collected.is_empty() {
            exit::INCOMPLETE
        } else if self.failing(fail_on) > 0 {
            exit::FINDINGS
        } else {
            exit::OK
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use kubeposture_checks::{Cloud, Outcome};

    pub(crate) fn cluster(name: &str) -> ResourceRef {
        ResourceRef {
            kind: ResourceKind::Cluster,
            cloud: Cloud::Aks,
            account: "sub-1".into(),
            region: "westeurope".into(),
            resource_group: Some("rg".into()),
            name: name.into(),
            id: format!(
                "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/{name}"
            ),
            tags: Default::default(),
        }
    }

    fn result(outcomes: Vec<(&'static str, Outcome)>) -> ScanResult {
        let mut r = ScanResult::default();
        let o = outcomes.into_iter().map(|(id, o)| (&kubeposture_checks::find(id).unwrap().meta, o)).collect();
        r.record_all(&cluster("aks-1"), o);
        r.finish();
        r
    }

    fn waived() -> Option<Arc<Waived>> {
        Some(Arc::new(Waived { reason: "accepted".into(), owner: "sec".into(), expires: None }))
    }

    #[test]
    fn waived_findings_do_not_count() {
        let mut r = result(vec![("NET-001", Outcome::fail("open", vec![]))]);
        assert_eq!(r.exit_code(FailOn(Some(Severity::Low))), exit::FINDINGS);
        r.findings[0].marks.waiver = waived();
        assert_eq!(r.exit_code(FailOn(Some(Severity::Low))), exit::OK);
    }

    #[test]
    fn a_finding_is_waived_when_every_failing_subject_is() {
        let subjects = vec![
            Subject::new("a", "Alice", Status::Fail, "standing Owner"),
            Subject::new("b", "Bob", Status::Fail, "standing Owner"),
            Subject::new("c", "Carol", Status::Pass, "eligible only"),
        ];
        let mut r = result(vec![("IDN-006", Outcome::fail("standing admins", vec![]).with_subjects(subjects))]);
        let fail_on = FailOn(Some(Severity::Low));
        r.findings[0].subject_marks[0].waiver = waived();
        assert!(!r.findings[0].is_waived());
        assert_eq!(r.exit_code(fail_on), exit::FINDINGS);
        r.findings[0].subject_marks[1].waiver = waived();
        assert!(r.findings[0].is_waived(), "the passing subject needs no waiver");
        assert_eq!(r.exit_code(fail_on), exit::OK);
    }

    #[test]
    fn fail_on_new_counts_only_new_failures_and_incomplete_keeps_precedence() {
        let subjects = vec![
            Subject::new("a", "Alice", Status::Fail, "standing Owner"),
            Subject::new("b", "Bob", Status::Fail, "standing Owner"),
        ];
        let mut r = result(vec![
            ("NET-001", Outcome::fail("open", vec![])),
            ("IDN-006", Outcome::fail("standing admins", vec![]).with_subjects(subjects)),
        ]);
        r.fail_on_new = true;
        let fail_on = FailOn(Some(Severity::Low));
        r.findings.update(|f| {
            f.marks.novelty = Some(Novelty::Existing);
            f.subject_marks.iter_mut().for_each(|m| m.novelty = Some(Novelty::Existing));
        });
        assert_eq!(r.exit_code(fail_on), exit::OK);
        // A new failing subject makes its finding a new failure, unless that subject is waived.
        let idn = r.findings.iter().position(|f| f.check.id == "IDN-006").unwrap();
        r.findings[idn].subject_marks[1].novelty = Some(Novelty::New);
        assert_eq!(r.exit_code(fail_on), exit::FINDINGS);
        r.findings[idn].subject_marks[1].waiver = waived();
        assert_eq!(r.exit_code(fail_on), exit::OK);
        let net = r.findings.iter().position(|f| f.check.id == "NET-001").unwrap();
        r.findings[net].marks.novelty = Some(Novelty::New);
        assert_eq!(r.exit_code(fail_on), exit::FINDINGS);
        r.not_collected.push(ScopeFailure {
            cloud: Cloud::Aks,
            scope: "subscription x".into(),
            operation: "listManagedClusters".into(),
            reason: "denied".into(),
        });
        assert_eq!(r.exit_code(fail_on), exit::INCOMPLETE);
    }

    #[test]
    fn fingerprints_are_set_when_recorded() {
        let r = result(vec![(
            "IDN-006",
            Outcome::fail("x", vec![]).with_subjects(vec![Subject::new("a", "Alice", Status::Fail, "r")]),
        )]);
        let f = &r.findings[0];
        assert_eq!(f.marks.fingerprint, crate::fingerprint::finding("IDN-006", &f.resource));
        assert_eq!(f.subject_marks.len(), 1);
        assert_eq!(f.subject_marks[0].fingerprint, crate::fingerprint::subject("IDN-006", &f.resource, "a"));
    }
}
