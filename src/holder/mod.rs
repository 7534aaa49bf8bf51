//! The holder's wallet: credentials verified on receipt and kept in the
//! encrypted [`CredentialStore`](crate::CredentialStore), holder keys beside
//! them, and OpenID4VP DCQL answered from what is stored.
//!
//! Verified on receipt: a credential is verified (signature, trust, validity;
//! and possession of the holder key when one is given, by presenting it to
//! itself) before it is stored; what fails is not stored, and the error says
//! why. Stored credentials can be checked again later ([`Wallet::recheck`],
//! e.g. with fresh status lists) without re-import.
//!
//! Batches (unlinkability): several copies of one credential, each bound to
//! its own key ([`Wallet::add_batch`]); a presentation uses a copy never used
//! before, and when all were used the least-used one, which the store flags
//! (`reused`, reported by [`Wallet::present_dcql`]) — a linkable presentation
//! is the host's decision to make, not a silent one.
//!
//! Parsed once: the wallet keeps the credentials it opened and parsed
//! ([`Wallet::with_parsed_cache`]), each with the nonce and tag of the sealed
//! body it came from, read without opening it; a body written again (a fresh
//! nonce), moved, corrupted or deleted, or clear metadata that differs from
//! what the body was opened with, is opened and judged again, so the kept
//! form is only ever the form of the body in the row now. Holder keys stay
//! sealed until a presentation chooses their credential.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::crypto::{PrivateKey, Signer};
use crate::dcql::{
    present_credential, DcqlCandidate, DcqlMatch, DcqlMeta, DcqlQuery, OpenId4VpRequest,
    WalletCredential,
};
use crate::error::{misuse, Result};
use crate::store::{
    CredentialId, CredentialMetadata, CredentialRecord, CredentialStore, HolderKey, HolderKeyId,
};
use crate::time::UnixTime;
use crate::verifier::{Expectations, VerificationResult, Verifier};
use crate::wallet::{HeldMdoc, HeldSdJwt, KeyBinding};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A wallet: a store and the verifier that judges what enters it.
pub struct Wallet {
    store: CredentialStore,
    verifier: Verifier,
    hardware: Option<HardwareKeys>,
    parsed: ParsedCache,
}

/// How many parsed credentials a wallet keeps by default
/// ([`Wallet::with_parsed_cache`]).
pub const DEFAULT_PARSED_CACHE: usize = 128;

/// Credentials this wallet opened and parsed before, by id, each with the
/// fingerprint of the sealed body it came from: a credential is opened and
/// parsed again only when its body changed (or it left the cache).
struct ParsedCache {
    capacity: usize,
    entries: std::collections::HashMap<CredentialId, Kept>,
}

/// One kept credential: the fingerprint of its sealed body, the metadata
/// that body was opened (authenticated) with, and the parsed form.
struct Kept {
    fingerprint: Vec<u8>,
    metadata: CredentialMetadata,
    held: Held,
}

/// Whether two metadata agree on every field a body's seal authenticates
/// (all but the use counter).
fn same_sealed_metadata(a: &CredentialMetadata, b: &CredentialMetadata) -> bool {
    a.id == b.id
        && a.format == b.format
        && a.credential_type == b.credential_type
        && a.issuer == b.issuer
        && a.expires_at == b.expires_at
        && a.added_at == b.added_at
        && a.batch == b.batch
        && a.holder_key == b.holder_key
}

/// A stored credential as parsed.
#[derive(Clone)]
enum Held {
    SdJwt(Arc<HeldSdJwt>, DcqlCandidate),
    Mdoc(Arc<HeldMdoc>, DcqlCandidate),
    /// A W3C bearer credential: not DCQL-presentable here.
    Other,
}

impl ParsedCache {
    /// The kept form of the credential `listed` names, when its body is the
    /// one kept (same fingerprint) and its clear metadata is the metadata
    /// that body was opened with: changed metadata would fail the seal, so
    /// it misses and is opened (and refused) again.
    fn get(&self, listed: &CredentialMetadata, fingerprint: &[u8]) -> Option<Held> {
        if fingerprint.is_empty() {
            return None;
        }
        match self.entries.get(&listed.id) {
            Some(k)
                if k.fingerprint.as_slice() == fingerprint
                    && same_sealed_metadata(&k.metadata, listed) =>
            {
                Some(k.held.clone())
            }
            _ => None,
        }
    }

