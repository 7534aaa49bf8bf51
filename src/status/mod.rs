//! Revocation and suspension status.
//!
//! Checking a status list is later work; today the `status` claim is parsed and
//! carried into the result as [`Status::NotChecked`]. The type already tells
//! revoked, suspended, valid and undetermined apart, and a list that could not be
//! fetched or parsed is [`Status::Undetermined`], never revoked.

use crate::error::{malformed, Result};
use serde_json::{json, Map, Value};

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
