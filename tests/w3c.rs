//! W3C VCDM 2.0 credentials secured per VC-JOSE-COSE: issued, presented and
//! verified by passerelle, with the data-model rows of HOSTILE-INPUTS.md E.

use crate::hostile::{b64, Fx};
use passerelle::{
    Algorithm, ClaimPath, Disclosable, ErrorKind, Expectations, HeldSdJwt, KeyBinding, Policy,
    PrivateKey, TrustStore, UnixTime, VcIssuer, Verifier,
};
use serde_json::{json, Value};

const NOW: u64 = 1_790_000_000;
const ISSUER: &str = "https://issuer.example.ca";

fn verifier(key: &PrivateKey, iss: &str) -> Verifier {
    let mut t = TrustStore::new();
    t.add_issuer_key(key.public_key().clone(), Some(iss), None);
    Verifier::new(t, Policy::default())
}

/// A verifier that does not ask for holder binding (these are bearer
/// credentials); `expect_kb` states a nonce and audience.
fn expect() -> Expectations {
    Expectations::at(UnixTime::from_secs(NOW))
}

fn expect_kb() -> Expectations {
    Expectations::at(UnixTime::from_secs(NOW))
        .nonce("n")
        .audience("https://rp.example")
}

#[test]
fn vc_jwt_round_trip_and_tamper() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let vc = passerelle::examples::ca_person_credential(ISSUER);
    let jwt = VcIssuer::new(&key).issue_jwt(&vc).unwrap();
    let v = verifier(&key, ISSUER);
    let r = v.verify(jwt.as_bytes(), &expect()).unwrap();
    assert_eq!(r.format().as_str(), "vc+jwt");
    assert_eq!(r.credential_type(), "PersonCredential");
    assert_eq!(r.issuer().id(), ISSUER);
    assert_eq!(r.identity().given_name(), Some("Marie"));
    assert_eq!(r.identity().age_over(18), Some(true));
    assert_eq!(r.claims(), &Value::Object(vc.clone()));
    // a changed payload fails the signature
    let (h, rest) = jwt.split_once('.').unwrap();
    let (_, s) = rest.split_once('.').unwrap();
    let mut other = vc.clone();
    other["credentialSubject"]["givenName"] = json!("Mallory");
    let forged = format!("{h}.{}.{s}", b64(Value::Object(other).to_string()));
    assert_eq!(
        v.verify(forged.as_bytes(), &expect()).unwrap_err().kind(),
        ErrorKind::Signature
    );
    // untrusted issuer
    let stranger = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        verifier(&stranger, ISSUER)
            .verify(jwt.as_bytes(), &expect())
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    assert_eq!(
        verifier(&key, "https://other.example")
            .verify(jwt.as_bytes(), &expect())
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
}

