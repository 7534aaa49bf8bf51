//! ETSI TS 119 602 V1.1.1 Lists of Trusted Entities (LoTE), JSON, signed as
//! compact JAdES Baseline-B (ETSI TS 119 182-1).
//!
//! # JAdES header rules applied
//!
//! - `alg`: ES256, ES384, EdDSA, or RS256 / RS384 / RS512 with an RSA
//!   signer of 2048 to 8192 bits; `none`, HMAC, PS* and unknown names are
//!   `Unsupported`. An algorithm of the other family than the signer's key
//!   is a `Signature` failure.
//! - `x5c` is required: it carries the signer certificate, leaf first, in
//!   standard base64 of DER (`Malformed` otherwise). A header with only
//!   `x5t#S256` (or `kid`) names a certificate we were not given: `Untrusted`.
//!   `x5t#S256`, when present, must be the base64url SHA-256 of `x5c[0]`
//!   (`Malformed` otherwise). `x5t` (SHA-1) is ignored. `x5u`, `jku`, `jwk`,
//!   `kid` are never used to find a key.
//! - The leaf must chain to a configured list anchor
//!   ([`ChainPurpose::TrustListSigner`]: any EKU or none) at `now`.
//! - `sigT` (claimed signing time), when present, must be an RFC 3339 time
//!   (`Malformed`) not after `now` + skew (`NotYetValid`). TS 119 182-1
//!   requires it in B-B; real lists omit it, so its absence is accepted
//!   (loudly: [`Lote::variants`] says so). It is a claim of the signer, not a
//!   trusted time: the chain is judged at `now`.
//! - `crit`: a non-empty array of distinct names, each present in the
//!   header; a registered JWS name there is `Malformed`; `sigT` is the only
//!   name understood, any other is `Unsupported`.
//! - `sigD` (detached or multi-object signatures) and `b64` are
//!   `Unsupported`: only the compact serialization with its payload attached
//!   is read. Other JAdES parameters (`sigX5ts`, `srCms`, `sigPl`, `sigPId`,
//!   ...) are ignored unless named in `crit`. `typ` and `cty`, if present,
//!   must be strings; their value is not required (TS 119 602 fixes none).
//! - Duplicate header or payload members are `Malformed` (strict I-JSON).
//! - Nothing of the payload is read before the signature verified.
//!
//! # What is accepted of real-world variants (each noted in [`Lote::variants`])
//!
//! - The payload with the `LoTE` wrapper (`{"LoTE": {...}}`, V1.1.1) or
//!   without it (`ListAndSchemeInformation` and `TrustedEntitiesList` at the
//!   top level, as several pilot lists publish).
//! - Member names are those of TS 119 602; a member spelled with another
//!   ASCII casing (`ListIssueDatetime`, `nextUpdate`) is read in its place
//!   when the exact name is absent. Two spellings of one member in one
//!   object are `Malformed` (ambiguous).
//! - Leading and trailing ASCII whitespace around the compact JWS (a file's
//!   final newline) is ignored.
//! - An unsigned JSON list is never trusted (`Untrusted`).
//!
//! # Meaning
//!
//! - Each service's `ServiceTypeIdentifier` maps to a [`Capability`]: the EU
//!   profiles' `.../SvcType/<X>/Issuance` lets the entity issue `<X>`
//!   (PID, wallet unit attestations, relying-party access or registration
//!   certificates, Pub-EAA); `.../<X>/Revocation` lets it sign the status
//!   lists of `<X>`; anything else anchors nothing. On a list whose
//!   `LoTEType` is one of the EU profiles, a service type of another profile
//!   anchors nothing either (a PID providers list cannot make a wallet
//!   provider).
//! - `ServiceDigitalIdentity`: a CA certificate anchors chains (path
//!   validation); an end-entity certificate or a JWK is trusted directly; an
//!   `X509SubjectName` or `X509SKI` alone is never an anchor (TL-06).
//! - Status at a time `t` ([`LoteService::status_at`]): the current
//!   `ServiceInformation` applies from its `StatusStartingTime` (always, if it
//!   has none); before that, the `ServiceHistory` instance with the latest
//!   `StatusStartingTime` not after `t`; before all of them the service was
//!   not listed. A status URI whose last segment is `granted`, `notified`,
//!   `recognisedatnationallevel`, `accredited` or `undersupervision` is
//!   active; any other (`withdrawn`, `deprecatedatnationallevel`,
//!   `suspended`, unknown) is not. A service without `ServiceStatus` (the EU
//!   profiles, where being listed is being notified) is active (noted).
//! - Freshness: `ListIssueDateTime` after `now` + skew is `NotYetValid`;
//!   `NextUpdate` before `now` is `Policy` unless
//!   [`ListOptions::allow_stale`].
//! - `PointersToOtherLoTE`: each `LoTELocation` must be `https://` (`Policy`
//!   otherwise, TL-08); the pointers are returned, never followed here.

use super::ListOptions;
use crate::crypto::{
    sha256, verify_rsa_pkcs1, verify_signature, Algorithm, PublicKey, RsaHash, SignatureChecked,
    VerifyKey,
};
use crate::encoding::{b64_std_decode, b64u_decode, b64u_encode, parse_json_object};
use crate::error::{limit, malformed, not_yet_valid, policy, unsupported, untrusted, Result};
use crate::jose::public_key_from_jwk;
use crate::limits::{
    MAX_CERT_BYTES, MAX_CHAIN_CERTS, MAX_JOSE_HEADER_BYTES, MAX_JSON_BYTES, MAX_LOTE_BYTES,
    MAX_LOTE_ENTITIES, MAX_LOTE_HISTORY, MAX_LOTE_IDENTITIES, MAX_LOTE_POINTERS, MAX_LOTE_SERVICES,
};
use crate::time::{parse_rfc3339, UnixTime};
use crate::trust::x509::{validate_list_signer_chain, TrustAnchorCert};
use crate::x509::Certificate;
use serde_json::{Map, Value};

