//! The wallet's state: an encrypted, crash-safe credential store on SQLite.
//!
//! Only the roles (`wallet`, `issuer`) use this room; decisions and formats
//! never touch it, and verifying a credential needs no store.
//!
//! # The file
//!
//! One SQLite file (rusqlite's bundled SQLite, so phones need no system
//! library), opened with:
//!
//! - `journal_mode=WAL`: readers never block the writer and a crash at any
//!   point leaves the last committed state (the WAL is replayed or ignored
//!   frame by frame, by checksum, at the next open).
//! - `synchronous=FULL`: the WAL is fsynced at every commit. In WAL mode
//!   `NORMAL` already survives a killed *process*, but may lose the last
//!   commits on power loss or an OS crash; a wallet tells the user (and
//!   sometimes an issuer, which then forgets its copy) that a credential is
//!   stored, so a commit must be durable when `add` returns. One fsync per
//!   write is a small price for a store written a few times a day.
//! - `busy_timeout` ([`StoreOptions::busy_timeout`], 5 s by default), and every
//!   write in one `BEGIN IMMEDIATE` transaction: the write lock is taken at the
//!   start (so the busy handler applies; a deferred transaction that upgrades
//!   could fail with `SQLITE_BUSY` without waiting), and each operation is
//!   all-or-nothing. Several handles — threads, processes — may use one file.
//! - `foreign_keys=ON`, `secure_delete=ON` (a removed row's bytes are
//!   overwritten in the file, not left in free pages; older page images stay in
//!   the WAL until the next checkpoint), `trusted_schema=OFF`.
//! - The schema version in `PRAGMA user_version`, brought up to date at open by
//!   migrations that run in one transaction. A file from a newer build is
//!   refused. Version 1 is the first.
//!
//! # What is sealed, what is in clear
//!
//! Each credential (the issued bytes) and each holder key is sealed with
//! AES-256-GCM under the wallet key, with a fresh random 96-bit nonce per write
//! (a wallet seals far fewer than the 2³² messages this allows for one key). The
//! associated data binds the store's random id, the schema version, the row
//! id, the credential id and every clear field below except the use counter; so
//! a body copied into another row, another store, or under edited metadata
//! fails to open, with `Storage` naming the row.
//!
//! In clear, so that [`CredentialStore::list`] and a DCQL pre-filter need no
//! decryption (listing 1 000 credentials reads a few metadata pages; the
//! sealed bodies sit in their own table and are read only by `get`): the
//! credential id, **format** (e.g. `dc+sd-jwt`, `mso_mdoc`), **credential
//! type** (`vct`, doctype, VC type), **issuer id**, **expiry**, **added-at**,
//! the **batch** name, the **use counter** of batch copies, and which holder key
//! a credential is bound to (a link between two random ids). Someone holding the
//! file therefore learns which kinds of credentials, from which issuers, the
//! wallet holds and until when, but no claim value and no key. The metadata
//! [`list`](CredentialStore::list) returns is not authenticated; the copy
//! [`get`](CredentialStore::get) returns is (it is bound into the associated
//! data), so decide on what `get` returns. The use counter is neither sealed
//! nor bound (it changes at every presentation, without a reseal): someone who
//! can write the file can make a used batch copy look unused, so that it is
//! presented twice; that hurts only the holder's unlinkability.
//! Holder keys show only their kind (`software` / `hardware`) and added-at; the
//! private JWK, or the hardware key reference and public key, are sealed.
//!
//! # The wallet key
//!
//! It comes from the host through [`KeyProvider`]: the platform keystore on a
//! phone, [`FileKeyProvider`] (a 0600 file beside the store) or
//! [`EnvKeyProvider`] for the CLI. It lives in `Zeroizing` memory; ring's
//! expanded AES key is rebuilt for each operation and is not zeroized by ring.
//! A key check value (a known constant sealed in the meta table) makes a wrong
//! key fail at [`CredentialStore::open`] with `Storage`, before any row is read.
//!
//! # Failures
//!
//! Every failure of the file, SQLite or a seal is [`ErrorKind::Storage`]. A
//! corrupt row or a flipped ciphertext bit fails alone, naming its row id and
//! credential id, while the other rows stay readable;
//! [`audit`](CredentialStore::audit) opens every row and reports each one that
//! fails. A truncated file, or garbage written over it, gives `Storage` (at
//! open, or for the pages it destroyed), never a panic. Unknown ids and other
//! caller mistakes are [`ErrorKind::ApiMisuse`] (an id not found in a file that
//! fails SQLite's integrity check is `Storage`: the row may be what was lost); oversized input is
//! `LimitExceeded` ([`MAX_STORED_CREDENTIAL_BYTES`], [`MAX_STORE_FIELD_BYTES`]).
//!
//! # Rollback: a documented limit, and an optional counter
//!
//! Encryption cannot tell an older copy of the file from the current one:
//! someone who can write the file can put back a copy taken earlier (a backup,
//! a copy made before a credential was removed or a batch copy was used), and it
//! opens. The store keeps a write counter, sealed under the wallet key in the
//! meta table and bumped by every write ([`CredentialStore::counter`]). A host
//! that keeps the last value in its keystore (which an attacker cannot roll
//! back) and passes it to [`StoreOptions::expect_counter_at_least`] gets
//! `Storage` when the file is older. The counter cannot be raised by editing
//! the file, but it protects the whole file, not each row: an attacker who also
//! has a newer copy can splice its counter row into the old file. An emptied or
//! truncated-to-zero file looks like a new store; [`StoreOptions::must_exist`]
//! (or the counter) refuses it.
//!
//! # Batch copies
//!
//! Credentials added with the same [`CredentialRecord::in_batch`] name are
//! copies of one credential, each bound to its own holder key, for
//! unlinkable presentations. [`CredentialStore::take_unused`] picks the copy
//! used least (the oldest first among equals), adds one to its use counter in
//! the same transaction, and returns it. When every copy has been used it does
//! not fail: it returns the least-used copy with [`TakenCopy::reused`] set.
//! Refusing would turn a privacy risk into a hard failure the user cannot get
//! past at a checkout; the wallet, which knows whether this verifier may link
//! presentations, decides with the flag (ask the user, refuse, or present) and
//! should ask the issuer for a fresh batch when [`BatchCounts::unused`] runs
//! low.
//!
//! ```
//! use passerelle::*;
//! # let dir = std::env::temp_dir().join(format!("passerelle-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("wallet.db");
//! let keys = FileKeyProvider::beside(&path);
//! let mut store = CredentialStore::open(&path, &keys, StoreOptions::new())?;
//! let now = UnixTime::from_secs(1_790_000_000);
//! let id = store.add(
//!     &CredentialRecord::new("dc+sd-jwt", "urn:eudi:pid:1", "https://issuer.example", b"eyJ...~".to_vec())
//!         .expires_at(UnixTime::from_secs(1_800_000_000)),
//!     now,
//! )?;
//! assert_eq!(store.list()?[0].issuer, "https://issuer.example");
//! assert_eq!(store.get(&id)?.credential.as_slice(), b"eyJ...~");
//! store.remove(&id)?;
//! assert!(store.list()?.is_empty());
//! # drop(store); std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), passerelle::Error>(())
//! ```

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod keys;
mod rows;
mod schema;
mod seal;
mod status;
#[cfg(feature = "postgres")]
mod status_pg;

