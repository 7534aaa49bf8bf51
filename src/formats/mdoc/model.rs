//! The 18013-5 structures as received: IssuerSigned, IssuerSignedItem, the
//! Mobile Security Object, DeviceResponse, Document, DeviceSigned. Parsing
//! checks structure and types (CDDL) and keeps the received bytes every digest
//! and signature is computed over; it trusts nothing.

use crate::cose::{self, CoseMac0, CoseSign1, DecodeOptions, Item, Raw, Value as Cbor};
use crate::crypto::{HashAlg, PublicKey};
use crate::error::{limit, malformed, unsupported, Result};
use crate::limits::{
    MAX_MDOC_DOCUMENTS, MAX_MDOC_ELEMENTS, MAX_MDOC_ELEMENT_BYTES, MAX_MSO_DIGESTS,
};
use crate::time::UnixTime;

/// Decode options for every mdoc structure: the CBOR bounds, and no
/// indefinite lengths (18013-5 asks for preferred serialization; our encoder
/// never emits them). Non-minimal heads and any map key order are accepted:
/// digests and signatures cover the received bytes (CBOR-07, CBOR-13).
pub(crate) fn decode_options() -> DecodeOptions {
    DecodeOptions::strict()
}

/// Reads a text entry `key` of `map`.
fn text<'a>(map: &'a Item, key: &str, what: &str) -> Result<&'a str> {
    map.require(key, what)?.as_text(&format!("{what} {key}"))
}

