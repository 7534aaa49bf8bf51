//! Issue 12: the wallet keeps what it verified on receipt in the encrypted
//! store, with its holder keys, answers a DCQL query with a vp_token the
//! verifier checks against the same query, presents batch copies once each,
//! and re-checks stored credentials later.

use crate::common::mdoc_forge::pki;
use passerelle::*;
use serde_json::json;

const NOW: u64 = 1_790_000_000;
const ISS: &str = "https://pid-provider.example";

struct Dir(std::path::PathBuf);
impl Dir {
    fn new(tag: &str) -> Self {
        let d =
            std::env::temp_dir().join(format!("passerelle-wallet-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn key() -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
    Ok(zeroize::Zeroizing::new([7; 32]))
}

struct Fixture {
    issuer: PrivateKey,
    pki: crate::common::mdoc_forge::Pki,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            issuer: PrivateKey::generate(Algorithm::Es256).unwrap(),
            pki: pki(),
        }
    }
    fn verifier(&self) -> Verifier {
        let mut t = TrustStore::new();
        t.add_issuer_key(self.issuer.public_key().clone(), Some(ISS), None);
        t.add_iaca_der(self.pki.iaca.der()).unwrap();
        Verifier::new(t, Policy::default())
    }
    fn wallet(&self, dir: &Dir) -> Wallet {
        let store = CredentialStore::open(dir.0.join("w.db"), &key, StoreOptions::new()).unwrap();
        Wallet::new(store, self.verifier())
    }
    fn pid(&self, holder: &PrivateKey) -> String {
        self.pid_named(holder, "Erika")
    }
    /// A PID for `holder` whose given name is `given`.
    fn pid_named(&self, holder: &PrivateKey, given: &str) -> String {
        let mut claims = passerelle::examples::eu_pid_claims(ISS);
        claims.insert("given_name".into(), given.into());
        SdJwtVcIssuer::new(&self.issuer)
            .issue(&claims, &Disclosable::All, Some(holder.public_key()), now())
            .unwrap()
    }
    fn mdl(&self, device: &PrivateKey) -> Vec<u8> {
        let elements = json!({NAMESPACE_MDL: {"family_name": "Doe", "given_name": "Jane", "age_over_18": true}});
        MdocIssuer::new(&self.pki.ds_key, std::slice::from_ref(&self.pki.ds))
            .issue(
                DOCTYPE_MDL,
                elements.as_object().unwrap(),
                device.public_key(),
                UnixTime::from_secs(self.pki.now),
            )
            .unwrap()
    }
}

fn query() -> DcqlQuery {
    DcqlQuery::parse(
        json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]},
                                 "claims": [{"path": ["given_name"]}, {"path": ["address", "locality"]}]}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

fn request() -> OpenId4VpRequest<'static> {
    OpenId4VpRequest {
        client_id: "x509_san_dns:rp.example",
        nonce: "n-42",
        response_uri: "https://rp.example/response",
        jwk_thumbprint: None,
    }
}

#[test]
fn verified_on_receipt_stored_presented_and_checked_by_the_verifier() {
    let f = Fixture::new();
    let d = Dir::new("journey");
    let mut w = f.wallet(&d);
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let id = add_bound(&mut w, &f.pid(&holder), &holder);
    let list = w.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, id);
    assert_eq!(list[0].format, "dc+sd-jwt");
    assert_eq!(list[0].credential_type, "urn:eudi:pid:1");
    assert_eq!(list[0].issuer, ISS);
    assert!(list[0].holder_key.is_some());
    let q = query();
    let (ids, m) = w.match_dcql(&q).unwrap();
    assert!(m.satisfied());
    assert_eq!(ids, vec![id.clone()]);
    let p = w.present_dcql(&q, &request(), now()).unwrap();
    let token = serde_json::Value::Object(p.vp_token).to_string();
    let check = q
        .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), now())
        .unwrap();
    assert!(check.satisfied());
    let r = check.presentations()[0].outcome().unwrap();
    assert_eq!(r.claims()["given_name"], "Erika");
    assert!(
        r.claims().get("family_name").is_none(),
        "only what was asked"
    );
    assert!(matches!(r.holder_binding(), HolderBinding::Verified { .. }));
    // another nonce: refused by the verifier
    let other = OpenId4VpRequest {
        nonce: "n-43",
        ..request()
    };
    assert!(!q
        .verify_vp_token(&f.verifier(), token.as_bytes(), &other, now())
        .unwrap()
        .satisfied());
    // removed: nothing left to answer with
    w.remove(&id).unwrap();
    assert_eq!(
        w.present_dcql(&q, &request(), now()).unwrap_err().kind(),
        ErrorKind::Policy
    );
}

