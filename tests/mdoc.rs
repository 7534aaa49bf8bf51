//! ISO/IEC 18013-5 mdoc: the Annex D example end to end, and round trips.

use crate::common::vector;
use passerelle::*;
use serde_json::{json, Value};

fn hex(path: &str) -> Vec<u8> {
    let t = vector(path);
    (0..t.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t.trim()[i..i + 2], 16).unwrap())
        .collect()
}

fn annex_d_key(name: &str) -> PrivateKey {
    let keys: Value = serde_json::from_str(&vector("iso18013-5-annexD/keys.json")).unwrap();
    let k = &keys[name];
    let h = |f: &str| {
        let s = k[f].as_str().unwrap();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
    };
    let public = PublicKey::from_ec_coordinates(Curve::P256, &h("x_hex"), &h("y_hex")).unwrap();
    PrivateKey::from_secret(Algorithm::Es256, &h("d_hex"), Some(&public)).unwrap()
}

/// The transcript of Annex D: SessionTranscriptBytes is tag 24 around the array.
fn annex_d_transcript() -> SessionTranscript {
    let tagged = hex("iso18013-5-annexD/session_transcript_bytes.hex");
    // d8 18 59 <len16> <array>
    assert_eq!(&tagged[..3], &[0xd8, 0x18, 0x59]);
    SessionTranscript::from_cbor(&tagged[5..]).unwrap()
}

const ANNEX_D_NOW: u64 = 1_609_459_200; // 2021-01-01T00:00:00Z

fn annex_d_verifier() -> Verifier {
    let mut trust = TrustStore::new();
    trust
        .add_anchor_der(&hex("iso18013-5-annexD/iaca_root_cert.der.hex"))
        .unwrap();
    Verifier::new(trust, Policy::default())
}

#[test]
fn annex_d_device_response_verifies_in_full_with_its_device_mac() {
    let response = hex("iso18013-5-annexD/device_response.hex");
    let expect = Expectations::at(UnixTime::from_secs(ANNEX_D_NOW))
        .session_transcript(annex_d_transcript())
        .reader_key(annex_d_key("ephemeral_reader_key"));
    let results = annex_d_verifier()
        .verify_device_response(&response, &expect)
        .unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r.format(), CredentialFormat::MsoMdoc);
    assert_eq!(r.credential_type(), DOCTYPE_MDL);
    let device = annex_d_key("static_device_key");
    match r.holder_binding() {
        HolderBinding::Verified { key_thumbprint, .. } => {
            assert_eq!(key_thumbprint, &device.public_key().jwk_thumbprint())
        }
        other => panic!("holder binding {other:?}"),
    }
    let portrait = hex("iso18013-5-annexD/portrait.jpg.hex");
    let b64 = base64url(&portrait);
    assert_eq!(
        r.claims(),
        &json!({DOCTYPE_MDL: {NAMESPACE_MDL: {
            "family_name": "Doe",
            "issue_date": "2019-10-20",
            "expiry_date": "2024-10-20",
            "document_number": "123456789",
            "portrait": b64,
            "driving_privileges": [
                {"vehicle_category_code": "A", "issue_date": "2018-08-09", "expiry_date": "2024-10-20"},
                {"vehicle_category_code": "B", "issue_date": "2017-02-23", "expiry_date": "2024-10-20"}
            ]
        }}})
    );
    assert!(r.issuer().id().contains("utopia ds"), "{}", r.issuer().id());
    assert_eq!(r.validity().issued_at, Some(1_601_559_002));
    assert_eq!(r.validity().expires, Some(1_633_095_002));
    assert_eq!(r.identity().to_json()["family_name"], "Doe");
}

