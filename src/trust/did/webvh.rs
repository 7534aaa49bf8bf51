//! did:webvh 1.0 (did:web + Verified History, identity.foundation/didwebvh),
//! resolved offline from the `did.jsonl` log the host hands in, and written
//! (genesis entry, updates with key rotation and pre-rotation).
//!
//! Rules, as in the spec and its reference implementation (PyPI `did-webvh`
//! 1.0.1, `did_webvh/core/state.py`):
//!
//! - each line is one JSON object with exactly `versionId`, `versionTime`,
//!   `parameters`, `state`, `proof`;
//! - entry hash = base58btc(multihash(sha2-256, JCS(entry without `proof`, with
//!   `versionId` set to the previous entry's versionId, or to the SCID for the
//!   first))); `versionId` = `<n>-<entryHash>`, n counting from 1;
//! - SCID = the same hash of the first entry with `versionId` = `{SCID}` and
//!   every occurrence of the SCID replaced by `{SCID}`; the DID is
//!   `did:webvh:<SCID>:<host>[:path]`;
//! - `versionTime` strictly increases and is not after now (plus
//!   [`MAX_FUTURE_SKEW_SECS`]);
//! - each entry has at least one `eddsa-jcs-2022` Data
//!   Integrity proof by a key in the active `updateKeys`, named
//!   `did:key:<multikey>#<multikey>`: the previous entry's `updateKeys`, or the
//!   entry's own for the first entry and when pre-rotation is active
//!   (then each new update key must hash into the previous `nextKeyHashes`);
//! - parameters: `method` (`did:webvh:1.0` only), `scid` (first entry only),
//!   `updateKeys`, `nextKeyHashes`, `portable`, `deactivated`, `ttl`,
//!   `watchers` (kept, not used); `witness` with a threshold is `Unsupported`
//!   (witness proofs live in a separate file we are not given);
//! - after a deactivating entry no entry may follow.
//!
//! Errors: a line that is not the format is `Malformed`; a broken hash chain,
//! SCID mismatch, out-of-order version numbers, an unauthorized or failing
//! proof, time going backwards or into the future are `Untrusted` (DID-09).
//! The whole log is verified even when an earlier version is asked for.
//!
//! A deactivated DID resolves (`deactivated: true`, as DID resolution metadata
//! does), but [`WebvhResolution::require_active`] — what credential
//! verification uses — makes it `Untrusted` (DID-11).

use super::did_key::did_key_method_key;
use super::did_web::{parse_location, WebLocation};
use super::document::{DidDocument, MAX_DID_BYTES};
use crate::crypto::{sha256, PublicKey};
use crate::data_integrity::{base58, verify_proofs, VerifyOptions};
use crate::encoding::jcs::canonicalize;
use crate::encoding::parse_json;
use crate::error::{limit, malformed, unsupported, untrusted, Result};
use crate::time::{parse_rfc3339, UnixTime};
use serde_json::{Map, Value};

pub(crate) use crate::limits::MAX_DID_LOG_BYTES;
pub(crate) use crate::limits::MAX_DID_LOG_ENTRIES;
pub(crate) use crate::limits::MAX_UPDATE_KEYS;
/// How far after now a `versionTime` may lie (the spec's SHOULD: 5 minutes).
pub(crate) const MAX_FUTURE_SKEW_SECS: u64 = 300;
/// The one method version supported.
pub(crate) const METHOD: &str = "did:webvh:1.0";
/// The SCID placeholder of the genesis entry.
pub(crate) const SCID_PLACEHOLDER: &str = "{SCID}";

/// Which version to resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResolveAt {
    /// The last entry.
    Latest,
    /// The entry valid at this time (the last with `versionTime` ≤ it).
    Time(UnixTime),
    /// The entry with this version number.
    Version(u64),
}

/// A verified did:webvh log, resolved to one version.
#[derive(Clone, Debug)]
pub(crate) struct WebvhResolution {
    pub(crate) did: String,
    pub(crate) document: DidDocument,
    pub(crate) version_id: String,
    pub(crate) version_number: u64,
    pub(crate) version_time: UnixTime,
    /// The first entry's time.
    pub(crate) created: UnixTime,
    /// The last entry's time.
    pub(crate) updated: UnixTime,
    pub(crate) scid: String,
    pub(crate) deactivated: bool,
    pub(crate) ttl: Option<u64>,
}

