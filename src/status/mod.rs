//! Revocation and suspension status.
//!
//! The verifier checks a credential's status against the lists the host hands
//! in ([`StatusListSource`], [`StatusLists`], [`StatusListCache`]); the checks
//! themselves (trust in the list, freshness, the value) run in the verifier,
//! which knows who vouched for the credential. A list that could not be
//! learned is [`Status::Undetermined`] (when the policy accepts that), never
//! revoked.
//!
//! The decoding and encoding core (pure functions, no verifier integration yet):
//! - `inflate`: bounded zlib (RFC 1950) and gzip (RFC 1952), framing parsed
//!   strictly here, raw DEFLATE through `miniz_oxide` into a bounded output;
//! - `token`: IETF Token Status List — the list, its JWT and CWT tokens
//!   (unverified, keeping the JWS / COSE message), the referenced token's
//!   `status`, the ISO 18013-5 identifier list CWT; issuer-side encoding and signing;
//! - `bitstring`: W3C Bitstring Status List v1.0 — `BitstringStatusListEntry`
//!   and the list credential's subject; encoding;
//! - `permutation`: a keyed permutation of `[0, size)` for index allocation.
//!
//! Reachable from outside the crate only through `passerelle::internal::status`
//! (hidden, no stability promise) until the verifier and issuer use them.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bitstring;
mod inflate;
mod permutation;
mod token;

pub use bitstring::{
    BitstringList, BitstringStatusEntry, BitstringStatusList, StatusMessage, MIN_BITSTRING_ENTRIES,
};
pub use permutation::IndexPermutation;
pub(crate) use token::parse_status_claim_cbor;
pub use token::{
    parse_status_claim_cbor_bytes, parse_status_claim_json, parse_status_list_aggregation,
    referenced_cwt_status, sign_status_list_cwt, sign_status_list_jwt, IdentifierListClaims,
    IdentifierListRef, StatusBits, StatusClaim, StatusList, StatusListClaims, StatusListRef,
    UnverifiedIdentifierListCwt, UnverifiedStatusListCwt, UnverifiedStatusListJwt,
    IDENTIFIERLIST_CWT_TYP, STATUSLIST_CWT_TYP, STATUSLIST_JWT_TYP,
};

/// The inflate / gzip entry points, for the fuzzers and the tests.
pub mod compression {
    pub use super::inflate::{gzip_compress, gzip_decompress, zlib_compress, zlib_decompress};
}

use crate::error::{malformed, Result};
use serde_json::{json, Map, Value};

/// What a Token Status List value means (draft-ietf-oauth-status-list, Status
/// Types registry): 0 valid, 1 invalid (revoked), 2 suspended, 3 and 0x0C–0x0F
/// application-specific (the relying party's policy decides), all others reserved.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenStatus {
    /// 0x00 `VALID`.
    Valid,
    /// 0x01 `INVALID`: revoked, permanently.
    Invalid,
    /// 0x02 `SUSPENDED`: temporarily invalid.
    Suspended,
    /// 0x03 or 0x0C–0x0F: application-specific.
    ApplicationSpecific(u8),
    /// Any other value: reserved by the registry.
    Reserved(u8),
}

impl TokenStatus {
    /// The meaning of a status value.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => TokenStatus::Valid,
            1 => TokenStatus::Invalid,
            2 => TokenStatus::Suspended,
            3 | 0x0c..=0x0f => TokenStatus::ApplicationSpecific(v),
            _ => TokenStatus::Reserved(v),
        }
    }

    /// The status value.
    pub fn value(self) -> u8 {
        match self {
            TokenStatus::Valid => 0,
            TokenStatus::Invalid => 1,
            TokenStatus::Suspended => 2,
            TokenStatus::ApplicationSpecific(v) | TokenStatus::Reserved(v) => v,
        }
    }
}

/// Where a credential's status is published.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusReference {
    /// IETF Token Status List: `status.status_list = {idx, uri}` (JSON, CWT
    /// claim 65535, or the mdoc MSO `status`).
    TokenStatusList {
        /// The status list token's URI.
        uri: String,
        /// The credential's index in the list.
        index: u64,
    },
    /// ISO 18013-5 identifier list (mdoc MSO `status.identifier_list`).
    IdentifierList {
        /// The identifier list's URI.
        uri: String,
        /// The document's identifier in it.
        id: Vec<u8>,
    },
    /// W3C Bitstring Status List: one `BitstringStatusListEntry`.
    Bitstring {
        /// The `statusListCredential` URL.
        uri: String,
        /// `statusListIndex`.
        index: u64,
        /// `statusPurpose` (revocation, suspension, message, ...).
        purpose: String,
    },
    /// A status mechanism this version does not interpret, kept as JSON.
    Other(Value),
}

