//! Where a scan's findings are kept, so memory does not grow with the estate: in memory up to a
//! budget, then sorted and spilled as compact JSON lines to an anonymous temporary file (in
//! `TMPDIR`, gone when the process ends), one sorted chunk per budget's worth. Reading merges
//! the chunks (and what is still in memory) in the report order, one finding at a time. Only
//! `ScanResult` uses it; reports see `result.findings` as one ordered pass.

use super::{Finding, Marks, order};
use kubeposture_checks::{CheckMeta, Evidence, ResourceRef, Status, Subject};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, LazyLock, Mutex};

/// Estimated bytes of findings held in memory before they are spilled.
pub const BUDGET: usize = 8 << 20;

#[derive(Debug)]
pub struct Findings {
    /// Findings not spilled, in arrival order until `sort`.
    mem: Vec<Finding>,
    mem_bytes: usize,
    budget: usize,
    /// Sorted chunks on disk.
    disk: Option<Disk>,
    /// Spilling failed once: everything else stays in memory (nothing is lost).
    no_spill: bool,
    len: usize,
    /// Resources by number (a spilled line names its resource by number), shared by their findings.
    resources: Vec<Arc<ResourceRef>>,
    numbers: BTreeMap<Arc<ResourceRef>, u32>,
    /// The first failure reading spilled findings back; see `check`.
    error: Mutex<Option<String>>,
}

#[derive(Debug)]
struct Disk {
    file: File,
    /// Byte range of each sorted chunk.
    chunks: Vec<(u64, u64)>,
}

/// A spilled finding could not be read back: the reports would miss findings.
#[derive(Debug, thiserror::Error)]
#[error(
    "the scan's findings could not be read back from their temporary file ({0}); no report was written in full. \
     Check the free space of TMPDIR (or point TMPDIR at a writable disk) and scan again"
)]
pub struct SpillError(String);

impl Default for Findings {
    fn default() -> Self {
        Self::with_budget(BUDGET)
    }
}

impl Findings {
    /// A store that spills once `budget` estimated bytes are held (0: every finding).
    pub fn with_budget(budget: usize) -> Self {
        Findings {
            mem: Vec::new(),
            mem_bytes: 0,
            budget,
            disk: None,
            no_spill: false,
            len: 0,
            resources: Vec::new(),
            numbers: BTreeMap::new(),
            error: Mutex::new(None),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether some findings live on disk.
    pub fn spilled(&self) -> bool {
        self.disk.as_ref().is_some_and(|d| !d.chunks.is_empty())
    }

    pub fn push(&mut self, mut f: Finding) {
        // One `Arc` per resource, however its findings were made.
        match self.numbers.get_key_value(&f.resource) {
            Some((shared, _)) => f.resource = shared.clone(),
            None => {
                let n = u32::try_from(self.resources.len()).unwrap_or(u32::MAX);
                self.resources.push(f.resource.clone());
                self.numbers.insert(f.resource.clone(), n);
            }
        }
        self.mem_bytes += weight(&f);
        self.mem.push(f);
        self.len += 1;
        if self.mem_bytes > self.budget && !self.no_spill {
            self.spill();
        }
    }

    /// Sorts what is in memory; spilled chunks are sorted already.
    pub fn sort(&mut self) {
        self.mem.sort_by(order);
    }

    /// Sorts the findings in memory and writes them as one chunk. A failure to write keeps
    /// them in memory and stops spilling (logged): the scan goes on, only bigger.
    fn spill(&mut self) {
        self.sort();
        match self.write_chunk() {
            Ok(()) => {
                self.mem.clear();
                self.mem_bytes = 0;
            }
            Err(e) => {
                tracing::warn!("findings stay in memory: the temporary file for them failed ({e})");
                self.no_spill = true;
            }
        }
    }

    fn write_chunk(&mut self) -> std::io::Result<()> {
        if self.disk.is_none() {
            self.disk = Some(Disk { file: tempfile::tempfile()?, chunks: Vec::new() });
        }
        let Some(disk) = self.disk.as_mut() else { return Ok(()) };
        let range = append(&disk.file, &self.mem, &self.numbers)?;
        disk.chunks.push(range);
        Ok(())
    }

    /// The findings in order (sorted once `sort` ran), each read back or cloned.
    pub fn iter(&self) -> Iter<'_> {
        let mut sources: Vec<Source<'_>> = Vec::new();
        if let Some(disk) = &self.disk {
            for &(start, end) in &disk.chunks {
                sources.push(Source::Disk(BufReader::with_capacity(
                    32 << 10,
                    Range { file: &disk.file, pos: start, end },
                )));
            }
        }
        sources.push(Source::Mem(self.mem.iter()));
        let mut iter = Iter { store: self, sources, heads: BinaryHeap::new(), line: String::new() };
        for i in 0..iter.sources.len() {
            iter.advance(i);
        }
        iter
    }

    /// Changes every finding in place; the order must not change (marks, not sort keys).
    pub fn update(&mut self, mut change: impl FnMut(&mut Finding)) {
        self.mem.iter_mut().for_each(&mut change);
        self.rewrite(|mut f| {
            change(&mut f);
            Some(f)
        });
    }

    /// Keeps the findings `keep` selects.
    pub fn retain(&mut self, mut keep: impl FnMut(&Finding) -> bool) {
        self.mem.retain(&mut keep);
        let mut kept = self.mem.len();
        self.rewrite(|f| {
            let k = keep(&f);
            kept += usize::from(k);
            k.then_some(f)
        });
        self.len = kept;
    }

    /// Each spilled chunk read, passed through `each` and written to a new file, chunk by chunk.
    fn rewrite(&mut self, mut each: impl FnMut(Finding) -> Option<Finding>) {
        let Some(old) = self.disk.take() else { return };
        let result = (|| -> std::io::Result<Disk> {
            let new = Disk { file: tempfile::tempfile()?, chunks: Vec::with_capacity(old.chunks.len()) };
            let mut new = new;
            for &(start, end) in &old.chunks {
                let mut reader = BufReader::new(Range { file: &old.file, pos: start, end });
                let mut chunk = Vec::new();
                let mut line = String::new();
                // A chunk is at most a budget's worth: it fits where it came from.
                while reader.read_line(&mut line)? > 0 {
                    let f = self.decode(&line).map_err(std::io::Error::other)?;
                    chunk.extend(each(f));
                    line.clear();
                }
                let range = append(&new.file, &chunk, &self.numbers)?;
                new.chunks.push(range);
            }
            Ok(new)
        })();
        match result {
            Ok(new) => self.disk = Some(new),
            Err(e) => {
                self.fail(format!("rewriting them: {e}"));
                self.disk = Some(old);
            }
        }
    }

    /// Ok unless some spilled finding could not be read back (reports and the exit code would
    /// then miss it).
    pub fn check(&self) -> Result<(), SpillError> {
        match &*self.error.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(SpillError(e.clone())),
            None => Ok(()),
        }
    }

