//! COSE_Sign1 (RFC 9052 §4.2) and COSE_Mac0 (§6.2): parse, verify over the bytes
//! received, create.

use super::cbor::{self, push_head, Item, Raw, Value};
use super::header::{self, check_buckets, cose_alg, sign_alg, Header, Label, ALG, CRIT};
use crate::crypto::{verify_signature, Algorithm, PublicKey, SignatureChecked, Signer};
use crate::error::{malformed, misuse, signature, unsupported, Result};
use coset::iana::{self, EnumI64};

/// CBOR tag of a COSE_Sign1.
pub(crate) const TAG_SIGN1: u64 = 18;
/// CBOR tag of a COSE_Mac0.
pub(crate) const TAG_MAC0: u64 = 17;

/// Smallest HMAC key accepted, in bytes (the hash output size).
pub(crate) const MIN_HMAC_KEY_BYTES: usize = 32;

/// `Sig_structure` / `MAC_structure` (RFC 9052 §4.4, §6.3) for `context`:
/// `[context, protected, external_aad, payload]`, where `protected` is the
/// protected bucket's `bstr` content exactly as received. Only this wrapper is
/// encoded here, deterministically (definite lengths, shortest heads).
pub(crate) fn to_be_signed(
    context: &str,
    protected: &[u8],
    external_aad: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        protected
            .len()
            .saturating_add(external_aad.len())
            .saturating_add(payload.len())
            .saturating_add(40),
    );
    push_head(&mut out, 4, 4);
    push_head(&mut out, 3, len_u64(context.len()));
    out.extend_from_slice(context.as_bytes());
    for b in [protected, external_aad, payload] {
        push_head(&mut out, 2, len_u64(b.len()));
        out.extend_from_slice(b);
    }
    out
}

fn len_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The four parts shared by COSE_Sign1 and COSE_Mac0, as received.
#[derive(Clone, Debug)]
struct Parts {
    protected_bytes: Raw,
    protected: Header,
    unprotected: Header,
    payload: Option<Raw>,
    last: Raw,
}

fn parse_parts(item: &Item, tag: u64, name: &str) -> Result<(Parts, Item)> {
    let body = match item.value() {
        Value::Tag(t, content) if *t == tag => content.as_ref(),
        Value::Tag(t, _) => {
            return Err(malformed(format!("a {name} has tag {t}, not {tag}")));
        }
        _ => item,
    };
    let a = body.as_array(name)?;
    let [p, u, pl, last] = a else {
        return Err(malformed(format!(
            "a {name} is an array of 4, not {}",
            a.len()
        )));
    };
    let protected_bytes = p.as_bytes_shared("the COSE protected header")?.clone();
    let protected = header::protected_from_bytes(&protected_bytes)?;
    let unprotected = Header::from_item(u, "the COSE unprotected header")?;
    let payload = match pl.value() {
        Value::Null => None,
        Value::Bytes(b) => Some(b.clone()),
        _ => {
            return Err(malformed(format!(
                "a {name} payload is {}, not a bstr or nil",
                pl.kind_name()
            )))
        }
    };
    let last = last.as_bytes_shared(name)?.clone();
    let alg = check_buckets(&protected, &unprotected)?.clone();
    if let Some(x5) = protected
        .get_int(header::X5CHAIN)
        .or_else(|| unprotected.get_int(header::X5CHAIN))
    {
        header::parse_x5chain(x5)?;
    }
    Ok((
        Parts {
            protected_bytes,
            protected,
            unprotected,
            payload,
            last,
        },
        alg,
    ))
}

impl Parts {
    fn payload_for<'a>(&'a self, detached: Option<&'a [u8]>, name: &str) -> Result<&'a [u8]> {
        match (&self.payload, detached) {
            (Some(p), None) => Ok(p.as_slice()),
            (None, Some(p)) => Ok(p),
            (Some(_), Some(_)) => Err(malformed(format!(
                "the {name} carries a payload where a detached one was expected"
            ))),
            (None, None) => Err(malformed(format!(
                "the {name} payload is detached (nil) where an attached one was expected"
            ))),
        }
    }

