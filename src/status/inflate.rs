//! Bounded zlib (RFC 1950) and gzip (RFC 1952) decoding and encoding for status lists.
//!
//! The framing (header, checksum, trailer) is parsed here, strictly; only the raw
//! DEFLATE stream (RFC 1951) goes to `miniz_oxide`, which inflates into a 32 KiB
//! wrapping window. Each window's worth of output is appended to the result only
//! after the running total was compared with the caller's cap, so a 10 KB stream
//! that would inflate to gigabytes stops after `max_decoded + 32 KiB` bytes of work
//! and never holds more than `max_decoded` bytes (HOSTILE-INPUTS STAT-01, STAT-15).
//!
//! zlib (the Token Status List `lst`):
//! - accepted: CM = 8 (deflate), CINFO ≤ 7, any FLEVEL, FCHECK correct — so `78 01`,
//!   `78 5e`, `78 9c` and `78 da` all decode (STAT-05), and so do smaller windows;
//! - `Malformed`: any other CM or CINFO, a wrong FCHECK (which is how raw deflate and
//!   gzip input are refused: neither starts with a valid zlib header), FDICT = 1 (a
//!   preset dictionary, STAT-06), a corrupt or truncated DEFLATE stream, a missing or
//!   wrong Adler-32, and any byte after the Adler-32 (STAT-07).
//!
//! gzip (the W3C Bitstring Status List `encodedList`):
//! - ID1 ID2 = `1f 8b`, CM = 8, reserved FLG bits 5–7 zero, FEXTRA / FNAME / FCOMMENT
//!   skipped within the input, FHCRC checked when present;
//! - after the DEFLATE stream, CRC-32 and ISIZE (size mod 2^32) must match;
//! - exactly one member: data after the trailer (a second member included) is
//!   `Malformed` (RFC 1952 allows several members; no status list needs them, and a
//!   strict reading keeps one list = one decoding).

use crate::error::{limit, malformed, Result};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide, TINFL_LZ_DICT_SIZE};
use miniz_oxide::inflate::TINFLStatus;

/// Highest compression level of `miniz_oxide` (the zlib header is then `78 da`).
const LEVEL: u8 = 9;

/// Inflates a zlib stream (RFC 1950) whose decoded size is at most `max_decoded`.
pub fn zlib_decompress(data: &[u8], max_decoded: usize) -> Result<Vec<u8>> {
    let (&cmf, rest) = data
        .split_first()
        .ok_or_else(|| malformed("zlib: the stream is empty"))?;
    let (&flg, body) = rest
        .split_first()
        .ok_or_else(|| malformed("zlib: the header is truncated"))?;
    if cmf & 0x0f != 8 {
        return Err(malformed(format!(
            "zlib: compression method {} is not deflate (8)",
            cmf & 0x0f
        )));
    }
    if cmf >> 4 > 7 {
        return Err(malformed(format!(
            "zlib: window size CINFO {} exceeds 7",
            cmf >> 4
        )));
    }
    if (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(malformed(
            "zlib: header check (FCHECK) fails: not a zlib stream (raw deflate or gzip?)",
        ));
    }
    if flg & 0x20 != 0 {
        return Err(malformed(
            "zlib: a preset dictionary (FDICT) is not allowed in a status list",
        ));
    }
    let (out, used) = inflate_raw(body, max_decoded, "zlib")?;
    let trailer = body
        .get(used..)
        .ok_or_else(|| malformed("zlib: stream end out of range"))?;
    let [a, b, c, d, extra @ ..] = trailer else {
        return Err(malformed(
            "zlib: the Adler-32 trailer is missing or truncated",
        ));
    };
    if !extra.is_empty() {
        return Err(malformed(format!(
            "zlib: {} byte(s) after the end of the stream",
            extra.len()
        )));
    }
    if u32::from_be_bytes([*a, *b, *c, *d]) != adler32(&out) {
        return Err(malformed("zlib: Adler-32 mismatch"));
    }
    Ok(out)
}

