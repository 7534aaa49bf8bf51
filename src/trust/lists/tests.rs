//! Unit tests of the list room: VICAL (Annex C) and LoTE (TS 119 602), with
//! the HOSTILE-INPUTS section K rows each asserts (kinds, never messages).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::vical::check_vical;
use super::ListOptions;
use crate::cose::{sign1, Header, Item};
use crate::crypto::{Algorithm, PrivateKey};
use crate::error::ErrorKind;
use crate::limits::{MAX_VICAL_BYTES, MAX_VICAL_DOCTYPES, MAX_VICAL_ENTRIES};
use crate::time::UnixTime;
use crate::trust::x509::TrustAnchorCert;
use crate::x509::{Certificate, CertificateBuilder};

const FROM: u64 = 1_700_000_000;
const TO: u64 = 1_900_000_000;
const NOW: u64 = 1_800_000_000;
const VICAL_EKU: &str = "1.0.18013.5.1.8";
const MDL: &str = "org.iso.18013.5.1.mDL";
const PID: &str = "eu.europa.ec.eudi.pid.1";

fn t(s: u64) -> UnixTime {
    UnixTime::from_secs(s)
}

fn kind<T: core::fmt::Debug>(r: crate::Result<T>) -> ErrorKind {
    r.expect_err("expected an error").kind()
}

fn key() -> PrivateKey {
    PrivateKey::generate(Algorithm::Es256).unwrap()
}

/// A CA, and a key for it.
fn ca(name: &str) -> (Certificate, PrivateKey) {
    let k = key();
    let c = CertificateBuilder::new(name)
        .country("US")
        .validity(t(FROM), t(TO))
        .ca(None)
        .self_signed(&k)
        .unwrap();
    (c, k)
}

fn anchor(c: &Certificate) -> Vec<TrustAnchorCert> {
    vec![TrustAnchorCert::from_der(c.der().to_vec()).unwrap()]
}

/// A VICAL authority, its signer (EKU 1.0.18013.5.1.8) and two IACAs.
struct Pki {
    authority: Certificate,
    authority_key: PrivateKey,
    signer: Certificate,
    signer_key: PrivateKey,
    iaca_mdl: Certificate,
    iaca_pid: Certificate,
}

fn pki() -> Pki {
    let (authority, authority_key) = ca("VICAL Authority");
    let signer_key = key();
    let signer = signer_cert(&authority, &authority_key, &signer_key, Some(VICAL_EKU), TO);
    Pki {
        signer,
        signer_key,
        iaca_mdl: ca("IACA mDL").0,
        iaca_pid: ca("IACA PID").0,
        authority,
        authority_key,
    }
}

fn signer_cert(
    authority: &Certificate,
    authority_key: &PrivateKey,
    signer_key: &PrivateKey,
    eku: Option<&str>,
    not_after: u64,
) -> Certificate {
    let mut b = CertificateBuilder::new("VICAL Signer")
        .validity(t(FROM), t(not_after))
        .end_entity();
    if let Some(e) = eku {
        b = b.extended_key_usage(e);
    }
    b.issued_by(authority, authority_key, signer_key.public_key())
        .unwrap()
}

fn text(s: &str) -> Item {
    Item::text(s)
}

fn entry(cert: &[u8], doc_types: &[&str]) -> Item {
    Item::map(vec![
        (text("certificate"), Item::bytes(cert)),
        (
            text("serialNumber"),
            Item::tag(2, Item::bytes(&[0x01, 0x02])),
        ),
        (text("ski"), Item::bytes(&[0x04, 0x14, 0xaa])),
        (
            text("docType"),
            Item::array(doc_types.iter().map(|d| text(d)).collect()),
        ),
        (text("issuingCountry"), text("US")),
        // The AAMVA casing: an unknown key, ignored.
        (text("Extensions"), Item::map(vec![]).unwrap()),
    ])
    .unwrap()
}

fn payload(entries: Vec<Item>, date: u64, next_update: Option<u64>) -> Vec<u8> {
    let mut m = vec![
        (text("version"), text("1.0")),
        (text("vicalProvider"), text("Test Provider")),
        (text("date"), Item::from_tdate(t(date))),
        (text("vicalIssueID"), Item::uint(7)),
        (text("certificateInfos"), Item::array(entries)),
    ];
    if let Some(n) = next_update {
        m.push((text("nextUpdate"), Item::from_tdate(t(n))));
    }
    Item::map(m).unwrap().raw().to_vec()
}

fn sign(payload: &[u8], chain: Option<&[Vec<u8>]>, key: &PrivateKey, tagged: bool) -> Vec<u8> {
    let unprotected = match chain {
        Some(c) => Header::new().with_x5chain(c).unwrap(),
        None => Header::new(),
    };
    sign1(
        &Header::new(),
        &unprotected,
        payload,
        false,
        key,
        &[],
        tagged,
    )
    .unwrap()
}

fn good(p: &Pki, tagged: bool) -> Vec<u8> {
    let body = payload(
        vec![
            entry(p.iaca_mdl.der(), &[MDL]),
            entry(p.iaca_pid.der(), &[PID]),
        ],
        NOW - 100,
        Some(NOW + 86_400),
    );
    sign(
        &body,
        Some(&[p.signer.der().to_vec()]),
        &p.signer_key,
        tagged,
    )
}

fn check(bytes: &[u8], p: &Pki) -> crate::Result<super::Vical> {
    check_vical(
        bytes,
        &anchor(&p.authority),
        t(NOW),
        &ListOptions::default(),
    )
}

#[test]
fn vical_tagged_and_untagged_list_iacas_scoped_to_doc_types() {
    let p = pki();
    for tagged in [true, false] {
        let v = check(&good(&p, tagged), &p).unwrap();
        assert_eq!(v.provider(), "Test Provider");
        assert_eq!(v.issue_id(), Some(7));
        assert_eq!(v.entries().len(), 2);
        assert!(v.refused().is_empty());
        assert_eq!(v.signer_subject(), "CN=VICAL Signer");
        // J-10 through a VICAL: the mDL IACA anchors mDL only.
        let mdl = v.anchors_for(MDL);
        assert_eq!(mdl.len(), 1);
        assert_eq!(mdl[0].der(), p.iaca_mdl.der());
        assert_eq!(v.anchors_for(PID)[0].der(), p.iaca_pid.der());
        assert!(v.anchors_for("org.example.other").is_empty());
    }
}

#[test]
fn tl09_vical_signer_not_chaining_to_the_authority_is_untrusted() {
    let p = pki();
    let (other, _) = ca("Other Authority");
    let r = check_vical(
        &good(&p, true),
        &anchor(&other),
        t(NOW),
        &ListOptions::default(),
    );
    assert_eq!(kind(r), ErrorKind::Untrusted);
    // No authority at all.
    let r = check_vical(&good(&p, true), &[], t(NOW), &ListOptions::default());
    assert_eq!(kind(r), ErrorKind::Untrusted);
}

#[test]
fn tl09_vical_without_x5chain_is_untrusted() {
    let p = pki();
    let body = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW, None);
    assert_eq!(
        kind(check(&sign(&body, None, &p.signer_key, true), &p)),
        ErrorKind::Untrusted
    );
}

#[test]
fn tl09_vical_signer_without_the_vical_eku_is_untrusted() {
    let p = pki();
    for eku in [None, Some("1.0.18013.5.1.2")] {
        let k = key();
        let s = signer_cert(&p.authority, &p.authority_key, &k, eku, TO);
        let body = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW, None);
        let bytes = sign(&body, Some(&[s.der().to_vec()]), &k, true);
        assert_eq!(kind(check(&bytes, &p)), ErrorKind::Untrusted, "{eku:?}");
    }
}

#[test]
fn tl09_vical_signed_by_an_expired_signer_is_expired() {
    let p = pki();
    let k = key();
    let s = signer_cert(
        &p.authority,
        &p.authority_key,
        &k,
        Some(VICAL_EKU),
        NOW - 10,
    );
    let body = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW - 100, None);
    let bytes = sign(&body, Some(&[s.der().to_vec()]), &k, true);
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::Expired);
}

#[test]
fn vical_signed_by_another_key_than_the_signer_certificate_is_signature() {
    let p = pki();
    let body = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW, None);
    let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &key(), true);
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::Signature);
}

#[test]
fn vical_with_a_changed_payload_byte_is_signature() {
    let p = pki();
    let mut bytes = good(&p, true);
    // The provider name sits in the payload: flip one of its letters.
    let at = bytes
        .windows(13)
        .position(|w| w == b"Test Provider")
        .unwrap();
    bytes[at] = b'B';
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::Signature);
}

#[test]
fn tl04_vical_past_next_update_is_policy_unless_allowed() {
    let p = pki();
    let body = payload(
        vec![entry(p.iaca_mdl.der(), &[MDL])],
        NOW - 200,
        Some(NOW - 1),
    );
    let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::Policy);
    let lax = ListOptions {
        allow_stale: true,
        ..ListOptions::default()
    };
    assert!(check_vical(&bytes, &anchor(&p.authority), t(NOW), &lax).is_ok());
}

#[test]
fn vical_dated_in_the_future_is_not_yet_valid() {
    let p = pki();
    let body = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW + 1000, None);
    let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::NotYetValid);
}