    fn x5chain(&self) -> Result<Option<Vec<Vec<u8>>>> {
        self.protected
            .get_int(header::X5CHAIN)
            .or_else(|| self.unprotected.get_int(header::X5CHAIN))
            .map(header::parse_x5chain)
            .transpose()
    }
}

/// Builds the protected bucket for creation: `alg` added (or checked if
/// present), and the bucket rules checked on the caller's input.
fn creation_headers(protected: &Header, unprotected: &Header, alg: i64) -> Result<Raw> {
    let prot = match protected.get_int(ALG) {
        Some(a) if a.as_int("alg").ok() == Some(alg) => protected.clone(),
        Some(_) => return Err(misuse("the protected header's alg differs from the key's")),
        None => protected.clone().with(Label::Int(ALG), Item::int(alg))?,
    };
    for (label, _) in unprotected.entries() {
        if prot.get(label).is_some() {
            return Err(misuse(format!(
                "COSE header label {label:?} given in both buckets"
            )));
        }
    }
    if unprotected.get_int(CRIT).is_some() {
        return Err(misuse("COSE crit must be protected"));
    }
    check_buckets(&prot, unprotected).map_err(|e| misuse(e.message()))?;
    Ok(prot.to_item()?.raw_shared().clone())
}

fn assemble(
    tag: u64,
    tagged: bool,
    protected_bytes: &[u8],
    unprotected: &Header,
    payload: Option<&[u8]>,
    last: &[u8],
) -> Result<Vec<u8>> {
    // written straight into the output: [protected, unprotected, payload / nil, last]
    let unprotected = unprotected.to_item()?;
    let mut out = Vec::with_capacity(
        protected_bytes
            .len()
            .saturating_add(unprotected.raw().len())
            .saturating_add(payload.map_or(0, <[u8]>::len))
            .saturating_add(last.len())
            .saturating_add(32),
    );
    if tagged {
        push_head(&mut out, 6, tag);
    }
    push_head(&mut out, 4, 4);
    cbor::push_bytes(&mut out, protected_bytes);
    out.extend_from_slice(unprotected.raw());
    match payload {
        Some(p) => cbor::push_bytes(&mut out, p),
        None => out.push(0xf6),
    }
    cbor::push_bytes(&mut out, last);
    Ok(out)
}

// ---------------------------------------------------------------------------
// COSE_Sign1

/// A COSE_Sign1 as received (untagged, or tag 18). Not verified.
#[derive(Clone, Debug)]
pub(crate) struct CoseSign1 {
    parts: Parts,
    alg: Algorithm,
}

