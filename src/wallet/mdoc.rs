//! The wallet role for ISO/IEC 18013-5 mdocs: keep IssuerSigned as received,
//! present chosen elements in a DeviceResponse bound to a SessionTranscript.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::crypto::{KeyAgreement, PublicKey, Signer};
use crate::error::{misuse, Result};
use crate::formats::mdoc::{self, values, DeviceAuthMode, IssuerSigned, SessionTranscript};
use serde_json::{Map, Value};

/// An mdoc as the wallet holds it: the IssuerSigned structure exactly as
/// issued (every item and `issuerAuth` is forwarded byte for byte).
///
/// ```
/// use passerelle::*;
/// # let now = UnixTime::from_secs(1_790_000_000);
/// # let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let iaca = CertificateBuilder::new("Utopia IACA").country("UT").ca(Some(0))
/// #     .validity(now, UnixTime::from_secs(now.as_secs() + 86_400 * 365)).self_signed(&iaca_key)?;
/// # let ds_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let ds = CertificateBuilder::new("Utopia DS").country("UT").end_entity()
/// #     .extended_key_usage("1.0.18013.5.1.2")
/// #     .validity(now, UnixTime::from_secs(now.as_secs() + 86_400 * 100))
/// #     .issued_by(&iaca, &iaca_key, ds_key.public_key())?;
/// let device_key = PrivateKey::generate(Algorithm::Es256)?;
/// let elements = serde_json::json!({NAMESPACE_MDL: {"family_name": "Doe", "age_over_18": true}});
/// let issued = MdocIssuer::new(&ds_key, &[ds])
///     .issue(DOCTYPE_MDL, elements.as_object().unwrap(), device_key.public_key(), now)?;
/// let held = HeldMdoc::parse(&issued)?;
/// let transcript = SessionTranscript::openid4vp("x509_san_dns:rp.example", "n-1", None,
///     "https://rp.example/post");
/// let response = held.present(&[(NAMESPACE_MDL, "age_over_18")], &transcript, &device_key)?;
///
/// let mut trust = TrustStore::new();
/// trust.add_anchor_der(iaca.der())?;
/// let results = Verifier::new(trust, Policy::default()).verify_device_response(
///     &response, &Expectations::at(now).session_transcript(transcript))?;
/// assert_eq!(results[0].claims()[DOCTYPE_MDL][NAMESPACE_MDL], serde_json::json!({"age_over_18": true}));
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct HeldMdoc {
    doc_type: String,
    device_key: PublicKey,
    signed: IssuerSigned,
}

impl HeldMdoc {
    /// Reads an issued IssuerSigned structure (CBOR). The docType and the
    /// device key come from its MSO; nothing is verified here (the wallet got
    /// it from its issuer; verifiers check everything).
    pub fn parse(issuer_signed: &[u8]) -> Result<Self> {
        let signed = IssuerSigned::parse_bytes(issuer_signed)?;
        let mso = signed.mso()?;
        Ok(HeldMdoc {
            doc_type: mso.doc_type,
            device_key: mso.device_key,
            signed,
        })
    }

    /// The docType.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The device key the MSO binds the mdoc to.
    pub fn device_key(&self) -> &PublicKey {
        &self.device_key
    }

    /// Every element held, as `(namespace, element)`.
    pub fn elements(&self) -> Vec<(String, String)> {
        self.signed
            .namespaces
            .iter()
            .flat_map(|(ns, items)| items.iter().map(|i| (ns.clone(), i.identifier.clone())))
            .collect()
    }

    /// Every element as JSON, `{namespace: {element: value}}`.
    pub fn claims(&self) -> Result<Value> {
        let mut out = Map::new();
        for (ns, items) in &self.signed.namespaces {
            let mut m = Map::new();
            for i in items {
                m.insert(i.identifier.clone(), values::to_json(&i.value)?);
            }
            out.insert(ns.clone(), Value::Object(m));
        }
        Ok(Value::Object(out))
    }

    fn check_request(&self, disclose: &[(&str, &str)]) -> Result<()> {
        let held = self.elements();
        for (ns, e) in disclose {
            if !held.iter().any(|(n, el)| n == ns && el == e) {
                return Err(misuse(format!("element {ns}/{e} is not in this mdoc")));
            }
        }
        Ok(())
    }

    fn respond(
        &self,
        disclose: &[(&str, &str)],
        transcript: &SessionTranscript,
        auth: &DeviceAuthMode<'_>,
    ) -> Result<Vec<u8>> {
        self.check_request(disclose)?;
        mdoc::build_device_response(
            &self.doc_type,
            &self.signed,
            &|ns, e| disclose.iter().any(|(n, el)| *n == ns && *el == e),
            transcript,
            auth,
        )
    }

    /// A DeviceResponse disclosing exactly `disclose` (`(namespace, element)`),
    /// authenticated by a `deviceSignature` of `device_key` over
    /// DeviceAuthentication for `transcript`. A key other than the MSO's is
    /// `ApiMisuse`, as is an element this mdoc does not hold.
    pub fn present(
        &self,
        disclose: &[(&str, &str)],
        transcript: &SessionTranscript,
        device_key: &dyn Signer,
    ) -> Result<Vec<u8>> {
        if device_key.public_key() != &self.device_key {
            return Err(misuse("the signing key is not the mdoc's device key"));
        }
        self.respond(disclose, transcript, &DeviceAuthMode::Signature(device_key))
    }

    /// Like [`present`](Self::present), authenticated by a `deviceMac`: the
    /// MAC key comes from ECDH of `device_key` with the reader's ephemeral
    /// `reader_key`, then HKDF over the transcript (18013-5 §9.1.3.5).
    pub fn present_with_mac(
        &self,
        disclose: &[(&str, &str)],
        transcript: &SessionTranscript,
        device_key: &dyn KeyAgreement,
        reader_key: &PublicKey,
    ) -> Result<Vec<u8>> {
        if device_key.public_key() != &self.device_key {
            return Err(misuse("the agreement key is not the mdoc's device key"));
        }
        self.respond(
            disclose,
            transcript,
            &DeviceAuthMode::Mac(device_key, reader_key),
        )
    }
}
