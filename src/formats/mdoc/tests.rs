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
    let da =
        device_authentication_bytes(&t, &doc.doc_type, doc.device_signed.namespaces_bytes.raw())
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
    let names: Vec<String> = (0..30).map(|i| format!("element_{i}")).collect();
    let values: Vec<Item> = (0..30).map(|i| Item::text(&"x".repeat(i * 20))).collect();
    let els = |n: usize| -> Vec<(&str, &[u8])> {
        names
            .iter()
            .zip(&values)
            .take(n)
            .map(|(name, v)| (name.as_str(), v.raw()))
            .collect()
    };
    let namespaces = vec![
        ("org.example.longer.namespace", els(3)),
        ("org.iso.18013.5.1", els(30)),
        ("a", els(1)),
    ];
    let out = build_issuer_signed(
        &namespaces,
        &mdl_params(&device, 3),
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

/// Issue 14: element values are encoded from JSON straight into bytes. Each
/// must be one deterministic CBOR item (RFC 8949 §4.2.1) that reads back as
/// the JSON it came from, by the mapping of `values`: nested maps sorted
/// shorter key first, dates tagged, portraits as bytes, floats shortest.
#[test]
fn json_element_values_encode_to_deterministic_cbor_that_reads_back() {
    use crate::cose::{canonical, decode};
    use serde_json::json;
    let portrait = crate::encoding::b64u_encode([0xffu8, 0xd8, 0xff, 0xe0, 0x00]);
    let cases = [
        ("family_name", json!("Mustermann"), "6a4d75737465726d616e6e"),
        (
            "birth_date",
            json!("1964-08-12"),
            "d903ec6a313936342d30382d3132",
        ),
        // not a date: stays text
        ("birth_date", json!("1964-13-12"), "6a313936342d31332d3132"),
        ("portrait", json!(portrait), "45ffd8ffe000"),
        ("age_over_18", json!(true), "f5"),
        ("age_in_years", json!(62), "183e"),
        ("x", json!(-1000), "3903e7"),
        ("x", json!(1.5), "f93e00"),
        ("x", json!(100000.5), "fa47c35040"),
        ("x", json!(null), "f6"),
        ("x", json!({"$bytes": "AQID"}), "43010203"),
        (
            "x",
            json!({"$full-date": "2024-02-29"}),
            "d903ec6a323032342d30322d3239",
        ),
        (
            "x",
            json!({"$tdate": "2020-10-01T15:30:02+02:00"}),
            "c074323032302d31302d30315431333a33303a30325a",
        ),
        (
            "driving_privileges",
            json!([{"vehicle_category_code": "B", "issue_date": "1982-05-01", "codes": []}]),
            concat!(
                "81a3",
                "65636f64657380",
                "6a69737375655f64617465d903ec6a313938322d30352d3031",
                "7576656869636c655f63617465676f72795f636f64656142"
            ),
        ),
    ];
    for (name, value, want) in cases {
        let mut out = Vec::new();
        values::encode_json(name, &value, &mut out).unwrap();
        assert_eq!(hex_str(&out), want, "{name} {value}");
        let item = decode(&out).unwrap();
        assert_eq!(canonical(&item), out, "{name} {value}");
    }
    // what the verifier prints issues the same bytes back
    let back = values::to_json(&decode(&hex_of("d903ec6a313936342d30382d3132")).unwrap()).unwrap();
    let mut out = Vec::new();
    values::encode_json("birth_date", &back, &mut out).unwrap();
    assert_eq!(hex_str(&out), "d903ec6a313936342d30382d3132");
    // bad input: the right error, nothing panics
    for (name, value, kind) in [
        ("portrait", json!("A"), crate::ErrorKind::Malformed),
        ("portrait", json!("AB=="), crate::ErrorKind::Malformed),
        ("portrait", json!("AB"), crate::ErrorKind::Malformed), // non-canonical trailing bits
        (
            "x",
            json!({"$tdate": "yesterday"}),
            crate::ErrorKind::Malformed,
        ),
        ("x", json!({"$what": "1"}), crate::ErrorKind::Malformed),
        ("x", json!({"$bytes": 1}), crate::ErrorKind::Malformed),
        (
            "portrait",
            json!("A".repeat(crate::cose::MAX_CBOR_BYTES + 4)),
            crate::ErrorKind::LimitExceeded,
        ),
    ] {
        let mut out = Vec::new();
        let e = values::encode_json(name, &value, &mut out).unwrap_err();
        assert_eq!(e.kind(), kind, "{name}");
    }
    let mut deep = json!(1);
    for _ in 0..=crate::limits::MAX_JSON_DEPTH + 1 {
        deep = json!([deep]);
    }
    let e = values::encode_json("x", &deep, &mut Vec::new()).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::LimitExceeded);
}

fn hex_of(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// Digest IDs are distinct and random; a random source that repeats itself
/// is an error, not an endless redraw (it hung before), and an element named
/// twice is refused.
#[test]
fn digest_ids_need_a_working_random_source_and_names_are_unique() {
    struct Stuck;
    impl SecureRandom for Stuck {
        fn fill(&self, dest: &mut [u8]) -> Result<()> {
            dest.fill(7);
            Ok(())
        }
    }
    let key = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let device = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let params = mdl_params(&device, 2);
    let x = Item::text("x");
    let value = x.raw();
    let two = vec![(
        NAMESPACE_MDL,
        vec![("given_name", value), ("family_name", value)],
    )];
    let chain = [vec![0x30, 0x00]];
    let issue = |ns: &[(&str, ToIssue<'_>)], rng: &dyn SecureRandom| {
        build_issuer_signed(ns, &params, &key, &chain, rng)
    };
    let e = issue(&two, &Stuck).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Policy);
    let out = issue(&two, &crate::crypto::SystemRandom).unwrap();
    let top = crate::cose::decode(&out).unwrap();
    let auth = top.get("issuerAuth").unwrap().as_array("auth").unwrap();
    let mso = crate::cose::decode(auth[2].as_bytes("payload").unwrap()).unwrap();
    let mso = mso.embedded("mso").unwrap().item;
    let ids = mso
        .get("valueDigests")
        .unwrap()
        .get(NAMESPACE_MDL)
        .unwrap()
        .as_map("ids")
        .unwrap();
    assert_eq!(ids.len(), 4);
    let twice = vec![(
        NAMESPACE_MDL,
        vec![("given_name", value), ("given_name", value)],
    )];
    let e = issue(&twice, &crate::crypto::SystemRandom).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::ApiMisuse);
}

