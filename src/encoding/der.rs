//! A minimal, strict DER reader (X.690 definite-length, minimal lengths only)
//! and writer, for the few structures passerelle reads and writes itself
//! (PKCS#8 key documents, certificate extensions, test certificates).

use crate::error::{malformed, Result};

/// A DER tag byte.
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const PRINTABLE_STRING: u8 = 0x13;
    pub(crate) const TELETEX_STRING: u8 = 0x14;
    pub(crate) const IA5_STRING: u8 = 0x16;
    pub(crate) const UNIVERSAL_STRING: u8 = 0x1c;
    pub(crate) const BMP_STRING: u8 = 0x1e;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
}

/// A cursor over DER bytes.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// Reads one TLV, returning its tag and value.
    pub(crate) fn any(&mut self) -> Result<(u8, &'a [u8])> {
        let (&t, rest) = self
            .input
            .split_first()
            .ok_or_else(|| malformed("DER: unexpected end"))?;
        if t & 0x1f == 0x1f {
            return Err(malformed("DER: high tag numbers are not supported"));
        }
        let (&l0, rest) = rest
            .split_first()
            .ok_or_else(|| malformed("DER: missing length"))?;
        let (len, rest) = if l0 < 0x80 {
            (usize::from(l0), rest)
        } else {
            let n = usize::from(l0 & 0x7f);
            if n == 0 {
                return Err(malformed("DER: indefinite length"));
            }
            if n > 4 {
                return Err(malformed("DER: length too large"));
            }
            let bytes = rest
                .get(..n)
                .ok_or_else(|| malformed("DER: truncated length"))?;
            if bytes.first() == Some(&0) {
                return Err(malformed("DER: non-minimal length"));
            }
            let mut len = 0usize;
            for &b in bytes {
                len = (len << 8) | usize::from(b);
            }
            if len < 0x80 {
                return Err(malformed("DER: non-minimal length"));
            }
            (len, rest.get(n..).unwrap_or_default())
        };
        let value = rest
            .get(..len)
            .ok_or_else(|| malformed("DER: value longer than its container"))?;
        self.input = rest.get(len..).unwrap_or_default();
        Ok((t, value))
    }

    /// Reads one TLV whose tag must be `want`.
    pub(crate) fn expect(&mut self, want: u8) -> Result<&'a [u8]> {
        let (t, v) = self.any()?;
        if t != want {
            return Err(malformed(format!(
                "DER: expected tag {want:#04x}, found {t:#04x}"
            )));
        }
        Ok(v)
    }

    /// Reads an optional TLV with tag `want`.
    pub(crate) fn optional(&mut self, want: u8) -> Result<Option<&'a [u8]>> {
        if self.peek_tag() == Some(want) {
            self.expect(want).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads one TLV whose tag must be `want`, returning the whole encoding
    /// (tag, length and value) and the value.
    pub(crate) fn expect_raw(&mut self, want: u8) -> Result<(&'a [u8], &'a [u8])> {
        let before = self.input;
        let value = self.expect(want)?;
        let used = before.len().saturating_sub(self.input.len());
        let raw = before
            .get(..used)
            .ok_or_else(|| malformed("DER: internal length mismatch"))?;
        Ok((raw, value))
    }

    /// Fails unless all input was consumed.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.input.is_empty() {
            Ok(())
        } else {
            Err(malformed("DER: trailing data"))
        }
    }
}

/// Writes one TLV.
pub(crate) fn tlv(t: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(t);
    let len = value.len();
    if len < 0x80 {
        out.push(len.to_be_bytes().last().copied().unwrap_or(0));
    } else {
        let be = len.to_be_bytes();
        let skip = be.iter().take_while(|&&b| b == 0).count();
        let sig = be.get(skip..).unwrap_or_default();
        out.push(0x80 | sig.len().to_be_bytes().last().copied().unwrap_or(0));
        out.extend_from_slice(sig);
    }
    out.extend_from_slice(value);
    out
}

/// Writes a SEQUENCE of already-encoded parts.
#[cfg_attr(not(feature = "test-pki"), allow(dead_code))] // the certificate builder's writers
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// Writes an unsigned INTEGER from big-endian magnitude bytes.
#[cfg_attr(not(feature = "test-pki"), allow(dead_code))] // the certificate builder's writers
pub(crate) fn uint(be: &[u8]) -> Vec<u8> {
    let skip = be.iter().take_while(|&&b| b == 0).count();
    let mut v: Vec<u8> = be.get(skip..).unwrap_or_default().to_vec();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(tag::INTEGER, &v)
}

