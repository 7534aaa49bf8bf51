//! The mdoc route of the verifier: a DeviceResponse in, one result per document.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::result::CredentialFormat;
use super::{Expectations, HolderBinding, IdentityView, Validity, VerificationResult, Verifier};
use crate::crypto::KeyAgreement;
use crate::error::{holder_binding, policy, untrusted, Result};
use crate::formats::mdoc::{self, DeviceResponse, Document};
use crate::status::{Status, StatusReference};
use serde_json::{Map, Value};

impl Verifier {
    /// Verifies an ISO/IEC 18013-5 DeviceResponse (CBOR bytes) and returns one
    /// result per document, in order.
    ///
    /// For each document: the document signer's `x5chain` is validated to a
    /// configured IACA anchor (mdoc EKU, validity at `now`), `issuerAuth` is
    /// verified with its key, the MSO was signed within the signer
    /// certificate's validity, then every rule of the
    /// [`mdoc` format](crate::SessionTranscript) applies: docTypes, digests over
    /// the received items, the validity window, and, when the expectations
    /// name a [`SessionTranscript`](crate::SessionTranscript), the device
    /// authentication over it (without one, holder binding is `not_checked`,
    /// or `HolderBinding` when the policy requires it).
    ///
    /// A disclosed `issuing_country` other than the IACA's `countryName` is
    /// `Policy`.
    ///
    /// A response without documents, or with a non-zero `status`, is `Policy`
    /// (the message names the status); two documents of one docType are
    /// `Policy` (ambiguous).
    pub fn verify_device_response(
        &self,
        bytes: &[u8],
        expect: &Expectations,
    ) -> Result<Vec<VerificationResult>> {
        let response = DeviceResponse::parse(bytes)?;
        if response.status != 0 || response.documents.is_empty() {
            return Err(policy(format!(
                "the DeviceResponse holds {} documents, {} document errors and status {}: nothing to accept",
                response.documents.len(),
                response.document_errors,
                response.status
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &response.documents {
            if !seen.insert(d.doc_type.as_str()) {
                return Err(policy(format!(
                    "the DeviceResponse holds two documents of docType {:?}",
                    crate::crypto::clip(&d.doc_type)
                )));
            }
        }
        response
            .documents
            .iter()
            .map(|d| self.verify_mdoc_document(d, expect))
            .collect()
    }

    fn verify_mdoc_document(
        &self,
        doc: &Document,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        let auth = &doc.issuer_signed.issuer_auth;
        let chain = auth.x5chain()?;
        let (key, (not_before, not_after)) = self
            .trust
            .issuer_key_for_x5chain(chain.as_deref(), expect.now)?;
        let _checked = auth.verify(&key.key, b"", None)?;
        let mso = doc.issuer_signed.mso()?;
        if mso.signed < not_before || mso.signed > not_after {
            return Err(untrusted(
                "the MSO was signed outside the document signer certificate's validity",
            ));
        }
        let issuer_elements = mdoc::check_issuer_data(&doc.doc_type, &doc.issuer_signed, &mso)?;
        check_issuing_country(&key.basis, &issuer_elements)?;
        mdoc::check_validity(&mso, expect.now, self.policy.skew())?;
        let (binding, device_elements) = match &expect.transcript {
            Some(t) => {
                let reader: Option<&dyn KeyAgreement> = match expect.reader_key.as_deref() {
                    Some(k) => Some(k),
                    None => None,
                };
                let els = mdoc::check_device_auth(doc, &mso, t, reader)?;
                (
                    HolderBinding::Verified {
                        key_thumbprint: mso.device_key.jwk_thumbprint(),
                        signed_at: expect.now.as_secs(),
                    },
                    els,
                )
            }
            None if self.policy.requires_holder_binding() => {
                return Err(holder_binding(
                    "no SessionTranscript is expected, so the mdoc device authentication cannot be checked",
                ))
            }
            None => (HolderBinding::NotChecked, Vec::new()),
        };
        let namespaces = mdoc::claims_json(&issuer_elements, &device_elements)?;
        let mut claims = Map::new();
        claims.insert(doc.doc_type.clone(), Value::Object(namespaces));
        let claims = Value::Object(claims);
        let identity = IdentityView::from_claims(&claims);
        let status = match &mso.status {
            Some(s) => Status::NotChecked(StatusReference::Other(mdoc::values::to_json(s)?)),
            None => Status::Absent,
        };
        let issuer = self.issuer_info(
            key.issuer_id,
            key.basis,
            key.assurance,
            &doc.doc_type,
            mso.signed,
        )?;
        self.recognise(VerificationResult {
            policy_clause: None,
            format: CredentialFormat::MsoMdoc,
            credential_type: doc.doc_type.clone(),
            issuer,
            validity: Validity {
                issued_at: Some(mso.signed.as_secs()),
                not_before: Some(mso.valid_from.as_secs()),
                expires: Some(mso.valid_until.as_secs()),
            },
            holder_binding: binding,
            status,
            claims,
            identity,
        })
    }
}

/// J-23: a disclosed `issuing_country` must be the IACA's `countryName`
/// (18013-5 Annex B asks the IACA to name the issuing country). Checked when
/// both are known; `Policy` otherwise.
fn check_issuing_country(
    basis: &crate::trust::TrustBasis,
    elements: &mdoc::Elements,
) -> Result<()> {
    let crate::trust::TrustBasis::X509 { anchor, .. } = basis else {
        return Ok(());
    };
    let Some(country) = anchor
        .split(',')
        .find_map(|rdn| rdn.trim().strip_prefix("C="))
    else {
        return Ok(());
    };
    for (_, els) in elements {
        for (name, value) in els {
            if name == "issuing_country" {
                if let Ok(v) = mdoc::values::to_json(value) {
                    if v.as_str().is_some_and(|c| c != country) {
                        return Err(policy(format!(
                            "issuing_country {v} differs from the IACA's country {country:?}"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}
