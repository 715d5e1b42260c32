//! PostgreSQL backend (tokio-postgres, TLS through rustls): one shared record for a fleet of
//! scanners. Migrations run under an advisory lock, each scan in one transaction.

use super::{
    BATCH, NewScan, ScanRow, StoreError, StoredFinding, StoredSubject, finding_row, schema, status_of, subject_rows,
};
use crate::findings::ScanResult;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{Client, Row};

pub struct Db {
    client: Client,
    name: String,
}

/// Key of the advisory lock that serializes migrations across scanners.
const MIGRATION_LOCK: i64 = 0x6b75_6265_706f_7374; // "kubepost"

type Param<'a> = &'a (dyn ToSql + Sync);

/// rustls with the platform's roots plus `extra_ca_pem`, as the cloud clients use.
fn tls(extra_ca_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = match extra_ca_pem {
        Some(pem) => {
            let certs: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(pem).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
            rustls_platform_verifier::Verifier::new_with_extra_roots(certs, provider.clone())
        }
        None => rustls_platform_verifier::Verifier::new(provider.clone()),
    }
    .map_err(|e| e.to_string())?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// `postgres://user@host:port/db` without the password, for messages.
fn display_name(cfg: &tokio_postgres::Config) -> String {
    let host = cfg
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_default();
    let port = cfg.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
    format!("postgres://{}@{host}{port}/{}", cfg.get_user().unwrap_or_default(), cfg.get_dbname().unwrap_or_default())
}

impl Db {
    pub async fn open(url: &str, extra_ca_pem: Option<&[u8]>) -> Result<Db, StoreError> {
        // The URL may hold a password: never echo it.
        let cfg: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| StoreError::Open {
            store: "postgres://…".into(),
            cause: format!("invalid PostgreSQL URL ({e})"),
        })?;
        let name = display_name(&cfg);
        let open_err = |cause: String| StoreError::Open { store: name.clone(), cause };
        let tls = tls(extra_ca_pem).map_err(|e| open_err(format!("TLS setup: {e}")))?;
        let connect = cfg.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls));
        let (client, connection) = tokio::time::timeout(std::time::Duration::from_secs(30), connect)
            .await
            .map_err(|_| open_err("no answer within 30 s".into()))?
            .map_err(|e| open_err(pg_cause(&e)))?;
        let conn_name = name.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!("history store {conn_name}: connection closed: {}", pg_cause(&e));
            }
        });
        let mut db = Db { client, name };
        db.migrate().await?;
        Ok(db)
    }

    fn err(&self) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        move |e| StoreError::Query { store: self.name.clone(), cause: pg_cause(&e) }
    }

    async fn migrate(&mut self) -> Result<(), StoreError> {
        let name = self.name.clone();
        let err = |e: tokio_postgres::Error| StoreError::Open { store: name.clone(), cause: pg_cause(&e) };
        let tx = self.client.transaction().await.map_err(err)?;
        tx.query("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(err)?;
        tx.batch_execute(schema::MIGRATIONS_TABLE).await.map_err(err)?;
        let found: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM kubeposture_migrations", &[])
            .await
            .map_err(err)?
            .get(0);
        if found > schema::latest() {
            return Err(StoreError::TooNew { store: name.clone(), found, known: schema::latest() });
        }
        for i in found as usize..schema::latest() as usize {
            tx.batch_execute(&schema::migration(i, schema::Dialect::Postgres)).await.map_err(err)?;
            let now = OffsetDateTime::now_utc().to_string();
            tx.execute(
                "INSERT INTO kubeposture_migrations (version, applied_at) VALUES ($1, $2)",
                &[&(i as i64 + 1), &now],
            )
            .await
            .map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }

    pub async fn record(&mut self, scan: &NewScan<'_>, result: &ScanResult) -> Result<i64, StoreError> {
        let name = self.name.clone();
        let err = |e: tokio_postgres::Error| StoreError::Query { store: name.clone(), cause: pg_cause(&e) };
        let tx = self.client.transaction().await.map_err(err)?;
        let scope = Json(serde_json::to_value(scan.scope).unwrap_or_default());
        let not_collected = Json(serde_json::to_value(super::not_collected_of(result)).unwrap_or_default());
        let counts = Json(serde_json::to_value(super::counts_of(result)).unwrap_or_default());
        let exit_code = scan.exit_code as i32;
        let id: i64 = tx
            .query_one(
                "INSERT INTO scans (scope_key, started_at, finished_at, tool_version, catalog_version, scope, \
                 not_collected, exit_code, counts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &scan.scope_key,
                    &scan.started_at,
                    &scan.finished_at,
                    &env!("CARGO_PKG_VERSION"),
                    &super::catalog_version(),
                    &scope,
                    &not_collected,
                    &exit_code,
                    &counts,
                ],
            )
            .await
            .map_err(err)?
            .get(0);

        // One pass over the findings in order, BATCH of them at a time in multi-row INSERTs.
        let mut batches = 0usize;
        let mut findings = result.findings.iter().peekable();
        while findings.peek().is_some() {
            let chunk: Vec<_> = findings.by_ref().take(BATCH).collect();
            let rows: Vec<_> = chunk.iter().map(finding_row).collect();
            let cols: Vec<_> = rows
                .iter()
                .map(|r| {
                    (Json(r.evidence.clone()), r.waiver.as_deref().and_then(|w| serde_json::from_str(w).ok()).map(Json))
                })
                .collect::<Vec<(Json<serde_json::Value>, Option<Json<serde_json::Value>>)>>();
            let mut params: Vec<Param<'_>> = Vec::with_capacity(rows.len() * 16);
            for (r, (evidence, waiver)) in rows.iter().zip(&cols) {
                params.extend_from_slice(&[
                    &id as Param<'_>,
                    &r.fingerprint,
                    &r.check_id,
                    &r.severity,
                    &r.status,
                    &r.cloud,
                    &r.kind,
                    &r.r.account,
                    &r.r.region,
                    &r.r.resource_group,
                    &r.r.name,
                    &r.r.id,
                    &r.message,
                    evidence,
                    &r.novelty,
                    waiver,
                ]);
            }
            let sql = insert_sql(
                "findings (scan_id, fingerprint, check_id, severity, status, cloud, resource_kind, account, region, \
                 resource_group, resource_name, resource_id, message, evidence, novelty, waiver)",
                16,
                rows.len(),
            );
            tx.execute(&sql, &params).await.map_err(err)?;

            let subjects: Vec<_> = chunk.iter().flat_map(subject_rows).collect();
            for part in subjects.chunks(BATCH) {
                let cols: Vec<(Json<serde_json::Value>, Option<Json<serde_json::Value>>)> = part
                    .iter()
                    .map(|s| {
                        (
                            Json(s.facts.clone()),
                            s.waiver.as_deref().and_then(|w| serde_json::from_str(w).ok()).map(Json),
                        )
                    })
                    .collect();
                let mut params: Vec<Param<'_>> = Vec::with_capacity(part.len() * 10);
                for (s, (facts, waiver)) in part.iter().zip(&cols) {
                    params.extend_from_slice(&[
                        &id as Param<'_>,
                        &s.finding,
                        &s.fingerprint,
                        &s.id,
                        &s.label,
                        &s.status,
                        &s.reason,
                        facts,
                        &s.novelty,
                        waiver,
                    ]);
                }
                let sql = insert_sql(
                    "subjects (scan_id, finding_fingerprint, fingerprint, subject_id, label, status, reason, facts, \
                     novelty, waiver)",
                    10,
                    part.len(),
                );
                tx.execute(&sql, &params).await.map_err(err)?;
            }
            batches += 1;
            if batches == 1 {
                super::failpoint_stall();
            }
        }
        result.findings.check()?;
        tx.commit().await.map_err(err)?;
        Ok(id)
    }

    fn scan_row(r: &Row) -> ScanRow {
        let js = |i: usize| r.get::<_, Json<serde_json::Value>>(i).0;
        ScanRow {
            id: r.get(0),
            scope_key: r.get(1),
            started_at: r.get(2),
            finished_at: r.get(3),
            tool_version: r.get(4),
            catalog_version: r.get(5),
            scope: serde_json::from_value(js(6)).unwrap_or_default(),
            not_collected: serde_json::from_value(js(7)).unwrap_or_default(),
            exit_code: r.get::<_, i32>(8) as i64,
            counts: serde_json::from_value(js(9)).unwrap_or_default(),
        }
    }

    const SCAN_COLUMNS: &'static str = "id, scope_key, started_at, finished_at, tool_version, catalog_version, scope, \
                                        not_collected, exit_code, counts";

    pub async fn scans(
        &self,
        scope_key: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ScanRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM scans WHERE ($1::TEXT IS NULL OR scope_key = $1) AND ($2::BIGINT IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3",
            Self::SCAN_COLUMNS
        );
        let rows = self.client.query(&sql, &[&scope_key, &before, &limit]).await.map_err(self.err())?;
        Ok(rows.iter().map(Self::scan_row).collect())
    }

    pub async fn scan(&self, id: i64) -> Result<Option<ScanRow>, StoreError> {
        let sql = format!("SELECT {} FROM scans WHERE id = $1", Self::SCAN_COLUMNS);
        let row = self.client.query_opt(&sql, &[&id]).await.map_err(self.err())?;
        Ok(row.as_ref().map(Self::scan_row))
    }

    pub async fn findings(&self, id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        let rows = self
            .client
            .query(
                "SELECT fingerprint, check_id, severity, status, cloud, resource_kind, account, region, \
                 resource_group, resource_name, resource_id, message, evidence, novelty, waiver::TEXT \
                 FROM findings WHERE scan_id = $1 ORDER BY fingerprint",
                &[&id],
            )
            .await
            .map_err(self.err())?;
        let mut findings: Vec<StoredFinding> = rows
            .iter()
            .map(|r| StoredFinding {
                fingerprint: r.get(0),
                check_id: r.get(1),
                severity: r.get(2),
                status: status_of(r.get(3)),
                resource: super::resource_of(r.get(4), r.get(5), r.get(6), r.get(7), r.get(8), r.get(9), r.get(10)),
                message: r.get(11),
                evidence: serde_json::from_value(r.get::<_, Json<serde_json::Value>>(12).0).unwrap_or_default(),
                novelty: r.get(13),
                waiver: r.get(14),
                subjects: Vec::new(),
            })
            .collect();
        let rows = self
            .client
            .query(
                "SELECT finding_fingerprint, fingerprint, subject_id, label, status, reason, novelty, waiver::TEXT \
                 FROM subjects WHERE scan_id = $1",
                &[&id],
            )
            .await
            .map_err(self.err())?;
        let subjects = rows
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    StoredSubject {
                        fingerprint: r.get(1),
                        id: r.get(2),
                        label: r.get(3),
                        status: status_of(r.get(4)),
                        reason: r.get(5),
                        novelty: r.get(6),
                        waiver: r.get(7),
                    },
                )
            })
            .collect();
        super::attach_subjects(&mut findings, subjects);
        Ok(findings)
    }

    pub async fn statuses(&self, id: i64) -> Result<HashMap<String, kubeposture_checks::Status>, StoreError> {
        let rows = self
            .client
            .query(
                "SELECT fingerprint, status FROM findings WHERE scan_id = $1 \
                 UNION ALL SELECT fingerprint, status FROM subjects WHERE scan_id = $1",
                &[&id],
            )
            .await
            .map_err(self.err())?;
        let mut map = HashMap::new();
        for r in &rows {
            super::insert_worst(&mut map, r.get(0), status_of(r.get(1)));
        }
        Ok(map)
    }

    pub async fn prune(&mut self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        let name = self.name.clone();
        let err = |e: tokio_postgres::Error| StoreError::Query { store: name.clone(), cause: pg_cause(&e) };
        let tx = self.client.transaction().await.map_err(err)?;
        let old = "SELECT id FROM scans WHERE started_at < $1";
        tx.execute(&format!("DELETE FROM subjects WHERE scan_id IN ({old})"), &[&cutoff]).await.map_err(err)?;
        tx.execute(&format!("DELETE FROM findings WHERE scan_id IN ({old})"), &[&cutoff]).await.map_err(err)?;
        let n = tx.execute("DELETE FROM scans WHERE started_at < $1", &[&cutoff]).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(n)
    }
}

/// `INSERT INTO table (…) VALUES ($1, …), (…)` for `rows` rows of `cols` columns.
fn insert_sql(table: &str, cols: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// The server's message (with its SQLSTATE) rather than tokio-postgres's generic "db error".
fn pg_cause(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        }
    }
}
