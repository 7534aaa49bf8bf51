//! Trust registries of accredited issuers (the Canadian side's trust anchor).
//!
//! The format is a JSON document modelled on the Trust over IP Trust Registry
//! Query Protocol (TRQP): the question a verifier asks is an *authorization
//! query* — "is `entity_id` authorized to perform `action` on `resource` under
//! `authority_id`, at time `t`?" — and each entry lists the authorizations a
//! registry grants to one entity. The same question can later be put to a remote
//! registry. Assurance levels follow the DIACC Pan-Canadian Trust Framework
//! (PCTF) levels of assurance (`PCTF-LOA1` … `PCTF-LOA4`).
//!
//! ```json
//! {
//!   "registry": {"id": "https://registry.example.ca", "name": "…",
//!                "framework": "PCTF", "jurisdiction": "CA"},
//!   "entries": [{
//!     "entity_id": "did:web:issuer.example.ca",       // DID or URL of the issuer
//!     "name": "…", "jurisdiction": "CA-QC",
//!     "status": "active",                              // or "suspended", "revoked"
//!     "keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…", "kid": "…"}],   // optional
//!     "authorizations": [{
//!       "action": "issue", "resource": "PersonCredential",
//!       "assurance_level": "PCTF-LOA3",
//!       "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2028-01-01T00:00:00Z"
//!     }]
//!   }]
//! }
//! ```
//!
//! A registry may be signed by its operator as a compact JWS
//! (`typ: trust-registry+jwt`) whose payload is the document above; the operator
//! key is configured by the verifier.

use crate::crypto::PublicKey;
use crate::encoding::parse_json_object;
use crate::error::{malformed, untrusted, Result};
use crate::jose::{public_key_from_jwk, Jws};
use crate::time::{parse_rfc3339, UnixTime};
use serde_json::{Map, Value};

/// Media type of a signed registry.
pub(crate) const REGISTRY_TYP: &str = "trust-registry+jwt";
use crate::limits::MAX_REGISTRY_ENTRIES as MAX_ENTRIES;

/// A trust registry of accredited issuers.
#[derive(Debug, Clone)]
pub struct TrustRegistry {
    id: String,
    framework: String,
    entries: Vec<Entry>,
    /// A signed registry's `exp`, `nbf`, `iat` (NumericDate), checked at the
    /// time of each verification.
    expires: Option<u64>,
    not_before: Option<u64>,
    issued_at: Option<u64>,
}

#[derive(Debug, Clone)]
struct Entry {
    entity_id: String,
    active: bool,
    keys: Vec<(PublicKey, Option<String>)>,
    authorizations: Vec<Authorization>,
}

#[derive(Debug, Clone)]
struct Authorization {
    action: String,
    resource: String,
    assurance_level: Option<String>,
    valid_from: Option<u64>,
    valid_until: Option<u64>,
}

/// What a registry answered: who vouched, at which level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accreditation {
    pub(crate) registry: String,
    pub(crate) framework: String,
    pub(crate) assurance_level: Option<String>,
}

fn s<'a>(o: &'a Map<String, Value>, k: &str) -> Result<&'a str> {
    o.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(format!("trust registry: {k} is missing or not a string")))
}

fn opt_time(o: &Map<String, Value>, k: &str) -> Result<Option<u64>> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => parse_rfc3339(t)
            .map(|t| Some(t.as_secs()))
            .ok_or_else(|| malformed(format!("trust registry: {k} is not an RFC 3339 time"))),
        Some(_) => Err(malformed(format!("trust registry: {k} is not a string"))),
    }
}

