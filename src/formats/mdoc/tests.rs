use super::*;

fn hex(path: &str) -> Vec<u8> {
    let p = format!("{}/test-vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    let t = std::fs::read_to_string(p).unwrap();
    let t = t.trim();
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn annex_d_device_authentication_bytes_are_rebuilt_byte_for_byte() {
    let response = DeviceResponse::parse(&hex("iso18013-5-annexD/device_response.hex")).unwrap();
    let doc = &response.documents[0];
    let tagged = hex("iso18013-5-annexD/session_transcript_bytes.hex");
    let t = SessionTranscript::from_cbor(&tagged[5..]).unwrap();
    assert_eq!(t.tagged_bytes(), tagged);
    let da = device_authentication_bytes(&t, &doc.doc_type, &doc.device_signed.namespaces_bytes)
        .unwrap();
    assert_eq!(da, hex("iso18013-5-annexD/device_authentication_bytes.hex"));
}

#[test]
fn annex_d_mso_reads_as_published() {
    let response = DeviceResponse::parse(&hex("iso18013-5-annexD/device_response.hex")).unwrap();
    let doc = &response.documents[0];
    let mso = doc.issuer_signed.mso().unwrap();
    assert_eq!(mso.doc_type, DOCTYPE_MDL);
    assert_eq!(mso.digest_alg, crate::crypto::HashAlg::Sha256);
    assert_eq!(
        crate::time::format_rfc3339(mso.signed),
        "2020-10-01T13:30:02Z"
    );
    assert_eq!(
        crate::time::format_rfc3339(mso.valid_until),
        "2021-10-01T13:30:02Z"
    );
    let els = check_issuer_data(&doc.doc_type, &doc.issuer_signed, &mso).unwrap();
    assert_eq!(els[0].1.len(), 6);
    assert!(matches!(doc.device_signed.auth, DeviceAuth::Mac(_)));
}
