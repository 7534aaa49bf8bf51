#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::schema::{create_v1, Migration, MigrationCtx, MIGRATIONS, SCHEMA_VERSION, V1_SQL};
use super::seal::{AadBuilder, Sealer};
use super::*;
use crate::crypto::Algorithm;
use std::sync::atomic::{AtomicU64, Ordering};

/// A deterministic RNG (splitmix64), so ids and nonces repeat run to run.
struct TestRng(AtomicU64);

impl SecureRandom for TestRng {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        for chunk in dest.chunks_mut(8) {
            let mut z = self
                .0
                .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
                .wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let b = z.to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        Ok(())
    }
}

fn rng(seed: u64) -> Box<dyn SecureRandom + Send + Sync> {
    Box::new(TestRng(AtomicU64::new(seed)))
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "passerelle-store-unit-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn key(b: u8) -> impl Fn() -> Result<Zeroizing<[u8; 32]>> {
    move || Ok(Zeroizing::new([b; 32]))
}

const NOW: UnixTime = UnixTime::from_secs(1_790_000_000);

fn record(n: u32) -> CredentialRecord {
    CredentialRecord::new(
        "dc+sd-jwt",
        "urn:eudi:pid:1",
        "https://issuer.example",
        format!("credential-{n}").into_bytes(),
    )
    .expires_at(UnixTime::from_secs(1_800_000_000))
}

fn open(path: &Path, k: u8) -> Result<CredentialStore> {
    CredentialStore::open(path, &key(k), StoreOptions::new().rng(rng(1)))
}

#[test]
fn seal_round_trip_and_aad_binding() {
    let s = Sealer::new(Zeroizing::new([3u8; 32]));
    let r = TestRng(AtomicU64::new(5));
    let aad = AadBuilder::new("credential", b"store").u64_field(1);
    let sealed = s.seal(&r, b"hello", &aad).unwrap();
    assert_eq!(sealed.len(), 5 + seal::OVERHEAD);
    assert_eq!(s.open(&sealed, &aad).unwrap().as_slice(), b"hello");
    // Another row, another domain, another store: all fail.
    for other in [
        AadBuilder::new("credential", b"store").u64_field(2),
        AadBuilder::new("holder-key", b"store").u64_field(1),
        AadBuilder::new("credential", b"other").u64_field(1),
    ] {
        assert!(s.open(&sealed, &other).is_err());
    }
    // Fresh nonce per seal.
    let again = s.seal(&r, b"hello", &aad).unwrap();
    assert_ne!(sealed[..seal::NONCE_LEN], again[..seal::NONCE_LEN]);
    // Too short, or any bit flipped.
    assert!(s.open(&sealed[..seal::OVERHEAD - 1], &aad).is_err());
    for bit in 0..sealed.len() * 8 {
        let mut bad = sealed.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(s.open(&bad, &aad).is_err(), "bit {bit}");
    }
}

#[test]
fn aad_fields_do_not_run_together() {
    let a = AadBuilder::new("d", b"s").str_field("ab").str_field("c");
    let b = AadBuilder::new("d", b"s").str_field("a").str_field("bc");
    assert_ne!(a.bytes(), b.bytes());
    let c = AadBuilder::new("d", b"s")
        .opt_str_field(None)
        .str_field("x");
    let d = AadBuilder::new("d", b"s")
        .opt_str_field(Some(""))
        .str_field("x");
    assert_ne!(c.bytes(), d.bytes());
}

#[test]
fn ids_parse_only_their_form() {
    let r = TestRng(AtomicU64::new(9));
    let id = CredentialId::random(&r).unwrap();
    assert_eq!(CredentialId::parse(id.as_str()).unwrap(), id);
    for bad in [
        "",
        "short",
        "aaaaaaaaaaaaaaaaaaaaa=",
        "aaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaa aaaaaaaaaaa",
    ] {
        assert_eq!(
            CredentialId::parse(bad).unwrap_err().kind(),
            ErrorKind::ApiMisuse
        );
    }
}

