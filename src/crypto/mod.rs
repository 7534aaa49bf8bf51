//! Cryptography, on ring only, behind passerelle's own types.
//!
//! The algorithm set is closed: [`Algorithm`] is ES256, ES384 or EdDSA (Ed25519),
//! each bound to one ring constant. JOSE and COSE carry ECDSA signatures in the
//! fixed-length `r‖s` form, so only ring's `*_FIXED` verifiers are used here.
//! ring's deliberately blank `Unspecified` becomes [`ErrorKind::Signature`](crate::ErrorKind::Signature)
//! at this boundary, with no further detail.

mod agreement;
mod curve;
mod keys;
mod rsa;

pub(crate) use agreement::hkdf_sha256;
pub use agreement::KeyAgreement;
pub use keys::{Algorithm, Curve, PrivateKey, PublicKey};
pub(crate) use rsa::{verify_rsa_pkcs1, RsaHash, RsaPublicKey, VerifyKey};

use crate::error::{Error, Result};

/// A holder's or issuer's signing key, possibly outside this process (Secure
/// Enclave, StrongBox, HSM). Signatures are returned in the JOSE/COSE form:
/// fixed-length `r‖s` for ECDSA, 64 bytes for Ed25519.
pub trait Signer {
    /// The algorithm this signer produces.
    fn algorithm(&self) -> Algorithm;
    /// The public half of the key.
    fn public_key(&self) -> &PublicKey;
    /// Signs `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// A source of cryptographically secure random bytes (salts, decoys, nonces).
///
/// Injected so tests can be repeatable; production code uses [`SystemRandom`].
pub trait SecureRandom {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<()>;
}

/// The operating system's CSPRNG (through ring).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl SecureRandom for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(dest)
            .map_err(|_| Error::new(crate::ErrorKind::Storage, "the system RNG failed"))
    }
}

/// A hash algorithm usable for SD-JWT digests (`_sd_alg`, IANA names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
    /// SHA-3 (FIPS 202), for `_sd_alg` only (the EUDI dev PID issuer uses sha3-256).
    Sha3_256,
    Sha3_384,
    Sha3_512,
}

impl HashAlg {
    /// Looks up an IANA "Named Information Hash Algorithm" name, case-sensitively.
    pub(crate) fn from_iana(name: &str) -> Option<Self> {
        match name {
            "sha-256" => Some(HashAlg::Sha256),
            "sha-384" => Some(HashAlg::Sha384),
            "sha-512" => Some(HashAlg::Sha512),
            "sha3-256" => Some(HashAlg::Sha3_256),
            "sha3-384" => Some(HashAlg::Sha3_384),
            "sha3-512" => Some(HashAlg::Sha3_512),
            _ => None,
        }
    }

    pub(crate) fn iana_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha-256",
            HashAlg::Sha384 => "sha-384",
            HashAlg::Sha512 => "sha-512",
            HashAlg::Sha3_256 => "sha3-256",
            HashAlg::Sha3_384 => "sha3-384",
            HashAlg::Sha3_512 => "sha3-512",
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        self.with_digest(data, <[u8]>::to_vec)
    }

    /// Hands the digest of `data` to `f` from the stack, with no heap copy.
    pub(crate) fn with_digest<R>(self, data: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
        use sha3::Digest;
        let alg = match self {
            HashAlg::Sha256 => &ring::digest::SHA256,
            HashAlg::Sha384 => &ring::digest::SHA384,
            HashAlg::Sha512 => &ring::digest::SHA512,
            HashAlg::Sha3_256 => return f(&sha3::Sha3_256::digest(data)),
            HashAlg::Sha3_384 => return f(&sha3::Sha3_384::digest(data)),
            HashAlg::Sha3_512 => return f(&sha3::Sha3_512::digest(data)),
        };
        f(ring::digest::digest(alg, data).as_ref())
    }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Proof that a signature was checked. Only [`verify_signature`] makes one.
#[derive(Debug)]
#[must_use]
pub(crate) struct SignatureChecked(());

/// Verifies `signature` over `message` with `key` under `alg`.
///
/// The key type fixes the algorithm family: EdDSA with an EC key (or ECDSA with an
/// Ed25519 key) is `Unsupported`; ES256 with a P-384 key (or the reverse) is a
/// `Signature` failure, with no curve coercion.
pub(crate) fn verify_signature(
    alg: Algorithm,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureChecked> {
    use ring::signature as rs;
    let verifier: &dyn rs::VerificationAlgorithm = match (alg, key.curve()) {
        (Algorithm::Es256, Curve::P256) => &rs::ECDSA_P256_SHA256_FIXED,
        (Algorithm::Es384, Curve::P384) => &rs::ECDSA_P384_SHA384_FIXED,
        (Algorithm::EdDsa, Curve::Ed25519) => &rs::ED25519,
        (Algorithm::EdDsa, _) | (_, Curve::Ed25519) => {
            return Err(crate::error::unsupported(format!(
                "algorithm {} cannot be used with a {} key",
                alg.jose_name(),
                key.curve().name()
            )))
        }
        _ => {
            return Err(crate::error::signature(format!(
                "algorithm {} does not match the {} key",
                alg.jose_name(),
                key.curve().name()
            )))
        }
    };
    if signature.len() != alg.signature_len() {
        return Err(crate::error::signature(format!(
            "a {} signature is {} bytes, not {}",
            alg.jose_name(),
            alg.signature_len(),
            signature.len()
        )));
    }
    rs::UnparsedPublicKey::new(verifier, key.raw())
        .verify(message, signature)
        .map(|()| SignatureChecked(()))
        .map_err(|_| crate::error::signature("signature verification failed"))
}

#[cfg(test)]
mod tests;

/// At most 32 characters of `s`, for messages quoting untrusted text.
pub(crate) fn clip(s: &str) -> &str {
    keys::clip_impl(s, 32)
}
