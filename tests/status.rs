//! Status lists: every vector of `test-vectors/status/` decodes to exactly its
//! expected values, and the rows of HOSTILE-INPUTS.md section I that are decidable
//! when decoding (STAT-01…07, 09, 12's value mapping, 13, 14, 15) assert their
//! `ErrorKind`. Row IDs are in the comments. STAT-08, 10, 11 and 12's outcome kinds
//! (`untrusted`, `expired`, `revoked` / `suspended` / `policy`) need the verifier's
//! status check and are not here.

use crate::common::vector;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use ciborium::Value as Cbor;
use passerelle::internal::status::*;
use passerelle::limits::*;
use passerelle::{Algorithm, ErrorKind, PrivateKey};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const SUB: &str = "https://example.com/statuslists/1";
const PLACEHOLDER: &str = "<STATUS-CREDENTIAL-PATH-PLACEHOLDER>";

fn kind<T: core::fmt::Debug>(r: passerelle::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&vector(path)).unwrap()
}

fn jwt_payload(jwt: &str) -> Map<String, Value> {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(p).unwrap()).unwrap()
}

/// An unsigned compact JWS (parsing does not verify; a zero signature suffices).
fn jws(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}.{}",
        B64.encode(header.to_string()),
        B64.encode(payload.to_string()),
        B64.encode([0u8; 64])
    )
}

fn list_jwt(bits: Value, lst: Value) -> String {
    jws(
        &json!({"alg": "ES256", "typ": "statuslist+jwt"}),
        &json!({"sub": SUB, "iat": 1_686_920_170u64, "status_list": {"bits": bits, "lst": lst}}),
    )
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn t(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

fn i(n: i64) -> Cbor {
    Cbor::Integer(n.into())
}

/// A COSE_Sign1 (`tag` = Some(18)) or any other wrapping, around `claims`,
/// with the protected bucket `protected` (alg ES256 added) and a zero signature.
fn cose(
    tag: Option<u64>,
    protected: Vec<(Cbor, Cbor)>,
    unprotected: Vec<(Cbor, Cbor)>,
    claims: &Cbor,
) -> Vec<u8> {
    let mut p = vec![(i(1), i(-7))];
    p.extend(protected);
    let msg = Cbor::Array(vec![
        Cbor::Bytes(cbor(&Cbor::Map(p))),
        Cbor::Map(unprotected),
        Cbor::Bytes(cbor(claims)),
        Cbor::Bytes(vec![0; 64]),
    ]);
    cbor(&match tag {
        Some(tag) => Cbor::Tag(tag, Box::new(msg)),
        None => msg,
    })
}

fn list_claims(bits: Cbor, lst: Cbor) -> Cbor {
    Cbor::Map(vec![
        (i(2), t(SUB)),
        (i(6), i(1_686_920_170)),
        (
            i(65533),
            Cbor::Map(vec![(t("bits"), bits), (t("lst"), lst)]),
        ),
    ])
}

fn list_cwt(bits: Cbor, lst: Cbor) -> Vec<u8> {
    cose(
        Some(18),
        vec![(i(16), t(STATUSLIST_CWT_TYP))],
        vec![],
        &list_claims(bits, lst),
    )
}

/// An LSB-first bit writer and a fixed-Huffman DEFLATE "bomb": one literal 0 then
/// `n` × (length 258, distance 1), i.e. 1 + 258·n zero bytes from ~1.6·n bytes.
fn deflate_bomb(n: usize) -> Vec<u8> {
    let (mut out, mut acc, mut nb) = (Vec::new(), 0u64, 0u32);
    let mut put = |v: u64, n: u32, out: &mut Vec<u8>| {
        acc |= v << nb;
        nb += n;
        while nb >= 8 {
            out.push(u8::try_from(acc & 0xff).unwrap());
            acc >>= 8;
            nb -= 8;
        }
    };
    let rev = |code: u64, n: u32| (0..n).fold(0, |r, i| r | ((code >> i) & 1) << (n - 1 - i));
    put(1, 1, &mut out);
    put(1, 2, &mut out);
    put(rev(0x30, 8), 8, &mut out);
    for _ in 0..n {
        put(rev(0xc5, 8), 8, &mut out);
        put(0, 5, &mut out);
    }
    put(0, 7, &mut out);
    put(0, 7, &mut out); // flush the last partial byte
    out
}

fn zlib_bomb(n: usize) -> Vec<u8> {
    let mut z = vec![0x78, 0x9c];
    z.extend(deflate_bomb(n));
    z.extend([0u8; 4]);
    z
}

/// A zlib stream of stored blocks, exactly `total` bytes long, decoding to zeros.
fn zlib_stored(total: usize) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut data = Vec::new();
    let mut left = total - 6;
    while left > 0 {
        let n = (left - 5).min(65_535);
        let last = left - 5 - n == 0;
        z.push(u8::from(last));
        z.extend(u16::try_from(n).unwrap().to_le_bytes());
        z.extend((!u16::try_from(n).unwrap()).to_le_bytes());
        z.extend(std::iter::repeat_n(0u8, n));
        data.extend(std::iter::repeat_n(0u8, n));
        left -= 5 + n;
    }
    z.extend(adler32(&data).to_be_bytes());
    assert_eq!(z.len(), total);
    z
}

fn adler32(d: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in d {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    b << 16 | a
}

fn with_zlib_header(flg: u8, data: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, flg];
    z.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    z.extend(adler32(data).to_be_bytes());
    z
}

// ---------------------------------------------------------------------------
// Vectors: IETF Token Status List

#[test]
fn ietf_lists_decode_to_their_expected_values() {
    let expected = json_file("status/ietf-token-status-list/expected_status_values.json");
    for (name, e) in expected.as_object().unwrap() {
        let bits = e["bits"].as_u64().unwrap();
        let j = json_file(&format!(
            "status/ietf-token-status-list/{}",
            e["json_file"].as_str().unwrap()
        ));
        assert_eq!(j["bits"].as_u64().unwrap(), bits);
        let from_json = StatusList::from_lst(
            StatusBits::from_bits(bits).unwrap(),
            j["lst"].as_str().unwrap(),
        )
        .unwrap();
        let from_cbor = StatusList::from_cbor(&hex(&vector(&format!(
            "status/ietf-token-status-list/{}",
            e["cbor_hex_file"].as_str().unwrap()
        ))))
        .unwrap();
        assert_eq!(from_json, from_cbor, "{name}");
        let l = from_json;
        assert_eq!(
            u64::try_from(l.packed().len()).unwrap(),
            e["decompressed_byte_length"].as_u64().unwrap()
        );
        assert_eq!(l.entries(), e["num_entries"].as_u64().unwrap(), "{name}");
        let nonzero: std::collections::HashMap<u64, u64> = e["nonzero_statuses"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.as_u64().unwrap()))
            .collect();
        for idx in 0..l.entries() {
            let want = nonzero.get(&idx).copied().unwrap_or(0);
            assert_eq!(u64::from(l.get(idx).unwrap()), want, "{name} idx {idx}");
        }
        // STAT-03: the first index past the end fails closed.
        assert_eq!(kind(l.get(l.entries())), ErrorKind::Malformed);
    }
}

