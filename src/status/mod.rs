//! Revocation and suspension status.
//!
//! Checking a status list is later work; today the `status` claim is parsed and
//! carried into the result as [`Status::NotChecked`]. The type already tells
//! revoked, suspended, valid and undetermined apart, and a list that could not be
//! fetched or parsed is [`Status::Undetermined`], never revoked.
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
#[allow(unused_imports)] // the verifier's integration is the first user
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
    /// IETF Token Status List: `status.status_list = {idx, uri}`.
    TokenStatusList {
        /// The status list token's URI.
        uri: String,
        /// The credential's index in the list.
        index: u64,
    },
    /// A status mechanism this version does not interpret, kept as JSON.
    Other(Value),
}

/// The status outcome of a verification.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The credential names no status mechanism.
    Absent,
    /// The credential names a status list, which was not checked.
    NotChecked(StatusReference),
    /// The list says valid.
    Valid,
    /// The list says revoked.
    Revoked,
    /// The list says suspended.
    Suspended,
    /// The list could not be fetched, parsed or trusted: no conclusion.
    Undetermined(String),
}

impl Status {
    /// JSON for the verification result.
    pub fn to_json(&self) -> Value {
        match self {
            Status::Absent => json!({"state": "absent"}),
            Status::NotChecked(r) => json!({"state": "not_checked", "reference": r.to_json()}),
            Status::Valid => json!({"state": "valid"}),
            Status::Revoked => json!({"state": "revoked"}),
            Status::Suspended => json!({"state": "suspended"}),
            Status::Undetermined(why) => json!({"state": "undetermined", "reason": why}),
        }
    }
}

impl StatusReference {
    fn to_json(&self) -> Value {
        match self {
            StatusReference::TokenStatusList { uri, index } => {
                json!({"type": "token_status_list", "uri": uri, "idx": index})
            }
            StatusReference::Other(v) => json!({"type": "other", "value": v}),
        }
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
