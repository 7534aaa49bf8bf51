//! IETF Token Status List (draft-ietf-oauth-status-list; the wire format of
//! draft-14, which HAIP 1.0 pins, is unchanged up to draft-20): the list, its
//! JWT and CWT tokens, the referenced token's `status` claim, and the ISO/IEC
//! 18013-5 (second edition) identifier list CWT.
//!
//! Everything here is **unverified**: a parsed token keeps its [`Jws`] or COSE
//! message so that the caller (the verifier) checks the signature with a key it
//! trusts for the credential's issuer, and `sub` against the reference's `uri`.
//!
//! # Decisions
//!
//! - `bits` is 1, 2, 4 or 8; anything else (0, 3, 9, 16, a float, a string) is
//!   `Malformed` (STAT-02). Values are packed LSB-first: index `i` sits in byte
//!   `i·bits / 8` at bit offset `(i·bits) mod 8`, and never spans two bytes.
//! - Looking up one index reads one byte of the decoded list. An index at or past
//!   the number of entries (`len·8 / bits`) is `Malformed`, never "valid" (STAT-03).
//! - `lst` is base64url (JWT) or a bstr (CWT) of a zlib stream, decoded with the
//!   bounds of [`super::inflate`]; `lst: ""` is `Malformed` (STAT-13): an empty
//!   list is a zlib stream that inflates to zero bytes, not an empty string.
//! - JWT `typ` must be `statuslist+jwt` (the `application/` prefix optional, case
//!   insensitive, RFC 7515 §4.1.9); anything else or none is `Malformed` (STAT-09).
//! - The CWT must be a **tagged** COSE_Sign1 (18) or COSE_Mac0 (17). Untagged, CWT
//!   tag 61 (also around 18/17) and any other tag are `Malformed`. The protected
//!   header 16 (`typ`, RFC 9596) must be the text `application/statuslist+cwt`
//!   (case-insensitive); absent, unprotected only, another type, or a uint (the
//!   draft's CoAP Content-Format ID is still TBD at IANA, so no number can match)
//!   is `Malformed` (STAT-09). The short form `statuslist+cwt` is refused: the
//!   draft names the full media type for the CWT.
//! - JWT algorithms are the project's closed set ([`Jws`]): the draft allows a MAC,
//!   the project refuses HMAC-secured tokens (`Unsupported`) everywhere. A CWT may
//!   be a COSE_Mac0 (HMAC 256/256), as the draft allows; the verifier decides
//!   whether it has a key for it.
//! - `sub` and `iat` are required; `exp`, `ttl`, `iss` and `aggregation_uri` are
//!   optional. NumericDates are non-negative integers (a float is `Malformed`);
//!   `ttl` must be positive. Unknown claims are ignored (RFC 7519 §4, RFC 8392 §3).
//! - Status reference (`status.status_list`): `idx` a non-negative integer no
//!   greater than [`MAX_STATUS_INDEX`] (−1, 1.5, `"3"`, 2^60 are `Malformed`,
//!   STAT-04); `uri` a non-empty URI with a scheme. The `status` object / map must
//!   name at least one mechanism (empty is `Malformed`); in CBOR every mechanism
//!   name is a text string. Mechanisms other than `status_list` and (CBOR)
//!   `identifier_list` are ignored; members beyond `idx`, `uri` (and `certificate`
//!   in CBOR) are ignored, as the draft's "MUST at least contain" allows.
//!
//! # Identifier lists (ISO/IEC 18013-5 second edition §12.3.6)
//!
//! The ISO text is not public; the reading taken here follows the CDDL quoted by
//! the open implementations (OWF `@owf/mdoc`, A-SIT `vck`) and draft-bormann-
//! identifier-list:
//! - the MSO `status` map may hold `identifier_list: {id: bstr, uri: tstr,
//!   ? certificate: bstr}` next to (or instead of) `status_list: {idx, uri,
//!   ? certificate}`; both are read, the verifier must check both;
//! - the list is a tagged COSE_Sign1/Mac0 whose protected header 16 is
//!   `application/identifierlist+cwt`; its claims are `sub` (2), `iat` (6), `exp`
//!   (4, **required** by ISO), optional `ttl` (65534), and 65530 = `IdentifierList
//!   = {"identifiers": {* bstr => IdentifierInfo}, ? "aggregation_uri": tstr}`,
//!   where `IdentifierInfo` is a map whose content is reserved (read, not
//!   interpreted); the status-list claim 65533 must be absent;
//! - an identifier that appears in `identifiers` is **revoked** (invalid); one
//!   that does not is valid. Open implementations disagree on where `typ` goes
//!   (one early version read a claim 16 in the payload); we require the protected
//!   header, as for the status list CWT (RFC 9596).

