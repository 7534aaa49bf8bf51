//! The workloads of issue 14 and their cryptographic floor, shared by the
//! criterion bench (`benches/sd_jwt_vc.rs`, wall-clock ratios) and the
//! instruction-count harness (`benches/callgrind.rs`, run by
//! `benches/callgrind.sh`), so both measure exactly the same calls.
//!
//! Real fixtures, fixed time, no decoys: an EU PID SD-JWT VC with 20
//! disclosable claims, the Canadian person credential as `vc+sd-jwt`, an ISO
//! 18013-5 mDL with 20 elements (10 KB portrait included), status-list
//! lookups, the wallet on its store, and the scaling series (an SD-JWT with
//! 10, 100, 1 000, 10 000 disclosures, all presented and verified).

#![allow(dead_code)]

use passerelle::internal::status::{StatusBits, StatusList};
use passerelle::{
    Algorithm, CertificateBuilder, ClaimPath, CredentialStore, DcqlQuery, Disclosable,
    Expectations, HeldMdoc, HeldSdJwt, KeyBinding, MdocIssuer, OpenId4VpRequest, Policy,
    PrivateKey, SdJwtVcIssuer, SessionTranscript, Signer, StoreOptions, TrustStore, UnixTime,
    VcIssuer, Verifier, Wallet, DOCTYPE_MDL, NAMESPACE_MDL,
};
use ring::signature::{self, KeyPair as _};
use serde_json::Value;
use std::hint::black_box;

pub(crate) const NOW: u64 = 1_790_000_000;
const PID_ISS: &str = "https://pid-provider.example";
const CA_ISS: &str = "https://issuer.example.ca";

/// The floor of one workload: ES256 signatures, ES256 verifications,
/// SHA-256 digests of 100 bytes, and SHA-256 digests of 10 KB (the mDL
/// portrait's IssuerSignedItem) it cannot avoid.
#[derive(Clone, Copy)]
pub(crate) struct Floor {
    pub(crate) sign: u32,
    pub(crate) verify: u32,
    pub(crate) sha: u32,
    pub(crate) sha_10k: u32,
}

