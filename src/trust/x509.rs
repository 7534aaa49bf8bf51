//! X.509: certificate chains (`x5c`) validated with rustls-webpki, and a small
//! certificate builder for test PKIs and the demo.
//!
//! # Chain validation
//!
//! [`validate_chain`] takes the chain as received (DER, leaf first), the trust
//! anchors the host configured, the time and a [`ChainPurpose`]. Path building,
//! signatures, validity periods, basicConstraints, pathLen, name constraints,
//! EKU and critical extensions are rustls-webpki's; on top of it:
//!
//! - the chain length and every certificate's size are bounded
//!   ([`MAX_CHAIN_CERTS`], [`MAX_CERT_BYTES`]) before anything is parsed;
//! - anchors come only from the `anchors` argument. A self-issued certificate
//!   (a root) or a copy of an anchor inside the chain is dropped from the pool of
//!   intermediates, never trusted;
//! - the leaf must not be self-issued (HAIP: the signing certificate must not be
//!   self-signed; a self-signed leaf would be its own anchor);
//! - the anchor's own constraints are enforced, which webpki leaves to the caller
//!   (its `TrustAnchor` has no basicConstraints): an anchor must be a CA, its
//!   pathLen bounds the number of intermediates, and it must be within its
//!   validity period at `now`;
//! - signatures are ECDSA P-256 / P-384 with SHA-256 / SHA-384, or Ed25519. RSA
//!   and SHA-1 are `Unsupported`;
//! - the leaf's key must be a P-256 / P-384 uncompressed point or an Ed25519 key.
//!
//! Revocation (CRL/OCSP) is not checked here; status of credentials is the
//! status room's job.
//!
//! # Builder
//!
//! [`CertificateBuilder`] makes the small PKIs used by the demo and by tests:
//! a CA, optional intermediates, and issuer certificates with SAN entries.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::crypto::{sha256, Algorithm, Curve, PublicKey, SecureRandom, Signer, SystemRandom};
use crate::encoding::der::{self, context, seq, tag, tlv, uint, Reader};
use crate::encoding::{b64_std_decode, b64_std_encode};
use crate::error::{limit, malformed, misuse, unsupported, untrusted, Error, ErrorKind, Result};
use crate::limits::{MAX_CERT_BYTES, MAX_CHAIN_CERTS};
use crate::time::UnixTime;
use core::fmt;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor};

// ---------------------------------------------------------------------------
// Object identifiers (content octets).

/// id-ecPublicKey, 1.2.840.10045.2.1.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// prime256v1 / P-256, 1.2.840.10045.3.1.7.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1 / P-384, 1.3.132.0.34.
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// id-Ed25519, 1.3.101.112 (key and signature algorithm).
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// ecdsa-with-SHA256, 1.2.840.10045.4.3.2.
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// ecdsa-with-SHA384, 1.2.840.10045.4.3.3.
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
/// id-ce-subjectKeyIdentifier, 2.5.29.14.
const OID_SKI: &[u8] = &[0x55, 0x1d, 0x0e];
/// id-ce-keyUsage, 2.5.29.15.
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
/// id-ce-subjectAltName, 2.5.29.17.
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
/// id-ce-basicConstraints, 2.5.29.19.
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// id-ce-authorityKeyIdentifier, 2.5.29.35.
const OID_AKI: &[u8] = &[0x55, 0x1d, 0x23];
/// id-ce-extKeyUsage, 2.5.29.37.
const OID_EKU: &[u8] = &[0x55, 0x1d, 0x25];
/// id-at-commonName, 2.5.4.3.
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
/// id-at-countryName, 2.5.4.6.
const OID_C: &[u8] = &[0x55, 0x04, 0x06];
/// id-at-organizationName, 2.5.4.10.
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];
/// The ISO/IEC 18013-5 key purposes 1.0.18013.5.1.1 … 1.0.18013.5.1.15
/// (document signer, reader authentication, ...): scoped to mdoc.
const MDOC_KEY_PURPOSES: [[u8; 7]; 15] = [
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 1],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 2],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 3],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 4],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 5],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 6],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 7],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 8],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 9],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 10],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 11],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 12],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 13],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 14],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 15],
];
/// ISO/IEC 18013-5 mdoc document signer EKU, 1.0.18013.5.1.2.
const OID_MDOC_DS_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x02];
/// ISO/IEC 18013-5 Annex C VICAL signer EKU, 1.0.18013.5.1.8.
const OID_VICAL_SIGNER_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x08];

/// The signature algorithms accepted on certificates: ECDSA on P-256 / P-384 with
/// SHA-256 / SHA-384, and Ed25519. No RSA, no SHA-1.
static CERT_SIGNATURE_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
];

// ---------------------------------------------------------------------------
// Trust anchors.

/// A trusted certificate (a root CA or IACA), parsed once when configured.
#[derive(Clone)]
pub(crate) struct TrustAnchorCert {
    der: Vec<u8>,
    anchor: TrustAnchor<'static>,
    subject: String,
    country: Option<String>,
    path_len: Option<u64>,
    not_before: UnixTime,
    not_after: UnixTime,
}

impl fmt::Debug for TrustAnchorCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustAnchorCert({:?})", self.subject)
    }
}

impl TrustAnchorCert {
    /// Parses a DER certificate to trust. It must be a CA certificate
    /// (basicConstraints cA=TRUE): anything else could never issue the chains
    /// it is meant to anchor, and is refused as `Untrusted`.
    pub(crate) fn from_der(der: Vec<u8>) -> Result<Self> {
        if der.len() > MAX_CERT_BYTES {
            return Err(limit(format!(
                "trust anchor: {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                der.len()
            )));
        }
        let (subject, country, path_len, not_before, not_after) = {
            let parsed = ParsedCert::parse(&der).map_err(|e| e.context("trust anchor"))?;
            let subject = render_name(parsed.subject).map_err(|e| e.context("trust anchor"))?;
            let country = name_country(parsed.subject).map_err(|e| e.context("trust anchor"))?;
            let bc = parsed.basic_constraints()?;
            let path_len = match bc {
                Some(BasicConstraints { ca: true, path_len }) => path_len,
                _ => {
                    return Err(untrusted(format!(
                        "trust anchor {subject:?} is not a CA certificate (basicConstraints cA=TRUE missing)"
                    )))
                }
            };
            (
                subject,
                country,
                path_len,
                parsed.not_before,
                parsed.not_after,
            )
        };
        let anchor = {
            let cert_der = CertificateDer::from(der.as_slice());
            webpki::anchor_from_trusted_cert(&cert_der)
                .map_err(|e| from_webpki(e, "trust anchor"))?
                .to_owned()
        };
        Ok(TrustAnchorCert {
            der,
            anchor,
            subject,
            country,
            path_len,
            not_before,
            not_after,
        })
    }

    /// Parses every `-----BEGIN CERTIFICATE-----` block of PEM text (RFC 7468);
    /// text outside the blocks and blocks of other types are ignored.
    pub(crate) fn from_pem(text: &str) -> Result<Vec<Self>> {
        pem_certificates(text)?
            .into_iter()
            .map(Self::from_der)
            .collect()
    }

    /// The anchor's subject, RFC 4514 style (`CN=…,O=…,C=…`).
    pub(crate) fn subject(&self) -> &str {
        &self.subject
    }

