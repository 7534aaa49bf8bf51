//! Reading and writing rows: clear metadata, sealed bodies, and the associated
//! data that ties each body to its row.

use super::seal::{AadBuilder, Sealer, OVERHEAD};
use super::{sql, storage, CredentialId, CredentialMetadata, HolderKeyId};
use crate::crypto::SecureRandom;
use crate::error::Result;
use crate::limits::{MAX_STORED_CREDENTIAL_BYTES, MAX_STORE_FIELD_BYTES};
use crate::time::UnixTime;
use rusqlite::{params, Connection, OptionalExtension as _};
use zeroize::Zeroizing;

/// What sealing and unsealing need, borrowed from the open store.
pub(super) struct Ctx<'a> {
    pub(super) sealer: &'a Sealer,
    pub(super) rng: &'a dyn SecureRandom,
    pub(super) store_id: [u8; 16],
    pub(super) version: u32,
}

/// The plaintext sealed as the key check value: opening it proves the key.
const KEY_CHECK: &[u8] = b"passerelle wallet store key check";

pub(super) const SELECT_CREDENTIAL: &str = "SELECT c.row_id, c.credential_id, c.format, \
     c.credential_type, c.issuer, c.expires_at, c.added_at, c.batch, c.use_count, k.key_id, \
     b.sealed FROM credentials c LEFT JOIN holder_keys k ON k.row_id = c.holder_key \
     LEFT JOIN credential_bodies b ON b.row_id = c.row_id";

/// [`SELECT_CREDENTIAL`] without the sealed body (an empty blob in its
/// place), so listing reads no body pages.
pub(super) const SELECT_METADATA: &str = "SELECT c.row_id, c.credential_id, c.format, \
     c.credential_type, c.issuer, c.expires_at, c.added_at, c.batch, c.use_count, k.key_id, \
     x'' FROM credentials c LEFT JOIN holder_keys k ON k.row_id = c.holder_key";

/// A credential row as read, not yet opened.
pub(super) struct CredentialRow {
    pub(super) row_id: u64,
    pub(super) meta: CredentialMetadata,
    pub(super) sealed: Vec<u8>,
}

fn u64_of(v: i64, row: i64, what: &str) -> Result<u64> {
    u64::try_from(v).map_err(|_| storage(format!("credential row {row}: negative {what}")))
}

pub(super) fn i64_of(v: u64, what: &str) -> Result<i64> {
    i64::try_from(v).map_err(|_| crate::error::misuse(format!("{what} does not fit the store")))
}

fn bounded_field(s: String, row: i64, what: &str) -> Result<String> {
    if s.len() > MAX_STORE_FIELD_BYTES {
        return Err(storage(format!(
            "credential row {row}: {what} longer than {MAX_STORE_FIELD_BYTES} bytes"
        )));
    }
    Ok(s)
}

/// Reads one row of [`SELECT_CREDENTIAL`]. Every column failure names the row.
pub(super) fn credential_row(r: &rusqlite::Row<'_>) -> Result<CredentialRow> {
    let row: i64 = r
        .get(0)
        .map_err(|e| storage(format!("a credential row is unreadable: {e}")))?;
    let col = |e: rusqlite::Error| storage(format!("credential row {row}: {e}"));
    let credential_id: String = r.get(1).map_err(col)?;
    let id = CredentialId::parse(&credential_id)
        .map_err(|_| storage(format!("credential row {row}: not a credential id")))?;
    let holder_key: Option<String> = r.get(9).map_err(col)?;
    let holder_key = match holder_key {
        None => None,
        Some(k) => Some(
            HolderKeyId::parse(&k)
                .map_err(|_| storage(format!("credential row {row}: not a holder key id")))?,
        ),
    };
    let expires_at: Option<i64> = r.get(5).map_err(col)?;
    let expires_at = match expires_at {
        None => None,
        Some(t) => Some(UnixTime::from_secs(u64_of(t, row, "expiry")?)),
    };
    let batch: Option<String> = r.get(7).map_err(col)?;
    let batch = match batch {
        None => None,
        Some(b) => Some(bounded_field(b, row, "batch")?),
    };
    let sealed: Option<Vec<u8>> = r.get(10).map_err(col)?;
    let sealed =
        sealed.ok_or_else(|| storage(format!("credential row {row}: its body is missing")))?;
    if sealed.len() > MAX_STORED_CREDENTIAL_BYTES.saturating_add(OVERHEAD) {
        return Err(storage(format!(
            "credential row {row}: sealed body larger than the limit"
        )));
    }
    let meta = CredentialMetadata {
        id,
        format: bounded_field(r.get(2).map_err(col)?, row, "format")?,
        credential_type: bounded_field(r.get(3).map_err(col)?, row, "type")?,
        issuer: bounded_field(r.get(4).map_err(col)?, row, "issuer")?,
        expires_at,
        added_at: UnixTime::from_secs(u64_of(r.get(6).map_err(col)?, row, "added_at")?),
        batch,
        use_count: u64_of(r.get(8).map_err(col)?, row, "use count")?,
        holder_key,
    };
    Ok(CredentialRow {
        row_id: u64_of(row, row, "row id")?,
        meta,
        sealed,
    })
}