pub use keys::{EnvKeyProvider, FileKeyProvider, KeyProvider};
pub use status::{Allocation, ListSnapshot, SqliteStatusStore, StatusStore};
#[cfg(feature = "postgres")]
pub use status_pg::PgStatusStore;

/// Opens the status store `spec` names: a `postgres://` URL (with the
/// `postgres` feature) or a file path for embedded SQLite.
pub fn open_status_store(spec: &str) -> Result<Box<dyn StatusStore>> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        {
            return Ok(Box::new(PgStatusStore::connect(spec)?));
        }
        #[cfg(not(feature = "postgres"))]
        {
            return Err(crate::error::unsupported(
                "this build has no PostgreSQL support (the postgres feature)",
            ));
        }
    }
    Ok(Box::new(SqliteStatusStore::open(Path::new(spec))?))
}

use crate::crypto::{PrivateKey, PublicKey, SecureRandom, SystemRandom};
use crate::error::{misuse, Error, ErrorKind, Result};
use crate::limits::{MAX_STORED_CREDENTIAL_BYTES, MAX_STORE_FIELD_BYTES};
use crate::time::UnixTime;
use core::fmt;
use rows::{CredentialRow, Ctx, KeyRow};
use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};
use seal::Sealer;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

fn storage(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Storage, message)
}

/// Maps an SQLite failure to `Storage`, saying what was being done.
fn sql(what: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| storage(format!("{what}: {e}"))
}

/// How long a handle waits for another one's write lock by default.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            fn random(rng: &dyn SecureRandom) -> Result<Self> {
                use base64::Engine as _;
                let mut b = [0u8; 16];
                rng.fill(&mut b)?;
                Ok($name(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)))
            }

            /// Reads an id as printed (22 base64url characters). Anything else is `ApiMisuse`.
            pub fn parse(text: &str) -> Result<Self> {
                let ok = text.len() == 22
                    && text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
                if ok {
                    Ok($name(text.to_owned()))
                } else {
                    Err(misuse(concat!("not a ", $what, " (22 base64url characters)")))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}

random_id!(
    /// A stored credential's id: 128 random bits, fixed at [`CredentialStore::add`].
    CredentialId,
    "credential id"
);
random_id!(
    /// A stored holder key's id: 128 random bits, fixed at [`CredentialStore::add_holder_key`].
    HolderKeyId,
    "holder key id"
);

/// A credential to store: the issued bytes and the metadata kept in clear.
///
/// The wallet fills the metadata from the *verified* credential (see the module
/// docs for what is in clear).
pub struct CredentialRecord {
    format: String,
    credential_type: String,
    issuer: String,
    expires_at: Option<UnixTime>,
    batch: Option<String>,
    holder_key: Option<HolderKeyId>,
    credential: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for CredentialRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialRecord")
            .field("format", &self.format)
            .field("credential_type", &self.credential_type)
            .field("issuer", &self.issuer)
            .field("expires_at", &self.expires_at)
            .field("batch", &self.batch)
            .field("holder_key", &self.holder_key)
            .field(
                "credential",
                &format_args!("<{} bytes>", self.credential.len()),
            )
            .finish()
    }
}

