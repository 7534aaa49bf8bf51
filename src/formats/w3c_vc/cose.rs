//! `vc+cose`: a VCDM 2.0 credential secured with COSE_Sign1 (W3C VC-JOSE-COSE
//! §3.3).
//!
//! Produced: tag 18, protected `{alg, 16 (typ): "application/vc+cose", 3
//! (content type): "application/vc", 4 (kid) when set}`, the credential JSON as
//! the attached payload, no external AAD. Accepted: tagged or untagged; `typ`
//! and content type are optional but, when present, must be those values
//! (`Malformed`); the payload must be attached (`Malformed`) and parse with the
//! strict JSON reader as an object; a `kid` is a byte string holding UTF-8
//! text (a DID URL or a configured kid). The COSE header rules of
//! [`crate::cose`] apply (alg protected, ES256/ES384/EdDSA only).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::cose::{self, CoseSign1, Header, Item, Label, Value as Cbor};
use crate::crypto::Signer;
use crate::error::{malformed, Result};
use serde_json::{Map, Value};

const TYP: i64 = 16;
const CONTENT_TYPE: i64 = 3;

/// Signs `credential` as `vc+cose` (the checks are the caller's).
pub(crate) fn sign_cose(
    credential: &Map<String, Value>,
    signer: &dyn Signer,
    kid: Option<&str>,
) -> Result<Vec<u8>> {
    let mut protected = Header::new()
        .with(Label::Int(TYP), Item::text(super::TYP_COSE))?
        .with(Label::Int(CONTENT_TYPE), Item::text(super::CTY_COSE))?;
    if let Some(kid) = kid {
        protected = protected.with_kid(kid.as_bytes())?;
    }
    let payload = Value::Object(credential.clone()).to_string();
    cose::sign1(
        &protected,
        &Header::new(),
        payload.as_bytes(),
        false,
        signer,
        b"",
        true,
    )
}

/// A `vc+cose` as received: the COSE_Sign1 and its payload parsed as JSON
/// (not yet verified).
#[derive(Debug)]
pub(crate) struct VcCose {
    pub(crate) sign1: CoseSign1,
    pub(crate) credential: Map<String, Value>,
}

impl VcCose {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let sign1 = CoseSign1::parse(bytes)?;
        for (label, want, name) in [
            (TYP, super::TYP_COSE, "typ"),
            (CONTENT_TYPE, super::CTY_COSE, "content type"),
        ] {
            let found = sign1
                .protected()
                .get_int(label)
                .or_else(|| sign1.unprotected().get_int(label));
            if let Some(item) = found {
                match item.value() {
                    Cbor::Text(t) if t == want => {}
                    _ => return Err(malformed(format!("the vc+cose {name} is not {want:?}"))),
                }
            }
        }
        let payload = sign1
            .payload()
            .ok_or_else(|| malformed("a vc+cose payload must be attached"))?;
        let credential = crate::encoding::parse_json_object(payload, "the vc+cose payload")?;
        Ok(VcCose { sign1, credential })
    }

    /// The `kid` as text.
    pub(crate) fn kid(&self) -> Result<Option<&str>> {
        self.sign1
            .kid()
            .map(|k| core::str::from_utf8(k).map_err(|_| malformed("the vc+cose kid is not UTF-8")))
            .transpose()
    }
}
