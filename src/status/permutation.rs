//! A keyed permutation of `[0, size)` for status list index allocation.
//!
//! Token Status List §12–13 asks for indices that are unpredictable and never
//! repeat. An issuer keeps a plain counter per list (0, 1, 2, …) and hands out
//! `permute(counter)`: uniqueness follows from the permutation being a bijection,
//! nothing needs scanning, and without the key the order cannot be guessed.
//!
//! Construction: a balanced Feistel network of [`ROUNDS`] rounds over the
//! smallest even number of bits `2h` with `2^(2h) ≥ size` (h ≥ 1), whose round
//! function is HMAC-SHA-256 under the 32-byte key of (domain tag, round, `h`,
//! `size`, half-block), truncated to `h` bits; values that land at or above
//! `size` are walked again through the network until they fall inside
//! (cycle-walking, Black & Rogaway 2002). Since `2^(2h) < 4·size`, a walk takes
//! fewer than 4 steps on average, and it always ends, because the cycle of an
//! input below `size` comes back to it.

use crate::error::{misuse, Result};
use crate::limits::MAX_STATUS_INDEX;
use ring::hmac;

/// Feistel rounds.
const ROUNDS: u8 = 8;
/// Domain separation for the round function.
const TAG: &[u8] = b"passerelle status index permutation v1";

/// A keyed bijection of `[0, size)`.
pub struct IndexPermutation {
    key: hmac::Key,
    size: u64,
    half_bits: u32,
}

impl core::fmt::Debug for IndexPermutation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "IndexPermutation(size {}, key hidden)", self.size)
    }
}

impl IndexPermutation {
    /// A permutation of `[0, size)` under `key`. `size` must be 1 ..= 2^32
    /// (`MAX_STATUS_INDEX + 1`); otherwise `ApiMisuse`.
    pub fn new(key: &[u8; 32], size: u64) -> Result<Self> {
        if size == 0 || size > MAX_STATUS_INDEX + 1 {
            return Err(misuse(format!(
                "a permutation size must be 1 to {}",
                MAX_STATUS_INDEX + 1
            )));
        }
        // Bits to represent size − 1, rounded up to an even number, at least 2.
        let bits = (64 - (size - 1).leading_zeros()).max(2);
        let half_bits = bits.div_ceil(2);
        Ok(IndexPermutation {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            size,
            half_bits,
        })
    }

    /// The size of the domain.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn mask(&self) -> u64 {
        (1u64 << self.half_bits) - 1
    }

    fn round(&self, r: u8, x: u64) -> u64 {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(TAG);
        ctx.update(&[r]);
        ctx.update(&self.half_bits.to_be_bytes());
        ctx.update(&self.size.to_be_bytes());
        ctx.update(&x.to_be_bytes());
        let tag = ctx.sign();
        let mut first = [0u8; 8];
        for (d, s) in first.iter_mut().zip(tag.as_ref()) {
            *d = *s;
        }
        u64::from_be_bytes(first) & self.mask()
    }

    fn encrypt(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half_bits, x & self.mask());
        for i in 0..ROUNDS {
            let next = l ^ self.round(i, r);
            l = r;
            r = next;
        }
        (l << self.half_bits) | r
    }

    fn decrypt(&self, y: u64) -> u64 {
        let (mut l, mut r) = (y >> self.half_bits, y & self.mask());
        for i in (0..ROUNDS).rev() {
            let prev = r ^ self.round(i, l);
            r = l;
            l = prev;
        }
        (l << self.half_bits) | r
    }

    /// The image of `i`; `i ≥ size` is `ApiMisuse`.
    pub fn permute(&self, i: u64) -> Result<u64> {
        self.walk(i, |x| self.encrypt(x))
    }

    /// The preimage of `y` (the inverse permutation); `y ≥ size` is `ApiMisuse`.
    pub fn invert(&self, y: u64) -> Result<u64> {
        self.walk(y, |x| self.decrypt(x))
    }

    fn walk(&self, start: u64, step: impl Fn(u64) -> u64) -> Result<u64> {
        if start >= self.size {
            return Err(misuse(format!(
                "index {start} is outside the permutation's domain [0, {})",
                self.size
            )));
        }
        let mut x = step(start);
        while x >= self.size {
            x = step(x);
        }
        Ok(x)
    }
}
