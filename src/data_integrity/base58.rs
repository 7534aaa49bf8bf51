//! Base58btc (the Bitcoin alphabet) and its multibase form (`z` prefix), for
//! Data Integrity `proofValue`s, Multikeys, did:key and did:webvh hashes.
//!
//! Decoding is quadratic in the input length, so every input is bounded by
//! [`MAX_BASE58_CHARS`] before any work is done.

use crate::error::{limit, malformed, Result};

pub(crate) use crate::limits::MAX_BASE58_CHARS;

const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn digit(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|a| *a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Encodes `bytes` in base58btc (no multibase prefix).
pub(crate) fn encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    // little-endian base-58 digits of the big-endian number `bytes`
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &b in bytes.iter().skip(zeros) {
        let mut carry = u32::from(b);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = u8::try_from(carry % 58).unwrap_or(0);
            carry /= 58;
        }
        while carry > 0 {
            digits.push(u8::try_from(carry % 58).unwrap_or(0));
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(core::iter::repeat_n('1', zeros));
    for d in digits.iter().rev() {
        if let Some(c) = ALPHABET.get(usize::from(*d)) {
            out.push(char::from(*c));
        }
    }
    out
}

/// Decodes base58btc text (no multibase prefix). Characters outside the
/// alphabet (including `0`, `O`, `I`, `l`, `+`, whitespace) are `Malformed`;
/// text longer than [`MAX_BASE58_CHARS`] is `LimitExceeded`.
pub(crate) fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    if text.len() > MAX_BASE58_CHARS {
        return Err(limit(format!(
            "{what}: {} characters of base58 exceed the limit of {MAX_BASE58_CHARS}",
            text.len()
        )));
    }
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    // little-endian base-256 bytes
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.bytes().skip(zeros) {
        let mut carry =
            digit(c).ok_or_else(|| malformed(format!("{what}: not a base58btc character")))?;
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = u8::try_from(carry & 0xff).unwrap_or(0);
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push(u8::try_from(carry & 0xff).unwrap_or(0));
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Ok(out)
}

/// Multibase base58btc: `z` followed by base58btc.
pub(crate) fn multibase_encode(bytes: &[u8]) -> String {
    format!("z{}", encode(bytes))
}

/// Decodes multibase base58btc text; any other multibase prefix is `Unsupported`
/// when it is a known multibase code, `Malformed` otherwise.
pub(crate) fn multibase_decode(text: &str, what: &str) -> Result<Vec<u8>> {
    match text.as_bytes().first() {
        Some(b'z') => decode(text.get(1..).unwrap_or(""), what),
        Some(b'u' | b'm' | b'M' | b'f' | b'F' | b'b' | b'B') => Err(crate::error::unsupported(
            format!("{what}: only multibase base58btc ('z') is supported"),
        )),
        _ => Err(malformed(format!(
            "{what}: not multibase base58btc (no 'z' prefix)"
        ))),
    }
}
