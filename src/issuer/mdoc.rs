//! The issuer role for ISO/IEC 18013-5 mdocs.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::crypto::{PublicKey, SecureRandom, Signer, SystemRandom};
use crate::error::{misuse, Result};
use crate::formats::mdoc::{self, values, MsoParams};
use crate::time::UnixTime;
use crate::x509::Certificate;
use serde_json::{Map, Value};

/// Issues ISO/IEC 18013-5 mdocs: IssuerSignedItems with 32 random bytes each and
/// unique random digest IDs, the Mobile Security Object (SHA-256 digests, the
/// holder's device key, the docType, the validity), signed as `issuerAuth` by
/// a document signer whose certificate chain (leaf first) goes in `x5chain`.
/// The output is the CBOR `IssuerSigned` structure (the OpenID4VCI
/// `mso_mdoc` credential is its base64url).
///
/// ```
/// use passerelle::*;
/// let now = UnixTime::from_secs(1_790_000_000);
/// let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
/// let iaca = CertificateBuilder::new("Utopia IACA").country("UT").ca(Some(0))
///     .validity(now, UnixTime::from_secs(now.as_secs() + 86_400 * 365)).self_signed(&iaca_key)?;
/// let ds_key = PrivateKey::generate(Algorithm::Es256)?;
/// let ds = CertificateBuilder::new("Utopia DS").country("UT").end_entity()
///     .extended_key_usage("1.0.18013.5.1.2")
///     .validity(now, UnixTime::from_secs(now.as_secs() + 86_400 * 100))
///     .issued_by(&iaca, &iaca_key, ds_key.public_key())?;
/// let device_key = PrivateKey::generate(Algorithm::Es256)?;
/// let elements = serde_json::json!({NAMESPACE_MDL: {
///     "family_name": "Doe", "given_name": "Jane", "birth_date": "1990-02-03", "age_over_18": true}});
/// let issued = MdocIssuer::new(&ds_key, &[ds])
///     .issue(DOCTYPE_MDL, elements.as_object().unwrap(), device_key.public_key(), now)?;
/// let held = HeldMdoc::parse(&issued)?;
/// assert_eq!(held.doc_type(), DOCTYPE_MDL);
/// assert_eq!(held.claims()?[NAMESPACE_MDL]["birth_date"], "1990-02-03");
/// # Ok::<(), passerelle::Error>(())
/// ```
pub struct MdocIssuer<'a> {
    signer: &'a dyn Signer,
    rng: &'a dyn SecureRandom,
    x5chain: Vec<Vec<u8>>,
    validity_secs: u64,
    decoys: usize,
}

impl<'a> MdocIssuer<'a> {
    /// An issuer signing with the document signer key `signer`, whose
    /// certificate chain is `chain` (leaf first; a self-signed root is left
    /// out, as the IACA is a trust anchor and never sent). Validity 365 days,
    /// two decoy digests per namespace, randoms from the system RNG.
    pub fn new(signer: &'a dyn Signer, chain: &[Certificate]) -> Self {
        MdocIssuer {
            signer,
            rng: &SystemRandom,
            x5chain: chain
                .iter()
                .filter(|c| !c.is_self_signed())
                .map(|c| c.der().to_vec())
                .collect(),
            validity_secs: 365 * 86_400,
            decoys: 2,
        }
    }

