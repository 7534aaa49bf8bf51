use super::*;
use crate::error::ErrorKind;
use crate::limits::{
    MAX_DCQL_CLAIMS_PER_QUERY, MAX_DCQL_CREDENTIAL_QUERIES, MAX_DCQL_PATH_SEGMENTS, MAX_DCQL_SETS,
    MAX_DCQL_VALUES,
};
use crate::sd_jwt::ClaimPath;
use serde_json::{json, Value};

fn parse(v: &Value) -> crate::Result<DcqlQuery> {
    DcqlQuery::parse(v.to_string().as_bytes())
}

fn sd(id: &str, claims: Value) -> Value {
    json!({"id": id, "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:t"]}, "claims": claims})
}

fn one(cred: Value) -> Value {
    json!({ "credentials": [cred] })
}

fn kind_of(v: &Value) -> String {
    match parse(v) {
        Ok(_) => "ok".into(),
        Err(e) => format!("{}: {}", e.kind().as_str(), e.message()),
    }
}

#[test]
fn parses_the_defaults() {
    let q = parse(&one(sd("pid", json!([{"path": ["a", 0, null]}])))).unwrap();
    let c = &q.credentials()[0];
    assert!(!c.multiple());
    assert!(c.require_cryptographic_holder_binding());
    assert_eq!(c.format(), DcqlFormat::SdJwtVc);
    assert_eq!(
        c.claims().unwrap()[0].path(),
        [
            PathElement::Key("a".into()),
            PathElement::Index(0),
            PathElement::All
        ]
    );
    let q = parse(&json!({"credentials": [sd("a", json!([{"path": ["x"]}]))],
        "credential_sets": [{"options": [["a"]]}]}))
    .unwrap();
    assert!(q.credential_sets().unwrap()[0].required());
}

#[test]
fn unknown_members_are_ignored_everywhere() {
    let q = json!({"future": {"x": 1}, "credentials": [{"id": "a", "format": "mso_mdoc",
        "meta": {"doctype_value": "d", "other": [1]}, "x-ext": null,
        "claims": [{"path": ["ns", "el"], "purpose": 3}]}],
        "credential_sets": [{"options": [["a"]], "purpose": "why"}]});
    assert_eq!(kind_of(&q), "ok");
}

