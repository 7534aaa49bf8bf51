//! did:key (W3C CCG did:key v0.9) for Ed25519, P-256 and P-384, resolved
//! offline: the key is the identifier.
//!
//! The document is the Multikey form of the spec's "Document Creation
//! Algorithm": one verification method `did:key:z…#z…`, listed under
//! authentication, assertionMethod, capabilityInvocation and
//! capabilityDelegation; for Ed25519 (with `enableEncryptionKeyDerivation`,
//! the spec's default) a keyAgreement X25519 method derived from it.

use super::document::{DidDocument, MAX_DID_BYTES};
use super::multikey::{
    decode_multikey, ed25519_to_x25519, encode_multikey, encode_x25519_multikey,
};
use crate::crypto::{Curve, PublicKey};
use crate::error::{limit, malformed, Result};
use serde_json::{json, Map, Value};

/// The DID of `key`: `did:key:` and its Multikey.
pub(crate) fn did_key_for(key: &PublicKey) -> String {
    format!("did:key:{}", encode_multikey(key))
}

fn method_specific_id(did: &str) -> Result<&str> {
    if did.len() > MAX_DID_BYTES {
        return Err(limit("did:key is too long"));
    }
    let msid = did
        .strip_prefix("did:key:")
        .ok_or_else(|| malformed("not a did:key"))?;
    if msid.contains([':', '#', '?', '/']) {
        return Err(malformed(
            "did:key: a version, path, query or fragment is not supported here",
        ));
    }
    Ok(msid)
}

/// The public key a did:key names. Malformed keys (Ed25519 with 33 bytes, a
/// P-256 point off the curve: DID-04) are `Malformed`; other key types
/// `Unsupported`.
pub(crate) fn did_key_public_key(did: &str) -> Result<PublicKey> {
    decode_multikey(method_specific_id(did)?).map_err(|e| e.context("did:key"))
}

/// The key of a did:key verification method `did:key:X#X`: the fragment must
/// be the key itself.
pub(crate) fn did_key_method_key(verification_method: &str) -> Result<PublicKey> {
    let (did, fragment) = verification_method
        .split_once('#')
        .ok_or_else(|| malformed("did:key verification method without a fragment"))?;
    let msid = method_specific_id(did)?;
    if fragment != msid {
        return Err(malformed(
            "did:key verification method fragment is not the key",
        ));
    }
    did_key_public_key(did)
}

/// The DID document of a did:key, as JSON.
pub(crate) fn did_key_document_json(did: &str) -> Result<Map<String, Value>> {
    let key = did_key_public_key(did)?;
    let msid = method_specific_id(did)?;
    let vm_id = format!("{did}#{msid}");
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1.1"],
        "id": did,
        "verificationMethod": [{
            "id": vm_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": msid,
        }],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    });
    if key.curve() == Curve::Ed25519 {
        let x = encode_x25519_multikey(&ed25519_to_x25519(key.raw())?);
        if let Some(obj) = doc.as_object_mut() {
            let _ = obj.insert(
                "keyAgreement".into(),
                json!([{
                    "id": format!("{did}#{x}"),
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": x,
                }]),
            );
        }
    }
    match doc {
        Value::Object(m) => Ok(m),
        _ => Err(malformed("did:key document")),
    }
}

/// The checked DID document of a did:key.
pub(crate) fn did_key_document(did: &str) -> Result<DidDocument> {
    DidDocument::from_json(did_key_document_json(did)?, did)
}
