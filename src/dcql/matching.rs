//! Matching a DCQL query against candidate credentials (OpenID4VP 1.0 §6.4, §7).

use super::query::{ClaimsQuery, CredentialQuery, DcqlFormat, DcqlMeta, DcqlQuery, PathElement};
use crate::error::Result;
use crate::sd_jwt::ClaimPath;
use crate::wallet::{HeldMdoc, HeldSdJwt};
use serde_json::{json, Map, Value};

/// What a matcher knows of one credential: its format, its type(s), its
/// claims as JSON, whether it is bound to a holder key, and the trusted
/// authorities it can be matched to.
///
/// `claims` is, for the JSON formats, the claims the holder can disclose
/// (for SD-JWT, the processed payload with every disclosure applied, so
/// `values` also filter claims that are not selectively disclosable); for
/// `mso_mdoc`, `{docType: {namespace: {element: value}}}` (the shape of
/// [`VerificationResult::claims`](crate::VerificationResult::claims)).
///
/// ```
/// use passerelle::*;
/// let c = DcqlCandidate::new(DcqlFormat::SdJwtVc, vec!["urn:eudi:pid:1".into()],
///     serde_json::json!({"vct": "urn:eudi:pid:1", "given_name": "Erika"}), true);
/// let q = DcqlQuery::parse(br#"{"credentials": [{"id": "pid", "format": "dc+sd-jwt",
///     "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["given_name"]}]}]}"#)?;
/// let m = q.match_candidates(&[c]);
/// assert!(m.satisfied());
/// assert_eq!(m.matches("pid")[0].paths(), [ClaimPath::parse("/given_name")?]);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DcqlCandidate {
    pub(crate) format: DcqlFormat,
    pub(crate) types: Vec<String>,
    pub(crate) claims: std::sync::Arc<Value>,
    pub(crate) holder_binding: bool,
    pub(crate) authorities: Vec<(String, String)>,
    /// Arrays (verifier side) some of whose elements were selectively
    /// disclosed: their positions no longer count the issued elements.
    pub(crate) compacted_arrays: Vec<ClaimPath>,
}

impl DcqlCandidate {
    /// A candidate of `format` whose type is any of `types` (the `vct`, the
    /// docType, or the W3C `type` list), with `claims` as described above,
    /// and `holder_binding` telling whether it can be presented with a
    /// cryptographic holder-binding proof.
    pub fn new(
        format: DcqlFormat,
        types: Vec<String>,
        claims: Value,
        holder_binding: bool,
    ) -> Self {
        DcqlCandidate {
            format,
            types,
            claims: std::sync::Arc::new(claims),
            holder_binding,
            authorities: Vec::new(),
            compacted_arrays: Vec::new(),
        }
    }

    /// Adds a trusted authority the credential matches (`kind` as in a
    /// trusted authorities query: `aki` with the base64url key identifier,
    /// `etsi_tl` with the list's URI, ...). The host knows these from the
    /// credential's chain and its trust configuration.
    pub fn with_authority(mut self, kind: &str, value: &str) -> Self {
        self.authorities.push((kind.to_owned(), value.to_owned()));
        self
    }

    /// A held SD-JWT VC: its `vct`, every claim (disclosures applied), and
    /// holder binding when it carries a `cnf`.
    pub fn from_sd_jwt(held: &HeldSdJwt) -> Self {
        let claims = held.claims();
        let types = claims
            .get("vct")
            .and_then(Value::as_str)
            .map(|v| vec![v.to_owned()])
            .unwrap_or_default();
        let bound = claims.get("cnf").is_some();
        DcqlCandidate::new(DcqlFormat::SdJwtVc, types, claims, bound)
    }

    /// A held mdoc: its docType and every element (always device-bound).
    pub fn from_mdoc(held: &HeldMdoc) -> Result<Self> {
        let mut top = Map::new();
        top.insert(held.doc_type().to_owned(), held.claims()?);
        Ok(DcqlCandidate::new(
            DcqlFormat::MsoMdoc,
            vec![held.doc_type().to_owned()],
            Value::Object(top),
            true,
        ))
    }

    /// The format.
    pub fn format(&self) -> DcqlFormat {
        self.format
    }
}

/// One credential that satisfies one credential query on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateMatch {
    pub(crate) candidate: usize,
    pub(crate) claim_set: Option<usize>,
    pub(crate) paths: Vec<ClaimPath>,
}