/// JWS header names registered by RFC 7515/7519; naming one in `crit` is an error.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];
/// Service status URIs (last segment) that mean the service may be relied on.
const ACTIVE_STATUSES: &[&str] = &[
    "granted",
    "notified",
    "recognisedatnationallevel",
    "accredited",
    "undersupervision",
];
const SVC_TYPE_PREFIX: &str = "http://uri.etsi.org/19602/SvcType/";
const LOTE_TYPE_PREFIX: &str = "http://uri.etsi.org/19602/LoTEType/";

/// What a listed service lets its entity do.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Issue what `Provision` names (its certificates anchor those issuers).
    Issuance(Provision),
    /// Sign the status lists (revocation) of what `Provision` names.
    Revocation(Provision),
    /// A register (registrars and registers list): anchors nothing.
    Register,
    /// A service type this library gives no meaning to: anchors nothing.
    Other,
}

/// The EU profiles of TS 119 602 (its annexes), by what they provide.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provision {
    /// Person identification data (PID providers list).
    Pid,
    /// Wallet solutions: wallet unit / instance attestations (wallet providers list).
    WalletSolution,
    /// Wallet-relying party access certificates (WRPAC providers list).
    RelyingPartyAccess,
    /// Wallet-relying party registration certificates (WRPRC providers list).
    RelyingPartyRegistration,
    /// Electronic attestations of attributes by public sector bodies.
    PubEaa,
}

impl Provision {
    fn from_segment(s: &str) -> Option<Self> {
        Some(match s {
            "PID" => Provision::Pid,
            "WalletSolution" => Provision::WalletSolution,
            "WRPAC" => Provision::RelyingPartyAccess,
            "WRPRC" => Provision::RelyingPartyRegistration,
            "PubEAA" => Provision::PubEaa,
            _ => return None,
        })
    }

    /// The EU `LoTEType` whose services are of this provision.
    fn from_lote_type(uri: &str) -> Option<Self> {
        Some(match uri.strip_prefix(LOTE_TYPE_PREFIX)? {
            "EUPIDProvidersList" => Provision::Pid,
            "EUWalletProvidersList" => Provision::WalletSolution,
            "EUWRPACProvidersList" => Provision::RelyingPartyAccess,
            "EUWRPRCProvidersList" => Provision::RelyingPartyRegistration,
            "EUPubEAAProvidersList" => Provision::PubEaa,
            _ => return None,
        })
    }
}

impl Capability {
    fn from_service_type(uri: &str) -> Self {
        let Some(rest) = uri.strip_prefix(SVC_TYPE_PREFIX) else {
            return Capability::Other;
        };
        if rest == "Register" {
            return Capability::Register;
        }
        match rest.split_once('/') {
            Some((p, "Issuance")) => {
                Provision::from_segment(p).map_or(Capability::Other, Capability::Issuance)
            }
            Some((p, "Revocation")) => {
                Provision::from_segment(p).map_or(Capability::Other, Capability::Revocation)
            }
            _ => Capability::Other,
        }
    }

    fn provision(self) -> Option<Provision> {
        match self {
            Capability::Issuance(p) | Capability::Revocation(p) => Some(p),
            _ => None,
        }
    }
}

/// The kind of one `ServiceDigitalIdentity` entry.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    /// A CA certificate: anchors chains (path validation).
    CaCertificate,
    /// An end-entity certificate: its key is trusted directly.
    EndEntityCertificate,
    /// A public key (JWK): trusted directly.
    PublicKey,
    /// An `X509SubjectName`, `X509SKI` or other identifier alone: never an
    /// anchor (TL-06).
    NameOnly,
}

/// One digital identity of a service.
#[derive(Clone, Debug)]
pub struct ListedIdentity {
    pub(super) kind: IdentityKind,
    pub(super) der: Option<Vec<u8>>,
    pub(super) subject: Option<String>,
    pub(super) key: Option<PublicKey>,
    pub(super) anchor: Option<TrustAnchorCert>,
}

impl ListedIdentity {
    /// What it is.
    pub fn kind(&self) -> IdentityKind {
        self.kind
    }
    /// The certificate, DER, for certificate identities.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.der.as_deref()
    }
    /// The certificate's subject, or the listed subject name.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }
    /// The key trusted directly (end-entity certificate or JWK), when its
    /// type is one we verify with (P-256, P-384, Ed25519).
    pub fn direct_key(&self) -> Option<&PublicKey> {
        match self.kind {
            IdentityKind::EndEntityCertificate | IdentityKind::PublicKey => self.key.as_ref(),
            _ => None,
        }
    }
}

/// A service's status at a time.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceStatus {
    /// The service may be relied on; the status URI, if the list gave one.
    Active(Option<String>),
    /// Withdrawn, deprecated, suspended or unknown: the status URI.
    Inactive(String),
    /// The time is before every status the list records for the service.
    NotListed,
}

/// One period of a service's status: from `start` on (always, if `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct StatusPeriod {
    pub(super) status: Option<String>,
    pub(super) start: Option<UnixTime>,
}

/// One service of a trusted entity.
#[derive(Clone, Debug)]
pub struct LoteService {
    pub(super) type_uri: String,
    pub(super) name: Option<String>,
    pub(super) capability: Capability,
    pub(super) identities: Vec<ListedIdentity>,
    pub(super) current: StatusPeriod,
    pub(super) history: Vec<StatusPeriod>,
}