    fn put(&mut self, metadata: &CredentialMetadata, fingerprint: Vec<u8>, held: &Held) {
        let id = &metadata.id;
        if self.capacity == 0 || fingerprint.is_empty() {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(id) {
            // bounded: drop any one entry (it is parsed again when next needed)
            if let Some(k) = self.entries.keys().next().cloned() {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(
            id.clone(),
            Kept {
                fingerprint,
                metadata: metadata.clone(),
                held: held.clone(),
            },
        );
    }
}

impl core::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Wallet")
    }
}

/// What a presentation answered.
#[derive(Debug)]
pub struct Presented {
    /// The `vp_token` (keyed by credential query id).
    pub vp_token: Map<String, Value>,
    /// Whether a batch copy that had been presented before was used.
    pub reused_copy: bool,
}

/// A holder key as the wallet uses it: a software key it unsealed, or the
/// host's signer for a hardware key reference.
#[derive(Clone)]
enum KeyHandle {
    Software(Arc<PrivateKey>),
    Hardware(std::sync::Arc<dyn Signer + Send + Sync>),
}

impl KeyHandle {
    fn signer(&self) -> &dyn Signer {
        match self {
            KeyHandle::Software(k) => k.as_ref(),
            KeyHandle::Hardware(s) => s.as_ref(),
        }
    }
}

/// The host's signers for hardware key references (Secure Enclave,
/// StrongBox): the reference stored with the credential in, the signer out.
pub type HardwareKeys =
    Box<dyn Fn(&str) -> Option<std::sync::Arc<dyn Signer + Send + Sync>> + Send + Sync>;

/// A stored credential, parsed, with its key: a software key stays sealed
/// until the credential is chosen for a presentation.
enum Loaded {
    SdJwt(Arc<HeldSdJwt>, DcqlCandidate, Option<LazyKey>),
    Mdoc(Arc<HeldMdoc>, DcqlCandidate, LazyKey),
}

enum LazyKey {
    Sealed(HolderKeyId),
    Ready(KeyHandle),
}

const SELF_NONCE: &str = "passerelle-wallet-receipt";
const SELF_AUD: &str = "urn:passerelle:wallet";

fn mdoc_bytes(input: &[u8]) -> Option<Vec<u8>> {
    if input.first().is_some_and(|&c| (0xa0..=0xbf).contains(&c)) {
        return Some(input.to_vec());
    }
    let text = core::str::from_utf8(input).ok()?;
    let text = text.trim();
    if text.contains(['.', '~']) || text.is_empty() {
        return None;
    }
    crate::encoding::b64u_decode(text, crate::limits::MAX_CBOR_BYTES, "IssuerSigned").ok()
}

/// Parses a credential as stored (its format from the metadata).
fn parse_stored(m: &CredentialMetadata, bytes: &[u8]) -> Result<Held> {
    Ok(match m.format.as_str() {
        "dc+sd-jwt" | "vc+sd-jwt" => {
            let text = core::str::from_utf8(bytes)
                .map_err(|_| crate::error::malformed("a stored SD-JWT is not text"))?;
            let held = HeldSdJwt::parse(text)?;
            let candidate = DcqlCandidate::from_sd_jwt(&held);
            Held::SdJwt(Arc::new(held), candidate)
        }
        "mso_mdoc" => {
            let held = HeldMdoc::parse(bytes)?;
            let candidate = DcqlCandidate::from_mdoc(&held)?;
            Held::Mdoc(Arc::new(held), candidate)
        }
        // W3C bearer credentials are not DCQL-presentable here
        _ => Held::Other,
    })
}

impl Wallet {
    /// A wallet over `store`, admitting what `verifier` accepts.
    pub fn new(store: CredentialStore, verifier: Verifier) -> Self {
        Wallet {
            store,
            verifier,
            hardware: None,
            parsed: ParsedCache {
                capacity: DEFAULT_PARSED_CACHE,
                entries: std::collections::HashMap::new(),
            },
        }
    }