#[test]
fn tl09_vical_with_duplicate_iaca_entries_is_malformed() {
    let p = pki();
    let body = payload(
        vec![
            entry(p.iaca_mdl.der(), &[MDL]),
            entry(p.iaca_mdl.der(), &[PID]),
        ],
        NOW,
        None,
    );
    let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
    assert_eq!(kind(check(&bytes, &p)), ErrorKind::Malformed);
    // A docType listed twice in one entry, or none.
    for dts in [&[MDL, MDL][..], &[][..]] {
        let body = payload(vec![entry(p.iaca_mdl.der(), dts)], NOW, None);
        let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
        assert_eq!(kind(check(&bytes, &p)), ErrorKind::Malformed);
    }
}

#[test]
fn vical_entry_that_is_not_a_ca_is_refused_loudly_never_an_anchor() {
    let p = pki();
    let body = payload(
        vec![
            entry(p.signer.der(), &[MDL]),
            entry(b"not a certificate", &[MDL]),
            entry(p.iaca_mdl.der(), &[MDL]),
        ],
        NOW,
        None,
    );
    let bytes = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
    let v = check(&bytes, &p).unwrap();
    assert_eq!(v.entries().len(), 1);
    assert_eq!(v.refused().len(), 2);
    assert_eq!(v.refused()[0].index, 0);
    assert_eq!(v.refused()[0].kind, ErrorKind::Untrusted);
    assert_eq!(v.refused()[1].kind, ErrorKind::Malformed);
    assert_eq!(v.anchors_for(MDL).len(), 1);
}

#[test]
fn vical_missing_required_members_or_detached_payload_is_malformed() {
    let p = pki();
    let chain = [p.signer.der().to_vec()];
    for drop in ["version", "vicalProvider", "date", "certificateInfos"] {
        let full = payload(vec![entry(p.iaca_mdl.der(), &[MDL])], NOW, None);
        let item = crate::cose::decode(&full).unwrap();
        let kept: Vec<(Item, Item)> = item
            .as_map("t")
            .unwrap()
            .iter()
            .filter(|(k, _)| k.as_text("k").unwrap() != drop)
            .cloned()
            .collect();
        let body = Item::map(kept).unwrap().raw().to_vec();
        let bytes = sign(&body, Some(&chain), &p.signer_key, true);
        assert_eq!(kind(check(&bytes, &p)), ErrorKind::Malformed, "{drop}");
    }
    let body = payload(vec![], NOW, None);
    let detached = sign1(
        &Header::new(),
        &Header::new().with_x5chain(&chain).unwrap(),
        &body,
        true,
        &p.signer_key,
        &[],
        true,
    )
    .unwrap();
    assert_eq!(kind(check(&detached, &p)), ErrorKind::Malformed);
    // Tag 17 (Mac0) instead of 18.
    let mut mac_tag = good(&p, true);
    assert_eq!(mac_tag[0], 0xd2);
    mac_tag[0] = 0xd1;
    assert_eq!(kind(check(&mac_tag, &p)), ErrorKind::Malformed);
}

#[test]
fn vical_size_limit_at_and_past() {
    let p = pki();
    let at = vec![0u8; MAX_VICAL_BYTES];
    assert_ne!(kind(check(&at, &p)), ErrorKind::LimitExceeded);
    let past = vec![0u8; MAX_VICAL_BYTES + 1];
    assert_eq!(kind(check(&past, &p)), ErrorKind::LimitExceeded);
}

#[test]
fn vical_entries_limit_at_and_past() {
    let p = pki();
    let chain = [p.signer.der().to_vec()];
    let entries = |n: usize| -> Vec<Item> {
        (0..n)
            .map(|i| entry(&u32::try_from(i).unwrap().to_be_bytes(), &[MDL]))
            .collect()
    };
    let at = sign(
        &payload(entries(MAX_VICAL_ENTRIES), NOW, None),
        Some(&chain),
        &p.signer_key,
        true,
    );
    let v = check(&at, &p).unwrap();
    assert_eq!(v.refused().len(), MAX_VICAL_ENTRIES);
    let past = sign(
        &payload(entries(MAX_VICAL_ENTRIES + 1), NOW, None),
        Some(&chain),
        &p.signer_key,
        true,
    );
    assert_eq!(kind(check(&past, &p)), ErrorKind::LimitExceeded);
}

#[test]
fn vical_doc_types_limit_at_and_past() {
    let p = pki();
    let chain = [p.signer.der().to_vec()];
    let names: Vec<String> = (0..=MAX_VICAL_DOCTYPES)
        .map(|i| format!("doc.{i}"))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let at = payload(
        vec![entry(p.iaca_mdl.der(), &refs[..MAX_VICAL_DOCTYPES])],
        NOW,
        None,
    );
    let v = check(&sign(&at, Some(&chain), &p.signer_key, true), &p).unwrap();
    assert_eq!(v.entries()[0].doc_types().len(), MAX_VICAL_DOCTYPES);
    let past = payload(vec![entry(p.iaca_mdl.der(), &refs)], NOW, None);
    assert_eq!(
        kind(check(&sign(&past, Some(&chain), &p.signer_key, true), &p)),
        ErrorKind::LimitExceeded
    );
}

// ---------------------------------------------------------------------------
// LoTE (ETSI TS 119 602), compact JAdES.

use super::lote::{check_lote, Capability, IdentityKind, Provision, ServiceStatus};
use crate::encoding::{b64_std_encode, b64u_encode};
use crate::jose::{public_jwk, sign_compact};
use crate::limits::{
    MAX_LOTE_BYTES, MAX_LOTE_ENTITIES, MAX_LOTE_HISTORY, MAX_LOTE_IDENTITIES, MAX_LOTE_POINTERS,
    MAX_LOTE_SERVICES,
};
use serde_json::{json, Map, Value};

const SVC: &str = "http://uri.etsi.org/19602/SvcType/";
const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";

/// The list operator's root, its signer, and the entities' keys.
struct ListPki {
    root: Certificate,
    signer: Certificate,
    signer_key: PrivateKey,
    pid_ca: Certificate,
    revocation_ee: Certificate,
    wallet_key: PrivateKey,
}

fn list_pki() -> ListPki {
    let (root, root_key) = ca("List Operator Root");
    let signer_key = key();
    let signer = CertificateBuilder::new("List Signer")
        .validity(t(FROM), t(TO))
        .end_entity()
        .issued_by(&root, &root_key, signer_key.public_key())
        .unwrap();
    let (pid_ca, pid_ca_key) = ca("PID Provider CA");
    let revocation_ee = CertificateBuilder::new("PID Status Signer")
        .validity(t(FROM), t(TO))
        .end_entity()
        .issued_by(&pid_ca, &pid_ca_key, key().public_key())
        .unwrap();
    ListPki {
        root,
        signer,
        signer_key,
        pid_ca,
        revocation_ee,
        wallet_key: key(),
    }
}

fn certs(cs: &[&Certificate]) -> Value {
    json!({"X509Certificates": cs.iter().map(|c| json!({"val": b64_std_encode(c.der())})).collect::<Vec<_>>()})
}

fn service(kind: &str, sdi: Value) -> Value {
    json!({"ServiceInformation": {
        "ServiceTypeIdentifier": format!("{SVC}{kind}"),
        "ServiceName": [{"lang": "en", "value": kind}],
        "ServiceDigitalIdentity": sdi,
    }})
}

fn lote_body(p: &ListPki, lote_type: &str) -> Value {
    json!({"LoTE": {
        "ListAndSchemeInformation": {
            "LoTEVersionIdentifier": 1,
            "LoTESequenceNumber": 3,
            "LoTEType": format!("http://uri.etsi.org/19602/LoTEType/{lote_type}"),
            "SchemeOperatorName": [{"lang": "en", "value": "Test Operator"}],
            "SchemeTerritory": "EU",
            "ListIssueDateTime": UnixTime::from_secs(NOW - 100).to_rfc3339(),
            "NextUpdate": UnixTime::from_secs(NOW + 86_400).to_rfc3339(),
        },
        "TrustedEntitiesList": [
            {
                "TrustedEntityInformation": {"TEName": [{"lang": "en", "value": "PID Provider"}]},
                "TrustedEntityServices": [
                    service("PID/Issuance", certs(&[&p.pid_ca])),
                    service("PID/Revocation", certs(&[&p.revocation_ee])),
                ],
            },
            {
                "TrustedEntityInformation": {"TEName": [{"lang": "en", "value": "Wallet Provider"}]},
                "TrustedEntityServices": [
                    service("WalletSolution/Issuance",
                        json!({"PublicKeyValues": [public_jwk(p.wallet_key.public_key())]})),
                ],
            },
        ],
    }})
}

fn jades_header(p: &ListPki) -> Map<String, Value> {
    let mut h = Map::new();
    let _ = h.insert("typ".into(), json!("JOSE"));
    let _ = h.insert("x5c".into(), json!([b64_std_encode(p.signer.der())]));
    let _ = h.insert(
        "sigT".into(),
        json!(UnixTime::from_secs(NOW - 50).to_rfc3339()),
    );
    let _ = h.insert("crit".into(), json!(["sigT"]));
    h
}

fn sign_lote(p: &ListPki, header: Map<String, Value>, body: &Value) -> String {
    sign_compact(header, body.to_string().as_bytes(), &p.signer_key).unwrap()
}

