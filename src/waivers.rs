//! Waivers: accepted risks, each with a reason, an owner and an expiry (as cargo-deny's
//! exceptions). A waived finding keeps its status, is marked in every report and does not count
//! for the exit code; an expired waiver stops applying and is warned about; one that matched
//! nothing is reported as unused.
//!
//! ```yaml
//! waivers:
//!   - check: IDN-006                 # check id (or slug)
//!     resource: aks-legacy-*         # glob on the resource name or id (ARM id, EKS ARN, account/tenant id)
//!     account: 4f1c2d3e-*            # glob on the subscription or AWS account id
//!     region: westeurope             # glob
//!     tags: {env: dev}               # each tag must be present and match (value glob)
//!     principal: af5f2478-…          # identity checks: glob on the subject id (object id, ARN, ns/Kind/name)
//!     reason: Break-glass account, reviewed quarterly
//!     owner: secops@contoso.com
//!     expires: 2026-12-31            # last day it applies (UTC); required unless allow_permanent
//! ```

use crate::findings::{Finding, Marks, ScanResult, Waived};
use crate::fingerprint::canonical;
use kubeposture_checks::iam::wildcard;
use kubeposture_checks::{ResourceRef, Status};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum WaiverError {
    #[error("cannot read waivers file {path}: {cause}")]
    Read { path: String, cause: String },
    #[error("invalid waivers file {path}: {cause}")]
    Parse { path: String, cause: String },
    #[error("{origin}, waiver {n} ({check}): {problem}")]
    Invalid { origin: String, n: usize, check: String, problem: String },
}

/// One entry as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WaiverSpec {
    pub check: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub owner: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiversFile {
    #[serde(default)]
    waivers: Vec<WaiverSpec>,
}

/// A validated waiver.
#[derive(Clone, Debug)]
pub struct Waiver {
    /// Where it was written and its position (1-based), for messages.
    pub origin: String,
    pub n: usize,
    pub check: &'static str,
    pub spec: WaiverSpec,
    pub note: Arc<Waived>,
}

impl Waiver {
    fn describe(&self) -> String {
        let mut what = vec![self.check.to_string()];
        for (k, v) in
            [("resource", &self.spec.resource), ("account", &self.spec.account), ("region", &self.spec.region)]
        {
            if let Some(v) = v {
                what.push(format!("{k} {v}"));
            }
        }
        for (k, v) in &self.spec.tags {
            what.push(format!("tag {k}={v}"));
        }
        if let Some(p) = &self.spec.principal {
            what.push(format!("principal {p}"));
        }
        format!("{} waiver {} ({}, owner {})", self.origin, self.n, what.join(", "), self.note.owner)
    }

    fn matches_resource(&self, r: &ResourceRef) -> bool {
        let glob = |pattern: &Option<String>, values: &[&str]| match pattern {
            None => true,
            Some(p) => values.iter().any(|v| wildcard::matches(&canonical(p), &canonical(v))),
        };
        glob(&self.spec.resource, &[&r.name, &r.id])
            && glob(&self.spec.account, &[&r.account])
            && glob(&self.spec.region, &[&r.region])
            && self.spec.tags.iter().all(|(k, v)| r.tags.get(k).is_some_and(|have| wildcard::matches(v, have)))
    }

    fn matches_subject(&self, id: &str) -> bool {
        self.spec.principal.as_deref().is_some_and(|p| wildcard::matches(&canonical(p), &canonical(id)))
    }
}

/// The waivers of a scan: the config file's, then the `--waivers` file's.
pub fn load(
    config_path: Option<&Path>,
    config: &crate::config::Config,
    file: Option<&Path>,
) -> Result<Vec<Waiver>, WaiverError> {
    let mut all = match config_path {
        Some(p) => validate(&p.display().to_string(), config.waivers.clone(), config.allow_permanent)?,
        None => Vec::new(),
    };
    if let Some(f) = file {
        all.extend(validate(&f.display().to_string(), read_file(f)?, config.allow_permanent)?);
    }
    Ok(all)
}

/// Reads a waivers file (`waivers:` list).
pub fn read_file(path: &Path) -> Result<Vec<WaiverSpec>, WaiverError> {
    let p = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| WaiverError::Read { path: p.clone(), cause: e.to_string() })?;
    let file: WaiversFile =
        serde_yaml_ng::from_str(&text).map_err(|e| WaiverError::Parse { path: p, cause: e.to_string() })?;
    Ok(file.waivers)
}

