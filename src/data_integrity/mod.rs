//! W3C Verifiable Credential Data Integrity 1.0 proofs with the JCS cryptosuites:
//! `eddsa-jcs-2022` (W3C vc-di-eddsa, Ed25519) and `ecdsa-jcs-2019` (W3C
//! vc-di-ecdsa, P-256 with SHA-256, P-384 with SHA-384).
//!
//! For both suites:
//!
//! - the proof configuration is the proof without `proofValue`; when the
//!   document has `@context`, a created proof carries the same `@context`
//!   ("Create Proof" step 2), and a verified proof's `@context` must be a prefix
//!   of the document's, which is then hashed with the proof's `@context`
//!   ("Verify Proof" step 4);
//! - `hashData = H(JCS(proofConfig)) ‖ H(JCS(document without proof))`, H being
//!   SHA-256 (Ed25519, P-256) or SHA-384 (P-384);
//! - the signature is over `hashData` (pure Ed25519; ECDSA with the suite's hash),
//!   ECDSA as raw `r‖s`, and `proofValue` is multibase base58btc (`z…`).
//!
//! A proof set (`proof` as an array) is verified proof by proof, each over the
//! document with every proof removed; all must verify. Proof chains
//! (`previousProof`) are `Unsupported`.
//!
//! The verification method is resolved by the caller through
//! [`VerificationMethodResolver`], given the method id and the proof purpose, so
//! relationship checks (assertionMethod, authentication) live with the DID code.
//!
//! Order of checks: form (`Malformed`), suite (`Unsupported`), purpose /
//! challenge / domain expectations, key resolution, signature (`Signature`), and
//! only then time (`created` after now → `NotYetValid`, `expires` before now →
//! `Expired`, VC-14), so a forged proof never reports a time error.
//! Numbers follow I-JSON, see [`ijson`] (VC-12).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod base58;
pub(crate) mod ijson;

use crate::crypto::{verify_signature, Algorithm, Curve, HashAlg, PublicKey, Signer};
use crate::encoding::jcs::canonicalize;
use crate::error::{holder_binding, limit, malformed, unsupported, untrusted, Result};
use crate::time::{format_rfc3339, parse_rfc3339, UnixTime};
use serde_json::{Map, Value};

pub(crate) use crate::limits::MAX_DI_PROOFS as MAX_PROOFS;
pub(crate) use crate::limits::MAX_DI_PROOF_STRING_BYTES as MAX_PROOF_STRING_BYTES;

/// The proof type of every Data Integrity proof.
pub(crate) const PROOF_TYPE: &str = "DataIntegrityProof";

/// A supported cryptosuite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cryptosuite {
    /// `eddsa-jcs-2022`: Ed25519 over JCS, SHA-256.
    EddsaJcs2022,
    /// `ecdsa-jcs-2019`: ECDSA P-256/SHA-256 or P-384/SHA-384 over JCS.
    EcdsaJcs2019,
}

impl Cryptosuite {
    /// The registered name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
            Cryptosuite::EcdsaJcs2019 => "ecdsa-jcs-2019",
        }
    }

    /// Looks up a cryptosuite name; anything else (RDFC suites, `ecdsa-sd-2023`,
    /// BBS, unknown names) is `Unsupported`.
    pub(crate) fn from_name(name: &str) -> Result<Self> {
        match name {
            "eddsa-jcs-2022" => Ok(Cryptosuite::EddsaJcs2022),
            "ecdsa-jcs-2019" => Ok(Cryptosuite::EcdsaJcs2019),
            other => Err(unsupported(format!(
                "Data Integrity cryptosuite {:?} is not supported",
                crate::crypto::clip(other)
            ))),
        }
    }

    /// The signature algorithm and hash this suite uses with `curve`.
    pub(crate) fn algorithm_for(self, curve: Curve) -> Result<(Algorithm, HashAlg)> {
        match (self, curve) {
            (Cryptosuite::EddsaJcs2022, Curve::Ed25519) => Ok((Algorithm::EdDsa, HashAlg::Sha256)),
            (Cryptosuite::EcdsaJcs2019, Curve::P256) => Ok((Algorithm::Es256, HashAlg::Sha256)),
            (Cryptosuite::EcdsaJcs2019, Curve::P384) => Ok((Algorithm::Es384, HashAlg::Sha384)),
            (suite, curve) => Err(unsupported(format!(
                "cryptosuite {} cannot be used with a {} key",
                suite.name(),
                curve.name()
            ))),
        }
    }
}

