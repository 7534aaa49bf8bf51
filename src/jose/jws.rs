//! Compact JWS: parse (bounded, strict) and sign.

use crate::crypto::{verify_signature, Algorithm, PublicKey, SignatureChecked, Signer};
use crate::encoding::{
    b64_encoded_len, b64_std_decode, b64u_decode, b64u_encode_append, parse_json_object,
};
use crate::error::{limit, malformed, unsupported, Result};
use crate::limits::{
    MAX_CERT_BYTES, MAX_CHAIN_CERTS, MAX_JOSE_HEADER_BYTES, MAX_JWS_BYTES, MAX_KID_BYTES,
};
use serde_json::{Map, Value};

/// Header parameters registered for JWS and JWT; naming one in `crit` is an error.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "iss",
    "sub", "aud", "exp", "nbf", "iat", "jti", "enc", "zip",
];

/// A compact JWS as received: the parsed header and payload, and the exact
/// signing input and signature bytes. Not verified.
#[derive(Debug, Clone)]
pub(crate) struct Jws {
    text: String,
    signing_input_len: usize,
    header: Map<String, Value>,
    payload: Map<String, Value>,
    alg: Algorithm,
    signature: Vec<u8>,
}

impl Jws {
    /// Parses a compact JWS whose payload is a JSON object (a JWT).
    ///
    /// The algorithm is checked here, before any key lookup: `none`, HMAC and
    /// unknown names are `Unsupported`. `crit` must be well-formed and names no
    /// extension we understand, so any entry is `Unsupported`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_JWS_BYTES {
            return Err(limit(format!(
                "JWS of {} bytes exceeds the limit of {MAX_JWS_BYTES}",
                text.len()
            )));
        }
        // Count separators before splitting anything (JWS-20, JWS-26).
        let dots = text.bytes().filter(|&b| b == b'.').count();
        if dots != 2 {
            return Err(malformed(format!(
                "a compact JWS has 3 segments, this has {}",
                dots.saturating_add(1)
            )));
        }
        let mut parts = text.splitn(3, '.');
        let (h, p, s) = match (parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s)) => (h, p, s),
            _ => return Err(malformed("a compact JWS has 3 segments")),
        };
        let header_bytes = b64u_decode(h, MAX_JOSE_HEADER_BYTES, "JWS header")?;
        let header = parse_json_object(&header_bytes, "JWS header")?;
        let alg = match header.get("alg") {
            Some(Value::String(a)) => Algorithm::from_jose(a)?,
            Some(_) => return Err(malformed("JWS alg is not a string")),
            None => return Err(malformed("JWS header has no alg")),
        };
        check_crit(&header)?;
        if let Some(kid) = header.get("kid") {
            match kid {
                Value::String(k) if k.len() > MAX_KID_BYTES => {
                    return Err(limit(format!("kid longer than {MAX_KID_BYTES} bytes")))
                }
                Value::String(_) => {}
                _ => return Err(malformed("JWS kid is not a string")),
            }
        }
        if let Some(t) = header.get("typ") {
            if !t.is_string() {
                return Err(malformed("JWS typ is not a string"));
            }
        }
        let payload_bytes = b64u_decode(p, MAX_JWS_BYTES, "JWS payload")?;
        let payload = parse_json_object(&payload_bytes, "JWS payload")?;
        let signature = b64u_decode(s, 1024, "JWS signature")?;
        Ok(Jws {
            text: text.to_owned(),
            signing_input_len: h.len() + 1 + p.len(),
            header,
            payload,
            alg,
            signature,
        })
    }

    /// The payload claims.
    pub(crate) fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }

    /// The algorithm named in the header (already in the allowed set).
    pub(crate) fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The `typ` header, if present.
    pub(crate) fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// The `kid` header, if present.
    pub(crate) fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Fails with `Malformed` unless `typ` is present and matches one of `expected`.
    pub(crate) fn require_typ(&self, expected: &[&str]) -> Result<&str> {
        let typ = self.typ().ok_or_else(|| {
            malformed(format!(
                "JWS has no typ (expected {})",
                expected.join(" or ")
            ))
        })?;
        if expected.iter().any(|e| typ_matches(typ, e)) {
            Ok(typ)
        } else {
            Err(malformed(format!(
                "JWS typ {:?} is not {}",
                crate::crypto::clip(typ),
                expected.join(" or ")
            )))
        }
    }

    /// The `x5c` header as DER certificates (leaf first), if present.
    /// Entries are standard base64 of DER (RFC 7515 §4.1.6); base64url or PEM is `Malformed`.
    pub(crate) fn x5c(&self) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(v) = self.header.get("x5c") else {
            return Ok(None);
        };
        let arr = v
            .as_array()
            .ok_or_else(|| malformed("x5c is not an array"))?;
        if arr.is_empty() {
            return Err(malformed("x5c is empty"));
        }
        if arr.len() > MAX_CHAIN_CERTS {
            return Err(limit(format!(
                "x5c holds more than {MAX_CHAIN_CERTS} certificates"
            )));
        }
        let mut out = Vec::with_capacity(arr.len());
        for c in arr {
            let s = c
                .as_str()
                .ok_or_else(|| malformed("x5c entry is not a string"))?;
            out.push(b64_std_decode(s, MAX_CERT_BYTES * 4 / 3 + 4, "x5c entry")?);
        }
        Ok(Some(out))
    }

    /// Verifies the signature over the signing input as received.
    pub(crate) fn verify(&self, key: &PublicKey) -> Result<SignatureChecked> {
        let input = self
            .text
            .as_bytes()
            .get(..self.signing_input_len)
            .ok_or_else(|| malformed("JWS signing input out of range"))?;
        verify_signature(self.alg, key, input, &self.signature)
    }
}

