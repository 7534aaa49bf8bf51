//! W1–W3 for an EU PID SD-JWT VC with 20 disclosable claims, against the
//! cryptographic floor measured in the same run (ring ES256 sign and verify).
//!
//! After criterion's own output, prints a table of each workload's mean time and
//! its ratio to the signature operations it cannot avoid:
//!   issue   = 1 ES256 sign          present = 1 ES256 sign (the KB-JWT)
//!   verify  = 2 ES256 verifications (issuer JWT and KB-JWT)
//! and the same for an ISO 18013-5 mDL with 20 elements (10 disclosed with a
//! deviceSignature): issue = 1 sign, present = 1 sign, verify = 3 ES256
//! verifications (the document signer certificate, issuerAuth, the
//! deviceSignature).

use criterion::Criterion;
use passerelle::{
    Algorithm, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    SdJwtVcIssuer, Signer, TrustStore, UnixTime, Verifier,
};
use ring::signature::{self, KeyPair as _};
use serde_json::Value;
use std::hint::black_box;

const NOW: u64 = 1_790_000_000;

fn pid_claims() -> serde_json::Map<String, Value> {
    let mut c = passerelle::eu_pid_example("https://pid-provider.example");
    c.insert("birth_given_name".into(), "Erika".into());
    c.insert("resident_city".into(), "Köln".into());
    c
}

fn disclosable(c: &serde_json::Map<String, Value>) -> Vec<ClaimPath> {
    c.keys()
        .filter(|k| !["iss", "vct"].contains(&k.as_str()))
        .map(|k| ClaimPath::from_segments([k.as_str()]))
        .collect()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = pid_claims();
    let paths = disclosable(&claims);
    assert_eq!(paths.len(), 20);
    let sel = Disclosable::Paths(paths.clone());
    let now = UnixTime::from_secs(NOW);

    // the floor: ring directly
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
    let kp = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let msg = vec![0x61u8; 1200];
    let sig = kp.sign(&rng, &msg).unwrap();
    let pk = signature::UnparsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        kp.public_key().as_ref().to_vec(),
    );
    c.bench_function("floor/es256_sign", |b| {
        b.iter(|| kp.sign(&rng, black_box(&msg)).unwrap())
    });
    c.bench_function("floor/es256_verify", |b| {
        b.iter(|| pk.verify(black_box(&msg), sig.as_ref()).unwrap())
    });

    let iss = SdJwtVcIssuer::new(&issuer).with_max_decoys(0);
    c.bench_function("w1/issue_20", |b| {
        b.iter(|| {
            iss.issue(black_box(&claims), &sel, Some(holder.public_key()), now)
                .unwrap()
        })
    });
    let issued = iss
        .issue(&claims, &sel, Some(holder.public_key()), now)
        .unwrap();
    let held = HeldSdJwt::parse(&issued).unwrap();
    let ten: Vec<ClaimPath> = paths[..10].to_vec();
    let signer: &dyn Signer = &holder;
    let kb = || KeyBinding {
        signer,
        nonce: "n",
        audience: "https://rp.example",
        iat: now,
    };
    c.bench_function("w2/present_10_kb", |b| {
        b.iter(|| held.present(black_box(&ten), Some(kb())).unwrap())
    });
    let vp = held.present(&ten, Some(kb())).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        issuer.public_key().clone(),
        Some("https://pid-provider.example"),
        None,
    );
    let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let expect = Expectations::at(now)
        .nonce("n")
        .audience("https://rp.example");
    assert_eq!(
        verifier
            .verify(vp.as_bytes(), &expect)
            .unwrap()
            .claims()
            .as_object()
            .unwrap()
            .len(),
        10 + 4
    );
    c.bench_function("w3/verify_10_kb", |b| {
        b.iter(|| verifier.verify(black_box(vp.as_bytes()), &expect).unwrap())
    });
    // the Canadian person credential as vc+sd-jwt: all 10 subject claims disclosable, 5 presented
    let vc = passerelle::ca_person_example("https://issuer.example.ca");
    let vc_iss = passerelle::VcIssuer::new(&issuer).with_max_decoys(0);
    c.bench_function("w4/vc_issue", |b| {
        b.iter(|| {
            vc_iss
                .issue_sd_jwt(
                    black_box(&vc),
                    &Disclosable::All,
                    Some(holder.public_key()),
                    now,
                )
                .unwrap()
        })
    });
    let vc_issued = vc_iss
        .issue_sd_jwt(&vc, &Disclosable::All, Some(holder.public_key()), now)
        .unwrap();
    let vc_held = HeldSdJwt::parse(&vc_issued).unwrap();
    let five: Vec<ClaimPath> = vc_held.disclosable_paths().into_iter().take(5).collect();
    c.bench_function("w4/vc_present", |b| {
        b.iter(|| vc_held.present(black_box(&five), Some(kb())).unwrap())
    });
    let vc_vp = vc_held.present(&five, Some(kb())).unwrap();
    let mut vc_trust = TrustStore::new();
    vc_trust.add_issuer_key(
        issuer.public_key().clone(),
        Some("https://issuer.example.ca"),
        None,
    );
    let vc_verifier = Verifier::new(vc_trust, Policy::default().require_holder_binding(true));
    vc_verifier.verify(vc_vp.as_bytes(), &expect).unwrap();
    c.bench_function("w4/vc_verify", |b| {
        b.iter(|| {
            vc_verifier
                .verify(black_box(vc_vp.as_bytes()), &expect)
                .unwrap()
        })
    });
    mdoc_workloads(&mut c, now);
    c.final_summary();
    // Only a measuring run (`cargo bench`) prints the table; `--list` and `--test` stay quiet.
    if std::env::args().any(|a| a == "--bench") && !std::env::args().any(|a| a == "--list") {
        report();
    }
}

