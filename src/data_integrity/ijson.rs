//! I-JSON (RFC 7493) number rules for the JCS cryptosuites (VC-12).
//!
//! RFC 8785 §3.1 requires its input to be I-JSON, and §3.2.2.3 serializes every
//! number as the IEEE 754 double nearest to it. Two documents whose numbers round
//! to the same double canonicalize alike, so a signature over one also covers the
//! other. What we decided, number by number:
//!
//! - duplicate member names: rejected by [`crate::encoding::parse_json`]
//!   (I-JSON §2.3 MUST NOT) → `Malformed`;
//! - `1e400` (no finite double): rejected by the parser → `Malformed`;
//! - integers outside `[-(2^53)+1, 2^53-1]` (I-JSON §2.2: "cannot expect … an
//!   exact value"; 2^53+1 and 2^53 have the same canonical form) → `Malformed`,
//!   both as parsed values and as integer lexemes in received text (the parser
//!   turns `100000000000000000000000` into a double, so the text is scanned too);
//! - `-0`: **accepted**. It is a valid I-JSON number and RFC 8785 Appendix B
//!   lists `-0` → `0` as a sample; it is no more malleable than `1.0` vs `1` or
//!   `1e2` vs `100`, which JCS canonicalizes by design. HOSTILE-INPUTS VC-12
//!   lists `-0` as `malformed`; this is a deliberate divergence from that row.

use crate::error::{malformed, Result};
use serde_json::{Map, Value};

/// 2^53 − 1, the largest integer I-JSON guarantees exact.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// Rejects integers a double cannot hold exactly, anywhere in `v`.
pub(crate) fn check_numbers(v: &Value) -> Result<()> {
    let mut stack: Vec<&Value> = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) => {
                let too_big = if let Some(u) = n.as_u64() {
                    u > MAX_SAFE_INTEGER
                } else if let Some(i) = n.as_i64() {
                    i.unsigned_abs() > MAX_SAFE_INTEGER
                } else {
                    false
                };
                if too_big {
                    return Err(malformed(
                        "JCS input: an integer beyond ±(2^53−1) is not I-JSON (RFC 7493 §2.2)",
                    ));
                }
            }
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    Ok(())
}

/// Scans JSON text for integer lexemes beyond ±(2^53−1). The text must already
/// have parsed (so strings and numbers are well formed).
pub(crate) fn check_integer_lexemes(text: &[u8]) -> Result<()> {
    let mut i = 0;
    let n = text.len();
    while i < n {
        let c = text.get(i).copied().unwrap_or(0);
        if c == b'"' {
            i += 1;
            while i < n {
                match text.get(i).copied().unwrap_or(0) {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
            i += 1;
        } else if c == b'-' || c.is_ascii_digit() {
            let start = i;
            while i < n
                && matches!(
                    text.get(i).copied().unwrap_or(0),
                    b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                )
            {
                i += 1;
            }
            let lexeme = text.get(start..i).unwrap_or(&[]);
            if !lexeme.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
                let digits = lexeme.strip_prefix(b"-").unwrap_or(lexeme);
                let too_big = digits.len() > 16
                    || core::str::from_utf8(digits)
                        .ok()
                        .and_then(|d| d.parse::<u64>().ok())
                        .is_none_or(|v| v > MAX_SAFE_INTEGER);
                if too_big {
                    return Err(malformed(
                        "JCS input: an integer beyond ±(2^53−1) is not I-JSON (RFC 7493 §2.2)",
                    ));
                }
            }
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Parses a secured document for the JCS cryptosuites: strict JSON (no duplicate
/// members, bounded size and depth), an object, and I-JSON numbers.
pub(crate) fn parse_document(bytes: &[u8]) -> Result<Map<String, Value>> {
    let doc = crate::encoding::parse_json_object(bytes, "Data Integrity document")?;
    check_integer_lexemes(bytes)?;
    Ok(doc)
}
