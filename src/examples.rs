//! The running examples of the docs, the demo and the benchmarks: an EU PID
//! (PID rulebook attribute names, SD-JWT VC encoding) and a Canadian person
//! credential (VCDM 2.0). They are sample data, not a schema: nothing in the
//! library reads them.
//!
//! ```
//! let pid = passerelle::examples::eu_pid_claims("https://pid.example.de");
//! assert_eq!(pid["vct"], "urn:eudi:pid:1");
//! let person = passerelle::examples::ca_person_credential("did:web:issuer.example.ca");
//! assert_eq!(person["issuer"], "did:web:issuer.example.ca");
//! ```

use serde_json::{Map, Value};

/// The EU PID (PID rulebook, SD-JWT VC encoding) used as the running example:
/// rulebook attribute names, `age_equal_or_over`, `address` as a nested object
/// and `nationalities` as an array.
pub fn eu_pid_claims(iss: &str) -> Map<String, Value> {
    let v = serde_json::json!({
        "iss": iss,
        "vct": "urn:eudi:pid:1",
        "given_name": "Erika",
        "family_name": "Mustermann",
        "birthdate": "1963-08-12",
        "place_of_birth": {"locality": "Berlin", "country": "DE"},
        "nationalities": ["DE"],
        "address": {
            "street_address": "Heidestraße 17",
            "locality": "Köln",
            "postal_code": "51147",
            "country": "DE"
        },
        "age_equal_or_over": {"12": true, "14": true, "16": true, "18": true, "21": true, "65": false},
        "age_in_years": 62,
        "age_birth_year": 1963,
        "birth_family_name": "Gabler",
        "sex": 2,
        "email": "erika.mustermann@example.de",
        "issuing_authority": "DE",
        "issuing_country": "DE",
        "document_number": "T22000129",
        "personal_administrative_number": "65-DE-1963-08-12",
        "date_of_expiry": "2031-08-12",
        "date_of_issuance": "2026-08-12"
    });
    v.as_object().cloned().unwrap_or_default()
}

/// An example Canadian person credential (VCDM 2.0), the running example of
/// the Canadian side.
pub fn ca_person_credential(issuer: &str) -> Map<String, Value> {
    let v = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "PersonCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "givenName": "Marie",
            "familyName": "Tremblay",
            "birthDate": "1985-05-05",
            "address": {
                "streetAddress": "123 rue Principale",
                "addressLocality": "Montréal",
                "addressRegion": "QC",
                "postalCode": "H2X 1Y4",
                "addressCountry": "CA"
            },
            "ageOver": {"18": true, "19": true, "65": false}
        }
    });
    v.as_object().cloned().unwrap_or_default()
}
