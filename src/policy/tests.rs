use super::recognition::assurance_rank;
use super::*;
use crate::error::ErrorKind;
use serde_json::json;

const POLICY: &str = r#"{
  "accept": [
    {"name": "eu-pid-high", "formats": ["dc+sd-jwt", "mso_mdoc"], "credential_types": ["urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"], "min_assurance": "eIDAS-high"},
    {"name": "ca-person-loa3", "formats": ["vc+sd-jwt", "vc+jwt"], "credential_types": ["PersonCredential"], "min_assurance": "PCTF-LOA3"}
  ],
  "require_attributes": ["given_name", "family_name", "age_over_18"]
}"#;

#[test]
fn assurance_scale() {
    assert_eq!(assurance_rank("eIDAS-high"), assurance_rank("PCTF-LOA4"));
    assert_eq!(
        assurance_rank("eIDAS-substantial"),
        assurance_rank("PCTF-LOA3")
    );
    assert_eq!(assurance_rank("eIDAS-low"), assurance_rank("PCTF-LOA2"));
    assert!(assurance_rank("PCTF-LOA1") < assurance_rank("eIDAS-low"));
    assert_eq!(assurance_rank("LoA3"), None);
}

#[test]
fn clauses_are_met_across_frameworks() {
    let p = Recognition::from_json(POLICY).unwrap();
    let view = |v: serde_json::Value| {
        IdentityView::from_claims(
            &v,
            Layout::TopLevel,
            crate::UnixTime::from_secs(1_790_000_000),
        )
        .unwrap()
    };
    let id =
        view(json!({"given_name": "E", "family_name": "M", "age_equal_or_over": {"18": true}}));
    assert_eq!(
        p.evaluate("dc+sd-jwt", "urn:eudi:pid:1", Some("eIDAS-high"), &id)
            .unwrap()
            .as_deref(),
        Some("eu-pid-high")
    );
    assert_eq!(
        p.evaluate("vc+sd-jwt", "PersonCredential", Some("PCTF-LOA4"), &id)
            .unwrap()
            .as_deref(),
        Some("ca-person-loa3")
    );
    // too low, wrong type, wrong format, unknown level
    for (f, t, l) in [
        ("dc+sd-jwt", "urn:eudi:pid:1", Some("eIDAS-substantial")),
        ("vc+jwt", "PersonCredential", Some("PCTF-LOA2")),
        ("vc+jwt", "DriversLicence", Some("PCTF-LOA4")),
        ("sd-jwt", "urn:eudi:pid:1", Some("eIDAS-high")),
        ("vc+jwt", "PersonCredential", None),
    ] {
        assert_eq!(
            p.evaluate(f, t, l, &id).unwrap_err().kind(),
            ErrorKind::Policy,
            "{f} {t} {l:?}"
        );
    }
    // a required attribute missing, or an age-over that is false
    let minor =
        view(json!({"given_name": "E", "family_name": "M", "age_equal_or_over": {"18": false}}));
    assert_eq!(
        p.evaluate("dc+sd-jwt", "urn:eudi:pid:1", Some("eIDAS-high"), &minor)
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
    let partial = view(json!({"given_name": "E", "age_equal_or_over": {"18": true}}));
    assert_eq!(
        p.evaluate("dc+sd-jwt", "urn:eudi:pid:1", Some("eIDAS-high"), &partial)
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
    // malformed policies
    for bad in [
        r#"{"accept": [{"formats": []}]}"#,
        r#"{"accept": [{"name": "x", "min_assurance": "LoA9"}]}"#,
        r#"{"accept": 1}"#,
    ] {
        assert_eq!(
            Recognition::from_json(bad).unwrap_err().kind(),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
}

const NOW: u64 = 1_790_000_000;

fn id_of(claims: &serde_json::Value, layout: Layout<'_>) -> crate::Result<IdentityView> {
    IdentityView::from_claims(claims, layout, crate::UnixTime::from_secs(NOW))
}

#[test]
fn mapping_table_is_well_formed() {
    let v: serde_json::Value = serde_json::from_str(crate::policy::RECOGNITION_MAP_JSON).unwrap();
    let o = v["attributes"].as_object().unwrap();
    assert!(o.len() > 10);
    for (field, paths) in o.iter().filter(|(k, _)| !k.starts_with('_')) {
        let paths = paths
            .as_array()
            .unwrap_or_else(|| panic!("{field}: not an array"));
        assert!(!paths.is_empty(), "{field}");
        for p in paths {
            crate::ClaimPath::parse(p.as_str().unwrap()).unwrap_or_else(|e| panic!("{field}: {e}"));
        }
    }
}

#[test]
fn eu_pid_sd_jwt_vc() {
    let claims = serde_json::Value::Object(crate::examples::eu_pid_claims("https://i.example"));
    let id = id_of(&claims, Layout::TopLevel).unwrap();
    assert_eq!(id.given_name(), Some("Erika"));
    assert_eq!(id.family_name(), Some("Mustermann"));
    assert_eq!(id.birth_date(), Some("1963-08-12"));
    assert_eq!(id.age_over(18), Some(true));
    assert_eq!(id.age_over(65), Some(false));
    // not stated: derived from the birth date at the verification time (2026)
    assert_eq!(id.age_over(40), Some(true));
    assert_eq!(id.age_over(70), Some(false));
    assert_eq!(id.nationalities(), ["DE"]);
    assert_eq!(id.to_json()["locality"], "Köln");
    assert_eq!(id.sources()["given_name"], "/given_name");
    assert_eq!(id.sources()["age_over"]["18"], "/age_equal_or_over/18");
}

#[test]
fn mdl_and_pid_mdoc_shapes() {
    let mdl = json!({"org.iso.18013.5.1.mDL": {"org.iso.18013.5.1": {
        "given_name": "John", "family_name": "Doe", "birth_date": "1990-01-01", "age_over_18": true, "age_over_21": false,
        "resident_city": "Ottawa"}}});
    let id = id_of(&mdl, Layout::Mdoc("org.iso.18013.5.1.mDL")).unwrap();
    assert_eq!(id.given_name(), Some("John"));
    assert_eq!(id.birth_date(), Some("1990-01-01"));
    assert_eq!(id.age_over(18), Some(true));
    // the issuer's stated false stands (a stale flag is never upgraded)
    assert_eq!(id.age_over(21), Some(false));
    assert_eq!(id.to_json()["locality"], "Ottawa");
    // another docType's layout reads nothing of it
    let other = id_of(&mdl, Layout::Mdoc("eu.europa.ec.eudi.pid.1")).unwrap();
    assert_eq!(other.to_json(), json!({}));
    let pid = json!({"eu.europa.ec.eudi.pid.1": {"eu.europa.ec.eudi.pid.1": {
        "given_name": "Erika", "nationality": "DE"}}});
    let id = id_of(&pid, Layout::Mdoc("eu.europa.ec.eudi.pid.1")).unwrap();
    assert_eq!(id.nationalities(), ["DE"]);
}

#[test]
fn w3c_person_credential() {
    let vc = json!({"credentialSubject": {"givenName": "Marie", "familyName": "Tremblay", "birthDate": "1985-05-05",
        "address": {"addressLocality": "Montréal", "addressRegion": "QC", "addressCountry": "CA"}}});
    let id = id_of(&vc, Layout::W3c).unwrap();
    assert_eq!(id.given_name(), Some("Marie"));
    assert_eq!(id.family_name(), Some("Tremblay"));
    assert_eq!(id.to_json()["region"], "QC");
    assert_eq!(id.to_json()["country"], "CA");
    // nothing disclosed, nothing invented
    assert_eq!(id_of(&json!({}), Layout::W3c).unwrap().to_json(), json!({}));
    // the W3C layout never reads top-level claims
    let top = json!({"given_name": "X", "credentialSubject": {}});
    assert_eq!(id_of(&top, Layout::W3c).unwrap().given_name(), None);
}

/// Cross-layer review: the view reads only the subject's mapped paths.
#[test]
fn age_flags_only_from_mapped_paths() {
    // a guardian's flag in a nested object is not the subject's
    let c = json!({"age_equal_or_over": {"18": false}, "guardian": {"age_over_18": true, "age_equal_or_over": {"18": true}}});
    let id = id_of(&c, Layout::TopLevel).unwrap();
    assert_eq!(id.age_over(18), Some(false));
    assert!(!id.satisfies("age_over_18"));
    // an age_over element in another namespace of the mdoc is not read
    let m = json!({"org.iso.18013.5.1.mDL": {
        "org.iso.18013.5.1": {"age_over_18": false},
        "org.example.other": {"age_over_18": true}}});
    let id = id_of(&m, Layout::Mdoc("org.iso.18013.5.1.mDL")).unwrap();
    assert_eq!(id.age_over(18), Some(false));
    // a docType literally named like a generic claim matches nothing generic
    let d = json!({"family_name": {"family_name": {"family_name": "Doe"}}});
    assert_eq!(
        id_of(&d, Layout::Mdoc("family_name"))
            .unwrap()
            .family_name(),
        None
    );
}

#[test]
fn conflicting_issuer_values_are_refused() {
    let c = json!({"birthdate": "1990-01-01", "birth_date": "1991-01-01"});
    assert_eq!(
        id_of(&c, Layout::TopLevel).unwrap_err().kind(),
        ErrorKind::Policy
    );
    // the same value twice is no conflict
    let same = json!({"birthdate": "1990-01-01", "birth_date": "1990-01-01"});
    assert_eq!(
        id_of(&same, Layout::TopLevel).unwrap().birth_date(),
        Some("1990-01-01")
    );
    // a flag "over 18" with a birth date that says 16 (at 2026-09-21)
    let c = json!({"birthdate": "2010-01-01", "age_equal_or_over": {"18": true}});
    assert_eq!(
        id_of(&c, Layout::TopLevel).unwrap_err().kind(),
        ErrorKind::Policy
    );
}

#[test]
fn attributes_are_typed() {
    for bad in [
        json!({"birthdate": "born in spring"}),
        json!({"birthdate": 19900101}),
        json!({"birthdate": "1990-02-30"}),
    ] {
        let id = id_of(&bad, Layout::TopLevel).unwrap();
        assert_eq!(id.birth_date(), None, "{bad}");
        assert!(!id.satisfies("birth_date"), "{bad}");
    }
    for bad in [
        json!({"nationalities": ["DEU"]}),
        json!({"nationalities": 5}),
        json!({"issuing_country": ["DE"]}),
        json!({"issuing_country": 276}),
    ] {
        let id = id_of(&bad, Layout::TopLevel).unwrap();
        assert_eq!(id.to_json(), json!({}), "{bad}");
    }
    let id = id_of(
        &json!({"given_name": 7, "family_name": ""}),
        Layout::TopLevel,
    )
    .unwrap();
    assert_eq!(id.to_json(), json!({}));
    let id = id_of(
        &json!({"age_equal_or_over": {"18": "yes"}}),
        Layout::TopLevel,
    )
    .unwrap();
    assert_eq!(id.age_over(18), None);
}
