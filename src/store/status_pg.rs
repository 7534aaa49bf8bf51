//! The status store on PostgreSQL, for a fleet of issuance servers sharing
//! lists (the `postgres` feature). Allocation is one atomic `UPDATE ...
//! RETURNING`; status updates are rows; a snapshot reads one `REPEATABLE
//! READ` transaction; publishing writes a new list version.

use super::status::{check_list, to_i64, Allocation, ListSnapshot, StatusStore};
use crate::error::{limit, misuse, Error, ErrorKind, Result};
use zeroize::Zeroizing;

fn pg(what: &'static str) -> impl Fn(postgres::Error) -> Error {
    move |e| {
        Error::new(
            ErrorKind::Storage,
            format!("status store (PostgreSQL): {what}: {e}"),
        )
    }
}

fn storage(m: &str) -> Error {
    Error::new(
        ErrorKind::Storage,
        format!("status store (PostgreSQL): {m}"),
    )
}

fn to_u64(n: i64) -> Result<u64> {
    super::status::to_u64(n, "a stored number")
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS status_lists (
    uri TEXT PRIMARY KEY,
    bits SMALLINT NOT NULL,
    size BIGINT NOT NULL,
    next BIGINT NOT NULL DEFAULT 0,
    perm_key BYTEA NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    created BIGSERIAL
);
CREATE TABLE IF NOT EXISTS status_allocations (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    idx BIGINT NOT NULL,
    PRIMARY KEY (uri, idx)
);
CREATE TABLE IF NOT EXISTS status_values (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    idx BIGINT NOT NULL,
    value SMALLINT NOT NULL,
    PRIMARY KEY (uri, idx)
);
CREATE TABLE IF NOT EXISTS status_publications (
    uri TEXT NOT NULL REFERENCES status_lists(uri),
    version BIGINT NOT NULL,
    published BYTEA NOT NULL,
    PRIMARY KEY (uri, version)
);
";

/// The status store on PostgreSQL.
pub struct PgStatusStore {
    client: std::sync::Mutex<postgres::Client>,
}

impl core::fmt::Debug for PgStatusStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PgStatusStore")
    }
}

impl PgStatusStore {
    /// Connects to `url` (`postgres://user@host:port/db`, no TLS: a server on
    /// the issuer's own network) and creates the tables if needed.
    pub fn connect(url: &str) -> Result<Self> {
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(pg("connect"))?;
        // concurrent first connections may race on CREATE TABLE IF NOT EXISTS
        let mut last = None;
        for _ in 0..20 {
            match client.batch_execute(SCHEMA) {
                Ok(()) => {
                    last = None;
                    break;
                }
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
            }
        }
        if let Some(e) = last {
            return Err(pg("schema")(e));
        }
        Ok(PgStatusStore {
            client: std::sync::Mutex::new(client),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut postgres::Client) -> Result<T>) -> Result<T> {
        let mut c = self
            .client
            .lock()
            .map_err(|_| storage("a thread panicked holding the connection"))?;
        f(&mut c)
    }
}

impl StatusStore for PgStatusStore {
    fn create_list(&self, uri: &str, bits: u8, size: u64, key: &[u8; 32]) -> Result<()> {
        check_list(bits, size)?;
        let size = to_i64(size, "size")?;
        self.with(|c| {
            let n = c
                .execute(
                    "INSERT INTO status_lists (uri, bits, size, perm_key) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (uri) DO NOTHING",
                    &[&uri, &i16::from(bits), &size, &&key[..]],
                )
                .map_err(pg("create the list"))?;
            if n == 0 {
                return Err(misuse(format!("a status list exists at {uri}")));
            }
            Ok(())
        })
    }

    fn next_counter(&self, uri: &str) -> Result<Allocation> {
        self.with(|c| {
            let row = c
                .query_opt(
                    "UPDATE status_lists SET next = next + 1 WHERE uri = $1 AND next < size
                     RETURNING next - 1, size, perm_key",
                    &[&uri],
                )
                .map_err(pg("allocate"))?;
            let Some(row) = row else {
                let known = c
                    .query_opt("SELECT 1 FROM status_lists WHERE uri = $1", &[&uri])
                    .map_err(pg("look up the list"))?;
                return Err(match known {
                    Some(_) => limit(format!("the status list {uri} is full: start a new list")),
                    None => misuse(format!("no status list at {uri}")),
                });
            };
            let key: Vec<u8> = row.try_get(2).map_err(pg("read the key"))?;
            let key: [u8; 32] = key
                .as_slice()
                .try_into()
                .map_err(|_| storage("a permutation key is not 32 bytes"))?;
            Ok(Allocation {
                counter: to_u64(row.try_get(0).map_err(pg("read the counter"))?)?,
                size: to_u64(row.try_get(1).map_err(pg("read the size"))?)?,
                key: Zeroizing::new(key),
            })
        })
    }

