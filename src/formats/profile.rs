//! The credential profiles an SD-JWT can carry, and each profile's rules:
//! routing by `typ`, header rules, the claims that must never be disclosed,
//! and the trust-deciding facts read from the issuer-signed, always-visible
//! payload. The verifier walks these in one direction; nothing here looks up
//! keys or decides trust.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::{sd_jwt_vc, w3c_vc};
use crate::error::{malformed, Result};
use crate::jose::{check_validity, optional_str, typ_matches, Jws};
use crate::time::UnixTime;
use serde_json::{Map, Value};

/// Which credential profile an SD-JWT is verified under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SdJwtProfile {
    /// IETF SD-JWT VC (`dc+sd-jwt`; legacy `vc+sd-jwt` with `vct` and no
    /// `@context`, when the policy allows it).
    SdJwtVc,
    /// W3C VCDM 2.0 secured with SD-JWT (`vc+sd-jwt`).
    VcSdJwt,
    /// A plain RFC 9901 SD-JWT: no credential-profile rules.
    Plain,
}

/// The facts a profile reports once its rules passed, every one read from the
/// issuer-signed, always-visible payload (the data model of a `vc+sd-jwt` is
/// checked on the processed claims, whose trust-deciding members were refused
/// in disclosures, so they are the visible ones).
#[derive(Debug)]
pub(crate) struct ProfileFacts {
    /// `vct`, the most specific VC `type`, or the JOSE `typ` of a plain SD-JWT.
    pub(crate) credential_type: String,
    pub(crate) iat: Option<u64>,
    pub(crate) nbf: Option<u64>,
    pub(crate) exp: Option<u64>,
    /// A `vc+sd-jwt`'s `credentialStatus` (a W3C Bitstring reference); the
    /// other profiles carry a Token Status List `status` claim instead.
    pub(crate) credential_status: Option<Value>,
}

impl SdJwtProfile {
    /// The profile an SD-JWT declares, for auto-detection: `typ: vc+sd-jwt` is a
    /// VCDM credential unless its payload is an SD-JWT VC one (`vct` and no
    /// `@context`: the legacy SD-JWT VC media type, which the SD-JWT VC header
    /// rule then accepts only under `allow_legacy_typ`); every other `typ`
    /// (and none) routes to SD-JWT VC, whose header rule refuses what is not.
    pub(crate) fn detect(first: &Jws) -> Self {
        match first.typ() {
            Some(typ) if typ_matches(typ, w3c_vc::TYP_SD_JWT) => {
                let p = first.payload();
                if p.contains_key("vct") && !p.contains_key("@context") {
                    SdJwtProfile::SdJwtVc
                } else {
                    SdJwtProfile::VcSdJwt
                }
            }
            _ => SdJwtProfile::SdJwtVc,
        }
    }

    /// The issuer JWT header rules (`typ`). A `vc+sd-jwt` without `typ` is
    /// accepted, where the caller named the format.
    pub(crate) fn check_header(self, jws: &Jws, allow_legacy_typ: bool) -> Result<()> {
        match self {
            SdJwtProfile::SdJwtVc => sd_jwt_vc::check_header(jws, allow_legacy_typ),
            SdJwtProfile::VcSdJwt if jws.typ().is_some() => {
                jws.require_typ(&[w3c_vc::TYP_SD_JWT]).map(|_| ())
            }
            _ => Ok(()),
        }
    }

    /// The claims this profile keeps always visible (refused in a disclosure,
    /// at the top level before any key lookup and anywhere after processing),
    /// with the profile's name for the message.
    pub(crate) fn never_disclosable(self) -> Option<(&'static [&'static str], &'static str)> {
        match self {
            SdJwtProfile::SdJwtVc => Some((sd_jwt_vc::ALWAYS_VISIBLE, "SD-JWT VC")),
            SdJwtProfile::VcSdJwt => Some((w3c_vc::NOT_DISCLOSABLE, "vc+sd-jwt")),
            SdJwtProfile::Plain => None,
        }
    }

    /// The issuer the key is looked up for and the credential types, from the
    /// always-visible payload only.
    pub(crate) fn trust_query(
        self,
        visible: &Map<String, Value>,
    ) -> Result<(Option<&str>, Vec<&str>)> {
        let jwt_iss = optional_str(visible, "iss")?;
        Ok(match self {
            SdJwtProfile::VcSdJwt => {
                let issuer = w3c_vc::issuer_id(visible).ok_or_else(|| {
                    malformed("a vc+sd-jwt names its issuer in the always-visible payload (issuer)")
                })?;
                w3c_vc::check_jwt_claims_agree(visible, issuer)?;
                (Some(issuer), w3c_vc::types(visible))
            }
            SdJwtProfile::SdJwtVc => (jwt_iss, optional_str(visible, "vct")?.into_iter().collect()),
            SdJwtProfile::Plain => (jwt_iss, Vec::new()),
        })
    }

    /// The profile's claim rules at `now`: `visible` is the issuer JWT's
    /// payload, `processed` the claims after disclosure processing, `iss` what
    /// [`trust_query`](Self::trust_query) returned, `typ` the issuer JWT's.
    /// For a `vc+sd-jwt` the VCDM dates win over the JWT's time claims, and
    /// the credential's issuer must be the visible one.
    pub(crate) fn check_claims(
        self,
        typ: Option<&str>,
        visible: &Map<String, Value>,
        processed: &Map<String, Value>,
        iss: Option<&str>,
        now: UnixTime,
        skew: u64,
    ) -> Result<ProfileFacts> {
        match self {
            SdJwtProfile::SdJwtVc => {
                let vc = sd_jwt_vc::check_claims(visible, now, skew)?;
                Ok(ProfileFacts {
                    credential_type: vc.vct,
                    iat: vc.iat,
                    nbf: vc.nbf,
                    exp: vc.exp,
                    credential_status: None,
                })
            }
            SdJwtProfile::VcSdJwt => {
                let (iat, nbf, exp) = check_validity(visible, now, skew)?;
                let info = w3c_vc::check_credential(processed, now, skew)?;
                if Some(info.issuer.as_str()) != iss {
                    return Err(malformed(
                        "the credential's issuer is not the visible issuer",
                    ));
                }
                let (nbf, exp) = w3c_vc::merge_dates(&info, nbf, exp);
                Ok(ProfileFacts {
                    credential_type: info.credential_type,
                    iat,
                    nbf,
                    exp,
                    credential_status: info.status,
                })
            }
            SdJwtProfile::Plain => {
                let (iat, nbf, exp) = check_validity(visible, now, skew)?;
                Ok(ProfileFacts {
                    credential_type: typ.unwrap_or_default().to_owned(),
                    iat,
                    nbf,
                    exp,
                    credential_status: None,
                })
            }
        }
    }
}
