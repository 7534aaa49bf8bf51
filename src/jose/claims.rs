//! Typed reads of JWT claims. A wrongly typed claim is `Malformed`, never "absent".

use crate::error::{malformed, Result};
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