/// What a new proof says besides its signature.
#[derive(Clone, Debug)]
pub(crate) struct ProofOptions {
    pub(crate) cryptosuite: Cryptosuite,
    /// The verification method id (a DID URL).
    pub(crate) verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub(crate) proof_purpose: String,
    pub(crate) created: Option<UnixTime>,
    pub(crate) expires: Option<UnixTime>,
    pub(crate) challenge: Option<String>,
    pub(crate) domain: Option<String>,
    /// An optional `id` for the proof.
    pub(crate) id: Option<String>,
}

impl ProofOptions {
    /// Options with the required members and `created`.
    pub(crate) fn new(
        cryptosuite: Cryptosuite,
        verification_method: &str,
        proof_purpose: &str,
        created: Option<UnixTime>,
    ) -> Self {
        ProofOptions {
            cryptosuite,
            verification_method: verification_method.to_owned(),
            proof_purpose: proof_purpose.to_owned(),
            created,
            expires: None,
            challenge: None,
            domain: None,
            id: None,
        }
    }
}

/// Gives the public key of a verification method, for a proof purpose. The
/// implementation decides whether the method is authorized for the purpose
/// (`Untrusted` when not).
pub(crate) trait VerificationMethodResolver {
    /// The key of `verification_method`, which must be authorized for `proof_purpose`.
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey>;
}

impl<F> VerificationMethodResolver for F
where
    F: Fn(&str, &str) -> Result<PublicKey>,
{
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey> {
        self(verification_method, proof_purpose)
    }
}

/// What the verifier expects of every proof.
#[derive(Clone, Debug)]
pub(crate) struct VerifyOptions<'a> {
    pub(crate) now: UnixTime,
    /// Tolerance for `created` / `expires`, in seconds.
    pub(crate) clock_skew: u64,
    /// When set, each proof's `proofPurpose` must equal it (`Untrusted` otherwise).
    pub(crate) expected_purpose: Option<&'a str>,
    /// When set, each proof's `challenge` must equal it (`HolderBinding` otherwise).
    pub(crate) challenge: Option<&'a str>,
    /// When set, each proof's `domain` must be or contain it (`HolderBinding` otherwise).
    pub(crate) domain: Option<&'a str>,
}

impl VerifyOptions<'_> {
    /// Expects nothing but validity at `now`, without skew.
    pub(crate) fn at(now: UnixTime) -> Self {
        VerifyOptions {
            now,
            clock_skew: 0,
            expected_purpose: None,
            challenge: None,
            domain: None,
        }
    }

    /// The same, with `skew` seconds of tolerance on `created` / `expires`.
    pub(crate) fn with_skew(mut self, skew: u64) -> Self {
        self.clock_skew = skew;
        self
    }
}

/// One proof that verified. Only [`verify_proofs`] makes one.
#[derive(Debug)]
pub(crate) struct VerifiedProof {
    checked: crate::crypto::SignatureChecked,
    #[cfg(test)]
    proof_purpose: String,
    cryptosuite: Cryptosuite,
    #[cfg(test)]
    created: Option<UnixTime>,
    key: PublicKey,
}

impl VerifiedProof {
    #[cfg(test)]
    pub(crate) fn proof_purpose(&self) -> &str {
        &self.proof_purpose
    }
    pub(crate) fn cryptosuite(&self) -> Cryptosuite {
        self.cryptosuite
    }
    #[cfg(test)]
    pub(crate) fn created(&self) -> Option<UnixTime> {
        self.created
    }
    pub(crate) fn key(&self) -> &PublicKey {
        &self.key
    }
    /// The proof that this proof's signature verified.
    pub(crate) fn signature_checked(&self) -> &crate::crypto::SignatureChecked {
        &self.checked
    }
}

/// `H(JCS(proofConfig)) ‖ H(JCS(document))`.
fn hash_data(
    hash: HashAlg,
    proof_config: &Map<String, Value>,
    document: &Map<String, Value>,
) -> Result<Vec<u8>> {
    let config = canonicalize(&Value::Object(proof_config.clone()))?;
    let doc = canonicalize(&Value::Object(document.clone()))?;
    let mut out = hash.digest(config.as_bytes());
    out.extend(hash.digest(doc.as_bytes()));
    Ok(out)
}