impl WebvhResolution {
    /// The document, unless the DID is deactivated (`Untrusted`, DID-11).
    pub(crate) fn require_active(&self) -> Result<&DidDocument> {
        if self.deactivated {
            Err(untrusted(format!(
                "{} is deactivated",
                crate::crypto::clip(&self.did)
            )))
        } else {
            Ok(&self.document)
        }
    }
}

/// Parses `did:webvh:<scid>:<host>[%3Aport][:path]`.
pub(crate) fn parse_did_webvh(did: &str) -> Result<(String, WebLocation)> {
    if did.len() > MAX_DID_BYTES {
        return Err(limit("DID is too long"));
    }
    let rest = did
        .strip_prefix("did:webvh:")
        .ok_or_else(|| malformed("not a did:webvh"))?;
    let (scid, location) = rest
        .split_once(':')
        .ok_or_else(|| malformed("did:webvh: SCID and domain are required"))?;
    if scid.is_empty() || !scid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(malformed("did:webvh: the SCID is not base58"));
    }
    Ok((scid.to_owned(), parse_location(location)?))
}

/// The HTTPS URL of a did:webvh's log (`…/did.jsonl`).
pub(crate) fn did_webvh_log_url(did: &str) -> Result<String> {
    Ok(parse_did_webvh(did)?.1.url("did.jsonl"))
}

/// base58btc(multihash(sha2-256, data)), without a multibase prefix.
pub(crate) fn multihash_b58(data: &[u8]) -> String {
    let mut mh = vec![0x12, 0x20];
    mh.extend_from_slice(&sha256(data));
    base58::encode(&mh)
}

/// The `nextKeyHashes` entry committing to `multikey`.
pub(crate) fn next_key_hash(multikey: &str) -> String {
    multihash_b58(multikey.as_bytes())
}

/// The entry hash: `entry` without `proof`, `versionId` set to `previous`.
pub(super) fn entry_hash(entry: &Map<String, Value>, previous: &str) -> Result<String> {
    let mut e = entry.clone();
    let _ = e.remove("proof");
    let _ = e.insert("versionId".into(), Value::String(previous.to_owned()));
    Ok(multihash_b58(canonicalize(&Value::Object(e))?.as_bytes()))
}

/// The SCID of a genesis entry whose SCID occurrences are `scid` (or already
/// the placeholder when `scid` is `None`).
pub(super) fn scid_of(entry: &Map<String, Value>, scid: Option<&str>) -> Result<String> {
    let mut e = entry.clone();
    let _ = e.remove("proof");
    let _ = e.insert("versionId".into(), Value::String(SCID_PLACEHOLDER.into()));
    let text = canonicalize(&Value::Object(e))?;
    let text = match scid {
        Some(s) => {
            if !text.contains(s) {
                return Err(untrusted(
                    "did:webvh: the SCID does not appear in the first entry",
                ));
            }
            text.replace(s, SCID_PLACEHOLDER)
        }
        None => text,
    };
    let reparsed = parse_json(text.as_bytes(), "did:webvh preliminary entry")?;
    Ok(multihash_b58(canonicalize(&reparsed)?.as_bytes()))
}

#[derive(Clone, Debug, Default)]
struct Params {
    method: Option<String>,
    scid: Option<String>,
    update_keys: Vec<String>,
    next_key_hashes: Vec<String>,
    portable: bool,
    deactivated: bool,
    ttl: Option<u64>,
}

fn string_list(v: &Value, name: &str) -> Result<Vec<String>> {
    let list = v
        .as_array()
        .ok_or_else(|| malformed(format!("did:webvh parameter {name} is not an array")))?;
    if list.len() > MAX_UPDATE_KEYS {
        return Err(limit(format!(
            "did:webvh parameter {name} has more than {MAX_UPDATE_KEYS} entries"
        )));
    }
    list.iter()
        .map(|k| {
            k.as_str()
                .map(str::to_owned)
                .ok_or_else(|| malformed(format!("did:webvh parameter {name}: not a string")))
        })
        .collect()
}

fn bool_param(v: &Value, name: &str) -> Result<bool> {
    v.as_bool()
        .ok_or_else(|| malformed(format!("did:webvh parameter {name} is not a boolean")))
}

