//! A strict, bounded CBOR (RFC 8949) reader and a deterministic encoder.
//!
//! # Reading
//!
//! [`decode`] reads exactly one data item through a cursor of our own (ciborium's
//! decoder is not used for untrusted input). Every decoded [`Item`] keeps the
//! exact bytes it was received as ([`Item::raw`]), shared with the input buffer,
//! so a caller can hash or verify a sub-item (a tag-24 `bstr`, a COSE protected
//! header, an `IssuerSignedItemBytes`) without re-encoding it.
//!
//! Bounds, each a named constant with its [`DecodeOptions`] field:
//! input size ([`MAX_CBOR_BYTES`]), nesting depth of arrays, maps and tags
//! ([`MAX_CBOR_DEPTH`]), consecutive tags on one item ([`MAX_CBOR_TAG_NESTING`]),
//! entries in one array or map ([`MAX_CBOR_CONTAINER_LEN`]) and items in the whole
//! input ([`MAX_CBOR_ITEMS`]). A length field is compared with the bytes that
//! remain *before* anything is allocated: a `bstr` claiming 2^64 bytes, or an
//! array claiming more items than there are bytes left, is `Malformed` at once,
//! and no capacity is ever reserved from a wire length.
//!
//! Rejected as `Malformed`: truncation, trailing bytes after the top-level item,
//! additional information 28–30, an indefinite length on an integer or tag, a
//! stray "break", duplicate map keys (compared in the data model, so `0x01` and
//! `0x18 0x01` are the same key), a map key that is an array or a map (by
//! decision: no identity format uses one), invalid UTF-8 in a text string, the two-byte
//! simple values 0–31 (not well-formed) and every unassigned simple value
//! (only `false`, `true`, `null` and `undefined` are accepted), and a known tag
//! with content of the wrong type (tags 0 and 1004 need a text string, 1 a
//! number, 2, 3 and 24 a byte string).
//!
//! Accepted, by decision:
//! - **Non-minimal heads** (`0x59 0x00 0x03 …`): well-formed, and signatures
//!   are checked over the bytes received (HOSTILE-INPUTS CBOR-07).
//! - **Indefinite lengths**, within the same limits, unless the caller asks for
//!   [`DecodeOptions::strict`] (ISO 18013-5 asks for preferred serialization, so
//!   the mdoc layer may choose strict). The chunks of an indefinite string must
//!   be definite strings of the same major type (RFC 8949 §3.2.3); a text chunk
//!   must be valid UTF-8 on its own. Each chunk counts as an item.
//! - **Tags** are kept ([`Value::Tag`]); unknown tag numbers pass through.
//!   Typed accessors check the semantics: [`Item::embedded`] (tag 24),
//!   [`Item::tdate`] (tag 0), [`Item::full_date`] (tag 1004).
//! - **Map key order** is whatever was received (CBOR-13).
//!
//! # Encoding
//!
//! Items built here ([`Item::uint`], [`Item::map`], …) are encoded at
//! construction, deterministically (RFC 8949 §4.2.1, "core deterministic"):
//! definite lengths, the shortest head, floats in the shortest form that keeps
//! the value (NaN as `0xf97e00`), and map entries sorted by the bytewise order of
//! their encoded keys. A received item placed inside a built one keeps its
//! received bytes (so an `IssuerSignedItemBytes` or an `issuerAuth` is forwarded
//! unchanged). [`Item::map_in_order`] keeps the caller's order, for reproducing
//! other encoders in tests. [`canonical`] re-encodes any item deterministically,
//! ignoring the received bytes.

use crate::error::{limit, malformed, misuse, Result};
use crate::time::UnixTime;
use core::fmt;
use std::collections::HashSet;
use std::sync::Arc;

pub(crate) use crate::limits::MAX_CBOR_BYTES;
pub(crate) use crate::limits::MAX_CBOR_CONTAINER_LEN;
pub(crate) use crate::limits::MAX_CBOR_DEPTH;
pub(crate) use crate::limits::MAX_CBOR_ITEMS;
pub(crate) use crate::limits::MAX_CBOR_TAG_NESTING;

/// Bounds and strictness of one decode. [`Default`] accepts indefinite lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DecodeOptions {
    /// Accept indefinite-length strings, arrays and maps.
    pub(crate) allow_indefinite: bool,
    /// See [`MAX_CBOR_BYTES`].
    pub(crate) max_bytes: usize,
    /// See [`MAX_CBOR_DEPTH`].
    pub(crate) max_depth: usize,
    /// See [`MAX_CBOR_TAG_NESTING`].
    pub(crate) max_tag_nesting: usize,
    /// See [`MAX_CBOR_CONTAINER_LEN`].
    pub(crate) max_container_len: usize,
    /// See [`MAX_CBOR_ITEMS`].
    pub(crate) max_items: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            allow_indefinite: true,
            max_bytes: MAX_CBOR_BYTES,
            max_depth: MAX_CBOR_DEPTH,
            max_tag_nesting: MAX_CBOR_TAG_NESTING,
            max_container_len: MAX_CBOR_CONTAINER_LEN,
            max_items: MAX_CBOR_ITEMS,
        }
    }
}

