//! The issuer's status-list state: lists, allocated indices, set values and
//! published versions, behind [`StatusStore`], on embedded SQLite (the
//! default: one writer at a time, `BEGIN IMMEDIATE`, WAL) or PostgreSQL (the
//! `postgres` feature: a fleet of issuance servers sharing lists).
//!
//! Allocation hands out a counter per list in one atomic statement; the
//! issuer maps it through a keyed permutation of `[0, size)` (so indices are
//! unpredictable and never repeat without any scan) and records the index
//! under a uniqueness constraint as a defence. A process killed between the
//! two loses at most its own index. The permutation key is stored with the
//! list, in clear: whoever reads the issuer's database can predict the
//! order, which is what the unpredictability protects against outsiders only.

use super::{sql, storage};
use crate::error::{limit, misuse, Result};
use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};
use std::path::Path;
use zeroize::Zeroizing;

use crate::limits::MAX_STATUS_LIST_ENTRIES;

/// What one allocation step returns: the list's next counter value and what
/// the issuer needs to map it to an index.
#[derive(Debug)]
pub struct Allocation {
    /// The counter value (0, 1, 2, ... per list, never repeated).
    pub counter: u64,
    /// The list's size in entries.
    pub size: u64,
    /// The list's permutation key.
    pub key: Zeroizing<[u8; 32]>,
}

/// A consistent view of one list, for publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSnapshot {
    /// Bits per entry (1, 2, 4 or 8).
    pub bits: u8,
    /// Entries.
    pub size: u64,
    /// Every index set to a non-zero value, with its value.
    pub values: Vec<(u64, u8)>,
    /// The version this snapshot will be published as (one more than the last).
    pub version: u64,
}

/// Where an issuer keeps its status lists.
pub trait StatusStore: Send + Sync {
    /// Creates a list; `ApiMisuse` when one exists under `uri`.
    fn create_list(&self, uri: &str, bits: u8, size: u64, key: &[u8; 32]) -> Result<()>;
    /// The next counter of `uri`, atomically; `LimitExceeded` when the list is full.
    fn next_counter(&self, uri: &str) -> Result<Allocation>;
    /// Records an allocated index (a uniqueness constraint refuses it twice: `Storage`).
    fn record_allocation(&self, uri: &str, idx: u64) -> Result<()>;
    /// Sets the value of an allocated index.
    fn set_value(&self, uri: &str, idx: u64, value: u8) -> Result<()>;
    /// A consistent snapshot of the list's values.
    fn snapshot(&self, uri: &str) -> Result<ListSnapshot>;
    /// Records a published version (the bytes as served).
    fn record_publication(&self, uri: &str, version: u64, published: &[u8]) -> Result<()>;
    /// The lists' URIs, in creation order.
    fn lists(&self) -> Result<Vec<String>>;
    /// How many indices were recorded for `uri`.
    fn allocated(&self, uri: &str) -> Result<u64>;
}

pub(crate) fn check_list(bits: u8, size: u64) -> Result<()> {
    if !matches!(bits, 1 | 2 | 4 | 8) {
        return Err(misuse("a status list has 1, 2, 4 or 8 bits per entry"));
    }
    if size == 0 || size > MAX_STATUS_LIST_ENTRIES {
        return Err(misuse(format!(
            "a status list has 1 to {MAX_STATUS_LIST_ENTRIES} entries"
        )));
    }
    Ok(())
}

pub(super) fn to_i64(n: u64, what: &str) -> Result<i64> {
    i64::try_from(n).map_err(|_| limit(format!("{what} is too large")))
}

pub(super) fn to_u64(n: i64, what: &str) -> Result<u64> {
    u64::try_from(n).map_err(|_| storage(format!("status store: {what} is negative")))
}

fn key_of(bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let k: [u8; 32] = bytes
        .try_into()
        .map_err(|_| storage("status store: a permutation key is not 32 bytes"))?;
    Ok(Zeroizing::new(k))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS status_lists (
    uri TEXT PRIMARY KEY,
    bits INTEGER NOT NULL,
    size INTEGER NOT NULL,
    next INTEGER NOT NULL DEFAULT 0,
    perm_key BLOB NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS status_allocations (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    idx INTEGER NOT NULL,
    PRIMARY KEY (uri, idx)
);
CREATE TABLE IF NOT EXISTS status_values (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    idx INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (uri, idx)
);
CREATE TABLE IF NOT EXISTS status_publications (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    version INTEGER NOT NULL,
    published BLOB NOT NULL,
    PRIMARY KEY (uri, version)
);
";

/// The status store on embedded SQLite (one file; several processes may
/// share it: every write is one `BEGIN IMMEDIATE` transaction, WAL,
/// `synchronous=FULL`).
pub struct SqliteStatusStore {
    conn: std::sync::Mutex<Connection>,
}

impl core::fmt::Debug for SqliteStatusStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SqliteStatusStore")
    }
}