impl CredentialRecord {
    /// A credential of `format` (the OpenID4VP identifier: `dc+sd-jwt`,
    /// `mso_mdoc`, `jwt_vc_json`, ...), `credential_type` (`vct`, doctype or VC
    /// type) from `issuer`, with its issued bytes.
    pub fn new(
        format: impl Into<String>,
        credential_type: impl Into<String>,
        issuer: impl Into<String>,
        credential: impl Into<Vec<u8>>,
    ) -> Self {
        CredentialRecord {
            format: format.into(),
            credential_type: credential_type.into(),
            issuer: issuer.into(),
            expires_at: None,
            batch: None,
            holder_key: None,
            credential: Zeroizing::new(credential.into()),
        }
    }

    /// When the credential expires (kept in clear, for listing).
    pub fn expires_at(mut self, at: UnixTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Makes it one copy of the batch `batch` (see [`CredentialStore::take_unused`]).
    pub fn in_batch(mut self, batch: impl Into<String>) -> Self {
        self.batch = Some(batch.into());
        self
    }

    /// Links it to a stored holder key (the key its `cnf` / device key names).
    pub fn bound_to(mut self, key: HolderKeyId) -> Self {
        self.holder_key = Some(key);
        self
    }

    fn check(&self) -> Result<()> {
        let fields = [
            ("format", Some(self.format.as_str())),
            ("credential type", Some(self.credential_type.as_str())),
            ("issuer", Some(self.issuer.as_str())),
            ("batch", self.batch.as_deref()),
        ];
        for (what, v) in fields {
            if v.is_some_and(|v| v.len() > MAX_STORE_FIELD_BYTES) {
                return Err(crate::error::limit(format!(
                    "the {what} is longer than {MAX_STORE_FIELD_BYTES} bytes"
                )));
            }
        }
        if self.credential.len() > MAX_STORED_CREDENTIAL_BYTES {
            return Err(crate::error::limit(format!(
                "the credential is larger than {MAX_STORED_CREDENTIAL_BYTES} bytes"
            )));
        }
        Ok(())
    }
}

/// A stored credential's metadata, read in clear (no decryption).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialMetadata {
    /// Its id.
    pub id: CredentialId,
    /// The format identifier given at `add`.
    pub format: String,
    /// The credential type given at `add`.
    pub credential_type: String,
    /// The issuer id given at `add`.
    pub issuer: String,
    /// The expiry given at `add`, if any.
    pub expires_at: Option<UnixTime>,
    /// When it was added.
    pub added_at: UnixTime,
    /// Its batch, if it is one of several copies.
    pub batch: Option<String>,
    /// How many times [`CredentialStore::take_unused`] handed it out.
    pub use_count: u64,
    /// The holder key it is bound to, if one was linked.
    pub holder_key: Option<HolderKeyId>,
}

impl CredentialMetadata {
    /// The metadata as JSON (what `wallet list` prints): no secret, and only
    /// whether a holder key is linked, not which.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.as_str(),
            "format": self.format,
            "credential_type": self.credential_type,
            "issuer": self.issuer,
            "expires_at": self.expires_at.map(UnixTime::as_secs),
            "added_at": self.added_at.as_secs(),
            "batch": self.batch,
            "use_count": self.use_count,
            "holder_key": self.holder_key.is_some(),
        })
    }
}

/// A credential read back: its metadata (authenticated by the seal) and bytes.
#[non_exhaustive]
pub struct StoredCredential {
    /// The metadata, checked against the seal.
    pub metadata: CredentialMetadata,
    /// The issued bytes.
    pub credential: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredential")
            .field("metadata", &self.metadata)
            .field(
                "credential",
                &format_args!("<{} bytes>", self.credential.len()),
            )
            .finish()
    }
}

/// What [`CredentialStore::take_unused`] hands out.
#[non_exhaustive]
#[derive(Debug)]
pub struct TakenCopy {
    /// The copy, with its use counter already increased.
    pub credential: StoredCredential,
    /// Every copy of the batch had been used before: presenting this one lets
    /// verifiers link the presentations.
    pub reused: bool,
}

/// How many copies a batch has, and how many were never handed out.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchCounts {
    /// Copies in the batch.
    pub total: u64,
    /// Copies with a use counter of zero.
    pub unused: u64,
}