    fn fail(&self, why: String) {
        let mut error = self.error.lock().unwrap_or_else(|p| p.into_inner());
        error.get_or_insert(why);
    }

    fn decode(&self, line: &str) -> Result<Finding, String> {
        let l: LineIn = serde_json::from_str(line).map_err(|e| format!("a line does not parse: {e}"))?;
        let check = CHECKS.get(l.c.as_str()).copied().ok_or_else(|| format!("unknown check {}", l.c))?;
        let resource =
            self.resources.get(l.r as usize).cloned().ok_or_else(|| format!("unknown resource number {}", l.r))?;
        Ok(Finding {
            check,
            resource,
            status: l.s,
            message: l.m,
            evidence: l.e,
            subjects: l.sub,
            marks: l.mk,
            subject_marks: l.smk,
        })
    }
}

/// Tests reach into small results, which stay in memory.
#[cfg(test)]
impl std::ops::Index<usize> for Findings {
    type Output = Finding;
    fn index(&self, i: usize) -> &Finding {
        assert!(!self.spilled(), "indexing spilled findings");
        &self.mem[i]
    }
}

#[cfg(test)]
impl std::ops::IndexMut<usize> for Findings {
    fn index_mut(&mut self, i: usize) -> &mut Finding {
        assert!(!self.spilled(), "indexing spilled findings");
        &mut self.mem[i]
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = Finding;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

static CHECKS: LazyLock<HashMap<&'static str, &'static CheckMeta>> =
    LazyLock::new(|| kubeposture_checks::all().iter().map(|c| (c.meta.id, &c.meta)).collect());

/// One spilled finding (short keys: there are many).
#[derive(Serialize)]
struct LineOut<'a> {
    c: &'static str,
    r: u32,
    s: Status,
    m: &'a str,
    e: &'a [Evidence],
    sub: &'a [Subject],
    mk: &'a Marks,
    smk: &'a [Marks],
}

#[derive(Deserialize)]
struct LineIn {
    c: String,
    r: u32,
    s: Status,
    m: String,
    e: Vec<Evidence>,
    sub: Vec<Subject>,
    mk: Marks,
    smk: Vec<Marks>,
}

/// Writes `findings` as JSON lines at the end of `file`; their byte range.
fn append(file: &File, findings: &[Finding], numbers: &BTreeMap<Arc<ResourceRef>, u32>) -> std::io::Result<(u64, u64)> {
    let mut handle = file;
    let start = handle.seek(SeekFrom::End(0))?;
    let mut w = BufWriter::with_capacity(64 << 10, handle);
    for f in findings {
        let line = LineOut {
            c: f.check.id,
            r: numbers.get(&f.resource).copied().unwrap_or(u32::MAX),
            s: f.status,
            m: &f.message,
            e: &f.evidence,
            sub: &f.subjects,
            mk: &f.marks,
            smk: &f.subject_marks,
        };
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    drop(w);
    let end = handle.stream_position()?;
    Ok((start, end))
}

/// Estimated heap and inline bytes of a finding, for the budget.
fn weight(f: &Finding) -> usize {
    const STRING: usize = std::mem::size_of::<String>();
    let evidence: usize = f.evidence.iter().map(|e| 2 * STRING + e.path.len() + e.observed.len()).sum();
    let subjects: usize = f
        .subjects
        .iter()
        .map(|s| {
            std::mem::size_of::<Subject>()
                + s.id.len()
                + s.label.len()
                + s.reason.len()
                + s.facts.iter().map(|(k, v)| 2 * STRING + k.len() + v.len()).sum::<usize>()
        })
        .sum();
    let marks: usize = f.subject_marks.iter().map(|m| std::mem::size_of::<Marks>() + m.fingerprint.len()).sum();
    std::mem::size_of::<Finding>() + f.message.len() + f.marks.fingerprint.len() + evidence + subjects + marks
}

/// A byte range of the file, read by position (several readers share one file).
struct Range<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = usize::try_from(self.end.saturating_sub(self.pos)).unwrap_or(usize::MAX).min(buf.len());
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, pos)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    // Moves the cursor; `append` seeks to the end before it writes.
    std::os::windows::fs::FileExt::seek_read(file, buf, pos)
}