/// Creates a proof over `document` (any existing `proof` member is left out of
/// what is signed, as for a proof set) and returns it, with `proofValue`.
pub(crate) fn create_proof(
    document: &Map<String, Value>,
    options: &ProofOptions,
    signer: &dyn Signer,
) -> Result<Map<String, Value>> {
    let (alg, hash) = options
        .cryptosuite
        .algorithm_for(signer.public_key().curve())?;
    if signer.algorithm() != alg {
        return Err(crate::error::misuse(format!(
            "the signer's algorithm {} does not fit cryptosuite {}",
            signer.algorithm().jose_name(),
            options.cryptosuite.name()
        )));
    }
    let mut unsecured = document.clone();
    let _ = unsecured.remove("proof");
    ijson::check_numbers(&Value::Object(unsecured.clone()))?;

    let mut proof = Map::new();
    if let Some(id) = &options.id {
        let _ = proof.insert("id".into(), Value::String(id.clone()));
    }
    let _ = proof.insert("type".into(), Value::String(PROOF_TYPE.into()));
    let _ = proof.insert(
        "cryptosuite".into(),
        Value::String(options.cryptosuite.name().into()),
    );
    if let Some(t) = options.created {
        let _ = proof.insert("created".into(), Value::String(format_rfc3339(t)));
    }
    if let Some(t) = options.expires {
        let _ = proof.insert("expires".into(), Value::String(format_rfc3339(t)));
    }
    let _ = proof.insert(
        "verificationMethod".into(),
        Value::String(options.verification_method.clone()),
    );
    let _ = proof.insert(
        "proofPurpose".into(),
        Value::String(options.proof_purpose.clone()),
    );
    if let Some(c) = &options.challenge {
        let _ = proof.insert("challenge".into(), Value::String(c.clone()));
    }
    if let Some(d) = &options.domain {
        let _ = proof.insert("domain".into(), Value::String(d.clone()));
    }
    if let Some(ctx) = unsecured.get("@context") {
        let _ = proof.insert("@context".into(), ctx.clone());
    }
    let data = hash_data(hash, &proof, &unsecured)?;
    let signature = signer.sign(&data)?;
    let _ = proof.insert(
        "proofValue".into(),
        Value::String(base58::multibase_encode(&signature)),
    );
    Ok(proof)
}

#[cfg(test)]
/// Adds a proof to `document`: sets `proof`, or makes a proof set of the proofs
/// already there and the new one.
pub(crate) fn add_proof(
    document: &mut Map<String, Value>,
    options: &ProofOptions,
    signer: &dyn Signer,
) -> Result<()> {
    let proof = Value::Object(create_proof(document, options, signer)?);
    let new = match document.remove("proof") {
        None => proof,
        Some(Value::Array(mut set)) => {
            set.push(proof);
            Value::Array(set)
        }
        Some(existing) => Value::Array(vec![existing, proof]),
    };
    let _ = document.insert("proof".into(), new);
    Ok(())
}

/// The proofs of a secured document, as objects (a single proof or a set).
fn proof_list(secured: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>> {
    let list: Vec<&Value> = match secured.get("proof") {
        None => return Err(malformed("the document has no Data Integrity proof")),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    if list.is_empty() {
        return Err(malformed("the document's proof set is empty"));
    }
    if list.len() > MAX_PROOFS {
        return Err(limit(format!(
            "{} proofs exceed the limit of {MAX_PROOFS}",
            list.len()
        )));
    }
    list.into_iter()
        .map(|p| {
            p.as_object()
                .ok_or_else(|| malformed("a Data Integrity proof is not an object"))
        })
        .collect()
}

/// Verifies every proof of `secured` (a single proof or a proof set). Returns
/// one [`VerifiedProof`] per proof, in order, or the first failure.
pub(crate) fn verify_proofs(
    secured: &Map<String, Value>,
    resolver: &dyn VerificationMethodResolver,
    options: &VerifyOptions<'_>,
) -> Result<Vec<VerifiedProof>> {
    let proofs = proof_list(secured)?;
    let mut unsecured = secured.clone();
    let _ = unsecured.remove("proof");
    ijson::check_numbers(&Value::Object(unsecured.clone()))?;
    proofs
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            verify_one(&unsecured, p, resolver, options)
                .map_err(|e| e.context(&format!("Data Integrity proof {i}")))
        })
        .collect()
}

fn str_member<'a>(proof: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match proof.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if s.len() <= MAX_PROOF_STRING_BYTES => Ok(Some(s)),
        Some(Value::String(_)) => Err(limit(format!("proof member {name} is too long"))),
        Some(_) => Err(malformed(format!("proof member {name} is not a string"))),
    }
}

