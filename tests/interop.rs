//! Two-way interoperability with independent SD-JWT implementations, pinned in
//! `interop/` (PyPI `sd-jwt` 0.10.4 and npm `@sd-jwt/sd-jwt-vc` 0.19.0), driven
//! through the `passerelle` CLI contract. `interop/setup.sh` must have run
//! (the README's test command does it); a missing peer fails the run.

use crate::common::root;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: u64 = 1_790_000_000;
const NONCE: &str = "interop-nonce-1";
const AUD: &str = "https://verifier.interop.example";

fn passerelle() -> Command {
    Command::new(env!("CARGO_BIN_EXE_passerelle"))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Peer {
    Py,
    Node,
}

impl Peer {
    fn cmd(self) -> Command {
        let r = root().join("interop");
        match self {
            Peer::Py => {
                let py = r.join(".venv/bin/python");
                assert!(py.exists(), "interop peers missing: run interop/setup.sh");
                let mut c = Command::new(py);
                c.arg(r.join("py_peer.py"));
                c
            }
            Peer::Node => {
                assert!(
                    r.join("node/node_modules").exists(),
                    "interop peers missing: run interop/setup.sh"
                );
                let mut c = Command::new("node");
                c.arg(r.join("node/peer.mjs"));
                c
            }
        }
    }
    fn name(self) -> &'static str {
        match self {
            Peer::Py => "py",
            Peer::Node => "node",
        }
    }
}

