//! The C ABI's call overhead, in instruction counts (run by hand through
//! `benches/callgrind.sh`, not a test). `ffi_callgrind WORKLOAD ITERS` runs
//! the workload once to warm up, then `ITERS` times inside `measured`, the
//! only function callgrind collects.
//!
//! - `ffi/verify_sd_jwt_10_kb`: `passerelle_verify` of an SD-JWT VC with 10
//!   disclosures and a KB-JWT, through the C ABI (handle lookup, C strings
//!   in, the result JSON out, `passerelle_string_free`);
//! - `ffi/lib_verify_sd_jwt_10_kb`: the same verification through the Rust
//!   API, with the result rendered as the same JSON text: the difference is
//!   what the C boundary costs.
//!
//! `--workloads` lists them; without arguments (as `cargo bench` and `cargo
//! test --benches` run it) it does nothing.

use passerelle::{
    Algorithm, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    SdJwtVcIssuer, TrustStore, UnixTime, Verifier,
};
use passerelle_ffi::*;
use std::ffi::{c_char, CString};

const AT: u64 = 1_790_000_000;

struct Fixture {
    vp: Vec<u8>,
    handle: passerelle_verifier,
    verifier: Verifier,
    nonce: CString,
    aud: CString,
}

fn fixture() -> Fixture {
    let now = UnixTime::from_secs(AT);
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iss = "https://pid.example.de";
    let pid = passerelle::examples::eu_pid_claims(iss);
    // the workload of benches/ (w3/verify_10_kb): the 20 top-level claims
    // disclosable, no decoys, the first 10 presented
    let paths: Vec<ClaimPath> = pid
        .keys()
        .filter(|k| !["iss", "vct"].contains(&k.as_str()))
        .map(|k| ClaimPath::from_segments([k.as_str()]))
        .collect();
    let issued = SdJwtVcIssuer::new(&issuer)
        .with_max_decoys(0)
        .issue(
            &pid,
            &Disclosable::Paths(paths.clone()),
            Some(holder.public_key()),
            now,
        )
        .unwrap();
    let held = HeldSdJwt::parse(&issued).unwrap();
    let ten: Vec<ClaimPath> = paths[..10].to_vec();
    let vp = held
        .present(
            &ten,
            Some(KeyBinding {
                signer: &holder,
                nonce: "n-1",
                audience: "https://rp.example",
                iat: now,
            }),
        )
        .unwrap();
    let mut jwk: serde_json::Value = serde_json::from_str(&issuer.public_key().to_jwk()).unwrap();
    jwk["iss"] = iss.into();
    let trust_json = serde_json::json!({ "issuers": [jwk] }).to_string();
    let mut handle = 0;
    let t = CString::new(trust_json.clone()).unwrap();
    assert_eq!(
        passerelle_verifier_new(t.as_ptr(), std::ptr::null(), AT, &mut handle),
        passerelle_result::PASSERELLE_OK
    );
    let verifier = Verifier::new(
        TrustStore::from_json(&trust_json, now).unwrap(),
        Policy::default(),
    );
    Fixture {
        vp: vp.into_bytes(),
        handle,
        verifier,
        nonce: CString::new("n-1").unwrap(),
        aud: CString::new("https://rp.example").unwrap(),
    }
}

fn run(f: &Fixture, id: &str) {
    match id {
        "ffi/verify_sd_jwt_10_kb" => {
            let mut out: *mut c_char = std::ptr::null_mut();
            let r = passerelle_verify(
                f.handle,
                f.vp.as_ptr(),
                f.vp.len(),
                AT,
                f.nonce.as_ptr(),
                f.aud.as_ptr(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                &mut out,
            );
            assert_eq!(r, passerelle_result::PASSERELLE_OK);
            passerelle_string_free(out);
        }
        "ffi/lib_verify_sd_jwt_10_kb" => {
            let expect = Expectations::at(UnixTime::from_secs(AT))
                .nonce("n-1")
                .audience("https://rp.example");
            let r = f.verifier.verify(&f.vp, &expect).unwrap();
            let mut j = r.to_json();
            j["valid"] = true.into();
            std::hint::black_box(j.to_string());
        }
        other => panic!("unknown workload {other}"),
    }
}

const WORKLOADS: &[(&str, &str)] = &[
    (
        "ffi/verify_sd_jwt_10_kb",
        "C ABI: passerelle_verify, SD-JWT VC 10 disclosures + KB-JWT, result JSON",
    ),
    (
        "ffi/lib_verify_sd_jwt_10_kb",
        "the same through the Rust API, result rendered as the same JSON",
    ),
];

#[inline(never)]
fn measured(f: &Fixture, id: &str, iters: u32) {
    for _ in 0..iters {
        run(f, id);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("ffi_callgrind: benchmark");
        }
        return;
    }
    if args.iter().any(|a| a == "--workloads") {
        for (id, desc) in WORKLOADS {
            println!("{id}\t0 2 38 0\t{desc}");
        }
        return;
    }
    let (Some(id), Some(iters)) = (args.first(), args.get(1)) else {
        return;
    };
    if id.starts_with("--") {
        return;
    }
    let iters: u32 = iters.parse().expect("ITERS is a number");
    let f = fixture();
    run(&f, id);
    measured(&f, id, iters);
}
