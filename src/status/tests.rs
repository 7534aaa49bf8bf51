#![allow(clippy::as_conversions)] // test arithmetic on small, known values
use super::inflate::{
    adler32, crc32, gzip_compress, gzip_decompress, zlib_compress, zlib_decompress,
};
use super::*;
use crate::error::ErrorKind;
use crate::limits::{MAX_STATUS_INDEX, MAX_STATUS_LIST_DECODED_BYTES};

fn kind<T: core::fmt::Debug>(r: crate::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

/// A zlib stream with the given FLG byte (CMF 0x78) around a raw DEFLATE body.
fn zlib_with(flg: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, flg];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(adler32(data).to_be_bytes());
    out
}

/// LSB-first bit writer for hand-made DEFLATE streams.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn new() -> Self {
        Bits {
            out: Vec::new(),
            acc: 0,
            n: 0,
        }
    }
    fn put(&mut self, v: u64, n: u32) {
        self.acc |= v << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code: written MSB first.
    fn huff(&mut self, code: u64, n: u32) {
        let mut r = 0;
        for i in 0..n {
            r |= ((code >> i) & 1) << (n - 1 - i);
        }
        self.put(r, n);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

/// A fixed-Huffman DEFLATE block: one literal 0, then `n` copies of
/// (length 258, distance 1): 1 + 258·n zero bytes from 13·n bits (the best
/// ratio DEFLATE allows, ~1 : 1032).
fn deflate_bomb(n: usize) -> Vec<u8> {
    let mut b = Bits::new();
    b.put(1, 1); // BFINAL
    b.put(1, 2); // BTYPE = 01, fixed Huffman
    b.huff(0x30, 8); // literal 0
    for _ in 0..n {
        b.huff(0xc5, 8); // length code 285 = 258
        b.huff(0, 5); // distance code 0 = 1
    }
    b.huff(0, 7); // end of block
    b.finish()
}

fn zlib_bomb(n: usize) -> Vec<u8> {
    let mut z = vec![0x78, 0x9c];
    z.extend(deflate_bomb(n));
    // Adler-32 of 1 + 258·n zeros: a = 1, b = len mod 65521.
    let len = (1 + 258 * n as u64) % 65_521;
    z.extend(((len as u32) << 16 | 1).to_be_bytes());
    z
}

#[test]
fn checksums_match_reference_values() {
    assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    assert_eq!(adler32(b""), 1);
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    assert_eq!(crc32(b""), 0);
    // Adler-32 over more than one 5552-byte chunk equals the naive definition.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + 3) as u8).collect();
    let (mut a, mut b) = (1u64, 0u64);
    for &x in &data {
        a = (a + u64::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    assert_eq!(u64::from(adler32(&data)), b << 16 | a);
}

// STAT-05: every standard zlib header is accepted.
#[test]
fn zlib_every_standard_header_is_accepted() {
    let data = b"\x01\x02\x03 status list bytes \x00\x00\x00\x00\x00\x00\xff";
    for flg in [0x01u8, 0x5e, 0x9c, 0xda] {
        assert_eq!(zlib_decompress(&zlib_with(flg, data), 1024).unwrap(), data);
    }
    assert_eq!(&zlib_compress(data)[..2], &[0x78, 0xda]);
    // Smaller windows (CINFO < 7) are valid zlib too: 0x68 0x81 (CINFO 6).
    let mut z = zlib_with(0x01, data);
    z[0] = 0x68;
    z[1] = 0x81;
    assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0);
    assert_eq!(zlib_decompress(&z, 1024).unwrap(), data);
}

// STAT-05 (refusals), STAT-06, STAT-07.
#[test]
fn zlib_refusals_are_malformed() {
    let data = vec![0u8; 300];
    let good = zlib_with(0x9c, &data);
    let m = ErrorKind::Malformed;
    // raw deflate and gzip
    assert_eq!(
        kind(zlib_decompress(
            &miniz_oxide::deflate::compress_to_vec(&data, 6),
            1024
        )),
        m
    );
    assert_eq!(kind(zlib_decompress(&gzip_compress(&data), 1024)), m);
    // FDICT = 1 with a correct FCHECK (0x78 0xbb), followed by a DICTID
    let mut fdict = vec![0x78, 0xbb, 0, 0, 0, 1];
    assert_eq!((0x78u16 << 8 | 0xbb) % 31, 0);
    fdict.extend_from_slice(&good[2..]);
    assert_eq!(kind(zlib_decompress(&fdict, 1024)), m);
    // wrong FCHECK, CM 7, CINFO 8
    assert_eq!(
        kind(zlib_decompress(
            &[&[0x78, 0x9d][..], &good[2..]].concat(),
            1024
        )),
        m
    );
    let cm7 = [0x77u8, 0x01];
    assert_ne!((0x77u16 << 8 | 0x01) % 31, 1);
    assert_eq!(
        kind(zlib_decompress(&[&cm7[..], &good[2..]].concat(), 1024)),
        m
    );
    let cinfo8 = [0x88u8, 0x1c];
    assert_eq!((0x88u16 << 8 | 0x1c) % 31, 0);
    assert_eq!(
        kind(zlib_decompress(&[&cinfo8[..], &good[2..]].concat(), 1024)),
        m
    );
    // bad Adler-32
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(kind(zlib_decompress(&bad, 1024)), m);
    // truncated anywhere: header, body, trailer
    for cut in [0, 1, 2, 3, good.len() - 5, good.len() - 4, good.len() - 1] {
        assert_eq!(kind(zlib_decompress(&good[..cut], 1024)), m, "cut at {cut}");
    }
    // data after the end of the stream
    for extra in [&[0u8][..], &[0, 0, 0, 0], &good] {
        assert_eq!(kind(zlib_decompress(&[&good[..], extra].concat(), 1024)), m);
    }
    // corrupt body: a reserved block type (BTYPE = 11)
    assert_eq!(
        kind(zlib_decompress(&[0x78, 0x9c, 0x07, 0, 0, 0, 0, 1], 1024)),
        m
    );
    // the good one decodes
    assert_eq!(zlib_decompress(&good, 1024).unwrap(), data);
}

#[test]
fn zlib_decoded_cap_is_exact() {
    let data = vec![7u8; 100_000];
    let z = zlib_compress(&data);
    assert_eq!(zlib_decompress(&z, 100_000).unwrap(), data);
    assert_eq!(kind(zlib_decompress(&z, 99_999)), ErrorKind::LimitExceeded);
    // A stream of zero bytes is a valid empty list.
    assert_eq!(
        zlib_decompress(&zlib_compress(&[]), 0).unwrap(),
        Vec::<u8>::new()
    );
}

// STAT-01 / STAT-15: a small stream that inflates past the cap stops at the cap.
#[test]
fn zlib_bomb_stops_at_the_cap() {
    // ~10 KB of zlib that would inflate to ~1.6 MB, against a 64 KiB cap.
    let z = zlib_bomb(6_000);
    assert!(z.len() < 10_000, "{}", z.len());
    assert_eq!(
        kind(zlib_decompress(&z, 64 * 1024)),
        ErrorKind::LimitExceeded
    );
    // Under a cap that fits, the same stream decodes (so the bomb itself is valid).
    assert_eq!(
        zlib_decompress(&z, 2_000_000).unwrap().len(),
        1 + 258 * 6_000
    );
    // ~1 MB of zlib that would inflate to ~160 MB, against the real cap.
    let z = zlib_bomb(600_000);
    let t = std::time::Instant::now();
    assert_eq!(
        kind(zlib_decompress(&z, MAX_STATUS_LIST_DECODED_BYTES)),
        ErrorKind::LimitExceeded
    );
    assert!(t.elapsed().as_secs() < 20);
}

#[test]
fn gzip_round_trip_and_header_fields() {
    let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let gz = gzip_compress(&data);
    assert_eq!(&gz[..4], &[0x1f, 0x8b, 8, 0]);
    assert_eq!(gzip_decompress(&gz, data.len()).unwrap(), data);
    assert_eq!(
        kind(gzip_decompress(&gz, data.len() - 1)),
        ErrorKind::LimitExceeded
    );

    // FEXTRA + FNAME + FCOMMENT + FHCRC, all parsed.
    let body = &gz[10..];
    let mut h = vec![0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3];
    h.extend([3, 0, b'a', b'b', b'c']);
    h.extend(b"list.bin\0");
    h.extend(b"a comment\0");
    let crc = (crc32(&h) & 0xffff) as u16;
    let mut with_hcrc = h.clone();
    with_hcrc.extend(crc.to_le_bytes());
    with_hcrc.extend(body);
    assert_eq!(gzip_decompress(&with_hcrc, data.len()).unwrap(), data);
    // A wrong header CRC.
    let mut bad = h.clone();
    bad.extend((crc ^ 1).to_le_bytes());
    bad.extend(body);
    assert_eq!(
        kind(gzip_decompress(&bad, data.len())),
        ErrorKind::Malformed
    );
}

#[test]
fn gzip_refusals_are_malformed() {
    let data = vec![0u8; 5000];
    let gz = gzip_compress(&data);
    let m = ErrorKind::Malformed;
    let max = 10_000;
    // zlib and raw deflate are not gzip
    assert_eq!(kind(gzip_decompress(&zlib_compress(&data), max)), m);
    assert_eq!(
        kind(gzip_decompress(
            &miniz_oxide::deflate::compress_to_vec(&data, 6),
            max
        )),
        m
    );
    // CM != 8, reserved flags
    let mut x = gz.clone();
    x[2] = 7;
    assert_eq!(kind(gzip_decompress(&x, max)), m);
    for bit in [0x20u8, 0x40, 0x80] {
        let mut x = gz.clone();
        x[3] = bit;
        assert_eq!(kind(gzip_decompress(&x, max)), m);
    }
    // FNAME never terminated
    let mut x = gz[..10].to_vec();
    x[3] = 0x08;
    x.extend(b"no terminator");
    assert_eq!(kind(gzip_decompress(&x, max)), m);
    // CRC-32 and ISIZE
    let n = gz.len();
    for at in [n - 8, n - 4] {
        let mut x = gz.clone();
        x[at] ^= 1;
        assert_eq!(kind(gzip_decompress(&x, max)), m, "byte {at}");
    }
    // truncated, trailing data, a second member
    for cut in [0, 5, 10, n - 8, n - 1] {
        assert_eq!(kind(gzip_decompress(&gz[..cut], max)), m, "cut at {cut}");
    }
    assert_eq!(kind(gzip_decompress(&[&gz[..], &[0]].concat(), max)), m);
    assert_eq!(kind(gzip_decompress(&[&gz[..], &gz[..]].concat(), max)), m);
}

#[test]
fn gzip_bomb_stops_at_the_cap() {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    gz.extend(deflate_bomb(600_000));
    gz.extend([0u8; 8]);
    assert_eq!(
        kind(gzip_decompress(&gz, MAX_STATUS_LIST_DECODED_BYTES)),
        ErrorKind::LimitExceeded
    );
}

// STAT-12's value mapping.
#[test]
fn token_status_values() {
    assert_eq!(TokenStatus::from_value(0), TokenStatus::Valid);
    assert_eq!(TokenStatus::from_value(1), TokenStatus::Invalid);
    assert_eq!(TokenStatus::from_value(2), TokenStatus::Suspended);
    assert_eq!(
        TokenStatus::from_value(3),
        TokenStatus::ApplicationSpecific(3)
    );
    for v in 0x0c..=0x0f {
        assert_eq!(
            TokenStatus::from_value(v),
            TokenStatus::ApplicationSpecific(v)
        );
    }
    for v in (4..0x0c).chain(0x10..=0xff) {
        assert_eq!(TokenStatus::from_value(v), TokenStatus::Reserved(v));
    }
    for v in 0..=255u8 {
        assert_eq!(TokenStatus::from_value(v).value(), v);
    }
}

// STAT-02
#[test]
fn status_bits_only_1_2_4_8() {
    for b in [1u64, 2, 4, 8] {
        assert_eq!(u64::from(StatusBits::from_bits(b).unwrap().bits()), b);
    }
    for b in [0u64, 3, 5, 6, 7, 9, 16, 32, u64::MAX] {
        assert_eq!(kind(StatusBits::from_bits(b)), ErrorKind::Malformed);
    }
}

#[test]
fn token_list_is_lsb_first_and_never_spans_bytes() {
    // Two-bit list from the draft's "Compressed Byte Array" example: c9 44 f9.
    let l = StatusList::from_packed(StatusBits::Two, vec![0xc9, 0x44, 0xf9]).unwrap();
    let got: Vec<u8> = (0..12).map(|i| l.get(i).unwrap()).collect();
    assert_eq!(got, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]);
    assert_eq!(l.entries(), 12);
    // STAT-03: idx = entries and beyond is Malformed
    assert_eq!(kind(l.get(12)), ErrorKind::Malformed);
    assert_eq!(kind(l.get(MAX_STATUS_INDEX + 1)), ErrorKind::Malformed);
    // An empty list (a zlib stream of zero bytes) has no entries.
    let e = StatusList::from_compressed(StatusBits::One, &zlib_compress(&[])).unwrap();
    assert_eq!(e.entries(), 0);
    assert_eq!(kind(e.get(0)), ErrorKind::Malformed);
    // STAT-13
    assert_eq!(
        kind(StatusList::from_lst(StatusBits::One, "")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(StatusList::from_compressed(StatusBits::One, &[])),
        ErrorKind::Malformed
    );
}

#[test]
fn token_list_set_get_every_width() {
    for bits in [
        StatusBits::One,
        StatusBits::Two,
        StatusBits::Four,
        StatusBits::Eight,
    ] {
        let max = if bits.bits() == 8 {
            255u16
        } else {
            (1u16 << bits.bits()) - 1
        };
        let mut l = StatusList::new(bits, 1000).unwrap();
        for i in 0..1000u64 {
            l.set(i, ((i * 37 + 11) % (u64::from(max) + 1)) as u8)
                .unwrap();
        }
        for i in 0..1000u64 {
            assert_eq!(
                u64::from(l.get(i).unwrap()),
                (i * 37 + 11) % (u64::from(max) + 1)
            );
        }
        if max < 255 {
            assert_eq!(kind(l.set(0, (max + 1) as u8)), ErrorKind::ApiMisuse);
        }
        assert_eq!(kind(l.set(l.entries(), 0)), ErrorKind::ApiMisuse);
        let back = StatusList::from_lst(bits, &l.to_lst()).unwrap();
        assert_eq!(back, l);
    }
    assert_eq!(
        kind(StatusList::new(
            StatusBits::Eight,
            MAX_STATUS_LIST_DECODED_BYTES as u64 + 1
        )),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn permutation_is_a_bijection() {
    let key = [0x42u8; 32];
    for size in [
        1u64, 2, 3, 4, 5, 7, 8, 100, 255, 256, 1000, 1024, 4099, 65_536,
    ] {
        let p = IndexPermutation::new(&key, size).unwrap();
        let mut seen = vec![false; size as usize];
        for i in 0..size {
            let y = p.permute(i).unwrap();
            assert!(y < size);
            assert!(!seen[y as usize], "size {size}: {y} twice");
            seen[y as usize] = true;
            assert_eq!(p.invert(y).unwrap(), i);
        }
        assert_eq!(kind(p.permute(size)), ErrorKind::ApiMisuse);
    }
    // Another key gives another order; the identity is not what we get.
    let a = IndexPermutation::new(&[1; 32], 1000).unwrap();
    let b = IndexPermutation::new(&[2; 32], 1000).unwrap();
    let pa: Vec<u64> = (0..1000).map(|i| a.permute(i).unwrap()).collect();
    let pb: Vec<u64> = (0..1000).map(|i| b.permute(i).unwrap()).collect();
    assert_ne!(pa, pb);
    assert!(
        pa.iter()
            .enumerate()
            .filter(|(i, &y)| *i as u64 == y)
            .count()
            < 20
    );
    // The largest domain works at both ends.
    let big = IndexPermutation::new(&key, MAX_STATUS_INDEX + 1).unwrap();
    for i in [0, 1, MAX_STATUS_INDEX] {
        let y = big.permute(i).unwrap();
        assert_eq!(big.invert(y).unwrap(), i);
    }
    assert_eq!(kind(IndexPermutation::new(&key, 0)), ErrorKind::ApiMisuse);
    assert_eq!(
        kind(IndexPermutation::new(&key, MAX_STATUS_INDEX + 2)),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn bitstring_msb_first_straddling_values() {
    for size in 1..=8u8 {
        let mut l = BitstringList::new(size, 0).unwrap();
        assert_eq!(l.entries(), MIN_BITSTRING_ENTRIES);
        let modulus = 1u64 << size;
        for i in (0..l.entries()).step_by(97) {
            l.set(i, ((i * 13 + 5) % modulus) as u8).unwrap();
        }
        for i in (0..l.entries()).step_by(97) {
            assert_eq!(u64::from(l.get(i).unwrap()), (i * 13 + 5) % modulus);
        }
        assert_eq!(kind(l.set(l.entries(), 0)), ErrorKind::ApiMisuse);
        assert_eq!(kind(l.get(l.entries())), ErrorKind::Malformed);
    }
    // MSB-first: index 0 is the left-most bit of byte 0.
    let mut l = BitstringList::new(1, 0).unwrap();
    l.set(0, 1).unwrap();
    l.set(9, 1).unwrap();
    let subject = l.credential_subject(None, "revocation", None);
    let list = BitstringStatusList::from_subject(subject.as_object().unwrap()).unwrap();
    assert_eq!(list.get(0, 1).unwrap(), 1);
    assert_eq!(list.get(9, 1).unwrap(), 1);
    assert_eq!(list.get(1, 1).unwrap(), 0);
    // 3-bit values straddle: entry 2 covers bits 6..9 = byte 0 bits 6,7 and byte 1 bit 0.
    let mut l = BitstringList::new(3, 0).unwrap();
    l.set(2, 0b101).unwrap();
    let s = l.credential_subject(None, "message", None);
    let list = BitstringStatusList::from_subject(s.as_object().unwrap()).unwrap();
    assert_eq!(list.get(2, 3).unwrap(), 0b101);
    assert_eq!(list.get(1, 3).unwrap(), 0);
    assert_eq!(list.get(3, 3).unwrap(), 0);
}

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The unverified tokens keep what the caller needs to verify them: the draft's
/// example JWT and CWT verify with the draft's key, a tampered one does not.
#[test]
fn kept_jws_and_cose_verify_with_the_issuer_key() {
    let key = crate::PublicKey::from_jwk(include_str!(
        "../../test-vectors/status/ietf-token-status-list/issuer_public_key.jwk.json"
    ))
    .unwrap();
    let jwt =
        include_str!("../../test-vectors/status/ietf-token-status-list/status_list_token.jwt");
    let t = UnverifiedStatusListJwt::parse(jwt).unwrap();
    let _ = t.jws().verify(&key).unwrap();
    let cwt = hex(include_str!(
        "../../test-vectors/status/ietf-token-status-list/status_list_token.cwt.hex"
    ));
    let c = UnverifiedStatusListCwt::parse(&cwt).unwrap();
    assert!(c.mac0().is_none());
    let _ = c.sign1().unwrap().verify(&key, b"", None).unwrap();
    // One flipped signature bit.
    let mut bad = cwt.clone();
    *bad.last_mut().unwrap() ^= 1;
    let c = UnverifiedStatusListCwt::parse(&bad).unwrap();
    assert_eq!(
        c.sign1()
            .unwrap()
            .verify(&key, b"", None)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
}

/// Our own signed tokens verify with the signer's public key.
#[test]
fn signed_tokens_verify() {
    let k = crate::PrivateKey::generate(crate::Algorithm::Es256).unwrap();
    let claims = StatusListClaims::new(
        "https://example.com/l/1",
        1,
        StatusList::new(StatusBits::One, 8).unwrap(),
    );
    let jwt = sign_status_list_jwt(&claims, &k, None, &[]).unwrap();
    let t = UnverifiedStatusListJwt::parse(&jwt).unwrap();
    let _ = t.jws().verify(k.public_key()).unwrap();
    assert_eq!(t.jws().typ(), Some("statuslist+jwt"));
    let cwt = sign_status_list_cwt(&claims, &k, Some(b"kid"), &[]).unwrap();
    let c = UnverifiedStatusListCwt::parse(&cwt).unwrap();
    let _ = c
        .sign1()
        .unwrap()
        .verify(k.public_key(), b"", None)
        .unwrap();
    assert_eq!(c.sign1().unwrap().kid(), Some(&b"kid"[..]));
    // A COSE_Mac0 list is parsed too (tag 17), and keeps its Mac0.
    let protected = crate::cose::Header::new()
        .with(
            crate::cose::Label::Int(16),
            crate::cose::Item::text(STATUSLIST_CWT_TYP),
        )
        .unwrap();
    let mac = crate::cose::mac0(
        &protected,
        &crate::cose::Header::new(),
        &claims.to_cwt_claims().unwrap(),
        false,
        &[9u8; 32],
        b"",
        true,
    )
    .unwrap();
    let m = UnverifiedStatusListCwt::parse(&mac).unwrap();
    assert!(m.sign1().is_none());
    let _ = m.mac0().unwrap().verify(&[9u8; 32], b"", None).unwrap();
    assert_eq!(m.claims(), &claims);
}