fn required<'a>(proof: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    str_member(proof, name)?.ok_or_else(|| malformed(format!("proof member {name} is missing")))
}

fn time_member(proof: &Map<String, Value>, name: &str) -> Result<Option<UnixTime>> {
    str_member(proof, name)?
        .map(|s| {
            parse_rfc3339(s).ok_or_else(|| {
                malformed(format!(
                    "proof member {name} is not an XML Schema dateTimeStamp"
                ))
            })
        })
        .transpose()
}

/// `@context` as a list of values (a single string or object is a list of one).
fn context_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

fn verify_one(
    unsecured: &Map<String, Value>,
    proof: &Map<String, Value>,
    resolver: &dyn VerificationMethodResolver,
    options: &VerifyOptions<'_>,
) -> Result<VerifiedProof> {
    let ty = required(proof, "type")?;
    if ty != PROOF_TYPE {
        return Err(unsupported(format!(
            "proof type {:?} is not DataIntegrityProof",
            crate::crypto::clip(ty)
        )));
    }
    let suite = Cryptosuite::from_name(required(proof, "cryptosuite")?)?;
    if proof.contains_key("previousProof") {
        return Err(unsupported(
            "proof chains (previousProof) are not supported",
        ));
    }
    let proof_value = required(proof, "proofValue")?;
    let proof_bytes = base58::multibase_decode(proof_value, "proofValue")?;
    let method = required(proof, "verificationMethod")?;
    let purpose = required(proof, "proofPurpose")?;
    let created = time_member(proof, "created")?;
    let expires = time_member(proof, "expires")?;

    if let Some(want) = options.expected_purpose {
        if purpose != want {
            return Err(untrusted(format!(
                "proof purpose {:?} is not the expected {want}",
                crate::crypto::clip(purpose)
            )));
        }
    }
    if let Some(want) = options.challenge {
        if str_member(proof, "challenge")? != Some(want) {
            return Err(holder_binding("proof challenge does not match"));
        }
    }
    if let Some(want) = options.domain {
        let ok = match proof.get("domain") {
            Some(Value::String(d)) => d == want,
            Some(Value::Array(a)) => a.iter().any(|d| d.as_str() == Some(want)),
            _ => false,
        };
        if !ok {
            return Err(holder_binding("proof domain does not match"));
        }
    }

    let mut proof_config = proof.clone();
    let _ = proof_config.remove("proofValue");
    let mut document = unsecured.clone();
    if let Some(proof_ctx) = proof_config.get("@context") {
        let doc_ctx = unsecured
            .get("@context")
            .map(context_list)
            .unwrap_or_default();
        let proof_ctx_list = context_list(proof_ctx);
        if doc_ctx.len() < proof_ctx_list.len()
            || doc_ctx
                .iter()
                .zip(proof_ctx_list.iter())
                .any(|(a, b)| a != b)
        {
            return Err(crate::error::signature(
                "the proof's @context is not a prefix of the document's @context",
            ));
        }
        // The spec then hashes the document with the proof's @context, so
        // entries appended after signing would be signed by nobody yet reported
        // among the issuer's claims: refused (stricter than the prefix rule).
        if doc_ctx.len() != proof_ctx_list.len() {
            return Err(crate::error::malformed(
                "the document's @context has entries the proof's @context does not sign",
            ));
        }
        let _ = document.insert("@context".into(), proof_ctx.clone());
    }

    let key = resolver.resolve(method, purpose)?;
    let (alg, hash) = suite.algorithm_for(key.curve())?;
    let data = hash_data(hash, &proof_config, &document)?;
    let checked = verify_signature(alg, &key, &data, &proof_bytes)?;

    if let Some(c) = created {
        if c.as_secs() > options.now.as_secs().saturating_add(options.clock_skew) {
            return Err(crate::error::not_yet_valid(format!(
                "proof created {} is in the future",
                format_rfc3339(c)
            )));
        }
    }
    if let Some(e) = expires {
        // the boundary counts as expired, as for exp and validUntil
        if options.now.as_secs() >= e.as_secs().saturating_add(options.clock_skew) {
            return Err(crate::error::expired(format!(
                "proof expired at {}",
                format_rfc3339(e)
            )));
        }
    }
    Ok(VerifiedProof {
        checked,
        #[cfg(test)]
        proof_purpose: purpose.to_owned(),
        cryptosuite: suite,
        #[cfg(test)]
        created,
        key,
    })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
