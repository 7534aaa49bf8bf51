//! COSE header buckets (RFC 9052 §3) and the checks shared by COSE_Sign1 and COSE_Mac0.

use super::cbor::{self, DecodeOptions, Item, Raw, Value};
use crate::crypto::Algorithm;
use crate::error::{limit, malformed, misuse, unsupported, Result};
use crate::limits::{MAX_CERT_BYTES, MAX_CHAIN_CERTS};
use coset::iana::{self, EnumI64};

/// `alg` (RFC 9052 §3.1).
pub(crate) const ALG: i64 = 1;
/// `crit`.
pub(crate) const CRIT: i64 = 2;
/// `content type`.
pub(crate) const CONTENT_TYPE: i64 = 3;
/// `kid`.
pub(crate) const KID: i64 = 4;
/// `x5chain` (RFC 9360).
pub(crate) const X5CHAIN: i64 = 33;

/// Labels this layer understands, so `crit` may name them.
const UNDERSTOOD: &[i64] = &[ALG, CONTENT_TYPE, KID, X5CHAIN];

/// A header label: `int / tstr`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Label {
    Int(i64),
    Text(String),
}

impl Label {
    fn from_item(item: &Item) -> Result<Self> {
        match item.value() {
            Value::Int(_) => Ok(Label::Int(item.as_int("a COSE header label")?)),
            Value::Text(t) => Ok(Label::Text(t.as_str().to_owned())),
            _ => Err(malformed(format!(
                "a COSE header label is {}, not an integer or a text string",
                item.kind_name()
            ))),
        }
    }

    fn to_item(&self) -> Item {
        match self {
            Label::Int(i) => Item::int(*i),
            Label::Text(t) => Item::text(t),
        }
    }
}

/// One header bucket: labels and values, in received order, labels unique.
#[derive(Clone, Debug, Default)]
pub(crate) struct Header {
    entries: Vec<(Label, Item)>,
}

impl Header {
    /// An empty bucket.
    pub(crate) fn new() -> Self {
        Header::default()
    }

    /// Adds a parameter; a label already present is `ApiMisuse`.
    pub(crate) fn with(mut self, label: Label, value: Item) -> Result<Self> {
        if self.get(&label).is_some() {
            return Err(misuse(format!("COSE header label {label:?} set twice")));
        }
        self.entries.push((label, value));
        Ok(self)
    }

    /// Adds `kid`.
    pub(crate) fn with_kid(self, kid: &[u8]) -> Result<Self> {
        self.with(Label::Int(KID), Item::bytes(kid))
    }

    /// Adds `x5chain`, leaf first: one certificate as a `bstr`, more as an array.
    pub(crate) fn with_x5chain(self, chain: &[Vec<u8>]) -> Result<Self> {
        let value = match chain {
            [] => return Err(misuse("an x5chain needs at least one certificate")),
            [one] => Item::bytes(one),
            many => Item::array(many.iter().map(|c| Item::bytes(c)).collect()),
        };
        self.with(Label::Int(X5CHAIN), value)
    }

    /// The value under `label`.
    pub(crate) fn get(&self, label: &Label) -> Option<&Item> {
        self.entries
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v)
    }

    /// The value under the integer label `label`.
    pub(crate) fn get_int(&self, label: i64) -> Option<&Item> {
        self.get(&Label::Int(label))
    }

    /// The parameters, in order.
    pub(crate) fn entries(&self) -> &[(Label, Item)] {
        &self.entries
    }

    /// `kid`, if present (a non-bstr `kid` is rejected at parse time).
    pub(crate) fn kid(&self) -> Option<&[u8]> {
        self.get_int(KID).and_then(|k| k.as_bytes("kid").ok())
    }

    /// Reads a bucket from a map item.
    pub(crate) fn from_item(item: &Item, what: &str) -> Result<Self> {
        let map = item.as_map(what)?;
        let mut entries = Vec::with_capacity(map.len());
        for (k, v) in map {
            // The CBOR reader already refused duplicate keys.
            entries.push((Label::from_item(k)?, v.clone()));
        }
        let h = Header { entries };
        if let Some(kid) = h.get_int(KID) {
            kid.as_bytes("COSE kid")?;
        }
        if let Some(ct) = h.get_int(CONTENT_TYPE) {
            if !matches!(ct.value(), Value::Int(i) if *i >= 0) && ct.as_text("").is_err() {
                return Err(malformed(
                    "COSE content type is not a uint or a text string",
                ));
            }
        }
        Ok(h)
    }

    /// The bucket as a map item, entries in deterministic order.
    pub(crate) fn to_item(&self) -> Result<Item> {
        Item::map(
            self.entries
                .iter()
                .map(|(l, v)| (l.to_item(), v.clone()))
                .collect(),
        )
    }
}

/// Decodes a protected bucket from its `bstr` (empty means an empty map).
pub(crate) fn protected_from_bytes(bytes: &Raw) -> Result<Header> {
    if bytes.is_empty() {
        return Ok(Header::new());
    }
    let item = cbor::decode_raw(bytes, &DecodeOptions::default())
        .map_err(|e| e.context("COSE protected header"))?;
    Header::from_item(&item, "the COSE protected header")
}

