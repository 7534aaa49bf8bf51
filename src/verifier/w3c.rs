//! The JOSE and COSE routes for W3C VCDM 2.0 credentials (W3C
//! VC-JOSE-COSE): `vc+jwt` and `vc+cose`. (`vc+sd-jwt` takes the SD-JWT route,
//! [`sd_jwt`](super::sd_jwt).)

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::result::{CredentialFormat, Facts, HolderBinding, Validity, VerificationResult};
use super::{
    all_issuer_signed, first_verifying, issuance_time, valid_from, Expectations, IdentityView,
    Verifier,
};
use crate::crypto::SignatureChecked;
use crate::error::{malformed, Result};
use crate::formats::w3c_vc;
use crate::jose::{check_validity, Jws};
use crate::policy::Layout;
use crate::trust::IssuerKey;
use serde_json::{Map, Value};

impl Verifier {
    /// Verifies a W3C VCDM 2.0 credential secured as a JWT (`vc+jwt`, W3C
    /// VC-JOSE-COSE): the issuer's key is looked up for the credential's
    /// `issuer`, then the signature, the data model and the validity period.
    pub fn verify_vc_jwt_text(
        &self,
        text: &str,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        self.check_input_limits(text.as_bytes())?;
        self.verify_vc_jwt(&Jws::parse(text)?, expect)
    }

    pub(super) fn verify_vc_jwt(
        &self,
        jws: &Jws,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        // VC-JOSE-COSE: typ SHOULD be vc+jwt. Auto-detection routes on it; a
        // caller that names the format explicitly may present one without typ.
        if jws.typ().is_some() {
            let _ = jws.require_typ(&[w3c_vc::TYP_JWT])?;
        }
        let payload = jws.payload();
        let types = w3c_vc::types(payload);
        let issued = issuance_time(payload)?;
        let query = self.query(w3c_vc::issuer_id(payload), &types, issued, expect.now);
        let candidates = self.trust.issuer_keys_for_jws(jws, &query)?;
        let (key, proof) = first_verifying(candidates, |k| jws.verify(&k.key))?;
        let times = check_validity(payload, expect.now, self.policy.skew())?;
        let info = w3c_vc::check_credential(payload, expect.now, self.policy.skew())?;
        w3c_vc::check_iss_agrees(jws, &info)?;
        self.bearer_only(expect, CredentialFormat::VcJwt)?;
        self.vc_result(
            payload,
            info,
            times,
            key,
            CredentialFormat::VcJwt,
            expect,
            &proof,
        )
    }

    /// The result for a W3C credential whose signature was verified with `key`
    /// and whose data model `info` was checked (every claim issuer-signed).
    #[allow(clippy::too_many_arguments)] // one private assembly step of two routes
    fn vc_result(
        &self,
        payload: &Map<String, Value>,
        info: w3c_vc::VcdmInfo,
        times: (Option<u64>, Option<u64>, Option<u64>),
        key: IssuerKey,
        format: CredentialFormat,
        expect: &Expectations,
        signed: &SignatureChecked,
    ) -> Result<VerificationResult> {
        if info.issuer != key.issuer_id {
            return Err(malformed(
                "the credential's issuer is not the issuer its key was trusted for",
            ));
        }
        let status = self.check_bitstring_status(info.status.as_ref(), &key.issuer_id, expect)?;
        let claims = Value::Object(payload.clone());
        let (not_before, expires) = w3c_vc::merge_dates(&info, times.1, times.2);
        let facts = Facts {
            format,
            identity: IdentityView::from_claims(&claims, Layout::W3c, expect.now)?,
            provenance: all_issuer_signed(payload),
            holder_claims: None,
            credential_type: info.credential_type,
            issuer: Self::issuer_info(key),
            validity: Validity {
                issued_at: times.0,
                not_before,
                expires,
            },
            holder_binding: if payload.contains_key("cnf") {
                HolderBinding::NotChecked
            } else {
                HolderBinding::NotBound
            },
            status,
            claims,
        };
        self.finish(facts, signed)
    }

    /// Verifies a W3C VCDM 2.0 credential secured with COSE (`vc+cose`, W3C
    /// VC-JOSE-COSE §3.3): the COSE_Sign1 is parsed (typ and content type
    /// checked when present, payload attached), the issuer's key is looked up
    /// for the credential's `issuer` (with the `kid` and an `x5chain` as
    /// hints), the signature is verified, then the data model, the validity
    /// period, and CWT Claims (header parameter 15) when present: `iss` must
    /// equal the credential's `issuer`, `exp`/`nbf` must hold at
    /// [`Expectations`]' time.
    ///
    /// ```
    /// use passerelle::*;
    /// let key = PrivateKey::generate(Algorithm::Es256)?;
    /// let vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
    /// let cose = VcIssuer::new(&key).issue_cose(&vc)?;
    /// let mut trust = TrustStore::new();
    /// trust.add_issuer_key(key.public_key().clone(), Some("https://issuer.example.ca"), None);
    /// let r = Verifier::new(trust, Policy::default())
    ///     .verify_vc_cose(&cose, &Expectations::at(UnixTime::from_secs(1_790_000_000)))?;
    /// assert_eq!(r.format(), CredentialFormat::VcCose);
    /// assert_eq!(r.claims()["credentialSubject"]["givenName"], "Marie");
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn verify_vc_cose(
        &self,
        bytes: &[u8],
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        let vc = w3c_vc::VcCose::parse(bytes)?;
        let hints = crate::trust::KeyHints {
            alg: vc.sign1.alg(),
            kid: vc.kid()?,
            x5c: vc.sign1.x5chain()?,
        };
        let types = w3c_vc::types(&vc.credential);
        let valid_from = valid_from(&vc.credential);
        let query = self.query(
            w3c_vc::issuer_id(&vc.credential),
            &types,
            valid_from,
            expect.now,
        );
        let candidates = self.trust.issuer_keys(&hints, &query)?;
        let (key, proof) = first_verifying(candidates, |k| vc.sign1.verify(&k.key, b"", None))?;
        let info = w3c_vc::check_credential(&vc.credential, expect.now, self.policy.skew())?;
        vc.cwt.check(&info.issuer, expect.now, self.policy.skew())?;
        self.bearer_only(expect, CredentialFormat::VcCose)?;
        self.vc_result(
            &vc.credential,
            info,
            (None, None, None),
            key,
            CredentialFormat::VcCose,
            expect,
            &proof,
        )
    }
}
