//! Algorithms, public keys and in-process private keys.

use super::{curve, Signer};
use crate::encoding::der::{self, tag, Reader};
use crate::error::{malformed, unsupported, Error, ErrorKind, Result};
use core::fmt;
use ring::signature::{self as rs, KeyPair as _};
use zeroize::Zeroizing;

/// A signature algorithm passerelle accepts. The set is closed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (mandatory in HAIP).
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// EdDSA on Ed25519.
    EdDsa,
}

impl Algorithm {
    /// Reads a JOSE `alg` value. The match is exact and case-sensitive: `none`,
    /// any `HS*`, RSA and every other name is `Unsupported`.
    pub fn from_jose(name: &str) -> Result<Self> {
        match name {
            "ES256" => Ok(Algorithm::Es256),
            "ES384" => Ok(Algorithm::Es384),
            "EdDSA" | "Ed25519" => Ok(Algorithm::EdDsa),
            other => Err(unsupported(format!(
                "algorithm {:?} is not accepted (ES256, ES384 and EdDSA are)",
                clip_impl(other, 32)
            ))),
        }
    }

    /// The JOSE name.
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// The curve the algorithm signs with.
    pub fn curve(self) -> Curve {
        match self {
            Algorithm::Es256 => Curve::P256,
            Algorithm::Es384 => Curve::P384,
            Algorithm::EdDsa => Curve::Ed25519,
        }
    }

    /// Length of a signature in the JOSE/COSE form.
    pub fn signature_len(self) -> usize {
        match self {
            Algorithm::Es256 | Algorithm::EdDsa => 64,
            Algorithm::Es384 => 96,
        }
    }

    /// The default algorithm for a curve.
    pub fn for_curve(curve: Curve) -> Self {
        match curve {
            Curve::P256 => Algorithm::Es256,
            Curve::P384 => Algorithm::Es384,
            Curve::Ed25519 => Algorithm::EdDsa,
        }
    }
}

pub(crate) fn clip_impl(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// A key's curve.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// Edwards 25519.
    Ed25519,
}

impl Curve {
    /// The JOSE `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::Ed25519 => "Ed25519",
        }
    }

    /// Size of one coordinate (EC) or of the key (Ed25519), in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Ed25519 => 32,
            Curve::P384 => 48,
        }
    }
}

/// A validated public key: an EC point on its curve, or an Ed25519 key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    curve: Curve,
    /// Uncompressed SEC1 point for EC, the 32 bytes for Ed25519.
    raw: Vec<u8>,
}

impl PublicKey {
    /// An EC public key from its affine coordinates (each exactly the field length).
    /// A point not on the curve, or a coordinate ≥ p, is `Malformed`.
    pub fn from_ec_coordinates(curve: Curve, x: &[u8], y: &[u8]) -> Result<Self> {
        let params = match curve {
            Curve::P256 => &curve::P256,
            Curve::P384 => &curve::P384,
            Curve::Ed25519 => return Err(malformed("Ed25519 keys have no coordinates")),
        };
        let n = curve.field_len();
        if x.len() != n || y.len() != n {
            return Err(malformed(format!(
                "{} coordinates must be {n} bytes each",
                curve.name()
            )));
        }
        if !curve::on_curve(params, x, y) {
            return Err(malformed(format!("the point is not on {}", curve.name())));
        }
        let mut raw = Vec::with_capacity(1 + 2 * n);
        raw.push(4);
        raw.extend_from_slice(x);
        raw.extend_from_slice(y);
        Ok(PublicKey { curve, raw })
    }

    /// An EC public key from an uncompressed SEC1 point (`04‖x‖y`).
    pub fn from_sec1(curve: Curve, point: &[u8]) -> Result<Self> {
        let n = curve.field_len();
        match point.split_first() {
            Some((4, xy)) if xy.len() == 2 * n => {
                let (x, y) = xy.split_at(n);
                Self::from_ec_coordinates(curve, x, y)
            }
            _ => Err(malformed(format!(
                "{} public key is not an uncompressed point",
                curve.name()
            ))),
        }
    }

    /// An Ed25519 public key from its 32 bytes, which must encode a point
    /// of edwards25519 (checked here, at parse time, as for EC keys).
    pub fn from_ed25519(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 32 {
            return Err(malformed("an Ed25519 public key is 32 bytes"));
        }
        if !curve::ed25519_decodes(bytes) {
            return Err(malformed(
                "the Ed25519 public key is not a point of edwards25519 (RFC 8032 §5.1.3)",
            ));
        }
        Ok(PublicKey {
            curve: Curve::Ed25519,
            raw: bytes.to_vec(),
        })
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The raw key (uncompressed point for EC, 32 bytes for Ed25519).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The x coordinate (EC) or the key bytes (Ed25519).
    pub fn x(&self) -> &[u8] {
        match self.curve {
            Curve::Ed25519 => &self.raw,
            c => self.raw.get(1..1 + c.field_len()).unwrap_or_default(),
        }
    }

    /// The y coordinate (EC only; empty for Ed25519).
    pub fn y(&self) -> &[u8] {
        match self.curve {
            Curve::Ed25519 => &[],
            c => self.raw.get(1 + c.field_len()..).unwrap_or_default(),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.curve.name(),
            crate::encoding::b64u_encode(&self.raw)
        )
    }
}

enum Inner {
    Ecdsa(rs::EcdsaKeyPair),
    Ed25519(rs::Ed25519KeyPair),
}

/// A private key held in this process. The secret zeroizes on drop and is never
/// printed: `Debug` shows the public half only. No `Clone`.
pub struct PrivateKey {
    alg: Algorithm,
    public: PublicKey,
    inner: Inner,
    secret: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({}, {:?})", self.alg.jose_name(), self.public)
    }
}

