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
    passerelle::examples::ca_person_credential(ISSUER)
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
pub fn forge(
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

pub fn es256_protected() -> HeaderBuilder {
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
    spec_cose_example_is_refused("ex07-vc-cose");
}

#[test]
fn the_other_spec_cose_examples_carry_the_same_mismatch_and_are_refused() {
    // ex10 and ex11 have the same protected header as ex07 ({1: -35}, no typ,
    // no content type, no kid) over a 64-byte P-256 signature
    spec_cose_example_is_refused("ex10-revocable-multi-subject");
    spec_cose_example_is_refused("ex11-credential-with-schema");
}

fn spec_cose_example_is_refused(example: &str) {
    let hex = vector(&format!("w3c-vc-jose-cose/{example}/secured.cose.hex"));
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap())
        .collect();
    let jwk = vector("w3c-vc-jose-cose/recovered_issuer_public_key.jwk.json");
    let unsecured: Value = serde_json::from_str(&vector(&format!(
        "w3c-vc-jose-cose/{example}/unsecured.json"
    )))
    .unwrap();
    // the payload is exactly the example's unsecured credential
    let parsed = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    let payload: Value = serde_json::from_slice(parsed.payload.as_ref().unwrap()).unwrap();
    assert_eq!(payload, unsecured, "{example}");
    assert_eq!(parsed.signature.len(), 64, "{example}");
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
    assert_eq!(e.kind(), ErrorKind::Signature, "{example}: {e}");
    assert!(e.to_string().contains("ES384"), "{example}: {e}");
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
    let mut c = passerelle::examples::ca_person_credential(&did);
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

#[test]
fn typ_and_content_type_of_the_wrong_shape_or_bucket_are_malformed() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let v = verifier(&key);
    let payload = Value::Object(vc()).to_string().into_bytes();
    let alg_only = || HeaderBuilder::new().algorithm(iana::Algorithm::ES256);
    let cases = [
        // a wrong typ in the unprotected bucket
        (
            alg_only().build(),
            HeaderBuilder::new()
                .value(16, ciborium::Value::Text("application/vc+jwt".into()))
                .build(),
        ),
        // typ as a CoAP content-format number (RFC 9596 allows it; no number is registered for vc+cose)
        (
            alg_only()
                .value(16, ciborium::Value::Integer(50.into()))
                .build(),
            HeaderBuilder::new().build(),
        ),
        // content type as a CoAP number
        (
            alg_only()
                .content_format(iana::CoapContentFormat::Json)
                .build(),
            HeaderBuilder::new().build(),
        ),
    ];
    for (i, (protected, unprotected)) in cases.into_iter().enumerate() {
        let bytes = forge(
            &key,
            protected,
            unprotected,
            Some(payload.clone()),
            &payload,
        );
        assert_eq!(
            kind(v.verify_vc_cose(&bytes, &expect())),
            "malformed",
            "case {i}"
        );
    }
    // typ and content type are optional (the spec's own examples carry neither)
    let bytes = forge(
        &key,
        alg_only().build(),
        HeaderBuilder::new().build(),
        Some(payload.clone()),
        &payload,
    );
    assert_eq!(kind(v.verify_vc_cose(&bytes, &expect())), "valid");
}

#[test]
fn an_empty_trust_store_trusts_no_issuer() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let cose = VcIssuer::new(&key).issue_cose(&vc()).unwrap();
    let e = Verifier::new(TrustStore::new(), Policy::default())
        .verify_vc_cose(&cose, &expect())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

