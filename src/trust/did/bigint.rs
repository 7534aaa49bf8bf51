//! Just enough modular arithmetic on public values to decompress P-256 / P-384
//! points (did:key, Multikey) and to map an Ed25519 key to X25519 (did:key
//! keyAgreement). Variable time: every input here is a public key.
//!
//! Numbers are little-endian `u64` limbs of a fixed length `n`; `mul_mod`
//! reduces by binary long division, slow but simple and only used for a few
//! hundred multiplications per key.

use core::cmp::Ordering;

pub(super) type Limbs = Vec<u64>;

/// Big-endian bytes to `n` limbs; `None` when the value needs more than `n` limbs.
pub(super) fn from_be(bytes: &[u8], n: usize) -> Option<Limbs> {
    let mut out = vec![0u64; n];
    for (i, b) in bytes.iter().rev().enumerate() {
        let limb = out.get_mut(i / 8);
        match limb {
            Some(l) => *l |= u64::from(*b) << (8 * (i % 8)),
            None if *b == 0 => {}
            None => return None,
        }
    }
    Some(out)
}

/// `a` as `len` big-endian bytes (the value must fit).
pub(super) fn to_be(a: &[u64], len: usize) -> Vec<u8> {
    (0..len)
        .rev()
        .map(|i| {
            let limb = a.get(i / 8).copied().unwrap_or(0);
            u8::try_from((limb >> (8 * (i % 8))) & 0xff).unwrap_or(0)
        })
        .collect()
}

pub(super) fn from_hex(hex: &str, n: usize) -> Limbs {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| hex.get(2 * i..2 * i + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect();
    from_be(&bytes, n).unwrap_or_else(|| vec![0; n])
}

pub(super) fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    for i in (0..n).rev() {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

/// `a -= b` (requires `a >= b`, equal lengths or `b` shorter).
fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, o1) = x.overflowing_sub(y);
        let (d2, o2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u64::from(o1 || o2);
    }
}

/// `a + b` (one extra limb).
fn add(a: &[u64], b: &[u64]) -> Limbs {
    let n = a.len().max(b.len());
    let mut out = Vec::with_capacity(n + 1);
    let mut carry = 0u128;
    for i in 0..n {
        let s = u128::from(a.get(i).copied().unwrap_or(0))
            + u128::from(b.get(i).copied().unwrap_or(0))
            + carry;
        out.push(u64::try_from(s & u128::from(u64::MAX)).unwrap_or(0));
        carry = s >> 64;
    }
    out.push(u64::try_from(carry).unwrap_or(0));
    out
}

/// `v mod p` for any `v`, by binary long division.
pub(super) fn reduce(v: &[u64], p: &[u64]) -> Limbs {
    let n = p.len();
    let mut r = vec![0u64; n + 1];
    for i in (0..v.len() * 64).rev() {
        let bit = (v.get(i / 64).copied().unwrap_or(0) >> (i % 64)) & 1;
        // r = 2r + bit
        let mut carry = bit;
        for l in r.iter_mut() {
            let next = *l >> 63;
            *l = (*l << 1) | carry;
            carry = next;
        }
        if cmp(&r, p) != Ordering::Less {
            sub_in_place(&mut r, p);
        }
    }
    r.truncate(n);
    r
}

pub(super) fn add_mod(a: &[u64], b: &[u64], p: &[u64]) -> Limbs {
    reduce(&add(a, b), p)
}

/// `a − b mod p` for `a, b < p`.
pub(super) fn sub_mod(a: &[u64], b: &[u64], p: &[u64]) -> Limbs {
    let mut t = add(a, p);
    sub_in_place(&mut t, b);
    reduce(&t, p)
}

pub(super) fn mul_mod(a: &[u64], b: &[u64], p: &[u64]) -> Limbs {
    let mut prod = vec![0u64; a.len() + b.len()];
    for (i, x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, y) in b.iter().enumerate() {
            if let Some(slot) = prod.get_mut(i + j) {
                let t = u128::from(*x) * u128::from(*y) + u128::from(*slot) + carry;
                *slot = u64::try_from(t & u128::from(u64::MAX)).unwrap_or(0);
                carry = t >> 64;
            }
        }
        if let Some(slot) = prod.get_mut(i + b.len()) {
            *slot = u64::try_from(carry).unwrap_or(0);
        }
    }
    reduce(&prod, p)
}

/// `a^e mod p`.
pub(super) fn pow_mod(a: &[u64], e: &[u64], p: &[u64]) -> Limbs {
    let mut result = reduce(&[1], p);
    let base = reduce(a, p);
    for i in (0..e.len() * 64).rev() {
        result = mul_mod(&result, &result, p);
        if (e.get(i / 64).copied().unwrap_or(0) >> (i % 64)) & 1 == 1 {
            result = mul_mod(&result, &base, p);
        }
    }
    result
}

/// `a >> k` for small `k` (< 64).
pub(super) fn shr(a: &[u64], k: u32) -> Limbs {
    (0..a.len())
        .map(|i| {
            let lo = a.get(i).copied().unwrap_or(0) >> k;
            let hi = a
                .get(i + 1)
                .copied()
                .unwrap_or(0)
                .checked_shl(64 - k)
                .unwrap_or(0);
            if k == 0 {
                lo
            } else {
                lo | hi
            }
        })
        .collect()
}

pub(super) fn add_small(a: &[u64], k: u64) -> Limbs {
    let mut out = add(a, &[k]);
    out.truncate(a.len());
    out
}

pub(super) fn sub_small(a: &[u64], k: u64) -> Limbs {
    let mut out = a.to_vec();
    sub_in_place(&mut out, &[k]);
    out
}

pub(super) fn is_odd(a: &[u64]) -> bool {
    a.first().copied().unwrap_or(0) & 1 == 1
}

pub(super) fn is_zero(a: &[u64]) -> bool {
    a.iter().all(|l| *l == 0)
}