use super::inflate::{zlib_compress, zlib_decompress};
use super::TokenStatus;
use crate::cose::{cbor, CoseMac0, CoseSign1, Header, Item, Label, Value as CborValue};
use crate::crypto::Signer;
use crate::encoding::{b64u_decode, b64u_encode};
use crate::error::{limit, malformed, misuse, Result};
use crate::jose::{sign_compact, Jws};
use crate::limits::{
    MAX_STATUS_INDEX, MAX_STATUS_LIST_DECODED_BYTES, MAX_STATUS_LIST_ENCODED_BYTES,
};
use serde_json::{json, Map, Value};

/// JWT `typ` of a status list token.
pub const STATUSLIST_JWT_TYP: &str = "statuslist+jwt";
/// CWT `typ` (protected header 16) of a status list token.
pub const STATUSLIST_CWT_TYP: &str = "application/statuslist+cwt";
/// CWT `typ` of an ISO 18013-5 identifier list.
pub const IDENTIFIERLIST_CWT_TYP: &str = "application/identifierlist+cwt";

/// COSE header parameter `typ` (RFC 9596).
const HEADER_TYP: i64 = 16;
/// CWT claim keys (RFC 8392, draft-ietf-oauth-status-list §11, ISO 18013-5).
const CWT_ISS: i64 = 1;
const CWT_SUB: i64 = 2;
const CWT_EXP: i64 = 4;
const CWT_IAT: i64 = 6;
const CWT_TTL: i64 = 65534;
const CWT_STATUS_LIST: i64 = 65533;
const CWT_STATUS: i64 = 65535;
const CWT_IDENTIFIER_LIST: i64 = 65530;

// ---------------------------------------------------------------------------
// The list

/// Bits per status in a Token Status List: 1, 2, 4 or 8.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusBits {
    /// One bit per status (valid / invalid).
    One,
    /// Two bits (adds suspended and one application-specific value).
    Two,
    /// Four bits.
    Four,
    /// Eight bits.
    Eight,
}

impl StatusBits {
    /// The `bits` value of a list; anything but 1, 2, 4, 8 is `Malformed`.
    pub fn from_bits(n: u64) -> Result<Self> {
        match n {
            1 => Ok(StatusBits::One),
            2 => Ok(StatusBits::Two),
            4 => Ok(StatusBits::Four),
            8 => Ok(StatusBits::Eight),
            other => Err(malformed(format!(
                "status list bits is {other}; only 1, 2, 4 and 8 are allowed"
            ))),
        }
    }

    /// The number of bits.
    pub fn bits(self) -> u8 {
        match self {
            StatusBits::One => 1,
            StatusBits::Two => 2,
            StatusBits::Four => 4,
            StatusBits::Eight => 8,
        }
    }

    fn per_byte(self) -> u64 {
        u64::from(8 / self.bits())
    }

    fn mask(self) -> u8 {
        match self {
            StatusBits::Eight => 0xff,
            b => (1u8 << b.bits()) - 1,
        }
    }
}

/// A decoded Token Status List: the packed bytes (LSB-first) and `bits`.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: StatusBits,
    bytes: Vec<u8>,
}

impl core::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "StatusList({} bits, {} entries)",
            self.bits.bits(),
            self.entries()
        )
    }
}