impl LoteService {
    /// `ServiceTypeIdentifier`.
    pub fn type_uri(&self) -> &str {
        &self.type_uri
    }
    /// `ServiceName` (the first language given).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// What the service lets its entity do ([`Capability::Other`] if nothing).
    pub fn capability(&self) -> Capability {
        self.capability
    }
    /// The current `ServiceDigitalIdentity`.
    pub fn identities(&self) -> &[ListedIdentity] {
        &self.identities
    }
    /// The status at `t`, from the current information and the history.
    pub fn status_at(&self, t: UnixTime) -> ServiceStatus {
        let applies = |p: &StatusPeriod| p.start.is_none_or(|s| s <= t);
        let period = if applies(&self.current) {
            Some(&self.current)
        } else {
            self.history
                .iter()
                .filter(|p| applies(p))
                .max_by_key(|p| p.start)
        };
        match period {
            None => ServiceStatus::NotListed,
            Some(StatusPeriod { status: None, .. }) => ServiceStatus::Active(None),
            Some(StatusPeriod {
                status: Some(uri), ..
            }) => {
                let last = uri.rsplit('/').next().unwrap_or_default();
                if ACTIVE_STATUSES.contains(&last) {
                    ServiceStatus::Active(Some(uri.clone()))
                } else {
                    ServiceStatus::Inactive(uri.clone())
                }
            }
        }
    }
    /// Fails with `Untrusted` unless the service is active at `t` (TL-05).
    pub(crate) fn require_active_at(&self, t: UnixTime) -> Result<()> {
        match self.status_at(t) {
            ServiceStatus::Active(_) => Ok(()),
            ServiceStatus::Inactive(uri) => Err(untrusted(format!(
                "the listed service {:?} is {uri:?} at {}",
                self.type_uri,
                t.to_rfc3339()
            ))),
            ServiceStatus::NotListed => Err(untrusted(format!(
                "the service {:?} was not yet listed at {}",
                self.type_uri,
                t.to_rfc3339()
            ))),
        }
    }
    /// The CA certificates of the service, as anchors (never name-only entries).
    #[cfg_attr(not(test), allow(dead_code))] // used by the unit tests only
    pub(crate) fn anchors(&self) -> Vec<TrustAnchorCert> {
        self.identities
            .iter()
            .filter_map(|i| i.anchor.clone())
            .collect()
    }
}

/// One trusted entity and its services.
#[derive(Clone, Debug)]
pub struct LoteEntity {
    pub(super) name: Option<String>,
    pub(super) services: Vec<LoteService>,
}

impl LoteEntity {
    /// `TEName` (the first language given).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// `TrustedEntityServices`.
    pub fn services(&self) -> &[LoteService] {
        &self.services
    }
}

/// A pointer to another LoTE (never followed here).
#[derive(Clone, Debug)]
pub struct LotePointer {
    pub(super) location: String,
    pub(super) lote_type: Option<String>,
    pub(super) signers: Vec<ListedIdentity>,
}

impl LotePointer {
    /// `LoTELocation` (https).
    pub fn location(&self) -> &str {
        &self.location
    }
    /// The `LoTEType` its qualifiers announce, if any.
    pub fn lote_type(&self) -> Option<&str> {
        self.lote_type.as_deref()
    }
    /// The identities announced for the pointed list's signer.
    pub fn signers(&self) -> &[ListedIdentity] {
        &self.signers
    }
    pub(crate) fn signers_all(&self) -> &[ListedIdentity] {
        &self.signers
    }
}

/// Who signed a list, and the configured anchor that vouched for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerInfo {
    /// The signer certificate's subject.
    pub subject: String,
    /// The list anchor's subject.
    pub anchor: String,
}

/// A LoTE whose JAdES signature and signer chain were checked.
#[derive(Clone, Debug)]
pub struct Lote {
    pub(super) version: Option<u64>,
    pub(super) sequence_number: Option<u64>,
    pub(super) lote_type: Option<String>,
    pub(super) operator_name: Option<String>,
    pub(super) territory: Option<String>,
    pub(super) issued: UnixTime,
    pub(super) next_update: Option<UnixTime>,
    pub(super) signed_at: Option<UnixTime>,
    pub(super) signer: SignerInfo,
    pub(super) variants: Vec<String>,
    pub(super) entities: Vec<LoteEntity>,
    pub(super) pointers: Vec<LotePointer>,
}

impl Lote {
    /// `LoTEVersionIdentifier`.
    pub fn version(&self) -> Option<u64> {
        self.version
    }
    /// `LoTESequenceNumber` (must not go backwards on refresh).
    pub fn sequence_number(&self) -> Option<u64> {
        self.sequence_number
    }
    /// `LoTEType`.
    pub fn lote_type(&self) -> Option<&str> {
        self.lote_type.as_deref()
    }
    /// `SchemeOperatorName` (the first language given).
    pub fn operator_name(&self) -> Option<&str> {
        self.operator_name.as_deref()
    }
    /// `SchemeTerritory`.
    pub fn territory(&self) -> Option<&str> {
        self.territory.as_deref()
    }
    /// `ListIssueDateTime`.
    pub fn issued(&self) -> UnixTime {
        self.issued
    }
    /// `NextUpdate`.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }
    /// `sigT`, the signing time the signer claims.
    pub fn signed_at(&self) -> Option<UnixTime> {
        self.signed_at
    }
    /// Who signed the list.
    pub fn signer(&self) -> &SignerInfo {
        &self.signer
    }
    /// The departures from TS 119 602 / TS 119 182-1 this list needed.
    pub fn variants(&self) -> &[String] {
        &self.variants
    }
    /// `TrustedEntitiesList`.
    pub fn entities(&self) -> &[LoteEntity] {
        &self.entities
    }
    /// `PointersToOtherLoTE`.
    pub fn pointers(&self) -> &[LotePointer] {
        &self.pointers
    }
    /// Fails with `Policy` when `newer`, a refreshed copy of this list,
    /// goes backwards: a lower `LoTESequenceNumber`, or an earlier
    /// `ListIssueDateTime` (a replayed older list). The same number with
    /// different content is not detected here.
    pub fn check_successor(&self, newer: &Lote) -> Result<()> {
        if let (Some(old), Some(new)) = (self.sequence_number, newer.sequence_number) {
            if new < old {
                return Err(policy(format!(
                    "LoTE: refreshed list has LoTESequenceNumber {new}, below the {old} already seen"
                )));
            }
        }
        if newer.issued < self.issued {
            return Err(policy(
                "LoTE: refreshed list was issued before the one already seen",
            ));
        }
        Ok(())
    }