enum Source<'a> {
    Disk(BufReader<Range<'a>>),
    Mem(std::slice::Iter<'a, Finding>),
}

/// The k-way merge: the next finding of each source, smallest first; ties go to the earlier
/// source (the earlier chunk), as a stable sort of everything would order them.
pub struct Iter<'a> {
    store: &'a Findings,
    sources: Vec<Source<'a>>,
    heads: BinaryHeap<Head>,
    line: String,
}

struct Head(Finding, usize);

impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // BinaryHeap is a max-heap: reversed.
        order(&other.0, &self.0).then_with(|| other.1.cmp(&self.1))
    }
}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Head {}

impl Iter<'_> {
    /// Reads source `i`'s next finding into the heap.
    fn advance(&mut self, i: usize) {
        let next = match &mut self.sources[i] {
            Source::Mem(it) => it.next().cloned(),
            Source::Disk(reader) => {
                self.line.clear();
                match reader.read_line(&mut self.line) {
                    Ok(0) => None,
                    Ok(_) => match self.store.decode(&self.line) {
                        Ok(f) => Some(f),
                        Err(e) => {
                            self.store.fail(e);
                            None
                        }
                    },
                    Err(e) => {
                        self.store.fail(e.to_string());
                        None
                    }
                }
            }
        };
        if let Some(f) = next {
            self.heads.push(Head(f, i));
        }
    }
}

