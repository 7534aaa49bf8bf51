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
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// Writes an unsigned INTEGER from big-endian magnitude bytes.
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