    /// The anchor's DER encoding.
    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }

    fn is(&self, anchor: &TrustAnchor<'_>) -> bool {
        self.anchor.subject.as_ref() == anchor.subject.as_ref()
            && self.anchor.subject_public_key_info.as_ref()
                == anchor.subject_public_key_info.as_ref()
    }
}

// ---------------------------------------------------------------------------
// Chain validation.

/// What a chain's leaf is validated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChainPurpose {
    /// The signer of an SD-JWT VC issuer-signed JWT (`x5c`). No EKU is
    /// required: a leaf without the extension, or with any EKU, is accepted
    /// (neither the SD-JWT VC draft nor HAIP defines one). Trust is scoped by the
    /// anchors configured for credential issuers.
    SdJwtVcIssuer,
    /// An ISO/IEC 18013-5 mdoc document signer (`x5chain`): EKU
    /// 1.0.18013.5.1.2 is required (on every certificate of the path below the
    /// anchor, as webpki checks EKU on intermediates too; 18013-5 chains are
    /// IACA → DS with no intermediate).
    MdocDocumentSigner,
    /// The signer of a status or identifier list under an mdoc IACA: any EKU,
    /// or none (ISO 18013-5 and the Token Status List draft define none); the
    /// anchor set is the one IACA that anchors the document signer.
    StatusListSigner,
    /// The signer of an ISO/IEC 18013-5 Annex C VICAL: EKU 1.0.18013.5.1.8
    /// is required (the AAMVA VICAL signer carries it, marked critical).
    VicalSigner,
    /// The signer of a list of trusted entities (ETSI TS 119 602 LoTE, TS 119
    /// 612 trusted list). No EKU is required and any is accepted: TS 119 602
    /// names none, and the anchors are configured for list signers only.
    TrustListSigner,
}

/// The EKU policy of a [`ChainPurpose`], in webpki's terms.
struct PurposeEku(ChainPurpose);

impl webpki::ExtendedKeyUsageValidator for PurposeEku {
    fn validate(
        &self,
        iter: webpki::KeyPurposeIdIter<'_, '_>,
    ) -> core::result::Result<(), webpki::Error> {
        match self.0 {
            ChainPurpose::SdJwtVcIssuer => {
                // No EKU, or one that admits the purpose. Neither the SD-JWT VC
                // draft nor HAIP defines an EKU, so any purpose outside the ISO
                // 18013-5 arc admits it; a leaf whose every purpose is an mdoc
                // one (document signer, reader authentication, ...) is scoped
                // to mdoc and excludes it (RFC 5280 §4.2.1.12). A malformed
                // extension still fails.
                let (mut any, mut only_mdoc) = (false, true);
                for id in iter {
                    let id = id?;
                    any = true;
                    if !MDOC_KEY_PURPOSES
                        .iter()
                        .any(|m| id == webpki::KeyPurposeId::new(m))
                    {
                        only_mdoc = false;
                    }
                }
                if any && only_mdoc {
                    #[allow(deprecated)]
                    // the context form needs the present EKUs, which webpki keeps private
                    return Err(webpki::Error::RequiredEkuNotFound);
                }
                Ok(())
            }
            ChainPurpose::MdocDocumentSigner => {
                webpki::KeyUsage::required(OID_MDOC_DS_EKU).validate(iter)
            }
            // Checked on every certificate of the path; a CA without the
            // extension passes (the AAMVA issuing CA has none), and
            // `validate_chain` requires it on the leaf itself.
            ChainPurpose::VicalSigner => {
                webpki::KeyUsage::required_if_present(OID_VICAL_SIGNER_EKU).validate(iter)
            }
            ChainPurpose::StatusListSigner | ChainPurpose::TrustListSigner => {
                for id in iter {
                    let _ = id?;
                }
                Ok(())
            }
        }
    }
}

/// A leaf certificate whose chain validated to a configured anchor.
#[derive(Clone, Debug)]
#[allow(dead_code)] // not every field is read yet (mdoc, verifier output); all are tested
pub(crate) struct ValidatedLeaf {
    /// The leaf's public key (P-256, P-384 or Ed25519).
    pub(crate) public_key: PublicKey,
    /// subjectAltName dNSName entries, as written.
    pub(crate) dns_names: Vec<String>,
    /// subjectAltName uniformResourceIdentifier entries, as written.
    pub(crate) uris: Vec<String>,
    /// The leaf's subject, RFC 4514 style.
    pub(crate) subject: String,
    /// Start of the leaf's validity.
    pub(crate) not_before: UnixTime,
    /// End of the leaf's validity.
    pub(crate) not_after: UnixTime,
    /// Subjects along the validated path: leaf, intermediates, anchor.
    pub(crate) chain_subjects: Vec<String>,
    /// The subject of the anchor the path ends at.
    pub(crate) anchor_subject: String,
    /// The DER of the anchor the path ends at (what configuration binds a
    /// level to).
    pub(crate) anchor_der: Vec<u8>,
    /// The anchor's `countryName` attribute, when it has one.
    pub(crate) anchor_country: Option<String>,
    /// The leaf's DER encoding.
    pub(crate) leaf_der: Vec<u8>,
}