impl Iterator for Iter<'_> {
    type Item = Finding;
    fn next(&mut self) -> Option<Finding> {
        let Head(f, i) = self.heads.pop()?;
        self.advance(i);
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Novelty, ScanResult, Waived};
    use crate::report::{self, Format, ReportMeta, ReportOptions};
    use kubeposture_checks::compliance::Framework;
    use kubeposture_checks::{Cloud, Outcome, ResourceKind};

    /// Every check on a few dozen resources, statuses and texts varied (hostile characters,
    /// ties in the sort key, subjects), recorded out of order into a store of `budget`.
    fn estate(budget: usize) -> ScanResult {
        let mut r = ScanResult { findings: Findings::with_budget(budget), ..ScanResult::default() };
        for n in (0..36).rev() {
            let cloud = if n % 2 == 0 { Cloud::Aks } else { Cloud::Eks };
            let resource = ResourceRef {
                kind: if n % 9 == 0 { ResourceKind::Account } else { ResourceKind::Cluster },
                cloud,
                account: format!("acct-{}", n % 4),
                region: "westeurope".into(),
                resource_group: (cloud == Cloud::Aks).then(|| "rg".into()),
                name: format!("c{n:02}\u{202e}x"),
                id: format!("id-{n}"),
                tags: Default::default(),
            };
            let outcomes = kubeposture_checks::all()
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let evidence = vec![Evidence::new("a.b", format!("v{i}\u{9b}\n\"q\""))];
                    let o = match (n + i) % 4 {
                        0 => Outcome::fail(format!("open {}", n % 3), evidence),
                        1 => Outcome::pass("fine", evidence),
                        2 => Outcome::unknown_because("ListThings failed (HTTP 503)", evidence),
                        _ => Outcome::not_applicable("n/a", vec![]),
                    };
                    let o = o.with_subjects(vec![
                        Subject::new(format!("s{i}"), "Alice", Status::Fail, "standing").fact("how", "Owner"),
                        Subject::new("t", "Bob =cmd", Status::Pass, "eligible"),
                    ]);
                    (&c.meta, o)
                })
                .collect();
            r.record_all(&resource, outcomes);
        }
        r.finish();
        r
    }

    fn listed(r: &ScanResult) -> Vec<String> {
        r.findings.iter().map(|f| format!("{f:?}")).collect()
    }

    #[test]
    fn spilled_findings_read_back_in_the_same_order_as_held_ones() {
        let held = estate(usize::MAX);
        assert!(!held.findings.spilled());
        for budget in [0, 5_000, 200_000] {
            let spilled = estate(budget);
            assert!(spilled.findings.spilled(), "budget {budget}");
            assert_eq!(spilled.findings.len(), held.findings.len());
            assert_eq!(listed(&spilled), listed(&held), "budget {budget}");
            spilled.findings.check().unwrap();
        }
    }

    #[test]
    fn marks_and_filters_apply_to_spilled_findings() {
        let (mut held, mut spilled) = (estate(usize::MAX), estate(3_000));
        for r in [&mut held, &mut spilled] {
            r.findings.update(|f| {
                f.marks.novelty = Some(Novelty::New);
                if f.status == Status::Fail {
                    f.marks.waiver = Some(Arc::new(Waived {
                        reason: "accepted".into(),
                        owner: "sec".into(),
                        expires: time::Date::from_calendar_date(2030, time::Month::May, 1).ok(),
                    }));
                }
            });
            r.filter(&crate::findings::Filter { checks: vec!["NET-001".into(), "IDN-006".into()], resources: vec![] });
        }
        assert!(spilled.findings.spilled());
        assert_eq!(listed(&spilled), listed(&held));
        assert_eq!(spilled.findings.len(), held.findings.len());
        assert_eq!(spilled.resources, held.resources);
        assert!(spilled.findings.iter().all(|f| f.marks.novelty == Some(Novelty::New)));
    }

    #[test]
    fn every_report_is_the_same_from_spilled_findings() {
        let (held, spilled) = (estate(usize::MAX), estate(0));
        let render = |r: &ScanResult, format: Format, compliance: Option<Framework>| {
            let meta = ReportMeta {
                clouds: vec!["azure", "aws"],
                fail_on: crate::findings::FailOn(Some(kubeposture_checks::Severity::Low)),
                exit_code: r.exit_code(crate::findings::FailOn(Some(kubeposture_checks::Severity::Low))),
                generated_at: time::OffsetDateTime::UNIX_EPOCH,
                options: ReportOptions {
                    term: report::term::Term::plain(100),
                    details: true,
                    sarif_unknown: true,
                    compliance,
                },
            };
            let mut out = Vec::new();
            report::render(format, r, &meta, &mut out).unwrap();
            out
        };
        let formats = [Format::Table, Format::Json, Format::Csv, Format::Sarif, Format::Ocsf, Format::OcsfJson];
        for format in formats.into_iter().chain([Format::Html]) {
            for compliance in [None].into_iter().chain(Framework::ALL.map(Some)) {
                let (a, b) = (render(&held, format, compliance), render(&spilled, format, compliance));
                assert!(a == b, "{format:?} {compliance:?} differs");
            }
        }
        let inventory = |r: &ScanResult| format!("{:?}", report::admins::collect(r, None));
        assert_eq!(inventory(&spilled), inventory(&held));
    }

    #[cfg(unix)]
    #[test]
    fn a_spilled_line_that_cannot_be_read_is_an_error_not_a_shorter_list() {
        let r = estate(0);
        let Some(disk) = &r.findings.disk else { panic!("spilled") };
        // Damage the second chunk in place.
        let (start, _) = disk.chunks[1];
        std::os::unix::fs::FileExt::write_at(&disk.file, b"{not json", start).unwrap();
        let n = r.findings.iter().count();
        assert!(n < r.findings.len());
        let e = r.findings.check().unwrap_err().to_string();
        assert!(e.contains("TMPDIR") && e.contains("does not parse"), "{e}");
    }

    #[test]
    fn the_json_report_escapes_controls_split_across_writes() {
        let mut out = Vec::new();
        let mut w = crate::report::json::EscapeControls::new(&mut out);
        let text = "a\u{202e}b\u{9b}c".as_bytes();
        for b in text {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        assert_eq!(String::from_utf8(out).unwrap(), "a\\u202eb\\u009bc");
    }
}
