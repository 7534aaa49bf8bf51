//! The wallet store against hostile conditions: HOSTILE-INPUTS.md section P
//! (STORE-01 … STORE-06), each asserting an `ErrorKind`, plus two handles in two
//! threads and in two processes.
//!
//! The SIGKILL and two-process tests re-run this test binary as a worker
//! process ([`worker_process_for_other_tests`], selected by an environment
//! variable; without it the test does nothing).

use passerelle::{
    CredentialId, CredentialRecord, CredentialStore, ErrorKind, FileKeyProvider, StoreOptions,
    UnixTime,
};
use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const NOW: UnixTime = UnixTime::from_secs(1_790_000_000);

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "passerelle-store-{}-{}-{name}",
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

/// A small deterministic PRNG (xorshift64*), for test choices and timings.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn key(b: u8) -> impl Fn() -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
    move || Ok(zeroize::Zeroizing::new([b; 32]))
}

fn open(path: &Path) -> passerelle::Result<CredentialStore> {
    CredentialStore::open(path, &key(1), StoreOptions::new())
}

/// The bytes of credential number `seq`: recognisable and of varying size
/// (some fit a page, some overflow into several).
fn content(seq: u64) -> Vec<u8> {
    let unit = format!("credential-{seq}~");
    let len = 64 + usize::try_from(seq.wrapping_mul(2_654_435_761) % 6000).unwrap();
    unit.bytes().cycle().take(len).collect()
}

fn record(seq: u64) -> CredentialRecord {
    CredentialRecord::new(
        "dc+sd-jwt",
        "urn:eudi:pid:1",
        format!("https://issuer-{seq}.example"),
        content(seq),
    )
    .expires_at(UnixTime::from_secs(1_800_000_000 + seq))
}

fn kind<T>(r: passerelle::Result<T>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

/// A store of `n` credentials, closed (so the WAL is checkpointed into the file).
fn filled(dir: &TempDir, n: u64) -> (PathBuf, Vec<CredentialId>) {
    let path = dir.join("wallet.db");
    let mut s = open(&path).unwrap();
    let ids = (0..n).map(|i| s.add(&record(i), NOW).unwrap()).collect();
    drop(s);
    assert!(
        !dir.join("wallet.db-wal").exists(),
        "the WAL was checkpointed at close"
    );
    (path, ids)
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn row_of(conn: &rusqlite::Connection, id: &CredentialId) -> i64 {
    conn.query_row(
        "SELECT row_id FROM credentials WHERE credential_id = ?1",
        [id.as_str()],
        |r| r.get(0),
    )
    .unwrap()
}

// --- STORE-03: one ciphertext bit flipped ----------------------------------

#[test]
fn store_03_a_flipped_bit_fails_alone_naming_the_row() {
    let dir = TempDir::new("s03");
    let (path, ids) = filled(&dir, 6);
    let conn = raw(&path);
    let victim = &ids[3];
    let row = row_of(&conn, victim);
    let sealed: Vec<u8> = conn
        .query_row(
            "SELECT sealed FROM credential_bodies WHERE row_id = ?1",
            [row],
            |r| r.get(0),
        )
        .unwrap();
    // In the nonce, the ciphertext, the tag.
    for bit in [0, 12 * 8 + 3, sealed.len() * 8 - 1] {
        let mut bad = sealed.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        conn.execute(
            "UPDATE credential_bodies SET sealed = ?1 WHERE row_id = ?2",
            rusqlite::params![bad, row],
        )
        .unwrap();
        let s = open(&path).unwrap();
        let e = s.get(victim).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Storage, "bit {bit}");
        assert!(e.message().contains(&format!("row {row}")), "{e}");
        assert!(e.message().contains(victim.as_str()), "{e}");
        for other in ids.iter().filter(|i| *i != victim) {
            s.get(other).unwrap();
        }
        // Reported, not skipped: list shows it, audit names it.
        assert_eq!(s.list().unwrap().len(), 6);
        let problems = s.audit().unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind(), ErrorKind::Storage);
        assert!(problems[0].message().contains(&format!("row {row}")));
    }
}

