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
        Self::from_object(jws.payload())
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
        })
    }

    /// The registry's identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Keys the registry lists for `entity_id` (with their kids).
    pub(crate) fn keys_for<'a>(
        &'a self,
        entity_id: &'a str,
    ) -> impl Iterator<Item = &'a (PublicKey, Option<String>)> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.entity_id == entity_id)
            .flat_map(|e| e.keys.iter())
    }

    /// Whether the registry knows `entity_id` at all.
    pub(crate) fn lists(&self, entity_id: &str) -> bool {
        self.entries.iter().any(|e| e.entity_id == entity_id)
    }

    /// The TRQP authorization query: may `entity_id` `action` (e.g. "issue") the
    /// `resource` (a credential type) at time `at`? Untrusted otherwise, saying why.
    pub(crate) fn authorize(
        &self,
        entity_id: &str,
        action: &str,
        resources: &[&str],
        at: UnixTime,
    ) -> Result<Accreditation> {
        let entry = self
            .entries
            .iter()
            .find(|e| e.entity_id == entity_id)
            .ok_or_else(|| untrusted(format!("registry {}: the issuer is not listed", self.id)))?;
        if !entry.active {
            return Err(untrusted(format!(
                "registry {}: the issuer's accreditation is not active",
                self.id
            )));
        }
        let for_type: Vec<&Authorization> = entry
            .authorizations
            .iter()
            .filter(|a| a.action == action && resources.contains(&a.resource.as_str()))
            .collect();
        if for_type.is_empty() {
            return Err(untrusted(format!(
                "registry {}: the issuer is not accredited to {action} {}",
                self.id,
                resources.join(" / ")
            )));
        }
        let t = at.as_secs();
        let a = for_type
            .iter()
            .find(|a| a.valid_from.is_none_or(|f| f <= t) && a.valid_until.is_none_or(|u| t < u))
            .ok_or_else(|| {
                untrusted(format!(
                    "registry {}: the issuer was not accredited for this type when the credential was issued",
                    self.id
                ))
            })?;
        Ok(Accreditation {
            registry: self.id.clone(),
            framework: self.framework.clone(),
            assurance_level: a.assurance_level.clone(),
        })
    }
}
