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
    verify_with(reg, jwt, Policy::default())
}

fn verify_with(
    reg: &Value,
    jwt: &str,
    policy: Policy,
) -> passerelle::Result<passerelle::VerificationResult> {
    let mut t = TrustStore::new();
    t.add_registry(TrustRegistry::from_json(&reg.to_string()).unwrap());
    Verifier::new(t, policy).verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
}

fn jwk_of(key: &PrivateKey, kid: Option<&str>) -> Value {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    if let Some(k) = kid {
        jwk["kid"] = json!(k);
    }
    jwk
}

fn entry(keys: Vec<Value>, status: &str, auth: Value) -> Value {
    json!({"entity_id": ISSUER, "status": status, "keys": keys, "authorizations": [auth]})
}

fn reg_of(id: &str, entries: Vec<Value>) -> Value {
    json!({"registry": {"id": id, "framework": "PCTF"}, "entries": entries})
}

fn verify_regs(
    regs: &[Value],
    extra_key: Option<&PrivateKey>,
    jwt: &str,
) -> passerelle::Result<passerelle::VerificationResult> {
    let mut t = TrustStore::new();
    for r in regs {
        t.add_registry(TrustRegistry::from_json(&r.to_string()).unwrap());
    }
    if let Some(k) = extra_key {
        // a configured key bound to no issuer
        t.add_issuer_key(k.public_key().clone(), None, None);
    }
    Verifier::new(t, Policy::default())
        .verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
}

fn good_auth() -> Value {
    auth(
        "PersonCredential",
        "2025-01-01T00:00:00Z",
        "2028-01-01T00:00:00Z",
    )
}