impl StatusList {
    /// An all-valid list of at least `entries` entries (rounded up to whole
    /// bytes). More than [`MAX_STATUS_LIST_DECODED_BYTES`] is `ApiMisuse`.
    pub fn new(bits: StatusBits, entries: u64) -> Result<Self> {
        let len = entries.div_ceil(bits.per_byte());
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= MAX_STATUS_LIST_DECODED_BYTES)
            .ok_or_else(|| {
                misuse(format!(
                    "a status list of {entries} entries exceeds {MAX_STATUS_LIST_DECODED_BYTES} bytes"
                ))
            })?;
        Ok(StatusList {
            bits,
            bytes: vec![0; len],
        })
    }

    /// A list from its packed (decompressed) bytes.
    pub fn from_packed(bits: StatusBits, bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() > MAX_STATUS_LIST_DECODED_BYTES {
            return Err(limit(format!(
                "a status list of {} bytes exceeds {MAX_STATUS_LIST_DECODED_BYTES}",
                bytes.len()
            )));
        }
        Ok(StatusList { bits, bytes })
    }

    /// A list from its zlib-compressed bytes (the CWT `lst`).
    pub fn from_compressed(bits: StatusBits, zlib: &[u8]) -> Result<Self> {
        if zlib.len() > MAX_STATUS_LIST_ENCODED_BYTES {
            return Err(limit(format!(
                "a compressed status list of {} bytes exceeds {MAX_STATUS_LIST_ENCODED_BYTES}",
                zlib.len()
            )));
        }
        if zlib.is_empty() {
            return Err(malformed(
                "status list lst is empty (an empty list is a zlib stream of zero bytes)",
            ));
        }
        let bytes = zlib_decompress(zlib, MAX_STATUS_LIST_DECODED_BYTES)
            .map_err(|e| e.context("status list lst"))?;
        Ok(StatusList { bits, bytes })
    }

    /// A list from the JWT `lst`: base64url (no padding) of the zlib stream.
    pub fn from_lst(bits: StatusBits, lst: &str) -> Result<Self> {
        if lst.is_empty() {
            return Err(malformed(
                "status list lst is empty (an empty list is a zlib stream of zero bytes)",
            ));
        }
        let zlib = b64u_decode(lst, MAX_STATUS_LIST_ENCODED_BYTES, "status list lst")?;
        Self::from_compressed(bits, &zlib)
    }

    /// A list from its CBOR encoding `{bits, lst: bstr, ? aggregation_uri}`
    /// (the CWT `status_list` claim on its own).
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        list_from_cbor(&cbor::decode(bytes)?).map(|(l, _)| l)
    }

    /// Bits per status.
    pub fn bits(&self) -> StatusBits {
        self.bits
    }

    /// The number of entries: `len · 8 / bits`.
    pub fn entries(&self) -> u64 {
        u64::try_from(self.bytes.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(self.bits.per_byte())
    }

    /// The packed bytes.
    pub fn packed(&self) -> &[u8] {
        &self.bytes
    }

    fn locate(&self, idx: u64) -> Result<(usize, u8)> {
        if idx > MAX_STATUS_INDEX {
            return Err(malformed(format!(
                "status index {idx} exceeds {MAX_STATUS_INDEX}"
            )));
        }
        if idx >= self.entries() {
            return Err(malformed(format!(
                "status index {idx} is out of range: the list has {} entries",
                self.entries()
            )));
        }
        let per = self.bits.per_byte();
        let byte =
            usize::try_from(idx / per).map_err(|_| malformed("status index out of range"))?;
        let shift = u8::try_from(idx % per).unwrap_or(0) * self.bits.bits();
        Ok((byte, shift))
    }

    /// The status value at `idx` (one byte of the list is read).
    pub fn get(&self, idx: u64) -> Result<u8> {
        let (byte, shift) = self.locate(idx)?;
        let b = self
            .bytes
            .get(byte)
            .ok_or_else(|| malformed("status index out of range"))?;
        Ok((b >> shift) & self.bits.mask())
    }

    /// The meaning of the status at `idx`.
    pub fn status(&self, idx: u64) -> Result<TokenStatus> {
        self.get(idx).map(TokenStatus::from_value)
    }

    /// Sets the status at `idx` (issuer side). An index out of range, or a value
    /// that does not fit in `bits`, is `ApiMisuse`.
    pub fn set(&mut self, idx: u64, value: u8) -> Result<()> {
        if value & !self.bits.mask() != 0 {
            return Err(misuse(format!(
                "status value {value} does not fit in {} bits",
                self.bits.bits()
            )));
        }
        let (byte, shift) = self.locate(idx).map_err(|e| misuse(e.message()))?;
        let mask = self.bits.mask();
        let b = self
            .bytes
            .get_mut(byte)
            .ok_or_else(|| misuse("status index out of range"))?;
        *b = (*b & !(mask << shift)) | (value << shift);
        Ok(())
    }

    /// The zlib-compressed list (the CWT `lst`).
    pub fn to_compressed(&self) -> Vec<u8> {
        zlib_compress(&self.bytes)
    }

    /// The JWT `lst`: base64url of the zlib-compressed list.
    pub fn to_lst(&self) -> String {
        b64u_encode(self.to_compressed())
    }
}

// ---------------------------------------------------------------------------
// The status list token

/// The claims of a status list token (JWT or CWT), `lst` decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListClaims {
    sub: String,
    iss: Option<String>,
    iat: u64,
    exp: Option<u64>,
    ttl: Option<u64>,
    aggregation_uri: Option<String>,
    list: StatusList,
}

impl StatusListClaims {
    /// Claims for publishing `list` at `sub`, issued at `iat` (Unix seconds).
    pub fn new(sub: &str, iat: u64, list: StatusList) -> Self {
        StatusListClaims {
            sub: sub.to_owned(),
            iss: None,
            iat,
            exp: None,
            ttl: None,
            aggregation_uri: None,
            list,
        }
    }

    /// Sets `iss`.
    pub fn with_issuer(mut self, iss: &str) -> Self {
        self.iss = Some(iss.to_owned());
        self
    }

    /// Sets `exp` (Unix seconds).
    pub fn with_exp(mut self, exp: u64) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets `ttl` (seconds).
    pub fn with_ttl(mut self, ttl: u64) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Sets `status_list.aggregation_uri`.
    pub fn with_aggregation_uri(mut self, uri: &str) -> Self {
        self.aggregation_uri = Some(uri.to_owned());
        self
    }

