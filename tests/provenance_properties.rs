//! Issue 8 properties that hold the provenance mechanism in place for every
//! format: take a valid credential, move any trust-deciding claim somewhere
//! the issuer did not sign it as that claim (a disclosure, a device-signed
//! namespace, a header), re-sign, and the verifier refuses it or ignores the
//! moved value — never trusts it. And disclosing less never makes a
//! presentation more acceptable.

use crate::common::mdoc_forge::{item, map, t as ct, Forge, MDL, NS};
use crate::hostile::{disc, Fx, ISS, NOW};
use passerelle::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const V2: &str = "https://www.w3.org/ns/credentials/v2";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    }
}

/// A trust-deciding SD-JWT VC claim and a value of the right shape.
fn sd_jwt_vc_trust_claim() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("iss".to_owned(), json!(ISS))),
        Just(("vct".to_owned(), json!("urn:eudi:pid:1"))),
        Just(("vct#integrity".to_owned(), json!("sha256-abc"))),
        (0u64..200_000).prop_map(|d| ("exp".to_owned(), json!(NOW - 100_000 + d))),
        (0u64..200_000).prop_map(|d| ("nbf".to_owned(), json!(NOW - 100_000 + d))),
        (0u64..1000).prop_map(|i| (
            "status".to_owned(),
            json!({"status_list": {"idx": i, "uri": "https://s.example/1"}})
        )),
        Just(("cnf".to_owned(), json!({"jwk": {"kty": "EC"}}))),
    ]
}