/// The associated data of a credential body: the store, the schema version, the
/// row id, the credential id and every clear field except the use counter
/// (which changes without a reseal).
pub(super) fn credential_aad(
    store_id: &[u8],
    version: u32,
    row_id: u64,
    m: &CredentialMetadata,
) -> AadBuilder {
    AadBuilder::new("credential", store_id)
        .u64_field(u64::from(version))
        .u64_field(row_id)
        .str_field(m.id.as_str())
        .str_field(&m.format)
        .str_field(&m.credential_type)
        .str_field(&m.issuer)
        .opt_u64_field(m.expires_at.map(UnixTime::as_secs))
        .u64_field(m.added_at.as_secs())
        .opt_str_field(m.batch.as_deref())
        .opt_str_field(m.holder_key.as_ref().map(HolderKeyId::as_str))
}

/// Opens a credential body, or a `Storage` error naming the row.
pub(super) fn open_credential(
    sealer: &Sealer,
    store_id: &[u8],
    version: u32,
    row: &CredentialRow,
) -> Result<Zeroizing<Vec<u8>>> {
    let aad = credential_aad(store_id, version, row.row_id, &row.meta);
    sealer.open(&row.sealed, &aad).map_err(|_| {
        storage(format!(
            "credential row {} ({}): the sealed body does not open (corrupt, moved or tampered row)",
            row.row_id, row.meta.id
        ))
    })
}

/// The associated data of a holder key body.
pub(super) fn holder_key_aad(
    store_id: &[u8],
    version: u32,
    row_id: u64,
    key_id: &str,
    kind: &str,
    added_at: u64,
) -> AadBuilder {
    AadBuilder::new("holder-key", store_id)
        .u64_field(u64::from(version))
        .u64_field(row_id)
        .str_field(key_id)
        .str_field(kind)
        .u64_field(added_at)
}

/// A holder key row as read, not yet opened.
pub(super) struct KeyRow {
    pub(super) row_id: u64,
    pub(super) key_id: String,
    pub(super) kind: String,
    pub(super) added_at: u64,
    pub(super) sealed: Vec<u8>,
}

pub(super) const SELECT_KEY: &str =
    "SELECT row_id, key_id, kind, added_at, sealed FROM holder_keys";

pub(super) fn key_row(r: &rusqlite::Row<'_>) -> Result<KeyRow> {
    let row: i64 = r
        .get(0)
        .map_err(|e| storage(format!("a holder key row is unreadable: {e}")))?;
    let col = |e: rusqlite::Error| storage(format!("holder key row {row}: {e}"));
    let added: i64 = r.get(3).map_err(col)?;
    Ok(KeyRow {
        row_id: u64::try_from(row)
            .map_err(|_| storage(format!("holder key row {row}: negative row id")))?,
        key_id: r.get(1).map_err(col)?,
        kind: r.get(2).map_err(col)?,
        added_at: u64::try_from(added)
            .map_err(|_| storage(format!("holder key row {row}: negative added_at")))?,
        sealed: r.get(4).map_err(col)?,
    })
}

pub(super) fn open_key(
    sealer: &Sealer,
    store_id: &[u8],
    version: u32,
    k: &KeyRow,
) -> Result<Zeroizing<Vec<u8>>> {
    let aad = holder_key_aad(store_id, version, k.row_id, &k.key_id, &k.kind, k.added_at);
    sealer.open(&k.sealed, &aad).map_err(|_| {
        storage(format!(
            "holder key row {} ({}): the sealed key does not open (corrupt, moved or tampered row)",
            k.row_id, k.key_id
        ))
    })
}

fn meta_blob(conn: &Connection, name: &str) -> Result<Vec<u8>> {
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
        r.get::<_, Vec<u8>>(0)
    })
    .optional()
    .map_err(sql("reading the store's meta table"))?
    .ok_or_else(|| storage(format!("the store has no {name} (not a passerelle store?)")))
}

/// The store's random identifier, bound into every associated data.
pub(super) fn store_id(conn: &Connection) -> Result<[u8; 16]> {
    let v = meta_blob(conn, "store_id")?;
    <[u8; 16]>::try_from(v.as_slice()).map_err(|_| storage("the store id is not 16 bytes"))
}

fn key_check_aad(store_id: &[u8]) -> AadBuilder {
    AadBuilder::new("key-check", store_id)
}

fn counter_aad(store_id: &[u8]) -> AadBuilder {
    AadBuilder::new("counter", store_id)
}

