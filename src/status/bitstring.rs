//! W3C Bitstring Status List v1.0 (Recommendation, May 2025): the
//! `BitstringStatusListEntry` of a credential and the `BitstringStatusList` subject
//! of the list credential; issuer-side encoding.
//!
//! Decisions:
//! - `statusListIndex` is a decimal string of ASCII digits, without sign, spaces or
//!   leading zeros (`"0"` itself is fine), at most [`MAX_STATUS_INDEX`]; anything
//!   else is `Malformed`.
//! - `statusSize` is a JSON integer ≥ 1 (default 1); above
//!   [`MAX_BITSTRING_STATUS_SIZE`] it is `LimitExceeded`. With `statusSize` > 1,
//!   `statusMessage` is required; when present it has exactly 2^`statusSize`
//!   entries `{status: "0x…", message}`, each status distinct and in range.
//! - `encodedList` is multibase `u` + base64url without padding of a single-member
//!   GZIP stream (see [`super::inflate`]). Other multibase prefixes are `Malformed`.
//! - The decoded list holds at least 131 072 entries (16 KiB at `statusSize` 1;
//!   `131 072 × statusSize` bits in general — the walt.id 2-bit fixtures are 32 KiB);
//!   a smaller one is `Malformed`.
//! - Bit order is MSB-first: index `i` covers bits `i·s … i·s + s − 1`, bit 0 being
//!   the left-most bit of byte 0; a value may straddle two bytes.
//! - A purpose that the list does not declare is `Policy`; an index past the end is
//!   `Malformed`. `ttl` is in milliseconds, kept as given.
//! - The credential's own checks (validity, proof, issuer) are the verifier's; this
//!   module reads `type`, `id` and `credentialSubject` only.

use super::inflate::{gzip_compress, gzip_decompress};
use crate::encoding::{b64u_decode, b64u_encode};
use crate::error::{limit, malformed, misuse, policy, Result};
use crate::limits::{
    MAX_BITSTRING_STATUS_SIZE, MAX_STATUS_INDEX, MAX_STATUS_LIST_DECODED_BYTES,
    MAX_STATUS_LIST_ENCODED_BYTES,
};
use serde_json::{json, Map, Value};

/// The fewest entries a Bitstring Status List may have (herd privacy).
pub const MIN_BITSTRING_ENTRIES: u64 = 131_072;

/// One `statusMessage` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    status: u8,
    message: String,
}

