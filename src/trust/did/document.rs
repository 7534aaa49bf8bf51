//! A DID document as handed in by the host, checked against the DID it was
//! fetched for, and key lookup by verification relationship.

use super::multikey::decode_multikey;
use crate::crypto::{Algorithm, PublicKey};
use crate::encoding::parse_json_object;
use crate::error::{limit, malformed, unsupported, untrusted, Error, Result};
use crate::jose::public_key_from_jwk;
use serde_json::{Map, Value};

pub(crate) use crate::limits::MAX_DID_BYTES;
pub(crate) use crate::limits::MAX_VERIFICATION_METHODS;

/// A verification relationship a key can be required to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Relationship {
    /// `assertionMethod`: issuing credentials.
    AssertionMethod,
    /// `authentication`: proving control (presentations, did:webvh log entries).
    Authentication,
}

impl Relationship {
    /// The DID document member listing the relationship.
    pub(crate) fn member(self) -> &'static str {
        match self {
            Relationship::AssertionMethod => "assertionMethod",
            Relationship::Authentication => "authentication",
        }
    }

    /// The relationship a Data Integrity `proofPurpose` requires; other purposes
    /// (capabilityInvocation, keyAgreement, …) are `Unsupported`.
    pub(crate) fn from_proof_purpose(purpose: &str) -> Result<Self> {
        match purpose {
            "assertionMethod" => Ok(Relationship::AssertionMethod),
            "authentication" => Ok(Relationship::Authentication),
            other => Err(unsupported(format!(
                "proof purpose {:?} is not supported",
                crate::crypto::clip(other)
            ))),
        }
    }
}

/// One verification method of a document.
#[derive(Clone, Debug)]
pub(crate) struct VerificationMethod {
    /// The absolute id (`did#fragment`).
    pub(crate) id: String,
    pub(crate) method_type: String,
    /// The key, or why it cannot be used (`Unsupported` key types are kept
    /// so that the document still loads; they fail only when asked for).
    key: core::result::Result<PublicKey, Error>,
}

impl VerificationMethod {
    /// The key, or `Unsupported` for a key type we do not handle.
    pub(crate) fn key(&self) -> Result<PublicKey> {
        self.key.clone()
    }
}

/// A checked DID document: its `id` is the DID it was resolved for, each
/// verification method is controlled by that DID, keys are parsed.
#[derive(Clone, Debug)]
pub(crate) struct DidDocument {
    id: String,
    json: Map<String, Value>,
    methods: Vec<VerificationMethod>,
    assertion_method: Vec<String>,
    authentication: Vec<String>,
}

/// Makes `reference` absolute against `did`: `#key-1` → `did#key-1`. A DID URL
/// of another DID, or one without a fragment, is `Untrusted`.
pub(crate) fn absolute_id(reference: &str, did: &str) -> Result<String> {
    if reference.len() > MAX_DID_BYTES {
        return Err(limit("verification method id is too long"));
    }
    if let Some(frag) = reference.strip_prefix('#') {
        if frag.is_empty() {
            return Err(malformed("empty verification method fragment"));
        }
        return Ok(format!("{did}#{frag}"));
    }
    match reference.strip_prefix(did) {
        Some(rest) if rest.len() > 1 && rest.starts_with('#') => Ok(reference.to_owned()),
        _ => Err(untrusted(format!(
            "verification method {:?} is not a key of {}",
            crate::crypto::clip(reference),
            crate::crypto::clip(did)
        ))),
    }
}

fn string_member<'a>(obj: &'a Map<String, Value>, name: &str, what: &str) -> Result<&'a str> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(malformed(format!("{what}: {name} is not a string"))),
        None => Err(malformed(format!("{what}: {name} is missing"))),
    }
}

fn parse_method(obj: &Map<String, Value>, did: &str) -> Result<VerificationMethod> {
    let what = "verification method";
    let id = absolute_id(string_member(obj, "id", what)?, did)?;
    // A method without `controller` is controlled by the DID itself (two of
    // the five implementations of the DIF did:webvh suite write them so, and
    // every resolver there accepts them); one naming another DID is refused.
    let controller = match obj.get("controller") {
        None => did,
        Some(_) => string_member(obj, "controller", what)?,
    };
    if controller != did {
        // DID-03: a key controlled by someone else does not speak for this DID
        return Err(untrusted(format!(
            "verification method {} is controlled by {:?}, not by the DID",
            crate::crypto::clip(&id),
            crate::crypto::clip(controller)
        )));
    }
    let method_type = string_member(obj, "type", what)?.to_owned();
    let key = match method_type.as_str() {
        "JsonWebKey2020" | "JsonWebKey" => match obj.get("publicKeyJwk") {
            Some(Value::Object(jwk)) => public_key_from_jwk(jwk),
            Some(_) => Err(malformed("publicKeyJwk is not an object")),
            None => Err(malformed(format!("{method_type} without publicKeyJwk"))),
        },
        "Multikey" => decode_multikey(string_member(obj, "publicKeyMultibase", what)?),
        // the type names its key type: an Ed25519VerificationKey2020 holding
        // a P-256 Multikey is not that type
        "Ed25519VerificationKey2020" => {
            decode_multikey(string_member(obj, "publicKeyMultibase", what)?).and_then(|k| {
                if k.curve() == crate::crypto::Curve::Ed25519 {
                    Ok(k)
                } else {
                    Err(malformed(format!(
                        "{method_type} holds a {} key, not an Ed25519 key",
                        k.curve().name()
                    )))
                }
            })
        }
        other => Err(unsupported(format!(
            "verification method type {:?} is not supported",
            crate::crypto::clip(other)
        ))),
    };
    // Key material that is wrong (private `d`, off-curve points, bad lengths)
    // fails the whole document; unsupported key types fail only when used.
    if let Err(e) = &key {
        if e.kind() != crate::ErrorKind::Unsupported {
            return Err(e.clone().context(&id));
        }
    }
    Ok(VerificationMethod {
        id,
        method_type,
        key,
    })
}

