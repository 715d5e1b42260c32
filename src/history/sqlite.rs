//! SQLite backend: one file, WAL so readers never block the writer, a busy timeout so
//! concurrent scans wait for each other's short write transaction instead of failing.

use super::{
    BATCH, NewScan, ScanRow, StoreError, StoredFinding, StoredSubject, finding_row, json, schema, status_of,
    subject_rows,
};
use crate::findings::ScanResult;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub struct Db {
    conn: Connection,
    name: String,
}

/// How long a writer waits for another's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Fixed-width RFC 3339 in UTC, so text order is time order.
fn ts(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    t.to_offset(time::UtcOffset::UTC).format(f).unwrap_or_default()
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let name = path.display().to_string();
        let open_err = |e: rusqlite::Error| StoreError::Open { store: name.clone(), cause: e.to_string() };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                store: name.clone(),
                cause: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let connect = || -> rusqlite::Result<Connection> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            // WAL is persistent in the file; setting it takes a lock, so it waits like any writer.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            Ok(conn)
        };
        // Several first uses at once: switching a new file to WAL can meet a lock that SQLite
        // reports at once rather than through the busy handler; that is tried again.
        let started = std::time::Instant::now();
        let conn = loop {
            match connect() {
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => break other.map_err(open_err)?,
            }
        };
        let mut db = Db { conn, name };
        db.migrate()?;
        Ok(db)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| StoreError::Query { store: self.name.clone(), cause: e.to_string() }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let name = self.name.clone();
        let err = |e: rusqlite::Error| StoreError::Open { store: name.clone(), cause: e.to_string() };
        // IMMEDIATE: two first uses at once apply the migrations once, one after the other.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        tx.execute(schema::MIGRATIONS_TABLE, []).map_err(err)?;
        let found: i64 = tx
            .query_row("SELECT COALESCE(MAX(version), 0) FROM kubeposture_migrations", [], |r| r.get(0))
            .map_err(err)?;
        if found > schema::latest() {
            return Err(StoreError::TooNew { store: name.clone(), found, known: schema::latest() });
        }
        for i in found as usize..schema::latest() as usize {
            tx.execute_batch(&schema::migration(i, schema::Dialect::Sqlite)).map_err(err)?;
            tx.execute(
                "INSERT INTO kubeposture_migrations (version, applied_at) VALUES (?1, ?2)",
                params![i as i64 + 1, ts(OffsetDateTime::now_utc())],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    pub fn record(&mut self, scan: &NewScan<'_>, result: &ScanResult) -> Result<i64, StoreError> {
        let name = self.name.clone();
        let err = |e: rusqlite::Error| StoreError::Query { store: name.clone(), cause: e.to_string() };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        tx.execute(
            "INSERT INTO scans (scope_key, started_at, finished_at, tool_version, catalog_version, scope, \
             not_collected, exit_code, counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                scan.scope_key,
                ts(scan.started_at),
                ts(scan.finished_at),
                env!("CARGO_PKG_VERSION"),
                super::catalog_version(),
                json(scan.scope),
                json(&super::not_collected_of(result)),
                scan.exit_code as i64,
                json(&super::counts_of(result)),
            ],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        {
            let mut ins_f = tx
                .prepare(
                    "INSERT INTO findings (scan_id, fingerprint, check_id, severity, status, cloud, resource_kind, \
                     account, region, resource_group, resource_name, resource_id, message, evidence, novelty, waiver) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .map_err(err)?;
            let mut ins_s = tx
                .prepare(
                    "INSERT INTO subjects (scan_id, finding_fingerprint, fingerprint, subject_id, label, status, \
                     reason, facts, novelty, waiver) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(err)?;
            // One pass over the findings in order; nothing is copied besides the row at hand.
            for (n, f) in result.findings.iter().enumerate() {
                let r = finding_row(&f);
                ins_f
                    .execute(params![
                        id,
                        r.fingerprint,
                        r.check_id,
                        r.severity,
                        r.status,
                        r.cloud,
                        r.kind,
                        r.r.account,
                        r.r.region,
                        r.r.resource_group,
                        r.r.name,
                        r.r.id,
                        r.message,
                        r.evidence.to_string(),
                        r.novelty,
                        r.waiver,
                    ])
                    .map_err(err)?;
                for s in subject_rows(&f) {
                    ins_s
                        .execute(params![
                            id,
                            s.finding,
                            s.fingerprint,
                            s.id,
                            s.label,
                            s.status,
                            s.reason,
                            s.facts.to_string(),
                            s.novelty,
                            s.waiver,
                        ])
                        .map_err(err)?;
                }
                if n + 1 == BATCH {
                    super::failpoint_stall();
                }
            }
        }
        if result.findings.len() < BATCH {
            super::failpoint_stall();
        }
        result.findings.check()?;
        tx.commit().map_err(err)?;
        Ok(id)
    }

    fn scan_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScanRow> {
        let time = |i: usize| -> rusqlite::Result<OffsetDateTime> {
            let s: String = r.get(i)?;
            OffsetDateTime::parse(&s, &Rfc3339)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
        };
        let js = |i: usize| -> rusqlite::Result<serde_json::Value> {
            let s: String = r.get(i)?;
            serde_json::from_str(&s)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
        };
        Ok(ScanRow {
            id: r.get(0)?,
            scope_key: r.get(1)?,
            started_at: time(2)?,
            finished_at: time(3)?,
            tool_version: r.get(4)?,
            catalog_version: r.get(5)?,
            scope: serde_json::from_value(js(6)?).unwrap_or_default(),
            not_collected: serde_json::from_value(js(7)?).unwrap_or_default(),
            exit_code: r.get(8)?,
            counts: serde_json::from_value(js(9)?).unwrap_or_default(),
        })
    }

    const SCAN_COLUMNS: &'static str = "id, scope_key, started_at, finished_at, tool_version, catalog_version, scope, \
                                        not_collected, exit_code, counts";

    pub fn scans(&self, scope_key: Option<&str>, before: Option<i64>, limit: i64) -> Result<Vec<ScanRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM scans WHERE (?1 IS NULL OR scope_key = ?1) AND (?2 IS NULL OR id < ?2) \
             ORDER BY id DESC LIMIT ?3",
            Self::SCAN_COLUMNS
        );
        let mut st = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = st.query_map(params![scope_key, before, limit], Self::scan_row).map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    pub fn scan(&self, id: i64) -> Result<Option<ScanRow>, StoreError> {
        let sql = format!("SELECT {} FROM scans WHERE id = ?1", Self::SCAN_COLUMNS);
        self.conn.query_row(&sql, [id], Self::scan_row).optional().map_err(self.err())
    }

    pub fn findings(&self, id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT fingerprint, check_id, severity, status, cloud, resource_kind, account, region, \
                 resource_group, resource_name, resource_id, message, evidence, novelty, waiver \
                 FROM findings WHERE scan_id = ?1 ORDER BY fingerprint",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([id], |r| {
                let status: String = r.get(3)?;
                let cloud: String = r.get(4)?;
                let kind: String = r.get(5)?;
                let evidence: String = r.get(12)?;
                Ok(StoredFinding {
                    fingerprint: r.get(0)?,
                    check_id: r.get(1)?,
                    severity: r.get(2)?,
                    status: status_of(&status),
                    resource: super::resource_of(&cloud, &kind, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?),
                    message: r.get(11)?,
                    evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                    novelty: r.get(13)?,
                    waiver: r.get(14)?,
                    subjects: Vec::new(),
                })
            })
            .map_err(self.err())?;
        let mut findings = rows.collect::<Result<Vec<_>, _>>().map_err(self.err())?;
        let mut st = self
            .conn
            .prepare(
                "SELECT finding_fingerprint, fingerprint, subject_id, label, status, reason, novelty, waiver \
                 FROM subjects WHERE scan_id = ?1",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([id], |r| {
                let status: String = r.get(4)?;
                Ok((
                    r.get::<_, String>(0)?,
                    StoredSubject {
                        fingerprint: r.get(1)?,
                        id: r.get(2)?,
                        label: r.get(3)?,
                        status: status_of(&status),
                        reason: r.get(5)?,
                        novelty: r.get(6)?,
                        waiver: r.get(7)?,
                    },
                ))
            })
            .map_err(self.err())?;
        let subjects = rows.collect::<Result<Vec<_>, _>>().map_err(self.err())?;
        super::attach_subjects(&mut findings, subjects);
        Ok(findings)
    }

    pub fn statuses(&self, id: i64) -> Result<HashMap<String, kubeposture_checks::Status>, StoreError> {
        let mut map = HashMap::new();
        for sql in [
            "SELECT fingerprint, status FROM findings WHERE scan_id = ?1",
            "SELECT fingerprint, status FROM subjects WHERE scan_id = ?1",
        ] {
            let mut st = self.conn.prepare(sql).map_err(self.err())?;
            let mut rows = st.query([id]).map_err(self.err())?;
            while let Some(r) = rows.next().map_err(self.err())? {
                let fp: String = r.get(0).map_err(self.err())?;
                let status: String = r.get(1).map_err(self.err())?;
                super::insert_worst(&mut map, fp, status_of(&status));
            }
        }
        Ok(map)
    }

    pub fn prune(&mut self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        let name = self.name.clone();
        let err = |e: rusqlite::Error| StoreError::Query { store: name.clone(), cause: e.to_string() };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let old = "SELECT id FROM scans WHERE started_at < ?1";
        tx.execute(&format!("DELETE FROM subjects WHERE scan_id IN ({old})"), [ts(cutoff)]).map_err(err)?;
        tx.execute(&format!("DELETE FROM findings WHERE scan_id IN ({old})"), [ts(cutoff)]).map_err(err)?;
        let n = tx.execute("DELETE FROM scans WHERE started_at < ?1", [ts(cutoff)]).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n as u64)
    }
}
