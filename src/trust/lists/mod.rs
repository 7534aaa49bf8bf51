//! Trust from the lists ecosystems publish: ISO/IEC 18013-5 Annex C VICALs
//! and ETSI TS 119 602 Lists of Trusted Entities (LoTE).
//!
//! Every list is checked before a byte of its content is read as trust: the
//! signature is verified over the bytes received, with the key of a signer
//! certificate that chains ([`validate_chain`](super::x509::validate_chain))
//! to an anchor the host configured **for list signers only**. What a list
//! says is then returned as typed values ([`Vical`], [`Lote`]); nothing here
//! mutates a [`TrustStore`](super::TrustStore).
//!
//! # VICAL (ISO/IEC 18013-5:2021 Annex C)
//!
//! - A COSE_Sign1, untagged or tag 18, with an attached payload; the crate's
//!   COSE rules apply (`alg` protected, ES256 / ES384 / EdDSA only).
//! - `x5chain` is required (absent → `Untrusted`), leaf first; the leaf must
//!   carry EKU 1.0.18013.5.1.8 and chain to a configured VICAL authority. A
//!   root inside `x5chain` (the AAMVA VICAL carries one) is dropped, never
//!   trusted. The leaf's keyUsage is not read: the AAMVA signer has
//!   nonRepudiation only, and the EKU already scopes it (harmless, accepted).
//! - The payload map: `version`, `vicalProvider` (text), `date` (tag 0),
//!   `vicalIssueID` (uint), `nextUpdate` (tag 0), `certificateInfos`, each
//!   with `certificate` (bstr), `serialNumber` (tag 2 or uint), `ski` (bstr),
//!   `docType` (non-empty array of text). Other keys are ignored as the CDDL
//!   (`* tstr => any`) allows; so `Extensions` with a capital E (AAMVA) is an
//!   unknown key, ignored, and so is `CertificateProfile` (AAMVA's casing of
//!   `certificateProfile`): its content is not read (loudly: it is never a
//!   profile restriction here).
//! - `ski`, `serialNumber`, `issuer`, `subject`, `notBefore`, `notAfter` of an
//!   entry are informational and never decide anything: the anchor is the
//!   certificate itself. AAMVA's `ski` is DER-wrapped (`04 16 04 14 …`); it is
//!   kept as received.
//! - Two entries with the same certificate are `Malformed` (TL-09); distinct
//!   certificates sharing one subject are accepted (anchors are told apart by
//!   subject *and* key).
//! - An entry whose certificate is not a CA (or does not parse) never becomes
//!   an anchor: it is listed in [`Vical::refused`] with its error kind, never
//!   silently dropped.
//! - Freshness: `date` after `now` (+ skew) is `NotYetValid`; `nextUpdate`
//!   before `now` is `Policy` (stale trust data, as TL-04 for TS 119 612)
//!   unless [`ListOptions::allow_stale`]; an expired signer certificate is
//!   `Expired` (TL-09's "expired"). A VICAL without `nextUpdate` is accepted.
//!
//! # LoTE (ETSI TS 119 602 V1.1.1), compact JAdES Baseline-B
//!
//! See [`lote`] for the JAdES header rules applied, the real-world variants
//! accepted (loudly: [`Lote::variants`]), service types, identities and status.
//!
//! # TS 119 612 XML lists and the LOTL
//!
//! See [`tsl`] for the XML-DSig / XAdES-B-B rules and [`xml`] for parsing and
//! canonicalization; results have the same [`Lote`] shape.
//!
//! # Held by the store
//!
//! Every checked list is held by the [`TrustStore`](super::TrustStore) and
//! feeds its lookups (see [`held`] for what each service anchors, and the
//! framework and level it implies): SD-JWT VC `x5c` issuers, status-list
//! signers, mdoc document signers (VICAL entries scoped to their docTypes).
//! List anchors and VICAL authorities are kept apart and never anchor a
//! credential. A refreshed list replaces the held one and must not go
//! backwards (`check_successor`). The mdoc lookup reads the Document's
//! `docType`, which the issuer-signed MSO must then repeat.
//!
//! # Not here yet
//!
//! - RSA-PSS list signatures (XAdES `sha256-rsa-MGF1`, JAdES PS256):
//!   `Unsupported` (PKCS #1 v1.5 is read; PSS is accepted on the signer's
//!   certificate path).
//! - TS 119 612 service types anchor nothing (only TS 119 602 EU service
//!   types are given a meaning); listed JWKs anchor no credential (the list
//!   binds them to no issuer identifier).
//!
//! # Spec ambiguities, and the reading taken
//!
//! - Annex C does not say what a passed `nextUpdate` means; TS 119 612 calls
//!   such a list stale. Read: `Policy` (switchable), like TL-04, while an
//!   expired signer certificate is `Expired`.
//! - Annex C's `certificateProfile` and `extensions` are camelCase; AAMVA
//!   writes `CertificateProfile` and `Extensions`. Read: unknown keys,
//!   ignored (no profile restriction is applied from either spelling).
//! - Annex C's `ski` is "the SubjectKeyIdentifier"; AAMVA wraps it in an
//!   extra OCTET STRING. Read: informational, never compared.
//! - TS 119 602 EU profiles leave `ServiceStatus` out (listing is
//!   notification). Read: a service without a status is active; with one, only
//!   the active URIs listed in [`lote`] are.
//! - TS 119 182-1 requires `sigT` in B-B and its presence in `crit`; real
//!   lists omit both. Read: accepted when absent (noted), enforced when
//!   present.
//! - History instances carry their own `ServiceDigitalIdentity`; the keys
//!   used are those of the current `ServiceInformation`, the history only
//!   decides the status at a past time.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod held;
pub(crate) mod lote;
mod store;
pub(crate) use held::{voucher_for, HeldList, HeldVical};
pub use store::{inspect_trust_list, ListFetcher};
pub(crate) mod tsl;
pub(crate) mod vical;
pub(crate) mod xml;