fn check_l(text: &str, p: &ListPki) -> crate::Result<super::Lote> {
    check_lote(text, &anchor(&p.root), t(NOW), &ListOptions::default())
}

fn lote_kind(p: &ListPki, header: Map<String, Value>, body: &Value) -> ErrorKind {
    kind(check_l(&sign_lote(p, header, body), p))
}

#[test]
fn lote_every_eu_profile_maps_to_its_capability() {
    let p = list_pki();
    let l = check_l(
        &sign_lote(&p, jades_header(&p), &lote_body(&p, "EUPIDProvidersList")),
        &p,
    )
    .unwrap();
    assert_eq!(l.sequence_number(), Some(3));
    assert_eq!(l.operator_name(), Some("Test Operator"));
    assert_eq!(l.signer().subject, "CN=List Signer");
    assert_eq!(l.signed_at(), Some(t(NOW - 50)));
    assert!(l.variants().is_empty() || l.variants().iter().all(|v| v.contains("ServiceStatus")));
    let pid = &l.entities()[0].services()[0];
    assert_eq!(pid.capability(), Capability::Issuance(Provision::Pid));
    assert_eq!(pid.identities()[0].kind(), IdentityKind::CaCertificate);
    assert_eq!(pid.anchors().len(), 1);
    let rev = &l.entities()[0].services()[1];
    assert_eq!(rev.capability(), Capability::Revocation(Provision::Pid));
    assert_eq!(
        rev.identities()[0].kind(),
        IdentityKind::EndEntityCertificate
    );
    assert!(rev.anchors().is_empty());
    assert!(rev.identities()[0].direct_key().is_some());
    // On a PID providers list, a wallet-solution service anchors nothing.
    let wallet = &l.entities()[1].services()[0];
    assert_eq!(wallet.capability(), Capability::Other);

    // Each EU profile on its own list.
    for (list, kind, cap) in [
        (
            "EUWalletProvidersList",
            "WalletSolution/Issuance",
            Capability::Issuance(Provision::WalletSolution),
        ),
        (
            "EUWalletProvidersList",
            "WalletSolution/Revocation",
            Capability::Revocation(Provision::WalletSolution),
        ),
        (
            "EUWRPACProvidersList",
            "WRPAC/Issuance",
            Capability::Issuance(Provision::RelyingPartyAccess),
        ),
        (
            "EUWRPRCProvidersList",
            "WRPRC/Issuance",
            Capability::Issuance(Provision::RelyingPartyRegistration),
        ),
        (
            "EUPubEAAProvidersList",
            "PubEAA/Issuance",
            Capability::Issuance(Provision::PubEaa),
        ),
        (
            "EUPubEAAProvidersList",
            "PubEAA/Revocation",
            Capability::Revocation(Provision::PubEaa),
        ),
        (
            "EURegistrarsAndRegistersList",
            "Register",
            Capability::Register,
        ),
        ("EUPIDProvidersList", "Unknown/Thing", Capability::Other),
    ] {
        let mut body = lote_body(&p, list);
        body["LoTE"]["TrustedEntitiesList"][1]["TrustedEntityServices"][0] = service(
            kind,
            json!({"PublicKeyValues": [public_jwk(p.wallet_key.public_key())]}),
        );
        let l = check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap();
        let s = &l.entities()[1].services()[0];
        assert_eq!(s.capability(), cap, "{kind}");
        assert_eq!(s.identities()[0].kind(), IdentityKind::PublicKey);
        assert_eq!(
            s.identities()[0].direct_key(),
            Some(p.wallet_key.public_key())
        );
        assert_eq!(l.services_at(cap, t(NOW)).len(), 1, "{kind}");
    }
}

#[test]
fn tl05_service_withdrawn_at_the_time_judged_is_untrusted_from_history() {
    let p = list_pki();
    let (t0, t1) = (NOW - 10_000, NOW - 1_000);
    let mut body = lote_body(&p, "EUPIDProvidersList");
    let svc = &mut body["LoTE"]["TrustedEntitiesList"][0]["TrustedEntityServices"][0];
    svc["ServiceInformation"]["ServiceStatus"] = json!(WITHDRAWN);
    svc["ServiceInformation"]["StatusStartingTime"] = json!(t(t1).to_rfc3339());
    svc["ServiceHistory"] = json!([{
        "ServiceStatus": GRANTED,
        "StatusStartingTime": t(t0).to_rfc3339(),
    }]);
    let l = check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap();
    let s = &l.entities()[0].services()[0];
    assert_eq!(
        s.status_at(t(t0 + 1)),
        ServiceStatus::Active(Some(GRANTED.into()))
    );
    assert!(s.require_active_at(t(t0 + 1)).is_ok());
    assert_eq!(
        s.status_at(t(t1 + 1)),
        ServiceStatus::Inactive(WITHDRAWN.into())
    );
    assert_eq!(kind(s.require_active_at(t(t1 + 1))), ErrorKind::Untrusted);
    assert_eq!(s.status_at(t(t0 - 1)), ServiceStatus::NotListed);
    assert_eq!(kind(s.require_active_at(t(t0 - 1))), ErrorKind::Untrusted);
    assert!(l
        .services_at(Capability::Issuance(Provision::Pid), t(NOW))
        .is_empty());
    // A history instance without its status or start is malformed.
    svc_history_malformed(&p);
}

fn svc_history_malformed(p: &ListPki) {
    let mut body = lote_body(p, "EUPIDProvidersList");
    body["LoTE"]["TrustedEntitiesList"][0]["TrustedEntityServices"][0]["ServiceHistory"] =
        json!([{"ServiceStatus": GRANTED}]);
    assert_eq!(lote_kind(p, jades_header(p), &body), ErrorKind::Malformed);
}

#[test]
fn tl06_entry_naming_only_a_subject_or_ski_is_never_an_anchor() {
    let p = list_pki();
    let mut body = lote_body(&p, "EUPIDProvidersList");
    body["LoTE"]["TrustedEntitiesList"][0]["TrustedEntityServices"][0] = service(
        "PID/Issuance",
        json!({"X509SubjectNames": ["CN=PID Provider CA"], "X509SKIs": ["AAEC"]}),
    );
    let l = check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap();
    let s = &l.entities()[0].services()[0];
    assert_eq!(s.identities().len(), 2);
    assert!(s
        .identities()
        .iter()
        .all(|i| i.kind() == IdentityKind::NameOnly && i.direct_key().is_none()));
    assert!(s.anchors().is_empty());
}

#[test]
fn lote_without_wrapper_and_other_casings_are_accepted_loudly() {
    let p = list_pki();
    let mut body = lote_body(&p, "EUPIDProvidersList")["LoTE"].clone();
    let info = body["ListAndSchemeInformation"].as_object_mut().unwrap();
    let issued = info.remove("ListIssueDateTime").unwrap();
    let _ = info.insert("ListIssueDatetime".into(), issued);
    let l = check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap();
    assert!(l.variants().iter().any(|v| v == "no LoTE wrapper"));
    assert!(l.variants().iter().any(|v| v.contains("ListIssueDatetime")));
    assert_eq!(l.issued(), t(NOW - 100));
    // Two spellings of one member: ambiguous.
    let info = body["ListAndSchemeInformation"].as_object_mut().unwrap();
    let _ = info.insert("listissuedatetime".into(), json!(t(NOW).to_rfc3339()));
    assert_eq!(lote_kind(&p, jades_header(&p), &body), ErrorKind::Malformed);
    // Neither a wrapper nor a list.
    assert_eq!(
        lote_kind(&p, jades_header(&p), &json!({"hello": 1})),
        ErrorKind::Malformed
    );
}

#[test]
fn tl07_lote_duplicate_keys_depth_and_size() {
    let p = list_pki();
    let sign_raw = |payload: &[u8]| sign_compact(jades_header(&p), payload, &p.signer_key).unwrap();
    let dup = br#"{"LoTE": {"ListAndSchemeInformation": {}, "ListAndSchemeInformation": {}}}"#;
    assert_eq!(kind(check_l(&sign_raw(dup), &p)), ErrorKind::Malformed);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        kind(check_l(&sign_raw(deep.as_bytes()), &p)),
        ErrorKind::LimitExceeded
    );
    let big = "a".repeat(50 * 1024 * 1024);
    assert_eq!(kind(check_l(&big, &p)), ErrorKind::LimitExceeded);
    // The size limit, at and past.
    let at = "a".repeat(MAX_LOTE_BYTES);
    assert_ne!(kind(check_l(&at, &p)), ErrorKind::LimitExceeded);
    let past = "a".repeat(MAX_LOTE_BYTES + 1);
    assert_eq!(kind(check_l(&past, &p)), ErrorKind::LimitExceeded);
    // Duplicate header members too.
    let h = b64u_encode(br#"{"alg":"ES256","alg":"ES256"}"#);
    assert_eq!(
        kind(check_l(&format!("{h}.e30.AA"), &p)),
        ErrorKind::Malformed
    );
}

