//! Tests of chain validation (the J rows of HOSTILE-INPUTS.md that concern
//! `x5c`), SAN matching, PEM and the certificate builder. Each failure asserts
//! its `ErrorKind`.
// Tests may unwrap, panic and index: a failure is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::crypto::{Algorithm, PrivateKey};
use crate::encoding::der::{context, seq, tlv};
use crate::encoding::pem::{PEM_BEGIN, PEM_END};
use crate::x509::builder::*;

/// The validation time of most tests.
const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn from() -> UnixTime {
    UnixTime::from_secs(NOW - 30 * DAY)
}

fn to() -> UnixTime {
    UnixTime::from_secs(NOW + 365 * DAY)
}

/// A certificate and its private key.
struct Node {
    cert: Certificate,
    key: PrivateKey,
}

fn key(alg: Algorithm) -> PrivateKey {
    PrivateKey::generate(alg).unwrap()
}

fn root_with(cn: &str, alg: Algorithm, path_len: Option<u8>) -> Node {
    let key = key(alg);
    let cert = CertificateBuilder::new(cn)
        .organization("Test Org")
        .country("DE")
        .validity(from(), to())
        .ca(path_len)
        .self_signed(&key)
        .unwrap();
    Node { cert, key }
}

fn root(cn: &str) -> Node {
    root_with(cn, Algorithm::Es256, None)
}

fn intermediate(cn: &str, parent: &Node, path_len: Option<u8>) -> Node {
    let key = key(Algorithm::Es256);
    let cert = CertificateBuilder::new(cn)
        .validity(from(), to())
        .ca(path_len)
        .issued_by(&parent.cert, &parent.key, key.public_key())
        .unwrap();
    Node { cert, key }
}

fn leaf_builder() -> CertificateBuilder {
    CertificateBuilder::new("Test Issuer")
        .organization("Test Org")
        .country("DE")
        .validity(from(), to())
        .end_entity()
        .uri("https://issuer.example")
        .dns_name("issuer.example")
}

fn leaf(parent: &Node) -> Node {
    let key = key(Algorithm::Es256);
    let cert = leaf_builder()
        .issued_by(&parent.cert, &parent.key, key.public_key())
        .unwrap();
    Node { cert, key }
}

fn chain(certs: &[&Certificate]) -> Vec<Vec<u8>> {
    certs.iter().map(|c| c.der().to_vec()).collect()
}

fn anchors(certs: &[&Certificate]) -> Vec<TrustAnchorCert> {
    certs
        .iter()
        .map(|c| TrustAnchorCert::from_der(c.der().to_vec()).unwrap())
        .collect()
}

fn validate(certs: &[&Certificate], roots: &[&Certificate]) -> Result<ValidatedLeaf> {
    validate_chain(
        &chain(certs),
        &anchors(roots),
        now(),
        ChainPurpose::SdJwtVcIssuer,
    )
}

#[track_caller]
fn assert_kind(r: Result<ValidatedLeaf>, kind: ErrorKind) -> Error {
    match r {
        Ok(leaf) => panic!("expected {kind:?}, validated {:?}", leaf.subject),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{e}");
            e
        }
    }
}

// --- acceptance ------------------------------------------------------------

#[test]
fn two_level_chain_validates_with_and_without_the_root() {
    let r = root("Root CA");
    let l = leaf(&r);
    for certs in [vec![&l.cert], vec![&l.cert, &r.cert]] {
        let v = validate(&certs, &[&r.cert]).unwrap();
        assert_eq!(&v.public_key, l.key.public_key());
        assert_eq!(v.subject, "CN=Test Issuer,O=Test Org,C=DE");
        assert_eq!(v.anchor_subject, "CN=Root CA,O=Test Org,C=DE");
        assert_eq!(
            v.chain_subjects,
            vec![v.subject.clone(), v.anchor_subject.clone()]
        );
        assert_eq!((v.not_before, v.not_after), (from(), to()));
        assert_eq!(v.leaf_der, l.cert.der());
    }
}

#[test]
fn three_level_chain_validates_with_and_without_the_root() {
    let r = root("Root CA");
    let i = intermediate("Intermediate CA", &r, Some(0));
    let l = leaf(&i);
    for certs in [vec![&l.cert, &i.cert], vec![&l.cert, &i.cert, &r.cert]] {
        let v = validate(&certs, &[&r.cert]).unwrap();
        assert_eq!(&v.public_key, l.key.public_key());
        assert_eq!(
            v.chain_subjects,
            vec![
                "CN=Test Issuer,O=Test Org,C=DE".to_owned(),
                "CN=Intermediate CA".to_owned(),
                "CN=Root CA,O=Test Org,C=DE".to_owned(),
            ]
        );
    }
    // Without the intermediate there is no path.
    assert_kind(validate(&[&l.cert], &[&r.cert]), ErrorKind::Untrusted);
}

#[test]
fn every_supported_algorithm_signs_and_is_verified() {
    for (root_alg, leaf_alg) in [
        (Algorithm::Es384, Algorithm::Es256),
        (Algorithm::EdDsa, Algorithm::Es384),
        (Algorithm::Es256, Algorithm::EdDsa),
    ] {
        let r = root_with("Root", root_alg, None);
        let k = key(leaf_alg);
        let l = leaf_builder()
            .issued_by(&r.cert, &r.key, k.public_key())
            .unwrap();
        let v = validate(&[&l], &[&r.cert]).unwrap();
        assert_eq!(
            &v.public_key,
            k.public_key(),
            "{root_alg:?} -> {leaf_alg:?}"
        );
    }
}

#[test]
fn the_right_anchor_is_found_among_several() {
    let other = root("Other Root");
    let r = root("Root CA");
    let l = leaf(&r);
    let v = validate(&[&l.cert], &[&other.cert, &r.cert]).unwrap();
    assert_eq!(v.anchor_subject, "CN=Root CA,O=Test Org,C=DE");
}

// --- J rows ----------------------------------------------------------------

