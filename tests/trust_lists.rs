//! Trust lists through the public API: the real AAMVA VICAL (ISO 18013-5
//! Annex C), and LoTE (ETSI TS 119 602) lists signed here. Kinds only.

use passerelle::{ErrorKind, TrustStore, UnixTime};

const AAMVA_VICAL: &[u8] =
    include_bytes!("../test-vectors/aamva-vical/aamva-vical-2025-11-18-1763491092481.cbor");
const AAMVA_ROOT: &str = include_str!("../test-vectors/aamva-vical/aamva_ca_root.crt");
const AAMVA_ISSUING_CA: &str =
    include_str!("../test-vectors/aamva-vical/aamva_ca_intermediate.crt");
/// 2025-11-19T00:00:00Z, between the VICAL's `date` and `nextUpdate`.
const AAMVA_NOW: u64 = 1_763_510_400;

#[test]
fn aamva_vical_verifies_to_the_aamva_root() {
    let mut trust = TrustStore::new();
    let v = trust
        .add_vical(AAMVA_VICAL, AAMVA_ROOT, UnixTime::from_secs(AAMVA_NOW))
        .unwrap();
    assert_eq!(v.provider(), "AAMVA");
    assert_eq!(v.version(), "1.0");
    assert_eq!(v.issue_id(), Some(227_602));
    assert!(v.signer_subject().contains("AAMVA Prod Vical-Signer-01"));
    // 14 IACAs, all for mDL; none refused.
    assert_eq!(v.entries().len(), 14);
    assert!(v.refused().is_empty(), "{:?}", v.refused());
    assert!(v
        .entries()
        .iter()
        .all(|e| e.doc_types() == ["org.iso.18013.5.1.mDL"]));
    // Three distinct IACAs share one subject: all kept (told apart by key).
    let arizona = v
        .entries()
        .iter()
        .filter(|e| e.subject().contains("MVMProdCA"))
        .count();
    assert_eq!(arizona, 3);
}

#[test]
fn aamva_vical_also_verifies_to_the_issuing_ca_as_authority() {
    let mut trust = TrustStore::new();
    let v = trust.add_vical(
        AAMVA_VICAL,
        AAMVA_ISSUING_CA,
        UnixTime::from_secs(AAMVA_NOW),
    );
    assert_eq!(v.unwrap().entries().len(), 14);
}

