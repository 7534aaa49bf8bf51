//! Two-way status list interop (issue 10) with the peers pinned in
//! `interop/status/`: npm `@sd-jwt/jwt-status-list` 0.19.0 (Token Status List,
//! JWT), npm `@digitalbazaar/vc-bitstring-status-list` 2.0.1 (W3C Bitstring
//! Status List) and `cwt_peer.py` (PyPI cbor2 6.3.0 + cryptography 50.0.2: the
//! Token Status List CWT). Our lists decode in theirs and theirs in ours, with the
//! same value at every index; the peers' leniencies recorded in the `status`
//! section of `test-vectors/known-divergences.json` are asserted on both sides,
//! and so are the inputs both refuse. `interop/setup.sh` must have run; a missing
//! peer fails the run.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD as B64};
use base64::Engine as _;
use ciborium::Value as Cbor;
use passerelle::internal::status::compression::{gzip_compress, zlib_compress};
use passerelle::internal::status::*;
use passerelle::limits::MAX_STATUS_LIST_DECODED_BYTES;
use passerelle::{Algorithm, ErrorKind, PrivateKey, Signer};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::root;

/// `usize` → `u64` (no `as` casts in this crate).
fn u(n: usize) -> u64 {
    u64::try_from(n).unwrap()
}

const SUB: &str = "https://issuer.interop.example/statuslists/7";
const IAT: u64 = 1_790_000_000;

// ---------------------------------------------------------------------------
// Peers

fn node() -> Command {
    let dir = root().join("interop/status");
    assert!(
        dir.join("node_modules/@sd-jwt/jwt-status-list").exists()
            && dir
                .join("node_modules/@digitalbazaar/vc-bitstring-status-list")
                .exists(),
        "interop peers missing: run interop/setup.sh"
    );
    let mut c = Command::new("node");
    c.arg(dir.join("peer.mjs"));
    c
}

fn python() -> Command {
    let dir = root().join("interop/status");
    let py = dir.join(".venv/bin/python");
    assert!(py.exists(), "interop peers missing: run interop/setup.sh");
    let mut c = Command::new(py);
    c.arg(dir.join("cwt_peer.py"));
    c
}

/// Runs a peer: exit 0 is `(true, output)`, exit 1 (refused) is `(false,
/// output)`, anything else (usage error, crash) fails the test.
fn run(mut c: Command) -> (bool, Value) {
    let out = c.output().expect("spawn");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && out.status.code() != Some(1) {
        panic!(
            "{c:?} failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{c:?}: not JSON ({e}): {stdout}"));
    assert_eq!(v["valid"], out.status.success(), "{c:?}: {v}");
    (out.status.success(), v)
}

fn ok(c: Command) -> Value {
    let dbg = format!("{c:?}");
    let (success, v) = run(c);
    assert!(success, "{dbg} refused: {v}");
    v
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!(
            "passerelle-interop-status-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn put(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A fresh ES256 key, written as private and public JWK files.
struct Keys {
    key: PrivateKey,
    private: PathBuf,
    public: PathBuf,
}

fn keys(dir: &Dir) -> Keys {
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let private = dir.put("issuer.jwk", key.to_jwk().as_bytes());
    let public = dir.put("issuer.pub.jwk", key.public_key().to_jwk());
    Keys {
        key,
        private,
        public,
    }
}

/// A seeded xorshift64*: repeatable random lists.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// `n` values below `2^bits`, most of them 0 (as in a real list), every
    /// possible value present.
    fn values(&mut self, n: usize, bits: u8) -> Vec<u8> {
        let max = if bits == 8 { 0xff } else { (1u16 << bits) - 1 };
        (0..n)
            .map(|i| {
                if i <= usize::from(max) {
                    return u8::try_from(i).unwrap();
                }
                let r = self.next();
                if r % 4 == 0 {
                    u8::try_from((r >> 8) % (u64::from(max) + 1)).unwrap()
                } else {
                    0
                }
            })
            .collect()
    }
}

fn peer_values(v: &Value) -> Vec<u8> {
    v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| u8::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}

const TOKEN_BITS: [StatusBits; 4] = [
    StatusBits::One,
    StatusBits::Two,
    StatusBits::Four,
    StatusBits::Eight,
];

/// Our list of `values` (rounded up to whole bytes: the extra entries are 0).
fn our_token_list(bits: StatusBits, values: &[u8]) -> StatusList {
    let mut l = StatusList::new(bits, u(values.len())).unwrap();
    for (i, v) in values.iter().enumerate() {
        l.set(u(i), *v).unwrap();
    }
    l
}

fn assert_token_values(l: &StatusList, want: &[u8], what: &str) {
    assert!(l.entries() >= u(want.len()), "{what}: {l:?}");
    for i in 0..l.entries() {
        let w = want.get(usize::try_from(i).unwrap()).copied().unwrap_or(0);
        assert_eq!(l.get(i).unwrap(), w, "{what}: index {i}");
    }
}

/// Verifies an ES256 signature (raw r‖s) with ring: our verifier's status
/// check is not public yet, so the peers' signatures are checked here.
fn es256_ok(key: &PrivateKey, msg: &[u8], sig: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        key.public_key().raw(),
    )
    .verify(msg, sig)
    .is_ok()
}

// ---------------------------------------------------------------------------
// Token Status List, JWT: @sd-jwt/jwt-status-list

