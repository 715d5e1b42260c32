//! `new`/`existing` marks: each finding and subject against the latest earlier scan of the same
//! scope that collected its resource (a scan that could not reach it says nothing about it).

use super::{Store, StoreError};
use crate::findings::{Novelty, ScanResult};
use kubeposture_checks::Status;
use std::collections::HashMap;

/// How far back a resource's baseline is looked for.
const LOOK_BACK: i64 = 50;

pub async fn mark_novelty(store: &Store, scope_key: &str, result: &mut ScanResult) -> Result<(), StoreError> {
    let earlier = store.scans(Some(scope_key), None, LOOK_BACK).await?;
    let mut baseline = HashMap::new();
    let mut statuses: HashMap<i64, HashMap<String, Status>> = HashMap::new();
    for r in result.resources.keys() {
        let Some(scan) = earlier.iter().find(|s| s.scope.covers(r)) else { continue };
        if let std::collections::hash_map::Entry::Vacant(e) = statuses.entry(scan.id) {
            e.insert(store.statuses(scan.id).await?);
        }
        baseline.insert(r.clone(), scan.id);
    }
    let novelty = |base: Option<&HashMap<String, Status>>, fp: &str, status: Status| match base.and_then(|m| m.get(fp))
    {
        Some(s) if *s == status => Novelty::Existing,
        _ => Novelty::New,
    };
    result.findings.update(|f| {
        let base = baseline.get(&f.resource).and_then(|id| statuses.get(id));
        f.marks.novelty = Some(novelty(base, &f.marks.fingerprint, f.status));
        for (s, m) in f.subjects.iter().zip(f.subject_marks.iter_mut()) {
            m.novelty = Some(novelty(base, &m.fingerprint, s.status));
        }
    });
    Ok(())
}
