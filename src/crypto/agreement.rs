//! Elliptic-curve Diffie-Hellman for ISO 18013-5 `deviceMac` (the holder's
//! static device key with the reader's ephemeral key) on ring.
//!
//! ring only does ECDH with keys it generated itself
//! ([`ring::agreement::EphemeralPrivateKey::generate`]). A stored private key
//! (the device key, or a reader key handed to the CLI as a JWK) is brought in
//! by giving `generate` a "random" source that returns exactly the stored
//! scalar: ring's deterministic test source, which ring marks as an internal
//! API. That keeps ring the only cryptography and keeps the scalar
//! multiplication constant-time, and a guard makes the trick fail closed: the
//! public key ring derives must equal the key's known public key, or the
//! agreement is refused (`Unsupported`). A ring upgrade that drops the API
//! breaks the build, not the results; the 18013-5 Annex D `deviceMac` vector
//! and a two-sided agreement test pin the behaviour.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::{Curve, PrivateKey, PublicKey};
use crate::error::{malformed, unsupported, Result};
use ring::agreement;
use zeroize::Zeroizing;

/// A key that can compute an ECDH shared secret with a peer's public key:
/// the holder's device key for `deviceMac`, or a reader's ephemeral key.
/// Mobile wallets implement it over their secure hardware (the key never
/// leaves it); [`PrivateKey`] implements it for P-256 and P-384 keys.
pub trait KeyAgreement {
    /// The public half.
    fn public_key(&self) -> &PublicKey;
    /// The shared secret: the x-coordinate of the shared point (SEC 1 §3.3.1),
    /// as ISO 18013-5 §9.1.5.4 and RFC 9053 use it. A peer key on another curve is
    /// `Malformed`.
    fn agree(&self, peer: &PublicKey) -> Result<Zeroizing<Vec<u8>>>;
}

fn ring_alg(curve: Curve) -> Result<&'static agreement::Algorithm> {
    match curve {
        Curve::P256 => Ok(&agreement::ECDH_P256),
        Curve::P384 => Ok(&agreement::ECDH_P384),
        other => Err(unsupported(format!(
            "ECDH is supported on P-256 and P-384, not {}",
            other.name()
        ))),
    }
}

impl KeyAgreement for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        PrivateKey::public_key(self)
    }

    fn agree(&self, peer: &PublicKey) -> Result<Zeroizing<Vec<u8>>> {
        let own = PrivateKey::public_key(self);
        let alg = ring_alg(own.curve())?;
        if peer.curve() != own.curve() {
            return Err(malformed(format!(
                "the peer key is on {}, the own key on {}",
                peer.curve().name(),
                own.curve().name()
            )));
        }
        #[allow(deprecated)]
        let source = ring::test::rand::FixedSliceRandom {
            bytes: self.secret_bytes(),
        };
        let key = agreement::EphemeralPrivateKey::generate(alg, &source)
            .map_err(|_| unsupported("ring refused the stored ECDH scalar"))?;
        let derived = key
            .compute_public_key()
            .map_err(|_| unsupported("ring could not derive the ECDH public key"))?;
        if derived.as_ref() != own.raw() {
            return Err(unsupported(
                "ring did not take the stored scalar as the ECDH key; agreement refused",
            ));
        }
        let peer_key = agreement::UnparsedPublicKey::new(alg, peer.raw());
        agreement::agree_ephemeral(key, &peer_key, |secret| Zeroizing::new(secret.to_vec()))
            .map_err(|_| malformed("the ECDH peer key was refused"))
    }
}

/// HKDF-SHA-256 (RFC 5869) of `ikm` with `salt` and `info`, `len` bytes.
pub(crate) fn hkdf_sha256(
    ikm: &[u8],
    salt: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    struct Len(usize);
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    let info = [info];
    let okm = prk
        .expand(&info, Len(len))
        .map_err(|_| crate::error::misuse("HKDF output too long"))?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    okm.fill(&mut out)
        .map_err(|_| crate::error::misuse("HKDF output too long"))?;
    Ok(out)
}
