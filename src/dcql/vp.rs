//! The `vp_token` (OpenID4VP 1.0 §8.1): built by the wallet from a DCQL
//! match, checked by the verifier against the query it sent.

use super::matching::{match_claims, match_one, select, DcqlCandidate};
use super::query::{CredentialQuery, DcqlFormat, DcqlQuery};
use crate::crypto::Signer;
use crate::error::{holder_binding, malformed, misuse, policy, Error, Result};
use crate::formats::mdoc::SessionTranscript;
use crate::sd_jwt::ClaimPath;
use crate::time::UnixTime;
use crate::verifier::{
    CredentialFormat, Expectations, HolderBinding, Provenance, VerificationResult, Verifier,
};
use crate::wallet::{HeldMdoc, HeldSdJwt, KeyBinding};
use serde_json::{Map, Value};

/// The request parameters a presentation is bound to: the KB-JWT `nonce`
/// and `aud` (the Client Identifier) for SD-JWT, and the OpenID4VP handover
/// of the mdoc SessionTranscript (Annex B.2.6.1:
/// `client_id`, `nonce`, the JWK thumbprint of the response encryption key
/// when the response is encrypted, `response_uri`).
#[derive(Clone, Copy, Debug)]
pub struct OpenId4VpRequest<'a> {
    /// The Client Identifier (with its prefix, as sent).
    pub client_id: &'a str,
    /// The request's `nonce`.
    pub nonce: &'a str,
    /// The `response_uri` (or `redirect_uri`) the response goes to.
    pub response_uri: &'a str,
    /// The SHA-256 JWK thumbprint of the verifier's encryption key, when the
    /// response is encrypted.
    pub jwk_thumbprint: Option<&'a [u8]>,
}

impl OpenId4VpRequest<'_> {
    fn transcript(&self) -> SessionTranscript {
        SessionTranscript::openid4vp(
            self.client_id,
            self.nonce,
            self.jwk_thumbprint,
            self.response_uri,
        )
    }
}

/// A credential the wallet may present, with the key that proves possession.
#[non_exhaustive]
pub enum WalletCredential<'a> {
    /// An SD-JWT VC; `holder_key` signs the KB-JWT (`None`: it can only answer
    /// a query with `require_cryptographic_holder_binding: false`).
    SdJwt {
        /// The credential as held.
        credential: &'a HeldSdJwt,
        /// The key of its `cnf`.
        holder_key: Option<&'a dyn Signer>,
    },
    /// An mdoc; `device_key` signs DeviceAuthentication.
    Mdoc {
        /// The credential as held.
        credential: &'a HeldMdoc,
        /// The key of its MSO.
        device_key: &'a dyn Signer,
    },
}

impl WalletCredential<'_> {
    /// The candidate the matcher sees.
    pub fn candidate(&self) -> Result<DcqlCandidate> {
        match self {
            WalletCredential::SdJwt {
                credential,
                holder_key,
            } => {
                let mut c = DcqlCandidate::from_sd_jwt(credential);
                c.holder_binding = c.holder_binding && holder_key.is_some();
                Ok(c)
            }
            WalletCredential::Mdoc { credential, .. } => DcqlCandidate::from_mdoc(credential),
        }
    }
}