impl Floor {
    const fn new(sign: u32, verify: u32, sha: u32) -> Self {
        Floor {
            sign,
            verify,
            sha,
            sha_10k: 0,
        }
    }
    const fn with_10k(mut self, n: u32) -> Self {
        self.sha_10k = n;
        self
    }
    /// The floor's cost from the unit costs (any unit: ns or instructions):
    /// `[S, V, H, K]`.
    pub(crate) fn cost(&self, unit: [f64; 4]) -> f64 {
        let [s, v, h, k] = unit;
        f64::from(self.sign) * s
            + f64::from(self.verify) * v
            + f64::from(self.sha) * h
            + f64::from(self.sha_10k) * k
    }
    pub(crate) fn describe(&self) -> String {
        let term = |n: u32, unit: &str| match n {
            0 => None,
            1 => Some(unit.to_string()),
            n => Some(format!("{n}{unit}")),
        };
        let parts: Vec<String> = [
            term(self.sign, "S"),
            term(self.verify, "V"),
            term(self.sha, "H"),
            term(self.sha_10k, "K"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "—".into()
        } else {
            parts.join(" + ")
        }
    }
}

/// The floor's own operations (ring, directly).
pub(crate) const FLOOR: &[(&str, &str)] = &[
    ("floor/es256_sign", "ring ES256 sign (S)"),
    ("floor/es256_verify", "ring ES256 verify (V)"),
    ("floor/sha256_100", "ring SHA-256 of 100 B (H)"),
    ("floor/sha256_10k", "ring SHA-256 of 10 KB (K)"),
];

/// Every workload: id, description, floor (`None`: reported in absolute figures).
pub(crate) const WORKLOADS: &[(&str, &str, Option<Floor>)] = &[
    (
        "w1/issue_20",
        "EU PID SD-JWT VC issue, 20 disclosable",
        Some(Floor::new(1, 0, 20)),
    ),
    (
        "w2/present_10_kb_parse",
        "present 10 + KB-JWT, parsing the stored credential included",
        Some(Floor::new(1, 0, 28)),
    ),
    (
        "w2/present_10_kb",
        "present 10 + KB-JWT from the held (parsed) credential",
        Some(Floor::new(1, 0, 8)),
    ),
    (
        "w3/verify_10_kb",
        "verify 10 + KB-JWT",
        Some(Floor::new(0, 2, 38)),
    ),
    (
        "w4/vc_issue",
        "vc+sd-jwt person credential: issue (10 disclosable)",
        Some(Floor::new(1, 0, 10)),
    ),
    (
        "w4/vc_present",
        "vc+sd-jwt: present 5 + KB-JWT",
        Some(Floor::new(1, 0, 8)),
    ),
    (
        "w4/vc_verify",
        "vc+sd-jwt: verify 5 + KB-JWT",
        Some(Floor::new(0, 2, 33)),
    ),
    (
        "w5/mdoc_issue_20",
        "mDL issue, 20 elements (10 KB portrait included)",
        // the portrait's IssuerSignedItem is hashed whole: 10 KB, not 100 B
        Some(Floor::new(1, 0, 19).with_10k(1)),
    ),
    (
        "w5/mdoc_present_10",
        "mDL present 10, deviceSignature",
        Some(Floor::new(1, 0, 0)),
    ),
    (
        "w5/mdoc_verify_10",
        "mDL verify (DS→IACA, issuerAuth, digests, deviceSignature)",
        Some(Floor::new(0, 3, 10)),
    ),
    (
        "scale/verify_10",
        "SD-JWT verify, 10 disclosures (all presented) + KB-JWT",
        Some(Floor::new(0, 2, 38)),
    ),
    (
        "scale/verify_100",
        "SD-JWT verify, 100 disclosures + KB-JWT",
        Some(Floor::new(0, 2, 163)),
    ),
    (
        "scale/verify_1000",
        "SD-JWT verify, 1 000 disclosures + KB-JWT",
        Some(Floor::new(0, 2, 1412)),
    ),
    (
        "scale/verify_10000",
        "SD-JWT verify, 10 000 disclosures + KB-JWT",
        Some(Floor::new(0, 2, 13_900)),
    ),
    (
        "status/lookup_warm",
        "status list lookup, warm (1 000 000 × 2 bit, decoded list kept)",
        None,
    ),
    (
        "wallet/present_dcql_50",
        "wallet present (DCQL against 50 stored PIDs, 25 of the queried type, parsed forms kept: match, one KB-JWT)",
        Some(Floor::new(1, 0, 0)),
    ),
    (
        "wallet/present_dcql_50_cold",
        "wallet present, nothing kept (with_parsed_cache(0): decrypt and parse the 25, match, one KB-JWT)",
        Some(Floor::new(1, 0, 0)),
    ),
];

struct Mdoc {
    issuer: MdocIssuer<'static>,
    elements: &'static serde_json::Map<String, Value>,
    device: &'static PrivateKey,
    held: HeldMdoc,
    ten: Vec<(String, String)>,
    transcript: SessionTranscript,
    response: Vec<u8>,
    verifier: Verifier,
    expect: Expectations,
}

/// All prepared state.
pub(crate) struct Fixtures {
    rng: ring::rand::SystemRandom,
    kp: signature::EcdsaKeyPair,
    msg: Vec<u8>,
    sig: Vec<u8>,
    pk: signature::UnparsedPublicKey<Vec<u8>>,
    sha_msg: [u8; 100],
    sha_10k: Vec<u8>,
    holder: &'static PrivateKey,
    now: UnixTime,
    claims: serde_json::Map<String, Value>,
    sel: Disclosable,
    pid_issuer: SdJwtVcIssuer<'static>,
    issued: String,
    held: HeldSdJwt,
    ten: Vec<ClaimPath>,
    vp: String,
    verifier: Verifier,
    expect: Expectations,
    vc: serde_json::Map<String, Value>,
    vc_issuer: VcIssuer<'static>,
    vc_held: HeldSdJwt,
    five: Vec<ClaimPath>,
    vc_vp: String,
    vc_verifier: Verifier,
    mdoc: Option<Mdoc>,
    scale: Vec<(usize, String)>,
    scale_verifier: Verifier,
    status: StatusList,
    wallet: Option<(Wallet, Wallet, DcqlQuery, std::path::PathBuf)>,
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

fn pid_claims() -> serde_json::Map<String, Value> {
    let mut c = passerelle::examples::eu_pid_claims(PID_ISS);
    c.insert("birth_given_name".into(), "Erika".into());
    c.insert("resident_city".into(), "Köln".into());
    c
}

fn kb(signer: &dyn Signer, now: UnixTime) -> KeyBinding<'_> {
    KeyBinding {
        signer,
        nonce: "n",
        audience: "https://rp.example",
        iat: now,
    }
}

impl Fixtures {
    /// Prepares the workloads whose id starts with `only` (`""`: all), but the
    /// wallet's 50-credential store only when `wallet` is set.
    pub(crate) fn new(only: &str, wallet: bool) -> Self {
        let want = |id: &str| id.starts_with(only) || only.starts_with(id);
        let now = UnixTime::from_secs(NOW);
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .unwrap();
        let kp = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .unwrap();
        let msg = vec![0x61u8; 1200];
        let sig = kp.sign(&rng, &msg).unwrap().as_ref().to_vec();
        let pk = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            kp.public_key().as_ref().to_vec(),
        );

