//! Issue 8: every fact in the result is vouched for. Each finding of the
//! security reviews is an attack here: the fact is moved somewhere nobody
//! signed (a disclosure, a device-signed namespace, the host's configuration),
//! the credential is re-signed, and the verifier must refuse it or ignore the
//! moved value — never trust it.

use crate::common::mdoc_forge::{item, map, t as ct, Forge, MDL, NS};
use crate::hostile::{b64, disc, Fx, AUD, ISS, NONCE, NOW};
use base64::Engine as _;
use passerelle::*;
use serde_json::{json, Value};

const V2: &str = "https://www.w3.org/ns/credentials/v2";
const ACCREDITED: &str = "did:web:accredited.example.ca";

fn kind<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => "valid".into(),
        Err(e) => e.kind().as_str().into(),
    }
}

fn at() -> Expectations {
    Expectations::at(UnixTime::from_secs(NOW))
}

struct Ca {
    key: PrivateKey,
    cert: Certificate,
}

fn ca(name: &str) -> Ca {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let cert = CertificateBuilder::new(name)
        .country("CA")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 365),
        )
        .ca(Some(0))
        .self_signed(&key)
        .unwrap();
    Ca { key, cert }
}

fn leaf(ca: &Ca, uri: &str, key: &PrivateKey) -> Certificate {
    CertificateBuilder::new("Some issuer")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 30),
        )
        .end_entity()
        .uri(uri)
        .issued_by(&ca.cert, &ca.key, key.public_key())
        .unwrap()
}

/// A registry that accredits `ACCREDITED` for PersonCredential at LOA4, with
/// no keys of its own (a DID-identified entity).
fn accrediting_registry() -> TrustRegistry {
    TrustRegistry::from_json(
        &json!({"registry": {"id": "https://registry.example.ca", "framework": "PCTF"},
                "entries": [{"entity_id": ACCREDITED, "status": "active",
                             "authorizations": [{"action": "issue", "resource": "PersonCredential",
                                                 "assurance_level": "PCTF-LOA4"}]}]})
        .to_string(),
    )
    .unwrap()
}

fn w3c_payload() -> Value {
    json!({"@context": [V2], "type": ["VerifiableCredential", "PersonCredential"],
           "credentialSubject": {"givenName": "Mallory"}, "iat": NOW - 10, "_sd_alg": "sha-256"})
}

fn x5c_header(cert: &Certificate) -> Value {
    json!({"alg": "ES256", "typ": "vc+sd-jwt",
           "x5c": [base64::engine::general_purpose::STANDARD.encode(cert.der())]})
}