/// The key that signed is bound to one issuer, the credential names another
/// trusted issuer: refused whichever way the key is looked up. The lookup is
/// the one verify_vc_jwt uses, so the kinds are the same for `vc+jwt`.
#[test]
fn a_key_bound_to_one_issuer_cannot_sign_for_another() {
    let key_a = PrivateKey::generate(Algorithm::Es256).unwrap();
    let key_b = PrivateKey::generate(Algorithm::Es256).unwrap();
    const A: &str = "https://a.example";
    const B: &str = "https://b.example";
    let mut c = vc();
    c.insert("issuer".into(), json!(B));
    // configured keys with kids: A's kid is not one of B's keys
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key_a.public_key().clone(), Some(A), Some("a"));
    trust.add_issuer_key(key_b.public_key().clone(), Some(B), Some("b"));
    let v = Verifier::new(trust, Policy::default());
    let cose = VcIssuer::new(&key_a).with_kid("a").issue_cose(&c).unwrap();
    assert_eq!(kind(v.verify_vc_cose(&cose, &expect())), "untrusted");
    // claiming B's kid selects B's key, which did not sign
    let cose = VcIssuer::new(&key_a).with_kid("b").issue_cose(&c).unwrap();
    assert_eq!(kind(v.verify_vc_cose(&cose, &expect())), "signature");
    // without kids: B's key is the only candidate for B
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key_a.public_key().clone(), Some(A), None);
    trust.add_issuer_key(key_b.public_key().clone(), Some(B), None);
    let v = Verifier::new(trust, Policy::default());
    let cose = VcIssuer::new(&key_a).issue_cose(&c).unwrap();
    assert_eq!(kind(v.verify_vc_cose(&cose, &expect())), "signature");
    // the same credential as vc+jwt: the same kind
    let jwt = VcIssuer::new(&key_a).issue_jwt(&c).unwrap();
    assert_eq!(kind(v.verify(jwt.as_bytes(), &expect())), "signature");
    // DID issuers: a kid naming A's DID does not resolve in B's DID document
    let did_a = passerelle::did_key(key_a.public_key());
    let did_b = passerelle::did_key(key_b.public_key());
    let mut c = vc();
    c.insert("issuer".into(), json!(did_b));
    let mut trust = TrustStore::new();
    trust.add_did(&did_a).unwrap();
    trust.add_did(&did_b).unwrap();
    let v = Verifier::new(trust, Policy::default());
    let kid_a = format!("{did_a}#{}", did_a.trim_start_matches("did:key:"));
    let cose = VcIssuer::new(&key_a)
        .with_kid(&kid_a)
        .issue_cose(&c)
        .unwrap();
    assert_eq!(kind(v.verify_vc_cose(&cose, &expect())), "untrusted");
}

struct Pki {
    ca: passerelle::Certificate,
    leaf_key: PrivateKey,
    leaf: passerelle::Certificate,
}

fn pki() -> Pki {
    let nb = UnixTime::from_secs(NOW - 86_400);
    let na = UnixTime::from_secs(NOW + 86_400 * 365);
    let ca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ca = CertificateBuilder::new("VC COSE Test CA")
        .validity(nb, na)
        .ca(Some(0))
        .self_signed(&ca_key)
        .unwrap();
    let leaf_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let leaf = CertificateBuilder::new("VC COSE Test Issuer")
        .validity(nb, na)
        .end_entity()
        .uri(ISSUER)
        .issued_by(&ca, &ca_key, leaf_key.public_key())
        .unwrap();
    Pki { ca, leaf_key, leaf }
}

#[test]
fn x5chain_to_a_configured_anchor() {
    let p = pki();
    let mut trust = TrustStore::new();
    trust.add_anchor_der(p.ca.der()).unwrap();
    let v = Verifier::new(trust, Policy::default());
    let with_chain = |c: &Map<String, Value>, leaf: &passerelle::Certificate| {
        let payload = Value::Object(c.clone()).to_string().into_bytes();
        let protected = es256_protected()
            .value(33, ciborium::Value::Bytes(leaf.der().to_vec()))
            .build();
        forge(
            &p.leaf_key,
            protected,
            HeaderBuilder::new().build(),
            Some(payload.clone()),
            &payload,
        )
    };
    // the leaf alone (a bstr), its SAN URI is the credential's issuer
    let r = v
        .verify_vc_cose(&with_chain(&vc(), &p.leaf), &expect())
        .unwrap();
    assert!(
        matches!(r.issuer().trust(), TrustBasis::X509 { .. }),
        "{:?}",
        r.issuer().trust()
    );
    assert_eq!(r.issuer().id(), ISSUER);
    // an array of one certificate: RFC 9360's CDDL makes one certificate a
    // bare bstr; real issuers send [bstr] and it is accepted (COSE-09)
    let payload = Value::Object(vc()).to_string().into_bytes();
    let arr = es256_protected()
        .value(
            33,
            ciborium::Value::Array(vec![ciborium::Value::Bytes(p.leaf.der().to_vec())]),
        )
        .build();
    let bytes = forge(
        &p.leaf_key,
        arr,
        HeaderBuilder::new().build(),
        Some(payload.clone()),
        &payload,
    );
    assert_eq!(kind(v.verify_vc_cose(&bytes, &expect())), "valid");
    // a credential naming another issuer than the certificate (VC-03)
    let mut other = vc();
    other.insert("issuer".into(), json!("https://b.example"));
    assert_eq!(
        kind(v.verify_vc_cose(&with_chain(&other, &p.leaf), &expect())),
        "untrusted"
    );
    // a self-signed leaf that is not an anchor (VC-05)
    let lone_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let lone = CertificateBuilder::new("Lone")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400),
        )
        .end_entity()
        .uri(ISSUER)
        .self_signed(&lone_key)
        .unwrap();
    let payload = Value::Object(vc()).to_string().into_bytes();
    let protected = es256_protected()
        .value(33, ciborium::Value::Bytes(lone.der().to_vec()))
        .build();
    let bytes = forge(
        &lone_key,
        protected,
        HeaderBuilder::new().build(),
        Some(payload.clone()),
        &payload,
    );
    assert_eq!(kind(v.verify_vc_cose(&bytes, &expect())), "untrusted");
    // a DID issuer with an x5chain: one key source per credential (VC-06)
    let mut did_issued = vc();
    did_issued.insert(
        "issuer".into(),
        json!(passerelle::did_key(p.leaf_key.public_key())),
    );
    assert_eq!(
        kind(v.verify_vc_cose(&with_chain(&did_issued, &p.leaf), &expect())),
        "policy"
    );
}

