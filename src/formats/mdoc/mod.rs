//! ISO/IEC 18013-5 mdoc: the mDL (`org.iso.18013.5.1.mDL`), the EU PID in mdoc
//! (`eu.europa.ec.eudi.pid.1`) and any other docType.
//!
//! What is produced is exactly what 18013-5 prescribes: `IssuerSignedItemBytes`
//! and `MobileSecurityObjectBytes` wrapped in tag 24, `issuerAuth` an
//! **untagged** COSE_Sign1 with the document signer certificate in `x5chain`
//! (unprotected bucket, one bstr when there is no intermediate, the IACA root
//! never included), tdate validity with whole seconds and `Z`, full-date
//! (tag 1004) for dates of the data models, `deviceSignature` a detached
//! untagged COSE_Sign1. What is accepted is what the standard allows, read
//! strictly: see [`model`] for the structural rules, and the checks below.
//!
//! Verification of one document ([`check_issuer_data`], [`check_validity`],
//! [`check_device_auth`]; trust in the signer is the verifier's job):
//! - `issuerAuth` is verified over its received bytes; the MSO inside is
//!   `#6.24(bstr .cbor MobileSecurityObject)`, version `"1.0"`, digests
//!   SHA-256/384/512 (exact case; others `Unsupported`);
//! - MSO `docType` equals the Document's (`Malformed` otherwise);
//! - every disclosed item: its namespace is covered by `valueDigests`, its
//!   digest ID is listed there, and the digest over the item's **received**
//!   tag-24 bytes equals the listed one (`Signature` otherwise); digest IDs and
//!   element identifiers are unique within a namespace (`Malformed`); `random`
//!   has at least 16 bytes (`Policy`); decoy digests are fine;
//! - validity: `validFrom <= validUntil` (`Malformed`), `now` before
//!   `validFrom` or `signed` in the future (`NotYetValid`), `now >= validUntil`
//!   (`Expired`), each with the policy's clock skew;
//! - device authentication over `DeviceAuthenticationBytes` for the transcript
//!   the **verifier** expects, with the MSO's device key: a `deviceSignature`,
//!   or a `deviceMac` whose key comes from ECDH with the reader's key (without
//!   one: `Unsupported`). A failure is `HolderBinding`. Device-signed elements
//!   must be authorized by `keyAuthorizations` (`Policy`).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod model;
mod transcript;
pub(crate) mod values;

pub(crate) use model::{DeviceAuth, DeviceResponse, Document, IssuerSigned, Mso};
pub use transcript::SessionTranscript;
pub(crate) use transcript::{device_authentication_bytes, emac_key};

use crate::cose::{self, Header, Item};
use crate::crypto::{KeyAgreement, SecureRandom, Signer};
use crate::encoding::first_repeat;
use crate::error::{expired, ErrorKind};
use crate::error::{holder_binding, malformed, not_yet_valid, policy, signature, Result};
use crate::time::UnixTime;
use serde_json::{Map, Value};

/// The ISO 18013-5 mDL docType.
pub const DOCTYPE_MDL: &str = "org.iso.18013.5.1.mDL";
/// The ISO 18013-5 mDL namespace.
pub const NAMESPACE_MDL: &str = "org.iso.18013.5.1";
/// The EU PID docType (PID rulebook, mdoc encoding).
pub const DOCTYPE_EU_PID: &str = "eu.europa.ec.eudi.pid.1";
/// The EU PID namespace.
pub const NAMESPACE_EU_PID: &str = "eu.europa.ec.eudi.pid.1";

/// Smallest `random` in an IssuerSignedItem (18013-5: at least 16 bytes).
pub(crate) const MIN_RANDOM_BYTES: usize = 16;
/// What our issuer draws per IssuerSignedItem.
const RANDOM_BYTES: usize = 32;

/// The elements of one document, by namespace, in received order (borrowed
/// from the parsed document).
pub(crate) type Elements<'a> = Vec<(&'a str, Vec<(&'a str, &'a Item)>)>;