/// Checks every entry: a known check, a reason, an owner, an expiry date (or permission to
/// have none).
pub fn validate(origin: &str, specs: Vec<WaiverSpec>, allow_permanent: bool) -> Result<Vec<Waiver>, WaiverError> {
    let mut out = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let invalid = |problem: String| WaiverError::Invalid {
            origin: origin.to_string(),
            n: i + 1,
            check: spec.check.clone(),
            problem,
        };
        let Some(check) = kubeposture_checks::find(&spec.check) else {
            return Err(invalid("no such check (see `kubeposture checks`)".into()));
        };
        if spec.reason.trim().is_empty() {
            return Err(invalid("`reason` is required: say why the risk is accepted".into()));
        }
        if spec.owner.trim().is_empty() {
            return Err(invalid("`owner` is required: who accepted the risk".into()));
        }
        let expires = match &spec.expires {
            Some(d) => {
                Some(parse_date(d).map_err(|e| invalid(format!("`expires: {d}` is not a date YYYY-MM-DD ({e})")))?)
            }
            None if allow_permanent => None,
            None => {
                return Err(invalid(
                    "`expires` is required (a date, YYYY-MM-DD); a permanent waiver needs `allow_permanent: true` in the config file"
                        .into(),
                ));
            }
        };
        let note = Arc::new(Waived { reason: spec.reason.trim().into(), owner: spec.owner.trim().into(), expires });
        out.push(Waiver { origin: origin.to_string(), n: i + 1, check: check.meta.id, spec, note });
    }
    Ok(out)
}

fn parse_date(s: &str) -> Result<time::Date, time::error::Parse> {
    time::Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]"))
}

/// What applying the waivers found, for stderr and reports.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Findings or subjects marked.
    pub applied: usize,
    pub expired: Vec<String>,
    pub unused: Vec<String>,
}

impl Outcome {
    pub fn warnings(&self) -> Vec<String> {
        let mut w: Vec<String> =
            self.expired.iter().map(|e| format!("{e} has expired and no longer applies")).collect();
        w.extend(self.unused.iter().map(|u| format!("{u} matched no failing or unknown finding (unused: remove it)")));
        w
    }
}

/// Marks the findings (and subjects) the waivers cover, as of `today` (UTC). A waiver with a
/// principal marks matching subjects; one without marks the whole finding. Only findings and
/// subjects that fail or are unknown are marked: a waiver of something that passes is unused.
pub fn apply(waivers: &[Waiver], result: &mut ScanResult, today: time::Date) -> Outcome {
    let mut out = Outcome::default();
    let live: Vec<&Waiver> = waivers
        .iter()
        .filter(|w| {
            let expired = w.note.expires.is_some_and(|d| d < today);
            if expired {
                out.expired.push(w.describe());
            }
            !expired
        })
        .collect();
    let mut used = vec![false; live.len()];
    let open = |s: Status| matches!(s, Status::Fail | Status::Unknown);
    if live.is_empty() {
        return out;
    }
    result.findings.update(|f| {
        for (i, w) in live.iter().enumerate() {
            if w.check != f.check.id || !w.matches_resource(&f.resource) {
                continue;
            }
            if w.spec.principal.is_none() {
                if open(f.status) {
                    used[i] = true;
                    out.applied += mark(&mut f.marks, w);
                }
                continue;
            }
            let Finding { subjects, subject_marks, .. } = f;
            for (s, m) in subjects.iter().zip(subject_marks.iter_mut()) {
                if open(s.status) && w.matches_subject(&s.id) {
                    used[i] = true;
                    out.applied += mark(m, w);
                }
            }
        }
    });
    out.unused = live.iter().zip(&used).filter(|(_, u)| !**u).map(|(w, _)| w.describe()).collect();
    out
}