/// Our signed JWT lists (1, 2, 4, 8 bits; a length that leaves a partial last
/// byte) decode in @sd-jwt/jwt-status-list with the same value at every index,
/// and the peer's wrapper verifies our ES256 signature.
#[test]
fn token_jwt_ours_decode_in_sd_jwt_js() {
    let dir = Dir::new("jwt-ours");
    let k = keys(&dir);
    let mut rng = Rng(0x5eed_0001);
    for bits in TOKEN_BITS {
        let values = rng.values(20_003, bits.bits());
        let list = our_token_list(bits, &values);
        let claims = StatusListClaims::new(SUB, IAT, list.clone())
            .with_exp(IAT + 86_400)
            .with_ttl(43_200);
        let jwt = sign_status_list_jwt(&claims, &k.key, Some("k1"), &[]).unwrap();
        let f = dir.put(&format!("ours-{}.jwt", bits.bits()), &jwt);
        let mut c = node();
        c.args(["token-decode", "--jwt", s(&f), "--jwk", s(&k.public)]);
        let out = ok(c);
        assert_eq!(out["typ"], "statuslist+jwt");
        assert_eq!(out["sub"], SUB);
        assert_eq!(out["iat"], IAT);
        assert_eq!(out["exp"], IAT + 86_400);
        assert_eq!(out["ttl"], 43_200);
        assert_eq!(out["bits"], bits.bits());
        assert_eq!(out["entries"], list.entries());
        let theirs = peer_values(&out);
        assert_eq!(u(theirs.len()), list.entries());
        for (i, v) in theirs.iter().enumerate() {
            assert_eq!(
                *v,
                list.get(u(i)).unwrap(),
                "{} bits, index {i}",
                bits.bits()
            );
        }
        // A lookup of single indices, the last one included.
        let last = list.entries() - 1;
        let mut c = node();
        c.args([
            "token-decode",
            "--jwt",
            s(&f),
            "--indices",
            &format!("0,1,2,3,{last}"),
        ]);
        let picked = peer_values(&ok(c));
        assert_eq!(picked[..4], values[..4]);
        assert_eq!(picked[4], list.get(last).unwrap());
    }
}

/// Lists made and signed through @sd-jwt/jwt-status-list decode here to the values
/// the peer was given, with its signature valid for its key.
#[test]
fn token_jwt_sd_jwt_js_lists_decode_here() {
    let dir = Dir::new("jwt-theirs");
    let k = keys(&dir);
    let mut rng = Rng(0x5eed_0002);
    for bits in TOKEN_BITS {
        let values = rng.values(20_001, bits.bits());
        let vf = dir.put(
            &format!("values-{}.json", bits.bits()),
            serde_json::to_string(&values).unwrap(),
        );
        let mut c = node();
        c.args([
            "token-create",
            "--values",
            s(&vf),
            "--bits",
            &bits.bits().to_string(),
            "--sub",
            SUB,
            "--iat",
            &IAT.to_string(),
            "--exp",
            &(IAT + 600).to_string(),
            "--ttl",
            "300",
            "--key",
            s(&k.private),
        ]);
        let out = ok(c);
        let jwt = out["jwt"].as_str().unwrap();
        let (signed, sig) = jwt.rsplit_once('.').unwrap();
        assert!(
            es256_ok(&k.key, signed.as_bytes(), &B64.decode(sig).unwrap()),
            "the peer's JWT signature"
        );
        let t = UnverifiedStatusListJwt::parse(jwt).unwrap();
        let c = t.claims();
        assert_eq!(c.sub(), SUB);
        assert_eq!(c.iat(), IAT);
        assert_eq!(c.exp(), Some(IAT + 600));
        assert_eq!(c.ttl(), Some(300));
        assert_eq!(c.list().bits(), bits);
        assert_token_values(c.list(), &values, &format!("{} bits", bits.bits()));
        // The peer's lst is the same list as ours, whatever its DEFLATE choices.
        assert_eq!(c.list(), &our_token_list(bits, &values));
    }
}

