//! OpenID4VP 1.0 DCQL, through the public API: the specification's examples
//! (`test-vectors/dcql/`), the same queries through npm `dcql` 3.0.0 (pinned
//! in `interop/dcql/`; `interop/dcql/setup.sh` must have run: a missing peer
//! fails the run), and the `vp_token` from wallet to verifier.

use crate::common::{root, vector};
use passerelle::*;
use serde_json::{json, Map, Value};
use std::process::Command;

// ------------------------------------------------------------- interop

fn peer(input: &Value) -> Value {
    let dir = root().join("interop/dcql");
    assert!(
        dir.join("node_modules/dcql").exists(),
        "interop peers missing: run interop/dcql/setup.sh"
    );
    let f = std::env::temp_dir().join(format!(
        "passerelle-dcql-{}-{}.json",
        std::process::id(),
        input["id"].as_str().unwrap_or("case")
    ));
    std::fs::write(&f, input.to_string()).unwrap();
    let out = Command::new("node")
        .arg(dir.join("peer.mjs"))
        .arg(&f)
        .output()
        .expect("spawn node");
    let _ = std::fs::remove_file(&f);
    assert!(
        out.status.success(),
        "peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    if v["valid"] == false {
        return json!({"outcome": "refused", "error": v["error"]});
    }
    json!({
        "outcome": if v["satisfied"] == true { "satisfied" } else { "unsatisfied" },
        "matches": v["matches"],
        "claim_sets": v["claim_sets"],
    })
}

/// A credential in npm dcql's input shape, as a candidate.
fn candidate(c: &Value) -> DcqlCandidate {
    let hb = c["cryptographic_holder_binding"].as_bool().unwrap();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let mut cand = match c["credential_format"].as_str().unwrap() {
        "mso_mdoc" => {
            let dt = c["doctype"].as_str().unwrap();
            DcqlCandidate::new(
                DcqlFormat::MsoMdoc,
                vec![dt.into()],
                json!({ dt: c["namespaces"] }),
                hb,
            )
        }
        "dc+sd-jwt" | "vc+sd-jwt" => DcqlCandidate::new(
            DcqlFormat::SdJwtVc,
            vec![c["vct"].as_str().unwrap().into()],
            c["claims"].clone(),
            hb,
        ),
        "jwt_vc_json" => DcqlCandidate::new(
            DcqlFormat::JwtVcJson,
            strs(&c["type"]),
            c["claims"].clone(),
            hb,
        ),
        "ldp_vc" => {
            DcqlCandidate::new(DcqlFormat::LdpVc, strs(&c["type"]), c["claims"].clone(), hb)
        }
        other => panic!("unknown credential_format {other}"),
    };
    if let Some(a) = c.get("authority") {
        for v in a["values"].as_array().unwrap() {
            cand = cand.with_authority(a["type"].as_str().unwrap(), v.as_str().unwrap());
        }
    }
    cand
}

fn query_of(case: &Value) -> Value {
    match case["query"].get("file") {
        Some(f) => serde_json::from_str(&vector(&format!("dcql/{}", f.as_str().unwrap()))).unwrap(),
        None => case["query"].clone(),
    }
}

fn ours(query: &Value, credentials: &[Value]) -> Value {
    match DcqlQuery::parse(query.to_string().as_bytes()) {
        Err(e) => json!({"outcome": e.kind().as_str(), "error": e.message()}),
        Ok(q) => {
            let cands: Vec<DcqlCandidate> = credentials.iter().map(candidate).collect();
            let m = q.match_candidates(&cands).to_json();
            json!({
                "outcome": if m["satisfied"] == true { "satisfied" } else { "unsatisfied" },
                "matches": m["matches"],
                "claim_sets": m["claim_sets"],
            })
        }
    }
}