    /// The services granting `capability` that are active at `t`, with their entity.
    pub fn services_at(
        &self,
        capability: Capability,
        t: UnixTime,
    ) -> Vec<(&LoteEntity, &LoteService)> {
        self.entities
            .iter()
            .flat_map(|e| e.services.iter().map(move |s| (e, s)))
            .filter(|(_, s)| s.capability == capability && s.require_active_at(t).is_ok())
            .collect()
    }
}

// ---------------------------------------------------------------------------
// The JAdES envelope.

/// Checks a LoTE given as compact JAdES text against `anchors` at `now`.
pub(crate) fn check_lote(
    text: &str,
    anchors: &[TrustAnchorCert],
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    check_lote_signed_by(text, SignerTrust::Anchors(anchors), now, opts)
}

/// Checks a LoTE that `pointer` (of an already checked LoTE) points to: its
/// signer must be one of the certificates the pointer announces (the same
/// certificate, trusted directly within its validity period), or chain to
/// an announced CA (TL-03's rule, for LoTE pointers). Announced keys, names
/// and SKIs alone never vouch for a signer.
pub(crate) fn check_pointed_lote(
    text: &str,
    pointer: &LotePointer,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    check_lote_signed_by(text, SignerTrust::Announced(&pointer.signers), now, opts)
}

/// Who may sign a list.
#[derive(Clone, Copy)]
pub(crate) enum SignerTrust<'a> {
    /// Configured list anchors (path validation).
    Anchors(&'a [TrustAnchorCert]),
    /// The identities a pointer announces.
    Announced(&'a [ListedIdentity]),
}

/// The signature algorithm of a list: JAdES `alg` or XML-DSig
/// `SignatureMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListAlg {
    /// ES256, ES384, EdDSA.
    Ec(Algorithm),
    /// RSA PKCS #1 v1.5 (JAdES RS256 / RS384 / RS512, XML-DSig
    /// `rsa-sha256` / `-sha384` / `-sha512`).
    Rsa(RsaHash),
}

impl ListAlg {
    /// A JAdES `alg`: ES256, ES384, EdDSA, RS256, RS384 or RS512 (PS*,
    /// `none`, HMAC and unknown names are `Unsupported`).
    pub(crate) fn from_jose(name: &str) -> Result<Self> {
        match name {
            "RS256" => Ok(ListAlg::Rsa(RsaHash::Sha256)),
            "RS384" => Ok(ListAlg::Rsa(RsaHash::Sha384)),
            "RS512" => Ok(ListAlg::Rsa(RsaHash::Sha512)),
            other => Algorithm::from_jose(other).map(ListAlg::Ec),
        }
    }
}

/// Verifies a list's signature with its trusted signer's key; an algorithm
/// of the other family than the key is a `Signature` failure.
pub(crate) fn verify_list_signature(
    alg: ListAlg,
    key: &VerifyKey,
    message: &[u8],
    sig: &[u8],
) -> Result<SignatureChecked> {
    match (alg, key) {
        (ListAlg::Ec(a), VerifyKey::Ec(k)) => verify_signature(a, k, message, sig),
        (ListAlg::Rsa(h), VerifyKey::Rsa(k)) => verify_rsa_pkcs1(h, k, message, sig),
        (ListAlg::Ec(_), VerifyKey::Rsa(_)) => Err(crate::error::signature(
            "an ECDSA/EdDSA signature method with an RSA signer key",
        )),
        (ListAlg::Rsa(_), VerifyKey::Ec(_)) => Err(crate::error::signature(
            "an RSA signature method with an EC/Ed25519 signer key",
        )),
    }
}

/// The signer of a list, once trusted: its key, subject and voucher.
pub(crate) struct TrustedSigner {
    pub(crate) key: VerifyKey,
    pub(crate) subject: String,
    pub(crate) anchor: String,
}

pub(crate) fn trust_signer(
    chain: &[Vec<u8>],
    trust: SignerTrust<'_>,
    now: UnixTime,
) -> Result<TrustedSigner> {
    let anchors: Vec<TrustAnchorCert> = match trust {
        SignerTrust::Anchors(a) => a.to_vec(),
        SignerTrust::Announced(ids) => {
            let leaf = chain
                .first()
                .ok_or_else(|| malformed("LoTE: x5c is empty"))?;
            if ids
                .iter()
                .any(|i| i.der.as_deref() == Some(leaf.as_slice()))
            {
                let cert = Certificate::from_der(leaf)?;
                let (nb, na) = cert.validity()?;
                if now < nb {
                    return Err(crate::error::not_yet_valid(
                        "LoTE signer: the announced certificate is not yet valid",
                    ));
                }
                if now > na {
                    return Err(crate::error::expired(
                        "LoTE signer: the announced certificate has expired",
                    ));
                }
                return Ok(TrustedSigner {
                    key: cert.signature_key()?,
                    subject: cert.subject().to_owned(),
                    anchor: format!("{} (announced by the pointing list)", cert.subject()),
                });
            }
            ids.iter().filter_map(|i| i.anchor.clone()).collect()
        }
    };
    if anchors.is_empty() {
        return Err(untrusted(
            "LoTE: no list anchor is configured or announced for this list",
        ));
    }
    let leaf =
        validate_list_signer_chain(chain, &anchors, now).map_err(|e| e.context("LoTE signer"))?;
    Ok(TrustedSigner {
        key: leaf.public_key,
        subject: leaf.subject,
        anchor: leaf.anchor_subject,
    })
}