/// The checks every COSE message makes on its two buckets (RFC 9052 §3):
/// no label in both; `crit` only protected, non-empty, naming labels we
/// understand; `alg` present and protected. Returns the protected `alg` item.
pub(crate) fn check_buckets<'a>(protected: &'a Header, unprotected: &Header) -> Result<&'a Item> {
    for (label, _) in &unprotected.entries {
        if protected.get(label).is_some() {
            return Err(malformed(format!(
                "COSE header label {label:?} is in both buckets"
            )));
        }
    }
    if unprotected.get_int(CRIT).is_some() {
        return Err(malformed("COSE crit must be in the protected bucket"));
    }
    if let Some(crit) = protected.get_int(CRIT) {
        let labels = crit.as_array("COSE crit")?;
        if labels.is_empty() {
            return Err(malformed("COSE crit is an empty array"));
        }
        for l in labels {
            match Label::from_item(l)? {
                Label::Int(i) if UNDERSTOOD.contains(&i) => {}
                other => {
                    return Err(unsupported(format!(
                        "COSE crit names header label {other:?}, which is not understood"
                    )))
                }
            }
        }
    }
    match (protected.get_int(ALG), unprotected.get_int(ALG)) {
        (Some(alg), _) => Ok(alg),
        (None, Some(_)) => Err(malformed(
            "COSE alg is only in the unprotected bucket; it must be protected",
        )),
        (None, None) => Err(malformed("COSE message has no alg")),
    }
}

/// The signature algorithm for a COSE `alg` value: ES256 (−7), ES384 (−35) and
/// EdDSA (−8) only; everything else is `Unsupported`.
pub(crate) fn sign_alg(item: &Item) -> Result<Algorithm> {
    let Value::Int(_) = item.value() else {
        return Err(unsupported(format!(
            "COSE alg {} is not a supported algorithm",
            item.kind_name()
        )));
    };
    let v = item
        .as_int("COSE alg")
        .map_err(|_| unsupported("COSE alg is out of range"))?;
    if v == iana::Algorithm::ES256.to_i64() {
        Ok(Algorithm::Es256)
    } else if v == iana::Algorithm::ES384.to_i64() {
        Ok(Algorithm::Es384)
    } else if v == iana::Algorithm::EdDSA.to_i64() {
        Ok(Algorithm::EdDsa)
    } else {
        Err(unsupported(format!(
            "COSE alg {v} is not accepted (ES256 -7, ES384 -35 and EdDSA -8 are)"
        )))
    }
}

/// The COSE `alg` value for a signature algorithm.
pub(crate) fn cose_alg(alg: Algorithm) -> i64 {
    match alg {
        Algorithm::Es256 => iana::Algorithm::ES256.to_i64(),
        Algorithm::Es384 => iana::Algorithm::ES384.to_i64(),
        Algorithm::EdDsa => iana::Algorithm::EdDSA.to_i64(),
    }
}

/// `x5chain` (RFC 9360 §2): `COSE_X509 = bstr / [ 2*certs: bstr ]`, leaf first.
///
/// An array of one certificate is accepted: the CDDL says a single
/// certificate is a bare `bstr`, but real mdoc issuers send `[bstr]`
/// (HOSTILE-INPUTS COSE-09 allows leniency where real issuers need it), and
/// nothing is lost: the chain is the same one certificate and every chain
/// check runs on it. An empty array or certificate is `Malformed`; more than
/// [`MAX_CHAIN_CERTS`] certificates, or one larger than [`MAX_CERT_BYTES`],
/// is `LimitExceeded`. We still *write* one certificate as a bare `bstr`.
pub(crate) fn parse_x5chain(item: &Item) -> Result<Vec<Vec<u8>>> {
    let cert = |i: &Item| -> Result<Vec<u8>> {
        let b = i.as_bytes("an x5chain certificate")?;
        if b.is_empty() {
            return Err(malformed("an x5chain certificate is empty"));
        }
        if b.len() > MAX_CERT_BYTES {
            return Err(limit(format!(
                "an x5chain certificate of {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                b.len()
            )));
        }
        Ok(b.to_vec())
    };
    match item.value() {
        Value::Bytes(_) => Ok(vec![cert(item)?]),
        Value::Array(a) if a.is_empty() => Err(malformed(
            "x5chain is an empty array (RFC 9360: a bstr or an array of certificates)",
        )),
        Value::Array(a) if a.len() > MAX_CHAIN_CERTS => Err(limit(format!(
            "x5chain has {} certificates, more than the limit of {MAX_CHAIN_CERTS}",
            a.len()
        ))),
        Value::Array(a) => a.iter().map(cert).collect(),
        _ => Err(malformed(format!(
            "x5chain is {}, not a bstr or an array of bstr",
            item.kind_name()
        ))),
    }
}