/// The status outcome of a verification.
///
/// A credential whose list says revoked or suspended fails verification
/// (kinds `Revoked` / `Suspended`), so a result never carries those; a
/// failure to learn the status fails with its cause's kind unless the policy
/// accepts undetermined status, and is then `Undetermined` — never revoked.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The credential names no status mechanism.
    Absent,
    /// The credential names a status list, which was not checked (no list was
    /// supplied and the policy did not require one).
    NotChecked(StatusReference),
    /// The list, trusted and fresh, says valid.
    Valid(StatusReference),
    /// The list says an application-specific value (Token Status List 3,
    /// 0x0C–0x0F) that the policy accepts.
    ApplicationSpecific(StatusReference, u8),
    /// The status could not be learned (list missing while required, stale,
    /// expired, out of range, undecodable or untrusted) and the policy accepts
    /// that: no conclusion.
    Undetermined(StatusReference, String),
}

impl Status {
    /// JSON for the verification result: `{"state", "uri", "idx", "reason"}`
    /// (DESIGN.md), with `purpose` for a Bitstring entry and `value` for an
    /// application-specific status.
    pub fn to_json(&self) -> Value {
        let (state, r) = match self {
            Status::Absent => return json!({"state": "absent"}),
            Status::NotChecked(r) => ("not_checked", r),
            Status::Valid(r) => ("valid", r),
            Status::ApplicationSpecific(r, _) => ("application_specific", r),
            Status::Undetermined(r, _) => ("undetermined", r),
        };
        let mut o = r.to_json();
        o.insert("state".into(), state.into());
        match self {
            Status::Undetermined(_, why) => {
                o.insert("reason".into(), why.clone().into());
            }
            Status::ApplicationSpecific(_, v) => {
                o.insert("value".into(), (*v).into());
            }
            _ => {}
        }
        Value::Object(o)
    }

    /// The reference, when the credential names one.
    pub fn reference(&self) -> Option<&StatusReference> {
        match self {
            Status::Absent => None,
            Status::NotChecked(r)
            | Status::Valid(r)
            | Status::ApplicationSpecific(r, _)
            | Status::Undetermined(r, _) => Some(r),
        }
    }
}

impl StatusReference {
    fn to_json(&self) -> Map<String, Value> {
        let v = match self {
            StatusReference::TokenStatusList { uri, index } => {
                json!({"type": "token_status_list", "uri": uri, "idx": index,
                       "reference": {"type": "token_status_list", "uri": uri, "idx": index}})
            }
            StatusReference::Bitstring {
                uri,
                index,
                purpose,
            } => {
                json!({"type": "bitstring_status_list", "uri": uri, "idx": index, "purpose": purpose,
                        "reference": {"type": "bitstring_status_list", "uri": uri, "idx": index}})
            }
            StatusReference::IdentifierList { uri, id } => {
                let id = crate::encoding::b64u_encode(id);
                json!({"type": "identifier_list", "uri": uri, "id": id,
                       "reference": {"type": "identifier_list", "uri": uri, "id": id}})
            }
            StatusReference::Other(v) => {
                json!({"type": "other", "reference": {"type": "other", "value": v}})
            }
        };
        match v {
            Value::Object(o) => o,
            _ => Map::new(),
        }
    }
}

/// A status list as the host fetched it: the bytes as served and when they
/// were fetched (a list's `ttl` counts from then).
#[derive(Clone, Debug)]
pub struct FetchedStatusList {
    /// The list as served (a JWT as text, a CWT as bytes, a list credential).
    pub bytes: Vec<u8>,
    /// When the host fetched it.
    pub fetched_at: crate::time::UnixTime,
}

/// How the verifier gets a status list: the host fetches it (the core does
/// no network I/O) and hands in the bytes for a URI, with the fetch time.
pub trait StatusListSource: Send + Sync + core::fmt::Debug {
    /// The list published at `uri`, if the host has one, at time `now`.
    fn fetch(&self, uri: &str, now: crate::time::UnixTime) -> Option<FetchedStatusList>;
}

/// Lists the host already holds, matched by URI: the `sub` of a Token Status
/// List JWT or CWT, the `id` of a list credential (`vc+jwt`, `vc+sd-jwt`,
/// `vc+cose` payload or Data Integrity document). What the CLI builds from
/// `--status-list FILE`.
///
/// ```
/// let lists = passerelle::StatusLists::new();
/// assert!(lists.is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StatusLists {
    lists: Vec<(String, FetchedStatusList)>,
}

impl StatusLists {
    /// No lists.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no list was added.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Adds a list, reading its URI from the list itself (unverified: the
    /// URI only selects it; every check runs when it is used). Returns the URI.
    pub fn add(&mut self, bytes: Vec<u8>, fetched_at: crate::time::UnixTime) -> Result<String> {
        let uri = list_uri(&bytes)?;
        self.lists
            .push((uri.clone(), FetchedStatusList { bytes, fetched_at }));
        Ok(uri)
    }

    /// Adds a list under `uri`, as fetched from it.
    pub fn add_for(&mut self, uri: &str, bytes: Vec<u8>, fetched_at: crate::time::UnixTime) {
        self.lists
            .push((uri.to_owned(), FetchedStatusList { bytes, fetched_at }));
    }
}

