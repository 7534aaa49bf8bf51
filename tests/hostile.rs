//! Every row of HOSTILE-INPUTS.md sections A–D, M and N (and the x5c rows of J
//! in `x509.rs`) as a test asserting the error kind, or acceptance for ACCEPT rows.
//! Row IDs are in the comments.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use passerelle::{
    Algorithm, ClaimPath, Disclosable, ErrorKind, Expectations, HeldSdJwt, KeyBinding,
    NonceRegistry, Policy, PrivateKey, SdJwtVcIssuer, Signer, TrustStore, UnixTime,
    VerificationResult, Verifier,
};
use serde_json::{json, Value};

pub const ISS: &str = "https://issuer.example";
pub const NONCE: &str = "n-4711";
pub const AUD: &str = "https://verifier.example";
pub const NOW: u64 = 1_790_000_000;

pub struct Fx {
    pub issuer: PrivateKey,
    pub holder: PrivateKey,
}

pub fn b64(data: impl AsRef<[u8]>) -> String {
    B64.encode(data)
}

pub fn sha(s: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, s.as_bytes()))
}

/// A disclosure string and its digest.
pub fn disc(json: &str) -> (String, String) {
    let e = b64(json);
    let d = sha(&e);
    (e, d)
}

impl Fx {
    pub fn new() -> Self {
        Fx {
            issuer: PrivateKey::generate(Algorithm::Es256).unwrap(),
            holder: PrivateKey::generate(Algorithm::Es256).unwrap(),
        }
    }

    pub fn trust(&self) -> TrustStore {
        let mut t = TrustStore::new();
        t.add_issuer_key(self.issuer.public_key().clone(), Some(ISS), Some("k1"));
        t
    }

    pub fn verify_with(
        &self,
        text: &str,
        policy: Policy,
        expect: Expectations,
    ) -> passerelle::Result<VerificationResult> {
        Verifier::new(self.trust(), policy).verify(text.as_bytes(), &expect)
    }

    /// Verifies as a verifier that asks for holder binding exactly when the
    /// presentation carries a KB-JWT (stating a nonce and audience to a
    /// presentation without one is refused: see `d_key_binding`).
    pub fn verify(&self, text: &str) -> passerelle::Result<VerificationResult> {
        let expect = if text.ends_with('~') {
            Expectations::at(UnixTime::from_secs(NOW))
        } else {
            self.expect()
        };
        self.verify_with(text, Policy::default().clock_skew_secs(0), expect)
    }

    /// What a verifier that does not ask for holder binding expects.
    pub fn bearer(&self) -> Expectations {
        Expectations::at(UnixTime::from_secs(NOW))
    }

    pub fn expect(&self) -> Expectations {
        Expectations::at(UnixTime::from_secs(NOW))
            .nonce(NONCE)
            .audience(AUD)
    }

    pub fn header(&self) -> Value {
        json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": "k1"})
    }

    pub fn payload(&self) -> Value {
        let jwk: Value = serde_json::from_str(&self.holder.public_key().to_jwk()).unwrap();
        json!({"iss": ISS, "vct": "urn:eudi:pid:1", "iat": NOW - 100, "exp": NOW + 86_400,
               "cnf": {"jwk": jwk}, "_sd_alg": "sha-256"})
    }

    /// A JWS over the given header and payload texts, signed by `key`.
    pub fn jws_with(key: &dyn Signer, header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64(header), b64(payload));
        let sig = key.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", b64(sig))
    }

    pub fn jws(&self, header: &Value, payload: &Value) -> String {
        Self::jws_with(&self.issuer, &header.to_string(), &payload.to_string())
    }

    /// `<jwt>~<d1>~…~`
    pub fn sd(&self, jwt: &str, ds: &[&str]) -> String {
        let mut s = format!("{jwt}~");
        for d in ds {
            s.push_str(d);
            s.push('~');
        }
        s
    }

    pub fn kb_payload(&self, sd: &str) -> Value {
        json!({"iat": NOW - 5, "aud": AUD, "nonce": NONCE, "sd_hash": sha(sd)})
    }

    pub fn kb_with(&self, header: &Value, payload: &Value) -> String {
        Self::jws_with(&self.holder, &header.to_string(), &payload.to_string())
    }

    pub fn with_kb(&self, sd: &str) -> String {
        format!(
            "{sd}{}",
            self.kb_with(
                &json!({"alg": "ES256", "typ": "kb+jwt"}),
                &self.kb_payload(sd)
            )
        )
    }

    /// A good SD-JWT VC with one disclosure (given_name) and KB.
    pub fn good(&self) -> String {
        let (d, h) = disc(r#"["salt1","given_name","Erika"]"#);
        let mut p = self.payload();
        p["_sd"] = json!([h]);
        let sd = self.sd(&self.jws(&self.header(), &p), &[&d]);
        self.with_kb(&sd)
    }
}

#[track_caller]
fn assert_kind<T>(r: passerelle::Result<T>, want: ErrorKind, row: &str) {
    match r {
        Ok(_) => panic!("{row}: accepted, expected {want}"),
        Err(e) => assert_eq!(e.kind(), want, "{row}: {e}"),
    }
}

#[test]
fn baseline_is_valid() {
    let fx = Fx::new();
    let r = fx.verify(&fx.good()).unwrap();
    assert_eq!(r.claims()["given_name"], "Erika");
    assert!(r.claims().get("_sd").is_none() && r.claims().get("_sd_alg").is_none());
}

// ---------------------------------------------------------------- A. JOSE

#[test]
fn a_alg_none_and_friends() {
    let fx = Fx::new();
    let p = fx.payload().to_string();
    for alg in ["none", "None", "NONE", "nOnE"] {
        // JWS-01 (empty signature), JWS-02, JWS-03 (non-empty signature); raised before key lookup:
        // the issuer below is unknown, and the kind is still `unsupported`.
        let h = json!({"alg": alg, "typ": "dc+sd-jwt"}).to_string();
        let unsigned = format!("{}.{}.~", b64(&h), b64(&p));
        assert_kind(fx.verify(&unsigned), ErrorKind::Unsupported, "JWS-01/02");
        let signed = format!("{}~", Fx::jws_with(&fx.issuer, &h, &p));
        assert_kind(fx.verify(&signed), ErrorKind::Unsupported, "JWS-03");
    }
    // JWS-04: HS256 with a MAC keyed by the public key (as JWK text) is refused on the alg alone
    let h = json!({"alg": "HS256", "typ": "dc+sd-jwt"}).to_string();
    let input = format!("{}.{}", b64(&h), b64(&p));
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        fx.issuer.public_key().to_jwk().as_bytes(),
    );
    let mac = ring::hmac::sign(&key, input.as_bytes());
    assert_kind(
        fx.verify(&format!("{input}.{}~", b64(mac))),
        ErrorKind::Unsupported,
        "JWS-04",
    );
    // JWS-06 / JWS-08
    for alg in ["RS256", "PS256", "ES256K", "ES512", "Ed448", ""] {
        let h = json!({"alg": alg, "typ": "dc+sd-jwt"}).to_string();
        assert_kind(
            fx.verify(&format!("{}~", Fx::jws_with(&fx.issuer, &h, &p))),
            ErrorKind::Unsupported,
            "JWS-06/08",
        );
    }
    let h = json!({"alg": 7, "typ": "dc+sd-jwt"}).to_string();
    assert_kind(
        fx.verify(&format!("{}~", Fx::jws_with(&fx.issuer, &h, &p))),
        ErrorKind::Malformed,
        "JWS-08 number",
    );
    // SD-27 / KB-12: alg none on the KB-JWT
    let sd = fx.sd(&fx.jws(&fx.header(), &fx.payload()), &[]);
    let kb = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"kb+jwt"}"#),
        b64(fx.kb_payload(&sd).to_string())
    );
    assert_kind(
        fx.verify(&format!("{sd}{kb}")),
        ErrorKind::Unsupported,
        "KB-12",
    );
}

