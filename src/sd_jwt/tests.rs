//! §7.1 processing rules, each with its own negative test (kind asserted),
//! and the issuer/holder building blocks.

use super::disclosure::digest_of;
use super::*;
use crate::crypto::{HashAlg, SecureRandom};
use crate::encoding::b64u_encode;
use crate::error::ErrorKind;
use serde_json::{json, Map, Value};

/// A deterministic RNG for repeatable tests.
/// A deterministic random source for tests: a counter, each step mixed
/// (so no 16-byte salt repeats within 2^64 steps).
pub(crate) struct CountingRng(core::cell::Cell<u64>);

impl SecureRandom for CountingRng {
    fn fill(&self, dest: &mut [u8]) -> crate::Result<()> {
        for chunk in dest.chunks_mut(8) {
            let v = self.0.get().wrapping_add(1);
            self.0.set(v);
            let mixed = (v ^ (v >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for (b, m) in chunk.iter_mut().zip(mixed.to_le_bytes()) {
                *b = m;
            }
        }
        Ok(())
    }
}

fn disc(json: &str) -> Disclosure {
    Disclosure::parse(b64u_encode(json), HashAlg::Sha256).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn run(payload: Value, ds: &[Disclosure]) -> crate::Result<Processed> {
    process_structure(&obj(payload), ds)
}

fn kind(r: crate::Result<Processed>) -> ErrorKind {
    r.err().map(|e| e.kind()).unwrap_or(ErrorKind::ApiMisuse)
}

#[test]
fn object_and_array_disclosures_are_applied() {
    let a = disc(r#"["s1","given_name","Erika"]"#);
    let b = disc(r#"["s2","DE"]"#);
    let p = run(
        json!({"_sd": [a.digest.as_str(), "decoy"], "nat": [{"...": b.digest.as_str()}, "FR", {"...": "decoy2"}], "_sd_alg": "sha-256"}),
        &[a.clone(), b.clone()],
    )
    .unwrap();
    assert_eq!(
        Value::Object(p.claims),
        json!({"given_name": "Erika", "nat": ["DE", "FR"]})
    );
    assert_eq!(p.paths[0].to_string(), "/given_name");
    assert_eq!(p.paths[1].to_string(), "/nat/0");
}

#[test]
fn recursive_disclosures_are_accepted() {
    // SD-31
    let inner = disc(r#"["s1","locality","Köln"]"#);
    let outer_json = format!(
        r#"["s2","address",{{"_sd":["{}"],"country":"DE"}}]"#,
        inner.digest.as_str()
    );
    let outer = disc(&outer_json);
    let elem = disc(r#"["s3","x"]"#);
    let arr = disc(&format!(r#"["s4",[{{"...":"{}"}}]]"#, elem.digest.as_str()));
    let p = run(
        json!({"_sd": [outer.digest.as_str()], "list": [{"...": arr.digest.as_str()}]}),
        &[inner.clone(), outer.clone(), elem.clone(), arr.clone()],
    )
    .unwrap();
    assert_eq!(
        Value::Object(p.claims.clone()),
        json!({"address": {"locality": "Köln", "country": "DE"}, "list": [["x"]]})
    );
    assert_eq!(p.parents[0], Some(1));
    assert_eq!(p.parents[1], None);
    assert_eq!(p.parents[2], Some(3));
}

#[test]
fn rule_disclosure_used_twice() {
    // SD-04
    let a = disc(r#"["s1","a",1]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [a.digest.as_str()]}),
            &[a.clone(), a.clone()]
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_digest_appears_more_than_once() {
    // SD-06: in two _sd arrays, and in _sd and an array placeholder
    let a = disc(r#"["s1","a",1]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [a.digest.as_str()], "o": {"_sd": [a.digest.as_str()]}}),
            std::slice::from_ref(&a)
        )),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(run(
            json!({"_sd": [a.digest.as_str()], "l": [{"...": a.digest.as_str()}]}),
            std::slice::from_ref(&a)
        )),
        ErrorKind::Malformed
    );
    // even a repeated decoy
    assert_eq!(
        kind(run(json!({"_sd": ["d", "d"]}), &[])),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_reserved_claim_names() {
    // SD-09 / SD-10
    for bad in [r#"["s","_sd",["x"]]"#, r#"["s","...","x"]"#] {
        let e = Disclosure::parse(b64u_encode(bad), HashAlg::Sha256).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{bad}");
    }
}

#[test]
fn rule_claim_already_exists() {
    // SD-11 / SD-12
    let a = disc(r#"["s1","iss","https://evil.example"]"#);
    assert_eq!(
        kind(run(
            json!({"iss": "https://good.example", "_sd": [a.digest.as_str()]}),
            std::slice::from_ref(&a)
        )),
        ErrorKind::Malformed
    );
    let b = disc(r#"["s2","x",1]"#);
    let c = disc(r#"["s3","x",2]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [b.digest.as_str(), c.digest.as_str()]}),
            &[b.clone(), c.clone()]
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_position_mismatch() {
    // SD-13: array-element disclosure from _sd; SD-14: object disclosure from "..."
    let el = disc(r#"["s1","x"]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [el.digest.as_str()]}),
            std::slice::from_ref(&el)
        )),
        ErrorKind::Malformed
    );
    let prop = disc(r#"["s2","a",1]"#);
    assert_eq!(
        kind(run(
            json!({"l": [{"...": prop.digest.as_str()}]}),
            std::slice::from_ref(&prop)
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_unreferenced_disclosure() {
    // SD-07 / SD-05 / SD-08
    let a = disc(r#"["s1","a",1]"#);
    let stray = disc(r#"["s9","b",2]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [a.digest.as_str()]}),
            &[a.clone(), stray]
        )),
        ErrorKind::Malformed
    );
    let spaced = disc(r#"["s1", "a", 1]"#);
    assert_ne!(spaced.digest.as_str(), a.digest.as_str());
    assert_eq!(
        kind(run(json!({"_sd": [a.digest.as_str()]}), &[spaced])),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_sd_shape() {
    // SD-15 / SD-16 / SD-25
    let a = disc(r#"["s1","x"]"#);
    for payload in [
        json!({"_sd": "abc"}),
        json!({"_sd": {"a": 1}}),
        json!({"_sd": [1]}),
        json!({"_sd": [null]}),
        json!({"l": [{"...": a.digest.as_str(), "x": 1}]}),
        json!({"l": [{"...": 5}]}),
    ] {
        assert_eq!(
            kind(run(payload.clone(), &[])),
            ErrorKind::Malformed,
            "{payload}"
        );
    }
    let v = disc(r#"["s2","o",{"_sd":"abc"}]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [v.digest.as_str()]}),
            std::slice::from_ref(&v)
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_sd_alg_only_at_top() {
    // SD-21
    assert_eq!(
        kind(run(json!({"o": {"_sd_alg": "sha-256"}}), &[])),
        ErrorKind::Malformed
    );
    let v = disc(r#"["s2","o",{"_sd_alg":"sha-256"}]"#);
    assert_eq!(
        kind(run(
            json!({"_sd": [v.digest.as_str()]}),
            std::slice::from_ref(&v)
        )),
        ErrorKind::Malformed
    );
}

#[test]
fn rule_disclosure_shape() {
    // SD-17
    for bad in [
        r#"{"a":1}"#,
        r#"["only"]"#,
        r#"["s","a",1,2]"#,
        r#"[1,"a",1]"#,
        r#"["s",2,1]"#,
        r#"[]"#,
    ] {
        assert_eq!(
            Disclosure::parse(b64u_encode(bad), HashAlg::Sha256)
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    assert_eq!(
        Disclosure::parse("!!".into(), HashAlg::Sha256)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        Disclosure::parse("".into(), HashAlg::Sha256)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn rfc_disclosure_digests() {
    // RFC 9901 §4.2.1–4.2.3: each encoding has its own digest, over the string as sent
    let v: Value = serde_json::from_str(include_str!(
        "../../test-vectors/ietf-sd-jwt-rfc9901/4.2-disclosure-encoding.json"
    ))
    .unwrap();
    let list = v["vectors"].as_array().unwrap();
    assert!(list.len() >= 4);
    for e in list {
        let d = Disclosure::parse(
            e["disclosure"].as_str().unwrap().to_owned(),
            HashAlg::Sha256,
        )
        .unwrap();
        let want = e
            .get("expected_sha256_digest")
            .or_else(|| e.get("sha256_digest_computed_not_in_spec"))
            .and_then(Value::as_str)
            .unwrap();
        assert_eq!(d.digest.as_str(), want);
        assert_eq!(
            digest_of(e["disclosure"].as_str().unwrap(), HashAlg::Sha256),
            want
        );
    }
}

#[test]
fn depth_limits() {
    // SD-22: a chain of recursive disclosures, at the limit and one past it
    fn chain(n: usize) -> (Value, Vec<Disclosure>) {
        let mut ds = Vec::new();
        let mut inner = json!({"leaf": true});
        for i in 0..n {
            let d = disc(&format!(r#"["s{i}","c",{inner}]"#));
            inner = json!({"_sd": [d.digest.as_str()]});
            ds.push(d);
        }
        (inner, ds)
    }
    let (p, ds) = chain(crate::limits::MAX_DISCLOSURE_DEPTH);
    assert!(run(p, &ds).is_ok());
    let (p, ds) = chain(crate::limits::MAX_DISCLOSURE_DEPTH + 1);
    assert_eq!(kind(run(p, &ds)), ErrorKind::LimitExceeded);
}

#[test]
fn issue_then_select_round_trip() {
    let rng = CountingRng(core::cell::Cell::new(0));
    let claims = obj(json!({
        "iss": "https://i.example", "vct": "t", "given_name": "E",
        "address": {"locality": "K", "country": "DE"}, "nationalities": ["DE", "FR"]
    }));
    let opts = IssueOptions {
        hash: HashAlg::Sha256,
        max_decoys: 2,
        always_visible: &["iss", "vct"],
        visible_unless_named: &[],
        scope: None,
    };
    let (payload, ds) = issue(&claims, &Map::new(), &Disclosable::All, &opts, &rng).unwrap();
    assert!(payload.contains_key("iss") && payload.contains_key("vct"));
    assert!(!payload.contains_key("given_name"));
    let full = process_structure(&payload, &ds).unwrap();
    assert_eq!(full.claims, claims);
    // select /address/locality: the address disclosure comes along, country does not
    let sel = select_disclosures(&full, &[ClaimPath::parse("/address/locality").unwrap()]).unwrap();
    let chosen: Vec<Disclosure> = sel.iter().map(|&i| ds[i].clone()).collect();
    let part = process_structure(&payload, &chosen).unwrap();
    assert_eq!(
        Value::Object(part.claims),
        json!({"iss": "https://i.example", "vct": "t", "address": {"locality": "K"}})
    );
    // an array element by position; a path to nothing is refused, not ignored
    let sel = select_disclosures(&full, &[ClaimPath::parse("/nationalities/1").unwrap()]).unwrap();
    let chosen: Vec<Disclosure> = sel.iter().map(|&i| ds[i].clone()).collect();
    let part = process_structure(&payload, &chosen).unwrap();
    assert_eq!(part.claims["nationalities"], json!(["FR"]));
    for missing in [
        "/nope",
        "/address/nope",
        "/nationalities/2",
        "/given_name/x",
    ] {
        let e = select_disclosures(&full, &[ClaimPath::parse(missing).unwrap()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiMisuse, "{missing}");
    }
    // the empty path is the whole credential: every disclosure
    let all = select_disclosures(&full, &[ClaimPath::from_segments(Vec::<String>::new())]).unwrap();
    assert_eq!(all.len(), ds.len());
    // SD-18 / always-visible claims cannot be made disclosable
    let e = issue(
        &claims,
        &Map::new(),
        &Disclosable::Paths(vec![ClaimPath::parse("/iss").unwrap()]),
        &opts,
        &rng,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Policy);
    let e = issue(
        &claims,
        &Map::new(),
        &Disclosable::Paths(vec![ClaimPath::parse("/nope").unwrap()]),
        &opts,
        &rng,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
}

/// Issues through `build_sd_payload` and reads the result back the way a
/// verifier does: the payload parsed as JSON, each disclosure parsed from its
/// string.
fn issue(
    claims: &Map<String, Value>,
    extra: &Map<String, Value>,
    sel: &Disclosable,
    opts: &IssueOptions,
    rng: &dyn SecureRandom,
) -> crate::Result<(Map<String, Value>, Vec<Disclosure>)> {
    let sd = build_sd_payload(claims, extra, sel, opts, rng)?;
    let payload = crate::encoding::parse_json_object(&sd.payload, "payload").unwrap();
    // every disclosure is followed by '~', the last one too
    assert!(sd.disclosures.is_empty() || sd.disclosures.ends_with('~'));
    let ds: Vec<Disclosure> = sd
        .disclosures
        .split_terminator('~')
        .map(|d| Disclosure::parse(d.to_owned(), opts.hash).unwrap())
        .collect();
    Ok((payload, ds))
}

/// Issue 14: the payload and disclosures are written straight out as JSON
/// from a tree of the wanted paths. Whatever is selected, processing gives
/// back exactly the claims plus the issuer's additions, and only the named
/// paths are hidden: recursive (a claim and one inside it), array elements
/// by their decimal position only, an addition (`iat`) only when named,
/// names and values that need escaping.
#[test]
fn issued_payload_hides_exactly_the_named_paths_and_processes_back() {
    let rng = CountingRng(core::cell::Cell::new(0));
    let claims = obj(json!({
        "iss": "https://i.example", "vct": "t", "given_name": "E\"\\\u{1}ß😀",
        "a/b~c": 1.5, "address": {"locality": "K", "country": "DE", "street": null},
        "nationalities": ["DE", "FR", {"x": [true, false]}], "empty": {}, "none": []
    }));
    let extra = obj(json!({"iat": 1_790_000_000u64, "cnf": {"jwk": {"kty": "EC"}}}));
    let mut everything = claims.clone();
    everything.extend(extra.clone());
    let opts = IssueOptions {
        hash: HashAlg::Sha256,
        max_decoys: 3,
        always_visible: &["iss", "vct", "cnf"],
        visible_unless_named: &["iat"],
        scope: None,
    };
    let p = |s: &str| ClaimPath::parse(s).unwrap();
    let cases: Vec<(Disclosable, Vec<&str>)> = vec![
        (
            Disclosable::All,
            vec![
                "/given_name",
                "/a~1b~0c",
                "/address",
                "/address/locality",
                "/nationalities/2/x/1",
            ],
        ),
        (
            Disclosable::Paths(vec![
                p("/address/locality"),
                p("/address"),
                p("/nationalities/1"),
                p("/nationalities/2/x/0"),
                p("/a~1b~0c"),
                p("/iat"),
                p("/address"),
            ]),
            vec![
                "/address",
                "/address/locality",
                "/nationalities/1",
                "/nationalities/2/x/0",
                "/a~1b~0c",
                "/iat",
            ],
        ),
    ];
    for (sel, hidden) in cases {
        let (payload, ds) = issue(&claims, &extra, &sel, &opts, &rng).unwrap();
        assert_eq!(payload["_sd_alg"], "sha-256");
        let full = process_structure(&payload, &ds).unwrap();
        assert_eq!(full.claims, everything, "{sel:?}");
        for h in &hidden {
            assert!(
                full.provenance()
                    .iter()
                    .any(|(ptr, disclosed)| ptr == h && *disclosed),
                "{h} should be disclosed under {sel:?}"
            );
        }
        // nothing else is hidden
        let disclosed = full.provenance().iter().filter(|(_, d)| *d).count();
        match sel {
            Disclosable::All => assert!(disclosed >= hidden.len()),
            _ => assert_eq!(disclosed, hidden.len(), "{sel:?}"),
        }
        for visible in ["iss", "vct", "cnf"] {
            assert!(payload.contains_key(visible));
        }
    }
    // a position is named by its decimal text only; a path under a missing claim is missing
    for bad in [
        "/nationalities/01",
        "/nationalities/3",
        "/address/locality/x",
        "/nope/x",
    ] {
        let e = issue(
            &claims,
            &extra,
            &Disclosable::Paths(vec![p(bad)]),
            &opts,
            &rng,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiMisuse, "{bad}");
        assert!(e.to_string().contains(&bad[1..]), "{e}");
    }
    // inside an always-visible claim: refused up front
    let e = issue(
        &claims,
        &extra,
        &Disclosable::Paths(vec![p("/cnf/jwk")]),
        &opts,
        &rng,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Policy);
    // an addition may not shadow a claim
    let e = issue(
        &claims,
        &obj(json!({"vct": "u"})),
        &Disclosable::All,
        &opts,
        &rng,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    // SD-18 / RFC 9901 §4.2.1: a salt is unique per disclosure, even under different
    // content (a random source that repeats itself is refused)
    struct Repeats;
    impl SecureRandom for Repeats {
        fn fill(&self, dest: &mut [u8]) -> crate::Result<()> {
            for (i, b) in dest.iter_mut().enumerate() {
                *b = u8::try_from(i % 16).unwrap();
            }
            Ok(())
        }
    }
    let two = obj(json!({"a": 1, "b": 2}));
    let e = issue(&two, &Map::new(), &Disclosable::All, &opts, &Repeats).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Policy);
    assert!(issue(&two, &Map::new(), &Disclosable::All, &opts, &rng).is_ok());
    // reserved names, nested too
    for bad in [json!({"x": {"_sd": []}}), json!({"x": [{"...": "d"}]})] {
        let e = issue(&obj(bad), &Map::new(), &Disclosable::All, &opts, &rng).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiMisuse);
    }
}

#[test]
fn compact_framing() {
    // SD-02 / SD-03 / KB-14
    assert_eq!(
        SdJwtParts::parse("a.b.c").unwrap_err().kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        SdJwtParts::parse("a.b.c~~d~").unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let p = SdJwtParts::parse("a.b.c~d1~d2~").unwrap();
    assert_eq!(p.disclosures, ["d1", "d2"]);
    assert!(p.kb_jwt.is_none());
    assert_eq!(p.sd_hash_input, "a.b.c~d1~d2~");
    let p = SdJwtParts::parse("a.b.c~d1~k.k.k").unwrap();
    assert_eq!(p.kb_jwt.as_deref(), Some("k.k.k"));
    // SD-23: too many disclosures
    let many = format!("a.b.c~{}", "d~".repeat(crate::limits::MAX_DISCLOSURES + 1));
    assert_eq!(
        SdJwtParts::parse(&many).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    let at_limit = format!("a.b.c~{}", "d~".repeat(crate::limits::MAX_DISCLOSURES));
    assert!(SdJwtParts::parse(&at_limit).is_ok());
    // ENC-01
    let big = "a".repeat(crate::limits::MAX_SD_JWT_BYTES + 1);
    assert_eq!(
        SdJwtParts::parse(&big).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn spec_disclosures_and_digests() {
    // Every (disclosure, digest, decoded) triple printed in RFC 9901 and the SD-JWT VC draft.
    for text in [
        include_str!("../../test-vectors/ietf-sd-jwt-rfc9901/disclosures_with_digests.json"),
        include_str!("../../test-vectors/ietf-sd-jwt-vc/disclosures_with_digests.json"),
    ] {
        let list: Vec<Value> = serde_json::from_str(text).unwrap();
        assert!(list.len() > 30);
        for e in list {
            let d = Disclosure::parse(
                e["disclosure"].as_str().unwrap().to_owned(),
                HashAlg::Sha256,
            )
            .unwrap();
            assert_eq!(d.digest.as_str(), e["sha256_digest"].as_str().unwrap());
            let decoded = e["decoded"].as_array().unwrap();
            match decoded.len() {
                3 => {
                    assert_eq!(d.name.as_deref(), decoded[1].as_str());
                    assert_eq!(d.value, decoded[2]);
                }
                _ => {
                    assert!(d.name.is_none());
                    assert_eq!(d.value, decoded[1]);
                }
            }
        }
    }
}

/// `_sd_alg` sha3-256 (FIPS 202): the digest of a disclosure string, as
/// Python's hashlib.sha3_256 computes it independently.
#[test]
fn sha3_256_disclosure_digest_known_answer() {
    let d = Disclosure::parse(
        "WyJzYWx0MSIsImdpdmVuX25hbWUiLCJFcmlrYSJd".into(),
        HashAlg::Sha3_256,
    )
    .unwrap();
    assert_eq!(
        d.digest.as_str(),
        "sJ8rZkTlSeNIXzFpl7kvi_Ou_oUh3nclBrcqFaBVyhk"
    );
    assert_eq!(HashAlg::from_iana("sha3-256"), Some(HashAlg::Sha3_256));
    assert_eq!(HashAlg::from_iana("SHA3-256"), None);
}

/// Provenance names each visible top-level claim as issuer-signed and each
/// disclosure's path as disclosed, whatever order the claims map keeps: a
/// disclosed name that sorts before the visible ones (`aa`) and one between
/// them (`m`), with a nested disclosure under a visible claim.
#[test]
fn provenance_lists_visible_and_disclosed_claims_in_any_map_order() {
    let aa = disc(r#"["s1","aa",1]"#);
    let m = disc(r#"["s2","m",2]"#);
    let inner = disc(r#"["s3","city","X"]"#);
    let p = run(
        json!({"zz": 0, "iss": "https://i.example", "addr": {"_sd": [inner.digest.as_str()]},
               "_sd": [m.digest.as_str(), aa.digest.as_str()], "_sd_alg": "sha-256"}),
        &[aa, m, inner],
    )
    .unwrap();
    let mut got = p.provenance();
    got.sort();
    let want: Vec<(String, bool)> = [
        ("/aa", true),
        ("/addr", false),
        ("/addr/city", true),
        ("/iss", false),
        ("/m", true),
        ("/zz", false),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), *v))
    .collect();
    assert_eq!(got, want);
}