impl CoseSign1 {
    /// Parses a COSE_Sign1 from bytes (exactly one item).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        Self::from_item(&cbor::decode(bytes)?)
    }

    /// Reads a COSE_Sign1 from a decoded item (e.g. `issuerAuth` inside a
    /// DeviceResponse). Untagged or tag 18; any other tag (17 Mac0, 98 Sign,
    /// …) is `Malformed`. `alg` must be protected and one of ES256, ES384,
    /// EdDSA; the header rules of [`check_buckets`](super::header::check_buckets()) apply.
    pub(crate) fn from_item(item: &Item) -> Result<Self> {
        let (parts, alg) = parse_parts(item, TAG_SIGN1, "COSE_Sign1")?;
        let alg = sign_alg(&alg)?;
        Ok(CoseSign1 { parts, alg })
    }

    /// The protected `alg`.
    pub(crate) fn alg(&self) -> Algorithm {
        self.alg
    }

    #[cfg(test)]
    /// The protected bucket's bytes, exactly as received.
    pub(crate) fn protected_bytes(&self) -> &[u8] {
        &self.parts.protected_bytes
    }

    /// The protected bucket.
    pub(crate) fn protected(&self) -> &Header {
        &self.parts.protected
    }

    /// The unprotected bucket.
    pub(crate) fn unprotected(&self) -> &Header {
        &self.parts.unprotected
    }

    /// The attached payload (`None`: detached, `nil` on the wire).
    pub(crate) fn payload(&self) -> Option<&[u8]> {
        self.parts.payload.as_deref()
    }

    #[cfg(test)]
    /// The signature bytes.
    pub(crate) fn signature(&self) -> &[u8] {
        &self.parts.last
    }

    /// `kid` from either bucket (a hint only: it never selects another key).
    pub(crate) fn kid(&self) -> Option<&[u8]> {
        self.parts
            .protected
            .kid()
            .or_else(|| self.parts.unprotected.kid())
    }

    /// `x5chain` (label 33) from either bucket, leaf first. See
    /// [`parse_x5chain`](super::header::parse_x5chain()) for the accepted shapes.
    pub(crate) fn x5chain(&self) -> Result<Option<Vec<Vec<u8>>>> {
        self.parts.x5chain()
    }

    /// Verifies the signature with `key` over
    /// `["Signature1", protected as received, external_aad, payload]`.
    ///
    /// `detached_payload` must be `Some` exactly when the message's payload is
    /// `nil`; a mismatch either way is `Malformed`. A wrong key, a key of the
    /// other curve, a wrong `external_aad` or a bad signature is `Signature`.
    pub(crate) fn verify(
        &self,
        key: &PublicKey,
        external_aad: &[u8],
        detached_payload: Option<&[u8]>,
    ) -> Result<SignatureChecked> {
        let payload = self.parts.payload_for(detached_payload, "COSE_Sign1")?;
        let tbs = to_be_signed(
            "Signature1",
            &self.parts.protected_bytes,
            external_aad,
            payload,
        );
        verify_signature(self.alg, key, &tbs, &self.parts.last)
    }
}

/// Creates a COSE_Sign1 signed by `signer`; returns its encoding.
///
/// `alg` is taken from the signer and written to the protected bucket (a
/// different `alg` already there is `ApiMisuse`). The protected bucket is
/// encoded deterministically. With `detached`, the payload is `nil` on the
/// wire but still signed. With `tagged`, the message is wrapped in tag 18
/// (ISO 18013-5 uses the untagged form).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign1(
    protected: &Header,
    unprotected: &Header,
    payload: &[u8],
    detached: bool,
    signer: &dyn Signer,
    external_aad: &[u8],
    tagged: bool,
) -> Result<Vec<u8>> {
    let alg = signer.algorithm();
    if signer.public_key().curve() != alg.curve() {
        return Err(misuse("the signer's key does not match its algorithm"));
    }
    let protected_bytes = creation_headers(protected, unprotected, cose_alg(alg))?;
    let tbs = to_be_signed("Signature1", &protected_bytes, external_aad, payload);
    let sig = signer.sign(&tbs)?;
    if sig.len() != alg.signature_len() {
        return Err(misuse(format!(
            "the signer returned {} bytes, not a {}-byte {} signature",
            sig.len(),
            alg.signature_len(),
            alg.jose_name()
        )));
    }
    assemble(
        TAG_SIGN1,
        tagged,
        &protected_bytes,
        unprotected,
        (!detached).then_some(payload),
        &sig,
    )
}

// ---------------------------------------------------------------------------
// COSE_Mac0

/// Proof that a COSE_Mac0 tag was checked. Only [`CoseMac0::verify`] makes one.
#[derive(Debug)]
#[must_use]
pub(crate) struct MacChecked(());

/// A COSE_Mac0 as received (untagged, or tag 17). Not verified.
#[derive(Clone, Debug)]
pub(crate) struct CoseMac0 {
    parts: Parts,
}

