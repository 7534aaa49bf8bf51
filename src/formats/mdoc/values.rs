//! Data element values: CBOR → JSON for the verification result, JSON → CBOR
//! for issuance.
//!
//! CBOR → JSON (the result's `claims`):
//! - integers → JSON numbers (outside the i64/u64 range: `Unsupported`);
//!   floats → numbers (NaN and infinities: `Unsupported`); text, booleans and
//!   `null` as they are; `undefined` → `null`;
//! - byte strings (the `portrait`, `signature_usual_mark`, …) → base64url
//!   text without padding;
//! - tag 1004 `full-date` → `"YYYY-MM-DD"`, checked as a calendar date; tag 0
//!   `tdate` → its RFC 3339 text as received, checked; tag 24 → the embedded
//!   bytes as base64url; any other tag → its content, mapped by these rules;
//! - arrays and maps recursively; map keys that are text stay text, integer
//!   keys become their decimal text, any other key is `Unsupported`. A map whose
//!   keys collide after that (`1` and `"1"`) is `Malformed`.
//!
//! JSON → CBOR (issuance from a claims file):
//! - `{"$full-date": "YYYY-MM-DD"}` → tag 1004, `{"$tdate": "…"}` → tag 0
//!   (whole seconds, `Z`), `{"$bytes": "<base64url>"}` → a byte string;
//! - a string in an element named `birth_date`, `issue_date`, `expiry_date`
//!   (also inside `driving_privileges`) that is a full-date → tag 1004, and a
//!   string in `portrait` or `signature_usual_mark` → the bytes it
//!   base64url-encodes, so the JSON the verifier prints issues the same
//!   elements back;
//! - integers → integers, other numbers → floats, the rest as is.

use crate::cose::{FullDate, Item, Value as Cbor};
use crate::encoding::{b64u_decode, b64u_encode};
use crate::error::{malformed, unsupported, Result};
use serde_json::{Map, Number, Value};

/// Element names whose text is a full-date in the mDL and PID data models.
const DATE_ELEMENTS: &[&str] = &["birth_date", "issue_date", "expiry_date"];
/// Element names whose text is base64url of a byte string.
const BYTES_ELEMENTS: &[&str] = &["portrait", "signature_usual_mark"];

/// CBOR element value → JSON, by the rules in the module docs.
pub(crate) fn to_json(item: &Item) -> Result<Value> {
    to_json_at(item, 0)
}

fn to_json_at(item: &Item, depth: usize) -> Result<Value> {
    // The CBOR reader already bounds depth; this guards built items.
    if depth > crate::limits::MAX_JSON_DEPTH {
        return Err(crate::error::limit("an element value is nested too deeply"));
    }
    Ok(match item.value() {
        Cbor::Int(i) => {
            if let Ok(u) = u64::try_from(*i) {
                Value::Number(u.into())
            } else if let Ok(s) = i64::try_from(*i) {
                Value::Number(s.into())
            } else {
                return Err(unsupported(
                    "an integer element value is outside the 64-bit range",
                ));
            }
        }
        Cbor::Float(f) => Value::Number(
            Number::from_f64(*f)
                .ok_or_else(|| unsupported("a NaN or infinite element value has no JSON form"))?,
        ),
        Cbor::Text(t) => Value::String(t.clone()),
        Cbor::Bytes(b) => Value::String(b64u_encode(b.as_slice())),
        Cbor::Bool(b) => Value::Bool(*b),
        Cbor::Null | Cbor::Undefined => Value::Null,
        Cbor::Tag(1004, _) => Value::String(item.full_date("a full-date element")?.to_string()),
        Cbor::Tag(0, _) => Value::String(item.tdate("a tdate element")?.text),
        Cbor::Tag(24, inner) => Value::String(b64u_encode(inner.as_bytes("a tag-24 element")?)),
        Cbor::Tag(_, inner) => to_json_at(inner, depth + 1)?,
        Cbor::Array(a) => Value::Array(
            a.iter()
                .map(|i| to_json_at(i, depth + 1))
                .collect::<Result<_>>()?,
        ),
        Cbor::Map(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k.value() {
                    Cbor::Text(t) => t.clone(),
                    Cbor::Int(i) => i.to_string(),
                    _ => {
                        return Err(unsupported(
                            "an element map key is neither text nor an integer",
                        ))
                    }
                };
                if out.insert(key, to_json_at(v, depth + 1)?).is_some() {
                    return Err(malformed("an element map has keys that collide as JSON"));
                }
            }
            Value::Object(out)
        }
    })
}

/// JSON claim → CBOR element value, by the rules in the module docs. `name` is
/// the element identifier (or the member name inside a nested map).
pub(crate) fn from_json(name: &str, value: &Value) -> Result<Item> {
    from_json_at(name, value, 0)
}

fn from_json_at(name: &str, value: &Value, depth: usize) -> Result<Item> {
    if depth > crate::limits::MAX_JSON_DEPTH {
        return Err(crate::error::limit("a claim value is nested too deeply"));
    }
    Ok(match value {
        Value::Null => Item::null(),
        Value::Bool(b) => Item::bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Item::uint(u)
            } else if let Some(i) = n.as_i64() {
                Item::int(i)
            } else {
                Item::float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) if DATE_ELEMENTS.contains(&name) && FullDate::parse(s).is_ok() => {
            Item::from_full_date(FullDate::parse(s)?)
        }
        Value::String(s) if BYTES_ELEMENTS.contains(&name) => {
            Item::bytes(&b64u_decode(s, crate::cose::MAX_CBOR_BYTES, name)?)
        }
        Value::String(s) => Item::text(s),
        Value::Array(a) => Item::array(
            a.iter()
                .map(|v| from_json_at(name, v, depth + 1))
                .collect::<Result<_>>()?,
        ),
        Value::Object(o) if o.len() == 1 && o.keys().all(|k| k.starts_with('$')) => {
            let (k, v) = o.iter().next().ok_or_else(|| malformed("empty marker"))?;
            let text = v
                .as_str()
                .ok_or_else(|| malformed(format!("{k} in element {name} needs a string")))?;
            match k.as_str() {
                "$full-date" => Item::from_full_date(FullDate::parse(text)?),
                "$tdate" => {
                    Item::from_tdate(crate::time::parse_rfc3339(text).ok_or_else(|| {
                        malformed(format!(
                            "$tdate in element {name} is not an RFC 3339 date-time"
                        ))
                    })?)
                }
                "$bytes" => Item::bytes(&b64u_decode(text, crate::cose::MAX_CBOR_BYTES, name)?),
                other => {
                    return Err(malformed(format!(
                        "unknown value marker {other:?} in element {name}"
                    )))
                }
            }
        }
        Value::Object(o) => Item::map(
            o.iter()
                .map(|(k, v)| Ok((Item::text(k), from_json_at(k, v, depth + 1)?)))
                .collect::<Result<_>>()?,
        )?,
    })
}