impl CandidateMatch {
    /// The position of the credential in the candidates given.
    pub fn candidate(&self) -> usize {
        self.candidate
    }

    /// The index of the claim set chosen (the first satisfiable, in the
    /// verifier's order), when the query has `claim_sets`.
    pub fn claim_set(&self) -> Option<usize> {
        self.claim_set
    }

    /// The claims to disclose: concrete paths into the candidate's claims
    /// (`null` expanded to the positions present, `values` applied); for
    /// mdoc `[namespace, element]`. Empty when the query has no `claims`.
    pub fn paths(&self) -> &[ClaimPath] {
        &self.paths
    }
}

/// The outcome of matching a query against candidates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcqlMatch {
    pub(crate) satisfied: bool,
    pub(crate) per_query: Vec<(String, Vec<CandidateMatch>)>,
    pub(crate) answer: Vec<String>,
}

impl DcqlMatch {
    /// Whether the whole query can be met: every credential query (without
    /// `credential_sets`), or every required credential set (with them).
    pub fn satisfied(&self) -> bool {
        self.satisfied
    }

    /// Every candidate that satisfies the credential query `id` on its own,
    /// whether or not the whole query can be met.
    pub fn matches(&self, id: &str) -> &[CandidateMatch] {
        self.per_query
            .iter()
            .find(|(q, _)| q == id)
            .map_or(&[], |(_, m)| m.as_slice())
    }

    /// The credential query ids a wallet answers, in query order: empty when
    /// the query cannot be satisfied; with `credential_sets`, the queries of
    /// the first satisfiable option of every set (an optional set with no
    /// satisfiable option adds nothing; a credential query no set names is
    /// not answered).
    pub fn answered(&self) -> &[String] {
        &self.answer
    }

    /// The JSON of `passerelle dcql match`: `{"satisfied": bool, "matches":
    /// {query_id: [candidate index, ...]}, "claim_sets": {query_id: [chosen
    /// claim set index or null, ...]}}`.
    pub fn to_json(&self) -> Value {
        let mut matches = Map::new();
        let mut sets = Map::new();
        for (id, ms) in &self.per_query {
            matches.insert(
                id.clone(),
                ms.iter().map(|m| Value::from(m.candidate)).collect(),
            );
            sets.insert(
                id.clone(),
                ms.iter()
                    .map(|m| m.claim_set.map_or(Value::Null, Value::from))
                    .collect(),
            );
        }
        json!({"satisfied": self.satisfied, "matches": matches, "claim_sets": sets})
    }
}

impl DcqlQuery {
    /// Matches the query against `candidates`: per credential query, every
    /// candidate that satisfies it on its own (format, `meta`, holder
    /// binding, `trusted_authorities`, then `claims` / `claim_sets`), and
    /// whether the whole query can be met.
    pub fn match_candidates(&self, candidates: &[DcqlCandidate]) -> DcqlMatch {
        let per_query: Vec<(String, Vec<CandidateMatch>)> = self
            .credentials
            .iter()
            .map(|q| {
                let ms = candidates
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| match_one(q, c, true).ok().map(|m| m.at(i)))
                    .collect();
                (q.id.clone(), ms)
            })
            .collect();
        let has = |id: &str| per_query.iter().any(|(q, ms)| q == id && !ms.is_empty());
        let (satisfied, answer) = select(self, &has);
        DcqlMatch {
            satisfied,
            per_query,
            answer,
        }
    }
}

