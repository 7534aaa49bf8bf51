//! Bounded, strict encodings: base64url (RFC 4648 §5, no padding, canonical) and
//! JSON (RFC 8259, I-JSON: no duplicate members, no lone surrogates, bounded depth).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod der;
pub(crate) mod jcs;
mod json;
pub(crate) mod pem;

pub(crate) use json::{parse_json, parse_json_object, parse_json_salted};

use crate::error::{limit, malformed, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// `n` in decimal, written at the end of `buf` (20 digits hold any `u64`);
/// returns the digits.
pub(crate) fn decimal(buf: &mut [u8; 20], n: u64) -> &str {
    let mut n = n;
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            // n % 10 < 10: the narrowing is exact
            *b = b'0' + u8::try_from(n % 10).unwrap_or(0);
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    // ASCII digits: this never falls back
    core::str::from_utf8(buf.get(at..).unwrap_or_default()).unwrap_or_default()
}

/// Sorts `items` and returns the first value that appears twice: every
/// uniqueness check (salts, digest IDs, element names) without hashing.
pub(crate) fn first_repeat<T: Ord>(items: &mut [T]) -> Option<&T> {
    items.sort_unstable();
    items.windows(2).find_map(|w| match w {
        [a, b] if a == b => Some(a),
        _ => None,
    })
}

/// Encodes bytes as base64url without padding.
pub(crate) fn b64u_encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends base64url of `bytes` (without padding) to `out`.
pub(crate) fn b64u_encode_append(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// The number of characters unpadded base64 encodes `n` bytes to.
pub(crate) fn b64_encoded_len(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3].get(n % 3).copied().unwrap_or(0)
}

/// Encodes `bytes` as base64url without padding into `out`; `None` when it
/// does not fit.
pub(crate) fn b64u_encode_into(bytes: &[u8], out: &mut [u8]) -> Option<usize> {
    URL_SAFE_NO_PAD.encode_slice(bytes, out).ok()
}

/// Decodes strict base64url: no padding, no whitespace, no `+`/`/`, canonical trailing bits.
/// The encoded length is checked against `max_encoded` before anything is decoded.
pub(crate) fn b64u_decode(text: &str, max_encoded: usize, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    b64u_decode_append(text, max_encoded, what, &mut out)?;
    Ok(out)
}

/// [`b64u_decode`], the bytes appended to `out` (no intermediate buffer);
/// returns how many were appended. On an error `out` is left as it was.
pub(crate) fn b64u_decode_append(
    text: &str,
    max_encoded: usize,
    what: &str,
    out: &mut Vec<u8>,
) -> Result<usize> {
    if text.len() > max_encoded {
        return Err(limit(format!(
            "{what}: {} bytes of base64url exceeds the limit of {max_encoded}",
            text.len()
        )));
    }
    let before = out.len();
    URL_SAFE_NO_PAD
        .decode_vec(text.as_bytes(), out)
        .map_err(|e| {
            out.truncate(before);
            malformed(format!("{what}: invalid base64url ({e})"))
        })?;
    Ok(out.len() - before)
}

/// The number of bytes that `n` characters of unpadded base64 decode to
/// (`None` for a length no encoding has: 1 more than a multiple of 4).
pub(crate) fn b64_decoded_len(n: usize) -> Option<usize> {
    match n % 4 {
        1 => None,
        r => Some(n / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Decodes standard base64 with canonical padding (as in `x5c`).
pub(crate) fn b64_std_decode(text: &str, max_encoded: usize, what: &str) -> Result<Vec<u8>> {
    if text.len() > max_encoded {
        return Err(limit(format!(
            "{what}: exceeds the limit of {max_encoded} bytes"
        )));
    }
    STANDARD
        .decode(text.as_bytes())
        .map_err(|e| malformed(format!("{what}: invalid base64 ({e})")))
}

/// Encodes standard base64 with padding.
pub(crate) fn b64_std_encode(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