#[test]
fn tl09_aamva_vical_under_another_authority_is_untrusted() {
    let key = passerelle::PrivateKey::generate(passerelle::Algorithm::Es256).unwrap();
    let other = passerelle::CertificateBuilder::new("Not AAMVA")
        .validity(
            UnixTime::from_secs(1_700_000_000),
            UnixTime::from_secs(1_900_000_000),
        )
        .ca(None)
        .self_signed(&key)
        .unwrap();
    let mut trust = TrustStore::new();
    let r = trust.add_vical(AAMVA_VICAL, &other.to_pem(), UnixTime::from_secs(AAMVA_NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn tl04_aamva_vical_after_its_next_update_is_policy() {
    let mut trust = TrustStore::new();
    // 2025-11-20: a day after nextUpdate.
    let r = trust.add_vical(
        AAMVA_VICAL,
        AAMVA_ROOT,
        UnixTime::from_secs(AAMVA_NOW + 2 * 86_400),
    );
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Policy);
}

#[test]
fn tl09_aamva_vical_after_its_signer_expired_is_expired() {
    let mut trust = TrustStore::new();
    // 2026-05-01: the signer certificate ended on 2026-04-18 (checked before
    // freshness, so the more specific kind wins over the stale list).
    let r = trust.add_vical(AAMVA_VICAL, AAMVA_ROOT, UnixTime::from_secs(1_777_593_600));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Expired);
}

#[test]
fn aamva_vical_with_one_changed_byte_fails() {
    let mut bytes = AAMVA_VICAL.to_vec();
    // The payload's `vicalProvider` value (text "AAMVA", head 0x65).
    let needle = b"vicalProvider\x65AAMVA";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[at + 15] = b'B';
    let mut trust = TrustStore::new();
    let r = trust.add_vical(&bytes, AAMVA_ROOT, UnixTime::from_secs(AAMVA_NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Signature);
}

// ---------------------------------------------------------------------------
// LoTE (ETSI TS 119 602) through the public API.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use passerelle::{
    Algorithm, Certificate, CertificateBuilder, Disclosable, Expectations, Policy, PrivateKey,
    SdJwtVcIssuer, Signer as _, Verifier,
};
use serde_json::json;

const NOW: u64 = 1_800_000_000;
const ISS: &str = "https://pid.example";
const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";

fn t(s: u64) -> UnixTime {
    UnixTime::from_secs(s)
}

struct Eco {
    list_root: Certificate,
    list_signer: Certificate,
    list_key: PrivateKey,
    pid_ca: Certificate,
    pid_issuer: Certificate,
    pid_key: PrivateKey,
}

fn eco() -> Eco {
    let (from, to) = (t(NOW - 86_400), t(NOW + 86_400 * 365));
    let root_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let list_root = CertificateBuilder::new("LoTE Operator Root")
        .validity(from, to)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let list_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let list_signer = CertificateBuilder::new("LoTE Signer")
        .validity(from, to)
        .end_entity()
        .issued_by(&list_root, &root_key, list_key.public_key())
        .unwrap();
    let ca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let pid_ca = CertificateBuilder::new("PID Provider CA")
        .validity(from, to)
        .ca(Some(0))
        .self_signed(&ca_key)
        .unwrap();
    let pid_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let pid_issuer = CertificateBuilder::new("PID Issuer")
        .validity(from, to)
        .end_entity()
        .uri(ISS)
        .issued_by(&pid_ca, &ca_key, pid_key.public_key())
        .unwrap();
    Eco {
        list_root,
        list_signer,
        list_key,
        pid_ca,
        pid_issuer,
        pid_key,
    }
}

/// A PID providers LoTE listing `e.pid_ca`, granted since NOW - 10 000 and,
/// when `withdrawn_at` is given, withdrawn from then on.
fn pid_lote(e: &Eco, withdrawn_at: Option<u64>) -> Vec<u8> {
    lote_with_service(
        e,
        withdrawn_at,
        "http://uri.etsi.org/19602/SvcType/PID/Issuance",
    )
}

/// [`pid_lote`] with another service type for the listed CA.
fn lote_with_service(e: &Eco, withdrawn_at: Option<u64>, service_type: &str) -> Vec<u8> {
    lote_seq(e, withdrawn_at, service_type, 1)
}

/// [`lote_with_service`] with a given `LoTESequenceNumber`.
fn lote_seq(e: &Eco, withdrawn_at: Option<u64>, service_type: &str, seq: u64) -> Vec<u8> {
    let mut info = json!({
        "ServiceTypeIdentifier": service_type,
        "ServiceDigitalIdentity": {"X509Certificates": [{"val": STANDARD.encode(e.pid_ca.der())}]},
        "ServiceStatus": GRANTED,
        "StatusStartingTime": t(NOW - 10_000).to_rfc3339(),
    });
    let mut history = json!([]);
    if let Some(w) = withdrawn_at {
        info["ServiceStatus"] = json!(WITHDRAWN);
        info["StatusStartingTime"] = json!(t(w).to_rfc3339());
        history =
            json!([{"ServiceStatus": GRANTED, "StatusStartingTime": t(NOW - 10_000).to_rfc3339()}]);
    }
    let body = json!({"LoTE": {
        "ListAndSchemeInformation": {
            "LoTEVersionIdentifier": 1,
            "LoTESequenceNumber": seq,
            "LoTEType": "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList",
            "SchemeOperatorName": [{"lang": "en", "value": "EU"}],
            "ListIssueDateTime": t(NOW - 100).to_rfc3339(),
            "NextUpdate": t(NOW + 86_400).to_rfc3339(),
        },
        "TrustedEntitiesList": [{
            "TrustedEntityInformation": {"TEName": [{"lang": "en", "value": "PID Provider"}]},
            "TrustedEntityServices": [{"ServiceInformation": info, "ServiceHistory": history}],
        }],
    }});
    let header = json!({
        "alg": "ES256",
        "x5c": [STANDARD.encode(e.list_signer.der())],
        "sigT": t(NOW - 50).to_rfc3339(),
        "crit": ["sigT"],
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(body.to_string())
    );
    let sig = e.list_key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)).into_bytes()
}

/// Until the store is wired: the PID issuer anchors of a checked LoTE that
/// are active at `at`, added as anchors; then a PID whose x5c chains to the
/// listed CA is verified at `at`.
fn verify_pid_through_lote(e: &Eco, lote: &[u8], at: u64) -> passerelle::Result<usize> {
    let mut trust = TrustStore::new();
    let list = trust
        .add_trusted_list(lote, &e.list_root.to_pem(), t(NOW))
        .unwrap();
    let mut anchored = 0;
    for entity in list.entities() {
        for s in entity.services() {
            let active = format!("{:?}", s.status_at(t(at))).starts_with("Active");
            if format!("{:?}", s.capability()) == "Issuance(Pid)" && active {
                for id in s.identities() {
                    if let Some(der) = id.certificate_der() {
                        trust.add_anchor_der(der).unwrap();
                        anchored += 1;
                    }
                }
            }
        }
    }
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "given_name": "Erika"});
    let pid = SdJwtVcIssuer::new(&e.pid_key)
        .with_x5c(std::slice::from_ref(&e.pid_issuer))
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder.public_key()),
            t(at),
        )
        .unwrap();
    Verifier::new(trust, Policy::default())
        .verify(pid.as_bytes(), &Expectations::at(t(at)))
        .map(|_| anchored)
}

