//! Every named limit of `passerelle::limits`, just below or at it (accepted)
//! and one past it (`LimitExceeded`), through the public verifier.
//! (MAX_JSON_DEPTH and MAX_DISCLOSURE_DEPTH at the limit are in the unit tests;
//! MAX_CHAIN_CERTS and MAX_CERT_BYTES in src/trust/x509_tests.rs; MAX_STATUS_LIST_DECODED_BYTES,
//! MAX_STATUS_LIST_ENCODED_BYTES and MAX_BITSTRING_STATUS_SIZE in tests/status.rs;
//! MAX_STORED_CREDENTIAL_BYTES and MAX_STORE_FIELD_BYTES in src/store/tests.rs.)

use crate::hostile::{b64, disc, Fx};
use passerelle::limits::*;
use passerelle::ErrorKind;
use serde_json::json;

fn kind(r: passerelle::Result<passerelle::VerificationResult>) -> String {
    match r {
        Ok(_) => "valid".into(),
        Err(e) => e.kind().as_str().into(),
    }
}

#[test]
fn disclosure_bytes() {
    let fx = Fx::new();
    // base64url of n bytes is ceil(4n/3) characters; n = 3/4 of the limit hits it exactly
    let make = |encoded_len: usize| {
        let raw = encoded_len * 3 / 4;
        let pad = "x".repeat(raw - r#"["s","k",""]"#.len());
        let (d, h) = disc(&format!(r#"["s","k","{pad}"]"#));
        assert_eq!(d.len(), encoded_len);
        let mut p = fx.payload();
        p["_sd"] = json!([h]);
        fx.sd(&fx.jws(&fx.header(), &p), &[&d])
    };
    assert_eq!(kind(fx.verify(&make(MAX_DISCLOSURE_BYTES))), "valid");
    assert_eq!(
        kind(fx.verify(&make(MAX_DISCLOSURE_BYTES + 4))),
        "limit_exceeded"
    );
}

#[test]
fn kid_bytes() {
    let fx = Fx::new();
    let mut trust = passerelle::TrustStore::new();
    let at = "k".repeat(MAX_KID_BYTES);
    trust.add_issuer_key(
        fx.issuer.public_key().clone(),
        Some("https://issuer.example"),
        Some(&at),
    );
    let v = passerelle::Verifier::new(trust, passerelle::Policy::default());
    let t = fx.sd(
        &fx.jws(
            &json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": at}),
            &fx.payload(),
        ),
        &[],
    );
    assert_eq!(kind(v.verify(t.as_bytes(), &fx.bearer())), "valid");
    let past = "k".repeat(MAX_KID_BYTES + 1);
    let t = fx.sd(
        &fx.jws(
            &json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": past}),
            &fx.payload(),
        ),
        &[],
    );
    assert_eq!(kind(v.verify(t.as_bytes(), &fx.bearer())), "limit_exceeded");
}

#[test]
fn header_bytes() {
    let fx = Fx::new();
    let make = |encoded_len: usize| {
        let base = r#"{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","x":""}"#.len();
        let raw = encoded_len * 3 / 4;
        let h = format!(
            r#"{{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","x":"{}"}}"#,
            "p".repeat(raw - base)
        );
        assert_eq!(b64(&h).len(), encoded_len);
        format!(
            "{}~",
            Fx::jws_with(&fx.issuer, &h, &fx.payload().to_string())
        )
    };
    assert_eq!(kind(fx.verify(&make(MAX_JOSE_HEADER_BYTES))), "valid");
    assert_eq!(
        kind(fx.verify(&make(MAX_JOSE_HEADER_BYTES + 4))),
        "limit_exceeded"
    );
}

#[test]
fn sd_jwt_bytes() {
    // The whole presentation at MAX_SD_JWT_BYTES (within one character: base64
    // grows by one or two per byte) verifies; one byte more does not. The size
    // is carried by 40 large disclosures, each under MAX_DISCLOSURE_BYTES.
    let fx = Fx::new();
    const N: usize = 40;
    let make = |sizes: &[usize]| {
        let mut ds = Vec::new();
        let mut hs = Vec::new();
        for (i, k) in sizes.iter().enumerate() {
            let (d, h) = disc(&format!(r#"["s{i}","pad{i}","{}"]"#, "q".repeat(*k)));
            ds.push(d);
            hs.push(h);
        }
        let mut p = fx.payload();
        p["_sd"] = json!(hs);
        let refs: Vec<&str> = ds.iter().map(String::as_str).collect();
        fx.sd(&fx.jws(&fx.header(), &p), &refs)
    };
    let mut sizes = vec![0usize; N];
    let base = make(&sizes).len();
    let each = (MAX_SD_JWT_BYTES - base) / N * 3 / 4;
    sizes.iter_mut().for_each(|k| *k = each.saturating_sub(8));
    let mut t = make(&sizes);
    while t.len() < MAX_SD_JWT_BYTES - 1 {
        let step = ((MAX_SD_JWT_BYTES - t.len()) * 3 / 4).max(1);
        sizes[N - 1] += step;
        let cand = make(&sizes);
        if cand.len() > MAX_SD_JWT_BYTES {
            sizes[N - 1] -= step;
            break;
        }
        t = cand;
    }
    assert!(
        t.len() <= MAX_SD_JWT_BYTES && t.len() >= MAX_SD_JWT_BYTES - 1,
        "{}",
        t.len()
    );
    if let Err(e) = fx.verify(&t) {
        panic!("at the limit: {e}");
    }
    let over = format!("{t}{}", "A".repeat(MAX_SD_JWT_BYTES + 1 - t.len()));
    assert_eq!(over.len(), MAX_SD_JWT_BYTES + 1);
    assert_eq!(kind(fx.verify(&over)), "limit_exceeded");
}

#[test]
fn status_index() {
    let fx = Fx::new();
    let with = |idx: u64| {
        let mut p = fx.payload();
        p["status"] = json!({"status_list": {"idx": idx, "uri": "https://status.example/1"}});
        fx.sd(&fx.jws(&fx.header(), &p), &[])
    };
    assert_eq!(kind(fx.verify(&with(MAX_STATUS_INDEX))), "valid");
    let e = fx.verify(&with(MAX_STATUS_INDEX + 1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

// ---------------------------------------------------------------- mdoc

mod mdoc_limits {
    use crate::mdoc::pki;
    use passerelle::limits::*;
    use passerelle::*;
    use serde_json::{json, Map, Value};

    fn round_trip(
        elements: Value,
        decoys: usize,
        disclose_all: bool,
    ) -> passerelle::Result<Vec<VerificationResult>> {
        let p = pki();
        let device = PrivateKey::generate(Algorithm::Es256).unwrap();
        let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
            .with_decoys(decoys)
            .issue(
                DOCTYPE_MDL,
                elements.as_object().unwrap(),
                device.public_key(),
                p.now,
            )?;
        let held = HeldMdoc::parse(&issued)?;
        let all = held.elements();
        let pick: Vec<(&str, &str)> = all
            .iter()
            .take(if disclose_all { all.len() } else { 1 })
            .map(|(n, e)| (n.as_str(), e.as_str()))
            .collect();
        let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
        let resp = held.present(&pick, &t, &device)?;
        let mut trust = TrustStore::new();
        trust.add_iaca_der(p.iaca.der()).unwrap();
        Verifier::new(trust, Policy::default())
            .verify_device_response(&resp, &Expectations::at(p.now).session_transcript(t))
    }

    fn kind<T>(r: passerelle::Result<T>) -> String {
        match r {
            Ok(_) => "valid".into(),
            Err(e) => e.kind().as_str().into(),
        }
    }

    #[test]
    fn mso_digests_at_and_past_the_limit() {
        let one = json!({NAMESPACE_MDL: {"family_name": "Doe"}});
        assert_eq!(
            kind(round_trip(one.clone(), MAX_MSO_DIGESTS - 1, false)),
            "valid"
        );
        assert_eq!(
            kind(round_trip(one, MAX_MSO_DIGESTS, false)),
            "limit_exceeded"
        );
    }

    #[test]
    fn elements_at_and_past_the_limit() {
        let many = |n: usize| {
            let m: Map<String, Value> = (0..n).map(|i| (format!("e{i}"), json!(i))).collect();
            json!({NAMESPACE_MDL: m})
        };
        assert_eq!(kind(round_trip(many(MAX_MDOC_ELEMENTS), 0, true)), "valid");
        assert_eq!(
            kind(round_trip(many(MAX_MDOC_ELEMENTS + 1), 0, true)),
            "limit_exceeded"
        );
    }

    #[test]
    fn element_bytes_a_90_kb_portrait_passes_one_past_the_limit_does_not() {
        use base64::Engine;
        let portrait = |n: usize| json!({NAMESPACE_MDL: {"portrait": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![0xffu8; n])}});
        assert_eq!(kind(round_trip(portrait(90 * 1024), 0, true)), "valid");
        // the item is the portrait plus ~100 bytes of structure
        assert_eq!(
            kind(round_trip(portrait(MAX_MDOC_ELEMENT_BYTES - 200), 0, true)),
            "valid"
        );
        assert_eq!(
            kind(round_trip(portrait(MAX_MDOC_ELEMENT_BYTES), 0, true)),
            "limit_exceeded"
        );
        // MDOC-24: a 20 MB response is past the input limit before anything is parsed
        let mut huge = vec![0u8; 20 * 1024 * 1024];
        huge[0] = 0xa3;
        let e = Verifier::new(TrustStore::new(), Policy::default())
            .verify_device_response(&huge, &Expectations::at(UnixTime::from_secs(0)))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    }

    #[test]
    fn documents_at_and_past_the_limit() {
        let p = pki();
        let device = PrivateKey::generate(Algorithm::Es256).unwrap();
        let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
            .issue(
                DOCTYPE_MDL,
                json!({NAMESPACE_MDL: {"family_name": "Doe"}})
                    .as_object()
                    .unwrap(),
                device.public_key(),
                p.now,
            )
            .unwrap();
        let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
        let resp = HeldMdoc::parse(&issued)
            .unwrap()
            .present(&[(NAMESPACE_MDL, "family_name")], &t, &device)
            .unwrap();
        let mut v: ciborium::Value = ciborium::from_reader(resp.as_slice()).unwrap();
        let with_docs = |v: &mut ciborium::Value, n: usize| {
            let m = v.as_map_mut().unwrap();
            let docs = m
                .iter_mut()
                .find(|(k, _)| k.as_text() == Some("documents"))
                .unwrap();
            let one = docs.1.as_array().unwrap()[0].clone();
            docs.1 = ciborium::Value::Array(vec![one; n]);
            let mut out = Vec::new();
            ciborium::into_writer(v, &mut out).unwrap();
            out
        };
        let mut trust = TrustStore::new();
        trust.add_iaca_der(p.iaca.der()).unwrap();
        let verifier = Verifier::new(trust, Policy::default());
        let at = with_docs(&mut v, MAX_MDOC_DOCUMENTS);
        // parsed, then refused for holding one docType twice (MDOC-23)
        assert_eq!(
            kind(verifier.verify_device_response(&at, &Expectations::at(p.now))),
            "policy"
        );
        let past = with_docs(&mut v, MAX_MDOC_DOCUMENTS + 1);
        assert_eq!(
            kind(verifier.verify_device_response(&past, &Expectations::at(p.now))),
            "limit_exceeded"
        );
    }
}

/// Issue 8 interop point: a presentation of 10 000 disclosures of a
/// realistic size (about 1.2 MB) verifies, within bounds a verifier can
/// lower; one past a lowered bound is refused.
#[test]
fn ten_thousand_realistic_disclosures_verify_and_bounds_are_configurable() {
    let key = passerelle::PrivateKey::generate(passerelle::Algorithm::Es256).unwrap();
    let mut claims = serde_json::Map::new();
    claims.insert("iss".into(), json!("https://issuer.example"));
    claims.insert("vct".into(), json!("urn:x"));
    for i in 0..10_000 {
        claims.insert(
            format!("attribute_{i:05}"),
            json!(format!("value of attribute number {i:05}, some text")),
        );
    }
    let now = passerelle::UnixTime::from_secs(1_790_000_000);
    let sd = passerelle::SdJwtVcIssuer::new(&key)
        .with_max_decoys(0)
        .issue(&claims, &passerelle::Disclosable::All, None, now)
        .unwrap();
    assert!(sd.len() > 1_100_000, "{} bytes", sd.len());
    let mut trust = passerelle::TrustStore::new();
    trust.add_issuer_key(
        key.public_key().clone(),
        Some("https://issuer.example"),
        None,
    );
    let v = passerelle::Verifier::new(trust.clone(), passerelle::Policy::default());
    let r = v
        .verify(sd.as_bytes(), &passerelle::Expectations::at(now))
        .unwrap();
    assert_eq!(
        r.claims()["attribute_09999"],
        "value of attribute number 09999, some text"
    );
    use passerelle::limits::VerifierLimits;
    let small = passerelle::Verifier::new(trust.clone(), passerelle::Policy::default())
        .with_limits(VerifierLimits::default().max_presentation_bytes(sd.len() - 1));
    assert_eq!(
        kind(small.verify(sd.as_bytes(), &passerelle::Expectations::at(now))),
        "limit_exceeded"
    );
    let at = passerelle::Verifier::new(trust.clone(), passerelle::Policy::default()).with_limits(
        VerifierLimits::default()
            .max_presentation_bytes(sd.len())
            .max_disclosures(10_000),
    );
    assert_eq!(
        kind(at.verify(sd.as_bytes(), &passerelle::Expectations::at(now))),
        "valid"
    );
    let few = passerelle::Verifier::new(trust, passerelle::Policy::default())
        .with_limits(VerifierLimits::default().max_disclosures(9_999));
    assert_eq!(
        kind(few.verify(sd.as_bytes(), &passerelle::Expectations::at(now))),
        "limit_exceeded"
    );
}