impl StatusListSource for StatusLists {
    fn fetch(&self, uri: &str, _now: crate::time::UnixTime) -> Option<FetchedStatusList> {
        self.lists
            .iter()
            .rev()
            .find(|(u, _)| u == uri)
            .map(|(_, l)| l.clone())
    }
}

/// The URI a list names itself by, unverified.
fn list_uri(bytes: &[u8]) -> Result<String> {
    if let Ok(text) = core::str::from_utf8(bytes) {
        let text = text.trim();
        if text.starts_with('{') {
            let doc =
                crate::encoding::parse_json_object(text.as_bytes(), "status list credential")?;
            return doc
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| malformed("the status list credential has no id"));
        }
        if let Ok(jwt) = UnverifiedStatusListJwt::parse(text) {
            return Ok(jwt.claims().sub().to_owned());
        }
        let jws_part = text.split('~').next().unwrap_or_default();
        if let Ok(jws) = crate::jose::Jws::parse(jws_part) {
            return jws
                .payload()
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| malformed("the status list credential has no id"));
        }
    }
    if let Ok(cwt) = UnverifiedStatusListCwt::parse(bytes) {
        return Ok(cwt.claims().sub().to_owned());
    }
    if let Ok(idl) = UnverifiedIdentifierListCwt::parse(bytes) {
        return Ok(idl.claims().sub().to_owned());
    }
    if let Ok(vc) = crate::formats::w3c_vc::VcCose::parse(bytes) {
        return vc
            .credential
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| malformed("the status list credential has no id"));
    }
    Err(malformed(
        "not a status list: neither a Token Status List JWT / CWT, an identifier list nor a list credential",
    ))
}

/// A cache in front of a source: a list is served from the cache while it is
/// fresh — before its `exp` and within `ttl` of when it was fetched — and
/// fetched again afterwards. `exp` and `ttl` decide over anything else (the
/// cache never serves a list past either). Lists whose freshness cannot be
/// read are never cached.
#[derive(Debug)]
pub struct StatusListCache<S> {
    inner: S,
    entries: std::sync::Mutex<Vec<(String, FetchedStatusList, u64)>>,
}

impl<S: StatusListSource> StatusListCache<S> {
    /// A cache over `inner`.
    pub fn new(inner: S) -> Self {
        StatusListCache {
            inner,
            entries: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// How many lists are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Until when (exclusive, seconds) a fetched list may be served from a cache.
fn fresh_until(l: &FetchedStatusList) -> Option<u64> {
    let (exp, ttl) = if let Ok(t) = core::str::from_utf8(&l.bytes)
        .map_err(|_| malformed("not text"))
        .and_then(|t| UnverifiedStatusListJwt::parse(t.trim()))
    {
        (t.claims().exp(), t.claims().ttl())
    } else if let Ok(c) = UnverifiedStatusListCwt::parse(&l.bytes) {
        (c.claims().exp(), c.claims().ttl())
    } else {
        return None;
    };
    let by_ttl = ttl.map(|t| l.fetched_at.as_secs().saturating_add(t));
    match (exp, by_ttl) {
        (Some(e), Some(t)) => Some(e.min(t)),
        (Some(e), None) => Some(e),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    }
}

impl<S: StatusListSource> StatusListSource for StatusListCache<S> {
    fn fetch(&self, uri: &str, now: crate::time::UnixTime) -> Option<FetchedStatusList> {
        let t = now.as_secs();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(_, _, until)| t < *until);
            if let Some((_, l, _)) = entries.iter().find(|(u, _, _)| u == uri) {
                return Some(l.clone());
            }
        }
        let fetched = self.inner.fetch(uri, now)?;
        if let Some(until) = fresh_until(&fetched).filter(|u| t < *u) {
            if let Ok(mut entries) = self.entries.lock() {
                entries.push((uri.to_owned(), fetched.clone(), until));
            }
        }
        Some(fetched)
    }
}

/// Reads the SD-JWT VC `status` claim.
pub(crate) fn parse_status_claim(claims: &Map<String, Value>) -> Result<Status> {
    let Some(status) = claims.get("status") else {
        return Ok(Status::Absent);
    };
    let status = status
        .as_object()
        .ok_or_else(|| malformed("status is not an object"))?;
    match status.get("status_list") {
        Some(Value::Object(sl)) => {
            let index = sl
                .get("idx")
                .and_then(Value::as_u64)
                .ok_or_else(|| malformed("status_list.idx is not a non-negative integer"))?;
            if index > crate::limits::MAX_STATUS_INDEX {
                return Err(malformed("status_list.idx is beyond any status list"));
            }
            let uri = sl
                .get("uri")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("status_list.uri is not a string"))?;
            if !uri.starts_with("https://") {
                return Err(malformed("status_list.uri must be an https URL"));
            }
            Ok(Status::NotChecked(StatusReference::TokenStatusList {
                uri: uri.to_owned(),
                index,
            }))
        }
        Some(_) => Err(malformed("status_list is not an object")),
        None => Ok(Status::NotChecked(StatusReference::Other(Value::Object(
            status.clone(),
        )))),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