    /// Keeps up to `capacity` parsed credentials in memory (default
    /// [`DEFAULT_PARSED_CACHE`]), so that answering a query does not open
    /// and parse every candidate again: a credential is opened again only
    /// when its sealed body changed since (every write seals it under a fresh
    /// nonce), or when it left the cache. `0` keeps none, for a host that
    /// wants no decrypted credential to outlive a call. Holder keys are never
    /// kept: each presentation opens only the keys of the credentials it
    /// presents.
    pub fn with_parsed_cache(mut self, capacity: usize) -> Self {
        self.parsed.capacity = capacity;
        self.parsed.entries.clear();
        self
    }

    /// How the wallet reaches hardware holder keys: `resolve(reference)` gives
    /// the host's [`Signer`] for a key stored by reference
    /// ([`add_hardware`](Self::add_hardware)); a reference it cannot resolve
    /// leaves that credential out of presentations.
    pub fn with_hardware_keys(mut self, resolve: HardwareKeys) -> Self {
        self.hardware = Some(resolve);
        self
    }

    /// Makes a fresh software holder key for an issuance request and seals it
    /// in the store; give its public half to the issuer (`cnf`, the MSO's
    /// device key), then [`add_for_key`](Self::add_for_key) what it issues.
    pub fn generate_holder_key(
        &mut self,
        alg: crate::crypto::Algorithm,
        now: UnixTime,
    ) -> Result<(crate::store::HolderKeyId, crate::crypto::PublicKey)> {
        let key = PrivateKey::generate(alg)?;
        let public = key.public_key().clone();
        let id = self
            .store
            .add_holder_key(&HolderKey::Software(Box::new(key)), now)?;
        Ok((id, public))
    }

    /// Verifies `credential` like [`add`](Self::add), proving possession with
    /// the stored key `key` (made by [`generate_holder_key`](Self::generate_holder_key)).
    pub fn add_for_key(
        &mut self,
        credential: &[u8],
        key: &crate::store::HolderKeyId,
        now: UnixTime,
    ) -> Result<CredentialId> {
        let handle = self
            .key_handle(self.store.holder_key(key)?)
            .ok_or_else(|| misuse("the holder key cannot sign here"))?;
        let (result, stored) = self.verify_with(credential, Some(handle.signer()), now, None)?;
        let record = Self::record(&result, stored, None).bound_to(key.clone());
        self.store.add(&record, now)
    }

    /// Verifies `credential` like [`add`](Self::add), proving possession with
    /// the host's `signer` (a key in secure hardware), and stores only the
    /// key's `reference` and public half with it.
    pub fn add_hardware(
        &mut self,
        credential: &[u8],
        reference: &str,
        signer: &dyn Signer,
        now: UnixTime,
    ) -> Result<CredentialId> {
        let (result, stored) = self.verify_with(credential, Some(signer), now, None)?;
        let kid = self.store.add_holder_key(
            &HolderKey::Hardware {
                reference: reference.to_owned(),
                public_key: signer.public_key().clone(),
            },
            now,
        )?;
        let record = Self::record(&result, stored, None).bound_to(kid);
        self.store.add(&record, now)
    }

    fn record(
        result: &VerificationResult,
        stored: Vec<u8>,
        batch: Option<&str>,
    ) -> CredentialRecord {
        let mut record = CredentialRecord::new(
            result.format().as_str(),
            result.credential_type(),
            result.issuer().id(),
            stored,
        );
        if let Some(exp) = result.validity().expires {
            record = record.expires_at(UnixTime::from_secs(exp));
        }
        if let Some(b) = batch {
            record = record.in_batch(b);
        }
        record
    }

    fn key_handle(&self, k: HolderKey) -> Option<KeyHandle> {
        match k {
            HolderKey::Software(k) => Some(KeyHandle::Software(Arc::from(k))),
            HolderKey::Hardware { reference, .. } => self
                .hardware
                .as_ref()
                .and_then(|r| r(&reference))
                .map(KeyHandle::Hardware),
        }
    }