#[test]
fn j04_leaf_with_ca_true_is_untrusted() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    let l = leaf_builder()
        .ca(None)
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let e = assert_kind(validate(&[&l], &[&r.cert]), ErrorKind::Untrusted);
    assert!(e.message().contains("CaUsedAsEndEntity"), "{e}");
}

#[test]
fn j05_intermediate_without_ca_true_is_untrusted() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    let not_ca = CertificateBuilder::new("Not A CA")
        .validity(from(), to())
        .end_entity()
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let i = Node {
        cert: not_ca,
        key: k,
    };
    let l = leaf(&i);
    let e = assert_kind(
        validate(&[&l.cert, &i.cert], &[&r.cert]),
        ErrorKind::Untrusted,
    );
    assert!(e.message().contains("EndEntityUsedAsCa"), "{e}");
}

#[test]
fn j06_path_len_zero_and_an_extra_intermediate_is_untrusted() {
    let r = root("Root CA");
    let i1 = intermediate("Intermediate 1", &r, Some(0));
    let i2 = intermediate("Intermediate 2", &i1, None);
    let l = leaf(&i2);
    let e = assert_kind(
        validate(&[&l.cert, &i2.cert, &i1.cert], &[&r.cert]),
        ErrorKind::Untrusted,
    );
    assert!(e.message().contains("PathLenConstraintViolated"), "{e}");
}

#[test]
fn the_anchors_path_len_is_enforced() {
    // webpki does not read the anchor's basicConstraints; we do.
    let r = root_with("Root CA", Algorithm::Es256, Some(0));
    let i = intermediate("Intermediate", &r, None);
    let l = leaf(&i);
    let direct = leaf(&r);
    validate(&[&direct.cert], &[&r.cert]).unwrap();
    let e = assert_kind(
        validate(&[&l.cert, &i.cert], &[&r.cert]),
        ErrorKind::Untrusted,
    );
    assert!(e.message().contains("PathLenConstraintViolated"), "{e}");

    let r1 = root_with("Root CA", Algorithm::Es256, Some(1));
    let i = intermediate("Intermediate", &r1, None);
    let l = leaf(&i);
    validate(&[&l.cert, &i.cert], &[&r1.cert]).unwrap();
}

#[test]
fn j08_self_signed_leaf_is_untrusted() {
    let k = key(Algorithm::Es256);
    let l = leaf_builder().self_signed(&k).unwrap();
    assert!(l.is_self_signed());
    assert_kind(validate(&[&l], &[]), ErrorKind::Untrusted);
    // Not even when a (different) anchor is configured.
    let r = root("Root CA");
    assert_kind(validate(&[&l], &[&r.cert]), ErrorKind::Untrusted);
    // A self-signed CA offered as its own leaf, and trusted, is refused too.
    assert_kind(validate(&[&r.cert], &[&r.cert]), ErrorKind::Untrusted);
}

#[test]
fn j09_attacker_root_at_the_end_is_not_an_anchor() {
    let real = root("Root CA");
    let attacker = root("Attacker Root");
    let l = leaf(&attacker);
    assert_kind(
        validate(&[&l.cert, &attacker.cert], &[&real.cert]),
        ErrorKind::Untrusted,
    );

    // The same with an attacker root that copies the real root's name.
    let twin = root("Root CA");
    let l = leaf(&twin);
    assert_kind(
        validate(&[&l.cert, &twin.cert], &[&real.cert]),
        ErrorKind::Untrusted,
    );

    // A genuine chain with a stray root appended still validates.
    let good = leaf(&real);
    validate(&[&good.cert, &attacker.cert], &[&real.cert]).unwrap();
}

#[test]
fn j12_unknown_critical_extension_is_untrusted() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    // 1.3.6.1.4.1.99999.1 with value NULL.
    let l = leaf_builder()
        .custom_extension("1.3.6.1.4.1.99999.1", true, &[0x05, 0x00])
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let e = assert_kind(validate(&[&l], &[&r.cert]), ErrorKind::Untrusted);
    assert!(e.message().contains("UnsupportedCriticalExtension"), "{e}");

    // In an intermediate too.
    let ik = key(Algorithm::Es256);
    let i = CertificateBuilder::new("Intermediate")
        .validity(from(), to())
        .ca(None)
        .custom_extension("1.3.6.1.4.1.99999.1", true, &[0x05, 0x00])
        .issued_by(&r.cert, &r.key, ik.public_key())
        .unwrap();
    let i = Node { cert: i, key: ik };
    let l = leaf(&i);
    assert_kind(
        validate(&[&l.cert, &i.cert], &[&r.cert]),
        ErrorKind::Untrusted,
    );

    // Not critical: ignored.
    let l = leaf_builder()
        .custom_extension("1.3.6.1.4.1.99999.1", false, &[0x05, 0x00])
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    validate(&[&l], &[&r.cert]).unwrap();
}

