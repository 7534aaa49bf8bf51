//! The fuzzers' entries: one per parser, each feeding arbitrary bytes
//! through it. None may panic, hang or allocate without bound, whatever the
//! input. Compiled only for the fuzz build (`cfg(fuzzing)`, which cargo-fuzz
//! sets) and the unit tests: the fixed key and the embedded test vector below
//! never ship.

use crate::{Expectations, Policy, PrivateKey, TrustStore, UnixTime, Verifier};
use std::sync::OnceLock;

/// Compact JWS and JWK parsing (and a verification attempt with a fixed key).
pub fn jws(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(jws) = crate::jose::Jws::parse(text) {
        let _ = jws.x5c();
        let _ = jws.require_typ(&["dc+sd-jwt"]);
        let _ = jws.verify(key().public_key());
    }
    let _ = crate::PublicKey::from_jwk(text);
    let _ = crate::PrivateKey::from_jwk(text);
    let _ = crate::encoding::parse_json(data, "fuzz");
}

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::from_jwk(
            r#"{"kty":"EC","crv":"P-256","d":"Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
            "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ","y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}"#,
        )
        .unwrap_or_else(|_| std::process::abort())
    })
}

/// An SD-JWT presentation through the verifier (trusting the RFC 9901 A.5
/// issuer key, so seeds from the RFC examples reach the processing rules),
/// and through the wallet's parser.
pub fn sd_jwt_presentation(data: &[u8]) {
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key().public_key().clone(), None, None);
    let v = Verifier::new(trust, Policy::default().allow_legacy_typ(true));
    let e = Expectations::at(UnixTime::from_secs(1_748_536_900))
        .nonce("1234567890")
        .audience("https://verifier.example.org");
    let _ = v.verify(data, &e);
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = v.verify_sd_jwt(text, &e);
        if let Ok(held) = crate::HeldSdJwt::parse(text) {
            let paths = held.disclosable_paths();
            let _ = held.present(&paths, None);
        }
    }
}

/// W3C VCDM checks (data model, vc+jwt path).
pub fn vcdm(data: &[u8]) {
    if let Ok(obj) = crate::encoding::parse_json_object(data, "fuzz") {
        let _ =
            crate::formats::w3c_vc::check_credential(&obj, UnixTime::from_secs(1_790_000_000), 0);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let mut trust = TrustStore::new();
        trust.add_issuer_key(key().public_key().clone(), None, None);
        let v = Verifier::new(trust, Policy::default());
        let _ = v.verify_vc_jwt_text(text, &Expectations::at(UnixTime::from_secs(1_790_000_000)));
    }
}

/// Trust files, trust registries and recognition policies.
pub fn trust_config(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = TrustStore::from_json(text, crate::UnixTime::from_secs(1_790_000_000));
        let _ = crate::TrustRegistry::from_json(text);
        let _ = crate::TrustRegistry::from_signed(text, key().public_key());
        let _ = crate::Recognition::from_json(text);
    }
}

/// JCS (RFC 8785): canonicalization is idempotent and re-parses to the same value.
pub fn jcs(data: &[u8]) {
    if let Ok(v) = crate::encoding::parse_json(data, "fuzz") {
        if let Ok(c1) = crate::encoding::jcs::canonicalize(&v) {
            let Ok(v2) = crate::encoding::parse_json(c1.as_bytes(), "fuzz") else {
                std::process::abort()
            };
            let Ok(c2) = crate::encoding::jcs::canonicalize(&v2) else {
                std::process::abort()
            };
            if c1 != c2 {
                std::process::abort();
            }
        }
    }
}

/// Data Integrity proofs (JCS suites), with did:key verification methods.
pub fn data_integrity(data: &[u8]) {
    let _ = crate::data_integrity::base58::decode(&String::from_utf8_lossy(data), "fuzz");
    let Ok(doc) = crate::data_integrity::ijson::parse_document(data) else {
        return;
    };
    let resolver = |vm: &str, _purpose: &str| -> crate::Result<crate::PublicKey> {
        crate::trust::did::did_key_public_key(vm.split('#').next().unwrap_or(vm))
    };
    let _ = crate::data_integrity::verify_proofs(
        &doc,
        &resolver,
        &crate::data_integrity::VerifyOptions::at(UnixTime::from_secs(1_700_000_000)),
    );
}

