//! `passerelle demo`: the whole journey, told on stdout.
//!
//! A PID provider with a CA of its own issues an EU PID as an SD-JWT VC; the
//! wallet presents a subset with key binding to a verifier that sent a nonce
//! and names itself as the audience; the verifier prints what it verified and
//! what it learned; then a tampered copy and a replay to another verifier fail.
//! The same in ISO 18013-5 mdoc (an mDL over OpenID4VP with a deviceSignature,
//! a PID mdoc over the DC API with a deviceMac), then the Canadian side and the
//! cross-border acceptances, then revocation through a Token Status List.

use super::Failure;
use passerelle::{
    Algorithm, CertificateBuilder, ClaimPath, Disclosable, Expectations, HeldSdJwt, KeyBinding,
    Policy, PrivateKey, Recognition, SdJwtVcIssuer, TrustRegistry, TrustStore, UnixTime, VcIssuer,
    Verifier,
};
use std::io::Write;

const PID_PROVIDER: &str = "https://pid-provider.example";
const VERIFIER: &str = "https://verifier.example";

/// Writes one line on stdout; a closed stdout stops the demo quietly.
fn out(line: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    writeln!(std::io::stdout().lock(), "{line}").map_err(|_| Failure::Closed)
}

macro_rules! say {
    ($($t:tt)*) => { out(format_args!($($t)*))? };
}

fn show(title: &str) -> Result<(), Failure> {
    say!("\n== {title}");
    Ok(())
}

/// What the demo prints: readable lines, and with `--json` each result in
/// full and each refusal's exact message.
#[derive(Clone, Copy)]
struct View {
    json: bool,
}

impl View {
    /// A result in full, with `--json`.
    fn full(self, r: &passerelle::VerificationResult) -> Result<(), Failure> {
        if self.json {
            say!(
                "{}",
                indent(&serde_json::to_string_pretty(&r.to_json()).unwrap_or_default())
            );
        }
        Ok(())
    }

