//! Mutual recognition: one policy per relying party, for every format. A
//! Canadian verifier accepts an EU PID; an EU verifier accepts a Canadian
//! person credential; the result names the clause that was met.

use passerelle::{
    Algorithm, CertificateBuilder, ClaimPath, Disclosable, ErrorKind, Expectations, HeldSdJwt,
    KeyBinding, Policy, PrivateKey, Recognition, SdJwtVcIssuer, TrustRegistry, TrustStore,
    UnixTime, VcIssuer, Verifier,
};
use serde_json::{json, Value};

const NOW: u64 = 1_790_000_000;
const POLICY: &str = r#"{
  "accept": [
    {"name": "eu-pid-high", "formats": ["dc+sd-jwt", "mso_mdoc"], "credential_types": ["urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"], "min_assurance": "eIDAS-high"},
    {"name": "ca-person-loa3", "formats": ["vc+sd-jwt", "vc+jwt"], "credential_types": ["PersonCredential"], "min_assurance": "PCTF-LOA3"}
  ],
  "require_attributes": ["given_name", "family_name", "age_over_18"]
}"#;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn expect() -> Expectations {
    Expectations::at(now())
        .nonce("n")
        .audience("https://rp.example")
}

fn kb(h: &PrivateKey) -> Option<KeyBinding<'_>> {
    Some(KeyBinding {
        signer: h,
        nonce: "n",
        audience: "https://rp.example",
        iat: now(),
    })
}

fn paths(ps: &[&str]) -> Vec<ClaimPath> {
    ps.iter().map(|p| ClaimPath::parse(p).unwrap()).collect()
}

/// An EU PID presentation from a provider whose CA the verifier trusts at `level`.
fn eu_pid(level: &str, disclose: &[&str]) -> (String, TrustStore) {
    let ca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ca = CertificateBuilder::new("PID CA")
        .country("DE")
        .validity(
            UnixTime::from_secs(NOW - 1000),
            UnixTime::from_secs(NOW + 100_000),
        )
        .ca(Some(0))
        .self_signed(&ca_key)
        .unwrap();
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let cert = CertificateBuilder::new("PID Provider")
        .validity(
            UnixTime::from_secs(NOW - 1000),
            UnixTime::from_secs(NOW + 100_000),
        )
        .uri("https://pid.example.de")
        .issued_by(&ca, &ca_key, key.public_key())
        .unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let issued = SdJwtVcIssuer::new(&key)
        .with_x5c(&[cert])
        .issue(
            &passerelle::examples::eu_pid_claims("https://pid.example.de"),
            &Disclosable::All,
            Some(holder.public_key()),
            now(),
        )
        .unwrap();
    let vp = HeldSdJwt::parse(&issued)
        .unwrap()
        .present(&paths(disclose), kb(&holder))
        .unwrap();
    let mut trust = TrustStore::new();
    trust
        .add_anchor_pem_with_level(&ca.to_pem(), "eIDAS", level)
        .unwrap();
    (vp, trust)
}

/// A Canadian person credential from an issuer accredited at `level`.
fn ca_person(level: &str, disclose: &[&str]) -> (String, TrustStore) {
    let key = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let issuer = "https://issuer.gouv.qc.example";
    let issued = VcIssuer::new(&key)
        .issue_sd_jwt(
            &passerelle::examples::ca_person_credential(issuer),
            &Disclosable::All,
            Some(holder.public_key()),
            now(),
        )
        .unwrap();
    let vp = HeldSdJwt::parse(&issued)
        .unwrap()
        .present(&paths(disclose), kb(&holder))
        .unwrap();
    let jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    let reg = json!({
        "registry": {"id": "https://registry.example.ca", "framework": "PCTF", "jurisdiction": "CA"},
        "entries": [{"entity_id": issuer, "keys": [jwk], "authorizations": [
            {"action": "issue", "resource": "PersonCredential", "assurance_level": level, "valid_from": "2025-01-01T00:00:00Z"}]}]
    });
    let mut trust = TrustStore::new();
    trust.add_registry(TrustRegistry::from_json(&reg.to_string()).unwrap());
    (vp, trust)
}

fn verify(vp: &str, trust: TrustStore) -> passerelle::Result<passerelle::VerificationResult> {
    let policy = Policy::default()
        .require_holder_binding(true)
        .recognition(Recognition::from_json(POLICY).unwrap());
    Verifier::new(trust, policy).verify(vp.as_bytes(), &expect())
}

const PID_ATTRS: &[&str] = &["/given_name", "/family_name", "/age_equal_or_over/18"];
const CA_ATTRS: &[&str] = &[
    "/credentialSubject/givenName",
    "/credentialSubject/familyName",
    "/credentialSubject/ageOver/18",
];

#[test]
fn canadian_verifier_accepts_an_eu_pid() {
    let (vp, trust) = eu_pid("eIDAS-high", PID_ATTRS);
    let r = verify(&vp, trust).unwrap();
    assert_eq!(r.policy_clause(), Some("eu-pid-high"));
    assert_eq!(r.issuer().framework(), Some("eIDAS"));
    assert_eq!(r.identity().given_name(), Some("Erika"));
    assert_eq!(r.identity().age_over(18), Some(true));
}

#[test]
fn eu_verifier_accepts_a_canadian_person_credential() {
    let (vp, trust) = ca_person("PCTF-LOA3", CA_ATTRS);
    let r = verify(&vp, trust).unwrap();
    assert_eq!(r.policy_clause(), Some("ca-person-loa3"));
    assert_eq!(r.issuer().registry(), Some("https://registry.example.ca"));
    assert_eq!(r.identity().family_name(), Some("Tremblay"));
}

#[test]
fn refusals_name_the_reason() {
    // too low a level on either side
    let (vp, trust) = eu_pid("eIDAS-substantial", PID_ATTRS);
    assert_eq!(verify(&vp, trust).unwrap_err().kind(), ErrorKind::Policy);
    let (vp, trust) = ca_person("PCTF-LOA2", CA_ATTRS);
    assert_eq!(verify(&vp, trust).unwrap_err().kind(), ErrorKind::Policy);
    // a required attribute not disclosed
    let (vp, trust) = eu_pid("eIDAS-high", &["/given_name", "/age_equal_or_over/18"]);
    assert_eq!(verify(&vp, trust).unwrap_err().kind(), ErrorKind::Policy);
    // an issuer with no level configured at all
    let (vp, _) = eu_pid("eIDAS-high", PID_ATTRS);
    let e = verify(&vp, TrustStore::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted);
}