/// An empty list (STAT-13: a zlib stream of zero bytes, not `lst: ""`) both ways:
/// no entries, and any lookup fails closed.
#[test]
fn token_jwt_empty_list_both_ways() {
    let dir = Dir::new("jwt-empty");
    let k = keys(&dir);
    let claims = StatusListClaims::new(SUB, IAT, StatusList::new(StatusBits::One, 0).unwrap());
    let jwt = sign_status_list_jwt(&claims, &k.key, None, &[]).unwrap();
    let f = dir.put("ours-empty.jwt", &jwt);
    let mut c = node();
    c.args(["token-decode", "--jwt", s(&f), "--jwk", s(&k.public)]);
    let out = ok(c);
    assert_eq!(
        (out["entries"].as_u64(), peer_values(&out)),
        (Some(0), vec![])
    );
    let mut c = node();
    c.args(["token-decode", "--jwt", s(&f), "--indices", "0"]);
    assert!(!run(c).0, "index 0 of an empty list");
    let vf = dir.put("empty.json", "[]");
    let mut c = node();
    c.args([
        "token-create",
        "--values",
        s(&vf),
        "--bits",
        "1",
        "--sub",
        SUB,
        "--iat",
        &IAT.to_string(),
        "--key",
        s(&k.private),
    ]);
    let out = ok(c);
    let t = UnverifiedStatusListJwt::parse(out["jwt"].as_str().unwrap()).unwrap();
    assert_eq!(t.claims().list().entries(), 0);
    assert_eq!(
        t.claims().list().get(0).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

// ---------------------------------------------------------------------------
// Token Status List, CWT: cwt_peer.py (cbor2 + cryptography)

/// Our signed CWT lists pass the Python peer's checks (tag 18, protected typ,
/// ES256 signature) with the same claims and the same value at every index.
#[test]
fn token_cwt_ours_check_in_python() {
    let dir = Dir::new("cwt-ours");
    let k = keys(&dir);
    let mut rng = Rng(0x5eed_0003);
    for bits in TOKEN_BITS {
        let values = rng.values(20_005, bits.bits());
        let list = our_token_list(bits, &values);
        let claims = StatusListClaims::new(SUB, IAT, list.clone())
            .with_issuer("https://issuer.interop.example")
            .with_exp(IAT + 86_400)
            .with_ttl(43_200);
        let cwt = sign_status_list_cwt(&claims, &k.key, Some(b"k1"), &[]).unwrap();
        let f = dir.put(&format!("ours-{}.cwt", bits.bits()), &cwt);
        let mut c = python();
        c.args(["verify", "--cwt", s(&f), "--jwk", s(&k.public)]);
        let out = ok(c);
        assert_eq!(out["tag"], 18);
        assert_eq!(out["typ"], STATUSLIST_CWT_TYP);
        assert_eq!(
            out["claims"],
            json!({"sub": SUB, "iat": IAT, "exp": IAT + 86_400, "ttl": 43_200,
                   "iss": "https://issuer.interop.example"})
        );
        assert_eq!(out["bits"], bits.bits());
        let theirs = peer_values(&out);
        assert_eq!(u(theirs.len()), list.entries());
        for (i, v) in theirs.iter().enumerate() {
            assert_eq!(
                *v,
                list.get(u(i)).unwrap(),
                "{} bits, index {i}",
                bits.bits()
            );
        }
    }
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// The protected bucket, payload and signature of a tagged COSE_Sign1.
fn sign1_parts(bytes: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let Cbor::Tag(18, body) = ciborium::from_reader::<Cbor, _>(bytes).unwrap() else {
        panic!("not tag 18")
    };
    let Cbor::Array(a) = *body else {
        panic!("not an array")
    };
    let b = |v: &Cbor| v.as_bytes().unwrap().clone();
    (b(&a[0]), b(&a[2]), b(&a[3]))
}

fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    cbor(&Cbor::Array(vec![
        Cbor::Text("Signature1".into()),
        Cbor::Bytes(protected.to_vec()),
        Cbor::Bytes(vec![]),
        Cbor::Bytes(payload.to_vec()),
    ]))
}

/// CWT lists built by the Python peer (cbor2, CPython zlib) decode here to the
/// values it was given, with its ES256 signature valid.
#[test]
fn token_cwt_python_lists_decode_here() {
    let dir = Dir::new("cwt-theirs");
    let k = keys(&dir);
    let mut rng = Rng(0x5eed_0004);
    for bits in TOKEN_BITS {
        let values = rng.values(20_007, bits.bits());
        let vf = dir.put(
            &format!("values-{}.json", bits.bits()),
            serde_json::to_string(&values).unwrap(),
        );
        let f = dir.0.join(format!("theirs-{}.cwt", bits.bits()));
        let mut c = python();
        c.args([
            "build",
            "--values",
            s(&vf),
            "--bits",
            &bits.bits().to_string(),
            "--sub",
            SUB,
            "--iat",
            &IAT.to_string(),
            "--exp",
            &(IAT + 600).to_string(),
            "--ttl",
            "300",
            "--key",
            s(&k.private),
            "--out",
            s(&f),
        ]);
        ok(c);
        let bytes = std::fs::read(&f).unwrap();
        let (protected, payload, sig) = sign1_parts(&bytes);
        assert!(
            es256_ok(&k.key, &sig_structure(&protected, &payload), &sig),
            "the peer's COSE_Sign1 signature"
        );
        let t = UnverifiedStatusListCwt::parse(&bytes).unwrap();
        let c = t.claims();
        assert_eq!(c.sub(), SUB);
        assert_eq!(c.iat(), IAT);
        assert_eq!(c.exp(), Some(IAT + 600));
        assert_eq!(c.ttl(), Some(300));
        assert_eq!(c.list().bits(), bits);
        assert_token_values(c.list(), &values, &format!("{} bits", bits.bits()));
    }
}

/// Every standard zlib header (STAT-05) from CPython's zlib: levels 0 (stored
/// blocks) and 1 write `78 01`, 2 `78 5e`, 6 `78 9c`, 9 `78 da`; all decode here.
#[test]
fn token_cwt_python_zlib_levels_decode_here() {
    let dir = Dir::new("cwt-levels");
    let k = keys(&dir);
    let values = Rng(0x5eed_0007).values(5_000, 2);
    let vf = dir.put("values.json", serde_json::to_string(&values).unwrap());
    for (level, header) in [
        (0, [0x78, 0x01]),
        (1, [0x78, 0x01]),
        (2, [0x78, 0x5e]),
        (6, [0x78, 0x9c]),
        (9, [0x78, 0xda]),
    ] {
        let f = dir.0.join(format!("level-{level}.cwt"));
        let mut c = python();
        c.args([
            "build",
            "--values",
            s(&vf),
            "--bits",
            "2",
            "--sub",
            SUB,
            "--iat",
            &IAT.to_string(),
            "--level",
            &level.to_string(),
            "--key",
            s(&k.private),
            "--out",
            s(&f),
        ]);
        ok(c);
        let t = UnverifiedStatusListCwt::parse(&std::fs::read(&f).unwrap()).unwrap();

        let (_, payload, _) = sign1_parts(&std::fs::read(&f).unwrap());
        let claims: Cbor = ciborium::from_reader(payload.as_slice()).unwrap();
        let lst = claims
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k == &Cbor::Integer(65533.into()))
            .unwrap()
            .1
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k == &Cbor::Text("lst".into()))
            .unwrap()
            .1
            .as_bytes()
            .unwrap()
            .clone();
        assert_eq!(lst[..2], header, "level {level}");
        assert_token_values(t.claims().list(), &values, &format!("level {level}"));
    }
}

// ---------------------------------------------------------------------------
// W3C Bitstring Status List: @digitalbazaar/vc-bitstring-status-list

/// statusSize 1 (the library's own), and 2 to 8 bits (composed from the library's
/// single bits, the first most significant); 3, 5, 6 and 7 bits straddle bytes.
const BITSTRING_SIZES: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// Our encodedList (≥ 131 072 entries) decodes in the peer with the same value at
/// every index.
#[test]
fn bitstring_ours_decode_in_digitalbazaar() {
    let dir = Dir::new("bitstring-ours");
    let mut rng = Rng(0x5eed_0005);
    for size in BITSTRING_SIZES {
        let entries = MIN_BITSTRING_ENTRIES + 1_000;
        let values = rng.values(usize::try_from(entries).unwrap(), size);
        let mut l = BitstringList::new(size, entries).unwrap();
        for (i, v) in values.iter().enumerate() {
            l.set(u(i), *v).unwrap();
        }
        let f = dir.put(&format!("ours-{size}.txt"), l.encoded_list());
        let mut c = node();
        c.args([
            "bitstring-decode",
            "--encoded",
            s(&f),
            "--size",
            &size.to_string(),
        ]);
        let out = ok(c);
        assert_eq!(out["length_bits"], l.entries() * u64::from(size));
        let theirs = peer_values(&out);
        assert_eq!(u(theirs.len()), l.entries(), "statusSize {size}");
        for (i, v) in theirs.iter().enumerate() {
            assert_eq!(*v, l.get(u(i)).unwrap(), "statusSize {size}, index {i}");
        }
        assert_eq!(theirs[..values.len()], values[..]);
    }
}

