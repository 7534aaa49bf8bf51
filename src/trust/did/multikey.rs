//! Multikey (W3C Controlled Identifiers 1.0 §2.2.2) and the did:key method
//! identifier: multibase base58btc of a multicodec varint and the raw key.
//!
//! | multicodec | code | bytes | form |
//! |---|---|---|---|
//! | ed25519-pub | 0xed | 32 | raw |
//! | p256-pub | 0x1200 | 33 | SEC1 compressed (02/03 ‖ x) |
//! | p384-pub | 0x1201 | 49 | SEC1 compressed |
//!
//! Wrong lengths, uncompressed points and points off the curve are `Malformed`
//! (DID-04); other codecs (secp256k1, X25519, BLS) are `Unsupported`.

use super::bigint::{self as bi, Limbs};
use crate::crypto::{Curve, PublicKey};
use crate::data_integrity::base58;
use crate::error::{malformed, unsupported, Result};

pub(crate) const ED25519_PUB: u64 = 0xed;
pub(crate) const X25519_PUB: u64 = 0xec;
pub(crate) const P256_PUB: u64 = 0x1200;
pub(crate) const P384_PUB: u64 = 0x1201;
pub(crate) const ED25519_PRIV: u64 = 0x1300;

/// Reads an unsigned LEB128 varint (multiformats: at most 9 bytes, minimal).
pub(crate) fn read_varint(bytes: &[u8]) -> Result<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(9) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && *b == 0 {
                return Err(malformed("multicodec varint is not minimal"));
            }
            return Ok((value, bytes.get(i + 1..).unwrap_or(&[])));
        }
    }
    Err(malformed("multicodec varint is truncated or too long"))
}

pub(crate) fn write_varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = u8::try_from(v & 0x7f).unwrap_or(0);
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Decodes a Multikey `publicKeyMultibase` (or a did:key identifier).
pub(crate) fn decode_multikey(text: &str) -> Result<PublicKey> {
    let bytes = base58::multibase_decode(text, "Multikey")?;
    let (codec, key) = read_varint(&bytes)?;
    match codec {
        ED25519_PUB => {
            if key.len() != 32 {
                return Err(malformed(format!(
                    "an ed25519-pub Multikey carries 32 bytes, not {}",
                    key.len()
                )));
            }
            PublicKey::from_ed25519(key)
        }
        P256_PUB => decompress(Curve::P256, key),
        P384_PUB => decompress(Curve::P384, key),
        X25519_PUB => Err(unsupported(
            "an x25519-pub Multikey is for key agreement, not signatures",
        )),
        other => Err(unsupported(format!(
            "Multikey codec 0x{other:x} is not supported (Ed25519, P-256, P-384 are)"
        ))),
    }
}

/// The Multikey text of `key` (EC points compressed).
pub(crate) fn encode_multikey(key: &PublicKey) -> String {
    let mut out = Vec::with_capacity(51);
    match key.curve() {
        Curve::Ed25519 => {
            write_varint(ED25519_PUB, &mut out);
            out.extend_from_slice(key.raw());
        }
        Curve::P256 | Curve::P384 => {
            let codec = if key.curve() == Curve::P256 {
                P256_PUB
            } else {
                P384_PUB
            };
            write_varint(codec, &mut out);
            let odd = key.y().last().is_some_and(|b| b & 1 == 1);
            out.push(if odd { 3 } else { 2 });
            out.extend_from_slice(key.x());
        }
    }
    base58::multibase_encode(&out)
}

struct Params {
    p: &'static str,
    b: &'static str,
    limbs: usize,
}

const P256: Params = Params {
    p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    limbs: 4,
};

const P384: Params = Params {
    p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    limbs: 6,
};

