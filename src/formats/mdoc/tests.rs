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

/// Issue 14: IssuerSigned is written straight into its buffer; it must be the
/// deterministic encoding (RFC 8949 §4.2.1) all the way down: the outer map,
/// the tag-24 MSO and every tag-24 IssuerSignedItem, with namespaces of
/// different lengths (shorter key first) and decoy digests sorted in.
#[test]
fn issued_issuer_signed_is_deterministic_cbor_throughout() {
    use crate::cose::{canonical, decode};
    let key = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let device = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let now = UnixTime::from_secs(1_790_000_000);
    let els = |n: usize| -> Vec<(String, Item)> {
        (0..n)
            .map(|i| (format!("element_{i}"), Item::text(&"x".repeat(i * 20))))
            .collect()
    };
    let namespaces = vec![
        ("org.example.longer.namespace".to_string(), els(3)),
        ("org.iso.18013.5.1".to_string(), els(30)),
        ("a".to_string(), els(1)),
    ];
    let out = build_issuer_signed(
        &namespaces,
        &MsoParams {
            doc_type: DOCTYPE_MDL,
            device_key: device.public_key(),
            signed: now,
            valid_from: now,
            valid_until: UnixTime::from_secs(1_790_000_000 + 86_400),
            decoys_per_namespace: 3,
        },
        &key,
        &[vec![0x30, 0x03, 0x02, 0x01, 0x01]],
        &crate::crypto::SystemRandom,
    )
    .unwrap();
    let top = decode(&out).unwrap();
    assert_eq!(canonical(&top), out);
    let auth = top.get("issuerAuth").unwrap().as_array("auth").unwrap();
    let mso = decode(auth[2].as_bytes("payload").unwrap()).unwrap();
    let mso = mso.embedded("mso").unwrap().item;
    assert_eq!(canonical(&mso), mso.raw());
    let digests = mso.get("valueDigests").unwrap().as_map("vd").unwrap();
    assert_eq!(digests.len(), 3);
    let ns = top.get("nameSpaces").unwrap().as_map("ns").unwrap();
    let names: Vec<&str> = ns.iter().map(|(k, _)| k.as_text("k").unwrap()).collect();
    assert_eq!(
        names,
        ["a", "org.iso.18013.5.1", "org.example.longer.namespace"]
    );
    for (k, items) in ns {
        let listed = mso
            .get("valueDigests")
            .unwrap()
            .get(k.as_text("k").unwrap())
            .unwrap()
            .as_map("ids")
            .unwrap();
        let items = items.as_array("items").unwrap();
        assert_eq!(listed.len(), items.len() + 3);
        for it in items {
            let e = it.embedded("item").unwrap().item;
            assert_eq!(canonical(&e), e.raw());
            let id = e.get("digestID").unwrap().as_uint("id").unwrap();
            let d = listed
                .iter()
                .find(|(k, _)| k.as_uint("k").unwrap() == id)
                .unwrap();
            assert_eq!(
                d.1.as_bytes("d").unwrap(),
                crate::crypto::sha256(it.raw()).as_slice()
            );
        }
    }
}
