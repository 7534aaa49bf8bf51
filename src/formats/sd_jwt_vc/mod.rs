//! IETF SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): `typ: dc+sd-jwt`, `vct`, the
//! registered time claims, `cnf` and `status`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::error::{malformed, policy, Result};
use crate::jose::{check_validity, optional_str, Jws};
use crate::time::UnixTime;
use serde_json::{Map, Value};

/// The media type of an SD-JWT VC.
pub(crate) const TYP: &str = "dc+sd-jwt";
/// The media type earlier drafts used (and W3C VC-JOSE-COSE uses for VCDM).
pub(crate) const LEGACY_TYP: &str = "vc+sd-jwt";

/// Claims the draft forbids making selectively disclosable.
pub(crate) const ALWAYS_VISIBLE: &[&str] =
    &["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// Checks the issuer JWT header. `dc+sd-jwt` is required; the legacy
/// `vc+sd-jwt` is accepted only when `allow_legacy` and the payload is an
/// SD-JWT VC (has `vct`, no `@context`). A VCDM payload is a format confusion.
pub(crate) fn check_header(jws: &Jws, allow_legacy: bool) -> Result<()> {
    let typ = jws.require_typ(&[TYP, LEGACY_TYP])?;
    let payload = jws.payload();
    if payload.contains_key("@context") {
        return Err(policy(
            "a W3C VCDM payload (@context) is not an SD-JWT VC: format confusion",
        ));
    }
    if crate::jose::typ_matches(typ, LEGACY_TYP) && !allow_legacy {
        return Err(policy(
            "typ vc+sd-jwt is the legacy SD-JWT VC media type; dc+sd-jwt is required",
        ));
    }
    Ok(())
}

/// The SD-JWT VC claims a verifier reports.
#[derive(Debug, Clone)]
pub(crate) struct VcClaims {
    pub(crate) vct: String,
    pub(crate) iat: Option<u64>,
    pub(crate) nbf: Option<u64>,
    pub(crate) exp: Option<u64>,
}

/// Checks the claims that decide trust and validity, read from the
/// issuer-signed, always-visible payload only (`visible`: the JWS payload,
/// never the processed claims): typed time claims against `now`, `vct`
/// present, `iss` and `cnf` of the right shape. The caller has already refused
/// disclosures of [`ALWAYS_VISIBLE`] claims; a disclosed `iat` (which the
/// draft lets the issuer make disclosable) is never read here, so withholding
/// it changes nothing.
pub(crate) fn check_claims(
    visible: &Map<String, Value>,
    now: UnixTime,
    skew: u64,
) -> Result<VcClaims> {
    let (iat, nbf, exp) = check_validity(visible, now, skew).map_err(|e| e.context("SD-JWT VC"))?;
    let vct = optional_str(visible, "vct")?
        .ok_or_else(|| malformed("an SD-JWT VC needs a vct claim (always visible)"))?
        .to_owned();
    let _ = optional_str(visible, "iss")?;
    if let Some(cnf) = visible.get("cnf") {
        if !cnf.is_object() {
            return Err(malformed("cnf is not an object"));
        }
    }
    Ok(VcClaims { vct, iat, nbf, exp })
}