#[test]
fn tl08_pointer_to_http_or_file_is_policy() {
    let p = list_pki();
    for (loc, ok) in [
        ("https://lotl.example/pid.jwt", true),
        ("http://lotl.example/pid.jwt", false),
        ("file:///etc/passwd", false),
    ] {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["PointersToOtherLoTE"] = json!([{
            "LoTELocation": loc,
            "ServiceDigitalIdentities": [certs(&[&p.signer])],
            "LoTEQualifiers": [{"LoTEType": "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList"}],
        }]);
        let r = check_l(&sign_lote(&p, jades_header(&p), &body), &p);
        if ok {
            let l = r.unwrap();
            assert_eq!(l.pointers()[0].location(), loc);
            assert_eq!(l.pointers()[0].signers().len(), 1);
        } else {
            assert_eq!(kind(r), ErrorKind::Policy, "{loc}");
        }
    }
}

#[test]
fn tl04_lote_past_next_update_is_policy_unless_allowed() {
    let p = list_pki();
    let mut body = lote_body(&p, "EUPIDProvidersList");
    body["LoTE"]["ListAndSchemeInformation"]["NextUpdate"] = json!(t(NOW - 1).to_rfc3339());
    let text = sign_lote(&p, jades_header(&p), &body);
    assert_eq!(kind(check_l(&text, &p)), ErrorKind::Policy);
    let lax = ListOptions {
        allow_stale: true,
        ..ListOptions::default()
    };
    assert!(check_lote(&text, &anchor(&p.root), t(NOW), &lax).is_ok());
    // Issued in the future.
    let mut body = lote_body(&p, "EUPIDProvidersList");
    body["LoTE"]["ListAndSchemeInformation"]["ListIssueDateTime"] =
        json!(t(NOW + 999).to_rfc3339());
    assert_eq!(
        lote_kind(&p, jades_header(&p), &body),
        ErrorKind::NotYetValid
    );
}

#[test]
fn lote_jades_header_rules() {
    let p = list_pki();
    let body = lote_body(&p, "EUPIDProvidersList");
    let with = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut h = jades_header(&p);
        f(&mut h);
        lote_kind(&p, h, &body)
    };
    // No x5c: nothing to check.
    assert_eq!(
        with(&|h| {
            let _ = h.remove("x5c");
        }),
        ErrorKind::Untrusted
    );
    // x5t#S256 that matches is fine; one that does not is malformed.
    let good = b64u_encode(crate::crypto::sha256(p.signer.der()));
    assert!(check_l(
        &{
            let mut h = jades_header(&p);
            let _ = h.insert("x5t#S256".into(), json!(good));
            sign_lote(&p, h, &body)
        },
        &p
    )
    .is_ok());
    assert_eq!(
        with(&|h| {
            let _ = h.insert("x5t#S256".into(), json!(b64u_encode([0u8; 32])));
        }),
        ErrorKind::Malformed
    );
    // crit: unknown → unsupported; registered or absent → malformed.
    assert_eq!(
        with(&|h| {
            let _ = h.insert("sigPId".into(), json!({}));
            let _ = h.insert("crit".into(), json!(["sigT", "sigPId"]));
        }),
        ErrorKind::Unsupported
    );
    assert_eq!(
        with(&|h| {
            let _ = h.insert("crit".into(), json!(["alg"]));
        }),
        ErrorKind::Malformed
    );
    assert_eq!(
        with(&|h| {
            let _ = h.remove("sigT");
        }),
        ErrorKind::Malformed
    );
    assert_eq!(
        with(&|h| {
            let _ = h.insert("crit".into(), json!([]));
        }),
        ErrorKind::Malformed
    );
    // sigD (detached) and b64 are not supported.
    assert_eq!(
        with(&|h| {
            let _ = h.insert("sigD".into(), json!({}));
        }),
        ErrorKind::Unsupported
    );
    // sigT: not a time, or in the future.
    assert_eq!(
        with(&|h| {
            let _ = h.insert("sigT".into(), json!("yesterday"));
        }),
        ErrorKind::Malformed
    );
    assert_eq!(
        with(&|h| {
            let _ = h.insert("sigT".into(), json!(t(NOW + 999).to_rfc3339()));
        }),
        ErrorKind::NotYetValid
    );
    // Without sigT (and crit) the list is accepted, and says so.
    let mut h = jades_header(&p);
    let _ = h.remove("sigT");
    let _ = h.remove("crit");
    let l = check_l(&sign_lote(&p, h, &body), &p).unwrap();
    assert!(l.variants().iter().any(|v| v == "JAdES sigT absent"));
    // x5c in base64url with '-' or '_' is malformed (J-21).
    let url = b64u_encode(p.signer.der());
    if url.contains(['-', '_']) {
        assert_eq!(
            with(&|h| {
                let _ = h.insert("x5c".into(), json!([url.clone()]));
            }),
            ErrorKind::Malformed
        );
    }
}

#[test]
fn lote_algorithms_outside_the_closed_set_are_unsupported() {
    let p = list_pki();
    let body = b64u_encode(lote_body(&p, "EUPIDProvidersList").to_string());
    for alg in ["none", "HS256", "PS256", "ES512"] {
        let mut h = jades_header(&p);
        let _ = h.insert("alg".into(), json!(alg));
        let text = format!("{}.{body}.AAAA", b64u_encode(Value::Object(h).to_string()));
        assert_eq!(kind(check_l(&text, &p)), ErrorKind::Unsupported, "{alg}");
    }
    // RS256 is in the set, but not with this EC signer's key
    let mut h = jades_header(&p);
    let _ = h.insert("alg".into(), json!("RS256"));
    let text = format!("{}.{body}.AAAA", b64u_encode(Value::Object(h).to_string()));
    assert_eq!(kind(check_l(&text, &p)), ErrorKind::Signature);
}

#[test]
fn lote_signer_chain_and_signature() {
    let p = list_pki();
    let body = lote_body(&p, "EUPIDProvidersList");
    let text = sign_lote(&p, jades_header(&p), &body);
    // Another anchor: untrusted. No anchor: untrusted.
    let (other, _) = ca("Other Root");
    let r = check_lote(&text, &anchor(&other), t(NOW), &ListOptions::default());
    assert_eq!(kind(r), ErrorKind::Untrusted);
    assert_eq!(
        kind(check_lote(&text, &[], t(NOW), &ListOptions::default())),
        ErrorKind::Untrusted
    );
    // A PID CA listed in the list is not a list anchor: the list signer
    // chains to the configured root only.
    let r = check_lote(&text, &anchor(&p.pid_ca), t(NOW), &ListOptions::default());
    assert_eq!(kind(r), ErrorKind::Untrusted);
    // Signer certificate expired at the time judged.
    let r = check_lote(&text, &anchor(&p.root), t(TO + 1), &ListOptions::default());
    assert_eq!(kind(r), ErrorKind::Expired);
    // A changed payload byte: signature.
    let parts: Vec<&str> = text.split('.').collect();
    let forged = b64u_encode(body.to_string().replace("PID Provider", "PID Pr0vider"));
    let r = check_l(&format!("{}.{forged}.{}", parts[0], parts[2]), &p);
    assert_eq!(kind(r), ErrorKind::Signature);
    // Two or four segments.
    assert_eq!(
        kind(check_l(&format!("{}.{}", parts[0], parts[1]), &p)),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(check_l(&format!("{text}.x"), &p)),
        ErrorKind::Malformed
    );
    // A trailing newline is accepted, and noted.
    let l = check_l(&format!("{text}\n"), &p).unwrap();
    assert!(l.variants().iter().any(|v| v.contains("whitespace")));
    // Unsigned JSON is never trusted.
    assert_eq!(kind(check_l(&body.to_string(), &p)), ErrorKind::Untrusted);
}

#[test]
fn lote_private_jwk_in_a_list_is_malformed() {
    let p = list_pki();
    let mut body = lote_body(&p, "EUWalletProvidersList");
    let mut jwk = public_jwk(p.wallet_key.public_key());
    let _ = jwk.insert("d".into(), json!("AAAA"));
    body["LoTE"]["TrustedEntitiesList"][1]["TrustedEntityServices"][0] =
        service("WalletSolution/Issuance", json!({"PublicKeyValues": [jwk]}));
    assert_eq!(lote_kind(&p, jades_header(&p), &body), ErrorKind::Malformed);
}

fn with_entities(p: &ListPki, entities: Value) -> Value {
    let mut body = lote_body(p, "EUPIDProvidersList");
    body["LoTE"]["TrustedEntitiesList"] = entities;
    body
}