/// The first waiver that matches is the one shown (a later one that also matches still counts
/// as used). Returns how many marks were set (0 or 1).
fn mark(m: &mut Marks, w: &Waiver) -> usize {
    if m.waiver.is_some() {
        return 0;
    }
    m.waiver = Some(w.note.clone());
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeposture_checks::{Outcome, Subject};
    use time::macros::date;

    fn spec(yaml: &str) -> Vec<WaiverSpec> {
        serde_yaml_ng::from_str::<WaiversFile>(yaml).unwrap().waivers
    }

    fn result() -> ScanResult {
        let mut r = ScanResult::default();
        let mut a = crate::findings::tests::cluster("aks-legacy-2021");
        a.tags.insert("env".into(), "dev".into());
        let subjects = vec![
            Subject::new("AF5F2478-0000-4000-8000-00000000000A", "Sofia (User)", Status::Fail, "standing Owner"),
            Subject::new("bf5f2478-0000-4000-8000-00000000000b", "Gary (User)", Status::Fail, "standing member"),
        ];
        let find = |id| &kubeposture_checks::find(id).unwrap().meta;
        r.record_all(
            &a,
            vec![
                (find("NET-001"), Outcome::fail("open", vec![])),
                (find("NET-002"), Outcome::pass("narrow", vec![])),
                (find("IDN-006"), Outcome::fail("standing admins", vec![]).with_subjects(subjects)),
            ],
        );
        r.finish();
        r
    }

    fn finding(r: &ScanResult, check: &str) -> Finding {
        r.findings.iter().find(|f| f.check.id == check).unwrap()
    }

    const WAIVERS: &str = r#"
waivers:
  - check: NET-001
    resource: aks-legacy-*
    tags: {env: dev}
    reason: Decommissioned in Q3
    owner: platform@contoso.com
    expires: 2026-06-30
  - check: IDN-006
    principal: af5f2478-0000-4000-8000-00000000000a
    account: sub-*
    reason: Break-glass account
    owner: secops@contoso.com
    expires: 2026-12-31
  - check: NET-002
    resource: aks-legacy-2021
    reason: Was too wide
    owner: platform@contoso.com
    expires: 2026-12-31
"#;

    #[test]
    fn applied_until_the_expiry_day_then_expired() {
        let waivers = validate("w.yaml", spec(WAIVERS), false).unwrap();
        let mut r = result();
        let out = apply(&waivers, &mut r, date!(2026 - 06 - 30));
        assert!(finding(&r, "NET-001").is_waived(), "the expiry day still applies");
        assert_eq!(finding(&r, "NET-001").marks.waiver.as_ref().unwrap().owner, "platform@contoso.com");
        let idn = finding(&r, "IDN-006");
        assert!(idn.subject_marks[0].waiver.is_some(), "the principal matches case-insensitively");
        assert!(idn.subject_marks[1].waiver.is_none());
        assert!(!idn.is_waived(), "Gary still fails");
        assert!(out.expired.is_empty());
        assert_eq!(out.unused.len(), 1, "NET-002 passes: its waiver is unused");
        assert!(out.unused[0].contains("waiver 3 (NET-002"), "{:?}", out.unused);
        assert_eq!(
            r.exit_code(crate::findings::FailOn(Some(kubeposture_checks::Severity::Low))),
            crate::findings::exit::FINDINGS
        );

        let mut r = result();
        let out = apply(&waivers, &mut r, date!(2026 - 07 - 01));
        assert!(!finding(&r, "NET-001").is_waived(), "expired: no longer applied");
        assert_eq!(out.expired.len(), 1);
        assert!(out.warnings()[0].contains("has expired"), "{:?}", out.warnings());
    }

    #[test]
    fn exit_code_follows_the_waivers() {
        let all = r#"
waivers:
  - {check: NET-001, reason: r, owner: o, expires: 2030-01-01}
  - {check: IDN-006, principal: "*", reason: r, owner: o, expires: 2030-01-01}
"#;
        let mut r = result();
        let fail_on = crate::findings::FailOn(Some(kubeposture_checks::Severity::Low));
        assert_eq!(r.exit_code(fail_on), crate::findings::exit::FINDINGS);
        apply(&validate("w", spec(all), false).unwrap(), &mut r, date!(2026 - 01 - 01));
        assert_eq!(r.exit_code(fail_on), crate::findings::exit::OK);
        assert_eq!(finding(&r, "NET-001").status, Status::Fail, "a waived finding keeps its status");
    }

    #[test]
    fn selectors_must_all_match() {
        let other_tag = r#"
waivers:
  - {check: NET-001, tags: {env: prod}, reason: r, owner: o, expires: 2030-01-01}
  - {check: NET-001, region: eastus, reason: r, owner: o, expires: 2030-01-01}
  - {check: NET-001, resource: "/subscriptions/SUB-1/*", reason: r, owner: o, expires: 2030-01-01}
"#;
        let mut r = result();
        let out = apply(&validate("w", spec(other_tag), false).unwrap(), &mut r, date!(2026 - 01 - 01));
        assert_eq!(out.unused.len(), 2);
        assert!(finding(&r, "NET-001").is_waived(), "an ARM id glob matches case-insensitively");
    }

    #[test]
    fn every_waiver_needs_reason_owner_and_expiry() {
        let err = |yaml: &str, allow: bool| validate("w.yaml", spec(yaml), allow).unwrap_err().to_string();
        let permanent = "waivers:\n  - {check: NET-001, reason: r, owner: o}\n";
        assert!(err(permanent, false).contains("`expires` is required"), "{}", err(permanent, false));
        assert!(err(permanent, false).contains("allow_permanent: true"));
        let ok = validate("w.yaml", spec(permanent), true).unwrap();
        assert_eq!(ok[0].note.expires, None);
        assert!(err("waivers:\n  - {check: NET-001, owner: o, expires: 2030-01-01}\n", false).contains("`reason`"));
        assert!(err("waivers:\n  - {check: NET-001, reason: r, expires: 2030-01-01}\n", false).contains("`owner`"));
        assert!(
            err("waivers:\n  - {check: NOPE-1, reason: r, owner: o, expires: 2030-01-01}\n", false)
                .contains("no such check")
        );
        assert!(
            err("waivers:\n  - {check: NET-001, reason: r, owner: o, expires: 31/12/2030}\n", false)
                .contains("not a date")
        );
        let unknown_key = serde_yaml_ng::from_str::<WaiversFile>("waivers:\n  - {check: NET-001, reasons: r}\n");
        assert!(unknown_key.is_err(), "a typo is an error, not an ignored key");
    }
}
