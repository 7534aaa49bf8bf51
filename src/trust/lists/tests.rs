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
use crate::trust::x509::{Certificate, CertificateBuilder, TrustAnchorCert};

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
