//! The sd-jwt-python specification cases (openwallet-foundation-labs/sd-jwt-python
//! `tests/testcases`), converted to `cases.json` by the generator beside them: for
//! each, passerelle issues with the case's disclosable paths, the wallet presents
//! the holder's selection, and the verifier must output exactly the expected claims.

use crate::common::vector;
use passerelle::{
    Algorithm, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    SdJwtVcIssuer, TrustStore, UnixTime, Verifier,
};
use serde_json::{json, Value};

#[test]
fn python_spec_cases_round_trip() {
    let cases: Value = serde_json::from_str(&vector("sd-jwt-python-testcases/cases.json")).unwrap();
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let now = UnixTime::from_secs(1_683_000_000);
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        issuer.public_key().clone(),
        Some("https://example.com/issuer"),
        None,
    );
    let verifier = Verifier::new(trust, Policy::default());
    let mut ran = 0;
    for (name, c) in cases.as_object().unwrap() {
        let mut claims = c["user_claims"].as_object().unwrap().clone();
        claims.insert("iss".into(), json!("https://example.com/issuer"));
        claims.insert("vct".into(), json!("urn:example:python-case"));
        let paths = |k: &str| -> Vec<ClaimPath> {
            c[k].as_array()
                .unwrap()
                .iter()
                .map(|p| ClaimPath::parse(p.as_str().unwrap()).unwrap())
                .collect()
        };
        let issued = SdJwtVcIssuer::new(&issuer)
            .issue(
                &claims,
                &Disclosable::Paths(paths("sd_paths")),
                Some(holder.public_key()),
                now,
            )
            .unwrap_or_else(|e| panic!("{name}: issue: {e}"));
        let held = HeldSdJwt::parse(&issued).unwrap();
        let kb = KeyBinding {
            signer: &holder,
            nonce: "1234567890",
            audience: "https://example.com/verifier",
            iat: now,
        };
        let vp = held
            .present(&paths("disclose"), Some(kb))
            .unwrap_or_else(|e| panic!("{name}: present: {e}"));
        let expect = Expectations::at(now)
            .nonce("1234567890")
            .audience("https://example.com/verifier");
        let r = verifier
            .verify(vp.as_bytes(), &expect)
            .unwrap_or_else(|e| panic!("{name}: verify: {e}"));
        let mut got = r.claims().clone();
        for k in ["iss", "vct", "iat", "cnf"] {
            got.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(got, c["expect"], "{name}");
        ran += 1;
    }
    assert_eq!(ran, 17);
}