/// CWT Claims in the protected header (RFC 9597, VC-JOSE-COSE §3.3.3): `iss`
/// must match the credential's `issuer` (VC-JOSE-COSE §4.1.2), `exp`/`nbf`
/// bound the signature's lifetime.
#[test]
fn cwt_claims_in_the_protected_header_are_checked_after_the_signature() {
    use ciborium::Value as C;
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let v = verifier(&key);
    let payload = Value::Object(vc()).to_string().into_bytes();
    let int = |n: u64| C::Integer(n.into());
    let claims = |entries: Vec<(C, C)>| C::Map(entries);
    let run = |protected_cwt: Option<C>, unprotected_cwt: Option<C>, signed: &[u8]| {
        let mut p = es256_protected();
        if let Some(c) = protected_cwt {
            p = p.value(15, c);
        }
        let mut u = HeaderBuilder::new();
        if let Some(c) = unprotected_cwt {
            u = u.value(15, c);
        }
        kind(v.verify_vc_cose(
            &forge(&key, p.build(), u.build(), Some(payload.clone()), signed),
            &expect(),
        ))
    };
    let iss = |s: &str| (int(1), C::Text(s.into()));
    let cases: Vec<(&str, Option<C>, Option<C>, &str)> = vec![
        ("iss agrees", Some(claims(vec![iss(ISSUER)])), None, "valid"),
        (
            "iss, exp in the future, iat, nbf past, a text-named and an unknown claim",
            Some(claims(vec![
                iss(ISSUER),
                (int(4), int(NOW + 3600)),
                (int(5), int(NOW - 3600)),
                (int(6), int(NOW - 3600)),
                (C::Text("x".into()), C::Bool(true)),
                (int(99), C::Null),
            ])),
            None,
            "valid",
        ),
        (
            "iss differs from issuer",
            Some(claims(vec![iss("https://other.example")])),
            None,
            "malformed",
        ),
        (
            "iss not text",
            Some(claims(vec![(int(1), int(7))])),
            None,
            "malformed",
        ),
        (
            "exp passed",
            Some(claims(vec![(int(4), int(NOW - 3600))])),
            None,
            "expired",
        ),
        (
            "nbf in the future",
            Some(claims(vec![(int(5), int(NOW + 3600))])),
            None,
            "not_yet_valid",
        ),
        (
            "exp as a float",
            Some(claims(vec![(int(4), C::Float(1_790_003_600.0))])),
            None,
            "malformed",
        ),
        (
            "iat negative",
            Some(claims(vec![(int(6), C::Integer((-1).into()))])),
            None,
            "malformed",
        ),
        ("not a map", Some(C::Array(vec![])), None, "malformed"),
        (
            "in the unprotected bucket",
            None,
            Some(claims(vec![iss(ISSUER)])),
            "malformed",
        ),
    ];
    for (name, protected, unprotected, want) in cases {
        assert_eq!(run(protected, unprotected, &payload), want, "{name}");
    }
    // the signature is checked before any claim: a disagreeing iss over a bad
    // signature is a Signature failure
    assert_eq!(
        run(
            Some(claims(vec![iss("https://other.example")])),
            None,
            b"something else"
        ),
        "signature"
    );
}