/// Checks every disclosed IssuerSignedItem against the MSO (rules in the
/// module docs) and the docTypes; returns the elements. `mso` must come from
/// a verified issuerAuth.
pub(crate) fn check_issuer_data<'a>(
    doc_type: &str,
    signed: &'a IssuerSigned,
    mso: &Mso,
) -> Result<Elements<'a>> {
    if mso.doc_type != doc_type {
        return Err(malformed(format!(
            "the MSO docType {:?} differs from the document's {:?}",
            crate::crypto::clip(&mso.doc_type),
            crate::crypto::clip(doc_type)
        )));
    }
    let mut out = Vec::with_capacity(signed.namespaces.len());
    for (ns, items) in &signed.namespaces {
        if !mso.covers(ns) {
            return Err(signature(format!(
                "namespace {:?} is not covered by the MSO",
                crate::crypto::clip(ns)
            )));
        }
        // repeated digestIDs and element names, found by sorting (no hashing)
        let mut ids: Vec<u64> = items.iter().map(|i| i.digest_id).collect();
        if let Some(id) = first_repeat(&mut ids) {
            return Err(malformed(format!(
                "digestID {id} is used twice in namespace {:?}",
                crate::crypto::clip(ns)
            )));
        }
        let mut names: Vec<&str> = items.iter().map(|i| i.identifier.as_str()).collect();
        if let Some(name) = first_repeat(&mut names) {
            return Err(malformed(format!(
                "element {:?} appears twice in namespace {:?}",
                crate::crypto::clip(name),
                crate::crypto::clip(ns)
            )));
        }
        let mut elements = Vec::with_capacity(items.len());
        for item in items {
            if item.random_len < MIN_RANDOM_BYTES {
                return Err(policy(format!(
                    "element {:?} has {} random bytes (at least {MIN_RANDOM_BYTES})",
                    crate::crypto::clip(&item.identifier),
                    item.random_len
                )));
            }
            let listed = mso.digest(ns, item.digest_id).ok_or_else(|| {
                signature(format!(
                    "digestID {} of element {:?} is not in the MSO",
                    item.digest_id,
                    crate::crypto::clip(&item.identifier)
                ))
            })?;
            let matches = mso
                .digest_alg
                .with_digest(item.tagged.as_slice(), |got| ring_eq(got, listed));
            if !matches {
                return Err(signature(format!(
                    "the digest of element {:?} does not match the MSO",
                    crate::crypto::clip(&item.identifier)
                )));
            }
            elements.push((item.identifier.as_str(), &item.value));
        }
        out.push((ns.as_str(), elements));
    }
    Ok(out)
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The MSO validity window at `now`, with `skew` seconds of tolerance.
pub(crate) fn check_validity(mso: &Mso, now: UnixTime, skew: u64) -> Result<()> {
    let now_s = now.as_secs();
    if mso.signed.as_secs() > now_s.saturating_add(skew) {
        return Err(not_yet_valid("the MSO was signed in the future"));
    }
    if mso.valid_from.as_secs() > now_s.saturating_add(skew) {
        return Err(not_yet_valid("the MSO is not valid yet (validFrom)"));
    }
    if now_s >= mso.valid_until.as_secs().saturating_add(skew) {
        return Err(expired("the MSO has expired (validUntil)"));
    }
    Ok(())
}

/// The MSO was signed (`validityInfo.signed`) within the validity of the
/// document signer certificate that signed it (18013-5 §9.1.2.4: a DS
/// certificate outside its validity cannot have signed it).
pub(crate) fn check_signed_within(
    mso: &Mso,
    not_before: UnixTime,
    not_after: UnixTime,
) -> Result<()> {
    if mso.signed < not_before || mso.signed > not_after {
        return Err(crate::error::untrusted(
            "the MSO was signed outside the document signer certificate's validity",
        ));
    }
    Ok(())
}

