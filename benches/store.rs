//! The wallet store: add 1 000 credentials (per-credential cost), list and get
//! them, open a store of 10 000; against the floor measured in the same run.
//!
//! The floor of a durable write is one fsync (with `synchronous=FULL` in WAL
//! mode a commit syncs the WAL once), measured here as a 4 KiB append plus
//! `sync_data` in the same directory; the floor of a read is one AES-256-GCM
//! open of the same size (ring directly). Prints a table:
//! `ratio = workload / floor`.
//!
//! `cargo bench -p passerelle-bench --bench store` (set `PASSERELLE_BENCH_DIR` to measure on
//! another file system than the temporary directory's).

use passerelle::{CredentialRecord, CredentialStore, StoreOptions, UnixTime};
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

const NOW: UnixTime = UnixTime::from_secs(1_790_000_000);
/// A typical SD-JWT VC PID with its disclosures.
const CREDENTIAL_BYTES: usize = 3_000;

fn record(i: usize) -> CredentialRecord {
    CredentialRecord::new(
        "dc+sd-jwt",
        "urn:eudi:pid:1",
        format!("https://issuer-{}.example", i % 7),
        vec![b'a'; CREDENTIAL_BYTES],
    )
    .expires_at(UnixTime::from_secs(1_800_000_000))
}

fn per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / f64::from(u32::try_from(n).unwrap())
}

fn key() -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
    Ok(zeroize::Zeroizing::new([9; 32]))
}

fn main() {
    // test harnesses (cargo test --benches, nextest) list and run benches as
    // tests: report the one benchmark, and run it only when asked to bench
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("store: benchmark");
        }
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let base = std::env::var_os("PASSERELLE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("passerelle-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Floors.
    let mut f = std::fs::File::create(dir.join("floor")).unwrap();
    let page = vec![0u8; 4096];
    let n_sync = 200;
    let t = Instant::now();
    for _ in 0..n_sync {
        f.write_all(&page).unwrap();
        f.sync_data().unwrap();
    }
    let fsync_us = per(t.elapsed(), n_sync);
    let key_ring = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &[9; 32]).unwrap(),
    );
    let mut buf = vec![0u8; CREDENTIAL_BYTES];
    let tag = key_ring
        .seal_in_place_separate_tag(
            ring::aead::Nonce::assume_unique_for_key([0; 12]),
            ring::aead::Aad::empty(),
            &mut buf,
        )
        .unwrap();
    buf.extend_from_slice(tag.as_ref());
    let n_open = 10_000;
    let t = Instant::now();
    for _ in 0..n_open {
        let mut b = buf.clone();
        black_box(
            key_ring
                .open_in_place(
                    ring::aead::Nonce::assume_unique_for_key([0; 12]),
                    ring::aead::Aad::empty(),
                    &mut b,
                )
                .unwrap()
                .len(),
        );
    }
    let open_us = per(t.elapsed(), n_open);

    // Add 1 000, each its own durable transaction.
    let path = dir.join("w1000.db");
    let mut s = CredentialStore::open(&path, &key, StoreOptions::new()).unwrap();
    let n = 1_000;
    let t = Instant::now();
    let ids: Vec<_> = (0..n).map(|i| s.add(&record(i), NOW).unwrap()).collect();
    let add_us = per(t.elapsed(), n);
    let reps = 20;
    let t = Instant::now();
    for _ in 0..reps {
        black_box(s.list().unwrap().len());
    }
    let list_us = per(t.elapsed(), reps);
    let t = Instant::now();
    for id in &ids {
        black_box(s.get(id).unwrap().credential.len());
    }
    let get_us = per(t.elapsed(), n);
    let t = Instant::now();
    for _ in 0..5 {
        black_box(s.audit().unwrap().len());
    }
    let audit_us = per(t.elapsed(), 5);
    drop(s);

    // A store of 10 000 (filled through the API, then reopened).
    let path = dir.join("w10000.db");
    let mut s = CredentialStore::open(&path, &key, StoreOptions::new()).unwrap();
    for i in 0..10_000 {
        s.add(&record(i), NOW).unwrap();
    }
    drop(s);
    let reps = 20;
    let t = Instant::now();
    for _ in 0..reps {
        let s = CredentialStore::open(&path, &key, StoreOptions::new()).unwrap();
        black_box(s.schema_version());
    }
    let open_10k_us = per(t.elapsed(), reps);
    let s = CredentialStore::open(&path, &key, StoreOptions::new()).unwrap();
    let t = Instant::now();
    black_box(s.list().unwrap().len());
    let list_10k_us = t.elapsed().as_secs_f64() * 1e6;
    drop(s);
    let size_10k = std::fs::metadata(&path).unwrap().len();

    println!();
    println!("| store workload ({CREDENTIAL_BYTES}-byte credentials) | time | floor | ratio |");
    println!("|---|---|---|---|");
    println!("| add, per credential (1 000, one transaction each) | {add_us:.0} µs | 1 fsync = {fsync_us:.0} µs | {:.1} |", add_us / fsync_us);
    println!("| get (open one sealed credential) | {get_us:.1} µs | 1 AES-GCM open = {open_us:.1} µs | {:.1} |", get_us / open_us);
    println!("| list 1 000 (metadata, no decryption) | {list_us:.0} µs | — | — |");
    println!(
        "| audit 1 000 (open every row) | {audit_us:.0} µs | 1 000 opens = {:.0} µs | {:.1} |",
        open_us * 1000.0,
        audit_us / (open_us * 1000.0)
    );
    println!("| open a store of 10 000 | {open_10k_us:.0} µs | — | — |");
    println!("| list 10 000 | {list_10k_us:.0} µs | — | — |");
    println!(
        "| file size, 10 000 credentials | {:.1} MiB | — | — |",
        f64::from(u32::try_from(size_10k / 1024).unwrap()) / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