impl StatusMessage {
    /// The status value it describes.
    pub fn status(&self) -> u8 {
        self.status
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A `credentialStatus` entry of type `BitstringStatusListEntry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitstringStatusEntry {
    id: Option<String>,
    purpose: String,
    index: u64,
    list_credential: String,
    size: u8,
    messages: Vec<StatusMessage>,
}

fn str_member<'a>(m: &'a Map<String, Value>, key: &str, what: &str) -> Result<Option<&'a str>> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(_) => Err(malformed(format!("{what} {key} is not a non-empty string"))),
    }
}

fn has_type(v: Option<&Value>, name: &str) -> bool {
    match v {
        Some(Value::String(s)) => s == name,
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// Parses `statusListIndex`: ASCII digits, no sign, no leading zeros.
fn parse_index(s: &str) -> Result<u64> {
    let digits_only = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (s.len() > 1 && s.starts_with('0')) || s.len() > 20 {
        return Err(malformed(
            "statusListIndex is not a decimal string without sign or leading zeros",
        ));
    }
    let n: u64 = s
        .parse()
        .map_err(|_| malformed("statusListIndex is out of range"))?;
    if n > MAX_STATUS_INDEX {
        return Err(malformed(format!(
            "statusListIndex {n} exceeds {MAX_STATUS_INDEX}"
        )));
    }
    Ok(n)
}

fn parse_hex_status(s: &str) -> Result<u64> {
    let hex = s
        .strip_prefix("0x")
        .filter(|h| !h.is_empty() && h.len() <= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| malformed("statusMessage status is not a 0x-prefixed hex string"))?;
    u64::from_str_radix(hex, 16).map_err(|_| malformed("statusMessage status is out of range"))
}

impl BitstringStatusEntry {
    /// Parses one `BitstringStatusListEntry` object.
    pub fn from_json(v: &Value) -> Result<Self> {
        const W: &str = "BitstringStatusListEntry";
        let m = v
            .as_object()
            .ok_or_else(|| malformed("a credentialStatus entry is not an object"))?;
        if !has_type(m.get("type"), "BitstringStatusListEntry") {
            return Err(malformed(
                "credentialStatus type is not BitstringStatusListEntry",
            ));
        }
        let id = str_member(m, "id", W)?.map(str::to_owned);
        let purpose = str_member(m, "statusPurpose", W)?
            .ok_or_else(|| malformed("BitstringStatusListEntry has no statusPurpose"))?;
        let index = match m.get("statusListIndex") {
            Some(Value::String(s)) => parse_index(s)?,
            Some(_) => return Err(malformed("statusListIndex is not a string")),
            None => return Err(malformed("BitstringStatusListEntry has no statusListIndex")),
        };
        let list_credential = str_member(m, "statusListCredential", W)?
            .ok_or_else(|| malformed("BitstringStatusListEntry has no statusListCredential"))?;
        let size = match m.get("statusSize") {
            None => 1,
            Some(v) => {
                let n = v
                    .as_u64()
                    .ok_or_else(|| malformed("statusSize is not a positive integer"))?;
                if n == 0 {
                    return Err(malformed("statusSize is 0"));
                }
                if n > MAX_BITSTRING_STATUS_SIZE {
                    return Err(limit(format!(
                        "statusSize {n} exceeds {MAX_BITSTRING_STATUS_SIZE} bits"
                    )));
                }
                u8::try_from(n).map_err(|_| limit("statusSize out of range"))?
            }
        };
        let messages = match m.get("statusMessage") {
            None if size > 1 => {
                return Err(malformed(
                    "statusMessage is required when statusSize is greater than 1",
                ))
            }
            None => Vec::new(),
            Some(Value::Array(a)) => Self::parse_messages(a, size)?,
            Some(_) => return Err(malformed("statusMessage is not an array")),
        };
        Ok(BitstringStatusEntry {
            id,
            purpose: purpose.to_owned(),
            index,
            list_credential: list_credential.to_owned(),
            size,
            messages,
        })
    }

    fn parse_messages(a: &[Value], size: u8) -> Result<Vec<StatusMessage>> {
        let possible = 1usize << size;
        if a.len() != possible {
            return Err(malformed(format!(
                "statusMessage has {} entries; statusSize {size} needs {possible}",
                a.len()
            )));
        }
        let mut out: Vec<StatusMessage> = Vec::with_capacity(a.len());
        for e in a {
            let o = e
                .as_object()
                .ok_or_else(|| malformed("a statusMessage entry is not an object"))?;
            let status = match o.get("status") {
                Some(Value::String(s)) => parse_hex_status(s)?,
                _ => return Err(malformed("statusMessage status is not a string")),
            };
            let status = u8::try_from(status)
                .ok()
                .filter(|s| usize::from(*s) < possible)
                .ok_or_else(|| malformed("statusMessage status does not fit statusSize"))?;
            let message = match o.get("message") {
                Some(Value::String(s)) => s.clone(),
                _ => return Err(malformed("statusMessage message is not a string")),
            };
            if out.iter().any(|m| m.status == status) {
                return Err(malformed("statusMessage lists a status twice"));
            }
            out.push(StatusMessage { status, message });
        }
        Ok(out)
    }

    /// The `BitstringStatusListEntry` items of a `credentialStatus` (an object or an
    /// array); entries of other types are skipped, a malformed one fails.
    pub fn from_credential_status(v: &Value) -> Result<Vec<Self>> {
        let items: &[Value] = match v {
            Value::Array(a) => a,
            Value::Object(_) => core::slice::from_ref(v),
            _ => return Err(malformed("credentialStatus is not an object or an array")),
        };
        items
            .iter()
            .filter(|i| has_type(i.get("type"), "BitstringStatusListEntry"))
            .map(Self::from_json)
            .collect()
    }

    /// `id`, if present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// `statusPurpose`.
    pub fn purpose(&self) -> &str {
        &self.purpose
    }
    /// `statusListIndex`.
    pub fn index(&self) -> u64 {
        self.index
    }
    /// `statusListCredential`: must equal the list credential's `id`.
    pub fn list_credential(&self) -> &str {
        &self.list_credential
    }
    /// `statusSize` in bits.
    pub fn size(&self) -> u8 {
        self.size
    }
    /// `statusMessage`, if present.
    pub fn messages(&self) -> &[StatusMessage] {
        &self.messages
    }
    /// The message for `status`, if `statusMessage` lists it.
    pub fn message_for(&self, status: u8) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.status == status)
            .map(|m| m.message.as_str())
    }
}

/// Reads `size` bits at entry `index`, MSB-first (values may straddle bytes).
fn read_msb(bytes: &[u8], index: u64, size: u8) -> Result<u8> {
    let bits = u64::try_from(bytes.len())
        .unwrap_or(u64::MAX)
        .saturating_mul(8);
    let entries = bits / u64::from(size);
    if entries < MIN_BITSTRING_ENTRIES {
        return Err(malformed(format!(
            "the bitstring holds {entries} entries of {size} bits, fewer than {MIN_BITSTRING_ENTRIES}"
        )));
    }
    if index >= entries {
        return Err(malformed(format!(
            "statusListIndex {index} is out of range: the list has {entries} entries"
        )));
    }
    let start = index
        .checked_mul(u64::from(size))
        .ok_or_else(|| malformed("statusListIndex is out of range"))?;
    let mut v = 0u8;
    for pos in start..start + u64::from(size) {
        let byte = usize::try_from(pos / 8).map_err(|_| malformed("index out of range"))?;
        let b = bytes
            .get(byte)
            .ok_or_else(|| malformed("statusListIndex is out of range"))?;
        let shift = 7 - u8::try_from(pos % 8).unwrap_or(0);
        v = (v << 1) | ((b >> shift) & 1);
    }
    Ok(v)
}

/// A decoded `BitstringStatusList` (the list credential's subject).
#[derive(Clone, PartialEq, Eq)]
pub struct BitstringStatusList {
    credential_id: Option<String>,
    subject_id: Option<String>,
    purposes: Vec<String>,
    ttl: Option<u64>,
    bytes: Vec<u8>,
}

impl core::fmt::Debug for BitstringStatusList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BitstringStatusList")
            .field("credential_id", &self.credential_id)
            .field("purposes", &self.purposes)
            .field("ttl", &self.ttl)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl BitstringStatusList {
    /// Reads a `BitstringStatusListCredential` (the unsecured JSON, or the `vc`
    /// of a VC-JWT): `type` must include `BitstringStatusListCredential`.
    pub fn from_credential(cred: &Map<String, Value>) -> Result<Self> {
        if !has_type(cred.get("type"), "BitstringStatusListCredential") {
            return Err(malformed(
                "the credential's type does not include BitstringStatusListCredential",
            ));
        }
        let credential_id = str_member(cred, "id", "BitstringStatusListCredential")?;
        let subject = match cred.get("credentialSubject") {
            Some(Value::Object(s)) => s,
            Some(_) => return Err(malformed("credentialSubject is not one object")),
            None => {
                return Err(malformed(
                    "the status list credential has no credentialSubject",
                ))
            }
        };
        let mut list = Self::from_subject(subject)?;
        list.credential_id = credential_id.map(str::to_owned);
        Ok(list)
    }

    /// Reads a `BitstringStatusList` `credentialSubject`.
    pub fn from_subject(s: &Map<String, Value>) -> Result<Self> {
        const W: &str = "BitstringStatusList";
        if s.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
            return Err(malformed(
                "credentialSubject type is not BitstringStatusList",
            ));
        }
        let subject_id = str_member(s, "id", W)?.map(str::to_owned);
        let purposes = match s.get("statusPurpose") {
            Some(Value::String(p)) if !p.is_empty() => vec![p.clone()],
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|p| match p {
                    Value::String(p) if !p.is_empty() => Ok(p.clone()),
                    _ => Err(malformed("a statusPurpose is not a non-empty string")),
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => {
                return Err(malformed(
                    "statusPurpose is not a string or a non-empty array of strings",
                ))
            }
            None => return Err(malformed("BitstringStatusList has no statusPurpose")),
        };
        let ttl = match s.get("ttl") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| malformed("ttl is not a non-negative integer"))?,
            ),
        };
        let encoded = match s.get("encodedList") {
            Some(Value::String(e)) => e,
            Some(_) => return Err(malformed("encodedList is not a string")),
            None => return Err(malformed("BitstringStatusList has no encodedList")),
        };
        let bytes = decode_encoded_list(encoded)?;
        Ok(BitstringStatusList {
            credential_id: None,
            subject_id,
            purposes,
            ttl,
            bytes,
        })
    }

    /// The list credential's `id` (what an entry's `statusListCredential` names).
    pub fn credential_id(&self) -> Option<&str> {
        self.credential_id.as_deref()
    }
    /// The subject's `id`, if present.
    pub fn subject_id(&self) -> Option<&str> {
        self.subject_id.as_deref()
    }
    /// The purposes the list declares.
    pub fn purposes(&self) -> &[String] {
        &self.purposes
    }
    /// `ttl` in milliseconds, if present.
    pub fn ttl_millis(&self) -> Option<u64> {
        self.ttl
    }
    /// The decoded bitstring length, in bits.
    pub fn len_bits(&self) -> u64 {
        u64::try_from(self.bytes.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(8)
    }

    /// The value for `entry`: its purpose must be one the list declares (`Policy`
    /// otherwise), its index in range (`Malformed` otherwise).
    pub fn value(&self, entry: &BitstringStatusEntry) -> Result<u8> {
        if !self.purposes.iter().any(|p| p == &entry.purpose) {
            return Err(policy(format!(
                "the entry's statusPurpose {:?} is not one the status list declares",
                crate::crypto::clip(&entry.purpose)
            )));
        }
        read_msb(&self.bytes, entry.index, entry.size)
    }

    /// The `size`-bit value at entry `index` (no purpose check).
    pub fn get(&self, index: u64, size: u8) -> Result<u8> {
        if size == 0 || u64::from(size) > MAX_BITSTRING_STATUS_SIZE {
            return Err(misuse("statusSize must be 1 to 8 bits"));
        }
        read_msb(&self.bytes, index, size)
    }
}

/// Decodes an `encodedList`: `u` + base64url (no padding) of GZIP, bounded.
fn decode_encoded_list(e: &str) -> Result<Vec<u8>> {
    let b64 = e.strip_prefix('u').ok_or_else(|| {
        malformed("encodedList is not multibase base64url (it must start with 'u')")
    })?;
    let gz = b64u_decode(b64, MAX_STATUS_LIST_ENCODED_BYTES, "encodedList")?;
    let bytes = gzip_decompress(&gz, MAX_STATUS_LIST_DECODED_BYTES)
        .map_err(|e| e.context("encodedList"))?;
    if bytes.len() < 16 * 1024 {
        return Err(malformed(format!(
            "the bitstring is {} bytes; at least 16 KiB (131 072 entries) are required",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// An issuer's Bitstring Status List: `size`-bit entries, MSB-first.
#[derive(Clone, PartialEq, Eq)]
pub struct BitstringList {
    size: u8,
    bytes: Vec<u8>,
}

impl core::fmt::Debug for BitstringList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "BitstringList({} bits, {} bytes)",
            self.size,
            self.bytes.len()
        )
    }
}

impl BitstringList {
    /// An all-zero list of `size`-bit entries holding at least `entries` (and at
    /// least [`MIN_BITSTRING_ENTRIES`]) entries.
    pub fn new(size: u8, entries: u64) -> Result<Self> {
        if size == 0 || u64::from(size) > MAX_BITSTRING_STATUS_SIZE {
            return Err(misuse("statusSize must be 1 to 8 bits"));
        }
        let bits = entries
            .max(MIN_BITSTRING_ENTRIES)
            .checked_mul(u64::from(size))
            .ok_or_else(|| misuse("too many entries"))?;
        let len = usize::try_from(bits.div_ceil(8))
            .ok()
            .filter(|&l| l <= MAX_STATUS_LIST_DECODED_BYTES)
            .ok_or_else(|| misuse("the list would exceed MAX_STATUS_LIST_DECODED_BYTES"))?;
        Ok(BitstringList {
            size,
            bytes: vec![0; len],
        })
    }

    /// `statusSize` in bits.
    pub fn size(&self) -> u8 {
        self.size
    }

    /// The number of entries.
    pub fn entries(&self) -> u64 {
        u64::try_from(self.bytes.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(8)
            / u64::from(self.size)
    }

    /// The value at `index`.
    pub fn get(&self, index: u64) -> Result<u8> {
        read_msb(&self.bytes, index, self.size)
    }

    /// Sets the value at `index`; out of range or too wide is `ApiMisuse`.
    pub fn set(&mut self, index: u64, value: u8) -> Result<()> {
        if u16::from(value) >= 1u16 << self.size {
            return Err(misuse(format!(
                "value {value} does not fit in {} bits",
                self.size
            )));
        }
        if index >= self.entries() {
            return Err(misuse(format!("index {index} is out of range")));
        }
        let start = index * u64::from(self.size);
        for k in 0..self.size {
            let pos = start + u64::from(k);
            let byte = usize::try_from(pos / 8).map_err(|_| misuse("index out of range"))?;
            let mask = 0x80u8 >> u8::try_from(pos % 8).unwrap_or(0);
            let bit = (value >> (self.size - 1 - k)) & 1;
            let b = self
                .bytes
                .get_mut(byte)
                .ok_or_else(|| misuse("index out of range"))?;
            if bit == 1 {
                *b |= mask;
            } else {
                *b &= !mask;
            }
        }
        Ok(())
    }

    /// The `encodedList`: `u` + base64url (no padding) of the GZIP-compressed list.
    pub fn encoded_list(&self) -> String {
        format!("u{}", b64u_encode(gzip_compress(&self.bytes)))
    }

    /// A `credentialSubject` of type `BitstringStatusList` for this list.
    pub fn credential_subject(
        &self,
        id: Option<&str>,
        purpose: &str,
        ttl_ms: Option<u64>,
    ) -> Value {
        let mut m = Map::new();
        if let Some(id) = id {
            m.insert("id".into(), json!(id));
        }
        m.insert("type".into(), json!("BitstringStatusList"));
        m.insert("statusPurpose".into(), json!(purpose));
        m.insert("encodedList".into(), json!(self.encoded_list()));
        if let Some(t) = ttl_ms {
            m.insert("ttl".into(), json!(t));
        }
        Value::Object(m)
    }
}
