//! `vc+cose` (W3C VC-JOSE-COSE §3.3): issuance checked with coset (an
//! independent COSE implementation), verification, the spec's example, and one
//! negative test per check.

use crate::common::vector;
use coset::{iana, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use passerelle::*;
use serde_json::{json, Map, Value};

const ISSUER: &str = "https://issuer.example.ca";
const NOW: u64 = 1_790_000_000;

fn vc() -> Map<String, Value> {
    passerelle::ca_person_example(ISSUER)
}

fn verifier(key: &PrivateKey) -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some(ISSUER), None);
    Verifier::new(trust, Policy::default())
}

fn expect() -> Expectations {
    Expectations::at(UnixTime::from_secs(NOW))
}

fn kind(r: Result<VerificationResult>) -> String {
    match r {
        Ok(_) => "valid".into(),
        Err(e) => e.kind().as_str().into(),
    }
}

/// A COSE_Sign1 built by coset over `payload`, signed by `key`.
fn forge(
    key: &PrivateKey,
    protected: coset::Header,
    unprotected: coset::Header,
    payload: Option<Vec<u8>>,
    signed_payload: &[u8],
) -> Vec<u8> {
    let mut s = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .create_detached_signature(signed_payload, b"", |tbs| key.sign(tbs).unwrap())
        .build();
    s.payload = payload;
    s.to_tagged_vec().unwrap()
}

fn es256_protected() -> HeaderBuilder {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .value(16, ciborium::Value::Text("application/vc+cose".into()))
        .content_type("application/vc".into())
}

fn ring_verify(
    alg: Algorithm,
    key: &PublicKey,
    msg: &[u8],
    sig: &[u8],
) -> core::result::Result<(), String> {
    use ring::signature as rs;
    let a: &dyn rs::VerificationAlgorithm = match alg {
        Algorithm::Es256 => &rs::ECDSA_P256_SHA256_FIXED,
        Algorithm::Es384 => &rs::ECDSA_P384_SHA384_FIXED,
        _ => &rs::ED25519,
    };
    rs::UnparsedPublicKey::new(a, key.raw())
        .verify(msg, sig)
        .map_err(|_| "bad signature".to_owned())
}

#[test]
fn round_trip_each_algorithm_and_coset_reads_our_headers() {
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::EdDsa] {
        let key = PrivateKey::generate(alg).unwrap();
        let cose = VcIssuer::new(&key)
            .with_kid("k-1")
            .issue_cose(&vc())
            .unwrap();
        let parsed = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
        let p = &parsed.protected.header;
        assert_eq!(p.key_id, b"k-1".to_vec());
        assert_eq!(
            p.content_type,
            Some(coset::ContentType::Text("application/vc".into()))
        );
        assert!(p.rest.iter().any(|(l, v)| *l == coset::Label::Int(16)
            && *v == ciborium::Value::Text("application/vc+cose".into())));
        assert!(parsed.unprotected.is_empty());
        let payload: Value = serde_json::from_slice(parsed.payload.as_ref().unwrap()).unwrap();
        assert_eq!(payload, Value::Object(vc()));
        // coset checks our signature with ring directly
        parsed
            .verify_signature(b"", |sig, tbs| ring_verify(alg, key.public_key(), tbs, sig))
            .unwrap();
        let r = verifier(&key).verify(&cose, &expect()).unwrap();
        assert_eq!(r.format(), CredentialFormat::VcCose);
        assert_eq!(r.claims(), &Value::Object(vc()));
        assert_eq!(r.identity().to_json()["given_name"], "Marie");
    }
}

#[test]
fn the_spec_example_claims_es384_over_an_es256_signature_and_is_refused() {
    let hex = vector("w3c-vc-jose-cose/ex07-vc-cose/secured.cose.hex");
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap())
        .collect();
    let jwk = vector("w3c-vc-jose-cose/recovered_issuer_public_key.jwk.json");
    let unsecured: Value =
        serde_json::from_str(&vector("w3c-vc-jose-cose/ex07-vc-cose/unsecured.json")).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        PublicKey::from_jwk(&jwk).unwrap(),
        unsecured["issuer"]
            .as_str()
            .or(unsecured["issuer"]["id"].as_str()),
        None,
    );
    let e = Verifier::new(trust, Policy::default())
        .verify_vc_cose(&bytes, &expect())
        .unwrap_err();
    // alg -35 (ES384) names a P-384 signature; the key is P-256 and the
    // signature 64 bytes: refused as a signature failure, never reinterpreted
    assert_eq!(e.kind(), ErrorKind::Signature, "{e}");
}

