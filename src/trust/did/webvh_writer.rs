//! The did:webvh log *writer*: creates and updates logs (SCID, entry hashes,
//! eddsa-jcs-2022 proofs, pre-rotation). Only the tests build logs — the
//! shipped trust room verifies logs, it never writes one — so this compiles
//! for the tests alone (`cfg(test)`); an issuer-side writer is future work.

#![allow(clippy::indexing_slicing)]

use super::did_web::parse_location;
use super::multikey::encode_multikey;
use super::webvh::*;
use crate::crypto::{Curve, PublicKey, Signer};
use crate::data_integrity::{create_proof, Cryptosuite, ProofOptions};
use crate::encoding::jcs::canonicalize;
use crate::encoding::parse_json;
use crate::error::{malformed, misuse, Result};
use crate::time::{format_rfc3339, UnixTime};
use serde_json::{json, Map, Value};

/// A did:webvh log being written: the entries as JSON objects, one per line.
#[derive(Clone, Debug, Default)]
pub(crate) struct WebvhLog {
    entries: Vec<Map<String, Value>>,
}

/// Parameters of a new entry beyond the keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct WebvhUpdate {
    /// The new document (`None` keeps the current one). Its `id` must stay the DID.
    pub(crate) document: Option<Map<String, Value>>,
    /// New `updateKeys` (Multikeys), if they change.
    pub(crate) update_keys: Option<Vec<String>>,
    /// New pre-rotation commitments ([`next_key_hash`] of future update keys);
    /// `Some(vec![])` ends pre-rotation.
    pub(crate) next_key_hashes: Option<Vec<String>>,
    pub(crate) ttl: Option<u64>,
    pub(crate) deactivate: bool,
}

fn update_key_multikey(signer: &dyn Signer) -> Result<String> {
    if signer.public_key().curve() != Curve::Ed25519 {
        return Err(misuse("did:webvh update keys are Ed25519 (eddsa-jcs-2022)"));
    }
    Ok(encode_multikey(signer.public_key()))
}

pub(super) fn sign_entry(
    entry: &mut Map<String, Value>,
    signer: &dyn Signer,
    time: UnixTime,
) -> Result<()> {
    let mk = update_key_multikey(signer)?;
    let options = ProofOptions::new(
        Cryptosuite::EddsaJcs2022,
        &format!("did:key:{mk}#{mk}"),
        "assertionMethod",
        Some(time),
    );
    let proof = create_proof(entry, &options, signer)?;
    let _ = entry.insert("proof".into(), Value::Array(vec![Value::Object(proof)]));
    Ok(())
}

/// A minimal DID document template for `did:webvh:{SCID}:<location>` with
/// `assertion_key` as its `#key-1` (assertionMethod and authentication).
pub(crate) fn document_template(
    location: &str,
    assertion_key: &PublicKey,
) -> Result<Map<String, Value>> {
    let _ = parse_location(location)?;
    let did = format!("did:webvh:{SCID_PLACEHOLDER}:{location}");
    let doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": format!("{did}#key-1"),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": encode_multikey(assertion_key),
        }],
        "assertionMethod": [format!("{did}#key-1")],
        "authentication": [format!("{did}#key-1")],
    });
    match doc {
        Value::Object(m) => Ok(m),
        _ => Err(malformed("document template")),
    }
}