/// A holder key the wallet keeps.
#[non_exhaustive]
#[derive(Debug)]
pub enum HolderKey {
    /// A software key (P-256, P-384 or Ed25519); its private JWK is sealed.
    Software(Box<PrivateKey>),
    /// A key in a Secure Enclave, StrongBox or HSM: the store keeps the host's
    /// reference to it (a keystore alias) and its public key, sealed; the
    /// signing goes through a [`Signer`](crate::Signer) the host supplies.
    Hardware {
        /// The host's name for the key.
        reference: String,
        /// Its public half.
        public_key: PublicKey,
    },
}

impl HolderKey {
    fn kind(&self) -> &'static str {
        match self {
            HolderKey::Software(_) => "software",
            HolderKey::Hardware { .. } => "hardware",
        }
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        match self {
            HolderKey::Software(k) => k.public_key(),
            HolderKey::Hardware { public_key, .. } => public_key,
        }
    }

    fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            HolderKey::Software(k) => {
                let jwk = k.to_jwk();
                Ok(Zeroizing::new(jwk.as_bytes().to_vec()))
            }
            HolderKey::Hardware {
                reference,
                public_key,
            } => {
                if reference.len() > MAX_STORE_FIELD_BYTES {
                    return Err(crate::error::limit(format!(
                        "the key reference is longer than {MAX_STORE_FIELD_BYTES} bytes"
                    )));
                }
                let v = serde_json::json!({
                    "reference": reference,
                    "public_jwk": public_key.to_jwk(),
                });
                Ok(Zeroizing::new(v.to_string().into_bytes()))
            }
        }
    }

    fn from_plaintext(kind: &str, plain: &[u8], row: u64) -> Result<Self> {
        let bad = || {
            storage(format!(
                "holder key row {row}: the sealed key is not readable"
            ))
        };
        let text = core::str::from_utf8(plain).map_err(|_| bad())?;
        match kind {
            "software" => PrivateKey::from_jwk(text)
                .map(|k| HolderKey::Software(Box::new(k)))
                .map_err(|_| bad()),
            "hardware" => {
                let v: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
                let reference = v
                    .get("reference")
                    .and_then(|r| r.as_str())
                    .ok_or_else(bad)?;
                let jwk = v
                    .get("public_jwk")
                    .and_then(|r| r.as_str())
                    .ok_or_else(bad)?;
                Ok(HolderKey::Hardware {
                    reference: reference.to_owned(),
                    public_key: PublicKey::from_jwk(jwk).map_err(|_| bad())?,
                })
            }
            _ => Err(storage(format!("holder key row {row}: unknown kind"))),
        }
    }
}

/// How to open a store.
pub struct StoreOptions {
    busy_timeout: Duration,
    min_counter: Option<u64>,
    must_exist: bool,
    rng: Box<dyn SecureRandom + Send + Sync>,
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("busy_timeout", &self.busy_timeout)
            .field("min_counter", &self.min_counter)
            .field("must_exist", &self.must_exist)
            .finish_non_exhaustive()
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            min_counter: None,
            must_exist: false,
            rng: Box::new(SystemRandom),
        }
    }
}

impl StoreOptions {
    /// The defaults: create the store if missing, wait 5 s for a lock, no counter check.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to wait for another handle's write lock before `Storage`.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Refuses (`Storage`) a store whose write counter is below `counter`: the
    /// last value of [`CredentialStore::counter`] the host saved in its keystore.
    pub fn expect_counter_at_least(mut self, counter: u64) -> Self {
        self.min_counter = Some(counter);
        self
    }

    /// Refuses (`Storage`) a missing, empty or uninitialised file instead of
    /// creating a new store there.
    pub fn must_exist(mut self) -> Self {
        self.must_exist = true;
        self
    }

    /// The source of nonces and ids (the default is [`SystemRandom`]).
    pub fn rng(mut self, rng: Box<dyn SecureRandom + Send + Sync>) -> Self {
        self.rng = rng;
        self
    }
}

/// The wallet's encrypted credential store (see the module docs).
///
/// One handle is one SQLite connection: use one per thread (the type is `Send`,
/// not `Sync`); handles in several threads or processes may share one file.
pub struct CredentialStore {
    conn: Connection,
    sealer: Sealer,
    rng: Box<dyn SecureRandom + Send + Sync>,
    store_id: [u8; 16],
    version: u32,
    path: PathBuf,
}

