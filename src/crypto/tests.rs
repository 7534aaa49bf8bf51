use super::*;
use crate::error::ErrorKind;

#[test]
fn sign_and_verify_each_algorithm() {
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::EdDsa] {
        let k = PrivateKey::generate(alg).unwrap();
        let sig = k.sign(b"hello").unwrap();
        assert_eq!(sig.len(), alg.signature_len());
        let _ = verify_signature(alg, k.public_key(), b"hello", &sig).unwrap();
        assert_eq!(
            verify_signature(alg, k.public_key(), b"hellO", &sig)
                .unwrap_err()
                .kind(),
            ErrorKind::Signature
        );
        // a round trip through the secret gives the same key
        let again = PrivateKey::from_secret(alg, k.secret_bytes(), Some(k.public_key())).unwrap();
        let _ = verify_signature(alg, k.public_key(), b"x", &again.sign(b"x").unwrap()).unwrap();
    }
}

#[test]
fn no_curve_coercion() {
    // JWS-05 / JWS-07
    let p256 = PrivateKey::generate(Algorithm::Es256).unwrap();
    let sig = p256.sign(b"m").unwrap();
    assert_eq!(
        verify_signature(Algorithm::Es384, p256.public_key(), b"m", &sig)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    assert_eq!(
        verify_signature(Algorithm::EdDsa, p256.public_key(), b"m", &sig)
            .unwrap_err()
            .kind(),
        ErrorKind::Unsupported
    );
    let ed = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    assert_eq!(
        verify_signature(Algorithm::Es256, ed.public_key(), b"m", &sig)
            .unwrap_err()
            .kind(),
        ErrorKind::Unsupported
    );
}

#[test]
fn signature_encodings_are_fixed_length() {
    // SIG-01 / SIG-02 / SIG-03: DER, wrong lengths and zero values all fail as `signature`
    let k = PrivateKey::generate(Algorithm::Es256).unwrap();
    let sig = k.sign(b"m").unwrap();
    let mut der = vec![0x30, 0x44, 0x02, 0x20];
    der.extend_from_slice(&sig[..32]);
    der.extend_from_slice(&[0x02, 0x20]);
    der.extend_from_slice(&sig[32..]);
    for bad in [
        der,
        sig[..63].to_vec(),
        [sig.clone(), vec![0]].concat(),
        vec![],
        vec![0; 64],
    ] {
        assert_eq!(
            verify_signature(Algorithm::Es256, k.public_key(), b"m", &bad)
                .unwrap_err()
                .kind(),
            ErrorKind::Signature
        );
    }
}

#[test]
fn points_are_validated_at_parse() {
    // SIG-08 / SIG-09
    let k = PrivateKey::generate(Algorithm::Es256).unwrap();
    let (x, y) = (k.public_key().x().to_vec(), k.public_key().y().to_vec());
    PublicKey::from_ec_coordinates(Curve::P256, &x, &y).unwrap();
    let mut y2 = y.clone();
    y2[31] ^= 1;
    assert_eq!(
        PublicKey::from_ec_coordinates(Curve::P256, &x, &y2)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        PublicKey::from_ec_coordinates(Curve::P256, &x[1..], &y)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    let ff = vec![0xff; 32];
    assert!(PublicKey::from_ec_coordinates(Curve::P256, &ff, &y).is_err());
    assert!(PublicKey::from_ec_coordinates(Curve::P256, &[0; 32], &[0; 32]).is_err());
    let k384 = PrivateKey::generate(Algorithm::Es384).unwrap();
    let p = k384.public_key();
    PublicKey::from_ec_coordinates(Curve::P384, p.x(), p.y()).unwrap();
    let mut x3 = p.x().to_vec();
    x3[0] ^= 0x80;
    assert!(PublicKey::from_ec_coordinates(Curve::P384, &x3, p.y()).is_err());
}

#[test]
fn alg_names_are_exact() {
    // JWS-01 / JWS-02 / JWS-04 / JWS-06 / JWS-08
    for bad in [
        "none", "None", "NONE", "nOnE", "HS256", "HS512", "RS256", "PS256", "ES256K", "ES512",
        "Ed448", "", "es256",
    ] {
        assert_eq!(
            Algorithm::from_jose(bad).unwrap_err().kind(),
            ErrorKind::Unsupported,
            "{bad}"
        );
    }
}