#[test]
fn store_03_edited_clear_metadata_fails_the_row() {
    let dir = TempDir::new("s03m");
    let (path, ids) = filled(&dir, 3);
    let conn = raw(&path);
    let row = row_of(&conn, &ids[1]);
    for edit in [
        "UPDATE credentials SET issuer = 'https://evil.example' WHERE row_id = ?1",
        "UPDATE credentials SET expires_at = expires_at + 1 WHERE row_id = ?1",
        "UPDATE credentials SET credential_type = 'other' WHERE row_id = ?1",
        "UPDATE credentials SET batch = 'b' WHERE row_id = ?1",
    ] {
        let before: (String, Option<i64>, String, Option<String>) = conn
            .query_row(
                "SELECT issuer, expires_at, credential_type, batch FROM credentials WHERE row_id = ?1",
                [row],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        conn.execute(edit, [row]).unwrap();
        let s = open(&path).unwrap();
        assert_eq!(kind(s.get(&ids[1])), Some(ErrorKind::Storage), "{edit}");
        s.get(&ids[0]).unwrap();
        s.get(&ids[2]).unwrap();
        drop(s);
        conn.execute(
            "UPDATE credentials SET issuer = ?1, expires_at = ?2, credential_type = ?3, batch = ?4 \
             WHERE row_id = ?5",
            rusqlite::params![before.0, before.1, before.2, before.3, row],
        )
        .unwrap();
        open(&path).unwrap().get(&ids[1]).unwrap();
    }
    // The use counter is not bound (documented): editing it keeps the row readable.
    conn.execute(
        "UPDATE credentials SET use_count = 7 WHERE row_id = ?1",
        [row],
    )
    .unwrap();
    assert_eq!(
        open(&path)
            .unwrap()
            .get(&ids[1])
            .unwrap()
            .metadata
            .use_count,
        7
    );
    // A body deleted behind the store's back: that row fails, the others and list do not.
    conn.execute("DELETE FROM credential_bodies WHERE row_id = ?1", [row])
        .unwrap();
    let s = open(&path).unwrap();
    let e = s.get(&ids[1]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert!(e.message().contains(&format!("row {row}")), "{e}");
    assert_eq!(s.list().unwrap().len(), 3);
    assert_eq!(s.audit().unwrap().len(), 1);
    s.get(&ids[0]).unwrap();
}

// --- STORE-04: wrong wallet key -------------------------------------------

#[test]
fn store_04_a_wrong_key_fails_at_open_with_no_plaintext() {
    let dir = TempDir::new("s04");
    let (path, _) = filled(&dir, 3);
    let e = CredentialStore::open(&path, &key(2), StoreOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert!(!e.message().contains("credential-"));
    // A damaged key check value reads as a wrong key too.
    raw(&path)
        .execute(
            "UPDATE meta SET value = zeroblob(60) WHERE name = 'key_check'",
            [],
        )
        .unwrap();
    assert_eq!(kind(open(&path)), Some(ErrorKind::Storage));
    // Through the key file: replaced by another key.
    let dir = TempDir::new("s04f");
    let path = dir.join("w.db");
    let keys = FileKeyProvider::beside(&path);
    let mut s = CredentialStore::open(&path, &keys, StoreOptions::new()).unwrap();
    s.add(&record(1), NOW).unwrap();
    drop(s);
    std::fs::remove_file(keys.path()).unwrap();
    assert_eq!(
        kind(CredentialStore::open(&path, &keys, StoreOptions::new())),
        Some(ErrorKind::Storage)
    );
}

// --- STORE-05: ciphertext of row A copied into row B ------------------------

#[test]
fn store_05_a_body_moved_to_another_row_fails() {
    let dir = TempDir::new("s05");
    let (path, ids) = filled(&dir, 4);
    let conn = raw(&path);
    let (a, b) = (row_of(&conn, &ids[0]), row_of(&conn, &ids[1]));
    conn.execute(
        "UPDATE credential_bodies SET sealed = (SELECT sealed FROM credential_bodies WHERE row_id = ?1) \
         WHERE row_id = ?2",
        [a, b],
    )
    .unwrap();
    let s = open(&path).unwrap();
    assert_eq!(kind(s.get(&ids[1])), Some(ErrorKind::Storage));
    assert_eq!(s.get(&ids[0]).unwrap().credential.as_slice(), content(0));
    drop(s);
    // Swapping the credential ids of two rows (same row ids, bodies kept).
    let c = row_of(&conn, &ids[2]);
    conn.execute_batch(&format!(
        "UPDATE credentials SET credential_id = 'tmp-a' WHERE row_id = {a};
         UPDATE credentials SET credential_id = '{ida}' WHERE row_id = {c};
         UPDATE credentials SET credential_id = '{idc}' WHERE row_id = {a};",
        ida = ids[0].as_str(),
        idc = ids[2].as_str(),
    ))
    .unwrap();
    let s = open(&path).unwrap();
    assert_eq!(kind(s.get(&ids[0])), Some(ErrorKind::Storage));
    assert_eq!(kind(s.get(&ids[2])), Some(ErrorKind::Storage));
    s.get(&ids[3]).unwrap();
    drop(s);
    // A whole row copied in as a new row (new row id and credential id).
    conn.execute(
        "INSERT INTO credentials (credential_id, format, credential_type, issuer, expires_at, \
         added_at, batch, use_count, holder_key) \
         SELECT 'AAAAAAAAAAAAAAAAAAAAAA', format, credential_type, issuer, expires_at, added_at, \
         batch, use_count, holder_key FROM credentials WHERE row_id = ?1",
        [row_of(&conn, &ids[3])],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO credential_bodies (row_id, sealed) SELECT last_insert_rowid(), sealed \
         FROM credential_bodies WHERE row_id = ?1",
        [row_of(&conn, &ids[3])],
    )
    .unwrap();
    let s = open(&path).unwrap();
    let copy = CredentialId::parse("AAAAAAAAAAAAAAAAAAAAAA").unwrap();
    assert_eq!(kind(s.get(&copy)), Some(ErrorKind::Storage));
    s.get(&ids[3]).unwrap();
}

#[test]
fn store_05_a_row_from_another_store_with_the_same_key_fails() {
    let d1 = TempDir::new("s05a");
    let d2 = TempDir::new("s05b");
    let (p1, ids1) = filled(&d1, 1);
    let (p2, _) = filled(&d2, 1);
    let c1 = raw(&p1);
    c1.execute("ATTACH DATABASE ?1 AS other", [p2.to_str().unwrap()])
        .unwrap();
    c1.execute(
        "UPDATE credential_bodies SET sealed = (SELECT sealed FROM other.credential_bodies LIMIT 1)",
        [],
    )
    .unwrap();
    c1.execute("DETACH DATABASE other", []).unwrap();
    drop(c1);
    assert_eq!(
        kind(open(&p1).unwrap().get(&ids1[0])),
        Some(ErrorKind::Storage)
    );
}

// --- STORE-02: truncation, garbage ----------------------------------------

/// Opens and uses a damaged store; every step must give `Ok` or `Storage`
/// (and never panic). Returns (failures, rows read).
fn exercise(path: &Path, ids: &[CredentialId]) -> (usize, usize) {
    let mut failures = 0;
    let mut read = 0;
    let mut s = match open(path) {
        Ok(s) => s,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
            return (1, 0);
        }
    };
    let mut note = |r: Result<(), passerelle::Error>| match r {
        Ok(()) => {}
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
            failures += 1;
        }
    };
    note(s.list().map(|_| ()));
    note(s.audit().map(|_| ()));
    for id in ids {
        match s.get(id) {
            Ok(c) => {
                assert!(c.credential.starts_with(b"credential-"));
                read += 1;
            }
            Err(e) => note(Err(e)),
        }
    }
    note(s.add(&record(999), NOW).map(|_| ()));
    (failures, read)
}

#[test]
fn store_02_truncated_files_give_storage() {
    for cut in [1_usize, 2, 3, 5, 8] {
        let dir = TempDir::new("s02t");
        let (path, ids) = filled(&dir, 60);
        let len = std::fs::metadata(&path).unwrap().len();
        let keep = len * u64::try_from(cut).unwrap() / 10;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(keep)
            .unwrap();
        let (failures, read) = exercise(&path, &ids);
        assert!(failures > 0, "cut to {cut}/10: nothing failed");
        assert!(read < ids.len());
    }
    for keep in [10_u64, 100, 4096] {
        let dir = TempDir::new("s02h");
        let (path, ids) = filled(&dir, 10);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(keep)
            .unwrap();
        let (failures, read) = exercise(&path, &ids);
        assert!(failures > 0 && read == 0, "kept {keep} bytes");
    }
}

#[test]
fn store_02_truncated_to_nothing_is_refused_when_the_host_says_so() {
    let dir = TempDir::new("s02z");
    let (path, _) = filled(&dir, 3);
    let counter = open(&path).unwrap().counter().unwrap();
    std::fs::write(&path, b"").unwrap();
    let must = StoreOptions::new().must_exist();
    assert_eq!(
        kind(CredentialStore::open(&path, &key(1), must)),
        Some(ErrorKind::Storage)
    );
    let counted = StoreOptions::new().expect_counter_at_least(counter);
    assert_eq!(
        kind(CredentialStore::open(&path, &key(1), counted)),
        Some(ErrorKind::Storage)
    );
    // Without either, an empty file is a new, empty store (documented).
    assert!(open(&path).unwrap().list().unwrap().is_empty());
}

#[test]
fn store_02_garbage_over_the_file_gives_storage() {
    let mut rng = Prng(0x5eed_0002);
    // Over the whole file, over the header, over pages in the middle.
    for (name, whole) in [("whole", true), ("header", false)] {
        let dir = TempDir::new(name);
        let (path, ids) = filled(&dir, 20);
        let len = usize::try_from(std::fs::metadata(&path).unwrap().len()).unwrap();
        let n = if whole { len } else { 100 };
        let garbage: Vec<u8> = (0..n).map(|_| rng.next().to_le_bytes()[0]).collect();
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(&garbage).unwrap();
        drop(f);
        let e = open(&path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Storage, "{name}: {e}");
        let (failures, read) = exercise(&path, &ids);
        assert!(failures > 0 && read == 0);
    }
    // Pages in the middle: those rows fail, others stay readable where SQLite allows.
    let dir = TempDir::new("middle");
    let (path, ids) = filled(&dir, 60);
    let len = std::fs::metadata(&path).unwrap().len();
    let page = 4096_u64;
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    for at in [len / 2 / page * page, (len * 3 / 4) / page * page] {
        use std::io::Seek as _;
        f.seek(std::io::SeekFrom::Start(at + 200)).unwrap();
        let garbage: Vec<u8> = (0..1024).map(|_| rng.next().to_le_bytes()[1]).collect();
        f.write_all(&garbage).unwrap();
    }
    drop(f);
    let (failures, read) = exercise(&path, &ids);
    assert!(failures > 0, "garbage in the middle went unnoticed");
    assert!(read > 0, "no row survived garbage in two pages");
}

// --- STORE-06: rollback ----------------------------------------------------

#[test]
fn store_06_an_older_copy_is_refused_with_the_counter() {
    let dir = TempDir::new("s06");
    let (path, ids) = filled(&dir, 3);
    let old = dir.join("old.db");
    std::fs::copy(&path, &old).unwrap();
    let mut s = open(&path).unwrap();
    let before = s.counter().unwrap();
    s.remove(&ids[0]).unwrap();
    let last = s.counter().unwrap();
    assert_eq!(last, before + 1);
    drop(s);
    let kept_counter = raw(&path)
        .query_row("SELECT value FROM meta WHERE name = 'counter'", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .unwrap();
    std::fs::copy(&old, &path).unwrap();
    // The host kept `last` in its keystore: the older copy is refused.
    let opts = || StoreOptions::new().expect_counter_at_least(last);
    assert_eq!(
        kind(CredentialStore::open(&path, &key(1), opts())),
        Some(ErrorKind::Storage)
    );
    // Without the counter the older copy opens: the documented limit.
    let s = open(&path).unwrap();
    assert!(s.get(&ids[0]).is_ok(), "the removed credential is back");
    drop(s);
    // The counter cannot be raised by editing the file ...
    raw(&path)
        .execute(
            "UPDATE meta SET value = zeroblob(36) WHERE name = 'counter'",
            [],
        )
        .unwrap();
    assert_eq!(
        kind(CredentialStore::open(&path, &key(1), opts())),
        Some(ErrorKind::Storage)
    );
    // ... but a newer copy's counter row spliced into the old file passes (documented limit).
    raw(&path)
        .execute(
            "UPDATE meta SET value = ?1 WHERE name = 'counter'",
            [kept_counter],
        )
        .unwrap();
    CredentialStore::open(&path, &key(1), opts()).unwrap();
}

// --- two handles -----------------------------------------------------------

#[test]
fn two_handles_in_threads() {
    let dir = TempDir::new("threads");
    let path = dir.join("w.db");
    let mut s = open(&path).unwrap();
    for i in 0..40 {
        s.add(&record(i).in_batch("b"), NOW).unwrap();
    }
    drop(s);
    let (taken, added): (Vec<Vec<CredentialId>>, Vec<Vec<CredentialId>>) =
        std::thread::scope(|sc| {
            let takers: Vec<_> = (0..2)
                .map(|_| {
                    sc.spawn(|| {
                        let mut s = open(&path).unwrap();
                        (0..20)
                            .map(|_| {
                                let t = s.take_unused("b").unwrap();
                                assert!(!t.reused);
                                t.credential.metadata.id
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let adders: Vec<_> = (0..2_u64)
                .map(|t| {
                    let path = &path;
                    sc.spawn(move || {
                        let mut s = open(path).unwrap();
                        (0..25)
                            .map(|i| s.add(&record(1000 * (t + 1) + i), NOW).unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let reader = sc.spawn(|| {
                let s = open(&path).unwrap();
                for _ in 0..30 {
                    for m in s.list().unwrap() {
                        // Rows may vanish between list and get only if removed; none are.
                        s.get(&m.id).unwrap();
                    }
                }
            });
            reader.join().unwrap();
            (
                takers.into_iter().map(|h| h.join().unwrap()).collect(),
                adders.into_iter().map(|h| h.join().unwrap()).collect(),
            )
        });
    let mut all_taken: Vec<_> = taken.concat();
    all_taken.sort();
    all_taken.dedup();
    assert_eq!(
        all_taken.len(),
        40,
        "each batch copy handed out exactly once"
    );
    let s = open(&path).unwrap();
    assert_eq!(s.batch_counts("b").unwrap().unused, 0);
    assert_eq!(s.list().unwrap().len(), 90);
    for (t, ids) in added.iter().enumerate() {
        for (i, id) in ids.iter().enumerate() {
            let seq = 1000 * (u64::try_from(t).unwrap() + 1) + u64::try_from(i).unwrap();
            assert_eq!(s.get(id).unwrap().credential.as_slice(), content(seq));
        }
    }
    assert!(s.audit().unwrap().is_empty());
}

// --- worker processes ------------------------------------------------------

const WORKER_VAR: &str = "PASSERELLE_STORE_WORKER";

fn worker_command(mode: &str, path: &Path, seq_base: u64, seed: u64) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "store::worker_process_for_other_tests",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(WORKER_VAR, format!("{mode} {seq_base} {seed}"))
    .env("PASSERELLE_STORE_WORKER_PATH", path)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    c
}

/// Does nothing in a normal run. As a worker: `churn` adds, updates and
/// removes forever, printing `@@ B …` before and `@@ C …` after each commit;
/// `add N` adds N credentials and exits.
#[test]
fn worker_process_for_other_tests() {
    let Ok(spec) = std::env::var(WORKER_VAR) else {
        return;
    };
    let path = PathBuf::from(std::env::var_os("PASSERELLE_STORE_WORKER_PATH").unwrap());
    let mut parts = spec.split(' ');
    let mode = parts.next().unwrap().to_owned();
    let mut seq: u64 = parts.next().unwrap().parse().unwrap();
    let mut rng = Prng(parts.next().unwrap().parse::<u64>().unwrap() | 1);
    let out = std::io::stdout();
    let say = |line: String| {
        let mut o = out.lock();
        o.write_all(format!("@@ {line}\n").as_bytes()).unwrap();
        o.flush().unwrap();
    };
    let keys = FileKeyProvider::beside(&path);
    let mut s = match CredentialStore::open(&path, &keys, StoreOptions::new()) {
        Ok(s) => s,
        Err(e) => {
            say(format!("ERR {e}"));
            return;
        }
    };
    say("READY".into());
    if let Some(n) = mode.strip_prefix("add") {
        let n: u64 = n.parse().unwrap();
        for _ in 0..n {
            let id = s.add(&record(seq), NOW).unwrap();
            say(format!("C add {id} {seq}"));
            seq += 1;
        }
        return;
    }
    let mut ids: Vec<CredentialId> = s.list().unwrap().into_iter().map(|m| m.id).collect();
    loop {
        let pick = rng.below(10);
        if ids.len() < 8 || (pick < 5 && ids.len() < 30) {
            say(format!("B add {seq}"));
            let id = s.add(&record(seq), NOW).unwrap();
            say(format!("C add {id} {seq}"));
            ids.push(id);
        } else if pick < 8 {
            let id =
                ids[usize::try_from(rng.below(u64::try_from(ids.len()).unwrap())).unwrap()].clone();
            say(format!("B upd {id} {seq}"));
            s.update(&id, &record(seq)).unwrap();
            say(format!("C upd {id} {seq}"));
        } else {
            let id = ids.swap_remove(
                usize::try_from(rng.below(u64::try_from(ids.len()).unwrap())).unwrap(),
            );
            say(format!("B rm {id}"));
            s.remove(&id).unwrap();
            say(format!("C rm {id}"));
        }
        seq += 1;
    }
}

/// Parses a worker line: `(phase, op, id, seq)`.
fn parse_line(line: &str) -> Option<(String, String, Option<String>, Option<u64>)> {
    let rest = line.strip_prefix("@@ ")?;
    let f: Vec<&str> = rest.split(' ').collect();
    match f.as_slice() {
        [p, "add", seq] => Some((p.to_string(), "add".into(), None, seq.parse().ok())),
        [p, "add", id, seq] => Some((
            p.to_string(),
            "add".into(),
            Some(id.to_string()),
            seq.parse().ok(),
        )),
        [p, "upd", id, seq] => Some((
            p.to_string(),
            "upd".into(),
            Some(id.to_string()),
            seq.parse().ok(),
        )),
        [p, "rm", id] => Some((p.to_string(), "rm".into(), Some(id.to_string()), None)),
        _ => None,
    }
}

/// What the parent knows: every credential the child reported committed,
/// and the one operation it had started and not reported.
#[derive(Default)]
struct Model {
    committed: HashMap<String, u64>,
    pending: Option<(String, Option<String>, Option<u64>)>,
}

impl Model {
    fn feed(&mut self, line: &str) {
        let Some((phase, op, id, seq)) = parse_line(line) else {
            return;
        };
        if phase == "B" {
            self.pending = Some((op, id, seq));
            return;
        }
        self.pending = None;
        match (op.as_str(), id, seq) {
            ("add" | "upd", Some(id), Some(seq)) => {
                self.committed.insert(id, seq);
            }
            ("rm", Some(id), _) => {
                self.committed.remove(&id);
            }
            _ => panic!("bad line {line}"),
        }
    }

    /// Checks the reopened store against what was reported, resolves the
    /// pending operation from what the store shows, and checks no row is
    /// half-written.
    fn check(&mut self, s: &CredentialStore, cycle: usize) {
        let present: HashMap<String, u64> = s
            .list()
            .unwrap()
            .into_iter()
            .map(|m| {
                let c = s
                    .get(&m.id)
                    .unwrap_or_else(|e| panic!("cycle {cycle}: {} does not open: {e}", m.id));
                let text = String::from_utf8(c.credential.to_vec()).unwrap();
                let seq: u64 = text
                    .strip_prefix("credential-")
                    .and_then(|t| t.split('~').next())
                    .and_then(|t| t.parse().ok())
                    .unwrap_or_else(|| panic!("cycle {cycle}: {} holds other bytes", m.id));
                assert_eq!(
                    c.credential.as_slice(),
                    content(seq),
                    "cycle {cycle}: half-written"
                );
                assert_eq!(c.metadata.issuer, format!("https://issuer-{seq}.example"));
                (m.id.to_string(), seq)
            })
            .collect();
        let pending = self.pending.take();
        for (id, seq) in &self.committed {
            match (present.get(id), &pending) {
                (Some(got), _) if got == seq => {}
                (Some(got), Some((op, Some(pid), Some(pseq))))
                    if op == "upd" && pid == id && got == pseq => {}
                (None, Some((op, Some(pid), _))) if op == "rm" && pid == id => {}
                (got, _) => panic!(
                    "cycle {cycle}: committed {id} (seq {seq}) found as {got:?}, pending {pending:?}"
                ),
            }
        }
        for (id, seq) in &present {
            if !self.committed.contains_key(id) {
                match &pending {
                    Some((op, None, Some(pseq))) if op == "add" && pseq == seq => {}
                    _ => panic!("cycle {cycle}: {id} (seq {seq}) was never committed"),
                }
            }
        }
        assert!(
            s.audit().unwrap().is_empty(),
            "cycle {cycle}: a row does not open"
        );
        self.committed = present;
    }
}

/// STORE-01: SIGKILL at random points of add / update / remove, 1 000 times,
/// against one long-lived file; after each kill every credential the child
/// reported committed is intact and nothing is half-written.
#[test]
fn store_01_sigkill_1000_times() {
    let kills: usize = std::env::var("PASSERELLE_STORE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = TempDir::new("s01");
    let path = dir.join("wallet.db");
    let keys = FileKeyProvider::beside(&path);
    drop(CredentialStore::open(&path, &keys, StoreOptions::new()).unwrap());
    let seed = 0x0005_70e0_1000_u64;
    let mut rng = Prng(seed);
    let mut model = Model::default();
    let started = Instant::now();
    let mut commits_seen = 0usize;
    let mut in_flight_kills = 0usize;
    let mut in_flight_by_op: HashMap<String, usize> = HashMap::new();
    for cycle in 0..kills {
        let mut child = worker_command(
            "churn",
            &path,
            u64::try_from(cycle).unwrap() * 1_000_000,
            rng.next(),
        )
        .spawn()
        .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        // Mostly kill while it works; sometimes while it is still opening.
        if rng.below(8) != 0 {
            loop {
                line.clear();
                if out.read_line(&mut line).unwrap() == 0 {
                    panic!("cycle {cycle}: the worker ended before READY");
                }
                assert!(!line.starts_with("@@ ERR"), "cycle {cycle}: {line}");
                if line.starts_with("@@ READY") {
                    break;
                }
            }
            std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        } else {
            std::thread::sleep(Duration::from_micros(rng.below(3_000)));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        // A last line without its newline was cut by the kill: not reported.
        let complete = match rest.rfind('\n') {
            Some(i) => &rest[..=i],
            None => "",
        };
        for l in complete.lines() {
            if l.starts_with("@@ C") {
                commits_seen += 1;
            }
            assert!(!l.starts_with("@@ ERR"), "cycle {cycle}: {l}");
            model.feed(l);
        }
        if let Some((op, _, _)) = &model.pending {
            in_flight_kills += 1;
            *in_flight_by_op.entry(op.clone()).or_insert(0usize) += 1;
        }
        let s = CredentialStore::open(&path, &keys, StoreOptions::new()).unwrap();
        model.check(&s, cycle);
    }
    let took = started.elapsed();
    eprintln!(
        "STORE-01: {kills} kills in {:.1} s ({:.1} ms each), {commits_seen} commits reported, \
         {in_flight_kills} kills during an operation ({in_flight_by_op:?}), {} credentials at the end, \
         seed {seed:#x}",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / f64::from(u32::try_from(kills.max(1)).unwrap()),
        model.committed.len()
    );
    assert!(
        commits_seen > kills / 2,
        "the workers barely wrote: {commits_seen} commits"
    );
    assert!(
        in_flight_kills > kills / 4,
        "few kills landed during an operation"
    );
}

#[test]
fn two_handles_in_two_processes() {
    let dir = TempDir::new("procs");
    let path = dir.join("wallet.db");
    let keys = FileKeyProvider::beside(&path);
    let mut s = CredentialStore::open(&path, &keys, StoreOptions::new()).unwrap();
    let children: Vec<_> = (0..2_u64)
        .map(|p| {
            worker_command("add40", &path, 10_000 * (p + 1), p)
                .spawn()
                .unwrap()
        })
        .collect();
    let mut expected: HashMap<String, u64> = HashMap::new();
    for i in 0..40 {
        let id = s.add(&record(50_000 + i), NOW).unwrap();
        expected.insert(id.to_string(), 50_000 + i);
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut n = 0;
        for l in text.lines() {
            assert!(!l.starts_with("@@ ERR"), "{l}");
            if let Some((_, _, Some(id), Some(seq))) = parse_line(l) {
                expected.insert(id, seq);
                n += 1;
            }
        }
        assert_eq!(n, 40);
    }
    let list = s.list().unwrap();
    assert_eq!(list.len(), 120);
    for m in list {
        let seq = expected[m.id.as_str()];
        assert_eq!(s.get(&m.id).unwrap().credential.as_slice(), content(seq));
    }
}

#[test]
fn handles_racing_to_create_one_store_agree() {
    for round in 0..10 {
        let dir = TempDir::new("race");
        let path = dir.join("wallet.db");
        let keys = FileKeyProvider::beside(&path);
        let ids: Vec<CredentialId> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..4_u64)
                .map(|t| {
                    let (path, keys) = (&path, &keys);
                    sc.spawn(move || {
                        let mut s = CredentialStore::open(path, keys, StoreOptions::new())
                            .unwrap_or_else(|e| panic!("round {round}, thread {t}: {e}"));
                        s.add(&record(t), NOW).unwrap()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let s = CredentialStore::open(&path, &keys, StoreOptions::new()).unwrap();
        assert_eq!(s.list().unwrap().len(), 4);
        for (t, id) in ids.iter().enumerate() {
            let seq = u64::try_from(t).unwrap();
            assert_eq!(s.get(id).unwrap().credential.as_slice(), content(seq));
        }
    }
}

// --- a store file as this build wrote it ------------------------------------

const FIXTURE_KEY: [u8; 32] = [0x11; 32];
const FIXTURE_SEED: [u8; 32] = [0x22; 32];

fn fixture_key() -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
    Ok(zeroize::Zeroizing::new(FIXTURE_KEY))
}

/// Writes `test-vectors/store/wallet-v1.db` (run with
/// `PASSERELLE_REGENERATE_STORE_FIXTURE=1`; see its PROVENANCE.md).
fn write_fixture(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mut s = CredentialStore::open(path, &fixture_key, StoreOptions::new()).unwrap();
    let holder =
        passerelle::PrivateKey::from_secret(passerelle::Algorithm::EdDsa, &FIXTURE_SEED, None)
            .unwrap();
    let k = s
        .add_holder_key(&passerelle::HolderKey::Software(Box::new(holder)), NOW)
        .unwrap();
    s.add(&record(1), NOW).unwrap();
    s.add(&record(2).in_batch("pid-batch").bound_to(k), NOW)
        .unwrap();
    drop(s);
}

/// A file written by the first release of the schema opens with every later
/// build: a change of the associated data or the schema without a migration
/// fails here.
#[test]
fn store_fixture_written_at_version_1_opens() {
    let src = crate::common::root().join("test-vectors/store/wallet-v1.db");
    if std::env::var_os("PASSERELLE_REGENERATE_STORE_FIXTURE").is_some() {
        write_fixture(&src);
    }
    let dir = TempDir::new("fixture");
    let path = dir.join("wallet.db");
    std::fs::copy(&src, &path).unwrap();
    let mut s =
        CredentialStore::open(&path, &fixture_key, StoreOptions::new().must_exist()).unwrap();
    assert!(s.schema_version() >= 1);
    assert!(s.audit().unwrap().is_empty());
    let list = s.list().unwrap();
    assert_eq!(list.len(), 2);
    for (m, seq) in list.iter().zip([1, 2]) {
        assert_eq!(m.issuer, format!("https://issuer-{seq}.example"));
        assert_eq!(m.expires_at, Some(UnixTime::from_secs(1_800_000_000 + seq)));
        assert_eq!(m.added_at, NOW);
        assert_eq!(s.get(&m.id).unwrap().credential.as_slice(), content(seq));
    }
    let key_id = list[1].holder_key.clone().unwrap();
    let want =
        passerelle::PrivateKey::from_secret(passerelle::Algorithm::EdDsa, &FIXTURE_SEED, None)
            .unwrap();
    assert_eq!(
        s.holder_key(&key_id).unwrap().public_key(),
        want.public_key()
    );
    let t = s.take_unused("pid-batch").unwrap();
    assert_eq!(t.credential.metadata.id, list[1].id);
    assert!(!t.reused);
    assert_eq!(
        kind(CredentialStore::open(&path, &key(1), StoreOptions::new())),
        Some(ErrorKind::Storage)
    );
}

/// STORE-02, widened: random bytes changed at random places of a valid store
/// (header, b-tree pages, bodies, free space), 150 times. Every operation gives
/// `Ok` or `Storage`, never a panic, and whatever `get` returns is intact.
#[test]
fn store_02_random_damage_never_panics() {
    let dir = TempDir::new("s02r");
    let (path, ids) = filled(&dir, 30);
    let good = std::fs::read(&path).unwrap();
    let seed: u64 = std::env::var("PASSERELLE_STORE_DAMAGE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xda4a_6e02);
    let mut rng = Prng(seed);
    let mut failed_somewhere = 0;
    for case in 0..150 {
        let mut bytes = good.clone();
        let hits = 1 + rng.below(16);
        for _ in 0..hits {
            let at = usize::try_from(rng.below(u64::try_from(bytes.len()).unwrap())).unwrap();
            bytes[at] ^= u8::try_from(1 + rng.below(255)).unwrap();
        }
        let damaged = dir.join(&format!("case-{case}.db"));
        std::fs::write(&damaged, &bytes).unwrap();
        let (failures, _) = exercise(&damaged, &ids);
        if failures > 0 {
            failed_somewhere += 1;
        }
        let _ = std::fs::remove_file(&damaged);
        let _ = std::fs::remove_file(dir.join(&format!("case-{case}.db-wal")));
        let _ = std::fs::remove_file(dir.join(&format!("case-{case}.db-shm")));
    }
    assert!(
        failed_somewhere > 0,
        "no damage was noticed in 150 cases (seed {seed:#x})"
    );
}
