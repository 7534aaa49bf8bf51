use super::*;
use crate::crypto::{Algorithm, PrivateKey};
use crate::encoding::parse_json_object;
use crate::error::ErrorKind;
use crate::trust::did::{did_key_method_key, did_key_public_key};
use serde_json::json;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/data-integrity");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}/{path}")).unwrap()
}

fn obj(text: &str) -> Map<String, Value> {
    parse_json_object(text.as_bytes(), "test").unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Resolves `did:key:X#X` methods, any purpose.
fn did_key_resolver(vm: &str, _purpose: &str) -> Result<PublicKey> {
    did_key_method_key(vm)
}

fn t(s: &str) -> UnixTime {
    crate::time::parse_rfc3339(s).unwrap()
}

/// The Ed25519 key of vc-di-eddsa `keyPair.json` (ed25519-priv multikey: 0x80 0x26 ‖ seed).
fn eddsa_vector_key() -> PrivateKey {
    let pair = obj(&read("eddsa-jcs-2022/keyPair.json"));
    let secret =
        base58::multibase_decode(pair["privateKeyMultibase"].as_str().unwrap(), "t").unwrap();
    assert_eq!(&secret[..2], &[0x80, 0x26]);
    let public = did_key_public_key(&format!(
        "did:key:{}",
        pair["publicKeyMultibase"].as_str().unwrap()
    ))
    .unwrap();
    PrivateKey::from_secret(Algorithm::EdDsa, &secret[2..], Some(&public)).unwrap()
}

fn ec_vector_key(file: &str, alg: Algorithm) -> PrivateKey {
    let pair = obj(&read(file));
    let secret =
        base58::multibase_decode(pair["secretKeyMultibase"].as_str().unwrap(), "t").unwrap();
    // p256-priv 0x1306 / p384-priv 0x1307 as varints
    let (_, raw) = crate::trust::did::read_varint(&secret).unwrap();
    let public = did_key_public_key(&format!(
        "did:key:{}",
        pair["publicKeyMultibase"].as_str().unwrap()
    ))
    .unwrap();
    PrivateKey::from_secret(alg, raw, Some(&public)).unwrap()
}

fn eddsa_options() -> ProofOptions {
    let config = obj(&read("eddsa-jcs-2022/proofConfigJCS.json"));
    ProofOptions::new(
        Cryptosuite::EddsaJcs2022,
        config["verificationMethod"].as_str().unwrap(),
        "assertionMethod",
        Some(t(config["created"].as_str().unwrap())),
    )
}

#[test]
fn base58_round_trip_and_rejects() {
    // Bitcoin's base58 test cases
    let cases: &[(&[u8], &str)] = &[
        (b"", ""),
        (&[0x61], "2g"),
        (&[0x62, 0x62, 0x62], "a3gV"),
        (&[0x63, 0x63, 0x63], "aPEr"),
        (b"simply a long string", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
        (&[0, 0, 0, 0x28, 0x7f, 0xb4, 0xcd], "111233QC4"),
        (
            &[
                0, 0xeb, 0x15, 0x23, 0x1d, 0xfc, 0xeb, 0x60, 0x92, 0x58, 0x86, 0xb6, 0x7d, 0x06,
                0x52, 0x99, 0x92, 0x59, 0x15, 0xae, 0xb1, 0x72, 0xc0, 0x66, 0x47,
            ],
            "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
        ),
        (&[0], "1"),
    ];
    for (bytes, text) in cases {
        assert_eq!(base58::encode(bytes), *text);
        assert_eq!(base58::decode(text, "t").unwrap(), *bytes);
    }
    for bad in ["0", "O", "I", "l", "+", "a b", "é"] {
        assert_eq!(
            base58::decode(bad, "t").unwrap_err().kind(),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    let at_limit = "2".repeat(base58::MAX_BASE58_CHARS);
    assert!(base58::decode(&at_limit, "t").is_ok());
    let past = "2".repeat(base58::MAX_BASE58_CHARS + 1);
    assert_eq!(
        base58::decode(&past, "t").unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    assert_eq!(
        base58::multibase_decode("2g", "t").unwrap_err().kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        base58::multibase_decode("uYQ", "t").unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert_eq!(base58::multibase_decode("z2g", "t").unwrap(), vec![0x61]);
}

#[test]
fn eddsa_jcs_2022_spec_vector_byte_for_byte() {
    let key = eddsa_vector_key();
    let unsigned = obj(&read("eddsa-jcs-2022/unsigned.json"));
    let options = eddsa_options();
    let proof = create_proof(&unsigned, &options, &key).unwrap();

    // the proof configuration: same members as proofConfigJCS.json, @context copied from the document
    let mut config = proof.clone();
    config.remove("proofValue");
    assert_eq!(
        Value::Object(config.clone()),
        Value::Object(obj(&read("eddsa-jcs-2022/proofConfigJCS.json")))
    );
    assert_eq!(
        canonicalize(&Value::Object(config.clone())).unwrap(),
        read("eddsa-jcs-2022/proofCanonJCS.txt")
    );
    assert_eq!(
        canonicalize(&Value::Object(unsigned.clone())).unwrap(),
        read("eddsa-jcs-2022/canonDocJCS.txt")
    );
    let data = hash_data(HashAlg::Sha256, &config, &unsigned).unwrap();
    assert_eq!(hex(&data), read("eddsa-jcs-2022/combinedHashJCS.txt"));
    assert_eq!(
        proof["proofValue"],
        json!(read("eddsa-jcs-2022/sigBTC58JCS.txt"))
    );
    let sig = base58::multibase_decode(&read("eddsa-jcs-2022/sigBTC58JCS.txt"), "t").unwrap();
    assert_eq!(hex(&sig), read("eddsa-jcs-2022/sigHexJCS.txt"));

    // the whole signed document equals signedJCS.json
    let mut signed = unsigned.clone();
    add_proof(&mut signed, &options, &key).unwrap();
    assert_eq!(
        Value::Object(signed.clone()),
        Value::Object(obj(&read("eddsa-jcs-2022/signedJCS.json")))
    );

    let now = t("2024-01-01T00:00:00Z");
    let verified = verify_proofs(&signed, &did_key_resolver, &VerifyOptions::at(now)).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].cryptosuite(), Cryptosuite::EddsaJcs2022);
    assert_eq!(verified[0].proof_purpose(), "assertionMethod");
    assert_eq!(verified[0].created(), Some(t("2023-02-24T23:36:38Z")));
}

#[test]
fn eddsa_jcs_2022_signed_vector_verifies_and_tamper_fails() {
    let signed = obj(&read("eddsa-jcs-2022/signedJCS.json"));
    let now = VerifyOptions::at(t("2024-01-01T00:00:00Z"));
    assert!(verify_proofs(&signed, &did_key_resolver, &now).is_ok());

    let mut tampered = signed.clone();
    tampered["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
    assert_eq!(
        verify_proofs(&tampered, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );

    // a different proofValue (one base58 digit changed)
    let mut wrong = signed.clone();
    let pv = wrong["proof"]["proofValue"].as_str().unwrap().to_owned();
    let last = if pv.ends_with('X') { "Y" } else { "X" };
    wrong["proof"]["proofValue"] = json!(format!("{}{last}", &pv[..pv.len() - 1]));
    assert_eq!(
        verify_proofs(&wrong, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );

    // proof options are signed too
    let mut purpose = signed.clone();
    purpose["proof"]["proofPurpose"] = json!("authentication");
    assert_eq!(
        verify_proofs(&purpose, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );

    // proof @context not a prefix of the document's
    let mut ctx = signed.clone();
    ctx["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    assert_eq!(
        verify_proofs(&ctx, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );

    // issue 8: a document @context that extends the proof's would be hashed
    // with the proof's, so the appended entry is signed by nobody: refused
    let mut ext = signed.clone();
    ext["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/extra/v1"));
    assert_eq!(
        verify_proofs(&ext, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn unsupported_and_malformed_proofs() {
    let signed = obj(&read("eddsa-jcs-2022/signedJCS.json"));
    let now = VerifyOptions::at(t("2024-01-01T00:00:00Z"));
    let kind = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut d = signed.clone();
        f(&mut d);
        verify_proofs(&d, &did_key_resolver, &now)
            .unwrap_err()
            .kind()
    };
    for suite in ["eddsa-rdfc-2022", "ecdsa-sd-2023", "bbs-2023", "nope"] {
        assert_eq!(
            kind(&|d| d["proof"]["cryptosuite"] = json!(suite)),
            ErrorKind::Unsupported,
            "{suite}"
        );
    }
    assert_eq!(
        kind(&|d| d["proof"]["type"] = json!("Ed25519Signature2020")),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(&|d| d["proof"]["previousProof"] = json!("urn:x")),
        ErrorKind::Unsupported
    );
    // eddsa-jcs-2022 claimed for a P-256 did:key
    assert_eq!(
        kind(&|d| {
            d["proof"]["verificationMethod"] = json!("did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv#zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv")
        }),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(&|d| {
            d.remove("proof");
        }),
        ErrorKind::Malformed
    );
    assert_eq!(kind(&|d| d["proof"] = json!([])), ErrorKind::Malformed);
    assert_eq!(kind(&|d| d["proof"] = json!("z")), ErrorKind::Malformed);
    assert_eq!(
        kind(&|d| {
            d["proof"].as_object_mut().unwrap().remove("proofValue");
        }),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(&|d| d["proof"]["proofValue"] = json!("u2HnFSS")),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(&|d| d["proof"]["proofValue"] = json!("z0OIl")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(&|d| d["proof"]["created"] = json!("yesterday")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(&|d| d["proof"]["verificationMethod"] = json!(7)),
        ErrorKind::Malformed
    );
    let many: Vec<Value> = (0..=MAX_PROOFS).map(|_| signed["proof"].clone()).collect();
    assert_eq!(
        kind(&|d| d["proof"] = json!(many.clone())),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn vc14_created_in_future_expires_in_past() {
    let key = eddsa_vector_key();
    let unsigned = obj(&read("eddsa-jcs-2022/unsigned.json"));
    let now = t("2024-06-01T00:00:00Z");
    let mut opts = eddsa_options();
    opts.created = Some(t("2024-06-02T00:00:00Z"));
    let mut doc = unsigned.clone();
    add_proof(&mut doc, &opts, &key).unwrap();
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &VerifyOptions::at(now))
            .unwrap_err()
            .kind(),
        ErrorKind::NotYetValid
    );
    // within the caller's skew it passes
    assert!(verify_proofs(
        &doc,
        &did_key_resolver,
        &VerifyOptions::at(now).with_skew(86_400)
    )
    .is_ok());

    let mut opts = eddsa_options();
    opts.expires = Some(t("2024-05-31T00:00:00Z"));
    let mut doc = unsigned.clone();
    add_proof(&mut doc, &opts, &key).unwrap();
    assert!(doc["proof"]["expires"].is_string());
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &VerifyOptions::at(now))
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );

    // issue 8: the boundary counts as expired, as for exp and validUntil
    // (expired iff now >= expires + skew)
    let mut opts = eddsa_options();
    opts.expires = Some(now);
    let mut at_boundary = unsigned.clone();
    add_proof(&mut at_boundary, &opts, &key).unwrap();
    assert_eq!(
        verify_proofs(&at_boundary, &did_key_resolver, &VerifyOptions::at(now))
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    let before = VerifyOptions::at(UnixTime::from_secs(now.as_secs() - 1));
    assert!(verify_proofs(&at_boundary, &did_key_resolver, &before).is_ok());

    // a forged proof with a future `created` reports Signature, not a time error
    doc["name"] = json!("forged");
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &VerifyOptions::at(now))
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
}

#[test]
fn expectations_purpose_challenge_domain() {
    let key = eddsa_vector_key();
    let mut opts = eddsa_options();
    opts.proof_purpose = "authentication".into();
    opts.challenge = Some("n-0S6_WzA2Mj".into());
    opts.domain = Some("https://rp.example".into());
    let mut doc = obj(&read("eddsa-jcs-2022/unsigned.json"));
    add_proof(&mut doc, &opts, &key).unwrap();
    let now = t("2024-01-01T00:00:00Z");
    let mut v = VerifyOptions::at(now);
    v.expected_purpose = Some("authentication");
    v.challenge = Some("n-0S6_WzA2Mj");
    v.domain = Some("https://rp.example");
    assert!(verify_proofs(&doc, &did_key_resolver, &v).is_ok());
    let mut w = v.clone();
    w.expected_purpose = Some("assertionMethod");
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &w)
            .unwrap_err()
            .kind(),
        ErrorKind::Untrusted
    );
    let mut w = v.clone();
    w.challenge = Some("other");
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &w)
            .unwrap_err()
            .kind(),
        ErrorKind::HolderBinding
    );
    let mut w = v.clone();
    w.domain = Some("https://evil.example");
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &w)
            .unwrap_err()
            .kind(),
        ErrorKind::HolderBinding
    );
    // the resolver decides on authorization: an Untrusted from it passes through
    let refuse = |_: &str, _: &str| -> Result<PublicKey> {
        Err(untrusted("not listed under assertionMethod"))
    };
    assert_eq!(
        verify_proofs(&doc, &refuse, &v).unwrap_err().kind(),
        ErrorKind::Untrusted
    );
}

#[test]
fn proof_set_each_proof_verified() {
    let ed = eddsa_vector_key();
    let p256 = PrivateKey::generate(Algorithm::Es256).unwrap();
    let p256_vm = {
        let did = crate::trust::did::did_key_for(p256.public_key());
        format!("{did}#{}", did.trim_start_matches("did:key:"))
    };
    let mut doc = obj(&read("eddsa-jcs-2022/unsigned.json"));
    add_proof(&mut doc, &eddsa_options(), &ed).unwrap();
    let opts2 = ProofOptions::new(
        Cryptosuite::EcdsaJcs2019,
        &p256_vm,
        "assertionMethod",
        Some(t("2023-03-01T00:00:00Z")),
    );
    add_proof(&mut doc, &opts2, &p256).unwrap();
    assert_eq!(doc["proof"].as_array().unwrap().len(), 2);
    let now = VerifyOptions::at(t("2024-01-01T00:00:00Z"));
    let v = verify_proofs(&doc, &did_key_resolver, &now).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1].cryptosuite(), Cryptosuite::EcdsaJcs2019);
    // each proof is over the document without any proof: the first stays valid
    assert_eq!(
        doc["proof"][0],
        obj(&read("eddsa-jcs-2022/signedJCS.json"))["proof"]
    );
    // one bad proof in the set fails the set
    doc["proof"][1]["created"] = json!("2023-03-02T00:00:00Z");
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
}

#[test]
fn ecdsa_jcs_2019_spec_vectors_verify() {
    let now = VerifyOptions::at(t("2024-01-01T00:00:00Z"));
    for (dir, c, hash, alg) in [
        (
            "ecdsa-jcs-2019-p256",
            "P256",
            HashAlg::Sha256,
            Algorithm::Es256,
        ),
        (
            "ecdsa-jcs-2019-p384",
            "P384",
            HashAlg::Sha384,
            Algorithm::Es384,
        ),
    ] {
        let signed = obj(&read(&format!("{dir}/signedJCSECDSA{c}.json")));
        let v = verify_proofs(&signed, &did_key_resolver, &now).unwrap();
        assert_eq!(v[0].cryptosuite(), Cryptosuite::EcdsaJcs2019);

        let mut config = signed["proof"].as_object().unwrap().clone();
        let pv = config.remove("proofValue").unwrap();
        assert_eq!(
            canonicalize(&Value::Object(config.clone())).unwrap(),
            read(&format!("{dir}/proofCanonJCSECDSA{c}.txt"))
        );
        let mut doc = signed.clone();
        doc.remove("proof");
        assert_eq!(
            canonicalize(&Value::Object(doc.clone())).unwrap(),
            read(&format!("{dir}/canonDocJCSECDSA{c}.txt"))
        );
        assert_eq!(
            hex(&hash_data(hash, &config, &doc).unwrap()),
            read(&format!("{dir}/combinedHashJCSECDSA{c}.txt"))
        );
        let sig = base58::multibase_decode(pv.as_str().unwrap(), "t").unwrap();
        assert_eq!(hex(&sig), read(&format!("{dir}/sigHexJCSECDSA{c}.txt")));

        let mut tampered = signed.clone();
        tampered["issuer"] = json!("https://evil.example");
        assert_eq!(
            verify_proofs(&tampered, &did_key_resolver, &now)
                .unwrap_err()
                .kind(),
            ErrorKind::Signature
        );

        // a proof we make with the vector's secret key verifies
        let key = ec_vector_key(&format!("{dir}/{}KeyPair.json", c.to_lowercase()), alg);
        let opts = ProofOptions::new(
            Cryptosuite::EcdsaJcs2019,
            signed["proof"]["verificationMethod"].as_str().unwrap(),
            "assertionMethod",
            Some(t("2023-02-24T23:36:38Z")),
        );
        let mut mine = doc.clone();
        add_proof(&mut mine, &opts, &key).unwrap();
        assert!(verify_proofs(&mine, &did_key_resolver, &now).is_ok());
        // ecdsa-jcs-2019 refuses an Ed25519 signer
        assert_eq!(
            create_proof(&doc, &opts, &eddsa_vector_key())
                .unwrap_err()
                .kind(),
            ErrorKind::Unsupported
        );
    }
}

#[test]
fn vc12_numbers_and_duplicates() {
    let signed = read("eddsa-jcs-2022/signedJCS.json");
    let with = |member: &str| signed.replacen('{', &format!("{{{member},"), 1);
    // duplicate keys → Malformed (strict parser)
    assert_eq!(
        ijson::parse_document(with(r#""id":"x""#).as_bytes())
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    // 1e400 → Malformed
    assert_eq!(
        ijson::parse_document(with(r#""n":1e400"#).as_bytes())
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    // integers beyond 2^53 − 1, as u64 and as a lexeme too long for u64
    for n in [
        "9007199254740992",
        "-9007199254740993",
        "18446744073709551616",
        "100000000000000000000000",
    ] {
        let e = ijson::parse_document(with(&format!(r#""n":{n}"#)).as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{n}");
    }
    // at the limit: accepted (then the signature fails, the member was not signed)
    let doc = ijson::parse_document(with(r#""n":9007199254740991"#).as_bytes()).unwrap();
    let now = VerifyOptions::at(t("2024-01-01T00:00:00Z"));
    assert_eq!(
        verify_proofs(&doc, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    // big numbers inside strings are not numbers
    assert!(
        ijson::parse_document(with(r#""s":"100000000000000000000000 \" 1e99999""#).as_bytes())
            .is_ok()
    );
    // doubles are fine (1e300 is exact as a double; 1.5e3 canonicalizes to 1500)
    assert!(ijson::parse_document(with(r#""n":[1e300,1.5e3,-0.0]"#).as_bytes()).is_ok());
    // parsed values are checked too (a Map built by the caller)
    let mut m = obj(&signed);
    m.insert("n".into(), json!(9_007_199_254_740_993u64));
    assert_eq!(
        verify_proofs(&m, &did_key_resolver, &now)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    let key = eddsa_vector_key();
    assert_eq!(
        create_proof(&m, &eddsa_options(), &key).unwrap_err().kind(),
        ErrorKind::Malformed
    );

    // -0 is accepted and signs as 0 (RFC 8785 Appendix B: -0 → "0"); documented divergence
    let mut zero = obj(&read("eddsa-jcs-2022/unsigned.json"));
    zero.insert("n".into(), json!(0));
    add_proof(&mut zero, &eddsa_options(), &key).unwrap();
    let text = Value::Object(zero)
        .to_string()
        .replace(r#""n":0"#, r#""n":-0"#);
    assert!(text.contains("-0"));
    let parsed = ijson::parse_document(text.as_bytes()).unwrap();
    assert!(verify_proofs(&parsed, &did_key_resolver, &now).is_ok());
}

#[test]
fn fuzz_entry_survives_samples() {
    for s in [
        &b""[..],
        b"{",
        b"{\"proof\":{}}",
        b"{\"proof\":[{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-jcs-2022\",\"proofValue\":\"z111\",\"verificationMethod\":\"did:key:z#z\",\"proofPurpose\":\"x\"}]}",
        read("eddsa-jcs-2022/signedJCS.json").as_bytes(),
        read("ecdsa-jcs-2019-p384/signedJCSECDSAP384.json").as_bytes(),
    ] {
        crate::internal::fuzzing::data_integrity(s);
    }
}