#[test]
fn what_fails_on_receipt_is_not_stored() {
    let f = Fixture::new();
    let d = Dir::new("refuse");
    let mut w = f.wallet(&d);
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let pid = f.pid(&holder);
    // a tampered disclosure
    let tampered = pid.replacen('~', "~A", 1);
    assert!(w.add(tampered.as_bytes(), None, now()).is_err());
    // an issuer nobody trusts
    let stranger = PrivateKey::generate(Algorithm::Es256).unwrap();
    let foreign = SdJwtVcIssuer::new(&stranger)
        .issue(
            &passerelle::examples::eu_pid_claims(ISS),
            &Disclosable::All,
            Some(holder.public_key()),
            now(),
        )
        .unwrap();
    assert_eq!(
        w.add(foreign.as_bytes(), None, now()).unwrap_err().kind(),
        ErrorKind::Signature
    );
    // a holder key that is not the credential's
    let wrong = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        w.add(pid.as_bytes(), Some(wrong), now())
            .unwrap_err()
            .kind(),
        ErrorKind::HolderBinding
    );
    // an mdoc needs its device key; the wrong one fails device authentication
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let mdl = f.mdl(&device);
    assert_eq!(
        w.add(&mdl, None, now()).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert!(w
        .add(&mdl, Some(other), UnixTime::from_secs(f.pki.now))
        .is_err());
    // expired on receipt
    let mut claims = passerelle::examples::eu_pid_claims(ISS);
    claims.insert("exp".into(), json!(NOW + 86_400));
    let short = SdJwtVcIssuer::new(&f.issuer)
        .issue(&claims, &Disclosable::All, Some(holder.public_key()), now())
        .unwrap();
    assert_eq!(
        w.add(
            short.as_bytes(),
            None,
            UnixTime::from_secs(NOW + 2 * 86_400)
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Expired
    );
    assert!(
        w.list().unwrap().is_empty(),
        "nothing that failed was stored"
    );
}

#[test]
fn mdoc_in_the_wallet_answers_dcql() {
    let f = Fixture::new();
    let d = Dir::new("mdoc");
    let mut w = f.wallet(&d);
    let device = PrivateKey::generate(Algorithm::Es256).unwrap();
    let t = UnixTime::from_secs(f.pki.now);
    let id = w.add(&f.mdl(&device), Some(device), t).unwrap();
    assert_eq!(w.list().unwrap()[0].format, "mso_mdoc");
    let q = DcqlQuery::parse(
        json!({"credentials": [{"id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": DOCTYPE_MDL},
                                 "claims": [{"path": [NAMESPACE_MDL, "age_over_18"]}]}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let p = w.present_dcql(&q, &request(), t).unwrap();
    let token = serde_json::Value::Object(p.vp_token).to_string();
    let check = q
        .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), t)
        .unwrap();
    assert!(check.satisfied());
    let r = check.presentations()[0].outcome().unwrap();
    assert_eq!(r.claims()[DOCTYPE_MDL][NAMESPACE_MDL]["age_over_18"], true);
    assert!(r.claims()[DOCTYPE_MDL][NAMESPACE_MDL]
        .get("family_name")
        .is_none());
    // re-checked later: still good now, expired past its validity
    assert!(w.recheck(&id, t, None).is_ok());
    assert_eq!(
        w.recheck(
            &id,
            UnixTime::from_secs(f.pki.now + 10 * 365 * 86_400),
            None
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Expired
    );
}

#[test]
fn batch_copies_are_presented_once_each_then_flagged() {
    let f = Fixture::new();
    let d = Dir::new("batch");
    let mut w = f.wallet(&d);
    let copies: Vec<(Vec<u8>, PrivateKey)> = (0..3)
        .map(|_| {
            let k = PrivateKey::generate(Algorithm::Es256).unwrap();
            (f.pid(&k).into_bytes(), k)
        })
        .collect();
    w.add_batch(copies, "pid-batch-1", now()).unwrap();
    let q = query();
    let mut holders = std::collections::HashSet::new();
    for round in 0..4 {
        let p = w.present_dcql(&q, &request(), now()).unwrap();
        assert_eq!(p.reused_copy, round == 3, "round {round}");
        let token = serde_json::Value::Object(p.vp_token).to_string();
        let check = q
            .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), now())
            .unwrap();
        assert!(check.satisfied());
        if let HolderBinding::Verified { key_thumbprint, .. } =
            check.presentations()[0].outcome().unwrap().holder_binding()
        {
            holders.insert(key_thumbprint.clone());
        }
    }
    assert_eq!(
        holders.len(),
        3,
        "each copy with its own key, each presented"
    );
}

#[test]
fn a_stored_credential_is_rechecked_against_status() {
    let f = Fixture::new();
    let d = Dir::new("status");
    let mut w = f.wallet(&d);
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let uri = "https://pid-provider.example/status/1";
    let mut claims = passerelle::examples::eu_pid_claims(ISS);
    claims.insert(
        "status".into(),
        json!({"status_list": {"idx": 3, "uri": uri}}),
    );
    let pid = SdJwtVcIssuer::new(&f.issuer)
        .issue(&claims, &Disclosable::All, Some(holder.public_key()), now())
        .unwrap();
    let id = w.add(pid.as_bytes(), Some(holder), now()).unwrap();
    let store = SqliteStatusStore::open(&d.0.join("status.db")).unwrap();
    let lists = StatusListIssuer::new(&store);
    lists.create(uri, 1, 16).unwrap();
    lists.set(uri, 3, 1).unwrap();
    let jwt = lists
        .publish(
            uri,
            StatusListFormat::Jwt,
            &f.issuer,
            &PublishOptions::at(now()),
        )
        .unwrap();
    let mut s = StatusLists::new();
    s.add(jwt, now()).unwrap();
    assert_eq!(
        w.recheck(&id, now(), Some(&s)).unwrap_err().kind(),
        ErrorKind::Revoked
    );
    assert!(w.recheck(&id, now(), None).is_ok());
}

/// A key kept in secure hardware: the host's Signer (here a stand-in that
/// counts its uses) proves possession on receipt; the store keeps only the
/// reference; presentations sign through the host's resolver.
#[test]
fn hardware_holder_keys_stay_with_the_host() {
    struct Enclave {
        key: PrivateKey,
        uses: std::sync::atomic::AtomicUsize,
    }
    impl Signer for Enclave {
        fn algorithm(&self) -> Algorithm {
            self.key.algorithm()
        }
        fn public_key(&self) -> &PublicKey {
            self.key.public_key()
        }
        fn sign(&self, msg: &[u8]) -> passerelle::Result<Vec<u8>> {
            self.uses.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.key.sign(msg)
        }
    }
    let f = Fixture::new();
    let d = Dir::new("hw");
    let enclave = std::sync::Arc::new(Enclave {
        key: PrivateKey::generate(Algorithm::Es256).unwrap(),
        uses: Default::default(),
    });
    let pid = f.pid(&enclave.key);
    let e2 = enclave.clone();
    let mut w = f.wallet(&d).with_hardware_keys(Box::new(move |r: &str| {
        let signer: std::sync::Arc<dyn Signer + Send + Sync> = e2.clone();
        (r == "se:pid-key").then_some(signer)
    }));
    w.add_hardware(pid.as_bytes(), "se:pid-key", enclave.as_ref(), now())
        .unwrap();
    assert_eq!(
        enclave.uses.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "possession proven on receipt"
    );
    let q = query();
    let p = w.present_dcql(&q, &request(), now()).unwrap();
    assert_eq!(
        enclave.uses.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the KB-JWT signed in the enclave"
    );
    let token = serde_json::Value::Object(p.vp_token).to_string();
    assert!(q
        .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), now())
        .unwrap()
        .satisfied());
    // a wallet without the resolver cannot present the hardware-bound credential
    let mut plain = f.wallet(&d);
    assert_eq!(
        plain
            .present_dcql(&q, &request(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::Policy
    );
}

/// A holder key generated by the wallet for an issuance request: sealed
/// first, its public half to the issuer, the issued credential bound to it.
#[test]
fn the_wallet_generates_a_holder_key_for_issuance() {
    let f = Fixture::new();
    let d = Dir::new("gen");
    let mut w = f.wallet(&d);
    let (kid, public) = w.generate_holder_key(Algorithm::Es256, now()).unwrap();
    let pid = SdJwtVcIssuer::new(&f.issuer)
        .issue(
            &passerelle::examples::eu_pid_claims(ISS),
            &Disclosable::All,
            Some(&public),
            now(),
        )
        .unwrap();
    w.add_for_key(pid.as_bytes(), &kid, now()).unwrap();
    let p = w.present_dcql(&query(), &request(), now()).unwrap();
    let token = serde_json::Value::Object(p.vp_token).to_string();
    assert!(query()
        .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), now())
        .unwrap()
        .satisfied());
    // a credential bound to another key does not enter under this one
    let other = PrivateKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        w.add_for_key(f.pid(&other).as_bytes(), &kid, now())
            .unwrap_err()
            .kind(),
        ErrorKind::HolderBinding
    );
}