    /// The docType that `elements` (`{namespace: {element: value}}`) imply on
    /// their own: the mDL's for a lone mDL namespace, the EU PID's for a lone
    /// PID namespace; `None` otherwise (the caller names the docType).
    ///
    /// ```
    /// use passerelle::{MdocIssuer, DOCTYPE_EU_PID, DOCTYPE_MDL};
    /// let mdl = serde_json::json!({"org.iso.18013.5.1": {"given_name": "Jane"}});
    /// assert_eq!(MdocIssuer::implied_doc_type(mdl.as_object().unwrap()), Some(DOCTYPE_MDL));
    /// let pid = serde_json::json!({"eu.europa.ec.eudi.pid.1": {"given_name": "Erika"}});
    /// assert_eq!(MdocIssuer::implied_doc_type(pid.as_object().unwrap()), Some(DOCTYPE_EU_PID));
    /// let both = serde_json::json!({"org.iso.18013.5.1": {}, "org.example.ns": {}});
    /// assert_eq!(MdocIssuer::implied_doc_type(both.as_object().unwrap()), None);
    /// ```
    pub fn implied_doc_type(elements: &Map<String, Value>) -> Option<&'static str> {
        let mut namespaces = elements.keys();
        match (namespaces.next().map(String::as_str), namespaces.next()) {
            (Some(mdoc::NAMESPACE_MDL), None) => Some(mdoc::DOCTYPE_MDL),
            (Some(mdoc::NAMESPACE_EU_PID), None) => Some(mdoc::DOCTYPE_EU_PID),
            _ => None,
        }
    }

    /// Use `rng` for randoms, digest IDs and decoys.
    pub fn with_rng(mut self, rng: &'a dyn SecureRandom) -> Self {
        self.rng = rng;
        self
    }

    /// The MSO is valid for `secs` seconds from issuance.
    pub fn with_validity_secs(mut self, secs: u64) -> Self {
        self.validity_secs = secs;
        self
    }

    /// Add `n` decoy digests to each namespace of the MSO (0 for none).
    pub fn with_decoys(mut self, n: usize) -> Self {
        self.decoys = n;
        self
    }

    /// Issues `elements` (`{namespace: {element: value}}`, JSON values mapped
    /// to CBOR as [the format docs](crate::SessionTranscript) describe:
    /// full-dates for `birth_date` / `issue_date` / `expiry_date`, bytes for
    /// `portrait`, and `$full-date` / `$tdate` / `$bytes` markers) for the
    /// holder's `device_key`, signed at `now`. Returns IssuerSigned as CBOR.
    pub fn issue(
        &self,
        doc_type: &str,
        elements: &Map<String, Value>,
        device_key: &PublicKey,
        now: UnixTime,
    ) -> Result<Vec<u8>> {
        if doc_type.is_empty() {
            return Err(misuse("the docType is empty"));
        }
        if self.x5chain.is_empty() {
            return Err(misuse(
                "an mdoc issuer needs its document signer certificate (x5chain)",
            ));
        }
        // every value encoded into one buffer, then handed on as slices of it
        // (sized for the text and base64url the values hold: one growth at most)
        let estimate: usize = elements
            .values()
            .filter_map(Value::as_object)
            .flat_map(|els| els.values())
            .map(|v| v.as_str().map_or(64, |s| s.len() + 9))
            .sum();
        let mut encoded = Vec::with_capacity(estimate);
        let mut spans = Vec::with_capacity(elements.len());
        for (ns, els) in elements {
            let Value::Object(els) = els else {
                return Err(misuse(format!(
                    "namespace {ns:?} must map element names to values"
                )));
            };
            let mut items = Vec::with_capacity(els.len());
            for (name, v) in els {
                let start = encoded.len();
                values::encode_json(name, v, &mut encoded)?;
                items.push((name.as_str(), start..encoded.len()));
            }
            spans.push((ns.as_str(), items));
        }
        let namespaces: Vec<(&str, mdoc::ToIssue<'_>)> = spans
            .into_iter()
            .map(|(ns, items)| {
                let items = items
                    .into_iter()
                    .map(|(name, span)| (name, encoded.get(span).unwrap_or_default()))
                    .collect();
                (ns, items)
            })
            .collect();
        let until = UnixTime::from_secs(now.as_secs().saturating_add(self.validity_secs));
        mdoc::build_issuer_signed(
            &namespaces,
            &MsoParams {
                doc_type,
                device_key,
                signed: now,
                valid_from: now,
                valid_until: until,
                decoys_per_namespace: self.decoys,
            },
            self.signer,
            &self.x5chain,
            self.rng,
        )
    }
}