/// J-23: a disclosed issuer-signed `issuing_country` must be the IACA's
/// `countryName` attribute (18013-5 Annex B asks the IACA to name the issuing
/// country); it is a text string (18013-5 §7.2.1), so another type is
/// `Malformed`. The caller passes issuer-signed elements only: a device-signed
/// `issuing_country` is never read where a decision is made.
pub(crate) fn check_issuing_country(iaca_country: Option<&str>, elements: &Elements) -> Result<()> {
    for (_, els) in elements {
        for (name, value) in els {
            if *name != "issuing_country" {
                continue;
            }
            let v = values::to_json(value)?;
            let Some(c) = v.as_str() else {
                return Err(malformed("issuing_country is not a text string"));
            };
            if let Some(country) = iaca_country {
                if c != country {
                    return Err(policy(format!(
                        "issuing_country {v} differs from the IACA's country {country:?}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Checks the device authentication of `doc` for the `transcript` the
/// verifier expects; `reader_key` is needed for a `deviceMac`. Returns the
/// device-signed elements (authorized by `keyAuthorizations`).
pub(crate) fn check_device_auth<'a>(
    doc: &'a Document,
    mso: &Mso,
    transcript: &SessionTranscript,
    reader_key: Option<&dyn KeyAgreement>,
) -> Result<Elements<'a>> {
    let da = device_authentication_bytes(
        transcript,
        &doc.doc_type,
        doc.device_signed.namespaces_bytes.raw(),
    )?;
    let to_binding = |e: crate::Error| {
        if e.kind() == ErrorKind::Signature {
            holder_binding(format!(
                "device authentication failed for the expected transcript and the MSO device key: {}",
                e.message()
            ))
        } else {
            e
        }
    };
    match &doc.device_signed.auth {
        DeviceAuth::Signature(s) => {
            let _checked = s
                .verify(&mso.device_key, b"", Some(&da))
                .map_err(to_binding)?;
        }
        DeviceAuth::Mac(m) => {
            let reader = reader_key.ok_or_else(|| {
                crate::error::unsupported(
                    "a deviceMac needs the reader's ephemeral key, and none was given",
                )
            })?;
            let shared = reader.agree(&mso.device_key)?;
            let key = emac_key(&shared, transcript)?;
            let _checked = m.verify(&key, b"", Some(&da)).map_err(to_binding)?;
        }
    }
    for (ns, els) in &doc.device_signed.namespaces {
        for (e, _) in els {
            if !mso.key_authorizations.allows(ns, e) {
                return Err(policy(format!(
                    "device-signed element {:?}/{:?} is not authorized by keyAuthorizations",
                    crate::crypto::clip(ns),
                    crate::crypto::clip(e)
                )));
            }
        }
    }
    Ok(doc
        .device_signed
        .namespaces
        .iter()
        .map(|(ns, els)| {
            (
                ns.as_str(),
                els.iter().map(|(e, v)| (e.as_str(), v)).collect(),
            )
        })
        .collect())
}

/// `{namespace: {element: value}}` as JSON, by the rules of [`values`]. An
/// element both issuer- and device-signed is `Malformed`.
pub(crate) fn claims_json(issuer: &Elements, device: &Elements) -> Result<Map<String, Value>> {
    let mut out: Map<String, Value> = Map::new();
    for (ns, els) in issuer.iter().chain(device) {
        let slot = out.entry(*ns).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(m) = slot else {
            return Err(malformed("namespace slot"));
        };
        for (e, v) in els {
            if m.insert((*e).to_owned(), values::to_json(v)?).is_some() {
                return Err(malformed(format!(
                    "element {:?} of namespace {:?} is given twice",
                    crate::crypto::clip(e),
                    crate::crypto::clip(ns)
                )));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Building

/// What the issuer puts in the MSO besides digests.
pub(crate) struct MsoParams<'a> {
    pub(crate) doc_type: &'a str,
    pub(crate) device_key: &'a crate::crypto::PublicKey,
    pub(crate) signed: UnixTime,
    pub(crate) valid_from: UnixTime,
    pub(crate) valid_until: UnixTime,
    pub(crate) decoys_per_namespace: usize,
}

/// Randomness drawn from the RNG in blocks (one system call per block, not
/// one per item).
struct RandomPool<'a> {
    rng: &'a dyn SecureRandom,
    buf: [u8; 1024],
    pos: usize,
}

impl<'a> RandomPool<'a> {
    fn new(rng: &'a dyn SecureRandom) -> Self {
        RandomPool {
            rng,
            buf: [0u8; 1024],
            pos: 1024,
        }
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<()> {
        let mut out = out;
        while !out.is_empty() {
            if self.pos >= self.buf.len() {
                self.rng.fill(&mut self.buf)?;
                self.pos = 0;
            }
            let n = out.len().min(self.buf.len() - self.pos);
            let (head, rest) = out.split_at_mut(n);
            head.copy_from_slice(self.buf.get(self.pos..self.pos + n).unwrap_or_default());
            // used randomness is not kept
            self.buf
                .get_mut(self.pos..self.pos + n)
                .unwrap_or_default()
                .fill(0);
            self.pos += n;
            out = rest;
        }
        Ok(())
    }

    fn u31(&mut self) -> Result<u64> {
        let mut b = [0u8; 4];
        self.fill(&mut b)?;
        Ok(u64::from(u32::from_be_bytes(b) & 0x7fff_ffff))
    }
}

/// `n` distinct random digest IDs, in the order drawn. A collision (about
/// n²/2³² likely) redraws them all; a random source that keeps repeating
/// itself is an error, not a hang.
fn unique_ids(pool: &mut RandomPool<'_>, n: usize) -> Result<Vec<u64>> {
    for _ in 0..8 {
        let ids = (0..n).map(|_| pool.u31()).collect::<Result<Vec<u64>>>()?;
        if first_repeat(&mut ids.clone()).is_none() {
            return Ok(ids);
        }
    }
    Err(crate::error::policy(
        "the random source repeats itself: no distinct digest IDs",
    ))
}

/// One namespace's data elements to issue: (elementIdentifier, the value's
/// CBOR encoding, deterministic).
pub(crate) type ToIssue<'a> = Vec<(&'a str, &'a [u8])>;

/// Builds IssuerSigned: IssuerSignedItems with fresh randoms and unique random
/// digest IDs (below 2^31, so they stay small integers), the MSO, and issuerAuth
/// signed by `signer` with `x5chain` (DER, leaf first) unprotected. Returns
/// the IssuerSigned encoding.
pub(crate) fn build_issuer_signed(
    namespaces: &[(&str, ToIssue<'_>)],
    p: &MsoParams<'_>,
    signer: &dyn Signer,
    x5chain: &[Vec<u8>],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>> {
    if p.valid_from > p.valid_until || p.valid_from < p.signed {
        return Err(crate::error::misuse(
            "validity must satisfy signed <= validFrom <= validUntil",
        ));
    }
    use crate::cose::{head_len, push_bytes, push_head, push_text, string_len, text_key_order};
    // Everything is encoded straight into its output buffer in deterministic
    // order (RFC 8949 §4.2.1: map keys sorted bytewise by their encoding, which
    // for the fixed text keys below is the order written), with no tree built.
    let mut order: Vec<&(&str, ToIssue<'_>)> = namespaces.iter().collect();
    order.sort_by(|a, b| text_key_order(a.0, b.0));
    if let Some(w) = order
        .windows(2)
        .find(|w| w.first().map(|x| x.0) == w.get(1).map(|x| x.0))
    {
        let ns = w.first().map(|x| x.0).unwrap_or_default();
        return Err(crate::error::misuse(format!("duplicate map key {ns:?}")));
    }
    let mut pool = RandomPool::new(rng);
    let values_len: usize = namespaces
        .iter()
        .flat_map(|(_, e)| e.iter().map(|(n, v)| v.len() + n.len() + 100))
        .sum();
    // nameSpaces: {ns: [#6.24(bstr .cbor IssuerSignedItem)]}
    let mut ns_buf = Vec::with_capacity(values_len + 64 * namespaces.len());
    push_head(&mut ns_buf, 5, len_u64(order.len()));
    // per namespace, (digestID, digest) in ID order
    let mut digests: Vec<Vec<(u64, [u8; 32])>> = Vec::with_capacity(order.len());
    for (ns, elements) in &order {
        let mut names: Vec<&str> = elements.iter().map(|(n, _)| *n).collect();
        if let Some(name) = first_repeat(&mut names) {
            return Err(crate::error::misuse(format!(
                "element {name:?} given twice"
            )));
        }
        // one digest ID per element, then one per decoy
        let mut drawn = unique_ids(&mut pool, elements.len() + p.decoys_per_namespace)?.into_iter();
        let mut ids = Vec::with_capacity(elements.len() + p.decoys_per_namespace);
        push_text(&mut ns_buf, ns);
        push_head(&mut ns_buf, 4, len_u64(elements.len()));
        for ((name, value), id) in elements.iter().zip(&mut drawn) {
            let mut random = [0u8; RANDOM_BYTES];
            pool.fill(&mut random)?;
            // IssuerSignedItem, keys in encoded order: random (6), digestID (8),
            // elementValue (12), elementIdentifier (17)
            let inner_len = 1
                + string_len(6)
                + string_len(RANDOM_BYTES)
                + string_len(8)
                + head_len(id)
                + string_len(12)
                + value.len()
                + string_len(17)
                + string_len(name.len());
            let start = ns_buf.len();
            push_head(&mut ns_buf, 6, 24);
            push_head(&mut ns_buf, 2, len_u64(inner_len));
            let inner_start = ns_buf.len();
            push_head(&mut ns_buf, 5, 4);
            push_text(&mut ns_buf, "random");
            push_bytes(&mut ns_buf, &random);
            push_text(&mut ns_buf, "digestID");
            push_head(&mut ns_buf, 0, id);
            push_text(&mut ns_buf, "elementValue");
            ns_buf.extend_from_slice(value);
            push_text(&mut ns_buf, "elementIdentifier");
            push_text(&mut ns_buf, name);
            if ns_buf.len() - inner_start != inner_len {
                return Err(crate::error::misuse("IssuerSignedItem length mismatch"));
            }
            let digest = crate::crypto::sha256(ns_buf.get(start..).unwrap_or_default());
            ids.push((id, digest));
        }
        for id in drawn {
            let mut d = [0u8; 32];
            pool.fill(&mut d)?;
            ids.push((id, d));
        }
        // unsigned keys: numeric order is encoded order
        ids.sort_unstable_by_key(|(id, _)| *id);
        digests.push(ids);
    }
    let device_key = cose::cose_key_from_public_key(p.device_key);
    let digest_entries: usize = digests.iter().map(Vec::len).sum();
    let mut mso = Vec::with_capacity(400 + 40 * digest_entries + 64 * order.len());
    // MobileSecurityObject, keys in encoded order: docType (7), version (7),
    // validityInfo (12), valueDigests (12), deviceKeyInfo (13), digestAlgorithm (15)
    push_head(&mut mso, 5, 6);
    push_text(&mut mso, "docType");
    push_text(&mut mso, p.doc_type);
    push_text(&mut mso, "version");
    push_text(&mut mso, "1.0");
    push_text(&mut mso, "validityInfo");
    // signed (6), validFrom (9), validUntil (10)
    push_head(&mut mso, 5, 3);
    for (k, t) in [
        ("signed", p.signed),
        ("validFrom", p.valid_from),
        ("validUntil", p.valid_until),
    ] {
        push_text(&mut mso, k);
        push_head(&mut mso, 6, 0);
        push_text(&mut mso, &crate::time::format_rfc3339(t));
    }
    push_text(&mut mso, "valueDigests");
    push_head(&mut mso, 5, len_u64(order.len()));
    for (entry, ids) in order.iter().zip(&digests) {
        push_text(&mut mso, entry.0);
        push_head(&mut mso, 5, len_u64(ids.len()));
        for (id, d) in ids {
            push_head(&mut mso, 0, *id);
            push_bytes(&mut mso, d);
        }
    }
    push_text(&mut mso, "deviceKeyInfo");
    push_head(&mut mso, 5, 1);
    push_text(&mut mso, "deviceKey");
    mso.extend_from_slice(device_key.raw());
    push_text(&mut mso, "digestAlgorithm");
    push_text(&mut mso, "SHA-256");
    let mut payload = Vec::with_capacity(mso.len() + 12);
    push_head(&mut payload, 6, 24);
    push_bytes(&mut payload, &mso);
    drop(mso);
    let unprotected = Header::new().with_x5chain(x5chain)?;
    let auth = cose::sign1(
        &Header::new(),
        &unprotected,
        &payload,
        false,
        signer,
        b"",
        false,
    )?;
    // IssuerSigned: issuerAuth (10) before nameSpaces (10, "i" < "n")
    let mut out = Vec::with_capacity(auth.len() + ns_buf.len() + 32);
    push_head(&mut out, 5, if order.is_empty() { 1 } else { 2 });
    push_text(&mut out, "issuerAuth");
    out.extend_from_slice(&auth);
    if !order.is_empty() {
        push_text(&mut out, "nameSpaces");
        out.extend_from_slice(&ns_buf);
    }
    Ok(out)
}

fn len_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// How the holder authenticates a presentation.
pub(crate) enum DeviceAuthMode<'a> {
    /// `deviceSignature` with the device key.
    Signature(&'a dyn Signer),
    /// `deviceMac`: ECDH of the device key with the reader's ephemeral key.
    Mac(&'a dyn KeyAgreement, &'a crate::crypto::PublicKey),
}

/// Builds a one-document DeviceResponse from `signed` (forwarded as received,
/// with only the `disclose` items of each namespace), an empty
/// DeviceNameSpaces, and device authentication for `transcript`.
pub(crate) fn build_device_response(
    doc_type: &str,
    signed: &IssuerSigned,
    disclose: &dyn Fn(&str, &str) -> bool,
    transcript: &SessionTranscript,
    auth: &DeviceAuthMode<'_>,
) -> Result<Vec<u8>> {
    use crate::cose::{push_head, push_text, text_key_order};
    // Written straight out in deterministic order (RFC 8949 §4.2.1: keys
    // sorted by their encoding, shorter first); the IssuerSignedItems and
    // issuerAuth are forwarded as the bytes received.
    let mut chosen: Vec<(&str, Vec<&[u8]>)> = signed
        .namespaces
        .iter()
        .map(|(ns, items)| {
            let picked: Vec<&[u8]> = items
                .iter()
                .filter(|i| disclose(ns, &i.identifier))
                .map(|i| i.tagged.as_slice())
                .collect();
            (ns.as_str(), picked)
        })
        .filter(|(_, picked)| !picked.is_empty())
        .collect();
    // distinct: the CBOR reader refuses a repeated map key
    chosen.sort_by(|a, b| text_key_order(a.0, b.0));
    let auth_item = signed.issuer_auth_bytes.as_slice();
    // DeviceNameSpacesBytes: #6.24(bstr .cbor {})
    const DEVICE_NS: [u8; 4] = [0xd8, 0x18, 0x41, 0xa0];
    let da = device_authentication_bytes(transcript, doc_type, &DEVICE_NS)?;
    let (auth_key, auth_bytes) = match auth {
        DeviceAuthMode::Signature(signer) => (
            "deviceSignature",
            cose::sign1(
                &Header::new(),
                &Header::new(),
                &da,
                true,
                *signer,
                b"",
                false,
            )?,
        ),
        DeviceAuthMode::Mac(device, reader_pub) => {
            let shared = device.agree(reader_pub)?;
            let key = emac_key(&shared, transcript)?;
            (
                "deviceMac",
                cose::mac0(&Header::new(), &Header::new(), &da, true, &key, b"", false)?,
            )
        }
    };
    let items_len: usize = chosen
        .iter()
        .flat_map(|(ns, picked)| picked.iter().map(|b| b.len()).chain([ns.len() + 14]))
        .sum();
    let mut out =
        Vec::with_capacity(items_len + auth_item.len() + auth_bytes.len() + doc_type.len() + 160);
    // DeviceResponse: status (6), version (7), documents (9)
    push_head(&mut out, 5, 3);
    push_text(&mut out, "status");
    push_head(&mut out, 0, 0);
    push_text(&mut out, "version");
    push_text(&mut out, "1.0");
    push_text(&mut out, "documents");
    push_head(&mut out, 4, 1);
    // Document: docType (7), deviceSigned (12), issuerSigned (12; "d" < "i")
    push_head(&mut out, 5, 3);
    push_text(&mut out, "docType");
    push_text(&mut out, doc_type);
    push_text(&mut out, "deviceSigned");
    // DeviceSigned: deviceAuth (10), nameSpaces (10; "d" < "n")
    push_head(&mut out, 5, 2);
    push_text(&mut out, "deviceAuth");
    push_head(&mut out, 5, 1);
    push_text(&mut out, auth_key);
    out.extend_from_slice(&auth_bytes);
    push_text(&mut out, "nameSpaces");
    out.extend_from_slice(&DEVICE_NS);
    push_text(&mut out, "issuerSigned");
    // IssuerSigned: issuerAuth (10), nameSpaces (10; "i" < "n")
    push_head(&mut out, 5, if chosen.is_empty() { 1 } else { 2 });
    push_text(&mut out, "issuerAuth");
    out.extend_from_slice(auth_item);
    if !chosen.is_empty() {
        push_text(&mut out, "nameSpaces");
        push_head(&mut out, 5, len_u64(chosen.len()));
        for (ns, picked) in &chosen {
            push_text(&mut out, ns);
            push_head(&mut out, 4, len_u64(picked.len()));
            for b in picked {
                out.extend_from_slice(b);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;

/// Fuzz entry: `data` as a DeviceResponse (every document through every check,
/// the signature checks skipped so forged data reaches the digest, validity,
/// device-authentication and value-mapping code), as IssuerSigned, and as an
/// issuerAuth payload. Never panics.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_mdoc(data: &[u8], reader: Option<&dyn KeyAgreement>) {
    let transcript = SessionTranscript::openid4vp("c", "n", None, "https://r");
    if let Ok(resp) = DeviceResponse::parse(data) {
        for doc in &resp.documents {
            let _ = doc.issuer_signed.issuer_auth.x5chain();
            if let Ok(mso) = doc.issuer_signed.mso() {
                if let Ok(els) = check_issuer_data(&doc.doc_type, &doc.issuer_signed, &mso) {
                    let _ = claims_json(&els, &Vec::new());
                }
                let _ = check_validity(&mso, UnixTime::from_secs(1_609_459_200), 30);
                let _ = check_device_auth(doc, &mso, &transcript, reader);
            }
        }
    }
    if let Ok(signed) = IssuerSigned::parse_bytes(data) {
        if let Ok(mso) = signed.mso() {
            let _ = check_issuer_data(&mso.doc_type.clone(), &signed, &mso);
        }
        for (_, items) in &signed.namespaces {
            for i in items {
                let _ = values::to_json(&i.value);
            }
        }
    }
    let _ = Mso::parse_payload(data);
}