    fn record_allocation(&self, uri: &str, idx: u64) -> Result<()> {
        let idx = to_i64(idx, "index")?;
        self.with(|c| {
            c.execute(
                "INSERT INTO status_allocations (uri, idx) VALUES ($1, $2)",
                &[&uri, &idx],
            )
            .map_err(pg("record the allocation (an index handed out twice?)"))?;
            Ok(())
        })
    }

    fn set_value(&self, uri: &str, idx: u64, value: u8) -> Result<()> {
        let i = to_i64(idx, "index")?;
        self.with(|c| {
            let row = c
                .query_opt(
                    "SELECT bits, size FROM status_lists WHERE uri = $1",
                    &[&uri],
                )
                .map_err(pg("look up the list"))?
                .ok_or_else(|| misuse(format!("no status list at {uri}")))?;
            let bits: i16 = row.try_get(0).map_err(pg("read bits"))?;
            let size: i64 = row.try_get(1).map_err(pg("read size"))?;
            if i >= size {
                return Err(misuse(format!(
                    "index {idx} is beyond the list's {size} entries"
                )));
            }
            if bits < 8 && i16::from(value) >= (1i16 << bits) {
                return Err(misuse(format!("value {value} does not fit in {bits} bits")));
            }
            c.execute(
                "INSERT INTO status_values (uri, idx, value) VALUES ($1, $2, $3)
                 ON CONFLICT (uri, idx) DO UPDATE SET value = EXCLUDED.value",
                &[&uri, &i, &i16::from(value)],
            )
            .map_err(pg("set the value"))?;
            Ok(())
        })
    }

    fn snapshot(&self, uri: &str) -> Result<ListSnapshot> {
        self.with(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(pg("begin"))?;
            let row = tx
                .query_opt("SELECT bits, size, version FROM status_lists WHERE uri = $1", &[&uri])
                .map_err(pg("look up the list"))?
                .ok_or_else(|| misuse(format!("no status list at {uri}")))?;
            let bits: i16 = row.try_get(0).map_err(pg("read bits"))?;
            let size: i64 = row.try_get(1).map_err(pg("read size"))?;
            let version: i64 = row.try_get(2).map_err(pg("read version"))?;
            let mut values = Vec::new();
            for r in tx
                .query(
                    "SELECT idx, value FROM status_values WHERE uri = $1 AND value <> 0 ORDER BY idx",
                    &[&uri],
                )
                .map_err(pg("read values"))?
            {
                let i: i64 = r.try_get(0).map_err(pg("read an index"))?;
                let v: i16 = r.try_get(1).map_err(pg("read a value"))?;
                values.push((
                    to_u64(i)?,
                    u8::try_from(v).map_err(|_| storage("a value is out of range"))?,
                ));
            }
            tx.commit().map_err(pg("commit"))?;
            Ok(ListSnapshot {
                bits: u8::try_from(bits).map_err(|_| storage("bits out of range"))?,
                size: to_u64(size)?,
                values,
                version: to_u64(version)?.saturating_add(1),
            })
        })
    }

    fn record_publication(&self, uri: &str, version: u64, published: &[u8]) -> Result<()> {
        let v = to_i64(version, "version")?;
        self.with(|c| {
            let mut tx = c.transaction().map_err(pg("begin"))?;
            tx.execute(
                "INSERT INTO status_publications (uri, version, published) VALUES ($1, $2, $3)",
                &[&uri, &v, &published],
            )
            .map_err(pg("record the publication"))?;
            tx.execute(
                "UPDATE status_lists SET version = GREATEST(version, $2) WHERE uri = $1",
                &[&uri, &v],
            )
            .map_err(pg("bump the version"))?;
            tx.commit().map_err(pg("commit"))
        })
    }

    fn lists(&self) -> Result<Vec<String>> {
        self.with(|c| {
            c.query("SELECT uri FROM status_lists ORDER BY created", &[])
                .map_err(pg("list"))?
                .iter()
                .map(|r| r.try_get::<_, String>(0).map_err(pg("list")))
                .collect()
        })
    }

    fn allocated(&self, uri: &str) -> Result<u64> {
        self.with(|c| {
            let n: i64 = c
                .query_one(
                    "SELECT COUNT(*) FROM status_allocations WHERE uri = $1",
                    &[&uri],
                )
                .map_err(pg("count allocations"))?
                .try_get(0)
                .map_err(pg("count allocations"))?;
            to_u64(n)
        })
    }
}