impl fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialStore")
            .field("path", &self.path)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl CredentialStore {
    /// Opens the store at `path`, creating it if missing (unless
    /// [`StoreOptions::must_exist`]), migrating it to the current schema, and
    /// checking the wallet key. A wrong key, a damaged or foreign file, or a
    /// counter below the expected one is `Storage`.
    pub fn open(
        path: impl AsRef<Path>,
        keys: &dyn KeyProvider,
        options: StoreOptions,
    ) -> Result<Self> {
        Self::open_with(
            path.as_ref(),
            keys,
            options,
            schema::MIGRATIONS,
            schema::SCHEMA_VERSION,
        )
    }

    fn open_with(
        path: &Path,
        keys: &dyn KeyProvider,
        options: StoreOptions,
        migrations: &[schema::Migration],
        target: u32,
    ) -> Result<Self> {
        let shown = path.display();
        if options.must_exist {
            match std::fs::metadata(path) {
                Ok(m) if m.len() > 0 => {}
                Ok(_) => return Err(storage(format!("the store {shown} is an empty file"))),
                Err(e) => return Err(storage(format!("the store {shown}: {e}"))),
            }
        }
        let sealer = Sealer::new(keys.wallet_key()?);
        let mut conn = Connection::open(path).map_err(sql("opening the store"))?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(sql("setting the busy timeout"))?;
        let mode = journal_mode_wal(&conn, options.busy_timeout)
            .map_err(|e| storage(format!("the store {shown} does not open: {e}")))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(storage(format!(
                "the store {shown} cannot use a write-ahead log (journal mode {mode})"
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON; \
             PRAGMA trusted_schema=OFF;",
        )
        .map_err(sql("configuring the store"))?;
        let version = schema::migrate(
            &mut conn,
            migrations,
            target,
            &schema::MigrationCtx {
                sealer: &sealer,
                rng: &*options.rng,
            },
            options.must_exist,
        )?;
        let store_id = rows::store_id(&conn)?;
        rows::check_key(&conn, &sealer, &store_id)?;
        if let Some(min) = options.min_counter {
            let counter = rows::read_counter(&conn, &sealer, &store_id)?;
            if counter < min {
                return Err(storage(format!(
                    "the store's write counter is {counter}, below the {min} the host expects: \
                     an older copy of the store was put back"
                )));
            }
        }
        Ok(CredentialStore {
            conn,
            sealer,
            rng: options.rng,
            store_id,
            version,
            path: path.to_path_buf(),
        })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> u32 {
        self.version
    }

    /// The write counter: bumped by every write; keep it in the platform
    /// keystore and pass it back with [`StoreOptions::expect_counter_at_least`].
    pub fn counter(&self) -> Result<u64> {
        rows::read_counter(&self.conn, &self.sealer, &self.store_id)
    }

    /// Runs `f` and bumps the counter in one `BEGIN IMMEDIATE` transaction;
    /// any error rolls everything back.
    fn write<T>(
        &mut self,
        what: &'static str,
        f: impl FnOnce(&Connection, &Ctx<'_>) -> Result<T>,
    ) -> Result<T> {
        let CredentialStore {
            conn,
            sealer,
            rng,
            store_id,
            version,
            ..
        } = self;
        let ctx = Ctx {
            sealer,
            rng: &**rng,
            store_id: *store_id,
            version: *version,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(what))?;
        let out = f(&tx, &ctx)?;
        rows::bump_counter(&tx, &ctx)?;
        tx.commit().map_err(sql(what))?;
        Ok(out)
    }

    /// Stores a credential; returns its new id.
    pub fn add(&mut self, record: &CredentialRecord, now: UnixTime) -> Result<CredentialId> {
        record.check()?;
        let added = rows::i64_of(now.as_secs(), "the time")?;
        self.write("adding a credential", |conn, ctx| {
            let id = CredentialId::random(ctx.rng)?;
            let key_row = holder_key_row(conn, record.holder_key.as_ref())?;
            conn.execute(
                "INSERT INTO credentials (credential_id, format, credential_type, issuer, \
                 expires_at, added_at, batch, use_count, holder_key) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
                params![
                    id.as_str(),
                    record.format,
                    record.credential_type,
                    record.issuer,
                    expiry(record)?,
                    added,
                    record.batch,
                    key_row,
                ],
            )
            .map_err(sql("adding a credential"))?;
            let row_id =
                u64::try_from(conn.last_insert_rowid()).map_err(|_| storage("negative row id"))?;
            let meta = CredentialMetadata {
                id: id.clone(),
                format: record.format.clone(),
                credential_type: record.credential_type.clone(),
                issuer: record.issuer.clone(),
                expires_at: record.expires_at,
                added_at: now,
                batch: record.batch.clone(),
                use_count: 0,
                holder_key: record.holder_key.clone(),
            };
            seal_into(conn, ctx, row_id, &meta, &record.credential)?;
            Ok(id)
        })
    }

    /// Replaces a credential's bytes and metadata (a refreshed credential, a
    /// corrected expiry). Its id, added-at and use counter stay.
    pub fn update(&mut self, id: &CredentialId, record: &CredentialRecord) -> Result<()> {
        record.check()?;
        self.write("updating a credential", |conn, ctx| {
            let old = find_credential(conn, id)?;
            let key_row = holder_key_row(conn, record.holder_key.as_ref())?;
            conn.execute(
                "UPDATE credentials SET format = ?1, credential_type = ?2, issuer = ?3, \
                 expires_at = ?4, batch = ?5, holder_key = ?6 WHERE row_id = ?7",
                params![
                    record.format,
                    record.credential_type,
                    record.issuer,
                    expiry(record)?,
                    record.batch,
                    key_row,
                    rows::i64_of(old.row_id, "row id")?,
                ],
            )
            .map_err(sql("updating a credential"))?;
            let meta = CredentialMetadata {
                id: id.clone(),
                format: record.format.clone(),
                credential_type: record.credential_type.clone(),
                issuer: record.issuer.clone(),
                expires_at: record.expires_at,
                added_at: old.meta.added_at,
                batch: record.batch.clone(),
                use_count: old.meta.use_count,
                holder_key: record.holder_key.clone(),
            };
            seal_into(conn, ctx, old.row_id, &meta, &record.credential)
        })
    }

    /// Removes a credential. An unknown id is `ApiMisuse`.
    pub fn remove(&mut self, id: &CredentialId) -> Result<()> {
        self.write("removing a credential", |conn, _| {
            conn.execute(
                "DELETE FROM credential_bodies WHERE row_id = \
                 (SELECT row_id FROM credentials WHERE credential_id = ?1)",
                [id.as_str()],
            )
            .map_err(sql("removing a credential"))?;
            let n = conn
                .execute(
                    "DELETE FROM credentials WHERE credential_id = ?1",
                    [id.as_str()],
                )
                .map_err(sql("removing a credential"))?;
            if n == 0 {
                return Err(not_found(conn, format!("no credential {id} in the store")));
            }
            Ok(())
        })
    }

    /// Reads and opens one credential. A row that does not open is `Storage`
    /// naming it; an unknown id is `ApiMisuse`.
    pub fn get(&self, id: &CredentialId) -> Result<StoredCredential> {
        let row = find_credential(&self.conn, id)?;
        let credential = rows::open_credential(&self.sealer, &self.store_id, self.version, &row)?;
        Ok(StoredCredential {
            metadata: row.meta,
            credential,
        })
    }

    /// The sealed body's nonce and tag, read without opening it. Every write
    /// of a body seals it again under a fresh random nonce, so a holder that
    /// opened this credential before can tell it is unchanged without opening
    /// it again (a body moved from another row or rolled back has another
    /// fingerprint, and is opened, and judged, as usual). An unknown id is
    /// `ApiMisuse`, as for [`get`](Self::get).
    pub(crate) fn body_fingerprint(&self, id: &CredentialId) -> Result<Vec<u8>> {
        let what = "reading a credential";
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT substr(b.sealed, 1, 12), substr(b.sealed, -16, 16) FROM credentials c \
                 LEFT JOIN credential_bodies b ON b.row_id = c.row_id WHERE c.credential_id = ?1",
            )
            .map_err(sql(what))?;
        // the literals above are the nonce and tag lengths
        const _: () = assert!(seal::NONCE_LEN == 12 && seal::TAG_LEN == 16);
        let mut q = st.query([id.as_str()]).map_err(sql(what))?;
        match q.next().map_err(sql(what))? {
            Some(r) => {
                // a missing body reads as empty: no kept form matches it, and
                // opening it fails as `get` does
                let mut nonce: Vec<u8> = r
                    .get::<_, Option<Vec<u8>>>(0)
                    .map_err(sql(what))?
                    .unwrap_or_default();
                let tag: Vec<u8> = r
                    .get::<_, Option<Vec<u8>>>(1)
                    .map_err(sql(what))?
                    .unwrap_or_default();
                nonce.extend_from_slice(&tag);
                Ok(nonce)
            }
            None => Err(not_found(
                &self.conn,
                format!("no credential {id} in the store"),
            )),
        }
    }

    /// Whether holder key `id` is a software key (its clear kind; the kind
    /// is authenticated when the key is opened, so a changed kind fails then).
    pub(crate) fn holder_key_is_software(&self, id: &HolderKeyId) -> Result<bool> {
        Ok(find_key(&self.conn, id)?.kind == "software")
    }

    /// Every credential's metadata, in the order added, without decrypting.
    pub fn list(&self) -> Result<Vec<CredentialMetadata>> {
        let what = "listing credentials";
        let mut st = self
            .conn
            .prepare_cached(&format!("{} ORDER BY c.row_id", rows::SELECT_METADATA))
            .map_err(sql(what))?;
        let mut q = st.query([]).map_err(sql(what))?;
        let mut out = Vec::new();
        while let Some(r) = q.next().map_err(sql(what))? {
            out.push(rows::credential_row(r)?.meta);
        }
        Ok(out)
    }

    /// Opens every credential and holder key; returns one `Storage` error per
    /// row that fails (empty when all open). Fails whole only when the tables
    /// cannot be read at all.
    pub fn audit(&self) -> Result<Vec<Error>> {
        let mut problems = Vec::new();
        let what = "auditing the store";
        {
            let mut st = self
                .conn
                .prepare(rows::SELECT_CREDENTIAL)
                .map_err(sql(what))?;
            let mut q = st.query([]).map_err(sql(what))?;
            while let Some(r) = q.next().map_err(sql(what))? {
                let opened = rows::credential_row(r).and_then(|row| {
                    rows::open_credential(&self.sealer, &self.store_id, self.version, &row)
                });
                if let Err(e) = opened {
                    problems.push(e);
                }
            }
        }
        let mut st = self.conn.prepare(rows::SELECT_KEY).map_err(sql(what))?;
        let mut q = st.query([]).map_err(sql(what))?;
        while let Some(r) = q.next().map_err(sql(what))? {
            let opened = rows::key_row(r).and_then(|k| {
                rows::open_key(&self.sealer, &self.store_id, self.version, &k)
                    .and_then(|p| HolderKey::from_plaintext(&k.kind, &p, k.row_id))
            });
            if let Err(e) = opened {
                problems.push(e);
            }
        }
        Ok(problems)
    }

    /// Stores a holder key; returns its id, to link credentials with
    /// [`CredentialRecord::bound_to`].
    pub fn add_holder_key(&mut self, key: &HolderKey, now: UnixTime) -> Result<HolderKeyId> {
        let plain = key.to_plaintext()?;
        let added = now.as_secs();
        let added_i = rows::i64_of(added, "the time")?;
        self.write("adding a holder key", |conn, ctx| {
            let id = HolderKeyId::random(ctx.rng)?;
            conn.execute(
                "INSERT INTO holder_keys (key_id, kind, added_at, sealed) VALUES (?1, ?2, ?3, x'')",
                params![id.as_str(), key.kind(), added_i],
            )
            .map_err(sql("adding a holder key"))?;
            let row_id =
                u64::try_from(conn.last_insert_rowid()).map_err(|_| storage("negative row id"))?;
            let aad = rows::holder_key_aad(
                &ctx.store_id,
                ctx.version,
                row_id,
                id.as_str(),
                key.kind(),
                added,
            );
            let sealed = ctx.sealer.seal(ctx.rng, &plain, &aad)?;
            conn.execute(
                "UPDATE holder_keys SET sealed = ?1 WHERE row_id = ?2",
                params![sealed, rows::i64_of(row_id, "row id")?],
            )
            .map_err(sql("adding a holder key"))?;
            Ok(id)
        })
    }

    /// Reads and opens a holder key.
    pub fn holder_key(&self, id: &HolderKeyId) -> Result<HolderKey> {
        let k = find_key(&self.conn, id)?;
        let plain = rows::open_key(&self.sealer, &self.store_id, self.version, &k)?;
        HolderKey::from_plaintext(&k.kind, &plain, k.row_id)
    }

    /// The ids of every stored holder key, in the order added.
    pub fn holder_key_ids(&self) -> Result<Vec<HolderKeyId>> {
        let what = "listing holder keys";
        let mut st = self
            .conn
            .prepare_cached("SELECT row_id, key_id FROM holder_keys ORDER BY row_id")
            .map_err(sql(what))?;
        let mut q = st.query([]).map_err(sql(what))?;
        let mut out = Vec::new();
        while let Some(r) = q.next().map_err(sql(what))? {
            let row: i64 = r.get(0).map_err(sql(what))?;
            let id: String = r.get(1).map_err(sql(what))?;
            out.push(
                HolderKeyId::parse(&id)
                    .map_err(|_| storage(format!("holder key row {row}: not a key id")))?,
            );
        }
        Ok(out)
    }

    /// Removes a holder key. A key still linked to a credential is
    /// `ApiMisuse` (remove the credentials first); an unknown id too.
    pub fn remove_holder_key(&mut self, id: &HolderKeyId) -> Result<()> {
        self.write("removing a holder key", |conn, _| {
            let k = find_key(conn, id)?;
            let row = rows::i64_of(k.row_id, "row id")?;
            let linked: i64 = conn
                .query_row(
                    "SELECT count(*) FROM credentials WHERE holder_key = ?1",
                    [row],
                    |r| r.get(0),
                )
                .map_err(sql("removing a holder key"))?;
            if linked != 0 {
                return Err(misuse(format!(
                    "holder key {id} is still bound to {linked} credential(s)"
                )));
            }
            conn.execute("DELETE FROM holder_keys WHERE row_id = ?1", [row])
                .map_err(sql("removing a holder key"))?;
            Ok(())
        })
    }

    /// Hands out the least-used copy of `batch` (oldest first among equals)
    /// and adds one to its use counter, atomically. When every copy was used
    /// already, the least-used one comes back with [`TakenCopy::reused`] set
    /// (see the module docs for why this does not fail). A batch with no copy
    /// is `ApiMisuse`; a copy that does not open is `Storage` and is not
    /// counted as used.
    pub fn take_unused(&mut self, batch: &str) -> Result<TakenCopy> {
        self.write("taking a batch copy", |conn, ctx| {
            let mut st = conn
                .prepare_cached(&format!(
                    "{} WHERE c.batch = ?1 ORDER BY c.use_count, c.row_id LIMIT 1",
                    rows::SELECT_CREDENTIAL
                ))
                .map_err(sql("taking a batch copy"))?;
            let mut q = st.query([batch]).map_err(sql("taking a batch copy"))?;
            let mut row = match q.next().map_err(sql("taking a batch copy"))? {
                Some(r) => rows::credential_row(r)?,
                None => return Err(not_found(conn, format!("no credential in batch {batch:?}"))),
            };
            drop(q);
            let credential = rows::open_credential(ctx.sealer, &ctx.store_id, ctx.version, &row)?;
            conn.execute(
                "UPDATE credentials SET use_count = use_count + 1 WHERE row_id = ?1",
                [rows::i64_of(row.row_id, "row id")?],
            )
            .map_err(sql("taking a batch copy"))?;
            let reused = row.meta.use_count > 0;
            row.meta.use_count = row.meta.use_count.saturating_add(1);
            Ok(TakenCopy {
                credential: StoredCredential {
                    metadata: row.meta,
                    credential,
                },
                reused,
            })
        })
    }

    /// How many copies `batch` holds and how many were never handed out.
    pub fn batch_counts(&self, batch: &str) -> Result<BatchCounts> {
        let (total, unused): (i64, i64) = self
            .conn
            .query_row(
                "SELECT count(*), coalesce(sum(use_count = 0), 0) FROM credentials WHERE batch = ?1",
                [batch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql("counting a batch"))?;
        let n = |v: i64| u64::try_from(v).map_err(|_| storage("negative count"));
        Ok(BatchCounts {
            total: n(total)?,
            unused: n(unused)?,
        })
    }
}

/// Switches to WAL. SQLite does not call the busy handler for a journal-mode
/// change that races another connection creating the file, so retry here,
/// within the same busy timeout.
fn journal_mode_wal(conn: &Connection, timeout: Duration) -> rusqlite::Result<String> {
    const PAUSE: Duration = Duration::from_millis(5);
    let mut waited = Duration::ZERO;
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && waited < timeout =>
            {
                std::thread::sleep(PAUSE);
                waited = waited.saturating_add(PAUSE);
            }
            other => return other,
        }
    }
}

/// An id that is not found is the caller's mistake (`ApiMisuse`) — unless the
/// file is damaged, when the row may be what was lost: then `Storage`. The
/// integrity check runs only on this path, so lookups that succeed pay nothing.
fn not_found(conn: &Connection, message: String) -> Error {
    let check: rusqlite::Result<String> =
        conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0));
    match check {
        Ok(ok) if ok == "ok" => misuse(message),
        Ok(problem) => storage(format!("{message}, and the store is damaged: {problem}")),
        Err(e) => storage(format!("{message}, and the store is damaged: {e}")),
    }
}