impl DcqlQuery {
    /// Builds the `vp_token` answering this query from `wallet` (OpenID4VP
    /// 1.0 §8.1): an object keyed by credential query id, each value an array
    /// of presentations. Each answered query (see
    /// [`DcqlMatch::answered`](crate::DcqlMatch::answered)) gets its first
    /// matching credential, or every matching one when `multiple` is true; an
    /// SD-JWT discloses exactly the chosen claims and carries a KB-JWT over
    /// `nonce` and `client_id` signed at `iat`; an mdoc is a base64url
    /// DeviceResponse signed over the OpenID4VP handover. An optional query
    /// without a match gets no entry.
    ///
    /// A query that cannot be satisfied is refused (`Policy`) and nothing is
    /// returned, as §6.4.2 requires.
    ///
    /// ```
    /// use passerelle::*;
    /// # let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
    /// # let holder_key = PrivateKey::generate(Algorithm::Es256)?;
    /// # let now = UnixTime::from_secs(1_790_000_000);
    /// # let claims = serde_json::json!({"iss": "https://pid.example", "vct": "urn:eudi:pid:1",
    /// #     "given_name": "Erika", "family_name": "Mustermann"});
    /// # let issued = SdJwtVcIssuer::new(&issuer_key)
    /// #     .issue(claims.as_object().unwrap(), &Disclosable::All, Some(holder_key.public_key()), now)?;
    /// let pid = HeldSdJwt::parse(&issued)?;
    /// let query = DcqlQuery::parse(br#"{"credentials": [{"id": "pid", "format": "dc+sd-jwt",
    ///     "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["given_name"]}]}]}"#)?;
    /// let request = OpenId4VpRequest { client_id: "x509_san_dns:rp.example", nonce: "n-1",
    ///     response_uri: "https://rp.example/post", jwk_thumbprint: None };
    /// let wallet = [WalletCredential::SdJwt { credential: &pid, holder_key: Some(&holder_key) }];
    /// let vp_token = query.build_vp_token(&wallet, &request, now)?;
    ///
    /// let mut trust = TrustStore::new();
    /// trust.add_issuer_key(issuer_key.public_key().clone(), Some("https://pid.example"), None);
    /// let verifier = Verifier::new(trust, Policy::default());
    /// let bytes = serde_json::Value::Object(vp_token).to_string();
    /// let check = query.verify_vp_token(&verifier, bytes.as_bytes(), &request, now)?;
    /// assert!(check.satisfied());
    /// let result = check.presentations()[0].outcome().unwrap();
    /// assert_eq!(result.claims()["given_name"], "Erika");
    /// assert!(result.claims().get("family_name").is_none());
    ///
    /// // bound to this request: another nonce fails
    /// let other = OpenId4VpRequest { nonce: "n-2", ..request };
    /// assert!(!query.verify_vp_token(&verifier, bytes.as_bytes(), &other, now)?.satisfied());
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn build_vp_token(
        &self,
        wallet: &[WalletCredential<'_>],
        request: &OpenId4VpRequest<'_>,
        iat: UnixTime,
    ) -> Result<Map<String, Value>> {
        let candidates = wallet
            .iter()
            .map(WalletCredential::candidate)
            .collect::<Result<Vec<_>>>()?;
        self.build_vp_token_with(wallet, &candidates, request, iat)
    }

    /// Like [`build_vp_token`](Self::build_vp_token), with the host's own
    /// description of each credential (`candidates[i]` describes
    /// `wallet[i]`), typically [`WalletCredential::candidate`] with the
    /// trusted authorities the host knows it matches
    /// ([`DcqlCandidate::with_authority`]); without them a query with
    /// `trusted_authorities` matches nothing. A candidate of another format
    /// than its credential, or a length mismatch, is `ApiMisuse`.
    pub fn build_vp_token_with(
        &self,
        wallet: &[WalletCredential<'_>],
        candidates: &[DcqlCandidate],
        request: &OpenId4VpRequest<'_>,
        iat: UnixTime,
    ) -> Result<Map<String, Value>> {
        if wallet.len() != candidates.len() {
            return Err(misuse(format!(
                "{} wallet credentials and {} candidates",
                wallet.len(),
                candidates.len()
            )));
        }
        for (w, c) in wallet.iter().zip(candidates) {
            let format = match w {
                WalletCredential::SdJwt { .. } => DcqlFormat::SdJwtVc,
                WalletCredential::Mdoc { .. } => DcqlFormat::MsoMdoc,
            };
            if c.format != format {
                return Err(misuse(
                    "a candidate describes a credential of another format",
                ));
            }
        }
        self.answer(candidates, |i, paths| {
            let w = wallet
                .get(i)
                .ok_or_else(|| misuse("a match names no wallet credential"))?;
            present(w, paths, request, iat)
        })
    }

    /// Matches `candidates` and builds the `vp_token` with `present_one(i,
    /// paths)`, which presents candidate `i` disclosing `paths`; only the
    /// chosen candidates are presented (a wallet opens only their keys).
    pub(crate) fn answer(
        &self,
        candidates: &[DcqlCandidate],
        mut present_one: impl FnMut(usize, &[ClaimPath]) -> Result<Value>,
    ) -> Result<Map<String, Value>> {
        let m = self.match_candidates(candidates);
        if !m.satisfied() {
            return Err(policy(
                "the wallet cannot satisfy the DCQL query: nothing is presented",
            ));
        }
        let mut out = Map::new();
        for id in m.answered() {
            let q = self
                .credential(id)
                .ok_or_else(|| misuse("an answered query is not in the query"))?;
            let ms = m.matches(id);
            let chosen = if q.multiple {
                ms
            } else {
                ms.get(..1).unwrap_or_default()
            };
            let mut list = Vec::with_capacity(chosen.len());
            for cm in chosen {
                list.push(present_one(cm.candidate(), cm.paths())?);
            }
            if !list.is_empty() {
                out.insert(id.clone(), Value::Array(list));
            }
        }
        Ok(out)
    }
}

pub(crate) fn present(
    w: &WalletCredential<'_>,
    paths: &[ClaimPath],
    request: &OpenId4VpRequest<'_>,
    iat: UnixTime,
) -> Result<Value> {
    match w {
        WalletCredential::SdJwt {
            credential,
            holder_key,
        } => {
            let kb = holder_key.map(|signer| KeyBinding {
                signer,
                nonce: request.nonce,
                audience: request.client_id,
                iat,
            });
            Ok(Value::String(credential.present(paths, kb)?))
        }
        WalletCredential::Mdoc {
            credential,
            device_key,
        } => {
            let mut elements: Vec<(&str, &str)> = Vec::with_capacity(paths.len());
            for p in paths {
                match p.segments() {
                    [ns, el] => elements.push((ns.as_str(), el.as_str())),
                    _ => return Err(misuse(format!("{p} is not a namespace/element path"))),
                }
            }
            let bytes = credential.present(&elements, &request.transcript(), *device_key)?;
            Ok(Value::String(crate::encoding::b64u_encode(bytes)))
        }
    }
}

/// One presentation of a `vp_token` and how it fared.
#[derive(Clone, Debug)]
pub struct PresentationCheck {
    pub(crate) query_id: String,
    pub(crate) position: usize,
    pub(crate) claim_set: Option<usize>,
    pub(crate) outcome: Result<VerificationResult>,
}

impl PresentationCheck {
    /// The credential query it answers (its `vp_token` key).
    pub fn query_id(&self) -> &str {
        &self.query_id
    }

    /// Its position in the array of that key.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The claim set it satisfies, when the query has `claim_sets`.
    pub fn claim_set(&self) -> Option<usize> {
        self.claim_set
    }

    /// The verified credential, or why it was refused: any error of
    /// [`Verifier::verify`], `HolderBinding` when the query requires holder
    /// binding and none was proven, `Policy` when the credential does not
    /// satisfy its credential query (format, meta, claims, `values`) or
    /// discloses claims that were not asked.
    pub fn outcome(&self) -> core::result::Result<&VerificationResult, &Error> {
        self.outcome.as_ref()
    }
}

/// The verifier's reading of a `vp_token` against its DCQL query.
#[derive(Clone, Debug)]
pub struct VpTokenCheck {
    pub(crate) satisfied: bool,
    pub(crate) presentations: Vec<PresentationCheck>,
}

impl VpTokenCheck {
    /// Whether the query is met: every presentation verified and satisfies
    /// its credential query, and the answered queries meet every credential
    /// query (no `credential_sets`) or every required credential set.
    pub fn satisfied(&self) -> bool {
        self.satisfied
    }

    /// One entry per presentation, in `vp_token` order.
    pub fn presentations(&self) -> &[PresentationCheck] {
        &self.presentations
    }
}

impl DcqlQuery {
    /// Checks a `vp_token` (the JSON object, as bytes) against this query,
    /// the one the verifier sent with `request`, at time `now`.
    ///
    /// The shape is checked first (`Malformed` for the whole token): an
    /// object whose every key is a credential query id and every value a
    /// non-empty array, with exactly one presentation when `multiple` is
    /// false; more than
    /// [`MAX_VP_TOKEN_PRESENTATIONS`](crate::limits::MAX_VP_TOKEN_PRESENTATIONS)
    /// presentations in all is `LimitExceeded`, before any is verified. Then each presentation is verified by `verifier` (SD-JWT: a
    /// KB-JWT over `nonce` with `aud` = `client_id`; mdoc: device
    /// authentication over the OpenID4VP handover) and matched to its
    /// credential query on the verified claims; the outcome of each is
    /// reported, and [`satisfied`](VpTokenCheck::satisfied) says whether the
    /// whole query is met. `trusted_authorities` is not read: trust is the
    /// verifier's own configuration.
    pub fn verify_vp_token(
        &self,
        verifier: &Verifier,
        vp_token: &[u8],
        request: &OpenId4VpRequest<'_>,
        now: UnixTime,
    ) -> Result<VpTokenCheck> {
        let token = crate::encoding::parse_json_object(vp_token, "vp_token")?;
        let mut entries: Vec<(&CredentialQuery, &[Value])> = Vec::with_capacity(token.len());
        for (id, v) in &token {
            let q = self.credential(id).ok_or_else(|| {
                malformed(format!(
                    "vp_token: the key {:?} is not a credential query id of the request",
                    crate::crypto::clip(id)
                ))
            })?;
            let list = v.as_array().ok_or_else(|| {
                malformed(format!("vp_token: the value of {id:?} must be an array"))
            })?;
            if list.is_empty() {
                return Err(malformed(format!(
                    "vp_token: the array of {id:?} is empty (an unanswered optional query has no entry)"
                )));
            }
            if !q.multiple && list.len() > 1 {
                return Err(malformed(format!(
                    "vp_token: {id:?} holds {} presentations and its query does not allow multiple",
                    list.len()
                )));
            }
            entries.push((q, list));
        }
        let total = entries
            .iter()
            .fold(0usize, |n, (_, l)| n.saturating_add(l.len()));
        if total > crate::limits::MAX_VP_TOKEN_PRESENTATIONS {
            return Err(crate::error::limit(format!(
                "vp_token: {total} presentations, more than MAX_VP_TOKEN_PRESENTATIONS ({})",
                crate::limits::MAX_VP_TOKEN_PRESENTATIONS
            )));
        }
        let mut presentations = Vec::new();
        for (q, list) in entries {
            for (i, p) in list.iter().enumerate() {
                let (claim_set, outcome) = match check_one(verifier, q, p, request, now) {
                    Ok((set, r)) => (set, Ok(r)),
                    Err(e) => (None, Err(e.context(&format!("vp_token {:?}[{i}]", q.id)))),
                };
                presentations.push(PresentationCheck {
                    query_id: q.id.clone(),
                    position: i,
                    claim_set,
                    outcome,
                });
            }
        }
        let all_ok = presentations.iter().all(|p| p.outcome.is_ok());
        let answered = |id: &str| presentations.iter().any(|p| p.query_id == id);
        let satisfied = all_ok && select(self, &answered).0;
        Ok(VpTokenCheck {
            satisfied,
            presentations,
        })
    }
}

fn dcql_format(f: CredentialFormat) -> Option<DcqlFormat> {
    match f {
        CredentialFormat::SdJwtVc => Some(DcqlFormat::SdJwtVc),
        CredentialFormat::MsoMdoc => Some(DcqlFormat::MsoMdoc),
        CredentialFormat::VcJwt => Some(DcqlFormat::JwtVcJson),
        CredentialFormat::VcDataIntegrity => Some(DcqlFormat::LdpVc),
        _ => None,
    }
}

fn check_one(
    verifier: &Verifier,
    q: &CredentialQuery,
    p: &Value,
    request: &OpenId4VpRequest<'_>,
    now: UnixTime,
) -> Result<(Option<usize>, VerificationResult)> {
    let bytes = match p {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(_) => p.to_string().into_bytes(),
        _ => return Err(malformed("a presentation is a string or an object")),
    };
    let mut expect = Expectations::at(now);
    match q.format {
        DcqlFormat::MsoMdoc => expect = expect.session_transcript(request.transcript()),
        DcqlFormat::SdJwtVc => {
            // a KB-JWT is always checked against the request when there is
            // one; without one, only a query that waives holder binding passes
            let has_kb = matches!(p, Value::String(s) if !s.ends_with('~'));
            if q.require_holder_binding || has_kb {
                expect = expect.nonce(request.nonce).audience(request.client_id);
            }
        }
        DcqlFormat::JwtVcJson | DcqlFormat::LdpVc => {
            if q.require_holder_binding {
                // passerelle verifies bare credentials only: this refuses
                // them with HolderBinding, as the query asks for a proof
                expect = expect.nonce(request.nonce).audience(request.client_id);
            }
        }
    }
    let r = verifier.verify(&bytes, &expect)?;
    if dcql_format(r.format()) != Some(q.format) {
        return Err(policy(format!(
            "the presentation is {}, the credential query asks for {}",
            r.format().as_str(),
            q.format.as_str()
        )));
    }
    let bound = matches!(r.holder_binding(), HolderBinding::Verified { .. });
    if q.require_holder_binding && !bound {
        return Err(holder_binding(
            "the credential query requires cryptographic holder binding and none was proven",
        ));
    }
    let types: Vec<String> = match q.format {
        DcqlFormat::JwtVcJson | DcqlFormat::LdpVc => match r.claims().get("type") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        },
        _ => vec![r.credential_type().to_owned()],
    };
    let mut cand = DcqlCandidate::new(q.format, types, r.claims().clone(), bound);
    cand.compacted_arrays = compacted_arrays(&r);
    match_one(q, &cand, false).map_err(|why| {
        policy(format!(
            "the credential does not satisfy the credential query: {why}"
        ))
    })?;
    let set = refuse_extras(q, &cand, &r)?;
    Ok((set, r))
}

/// The value at `path` (array positions as indexes).
fn lookup<'a>(v: &'a Value, path: &ClaimPath) -> Option<&'a Value> {
    path.segments().iter().try_fold(v, |cur, seg| match cur {
        Value::Object(o) => o.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The arrays of `r`'s claims holding a selectively disclosed element.
fn compacted_arrays(r: &VerificationResult) -> Vec<ClaimPath> {
    let mut out: Vec<ClaimPath> = Vec::new();
    for (pointer, prov) in r.provenance_map() {
        if *prov != Provenance::IssuerDisclosed {
            continue;
        }
        let Ok(p) = ClaimPath::parse(pointer) else {
            continue;
        };
        if let Some((last, parent)) = p.segments().split_last() {
            let parent = ClaimPath::from_segments(parent.iter().cloned());
            let is_array = lookup(r.claims(), &parent).is_some_and(Value::is_array);
            if last.parse::<usize>().is_ok() && is_array && !out.contains(&parent) {
                out.push(parent);
            }
        }
    }
    out
}

/// The selectively disclosed claims of `r`, as paths into the candidate's
/// claims (mdoc: `[namespace, element]`).
fn disclosed(q: &CredentialQuery, r: &VerificationResult) -> Result<Vec<ClaimPath>> {
    let mut out = Vec::new();
    for (pointer, prov) in r.provenance_map() {
        if *prov != Provenance::IssuerDisclosed {
            continue;
        }
        let p = ClaimPath::parse(pointer)?;
        let p = match q.format {
            // provenance keys are /docType/namespace/element
            DcqlFormat::MsoMdoc => ClaimPath::from_segments(p.segments().iter().skip(1).cloned()),
            _ => p,
        };
        out.push(p);
    }
    Ok(out)
}

/// The claim set whose claims cover every disclosed claim (the first such
/// satisfiable set); `Policy` when a disclosed claim was not asked.
fn refuse_extras(
    q: &CredentialQuery,
    cand: &DcqlCandidate,
    r: &VerificationResult,
) -> Result<Option<usize>> {
    let shown = disclosed(q, r)?;
    let extra_of = |asked: &[ClaimPath]| {
        shown
            .iter()
            .find(|d| !asked.iter().any(|a| a.starts_with(d) || d.starts_with(a)))
            .cloned()
    };
    let sets: Vec<Option<Vec<String>>> = match &q.claim_sets {
        None => vec![None],
        Some(s) => s.iter().cloned().map(Some).collect(),
    };
    let mut first_extra = None;
    for (i, set) in sets.into_iter().enumerate() {
        // evaluate one claim set on its own
        let mut one = q.clone();
        one.claim_sets = set.map(|s| vec![s]);
        let Ok((_, asked)) = match_claims(&one, cand) else {
            continue;
        };
        match extra_of(&asked) {
            None => return Ok(q.claim_sets.as_ref().map(|_| i)),
            Some(e) => {
                first_extra.get_or_insert(e);
            }
        }
    }
    Err(policy(match first_extra {
        Some(e) => {
            format!("the presentation discloses {e}, which the credential query did not ask for")
        }
        None => "the credential does not satisfy the credential query's claims".to_owned(),
    }))
}
