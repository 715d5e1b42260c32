//! What changed between two scans: at subject level where a finding has subjects (a principal,
//! a role, a workload), at finding level otherwise. A finding that is gone is "resolved" only if
//! the newer scan collected everything where its resource lives (`ScanScope::covers`); otherwise
//! it was "not collected".

use super::{ScanRow, StoredFinding};
use kubeposture_checks::Status;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing now; before it did not exist, or was unknown.
    New,
    /// `pass`/`not_applicable` → `fail`.
    Regressed,
    /// `fail` → `pass`/`not_applicable`, or gone from a scope that was collected completely.
    Resolved,
    /// Known before (or absent), `unknown` now.
    NewlyUnknown,
    /// Present before; its scope was not collected this time. Neither resolved nor failing.
    NotCollected,
    /// Any other change of status (`unknown` → `pass`, a passing finding gone or added, …).
    Changed,
}

impl Change {
    pub const ALL: [Change; 6] =
        [Change::New, Change::Regressed, Change::Resolved, Change::NewlyUnknown, Change::NotCollected, Change::Changed];
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Regressed => "regressed",
            Change::Resolved => "resolved",
            Change::NewlyUnknown => "newly_unknown",
            Change::NotCollected => "not_collected",
            Change::Changed => "changed",
        }
    }
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub change: Change,
    pub check_id: String,
    pub severity: String,
    pub resource: kubeposture_checks::ResourceRef,
    /// The subject's id and label, for subject-level rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectKey>,
    pub fingerprint: String,
    /// `None`: absent in that scan.
    pub old_status: Option<Status>,
    pub new_status: Option<Status>,
    /// The newer message (or reason) where there is one, else the older.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubjectKey {
    pub id: String,
    pub label: String,
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

/// Classifies one item (a finding without subjects, or one subject) seen in either scan.
fn classify(old: Option<Status>, new: Option<Status>) -> Option<Change> {
    use Status::*;
    match (old, new) {
        (o, n) if o == n => None,
        (_, Some(Fail)) => Some(match old {
            Some(Pass | NotApplicable) => Change::Regressed,
            _ => Change::New,
        }),
        (_, Some(Unknown)) => Some(Change::NewlyUnknown),
        (Some(Fail), _) => Some(Change::Resolved),
        _ => Some(Change::Changed),
    }
}

