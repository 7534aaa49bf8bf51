//! Issue 10, verifier side: a credential's status checked against the list
//! the host hands in, for SD-JWT VC (JWT and CWT lists), mdoc (status list and
//! identifier list) and W3C credentials (Bitstring Status List), with the
//! STAT rows that need the verifier (08, 10, 11, 12) asserting their kinds.

use crate::common::mdoc_forge::{map, t as ct, Forge};
use ciborium::Value as Cbor;
use passerelle::internal::status::{
    sign_status_list_cwt, sign_status_list_jwt, BitstringList, StatusBits, StatusList,
    StatusListClaims, IDENTIFIERLIST_CWT_TYP,
};
use passerelle::*;
use serde_json::json;

const NOW: u64 = 1_790_000_000;
const ISS: &str = "https://issuer.example";
const URI: &str = "https://issuer.example/status/1";

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn kind<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => "valid".into(),
        Err(e) => e.kind().as_str().into(),
    }
}

fn list_with(bits: u8, idx: u64, value: u8) -> StatusList {
    let bits = StatusBits::from_bits(u64::from(bits)).unwrap();
    let mut l = StatusList::new(bits, 1024).unwrap();
    l.set(idx, value).unwrap();
    l
}

struct Case {
    issuer: PrivateKey,
}

impl Case {
    fn new() -> Self {
        Case {
            issuer: PrivateKey::generate(Algorithm::Es256).unwrap(),
        }
    }

    fn credential(&self, idx: u64) -> String {
        let claims = json!({"iss": ISS, "vct": "urn:eudi:pid:1", "given_name": "E",
                            "status": {"status_list": {"idx": idx, "uri": URI}}});
        SdJwtVcIssuer::new(&self.issuer)
            .issue(claims.as_object().unwrap(), &Disclosable::All, None, now())
            .unwrap()
    }

    fn jwt_list(
        &self,
        signer: &PrivateKey,
        sub: &str,
        list: StatusList,
        exp: Option<u64>,
        ttl: Option<u64>,
    ) -> Vec<u8> {
        let mut c = StatusListClaims::new(sub, NOW - 60, list);
        if let Some(e) = exp {
            c = c.with_exp(e);
        }
        if let Some(t) = ttl {
            c = c.with_ttl(t);
        }
        sign_status_list_jwt(&c, signer, None, &[])
            .unwrap()
            .into_bytes()
    }

    fn verifier(&self, policy: Policy) -> Verifier {
        let mut trust = TrustStore::new();
        trust.add_issuer_key(self.issuer.public_key().clone(), Some(ISS), None);
        Verifier::new(trust, policy)
    }

    fn verify_with(
        &self,
        sd: &str,
        list: Option<Vec<u8>>,
        fetched_at: u64,
        policy: Policy,
    ) -> Result<VerificationResult> {
        let mut expect = Expectations::at(now());
        if let Some(l) = list {
            let mut lists = StatusLists::new();
            lists.add(l, UnixTime::from_secs(fetched_at)).unwrap();
            expect = expect.status_lists(lists);
        }
        self.verifier(policy).verify(sd.as_bytes(), &expect)
    }
}

/// STAT-12 and the outcomes: 0 valid, 1 revoked, 2 suspended, 3 and
/// 0x0C–0x0F application-specific (policy), others reserved (undetermined).
#[test]
fn token_status_list_jwt_values() {
    let c = Case::new();
    let sd = c.credential(7);
    for (value, want) in [
        (0u8, "valid"),
        (1, "revoked"),
        (2, "suspended"),
        (3, "policy"),
        (0x0c, "policy"),
        (0x0f, "policy"),
        (4, "policy"),
        (0xff, "policy"),
    ] {
        let list = c.jwt_list(&c.issuer, URI, list_with(8, 7, value), None, None);
        let r = c.verify_with(&sd, Some(list), NOW, Policy::default());
        assert_eq!(kind(r), want, "value {value}");
    }
    // valid: the result says so, with the reference
    let list = c.jwt_list(&c.issuer, URI, list_with(1, 7, 0), None, None);
    let r = c
        .verify_with(&sd, Some(list), NOW, Policy::default())
        .unwrap();
    assert!(matches!(r.status(), Status::Valid(_)));
    let j = r.to_json();
    assert_eq!(j["status"]["state"], "valid");
    assert_eq!(j["status"]["uri"], URI);
    assert_eq!(j["status"]["idx"], 7);
    // an application-specific value the policy accepts is reported
    let list = c.jwt_list(&c.issuer, URI, list_with(8, 7, 3), None, None);
    let r = c
        .verify_with(
            &sd,
            Some(list),
            NOW,
            Policy::default().accept_application_specific_status(true),
        )
        .unwrap();
    assert_eq!(r.to_json()["status"]["value"], 3);
    // a reserved value with undetermined accepted: undetermined, never revoked
    let list = c.jwt_list(&c.issuer, URI, list_with(8, 7, 0x44), None, None);
    let r = c
        .verify_with(
            &sd,
            Some(list),
            NOW,
            Policy::default().accept_undetermined_status(true),
        )
        .unwrap();
    assert_eq!(r.to_json()["status"]["state"], "undetermined");
}