    /// `sub`: the URI the list is published at.
    pub fn sub(&self) -> &str {
        &self.sub
    }
    /// `iss`, if present.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }
    /// `iat` (Unix seconds).
    pub fn iat(&self) -> u64 {
        self.iat
    }
    /// `exp` (Unix seconds), if present.
    pub fn exp(&self) -> Option<u64> {
        self.exp
    }
    /// `ttl` (seconds), if present.
    pub fn ttl(&self) -> Option<u64> {
        self.ttl
    }
    /// `status_list.aggregation_uri`, if present.
    pub fn aggregation_uri(&self) -> Option<&str> {
        self.aggregation_uri.as_deref()
    }
    /// The decoded list.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// The JWT payload, as JSON bytes (unsigned).
    pub fn to_jwt_payload(&self) -> Vec<u8> {
        let mut sl = Map::new();
        sl.insert("bits".into(), json!(self.list.bits.bits()));
        sl.insert("lst".into(), json!(self.list.to_lst()));
        if let Some(a) = &self.aggregation_uri {
            sl.insert("aggregation_uri".into(), json!(a));
        }
        let mut m = Map::new();
        if let Some(iss) = &self.iss {
            m.insert("iss".into(), json!(iss));
        }
        m.insert("sub".into(), json!(self.sub));
        m.insert("iat".into(), json!(self.iat));
        if let Some(exp) = self.exp {
            m.insert("exp".into(), json!(exp));
        }
        if let Some(ttl) = self.ttl {
            m.insert("ttl".into(), json!(ttl));
        }
        m.insert("status_list".into(), Value::Object(sl));
        Value::Object(m).to_string().into_bytes()
    }

    /// The CWT claims set, as deterministic CBOR bytes (unsigned).
    pub fn to_cwt_claims(&self) -> Result<Vec<u8>> {
        let mut sl = vec![
            (
                Item::text("bits"),
                Item::uint(u64::from(self.list.bits.bits())),
            ),
            (Item::text("lst"), Item::bytes(&self.list.to_compressed())),
        ];
        if let Some(a) = &self.aggregation_uri {
            sl.push((Item::text("aggregation_uri"), Item::text(a)));
        }
        let mut m = vec![
            (Item::int(CWT_SUB), Item::text(&self.sub)),
            (Item::int(CWT_IAT), Item::uint(self.iat)),
            (Item::int(CWT_STATUS_LIST), Item::map(sl)?),
        ];
        if let Some(iss) = &self.iss {
            m.push((Item::int(CWT_ISS), Item::text(iss)));
        }
        if let Some(exp) = self.exp {
            m.push((Item::int(CWT_EXP), Item::uint(exp)));
        }
        if let Some(ttl) = self.ttl {
            m.push((Item::int(CWT_TTL), Item::uint(ttl)));
        }
        Ok(Item::map(m)?.raw().to_vec())
    }
}

/// A status list token in JWT form, parsed, **signature not verified**.
#[derive(Clone, Debug)]
pub struct UnverifiedStatusListJwt {
    jws: Jws,
    claims: StatusListClaims,
}

impl UnverifiedStatusListJwt {
    /// Parses a compact JWS with `typ` `statuslist+jwt`.
    pub fn parse(text: &str) -> Result<Self> {
        let jws = Jws::parse(text.trim_end_matches(['\n', '\r']))?;
        jws.require_typ(&[STATUSLIST_JWT_TYP])?;
        let claims = jwt_claims(jws.payload())?;
        Ok(UnverifiedStatusListJwt { jws, claims })
    }

    /// The claims (not yet vouched for: verify the signature first).
    pub fn claims(&self) -> &StatusListClaims {
        &self.claims
    }

    /// The JWS, for the caller to verify.
    pub(crate) fn jws(&self) -> &Jws {
        &self.jws
    }
}

fn json_str<'a>(m: &'a Map<String, Value>, key: &str, what: &str) -> Result<Option<&'a str>> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("{what} {key} is not a string"))),
    }
}

fn json_u64(m: &Map<String, Value>, key: &str, what: &str) -> Result<Option<u64>> {
    match m.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| malformed(format!("{what} {key} is not a non-negative integer"))),
    }
}

