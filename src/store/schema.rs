//! The schema, versioned with `PRAGMA user_version`, and its migrations.

use super::rows::{init_meta, reseal_all};
use super::seal::Sealer;
use super::{sql, storage};
use crate::crypto::SecureRandom;
use crate::error::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};

/// The schema version this build writes.
pub(super) const SCHEMA_VERSION: u32 = 1;

/// What a migration step may use.
pub(super) struct MigrationCtx<'a> {
    pub(super) sealer: &'a Sealer,
    pub(super) rng: &'a dyn SecureRandom,
}

/// One step, from version `to − 1` to `to`.
pub(super) struct Migration {
    pub(super) to: u32,
    pub(super) apply: fn(&Transaction<'_>, &MigrationCtx<'_>) -> Result<()>,
}

/// Every step ever shipped, in order. A step is never edited once released: a
/// change is a new step.
pub(super) const MIGRATIONS: &[Migration] = &[Migration {
    to: 1,
    apply: create_v1,
}];

/// Version 1. `STRICT` tables, so a value of the wrong type cannot be written;
/// `AUTOINCREMENT`, so a row id is never reused after a removal (the id is in
/// the associated data). The sealed bodies have their own table so that the
/// metadata rows stay dense: listing reads a few pages, not every body.
pub(super) const V1_SQL: &str = "
CREATE TABLE meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
CREATE TABLE holder_keys (
    row_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id   TEXT NOT NULL UNIQUE,
    kind     TEXT NOT NULL CHECK (kind IN ('software', 'hardware')),
    added_at INTEGER NOT NULL,
    sealed   BLOB NOT NULL
) STRICT;
CREATE TABLE credentials (
    row_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id   TEXT NOT NULL UNIQUE,
    format          TEXT NOT NULL,
    credential_type TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    expires_at      INTEGER,
    added_at        INTEGER NOT NULL,
    batch           TEXT,
    use_count       INTEGER NOT NULL DEFAULT 0,
    holder_key      INTEGER REFERENCES holder_keys(row_id)
) STRICT;
CREATE TABLE credential_bodies (
    row_id INTEGER PRIMARY KEY REFERENCES credentials(row_id) ON DELETE CASCADE,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX credentials_by_batch ON credentials(batch, use_count, row_id)
    WHERE batch IS NOT NULL;
";

pub(super) fn create_v1(tx: &Transaction<'_>, ctx: &MigrationCtx<'_>) -> Result<()> {
    tx.execute_batch(V1_SQL)
        .map_err(sql("creating the schema (version 1)"))?;
    init_meta(tx, ctx.sealer, ctx.rng)
}

/// Brings the file to `target`, all steps in one `BEGIN IMMEDIATE`
/// transaction: a crash or a failing step leaves the file at its old version.
/// A step past version 1 reseals every body, since the schema version is in
/// the associated data.
pub(super) fn migrate(
    conn: &mut Connection,
    migrations: &[Migration],
    target: u32,
    ctx: &MigrationCtx<'_>,
    must_exist: bool,
) -> Result<u32> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql("opening the store"))?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql("reading the schema version"))?;
    let found = u32::try_from(found).map_err(|_| {
        storage(format!(
            "schema version {found} is not a passerelle version"
        ))
    })?;
    if found == target {
        return Ok(found);
    }
    if found > target {
        return Err(storage(format!(
            "the store has schema version {found}, newer than this build ({target}): \
             open it with a newer passerelle"
        )));
    }
    if found == 0 {
        let tables: i64 = tx
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(sql("reading the schema"))?;
        if tables != 0 {
            return Err(storage(
                "the file is an SQLite database with foreign tables, not a passerelle store",
            ));
        }
        if must_exist {
            return Err(storage(
                "the store is empty (truncated, replaced or never created)",
            ));
        }
    }
    let mut at = found;
    for step in migrations.iter().filter(|m| m.to > found && m.to <= target) {
        let next = at
            .checked_add(1)
            .ok_or_else(|| storage("schema version overflow"))?;
        if step.to != next {
            return Err(storage(format!(
                "no migration from schema version {at} to {next}"
            )));
        }
        (step.apply)(&tx, ctx).map_err(|e| e.context(&format!("migration to version {next}")))?;
        if at >= 1 {
            reseal_all(&tx, ctx.sealer, ctx.rng, at, next)
                .map_err(|e| e.context(&format!("migration to version {next}")))?;
        }
        tx.pragma_update(None, "user_version", next)
            .map_err(sql("writing the schema version"))?;
        at = next;
    }
    if at != target {
        return Err(storage(format!(
            "no migration from schema version {at} to {target}"
        )));
    }
    tx.commit().map_err(sql("committing the migration"))?;
    Ok(at)
}