impl DecodeOptions {
    /// The default bounds, with indefinite lengths rejected (`Malformed`).
    pub(crate) fn strict() -> Self {
        DecodeOptions {
            allow_indefinite: false,
            ..DecodeOptions::default()
        }
    }
}

/// Bytes shared with the buffer they were received in (cheap to clone).
#[derive(Clone)]
pub(crate) struct Raw {
    buf: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl Raw {
    /// Takes ownership of `bytes`.
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        let end = bytes.len();
        Raw {
            buf: Arc::from(bytes),
            start: 0,
            end,
        }
    }

    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    fn slice(buf: &Arc<[u8]>, start: usize, end: usize) -> Self {
        Raw {
            buf: Arc::clone(buf),
            start,
            end,
        }
    }
}

impl core::ops::Deref for Raw {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Raw {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Raw {}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_slice();
        f.write_str("h'")?;
        for b in s.iter().take(32) {
            write!(f, "{b:02x}")?;
        }
        if s.len() > 32 {
            write!(f, "…({} bytes)", s.len())?;
        }
        f.write_str("'")
    }
}

/// A text string (major type 3): its bytes, shared with the buffer it was
/// received in, checked to be UTF-8 when decoded (no copy per string).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Text(Raw);

impl Text {
    /// `bytes` must be valid UTF-8 (the decoder and the builders check).
    fn new(bytes: Raw) -> Self {
        Text(bytes)
    }

    /// The text (UTF-8, checked when it was decoded or built).
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.0.as_slice()).unwrap_or_default()
    }

    /// The UTF-8 bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl core::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A CBOR data item in the data model (RFC 8949 §2), children as [`Item`]s.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    /// Major types 0 and 1: −2^64 ..= 2^64 − 1.
    Int(i128),
    /// Major type 2 (an indefinite string holds its chunks concatenated).
    Bytes(Raw),
    /// Major type 3.
    Text(Text),
    /// Major type 4.
    Array(Vec<Item>),
    /// Major type 5, in received order, keys unique.
    Map(Vec<(Item, Item)>),
    /// Major type 6.
    Tag(u64, Box<Item>),
    /// `false` / `true`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// Half, single or double precision, widened.
    Float(f64),
}

/// A data item and the exact bytes it was received (or built) as.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    value: Value,
    raw: Raw,
}

/// The content of a tag-24 item (embedded CBOR, RFC 8949 §3.4.5.1).
#[derive(Clone, Debug)]
pub(crate) struct Embedded {
    /// Those bytes decoded: exactly one item, nothing after it.
    pub(crate) item: Item,
}

/// A tag-0 date/time (RFC 3339 text), validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tdate {
    /// The text as received.
    pub(crate) text: String,
    /// The instant (fractional seconds truncated).
    pub(crate) time: UnixTime,
    /// The text has fractional seconds (ISO 18013-5 forbids them in its tdate).
    pub(crate) has_fraction: bool,
    /// The offset is `Z` (ISO 18013-5 asks for it).
    pub(crate) utc_z: bool,
}

/// A tag-1004 calendar date (RFC 8943 `full-date`), validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct FullDate {
    pub(crate) year: u16,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

impl FullDate {
    /// Parses `YYYY-MM-DD` exactly, with a real calendar date.
    pub(crate) fn parse(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let digits = |r: core::ops::Range<usize>| -> Option<u16> {
            let t = b.get(r)?;
            t.iter().try_fold(0u16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
            })
        };
        let bad = || malformed(format!("{:?} is not a full-date YYYY-MM-DD", clip(s)));
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(bad());
        }
        let (year, month, day) = match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => (y, m, d),
            _ => return Err(bad()),
        };
        let dim = crate::time::days_in_month(u64::from(year), u64::from(month));
        if day == 0 || u64::from(day) > dim {
            return Err(malformed(format!("{:?} is not a calendar date", clip(s))));
        }
        Ok(FullDate {
            year,
            month: u8::try_from(month).map_err(|_| bad())?,
            day: u8::try_from(day).map_err(|_| bad())?,
        })
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn text(&self) -> String {
        let mut out = String::with_capacity(10);
        crate::time::push_padded(&mut out, u64::from(self.year), 4);
        out.push('-');
        crate::time::push_padded(&mut out, u64::from(self.month), 2);
        out.push('-');
        crate::time::push_padded(&mut out, u64::from(self.day), 2);
        out
    }
}

impl fmt::Display for FullDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

fn clip(s: &str) -> &str {
    crate::crypto::clip(s)
}

// ---------------------------------------------------------------------------
// Decoding

/// Decodes exactly one item from `bytes` with the default options.
pub(crate) fn decode(bytes: &[u8]) -> Result<Item> {
    decode_with(bytes, &DecodeOptions::default())
}

/// Decodes exactly one item from `bytes`.
pub(crate) fn decode_with(bytes: &[u8], opts: &DecodeOptions) -> Result<Item> {
    if bytes.len() > opts.max_bytes {
        return Err(limit(format!(
            "CBOR input of {} bytes exceeds the limit of {}",
            bytes.len(),
            opts.max_bytes
        )));
    }
    decode_raw(&Raw::new(bytes.to_vec()), opts)
}