fn check_lote_signed_by(
    text: &str,
    trust: SignerTrust<'_>,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    if text.len() > MAX_LOTE_BYTES {
        return Err(limit(format!(
            "LoTE of {} bytes exceeds the limit of {MAX_LOTE_BYTES}",
            text.len()
        )));
    }
    let mut variants = Vec::new();
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.len() != text.len() {
        variants.push("whitespace around the compact JWS ignored".to_owned());
    }
    if trimmed.starts_with('{') {
        return Err(untrusted(
            "LoTE: an unsigned JSON list is never trusted (expected compact JAdES)",
        ));
    }
    let mut parts = trimmed.split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => return Err(malformed("LoTE: a compact JWS has exactly 3 segments")),
    };
    let header_bytes = b64u_decode(h, MAX_JOSE_HEADER_BYTES, "LoTE JWS header")?;
    let header = parse_json_object(&header_bytes, "LoTE JWS header")?;
    let alg = match header.get("alg") {
        Some(Value::String(a)) => ListAlg::from_jose(a)?,
        Some(_) => return Err(malformed("LoTE: JWS alg is not a string")),
        None => return Err(malformed("LoTE: JWS header has no alg")),
    };
    check_crit(&header)?;
    for name in ["sigD", "b64"] {
        if header.contains_key(name) {
            return Err(unsupported(format!(
                "LoTE: JAdES {name:?} is not supported (compact, attached payload only)"
            )));
        }
    }
    for name in ["typ", "cty"] {
        if header.get(name).is_some_and(|v| !v.is_string()) {
            return Err(malformed(format!("LoTE: JWS {name} is not a string")));
        }
    }
    let chain = match header.get("x5c") {
        Some(v) => x5c(v)?,
        None => {
            return Err(untrusted(
                "LoTE: the JWS header has no x5c, so no signer certificate to check",
            ))
        }
    };
    let leaf_der = chain
        .first()
        .ok_or_else(|| malformed("LoTE: x5c is empty"))?;
    if let Some(t) = header.get("x5t#S256") {
        let t = t
            .as_str()
            .ok_or_else(|| malformed("LoTE: x5t#S256 is not a string"))?;
        if t != b64u_encode(sha256(leaf_der)) {
            return Err(malformed(
                "LoTE: x5t#S256 is not the SHA-256 of the x5c signer certificate",
            ));
        }
    }
    let signed_at = match header.get("sigT") {
        Some(v) => {
            let t = v
                .as_str()
                .and_then(parse_rfc3339)
                .ok_or_else(|| malformed("LoTE: JAdES sigT is not an RFC 3339 time"))?;
            if t.as_secs() > now.as_secs().saturating_add(opts.skew) {
                return Err(not_yet_valid(format!(
                    "LoTE: signed at {} (sigT), after the time judged {}",
                    t.to_rfc3339(),
                    now.to_rfc3339()
                )));
            }
            Some(t)
        }
        None => {
            variants.push("JAdES sigT absent".to_owned());
            None
        }
    };
    let leaf = trust_signer(&chain, trust, now)?;
    let signature = b64u_decode(s, 1024, "LoTE JWS signature")?;
    let input = trimmed
        .get(..h.len().saturating_add(1).saturating_add(p.len()))
        .ok_or_else(|| malformed("LoTE: signing input out of range"))?;
    let _checked = verify_list_signature(alg, &leaf.key, input.as_bytes(), &signature)
        .map_err(|e| e.context("LoTE signature"))?;

    // Only now is the payload read.
    let payload_bytes = b64u_decode(p, MAX_JSON_BYTES / 3 * 4 + 4, "LoTE payload")?;
    let payload = parse_json_object(&payload_bytes, "LoTE payload")?;
    let signer = SignerInfo {
        subject: leaf.subject,
        anchor: leaf.anchor,
    };
    read_lote(&payload, signer, signed_at, variants, now, opts)
}

fn check_crit(header: &Map<String, Value>) -> Result<()> {
    let Some(c) = header.get("crit") else {
        return Ok(());
    };
    let list = c
        .as_array()
        .ok_or_else(|| malformed("LoTE: crit is not an array"))?;
    if list.is_empty() {
        return Err(malformed("LoTE: crit is empty"));
    }
    let mut seen: Vec<&str> = Vec::with_capacity(list.len());
    for e in list {
        let name = e
            .as_str()
            .ok_or_else(|| malformed("LoTE: crit entry is not a string"))?;
        if seen.contains(&name) {
            return Err(malformed(format!("LoTE: crit lists {name:?} twice")));
        }
        seen.push(name);
        if REGISTERED.contains(&name) {
            return Err(malformed(format!(
                "LoTE: crit names the registered parameter {name:?}"
            )));
        }
        if !header.contains_key(name) {
            return Err(malformed(format!(
                "LoTE: crit names {name:?}, which the header lacks"
            )));
        }
        if name != "sigT" {
            return Err(unsupported(format!(
                "LoTE: critical header parameter {:?} is not understood",
                crate::crypto::clip(name)
            )));
        }
    }
    Ok(())
}