/// Validates `chain` (DER, leaf first) to one of `anchors` at `now`, for `purpose`.
///
/// Errors: `LimitExceeded` (too many or too large certificates, webpki's path
/// budgets), `Malformed` (bad DER), `Unsupported` (RSA, SHA-1, other key types),
/// `Expired` / `NotYetValid` (a certificate of the path or the anchor), and
/// `Untrusted` for everything else (no path to an anchor, CA/EE misuse, pathLen,
/// name constraints, EKU, unknown critical extension, a bad signature on the
/// path, a self-issued leaf).
pub(crate) fn validate_chain(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchorCert],
    now: UnixTime,
    purpose: ChainPurpose,
) -> Result<ValidatedLeaf> {
    if chain.len() > MAX_CHAIN_CERTS {
        return Err(limit(format!(
            "certificate chain of {} certificates exceeds the limit of {MAX_CHAIN_CERTS}",
            chain.len()
        )));
    }
    if let Some((i, c)) = chain
        .iter()
        .enumerate()
        .find(|(_, c)| c.len() > MAX_CERT_BYTES)
    {
        return Err(limit(format!(
            "certificate {i} of the chain is {} bytes, over the limit of {MAX_CERT_BYTES}",
            c.len()
        )));
    }
    let (leaf_der, rest) = chain
        .split_first()
        .ok_or_else(|| malformed("the certificate chain is empty"))?;

    // Parse everything up front, so that a malformed element is reported as
    // such rather than lost in path building.
    let leaf = ParsedCert::parse(leaf_der).map_err(|e| e.context("leaf certificate"))?;
    let leaf_cert_der = CertificateDer::from(leaf_der.as_slice());
    let ee = webpki::EndEntityCert::try_from(&leaf_cert_der)
        .map_err(|e| from_webpki(e, "leaf certificate"))?;
    let mut intermediates: Vec<CertificateDer<'_>> = Vec::with_capacity(rest.len());
    for (i, der) in rest.iter().enumerate() {
        let what = format!("certificate {} of the chain", i.saturating_add(1));
        let parsed = ParsedCert::parse(der).map_err(|e| e.context(&what))?;
        let cert_der = CertificateDer::from(der.as_slice());
        webpki::EndEntityCert::try_from(&cert_der).map_err(|e| from_webpki(e, &what))?;
        // A root (self-issued) or an anchor's copy is never a trust anchor and
        // never needed as an intermediate: drop it.
        let is_anchor_copy = anchors.iter().any(|a| a.der == *der);
        if parsed.subject != parsed.issuer && !is_anchor_copy {
            intermediates.push(cert_der);
        }
    }

    if leaf.subject == leaf.issuer {
        return Err(untrusted(
            "the leaf certificate is self-issued; a certificate chain must lead to a configured anchor",
        ));
    }
    if anchors.is_empty() {
        return Err(untrusted(
            "no X.509 trust anchor is configured (UnknownIssuer)",
        ));
    }

    let webpki_anchors: Vec<TrustAnchor<'_>> = anchors.iter().map(|a| a.anchor.clone()).collect();
    let time = rustls_pki_types::UnixTime::since_unix_epoch(core::time::Duration::from_secs(
        now.as_secs(),
    ));
    // The anchor's own constraints, which webpki does not track.
    let check_anchor =
        |path: &webpki::VerifiedPath<'_>| -> core::result::Result<(), webpki::Error> {
            let Some(a) = anchors.iter().find(|a| a.is(path.anchor())) else {
                return Err(webpki::Error::UnknownIssuer);
            };
            if let Some(max) = a.path_len {
                let n = path.intermediate_certificates().count();
                if u64::try_from(n).map_or(true, |n| n > max) {
                    return Err(webpki::Error::PathLenConstraintViolated);
                }
            }
            if now < a.not_before {
                return Err(webpki::Error::CertNotValidYet {
                    time,
                    not_before: pki_time(a.not_before),
                });
            }
            if now > a.not_after {
                return Err(webpki::Error::CertExpired {
                    time,
                    not_after: pki_time(a.not_after),
                });
            }
            Ok(())
        };
    let path = ee
        .verify_for_usage(
            CERT_SIGNATURE_ALGS,
            &webpki_anchors,
            &intermediates,
            time,
            PurposeEku(purpose),
            None,
            Some(&check_anchor),
        )
        .map_err(|e| from_webpki(e, "certificate chain"))?;

    let anchor = anchors
        .iter()
        .find(|a| a.is(path.anchor()))
        .ok_or_else(|| untrusted("the validated path ends at an unknown anchor"))?;
    if purpose == ChainPurpose::VicalSigner && !leaf.has_eku(OID_VICAL_SIGNER_EKU)? {
        return Err(untrusted(
            "the VICAL signer certificate lacks extKeyUsage 1.0.18013.5.1.8",
        ));
    }
    let subject = render_name(leaf.subject)?;
    let mut chain_subjects = vec![subject.clone()];
    for c in path.intermediate_certificates() {
        chain_subjects.push(render_name(c.subject())?);
    }
    chain_subjects.push(anchor.subject().to_owned());

    let public_key = public_key_from_spki(leaf.spki)?;
    let (dns_names, uris) = leaf.subject_alt_names()?;
    Ok(ValidatedLeaf {
        public_key,
        dns_names,
        uris,
        subject,
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        chain_subjects,
        anchor_subject: anchor.subject.clone(),
        anchor_der: anchor.der.clone(),
        anchor_country: anchor.country.clone(),
        leaf_der: leaf_der.clone(),
    })
}

/// A certificate a signed trust list names as an end-entity signer, trusted
/// directly (no path to build): within its validity at `now`, not a CA, with
/// a key we verify with. It stands as its own anchor in the result.
pub(crate) fn directly_trusted_leaf(der: &[u8], now: UnixTime) -> Result<ValidatedLeaf> {
    if der.len() > MAX_CERT_BYTES {
        return Err(limit("a listed certificate exceeds the size limit"));
    }
    let leaf = ParsedCert::parse(der).map_err(|e| e.context("listed certificate"))?;
    if matches!(
        leaf.basic_constraints()?,
        Some(BasicConstraints { ca: true, .. })
    ) {
        return Err(untrusted("a listed CA certificate is not a signer"));
    }
    if now < leaf.not_before {
        return Err(crate::error::not_yet_valid(
            "the listed signer certificate is not yet valid",
        ));
    }
    if now > leaf.not_after {
        return Err(crate::error::expired(
            "the listed signer certificate has expired",
        ));
    }
    let subject = render_name(leaf.subject)?;
    let (dns_names, uris) = leaf.subject_alt_names()?;
    Ok(ValidatedLeaf {
        public_key: public_key_from_spki(leaf.spki)?,
        dns_names,
        uris,
        subject: subject.clone(),
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        chain_subjects: vec![subject.clone()],
        anchor_subject: subject,
        anchor_der: der.to_vec(),
        anchor_country: name_country(leaf.subject)?,
        leaf_der: der.to_vec(),
    })
}

fn pki_time(t: UnixTime) -> rustls_pki_types::UnixTime {
    rustls_pki_types::UnixTime::since_unix_epoch(core::time::Duration::from_secs(t.as_secs()))
}

/// Maps a webpki error to passerelle's kinds, naming webpki's error.
#[allow(deprecated)] // the context-less Unsupported* variants are still mapped
fn from_webpki(e: webpki::Error, what: &str) -> Error {
    use webpki::Error as W;
    let kind = match &e {
        W::CertExpired { .. } => ErrorKind::Expired,
        W::CertNotValidYet { .. } => ErrorKind::NotYetValid,
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::EmptyEkuExtension
        | W::InvalidSerialNumber
        | W::InvalidCertValidity
        | W::MalformedDnsIdentifier
        | W::MalformedNameConstraint
        | W::InvalidNetworkMaskConstraint => ErrorKind::Malformed,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | W::UnsupportedCertVersion => ErrorKind::Unsupported,
        W::MaximumPathBuildCallsExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumNameConstraintComparisonsExceeded => ErrorKind::LimitExceeded,
        _ => ErrorKind::Untrusted,
    };
    let msg = match &e {
        W::CertExpired { time, not_after } => format!(
            "{what}: a certificate expired at {} (checked at {}) (CertExpired)",
            not_after.as_secs(),
            time.as_secs()
        ),
        W::CertNotValidYet { time, not_before } => format!(
            "{what}: a certificate is not valid before {} (checked at {}) (CertNotValidYet)",
            not_before.as_secs(),
            time.as_secs()
        ),
        W::UnknownIssuer => format!("{what}: no path to a configured trust anchor (UnknownIssuer)"),
        W::UnsupportedSignatureAlgorithmContext(ctx) => {
            let mut r = Reader::new(&ctx.signature_algorithm_id);
            let alg = r
                .expect(tag::OID)
                .and_then(der::oid_to_dotted)
                .unwrap_or_else(|_| "(unreadable)".to_owned());
            format!(
                "{what}: signature algorithm {alg} is not accepted; ECDSA P-256/P-384 with SHA-256/SHA-384 and Ed25519 are (UnsupportedSignatureAlgorithmContext)"
            )
        }
        other => format!("{what}: {other:?}"),
    };
    Error::new(kind, msg)
}

