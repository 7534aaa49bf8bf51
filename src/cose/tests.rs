use super::cbor::{
    MAX_CBOR_BYTES, MAX_CBOR_CONTAINER_LEN, MAX_CBOR_DEPTH, MAX_CBOR_ITEMS, MAX_CBOR_TAG_NESTING,
};
use super::*;
use crate::crypto::{verify_signature, Algorithm, PrivateKey, PublicKey, Signer};
use crate::error::ErrorKind;
use crate::limits::MAX_CHAIN_CERTS;

const ALGS: [Algorithm; 3] = [Algorithm::Es256, Algorithm::Es384, Algorithm::EdDsa];

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn kind<T: core::fmt::Debug>(r: crate::Result<T>) -> ErrorKind {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.kind(),
    }
}

fn dec_kind(bytes: &[u8]) -> ErrorKind {
    kind(decode(bytes))
}

fn key(alg: Algorithm) -> PrivateKey {
    PrivateKey::generate(alg).unwrap()
}

fn vector(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(path);
    hex(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

/// A COSE_Sign1 assembled by hand: `[bstr(protected), unprotected, payload, sig]`,
/// signed over the given protected bytes and context as they are.
fn hand_sign1(
    protected: &[u8],
    unprotected: Item,
    payload: &[u8],
    k: &PrivateKey,
    context: &str,
    aad: &[u8],
) -> Vec<u8> {
    let sig = k
        .sign(&to_be_signed(context, protected, aad, payload))
        .unwrap();
    Item::array(vec![
        Item::bytes(protected),
        unprotected,
        Item::bytes(payload),
        Item::bytes(&sig),
    ])
    .raw()
    .to_vec()
}

fn empty_map() -> Item {
    Item::map(vec![]).unwrap()
}

fn prot(entries: Vec<(Item, Item)>) -> Vec<u8> {
    Item::map_in_order(entries).unwrap().raw().to_vec()
}

// ---------------------------------------------------------------------------
// CBOR: section F

#[test]
fn cbor_01_deep_nesting_is_limited_without_stack_overflow() {
    let mut arrays = vec![0x81u8; 100_000];
    arrays.push(0x00);
    assert_eq!(dec_kind(&arrays), ErrorKind::LimitExceeded);
    assert_eq!(dec_kind(&vec![0x9f; 128 * 1024]), ErrorKind::LimitExceeded);
    assert_eq!(dec_kind(&vec![0xbf; 128 * 1024]), ErrorKind::LimitExceeded);
    // Strict mode refuses indefinite lengths before going deeper.
    assert_eq!(
        kind(decode_with(&[0x9f; 64], &DecodeOptions::strict())),
        ErrorKind::Malformed
    );
}

#[test]
fn depth_limit_just_below_and_above() {
    let nest = |n: usize| {
        let mut v = vec![0x81u8; n];
        v.push(0x00);
        v
    };
    decode(&nest(MAX_CBOR_DEPTH)).unwrap();
    assert_eq!(
        dec_kind(&nest(MAX_CBOR_DEPTH + 1)),
        ErrorKind::LimitExceeded
    );
    // Maps and tags count too.
    let mut maps = Vec::new();
    for _ in 0..MAX_CBOR_DEPTH {
        maps.extend_from_slice(&[0xa1, 0x00]);
    }
    maps.push(0x00);
    decode(&maps).unwrap();
    let mut deeper = vec![0xa1, 0x00];
    deeper.extend_from_slice(&maps);
    assert_eq!(dec_kind(&deeper), ErrorKind::LimitExceeded);
}

#[test]
fn cbor_02_nested_tags_are_limited() {
    let tags: Vec<u8> = [0xd8, 0x18].repeat(100_000);
    assert_eq!(dec_kind(&tags), ErrorKind::LimitExceeded);
    // tag 100 (unassigned) × N around 0.
    let chain = |n: usize| {
        let mut v = [0xd8, 0x64].repeat(n);
        v.push(0x00);
        v
    };
    decode(&chain(MAX_CBOR_TAG_NESTING)).unwrap();
    assert_eq!(
        dec_kind(&chain(MAX_CBOR_TAG_NESTING + 1)),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn cbor_03_huge_bstr_length_fails_before_allocation() {
    let mut b = hex("5b ffffffffffffffff");
    b.extend_from_slice(&[0; 10]);
    assert_eq!(dec_kind(&b), ErrorKind::Malformed);
    // Same for text, and for a length just past the end.
    assert_eq!(
        dec_kind(&hex("7b ffffffffffffffff 00")),
        ErrorKind::Malformed
    );
    assert_eq!(dec_kind(&hex("43 0102")), ErrorKind::Malformed);
}

#[test]
fn cbor_04_huge_array_or_map_count_fails_at_once() {
    assert_eq!(dec_kind(&hex("9b 00000000ffffffff")), ErrorKind::Malformed);
    assert_eq!(
        dec_kind(&hex("9b ffffffffffffffff 00")),
        ErrorKind::Malformed
    );
    assert_eq!(dec_kind(&hex("bb 00000000ffffffff")), ErrorKind::Malformed);
    // A map needs two bytes per entry: 2 entries in 3 bytes is short.
    assert_eq!(dec_kind(&hex("a2 00 00 00")), ErrorKind::Malformed);
}

fn array_of_zeros(n: usize) -> Vec<u8> {
    let mut v = Item::array(vec![]).raw().to_vec();
    v.clear();
    let n64 = u64::try_from(n).unwrap();
    cbor::push_head(&mut v, 4, n64);
    v.extend(std::iter::repeat_n(0u8, n));
    v
}

#[test]
fn container_len_limit_just_below_and_above() {
    decode(&array_of_zeros(MAX_CBOR_CONTAINER_LEN)).unwrap();
    assert_eq!(
        dec_kind(&array_of_zeros(MAX_CBOR_CONTAINER_LEN + 1)),
        ErrorKind::LimitExceeded
    );
    // Indefinite arrays are counted as they go.
    let mut indef = vec![0x9f];
    indef.extend(std::iter::repeat_n(0u8, MAX_CBOR_CONTAINER_LEN + 1));
    indef.push(0xff);
    assert_eq!(dec_kind(&indef), ErrorKind::LimitExceeded);
    indef.remove(1);
    decode(&indef).unwrap();
    // Maps: entries, not items.
    let mut map = Vec::new();
    cbor::push_head(
        &mut map,
        5,
        u64::try_from(MAX_CBOR_CONTAINER_LEN).unwrap() + 1,
    );
    for i in 0..=MAX_CBOR_CONTAINER_LEN {
        map.extend_from_slice(Item::uint(u64::try_from(i).unwrap()).raw());
        map.push(0);
    }
    assert_eq!(dec_kind(&map), ErrorKind::LimitExceeded);
}

#[test]
fn total_items_limit_just_below_and_above() {
    // 1 outer array + 4 inner arrays + their zeros.
    let build = |zeros: usize| {
        let per = zeros / 4;
        let mut v = vec![0x84];
        for i in 0..4 {
            let n = if i == 3 { zeros - 3 * per } else { per };
            v.extend_from_slice(&array_of_zeros(n));
        }
        v
    };
    decode(&build(MAX_CBOR_ITEMS - 5)).unwrap();
    assert_eq!(
        dec_kind(&build(MAX_CBOR_ITEMS - 4)),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn input_size_limit_just_below_and_above() {
    let bstr = |total: usize| {
        let mut v = vec![0x5a];
        v.extend_from_slice(&u32::try_from(total - 5).unwrap().to_be_bytes());
        v.resize(total, 0x61);
        v
    };
    decode(&bstr(MAX_CBOR_BYTES)).unwrap();
    assert_eq!(
        dec_kind(&bstr(MAX_CBOR_BYTES + 1)),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn cbor_05_duplicate_map_keys() {
    // {"docType": 1, "docType": 2}
    let dup = hex("a2 67 646f6354797065 01 67 646f6354797065 02");
    assert_eq!(dec_kind(&dup), ErrorKind::Malformed);
    // 1 and a non-minimal 1 are the same key in the data model.
    assert_eq!(dec_kind(&hex("a2 01 00 1801 00")), ErrorKind::Malformed);
    // Same text, one indefinite: still the same key.
    assert_eq!(
        dec_kind(&hex("a2 6161 00 7f 6161 ff 00")),
        ErrorKind::Malformed
    );
    // Inside an IssuerSignedItem behind tag 24: found when the embedded item is read.
    let inner = hex("a2 6c656c656d656e7456616c7565 01 6c656c656d656e7456616c7565 02");
    let wrapped = Item::tag(24, Item::bytes(&inner));
    let outer = decode(wrapped.raw()).unwrap();
    assert_eq!(kind(outer.embedded("item")), ErrorKind::Malformed);
    // Composite keys are refused by decision (no identity format uses them).
    assert_eq!(dec_kind(&hex("a1 80 00")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("a1 a0 00")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("a1 c1 80 00")), ErrorKind::Malformed);
    decode(&hex("a3 c1 01 00 f4 00 41 00 00")).unwrap();
    assert_eq!(
        kind(Item::map(vec![(Item::array(vec![]), Item::uint(0))])),
        ErrorKind::ApiMisuse
    );
    // Building a map with a repeated key is the caller's mistake.
    assert_eq!(
        kind(Item::map(vec![
            (Item::text("a"), Item::uint(1)),
            (Item::text("a"), Item::uint(2))
        ])),
        ErrorKind::ApiMisuse
    );
}

/// CBOR-05: the pairwise comparison used for small maps finds exactly the
/// keys whose canonical encodings are equal, and past the linear size the
/// hashed check still finds a repeat wherever it sits.
#[test]
fn cbor_05_duplicate_keys_small_and_large_maps_agree_with_canonical() {
    let keys = [
        "00",
        "1800",
        "01",
        "1801",
        "190001",
        "20",
        "3800",
        "6161",
        "7f6161ff",
        "7f61616162ff",
        "6162",
        "4161",
        "5f4161ff",
        "4162",
        "d8206161",
        "d8216161",
        "d900206161",
        "d8207f6161ff",
        "c101",
        "c11801",
        "f4",
        "f5",
        "f6",
        "f7",
        "f90000",
        "f98000",
        "fa00000000",
        "fb0000000000000000",
        "f93c00",
        "fa3f800000",
        "fb3ff0000000000000",
        "f97e00",
        "fa7fc00000",
        "fb7ff8000000000001",
        "f97c00",
        "fa7f800000",
        "c1f93c00",
    ];
    for a in keys {
        for b in keys {
            let ka = decode(&hex(a)).unwrap();
            let kb = decode(&hex(b)).unwrap();
            let same = canonical(&ka) == canonical(&kb);
            let map = hex(&format!("a2 {a} 00 {b} 00"));
            assert_eq!(decode(&map).is_err(), same, "keys {a} and {b}");
            if same {
                assert_eq!(dec_kind(&map), ErrorKind::Malformed);
            }
        }
    }
    // 48 integer keys: a repeat among the first 32, across the boundary,
    // and past it, each found; none, decoded.
    let big = |keys: &[u64]| {
        let mut m = vec![0xb8, u8::try_from(keys.len()).unwrap()];
        for k in keys {
            m.push(0x18);
            m.push(u8::try_from(*k).unwrap());
            m.push(0xf6);
        }
        m
    };
    let distinct: Vec<u64> = (24..72).collect();
    let m = decode(&big(&distinct)).unwrap();
    assert_eq!(m.as_map("m").unwrap().len(), 48);
    for (at, copy_of) in [(5, 2), (40, 3), (47, 38), (32, 31)] {
        let mut keys = distinct.clone();
        keys[at] = keys[copy_of];
        assert_eq!(
            dec_kind(&big(&keys)),
            ErrorKind::Malformed,
            "repeat at {at}"
        );
    }
}

#[test]
fn cbor_06_indefinite_lengths() {
    // (a) a text chunk inside an indefinite bstr; nested indefinite chunks.
    assert_eq!(dec_kind(&hex("5f 6161 ff")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("5f 5f 4101 ff ff")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("7f 4161 ff")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("7f 7f 6161 ff ff")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("5f 4101")), ErrorKind::Malformed); // no break
                                                                 // Well-formed chunks concatenate; raw bytes stay as received.
    let b = hex("5f 42 0102 41 03 ff");
    let item = decode(&b).unwrap();
    assert_eq!(item.as_bytes("b").unwrap(), &[1, 2, 3]);
    assert_eq!(item.raw(), &b[..]);
    assert_eq!(
        decode(&hex("7f 62 6869 61 21 ff"))
            .unwrap()
            .as_text("t")
            .unwrap(),
        "hi!"
    );
    // (b) an indefinite map and array parse within limits, and keep their bytes.
    let m = hex("bf 6161 9f 01 02 ff 6162 f5 ff");
    let item = decode(&m).unwrap();
    assert_eq!(item.raw(), &m[..]);
    assert_eq!(item.get("a").unwrap().as_array("a").unwrap().len(), 2);
    assert!(item.get("b").unwrap().as_bool("b").unwrap());
    assert_eq!(canonical(&item), hex("a2 6161 82 01 02 6162 f5"));
    // Strict mode refuses each indefinite form.
    for s in ["bf ff", "9f ff", "5f ff", "7f ff"] {
        assert_eq!(
            kind(decode_with(&hex(s), &DecodeOptions::strict())),
            ErrorKind::Malformed,
            "{s}"
        );
    }
    // A break where a value should be.
    assert_eq!(dec_kind(&hex("bf 6161 ff")), ErrorKind::Malformed);
}

#[test]
fn cbor_07_non_minimal_heads_accepted_and_kept() {
    let b = hex("59 0003 616263");
    let item = decode(&b).unwrap();
    assert_eq!(item.as_bytes("b").unwrap(), b"abc");
    assert_eq!(item.raw(), &b[..]);
    assert_eq!(canonical(&item), hex("43 616263"));
    assert_eq!(
        decode(&hex("1b 0000000000000001"))
            .unwrap()
            .as_uint("n")
            .unwrap(),
        1
    );
    // A received non-minimal item placed in a built array keeps its bytes.
    let arr = Item::array(vec![item.clone(), Item::uint(1)]);
    assert_eq!(arr.raw(), &hex("82 59 0003 616263 01")[..]);
}

#[test]
fn cbor_08_invalid_utf8() {
    assert_eq!(dec_kind(&hex("62 c328")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("a1 62 c328 00")), ErrorKind::Malformed); // as a key
    assert_eq!(dec_kind(&hex("7f 61 c3 61 a9 ff")), ErrorKind::Malformed); // split code point
    assert_eq!(decode(&hex("62 c3a9")).unwrap().as_text("t").unwrap(), "é");
}

#[test]
fn cbor_09_trailing_bytes() {
    assert_eq!(dec_kind(&hex("00 00")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("a0 ff")), ErrorKind::Malformed);
    let mut dr = vector("iso18013-5-annexD/device_response.hex");
    dr.push(0x00);
    assert_eq!(dec_kind(&dr), ErrorKind::Malformed);
    assert_eq!(dec_kind(&[]), ErrorKind::Malformed);
}

#[test]
fn cbor_10_reserved_additional_info_and_simple_values() {
    for major in 0u8..8 {
        for ai in 28u8..=30 {
            let b = [(major << 5) | ai, 0, 0, 0, 0, 0, 0, 0, 0];
            assert_eq!(dec_kind(&b), ErrorKind::Malformed, "0x{:02x}", b[0]);
        }
    }
    // Two-byte simple values below 32 are not well-formed.
    for v in 0u8..32 {
        assert_eq!(dec_kind(&[0xf8, v]), ErrorKind::Malformed, "f8 {v:02x}");
    }
    // Unassigned simple values: refused by decision.
    assert_eq!(dec_kind(&hex("e0")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("f3")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("f8 20")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("f8 ff")), ErrorKind::Malformed);
    // Indefinite integers, tags; a stray break.
    assert_eq!(dec_kind(&hex("1f")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("3f")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("df 00")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("ff")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("81 ff")), ErrorKind::Malformed);
    // The assigned ones work.
    assert!(!decode(&hex("f4")).unwrap().as_bool("b").unwrap());
    assert!(decode(&hex("f6")).unwrap().is_null());
    assert!(matches!(
        decode(&hex("f7")).unwrap().value(),
        Value::Undefined
    ));
}

#[test]
fn cbor_11_typed_accessors_refuse_other_types() {
    // digestID as a tag-2 bignum, or a float.
    let big = decode(&hex("c2 41 01")).unwrap();
    assert_eq!(kind(big.as_uint("digestID")), ErrorKind::Malformed);
    let float = decode(&hex("f9 3c00")).unwrap();
    assert_eq!(kind(float.as_uint("digestID")), ErrorKind::Malformed);
    assert_eq!(
        kind(decode(&hex("20")).unwrap().as_uint("digestID")),
        ErrorKind::Malformed
    );
    // docType as an int.
    assert_eq!(
        kind(decode(&hex("01")).unwrap().as_text("docType")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(decode(&hex("01")).unwrap().as_bytes("x")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(decode(&hex("01")).unwrap().as_map("x")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(decode(&hex("01")).unwrap().as_array("x")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(decode(&hex("a0")).unwrap().require("docType", "doc")),
        ErrorKind::Malformed
    );
    // Integer ranges.
    assert_eq!(
        decode(&hex("3b ffffffffffffffff"))
            .unwrap()
            .as_int("n")
            .ok(),
        None
    );
    assert_eq!(
        decode(&hex("1b ffffffffffffffff"))
            .unwrap()
            .as_uint("n")
            .unwrap(),
        u64::MAX
    );
    assert_eq!(decode(&hex("38 63")).unwrap().as_int("n").unwrap(), -100);
    // Known tags with content of the wrong type fail at decode.
    assert_eq!(dec_kind(&hex("d8 18 01")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("d9 03ec 01")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("c0 01")), ErrorKind::Malformed);
    assert_eq!(dec_kind(&hex("c2 61 61")), ErrorKind::Malformed);
}

fn tag_text(tag: u64, s: &str) -> Item {
    decode(Item::tag(tag, Item::text(s)).raw()).unwrap()
}

#[test]
fn cbor_12_full_date_and_tdate() {
    assert_eq!(
        kind(tag_text(1004, "2024-02-30").full_date("birth_date")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "2023-02-29").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "2024-13-01").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "2024-00-10").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "2024-2-01").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "2024-02-01T").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(1004, "+024-02-01").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(tag_text(0, "2024-02-01").full_date("d")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(decode(&hex("64 32303234")).unwrap().full_date("d")),
        ErrorKind::Malformed
    );
    let d = tag_text(1004, "2024-02-29").full_date("d").unwrap();
    assert_eq!((d.year, d.month, d.day), (2024, 2, 29));
    assert_eq!(d.to_string(), "2024-02-29");
    assert_eq!(
        Item::from_full_date(d).raw(),
        tag_text(1004, "2024-02-29").raw()
    );
    assert_eq!(tag_text(1004, "2000-02-29").full_date("d").unwrap().day, 29);
    assert_eq!(
        kind(tag_text(1004, "1900-02-29").full_date("d")),
        ErrorKind::Malformed
    );

    for bad in [
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-01-01T25:00:00Z",
        "2024-01-01T00:61:00Z",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00+2400",
        "not a date",
    ] {
        assert_eq!(
            kind(tag_text(0, bad).tdate("signed")),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    assert_eq!(
        kind(tag_text(1004, "2024-01-01").tdate("t")),
        ErrorKind::Malformed
    );
    let t = tag_text(0, "2020-10-01T13:30:02Z").tdate("signed").unwrap();
    assert_eq!(t.time.as_secs(), 1_601_559_002);
    assert!(t.utc_z && !t.has_fraction);
    let t = tag_text(0, "2020-10-01T15:30:02.5+02:00")
        .tdate("signed")
        .unwrap();
    assert_eq!(t.time.as_secs(), 1_601_559_002);
    assert!(!t.utc_z && t.has_fraction);
    assert_eq!(
        Item::from_tdate(crate::time::UnixTime::from_secs(1_601_559_002)).raw(),
        tag_text(0, "2020-10-01T13:30:02Z").raw()
    );
}

#[test]
fn cbor_13_non_canonical_key_order_kept_and_hashed_as_received() {
    // {"digestID": 0, "random": h'01'}: not in canonical order (shorter key first).
    let inner = hex("a2 686469676573744944 00 6672616e646f6d 41 01");
    let bytes = Item::tag(24, Item::bytes(&inner)).raw().to_vec();
    let item = decode(&bytes).unwrap();
    let e = item.embedded("IssuerSignedItemBytes").unwrap();
    assert_eq!(e.item.raw(), &inner[..]);
    assert_eq!(e.item.raw(), &inner[..]);
    assert_eq!(
        e.item.get("digestID").unwrap().as_uint("digestID").unwrap(),
        0
    );
    assert_eq!(item.raw(), &bytes[..]);
    assert_ne!(canonical(&e.item), inner);
    let m = e.item.as_map("m").unwrap();
    assert_eq!(m[0].0.as_text("k").unwrap(), "digestID");
}

#[test]
fn embedded_tag24_must_hold_exactly_one_item() {
    let with_trailing = decode(Item::tag(24, Item::bytes(&hex("01 02"))).raw()).unwrap();
    assert_eq!(kind(with_trailing.embedded("x")), ErrorKind::Malformed);
    let empty = decode(Item::tag(24, Item::bytes(&[])).raw()).unwrap();
    assert_eq!(kind(empty.embedded("x")), ErrorKind::Malformed);
    let not24 = decode(&hex("d8 19 41 00")).unwrap();
    assert_eq!(kind(not24.embedded("x")), ErrorKind::Malformed);
    // Indefinite bstr inside tag 24: the concatenated chunks are the inner bytes.
    let indef = decode(&hex("d8 18 5f 41 82 42 0102 ff")).unwrap();
    let e = indef.embedded("x").unwrap();
    assert_eq!(e.item.raw(), &hex("82 01 02")[..]);
    // Item::embed wraps the exact bytes of an item.
    let received = decode(&hex("a2 6162 01 6161 02")).unwrap();
    let wrapped = Item::embed(&received);
    assert_eq!(wrapped.raw(), &hex("d8 18 47 a2 6162 01 6161 02")[..]);
    // Strict options apply to the inner decode when asked.
    let inner_indef = decode(Item::tag(24, Item::bytes(&hex("9f ff"))).raw()).unwrap();
    inner_indef.embedded("x").unwrap();
    assert_eq!(
        kind(inner_indef.embedded_with("x", &DecodeOptions::strict())),
        ErrorKind::Malformed
    );
}

#[test]
fn encoder_is_deterministic() {
    // RFC 8949 Appendix A values, encoded in preferred form.
    let cases: Vec<(Item, &str)> = vec![
        (Item::uint(0), "00"),
        (Item::uint(23), "17"),
        (Item::uint(24), "1818"),
        (Item::uint(1000), "1903e8"),
        (Item::uint(1_000_000), "1a000f4240"),
        (Item::uint(1_000_000_000_000), "1b000000e8d4a51000"),
        (Item::uint(u64::MAX), "1bffffffffffffffff"),
        (Item::int(-1), "20"),
        (Item::int(-1000), "3903e7"),
        (Item::int(i64::MIN), "3b7fffffffffffffff"),
        (Item::float(0.0), "f90000"),
        (Item::float(-0.0), "f98000"),
        (Item::float(1.0), "f93c00"),
        (Item::float(1.1), "fb3ff199999999999a"),
        (Item::float(1.5), "f93e00"),
        (Item::float(65504.0), "f97bff"),
        (Item::float(100000.0), "fa47c35000"),
        (Item::float(3.4028234663852886e+38), "fa7f7fffff"),
        (Item::float(1.0e+300), "fb7e37e43c8800759c"),
        (Item::float(5.960464477539063e-8), "f90001"),
        (Item::float(0.00006103515625), "f90400"),
        (Item::float(-4.0), "f9c400"),
        (Item::float(f64::INFINITY), "f97c00"),
        (Item::float(f64::NEG_INFINITY), "f9fc00"),
        (Item::float(f64::NAN), "f97e00"),
        (Item::bool(false), "f4"),
        (Item::null(), "f6"),
        (Item::bytes(&[1, 2, 3, 4]), "4401020304"),
        (Item::text("IETF"), "6449455446"),
        (Item::text("\u{6c34}"), "63e6b0b4"),
        (
            Item::array(vec![Item::uint(1), Item::array(vec![Item::uint(2)])]),
            "82018102",
        ),
        (Item::tag(1, Item::uint(1_363_896_240)), "c11a514b67b0"),
        (
            // Sorted by encoded key: 10, 100, -1, h'00', "z", "aa", false.
            Item::map(vec![
                (Item::bool(false), Item::uint(0)),
                (Item::text("aa"), Item::uint(0)),
                (Item::bytes(&[0]), Item::uint(0)),
                (Item::int(-1), Item::uint(0)),
                (Item::text("z"), Item::uint(0)),
                (Item::uint(100), Item::uint(0)),
                (Item::uint(10), Item::uint(0)),
            ])
            .unwrap(),
            "a7 0a00 186400 2000 410000 617a00 62616100 f400",
        ),
    ];
    for (item, want) in cases {
        let want = hex(want);
        assert_eq!(to_hex(item.raw()), to_hex(&want));
        // Decoding and re-encoding gives the same bytes and value.
        let back = decode(&want).unwrap();
        assert_eq!(canonical(&back), want);
        assert_eq!(canonical(&item), want);
    }
    // Half, single and double decode to the same value.
    for h in ["f93e00", "fa3fc00000", "fb3ff8000000000000"] {
        assert_eq!(canonical(&decode(&hex(h)).unwrap()), hex("f93e00"));
    }
    assert!(matches!(decode(&hex("f97e00")).unwrap().value(), Value::Float(f) if f.is_nan()));
    // map_in_order keeps the caller's order.
    let m = Item::map_in_order(vec![
        (Item::int(4), Item::uint(0)),
        (Item::int(1), Item::uint(0)),
    ])
    .unwrap();
    assert_eq!(m.raw(), &hex("a2 0400 0100")[..]);
}

#[test]
fn raw_bytes_of_sub_items_are_exact() {
    let b = hex("a2 61 61 59 0002 0102 61 62 9f 18 01 ff");
    let item = decode(&b).unwrap();
    assert_eq!(item.get("a").unwrap().raw(), &hex("59 0002 0102")[..]);
    assert_eq!(item.get("b").unwrap().raw(), &hex("9f 18 01 ff")[..]);
    assert_eq!(item.get_int(1).map(|_| ()), None);
    assert!(item.get("c").is_none());
}

// ---------------------------------------------------------------------------
// COSE_Sign1

#[test]
fn sign1_round_trips_for_every_algorithm_attached_and_detached() {
    for alg in ALGS {
        let k = key(alg);
        for detached in [false, true] {
            for tagged in [false, true] {
                let unprot = Header::new().with_kid(b"k1").unwrap();
                let bytes = sign1(
                    &Header::new(),
                    &unprot,
                    b"payload",
                    detached,
                    &k,
                    b"aad",
                    tagged,
                )
                .unwrap();
                assert_eq!(bytes[0] == 0xd2, tagged);
                let s = CoseSign1::parse(&bytes).unwrap();
                assert_eq!(s.alg(), alg);
                assert_eq!(s.kid(), Some(&b"k1"[..]));
                assert_eq!(s.signature().len(), alg.signature_len());
                let detached_arg = detached.then_some(&b"payload"[..]);
                assert_eq!(s.payload().is_none(), detached);
                let _ = s.verify(k.public_key(), b"aad", detached_arg).unwrap();
                // Another key of the same algorithm fails.
                assert_eq!(
                    kind(s.verify(key(alg).public_key(), b"aad", detached_arg)),
                    ErrorKind::Signature
                );
                // A different detached payload fails.
                if detached {
                    assert_eq!(
                        kind(s.verify(k.public_key(), b"aad", Some(b"other"))),
                        ErrorKind::Signature
                    );
                }
            }
        }
    }
}

#[test]
fn sign1_protected_header_is_deterministic_and_checked() {
    let k = key(Algorithm::Es256);
    let p = Header::new().with_kid(b"kid").unwrap();
    let bytes = sign1(&p, &Header::new(), b"x", false, &k, b"", false).unwrap();
    let s = CoseSign1::parse(&bytes).unwrap();
    // {1: -7, 4: h'6b6964'}, sorted.
    assert_eq!(s.protected_bytes(), &hex("a2 01 26 04 43 6b6964")[..]);
    // A protected alg that disagrees with the signer, or a label in both buckets.
    let wrong = Header::new().with(Label::Int(1), Item::int(-35)).unwrap();
    assert_eq!(
        kind(sign1(&wrong, &Header::new(), b"x", false, &k, b"", false)),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        kind(sign1(&p, &p, b"x", false, &k, b"", false)),
        ErrorKind::ApiMisuse
    );
    let crit = Header::new()
        .with(Label::Int(2), Item::array(vec![Item::int(4)]))
        .unwrap();
    assert_eq!(
        kind(sign1(&Header::new(), &crit, b"x", false, &k, b"", false)),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        kind(Header::new().with_kid(b"a").unwrap().with_kid(b"b")),
        ErrorKind::ApiMisuse
    );
}

struct ShortSigner(PrivateKey);
impl Signer for ShortSigner {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
    fn public_key(&self) -> &PublicKey {
        self.0.public_key()
    }
    fn sign(&self, m: &[u8]) -> crate::Result<Vec<u8>> {
        let mut s = self.0.sign(m)?;
        s.pop();
        Ok(s)
    }
}

#[test]
fn sign1_refuses_a_signer_returning_a_wrong_length() {
    let s = ShortSigner(key(Algorithm::Es256));
    assert_eq!(
        kind(sign1(
            &Header::new(),
            &Header::new(),
            b"x",
            false,
            &s,
            b"",
            false
        )),
        ErrorKind::ApiMisuse
    );
}

fn alg_p(alg: i64) -> Vec<u8> {
    prot(vec![(Item::int(1), Item::int(alg))])
}

#[test]
fn cose_01_alg_only_unprotected() {
    let k = key(Algorithm::Es256);
    let u = Item::map(vec![(Item::int(1), Item::int(-7))]).unwrap();
    let b = hand_sign1(&[], u.clone(), b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
    let b = hand_sign1(&hex("a0"), u, b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
}

#[test]
fn cose_02_label_in_both_buckets() {
    let k = key(Algorithm::Es256);
    let u = Item::map(vec![(Item::int(1), Item::int(-35))]).unwrap();
    let b = hand_sign1(&alg_p(-7), u, b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
    // Same value, and another label (kid), are refused too.
    let u = Item::map(vec![(Item::int(1), Item::int(-7))]).unwrap();
    let b = hand_sign1(&alg_p(-7), u, b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
    let p = prot(vec![
        (Item::int(1), Item::int(-7)),
        (Item::int(4), Item::bytes(b"a")),
    ]);
    let u = Item::map(vec![(Item::int(4), Item::bytes(b"b"))]).unwrap();
    let b = hand_sign1(&p, u, b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
}

#[test]
fn cose_03_crit_unprotected() {
    let k = key(Algorithm::Es256);
    let u = Item::map(vec![(Item::int(2), Item::array(vec![Item::int(4)]))]).unwrap();
    let b = hand_sign1(&alg_p(-7), u, b"p", &k, "Signature1", b"");
    assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
}

#[test]
fn cose_04_protected_crit() {
    let k = key(Algorithm::Es256);
    let with_crit = |crit: Item| {
        let p = prot(vec![
            (Item::int(1), Item::int(-7)),
            (Item::int(2), crit),
            (Item::int(99), Item::uint(1)),
        ]);
        hand_sign1(&p, empty_map(), b"p", &k, "Signature1", b"")
    };
    assert_eq!(
        kind(CoseSign1::parse(&with_crit(Item::array(vec![Item::int(
            99
        )])))),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_crit(Item::array(vec![Item::text(
            "x"
        )])))),
        ErrorKind::Unsupported
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_crit(Item::array(vec![])))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_crit(Item::int(99)))),
        ErrorKind::Malformed
    );
    // A crit naming a label we understand is fine.
    let b = with_crit(Item::array(vec![Item::int(1)]));
    let _ = CoseSign1::parse(&b)
        .unwrap()
        .verify(k.public_key(), b"", None)
        .unwrap();
}

#[test]
fn cose_05_protected_bytes_as_received() {
    let k = key(Algorithm::Es256);
    // h'' and h'a0' both carry no alg: refused whichever way one reads them.
    for p in [&[][..], &hex("a0")[..]] {
        let b = hand_sign1(p, empty_map(), b"p", &k, "Signature1", b"");
        assert_eq!(kind(CoseSign1::parse(&b)), ErrorKind::Malformed);
    }
    // {1: -7} with a non-minimal -7 (0x38 0x06): signed and verified as received;
    // a re-encoding (a10126) would not verify.
    let p = hex("a1 01 38 06");
    let b = hand_sign1(&p, empty_map(), b"p", &k, "Signature1", b"");
    let s = CoseSign1::parse(&b).unwrap();
    assert_eq!(s.protected_bytes(), &p[..]);
    let _ = s.verify(k.public_key(), b"", None).unwrap();
    let sig = s.signature();
    assert_eq!(
        kind(verify_signature(
            Algorithm::Es256,
            k.public_key(),
            &to_be_signed("Signature1", &hex("a1 01 26"), b"", b"p"),
            sig
        )),
        ErrorKind::Signature
    );
    // The protected bstr itself with a non-minimal length head (CBOR-07).
    let mut b2 = vec![0x84, 0x58, 0x03];
    b2.extend_from_slice(&hex("a1 01 26"));
    let sig = k
        .sign(&to_be_signed("Signature1", &hex("a1 01 26"), b"", b"p"))
        .unwrap();
    b2.extend_from_slice(&hex("a0 41 70"));
    b2.extend_from_slice(Item::bytes(&sig).raw());
    let _ = CoseSign1::parse(&b2)
        .unwrap()
        .verify(k.public_key(), b"", None)
        .unwrap();
}

#[test]
fn cose_06_unsorted_protected_map_verifies() {
    let k = key(Algorithm::Es256);
    let p = prot(vec![
        (Item::int(4), Item::bytes(b"kid")),
        (Item::int(1), Item::int(-7)),
    ]);
    assert_eq!(p[1], 0x04);
    let b = hand_sign1(&p, empty_map(), b"p", &k, "Signature1", b"");
    let s = CoseSign1::parse(&b).unwrap();
    assert_eq!(s.protected_bytes(), &p[..]);
    let _ = s.verify(k.public_key(), b"", None).unwrap();
}

#[test]
fn cose_07_tags() {
    let k = key(Algorithm::Es256);
    let untagged = sign1(&Header::new(), &Header::new(), b"p", false, &k, b"", false).unwrap();
    let inner = decode(&untagged).unwrap();
    let _ = CoseSign1::parse(&untagged).unwrap();
    let _ = CoseSign1::parse(Item::tag(18, inner.clone()).raw()).unwrap();
    for t in [17, 98, 96, 97, 16, 24, 55799] {
        assert_eq!(
            kind(CoseSign1::parse(Item::tag(t, inner.clone()).raw())),
            ErrorKind::Malformed,
            "tag {t}"
        );
    }
    // tag 18 twice is not a COSE_Sign1 array.
    let twice = Item::tag(18, Item::tag(18, inner.clone()));
    assert_eq!(kind(CoseSign1::parse(twice.raw())), ErrorKind::Malformed);
    // Mac0: untagged or 17, never 18.
    let key32 = [9u8; 32];
    let mac = mac0(
        &Header::new(),
        &Header::new(),
        b"p",
        false,
        &key32,
        b"",
        false,
    )
    .unwrap();
    let m = decode(&mac).unwrap();
    let _ = CoseMac0::parse(Item::tag(17, m.clone()).raw()).unwrap();
    assert_eq!(
        kind(CoseMac0::parse(Item::tag(18, m).raw())),
        ErrorKind::Malformed
    );
}

#[test]
fn cose_08_attached_versus_detached() {
    let k = key(Algorithm::Es256);
    let att = CoseSign1::parse(
        &sign1(&Header::new(), &Header::new(), b"p", false, &k, b"", false).unwrap(),
    )
    .unwrap();
    let det = CoseSign1::parse(
        &sign1(&Header::new(), &Header::new(), b"p", true, &k, b"", false).unwrap(),
    )
    .unwrap();
    // issuerAuth is expected attached: nil payload is malformed.
    assert_eq!(
        kind(det.verify(k.public_key(), b"", None)),
        ErrorKind::Malformed
    );
    // DeviceSignature is expected detached: a present payload is malformed.
    assert_eq!(
        kind(att.verify(k.public_key(), b"", Some(b"p"))),
        ErrorKind::Malformed
    );
    let _ = det.verify(k.public_key(), b"", Some(b"p")).unwrap();
    let _ = att.verify(k.public_key(), b"", None).unwrap();
    // A payload of another type.
    let p = alg_p(-7);
    let b = Item::array(vec![
        Item::bytes(&p),
        empty_map(),
        Item::text("p"),
        Item::bytes(&[0; 64]),
    ]);
    assert_eq!(kind(CoseSign1::parse(b.raw())), ErrorKind::Malformed);
}

fn with_x5chain(x5: Item) -> Vec<u8> {
    let k = key(Algorithm::Es256);
    let u = Item::map(vec![(Item::int(33), x5)]).unwrap();
    hand_sign1(&alg_p(-7), u, b"p", &k, "Signature1", b"")
}

#[test]
fn cose_09_x5chain_array_of_one_is_accepted_leniently() {
    // issue 8 interop point: real mdoc issuers send [bstr]; the chain is the
    // same one certificate, and every chain check still runs on it
    let one = Item::array(vec![Item::bytes(b"leaf")]);
    assert_eq!(parse_x5chain(&one).unwrap(), vec![b"leaf".to_vec()]);
    assert!(CoseSign1::parse(&with_x5chain(one.clone())).is_ok());
    assert_eq!(
        kind(CoseSign1::parse(&with_x5chain(Item::array(vec![])))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_x5chain(Item::array(vec![
            Item::bytes(b"a"),
            Item::text("b")
        ])))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_x5chain(Item::uint(1)))),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(CoseSign1::parse(&with_x5chain(Item::bytes(&[])))),
        ErrorKind::Malformed
    );
}

#[test]
fn cose_10_x5chain_single_bstr_and_arrays() {
    let s = CoseSign1::parse(&with_x5chain(Item::bytes(b"leaf"))).unwrap();
    assert_eq!(s.x5chain().unwrap(), Some(vec![b"leaf".to_vec()]));
    let s = CoseSign1::parse(&with_x5chain(Item::array(vec![
        Item::bytes(b"leaf"),
        Item::bytes(b"ca"),
    ])))
    .unwrap();
    assert_eq!(
        s.x5chain().unwrap(),
        Some(vec![b"leaf".to_vec(), b"ca".to_vec()])
    );
    // Missing: None (the trust layer turns that into Untrusted, COSE-11).
    let k = key(Algorithm::Es256);
    let plain = sign1(&Header::new(), &Header::new(), b"p", false, &k, b"", false).unwrap();
    assert_eq!(CoseSign1::parse(&plain).unwrap().x5chain().unwrap(), None);
    // The chain limit: MAX_CHAIN_CERTS accepted, one more refused.
    let chain = |n: usize| Item::array((0..n).map(|_| Item::bytes(b"c")).collect());
    let _ = CoseSign1::parse(&with_x5chain(chain(MAX_CHAIN_CERTS))).unwrap();
    assert_eq!(
        kind(CoseSign1::parse(&with_x5chain(chain(MAX_CHAIN_CERTS + 1)))),
        ErrorKind::LimitExceeded
    );
    // Our builder writes one certificate as a bare bstr.
    let h = Header::new().with_x5chain(&[b"leaf".to_vec()]).unwrap();
    let b = sign1(&Header::new(), &h, b"p", false, &k, b"", false).unwrap();
    let s = CoseSign1::parse(&b).unwrap();
    assert!(matches!(
        s.unprotected().get_int(33).unwrap().value(),
        Value::Bytes(_)
    ));
    let h = Header::new()
        .with_x5chain(&[b"leaf".to_vec(), b"ca".to_vec()])
        .unwrap();
    let b = sign1(&h, &Header::new(), b"p", false, &k, b"", false).unwrap();
    assert_eq!(
        CoseSign1::parse(&b)
            .unwrap()
            .x5chain()
            .unwrap()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(kind(Header::new().with_x5chain(&[])), ErrorKind::ApiMisuse);
}

#[test]
fn cose_13_alg_and_key_mismatch() {
    let p256 = key(Algorithm::Es256);
    let p384 = key(Algorithm::Es384);
    let s = CoseSign1::parse(
        &sign1(
            &Header::new(),
            &Header::new(),
            b"p",
            false,
            &p256,
            b"",
            false,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        kind(s.verify(p384.public_key(), b"", None)),
        ErrorKind::Signature
    );
    let s = CoseSign1::parse(
        &sign1(
            &Header::new(),
            &Header::new(),
            b"p",
            false,
            &p384,
            b"",
            false,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        kind(s.verify(p256.public_key(), b"", None)),
        ErrorKind::Signature
    );
    // A message claiming ES256 but signed by the P-384 key.
    let b = hand_sign1(&alg_p(-7), empty_map(), b"p", &p384, "Signature1", b"");
    let s = CoseSign1::parse(&b).unwrap();
    assert_eq!(
        kind(s.verify(p384.public_key(), b"", None)),
        ErrorKind::Signature
    );
}

#[test]
fn cose_14_external_aad_and_context() {
    let k = key(Algorithm::Es256);
    let s = CoseSign1::parse(
        &sign1(&Header::new(), &Header::new(), b"p", false, &k, b"", false).unwrap(),
    )
    .unwrap();
    assert_eq!(
        kind(s.verify(k.public_key(), b"expected", None)),
        ErrorKind::Signature
    );
    let s = CoseSign1::parse(
        &sign1(
            &Header::new(),
            &Header::new(),
            b"p",
            false,
            &k,
            b"aad",
            false,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        kind(s.verify(k.public_key(), b"", None)),
        ErrorKind::Signature
    );
    // Signed with context "Signature" (COSE_Sign) instead of "Signature1".
    let b = hand_sign1(&alg_p(-7), empty_map(), b"p", &k, "Signature", b"");
    let s = CoseSign1::parse(&b).unwrap();
    assert_eq!(
        kind(s.verify(k.public_key(), b"", None)),
        ErrorKind::Signature
    );
}

#[test]
fn cose_15_kid_is_only_a_hint() {
    let signer = key(Algorithm::Es256);
    let named = key(Algorithm::Es256);
    let u = Header::new().with_kid(b"named-key").unwrap();
    let s = CoseSign1::parse(&sign1(&Header::new(), &u, b"p", false, &signer, b"", false).unwrap())
        .unwrap();
    assert_eq!(s.kid(), Some(&b"named-key"[..]));
    // The caller picks the key the kid names; verification uses that key only.
    assert_eq!(
        kind(s.verify(named.public_key(), b"", None)),
        ErrorKind::Signature
    );
}

#[test]
fn unsupported_algorithms_and_malformed_shapes() {
    let k = key(Algorithm::Es256);
    let sig_with = |p: Vec<u8>| hand_sign1(&p, empty_map(), b"p", &k, "Signature1", b"");
    for alg in [5i64, -257, -9, -19, -36, 0, 1_000_000] {
        assert_eq!(
            kind(CoseSign1::parse(&sig_with(alg_p(alg)))),
            ErrorKind::Unsupported,
            "alg {alg}"
        );
    }
    let text_alg = prot(vec![(Item::int(1), Item::text("ES256"))]);
    assert_eq!(
        kind(CoseSign1::parse(&sig_with(text_alg))),
        ErrorKind::Unsupported
    );
    let p = alg_p(-7);
    let sig = Item::bytes(&[0; 64]);
    let shapes: Vec<Item> = vec![
        Item::array(vec![Item::bytes(&p), empty_map(), Item::bytes(b"p")]),
        Item::array(vec![
            Item::bytes(&p),
            empty_map(),
            Item::bytes(b"p"),
            sig.clone(),
            sig.clone(),
        ]),
        Item::array(vec![
            Item::uint(0),
            empty_map(),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        Item::array(vec![
            Item::bytes(&p),
            Item::array(vec![]),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        Item::array(vec![
            Item::bytes(&p),
            empty_map(),
            Item::bytes(b"p"),
            Item::text("s"),
        ]),
        // Protected bstr holding an array, or a map followed by trailing bytes.
        Item::array(vec![
            Item::bytes(&hex("80")),
            empty_map(),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        Item::array(vec![
            Item::bytes(&hex("a1 01 26 00")),
            empty_map(),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        // A label that is neither int nor tstr; a kid that is not a bstr.
        Item::array(vec![
            Item::bytes(&p),
            Item::map(vec![(Item::bytes(b"l"), Item::uint(0))]).unwrap(),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        Item::array(vec![
            Item::bytes(&p),
            Item::map(vec![(Item::int(4), Item::text("kid"))]).unwrap(),
            Item::bytes(b"p"),
            sig.clone(),
        ]),
        Item::map(vec![]).unwrap(),
    ];
    for (i, s) in shapes.iter().enumerate() {
        assert_eq!(
            kind(CoseSign1::parse(s.raw())),
            ErrorKind::Malformed,
            "shape {i}"
        );
    }
    // A wrong-length signature parses but fails verification.
    let b = Item::array(vec![
        Item::bytes(&p),
        empty_map(),
        Item::bytes(b"p"),
        Item::bytes(&[1; 63]),
    ]);
    let s = CoseSign1::parse(b.raw()).unwrap();
    assert_eq!(
        kind(s.verify(k.public_key(), b"", None)),
        ErrorKind::Signature
    );
}

// ---------------------------------------------------------------------------
// COSE_Mac0

#[test]
fn mac0_round_trip_and_failures() {
    let key32 = [0x42u8; 32];
    for detached in [false, true] {
        for tagged in [false, true] {
            let b = mac0(
                &Header::new(),
                &Header::new(),
                b"payload",
                detached,
                &key32,
                b"aad",
                tagged,
            )
            .unwrap();
            assert_eq!(b[0] == 0xd1, tagged);
            let m = CoseMac0::parse(&b).unwrap();
            assert_eq!(m.protected_bytes(), &hex("a1 01 05")[..]);
            assert_eq!(m.tag().len(), 32);
            let d = detached.then_some(&b"payload"[..]);
            let _ = m.verify(&key32, b"aad", d).unwrap();
            assert_eq!(kind(m.verify(&[0x43; 32], b"aad", d)), ErrorKind::Signature);
            assert_eq!(kind(m.verify(&key32, b"", d)), ErrorKind::Signature);
            assert_eq!(kind(m.verify(&[0x42; 16], b"aad", d)), ErrorKind::ApiMisuse);
            let other = if detached {
                None
            } else {
                Some(&b"payload"[..])
            };
            assert_eq!(kind(m.verify(&key32, b"aad", other)), ErrorKind::Malformed);
        }
    }
    // Truncated tag: fails as Signature.
    let b = mac0(
        &Header::new(),
        &Header::new(),
        b"p",
        false,
        &key32,
        b"",
        false,
    )
    .unwrap();
    let m = CoseMac0::parse(&b).unwrap();
    let arr = decode(&b).unwrap();
    let a = arr.as_array("m").unwrap();
    let trunc = Item::array(vec![
        a[0].clone(),
        a[1].clone(),
        a[2].clone(),
        Item::bytes(&m.tag()[..8]),
    ]);
    let t = CoseMac0::parse(trunc.raw()).unwrap();
    assert_eq!(kind(t.verify(&key32, b"", None)), ErrorKind::Signature);
    // Matches an independent HMAC over MAC_structure.
    let expect = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key32),
        &to_be_signed("MAC0", &hex("a1 01 05"), b"", b"p"),
    );
    assert_eq!(m.tag(), expect.as_ref());
    // Sign1 context on a MAC: refused.
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key32),
        &to_be_signed("Signature1", &hex("a1 01 05"), b"", b"p"),
    );
    let wrong_ctx = Item::array(vec![
        Item::bytes(&hex("a1 01 05")),
        empty_map(),
        Item::bytes(b"p"),
        Item::bytes(tag.as_ref()),
    ]);
    let w = CoseMac0::parse(wrong_ctx.raw()).unwrap();
    assert_eq!(kind(w.verify(&key32, b"", None)), ErrorKind::Signature);
    assert_eq!(
        kind(mac0(
            &Header::new(),
            &Header::new(),
            b"p",
            false,
            &[1; 31],
            b"",
            false
        )),
        ErrorKind::ApiMisuse
    );
}

#[test]
fn mac0_algorithms_and_bucket_rules() {
    let mac_with = |p: Vec<u8>, u: Item| {
        Item::array(vec![
            Item::bytes(&p),
            u,
            Item::bytes(b"p"),
            Item::bytes(&[0; 32]),
        ])
        .raw()
        .to_vec()
    };
    for alg in [4i64, 6, 7, -7, 25] {
        assert_eq!(
            kind(CoseMac0::parse(&mac_with(alg_p(alg), empty_map()))),
            ErrorKind::Unsupported,
            "alg {alg}"
        );
    }
    let alg_u = Item::map(vec![(Item::int(1), Item::int(5))]).unwrap();
    assert_eq!(
        kind(CoseMac0::parse(&mac_with(vec![], alg_u))),
        ErrorKind::Malformed
    );
    let both = Item::map(vec![(Item::int(1), Item::int(5))]).unwrap();
    assert_eq!(
        kind(CoseMac0::parse(&mac_with(alg_p(5), both))),
        ErrorKind::Malformed
    );
    let crit = Item::map(vec![(Item::int(2), Item::array(vec![Item::int(1)]))]).unwrap();
    assert_eq!(
        kind(CoseMac0::parse(&mac_with(alg_p(5), crit))),
        ErrorKind::Malformed
    );
    // A COSE_Sign1 is not a Mac0.
    let k = key(Algorithm::Es256);
    let s = sign1(&Header::new(), &Header::new(), b"p", false, &k, b"", true).unwrap();
    assert_eq!(kind(CoseMac0::parse(&s)), ErrorKind::Malformed);
}

// ---------------------------------------------------------------------------
// COSE_Key

fn cose_key(entries: Vec<(i64, Item)>) -> Item {
    Item::map(
        entries
            .into_iter()
            .map(|(l, v)| (Item::int(l), v))
            .collect(),
    )
    .unwrap()
}

#[test]
fn cose_key_round_trips() {
    for alg in ALGS {
        let k = key(alg);
        let item = cose_key_from_public_key(k.public_key());
        let back = public_key_from_cose_key(&decode(item.raw()).unwrap()).unwrap();
        assert_eq!(&back, k.public_key());
        assert_eq!(public_key_from_cose_key_bytes(item.raw()).unwrap(), back);
    }
}

#[test]
fn cose_key_rejections() {
    let k = key(Algorithm::Es256);
    let (x, y) = (k.public_key().x().to_vec(), k.public_key().y().to_vec());
    let ec2 = |extra: Vec<(i64, Item)>| {
        let mut e = vec![
            (1, Item::int(2)),
            (-1, Item::int(1)),
            (-2, Item::bytes(&x)),
            (-3, Item::bytes(&y)),
        ];
        for (l, v) in extra {
            e.retain(|(m, _)| *m != l);
            e.push((l, v));
        }
        cose_key(e)
    };
    assert_eq!(
        public_key_from_cose_key(&ec2(vec![])).unwrap(),
        *k.public_key()
    );
    let cases: Vec<(Item, ErrorKind, &str)> = vec![
        (ec2(vec![(1, Item::int(3))]), ErrorKind::Unsupported, "RSA"),
        (
            ec2(vec![(1, Item::int(4))]),
            ErrorKind::Unsupported,
            "symmetric",
        ),
        (
            ec2(vec![(1, Item::text("EC2"))]),
            ErrorKind::Unsupported,
            "text kty",
        ),
        (
            ec2(vec![(-4, Item::bytes(&[1; 32]))]),
            ErrorKind::Malformed,
            "private d",
        ),
        (
            ec2(vec![(-1, Item::int(3))]),
            ErrorKind::Unsupported,
            "P-521",
        ),
        (
            ec2(vec![(-1, Item::int(2))]),
            ErrorKind::Malformed,
            "P-384 label on P-256 bytes",
        ),
        (
            ec2(vec![(-3, Item::bool(true))]),
            ErrorKind::Unsupported,
            "compressed",
        ),
        (
            ec2(vec![(-3, Item::uint(1))]),
            ErrorKind::Malformed,
            "y int",
        ),
        (
            ec2(vec![(-2, Item::text("x"))]),
            ErrorKind::Malformed,
            "x text",
        ),
        (
            ec2(vec![(3, Item::int(-35))]),
            ErrorKind::Malformed,
            "alg of another curve",
        ),
        (
            ec2(vec![(3, Item::int(-257))]),
            ErrorKind::Unsupported,
            "alg RS256",
        ),
        (
            ec2(vec![(
                -3,
                Item::bytes(&{
                    let mut y2 = y.clone();
                    y2[31] ^= 1;
                    y2
                }),
            )]),
            ErrorKind::Malformed,
            "off curve",
        ),
        (
            cose_key(vec![(-1, Item::int(1))]),
            ErrorKind::Malformed,
            "no kty",
        ),
        (
            cose_key(vec![
                (1, Item::int(2)),
                (-1, Item::int(1)),
                (-2, Item::bytes(&x)),
            ]),
            ErrorKind::Malformed,
            "no y",
        ),
        (
            cose_key(vec![(1, Item::int(1)), (-1, Item::int(6))]),
            ErrorKind::Malformed,
            "OKP no x",
        ),
        (
            cose_key(vec![
                (1, Item::int(1)),
                (-1, Item::int(6)),
                (-2, Item::bytes(&[1; 32])),
                (-3, Item::bytes(&[1; 32])),
            ]),
            ErrorKind::Malformed,
            "OKP with y",
        ),
        (
            cose_key(vec![
                (1, Item::int(1)),
                (-1, Item::int(4)),
                (-2, Item::bytes(&[1; 32])),
            ]),
            ErrorKind::Unsupported,
            "X25519",
        ),
        (
            cose_key(vec![
                (1, Item::int(1)),
                (-1, Item::int(6)),
                (-2, Item::bytes(&[1; 31])),
            ]),
            ErrorKind::Malformed,
            "short Ed25519",
        ),
        (Item::array(vec![]), ErrorKind::Malformed, "not a map"),
    ];
    for (item, want, what) in cases {
        assert_eq!(kind(public_key_from_cose_key(&item)), want, "{what}");
    }
    // With a matching alg, it is accepted.
    let _ = public_key_from_cose_key(&ec2(vec![(3, Item::int(-7))])).unwrap();
}

// ---------------------------------------------------------------------------
// Interop: coset (Rust) and cbor2 + pyca/cryptography (Python)

#[test]
fn coset_interop_both_ways() {
    use coset::{CborSerializable, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
    for alg in ALGS {
        let k = key(alg);
        // coset builds and we verify.
        let h = HeaderBuilder::new()
            .algorithm(match alg {
                Algorithm::Es256 => coset::iana::Algorithm::ES256,
                Algorithm::Es384 => coset::iana::Algorithm::ES384,
                _ => coset::iana::Algorithm::EdDSA,
            })
            .key_id(b"11".to_vec())
            .build();
        let msg = CoseSign1Builder::new()
            .protected(h)
            .payload(b"coset payload".to_vec())
            .create_signature(b"aad", |tbs| k.sign(tbs).unwrap())
            .build();
        let bytes = msg.clone().to_vec().unwrap();
        let s = CoseSign1::parse(&bytes).unwrap();
        let _ = s.verify(k.public_key(), b"aad", None).unwrap();
        let tagged = msg.to_tagged_vec().unwrap();
        let _ = CoseSign1::parse(&tagged)
            .unwrap()
            .verify(k.public_key(), b"aad", None)
            .unwrap();
        // We build and coset verifies (with ring directly).
        let ours = sign1(
            &Header::new(),
            &Header::new(),
            b"ours",
            false,
            &k,
            b"x",
            false,
        )
        .unwrap();
        let parsed = coset::CoseSign1::from_slice(&ours).unwrap();
        parsed
            .verify_signature(b"x", |sig, tbs| {
                verify_signature(alg, k.public_key(), tbs, sig).map(|_| ())
            })
            .unwrap();
        // Detached, tagged.
        let ours = sign1(&Header::new(), &Header::new(), b"det", true, &k, b"", true).unwrap();
        let parsed = coset::CoseSign1::from_tagged_slice(&ours).unwrap();
        assert!(parsed.payload.is_none());
        parsed
            .verify_detached_signature(b"det", b"", |sig, tbs| {
                verify_signature(alg, k.public_key(), tbs, sig).map(|_| ())
            })
            .unwrap();
    }
    // Mac0 both ways.
    let key32 = [5u8; 32];
    let hkey = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key32);
    let m = coset::CoseMac0Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(coset::iana::Algorithm::HMAC_256_256)
                .build(),
        )
        .payload(b"mac me".to_vec())
        .create_tag(b"", |d| ring::hmac::sign(&hkey, d).as_ref().to_vec())
        .build()
        .to_vec()
        .unwrap();
    let _ = CoseMac0::parse(&m)
        .unwrap()
        .verify(&key32, b"", None)
        .unwrap();
    let ours = mac0(
        &Header::new(),
        &Header::new(),
        b"mac me",
        false,
        &key32,
        b"",
        false,
    )
    .unwrap();
    coset::CoseMac0::from_slice(&ours)
        .unwrap()
        .verify_payload_tag(
            b"",
            || ring::error::Unspecified,
            |tag, d| ring::hmac::verify(&hkey, d, tag),
        )
        .unwrap();
}

#[test]
fn python_cbor2_vectors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/cose");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let rows = manifest.as_array().unwrap();
    assert!(rows.len() >= 8);
    for row in rows {
        let file = row["file"].as_str().unwrap();
        let bytes = vector(&format!("cose/{file}"));
        let jwk = std::fs::read_to_string(dir.join(row["key"].as_str().unwrap())).unwrap();
        let pk = PublicKey::from_jwk(&jwk).unwrap();
        let aad = hex(row["external_aad_hex"].as_str().unwrap());
        let detached = row["detached_payload_hex"].as_str().map(hex);
        let s = CoseSign1::parse(&bytes).unwrap();
        let got = s.verify(&pk, &aad, detached.as_deref());
        match row["expect"].as_str().unwrap() {
            "valid" => {
                let _ = got.unwrap_or_else(|e| panic!("{file}: {e}"));
            }
            "signature" => assert_eq!(kind(got), ErrorKind::Signature, "{file}"),
            other => panic!("unknown expectation {other}"),
        }
        if file == "es256_unsorted_protected.hex" {
            assert_eq!(
                s.protected_bytes()[1],
                0x04,
                "protected map starts with kid"
            );
        }
        fuzz_cbor(&bytes);
        fuzz_cose(&bytes);
    }
}

// ---------------------------------------------------------------------------
// ISO/IEC 18013-5 Annex D

fn annex_d() -> Item {
    decode_with(
        &vector("iso18013-5-annexD/device_response.hex"),
        &DecodeOptions::strict(),
    )
    .unwrap()
}

fn cert_key(file: &str) -> PublicKey {
    crate::x509::Certificate::from_der(&vector(file))
        .unwrap()
        .subject_public_key()
        .unwrap()
}

#[test]
fn annex_d_device_response_issuer_auth_verifies() {
    let dr = annex_d();
    assert_eq!(
        dr.require("version", "dr").unwrap().as_text("v").unwrap(),
        "1.0"
    );
    assert_eq!(dr.require("status", "dr").unwrap().as_uint("s").unwrap(), 0);
    let doc = &dr
        .require("documents", "dr")
        .unwrap()
        .as_array("docs")
        .unwrap()[0];
    assert_eq!(
        doc.require("docType", "doc").unwrap().as_text("t").unwrap(),
        "org.iso.18013.5.1.mDL"
    );
    let issuer_signed = doc.require("issuerSigned", "doc").unwrap();
    let auth = issuer_signed.require("issuerAuth", "is").unwrap();
    let s = CoseSign1::from_item(auth).unwrap();
    assert_eq!(s.alg(), Algorithm::Es256);
    let ds_der = vector("iso18013-5-annexD/document_signer_cert.der.hex");
    // x5chain as a single bstr (COSE-10), equal to the DS certificate.
    assert_eq!(s.x5chain().unwrap(), Some(vec![ds_der.clone()]));
    let ds = cert_key("iso18013-5-annexD/document_signer_cert.der.hex");
    let _ = s.verify(&ds, b"", None).unwrap();
    // The same bytes parsed on their own verify too.
    let _ = CoseSign1::parse(auth.raw())
        .unwrap()
        .verify(&ds, b"", None)
        .unwrap();
    assert_eq!(kind(s.verify(&ds, b"x", None)), ErrorKind::Signature);
    let reader = cert_key("iso18013-5-annexD/reader_cert.der.hex");
    assert_eq!(kind(s.verify(&reader, b"", None)), ErrorKind::Signature);

    // The payload is MobileSecurityObjectBytes = #6.24(bstr .cbor MSO).
    let mso_bytes = decode(s.payload().unwrap()).unwrap();
    let mso = mso_bytes
        .embedded("MobileSecurityObjectBytes")
        .unwrap()
        .item;
    assert_eq!(
        mso.require("digestAlgorithm", "mso")
            .unwrap()
            .as_text("a")
            .unwrap(),
        "SHA-256"
    );
    let validity = mso.require("validityInfo", "mso").unwrap();
    let signed = validity
        .require("signed", "v")
        .unwrap()
        .tdate("signed")
        .unwrap();
    assert_eq!(signed.text, "2020-10-01T13:30:02Z");
    // deviceKey is a COSE_Key (EC2 P-256).
    let dk = mso
        .require("deviceKeyInfo", "mso")
        .unwrap()
        .require("deviceKey", "dki")
        .unwrap();
    assert_eq!(
        public_key_from_cose_key(dk).unwrap().curve(),
        crate::crypto::Curve::P256
    );

    // Every IssuerSignedItemBytes hashes, as received, to its valueDigests entry.
    let digests = mso
        .require("valueDigests", "mso")
        .unwrap()
        .require("org.iso.18013.5.1", "vd")
        .unwrap();
    let items = issuer_signed
        .require("nameSpaces", "is")
        .unwrap()
        .require("org.iso.18013.5.1", "ns")
        .unwrap()
        .as_array("items")
        .unwrap();
    assert_eq!(items.len(), 6);
    for isb in items {
        let inner = isb.embedded("IssuerSignedItemBytes").unwrap().item;
        let id = inner
            .require("digestID", "i")
            .unwrap()
            .as_uint("digestID")
            .unwrap();
        let want = digests
            .as_map("d")
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_uint("k").unwrap() == id)
            .unwrap()
            .1
            .as_bytes("digest")
            .unwrap();
        assert_eq!(&crate::crypto::sha256(isb.raw())[..], want);
        if inner
            .require("elementIdentifier", "i")
            .unwrap()
            .as_text("e")
            .unwrap()
            == "issue_date"
        {
            let d = inner
                .require("elementValue", "i")
                .unwrap()
                .full_date("issue_date")
                .unwrap();
            assert_eq!(d.to_string(), "2019-10-20");
        }
    }
    // The whole response re-encodes canonically and decodes again.
    let c = canonical(&dr);
    assert_eq!(canonical(&decode(&c).unwrap()), c);
}

#[test]
fn annex_d_reader_auth_detached_verifies() {
    let s = CoseSign1::parse(&vector("iso18013-5-annexD/reader_auth_cose_sign1.hex")).unwrap();
    assert!(s.payload().is_none());
    let chain = s.x5chain().unwrap().unwrap();
    assert_eq!(chain, vec![vector("iso18013-5-annexD/reader_cert.der.hex")]);
    let reader = cert_key("iso18013-5-annexD/reader_cert.der.hex");
    let rab = vector("iso18013-5-annexD/reader_authentication_bytes.hex");
    let _ = s.verify(&reader, b"", Some(&rab)).unwrap();
    assert_eq!(kind(s.verify(&reader, b"", None)), ErrorKind::Malformed);
    let mut tampered = rab.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        kind(s.verify(&reader, b"", Some(&tampered))),
        ErrorKind::Signature
    );
}

// ---------------------------------------------------------------------------
// Fuzz entries

#[test]
fn fuzz_entries_survive_prefixes_flips_and_hostile_rows() {
    let dr = vector("iso18013-5-annexD/device_response.hex");
    let ra = vector("iso18013-5-annexD/reader_auth_cose_sign1.hex");
    for input in [&dr, &ra] {
        for n in (0..input.len()).step_by(7) {
            fuzz_cbor(&input[..n]);
            fuzz_cose(&input[..n]);
        }
        for i in (0..input.len()).step_by(13) {
            let mut v = input.clone();
            v[i] ^= 0x5a;
            fuzz_cbor(&v);
            fuzz_cose(&v);
        }
    }
    let mut deep = vec![0x81u8; 100_000];
    deep.push(0);
    for h in [
        deep,
        vec![0x9f; 128 * 1024],
        vec![0xbf; 128 * 1024],
        [0xd8, 0x18].repeat(100_000),
        hex("5b ffffffffffffffff 00000000000000000000"),
        hex("9b 00000000ffffffff"),
        hex("62 c328"),
        hex("d8 18 41 ff"),
        hex("d2 84 43 a10126 a0 f6 40"),
        hex("d1 84 43 a10105 a0 f6 40"),
    ] {
        fuzz_cbor(&h);
        fuzz_cose(&h);
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn seeds() -> Vec<Vec<u8>> {
        vec![
            vector("iso18013-5-annexD/device_response.hex"),
            vector("iso18013-5-annexD/reader_auth_cose_sign1.hex"),
            vector("cose/es256_detached_aad.hex"),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256)) {
            fuzz_cbor(&data);
            fuzz_cose(&data);
        }

        #[test]
        fn mutated_vectors_never_panic(
            which in 0usize..3,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in any::<usize>(),
        ) {
            let mut v = seeds().swap_remove(which);
            for (at, b) in edits {
                let i = at % v.len();
                v[i] = b;
            }
            let n = cut % (v.len() + 1);
            fuzz_cbor(&v);
            fuzz_cose(&v);
            fuzz_cbor(&v[..n]);
        }

        #[test]
        fn built_items_decode_to_themselves(
            ints in proptest::collection::vec(any::<i64>(), 0..8),
            texts in proptest::collection::vec(".{0,8}", 0..8),
            floats in proptest::collection::vec(any::<f64>(), 0..4),
        ) {
            let mut entries = Vec::new();
            for (i, t) in texts.iter().enumerate() {
                entries.push((Item::text(&format!("{t}{i}")), Item::int(ints.get(i).copied().unwrap_or(0))));
            }
            let item = Item::array(vec![
                Item::map(entries).unwrap(),
                Item::array(ints.iter().map(|&i| Item::int(i)).collect()),
                Item::array(floats.iter().map(|&f| Item::float(f)).collect()),
            ]);
            let back = decode_with(item.raw(), &DecodeOptions::strict()).unwrap();
            prop_assert_eq!(back.raw(), item.raw());
            prop_assert_eq!(canonical(&back), item.raw().to_vec());
        }
    }
}