fn w3c_trust_member() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("issuer".to_owned(), json!("https://accredited.example"))),
        Just((
            "issuer".to_owned(),
            json!({"id": "https://accredited.example"})
        )),
        Just((
            "type".to_owned(),
            json!(["VerifiableCredential", "PersonCredential"])
        )),
        Just(("@context".to_owned(), json!([V2]))),
        Just(("validFrom".to_owned(), json!("2020-01-01T00:00:00Z"))),
        Just(("validUntil".to_owned(), json!("2099-01-01T00:00:00Z"))),
        Just((
            "credentialStatus".to_owned(),
            json!({"type": "BitstringStatusListEntry"})
        )),
        Just(("cnf".to_owned(), json!({"jwk": {"kty": "EC"}}))),
        (0u64..200_000).prop_map(|d| ("exp".to_owned(), json!(NOW - 100_000 + d))),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// SD-JWT VC: a trust claim moved into a disclosure (at the top level, or
    /// hidden among decoys and other disclosures), re-signed, never verifies.
    #[test]
    fn sd_jwt_vc_moved_trust_claim_is_refused(
        (name, value) in sd_jwt_vc_trust_claim(),
        others in 0usize..4,
        salt in "[a-zA-Z0-9]{4,16}",
        keep_visible_copy in any::<bool>(),
    ) {
        let fx = Fx::new();
        let (d, h) = disc(&format!(r#"["{salt}","{name}",{value}]"#));
        let mut p = fx.payload();
        if !keep_visible_copy {
            p.as_object_mut().unwrap().remove(&name);
        }
        let mut ds = vec![d];
        let mut hs = vec![h];
        for i in 0..others {
            let (d, h) = disc(&format!(r#"["o{i}{salt}","claim{i}",{i}]"#));
            ds.push(d);
            hs.push(h);
        }
        p["_sd"] = json!(hs);
        let refs: Vec<&str> = ds.iter().map(String::as_str).collect();
        let t = fx.sd(&fx.jws(&fx.header(), &p), &refs);
        let r = fx.verify(&t);
        prop_assert!(r.is_err(), "{name} in a disclosure was accepted");
    }

    /// vc+sd-jwt: a trust member moved into a disclosure never verifies, with
    /// the key bound to the visible issuer or to any issuer.
    #[test]
    fn vc_sd_jwt_moved_trust_member_is_refused(
        (name, value) in w3c_trust_member(),
        unbound_key in any::<bool>(),
    ) {
        let key = PrivateKey::generate(Algorithm::Es256).unwrap();
        let mut trust = TrustStore::new();
        let bound = if unbound_key { None } else { Some("https://a.example") };
        trust.add_issuer_key(key.public_key().clone(), bound, None);
        let v = Verifier::new(trust, Policy::default());
        let (d, h) = disc(&format!(r#"["salt","{name}",{value}]"#));
        let mut p = json!({"@context": [V2], "type": ["VerifiableCredential"], "issuer": "https://a.example",
                           "credentialSubject": {"givenName": "M"}, "_sd_alg": "sha-256"});
        p.as_object_mut().unwrap().remove(&name);
        p["_sd"] = json!([h]);
        let header = json!({"alg": "ES256", "typ": "vc+sd-jwt"}).to_string();
        let sd = format!("{}~{d}~", Fx::jws_with(&key, &header, &p.to_string()));
        prop_assert!(v.verify(sd.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW))).is_err());
    }

    /// vc+jwt: a trust member moved from the claims set into the JOSE header
    /// (signed, but not where the format puts it) is not that member: the
    /// credential is refused, or the moved value is ignored.
    #[test]
    fn vc_jwt_trust_member_in_the_header_is_not_that_member(
        (name, value) in w3c_trust_member(),
    ) {
        let key = PrivateKey::generate(Algorithm::Es256).unwrap();
        let mut trust = TrustStore::new();
        trust.add_issuer_key(key.public_key().clone(), Some("https://a.example"), None);
        trust.add_issuer_key(key.public_key().clone(), Some("https://accredited.example"), None);
        let v = Verifier::new(trust, Policy::default());
        let mut p = json!({"@context": [V2], "type": ["VerifiableCredential"], "issuer": "https://a.example",
                           "credentialSubject": {"givenName": "M"}});
        p.as_object_mut().unwrap().remove(&name);
        let mut header = json!({"alg": "ES256", "typ": "vc+jwt"});
        header[&name] = value.clone();
        let jwt = Fx::jws_with(&key, &header.to_string(), &p.to_string());
        match v.verify(jwt.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW))) {
            Err(_) => {}
            Ok(r) => {
                // ignored: nothing of the header value reaches the result
                prop_assert_eq!(r.issuer().id(), "https://a.example");
                prop_assert!(r.claims().get(&name).is_none());
                prop_assert_eq!(r.validity().not_before, None);
                prop_assert_eq!(r.validity().expires, None);
                prop_assert_eq!(r.status(), &Status::Absent);
            }
        }
    }

    /// vc+cose: a trust member moved from the payload into the unprotected
    /// header (signed by nobody) — as a text label, or as CWT claims (label
    /// 15) — is refused or ignored.
    #[test]
    fn vc_cose_trust_member_in_the_unprotected_header_is_not_that_member(
        (name, value) in w3c_trust_member(),
        as_cwt_claims in any::<bool>(),
    ) {
        let key = PrivateKey::generate(Algorithm::Es256).unwrap();
        let mut trust = TrustStore::new();
        trust.add_issuer_key(key.public_key().clone(), Some("https://a.example"), None);
        trust.add_issuer_key(key.public_key().clone(), Some("https://accredited.example"), None);
        let v = Verifier::new(trust, Policy::default());
        let mut p = json!({"@context": [V2], "type": ["VerifiableCredential"], "issuer": "https://a.example",
                           "credentialSubject": {"givenName": "M"}});
        p.as_object_mut().unwrap().remove(&name);
        let text = serde_json::to_string(&value).unwrap();
        let unprotected = if as_cwt_claims {
            coset::HeaderBuilder::new()
                .value(15, ciborium::Value::Map(vec![(ciborium::Value::Integer(1.into()), ciborium::Value::Text(text))]))
                .build()
        } else {
            coset::HeaderBuilder::new().text_value(name.clone(), ciborium::Value::Text(text)).build()
        };
        let payload = p.to_string().into_bytes();
        let bytes = crate::w3c_cose::forge(&key, crate::w3c_cose::es256_protected().build(), unprotected, Some(payload.clone()), &payload);
        match v.verify_vc_cose(&bytes, &Expectations::at(UnixTime::from_secs(NOW))) {
            Err(_) => {}
            Ok(r) => {
                prop_assert_eq!(r.issuer().id(), "https://a.example");
                prop_assert!(r.claims().get(&name).is_none());
                prop_assert_eq!(r.validity().not_before, None);
                prop_assert_eq!(r.validity().expires, None);
                prop_assert_eq!(r.status(), &Status::Absent);
            }
        }
    }

    /// mdoc: any subset of elements moved from the issuer-signed namespace to
    /// the device-signed one (authorized by keyAuthorizations) is reported as
    /// holder-signed only: never among the claims, the identity view or the
    /// policy's facts.
    #[test]
    fn mdoc_elements_moved_to_device_signed_are_never_issuer_facts(
        moved in prop::collection::btree_set(0usize..4, 1..4),
    ) {
        let elements: [(&str, ciborium::Value); 4] = [
            ("given_name", ct("Jane")),
            ("family_name", ct("Doe")),
            ("age_over_18", ciborium::Value::Bool(true)),
            ("issuing_country", ct("UT")),
        ];
        let mut f = Forge::new();
        f.items = elements
            .iter()
            .enumerate()
            .filter(|(i, _)| !moved.contains(i))
            .map(|(i, (n, v))| (NS.to_owned(), item(i64::try_from(i).unwrap() + 1, n, v.clone())))
            .collect();
        f.mso_edit = Box::new(|m| {
            let dki = m.iter_mut().find(|(k, _)| k.as_text() == Some("deviceKeyInfo")).unwrap();
            dki.1.as_map_mut().unwrap().push((
                ct("keyAuthorizations"),
                map(vec![(ct("nameSpaces"), ciborium::Value::Array(vec![ct(NS)]))]),
            ));
        });
        f.device_namespaces = map(vec![(
            ct(NS),
            map(moved.iter().map(|&i| (ct(elements[i].0), elements[i].1.clone())).collect()),
        )]);
        let results = f.run();
        prop_assert!(results.is_ok(), "{:?}", results.err());
        let r = &results.unwrap()[0];
        let id = r.identity().to_json();
        for &i in &moved {
            let name = elements[i].0;
            prop_assert!(r.claims()[MDL][NS].get(name).is_none(), "{name} in claims");
            prop_assert!(r.holder_claims().unwrap()[MDL][NS].get(name).is_some());
            let field = match name { "age_over_18" => "age_over", other => other };
            prop_assert!(id.get(field).is_none(), "{field} in the identity view");
        }
    }

    /// Disclosing less never makes a presentation more acceptable: for any
    /// choice of disclosed claims, a policy that refuses the presentation
    /// also refuses every presentation of a subset (consistent issuer data).
    #[test]
    fn disclosing_less_never_makes_a_presentation_more_acceptable(
        disclosed in prop::collection::btree_set(0usize..6, 0..=6),
        drop in prop::collection::btree_set(0usize..6, 0..=6),
        required in prop::collection::btree_set(0usize..4, 0..=3),
    ) {
        let names = ["given_name", "family_name", "birthdate", "age_equal_or_over", "nationalities", "iat"];
        let attrs = ["given_name", "family_name", "birth_date", "age_over_18"];
        let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
        let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "given_name": "Erika", "family_name": "M",
            "birthdate": "1963-08-12", "age_equal_or_over": {"18": true}, "nationalities": ["DE"]});
        let all: Vec<ClaimPath> = names.iter().map(|n| ClaimPath::parse(&format!("/{n}")).unwrap()).collect();
        let sd = SdJwtVcIssuer::new(&issuer)
            .issue(claims.as_object().unwrap(), &Disclosable::Paths(all[..5].to_vec()), None, UnixTime::from_secs(NOW))
            .unwrap();
        let held = HeldSdJwt::parse(&sd).unwrap();
        let pick = |set: &std::collections::BTreeSet<usize>| -> Vec<ClaimPath> {
            set.iter().filter(|&&i| i < 5).map(|&i| all[i].clone()).collect()
        };
        let big = pick(&disclosed);
        let small: Vec<ClaimPath> = big.iter().filter(|p| {
            let i = all.iter().position(|a| a == *p).unwrap();
            !drop.contains(&i)
        }).cloned().collect();
        let mut trust = TrustStore::new();
        trust.add_issuer_key(issuer.public_key().clone(), Some(ISS), None);
        let req: Vec<&str> = required.iter().map(|&i| attrs[i]).collect();
        let policy = Policy::default().recognition(
            Recognition::from_json(&json!({"require_attributes": req}).to_string()).unwrap(),
        );
        let v = Verifier::new(trust, policy);
        let at = Expectations::at(UnixTime::from_secs(NOW));
        let verdict = |paths: &[ClaimPath]| v.verify(held.present(paths, None).unwrap().as_bytes(), &at).is_ok();
        if !verdict(&big) {
            prop_assert!(!verdict(&small), "disclosing {small:?} passes where {big:?} fails");
        }
    }
}