        let issuer_key = leak(PrivateKey::generate(Algorithm::Es256).unwrap());
        let holder = leak(PrivateKey::generate(Algorithm::Es256).unwrap());
        let claims = pid_claims();
        let paths: Vec<ClaimPath> = claims
            .keys()
            .filter(|k| !["iss", "vct"].contains(&k.as_str()))
            .map(|k| ClaimPath::from_segments([k.as_str()]))
            .collect();
        assert_eq!(paths.len(), 20);
        let sel = Disclosable::Paths(paths.clone());
        let pid_issuer = SdJwtVcIssuer::new(issuer_key).with_max_decoys(0);
        let issued = pid_issuer
            .issue(&claims, &sel, Some(holder.public_key()), now)
            .unwrap();
        let held = HeldSdJwt::parse(&issued).unwrap();
        let ten: Vec<ClaimPath> = paths[..10].to_vec();
        let vp = held.present(&ten, Some(kb(holder, now))).unwrap();
        let mut trust = TrustStore::new();
        trust.add_issuer_key(issuer_key.public_key().clone(), Some(PID_ISS), None);
        let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
        let expect = Expectations::at(now)
            .nonce("n")
            .audience("https://rp.example");
        let r = verifier.verify(vp.as_bytes(), &expect).unwrap();
        assert_eq!(r.claims().as_object().unwrap().len(), 10 + 4);

        let vc = passerelle::examples::ca_person_credential(CA_ISS);
        let vc_issuer = VcIssuer::new(issuer_key).with_max_decoys(0);
        let vc_issued = vc_issuer
            .issue_sd_jwt(&vc, &Disclosable::All, Some(holder.public_key()), now)
            .unwrap();
        let vc_held = HeldSdJwt::parse(&vc_issued).unwrap();
        let five: Vec<ClaimPath> = vc_held.disclosable_paths().into_iter().take(5).collect();
        let vc_vp = vc_held.present(&five, Some(kb(holder, now))).unwrap();
        let mut vc_trust = TrustStore::new();
        vc_trust.add_issuer_key(issuer_key.public_key().clone(), Some(CA_ISS), None);
        let vc_verifier = Verifier::new(vc_trust, Policy::default().require_holder_binding(true));
        vc_verifier.verify(vc_vp.as_bytes(), &expect).unwrap();

