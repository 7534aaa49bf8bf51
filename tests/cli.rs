//! The CLI contract of DESIGN.md, as outside harnesses drive it.

use crate::common::vector;
use serde_json::{json, Value};
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json_out(o: &Output) -> Value {
    let s = String::from_utf8(o.stdout.clone()).unwrap();
    assert_eq!(s.lines().count(), 1, "stdout must be one JSON line: {s}");
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

struct Tmp(std::path::PathBuf);
impl Tmp {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("passerelle-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn put(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    }
}
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn keygen_each_algorithm() {
    for (alg, crv) in [("ES256", "P-256"), ("ES384", "P-384"), ("EdDSA", "Ed25519")] {
        let o = cli(&["keygen", "--alg", alg]);
        assert!(o.status.success());
        let jwk = json_out(&o);
        assert_eq!(jwk["crv"], crv);
        assert!(jwk["d"].is_string());
        passerelle::PrivateKey::from_jwk(&jwk.to_string()).unwrap();
    }
    assert_eq!(cli(&["keygen", "--alg", "HS256"]).status.code(), Some(2));
}

#[test]
fn issue_present_verify_and_exit_codes() {
    let t = Tmp::new("journey");
    let issuer = String::from_utf8(cli(&["keygen"]).stdout).unwrap();
    let holder = String::from_utf8(cli(&["keygen", "--alg", "EdDSA"]).stdout).unwrap();
    let mut issuer_pub: Value = serde_json::from_str(&issuer).unwrap();
    issuer_pub.as_object_mut().unwrap().remove("d");
    issuer_pub["iss"] = json!("https://pid-provider.example");
    let ik = t.put("issuer.jwk", &issuer);
    let hk = t.put("holder.jwk", &holder);
    let ip = t.put("issuer.pub.jwk", &issuer_pub.to_string());
    let claims = t.put(
        "claims.json",
        &Value::Object(passerelle::examples::eu_pid_claims(
            "https://pid-provider.example",
        ))
        .to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "dc+sd-jwt",
        "--issuer-key",
        &ik,
        "--holder-key",
        &hk,
        "--claims",
        &claims,
        "--sd",
        "all",
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cred = t.put("cred.txt", &String::from_utf8(o.stdout).unwrap());
    // the credential file ends with a newline (ENC-04): accepted
    let o = cli(&[
        "present",
        "--credential",
        &cred,
        "--holder-key",
        &hk,
        "--disclose",
        "/given_name,/age_equal_or_over/18",
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vp = t.put("vp.txt", &String::from_utf8(o.stdout).unwrap());
    let o = cli(&[
        "verify",
        &vp,
        "--issuer-jwk",
        &ip,
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000010",
        "--require-holder-binding",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r = json_out(&o);
    assert_eq!(r["valid"], true);
    assert_eq!(r["format"], "dc+sd-jwt");
    assert_eq!(r["claims"]["given_name"], "Erika");
    assert!(r["claims"].get("family_name").is_none());
    assert_eq!(r["identity"]["age_over"]["18"], true);
    assert_eq!(r["holder_binding"]["state"], "verified");
    assert_eq!(r["issuer"]["id"], "https://pid-provider.example");
    // exit 1 with the error shape: wrong nonce
    let o = cli(&[
        "verify",
        &vp,
        "--issuer-jwk",
        &ip,
        "--nonce",
        "n2",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000010",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r = json_out(&o);
    assert_eq!(r["valid"], false);
    assert_eq!(r["error"]["kind"], "holder_binding");
    assert!(r["error"]["message"].is_string());
    // untrusted issuer
    let o = cli(&[
        "verify",
        &vp,
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000010",
    ]);
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");
    // exit 2: usage errors print nothing on stdout
    for args in [
        vec!["verify"],
        vec!["verify", &vp, "--bogus", "x"],
        vec!["frobnicate"],
        vec!["verify", &vp, "--at", "yesterday"],
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // stdin input and a policy file
    let policy = t.put(
        "policy.json",
        r#"{"require_holder_binding": true, "clock_skew_secs": 0}"#,
    );
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args([
            "verify",
            "-",
            "--issuer-jwk",
            &ip,
            "--nonce",
            "n1",
            "--aud",
            "https://rp.example",
            "--at",
            "1790000010",
            "--policy",
            &policy,
        ])
        .stdin(std::fs::File::open(&vp).unwrap())
        .output()
        .unwrap();
    assert_eq!(json_out(&o)["valid"], true);
    // a trust file
    let trust = t.put("trust.json", &json!({"issuers": [issuer_pub]}).to_string());
    let o = cli(&[
        "verify",
        &vp,
        "--trust",
        &trust,
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000010",
    ]);
    assert_eq!(json_out(&o)["valid"], true);
    // DCQL presentation
    let q = t.put("q.json", &json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["address", "locality"]}, {"path": ["nationalities", null]}]}]}).to_string());
    let o = cli(&[
        "present",
        "--credential",
        &cred,
        "--holder-key",
        &hk,
        "--dcql",
        &q,
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vp2 = t.put("vp2.txt", &String::from_utf8(o.stdout).unwrap());
    let r = json_out(&cli(&[
        "verify",
        &vp2,
        "--issuer-jwk",
        &ip,
        "--nonce",
        "n1",
        "--aud",
        "https://rp.example",
        "--at",
        "1790000010",
    ]));
    assert_eq!(r["claims"]["address"], json!({"locality": "Köln"}));
    assert_eq!(r["claims"]["nationalities"], json!(["DE"]));
    assert!(r["claims"].get("given_name").is_none());
}

#[test]
fn did_jwk_resolution_matches_the_spec_examples() {
    for f in ["did/did-jwk/p256.json", "did/did-jwk/x25519.json"] {
        let v: Value = serde_json::from_str(&vector(f)).unwrap();
        let o = cli(&["did", "resolve", v["did"].as_str().unwrap()]);
        assert!(o.status.success(), "{f}");
        let r = json_out(&o);
        assert_eq!(r["valid"], true);
        assert_eq!(r["document"], v["expected_did_document"], "{f}");
    }
    let o = cli(&["did", "resolve", "did:jwk:eyJrdHkiOiJvY3QiLCJrIjoiQUFBQSJ9"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "malformed");
}

/// The demo, as a person reads it (issue 9): who issued, what was disclosed,
/// which check failed and why, steps numbered 1, 2, 3, ... with no gaps, the
/// two verifiers' policies side by side; the full JSON only with `--json`.
#[test]
fn demo_runs_the_whole_journey() {
    let needles = [
        "tampered disclosure  -> malformed",
        "replay elsewhere      -> holder_binding",
        "unknown CA            -> untrusted",
        "clause ca-person-loa3",
        "clause eu-pid-high",
        "given name only       -> policy",
        "verified eu.europa.ec.eudi.pid.1",
        "changed given_name    -> signature",
        "no IACA configured    -> untrusted",
        "accepted: mso_mdoc eu.europa.ec.eudi.pid.1",
        "status list as issued  -> accepted, status \"valid\"",
        "revoked PID            -> revoked",
        "list fetched 10 min ago -> expired",
        "accepted, status \"undetermined\"",
        "a tampered PID         -> malformed: not stored",
        "the shop verifies the vp_token: satisfied, learned Erika and over 18: true",
    ];
    let json_needles = ["\"valid\": true", "\"format\": \"mso_mdoc\""];
    // --json: everything the demo ever printed, the full results included
    let o = cli(&["demo", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let full = String::from_utf8(o.stdout).unwrap();
    for needle in needles.iter().chain(&json_needles) {
        assert!(
            full.contains(needle),
            "demo --json lacks {needle:?}:\n{full}"
        );
    }
    assert!(!full.contains("!!"), "{full}");
    // each refusal's exact message is there too
    assert!(
        full.contains("(verifier: disclosure: invalid JSON"),
        "{full}"
    );
    // the default: readable lines, no JSON, no parser jargon
    let o = cli(&["demo"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for needle in needles {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    for needle in [
        "tampered disclosure  -> malformed: tampered disclosure detected",
        "changed given_name    -> signature: tampered element detected",
        // who issued, what was disclosed
        "verified:  dc+sd-jwt urn:eudi:pid:1, issued by https://pid-provider.example (certificate CN=Demo PID Provider",
        "disclosed: age_equal_or_over/18 true, family_name \"Mustermann\", given_name \"Erika\", nationalities [\"DE\"]",
        "disclosed: age_over_18 true, family_name \"Mustermann\", given_name \"Erika\"",
        // the two policies, and a presentation they judge differently
        "the EU verifier (an online shop checking age",
        "     requires age_over_18\n",
        "the Canadian verifier (a service opening an account",
        "     requires given_name, family_name, age_over_18\n",
        "clause ca-person-loa2",
        "EU verifier        -> accepted under clause ca-person-loa3: age over 18 is all it needs",
        "Canadian verifier  -> policy: it opens an account, so it needs her names too",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    for absent in json_needles
        .iter()
        .chain(&["!!", "invalid JSON", "at byte", "(verifier: "])
    {
        assert!(!out.contains(absent), "demo output has {absent:?}:\n{out}");
    }
    // steps numbered 1..n, in order, with no gaps and no 6a/9b
    let steps: Vec<u32> = out
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .map(|l| l.split('.').next().unwrap().parse().expect(l))
        .collect();
    assert_eq!(steps, (1..=16).collect::<Vec<_>>(), "{out}");
    // usage errors
    let o = cli(&["demo", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}

#[test]
fn did_resolve_web_webvh_and_key() {
    let root = crate::common::root().join("test-vectors");
    // did:webvh: a log made by the PyPI did-webvh package
    let log = root.join("did-webvh/basic/did.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let did = last["state"]["id"].as_str().unwrap();
    let o = cli(&["did", "resolve", did, "--log", log.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(r["document"]["id"], did);
    assert_eq!(r["version_id"], last["versionId"]);
    assert_eq!(r["deactivated"], false);
    // a tampered log fails with untrusted
    let t = Tmp::new("webvh");
    let bad = t.put("did.jsonl", &text.replacen("example.com", "example.org", 1));
    let o = cli(&["did", "resolve", did, "--log", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(["untrusted", "malformed"].contains(&json_out(&o)["error"]["kind"].as_str().unwrap()));
    // did:web with the host-fetched document; another DID is untrusted (DID-01)
    let doc = root.join("did-web/example_did_document_jws2020.trailing-comma-removed.json");
    let o = cli(&[
        "did",
        "resolve",
        "did:web:example.com",
        "--document",
        doc.to_str().unwrap(),
    ]);
    assert_eq!(json_out(&o)["document"]["id"], "did:web:example.com");
    let o = cli(&[
        "did",
        "resolve",
        "did:web:other.example",
        "--document",
        doc.to_str().unwrap(),
    ]);
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");
    // did:key from the identifier
    let o = cli(&[
        "did",
        "resolve",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ]);
    assert_eq!(
        json_out(&o)["document"]["id"],
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    );
}

#[test]
fn mdoc_issue_present_verify_through_the_cli() {
    let t = Tmp::new("mdoc");
    let p = crate::mdoc::pki();
    let ds_jwk = t.put("ds.jwk", &p.ds_key.to_jwk());
    let chain = t.put("ds.pem", &p.ds.to_pem());
    let iaca = t.put("iaca.pem", &p.iaca.to_pem());
    let device = t.put(
        "device.jwk",
        &String::from_utf8(cli(&["keygen"]).stdout).unwrap(),
    );
    let claims = t.put(
        "claims.json",
        &json!({"org.iso.18013.5.1": {"family_name": "Doe", "given_name": "Jane",
            "birth_date": "1990-02-03", "age_over_18": true}})
        .to_string(),
    );
    let at = p.now.as_secs().to_string();
    let o = cli(&[
        "issue",
        "--format",
        "mso_mdoc",
        "--issuer-key",
        &ds_jwk,
        "--x5c",
        &chain,
        "--holder-key",
        &device,
        "--claims",
        &claims,
        "--at",
        &at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let issued = t.put("issued.txt", String::from_utf8(o.stdout).unwrap().trim());
    let o = cli(&[
        "present",
        "--credential",
        &issued,
        "--holder-key",
        &device,
        "--disclose",
        "org.iso.18013.5.1/given_name,org.iso.18013.5.1/age_over_18",
        "--nonce",
        "n-1",
        "--aud",
        "x509_san_dns:rp.example",
        "--openid4vp-handover",
        "https://rp.example/post",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vp = t.put("vp.txt", String::from_utf8(o.stdout).unwrap().trim());
    let verify = |nonce: &str| {
        cli(&[
            "verify",
            &vp,
            "--anchor",
            &iaca,
            "--at",
            &at,
            "--nonce",
            nonce,
            "--aud",
            "x509_san_dns:rp.example",
            "--openid4vp-handover",
            "https://rp.example/post",
        ])
    };
    let o = verify("n-1");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(r["format"], "mso_mdoc");
    assert_eq!(
        r["claims"],
        json!({"org.iso.18013.5.1.mDL": {"org.iso.18013.5.1": {"given_name": "Jane", "age_over_18": true}}})
    );
    assert_eq!(r["holder_binding"]["state"], "verified");
    let o = verify("n-2");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "holder_binding");
    // the same response as raw CBOR bytes
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(std::fs::read_to_string(&vp).unwrap().trim())
        .unwrap();
    let raw_path = t.0.join("vp.cbor");
    std::fs::write(&raw_path, raw).unwrap();
    let o = cli(&[
        "verify",
        raw_path.to_str().unwrap(),
        "--anchor",
        &iaca,
        "--at",
        &at,
    ]);
    assert!(o.status.success());
    assert_eq!(json_out(&o)["holder_binding"]["state"], "not_checked");
}

#[test]
fn annex_d_verifies_through_the_cli_with_transcript_and_reader_key() {
    let t = Tmp::new("annexd");
    let keys: Value = serde_json::from_str(&vector("iso18013-5-annexD/keys.json")).unwrap();
    let k = &keys["ephemeral_reader_key"];
    let b64 = |h: &str| {
        use base64::Engine;
        let bytes: Vec<u8> = (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(k["x_hex"].as_str().unwrap()),
        "y": b64(k["y_hex"].as_str().unwrap()), "d": b64(k["d_hex"].as_str().unwrap())});
    let reader = t.put("reader.jwk", &jwk.to_string());
    let tagged = vector("iso18013-5-annexD/session_transcript_bytes.hex");
    // drop the tag-24 head: d8 18 59 <2 bytes>
    let transcript = t.put("transcript.hex", &tagged.trim()[10..]);
    let der = vector("iso18013-5-annexD/iaca_root_cert.der.hex");
    let der: Vec<u8> = (0..der.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&der.trim()[i..i + 2], 16).unwrap())
        .collect();
    let iaca = t.put(
        "iaca.pem",
        &passerelle::Certificate::from_der(&der).unwrap().to_pem(),
    );
    let resp = vector("iso18013-5-annexD/device_response.hex");
    let bytes: Vec<u8> = (0..resp.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&resp.trim()[i..i + 2], 16).unwrap())
        .collect();
    let resp_path = t.0.join("response.cbor");
    std::fs::write(&resp_path, bytes).unwrap();
    let o = cli(&[
        "verify",
        resp_path.to_str().unwrap(),
        "--anchor",
        &iaca,
        "--at",
        "1609459200",
        "--transcript",
        &transcript,
        "--reader-key",
        &reader,
        "--require-holder-binding",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(r["holder_binding"]["state"], "verified");
    assert_eq!(
        r["claims"]["org.iso.18013.5.1.mDL"]["org.iso.18013.5.1"]["family_name"],
        "Doe"
    );
}

#[test]
fn vc_cose_issue_and_verify_through_the_cli() {
    let t = Tmp::new("vccose");
    let key = String::from_utf8(cli(&["keygen", "--alg", "ES384"]).stdout).unwrap();
    let mut jwk: Value = serde_json::from_str(&key).unwrap();
    let key_path = t.put("issuer.jwk", &key);
    jwk.as_object_mut().unwrap().remove("d");
    jwk["iss"] = json!("https://issuer.example.ca");
    let pub_path = t.put("issuer_pub.jwk", &jwk.to_string());
    let claims = t.put(
        "vc.json",
        &Value::Object(passerelle::examples::ca_person_credential(
            "https://issuer.example.ca",
        ))
        .to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "vc+cose",
        "--issuer-key",
        &key_path,
        "--claims",
        &claims,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let cose = t.put("vc.txt", String::from_utf8(o.stdout).unwrap().trim());
    let o = cli(&[
        "verify",
        &cose,
        "--issuer-jwk",
        &pub_path,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(r["format"], "vc+cose");
    assert_eq!(r["claims"]["credentialSubject"]["familyName"], "Tremblay");
    // without the issuer key: untrusted, exit 1
    let o = cli(&["verify", &cose, "--at", "1790000000"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");
}

/// Issue 8: the CLI trims one trailing newline from text input only; binary
/// input is never changed (a valid raw COSE whose last byte is 0x0a failed).
#[test]
fn binary_input_ending_in_a_newline_byte_is_not_trimmed() {
    let t = Tmp::new("rawnl");
    let key = passerelle::PrivateKey::generate(passerelle::Algorithm::Es256).unwrap();
    let vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
    // ECDSA signatures are random: draw until the last byte is 0x0a
    let cose = (0..20_000)
        .map(|_| passerelle::VcIssuer::new(&key).issue_cose(&vc).unwrap())
        .find(|c| c.last() == Some(&0x0a))
        .expect("a signature ending in 0x0a within 20 000 draws");
    let raw = t.0.join("vc.cose");
    std::fs::write(&raw, &cose).unwrap();
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["iss"] = json!("https://issuer.example.ca");
    let pub_path = t.put("issuer_pub.jwk", &jwk.to_string());
    let o = cli(&[
        "verify",
        raw.to_str().unwrap(),
        "--issuer-jwk",
        &pub_path,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(json_out(&o)["format"], "vc+cose");
}

/// Issue 8: `--policy` is read with the strict JSON reader (duplicate members
/// refused); negative, fractional or out-of-range numbers are usage errors,
/// never silently 0.
#[test]
fn policy_files_are_strict() {
    let t = Tmp::new("policy");
    let input = t.put("in.txt", "not a credential");
    for bad in [
        r#"{"clock_skew_secs": 5, "clock_skew_secs": 6}"#,
        r#"{"clock_skew_secs": -1}"#,
        r#"{"clock_skew_secs": 1.5}"#,
        r#"{"kb_max_age_secs": 1e30}"#,
        r#"{"kb_max_age_secs": 99999999999}"#,
        r#"{"require_holder_binding": "yes"}"#,
        r#"{"unknown": true}"#,
        r#"{"clock_skew_secs": 5} trailing"#,
    ] {
        let p = t.put("policy.json", bad);
        let o = cli(&["verify", &input, "--policy", &p]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{bad}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    let p = t.put(
        "policy.json",
        r#"{"clock_skew_secs": 0, "require_holder_binding": true}"#,
    );
    let o = cli(&["verify", &input, "--policy", &p]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a good policy reaches verification"
    );
}

/// Issue 10: the status commands of DESIGN.md, and a credential revoked by
/// its issuer failing as revoked through `verify --status-list`; a stale
/// list is not revoked but undetermined (its cause's kind, expired).
#[test]
fn status_commands_revoke_a_credential_end_to_end() {
    let t = Tmp::new("status");
    let store = t.0.join("status.db");
    let store = store.to_str().unwrap();
    let uri = "https://issuer.example/status/1";
    let key = String::from_utf8(cli(&["keygen"]).stdout).unwrap();
    let key_path = t.put("issuer.jwk", &key);
    let mut public: Value = serde_json::from_str(&key).unwrap();
    public.as_object_mut().unwrap().remove("d");
    public["iss"] = json!("https://issuer.example");
    let pub_path = t.put("issuer_pub.jwk", &public.to_string());
    let o = cli(&[
        "status", "new", "--uri", uri, "--bits", "2", "--size", "1000", "--store", store,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let claims = t.put(
        "c.json",
        &json!({"iss": "https://issuer.example", "vct": "urn:x", "given_name": "E"}).to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "dc+sd-jwt",
        "--issuer-key",
        &key_path,
        "--claims",
        &claims,
        "--status-store",
        store,
        "--status-uri",
        uri,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let sd = t.put("cred.txt", String::from_utf8(o.stdout).unwrap().trim());
    let sd_text = std::fs::read_to_string(&sd).unwrap();
    let payload: Value = {
        use base64::Engine as _;
        let p = sd_text.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
    let o = cli(&["status", "allocate", "--uri", uri, "--store", store]);
    assert_ne!(
        json_out(&o)["idx"].as_u64().unwrap(),
        idx,
        "a fresh index each time"
    );
    let publish = |extra: &[&str]| {
        let mut a = vec![
            "status",
            "publish",
            "--uri",
            uri,
            "--format",
            "statuslist+jwt",
            "--issuer-key",
            &key_path,
            "--store",
            store,
            "--at",
            "1790000000",
        ];
        a.extend_from_slice(extra);
        let o = cli(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
        t.put("list.jwt", String::from_utf8(o.stdout).unwrap().trim())
    };
    let verify = |list: &str, extra: &[&str]| {
        let mut a = vec![
            "verify",
            &sd,
            "--issuer-jwk",
            &pub_path,
            "--at",
            "1790000000",
            "--status-list",
            list,
        ];
        a.extend_from_slice(extra);
        cli(&a)
    };
    // a Bitstring list credential without its issuer: a usage error, told
    let o = cli(&[
        "status",
        "publish",
        "--uri",
        uri,
        "--format",
        "bitstring",
        "--issuer-key",
        &key_path,
        "--store",
        store,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--iss is required for --format bitstring"));
    let list = publish(&[]);
    let o = verify(&list, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(json_out(&o)["status"]["state"], "valid");
    let o = cli(&[
        "status",
        "set",
        "--uri",
        uri,
        "--idx",
        &idx.to_string(),
        "--value",
        "revoked",
        "--store",
        store,
    ]);
    assert!(o.status.success());
    let list = publish(&["--ttl", "300"]);
    let o = verify(&list, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "revoked");
    // the same list, fetched 10 minutes before: stale, not revoked
    let o = verify(&list, &["--status-fetched-at", "1789999400"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "expired");
    assert!(json_out(&o)["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("status:"));
    // required status without a list: policy
    let o = cli(&[
        "verify",
        &sd,
        "--issuer-jwk",
        &pub_path,
        "--at",
        "1790000000",
        "--require-status",
    ]);
    assert_eq!(json_out(&o)["error"]["kind"], "policy");
    // usage errors
    assert_eq!(
        cli(&["status", "frobnicate", "--uri", uri, "--store", store])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cli(&["status", "set", "--uri", uri, "--idx", "1", "--value", "maybe", "--store", store])
            .status
            .code(),
        Some(2)
    );
}

/// Issue 12: the wallet commands of DESIGN.md on an embedded store, `dcql
/// match`, and `verify-vp` of what `wallet present` answered.
#[test]
fn wallet_dcql_and_verify_vp_through_the_cli() {
    let t = Tmp::new("wallet");
    let store = t.0.join("wallet.db");
    let store = store.to_str().unwrap();
    let issuer = String::from_utf8(cli(&["keygen"]).stdout).unwrap();
    let holder = String::from_utf8(cli(&["keygen"]).stdout).unwrap();
    let ik = t.put("issuer.jwk", &issuer);
    let hk = t.put("holder.jwk", &holder);
    let mut ipub: Value = serde_json::from_str(&issuer).unwrap();
    ipub.as_object_mut().unwrap().remove("d");
    ipub["iss"] = json!("https://pid-provider.example");
    let ip = t.put("issuer.pub.jwk", &ipub.to_string());
    let mut hpub: Value = serde_json::from_str(&holder).unwrap();
    hpub.as_object_mut().unwrap().remove("d");
    let hp = t.put("holder.pub.jwk", &hpub.to_string());
    let claims = t.put(
        "c.json",
        &Value::Object(passerelle::examples::eu_pid_claims(
            "https://pid-provider.example",
        ))
        .to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "dc+sd-jwt",
        "--issuer-key",
        &ik,
        "--holder-key",
        &hp,
        "--claims",
        &claims,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success());
    let cred = t.put("pid.txt", String::from_utf8(o.stdout).unwrap().trim());
    // not trusted: refused, nothing stored
    let o = cli(&[
        "wallet",
        "add",
        &cred,
        "--holder-key",
        &hk,
        "--store",
        store,
        "--at",
        "1790000000",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");
    let o = cli(&["wallet", "list", "--store", store]);
    assert_eq!(json_out(&o), json!([]));
    // trusted: stored
    let o = cli(&[
        "wallet",
        "add",
        &cred,
        "--holder-key",
        &hk,
        "--store",
        store,
        "--issuer-jwk",
        &ip,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let id = json_out(&o)["id"].as_str().unwrap().to_owned();
    let list = json_out(&cli(&["wallet", "list", "--store", store]));
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["credential_type"], "urn:eudi:pid:1");
    assert_eq!(list[0]["holder_key"], true);
    assert!(
        !list.to_string().contains("\"d\""),
        "no secrets in the list"
    );
    // dcql match
    let q = t.put("q.json", &json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]},
        "claims": [{"path": ["given_name"]}, {"path": ["nationalities", null]}]},
        {"id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"}, "claims": [{"path": ["org.iso.18013.5.1", "given_name"]}]}],
        "credential_sets": [{"options": [["pid"], ["mdl"]]}]}).to_string());
    let m = json_out(&cli(&["dcql", "match", &q, &cred]));
    assert_eq!(m["satisfied"], true, "{m}");
    assert_eq!(m["matches"]["pid"], json!([0]));
    // wallet present -> verify-vp
    let o = cli(&[
        "wallet",
        "present",
        "--dcql",
        &q,
        "--nonce",
        "n-9",
        "--aud",
        "x509_san_dns:rp.example",
        "--store",
        store,
        "--at",
        "1790000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let vp = t.put("vp.json", &String::from_utf8(o.stdout).unwrap());
    let r = json_out(&cli(&[
        "verify-vp",
        &vp,
        "--dcql",
        &q,
        "--nonce",
        "n-9",
        "--aud",
        "x509_san_dns:rp.example",
        "--issuer-jwk",
        &ip,
        "--at",
        "1790000000",
    ]));
    assert_eq!(r["satisfied"], true, "{r}");
    assert_eq!(
        r["presentations"][0]["result"]["claims"]["given_name"],
        "Erika"
    );
    // another nonce: not satisfied, "valid": false and exit 1, as verify
    let o = cli(&[
        "verify-vp",
        &vp,
        "--dcql",
        &q,
        "--nonce",
        "n-other",
        "--aud",
        "x509_san_dns:rp.example",
        "--issuer-jwk",
        &ip,
        "--at",
        "1790000000",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r = json_out(&o);
    assert_eq!(r["satisfied"], false);
    assert_eq!(r["valid"], false);
    assert!(
        r["presentations"][0]["result"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nonce"),
        "{r}"
    );
    // remove
    let o = cli(&["wallet", "remove", &id, "--store", store]);
    assert!(o.status.success());
    assert_eq!(
        json_out(&cli(&["wallet", "list", "--store", store])),
        json!([])
    );
    assert_eq!(
        cli(&["wallet", "frobnicate", "--store", store])
            .status
            .code(),
        Some(2)
    );
}

fn stderr_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Issue 9: every command has its own help (stdout, exit 0) naming each of
/// its options; `--version`; a usage error is one line on stderr, exit 2.
#[test]
fn help_version_and_one_line_usage_errors() {
    let options: &[(&str, &[&str])] = &[
        ("keygen", &["--alg", "--public"]),
        ("pki", &["--out", "--issuer", "--country", "--at"]),
        (
            "issue",
            &[
                "--format",
                "--issuer-key",
                "--x5c",
                "--holder-key",
                "--claims",
                "--sd",
                "--kid",
                "--at",
                "--decoys",
                "--doctype",
                "--status-store",
                "--status-uri",
            ],
        ),
        (
            "present",
            &[
                "--credential",
                "--holder-key",
                "--disclose",
                "--dcql",
                "--nonce",
                "--aud",
                "--at",
                "--openid4vp-handover",
                "--dc-api-origin",
                "--transcript",
                "--reader-key",
            ],
        ),
        (
            "verify",
            &[
                "--trust",
                "--anchor",
                "--iaca",
                "--issuer-jwk",
                "--nonce",
                "--aud",
                "--at",
                "--transcript",
                "--reader-key",
                "--status-list",
                "--status-fetched-at",
                "--require-status",
                "--require-holder-binding",
                "--allow-legacy-typ",
                "--policy",
                "--openid4vp-handover",
                "--dc-api-origin",
            ],
        ),
        ("did", &["--log", "--document", "--at"]),
        (
            "status",
            &[
                "--uri",
                "--bits",
                "--size",
                "--store",
                "--idx",
                "--value",
                "--format",
                "--issuer-key",
                "--x5c",
                "--ttl",
                "--exp",
                "--at",
                "--iss",
                "--kid",
                "--purpose",
            ],
        ),
        (
            "wallet",
            &[
                "--store",
                "--holder-key",
                "--dcql",
                "--nonce",
                "--aud",
                "--openid4vp-handover",
                "--trust",
                "--anchor",
                "--issuer-jwk",
                "--policy",
            ],
        ),
        ("dcql", &[]),
        (
            "verify-vp",
            &[
                "--dcql",
                "--nonce",
                "--aud",
                "--openid4vp-handover",
                "--trust",
                "--anchor",
                "--issuer-jwk",
            ],
        ),
        ("demo", &["--json"]),
    ];
    let overview = cli(&["--help"]);
    assert_eq!(overview.status.code(), Some(0));
    let overview = String::from_utf8(overview.stdout).unwrap();
    for (cmd, opts) in options {
        assert!(
            overview.contains(&format!("\n  {cmd} ")),
            "--help lacks {cmd}"
        );
        for flag in ["--help", "-h"] {
            let o = cli(&[cmd, flag]);
            assert_eq!(o.status.code(), Some(0), "{cmd} {flag}");
            assert!(o.stderr.is_empty(), "{cmd} {flag}");
            let text = String::from_utf8(o.stdout).unwrap();
            assert!(
                text.starts_with(&format!("usage: passerelle {cmd}")),
                "{text}"
            );
            for opt in *opts {
                assert!(
                    text.lines()
                        .any(|l| l.trim_start().starts_with(opt) || l.contains(&format!("[{opt}"))),
                    "{cmd} --help does not explain {opt}:\n{text}"
                );
            }
        }
        // `help COMMAND` is the same text
        assert_eq!(cli(&["help", cmd]).stdout, cli(&[cmd, "--help"]).stdout);
    }
    for flag in ["--version", "-V"] {
        let o = cli(&[flag]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            String::from_utf8(o.stdout).unwrap(),
            format!("passerelle {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    // one line on stderr, naming the command and where its help is; exit 2
    for (args, line) in [
        (
            vec!["verify", "in.txt", "--foo", "x"],
            "passerelle verify: unknown option --foo (see passerelle verify --help)",
        ),
        (
            vec!["issue", "--format"],
            "passerelle issue: --format needs a value (see passerelle issue --help)",
        ),
        // a misspelt last option is unknown, not short of a value
        (
            vec!["verify", "in.txt", "--polcy"],
            "passerelle verify: unknown option --polcy (see passerelle verify --help)",
        ),
        (
            vec!["verify", "in.txt", "--at"],
            "passerelle verify: --at needs a value (see passerelle verify --help)",
        ),
        (
            vec!["keygen", "--alg", "HS256"],
            "passerelle keygen: unknown --alg HS256 (ES256, ES384 or EdDSA) (see passerelle keygen --help)",
        ),
        (
            vec!["frobnicate"],
            "passerelle: unknown command frobnicate (see passerelle --help)",
        ),
        (vec![], "passerelle: no command given (see passerelle --help)"),
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr_lines(&o), [line], "{args:?}");
    }
}

/// Issue 9: `keygen --public FILE` writes the public half; stdout stays the
/// private JWK that harnesses read.
#[test]
fn keygen_writes_the_public_half() {
    let t = Tmp::new("keygen-public");
    let public = t.0.join("pub.jwk");
    for alg in ["ES256", "EdDSA"] {
        let o = cli(&["keygen", "--alg", alg, "--public", public.to_str().unwrap()]);
        assert!(o.status.success());
        let private = json_out(&o);
        assert!(private["d"].is_string());
        let text = std::fs::read_to_string(&public).unwrap();
        let jwk: Value = serde_json::from_str(&text).unwrap();
        assert!(jwk.get("d").is_none(), "{text}");
        assert_eq!(jwk["x"], private["x"]);
        assert_eq!(jwk["y"], private["y"]);
        let pk = passerelle::PublicKey::from_jwk(&text).unwrap();
        let sk = passerelle::PrivateKey::from_jwk(&private.to_string()).unwrap();
        assert_eq!(&pk, sk.public_key());
    }
    let o = cli(&["keygen", "--public", "/nonexistent-dir/pub.jwk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}

/// Issue 9: `pki` makes what a harness needs to issue an x5c-signed SD-JWT
/// VC and an mdoc without openssl, and each verifies against its own root
/// only.
#[test]
fn pki_files_issue_and_verify_end_to_end() {
    let t = Tmp::new("pki");
    let dir = t.0.join("pki");
    let at = "1790000000";
    let o = cli(&[
        "pki",
        "--out",
        dir.to_str().unwrap(),
        "--issuer",
        "https://pid-provider.example",
        "--country",
        "DE",
        "--at",
        at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p = json_out(&o);
    let f = |v: &Value| v.as_str().unwrap().to_owned();
    for file in [
        &p["mdoc"]["iaca"],
        &p["mdoc"]["iaca_key"],
        &p["mdoc"]["document_signer"],
        &p["mdoc"]["document_signer_key"],
        &p["sd_jwt_vc"]["anchor"],
        &p["sd_jwt_vc"]["anchor_key"],
        &p["sd_jwt_vc"]["x5c"],
        &p["sd_jwt_vc"]["issuer_key"],
    ] {
        assert!(std::path::Path::new(&f(file)).is_file(), "{file}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f(&p["sd_jwt_vc"]["issuer_key"]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "private keys are readable by their owner only"
        );
    }
    // each key file is the key of its certificate
    for (cert, key) in [
        (&p["mdoc"]["iaca"], &p["mdoc"]["iaca_key"]),
        (
            &p["mdoc"]["document_signer"],
            &p["mdoc"]["document_signer_key"],
        ),
        (&p["sd_jwt_vc"]["anchor"], &p["sd_jwt_vc"]["anchor_key"]),
        (&p["sd_jwt_vc"]["x5c"], &p["sd_jwt_vc"]["issuer_key"]),
    ] {
        let c =
            passerelle::Certificate::from_pem(&std::fs::read_to_string(f(cert)).unwrap()).unwrap();
        let k =
            passerelle::PrivateKey::from_jwk(&std::fs::read_to_string(f(key)).unwrap()).unwrap();
        assert_eq!(
            &c[0].subject_public_key().unwrap(),
            k.public_key(),
            "{cert}"
        );
    }

    // SD-JWT VC signed with the issuer certificate in x5c
    let claims = t.put(
        "pid.json",
        &Value::Object(passerelle::examples::eu_pid_claims(
            "https://pid-provider.example",
        ))
        .to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "dc+sd-jwt",
        "--issuer-key",
        &f(&p["sd_jwt_vc"]["issuer_key"]),
        "--x5c",
        &f(&p["sd_jwt_vc"]["x5c"]),
        "--claims",
        &claims,
        "--at",
        at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sd_jwt = t.put("pid.txt", &String::from_utf8(o.stdout).unwrap());
    let o = cli(&[
        "verify",
        &sd_jwt,
        "--anchor",
        &f(&p["sd_jwt_vc"]["anchor"]),
        "--at",
        at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(r["issuer"]["id"], "https://pid-provider.example");
    assert_eq!(r["issuer"]["trust"]["method"], "x509");
    assert_eq!(r["claims"]["given_name"], "Erika");
    // the IACA is not the SD-JWT VC issuer's root
    let o = cli(&[
        "verify",
        &sd_jwt,
        "--anchor",
        &f(&p["mdoc"]["iaca"]),
        "--at",
        at,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");

    // mdoc signed by the document signer, verified against the IACA
    let device = t.put(
        "device.jwk",
        &String::from_utf8(cli(&["keygen"]).stdout).unwrap(),
    );
    let mdl = t.put(
        "mdl.json",
        &json!({"org.iso.18013.5.1": {"family_name": "Doe", "given_name": "Jane",
            "issuing_country": "DE", "age_over_18": true}})
        .to_string(),
    );
    let o = cli(&[
        "issue",
        "--format",
        "mso_mdoc",
        "--issuer-key",
        &f(&p["mdoc"]["document_signer_key"]),
        "--x5c",
        &f(&p["mdoc"]["document_signer"]),
        "--holder-key",
        &device,
        "--claims",
        &mdl,
        "--at",
        at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let issued = t.put("mdl.txt", String::from_utf8(o.stdout).unwrap().trim());
    let o = cli(&[
        "present",
        "--credential",
        &issued,
        "--holder-key",
        &device,
        "--disclose",
        "org.iso.18013.5.1/given_name,org.iso.18013.5.1/issuing_country",
        "--nonce",
        "n",
        "--aud",
        "x509_san_dns:rp.example",
        "--openid4vp-handover",
        "https://rp.example/post",
        "--at",
        at,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vp = t.put("mdl-vp.txt", String::from_utf8(o.stdout).unwrap().trim());
    let verify = |anchor: &str| {
        cli(&[
            "verify",
            &vp,
            "--anchor",
            anchor,
            "--at",
            at,
            "--nonce",
            "n",
            "--aud",
            "x509_san_dns:rp.example",
            "--openid4vp-handover",
            "https://rp.example/post",
            "--require-holder-binding",
        ])
    };
    let o = verify(&f(&p["mdoc"]["iaca"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let r = json_out(&o);
    assert_eq!(
        r["claims"]["org.iso.18013.5.1.mDL"]["org.iso.18013.5.1"]["given_name"],
        "Jane"
    );
    assert_eq!(r["holder_binding"]["state"], "verified");
    let o = verify(&f(&p["sd_jwt_vc"]["anchor"]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["error"]["kind"], "untrusted");

    // an IssuerSigned where a DeviceResponse is expected says so, and how
    let o = cli(&[
        "verify",
        &issued,
        "--anchor",
        &f(&p["mdoc"]["iaca"]),
        "--at",
        at,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = json_out(&o);
    assert_eq!(e["error"]["kind"], "malformed");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("IssuerSigned") && msg.contains("not a DeviceResponse"),
        "{msg}"
    );
    assert!(msg.contains("passerelle present"), "{msg}");
    // a DeviceResponse that is merely broken gets no such hint
    let broken = t.put("broken.txt", "oWF4AQ"); // {"x": 1}
    let o = cli(&[
        "verify",
        &broken,
        "--anchor",
        &f(&p["mdoc"]["iaca"]),
        "--at",
        at,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!json_out(&o)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("present"));

    // usage errors
    let o = cli(&[
        "pki",
        "--country",
        "Germany",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let other_ns = t.put(
        "other.json",
        &json!({"org.example.ns": {"a": 1}}).to_string(),
    );
    let mdoc_issue = |claims: &str, extra: &[&str]| {
        let mut args = vec![
            "issue".to_owned(),
            "--format".into(),
            "mso_mdoc".into(),
            "--issuer-key".into(),
            f(&p["mdoc"]["document_signer_key"]),
            "--x5c".into(),
            f(&p["mdoc"]["document_signer"]),
            "--holder-key".into(),
            device.clone(),
            "--claims".into(),
            claims.to_owned(),
            "--at".into(),
            at.into(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // no docType implied by another namespace: name it
    assert_eq!(mdoc_issue(&other_ns, &[]).status.code(), Some(2));
    assert!(mdoc_issue(&other_ns, &["--doctype", "org.example.doc"])
        .status
        .success());
    // a status reference is not silently dropped from an mdoc
    let o = mdoc_issue(
        &mdl,
        &[
            "--status-store",
            "s.db",
            "--status-uri",
            "https://x.example/1",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}

/// Issue 9: an empty input says it is empty, whichever command reads it.
#[test]
fn empty_inputs_say_they_are_empty() {
    let t = Tmp::new("empty");
    let empty = t.put("empty.txt", "");
    let blank = t.put("blank.txt", "\n");
    let key = t.put(
        "k.jwk",
        &String::from_utf8(cli(&["keygen"]).stdout).unwrap(),
    );
    for args in [
        vec!["verify", &empty],
        vec!["verify", &blank],
        vec![
            "present",
            "--credential",
            &empty,
            "--holder-key",
            &key,
            "--disclose",
            "all",
            "--nonce",
            "n",
            "--aud",
            "a",
        ],
        vec![
            "issue",
            "--format",
            "dc+sd-jwt",
            "--issuer-key",
            &key,
            "--claims",
            &empty,
        ],
        vec!["dcql", "match", &empty],
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = json_out(&o);
        assert_eq!(e["error"]["kind"], "malformed", "{args:?}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.ends_with(" is empty"), "{args:?}: {msg}");
        assert!(!msg.contains("unsupported"), "{msg}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(["verify", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(json_out(&o)["error"]["message"], "standard input is empty");
}

/// Issue 9: `issue` of a credential that is already expired warns on stderr
/// (and still prints it: a harness may want one); a valid one does not.
#[test]
fn issue_warns_of_an_already_expired_credential() {
    let t = Tmp::new("expired");
    let key = t.put(
        "k.jwk",
        &String::from_utf8(cli(&["keygen"]).stdout).unwrap(),
    );
    let mut claims = passerelle::examples::eu_pid_claims("https://pid-provider.example");
    claims.insert("exp".into(), json!(1_789_999_000));
    let expired = t.put("expired.json", &Value::Object(claims.clone()).to_string());
    claims.insert("exp".into(), json!(1_790_999_000));
    let fine = t.put("fine.json", &Value::Object(claims).to_string());
    for (format, claims, warns) in [("dc+sd-jwt", &expired, true), ("dc+sd-jwt", &fine, false)] {
        let o = cli(&[
            "issue",
            "--format",
            format,
            "--issuer-key",
            &key,
            "--claims",
            claims,
            "--at",
            "1790000000",
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.stdout.is_empty());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            err.contains("warning: the credential is already expired"),
            warns,
            "{format}: {err}"
        );
    }
}

/// Issue 9: a closed stdout (`| head`) ends the command quietly, never with
/// a panic.
#[test]
fn a_closed_stdout_does_not_panic() {
    for args in [
        vec!["demo"],
        vec!["--help"],
        vec!["verify", "--help"],
        vec!["keygen"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before anything is read
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
}
