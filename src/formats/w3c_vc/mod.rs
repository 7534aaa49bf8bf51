//! W3C Verifiable Credentials Data Model 2.0, checked without a JSON-LD
//! processor, and its securing per W3C VC-JOSE-COSE (`vc+jwt`, `vc+sd-jwt`).
//!
//! The checks are those of the data model's normative statements that do not
//! need JSON-LD expansion: the base context first, `VerifiableCredential` among
//! the types, an issuer URL (or object with an `id`), a subject, well-formed and
//! ordered `validFrom`/`validUntil`. `credentialStatus` is carried to the result.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cose;
pub(crate) use cose::{sign_cose, VcCose};

use crate::error::{expired, malformed, not_yet_valid, Result};
use crate::jose::Jws;
use crate::time::{parse_rfc3339, UnixTime};
use serde_json::{Map, Value};

/// The VCDM 2.0 base context, which must come first.
pub(crate) const V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// Media type of a VC secured as a JWT (VC-JOSE-COSE §3.1.1).
pub(crate) const TYP_JWT: &str = "vc+jwt";
/// Media type of a VC secured with SD-JWT (VC-JOSE-COSE §3.2.1).
pub(crate) const TYP_SD_JWT: &str = "vc+sd-jwt";
/// The COSE `typ` (label 16) of a credential secured with COSE (VC-JOSE-COSE §3.3).
pub(crate) const TYP_COSE: &str = "application/vc+cose";
/// The COSE content type (label 3) of its payload.
pub(crate) const CTY_COSE: &str = "application/vc";

/// Members of a `vc+sd-jwt` credential that must never arrive in a
/// disclosure (nor anything inside them): trust, validity and status decisions
/// read them, so they are issuer-signed and always visible.
pub(crate) const NOT_DISCLOSABLE: &[&str] = &[
    "@context",
    "type",
    "issuer",
    "validFrom",
    "validUntil",
    "credentialStatus",
    "cnf",
    "iss",
    "nbf",
    "exp",
    "status",
    "vc",
    "vp",
];

/// The credential's `type` values, unchecked (empty when absent or not strings).
pub(crate) fn types(c: &Map<String, Value>) -> Vec<&str> {
    match c.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What a verifier reports of a VCDM credential.
#[derive(Debug, Clone)]
pub(crate) struct VcdmInfo {
    /// The issuer identifier (URL or DID).
    pub(crate) issuer: String,
    /// The most specific type (the last one that is not `VerifiableCredential`).
    pub(crate) credential_type: String,
    pub(crate) valid_from: Option<u64>,
    pub(crate) valid_until: Option<u64>,
    pub(crate) status: Option<Value>,
}

fn is_url(s: &str) -> bool {
    // an absolute URL or URN: scheme ":" rest, scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn date(c: &Map<String, Value>, name: &str) -> Result<Option<u64>> {
    match c.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => parse_rfc3339(s)
            .map(|t| Some(t.as_secs()))
            .ok_or_else(|| malformed(format!("{name} is not an XML Schema dateTimeStamp"))),
        Some(_) => Err(malformed(format!("{name} is not a string"))),
    }
}