/// STAT-08 (list substitution), STAT-10 (signed outside the issuer's trust
/// path), STAT-11 (exp, ttl), STAT-03 (index beyond the list).
#[test]
fn the_list_must_be_the_issuers_fresh_list_for_this_uri() {
    let c = Case::new();
    let sd = c.credential(7);
    let revoked = || list_with(1, 7, 1);
    // STAT-08: the list is published for another URI
    let other = c.jwt_list(
        &c.issuer,
        "https://issuer.example/status/2",
        revoked(),
        None,
        None,
    );
    let mut lists = StatusLists::new();
    lists.add_for(URI, other, now());
    let e = c
        .verifier(Policy::default())
        .verify(sd.as_bytes(), &Expectations::at(now()).status_lists(lists));
    assert_eq!(kind(e), "untrusted");
    // STAT-10: signed by a key nobody trusts for the issuer
    let mallory = PrivateKey::generate(Algorithm::Es256).unwrap();
    let forged = c.jwt_list(&mallory, URI, list_with(1, 7, 0), None, None);
    assert_eq!(
        kind(c.verify_with(&sd, Some(forged), NOW, Policy::default())),
        "untrusted"
    );
    // STAT-11: expired, or fetched longer ago than its ttl: expired — not revoked
    let expired = c.jwt_list(&c.issuer, URI, revoked(), Some(NOW - 100), None);
    assert_eq!(
        kind(c.verify_with(&sd, Some(expired), NOW, Policy::default())),
        "expired"
    );
    let stale = c.jwt_list(&c.issuer, URI, revoked(), None, Some(600));
    assert_eq!(
        kind(c.verify_with(&sd, Some(stale.clone()), NOW - 601, Policy::default())),
        "expired"
    );
    assert_eq!(
        kind(c.verify_with(&sd, Some(stale.clone()), NOW - 599, Policy::default())),
        "revoked"
    );
    // ... and with undetermined accepted, reported undetermined with the reason
    let r = c
        .verify_with(
            &sd,
            Some(stale),
            NOW - 601,
            Policy::default().accept_undetermined_status(true),
        )
        .unwrap();
    assert_eq!(r.to_json()["status"]["state"], "undetermined");
    assert!(r.to_json()["status"]["reason"]
        .as_str()
        .unwrap()
        .contains("stale"));
    // STAT-03: the index beyond the list is malformed, never valid
    let small = StatusList::new(StatusBits::from_bits(8).unwrap(), 4).unwrap();
    let short = c.jwt_list(&c.issuer, URI, small, None, None);
    assert_eq!(
        kind(c.verify_with(&sd, Some(short), NOW, Policy::default())),
        "malformed"
    );
}

/// Without a list: not_checked, unless the policy requires status.
#[test]
fn missing_list_is_not_checked_unless_required() {
    let c = Case::new();
    let sd = c.credential(7);
    let r = c.verify_with(&sd, None, NOW, Policy::default()).unwrap();
    assert_eq!(r.to_json()["status"]["state"], "not_checked");
    assert_eq!(
        kind(c.verify_with(&sd, None, NOW, Policy::default().require_status(true))),
        "policy"
    );
    let r = c
        .verify_with(
            &sd,
            None,
            NOW,
            Policy::default()
                .require_status(true)
                .accept_undetermined_status(true),
        )
        .unwrap();
    assert_eq!(r.to_json()["status"]["state"], "undetermined");
    // a list for another URI does not count as this one
    let other = c.jwt_list(
        &c.issuer,
        "https://issuer.example/status/9",
        list_with(1, 7, 1),
        None,
        None,
    );
    assert_eq!(
        kind(c.verify_with(
            &sd,
            Some(other),
            NOW,
            Policy::default().require_status(true)
        )),
        "policy"
    );
}