/// The peer's encodedList decodes here to the values it was given.
#[test]
fn bitstring_digitalbazaar_lists_decode_here() {
    let dir = Dir::new("bitstring-theirs");
    let mut rng = Rng(0x5eed_0006);
    for size in BITSTRING_SIZES {
        // 131 075 entries: not a whole number of bytes at any size but 8.
        let values = rng.values(usize::try_from(MIN_BITSTRING_ENTRIES).unwrap() + 3, size);
        let vf = dir.put(
            &format!("values-{size}.json"),
            serde_json::to_string(&values).unwrap(),
        );
        let mut c = node();
        c.args([
            "bitstring-create",
            "--values",
            s(&vf),
            "--size",
            &size.to_string(),
        ]);
        let out = ok(c);
        let subject = json!({
            "id": "https://issuer.interop.example/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": out["encodedList"],
        });
        let list = BitstringStatusList::from_subject(subject.as_object().unwrap()).unwrap();
        let bits = u(values.len()) * u64::from(size);
        assert_eq!(list.len_bits(), bits.div_ceil(8) * 8);
        for (i, v) in values.iter().enumerate() {
            assert_eq!(
                list.get(u(i), size).unwrap(),
                *v,
                "statusSize {size}, index {i}"
            );
        }
        // The padding bits of the last byte read 0; the first index past them fails.
        let entries = list.len_bits() / u64::from(size);
        for i in u(values.len())..entries {
            assert_eq!(
                list.get(i, size).unwrap(),
                0,
                "statusSize {size}, padding {i}"
            );
        }
        assert_eq!(
            ErrorKind::Malformed,
            list.get(entries, size).unwrap_err().kind()
        );
    }
}

// ---------------------------------------------------------------------------
// Hostile inputs: the recorded divergences, and what both sides refuse

/// A JWT status list token with the given header and `status_list`, signed.
fn token_jwt(key: &PrivateKey, header: Value, status_list: Value) -> String {
    let payload = json!({"sub": SUB, "iat": IAT, "status_list": status_list});
    token_jwt_text(key, &header, &payload.to_string())
}

/// A JWT status list token whose payload is the given JSON text, signed.
fn token_jwt_text(key: &PrivateKey, header: &Value, payload: &str) -> String {
    let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(payload));
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", B64.encode(sig))
}

fn good_header() -> Value {
    json!({"alg": "ES256", "typ": "statuslist+jwt"})
}

/// A CWT status list token around `status_list` (and optionally other
/// protected headers / another wrapping), signed.
fn token_cwt(
    key: &PrivateKey,
    protected: Vec<(Cbor, Cbor)>,
    tag: Option<u64>,
    sl: Cbor,
) -> Vec<u8> {
    let claims = Cbor::Map(vec![
        (Cbor::Integer(2.into()), Cbor::Text(SUB.into())),
        (Cbor::Integer(6.into()), Cbor::Integer(IAT.into())),
        (Cbor::Integer(65533.into()), sl),
    ]);
    token_cwt_claims(key, protected, tag, &claims)
}

/// A CWT around any claims map, signed.
fn token_cwt_claims(
    key: &PrivateKey,
    protected: Vec<(Cbor, Cbor)>,
    tag: Option<u64>,
    claims: &Cbor,
) -> Vec<u8> {
    let payload = cbor(claims);
    let mut p = vec![(Cbor::Integer(1.into()), Cbor::Integer((-7).into()))];
    p.extend(protected);
    let protected = cbor(&Cbor::Map(p));
    let sig = key.sign(&sig_structure(&protected, &payload)).unwrap();
    let msg = Cbor::Array(vec![
        Cbor::Bytes(protected),
        Cbor::Map(vec![]),
        Cbor::Bytes(payload),
        Cbor::Bytes(sig),
    ]);
    cbor(&match tag {
        Some(t) => Cbor::Tag(t, Box::new(msg)),
        None => msg,
    })
}

fn typ_header() -> Vec<(Cbor, Cbor)> {
    vec![(
        Cbor::Integer(16.into()),
        Cbor::Text(STATUSLIST_CWT_TYP.into()),
    )]
}

fn cbor_list(bits: u64, lst: Vec<u8>) -> Cbor {
    Cbor::Map(vec![
        (Cbor::Text("bits".into()), Cbor::Integer(bits.into())),
        (Cbor::Text("lst".into()), Cbor::Bytes(lst)),
    ])
}

/// The packed list the hostile token cases start from (1 bit: 0b1011_1001…).
const PACKED: [u8; 4] = [0xb9, 0xa3, 0x00, 0x01];

/// A zlib stream of `data` and its raw DEFLATE body.
fn zlib(data: &[u8]) -> Vec<u8> {
    zlib_compress(data)
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let z = zlib(data);
    z[2..z.len() - 4].to_vec()
}

fn flip_last(mut v: Vec<u8>) -> Vec<u8> {
    *v.last_mut().unwrap() ^= 1;
    v
}

fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    [a, b].concat()
}

/// Some packed list of `min_len` bytes whose compressed form satisfies `pred`
/// (an encoding with padding, or with a `+` / `/`).
fn find_list(
    compress: fn(&[u8]) -> Vec<u8>,
    min_len: usize,
    pred: impl Fn(&[u8]) -> bool,
) -> Vec<u8> {
    (0u32..)
        .map(|n| {
            let mut p = vec![0u8; min_len];
            p[0] = u8::try_from(n % 251).unwrap();
            p[min_len - 1] = u8::try_from(n / 251 % 251).unwrap();
            p
        })
        .find(|p| pred(&compress(p)))
        .unwrap()
}

