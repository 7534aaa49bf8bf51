//! X.509 path validation: who is trusted. Certificate chains (`x5c`,
//! `x5chain`) validated with rustls-webpki against the anchors the host
//! configured. (Parsing certificates and names is the `x509` room's; PEM is
//! `encoding/pem.rs`; the certificate builder is `x509/builder.rs`.)
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
//! - the leaf's key must be a P-256 / P-384 uncompressed point or an Ed25519 key;
//! - except on the path of a trusted-list signer
//!   ([`validate_list_signer_chain`]), where RSA PKCS #1 v1.5 and PSS with a
//!   2048- to 8192-bit key are accepted too, on the certificates and as the
//!   signer's key: national trusted lists and their CAs are mostly RSA. A
//!   list signer vouches for a list, never for a credential, so RSA reaches
//!   no credential path. SHA-1 stays refused.
//!
//! Revocation (CRL/OCSP) is not checked here; status of credentials is the
//! status room's job.
//!
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::crypto::{PublicKey, VerifyKey};
use crate::encoding::der::{self, tag, Reader};
use crate::error::{limit, malformed, untrusted, Error, ErrorKind, Result};
use crate::limits::{MAX_CERT_BYTES, MAX_CHAIN_CERTS};
use crate::time::UnixTime;
use core::fmt;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor};

use crate::encoding::pem::pem_certificates;
use crate::x509::*;

/// The signature algorithms accepted on certificates: ECDSA on P-256 / P-384 with
/// SHA-256 / SHA-384, and Ed25519. No RSA, no SHA-1.
static CERT_SIGNATURE_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
];

/// On the path of a trusted-list signer only: those, and RSA PKCS #1 v1.5
/// and PSS with SHA-256 / 384 / 512 and a 2048- to 8192-bit key (national
/// trusted lists and their CAs are mostly RSA). No SHA-1.
static LIST_SIGNATURE_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
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
    /// The anchor's own validity period.
    pub(crate) fn validity(&self) -> (UnixTime, UnixTime) {
        (self.not_before, self.not_after)
    }

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
pub(crate) struct ValidatedLeaf<K = PublicKey> {
    /// The leaf's public key (P-256, P-384 or Ed25519; for a trusted-list
    /// signer, also RSA).
    pub(crate) public_key: K,
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
    validate_chain_with(
        chain,
        anchors,
        now,
        purpose,
        CERT_SIGNATURE_ALGS,
        public_key_from_spki,
    )
}

/// [`validate_chain`] for the signer of a trusted list (LoTE, TS 119 612):
/// RSA is accepted on its path and as its key (see [`LIST_SIGNATURE_ALGS`]).
pub(crate) fn validate_list_signer_chain(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchorCert],
    now: UnixTime,
) -> Result<ValidatedLeaf<VerifyKey>> {
    validate_chain_with(
        chain,
        anchors,
        now,
        ChainPurpose::TrustListSigner,
        LIST_SIGNATURE_ALGS,
        signature_key_from_spki,
    )
}

fn validate_chain_with<K>(
    chain: &[Vec<u8>],
    anchors: &[TrustAnchorCert],
    now: UnixTime,
    purpose: ChainPurpose,
    algs: &[&dyn SignatureVerificationAlgorithm],
    key_of: fn(&[u8]) -> Result<K>,
) -> Result<ValidatedLeaf<K>> {
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
            algs,
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

    let public_key = key_of(leaf.spki)?;
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
