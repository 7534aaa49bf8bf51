//! Typed reads of JWT claims. A wrongly typed claim is `Malformed`, never "absent".

use crate::error::{expired, malformed, not_yet_valid, Result};
use crate::time::UnixTime;
use serde_json::{Map, Value};

/// Reads a NumericDate claim: absent is `None`; anything but a non-negative
/// integer (a string, a float, a negative or out-of-range number) is `Malformed`.
pub(crate) fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
            malformed(format!(
                "claim {name:?} is not a non-negative integer NumericDate"
            ))
        }),
        Some(_) => Err(malformed(format!("claim {name:?} is not a NumericDate"))),
    }
}

/// Reads an optional string claim; a non-string is `Malformed`.
pub(crate) fn optional_str<'a>(
    claims: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("claim {name:?} is not a string"))),
    }
}

/// The registered time claims, checked against `now` with `skew` seconds of
/// tolerance: expired when `now >= exp + skew` (the boundary counts as expired),
/// not yet valid when `nbf > now + skew` or `iat > now + skew`.
pub(crate) fn check_validity(
    claims: &Map<String, Value>,
    now: UnixTime,
    skew: u64,
) -> Result<(Option<u64>, Option<u64>, Option<u64>)> {
    let (iat, nbf, exp) = (
        numeric_date(claims, "iat")?,
        numeric_date(claims, "nbf")?,
        numeric_date(claims, "exp")?,
    );
    let now = now.as_secs();
    if let Some(exp) = exp {
        if now >= exp.saturating_add(skew) {
            return Err(expired(format!("expired at {exp}")));
        }
    }
    if let Some(nbf) = nbf {
        if nbf > now.saturating_add(skew) {
            return Err(not_yet_valid(format!("not valid before {nbf}")));
        }
    }
    if let Some(iat) = iat {
        if iat > now.saturating_add(skew) {
            return Err(not_yet_valid(format!("issued in the future ({iat})")));
        }
    }
    Ok((iat, nbf, exp))
}