/// Issue 8, registry finding: the keys of a revoked entry are not trusted
/// because another entry of the same entity is active, in the same registry
/// or in another.
#[test]
fn a_revoked_entrys_keys_are_not_trusted_through_another_active_entry() {
    let old = PrivateKey::generate(Algorithm::Es256).unwrap();
    let new = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt_old = VcIssuer::new(&old)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let jwt_new = VcIssuer::new(&new)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let revoked = entry(vec![jwk_of(&old, None)], "revoked", good_auth());
    let active = entry(vec![jwk_of(&new, None)], "active", good_auth());
    // same registry
    let same = reg_of("https://r1.example", vec![revoked.clone(), active.clone()]);
    assert_eq!(
        verify_regs(std::slice::from_ref(&same), None, &jwt_old)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    assert!(verify_regs(&[same], None, &jwt_new).is_ok());
    // two registries
    let r1 = reg_of("https://r1.example", vec![revoked]);
    let r2 = reg_of("https://r2.example", vec![active]);
    assert_eq!(
        verify_regs(&[r1.clone(), r2.clone()], None, &jwt_old)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    let r = verify_regs(&[r1, r2], None, &jwt_new).unwrap();
    assert_eq!(r.issuer().registry(), Some("https://r2.example"));
}

/// Keys come only from the entry that carries the authorization, and every
/// key of it is tried (by kid when present).
#[test]
fn keys_only_from_the_authorizing_entry_and_every_key_is_tried() {
    let a = PrivateKey::generate(Algorithm::Es256).unwrap();
    let b = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt_b = VcIssuer::new(&b)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    // the entry with the key authorizes another type; the entry that authorizes has another key
    let other_type = entry(
        vec![jwk_of(&b, None)],
        "active",
        auth(
            "DriversLicence",
            "2025-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ),
    );
    let authorizing = entry(vec![jwk_of(&a, None)], "active", good_auth());
    let r = reg_of("https://r1.example", vec![other_type, authorizing]);
    assert_eq!(
        verify_regs(&[r], None, &jwt_b).unwrap_err().kind(),
        ErrorKind::Signature
    );
    // the second key of one entry verifies
    let both = entry(
        vec![jwk_of(&a, None), jwk_of(&b, None)],
        "active",
        good_auth(),
    );
    assert!(verify_regs(&[reg_of("https://r1.example", vec![both])], None, &jwt_b).is_ok());
    // by kid: the token names k2, the entry lists k1 (a) and k2 (b)
    let jwt_kid = VcIssuer::new(&b)
        .with_kid("k2")
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let kids = entry(
        vec![jwk_of(&a, Some("k1")), jwk_of(&b, Some("k2"))],
        "active",
        good_auth(),
    );
    assert!(verify_regs(
        &[reg_of("https://r1.example", vec![kids.clone()])],
        None,
        &jwt_kid
    )
    .is_ok());
    let jwt_k3 = VcIssuer::new(&b)
        .with_kid("k3")
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    assert_eq!(
        verify_regs(&[reg_of("https://r1.example", vec![kids])], None, &jwt_k3)
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
}

/// Cross-layer finding: a registry accreditation is never attached to a key
/// the registry did not supply (a configured key without iss that verifies
/// when the registry's kid lookup falls through).
#[test]
fn accreditation_comes_from_the_source_of_the_key() {
    let listed = PrivateKey::generate(Algorithm::Es256).unwrap();
    let configured = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt = VcIssuer::new(&configured)
        .with_kid("unknown")
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let r = reg_of(
        "https://r1.example",
        vec![entry(
            vec![jwk_of(&listed, Some("k1"))],
            "active",
            good_auth(),
        )],
    );
    // the registry names the issuer's keys: a configured key cannot stand in
    // for them, and never gets the registry's level
    match verify_regs(&[r], Some(&configured), &jwt) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Untrusted),
        Ok(res) => panic!("accepted with {:?}", res.issuer()),
    }
}

/// A signed registry's exp / nbf / iat are judged at the verification time.
#[test]
fn signed_registry_times_are_checked_against_the_injected_clock() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let operator = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let sign = |extra: Value| {
        let mut doc = registry(&key, good_auth(), "active");
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        let h = r#"{"alg":"EdDSA","typ":"trust-registry+jwt"}"#;
        let input = format!("{}.{}", b64(h), b64(doc.to_string()));
        let sig = passerelle::Signer::sign(&operator, input.as_bytes()).unwrap();
        TrustRegistry::from_signed(&format!("{input}.{}", b64(sig)), operator.public_key())
    };
    let run = |reg: TrustRegistry| {
        let mut t = TrustStore::new();
        t.add_registry(reg);
        Verifier::new(t, Policy::default())
            .verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
    };
    assert!(run(sign(json!({"iat": NOW - 10, "exp": NOW + 3600})).unwrap()).is_ok());
    assert_eq!(
        run(sign(json!({"exp": NOW - 3600})).unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    assert_eq!(
        run(sign(json!({"nbf": NOW + 3600})).unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::NotYetValid
    );
    assert_eq!(
        run(sign(json!({"iat": NOW + 3600})).unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::NotYetValid
    );
    assert_eq!(
        sign(json!({"exp": "tomorrow"})).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn accredited_issuer_is_accepted_with_its_level() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
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
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
        .unwrap();
    let ok = auth(
        "PersonCredential",
        "2025-01-01T00:00:00Z",
        "2028-01-01T00:00:00Z",
    );
    // issuer absent from the registry
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    let stranger = VcIssuer::new(&other)
        .issue_jwt(&passerelle::examples::ca_person_credential(
            "https://stranger.example",
        ))
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
    // an accreditation that started after the issuer's validFrom but holds at
    // the verification time: accepted by default (judged now) ...
    let r = registry(
        &key,
        auth(
            "PersonCredential",
            "2026-06-01T00:00:00Z",
            "2030-01-01T00:00:00Z",
        ),
        "active",
    );
    assert!(verify(&r, &jwt).is_ok());
    // ... and refused when the policy judges at the issuer's issuance time
    assert_eq!(
        verify_with(
            &r,
            &jwt,
            Policy::default().accept_accreditation_at_issuance(true)
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Untrusted
    );
    // suspended entry
    assert_eq!(
        verify(&registry(&key, ok.clone(), "suspended"), &jwt)
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    // a credential signed by a key the registry does not list for the issuer
    let forged = VcIssuer::new(&other)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
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
    let t = TrustStore::from_json(
        &trust.to_string(),
        passerelle::UnixTime::from_secs(1_790_000_000),
    )
    .unwrap();
    let jwt = VcIssuer::new(&key)
        .issue_jwt(&passerelle::examples::ca_person_credential(ISSUER))
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
