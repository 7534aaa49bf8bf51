use super::*;
use crate::crypto::{Algorithm, Curve, PrivateKey};
use crate::data_integrity::{self as di, Cryptosuite, ProofOptions, VerifyOptions};
use crate::encoding::{b64u_decode, parse_json_object};
use crate::error::ErrorKind;
use crate::time::UnixTime;
use serde_json::{json, Map, Value};

const TV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{TV}/{path}")).unwrap()
}

fn obj(text: &str) -> Map<String, Value> {
    parse_json_object(text.as_bytes(), "test").unwrap()
}

fn t(s: &str) -> UnixTime {
    crate::time::parse_rfc3339(s).unwrap()
}

fn kind<T: core::fmt::Debug>(r: Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

// ------------------------------------------------------------------ did:key

#[test]
fn did_key_spec_vectors() {
    let v = obj(&read("did-key/spec_test_vectors_decoded.json"));
    let mut checked = 0;
    for vector in v["vectors"].as_array().unwrap() {
        let did = vector["did"].as_str().unwrap();
        match vector["multicodec"].as_str().unwrap() {
            "ed25519-pub" | "p256-pub" | "p384-pub" => {
                let key = did_key_public_key(did).unwrap();
                let jwk = vector["publicKeyJwk"].as_object().unwrap();
                let x = b64u_decode(jwk["x"].as_str().unwrap(), 200, "x").unwrap();
                assert_eq!(key.x(), &x[..], "{did}");
                if key.curve() != Curve::Ed25519 {
                    let y = b64u_decode(jwk["y"].as_str().unwrap(), 200, "y").unwrap();
                    assert_eq!(key.y(), &y[..], "{did}");
                }
                assert_eq!(did_key_for(&key), did);
                let doc = did_key_document(did).unwrap();
                let vm = format!("{did}#{}", &did[8..]);
                assert_eq!(
                    doc.resolve_key(&vm, Relationship::AssertionMethod).unwrap(),
                    key
                );
                assert_eq!(
                    doc.resolve_key(&vm, Relationship::Authentication).unwrap(),
                    key
                );
                checked += 1;
            }
            other => {
                assert_eq!(
                    kind(did_key_public_key(did)),
                    ErrorKind::Unsupported,
                    "{other}"
                );
            }
        }
    }
    assert_eq!(checked, 6); // 3 Ed25519, 2 P-256, 1 P-384
}

#[test]
fn did_key_ed25519_document_matches_spec() {
    let want = obj(&read("did-key/ed25519_x25519_multikey_did_document.json"));
    let did = want["id"].as_str().unwrap();
    assert_eq!(
        Value::Object(did_key_document_json(did).unwrap()),
        Value::Object(want)
    );
}

#[test]
fn did04_malformed_did_keys() {
    let good =
        did_key_public_key("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").unwrap();
    // Ed25519 multicodec with 33 bytes
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(good.raw());
    bytes.push(0);
    let did = format!("did:key:{}", di::base58::multibase_encode(&bytes));
    assert_eq!(kind(did_key_public_key(&did)), ErrorKind::Malformed);
    // P-256 compressed point off the curve: x = 5 gives a non-residue rhs
    let mut found_off_curve = false;
    for x0 in 0u8..20 {
        let mut b = vec![0x80, 0x24, 0x02];
        let mut x = [0u8; 32];
        x[31] = x0;
        b.extend_from_slice(&x);
        let did = format!("did:key:{}", di::base58::multibase_encode(&b));
        if let Err(e) = did_key_public_key(&did) {
            assert_eq!(e.kind(), ErrorKind::Malformed);
            found_off_curve = true;
        }
    }
    assert!(found_off_curve);
    // x ≥ p, wrong prefix, uncompressed form, truncated
    let p256 =
        did_key_public_key("did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv").unwrap();
    for bad in [
        [vec![0x80, 0x24, 0x02], vec![0xff; 32]].concat(),
        [vec![0x80, 0x24, 0x05], p256.x().to_vec()].concat(),
        [vec![0x80, 0x24], p256.raw().to_vec()].concat(),
        [vec![0x80, 0x24, 0x02], p256.x()[..31].to_vec()].concat(),
        vec![0x80],
        vec![],
    ] {
        let did = format!("did:key:{}", di::base58::multibase_encode(&bad));
        assert_eq!(
            kind(did_key_public_key(&did)),
            ErrorKind::Malformed,
            "{bad:02x?}"
        );
    }
    for bad in [
        "did:key:",
        "did:key:u7QE",
        "did:key:z6Mk0",
        "did:jwk:abc",
        "did:key:z6Mkha#x",
    ] {
        assert!(
            matches!(
                kind(did_key_public_key(bad)),
                ErrorKind::Malformed | ErrorKind::Unsupported
            ),
            "{bad}"
        );
    }
    // a did:key verification method must name the key in its fragment
    assert_eq!(
        kind(did_key_method_key(
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other"
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn multikey_round_trip_generated_keys() {
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::EdDsa] {
        for _ in 0..8 {
            let k = PrivateKey::generate(alg).unwrap();
            let mk = encode_multikey(k.public_key());
            assert_eq!(&decode_multikey(&mk).unwrap(), k.public_key());
        }
    }
}

// ------------------------------------------------------------------ did:web

#[test]
fn did_web_url_mapping_vectors() {
    let v = obj(&read("did-web/url_mapping.json"));
    let mut n = 0;
    for case in v["cases"].as_array().unwrap() {
        if case["accept"] != "application/did+json" {
            continue;
        }
        assert_eq!(
            did_web_url(case["did"].as_str().unwrap()).unwrap(),
            case["url"].as_str().unwrap()
        );
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn did07_strict_did_web_syntax() {
    for bad in [
        "did:web:evil.com%2F..",
        "did:web:evil.com%2F",
        "did:web:example.com:%2E%2E:x",
        "did:web:example.com:..",
        "did:web:",
        "did:web::path",
        "did:web:%3A3000",
        "did:web:Example.com",
        "did:web:EXAMPLE.COM:user",
        "did:web:example.com:3000",
        "did:web:example.com:3000:user:alice",
        "did:web:example.com%3A",
        "did:web:example.com%3A0",
        "did:web:example.com%3A70000",
        "did:web:example.com%3Aabc",
        "did:web:127.0.0.1",
        "did:web:localhost",
        "did:web:example.com:user:",
        "did:web:example.com/user",
        "did:web:example.com#frag",
        "did:web:example.com?q=1",
        "did:web:-bad.example",
        "did:web:exa_mple.com",
        "did:WEB:example.com",
    ] {
        assert_eq!(kind(did_web_url(bad)), ErrorKind::Malformed, "{bad}");
    }
    assert_eq!(
        did_web_url("did:web:example.com%3a8443").unwrap(),
        "https://example.com:8443/.well-known/did.json"
    );
    assert_eq!(
        did_web_url("did:web:sub.example.ca:user:v1_x").unwrap(),
        "https://sub.example.ca/user/v1_x/did.json"
    );
    assert_eq!(
        kind(did_web_url(&format!("did:web:{}", "a".repeat(3000)))),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn did_web_spec_document_and_key_lookup() {
    let bytes = read("did-web/example_did_document_jws2020.trailing-comma-removed.json");
    let doc = check_did_web_document("did:web:example.com", bytes.as_bytes()).unwrap();
    let k0 = doc
        .resolve_key("#key-0", Relationship::AssertionMethod)
        .unwrap();
    assert_eq!(k0.curve(), Curve::Ed25519);
    let k2 = doc
        .resolve_key("did:web:example.com#key-2", Relationship::Authentication)
        .unwrap();
    assert_eq!(k2.curve(), Curve::P256);
    // key-1 is X25519 (keyAgreement only): not under assertionMethod → Untrusted
    assert_eq!(
        kind(doc.resolve_key("#key-1", Relationship::AssertionMethod)),
        ErrorKind::Untrusted
    );
    assert_eq!(
        kind(doc.resolve_key("#nope", Relationship::AssertionMethod)),
        ErrorKind::Untrusted
    );
    assert_eq!(
        kind(doc.resolve_key("did:web:other.com#key-0", Relationship::AssertionMethod)),
        ErrorKind::Untrusted
    );
    // DID-10: the P-256 key used for EdDSA / the Ed25519 key for ES256
    assert_eq!(
        kind(check_key_algorithm(&k2, Algorithm::EdDsa)),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(check_key_algorithm(&k0, Algorithm::Es256)),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(check_key_algorithm(&k2, Algorithm::Es384)),
        ErrorKind::Unsupported
    );
    assert!(check_key_algorithm(&k2, Algorithm::Es256).is_ok());
    // the published text has a trailing comma: strict JSON refuses it
    let published = std::fs::read_to_string(
        "/work/shared/vectors/did/did-web/example_did_resolution_document_jws2020.as-published.txt",
    )
    .unwrap_or_else(|_| "{\"id\":\"did:web:example.com\",}".into());
    assert_eq!(
        kind(DidDocument::parse(
            published.as_bytes(),
            "did:web:example.com"
        )),
        ErrorKind::Malformed
    );
}

fn doc_with(did: &str, mutate: impl Fn(&mut Value)) -> Vec<u8> {
    let mut v = json!({
        "id": did,
        "verificationMethod": [
            {"id": format!("{did}#key-1"), "type": "JsonWebKey2020", "controller": did,
             "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "0-e2i2_Ua1S5HbTYnVB0lj2Z2ytXu2-tYmDFf8f5NjU"}},
            {"id": "#auth", "type": "Multikey", "controller": did,
             "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
        ],
        "assertionMethod": ["#key-1"],
        "authentication": [format!("{did}#auth")]
    });
    mutate(&mut v);
    v.to_string().into_bytes()
}

#[test]
fn did01_did02_did03_document_checks() {
    let did = "did:web:issuer.example.ca";
    let ok = check_did_web_document(did, &doc_with(did, |_| {})).unwrap();
    assert!(ok
        .resolve_key("#key-1", Relationship::AssertionMethod)
        .is_ok());
    assert!(ok
        .resolve_key("#auth", Relationship::Authentication)
        .is_ok());
    // DID-02: a key only listed under authentication, asked for assertionMethod
    assert_eq!(
        kind(ok.resolve_key("#auth", Relationship::AssertionMethod)),
        ErrorKind::Untrusted
    );
    // DID-01: the document is for another DID (a redirect to evil.example)
    let evil = doc_with("did:web:evil.example", |_| {});
    assert_eq!(
        kind(check_did_web_document(did, &evil)),
        ErrorKind::Untrusted
    );
    // DID-03: a method controlled by another DID
    let foreign = doc_with(did, |v| {
        v["verificationMethod"][0]["controller"] = json!("did:web:evil.example")
    });
    assert_eq!(
        kind(check_did_web_document(did, &foreign)),
        ErrorKind::Untrusted
    );
    // a method whose id is under another DID
    let foreign_id = doc_with(did, |v| {
        v["verificationMethod"][0]["id"] = json!("did:web:evil.example#key-1")
    });
    assert_eq!(
        kind(check_did_web_document(did, &foreign_id)),
        ErrorKind::Untrusted
    );
    // SIG-10 for DID documents: private key material
    let private = doc_with(did, |v| {
        v["verificationMethod"][0]["publicKeyJwk"]["d"] = json!("AAAA")
    });
    assert_eq!(
        kind(check_did_web_document(did, &private)),
        ErrorKind::Malformed
    );
    // embedded method in assertionMethod
    let embedded = doc_with(did, |v| {
        v["assertionMethod"] = json!([{"id": "#emb", "type": "Multikey", "controller": did,
            "publicKeyMultibase": "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"}]);
    });
    let d = check_did_web_document(did, &embedded).unwrap();
    assert_eq!(
        d.resolve_key("#emb", Relationship::AssertionMethod)
            .unwrap()
            .curve(),
        Curve::P256
    );
    // unknown key types load, and fail only when used
    let unknown = doc_with(did, |v| {
        v["verificationMethod"][0]["type"] = json!("EcdsaSecp256k1VerificationKey2019")
    });
    let d = check_did_web_document(did, &unknown).unwrap();
    assert_eq!(
        kind(d.resolve_key("#key-1", Relationship::AssertionMethod)),
        ErrorKind::Unsupported
    );
    // duplicate members / duplicate method ids
    let dup = format!("{{\"id\":\"{did}\",\"id\":\"{did}\"}}");
    assert_eq!(
        kind(check_did_web_document(did, dup.as_bytes())),
        ErrorKind::Malformed
    );
    let dup_vm = doc_with(did, |v| v["verificationMethod"][1]["id"] = json!("#key-1"));
    assert_eq!(
        kind(check_did_web_document(did, &dup_vm)),
        ErrorKind::Malformed
    );
}

#[test]
fn did08_huge_and_deep_documents() {
    let did = "did:web:example.com";
    let big = format!(
        "{{\"id\":\"{did}\",\"pad\":\"{}\"}}",
        "a".repeat(20 * 1024 * 1024)
    );
    assert_eq!(
        kind(check_did_web_document(did, big.as_bytes())),
        ErrorKind::LimitExceeded
    );
    let deep = format!(
        "{{\"id\":\"{did}\",\"x\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        kind(check_did_web_document(did, deep.as_bytes())),
        ErrorKind::LimitExceeded
    );
    let many: Vec<Value> = (0..=document::MAX_VERIFICATION_METHODS)
        .map(|i| {
            json!({"id": format!("#k{i}"), "type": "Multikey", "controller": did,
            "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"})
        })
        .collect();
    let doc = json!({"id": did, "verificationMethod": many}).to_string();
    assert_eq!(
        kind(check_did_web_document(did, doc.as_bytes())),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn vc13_data_integrity_with_did_document() {
    // a credential signed by a did:web key: the key must be under assertionMethod
    let did = "did:web:issuer.example.ca";
    let issuer = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let mk = encode_multikey(issuer.public_key());
    let doc_bytes = json!({
        "id": did,
        "verificationMethod": [{"id": "#a", "type": "Multikey", "controller": did, "publicKeyMultibase": mk},
                               {"id": "#b", "type": "Multikey", "controller": did, "publicKeyMultibase": mk.clone()}],
        "assertionMethod": ["#a"],
        "authentication": ["#b"]
    })
    .to_string();
    let doc = check_did_web_document(did, doc_bytes.as_bytes()).unwrap();
    let resolver = document_resolver(&doc);
    let now = t("2025-06-01T00:00:00Z");
    for (vm, want) in [
        ("#a", None),
        ("#b", Some(ErrorKind::Untrusted)),
        ("did:web:evil.example#a", Some(ErrorKind::Untrusted)),
    ] {
        let mut vc = obj(
            r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:issuer.example.ca","credentialSubject":{"id":"did:example:1"}}"#,
        );
        let opts = ProofOptions::new(
            Cryptosuite::EddsaJcs2022,
            &format!("{}{vm}", if vm.starts_with('#') { did } else { "" }),
            "assertionMethod",
            Some(now),
        );
        di::add_proof(&mut vc, &opts, &issuer).unwrap();
        let r = di::verify_proofs(&vc, &resolver, &VerifyOptions::at(now));
        assert_eq!(r.err().map(|e| e.kind()), want, "{vm}");
    }
}

// ------------------------------------------------------------------ did:webvh

fn webvh_log(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TV}/did-webvh/{name}/did.jsonl")).unwrap()
}

fn webvh_info(name: &str) -> Map<String, Value> {
    obj(&read(&format!("did-webvh/{name}/keys.json")))
}

const NOW: &str = "2026-01-01T00:00:00Z";

fn lines_of(log: &[u8]) -> Vec<Map<String, Value>> {
    std::str::from_utf8(log).unwrap().lines().map(obj).collect()
}

fn join(entries: &[Map<String, Value>]) -> Vec<u8> {
    entries
        .iter()
        .map(|e| Value::Object(e.clone()).to_string() + "\n")
        .collect::<String>()
        .into_bytes()
}

#[test]
fn webvh_peer_logs_verify() {
    for name in ["basic", "prerotation", "deactivated"] {
        let info = webvh_info(name);
        let did = info["did"].as_str().unwrap();
        let r = resolve_webvh_log(&webvh_log(name), Some(did), t(NOW), ResolveAt::Latest).unwrap();
        assert_eq!(r.did, did);
        assert_eq!(r.version_id, info["version_id"].as_str().unwrap(), "{name}");
        assert_eq!(r.scid, info["scid"].as_str().unwrap());
        assert_eq!(r.version_time, t(info["version_time"].as_str().unwrap()));
        assert_eq!(r.deactivated, name == "deactivated");
        let assertion = decode_multikey(info["assertion_key"].as_str().unwrap()).unwrap();
        assert_eq!(
            r.document
                .resolve_key("#key-1", Relationship::AssertionMethod)
                .unwrap(),
            assertion
        );
        if name == "deactivated" {
            // DID-11: resolves with the flag, refused for credential verification
            assert_eq!(kind(r.require_active()), ErrorKind::Untrusted);
            assert_eq!(r.version_number, 3);
        } else {
            assert!(r.require_active().is_ok());
            assert_eq!(r.version_number, 2);
        }
        // the log is for this DID only
        assert_eq!(
            kind(resolve_webvh_log(
                &webvh_log(name),
                Some("did:webvh:QmX:example.com"),
                t(NOW),
                ResolveAt::Latest
            )),
            ErrorKind::Untrusted
        );
    }
}

#[test]
fn webvh_resolve_at_time_and_version() {
    let log = webvh_log("basic");
    let now = t(NOW);
    let v1 =
        resolve_webvh_log(&log, None, now, ResolveAt::Time(t("2025-01-15T00:00:00Z"))).unwrap();
    assert_eq!(v1.version_number, 1);
    assert!(v1.version_id.starts_with("1-"));
    let v2 =
        resolve_webvh_log(&log, None, now, ResolveAt::Time(t("2025-01-31T00:00:00Z"))).unwrap();
    assert_eq!(v2.version_number, 2);
    assert_eq!(
        resolve_webvh_log(&log, None, now, ResolveAt::Version(1))
            .unwrap()
            .version_id,
        v1.version_id
    );
    assert_eq!(
        kind(resolve_webvh_log(
            &log,
            None,
            now,
            ResolveAt::Time(t("2024-12-31T00:00:00Z"))
        )),
        ErrorKind::Untrusted
    );
    assert_eq!(
        kind(resolve_webvh_log(&log, None, now, ResolveAt::Version(3))),
        ErrorKind::Untrusted
    );
    // a log whose entries lie in the future of `now` (beyond the 5-minute skew)
    assert_eq!(
        kind(resolve_webvh_log(
            &log,
            None,
            t("2025-01-15T00:00:00Z"),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
}

#[test]
fn did09_tampered_peer_logs_are_untrusted() {
    let now = t(NOW);
    for name in ["basic", "prerotation"] {
        let entries = lines_of(&webvh_log(name));
        let check = |e: &[Map<String, Value>], what: &str| {
            assert_eq!(
                kind(resolve_webvh_log(&join(e), None, now, ResolveAt::Latest)),
                ErrorKind::Untrusted,
                "{name}: {what}"
            );
        };
        // the untouched re-serialization verifies (hashes are over JCS, not the bytes)
        assert!(resolve_webvh_log(&join(&entries), None, now, ResolveAt::Latest).is_ok());

        // an altered entry: the document of entry 2 changed
        let mut altered = entries.clone();
        altered[1]["state"]["assertionMethod"] = json!([]);
        check(&altered, "altered state");
        let mut altered = entries.clone();
        altered[0]["versionTime"] = json!("2025-01-01T00:00:01Z");
        check(&altered, "altered genesis time");

        // reordered: entry 2 first
        let reordered = vec![entries[1].clone(), entries[0].clone()];
        check(&reordered, "reordered");
        // a gap: entry 2 alone
        check(&entries[1..], "entry 2 alone");

        // an entry re-signed by a key that is not an update key (hash chain intact)
        let mut forged = entries.clone();
        let intruder = PrivateKey::generate(Algorithm::EdDsa).unwrap();
        forged[1].remove("proof");
        webvh_writer::sign_entry(&mut forged[1], &intruder, t("2025-01-31T00:00:00Z")).unwrap();
        check(&forged, "signed by a non-update key");

        // a proof with a broken signature from the right key
        let mut broken = entries.clone();
        broken[1]["proof"][0]["created"] = json!("2025-01-31T00:00:01Z");
        check(&broken, "broken proof");

        // SCID mismatch: the SCID replaced everywhere by another valid-looking hash
        let scid = entries[0]["parameters"]["scid"]
            .as_str()
            .unwrap()
            .to_owned();
        let other = webvh::multihash_b58(b"another genesis");
        let text = String::from_utf8(join(&entries))
            .unwrap()
            .replace(&scid, &other);
        assert_eq!(
            kind(resolve_webvh_log(
                text.as_bytes(),
                None,
                now,
                ResolveAt::Latest
            )),
            ErrorKind::Untrusted,
            "{name}: scid"
        );
    }
    // pre-rotation: the update reveals a key that was not committed
    let entries = lines_of(&webvh_log("prerotation"));
    let mut uncommitted = entries.clone();
    let k = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    uncommitted[1]["parameters"]["updateKeys"] = json!([encode_multikey(k.public_key())]);
    let prev = entries[0]["versionId"].as_str().unwrap().to_owned();
    let hash = webvh::entry_hash(&uncommitted[1], &prev).unwrap();
    uncommitted[1]["versionId"] = json!(format!("2-{hash}"));
    uncommitted[1].remove("proof");
    webvh_writer::sign_entry(&mut uncommitted[1], &k, t("2025-01-31T00:00:00Z")).unwrap();
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&uncommitted),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
}

/// Builds entry 2 of `entries` again with `mutate` applied, a correct hash and
/// a proof by `signer` at `time`.
fn rebuild_second(
    entries: &[Map<String, Value>],
    signer: &PrivateKey,
    time: &str,
    mutate: impl Fn(&mut Map<String, Value>),
) -> Vec<Map<String, Value>> {
    let mut out = entries.to_vec();
    let mut e = out[1].clone();
    e.remove("proof");
    e.insert("versionTime".into(), json!(time));
    mutate(&mut e);
    let prev = out[0]["versionId"].as_str().unwrap().to_owned();
    let hash = webvh::entry_hash(&e, &prev).unwrap();
    e.insert("versionId".into(), json!(format!("2-{hash}")));
    webvh_writer::sign_entry(&mut e, signer, t(time)).unwrap();
    out[1] = e;
    out
}

#[test]
fn did09_time_backwards_and_did11_after_deactivation() {
    let k1 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let assertion = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl = document_template("example.com", assertion.public_key()).unwrap();
    let mut log = WebvhLog::create(&tmpl, &k1, None, t("2025-02-01T00:00:00Z")).unwrap();
    log.update(&WebvhUpdate::default(), &k1, t("2025-03-01T00:00:00Z"))
        .unwrap();
    let entries = lines_of(log.to_jsonl().unwrap().as_bytes());
    assert!(resolve_webvh_log(&join(&entries), None, t(NOW), ResolveAt::Latest).is_ok());
    // versionTime going backwards, correctly hashed and signed
    let back = rebuild_second(&entries, &k1, "2025-01-15T00:00:00Z", |_| {});
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&back),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
    let same = rebuild_second(&entries, &k1, "2025-02-01T00:00:00Z", |_| {});
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&same),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
    // the writer refuses to go back in time too
    assert_eq!(
        kind(
            log.clone()
                .update(&WebvhUpdate::default(), &k1, t("2025-01-01T00:00:00Z"))
        ),
        ErrorKind::ApiMisuse
    );
    // scid may not be set again
    let rescid = rebuild_second(&entries, &k1, "2025-03-01T00:00:00Z", |e| {
        e["parameters"]["scid"] = json!("QmX")
    });
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&rescid),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
    // witnesses are unsupported, unknown parameters malformed, other method versions unsupported
    let witness = rebuild_second(&entries, &k1, "2025-03-01T00:00:00Z", |e| {
        e["parameters"]["witness"] = json!({"threshold": 1, "witnesses": [{"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}]})
    });
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&witness),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Unsupported
    );
    let unknown = rebuild_second(&entries, &k1, "2025-03-01T00:00:00Z", |e| {
        e["parameters"]["prerotation"] = json!(true)
    });
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&unknown),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Malformed
    );
    let method = rebuild_second(&entries, &k1, "2025-03-01T00:00:00Z", |e| {
        e["parameters"]["method"] = json!("did:webvh:0.5")
    });
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&method),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Unsupported
    );
    // a changed DID on a non-portable log
    let moved = rebuild_second(&entries, &k1, "2025-03-01T00:00:00Z", |e| {
        let id = e["state"]["id"]
            .as_str()
            .unwrap()
            .replace("example.com", "example.org");
        e["state"] = json!({"id": id});
    });
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&moved),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );

    // deactivate, then try to continue
    let mut log2 = log.clone();
    log2.update(
        &WebvhUpdate {
            deactivate: true,
            update_keys: Some(vec![]),
            ..Default::default()
        },
        &k1,
        t("2025-04-01T00:00:00Z"),
    )
    .unwrap();
    let r = resolve_webvh_log(
        log2.to_jsonl().unwrap().as_bytes(),
        None,
        t(NOW),
        ResolveAt::Latest,
    )
    .unwrap();
    assert!(r.deactivated);
    assert_eq!(kind(r.require_active()), ErrorKind::Untrusted);
    // the version before deactivation is still resolvable at its time, and active then
    let before = resolve_webvh_log(
        log2.to_jsonl().unwrap().as_bytes(),
        None,
        t(NOW),
        ResolveAt::Time(t("2025-03-15T00:00:00Z")),
    )
    .unwrap();
    assert!(before.require_active().is_ok());
    let mut after = lines_of(log2.to_jsonl().unwrap().as_bytes());
    let mut extra = after[2].clone();
    extra.remove("proof");
    extra.insert("versionTime".into(), json!("2025-05-01T00:00:00Z"));
    extra.insert("parameters".into(), json!({}));
    let prev = after[2]["versionId"].as_str().unwrap().to_owned();
    let hash = webvh::entry_hash(&extra, &prev).unwrap();
    extra.insert("versionId".into(), json!(format!("4-{hash}")));
    webvh_writer::sign_entry(&mut extra, &k1, t("2025-05-01T00:00:00Z")).unwrap();
    after.push(extra);
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&after),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
}

#[test]
fn webvh_malformed_and_limits() {
    let now = t(NOW);
    let basic = webvh_log("basic");
    for bad in [
        &b""[..],
        b"\n",
        b"{}",
        b"[]",
        b"not json",
        b"{\"versionId\":1}",
    ] {
        assert_eq!(
            kind(resolve_webvh_log(bad, None, now, ResolveAt::Latest)),
            ErrorKind::Malformed,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // an empty line in the middle
    let text = String::from_utf8(basic.clone())
        .unwrap()
        .replacen('\n', "\n\n", 1);
    assert_eq!(
        kind(resolve_webvh_log(
            text.as_bytes(),
            None,
            now,
            ResolveAt::Latest
        )),
        ErrorKind::Malformed
    );
    // CRLF line ends are accepted
    let crlf = String::from_utf8(basic.clone())
        .unwrap()
        .replace('\n', "\r\n");
    assert!(resolve_webvh_log(crlf.as_bytes(), None, now, ResolveAt::Latest).is_ok());
    // an extra member
    let mut entries = lines_of(&basic);
    entries[0].insert("extra".into(), json!(1));
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&entries),
            None,
            now,
            ResolveAt::Latest
        )),
        ErrorKind::Malformed
    );
    // size and entry-count limits
    let big = vec![b' '; MAX_DID_LOG_BYTES + 1];
    assert_eq!(
        kind(resolve_webvh_log(&big, None, now, ResolveAt::Latest)),
        ErrorKind::LimitExceeded
    );
    let many = "{}\n".repeat(MAX_DID_LOG_ENTRIES + 1);
    assert_eq!(
        kind(resolve_webvh_log(
            many.as_bytes(),
            None,
            now,
            ResolveAt::Latest
        )),
        ErrorKind::LimitExceeded
    );
    // DID syntax
    assert_eq!(
        did_webvh_log_url("did:webvh:QmScid:example.com%3A8443:dids:a").unwrap(),
        "https://example.com:8443/dids/a/did.jsonl"
    );
    assert_eq!(
        did_webvh_log_url("did:webvh:QmScid:example.com").unwrap(),
        "https://example.com/.well-known/did.jsonl"
    );
    for bad in [
        "did:webvh:example.com",
        "did:webvh::example.com",
        "did:webvh:Qm$:example.com",
        "did:webvh:Qm:Example.com",
    ] {
        assert_eq!(kind(parse_did_webvh(bad)), ErrorKind::Malformed, "{bad}");
    }
}

#[test]
fn webvh_create_rotate_prerotate_and_read_back() {
    let k1 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let k2 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let k3 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let assertion = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl = document_template("issuer.example.ca:dids:a", assertion.public_key()).unwrap();
    let h2 = next_key_hash(&encode_multikey(k2.public_key()));
    let mut log = WebvhLog::create(&tmpl, &k1, Some(vec![h2]), t("2025-02-01T00:00:00Z")).unwrap();
    let did = log.did().unwrap().to_owned();
    assert!(did.starts_with("did:webvh:Qm") && did.ends_with(":issuer.example.ca:dids:a"));
    // with pre-rotation active, k1 may not sign the next entry; the revealed k2 must
    let upd = WebvhUpdate {
        update_keys: Some(vec![encode_multikey(k2.public_key())]),
        next_key_hashes: Some(vec![next_key_hash(&encode_multikey(k3.public_key()))]),
        ..Default::default()
    };
    assert_eq!(
        kind(log.clone().update(&upd, &k1, t("2025-03-01T00:00:00Z"))),
        ErrorKind::ApiMisuse
    );
    log.update(&upd, &k2, t("2025-03-01T00:00:00Z")).unwrap();
    // end pre-rotation with k3, then a plain rotation k3 → k1 signed by k3
    log.update(
        &WebvhUpdate {
            update_keys: Some(vec![encode_multikey(k3.public_key())]),
            next_key_hashes: Some(vec![]),
            ..Default::default()
        },
        &k3,
        t("2025-04-01T00:00:00Z"),
    )
    .unwrap();
    let mut doc = log_state(&log);
    doc.insert("service".into(), json!([{"id": "#ws", "type": "LinkedDomains", "serviceEndpoint": "https://issuer.example.ca"}]));
    log.update(
        &WebvhUpdate {
            document: Some(doc),
            update_keys: Some(vec![encode_multikey(k1.public_key())]),
            ..Default::default()
        },
        &k3,
        t("2025-05-01T00:00:00Z"),
    )
    .unwrap();
    // k3 is no longer an update key
    assert_eq!(
        kind(
            log.clone()
                .update(&WebvhUpdate::default(), &k3, t("2025-06-01T00:00:00Z"))
        ),
        ErrorKind::ApiMisuse
    );
    let jsonl = log.to_jsonl().unwrap();
    let r = resolve_webvh_log(jsonl.as_bytes(), Some(&did), t(NOW), ResolveAt::Latest).unwrap();
    assert_eq!(r.version_number, 4);
    assert!(r.document.json().contains_key("service"));
    assert_eq!(
        r.document
            .resolve_key("#key-1", Relationship::AssertionMethod)
            .unwrap(),
        *assertion.public_key()
    );
    let back = WebvhLog::from_jsonl(jsonl.as_bytes(), t(NOW)).unwrap();
    assert_eq!(back.to_jsonl().unwrap(), jsonl);
    // only Ed25519 update keys
    let p256 = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        kind(WebvhLog::create(
            &tmpl,
            &p256,
            None,
            t("2025-02-01T00:00:00Z")
        )),
        ErrorKind::ApiMisuse
    );
}

fn log_state(log: &WebvhLog) -> Map<String, Value> {
    let jsonl = log.to_jsonl().unwrap();
    let last = lines_of(jsonl.as_bytes()).pop().unwrap();
    last["state"].as_object().unwrap().clone()
}

/// A log passerelle writes verifies in the peer (PyPI did-webvh 1.0.1). The
/// peer's venv is part of the test setup: missing, this test fails.
#[test]
fn webvh_passerelle_log_verifies_in_python_peer() {
    let root = env!("CARGO_MANIFEST_DIR");
    let python = format!("{root}/interop/webvh/.venv/bin/python");
    assert!(
        std::path::Path::new(&python).exists(),
        "the did:webvh interop peer is not installed: run interop/webvh/setup.sh (needs PyPI)"
    );
    let k1 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let k2 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let k3 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let assertion = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl = document_template("issuer.example.ca:dids:interop", assertion.public_key()).unwrap();
    let mut plain = WebvhLog::create(&tmpl, &k1, None, t("2025-02-01T00:00:00Z")).unwrap();
    plain
        .update(
            &WebvhUpdate {
                update_keys: Some(vec![encode_multikey(k2.public_key())]),
                ttl: Some(3600),
                ..Default::default()
            },
            &k1,
            t("2025-03-01T00:00:00Z"),
        )
        .unwrap();
    plain
        .update(&WebvhUpdate::default(), &k2, t("2025-04-01T00:00:00Z"))
        .unwrap();
    let mut pre = WebvhLog::create(
        &tmpl,
        &k1,
        Some(vec![next_key_hash(&encode_multikey(k2.public_key()))]),
        t("2025-02-01T00:00:00Z"),
    )
    .unwrap();
    pre.update(
        &WebvhUpdate {
            update_keys: Some(vec![encode_multikey(k2.public_key())]),
            next_key_hashes: Some(vec![next_key_hash(&encode_multikey(k3.public_key()))]),
            ..Default::default()
        },
        &k2,
        t("2025-03-01T00:00:00Z"),
    )
    .unwrap();
    let mut deact = plain.clone();
    deact
        .update(
            &WebvhUpdate {
                deactivate: true,
                update_keys: Some(vec![]),
                ..Default::default()
            },
            &k2,
            t("2025-05-01T00:00:00Z"),
        )
        .unwrap();

    let dir = std::env::temp_dir().join(format!("passerelle-webvh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, log, deactivated) in [
        ("plain", &plain, false),
        ("prerotation", &pre, false),
        ("deactivated", &deact, true),
    ] {
        let path = dir.join(format!("{name}.jsonl"));
        let jsonl = log.to_jsonl().unwrap();
        std::fs::write(&path, &jsonl).unwrap();
        let out = std::process::Command::new(&python)
            .arg(format!("{root}/interop/webvh/peer.py"))
            .arg("verify")
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let res: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
            panic!(
                "peer output: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(res["valid"], json!(true), "{name}: {res}");
        let ours = resolve_webvh_log(jsonl.as_bytes(), None, t(NOW), ResolveAt::Latest).unwrap();
        assert_eq!(res["version_id"], json!(ours.version_id), "{name}");
        assert_eq!(
            res["document"],
            Value::Object(ours.document.json().clone()),
            "{name}"
        );
        assert_eq!(res["deactivated"], json!(deactivated), "{name}");
        // and a tampered copy fails in the peer too
        let mut entries = lines_of(jsonl.as_bytes());
        entries[1]["state"]["assertionMethod"] = json!([]);
        std::fs::write(&path, join(&entries)).unwrap();
        let out = std::process::Command::new(&python)
            .arg(format!("{root}/interop/webvh/peer.py"))
            .arg("verify")
            .arg(&path)
            .output()
            .unwrap();
        let res: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(res["valid"], json!(false), "{name} tampered: {res}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fuzz_entries_survive_samples() {
    let samples: Vec<Vec<u8>> = vec![
        vec![],
        b"{".to_vec(),
        b"did:key:z6Mk".to_vec(),
        b"did:web:%3A".to_vec(),
        b"did:webvh:Qm:x.y".to_vec(),
        webvh_log("basic"),
        webvh_log("prerotation"),
        read("did-web/example_did_document_jws2020.trailing-comma-removed.json").into_bytes(),
        vec![0xff, 0xfe, b'\n', b'{'],
    ];
    for s in &samples {
        fuzz_did_document(s);
        fuzz_did_log(s);
        crate::internal::fuzzing::data_integrity(s.as_ref());
    }
}

/// Issue 8 interop points: a verification method without `controller` is
/// controlled by the DID itself (as two DIF did:webvh implementations write
/// them); one naming another DID is still refused; a method's type names its
/// key type.
#[test]
fn methods_without_controller_and_typed_keys() {
    let did = "did:web:issuer.example.ca";
    let no_controller = doc_with(did, |v| {
        v["verificationMethod"][0]
            .as_object_mut()
            .unwrap()
            .remove("controller");
    });
    let d = check_did_web_document(did, &no_controller).unwrap();
    assert!(d
        .resolve_key("#key-1", Relationship::AssertionMethod)
        .is_ok());
    let other = doc_with(did, |v| {
        v["verificationMethod"][0]["controller"] = json!("did:web:other.example")
    });
    assert_eq!(
        kind(check_did_web_document(did, &other)),
        ErrorKind::Untrusted
    );
    let not_text = doc_with(did, |v| v["verificationMethod"][0]["controller"] = json!(5));
    assert_eq!(
        kind(check_did_web_document(did, &not_text)),
        ErrorKind::Malformed
    );
    // an Ed25519VerificationKey2020 holding a P-256 Multikey is not that type
    let p256 = crate::trust::did::multikey::encode_multikey(
        PrivateKey::generate(Algorithm::Es256).unwrap().public_key(),
    );
    let mistyped = doc_with(did, |v| {
        v["verificationMethod"][1]["type"] = json!("Ed25519VerificationKey2020");
        v["verificationMethod"][1]["publicKeyMultibase"] = json!(p256);
    });
    assert_eq!(
        kind(check_did_web_document(did, &mistyped)),
        ErrorKind::Malformed
    );
    let ed = doc_with(did, |v| {
        v["verificationMethod"][1]["type"] = json!("Ed25519VerificationKey2020")
    });
    assert!(check_did_web_document(did, &ed).is_ok());
}

/// did:webvh 1.0: log entry proofs are `eddsa-jcs-2022` with proofPurpose
/// `assertionMethod`; an `authentication` proof by the right update key, or
/// an `ecdsa-jcs-2019` one, is refused.
#[test]
fn webvh_entry_proofs_are_eddsa_jcs_2022_assertion_method_only() {
    let k1 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let assertion = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl = document_template("example.com", assertion.public_key()).unwrap();
    let mut log = WebvhLog::create(&tmpl, &k1, None, t("2025-02-01T00:00:00Z")).unwrap();
    log.update(&WebvhUpdate::default(), &k1, t("2025-03-01T00:00:00Z"))
        .unwrap();
    let entries = lines_of(log.to_jsonl().unwrap().as_bytes());
    assert!(resolve_webvh_log(&join(&entries), None, t(NOW), ResolveAt::Latest).is_ok());
    let mk = crate::trust::did::multikey::encode_multikey(k1.public_key());
    let resign = |suite: Cryptosuite, purpose: &str, key: &PrivateKey, vm: &str| {
        let mut out = entries.clone();
        let mut e = out[1].clone();
        e.remove("proof");
        let opts = ProofOptions::new(suite, vm, purpose, Some(t("2025-03-01T00:00:00Z")));
        let proof = di::create_proof(&e, &opts, key).unwrap();
        e.insert("proof".into(), Value::Array(vec![Value::Object(proof)]));
        out[1] = e;
        join(&out)
    };
    let vm = format!("did:key:{mk}#{mk}");
    // the same suite and purpose, re-signed: still accepted (the rebuild is sound)
    let ok = resign(Cryptosuite::EddsaJcs2022, "assertionMethod", &k1, &vm);
    assert!(resolve_webvh_log(&ok, None, t(NOW), ResolveAt::Latest).is_ok());
    let auth = resign(Cryptosuite::EddsaJcs2022, "authentication", &k1, &vm);
    assert_eq!(
        kind(resolve_webvh_log(&auth, None, t(NOW), ResolveAt::Latest)),
        ErrorKind::Untrusted
    );
    // a P-256 update key named by entry 2, signing entry 3 with ecdsa-jcs-2019
    let p256 = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mkp = crate::trust::did::multikey::encode_multikey(p256.public_key());
    let mut log3 = log.clone();
    log3.update(&WebvhUpdate::default(), &k1, t("2025-04-01T00:00:00Z"))
        .unwrap();
    let three = lines_of(log3.to_jsonl().unwrap().as_bytes());
    let mut out = rebuild_second(&three, &k1, "2025-03-01T00:00:00Z", |e| {
        e["parameters"]["updateKeys"] = json!([mkp])
    });
    let mut e3 = out[2].clone();
    e3.remove("proof");
    let prev = out[1]["versionId"].as_str().unwrap().to_owned();
    let hash = webvh::entry_hash(&e3, &prev).unwrap();
    e3.insert("versionId".into(), json!(format!("3-{hash}")));
    let opts = ProofOptions::new(
        Cryptosuite::EcdsaJcs2019,
        &format!("did:key:{mkp}#{mkp}"),
        "assertionMethod",
        Some(t("2025-04-01T00:00:00Z")),
    );
    let proof = di::create_proof(&e3, &opts, &p256).unwrap();
    e3.insert("proof".into(), Value::Array(vec![Value::Object(proof)]));
    out[2] = e3;
    assert_eq!(
        kind(resolve_webvh_log(
            &join(&out),
            None,
            t(NOW),
            ResolveAt::Latest
        )),
        ErrorKind::Untrusted
    );
    // the first two entries alone still resolve
    assert!(resolve_webvh_log(&join(&out[..2]), None, t(NOW), ResolveAt::Latest).is_ok());
}

/// Issue 8, third review: did:webvh logs in the trust file are resolved at the
/// verification time, not the system clock, and one deactivated DID fails
/// only its own credentials.
#[test]
fn webvh_logs_are_resolved_at_each_verification_time() {
    use crate::{Expectations, Policy, Verifier};
    let update = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let assertion = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl = document_template("example.com", assertion.public_key()).unwrap();
    let mut log = WebvhLog::create(&tmpl, &update, None, t("2025-02-01T00:00:00Z")).unwrap();
    let did = log.did().unwrap().to_owned();
    let deactivate = WebvhUpdate {
        deactivate: true,
        ..WebvhUpdate::default()
    };
    log.update(&deactivate, &update, t("2025-06-01T00:00:00Z"))
        .unwrap();
    // a second, healthy DID in the same trust file
    let k2 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let a2 = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let tmpl2 = document_template("other.example.com", a2.public_key()).unwrap();
    let log2 = WebvhLog::create(&tmpl2, &k2, None, t("2025-02-01T00:00:00Z")).unwrap();
    let did2 = log2.did().unwrap().to_owned();
    let file = json!({"did_logs": [log.to_jsonl().unwrap(), log2.to_jsonl().unwrap()]});
    // loading the file later than the deactivation does not fail it
    let trust = crate::TrustStore::from_json(&file.to_string(), t(NOW)).unwrap();
    let v = Verifier::new(trust, Policy::default());
    let issue = |did: &str, key: &PrivateKey| {
        let vc = crate::examples::ca_person_credential(did);
        crate::VcIssuer::new(key)
            .with_kid(&format!("{did}#key-1"))
            .issue_jwt(&vc)
            .unwrap()
    };
    let at = Expectations::at(t("2026-02-01T00:00:00Z"));
    // the deactivated DID is refused (at a time after its deactivation)
    let jwt = issue(&did, &assertion);
    assert_eq!(kind(v.verify(jwt.as_bytes(), &at)), ErrorKind::Untrusted);
    // the other DID of the same file is unaffected
    let jwt2 = issue(&did2, &a2);
    assert!(v.verify(jwt2.as_bytes(), &at).is_ok());
    // and its log is judged at the verification time: a verification time
    // before the log's first entry finds no version of the DID
    let early = Expectations::at(t("2025-01-15T00:00:00Z"));
    assert_eq!(
        kind(v.verify(jwt2.as_bytes(), &early)),
        ErrorKind::Untrusted
    );
}