fn check_uri(uri: &str, what: &str) -> Result<()> {
    let scheme_ok = uri.split_once(':').is_some_and(|(s, rest)| {
        !rest.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !scheme_ok || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(malformed(format!("{what} is not a URI")));
    }
    Ok(())
}

fn positive_ttl(ttl: Option<u64>) -> Result<Option<u64>> {
    match ttl {
        Some(0) => Err(malformed("status list ttl must be positive")),
        t => Ok(t),
    }
}

fn jwt_claims(p: &Map<String, Value>) -> Result<StatusListClaims> {
    const W: &str = "status list token";
    let sub = json_str(p, "sub", W)?.ok_or_else(|| malformed("status list token has no sub"))?;
    check_uri(sub, "status list token sub")?;
    let iss = json_str(p, "iss", W)?.map(str::to_owned);
    let iat = json_u64(p, "iat", W)?.ok_or_else(|| malformed("status list token has no iat"))?;
    let exp = json_u64(p, "exp", W)?;
    let ttl = positive_ttl(json_u64(p, "ttl", W)?)?;
    let sl = match p.get("status_list") {
        Some(Value::Object(o)) => o,
        Some(_) => return Err(malformed("status_list is not an object")),
        None => return Err(malformed("status list token has no status_list")),
    };
    let bits = match sl.get("bits") {
        Some(v) => StatusBits::from_bits(
            v.as_u64()
                .ok_or_else(|| malformed("status_list bits is not a non-negative integer"))?,
        )?,
        None => return Err(malformed("status_list has no bits")),
    };
    let lst =
        json_str(sl, "lst", "status_list")?.ok_or_else(|| malformed("status_list has no lst"))?;
    let aggregation_uri = json_str(sl, "aggregation_uri", "status_list")?.map(str::to_owned);
    Ok(StatusListClaims {
        sub: sub.to_owned(),
        iss,
        iat,
        exp,
        ttl,
        aggregation_uri,
        list: StatusList::from_lst(bits, lst)?,
    })
}

/// A tagged COSE message securing a CWT: COSE_Sign1 (18) or COSE_Mac0 (17).
#[derive(Clone, Debug)]
pub(crate) enum CoseMessage {
    Sign1(CoseSign1),
    Mac0(CoseMac0),
}

impl CoseMessage {
    /// Parses a **tagged** COSE_Sign1 / COSE_Mac0 (CWT tag 61 is refused).
    fn parse(bytes: &[u8], what: &str) -> Result<Self> {
        let item = cbor::decode(bytes)?;
        match item.value() {
            CborValue::Tag(18, _) => Ok(CoseMessage::Sign1(CoseSign1::from_item(&item)?)),
            CborValue::Tag(17, _) => Ok(CoseMessage::Mac0(CoseMac0::from_item(&item)?)),
            CborValue::Tag(61, _) => Err(malformed(format!(
                "{what}: CWT tag 61 is not accepted; the token is a tagged COSE_Sign1 (18) or COSE_Mac0 (17)"
            ))),
            CborValue::Tag(t, _) => Err(malformed(format!(
                "{what}: tag {t} is not COSE_Sign1 (18) or COSE_Mac0 (17)"
            ))),
            _ => Err(malformed(format!(
                "{what}: the token must be a tagged COSE_Sign1 (18) or COSE_Mac0 (17)"
            ))),
        }
    }

    fn protected(&self) -> &Header {
        match self {
            CoseMessage::Sign1(s) => s.protected(),
            CoseMessage::Mac0(m) => m.protected(),
        }
    }

    fn unprotected(&self) -> &Header {
        match self {
            CoseMessage::Sign1(s) => s.unprotected(),
            CoseMessage::Mac0(m) => m.unprotected(),
        }
    }

    fn payload(&self) -> Option<&[u8]> {
        match self {
            CoseMessage::Sign1(s) => s.payload(),
            CoseMessage::Mac0(m) => m.payload(),
        }
    }

    /// Checks protected header 16 is the text `typ` (case-insensitive).
    fn require_typ(&self, typ: &str, what: &str) -> Result<()> {
        let Some(t) = self.protected().get_int(HEADER_TYP) else {
            if self.unprotected().get_int(HEADER_TYP).is_some() {
                return Err(malformed(format!(
                    "{what}: typ (header 16) must be in the protected bucket"
                )));
            }
            return Err(malformed(format!("{what}: no typ (protected header 16)")));
        };
        match t.value() {
            CborValue::Text(s) if s.eq_ignore_ascii_case(typ) => Ok(()),
            _ => Err(malformed(format!("{what}: typ (header 16) is not {typ}"))),
        }
    }

    /// The attached payload, decoded as a CBOR map (the CWT claims set).
    fn claims(&self, what: &str) -> Result<Item> {
        let p = self
            .payload()
            .ok_or_else(|| malformed(format!("{what}: the payload is detached")))?;
        let item = cbor::decode(p).map_err(|e| e.context(what))?;
        item.as_map(what)?;
        Ok(item)
    }
}

/// A status list token in CWT form, parsed, **signature not verified**.
#[derive(Clone, Debug)]
pub struct UnverifiedStatusListCwt {
    cose: CoseMessage,
    claims: StatusListClaims,
}

impl UnverifiedStatusListCwt {
    /// Parses a tagged COSE_Sign1 / COSE_Mac0 with `typ` `application/statuslist+cwt`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        const W: &str = "status list CWT";
        let cose = CoseMessage::parse(bytes, W)?;
        cose.require_typ(STATUSLIST_CWT_TYP, W)?;
        let c = cose.claims(W)?;
        let claims = cwt_status_list_claims(&c)?;
        Ok(UnverifiedStatusListCwt { cose, claims })
    }

    /// The claims (not yet vouched for: verify the signature first).
    pub fn claims(&self) -> &StatusListClaims {
        &self.claims
    }

    /// The COSE_Sign1, when the token is one (for the caller to verify).
    pub(crate) fn sign1(&self) -> Option<&CoseSign1> {
        match &self.cose {
            CoseMessage::Sign1(s) => Some(s),
            CoseMessage::Mac0(_) => None,
        }
    }

    #[cfg(test)]
    /// The COSE_Mac0, when the token is one.
    pub(crate) fn mac0(&self) -> Option<&CoseMac0> {
        match &self.cose {
            CoseMessage::Mac0(m) => Some(m),
            CoseMessage::Sign1(_) => None,
        }
    }
}