#[test]
fn same_satisfiability_and_claim_sets_as_npm_dcql() {
    let doc: Value = serde_json::from_str(&vector("dcql/interop-cases.json")).unwrap();
    let div: Value = serde_json::from_str(&vector("known-divergences.json")).unwrap();
    let divergences = div["dcql_cases"].as_array().unwrap();
    let mut used = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let query = query_of(case);
        let creds = case["credentials"].as_array().unwrap();
        let a = ours(&query, creds);
        let b = peer(&json!({"id": id, "query": query, "credentials": creds}));
        if let Some(expect) = case.get("expect") {
            let sat = if expect["satisfied"] == true {
                "satisfied"
            } else {
                "unsatisfied"
            };
            if a["outcome"] != sat || a["matches"] != expect["matches"] {
                failures.push(format!(
                    "{id}: the spec states {expect}, passerelle gives {a}"
                ));
            }
            if let Some(cs) = expect.get("claim_sets") {
                for (k, v) in cs.as_object().unwrap() {
                    if &a["claim_sets"][k] != v {
                        failures.push(format!("{id}: claim set of {k} should be {v}: {a}"));
                    }
                }
            }
        }
        match case.get("divergence").and_then(Value::as_str) {
            Some(d) => {
                let rec = divergences
                    .iter()
                    .find(|c| c["id"] == d)
                    .unwrap_or_else(|| panic!("{id}: divergence {d} is not recorded"));
                used.insert(d.to_owned());
                if a["outcome"] != rec["passerelle"] || b["outcome"] != rec["dcql"] {
                    failures.push(format!(
                        "{id} ({d}): recorded passerelle={} dcql={}, now passerelle={a} dcql={b}",
                        rec["passerelle"], rec["dcql"]
                    ));
                }
            }
            None => {
                let refused = |o: &Value| {
                    matches!(
                        o["outcome"].as_str(),
                        Some("malformed" | "unsupported" | "limit_exceeded" | "refused")
                    )
                };
                let same = if refused(&a) || refused(&b) {
                    refused(&a) == refused(&b)
                } else {
                    a == b
                };
                if !same {
                    failures.push(format!("{id}: passerelle {a} / npm dcql {b}"));
                }
            }
        }
    }
    for d in divergences {
        let id = d["id"].as_str().unwrap();
        if !used.contains(id) {
            failures.push(format!("divergence {id} has no case in interop-cases.json"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_specification_and_conformance_suite_query_parses() {
    let mut n = 0;
    for sub in ["openid4vp-1.0", "conformance-suite"] {
        let dir = root().join("test-vectors/dcql").join(sub);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let q = DcqlQuery::parse(&std::fs::read(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(!q.credentials().is_empty());
            n += 1;
        }
    }
    // 9 from the specification, 13 from the OpenID Foundation conformance suite
    assert_eq!(n, 22);
}

// ------------------------------------------------------------- vp_token

const NOW: u64 = 1_790_000_000;
const CLIENT_ID: &str = "x509_san_dns:rp.example";
const NONCE: &str = "n-0S6_WzA2Mj";
const RESPONSE_URI: &str = "https://rp.example/post";

fn req() -> OpenId4VpRequest<'static> {
    OpenId4VpRequest {
        client_id: CLIENT_ID,
        nonce: NONCE,
        response_uri: RESPONSE_URI,
        jwk_thumbprint: None,
    }
}

struct Fixture {
    issuer_key: PrivateKey,
    holder_key: PrivateKey,
    pid: HeldSdJwt,
    iaca: Certificate,
    device_key: PrivateKey,
    mdl: HeldMdoc,
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn fixture() -> Fixture {
    let issuer_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let holder_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = json!({"iss": "https://pid.example", "vct": "urn:eudi:pid:1",
        "given_name": "Erika", "family_name": "Mustermann",
        "address": {"locality": "Köln", "country": "DE"},
        "nationalities": ["DE", "FR"]});
    let issued = SdJwtVcIssuer::new(&issuer_key)
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder_key.public_key()),
            now(),
        )
        .unwrap();
    let pid = HeldSdJwt::parse(&issued).unwrap();

    let iaca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iaca = CertificateBuilder::new("Utopia IACA")
        .country("UT")
        .ca(Some(0))
        .validity(now(), UnixTime::from_secs(NOW + 86_400 * 365))
        .self_signed(&iaca_key)
        .unwrap();
    let ds_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ds = CertificateBuilder::new("Utopia DS")
        .country("UT")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(now(), UnixTime::from_secs(NOW + 86_400 * 100))
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    let device_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let elements =
        json!({NAMESPACE_MDL: {"family_name": "Doe", "given_name": "John", "age_over_18": true}});
    let issued = MdocIssuer::new(&ds_key, &[ds])
        .issue(
            DOCTYPE_MDL,
            elements.as_object().unwrap(),
            device_key.public_key(),
            now(),
        )
        .unwrap();
    let mdl = HeldMdoc::parse(&issued).unwrap();
    Fixture {
        issuer_key,
        holder_key,
        pid,
        iaca,
        device_key,
        mdl,
    }
}

impl Fixture {
    fn wallet(&self) -> Vec<WalletCredential<'_>> {
        vec![
            WalletCredential::SdJwt {
                credential: &self.pid,
                holder_key: Some(&self.holder_key),
            },
            WalletCredential::Mdoc {
                credential: &self.mdl,
                device_key: &self.device_key,
            },
        ]
    }

    fn verifier(&self) -> Verifier {
        let mut trust = TrustStore::new();
        trust.add_issuer_key(
            self.issuer_key.public_key().clone(),
            Some("https://pid.example"),
            None,
        );
        trust.add_anchor_der(self.iaca.der()).unwrap();
        Verifier::new(trust, Policy::default())
    }

    fn check(&self, q: &DcqlQuery, token: &Map<String, Value>) -> Result<VpTokenCheck> {
        q.verify_vp_token(
            &self.verifier(),
            Value::Object(token.clone()).to_string().as_bytes(),
            &req(),
            now(),
        )
    }
}

fn query(v: Value) -> DcqlQuery {
    DcqlQuery::parse(v.to_string().as_bytes()).unwrap()
}

fn pid_query(claims: Value) -> Value {
    json!({"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": claims})
}

fn mdl_query(claims: Value) -> Value {
    json!({"id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": DOCTYPE_MDL}, "claims": claims})
}

fn kinds(c: &VpTokenCheck) -> Vec<String> {
    c.presentations()
        .iter()
        .map(|p| match p.outcome() {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{}: {}", e.kind().as_str(), e.message()),
        })
        .collect()
}

#[test]
fn wallet_to_verifier_sd_jwt_and_mdoc() {
    let fx = fixture();
    let q = query(json!({"credentials": [
        pid_query(json!([{"path": ["address", "locality"]}, {"path": ["nationalities", null], "values": ["FR"]}])),
        mdl_query(json!([{"path": [NAMESPACE_MDL, "age_over_18"], "values": [true]}])),
    ]}));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    assert_eq!(token.len(), 2);
    let sd = token["pid"][0].as_str().unwrap();
    // issuer JWT ~ locality ~ address ~ "FR" ~ nationalities ~ KB-JWT: the
    // containers come along, "DE", given_name and family_name stay undisclosed
    assert_eq!(sd.matches('~').count(), 5, "{sd}");
    assert!(!sd.ends_with('~'));
    let check = fx.check(&q, &token).unwrap();
    assert_eq!(kinds(&check), ["ok", "ok"]);
    assert!(check.satisfied());
    let pid = check.presentations()[0].outcome().unwrap();
    assert_eq!(pid.claims()["address"], json!({"locality": "Köln"}));
    assert_eq!(pid.claims()["nationalities"], json!(["FR"]));
    assert!(pid.claims().get("given_name").is_none());
    assert!(matches!(
        pid.holder_binding(),
        HolderBinding::Verified { .. }
    ));
    let mdl = check.presentations()[1].outcome().unwrap();
    assert_eq!(
        mdl.claims()[DOCTYPE_MDL][NAMESPACE_MDL],
        json!({"age_over_18": true})
    );
}

#[test]
fn the_verifier_binds_to_its_own_request() {
    let fx = fixture();
    let q = query(
        json!({"credentials": [pid_query(json!([{"path": ["given_name"]}])),
        mdl_query(json!([{"path": [NAMESPACE_MDL, "given_name"]}]))]}),
    );
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let other = OpenId4VpRequest {
        nonce: "another-nonce",
        ..req()
    };
    let check = q
        .verify_vp_token(
            &fx.verifier(),
            Value::Object(token).to_string().as_bytes(),
            &other,
            now(),
        )
        .unwrap();
    assert!(!check.satisfied());
    for p in check.presentations() {
        assert_eq!(
            p.outcome().unwrap_err().kind(),
            ErrorKind::HolderBinding,
            "{p:?}"
        );
    }
}

#[test]
fn extra_disclosures_are_refused() {
    let fx = fixture();
    let q = query(json!({"credentials": [pid_query(json!([{"path": ["given_name"]}]))]}));
    let vp = fx
        .pid
        .present(
            &[
                ClaimPath::parse("/given_name").unwrap(),
                ClaimPath::parse("/family_name").unwrap(),
            ],
            Some(KeyBinding {
                signer: &fx.holder_key,
                nonce: NONCE,
                audience: CLIENT_ID,
                iat: now(),
            }),
        )
        .unwrap();
    let mut token = Map::new();
    token.insert("pid".into(), json!([vp]));
    let check = fx.check(&q, &token).unwrap();
    assert!(!check.satisfied());
    let k = kinds(&check);
    assert!(
        k[0].starts_with("policy") && k[0].contains("/family_name"),
        "{k:?}"
    );
}

#[test]
fn values_are_honoured_by_the_verifier() {
    let fx = fixture();
    let asked = query(
        json!({"credentials": [pid_query(json!([{"path": ["given_name"], "values": ["Max"]}]))]}),
    );
    let lax = query(json!({"credentials": [pid_query(json!([{"path": ["given_name"]}]))]}));
    // the wallet will not answer a value it does not hold
    assert_eq!(
        asked
            .build_vp_token(&fx.wallet(), &req(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
    // a wallet that ignores values is caught by the verifier
    let token = lax.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let check = fx.check(&asked, &token).unwrap();
    assert!(!check.satisfied());
    assert!(
        kinds(&check)[0].starts_with("policy"),
        "{:?}",
        kinds(&check)
    );
}

#[test]
fn shape_of_the_token() {
    let fx = fixture();
    let q = query(json!({"credentials": [pid_query(json!([{"path": ["given_name"]}]))]}));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let vp = token["pid"][0].clone();
    let bad = |t: Value| {
        q.verify_vp_token(&fx.verifier(), t.to_string().as_bytes(), &req(), now())
            .map(|c| c.satisfied())
    };
    let err = |t: Value| bad(t).unwrap_err().kind();
    assert_eq!(err(json!({"pid": [vp, vp]})), ErrorKind::Malformed);
    assert_eq!(err(json!({"pid": []})), ErrorKind::Malformed);
    assert_eq!(err(json!({"pid": vp})), ErrorKind::Malformed);
    assert_eq!(
        err(json!({"pid": [vp], "other": [vp]})),
        ErrorKind::Malformed
    );
    assert_eq!(err(json!([vp])), ErrorKind::Malformed);
    // a required query without an answer: not satisfied, nothing to report
    assert!(!bad(json!({})).unwrap());
    assert!(bad(json!({"pid": [vp]})).unwrap());
    // a presentation of the wrong format for its query
    let m = query(
        json!({"credentials": [mdl_query(json!([{"path": [NAMESPACE_MDL, "given_name"]}]))]}),
    );
    let check = m
        .verify_vp_token(
            &fx.verifier(),
            json!({"mdl": [vp]}).to_string().as_bytes(),
            &req(),
            now(),
        )
        .unwrap();
    assert!(!check.satisfied());
}

#[test]
fn optional_sets_and_multiple() {
    let fx = fixture();
    let q = query(json!({"credentials": [
        pid_query(json!([{"path": ["family_name"]}])),
        {"id": "photo", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.23220.photoid.1"}},
    ], "credential_sets": [{"options": [["pid"]]}, {"options": [["photo"]], "required": false}]}));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    assert_eq!(token.keys().collect::<Vec<_>>(), ["pid"]);
    assert!(fx.check(&q, &token).unwrap().satisfied());

    // multiple: true answers with every matching credential
    let held2 = fx.pid.clone();
    let wallet = vec![
        WalletCredential::SdJwt {
            credential: &fx.pid,
            holder_key: Some(&fx.holder_key),
        },
        WalletCredential::SdJwt {
            credential: &held2,
            holder_key: Some(&fx.holder_key),
        },
    ];
    let mut pq = pid_query(json!([{"path": ["family_name"]}]));
    pq["multiple"] = json!(true);
    let q = query(json!({ "credentials": [pq] }));
    let token = q.build_vp_token(&wallet, &req(), now()).unwrap();
    assert_eq!(token["pid"].as_array().unwrap().len(), 2);
    let check = fx.check(&q, &token).unwrap();
    assert!(check.satisfied());
    assert_eq!(check.presentations().len(), 2);
}

#[test]
fn holder_binding_can_be_waived_by_the_query() {
    let fx = fixture();
    let mut pq = pid_query(json!([{"path": ["given_name"]}]));
    let strict = query(json!({ "credentials": [pq.clone()] }));
    pq["require_cryptographic_holder_binding"] = json!(false);
    let lax = query(json!({ "credentials": [pq] }));
    let keyless = [WalletCredential::SdJwt {
        credential: &fx.pid,
        holder_key: None,
    }];
    assert_eq!(
        strict
            .build_vp_token(&keyless, &req(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
    let token = lax.build_vp_token(&keyless, &req(), now()).unwrap();
    assert!(token["pid"][0].as_str().unwrap().ends_with('~'));
    assert!(fx.check(&lax, &token).unwrap().satisfied());
    // the verifier that asked for binding refuses the bare presentation
    let check = fx.check(&strict, &token).unwrap();
    assert!(!check.satisfied());
    assert!(kinds(&check)[0].starts_with("holder_binding"));
}

#[test]
fn the_verifier_accepts_any_claim_set_that_covers_the_disclosure() {
    let fx = fixture();
    let mut pq = pid_query(json!([
        {"id": "g", "path": ["given_name"]},
        {"id": "f", "path": ["family_name"]},
        {"id": "x", "path": ["no_such_claim"]}
    ]));
    pq["claim_sets"] = json!([["x"], ["f"], ["g", "f"]]);
    let q = query(json!({ "credentials": [pq.clone()] }));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let check = fx.check(&q, &token).unwrap();
    assert!(check.satisfied());
    assert_eq!(check.presentations()[0].claim_set(), Some(1));
    // a wallet that preferred the larger set [g, f] is accepted too
    let vp = fx
        .pid
        .present(
            &[
                ClaimPath::parse("/given_name").unwrap(),
                ClaimPath::parse("/family_name").unwrap(),
            ],
            Some(KeyBinding {
                signer: &fx.holder_key,
                nonce: NONCE,
                audience: CLIENT_ID,
                iat: now(),
            }),
        )
        .unwrap();
    let mut t = Map::new();
    t.insert("pid".into(), json!([vp]));
    let check = fx.check(&q, &t).unwrap();
    assert!(check.satisfied(), "{:?}", kinds(&check));
    assert_eq!(check.presentations()[0].claim_set(), Some(2));
}

#[test]
fn limit_vp_token_presentations() {
    let fx = fixture();
    let mut pq = pid_query(json!([{"path": ["given_name"]}]));
    pq["multiple"] = json!(true);
    let q = query(json!({ "credentials": [pq] }));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let vp = token["pid"][0].clone();
    let run = |n: usize| {
        q.verify_vp_token(
            &fx.verifier(),
            json!({ "pid": vec![vp.clone(); n] }).to_string().as_bytes(),
            &req(),
            now(),
        )
    };
    let at = run(limits::MAX_VP_TOKEN_PRESENTATIONS).unwrap();
    assert!(at.satisfied());
    assert_eq!(at.presentations().len(), limits::MAX_VP_TOKEN_PRESENTATIONS);
    let past = run(limits::MAX_VP_TOKEN_PRESENTATIONS + 1).unwrap_err();
    assert_eq!(past.kind(), ErrorKind::LimitExceeded, "{past:?}");
}

/// An index into a selectively disclosable array counts the issued elements
/// in the wallet; the verifier sees only the disclosed ones, so there any
/// disclosed element of that array answers the index (documented in
/// `src/dcql/mod.rs`).
#[test]
fn an_index_into_a_disclosable_array() {
    let fx = fixture();
    let q = query(json!({"credentials": [pid_query(json!([{"path": ["nationalities", 1]}]))]}));
    let token = q.build_vp_token(&fx.wallet(), &req(), now()).unwrap();
    let check = fx.check(&q, &token).unwrap();
    assert!(check.satisfied(), "{:?}", kinds(&check));
    let r = check.presentations()[0].outcome().unwrap();
    assert_eq!(r.claims()["nationalities"], json!(["FR"]));
    // the price of that reading: a wallet that disclosed the whole array for
    // one index is not caught (it cannot be told from one that disclosed one
    // element issued at another position)
    let vp = fx
        .pid
        .present(
            &[ClaimPath::parse("/nationalities").unwrap()],
            Some(KeyBinding {
                signer: &fx.holder_key,
                nonce: NONCE,
                audience: CLIENT_ID,
                iat: now(),
            }),
        )
        .unwrap();
    let mut t = Map::new();
    t.insert("pid".into(), json!([vp]));
    let check = fx.check(&q, &t).unwrap();
    assert!(check.satisfied(), "{:?}", kinds(&check));
}

#[test]
fn hostile_vp_tokens() {
    let fx = fixture();
    let mut pq = pid_query(json!([{"path": ["given_name"]}]));
    pq["multiple"] = json!(true);
    let q = query(json!({ "credentials": [pq] }));
    let run = |bytes: &[u8]| q.verify_vp_token(&fx.verifier(), bytes, &req(), now());
    // not JSON, not an object, duplicate members, deep nesting: the whole token
    assert_eq!(run(b"garbage").unwrap_err().kind(), ErrorKind::Malformed);
    assert_eq!(run(b"\"x\"").unwrap_err().kind(), ErrorKind::Malformed);
    assert_eq!(
        run(br#"{"pid": ["a~"], "pid": ["b~"]}"#)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    let deep = format!(r#"{{"pid": [{}{}]}}"#, "[".repeat(200), "]".repeat(200));
    assert_eq!(
        run(deep.as_bytes()).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    // presentations that are not presentations: each fails on its own
    let check = run(
        json!({"pid": [null, 7, "", "~~~", "eyJ.eyJ.sig~", {"@context": []}, ["x"]]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert!(!check.satisfied());
    assert_eq!(check.presentations().len(), 7);
    for p in check.presentations() {
        assert!(p.outcome().is_err(), "{p:?}");
    }
}

#[test]
fn trusted_authorities_come_from_the_host() {
    let fx = fixture();
    let mut pq = pid_query(json!([{"path": ["given_name"]}]));
    pq["trusted_authorities"] = json!([{"type": "etsi_tl", "values": ["https://lotl.example"]}]);
    let q = query(json!({ "credentials": [pq] }));
    let wallet = fx.wallet();
    assert_eq!(
        q.build_vp_token(&wallet, &req(), now()).unwrap_err().kind(),
        ErrorKind::Policy
    );
    let mut cands: Vec<DcqlCandidate> = wallet.iter().map(|w| w.candidate().unwrap()).collect();
    cands[0] = cands[0]
        .clone()
        .with_authority("etsi_tl", "https://lotl.example");
    let token = q
        .build_vp_token_with(&wallet, &cands, &req(), now())
        .unwrap();
    // the verifier decides trust itself: trusted_authorities is not re-checked
    assert!(fx.check(&q, &token).unwrap().satisfied());
    cands.swap(0, 1);
    assert_eq!(
        q.build_vp_token_with(&wallet, &cands, &req(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
}
