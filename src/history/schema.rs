//! The schema, as versioned migrations: one list, rendered per dialect with the same tables and
//! columns in both (SQLite keeps times as RFC 3339 text and JSON as text; PostgreSQL as
//! `timestamptz` and `jsonb`, so dashboards can query them). A migration is appended, never
//! edited.
//!
//! `scans`: one row per scan. `findings`: one per (check, resource) of a scan, with the
//! resource's columns and its evidence. `subjects`: the principals, roles or workloads of a
//! finding. `fingerprint` is the stable identity across scans (`crate::fingerprint`).

/// Migrations, oldest first: DDL with the dialect's types as placeholders (`{id}`, `{bigint}`,
/// `{time}`, `{json}`).
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE scans (
    id              {id},
    scope_key       TEXT NOT NULL,
    started_at      {time} NOT NULL,
    finished_at     {time} NOT NULL,
    tool_version    TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    scope           {json} NOT NULL,
    not_collected   {json} NOT NULL,
    exit_code       INTEGER NOT NULL,
    counts          {json} NOT NULL
);
CREATE INDEX scans_by_scope ON scans (scope_key, id);
CREATE INDEX scans_by_start ON scans (started_at);
CREATE TABLE findings (
    scan_id         {bigint} NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    fingerprint     TEXT NOT NULL,
    check_id        TEXT NOT NULL,
    severity        TEXT NOT NULL,
    status          TEXT NOT NULL,
    cloud           TEXT NOT NULL,
    resource_kind   TEXT NOT NULL,
    account         TEXT NOT NULL,
    region          TEXT NOT NULL,
    resource_group  TEXT,
    resource_name   TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    message         TEXT NOT NULL,
    evidence        {json} NOT NULL,
    novelty         TEXT,
    waiver          {json}
);
CREATE INDEX findings_by_scan ON findings (scan_id, fingerprint);
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
CREATE TABLE subjects (
    scan_id             {bigint} NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    finding_fingerprint TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    subject_id          TEXT NOT NULL,
    label               TEXT NOT NULL,
    status              TEXT NOT NULL,
    reason              TEXT NOT NULL,
    facts               {json} NOT NULL,
    novelty             TEXT,
    waiver              {json}
);
CREATE INDEX subjects_by_scan ON subjects (scan_id, finding_fingerprint);
"#];

#[derive(Clone, Copy)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Migration `n` (0-based) in a dialect.
pub fn migration(n: usize, d: Dialect) -> String {
    let (id, bigint, time, json) = match d {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "TEXT", "TEXT"),
        Dialect::Postgres => ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "TIMESTAMPTZ", "JSONB"),
    };
    MIGRATIONS[n].replace("{id}", id).replace("{bigint}", bigint).replace("{time}", time).replace("{json}", json)
}

/// Bookkeeping table, the same in both dialects.
pub const MIGRATIONS_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS kubeposture_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)";

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_placeholder_is_replaced() {
        for d in [super::Dialect::Sqlite, super::Dialect::Postgres] {
            for n in 0..super::MIGRATIONS.len() {
                assert!(!super::migration(n, d).contains('{'));
            }
        }
    }
}
