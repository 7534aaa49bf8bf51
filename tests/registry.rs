//! The trust registry: an issuer is accepted only for the credential types and
//! the period it is accredited for, and the result names the registry and level.

use crate::hostile::b64;
use passerelle::{
    Algorithm, ErrorKind, Expectations, Policy, PrivateKey, TrustRegistry, TrustStore, UnixTime,
    VcIssuer, Verifier,
};
use serde_json::{json, Value};

const NOW: u64 = 1_790_000_000; // 2026-09-21
const ISSUER: &str = "https://issuer.example.ca";

fn registry(key: &PrivateKey, auth: Value, status: &str) -> Value {
    let jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    json!({
        "registry": {"id": "https://registry.example.ca", "name": "Demo registry", "framework": "PCTF", "jurisdiction": "CA"},
        "entries": [{
            "entity_id": ISSUER, "name": "Demo issuer", "jurisdiction": "CA-QC", "status": status,
            "keys": [jwk], "authorizations": [auth]
        }]
    })
}

fn auth(resource: &str, from: &str, until: &str) -> Value {
    json!({"action": "issue", "resource": resource, "assurance_level": "PCTF-LOA3", "valid_from": from, "valid_until": until})
}

fn verify(reg: &Value, jwt: &str) -> passerelle::Result<passerelle::VerificationResult> {
    let mut t = TrustStore::new();
    t.add_registry(TrustRegistry::from_json(&reg.to_string()).unwrap());
    Verifier::new(t, Policy::default())
        .verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
}

#[test]
fn accredited_issuer_is_accepted_with_its_level() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::ca_person_example(ISSUER))
        .unwrap();
    let reg = registry(
        &key,
        auth(
            "PersonCredential",
            "2025-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ),
        "active",
    );
    let r = verify(&reg, &jwt).unwrap();
    assert_eq!(r.issuer().registry(), Some("https://registry.example.ca"));
    assert_eq!(r.issuer().framework(), Some("PCTF"));
    assert_eq!(r.issuer().assurance_level(), Some("PCTF-LOA3"));
    assert!(matches!(
        r.issuer().trust(),
        passerelle::TrustBasis::Registry { .. }
    ));
}

#[test]
fn negative_cases() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::ca_person_example(ISSUER))
        .unwrap();
    let ok = auth(
        "PersonCredential",
        "2025-01-01T00:00:00Z",
        "2028-01-01T00:00:00Z",
    );
    // issuer absent from the registry
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    let stranger = VcIssuer::new(&other)
        .issue_jwt(&passerelle::ca_person_example("https://stranger.example"))
        .unwrap();
    assert_eq!(
        verify(&registry(&key, ok.clone(), "active"), &stranger)
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    // type not authorized
    let r = registry(
        &key,
        auth(
            "DriversLicence",
            "2025-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ),
        "active",
    );
    assert_eq!(verify(&r, &jwt).unwrap_err().kind(), ErrorKind::Untrusted);
    // accreditation expired before the credential was issued (validFrom 2026-01-01)
    let r = registry(
        &key,
        auth(
            "PersonCredential",
            "2020-01-01T00:00:00Z",
            "2025-12-31T00:00:00Z",
        ),
        "active",
    );
    assert_eq!(verify(&r, &jwt).unwrap_err().kind(), ErrorKind::Untrusted);
    // accreditation that starts after issuance
    let r = registry(
        &key,
        auth(
            "PersonCredential",
            "2026-06-01T00:00:00Z",
            "2030-01-01T00:00:00Z",
        ),
        "active",
    );
    assert_eq!(verify(&r, &jwt).unwrap_err().kind(), ErrorKind::Untrusted);
    // suspended entry
    assert_eq!(
        verify(&registry(&key, ok.clone(), "suspended"), &jwt)
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    // a credential signed by a key the registry does not list for the issuer
    let forged = VcIssuer::new(&other)
        .issue_jwt(&passerelle::ca_person_example(ISSUER))
        .unwrap();
    assert_eq!(
        verify(&registry(&key, ok, "active"), &forged)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
}

#[test]
fn signed_registry() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let operator = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let doc = registry(
        &key,
        auth(
            "PersonCredential",
            "2025-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ),
        "active",
    );
    let h = r#"{"alg":"EdDSA","typ":"trust-registry+jwt"}"#;
    let input = format!("{}.{}", b64(h), b64(doc.to_string()));
    let sig = passerelle::Signer::sign(&operator, input.as_bytes()).unwrap();
    let jws = format!("{input}.{}", b64(sig));
    let reg = TrustRegistry::from_signed(&jws, operator.public_key()).unwrap();
    assert_eq!(reg.id(), "https://registry.example.ca");
    let imposter = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    assert_eq!(
        TrustRegistry::from_signed(&jws, imposter.public_key())
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    // through a trust file
    let trust = json!({"registries": [{"signed": jws, "operator_jwk": serde_json::from_str::<Value>(&operator.public_key().to_jwk()).unwrap()}]});
    let t = TrustStore::from_json(&trust.to_string()).unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::ca_person_example(ISSUER))
        .unwrap();
    let r = Verifier::new(t, Policy::default())
        .verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
        .unwrap();
    assert_eq!(r.issuer().assurance_level(), Some("PCTF-LOA3"));
    // malformed registries
    for bad in [
        json!({}),
        json!({"registry": {"id": "x"}, "entries": []}),
        json!({"registry": {"id": "x", "framework": "PCTF"}, "entries": [{"entity_id": "e"}]}),
    ] {
        assert_eq!(
            TrustRegistry::from_json(&bad.to_string())
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
    }
}