/// What the peer said about one hostile input.
fn accepted_by(peer: &str, dir: &Dir, k: &Keys, input: &Hostile) -> (bool, Value) {
    match (peer, input) {
        ("sd-jwt-js", Hostile::Jwt(jwt, idx)) => {
            let f = dir.put("hostile.jwt", jwt);
            let mut c = node();
            c.args(["token-decode", "--jwt", s(&f), "--jwk", s(&k.public)]);
            if let Some(i) = idx {
                c.args(["--indices", &i.to_string()]);
            }
            run(c)
        }
        ("sd-jwt-js", Hostile::Create(values, bits)) => {
            let vf = dir.put(
                "hostile-values.json",
                serde_json::to_string(values).unwrap(),
            );
            let mut c = node();
            c.args([
                "token-create",
                "--values",
                s(&vf),
                "--bits",
                &bits.to_string(),
                "--sub",
                SUB,
                "--iat",
                &IAT.to_string(),
                "--key",
                s(&k.private),
            ]);
            run(c)
        }
        ("py-cwt", Hostile::Cwt(cwt, idx)) => {
            let f = dir.put("hostile.cwt", cwt);
            let mut c = python();
            c.args(["verify", "--cwt", s(&f), "--jwk", s(&k.public)]);
            if let Some(i) = idx {
                c.args(["--indices", &i.to_string()]);
            }
            run(c)
        }
        ("digitalbazaar", Hostile::Bitstring(encoded, idx)) => {
            let f = dir.put("hostile-bitstring.txt", encoded);
            let mut c = node();
            c.args(["bitstring-decode", "--encoded", s(&f)]);
            if let Some(i) = idx {
                c.args(["--indices", &i.to_string()]);
            }
            run(c)
        }
        (peer, input) => panic!("{peer} does not read {input:?}"),
    }
}

/// One hostile input, in the form one peer reads (with an index to look up).
#[derive(Debug)]
enum Hostile {
    Jwt(String, Option<u64>),
    Cwt(Vec<u8>, Option<u64>),
    Bitstring(String, Option<u64>),
    /// Issuer side: values and bits for a new Token Status List.
    Create(Vec<u8>, u8),
}

impl Hostile {
    fn peer(&self) -> &'static str {
        match self {
            Hostile::Jwt(..) | Hostile::Create(..) => "sd-jwt-js",
            Hostile::Cwt(..) => "py-cwt",
            Hostile::Bitstring(..) => "digitalbazaar",
        }
    }

    /// Our verdict: the kind we refuse with (`None`: accepted).
    fn ours(&self) -> Option<ErrorKind> {
        let err = |r: passerelle::Result<u8>| r.err().map(|e| e.kind());
        match self {
            Hostile::Jwt(jwt, idx) => match UnverifiedStatusListJwt::parse(jwt) {
                Err(e) => Some(e.kind()),
                Ok(t) => err(t.claims().list().get(idx.unwrap_or(0))),
            },
            Hostile::Cwt(cwt, idx) => match UnverifiedStatusListCwt::parse(cwt) {
                Err(e) => Some(e.kind()),
                Ok(t) => err(t.claims().list().get(idx.unwrap_or(0))),
            },
            Hostile::Bitstring(encoded, idx) => {
                let subject = json!({"type": "BitstringStatusList",
                    "statusPurpose": "revocation", "encodedList": encoded});
                match BitstringStatusList::from_subject(subject.as_object().unwrap()) {
                    Err(e) => Some(e.kind()),
                    Ok(l) => err(l.get(idx.unwrap_or(0), 1)),
                }
            }
            Hostile::Create(values, bits) => {
                let mut l =
                    StatusList::new(StatusBits::from_bits(u64::from(*bits)).unwrap(), 64).unwrap();
                values
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| l.set(u(i), *v).err())
                    .map(|e| e.kind())
            }
        }
    }
}

fn divergence_input(id: &str, key: &PrivateKey) -> Hostile {
    let jwt_lst = |lst: String| {
        Hostile::Jwt(
            token_jwt(key, good_header(), json!({"bits": 1, "lst": lst})),
            None,
        )
    };
    let big = {
        let mut b = vec![0u8; 16 * 1024];
        b[0] = 0x80;
        b
    };
    let bitstring = |gz: Vec<u8>| Hostile::Bitstring(format!("u{}", B64.encode(gz)), None);
    match id {
        "status-token-gzip-lst" => jwt_lst(B64.encode(gzip_compress(&PACKED))),
        "status-token-lst-trailing-data" => jwt_lst(B64.encode(cat(&zlib(&PACKED), &[0]))),
        "status-token-lst-two-streams" => {
            jwt_lst(B64.encode(cat(&zlib(&PACKED), &zlib(&[0xff; 64]))))
        }
        "status-token-lst-padded" => {
            let p = find_list(zlib, 8, |z| URL_SAFE.encode(z).ends_with('='));
            jwt_lst(URL_SAFE.encode(zlib(&p)))
        }
        "status-token-lst-base64-std" => {
            let p = find_list(zlib, 8, |z| STANDARD_NO_PAD.encode(z).contains(['+', '/']));
            jwt_lst(STANDARD_NO_PAD.encode(zlib(&p)))
        }
        "status-token-bits-float" => Hostile::Jwt(
            token_jwt(
                key,
                good_header(),
                json!({"bits": 1.0, "lst": B64.encode(zlib(&PACKED))}),
            ),
            None,
        ),
        "status-token-duplicate-status-list" => {
            // The first list says index 0 is revoked, the second says valid.
            let list = |p: &[u8]| json!({"bits": 1, "lst": B64.encode(zlib(p))});
            let payload = format!(
                r#"{{"sub":"{SUB}","iat":{IAT},"status_list":{},"status_list":{}}}"#,
                list(&[0x01]),
                list(&[0x00])
            );
            Hostile::Jwt(token_jwt_text(key, &good_header(), &payload), Some(0))
        }
        "status-token-over-decoded-cap" => {
            let huge = zlib(&vec![0u8; MAX_STATUS_LIST_DECODED_BYTES + 1]);
            Hostile::Jwt(
                token_jwt(
                    key,
                    good_header(),
                    json!({"bits": 8, "lst": B64.encode(huge)}),
                ),
                Some(0),
            )
        }
        "status-cwt-duplicate-status-list" => {
            let sl = |p: &[u8]| (Cbor::Integer(65533.into()), cbor_list(1, zlib(p)));
            let claims = Cbor::Map(vec![
                (Cbor::Integer(2.into()), Cbor::Text(SUB.into())),
                (Cbor::Integer(6.into()), Cbor::Integer(IAT.into())),
                sl(&[0x01]),
                sl(&[0x00]),
            ]);
            Hostile::Cwt(
                token_cwt_claims(key, typ_header(), Some(18), &claims),
                Some(0),
            )
        }
        "status-cwt-over-decoded-cap" => Hostile::Cwt(
            token_cwt(
                key,
                typ_header(),
                Some(18),
                cbor_list(8, zlib(&vec![0u8; MAX_STATUS_LIST_DECODED_BYTES + 1])),
            ),
            Some(0),
        ),
        "status-bitstring-over-decoded-cap" => Hostile::Bitstring(
            format!(
                "u{}",
                B64.encode(gzip_compress(&vec![0u8; MAX_STATUS_LIST_DECODED_BYTES + 1]))
            ),
            Some(0),
        ),
        "status-token-typ-jwt" => Hostile::Jwt(
            token_jwt(
                key,
                json!({"alg": "ES256", "typ": "JWT"}),
                json!({"bits": 1, "lst": B64.encode(zlib(&PACKED))}),
            ),
            None,
        ),
        "status-token-create-value-too-wide" => Hostile::Create(vec![0, 2, 1, 0], 1),
        "status-cwt-lst-trailing-data" => Hostile::Cwt(
            token_cwt(
                key,
                typ_header(),
                Some(18),
                cbor_list(1, cat(&zlib(&PACKED), &[0])),
            ),
            None,
        ),
        "status-bitstring-short" => bitstring(gzip_compress(&[0x80; 1024])),
        "status-bitstring-zlib" => bitstring(zlib(&big)),
        "status-bitstring-trailing-data" => bitstring(cat(&gzip_compress(&big), &[0])),
        "status-bitstring-two-members" => {
            bitstring(cat(&gzip_compress(&big), &gzip_compress(&[0; 16])))
        }
        "status-bitstring-padded" => {
            let p = find_list(gzip_compress, 16 * 1024, |z| {
                URL_SAFE.encode(z).ends_with('=')
            });
            Hostile::Bitstring(format!("u{}", URL_SAFE.encode(gzip_compress(&p))), None)
        }
        other => panic!("unknown status divergence {other}"),
    }
}