/// The CWT form of a Token Status List for an SD-JWT VC.
#[test]
fn token_status_list_cwt() {
    let c = Case::new();
    let sd = c.credential(3);
    for (value, want) in [(0u8, "valid"), (1, "revoked"), (2, "suspended")] {
        let claims = StatusListClaims::new(URI, NOW - 60, list_with(2, 3, value));
        let cwt = sign_status_list_cwt(&claims, &c.issuer, None, &[]).unwrap();
        assert_eq!(
            kind(c.verify_with(&sd, Some(cwt), NOW, Policy::default())),
            want
        );
    }
    let mallory = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims = StatusListClaims::new(URI, NOW - 60, list_with(2, 3, 0));
    let cwt = sign_status_list_cwt(&claims, &mallory, None, &[]).unwrap();
    assert_eq!(
        kind(c.verify_with(&sd, Some(cwt), NOW, Policy::default())),
        "untrusted"
    );
}

/// A list signed by its own certificate must chain to the same anchors and
/// name the credential's issuer.
#[test]
fn an_x5c_list_signer_must_name_the_issuer_under_the_same_anchors() {
    let root_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let root = CertificateBuilder::new("Root")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 86_400),
        )
        .ca(Some(1))
        .self_signed(&root_key)
        .unwrap();
    let cert = |uri: &str, key: &PrivateKey| {
        CertificateBuilder::new("Status signer")
            .validity(
                UnixTime::from_secs(NOW - 86_400),
                UnixTime::from_secs(NOW + 86_400),
            )
            .end_entity()
            .uri(uri)
            .issued_by(&root, &root_key, key.public_key())
            .unwrap()
    };
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let claims =
        json!({"iss": ISS, "vct": "urn:x", "status": {"status_list": {"idx": 1, "uri": URI}}});
    let sd = SdJwtVcIssuer::new(&issuer)
        .with_x5c(&[cert(ISS, &issuer)])
        .issue(claims.as_object().unwrap(), &Disclosable::All, None, now())
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add_anchor_der(root.der()).unwrap();
    let v = Verifier::new(trust, Policy::default());
    let list_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let run = |signer_cert: Certificate| {
        let c = StatusListClaims::new(URI, NOW - 60, list_with(1, 1, 1));
        let jwt = sign_status_list_jwt(&c, &list_key, None, &[signer_cert.der().to_vec()]).unwrap();
        let mut lists = StatusLists::new();
        lists.add(jwt.into_bytes(), now()).unwrap();
        v.verify(sd.as_bytes(), &Expectations::at(now()).status_lists(lists))
    };
    assert_eq!(kind(run(cert(ISS, &list_key))), "revoked");
    assert_eq!(
        kind(run(cert("https://other.example", &list_key))),
        "untrusted"
    );
}

/// A cache serves a list while exp and ttl allow, and fetches again after.
#[test]
fn the_cache_honours_exp_and_ttl() {
    #[derive(Debug)]
    struct Counting {
        lists: StatusLists,
        calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }
    impl StatusListSource for Counting {
        fn fetch(&self, uri: &str, now: UnixTime) -> Option<FetchedStatusList> {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.lists.fetch(uri, now).map(|mut l| {
                l.fetched_at = now;
                l
            })
        }
    }
    let c = Case::new();
    let mut lists = StatusLists::new();
    lists
        .add(
            c.jwt_list(
                &c.issuer,
                URI,
                list_with(1, 7, 0),
                Some(NOW + 10_000),
                Some(300),
            ),
            now(),
        )
        .unwrap();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let fetched = || calls.load(std::sync::atomic::Ordering::SeqCst);
    let cache = std::sync::Arc::new(StatusListCache::new(Counting {
        lists,
        calls: calls.clone(),
    }));
    #[derive(Debug)]
    struct Shared(std::sync::Arc<StatusListCache<Counting>>);
    impl StatusListSource for Shared {
        fn fetch(&self, uri: &str, now: UnixTime) -> Option<FetchedStatusList> {
            self.0.fetch(uri, now)
        }
    }
    assert!(cache.fetch(URI, now()).is_some());
    assert_eq!(fetched(), 1);
    assert!(cache.fetch(URI, UnixTime::from_secs(NOW + 299)).is_some());
    assert_eq!(fetched(), 1, "served from the cache within the ttl");
    assert_eq!(cache.len(), 1);
    // past the ttl: fetched again
    assert!(cache.fetch(URI, UnixTime::from_secs(NOW + 300)).is_some());
    assert_eq!(fetched(), 2, "fetched again once the ttl ran out");
    let sd = c.credential(7);
    let r = c
        .verifier(Policy::default())
        .verify(
            sd.as_bytes(),
            &Expectations::at(now()).status_lists(Shared(cache.clone())),
        )
        .unwrap();
    assert!(matches!(r.status(), Status::Valid(_)));
}