impl DidDocument {
    /// Parses document bytes (strict JSON, bounded: DID-08) fetched for `did`.
    pub(crate) fn parse(bytes: &[u8], did: &str) -> Result<Self> {
        Self::from_json(parse_json_object(bytes, "DID document")?, did)
    }

    /// Checks a parsed document fetched for `did`: its `id` must be `did`
    /// (`Untrusted` otherwise, DID-01), each verification method must be
    /// controlled by `did` (DID-03), listed and embedded methods are parsed.
    pub(crate) fn from_json(json: Map<String, Value>, did: &str) -> Result<Self> {
        let id = string_member(&json, "id", "DID document")?;
        if id != did {
            return Err(untrusted(format!(
                "the DID document is for {:?}, not for the DID requested",
                crate::crypto::clip(id)
            )));
        }
        let mut methods = Vec::new();
        match json.get("verificationMethod") {
            None => {}
            Some(Value::Array(list)) => {
                for m in list {
                    let obj = m
                        .as_object()
                        .ok_or_else(|| malformed("a verificationMethod entry is not an object"))?;
                    push_method(&mut methods, parse_method(obj, did)?)?;
                }
            }
            Some(_) => return Err(malformed("verificationMethod is not an array")),
        }
        let mut relationships = [Vec::new(), Vec::new()];
        for (slot, rel) in relationships
            .iter_mut()
            .zip([Relationship::AssertionMethod, Relationship::Authentication])
        {
            match json.get(rel.member()) {
                None => {}
                Some(Value::Array(list)) => {
                    for entry in list {
                        match entry {
                            Value::String(r) => slot.push(absolute_id(r, did)?),
                            Value::Object(obj) => {
                                let m = parse_method(obj, did)?;
                                slot.push(m.id.clone());
                                push_method(&mut methods, m)?;
                            }
                            _ => {
                                return Err(malformed(format!(
                                    "{} entry is neither a reference nor a method",
                                    rel.member()
                                )))
                            }
                        }
                    }
                }
                Some(_) => return Err(malformed(format!("{} is not an array", rel.member()))),
            }
        }
        let [assertion_method, authentication] = relationships;
        Ok(DidDocument {
            id: did.to_owned(),
            json,
            methods,
            assertion_method,
            authentication,
        })
    }

    /// The DID.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The document as received.
    pub(crate) fn json(&self) -> &Map<String, Value> {
        &self.json
    }

    /// All verification methods (listed and embedded).
    pub(crate) fn methods(&self) -> &[VerificationMethod] {
        &self.methods
    }

    /// The method ids listed under `relationship`.
    pub(crate) fn relationship(&self, relationship: Relationship) -> &[String] {
        match relationship {
            Relationship::AssertionMethod => &self.assertion_method,
            Relationship::Authentication => &self.authentication,
        }
    }

    /// The key named by `kid` (a DID URL of this DID, or a relative `#fragment`),
    /// which must be listed under `relationship`.
    ///
    /// - a kid of another DID, or not in the document → `Untrusted`;
    /// - a key listed only under another relationship (e.g. `authentication`
    ///   when `assertionMethod` is required) → `Untrusted` (DID-02);
    /// - an unsupported key type → `Unsupported`.
    pub(crate) fn resolve_key(&self, kid: &str, relationship: Relationship) -> Result<PublicKey> {
        let id = absolute_id(kid, &self.id)?;
        let method = self.methods.iter().find(|m| m.id == id).ok_or_else(|| {
            untrusted(format!(
                "no verification method {:?} in the DID document",
                crate::crypto::clip(kid)
            ))
        })?;
        if !self.relationship(relationship).contains(&id) {
            return Err(untrusted(format!(
                "verification method {:?} is not listed under {}",
                crate::crypto::clip(kid),
                relationship.member()
            )));
        }
        method.key()
    }
}

fn push_method(methods: &mut Vec<VerificationMethod>, m: VerificationMethod) -> Result<()> {
    if methods.iter().any(|x| x.id == m.id) {
        return Err(malformed(format!(
            "verification method {} is listed twice",
            crate::crypto::clip(&m.id)
        )));
    }
    if methods.len() >= MAX_VERIFICATION_METHODS {
        return Err(limit(format!(
            "more than {MAX_VERIFICATION_METHODS} verification methods"
        )));
    }
    methods.push(m);
    Ok(())
}

/// Checks that a key from a DID document fits the algorithm a JWS or proof
/// names: an EC key with `EdDSA`, an Ed25519 key with `ES256`, or a P-384 key
/// with `ES256` is `Unsupported` (DID-10).
pub(crate) fn check_key_algorithm(key: &PublicKey, alg: Algorithm) -> Result<()> {
    if key.curve() == alg.curve() {
        Ok(())
    } else {
        Err(unsupported(format!(
            "the DID's {} key cannot be used with {}",
            key.curve().name(),
            alg.jose_name()
        )))
    }
}
