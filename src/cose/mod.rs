//! CBOR and COSE envelopes: the foundation of the mdoc format (ISO/IEC 18013-5),
//! CWT status lists and VICAL.
//!
//! - [`cbor`]: a strict, bounded CBOR reader that keeps the exact received bytes
//!   of every item, typed accessors (tag 24, tag 0 `tdate`, tag 1004
//!   `full-date`), and a deterministic encoder. Its module docs list every
//!   bound and every decision (indefinite lengths, tags, canonical order).
//! - COSE_Sign1 ([`CoseSign1`], [`sign1()`]) with ES256 (−7), ES384 (−35) and
//!   EdDSA (−8) only, and COSE_Mac0 ([`CoseMac0`], [`mac0()`]) with HMAC 256/256
//!   (5) only, attached or detached payloads. Signatures and tags are checked
//!   over `Sig_structure` / `MAC_structure` built around the protected bucket's
//!   bytes **as received**; only that wrapper is encoded here. Messages are
//!   accepted untagged or with their own tag (18, 17); any other tag is
//!   `Malformed`.
//! - Header rules (RFC 9052 §3): `alg` must be protected (only unprotected →
//!   `Malformed`); no label in both buckets (`Malformed`); `crit` only
//!   protected (`Malformed` otherwise), naming labels we understand (1, 3, 4,
//!   33; others → `Unsupported`). `x5chain` (33) is a bstr or an array of ≥ 2
//!   bstr, leaf first; an array of one is `Malformed` (RFC 9360 strict CDDL).
//! - COSE_Key ↔ [`PublicKey`](crate::crypto::PublicKey): EC2 P-256/P-384, OKP Ed25519.
//!
//! `coset` provides the IANA numbers and serves as an independent
//! implementation in the tests; it never decodes untrusted input here.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod cbor;
mod header;
mod key;
mod sign1;

#[cfg(any(fuzzing, test))]
pub(crate) use cbor::canonical;
pub(crate) use cbor::{
    decode, decode_with, head_len, push_bytes, push_float, push_head, push_int, push_text,
    string_len, text_key_order, DecodeOptions, FullDate, Item, Raw, Value, MAX_CBOR_BYTES,
};
#[cfg(any(fuzzing, test))]
use header::parse_x5chain;
pub(crate) use header::{Header, Label};
#[cfg(any(fuzzing, test))]
use key::public_key_from_cose_key_bytes;
pub(crate) use key::{cose_key_from_public_key, public_key_from_cose_key};
#[cfg(test)]
pub(crate) use sign1::to_be_signed;
pub(crate) use sign1::{mac0, sign1, CoseMac0, CoseSign1};

/// Fuzz entry: every CBOR reader path on `data` (both option sets, every
/// typed accessor on every item), and decode → canonical → decode must be
/// stable. Never panics; aborts on a round-trip mismatch.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_cbor(data: &[u8]) {
    for opts in [DecodeOptions::default(), DecodeOptions::strict()] {
        let Ok(item) = decode_with(data, &opts) else {
            continue;
        };
        walk(&item, 0);
        let c1 = canonical(&item);
        let Ok(again) = decode(&c1) else {
            std::process::abort()
        };
        if canonical(&again) != c1 {
            std::process::abort();
        }
    }
}

#[cfg(any(fuzzing, test))]
fn walk(item: &Item, depth: usize) {
    let _ = item.as_uint("fuzz");
    let _ = item.as_int("fuzz");
    let _ = item.tdate("fuzz");
    let _ = item.full_date("fuzz");
    if let Ok(e) = item.embedded("fuzz") {
        if depth < 4 {
            walk(&e.item, depth.saturating_add(1));
        }
    }
    let _ = public_key_from_cose_key(item);
    let _ = parse_x5chain(item);
    match item.value() {
        Value::Array(a) => a.iter().for_each(|i| walk(i, depth)),
        Value::Map(m) => m.iter().for_each(|(k, v)| {
            walk(k, depth);
            walk(v, depth);
        }),
        Value::Tag(_, c) => walk(c, depth),
        _ => {}
    }
}

/// Fuzz entry: COSE_Sign1, COSE_Mac0 and COSE_Key parsing on `data`, with a
/// verification attempt (fixed keys; attached and detached) on whatever parses.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_cose(data: &[u8]) {
    if let Ok(s) = CoseSign1::parse(data) {
        let _ = s.x5chain();
        let _ = s.kid();
        if let Ok(key) = crate::crypto::PublicKey::from_ed25519(&[0x3b; 32]) {
            let _ = s.verify(&key, b"", None);
            let _ = s.verify(&key, b"aad", Some(b"detached"));
        }
    }
    if let Ok(m) = CoseMac0::parse(data) {
        let _ = m.verify(&[7u8; 32], b"", None);
        let _ = m.verify(&[7u8; 32], b"", Some(b"detached"));
    }
    let _ = public_key_from_cose_key_bytes(data);
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
