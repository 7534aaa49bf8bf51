use super::identity::IdentityView;
use serde_json::{json, Value};

#[test]
fn mapping_table_is_well_formed() {
    let v: Value = serde_json::from_str(crate::policy::RECOGNITION_MAP_JSON).unwrap();
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
    let claims = Value::Object(crate::formats::sd_jwt_vc::example_pid_claims(
        "https://i.example",
    ));
    let id = IdentityView::from_claims(&claims);
    assert_eq!(id.given_name(), Some("Erika"));
    assert_eq!(id.family_name(), Some("Mustermann"));
    assert_eq!(id.birth_date(), Some("1963-08-12"));
    assert_eq!(id.age_over(18), Some(true));
    assert_eq!(id.age_over(65), Some(false));
    assert_eq!(id.age_over(40), None);
    assert_eq!(id.nationalities(), ["DE"]);
    assert_eq!(id.to_json()["locality"], "Köln");
}

#[test]
fn mdl_and_pid_mdoc_shapes() {
    let mdl = json!({"org.iso.18013.5.1.mDL": {"org.iso.18013.5.1": {
        "given_name": "John", "family_name": "Doe", "birth_date": "1990-01-01", "age_over_18": true, "age_over_21": false,
        "resident_city": "Ottawa"}}});
    let id = IdentityView::from_claims(&mdl);
    assert_eq!(id.given_name(), Some("John"));
    assert_eq!(id.birth_date(), Some("1990-01-01"));
    assert_eq!(id.age_over(18), Some(true));
    assert_eq!(id.age_over(21), Some(false));
    assert_eq!(id.to_json()["locality"], "Ottawa");
    let pid = json!({"eu.europa.ec.eudi.pid.1": {"eu.europa.ec.eudi.pid.1": {
        "given_name": "Erika", "nationality": "DE"}}});
    let id = IdentityView::from_claims(&pid);
    assert_eq!(id.nationalities(), ["DE"]);
}

#[test]
fn w3c_person_credential() {
    let vc = json!({"credentialSubject": {"givenName": "Marie", "familyName": "Tremblay", "birthDate": "1985-05-05",
        "address": {"addressLocality": "Montréal", "addressRegion": "QC", "addressCountry": "CA"}}});
    let id = IdentityView::from_claims(&vc);
    assert_eq!(id.given_name(), Some("Marie"));
    assert_eq!(id.family_name(), Some("Tremblay"));
    assert_eq!(id.to_json()["region"], "QC");
    assert_eq!(id.to_json()["country"], "CA");
    // nothing disclosed, nothing invented
    assert_eq!(IdentityView::from_claims(&json!({})).to_json(), json!({}));
}
