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
    let id = json!({"given_name": "E", "family_name": "M", "age_over": {"18": true}});
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
    let minor = json!({"given_name": "E", "family_name": "M", "age_over": {"18": false}});
    assert_eq!(
        p.evaluate("dc+sd-jwt", "urn:eudi:pid:1", Some("eIDAS-high"), &minor)
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
    let partial = json!({"given_name": "E", "age_over": {"18": true}});
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