fn run(mut c: Command) -> (bool, String) {
    let out = c.output().expect("spawn");
    let stdout = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
    if !out.status.success() && out.status.code() != Some(1) {
        panic!(
            "{c:?} failed: {}\n{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (out.status.success(), stdout)
}

fn ok(c: Command) -> String {
    let dbg = format!("{c:?}");
    let (success, out) = run(c);
    assert!(success, "{dbg} failed: {out}");
    out
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d =
            std::env::temp_dir().join(format!("passerelle-interop-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn put(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Keys {
    issuer: PathBuf,
    issuer_pub: PathBuf,
    holder: PathBuf,
    holder_pub: PathBuf,
    claims: PathBuf,
}

fn public_of(jwk: &str) -> String {
    let mut v: Value = serde_json::from_str(jwk).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("d");
    o.remove("alg");
    v.to_string()
}

fn setup(dir: &Dir) -> Keys {
    let mut c = passerelle();
    c.arg("keygen");
    let issuer = ok(c);
    let mut c = passerelle();
    c.arg("keygen");
    let holder = ok(c);
    let mut issuer_pub: Value = serde_json::from_str(&public_of(&issuer)).unwrap();
    issuer_pub["iss"] = json!("https://pid-provider.example");
    let claims = json!({
        "iss": "https://pid-provider.example", "vct": "urn:eudi:pid:1",
        "given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12",
        "nationalities": ["DE"], "age_equal_or_over": {"18": true, "65": false},
        "address": {"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "DE"},
        "iat": NOW - 60, "exp": NOW + 86_400
    });
    Keys {
        issuer: dir.put("issuer.jwk", &issuer),
        issuer_pub: dir.put("issuer.pub.jwk", &issuer_pub.to_string()),
        holder: dir.put("holder.jwk", &holder),
        holder_pub: dir.put("holder.pub.jwk", &public_of(&holder)),
        claims: dir.put("claims.json", &claims.to_string()),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const DISCLOSE: &str = "/given_name,/address/locality,/age_equal_or_over/18";

fn peer_issue(peer: Peer, k: &Keys, sd: &str) -> String {
    let mut c = peer.cmd();
    c.args([
        "issue",
        "--issuer-key",
        s(&k.issuer),
        "--holder-key",
        s(&k.holder_pub),
        "--claims",
        s(&k.claims),
        "--sd",
        sd,
        "--typ",
        "dc+sd-jwt",
    ]);
    ok(c)
}

fn peer_present(peer: Peer, k: &Keys, cred: &Path) -> String {
    let mut c = peer.cmd();
    c.args([
        "present",
        "--credential",
        s(cred),
        "--holder-key",
        s(&k.holder),
        "--disclose",
        DISCLOSE,
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--iat",
        &NOW.to_string(),
    ]);
    ok(c)
}

fn peer_verify(peer: Peer, k: &Keys, input: &Path, extra: &[&str]) -> (bool, String) {
    let mut c = peer.cmd();
    c.args([
        "verify",
        "--input",
        s(input),
        "--issuer-jwk",
        s(&k.issuer_pub),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--at",
        &NOW.to_string(),
    ]);
    c.args(extra);
    run(c)
}

fn our_issue(k: &Keys) -> String {
    let mut c = passerelle();
    c.args([
        "issue",
        "--format",
        "dc+sd-jwt",
        "--issuer-key",
        s(&k.issuer),
        "--holder-key",
        s(&k.holder_pub),
        "--claims",
        s(&k.claims),
        "--sd",
        "all",
        "--at",
        &NOW.to_string(),
    ]);
    ok(c)
}

fn our_present(k: &Keys, cred: &Path) -> String {
    let mut c = passerelle();
    c.args([
        "present",
        "--credential",
        s(cred),
        "--holder-key",
        s(&k.holder),
        "--disclose",
        DISCLOSE,
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--at",
        &NOW.to_string(),
    ]);
    ok(c)
}

fn our_verify(k: &Keys, input: &Path) -> Value {
    let mut c = passerelle();
    c.args([
        "verify",
        s(input),
        "--issuer-jwk",
        s(&k.issuer_pub),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--at",
        &NOW.to_string(),
        "--require-holder-binding",
    ]);
    let (_, out) = run(c);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("verify printed non-JSON ({e}): {out}"))
}

fn assert_disclosed(claims: &Value, who: &str) {
    assert_eq!(claims["given_name"], "Erika", "{who}: {claims}");
    assert_eq!(claims["address"]["locality"], "Köln", "{who}: {claims}");
    assert_eq!(claims["age_equal_or_over"]["18"], true, "{who}: {claims}");
    assert!(
        claims.get("family_name").is_none(),
        "{who} revealed family_name: {claims}"
    );
    assert!(
        claims["address"].get("street_address").is_none(),
        "{who} revealed street: {claims}"
    );
    assert!(
        claims["age_equal_or_over"].get("65").is_none(),
        "{who} revealed 65: {claims}"
    );
}

/// Alters one character inside the first disclosure.
fn tamper(vp: &str) -> String {
    let first = vp.find('~').unwrap() + 3;
    let mut b = vp.as_bytes().to_vec();
    b[first] = if b[first] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

#[test]
fn peers_issue_and_present_passerelle_verifies() {
    for peer in [Peer::Py, Peer::Node] {
        let dir = Dir::new(&format!("theirs-{}", peer.name()));
        let k = setup(&dir);
        let cred = dir.put("cred.txt", &peer_issue(peer, &k, "all"));
        // their presentation verifies in passerelle with exactly the chosen claims
        let vp = dir.put("vp.txt", &peer_present(peer, &k, &cred));
        let r = our_verify(&k, &vp);
        assert_eq!(r["valid"], true, "{} presentation: {r}", peer.name());
        assert_disclosed(&r["claims"], "passerelle");
        assert_eq!(r["holder_binding"]["state"], "verified");
        // passerelle presents their credential, and they verify it
        let ours = dir.put("vp-ours.txt", &our_present(&k, &cred));
        for verifier in [Peer::Py, Peer::Node] {
            let (valid, out) = peer_verify(verifier, &k, &ours, &["--require-kb"]);
            assert!(
                valid,
                "{} rejects passerelle's presentation of {}'s credential: {out}",
                verifier.name(),
                peer.name()
            );
        }
        // tampered: rejected by passerelle
        let bad = dir.put(
            "vp-bad.txt",
            &tamper(&std::fs::read_to_string(&vp).unwrap()),
        );
        let r = our_verify(&k, &bad);
        assert_eq!(
            r["valid"],
            false,
            "tampered {} presentation accepted",
            peer.name()
        );
    }
}

#[test]
fn passerelle_issues_and_presents_peers_verify() {
    let dir = Dir::new("ours");
    let k = setup(&dir);
    let cred = dir.put("cred.txt", &our_issue(&k));
    let vp_text = our_present(&k, &cred);
    let vp = dir.put("vp.txt", &vp_text);
    let r = our_verify(&k, &vp);
    assert_eq!(r["valid"], true, "{r}");
    assert_disclosed(&r["claims"], "passerelle");
    let bad = dir.put("vp-bad.txt", &tamper(&vp_text));
    for peer in [Peer::Py, Peer::Node] {
        let (valid, out) = peer_verify(peer, &k, &vp, &["--require-kb"]);
        assert!(
            valid,
            "{} rejects passerelle's presentation: {out}",
            peer.name()
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_disclosed(&v["claims"], peer.name());
        // they can also present what passerelle issued
        let theirs = dir.put(
            &format!("vp-{}.txt", peer.name()),
            &peer_present(peer, &k, &cred),
        );
        let r = our_verify(&k, &theirs);
        assert_eq!(
            r["valid"],
            true,
            "{} presentation of passerelle's credential: {r}",
            peer.name()
        );
        assert_disclosed(&r["claims"], "passerelle");
        // tampered: both sides reject
        let (valid, out) = peer_verify(peer, &k, &bad, &["--require-kb"]);
        assert!(
            !valid,
            "{} accepted a tampered presentation: {out}",
            peer.name()
        );
    }
    assert_eq!(our_verify(&k, &bad)["valid"], false);
}

/// The known divergences: passerelle rejects with the recorded kind, and each
/// peer recorded as lenient still accepts (so a fixed peer is noticed too).
#[test]
fn known_divergences() {
    let doc: Value =
        serde_json::from_str(&crate::common::vector("known-divergences.json")).unwrap();
    let dir = Dir::new("divergences");
    let k = setup(&dir);
    let issuer =
        passerelle::PrivateKey::from_jwk(&std::fs::read_to_string(&k.issuer).unwrap()).unwrap();
    let holder =
        passerelle::PrivateKey::from_jwk(&std::fs::read_to_string(&k.holder).unwrap()).unwrap();
    let fx = crate::hostile::Fx { issuer, holder };
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (d1, h1) = crate::hostile::disc(r#"["s1","given_name","Erika"]"#);
        let (d2, _) = crate::hostile::disc(r#"["s2","family_name","Mustermann"]"#);
        let mut p = fx.payload();
        p["iss"] = json!("https://pid-provider.example");
        p["_sd"] = json!([h1]);
        let mut header = json!({"alg": "ES256", "typ": "dc+sd-jwt"});
        let mut kb_mod: Box<dyn Fn(&mut Value)> = Box::new(|_| {});
        let mut ds = vec![d1.clone()];
        match id {
            "unreferenced-disclosure" => ds.push(d2.clone()),
            "duplicated-disclosure" => ds.push(d1.clone()),
            "expired" => p["exp"] = json!(NOW - 3600),
            "kb-wrong-aud" => kb_mod = Box::new(|k| k["aud"] = json!("https://elsewhere.example")),
            "kb-stale-iat" => kb_mod = Box::new(|k| k["iat"] = json!(NOW - 365 * 86_400)),
            "issuer-typ-jwt" => header["typ"] = json!("JWT"),
            other => panic!("unknown divergence {other}"),
        }
        let jwt = fx.jws(&header, &p);
        let refs: Vec<&str> = ds.iter().map(String::as_str).collect();
        let sd = fx.sd(&jwt, &refs);
        let mut kp = json!({"iat": NOW - 5, "aud": AUD, "nonce": NONCE, "sd_hash": crate::hostile::sha(&sd)});
        kb_mod(&mut kp);
        let vp = format!(
            "{sd}{}",
            fx.kb_with(&json!({"alg": "ES256", "typ": "kb+jwt"}), &kp)
        );
        let f = dir.put(&format!("{id}.txt"), &vp);
        let r = our_verify(&k, &f);
        assert_eq!(r["valid"], false, "{id}: passerelle accepted");
        assert_eq!(r["error"]["kind"], case["passerelle"], "{id}: {r}");
        let lenient: Vec<&str> = case["lenient"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut extra = vec!["--require-kb"];
        if case["library_only"].as_bool().unwrap_or(false) {
            extra.push("--library-only");
        }
        for peer in [Peer::Py, Peer::Node] {
            let (valid, out) = peer_verify(peer, &k, &f, &extra);
            let expect_lenient = lenient.contains(&peer.name());
            assert_eq!(
                valid,
                expect_lenient,
                "{id}: {} {} (known-divergences.json says lenient={expect_lenient}): {out}",
                peer.name(),
                if valid { "accepted" } else { "rejected" }
            );
        }
    }
}

/// W3C VCDM 2.0 as vc+sd-jwt (issue 4): the npm peer issues and presents, passerelle
/// verifies; passerelle issues and presents, both peers verify; tampered fails.
#[test]
fn vc_sd_jwt_both_ways() {
    let dir = Dir::new("vc-sd-jwt");
    let k = setup(&dir);
    let mut issuer_pub: Value =
        serde_json::from_str(&std::fs::read_to_string(&k.issuer_pub).unwrap()).unwrap();
    issuer_pub["iss"] = json!("https://issuer.example.ca");
    let trust = dir.put("issuer.trust.jwk", &issuer_pub.to_string());
    let vc = dir.put(
        "vc.json",
        &Value::Object(passerelle::examples::ca_person_credential(
            "https://issuer.example.ca",
        ))
        .to_string(),
    );
    let sd = "/credentialSubject/givenName,/credentialSubject/familyName,/credentialSubject/ageOver/18,/credentialSubject/ageOver/65";
    let show = "/credentialSubject/givenName,/credentialSubject/ageOver/18";
    let verify_ours = |vp: &Path| -> Value {
        let mut c = passerelle();
        c.args([
            "verify",
            s(vp),
            "--issuer-jwk",
            s(&trust),
            "--nonce",
            NONCE,
            "--aud",
            AUD,
            "--at",
            &NOW.to_string(),
            "--require-holder-binding",
        ]);
        serde_json::from_str(&run(c).1).unwrap()
    };
    // theirs -> ours (npm: the Python reference implementation has no W3C profile switch)
    let mut c = Peer::Node.cmd();
    c.args([
        "issue",
        "--issuer-key",
        s(&k.issuer),
        "--holder-key",
        s(&k.holder_pub),
        "--claims",
        s(&vc),
        "--sd",
        sd,
        "--typ",
        "vc+sd-jwt",
    ]);
    let cred = dir.put("theirs.txt", &ok(c));
    let mut c = Peer::Node.cmd();
    c.args([
        "present",
        "--credential",
        s(&cred),
        "--holder-key",
        s(&k.holder),
        "--disclose",
        show,
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--iat",
        &NOW.to_string(),
    ]);
    let vp = dir.put("theirs-vp.txt", &ok(c));
    let r = verify_ours(&vp);
    assert_eq!(r["valid"], true, "{r}");
    assert_eq!(r["format"], "vc+sd-jwt");
    let cs = &r["claims"]["credentialSubject"];
    assert_eq!(cs["givenName"], "Marie", "{cs}");
    assert_eq!(cs["ageOver"]["18"], true, "{cs}");
    assert!(
        cs.get("familyName").is_none() && cs["ageOver"].get("65").is_none(),
        "{cs}"
    );
    let bad = dir.put(
        "theirs-bad.txt",
        &tamper(&std::fs::read_to_string(&vp).unwrap()),
    );
    assert_eq!(verify_ours(&bad)["valid"], false);
    // ours -> theirs
    let mut c = passerelle();
    c.args([
        "issue",
        "--format",
        "vc+sd-jwt",
        "--issuer-key",
        s(&k.issuer),
        "--holder-key",
        s(&k.holder_pub),
        "--claims",
        s(&vc),
        "--sd",
        "all",
        "--at",
        &NOW.to_string(),
    ]);
    let ours = dir.put("ours.txt", &ok(c));
    let mut c = passerelle();
    c.args([
        "present",
        "--credential",
        s(&ours),
        "--holder-key",
        s(&k.holder),
        "--disclose",
        show,
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--at",
        &NOW.to_string(),
    ]);
    let our_vp_text = ok(c);
    let our_vp = dir.put("ours-vp.txt", &our_vp_text);
    let our_bad = dir.put("ours-bad.txt", &tamper(&our_vp_text));
    for peer in [Peer::Py, Peer::Node] {
        let (valid, out) = peer_verify(peer, &k, &our_vp, &["--require-kb"]);
        assert!(valid, "{}: {out}", peer.name());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["claims"]["credentialSubject"],
            json!({"givenName": "Marie", "ageOver": {"18": true}}),
            "{}",
            peer.name()
        );
        let (valid, out) = peer_verify(peer, &k, &our_bad, &["--require-kb"]);
        assert!(
            !valid,
            "{} accepted a tampered vc+sd-jwt: {out}",
            peer.name()
        );
    }
}
