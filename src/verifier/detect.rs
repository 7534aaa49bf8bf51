//! The one format detector: what a presentation is, from its bytes.
//!
//! Used by [`Verifier::verify`](super::Verifier::verify), the CLI and the C
//! ABI alike, so every entry point routes an input the same way.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::error::{malformed, unsupported, Result};
use std::borrow::Cow;

/// The format family of an input, as [`detect`] reads it. Detection decides
/// only the route; every rule of the format is checked on that route.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detected<'a> {
    /// An ISO/IEC 18013-5 DeviceResponse: CBOR bytes (decoded, when the input
    /// was base64url text).
    DeviceResponse(Cow<'a, [u8]>),
    /// A COSE_Sign1 (tag 18 or an array of four): a `vc+cose` (decoded, when
    /// the input was base64url text).
    Cose(Cow<'a, [u8]>),
    /// JSON with `@context` and `proof`: a Data Integrity credential.
    DataIntegrity(&'a str),
    /// An SD-JWT, compact (`~`-separated) or JSON serialization.
    SdJwt(&'a str),
    /// A bare compact JWS (a `vc+jwt`, when its `typ` says so).
    Jws(&'a str),
}

/// The base64url alphabet, no padding: the OpenID4VP `vp_token` form of CBOR.
fn is_b64url_text(input: &[u8]) -> bool {
    !input.is_empty()
        && input
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

fn is_cbor_map(b: &[u8]) -> bool {
    b.first().is_some_and(|&c| (0xa0..=0xbf).contains(&c))
}

fn is_cose_sign1(b: &[u8]) -> bool {
    matches!(b.first(), Some(0xd2 | 0x84))
}

/// Detects the format of `input`.
///
/// The order, documented for interop harnesses: bytes that start with a CBOR
/// map head (0xa0–0xbf) are a DeviceResponse; CBOR tag 18 or an array of four
/// is a COSE_Sign1; base64url text (the `vp_token` form) whose decoding is
/// either of those is that, decoded; JSON with `@context` and `proof` is a
/// Data Integrity credential; text that starts with `{` or contains `~` is an
/// SD-JWT; text with exactly two dots is a bare JWS. An empty input is
/// `Malformed` ("empty"); anything else is `Unsupported`.
///
/// ```
/// use passerelle::{detect, Detected};
/// assert!(matches!(detect(b"eyJhbGciOiJFUzI1NiJ9.e30.c2ln~")?, Detected::SdJwt(_)));
/// assert!(matches!(detect(&[0xa1, 0x01, 0x02])?, Detected::DeviceResponse(_)));
/// assert!(matches!(detect(b"oQEC")?, Detected::DeviceResponse(_))); // base64url of the same
/// assert_eq!(detect(b"").unwrap_err().kind(), passerelle::ErrorKind::Malformed);
/// # Ok::<(), passerelle::Error>(())
/// ```
pub fn detect(input: &[u8]) -> Result<Detected<'_>> {
    if input.is_empty() {
        return Err(malformed("the input is empty"));
    }
    if is_cbor_map(input) {
        return Ok(Detected::DeviceResponse(Cow::Borrowed(input)));
    }
    if is_cose_sign1(input) {
        return Ok(Detected::Cose(Cow::Borrowed(input)));
    }
    // base64url of a map head starts with 'o'..'v'; of tag 18 with '0', of an
    // array of four with 'h'
    if is_b64url_text(input) && matches!(input.first(), Some(b'o'..=b'v' | b'0' | b'h')) {
        let text = core::str::from_utf8(input).map_err(|_| malformed("not UTF-8"))?;
        match crate::encoding::b64u_decode(
            text,
            crate::cose::MAX_CBOR_BYTES.saturating_mul(4) / 3 + 4,
            "the CBOR presentation",
        ) {
            Ok(bytes) if is_cbor_map(&bytes) => {
                return Ok(Detected::DeviceResponse(Cow::Owned(bytes)))
            }
            Ok(bytes) if is_cose_sign1(&bytes) => return Ok(Detected::Cose(Cow::Owned(bytes))),
            Err(e) if e.kind() == crate::error::ErrorKind::LimitExceeded => return Err(e),
            // not base64url of CBOR: read on as text
            _ => {}
        }
    }
    let text = core::str::from_utf8(input)
        .map_err(|_| unsupported("the input is not a supported credential presentation"))?;
    if text.starts_with('{') && text.contains("\"proof\"") && text.contains("\"@context\"") {
        return Ok(Detected::DataIntegrity(text));
    }
    if text.starts_with('{') || text.contains('~') {
        return Ok(Detected::SdJwt(text));
    }
    if text.bytes().filter(|&b| b == b'.').count() == 2 {
        return Ok(Detected::Jws(text));
    }
    Err(unsupported(
        "the input is not a supported credential presentation",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_each_family() {
        fn name(b: &[u8]) -> &'static str {
            match detect(b) {
                Ok(Detected::DeviceResponse(_)) => "mdoc",
                Ok(Detected::Cose(_)) => "cose",
                Ok(Detected::DataIntegrity(_)) => "di",
                Ok(Detected::SdJwt(_)) => "sd-jwt",
                Ok(Detected::Jws(_)) => "jws",
                Err(_) => "error",
            }
        }
        assert_eq!(name(&[0xa2]), "mdoc");
        assert_eq!(name(b"oQEC"), "mdoc"); // base64url of a1 01 02
        assert_eq!(name(&[0xd2, 0x84]), "cose");
        assert_eq!(name(&[0x84, 0x40]), "cose");
        assert_eq!(name(b"0oQ"), "cose"); // base64url of d2 84
        assert_eq!(name(b"hEA"), "cose"); // base64url of 84 40
        assert_eq!(name(b"{\"@context\":[],\"proof\":{}}"), "di");
        assert_eq!(name(b"{\"payload\":\"e30\"}"), "sd-jwt");
        assert_eq!(name(b"a.b.c~"), "sd-jwt");
        assert_eq!(name(b"a.b.c"), "jws");
    }

    #[test]
    fn refusals_have_their_kind() {
        use crate::error::ErrorKind;
        let kind = |b: &[u8]| detect(b).err().map(|e| e.kind());
        assert_eq!(kind(b""), Some(ErrorKind::Malformed));
        assert_eq!(kind(b"hello"), Some(ErrorKind::Unsupported));
        assert_eq!(kind(b"a.b"), Some(ErrorKind::Unsupported));
        assert_eq!(kind(&[0xff, 0xfe]), Some(ErrorKind::Unsupported));
        // base64url text decoding to neither CBOR form is routed as text
        assert_eq!(kind(b"ZZZZ"), Some(ErrorKind::Unsupported));
        // oversized base64url is refused by the decoder's bound, not decoded
        let huge = vec![b'o'; crate::cose::MAX_CBOR_BYTES * 2];
        assert_eq!(kind(&huge), Some(ErrorKind::LimitExceeded));
    }
}
