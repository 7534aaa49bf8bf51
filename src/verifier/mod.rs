//! The verifier: one entry point for every format, one result.

mod data_integrity;
mod detect;
mod mdoc;
mod result;
mod sd_jwt;
mod status;
mod w3c;

pub use detect::{detect, Detected};
pub use mdoc::device_response_json;

pub use crate::policy::IdentityView;
pub use result::{
    CredentialFormat, HolderBinding, IssuerInfo, Provenance, Validity, VerificationResult,
};

use crate::crypto::SignatureChecked;
use crate::error::{holder_binding, malformed, Error, Result};
use crate::formats::profile::SdJwtProfile;
use crate::formats::w3c_vc;
use crate::jose::{typ_matches, Jws};
use crate::policy::Policy;
use crate::sd_jwt::UnverifiedSdJwt;
use crate::time::UnixTime;
use crate::trust::{IssuerKey, KeyQuery, TrustStore};
use result::Facts;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What the relying party asked for in this presentation.
///
/// ```
/// let req = passerelle::Expectations::at(passerelle::UnixTime::from_secs(1_790_000_000))
///     .nonce("n-0S6_WzA2Mj")
///     .audience("https://verifier.example");
/// # let _ = req;
/// ```
#[derive(Clone, Debug)]
pub struct Expectations {
    nonce: Option<String>,
    audience: Option<String>,
    transaction_data_hashes: Option<Vec<String>>,
    now: UnixTime,
    transcript: Option<crate::formats::mdoc::SessionTranscript>,
    reader_key: Option<std::sync::Arc<crate::crypto::PrivateKey>>,
    status_lists: Option<std::sync::Arc<dyn crate::status::StatusListSource>>,
}

impl Expectations {
    /// Expectations at time `now`, with no nonce or audience yet.
    pub fn at(now: UnixTime) -> Self {
        Expectations {
            nonce: None,
            audience: None,
            transaction_data_hashes: None,
            now,
            transcript: None,
            reader_key: None,
            status_lists: None,
        }
    }

    /// Where the verifier gets the status lists the credential references
    /// (the host fetched them: the core does no network I/O). Without a
    /// source, status is `not_checked` (or fails, when the policy requires it).
    pub fn status_lists(mut self, source: impl crate::status::StatusListSource + 'static) -> Self {
        self.status_lists = Some(std::sync::Arc::new(source));
        self
    }

    /// The nonce the verifier sent (checked in the KB-JWT).
    pub fn nonce(mut self, nonce: &str) -> Self {
        self.nonce = Some(nonce.to_owned());
        self
    }

    /// The audience the verifier expects (its client id).
    pub fn audience(mut self, aud: &str) -> Self {
        self.audience = Some(aud.to_owned());
        self
    }

    /// The SessionTranscript the verifier expects an mdoc presentation to be
    /// bound to (its device authentication is checked over it).
    pub fn session_transcript(
        mut self,
        transcript: crate::formats::mdoc::SessionTranscript,
    ) -> Self {
        self.transcript = Some(transcript);
        self
    }

    /// The reader's ephemeral private key (P-256), needed to check an mdoc
    /// `deviceMac`.
    pub fn reader_key(mut self, key: crate::crypto::PrivateKey) -> Self {
        self.reader_key = Some(std::sync::Arc::new(key));
        self
    }

    /// The request carried OpenID4VP transaction data: the KB-JWT must hold
    /// exactly these `transaction_data_hashes` (base64url digests, in order).
    pub fn transaction_data_hashes(mut self, hashes: &[&str]) -> Self {
        self.transaction_data_hashes = Some(hashes.iter().map(|h| (*h).to_owned()).collect());
        self
    }
}

/// A single-use store for presentation nonces (KB-13): a replayed
/// presentation is refused with `Policy`. Stateless verifiers (the CLI) leave
/// this to their host; a long-running verifier keeps one of these.
///
/// ```
/// let mut seen = passerelle::NonceRegistry::new(1000);
/// seen.consume("n-1")?;
/// assert_eq!(seen.consume("n-1").unwrap_err().kind(), passerelle::ErrorKind::Policy);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Debug)]
pub struct NonceRegistry {
    capacity: usize,
    order: std::collections::VecDeque<String>,
    seen: std::collections::HashSet<String>,
}

impl NonceRegistry {
    /// A registry remembering the last `capacity` nonces.
    pub fn new(capacity: usize) -> Self {
        NonceRegistry {
            capacity: capacity.max(1),
            order: std::collections::VecDeque::new(),
            seen: std::collections::HashSet::new(),
        }
    }

    /// Marks `nonce` used; fails with `Policy` if it was used before.
    pub fn consume(&mut self, nonce: &str) -> Result<()> {
        if self.seen.contains(nonce) {
            return Err(crate::error::policy(
                "this nonce was already used: a replayed presentation",
            ));
        }
        if self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.order.push_back(nonce.to_owned());
        self.seen.insert(nonce.to_owned());
        Ok(())
    }
}