fn expiry(record: &CredentialRecord) -> Result<Option<i64>> {
    record
        .expires_at
        .map(|t| rows::i64_of(t.as_secs(), "the expiry"))
        .transpose()
}

fn holder_key_row(conn: &Connection, key: Option<&HolderKeyId>) -> Result<Option<i64>> {
    match key {
        None => Ok(None),
        Some(k) => find_key(conn, k).and_then(|r| rows::i64_of(r.row_id, "row id").map(Some)),
    }
}

fn seal_into(
    conn: &Connection,
    ctx: &Ctx<'_>,
    row_id: u64,
    meta: &CredentialMetadata,
    credential: &[u8],
) -> Result<()> {
    let aad = rows::credential_aad(&ctx.store_id, ctx.version, row_id, meta);
    let sealed = ctx.sealer.seal(ctx.rng, credential, &aad)?;
    conn.execute(
        "INSERT INTO credential_bodies (row_id, sealed) VALUES (?1, ?2) \
         ON CONFLICT (row_id) DO UPDATE SET sealed = excluded.sealed",
        params![rows::i64_of(row_id, "row id")?, sealed],
    )
    .map_err(sql("sealing a credential"))?;
    Ok(())
}

fn find_credential(conn: &Connection, id: &CredentialId) -> Result<CredentialRow> {
    let mut st = conn
        .prepare_cached(&format!(
            "{} WHERE c.credential_id = ?1",
            rows::SELECT_CREDENTIAL
        ))
        .map_err(sql("reading a credential"))?;
    let mut q = st
        .query([id.as_str()])
        .map_err(sql("reading a credential"))?;
    match q.next().map_err(sql("reading a credential"))? {
        Some(r) => rows::credential_row(r),
        None => Err(not_found(conn, format!("no credential {id} in the store"))),
    }
}

fn find_key(conn: &Connection, id: &HolderKeyId) -> Result<KeyRow> {
    let row = conn
        .prepare_cached(&format!("{} WHERE key_id = ?1", rows::SELECT_KEY))
        .and_then(|mut st| st.query_row([id.as_str()], |r| Ok(rows::key_row(r))))
        .optional()
        .map_err(sql("reading a holder key"))?;
    match row {
        Some(k) => k,
        None => Err(not_found(conn, format!("no holder key {id} in the store"))),
    }
}

#[cfg(test)]
mod tests;