/// Decodes exactly one item from shared bytes; the items' raw bytes share `raw`'s buffer.
pub(crate) fn decode_raw(raw: &Raw, opts: &DecodeOptions) -> Result<Item> {
    if raw.end.saturating_sub(raw.start) > opts.max_bytes {
        return Err(limit(format!(
            "CBOR input of {} bytes exceeds the limit of {}",
            raw.end.saturating_sub(raw.start),
            opts.max_bytes
        )));
    }
    let mut d = Decoder {
        buf: Arc::clone(&raw.buf),
        pos: raw.start,
        end: raw.end,
        opts,
        items: 0,
    };
    let item = d.item(0, 0)?;
    if d.pos != d.end {
        return Err(malformed(format!(
            "{} trailing bytes after the CBOR item",
            d.end.saturating_sub(d.pos)
        )));
    }
    Ok(item)
}

const BREAK: u8 = 0xff;

struct Decoder<'o> {
    buf: Arc<[u8]>,
    pos: usize,
    end: usize,
    opts: &'o DecodeOptions,
    items: usize,
}

/// An initial byte and its argument (`None`: indefinite length).
struct Head {
    major: u8,
    ai: u8,
    arg: Option<u64>,
}

fn truncated() -> crate::Error {
    malformed("CBOR input ends inside an item")
}