fn ecdsa_signing(alg: Algorithm) -> &'static rs::EcdsaSigningAlgorithm {
    match alg {
        Algorithm::Es384 => &rs::ECDSA_P384_SHA384_FIXED_SIGNING,
        _ => &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
    }
}

fn rng_failed() -> Error {
    Error::new(ErrorKind::Storage, "key generation failed")
}

impl PrivateKey {
    /// Generates a fresh key for `alg` from the system RNG.
    pub fn generate(alg: Algorithm) -> Result<Self> {
        let rng = ring::rand::SystemRandom::new();
        match alg {
            Algorithm::Es256 | Algorithm::Es384 => {
                let doc = rs::EcdsaKeyPair::generate_pkcs8(ecdsa_signing(alg), &rng)
                    .map_err(|_| rng_failed())?;
                let d = ec_private_from_pkcs8(doc.as_ref())?;
                let pair = rs::EcdsaKeyPair::from_pkcs8(ecdsa_signing(alg), doc.as_ref(), &rng)
                    .map_err(|_| rng_failed())?;
                let public = PublicKey::from_sec1(alg.curve(), pair.public_key().as_ref())?;
                Ok(PrivateKey {
                    alg,
                    public,
                    inner: Inner::Ecdsa(pair),
                    secret: d,
                })
            }
            Algorithm::EdDsa => {
                let doc = rs::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| rng_failed())?;
                let seed = ed25519_seed_from_pkcs8(doc.as_ref())?;
                Self::from_secret(alg, &seed, None)
            }
        }
    }

    /// A key from its secret (`d` for EC, the 32-byte seed for Ed25519). When
    /// `public` is given it must match the secret.
    pub fn from_secret(alg: Algorithm, secret: &[u8], public: Option<&PublicKey>) -> Result<Self> {
        let rng = ring::rand::SystemRandom::new();
        match alg {
            Algorithm::Es256 | Algorithm::Es384 => {
                let public = public.ok_or_else(|| {
                    crate::error::misuse("an EC private key needs its public key")
                })?;
                if public.curve() != alg.curve() {
                    return Err(malformed("the public key is on another curve"));
                }
                if secret.len() != alg.curve().field_len() {
                    return Err(malformed(format!(
                        "a {} private key is {} bytes",
                        alg.curve().name(),
                        alg.curve().field_len()
                    )));
                }
                let pair = rs::EcdsaKeyPair::from_private_key_and_public_key(
                    ecdsa_signing(alg),
                    secret,
                    public.raw(),
                    &rng,
                )
                .map_err(|_| malformed("the private key does not match its public key"))?;
                Ok(PrivateKey {
                    alg,
                    public: public.clone(),
                    inner: Inner::Ecdsa(pair),
                    secret: Zeroizing::new(secret.to_vec()),
                })
            }
            Algorithm::EdDsa => {
                if secret.len() != 32 {
                    return Err(malformed("an Ed25519 private key is 32 bytes"));
                }
                let pair = match public {
                    Some(p) => rs::Ed25519KeyPair::from_seed_and_public_key(secret, p.raw()),
                    None => rs::Ed25519KeyPair::from_seed_unchecked(secret),
                }
                .map_err(|_| malformed("the private key does not match its public key"))?;
                let public = PublicKey::from_ed25519(pair.public_key().as_ref())?;
                Ok(PrivateKey {
                    alg,
                    public,
                    inner: Inner::Ed25519(pair),
                    secret: Zeroizing::new(secret.to_vec()),
                })
            }
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The secret bytes, for writing a private JWK.
    pub(crate) fn secret_bytes(&self) -> &[u8] {
        &self.secret
    }
}

impl Signer for PrivateKey {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.inner {
            Inner::Ecdsa(pair) => pair
                .sign(&ring::rand::SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| Error::new(ErrorKind::Signature, "signing failed")),
            Inner::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// Extracts `d` from ring's ECDSA PKCS#8 document.
fn ec_private_from_pkcs8(doc: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut outer = Reader::new(doc);
    let mut pki = Reader::new(outer.expect(tag::SEQUENCE)?);
    der::read_uint(&mut pki)?;
    pki.expect(tag::SEQUENCE)?;
    let mut ec = Reader::new(pki.expect(tag::OCTET_STRING)?);
    let mut ec = Reader::new(ec.expect(tag::SEQUENCE)?);
    der::read_uint(&mut ec)?;
    Ok(Zeroizing::new(ec.expect(tag::OCTET_STRING)?.to_vec()))
}

/// Extracts the seed from ring's Ed25519 PKCS#8 v2 document.
fn ed25519_seed_from_pkcs8(doc: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut outer = Reader::new(doc);
    let mut pki = Reader::new(outer.expect(tag::SEQUENCE)?);
    der::read_uint(&mut pki)?;
    pki.expect(tag::SEQUENCE)?;
    let mut inner = Reader::new(pki.expect(tag::OCTET_STRING)?);
    Ok(Zeroizing::new(inner.expect(tag::OCTET_STRING)?.to_vec()))
}
