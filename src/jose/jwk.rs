//! JWK for EC P-256 / P-384 and OKP Ed25519, public and private.

use crate::crypto::{Algorithm, Curve, PrivateKey, PublicKey};
use crate::encoding::{b64u_decode, b64u_encode, parse_json_object};
use crate::error::{malformed, unsupported, Result};
use serde_json::{Map, Value};

const MAX_COORD_B64: usize = 128;

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(malformed(format!("JWK member {name:?} is not a string"))),
        None => Err(malformed(format!("JWK member {name:?} is missing"))),
    }
}

fn curve_of(jwk: &Map<String, Value>) -> Result<Curve> {
    let kty = member(jwk, "kty")?;
    let crv = || member(jwk, "crv");
    match kty {
        "EC" => match crv()? {
            "P-256" => Ok(Curve::P256),
            "P-384" => Ok(Curve::P384),
            other => Err(unsupported(format!("EC curve {other:?} is not supported"))),
        },
        "OKP" => match crv()? {
            "Ed25519" => Ok(Curve::Ed25519),
            other => Err(unsupported(format!("OKP curve {other:?} is not supported"))),
        },
        other => Err(unsupported(format!(
            "JWK key type {other:?} is not supported"
        ))),
    }
}

fn public_from(jwk: &Map<String, Value>, curve: Curve) -> Result<PublicKey> {
    let x = b64u_decode(member(jwk, "x")?, MAX_COORD_B64, "JWK x")?;
    match curve {
        Curve::Ed25519 => PublicKey::from_ed25519(&x),
        c => {
            let y = b64u_decode(member(jwk, "y")?, MAX_COORD_B64, "JWK y")?;
            PublicKey::from_ec_coordinates(c, &x, &y)
        }
    }
}

/// Reads a public JWK. Private material (`d`) is `Malformed`: keys from the wire
/// (cnf, did:jwk, trust files) are public only.
pub(crate) fn public_key_from_jwk(jwk: &Map<String, Value>) -> Result<PublicKey> {
    if jwk.contains_key("d") {
        return Err(malformed(
            "a public JWK must not contain private material (d)",
        ));
    }
    let curve = curve_of(jwk)?;
    public_from(jwk, curve)
}

/// Reads a private JWK (with `d`).
pub(crate) fn private_key_from_jwk(jwk: &Map<String, Value>) -> Result<PrivateKey> {
    let curve = curve_of(jwk)?;
    let alg = match jwk.get("alg") {
        Some(Value::String(a)) => {
            let alg = Algorithm::from_jose(a)?;
            if alg.curve() != curve {
                return Err(unsupported(format!(
                    "alg {a} does not fit curve {}",
                    curve.name()
                )));
            }
            alg
        }
        Some(_) => return Err(malformed("JWK alg is not a string")),
        None => Algorithm::for_curve(curve),
    };
    let public = public_from(jwk, curve)?;
    let d = zeroize::Zeroizing::new(b64u_decode(member(jwk, "d")?, MAX_COORD_B64, "JWK d")?);
    PrivateKey::from_secret(alg, &d, Some(&public))
}

/// The public JWK of `key` (only the required members).
pub(crate) fn public_jwk(key: &PublicKey) -> Map<String, Value> {
    let mut m = Map::new();
    match key.curve() {
        Curve::Ed25519 => {
            m.insert("kty".into(), "OKP".into());
            m.insert("crv".into(), "Ed25519".into());
            m.insert("x".into(), b64u_encode(key.x()).into());
        }
        c => {
            m.insert("kty".into(), "EC".into());
            m.insert("crv".into(), c.name().into());
            m.insert("x".into(), b64u_encode(key.x()).into());
            m.insert("y".into(), b64u_encode(key.y()).into());
        }
    }
    m
}

/// The private JWK of `key`, with `alg`.
pub(crate) fn private_jwk(key: &PrivateKey) -> Map<String, Value> {
    let mut m = public_jwk(key.public_key());
    m.insert("d".into(), b64u_encode(key.secret_bytes()).into());
    m.insert("alg".into(), key.algorithm().jose_name().into());
    m
}

impl PublicKey {
    /// Reads a public key from JWK text. Members other than the key's own are
    /// ignored; a JWK with private material is rejected.
    ///
    /// ```
    /// let jwk = r#"{"kty":"EC","crv":"P-256",
    ///   "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
    ///   "y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}"#;
    /// let key = passerelle::PublicKey::from_jwk(jwk)?;
    /// assert_eq!(key.curve(), passerelle::Curve::P256);
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn from_jwk(text: &str) -> Result<Self> {
        public_key_from_jwk(&parse_json_object(text.as_bytes(), "JWK")?)
    }

    /// Reads the public half of a JWK that may also hold the private part:
    /// the private members (`d`) are dropped, unread, and the public ones read
    /// as [`from_jwk`](Self::from_jwk) does. For a host that keeps one key
    /// file per key (the CLI's `--holder-key`, a wallet's key store) and needs
    /// the public key of either kind of file; keys from the wire must go
    /// through [`from_jwk`](Self::from_jwk), which refuses private material.
    ///
    /// ```
    /// use passerelle::{Algorithm, PrivateKey, PublicKey};
    /// let key = PrivateKey::generate(Algorithm::Es256)?;
    /// let private_jwk = key.to_jwk();
    /// assert!(PublicKey::from_jwk(&private_jwk).is_err()); // the strict reader refuses it
    /// let public = PublicKey::from_public_or_private_jwk(&private_jwk)?;
    /// assert_eq!(&public, key.public_key());
    /// // a public JWK reads the same
    /// assert_eq!(PublicKey::from_public_or_private_jwk(&public.to_jwk())?, public);
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn from_public_or_private_jwk(text: &str) -> Result<Self> {
        let mut jwk = parse_json_object(text.as_bytes(), "JWK")?;
        if let Some(Value::String(mut d)) = jwk.remove("d") {
            zeroize::Zeroize::zeroize(&mut d);
        }
        public_key_from_jwk(&jwk)
    }

    /// The key as public JWK text.
    pub fn to_jwk(&self) -> String {
        Value::Object(public_jwk(self)).to_string()
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn jwk_thumbprint(&self) -> String {
        // RFC 7638: required members only, lexicographic order, no whitespace.
        let canonical = match self.curve() {
            Curve::Ed25519 => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                b64u_encode(self.x())
            ),
            c => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                c.name(),
                b64u_encode(self.x()),
                b64u_encode(self.y())
            ),
        };
        b64u_encode(crate::crypto::sha256(canonical.as_bytes()))
    }
}

impl PrivateKey {
    /// Reads a private key from JWK text (EC P-256/P-384 or OKP Ed25519, with `d`).
    pub fn from_jwk(text: &str) -> Result<Self> {
        private_key_from_jwk(&parse_json_object(text.as_bytes(), "JWK")?)
    }

    /// The key as private JWK text (with `alg`). Handle with care: it holds the secret.
    pub fn to_jwk(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(Value::Object(private_jwk(self)).to_string())
    }
}