/// Each hostile or contradictory query, with the kind and a piece of the message.
#[test]
fn refusals() {
    let mdoc = |claims: Value| {
        one(
            json!({"id": "m", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "claims": claims}),
        )
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "malformed", "credentials is required"),
        (json!({"credentials": []}), "malformed", "non-empty"),
        (json!({"credentials": {}}), "malformed", "not an object"),
        (
            one(json!("x")),
            "malformed",
            "credentials[0] must be an object",
        ),
        (
            one(json!({"format": "dc+sd-jwt", "meta": {}})),
            "malformed",
            "id is required",
        ),
        (
            one(json!({"id": "", "format": "dc+sd-jwt"})),
            "malformed",
            "must not be empty",
        ),
        (
            one(json!({"id": "a b", "format": "dc+sd-jwt"})),
            "malformed",
            "alphanumeric",
        ),
        (
            one(json!({"id": 7, "format": "dc+sd-jwt"})),
            "malformed",
            "must be a string",
        ),
        (
            one(json!({"id": "a", "format": "vc+sd-jwt", "meta": {}})),
            "unsupported",
            "vc+sd-jwt",
        ),
        (
            one(json!({"id": "a", "format": "dc+sd-jwt"})),
            "malformed",
            "meta is required",
        ),
        (
            one(json!({"id": "a", "format": "dc+sd-jwt", "meta": {}})),
            "malformed",
            "meta.vct_values is required",
        ),
        (
            one(json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": []}})),
            "malformed",
            "non-empty",
        ),
        (
            one(json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": [1]}})),
            "malformed",
            "vct_values[0] must be a string",
        ),
        (
            one(json!({"id": "a", "format": "mso_mdoc", "meta": {}})),
            "malformed",
            "doctype_value is required",
        ),
        (
            one(json!({"id": "a", "format": "ldp_vc", "meta": {"type_values": [[]]}})),
            "malformed",
            "type_values[0] must be a non-empty",
        ),
        (
            one(json!({"id": "a", "format": "jwt_vc_json", "meta": {"type_values": ["x"]}})),
            "malformed",
            "type_values[0] must be a non-empty array",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "multiple": "yes"}),
            ),
            "malformed",
            "multiple must be a boolean",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "require_cryptographic_holder_binding": 0}),
            ),
            "malformed",
            "require_cryptographic_holder_binding must be a boolean",
        ),
        (
            one(sd("a", json!([]))),
            "malformed",
            "claims must be a non-empty array",
        ),
        (
            one(sd("a", json!([{"id": "x"}]))),
            "malformed",
            "path is required",
        ),
        (
            one(sd("a", json!([{"path": []}]))),
            "malformed",
            "non-empty",
        ),
        (
            one(sd("a", json!([{"path": [-1]}]))),
            "malformed",
            "non-negative",
        ),
        (
            one(sd("a", json!([{"path": [1.5]}]))),
            "malformed",
            "non-negative",
        ),
        (
            one(sd("a", json!([{"path": [true]}]))),
            "malformed",
            "a string, a non-negative integer or null",
        ),
        (
            one(sd("a", json!([{"path": [{"a": 1}]}]))),
            "malformed",
            "not an object",
        ),
        (
            one(sd("a", json!([{"path": ["x"], "values": []}]))),
            "malformed",
            "non-empty",
        ),
        (
            one(sd("a", json!([{"path": ["x"], "values": [null]}]))),
            "malformed",
            "a string, an integer or a boolean",
        ),
        (
            one(sd("a", json!([{"path": ["x"], "values": [1.5]}]))),
            "malformed",
            "integers",
        ),
        (
            one(sd("a", json!([{"path": ["x"], "values": [[1]]}]))),
            "malformed",
            "not an array",
        ),
        (
            one(sd(
                "a",
                json!([{"id": "c", "path": ["x"]}, {"id": "c", "path": ["y"]}]),
            )),
            "malformed",
            "\"c\" is used by an earlier claim",
        ),
        (
            one(
                json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]}, "claim_sets": [["x"]]}),
            ),
            "malformed",
            "claims is absent",
        ),
        (
            one(
                json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]},
            "claims": [{"id": "x", "path": ["x"]}, {"path": ["y"]}], "claim_sets": [["x"]]}),
            ),
            "malformed",
            "claims[1] has no id",
        ),
        (
            one(
                json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]},
            "claims": [{"id": "x", "path": ["x"]}], "claim_sets": [["y"]]}),
            ),
            "malformed",
            "\"y\", which is not in claims",
        ),
        (
            one(
                json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]},
            "claims": [{"id": "x", "path": ["x"]}], "claim_sets": [[]]}),
            ),
            "malformed",
            "non-empty",
        ),
        (
            one(
                json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]},
            "claims": [{"id": "x", "path": ["x"]}], "claim_sets": []}),
            ),
            "malformed",
            "non-empty",
        ),
        (
            mdoc(json!([{"path": ["ns"]}])),
            "malformed",
            "exactly two strings",
        ),
        (
            mdoc(json!([{"path": ["ns", "el", null]}])),
            "malformed",
            "exactly two strings",
        ),
        (
            mdoc(json!([{"path": ["ns", null]}])),
            "malformed",
            "exactly two strings",
        ),
        (
            mdoc(json!([{"path": ["ns", 0]}])),
            "malformed",
            "exactly two strings",
        ),
        (
            mdoc(json!([{"path": ["ns", "el"], "intent_to_retain": "no"}])),
            "malformed",
            "intent_to_retain must be a boolean",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}])), sd("a", json!([{"path": ["y"]}]))]}),
            "malformed",
            "\"a\" is used by an earlier credential query",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": []}),
            "malformed",
            "non-empty",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": [{}]}),
            "malformed",
            "options is required",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": [{"options": [[]]}]}),
            "malformed",
            "options[0] must be a non-empty",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": [{"options": [["b"]]}]}),
            "malformed",
            "\"b\", which does not exist",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": [{"options": [["a", "a"]]}]}),
            "malformed",
            "twice",
        ),
        (
            json!({"credentials": [sd("a", json!([{"path": ["x"]}]))], "credential_sets": [{"options": [["a"]], "required": "no"}]}),
            "malformed",
            "required must be a boolean",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "trusted_authorities": []}),
            ),
            "malformed",
            "non-empty",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "trusted_authorities": [{"type": "aki"}]}),
            ),
            "malformed",
            "values is required",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "trusted_authorities": [{"type": "aki", "values": []}]}),
            ),
            "malformed",
            "non-empty",
        ),
        (
            one(
                json!({"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"}, "trusted_authorities": [{"values": ["x"]}]}),
            ),
            "malformed",
            "type is required",
        ),
    ];
    for (q, kind, msg) in cases {
        let got = kind_of(&q);
        assert!(
            got.starts_with(kind) && got.contains(msg),
            "{q}: expected {kind} containing {msg:?}, got {got}"
        );
    }
}

