//! Every named limit of `passerelle::limits`, just below or at it (accepted)
//! and one past it (`LimitExceeded`), through the public verifier.
//! (MAX_JSON_DEPTH and MAX_DISCLOSURE_DEPTH at the limit are in the unit tests;
//! MAX_CHAIN_CERTS and MAX_CERT_BYTES in src/trust/x509_tests.rs.)

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
    assert_eq!(kind(v.verify(t.as_bytes(), &fx.expect())), "valid");
    let past = "k".repeat(MAX_KID_BYTES + 1);
    let t = fx.sd(
        &fx.jws(
            &json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": past}),
            &fx.payload(),
        ),
        &[],
    );
    assert_eq!(kind(v.verify(t.as_bytes(), &fx.expect())), "limit_exceeded");
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
    // The whole presentation at exactly MAX_SD_JWT_BYTES verifies; one byte more does not.
    let fx = Fx::new();
    let make = |pad: usize| {
        let mut p = fx.payload();
        p["pad"] = json!("q".repeat(pad));
        fx.sd(&fx.jws(&fx.header(), &p), &[])
    };
    let probe = make(0).len();
    // each 3 payload bytes add 4 characters; search the pad that lands exactly on the limit
    let mut pad = (MAX_SD_JWT_BYTES - probe) * 3 / 4;
    let mut t = make(pad);
    while t.len() > MAX_SD_JWT_BYTES {
        pad -= 1;
        t = make(pad);
    }
    while t.len() < MAX_SD_JWT_BYTES {
        // ES256 signatures are fixed length, so only the payload varies; grow a kid to fill
        let missing = MAX_SD_JWT_BYTES - t.len();
        let mut p = fx.payload();
        p["pad"] = json!("q".repeat(pad));
        let h = json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": "k1", "f": "f".repeat(missing * 3 / 4)});
        let cand = fx.sd(&fx.jws(&h, &p), &[]);
        if cand.len() <= MAX_SD_JWT_BYTES && cand.len() > t.len() {
            t = cand;
        } else {
            pad -= 1;
            t = make(pad);
        }
        if missing < 4 {
            break;
        }
    }
    assert!(
        t.len() <= MAX_SD_JWT_BYTES && t.len() > MAX_SD_JWT_BYTES - 4,
        "{}",
        t.len()
    );
    assert_eq!(kind(fx.verify(&t)), "valid");
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
