//! The verifier: one entry point for every format, one result.

mod mdoc;
mod result;
mod status;

pub use mdoc::device_response_json;

pub use crate::policy::IdentityView;
pub use result::{
    CredentialFormat, HolderBinding, IssuerInfo, Provenance, Validity, VerificationResult,
};

use crate::error::{holder_binding, malformed, unsupported, Result};
use crate::formats::{sd_jwt_vc, w3c_vc};
use crate::jose::check_validity;
use crate::jose::{optional_str, typ_matches, Jws};
use crate::policy::{Layout, Policy};
use crate::sd_jwt::{verify_kb_jwt, KbCheck, UnverifiedSdJwt};
use crate::status::parse_status_claim;
use crate::status::{Status, StatusReference};
use crate::time::UnixTime;
use crate::trust::{IssuerKey, KeyQuery, TrustStore};
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

/// The DeviceResponse CBOR in `input`, when it is one: raw bytes starting with
/// a map head, or base64url text (the OpenID4VP `vp_token` form) of such bytes.
fn device_response_bytes(input: &[u8]) -> Result<Option<Vec<u8>>> {
    let is_map = |b: &[u8]| b.first().is_some_and(|&c| (0xa0..=0xbf).contains(&c));
    if is_map(input) {
        return Ok(Some(input.to_vec()));
    }
    let b64url = !input.is_empty()
        && input
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    // 'o'..'v' and 'p'..: base64url of 0xa0..0xbf starts with 'o', 'p', 'q', 'r', 's', 't', 'u', 'v'
    if b64url && matches!(input.first(), Some(b'o'..=b'v')) {
        let text = core::str::from_utf8(input).map_err(|_| malformed("not UTF-8"))?;
        let bytes = crate::encoding::b64u_decode(
            text,
            crate::cose::MAX_CBOR_BYTES.saturating_mul(4) / 3 + 4,
            "the DeviceResponse",
        )?;
        if is_map(&bytes) {
            return Ok(Some(bytes));
        }
    }
    Ok(None)
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

    /// Verifies a presentation, detecting its format.
    ///
    /// Detection order (documented for interop harnesses): bytes that start
    /// with a CBOR map head (0xa0–0xbf), or base64url text that decodes to
    /// such bytes, are an ISO 18013-5 DeviceResponse (exactly one document
    /// here; [`verify_device_response`](Self::verify_device_response) returns
    /// several); CBOR tag 18 or an array of four (a COSE_Sign1) is a
    /// `vc+cose`; JSON with `@context` and `proof` is a Data Integrity
    /// credential; text that starts with `{` or contains `~` is an SD-JWT (JSON
    /// or compact serialization); a bare JWS is a `vc+jwt`; any other input is
    /// refused as not a supported format. Within SD-JWT the `typ` header routes.
    pub fn verify(&self, input: &[u8], expect: &Expectations) -> Result<VerificationResult> {
        if let Some(cbor) = device_response_bytes(input)? {
            let mut results = self.verify_device_response(&cbor, expect)?;
            return match results.len() {
                1 => results.pop().ok_or_else(|| malformed("no document")),
                n => Err(crate::error::policy(format!(
                    "the DeviceResponse holds {n} documents; verify_device_response returns each"
                ))),
            };
        }
        if matches!(input.first(), Some(0xd2 | 0x84)) {
            return self.verify_vc_cose(input, expect);
        }
        self.check_input_limits(input)?;
        let text = core::str::from_utf8(input);
        match text {
            Ok(t)
                if t.starts_with('{') && t.contains("\"proof\"") && t.contains("\"@context\"") =>
            {
                self.verify_vc_data_integrity(input, expect)
            }
            Ok(t) if t.starts_with('{') || t.contains('~') => {
                let sd = UnverifiedSdJwt::parse(t)?;
                let first = sd.issuer_jwt()?;
                let format = match first.typ() {
                    Some(typ) if typ_matches(typ, w3c_vc::TYP_SD_JWT) => {
                        let p = first.payload();
                        // an SD-JWT VC payload under the legacy typ: the SD-JWT VC
                        // path accepts it only with allow_legacy_typ (Policy otherwise)
                        let legacy_vc = p.contains_key("vct") && !p.contains_key("@context");
                        if legacy_vc {
                            CredentialFormat::SdJwtVc
                        } else {
                            CredentialFormat::VcSdJwt
                        }
                    }
                    _ => CredentialFormat::SdJwtVc,
                };
                self.verify_parsed_sd(sd, expect, format)
            }
            Ok(t) if t.bytes().filter(|&b| b == b'.').count() == 2 => {
                let jws = Jws::parse(t)?;
                match jws.typ() {
                    Some(typ) if typ_matches(typ, w3c_vc::TYP_JWT) => {
                        self.verify_vc_jwt(&jws, expect)
                    }
                    _ => Err(malformed(
                        "a bare JWS that is not a vc+jwt (an SD-JWT has at least one '~')",
                    )),
                }
            }
            _ => Err(unsupported(
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

    /// Applies the recognition policy to the parts of a verified result and
    /// builds it: the one place a result is made.
    fn finish(&self, r: VerificationResult) -> Result<VerificationResult> {
        let rules = self.policy.recognition_rules();
        let clause = if rules.is_empty() {
            None
        } else {
            rules.evaluate(
                r.format.as_str(),
                &r.credential_type,
                r.issuer.assurance_level.as_deref(),
                &r.identity,
            )?
        };
        Ok(VerificationResult {
            policy_clause: clause,
            ..r
        })
    }

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
        let info = w3c_vc::check_credential(&doc, expect.now, self.policy.skew())?;
        self.bearer_only(expect, CredentialFormat::VcDataIntegrity)?;
        let accreditation =
            self.trust
                .did_accreditation(&issuer, proofs.first().map(|p| p.key()), &query)?;
        let key = IssuerKey {
            key: match proofs.first() {
                Some(p) => p.key().clone(),
                None => return Err(malformed("no proof verified")),
            },
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
        self.finish(VerificationResult {
            policy_clause: None,
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
        })
    }

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

    /// Verifies a W3C VCDM 2.0 credential secured as a JWT (`vc+jwt`, W3C
    /// VC-JOSE-COSE): the issuer's key is looked up for the credential's
    /// `issuer`, then the signature, the data model and the validity period.
    pub fn verify_vc_jwt_text(
        &self,
        text: &str,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        self.verify_vc_jwt(&Jws::parse(text)?, expect)
    }

    fn verify_vc_jwt(&self, jws: &Jws, expect: &Expectations) -> Result<VerificationResult> {
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
        let (key, _proof) = first_verifying(candidates, |k| jws.verify(&k.key))?;
        let times = check_validity(payload, expect.now, self.policy.skew())?;
        let info = w3c_vc::check_credential(payload, expect.now, self.policy.skew())?;
        w3c_vc::check_iss_agrees(jws, &info)?;
        self.bearer_only(expect, CredentialFormat::VcJwt)?;
        self.vc_result(payload, info, times, key, CredentialFormat::VcJwt, expect)
    }

    /// The result for a W3C credential whose signature was verified with `key`
    /// and whose data model `info` was checked (every claim issuer-signed).
    fn vc_result(
        &self,
        payload: &Map<String, Value>,
        info: w3c_vc::VcdmInfo,
        times: (Option<u64>, Option<u64>, Option<u64>),
        key: IssuerKey,
        format: CredentialFormat,
        expect: &Expectations,
    ) -> Result<VerificationResult> {
        if info.issuer != key.issuer_id {
            return Err(malformed(
                "the credential's issuer is not the issuer its key was trusted for",
            ));
        }
        let status = self.check_bitstring_status(info.status.as_ref(), &key.issuer_id, expect)?;
        let claims = Value::Object(payload.clone());
        self.finish(VerificationResult {
            policy_clause: None,
            format,
            identity: IdentityView::from_claims(&claims, Layout::W3c, expect.now)?,
            provenance: all_issuer_signed(payload),
            holder_claims: None,
            credential_type: info.credential_type,
            issuer: Self::issuer_info(key),
            validity: Validity {
                issued_at: times.0,
                not_before: info.valid_from.or(times.1),
                expires: info.valid_until.or(times.2),
            },
            holder_binding: if payload.contains_key("cnf") {
                HolderBinding::NotChecked
            } else {
                HolderBinding::NotBound
            },
            status,
            claims,
        })
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
    /// let vc = passerelle::ca_person_example("https://issuer.example.ca");
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
        let (key, _proof) = first_verifying(candidates, |k| vc.sign1.verify(&k.key, b"", None))?;
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
        )
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

    fn verify_sd(
        &self,
        text: &str,
        expect: &Expectations,
        format: CredentialFormat,
    ) -> Result<VerificationResult> {
        self.check_input_limits(text.as_bytes())?;
        self.verify_parsed_sd(UnverifiedSdJwt::parse(text)?, expect, format)
    }

    fn verify_parsed_sd(
        &self,
        sd: UnverifiedSdJwt,
        expect: &Expectations,
        format: CredentialFormat,
    ) -> Result<VerificationResult> {
        let now = expect.now;
        self.check_disclosure_limit(&sd)?;
        // Header rules first (typ), then trust, then signature.
        for jws in &sd.issuer {
            match format {
                CredentialFormat::SdJwtVc => {
                    sd_jwt_vc::check_header(jws, self.policy.legacy_typ_allowed())?
                }
                CredentialFormat::VcSdJwt if jws.typ().is_some() => {
                    let _ = jws.require_typ(&[w3c_vc::TYP_SD_JWT])?;
                }
                _ => {}
            }
        }
        match format {
            CredentialFormat::SdJwtVc => {
                sd.refuse_top_level(sd_jwt_vc::ALWAYS_VISIBLE, "SD-JWT VC")?
            }
            CredentialFormat::VcSdJwt => {
                sd.refuse_top_level(w3c_vc::NOT_DISCLOSABLE, "vc+sd-jwt")?
            }
            _ => {}
        }
        // Every fact that decides trust is read from the issuer-signed,
        // always-visible payload: the issuer the key is looked up for, the
        // type, the issuance time. Nothing a disclosure carries reaches them.
        let visible = sd.issuer_jwt()?.payload();
        let jwt_iss = optional_str(visible, "iss")?;
        let (iss, types): (Option<&str>, Vec<&str>) = match format {
            CredentialFormat::VcSdJwt => {
                let issuer = w3c_vc::issuer_id(visible).ok_or_else(|| {
                    malformed("a vc+sd-jwt names its issuer in the always-visible payload (issuer)")
                })?;
                w3c_vc::check_jwt_claims_agree(visible, issuer)?;
                (Some(issuer), w3c_vc::types(visible))
            }
            CredentialFormat::SdJwtVc => {
                (jwt_iss, optional_str(visible, "vct")?.into_iter().collect())
            }
            _ => (jwt_iss, Vec::new()),
        };
        let issued = issuance_time(visible)?;
        let query = self.query(iss, &types, issued, now);
        // With several signatures (general JSON serialization) one signature by
        // a trusted key suffices; errors from the others are reported only when
        // none verifies.
        let mut verified = None;
        let mut first_err = None;
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
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        let (issuer_key, proof) = match (verified, first_err) {
            (Some(v), _) => v,
            (None, Some(e)) => return Err(e),
            (None, None) => return Err(malformed("no issuer signature")),
        };
        let processed = sd.process(&proof)?;
        // claims the profile keeps visible are refused in a disclosure before
        // anything reads the time claims (a disclosed exp is malformed, not expired)
        match format {
            CredentialFormat::SdJwtVc => {
                processed.refuse_disclosed(sd_jwt_vc::ALWAYS_VISIBLE, "SD-JWT VC")?
            }
            CredentialFormat::VcSdJwt => {
                processed.refuse_disclosed(w3c_vc::NOT_DISCLOSABLE, "vc+sd-jwt")?
            }
            _ => {}
        }
        let (credential_type, layout, (iat, nbf, exp), status) = match format {
            CredentialFormat::SdJwtVc => {
                let vc = sd_jwt_vc::check_claims(visible, now, self.policy.skew())?;
                let status = parse_status_claim(visible)?;
                (vc.vct, Layout::TopLevel, (vc.iat, vc.nbf, vc.exp), status)
            }
            CredentialFormat::VcSdJwt => {
                let times = check_validity(visible, now, self.policy.skew())?;
                // the data model is checked on the processed claims (the
                // subject may be disclosed); its trust-deciding members were
                // refused in disclosures above, so they are the visible ones
                let info = w3c_vc::check_credential(&processed.claims, now, self.policy.skew())?;
                if Some(info.issuer.as_str()) != iss {
                    return Err(malformed(
                        "the credential's issuer is not the visible issuer",
                    ));
                }
                let status = info.status.clone().map_or(Status::Absent, |s| {
                    Status::NotChecked(StatusReference::Other(s))
                });
                (
                    info.credential_type,
                    Layout::W3c,
                    (
                        times.0,
                        info.valid_from.or(times.1),
                        info.valid_until.or(times.2),
                    ),
                    status,
                )
            }
            _ => {
                let times = check_validity(visible, now, self.policy.skew())?;
                let typ = sd.issuer_jwt()?.typ().unwrap_or_default().to_owned();
                (typ, Layout::TopLevel, times, parse_status_claim(visible)?)
            }
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
        let status = match (format, status) {
            (CredentialFormat::VcSdJwt, Status::NotChecked(StatusReference::Other(cs))) => {
                self.check_bitstring_status(Some(&cs), &issuer_key.issuer_id, expect)?
            }
            (_, status) => {
                let signer = status::ListSigner::Issuer {
                    issuer_id: &issuer_key.issuer_id,
                    key: &issuer_key.key,
                };
                self.check_status(status, &signer, expect)?
            }
        };
        let claims = Value::Object(processed.claims);
        self.finish(VerificationResult {
            policy_clause: None,
            format,
            identity: IdentityView::from_claims(&claims, layout, now)?,
            provenance,
            holder_claims: None,
            issuer: Self::issuer_info(issuer_key),
            credential_type,
            validity: Validity {
                issued_at: iat,
                not_before: nbf,
                expires: exp,
            },
            holder_binding: holder,
            status,
            claims,
        })
    }
}

/// Tries each candidate key in order; the first whose check passes wins. When
/// none does, the error of the first is reported (all are `Signature` but for
/// a key of the wrong type, which the lookup already refuses).
fn first_verifying<P>(
    candidates: Vec<IssuerKey>,
    mut check: impl FnMut(&IssuerKey) -> Result<P>,
) -> Result<(IssuerKey, P)> {
    let mut first_err = None;
    for k in candidates {
        match check(&k) {
            Ok(p) => return Ok((k, p)),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| crate::error::untrusted("no trusted key for the issuer")))
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