/// Issue 14: the DeviceResponse is written straight into its buffer. It must
/// be deterministic CBOR, forward the chosen IssuerSignedItems and issuerAuth
/// byte for byte, leave out a namespace with nothing chosen (and nameSpaces
/// when nothing is), and carry a deviceSignature that verifies.
#[test]
fn device_response_is_deterministic_and_forwards_what_was_received() {
    use crate::cose::{canonical, decode};
    let key = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let device = crate::crypto::PrivateKey::generate(crate::crypto::Algorithm::Es256).unwrap();
    let (a, b, c) = (Item::text("a"), Item::bool(true), Item::uint(7));
    let namespaces = vec![
        (
            NAMESPACE_MDL,
            vec![("given_name", a.raw()), ("age_over_18", b.raw())],
        ),
        ("org.example.other", vec![("x", c.raw())]),
    ];
    let issued = build_issuer_signed(
        &namespaces,
        &mdl_params(&device, 1),
        &key,
        &[vec![0x30, 0x00]],
        &crate::crypto::SystemRandom,
    )
    .unwrap();
    let signed = IssuerSigned::parse_bytes(&issued).unwrap();
    let transcript = SessionTranscript::openid4vp("c", "n", None, "https://r.example");
    for (pick, want) in [
        (
            &["given_name", "x"][..],
            // same length: bytewise, "org.e" < "org.i"
            vec![("org.example.other", 1), (NAMESPACE_MDL, 1)],
        ),
        (&["age_over_18"][..], vec![(NAMESPACE_MDL, 1)]),
        (&[][..], vec![]),
    ] {
        let out = build_device_response(
            DOCTYPE_MDL,
            &signed,
            &|_, e| pick.contains(&e),
            &transcript,
            &DeviceAuthMode::Signature(&device),
        )
        .unwrap();
        assert_eq!(canonical(&decode(&out).unwrap()), out);
        let response = DeviceResponse::parse(&out).unwrap();
        let doc = &response.documents[0];
        let got: Vec<(&str, usize)> = doc
            .issuer_signed
            .namespaces
            .iter()
            .map(|(ns, items)| (ns.as_str(), items.len()))
            .collect();
        assert_eq!(got, want);
        for (ns, items) in &doc.issuer_signed.namespaces {
            let sent = &signed.namespaces.iter().find(|(n, _)| n == ns).unwrap().1;
            for i in items {
                assert!(sent.iter().any(|s| s.tagged == i.tagged));
            }
        }
        assert_eq!(
            doc.issuer_signed.issuer_auth_bytes,
            signed.issuer_auth_bytes
        );
        let mso = doc.issuer_signed.mso().unwrap();
        check_device_auth(doc, &mso, &transcript, None).unwrap();
        let other = SessionTranscript::openid4vp("c", "other nonce", None, "https://r.example");
        assert!(check_device_auth(doc, &mso, &other, None).is_err());
    }
}

/// An mDL's MSO parameters for `device`, signed and valid from the tests'
/// fixed time for a day, with `decoys` per namespace.
fn mdl_params(device: &crate::crypto::PrivateKey, decoys: usize) -> MsoParams<'_> {
    let now = UnixTime::from_secs(1_790_000_000);
    MsoParams {
        doc_type: DOCTYPE_MDL,
        device_key: device.public_key(),
        signed: now,
        valid_from: now,
        valid_until: UnixTime::from_secs(1_790_000_000 + 86_400),
        decoys_per_namespace: decoys,
    }
}

/// An IssuerSignedItem is the four members and nothing else: each one
/// missing, and one more, are `Malformed`; the element value read is the one
/// received (moved out of the decoded item, not rebuilt).
#[test]
fn issuer_signed_item_members_are_exactly_the_four() {
    use crate::cose::Item;
    let member = |k: &str, v: Item| (Item::text(k), v);
    let all = || {
        vec![
            member("digestID", Item::uint(7)),
            member("random", Item::bytes(&[5; 16])),
            member("elementIdentifier", Item::text("given_name")),
            member("elementValue", Item::text("Erika")),
        ]
    };
    let wrap = |entries: Vec<(Item, Item)>| {
        let inner = Item::map(entries).unwrap();
        crate::cose::decode(Item::tag(24, Item::bytes(inner.raw())).raw()).unwrap()
    };
    let ok = model::IssuerSignedItem::parse(&wrap(all())).unwrap();
    assert_eq!(ok.digest_id, 7);
    assert_eq!(ok.identifier, "given_name");
    assert_eq!(ok.value.as_text("v").unwrap(), "Erika");
    assert_eq!(ok.value.raw(), Item::text("Erika").raw());
    for missing in 0..4 {
        let mut e = all();
        e.remove(missing);
        let err = model::IssuerSignedItem::parse(&wrap(e)).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Malformed,
            "without member {missing}"
        );
    }
    let mut more = all();
    more.push(member("extra", Item::null()));
    let err = model::IssuerSignedItem::parse(&wrap(more)).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Malformed);
}