/// Reads an unsigned INTEGER's magnitude (leading zero removed), rejecting negatives
/// and non-minimal encodings.
pub(crate) fn read_uint<'a>(r: &mut Reader<'a>) -> Result<&'a [u8]> {
    let v = r.expect(tag::INTEGER)?;
    match v {
        [] => Err(malformed("DER: empty INTEGER")),
        [0] => Ok(v),
        [0, b, ..] if b & 0x80 == 0 => Err(malformed("DER: non-minimal INTEGER")),
        [0, rest @ ..] => Ok(rest),
        [b, ..] if b & 0x80 != 0 => Err(malformed("DER: negative INTEGER")),
        _ => Ok(v),
    }
}

/// Context-specific tag number `n` (0..=30), constructed or primitive.
pub(crate) const fn context(n: u8, constructed: bool) -> u8 {
    0x80 | if constructed { 0x20 } else { 0 } | (n & 0x1f)
}

/// Encodes a dotted OBJECT IDENTIFIER (`"2.5.29.19"`) as its content octets
/// (without tag and length). The first arc must be 0, 1 or 2, the second below 40
/// unless the first is 2, and there must be at least two arcs.
#[cfg_attr(not(feature = "test-pki"), allow(dead_code))] // the certificate builder's writers
pub(crate) fn oid_from_dotted(dotted: &str) -> Result<Vec<u8>> {
    let bad = || malformed(format!("not a dotted OID: {dotted:?}"));
    let arcs = dotted
        .split('.')
        .map(|a| {
            if a.is_empty()
                || (a.len() > 1 && a.starts_with('0'))
                || !a.bytes().all(|b| b.is_ascii_digit())
            {
                Err(bad())
            } else {
                a.parse::<u64>().map_err(|_| bad())
            }
        })
        .collect::<Result<Vec<u64>>>()?;
    let (first, second, rest) = match arcs.as_slice() {
        [f, s, rest @ ..] => (*f, *s, rest),
        _ => return Err(bad()),
    };
    if first > 2 || (first < 2 && second >= 40) {
        return Err(bad());
    }
    let head = first
        .checked_mul(40)
        .and_then(|v| v.checked_add(second))
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    for arc in core::iter::once(head).chain(rest.iter().copied()) {
        push_base128(&mut out, arc);
    }
    Ok(out)
}

#[cfg_attr(not(feature = "test-pki"), allow(dead_code))] // the certificate builder's writers
fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 10];
    let mut n = 0usize;
    loop {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = (v & 0x7f).to_be_bytes().last().copied().unwrap_or(0);
        }
        n += 1;
        v >>= 7;
        if v == 0 || n >= tmp.len() {
            break;
        }
    }
    for i in (0..n).rev() {
        let b = tmp.get(i).copied().unwrap_or(0);
        out.push(if i == 0 { b } else { b | 0x80 });
    }
}

/// Renders OBJECT IDENTIFIER content octets in dotted form, rejecting empty,
/// non-minimal (leading 0x80) and truncated arcs, and arcs above 2^64.
pub(crate) fn oid_to_dotted(content: &[u8]) -> Result<String> {
    if content.is_empty() {
        return Err(malformed("DER: empty OID"));
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut cur: u64 = 0;
    let mut fresh = true;
    for &b in content {
        if fresh && b == 0x80 {
            return Err(malformed("DER: non-minimal OID arc"));
        }
        cur = cur
            .checked_mul(128)
            .and_then(|v| v.checked_add(u64::from(b & 0x7f)))
            .ok_or_else(|| malformed("DER: OID arc too large"))?;
        fresh = b & 0x80 == 0;
        if fresh {
            arcs.push(cur);
            cur = 0;
        }
    }
    if !fresh {
        return Err(malformed("DER: truncated OID"));
    }
    let mut out = String::new();
    for (i, arc) in arcs.iter().enumerate() {
        if i == 0 {
            let (a, b) = match *arc {
                v if v < 40 => (0, v),
                v if v < 80 => (1, v - 40),
                v => (2, v - 80),
            };
            out.push_str(&format!("{a}.{b}"));
        } else {
            out.push_str(&format!(".{arc}"));
        }
    }
    Ok(out)
}