/// Adds `credential` bound to (a copy of) `holder`.
fn add_bound(w: &mut Wallet, credential: &str, holder: &PrivateKey) -> CredentialId {
    w.add(
        credential.as_bytes(),
        Some(PrivateKey::from_jwk(&holder.to_jwk()).unwrap()),
        now(),
    )
    .unwrap()
}

fn presented_given_name(f: &Fixture, w: &mut Wallet) -> passerelle::Result<String> {
    let q = query();
    let p = w.present_dcql(&q, &request(), now())?;
    let token = serde_json::Value::Object(p.vp_token).to_string();
    let check = q
        .verify_vp_token(&f.verifier(), token.as_bytes(), &request(), now())
        .unwrap();
    assert!(check.satisfied());
    let r = check.presentations()[0].outcome().unwrap();
    Ok(r.claims()["given_name"].as_str().unwrap().to_owned())
}

fn raw(d: &Dir) -> rusqlite::Connection {
    rusqlite::Connection::open(d.0.join("w.db")).unwrap()
}

/// Issue 14: the wallet keeps the credentials it parsed, and uses the kept
/// form only while the sealed body it came from is unchanged. A credential
/// another handle on the same file replaced is opened and parsed again.
#[test]
fn a_credential_replaced_in_the_store_is_parsed_again() {
    let f = Fixture::new();
    let d = Dir::new("cache-update");
    let mut w = f.wallet(&d);
    let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
    let id = add_bound(&mut w, &f.pid(&holder), &holder);
    assert_eq!(presented_given_name(&f, &mut w).unwrap(), "Erika");
    // another handle replaces the credential (a refreshed one, same key)
    let mut other = CredentialStore::open(d.0.join("w.db"), &key, StoreOptions::new()).unwrap();
    let kid = other.list().unwrap()[0].holder_key.clone().unwrap();
    let record = CredentialRecord::new(
        "dc+sd-jwt",
        "urn:eudi:pid:1",
        ISS,
        f.pid_named(&holder, "Marta").into_bytes(),
    )
    .bound_to(kid);
    other.update(&id, &record).unwrap();
    assert_eq!(presented_given_name(&f, &mut w).unwrap(), "Marta");
    // a wallet that keeps nothing answers the same
    let mut none = f.wallet(&d).with_parsed_cache(0);
    assert_eq!(presented_given_name(&f, &mut none).unwrap(), "Marta");
}