impl TrustRegistry {
    /// Reads an unsigned registry document.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_object(&parse_json_object(text.as_bytes(), "trust registry")?)
    }

    /// Reads a registry signed as a JWS (`typ: trust-registry+jwt`) by `operator`.
    pub fn from_signed(jws: &str, operator: &PublicKey) -> Result<Self> {
        let jws = Jws::parse(jws.trim_end())?;
        let _ = jws.require_typ(&[REGISTRY_TYP])?;
        let _proof = jws
            .verify(operator)
            .map_err(|e| untrusted(format!("trust registry signature: {}", e.message())))?;
        let payload = jws.payload();
        let mut r = Self::from_object(payload)?;
        // the time claims, typed as in every JOSE format; judged at each use
        let date = |n: &str| {
            crate::jose::numeric_date(payload, n).map_err(|e| e.context("trust registry"))
        };
        r.expires = date("exp")?;
        r.not_before = date("nbf")?;
        r.issued_at = date("iat")?;
        Ok(r)
    }

    fn from_object(doc: &Map<String, Value>) -> Result<Self> {
        let reg = doc
            .get("registry")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed("trust registry: registry is missing"))?;
        let id = s(reg, "id")?.to_owned();
        let framework = s(reg, "framework")?.to_owned();
        let list = doc
            .get("entries")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("trust registry: entries is missing"))?;
        if list.len() > MAX_ENTRIES {
            return Err(crate::error::limit("trust registry: too many entries"));
        }
        let mut entries = Vec::with_capacity(list.len());
        for e in list {
            let e = e
                .as_object()
                .ok_or_else(|| malformed("trust registry: an entry is not an object"))?;
            let active = match e.get("status").and_then(Value::as_str) {
                None | Some("active") => true,
                Some("suspended" | "revoked") => false,
                Some(_) => return Err(malformed("trust registry: unknown entry status")),
            };
            let mut keys = Vec::new();
            if let Some(ks) = e.get("keys") {
                for k in ks
                    .as_array()
                    .ok_or_else(|| malformed("trust registry: keys is not an array"))?
                {
                    let k = k
                        .as_object()
                        .ok_or_else(|| malformed("trust registry: a key is not a JWK"))?;
                    let kid = k.get("kid").and_then(Value::as_str).map(str::to_owned);
                    keys.push((public_key_from_jwk(k)?, kid));
                }
            }
            let mut authorizations = Vec::new();
            for a in e
                .get("authorizations")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed("trust registry: authorizations is missing"))?
            {
                let a = a.as_object().ok_or_else(|| {
                    malformed("trust registry: an authorization is not an object")
                })?;
                authorizations.push(Authorization {
                    action: s(a, "action")?.to_owned(),
                    resource: s(a, "resource")?.to_owned(),
                    assurance_level: a
                        .get("assurance_level")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    valid_from: opt_time(a, "valid_from")?,
                    valid_until: opt_time(a, "valid_until")?,
                });
            }
            entries.push(Entry {
                entity_id: s(e, "entity_id")?.to_owned(),
                active,
                keys,
                authorizations,
            });
        }
        Ok(TrustRegistry {
            id,
            framework,
            entries,
            expires: None,
            not_before: None,
            issued_at: None,
        })
    }

    /// The registry's identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the registry knows `entity_id` at all (in any entry, active or not).
    pub(crate) fn lists(&self, entity_id: &str) -> bool {
        self.entries.iter().any(|e| e.entity_id == entity_id)
    }

    /// The TRQP authorization query: may `entity_id` `action` (e.g. "issue") one
    /// of `resources` (credential types) at time `at`? Each answer is one entry
    /// that is active and carries a matching authorization valid at `at`, with
    /// the keys *that entry* lists (none: the entity is identified by its DID)
    /// and the accreditation it gives. A revoked or suspended entry, or an
    /// authorization outside its period, grants nothing, even when another
    /// entry of the same entity does. `Ok(empty)` when the registry does not
    /// list the entity; `Untrusted`, saying why, when it lists it and no entry
    /// grants.
    pub(crate) fn grants(
        &self,
        entity_id: &str,
        action: &str,
        resources: &[&str],
        at: UnixTime,
    ) -> Result<Vec<Grant<'_>>> {
        let t = at.as_secs();
        let mut listed = false;
        let mut why = "the issuer is not listed";
        let mut out = Vec::new();
        for entry in self.entries.iter().filter(|e| e.entity_id == entity_id) {
            listed = true;
            if !entry.active {
                why = "the issuer's accreditation is not active";
                continue;
            }
            let mut for_type = entry
                .authorizations
                .iter()
                .filter(|a| a.action == action && resources.contains(&a.resource.as_str()))
                .peekable();
            if for_type.peek().is_none() {
                why = "the issuer is not accredited for this credential type";
                continue;
            }
            match for_type.find(|a| {
                a.valid_from.is_none_or(|f| f <= t) && a.valid_until.is_none_or(|u| t < u)
            }) {
                Some(a) => out.push(Grant {
                    keys: &entry.keys,
                    accreditation: Accreditation {
                        registry: self.id.clone(),
                        framework: self.framework.clone(),
                        assurance_level: a.assurance_level.clone(),
                    },
                }),
                None => why = "the issuer is not accredited for this type at the time judged",
            }
        }
        if listed && out.is_empty() {
            return Err(untrusted(format!("registry {}: {why}", self.id)));
        }
        Ok(out)
    }

    /// The registry's validity, from a signed registry's `nbf` / `exp`.
    pub(crate) fn check_time(&self, now: UnixTime, skew: u64) -> Result<()> {
        let t = now.as_secs();
        if let Some(exp) = self.expires {
            if t >= exp.saturating_add(skew) {
                return Err(crate::error::expired(format!(
                    "trust registry {}: expired at {exp}",
                    self.id
                )));
            }
        }
        if let Some(nbf) = self.not_before.max(self.issued_at) {
            if nbf > t.saturating_add(skew) {
                return Err(crate::error::not_yet_valid(format!(
                    "trust registry {}: not valid before {nbf}",
                    self.id
                )));
            }
        }
        Ok(())
    }
}

/// One registry entry's answer to an authorization query: its keys and the
/// accreditation it gives.
#[derive(Debug)]
pub(crate) struct Grant<'a> {
    pub(crate) keys: &'a [(PublicKey, Option<String>)],
    pub(crate) accreditation: Accreditation,
}
