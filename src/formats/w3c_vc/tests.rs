use super::*;
use crate::error::ErrorKind;
use serde_json::json;

fn base() -> Map<String, Value> {
    crate::examples::ca_person_credential("did:web:issuer.example.ca")
}

fn check(c: &Map<String, Value>) -> crate::Result<VcdmInfo> {
    check_credential(c, UnixTime::from_secs(1_790_000_000), 0)
}

#[test]
fn the_example_is_valid() {
    let i = check(&base()).unwrap();
    assert_eq!(i.issuer, "did:web:issuer.example.ca");
    assert_eq!(i.credential_type, "PersonCredential");
}

#[test]
fn data_model_rules() {
    let cases: Vec<(&str, Value, ErrorKind)> = vec![
        (
            "@context",
            json!(["https://www.w3.org/2018/credentials/v1"]),
            ErrorKind::Malformed,
        ), // VC-09
        (
            "@context",
            json!(["https://example.org/x", V2_CONTEXT]),
            ErrorKind::Malformed,
        ),
        ("@context", json!(V2_CONTEXT), ErrorKind::Malformed),
        ("type", json!(["PersonCredential"]), ErrorKind::Malformed),
        ("type", json!([1]), ErrorKind::Malformed),
        ("issuer", json!("not a url"), ErrorKind::Malformed),
        ("issuer", json!({"name": "x"}), ErrorKind::Malformed),
        ("credentialSubject", json!("x"), ErrorKind::Malformed),
        ("credentialSubject", json!([]), ErrorKind::Malformed),
        ("validFrom", json!("2026-01-01"), ErrorKind::Malformed), // VC-10: not a dateTimeStamp
        (
            "validFrom",
            json!("2026-02-30T00:00:00Z"),
            ErrorKind::Malformed,
        ),
        (
            "validFrom",
            json!("2099-01-01T00:00:00Z"),
            ErrorKind::NotYetValid,
        ), // VC-10
        (
            "validUntil",
            json!("2026-06-01T00:00:00Z"),
            ErrorKind::Expired,
        ),
        (
            "validUntil",
            json!("2025-06-01T00:00:00Z"),
            ErrorKind::Malformed,
        ), // before validFrom
        ("credentialStatus", json!("x"), ErrorKind::Malformed),
        ("id", json!("no url"), ErrorKind::Malformed),
    ];
    for (k, v, want) in cases {
        let mut c = base();
        c.insert(k.into(), v.clone());
        assert_eq!(check(&c).unwrap_err().kind(), want, "{k}: {v}");
    }
    let mut c = base();
    c.remove("issuer");
    assert_eq!(check(&c).unwrap_err().kind(), ErrorKind::Malformed);
    // ACCEPT: issuer object, a type string, a subject array, offsets in dates, status carried
    let mut c = base();
    c.insert(
        "issuer".into(),
        json!({"id": "https://issuer.example.ca", "name": "Issuer"}),
    );
    c.insert("type".into(), json!("VerifiableCredential"));
    c.insert("credentialSubject".into(), json!([{"a": 1}, {"b": 2}]));
    c.insert("validUntil".into(), json!("2099-01-01T00:00:00-05:00"));
    c.insert(
        "credentialStatus".into(),
        json!({"type": "BitstringStatusListEntry", "statusListIndex": "94567"}),
    );
    let i = check(&c).unwrap();
    assert_eq!(i.issuer, "https://issuer.example.ca");
    assert!(i.status.is_some());
}