/// Compares two scans' findings (each sorted by fingerprint, as the store returns them).
pub fn diff(old: &[StoredFinding], new_scan: &ScanRow, new: &[StoredFinding]) -> Vec<Row> {
    let old_by: BTreeMap<&str, &StoredFinding> = old.iter().map(|f| (f.fingerprint.as_str(), f)).collect();
    let new_by: BTreeMap<&str, &StoredFinding> = new.iter().map(|f| (f.fingerprint.as_str(), f)).collect();
    let mut rows = Vec::new();
    let keys: std::collections::BTreeSet<&str> = old_by.keys().chain(new_by.keys()).copied().collect();
    for fp in keys {
        let (o, n) = (old_by.get(fp).copied(), new_by.get(fp).copied());
        let any = n.or(o).expect("in one of the two");
        let row = |change, subject: Option<SubjectKey>, fingerprint: &str, os, ns, message: &str| Row {
            change,
            check_id: any.check_id.clone(),
            severity: any.severity.clone(),
            resource: any.resource.clone(),
            subject,
            fingerprint: fingerprint.to_string(),
            old_status: os,
            new_status: ns,
            message: message.to_string(),
        };
        // Gone: resolved (or changed) only where the newer scan collected its scope.
        if let (Some(o), None) = (o, n)
            && !new_scan.scope.covers(&o.resource)
        {
            rows.push(row(Change::NotCollected, None, fp, Some(o.status), None, &o.message));
            continue;
        }
        let (os, ns) = (o.map(|f| f.status), n.map(|f| f.status));
        let newly_unknown = ns == Some(Status::Unknown) && os != Some(Status::Unknown);
        let has_subjects = o.is_some_and(|f| !f.subjects.is_empty()) || n.is_some_and(|f| !f.subjects.is_empty());
        if newly_unknown || !has_subjects {
            if let Some(change) = classify(os, ns) {
                let message = n.map(|f| f.message.as_str()).unwrap_or(o.map(|f| f.message.as_str()).unwrap_or(""));
                rows.push(row(change, None, fp, os, ns, message));
            }
            continue;
        }
        // Subject level: the union of both scans' subjects, by subject fingerprint.
        let mut subjects: BTreeMap<&str, (Option<&super::StoredSubject>, Option<&super::StoredSubject>)> =
            BTreeMap::new();
        for s in o.map(|f| f.subjects.as_slice()).unwrap_or_default() {
            subjects.entry(s.fingerprint.as_str()).or_default().0 = Some(s);
        }
        for s in n.map(|f| f.subjects.as_slice()).unwrap_or_default() {
            subjects.entry(s.fingerprint.as_str()).or_default().1 = Some(s);
        }
        let before = rows.len();
        for (sfp, (so, sn)) in subjects {
            // A subject gone from a finding that is now unknown was not judged: not resolved.
            let sn_status = sn.map(|s| s.status);
            if let Some(change) = classify(so.map(|s| s.status), sn_status) {
                let s = sn.or(so).expect("in one of the two");
                let key = SubjectKey { id: s.id.clone(), label: s.label.clone() };
                rows.push(row(change, Some(key), sfp, so.map(|s| s.status), sn_status, &s.reason));
            }
        }
        if rows.len() == before
            && let Some(change) = classify(os, ns)
        {
            // The verdict changed though no subject did (e.g. a threshold, or no subjects now).
            let message = n.map(|f| f.message.as_str()).unwrap_or(o.map(|f| f.message.as_str()).unwrap_or(""));
            rows.push(row(change, None, fp, os, ns, message));
        }
    }
    rows.sort_by(|a, b| {
        a.change
            .cmp(&b.change)
            .then_with(|| severity_rank(&a.severity).cmp(&severity_rank(&b.severity)))
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.subject.as_ref().map(|s| &s.id).cmp(&b.subject.as_ref().map(|s| &s.id)))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{ScanScope, StoredSubject};

    fn scan(covered: &[&str]) -> ScanRow {
        ScanRow {
            id: 1,
            scope_key: "k".into(),
            started_at: time::OffsetDateTime::UNIX_EPOCH,
            finished_at: time::OffsetDateTime::UNIX_EPOCH,
            tool_version: "0".into(),
            catalog_version: "c".into(),
            scope: ScanScope { subscriptions: covered.iter().map(|s| s.to_string()).collect(), ..Default::default() },
            not_collected: vec![],
            exit_code: 0,
            counts: Default::default(),
        }
    }

    fn finding(check: &str, cluster: &str, sub: &str, status: Status, subjects: Vec<(&str, Status)>) -> StoredFinding {
        let mut r = crate::findings::tests::cluster(cluster);
        r.account = sub.into();
        StoredFinding {
            fingerprint: crate::fingerprint::finding(check, &r),
            check_id: check.into(),
            severity: "high".into(),
            status,
            message: format!("{check} {}", status.as_str()),
            evidence: vec![],
            novelty: None,
            waiver: None,
            subjects: subjects
                .into_iter()
                .map(|(id, st)| StoredSubject {
                    fingerprint: crate::fingerprint::subject(check, &r, id),
                    id: id.into(),
                    label: format!("{id} (User)"),
                    status: st,
                    reason: format!("{id} {}", st.as_str()),
                    novelty: None,
                    waiver: None,
                })
                .collect(),
            resource: r,
        }
    }

    fn changes(rows: &[Row]) -> Vec<(Change, String, Option<String>)> {
        rows.iter().map(|r| (r.change, r.check_id.clone(), r.subject.as_ref().map(|s| s.id.clone()))).collect()
    }

    #[test]
    fn finding_level_changes() {
        use Status::*;
        let old = vec![
            finding("NET-001", "a", "s1", Fail, vec![]),
            finding("NET-002", "a", "s1", Pass, vec![]),
            finding("NET-003", "a", "s1", Pass, vec![]),
            finding("NET-004", "a", "s1", Fail, vec![]),
            finding("CLU-001", "gone", "s1", Fail, vec![]),
            finding("CLU-001", "denied", "s2", Fail, vec![]),
        ];
        let mut new = vec![
            finding("NET-001", "a", "s1", Pass, vec![]),
            finding("NET-002", "a", "s1", Fail, vec![]),
            finding("NET-003", "a", "s1", Unknown, vec![]),
            finding("NET-004", "a", "s1", Fail, vec![]),
            finding("NET-005", "a", "s1", Fail, vec![]),
        ];
        let mut old = old;
        old.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        new.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        let rows = diff(&old, &scan(&["s1"]), &new);
        let mut got = changes(&rows);
        got.sort();
        assert_eq!(
            got,
            vec![
                (Change::New, "NET-005".into(), None),
                (Change::Regressed, "NET-002".into(), None),
                (Change::Resolved, "CLU-001".into(), None),
                (Change::Resolved, "NET-001".into(), None),
                (Change::NewlyUnknown, "NET-003".into(), None),
                (Change::NotCollected, "CLU-001".into(), None),
            ]
        );
        let nc = rows.iter().find(|r| r.change == Change::NotCollected).unwrap();
        assert_eq!(nc.resource.name, "denied");
    }

    #[test]
    fn subject_level_changes() {
        use Status::*;
        let old = vec![finding("IDN-006", "a", "s1", Fail, vec![("alice", Fail), ("carol", Pass)])];
        let new = vec![finding("IDN-006", "a", "s1", Fail, vec![("alice", Fail), ("bob", Fail), ("carol", Fail)])];
        let rows = diff(&old, &scan(&["s1"]), &new);
        assert_eq!(
            changes(&rows),
            vec![
                (Change::New, "IDN-006".into(), Some("bob".into())),
                (Change::Regressed, "IDN-006".into(), Some("carol".into())),
            ]
        );
        assert_eq!(rows[0].subject.as_ref().unwrap().label, "bob (User)");
        // The finding turned unknown: one finding-level row, its subjects are not "resolved".
        let new = vec![finding("IDN-006", "a", "s1", Unknown, vec![])];
        let rows = diff(&old, &scan(&["s1"]), &new);
        assert_eq!(changes(&rows), vec![(Change::NewlyUnknown, "IDN-006".into(), None)]);
    }
}