#[test]
fn pid_chaining_to_a_lote_pid_provider_verifies_and_fails_once_withdrawn() {
    let e = eco();
    assert_eq!(
        verify_pid_through_lote(&e, &pid_lote(&e, None), NOW).unwrap(),
        1
    );
    // TL-05: withdrawn at NOW - 1 000; judged at NOW it is untrusted,
    // judged before the withdrawal it still verifies.
    let lote = pid_lote(&e, Some(NOW - 1_000));
    let r = verify_pid_through_lote(&e, &lote, NOW);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
    verify_pid_through_lote(&e, &lote, NOW - 5_000).unwrap();
}

#[test]
fn list_anchor_never_anchors_a_credential() {
    // The list operator's root is given as a list anchor only: a PID whose
    // chain ends there is not trusted by it.
    let e = eco();
    let mut trust = TrustStore::new();
    let _list = trust
        .add_trusted_list(&pid_lote(&e, None), &e.list_root.to_pem(), t(NOW))
        .unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1"});
    let pid = SdJwtVcIssuer::new(&e.list_key)
        .with_x5c(std::slice::from_ref(&e.list_signer))
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder.public_key()),
            t(NOW),
        )
        .unwrap();
    let r =
        Verifier::new(trust, Policy::default()).verify(pid.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn tl07_tl08_lote_through_the_store() {
    let e = eco();
    let mut trust = TrustStore::new();
    let pem = e.list_root.to_pem();
    let big = vec![b'a'; 50 * 1024 * 1024];
    assert_eq!(
        trust
            .add_trusted_list(&big, &pem, t(NOW))
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );
    let unsigned = br#"{"LoTE": {"ListAndSchemeInformation": {}}}"#;
    assert_eq!(
        trust
            .add_trusted_list(unsigned, &pem, t(NOW))
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    // TL-04 through the store: stale a day after NextUpdate.
    let r = trust.add_trusted_list(&pid_lote(&e, None), &pem, t(NOW + 2 * 86_400));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Policy);
}

#[test]
fn tl01_xml_with_a_dtd_or_entities_is_malformed_before_parsing() {
    let e = eco();
    let mut trust = TrustStore::new();
    let pem = e.list_root.to_pem();
    for xml in [
        &br#"<?xml version="1.0"?><!DOCTYPE TrustServiceStatusList [<!ENTITY x SYSTEM "file:///etc/passwd">]><TrustServiceStatusList>&x;</TrustServiceStatusList>"#[..],
        br#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#,
        b"  <!doctype x><x/>",
    ] {
        let r = trust.add_trusted_list(xml, &pem, t(NOW));
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Malformed);
    }
    // Not a TS 119 612 list (no namespace): malformed; a TS 119 612 list
    // without a signature: untrusted.
    let r = trust.add_trusted_list(b"<TrustServiceStatusList/>", &pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Malformed);
    let unsigned = br#"<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"/>"#;
    let r = trust.add_trusted_list(unsigned, &pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn aamva_vical_inspect_json() {
    let mut trust = TrustStore::new();
    let v = trust
        .add_vical(AAMVA_VICAL, AAMVA_ROOT, UnixTime::from_secs(AAMVA_NOW))
        .unwrap();
    let j = v.to_json();
    assert_eq!(j["provider"], "AAMVA");
    assert_eq!(j["entries"].as_array().unwrap().len(), 14);
    assert_eq!(j["next_update"], "2025-11-19T18:38:12Z");
}

// ---------------------------------------------------------------------------
// TS 119 612: a LOTL and a national list, both signed by xadesjs.

fn xades(xml: &str, key: &PrivateKey, cert: &Certificate) -> Vec<u8> {
    xades_with(xml, &key.to_jwk(), &cert.to_pem())
}

/// [`xades`] with the signer's private JWK (EC P-256 or RSA) and its
/// certificates (PEM, signer first) as text.
fn xades_with(xml: &str, jwk: &str, certs_pem: &str) -> Vec<u8> {
    use std::process::Command;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/xmldsig");
    assert!(Command::new("bash")
        .arg(dir.join("setup.sh"))
        .status()
        .unwrap()
        .success());
    let tmp = std::env::temp_dir();
    let id = format!("{}-{}", std::process::id(), xml.len());
    let (x, k, c) = (
        tmp.join(format!("pl-{id}.xml")),
        tmp.join(format!("pl-{id}.jwk")),
        tmp.join(format!("pl-{id}.pem")),
    );
    std::fs::write(&x, xml).unwrap();
    std::fs::write(&k, jwk).unwrap();
    std::fs::write(&c, certs_pem).unwrap();
    let out = Command::new("node")
        .arg(dir.join("xades/sign.mjs"))
        .arg("--exc")
        .args([&x, &k, &c])
        .arg(t(NOW - 60).to_rfc3339())
        .output()
        .unwrap();
    for f in [&x, &k, &c] {
        let _ = std::fs::remove_file(f);
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// An RSA list-signer PKI made by pyca/cryptography
/// (`interop/xmldsig/rsa_pki.py`): root and signer PEM, the signer's private
/// JWK (for xadesjs) and PKCS #8 DER.
struct RsaPki {
    root_pem: String,
    signer_pem: String,
    signer_jwk: String,
    signer_pkcs8: Vec<u8>,
}

fn rsa_pki(root_bits: u32, signer_bits: u32) -> RsaPki {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop");
    let py = root.join("status/.venv/bin/python");
    assert!(py.exists(), "interop peers missing: run interop/setup.sh");
    let out = std::process::Command::new(py)
        .arg(root.join("xmldsig/rsa_pki.py"))
        .args([
            root_bits.to_string(),
            signer_bits.to_string(),
            (NOW - 86_400).to_string(),
            (NOW + 86_400 * 365).to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    RsaPki {
        root_pem: j["root_pem"].as_str().unwrap().to_owned(),
        signer_pem: j["signer_pem"].as_str().unwrap().to_owned(),
        signer_jwk: j["signer_jwk"].to_string(),
        signer_pkcs8: STANDARD
            .decode(j["signer_pkcs8"].as_str().unwrap())
            .unwrap(),
    }
}

fn xades_verifies(xml: &[u8]) -> bool {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/xmldsig");
    let f = std::env::temp_dir().join(format!("pl-v-{}-{}.xml", std::process::id(), xml.len()));
    std::fs::write(&f, xml).unwrap();
    let out = std::process::Command::new("node")
        .arg(dir.join("xades/verify.mjs"))
        .arg(&f)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&f);
    out.status.success()
}

#[test]
fn rsa_signed_trusted_list_from_xadesjs_verifies_and_a_changed_byte_fails_on_both_sides() {
    let pki = rsa_pki(3072, 2048);
    let signed = xades_with(&tsl("", ""), &pki.signer_jwk, &pki.signer_pem);
    assert!(String::from_utf8_lossy(&signed).contains("xmldsig-more#rsa-sha256"));
    let mut trust = TrustStore::new();
    let list = trust
        .add_trusted_list(&signed, &pki.root_pem, t(NOW))
        .unwrap();
    assert_eq!(list.signer().subject, "CN=RSA TL Signer");
    assert!(xades_verifies(&signed));
    // one changed byte of the signed list: refused here, and by xadesjs
    let text = String::from_utf8(signed.clone()).unwrap();
    let tampered = text.replacen("<TSLSequenceNumber>1<", "<TSLSequenceNumber>2<", 1);
    assert_ne!(tampered, text);
    let r = TrustStore::new().add_trusted_list(tampered.as_bytes(), &pki.root_pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Signature);
    assert!(!xades_verifies(tampered.as_bytes()));
    // the RSA signature relabelled as ECDSA: refused (the method does not
    // fit the signer's key), never tried as another algorithm
    let relabelled = text.replace(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    );
    let r = TrustStore::new().add_trusted_list(relabelled.as_bytes(), &pki.root_pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Signature);
    // under another root: untrusted
    let other = rsa_pki(2048, 2048);
    let r = TrustStore::new().add_trusted_list(&signed, &other.root_pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);

    // The EU case: an (EC-signed) LOTL announces the RSA signer of a
    // national list; the national list is then trusted through the LOTL,
    // and the other RSA signer, which it does not announce, is not.
    let e = eco();
    let signer = &Certificate::from_pem(&pki.signer_pem).unwrap()[0];
    let pointer = format!(
        r#"<PointersToOtherTSL><OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities><TSLLocation>https://nat.example/tl.xml</TSLLocation></OtherTSLPointer></PointersToOtherTSL>"#,
        STANDARD.encode(signer.der())
    );
    let lotl = xades(&tsl(&pointer, ""), &e.list_key, &e.list_signer);
    let mut trust = TrustStore::new();
    let lotl = trust
        .add_trusted_list(&lotl, &e.list_root.to_pem(), t(NOW))
        .unwrap();
    let nat = trust
        .add_pointed_list(&signed, &lotl.pointers()[0], t(NOW))
        .unwrap();
    assert_eq!(nat.signer().subject, "CN=RSA TL Signer");
    let by_other = xades_with(&tsl("", ""), &other.signer_jwk, &other.signer_pem);
    let r = trust.add_pointed_list(&by_other, &lotl.pointers()[0], t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn rsa_list_signers_under_2048_bits_are_refused() {
    // a 1024-bit signer key under a sound root
    let pki = rsa_pki(2048, 1024);
    let signed = xades_with(&tsl("", ""), &pki.signer_jwk, &pki.signer_pem);
    assert!(xades_verifies(&signed), "the peer accepts what we refuse");
    let e = TrustStore::new()
        .add_trusted_list(&signed, &pki.root_pem, t(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("1024 bits"), "{e}");
    // a 1024-bit root signing a 2048-bit signer: webpki's RSA algorithms
    // take 2048 bits and up, so no path to the root is found (untrusted)
    let pki = rsa_pki(1024, 2048);
    let signed = xades_with(&tsl("", ""), &pki.signer_jwk, &pki.signer_pem);
    let e = TrustStore::new()
        .add_trusted_list(&signed, &pki.root_pem, t(NOW))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

#[test]
fn rsa_signed_lote_rs256_verifies_and_an_rsa_list_anchor_anchors_no_credential() {
    let e = eco();
    let pki = rsa_pki(2048, 2048);
    let signer_der = Certificate::from_pem(&pki.signer_pem).unwrap();
    let body = json!({"LoTE": {
        "ListAndSchemeInformation": {
            "LoTEVersionIdentifier": 1,
            "LoTESequenceNumber": 1,
            "LoTEType": "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList",
            "SchemeOperatorName": [{"lang": "en", "value": "EU"}],
            "ListIssueDateTime": t(NOW - 100).to_rfc3339(),
            "NextUpdate": t(NOW + 86_400).to_rfc3339(),
        },
        "TrustedEntitiesList": [{
            "TrustedEntityInformation": {"TEName": [{"lang": "en", "value": "PID Provider"}]},
            "TrustedEntityServices": [{"ServiceInformation": {
                "ServiceTypeIdentifier": "http://uri.etsi.org/19602/SvcType/PID/Issuance",
                "ServiceDigitalIdentity": {"X509Certificates": [{"val": STANDARD.encode(e.pid_ca.der())}]},
                "ServiceStatus": GRANTED,
                "StatusStartingTime": t(NOW - 10_000).to_rfc3339(),
            }}],
        }],
    }});
    let sign = |alg: &str| {
        let header = json!({"alg": alg, "x5c": [STANDARD.encode(signer_der[0].der())]});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(body.to_string())
        );
        let kp = ring::signature::RsaKeyPair::from_pkcs8(&pki.signer_pkcs8).unwrap();
        let mut sig = vec![0u8; kp.public().modulus_len()];
        kp.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)).into_bytes()
    };
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&pki.root_pem).unwrap();
    let opts = passerelle::ListOptions::default();
    let held = trust.add_list(&sign("RS256"), t(NOW), &opts).unwrap();
    assert_eq!(held.signer().subject, "CN=RSA TL Signer");
    // the PID issuer under the listed CA verifies, named by the list
    let pid = issue_pid(&e.pid_key, &e.pid_issuer, NOW - 60);
    let r = Verifier::new(trust, Policy::default())
        .verify(pid.as_bytes(), &Expectations::at(t(NOW)))
        .unwrap();
    match r.issuer().trust() {
        passerelle::TrustBasis::List { kind, anchor, .. } => {
            assert_eq!(kind, "lote");
            assert_eq!(anchor, "CN=PID Provider CA");
        }
        other => panic!("{other:?}"),
    }
    // an RS256 signature announced as RS384: refused
    let r = TrustStore::new().add_trusted_list(&sign("RS384"), &pki.root_pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Signature);
    // PS256 is not in the set
    let r = TrustStore::new().add_trusted_list(&sign("PS256"), &pki.root_pem, t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Unsupported);
    // the RSA list root is trusted for list signers only
    let mut only_lists = TrustStore::new();
    only_lists.add_list_anchor_pem(&pki.root_pem).unwrap();
    let r = Verifier::new(only_lists, Policy::default())
        .verify(pid.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

fn tsl(pointer: &str, body: &str) -> String {
    format!(
        r#"<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" Id="tl"><SchemeInformation><TSLVersionIdentifier>6</TSLVersionIdentifier><TSLSequenceNumber>1</TSLSequenceNumber>{pointer}<ListIssueDateTime>{}</ListIssueDateTime><NextUpdate><dateTime>{}</dateTime></NextUpdate></SchemeInformation>{body}</TrustServiceStatusList>"#,
        t(NOW - 100).to_rfc3339(),
        t(NOW + 86_400).to_rfc3339()
    )
}

#[test]
fn lotl_to_national_list_through_the_store() {
    let e = eco();
    // The national operator's signer, under its own root.
    let nat_root_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let (from, to) = (t(NOW - 86_400), t(NOW + 86_400 * 365));
    let nat_root = CertificateBuilder::new("National Root")
        .validity(from, to)
        .ca(None)
        .self_signed(&nat_root_key)
        .unwrap();
    let nat_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let nat_signer = CertificateBuilder::new("National TL Signer")
        .validity(from, to)
        .end_entity()
        .issued_by(&nat_root, &nat_root_key, nat_key.public_key())
        .unwrap();
    let pointer = format!(
        r#"<PointersToOtherTSL><OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities><TSLLocation>https://nat.example/tl.xml</TSLLocation></OtherTSLPointer></PointersToOtherTSL>"#,
        STANDARD.encode(nat_signer.der())
    );
    let lotl = xades(&tsl(&pointer, ""), &e.list_key, &e.list_signer);
    let provider = format!(
        r#"<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">QTSP</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity><ServiceStatus>{GRANTED}</ServiceStatus><StatusStartingTime>{}</StatusStartingTime></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>"#,
        STANDARD.encode(e.pid_ca.der()),
        t(NOW - 10_000).to_rfc3339()
    );
    let national = xades(&tsl("", &provider), &nat_key, &nat_signer);

    let mut trust = TrustStore::new();
    let lotl = trust
        .add_trusted_list(&lotl, &e.list_root.to_pem(), t(NOW))
        .unwrap();
    let j = lotl.to_json(t(NOW));
    assert_eq!(j["pointers"][0]["location"], "https://nat.example/tl.xml");
    let nat = trust
        .add_pointed_list(&national, &lotl.pointers()[0], t(NOW))
        .unwrap();
    assert_eq!(nat.signer().subject, "CN=National TL Signer");
    let svc = &nat.entities()[0].services()[0];
    assert!(format!("{:?}", svc.status_at(t(NOW))).starts_with("Active"));
    // TL-03: the national list under the operator's list anchor alone is
    // untrusted (its signer chains to the national root, not to it).
    let r = trust.add_trusted_list(&national, &e.list_root.to_pem(), t(NOW));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

// ---------------------------------------------------------------------------
// The store wired: the list itself anchors, and the result names it.

fn issue_pid(key: &PrivateKey, chain: &Certificate, at: u64) -> String {
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "given_name": "Erika"});
    SdJwtVcIssuer::new(key)
        .with_x5c(std::slice::from_ref(chain))
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder.public_key()),
            t(at),
        )
        .unwrap()
}

#[test]
fn pid_anchored_by_the_held_lote_names_the_list_and_is_eidas_high() {
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let opts = passerelle::ListOptions::default();
    trust.add_list(&pid_lote(&e, None), t(NOW), &opts).unwrap();
    let pid = issue_pid(&e.pid_key, &e.pid_issuer, NOW);
    let r = Verifier::new(trust, Policy::default())
        .verify(pid.as_bytes(), &Expectations::at(t(NOW)))
        .unwrap();
    match r.issuer().trust() {
        passerelle::TrustBasis::List {
            kind,
            list,
            entity,
            service,
            anchor,
            ..
        } => {
            assert_eq!(kind, "lote");
            assert_eq!(
                list,
                "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList"
            );
            assert_eq!(entity.as_deref(), Some("PID Provider"));
            assert_eq!(service, "http://uri.etsi.org/19602/SvcType/PID/Issuance");
            assert_eq!(anchor, "CN=PID Provider CA");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.issuer().framework(), Some("eIDAS"));
    assert_eq!(r.issuer().assurance_level(), Some("eIDAS-high"));
}

#[test]
fn tl05_pid_from_the_held_lote_fails_once_the_service_is_withdrawn() {
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let opts = passerelle::ListOptions::default();
    trust
        .add_list(&pid_lote(&e, Some(NOW - 1_000)), t(NOW), &opts)
        .unwrap();
    let v = Verifier::new(trust, Policy::default());
    let pid = issue_pid(&e.pid_key, &e.pid_issuer, NOW);
    let r = v.verify(pid.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
    // Judged before the withdrawal, the history says granted.
    let old = issue_pid(&e.pid_key, &e.pid_issuer, NOW - 5_000);
    v.verify(old.as_bytes(), &Expectations::at(t(NOW - 5_000)))
        .unwrap();
}

#[test]
fn list_anchor_root_signing_a_credential_through_the_held_list_is_untrusted() {
    // The list signer's own certificate (under the list anchor) signs a PID:
    // list anchors never reach a credential lookup.
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let opts = passerelle::ListOptions::default();
    trust.add_list(&pid_lote(&e, None), t(NOW), &opts).unwrap();
    let pid = issue_pid(&e.list_key, &e.list_signer, NOW);
    let r =
        Verifier::new(trust, Policy::default()).verify(pid.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn tl04_held_list_stale_at_the_verification_time_is_policy() {
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let opts = passerelle::ListOptions::default();
    trust.add_list(&pid_lote(&e, None), t(NOW), &opts).unwrap();
    let later = NOW + 2 * 86_400;
    let pid = issue_pid(&e.pid_key, &e.pid_issuer, later);
    let r =
        Verifier::new(trust, Policy::default()).verify(pid.as_bytes(), &Expectations::at(t(later)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Policy);
}

#[test]
fn a_revocation_service_certificate_signing_a_pid_is_untrusted() {
    // The PID provider's CA listed only as its revocation service: it
    // anchors status-list signers, never a PID.
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let lote = lote_with_service(&e, None, "http://uri.etsi.org/19602/SvcType/PID/Revocation");
    trust
        .add_list(&lote, t(NOW), &passerelle::ListOptions::default())
        .unwrap();
    let pid = issue_pid(&e.pid_key, &e.pid_issuer, NOW);
    let r =
        Verifier::new(trust, Policy::default()).verify(pid.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn a_pid_provider_ca_does_not_anchor_a_credential_that_is_not_a_pid() {
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    trust
        .add_list(
            &pid_lote(&e, None),
            t(NOW),
            &passerelle::ListOptions::default(),
        )
        .unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = json!({"iss": ISS, "vct": "https://diploma.example/v1"});
    let vc = SdJwtVcIssuer::new(&e.pid_key)
        .with_x5c(std::slice::from_ref(&e.pid_issuer))
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder.public_key()),
            t(NOW),
        )
        .unwrap();
    let r =
        Verifier::new(trust, Policy::default()).verify(vc.as_bytes(), &Expectations::at(t(NOW)));
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn refreshed_list_with_a_lower_sequence_number_is_policy() {
    let e = eco();
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let opts = passerelle::ListOptions::default();
    trust.add_list(&pid_lote(&e, None), t(NOW), &opts).unwrap();
    // The same list again (same sequence number) is a harmless refresh.
    trust.add_list(&pid_lote(&e, None), t(NOW), &opts).unwrap();
    let svc = "http://uri.etsi.org/19602/SvcType/PID/Issuance";
    trust
        .add_list(&lote_seq(&e, None, svc, 5), t(NOW), &opts)
        .unwrap();
    let r = trust.add_list(&lote_seq(&e, None, svc, 4), t(NOW), &opts);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Policy);
}

#[test]
fn cli_trust_inspect_and_verify_with_a_trusted_list() {
    let e = eco();
    let dir = std::env::temp_dir().join(format!("pl-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (lote, anchor, pid) = (
        dir.join("pid.jwt"),
        dir.join("root.pem"),
        dir.join("pid.txt"),
    );
    std::fs::write(&lote, pid_lote(&e, None)).unwrap();
    std::fs::write(&anchor, e.list_root.to_pem()).unwrap();
    std::fs::write(&pid, issue_pid(&e.pid_key, &e.pid_issuer, NOW)).unwrap();
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let out = std::process::Command::new(bin)
        .args(["trust", "inspect"])
        .arg(&lote)
        .arg("--list-anchor")
        .arg(&anchor)
        .args(["--at", &NOW.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j["list"]["entities"][0]["services"][0]["capability"],
        "issuance:pid"
    );
    // Without the anchor nothing is trusted.
    let out = std::process::Command::new(bin)
        .args(["trust", "inspect"])
        .arg(&lote)
        .args(["--at", &NOW.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = std::process::Command::new(bin)
        .arg("verify")
        .arg(&pid)
        .arg("--trusted-list")
        .arg(&lote)
        .arg("--list-anchor")
        .arg(&anchor)
        .args(["--at", &NOW.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["issuer"]["trust"]["method"], "trusted_list");
    assert_eq!(j["issuer"]["assurance_level"], "eIDAS-high");
    // The list anchor alone, as a credential anchor, is untrusted.
    let out = std::process::Command::new(bin)
        .arg("verify")
        .arg(&pid)
        .arg("--list-anchor")
        .arg(&anchor)
        .args(["--at", &NOW.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A LOTL announcing a national list's signer, and that national list, as
/// xadesjs signs them: `(lotl, national)`.
fn lotl_and_national(e: &Eco) -> (Vec<u8>, Vec<u8>) {
    let nat_root_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let (from, to) = (t(NOW - 86_400), t(NOW + 86_400 * 365));
    let nat_root = CertificateBuilder::new("National Root")
        .validity(from, to)
        .ca(None)
        .self_signed(&nat_root_key)
        .unwrap();
    let nat_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let nat_signer = CertificateBuilder::new("National TL Signer")
        .validity(from, to)
        .end_entity()
        .issued_by(&nat_root, &nat_root_key, nat_key.public_key())
        .unwrap();
    let pointer = format!(
        r#"<PointersToOtherTSL><OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities><TSLLocation>https://nat.example/tl.xml</TSLLocation></OtherTSLPointer></PointersToOtherTSL>"#,
        STANDARD.encode(nat_signer.der())
    );
    let lotl = xades(&tsl(&pointer, ""), &e.list_key, &e.list_signer);
    let national = xades(&tsl("", ""), &nat_key, &nat_signer);
    (lotl, national)
}

#[test]
fn a_national_list_given_before_its_lotl_is_trusted_once_the_lotl_is_held() {
    let e = eco();
    let (lotl, national) = lotl_and_national(&e);
    let opts = passerelle::ListOptions::default();
    // national first, then the LOTL: both held
    let mut trust = TrustStore::new();
    trust.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let held = trust.add_lists(&[&national, &lotl], t(NOW), &opts).unwrap();
    assert_eq!(held.len(), 2);
    assert!(held
        .iter()
        .any(|l| l.signer().subject == "CN=National TL Signer"));
    // the national list alone, or beside a LOTL that is itself not
    // trusted, stays untrusted
    let mut alone = TrustStore::new();
    alone.add_list_anchor_pem(&e.list_root.to_pem()).unwrap();
    let r = alone.add_lists(&[&national], t(NOW), &opts);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
    let other = eco();
    let mut wrong_root = TrustStore::new();
    wrong_root
        .add_list_anchor_pem(&other.list_root.to_pem())
        .unwrap();
    let r = wrong_root.add_lists(&[&national, &lotl], t(NOW), &opts);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Untrusted);
}

#[test]
fn cli_trust_file_list_members_feed_the_verifier() {
    let e = eco();
    let (lotl, national) = lotl_and_national(&e);
    let dir = std::env::temp_dir().join(format!("pl-tf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pid = dir.join("pid.txt");
    std::fs::write(&pid, issue_pid(&e.pid_key, &e.pid_issuer, NOW)).unwrap();
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let run = |file: &serde_json::Value, input: &std::path::Path, at: u64| {
        let f = dir.join("trust.json");
        std::fs::write(&f, file.to_string()).unwrap();
        let out = std::process::Command::new(bin)
            .arg("verify")
            .arg(input)
            .arg("--trust")
            .arg(&f)
            .args(["--at", &at.to_string()])
            .output()
            .unwrap();
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), j)
    };
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    // list_anchors + trusted_lists (the national list before its LOTL, then
    // the PID providers LoTE): the PID verifies through the LoTE
    let file = json!({
        "list_anchors": [e.list_root.to_pem()],
        "trusted_lists": [text(&national), text(&lotl), text(&pid_lote(&e, None))],
    });
    let (code, j) = run(&file, &pid, NOW);
    assert_eq!(code, Some(0), "{j}");
    assert_eq!(j["issuer"]["trust"]["method"], "trusted_list");
    assert_eq!(j["issuer"]["trust"]["kind"], "lote");
    // the same lists without list_anchors: the trust file itself fails
    let file = json!({"trusted_lists": [text(&pid_lote(&e, None))]});
    let (code, j) = run(&file, &pid, NOW);
    assert_eq!(code, Some(1));
    assert_eq!(j["error"]["kind"], "untrusted", "{j}");
    // list_anchors alone anchor no credential
    let file = json!({"list_anchors": [e.list_root.to_pem()]});
    let (code, j) = run(&file, &pid, NOW);
    assert_eq!(code, Some(1));
    assert_eq!(j["error"]["kind"], "untrusted", "{j}");

    // vicals + vical_authorities: the AAMVA VICAL loads under its root
    // (the verification then fails on the input, not on the trust file) and
    // is untrusted under another authority
    let junk = dir.join("junk.txt");
    std::fs::write(&junk, "not a credential").unwrap();
    let vical = STANDARD.encode(AAMVA_VICAL);
    let file = json!({"vicals": [vical], "vical_authorities": [AAMVA_ROOT]});
    let (code, j) = run(&file, &junk, AAMVA_NOW);
    assert_eq!(code, Some(1));
    assert_ne!(j["error"]["kind"], "untrusted", "{j}");
    assert!(
        !j["error"]["message"].as_str().unwrap().contains("VICAL"),
        "{j}"
    );
    let file = json!({"vicals": [vical], "vical_authorities": [e.list_root.to_pem()]});
    let (code, j) = run(&file, &junk, AAMVA_NOW);
    assert_eq!(code, Some(1));
    assert_eq!(j["error"]["kind"], "untrusted", "{j}");
    assert!(
        j["error"]["message"].as_str().unwrap().contains("VICAL"),
        "{j}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
