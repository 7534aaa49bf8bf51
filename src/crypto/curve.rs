//! Point validation for P-256 and P-384 public keys at parse time (SIG-08).
//!
//! ring validates points only when it verifies; we want an invalid-curve or
//! off-curve key rejected as `Malformed` when it is read. This is a small,
//! variable-time Montgomery-form check of `y² = x³ − 3x + b (mod p)` on public
//! data only.

#![allow(clippy::as_conversions, clippy::indexing_slicing)] // safe: limb arithmetic on fixed-size public values

type Limbs = Vec<u64>;

pub(super) struct CurveParams {
    p: &'static str,
    b: &'static str,
}

pub(super) const P256: CurveParams = CurveParams {
    p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
};

pub(super) const P384: CurveParams = CurveParams {
    p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
};

fn from_be(bytes: &[u8], n: usize) -> Limbs {
    let mut out = vec![0u64; n];
    for (i, chunk) in bytes.rchunks(8).enumerate() {
        let mut v = 0u64;
        for &b in chunk {
            v = (v << 8) | u64::from(b);
        }
        if i < n {
            out[i] = v;
        }
    }
    out
}

fn from_hex(hex: &str, n: usize) -> Limbs {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    from_be(&bytes, n)
}

fn geq(a: &[u64], b: &[u64]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for i in 0..a.len() {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = u64::from(o1 || o2);
    }
}

fn add_mod(a: &[u64], b: &[u64], p: &[u64]) -> Limbs {
    let mut out = vec![0u64; a.len()];
    let mut carry = 0u128;
    for i in 0..a.len() {
        let s = u128::from(a[i]) + u128::from(b[i]) + carry;
        out[i] = s as u64;
        carry = s >> 64;
    }
    if carry != 0 || geq(&out, p) {
        sub_in_place(&mut out, p);
    }
    out
}

fn sub_mod(a: &[u64], b: &[u64], p: &[u64]) -> Limbs {
    if geq(a, b) {
        let mut out = a.to_vec();
        sub_in_place(&mut out, b);
        out
    } else {
        let mut out = b.to_vec();
        sub_in_place(&mut out, a);
        let mut r = p.to_vec();
        sub_in_place(&mut r, &out);
        r
    }
}

fn mont_mul(a: &[u64], b: &[u64], p: &[u64], n0: u64) -> Limbs {
    let n = p.len();
    let mut t = vec![0u64; n + 2];
    for &bi in b.iter().take(n) {
        let mut c = 0u128;
        for j in 0..n {
            let s = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + c;
            t[j] = s as u64;
            c = s >> 64;
        }
        let s = u128::from(t[n]) + c;
        t[n] = s as u64;
        t[n + 1] = (s >> 64) as u64;
        let m = t[0].wrapping_mul(n0);
        let mut c = (u128::from(t[0]) + u128::from(m) * u128::from(p[0])) >> 64;
        for j in 1..n {
            let s = u128::from(t[j]) + u128::from(m) * u128::from(p[j]) + c;
            t[j - 1] = s as u64;
            c = s >> 64;
        }
        let s = u128::from(t[n]) + c;
        t[n - 1] = s as u64;
        t[n] = t[n + 1] + (s >> 64) as u64;
    }
    let mut out = t[..n].to_vec();
    if t[n] != 0 || geq(&out, p) {
        sub_in_place(&mut out, p);
    }
    out
}

/// Per-curve constants in Montgomery form, computed once.
struct Prepared {
    p: Limbs,
    n0: u64,
    r2: Limbs,
    bm: Limbs,
}

fn prepare(params: &CurveParams) -> Prepared {
    let n = params.p.len() / 16;
    let p = from_hex(params.p, n);
    let b = from_hex(params.b, n);
    // n0 = -p^{-1} mod 2^64 (Newton iteration)
    let mut inv = 1u64;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inv)));
    }
    let n0 = inv.wrapping_neg();
    // R^2 mod p by doubling
    let mut r2 = vec![0u64; n];
    r2[0] = 1;
    for _ in 0..(128 * n) {
        r2 = add_mod(&r2, &r2, &p);
    }
    let bm = mont_mul(&b, &r2, &p, n0);
    Prepared { p, n0, r2, bm }
}