/// Whether a validated leaf's subjectAltName binds the issuer identifier `iss`
/// (SD-JWT VC, X.509 key validation): `iss` equals a uniformResourceIdentifier
/// entry exactly, or `iss` is an `https` URL whose host equals a dNSName entry
/// (ASCII case-insensitive). No prefix, suffix or wildcard matching.
pub(crate) fn leaf_matches_issuer(leaf: &ValidatedLeaf, iss: &str) -> bool {
    if leaf.uris.iter().any(|u| u == iss) {
        return true;
    }
    match https_host(iss) {
        Some(host) => leaf.dns_names.iter().any(|d| d.eq_ignore_ascii_case(host)),
        None => false,
    }
}

/// The host of an `https` URL: the authority without a numeric port. `None` when
/// the URL is not `https`, carries userinfo, or has an IP-literal or otherwise
/// non-DNS host (only letters, digits, `-` and `.` are accepted).
fn https_host(url: &str) -> Option<&str> {
    let scheme = url.get(..8)?;
    if !scheme.eq_ignore_ascii_case("https://") {
        return None;
    }
    let rest = url.get(8..)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let host = match authority.split_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return None,
        None => authority,
    };
    let ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(host)
}

// ---------------------------------------------------------------------------
// Certificate parsing (our own, strict DER; webpki does the trust part).

/// One extension; criticality is checked by webpki, not kept here.
struct Extension<'a> {
    oid: &'a [u8],
    value: &'a [u8],
}

struct BasicConstraints {
    ca: bool,
    path_len: Option<u64>,
}

/// The fields of a certificate passerelle reads itself.
struct ParsedCert<'a> {
    tbs_raw: &'a [u8],
    signature_alg: &'a [u8],
    signature: &'a [u8],
    /// Name contents (inside the outer SEQUENCE), as webpki gives them.
    issuer: &'a [u8],
    subject: &'a [u8],
    not_before: UnixTime,
    not_after: UnixTime,
    /// The whole SubjectPublicKeyInfo TLV.
    spki: &'a [u8],
    extensions: Vec<Extension<'a>>,
}

impl<'a> ParsedCert<'a> {
    fn parse(der: &'a [u8]) -> Result<Self> {
        let mut outer = Reader::new(der);
        let cert = outer.expect(tag::SEQUENCE)?;
        outer.finish()?;
        let mut c = Reader::new(cert);
        let (tbs_raw, tbs) = c.expect_raw(tag::SEQUENCE)?;
        let signature_alg = c.expect(tag::SEQUENCE)?;
        let bits = c.expect(tag::BIT_STRING)?;
        c.finish()?;
        let signature = match bits.split_first() {
            Some((0, s)) => s,
            _ => {
                return Err(malformed(
                    "certificate signature is not a whole-byte BIT STRING",
                ))
            }
        };

        let mut t = Reader::new(tbs);
        let version = match t.optional(context(0, true))? {
            Some(v) => {
                let mut vr = Reader::new(v);
                let n = der::read_uint(&mut vr)?;
                vr.finish()?;
                match n {
                    [1] => 2,
                    [2] => 3,
                    _ => return Err(malformed("certificate version is not v2 or v3")),
                }
            }
            None => 1,
        };
        t.expect(tag::INTEGER)?; // serialNumber, as webpki reads it (leniently)
        let tbs_alg = t.expect(tag::SEQUENCE)?;
        if tbs_alg != signature_alg {
            return Err(malformed(
                "the certificate's two signature algorithm fields differ",
            ));
        }
        let issuer = t.expect(tag::SEQUENCE)?;
        let mut validity = Reader::new(t.expect(tag::SEQUENCE)?);
        let not_before = read_time(&mut validity)?;
        let not_after = read_time(&mut validity)?;
        validity.finish()?;
        let subject = t.expect(tag::SEQUENCE)?;
        let (spki, _) = t.expect_raw(tag::SEQUENCE)?;
        t.optional(context(1, false))?; // issuerUniqueID
        t.optional(context(2, false))?; // subjectUniqueID
        let mut extensions = Vec::new();
        if let Some(exts) = t.optional(context(3, true))? {
            if version != 3 {
                return Err(malformed("extensions in a certificate before v3"));
            }
            let mut outer = Reader::new(exts);
            let mut list = Reader::new(outer.expect(tag::SEQUENCE)?);
            outer.finish()?;
            while !list.is_empty() {
                let mut e = Reader::new(list.expect(tag::SEQUENCE)?);
                let oid = e.expect(tag::OID)?;
                match e.optional(tag::BOOLEAN)? {
                    None | Some([0xff]) => {}
                    Some(_) => {
                        return Err(malformed(
                            "extension critical flag is not a DER TRUE (FALSE must be omitted)",
                        ))
                    }
                };
                let value = e.expect(tag::OCTET_STRING)?;
                e.finish()?;
                if extensions.iter().any(|x: &Extension<'_>| x.oid == oid) {
                    return Err(malformed("an extension appears twice in a certificate"));
                }
                extensions.push(Extension { oid, value });
            }
        }
        t.finish()?;
        Ok(ParsedCert {
            tbs_raw,
            signature_alg,
            signature,
            issuer,
            subject,
            not_before,
            not_after,
            spki,
            extensions,
        })
    }