fn x5c(v: &Value) -> Result<Vec<Vec<u8>>> {
    let arr = v
        .as_array()
        .ok_or_else(|| malformed("LoTE: x5c is not an array"))?;
    if arr.is_empty() {
        return Err(malformed("LoTE: x5c is empty"));
    }
    if arr.len() > MAX_CHAIN_CERTS {
        return Err(limit(format!(
            "LoTE: x5c holds more than {MAX_CHAIN_CERTS} certificates"
        )));
    }
    arr.iter()
        .map(|c| {
            let s = c
                .as_str()
                .ok_or_else(|| malformed("LoTE: x5c entry is not a string"))?;
            b64_std_decode(s, MAX_CERT_BYTES / 3 * 4 + 4, "LoTE x5c entry")
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The payload.

/// Member lookup: the exact TS 119 602 name, else one other ASCII casing of
/// it (noted in `variants`); two spellings present is `Malformed`.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    what: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, what: &str) -> Result<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                what: what.to_owned(),
            }),
            _ => Err(malformed(format!("LoTE: {what} is not an object"))),
        }
    }

    fn get(&self, name: &str, variants: &mut Vec<String>) -> Result<Option<&'a Value>> {
        let mut found: Option<(&str, &'a Value)> = None;
        for (k, v) in self.map {
            if k.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(malformed(format!(
                        "LoTE: {} spells {name:?} in two ways",
                        self.what
                    )));
                }
                found = Some((k.as_str(), v));
            }
        }
        Ok(match found {
            Some((k, v)) => {
                if k != name {
                    let note = format!("{k:?} read as {name:?}");
                    if !variants.contains(&note) {
                        variants.push(note);
                    }
                }
                Some(v)
            }
            None => None,
        })
    }

    fn req(&self, name: &str, variants: &mut Vec<String>) -> Result<&'a Value> {
        self.get(name, variants)?
            .ok_or_else(|| malformed(format!("LoTE: {} has no {name}", self.what)))
    }

    fn opt_str(&self, name: &str, variants: &mut Vec<String>) -> Result<Option<&'a str>> {
        match self.get(name, variants)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(malformed(format!(
                "LoTE: {} {name} is not a string",
                self.what
            ))),
        }
    }

    fn opt_time(&self, name: &str, variants: &mut Vec<String>) -> Result<Option<UnixTime>> {
        match self.opt_str(name, variants)? {
            None => Ok(None),
            Some(s) => parse_rfc3339(s).map(Some).ok_or_else(|| {
                malformed(format!(
                    "LoTE: {} {name} is not an RFC 3339 time",
                    self.what
                ))
            }),
        }
    }

    fn opt_uint(&self, name: &str, variants: &mut Vec<String>) -> Result<Option<u64>> {
        match self.get(name, variants)? {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                malformed(format!(
                    "LoTE: {} {name} is not an unsigned integer",
                    self.what
                ))
            }),
        }
    }

    fn opt_array(&self, name: &str, max: usize, variants: &mut Vec<String>) -> Result<&'a [Value]> {
        match self.get(name, variants)? {
            None => Ok(&[]),
            Some(Value::Array(a)) => {
                if a.len() > max {
                    return Err(limit(format!(
                        "LoTE: {} {name} has {} entries, over the limit of {max}",
                        self.what,
                        a.len()
                    )));
                }
                Ok(a)
            }
            Some(_) => Err(malformed(format!(
                "LoTE: {} {name} is not an array",
                self.what
            ))),
        }
    }

    /// A multilingual string array (`[{"lang", "value"}]`): the first value.
    fn first_lang(&self, name: &str, variants: &mut Vec<String>) -> Result<Option<String>> {
        let arr = self.opt_array(name, MAX_LOTE_IDENTITIES, variants)?;
        match arr.first() {
            None => Ok(None),
            Some(v) => {
                let o = Obj::new(v, &format!("{} {name}", self.what))?;
                Ok(o.opt_str("value", variants)?.map(str::to_owned))
            }
        }
    }
}

pub(crate) fn read_lote(
    payload: &Map<String, Value>,
    signer: SignerInfo,
    signed_at: Option<UnixTime>,
    mut variants: Vec<String>,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    let top = Obj {
        map: payload,
        what: "payload".to_owned(),
    };
    let lote = match top.get("LoTE", &mut variants)? {
        Some(v) => Obj::new(v, "LoTE")?,
        None => {
            if top
                .get("ListAndSchemeInformation", &mut variants)?
                .is_none()
            {
                return Err(malformed(
                    "LoTE: the payload has neither LoTE nor ListAndSchemeInformation",
                ));
            }
            variants.push("no LoTE wrapper".to_owned());
            top
        }
    };
    let info = Obj::new(
        lote.req("ListAndSchemeInformation", &mut variants)?,
        "ListAndSchemeInformation",
    )?;
    let v = &mut variants;
    let version = info.opt_uint("LoTEVersionIdentifier", v)?;
    let sequence_number = info.opt_uint("LoTESequenceNumber", v)?;
    let lote_type = info.opt_str("LoTEType", v)?.map(str::to_owned);
    let operator_name = info.first_lang("SchemeOperatorName", v)?;
    let territory = info.opt_str("SchemeTerritory", v)?.map(str::to_owned);
    let issued = info
        .opt_time("ListIssueDateTime", v)?
        .ok_or_else(|| malformed("LoTE: ListAndSchemeInformation has no ListIssueDateTime"))?;
    let next_update = info.opt_time("NextUpdate", v)?;
    if issued.as_secs() > now.as_secs().saturating_add(opts.skew) {
        return Err(not_yet_valid(format!(
            "LoTE: issued at {} (ListIssueDateTime), after the time judged {}",
            issued.to_rfc3339(),
            now.to_rfc3339()
        )));
    }
    if let Some(next) = next_update {
        if next < now && !opts.allow_stale {
            return Err(policy(format!(
                "LoTE: stale, its NextUpdate {} is before the time judged {}",
                next.to_rfc3339(),
                now.to_rfc3339()
            )));
        }
    }
    let mut pointers = Vec::new();
    for (i, p) in info
        .opt_array("PointersToOtherLoTE", MAX_LOTE_POINTERS, v)?
        .iter()
        .enumerate()
    {
        pointers.push(read_pointer(p, i, v)?);
    }
    let profile = lote_type.as_deref().and_then(Provision::from_lote_type);

    let mut entities = Vec::new();
    let mut services_seen: usize = 0;
    for (i, e) in lote
        .opt_array("TrustedEntitiesList", MAX_LOTE_ENTITIES, v)?
        .iter()
        .enumerate()
    {
        let what = format!("TrustedEntitiesList[{i}]");
        let e = Obj::new(e, &what)?;
        let name = match e.get("TrustedEntityInformation", v)? {
            Some(ti) => Obj::new(ti, &format!("{what} TrustedEntityInformation"))?
                .first_lang("TEName", v)?,
            None => None,
        };
        let list = e.opt_array("TrustedEntityServices", MAX_LOTE_SERVICES, v)?;
        services_seen = services_seen.saturating_add(list.len());
        if services_seen > MAX_LOTE_SERVICES {
            return Err(limit(format!(
                "LoTE: more than {MAX_LOTE_SERVICES} services in all"
            )));
        }
        let mut services = Vec::with_capacity(list.len());
        for (j, s) in list.iter().enumerate() {
            services.push(read_service(s, &format!("{what} service {j}"), profile, v)?);
        }
        entities.push(LoteEntity { name, services });
    }
    Ok(Lote {
        version,
        sequence_number,
        lote_type,
        operator_name,
        territory,
        issued,
        next_update,
        signed_at,
        signer,
        variants,
        entities,
        pointers,
    })
}