/// Verifies presentations against a trust store under a policy.
///
/// ```
/// # use passerelle::*;
/// # let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let holder_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let now = UnixTime::from_secs(1_790_000_000);
/// # let claims = serde_json::json!({"iss": "https://issuer.example", "vct": "urn:eudi:pid:1", "given_name": "Erika", "family_name": "Mustermann"});
/// # let issued = SdJwtVcIssuer::new(&issuer_key)
/// #     .issue(claims.as_object().unwrap(), &Disclosable::All, Some(holder_key.public_key()), now)?;
/// # let held = HeldSdJwt::parse(&issued)?;
/// # let presented = held.present(&[ClaimPath::parse("/given_name")?],
/// #     Some(KeyBinding { signer: &holder_key, nonce: "n1", audience: "https://rp.example", iat: now }))?;
/// let mut trust = TrustStore::new();
/// trust.add_issuer_key(issuer_key.public_key().clone(), Some("https://issuer.example"), None);
/// let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
/// let expect = Expectations::at(now).nonce("n1").audience("https://rp.example");
/// let result = verifier.verify(presented.as_bytes(), &expect)?;
/// assert_eq!(result.identity().given_name(), Some("Erika"));
/// assert_eq!(result.identity().family_name(), None); // not disclosed
///
/// // A tampered presentation fails.
/// let tampered = presented.replacen("~", "~x", 1);
/// assert!(verifier.verify(tampered.as_bytes(), &expect).is_err());
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    trust: TrustStore,
    policy: Policy,
    limits: crate::limits::VerifierLimits,
}

impl Verifier {
    /// A verifier trusting `trust` under `policy`, with the crate's hard input
    /// limits.
    pub fn new(trust: TrustStore, policy: Policy) -> Self {
        Verifier {
            trust,
            policy,
            limits: crate::limits::VerifierLimits::default(),
        }
    }