fn cbor_text<'a>(m: &'a Item, key: i64, what: &str) -> Result<Option<&'a str>> {
    m.get_int(key).map(|v| v.as_text(what)).transpose()
}

fn cbor_uint(m: &Item, key: i64, what: &str) -> Result<Option<u64>> {
    m.get_int(key).map(|v| v.as_uint(what)).transpose()
}

/// `sub`, `iss`, `iat`, `exp`, `ttl` of a CWT claims set.
type CwtCommon = (String, Option<String>, u64, Option<u64>, Option<u64>);

fn cwt_common(c: &Item, what: &str) -> Result<CwtCommon> {
    let sub = cbor_text(c, CWT_SUB, "CWT sub")?
        .ok_or_else(|| malformed(format!("{what} has no sub (2)")))?;
    check_uri(sub, "CWT sub")?;
    let iss = cbor_text(c, CWT_ISS, "CWT iss")?.map(str::to_owned);
    let iat = cbor_uint(c, CWT_IAT, "CWT iat")?
        .ok_or_else(|| malformed(format!("{what} has no iat (6)")))?;
    let exp = cbor_uint(c, CWT_EXP, "CWT exp")?;
    let ttl = positive_ttl(cbor_uint(c, CWT_TTL, "CWT ttl")?)?;
    Ok((sub.to_owned(), iss, iat, exp, ttl))
}

fn cwt_status_list_claims(c: &Item) -> Result<StatusListClaims> {
    let (sub, iss, iat, exp, ttl) = cwt_common(c, "status list CWT")?;
    let sl = c
        .get_int(CWT_STATUS_LIST)
        .ok_or_else(|| malformed("status list CWT has no status_list (65533)"))?;
    let (list, aggregation_uri) = list_from_cbor(sl)?;
    Ok(StatusListClaims {
        sub,
        iss,
        iat,
        exp,
        ttl,
        aggregation_uri,
        list,
    })
}

/// A CBOR `StatusList` map: `{bits: uint, lst: bstr, ? aggregation_uri: tstr}`.
fn list_from_cbor(sl: &Item) -> Result<(StatusList, Option<String>)> {
    sl.as_map("status_list")?;
    let bits = StatusBits::from_bits(
        sl.require("bits", "status_list")?
            .as_uint("status_list bits")?,
    )?;
    let lst = sl
        .require("lst", "status_list")?
        .as_bytes("status_list lst")?;
    let aggregation_uri = sl
        .get("aggregation_uri")
        .map(|a| a.as_text("status_list aggregation_uri").map(str::to_owned))
        .transpose()?;
    Ok((StatusList::from_compressed(bits, lst)?, aggregation_uri))
}

/// Signs a status list token as a compact JWS (`typ` `statuslist+jwt`).
/// `kid` and `x5c` (DER, leaf first) go into the header when given.
pub fn sign_status_list_jwt(
    claims: &StatusListClaims,
    signer: &dyn Signer,
    kid: Option<&str>,
    x5c: &[Vec<u8>],
) -> Result<String> {
    let mut h = Map::new();
    h.insert("typ".into(), json!(STATUSLIST_JWT_TYP));
    if let Some(kid) = kid {
        h.insert("kid".into(), json!(kid));
    }
    if !x5c.is_empty() {
        let chain: Vec<Value> = x5c
            .iter()
            .map(|c| Value::String(crate::encoding::b64_std_encode(c)))
            .collect();
        h.insert("x5c".into(), Value::Array(chain));
    }
    sign_compact(h, &claims.to_jwt_payload(), signer)
}

/// Signs a status list token as a tagged COSE_Sign1 (protected `typ`
/// `application/statuslist+cwt`; `kid` unprotected, `x5chain` protected).
pub fn sign_status_list_cwt(
    claims: &StatusListClaims,
    signer: &dyn Signer,
    kid: Option<&[u8]>,
    x5chain: &[Vec<u8>],
) -> Result<Vec<u8>> {
    let mut protected =
        Header::new().with(Label::Int(HEADER_TYP), Item::text(STATUSLIST_CWT_TYP))?;
    if !x5chain.is_empty() {
        protected = protected.with_x5chain(x5chain)?;
    }
    let mut unprotected = Header::new();
    if let Some(kid) = kid {
        unprotected = unprotected.with_kid(kid)?;
    }
    crate::cose::sign1(
        &protected,
        &unprotected,
        &claims.to_cwt_claims()?,
        false,
        signer,
        b"",
        true,
    )
}