impl Params {
    /// Applies one entry's `parameters` (a delta) to the active parameters.
    fn apply(&self, delta: &Map<String, Value>, first: bool) -> Result<Params> {
        let mut p = self.clone();
        for (name, v) in delta {
            match name.as_str() {
                "method" => {
                    let m = v
                        .as_str()
                        .ok_or_else(|| malformed("did:webvh parameter method is not a string"))?;
                    if m != METHOD {
                        return Err(unsupported(format!(
                            "did:webvh method version {:?} is not supported (only {METHOD})",
                            crate::crypto::clip(m)
                        )));
                    }
                    p.method = Some(m.to_owned());
                }
                "scid" => {
                    if !first {
                        return Err(untrusted(
                            "did:webvh: scid may only be set in the first entry",
                        ));
                    }
                    p.scid = Some(
                        v.as_str()
                            .ok_or_else(|| malformed("did:webvh parameter scid is not a string"))?
                            .to_owned(),
                    );
                }
                "updateKeys" => p.update_keys = string_list(v, name)?,
                "nextKeyHashes" => p.next_key_hashes = string_list(v, name)?,
                "portable" => {
                    let portable = bool_param(v, name)?;
                    if portable && !first && !self.portable {
                        return Err(untrusted(
                            "did:webvh: portable may only be enabled in the first entry",
                        ));
                    }
                    p.portable = portable;
                }
                "deactivated" => p.deactivated = bool_param(v, name)?,
                "ttl" => {
                    p.ttl = Some(v.as_u64().filter(|t| *t > 0).ok_or_else(|| {
                        malformed("did:webvh parameter ttl is not a positive integer")
                    })?)
                }
                "watchers" => {
                    let _ = string_list(v, name)?;
                }
                "witness" => {
                    let empty = match v {
                        Value::Null => true,
                        Value::Object(o) => {
                            o.is_empty() || o.get("threshold").and_then(Value::as_u64) == Some(0)
                        }
                        _ => false,
                    };
                    if !empty {
                        return Err(unsupported(
                            "did:webvh witnesses are not supported (no did-witness.json is handed in)",
                        ));
                    }
                }
                other => {
                    return Err(malformed(format!(
                        "did:webvh parameter {:?} is not defined",
                        crate::crypto::clip(other)
                    )))
                }
            }
        }
        Ok(p)
    }
}

struct Entry {
    version_id: String,
    number: u64,
    time: UnixTime,
    params: Params,
    state: Map<String, Value>,
    did: String,
}

/// Splits the log into lines (JSON Lines: `\n`, optional `\r`, a final newline
/// optional, no blank lines in between).
pub(super) fn lines(log: &[u8]) -> Result<Vec<&[u8]>> {
    if log.len() > MAX_DID_LOG_BYTES {
        return Err(limit(format!(
            "did:webvh log of {} bytes exceeds the limit of {MAX_DID_LOG_BYTES}",
            log.len()
        )));
    }
    let body = log.strip_suffix(b"\n").unwrap_or(log);
    if body.is_empty() {
        return Err(malformed("did:webvh log is empty"));
    }
    let mut out = Vec::new();
    for line in body.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Err(malformed("did:webvh log has an empty line"));
        }
        if out.len() >= MAX_DID_LOG_ENTRIES {
            return Err(limit(format!(
                "did:webvh log has more than {MAX_DID_LOG_ENTRIES} entries"
            )));
        }
        out.push(line);
    }
    Ok(out)
}

fn member<'a>(entry: &'a Map<String, Value>, name: &str) -> Result<&'a Value> {
    entry
        .get(name)
        .ok_or_else(|| malformed(format!("did:webvh entry has no {name}")))
}