impl SqliteStatusStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(sql("open"))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql("busy_timeout"))?;
        let mut mode = String::new();
        for _ in 0..50 {
            match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
                Ok(m) => {
                    mode = m;
                    break;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(storage("status store: WAL could not be enabled"));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(sql("pragmas"))?;
        conn.execute_batch(SCHEMA).map_err(sql("schema"))?;
        Ok(SqliteStatusStore {
            conn: std::sync::Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut c = self
            .conn
            .lock()
            .map_err(|_| storage("status store: a thread panicked holding the connection"))?;
        f(&mut c)
    }
}

impl StatusStore for SqliteStatusStore {
    fn create_list(&self, uri: &str, bits: u8, size: u64, key: &[u8; 32]) -> Result<()> {
        check_list(bits, size)?;
        let size = to_i64(size, "size")?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql("begin"))?;
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM status_lists WHERE uri = ?1", [uri], |r| r.get(0))
                .optional()
                .map_err(sql("look up the list"))?;
            if exists.is_some() {
                return Err(misuse(format!("a status list exists at {uri}")));
            }
            let n: i64 = tx
                .query_row("SELECT COUNT(*) FROM status_lists", [], |r| r.get(0))
                .map_err(sql("count lists"))?;
            tx.execute(
                "INSERT INTO status_lists (uri, bits, size, perm_key, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![uri, bits, size, &key[..], n],
            )
            .map_err(sql("create the list"))?;
            tx.commit().map_err(sql("commit"))
        })
    }

    fn next_counter(&self, uri: &str) -> Result<Allocation> {
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql("begin"))?;
            let row: Option<(i64, i64, Vec<u8>)> = tx
                .query_row(
                    "UPDATE status_lists SET next = next + 1 WHERE uri = ?1 AND next < size
                     RETURNING next - 1, size, perm_key",
                    [uri],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(sql("allocate"))?;
            let Some((counter, size, key)) = row else {
                let known: Option<i64> = tx
                    .query_row("SELECT 1 FROM status_lists WHERE uri = ?1", [uri], |r| {
                        r.get(0)
                    })
                    .optional()
                    .map_err(sql("look up the list"))?;
                return Err(match known {
                    Some(_) => limit(format!("the status list {uri} is full: start a new list")),
                    None => misuse(format!("no status list at {uri}")),
                });
            };
            tx.commit().map_err(sql("commit"))?;
            Ok(Allocation {
                counter: to_u64(counter, "counter")?,
                size: to_u64(size, "size")?,
                key: key_of(&key)?,
            })
        })
    }

    fn record_allocation(&self, uri: &str, idx: u64) -> Result<()> {
        let idx = to_i64(idx, "index")?;
        self.with(|c| {
            c.execute(
                "INSERT INTO status_allocations (uri, idx) VALUES (?1, ?2)",
                params![uri, idx],
            )
            .map_err(sql("record the allocation (an index handed out twice?)"))?;
            Ok(())
        })
    }

    fn set_value(&self, uri: &str, idx: u64, value: u8) -> Result<()> {
        let i = to_i64(idx, "index")?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql("begin"))?;
            let row: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT bits, size FROM status_lists WHERE uri = ?1",
                    [uri],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql("look up the list"))?;
            let (bits, size) = row.ok_or_else(|| misuse(format!("no status list at {uri}")))?;
            if i >= size {
                return Err(misuse(format!(
                    "index {idx} is beyond the list's {size} entries"
                )));
            }
            if bits < 8 && i64::from(value) >= (1i64 << bits) {
                return Err(misuse(format!("value {value} does not fit in {bits} bits")));
            }
            tx.execute(
                "INSERT INTO status_values (uri, idx, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (uri, idx) DO UPDATE SET value = excluded.value",
                params![uri, i, value],
            )
            .map_err(sql("set the value"))?;
            tx.commit().map_err(sql("commit"))
        })
    }

    fn snapshot(&self, uri: &str) -> Result<ListSnapshot> {
        self.with(|c| {
            // one read transaction: every row from the same committed state
            let tx = c.transaction().map_err(sql("begin"))?;
            let (bits, size, version): (i64, i64, i64) = tx
                .query_row(
                    "SELECT bits, size, version FROM status_lists WHERE uri = ?1",
                    [uri],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(sql("look up the list"))?
                .ok_or_else(|| misuse(format!("no status list at {uri}")))?;
            let mut values = Vec::new();
            {
                let mut st = tx
                    .prepare("SELECT idx, value FROM status_values WHERE uri = ?1 AND value <> 0 ORDER BY idx")
                    .map_err(sql("read values"))?;
                let rows = st
                    .query_map([uri], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                    .map_err(sql("read values"))?;
                for row in rows {
                    let (i, v) = row.map_err(sql("read a value"))?;
                    let v = u8::try_from(v).map_err(|_| storage("status store: a value is out of range"))?;
                    values.push((to_u64(i, "index")?, v));
                }
            }
            tx.commit().map_err(sql("commit"))?;
            Ok(ListSnapshot {
                bits: u8::try_from(bits).map_err(|_| storage("status store: bits out of range"))?,
                size: to_u64(size, "size")?,
                values,
                version: to_u64(version, "version")?.saturating_add(1),
            })
        })
    }

    fn record_publication(&self, uri: &str, version: u64, published: &[u8]) -> Result<()> {
        let v = to_i64(version, "version")?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql("begin"))?;
            tx.execute(
                "INSERT INTO status_publications (uri, version, published) VALUES (?1, ?2, ?3)",
                params![uri, v, published],
            )
            .map_err(sql("record the publication"))?;
            tx.execute(
                "UPDATE status_lists SET version = MAX(version, ?2) WHERE uri = ?1",
                params![uri, v],
            )
            .map_err(sql("bump the version"))?;
            tx.commit().map_err(sql("commit"))
        })
    }

    fn lists(&self) -> Result<Vec<String>> {
        self.with(|c| {
            let mut st = c
                .prepare("SELECT uri FROM status_lists ORDER BY created")
                .map_err(sql("list"))?;
            let rows = st
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(sql("list"))?;
            rows.map(|r| r.map_err(sql("list"))).collect()
        })
    }

    fn allocated(&self, uri: &str) -> Result<u64> {
        self.with(|c| {
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM status_allocations WHERE uri = ?1",
                    [uri],
                    |r| r.get(0),
                )
                .map_err(sql("count allocations"))?;
            to_u64(n, "count")
        })
    }
}