#[test]
fn lote_entity_and_service_limits_at_and_past() {
    let p = list_pki();
    let ent = json!({"TrustedEntityInformation": {}});
    let at = with_entities(&p, Value::Array(vec![ent.clone(); MAX_LOTE_ENTITIES]));
    assert_eq!(
        check_l(&sign_lote(&p, jades_header(&p), &at), &p)
            .unwrap()
            .entities()
            .len(),
        MAX_LOTE_ENTITIES
    );
    let past = with_entities(&p, Value::Array(vec![ent; MAX_LOTE_ENTITIES + 1]));
    assert_eq!(
        lote_kind(&p, jades_header(&p), &past),
        ErrorKind::LimitExceeded
    );

    let svc = json!({"ServiceInformation": {"ServiceTypeIdentifier": "x"}});
    let half = MAX_LOTE_SERVICES / 2;
    let two = |a: usize, b: usize| {
        with_entities(
            &p,
            json!([
                {"TrustedEntityServices": vec![svc.clone(); a]},
                {"TrustedEntityServices": vec![svc.clone(); b]},
            ]),
        )
    };
    assert!(check_l(
        &sign_lote(&p, jades_header(&p), &two(half, MAX_LOTE_SERVICES - half)),
        &p
    )
    .is_ok());
    assert_eq!(
        lote_kind(
            &p,
            jades_header(&p),
            &two(half, MAX_LOTE_SERVICES - half + 1)
        ),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn lote_identity_history_and_pointer_limits_at_and_past() {
    let p = list_pki();
    let names = |n: usize| json!({"X509SubjectNames": vec![json!("CN=x"); n]});
    for (n, ok) in [
        (MAX_LOTE_IDENTITIES, true),
        (MAX_LOTE_IDENTITIES + 1, false),
    ] {
        let body = with_entities(
            &p,
            json!([{"TrustedEntityServices": [service("PID/Issuance", names(n))]}]),
        );
        let r = check_l(&sign_lote(&p, jades_header(&p), &body), &p);
        assert_eq!(r.is_ok(), ok, "identities {n}");
        if !ok {
            assert_eq!(kind(r), ErrorKind::LimitExceeded);
        }
    }
    // Mixed kinds count together.
    let mixed = json!({
        "X509SubjectNames": vec![json!("CN=x"); MAX_LOTE_IDENTITIES / 2],
        "X509SKIs": vec![json!("AA"); MAX_LOTE_IDENTITIES / 2 + 1],
    });
    let body = with_entities(
        &p,
        json!([{"TrustedEntityServices": [service("PID/Issuance", mixed)]}]),
    );
    assert_eq!(
        lote_kind(&p, jades_header(&p), &body),
        ErrorKind::LimitExceeded
    );

    let hist = json!({"ServiceStatus": GRANTED, "StatusStartingTime": t(FROM).to_rfc3339()});
    for (n, ok) in [(MAX_LOTE_HISTORY, true), (MAX_LOTE_HISTORY + 1, false)] {
        let mut s = service("PID/Issuance", names(1));
        s["ServiceHistory"] = Value::Array(vec![hist.clone(); n]);
        let body = with_entities(&p, json!([{"TrustedEntityServices": [s]}]));
        let r = check_l(&sign_lote(&p, jades_header(&p), &body), &p);
        assert_eq!(r.is_ok(), ok, "history {n}");
        if !ok {
            assert_eq!(kind(r), ErrorKind::LimitExceeded);
        }
    }

    let ptr = json!({"LoTELocation": "https://x.example/l.jwt"});
    for (n, ok) in [(MAX_LOTE_POINTERS, true), (MAX_LOTE_POINTERS + 1, false)] {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["PointersToOtherLoTE"] =
            Value::Array(vec![ptr.clone(); n]);
        let r = check_l(&sign_lote(&p, jades_header(&p), &body), &p);
        assert_eq!(r.is_ok(), ok, "pointers {n}");
        if !ok {
            assert_eq!(kind(r), ErrorKind::LimitExceeded);
        }
    }
}

#[test]
fn tl03_pointed_list_must_be_signed_by_a_signer_the_pointer_announces() {
    let p = list_pki();
    // The national list's own signer, under its own root.
    let (nat_root, nat_root_key) = ca("National Root");
    let nat_key = key();
    let nat_signer = CertificateBuilder::new("National List Signer")
        .validity(t(FROM), t(TO))
        .end_entity()
        .issued_by(&nat_root, &nat_root_key, nat_key.public_key())
        .unwrap();
    let national = |signer: &Certificate, k: &PrivateKey| {
        let mut h = jades_header(&p);
        let _ = h.insert("x5c".into(), json!([b64_std_encode(signer.der())]));
        sign_compact(
            h,
            lote_body(&p, "EUPIDProvidersList").to_string().as_bytes(),
            k,
        )
        .unwrap()
    };
    let pointing = |announced: &Certificate| {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["PointersToOtherLoTE"] = json!([{
            "LoTELocation": "https://nat.example/pid.jwt",
            "ServiceDigitalIdentities": [certs(&[announced])],
        }]);
        check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap()
    };
    let opts = ListOptions::default();
    // Announced directly: the signer certificate itself.
    let lotl = pointing(&nat_signer);
    let ptr = &lotl.pointers()[0];
    let l = super::lote::check_pointed_lote(&national(&nat_signer, &nat_key), ptr, t(NOW), &opts)
        .unwrap();
    assert_eq!(l.signer().subject, "CN=National List Signer");
    // Announced as a CA: the signer chains to it.
    let lotl_ca = pointing(&nat_root);
    let ptr_ca = &lotl_ca.pointers()[0];
    assert!(super::lote::check_pointed_lote(
        &national(&nat_signer, &nat_key),
        ptr_ca,
        t(NOW),
        &opts
    )
    .is_ok());
    // TL-03: signed by a certificate the pointer does not announce.
    let r =
        super::lote::check_pointed_lote(&national(&p.signer, &p.signer_key), ptr, t(NOW), &opts);
    assert_eq!(kind(r), ErrorKind::Untrusted);
    // An announced certificate outside its validity.
    let r =
        super::lote::check_pointed_lote(&national(&nat_signer, &nat_key), ptr, t(TO + 1), &opts);
    assert_eq!(kind(r), ErrorKind::Expired);
}

#[test]
fn refreshed_lists_must_not_go_backwards() {
    let p = list_pki();
    let at = |seq: u64, issued: u64| {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["LoTESequenceNumber"] = json!(seq);
        body["LoTE"]["ListAndSchemeInformation"]["ListIssueDateTime"] =
            json!(t(issued).to_rfc3339());
        check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap()
    };
    let (old, same, newer, older) = (
        at(5, NOW - 100),
        at(5, NOW - 100),
        at(6, NOW - 50),
        at(4, NOW - 10),
    );
    assert!(old.check_successor(&same).is_ok());
    assert!(old.check_successor(&newer).is_ok());
    assert_eq!(kind(old.check_successor(&older)), ErrorKind::Policy);
    assert_eq!(
        kind(newer.check_successor(&at(7, NOW - 200))),
        ErrorKind::Policy
    );

    let v = pki();
    let vical = |id: u64, date: u64| {
        let mut m =
            crate::cose::decode(&payload(vec![entry(v.iaca_mdl.der(), &[MDL])], date, None))
                .unwrap()
                .as_map("t")
                .unwrap()
                .to_vec();
        for (k, val) in &mut m {
            if k.as_text("k").unwrap() == "vicalIssueID" {
                *val = Item::uint(id);
            }
        }
        let body = Item::map(m).unwrap().raw().to_vec();
        check(
            &sign(&body, Some(&[v.signer.der().to_vec()]), &v.signer_key, true),
            &v,
        )
        .unwrap()
    };
    let first = vical(10, NOW - 100);
    assert!(first.check_successor(&vical(11, NOW - 50)).is_ok());
    assert_eq!(
        kind(first.check_successor(&vical(9, NOW - 50))),
        ErrorKind::Policy
    );
    assert_eq!(
        kind(first.check_successor(&vical(12, NOW - 200))),
        ErrorKind::Policy
    );
}

#[test]
fn inspect_json_of_a_lote_and_a_vical() {
    let p = list_pki();
    let l = check_l(
        &sign_lote(&p, jades_header(&p), &lote_body(&p, "EUPIDProvidersList")),
        &p,
    )
    .unwrap();
    let j = l.to_json(t(NOW));
    assert_eq!(j["list"], "lote");
    assert_eq!(
        j["entities"][0]["services"][0]["capability"],
        "issuance:pid"
    );
    assert_eq!(j["entities"][0]["services"][0]["status"]["state"], "active");
    assert_eq!(
        j["entities"][0]["services"][0]["identities"][0]["kind"],
        "ca_certificate"
    );
    assert_eq!(
        j["entities"][1]["services"][0]["identities"][0]["kind"],
        "public_key"
    );
    let v = pki();
    let j = check(&good(&v, true), &v).unwrap().to_json();
    assert_eq!(j["list"], "vical");
    assert_eq!(j["entries"].as_array().unwrap().len(), 2);
    assert_eq!(j["entries"][0]["doc_types"][0], MDL);
}

/// HOSTILE-INPUTS section M, on LoTE payloads (all after a good signature).
#[test]
fn m_rows_on_lote_payloads() {
    let p = list_pki();
    let sign_raw = |payload: &[u8]| sign_compact(jades_header(&p), payload, &p.signer_key).unwrap();
    let info = |seq: &str| {
        format!(
            r#"{{"LoTE": {{"ListAndSchemeInformation": {{"LoTESequenceNumber": {seq}, "ListIssueDateTime": "{}"}}}}}}"#,
            t(NOW - 100).to_rfc3339()
        )
    };
    assert!(check_l(&sign_raw(info("1").as_bytes()), &p).is_ok());
    let cases: Vec<(&str, Vec<u8>, ErrorKind)> = vec![
        // M-01: a duplicate deep inside.
        (
            "M-01",
            br#"{"LoTE": {"ListAndSchemeInformation": {"ListIssueDateTime": "2027-01-15T08:00:00Z", "LoTEType": "a", "LoTEType": "b"}}}"#.to_vec(),
            ErrorKind::Malformed,
        ),
        ("M-02", "[".repeat(100_000).into_bytes(), ErrorKind::LimitExceeded),
        ("M-03 1e400", info("1e400").into_bytes(), ErrorKind::Malformed),
        ("M-03 big", info("123456789012345678901234567890").into_bytes(), ErrorKind::Malformed),
        ("M-03 -1", info("-1").into_bytes(), ErrorKind::Malformed),
        ("M-03 1.0", info("1.0").into_bytes(), ErrorKind::Malformed),
        ("M-04", {
            let mut b = info("1").into_bytes();
            b.insert(10, 0xff);
            b
        }, ErrorKind::Malformed),
        ("M-05", br#"{"LoTE\ud800": {}}"#.to_vec(), ErrorKind::Malformed),
        ("M-06", br#"{"LoTE": {}, "Lo\u0054E": {}}"#.to_vec(), ErrorKind::Malformed),
        ("M-07 BOM", [&[0xef, 0xbb, 0xbf][..], info("1").as_bytes()].concat(), ErrorKind::Malformed),
        ("M-07 trailing", format!("{} x", info("1")).into_bytes(), ErrorKind::Malformed),
        ("M-08", b"[1, 2]".to_vec(), ErrorKind::Malformed),
        ("M-10 NaN", info("NaN").into_bytes(), ErrorKind::Malformed),
        ("M-10 01", info("01").into_bytes(), ErrorKind::Malformed),
        ("M-10 +1", info("+1").into_bytes(), ErrorKind::Malformed),
    ];
    for (id, payload, want) in cases {
        assert_eq!(kind(check_l(&sign_raw(&payload), &p)), want, "{id}");
    }
    // M-09: a 100 MB string is over the size limit before anything is decoded.
    let huge = format!(
        "{}.{}.AA",
        b64u_encode(b"{}"),
        "A".repeat(100 * 1024 * 1024)
    );
    assert_eq!(kind(check_l(&huge, &p)), ErrorKind::LimitExceeded);
}

#[test]
fn fuzz_entry_survives_the_fixtures_and_their_truncations() {
    let p = list_pki();
    let lote = sign_lote(&p, jades_header(&p), &lote_body(&p, "EUPIDProvidersList"));
    let v = pki();
    let vical = good(&v, true);
    let payload_json = lote_body(&p, "EUPIDProvidersList").to_string();
    for input in [
        lote.as_bytes(),
        &vical[..],
        payload_json.as_bytes(),
        TSL.as_bytes(),
    ] {
        for n in (0..input.len()).step_by(97) {
            super::fuzz_lists(&input[..n]);
        }
        super::fuzz_lists(input);
    }
}

// ---------------------------------------------------------------------------
// XML: parsing bounds and exclusive C14N, cross-checked against xml-crypto.

/// Documents exercising exclusive C14N's namespace, ordering and escaping rules.
const C14N_CASES: &[&str] = &[
    r#"<a xmlns="urn:x" xmlns:p="urn:p" b="1" a="2"><p:c/>t&amp;<![CDATA[<x>]]></a>"#,
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r z=\"&quot;&#9;&#10;&#13;&lt;&gt;\">\r\n x&#13;y <!-- dropped --> &gt; </r>",
    r#"<p:r xmlns:p="urn:p" xmlns:q="urn:q" xmlns:unused="urn:u" q:b="1" p:a="2" c="3"><q:s xmlns:q="urn:q2"/><p:t xmlns:p="urn:p"/></p:r>"#,
    r#"<r xmlns="urn:d"><s xmlns=""><t xmlns="urn:d"/></s><u/></r>"#,
    r#"<r xml:lang="en" xmlns:a="urn:a" a:z="1" a:b="2" b="3" xmlns:b="urn:0" b:y="4"/>"#,
    "<r>\u{e9}\u{1F600} \t\n</r>",
];

/// A small TS 119 612-shaped list with an enveloped ds:Signature.
const TSL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="tsl" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <tsl:SchemeInformation><tsl:TSLVersionIdentifier>6</tsl:TSLVersionIdentifier></tsl:SchemeInformation>
  <ds:Signature Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:SignedInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><xades:SignedProperties Id="xades-sig"><xades:SigningTime>2026-01-01T00:00:00Z</xades:SigningTime></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature>
</tsl:TrustServiceStatusList>"#;

fn xml_peer(xml: &str, id: Option<&str>) -> Vec<u8> {
    xml_peer_mode(xml, id, false)
}

fn xml_peer_mode(xml: &str, id: Option<&str>, inclusive: bool) -> Vec<u8> {
    use std::process::Command;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/xmldsig");
    let setup = Command::new("bash")
        .arg(dir.join("setup.sh"))
        .status()
        .unwrap();
    assert!(
        setup.success(),
        "interop/xmldsig/setup.sh failed (npm ci needs the network once)"
    );
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!("passerelle-c14n-{}-{n}.xml", std::process::id()));
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("node");
    let _ = cmd.arg(dir.join("c14n.mjs"));
    if inclusive {
        let _ = cmd.arg("--inclusive");
    }
    let _ = cmd.arg(&file);
    if let Some(id) = id {
        let _ = cmd.arg(id);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ours(xml: &str) -> Vec<u8> {
    let doc = super::xml::parse(xml).unwrap();
    let root = doc.root_element();
    let sig = root
        .children()
        .find(|c| c.tag_name().name() == "Signature")
        .map(|c| c.id());
    super::xml::exclusive_c14n(root, sig).unwrap()
}

#[test]
fn exclusive_c14n_matches_xml_crypto() {
    for xml in C14N_CASES.iter().chain([&TSL]) {
        let mine = ours(xml);
        let theirs = xml_peer(xml, None);
        assert_eq!(
            String::from_utf8_lossy(&mine),
            String::from_utf8_lossy(&theirs),
            "{xml}"
        );
    }
    // A subtree by Id (the XAdES SignedProperties reference): ancestors'
    // namespaces that it uses are declared on it.
    let doc = super::xml::parse(TSL).unwrap();
    let sp = doc
        .descendants()
        .find(|n| n.attribute("Id") == Some("xades-sig"))
        .unwrap();
    let mine = super::xml::exclusive_c14n(sp, None).unwrap();
    assert_eq!(mine, xml_peer(TSL, Some("xades-sig")));
    // Processing instructions: `<?target data?>` per the C14N REC; xml-crypto
    // 6.3.2 prints only the data (interop/xmldsig/NOTES.md), so this is
    // checked against the REC alone.
    assert_eq!(ours("<r><?pi data?></r>"), b"<r><?pi data?></r>");
    // One changed byte changes both sides alike.
    let changed = TSL.replace(">6<", ">7<");
    assert_ne!(ours(&changed), ours(TSL));
    assert_eq!(ours(&changed), xml_peer(&changed, None));
}

#[test]
fn inclusive_c14n_matches_xml_crypto() {
    use super::xml::{canonicalize, C14n};
    for xml in C14N_CASES.iter().chain([&TSL]) {
        let doc = super::xml::parse(xml).unwrap();
        let mine = canonicalize(doc.root_element(), None, C14n::Inclusive).unwrap();
        // The peer removes a top-level ds:Signature; compare on lists without one.
        if xml.contains("ds:Signature") {
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(&mine),
            String::from_utf8_lossy(&xml_peer_mode(xml, None, true)),
            "{xml}"
        );
    }
    // A subtree: the in-scope namespaces of its ancestors are rendered on it.
    let doc = super::xml::parse(TSL).unwrap();
    let sp = doc
        .descendants()
        .find(|n| n.attribute("Id") == Some("xades-sig"))
        .unwrap();
    let mine = canonicalize(sp, None, C14n::Inclusive).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&mine),
        String::from_utf8_lossy(&xml_peer_mode(TSL, Some("xades-sig"), true))
    );
}

#[test]
fn tl01_xml_dtd_entities_and_bounds() {
    use crate::limits::{MAX_TRUSTED_LIST_XML_BYTES, MAX_XML_DEPTH};
    for bad in [
        r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
        r#"<!DOCTYPE l [<!ENTITY a "a"><!ENTITY b "&a;&a;">]><l>&b;</l>"#,
        "<!doctype r><r/>",
        "<r>&unknown;</r>",
        "<r><s></r>",
        "<r/><r/>",
    ] {
        let r = super::xml::parse(bad).map(|_| ());
        assert_eq!(kind(r), ErrorKind::Malformed, "{bad}");
    }
    let past = format!("<r>{}</r>", "a".repeat(MAX_TRUSTED_LIST_XML_BYTES));
    assert_eq!(
        kind(super::xml::parse(&past).map(|_| ())),
        ErrorKind::LimitExceeded
    );
    // Depth: at the limit canonicalizes, past it is limit_exceeded.
    let nest = |n: usize| format!("{}{}", "<a>".repeat(n + 1), "</a>".repeat(n + 1));
    let at = nest(MAX_XML_DEPTH);
    let doc = super::xml::parse(&at).unwrap();
    assert!(super::xml::exclusive_c14n(doc.root_element(), None).is_ok());
    let past = nest(MAX_XML_DEPTH + 1);
    let doc = super::xml::parse(&past).unwrap();
    assert_eq!(
        kind(super::xml::exclusive_c14n(doc.root_element(), None)),
        ErrorKind::LimitExceeded
    );
}

// ---------------------------------------------------------------------------
// TS 119 612 XML lists, signed by the independent xadesjs peer.

use super::lote::SignerTrust;
use super::tsl::check_tsl;

fn tsl_xml(pointer: Option<(&str, &Certificate)>, service: &str) -> String {
    let ptr = match pointer {
        Some((loc, cert)) => format!(
            r#"<tsl:PointersToOtherTSL><tsl:OtherTSLPointer><tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>{}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities><tsl:TSLLocation>{loc}</tsl:TSLLocation><tsl:AdditionalInformation><tsl:OtherInformation><tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType></tsl:OtherInformation></tsl:AdditionalInformation></tsl:OtherTSLPointer></tsl:PointersToOtherTSL>"#,
            b64_std_encode(cert.der())
        ),
        None => String::new(),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" Id="tsl-1" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <tsl:SchemeInformation>
    <tsl:TSLVersionIdentifier>6</tsl:TSLVersionIdentifier>
    <tsl:TSLSequenceNumber>42</tsl:TSLSequenceNumber>
    <tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists</tsl:TSLType>
    <tsl:SchemeOperatorName><tsl:Name xml:lang="en">Test Commission</tsl:Name></tsl:SchemeOperatorName>
    <tsl:SchemeTerritory>EU</tsl:SchemeTerritory>
    {ptr}
    <tsl:ListIssueDateTime>{}</tsl:ListIssueDateTime>
    <tsl:NextUpdate><tsl:dateTime>{}</tsl:dateTime></tsl:NextUpdate>
  </tsl:SchemeInformation>
  <tsl:TrustServiceProviderList>
    <tsl:TrustServiceProvider>
      <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">Example QTSP &amp; Co</tsl:Name></tsl:TSPName></tsl:TSPInformation>
      <tsl:TSPServices><tsl:TSPService>{service}</tsl:TSPService></tsl:TSPServices>
    </tsl:TrustServiceProvider>
  </tsl:TrustServiceProviderList>
</tsl:TrustServiceStatusList>"#,
        t(NOW - 100).to_rfc3339(),
        t(NOW + 86_400).to_rfc3339()
    )
}

fn qc_service(cert: &Certificate, status: &str, since: u64, history: &str) -> String {
    format!(
        r#"<tsl:ServiceInformation><tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier><tsl:ServiceName><tsl:Name xml:lang="en">QC CA</tsl:Name></tsl:ServiceName><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>{}</tsl:X509Certificate></tsl:DigitalId><tsl:DigitalId><tsl:X509SubjectName>CN=PID Provider CA</tsl:X509SubjectName></tsl:DigitalId></tsl:ServiceDigitalIdentity><tsl:ServiceStatus>{status}</tsl:ServiceStatus><tsl:StatusStartingTime>{}</tsl:StatusStartingTime></tsl:ServiceInformation>{history}"#,
        b64_std_encode(cert.der()),
        t(since).to_rfc3339()
    )
}

/// Signs `xml` with xadesjs (interop/xmldsig/xades/sign.mjs).
fn xades_sign(xml: &str, key: &PrivateKey, certs: &[&Certificate]) -> String {
    xades_sign_mode(xml, key, certs, false)
}

fn xades_tmp(ext: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("passerelle-xades-{}-{n}.{ext}", std::process::id()))
}

/// Whether xadesjs verifies `xml` (interop/xmldsig/xades/verify.mjs).
fn xades_verifies(xml: &str) -> bool {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/xmldsig");
    let f = xades_tmp("xml");
    std::fs::write(&f, xml).unwrap();
    let out = std::process::Command::new("node")
        .arg(dir.join("xades/verify.mjs"))
        .arg(&f)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&f);
    out.status.success()
}

/// `exc`: SignedInfo under exclusive C14N (`sign.mjs --exc`).
fn xades_sign_mode(xml: &str, key: &PrivateKey, certs: &[&Certificate], exc: bool) -> String {
    use std::process::Command;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/xmldsig");
    let setup = Command::new("bash")
        .arg(dir.join("setup.sh"))
        .status()
        .unwrap();
    assert!(setup.success(), "interop/xmldsig/setup.sh failed");
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = std::env::temp_dir().join(format!("passerelle-xades-{}-{n}", std::process::id()));
    let (x, k, c) = (
        base.with_extension("xml"),
        base.with_extension("jwk"),
        base.with_extension("pem"),
    );
    std::fs::write(&x, xml).unwrap();
    std::fs::write(&k, key.to_jwk()).unwrap();
    std::fs::write(&c, certs.iter().map(|c| c.to_pem()).collect::<String>()).unwrap();
    let mut cmd = Command::new("node");
    let _ = cmd.arg(dir.join("xades/sign.mjs"));
    if exc {
        let _ = cmd.arg("--exc");
    }
    let out = cmd
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
    String::from_utf8(out.stdout).unwrap()
}

fn check_x(text: &str, p: &ListPki) -> crate::Result<super::Lote> {
    check_tsl(
        text,
        SignerTrust::Anchors(&anchor(&p.root)),
        t(NOW),
        &ListOptions::default(),
    )
}

#[test]
fn tsl_signed_by_xadesjs_verifies_and_reads_only_what_is_signed() {
    let p = list_pki();
    let history = format!(
        r#"<tsl:ServiceHistory><tsl:ServiceHistoryInstance><tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier><tsl:ServiceStatus>{GRANTED}</tsl:ServiceStatus><tsl:StatusStartingTime>{}</tsl:StatusStartingTime></tsl:ServiceHistoryInstance></tsl:ServiceHistory>"#,
        t(NOW - 10_000).to_rfc3339()
    );
    let svc = qc_service(&p.pid_ca, WITHDRAWN, NOW - 1_000, &history);
    let signed = xades_sign(
        &tsl_xml(Some(("https://nat.example/tl.xml", &p.revocation_ee)), &svc),
        &p.signer_key,
        &[&p.signer],
    );
    let l = check_x(&signed, &p).unwrap();
    assert_eq!(l.sequence_number(), Some(42));
    assert_eq!(l.operator_name(), Some("Test Commission"));
    assert_eq!(l.signer().subject, "CN=List Signer");
    assert_eq!(l.entities()[0].name(), Some("Example QTSP & Co"));
    let s = &l.entities()[0].services()[0];
    assert_eq!(s.capability(), Capability::Other);
    assert_eq!(s.identities()[0].kind(), IdentityKind::CaCertificate);
    assert_eq!(s.identities()[1].kind(), IdentityKind::NameOnly);
    // TL-05 on XML: granted before NOW - 1 000, withdrawn since.
    assert!(s.require_active_at(t(NOW - 5_000)).is_ok());
    assert_eq!(kind(s.require_active_at(t(NOW))), ErrorKind::Untrusted);
    assert_eq!(l.pointers()[0].location(), "https://nat.example/tl.xml");

    // A changed byte in the signed content fails on both sides.
    assert!(xades_verifies(&signed));
    let changed = signed.replace("Example QTSP", "Example QTSQ");
    assert_eq!(kind(check_x(&changed, &p)), ErrorKind::Signature);
    assert!(!xades_verifies(&changed));
    // SignedInfo under exclusive C14N, as EU lists are signed: verifies too.
    let exc = xades_sign_mode(&tsl_xml(None, &svc), &p.signer_key, &[&p.signer], true);
    assert!(exc
        .contains(r#"CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#""#));
    assert!(check_x(&exc, &p).is_ok());
    assert!(xades_verifies(&exc));
    // TL-02: an unsigned provider added after the signature: digest fails.
    let wrapped = signed.replace(
        "</tsl:TrustServiceStatusList>",
        "<tsl:TrustServiceProviderList/></tsl:TrustServiceStatusList>",
    );
    assert_eq!(kind(check_x(&wrapped, &p)), ErrorKind::Signature);
    // TL-02: the signature moved below another element, or two signatures,
    // or an Id used twice: malformed, never read.
    let start = signed.find("<ds:Signature").unwrap();
    let end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let sig = &signed[start..end];
    let moved = signed.replace(sig, "").replace(
        "</tsl:SchemeInformation>",
        &format!("</tsl:SchemeInformation><tsl:X>{sig}</tsl:X>"),
    );
    assert_eq!(kind(check_x(&moved, &p)), ErrorKind::Malformed);
    let twice = signed.replace(sig, &format!("{sig}{}", sig.replace("Id=\"", "Id=\"b")));
    assert_eq!(kind(check_x(&twice, &p)), ErrorKind::Malformed);
    let dup_id = signed.replace(
        "<tsl:SchemeInformation>",
        "<tsl:SchemeInformation Id=\"tsl-1\">",
    );
    assert_eq!(kind(check_x(&dup_id, &p)), ErrorKind::Malformed);
    // An RSA method over this EC signer's signature: refused as a
    // signature that does not fit the key (never tried as RSA); another
    // canonicalization: unsupported.
    let rsa = signed.replace(
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    );
    let e = check_x(&rsa, &p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature, "{e}");
    assert!(e.to_string().contains("RSA signature method"), "{e}");
    // A signer that does not chain to the list anchor.
    let (other, _) = ca("Other Root");
    let r = check_tsl(
        &signed,
        SignerTrust::Anchors(&anchor(&other)),
        t(NOW),
        &ListOptions::default(),
    );
    assert_eq!(kind(r), ErrorKind::Untrusted);
    // TL-04: judged after NextUpdate.
    let r = check_tsl(
        &signed,
        SignerTrust::Anchors(&anchor(&p.root)),
        t(NOW + 2 * 86_400),
        &ListOptions::default(),
    );
    assert_eq!(kind(r), ErrorKind::Policy);
    // Unsigned: untrusted.
    let unsigned = tsl_xml(None, &svc);
    assert_eq!(kind(check_x(&unsigned, &p)), ErrorKind::Untrusted);
}

#[test]
fn tl03_national_list_must_be_signed_by_a_certificate_the_lotl_announces() {
    let p = list_pki();
    let (nat_root, nat_root_key) = ca("National Root");
    let nat_key = key();
    let nat_signer = CertificateBuilder::new("National TL Signer")
        .validity(t(FROM), t(TO))
        .end_entity()
        .issued_by(&nat_root, &nat_root_key, nat_key.public_key())
        .unwrap();
    let svc = qc_service(&p.pid_ca, GRANTED, NOW - 10_000, "");
    let lotl = xades_sign(
        &tsl_xml(Some(("https://nat.example/tl.xml", &nat_signer)), &svc),
        &p.signer_key,
        &[&p.signer],
    );
    let lotl = check_x(&lotl, &p).unwrap();
    let pointer = &lotl.pointers()[0];
    let national = xades_sign(&tsl_xml(None, &svc), &nat_key, &[&nat_signer]);
    let l = check_tsl(
        &national,
        SignerTrust::Announced(pointer.signers()),
        t(NOW),
        &ListOptions::default(),
    )
    .unwrap();
    assert_eq!(l.signer().subject, "CN=National TL Signer");
    // Signed by the LOTL's own signer, which the pointer does not announce.
    let other = xades_sign(&tsl_xml(None, &svc), &p.signer_key, &[&p.signer]);
    let r = check_tsl(
        &other,
        SignerTrust::Announced(pointer.signers()),
        t(NOW),
        &ListOptions::default(),
    );
    assert_eq!(kind(r), ErrorKind::Untrusted);
    // TL-08: a LOTL pointer to http.
    let http = xades_sign(
        &tsl_xml(Some(("http://nat.example/tl.xml", &nat_signer)), &svc),
        &p.signer_key,
        &[&p.signer],
    );
    assert_eq!(kind(check_x(&http, &p)), ErrorKind::Policy);
}

#[test]
fn follow_pointers_bounds_depth_count_and_cycles() {
    use crate::limits::MAX_LIST_POINTER_DEPTH;
    use crate::trust::TrustStore;
    use std::collections::HashMap;

    struct Fetcher(HashMap<String, Vec<u8>>);
    impl super::ListFetcher for Fetcher {
        fn fetch(&self, url: &str) -> crate::Result<Vec<u8>> {
            self.0
                .get(url)
                .cloned()
                .ok_or_else(|| crate::error::untrusted(format!("not served: {url}")))
        }
    }
    let p = list_pki();
    let url = |i: usize| format!("https://lists.example/{i}.jwt");
    // A chain 0 -> 1 -> 2 -> ... each signed by p.signer (announced directly),
    // and list `back` points back to 0 (a cycle).
    let list = |points_to: &[usize]| {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["PointersToOtherLoTE"] = Value::Array(
            points_to
                .iter()
                .map(|j| json!({"LoTELocation": url(*j), "ServiceDigitalIdentities": [certs(&[&p.signer])]}))
                .collect(),
        );
        sign_lote(&p, jades_header(&p), &body)
    };
    let n = MAX_LIST_POINTER_DEPTH + 2;
    let mut served = HashMap::new();
    for i in 1..n {
        let mut to = vec![i + 1];
        if i == 2 {
            to.push(0); // cycle back to the root
        }
        let _ = served.insert(url(i), list(&to).into_bytes());
    }
    let root = check_l(&list(&[1]), &p).unwrap();
    let mut store = TrustStore::new();
    let got = store
        .follow_pointers(&root, &url(0), &Fetcher(served.clone()), t(NOW))
        .unwrap();
    // Depth-limited: lists 1..=MAX_LIST_POINTER_DEPTH, the root never refetched.
    let locs: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(locs.len(), MAX_LIST_POINTER_DEPTH);
    assert!(!locs.contains(&url(0).as_str()));
    // A pointed list signed by a signer its pointer does not announce.
    let (other_root, other_key) = ca("Other");
    let k = key();
    let stranger = CertificateBuilder::new("Stranger")
        .validity(t(FROM), t(TO))
        .end_entity()
        .issued_by(&other_root, &other_key, k.public_key())
        .unwrap();
    let mut h = jades_header(&p);
    let _ = h.insert("x5c".into(), json!([b64_std_encode(stranger.der())]));
    let bad = sign_compact(
        h,
        lote_body(&p, "EUPIDProvidersList").to_string().as_bytes(),
        &k,
    )
    .unwrap();
    let mut bad_served = served;
    let _ = bad_served.insert(url(1), bad.into_bytes());
    let r = store.follow_pointers(&root, &url(0), &Fetcher(bad_served), t(NOW));
    assert_eq!(kind(r), ErrorKind::Untrusted);
}

#[test]
fn followed_lists_limit_at_and_past() {
    use crate::limits::MAX_FOLLOWED_LISTS;
    use crate::trust::TrustStore;
    use std::collections::HashMap;
    struct Fetcher(HashMap<String, Vec<u8>>);
    impl super::ListFetcher for Fetcher {
        fn fetch(&self, url: &str) -> crate::Result<Vec<u8>> {
            Ok(self.0.get(url).cloned().unwrap_or_default())
        }
    }
    let p = list_pki();
    let leaf = sign_lote(&p, jades_header(&p), &lote_body(&p, "EUPIDProvidersList"));
    let url = |i: usize| format!("https://lists.example/{i}.jwt");
    let served: HashMap<String, Vec<u8>> = (0..=MAX_FOLLOWED_LISTS)
        .map(|i| (url(i), leaf.clone().into_bytes()))
        .collect();
    let root_with = |n: usize| {
        let mut body = lote_body(&p, "EUPIDProvidersList");
        body["LoTE"]["ListAndSchemeInformation"]["PointersToOtherLoTE"] = Value::Array(
            (0..n)
                .map(|i| json!({"LoTELocation": url(i), "ServiceDigitalIdentities": [certs(&[&p.signer])]}))
                .collect(),
        );
        check_l(&sign_lote(&p, jades_header(&p), &body), &p).unwrap()
    };
    let mut store = TrustStore::new();
    let f = Fetcher(served);
    let at = store
        .follow_pointers(
            &root_with(MAX_FOLLOWED_LISTS),
            "https://root.example",
            &f,
            t(NOW),
        )
        .unwrap();
    assert_eq!(at.len(), MAX_FOLLOWED_LISTS);
    let past = store.follow_pointers(
        &root_with(MAX_FOLLOWED_LISTS + 1),
        "https://root.example",
        &f,
        t(NOW),
    );
    assert_eq!(kind(past), ErrorKind::LimitExceeded);
}

// ---------------------------------------------------------------------------
// A held VICAL anchors mdoc document signers of its docTypes only.

#[test]
fn mdl_whose_iaca_comes_from_the_vical_verifies_and_one_listed_for_another_doctype_does_not() {
    use crate::{
        Expectations, HeldMdoc, MdocIssuer, Policy, SessionTranscript, TrustStore, Verifier,
    };
    let p = pki();
    let (iaca, iaca_key) = ca("IACA From VICAL");
    let ds_key = key();
    let ds = CertificateBuilder::new("DS From VICAL")
        .country("US")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(t(FROM), t(TO))
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    let device = key();
    let elements = json!({"org.iso.18013.5.1": {"family_name": "Doe", "given_name": "Jane"}});
    let issued = MdocIssuer::new(&ds_key, &[ds.clone(), iaca.clone()])
        .issue(
            MDL,
            elements.as_object().unwrap(),
            device.public_key(),
            t(NOW),
        )
        .unwrap();
    let st = SessionTranscript::openid4vp_dc_api("https://rp.example", "n-1", None);
    let resp = HeldMdoc::parse(&issued)
        .unwrap()
        .present(&[("org.iso.18013.5.1", "given_name")], &st, &device)
        .unwrap();
    let verify = |doc_types: &[&str]| {
        let body = payload(
            vec![entry(iaca.der(), doc_types)],
            NOW - 100,
            Some(NOW + 86_400),
        );
        let vical = sign(&body, Some(&[p.signer.der().to_vec()]), &p.signer_key, true);
        let mut trust = TrustStore::new();
        let _ = trust
            .add_vical(&vical, &p.authority.to_pem(), t(NOW))
            .unwrap();
        Verifier::new(trust, Policy::default()).verify_device_response(
            &resp,
            &Expectations::at(t(NOW)).session_transcript(st.clone()),
        )
    };
    let r = verify(&[MDL]).unwrap();
    match r[0].issuer().trust() {
        crate::TrustBasis::List {
            kind,
            service,
            anchor,
            ..
        } => {
            assert_eq!(kind, "vical");
            assert_eq!(service, MDL);
            assert_eq!(anchor, "CN=IACA From VICAL,C=US");
        }
        other => panic!("{other:?}"),
    }
    // J-10: the same IACA listed for the PID only does not anchor an mDL.
    assert_eq!(kind(verify(&[PID])), ErrorKind::Untrusted);
}