/// Verifies one entry against the previous one.
fn verify_entry(entry: &Map<String, Value>, prev: Option<&Entry>, now: UnixTime) -> Result<Entry> {
    for k in entry.keys() {
        if !matches!(
            k.as_str(),
            "versionId" | "versionTime" | "parameters" | "state" | "proof"
        ) {
            return Err(malformed(format!(
                "did:webvh entry member {:?} is not defined",
                crate::crypto::clip(k)
            )));
        }
    }
    let version_id = member(entry, "versionId")?
        .as_str()
        .ok_or_else(|| malformed("did:webvh versionId is not a string"))?;
    let (num_text, hash) = version_id
        .split_once('-')
        .ok_or_else(|| malformed("did:webvh versionId is not <number>-<hash>"))?;
    let number: u64 = num_text
        .parse()
        .ok()
        .filter(|n| *n > 0 && !num_text.starts_with('0'))
        .ok_or_else(|| malformed("did:webvh versionId number is not a positive integer"))?;
    let expected_number = prev.map_or(1, |p| p.number.saturating_add(1));
    if number != expected_number {
        return Err(untrusted(format!(
            "did:webvh entry {expected_number} has version number {number}"
        )));
    }
    let time_text = member(entry, "versionTime")?
        .as_str()
        .ok_or_else(|| malformed("did:webvh versionTime is not a string"))?;
    let time = parse_rfc3339(time_text)
        .ok_or_else(|| malformed("did:webvh versionTime is not an RFC 3339 date-time"))?;
    let delta = member(entry, "parameters")?
        .as_object()
        .ok_or_else(|| malformed("did:webvh parameters is not an object"))?;
    let state = member(entry, "state")?
        .as_object()
        .ok_or_else(|| malformed("did:webvh state is not an object"))?;
    let _ = member(entry, "proof")?;

    if let Some(p) = prev {
        if p.params.deactivated {
            return Err(untrusted("did:webvh: an entry follows the deactivation"));
        }
    }
    let params = prev
        .map(|p| &p.params)
        .cloned()
        .unwrap_or_default()
        .apply(delta, prev.is_none())?;
    if params.method.is_none() {
        return Err(malformed(
            "did:webvh: the first entry has no method parameter",
        ));
    }

    // SCID (first entry) and hash chain
    let scid = params
        .scid
        .clone()
        .ok_or_else(|| malformed("did:webvh: the first entry has no scid parameter"))?;
    if prev.is_none() && scid_of(entry, Some(&scid))? != scid {
        return Err(untrusted(
            "did:webvh: the SCID does not match the first entry",
        ));
    }
    let previous_id = prev.map_or(scid.as_str(), |p| p.version_id.as_str());
    let hash_bytes = base58::decode(hash, "did:webvh entry hash")
        .map_err(|_| untrusted("did:webvh entry hash is not base58"))?;
    if hash_bytes.first() != Some(&0x12) {
        return Err(unsupported(
            "did:webvh entry hash is not a sha2-256 multihash",
        ));
    }
    if entry_hash(entry, previous_id)? != hash {
        return Err(untrusted(format!(
            "did:webvh entry {number}: the hash chain is broken"
        )));
    }

    // time
    if let Some(p) = prev {
        if time <= p.time {
            return Err(untrusted(format!(
                "did:webvh entry {number}: versionTime does not increase"
            )));
        }
    }
    if time.as_secs() > now.as_secs().saturating_add(MAX_FUTURE_SKEW_SECS) {
        return Err(untrusted(format!(
            "did:webvh entry {number}: versionTime is in the future"
        )));
    }

    // the DID
    let did = state
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("did:webvh state has no id"))?;
    let (did_scid, _) = parse_did_webvh(did)?;
    if did_scid != scid {
        return Err(untrusted("did:webvh: the DID's SCID is not the log's scid"));
    }
    if let Some(p) = prev {
        if p.did != did && !p.params.portable {
            return Err(untrusted(
                "did:webvh: the DID changed but the DID is not portable",
            ));
        }
    }

    // who may sign
    let pre_rotation = prev.is_some_and(|p| !p.params.next_key_hashes.is_empty());
    if pre_rotation {
        let committed = prev.map(|p| &p.params.next_key_hashes);
        if !delta.contains_key("updateKeys") {
            return Err(untrusted(
                "did:webvh: pre-rotation is active but the entry sets no updateKeys",
            ));
        }
        for k in &params.update_keys {
            if !committed.is_some_and(|c| c.contains(&next_key_hash(k))) {
                return Err(untrusted(
                    "did:webvh: an update key was not committed in the previous nextKeyHashes",
                ));
            }
        }
    }
    let authorized: &[String] = match prev {
        Some(p) if !pre_rotation => &p.params.update_keys,
        _ => &params.update_keys,
    };
    let resolver = |vm: &str, purpose: &str| -> Result<PublicKey> {
        // did:webvh 1.0: log entry proofs have proofPurpose assertionMethod
        if purpose != "assertionMethod" {
            return Err(untrusted("did:webvh proof purpose is not assertionMethod"));
        }
        let key = did_key_method_key(vm)?;
        let multikey = vm
            .strip_prefix("did:key:")
            .and_then(|r| r.split('#').next())
            .unwrap_or("");
        if !authorized.iter().any(|k| k == multikey) {
            return Err(untrusted(format!(
                "did:webvh entry {number} is signed by a key that is not an active update key"
            )));
        }
        Ok(key)
    };
    let proofs = verify_proofs(
        entry,
        &resolver,
        &VerifyOptions::at(now).with_skew(MAX_FUTURE_SKEW_SECS),
    )
    .map_err(|e| match e.kind() {
        crate::ErrorKind::Malformed
        | crate::ErrorKind::Unsupported
        | crate::ErrorKind::LimitExceeded => e,
        _ => untrusted(format!("did:webvh entry {number}: {}", e.message())),
    })?;
    // did:webvh 1.0 requires eddsa-jcs-2022 for log entry proofs
    if proofs
        .iter()
        .any(|p| p.cryptosuite() != crate::data_integrity::Cryptosuite::EddsaJcs2022)
    {
        return Err(untrusted(format!(
            "did:webvh entry {number}: a proof is not eddsa-jcs-2022"
        )));
    }

    Ok(Entry {
        version_id: version_id.to_owned(),
        number,
        time,
        params,
        state: state.clone(),
        did: did.to_owned(),
    })
}

