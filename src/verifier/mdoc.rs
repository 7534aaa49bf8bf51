//! The mdoc route of the verifier: a DeviceResponse in, one result per document.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::result::{CredentialFormat, Facts, Provenance};
use super::{Expectations, HolderBinding, IdentityView, Validity, VerificationResult, Verifier};
use crate::crypto::KeyAgreement;
use crate::error::{holder_binding, policy, Result};
use crate::formats::mdoc::{self, DeviceResponse, Document};
use crate::policy::Layout;
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
}

/// The CLI JSON of a verified DeviceResponse: one document is its result;
/// several are each judged on their own and listed under `documents`, and the
/// top level then says only what holds for all of them: `"valid": true` means
/// every document verified (each under the policy), `claims` and `provenance`
/// are keyed by docType (so no document's facts are read as another's), and
/// the per-document facts (issuer, identity, holder binding, validity,
/// status, policy clause) appear only inside `documents`, never merged.
pub fn device_response_json(results: &[VerificationResult]) -> Value {
    if let [one] = results {
        return one.to_json();
    }
    let mut claims = Map::new();
    let mut provenance = Map::new();
    for r in results {
        if let Value::Object(c) = r.claims() {
            claims.extend(c.clone());
        }
        provenance.extend(
            r.provenance_map()
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str()))),
        );
    }
    serde_json::json!({
        "valid": true,
        "format": CredentialFormat::MsoMdoc.as_str(),
        "claims": claims,
        "provenance": provenance,
        "documents": results.iter().map(VerificationResult::to_json).collect::<Vec<_>>(),
    })
}

impl Verifier {
    fn verify_mdoc_document(
        &self,
        doc: &Document,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        let auth = &doc.issuer_signed.issuer_auth;
        let chain = auth.x5chain()?;
        let (key, (not_before, not_after), iaca_country) =
            self.trust
                .issuer_key_for_x5chain(chain.as_deref(), &doc.doc_type, expect.now)?;
        let signed = auth.verify(&key.key, b"", None)?;
        let mso = doc.issuer_signed.mso()?;
        mdoc::check_signed_within(&mso, not_before, not_after)?;
        let issuer_elements = mdoc::check_issuer_data(&doc.doc_type, &doc.issuer_signed, &mso)?;
        mdoc::check_issuing_country(iaca_country.as_deref(), &issuer_elements)?;
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
            None if self.holder_binding_asked(expect) => {
                return Err(holder_binding(
                    "holder binding was asked for, but no SessionTranscript is expected, so the mdoc device authentication cannot be checked",
                ))
            }
            None => (HolderBinding::NotChecked, Vec::new()),
        };
        // claims: issuer-signed elements only; device-signed (holder-asserted)
        // elements are reported apart and never reach the identity view or
        // the policy, nor override an issuer-signed element
        let namespaces = mdoc::claims_json(&issuer_elements, &Vec::new())?;
        let mut provenance = std::collections::BTreeMap::new();
        for (ns, els) in &issuer_elements {
            for (e, _) in els {
                let p = crate::sd_jwt::ClaimPath::pointer_of([doc.doc_type.as_str(), ns, e]);
                let _ = provenance.insert(p, Provenance::IssuerDisclosed);
            }
        }
        let mut claims = Map::new();
        claims.insert(doc.doc_type.clone(), Value::Object(namespaces));
        let claims = Value::Object(claims);
        let holder_claims = if device_elements.is_empty() {
            None
        } else {
            let mut h = Map::new();
            h.insert(
                doc.doc_type.clone(),
                Value::Object(mdoc::claims_json(&device_elements, &Vec::new())?),
            );
            Some(Value::Object(h))
        };
        let identity = IdentityView::from_claims(&claims, Layout::Mdoc(&doc.doc_type), expect.now)?;
        let status = match (&mso.status, key.anchor_der.as_deref()) {
            (Some(item), Some(iaca)) => {
                let claim = crate::status::parse_status_claim_cbor(item)?;
                let reference = match (claim.status_list(), claim.identifier_list()) {
                    (Some(sl), _) => StatusReference::TokenStatusList {
                        uri: sl.uri().to_owned(),
                        index: sl.idx(),
                    },
                    (None, Some(il)) => StatusReference::IdentifierList {
                        uri: il.uri().to_owned(),
                        id: il.id().to_vec(),
                    },
                    (None, None) => StatusReference::Other(mdoc::values::to_json(item)?),
                };
                if expect.status_lists.is_none() && !self.policy.requires_status() {
                    Status::NotChecked(reference)
                } else {
                    self.check_mdoc_status(&claim, iaca, expect)?
                }
            }
            (Some(item), None) => {
                Status::NotChecked(StatusReference::Other(mdoc::values::to_json(item)?))
            }
            (None, _) => Status::Absent,
        };
        let issuer = Self::issuer_info(key);
        let facts = Facts {
            provenance,
            holder_claims,
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
        };
        self.finish(facts, &signed)
    }
}