    /// The store.
    pub fn store(&self) -> &CredentialStore {
        &self.store
    }

    /// Verifies `credential` (an issued SD-JWT VC or `vc+sd-jwt`, an mdoc
    /// IssuerSigned as CBOR or base64url, a `vc+jwt`, `vc+cose` or Data
    /// Integrity credential) at `now`, proves `holder_key` is the key it is
    /// bound to (an mdoc needs its device key), then stores both. Nothing is
    /// stored when a check fails.
    pub fn add(
        &mut self,
        credential: &[u8],
        holder_key: Option<PrivateKey>,
        now: UnixTime,
    ) -> Result<CredentialId> {
        self.add_inner(credential, holder_key, None, now)
    }

    /// Adds the copies of one credential, each bound to its own key, as the
    /// batch `batch`.
    pub fn add_batch(
        &mut self,
        copies: Vec<(Vec<u8>, PrivateKey)>,
        batch: &str,
        now: UnixTime,
    ) -> Result<Vec<CredentialId>> {
        copies
            .into_iter()
            .map(|(c, k)| self.add_inner(&c, Some(k), Some(batch), now))
            .collect()
    }

    fn add_inner(
        &mut self,
        credential: &[u8],
        holder_key: Option<PrivateKey>,
        batch: Option<&str>,
        now: UnixTime,
    ) -> Result<CredentialId> {
        let signer: Option<&dyn Signer> = holder_key.as_ref().map(|k| -> &dyn Signer { k });
        let (result, stored) = self.verify_with(credential, signer, now, None)?;
        let mut record = Self::record(&result, stored, batch);
        if let Some(k) = holder_key {
            let kid = self
                .store
                .add_holder_key(&HolderKey::Software(Box::new(k)), now)?;
            record = record.bound_to(kid);
        }
        self.store.add(&record, now)
    }

    /// The checks of [`add`](Self::add) (with `status` lists, those of
    /// [`recheck`](Self::recheck)); the bytes to store.
    fn verify_with(
        &self,
        credential: &[u8],
        holder_key: Option<&dyn Signer>,
        now: UnixTime,
        status: Option<&crate::status::StatusLists>,
    ) -> Result<(VerificationResult, Vec<u8>)> {
        let at = |e: Expectations| match status {
            Some(s) => e.status_lists(s.clone()),
            None => e,
        };
        if let Some(cbor) = mdoc_bytes(credential) {
            let held = HeldMdoc::parse(&cbor)?;
            let key = holder_key.ok_or_else(|| {
                misuse("an mdoc is verified on receipt with its device key: give the holder key")
            })?;
            let transcript = crate::SessionTranscript::openid4vp(
                SELF_AUD,
                SELF_NONCE,
                None,
                "urn:passerelle:wallet:add",
            );
            let all: Vec<(String, String)> = held.elements();
            let refs: Vec<(&str, &str)> =
                all.iter().map(|(n, e)| (n.as_str(), e.as_str())).collect();
            let response = held.present(&refs, &transcript, key)?;
            let r = self
                .verifier
                .verify_device_response(
                    &response,
                    &at(Expectations::at(now).session_transcript(transcript)),
                )?
                .into_iter()
                .next()
                .ok_or_else(|| misuse("the DeviceResponse held no document"))?;
            return Ok((r, cbor));
        }
        let text = core::str::from_utf8(credential)
            .map_err(|_| crate::error::malformed("the credential is neither CBOR nor text"))?
            .trim();
        if text.contains('~') {
            let held = HeldSdJwt::parse(text)?;
            let r = match holder_key {
                Some(k) => {
                    let paths = held.disclosable_paths();
                    let kb = KeyBinding {
                        signer: k,
                        nonce: SELF_NONCE,
                        audience: SELF_AUD,
                        iat: now,
                    };
                    let presented = held.present(&paths, Some(kb))?;
                    self.verifier.verify(
                        presented.as_bytes(),
                        &at(Expectations::at(now).nonce(SELF_NONCE).audience(SELF_AUD)),
                    )?
                }
                None => self
                    .verifier
                    .verify(text.as_bytes(), &at(Expectations::at(now)))?,
            };
            return Ok((r, text.as_bytes().to_vec()));
        }
        let r = self
            .verifier
            .verify(credential, &at(Expectations::at(now)))?;
        if holder_key.is_some() {
            return Err(misuse(format!(
                "a {} carries no holder binding: no holder key goes with it",
                r.format().as_str()
            )));
        }
        Ok((r, credential.to_vec()))
    }

