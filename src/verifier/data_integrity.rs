//! The Data Integrity route of the verifier (`ldp_vc`): a VCDM 2.0 credential
//! with `eddsa-jcs-2022` / `ecdsa-jcs-2019` proofs by the issuer's DID.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::result::{CredentialFormat, Facts, HolderBinding, Validity, VerificationResult};
use super::{all_issuer_signed, valid_from, Expectations, IdentityView, Verifier};
use crate::error::{malformed, Result};
use crate::formats::w3c_vc;
use crate::policy::Layout;
use crate::trust::IssuerKey;
use serde_json::Value;

impl Verifier {
    /// Verifies a W3C VCDM 2.0 credential secured with Data Integrity proofs
    /// (`eddsa-jcs-2022`, `ecdsa-jcs-2019`): every proof must verify with an
    /// assertion method of the issuer's DID document (a trusted did:key, or a
    /// did:web / did:webvh whose document or log the host handed in, resolved
    /// at the verification time; a did:key a registry accredits resolves too),
    /// then the data model, the validity period and the registry accreditation
    /// are checked.
    pub fn verify_vc_data_integrity(
        &self,
        input: &[u8],
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        use crate::data_integrity::{ijson, verify_proofs, VerifyOptions};
        use crate::trust::did;
        self.check_input_limits(input)?;
        let doc = ijson::parse_document(input)?;
        let issuer = w3c_vc::issuer_id(&doc)
            .ok_or_else(|| malformed("a VCDM credential needs an issuer"))?
            .to_owned();
        let types = w3c_vc::types(&doc);
        let valid_from = valid_from(&doc);
        let query = self.query(Some(&issuer), &types, valid_from, expect.now);
        let resolved;
        let did_doc = match self.trust.did_document_at(&issuer, expect.now)? {
            Some(d) => d,
            None if issuer.starts_with("did:key:")
                && self
                    .trust
                    .did_accreditation(&issuer, None, &query)
                    .is_ok_and(|a| a.is_some()) =>
            {
                resolved = did::did_key_document(&issuer)?;
                std::borrow::Cow::Borrowed(&resolved)
            }
            None => {
                return Err(crate::error::untrusted(
                    "the credential's issuer is not a trusted DID",
                ))
            }
        };
        let resolver = did::document_resolver(&did_doc);
        let mut opts = VerifyOptions::at(expect.now).with_skew(self.policy.skew());
        opts.expected_purpose = Some("assertionMethod");
        let proofs = verify_proofs(&doc, &resolver, &opts)?;
        let first = proofs
            .first()
            .ok_or_else(|| malformed("no proof verified"))?;
        let info = w3c_vc::check_credential(&doc, expect.now, self.policy.skew())?;
        self.bearer_only(expect, CredentialFormat::VcDataIntegrity)?;
        let accreditation = self
            .trust
            .did_accreditation(&issuer, Some(first.key()), &query)?;
        let key = IssuerKey {
            key: first.key().clone(),
            basis: crate::trust::TrustBasis::Did {
                did: issuer.clone(),
            },
            issuer_id: issuer,
            assurance: Default::default(),
            accreditation,
            anchor_der: None,
        };
        let status = self.check_bitstring_status(info.status.as_ref(), &key.issuer_id, expect)?;
        let claims = Value::Object(doc.clone());
        let facts = Facts {
            format: CredentialFormat::VcDataIntegrity,
            identity: IdentityView::from_claims(&claims, Layout::W3c, expect.now)?,
            provenance: all_issuer_signed(&doc),
            holder_claims: None,
            credential_type: info.credential_type,
            issuer: Self::issuer_info(key),
            validity: Validity {
                issued_at: None,
                not_before: info.valid_from,
                expires: info.valid_until,
            },
            holder_binding: HolderBinding::NotBound,
            status,
            claims,
        };
        self.finish(facts, first.signature_checked())
    }
}
