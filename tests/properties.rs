//! Property: for random claim trees, random choices of what the issuer makes
//! disclosable and random choices of what the holder discloses, issue → present
//! → verify reveals exactly the chosen claims and nothing else.

use passerelle::{
    Algorithm, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    SdJwtVcIssuer, TrustStore, UnixTime, Verifier,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

const NOW: u64 = 1_790_000_000;

fn keys() -> &'static (PrivateKey, PrivateKey) {
    static K: OnceLock<(PrivateKey, PrivateKey)> = OnceLock::new();
    K.get_or_init(|| {
        (
            PrivateKey::generate(Algorithm::Es256).unwrap(),
            PrivateKey::generate(Algorithm::EdDsa).unwrap(),
        )
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        "[a-zA-Zé0-9 .~/]{0,12}".prop_map(Value::String),
        Just(Value::Null),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z][a-z_.~/]{0,5}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn claims() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z][a-z_.]{0,6}", tree(), 1..5).prop_map(|m| {
        let mut c: Map<String, Value> = m
            .into_iter()
            .filter(|(k, _)| {
                !k.starts_with("_sd")
                    && !["iss", "vct", "cnf", "iat", "exp", "nbf", "status"].contains(&k.as_str())
            })
            .collect();
        c.insert("iss".into(), json!("https://issuer.example"));
        c.insert("vct".into(), json!("urn:test"));
        c
    })
}

/// Every path in the tree, except the always-visible top-level claims.
fn all_paths(v: &Value, at: &ClaimPath, out: &mut Vec<ClaimPath>) {
    let child = |seg: String| ClaimPath::from_segments(at.segments().iter().cloned().chain([seg]));
    match v {
        Value::Object(o) => {
            for (k, c) in o {
                if at.segments().is_empty() && ["iss", "vct", "iat", "cnf"].contains(&k.as_str()) {
                    continue;
                }
                let p = child(k.clone());
                out.push(p.clone());
                all_paths(c, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = child(i.to_string());
                out.push(p.clone());
                all_paths(c, &p, out);
            }
        }
        _ => {}
    }
}

fn related(a: &ClaimPath, b: &ClaimPath) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// What a verifier must see: the full claims with every selectively
/// disclosable node that was not presented removed (array elements dropped).
fn expected(v: &Value, at: &ClaimPath, sd: &[ClaimPath], shown: &[ClaimPath]) -> Value {
    let keep = |p: &ClaimPath| !sd.contains(p) || shown.iter().any(|s| related(s, p));
    let child = |seg: String| ClaimPath::from_segments(at.segments().iter().cloned().chain([seg]));
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter_map(|(k, c)| {
                    let p = child(k.clone());
                    keep(&p).then(|| (k.clone(), expected(c, &p, sd, shown)))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let p = child(i.to_string());
                    keep(&p).then(|| expected(c, &p, sd, shown))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn reveals_exactly_the_chosen_claims(c in claims(), sd_mask in any::<u64>(), show_mask in any::<u64>(), decoys in 0usize..3) {
        let (issuer, holder) = keys();
        let mut paths = Vec::new();
        all_paths(&Value::Object(c.clone()), &ClaimPath::from_segments(Vec::<String>::new()), &mut paths);
        let sd: Vec<ClaimPath> = paths.iter().enumerate().filter(|(i, _)| sd_mask >> (i % 64) & 1 == 1).map(|(_, p)| p.clone()).collect();
        let now = UnixTime::from_secs(NOW);
        let issued = SdJwtVcIssuer::new(issuer)
            .with_max_decoys(decoys)
            .issue(&c, &Disclosable::Paths(sd.clone()), Some(holder.public_key()), now)
            .unwrap();
        let held = HeldSdJwt::parse(&issued).unwrap();
        let mut disclosable = held.disclosable_paths();
        disclosable.sort();
        let mut sd_sorted = sd.clone();
        sd_sorted.sort();
        prop_assert_eq!(&disclosable, &sd_sorted);
        let shown: Vec<ClaimPath> = sd.iter().enumerate().filter(|(i, _)| show_mask >> (i % 64) & 1 == 1).map(|(_, p)| p.clone()).collect();
        let vp = held
            .present(&shown, Some(KeyBinding { signer: holder, nonce: "n", audience: "a", iat: now }))
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add_issuer_key(issuer.public_key().clone(), Some("https://issuer.example"), None);
        let r = Verifier::new(trust, Policy::default().require_holder_binding(true))
            .verify(vp.as_bytes(), &Expectations::at(now).nonce("n").audience("a"))
            .unwrap();
        let mut got = r.claims().clone();
        let o = got.as_object_mut().unwrap();
        o.remove("cnf");
        o.remove("iat");
        let want = expected(&Value::Object(c.clone()), &ClaimPath::from_segments(Vec::<String>::new()), &sd, &shown);
        prop_assert_eq!(got, want);
    }
}