/// Inflates a single-member gzip stream (RFC 1952) of at most `max_decoded` bytes.
pub fn gzip_decompress(data: &[u8], max_decoded: usize) -> Result<Vec<u8>> {
    let mut r = Cursor { data, pos: 0 };
    let fixed = r.take(10)?;
    let [0x1f, 0x8b, cm, flg, _m0, _m1, _m2, _m3, _xfl, _os] = fixed else {
        return Err(malformed("gzip: not a gzip stream (bad magic)"));
    };
    if *cm != 8 {
        return Err(malformed(format!(
            "gzip: compression method {cm} is not deflate (8)"
        )));
    }
    if flg & 0xe0 != 0 {
        return Err(malformed("gzip: reserved header flags are set"));
    }
    if flg & 0x04 != 0 {
        let xlen = r.take(2)?;
        let n = usize::from(u16::from_le_bytes([
            *xlen.first().unwrap_or(&0),
            *xlen.get(1).unwrap_or(&0),
        ]));
        r.take(n)?;
    }
    for (bit, name) in [(0x08, "file name"), (0x10, "comment")] {
        if flg & bit != 0 {
            r.zero_terminated(name)?;
        }
    }
    if flg & 0x02 != 0 {
        let header_len = r.pos;
        let crc16 = r.take(2)?;
        let expected = crc32(data.get(..header_len).unwrap_or_default()) & 0xffff;
        let got = u32::from(u16::from_le_bytes([
            *crc16.first().unwrap_or(&0),
            *crc16.get(1).unwrap_or(&0),
        ]));
        if got != expected {
            return Err(malformed("gzip: header CRC (FHCRC) mismatch"));
        }
    }
    let body = data.get(r.pos..).unwrap_or_default();
    let (out, used) = inflate_raw(body, max_decoded, "gzip")?;
    let trailer = body
        .get(used..)
        .ok_or_else(|| malformed("gzip: stream end out of range"))?;
    let [c0, c1, c2, c3, s0, s1, s2, s3, extra @ ..] = trailer else {
        return Err(malformed(
            "gzip: the CRC-32 / ISIZE trailer is missing or truncated",
        ));
    };
    if !extra.is_empty() {
        return Err(malformed(format!(
            "gzip: {} byte(s) after the end of the member",
            extra.len()
        )));
    }
    if u32::from_le_bytes([*c0, *c1, *c2, *c3]) != crc32(&out) {
        return Err(malformed("gzip: CRC-32 mismatch"));
    }
    if u32::from_le_bytes([*s0, *s1, *s2, *s3]) != size_mod_2_32(out.len()) {
        return Err(malformed("gzip: ISIZE does not match the decoded size"));
    }
    Ok(out)
}

/// Inflates a raw DEFLATE stream into at most `max_decoded` bytes; returns the
/// output and the number of input bytes the stream used (so the caller can
/// read the trailer right after it).
fn inflate_raw(input: &[u8], max_decoded: usize, what: &str) -> Result<(Vec<u8>, usize)> {
    let mut d = Box::<DecompressorOxide>::default();
    let mut window = vec![0u8; TINFL_LZ_DICT_SIZE];
    let mut window_pos = 0usize;
    let mut out = Vec::new();
    let mut used = 0usize;
    loop {
        let rest = input.get(used..).unwrap_or_default();
        // No TINFL_FLAG_HAS_MORE_INPUT: the whole stream is here, so running out of
        // input is a truncation, not a request for more.
        let (status, consumed, written) = decompress(&mut d, rest, &mut window, window_pos, 0);
        used = used.saturating_add(consumed);
        if written > 0 {
            let total = out.len().saturating_add(written);
            if total > max_decoded {
                return Err(limit(format!(
                    "{what}: the status list inflates to more than {max_decoded} bytes"
                )));
            }
            let chunk = window
                .get(window_pos..window_pos.saturating_add(written))
                .ok_or_else(|| malformed(format!("{what}: inflate window out of range")))?;
            out.extend_from_slice(chunk);
            window_pos = (window_pos + written) & (TINFL_LZ_DICT_SIZE - 1);
        }
        match status {
            TINFLStatus::Done => return Ok((out, used)),
            TINFLStatus::HasMoreOutput => {
                if consumed == 0 && written == 0 {
                    return Err(malformed(format!("{what}: inflate made no progress")));
                }
            }
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Err(malformed(format!(
                    "{what}: the DEFLATE stream is truncated"
                )))
            }
            _ => {
                return Err(malformed(format!(
                    "{what}: the DEFLATE stream is corrupt ({status:?})"
                )))
            }
        }
    }
}

/// Compresses `data` as a zlib stream (header `78 da`, Adler-32 trailer).
pub fn zlib_compress(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, LEVEL)
}

/// Compresses `data` as a single-member gzip stream: no optional header fields,
/// MTIME 0 (so the output is reproducible), XFL 2 (best compression), OS 255.
pub fn gzip_compress(data: &[u8]) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, LEVEL);
    let mut out = Vec::with_capacity(deflated.len().saturating_add(18));
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&size_mod_2_32(data.len()).to_le_bytes());
    out
}

/// ISIZE: the size modulo 2^32 (RFC 1952 §2.3.1); truncation is the definition.
fn size_mod_2_32(len: usize) -> u32 {
    let n = u64::try_from(len).unwrap_or(u64::MAX);
    u32::try_from(n & 0xffff_ffff).unwrap_or(u32::MAX)
}

/// Adler-32 (RFC 1950 §8.2).
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // 5552 is the largest n with 255·n(n+1)/2 + (n+1)(MOD−1) < 2^32 (zlib's NMAX).
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

/// CRC-32 (ISO 3309 / ITU-T V.42, as in RFC 1952 §8), table-driven.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (n, slot) in (0u32..).zip(t.iter_mut()) {
            let mut c = n;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    let mut c = 0xffff_ffffu32;
    for &x in data {
        let i = usize::from(u8::try_from((c ^ u32::from(x)) & 0xff).unwrap_or(0));
        c = table.get(i).copied().unwrap_or(0) ^ (c >> 8);
    }
    c ^ 0xffff_ffff
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| malformed("gzip: the header is truncated"))?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| malformed("gzip: the header is truncated"))?;
        self.pos = end;
        Ok(s)
    }

    fn zero_terminated(&mut self, what: &str) -> Result<()> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| malformed(format!("gzip: the header {what} is not terminated")))?;
        self.pos = self.pos.saturating_add(n).saturating_add(1);
        Ok(())
    }
}