/// Each divergence of the `status` section: passerelle refuses with the recorded
/// kind, and the peer recorded as lenient still accepts (a fixed peer is noticed).
#[test]
fn status_known_divergences() {
    let doc: Value =
        serde_json::from_str(&crate::common::vector("known-divergences.json")).unwrap();
    let dir = Dir::new("divergences");
    let k = keys(&dir);
    let cases = doc["status"]["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let id = case["id"].as_str().unwrap();
        assert!(id.starts_with("status-"), "{id}");
        let input = divergence_input(id, &k.key);
        let ours = input
            .ours()
            .unwrap_or_else(|| panic!("{id}: passerelle accepted"));
        assert_eq!(ours.as_str(), case["passerelle"], "{id}");
        let lenient: Vec<&str> = case["lenient"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(lenient, [input.peer()], "{id}: one peer reads this form");
        let (accepted, out) = accepted_by(input.peer(), &dir, &k, &input);
        assert!(
            accepted,
            "{id}: {} now refuses (known-divergences.json says lenient): {out}",
            input.peer()
        );
    }
}

/// The peer's two extra entries when it concatenates gzip members, and the
/// corrupted byte @sd-jwt/jwt-status-list writes for a too-wide value: what the
/// divergences above lead to, pinned so that interop/NOTES.md stays true.
#[test]
fn status_divergence_effects() {
    let dir = Dir::new("effects");
    let k = keys(&dir);
    // 2 in a 1-bit list: the peer's packer concatenates "10" into the byte
    // string, so entries 2 and 3 read 1 and entry 1 reads 0 (we refuse the value).
    let (accepted, out) = accepted_by("sd-jwt-js", &dir, &k, &Hostile::Create(vec![0, 2, 1, 0], 1));
    assert!(accepted);
    let lst = out["lst"].as_str().unwrap();
    let l = StatusList::from_lst(StatusBits::One, lst).unwrap();
    assert_eq!(l.packed(), &[0b0000_1100]);
    // Two gzip members: the peer reads both, one list of 16 KiB + 16 bytes.
    let Hostile::Bitstring(enc, _) = divergence_input("status-bitstring-two-members", &k.key)
    else {
        unreachable!()
    };
    let (accepted, out) = accepted_by("digitalbazaar", &dir, &k, &Hostile::Bitstring(enc, None));
    assert!(accepted);
    assert_eq!(out["length_bits"], (16 * 1024 + 16) * 8);
    // Duplicate claims: the first list revokes index 0, the second does not; both
    // peers take the last one, we refuse the token for its duplicate name / key.
    for id in [
        "status-token-duplicate-status-list",
        "status-cwt-duplicate-status-list",
    ] {
        let input = divergence_input(id, &k.key);
        let (accepted, out) = accepted_by(input.peer(), &dir, &k, &input);
        assert!(accepted, "{id}: {out}");
        assert_eq!(
            out["values"],
            json!([0]),
            "{id}: the peer reads the last list"
        );
        let msg = match &input {
            Hostile::Jwt(jwt, _) => UnverifiedStatusListJwt::parse(jwt)
                .unwrap_err()
                .message()
                .to_owned(),
            Hostile::Cwt(cwt, _) => UnverifiedStatusListCwt::parse(cwt)
                .unwrap_err()
                .message()
                .to_owned(),
            _ => unreachable!(),
        };
        assert!(msg.to_lowercase().contains("duplicate"), "{id}: {msg}");
    }
}

/// Inputs both sides refuse: the peer's refusal is asserted too, so that a peer
/// turning lenient is noticed (and then belongs in known-divergences.json).
#[test]
fn status_hostile_inputs_refused_by_both() {
    let dir = Dir::new("both-refuse");
    let k = keys(&dir);
    let key = &k.key;
    let z = zlib(&PACKED);
    let jwt = |bits: Value, lst: Vec<u8>, idx: Option<u64>| {
        Hostile::Jwt(
            token_jwt(
                key,
                good_header(),
                json!({"bits": bits, "lst": B64.encode(lst)}),
            ),
            idx,
        )
    };
    let cwt = |protected: Vec<(Cbor, Cbor)>, tag: Option<u64>, bits: u64, lst: Vec<u8>| {
        Hostile::Cwt(token_cwt(key, protected, tag, cbor_list(bits, lst)), None)
    };
    // A zlib stream with FDICT set (preset dictionary id 0x00000001).
    let dict = [
        &[0x78u8, 0xbb, 0, 0, 0, 1][..],
        &raw_deflate(&PACKED),
        &z[z.len() - 4..],
    ]
    .concat();
    let big = {
        let mut b = vec![0u8; 16 * 1024];
        b[0] = 0x80;
        b
    };
    let gz = gzip_compress(&big);
    let bitstring =
        |gz: Vec<u8>, idx: Option<u64>| Hostile::Bitstring(format!("u{}", B64.encode(gz)), idx);
    let mut bad_crc = gz.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 1;
    let cases: Vec<(&str, Hostile, ErrorKind)> = vec![
        (
            "token raw deflate lst (STAT-05)",
            jwt(json!(1), raw_deflate(&PACKED), None),
            ErrorKind::Malformed,
        ),
        (
            "token bad Adler-32 (STAT-07)",
            jwt(json!(1), flip_last(z.clone()), None),
            ErrorKind::Malformed,
        ),
        (
            "token truncated stream",
            jwt(json!(1), z[..z.len() - 6].to_vec(), None),
            ErrorKind::Malformed,
        ),
        (
            "token Adler-32 missing",
            jwt(json!(1), z[..z.len() - 4].to_vec(), None),
            ErrorKind::Malformed,
        ),
        (
            "token preset dictionary (STAT-06)",
            jwt(json!(1), dict.clone(), None),
            ErrorKind::Malformed,
        ),
        (
            "token bits 3 (STAT-02)",
            jwt(json!(3), z.clone(), None),
            ErrorKind::Malformed,
        ),
        (
            "token bits 16 (STAT-02)",
            jwt(json!(16), z.clone(), None),
            ErrorKind::Malformed,
        ),
        (
            "token index past the end (STAT-03)",
            jwt(json!(1), z.clone(), Some(32)),
            ErrorKind::Malformed,
        ),
        (
            "token empty lst (STAT-13)",
            jwt(json!(1), vec![], None),
            ErrorKind::Malformed,
        ),
        (
            "cwt untagged",
            cwt(typ_header(), None, 1, z.clone()),
            ErrorKind::Malformed,
        ),
        (
            "cwt tag 61",
            cwt(typ_header(), Some(61), 1, z.clone()),
            ErrorKind::Malformed,
        ),
        (
            "cwt no typ (STAT-09)",
            cwt(vec![], Some(18), 1, z.clone()),
            ErrorKind::Malformed,
        ),
        (
            "cwt typ statuslist+jwt (STAT-09)",
            cwt(
                vec![(
                    Cbor::Integer(16.into()),
                    Cbor::Text("application/statuslist+jwt".into()),
                )],
                Some(18),
                1,
                z.clone(),
            ),
            ErrorKind::Malformed,
        ),
        (
            "cwt bits 3",
            cwt(typ_header(), Some(18), 3, z.clone()),
            ErrorKind::Malformed,
        ),
        (
            "cwt raw deflate lst",
            cwt(typ_header(), Some(18), 1, raw_deflate(&PACKED)),
            ErrorKind::Malformed,
        ),
        (
            "cwt gzip lst",
            cwt(typ_header(), Some(18), 1, gzip_compress(&PACKED)),
            ErrorKind::Malformed,
        ),
        (
            "cwt bad Adler-32",
            cwt(typ_header(), Some(18), 1, flip_last(z.clone())),
            ErrorKind::Malformed,
        ),
        (
            "cwt preset dictionary",
            cwt(typ_header(), Some(18), 1, dict),
            ErrorKind::Malformed,
        ),
        (
            "cwt index past the end",
            Hostile::Cwt(
                token_cwt(key, typ_header(), Some(18), cbor_list(1, z.clone())),
                Some(32),
            ),
            ErrorKind::Malformed,
        ),
        (
            "bitstring raw deflate",
            bitstring(raw_deflate(&big), None),
            ErrorKind::Malformed,
        ),
        (
            "bitstring bad CRC-32",
            bitstring(bad_crc, None),
            ErrorKind::Malformed,
        ),
        (
            "bitstring bad ISIZE",
            bitstring(flip_last(gz.clone()), None),
            ErrorKind::Malformed,
        ),
        (
            "bitstring truncated",
            bitstring(gz[..gz.len() - 8].to_vec(), None),
            ErrorKind::Malformed,
        ),
        (
            "bitstring index past the end",
            bitstring(gz.clone(), Some(131_072)),
            ErrorKind::Malformed,
        ),
        (
            "bitstring no multibase prefix",
            Hostile::Bitstring(B64.encode(&gz), None),
            ErrorKind::Malformed,
        ),
        (
            "bitstring multibase base58 'z'",
            Hostile::Bitstring(format!("z{}", B64.encode(&gz)), None),
            ErrorKind::Malformed,
        ),
    ];
    for (what, input, kind) in cases {
        assert_eq!(input.ours(), Some(kind), "{what}: passerelle");
        let (accepted, out) = accepted_by(input.peer(), &dir, &k, &input);
        assert!(!accepted, "{what}: {} accepted: {out}", input.peer());
    }
}

// ---------------------------------------------------------------------------
// The project's vectors, read by the peers as by us

fn vector_json(path: &str) -> Value {
    serde_json::from_str(&crate::common::vector(path)).unwrap()
}

fn vector_path(path: &str) -> PathBuf {
    root().join("test-vectors").join(path)
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn jwt_vc(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice::<Value>(&B64.decode(p).unwrap()).unwrap()["vc"].clone()
}

/// The draft's status list tokens (signatures checked by the peers with the
/// draft's key), its 1/2/4/8-bit lists and the walt.id Token Status Lists decode
/// in the peers to our values at every index; the walt.id lists with a multibase
/// `u` in front of `lst` are refused by both.
#[test]
fn ietf_and_waltid_token_vectors_read_alike() {
    let dir = Dir::new("vectors-token");
    let ietf = "status/ietf-token-status-list";
    let key = vector_path(&format!("{ietf}/issuer_public_key.jwk.json"));
    let jwt_file = vector_path(&format!("{ietf}/status_list_token.jwt"));
    let ours =
        UnverifiedStatusListJwt::parse(&std::fs::read_to_string(&jwt_file).unwrap()).unwrap();
    let mut c = node();
    c.args(["token-decode", "--jwt", s(&jwt_file), "--jwk", s(&key)]);
    let out = ok(c);
    let l = ours.claims().list();
    let want: Vec<u8> = (0..l.entries()).map(|i| l.get(i).unwrap()).collect();
    assert_eq!(peer_values(&out), want, "draft JWT");
    let cwt = unhex(&crate::common::vector(&format!(
        "{ietf}/status_list_token.cwt.hex"
    )));
    let cwt_file = dir.put("draft.cwt", &cwt);
    let ours = UnverifiedStatusListCwt::parse(&cwt).unwrap();
    let mut c = python();
    c.args(["verify", "--cwt", s(&cwt_file), "--jwk", s(&key)]);
    let out = ok(c);
    assert_eq!(out["claims"]["sub"], ours.claims().sub());
    assert_eq!(out["claims"]["exp"], ours.claims().exp().unwrap());
    assert_eq!(out["claims"]["ttl"], ours.claims().ttl().unwrap());
    assert_eq!(peer_values(&out), want, "draft CWT");

    let expected = vector_json(&format!("{ietf}/expected_status_values.json"));
    for (name, e) in expected.as_object().unwrap() {
        let j = vector_json(&format!("{ietf}/{}", e["json_file"].as_str().unwrap()));
        let bits = j["bits"].as_u64().unwrap();
        let lst = j["lst"].as_str().unwrap();
        let ours = StatusList::from_lst(StatusBits::from_bits(bits).unwrap(), lst).unwrap();
        let f = dir.put(&format!("{name}.lst"), lst);
        let mut c = node();
        c.args([
            "token-decode-lst",
            "--bits",
            &bits.to_string(),
            "--lst",
            s(&f),
        ]);
        let theirs = peer_values(&ok(c));
        assert_eq!(u(theirs.len()), ours.entries(), "{name}");
        for (i, v) in theirs.iter().enumerate() {
            assert_eq!(*v, ours.get(u(i)).unwrap(), "{name} index {i}");
        }
    }

    let waltid = "status/waltid-status/tokenstatuslist";
    for file in ["revoked", "unrevoked", "wrong-list-encoding"] {
        let v = vector_json(&format!("{waltid}/{file}.json"));
        let jwt = v["status-credential"].as_str().unwrap();
        let f = dir.put(&format!("waltid-{file}.jwt"), jwt);
        let mut c = node();
        c.args(["token-decode", "--jwt", s(&f)]);
        let (accepted, out) = run(c);
        match UnverifiedStatusListJwt::parse(jwt) {
            Ok(t) => {
                assert!(accepted, "{file}: {out}");
                let l = t.claims().list();
                let want: Vec<u8> = (0..l.entries()).map(|i| l.get(i).unwrap()).collect();
                assert_eq!(peer_values(&out), want, "walt.id {file}");
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Malformed, "{file}");
                assert!(!accepted, "walt.id {file}: the peer accepted: {out}");
            }
        }
    }
}

/// The W3C example list credential and the walt.id Bitstring list credentials
/// decode in @digitalbazaar/vc-bitstring-status-list to our values at every index
/// of the entry's statusSize; an encodedList without multibase `u` is refused by both.
#[test]
fn w3c_and_waltid_bitstring_vectors_read_alike() {
    let dir = Dir::new("vectors-bitstring");
    let mut lists: Vec<(String, Value, u8)> = vec![(
        "w3c example".into(),
        vector_json(
            "status/w3c-bitstring-status-list/a-status-list-verifiable-credential/unsecured.json",
        ),
        1,
    )];
    let waltid = "status/waltid-status/bitstringstatuslist";
    for file in [
        "revoked",
        "unrevoked",
        "custom-valid",
        "multi-status-all-valid",
        "wrong-list-encoding",
    ] {
        let v = vector_json(&format!("{waltid}/{file}.json"));
        let size = |i: usize| -> u8 {
            let cs = &v["holder-credential"]["credentialStatus"];
            let e = if cs.is_array() { &cs[i] } else { cs };
            u8::try_from(e["statusSize"].as_u64().unwrap_or(1)).unwrap()
        };
        match &v["status-credential"] {
            Value::String(jwt) => lists.push((format!("walt.id {file}"), jwt_vc(jwt), size(0))),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let jwt = x["content"].as_str().unwrap();
                    lists.push((format!("walt.id {file} #{i}"), jwt_vc(jwt), size(i)));
                }
            }
            _ => panic!("{file}"),
        }
    }
    for (name, vc, size) in lists {
        let encoded = vc["credentialSubject"]["encodedList"].as_str().unwrap();
        let f = dir.put("list.txt", encoded);
        let mut c = node();
        c.args([
            "bitstring-decode",
            "--encoded",
            s(&f),
            "--size",
            &size.to_string(),
        ]);
        let (accepted, out) = run(c);
        match BitstringStatusList::from_credential(vc.as_object().unwrap()) {
            Ok(l) => {
                assert!(accepted, "{name}: {out}");
                let theirs = peer_values(&out);
                assert_eq!(u(theirs.len()), l.len_bits() / u64::from(size), "{name}");
                for (i, v) in theirs.iter().enumerate() {
                    assert_eq!(*v, l.get(u(i), size).unwrap(), "{name} index {i}");
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Malformed, "{name}");
                assert!(!accepted, "{name}: the peer accepted: {out}");
            }
        }
    }
}