    fn extension(&self, oid: &[u8]) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// Whether the extKeyUsage extension lists `oid` (absent: false).
    fn has_eku(&self, oid: &[u8]) -> Result<bool> {
        let Some(ext) = self.extension(OID_EKU) else {
            return Ok(false);
        };
        let mut outer = Reader::new(ext.value);
        let mut r = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        while !r.is_empty() {
            if r.expect(tag::OID)? == oid {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn basic_constraints(&self) -> Result<Option<BasicConstraints>> {
        let Some(ext) = self.extension(OID_BASIC_CONSTRAINTS) else {
            return Ok(None);
        };
        let mut outer = Reader::new(ext.value);
        let mut r = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        let ca = match r.optional(tag::BOOLEAN)? {
            None => false,
            Some([0xff]) => true,
            Some(_) => return Err(malformed("basicConstraints cA is not a DER TRUE")),
        };
        let path_len = if r.is_empty() {
            None
        } else {
            let v = der::read_uint(&mut r)?;
            if v.len() > 8 {
                return Err(malformed("basicConstraints pathLenConstraint too large"));
            }
            Some(v.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        };
        r.finish()?;
        Ok(Some(BasicConstraints { ca, path_len }))
    }

    /// subjectAltName dNSName and uniformResourceIdentifier entries; other
    /// GeneralName forms are skipped.
    fn subject_alt_names(&self) -> Result<(Vec<String>, Vec<String>)> {
        let mut dns = Vec::new();
        let mut uris = Vec::new();
        let Some(ext) = self.extension(OID_SAN) else {
            return Ok((dns, uris));
        };
        let mut outer = Reader::new(ext.value);
        let mut names = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        while !names.is_empty() {
            let (t, v) = names.any()?;
            let list = match t {
                0x82 => &mut dns,
                0x86 => &mut uris,
                _ => continue,
            };
            let s = core::str::from_utf8(v)
                .ok()
                .filter(|s| s.is_ascii())
                .ok_or_else(|| malformed("subjectAltName entry is not IA5 text"))?;
            list.push(s.to_owned());
        }
        Ok((dns, uris))
    }
}

/// Reads a UTCTime (`YYMMDDHHMMSSZ`, 1950–2049) or GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`), as RFC 5280 §4.1.2.5 profiles them.
fn read_time(r: &mut Reader<'_>) -> Result<UnixTime> {
    let (t, v) = r.any()?;
    let bad = || malformed("certificate time is not in the RFC 5280 form");
    let digits = |s: &[u8]| -> Result<u64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(s.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0')))
    };
    let (year, rest) = match (t, v.len()) {
        (tag::UTC_TIME, 13) => {
            let yy = digits(v.get(..2).ok_or_else(bad)?)?;
            (
                if yy >= 50 { 1900 + yy } else { 2000 + yy },
                v.get(2..).ok_or_else(bad)?,
            )
        }
        (tag::GENERALIZED_TIME, 15) => (
            digits(v.get(..4).ok_or_else(bad)?)?,
            v.get(4..).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    let field = |i: usize| -> Result<u64> { digits(rest.get(i..i + 2).ok_or_else(bad)?) };
    if rest.get(10) != Some(&b'Z') {
        return Err(bad());
    }
    let (month, day, hour, min, sec) = (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return Err(bad());
    }
    if year < 1970 {
        return Err(malformed("certificate time before 1970 is not supported"));
    }
    let days = days_from_civil(year, month, day);
    Ok(UnixTime::from_secs(
        days * 86_400 + hour * 3600 + min * 60 + sec,
    ))
}

fn is_leap(y: u64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `y-m-d` (y ≥ 1970).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let mut days = 0u64;
    for year in 1970..y {
        days += if is_leap(year) { 366 } else { 365 };
    }
    for month in 1..m {
        days += days_in_month(y, month);
    }
    days + d - 1
}

/// `(year, month, day, hour, minute, second)` of a Unix time.
fn civil_from_unix(t: UnixTime) -> (u64, u64, u64, u64, u64, u64) {
    let secs = t.as_secs();
    let mut days = secs / 86_400;
    let rem = secs % 86_400;
    let mut year = 1970;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    (year, month, days + 1, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// 9999-12-31T23:59:59Z, the last time a GeneralizedTime can hold.
const MAX_CERT_TIME: u64 = 253_402_300_799;

/// Writes a certificate time: UTCTime before 2050, GeneralizedTime from 2050.
fn write_time(t: UnixTime) -> Result<Vec<u8>> {
    if t.as_secs() > MAX_CERT_TIME {
        return Err(misuse("certificate times end at 9999-12-31T23:59:59Z"));
    }
    let (y, mo, d, h, mi, s) = civil_from_unix(t);
    Ok(if y < 2050 {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(tag::UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        tlv(tag::GENERALIZED_TIME, text.as_bytes())
    })
}

/// The short names of RFC 4514 §3 and a few common others.
fn attribute_name(oid: &[u8]) -> Result<String> {
    let dotted = der::oid_to_dotted(oid)?;
    let short = match dotted.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.42" => "GN",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => return Ok(dotted),
    };
    Ok(short.to_owned())
}

/// Renders Name contents (the RDNSequence inside its SEQUENCE) in the style of
/// RFC 4514: last RDN first, `,` between RDNs, `+` inside a multi-valued RDN,
/// special characters escaped, unknown string types as `#hex`.
fn render_name(name: &[u8]) -> Result<String> {
    let mut rdns = Vec::new();
    let mut r = Reader::new(name);
    while !r.is_empty() {
        let mut set = Reader::new(r.expect(tag::SET)?);
        let mut parts = Vec::new();
        while !set.is_empty() {
            let mut atv = Reader::new(set.expect(tag::SEQUENCE)?);
            let oid = atv.expect(tag::OID)?;
            let (t, v) = atv.any()?;
            atv.finish()?;
            parts.push(format!("{}={}", attribute_name(oid)?, render_value(t, v)));
        }
        if parts.is_empty() {
            return Err(malformed("empty RDN in a name"));
        }
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    Ok(rdns.join(","))
}

/// The value of the name's `countryName` attribute (2.5.4.6), when it has
/// exactly one; read from the attribute, never from rendered DN text. Two
/// different countries in one name are `Malformed`.
fn name_country(name: &[u8]) -> Result<Option<String>> {
    let mut found: Option<String> = None;
    let mut r = Reader::new(name);
    while !r.is_empty() {
        let mut set = Reader::new(r.expect(tag::SET)?);
        while !set.is_empty() {
            let mut atv = Reader::new(set.expect(tag::SEQUENCE)?);
            let oid = atv.expect(tag::OID)?;
            let (t, v) = atv.any()?;
            atv.finish()?;
            if oid == OID_C {
                let c = render_value(t, v);
                if found.as_ref().is_some_and(|f| *f != c) {
                    return Err(malformed(
                        "a name with two different countryName attributes",
                    ));
                }
                found = Some(c);
            }
        }
    }
    Ok(found)
}

fn render_value(t: u8, v: &[u8]) -> String {
    let text: Option<String> = match t {
        tag::UTF8_STRING => core::str::from_utf8(v).ok().map(str::to_owned),
        tag::PRINTABLE_STRING | tag::IA5_STRING => core::str::from_utf8(v)
            .ok()
            .filter(|s| s.is_ascii())
            .map(str::to_owned),
        // T.61 in theory; Latin-1 in practice.
        tag::TELETEX_STRING => Some(v.iter().map(|&b| char::from(b)).collect()),
        tag::BMP_STRING if v.len() % 2 == 0 => char::decode_utf16(v.chunks_exact(2).map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        }))
        .collect::<core::result::Result<String, _>>()
        .ok(),
        tag::UNIVERSAL_STRING if v.len() % 4 == 0 => v
            .chunks_exact(4)
            .map(|c| {
                <[u8; 4]>::try_from(c)
                    .ok()
                    .and_then(|b| char::from_u32(u32::from_be_bytes(b)))
            })
            .collect(),
        _ => None,
    };
    match text {
        Some(s) => escape_rfc4514(&s),
        None => {
            let mut out = String::from("#");
            for b in tlv(t, v) {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

fn escape_rfc4514(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.chars().count().saturating_sub(1);
    for (i, ch) in s.chars().enumerate() {
        match ch {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The public key of a SubjectPublicKeyInfo: P-256 / P-384 uncompressed points
/// and Ed25519. Other algorithms, curves and point forms are `Unsupported`.
fn public_key_from_spki(spki: &[u8]) -> Result<PublicKey> {
    let mut outer = Reader::new(spki);
    let mut s = Reader::new(outer.expect(tag::SEQUENCE)?);
    outer.finish()?;
    let mut alg = Reader::new(s.expect(tag::SEQUENCE)?);
    let bits = s.expect(tag::BIT_STRING)?;
    s.finish()?;
    let key = match bits.split_first() {
        Some((0, k)) => k,
        _ => return Err(malformed("subjectPublicKey is not a whole-byte BIT STRING")),
    };
    let alg_oid = alg.expect(tag::OID)?;
    if alg_oid == OID_EC_PUBLIC_KEY {
        let curve_oid = alg.expect(tag::OID)?;
        alg.finish()?;
        let curve = match curve_oid {
            OID_P256 => Curve::P256,
            OID_P384 => Curve::P384,
            other => {
                return Err(unsupported(format!(
                    "certificate key on curve {} (P-256 and P-384 are supported)",
                    der::oid_to_dotted(other)?
                )))
            }
        };
        if key.first() != Some(&4) {
            return Err(unsupported(
                "certificate EC key is not an uncompressed point",
            ));
        }
        PublicKey::from_sec1(curve, key)
    } else if alg_oid == OID_ED25519 {
        alg.finish()
            .map_err(|_| malformed("Ed25519 key algorithm must have no parameters"))?;
        PublicKey::from_ed25519(key)
    } else {
        Err(unsupported(format!(
            "certificate key algorithm {} (EC P-256/P-384 and Ed25519 are supported)",
            der::oid_to_dotted(alg_oid)?
        )))
    }
}

fn spki_for(key: &PublicKey) -> Vec<u8> {
    let alg = match key.curve() {
        Curve::P256 => seq(&[&tlv(tag::OID, OID_EC_PUBLIC_KEY), &tlv(tag::OID, OID_P256)]),
        Curve::P384 => seq(&[&tlv(tag::OID, OID_EC_PUBLIC_KEY), &tlv(tag::OID, OID_P384)]),
        Curve::Ed25519 => seq(&[&tlv(tag::OID, OID_ED25519)]),
    };
    seq(&[&alg, &bit_string(key.raw())])
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(0);
    v.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &v)
}

/// Key identifier: the first 20 bytes of SHA-256 of the subjectPublicKey bits
/// (RFC 7093 §2 method 1; SHA-1 is not used).
fn key_identifier(key: &PublicKey) -> Vec<u8> {
    sha256(key.raw()).iter().take(20).copied().collect()
}

/// The webpki algorithm that verifies a signature with `sig_alg` (AlgorithmIdentifier
/// contents) under a key on `curve`.
fn verification_alg(
    sig_alg: &[u8],
    curve: Curve,
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    let mut r = Reader::new(sig_alg);
    let oid = r.expect(tag::OID).ok()?;
    if !r.is_empty() {
        return None;
    }
    match (oid, curve) {
        (OID_ECDSA_SHA256, Curve::P256) => Some(webpki::ring::ECDSA_P256_SHA256),
        (OID_ECDSA_SHA256, Curve::P384) => Some(webpki::ring::ECDSA_P384_SHA256),
        (OID_ECDSA_SHA384, Curve::P256) => Some(webpki::ring::ECDSA_P256_SHA384),
        (OID_ECDSA_SHA384, Curve::P384) => Some(webpki::ring::ECDSA_P384_SHA384),
        (OID_ED25519, Curve::Ed25519) => Some(webpki::ring::ED25519),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// PEM.

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// The DER of every CERTIFICATE block of PEM text. Other block types are
/// skipped; a block without its END line, or bad base64 inside, is `Malformed`.
fn pem_certificates(text: &str) -> Result<Vec<Vec<u8>>> {
    enum State {
        Outside,
        InCert(String),
        InOther(String),
    }
    let max_b64 = MAX_CERT_BYTES.div_ceil(3) * 4;
    let mut out = Vec::new();
    let mut state = State::Outside;
    for line in text.lines() {
        let line = line.trim();
        state = match state {
            State::Outside if line == PEM_BEGIN => State::InCert(String::new()),
            State::Outside => match line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                Some(label) => State::InOther(format!("-----END {label}-----")),
                None => State::Outside,
            },
            State::InOther(end) if line == end => State::Outside,
            State::InOther(end) => State::InOther(end),
            State::InCert(body) if line == PEM_END => {
                let der = b64_std_decode(&body, max_b64, "PEM certificate")?;
                if der.len() > MAX_CERT_BYTES {
                    return Err(limit(format!(
                        "PEM certificate of {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                        der.len()
                    )));
                }
                out.push(der);
                State::Outside
            }
            State::InCert(_) if line.starts_with("-----") => {
                return Err(malformed(
                    "PEM: unexpected boundary inside a CERTIFICATE block",
                ))
            }
            State::InCert(mut body) => {
                if body.len().saturating_add(line.len()) > max_b64 {
                    return Err(limit(format!(
                        "PEM certificate exceeds the limit of {MAX_CERT_BYTES} bytes"
                    )));
                }
                body.push_str(line);
                State::InCert(body)
            }
        };
    }
    match state {
        State::InCert(_) => Err(malformed("PEM: CERTIFICATE block without its END line")),
        State::InOther(_) | State::Outside => Ok(out),
    }
}

fn to_pem(der: &[u8]) -> String {
    let b64 = b64_std_encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
    out.push_str(PEM_BEGIN);
    out.push('\n');
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(PEM_END);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------
// Certificate and builder (public).

/// An X.509 certificate (DER), as made by [`CertificateBuilder`] or read from
/// PEM / DER. Parsing checks the structure only; nothing about a `Certificate`
/// is trusted until a verifier validates its chain to a configured anchor.
///
/// ```
/// use passerelle::{Algorithm, Certificate, CertificateBuilder, PrivateKey, UnixTime};
/// let key = PrivateKey::generate(Algorithm::Es256)?;
/// let root = CertificateBuilder::new("Example Root")
///     .validity(UnixTime::from_secs(1_700_000_000), UnixTime::from_secs(2_000_000_000))
///     .ca(None)
///     .self_signed(&key)?;
/// let again = Certificate::from_pem(&root.to_pem())?;
/// assert_eq!(again, vec![root.clone()]);
/// assert_eq!(root.subject(), "CN=Example Root");
/// assert!(root.is_self_signed());
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    subject: String,
    self_signed: bool,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Certificate({:?}, {} bytes)",
            self.subject,
            self.der.len()
        )
    }
}

impl Certificate {
    /// Reads a DER certificate. Bad DER is `Malformed`; more than
    /// [`MAX_CERT_BYTES`](crate::limits::MAX_CERT_BYTES) is `LimitExceeded`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.len() > MAX_CERT_BYTES {
            return Err(limit(format!(
                "certificate of {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                der.len()
            )));
        }
        let parsed = ParsedCert::parse(der)?;
        let subject = render_name(parsed.subject)?;
        let self_signed = parsed.subject == parsed.issuer && verifies_itself(der, &parsed);
        Ok(Certificate {
            der: der.to_vec(),
            subject,
            self_signed,
        })
    }

    /// Reads every `-----BEGIN CERTIFICATE-----` block of PEM text, in order.
    /// Text outside the blocks and other block types are ignored.
    pub fn from_pem(text: &str) -> Result<Vec<Self>> {
        pem_certificates(text)?
            .iter()
            .map(|d| Self::from_der(d))
            .collect()
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding (one CERTIFICATE block, 64-character lines).
    pub fn to_pem(&self) -> String {
        to_pem(&self.der)
    }

    /// The subject, RFC 4514 style, e.g. `CN=Demo PID Provider,O=Demo Member State,C=DE`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether the certificate is self-signed: issued by its own subject and
    /// its signature verifies under its own key (a root).
    pub fn is_self_signed(&self) -> bool {
        self.self_signed
    }

    /// The certificate's public key. Keys other than P-256, P-384 and Ed25519
    /// are `Unsupported`.
    pub fn subject_public_key(&self) -> Result<PublicKey> {
        public_key_from_spki(ParsedCert::parse(&self.der)?.spki)
    }

    /// The validity period `(notBefore, notAfter)`.
    pub fn validity(&self) -> Result<(UnixTime, UnixTime)> {
        let p = ParsedCert::parse(&self.der)?;
        Ok((p.not_before, p.not_after))
    }
}

/// Whether `der`'s signature verifies under its own public key.
fn verifies_itself(der: &[u8], parsed: &ParsedCert<'_>) -> bool {
    let Ok(key) = public_key_from_spki(parsed.spki) else {
        return false;
    };
    let Some(alg) = verification_alg(parsed.signature_alg, key.curve()) else {
        return false;
    };
    let cert_der = CertificateDer::from(der);
    // webpki refuses certificates with unknown critical extensions; those are
    // then reported as not self-signed.
    match webpki::EndEntityCert::try_from(&cert_der) {
        Ok(ee) => ee
            .verify_signature(alg, parsed.tbs_raw, parsed.signature)
            .is_ok(),
        Err(_) => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Ca(Option<u8>),
    EndEntity,
}

/// Builds X.509 v3 certificates for test PKIs and demos: a CA, intermediates,
/// and end-entity (issuer) certificates with subjectAltName entries.
///
/// Certificates are signed with ecdsa-with-SHA256 by a P-256 issuer key,
/// ecdsa-with-SHA384 by a P-384 key and Ed25519 by an Ed25519 key. They carry
/// subjectKeyIdentifier and authorityKeyIdentifier (the first 20 bytes of
/// SHA-256 of the public key). Times are UTCTime before 2050 and
/// GeneralizedTime after.
///
/// This is not a CA product: it signs whatever it is told to, including
/// certificates a verifier must refuse, which is what tests need.
///
/// ```
/// use passerelle::{Algorithm, CertificateBuilder, PrivateKey, UnixTime};
/// let (from, to) = (UnixTime::from_secs(1_700_000_000), UnixTime::from_secs(2_000_000_000));
/// let ca_key = PrivateKey::generate(Algorithm::Es256)?;
/// let ca = CertificateBuilder::new("Example CA")
///     .organization("Example Org")
///     .country("DE")
///     .validity(from, to)
///     .ca(Some(0))
///     .self_signed(&ca_key)?;
/// let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
/// let issuer = CertificateBuilder::new("Example Issuer")
///     .validity(from, to)
///     .end_entity()
///     .uri("https://issuer.example")
///     .issued_by(&ca, &ca_key, issuer_key.public_key())?;
/// assert_eq!(issuer.subject(), "CN=Example Issuer");
/// assert!(!issuer.is_self_signed());
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CertificateBuilder {
    common_name: String,
    organization: Option<String>,
    country: Option<String>,
    validity: Option<(UnixTime, UnixTime)>,
    role: Role,
    dns_names: Vec<String>,
    uris: Vec<String>,
    ekus: Vec<String>,
    serial: Option<Vec<u8>>,
    extra: Vec<(String, bool, Vec<u8>)>,
}

impl CertificateBuilder {
    /// A builder for a certificate whose subject has this common name (CN). By
    /// default the certificate is an end entity; a validity period is required.
    pub fn new(common_name: &str) -> Self {
        CertificateBuilder {
            common_name: common_name.to_owned(),
            organization: None,
            country: None,
            validity: None,
            role: Role::EndEntity,
            dns_names: Vec::new(),
            uris: Vec::new(),
            ekus: Vec::new(),
            serial: None,
            extra: Vec::new(),
        }
    }

    /// Adds the organization (O) to the subject.
    pub fn organization(mut self, organization: &str) -> Self {
        self.organization = Some(organization.to_owned());
        self
    }

    /// Adds the country (C, two letters, ISO 3166) to the subject.
    pub fn country(mut self, country: &str) -> Self {
        self.country = Some(country.to_owned());
        self
    }

    /// Sets the validity period (required).
    pub fn validity(mut self, not_before: UnixTime, not_after: UnixTime) -> Self {
        self.validity = Some((not_before, not_after));
        self
    }

    /// Makes a CA certificate: basicConstraints cA=TRUE (with `path_len` as
    /// pathLenConstraint when given) and keyUsage keyCertSign + cRLSign, both
    /// critical.
    pub fn ca(mut self, path_len: Option<u8>) -> Self {
        self.role = Role::Ca(path_len);
        self
    }

    /// Makes an end-entity certificate (the default): keyUsage
    /// digitalSignature, critical, and no basicConstraints.
    pub fn end_entity(mut self) -> Self {
        self.role = Role::EndEntity;
        self
    }

    /// Adds a subjectAltName dNSName entry.
    pub fn dns_name(mut self, name: &str) -> Self {
        self.dns_names.push(name.to_owned());
        self
    }

    /// Adds a subjectAltName uniformResourceIdentifier entry (e.g. the issuer's
    /// `iss` URL).
    pub fn uri(mut self, uri: &str) -> Self {
        self.uris.push(uri.to_owned());
        self
    }

    /// Adds an extendedKeyUsage purpose, as a dotted OID (e.g. `1.0.18013.5.1.2`
    /// for an mdoc document signer).
    pub fn extended_key_usage(mut self, oid_dotted: &str) -> Self {
        self.ekus.push(oid_dotted.to_owned());
        self
    }

    /// Sets the serial number (big-endian magnitude, at most 20 bytes). By
    /// default it is 16 random bytes.
    pub fn serial(mut self, serial: &[u8]) -> Self {
        self.serial = Some(serial.to_vec());
        self
    }

    /// Adds an arbitrary extension: dotted OID, critical flag and the DER of
    /// its value (the contents of extnValue). Meant for tests, such as an
    /// unknown critical extension a verifier must refuse.
    pub fn custom_extension(mut self, oid_dotted: &str, critical: bool, value_der: &[u8]) -> Self {
        self.extra
            .push((oid_dotted.to_owned(), critical, value_der.to_vec()));
        self
    }

    /// Signs the certificate with its own key (a root). `key` gives both the
    /// subject public key and the signature.
    pub fn self_signed(&self, key: &dyn Signer) -> Result<Certificate> {
        let name = self.subject_name()?;
        let ki = key_identifier(key.public_key());
        self.sign(key.public_key(), &name, &ki, key)
    }

    /// Signs a certificate for `subject_key`, issued by `issuer` whose private
    /// key is `issuer_key`. `issuer_key` must be the key of `issuer`'s
    /// certificate (`ApiMisuse` otherwise); whether `issuer` may issue
    /// certificates is not checked, so tests can build invalid chains.
    pub fn issued_by(
        &self,
        issuer: &Certificate,
        issuer_key: &dyn Signer,
        subject_key: &PublicKey,
    ) -> Result<Certificate> {
        let parsed = ParsedCert::parse(&issuer.der)?;
        let issuer_public = public_key_from_spki(parsed.spki)?;
        if &issuer_public != issuer_key.public_key() {
            return Err(misuse(
                "the signing key is not the issuer certificate's key",
            ));
        }
        let issuer_name = tlv(tag::SEQUENCE, parsed.subject);
        let ki = key_identifier(&issuer_public);
        self.sign(subject_key, &issuer_name, &ki, issuer_key)
    }

    fn subject_name(&self) -> Result<Vec<u8>> {
        let rdn = |oid: &[u8], t: u8, value: &str| {
            tlv(
                tag::SET,
                &seq(&[&tlv(tag::OID, oid), &tlv(t, value.as_bytes())]),
            )
        };
        let mut rdns = Vec::new();
        if let Some(c) = &self.country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(misuse("the country must be two ASCII letters (ISO 3166)"));
            }
            rdns.push(rdn(OID_C, tag::PRINTABLE_STRING, c));
        }
        if let Some(o) = &self.organization {
            rdns.push(rdn(OID_O, tag::UTF8_STRING, o));
        }
        rdns.push(rdn(OID_CN, tag::UTF8_STRING, &self.common_name));
        Ok(tlv(tag::SEQUENCE, &rdns.concat()))
    }

    fn extensions(&self, subject_key: &PublicKey, authority_key_id: &[u8]) -> Result<Vec<u8>> {
        let ext = |oid: &[u8], critical: bool, value: &[u8]| {
            let mut parts = vec![tlv(tag::OID, oid)];
            if critical {
                parts.push(tlv(tag::BOOLEAN, &[0xff]));
            }
            parts.push(tlv(tag::OCTET_STRING, value));
            tlv(tag::SEQUENCE, &parts.concat())
        };
        let mut exts = Vec::new();
        match self.role {
            Role::Ca(path_len) => {
                let mut bc = vec![tlv(tag::BOOLEAN, &[0xff])];
                if let Some(n) = path_len {
                    bc.push(uint(&[n]));
                }
                exts.push(ext(
                    OID_BASIC_CONSTRAINTS,
                    true,
                    &tlv(tag::SEQUENCE, &bc.concat()),
                ));
                // keyCertSign (bit 5) and cRLSign (bit 6); one unused bit.
                exts.push(ext(
                    OID_KEY_USAGE,
                    true,
                    &tlv(tag::BIT_STRING, &[0x01, 0x06]),
                ));
            }
            Role::EndEntity => {
                // digitalSignature (bit 0); seven unused bits.
                exts.push(ext(
                    OID_KEY_USAGE,
                    true,
                    &tlv(tag::BIT_STRING, &[0x07, 0x80]),
                ));
            }
        }
        exts.push(ext(
            OID_SKI,
            false,
            &tlv(tag::OCTET_STRING, &key_identifier(subject_key)),
        ));
        exts.push(ext(
            OID_AKI,
            false,
            &seq(&[&tlv(context(0, false), authority_key_id)]),
        ));
        if !self.dns_names.is_empty() || !self.uris.is_empty() {
            let mut names = Vec::new();
            for d in &self.dns_names {
                if !d.is_ascii() || d.is_empty() {
                    return Err(misuse(format!("dNSName {d:?} is not non-empty ASCII")));
                }
                names.push(tlv(context(2, false), d.as_bytes()));
            }
            for u in &self.uris {
                if !u.is_ascii() || u.is_empty() {
                    return Err(misuse(format!("URI {u:?} is not non-empty ASCII")));
                }
                names.push(tlv(context(6, false), u.as_bytes()));
            }
            exts.push(ext(OID_SAN, false, &tlv(tag::SEQUENCE, &names.concat())));
        }
        if !self.ekus.is_empty() {
            let mut oids = Vec::new();
            for e in &self.ekus {
                let oid = der::oid_from_dotted(e).map_err(|e| misuse(e.message()))?;
                oids.push(tlv(tag::OID, &oid));
            }
            exts.push(ext(OID_EKU, false, &tlv(tag::SEQUENCE, &oids.concat())));
        }
        for (oid, critical, value) in &self.extra {
            let oid = der::oid_from_dotted(oid).map_err(|e| misuse(e.message()))?;
            exts.push(ext(&oid, *critical, value));
        }
        Ok(tlv(context(3, true), &tlv(tag::SEQUENCE, &exts.concat())))
    }

    fn sign(
        &self,
        subject_key: &PublicKey,
        issuer_name: &[u8],
        authority_key_id: &[u8],
        signer: &dyn Signer,
    ) -> Result<Certificate> {
        let (not_before, not_after) = self
            .validity
            .ok_or_else(|| misuse("a certificate needs a validity period"))?;
        if not_before > not_after {
            return Err(misuse("notBefore is after notAfter"));
        }
        let serial = match &self.serial {
            Some(s) if s.len() > 20 => {
                return Err(misuse("a serial number is at most 20 bytes"));
            }
            Some(s) => s.clone(),
            None => {
                let mut s = vec![0u8; 16];
                SystemRandom.fill(&mut s)?;
                if let Some(first) = s.first_mut() {
                    *first = (*first & 0x7f) | 0x01;
                }
                s
            }
        };
        let alg = signer.algorithm();
        let sig_alg = match alg {
            Algorithm::Es256 => seq(&[&tlv(tag::OID, OID_ECDSA_SHA256)]),
            Algorithm::Es384 => seq(&[&tlv(tag::OID, OID_ECDSA_SHA384)]),
            Algorithm::EdDsa => seq(&[&tlv(tag::OID, OID_ED25519)]),
        };
        let tbs = seq(&[
            &tlv(context(0, true), &uint(&[2])),
            &uint(&serial),
            &sig_alg,
            issuer_name,
            &seq(&[&write_time(not_before)?, &write_time(not_after)?]),
            &self.subject_name()?,
            &spki_for(subject_key),
            &self.extensions(subject_key, authority_key_id)?,
        ]);
        let raw_sig = signer.sign(&tbs)?;
        let sig = match alg {
            Algorithm::EdDsa => raw_sig,
            Algorithm::Es256 | Algorithm::Es384 => ecdsa_fixed_to_der(&raw_sig, alg)?,
        };
        let der = seq(&[&tbs, &sig_alg, &bit_string(&sig)]);
        Certificate::from_der(&der)
    }
}

/// Converts a JOSE fixed-length `r‖s` ECDSA signature to the DER
/// ECDSA-Sig-Value X.509 carries: SEQUENCE { INTEGER r, INTEGER s }, minimal.
fn ecdsa_fixed_to_der(sig: &[u8], alg: Algorithm) -> Result<Vec<u8>> {
    if sig.len() != alg.signature_len() {
        return Err(Error::new(
            ErrorKind::Signature,
            format!(
                "the signer returned {} bytes, not a {} signature",
                sig.len(),
                alg.jose_name()
            ),
        ));
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    Ok(seq(&[&uint(r), &uint(s)]))
}

#[cfg(test)]
#[path = "x509_tests.rs"]
mod tests;

/// Fuzz entry (issue 8): the certificate parser and everything that reads a
/// parsed certificate — names, countryName, basicConstraints, SANs, the key —
/// then the certificate as an anchor and as a one-certificate chain to itself.
/// Must never panic, whatever the bytes.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_certificate(data: &[u8]) {
    if let Ok(c) = ParsedCert::parse(data) {
        let _ = render_name(c.subject);
        let _ = render_name(c.issuer);
        let _ = name_country(c.subject);
        let _ = c.basic_constraints();
        let _ = c.subject_alt_names();
        let _ = public_key_from_spki(c.spki);
    }
    if let Ok(anchor) = TrustAnchorCert::from_der(data.to_vec()) {
        let _ = validate_chain(
            &[data.to_vec()],
            core::slice::from_ref(&anchor),
            anchor.not_before,
            ChainPurpose::SdJwtVcIssuer,
        );
    }
    let _ = Certificate::from_der(data);
}