fn base64url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn annex_d_issuer_data_verifies_without_a_transcript_and_binding_is_not_checked() {
    let response = hex("iso18013-5-annexD/device_response.hex");
    let r = annex_d_verifier()
        .verify_device_response(
            &response,
            &Expectations::at(UnixTime::from_secs(ANNEX_D_NOW)),
        )
        .unwrap();
    assert_eq!(r[0].holder_binding(), &HolderBinding::NotChecked);
    // and a policy that requires holder binding refuses it
    let mut trust = TrustStore::new();
    trust
        .add_anchor_der(&hex("iso18013-5-annexD/iaca_root_cert.der.hex"))
        .unwrap();
    let strict = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let e = strict
        .verify_device_response(
            &response,
            &Expectations::at(UnixTime::from_secs(ANNEX_D_NOW)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HolderBinding);
}

#[test]
fn annex_d_device_mac_fails_for_another_transcript_another_reader_key_or_none() {
    let response = hex("iso18013-5-annexD/device_response.hex");
    let now = UnixTime::from_secs(ANNEX_D_NOW);
    let other = SessionTranscript::openid4vp("x509_san_dns:rp.example", "n", None, "https://rp");
    let e = annex_d_verifier()
        .verify_device_response(
            &response,
            &Expectations::at(now)
                .session_transcript(other)
                .reader_key(annex_d_key("ephemeral_reader_key")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HolderBinding, "{e}");
    let e = annex_d_verifier()
        .verify_device_response(
            &response,
            &Expectations::at(now)
                .session_transcript(annex_d_transcript())
                .reader_key(annex_d_key("ephemeral_device_key")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HolderBinding, "{e}");
    let e = annex_d_verifier()
        .verify_device_response(
            &response,
            &Expectations::at(now).session_transcript(annex_d_transcript()),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}

#[test]
fn annex_d_at_the_real_date_the_document_signer_has_expired_and_without_the_iaca_it_is_untrusted() {
    let response = hex("iso18013-5-annexD/device_response.hex");
    let e = annex_d_verifier()
        .verify_device_response(
            &response,
            &Expectations::at(UnixTime::from_secs(1_790_000_000)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired, "{e}");
    let e = Verifier::new(TrustStore::new(), Policy::default())
        .verify_device_response(
            &response,
            &Expectations::at(UnixTime::from_secs(ANNEX_D_NOW)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

#[test]
fn ecdh_on_ring_agrees_both_ways_with_the_annex_d_keys() {
    let reader = annex_d_key("ephemeral_reader_key");
    let device = annex_d_key("static_device_key");
    let a = reader.agree(device.public_key()).unwrap();
    let b = device.agree(reader.public_key()).unwrap();
    assert_eq!(a.as_slice(), b.as_slice());
    assert_eq!(a.len(), 32);
    let fresh = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_ne!(
        fresh.agree(device.public_key()).unwrap().as_slice(),
        a.as_slice()
    );
    let ed = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    assert_eq!(
        ed.agree(device.public_key()).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let p384 = PrivateKey::generate(Algorithm::Es384).unwrap();
    assert_eq!(
        p384.agree(device.public_key()).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

// ---------------------------------------------------------------------------
// Round trips with a test PKI

pub struct Pki {
    pub iaca: Certificate,
    pub ds_key: PrivateKey,
    pub ds: Certificate,
    pub now: UnixTime,
}

pub fn pki() -> Pki {
    let now = UnixTime::from_secs(1_790_000_000);
    let iaca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iaca = CertificateBuilder::new("Test IACA")
        .country("UT")
        .ca(Some(0))
        .validity(
            UnixTime::from_secs(now.as_secs() - 86_400),
            UnixTime::from_secs(now.as_secs() + 86_400 * 3650),
        )
        .self_signed(&iaca_key)
        .unwrap();
    let ds_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ds = CertificateBuilder::new("Test DS")
        .country("UT")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(
            UnixTime::from_secs(now.as_secs() - 86_400),
            UnixTime::from_secs(now.as_secs() + 86_400 * 400),
        )
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    Pki {
        iaca,
        ds_key,
        ds,
        now,
    }
}

fn verifier_for(p: &Pki) -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_anchor_der(p.iaca.der()).unwrap();
    Verifier::new(trust, Policy::default())
}

#[test]
fn mdl_round_trip_with_device_signature_and_each_handover() {
    let p = pki();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let elements = json!({NAMESPACE_MDL: {
        "family_name": "Doe", "given_name": "Jane", "birth_date": "1990-02-03",
        "age_over_18": true, "portrait": "AAECAw", "document_number": "X1",
        "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2010-01-01"}]
    }});
    let issued = MdocIssuer::new(&p.ds_key, &[p.ds.clone(), p.iaca.clone()])
        .issue(
            DOCTYPE_MDL,
            elements.as_object().unwrap(),
            device.public_key(),
            p.now,
        )
        .unwrap();
    let held = HeldMdoc::parse(&issued).unwrap();
    assert_eq!(held.claims().unwrap(), elements);
    for t in [
        SessionTranscript::openid4vp(
            "x509_san_dns:rp.example",
            "n-1",
            Some(&[7u8; 32]),
            "https://rp.example/cb",
        ),
        SessionTranscript::openid4vp_dc_api("https://rp.example", "n-2", None),
        SessionTranscript::iso_18013_7(
            "rp.example",
            "https://rp.example/cb",
            "n-3",
            "wallet-nonce",
        ),
    ] {
        let resp = held
            .present(
                &[
                    (NAMESPACE_MDL, "given_name"),
                    (NAMESPACE_MDL, "birth_date"),
                    (NAMESPACE_MDL, "driving_privileges"),
                ],
                &t,
                &device,
            )
            .unwrap();
        let r = verifier_for(&p)
            .verify_device_response(
                &resp,
                &Expectations::at(p.now).session_transcript(t.clone()),
            )
            .unwrap();
        assert_eq!(
            r[0].claims(),
            &json!({DOCTYPE_MDL: {NAMESPACE_MDL: {
                "given_name": "Jane", "birth_date": "1990-02-03",
                "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2010-01-01"}]}}})
        );
        assert_eq!(r[0].identity().to_json()["given_name"], "Jane");
        assert_eq!(r[0].identity().to_json()["birth_date"], "1990-02-03");
        assert!(matches!(
            r[0].holder_binding(),
            HolderBinding::Verified { .. }
        ));
    }
}

#[test]
fn handovers_are_not_interchangeable() {
    let p = pki();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let elements = json!({NAMESPACE_MDL: {"family_name": "Doe"}});
    let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
        .issue(
            DOCTYPE_MDL,
            elements.as_object().unwrap(),
            device.public_key(),
            p.now,
        )
        .unwrap();
    let held = HeldMdoc::parse(&issued).unwrap();
    let said = SessionTranscript::openid4vp("c", "n", None, "https://r");
    let resp = held
        .present(&[(NAMESPACE_MDL, "family_name")], &said, &device)
        .unwrap();
    for expected in [
        SessionTranscript::openid4vp("c", "n2", None, "https://r"),
        SessionTranscript::openid4vp("c2", "n", None, "https://r"),
        SessionTranscript::openid4vp("c", "n", None, "https://r2"),
        SessionTranscript::openid4vp("c", "n", Some(&[0u8; 32]), "https://r"),
        SessionTranscript::openid4vp_dc_api("c", "n", None),
        SessionTranscript::iso_18013_7("c", "https://r", "n", "m"),
    ] {
        let e = verifier_for(&p)
            .verify_device_response(&resp, &Expectations::at(p.now).session_transcript(expected))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::HolderBinding);
    }
}

#[test]
fn pid_mdoc_with_device_mac_round_trips_and_maps_to_the_identity_view() {
    let p = pki();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let reader = PrivateKey::generate(Algorithm::Es256).unwrap();
    let elements = json!({NAMESPACE_EU_PID: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1964-08-12",
        "age_over_18": true, "nationality": ["DE"], "issuing_country": "DE"
    }});
    let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
        .issue(
            DOCTYPE_EU_PID,
            elements.as_object().unwrap(),
            device.public_key(),
            p.now,
        )
        .unwrap();
    let held = HeldMdoc::parse(&issued).unwrap();
    let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
    let resp = held
        .present_with_mac(
            &[
                (NAMESPACE_EU_PID, "given_name"),
                (NAMESPACE_EU_PID, "family_name"),
                (NAMESPACE_EU_PID, "age_over_18"),
            ],
            &t,
            &device,
            reader.public_key(),
        )
        .unwrap();
    let r = verifier_for(&p)
        .verify_device_response(
            &resp,
            &Expectations::at(p.now)
                .session_transcript(t.clone())
                .reader_key(reader),
        )
        .unwrap();
    let id = r[0].identity().to_json();
    assert_eq!(id["given_name"], "Erika");
    assert_eq!(id["family_name"], "Mustermann");
    let wrong_reader = PrivateKey::generate(Algorithm::Es256).unwrap();
    let e = verifier_for(&p)
        .verify_device_response(
            &resp,
            &Expectations::at(p.now)
                .session_transcript(t)
                .reader_key(wrong_reader),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HolderBinding);
}

#[test]
fn the_wallet_refuses_a_foreign_key_and_an_element_it_does_not_hold() {
    let p = pki();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    let elements = json!({NAMESPACE_MDL: {"family_name": "Doe"}});
    let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
        .issue(
            DOCTYPE_MDL,
            elements.as_object().unwrap(),
            device.public_key(),
            p.now,
        )
        .unwrap();
    let held = HeldMdoc::parse(&issued).unwrap();
    let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
    assert_eq!(
        held.present(&[(NAMESPACE_MDL, "family_name")], &t, &other)
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        held.present(&[(NAMESPACE_MDL, "given_name")], &t, &device)
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn j10_an_iaca_anchors_mdoc_document_signers_only() {
    let p = pki();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_iaca_der(p.iaca.der()).unwrap();
    let v = Verifier::new(trust, Policy::default());
    // an mdoc signed by the document signer verifies under the IACA
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
    v.verify_device_response(&resp, &Expectations::at(p.now).session_transcript(t))
        .unwrap();
    // an SD-JWT VC whose x5c chains to the same IACA does not
    let sd = SdJwtVcIssuer::new(&p.ds_key)
        .with_x5c(std::slice::from_ref(&p.ds))
        .issue(
            json!({"iss": "https://issuer.example", "vct": "urn:eudi:pid:1", "given_name": "Jane"})
                .as_object()
                .unwrap(),
            &Disclosable::All,
            None,
            p.now,
        )
        .unwrap();
    let e = v
        .verify(sd.as_bytes(), &Expectations::at(p.now))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

#[test]
fn iacas_and_levels_from_a_trust_file() {
    let p = pki();
    let trust = TrustStore::from_json(
        &json!({"iacas": [{"pem": p.iaca.to_pem(), "framework": "eIDAS", "assurance_level": "eIDAS-high"}]})
            .to_string(),
        UnixTime::from_secs(1_790_000_000),
    )
    .unwrap();
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
        .issue(
            DOCTYPE_EU_PID,
            json!({NAMESPACE_EU_PID: {"given_name": "Erika", "family_name": "M", "age_over_18": true}})
                .as_object()
                .unwrap(),
            device.public_key(),
            p.now,
        )
        .unwrap();
    let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
    let resp = HeldMdoc::parse(&issued)
        .unwrap()
        .present(
            &[
                (NAMESPACE_EU_PID, "given_name"),
                (NAMESPACE_EU_PID, "family_name"),
                (NAMESPACE_EU_PID, "age_over_18"),
            ],
            &t,
            &device,
        )
        .unwrap();
    let recognition = Recognition::from_json(
        r#"{"accept": [{"name": "eu-pid-high", "formats": ["mso_mdoc"], "credential_types": ["eu.europa.ec.eudi.pid.1"], "min_assurance": "PCTF-LOA4"}],
            "require_attributes": ["given_name", "family_name", "age_over_18"]}"#,
    )
    .unwrap();
    let r = Verifier::new(trust, Policy::default().recognition(recognition))
        .verify(&resp, &Expectations::at(p.now).session_transcript(t))
        .unwrap();
    assert_eq!(r.issuer().assurance_level(), Some("eIDAS-high"));
    assert_eq!(r.policy_clause(), Some("eu-pid-high"));
}

#[test]
fn j23_issuing_country_must_match_the_iaca_country() {
    let p = pki(); // IACA C=UT
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
    for (country, want) in [("UT", None), ("FR", Some(ErrorKind::Policy))] {
        let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
            .issue(
                DOCTYPE_MDL,
                json!({NAMESPACE_MDL: {"issuing_country": country}})
                    .as_object()
                    .unwrap(),
                device.public_key(),
                p.now,
            )
            .unwrap();
        let resp = HeldMdoc::parse(&issued)
            .unwrap()
            .present(&[(NAMESPACE_MDL, "issuing_country")], &t, &device)
            .unwrap();
        let r = verifier_for(&p).verify_device_response(
            &resp,
            &Expectations::at(p.now).session_transcript(t.clone()),
        );
        assert_eq!(r.err().map(|e| e.kind()), want, "{country}");
    }
}
