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
//!
//! CWT Claims (header parameter 15, RFC 9597), which VC-JOSE-COSE §3.3.3
//! allows: accepted only in the protected bucket (in the unprotected one they
//! could be changed in transit: `Malformed`, a project rule). The value must be
//! a map; `iss` (1) must be text, `exp` (4), `nbf` (5) and `iat` (6) unsigned
//! integers (a floating-point NumericDate is refused as `Malformed`); other
//! claims are ignored, as the Recommendation says of claims not understood.
//! After the signature is verified, `iss` must equal the credential's
//! `issuer` (VC-JOSE-COSE §4.1.2 "iss … MUST match"; `Malformed`, as VC-11
//! for `vc+jwt`), a passed `exp` is `Expired` and a future `nbf`
//! `NotYetValid` (the signature's own lifetime, checked with the policy's
//! clock skew, beside the credential's `validFrom`/`validUntil`). No CWT
//! Claims are written on issuance.
//!
//! Key lookup (the one `vc+jwt` uses, through `trust::KeyHints`): the
//! credential's `issuer` (string or `issuer.id`) names the issuer, the `kid`
//! and an `x5chain` (label 33, either bucket, RFC 9360: one certificate is a
//! bare bstr) are hints. An `x5chain` is validated to a configured anchor and
//! its leaf must name the issuer (`Untrusted` otherwise); with a DID issuer it
//! is `Policy` (one key source per credential). A DID issuer's key is the
//! assertion method the `kid` (a DID URL) names in its trusted DID document. A
//! configured key must be bound to that issuer (or to any issuer) and, when
//! both have one, to the same `kid`. So a key trusted for issuer A never
//! verifies a credential naming issuer B: `Untrusted` when no key of B
//! matches, `Signature` when B's key is tried and did not sign.
//!
//! The spec's COSE examples (ex07, ex10, ex11 of the VC-JOSE-COSE snapshot)
//! claim `alg` -35 (ES384) over a 64-byte P-256 signature: refused as
//! `Signature` ("algorithm ES384 does not match the P-256 key"), as the
//! header's `alg` is authoritative and never inferred from the key or the
//! signature length.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::cose::{self, CoseSign1, Header, Item, Label, Value as Cbor};
use crate::crypto::Signer;
use crate::error::{expired, malformed, not_yet_valid, Result};
use crate::time::UnixTime;
use serde_json::{Map, Value};

const TYP: i64 = 16;
const CONTENT_TYPE: i64 = 3;
/// CWT Claims header parameter (RFC 9597).
const CWT_CLAIMS: i64 = 15;
/// CWT claim keys (RFC 8392 §4).
const CWT_ISS: i64 = 1;
const CWT_EXP: i64 = 4;
const CWT_NBF: i64 = 5;
const CWT_IAT: i64 = 6;

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
    /// CWT Claims from the protected header (not yet checked).
    pub(crate) cwt: CwtClaims,
}

/// The CWT claims of header parameter 15 that are checked: as received, to be
/// compared with the credential only after the signature is verified.
#[derive(Debug, Default)]
pub(crate) struct CwtClaims {
    iss: Option<String>,
    exp: Option<u64>,
    nbf: Option<u64>,
}

impl CwtClaims {
    fn parse(item: &Item) -> Result<Self> {
        let Cbor::Map(entries) = item.value() else {
            return Err(malformed(format!(
                "the vc+cose CWT Claims (15) is {}, not a map",
                item.kind_name()
            )));
        };
        let mut claims = CwtClaims::default();
        for (key, value) in entries {
            let Cbor::Int(label) = key.value() else {
                continue; // a text-named claim: not one we check
            };
            match i64::try_from(*label) {
                Ok(CWT_ISS) => claims.iss = Some(value.as_text("the CWT iss")?.to_owned()),
                Ok(CWT_EXP) => claims.exp = Some(value.as_uint("the CWT exp")?),
                Ok(CWT_NBF) => claims.nbf = Some(value.as_uint("the CWT nbf")?),
                Ok(CWT_IAT) => {
                    let _ = value.as_uint("the CWT iat")?;
                }
                _ => {}
            }
        }
        Ok(claims)
    }

    /// `iss` against the credential's issuer, `exp` and `nbf` against `now`.
    /// Call only once the signature is verified.
    pub(crate) fn check(&self, issuer: &str, now: UnixTime, skew: u64) -> Result<()> {
        if self.iss.as_deref().is_some_and(|iss| iss != issuer) {
            return Err(malformed(
                "the vc+cose CWT iss differs from the credential's issuer",
            ));
        }
        let now = now.as_secs();
        if self.nbf.is_some_and(|nbf| nbf > now.saturating_add(skew)) {
            return Err(not_yet_valid("the vc+cose CWT nbf is in the future"));
        }
        if self.exp.is_some_and(|exp| now >= exp.saturating_add(skew)) {
            return Err(expired("the vc+cose CWT exp has passed"));
        }
        Ok(())
    }
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
        if sign1.unprotected().get_int(CWT_CLAIMS).is_some() {
            return Err(malformed(
                "vc+cose CWT Claims (15) must be in the protected header",
            ));
        }
        let cwt = match sign1.protected().get_int(CWT_CLAIMS) {
            Some(item) => CwtClaims::parse(item)?,
            None => CwtClaims::default(),
        };
        let payload = sign1
            .payload()
            .ok_or_else(|| malformed("a vc+cose payload must be attached"))?;
        let credential = crate::encoding::parse_json_object(payload, "the vc+cose payload")?;
        Ok(VcCose {
            sign1,
            credential,
            cwt,
        })
    }

    /// The `kid` as text.
    pub(crate) fn kid(&self) -> Result<Option<&str>> {
        self.sign1
            .kid()
            .map(|k| core::str::from_utf8(k).map_err(|_| malformed("the vc+cose kid is not UTF-8")))
            .transpose()
    }
}