    /// An attack that must fail: `label -> kind: why`, the verifier's own
    /// message with `--json`.
    fn refused<T>(
        self,
        label: &str,
        outcome: Result<T, passerelle::Error>,
        why: &str,
    ) -> Result<(), Failure> {
        match outcome {
            Ok(_) => say!("   !! {} was accepted", label.trim_end()),
            Err(e) => {
                say!("   {label} -> {}: {why}", e.kind());
                if self.json {
                    say!("      (verifier: {})", e.message());
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn run(json: bool) -> Result<(), Failure> {
    let view = View { json };
    let now = UnixTime::now();
    let year = 365 * 24 * 3600;
    say!("passerelle demo: credentials issued, held, presented and verified on both sides of the Atlantic");
    say!("   EU: a PID as SD-JWT VC (steps 1-6) and in mdoc (7-10); Canada: a person credential (11);");
    say!("   two verifiers with their own policies (12-14); revocation (15); a wallet answering DCQL (16)");
    if !json {
        say!("   (passerelle demo --json also prints every verification result in full)");
    }

    show("1. EU, SD-JWT VC: the PID provider sets up its PKI")?;
    let ca_key = PrivateKey::generate(Algorithm::Es256)?;
    let ca = CertificateBuilder::new("Demo PID Provider CA")
        .organization("Demo Member State")
        .country("DE")
        .validity(
            UnixTime::from_secs(now.as_secs() - 3600),
            UnixTime::from_secs(now.as_secs() + 10 * year),
        )
        .ca(Some(0))
        .self_signed(&ca_key)?;
    let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
    let issuer_cert = CertificateBuilder::new("Demo PID Provider")
        .organization("Demo Member State")
        .country("DE")
        .validity(
            UnixTime::from_secs(now.as_secs() - 3600),
            UnixTime::from_secs(now.as_secs() + year),
        )
        .end_entity()
        .uri(PID_PROVIDER)
        .dns_name("pid-provider.example")
        .issued_by(&ca, &ca_key, issuer_key.public_key())?;
    say!("   CA certificate:     CN=Demo PID Provider CA, C=DE (self-signed, P-256)");
    say!("   issuer certificate: CN=Demo PID Provider, SAN {PID_PROVIDER} (issued by the CA)");

    show("2. The wallet makes its holder key")?;
    let holder_key = PrivateKey::generate(Algorithm::Es256)?;
    say!(
        "   holder key thumbprint (RFC 7638): {}",
        holder_key.public_key().jwk_thumbprint()
    );

    show("3. Issuance: Erika Mustermann's PID, every attribute selectively disclosable")?;
    let claims = passerelle::examples::eu_pid_claims(PID_PROVIDER);
    let issued = SdJwtVcIssuer::new(&issuer_key)
        .with_x5c(&[issuer_cert, ca.clone()])
        .issue(
            &claims,
            &Disclosable::All,
            Some(holder_key.public_key()),
            now,
        )?;
    let held = HeldSdJwt::parse(&issued)?;
    say!(
        "   {} bytes, {} disclosures; x5c carries the issuer certificate only (the root stays with the verifier)",
        issued.len(),
        held.disclosable_paths().len()
    );

    show("4. The verifier asks; the wallet discloses four attributes with key binding")?;
    let nonce = format!("demo-{}", now.as_secs());
    let wanted = [
        "/given_name",
        "/family_name",
        "/age_equal_or_over/18",
        "/nationalities",
    ];
    say!(
        "   request: nonce {nonce}, audience {VERIFIER}, claims {}",
        wanted.join(", ")
    );
    let paths = wanted
        .iter()
        .map(|p| ClaimPath::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let kb = KeyBinding {
        signer: &holder_key,
        nonce: &nonce,
        audience: VERIFIER,
        iat: now,
    };
    let presentation = held.present(&paths, Some(kb))?;
    say!(
        "   presentation: {} bytes, {} of {} disclosures",
        presentation.len(),
        presentation.matches('~').count() - 1,
        held.disclosable_paths().len()
    );

    show("5. The verifier checks it against the provider's CA")?;
    let mut trust = TrustStore::new();
    trust.add_anchor_der(ca.der())?;
    let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let expect = Expectations::at(now).nonce(&nonce).audience(VERIFIER);
    let result = verifier.verify(presentation.as_bytes(), &expect)?;
    describe(&result)?;
    view.full(&result)?;
    say!("   and nothing else: no birth date, no address, no other attribute left the wallet");

    show("6. A tampered copy, a replay and an unknown CA fail")?;
    let tampered = tamper_first_disclosure(&presentation);
    view.refused(
        "tampered disclosure ",
        verifier.verify(tampered.as_bytes(), &expect),
        "tampered disclosure detected (the altered disclosure no longer decodes, so no digest can match it)",
    )?;
    let other = Expectations::at(now)
        .nonce("another-nonce")
        .audience("https://other-verifier.example");
    view.refused(
        "replay elsewhere     ",
        verifier.verify(presentation.as_bytes(), &other),
        "the key binding was signed for another verifier's nonce and audience",
    )?;
    let mut untrusting = TrustStore::new();
    let rogue_ca_key = PrivateKey::generate(Algorithm::Es256)?;
    let rogue = CertificateBuilder::new("Somebody Else's CA")
        .validity(
            UnixTime::from_secs(now.as_secs() - 3600),
            UnixTime::from_secs(now.as_secs() + year),
        )
        .ca(None)
        .self_signed(&rogue_ca_key)?;
    untrusting.add_anchor_der(rogue.der())?;
    view.refused(
        "unknown CA           ",
        Verifier::new(untrusting, Policy::default()).verify(presentation.as_bytes(), &expect),
        "the issuer certificate does not chain to a CA this verifier trusts",
    )?;
    let pid_mdoc = mdoc_journeys(now, view)?;
    canada_and_cross_border(now, view, &ca, &presentation, &nonce, &pid_mdoc)?;
    status_journey(now, view)?;
    wallet_journey(now)
}

/// Who issued, how the verifier came to trust it, what was disclosed, and
/// the holder binding: what a person reading the result wants to know.
fn describe(r: &passerelle::VerificationResult) -> Result<(), Failure> {
    let j = r.to_json();
    let issuer = &j["issuer"];
    let trust = &issuer["trust"];
    let how = match (trust["method"].as_str(), issuer["registry"].as_str()) {
        (_, Some(registry)) => format!("accredited in {registry}"),
        (Some("x509"), _) => format!(
            "certificate {}, chained to {}",
            trust["subject"].as_str().unwrap_or("?"),
            trust["anchor"].as_str().unwrap_or("?")
        ),
        (Some(m), _) => format!("trusted by {m}"),
        (None, _) => "trusted".to_owned(),
    };
    say!(
        "   verified:  {} {}, issued by {} ({how})",
        r.format().as_str(),
        r.credential_type(),
        r.issuer().id()
    );
    let mut disclosed = Vec::new();
    if let Some(p) = j["provenance"].as_object() {
        for (path, who) in p {
            let value = r.claims().pointer(path);
            let leaf = value.is_some_and(|v| !v.is_object() && !v.is_array());
            let array = value.is_some_and(serde_json::Value::is_array);
            if who == "issuer_disclosed" && (leaf || array) && !is_inside_array(r.claims(), path) {
                let name = path.rsplit('/').next().unwrap_or(path);
                let name = match path.trim_start_matches('/').split('/').collect::<Vec<_>>()[..] {
                    [.., parent, last] if last.bytes().all(|b| b.is_ascii_digit()) => {
                        format!("{parent}/{last}")
                    }
                    _ => name.to_owned(),
                };
                disclosed.push(format!(
                    "{name} {}",
                    value.map(ToString::to_string).unwrap_or_default()
                ));
            }
        }
    }
    say!(
        "   disclosed: {}",
        if disclosed.is_empty() {
            "nothing selectively disclosable".to_owned()
        } else {
            disclosed.join(", ")
        }
    );
    say!(
        "   holder binding: {}",
        j["holder_binding"]["state"].as_str().unwrap_or("?")
    );
    Ok(())
}

/// Whether `path` is an element of an array that is listed whole (so
/// `/nationalities/0` is not printed beside `/nationalities`).
fn is_inside_array(claims: &serde_json::Value, path: &str) -> bool {
    path.rsplit_once('/').is_some_and(|(parent, _)| {
        claims
            .pointer(parent)
            .is_some_and(serde_json::Value::is_array)
    })
}

/// The wallet keeps its credentials in the embedded encrypted store and
/// answers a relying party's DCQL query; the relying party checks the
/// vp_token against the query it sent.
fn wallet_journey(now: UnixTime) -> Result<(), Failure> {
    use passerelle::{CredentialStore, DcqlQuery, OpenId4VpRequest, StoreOptions, Wallet};
    show("16. The wallet keeps its credentials (encrypted SQLite store) and answers a DCQL query")?;
    let dir = std::env::temp_dir().join(format!("passerelle-demo-wallet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::Input(passerelle::Error::new(
            passerelle::ErrorKind::Storage,
            e.to_string(),
        ))
    })?;
    let path = dir.join("wallet.db");
    let issuer = PrivateKey::generate(Algorithm::Es256)?;
    let mut trust = TrustStore::new();
    trust.add_issuer_key(issuer.public_key().clone(), Some(PID_PROVIDER), None);
    let store = CredentialStore::open(
        &path,
        &passerelle::FileKeyProvider::beside(&path),
        StoreOptions::new(),
    )?;
    let mut wallet = Wallet::new(store, Verifier::new(trust.clone(), Policy::default()));
    let holder = PrivateKey::generate(Algorithm::Es256)?;
    let pid = SdJwtVcIssuer::new(&issuer).issue(
        &passerelle::examples::eu_pid_claims(PID_PROVIDER),
        &Disclosable::All,
        Some(holder.public_key()),
        now,
    )?;
    let tampered = pid.replacen('~', "~A", 1);
    match wallet.add(tampered.as_bytes(), None, now) {
        Ok(_) => say!("   !! a tampered credential was stored"),
        Err(e) => say!(
            "   a tampered PID         -> {}: not stored (the wallet verifies before it keeps)",
            e.kind()
        ),
    }
    let id = wallet.add(pid.as_bytes(), Some(holder), now)?;
    for m in wallet.list()? {
        say!(
            "   stored {} {} from {} (id {}, holder key sealed beside it)",
            m.format,
            m.credential_type,
            m.issuer,
            m.id.as_str()
        );
    }
    let query = DcqlQuery::parse(
        serde_json::json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:pid:1"]},
            "claims": [{"path": ["given_name"]}, {"path": ["age_equal_or_over", "18"]}]}]})
        .to_string()
        .as_bytes(),
    )?;
    let request = OpenId4VpRequest {
        client_id: "x509_san_dns:shop.example",
        nonce: "n-demo-dcql",
        response_uri: "https://shop.example/response",
        jwk_thumbprint: None,
    };
    say!("   the shop asks (DCQL): a PID's given_name and age_equal_or_over/18");
    let answer = wallet.present_dcql(&query, &request, now)?;
    let token = serde_json::Value::Object(answer.vp_token).to_string();
    let check = query.verify_vp_token(
        &Verifier::new(trust, Policy::default()),
        token.as_bytes(),
        &request,
        now,
    )?;
    match check.presentations().first().map(|p| p.outcome()) {
        Some(Ok(r)) if check.satisfied() => say!(
            "   the shop verifies the vp_token: satisfied, learned {} and over 18: {}",
            r.identity().given_name().unwrap_or("?"),
            r.identity()
                .age_over(18)
                .map_or("?".into(), |b| b.to_string())
        ),
        _ => say!("   !! the vp_token did not satisfy the query"),
    }
    wallet.remove(&id)?;
    drop(wallet);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Revocation: the PID provider keeps a Token Status List in its embedded
/// store, revokes a PID, and the verifier sees it; a stale copy of the list
/// is undetermined, never revoked.
fn status_journey(now: UnixTime, view: View) -> Result<(), Failure> {
    use passerelle::{
        PublishOptions, SqliteStatusStore, StatusListFormat, StatusListIssuer, StatusLists,
    };
    show("15. Revocation: the PID provider keeps a Token Status List (embedded SQLite store)")?;
    let path =
        std::env::temp_dir().join(format!("passerelle-demo-status-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = SqliteStatusStore::open(&path)?;
    let lists = StatusListIssuer::new(&store);
    let uri = format!("{PID_PROVIDER}/status/1");
    lists.create(&uri, 2, 100_000)?;
    let idx = lists.allocate(&uri)?;
    say!("   list {uri}: 100 000 entries of 2 bits; this PID gets index {idx} (drawn through a keyed permutation)");
    let key = PrivateKey::generate(Algorithm::Es256)?;
    let mut claims = passerelle::examples::eu_pid_claims(PID_PROVIDER);
    claims.insert(
        "status".into(),
        serde_json::json!({"status_list": {"idx": idx, "uri": uri}}),
    );
    let pid = SdJwtVcIssuer::new(&key).issue(&claims, &Disclosable::All, None, now)?;
    let mut trust = TrustStore::new();
    trust.add_issuer_key(key.public_key().clone(), Some(PID_PROVIDER), None);
    let mut opts = PublishOptions::at(now);
    opts.ttl = Some(300);
    let check = |list: Vec<u8>, fetched: UnixTime, policy: Policy| {
        let mut l = StatusLists::new();
        l.add(list, fetched)?;
        Verifier::new(trust.clone(), policy)
            .verify(pid.as_bytes(), &Expectations::at(now).status_lists(l))
    };
    let published = lists.publish(&uri, StatusListFormat::Jwt, &key, &opts)?;
    match check(published, now, Policy::default()) {
        Ok(r) => say!(
            "   status list as issued  -> accepted, status {}",
            r.status().to_json()["state"]
        ),
        Err(e) => say!("   !! refused: {e}"),
    }
    lists.set(&uri, idx, 1)?;
    let published = lists.publish(&uri, StatusListFormat::Jwt, &key, &opts)?;
    say!("   the provider revokes the PID and publishes version 2 of the list (ttl 300 s)");
    view.refused(
        "revoked PID           ",
        check(published.clone(), now, Policy::default()),
        "the issuer's signed status list says this PID is revoked",
    )?;
    let stale = UnixTime::from_secs(now.as_secs().saturating_sub(600));
    view.refused(
        "list fetched 10 min ago",
        check(published.clone(), stale, Policy::default()),
        "the copy of the list is older than its ttl (300 s): the status is unknown, not revoked",
    )?;
    match check(
        published,
        stale,
        Policy::default().accept_undetermined_status(true),
    ) {
        Ok(r) => say!(
            "   ... a policy that accepts unknown status: accepted, status {}",
            r.status().to_json()["state"]
        ),
        Err(e) => say!("   !! {e}"),
    }
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}

/// What the cross-border step needs from the mdoc journey: the IACA, and a PID
/// mdoc presented to the Canadian verifier over OpenID4VP.
struct MdocForCanada {
    iaca_pem: String,
    response: Vec<u8>,
    transcript: passerelle::SessionTranscript,
}

/// The same EU side in ISO 18013-5 mdoc: an mDL presented over OpenID4VP
/// with a deviceSignature, and a PID mdoc presented in proximity with a
/// deviceMac.
fn mdoc_journeys(now: UnixTime, view: View) -> Result<MdocForCanada, Failure> {
    use passerelle::{
        HeldMdoc, MdocIssuer, SessionTranscript, DOCTYPE_EU_PID, DOCTYPE_MDL, NAMESPACE_EU_PID,
        NAMESPACE_MDL,
    };
    let year = 365 * 24 * 3600;
    show(
        "7. EU, mdoc (ISO 18013-5): an issuing authority's IACA and document signer issue an mDL",
    )?;
    let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
    let iaca = CertificateBuilder::new("Demo IACA")
        .organization("Demo Member State")
        .country("DE")
        .validity(
            UnixTime::from_secs(now.as_secs() - 3600),
            UnixTime::from_secs(now.as_secs() + 10 * year),
        )
        .ca(Some(0))
        .self_signed(&iaca_key)?;
    let ds_key = PrivateKey::generate(Algorithm::Es256)?;
    let ds = CertificateBuilder::new("Demo Document Signer")
        .organization("Demo Member State")
        .country("DE")
        .validity(
            UnixTime::from_secs(now.as_secs() - 3600),
            UnixTime::from_secs(now.as_secs() + year),
        )
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&iaca, &iaca_key, ds_key.public_key())?;
    say!("   IACA: CN=Demo IACA, C=DE; document signer: CN=Demo Document Signer, EKU 1.0.18013.5.1.2");
    let device = PrivateKey::generate(Algorithm::Es256)?;
    let issuer = MdocIssuer::new(&ds_key, std::slice::from_ref(&ds));
    let mdl = serde_json::json!({NAMESPACE_MDL: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1964-08-12",
        "issue_date": "2024-01-15", "expiry_date": "2034-01-14", "issuing_country": "DE",
        "document_number": "T22000129", "age_over_18": true, "age_over_65": false,
        "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "1982-05-01"}]
    }});
    let issued = issuer.issue(
        DOCTYPE_MDL,
        mdl.as_object().ok_or(passerelle::Error::new(
            passerelle::ErrorKind::ApiMisuse,
            "mdl",
        ))?,
        device.public_key(),
        now,
    )?;
    let held = HeldMdoc::parse(&issued)?;
    say!(
        "   mDL issued to the wallet's device key: {} bytes of IssuerSigned, {} elements, MSO with SHA-256 digests and decoys",
        issued.len(),
        held.elements().len()
    );

    show("8. Over OpenID4VP 1.0: the wallet discloses three mDL elements with a deviceSignature")?;
    let nonce = format!("mdoc-demo-{}", now.as_secs());
    let transcript = SessionTranscript::openid4vp(
        "x509_san_dns:verifier.example",
        &nonce,
        None,
        "https://verifier.example/response",
    );
    let response = held.present(
        &[
            (NAMESPACE_MDL, "given_name"),
            (NAMESPACE_MDL, "family_name"),
            (NAMESPACE_MDL, "age_over_18"),
        ],
        &transcript,
        &device,
    )?;
    say!(
        "   DeviceResponse: {} bytes (the OpenID4VP vp_token is its base64url)",
        response.len()
    );
    let mut trust = TrustStore::new();
    trust.add_anchor_der(iaca.der())?;
    let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
    let expect = Expectations::at(now).session_transcript(transcript.clone());
    let result = verifier.verify(&response, &expect)?;
    describe(&result)?;
    view.full(&result)?;

    show("9. Over the Digital Credentials API: a PID mdoc with a deviceMac for the reader's ephemeral key")?;
    let pid = serde_json::json!({NAMESPACE_EU_PID: {
        "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1964-08-12",
        "age_over_18": true, "nationality": ["DE"], "issuing_country": "DE",
        "issuing_authority": "DE"
    }});
    let pid_issued = issuer.issue(
        DOCTYPE_EU_PID,
        pid.as_object().ok_or(passerelle::Error::new(
            passerelle::ErrorKind::ApiMisuse,
            "pid",
        ))?,
        device.public_key(),
        now,
    )?;
    let pid_held = HeldMdoc::parse(&pid_issued)?;
    let reader = PrivateKey::generate(Algorithm::Es256)?;
    // the browser-mediated handover; proximity flows hand their own transcript
    // bytes to SessionTranscript::from_cbor
    let proximity = SessionTranscript::openid4vp_dc_api("https://reader.example", &nonce, None);
    let pid_response = pid_held.present_with_mac(
        &[
            (NAMESPACE_EU_PID, "given_name"),
            (NAMESPACE_EU_PID, "age_over_18"),
        ],
        &proximity,
        &device,
        reader.public_key(),
    )?;
    let pid_result = verifier.verify(
        &pid_response,
        &Expectations::at(now)
            .session_transcript(proximity)
            .reader_key(reader),
    )?;
    say!(
        "   verified {} with a deviceMac (the reader's key and the wallet's device key agree on the MAC key)",
        pid_result.credential_type()
    );
    describe(&pid_result)?;
    view.full(&pid_result)?;

    show("10. A changed element, another transcript and an unknown IACA all fail")?;
    let mut tampered = response.clone();
    if let Some(pos) = tampered.windows(5).position(|w| w == b"Erika") {
        if let Some(b) = tampered.get_mut(pos) {
            *b = b'X';
        }
    }
    view.refused(
        "changed given_name   ",
        verifier.verify(&tampered, &expect),
        "tampered element detected (its digest does not match the one the issuer signed in the MSO)",
    )?;
    let elsewhere = Expectations::at(now).session_transcript(SessionTranscript::openid4vp(
        "x509_san_dns:other.example",
        &nonce,
        None,
        "https://other.example/response",
    ));
    view.refused(
        "replay elsewhere     ",
        verifier.verify(&response, &elsewhere),
        "the device signature covers another verifier's session transcript",
    )?;
    view.refused(
        "no IACA configured   ",
        Verifier::new(TrustStore::new(), Policy::default()).verify(&response, &expect),
        "this verifier trusts no IACA, so no document signer can be trusted",
    )?;
    let to_canada = SessionTranscript::openid4vp(
        "x509_san_dns:verifier.example.ca",
        &format!("ca-mdoc-{}", now.as_secs()),
        None,
        "https://verifier.example.ca/response",
    );
    let pid_for_canada = pid_held.present(
        &[
            (NAMESPACE_EU_PID, "given_name"),
            (NAMESPACE_EU_PID, "family_name"),
            (NAMESPACE_EU_PID, "age_over_18"),
        ],
        &to_canada,
        &device,
    )?;
    Ok(MdocForCanada {
        iaca_pem: iaca.to_pem(),
        response: pid_for_canada,
        transcript: to_canada,
    })
}

/// The Canadian side, then two verifiers with their own policies: an EU
/// shop that checks age only, and a Canadian service that opens an account
/// and needs names; each accepts the other side's credential under its own
/// recognition clauses.
fn canada_and_cross_border(
    now: UnixTime,
    view: View,
    eu_ca: &passerelle::Certificate,
    eu_presentation: &str,
    eu_nonce: &str,
    pid_mdoc: &MdocForCanada,
) -> Result<(), Failure> {
    const CA_ISSUER: &str = "https://issuer.gouv.qc.example";
    const CA_VERIFIER: &str = "https://verifier.example.ca";
    show("11. Canada: an accredited issuer issues a person credential (W3C VCDM 2.0, vc+sd-jwt)")?;
    let ca_issuer_key = PrivateKey::generate(Algorithm::EdDsa)?;
    let registry = serde_json::json!({
        "registry": {"id": "https://registry.example.ca", "name": "Demo Pan-Canadian registry", "framework": "PCTF", "jurisdiction": "CA"},
        "entries": [{
            "entity_id": CA_ISSUER, "name": "Demo Québec issuer", "jurisdiction": "CA-QC", "status": "active",
            "keys": [serde_json::from_str::<serde_json::Value>(&ca_issuer_key.public_key().to_jwk()).unwrap_or_default()],
            "authorizations": [{"action": "issue", "resource": "PersonCredential", "assurance_level": "PCTF-LOA3",
                                "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}]
        }]
    });
    say!("   registry https://registry.example.ca accredits {CA_ISSUER} for PersonCredential at PCTF-LOA3");
    let holder = PrivateKey::generate(Algorithm::Es256)?;
    let vc = passerelle::examples::ca_person_credential(CA_ISSUER);
    let issued = VcIssuer::new(&ca_issuer_key).issue_sd_jwt(
        &vc,
        &Disclosable::All,
        Some(holder.public_key()),
        now,
    )?;
    let held = HeldSdJwt::parse(&issued)?;
    say!(
        "   Marie Tremblay's credential: {} selectively disclosable claims, bound to her wallet's key",
        held.disclosable_paths().len()
    );
    let present = |wanted: &[&str], nonce: &str, audience: &str| -> Result<String, Failure> {
        let paths = wanted
            .iter()
            .map(|p| ClaimPath::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(held.present(
            &paths,
            Some(KeyBinding {
                signer: &holder,
                nonce,
                audience,
                iat: now,
            }),
        )?)
    };

    show("12. Two verifiers, two policies")?;
    let eu_policy = Recognition::from_json(
        r#"{
      "accept": [
        {"name": "eu-pid-high", "formats": ["dc+sd-jwt", "mso_mdoc"], "credential_types": ["urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"], "min_assurance": "eIDAS-high"},
        {"name": "ca-person-loa3", "formats": ["vc+sd-jwt"], "credential_types": ["PersonCredential"], "min_assurance": "PCTF-LOA3"}
      ],
      "require_attributes": ["age_over_18"]
    }"#,
    )?;
    let ca_policy = Recognition::from_json(
        r#"{
      "accept": [
        {"name": "ca-person-loa2", "formats": ["vc+sd-jwt", "vc+jwt"], "credential_types": ["PersonCredential"], "min_assurance": "PCTF-LOA2"},
        {"name": "eu-pid-high", "formats": ["dc+sd-jwt", "mso_mdoc"], "credential_types": ["urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"], "min_assurance": "eIDAS-high"}
      ],
      "require_attributes": ["given_name", "family_name", "age_over_18"]
    }"#,
    )?;
    print_policy(
        "the EU verifier (an online shop checking age, https://verifier.example)",
        &eu_policy,
    )?;
    print_policy(
        "the Canadian verifier (a service opening an account, https://verifier.example.ca)",
        &ca_policy,
    )?;
    say!("   both require holder binding and trust the same anchors: the EU CA and IACA at eIDAS high, the Canadian registry");
    let mut trust = TrustStore::new();
    trust.add_registry(TrustRegistry::from_json(&registry.to_string())?);
    trust.add_anchor_pem_with_level(&eu_ca.to_pem(), "eIDAS", "eIDAS-high")?;
    trust.add_iaca_pem(&pid_mdoc.iaca_pem, Some(("eIDAS", "eIDAS-high")))?;
    let eu_verifier = Verifier::new(
        trust.clone(),
        Policy::default()
            .require_holder_binding(true)
            .recognition(eu_policy),
    );
    let ca_verifier = Verifier::new(
        trust,
        Policy::default()
            .require_holder_binding(true)
            .recognition(ca_policy),
    );

    show(
        "13. The Canadian verifier: the Canadian credential, then the EU PID (SD-JWT VC and mdoc)",
    )?;
    let ca_nonce = format!("ca-demo-{}", now.as_secs());
    let names_and_age = [
        "/credentialSubject/givenName",
        "/credentialSubject/familyName",
        "/credentialSubject/ageOver/18",
    ];
    let ca_vp = present(&names_and_age, &ca_nonce, CA_VERIFIER)?;
    say!("   Marie discloses her given name, family name and age over 18");
    let ca_expect = Expectations::at(now).nonce(&ca_nonce).audience(CA_VERIFIER);
    let r = ca_verifier.verify(ca_vp.as_bytes(), &ca_expect)?;
    report(&r, view)?;
    say!("   Erika's EU PID of step 4 (SD-JWT VC), at the Canadian verifier");
    let r = ca_verifier.verify(
        eu_presentation.as_bytes(),
        &Expectations::at(now).nonce(eu_nonce).audience(VERIFIER),
    )?;
    report(&r, view)?;
    say!("   Erika's EU PID in mdoc (step 9's PID, presented over OpenID4VP)");
    let r = ca_verifier.verify(
        &pid_mdoc.response,
        &Expectations::at(now).session_transcript(pid_mdoc.transcript.clone()),
    )?;
    report(&r, view)?;

    show("14. The EU verifier: the Canadian credential, and where the two policies differ")?;
    let eu_nonce2 = format!("eu-demo-{}", now.as_secs());
    let eu_expect = Expectations::at(now).nonce(&eu_nonce2).audience(VERIFIER);
    let vp = present(&names_and_age, &eu_nonce2, VERIFIER)?;
    let r = eu_verifier.verify(vp.as_bytes(), &eu_expect)?;
    report(&r, view)?;
    say!("   Marie discloses her age over 18 only, nothing else:");
    let age_only = ["/credentialSubject/ageOver/18"];
    let vp = present(&age_only, &eu_nonce2, VERIFIER)?;
    let r = eu_verifier.verify(vp.as_bytes(), &eu_expect)?;
    say!(
        "   EU verifier        -> accepted under clause {}: age over 18 is all it needs",
        r.policy_clause().unwrap_or("-")
    );
    let vp = present(&age_only, &ca_nonce, CA_VERIFIER)?;
    view.refused(
        "Canadian verifier ",
        ca_verifier.verify(vp.as_bytes(), &ca_expect),
        "it opens an account, so it needs her names too",
    )?;
    say!("   Marie discloses her given name only:");
    let vp = present(&names_and_age[..1], &eu_nonce2, VERIFIER)?;
    view.refused(
        "given name only      ",
        eu_verifier.verify(vp.as_bytes(), &eu_expect),
        "the EU verifier needs age over 18, which was not disclosed",
    )?;
    Ok(())
}

/// One verifier's recognition policy, as a person reads it.
fn print_policy(who: &str, policy: &Recognition) -> Result<(), Failure> {
    say!("   {who}");
    for c in policy.clauses() {
        say!(
            "     accepts {:15} {} as {}, at {} or above",
            c.name,
            c.credential_types.join(" / "),
            c.formats.join(" or "),
            c.min_assurance.as_deref().unwrap_or("any level")
        );
    }
    say!("     requires {}", policy.required_attributes().join(", "));
    Ok(())
}

fn report(r: &passerelle::VerificationResult, view: View) -> Result<(), Failure> {
    let id = r.identity();
    say!(
        "   accepted: {} {} from {} ({}, {} at {}), clause {}",
        r.format().as_str(),
        r.credential_type(),
        r.issuer().id(),
        r.issuer().registry().unwrap_or("x509 anchor"),
        r.issuer().framework().unwrap_or("?"),
        r.issuer().assurance_level().unwrap_or("?"),
        r.policy_clause().unwrap_or("-")
    );
    say!(
        "   learned:  {} {}, over 18: {}",
        id.given_name().unwrap_or("?"),
        id.family_name().unwrap_or("?"),
        id.age_over(18)
            .map_or("not disclosed".into(), |b| b.to_string())
    );
    view.full(r)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("   {l}\n"))
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// Changes one character inside the first disclosure.
fn tamper_first_disclosure(vp: &str) -> String {
    let at = vp.find('~').map_or(0, |i| i + 5);
    vp.char_indices()
        .map(|(i, c)| {
            if i == at {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect()
}