impl Decoder<'_> {
    fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn peek(&self) -> Result<u8> {
        if self.pos >= self.end {
            return Err(truncated());
        }
        self.buf.get(self.pos).copied().ok_or_else(truncated)
    }

    fn byte(&mut self) -> Result<u8> {
        let b = self.peek()?;
        self.pos = self.pos.saturating_add(1);
        Ok(b)
    }

    /// Consumes `n` bytes, checked against what remains before anything else.
    fn take(&mut self, n: u64) -> Result<(usize, usize)> {
        let n = usize::try_from(n).map_err(|_| truncated())?;
        if n > self.remaining() {
            return Err(malformed(format!(
                "a CBOR length of {n} exceeds the {} bytes that remain",
                self.remaining()
            )));
        }
        let start = self.pos;
        self.pos = start.saturating_add(n);
        Ok((start, self.pos))
    }

    fn uint_be(&mut self, n: u64) -> Result<u64> {
        let (s, e) = self.take(n)?;
        let bytes = self.buf.get(s..e).ok_or_else(truncated)?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn head(&mut self) -> Result<Head> {
        let b = self.byte()?;
        let major = b >> 5;
        let ai = b & 0x1f;
        let arg = match ai {
            0..=23 => Some(u64::from(ai)),
            24 => Some(self.uint_be(1)?),
            25 => Some(self.uint_be(2)?),
            26 => Some(self.uint_be(4)?),
            27 => Some(self.uint_be(8)?),
            28..=30 => {
                return Err(malformed(format!(
                    "reserved CBOR additional information {ai} (initial byte 0x{b:02x})"
                )))
            }
            _ => None,
        };
        Ok(Head { major, ai, arg })
    }

    fn count(&mut self) -> Result<()> {
        self.items = self.items.saturating_add(1);
        if self.items > self.opts.max_items {
            return Err(limit(format!(
                "CBOR input has more than {} items",
                self.opts.max_items
            )));
        }
        Ok(())
    }

    fn indefinite_allowed(&self, what: &str) -> Result<()> {
        if self.opts.allow_indefinite {
            Ok(())
        } else {
            Err(malformed(format!(
                "indefinite-length {what} where definite lengths are required"
            )))
        }
    }

    fn container_len(&self, n: u64, per_entry: u64, what: &str) -> Result<usize> {
        // Each element takes at least one byte: refuse before reserving anything.
        let min_bytes = n.checked_mul(per_entry).ok_or_else(truncated)?;
        if min_bytes > u64::try_from(self.remaining()).unwrap_or(u64::MAX) {
            return Err(malformed(format!(
                "a CBOR {what} claims {n} entries but only {} bytes remain",
                self.remaining()
            )));
        }
        let n = usize::try_from(n).map_err(|_| truncated())?;
        self.check_container_len(n, what)?;
        Ok(n)
    }

    fn check_container_len(&self, n: usize, what: &str) -> Result<()> {
        if n > self.opts.max_container_len {
            return Err(limit(format!(
                "a CBOR {what} has more than {} entries",
                self.opts.max_container_len
            )));
        }
        Ok(())
    }

    fn item(&mut self, depth: usize, tag_run: usize) -> Result<Item> {
        if depth > self.opts.max_depth {
            return Err(limit(format!(
                "CBOR nesting deeper than {}",
                self.opts.max_depth
            )));
        }
        if tag_run > self.opts.max_tag_nesting {
            return Err(limit(format!(
                "more than {} nested CBOR tags",
                self.opts.max_tag_nesting
            )));
        }
        self.count()?;
        let start = self.pos;
        let value = self.value(depth, tag_run)?;
        Ok(Item {
            value,
            raw: Raw::slice(&self.buf, start, self.pos),
        })
    }

    fn value(&mut self, depth: usize, tag_run: usize) -> Result<Value> {
        let Head { major, ai, arg } = self.head()?;
        match (major, arg) {
            (0, Some(n)) => Ok(Value::Int(i128::from(n))),
            (1, Some(n)) => Ok(Value::Int(-1 - i128::from(n))),
            (0 | 1, None) => Err(malformed("an integer cannot have an indefinite length")),
            (2, Some(n)) => {
                let (s, e) = self.take(n)?;
                Ok(Value::Bytes(Raw::slice(&self.buf, s, e)))
            }
            (2, None) => {
                self.indefinite_allowed("byte string")?;
                let mut out = Vec::new();
                self.chunks(2, &mut out)?;
                Ok(Value::Bytes(Raw::new(out)))
            }
            (3, Some(n)) => {
                let (s, e) = self.take(n)?;
                self.utf8(s, e)?;
                Ok(Value::Text(Text::new(Raw::slice(&self.buf, s, e))))
            }
            (3, None) => {
                self.indefinite_allowed("text string")?;
                let mut out = Vec::new();
                self.chunks(3, &mut out)?;
                // Each chunk was valid UTF-8, so the concatenation is.
                Ok(Value::Text(Text::new(Raw::new(out))))
            }
            (4, Some(n)) => {
                let n = self.container_len(n, 1, "array")?;
                let mut v = Vec::with_capacity(n.min(256));
                for _ in 0..n {
                    v.push(self.item(depth.saturating_add(1), 0)?);
                }
                Ok(Value::Array(v))
            }
            (4, None) => {
                self.indefinite_allowed("array")?;
                let mut v = Vec::new();
                while self.peek()? != BREAK {
                    self.check_container_len(v.len().saturating_add(1), "array")?;
                    v.push(self.item(depth.saturating_add(1), 0)?);
                }
                self.pos = self.pos.saturating_add(1);
                Ok(Value::Array(v))
            }
            (5, Some(n)) => {
                let n = self.container_len(n, 2, "map")?;
                let mut m = MapBuilder::with_capacity(n.min(256));
                for _ in 0..n {
                    let k = self.item(depth.saturating_add(1), 0)?;
                    let v = self.item(depth.saturating_add(1), 0)?;
                    m.push(k, v)?;
                }
                Ok(Value::Map(m.entries))
            }
            (5, None) => {
                self.indefinite_allowed("map")?;
                let mut m = MapBuilder::with_capacity(0);
                while self.peek()? != BREAK {
                    self.check_container_len(m.entries.len().saturating_add(1), "map")?;
                    let k = self.item(depth.saturating_add(1), 0)?;
                    let v = self.item(depth.saturating_add(1), 0)?;
                    m.push(k, v)?;
                }
                self.pos = self.pos.saturating_add(1);
                Ok(Value::Map(m.entries))
            }
            (6, Some(tag)) => {
                let content = self.item(depth.saturating_add(1), tag_run.saturating_add(1))?;
                check_tag_content(tag, &content)?;
                Ok(Value::Tag(tag, Box::new(content)))
            }
            (6, None) => Err(malformed("a tag cannot have an indefinite length")),
            (7, arg) => simple_or_float(ai, arg),
            _ => Err(malformed("unknown CBOR major type")),
        }
    }

    /// Reads the definite chunks of an indefinite string of major type `major`.
    fn chunks(&mut self, major: u8, out: &mut Vec<u8>) -> Result<()> {
        loop {
            if self.peek()? == BREAK {
                self.pos = self.pos.saturating_add(1);
                return Ok(());
            }
            self.count()?;
            let h = self.head()?;
            let n = match (h.major == major, h.arg) {
                (true, Some(n)) => n,
                (true, None) => {
                    return Err(malformed(
                        "an indefinite-length string chunk is itself indefinite",
                    ))
                }
                (false, _) => {
                    return Err(malformed(
                        "a chunk of an indefinite-length string has another major type",
                    ))
                }
            };
            let (s, e) = self.take(n)?;
            let chunk = self.buf.get(s..e).ok_or_else(truncated)?;
            if major == 3 && core::str::from_utf8(chunk).is_err() {
                return Err(malformed("invalid UTF-8 in a text string chunk"));
            }
            out.extend_from_slice(chunk);
        }
    }

    /// Checks that `s..e` is UTF-8.
    fn utf8(&self, s: usize, e: usize) -> Result<()> {
        let bytes = self.buf.get(s..e).ok_or_else(truncated)?;
        core::str::from_utf8(bytes)
            .map(|_| ())
            .map_err(|_| malformed("invalid UTF-8 in a text string"))
    }
}

fn simple_or_float(ai: u8, arg: Option<u64>) -> Result<Value> {
    match (ai, arg) {
        (20, _) => Ok(Value::Bool(false)),
        (21, _) => Ok(Value::Bool(true)),
        (22, _) => Ok(Value::Null),
        (23, _) => Ok(Value::Undefined),
        (24, Some(v)) if v < 32 => Err(malformed(format!(
            "simple value {v} in two-byte form is not well-formed"
        ))),
        (25, Some(bits)) => Ok(Value::Float(half_to_f64(
            u16::try_from(bits).map_err(|_| truncated())?,
        ))),
        (26, Some(bits)) => Ok(Value::Float(f64::from(f32::from_bits(
            u32::try_from(bits).map_err(|_| truncated())?,
        )))),
        (27, Some(bits)) => Ok(Value::Float(f64::from_bits(bits))),
        (_, None) => Err(malformed("unexpected CBOR break")),
        (_, Some(v)) => Err(malformed(format!("unassigned CBOR simple value {v}"))),
    }
}