fn mac_alg(item: &Item) -> Result<()> {
    match item.value() {
        Value::Int(i) if *i == i128::from(iana::Algorithm::HMAC_256_256.to_i64()) => Ok(()),
        _ => Err(unsupported(
            "COSE_Mac0 alg is not accepted (only HMAC 256/256, alg 5, is)",
        )),
    }
}

fn hmac_key(key: &[u8]) -> Result<ring::hmac::Key> {
    if key.len() < MIN_HMAC_KEY_BYTES {
        return Err(misuse(format!(
            "an HMAC 256/256 key has at least {MIN_HMAC_KEY_BYTES} bytes"
        )));
    }
    Ok(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key))
}

impl CoseMac0 {
    #[cfg(any(fuzzing, test))]
    /// Parses a COSE_Mac0 from bytes (exactly one item).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        Self::from_item(&cbor::decode(bytes)?)
    }

    /// Reads a COSE_Mac0 from a decoded item. Untagged or tag 17; any other tag
    /// is `Malformed`. `alg` must be protected and HMAC 256/256 (5); others are
    /// `Unsupported`.
    pub(crate) fn from_item(item: &Item) -> Result<Self> {
        let (parts, alg) = parse_parts(item, TAG_MAC0, "COSE_Mac0")?;
        mac_alg(&alg)?;
        Ok(CoseMac0 { parts })
    }

    #[cfg(test)]
    /// The protected bucket's bytes, exactly as received.
    pub(crate) fn protected_bytes(&self) -> &[u8] {
        &self.parts.protected_bytes
    }

    /// The protected bucket.
    pub(crate) fn protected(&self) -> &Header {
        &self.parts.protected
    }

    /// The unprotected bucket.
    pub(crate) fn unprotected(&self) -> &Header {
        &self.parts.unprotected
    }

    /// The attached payload (`None`: detached).
    pub(crate) fn payload(&self) -> Option<&[u8]> {
        self.parts.payload.as_deref()
    }

    #[cfg(test)]
    /// The tag bytes.
    pub(crate) fn tag(&self) -> &[u8] {
        &self.parts.last
    }

    /// Checks the tag (constant time, through ring) over
    /// `["MAC0", protected as received, external_aad, payload]`. A mismatch is
    /// `Signature`; a key shorter than [`MIN_HMAC_KEY_BYTES`] is `ApiMisuse`;
    /// the payload rules are those of [`CoseSign1::verify`].
    pub(crate) fn verify(
        &self,
        key: &[u8],
        external_aad: &[u8],
        detached_payload: Option<&[u8]>,
    ) -> Result<MacChecked> {
        let key = hmac_key(key)?;
        let payload = self.parts.payload_for(detached_payload, "COSE_Mac0")?;
        let tbm = to_be_signed("MAC0", &self.parts.protected_bytes, external_aad, payload);
        ring::hmac::verify(&key, &tbm, &self.parts.last)
            .map(|()| MacChecked(()))
            .map_err(|_| signature("COSE_Mac0 tag verification failed"))
    }
}

/// Creates a COSE_Mac0 with HMAC 256/256 under `key`; returns its encoding.
/// Same conventions as [`sign1`] (alg 5 is written to the protected bucket; tag 17).
pub(crate) fn mac0(
    protected: &Header,
    unprotected: &Header,
    payload: &[u8],
    detached: bool,
    key: &[u8],
    external_aad: &[u8],
    tagged: bool,
) -> Result<Vec<u8>> {
    let key = hmac_key(key)?;
    let protected_bytes = creation_headers(
        protected,
        unprotected,
        iana::Algorithm::HMAC_256_256.to_i64(),
    )?;
    let tbm = to_be_signed("MAC0", &protected_bytes, external_aad, payload);
    let tag = ring::hmac::sign(&key, &tbm);
    assemble(
        TAG_MAC0,
        tagged,
        &protected_bytes,
        unprotected,
        (!detached).then_some(payload),
        tag.as_ref(),
    )
}