        let mdoc = want("w5/").then(|| mdoc_fixtures(now));

        // the scaling series: n flat claims, all disclosable, all presented
        let mut scale = Vec::new();
        for n in [10usize, 100, 1000, 10_000] {
            if !want(&format!("scale/verify_{n}")) {
                continue;
            }
            let mut c = serde_json::Map::new();
            c.insert("iss".into(), PID_ISS.into());
            c.insert("vct".into(), "urn:eudi:pid:1".into());
            for i in 0..n {
                c.insert(format!("claim_{i:05}"), format!("value {i}").into());
            }
            let sd = pid_issuer
                .issue(&c, &Disclosable::All, Some(holder.public_key()), now)
                .unwrap();
            let h = HeldSdJwt::parse(&sd).unwrap();
            let all = h.disclosable_paths();
            assert_eq!(all.len(), n);
            let p = h.present(&all, Some(kb(holder, now))).unwrap();
            scale.push((n, p));
        }
        let mut strust = TrustStore::new();
        strust.add_issuer_key(issuer_key.public_key().clone(), Some(PID_ISS), None);
        let scale_verifier = Verifier::new(strust, Policy::default().require_holder_binding(true));
        for (_, p) in &scale {
            scale_verifier.verify(p.as_bytes(), &expect).unwrap();
        }

        let mut status = StatusList::new(StatusBits::from_bits(2).unwrap(), 1_000_000).unwrap();
        let step = if want("status/") { 97 } else { 1_000_000 };
        for i in (0..1_000_000u64).step_by(step) {
            status.set(i, 1).unwrap();
        }

        let wallet = (wallet && want("wallet/")).then(|| wallet_fixture(issuer_key, now));

        Fixtures {
            rng,
            kp,
            msg,
            sig,
            pk,
            sha_msg: [0x61; 100],
            sha_10k: vec![0x61; 10_240],
            holder,
            now,
            claims,
            sel,
            pid_issuer,
            issued,
            held,
            ten,
            vp,
            verifier,
            expect,
            vc,
            vc_issuer,
            vc_held,
            five,
            vc_vp,
            vc_verifier,
            mdoc,
            scale,
            scale_verifier,
            status,
            wallet,
        }
    }