fn read_pointer(p: &Value, i: usize, v: &mut Vec<String>) -> Result<LotePointer> {
    let what = format!("PointersToOtherLoTE[{i}]");
    let o = Obj::new(p, &what)?;
    let location = o
        .opt_str("LoTELocation", v)?
        .ok_or_else(|| malformed(format!("LoTE: {what} has no LoTELocation")))?;
    if !location.starts_with("https://") {
        return Err(policy(format!(
            "LoTE: {what} points to {:?}; only https locations are fetched",
            crate::crypto::clip(location)
        )));
    }
    let mut signers = Vec::new();
    for (k, sdi) in o
        .opt_array("ServiceDigitalIdentities", MAX_LOTE_IDENTITIES, v)?
        .iter()
        .enumerate()
    {
        signers.extend(read_identity(sdi, &format!("{what} identity {k}"), v)?);
    }
    let mut lote_type = None;
    for q in o.opt_array("LoTEQualifiers", MAX_LOTE_IDENTITIES, v)? {
        let q = Obj::new(q, &format!("{what} LoTEQualifiers"))?;
        if let Some(t) = q.opt_str("LoTEType", v)? {
            lote_type = Some(t.to_owned());
        }
    }
    Ok(LotePointer {
        location: location.to_owned(),
        lote_type,
        signers,
    })
}

fn read_service(
    s: &Value,
    what: &str,
    profile: Option<Provision>,
    v: &mut Vec<String>,
) -> Result<LoteService> {
    let s = Obj::new(s, what)?;
    let info = Obj::new(
        s.req("ServiceInformation", v)?,
        &format!("{what} ServiceInformation"),
    )?;
    let type_uri = info
        .opt_str("ServiceTypeIdentifier", v)?
        .ok_or_else(|| malformed(format!("LoTE: {what} has no ServiceTypeIdentifier")))?
        .to_owned();
    let mut capability = Capability::from_service_type(&type_uri);
    if let (Some(list), Some(svc)) = (profile, capability.provision()) {
        if list != svc {
            // A PID providers list cannot make a wallet provider.
            capability = Capability::Other;
        }
    }
    let name = info.first_lang("ServiceName", v)?;
    let identities = match info.get("ServiceDigitalIdentity", v)? {
        Some(sdi) => read_identity(sdi, &format!("{what} ServiceDigitalIdentity"), v)?,
        None => Vec::new(),
    };
    let current = period(&info, v)?;
    if current.status.is_none() {
        let note = "ServiceStatus absent: listed means active".to_owned();
        if !v.contains(&note) {
            v.push(note);
        }
    }
    let mut history = Vec::new();
    for (k, h) in s
        .opt_array("ServiceHistory", MAX_LOTE_HISTORY, v)?
        .iter()
        .enumerate()
    {
        let h = Obj::new(h, &format!("{what} ServiceHistory[{k}]"))?;
        let p = period(&h, v)?;
        if p.start.is_none() || p.status.is_none() {
            return Err(malformed(format!(
                "LoTE: {what} ServiceHistory[{k}] needs ServiceStatus and StatusStartingTime"
            )));
        }
        history.push(p);
    }
    Ok(LoteService {
        type_uri,
        name,
        capability,
        identities,
        current,
        history,
    })
}

fn period(o: &Obj<'_>, v: &mut Vec<String>) -> Result<StatusPeriod> {
    Ok(StatusPeriod {
        status: o.opt_str("ServiceStatus", v)?.map(str::to_owned),
        start: o.opt_time("StatusStartingTime", v)?,
    })
}

/// A listed certificate: a CA anchors chains, an end-entity certificate is
/// trusted directly.
pub(crate) fn cert_identity(der: Vec<u8>, what: &str) -> Result<ListedIdentity> {
    let cert = Certificate::from_der(&der).map_err(|e| e.context(what))?;
    Ok(match TrustAnchorCert::from_der(der.clone()) {
        Ok(anchor) => ListedIdentity {
            kind: IdentityKind::CaCertificate,
            subject: Some(cert.subject().to_owned()),
            key: None,
            anchor: Some(anchor),
            der: Some(der),
        },
        Err(_) => ListedIdentity {
            kind: IdentityKind::EndEntityCertificate,
            subject: Some(cert.subject().to_owned()),
            key: cert.subject_public_key().ok(),
            anchor: None,
            der: Some(der),
        },
    })
}