#[test]
fn ietf_status_list_tokens_jwt_and_cwt() {
    let jwt = UnverifiedStatusListJwt::parse(&vector(
        "status/ietf-token-status-list/status_list_token.jwt",
    ))
    .unwrap();
    let cwt = UnverifiedStatusListCwt::parse(&hex(&vector(
        "status/ietf-token-status-list/status_list_token.cwt.hex",
    )))
    .unwrap();
    for c in [jwt.claims(), cwt.claims()] {
        assert_eq!(c.sub(), SUB);
        assert_eq!(c.iat(), 1_686_920_170);
        assert_eq!(c.exp(), Some(2_291_720_170));
        assert_eq!(c.ttl(), Some(43_200));
        assert_eq!(c.aggregation_uri(), None);
        assert_eq!(c.list().bits(), StatusBits::One);
        let got: Vec<u8> = (0..16).map(|i| c.list().get(i).unwrap()).collect();
        assert_eq!(got, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
    }
    assert_eq!(jwt.claims().iss(), Some("https://example.com"));
    assert_eq!(jwt.claims().list(), cwt.claims().list());
}

#[test]
fn ietf_referenced_tokens_point_at_an_invalid_entry() {
    let list = UnverifiedStatusListJwt::parse(&vector(
        "status/ietf-token-status-list/status_list_token.jwt",
    ))
    .unwrap();
    // CWT form (claim 65535)
    let st = referenced_cwt_status(&hex(&vector(
        "status/ietf-token-status-list/referenced_token.cwt.hex",
    )))
    .unwrap()
    .unwrap();
    let r = st.status_list().unwrap();
    assert_eq!((r.idx(), r.uri(), r.certificate()), (0, SUB, None));
    assert!(st.identifier_list().is_none());
    // JOSE form (an SD-JWT: the issuer JWT is the part before the first '~')
    let sd = vector("status/ietf-token-status-list/referenced_token_sd_jwt.txt");
    let p = jwt_payload(sd.split('~').next().unwrap());
    let sj = parse_status_claim_json(&p["status"]).unwrap();
    assert_eq!(sj.status_list(), st.status_list());
    // End to end: idx 0 of statuslists/1 is 1, INVALID.
    assert_eq!(r.uri(), list.claims().sub());
    assert_eq!(
        list.claims().list().status(r.idx()).unwrap(),
        TokenStatus::Invalid
    );
}

#[test]
fn ietf_status_list_aggregation() {
    let a = parse_status_list_aggregation(
        vector("status/ietf-token-status-list/status_list_aggregation.json").as_bytes(),
    )
    .unwrap();
    assert_eq!(
        a,
        [
            "https://example.com/statuslists/1",
            "https://example.com/statuslists/2",
            "https://example.com/statuslists/3"
        ]
    );
    for bad in [
        r#"{}"#,
        r#"{"status_lists": "x"}"#,
        r#"{"status_lists": [1]}"#,
        r#"{"status_lists": ["no scheme"]}"#,
    ] {
        assert_eq!(
            kind(parse_status_list_aggregation(bad.as_bytes())),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------------------
// Vectors: W3C Bitstring Status List

/// The payload of a COSE_Sign1 (tag 18), read without checking it (the spec's
/// COSE examples use alg -9, ESP256, which the COSE room does not accept).
fn cose_payload_json(hex_text: &str) -> Value {
    let Cbor::Tag(18, msg) = ciborium::from_reader::<Cbor, _>(hex(hex_text).as_slice()).unwrap()
    else {
        panic!()
    };
    let Cbor::Array(parts) = *msg else { panic!() };
    let Cbor::Bytes(p) = &parts[2] else { panic!() };
    serde_json::from_slice(p).unwrap()
}

#[test]
fn w3c_bitstring_cose_examples_carry_the_same_credentials() {
    let d = "status/w3c-bitstring-status-list";
    let list = cose_payload_json(&vector(&format!(
        "{d}/a-status-list-verifiable-credential/secured.cose.hex"
    )));
    assert_eq!(
        list,
        json_file(&format!(
            "{d}/a-status-list-verifiable-credential/unsecured.json"
        ))
    );
    let list = BitstringStatusList::from_credential(list.as_object().unwrap()).unwrap();
    let vc = cose_payload_json(&vector(&format!(
        "{d}/a-revocable-verifiable-credential/secured.cose.hex"
    )));
    let e = &BitstringStatusEntry::from_credential_status(&vc["credentialStatus"]).unwrap()[0];
    assert_eq!(list.value(e).unwrap(), 0);
}

#[test]
fn w3c_bitstring_examples() {
    let list_vc = json_file(
        "status/w3c-bitstring-status-list/a-status-list-verifiable-credential/unsecured.json",
    );
    let list = BitstringStatusList::from_credential(list_vc.as_object().unwrap()).unwrap();
    assert_eq!(
        list.credential_id(),
        Some("https://example.com/credentials/status/3")
    );
    assert_eq!(list.subject_id(), Some("https://example.com/status/3#list"));
    assert_eq!(list.purposes(), ["revocation"]);
    assert_eq!(list.len_bits(), 131_072);
    assert_eq!(list.ttl_millis(), None);
    assert!((0..131_072).all(|i| list.get(i, 1).unwrap() == 0));
    // The JWT-secured copy carries the same credential.
    let jwt =
        vector("status/w3c-bitstring-status-list/a-status-list-verifiable-credential/secured.jwt");
    assert_eq!(
        BitstringStatusList::from_credential(&jwt_payload(jwt.trim())).unwrap(),
        list
    );
    let other = json_file(
        "status/w3c-bitstring-status-list/example-bitstringstatuslistcredential/credential.json",
    );
    assert_eq!(
        BitstringStatusList::from_credential(other.as_object().unwrap()).unwrap(),
        list
    );

    // The revocable credential: index 94567, bit 0, not revoked.
    let vc = json_file(
        "status/w3c-bitstring-status-list/a-revocable-verifiable-credential/unsecured.json",
    );
    let entries = BitstringStatusEntry::from_credential_status(&vc["credentialStatus"]).unwrap();
    let [e] = entries.as_slice() else { panic!() };
    assert_eq!(e.index(), 94_567);
    assert_eq!(e.purpose(), "revocation");
    assert_eq!(e.size(), 1);
    assert_eq!(
        e.id(),
        Some("https://example.com/credentials/status/3#94567")
    );
    assert_eq!(Some(e.list_credential()), list.credential_id());
    assert_eq!(list.value(e).unwrap(), 0);
    let jwt =
        vector("status/w3c-bitstring-status-list/a-revocable-verifiable-credential/secured.jwt");
    let again =
        BitstringStatusEntry::from_credential_status(&jwt_payload(jwt.trim())["credentialStatus"])
            .unwrap();
    assert_eq!(&again, &entries);

    // Two entries; the suspension one does not match a revocation list (STAT-14).
    let vc = json_file("status/w3c-bitstring-status-list/example-statuslistcredential-using-simple-entries/credential.json");
    let entries = BitstringStatusEntry::from_credential_status(&vc["credentialStatus"]).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[1].purpose(), entries[1].index()),
        ("suspension", 23_452)
    );
    assert_eq!(list.value(&entries[0]).unwrap(), 0);
    assert_eq!(kind(list.value(&entries[1])), ErrorKind::Policy);
}

// ---------------------------------------------------------------------------
// Vectors: walt.id

#[test]
fn waltid_token_status_list() {
    for (file, idx, value) in [("revoked", 5964, 1u8), ("unrevoked", 5964, 0)] {
        let f = json_file(&format!("status/waltid-status/tokenstatuslist/{file}.json"));
        let token =
            UnverifiedStatusListJwt::parse(f["status-credential"].as_str().unwrap()).unwrap();
        let sub = token.claims().sub().to_owned();
        let status = f["holder-credential"]["status"]
            .to_string()
            .replace(PLACEHOLDER, &sub);
        let st = parse_status_claim_json(&serde_json::from_str(&status).unwrap()).unwrap();
        let r = st.status_list().unwrap();
        assert_eq!((r.idx(), r.uri()), (idx, sub.as_str()));
        let got = token.claims().list().get(r.idx()).unwrap();
        assert_eq!(got, value, "{file}");
        let ok = u64::from(got) == f["attribute"]["value"].as_u64().unwrap();
        assert_eq!(ok, f["valid"].as_bool().unwrap(), "{file}");
    }
    // `lst` with a multibase 'u' in front is not base64url of a zlib stream.
    let f = json_file("status/waltid-status/tokenstatuslist/wrong-list-encoding.json");
    let e = UnverifiedStatusListJwt::parse(f["status-credential"].as_str().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn waltid_bitstring_status_list() {
    let files = [
        "revoked",
        "unrevoked",
        "custom-valid",
        "custom-invalid",
        "multi-status-all-valid",
        "multi-status-first-not-valid",
        "multi-status-last-not-valid",
    ];
    let mut values = Vec::new();
    for file in files {
        let f = json_file(&format!(
            "status/waltid-status/bitstringstatuslist/{file}.json"
        ));
        // One JWT, or a list of {id, content}; each list credential is the JWT's `vc`.
        let lists: Vec<(String, BitstringStatusList)> = match &f["status-credential"] {
            Value::String(jwt) => vec![(PLACEHOLDER.to_owned(), jwt.as_str())],
            Value::Array(a) => a
                .iter()
                .map(|x| {
                    (
                        x["id"].as_str().unwrap().to_owned(),
                        x["content"].as_str().unwrap(),
                    )
                })
                .collect(),
            _ => panic!(),
        }
        .into_iter()
        .map(|(id, jwt)| {
            let vc = jwt_payload(jwt)["vc"].as_object().unwrap().clone();
            (id, BitstringStatusList::from_credential(&vc).unwrap())
        })
        .collect();
        let entries = BitstringStatusEntry::from_credential_status(
            &f["holder-credential"]["credentialStatus"],
        )
        .unwrap();
        let attrs: Vec<Value> = match &f["attribute"] {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        assert_eq!(attrs.len(), entries.len());
        let mut all_ok = true;
        let mut got = Vec::new();
        for (e, a) in entries.iter().zip(&attrs) {
            let (_, list) = lists
                .iter()
                .find(|(id, _)| id == e.list_credential())
                .unwrap();
            assert_eq!(e.purpose(), a["purpose"].as_str().unwrap());
            let v = list.value(e).unwrap();
            got.push((e.index(), e.size(), v));
            all_ok &= u64::from(v) == a["value"].as_u64().unwrap();
        }
        assert_eq!(all_ok, f["valid"].as_bool().unwrap(), "{file}: {got:?}");
        values.push((file, got));
    }
    assert_eq!(values[0].1, [(12_810, 1, 1)]);
    assert_eq!(values[1].1, [(12_810, 1, 0)]);
    assert_eq!(values[2].1, [(1781, 2, 3)]);
    let f = json_file("status/waltid-status/bitstringstatuslist/custom-valid.json");
    let e =
        &BitstringStatusEntry::from_credential_status(&f["holder-credential"]["credentialStatus"])
            .unwrap()[0];
    assert_eq!(e.message_for(3), Some("valid-3"));
    assert_eq!(e.messages().len(), 4);
    // encodedList without the multibase 'u'.
    let f = json_file("status/waltid-status/bitstringstatuslist/wrong-list-encoding.json");
    let vc = jwt_payload(f["status-credential"].as_str().unwrap())["vc"]
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(
        kind(BitstringStatusList::from_credential(&vc)),
        ErrorKind::Malformed
    );
}

// ---------------------------------------------------------------------------
// HOSTILE-INPUTS section I

// STAT-01: a small `lst` that inflates far past the cap.
#[test]
fn stat_01_zlib_bomb_is_limit_exceeded() {
    let z = zlib_bomb(6_000); // ~10 KB → ~1.5 MB: under the cap, a valid bomb
    assert!(z.len() < 10_000);
    let big = zlib_bomb(400_000); // ~650 KB → ~103 MB
    let t = std::time::Instant::now();
    assert_eq!(
        kind(UnverifiedStatusListJwt::parse(&list_jwt(
            json!(1),
            json!(B64.encode(&big))
        ))),
        ErrorKind::LimitExceeded
    );
    assert_eq!(
        kind(UnverifiedStatusListCwt::parse(&list_cwt(
            i(1),
            Cbor::Bytes(big)
        ))),
        ErrorKind::LimitExceeded
    );
    assert!(t.elapsed().as_secs() < 30, "the cap must stop the work");
}

// STAT-02
#[test]
fn stat_02_bits_other_than_1_2_4_8() {
    let lst = B64.encode(compression::zlib_compress(&[0; 4]));
    for bits in [
        json!(0),
        json!(3),
        json!(9),
        json!(16),
        json!("1"),
        json!(1.0),
        json!(-1),
        Value::Null,
    ] {
        assert_eq!(
            kind(UnverifiedStatusListJwt::parse(&list_jwt(
                bits.clone(),
                json!(lst)
            ))),
            ErrorKind::Malformed,
            "{bits}"
        );
    }
    let z = compression::zlib_compress(&[0; 4]);
    for bits in [i(0), i(3), i(9), i(16), t("1"), Cbor::Float(1.0), i(-1)] {
        assert_eq!(
            kind(UnverifiedStatusListCwt::parse(&list_cwt(
                bits,
                Cbor::Bytes(z.clone())
            ))),
            ErrorKind::Malformed
        );
    }
    for bits in [1, 2, 4, 8] {
        let tok = UnverifiedStatusListJwt::parse(&list_jwt(json!(bits), json!(lst))).unwrap();
        assert_eq!(tok.claims().list().entries(), 4 * 8 / bits);
    }
}

// STAT-03
#[test]
fn stat_03_index_past_the_end_fails_closed() {
    for bits in [
        StatusBits::One,
        StatusBits::Two,
        StatusBits::Four,
        StatusBits::Eight,
    ] {
        let l = StatusList::from_packed(bits, vec![0; 3]).unwrap();
        let entries = 3 * 8 / u64::from(bits.bits());
        assert_eq!(l.entries(), entries);
        assert_eq!(l.get(entries - 1).unwrap(), 0);
        for idx in [entries, entries + 1, MAX_STATUS_INDEX] {
            assert_eq!(kind(l.get(idx)), ErrorKind::Malformed);
        }
    }
}

// STAT-04
#[test]
fn stat_04_bad_indices_in_the_reference() {
    for idx in [
        json!(-1),
        json!(1.5),
        json!("3"),
        json!(1u64 << 60),
        json!(MAX_STATUS_INDEX + 1),
        Value::Null,
        json!(1.0),
    ] {
        let st = json!({"status_list": {"idx": idx, "uri": SUB}});
        assert_eq!(
            kind(parse_status_claim_json(&st)),
            ErrorKind::Malformed,
            "{idx}"
        );
    }
    let at =
        parse_status_claim_json(&json!({"status_list": {"idx": MAX_STATUS_INDEX, "uri": SUB}}))
            .unwrap();
    assert_eq!(at.status_list().unwrap().idx(), MAX_STATUS_INDEX);
    for bad in [
        json!({"status_list": {"idx": 0}}),
        json!({"status_list": {"uri": SUB}}),
        json!({"status_list": {"idx": 0, "uri": "not a uri"}}),
        json!({"status_list": []}),
        json!([]),
        json!({}),
    ] {
        assert_eq!(
            kind(parse_status_claim_json(&bad)),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    // CBOR (CWT 65535, mdoc MSO status)
    let st = |idx: Cbor| {
        cbor(&Cbor::Map(vec![(
            t("status_list"),
            Cbor::Map(vec![(t("idx"), idx), (t("uri"), t(SUB))]),
        )]))
    };
    for idx in [
        i(-1),
        Cbor::Float(1.5),
        t("3"),
        Cbor::Integer((1u64 << 60).into()),
        Cbor::Integer((MAX_STATUS_INDEX + 1).into()),
        Cbor::Null,
    ] {
        assert_eq!(
            kind(parse_status_claim_cbor_bytes(&st(idx))),
            ErrorKind::Malformed
        );
    }
    assert_eq!(
        parse_status_claim_cbor_bytes(&st(Cbor::Integer(MAX_STATUS_INDEX.into())))
            .unwrap()
            .status_list()
            .unwrap()
            .idx(),
        MAX_STATUS_INDEX
    );
}

#[test]
fn mdoc_status_with_both_mechanisms() {
    let st = Cbor::Map(vec![
        (
            t("status_list"),
            Cbor::Map(vec![
                (t("idx"), i(412)),
                (t("uri"), t(SUB)),
                (t("certificate"), Cbor::Bytes(vec![0x30, 0x82])),
            ]),
        ),
        (
            t("identifier_list"),
            Cbor::Map(vec![
                (t("id"), Cbor::Bytes(vec![1, 2, 3])),
                (t("uri"), t("https://example.com/identifierlists/1")),
            ]),
        ),
        (t("some_other_mechanism"), Cbor::Map(vec![])),
    ]);
    let c = parse_status_claim_cbor_bytes(&cbor(&st)).unwrap();
    let sl = c.status_list().unwrap();
    assert_eq!(
        (sl.idx(), sl.uri(), sl.certificate()),
        (412, SUB, Some(&[0x30u8, 0x82][..]))
    );
    let il = c.identifier_list().unwrap();
    assert_eq!(
        (il.id(), il.uri(), il.certificate()),
        (
            &[1u8, 2, 3][..],
            "https://example.com/identifierlists/1",
            None
        )
    );
    // an empty status, or a mechanism name that is not text
    for bad in [
        Cbor::Map(vec![]),
        Cbor::Map(vec![(i(1), Cbor::Map(vec![]))]),
    ] {
        assert_eq!(
            kind(parse_status_claim_cbor_bytes(&cbor(&bad))),
            ErrorKind::Malformed
        );
    }
    // identifier_list id must be a bstr
    let bad = Cbor::Map(vec![(
        t("identifier_list"),
        Cbor::Map(vec![(t("id"), t("0102")), (t("uri"), t(SUB))]),
    )]);
    assert_eq!(
        kind(parse_status_claim_cbor_bytes(&cbor(&bad))),
        ErrorKind::Malformed
    );
}

// STAT-05, STAT-06, STAT-07 through a status list token.
#[test]
fn stat_05_06_07_zlib_framing() {
    let data = [0b1011_1001u8, 0b0000_0001, 0xff];
    for flg in [0x01, 0x5e, 0x9c, 0xda] {
        let tok = UnverifiedStatusListJwt::parse(&list_jwt(
            json!(1),
            json!(B64.encode(with_zlib_header(flg, &data))),
        ))
        .unwrap();
        assert_eq!(tok.claims().list().packed(), data);
    }
    let good = with_zlib_header(0x9c, &data);
    let raw = miniz_oxide::deflate::compress_to_vec(&data, 6);
    let gzip = compression::gzip_compress(&data);
    let mut fdict = vec![0x78, 0xbb, 0, 0, 0, 1];
    fdict.extend_from_slice(&good[2..]);
    let mut bad_adler = good.clone();
    *bad_adler.last_mut().unwrap() ^= 0x40;
    let truncated = good[..good.len() - 1].to_vec();
    let trailing = [&good[..], &[0]].concat();
    for (what, z) in [
        ("raw", raw),
        ("gzip", gzip),
        ("fdict", fdict),
        ("adler", bad_adler),
        ("truncated", truncated),
        ("trailing", trailing),
    ] {
        assert_eq!(
            kind(UnverifiedStatusListJwt::parse(&list_jwt(
                json!(1),
                json!(B64.encode(&z))
            ))),
            ErrorKind::Malformed,
            "{what}"
        );
        assert_eq!(
            kind(UnverifiedStatusListCwt::parse(&list_cwt(
                i(1),
                Cbor::Bytes(z)
            ))),
            ErrorKind::Malformed,
            "{what}"
        );
    }
}

// STAT-09
#[test]
fn stat_09_token_types() {
    let lst = json!(B64.encode(compression::zlib_compress(&[1])));
    let payload = json!({"sub": SUB, "iat": 1, "status_list": {"bits": 1, "lst": lst}});
    for typ in [
        json!("statuslist+jwt"),
        json!("application/statuslist+jwt"),
        json!("Application/StatusList+JWT"),
    ] {
        assert!(
            UnverifiedStatusListJwt::parse(&jws(&json!({"alg": "ES256", "typ": typ}), &payload))
                .is_ok(),
            "{typ}"
        );
    }
    for header in [
        json!({"alg": "ES256"}),
        json!({"alg": "ES256", "typ": "jwt"}),
        json!({"alg": "ES256", "typ": "statuslist+cwt"}),
        json!({"alg": "ES256", "typ": "dc+sd-jwt"}),
        json!({"alg": "ES256", "typ": 1}),
    ] {
        assert_eq!(
            kind(UnverifiedStatusListJwt::parse(&jws(&header, &payload))),
            ErrorKind::Malformed,
            "{header}"
        );
    }
    let z = Cbor::Bytes(compression::zlib_compress(&[1]));
    let claims = list_claims(i(1), z);
    let typ = |v: Cbor| vec![(i(16), v)];
    assert!(UnverifiedStatusListCwt::parse(&cose(
        Some(18),
        typ(t(STATUSLIST_CWT_TYP)),
        vec![],
        &claims
    ))
    .is_ok());
    assert!(UnverifiedStatusListCwt::parse(&cose(
        Some(18),
        typ(t("APPLICATION/statuslist+CWT")),
        vec![],
        &claims
    ))
    .is_ok());
    for (what, bytes) in [
        ("no typ", cose(Some(18), vec![], vec![], &claims)),
        (
            "typ unprotected",
            cose(Some(18), vec![], typ(t(STATUSLIST_CWT_TYP)), &claims),
        ),
        (
            "typ jwt",
            cose(
                Some(18),
                typ(t("application/statuslist+jwt")),
                vec![],
                &claims,
            ),
        ),
        (
            "typ short",
            cose(Some(18), typ(t("statuslist+cwt")), vec![], &claims),
        ),
        (
            "typ identifier list",
            cose(Some(18), typ(t(IDENTIFIERLIST_CWT_TYP)), vec![], &claims),
        ),
        ("typ uint", cose(Some(18), typ(i(61)), vec![], &claims)),
        (
            "untagged",
            cose(None, typ(t(STATUSLIST_CWT_TYP)), vec![], &claims),
        ),
        (
            "tag 61",
            cose(Some(61), typ(t(STATUSLIST_CWT_TYP)), vec![], &claims),
        ),
        (
            "tag 98",
            cose(Some(98), typ(t(STATUSLIST_CWT_TYP)), vec![], &claims),
        ),
    ] {
        assert_eq!(
            kind(UnverifiedStatusListCwt::parse(&bytes)),
            ErrorKind::Malformed,
            "{what}"
        );
    }
    // CWT tag 61 around a tagged COSE_Sign1.
    let inner = cose(Some(18), typ(t(STATUSLIST_CWT_TYP)), vec![], &claims);
    let item: Cbor = ciborium::from_reader(inner.as_slice()).unwrap();
    let wrapped = cbor(&Cbor::Tag(61, Box::new(item)));
    assert_eq!(
        kind(UnverifiedStatusListCwt::parse(&wrapped)),
        ErrorKind::Malformed
    );
}

#[test]
fn token_claims_are_checked() {
    let lst = json!(B64.encode(compression::zlib_compress(&[1])));
    let h = json!({"alg": "ES256", "typ": "statuslist+jwt"});
    let sl = json!({"bits": 1, "lst": lst});
    for p in [
        json!({"iat": 1, "status_list": sl}),
        json!({"sub": SUB, "status_list": sl}),
        json!({"sub": SUB, "iat": 1}),
        json!({"sub": SUB, "iat": 1.5, "status_list": sl}),
        json!({"sub": SUB, "iat": -1, "status_list": sl}),
        json!({"sub": SUB, "iat": 1, "exp": "2", "status_list": sl}),
        json!({"sub": SUB, "iat": 1, "ttl": 0, "status_list": sl}),
        json!({"sub": 7, "iat": 1, "status_list": sl}),
        json!({"sub": SUB, "iat": 1, "status_list": "x"}),
        json!({"sub": SUB, "iat": 1, "status_list": {"bits": 1}}),
        json!({"sub": SUB, "iat": 1, "status_list": {"bits": 1, "lst": lst, "aggregation_uri": 3}}),
    ] {
        assert_eq!(
            kind(UnverifiedStatusListJwt::parse(&jws(&h, &p))),
            ErrorKind::Malformed,
            "{p}"
        );
    }
    let ok = UnverifiedStatusListJwt::parse(&jws(
        &h,
        &json!({"sub": SUB, "iat": 1, "exp": 2, "ttl": 3, "extra": true,
                "status_list": {"bits": 1, "lst": lst, "aggregation_uri": "https://example.com/agg"}}),
    ))
    .unwrap();
    assert_eq!((ok.claims().exp(), ok.claims().ttl()), (Some(2), Some(3)));
    assert_eq!(
        ok.claims().aggregation_uri(),
        Some("https://example.com/agg")
    );
}

// STAT-12's value mapping, read out of a list.
#[test]
fn stat_12_values_map_to_meanings() {
    let mut l = StatusList::new(StatusBits::Eight, 256).unwrap();
    for v in 0..=255u8 {
        l.set(u64::from(v), v).unwrap();
    }
    let l = StatusList::from_lst(StatusBits::Eight, &l.to_lst()).unwrap();
    assert_eq!(l.status(0).unwrap(), TokenStatus::Valid);
    assert_eq!(l.status(1).unwrap(), TokenStatus::Invalid);
    assert_eq!(l.status(2).unwrap(), TokenStatus::Suspended);
    assert_eq!(l.status(3).unwrap(), TokenStatus::ApplicationSpecific(3));
    assert_eq!(
        l.status(0x0c).unwrap(),
        TokenStatus::ApplicationSpecific(0x0c)
    );
    assert_eq!(
        l.status(0x0f).unwrap(),
        TokenStatus::ApplicationSpecific(0x0f)
    );
    assert_eq!(l.status(4).unwrap(), TokenStatus::Reserved(4));
    assert_eq!(l.status(0x10).unwrap(), TokenStatus::Reserved(0x10));
    assert_eq!(l.status(255).unwrap(), TokenStatus::Reserved(255));
}

// STAT-13
#[test]
fn stat_13_empty_lst() {
    assert_eq!(
        kind(UnverifiedStatusListJwt::parse(&list_jwt(
            json!(1),
            json!("")
        ))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(UnverifiedStatusListCwt::parse(&list_cwt(
            i(1),
            Cbor::Bytes(vec![])
        ))),
        ErrorKind::Malformed
    );
    // An empty list is a zlib stream of zero bytes: it parses, and every lookup fails closed.
    let empty = compression::zlib_compress(&[]);
    let tok =
        UnverifiedStatusListJwt::parse(&list_jwt(json!(1), json!(B64.encode(&empty)))).unwrap();
    assert_eq!(tok.claims().list().entries(), 0);
    assert_eq!(kind(tok.claims().list().get(0)), ErrorKind::Malformed);
    // `lst` of the wrong type
    assert_eq!(
        kind(UnverifiedStatusListCwt::parse(&list_cwt(
            i(1),
            t(&B64.encode(&empty))
        ))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(UnverifiedStatusListJwt::parse(&list_jwt(
            json!(1),
            json!(7)
        ))),
        ErrorKind::Malformed
    );
}

fn bitstring_vc(encoded: &str, purpose: Value) -> Map<String, Value> {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://example.com/status/7",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:1",
        "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": purpose, "encodedList": encoded, "ttl": 300000}
    })
    .as_object()
    .unwrap()
    .clone()
}

fn entry(purpose: &str, index: &str) -> BitstringStatusEntry {
    BitstringStatusEntry::from_json(&json!({
        "type": "BitstringStatusListEntry", "statusPurpose": purpose,
        "statusListIndex": index, "statusListCredential": "https://example.com/status/7"
    }))
    .unwrap()
}

// STAT-14: gzip bomb, purpose mismatch, index out of range.
#[test]
fn stat_14_bitstring_bomb_purpose_and_range() {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    gz.extend(deflate_bomb(400_000));
    gz.extend([0u8; 8]);
    let bomb = format!("u{}", B64.encode(&gz));
    assert_eq!(
        kind(BitstringStatusList::from_credential(&bitstring_vc(
            &bomb,
            json!("revocation")
        ))),
        ErrorKind::LimitExceeded
    );

    let mut l = BitstringList::new(1, 0).unwrap();
    l.set(5, 1).unwrap();
    let list = BitstringStatusList::from_credential(&bitstring_vc(
        &l.encoded_list(),
        json!(["revocation", "suspension"]),
    ))
    .unwrap();
    assert_eq!(list.ttl_millis(), Some(300_000));
    assert_eq!(list.value(&entry("revocation", "5")).unwrap(), 1);
    assert_eq!(list.value(&entry("suspension", "5")).unwrap(), 1);
    assert_eq!(kind(list.value(&entry("refresh", "5"))), ErrorKind::Policy);
    assert_eq!(
        kind(list.value(&entry("Revocation", "5"))),
        ErrorKind::Policy
    );
    assert_eq!(list.value(&entry("revocation", "131071")).unwrap(), 0);
    assert_eq!(
        kind(list.value(&entry("revocation", "131072"))),
        ErrorKind::Malformed
    );
}

#[test]
fn bitstring_entries_are_strict() {
    let base = json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                      "statusListIndex": "5", "statusListCredential": "https://example.com/status/7"});
    assert!(BitstringStatusEntry::from_json(&base).is_ok());
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        BitstringStatusEntry::from_json(&b)
    };
    for idx in [
        "",
        "-1",
        "+1",
        " 1",
        "1 ",
        "01",
        "0x10",
        "1.0",
        "1e3",
        "4294967296",
        "99999999999999999999999",
    ] {
        assert_eq!(
            kind(with("statusListIndex", json!(idx))),
            ErrorKind::Malformed,
            "{idx:?}"
        );
    }
    assert_eq!(with("statusListIndex", json!("0")).unwrap().index(), 0);
    assert_eq!(
        with("statusListIndex", json!("4294967295"))
            .unwrap()
            .index(),
        MAX_STATUS_INDEX
    );
    assert_eq!(
        kind(with("statusListIndex", json!(5))),
        ErrorKind::Malformed
    );
    for k in ["statusPurpose", "statusListIndex", "statusListCredential"] {
        assert_eq!(kind(with(k, Value::Null)), ErrorKind::Malformed, "{k}");
    }
    assert_eq!(
        kind(with("type", json!("StatusList2021Entry"))),
        ErrorKind::Malformed
    );
    assert_eq!(kind(with("statusSize", json!(0))), ErrorKind::Malformed);
    assert_eq!(kind(with("statusSize", json!("1"))), ErrorKind::Malformed);
    assert_eq!(kind(with("statusSize", json!(2))), ErrorKind::Malformed); // no statusMessage
    let msgs = |n: u32| {
        Value::Array(
            (0..n)
                .map(|s| json!({"status": format!("0x{s:x}"), "message": format!("m{s}")}))
                .collect(),
        )
    };
    let mut two = base.clone();
    two["statusSize"] = json!(2);
    two["statusMessage"] = msgs(4);
    assert_eq!(
        BitstringStatusEntry::from_json(&two)
            .unwrap()
            .message_for(2),
        Some("m2")
    );
    two["statusMessage"] = msgs(3);
    assert_eq!(
        kind(BitstringStatusEntry::from_json(&two)),
        ErrorKind::Malformed
    );
    two["statusMessage"] = json!([{"status": "0x0", "message": "a"}, {"status": "0x0", "message": "b"},
                                  {"status": "0x1", "message": "c"}, {"status": "0x2", "message": "d"}]);
    assert_eq!(
        kind(BitstringStatusEntry::from_json(&two)),
        ErrorKind::Malformed
    );
    two["statusMessage"] = json!([{"status": "0", "message": "a"}, {"status": "0x1", "message": "b"},
                                  {"status": "0x2", "message": "c"}, {"status": "0x4", "message": "d"}]);
    assert_eq!(
        kind(BitstringStatusEntry::from_json(&two)),
        ErrorKind::Malformed
    );
    // Only BitstringStatusListEntry items are picked from credentialStatus.
    let mixed = json!([{"type": "StatusList2021Entry", "x": 1}, base]);
    assert_eq!(
        BitstringStatusEntry::from_credential_status(&mixed)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        kind(BitstringStatusEntry::from_credential_status(&json!("x"))),
        ErrorKind::Malformed
    );
}

#[test]
fn bitstring_list_credentials_are_strict() {
    let l = BitstringList::new(1, 0).unwrap();
    let enc = l.encoded_list();
    assert!(BitstringStatusList::from_credential(&bitstring_vc(&enc, json!("revocation"))).is_ok());
    // multibase: only 'u' (base64url, no padding)
    for bad in [
        enc[1..].to_owned(),
        format!("z{}", &enc[1..]),
        format!("U{}", &enc[1..]),
        format!("{enc}="),
    ] {
        assert_eq!(
            kind(BitstringStatusList::from_credential(&bitstring_vc(
                &bad,
                json!("revocation")
            ))),
            ErrorKind::Malformed
        );
    }
    // zlib is not gzip
    let z = format!("u{}", B64.encode(compression::zlib_compress(&[0; 16_384])));
    assert_eq!(
        kind(BitstringStatusList::from_credential(&bitstring_vc(
            &z,
            json!("revocation")
        ))),
        ErrorKind::Malformed
    );
    // fewer than 131 072 entries
    let small = format!("u{}", B64.encode(compression::gzip_compress(&[0; 16_383])));
    assert_eq!(
        kind(BitstringStatusList::from_credential(&bitstring_vc(
            &small,
            json!("revocation")
        ))),
        ErrorKind::Malformed
    );
    // A 16 KiB list is too short for 2-bit entries (65 536 < 131 072).
    let list =
        BitstringStatusList::from_credential(&bitstring_vc(&enc, json!("revocation"))).unwrap();
    assert_eq!(kind(list.get(0, 2)), ErrorKind::Malformed);
    for purpose in [json!(""), json!([]), json!([1]), json!(null), json!(7)] {
        assert_eq!(
            kind(BitstringStatusList::from_credential(&bitstring_vc(
                &enc,
                purpose.clone()
            ))),
            ErrorKind::Malformed,
            "{purpose}"
        );
    }
    let mut vc = bitstring_vc(&enc, json!("revocation"));
    vc["type"] = json!(["VerifiableCredential"]);
    assert_eq!(
        kind(BitstringStatusList::from_credential(&vc)),
        ErrorKind::Malformed
    );
    let mut vc = bitstring_vc(&enc, json!("revocation"));
    vc["credentialSubject"]["type"] = json!("StatusList2021");
    assert_eq!(
        kind(BitstringStatusList::from_credential(&vc)),
        ErrorKind::Malformed
    );
    let mut vc = bitstring_vc(&enc, json!("revocation"));
    vc["credentialSubject"]["ttl"] = json!(-1);
    assert_eq!(
        kind(BitstringStatusList::from_credential(&vc)),
        ErrorKind::Malformed
    );
}

// STAT-15: 10^9 entries in a small compressed list.
#[test]
fn stat_15_a_billion_entries_is_limit_exceeded() {
    let z = zlib_bomb(485_000); // 1 + 258·485 000 bytes = 1.0008·10^9 one-bit entries
    assert!(z.len() < MAX_STATUS_LIST_ENCODED_BYTES);
    assert_eq!(
        kind(UnverifiedStatusListCwt::parse(&list_cwt(
            i(1),
            Cbor::Bytes(z)
        ))),
        ErrorKind::LimitExceeded
    );
}

// ---------------------------------------------------------------------------
// Limits, at and past

#[test]
fn limit_status_list_decoded_bytes() {
    let at = compression::zlib_compress(&vec![0; MAX_STATUS_LIST_DECODED_BYTES]);
    let l = StatusList::from_compressed(StatusBits::One, &at).unwrap();
    assert_eq!(l.packed().len(), MAX_STATUS_LIST_DECODED_BYTES);
    let past = compression::zlib_compress(&vec![0; MAX_STATUS_LIST_DECODED_BYTES + 1]);
    assert_eq!(
        kind(StatusList::from_compressed(StatusBits::One, &past)),
        ErrorKind::LimitExceeded
    );
    // The same cap on the gzip side (Bitstring).
    let at = format!(
        "u{}",
        B64.encode(compression::gzip_compress(
            &vec![0; MAX_STATUS_LIST_DECODED_BYTES]
        ))
    );
    let list =
        BitstringStatusList::from_credential(&bitstring_vc(&at, json!("revocation"))).unwrap();
    assert_eq!(
        list.len_bits(),
        8 * u64::try_from(MAX_STATUS_LIST_DECODED_BYTES).unwrap()
    );
    let past = format!(
        "u{}",
        B64.encode(compression::gzip_compress(&vec![
            0;
            MAX_STATUS_LIST_DECODED_BYTES
                + 1
        ]))
    );
    assert_eq!(
        kind(BitstringStatusList::from_credential(&bitstring_vc(
            &past,
            json!("revocation")
        ))),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn limit_status_list_encoded_bytes() {
    // CWT `lst` bytes
    let at = zlib_stored(MAX_STATUS_LIST_ENCODED_BYTES);
    assert!(StatusList::from_compressed(StatusBits::One, &at).is_ok());
    let past = zlib_stored(MAX_STATUS_LIST_ENCODED_BYTES + 1);
    assert_eq!(
        kind(StatusList::from_compressed(StatusBits::One, &past)),
        ErrorKind::LimitExceeded
    );
    // JWT `lst` text: 1 MiB of base64url is 768 KiB of zlib
    let at = B64.encode(zlib_stored(MAX_STATUS_LIST_ENCODED_BYTES / 4 * 3));
    assert_eq!(at.len(), MAX_STATUS_LIST_ENCODED_BYTES);
    assert!(StatusList::from_lst(StatusBits::One, &at).is_ok());
    let past = B64.encode(zlib_stored(MAX_STATUS_LIST_ENCODED_BYTES / 4 * 3 + 3));
    assert_eq!(
        kind(StatusList::from_lst(StatusBits::One, &past)),
        ErrorKind::LimitExceeded
    );
    // Bitstring `encodedList`
    let past_u = format!("u{past}");
    assert_eq!(
        kind(BitstringStatusList::from_credential(&bitstring_vc(
            &past_u,
            json!("revocation")
        ))),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn limit_bitstring_status_size() {
    let e = |size: u64| {
        let n = 1u64 << size.min(9);
        let msgs: Vec<Value> = (0..n)
            .map(|s| json!({"status": format!("0x{s:x}"), "message": "m"}))
            .collect();
        BitstringStatusEntry::from_json(&json!({
            "type": "BitstringStatusListEntry", "statusPurpose": "message", "statusListIndex": "7",
            "statusListCredential": "https://example.com/status/7", "statusSize": size, "statusMessage": msgs
        }))
    };
    let at = e(MAX_BITSTRING_STATUS_SIZE).unwrap();
    assert_eq!(u64::from(at.size()), MAX_BITSTRING_STATUS_SIZE);
    assert_eq!(
        kind(e(MAX_BITSTRING_STATUS_SIZE + 1)),
        ErrorKind::LimitExceeded
    );
    let mut l = BitstringList::new(8, 0).unwrap();
    l.set(7, 0xa5).unwrap();
    let list = BitstringStatusList::from_subject(
        l.credential_subject(None, "message", None)
            .as_object()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(list.value(&at).unwrap(), 0xa5);
}

// ---------------------------------------------------------------------------
// Identifier list CWT (ISO 18013-5 second edition)

fn id_list_claims(extra: Vec<(Cbor, Cbor)>, ids: Vec<(Cbor, Cbor)>) -> Cbor {
    let mut m = vec![
        (i(2), t("https://example.com/identifierlists/1")),
        (i(6), i(1_700_000_000)),
        (
            i(65530),
            Cbor::Map(vec![(t("identifiers"), Cbor::Map(ids))]),
        ),
    ];
    m.extend(extra);
    Cbor::Map(m)
}

#[test]
fn identifier_list_cwt() {
    let typ = vec![(i(16), t(IDENTIFIERLIST_CWT_TYP))];
    let ids = vec![
        (Cbor::Bytes(vec![1]), Cbor::Map(vec![])),
        (
            Cbor::Bytes(vec![0xca, 0xfe]),
            Cbor::Map(vec![(t("x"), i(1))]),
        ),
    ];
    let exp = vec![(i(4), i(1_800_000_000)), (i(65534), i(3600))];
    let l = UnverifiedIdentifierListCwt::parse(&cose(
        Some(18),
        typ.clone(),
        vec![],
        &id_list_claims(exp.clone(), ids.clone()),
    ))
    .unwrap();
    let c = l.claims();
    assert_eq!(
        (c.sub(), c.iat(), c.exp(), c.ttl(), c.len()),
        (
            "https://example.com/identifierlists/1",
            1_700_000_000,
            1_800_000_000,
            Some(3600),
            2
        )
    );
    assert!(c.contains(&[1]) && c.contains(&[0xca, 0xfe]));
    assert!(!c.contains(&[2]) && !c.contains(&[]) && !c.contains(&[0xca]));
    // exp required, no status_list claim, identifiers are bstr → map, typ is the identifier list's
    let bad = [
        (
            "no exp",
            cose(
                Some(18),
                typ.clone(),
                vec![],
                &id_list_claims(vec![], ids.clone()),
            ),
        ),
        (
            "65533",
            cose(
                Some(18),
                typ.clone(),
                vec![],
                &id_list_claims(
                    [exp.clone(), vec![(i(65533), Cbor::Map(vec![]))]].concat(),
                    ids.clone(),
                ),
            ),
        ),
        (
            "text id",
            cose(
                Some(18),
                typ.clone(),
                vec![],
                &id_list_claims(exp.clone(), vec![(t("01"), Cbor::Map(vec![]))]),
            ),
        ),
        (
            "info not a map",
            cose(
                Some(18),
                typ.clone(),
                vec![],
                &id_list_claims(exp.clone(), vec![(Cbor::Bytes(vec![1]), i(1))]),
            ),
        ),
        (
            "status list typ",
            cose(
                Some(18),
                vec![(i(16), t(STATUSLIST_CWT_TYP))],
                vec![],
                &id_list_claims(exp.clone(), ids.clone()),
            ),
        ),
        (
            "untagged",
            cose(
                None,
                typ.clone(),
                vec![],
                &id_list_claims(exp.clone(), ids.clone()),
            ),
        ),
        (
            "tag 61",
            cose(
                Some(61),
                typ.clone(),
                vec![],
                &id_list_claims(exp.clone(), ids.clone()),
            ),
        ),
    ];
    for (what, bytes) in bad {
        assert_eq!(
            kind(UnverifiedIdentifierListCwt::parse(&bytes)),
            ErrorKind::Malformed,
            "{what}"
        );
    }
    // Duplicate identifiers are refused by the CBOR reader.
    let dup = vec![
        (Cbor::Bytes(vec![1]), Cbor::Map(vec![])),
        (Cbor::Bytes(vec![1]), Cbor::Map(vec![])),
    ];
    assert_eq!(
        kind(UnverifiedIdentifierListCwt::parse(&cose(
            Some(18),
            typ,
            vec![],
            &id_list_claims(exp, dup)
        ))),
        ErrorKind::Malformed
    );
}

// ---------------------------------------------------------------------------
// Encoding: round trips

#[test]
fn signed_tokens_round_trip() {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut list = StatusList::new(StatusBits::Two, 10_000).unwrap();
    list.set(0, 1).unwrap();
    list.set(9_999, 2).unwrap();
    list.set(4_242, 3).unwrap();
    let claims = StatusListClaims::new(SUB, 1_700_000_000, list)
        .with_exp(1_800_000_000)
        .with_ttl(43_200)
        .with_issuer("https://example.com")
        .with_aggregation_uri("https://example.com/statuslists");
    let jwt = sign_status_list_jwt(&claims, &key, Some("k1"), &[]).unwrap();
    let back = UnverifiedStatusListJwt::parse(&jwt).unwrap();
    assert_eq!(back.claims(), &claims);
    let cwt = sign_status_list_cwt(&claims, &key, Some(b"k1"), &[]).unwrap();
    assert_eq!(cwt[0], 0xd2, "tag 18");
    let back = UnverifiedStatusListCwt::parse(&cwt).unwrap();
    assert_eq!(back.claims(), &claims);
    assert_eq!(
        back.claims().list().status(4_242).unwrap(),
        TokenStatus::ApplicationSpecific(3)
    );
    // The zlib header we write is 78 da.
    assert_eq!(&claims.list().to_compressed()[..2], &[0x78, 0xda]);
}

fn bits_strategy() -> impl Strategy<Value = StatusBits> {
    prop_oneof![
        Just(StatusBits::One),
        Just(StatusBits::Two),
        Just(StatusBits::Four),
        Just(StatusBits::Eight)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn token_list_round_trip(bits in bits_strategy(), values in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mask = if bits.bits() == 8 { 0xff } else { (1u8 << bits.bits()) - 1 };
        let mut l = StatusList::new(bits, u64::try_from(values.len()).unwrap()).unwrap();
        for (i, v) in values.iter().enumerate() {
            l.set(u64::try_from(i).unwrap(), v & mask).unwrap();
        }
        let back = StatusList::from_lst(bits, &l.to_lst()).unwrap();
        prop_assert_eq!(&back, &l);
        for (i, v) in values.iter().enumerate() {
            prop_assert_eq!(back.get(u64::try_from(i).unwrap()).unwrap(), v & mask);
        }
        let c = StatusListClaims::new(SUB, 1, back.clone()).to_cwt_claims().unwrap();
        let cwt = cose(Some(18), vec![(i(16), t(STATUSLIST_CWT_TYP))], vec![], &ciborium::from_reader::<Cbor, _>(c.as_slice()).unwrap());
        let parsed = UnverifiedStatusListCwt::parse(&cwt).unwrap();
        prop_assert_eq!(parsed.claims().list(), &back);
    }

    #[test]
    fn bitstring_round_trip(size in 1u8..=8, values in proptest::collection::vec((0u64..131_072, any::<u8>()), 0..200)) {
        let mask = if size == 8 { 0xff } else { (1u8 << size) - 1 };
        let mut l = BitstringList::new(size, 0).unwrap();
        let mut model = std::collections::BTreeMap::new();
        for (idx, v) in &values {
            l.set(*idx, v & mask).unwrap();
            model.insert(*idx, v & mask);
        }
        let subject = l.credential_subject(Some("https://example.com/status/7#list"), "message", Some(1000));
        let list = BitstringStatusList::from_subject(subject.as_object().unwrap()).unwrap();
        for (idx, v) in &model {
            prop_assert_eq!(list.get(*idx, size).unwrap(), *v);
            prop_assert_eq!(l.get(*idx).unwrap(), *v);
        }
        prop_assert_eq!(list.get(131_071, size).unwrap(), model.get(&131_071).copied().unwrap_or(0));
    }

    #[test]
    fn permutation_never_repeats(size in 1u64..5000, key in any::<[u8; 32]>()) {
        let p = IndexPermutation::new(&key, size).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in 0..size {
            let y = p.permute(i).unwrap();
            prop_assert!(y < size);
            prop_assert!(seen.insert(y));
        }
    }
}
