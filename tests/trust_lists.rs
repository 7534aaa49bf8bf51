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