#[test]
fn negative_checks_each_assert_their_kind() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let v = verifier(&key);
    let payload = Value::Object(vc()).to_string().into_bytes();
    let none = HeaderBuilder::new().build();
    let case = |bytes: Vec<u8>| kind(v.verify_vc_cose(&bytes, &expect()));
    // the well-formed baseline
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(payload.clone()),
            &payload
        )),
        "valid"
    );
    // typ or content type wrong
    let wrong_typ = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .value(16, ciborium::Value::Text("application/cose".into()))
        .build();
    assert_eq!(
        case(forge(
            &key,
            wrong_typ,
            none.clone(),
            Some(payload.clone()),
            &payload
        )),
        "malformed"
    );
    let wrong_cty = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type("application/json".into())
        .build();
    assert_eq!(
        case(forge(
            &key,
            wrong_cty,
            none.clone(),
            Some(payload.clone()),
            &payload
        )),
        "malformed"
    );
    // detached payload
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            None,
            &payload
        )),
        "malformed"
    );
    // alg only in the unprotected bucket
    let unprot_alg = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .build();
    assert_eq!(
        case(forge(
            &key,
            HeaderBuilder::new().build(),
            unprot_alg,
            Some(payload.clone()),
            &payload
        )),
        "malformed"
    );
    // one payload byte changed after signing
    let mut tampered = payload.clone();
    let pos = tampered.windows(5).position(|w| w == b"Marie").unwrap();
    tampered[pos] = b'N';
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(tampered),
            &payload
        )),
        "signature"
    );
    // payload not JSON, or JSON with a duplicate key
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(b"\xa1\x01\x02".to_vec()),
            b"\xa1\x01\x02"
        )),
        "malformed"
    );
    let dup = br#"{"issuer":"https://issuer.example.ca","issuer":"https://evil.example"}"#.to_vec();
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(dup.clone()),
            &dup
        )),
        "malformed"
    );
    // wrong @context
    let mut c = vc();
    c.insert(
        "@context".into(),
        json!(["https://www.w3.org/2018/credentials/v1"]),
    );
    let p2 = Value::Object(c).to_string().into_bytes();
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(p2.clone()),
            &p2
        )),
        "malformed"
    );
    // validUntil passed
    let mut c = vc();
    c.insert("validUntil".into(), json!("2026-02-01T00:00:00Z"));
    let p3 = Value::Object(c).to_string().into_bytes();
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none.clone(),
            Some(p3.clone()),
            &p3
        )),
        "expired"
    );
    // a signature by a key other than the issuer's, and a credential naming an issuer nobody trusts
    let stranger = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        case(forge(
            &stranger,
            es256_protected().build(),
            none.clone(),
            Some(payload.clone()),
            &payload
        )),
        "signature"
    );
    let mut c = vc();
    c.insert("issuer".into(), json!("https://other-issuer.example"));
    let p4 = Value::Object(c).to_string().into_bytes();
    assert_eq!(
        case(forge(
            &key,
            es256_protected().build(),
            none,
            Some(p4.clone()),
            &p4
        )),
        "untrusted"
    );
}

#[test]
fn did_key_issuer_with_kid_through_the_trust_store() {
    let key = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let did = passerelle::did_key(key.public_key());
    let kid = format!("{did}#{}", did.trim_start_matches("did:key:"));
    let mut c = passerelle::ca_person_example(&did);
    c.insert("issuer".into(), json!(did));
    let cose = VcIssuer::new(&key).with_kid(&kid).issue_cose(&c).unwrap();
    let mut trust = TrustStore::new();
    trust.add_did(&did).unwrap();
    let r = Verifier::new(trust, Policy::default())
        .verify(&cose, &expect())
        .unwrap();
    assert_eq!(r.issuer().id(), did);
    // a kid naming a method the DID does not have
    let bad = VcIssuer::new(&key)
        .with_kid(&format!("{did}#nope"))
        .issue_cose(&c)
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add_did(&did).unwrap();
    let e = Verifier::new(trust, Policy::default())
        .verify(&bad, &expect())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

#[test]
fn the_issuer_refuses_a_credential_that_fails_the_data_model() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut c = vc();
    c.remove("credentialSubject");
    assert_eq!(
        VcIssuer::new(&key).issue_cose(&c).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
}