fn identifier_list(signer: &PrivateKey, chain: &Certificate, uri: &str, ids: &[&[u8]]) -> Vec<u8> {
    use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
    let claims = Cbor::Map(vec![
        (Cbor::Integer(2.into()), Cbor::Text(uri.into())),
        (Cbor::Integer(6.into()), Cbor::Integer((NOW - 60).into())),
        (Cbor::Integer(4.into()), Cbor::Integer((NOW + 3600).into())),
        (
            Cbor::Integer(65530.into()),
            Cbor::Map(vec![(
                Cbor::Text("identifiers".into()),
                Cbor::Map(
                    ids.iter()
                        .map(|i| (Cbor::Bytes(i.to_vec()), Cbor::Map(vec![])))
                        .collect(),
                ),
            )]),
        ),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&claims, &mut payload).unwrap();
    let protected = HeaderBuilder::new()
        .algorithm(coset::iana::Algorithm::ES256)
        .value(16, Cbor::Text(IDENTIFIERLIST_CWT_TYP.into()))
        .value(33, Cbor::Bytes(chain.der().to_vec()))
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |tbs| signer.sign(tbs).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap()
}

/// mdoc: the MSO status list must be a CWT signed under the document
/// signer's IACA; the identifier list lists revoked documents; both present,
/// both must pass.
#[test]
fn mdoc_status_list_and_identifier_list() {
    let mk = |status: Vec<(Cbor, Cbor)>| {
        let mut f = Forge::new();
        f.mso_edit = Box::new(move |m| m.push((ct("status"), map(status.clone()))));
        f
    };
    let sl = |idx: i64| {
        (
            ct("status_list"),
            map(vec![
                (ct("idx"), Cbor::Integer(idx.into())),
                (ct("uri"), ct(URI)),
            ]),
        )
    };
    let il = |id: &[u8]| {
        (
            ct("identifier_list"),
            map(vec![
                (ct("id"), Cbor::Bytes(id.to_vec())),
                (ct("uri"), ct("https://issuer.example/ids/1")),
            ]),
        )
    };
    let run = |f: &Forge, lists: Vec<Vec<u8>>| {
        let mut s = StatusLists::new();
        for l in lists {
            s.add(l, now()).unwrap();
        }
        let expect = f.expect().status_lists(s);
        Verifier::new(f.trust(), Policy::default()).verify_device_response(&f.build(), &expect)
    };
    let f = mk(vec![sl(5)]);
    let ds = |f: &Forge| f.pki.ds.der().to_vec();
    let cwt = |f: &Forge, value: u8| {
        let c = StatusListClaims::new(URI, NOW - 60, list_with(1, 5, value));
        sign_status_list_cwt(&c, &f.pki.ds_key, None, &[ds(f)]).unwrap()
    };
    assert_eq!(kind(run(&f, vec![cwt(&f, 0)])), "valid");
    assert_eq!(kind(run(&f, vec![cwt(&f, 1)])), "revoked");
    // a JWT list is not acceptable for mdoc
    let c = StatusListClaims::new(URI, NOW - 60, list_with(1, 5, 0));
    let jwt = sign_status_list_jwt(&c, &f.pki.ds_key, None, &[ds(&f)]).unwrap();
    let mut s = StatusLists::new();
    s.add_for(URI, jwt.into_bytes(), now());
    let e = Verifier::new(f.trust(), Policy::default())
        .verify_device_response(&f.build(), &f.expect().status_lists(s));
    assert_eq!(kind(e), "malformed");
    // signed under another IACA: untrusted
    let other = Forge::new();
    let c = StatusListClaims::new(URI, NOW - 60, list_with(1, 5, 0));
    let foreign =
        sign_status_list_cwt(&c, &other.pki.ds_key, None, &[other.pki.ds.der().to_vec()]).unwrap();
    assert_eq!(kind(run(&f, vec![foreign])), "untrusted");
    // identifier list: listed → revoked; not listed → valid
    let f = mk(vec![il(b"doc-42")]);
    let listed = identifier_list(
        &f.pki.ds_key,
        &f.pki.ds,
        "https://issuer.example/ids/1",
        &[b"doc-1", b"doc-42"],
    );
    assert_eq!(kind(run(&f, vec![listed])), "revoked");
    let clean = identifier_list(
        &f.pki.ds_key,
        &f.pki.ds,
        "https://issuer.example/ids/1",
        &[b"doc-1"],
    );
    assert_eq!(kind(run(&f, vec![clean.clone()])), "valid");
    // both: both must pass
    let f = mk(vec![sl(5), il(b"doc-42")]);
    let clean = identifier_list(
        &f.pki.ds_key,
        &f.pki.ds,
        "https://issuer.example/ids/1",
        &[b"doc-1"],
    );
    let listed = identifier_list(
        &f.pki.ds_key,
        &f.pki.ds,
        "https://issuer.example/ids/1",
        &[b"doc-42"],
    );
    assert_eq!(kind(run(&f, vec![cwt(&f, 0), clean])), "valid");
    assert_eq!(kind(run(&f, vec![cwt(&f, 0), listed])), "revoked");
}

/// W3C Bitstring Status List: the list credential is verified as a
/// credential of the same issuer, its id is the entry's statusListCredential,
/// the purpose decides revoked or suspended (STAT-14 purpose mismatch is
/// policy).
#[test]
fn w3c_bitstring_status_list() {
    const LIST: &str = "https://issuer.example.ca/status/3";
    const VC_ISS: &str = "https://issuer.example.ca";
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let cred = |purpose: &str| {
        let mut vc = passerelle::examples::ca_person_credential(VC_ISS);
        vc.insert(
            "credentialStatus".into(),
            json!({"type": "BitstringStatusListEntry", "statusPurpose": purpose, "statusListIndex": "94567",
                   "statusListCredential": LIST}),
        );
        VcIssuer::new(&key).issue_jwt(&vc).unwrap()
    };
    let list_cred = |signer: &PrivateKey, issuer: &str, id: &str, purpose: &str, set: bool| {
        let mut l = BitstringList::new(1, 0).unwrap();
        if set {
            l.set(94567, 1).unwrap();
        }
        let lc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": issuer,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": l.credential_subject(Some(&format!("{id}#list")), purpose, None)});
        VcIssuer::new(signer)
            .issue_jwt(lc.as_object().unwrap())
            .unwrap()
            .into_bytes()
    };
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some(VC_ISS), None);
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    trust.add_issuer_key(
        other.public_key().clone(),
        Some("https://other.example"),
        None,
    );
    let v = Verifier::new(trust, Policy::default());
    let run = |credential: &str, list: Vec<u8>| {
        let mut s = StatusLists::new();
        s.add(list, now()).unwrap();
        v.verify(
            credential.as_bytes(),
            &Expectations::at(now()).status_lists(s),
        )
    };
    assert_eq!(
        kind(run(
            &cred("revocation"),
            list_cred(&key, VC_ISS, LIST, "revocation", false)
        )),
        "valid"
    );
    assert_eq!(
        kind(run(
            &cred("revocation"),
            list_cred(&key, VC_ISS, LIST, "revocation", true)
        )),
        "revoked"
    );
    assert_eq!(
        kind(run(
            &cred("suspension"),
            list_cred(&key, VC_ISS, LIST, "suspension", true)
        )),
        "suspended"
    );
    // STAT-14: the purpose must match
    assert_eq!(
        kind(run(
            &cred("suspension"),
            list_cred(&key, VC_ISS, LIST, "revocation", true)
        )),
        "policy"
    );
    // the list credential of another (trusted) issuer: untrusted
    assert_eq!(
        kind(run(
            &cred("revocation"),
            list_cred(&other, "https://other.example", LIST, "revocation", false)
        )),
        "untrusted"
    );
    // a list whose id is another list: untrusted (substitution)
    let mut s = StatusLists::new();
    s.add_for(
        LIST,
        list_cred(
            &key,
            VC_ISS,
            "https://issuer.example.ca/status/4",
            "revocation",
            false,
        ),
        now(),
    );
    assert_eq!(
        kind(v.verify(
            cred("revocation").as_bytes(),
            &Expectations::at(now()).status_lists(s)
        )),
        "untrusted"
    );
    // a valid result reports the entry
    let r = run(
        &cred("revocation"),
        list_cred(&key, VC_ISS, LIST, "revocation", false),
    )
    .unwrap();
    let j = r.to_json();
    assert_eq!(j["status"]["uri"], LIST);
    assert_eq!(j["status"]["purpose"], "revocation");
}