#[test]
fn duplicate_json_members_and_deep_nesting_are_refused_by_the_reader() {
    let e = DcqlQuery::parse(br#"{"credentials": [], "credentials": []}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert!(e.message().contains("duplicate"), "{e:?}");
    let deep = format!(
        r#"{{"credentials": [{{"id": "a", "format": "dc+sd-jwt", "meta": {{"vct_values": ["t"]}}, "x": {}{}}}]}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = DcqlQuery::parse(deep.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    assert!(e.message().contains("nesting"), "{e:?}");
}

fn limit_case(v: Value) -> ErrorKind {
    match parse(&v) {
        Ok(_) => ErrorKind::ApiMisuse, // stands for "accepted"
        Err(e) => {
            if e.kind() == ErrorKind::LimitExceeded {
                assert!(e.message().contains("MAX_DCQL_"), "{e:?}");
            }
            e.kind()
        }
    }
}

const OK: ErrorKind = ErrorKind::ApiMisuse;

#[test]
fn limit_credential_queries() {
    let make = |n: usize| json!({"credentials": (0..n).map(|i| sd(&format!("q{i}"), json!([{"path": ["x"]}]))).collect::<Vec<_>>()});
    assert_eq!(limit_case(make(MAX_DCQL_CREDENTIAL_QUERIES)), OK);
    assert_eq!(
        limit_case(make(MAX_DCQL_CREDENTIAL_QUERIES + 1)),
        ErrorKind::LimitExceeded
    );
    // the hostile one: 10 000 credential queries
    assert_eq!(limit_case(make(10_000)), ErrorKind::LimitExceeded);
}

#[test]
fn limit_claims_per_query() {
    let make = |n: usize| {
        one(sd(
            "a",
            (0..n).map(|i| json!({"path": [format!("c{i}")]})).collect(),
        ))
    };
    assert_eq!(limit_case(make(MAX_DCQL_CLAIMS_PER_QUERY)), OK);
    assert_eq!(
        limit_case(make(MAX_DCQL_CLAIMS_PER_QUERY + 1)),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn limit_path_segments() {
    let make = |n: usize| one(sd("a", json!([{ "path": vec![json!("k"); n] }])));
    assert_eq!(limit_case(make(MAX_DCQL_PATH_SEGMENTS)), OK);
    assert_eq!(
        limit_case(make(MAX_DCQL_PATH_SEGMENTS + 1)),
        ErrorKind::LimitExceeded
    );
    // the hostile one: a path of 10 000 segments (flat, so the JSON reader takes it)
    assert_eq!(limit_case(make(10_000)), ErrorKind::LimitExceeded);
}

#[test]
fn limit_values() {
    let make = |n: usize| {
        one(sd(
            "a",
            json!([{"path": ["x"], "values": (0..n).map(|i| json!(i)).collect::<Vec<_>>()}]),
        ))
    };
    assert_eq!(limit_case(make(MAX_DCQL_VALUES)), OK);
    assert_eq!(
        limit_case(make(MAX_DCQL_VALUES + 1)),
        ErrorKind::LimitExceeded
    );
    let vct = |n: usize| {
        one(json!({"id": "a", "format": "dc+sd-jwt",
            "meta": {"vct_values": (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>()}}))
    };
    assert_eq!(limit_case(vct(MAX_DCQL_VALUES)), OK);
    assert_eq!(
        limit_case(vct(MAX_DCQL_VALUES + 1)),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn limit_sets() {
    let claims: Vec<Value> = vec![json!({"id": "x", "path": ["x"]})];
    let make = |n: usize| {
        one(
            json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["t"]},
            "claims": claims, "claim_sets": vec![json!(["x"]); n]}),
        )
    };
    assert_eq!(limit_case(make(MAX_DCQL_SETS)), OK);
    assert_eq!(
        limit_case(make(MAX_DCQL_SETS + 1)),
        ErrorKind::LimitExceeded
    );
    let sets = |n: usize| {
        json!({"credentials": [sd("a", json!([{"path": ["x"]}]))],
            "credential_sets": vec![json!({"options": [["a"]]}); n]})
    };
    assert_eq!(limit_case(sets(MAX_DCQL_SETS)), OK);
    assert_eq!(
        limit_case(sets(MAX_DCQL_SETS + 1)),
        ErrorKind::LimitExceeded
    );
}

// ---------------------------------------------------------------- matching

fn cand(claims: Value) -> DcqlCandidate {
    DcqlCandidate::new(DcqlFormat::SdJwtVc, vec!["urn:t".into()], claims, true)
}

fn paths(m: &CandidateMatch) -> Vec<String> {
    m.paths().iter().map(ClaimPath::to_string).collect()
}

#[test]
fn path_processing_follows_section_7() {
    let c = cand(json!({
        "name": "Arthur Dent",
        "address": {"street_address": "42 Market Street", "locality": "Milliways"},
        "degrees": [{"type": "BSc", "university": "U"}, {"type": "MSc", "university": "U"}, {"university": "V"}],
        "nationalities": ["British", "Betelgeusian"],
        "nothing": null
    }));
    let run = |path: Value| {
        let q = parse(&one(sd("a", json!([{ "path": path }])))).unwrap();
        q.match_candidates(std::slice::from_ref(&c))
            .matches("a")
            .first()
            .map(paths)
    };
    assert_eq!(run(json!(["name"])), Some(vec!["/name".into()]));
    assert_eq!(run(json!(["address"])), Some(vec!["/address".into()]));
    assert_eq!(
        run(json!(["degrees", null, "type"])),
        Some(vec!["/degrees/0/type".into(), "/degrees/1/type".into()])
    );
    assert_eq!(
        run(json!(["nationalities", 1])),
        Some(vec!["/nationalities/1".into()])
    );
    assert_eq!(run(json!(["nationalities", 2])), None);
    assert_eq!(run(json!(["missing"])), None);
    // a string applied to an array, null to an object: processing aborts
    assert_eq!(run(json!(["nationalities", "x"])), None);
    assert_eq!(run(json!(["address", null])), None);
    assert_eq!(run(json!(["name", 0])), None);
    // a claim whose value is null exists
    assert_eq!(run(json!(["nothing"])), Some(vec!["/nothing".into()]));
}

#[test]
fn values_match_by_type_and_value() {
    let c = cand(json!({"n": 1, "s": "1", "b": true, "f": 1.5, "arr": ["a", "b", "c"]}));
    let run = |path: Value, values: Value| {
        let q = parse(&one(sd("a", json!([{ "path": path, "values": values }])))).unwrap();
        q.match_candidates(std::slice::from_ref(&c))
            .matches("a")
            .first()
            .map(paths)
    };
    assert!(run(json!(["n"]), json!([1])).is_some());
    assert!(run(json!(["n"]), json!(["1"])).is_none());
    assert!(run(json!(["n"]), json!([true])).is_none());
    assert!(run(json!(["s"]), json!(["1"])).is_some());
    assert!(run(json!(["s"]), json!([1])).is_none());
    assert!(run(json!(["b"]), json!([true])).is_some());
    assert!(run(json!(["b"]), json!([1])).is_none());
    assert!(run(json!(["f"]), json!([1])).is_none());
    // with null, the matching elements only
    assert_eq!(
        run(json!(["arr", null]), json!(["b", "c", "z"])),
        Some(vec!["/arr/1".into(), "/arr/2".into()])
    );
    assert!(run(json!(["arr", null]), json!(["z"])).is_none());
}

#[test]
fn claim_sets_pick_the_first_satisfiable() {
    let q = DcqlQuery::parse(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/test-vectors/dcql/openid4vp-1.0/claims_alternatives.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let full = cand(
        json!({"family_name": "D", "postal_code": "1", "locality": "L", "region": "R", "date_of_birth": "2000"}),
    );
    let postal_only =
        cand(json!({"family_name": "D", "postal_code": "1", "date_of_birth": "2000"}));
    let neither = cand(json!({"family_name": "D", "locality": "L", "date_of_birth": "2000"}));
    let mut full_vct = full.clone();
    full_vct.types = vec!["https://credentials.example.com/identity_credential".into()];
    let mut postal_vct = postal_only.clone();
    postal_vct.types = full_vct.types.clone();
    let mut neither_vct = neither.clone();
    neither_vct.types = full_vct.types.clone();
    let m = q.match_candidates(&[full_vct, postal_vct, neither_vct, full]);
    let ms = m.matches("pid");
    assert_eq!(ms.len(), 2, "{ms:?}");
    assert_eq!((ms[0].candidate(), ms[0].claim_set()), (0, Some(0)));
    assert_eq!(
        paths(&ms[0]),
        ["/family_name", "/locality", "/region", "/date_of_birth"]
    );
    assert_eq!((ms[1].candidate(), ms[1].claim_set()), (1, Some(1)));
    assert_eq!(
        paths(&ms[1]),
        ["/family_name", "/postal_code", "/date_of_birth"]
    );
    assert!(m.satisfied());
}

#[test]
fn meta_holder_binding_and_authorities() {
    let q = parse(&one(
        json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:t"]},
        "trusted_authorities": [{"type": "aki", "values": ["k1", "k2"]}]}),
    ))
    .unwrap();
    let c = cand(json!({}));
    assert!(!q.match_candidates(std::slice::from_ref(&c)).satisfied());
    assert!(q
        .match_candidates(&[c.clone().with_authority("aki", "k2")])
        .satisfied());
    assert!(!q
        .match_candidates(&[c.clone().with_authority("etsi_tl", "k2")])
        .satisfied());
    let unbound = DcqlCandidate::new(DcqlFormat::SdJwtVc, vec!["urn:t".into()], json!({}), false)
        .with_authority("aki", "k1");
    assert!(!q
        .match_candidates(std::slice::from_ref(&unbound))
        .satisfied());
    let lax = parse(&one(
        json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:t"]},
        "require_cryptographic_holder_binding": false}),
    ))
    .unwrap();
    assert!(lax.match_candidates(&[unbound]).satisfied());
    // format and type must agree
    let mdoc = DcqlCandidate::new(
        DcqlFormat::MsoMdoc,
        vec!["urn:t".into()],
        json!({"urn:t": {}}),
        true,
    );
    assert!(!lax.match_candidates(&[mdoc]).satisfied());
    let w3c = parse(&one(json!({"id": "a", "format": "ldp_vc", "meta": {"type_values": [["A", "B"], ["C"]]}, "require_cryptographic_holder_binding": false}))).unwrap();
    let t = |types: &[&str]| {
        w3c.match_candidates(&[DcqlCandidate::new(
            DcqlFormat::LdpVc,
            types.iter().map(|s| s.to_string()).collect(),
            json!({}),
            false,
        )])
        .satisfied()
    };
    assert!(t(&["VerifiableCredential", "B", "A"]));
    assert!(t(&["C"]));
    assert!(!t(&["A"]));
}

#[test]
fn credential_sets_decide_satisfaction() {
    let q = DcqlQuery::parse(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/test-vectors/dcql/openid4vp-1.0/credentials_alternatives.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let with = |vct: &str, claims: Value| {
        DcqlCandidate::new(DcqlFormat::SdJwtVc, vec![vct.into()], claims, true)
    };
    let reduced1 = with(
        "https://credentials.example.com/reduced_identity_credential",
        json!({"family_name": "D", "given_name": "E"}),
    );
    let reduced2 = with(
        "https://cred.example/residence_credential",
        json!({"postal_code": "1", "locality": "L", "region": "R"}),
    );
    let rewards = with(
        "https://company.example/company_rewards",
        json!({"rewards_number": 7}),
    );
    // only half of the third option: the required set cannot be met
    let m = q.match_candidates(&[reduced1.clone(), rewards.clone()]);
    assert!(!m.satisfied());
    assert!(m.answered().is_empty());
    assert_eq!(
        m.matches("pid_reduced_cred_1").len(),
        1,
        "reported on its own"
    );
    let m = q.match_candidates(&[reduced1, reduced2, rewards]);
    assert!(m.satisfied());
    assert_eq!(
        m.answered(),
        ["pid_reduced_cred_1", "pid_reduced_cred_2", "nice_to_have"]
    );
    assert_eq!(
        m.to_json(),
        json!({"satisfied": true,
            "matches": {"pid": [], "other_pid": [], "pid_reduced_cred_1": [0], "pid_reduced_cred_2": [1], "nice_to_have": [2]},
            "claim_sets": {"pid": [], "other_pid": [], "pid_reduced_cred_1": [null], "pid_reduced_cred_2": [null], "nice_to_have": [null]}})
    );
}

#[test]
fn mdoc_paths_read_namespaces_of_the_doctype() {
    let q = parse(&one(
        json!({"id": "m", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
        "claims": [{"path": ["org.iso.18013.5.1", "age_over_18"], "values": [true]}]}),
    ))
    .unwrap();
    let c = |v: Value| {
        DcqlCandidate::new(
            DcqlFormat::MsoMdoc,
            vec!["org.iso.18013.5.1.mDL".into()],
            json!({"org.iso.18013.5.1.mDL": {"org.iso.18013.5.1": {"age_over_18": v}}}),
            true,
        )
    };
    let m = q.match_candidates(&[c(json!(false)), c(json!(true))]);
    assert_eq!(m.matches("m").len(), 1);
    assert_eq!(m.matches("m")[0].candidate(), 1);
    assert_eq!(
        paths(&m.matches("m")[0]),
        ["/org.iso.18013.5.1/age_over_18"]
    );
}

#[test]
fn no_claims_requests_nothing_selectively_disclosable() {
    let q = parse(&one(
        json!({"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:t"]}}),
    ))
    .unwrap();
    let m = q.match_candidates(&[cand(json!({"a": 1}))]);
    assert!(m.satisfied());
    assert!(m.matches("a")[0].paths().is_empty());
}