impl DcqlQuery {
    /// The claims to disclose from one held credential: the paths asked by
    /// the first credential query (in the query's order) that `candidate`
    /// satisfies on its own, as [`match_candidates`](Self::match_candidates)
    /// finds them (claim sets, `values`, `null` array paths expanded). For a
    /// holder that answers with one credential; a wallet answering the whole
    /// query, `credential_sets` included, uses
    /// [`Wallet::present_dcql`](crate::Wallet::present_dcql).
    ///
    /// A candidate that meets no credential query is `Policy`.
    ///
    /// ```
    /// use passerelle::*;
    /// let c = DcqlCandidate::new(DcqlFormat::SdJwtVc, vec!["urn:eudi:pid:1".into()],
    ///     serde_json::json!({"vct": "urn:eudi:pid:1", "given_name": "Erika",
    ///                        "nationalities": ["DE", "FR"]}), true);
    /// let q = DcqlQuery::parse(br#"{"credentials": [{"id": "pid", "format": "dc+sd-jwt",
    ///     "meta": {"vct_values": ["urn:eudi:pid:1"]},
    ///     "claims": [{"path": ["given_name"]}, {"path": ["nationalities", null]}]}]}"#)?;
    /// assert_eq!(q.claim_paths_for(&c)?, [ClaimPath::parse("/given_name")?,
    ///     ClaimPath::parse("/nationalities/0")?, ClaimPath::parse("/nationalities/1")?]);
    /// let other = DcqlQuery::parse(br#"{"credentials": [{"id": "mdl", "format": "mso_mdoc",
    ///     "meta": {"doctype_value": "org.iso.18013.5.1.mDL"}}]}"#)?;
    /// assert_eq!(other.claim_paths_for(&c).unwrap_err().kind(), ErrorKind::Policy);
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn claim_paths_for(&self, candidate: &DcqlCandidate) -> Result<Vec<ClaimPath>> {
        let m = self.match_candidates(core::slice::from_ref(candidate));
        self.credentials
            .iter()
            .find_map(|q| m.matches(&q.id).first())
            .map(|first| first.paths().to_vec())
            .ok_or_else(|| {
                crate::error::policy(
                    "the credential satisfies no credential query of the DCQL query",
                )
            })
    }
}

/// Which credential queries to answer, given which ones `has` an answer.
pub(crate) fn select(query: &DcqlQuery, has: &dyn Fn(&str) -> bool) -> (bool, Vec<String>) {
    let mut chosen: Vec<&str> = Vec::new();
    match &query.credential_sets {
        None => {
            if !query.credentials.iter().all(|q| has(&q.id)) {
                return (false, Vec::new());
            }
            chosen.extend(query.credentials.iter().map(|q| q.id.as_str()));
        }
        Some(sets) => {
            for set in sets {
                match set.options.iter().find(|o| o.iter().all(|id| has(id))) {
                    Some(o) => chosen.extend(o.iter().map(String::as_str)),
                    None if set.required => return (false, Vec::new()),
                    None => {}
                }
            }
        }
    }
    let answer = query
        .credentials
        .iter()
        .filter(|q| chosen.contains(&q.id.as_str()))
        .map(|q| q.id.clone())
        .collect();
    (true, answer)
}

impl CandidateMatch {
    fn at(mut self, i: usize) -> Self {
        self.candidate = i;
        self
    }
}

/// Whether `c` satisfies `q` on its own; the reason when it does not.
/// `authorities`: whether `trusted_authorities` is checked (a verifier
/// decides trust with its own configuration instead).
pub(crate) fn match_one(
    q: &CredentialQuery,
    c: &DcqlCandidate,
    authorities: bool,
) -> core::result::Result<CandidateMatch, String> {
    if c.format != q.format {
        return Err(format!(
            "the credential is {}, the query asks for {}",
            c.format.as_str(),
            q.format.as_str()
        ));
    }
    match &q.meta {
        DcqlMeta::SdJwtVc { vct_values } => {
            if !c.types.iter().any(|t| vct_values.contains(t)) {
                return Err("its vct is not one of meta.vct_values".into());
            }
        }
        DcqlMeta::MsoMdoc { doctype_value } => {
            if !c.types.iter().any(|t| t == doctype_value) {
                return Err("its docType is not meta.doctype_value".into());
            }
        }
        DcqlMeta::W3c { type_values } => {
            if !type_values
                .iter()
                .any(|alt| alt.iter().all(|t| c.types.contains(t)))
            {
                return Err(
                    "its type does not include every type of any meta.type_values entry".into(),
                );
            }
        }
    }
    if q.require_holder_binding && !c.holder_binding {
        return Err(
            "the query requires cryptographic holder binding and the credential has none".into(),
        );
    }
    if authorities {
        if let Some(tas) = &q.trusted_authorities {
            let ok = tas.iter().any(|ta| {
                c.authorities
                    .iter()
                    .any(|(k, v)| *k == ta.kind && ta.values.contains(v))
            });
            if !ok {
                return Err("it matches none of trusted_authorities".into());
            }
        }
    }
    let (claim_set, paths) = match_claims(q, c)?;
    Ok(CandidateMatch {
        candidate: 0,
        claim_set,
        paths,
    })
}

