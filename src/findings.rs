//! The scan result: findings built from check outcomes, then sorted and filtered in one place
//! (`ScanResult::finish`), which also decides the exit code.

use kubeposture_checks::{CheckMeta, Evidence, Outcome, ResourceKind, ResourceRef, Severity, Status, Subject};
use kubeposture_providers::ScopeFailure;
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
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
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
    /// Nothing failing at or above `--fail-on`, every scope collected.
    pub const OK: u8 = 0;
    /// Failing findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Some scope could not be collected (named in the output); takes precedence over 1.
    pub const INCOMPLETE: u8 = 2;
    /// Bad usage or setup (flags, config file, output directory).
    pub const USAGE: u8 = 3;
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub resources: BTreeMap<Arc<ResourceRef>, Counts>,
    pub findings: Vec<Finding>,
    pub not_collected: Vec<ScopeFailure>,
    pub started_at: Option<time::OffsetDateTime>,
    pub finished_at: Option<time::OffsetDateTime>,
}

impl ScanResult {
    /// Records one resource's outcomes.
    pub fn record_all(&mut self, resource: &ResourceRef, outcomes: Vec<(&'static CheckMeta, Outcome)>) {
        let resource = Arc::new(resource.clone());
        for (check, o) in outcomes {
            let f = Finding {
                check,
                resource: resource.clone(),
                status: o.status,
                message: o.message,
                evidence: o.evidence,
                subjects: o.subjects,
            };
            self.record(f);
        }
    }

    pub fn record(&mut self, f: Finding) {
        self.resources.entry(f.resource.clone()).or_default().add(f.status);
        self.findings.push(f);
    }

    /// Deterministic order: severity (highest first), check id, resource; failed scopes by name.
    pub fn finish(&mut self) {
        self.findings.sort_by(|a, b| {
            b.check
                .severity
                .cmp(&a.check.severity)
                .then_with(|| a.check.id.cmp(b.check.id))
                .then_with(|| a.resource.cmp(&b.resource))
                .then_with(|| a.status.cmp(&b.status))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.not_collected.sort();
        self.not_collected.dedup();
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

    /// Failing findings at or above the threshold.
    pub fn failing(&self, fail_on: FailOn) -> usize {
        match fail_on.0 {
            None => 0,
            Some(min) => self.findings.iter().filter(|f| f.status == Status::Fail && f.check.severity >= min).count(),
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