#[test]
fn add_get_list_update_remove() {
    let dir = TempDir::new("crud");
    let path = dir.join("w.db");
    let mut s = open(&path, 1).unwrap();
    assert_eq!(s.schema_version(), SCHEMA_VERSION);
    let c0 = s.counter().unwrap();
    let a = s.add(&record(1), NOW).unwrap();
    let b = s.add(&record(2).in_batch("b"), NOW).unwrap();
    assert_eq!(s.counter().unwrap(), c0 + 2);
    let list = s.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, a);
    assert_eq!(list[0].format, "dc+sd-jwt");
    assert_eq!(list[0].expires_at, Some(UnixTime::from_secs(1_800_000_000)));
    assert_eq!(list[0].added_at, NOW);
    assert_eq!(list[1].batch.as_deref(), Some("b"));
    assert_eq!(s.get(&b).unwrap().credential.as_slice(), b"credential-2");
    s.update(
        &a,
        &CredentialRecord::new("mso_mdoc", "org.iso.18013.5.1.mDL", "iaca", b"new".to_vec()),
    )
    .unwrap();
    let got = s.get(&a).unwrap();
    assert_eq!(got.credential.as_slice(), b"new");
    assert_eq!(got.metadata.format, "mso_mdoc");
    assert_eq!(got.metadata.added_at, NOW);
    assert_eq!(got.metadata.expires_at, None);
    s.remove(&a).unwrap();
    assert_eq!(s.get(&a).unwrap_err().kind(), ErrorKind::ApiMisuse);
    assert_eq!(s.remove(&a).unwrap_err().kind(), ErrorKind::ApiMisuse);
    assert_eq!(
        s.update(&a, &record(3)).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
    assert_eq!(s.list().unwrap().len(), 1);
    assert!(s.audit().unwrap().is_empty());
    drop(s);
    // Reopened: the same rows, the counter kept.
    let s = open(&path, 1).unwrap();
    assert_eq!(s.list().unwrap().len(), 1);
    assert_eq!(s.counter().unwrap(), c0 + 4);
}

#[test]
fn a_failed_write_changes_nothing() {
    let dir = TempDir::new("rollback");
    let path = dir.join("w.db");
    let mut s = open(&path, 1).unwrap();
    let c = s.counter().unwrap();
    let unknown = HolderKeyId::parse("AAAAAAAAAAAAAAAAAAAAAA").unwrap();
    let e = s.add(&record(1).bound_to(unknown), NOW).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    assert!(s.list().unwrap().is_empty());
    assert_eq!(s.counter().unwrap(), c);
}