fn check_tag_content(tag: u64, content: &Item) -> Result<()> {
    let ok = match tag {
        0 | 1004 => matches!(content.value, Value::Text(_)),
        1 => matches!(content.value, Value::Int(_) | Value::Float(_)),
        2 | 3 | 24 => matches!(content.value, Value::Bytes(_)),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(malformed(format!(
            "tag {tag} has content of the wrong type"
        )))
    }
}

/// Collects map entries, refusing a key equal (in the data model) to an earlier one.
///
/// Up to [`LINEAR_KEYS`] entries the keys are compared pairwise in the data
/// model (no allocation: almost every map in an identity format is this
/// small, an MSO's digests of one namespace included); past that, their
/// canonical encodings go into a hash set, so a large map stays linear.
struct MapBuilder {
    entries: Vec<(Item, Item)>,
    seen: Option<HashSet<Vec<u8>>>,
}

/// The map size up to which duplicate keys are found by comparing pairs.
const LINEAR_KEYS: usize = 32;

impl MapBuilder {
    fn with_capacity(n: usize) -> Self {
        MapBuilder {
            entries: Vec::with_capacity(n),
            seen: None,
        }
    }

    fn push(&mut self, k: Item, v: Item) -> Result<()> {
        if !is_scalar_key(&k) {
            return Err(malformed(
                "a CBOR map key is an array or a map, which is not accepted",
            ));
        }
        let duplicate = if self.entries.len() < LINEAR_KEYS {
            self.entries
                .iter()
                .any(|(e, _)| same_key(&e.value, &k.value))
        } else {
            let entries = &self.entries;
            let seen = self
                .seen
                .get_or_insert_with(|| entries.iter().map(|(e, _)| canonical(e)).collect());
            !seen.insert(canonical(&k))
        };
        if duplicate {
            return Err(malformed(format!("duplicate map key {}", describe_key(&k))));
        }
        self.entries.push((k, v));
        Ok(())
    }
}

/// Whether two scalar keys are one value in the data model: exactly when
/// their canonical encodings are equal (floats by their bits, every NaN one
/// value; an integer and a float are never equal).
fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x.as_slice() == y.as_slice(),
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Tag(t, x), Value::Tag(u, y)) => t == u && same_key(&x.value, &y.value),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) | (Value::Undefined, Value::Undefined) => true,
        (Value::Float(x), Value::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        // arrays and maps are refused as keys before they are compared
        _ => false,
    }
}

/// Map keys are scalars, possibly tagged: no identity format keys a map by an
/// array or a map, and refusing them keeps the duplicate check linear.
fn is_scalar_key(k: &Item) -> bool {
    match &k.value {
        Value::Array(_) | Value::Map(_) => false,
        Value::Tag(_, c) => is_scalar_key(c),
        _ => true,
    }
}

fn describe_key(k: &Item) -> String {
    match &k.value {
        Value::Int(i) => i.to_string(),
        Value::Text(t) => format!("{:?}", clip(t)),
        _ => "(non-scalar)".to_owned(),
    }
}

/// Half precision to double (RFC 8949 Appendix D).
fn half_to_f64(h: u16) -> f64 {
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    let mag = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mant + 1024.0) * 2f64.powi(exp - 25),
    };
    if h & 0x8000 != 0 {
        -mag
    } else {
        mag
    }
}

// ---------------------------------------------------------------------------
// Encoding

#[inline]
pub(crate) fn push_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    let be = n.to_be_bytes();
    if n < 24 {
        out.push(m | be[7]);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, be[7]]);
    } else if n <= 0xffff {
        out.extend_from_slice(&[m | 25, be[6], be[7]]);
    } else if n <= 0xffff_ffff {
        out.extend_from_slice(&[m | 26, be[4], be[5], be[6], be[7]]);
    } else {
        out.push(m | 27);
        out.extend_from_slice(&be);
    }
}

/// The length of the head [`push_head`] writes for argument `n`.
pub(crate) fn head_len(n: u64) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// Appends a text string (major type 3).
#[inline]
pub(crate) fn push_text(out: &mut Vec<u8>, s: &str) {
    push_head(out, 3, len_u64(s.len()));
    out.extend_from_slice(s.as_bytes());
}

/// Appends a byte string (major type 2).
#[inline]
pub(crate) fn push_bytes(out: &mut Vec<u8>, b: &[u8]) {
    push_head(out, 2, len_u64(b.len()));
    out.extend_from_slice(b);
}

/// The encoded length of a text or byte string of `n` bytes.
pub(crate) fn string_len(n: usize) -> usize {
    head_len(len_u64(n)).saturating_add(n)
}