/// Reads a Status List Aggregation document (`{"status_lists": [uri, …]}`, the
/// JSON served at an `aggregation_uri`): the URIs, each checked to be a URI.
pub fn parse_status_list_aggregation(bytes: &[u8]) -> Result<Vec<String>> {
    let doc = crate::encoding::parse_json_object(bytes, "status list aggregation")?;
    let lists = match doc.get("status_lists") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err(malformed("status_lists is not an array")),
        None => return Err(malformed("the aggregation has no status_lists")),
    };
    lists
        .iter()
        .map(|u| {
            let u = u
                .as_str()
                .ok_or_else(|| malformed("a status_lists entry is not a string"))?;
            check_uri(u, "a status_lists entry")?;
            Ok(u.to_owned())
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The referenced token's status claim

/// A reference to an entry of a Token Status List.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListRef {
    idx: u64,
    uri: String,
    certificate: Option<Vec<u8>>,
}

impl StatusListRef {
    /// `idx`.
    pub fn idx(&self) -> u64 {
        self.idx
    }
    /// `uri`: must equal the status list token's `sub`.
    pub fn uri(&self) -> &str {
        &self.uri
    }
    /// mdoc only: the DER certificate the list must be signed with, if given.
    pub fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }
}

/// A reference to an identifier in an ISO 18013-5 identifier list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifierListRef {
    id: Vec<u8>,
    uri: String,
    certificate: Option<Vec<u8>>,
}

impl IdentifierListRef {
    /// `id`.
    pub fn id(&self) -> &[u8] {
        &self.id
    }
    /// `uri`: must equal the identifier list's `sub`.
    pub fn uri(&self) -> &str {
        &self.uri
    }
    /// The DER certificate the list must be signed with, if given.
    pub fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }
}

/// The mechanisms a referenced token's `status` claim names. Members of other
/// mechanisms are ignored (the draft allows other specifications to add some).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusClaim {
    status_list: Option<StatusListRef>,
    identifier_list: Option<IdentifierListRef>,
}

impl StatusClaim {
    /// `status_list`, if present.
    pub fn status_list(&self) -> Option<&StatusListRef> {
        self.status_list.as_ref()
    }
    /// `identifier_list`, if present (CBOR only).
    pub fn identifier_list(&self) -> Option<&IdentifierListRef> {
        self.identifier_list.as_ref()
    }
}

fn check_idx(idx: u64) -> Result<u64> {
    if idx > MAX_STATUS_INDEX {
        return Err(malformed(format!(
            "status_list idx {idx} exceeds {MAX_STATUS_INDEX}"
        )));
    }
    Ok(idx)
}

/// Reads a JSON `status` claim (SD-JWT VC, JWT): `status_list {idx, uri}`.
pub fn parse_status_claim_json(status: &Value) -> Result<StatusClaim> {
    let status = status
        .as_object()
        .ok_or_else(|| malformed("status is not an object"))?;
    if status.is_empty() {
        return Err(malformed("status names no status mechanism"));
    }
    let status_list = match status.get("status_list") {
        None => None,
        Some(Value::Object(sl)) => {
            let idx = sl
                .get("idx")
                .ok_or_else(|| malformed("status_list has no idx"))?
                .as_u64()
                .ok_or_else(|| malformed("status_list idx is not a non-negative integer"))?;
            let uri = json_str(sl, "uri", "status_list")?
                .ok_or_else(|| malformed("status_list has no uri"))?;
            check_uri(uri, "status_list uri")?;
            Some(StatusListRef {
                idx: check_idx(idx)?,
                uri: uri.to_owned(),
                certificate: None,
            })
        }
        Some(_) => return Err(malformed("status_list is not an object")),
    };
    Ok(StatusClaim {
        status_list,
        identifier_list: None,
    })
}

fn optional_cert(m: &Item, what: &str) -> Result<Option<Vec<u8>>> {
    m.get("certificate")
        .map(|c| c.as_bytes(what).map(<[u8]>::to_vec))
        .transpose()
}

/// Reads a CBOR `status` (CWT claim 65535, or the mdoc MSO `status`).
pub(crate) fn parse_status_claim_cbor(status: &Item) -> Result<StatusClaim> {
    let entries = status.as_map("status")?;
    if entries.is_empty() {
        return Err(malformed("status names no status mechanism"));
    }
    for (k, _) in entries {
        k.as_text("a status mechanism name")?;
    }
    let status_list = match status.get("status_list") {
        None => None,
        Some(sl) => {
            sl.as_map("status_list")?;
            let idx = sl
                .require("idx", "status_list")?
                .as_uint("status_list idx")?;
            let uri = sl
                .require("uri", "status_list")?
                .as_text("status_list uri")?;
            check_uri(uri, "status_list uri")?;
            Some(StatusListRef {
                idx: check_idx(idx)?,
                uri: uri.to_owned(),
                certificate: optional_cert(sl, "status_list certificate")?,
            })
        }
    };
    let identifier_list = match status.get("identifier_list") {
        None => None,
        Some(il) => {
            il.as_map("identifier_list")?;
            let id = il
                .require("id", "identifier_list")?
                .as_bytes("identifier_list id")?;
            let uri = il
                .require("uri", "identifier_list")?
                .as_text("identifier_list uri")?;
            check_uri(uri, "identifier_list uri")?;
            Some(IdentifierListRef {
                id: id.to_vec(),
                uri: uri.to_owned(),
                certificate: optional_cert(il, "identifier_list certificate")?,
            })
        }
    };
    Ok(StatusClaim {
        status_list,
        identifier_list,
    })
}