    /// What the store holds (metadata only, nothing decrypted).
    pub fn list(&self) -> Result<Vec<CredentialMetadata>> {
        self.store.list()
    }

    /// Removes a credential.
    pub fn remove(&mut self, id: &CredentialId) -> Result<()> {
        self.parsed.entries.remove(id);
        self.store.remove(id)
    }

    /// Verifies a stored credential again at `now` (an expiry passed since
    /// it was stored fails), against `status` lists when given, without
    /// re-import. For an mdoc and a bound SD-JWT the stored holder key proves
    /// possession again.
    pub fn recheck(
        &self,
        id: &CredentialId,
        now: UnixTime,
        status: Option<&crate::status::StatusLists>,
    ) -> Result<VerificationResult> {
        let c = self.store.get(id)?;
        let key = match &c.metadata.holder_key {
            Some(k) => self.key_handle(self.store.holder_key(k)?),
            None => None,
        };
        self.verify_with(
            &c.credential,
            key.as_ref().map(KeyHandle::signer),
            now,
            status,
        )
        .map(|(r, _)| r)
    }

    fn load(
        &mut self,
        query: &DcqlQuery,
        batch_seen: &mut Vec<String>,
    ) -> Result<(Vec<(CredentialId, Loaded)>, bool)> {
        let mut out = Vec::new();
        let mut reused = false;
        // pre-filter on the clear metadata (format and type), so only
        // credentials a query could match are decrypted and parsed; the
        // metadata is not authenticated, but it can only exclude: what is
        // presented is matched on the opened, parsed credential itself
        let could_match = |m: &CredentialMetadata| {
            query.credentials().iter().any(|q| {
                q.format().as_str() == m.format
                    && match q.meta() {
                        DcqlMeta::SdJwtVc { vct_values } => vct_values.contains(&m.credential_type),
                        DcqlMeta::MsoMdoc { doctype_value } => *doctype_value == m.credential_type,
                        _ => true,
                    }
            })
        };
        for m in self.store.list()?.into_iter().filter(could_match) {
            let (meta, held) = if let Some(b) = &m.batch {
                if batch_seen.contains(b) {
                    continue;
                }
                batch_seen.push(b.clone());
                let taken = self.store.take_unused(b)?;
                reused |= taken.reused;
                let c = taken.credential;
                self.kept_or_parsed(c.metadata.clone(), |_| Ok(c))?
            } else {
                let id = m.id.clone();
                self.kept_or_parsed(m, |store| store.get(&id))?
            };
            if let Some(l) = self.with_key(&meta, held)? {
                out.push((meta.id.clone(), l));
            }
        }
        Ok((out, reused))
    }

    /// The parsed form of the credential `listed` names, with the metadata
    /// it goes with: the kept one while the body and the metadata are those
    /// it was opened with, else `open`ed (authenticating both), parsed and
    /// kept.
    fn kept_or_parsed(
        &mut self,
        listed: CredentialMetadata,
        open: impl FnOnce(&CredentialStore) -> Result<crate::store::StoredCredential>,
    ) -> Result<(CredentialMetadata, Held)> {
        let fingerprint = self.store.body_fingerprint(&listed.id)?;
        if let Some(h) = self.parsed.get(&listed, &fingerprint) {
            return Ok((listed, h));
        }
        let c = open(&self.store)?;
        let h = parse_stored(&c.metadata, &c.credential)?;
        self.parsed.put(&c.metadata, fingerprint, &h);
        Ok((c.metadata, h))
    }