/// W5: an mDL with 20 elements (names, full-dates, age flags, a 10 KB
/// portrait, driving privileges), 10 disclosed with a deviceSignature.
fn mdoc_workloads(c: &mut Criterion, now: UnixTime) {
    use passerelle::{
        CertificateBuilder, HeldMdoc, MdocIssuer, SessionTranscript, DOCTYPE_MDL, NAMESPACE_MDL,
    };
    let iaca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iaca = CertificateBuilder::new("Bench IACA")
        .country("DE")
        .ca(Some(0))
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 3650),
        )
        .self_signed(&iaca_key)
        .unwrap();
    let ds_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ds = CertificateBuilder::new("Bench DS")
        .country("DE")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 400),
        )
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let portrait = "A".repeat(13_656); // 10 242 bytes
    let elements = serde_json::json!({NAMESPACE_MDL: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1964-08-12",
        "issue_date": "2024-01-15", "expiry_date": "2034-01-14", "issuing_country": "DE",
        "issuing_authority": "Kraftfahrt-Bundesamt", "document_number": "T22000129",
        "portrait": portrait, "un_distinguishing_sign": "D",
        "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "1982-05-01"},
                               {"vehicle_category_code": "AM", "issue_date": "1980-01-01"}],
        "age_over_18": true, "age_over_21": true, "age_over_65": false, "age_in_years": 62,
        "age_birth_year": 1964, "sex": 2, "height": 168, "eye_colour": "blue",
        "resident_city": "Köln"
    }});
    let elements = elements.as_object().unwrap();
    assert_eq!(elements[NAMESPACE_MDL].as_object().unwrap().len(), 20);
    let issuer = MdocIssuer::new(&ds_key, std::slice::from_ref(&ds)).with_decoys(0);
    c.bench_function("w5/mdoc_issue_20", |b| {
        b.iter(|| {
            issuer
                .issue(DOCTYPE_MDL, black_box(elements), device.public_key(), now)
                .unwrap()
        })
    });
    let held = HeldMdoc::parse(
        &issuer
            .issue(DOCTYPE_MDL, elements, device.public_key(), now)
            .unwrap(),
    )
    .unwrap();
    let all = held.elements();
    let ten: Vec<(&str, &str)> = all
        .iter()
        .filter(|(_, e)| e != "portrait")
        .take(10)
        .map(|(n, e)| (n.as_str(), e.as_str()))
        .collect();
    let t = SessionTranscript::openid4vp(
        "x509_san_dns:rp.example",
        "n",
        None,
        "https://rp.example/post",
    );
    c.bench_function("w5/mdoc_present_10", |b| {
        b.iter(|| held.present(black_box(&ten), &t, &device).unwrap())
    });
    let response = held.present(&ten, &t, &device).unwrap();
    let mut trust = TrustStore::new();
    trust.add_iaca_der(iaca.der()).unwrap();
    let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let expect = Expectations::at(now).session_transcript(t.clone());
    let r = verifier.verify(&response, &expect).unwrap();
    assert_eq!(
        r.claims()[DOCTYPE_MDL][NAMESPACE_MDL]
            .as_object()
            .unwrap()
            .len(),
        10
    );
    c.bench_function("w5/mdoc_verify_10", |b| {
        b.iter(|| verifier.verify(black_box(&response), &expect).unwrap())
    });
}

fn mean_ns(id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let p = format!(
        "{dir}/criterion/{}/new/estimates.json",
        id.replace('/', "_")
    );
    let p2 = format!("{dir}/criterion/{id}/new/estimates.json");
    let text = std::fs::read_to_string(&p)
        .or_else(|_| std::fs::read_to_string(&p2))
        .ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn report() {
    let (Some(sign), Some(verify)) = (mean_ns("floor/es256_sign"), mean_ns("floor/es256_verify"))
    else {
        eprintln!("(no criterion estimates found: ratios not printed)");
        return;
    };
    println!("\n| workload | mean | floor | ratio |");
    println!("|---|---|---|---|");
    println!("| ES256 sign (ring) | {:.1} µs | | |", sign / 1e3);
    println!("| ES256 verify (ring) | {:.1} µs | | |", verify / 1e3);
    for (id, name, floor, floor_name) in [
        ("w1/issue_20", "issue, 20 disclosable", sign, "1 sign"),
        ("w2/present_10_kb", "present 10 + KB-JWT", sign, "1 sign"),
        (
            "w3/verify_10_kb",
            "verify 10 + KB-JWT",
            2.0 * verify,
            "2 verify",
        ),
        (
            "w4/vc_issue",
            "vc+sd-jwt person credential: issue",
            sign,
            "1 sign",
        ),
        (
            "w4/vc_present",
            "vc+sd-jwt: present 5 + KB-JWT",
            sign,
            "1 sign",
        ),
        (
            "w4/vc_verify",
            "vc+sd-jwt: verify 5 + KB-JWT",
            2.0 * verify,
            "2 verify",
        ),
        (
            "w5/mdoc_issue_20",
            "mDL: issue, 20 elements",
            sign,
            "1 sign",
        ),
        (
            "w5/mdoc_present_10",
            "mDL: present 10 + deviceSignature",
            sign,
            "1 sign",
        ),
        (
            "w5/mdoc_verify_10",
            "mDL: verify 10 + chain + deviceSignature",
            3.0 * verify,
            "3 verify",
        ),
    ] {
        if let Some(m) = mean_ns(id) {
            println!(
                "| {name} | {:.1} µs | {floor_name} = {:.1} µs | {:.2} |",
                m / 1e3,
                floor / 1e3,
                m / floor
            );
        }
    }
}