/// The claim set chosen and the paths to disclose, per §6.4.1.
pub(crate) fn match_claims(
    q: &CredentialQuery,
    c: &DcqlCandidate,
) -> core::result::Result<(Option<usize>, Vec<ClaimPath>), String> {
    let Some(claims) = &q.claims else {
        return Ok((None, Vec::new()));
    };
    let resolved: Vec<Option<Vec<ClaimPath>>> =
        claims.iter().map(|cq| resolve(q.format, cq, c)).collect();
    let union = |idx: &mut dyn Iterator<Item = usize>| -> Option<Vec<ClaimPath>> {
        let mut out: Vec<ClaimPath> = Vec::new();
        for i in idx {
            for p in resolved.get(i)?.as_ref()? {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        Some(out)
    };
    match &q.claim_sets {
        None => match union(&mut (0..claims.len())) {
            Some(paths) => Ok((None, paths)),
            None => {
                let missing = claims
                    .iter()
                    .zip(&resolved)
                    .find(|(_, r)| r.is_none())
                    .map(|(cq, _)| describe(cq))
                    .unwrap_or_default();
                Err(format!(
                    "it lacks the claim {missing} (or its value does not match)"
                ))
            }
        },
        Some(sets) => {
            for (si, set) in sets.iter().enumerate() {
                let mut idx = set
                    .iter()
                    .filter_map(|id| claims.iter().position(|cq| cq.id.as_deref() == Some(id)));
                if let Some(paths) = union(&mut idx) {
                    return Ok((Some(si), paths));
                }
            }
            Err("it satisfies none of claim_sets".into())
        }
    }
}

fn describe(cq: &ClaimsQuery) -> String {
    let parts: Vec<String> = cq
        .path
        .iter()
        .map(|p| match p {
            PathElement::Key(k) => format!("{k:?}"),
            PathElement::Index(i) => i.to_string(),
            PathElement::All => "null".into(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Processes one claims path pointer (§7.1 for JSON, §7.2 for mdoc) and
/// applies `values`: the concrete paths of the selected claims, or `None`
/// when the claim is absent, processing fails, or no value matches.
fn resolve(format: DcqlFormat, cq: &ClaimsQuery, c: &DcqlCandidate) -> Option<Vec<ClaimPath>> {
    let mut selected: Vec<(ClaimPath, &Value)> = match format {
        DcqlFormat::MsoMdoc => {
            let doc = c.types.iter().find_map(|t| c.claims.get(t))?;
            let [PathElement::Key(ns), PathElement::Key(el)] = cq.path.as_slice() else {
                return None;
            };
            let v = doc.get(ns)?.as_object()?.get(el)?;
            vec![(ClaimPath::from_segments([ns.as_str(), el.as_str()]), v)]
        }
        _ => {
            let mut sel = vec![(ClaimPath::root(), &*c.claims)];
            for seg in &cq.path {
                let mut next = Vec::new();
                for (p, v) in sel {
                    match (seg, v) {
                        (PathElement::Key(k), Value::Object(o)) => {
                            if let Some(x) = o.get(k) {
                                next.push((p.child(k.as_str()), x));
                            }
                        }
                        (PathElement::All, Value::Array(a)) => {
                            next.extend(
                                a.iter()
                                    .enumerate()
                                    .map(|(i, x)| (p.child(i.to_string()), x)),
                            );
                        }
                        // a presented array with disclosed elements lost the
                        // undisclosed ones: position i of the issued array may
                        // sit anywhere, so any element answers it
                        (PathElement::Index(_), Value::Array(a))
                            if c.compacted_arrays.contains(&p) =>
                        {
                            next.extend(
                                a.iter()
                                    .enumerate()
                                    .map(|(i, x)| (p.child(i.to_string()), x)),
                            );
                        }
                        (PathElement::Index(i), Value::Array(a)) => {
                            if let Some(x) = usize::try_from(*i).ok().and_then(|i| a.get(i)) {
                                next.push((p.child(i.to_string()), x));
                            }
                        }
                        // §7.1.1: a component applied to the wrong kind of
                        // element aborts processing: the claim is not there
                        _ => return None,
                    }
                }
                sel = next;
            }
            sel
        }
    };
    if let Some(values) = &cq.values {
        selected.retain(|(_, v)| values.iter().any(|want| want.matches(v)));
    }
    if selected.is_empty() {
        return None;
    }
    Some(selected.into_iter().map(|(p, _)| p).collect())
}