    /// A parsed credential with its key: a software key is left sealed, a
    /// hardware reference is resolved now (one the host cannot resolve
    /// leaves the credential without a key).
    fn with_key(&self, m: &CredentialMetadata, held: Held) -> Result<Option<Loaded>> {
        let key = match &m.holder_key {
            Some(k) if self.store.holder_key_is_software(k)? => Some(LazyKey::Sealed(k.clone())),
            Some(k) => self
                .key_handle(self.store.holder_key(k)?)
                .map(LazyKey::Ready),
            None => None,
        };
        Ok(match held {
            Held::SdJwt(h, c) => Some(Loaded::SdJwt(h, c, key)),
            Held::Mdoc(h, c) => key.map(|k| Loaded::Mdoc(h, c, k)),
            Held::Other => None,
        })
    }

    /// Opens a key a presentation needs.
    fn open_key(&self, k: &LazyKey) -> Result<Option<KeyHandle>> {
        Ok(match k {
            LazyKey::Sealed(id) => self.key_handle(self.store.holder_key(id)?),
            LazyKey::Ready(h) => Some(h.clone()),
        })
    }

    /// Which stored credentials satisfy `query` (each credential query on
    /// its own), without presenting anything. Returns the ids in candidate
    /// order (only credentials whose stored format and type a query names
    /// are candidates) and the match.
    pub fn match_dcql(&mut self, query: &DcqlQuery) -> Result<(Vec<CredentialId>, DcqlMatch)> {
        let mut seen = Vec::new();
        let (loaded, _) = self.load(query, &mut seen)?;
        let candidates = loaded
            .iter()
            .map(|(_, l)| match l {
                Loaded::SdJwt(_, c, _) | Loaded::Mdoc(_, c, _) => c.clone(),
            })
            .collect::<Vec<_>>();
        let m = query.match_candidates(&candidates);
        Ok((loaded.into_iter().map(|(id, _)| id).collect(), m))
    }

    /// Answers `query` for `request`: the `vp_token` of OpenID4VP 1.0, each
    /// SD-JWT presented with exactly the requested claims and a KB-JWT bound
    /// to the nonce and the client_id, each mdoc as a DeviceResponse over the
    /// OpenID4VP handover; `Policy` when the query cannot be met (nothing is
    /// presented).
    pub fn present_dcql(
        &mut self,
        query: &DcqlQuery,
        request: &OpenId4VpRequest<'_>,
        now: UnixTime,
    ) -> Result<Presented> {
        let mut seen = Vec::new();
        let (loaded, reused_copy) = self.load(query, &mut seen)?;
        let candidates = loaded
            .iter()
            .map(|(_, l)| match l {
                Loaded::SdJwt(_, c, k) => {
                    let mut c = c.clone();
                    c.holder_binding = c.holder_binding && k.is_some();
                    c
                }
                Loaded::Mdoc(_, c, _) => c.clone(),
            })
            .collect::<Vec<_>>();
        let vp_token = query.answer(&candidates, |i, paths| {
            let (_, l) = loaded
                .get(i)
                .ok_or_else(|| misuse("a match names no wallet credential"))?;
            match l {
                Loaded::SdJwt(h, _, k) => {
                    let key = match k {
                        Some(k) => Some(self.open_key(k)?.ok_or_else(|| {
                            misuse("the holder key of a chosen credential cannot be reached")
                        })?),
                        None => None,
                    };
                    let w = WalletCredential::SdJwt {
                        credential: h,
                        holder_key: key.as_ref().map(KeyHandle::signer),
                    };
                    present_credential(&w, paths, request, now)
                }
                Loaded::Mdoc(h, _, k) => {
                    let key = self.open_key(k)?.ok_or_else(|| {
                        misuse("the device key of a chosen credential cannot be reached")
                    })?;
                    let w = WalletCredential::Mdoc {
                        credential: h,
                        device_key: key.signer(),
                    };
                    present_credential(&w, paths, request, now)
                }
            }
        })?;
        Ok(Presented {
            vp_token,
            reused_copy,
        })
    }
}