/// Writes the meta rows of a new store (its id, the key check value, counter 0).
pub(super) fn init_meta(conn: &Connection, sealer: &Sealer, rng: &dyn SecureRandom) -> Result<()> {
    let mut id = [0u8; 16];
    rng.fill(&mut id)?;
    let kcv = sealer.seal(rng, KEY_CHECK, &key_check_aad(&id))?;
    let counter = sealer.seal(rng, &0u64.to_be_bytes(), &counter_aad(&id))?;
    let put = "INSERT INTO meta (name, value) VALUES (?1, ?2)";
    let w = sql("creating the store's meta rows");
    conn.execute(put, params!["store_id", id.as_slice()])
        .map_err(&w)?;
    conn.execute(put, params!["key_check", kcv]).map_err(&w)?;
    conn.execute(put, params!["counter", counter]).map_err(&w)?;
    Ok(())
}

/// Checks the key check value: a wrong key fails here, before any row is read.
pub(super) fn check_key(conn: &Connection, sealer: &Sealer, store_id: &[u8]) -> Result<()> {
    let kcv = meta_blob(conn, "key_check")?;
    match sealer.open(&kcv, &key_check_aad(store_id)) {
        Ok(p) if p.as_slice() == KEY_CHECK => Ok(()),
        _ => Err(storage(
            "the wallet key does not open this store (wrong key, or a damaged key check value)",
        )),
    }
}

/// The write counter, authenticated by the wallet key.
pub(super) fn read_counter(conn: &Connection, sealer: &Sealer, store_id: &[u8]) -> Result<u64> {
    let sealed = meta_blob(conn, "counter")?;
    let p = sealer
        .open(&sealed, &counter_aad(store_id))
        .map_err(|_| storage("the store's write counter does not open (tampered meta row)"))?;
    let b = <[u8; 8]>::try_from(p.as_slice())
        .map_err(|_| storage("the store's write counter is not 8 bytes"))?;
    Ok(u64::from_be_bytes(b))
}

/// Adds one to the write counter, inside the caller's transaction.
pub(super) fn bump_counter(conn: &Connection, ctx: &Ctx<'_>) -> Result<u64> {
    let next = read_counter(conn, ctx.sealer, &ctx.store_id)?
        .checked_add(1)
        .ok_or_else(|| storage("the store's write counter overflowed"))?;
    let sealed = ctx
        .sealer
        .seal(ctx.rng, &next.to_be_bytes(), &counter_aad(&ctx.store_id))?;
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE name = 'counter'",
        params![sealed],
    )
    .map_err(sql("writing the store's write counter"))?;
    Ok(next)
}

/// Reseals every body from schema version `from` to `to` (a migration step
/// changes the associated data). Any row that does not open stops the
/// migration, which then rolls back whole.
pub(super) fn reseal_all(
    conn: &Connection,
    sealer: &Sealer,
    rng: &dyn SecureRandom,
    from: u32,
    to: u32,
) -> Result<()> {
    let id = store_id(conn)?;
    check_key(conn, sealer, &id)?;
    let rows = {
        let mut st = conn
            .prepare(SELECT_CREDENTIAL)
            .map_err(sql("reading credentials to migrate"))?;
        let mut q = st
            .query([])
            .map_err(sql("reading credentials to migrate"))?;
        let mut rows = Vec::new();
        while let Some(r) = q.next().map_err(sql("reading credentials to migrate"))? {
            rows.push(credential_row(r)?);
        }
        rows
    };
    for row in &rows {
        let plain = open_credential(sealer, &id, from, row)?;
        let sealed = sealer.seal(rng, &plain, &credential_aad(&id, to, row.row_id, &row.meta))?;
        conn.execute(
            "UPDATE credential_bodies SET sealed = ?1 WHERE row_id = ?2",
            params![sealed, i64_of(row.row_id, "row id")?],
        )
        .map_err(sql("migrating a credential"))?;
    }
    let keys = {
        let mut st = conn
            .prepare(SELECT_KEY)
            .map_err(sql("reading holder keys to migrate"))?;
        let mut q = st
            .query([])
            .map_err(sql("reading holder keys to migrate"))?;
        let mut keys = Vec::new();
        while let Some(r) = q.next().map_err(sql("reading holder keys to migrate"))? {
            keys.push(key_row(r)?);
        }
        keys
    };
    for k in &keys {
        let plain = open_key(sealer, &id, from, k)?;
        let aad = holder_key_aad(&id, to, k.row_id, &k.key_id, &k.kind, k.added_at);
        let sealed = sealer.seal(rng, &plain, &aad)?;
        conn.execute(
            "UPDATE holder_keys SET sealed = ?1 WHERE row_id = ?2",
            params![sealed, i64_of(k.row_id, "row id")?],
        )
        .map_err(sql("migrating a holder key"))?;
    }
    Ok(())
}