/// Verifies a whole `did.jsonl` log and resolves the version `at` asks for.
/// When `did` is given, the resolved document's id must be it (`Untrusted`).
pub(crate) fn resolve_webvh_log(
    log: &[u8],
    did: Option<&str>,
    now: UnixTime,
    at: ResolveAt,
) -> Result<WebvhResolution> {
    if let Some(d) = did {
        let _ = parse_did_webvh(d)?;
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (i, line) in lines(log)?.into_iter().enumerate() {
        let value = parse_json(line, "did:webvh log entry")
            .map_err(|e| e.context(&format!("line {}", i + 1)))?;
        let obj = value
            .as_object()
            .ok_or_else(|| malformed(format!("did:webvh log line {} is not an object", i + 1)))?;
        let e = verify_entry(obj, entries.last(), now)?;
        entries.push(e);
    }
    let first = entries
        .first()
        .ok_or_else(|| malformed("did:webvh log is empty"))?;
    let last = entries
        .last()
        .ok_or_else(|| malformed("did:webvh log is empty"))?;
    let chosen = match at {
        ResolveAt::Latest => Some(last),
        ResolveAt::Time(t) => entries.iter().rev().find(|e| e.time <= t),
        ResolveAt::Version(n) => entries.iter().find(|e| e.number == n),
    }
    .ok_or_else(|| untrusted("did:webvh: no version of the DID at the requested time or number"))?;
    if let Some(d) = did {
        if chosen.did != d {
            return Err(untrusted(format!(
                "did:webvh log is for {}, not for the DID requested",
                crate::crypto::clip(&chosen.did)
            )));
        }
    }
    let document = DidDocument::from_json(chosen.state.clone(), &chosen.did)?;
    Ok(WebvhResolution {
        did: chosen.did.clone(),
        document,
        version_id: chosen.version_id.clone(),
        version_number: chosen.number,
        version_time: chosen.time,
        created: first.time,
        updated: last.time,
        scid: chosen.params.scid.clone().unwrap_or_default(),
        deactivated: chosen.params.deactivated,
        ttl: chosen.params.ttl,
    })
}

/// Fuzz entry: verifies `data` as a did:webvh log. Never panics.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_did_log(data: &[u8]) {
    let now = UnixTime::from_secs(1_900_000_000);
    let _ = resolve_webvh_log(data, None, now, ResolveAt::Latest);
    let _ = resolve_webvh_log(
        data,
        None,
        now,
        ResolveAt::Time(UnixTime::from_secs(1_700_000_000)),
    );
}