#[test]
fn limits_on_what_is_stored() {
    let dir = TempDir::new("limits");
    let mut s = open(&dir.join("w.db"), 1).unwrap();
    let at = "x".repeat(MAX_STORE_FIELD_BYTES);
    let past = "x".repeat(MAX_STORE_FIELD_BYTES + 1);
    s.add(&CredentialRecord::new("f", &*at, "i", b"c".to_vec()), NOW)
        .unwrap();
    for r in [
        CredentialRecord::new(&*past, "t", "i", b"c".to_vec()),
        CredentialRecord::new("f", &*past, "i", b"c".to_vec()),
        CredentialRecord::new("f", "t", &*past, b"c".to_vec()),
        CredentialRecord::new("f", "t", "i", b"c".to_vec()).in_batch(&*past),
        CredentialRecord::new("f", "t", "i", vec![0; MAX_STORED_CREDENTIAL_BYTES + 1]),
    ] {
        assert_eq!(s.add(&r, NOW).unwrap_err().kind(), ErrorKind::LimitExceeded);
    }
    let big = CredentialRecord::new("f", "t", "i", vec![7; MAX_STORED_CREDENTIAL_BYTES]);
    let id = s.add(&big, NOW).unwrap();
    assert_eq!(
        s.get(&id).unwrap().credential.len(),
        MAX_STORED_CREDENTIAL_BYTES
    );
    let hw = HolderKey::Hardware {
        reference: past,
        public_key: PrivateKey::generate(Algorithm::Es256)
            .unwrap()
            .public_key()
            .clone(),
    };
    assert_eq!(
        s.add_holder_key(&hw, NOW).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn holder_keys_software_and_hardware() {
    let dir = TempDir::new("keys");
    let mut s = open(&dir.join("w.db"), 1).unwrap();
    for alg in [Algorithm::Es256, Algorithm::EdDsa] {
        let k = PrivateKey::generate(alg).unwrap();
        let public = k.public_key().clone();
        let id = s
            .add_holder_key(&HolderKey::Software(Box::new(k)), NOW)
            .unwrap();
        match s.holder_key(&id).unwrap() {
            HolderKey::Software(back) => {
                assert_eq!(back.public_key(), &public);
                let sig = crate::Signer::sign(&*back, b"m").unwrap();
                let _checked = crate::crypto::verify_signature(alg, &public, b"m", &sig).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    let public = PrivateKey::generate(Algorithm::Es256)
        .unwrap()
        .public_key()
        .clone();
    let hw = HolderKey::Hardware {
        reference: "keystore:alias-1".into(),
        public_key: public.clone(),
    };
    let id = s.add_holder_key(&hw, NOW).unwrap();
    assert_eq!(s.holder_key_ids().unwrap().len(), 3);
    assert_eq!(s.holder_key_ids().unwrap()[2], id);
    match s.holder_key(&id).unwrap() {
        HolderKey::Hardware {
            reference,
            public_key,
        } => {
            assert_eq!(reference, "keystore:alias-1");
            assert_eq!(public_key, public);
        }
        other => panic!("{other:?}"),
    }
    // Linked keys cannot be removed until their credentials are.
    let c = s.add(&record(1).bound_to(id.clone()), NOW).unwrap();
    assert_eq!(s.get(&c).unwrap().metadata.holder_key, Some(id.clone()));
    assert_eq!(
        s.remove_holder_key(&id).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
    s.remove(&c).unwrap();
    s.remove_holder_key(&id).unwrap();
    assert_eq!(s.holder_key(&id).unwrap_err().kind(), ErrorKind::ApiMisuse);
    // The private key is not in the file in clear.
    drop(s);
    let bytes = std::fs::read(dir.join("w.db")).unwrap();
    assert!(!bytes.windows(16).any(|w| w == b"keystore:alias-1"));
}

#[test]
fn batches_hand_out_each_copy_once_then_flag_reuse() {
    let dir = TempDir::new("batch");
    let mut s = open(&dir.join("w.db"), 1).unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let k = s
            .add_holder_key(
                &HolderKey::Software(Box::new(PrivateKey::generate(Algorithm::Es256).unwrap())),
                NOW,
            )
            .unwrap();
        ids.push(s.add(&record(n).in_batch("pid").bound_to(k), NOW).unwrap());
    }
    s.add(&record(9).in_batch("other"), NOW).unwrap();
    assert_eq!(
        s.batch_counts("pid").unwrap(),
        BatchCounts {
            total: 3,
            unused: 3
        }
    );
    for (n, want) in ids.iter().enumerate() {
        let t = s.take_unused("pid").unwrap();
        assert_eq!(&t.credential.metadata.id, want);
        assert_eq!(t.credential.metadata.use_count, 1);
        assert!(!t.reused);
        assert_eq!(
            t.credential.credential.as_slice(),
            format!("credential-{n}").as_bytes()
        );
    }
    assert_eq!(s.batch_counts("pid").unwrap().unused, 0);
    let t = s.take_unused("pid").unwrap();
    assert!(t.reused);
    assert_eq!(t.credential.metadata.id, ids[0]);
    assert_eq!(t.credential.metadata.use_count, 2);
    let t = s.take_unused("pid").unwrap();
    assert_eq!(t.credential.metadata.id, ids[1]);
    assert_eq!(
        s.take_unused("none").unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn a_copy_that_does_not_open_is_not_counted() {
    let dir = TempDir::new("batch-corrupt");
    let path = dir.join("w.db");
    let mut s = open(&path, 1).unwrap();
    s.add(&record(0).in_batch("b"), NOW).unwrap();
    s.conn
        .execute("UPDATE credential_bodies SET sealed = zeroblob(40)", [])
        .unwrap();
    assert_eq!(s.take_unused("b").unwrap_err().kind(), ErrorKind::Storage);
    assert_eq!(s.list().unwrap()[0].use_count, 0);
}

// --- migrations -----------------------------------------------------------

/// The version-1 schema as shipped, frozen here: a later edit of
/// [`V1_SQL`] (instead of a new migration) fails this test.
const V1_AS_SHIPPED: &str = "
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

#[test]
fn version_1_is_frozen() {
    assert_eq!(V1_SQL, V1_AS_SHIPPED);
    assert_eq!(MIGRATIONS.len(), usize::try_from(SCHEMA_VERSION).unwrap());
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(usize::try_from(m.to).unwrap(), i + 1);
    }
}

/// A hand-made version-1 file: the frozen DDL run by hand, meta rows and one
/// credential sealed as version 1 sealed them, without the store's code path.
fn hand_made_v1(path: &Path, k: u8) -> CredentialId {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(V1_AS_SHIPPED).unwrap();
    let sealer = Sealer::new(Zeroizing::new([k; 32]));
    let r = TestRng(AtomicU64::new(77));
    rows::init_meta(&conn, &sealer, &r).unwrap();
    let store_id = rows::store_id(&conn).unwrap();
    let id = CredentialId::parse("v1v1v1v1v1v1v1v1v1v1v1").unwrap();
    conn.execute(
        "INSERT INTO credentials (row_id, credential_id, format, credential_type, issuer, \
         expires_at, added_at, batch, use_count, holder_key) \
         VALUES (5, ?1, 'dc+sd-jwt', 't', 'i', NULL, 100, NULL, 0, NULL)",
        [id.as_str()],
    )
    .unwrap();
    let meta = CredentialMetadata {
        id: id.clone(),
        format: "dc+sd-jwt".into(),
        credential_type: "t".into(),
        issuer: "i".into(),
        expires_at: None,
        added_at: UnixTime::from_secs(100),
        batch: None,
        use_count: 0,
        holder_key: None,
    };
    let sealed = sealer
        .seal(
            &r,
            b"from v1",
            &rows::credential_aad(&store_id, 1, 5, &meta),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO credential_bodies (row_id, sealed) VALUES (5, ?1)",
        [sealed],
    )
    .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    id
}

fn add_note_column(tx: &rusqlite::Transaction<'_>, _: &MigrationCtx<'_>) -> Result<()> {
    tx.execute_batch("ALTER TABLE credentials ADD COLUMN note TEXT")
        .map_err(sql("v2"))
}

fn failing_step(tx: &rusqlite::Transaction<'_>, _: &MigrationCtx<'_>) -> Result<()> {
    tx.execute_batch("CREATE TABLE half_done (x)")
        .map_err(sql("v2"))?;
    Err(storage("this step fails"))
}

/// The shipped steps and a test-only version 2.
const WITH_V2: &[Migration] = &[
    Migration {
        to: 1,
        apply: create_v1,
    },
    Migration {
        to: 2,
        apply: add_note_column,
    },
];

fn open_v2(path: &Path, migrations: &[Migration]) -> Result<CredentialStore> {
    CredentialStore::open_with(
        path,
        &key(1),
        StoreOptions::new().rng(rng(2)),
        migrations,
        2,
    )
}

#[test]
fn opens_a_file_of_every_earlier_version() {
    let dir = TempDir::new("migrate");
    // Version 0, zero bytes (a file the host created empty).
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let mut s = open(&empty, 1).unwrap();
    assert_eq!(s.schema_version(), 1);
    let id = s.add(&record(1), NOW).unwrap();
    drop(s);
    assert_eq!(
        open(&empty, 1)
            .unwrap()
            .get(&id)
            .unwrap()
            .credential
            .as_slice(),
        b"credential-1"
    );

    // Version 0, a valid SQLite file with no table.
    let blank = dir.join("blank.db");
    Connection::open(&blank)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    assert!(std::fs::metadata(&blank).unwrap().len() > 0);
    assert_eq!(open(&blank, 1).unwrap().schema_version(), 1);

    // Version 1, hand-made: opens as is with this build.
    let v1 = dir.join("v1.db");
    let id = hand_made_v1(&v1, 1);
    let s = open(&v1, 1).unwrap();
    assert_eq!(s.get(&id).unwrap().credential.as_slice(), b"from v1");
    drop(s);

    // ... and migrates to a (test-only) version 2, resealing every body.
    let old_sealed: Vec<u8> = Connection::open(&v1)
        .unwrap()
        .query_row("SELECT sealed FROM credential_bodies", [], |r| r.get(0))
        .unwrap();
    let mut s = open_v2(&v1, WITH_V2).unwrap();
    assert_eq!(s.schema_version(), 2);
    assert_eq!(s.get(&id).unwrap().credential.as_slice(), b"from v1");
    let new = s.add(&record(2), NOW).unwrap();
    // A version-1 body put back into the version-2 file does not open.
    s.conn
        .execute(
            "UPDATE credential_bodies SET sealed = ?1 WHERE row_id = 5",
            [&old_sealed],
        )
        .unwrap();
    assert_eq!(s.get(&id).unwrap_err().kind(), ErrorKind::Storage);
    assert_eq!(s.get(&new).unwrap().credential.as_slice(), b"credential-2");
    drop(s);
    // This build refuses the newer file.
    assert_eq!(open(&v1, 1).unwrap_err().kind(), ErrorKind::Storage);

    // A fresh file goes 0 → 1 → 2 in one open.
    let fresh = dir.join("fresh.db");
    assert_eq!(open_v2(&fresh, WITH_V2).unwrap().schema_version(), 2);
}

#[test]
fn a_failing_migration_leaves_the_old_version() {
    let dir = TempDir::new("migrate-fail");
    let v1 = dir.join("v1.db");
    let id = hand_made_v1(&v1, 1);
    let failing = &[
        Migration {
            to: 1,
            apply: create_v1,
        },
        Migration {
            to: 2,
            apply: failing_step,
        },
    ];
    assert_eq!(
        open_v2(&v1, failing).unwrap_err().kind(),
        ErrorKind::Storage
    );
    let s = open(&v1, 1).unwrap();
    assert_eq!(s.schema_version(), 1);
    assert_eq!(s.get(&id).unwrap().credential.as_slice(), b"from v1");
    let half: i64 = s
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(half, 0);
    // A gap in the steps is refused too.
    let gap = &[Migration {
        to: 2,
        apply: add_note_column,
    }];
    let fresh = dir.join("fresh.db");
    assert_eq!(open_v2(&fresh, gap).unwrap_err().kind(), ErrorKind::Storage);
}

#[test]
fn refuses_foreign_and_future_files() {
    let dir = TempDir::new("foreign");
    let foreign = dir.join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    assert_eq!(open(&foreign, 1).unwrap_err().kind(), ErrorKind::Storage);
    let future = dir.join("future.db");
    hand_made_v1(&future, 1);
    Connection::open(&future)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    assert_eq!(open(&future, 1).unwrap_err().kind(), ErrorKind::Storage);
    let negative = dir.join("negative.db");
    Connection::open(&negative)
        .unwrap()
        .pragma_update(None, "user_version", -1)
        .unwrap();
    assert_eq!(open(&negative, 1).unwrap_err().kind(), ErrorKind::Storage);
}

#[test]
fn must_exist_refuses_missing_and_empty() {
    let dir = TempDir::new("exist");
    let missing = dir.join("missing.db");
    let opts = || StoreOptions::new().must_exist();
    assert_eq!(
        CredentialStore::open(&missing, &key(1), opts())
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    assert!(!missing.exists());
    std::fs::write(&missing, b"").unwrap();
    assert_eq!(
        CredentialStore::open(&missing, &key(1), opts())
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    let blank = dir.join("blank.db");
    Connection::open(&blank)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    assert_eq!(
        CredentialStore::open(&blank, &key(1), opts())
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    let real = dir.join("real.db");
    drop(open(&real, 1).unwrap());
    CredentialStore::open(&real, &key(1), opts()).unwrap();
}

// --- key providers --------------------------------------------------------

#[test]
fn key_text_form() {
    let r = TestRng(AtomicU64::new(3));
    let text = EnvKeyProvider::generate(&r).unwrap();
    assert_eq!(text.len(), 43);
    let k = keys::tests_decode(text.as_bytes()).unwrap();
    assert_eq!(
        keys::tests_decode(format!("  {}\n", &*text).as_bytes()).unwrap(),
        k
    );
    for bad in ["", "AAAA", &"A".repeat(44), &format!("{}=", &*text), "!!!"] {
        assert_eq!(
            keys::tests_decode(bad.as_bytes()).unwrap_err().kind(),
            ErrorKind::Storage
        );
    }
}

#[test]
fn env_key_provider() {
    let var = format!("PASSERELLE_TEST_KEY_{}", std::process::id());
    let p = EnvKeyProvider::new(&var);
    assert_eq!(p.wallet_key().unwrap_err().kind(), ErrorKind::Storage);
    // Only this test touches this variable.
    std::env::set_var(&var, "A".repeat(43));
    assert_eq!(p.wallet_key().unwrap().as_slice(), &[0u8; 32]);
    std::env::set_var(&var, "not a key");
    assert_eq!(p.wallet_key().unwrap_err().kind(), ErrorKind::Storage);
    std::env::remove_var(&var);
}

#[cfg(unix)]
#[test]
fn file_key_provider_creates_0600_and_refuses_wider() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("keyfile");
    let store = dir.join("wallet.db");
    let p = FileKeyProvider::beside(&store).with_rng(rng(4));
    assert_eq!(p.path(), dir.join("wallet.db.key"));
    let k1 = p.wallet_key().unwrap();
    let mode = std::fs::metadata(p.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Read back, not re-created; no temporary file left behind.
    assert_eq!(p.wallet_key().unwrap(), k1);
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
    for wide in [0o640, 0o604, 0o644, 0o660] {
        std::fs::set_permissions(p.path(), std::fs::Permissions::from_mode(wide)).unwrap();
        assert_eq!(
            p.wallet_key().unwrap_err().kind(),
            ErrorKind::Storage,
            "{wide:o}"
        );
    }
    std::fs::set_permissions(p.path(), std::fs::Permissions::from_mode(0o400)).unwrap();
    assert_eq!(p.wallet_key().unwrap(), k1);
    // A symlink to a good key file is refused (it could point anywhere).
    let link = dir.join("link.key");
    std::os::unix::fs::symlink(p.path(), &link).unwrap();
    assert_eq!(
        FileKeyProvider::new(&link).wallet_key().unwrap_err().kind(),
        ErrorKind::Storage
    );
    // Not a regular file; garbage content.
    let d = FileKeyProvider::new(dir.0.clone());
    assert_eq!(d.wallet_key().unwrap_err().kind(), ErrorKind::Storage);
    let g = dir.join("garbage.key");
    std::fs::write(&g, b"garbage").unwrap();
    std::fs::set_permissions(&g, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        FileKeyProvider::new(&g).wallet_key().unwrap_err().kind(),
        ErrorKind::Storage
    );
}

#[test]
fn file_key_provider_race_agrees_on_one_key() {
    let dir = TempDir::new("keyrace");
    let path = dir.join("w.key");
    let keys: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4u64)
            .map(|i| {
                let path = path.clone();
                s.spawn(move || {
                    FileKeyProvider::new(path)
                        .with_rng(rng(100 + i))
                        .wallet_key()
                        .unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(keys.iter().all(|k| k == &keys[0]));
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
}

#[test]
fn a_handle_can_move_to_another_thread() {
    fn send<T: Send>() {}
    send::<CredentialStore>();
    send::<StoreOptions>();
    send::<FileKeyProvider>();
}
