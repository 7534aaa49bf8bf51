//! The SD-JWT route of the verifier: SD-JWT VC (`dc+sd-jwt`), W3C
//! `vc+sd-jwt` and plain RFC 9901 SD-JWTs. The profile's rules are
//! [`formats::profile`](crate::formats::profile)'s; this route walks them
//! once, in order: header, never-disclosable claims, the key lookup (trust),
//! the signature, disclosure processing (the envelope), the profile's claims,
//! the Key Binding JWT, status, then the recognition policy.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::result::{
    CredentialFormat, Facts, HolderBinding, Provenance, Validity, VerificationResult,
};
use super::{first_verifying, issuance_time, status, Expectations, IdentityView, Verifier};
use crate::error::{holder_binding, malformed, Result};
use crate::formats::profile::SdJwtProfile;
use crate::policy::Layout;
use crate::sd_jwt::{verify_kb_jwt, KbCheck, UnverifiedSdJwt};
use crate::status::{parse_status_claim, Status};
use serde_json::Value;

impl Verifier {
    /// Verifies a W3C VCDM 2.0 credential secured with SD-JWT (`vc+sd-jwt`):
    /// disclosures only inside `credentialSubject`, the data model after
    /// processing, and the KB-JWT as for any SD-JWT. A missing `typ` is
    /// accepted here, where the caller names the format.
    pub fn verify_vc_sd_jwt(
        &self,
        text: &str,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        self.verify_sd(text, expect, CredentialFormat::VcSdJwt)
    }

    /// Verifies an SD-JWT VC presentation (`dc+sd-jwt`).
    pub fn verify_sd_jwt_vc(
        &self,
        text: &str,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        self.verify_sd(text, expect, CredentialFormat::SdJwtVc)
    }

    /// Verifies a plain SD-JWT (RFC 9901) of any `typ`: the issuer signature,
    /// every §7 processing rule, the registered time claims and, when presented
    /// or required, the KB-JWT. No credential-profile rules apply.
    pub fn verify_sd_jwt(&self, text: &str, expect: &Expectations) -> Result<VerificationResult> {
        self.verify_sd(text, expect, CredentialFormat::SdJwt)
    }

    pub(super) fn verify_sd(
        &self,
        text: &str,
        expect: &Expectations,
        format: CredentialFormat,
    ) -> Result<VerificationResult> {
        self.check_input_limits(text.as_bytes())?;
        self.verify_parsed_sd(UnverifiedSdJwt::parse(text)?, expect, format)
    }