fn check_crit(header: &Map<String, Value>) -> Result<()> {
    let crit = match header.get("crit") {
        None => None,
        Some(c) => {
            let list = c
                .as_array()
                .ok_or_else(|| malformed("crit is not an array"))?;
            if list.is_empty() {
                return Err(malformed("crit is empty"));
            }
            let mut seen: Vec<&str> = Vec::new();
            for e in list {
                let name = e
                    .as_str()
                    .ok_or_else(|| malformed("crit entry is not a string"))?;
                if seen.contains(&name) {
                    return Err(malformed(format!("crit lists {name:?} twice")));
                }
                seen.push(name);
                if REGISTERED.contains(&name) {
                    return Err(malformed(format!(
                        "crit names the registered parameter {name:?}"
                    )));
                }
                if !header.contains_key(name) {
                    return Err(malformed(format!(
                        "crit names {name:?}, which the header lacks"
                    )));
                }
            }
            Some(seen)
        }
    };
    if let Some(b64) = header.get("b64") {
        if !crit.as_ref().is_some_and(|c| c.contains(&"b64")) {
            return Err(malformed("b64 header present without crit (RFC 7797)"));
        }
        if b64 != &Value::Bool(true) {
            return Err(unsupported(
                "unencoded payloads (b64: false) are not allowed for JWTs",
            ));
        }
    }
    match crit.as_deref() {
        // We understand no header extension (b64: true changes nothing).
        Some(names) => match names.iter().find(|n| **n != "b64") {
            Some(first) => Err(unsupported(format!(
                "critical header extension {:?} is not understood",
                crate::crypto::clip(first)
            ))),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// Media-type comparison for `typ`: case-insensitive, `application/` optional (RFC 7515 §4.1.9).
pub(crate) fn typ_matches(actual: &str, expected: &str) -> bool {
    let strip = |s: &str| -> String {
        let l = s.to_ascii_lowercase();
        l.strip_prefix("application/")
            .map(str::to_owned)
            .unwrap_or(l)
    };
    strip(actual) == strip(expected)
}

/// Signs `payload` (exact JSON bytes) under `header`, adding `alg` from the signer.
pub(crate) fn sign_compact(
    header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<String> {
    sign_compact_with_room(header, payload, signer, 0)
}

/// [`sign_compact`] into one string of the final size, with `room` bytes more
/// reserved after the JWS (an SD-JWT's disclosures).
pub(crate) fn sign_compact_with_room(
    mut header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
    room: usize,
) -> Result<String> {
    let alg = signer.algorithm();
    header.insert("alg".into(), alg.jose_name().into());
    let h = serde_json::to_vec(&header)
        .map_err(|_| crate::error::misuse("JOSE header not serializable"))?;
    let mut out = String::with_capacity(
        b64_encoded_len(h.len())
            + b64_encoded_len(payload.len())
            + b64_encoded_len(alg.signature_len())
            + 2
            + room,
    );
    b64u_encode_append(&h, &mut out);
    out.push('.');
    b64u_encode_append(payload, &mut out);
    let sig = signer.sign(out.as_bytes())?;
    if sig.len() != alg.signature_len() {
        return Err(crate::error::signature(format!(
            "the signer returned {} bytes, a {} signature is {}",
            sig.len(),
            alg.jose_name(),
            alg.signature_len()
        )));
    }
    out.push('.');
    b64u_encode_append(&sig, &mut out);
    Ok(out)
}