fn prepared(params: &CurveParams) -> &'static Prepared {
    use std::sync::OnceLock;
    static P256_PREP: OnceLock<Prepared> = OnceLock::new();
    static P384_PREP: OnceLock<Prepared> = OnceLock::new();
    let cell = if params.p.len() == P256.p.len() {
        &P256_PREP
    } else {
        &P384_PREP
    };
    cell.get_or_init(|| prepare(params))
}

/// Whether the big-endian coordinates `x`, `y` (each exactly the field size) are a
/// point on the curve, with both coordinates below p.
pub(super) fn on_curve(params: &CurveParams, x: &[u8], y: &[u8]) -> bool {
    let Prepared { p, n0, r2, bm } = prepared(params);
    let (n0, n) = (*n0, p.len());
    let x = from_be(x, n);
    let y = from_be(y, n);
    if geq(&x, p) || geq(&y, p) {
        return false;
    }
    let (p, r2, bm) = (p.as_slice(), r2.as_slice(), bm.as_slice());
    let xm = mont_mul(&x, r2, p, n0);
    let ym = mont_mul(&y, r2, p, n0);
    let lhs = mont_mul(&ym, &ym, p, n0);
    let x2 = mont_mul(&xm, &xm, p, n0);
    let x3 = mont_mul(&x2, &xm, p, n0);
    let three_x = add_mod(&add_mod(&xm, &xm, p), &xm, p);
    let rhs = add_mod(&sub_mod(&x3, &three_x, p), bm, p);
    lhs == rhs
}

/// edwards25519: p = 2^255 − 19 and d = −121665/121666 (RFC 8032 §5.1).
const ED25519: CurveParams = CurveParams {
    p: "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed",
    b: "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3",
};
/// p − 2 (for the inverse) and (p − 1) / 2 (Euler's criterion), big-endian hex.
const ED25519_P_MINUS_2: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeb";
const ED25519_HALF: &str = "3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff6";

fn mont_pow(base: &[u64], exp_hex: &str, one: &[u64], p: &[u64], n0: u64) -> Limbs {
    let mut acc = one.to_vec();
    for c in exp_hex.chars() {
        let nibble = c.to_digit(16).unwrap_or(0);
        for bit in (0..4).rev() {
            acc = mont_mul(&acc, &acc, p, n0);
            if (nibble >> bit) & 1 == 1 {
                acc = mont_mul(&acc, base, p, n0);
            }
        }
    }
    acc
}

/// Whether 32 bytes are the encoding of a point on edwards25519 (RFC 8032
/// §5.1.3 decoding): y (little-endian, top bit cleared) below p, and
/// x² = (y² − 1) / (d·y² + 1) a square, with x = 0 only under a clear sign
/// bit. Variable time, public data only.
pub(super) fn ed25519_decodes(bytes: &[u8]) -> bool {
    use std::sync::OnceLock;
    static PREP: OnceLock<Prepared> = OnceLock::new();
    let Prepared { p, n0, r2, bm: dm } = PREP.get_or_init(|| prepare(&ED25519));
    if bytes.len() != 32 {
        return false;
    }
    let sign = bytes[31] >> 7;
    let mut be: Vec<u8> = bytes.iter().rev().copied().collect();
    be[0] &= 0x7f;
    let (p, r2, n0) = (p.as_slice(), r2.as_slice(), *n0);
    let y = from_be(&be, 4);
    if geq(&y, p) {
        return false;
    }
    let one = mont_mul(&[1, 0, 0, 0], r2, p, n0);
    let ym = mont_mul(&y, r2, p, n0);
    let y2 = mont_mul(&ym, &ym, p, n0);
    let u = sub_mod(&y2, &one, p);
    let v = add_mod(&mont_mul(dm, &y2, p, n0), &one, p);
    if u.iter().all(|&l| l == 0) {
        return sign == 0;
    }
    let w = mont_mul(&u, &mont_pow(&v, ED25519_P_MINUS_2, &one, p, n0), p, n0);
    mont_pow(&w, ED25519_HALF, &one, p, n0) == one
}
