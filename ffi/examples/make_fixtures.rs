//! Writes the fixtures of the C tests into `ffi/tests/fixtures/` (checked in;
//! rerun only to replace them): an IACA and a document signer for mdoc, issuer
//! keys for SD-JWT VC and vc+sd-jwt, a reader key, a trust file and claims.
//! Certificates are valid from 2025-06-15 to 2036-07-19; the C tests verify at
//! 1 790 000 000 (2026-09-21).
//!
//! `cargo run -p passerelle-ffi --example make_fixtures`

use passerelle::{Algorithm, CertificateBuilder, PrivateKey, UnixTime};
use serde_json::{json, Value};

fn main() -> Result<(), passerelle::Error> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir)
        .map_err(|e| passerelle::Error::new(passerelle::ErrorKind::Storage, e.to_string()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| passerelle::Error::new(passerelle::ErrorKind::Storage, e.to_string()))
    };
    let (from, until) = (
        UnixTime::from_secs(1_750_000_000),
        UnixTime::from_secs(2_100_000_000),
    );
    let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
    let iaca = CertificateBuilder::new("Test IACA")
        .organization("Test Member State")
        .country("DE")
        .validity(from, until)
        .ca(Some(0))
        .self_signed(&iaca_key)?;
    let ds_key = PrivateKey::generate(Algorithm::Es256)?;
    let ds = CertificateBuilder::new("Test Document Signer")
        .organization("Test Member State")
        .country("DE")
        .validity(from, until)
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&iaca, &iaca_key, ds_key.public_key())?;
    let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
    let vc_key = PrivateKey::generate(Algorithm::EdDsa)?;
    let reader_key = PrivateKey::generate(Algorithm::Es256)?;
    let with_iss = |k: &PrivateKey, iss: &str| -> Value {
        let mut v: Value = serde_json::from_str(&k.public_key().to_jwk()).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("iss".into(), iss.into());
        }
        v
    };
    let trust = json!({
        "issuers": [with_iss(&issuer_key, "https://issuer.example"), with_iss(&vc_key, "https://issuer.gouv.qc.example")],
        "iacas": [iaca.to_pem()],
    });
    write("iaca.pem", &iaca.to_pem())?;
    write("ds_chain.pem", &ds.to_pem())?;
    write("ds_key.jwk", &ds_key.to_jwk())?;
    write("issuer_key.jwk", &issuer_key.to_jwk())?;
    write("vc_issuer_key.jwk", &vc_key.to_jwk())?;
    write("reader_key.jwk", &reader_key.to_jwk())?;
    write("reader_public.jwk", &reader_key.public_key().to_jwk())?;
    write("trust.json", &trust.to_string())?;
    write(
        "pid_claims.json",
        &Value::Object(passerelle::examples::eu_pid_claims(
            "https://issuer.example",
        ))
        .to_string(),
    )?;
    write(
        "person_vc.json",
        &Value::Object(passerelle::examples::ca_person_credential(
            "https://issuer.gouv.qc.example",
        ))
        .to_string(),
    )?;
    let mdl = json!({passerelle::NAMESPACE_MDL: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-02-03",
        "age_over_18": true, "issuing_country": "DE", "document_number": "T22000129"
    }});
    write("mdl_claims.json", &mdl.to_string())?;
    Ok(())
}