    /// Runs workload `id` once. Panics on an unknown id or a failure.
    #[inline(never)]
    pub(crate) fn run(&mut self, id: &str) {
        let now = self.now;
        match id {
            "floor/es256_sign" => {
                black_box(self.kp.sign(&self.rng, black_box(&self.msg)).unwrap());
            }
            "floor/es256_verify" => {
                self.pk.verify(black_box(&self.msg), &self.sig).unwrap();
            }
            "floor/sha256_100" => {
                black_box(ring::digest::digest(
                    &ring::digest::SHA256,
                    black_box(&self.sha_msg),
                ));
            }
            "floor/sha256_10k" => {
                black_box(ring::digest::digest(
                    &ring::digest::SHA256,
                    black_box(&self.sha_10k),
                ));
            }
            "w1/issue_20" => {
                black_box(
                    self.pid_issuer
                        .issue(
                            black_box(&self.claims),
                            &self.sel,
                            Some(self.holder.public_key()),
                            now,
                        )
                        .unwrap(),
                );
            }
            "w2/present_10_kb_parse" => {
                let held = HeldSdJwt::parse(black_box(&self.issued)).unwrap();
                black_box(held.present(&self.ten, Some(kb(self.holder, now))).unwrap());
            }
            "w2/present_10_kb" => {
                black_box(
                    self.held
                        .present(black_box(&self.ten), Some(kb(self.holder, now)))
                        .unwrap(),
                );
            }
            "w3/verify_10_kb" => {
                black_box(
                    self.verifier
                        .verify(black_box(self.vp.as_bytes()), &self.expect)
                        .unwrap(),
                );
            }
            "w4/vc_issue" => {
                black_box(
                    self.vc_issuer
                        .issue_sd_jwt(
                            black_box(&self.vc),
                            &Disclosable::All,
                            Some(self.holder.public_key()),
                            now,
                        )
                        .unwrap(),
                );
            }
            "w4/vc_present" => {
                black_box(
                    self.vc_held
                        .present(black_box(&self.five), Some(kb(self.holder, now)))
                        .unwrap(),
                );
            }
            "w4/vc_verify" => {
                black_box(
                    self.vc_verifier
                        .verify(black_box(self.vc_vp.as_bytes()), &self.expect)
                        .unwrap(),
                );
            }
            "w5/mdoc_issue_20" => {
                let m = self.mdoc.as_ref().expect("mdoc fixtures not prepared");
                black_box(
                    m.issuer
                        .issue(
                            DOCTYPE_MDL,
                            black_box(m.elements),
                            m.device.public_key(),
                            now,
                        )
                        .unwrap(),
                );
            }
            "w5/mdoc_present_10" => {
                let m = self.mdoc.as_ref().expect("mdoc fixtures not prepared");
                let ten: Vec<(&str, &str)> = m
                    .ten
                    .iter()
                    .map(|(n, e)| (n.as_str(), e.as_str()))
                    .collect();
                black_box(
                    m.held
                        .present(black_box(&ten), &m.transcript, m.device)
                        .unwrap(),
                );
            }
            "w5/mdoc_verify_10" => {
                let m = self.mdoc.as_ref().expect("mdoc fixtures not prepared");
                black_box(
                    m.verifier
                        .verify(black_box(&m.response), &m.expect)
                        .unwrap(),
                );
            }
            "status/lookup_warm" => {
                for i in 0..1000u64 {
                    black_box(self.status.get(black_box(i * 997)).unwrap());
                }
            }
            "wallet/present_dcql_50" | "wallet/present_dcql_50_cold" => {
                let (warm, cold, q, _) =
                    self.wallet.as_mut().expect("wallet fixtures not prepared");
                let w = if id.ends_with("_cold") { cold } else { warm };
                let request = OpenId4VpRequest {
                    client_id: "x509_san_dns:rp.example",
                    nonce: "n",
                    response_uri: "https://rp.example/r",
                    jwk_thumbprint: None,
                };
                black_box(w.present_dcql(q, &request, now).unwrap());
            }
            s if s.starts_with("scale/verify_") => {
                let n: usize = s["scale/verify_".len()..].parse().unwrap();
                let p = &self
                    .scale
                    .iter()
                    .find(|(k, _)| *k == n)
                    .expect("no such size")
                    .1;
                black_box(
                    self.scale_verifier
                        .verify(black_box(p.as_bytes()), &self.expect)
                        .unwrap(),
                );
            }
            other => panic!("unknown workload {other}"),
        }
    }

    /// How many operations one `run` performs (the status lookup runs 1 000).
    pub(crate) fn ops(id: &str) -> u32 {
        if id == "status/lookup_warm" {
            1000
        } else {
            1
        }
    }
}

