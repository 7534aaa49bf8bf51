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
use crate::encoding::{b64u_decode_append, b64u_encode};
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
        Cbor::Text(t) => Value::String(t.as_str().to_owned()),
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
                    Cbor::Text(t) => t.as_str().to_owned(),
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

/// JSON claim → CBOR element value, by the rules in the module docs, written
/// straight into `out` in deterministic encoding (RFC 8949 §4.2.1: map keys
/// sorted by their encoded form; floats in their shortest exact form), with
/// no tree built. `name` is the element identifier (or the member name
/// inside a nested map). On an error `out` may hold a partial value.
pub(crate) fn encode_json(name: &str, value: &Value, out: &mut Vec<u8>) -> Result<()> {
    encode_json_at(name, value, out, 0)
}

fn encode_json_at(name: &str, value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    use crate::cose::{push_float, push_head, push_int, push_text};
    if depth > crate::limits::MAX_JSON_DEPTH {
        return Err(crate::error::limit("a claim value is nested too deeply"));
    }
    match value {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                push_head(out, 0, u);
            } else if let Some(i) = n.as_i64() {
                push_int(out, i128::from(i));
            } else {
                push_float(out, n.as_f64().unwrap_or(f64::NAN));
            }
        }
        Value::String(s) if DATE_ELEMENTS.contains(&name) => match FullDate::parse(s) {
            Ok(d) => push_full_date(out, d),
            Err(_) => push_text(out, s),
        },
        Value::String(s) if BYTES_ELEMENTS.contains(&name) => push_b64u_bytes(out, s, name)?,
        Value::String(s) => push_text(out, s),
        Value::Array(a) => {
            push_head(out, 4, len_u64(a.len()));
            for v in a {
                encode_json_at(name, v, out, depth + 1)?;
            }
        }
        Value::Object(o) if o.len() == 1 && o.keys().all(|k| k.starts_with('$')) => {
            let (k, v) = o.iter().next().ok_or_else(|| malformed("empty marker"))?;
            let text = v
                .as_str()
                .ok_or_else(|| malformed(format!("{k} in element {name} needs a string")))?;
            match k.as_str() {
                "$full-date" => push_full_date(out, FullDate::parse(text)?),
                "$tdate" => {
                    let t = crate::time::parse_rfc3339(text).ok_or_else(|| {
                        malformed(format!(
                            "$tdate in element {name} is not an RFC 3339 date-time"
                        ))
                    })?;
                    push_head(out, 6, 0);
                    push_text(out, &crate::time::format_rfc3339(t));
                }
                "$bytes" => push_b64u_bytes(out, text, name)?,
                other => {
                    return Err(malformed(format!(
                        "unknown value marker {other:?} in element {name}"
                    )))
                }
            }
        }
        Value::Object(o) => {
            // JSON member names are distinct text: deterministic order is
            // the shorter first, then bytewise.
            let mut members: Vec<(&String, &Value)> = o.iter().collect();
            members.sort_unstable_by(|a, b| crate::cose::text_key_order(a.0, b.0));
            push_head(out, 5, len_u64(members.len()));
            for (k, v) in members {
                push_text(out, k);
                encode_json_at(k, v, out, depth + 1)?;
            }
        }
    }
    Ok(())
}

/// Tag 1004 over the date's `YYYY-MM-DD` text.
fn push_full_date(out: &mut Vec<u8>, d: FullDate) {
    crate::cose::push_head(out, 6, 1004);
    crate::cose::push_text(out, &d.text());
}

/// The byte string that `text` (base64url) encodes, decoded in place.
fn push_b64u_bytes(out: &mut Vec<u8>, text: &str, name: &str) -> Result<()> {
    // a length no encoding has fails to decode below, with its error
    let n = crate::encoding::b64_decoded_len(text.len()).unwrap_or(0);
    crate::cose::push_head(out, 2, len_u64(n));
    let got = b64u_decode_append(text, crate::cose::MAX_CBOR_BYTES, name, out)?;
    // the head was written before the bytes: it must match what was decoded
    if got != n {
        return Err(crate::error::misuse(format!(
            "{name}: base64url decoded to {got} bytes, not {n}"
        )));
    }
    Ok(())
}

fn len_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