#[test]
fn j15_non_minimal_length_is_malformed() {
    let r = root("Root CA");
    let l = leaf(&r);
    let der = l.cert.der();
    // The outer SEQUENCE is 30 82 HH LL; re-encode its length on three bytes.
    assert_eq!(der[..2], [0x30, 0x82]);
    let mut bad = vec![0x30, 0x83, 0x00];
    bad.extend_from_slice(&der[2..]);
    let r_anchor = anchors(&[&r.cert]);
    let e = validate_chain(
        &[bad.clone()],
        &r_anchor,
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    let e = assert_kind(e, ErrorKind::Malformed);
    assert!(e.message().contains("non-minimal length"), "{e}");
    assert_eq!(
        Certificate::from_der(&bad).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        TrustAnchorCert::from_der(bad).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn expired_and_not_yet_valid() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    let old = leaf_builder()
        .validity(
            UnixTime::from_secs(NOW - 10 * DAY),
            UnixTime::from_secs(NOW - DAY),
        )
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    assert_kind(validate(&[&old], &[&r.cert]), ErrorKind::Expired);
    let future = leaf_builder()
        .validity(
            UnixTime::from_secs(NOW + DAY),
            UnixTime::from_secs(NOW + 10 * DAY),
        )
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    assert_kind(validate(&[&future], &[&r.cert]), ErrorKind::NotYetValid);
    // The boundaries are inclusive.
    let exact = leaf_builder()
        .validity(now(), now())
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    validate(&[&exact], &[&r.cert]).unwrap();
}

#[test]
fn expired_intermediate_or_anchor_is_expired() {
    let r = root("Root CA");
    let ik = key(Algorithm::Es256);
    let i = CertificateBuilder::new("Old Intermediate")
        .validity(
            UnixTime::from_secs(NOW - 10 * DAY),
            UnixTime::from_secs(NOW - DAY),
        )
        .ca(None)
        .issued_by(&r.cert, &r.key, ik.public_key())
        .unwrap();
    let i = Node { cert: i, key: ik };
    let l = leaf(&i);
    assert_kind(
        validate(&[&l.cert, &i.cert], &[&r.cert]),
        ErrorKind::Expired,
    );

    let rk = key(Algorithm::Es256);
    let old_root = CertificateBuilder::new("Old Root")
        .validity(
            UnixTime::from_secs(NOW - 10 * DAY),
            UnixTime::from_secs(NOW - DAY),
        )
        .ca(None)
        .self_signed(&rk)
        .unwrap();
    let old_root = Node {
        cert: old_root,
        key: rk,
    };
    let l = leaf(&old_root);
    assert_kind(validate(&[&l.cert], &[&old_root.cert]), ErrorKind::Expired);
}

#[test]
fn chain_length_and_certificate_size_limits() {
    let r = root("Root CA");
    // At the limit: leaf, six intermediates and the root.
    let mut nodes = vec![intermediate("Intermediate 0", &r, None)];
    for n in 1..6 {
        let next = intermediate(&format!("Intermediate {n}"), nodes.last().unwrap(), None);
        nodes.push(next);
    }
    let l = leaf(nodes.last().unwrap());
    let mut certs = vec![&l.cert];
    certs.extend(nodes.iter().rev().map(|n| &n.cert));
    certs.push(&r.cert);
    assert_eq!(certs.len(), MAX_CHAIN_CERTS);
    let v = validate(&certs, &[&r.cert]).unwrap();
    assert_eq!(v.chain_subjects.len(), 8);

    // One more is refused before parsing.
    let mut too_long = chain(&certs);
    too_long.push(b"not even a certificate".to_vec());
    let e = validate_chain(
        &too_long,
        &anchors(&[&r.cert]),
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    assert_kind(e, ErrorKind::LimitExceeded);

    // A certificate over the size limit, also before parsing.
    let big = vec![vec![0u8; MAX_CERT_BYTES + 1]];
    let e = validate_chain(
        &big,
        &anchors(&[&r.cert]),
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    assert_kind(e, ErrorKind::LimitExceeded);
    assert_eq!(
        TrustAnchorCert::from_der(vec![0u8; MAX_CERT_BYTES + 1])
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn chain_loop_terminates_untrusted() {
    // A issues B and B issues A; the leaf is issued by A.
    let ka = key(Algorithm::Es256);
    let kb = key(Algorithm::Es256);
    let ca = |cn: &str| CertificateBuilder::new(cn).validity(from(), to()).ca(None);
    let b_tmp = ca("B").self_signed(&kb).unwrap();
    let a = ca("A").issued_by(&b_tmp, &kb, ka.public_key()).unwrap();
    let b = ca("B").issued_by(&a, &ka, kb.public_key()).unwrap();
    let a_node = Node { cert: a, key: ka };
    let l = leaf(&a_node);
    let unrelated = root("Root CA");
    assert_kind(
        validate(&[&l.cert, &a_node.cert, &b], &[&unrelated.cert]),
        ErrorKind::Untrusted,
    );
    // Repeated elements do not help either.
    assert_kind(
        validate(
            &[
                &l.cert,
                &a_node.cert,
                &b,
                &a_node.cert,
                &b,
                &a_node.cert,
                &b,
            ],
            &[&unrelated.cert],
        ),
        ErrorKind::Untrusted,
    );
}

#[test]
fn garbage_is_malformed() {
    let r = root("Root CA");
    let a = anchors(&[&r.cert]);
    for bytes in [
        b"garbage".to_vec(),
        vec![],
        vec![0x30, 0x03, 0x02, 0x01],
        vec![0x30, 0x00],
    ] {
        let e = validate_chain(&[bytes], &a, now(), ChainPurpose::SdJwtVcIssuer);
        assert_kind(e, ErrorKind::Malformed);
    }
    // Garbage in an intermediate position.
    let l = leaf(&r);
    let e = validate_chain(
        &[l.cert.der().to_vec(), b"garbage".to_vec()],
        &a,
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    assert_kind(e, ErrorKind::Malformed);
    // A truncated certificate and trailing data.
    let der = l.cert.der();
    let e = validate_chain(
        &[der[..der.len() - 1].to_vec()],
        &a,
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    assert_kind(e, ErrorKind::Malformed);
    let mut trailing = der.to_vec();
    trailing.push(0);
    let e = validate_chain(&[trailing], &a, now(), ChainPurpose::SdJwtVcIssuer);
    assert_kind(e, ErrorKind::Malformed);
    // An empty chain.
    assert_kind(
        validate_chain(&[], &a, now(), ChainPurpose::SdJwtVcIssuer),
        ErrorKind::Malformed,
    );
}

#[test]
fn a_tampered_leaf_is_untrusted() {
    let r = root("Root CA");
    let l = leaf(&r);
    let mut der = l.cert.der().to_vec();
    // Flip a byte of the CN inside the TBS.
    let at = der.windows(11).position(|w| w == b"Test Issuer").unwrap();
    der[at] ^= 0x01;
    let e = validate_chain(
        &[der],
        &anchors(&[&r.cert]),
        now(),
        ChainPurpose::SdJwtVcIssuer,
    );
    let e = assert_kind(e, ErrorKind::Untrusted);
    assert!(e.message().contains("InvalidSignatureForPublicKey"), "{e}");
}

#[test]
fn no_anchor_is_untrusted() {
    let r = root("Root CA");
    let l = leaf(&r);
    assert_kind(validate(&[&l.cert, &r.cert], &[]), ErrorKind::Untrusted);
}

#[test]
fn an_anchor_must_be_a_ca() {
    let r = root("Root CA");
    let l = leaf(&r);
    let e = TrustAnchorCert::from_der(l.cert.der().to_vec()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
}

// --- EKU -------------------------------------------------------------------

#[test]
fn sd_jwt_vc_issuer_accepts_no_eku_or_one_outside_the_mdoc_arc() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    for eku in [None, Some("1.3.6.1.5.5.7.3.1"), Some("2.5.29.37.0")] {
        let mut b = leaf_builder();
        if let Some(oid) = eku {
            b = b.extended_key_usage(oid);
        }
        let l = b.issued_by(&r.cert, &r.key, k.public_key()).unwrap();
        validate(&[&l], &[&r.cert]).unwrap();
    }
}

/// Issue 8: an mdoc document signer (its only EKU the 18013-5 DS EKU), or a
/// reader-authentication certificate, is scoped to mdoc and is refused as an
/// SD-JWT VC signer (RFC 5280 §4.2.1.12).
#[test]
fn an_mdoc_only_eku_excludes_the_sd_jwt_vc_issuer_purpose() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    for eku in ["1.0.18013.5.1.2", "1.0.18013.5.1.6"] {
        let l = leaf_builder()
            .extended_key_usage(eku)
            .issued_by(&r.cert, &r.key, k.public_key())
            .unwrap();
        let e = validate(&[&l], &[&r.cert]);
        assert_kind(e, ErrorKind::Untrusted);
    }
}

#[test]
fn mdoc_document_signer_requires_its_eku() {
    let r = root("IACA");
    let k = key(Algorithm::Es256);
    let a = anchors(&[&r.cert]);
    let ds = leaf_builder()
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    validate_chain(&chain(&[&ds]), &a, now(), ChainPurpose::MdocDocumentSigner).unwrap();
    for eku in [None, Some("1.3.6.1.5.5.7.3.1")] {
        let mut b = leaf_builder();
        if let Some(oid) = eku {
            b = b.extended_key_usage(oid);
        }
        let l = b.issued_by(&r.cert, &r.key, k.public_key()).unwrap();
        let e = validate_chain(&chain(&[&l]), &a, now(), ChainPurpose::MdocDocumentSigner);
        let e = assert_kind(e, ErrorKind::Untrusted);
        assert!(e.message().contains("RequiredEkuNotFound"), "{e}");
    }
}

// --- unsupported algorithms (fixtures made with Python cryptography / OpenSSL) ---

/// Inside every fixture's validity (2026-11-22 .. 2099-12-31).
const FIXTURE_NOW: u64 = 4_000_000_000;

fn fixture(pem: &str) -> Vec<u8> {
    let mut v = pem_certificates(pem).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

#[test]
fn rsa_and_sha1_are_unsupported() {
    let at = UnixTime::from_secs(FIXTURE_NOW);
    let rsa_root = TrustAnchorCert::from_pem(RSA_ROOT).unwrap();
    let e = validate_chain(
        &[fixture(RSA_SIGNED_LEAF)],
        &rsa_root,
        at,
        ChainPurpose::SdJwtVcIssuer,
    );
    let e = assert_kind(e, ErrorKind::Unsupported);
    assert!(e.message().contains("UnsupportedSignatureAlgorithm"), "{e}");

    let ec_root = TrustAnchorCert::from_pem(EC_ROOT).unwrap();
    let e = validate_chain(
        &[fixture(SHA1_SIGNED_LEAF)],
        &ec_root,
        at,
        ChainPurpose::SdJwtVcIssuer,
    );
    let e = assert_kind(e, ErrorKind::Unsupported);
    assert!(e.message().contains("UnsupportedSignatureAlgorithm"), "{e}");

    // A validly signed leaf whose own key is RSA.
    let e = validate_chain(
        &[fixture(RSA_KEY_LEAF)],
        &ec_root,
        at,
        ChainPurpose::SdJwtVcIssuer,
    );
    assert_kind(e, ErrorKind::Unsupported);
    let c = Certificate::from_der(&fixture(RSA_KEY_LEAF)).unwrap();
    assert_eq!(
        c.subject_public_key().unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}

#[test]
fn rsa_is_accepted_on_a_trusted_list_signer_path_only() {
    let at = UnixTime::from_secs(FIXTURE_NOW);
    // the RSA-signed chain refused for a credential issuer (above) validates
    // for a list signer
    let rsa_root = TrustAnchorCert::from_pem(RSA_ROOT).unwrap();
    let leaf = validate_list_signer_chain(&[fixture(RSA_SIGNED_LEAF)], &rsa_root, at).unwrap();
    assert!(matches!(leaf.public_key, crate::crypto::VerifyKey::Ec(_)));
    // (the purposes whose EKU rule the fixture meets, so the algorithm is
    // what refuses it; the EKU-bound ones refuse it earlier)
    for purpose in [
        ChainPurpose::SdJwtVcIssuer,
        ChainPurpose::StatusListSigner,
        ChainPurpose::TrustListSigner,
    ] {
        let e = validate_chain(&[fixture(RSA_SIGNED_LEAF)], &rsa_root, at, purpose);
        let e = assert_kind(e, ErrorKind::Unsupported);
        assert!(e.message().contains("UnsupportedSignatureAlgorithm"), "{e}");
    }
    // a leaf whose own key is RSA: an RSA list-signer key
    let ec_root = TrustAnchorCert::from_pem(EC_ROOT).unwrap();
    let leaf = validate_list_signer_chain(&[fixture(RSA_KEY_LEAF)], &ec_root, at).unwrap();
    assert!(matches!(leaf.public_key, crate::crypto::VerifyKey::Rsa(_)));
    // SHA-1 stays refused there too
    let e = validate_list_signer_chain(&[fixture(SHA1_SIGNED_LEAF)], &ec_root, at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}

// --- SAN and iss -----------------------------------------------------------

#[test]
fn subject_alt_names_are_extracted() {
    let r = root("Root CA");
    let k = key(Algorithm::Es256);
    let l = CertificateBuilder::new("Multi")
        .validity(from(), to())
        .dns_name("a.example")
        .uri("https://a.example/issuer")
        .dns_name("B.Example")
        .uri("urn:example:issuer")
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let v = validate(&[&l], &[&r.cert]).unwrap();
    assert_eq!(v.dns_names, vec!["a.example", "B.Example"]);
    assert_eq!(
        v.uris,
        vec!["https://a.example/issuer", "urn:example:issuer"]
    );

    // No SAN at all.
    let bare = CertificateBuilder::new("Bare")
        .validity(from(), to())
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let v = validate(&[&bare], &[&r.cert]).unwrap();
    assert!(v.dns_names.is_empty() && v.uris.is_empty());
}

fn leaf_with(dns: &[&str], uris: &[&str]) -> ValidatedLeaf {
    ValidatedLeaf {
        public_key: key(Algorithm::Es256).public_key().clone(),
        dns_names: dns.iter().map(|s| s.to_string()).collect(),
        uris: uris.iter().map(|s| s.to_string()).collect(),
        subject: String::new(),
        not_before: from(),
        not_after: to(),
        chain_subjects: vec![],
        anchor_subject: String::new(),
        anchor_der: vec![],
        anchor_country: None,
        leaf_der: vec![],
    }
}

#[test]
fn leaf_matches_issuer_by_uri_or_dns_name() {
    let by_dns = leaf_with(&["issuer.example"], &[]);
    for iss in [
        "https://issuer.example",
        "https://issuer.example/",
        "https://ISSUER.example/tenant/1",
        "https://issuer.example:8443/x",
        "HTTPS://issuer.example",
    ] {
        assert!(leaf_matches_issuer(&by_dns, iss), "{iss}");
    }
    for iss in [
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "https://evil.issuer.example",
        "https://issuer.example@evil.example",
        "https://evil.example/https://issuer.example",
        "https://issuer.example:x",
        "http://issuer.example",
        "issuer.example",
        "https://",
        "",
    ] {
        assert!(!leaf_matches_issuer(&by_dns, iss), "{iss}");
    }

    let by_uri = leaf_with(&[], &["https://issuer.example", "urn:example:issuer"]);
    assert!(leaf_matches_issuer(&by_uri, "https://issuer.example"));
    assert!(leaf_matches_issuer(&by_uri, "urn:example:issuer"));
    for iss in [
        "https://issuer.example/",
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "https://ISSUER.example",
        "urn:example:issuer:x",
        "urn:example",
    ] {
        assert!(!leaf_matches_issuer(&by_uri, iss), "{iss}");
    }

    // A wildcard dNSName is not expanded, and does not match literally either.
    let wild = leaf_with(&["*.issuer.example"], &[]);
    assert!(!leaf_matches_issuer(&wild, "https://a.issuer.example"));
    assert!(!leaf_matches_issuer(&wild, "https://*.issuer.example"));
}

// --- builder, parsing, PEM ---------------------------------------------------

#[test]
fn builder_certificates_parse_in_webpki() {
    let r = root("Root CA");
    let i = intermediate("Intermediate", &r, Some(0));
    let l = leaf(&i);
    for c in [&r.cert, &i.cert, &l.cert] {
        let der = CertificateDer::from(c.der());
        let ee = webpki::EndEntityCert::try_from(&der).unwrap();
        assert_eq!(render_name(ee.subject()).unwrap(), c.subject());
        webpki::anchor_from_trusted_cert(&der).unwrap();
    }
    assert!(r.cert.is_self_signed());
    assert!(!i.cert.is_self_signed() && !l.cert.is_self_signed());
    assert_eq!(&r.cert.subject_public_key().unwrap(), r.key.public_key());
    assert_eq!(l.cert.validity().unwrap(), (from(), to()));

    // Key identifiers: the leaf's AKI is the intermediate's SKI.
    let ski = |c: &Certificate| {
        let p = ParsedCert::parse(c.der()).unwrap();
        let mut r = Reader::new(p.extension(OID_SKI).unwrap().value);
        r.expect(tag::OCTET_STRING).unwrap().to_vec()
    };
    let aki = |c: &Certificate| {
        let p = ParsedCert::parse(c.der()).unwrap();
        let mut r = Reader::new(p.extension(OID_AKI).unwrap().value);
        let mut s = Reader::new(r.expect(tag::SEQUENCE).unwrap());
        s.expect(context(0, false)).unwrap().to_vec()
    };
    assert_eq!(aki(&l.cert), ski(&i.cert));
    assert_eq!(aki(&i.cert), ski(&r.cert));
    assert_eq!(ski(&l.cert).len(), 20);
}

#[test]
fn times_use_utc_time_before_2050_and_generalized_time_after() {
    let k = key(Algorithm::EdDsa);
    for (nb, na) in [
        (0, 2_524_607_999),             // 1970-01-01 .. 2049-12-31T23:59:59Z
        (2_524_608_000, 4_102_444_800), // 2050-01-01 .. 2100-01-01
        (951_782_400, 253_402_300_799), // 2000-02-29 .. 9999-12-31T23:59:59Z
    ] {
        let c = CertificateBuilder::new("T")
            .validity(UnixTime::from_secs(nb), UnixTime::from_secs(na))
            .ca(None)
            .self_signed(&k)
            .unwrap();
        assert_eq!(
            c.validity().unwrap(),
            (UnixTime::from_secs(nb), UnixTime::from_secs(na))
        );
        let p = ParsedCert::parse(c.der()).unwrap();
        let _ = p;
    }
    assert_eq!(
        write_time(UnixTime::from_secs(2_524_607_999)).unwrap()[0],
        tag::UTC_TIME
    );
    assert_eq!(
        write_time(UnixTime::from_secs(2_524_608_000)).unwrap()[0],
        tag::GENERALIZED_TIME
    );
    let e = CertificateBuilder::new("T")
        .validity(UnixTime::from_secs(0), UnixTime::from_secs(u64::MAX))
        .self_signed(&k)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
}

#[test]
fn bad_times_are_malformed() {
    for (t, text) in [
        (tag::UTC_TIME, &b"250230000000Z"[..]), // 30 February
        (tag::UTC_TIME, b"251301000000Z"),      // month 13
        (tag::UTC_TIME, b"250101240000Z"),      // hour 24
        (tag::UTC_TIME, b"2501010000Z"),        // no seconds
        (tag::UTC_TIME, b"250101000000+0100"),  // offset
        (tag::GENERALIZED_TIME, b"20250101000000.5Z"),
        (tag::GENERALIZED_TIME, b"19690101000000Z"),
        (tag::OCTET_STRING, b"250101000000Z"),
    ] {
        let enc = tlv(t, text);
        let e = read_time(&mut Reader::new(&enc)).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Malformed,
            "{:?}",
            core::str::from_utf8(text)
        );
    }
    let leap = tlv(tag::UTC_TIME, b"240229120000Z");
    assert_eq!(
        read_time(&mut Reader::new(&leap)).unwrap().as_secs(),
        1_709_208_000
    );
    let y1950 = tlv(tag::UTC_TIME, b"500101000000Z");
    assert_eq!(
        read_time(&mut Reader::new(&y1950)).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn names_render_rfc4514_style() {
    let k = key(Algorithm::Es256);
    let c = CertificateBuilder::new("#Smith, John + Co; \"x\" ")
        .organization("A<B>C\\D")
        .country("FR")
        .validity(from(), to())
        .self_signed(&k)
        .unwrap();
    assert_eq!(
        c.subject(),
        "CN=\\#Smith\\, John \\+ Co\\; \\\"x\\\"\\ ,O=A\\<B\\>C\\\\D,C=FR"
    );
    // Multi-valued RDNs, unknown attributes and non-string values.
    let rdn = |oid: &[u8], t: u8, v: &[u8]| seq(&[&tlv(tag::OID, oid), &tlv(t, v)]);
    let name = [
        tlv(
            tag::SET,
            &[
                rdn(OID_CN, tag::UTF8_STRING, b"a"),
                rdn(OID_O, tag::BMP_STRING, &[0, b'b']),
            ]
            .concat(),
        ),
        tlv(tag::SET, &rdn(&[0x2a, 0x03], tag::INTEGER, &[1])),
    ]
    .concat();
    assert_eq!(render_name(&name).unwrap(), "1.2.3=#020101,CN=a+O=b");
    assert_eq!(
        render_name(&tlv(tag::SET, &[])).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn pem_round_trip_and_edge_cases() {
    let r = root("Root CA");
    let l = leaf(&r);
    let text = format!(
        "Leaf:\n{}\n-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\r\nRoot:\r\n{}",
        l.cert.to_pem(),
        r.cert.to_pem().replace('\n', "\r\n")
    );
    let certs = Certificate::from_pem(&text).unwrap();
    assert_eq!(certs, vec![l.cert.clone(), r.cert.clone()]);
    assert!(l.cert.to_pem().lines().all(|line| line.len() <= 64));

    let anchors = TrustAnchorCert::from_pem(&r.cert.to_pem()).unwrap();
    assert_eq!(anchors.len(), 1);
    assert_eq!(anchors[0].subject(), "CN=Root CA,O=Test Org,C=DE");
    assert_eq!(anchors[0].der(), r.cert.der());
    assert!(Certificate::from_pem("no PEM here").unwrap().is_empty());

    let pem = r.cert.to_pem();
    let unterminated = pem.trim_end().trim_end_matches(PEM_END);
    assert_eq!(
        Certificate::from_pem(unterminated).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let bad_b64 = pem.replacen('M', "*", 1);
    assert_eq!(
        Certificate::from_pem(&bad_b64).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let nested = format!("{PEM_BEGIN}\n{pem}");
    assert_eq!(
        Certificate::from_pem(&nested).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let huge = format!(
        "{PEM_BEGIN}\n{}\n{PEM_END}\n",
        "A".repeat(MAX_CERT_BYTES * 2)
    );
    assert_eq!(
        Certificate::from_pem(&huge).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn builder_misuse() {
    let r = root("Root CA");
    let other = key(Algorithm::Es256);
    let k = key(Algorithm::Es256);
    let e = leaf_builder()
        .issued_by(&r.cert, &other, k.public_key())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    let e = CertificateBuilder::new("x").self_signed(&k).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse, "no validity");
    let e = leaf_builder().country("DEU").self_signed(&k).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    let e = leaf_builder()
        .extended_key_usage("1.x")
        .self_signed(&k)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    let e = leaf_builder().serial(&[1; 21]).self_signed(&k).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    let e = leaf_builder()
        .validity(to(), from())
        .self_signed(&k)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    // An explicit serial is used as given.
    let c = leaf_builder().serial(&[0x80, 1]).self_signed(&k).unwrap();
    let ee_der = CertificateDer::from(c.der());
    let ee = webpki::EndEntityCert::try_from(&ee_der).unwrap();
    assert_eq!(ee.serial(), [0x00, 0x80, 0x01]);
}

#[test]
fn ecdsa_signature_conversion_is_minimal() {
    let mut sig = vec![0u8; 64];
    sig[31] = 0x7f; // r = 0x7f
    sig[32] = 0x80; // s has its top bit set
    let der = ecdsa_fixed_to_der(&sig, Algorithm::Es256).unwrap();
    let mut r = Reader::new(&der);
    let mut s = Reader::new(r.expect(tag::SEQUENCE).unwrap());
    assert_eq!(s.expect(tag::INTEGER).unwrap(), [0x7f]);
    let s_val = s.expect(tag::INTEGER).unwrap();
    assert_eq!(s_val.len(), 33);
    assert_eq!(s_val[..2], [0x00, 0x80]);
    assert_eq!(
        ecdsa_fixed_to_der(&sig[..63], Algorithm::Es256)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
}

#[test]
fn oid_helpers_round_trip() {
    for dotted in [
        "1.0.18013.5.1.2",
        "2.5.29.19",
        "1.2.840.10045.4.3.2",
        "2.999.1",
        "0.9.2342.19200300.100.1.25",
    ] {
        let enc = der::oid_from_dotted(dotted).unwrap();
        assert_eq!(der::oid_to_dotted(&enc).unwrap(), dotted);
    }
    assert_eq!(
        der::oid_from_dotted("1.0.18013.5.1.2").unwrap(),
        OID_MDOC_DS_EKU
    );
    for bad in [
        "",
        "1",
        "3.1",
        "1.40",
        "1.02",
        "1..2",
        "a.b",
        "1.2.99999999999999999999",
    ] {
        assert!(der::oid_from_dotted(bad).is_err(), "{bad}");
    }
    for bad in [&[][..], &[0x80, 0x01], &[0x2a, 0x86]] {
        assert!(der::oid_to_dotted(bad).is_err(), "{bad:?}");
    }
}
const RSA_ROOT: &str = "\
-----BEGIN CERTIFICATE-----
MIICyTCCAbGgAwIBAgIUS884AgVQ4rjTAQSiP9Qn8nxWybYwDQYJKoZIhvcNAQEL
BQAwEzERMA8GA1UEAwwIUlNBIFJvb3QwIBcNMjAwMTAxMDAwMDAwWhgPMjA5OTEy
MzEwMDAwMDBaMBMxETAPBgNVBAMMCFJTQSBSb290MIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEAk3t4vJO99fW7gQkUPF9Z5MoWgQlB6fsv2qPoT2ny5Dbd
5lTd30KF9nrwcpcnB2VgEA2FM4LBF7eIKm8Md4ltNRg2YAkZlTszLA8QkedDzHYA
2SrkI3qI1y3CVjCzGggPzL/eiABNGR2QdLqjim+D3PLGVHUxjIdWaOn3rxiT7lUH
u9at0vIyv2NRfZ8H5bg1xtPe1C3ah/KjCEUuerG/WXJuWOLrDyuhw3YVNBiPdVb7
1P7iYDJNVZzNQzZaxYNmnG8x2W3gZaqc85XHnbxL1Q/jsp5SRSjV3xpzfFi/rZXv
nRHUaJbLzfaYGCpVwOkAH1JWCZxP7+riaj3JMz4wdQIDAQABoxMwETAPBgNVHRMB
Af8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQAOypKnOIrGGjkVnr1j1Xyt95Hv
SRY1ss3nCuFUPh01nFZ9WTiAZs6CFNuIwEeC+Z3tmwYZpfQMloXqxg9KhQ94iN8z
eKgglQEf0MqsurE6j/Jfg3tTUGNSCOjVdLWXy8ponRZjJ39/GcR5RhVwn2ODcMlP
EpmUc83Hmkgn7QTICDZJzeJaksQp0X6i/0Fz4TMuNQpAqJaYNYP0uAOKGu/T2YdY
PBEuOOSNRwj7OSEKw+J+pRuL4BlpvFtBn7FNAclJ1aefuP40ouJp8Bu2ldDK2Grh
JzfelDU2YIPoyKB70BvLshlYeQRFrXvRSBuPfREvexoUVqusMeWlORm30nlL
-----END CERTIFICATE-----
";

const RSA_SIGNED_LEAF: &str = "\
-----BEGIN CERTIFICATE-----
MIIB7jCB16ADAgECAhR6x7VFQcQ9sbpE8HO4CfdTTgbMXDANBgkqhkiG9w0BAQsF
ADATMREwDwYDVQQDDAhSU0EgUm9vdDAgFw0yMDAxMDEwMDAwMDBaGA8yMDk5MTIz
MTAwMDAwMFowGTEXMBUGA1UEAwwOTGVhZiB1bmRlciBSU0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAARiF1aaqd4cVSH1Jj20FIi9z0HZwrF4UxncDIoD9qI4eaz3
beTJeTGCEdhXTG3bXagzw57iAJ8CWms0hJhDJiNQMA0GCSqGSIb3DQEBCwUAA4IB
AQB7/0GGHym2nNy9Gb9RtAbllS/Y39ImlIni/3IwLHMhz32PVsGHC1GKlxJuuhKQ
tRzq6/sLJuDDLnRuZYVy0UjiACAPaeHf7DkgIvmuD9DPafVhxsi1w/g+59vIVGGY
n1KJBn6eUoRNlZVbyaEI339hsNF5HdOYjJ+xOhwWOGDgpfrI5ugv7xuNW5ybnh3K
xcjYLoON+S7Dw2Hssi6LdCW7H9HQ2cGiiAvSsHkOCDSbPZtf34aW6eHzTA4+ZVcK
PydhG9yPiemHg6Wl37HJWpix8dy20qw7wqQWRWfbb6GCJVGlFoIzmZVR6oc4cfFo
1pVH6pwgFA6jUJM+wxf42Sj1
-----END CERTIFICATE-----
";

const EC_ROOT: &str = "\
-----BEGIN CERTIFICATE-----
MIIBOTCB4aADAgECAhRi1R8mfrlIXu6GQLrCrPnOpLmz6zAKBggqhkjOPQQDAjAS
MRAwDgYDVQQDDAdFQyBSb290MCAXDTIwMDEwMTAwMDAwMFoYDzIwOTkxMjMxMDAw
MDAwWjASMRAwDgYDVQQDDAdFQyBSb290MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAE/7wFErmc4L0jeqcA4yp1I8yGE3y/twhe2g4X1kcnR/tDEACis2GEnT1+EbCM
fMCz1EI/0r6c//QELlS6QRt2kKMTMBEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjO
PQQDAgNHADBEAiBYxNPmvwWZn1i0dB6aP3AYPU3DisK5hs8T6Fd0A3N4CAIgHSx0
/sG6lLiNm4C6/mTso8aignjjC568qD3cWJRQuFk=
-----END CERTIFICATE-----
";

const RSA_KEY_LEAF: &str = "\
-----BEGIN CERTIFICATE-----
MIIB9zCCAZygAwIBAgIUMcsQx6PV9xNctYQ3ppTnaFamWsEwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHRUMgUm9vdDAgFw0yMDAxMDEwMDAwMDBaGA8yMDk5MTIzMTAw
MDAwMFowFzEVMBMGA1UEAwwMUlNBIEtleSBMZWFmMIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEAtEl8nKqIXRiQtqc5rt1WgnpbXLA3UtT5HYYOlTYo6ZXj
ibiPl5y/IEa/+aK97lesLT1/FIexCSeLPV1Uc4Yo9hbr+foUdxbcIWByMLJrTF2f
e6B9A2g8PjdjAdz0Pxf7O5fi+uInGBHIru1EFqWnFcoAJUvPewPb7rcMV/lEgYL2
kWDt0Ng1fJRP31b1uqa8l+1CC0NGuyFhLjm6I7pdSbys49WyjNdBmqizKS0cuyoq
SpeRSw9B4zVjXJQU7ymrbE7HlFVgZLr21/CYkO2dQNiFCSz9BLrLlWiYjxLuQglJ
dR8CMMN4vf+IMl3rzT5gXRGwS2gar+aavfIYHa90cQIDAQABMAoGCCqGSM49BAMC
A0kAMEYCIQCtK5N9byuekqTaiNWs8yVDJtKaOcC34gYeK01wjJT6hAIhAP572JjF
4JQj2DpVfZsW3zh9h2QbbneKnwHxIPefUJz/
-----END CERTIFICATE-----
";

const SHA1_SIGNED_LEAF: &str = "\
-----BEGIN CERTIFICATE-----
MIIBjTCCATWgAwIBAgIBBzAJBgcqhkjOPQQBMBIxEDAOBgNVBAMMB0VDIFJvb3Qw
IBcNMjYxMTIyMTIxNjUxWhgPMjEyNjEwMjkxMjE2NTFaMBUxEzARBgNVBAMMClNI
QS0xIExlYWYwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARiF1aaqd4cVSH1Jj20
FIi9z0HZwrF4UxncDIoD9qI4eaz3beTJeTGCEdhXTG3bXagzw57iAJ8CWms0hJhD
JiNQo3gwdjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQU
tRVzLE0GDdJkJZQxBEO169jF0sYwNwYDVR0jBDAwLqEWpBQwEjEQMA4GA1UEAwwH
RUMgUm9vdIIUYtUfJn65SF7uhkC6wqz5zqS5s+swCQYHKoZIzj0EAQNHADBEAiB4
VARMm6+8Igrm92Q5WJZH5HHB/lIilqnRhdmpqCV9SwIgfk3P68cftR8zUuEiEQS6
FCPBB6DPYzQ/pUQRhQw+Dkg=
-----END CERTIFICATE-----
";

/// Issue 14: the document-signer path cache serves a repeated DS chain, and
/// never vouches for what a fresh validation would refuse: outside the
/// chain's validity, or when the anchor it validated to is not among the
/// caller's anchors (a clone of the store shares the cache).
#[test]
fn ds_path_cache_hits_only_where_a_fresh_validation_would_pass() {
    let r = root("IACA");
    let other = root("Other IACA");
    let k = key(Algorithm::Es256);
    let ds = leaf_builder()
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&r.cert, &r.key, k.public_key())
        .unwrap();
    let c = chain(&[&ds]);
    let empty = crate::trust::TrustStore::new();
    let mut with_iaca = empty.clone(); // shares the cache with `empty`
    with_iaca.add_iaca_der(r.cert.der()).unwrap();
    let mut with_other = empty.clone();
    with_other.add_iaca_der(other.cert.der()).unwrap();
    let doc_type = "org.iso.18013.5.1.mDL";

    let (first, _, _) = with_iaca
        .issuer_key_for_x5chain(Some(&c), doc_type, now())
        .unwrap();
    assert_eq!(with_iaca.ds_cache.len(), 1);
    let (again, _, _) = with_iaca
        .issuer_key_for_x5chain(Some(&c), doc_type, now())
        .unwrap();
    assert_eq!(again.key, first.key);
    assert_eq!(with_iaca.ds_cache.hits(), 1, "served from the cache");
    assert_eq!(with_iaca.ds_cache.len(), 1);

    // a store without that IACA, sharing the cache, is refused as before
    let e = with_other.issuer_key_for_x5chain(Some(&c), doc_type, now());
    assert_eq!(e.err().map(|e| e.kind()), Some(ErrorKind::Untrusted));
    // after the chain's validity: expired, as a fresh validation says
    let late = UnixTime::from_secs(to().as_secs() + DAY);
    let e = with_iaca.issuer_key_for_x5chain(Some(&c), doc_type, late);
    assert_eq!(e.err().map(|e| e.kind()), Some(ErrorKind::Expired));
    assert_eq!(
        with_iaca.ds_cache.hits(),
        1,
        "no hit outside the window or the anchors"
    );
    // a changed byte is another chain: validated afresh, and refused
    let mut tampered = c.clone();
    let last = tampered[0].len() - 1;
    tampered[0][last] ^= 1;
    assert!(with_iaca
        .issuer_key_for_x5chain(Some(&tampered), doc_type, now())
        .is_err());
}