    /// The same verifier with lower input bounds (checked before parsing).
    pub fn with_limits(mut self, limits: crate::limits::VerifierLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Refuses input over this verifier's bounds before anything parses it.
    fn check_input_limits(&self, input: &[u8]) -> Result<()> {
        let max = self.limits.presentation_bytes();
        if input.len() > max {
            return Err(crate::error::limit(format!(
                "input of {} bytes exceeds this verifier's limit of {max}",
                input.len()
            )));
        }
        Ok(())
    }

    fn check_disclosure_limit(&self, sd: &UnverifiedSdJwt) -> Result<()> {
        let max = self.limits.disclosures();
        if sd.disclosures.len() > max {
            return Err(crate::error::limit(format!(
                "{} disclosures exceed this verifier's limit of {max}",
                sd.disclosures.len()
            )));
        }
        Ok(())
    }

    /// Verifies a presentation, detecting its format with [`detect`] (the
    /// order is documented there). A DeviceResponse must hold exactly one
    /// document here ([`verify_device_response`](Self::verify_device_response)
    /// returns several); a COSE_Sign1 is a `vc+cose`; within SD-JWT the `typ`
    /// header routes (SD-JWT VC, or W3C `vc+sd-jwt`); a bare JWS must be a
    /// `vc+jwt`.
    pub fn verify(&self, input: &[u8], expect: &Expectations) -> Result<VerificationResult> {
        let detected = detect(input);
        // text is bounded by this verifier's limit before anything parses it
        // (CBOR keeps its own bound), whatever detection made of it
        if !matches!(
            detected,
            Ok(Detected::DeviceResponse(_) | Detected::Cose(_))
        ) {
            self.check_input_limits(input)?;
        }
        match detected? {
            Detected::DeviceResponse(cbor) => {
                let mut results = self.verify_device_response(&cbor, expect)?;
                match results.len() {
                    1 => results.pop().ok_or_else(|| malformed("no document")),
                    n => Err(crate::error::policy(format!(
                        "the DeviceResponse holds {n} documents; verify_device_response returns each"
                    ))),
                }
            }
            Detected::Cose(bytes) => self.verify_vc_cose(&bytes, expect),
            Detected::DataIntegrity(text) => self.verify_vc_data_integrity(text.as_bytes(), expect),
            Detected::SdJwt(text) => {
                let sd = UnverifiedSdJwt::parse(text)?;
                let format = match SdJwtProfile::detect(sd.issuer_jwt()?) {
                    SdJwtProfile::VcSdJwt => CredentialFormat::VcSdJwt,
                    _ => CredentialFormat::SdJwtVc,
                };
                self.verify_parsed_sd(sd, expect, format)
            }
            Detected::Jws(text) => {
                let jws = Jws::parse(text)?;
                match jws.typ() {
                    Some(typ) if typ_matches(typ, w3c_vc::TYP_JWT) => {
                        self.verify_vc_jwt(&jws, expect)
                    }
                    _ => Err(malformed(
                        "a bare JWS that is not a vc+jwt (an SD-JWT has at least one '~')",
                    )),
                }
            }
            // `Detected` is non-exhaustive for callers; every variant is routed
            #[allow(unreachable_patterns)]
            _ => Err(crate::error::unsupported(
                "the input is not a supported credential presentation",
            )),
        }
    }

    /// Whether the verifier asked for holder binding in this presentation:
    /// by policy, or by stating a nonce, an audience or a transcript. Then a
    /// presentation without a holder-binding proof is refused, in every
    /// format (stripping the proof never makes a presentation acceptable).
    fn holder_binding_asked(&self, expect: &Expectations) -> bool {
        self.policy.requires_holder_binding()
            || expect.nonce.is_some()
            || expect.audience.is_some()
            || expect.transcript.is_some()
    }

    /// The refusal for a format with no holder-binding proof of its own
    /// (a bare `vc+jwt`, `vc+cose`, `ldp_vc`) when holder binding was asked.
    fn bearer_only(&self, expect: &Expectations, format: CredentialFormat) -> Result<()> {
        if self.holder_binding_asked(expect) {
            return Err(holder_binding(format!(
                "holder binding was asked for, and a bare {} carries no holder-binding proof",
                format.as_str()
            )));
        }
        Ok(())
    }

    /// The time a registry accreditation is judged at: the verification time,
    /// or (by a weaker policy switch) the issuer-signed, always-visible
    /// issuance time when there is one.
    fn accredited_at(&self, issued: Option<u64>, now: UnixTime) -> UnixTime {
        match issued {
            Some(t) if self.policy.accreditation_at_issuance() => UnixTime::from_secs(t),
            _ => now,
        }
    }

    fn query<'a>(
        &self,
        iss: Option<&'a str>,
        types: &'a [&'a str],
        issued: Option<u64>,
        now: UnixTime,
    ) -> KeyQuery<'a> {
        KeyQuery {
            iss,
            types,
            accredited_at: self.accredited_at(issued, now),
            now,
            skew: self.policy.skew(),
        }
    }

    /// Who issued and what vouched, from the key that verified: the issuer id
    /// the key was looked up for, and the basis, framework, registry and level
    /// of the source that supplied the key.
    fn issuer_info(key: IssuerKey) -> IssuerInfo {
        let (framework, registry, assurance_level) = key.vouched();
        IssuerInfo {
            id: key.issuer_id,
            trust: key.basis,
            framework,
            registry,
            assurance_level,
        }
    }

    /// Applies the recognition policy to the facts a route checked and makes
    /// the result: the one place every route ends.
    fn finish(&self, facts: Facts, signed: &SignatureChecked) -> Result<VerificationResult> {
        let rules = self.policy.recognition_rules();
        let clause = if rules.is_empty() {
            None
        } else {
            rules.evaluate(
                facts.format.as_str(),
                &facts.credential_type,
                facts.issuer.assurance_level.as_deref(),
                &facts.identity,
            )?
        };
        Ok(VerificationResult::new(facts, clause, signed))
    }
}

/// Tries each candidate key in order; the first whose check passes wins. When
/// none does, the most specific error is reported ([`Error::specificity`]).
fn first_verifying<P>(
    candidates: Vec<IssuerKey>,
    mut check: impl FnMut(&IssuerKey) -> Result<P>,
) -> Result<(IssuerKey, P)> {
    let mut failure = None;
    for k in candidates {
        match check(&k) {
            Ok(p) => return Ok((k, p)),
            Err(e) => failure = Some(Error::most_specific(failure, e)),
        }
    }
    Err(failure.unwrap_or_else(|| crate::error::untrusted("no trusted key for the issuer")))
}

/// The issuer-signed, always-visible issuance time of a JOSE payload: `iat`,
/// else `validFrom` (W3C), typed.
fn issuance_time(visible: &Map<String, Value>) -> Result<Option<u64>> {
    if let Some(t) = crate::jose::numeric_date(visible, "iat")? {
        return Ok(Some(t));
    }
    Ok(valid_from(visible))
}

/// A W3C credential's `validFrom`, when it is a well-formed time (the data
/// model check refuses a malformed one later; here it only picks the time a
/// registry accreditation is judged at, under the weaker policy switch).
fn valid_from(c: &Map<String, Value>) -> Option<u64> {
    c.get("validFrom")
        .and_then(Value::as_str)
        .and_then(crate::time::parse_rfc3339)
        .map(|t| t.as_secs())
}

/// Provenance of a credential whose every claim is issuer-signed and visible.
fn all_issuer_signed(payload: &Map<String, Value>) -> BTreeMap<String, Provenance> {
    payload
        .keys()
        .map(|k| {
            (
                crate::sd_jwt::ClaimPath::from_segments([k.as_str()]).to_string(),
                Provenance::IssuerSigned,
            )
        })
        .collect()
}