/// The attack on the kept form: change the sealed body (corrupt it, move
/// another credential's body into its row, or delete it), or its clear
/// metadata that the seal authenticates, after the wallet parsed it. The
/// body is opened again and refused; nothing parsed before is presented.
#[test]
fn a_body_changed_after_it_was_parsed_is_opened_again_and_refused() {
    let f = Fixture::new();
    for attack in ["corrupt", "moved", "deleted", "metadata"] {
        let d = Dir::new(&format!("cache-{attack}"));
        let mut w = f.wallet(&d);
        let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
        for name in ["Erika", "Marta"] {
            add_bound(&mut w, &f.pid_named(&holder, name), &holder);
        }
        assert_eq!(presented_given_name(&f, &mut w).unwrap(), "Erika");
        let db = raw(&d);
        let rows: Vec<i64> = db
            .prepare("SELECT row_id FROM credentials ORDER BY row_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        match attack {
            "corrupt" => db
                .execute(
                    "UPDATE credential_bodies SET sealed = zeroblob(64) WHERE row_id = ?1",
                    [rows[0]],
                )
                .unwrap(),
            "metadata" => db
                .execute(
                    "UPDATE credentials SET issuer = 'https://other.example' WHERE row_id = ?1",
                    [rows[0]],
                )
                .unwrap(),
            "deleted" => db
                .execute("DELETE FROM credential_bodies WHERE row_id = ?1", [rows[0]])
                .unwrap(),
            _ => db
                .execute(
                    "UPDATE credential_bodies SET sealed = \
                     (SELECT sealed FROM credential_bodies WHERE row_id = ?2) WHERE row_id = ?1",
                    [rows[0], rows[1]],
                )
                .unwrap(),
        };
        let err = presented_given_name(&f, &mut w).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage, "{attack}: {err}");
    }
}

/// A presentation opens only the holder keys of the credentials it
/// presents: a damaged key of a credential not chosen does not stop it, and
/// is refused when its credential is chosen.
#[test]
fn only_the_chosen_credentials_holder_key_is_opened() {
    let f = Fixture::new();
    let d = Dir::new("lazy-key");
    let mut w = f.wallet(&d);
    let mut ids = Vec::new();
    for name in ["Erika", "Marta"] {
        let holder = PrivateKey::generate(Algorithm::Es256).unwrap();
        ids.push(add_bound(&mut w, &f.pid_named(&holder, name), &holder));
    }
    let db = raw(&d);
    let changed = db
        .execute(
            "UPDATE holder_keys SET sealed = zeroblob(64) WHERE row_id = \
             (SELECT holder_key FROM credentials WHERE credential_id = ?1)",
            [ids[1].as_str()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(presented_given_name(&f, &mut w).unwrap(), "Erika");
    w.remove(&ids[0]).unwrap();
    let err = presented_given_name(&f, &mut w).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}