/// The deterministic order (RFC 8949 §4.2.1, bytewise on the encoded keys) of
/// two text-string map keys: the shorter first (its head is smaller), then
/// bytewise.
pub(crate) fn text_key_order(a: &str, b: &str) -> core::cmp::Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// Appends an integer (major type 0 or 1).
pub(crate) fn push_int(out: &mut Vec<u8>, i: i128) {
    // Decoded and constructed integers lie in −2^64 ..= 2^64 − 1.
    if i >= 0 {
        push_head(out, 0, u64::try_from(i).unwrap_or(u64::MAX));
    } else {
        push_head(out, 1, u64::try_from(-1 - i).unwrap_or(u64::MAX));
    }
}

/// Narrows a finite or infinite double to a format with `ebits`/`mbits`, if exact.
fn narrow(bits: u64, ebits: u32, mbits: u32) -> Option<u64> {
    let sign = bits >> 63;
    let exp = (bits >> 52) & 0x7ff;
    let mant = bits & ((1u64 << 52) - 1);
    let bias = (1i64 << (ebits - 1)) - 1;
    let out_sign = sign << (ebits + mbits);
    if exp == 0x7ff {
        return (mant == 0).then_some(out_sign | (((1u64 << ebits) - 1) << mbits));
    }
    if exp == 0 {
        // Zero stays zero; a double subnormal has no narrower form.
        return (mant == 0).then_some(out_sign);
    }
    let e = i64::try_from(exp).ok()? - 1023;
    let drop = 52 - mbits;
    if (1 - bias..=bias).contains(&e) {
        if mant & ((1u64 << drop) - 1) != 0 {
            return None;
        }
        let be = u64::try_from(e + bias).ok()?;
        return Some(out_sign | (be << mbits) | (mant >> drop));
    }
    if e < 1 - bias {
        let shift = u32::try_from(i64::from(drop) + (1 - bias - e)).ok()?;
        if shift > 52 {
            return None;
        }
        let full = (1u64 << 52) | mant;
        if full & ((1u64 << shift) - 1) != 0 {
            return None;
        }
        return Some(out_sign | (full >> shift));
    }
    None
}

/// Appends a float in its shortest exact form (NaN as the half-precision quiet NaN).
pub(crate) fn push_float(out: &mut Vec<u8>, f: f64) {
    if f.is_nan() {
        out.extend_from_slice(&[0xf9, 0x7e, 0x00]);
        return;
    }
    let bits = f.to_bits();
    if let Some(h) = narrow(bits, 5, 10).and_then(|h| u16::try_from(h).ok()) {
        out.push(0xf9);
        out.extend_from_slice(&h.to_be_bytes());
    } else if let Some(s) = narrow(bits, 8, 23).and_then(|s| u32::try_from(s).ok()) {
        out.push(0xfa);
        out.extend_from_slice(&s.to_be_bytes());
    } else {
        out.push(0xfb);
        out.extend_from_slice(&bits.to_be_bytes());
    }
}

fn len_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The deterministic encoding of `item`'s value (RFC 8949 §4.2.1), ignoring the
/// bytes it was received as. Two items are equal in the data model exactly when
/// their canonical encodings are equal (all NaNs are one value here).
pub(crate) fn canonical(item: &Item) -> Vec<u8> {
    let mut out = Vec::new();
    push_canonical(&mut out, &item.value);
    out
}

fn push_canonical(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Int(i) => push_int(out, *i),
        Value::Bytes(b) => {
            push_head(out, 2, len_u64(b.len()));
            out.extend_from_slice(b);
        }
        Value::Text(t) => {
            push_head(out, 3, len_u64(t.as_bytes().len()));
            out.extend_from_slice(t.as_bytes());
        }
        Value::Array(a) => {
            push_head(out, 4, len_u64(a.len()));
            for i in a {
                push_canonical(out, &i.value);
            }
        }
        Value::Map(m) => {
            // Encode every entry once into one buffer, then emit them in key order
            // (memory stays linear in the size, whatever the nesting).
            let mut buf = Vec::new();
            let mut spans = Vec::with_capacity(m.len());
            for (k, v) in m {
                let start = buf.len();
                push_canonical(&mut buf, &k.value);
                let key_end = buf.len();
                push_canonical(&mut buf, &v.value);
                spans.push((start, key_end, buf.len()));
            }
            spans.sort_by(|a, b| buf.get(a.0..a.1).cmp(&buf.get(b.0..b.1)));
            push_head(out, 5, len_u64(spans.len()));
            for (start, _, end) in spans {
                out.extend_from_slice(buf.get(start..end).unwrap_or_default());
            }
        }
        Value::Tag(t, c) => {
            push_head(out, 6, *t);
            push_canonical(out, &c.value);
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Float(f) => push_float(out, *f),
    }
}

// ---------------------------------------------------------------------------
// Items: construction and typed access

