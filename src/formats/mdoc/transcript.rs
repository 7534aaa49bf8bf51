//! SessionTranscript, DeviceAuthentication and the `deviceMac` key.
//!
//! `SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, Handover]`
//! (18013-5 §9.1.5.1). Remote flows have no engagement and no reader key:
//! both are `null`, and the handover binds the presentation to the request:
//! - OpenID4VP 1.0 (Annex B): `["OpenID4VPHandover", SHA-256(cbor([client_id,
//!   nonce, jwk_thumbprint / null, response_uri]))]`;
//! - OpenID4VP 1.0 over the Digital Credentials API: `["OpenID4VPDCAPIHandover",
//!   SHA-256(cbor([origin, nonce, jwk_thumbprint / null]))]`;
//! - ISO/IEC 18013-7:2024 Annex B (the pre-1.0 OpenID4VP profile):
//!   `[SHA-256(cbor([client_id, mdoc_generated_nonce])),
//!   SHA-256(cbor([response_uri, mdoc_generated_nonce])), nonce]`.
//!
//! Proximity flows (and anything else) hand in the transcript's CBOR bytes as
//! they are ([`SessionTranscript::from_cbor`]).

use crate::cose::{self, Item, Value as Cbor};
use crate::crypto::sha256;
use crate::error::{malformed, Result};
use zeroize::Zeroizing;

/// The SessionTranscript both sides bind a presentation to.
///
/// ```
/// use passerelle::SessionTranscript;
/// let t = SessionTranscript::openid4vp("x509_san_dns:verifier.example", "n-4711", None,
///     "https://verifier.example/response");
/// assert_eq!(t.cbor()[0], 0x83); // an array of three
/// let same = SessionTranscript::from_cbor(t.cbor())?;
/// assert_eq!(same, t);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTranscript {
    bytes: Vec<u8>,
}

fn hash_of_array(items: Vec<Item>) -> Item {
    Item::bytes(&sha256(Item::array(items).raw()))
}

fn text_or_null(t: Option<&[u8]>) -> Item {
    t.map_or_else(Item::null, Item::bytes)
}

impl SessionTranscript {
    /// The OpenID4VP 1.0 handover (redirect / direct_post flows).
    /// `jwk_thumbprint` is the SHA-256 JWK thumbprint of the verifier's
    /// response-encryption key, when the response is encrypted.
    pub fn openid4vp(
        client_id: &str,
        nonce: &str,
        jwk_thumbprint: Option<&[u8]>,
        response_uri: &str,
    ) -> Self {
        let info = hash_of_array(vec![
            Item::text(client_id),
            Item::text(nonce),
            text_or_null(jwk_thumbprint),
            Item::text(response_uri),
        ]);
        Self::remote(Item::array(vec![Item::text("OpenID4VPHandover"), info]))
    }

    /// The OpenID4VP 1.0 handover over the W3C Digital Credentials API.
    pub fn openid4vp_dc_api(origin: &str, nonce: &str, jwk_thumbprint: Option<&[u8]>) -> Self {
        let info = hash_of_array(vec![
            Item::text(origin),
            Item::text(nonce),
            text_or_null(jwk_thumbprint),
        ]);
        Self::remote(Item::array(vec![
            Item::text("OpenID4VPDCAPIHandover"),
            info,
        ]))
    }

    /// The ISO/IEC 18013-7:2024 Annex B handover (`OID4VPHandover`), where the
    /// wallet contributes `mdoc_generated_nonce` (the JWE `apu`).
    pub fn iso_18013_7(
        client_id: &str,
        response_uri: &str,
        nonce: &str,
        mdoc_generated_nonce: &str,
    ) -> Self {
        Self::remote(Item::array(vec![
            hash_of_array(vec![
                Item::text(client_id),
                Item::text(mdoc_generated_nonce),
            ]),
            hash_of_array(vec![
                Item::text(response_uri),
                Item::text(mdoc_generated_nonce),
            ]),
            Item::text(nonce),
        ]))
    }

    fn remote(handover: Item) -> Self {
        SessionTranscript {
            bytes: Item::array(vec![Item::null(), Item::null(), handover])
                .raw()
                .to_vec(),
        }
    }

    /// A transcript given as its CBOR bytes (the array itself, not wrapped in
    /// tag 24): exactly one well-formed item, an array of three.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        let item = cose::decode_with(bytes, &super::model::decode_options())
            .map_err(|e| e.context("the SessionTranscript"))?;
        match item.value() {
            Cbor::Array(a) if a.len() == 3 => Ok(SessionTranscript {
                bytes: bytes.to_vec(),
            }),
            _ => Err(malformed("a SessionTranscript is an array of three")),
        }
    }

    /// The transcript's CBOR bytes.
    pub fn cbor(&self) -> &[u8] {
        &self.bytes
    }

    /// `SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript)`.
    pub(crate) fn tagged_bytes(&self) -> Vec<u8> {
        Item::tag(24, Item::bytes(&self.bytes)).raw().to_vec()
    }
}

/// `DeviceAuthenticationBytes = #6.24(bstr .cbor ["DeviceAuthentication",
/// SessionTranscript, DocType, DeviceNameSpacesBytes])`, with the transcript
/// and the name spaces kept as their bytes.
///
/// Written straight out: every constructor of a transcript holds one
/// well-formed item, and `device_namespaces_bytes` is an item's encoding.
pub(crate) fn device_authentication_bytes(
    transcript: &SessionTranscript,
    doc_type: &str,
    device_namespaces_bytes: &[u8],
) -> Result<Vec<u8>> {
    use crate::cose::{push_head, push_text, string_len};
    const CONTEXT: &str = "DeviceAuthentication";
    let inner_len = 1
        + string_len(CONTEXT.len())
        + transcript.bytes.len()
        + string_len(doc_type.len())
        + device_namespaces_bytes.len();
    let mut out = Vec::with_capacity(inner_len + 12);
    push_head(&mut out, 6, 24);
    push_head(&mut out, 2, u64::try_from(inner_len).unwrap_or(u64::MAX));
    let start = out.len();
    push_head(&mut out, 4, 4);
    push_text(&mut out, CONTEXT);
    out.extend_from_slice(&transcript.bytes);
    push_text(&mut out, doc_type);
    out.extend_from_slice(device_namespaces_bytes);
    if out.len() - start != inner_len {
        return Err(crate::error::misuse("DeviceAuthentication length mismatch"));
    }
    Ok(out)
}

/// `EMacKey = HKDF-SHA-256(ECDH shared secret, salt = SHA-256(SessionTranscriptBytes),
/// info = "EMacKey", 32 bytes)` (18013-5 §9.1.3.5).
pub(crate) fn emac_key(
    shared_secret: &[u8],
    transcript: &SessionTranscript,
) -> Result<Zeroizing<Vec<u8>>> {
    let salt = sha256(&transcript.tagged_bytes());
    crate::crypto::hkdf_sha256(shared_secret, &salt, b"EMacKey", 32)
}