#[cfg(test)]
mod tests;

pub use lote::{
    Capability, IdentityKind, ListedIdentity, Lote, LoteEntity, LotePointer, LoteService,
    Provision, ServiceStatus, SignerInfo,
};
pub use vical::{RefusedEntry, Vical, VicalEntry};

/// Fuzz entry (`internal::fuzzing::trust_lists`): `data` through the three
/// entries below. Never panics.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_lists(data: &[u8]) {
    fuzz_vical(data);
    fuzz_lote(data);
    fuzz_tsl(data);
}

#[cfg(any(fuzzing, test))]
fn lax() -> (crate::time::UnixTime, ListOptions) {
    (
        crate::time::UnixTime::from_secs(1_800_000_000),
        ListOptions {
            allow_stale: true,
            skew: u64::MAX,
        },
    )
}

/// Fuzz entry (`internal::fuzzing::vical`): the VICAL envelope (no
/// authority, so nothing verifies) and, bypassing the signature, its payload
/// reader.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_vical(data: &[u8]) {
    let (now, lax) = lax();
    let _ = vical::check_vical(data, &[], now, &lax);
    if let Ok(v) = vical::read_vical(data, String::new(), String::new(), now, &lax) {
        let _ = v.to_json();
    }
}

/// Fuzz entry (`internal::fuzzing::lote`): the JAdES envelope (no anchor)
/// and, bypassing the signature, the LoTE payload reader and its JSON view.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_lote(data: &[u8]) {
    let (now, lax) = lax();
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = lote::check_lote(text, &[], now, &lax);
    }
    if let Ok(map) = crate::encoding::parse_json_object(data, "fuzz") {
        let signer = SignerInfo {
            subject: String::new(),
            anchor: String::new(),
        };
        if let Ok(l) = lote::read_lote(&map, signer, None, Vec::new(), now, &lax) {
            let _ = l.to_json(now);
        }
    }
}

/// Fuzz entry (`internal::fuzzing::trusted_list_xml`): the XML parser, both
/// canonicalizations and the XAdES checks of a TS 119 612 list (no anchor).
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_tsl(data: &[u8]) {
    let (now, lax) = lax();
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = tsl::check_tsl(text, lote::SignerTrust::Anchors(&[]), now, &lax);
        if let Ok(doc) = xml::parse(text) {
            for mode in [xml::C14n::Exclusive, xml::C14n::Inclusive] {
                let _ = xml::canonicalize(doc.root_element(), None, mode);
            }
        }
    }
}

/// How strictly a list's freshness is judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Accept a list whose `nextUpdate` / `NextUpdate` has passed (weaker:
    /// stale trust data may still list a withdrawn issuer).
    pub allow_stale: bool,
    /// Clock skew tolerated on a list's issue date, in seconds.
    pub skew: u64,
}
