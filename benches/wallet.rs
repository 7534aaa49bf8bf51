//! The wallet on its store: add 1 000 SD-JWT VC PIDs (verified on receipt,
//! holder key proven and sealed: per-credential cost), `dcql match` and
//! `present` (DCQL → vp_token with a KB-JWT) against the 1 000, against the
//! floor measured in the same run: one fsync per durable write, ES256
//! verify/sign for the signatures a step cannot avoid. Prints a table.
//!
//! `cargo bench -p passerelle-bench --bench wallet`

use passerelle::*;
use std::hint::black_box;
use std::time::Instant;

const NOW: u64 = 1_790_000_000;
const ISS: &str = "https://pid-provider.example";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("wallet: benchmark");
        }
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let now = UnixTime::from_secs(NOW);
    let dir = std::env::temp_dir().join(format!("passerelle-wallet-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(issuer.public_key().clone(), Some(ISS), None);
    let verifier = Verifier::new(trust, Policy::default());
    let key = || -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
        Ok(zeroize::Zeroizing::new([3; 32]))
    };
    let store = CredentialStore::open(dir.join("w.db"), &key, StoreOptions::new()).unwrap();
    let mut wallet = Wallet::new(store, verifier.clone());
    // floors
    let msg = [1u8; 100];
    let t = Instant::now();
    for _ in 0..200 {
        black_box(Signer::sign(&issuer, &msg).unwrap());
    }
    let sign_us = t.elapsed().as_secs_f64() * 1e6 / 200.0;
    let creds: Vec<(String, PrivateKey)> = (0..1000)
        .map(|i| {
            let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
            let mut c = passerelle::examples::eu_pid_claims(ISS);
            if i % 2 == 1 {
                c.insert("vct".into(), serde_json::json!("urn:example:other:1"));
            }
            let sd = SdJwtVcIssuer::new(&issuer)
                .issue(&c, &Disclosable::All, Some(holder.public_key()), now)
                .unwrap();
            (sd, holder)
        })
        .collect();
    let t = Instant::now();
    for (sd, k) in creds {
        black_box(wallet.add(sd.as_bytes(), Some(k), now).unwrap());
    }
    let add_us = t.elapsed().as_secs_f64() * 1e6 / 1000.0;
    let query = DcqlQuery::parse(
        serde_json::json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:pid:1"]},
            "claims": [{"path": ["given_name"]}, {"path": ["address", "locality"]}]}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let t = Instant::now();
    let (_, m) = wallet.match_dcql(&query).unwrap();
    let match_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(m.matches("pid").len(), 500);
    let request = OpenId4VpRequest {
        client_id: "x509_san_dns:rp.example",
        nonce: "n",
        response_uri: "https://rp.example/r",
        jwk_thumbprint: None,
    };
    let t = Instant::now();
    black_box(wallet.present_dcql(&query, &request, now).unwrap());
    let present_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("| wallet workload (1 000 PIDs, SD-JWT VC) | time | floor | ratio |");
    println!("|---|---|---|---|");
    println!("| ES256 sign | {sign_us:.1} µs | | |");
    println!(
        "| add, per credential (verify, KB self-check, seal, two commits) | {add_us:.0} µs | | |"
    );
    println!("| dcql match against 1 000 (500 of the queried type: decrypt + parse those) | {match_ms:.1} ms | | |");
    println!("| present against 1 000 (match + one KB-JWT) | {present_ms:.1} ms | 1 sign = {sign_us:.1} µs | {:.0} |", present_ms * 1e3 / sign_us);
    let _ = std::fs::remove_dir_all(&dir);
}
