//! Decentralized identifiers, resolved offline (DESIGN.md: the host hands in
//! documents and logs; nothing here touches the network).
//!
//! - did:key (Ed25519, P-256, P-384) — the key is the identifier;
//! - did:web — [`did_web_url`] tells the host what to fetch,
//!   [`check_did_web_document`] checks what it fetched;
//! - did:webvh 1.0 — [`resolve_webvh_log`] verifies a whole `did.jsonl`;
//!   the tests write logs with `webvh_writer` (test-only: nothing shipped writes one);
//! - [`DidDocument::resolve_key`] finds a key by id and verification
//!   relationship (DID-02), [`check_key_algorithm`] checks it fits a JWS `alg`
//!   (DID-10).
//!
//! `Malformed` comes from syntax (DIDs, documents, log lines); `Untrusted` from
//! documents that do not speak for the DID asked about.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Groundwork for the Canadian profile: the verifier and CLI wire these in later.
#![allow(dead_code)]

mod bigint;
mod did_key;
mod did_web;
mod document;
mod multikey;
mod webvh;

#[allow(unused_imports)] // the crate-facing API; wired in by the verifier and CLI later
pub(crate) use did_key::{
    did_key_document, did_key_document_json, did_key_for, did_key_method_key, did_key_public_key,
};
#[allow(unused_imports)]
pub(crate) use did_web::{check_did_web_document, did_web_url, parse_did_web};
#[allow(unused_imports)]
pub(crate) use document::{check_key_algorithm, DidDocument, Relationship, VerificationMethod};
#[allow(unused_imports)]
pub(crate) use multikey::{decode_multikey, encode_multikey, read_varint};
#[allow(unused_imports)]
pub(crate) use webvh::{
    did_webvh_log_url, next_key_hash, parse_did_webvh, resolve_webvh_log, ResolveAt,
    WebvhResolution, MAX_DID_LOG_BYTES, MAX_DID_LOG_ENTRIES,
};
#[cfg(test)]
mod webvh_writer;
#[cfg(test)]
pub(crate) use webvh_writer::{document_template, WebvhLog, WebvhUpdate};

use crate::crypto::PublicKey;
use crate::error::Result;

/// A Data Integrity verification-method resolver over a checked DID document:
/// the method must be listed under the relationship the proof purpose names
/// (`assertionMethod` / `authentication`), else `Untrusted` (VC-13, DID-02).
pub(crate) fn document_resolver(
    doc: &DidDocument,
) -> impl Fn(&str, &str) -> Result<PublicKey> + '_ {
    move |vm: &str, purpose: &str| doc.resolve_key(vm, Relationship::from_proof_purpose(purpose)?)
}

/// Fuzz entry: `data` as a DID document (for a did:web and a did:webvh), as a
/// DID (did:key, did:web, did:webvh syntax). Never panics.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_did_document(data: &[u8]) {
    let _ = DidDocument::parse(data, "did:web:example.com");
    if let Ok(doc) = DidDocument::parse(data, "did:web:example.com") {
        let _ = doc.resolve_key("#key-1", Relationship::AssertionMethod);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = did_key_document(text);
        let _ = did_web_url(text);
        let _ = parse_did_webvh(text);
        let _ = decode_multikey(text);
    }
}

/// Fuzz entry: `data` as a did:webvh log.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_did_log(data: &[u8]) {
    webvh::fuzz_did_log(data);
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