impl Drop for Fixtures {
    fn drop(&mut self) {
        if let Some((_, _, _, dir)) = &self.wallet {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn wallet_fixture(
    issuer: &PrivateKey,
    now: UnixTime,
) -> (Wallet, Wallet, DcqlQuery, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "passerelle-workloads-wallet-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(issuer.public_key().clone(), Some(PID_ISS), None);
    let verifier = Verifier::new(trust.clone(), Policy::default());
    let key = || -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
        Ok(zeroize::Zeroizing::new([3; 32]))
    };
    let store = CredentialStore::open(dir.join("w.db"), &key, StoreOptions::new()).unwrap();
    let mut wallet = Wallet::new(store, verifier);
    for i in 0..50 {
        let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
        let mut c = passerelle::examples::eu_pid_claims(PID_ISS);
        if i % 2 == 1 {
            c.insert("vct".into(), serde_json::json!("urn:example:other:1"));
        }
        let sd = SdJwtVcIssuer::new(issuer)
            .issue(&c, &Disclosable::All, Some(holder.public_key()), now)
            .unwrap();
        wallet.add(sd.as_bytes(), Some(holder), now).unwrap();
    }
    let query = DcqlQuery::parse(
        serde_json::json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:pid:1"]},
            "claims": [{"path": ["given_name"]}, {"path": ["address", "locality"]}]}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    // a second handle on the same file, keeping nothing parsed
    let store = CredentialStore::open(dir.join("w.db"), &key, StoreOptions::new()).unwrap();
    let cold = Wallet::new(store, Verifier::new(trust, Policy::default())).with_parsed_cache(0);
    (wallet, cold, query, dir)
}

fn mdoc_fixtures(now: UnixTime) -> Mdoc {
    let iaca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iaca = CertificateBuilder::new("Bench IACA")
        .country("DE")
        .ca(Some(0))
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 3650),
        )
        .self_signed(&iaca_key)
        .unwrap();
    let ds_key = leak(PrivateKey::generate(Algorithm::Es256).unwrap());
    let ds = CertificateBuilder::new("Bench DS")
        .country("DE")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400 * 400),
        )
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    let device = leak(PrivateKey::generate(Algorithm::Es256).unwrap());
    let portrait = "A".repeat(13_656); // 10 242 bytes
    let elements = serde_json::json!({NAMESPACE_MDL: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1964-08-12",
        "issue_date": "2024-01-15", "expiry_date": "2034-01-14", "issuing_country": "DE",
        "issuing_authority": "Kraftfahrt-Bundesamt", "document_number": "T22000129",
        "portrait": portrait, "un_distinguishing_sign": "D",
        "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "1982-05-01"},
                               {"vehicle_category_code": "AM", "issue_date": "1980-01-01"}],
        "age_over_18": true, "age_over_21": true, "age_over_65": false, "age_in_years": 62,
        "age_birth_year": 1964, "sex": 2, "height": 168, "eye_colour": "blue",
        "resident_city": "Köln"
    }});
    let elements = leak(elements.as_object().unwrap().clone());
    assert_eq!(elements[NAMESPACE_MDL].as_object().unwrap().len(), 20);
    let ds = leak(ds);
    let issuer = MdocIssuer::new(ds_key, std::slice::from_ref(ds)).with_decoys(0);
    let held = HeldMdoc::parse(
        &issuer
            .issue(DOCTYPE_MDL, elements, device.public_key(), now)
            .unwrap(),
    )
    .unwrap();
    let ten: Vec<(String, String)> = held
        .elements()
        .into_iter()
        .filter(|(_, e)| e != "portrait")
        .take(10)
        .collect();
    let transcript = SessionTranscript::openid4vp(
        "x509_san_dns:rp.example",
        "n",
        None,
        "https://rp.example/post",
    );
    let ten_ref: Vec<(&str, &str)> = ten.iter().map(|(n, e)| (n.as_str(), e.as_str())).collect();
    let response = held.present(&ten_ref, &transcript, device).unwrap();
    let mut trust = TrustStore::new();
    trust.add_iaca_der(iaca.der()).unwrap();
    let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let expect = Expectations::at(now).session_transcript(transcript.clone());
    let r = verifier.verify(&response, &expect).unwrap();
    assert_eq!(
        r.claims()[DOCTYPE_MDL][NAMESPACE_MDL]
            .as_object()
            .unwrap()
            .len(),
        10
    );
    Mdoc {
        issuer,
        elements,
        device,
        held,
        ten,
        transcript,
        response,
        verifier,
        expect,
    }
}
