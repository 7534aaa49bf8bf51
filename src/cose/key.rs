//! COSE_Key (RFC 9052 §7, RFC 9053 §7) ↔ [`PublicKey`]: EC2 P-256 / P-384 with
//! both coordinates, OKP Ed25519.

use super::cbor::{Item, Value};
use super::header::sign_alg;
use crate::crypto::{Curve, PublicKey};
use crate::error::{malformed, unsupported, Result};
use coset::iana::{self, EnumI64};

const KTY: i64 = 1;
const ALG: i64 = 3;
const CRV: i64 = -1;
const X: i64 = -2;
const Y: i64 = -3;
const D: i64 = -4;

fn int_of(item: &Item, what: &str) -> Result<i64> {
    match item.value() {
        Value::Int(_) => item
            .as_int(what)
            .map_err(|_| unsupported(format!("{what} is out of range"))),
        Value::Text(t) => Err(unsupported(format!(
            "{what} {:?} is not supported",
            crate::crypto::clip(t)
        ))),
        _ => Err(malformed(format!(
            "{what} is {}, not an int or a text string",
            item.kind_name()
        ))),
    }
}

/// Reads a public COSE_Key.
///
/// `kty` OKP (1) with `crv` Ed25519 (6), or EC2 (2) with `crv` P-256 (1) or
/// P-384 (2) and `x`/`y` as byte strings. RSA, symmetric, other curves and
/// compressed points (`y` as a bool) are `Unsupported`. A private `d`, a missing
/// or wrongly typed parameter, a `y` on an OKP key, an off-curve point, or an
/// `alg` of the other curve is `Malformed`.
pub(crate) fn public_key_from_cose_key(item: &Item) -> Result<PublicKey> {
    item.as_map("a COSE_Key")?;
    if item.get_int(D).is_some() {
        return Err(malformed(
            "a COSE_Key holds a private key (d) where a public key is expected",
        ));
    }
    let kty = item
        .get_int(KTY)
        .ok_or_else(|| malformed("a COSE_Key has no kty"))?;
    let kty = int_of(kty, "COSE_Key kty")?;
    let crv = || -> Result<i64> {
        let c = item
            .get_int(CRV)
            .ok_or_else(|| malformed("a COSE_Key has no crv"))?;
        int_of(c, "COSE_Key crv")
    };
    let x = || -> Result<&[u8]> {
        item.get_int(X)
            .ok_or_else(|| malformed("a COSE_Key has no x"))?
            .as_bytes("COSE_Key x")
    };
    let key = if kty == iana::KeyType::EC2.to_i64() {
        let c = crv()?;
        let curve = if c == iana::EllipticCurve::P_256.to_i64() {
            Curve::P256
        } else if c == iana::EllipticCurve::P_384.to_i64() {
            Curve::P384
        } else {
            return Err(unsupported(format!(
                "COSE_Key EC2 curve {c} is not supported"
            )));
        };
        let y = item
            .get_int(Y)
            .ok_or_else(|| malformed("a COSE_Key EC2 key has no y"))?;
        let y = match y.value() {
            Value::Bytes(b) => b.as_slice(),
            Value::Bool(_) => {
                return Err(unsupported(
                    "COSE_Key EC2 compressed points are not supported",
                ))
            }
            _ => return Err(malformed("COSE_Key y is not a byte string")),
        };
        PublicKey::from_ec_coordinates(curve, x()?, y)?
    } else if kty == iana::KeyType::OKP.to_i64() {
        let c = crv()?;
        if c != iana::EllipticCurve::Ed25519.to_i64() {
            return Err(unsupported(format!(
                "COSE_Key OKP curve {c} is not supported (Ed25519 is)"
            )));
        }
        if item.get_int(Y).is_some() {
            return Err(malformed("a COSE_Key OKP key has a y"));
        }
        PublicKey::from_ed25519(x()?)?
    } else {
        return Err(unsupported(format!(
            "COSE_Key kty {kty} is not supported (EC2 and OKP are)"
        )));
    };
    if let Some(alg) = item.get_int(ALG) {
        let alg = sign_alg(alg)?;
        if alg.curve() != key.curve() {
            return Err(malformed(format!(
                "COSE_Key alg {} does not match its {} key",
                alg.jose_name(),
                key.curve().name()
            )));
        }
    }
    Ok(key)
}

#[cfg(any(fuzzing, test))]
/// Reads a public COSE_Key from bytes.
pub(crate) fn public_key_from_cose_key_bytes(bytes: &[u8]) -> Result<PublicKey> {
    public_key_from_cose_key(&super::cbor::decode(bytes)?)
}

/// The COSE_Key of `key` (`kty`, `crv`, `x`, and `y` for EC2), deterministic.
pub(crate) fn cose_key_from_public_key(key: &PublicKey) -> Item {
    let entries = match key.curve() {
        Curve::Ed25519 => vec![
            (Item::int(KTY), Item::int(iana::KeyType::OKP.to_i64())),
            (
                Item::int(CRV),
                Item::int(iana::EllipticCurve::Ed25519.to_i64()),
            ),
            (Item::int(X), Item::bytes(key.x())),
        ],
        curve => vec![
            (Item::int(KTY), Item::int(iana::KeyType::EC2.to_i64())),
            (
                Item::int(CRV),
                Item::int(if curve == Curve::P384 {
                    iana::EllipticCurve::P_384.to_i64()
                } else {
                    iana::EllipticCurve::P_256.to_i64()
                }),
            ),
            (Item::int(X), Item::bytes(key.x())),
            (Item::int(Y), Item::bytes(key.y())),
        ],
    };
    // Distinct constant labels: the map cannot have a duplicate.
    Item::map(entries).unwrap_or_else(|_| Item::null())
}