/// Reads a CBOR `status` from its encoding (a whole `status` map).
pub fn parse_status_claim_cbor_bytes(bytes: &[u8]) -> Result<StatusClaim> {
    parse_status_claim_cbor(&cbor::decode(bytes)?)
}

/// The `status` claim (65535) of a referenced token in CWT form (a COSE_Sign1,
/// tagged or not, **not verified**); `None` when the claim is absent.
pub fn referenced_cwt_status(cose_sign1: &[u8]) -> Result<Option<StatusClaim>> {
    let s = CoseSign1::parse(cose_sign1)?;
    let p = s
        .payload()
        .ok_or_else(|| malformed("referenced CWT: the payload is detached"))?;
    let claims = cbor::decode(p)?;
    claims.as_map("CWT claims")?;
    claims
        .get_int(CWT_STATUS)
        .map(parse_status_claim_cbor)
        .transpose()
}

// ---------------------------------------------------------------------------
// The identifier list (ISO 18013-5 second edition)

/// The claims of an identifier list CWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifierListClaims {
    sub: String,
    iss: Option<String>,
    iat: u64,
    exp: u64,
    ttl: Option<u64>,
    aggregation_uri: Option<String>,
    /// Sorted, unique (the CBOR reader refuses duplicate keys).
    identifiers: Vec<Vec<u8>>,
}

impl IdentifierListClaims {
    /// `sub`: the URI the list is published at.
    pub fn sub(&self) -> &str {
        &self.sub
    }
    /// `iss`, if present.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }
    /// `iat` (Unix seconds).
    pub fn iat(&self) -> u64 {
        self.iat
    }
    /// `exp` (Unix seconds; required by ISO 18013-5).
    pub fn exp(&self) -> u64 {
        self.exp
    }
    /// `ttl` (seconds), if present.
    pub fn ttl(&self) -> Option<u64> {
        self.ttl
    }
    /// `aggregation_uri`, if present.
    pub fn aggregation_uri(&self) -> Option<&str> {
        self.aggregation_uri.as_deref()
    }
    /// The number of listed (revoked) identifiers.
    pub fn len(&self) -> usize {
        self.identifiers.len()
    }
    /// No identifier is listed.
    pub fn is_empty(&self) -> bool {
        self.identifiers.is_empty()
    }
    /// Whether `id` is listed, i.e. revoked.
    pub fn contains(&self, id: &[u8]) -> bool {
        self.identifiers
            .binary_search_by(|x| x.as_slice().cmp(id))
            .is_ok()
    }
}

/// An identifier list CWT, parsed, **signature not verified**.
#[derive(Clone, Debug)]
pub struct UnverifiedIdentifierListCwt {
    cose: CoseMessage,
    claims: IdentifierListClaims,
}

impl UnverifiedIdentifierListCwt {
    /// Parses a tagged COSE_Sign1 / COSE_Mac0 with `typ` `application/identifierlist+cwt`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        const W: &str = "identifier list CWT";
        let cose = CoseMessage::parse(bytes, W)?;
        cose.require_typ(IDENTIFIERLIST_CWT_TYP, W)?;
        let c = cose.claims(W)?;
        let (sub, iss, iat, exp, ttl) = cwt_common(&c, W)?;
        let exp = exp.ok_or_else(|| malformed("identifier list CWT has no exp (4)"))?;
        if c.get_int(CWT_STATUS_LIST).is_some() {
            return Err(malformed(
                "identifier list CWT must not carry a status_list (65533)",
            ));
        }
        let il = c
            .get_int(CWT_IDENTIFIER_LIST)
            .ok_or_else(|| malformed("identifier list CWT has no identifier_list (65530)"))?;
        il.as_map("identifier_list")?;
        let ids = il
            .require("identifiers", "identifier_list")?
            .as_map("identifier_list identifiers")?;
        let mut identifiers = Vec::with_capacity(ids.len());
        for (k, v) in ids {
            identifiers.push(k.as_bytes("an identifier")?.to_vec());
            v.as_map("IdentifierInfo")?;
        }
        identifiers.sort_unstable();
        let aggregation_uri = il
            .get("aggregation_uri")
            .map(|a| {
                a.as_text("identifier_list aggregation_uri")
                    .map(str::to_owned)
            })
            .transpose()?;
        Ok(UnverifiedIdentifierListCwt {
            cose,
            claims: IdentifierListClaims {
                sub,
                iss,
                iat,
                exp,
                ttl,
                aggregation_uri,
                identifiers,
            },
        })
    }

    /// The claims (not yet vouched for: verify the signature first).
    pub fn claims(&self) -> &IdentifierListClaims {
        &self.claims
    }

    /// The COSE_Sign1, when the list is one.
    pub(crate) fn sign1(&self) -> Option<&CoseSign1> {
        match &self.cose {
            CoseMessage::Sign1(s) => Some(s),
            CoseMessage::Mac0(_) => None,
        }
    }
}
