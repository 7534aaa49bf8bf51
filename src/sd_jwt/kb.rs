//! Key Binding JWT (RFC 9901 §4.3, §7.3).

use super::disclosure::digest_of;
use crate::crypto::{HashAlg, PublicKey, Signer};
use crate::error::{holder_binding, malformed, unsupported, ErrorKind, Result};
use crate::jose::{public_key_from_jwk, sign_compact, Jws};
use crate::time::UnixTime;
use serde_json::{Map, Value};

/// The media type of a KB-JWT.
pub(crate) const KB_TYP: &str = "kb+jwt";

/// What the verifier expects of a KB-JWT.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KbCheck<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) now: UnixTime,
    /// Tolerated clock difference, seconds.
    pub(crate) skew: u64,
    /// Oldest acceptable `iat`, seconds before `now`.
    pub(crate) max_age: u64,
}

/// A KB-JWT that verified.
#[derive(Debug, Clone)]
pub(crate) struct KbVerified {
    pub(crate) key: PublicKey,
    pub(crate) iat: u64,
    pub(crate) claims: Map<String, Value>,
}

/// Makes a KB-JWT over `sd_hash_input` (`<jwt>~<d1>~…~`).
pub(crate) fn make_kb_jwt(
    signer: &dyn Signer,
    sd_hash_input: &str,
    hash: HashAlg,
    nonce: &str,
    audience: &str,
    iat: UnixTime,
) -> Result<String> {
    let mut header = Map::new();
    header.insert("typ".into(), KB_TYP.into());
    let mut payload = Map::new();
    payload.insert("iat".into(), iat.as_secs().into());
    payload.insert("aud".into(), audience.into());
    payload.insert("nonce".into(), nonce.into());
    payload.insert("sd_hash".into(), digest_of(sd_hash_input, hash).into());
    sign_compact(
        header,
        Value::Object(payload).to_string().as_bytes(),
        signer,
    )
}

/// Reads the holder key from the issuer-signed `cnf` claim.
pub(crate) fn holder_key_from_cnf(cnf: Option<&Value>) -> Result<PublicKey> {
    let cnf =
        cnf.ok_or_else(|| holder_binding("the credential has no cnf claim to bind a holder key"))?;
    let cnf = cnf
        .as_object()
        .ok_or_else(|| malformed("cnf is not an object"))?;
    match cnf.get("jwk") {
        Some(Value::Object(jwk)) => public_key_from_jwk(jwk),
        Some(_) => Err(malformed("cnf.jwk is not an object")),
        None => Err(unsupported(
            "cnf carries no jwk (only cnf.jwk is supported)",
        )),
    }
}

/// Verifies a KB-JWT against the holder key in `cnf`.
pub(crate) fn verify_kb_jwt(
    kb_text: &str,
    cnf: Option<&Value>,
    sd_hash_input: &str,
    hash: HashAlg,
    check: &KbCheck<'_>,
) -> Result<KbVerified> {
    let kb = Jws::parse(kb_text).map_err(|e| e.context("KB-JWT"))?;
    kb.require_typ(&[KB_TYP]).map_err(|e| e.context("KB-JWT"))?;
    let key = holder_key_from_cnf(cnf)?;
    let _checked = kb.verify(&key).map_err(|e| match e.kind() {
        ErrorKind::Signature => holder_binding("the KB-JWT is not signed by the key in cnf"),
        _ => e,
    })?;
    let claims = kb.payload();
    let iat = claims
        .get("iat")
        .ok_or_else(|| holder_binding("the KB-JWT has no iat"))?
        .as_u64()
        .ok_or_else(|| holder_binding("the KB-JWT iat is not a NumericDate"))?;
    let now = check.now.as_secs();
    if iat > now.saturating_add(check.skew) {
        return Err(holder_binding("the KB-JWT iat is in the future"));
    }
    if iat.saturating_add(check.max_age).saturating_add(check.skew) < now {
        return Err(holder_binding(format!(
            "the KB-JWT is older than {} seconds",
            check.max_age
        )));
    }
    match claims.get("nonce") {
        Some(Value::String(n)) if !n.is_empty() && n == check.nonce => {}
        Some(_) => return Err(holder_binding("the KB-JWT nonce is not the expected one")),
        None => return Err(holder_binding("the KB-JWT has no nonce")),
    }
    match claims.get("aud") {
        Some(Value::String(a)) if a == check.audience => {}
        Some(Value::String(_)) => {
            return Err(holder_binding(
                "the KB-JWT aud is not the expected audience",
            ))
        }
        Some(_) => return Err(holder_binding("the KB-JWT aud must be a single string")),
        None => return Err(holder_binding("the KB-JWT has no aud")),
    }
    let expected = digest_of(sd_hash_input, hash);
    match claims.get("sd_hash") {
        Some(Value::String(h)) if *h == expected => {}
        Some(_) => {
            return Err(holder_binding(
                "the KB-JWT sd_hash does not match the presentation",
            ))
        }
        None => return Err(holder_binding("the KB-JWT has no sd_hash")),
    }
    Ok(KbVerified {
        key,
        iat,
        claims: claims.clone(),
    })
}