/// Decompresses a SEC1 compressed point: y = √(x³ − 3x + b), which is
/// `rhs^((p+1)/4)` since p ≡ 3 (mod 4) for both curves; a non-residue means the
/// point is off the curve.
pub(crate) fn decompress(curve: Curve, point: &[u8]) -> Result<PublicKey> {
    let params = match curve {
        Curve::P256 => &P256,
        Curve::P384 => &P384,
        Curve::Ed25519 => return Err(malformed("Ed25519 keys are not compressed points")),
    };
    let len = curve.field_len();
    let (prefix, x_bytes) = point
        .split_first()
        .ok_or_else(|| malformed("empty EC point"))?;
    if point.len() != len + 1 || !matches!(prefix, 2 | 3) {
        return Err(malformed(format!(
            "a {} Multikey is a {}-byte compressed point (02/03 ‖ x)",
            curve.name(),
            len + 1
        )));
    }
    let p = bi::from_hex(params.p, params.limbs);
    let b = bi::from_hex(params.b, params.limbs);
    let x = bi::from_be(x_bytes, params.limbs).ok_or_else(|| malformed("x too large"))?;
    if bi::cmp(&x, &p) != core::cmp::Ordering::Less {
        return Err(malformed(format!(
            "{} point: x is not below p",
            curve.name()
        )));
    }
    let x3 = bi::mul_mod(&bi::mul_mod(&x, &x, &p), &x, &p);
    let three_x = bi::mul_mod(&x, &[3], &p);
    let rhs = bi::add_mod(&bi::sub_mod(&x3, &three_x, &p), &b, &p);
    let exp: Limbs = bi::shr(&bi::add_small(&p, 1), 2);
    let mut y = bi::pow_mod(&rhs, &exp, &p);
    if bi::cmp(&bi::mul_mod(&y, &y, &p), &rhs) != core::cmp::Ordering::Equal {
        return Err(malformed(format!(
            "{} point is not on the curve",
            curve.name()
        )));
    }
    if bi::is_odd(&y) != (*prefix == 3) {
        if bi::is_zero(&y) {
            return Err(malformed("compressed point with y = 0 and odd prefix"));
        }
        y = bi::sub_mod(&p, &y, &p);
        // p − y for 0 < y < p
        if bi::is_zero(&y) {
            return Err(malformed("EC point decompression failed"));
        }
    }
    PublicKey::from_ec_coordinates(curve, x_bytes, &bi::to_be(&y, len))
}

/// The X25519 public key birationally equivalent to an Ed25519 public key
/// (RFC 7748 §4.1: u = (1 + y) / (1 − y) mod 2^255 − 19), little-endian.
pub(crate) fn ed25519_to_x25519(ed: &[u8]) -> Result<[u8; 32]> {
    if ed.len() != 32 {
        return Err(malformed("an Ed25519 public key is 32 bytes"));
    }
    let p = bi::from_hex(
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed",
        4,
    );
    let mut be: Vec<u8> = ed.iter().rev().copied().collect();
    if let Some(top) = be.first_mut() {
        *top &= 0x7f; // the sign bit of x
    }
    let y = bi::reduce(&bi::from_be(&be, 4).unwrap_or_default(), &p);
    let one = [1u64];
    let num = bi::add_mod(&one, &y, &p);
    let den = bi::sub_mod(&bi::reduce(&one, &p), &y, &p);
    if bi::is_zero(&den) {
        return Err(malformed("Ed25519 key with y = 1 has no X25519 form"));
    }
    let inv = bi::pow_mod(&den, &bi::sub_small(&p, 2), &p);
    let u = bi::mul_mod(&num, &inv, &p);
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(bi::to_be(&u, 32).iter().rev()) {
        *o = *b;
    }
    Ok(out)
}

/// The Multikey text of an X25519 key.
pub(crate) fn encode_x25519_multikey(u: &[u8; 32]) -> String {
    let mut out = Vec::with_capacity(34);
    write_varint(X25519_PUB, &mut out);
    out.extend_from_slice(u);
    base58::multibase_encode(&out)
}
