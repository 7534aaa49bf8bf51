//! Disclosures (RFC 9901 §4.2).

use crate::crypto::HashAlg;
use crate::encoding::{b64u_decode_append, b64u_encode_into, parse_json_salted};
use crate::error::{malformed, Result};
use crate::limits::MAX_DISCLOSURE_BYTES;
use serde_json::Value;

/// One disclosure: the string as received, its digest, and its decoded parts.
#[derive(Debug, Clone)]
pub(crate) struct Disclosure {
    pub(crate) encoded: String,
    pub(crate) digest: DigestText,
    /// `Some` for an object property, `None` for an array element.
    pub(crate) name: Option<String>,
    pub(crate) value: Value,
}

impl Disclosure {
    /// [`Disclosure::parse_with`] with a buffer of its own.
    #[cfg(test)]
    pub(crate) fn parse(encoded: String, alg: HashAlg) -> Result<Self> {
        Self::parse_with(encoded, alg, &mut Vec::new())
    }

    /// Parses a disclosure and computes its digest over the received string,
    /// which it keeps. `scratch` holds the decoded JSON (reused from one
    /// disclosure to the next); the array and the salt are checked but not
    /// built.
    pub(crate) fn parse_with(encoded: String, alg: HashAlg, scratch: &mut Vec<u8>) -> Result<Self> {
        if encoded.is_empty() {
            return Err(malformed("empty disclosure"));
        }
        scratch.clear();
        b64u_decode_append(&encoded, MAX_DISCLOSURE_BYTES, "disclosure", scratch)?;
        let (name, value) = match parse_json_salted(scratch, "disclosure")? {
            (Value::String(name), Some(value)) => {
                if name == "_sd" || name == "..." || name == "_sd_alg" {
                    return Err(malformed(format!(
                        "a disclosure may not name the claim {name:?}"
                    )));
                }
                (Some(name), value)
            }
            (_, Some(_)) => return Err(malformed("a disclosure's claim name must be a string")),
            (value, None) => (None, value),
        };
        Ok(Disclosure {
            digest: DigestText::of(&encoded, alg),
            encoded,
            name,
            value,
        })
    }
}

/// base64url(hash(ASCII(disclosure))), as a `String` (for `sd_hash`).
pub(crate) fn digest_of(encoded: &str, alg: HashAlg) -> String {
    DigestText::of(encoded, alg).as_str().to_owned()
}

/// The longest digest text: base64url of 64 bytes (SHA-512, SHA3-512).
const MAX_DIGEST_TEXT: usize = 86;

/// `base64url(hash(ASCII(disclosure)))`, kept inline: every disclosure has
/// one, and the verifier looks each up by it, so it costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct DigestText {
    len: u8,
    buf: [u8; MAX_DIGEST_TEXT],
}

impl DigestText {
    /// The digest of `encoded` under `alg`.
    pub(crate) fn of(encoded: &str, alg: HashAlg) -> Self {
        alg.with_digest(encoded.as_bytes(), |d| {
            let mut buf = [0u8; MAX_DIGEST_TEXT];
            // every supported digest is at most 64 bytes: it always fits
            let len = b64u_encode_into(d, &mut buf).unwrap_or(0);
            DigestText {
                len: u8::try_from(len).unwrap_or(0),
                buf,
            }
        })
    }

    /// The text's bytes (ASCII), for comparing and hashing without a UTF-8 check.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // base64url is ASCII
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl core::fmt::Debug for DigestText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}