/// Checks that `map` is a map whose keys are all text (18013-5 structures are
/// keyed by text).
fn keys_text(map: &Item, what: &str) -> Result<()> {
    for (k, _) in map.as_map(what)? {
        if !matches!(k.value(), Cbor::Text(_)) {
            return Err(malformed(format!("{what} has a key that is not text")));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// IssuerSignedItem

/// One `IssuerSignedItemBytes` (`#6.24(bstr .cbor IssuerSignedItem)`).
#[derive(Clone, Debug)]
pub(crate) struct IssuerSignedItem {
    pub(crate) digest_id: u64,
    pub(crate) random_len: usize,
    pub(crate) identifier: String,
    pub(crate) value: Item,
    /// The whole tag-24 item exactly as received: the digest input.
    pub(crate) tagged: Raw,
}

impl IssuerSignedItem {
    pub(crate) fn parse(tagged: &Item) -> Result<Self> {
        let what = "an IssuerSignedItem";
        if tagged.raw().len() > MAX_MDOC_ELEMENT_BYTES {
            return Err(limit(format!(
                "an IssuerSignedItem of {} bytes exceeds the limit of {MAX_MDOC_ELEMENT_BYTES}",
                tagged.raw().len()
            )));
        }
        let inner = tagged
            .embedded_with("IssuerSignedItemBytes (tag 24)", &decode_options())?
            .item;
        inner.as_map(what)?;
        keys_text(&inner, what)?;
        let digest_id = inner.require("digestID", what)?.as_uint("digestID")?;
        let random_len = inner.require("random", what)?.as_bytes("random")?.len();
        let identifier = text(&inner, "elementIdentifier", what)?.to_owned();
        for (k, _) in inner.as_map(what)? {
            let k = k.as_text(what)?;
            if !matches!(
                k,
                "digestID" | "random" | "elementIdentifier" | "elementValue"
            ) {
                return Err(malformed(format!("{what} has an unknown key {k:?}")));
            }
        }
        // the value moves out of the decoded item (no copy)
        let value = inner
            .into_member("elementValue")
            .ok_or_else(|| malformed(format!("{what} has no \"elementValue\"")))?;
        Ok(IssuerSignedItem {
            digest_id,
            random_len,
            identifier,
            value,
            tagged: tagged.raw_shared().clone(),
        })
    }
}

// ---------------------------------------------------------------------------
// IssuerSigned

/// `IssuerSigned = {? "nameSpaces": IssuerNameSpaces, "issuerAuth": COSE_Sign1}`.
#[derive(Clone, Debug)]
pub(crate) struct IssuerSigned {
    pub(crate) namespaces: Vec<(String, Vec<IssuerSignedItem>)>,
    pub(crate) issuer_auth: CoseSign1,
    /// issuerAuth exactly as received (a wallet forwards it unchanged).
    pub(crate) issuer_auth_bytes: Raw,
}

impl IssuerSigned {
    pub(crate) fn parse_bytes(bytes: &[u8]) -> Result<Self> {
        Self::parse(&cose::decode_with(bytes, &decode_options())?)
    }

    pub(crate) fn parse(item: &Item) -> Result<Self> {
        let what = "IssuerSigned";
        item.as_map(what)?;
        keys_text(item, what)?;
        let mut namespaces = Vec::new();
        let mut count = 0usize;
        if let Some(ns) = item.get("nameSpaces") {
            for (name, items) in ns.as_map("IssuerSigned nameSpaces")? {
                let name = name.as_text("a namespace name")?.to_owned();
                let list = items.as_array("the items of a namespace")?;
                if list.is_empty() {
                    return Err(malformed(format!("namespace {name:?} lists no item")));
                }
                count = count.saturating_add(list.len());
                if count > MAX_MDOC_ELEMENTS {
                    return Err(limit(format!(
                        "more than {MAX_MDOC_ELEMENTS} issuer-signed elements"
                    )));
                }
                let parsed = list
                    .iter()
                    .map(IssuerSignedItem::parse)
                    .collect::<Result<Vec<_>>>()?;
                namespaces.push((name, parsed));
            }
        }
        for (k, _) in item.as_map(what)? {
            let k = k.as_text(what)?;
            if !matches!(k, "nameSpaces" | "issuerAuth") {
                return Err(malformed(format!("{what} has an unknown key {k:?}")));
            }
        }
        let auth = item.require("issuerAuth", what)?;
        let issuer_auth = CoseSign1::from_item(auth)?;
        if issuer_auth.payload().is_none() {
            return Err(malformed(
                "issuerAuth has a detached payload; the MSO must be attached",
            ));
        }
        Ok(IssuerSigned {
            namespaces,
            issuer_auth,
            issuer_auth_bytes: auth.raw_shared().clone(),
        })
    }

    /// The Mobile Security Object in the (not yet verified) issuerAuth payload.
    pub(crate) fn mso(&self) -> Result<Mso> {
        let payload = self
            .issuer_auth
            .payload()
            .ok_or_else(|| malformed("issuerAuth has no payload"))?;
        Mso::parse_payload(payload)
    }
}

// ---------------------------------------------------------------------------
// Mobile Security Object

/// `KeyAuthorizations`: what the device key may sign in DeviceSigned.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyAuthorizations {
    pub(crate) namespaces: Vec<String>,
    pub(crate) data_elements: Vec<(String, Vec<String>)>,
}

impl KeyAuthorizations {
    pub(crate) fn allows(&self, namespace: &str, element: &str) -> bool {
        self.namespaces.iter().any(|n| n == namespace)
            || self
                .data_elements
                .iter()
                .any(|(n, els)| n == namespace && els.iter().any(|e| e == element))
    }
}

/// The digests of one namespace: `(digestID, digest)`, sorted by digestID
/// (map keys: each once).
pub(crate) type DigestIds = Vec<(u64, Raw)>;

/// The Mobile Security Object, parsed (not verified).
#[derive(Clone, Debug)]
pub(crate) struct Mso {
    pub(crate) digest_alg: HashAlg,
    pub(crate) value_digests: Vec<(String, DigestIds)>,
    pub(crate) device_key: PublicKey,
    pub(crate) key_authorizations: KeyAuthorizations,
    pub(crate) doc_type: String,
    pub(crate) signed: UnixTime,
    pub(crate) valid_from: UnixTime,
    pub(crate) valid_until: UnixTime,
    pub(crate) status: Option<Item>,
}

/// A tdate of the MSO validityInfo: tag 0, whole seconds, `Z` (18013-5 narrows
/// RFC 3339 to that form).
fn mso_tdate(map: &Item, key: &str) -> Result<UnixTime> {
    let what = format!("validityInfo {key}");
    let t = map.require(key, "validityInfo")?.tdate(&what)?;
    if t.has_fraction || !t.utc_z {
        return Err(malformed(format!(
            "{what} {:?} has fractional seconds or a non-UTC offset (18013-5 tdate)",
            t.text
        )));
    }
    Ok(t.time)
}

impl Mso {
    /// `payload` is the issuerAuth payload: `#6.24(bstr .cbor MobileSecurityObject)`.
    pub(crate) fn parse_payload(payload: &[u8]) -> Result<Self> {
        let outer = cose::decode_with(payload, &decode_options())
            .map_err(|e| e.context("the issuerAuth payload"))?;
        let inner = outer
            .embedded_with("MobileSecurityObjectBytes (tag 24)", &decode_options())?
            .item;
        if let Cbor::Tag(..) = inner.value() {
            return Err(malformed(
                "the MobileSecurityObject is tagged again inside its tag 24",
            ));
        }
        Self::parse(&inner)
    }

    fn parse(m: &Item) -> Result<Self> {
        let what = "the MobileSecurityObject";
        m.as_map(what)?;
        keys_text(m, what)?;
        match m.require("version", what)?.value() {
            Cbor::Text(v) if v == "1.0" => {}
            Cbor::Text(v) => {
                return Err(unsupported(format!(
                    "MSO version {:?} (only \"1.0\")",
                    crate::crypto::clip(v)
                )))
            }
            _ => return Err(malformed("MSO version is not a text string")),
        }
        let digest_alg = match text(m, "digestAlgorithm", what)? {
            "SHA-256" => HashAlg::Sha256,
            "SHA-384" => HashAlg::Sha384,
            "SHA-512" => HashAlg::Sha512,
            other => {
                return Err(unsupported(format!(
                    "MSO digestAlgorithm {:?} (SHA-256, SHA-384 or SHA-512)",
                    crate::crypto::clip(other)
                )))
            }
        };
        let digest_len = digest_alg.digest(b"").len();
        let mut value_digests = Vec::new();
        let mut total = 0usize;
        for (ns, ids) in m.require("valueDigests", what)?.as_map("valueDigests")? {
            let ns = ns.as_text("a valueDigests namespace")?.to_owned();
            let mut list = Vec::new();
            for (id, digest) in ids.as_map("the DigestIDs of a namespace")? {
                total = total.saturating_add(1);
                if total > MAX_MSO_DIGESTS {
                    return Err(limit(format!(
                        "the MSO lists more than {MAX_MSO_DIGESTS} digests"
                    )));
                }
                let id = id.as_uint("a digestID")?;
                let d = digest.as_bytes_shared("a value digest")?;
                if d.len() != digest_len {
                    return Err(malformed(format!(
                        "a value digest is {} bytes, not the {digest_len} of {}",
                        d.len(),
                        text(m, "digestAlgorithm", what)?
                    )));
                }
                list.push((id, d.clone()));
            }
            list.sort_unstable_by_key(|(id, _)| *id);
            value_digests.push((ns, list));
        }
        let dki = m.require("deviceKeyInfo", what)?;
        dki.as_map("deviceKeyInfo")?;
        let device_key = cose::public_key_from_cose_key(dki.require("deviceKey", "deviceKeyInfo")?)
            .map_err(|e| e.context("deviceKeyInfo deviceKey"))?;
        let mut key_authorizations = KeyAuthorizations::default();
        if let Some(ka) = dki.get("keyAuthorizations") {
            ka.as_map("keyAuthorizations")?;
            if let Some(nss) = ka.get("nameSpaces") {
                for n in nss.as_array("keyAuthorizations nameSpaces")? {
                    key_authorizations
                        .namespaces
                        .push(n.as_text("an authorized namespace")?.to_owned());
                }
            }
            if let Some(de) = ka.get("dataElements") {
                for (n, els) in de.as_map("keyAuthorizations dataElements")? {
                    let n = n.as_text("an authorized namespace")?.to_owned();
                    let els = els
                        .as_array("authorized data elements")?
                        .iter()
                        .map(|e| e.as_text("an authorized element").map(str::to_owned))
                        .collect::<Result<Vec<_>>>()?;
                    key_authorizations.data_elements.push((n, els));
                }
            }
        }
        let doc_type = text(m, "docType", what)?.to_owned();
        let vi = m.require("validityInfo", what)?;
        vi.as_map("validityInfo")?;
        let signed = mso_tdate(vi, "signed")?;
        let valid_from = mso_tdate(vi, "validFrom")?;
        let valid_until = mso_tdate(vi, "validUntil")?;
        if let Some(_e) = vi.get("expectedUpdate") {
            let _ = mso_tdate(vi, "expectedUpdate")?;
        }
        if valid_from > valid_until {
            return Err(malformed("MSO validFrom is after validUntil"));
        }
        if valid_from < signed {
            return Err(malformed(
                "MSO validFrom is before signed (18013-5: validFrom >= signed)",
            ));
        }
        Ok(Mso {
            digest_alg,
            value_digests,
            device_key,
            key_authorizations,
            doc_type,
            signed,
            valid_from,
            valid_until,
            status: m.get("status").cloned(),
        })
    }

    /// The digest the MSO lists for `digest_id` in `namespace`.
    pub(crate) fn digest(&self, namespace: &str, digest_id: u64) -> Option<&[u8]> {
        let ids = &self.value_digests.iter().find(|(n, _)| n == namespace)?.1;
        ids.binary_search_by_key(&digest_id, |(id, _)| *id)
            .ok()
            .and_then(|i| ids.get(i))
            .map(|(_, d)| d.as_slice())
    }

    /// Whether the MSO covers `namespace` at all.
    pub(crate) fn covers(&self, namespace: &str) -> bool {
        self.value_digests.iter().any(|(n, _)| n == namespace)
    }
}

// ---------------------------------------------------------------------------
// DeviceResponse

/// `DeviceAuth`: exactly one of a signature or a MAC.
#[derive(Clone, Debug)]
pub(crate) enum DeviceAuth {
    Signature(CoseSign1),
    Mac(CoseMac0),
}

/// `DeviceSigned = {"nameSpaces": DeviceNameSpacesBytes, "deviceAuth": DeviceAuth}`.
#[derive(Clone, Debug)]
pub(crate) struct DeviceSigned {
    /// `DeviceNameSpacesBytes` exactly as received (tag 24).
    pub(crate) namespaces_bytes: Item,
    pub(crate) namespaces: Vec<(String, Vec<(String, Item)>)>,
    pub(crate) auth: DeviceAuth,
}

impl DeviceSigned {
    fn parse(item: &Item) -> Result<Self> {
        let what = "DeviceSigned";
        item.as_map(what)?;
        keys_text(item, what)?;
        let namespaces_bytes = item.require("nameSpaces", what)?.clone();
        let inner = namespaces_bytes
            .embedded_with("DeviceNameSpacesBytes (tag 24)", &decode_options())?
            .item;
        let mut namespaces = Vec::new();
        for (ns, els) in inner.as_map("DeviceNameSpaces")? {
            let ns = ns.as_text("a device namespace")?.to_owned();
            let mut list = Vec::new();
            for (e, v) in els.as_map("DeviceSignedItems")? {
                list.push((e.as_text("a device-signed element")?.to_owned(), v.clone()));
            }
            namespaces.push((ns, list));
        }
        let da = item.require("deviceAuth", what)?;
        da.as_map("deviceAuth")?;
        let auth = match (da.get("deviceSignature"), da.get("deviceMac")) {
            (Some(s), None) => {
                let s = CoseSign1::from_item(s).map_err(|e| e.context("deviceSignature"))?;
                if s.payload().is_some() {
                    return Err(malformed(
                        "deviceSignature carries a payload; it must be detached (nil)",
                    ));
                }
                DeviceAuth::Signature(s)
            }
            (None, Some(m)) => {
                let m = CoseMac0::from_item(m).map_err(|e| e.context("deviceMac"))?;
                if m.payload().is_some() {
                    return Err(malformed(
                        "deviceMac carries a payload; it must be detached (nil)",
                    ));
                }
                DeviceAuth::Mac(m)
            }
            (Some(_), Some(_)) => {
                return Err(malformed(
                    "deviceAuth holds both deviceSignature and deviceMac",
                ))
            }
            (None, None) => {
                return Err(malformed(
                    "deviceAuth holds neither deviceSignature nor deviceMac",
                ))
            }
        };
        if da.as_map("deviceAuth")?.len() != 1 {
            return Err(malformed("deviceAuth has unknown keys"));
        }
        Ok(DeviceSigned {
            namespaces_bytes,
            namespaces,
            auth,
        })
    }
}

/// `Document = {"docType", "issuerSigned", "deviceSigned", ? "errors"}`.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub(crate) doc_type: String,
    pub(crate) issuer_signed: IssuerSigned,
    pub(crate) device_signed: DeviceSigned,
}

impl Document {
    fn parse(item: &Item) -> Result<Self> {
        let what = "a Document";
        item.as_map(what)?;
        keys_text(item, what)?;
        let doc_type = text(item, "docType", what)?.to_owned();
        let issuer_signed = IssuerSigned::parse(item.require("issuerSigned", what)?)?;
        let device_signed = DeviceSigned::parse(item.require("deviceSigned", what)?)?;
        Ok(Document {
            doc_type,
            issuer_signed,
            device_signed,
        })
    }
}

/// `DeviceResponse = {"version", ? "documents", ? "documentErrors", "status"}`.
#[derive(Clone, Debug)]
pub(crate) struct DeviceResponse {
    pub(crate) documents: Vec<Document>,
    pub(crate) document_errors: usize,
    pub(crate) status: u64,
}

impl DeviceResponse {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let item = cose::decode_with(bytes, &decode_options())?;
        let what = "the DeviceResponse";
        item.as_map(what)?;
        keys_text(&item, what)?;
        // an IssuerSigned (a credential as issued) is a map too: say what it
        // is rather than that a DeviceResponse member is missing
        if item.get("version").is_none()
            && item.get("issuerAuth").is_some()
            && item.get("nameSpaces").is_some()
        {
            return Err(malformed(
                "this is an mdoc IssuerSigned (a credential as issued), not a DeviceResponse: the holder presents it as a DeviceResponse",
            ));
        }
        match item.require("version", what)?.value() {
            Cbor::Text(v) if v == "1.0" => {}
            Cbor::Text(v) => {
                return Err(unsupported(format!(
                    "DeviceResponse version {:?} (only \"1.0\")",
                    crate::crypto::clip(v)
                )))
            }
            _ => return Err(malformed("DeviceResponse version is not a text string")),
        }
        let status = item
            .require("status", what)?
            .as_uint("DeviceResponse status")?;
        let mut documents = Vec::new();
        if let Some(docs) = item.get("documents") {
            let list = docs.as_array("DeviceResponse documents")?;
            if list.len() > MAX_MDOC_DOCUMENTS {
                return Err(limit(format!(
                    "{} documents exceed the limit of {MAX_MDOC_DOCUMENTS}",
                    list.len()
                )));
            }
            for d in list {
                documents.push(Document::parse(d)?);
            }
        }
        let document_errors = match item.get("documentErrors") {
            Some(e) => e.as_array("documentErrors")?.len(),
            None => 0,
        };
        Ok(DeviceResponse {
            documents,
            document_errors,
            status,
        })
    }
}
