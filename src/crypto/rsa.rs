//! RSA signature verification (PKCS #1 v1.5), for the signers of the
//! ecosystems' trusted lists only: most EU national trusted lists are signed
//! with RSA (XAdES `rsa-sha256`). Credentials stay on ECDSA and EdDSA; no RSA
//! key signs anything here and no credential path accepts one.
//!
//! A key is held as its PKCS #1 `RSAPublicKey` DER, the form ring verifies
//! with; its modulus must be 2048 to 8192 bits (a shorter key is
//! `Unsupported`, never tried), its exponent odd and at least 3 (ring checks
//! this on use).

use super::SignatureChecked;
use crate::encoding::der::{tag, Reader};
use crate::error::{malformed, signature, unsupported, Result};

/// The shortest modulus accepted, in bits.
pub(crate) const MIN_RSA_BITS: usize = 2048;
/// The longest modulus accepted, in bits (ring's bound).
pub(crate) const MAX_RSA_BITS: usize = 8192;

/// An RSA public key (PKCS #1 `RSAPublicKey` DER), its size checked.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RsaPublicKey {
    der: Vec<u8>,
    bits: usize,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.bits)
    }
}

/// The hash of an RSA PKCS #1 v1.5 signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaHash {
    Sha256,
    Sha384,
    Sha512,
}

/// The length in bits of a DER INTEGER's magnitude (leading zero octets
/// skipped), or an error for a negative or empty one.
fn magnitude_bits(int: &[u8], what: &str) -> Result<usize> {
    if int.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(malformed(format!("RSA key: the {what} is negative")));
    }
    let start = int.iter().position(|&b| b != 0).unwrap_or(int.len());
    let mag = int.get(start..).unwrap_or_default();
    let Some(&top) = mag.first() else {
        return Err(malformed(format!("RSA key: the {what} is zero")));
    };
    let top_bits = 8 - usize::try_from(top.leading_zeros()).unwrap_or(0);
    Ok((mag.len() - 1).saturating_mul(8).saturating_add(top_bits))
}

impl RsaPublicKey {
    /// Reads a PKCS #1 `RSAPublicKey` (`SEQUENCE { modulus, publicExponent }`).
    pub(crate) fn from_pkcs1(der: &[u8]) -> Result<Self> {
        let mut outer = Reader::new(der);
        let mut seq = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        let n = seq.expect(tag::INTEGER)?;
        let e = seq.expect(tag::INTEGER)?;
        seq.finish()?;
        let bits = magnitude_bits(n, "modulus")?;
        magnitude_bits(e, "exponent")?;
        if bits < MIN_RSA_BITS {
            return Err(unsupported(format!(
                "an RSA key of {bits} bits is too short (at least {MIN_RSA_BITS} are required)"
            )));
        }
        if bits > MAX_RSA_BITS {
            return Err(unsupported(format!(
                "an RSA key of {bits} bits is too long (at most {MAX_RSA_BITS} are accepted)"
            )));
        }
        Ok(RsaPublicKey {
            der: der.to_vec(),
            bits,
        })
    }
}

/// Verifies an RSA PKCS #1 v1.5 `signature` over `message` with `key`.
pub(crate) fn verify_rsa_pkcs1(
    hash: RsaHash,
    key: &RsaPublicKey,
    message: &[u8],
    sig: &[u8],
) -> Result<SignatureChecked> {
    use ring::signature as rs;
    let alg: &rs::RsaParameters = match hash {
        RsaHash::Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
        RsaHash::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
        RsaHash::Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
    };
    if sig.len() != key.bits.div_ceil(8) {
        return Err(signature(format!(
            "an RSA signature under a {}-bit key is {} bytes, not {}",
            key.bits,
            key.bits.div_ceil(8),
            sig.len()
        )));
    }
    rs::UnparsedPublicKey::new(alg, &key.der)
        .verify(message, sig)
        .map(|()| SignatureChecked(()))
        .map_err(|_| signature("RSA signature verification failed"))
}

/// A key a list signature is verified with: EC / Ed25519, or RSA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VerifyKey {
    /// P-256, P-384 or Ed25519.
    Ec(super::PublicKey),
    /// RSA, 2048 to 8192 bits.
    Rsa(RsaPublicKey),
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::encoding::der::{seq, tlv};
    use crate::ErrorKind;

    /// An RSAPublicKey with a modulus of exactly `bits` bits (top bit set,
    /// DER's leading zero added) and exponent 65537.
    fn key(bits: usize) -> Vec<u8> {
        let mut n = vec![0u8; bits.div_ceil(8)];
        n[0] = 1 << ((bits - 1) % 8);
        *n.last_mut().unwrap() |= 1;
        if n[0] & 0x80 != 0 {
            n.insert(0, 0);
        }
        seq(&[&tlv(tag::INTEGER, &n), &tlv(tag::INTEGER, &[1, 0, 1])])
    }

    #[test]
    fn modulus_sizes_outside_2048_to_8192_bits_are_unsupported() {
        for bits in [2048, 3072, 4096, 8192] {
            let k = RsaPublicKey::from_pkcs1(&key(bits)).unwrap();
            assert_eq!(k.bits, bits);
        }
        for bits in [512, 1024, 2047, 8193] {
            let e = RsaPublicKey::from_pkcs1(&key(bits)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{bits}");
            assert!(e.to_string().contains(&format!("{bits} bits")), "{e}");
        }
    }

    #[test]
    fn malformed_keys_are_malformed() {
        let n = key(2048);
        let e = tlv(tag::INTEGER, &[1, 0, 1]);
        let negative = seq(&[&tlv(tag::INTEGER, &[0x80; 256]), &e]);
        let zero = seq(&[&tlv(tag::INTEGER, &[0]), &e]);
        let no_exponent = seq(&[&tlv(tag::INTEGER, &[0x7f; 256])]);
        let mut trailing = n.clone();
        trailing.push(0);
        for bad in [negative, zero, no_exponent, trailing, Vec::new()] {
            let e = RsaPublicKey::from_pkcs1(&bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
        }
    }

    #[test]
    fn a_signature_of_the_wrong_length_or_value_fails() {
        let k = RsaPublicKey::from_pkcs1(&key(2048)).unwrap();
        for sig in [vec![0u8; 255], vec![0u8; 257], vec![1u8; 256]] {
            let e = verify_rsa_pkcs1(RsaHash::Sha256, &k, b"m", &sig).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Signature);
        }
    }
}
