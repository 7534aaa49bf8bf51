//! Property: for random namespaces of random elements (every JSON kind, nested
//! maps and arrays, full-dates, byte strings) and random disclosure choices,
//! issue → present → verify returns exactly the chosen elements with their values.

use crate::common::mdoc_forge::pki;
use passerelle::*;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn leaf() -> impl Strategy<Value = (Value, Value)> {
    // (what the issuer is given, what the verifier reports)
    prop_oneof![
        any::<bool>().prop_map(|b| (json!(b), json!(b))),
        any::<i64>().prop_map(|i| (json!(i), json!(i))),
        "[a-zA-Zé0-9 .~/-]{0,12}".prop_map(|s| (json!(s), json!(s))),
        Just((Value::Null, Value::Null)),
        (1900u16..2100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| {
            let s = format!("{y:04}-{m:02}-{d:02}");
            (json!({"$full-date": s}), json!(s))
        }),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| {
            use base64::Engine;
            let s = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
            (json!({"$bytes": s}), json!(s))
        }),
    ]
}

fn value() -> impl Strategy<Value = (Value, Value)> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| {
                let (a, b): (Vec<_>, Vec<_>) = v.into_iter().unzip();
                (Value::Array(a), Value::Array(b))
            }),
            prop::collection::btree_map("k[a-z_]{0,5}", inner, 0..4).prop_map(|m| {
                let a: Map<String, Value> =
                    m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect();
                let b: Map<String, Value> = m.into_iter().map(|(k, v)| (k, v.1)).collect();
                (Value::Object(a), Value::Object(b))
            }),
        ]
    })
}

type Namespaces =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, (Value, Value)>>;

fn namespaces() -> impl Strategy<Value = Namespaces> {
    prop::collection::btree_map(
        "ns\\.[a-z]{1,6}",
        prop::collection::btree_map("e_[a-z0-9_]{1,8}", value(), 1..8),
        1..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn issue_present_verify_reveals_exactly_the_chosen_elements(
        nss in namespaces(),
        choice in prop::collection::vec(any::<bool>(), 32),
    ) {
        let p = pki();
        let device = PrivateKey::generate(Algorithm::Es256).unwrap();
        let given: Map<String, Value> = nss
            .iter()
            .map(|(ns, els)| {
                (ns.clone(), Value::Object(els.iter().map(|(e, v)| (e.clone(), v.0.clone())).collect()))
            })
            .collect();
        let issued = MdocIssuer::new(&p.ds_key, std::slice::from_ref(&p.ds))
            .issue("org.example.random.1", &given, device.public_key(), UnixTime::from_secs(p.now))
            .unwrap();
        let held = HeldMdoc::parse(&issued).unwrap();
        let all = held.elements();
        let mut chosen: Vec<(&str, &str)> = all
            .iter()
            .enumerate()
            .filter(|(n, _)| choice[n % choice.len()])
            .map(|(_, (ns, e))| (ns.as_str(), e.as_str()))
            .collect();
        if chosen.is_empty() {
            chosen.push((all[0].0.as_str(), all[0].1.as_str()));
        }
        let t = SessionTranscript::openid4vp("c", "n", None, "https://r");
        let resp = held.present(&chosen, &t, &device).unwrap();
        let mut trust = TrustStore::new();
        trust.add_iaca_der(p.iaca.der()).unwrap();
        let r = Verifier::new(trust, Policy::default())
            .verify(&resp, &Expectations::at(UnixTime::from_secs(p.now)).session_transcript(t))
            .unwrap();
        let mut want = Map::new();
        for (ns, e) in &chosen {
            let slot = want.entry(ns.to_string()).or_insert_with(|| json!({}));
            slot[*e] = nss[*ns][*e].1.clone();
        }
        prop_assert_eq!(r.claims(), &json!({"org.example.random.1": want}));
    }
}