/// One `ServiceDigitalIdentity` object: its certificates, keys and names.
fn read_identity(sdi: &Value, what: &str, v: &mut Vec<String>) -> Result<Vec<ListedIdentity>> {
    let o = Obj::new(sdi, what)?;
    let mut out = Vec::new();
    let certs = o.opt_array("X509Certificates", MAX_LOTE_IDENTITIES, v)?;
    let keys = o.opt_array("PublicKeyValues", MAX_LOTE_IDENTITIES, v)?;
    let names = o.opt_array("X509SubjectNames", MAX_LOTE_IDENTITIES, v)?;
    let skis = o.opt_array("X509SKIs", MAX_LOTE_IDENTITIES, v)?;
    let others = o.opt_array("OtherIds", MAX_LOTE_IDENTITIES, v)?;
    let total = certs
        .len()
        .saturating_add(keys.len())
        .saturating_add(names.len())
        .saturating_add(skis.len())
        .saturating_add(others.len());
    if total > MAX_LOTE_IDENTITIES {
        return Err(limit(format!(
            "LoTE: {what} has {total} identities, over the limit of {MAX_LOTE_IDENTITIES}"
        )));
    }
    for (i, c) in certs.iter().enumerate() {
        let cw = format!("{what} X509Certificates[{i}]");
        // A PKIObject (`{"val": base64}`), or the base64 text itself.
        let text = match c {
            Value::String(s) => s.as_str(),
            other => Obj::new(other, &cw)?
                .opt_str("val", v)?
                .ok_or_else(|| malformed(format!("LoTE: {cw} has no val")))?,
        };
        let der = b64_std_decode(text, MAX_CERT_BYTES / 3 * 4 + 4, &cw)?;
        out.push(cert_identity(der, &cw)?);
    }
    for (i, k) in keys.iter().enumerate() {
        let kw = format!("{what} PublicKeyValues[{i}]");
        let Value::Object(jwk) = k else {
            return Err(malformed(format!("LoTE: {kw} is not a JWK object")));
        };
        let key = public_key_from_jwk(jwk).map_err(|e| e.context(&kw))?;
        out.push(ListedIdentity {
            kind: IdentityKind::PublicKey,
            der: None,
            subject: None,
            key: Some(key),
            anchor: None,
        });
    }
    for n in names.iter().chain(skis).chain(others) {
        out.push(ListedIdentity {
            kind: IdentityKind::NameOnly,
            der: None,
            subject: n.as_str().map(str::to_owned),
            key: None,
            anchor: None,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// JSON view (for `passerelle trust inspect`).

impl Capability {
    /// A stable name: `issuance:pid`, `revocation:wallet_solution`,
    /// `register`, `other`.
    pub fn name(self) -> String {
        let p = |p: Provision| match p {
            Provision::Pid => "pid",
            Provision::WalletSolution => "wallet_solution",
            Provision::RelyingPartyAccess => "relying_party_access",
            Provision::RelyingPartyRegistration => "relying_party_registration",
            Provision::PubEaa => "pub_eaa",
        };
        match self {
            Capability::Issuance(x) => format!("issuance:{}", p(x)),
            Capability::Revocation(x) => format!("revocation:{}", p(x)),
            Capability::Register => "register".to_owned(),
            Capability::Other => "other".to_owned(),
        }
    }
}

fn identity_json(i: &ListedIdentity) -> Value {
    let kind = match i.kind {
        IdentityKind::CaCertificate => "ca_certificate",
        IdentityKind::EndEntityCertificate => "end_entity_certificate",
        IdentityKind::PublicKey => "public_key",
        IdentityKind::NameOnly => "name_only",
    };
    serde_json::json!({
        "kind": kind,
        "subject": i.subject,
        "certificate": i.der.as_deref().map(crate::encoding::b64_std_encode),
        "jwk": i.key.as_ref().map(|k| Value::Object(crate::jose::public_jwk(k))),
    })
}

impl Lote {
    /// What the list says, as JSON, with each service's status at `at`.
    pub fn to_json(&self, at: UnixTime) -> Value {
        use serde_json::json;
        let status = |s: &LoteService| match s.status_at(at) {
            ServiceStatus::Active(uri) => json!({"state": "active", "uri": uri}),
            ServiceStatus::Inactive(uri) => json!({"state": "inactive", "uri": uri}),
            ServiceStatus::NotListed => json!({"state": "not_listed"}),
        };
        json!({
            "list": "lote",
            "version": self.version,
            "sequence_number": self.sequence_number,
            "lote_type": self.lote_type,
            "operator": self.operator_name,
            "territory": self.territory,
            "issued": self.issued.to_rfc3339(),
            "next_update": self.next_update.map(UnixTime::to_rfc3339),
            "signed_at": self.signed_at.map(UnixTime::to_rfc3339),
            "signer": {"subject": self.signer.subject, "anchor": self.signer.anchor},
            "variants": self.variants,
            "judged_at": at.to_rfc3339(),
            "entities": self.entities.iter().map(|e| json!({
                "name": e.name,
                "services": e.services.iter().map(|s| json!({
                    "type": s.type_uri,
                    "name": s.name,
                    "capability": s.capability.name(),
                    "status": status(s),
                    "identities": s.identities.iter().map(identity_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "pointers": self.pointers.iter().map(|p| json!({
                "location": p.location,
                "lote_type": p.lote_type,
                "signers": p.signers.iter().map(identity_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}
