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

/// Issue 8: Ed25519 keys are validated as curve points at parse time too.
#[test]
fn ed25519_points_are_validated_at_parse() {
    // RFC 8032 §7.1 test 1 public key, and freshly generated ones
    let rfc = [
        0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07,
        0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07,
        0x51, 0x1a,
    ];
    PublicKey::from_ed25519(&rfc).unwrap();
    for _ in 0..32 {
        let k = PrivateKey::generate(Algorithm::EdDsa).unwrap();
        PublicKey::from_ed25519(k.public_key().x()).unwrap();
    }
    let le = |y: u8, sign: bool| {
        let mut b = [0u8; 32];
        b[0] = y;
        if sign {
            b[31] |= 0x80;
        }
        b
    };
    // y = 1 is the identity (x = 0): valid with a clear sign bit, not with a set one
    PublicKey::from_ed25519(&le(1, false)).unwrap();
    // y = 2, 7, 8: (y² − 1)/(d·y² + 1) is not a square (computed independently)
    for bad in [le(2, false), le(7, false), le(8, true), le(1, true)] {
        assert_eq!(
            PublicKey::from_ed25519(&bad).unwrap_err().kind(),
            ErrorKind::Malformed,
            "{bad:?}"
        );
    }
    // y ≥ p (non-canonical): 2^255 − 1 and p itself
    let mut big = [0xffu8; 32];
    big[31] = 0x7f;
    assert!(PublicKey::from_ed25519(&big).is_err());
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert!(PublicKey::from_ed25519(&p).is_err());
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

/// Wycheproof (C2SP, testvectors_v1): every P-256 and P-384 IEEE P1363 vector and
/// every Ed25519 vector through our key parsing and `verify_signature`: `valid`
/// verifies, `invalid` fails (as `Signature`, or `Malformed` at key parse),
/// `acceptable` may go either way. Covers SIG-02..07, SIG-11..13.
#[test]
fn wycheproof() {
    fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/wycheproof");
    let mut counts = [0usize; 3];
    for (file, alg) in [
        ("ecdsa_secp256r1_sha256_p1363_test.json", Algorithm::Es256),
        ("ecdsa_secp384r1_sha384_p1363_test.json", Algorithm::Es384),
        ("ed25519_test.json", Algorithm::EdDsa),
    ] {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        for g in v["testGroups"].as_array().unwrap() {
            let pk = &g["publicKey"];
            let key = match alg {
                Algorithm::EdDsa => PublicKey::from_ed25519(&hex(pk["pk"].as_str().unwrap())),
                _ => PublicKey::from_sec1(alg.curve(), &hex(pk["uncompressed"].as_str().unwrap())),
            };
            for t in g["tests"].as_array().unwrap() {
                let res = key.as_ref().map_err(Clone::clone).and_then(|k| {
                    verify_signature(
                        alg,
                        k,
                        &hex(t["msg"].as_str().unwrap()),
                        &hex(t["sig"].as_str().unwrap()),
                    )
                });
                let id = format!("{file} tcId {}: {}", t["tcId"], t["comment"]);
                match t["result"].as_str().unwrap() {
                    "valid" => {
                        assert!(res.is_ok(), "{id}: {:?}", res.err());
                        counts[0] += 1;
                    }
                    "invalid" => {
                        let e = res.err().unwrap_or_else(|| panic!("{id}: accepted"));
                        assert!(
                            matches!(e.kind(), ErrorKind::Signature | ErrorKind::Malformed),
                            "{id}: {e}"
                        );
                        counts[1] += 1;
                    }
                    _ => counts[2] += 1,
                }
            }
        }
    }
    // 173 + 193 + (Ed25519 valid) valid, 89 + 87 + (Ed25519 invalid) invalid
    assert!(counts[0] >= 366 && counts[1] >= 176, "{counts:?}");
}