/// Trust lists: VICAL, LoTE (JAdES) and TS 119 612 XML (XAdES, C14N).
pub fn trust_lists(data: &[u8]) {
    crate::trust::fuzz_lists(data);
}

/// ISO/IEC 18013-5 Annex C VICALs (COSE_Sign1 envelope and payload).
pub fn vical(data: &[u8]) {
    crate::trust::fuzz_vical(data);
}

/// ETSI TS 119 602 LoTE (compact JAdES envelope and JSON payload).
pub fn lote(data: &[u8]) {
    crate::trust::fuzz_lote(data);
}

/// ETSI TS 119 612 XML lists (parser, canonicalization, XAdES checks).
pub fn trusted_list_xml(data: &[u8]) {
    crate::trust::fuzz_tsl(data);
}

/// DID documents (did:web checks, key lookup).
pub fn did_document(data: &[u8]) {
    crate::trust::did::fuzz_did_document(data);
}

/// did:webvh logs.
pub fn did_log(data: &[u8]) {
    crate::trust::did::fuzz_did_log(data);
}

/// Status lists: Token Status List JWT and CWT, identifier list CWT, the
/// referenced token's status (JSON and CBOR), Bitstring entries and list
/// credentials, and the raw zlib / gzip decoders, each with one lookup.
pub fn status_list(data: &[u8]) {
    use crate::status::*;
    let _ = compression::zlib_decompress(data, 1 << 20);
    let _ = compression::gzip_decompress(data, 1 << 20);
    if let Ok(t) = UnverifiedStatusListCwt::parse(data) {
        let _ = t.claims().list().get(0);
    }
    let _ = UnverifiedIdentifierListCwt::parse(data);
    let _ = parse_status_claim_cbor_bytes(data);
    let _ = referenced_cwt_status(data);
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(t) = UnverifiedStatusListJwt::parse(text) {
            let _ = t
                .claims()
                .list()
                .get(t.claims().list().entries().saturating_sub(1));
        }
    }
    if let Ok(v) = crate::encoding::parse_json(data, "fuzz") {
        let _ = parse_status_claim_json(&v);
        let entries = BitstringStatusEntry::from_credential_status(&v);
        if let Some(o) = v.as_object() {
            if let Ok(list) = BitstringStatusList::from_credential(o) {
                for e in entries.iter().flatten() {
                    let _ = list.value(e);
                }
            }
        }
    }
}

/// The X.509 DER certificate parser (issue 8: its own target).
pub fn certificate(data: &[u8]) {
    crate::trust::x509::fuzz_certificate(data);
}

/// The strict CBOR reader (decode → canonical → decode must be stable).
pub fn cbor(data: &[u8]) {
    crate::cose::fuzz_cbor(data);
}

/// COSE_Sign1, COSE_Mac0 and COSE_Key parsing.
pub fn cose(data: &[u8]) {
    crate::cose::fuzz_cose(data);
}

/// An mdoc DeviceResponse through the verifier (trusting the ISO 18013-5
/// Annex D IACA at a time its chain is valid, so Annex D seeds reach every
/// check), then every mdoc structure through the format's checks.
pub fn mdoc(data: &[u8]) {
    let now = UnixTime::from_secs(1_609_459_200);
    let expect = Expectations::at(now).session_transcript(crate::SessionTranscript::openid4vp(
        "c",
        "n",
        None,
        "https://r",
    ));
    let _ = mdoc_verifier().verify_device_response(data, &expect);
    crate::formats::mdoc::fuzz_mdoc(data, Some(key()));
}

fn mdoc_verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let hex =
            include_str!("../../test-vectors/iso18013-5-annexD/iaca_root_cert.der.hex").trim();
        let der: Vec<u8> = (0..hex.len() / 2)
            .filter_map(|i| hex.get(2 * i..2 * i + 2))
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect();
        let mut trust = TrustStore::new();
        if trust.add_iaca_der(&der).is_err() {
            std::process::abort();
        }
        Verifier::new(trust, Policy::default())
    })
}