    pub(super) fn verify_parsed_sd(
        &self,
        sd: UnverifiedSdJwt,
        expect: &Expectations,
        format: CredentialFormat,
    ) -> Result<VerificationResult> {
        let now = expect.now;
        self.check_disclosure_limit(&sd)?;
        let profile = match format {
            CredentialFormat::SdJwtVc => SdJwtProfile::SdJwtVc,
            CredentialFormat::VcSdJwt => SdJwtProfile::VcSdJwt,
            _ => SdJwtProfile::Plain,
        };
        // Header rules first (typ), then trust, then signature.
        for jws in &sd.issuer {
            profile.check_header(jws, self.policy.legacy_typ_allowed())?;
        }
        let never_disclosable = profile.never_disclosable();
        if let Some((names, what)) = never_disclosable {
            sd.refuse_top_level(names, what)?;
        }
        // Every fact that decides trust is read from the issuer-signed,
        // always-visible payload: the issuer the key is looked up for, the
        // type, the issuance time. Nothing a disclosure carries reaches them.
        let visible = sd.issuer_jwt()?.payload();
        let (iss, types) = profile.trust_query(visible)?;
        let issued = issuance_time(visible)?;
        let query = self.query(iss, &types, issued, now);
        // With several signatures (general JSON serialization) one signature by
        // a trusted key suffices; when none verifies, the most specific error
        // of them is reported.
        let mut verified = None;
        let mut failure: Option<crate::error::Error> = None;
        for jws in &sd.issuer {
            let attempt = self
                .trust
                .issuer_keys_for_jws(jws, &query)
                .and_then(|keys| first_verifying(keys, |k| jws.verify(&k.key)));
            match attempt {
                Ok(ok) => {
                    verified = Some(ok);
                    break;
                }
                Err(e) => failure = Some(crate::error::Error::most_specific(failure, e)),
            }
        }
        let (issuer_key, proof) = match (verified, failure) {
            (Some(v), _) => v,
            (None, Some(e)) => return Err(e),
            (None, None) => return Err(malformed("no issuer signature")),
        };
        let processed = sd.process(&proof)?;
        // claims the profile keeps visible are refused in a disclosure before
        // anything reads the time claims (a disclosed exp is malformed, not expired)
        if let Some((names, what)) = never_disclosable {
            processed.refuse_disclosed(names, what)?;
        }
        let facts = profile.check_claims(
            sd.issuer_jwt()?.typ(),
            visible,
            &processed.claims,
            iss,
            now,
            self.policy.skew(),
        )?;
        let (iat, nbf, exp) = (facts.iat, facts.nbf, facts.exp);
        // SD-JWT VC and plain SD-JWT: a Token Status List `status` claim,
        // always visible (a vc+sd-jwt's reference is its credentialStatus)
        let token_status = match profile {
            SdJwtProfile::VcSdJwt => Status::Absent,
            _ => parse_status_claim(visible)?,
        };
        let layout = if profile == SdJwtProfile::VcSdJwt {
            Layout::W3c
        } else {
            Layout::TopLevel
        };
        let cnf = visible.get("cnf");

        let holder = match &sd.parts.kb_jwt {
            None if self.holder_binding_asked(expect) => {
                return Err(holder_binding(
                    "holder binding was asked for (a nonce, an audience or the policy) and no Key Binding JWT was presented",
                ))
            }
            None if cnf.is_some() => HolderBinding::NotChecked,
            None => HolderBinding::NotBound,
            Some(kb) => {
                let nonce = expect
                    .nonce
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| holder_binding("a KB-JWT can only be checked against an expected nonce, and none was given"))?;
                let audience = expect
                    .audience
                    .as_deref()
                    .ok_or_else(|| holder_binding("a KB-JWT can only be checked against an expected audience, and none was given"))?;
                let check = KbCheck {
                    nonce,
                    audience,
                    now,
                    skew: self.policy.skew(),
                    max_age: self.policy.kb_max_age(),
                };
                let kb = verify_kb_jwt(kb, cnf, &sd.parts.sd_hash_input, sd.hash, &check)?;
                if let Some(issued) = iat {
                    if kb.iat.saturating_add(self.policy.skew()) < issued {
                        return Err(holder_binding(
                            "the KB-JWT was signed before the credential was issued",
                        ));
                    }
                }
                if let Some(want) = &expect.transaction_data_hashes {
                    let got = kb
                        .claims
                        .get("transaction_data_hashes")
                        .and_then(Value::as_array);
                    let same = got.is_some_and(|g| {
                        g.len() == want.len()
                            && g.iter()
                                .zip(want)
                                .all(|(a, b)| a.as_str() == Some(b.as_str()))
                    });
                    if !same {
                        return Err(holder_binding(
                            "the KB-JWT transaction_data_hashes do not match the request's transaction data",
                        ));
                    }
                }
                HolderBinding::Verified {
                    key_thumbprint: kb.key.jwk_thumbprint(),
                    signed_at: kb.iat,
                }
            }
        };
        let provenance = processed
            .provenance()
            .into_iter()
            .map(|(k, disclosed)| {
                let p = if disclosed {
                    Provenance::IssuerDisclosed
                } else {
                    Provenance::IssuerSigned
                };
                (k, p)
            })
            .collect();
        let status = match &facts.credential_status {
            Some(cs) => self.check_bitstring_status(Some(cs), &issuer_key.issuer_id, expect)?,
            None => {
                let signer = status::ListSigner::Issuer {
                    issuer_id: &issuer_key.issuer_id,
                    key: &issuer_key.key,
                };
                self.check_status(token_status, &signer, expect)?
            }
        };
        let claims = Value::Object(processed.claims);
        let facts = Facts {
            format,
            identity: IdentityView::from_claims(&claims, layout, now)?,
            provenance,
            holder_claims: None,
            issuer: Self::issuer_info(issuer_key),
            credential_type: facts.credential_type,
            validity: Validity {
                issued_at: iat,
                not_before: nbf,
                expires: exp,
            },
            holder_binding: holder,
            status,
            claims,
        };
        self.finish(facts, &proof)
    }
}