impl WebvhLog {
    /// Creates a DID: the genesis entry of `template` (whose `id` is
    /// `did:webvh:{SCID}:…`), with `signer` as the update key and optional
    /// pre-rotation commitments, signed at `time`.
    pub(crate) fn create(
        template: &Map<String, Value>,
        signer: &dyn Signer,
        next_key_hashes: Option<Vec<String>>,
        time: UnixTime,
    ) -> Result<Self> {
        let id = template
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| misuse("the template has no id"))?;
        if !id.starts_with(&format!("did:webvh:{SCID_PLACEHOLDER}:")) {
            return Err(misuse("the template id must be did:webvh:{SCID}:<domain>"));
        }
        let mut params = Map::new();
        let _ = params.insert("method".into(), json!(METHOD));
        let _ = params.insert("scid".into(), json!(SCID_PLACEHOLDER));
        let _ = params.insert("updateKeys".into(), json!([update_key_multikey(signer)?]));
        if let Some(h) = next_key_hashes {
            let _ = params.insert("nextKeyHashes".into(), json!(h));
        }
        let mut entry = Map::new();
        let _ = entry.insert("versionId".into(), json!(SCID_PLACEHOLDER));
        let _ = entry.insert("versionTime".into(), json!(format_rfc3339(time)));
        let _ = entry.insert("parameters".into(), Value::Object(params));
        let _ = entry.insert("state".into(), Value::Object(template.clone()));
        let scid = scid_of(&entry, None)?;
        let text = canonicalize(&Value::Object(entry))?.replace(SCID_PLACEHOLDER, &scid);
        let mut entry = match parse_json(text.as_bytes(), "genesis entry")? {
            Value::Object(m) => m,
            _ => return Err(malformed("genesis entry")),
        };
        let hash = entry_hash(&entry, &scid)?;
        let _ = entry.insert("versionId".into(), json!(format!("1-{hash}")));
        sign_entry(&mut entry, signer, time)?;
        Ok(WebvhLog {
            entries: vec![entry],
        })
    }

    /// Reads a log written before (it is verified at `now` first).
    pub(crate) fn from_jsonl(log: &[u8], now: UnixTime) -> Result<Self> {
        let _ = resolve_webvh_log(log, None, now, ResolveAt::Latest)?;
        let entries = lines(log)?
            .into_iter()
            .map(|l| match parse_json(l, "did:webvh log entry")? {
                Value::Object(m) => Ok(m),
                _ => Err(malformed("did:webvh log line is not an object")),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(WebvhLog { entries })
    }

    /// Appends an update signed by `signer`, which must be an active update key
    /// (the current `updateKeys`, or with pre-rotation one of the new keys).
    pub(crate) fn update(
        &mut self,
        update: &WebvhUpdate,
        signer: &dyn Signer,
        time: UnixTime,
    ) -> Result<()> {
        let last = self.entries.last().ok_or_else(|| misuse("empty log"))?;
        let prev_id = last
            .get("versionId")
            .and_then(Value::as_str)
            .ok_or_else(|| misuse("log without versionId"))?
            .to_owned();
        let number: u64 = prev_id
            .split('-')
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| misuse("log versionId"))?;
        let state = match &update.document {
            Some(d) => d.clone(),
            None => last
                .get("state")
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(|| misuse("log without state"))?,
        };
        let mut params = Map::new();
        if let Some(k) = &update.update_keys {
            let _ = params.insert("updateKeys".into(), json!(k));
        }
        if let Some(h) = &update.next_key_hashes {
            let _ = params.insert("nextKeyHashes".into(), json!(h));
        }
        if let Some(t) = update.ttl {
            let _ = params.insert("ttl".into(), json!(t));
        }
        if update.deactivate {
            let _ = params.insert("deactivated".into(), json!(true));
        }
        let mut entry = Map::new();
        let _ = entry.insert("versionId".into(), json!(prev_id.clone()));
        let _ = entry.insert("versionTime".into(), json!(format_rfc3339(time)));
        let _ = entry.insert("parameters".into(), Value::Object(params));
        let _ = entry.insert("state".into(), Value::Object(state));
        let hash = entry_hash(&entry, &prev_id)?;
        let _ = entry.insert(
            "versionId".into(),
            json!(format!("{}-{hash}", number.saturating_add(1))),
        );
        sign_entry(&mut entry, signer, time)?;
        self.entries.push(entry);
        // refuse to hand out a log that does not verify (wrong signer, time order)
        if let Err(e) =
            resolve_webvh_log(self.to_jsonl()?.as_bytes(), None, time, ResolveAt::Latest)
        {
            let _ = self.entries.pop();
            return Err(misuse(format!(
                "the update does not verify: {}",
                e.message()
            )));
        }
        Ok(())
    }

    /// The DID.
    pub(crate) fn did(&self) -> Option<&str> {
        self.entries
            .last()
            .and_then(|e| e.get("state"))
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
    }

    /// The log as JSON Lines (one JCS-serialized entry per line, final newline).
    pub(crate) fn to_jsonl(&self) -> Result<String> {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&canonicalize(&Value::Object(e.clone()))?);
            out.push('\n');
        }
        Ok(out)
    }
}
