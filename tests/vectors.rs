//! Walks `test-vectors/manifest.json`: every spec example verifies and yields
//! exactly the expected claims, and every negative vector fails with its kind.

use crate::common::vector;
use passerelle::{Expectations, Policy, TrustStore, UnixTime, Verifier};
use serde_json::Value;

#[test]
fn manifest_vectors() {
    let manifest: Value = serde_json::from_str(&vector("manifest.json")).unwrap();
    let mut ran = 0;
    let mut failures = Vec::new();
    for group in manifest["groups"].as_array().unwrap() {
        for case in group["cases"].as_array().unwrap() {
            let get = |name: &str| {
                case["override"]
                    .get(name)
                    .or_else(|| group.get(name))
                    .cloned()
            };
            let mut trust = TrustStore::new();
            for k in get("trust").unwrap().as_array().unwrap() {
                trust.add_issuer_jwk(&vector(k.as_str().unwrap())).unwrap();
            }
            let file = case["file"].as_str().unwrap();
            let text = vector(file);
            let text = text.trim_end_matches('\n');
            let policy = Policy::default()
                .require_holder_binding(case["require_kb"].as_bool().unwrap_or(false))
                .allow_legacy_typ(case["allow_legacy_typ"].as_bool().unwrap_or(false));
            let verifier = Verifier::new(trust, policy);
            let mut expect =
                Expectations::at(UnixTime::from_secs(get("now").unwrap().as_u64().unwrap()));
            // a verifier states a nonce and audience when it asks for holder
            // binding: for presentations with a KB-JWT, or when the case says so
            let has_kb = if text.starts_with('{') {
                text.contains("\"kb_jwt\"")
            } else {
                !text.ends_with('~')
            };
            if has_kb || case["state_nonce"].as_bool().unwrap_or(false) {
                if let Some(Value::String(n)) = get("nonce") {
                    expect = expect.nonce(&n);
                }
                if let Some(Value::String(a)) = get("aud") {
                    expect = expect.audience(&a);
                }
            }
            let res = match case["profile"].as_str().unwrap() {
                "sd-jwt" => verifier.verify_sd_jwt(text, &expect),
                "vc+jwt" => verifier.verify_vc_jwt_text(text, &expect),
                "vc+sd-jwt" => verifier.verify_vc_sd_jwt(text, &expect),
                _ => verifier.verify_sd_jwt_vc(text, &expect),
            };
            let want = case["expect"].as_str().unwrap();
            ran += 1;
            match (&res, want) {
                (Ok(r), "valid") => {
                    if let Some(Value::String(c)) = case.get("claims") {
                        let expected: Value = serde_json::from_str(&vector(c)).unwrap();
                        if r.claims() != &expected {
                            failures.push(format!(
                                "{file}: claims differ\n got {}\nwant {expected}",
                                r.claims()
                            ));
                        }
                    }
                }
                (Err(e), w) if e.kind().as_str() == w => {}
                (Ok(_), w) => failures.push(format!("{file}: verified, expected {w}")),
                (Err(e), w) => failures.push(format!("{file}: {e}, expected {w}")),
            }
        }
    }
    assert!(ran >= 25, "only {ran} vectors ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