/// The critical finding: a vc+sd-jwt signed by *any* certificate under a
/// trusted anchor names an accredited Canadian issuer in a disclosure. The
/// key lookup ran on the visible payload (no issuer: SAN check skipped), the
/// result reported the disclosed issuer with its accreditation.
#[test]
fn hidden_issuer_in_a_disclosure_is_refused() {
    let root = ca("Some Root");
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let cert = leaf(&root, "https://mallory.example", &key);
    let mut trust = TrustStore::new();
    trust.add_anchor_der(root.cert.der()).unwrap();
    trust.add_registry(accrediting_registry());
    let v = Verifier::new(trust, Policy::default());
    let forge = |payload: &Value, ds: &[&str]| {
        let jwt = Fx::jws_with(&key, &x5c_header(&cert).to_string(), &payload.to_string());
        let mut s = format!("{jwt}~");
        for d in ds {
            s.push_str(d);
            s.push('~');
        }
        s
    };
    // 1. issuer as a disclosed string
    let (d, h) = disc(&format!(r#"["s1","issuer","{ACCREDITED}"]"#));
    let mut p = w3c_payload();
    p["_sd"] = json!([h]);
    let sd = forge(&p, &[&d]);
    assert_eq!(kind(v.verify(sd.as_bytes(), &at())), "malformed");
    assert_eq!(kind(v.verify_vc_sd_jwt(&sd, &at())), "malformed");
    // 2. issuer as a disclosed object
    let (d, h) = disc(&format!(r#"["s2","issuer",{{"id":"{ACCREDITED}"}}]"#));
    let mut p = w3c_payload();
    p["_sd"] = json!([h]);
    assert_eq!(
        kind(v.verify(forge(&p, &[&d]).as_bytes(), &at())),
        "malformed"
    );
    // 3. issuer.id disclosed inside a visible issuer object
    let (d, h) = disc(&format!(r#"["s3","id","{ACCREDITED}"]"#));
    let mut p = w3c_payload();
    p["issuer"] = json!({"_sd": [h], "name": "Accredited Issuer"});
    assert_eq!(
        kind(v.verify(forge(&p, &[&d]).as_bytes(), &at())),
        "malformed"
    );
    // the same credential with the issuer visible: the SAN check applies (untrusted)
    let mut p = w3c_payload();
    p["issuer"] = json!(ACCREDITED);
    assert_eq!(kind(v.verify(forge(&p, &[]).as_bytes(), &at())), "policy"); // a DID issuer with x5c
    let mut p = w3c_payload();
    p["issuer"] = json!("https://accredited.example.ca");
    assert_eq!(
        kind(v.verify(forge(&p, &[]).as_bytes(), &at())),
        "untrusted"
    );
    // 4. an unbound configured key (--issuer-jwk without iss) signs for a disclosed issuer
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), None, None);
    trust.add_registry(accrediting_registry());
    let v = Verifier::new(trust, Policy::default());
    let header = json!({"alg": "ES256", "typ": "vc+sd-jwt"}).to_string();
    let (d, h) = disc(&format!(r#"["s4","issuer","{ACCREDITED}"]"#));
    let mut p = w3c_payload();
    p["_sd"] = json!([h]);
    let sd = format!("{}~{d}~", Fx::jws_with(&key, &header, &p.to_string()));
    assert_eq!(kind(v.verify(sd.as_bytes(), &at())), "malformed");
    // and with the issuer visible, the unbound key gets no registry level
    let mut p = w3c_payload();
    p["issuer"] = json!("https://someone.example");
    let sd = format!("{}~", Fx::jws_with(&key, &header, &p.to_string()));
    let r = v.verify(sd.as_bytes(), &at()).unwrap();
    assert_eq!(r.issuer().id(), "https://someone.example");
    assert_eq!(r.issuer().assurance_level(), None);
    assert_eq!(r.issuer().registry(), None);
}

/// The issuer reported is the issuer the key was checked for, and the W3C
/// `issuer` must agree with a JWT `iss` (same rule as vc+jwt).
#[test]
fn vc_sd_jwt_iss_must_equal_issuer() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some("https://a.example"), None);
    trust.add_issuer_key(key.public_key().clone(), Some("https://b.example"), None);
    let v = Verifier::new(trust, Policy::default());
    let header = json!({"alg": "ES256", "typ": "vc+sd-jwt"}).to_string();
    let mut p = w3c_payload();
    p["issuer"] = json!("https://a.example");
    p["iss"] = json!("https://b.example");
    let sd = format!("{}~", Fx::jws_with(&key, &header, &p.to_string()));
    assert_eq!(kind(v.verify(sd.as_bytes(), &at())), "malformed");
    p["iss"] = json!("https://a.example");
    let sd = format!("{}~", Fx::jws_with(&key, &header, &p.to_string()));
    assert_eq!(
        v.verify(sd.as_bytes(), &at()).unwrap().issuer().id(),
        "https://a.example"
    );
    // a vc or vp claim beside the credential (the VC 1.1 JWT encoding)
    p["vc"] = json!({});
    let sd = format!("{}~", Fx::jws_with(&key, &header, &p.to_string()));
    assert_eq!(kind(v.verify(sd.as_bytes(), &at())), "malformed");
}

/// Every member a vc+sd-jwt keeps visible is refused in a disclosure, at the
/// top level or inside it.
#[test]
fn vc_sd_jwt_trust_members_are_never_disclosable() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some("https://a.example"), None);
    let v = Verifier::new(trust, Policy::default());
    let header = json!({"alg": "ES256", "typ": "vc+sd-jwt"}).to_string();
    let cases: Vec<(&str, Value)> = vec![
        ("validFrom", json!("2020-01-01T00:00:00Z")),
        ("validUntil", json!("2099-01-01T00:00:00Z")),
        (
            "credentialStatus",
            json!({"type": "BitstringStatusListEntry"}),
        ),
        ("cnf", json!({"jwk": {}})),
        ("exp", json!(NOW + 100)),
        ("nbf", json!(NOW - 100)),
        ("@context", json!([V2])),
    ];
    for (name, value) in cases {
        let (d, h) = disc(&format!(r#"["s","{name}",{value}]"#));
        let mut p = w3c_payload();
        p["issuer"] = json!("https://a.example");
        if name == "@context" {
            p.as_object_mut().unwrap().remove("@context");
        }
        p["_sd"] = json!([h]);
        let sd = format!("{}~{d}~", Fx::jws_with(&key, &header, &p.to_string()));
        assert_eq!(kind(v.verify(sd.as_bytes(), &at())), "malformed", "{name}");
    }
    // the issuer side refuses to make them disclosable
    let vc = passerelle::examples::ca_person_credential("https://a.example");
    for path in ["/issuer", "/type", "/validFrom", "/credentialStatus"] {
        let e = VcIssuer::new(&key)
            .issue_sd_jwt(
                &vc,
                &Disclosable::Paths(vec![ClaimPath::parse(path).unwrap()]),
                None,
                UnixTime::from_secs(NOW),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Policy, "{path}");
    }
}

/// SD-JWT VC: iss, nbf, exp, cnf, vct, vct#integrity, status are never
/// selectively disclosable, nor anything inside them; the issuer refuses them.
#[test]
fn sd_jwt_vc_trust_claims_are_never_disclosable() {
    let fx = Fx::new();
    for (name, value) in [
        ("iss", json!(ISS)),
        ("vct", json!("urn:eudi:pid:1")),
        ("vct#integrity", json!("sha256-x")),
        (
            "status",
            json!({"status_list": {"idx": 1, "uri": "https://s.example/1"}}),
        ),
        ("cnf", json!({"jwk": {}})),
        ("exp", json!(NOW + 100)),
        ("nbf", json!(NOW - 100)),
    ] {
        let (d, h) = disc(&format!(r#"["s","{name}",{value}]"#));
        let mut p = fx.payload();
        p.as_object_mut().unwrap().remove(name);
        p["_sd"] = json!([h]);
        let t = fx.sd(&fx.jws(&fx.header(), &p), &[&d]);
        assert_eq!(kind(fx.verify(&t)), "malformed", "{name}");
    }
    // inside: cnf.jwk disclosed within a visible cnf
    let jwk: Value = serde_json::from_str(&fx.holder.public_key().to_jwk()).unwrap();
    let (d, h) = disc(&format!(r#"["s","jwk",{jwk}]"#));
    let mut p = fx.payload();
    p["cnf"] = json!({"_sd": [h]});
    let t = fx.sd(&fx.jws(&fx.header(), &p), &[&d]);
    assert_eq!(kind(fx.verify(&t)), "malformed", "cnf.jwk");
    // a disclosure naming the reserved _sd_alg
    let (d, h) = disc(r#"["s","_sd_alg","sha-256"]"#);
    let mut p = fx.payload();
    p["_sd"] = json!([h]);
    let t = fx.sd(&fx.jws(&fx.header(), &p), &[&d]);
    assert_eq!(kind(fx.verify(&t)), "malformed", "_sd_alg");
    // the issuer refuses nested paths too
    let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "status": {"status_list": {"idx": 1, "uri": "https://s.example/1"}}});
    for path in ["/status/status_list", "/cnf/jwk", "/vct"] {
        let e = SdJwtVcIssuer::new(&fx.issuer)
            .issue(
                claims.as_object().unwrap(),
                &Disclosable::Paths(vec![ClaimPath::parse(path).unwrap()]),
                Some(fx.holder.public_key()),
                UnixTime::from_secs(NOW),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Policy, "{path}");
    }
}

/// Disclosing less never makes a presentation more acceptable: withholding
/// a disclosable iat changes neither the time nor the accreditation judged.
#[test]
fn withholding_iat_changes_nothing() {
    let fx = Fx::new();
    let (d, h) = disc(&format!(r#"["s","iat",{}]"#, NOW + 10_000));
    let mut p = fx.payload();
    p.as_object_mut().unwrap().remove("iat");
    p["_sd"] = json!([h]);
    let jwt = fx.jws(&fx.header(), &p);
    let with = fx.sd(&jwt, &[&d]);
    let without = fx.sd(&jwt, &[]);
    // a disclosed iat is a claim like any other: never read for validity
    let a = fx.verify(&with).unwrap();
    let b = fx.verify(&without).unwrap();
    assert_eq!(a.validity(), b.validity());
    assert_eq!(a.validity().issued_at, None);
    assert_eq!(a.provenance("/iat"), Some(Provenance::IssuerDisclosed));
}

/// Holder binding by default: a verifier that states a nonce and audience
/// refuses a presentation whose KB-JWT was stripped.
#[test]
fn stripping_the_kb_jwt_is_refused() {
    let fx = Fx::new();
    let good = fx.good();
    assert!(fx.verify(&good).is_ok());
    let stripped = &good[..=good.rfind('~').unwrap()];
    let r = fx.verify_with(stripped, Policy::default(), fx.expect());
    assert_eq!(kind(r), "holder_binding");
    // only the nonce, or only the audience, asks for it too
    for e in [at().nonce(NONCE), at().audience(AUD)] {
        assert_eq!(
            kind(fx.verify_with(stripped, Policy::default(), e)),
            "holder_binding"
        );
    }
    // a verifier that asks for nothing learns it was not checked
    let r = fx.verify_with(stripped, Policy::default(), at()).unwrap();
    assert_eq!(r.holder_binding(), &HolderBinding::NotChecked);
}

/// `<jwt>~<disclosure>` without the closing `~` is malformed whatever the
/// options (it once read as a KB-JWT and failed as holder binding).
#[test]
fn missing_closing_tilde_is_malformed() {
    let fx = Fx::new();
    let (d, h) = disc(r#"["salt1","given_name","Erika"]"#);
    let mut p = fx.payload();
    p["_sd"] = json!([h]);
    let t = format!("{}~{d}", fx.jws(&fx.header(), &p));
    for e in [at(), fx.expect()] {
        for policy in [
            Policy::default(),
            Policy::default().require_holder_binding(true),
        ] {
            assert_eq!(kind(fx.verify_with(&t, policy, e.clone())), "malformed");
        }
    }
}

/// A KB-JWT whose iat is before the credential's (beyond the skew) is refused.
#[test]
fn kb_jwt_signed_before_the_credential_is_refused() {
    let fx = Fx::new();
    let (d, h) = disc(r#"["salt1","given_name","Erika"]"#);
    let mut p = fx.payload();
    p["iat"] = json!(NOW - 10);
    p["_sd"] = json!([h]);
    let sd = fx.sd(&fx.jws(&fx.header(), &p), &[&d]);
    let kb = |iat: u64| {
        let payload =
            json!({"iat": iat, "aud": AUD, "nonce": NONCE, "sd_hash": crate::hostile::sha(&sd)});
        format!(
            "{sd}{}",
            fx.kb_with(&json!({"alg": "ES256", "typ": "kb+jwt"}), &payload)
        )
    };
    let strict = Policy::default().clock_skew_secs(30);
    assert!(fx
        .verify_with(&kb(NOW - 5), strict.clone(), fx.expect())
        .is_ok());
    assert!(fx
        .verify_with(&kb(NOW - 39), strict.clone(), fx.expect())
        .is_ok()); // within the skew
    assert_eq!(
        kind(fx.verify_with(&kb(NOW - 100), strict, fx.expect())),
        "holder_binding"
    );
}

/// Provenance in the result and the CLI JSON: visible claims are
/// issuer_signed, disclosed ones issuer_disclosed, nested ones inherit.
#[test]
fn provenance_is_reported_per_claim() {
    let fx = Fx::new();
    let r = fx.verify(&fx.good()).unwrap();
    assert_eq!(r.provenance("/iss"), Some(Provenance::IssuerSigned));
    assert_eq!(r.provenance("/cnf/jwk/x"), Some(Provenance::IssuerSigned));
    assert_eq!(
        r.provenance("/given_name"),
        Some(Provenance::IssuerDisclosed)
    );
    assert_eq!(r.provenance("/nothing"), None);
    let j = r.to_json();
    assert_eq!(j["provenance"]["/given_name"], "issuer_disclosed");
    assert_eq!(j["provenance"]["/vct"], "issuer_signed");
    assert_eq!(j["identity_sources"]["given_name"], "/given_name");
}

/// mdoc: a device-signed (holder-asserted) element never overrides an
/// issuer-signed one, never reaches the claims, the identity view or the
/// policy, and a device-signed issuing_country skips nothing.
#[test]
fn mdoc_device_signed_elements_never_become_issuer_facts() {
    let mut f = Forge::new();
    f.items
        .push((NS.into(), item(11, "age_over_18", serde_cbor_bool(false))));
    f.mso_edit = Box::new(|m| {
        let dki = m
            .iter_mut()
            .find(|(k, _)| k.as_text() == Some("deviceKeyInfo"))
            .unwrap();
        dki.1.as_map_mut().unwrap().push((
            ct("keyAuthorizations"),
            map(vec![(
                ct("nameSpaces"),
                ciborium::Value::Array(vec![ct(NS)]),
            )]),
        ));
    });
    f.device_namespaces = map(vec![(
        ct(NS),
        map(vec![
            (ct("age_over_18"), serde_cbor_bool(true)),
            (ct("issuing_country"), ct("ZZ")),
            (ct("given_name"), ct("Eve")),
        ]),
    )]);
    let r = &f.run().unwrap()[0];
    assert_eq!(r.claims()[MDL][NS]["age_over_18"], false);
    assert_eq!(r.claims()[MDL][NS]["given_name"], "Jane");
    assert_eq!(r.claims()[MDL][NS].get("issuing_country"), None);
    assert_eq!(r.holder_claims().unwrap()[MDL][NS]["age_over_18"], true);
    assert_eq!(r.identity().age_over(18), Some(false));
    assert_eq!(r.identity().given_name(), Some("Jane"));
    assert_eq!(
        r.provenance(&format!("/{MDL}/{NS}/age_over_18")),
        Some(Provenance::IssuerDisclosed)
    );
    // a policy that requires age over 18, or the issuing country, is not met by the holder
    for attr in ["age_over_18", "issuing_country"] {
        let policy = Policy::default().recognition(
            Recognition::from_json(&json!({"require_attributes": [attr]}).to_string()).unwrap(),
        );
        let e = Verifier::new(f.trust(), policy)
            .verify_device_response(&f.build(), &f.expect())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Policy, "{attr}");
    }
}

fn serde_cbor_bool(b: bool) -> ciborium::Value {
    ciborium::Value::Bool(b)
}

/// An issuer-signed issuing_country that is not text is malformed; one that
/// differs from the IACA's countryName attribute is policy.
#[test]
fn mdoc_issuing_country_is_text_and_the_iacas() {
    for (value, want) in [
        (ciborium::Value::Array(vec![ct("US")]), "malformed"),
        (ciborium::Value::Integer(840.into()), "malformed"),
        (ct("ZZ"), "policy"),
    ] {
        let mut f = Forge::new();
        f.items
            .push((NS.into(), item(12, "issuing_country", value)));
        assert_eq!(kind(f.run()), want);
    }
}

/// Assurance levels are bound to the anchor certificate, never to its name:
/// a second anchor with the same DN as an eIDAS-high one gets no level.
#[test]
fn anchor_level_is_bound_to_the_certificate_not_the_name() {
    let high = ca("Shared Name CA");
    let twin = ca("Shared Name CA");
    assert_eq!(high.cert.subject(), twin.cert.subject());
    let mut trust = TrustStore::new();
    trust
        .add_anchor_pem_with_level(&high.cert.to_pem(), "eIDAS", "eIDAS-high")
        .unwrap();
    trust.add_anchor_pem(&twin.cert.to_pem()).unwrap();
    let v = Verifier::new(trust, Policy::default());
    let issue = |root: &Ca| {
        let key = PrivateKey::generate(Algorithm::Es256).unwrap();
        let cert = leaf(root, "https://pid.example", &key);
        let claims =
            json!({"iss": "https://pid.example", "vct": "urn:eudi:pid:1", "given_name": "E"});
        SdJwtVcIssuer::new(&key)
            .with_x5c(&[cert])
            .issue(
                claims.as_object().unwrap(),
                &Disclosable::All,
                None,
                UnixTime::from_secs(NOW),
            )
            .unwrap()
    };
    let r = v.verify(issue(&high).as_bytes(), &at()).unwrap();
    assert_eq!(r.issuer().assurance_level(), Some("eIDAS-high"));
    let r = v.verify(issue(&twin).as_bytes(), &at()).unwrap();
    assert_eq!(r.issuer().assurance_level(), None);
    assert_eq!(r.issuer().framework(), None);
}

/// An mdoc document signer (EKU 1.0.18013.5.1.2 only) is refused as an
/// SD-JWT VC signer.
#[test]
fn an_mdoc_document_signer_cannot_sign_an_sd_jwt_vc() {
    let root = ca("Dual Root");
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ds = CertificateBuilder::new("DS")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400),
        )
        .end_entity()
        .uri("https://pid.example")
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&root.cert, &root.key, key.public_key())
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add_anchor_der(root.cert.der()).unwrap();
    let claims = json!({"iss": "https://pid.example", "vct": "urn:eudi:pid:1"});
    let sd = SdJwtVcIssuer::new(&key)
        .with_x5c(&[ds])
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            None,
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    assert_eq!(
        kind(Verifier::new(trust, Policy::default()).verify(sd.as_bytes(), &at())),
        "untrusted"
    );
}

/// `iat` / `nbf` / `exp` are NumericDates in every JOSE format: a text iat
/// fails in vc+jwt as in vc+sd-jwt; `vc` / `vp` claims are refused in vc+jwt.
#[test]
fn vc_jwt_claims_are_typed_like_every_jose_format() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some("https://a.example"), None);
    let v = Verifier::new(trust, Policy::default());
    let header = json!({"alg": "ES256", "typ": "vc+jwt"}).to_string();
    let base = json!({"@context": [V2], "type": ["VerifiableCredential"], "issuer": "https://a.example",
                      "credentialSubject": {"id": "urn:x"}});
    let sign = |p: &Value| Fx::jws_with(&key, &header, &p.to_string());
    assert_eq!(kind(v.verify(sign(&base).as_bytes(), &at())), "valid");
    for (k, val, want) in [
        ("iat", json!("2026-01-01"), "malformed"),
        ("exp", json!(-5), "malformed"),
        ("exp", json!(NOW - 100), "expired"),
        ("vc", json!({}), "malformed"),
        ("vp", json!({}), "malformed"),
    ] {
        let mut p = base.clone();
        p[k] = val;
        assert_eq!(kind(v.verify(sign(&p).as_bytes(), &at())), want, "{k}");
    }
}

/// SHA-3 digests (`_sd_alg` sha3-256, the EUDI dev PID issuer's choice)
/// round trip, as do sha-384 and sha-512.
#[test]
fn sd_alg_sha3_and_sha2_round_trip() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some("https://i.example"), None);
    let v = Verifier::new(trust, Policy::default());
    for alg in [
        "sha-256", "sha-384", "sha-512", "sha3-256", "sha3-384", "sha3-512",
    ] {
        let claims = json!({"iss": "https://i.example", "vct": "urn:x", "given_name": "E"});
        let sd = SdJwtVcIssuer::new(&key)
            .with_sd_alg(alg)
            .unwrap()
            .issue(
                claims.as_object().unwrap(),
                &Disclosable::All,
                None,
                UnixTime::from_secs(NOW),
            )
            .unwrap();
        let r = v.verify(sd.as_bytes(), &at()).unwrap();
        assert_eq!(r.claims()["given_name"], "E", "{alg}");
        // a disclosure changed by one byte fails under every algorithm
        let bad = sd.replacen('~', "~A", 1);
        assert!(v.verify(bad.as_bytes(), &at()).is_err(), "{alg}");
    }
}

/// An `--issuer-jwk` without `iss` whose key is exactly the key a did:jwk
/// issuer encodes is trust in that issuer.
#[test]
fn unbound_configured_key_equal_to_a_did_jwk_is_trust_in_it() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let did = format!("did:jwk:{}", b64(key.public_key().to_jwk()));
    let jwt = VcIssuer::new(&key)
        .with_kid(&format!("{did}#0"))
        .issue_jwt(&passerelle::examples::ca_person_credential(&did))
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_jwk(&key.public_key().to_jwk()).unwrap();
    let r = Verifier::new(trust, Policy::default())
        .verify(jwt.as_bytes(), &at())
        .unwrap();
    assert_eq!(r.issuer().id(), did);
    // another key is not
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_jwk(&other.public_key().to_jwk()).unwrap();
    assert_eq!(
        kind(Verifier::new(trust, Policy::default()).verify(jwt.as_bytes(), &at())),
        "untrusted"
    );
}

/// Fourth review: a DeviceResponse with documents of two holders (two device
/// keys, two persons, two issuers) is judged and reported document by
/// document; no top-level fact is taken from one document and presented as
/// the response's.
#[test]
fn two_documents_of_two_holders_are_never_merged_into_one_credential() {
    const PID: &str = "eu.europa.ec.eudi.pid.1";
    let mut pid = Forge::new();
    pid.doc_type = PID.into();
    pid.items = vec![
        (PID.into(), item(1, "given_name", ct("Other"))),
        (PID.into(), item(2, "family_name", ct("Person"))),
    ];
    let doc_b = pid.document();
    let mut mdl = Forge::new();
    mdl.response_edit = Box::new(move |v| {
        let docs = v
            .as_map_mut()
            .unwrap()
            .iter_mut()
            .find(|(k, _)| k.as_text() == Some("documents"))
            .unwrap();
        docs.1.as_array_mut().unwrap().push(doc_b.clone());
    });
    let mut trust = mdl.trust();
    trust.add_iaca_der(pid.pki.iaca.der()).unwrap();
    let bytes = mdl.build();
    let v = Verifier::new(trust, Policy::default());
    let results = v.verify_device_response(&bytes, &mdl.expect()).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].identity().given_name(), Some("Jane"));
    assert_eq!(results[1].identity().given_name(), Some("Other"));
    // two holders: each document is bound to its own device key
    assert_ne!(results[0].holder_binding(), results[1].holder_binding());
    // the single-result entry point refuses to pick one
    assert_eq!(kind(v.verify(&bytes, &mdl.expect())), "policy");
    // the CLI shape: per-document facts only inside documents
    let j = passerelle::device_response_json(&results);
    assert_eq!(j["valid"], true);
    assert_eq!(j["documents"].as_array().unwrap().len(), 2);
    for absent in [
        "issuer",
        "identity",
        "holder_binding",
        "policy_clause",
        "validity",
        "status",
    ] {
        assert!(j.get(absent).is_none(), "{absent} at the top level");
    }
    assert_eq!(j["claims"][MDL][NS]["given_name"], "Jane");
    assert_eq!(j["claims"][PID][PID]["given_name"], "Other");
    assert_eq!(j["documents"][1]["identity"]["given_name"], "Other");
}