impl Item {
    fn built(value: Value) -> Self {
        // one allocation of the final size (a head is at most 9 bytes)
        let size = match &value {
            Value::Array(a) => a.iter().map(|i| i.raw().len()).sum::<usize>(),
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| k.raw().len().saturating_add(v.raw().len()))
                .sum::<usize>(),
            Value::Tag(_, c) => c.raw().len(),
            Value::Bytes(b) => b.len(),
            Value::Text(t) => t.as_bytes().len(),
            _ => 0,
        };
        let mut out = Vec::with_capacity(size.saturating_add(9));
        match &value {
            // Children keep their own bytes (built: deterministic; received: as received).
            Value::Array(a) => {
                push_head(&mut out, 4, len_u64(a.len()));
                for i in a {
                    out.extend_from_slice(i.raw());
                }
            }
            Value::Map(m) => {
                push_head(&mut out, 5, len_u64(m.len()));
                for (k, v) in m {
                    out.extend_from_slice(k.raw());
                    out.extend_from_slice(v.raw());
                }
            }
            Value::Tag(t, c) => {
                push_head(&mut out, 6, *t);
                out.extend_from_slice(c.raw());
            }
            other => push_canonical(&mut out, other),
        }
        Item {
            value,
            raw: Raw::new(out),
        }
    }

    /// An unsigned integer.
    pub(crate) fn uint(n: u64) -> Self {
        Item::built(Value::Int(i128::from(n)))
    }

    /// A signed integer.
    pub(crate) fn int(n: i64) -> Self {
        Item::built(Value::Int(i128::from(n)))
    }

    /// A byte string.
    pub(crate) fn bytes(b: &[u8]) -> Self {
        Item::built(Value::Bytes(Raw::new(b.to_vec())))
    }

    /// A text string.
    pub(crate) fn text(s: &str) -> Self {
        Item::built(Value::Text(Text::new(Raw::new(s.as_bytes().to_vec()))))
    }

    /// A boolean.
    #[cfg(test)]
    pub(crate) fn bool(b: bool) -> Self {
        Item::built(Value::Bool(b))
    }

    /// `null`.
    pub(crate) fn null() -> Self {
        Item::built(Value::Null)
    }

    /// A float, in its shortest exact form.
    #[cfg(test)]
    pub(crate) fn float(f: f64) -> Self {
        Item::built(Value::Float(f))
    }

    /// An array (definite length).
    pub(crate) fn array(items: Vec<Item>) -> Self {
        Item::built(Value::Array(items))
    }

    /// A map, entries sorted by their encoded keys. A repeated key, or an array
    /// or map as a key, is `ApiMisuse`.
    pub(crate) fn map(mut entries: Vec<(Item, Item)>) -> Result<Self> {
        entries.sort_by(|a, b| a.0.raw().cmp(b.0.raw()));
        Item::map_in_order(entries)
    }

    /// A map in the caller's order (to reproduce other encoders). A repeated key is `ApiMisuse`.
    pub(crate) fn map_in_order(entries: Vec<(Item, Item)>) -> Result<Self> {
        let mut seen = HashSet::with_capacity(entries.len());
        for (k, _) in &entries {
            if !is_scalar_key(k) {
                return Err(misuse("a map key may not be an array or a map"));
            }
            if !seen.insert(canonical(k)) {
                return Err(misuse(format!("duplicate map key {}", describe_key(k))));
            }
        }
        Ok(Item::built(Value::Map(entries)))
    }

    /// A tag.
    pub(crate) fn tag(tag: u64, content: Item) -> Self {
        Item::built(Value::Tag(tag, Box::new(content)))
    }

    /// Tag 24 around the encoding of `inner` (as received, or as built).
    #[cfg(test)]
    pub(crate) fn embed(inner: &Item) -> Self {
        Item::tag(24, Item::bytes(inner.raw()))
    }

    /// Tag 1004 `"YYYY-MM-DD"`.
    #[cfg(test)]
    pub(crate) fn from_full_date(d: FullDate) -> Self {
        Item::tag(1004, Item::text(&d.to_string()))
    }

    /// Tag 0 RFC 3339 UTC, whole seconds (`YYYY-MM-DDTHH:MM:SSZ`, the ISO 18013-5 form).
    #[cfg(test)]
    pub(crate) fn from_tdate(t: UnixTime) -> Self {
        Item::tag(0, Item::text(&crate::time::format_rfc3339(t)))
    }

    /// The value.
    pub(crate) fn value(&self) -> &Value {
        &self.value
    }

    /// The exact bytes of this item as received (or as built).
    pub(crate) fn raw(&self) -> &[u8] {
        self.raw.as_slice()
    }

    /// The same bytes, shared.
    pub(crate) fn raw_shared(&self) -> &Raw {
        &self.raw
    }

    fn wrong(&self, what: &str, expected: &str) -> crate::Error {
        malformed(format!("{what} is {}, not {expected}", self.kind_name()))
    }

    /// A short name of the item's type, for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Int(_) => "an integer",
            Value::Bytes(_) => "a byte string",
            Value::Text(_) => "a text string",
            Value::Array(_) => "an array",
            Value::Map(_) => "a map",
            Value::Tag(..) => "a tagged item",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Undefined => "undefined",
            Value::Float(_) => "a float",
        }
    }

    /// An unsigned integer (major type 0; a bignum or a float is `Malformed`).
    pub(crate) fn as_uint(&self, what: &str) -> Result<u64> {
        match self.value {
            Value::Int(i) => u64::try_from(i).map_err(|_| malformed(format!("{what} is negative"))),
            _ => Err(self.wrong(what, "an unsigned integer")),
        }
    }

    /// An integer that fits in `i64`.
    pub(crate) fn as_int(&self, what: &str) -> Result<i64> {
        match self.value {
            Value::Int(i) => {
                i64::try_from(i).map_err(|_| malformed(format!("{what} is out of range")))
            }
            _ => Err(self.wrong(what, "an integer")),
        }
    }

    /// A text string.
    pub(crate) fn as_text(&self, what: &str) -> Result<&str> {
        match &self.value {
            Value::Text(t) => Ok(t.as_str()),
            _ => Err(self.wrong(what, "a text string")),
        }
    }

    /// A byte string's content.
    pub(crate) fn as_bytes(&self, what: &str) -> Result<&[u8]> {
        self.as_bytes_shared(what).map(Raw::as_slice)
    }

    /// A byte string's content, shared.
    pub(crate) fn as_bytes_shared(&self, what: &str) -> Result<&Raw> {
        match &self.value {
            Value::Bytes(b) => Ok(b),
            _ => Err(self.wrong(what, "a byte string")),
        }
    }

    #[cfg(test)]
    /// A boolean.
    pub(crate) fn as_bool(&self, what: &str) -> Result<bool> {
        match self.value {
            Value::Bool(b) => Ok(b),
            _ => Err(self.wrong(what, "a boolean")),
        }
    }

    /// An array's elements.
    pub(crate) fn as_array(&self, what: &str) -> Result<&[Item]> {
        match &self.value {
            Value::Array(a) => Ok(a),
            _ => Err(self.wrong(what, "an array")),
        }
    }

    /// A map's entries, in received order.
    pub(crate) fn as_map(&self, what: &str) -> Result<&[(Item, Item)]> {
        match &self.value {
            Value::Map(m) => Ok(m),
            _ => Err(self.wrong(what, "a map")),
        }
    }

    /// `true` for `null`.
    #[cfg(test)]
    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The content of tag `tag` (another tag, or none, is `Malformed`).
    pub(crate) fn tagged(&self, tag: u64, what: &str) -> Result<&Item> {
        match &self.value {
            Value::Tag(t, c) if *t == tag => Ok(c),
            Value::Tag(t, _) => Err(malformed(format!("{what} has tag {t}, not {tag}"))),
            _ => Err(self.wrong(what, &format!("tag {tag}"))),
        }
    }

    /// Whether this is the text string `s` (a map key, say).
    pub(crate) fn is_text(&self, s: &str) -> bool {
        matches!(&self.value, Value::Text(t) if t == s)
    }

    /// In a map, the value under the text key `key` (`None` if absent or not a map).
    pub(crate) fn get(&self, key: &str) -> Option<&Item> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k.is_text(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// In a map, the value under the text key `key`, moved out (`None` if
    /// absent or not a map): no copy of a value the caller keeps.
    pub(crate) fn into_member(self, key: &str) -> Option<Item> {
        match self.value {
            Value::Map(m) => m.into_iter().find(|(k, _)| k.is_text(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// In a map, the value under the integer key `key` (`None` if absent or not a map).
    pub(crate) fn get_int(&self, key: i64) -> Option<&Item> {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| matches!(k.value, Value::Int(i) if i == i128::from(key)))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// In a map, the value under the text key `key`; absent is `Malformed`.
    pub(crate) fn require(&self, key: &str, what: &str) -> Result<&Item> {
        self.as_map(what)?;
        self.get(key)
            .ok_or_else(|| malformed(format!("{what} has no {key:?}")))
    }

    #[cfg(any(fuzzing, test))]
    /// Tag 24 (embedded CBOR): the inner bytes exactly as received and their one
    /// item, decoded with the default options.
    pub(crate) fn embedded(&self, what: &str) -> Result<Embedded> {
        self.embedded_with(what, &DecodeOptions::default())
    }

    /// Tag 24 with explicit options for the inner decode.
    pub(crate) fn embedded_with(&self, what: &str, opts: &DecodeOptions) -> Result<Embedded> {
        let bytes = self.tagged(24, what)?.as_bytes_shared(what)?.clone();
        let item = decode_raw(&bytes, opts).map_err(|e| e.context(what))?;
        Ok(Embedded { item })
    }

    /// Tag 0: an RFC 3339 date-time with a real calendar date and a time zone.
    pub(crate) fn tdate(&self, what: &str) -> Result<Tdate> {
        let text = self.tagged(0, what)?.as_text(what)?;
        let time = crate::time::parse_rfc3339(text).ok_or_else(|| {
            malformed(format!(
                "{what} {:?} is not an RFC 3339 date-time (from 1970)",
                clip(text)
            ))
        })?;
        Ok(Tdate {
            text: text.to_owned(),
            time,
            has_fraction: text.as_bytes().get(19) == Some(&b'.'),
            utc_z: text.ends_with('Z'),
        })
    }

    /// Tag 1004: a `full-date` (`YYYY-MM-DD`, a real calendar date).
    pub(crate) fn full_date(&self, what: &str) -> Result<FullDate> {
        let text = self.tagged(1004, what)?.as_text(what)?;
        FullDate::parse(text).map_err(|e| e.context(what))
    }
}