#[test]
fn vc_jwt_rows() {
    let fx = Fx::new();
    let vc = passerelle::examples::ca_person_credential("https://issuer.example");
    let h = json!({"alg": "ES256", "typ": "vc+jwt", "kid": "k1"});
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        fx.issuer.public_key().clone(),
        Some("https://issuer.example"),
        None,
    );
    let v = Verifier::new(trust, Policy::default());
    // VC-11: JWT iss differs from the VC issuer
    let mut p = vc.clone();
    p.insert("iss".into(), json!("https://someone-else.example"));
    let t = fx.jws(&h, &Value::Object(p));
    assert_eq!(
        v.verify(t.as_bytes(), &expect()).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // VC-09: a v1 context
    let mut p = vc.clone();
    p.insert(
        "@context".into(),
        json!(["https://www.w3.org/2018/credentials/v1"]),
    );
    let t = fx.jws(&h, &Value::Object(p));
    assert_eq!(
        v.verify(t.as_bytes(), &expect()).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // VC-10: validFrom in the future, validUntil past
    let mut p = vc.clone();
    p.insert("validFrom".into(), json!("2099-01-01T00:00:00Z"));
    assert_eq!(
        v.verify(fx.jws(&h, &Value::Object(p)).as_bytes(), &expect())
            .unwrap_err()
            .kind(),
        ErrorKind::NotYetValid
    );
    let mut p = vc.clone();
    p.insert("validUntil".into(), json!("2026-06-01T00:00:00Z"));
    assert_eq!(
        v.verify(fx.jws(&h, &Value::Object(p)).as_bytes(), &expect())
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    // a bare JWS with another typ is not routed to the W3C path
    let t = fx.jws(
        &json!({"alg": "ES256", "typ": "JWT"}),
        &Value::Object(vc.clone()),
    );
    assert_eq!(
        v.verify(t.as_bytes(), &expect()).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn vc_sd_jwt_selective_disclosure_with_key_binding() {
    let key = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let vc = passerelle::examples::ca_person_credential(ISSUER);
    let now = UnixTime::from_secs(NOW);
    let issued = VcIssuer::new(&key)
        .issue_sd_jwt(&vc, &Disclosable::All, Some(holder.public_key()), now)
        .unwrap();
    let held = HeldSdJwt::parse(&issued).unwrap();
    assert!(held
        .disclosable_paths()
        .iter()
        .all(|p| p.segments()[0] == "credentialSubject" && p.segments().len() >= 2));
    let vp = held
        .present(
            &[
                ClaimPath::parse("/credentialSubject/ageOver/19").unwrap(),
                ClaimPath::parse("/credentialSubject/address/addressRegion").unwrap(),
            ],
            Some(KeyBinding {
                signer: &holder,
                nonce: "n",
                audience: "https://rp.example",
                iat: now,
            }),
        )
        .unwrap();
    let mut t = TrustStore::new();
    t.add_issuer_key(key.public_key().clone(), Some(ISSUER), None);
    let r = Verifier::new(t, Policy::default().require_holder_binding(true))
        .verify(vp.as_bytes(), &expect_kb())
        .unwrap();
    assert_eq!(r.format().as_str(), "vc+sd-jwt");
    assert_eq!(
        r.claims()["credentialSubject"],
        json!({"ageOver": {"19": true}, "address": {"addressRegion": "QC"}})
    );
    assert_eq!(r.identity().age_over(19), Some(true));
    assert_eq!(r.identity().given_name(), None);
    // the issuer keeps the data model visible: disclosable paths outside credentialSubject are refused
    let e = VcIssuer::new(&key)
        .issue_sd_jwt(
            &vc,
            &Disclosable::Paths(vec![ClaimPath::parse("/validFrom").unwrap()]),
            None,
            now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Policy);
    // an invalid credential is refused at issuance
    let mut bad = vc.clone();
    bad.remove("issuer");
    assert_eq!(
        VcIssuer::new(&key).issue_jwt(&bad).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn did_jwk_issuer() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let did = format!("did:jwk:{}", b64(key.public_key().to_jwk()));
    let vc = passerelle::examples::ca_person_credential(&did);
    let jwt = VcIssuer::new(&key)
        .with_kid(&format!("{did}#0"))
        .issue_jwt(&vc)
        .unwrap();
    let mut t = TrustStore::new();
    t.add_did(&did).unwrap();
    let r = Verifier::new(t, Policy::default())
        .verify(jwt.as_bytes(), &expect())
        .unwrap();
    assert!(matches!(
        r.issuer().trust(),
        passerelle::TrustBasis::Did { .. }
    ));
    // the same DID, not trusted
    let e = Verifier::new(TrustStore::new(), Policy::default())
        .verify(jwt.as_bytes(), &expect())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted);
}

#[test]
fn data_integrity_secured_credentials() {
    for alg in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Es384] {
        let key = PrivateKey::generate(alg).unwrap();
        let did = passerelle::did_key(key.public_key());
        let vm = format!("{did}#{}", did.trim_start_matches("did:key:"));
        let suite = if alg == Algorithm::EdDsa {
            "eddsa-jcs-2022"
        } else {
            "ecdsa-jcs-2019"
        };
        let vc = passerelle::examples::ca_person_credential(&did);
        let secured = VcIssuer::new(&key)
            .issue_data_integrity(&vc, suite, &vm, UnixTime::from_secs(NOW - 10))
            .unwrap();
        let mut t = TrustStore::new();
        t.add_did(&did).unwrap();
        let v = Verifier::new(t, Policy::default());
        let r = v.verify(secured.as_bytes(), &expect()).unwrap();
        assert_eq!(r.format().as_str(), "ldp_vc");
        assert_eq!(r.identity().given_name(), Some("Marie"));
        // a changed claim breaks the proof
        let forged = secured.replace("Marie", "Maria");
        assert_eq!(
            v.verify(forged.as_bytes(), &expect()).unwrap_err().kind(),
            ErrorKind::Signature,
            "{suite}"
        );
        // an untrusted DID
        let e = Verifier::new(TrustStore::new(), Policy::default())
            .verify(secured.as_bytes(), &expect())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Untrusted);
        // a proof created in the future (VC-14)
        let later = VcIssuer::new(&key)
            .issue_data_integrity(&vc, suite, &vm, UnixTime::from_secs(NOW + 3600))
            .unwrap();
        assert_eq!(
            v.verify(later.as_bytes(), &expect()).unwrap_err().kind(),
            ErrorKind::NotYetValid
        );
        // a proof by another DID's key (VC-13)
        let other = PrivateKey::generate(alg).unwrap();
        let other_did = passerelle::did_key(other.public_key());
        let other_vm = format!("{other_did}#{}", other_did.trim_start_matches("did:key:"));
        let stolen = VcIssuer::new(&other)
            .issue_data_integrity(&vc, suite, &other_vm, UnixTime::from_secs(NOW - 10))
            .unwrap();
        assert_eq!(
            v.verify(stolen.as_bytes(), &expect()).unwrap_err().kind(),
            ErrorKind::Untrusted
        );
    }
}

/// Issue 8, third review: `require_holder_binding` (policy or flag) and a
/// stated nonce / audience are obeyed by every format. A bare `vc+jwt`,
/// `vc+cose` or `ldp_vc` carries no holder-binding proof, so a verifier that
/// asks for one refuses it instead of reporting the clause met.
#[test]
fn bearer_formats_obey_the_holder_binding_rule() {
    let key = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let vc = passerelle::examples::ca_person_credential(ISSUER);
    let jwt = VcIssuer::new(&key).issue_jwt(&vc).unwrap();
    let cose = VcIssuer::new(&key).issue_cose(&vc).unwrap();
    let did = passerelle::did_key(key.public_key());
    let vm = format!("{did}#{}", did.trim_start_matches("did:key:"));
    let di = VcIssuer::new(&key)
        .issue_data_integrity(
            &passerelle::examples::ca_person_credential(&did),
            "eddsa-jcs-2022",
            &vm,
            UnixTime::from_secs(NOW - 10),
        )
        .unwrap();
    let mut t = TrustStore::new();
    t.add_issuer_key(key.public_key().clone(), Some(ISSUER), None);
    t.add_did(&did).unwrap();
    let plain = Verifier::new(t.clone(), Policy::default());
    let strict = Verifier::new(t, Policy::default().require_holder_binding(true));
    for input in [jwt.as_bytes(), cose.as_slice(), di.as_bytes()] {
        assert!(plain.verify(input, &expect()).is_ok());
        assert_eq!(
            strict.verify(input, &expect()).unwrap_err().kind(),
            ErrorKind::HolderBinding
        );
        assert_eq!(
            plain.verify(input, &expect_kb()).unwrap_err().kind(),
            ErrorKind::HolderBinding
        );
    }
}