#[test]
fn a_key_alg_binding() {
    let fx = Fx::new();
    // JWS-05: ES384 header over a P-256 key (signed with P-384 key bytes of the right length)
    let k384 = PrivateKey::generate(Algorithm::Es384).unwrap();
    let h = json!({"alg": "ES384", "typ": "dc+sd-jwt", "kid": "k1"}).to_string();
    let t = format!("{}~", Fx::jws_with(&k384, &h, &fx.payload().to_string()));
    assert_kind(fx.verify(&t), ErrorKind::Signature, "JWS-05");
    // JWS-07: EdDSA header with the EC issuer key
    let ed = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let h = json!({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": "k1"}).to_string();
    let t = format!("{}~", Fx::jws_with(&ed, &h, &fx.payload().to_string()));
    assert_kind(fx.verify(&t), ErrorKind::Unsupported, "JWS-07");
}

#[test]
fn a_crit_and_b64() {
    let fx = Fx::new();
    let cases = [
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":["exp"],"exp":1}),
            ErrorKind::Malformed,
            "JWS-09",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":["x-foo"],"x-foo":1}),
            ErrorKind::Unsupported,
            "JWS-10",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":["x-foo"]}),
            ErrorKind::Malformed,
            "JWS-11",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":[]}),
            ErrorKind::Malformed,
            "JWS-12",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":"b64","b64":true}),
            ErrorKind::Malformed,
            "JWS-12",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":["b64"],"b64":false}),
            ErrorKind::Unsupported,
            "JWS-13",
        ),
        (
            json!({"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","b64":false}),
            ErrorKind::Malformed,
            "JWS-14",
        ),
    ];
    for (h, want, row) in cases {
        let t = fx.sd(&fx.jws(&h, &fx.payload()), &[]);
        assert_kind(fx.verify(&t), want, row);
    }
    let t = fx.sd(
        &Fx::jws_with(
            &fx.issuer,
            r#"{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","crit":["b64","b64"],"b64":false}"#,
            &fx.payload().to_string(),
        ),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-12 duplicate");
}

#[test]
fn a_explicit_typing() {
    let fx = Fx::new();
    let p = fx.payload();
    // JWS-15: no typ
    let t = fx.sd(&fx.jws(&json!({"alg":"ES256","kid":"k1"}), &p), &[]);
    assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-15");
    // JWS-16: a KB-JWT where the issuer JWT belongs, and an issuer JWT as the KB-JWT
    let t = fx.sd(
        &fx.jws(&json!({"alg":"ES256","typ":"kb+jwt","kid":"k1"}), &p),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-16 issuer");
    let sd = fx.sd(&fx.jws(&fx.header(), &p), &[]);
    let kb = fx.kb_with(
        &json!({"alg":"ES256","typ":"dc+sd-jwt"}),
        &fx.kb_payload(&sd),
    );
    assert_kind(
        fx.verify(&format!("{sd}{kb}")),
        ErrorKind::Malformed,
        "JWS-16 kb",
    );
    // KB-11
    for typ in ["JWT", "dc+sd-jwt"] {
        let kb = fx.kb_with(&json!({"alg":"ES256","typ":typ}), &fx.kb_payload(&sd));
        assert_kind(
            fx.verify(&format!("{sd}{kb}")),
            ErrorKind::Malformed,
            "KB-11",
        );
    }
    // JWS-17: W3C VCDM payload under either typ on the SD-JWT VC path
    let mut vcdm = p.clone();
    vcdm["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    for typ in ["vc+sd-jwt", "dc+sd-jwt"] {
        let t = fx.sd(
            &fx.jws(&json!({"alg":"ES256","typ":typ,"kid":"k1"}), &vcdm),
            &[],
        );
        let r = Verifier::new(fx.trust(), Policy::default().allow_legacy_typ(true))
            .verify_sd_jwt_vc(&t, &fx.expect());
        assert_kind(r, ErrorKind::Policy, "JWS-17");
    }
    // the legacy typ on an SD-JWT VC payload: refused by default, accepted on request
    let t = fx.sd(
        &fx.jws(&json!({"alg":"ES256","typ":"vc+sd-jwt","kid":"k1"}), &p),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Policy, "legacy typ");
    assert!(fx
        .verify_with(&t, Policy::default().allow_legacy_typ(true), fx.bearer())
        .is_ok());
    // JWS-18: a status list token presented as a credential
    let t = fx.sd(
        &fx.jws(
            &json!({"alg":"ES256","typ":"statuslist+jwt","kid":"k1"}),
            &p,
        ),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-18");
    // JWS-35 ACCEPT
    for typ in ["application/dc+sd-jwt", "DC+SD-JWT"] {
        let t = fx.sd(
            &fx.jws(&json!({"alg":"ES256","typ":typ,"kid":"k1"}), &p),
            &[],
        );
        fx.verify(&t)
            .unwrap_or_else(|e| panic!("JWS-35 {typ}: {e}"));
    }
    // JWS-36 ACCEPT: any order, unknown non-crit members
    let t = fx.sd(
        &Fx::jws_with(
            &fx.issuer,
            r#"{"x5t#S256":"abc","trust_chain":[],"kid":"k1","typ":"dc+sd-jwt","alg":"ES256"}"#,
            &p.to_string(),
        ),
        &[],
    );
    fx.verify(&t).unwrap();
}

#[test]
fn a_key_sources() {
    let fx = Fx::new();
    let attacker = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwk: Value = serde_json::from_str(&attacker.public_key().to_jwk()).unwrap();
    let mut p = fx.payload();
    p["iss"] = json!("https://attacker.example");
    // JWS-23: an embedded jwk header is never a trust source
    let h = json!({"alg":"ES256","typ":"dc+sd-jwt","jwk": jwk});
    let t = fx.sd(
        &Fx::jws_with(&attacker, &h.to_string(), &p.to_string()),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Untrusted, "JWS-23");
    // JWS-24: jku / x5u point nowhere we would go
    let h = json!({"alg":"ES256","typ":"dc+sd-jwt","jku":"https://attacker.example/jwks","x5u":"https://attacker.example/c.pem"});
    let t = fx.sd(
        &Fx::jws_with(&attacker, &h.to_string(), &p.to_string()),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Untrusted, "JWS-24");
    // JWS-25: kid as a path, SQL, oversize
    for kid in ["../../etc/passwd", "' OR 1=1 --"] {
        let t = fx.sd(
            &fx.jws(
                &json!({"alg":"ES256","typ":"dc+sd-jwt","kid":kid}),
                &fx.payload(),
            ),
            &[],
        );
        assert_kind(fx.verify(&t), ErrorKind::Untrusted, "JWS-25");
    }
    let big = "k".repeat(2_000);
    let t = fx.sd(
        &fx.jws(
            &json!({"alg":"ES256","typ":"dc+sd-jwt","kid":big}),
            &fx.payload(),
        ),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::LimitExceeded, "JWS-25 oversize");
    // JWS-32: exact iss equality
    for iss in [
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "https://ISSUER.example",
    ] {
        let mut p = fx.payload();
        p["iss"] = json!(iss);
        let t = fx.sd(&fx.jws(&fx.header(), &p), &[]);
        assert_kind(fx.verify(&t), ErrorKind::Untrusted, "JWS-32");
    }
    // a valid token by the right issuer but another key
    let t = fx.sd(
        &Fx::jws_with(
            &attacker,
            &fx.header().to_string(),
            &fx.payload().to_string(),
        ),
        &[],
    );
    assert_kind(fx.verify(&t), ErrorKind::Signature, "wrong key");
}

#[test]
fn a_structure_and_sizes() {
    let fx = Fx::new();
    let good = fx.good();
    let jwt = good.split('~').next().unwrap();
    // JWS-20
    assert_kind(
        fx.verify(&format!("{jwt}.x.y~")),
        ErrorKind::Malformed,
        "JWS-20",
    );
    assert_kind(
        fx.verify(&format!("{}~", ".".repeat(50_000))),
        ErrorKind::Malformed,
        "JWS-20 many",
    );
    // JWS-26: a JWE-shaped token
    assert_kind(
        fx.verify("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d~"),
        ErrorKind::Malformed,
        "JWS-26",
    );
    // JWS-21: padding, +/, whitespace, non-canonical trailing bits in a segment
    let segs: Vec<&str> = jwt.split('.').collect();
    for bad in [
        format!("{}=.{}.{}~", segs[0], segs[1], segs[2]),
        format!("{}.{}.{}=~", segs[0], segs[1], segs[2]),
        format!("{} .{}.{}~", segs[0], segs[1], segs[2]),
        format!("{}.{}+.{}~", segs[0], segs[1], segs[2]),
    ] {
        assert_kind(fx.verify(&bad), ErrorKind::Malformed, "JWS-21");
    }
    // non-canonical trailing bits in the signature segment: same bytes must not verify twice
    let sig = segs[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let tweaked = alphabet.chars().nth(idx ^ 1).unwrap();
    let t = format!(
        "{}.{}.{}{}~",
        segs[0],
        segs[1],
        &sig[..sig.len() - 1],
        tweaked
    );
    assert!(fx.verify(&t).is_err(), "JWS-21 trailing bits");
    // JWS-22
    for (h, p) in [
        ("[1]", fx.payload().to_string()),
        (&fx.header().to_string()[..], "\"str\"".into()),
        (&fx.header().to_string()[..], "42".into()),
    ] {
        let t = format!("{}~", Fx::jws_with(&fx.issuer, h, &p));
        assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-22");
    }
    // JWS-34 / ENC-01 / ENC-02: sizes checked before decoding
    let big_header = format!("{}.{}.AA~", "A".repeat(20_000), segs[1]);
    assert_kind(
        fx.verify(&big_header),
        ErrorKind::LimitExceeded,
        "JWS-34 header",
    );
    let big_payload = format!("{}.{}.AA~", segs[0], "A".repeat(1536 * 1024));
    assert_kind(
        fx.verify(&big_payload),
        ErrorKind::LimitExceeded,
        "JWS-34 payload",
    );
    let huge = format!("{}~", "A".repeat(2 * 1024 * 1024));
    assert_kind(fx.verify(&huge), ErrorKind::LimitExceeded, "ENC-01");
}

#[test]
fn a_time_claims() {
    let fx = Fx::new();
    let with = |name: &str, v: Value| {
        let mut p = fx.payload();
        p[name] = v;
        fx.sd(&fx.jws(&fx.header(), &p), &[])
    };
    // JWS-28 / JWS-29 / M-03
    for v in [
        json!("99999999999"),
        json!("never"),
        json!(true),
        json!([1]),
        json!(-1),
        json!(1.5),
    ] {
        assert_kind(
            fx.verify(&with("exp", v.clone())),
            ErrorKind::Malformed,
            "JWS-28/29 exp",
        );
        assert_kind(
            fx.verify(&with("nbf", v)),
            ErrorKind::Malformed,
            "JWS-28 nbf",
        );
    }
    for raw in ["1e400", "18446744073709551616", "1.0"] {
        let p = fx
            .payload()
            .to_string()
            .replacen('{', &format!("{{\"exp\":{raw},"), 1);
        let p = p.replace(&format!(",\"exp\":{}", NOW + 86_400), "");
        let t = format!(
            "{}~",
            Fx::jws_with(&fx.issuer, &fx.header().to_string(), &p)
        );
        assert_kind(fx.verify(&t), ErrorKind::Malformed, "JWS-29 raw");
    }
    // JWS-30: the boundary counts as expired
    assert_kind(
        fx.verify(&with("exp", json!(NOW))),
        ErrorKind::Expired,
        "JWS-30 exp==now",
    );
    assert_kind(
        fx.verify(&with("exp", json!(NOW - 1))),
        ErrorKind::Expired,
        "JWS-30 exp=now-1",
    );
    fx.verify(&with("exp", json!(NOW + 1))).unwrap();
    // with a skew of 30 s, exp == now - 30 is the boundary
    let p = Policy::default().clock_skew_secs(30);
    assert_kind(
        fx.verify_with(&with("exp", json!(NOW - 30)), p.clone(), fx.bearer()),
        ErrorKind::Expired,
        "skew boundary",
    );
    fx.verify_with(&with("exp", json!(NOW - 29)), p, fx.bearer())
        .unwrap();
    // JWS-31
    assert_kind(
        fx.verify(&with("nbf", json!(NOW + 600))),
        ErrorKind::NotYetValid,
        "JWS-31",
    );
    assert_kind(
        fx.verify(&with("iat", json!(NOW + 600))),
        ErrorKind::NotYetValid,
        "iat in the future",
    );
}

// ---------------------------------------------------------------- B. signature encodings

const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn sub_be(a: &[u8; 32], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = u8::try_from(d).unwrap();
    }
    out
}

fn resign(fx: &Fx, sig: Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(fx.header().to_string()),
        b64(fx.payload().to_string())
    );
    format!("{input}.{}~", b64(sig))
}

#[test]
fn b_ecdsa_signature_encodings() {
    let fx = Fx::new();
    let input = format!(
        "{}.{}",
        b64(fx.header().to_string()),
        b64(fx.payload().to_string())
    );
    let sig = fx.issuer.sign(input.as_bytes()).unwrap();
    fx.verify(&resign(&fx, sig.clone())).unwrap();
    // SIG-01: DER
    let der = {
        let int = |b: &[u8]| {
            let mut v = b.to_vec();
            while v.len() > 1 && v[0] == 0 && v[1] & 0x80 == 0 {
                v.remove(0);
            }
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            let mut o = vec![0x02, u8::try_from(v.len()).unwrap()];
            o.extend(v);
            o
        };
        let body = [int(&sig[..32]), int(&sig[32..])].concat();
        [vec![0x30, u8::try_from(body.len()).unwrap()], body].concat()
    };
    assert_kind(fx.verify(&resign(&fx, der)), ErrorKind::Signature, "SIG-01");
    // SIG-02
    for bad in [
        sig[..63].to_vec(),
        [sig.clone(), vec![0]].concat(),
        vec![],
        [vec![0, 0], sig.clone()].concat(),
    ] {
        assert_kind(fx.verify(&resign(&fx, bad)), ErrorKind::Signature, "SIG-02");
    }
    // SIG-03
    let mut r0s1 = vec![0u8; 64];
    r0s1[63] = 1;
    for bad in [vec![0u8; 64], r0s1] {
        assert_kind(fx.verify(&resign(&fx, bad)), ErrorKind::Signature, "SIG-03");
    }
    // SIG-04: r = n, s = n; r = n-1
    let n_minus_1 = sub_be(&P256_N, &{
        let mut one = [0u8; 32];
        one[31] = 1;
        one
    });
    for bad in [
        [P256_N, P256_N].concat(),
        [n_minus_1.to_vec(), P256_N.to_vec()].concat(),
        [P256_N.to_vec(), sig[32..].to_vec()].concat(),
    ] {
        assert_kind(fx.verify(&resign(&fx, bad)), ErrorKind::Signature, "SIG-04");
    }
    // SIG-05: r replaced by n - r
    let r: [u8; 32] = sig[..32].try_into().unwrap();
    let n_minus_r = sub_be(&P256_N, &r);
    assert_kind(
        fx.verify(&resign(
            &fx,
            [n_minus_r.to_vec(), sig[32..].to_vec()].concat(),
        )),
        ErrorKind::Signature,
        "SIG-05",
    );
    // SIG-06 ACCEPT: high-S (r, n - s) is valid
    let s: [u8; 32] = sig[32..].try_into().unwrap();
    let high_s = sub_be(&P256_N, &s);
    fx.verify(&resign(&fx, [sig[..32].to_vec(), high_s.to_vec()].concat()))
        .expect("SIG-06 high-S accepted");
}

#[test]
fn b_ed25519_signature_encodings() {
    let issuer = PrivateKey::generate(Algorithm::EdDsa).unwrap();
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(issuer.public_key().clone(), Some(ISS), None);
    let v = Verifier::new(trust, Policy::default());
    let expect = Expectations::at(UnixTime::from_secs(NOW));
    let claims = json!({"iss": ISS, "vct": "t", "a": 1});
    let issued = SdJwtVcIssuer::new(&issuer)
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(holder.public_key()),
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    v.verify(issued.as_bytes(), &expect).unwrap();
    let jwt = issued.split('~').next().unwrap();
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    let sig = B64.decode(sig).unwrap();
    let rest = &issued[jwt.len()..];
    // SIG-11: S + L (non-canonical)
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ]; // little-endian
    let mut s_plus_l = sig.clone();
    let mut carry = 0u16;
    for i in 0..32 {
        let t = u16::from(s_plus_l[32 + i]) + u16::from(L[i]) + carry;
        s_plus_l[32 + i] = u8::try_from(t & 0xff).unwrap();
        carry = t >> 8;
    }
    let t = format!("{input}.{}{rest}", b64(&s_plus_l));
    assert_kind(
        v.verify(t.as_bytes(), &expect),
        ErrorKind::Signature,
        "SIG-11",
    );
    // SIG-12
    for bad in [[sig.clone(), vec![0]].concat(), sig[..63].to_vec()] {
        let t = format!("{input}.{}{rest}", b64(&bad));
        assert_kind(
            v.verify(t.as_bytes(), &expect),
            ErrorKind::Signature,
            "SIG-12",
        );
    }
    // SIG-13: a small-order public key (the identity point) never verifies
    let mut trust = TrustStore::new();
    let mut ident = [0u8; 32];
    ident[0] = 1;
    trust.add_issuer_key(
        passerelle::PublicKey::from_ed25519(&ident).unwrap(),
        Some(ISS),
        None,
    );
    let v2 = Verifier::new(trust, Policy::default());
    assert_kind(
        v2.verify(issued.as_bytes(), &expect),
        ErrorKind::Signature,
        "SIG-13",
    );
}

#[test]
fn b_holder_keys_from_the_wire() {
    let fx = Fx::new();
    let jwk: Value = serde_json::from_str(&fx.holder.public_key().to_jwk()).unwrap();
    let cases = [
        // SIG-08: y flipped (off the curve)
        (
            {
                let mut j = jwk.clone();
                let mut y = B64.decode(j["y"].as_str().unwrap()).unwrap();
                y[31] ^= 1;
                j["y"] = json!(b64(y));
                json!({"jwk": j})
            },
            ErrorKind::Malformed,
            "SIG-08",
        ),
        // SIG-09: 31-byte x
        (
            {
                let mut j = jwk.clone();
                let x = B64.decode(j["x"].as_str().unwrap()).unwrap();
                j["x"] = json!(b64(&x[1..]));
                json!({"jwk": j})
            },
            ErrorKind::Malformed,
            "SIG-09",
        ),
        // SIG-10: private material in cnf
        (
            json!({"jwk": serde_json::from_str::<Value>(&fx.holder.to_jwk()).unwrap()}),
            ErrorKind::Malformed,
            "SIG-10",
        ),
        // KB-04
        (
            json!({"kid": "holder-key-1"}),
            ErrorKind::Unsupported,
            "KB-04 kid only",
        ),
        (
            json!({"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}),
            ErrorKind::Unsupported,
            "KB-04 RSA",
        ),
        (
            json!({"jwk": {"kty": "oct", "k": "AAAA"}}),
            ErrorKind::Unsupported,
            "KB-04 oct",
        ),
    ];
    for (cnf, want, row) in cases {
        let mut p = fx.payload();
        p["cnf"] = cnf;
        let sd = fx.sd(&fx.jws(&fx.header(), &p), &[]);
        assert_kind(fx.verify(&fx.with_kb(&sd)), want, row);
    }
}

// ---------------------------------------------------------------- C. SD-JWT structure

fn sd_case(fx: &Fx, sd_field: Value, extra: &[(&str, Value)], ds: &[&str]) -> String {
    let mut p = fx.payload();
    p["_sd"] = sd_field;
    for (k, v) in extra {
        p[*k] = v.clone();
    }
    fx.sd(&fx.jws(&fx.header(), &p), ds)
}

#[test]
fn c_framing() {
    let fx = Fx::new();
    let (d, h) = disc(r#"["s1","given_name","Erika"]"#);
    let jwt = {
        let mut p = fx.payload();
        p["_sd"] = json!([h]);
        fx.jws(&fx.header(), &p)
    };
    // SD-01: trailing ~ missing: the disclosure is read as a KB-JWT and fails
    assert_kind(
        fx.verify(&format!("{jwt}~{d}")),
        ErrorKind::Malformed,
        "SD-01",
    );
    // SD-02: a bare JWT
    assert_kind(fx.verify(&jwt), ErrorKind::Malformed, "SD-02");
    // SD-03: an empty disclosure
    assert_kind(
        fx.verify(&format!("{jwt}~~{d}~")),
        ErrorKind::Malformed,
        "SD-03",
    );
    // KB-14: extra segments after the KB-JWT, two KB-JWTs
    let sd = fx.sd(&jwt, &[&d]);
    let good = fx.with_kb(&sd);
    fx.verify(&good).unwrap();
    assert_kind(
        fx.verify(&format!("{good}~")),
        ErrorKind::Malformed,
        "KB-14 trailing ~",
    );
    let kb = &good[sd.len()..];
    assert_kind(
        fx.verify(&format!("{sd}{kb}~{kb}")),
        ErrorKind::Malformed,
        "KB-14 two KB-JWTs",
    );
    // KB-15: a holder receiving an SD-JWT+KB at issuance
    assert_kind(HeldSdJwt::parse(&good), ErrorKind::Malformed, "KB-15");
}

#[test]
fn c_disclosure_rules() {
    let fx = Fx::new();
    let (d1, h1) = disc(r#"["s1","given_name","Erika"]"#);
    let (d1b, _) = disc(r#"["s1", "given_name", "Erika"]"#);
    let (d2, h2) = disc(r#"["s2","family_name","Mustermann"]"#);
    let (de, he) = disc(r#"["s3","DE"]"#);
    // SD-04: the same disclosure twice
    assert_kind(
        fx.verify(&sd_case(&fx, json!([h1]), &[], &[&d1, &d1])),
        ErrorKind::Malformed,
        "SD-04",
    );
    // SD-05: equal JSON, different base64: the second one is unreferenced
    assert_kind(
        fx.verify(&sd_case(&fx, json!([h1]), &[], &[&d1, &d1b])),
        ErrorKind::Malformed,
        "SD-05",
    );
    // SD-06: one digest twice
    assert_kind(
        fx.verify(&sd_case(
            &fx,
            json!([h1]),
            &[("o", json!({"_sd": [h1]}))],
            &[&d1],
        )),
        ErrorKind::Malformed,
        "SD-06 two _sd",
    );
    assert_kind(
        fx.verify(&sd_case(
            &fx,
            json!([h1]),
            &[("l", json!([{"...": h1}]))],
            &[&d1],
        )),
        ErrorKind::Malformed,
        "SD-06 _sd and ...",
    );
    // SD-07: unreferenced disclosure
    assert_kind(
        fx.verify(&sd_case(&fx, json!([h1]), &[], &[&d1, &d2])),
        ErrorKind::Malformed,
        "SD-07",
    );
    // SD-08: one byte of a valid disclosure altered: never a quiet drop
    let mut bytes = d1.clone().into_bytes();
    bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(bytes).unwrap();
    let r = fx.verify(&sd_case(&fx, json!([h1, h2]), &[], &[&altered, &d2]));
    assert!(r.is_err(), "SD-08: tampered disclosure accepted");
    assert_kind(r, ErrorKind::Malformed, "SD-08");
    // SD-09 / SD-10
    for bad in [r#"["s","_sd",["x"]]"#, r#"["s","...","x"]"#] {
        let (d, h) = disc(bad);
        assert_kind(
            fx.verify(&sd_case(&fx, json!([h]), &[], &[&d])),
            ErrorKind::Malformed,
            "SD-09/10",
        );
    }
    // SD-11: a disclosed name equal to a visible claim
    for name in ["iss", "cnf", "vct", "status", "exp"] {
        let (d, h) = disc(&format!(r#"["s9","{name}","x"]"#));
        let mut extra = vec![];
        if name == "status" {
            extra.push((
                "status",
                json!({"status_list": {"idx": 1, "uri": "https://s.example/1"}}),
            ));
        }
        assert_kind(
            fx.verify(&sd_case(&fx, json!([h]), &extra, &[&d])),
            ErrorKind::Malformed,
            "SD-11",
        );
    }
    // SD-12
    let (dx, hx) = disc(r#"["s7","x",1]"#);
    let (dy, hy) = disc(r#"["s8","x",2]"#);
    assert_kind(
        fx.verify(&sd_case(&fx, json!([hx, hy]), &[], &[&dx, &dy])),
        ErrorKind::Malformed,
        "SD-12",
    );
    // SD-13 / SD-14
    assert_kind(
        fx.verify(&sd_case(&fx, json!([he]), &[], &[&de])),
        ErrorKind::Malformed,
        "SD-13",
    );
    assert_kind(
        fx.verify(&sd_case(
            &fx,
            json!([]),
            &[("l", json!([{"...": h1}]))],
            &[&d1],
        )),
        ErrorKind::Malformed,
        "SD-14",
    );
    // SD-15
    assert_kind(
        fx.verify(&sd_case(
            &fx,
            json!([]),
            &[("l", json!([{"...": he, "x": 1}]))],
            &[&de],
        )),
        ErrorKind::Malformed,
        "SD-15 extra member",
    );
    assert_kind(
        fx.verify(&sd_case(&fx, json!([]), &[("l", json!([{"...": 5}]))], &[])),
        ErrorKind::Malformed,
        "SD-15 non-string",
    );
    // SD-16
    for sd in [json!("abc"), json!({"a": 1}), json!([1]), json!([null])] {
        assert_kind(
            fx.verify(&sd_case(&fx, sd, &[], &[])),
            ErrorKind::Malformed,
            "SD-16",
        );
    }
    // SD-17
    for bad in [
        r#"{"a":1}"#,
        r#"["x"]"#,
        r#"["s","a",1,2]"#,
        r#"[1,"a",1]"#,
        r#"["s",2,1]"#,
    ] {
        let (d, h) = disc(bad);
        assert_kind(
            fx.verify(&sd_case(&fx, json!([h]), &[], &[&d])),
            ErrorKind::Malformed,
            "SD-17",
        );
    }
    assert_kind(
        fx.verify(&sd_case(&fx, json!([]), &[], &["not*base64"])),
        ErrorKind::Malformed,
        "SD-17 base64",
    );
    // SD-25
    let (d, h) = disc(r#"["s","o",{"_sd":"abc"}]"#);
    assert_kind(
        fx.verify(&sd_case(&fx, json!([h]), &[], &[&d])),
        ErrorKind::Malformed,
        "SD-25",
    );
    // SD-31 ACCEPT: recursive disclosures
    let (inner, hi) = disc(r#"["s10","locality","Köln"]"#);
    let (outer, ho) = disc(&format!(
        r#"["s11","address",{{"_sd":["{hi}"],"country":"DE"}}]"#
    ));
    let (el, hel) = disc(r#"["s12","FR"]"#);
    let (arr, harr) = disc(&format!(
        r#"["s13","nationalities",["DE",{{"...":"{hel}"}}]]"#
    ));
    let r = fx
        .verify(&sd_case(
            &fx,
            json!([ho, harr]),
            &[],
            &[&inner, &outer, &el, &arr],
        ))
        .expect("SD-31");
    assert_eq!(
        r.claims()["address"],
        json!({"locality": "Köln", "country": "DE"})
    );
    assert_eq!(r.claims()["nationalities"], json!(["DE", "FR"]));
    // SD-29 ACCEPT: a claim named "a.b" next to a nested a.b
    let (dab, hab) = disc(r#"["s14","a.b",1]"#);
    let r = fx
        .verify(&sd_case(
            &fx,
            json!([hab]),
            &[("a", json!({"b": 2}))],
            &[&dab],
        ))
        .expect("SD-29");
    assert_eq!(r.claims()["a.b"], 1);
    assert_eq!(r.claims()["a"]["b"], 2);
}

#[test]
fn c_sd_alg() {
    let fx = Fx::new();
    // SD-19
    for alg in ["sha-1", "md5", "sha-256/128", "SHA-256", "foo"] {
        let mut p = fx.payload();
        p["_sd_alg"] = json!(alg);
        assert_kind(
            fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[])),
            ErrorKind::Unsupported,
            "SD-19",
        );
    }
    // SD-20 ACCEPT: absent means sha-256
    let (d, h) = disc(r#"["s1","given_name","Erika"]"#);
    let mut p = fx.payload();
    p.as_object_mut().unwrap().remove("_sd_alg");
    p["_sd"] = json!([h]);
    let r = fx
        .verify(&fx.sd(&fx.jws(&fx.header(), &p), &[&d]))
        .expect("SD-20");
    assert_eq!(r.claims()["given_name"], "Erika");
    // sha-384 also works when declared
    let d384 = b64(r#"["s1","given_name","Erika"]"#);
    let h384 = b64(ring::digest::digest(&ring::digest::SHA384, d384.as_bytes()));
    let mut p = fx.payload();
    p["_sd_alg"] = json!("sha-384");
    p["_sd"] = json!([h384]);
    fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[&d384]))
        .expect("sha-384");
    // SD-21
    assert_kind(
        fx.verify(&sd_case(
            &fx,
            json!([]),
            &[("o", json!({"_sd_alg": "sha-256"}))],
            &[],
        )),
        ErrorKind::Malformed,
        "SD-21",
    );
}

#[test]
fn c_limits() {
    let fx = Fx::new();
    // SD-23: 10 000 disclosures accepted, one past the limit refused
    let limit = passerelle::limits::MAX_DISCLOSURES;
    let mut ds = Vec::with_capacity(limit + 1);
    let mut hs = Vec::with_capacity(limit + 1);
    for i in 0..=limit {
        let (d, h) = disc(&format!(r#"["s{i}","c{i}",{i}]"#));
        ds.push(d);
        hs.push(h);
    }
    let refs: Vec<&str> = ds[..limit].iter().map(String::as_str).collect();
    let r = fx
        .verify(&sd_case(&fx, json!(hs[..limit]), &[], &refs))
        .expect("SD-23 at the limit");
    assert_eq!(r.claims()["c9999"], 9999);
    let refs: Vec<&str> = ds.iter().map(String::as_str).collect();
    assert_kind(
        fx.verify(&sd_case(&fx, json!(hs), &[], &refs)),
        ErrorKind::LimitExceeded,
        "SD-23 past the limit",
    );
    // SD-24: a million decoys exceed the payload size limit
    let decoys: Vec<String> = (0..1_000_000).map(|i| format!("{i:043}")).collect();
    let p = json!({"iss": ISS, "vct": "t", "_sd": decoys});
    let t = format!(
        "{}~",
        Fx::jws_with(&fx.issuer, &fx.header().to_string(), &p.to_string())
    );
    assert_kind(fx.verify(&t), ErrorKind::LimitExceeded, "SD-24");
    // SD-22: a long recursive chain
    let mut inner = json!({"leaf": true});
    let mut chain = Vec::new();
    for i in 0..200 {
        let (d, h) = disc(&format!(r#"["s{i}","c",{inner}]"#));
        inner = json!({"_sd": [h]});
        chain.push(d);
    }
    let refs: Vec<&str> = chain.iter().map(String::as_str).collect();
    let t = sd_case(&fx, inner["_sd"].clone(), &[], &refs);
    assert_kind(fx.verify(&t), ErrorKind::LimitExceeded, "SD-22");
    // SD-26 / M-02: a disclosure value nested 10 000 levels deep
    let deep = format!(r#"["s","x",{}1{}]"#, "[".repeat(10_000), "]".repeat(10_000));
    let (d, h) = disc(&deep);
    assert_kind(
        fx.verify(&sd_case(&fx, json!([h]), &[], &[&d])),
        ErrorKind::LimitExceeded,
        "SD-26",
    );
}

#[test]
fn c_time_after_disclosure() {
    let fx = Fx::new();
    // SD-28: exp made disclosable and disclosed in the past. Issue 8: the
    // "never selectively disclosable" rule runs before any time check, so it
    // is malformed (not expired), and a disclosed exp or nbf in the future is
    // malformed too: withholding or disclosing it changes nothing.
    for (claim, at) in [
        ("exp", NOW - 10),
        ("exp", NOW + 10_000),
        ("nbf", NOW + 10_000),
        ("nbf", NOW - 10),
    ] {
        let (d, h) = disc(&format!(r#"["s","{claim}",{at}]"#));
        let mut p = fx.payload();
        p.as_object_mut().unwrap().remove("exp");
        p["_sd"] = json!([h]);
        assert_kind(
            fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[&d])),
            ErrorKind::Malformed,
            "SD-28",
        );
    }
    // ... and an issuer refuses to make such claims disclosable (policy)
    for name in ["iss", "exp", "cnf", "vct", "status", "nbf"] {
        // cnf comes from the holder key, so every always-visible claim is present
        let claims = json!({"iss": ISS, "vct": "t", "exp": NOW + 10, "nbf": NOW - 10, "status": {"status_list": {"idx": 0, "uri": "https://s.example"}}});
        let r = SdJwtVcIssuer::new(&fx.issuer).issue(
            claims.as_object().unwrap(),
            &Disclosable::Paths(vec![ClaimPath::parse(&format!("/{name}")).unwrap()]),
            Some(fx.holder.public_key()),
            UnixTime::from_secs(NOW),
        );
        assert_kind(r, ErrorKind::Policy, "SD-28 issuer");
    }

    // SD-18: a repeated salt (so a repeated digest) at issuance is refused; the unit
    // tests also refuse a source that repeats salts under different content
    struct Stuck;
    impl passerelle::SecureRandom for Stuck {
        fn fill(&self, dest: &mut [u8]) -> passerelle::Result<()> {
            dest.fill(7);
            Ok(())
        }
    }
    let claims = json!({"iss": ISS, "vct": "t", "l": ["same", "same"]});
    let r = SdJwtVcIssuer::new(&fx.issuer)
        .with_rng(&Stuck)
        .with_max_decoys(0)
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::Paths(vec![
                ClaimPath::parse("/l/0").unwrap(),
                ClaimPath::parse("/l/1").unwrap(),
            ]),
            None,
            UnixTime::from_secs(NOW),
        );
    assert_kind(r, ErrorKind::Policy, "SD-18");
}

#[test]
fn c_json_serialization_placement() {
    // SD-30: disclosures in the protected header, or in a non-first unprotected header
    let fx = Fx::new();
    let (d, h) = disc(r#"["s1","given_name","Erika"]"#);
    let mut p = fx.payload();
    p["_sd"] = json!([h]);
    let jwt = fx.jws(&fx.header(), &p);
    let parts: Vec<&str> = jwt.split('.').collect();
    let ok = json!({"protected": parts[0], "payload": parts[1], "signature": parts[2], "header": {"disclosures": [d]}});
    let r = fx
        .verify_with(&ok.to_string(), Policy::default(), fx.bearer())
        .expect("flattened JSON");
    assert_eq!(r.claims()["given_name"], "Erika");
    let mut hdr = fx.header();
    hdr["disclosures"] = json!([d]);
    let jwt2 = fx.jws(&hdr, &p);
    let parts2: Vec<&str> = jwt2.split('.').collect();
    let bad = json!({"protected": parts2[0], "payload": parts2[1], "signature": parts2[2]});
    assert_kind(
        fx.verify(&bad.to_string()),
        ErrorKind::Malformed,
        "SD-30 protected",
    );
    let general = json!({"payload": parts[1], "signatures": [
        {"protected": parts[0], "signature": parts[2]},
        {"protected": parts[0], "signature": parts[2], "header": {"disclosures": [d]}}
    ]});
    assert_kind(
        fx.verify(&general.to_string()),
        ErrorKind::Malformed,
        "SD-30 second header",
    );
}

// ---------------------------------------------------------------- D. KB-JWT

#[test]
fn d_key_binding() {
    let fx = Fx::new();
    let (d, h) = disc(r#"["s1","given_name","Erika"]"#);
    let mut p = fx.payload();
    p["_sd"] = json!([h]);
    let sd = fx.sd(&fx.jws(&fx.header(), &p), &[&d]);
    let required = Policy::default().require_holder_binding(true);
    // KB-01: required, absent
    assert_kind(
        fx.verify_with(&sd, required.clone(), fx.expect()),
        ErrorKind::HolderBinding,
        "KB-01",
    );
    let r = fx.verify(&sd).unwrap();
    assert_eq!(r.holder_binding(), &passerelle::HolderBinding::NotChecked);
    // KB-02: another key
    let attacker = PrivateKey::generate(Algorithm::Es256).unwrap();
    let kb = Fx::jws_with(
        &attacker,
        r#"{"alg":"ES256","typ":"kb+jwt"}"#,
        &fx.kb_payload(&sd).to_string(),
    );
    assert_kind(
        fx.verify(&format!("{sd}{kb}")),
        ErrorKind::HolderBinding,
        "KB-02",
    );
    // KB-03: no cnf
    let mut p3 = p.clone();
    p3.as_object_mut().unwrap().remove("cnf");
    let sd3 = fx.sd(&fx.jws(&fx.header(), &p3), &[&d]);
    assert_kind(
        fx.verify(&fx.with_kb(&sd3)),
        ErrorKind::HolderBinding,
        "KB-03",
    );
    let kb_with = |f: &dyn Fn(&mut Value)| {
        let mut kp = fx.kb_payload(&sd);
        f(&mut kp);
        format!(
            "{sd}{}",
            fx.kb_with(&json!({"alg":"ES256","typ":"kb+jwt"}), &kp)
        )
    };
    // KB-05: sd_hash over another disclosure set
    let (d2, _) = disc(r#"["s2","x",1]"#);
    let other = fx.sd(&fx.jws(&fx.header(), &p), &[&d, &d2]);
    assert_kind(
        fx.verify(&kb_with(&|k| k["sd_hash"] = json!(sha(&other)))),
        ErrorKind::HolderBinding,
        "KB-05",
    );
    // KB-06: without the final ~, wrong hash, padded
    let no_tilde = &sd[..sd.len() - 1];
    assert_kind(
        fx.verify(&kb_with(&|k| k["sd_hash"] = json!(sha(no_tilde)))),
        ErrorKind::HolderBinding,
        "KB-06 no ~",
    );
    let s384 = b64(ring::digest::digest(&ring::digest::SHA384, sd.as_bytes()));
    assert_kind(
        fx.verify(&kb_with(&|k| k["sd_hash"] = json!(s384.clone()))),
        ErrorKind::HolderBinding,
        "KB-06 hash",
    );
    assert_kind(
        fx.verify(&kb_with(&|k| {
            k["sd_hash"] = json!(format!("{}=", sha(&sd)))
        })),
        ErrorKind::HolderBinding,
        "KB-06 padded",
    );
    // KB-07
    for n in [json!(null), json!("wrong"), json!(1234567890), json!("")] {
        assert_kind(
            fx.verify(&kb_with(&|k| k["nonce"] = n.clone())),
            ErrorKind::HolderBinding,
            "KB-07",
        );
    }
    assert_kind(
        fx.verify(&kb_with(&|k| {
            k.as_object_mut().unwrap().remove("nonce");
        })),
        ErrorKind::HolderBinding,
        "KB-07 missing",
    );
    // the verify API needs an expected nonce to check a KB-JWT at all
    let no_nonce = Expectations::at(UnixTime::from_secs(NOW)).audience(AUD);
    assert_kind(
        fx.verify_with(&fx.with_kb(&sd), Policy::default(), no_nonce),
        ErrorKind::HolderBinding,
        "KB-07 no expectation",
    );
    // KB-08 / JWS-33
    for a in [
        json!("https://other.example"),
        json!([AUD]),
        json!([AUD, "x"]),
        json!([]),
        json!(null),
    ] {
        assert_kind(
            fx.verify(&kb_with(&|k| k["aud"] = a.clone())),
            ErrorKind::HolderBinding,
            "KB-08",
        );
    }
    // KB-09
    assert_kind(
        fx.verify(&kb_with(&|k| {
            k.as_object_mut().unwrap().remove("iat");
        })),
        ErrorKind::HolderBinding,
        "KB-09",
    );
    assert_kind(
        fx.verify(&kb_with(&|k| k["iat"] = json!("1790000000"))),
        ErrorKind::HolderBinding,
        "KB-09 typed",
    );
    // KB-10
    assert_kind(
        fx.verify(&kb_with(&|k| k["iat"] = json!(NOW - 86_400))),
        ErrorKind::HolderBinding,
        "KB-10 old",
    );
    assert_kind(
        fx.verify(&kb_with(&|k| k["iat"] = json!(NOW + 3_600))),
        ErrorKind::HolderBinding,
        "KB-10 future",
    );
    // KB-13: a replayed nonce is refused by the host's single-use store
    let mut reg = NonceRegistry::new(16);
    let good = fx.with_kb(&sd);
    fx.verify(&good).unwrap();
    reg.consume(NONCE).unwrap();
    fx.verify(&good).unwrap();
    assert_kind(reg.consume(NONCE), ErrorKind::Policy, "KB-13");
    // KB-16: transaction data hashes
    let tdh = Expectations::at(UnixTime::from_secs(NOW))
        .nonce(NONCE)
        .audience(AUD)
        .transaction_data_hashes(&["abc"]);
    assert_kind(
        fx.verify_with(&good, Policy::default(), tdh.clone()),
        ErrorKind::HolderBinding,
        "KB-16 absent",
    );
    let with_tdh = kb_with(&|k| k["transaction_data_hashes"] = json!(["abc"]));
    fx.verify_with(&with_tdh, Policy::default(), tdh.clone())
        .expect("KB-16 match");
    let wrong_tdh = kb_with(&|k| k["transaction_data_hashes"] = json!(["abd"]));
    assert_kind(
        fx.verify_with(&wrong_tdh, Policy::default(), tdh),
        ErrorKind::HolderBinding,
        "KB-16 wrong",
    );
}

#[test]
fn d_wallet_presents_with_key_binding() {
    let fx = Fx::new();
    let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "given_name": "Erika", "family_name": "M",
                        "address": {"locality": "Köln", "country": "DE"}});
    let issued = SdJwtVcIssuer::new(&fx.issuer)
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            Some(fx.holder.public_key()),
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    let held = HeldSdJwt::parse(&issued).unwrap();
    let vp = held
        .present(
            &[ClaimPath::parse("/address/locality").unwrap()],
            Some(KeyBinding {
                signer: &fx.holder,
                nonce: NONCE,
                audience: AUD,
                iat: UnixTime::from_secs(NOW),
            }),
        )
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(fx.issuer.public_key().clone(), Some(ISS), None);
    let r = Verifier::new(trust, Policy::default().require_holder_binding(true))
        .verify(vp.as_bytes(), &fx.expect())
        .unwrap();
    assert_eq!(r.claims()["address"], json!({"locality": "Köln"}));
    assert!(r.claims().get("given_name").is_none());
    assert!(matches!(
        r.holder_binding(),
        passerelle::HolderBinding::Verified { .. }
    ));
}

// ---------------------------------------------------------------- M. JSON

#[test]
fn m_json() {
    let fx = Fx::new();
    let h = fx.header().to_string();
    let p = fx.payload().to_string();
    let inner = &p[1..];
    let raw = |payload: &[u8]| {
        let input = format!("{}.{}", b64(&h), b64(payload));
        let sig = fx.issuer.sign(input.as_bytes()).unwrap();
        format!("{input}.{}~", b64(sig))
    };
    // M-01: duplicates in the payload, the header, nested cnf.jwk, and a disclosure value
    assert_kind(
        fx.verify(&raw(format!(r#"{{"iss":"{ISS}",{inner}"#).as_bytes())),
        ErrorKind::Malformed,
        "M-01 payload",
    );
    let dup_hdr = format!(
        "{}.{}",
        b64(r#"{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","kid":"k2"}"#),
        b64(&p)
    );
    let sig = fx.issuer.sign(dup_hdr.as_bytes()).unwrap();
    assert_kind(
        fx.verify(&format!("{dup_hdr}.{}~", b64(sig))),
        ErrorKind::Malformed,
        "M-01 header",
    );
    let x = fx.payload()["cnf"]["jwk"]["x"].as_str().unwrap().to_owned();
    let dup_cnf = p.replacen(
        &format!(r#""x":"{x}""#),
        &format!(r#""x":"{x}","x":"{x}""#),
        1,
    );
    assert_ne!(dup_cnf, p);
    assert_kind(
        fx.verify(&raw(dup_cnf.as_bytes())),
        ErrorKind::Malformed,
        "M-01 cnf",
    );
    let (d, hd) = disc(r#"["s","o",{"a":1,"a":2}]"#);
    assert_kind(
        fx.verify(&sd_case(&fx, json!([hd]), &[], &[&d])),
        ErrorKind::Malformed,
        "M-01 disclosure",
    );
    // M-02
    assert_kind(
        fx.verify(&raw(format!(
            r#"{{"x":{}1{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .as_bytes())),
        ErrorKind::LimitExceeded,
        "M-02",
    );
    // M-04: invalid UTF-8
    let mut bad = p.clone().into_bytes();
    bad.insert(bad.len() - 1, b',');
    // a real 0xFF byte inside a string (not the text `\xff`)
    let tail = [b"\"z\":\"".to_vec(), vec![0xff], b"\"".to_vec()].concat();
    let pos = bad.len() - 1;
    bad.splice(pos..pos, tail);
    assert_kind(fx.verify(&raw(&bad)), ErrorKind::Malformed, "M-04");
    // M-05: lone surrogate
    assert_kind(
        fx.verify(&raw(format!(r#"{{"\ud800":1,{inner}"#).as_bytes())),
        ErrorKind::Malformed,
        "M-05",
    );
    // M-06: an escaped name equal to another
    assert_kind(
        fx.verify(&raw(format!(r#"{{"vc\u0074":"x",{inner}"#).as_bytes())),
        ErrorKind::Malformed,
        "M-06",
    );
    // M-07: BOM, NUL, trailing garbage
    for bad in [
        [b"\xEF\xBB\xBF".to_vec(), p.clone().into_bytes()].concat(),
        [p.clone().into_bytes(), vec![0]].concat(),
        [p.clone().into_bytes(), b" x".to_vec()].concat(),
    ] {
        assert_kind(fx.verify(&raw(&bad)), ErrorKind::Malformed, "M-07");
    }
    // M-08
    for bad in ["[1,2]", "\"claims\""] {
        assert_kind(
            fx.verify(&raw(bad.as_bytes())),
            ErrorKind::Malformed,
            "M-08",
        );
    }
    // M-09: a 100 MB string claim
    let big = "a".repeat(100 * 1024 * 1024);
    assert_kind(fx.verify(&big), ErrorKind::LimitExceeded, "M-09");
    // M-10
    for num in ["01", "+1", "NaN", "Infinity", "1."] {
        assert_kind(
            fx.verify(&raw(format!(r#"{{"n":{num},{inner}"#).as_bytes())),
            ErrorKind::Malformed,
            "M-10",
        );
    }
}

// ---------------------------------------------------------------- N. encodings

#[test]
fn n_detection() {
    let fx = Fx::new();
    // ENC-03: detection order is documented (Verifier::verify): a CBOR map head,
    // raw or base64url, means a DeviceResponse, so {1: 2} is a malformed one;
    // '{' or '~' means SD-JWT; a bare JWS a vc+jwt; anything else is not a presentation
    let v = Verifier::new(fx.trust(), Policy::default());
    assert_kind(
        v.verify(b"\xa1\x01\x02", &fx.expect()),
        ErrorKind::Malformed,
        "ENC-03 CBOR",
    );
    assert_kind(
        v.verify(b"oQEC", &fx.expect()),
        ErrorKind::Malformed,
        "ENC-03 base64url",
    );
    assert_kind(
        v.verify(b"\x83\x01\x02\x03", &fx.expect()),
        ErrorKind::Unsupported,
        "ENC-03 CBOR array",
    );
    // ENC-04: the library is strict about a trailing newline (the CLI trims one)
    let good = fx.good();
    assert!(fx.verify(&format!("{good}\n")).is_err());
}

// ---------------------------------------------------------------- J. x5c (the rows that reach the JWS path;
// the chain rules themselves are tested in src/trust/x509_tests.rs)

struct Pki {
    ca_key: PrivateKey,
    ca: passerelle::Certificate,
    leaf_key: PrivateKey,
    leaf: passerelle::Certificate,
}

fn pki(san_uri: &str) -> Pki {
    use passerelle::CertificateBuilder;
    let nb = UnixTime::from_secs(NOW - 86_400);
    let na = UnixTime::from_secs(NOW + 86_400 * 365);
    let ca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ca = CertificateBuilder::new("Test CA")
        .validity(nb, na)
        .ca(Some(0))
        .self_signed(&ca_key)
        .unwrap();
    let leaf_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let leaf = CertificateBuilder::new("Test Issuer")
        .validity(nb, na)
        .end_entity()
        .uri(san_uri)
        .issued_by(&ca, &ca_key, leaf_key.public_key())
        .unwrap();
    Pki {
        ca_key,
        ca,
        leaf_key,
        leaf,
    }
}

fn x5c_token(signer: &PrivateKey, x5c: Value, iss: &str) -> String {
    let fx = Fx::new();
    let mut p = fx.payload();
    p["iss"] = json!(iss);
    let h = json!({"alg": "ES256", "typ": "dc+sd-jwt", "x5c": x5c});
    format!("{}~", Fx::jws_with(signer, &h.to_string(), &p.to_string()))
}

fn verify_anchored(
    ca: &passerelle::Certificate,
    t: &str,
) -> passerelle::Result<VerificationResult> {
    let mut trust = TrustStore::new();
    trust.add_anchor_der(ca.der()).unwrap();
    Verifier::new(trust, Policy::default())
        .verify(t.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW)))
}

#[test]
fn j_x5c_on_the_jws_path() {
    use base64::engine::general_purpose::STANDARD;
    let p = pki(ISS);
    let leaf_b64 = STANDARD.encode(p.leaf.der());
    // a good chain, with and without the root
    let r = verify_anchored(&p.ca, &x5c_token(&p.leaf_key, json!([leaf_b64]), ISS)).unwrap();
    assert!(matches!(
        r.issuer().trust(),
        passerelle::TrustBasis::X509 { .. }
    ));
    verify_anchored(
        &p.ca,
        &x5c_token(
            &p.leaf_key,
            json!([leaf_b64, STANDARD.encode(p.ca.der())]),
            ISS,
        ),
    )
    .unwrap();
    // J-11: iss host is not the leaf's SAN
    assert_kind(
        verify_anchored(
            &p.ca,
            &x5c_token(
                &p.leaf_key,
                json!([leaf_b64]),
                "https://issuer.example.evil",
            ),
        ),
        ErrorKind::Untrusted,
        "J-11",
    );
    // J-21: base64url, PEM armour, line breaks
    let url = B64.encode(p.leaf.der());
    let pem = p.leaf.to_pem();
    let wrapped = format!("{}\n{}", &leaf_b64[..64], &leaf_b64[64..]);
    for bad in [url, pem, wrapped] {
        assert_kind(
            verify_anchored(&p.ca, &x5c_token(&p.leaf_key, json!([bad]), ISS)),
            ErrorKind::Malformed,
            "J-21",
        );
    }
    // J-22: a valid chain whose leaf key did not make the signature
    assert_kind(
        verify_anchored(&p.ca, &x5c_token(&p.ca_key, json!([leaf_b64]), ISS)),
        ErrorKind::Signature,
        "J-22",
    );
    // J-08: a self-signed leaf, no anchor configured
    let lone = passerelle::CertificateBuilder::new("Lonely")
        .validity(
            UnixTime::from_secs(NOW - 10),
            UnixTime::from_secs(NOW + 1000),
        )
        .end_entity()
        .uri(ISS)
        .self_signed(&p.leaf_key)
        .unwrap();
    let t = x5c_token(&p.leaf_key, json!([STANDARD.encode(lone.der())]), ISS);
    assert_kind(
        Verifier::new(TrustStore::new(), Policy::default())
            .verify(t.as_bytes(), &Expectations::at(UnixTime::from_secs(NOW))),
        ErrorKind::Untrusted,
        "J-08",
    );
    // J-09: an attacker root appended to the chain is not an anchor
    let other = pki(ISS);
    let t = x5c_token(
        &other.leaf_key,
        json!([
            STANDARD.encode(other.leaf.der()),
            STANDARD.encode(other.ca.der())
        ]),
        ISS,
    );
    assert_kind(verify_anchored(&p.ca, &t), ErrorKind::Untrusted, "J-09");
    // an expired leaf
    let old = passerelle::CertificateBuilder::new("Old")
        .validity(
            UnixTime::from_secs(NOW - 1000),
            UnixTime::from_secs(NOW - 10),
        )
        .end_entity()
        .uri(ISS)
        .issued_by(&p.ca, &p.ca_key, p.leaf_key.public_key())
        .unwrap();
    assert_kind(
        verify_anchored(
            &p.ca,
            &x5c_token(&p.leaf_key, json!([STANDARD.encode(old.der())]), ISS),
        ),
        ErrorKind::Expired,
        "expired leaf",
    );
    // x5c not an array / empty / too long
    assert_kind(
        verify_anchored(&p.ca, &x5c_token(&p.leaf_key, json!(leaf_b64), ISS)),
        ErrorKind::Malformed,
        "x5c string",
    );
    assert_kind(
        verify_anchored(&p.ca, &x5c_token(&p.leaf_key, json!([]), ISS)),
        ErrorKind::Malformed,
        "x5c empty",
    );
    let many: Vec<String> = (0..passerelle::limits::MAX_CHAIN_CERTS + 1)
        .map(|_| leaf_b64.clone())
        .collect();
    assert_kind(
        verify_anchored(&p.ca, &x5c_token(&p.leaf_key, json!(many), ISS)),
        ErrorKind::LimitExceeded,
        "x5c too long",
    );
}

#[test]
fn issuer_leaves_the_root_out_of_x5c() {
    let p = pki(ISS);
    let claims = json!({"iss": ISS, "vct": "t", "a": 1});
    let issued = SdJwtVcIssuer::new(&p.leaf_key)
        .with_x5c(&[p.leaf.clone(), p.ca.clone()])
        .issue(
            claims.as_object().unwrap(),
            &Disclosable::All,
            None,
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    let header: Value =
        serde_json::from_slice(&B64.decode(issued.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["x5c"].as_array().unwrap().len(), 1);
    verify_anchored(&p.ca, &issued).unwrap();
}

// ---------------------------------------------------------------- E. SD-JWT VC rows

#[test]
fn e_sd_jwt_vc_rows() {
    let fx = Fx::new();
    // VC-01: no vct
    let mut p = fx.payload();
    p.as_object_mut().unwrap().remove("vct");
    assert_kind(
        fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[])),
        ErrorKind::Malformed,
        "VC-01",
    );
    // VC-02: vct / status delivered inside a disclosure
    for (name, value) in [
        ("vct", json!("urn:x")),
        (
            "status",
            json!({"status_list": {"idx": 1, "uri": "https://s.example/1"}}),
        ),
    ] {
        let mut p = fx.payload();
        p.as_object_mut().unwrap().remove(name);
        let (d, h) = disc(&format!(r#"["s","{name}",{value}]"#));
        p["_sd"] = json!([h]);
        assert_kind(
            fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[&d])),
            ErrorKind::Malformed,
            "VC-02",
        );
    }
    // VC-06: a DID issuer with an x5c header
    let mut p = fx.payload();
    p["iss"] = json!("did:jwk:eyJrdHkiOiJFQyJ9");
    let h = json!({"alg": "ES256", "typ": "dc+sd-jwt", "x5c": ["MIIB"]});
    assert_kind(
        fx.verify(&fx.sd(&fx.jws(&h, &p), &[])),
        ErrorKind::Policy,
        "VC-06",
    );
    // VC-07: status index and uri
    for sl in [
        json!({"idx": -1, "uri": "https://s.example/1"}),
        json!({"idx": "5", "uri": "https://s.example/1"}),
        json!({"idx": 1u64 << 60, "uri": "https://s.example/1"}),
        json!({"idx": 1, "uri": "http://s.example/1"}),
        json!({"idx": 1, "uri": "file:///etc/passwd"}),
    ] {
        let mut p = fx.payload();
        p["status"] = json!({"status_list": sl});
        assert_kind(
            fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[])),
            ErrorKind::Malformed,
            "VC-07",
        );
    }
    let mut p = fx.payload();
    p["status"] = json!({"status_list": {"idx": 7, "uri": "https://s.example/1"}});
    let r = fx.verify(&fx.sd(&fx.jws(&fx.header(), &p), &[])).unwrap();
    assert_eq!(r.to_json()["status"]["state"], "not_checked");
    assert_eq!(r.to_json()["status"]["reference"]["idx"], 7);
    // VC-08 ACCEPT: cnf, no KB, KB not required
    let r = fx
        .verify(&fx.sd(&fx.jws(&fx.header(), &fx.payload()), &[]))
        .unwrap();
    assert_eq!(r.to_json()["holder_binding"]["state"], "not_checked");
}
