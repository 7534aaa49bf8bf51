//! Status lists: a lookup in a 1 000 000-entry Token Status List, cold
//! (signature, decompression, one read — the verifier's whole status check of
//! an SD-JWT VC beyond the credential itself) and warm (the decoded list kept:
//! one read); the decoded-size cap hit by a 64 KB stream that inflates past
//! it; allocations per second on SQLite (one process) and PostgreSQL (four
//! processes, when `PASSERELLE_PG_URL` names a server). Floors measured in
//! the same run: one ES256 verification (ring) for the cold lookup, one fsync
//! for an SQLite allocation. Prints a table.
//!
//! `cargo bench -p passerelle-bench --bench status` (add `--features postgres`
//! for the PostgreSQL line)

use passerelle::internal::status::{
    compression, sign_status_list_jwt, StatusBits, StatusList, StatusListClaims,
    UnverifiedStatusListJwt,
};
use passerelle::*;
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

const NOW: u64 = 1_790_000_000;
const URI: &str = "https://issuer.example/status/bench";

fn median(mut f: impl FnMut() -> Duration, runs: usize) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    v.sort();
    v[runs / 2]
}

fn per_us(d: Duration, n: u32) -> f64 {
    d.as_secs_f64() * 1e6 / f64::from(n)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("status: benchmark");
        }
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let public = key.public_key().clone();

    // Floor: one ring ES256 verification of a JWS-sized message.
    let msg = vec![7u8; 200];
    let sig = Signer::sign(&key, &msg).unwrap();
    let ring_pub = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        public.raw().to_vec(),
    );
    let n = 2_000u32;
    let floor = median(
        || {
            let t = Instant::now();
            for _ in 0..n {
                black_box(ring_pub.verify(&msg, &sig)).unwrap();
            }
            t.elapsed()
        },
        5,
    );
    let floor_us = per_us(floor, n);

    // A 1 000 000-entry 2-bit list, 1 % revoked, as a signed JWT.
    let mut list = StatusList::new(StatusBits::from_bits(2).unwrap(), 1_000_000).unwrap();
    for i in (0..1_000_000).step_by(97) {
        list.set(i, 1).unwrap();
    }
    let claims = StatusListClaims::new(URI, NOW - 60, list);
    let jwt = sign_status_list_jwt(&claims, &key, None, &[]).unwrap();

    // Cold: an SD-JWT VC verified with its status checked against the list
    // as fetched (credential signature + list signature + inflate + read),
    // against two ES256 verifications.
    let credential = {
        let c = serde_json::json!({"iss": "https://issuer.example", "vct": "urn:x",
            "status": {"status_list": {"idx": 9_973, "uri": URI}}});
        SdJwtVcIssuer::new(&key)
            .with_max_decoys(0)
            .issue(
                c.as_object().unwrap(),
                &Disclosable::All,
                None,
                UnixTime::from_secs(NOW),
            )
            .unwrap()
    };
    let mut trust = TrustStore::new();
    trust.add_issuer_key(public.clone(), Some("https://issuer.example"), None);
    let verifier = Verifier::new(trust, Policy::default());
    let mut lists = StatusLists::new();
    lists
        .add(jwt.clone().into_bytes(), UnixTime::from_secs(NOW))
        .unwrap();
    let expect = Expectations::at(UnixTime::from_secs(NOW)).status_lists(lists);
    let plain = Expectations::at(UnixTime::from_secs(NOW));
    assert!(matches!(
        verifier
            .verify(credential.as_bytes(), &expect)
            .unwrap()
            .status(),
        Status::Valid(_)
    ));
    let n = 50u32;
    let cold = median(
        || {
            let t = Instant::now();
            for _ in 0..n {
                black_box(verifier.verify(credential.as_bytes(), &expect).unwrap());
            }
            t.elapsed()
        },
        5,
    );
    let cold_us = per_us(cold, n);
    let without = median(
        || {
            let t = Instant::now();
            for _ in 0..n {
                black_box(verifier.verify(credential.as_bytes(), &plain).unwrap());
            }
            t.elapsed()
        },
        5,
    );
    let without_us = per_us(without, n);
    let parsed = UnverifiedStatusListJwt::parse(&jwt).unwrap();
    // Warm: one read from the decoded list.
    let decoded = parsed.claims().list().clone();
    let n = 1_000_000u32;
    let warm = median(
        || {
            let t = Instant::now();
            for i in 0..n {
                black_box(decoded.get(u64::from(i)).unwrap());
            }
            t.elapsed()
        },
        5,
    );
    let warm_us = per_us(warm, n);

    // The decoded-size cap: 64 KB of zlib that inflates to 64 MiB.
    let bomb = compression::zlib_compress(&vec![0u8; 64 * 1024 * 1024]);
    let bomb_runs = 5u32;
    let capped = median(
        || {
            let t = Instant::now();
            for _ in 0..bomb_runs {
                let e = StatusList::from_compressed(StatusBits::from_bits(1).unwrap(), &bomb)
                    .unwrap_err();
                assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
            }
            t.elapsed()
        },
        3,
    );

    // Allocations on SQLite, against one fsync.
    let dir = std::env::temp_dir().join(format!("passerelle-status-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut f = std::fs::File::create(dir.join("floor")).unwrap();
    let page = vec![0u8; 4096];
    let t = Instant::now();
    for _ in 0..200 {
        f.write_all(&page).unwrap();
        f.sync_data().unwrap();
    }
    let fsync_us = per_us(t.elapsed(), 200);
    let store = SqliteStatusStore::open(&dir.join("s.db")).unwrap();
    let issuer = StatusListIssuer::new(&store);
    issuer.create(URI, 1, 1_000_000).unwrap();
    let n = 2_000u32;
    let t = Instant::now();
    for _ in 0..n {
        black_box(issuer.allocate(URI).unwrap());
    }
    let alloc_us = per_us(t.elapsed(), n);

    println!("| status workload | time | floor | ratio |");
    println!("|---|---|---|---|");
    println!("| ring ES256 verify | {floor_us:.1} µs | | |");
    println!(
        "| SD-JWT VC verify without status (floor 1 verify) | {without_us:.0} µs | {floor_us:.1} µs | {:.2} |",
        without_us / floor_us
    );
    println!(
        "| SD-JWT VC verify + status, cold (list of 1 000 000 2-bit entries: parse, signature, inflate 250 KB, one read) | {cold_us:.0} µs | 2 verify = {:.1} µs | {:.2} |",
        2.0 * floor_us,
        cold_us / (2.0 * floor_us)
    );
    println!(
        "| lookup, warm (decoded list kept, one read) | {:.3} µs | — | — |",
        warm_us
    );
    println!(
        "| decoded-size cap hit ({} KB stream, 64 MiB of zeros; stops at 16 MiB) | {:.1} ms | — | — |",
        bomb.len() / 1024,
        capped.as_secs_f64() * 1e3 / f64::from(bomb_runs)
    );
    println!(
        "| SQLite allocation (one process; counter + record, two commits) | {alloc_us:.0} µs = {:.0}/s | 1 fsync = {fsync_us:.0} µs | {:.1} |",
        1e6 / alloc_us,
        alloc_us / fsync_us
    );
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("PASSERELLE_PG_URL") {
        let store = PgStatusStore::connect(&url).unwrap();
        let uri = format!("{URI}/pg-{}", std::process::id());
        StatusListIssuer::new(&store)
            .create(&uri, 1, 1_000_000)
            .unwrap();
        let per_thread = 2_500u32;
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..4 {
                let (url, uri) = (url.clone(), uri.clone());
                s.spawn(move || {
                    let store = PgStatusStore::connect(&url).unwrap();
                    let issuer = StatusListIssuer::new(&store);
                    for _ in 0..per_thread {
                        black_box(issuer.allocate(&uri).unwrap());
                    }
                });
            }
        });
        let total = per_thread * 4;
        println!(
            "| PostgreSQL allocations, 4 connections | {:.0}/s | — | — |",
            f64::from(total) / t.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
