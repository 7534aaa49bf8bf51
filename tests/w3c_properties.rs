//! Property: random credential subjects and random disclosure choices round-trip
//! through vc+sd-jwt: the verifier sees exactly the chosen subject claims.

use passerelle::{
    Algorithm, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    TrustStore, UnixTime, VcIssuer, Verifier,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

fn keys() -> &'static (PrivateKey, PrivateKey) {
    static K: OnceLock<(PrivateKey, PrivateKey)> = OnceLock::new();
    K.get_or_init(|| {
        (
            PrivateKey::generate(Algorithm::EdDsa).unwrap(),
            PrivateKey::generate(Algorithm::Es256).unwrap(),
        )
    })
}

fn subject() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        "[a-zA-Zà-ü0-9 ]{0,10}".prop_map(Value::String),
    ];
    let node = leaf.prop_recursive(2, 12, 3, |inner| {
        prop::collection::btree_map("[a-z]{1,5}", inner, 1..3)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    });
    prop::collection::btree_map("[a-zA-Z]{1,8}", node, 1..6).prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn vc_sd_jwt_reveals_exactly_the_chosen_subject_claims(cs in subject(), mask in any::<u32>()) {
        let (issuer, holder) = keys();
        let now = UnixTime::from_secs(1_790_000_000);
        let mut vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
        vc.insert("credentialSubject".into(), Value::Object(cs.clone()));
        let issued = VcIssuer::new(issuer).issue_sd_jwt(&vc, &Disclosable::All, Some(holder.public_key()), now).unwrap();
        let held = HeldSdJwt::parse(&issued).unwrap();
        // choose among the subject's top-level claims
        let tops: Vec<String> = cs.keys().cloned().collect();
        let chosen: Vec<&String> = tops.iter().enumerate().filter(|(i, _)| mask >> (i % 32) & 1 == 1).map(|(_, k)| k).collect();
        let paths: Vec<ClaimPath> = chosen.iter().map(|k| ClaimPath::from_segments(["credentialSubject", k.as_str()])).collect();
        let vp = held.present(&paths, Some(KeyBinding { signer: holder, nonce: "n", audience: "a", iat: now })).unwrap();
        let mut t = TrustStore::new();
        t.add_issuer_key(issuer.public_key().clone(), Some("https://issuer.example.ca"), None);
        let r = Verifier::new(t, Policy::default().require_holder_binding(true))
            .verify(vp.as_bytes(), &Expectations::at(now).nonce("n").audience("a"))
            .unwrap();
        let want: Map<String, Value> = cs.iter().filter(|(k, _)| chosen.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(&r.claims()["credentialSubject"], &Value::Object(want));
        prop_assert_eq!(r.format().as_str(), "vc+sd-jwt");
    }
}