/// The credential's `issuer` (a URL, or the `id` of an issuer object), unchecked.
pub(crate) fn issuer_id(c: &Map<String, Value>) -> Option<&str> {
    match c.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Checks the data model of a credential and its validity period at `now`.
pub(crate) fn check_credential(
    c: &Map<String, Value>,
    now: UnixTime,
    skew: u64,
) -> Result<VcdmInfo> {
    match c.get("@context") {
        Some(Value::Array(a)) if a.first().and_then(Value::as_str) == Some(V2_CONTEXT) => {
            if a.iter().any(|e| !(e.is_string() || e.is_object())) {
                return Err(malformed("@context entries are URLs or objects"));
            }
        }
        Some(_) => {
            return Err(malformed(format!(
                "the first @context must be {V2_CONTEXT}"
            )))
        }
        None => return Err(malformed("a VCDM credential needs @context")),
    }
    let types: Vec<&str> = match c.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|t| {
                t.as_str()
                    .ok_or_else(|| malformed("type entries are strings"))
            })
            .collect::<Result<_>>()?,
        _ => return Err(malformed("a VCDM credential needs type")),
    };
    if !types.contains(&"VerifiableCredential") {
        return Err(malformed("type must include VerifiableCredential"));
    }
    let credential_type = types
        .iter()
        .rev()
        .find(|t| **t != "VerifiableCredential")
        .unwrap_or(&"VerifiableCredential")
        .to_string();
    let issuer = match c.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("issuer object needs an id"))?
            .to_owned(),
        _ => return Err(malformed("a VCDM credential needs an issuer")),
    };
    if !is_url(&issuer) {
        return Err(malformed("issuer must be a URL"));
    }
    match c.get("credentialSubject") {
        Some(Value::Object(_)) => {}
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_object) => {}
        _ => {
            return Err(malformed(
                "credentialSubject must be an object or a non-empty array of objects",
            ))
        }
    }
    if let Some(id) = c.get("id") {
        if !id.as_str().is_some_and(is_url) {
            return Err(malformed("id must be a URL"));
        }
    }
    let valid_from = date(c, "validFrom")?;
    let valid_until = date(c, "validUntil")?;
    if let (Some(f), Some(u)) = (valid_from, valid_until) {
        if f > u {
            return Err(malformed("validFrom is after validUntil"));
        }
    }
    let now = now.as_secs();
    if let Some(f) = valid_from {
        if f > now.saturating_add(skew) {
            return Err(not_yet_valid("the credential's validFrom is in the future"));
        }
    }
    if let Some(u) = valid_until {
        if now >= u.saturating_add(skew) {
            return Err(expired("the credential's validUntil has passed"));
        }
    }
    let status = match c.get("credentialStatus") {
        None => None,
        Some(s @ Value::Object(_)) => Some(s.clone()),
        Some(s @ Value::Array(a)) if a.iter().all(Value::is_object) => Some(s.clone()),
        Some(_) => {
            return Err(malformed(
                "credentialStatus must be an object or an array of objects",
            ))
        }
    };
    Ok(VcdmInfo {
        issuer,
        credential_type,
        valid_from,
        valid_until,
        status,
    })
}

/// The validity window of a JOSE- or COSE-secured VCDM credential: the data
/// model's `validFrom` / `validUntil` win over the envelope's `nbf` / `exp`.
pub(crate) fn merge_dates(
    info: &VcdmInfo,
    nbf: Option<u64>,
    exp: Option<u64>,
) -> (Option<u64>, Option<u64>) {
    (info.valid_from.or(nbf), info.valid_until.or(exp))
}

/// VC-11 (project rule): when a JWT-secured VC carries `iss`, it must equal the
/// credential's issuer.
pub(crate) fn check_iss_agrees(jws: &Jws, info: &VcdmInfo) -> Result<()> {
    check_jwt_claims_agree(jws.payload(), &info.issuer)
}

/// The JWT claims beside a VCDM credential (`vc+jwt`, `vc+sd-jwt`): `iss`, when
/// present, must equal the credential's `issuer`; `vc` and `vp` MUST NOT be
/// present (VC-JOSE-COSE §3.1.1: the claims set *is* the credential, the
/// VC 1.1 JWT encoding is not); `iat` / `nbf` / `exp` are NumericDates as in
/// every JOSE format.
pub(crate) fn check_jwt_claims_agree(claims: &Map<String, Value>, issuer: &str) -> Result<()> {
    if let Some(k) = ["vc", "vp"].iter().find(|k| claims.contains_key(**k)) {
        return Err(malformed(format!(
            "a VC-JOSE-COSE claims set must not carry {k:?} (the VC 1.1 JWT encoding)"
        )));
    }
    match claims.get("iss") {
        None => Ok(()),
        Some(Value::String(iss)) if iss == issuer => Ok(()),
        Some(_) => Err(malformed(
            "the JWT iss differs from the credential's issuer",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;
