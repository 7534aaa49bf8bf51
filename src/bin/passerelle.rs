//! The `passerelle` command line, for interop test harnesses and the demo.
//!
//! JSON on stdout, diagnostics on stderr. Exit 0: success; 1: the input failed
//! (with `{"valid": false, "error": {"kind", "message"}}`); 2: a usage error.

use passerelle::{
    Algorithm, ClaimPath, Disclosable, Error, ErrorKind, Expectations, HeldSdJwt, KeyBinding,
    Policy, PrivateKey, PublicKey, SdJwtVcIssuer, TrustStore, UnixTime, VcIssuer, Verifier,
};
use serde_json::{json, Value};
use std::process::ExitCode;

#[path = "cli/demo.rs"]
mod demo;

const USAGE: &str = "usage:
  passerelle keygen [--alg ES256|ES384|EdDSA]
  passerelle issue --format dc+sd-jwt|mso_mdoc|vc+sd-jwt|vc+jwt|vc+cose|ldp_vc --issuer-key JWK [--x5c CHAIN.pem]
                   [--holder-key PUBJWK] --claims CLAIMS.json [--sd PATHS|all] [--kid KID] [--at UNIX_SECONDS]
                   [--decoys N] [--doctype DOCTYPE]
  passerelle present --credential FILE --holder-key JWK (--disclose PATHS | --dcql QUERY.json)
                     --nonce N --aud A [--at UNIX_SECONDS]
                     mdoc: [--openid4vp-handover RESPONSE_URI | --dc-api-origin ORIGIN | --transcript FILE]
                           [--reader-key PUBJWK (deviceMac)]
  passerelle verify INPUT [--trust TRUST.json] [--anchor CERT.pem]... [--iaca CERT.pem]... [--issuer-jwk JWK]...
                   [--nonce N] [--aud A] [--at UNIX_SECONDS] [--status-list FILE]...
                   [--status-fetched-at UNIX_SECONDS] [--require-status]
                   [--require-holder-binding] [--allow-legacy-typ] [--policy POLICY.json]
                   [--transcript FILE | --openid4vp-handover RESPONSE_URI | --dc-api-origin ORIGIN]
                   [--reader-key JWK]
                   [--trusted-list FILE]... [--list-anchor CERT.pem]... [--vical FILE]... [--vical-authority CERT.pem]...
                   [--allow-stale-lists]
  passerelle trust inspect FILE [--list-anchor CERT.pem]... [--vical-authority CERT.pem] [--at UNIX_SECONDS]
                   [--allow-stale-lists]
  passerelle did resolve DID [--log FILE | --document FILE] [--at UNIX_SECONDS]
  passerelle status new --uri URI [--bits 1|2|4|8] [--size N] [--store STORE]
  passerelle status allocate --uri URI [--store STORE]
  passerelle status set --uri URI --idx N --value valid|revoked|suspended|0..255 [--store STORE]
  passerelle status publish --uri URI --format statuslist+jwt|statuslist+cwt|bitstring --issuer-key JWK
                   [--x5c CHAIN.pem] [--ttl S] [--exp UNIX_SECONDS] [--iss ISSUER] [--kid KID] [--at UNIX_SECONDS]
                   [--purpose revocation|suspension] [--store STORE]
     (STORE: a file path, embedded SQLite, default passerelle-status.db; or postgres://...)
  passerelle issue ... [--status-store STORE --status-uri URI]   (a freshly allocated index)
  passerelle wallet add FILE [--holder-key JWK] [--store STORE] [trust options as verify]
  passerelle wallet list [--store STORE]
  passerelle wallet remove ID [--store STORE]
  passerelle wallet present --dcql QUERY.json --nonce N --aud CLIENT_ID [--openid4vp-handover RESPONSE_URI] [--store STORE]
  passerelle dcql match QUERY.json CREDENTIAL...
  passerelle verify-vp VP_TOKEN.json --dcql QUERY.json --nonce N --aud CLIENT_ID [--openid4vp-handover RESPONSE_URI]
                   [trust options as verify]
  passerelle demo

PATHS: `all`, or comma-separated JSON Pointers (/given_name,/address/locality,/nationalities/0),
or a JSON array of JSON Pointers; for an mdoc, namespace/element items (org.iso.18013.5.1/family_name).
mdoc credentials, DeviceResponses and vc+cose are printed as base64url and read as base64url or CBOR bytes;
--transcript is the SessionTranscript array as CBOR bytes or hex. INPUT and FILE may be `-` for standard input.";

/// What a command prints.
enum Out {
    Json(Value),
    Text(String),
}

/// A usage error (exit 2).
struct Usage(String);

enum Failure {
    Usage(Usage),
    Input(Error),
}

impl From<Usage> for Failure {
    fn from(u: Usage) -> Self {
        Failure::Usage(u)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e)
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(Usage(msg.into()))
}

/// Parsed `--flag value` options and positionals.
struct Args {
    positional: Vec<String>,
    opts: Vec<(String, Option<String>)>,
}

const SWITCHES: &[&str] = &[
    "--require-holder-binding",
    "--allow-legacy-typ",
    "--require-status",
    "--allow-stale-lists",
    "--help",
];

impl Args {
    fn parse(raw: &[String]) -> Result<Self, Failure> {
        let mut positional = Vec::new();
        let mut opts = Vec::new();
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            if let Some(stripped) = a.strip_prefix("--") {
                if let Some((k, v)) = stripped.split_once('=') {
                    opts.push((format!("--{k}"), Some(v.to_owned())));
                } else if SWITCHES.contains(&a.as_str()) {
                    opts.push((a.clone(), None));
                } else {
                    let v = it
                        .next()
                        .ok_or_else(|| usage(format!("{a} needs a value")))?;
                    opts.push((a.clone(), Some(v.clone())));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Args { positional, opts })
    }

    fn check_known(&self, known: &[&str]) -> Result<(), Failure> {
        for (k, _) in &self.opts {
            if !known.contains(&k.as_str()) {
                return Err(usage(format!("unknown option {k}")));
            }
        }
        Ok(())
    }

    fn one(&self, name: &str) -> Result<Option<&str>, Failure> {
        let mut found = self.opts.iter().filter(|(k, _)| k == name);
        let first = found.next().and_then(|(_, v)| v.as_deref());
        if found.next().is_some() {
            return Err(usage(format!("{name} given more than once")));
        }
        Ok(first)
    }

    fn required(&self, name: &str) -> Result<&str, Failure> {
        self.one(name)?
            .ok_or_else(|| usage(format!("{name} is required")))
    }

    fn many(&self, name: &str) -> Vec<&str> {
        self.opts
            .iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    fn flag(&self, name: &str) -> bool {
        self.opts.iter().any(|(k, _)| k == name)
    }
}

/// Reads a file (or stdin for `-`), bounded, trimming one trailing newline
/// (ENC-04: the library API itself stays strict).
fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    const MAX: u64 = 8 * 1024 * 1024;
    let mut buf = Vec::new();
    let res = if path == "-" {
        std::io::stdin().take(MAX + 1).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX + 1).read_to_end(&mut buf))
    };
    res.map_err(|e| usage(format!("cannot read {path}: {e}")))?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > MAX {
        return Err(Failure::Input(Error::new(
            ErrorKind::LimitExceeded,
            format!("{path} is larger than {MAX} bytes"),
        )));
    }
    // one trailing newline is trimmed from text input only (an SD-JWT, a JWS,
    // JSON, base64url: all start with an ASCII graphic character); binary
    // input (raw CBOR) is never changed
    if buf.first().is_some_and(u8::is_ascii_graphic) && buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(buf)
}

fn read_text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read_input(path)?).map_err(|_| {
        Failure::Input(Error::new(
            ErrorKind::Malformed,
            format!("{path} is not UTF-8"),
        ))
    })
}

fn parse_time(v: Option<&str>) -> Result<UnixTime, Failure> {
    match v {
        None => Ok(UnixTime::now()),
        Some(s) => s
            .parse::<u64>()
            .map(UnixTime::from_secs)
            .map_err(|_| usage(format!("--at wants seconds since the epoch, not {s:?}"))),
    }
}

fn parse_paths(spec: &str) -> Result<Vec<ClaimPath>, Failure> {
    let list: Vec<String> = if spec.trim_start().starts_with('[') {
        serde_json::from_str(spec).map_err(|e| usage(format!("paths: {e}")))?
    } else {
        spec.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    list.iter()
        .map(|p| ClaimPath::parse(p.trim()).map_err(|e| usage(e.message().to_owned())))
        .collect()
}

/// DCQL (OpenID4VP 1.0 §6): the claim paths requested by the first credential
/// query. `null` path components select the whole array.
/// The claim paths the first satisfiable credential query of a DCQL query
/// asks of `candidate` (the library's matcher: claim sets, `values`,
/// `null` array paths), `Policy` when no query matches it.
fn dcql_paths(
    query_file: &str,
    candidate: passerelle::DcqlCandidate,
) -> Result<Vec<ClaimPath>, Failure> {
    let q = read_dcql(query_file)?;
    let m = q.match_candidates(&[candidate]);
    for cq in q.credentials() {
        if let Some(first) = m.matches(cq.id()).first() {
            return Ok(first.paths().to_vec());
        }
    }
    Err(Failure::Input(Error::new(
        ErrorKind::Policy,
        "the credential satisfies no credential query of the DCQL query",
    )))
}

fn cmd_keygen(args: &Args) -> Result<Value, Failure> {
    args.check_known(&["--alg"])?;
    let alg = match args.one("--alg")?.unwrap_or("ES256") {
        "ES256" => Algorithm::Es256,
        "ES384" => Algorithm::Es384,
        "EdDSA" => Algorithm::EdDsa,
        other => return Err(usage(format!("unknown --alg {other}"))),
    };
    let key = PrivateKey::generate(alg)?;
    let jwk: Value = serde_json::from_str(&key.to_jwk()).map_err(|e| usage(e.to_string()))?;
    Ok(jwk)
}

fn cmd_issue(args: &Args) -> Result<String, Failure> {
    args.check_known(&[
        "--format",
        "--issuer-key",
        "--x5c",
        "--holder-key",
        "--claims",
        "--sd",
        "--kid",
        "--at",
        "--decoys",
        "--doctype",
        "--status-store",
        "--status-uri",
    ])?;
    let format = args.required("--format")?;
    match format {
        "dc+sd-jwt" | "vc+sd-jwt" | "vc+jwt" | "ldp_vc" => {}
        "mso_mdoc" => return issue_mdoc(args),
        "vc+cose" => {}
        other => return Err(usage(format!("unknown --format {other}"))),
    }
    let issuer = PrivateKey::from_jwk(&read_text(args.required("--issuer-key")?)?)?;
    let claims_text = read_text(args.required("--claims")?)?;
    let claims: Value = serde_json::from_str(&claims_text)
        .map_err(|e| Failure::Input(Error::new(ErrorKind::Malformed, format!("claims: {e}"))))?;
    let mut claims = claims
        .as_object()
        .ok_or_else(|| {
            Failure::Input(Error::new(ErrorKind::Malformed, "claims must be an object"))
        })?
        .clone();
    // a freshly allocated status index: `status.status_list` (SD-JWT VC) or a
    // revocation BitstringStatusListEntry (W3C formats)
    match (args.one("--status-store")?, args.one("--status-uri")?) {
        (Some(store), Some(uri)) => {
            let store = passerelle::open_status_store(store)?;
            let idx = passerelle::StatusListIssuer::new(store.as_ref()).allocate(uri)?;
            if format == "dc+sd-jwt" {
                claims.insert(
                    "status".into(),
                    json!({"status_list": {"idx": idx, "uri": uri}}),
                );
            } else {
                claims.insert(
                    "credentialStatus".into(),
                    json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                           "statusListIndex": idx.to_string(), "statusListCredential": uri}),
                );
            }
        }
        (None, None) => {}
        _ => return Err(usage("--status-store and --status-uri go together")),
    }
    let claims = &claims;
    let holder = match args.one("--holder-key")? {
        Some(f) => Some(public_from_any_jwk(&read_text(f)?)?),
        None => None,
    };
    let disclosable = match args.one("--sd")?.unwrap_or("all") {
        "all" => Disclosable::All,
        spec => Disclosable::Paths(parse_paths(spec)?),
    };
    let now = parse_time(args.one("--at")?)?;
    if format != "dc+sd-jwt" {
        let mut iss = VcIssuer::new(&issuer);
        if let Some(kid) = args.one("--kid")? {
            iss = iss.with_kid(kid);
        }
        if let Some(n) = args.one("--decoys")? {
            iss = iss.with_max_decoys(n.parse().map_err(|_| usage("--decoys wants a number"))?);
        }
        return Ok(if format == "ldp_vc" {
            let suite = match issuer.algorithm() {
                Algorithm::EdDsa => "eddsa-jcs-2022",
                _ => "ecdsa-jcs-2019",
            };
            let did = passerelle::did_key(issuer.public_key());
            let vm = match args.one("--kid")? {
                Some(k) => k.to_owned(),
                None => format!("{did}#{}", did.trim_start_matches("did:key:")),
            };
            iss.issue_data_integrity(claims, suite, &vm, now)?
        } else if format == "vc+jwt" {
            iss.issue_jwt(claims)?
        } else if format == "vc+cose" {
            b64url(&iss.issue_cose(claims)?)
        } else {
            iss.issue_sd_jwt(claims, &disclosable, holder.as_ref(), now)?
        });
    }
    let chain = match args.one("--x5c")? {
        Some(f) => passerelle::Certificate::from_pem(&read_text(f)?)?,
        None => Vec::new(),
    };
    let mut iss = SdJwtVcIssuer::new(&issuer).with_x5c(&chain);
    if let Some(kid) = args.one("--kid")? {
        iss = iss.with_kid(kid);
    }
    if let Some(n) = args.one("--decoys")? {
        iss = iss.with_max_decoys(n.parse().map_err(|_| usage("--decoys wants a number"))?);
    }
    Ok(iss.issue(claims, &disclosable, holder.as_ref(), now)?)
}

/// `issue --format mso_mdoc`: CLAIMS is `{namespace: {element: value}}`; the
/// docType is `--doctype`, or follows from a lone mDL or EU PID namespace.
/// Prints the IssuerSigned structure as base64url (the OpenID4VCI form).
fn issue_mdoc(args: &Args) -> Result<String, Failure> {
    let ds = PrivateKey::from_jwk(&read_text(args.required("--issuer-key")?)?)?;
    let chain = passerelle::Certificate::from_pem(&read_text(args.required("--x5c")?)?)?;
    let device = public_from_any_jwk(&read_text(args.required("--holder-key")?)?)?;
    let claims: Value = serde_json::from_str(&read_text(args.required("--claims")?)?)
        .map_err(|e| Failure::Input(Error::new(ErrorKind::Malformed, format!("claims: {e}"))))?;
    let claims = claims.as_object().ok_or_else(|| {
        Failure::Input(Error::new(ErrorKind::Malformed, "claims must be an object"))
    })?;
    let doc_type = match args.one("--doctype")? {
        Some(t) => t.to_owned(),
        None => match claims
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [passerelle::NAMESPACE_MDL] => passerelle::DOCTYPE_MDL.to_owned(),
            [passerelle::NAMESPACE_EU_PID] => passerelle::DOCTYPE_EU_PID.to_owned(),
            _ => return Err(usage(
                "--doctype is needed unless the claims hold only the mDL or the EU PID namespace",
            )),
        },
    };
    let mut iss = passerelle::MdocIssuer::new(&ds, &chain);
    if let Some(n) = args.one("--decoys")? {
        iss = iss.with_decoys(n.parse().map_err(|_| usage("--decoys wants a number"))?);
    }
    let bytes = iss.issue(&doc_type, claims, &device, parse_time(args.one("--at")?)?)?;
    Ok(b64url(&bytes))
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Bytes given as CBOR, or as base64url text of CBOR.
fn cbor_or_b64url(bytes: Vec<u8>) -> Result<Vec<u8>, Failure> {
    use base64::Engine;
    let looks_text = !bytes.is_empty()
        && bytes
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if looks_text {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&bytes)
            .map_err(|_| Failure::Input(Error::new(ErrorKind::Malformed, "not base64url")))
    } else {
        Ok(bytes)
    }
}

/// The SessionTranscript of `--transcript FILE` (CBOR bytes, or hex text) or
/// of `--openid4vp-handover RESPONSE_URI` with `--aud` as client_id and
/// `--nonce` (OpenID4VP 1.0 Annex B); `--dc-api-origin ORIGIN` with `--nonce`
/// builds the Digital Credentials API handover.
fn transcript_from_args(args: &Args) -> Result<Option<passerelle::SessionTranscript>, Failure> {
    let from_file = args.one("--transcript")?;
    let oid4vp = args.one("--openid4vp-handover")?;
    let dc_api = args.one("--dc-api-origin")?;
    match (from_file, oid4vp, dc_api) {
        (None, None, None) => Ok(None),
        (Some(f), None, None) => {
            let raw = read_input(f)?;
            let is_hex =
                !raw.is_empty() && raw.len() % 2 == 0 && raw.iter().all(u8::is_ascii_hexdigit);
            let bytes = if is_hex {
                (0..raw.len())
                    .step_by(2)
                    .map(|i| {
                        let s = std::str::from_utf8(raw.get(i..i + 2).unwrap_or_default())
                            .unwrap_or("");
                        u8::from_str_radix(s, 16).map_err(|_| usage("--transcript: bad hex"))
                    })
                    .collect::<Result<Vec<u8>, Failure>>()?
            } else {
                raw
            };
            Ok(Some(passerelle::SessionTranscript::from_cbor(&bytes)?))
        }
        (None, Some(uri), None) => Ok(Some(passerelle::SessionTranscript::openid4vp(
            args.required("--aud")?,
            args.required("--nonce")?,
            None,
            uri,
        ))),
        (None, None, Some(origin)) => Ok(Some(passerelle::SessionTranscript::openid4vp_dc_api(
            origin,
            args.required("--nonce")?,
            None,
        ))),
        _ => Err(usage(
            "give one of --transcript, --openid4vp-handover and --dc-api-origin",
        )),
    }
}

/// `present` for an mdoc: `--disclose` takes `namespace/element` items (or
/// `all`), `--dcql` takes a query whose claim paths are `[namespace, element]`.
fn present_mdoc(args: &Args, issuer_signed: &[u8]) -> Result<String, Failure> {
    let held = passerelle::HeldMdoc::parse(issuer_signed)?;
    let device = PrivateKey::from_jwk(&read_text(args.required("--holder-key")?)?)?;
    let transcript = transcript_from_args(args)?.ok_or_else(|| {
        usage("an mdoc presentation needs --openid4vp-handover, --dc-api-origin or --transcript")
    })?;
    let wanted: Vec<(String, String)> = match (args.one("--disclose")?, args.one("--dcql")?) {
        (Some("all"), None) => held.elements(),
        (Some(spec), None) => spec
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.trim()
                    .rsplit_once('/')
                    .map(|(n, e)| (n.to_owned(), e.to_owned()))
                    .ok_or_else(|| usage(format!("{item:?} is not namespace/element")))
            })
            .collect::<Result<_, _>>()?,
        (None, Some(f)) => dcql_paths(f, passerelle::DcqlCandidate::from_mdoc(&held)?)?
            .iter()
            .map(|p| match p.segments() {
                [n, e] => Ok((n.clone(), e.clone())),
                _ => Err(usage("an mdoc DCQL claim path is [namespace, element]")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(usage("give exactly one of --disclose and --dcql")),
    };
    let pairs: Vec<(&str, &str)> = wanted
        .iter()
        .map(|(n, e)| (n.as_str(), e.as_str()))
        .collect();
    let response = match args.one("--reader-key")? {
        Some(f) => held.present_with_mac(
            &pairs,
            &transcript,
            &device,
            &public_from_any_jwk(&read_text(f)?)?,
        )?,
        None => held.present(&pairs, &transcript, &device)?,
    };
    Ok(b64url(&response))
}

/// A public key from JWK text that may also hold the private part.
fn public_from_any_jwk(text: &str) -> Result<PublicKey, Failure> {
    let mut v: Value = serde_json::from_str(text)
        .map_err(|e| Failure::Input(Error::new(ErrorKind::Malformed, format!("JWK: {e}"))))?;
    if let Some(o) = v.as_object_mut() {
        o.remove("d");
    }
    Ok(PublicKey::from_jwk(&v.to_string())?)
}

fn cmd_present(args: &Args) -> Result<String, Failure> {
    args.check_known(&[
        "--credential",
        "--holder-key",
        "--disclose",
        "--dcql",
        "--nonce",
        "--aud",
        "--at",
        "--openid4vp-handover",
        "--dc-api-origin",
        "--transcript",
        "--reader-key",
    ])?;
    let raw = read_input(args.required("--credential")?)?;
    if !raw.contains(&b'~') && !raw.starts_with(b"{") {
        return present_mdoc(args, &cbor_or_b64url(raw)?);
    }
    let cred = String::from_utf8(raw).map_err(|_| {
        Failure::Input(Error::new(
            ErrorKind::Malformed,
            "the credential is not UTF-8",
        ))
    })?;
    let holder = PrivateKey::from_jwk(&read_text(args.required("--holder-key")?)?)?;
    let held = HeldSdJwt::parse(&cred)?;
    let paths = match (args.one("--disclose")?, args.one("--dcql")?) {
        (Some("all"), None) => vec![],
        (Some(spec), None) => parse_paths(spec)?,
        (None, Some(f)) => dcql_paths(f, passerelle::DcqlCandidate::from_sd_jwt(&held))?,
        _ => return Err(usage("give exactly one of --disclose and --dcql")),
    };
    let paths = if args.one("--disclose")? == Some("all") {
        held.disclosable_paths()
    } else {
        paths
    };
    let kb = KeyBinding {
        signer: &holder,
        nonce: args.required("--nonce")?,
        audience: args.required("--aud")?,
        iat: parse_time(args.one("--at")?)?,
    };
    Ok(held.present(&paths, Some(kb))?)
}

fn policy_from_file(text: &str) -> Result<Policy, Failure> {
    Policy::from_json(text).map_err(|e| usage(e.message().to_owned()))
}

/// The trust options shared by `verify`, `wallet add` and `verify-vp`.
const TRUST_OPTIONS: &[&str] = &[
    "--trust",
    "--anchor",
    "--iaca",
    "--issuer-jwk",
    "--policy",
    "--require-holder-binding",
    "--allow-legacy-typ",
    "--require-status",
    "--at",
    "--trusted-list",
    "--list-anchor",
    "--vical",
    "--vical-authority",
    "--allow-stale-lists",
];

fn trust_and_policy(args: &Args) -> Result<(TrustStore, Policy), Failure> {
    let mut trust = match args.one("--trust")? {
        Some(f) => TrustStore::from_json(&read_text(f)?, parse_time(args.one("--at")?)?)?,
        None => TrustStore::new(),
    };
    for a in args.many("--anchor") {
        trust.add_anchor_pem(&read_text(a)?)?;
    }
    for a in args.many("--iaca") {
        trust.add_iaca_pem(&read_text(a)?, None)?;
    }
    for j in args.many("--issuer-jwk") {
        trust.add_issuer_jwk(&read_text(j)?)?;
    }
    let list_opts = passerelle::ListOptions {
        allow_stale: args.flag("--allow-stale-lists"),
        ..passerelle::ListOptions::default()
    };
    let at = parse_time(args.one("--at")?)?;
    for a in args.many("--list-anchor") {
        trust.add_list_anchor_pem(&read_text(a)?)?;
    }
    for a in args.many("--vical-authority") {
        trust.add_vical_authority_pem(&read_text(a)?)?;
    }
    let lists = args
        .many("--trusted-list")
        .into_iter()
        .map(read_input)
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u8]> = lists.iter().map(Vec::as_slice).collect();
    let _ = trust.add_lists(&refs, at, &list_opts)?;
    for v in args.many("--vical") {
        let _ = trust.add_vical_anchored(&read_input(v)?, at, &list_opts)?;
    }
    let mut policy = Policy::default();
    if let Some(f) = args.one("--policy")? {
        policy = policy_from_file(&read_text(f)?)?;
    }
    if args.flag("--require-holder-binding") {
        policy = policy.require_holder_binding(true);
    }
    if args.flag("--allow-legacy-typ") {
        policy = policy.allow_legacy_typ(true);
    }
    if args.flag("--require-status") {
        policy = policy.require_status(true);
    }
    Ok((trust, policy))
}

/// The wallet store: `--store`, else `$PASSERELLE_WALLET`, else the user's
/// data directory (`$XDG_DATA_HOME/passerelle/wallet.db`, or
/// `~/.local/share/passerelle/wallet.db`). The wallet key: the environment
/// variable PASSERELLE_WALLET_KEY when set, else a 0600 key file beside the
/// store (created on first use).
fn open_wallet(args: &Args, verifier: Verifier) -> Result<passerelle::Wallet, Failure> {
    let path = match args.one("--store")? {
        Some(p) => std::path::PathBuf::from(p),
        None => match std::env::var_os("PASSERELLE_WALLET") {
            Some(p) => std::path::PathBuf::from(p),
            None => {
                let base = std::env::var_os("XDG_DATA_HOME")
                    .map(std::path::PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("HOME")
                            .map(|h| std::path::PathBuf::from(h).join(".local/share"))
                    })
                    .ok_or_else(|| usage("no --store, and no HOME to find the data directory"))?;
                let dir = base.join("passerelle");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
                dir.join("wallet.db")
            }
        },
    };
    let store = if std::env::var_os(passerelle::EnvKeyProvider::DEFAULT_VAR).is_some() {
        passerelle::CredentialStore::open(
            &path,
            &passerelle::EnvKeyProvider::new(passerelle::EnvKeyProvider::DEFAULT_VAR),
            passerelle::StoreOptions::new(),
        )?
    } else {
        passerelle::CredentialStore::open(
            &path,
            &passerelle::FileKeyProvider::beside(&path),
            passerelle::StoreOptions::new(),
        )?
    };
    Ok(passerelle::Wallet::new(store, verifier))
}

fn read_dcql(path: &str) -> Result<passerelle::DcqlQuery, Failure> {
    Ok(passerelle::DcqlQuery::parse(&read_input(path)?)?)
}

/// `wallet add | list | remove | present`.
fn cmd_wallet(args: &Args) -> Result<Value, Failure> {
    let mut known: Vec<&str> = TRUST_OPTIONS.to_vec();
    known.extend([
        "--store",
        "--holder-key",
        "--dcql",
        "--nonce",
        "--aud",
        "--openid4vp-handover",
    ]);
    args.check_known(&known)?;
    let (trust, policy) = trust_and_policy(args)?;
    let now = parse_time(args.one("--at")?)?;
    let mut wallet = open_wallet(args, Verifier::new(trust, policy))?;
    match args.positional.as_slice() {
        [sub, file] if sub == "add" => {
            let key = match args.one("--holder-key")? {
                Some(f) => Some(PrivateKey::from_jwk(&read_text(f)?)?),
                None => None,
            };
            let id = wallet.add(&read_input(file)?, key, now)?;
            match wallet.list()?.iter().find(|m| m.id == id) {
                Some(m) => Ok(m.to_json()),
                None => Ok(json!({"id": id.as_str()})),
            }
        }
        [sub] if sub == "list" => Ok(Value::Array(
            wallet
                .list()?
                .iter()
                .map(passerelle::CredentialMetadata::to_json)
                .collect(),
        )),
        [sub, id] if sub == "remove" => {
            let id = passerelle::CredentialId::parse(id)?;
            wallet.remove(&id)?;
            Ok(json!({"removed": id.as_str()}))
        }
        [sub] if sub == "present" => {
            let query = read_dcql(args.required("--dcql")?)?;
            let aud = args.required("--aud")?;
            let request = passerelle::OpenId4VpRequest {
                client_id: aud,
                nonce: args.required("--nonce")?,
                response_uri: args.one("--openid4vp-handover")?.unwrap_or(aud),
                jwk_thumbprint: None,
            };
            let p = wallet.present_dcql(&query, &request, now)?;
            if p.reused_copy {
                eprintln!("passerelle: every copy of a batch was used before: this presentation is linkable");
            }
            Ok(Value::Object(p.vp_token))
        }
        _ => Err(usage("wallet takes add FILE, list, remove ID or present")),
    }
}

/// `dcql match QUERY CREDENTIAL...`: which credentials (as issued: SD-JWT
/// text, mdoc IssuerSigned) satisfy each credential query on its own.
fn cmd_dcql(args: &Args) -> Result<Value, Failure> {
    args.check_known(&[])?;
    let (sub, rest) = args
        .positional
        .split_first()
        .ok_or_else(|| usage("dcql takes match QUERY CREDENTIAL..."))?;
    let (query, creds) = match (sub.as_str(), rest.split_first()) {
        ("match", Some((q, creds))) => (read_dcql(q)?, creds),
        _ => return Err(usage("dcql takes match QUERY CREDENTIAL...")),
    };
    let mut candidates = Vec::with_capacity(creds.len());
    for c in creds {
        let bytes = read_input(c)?;
        let text = core::str::from_utf8(&bytes).ok().map(str::trim);
        candidates.push(match text {
            Some(t) if t.contains('~') => {
                passerelle::DcqlCandidate::from_sd_jwt(&HeldSdJwt::parse(t)?)
            }
            _ => passerelle::DcqlCandidate::from_mdoc(&passerelle::HeldMdoc::parse(
                &cbor_or_b64url(bytes)?,
            )?)?,
        });
    }
    Ok(query.match_candidates(&candidates).to_json())
}

/// `verify-vp VP_TOKEN --dcql QUERY --nonce N --aud A`: every presentation
/// of the vp_token verified against the query that was sent.
fn cmd_verify_vp(args: &Args) -> Result<Value, Failure> {
    let mut known: Vec<&str> = TRUST_OPTIONS.to_vec();
    known.extend(["--dcql", "--nonce", "--aud", "--openid4vp-handover"]);
    args.check_known(&known)?;
    let [token] = args.positional.as_slice() else {
        return Err(usage("verify-vp takes exactly one VP_TOKEN"));
    };
    let query = read_dcql(args.required("--dcql")?)?;
    let (trust, policy) = trust_and_policy(args)?;
    let now = parse_time(args.one("--at")?)?;
    let aud = args.required("--aud")?;
    let request = passerelle::OpenId4VpRequest {
        client_id: aud,
        nonce: args.required("--nonce")?,
        response_uri: args.one("--openid4vp-handover")?.unwrap_or(aud),
        jwk_thumbprint: None,
    };
    let check = query.verify_vp_token(
        &Verifier::new(trust, policy),
        &read_input(token)?,
        &request,
        now,
    )?;
    let presentations: Vec<Value> = check
        .presentations()
        .iter()
        .map(|p| match p.outcome() {
            Ok(r) => {
                json!({"query": p.query_id(), "position": p.position(), "result": r.to_json()})
            }
            Err(e) => {
                json!({"query": p.query_id(), "position": p.position(), "result": error_json(e)})
            }
        })
        .collect();
    Ok(
        json!({"valid": check.satisfied(), "satisfied": check.satisfied(), "presentations": presentations}),
    )
}

fn cmd_verify(args: &Args) -> Result<Value, Failure> {
    args.check_known(&[
        "--trust",
        "--anchor",
        "--iaca",
        "--issuer-jwk",
        "--nonce",
        "--aud",
        "--at",
        "--transcript",
        "--reader-key",
        "--status-list",
        "--status-fetched-at",
        "--require-status",
        "--require-holder-binding",
        "--allow-legacy-typ",
        "--policy",
        "--openid4vp-handover",
        "--dc-api-origin",
        "--trusted-list",
        "--list-anchor",
        "--vical",
        "--vical-authority",
        "--allow-stale-lists",
    ])?;
    let [input] = args.positional.as_slice() else {
        return Err(usage("verify takes exactly one INPUT"));
    };
    let (trust, policy) = trust_and_policy(args)?;
    let at = parse_time(args.one("--at")?)?;
    let mut expect = Expectations::at(at);
    let status_files = args.many("--status-list");
    if !status_files.is_empty() {
        // the lists as fetched: matched to references by the URI they name;
        // fetched at --status-fetched-at (default: the verification time)
        let fetched_at = match args.one("--status-fetched-at")? {
            Some(t) => parse_time(Some(t))?,
            None => at,
        };
        let mut lists = passerelle::StatusLists::new();
        for f in status_files {
            let _ = lists.add(read_input(f)?, fetched_at)?;
        }
        expect = expect.status_lists(lists);
    }
    if let Some(n) = args.one("--nonce")? {
        expect = expect.nonce(n);
    }
    if let Some(a) = args.one("--aud")? {
        expect = expect.audience(a);
    }
    if let Some(t) = transcript_from_args(args)? {
        expect = expect.session_transcript(t);
    }
    if let Some(f) = args.one("--reader-key")? {
        expect = expect.reader_key(PrivateKey::from_jwk(&read_text(f)?)?);
    }
    let bytes = read_input(input)?;
    let verifier = Verifier::new(trust, policy);
    // a DeviceResponse may hold several documents: every one is verified, the
    // first is the result, and `documents` lists them all
    if let passerelle::Detected::DeviceResponse(cbor) = passerelle::detect(&bytes)? {
        let results = verifier.verify_device_response(&cbor, &expect)?;
        return Ok(passerelle::device_response_json(&results));
    }
    let result = verifier.verify(&bytes, &expect)?;
    Ok(result.to_json())
}

/// `status new | allocate | set | publish`: the issuer's status lists in a
/// store (a file path: embedded SQLite; `postgres://...`: PostgreSQL).
fn cmd_status(args: &Args) -> Result<Out, Failure> {
    args.check_known(&[
        "--uri",
        "--bits",
        "--size",
        "--store",
        "--idx",
        "--value",
        "--format",
        "--issuer-key",
        "--x5c",
        "--ttl",
        "--exp",
        "--at",
        "--iss",
        "--kid",
        "--purpose",
    ])?;
    let [sub] = args.positional.as_slice() else {
        return Err(usage("status takes one of new, allocate, set, publish"));
    };
    let uri = args.required("--uri")?;
    let store_spec = args.one("--store")?.unwrap_or("passerelle-status.db");
    let store = passerelle::open_status_store(store_spec)?;
    let issuer = passerelle::StatusListIssuer::new(store.as_ref());
    let num = |name: &str, default: u64| -> Result<u64, Failure> {
        match args.one(name)? {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| usage(format!("{name} wants a whole number"))),
        }
    };
    match sub.as_str() {
        "new" => {
            let bits =
                u8::try_from(num("--bits", 1)?).map_err(|_| usage("--bits is 1, 2, 4 or 8"))?;
            issuer.create(uri, bits, num("--size", 131_072)?)?;
            Ok(Out::Json(
                json!({"uri": uri, "bits": bits, "size": num("--size", 131_072)?}),
            ))
        }
        "allocate" => Ok(Out::Json(json!({"uri": uri, "idx": issuer.allocate(uri)?}))),
        "set" => {
            let idx = num("--idx", u64::MAX)?;
            if idx == u64::MAX {
                return Err(usage("set needs --idx"));
            }
            let value = match args.required("--value")? {
                "valid" => 0,
                "revoked" => 1,
                "suspended" => 2,
                n => n
                    .parse::<u8>()
                    .map_err(|_| usage("--value is valid, revoked, suspended or 0..255"))?,
            };
            issuer.set(uri, idx, value)?;
            Ok(Out::Json(json!({"uri": uri, "idx": idx, "value": value})))
        }
        "publish" => {
            let format = passerelle::StatusListFormat::from_name(args.required("--format")?)
                .map_err(|e| usage(e.message().to_owned()))?;
            let key = PrivateKey::from_jwk(&read_text(args.required("--issuer-key")?)?)?;
            let chain = match args.one("--x5c")? {
                Some(f) => passerelle::Certificate::from_pem(&read_text(f)?)?,
                None => Vec::new(),
            };
            let now = parse_time(args.one("--at")?)?;
            let mut opts = passerelle::PublishOptions::at(now);
            opts.chain = &chain;
            opts.ttl = args
                .one("--ttl")?
                .map(|t| t.parse())
                .transpose()
                .map_err(|_| usage("--ttl wants seconds"))?;
            opts.exp = args
                .one("--exp")?
                .map(|t| t.parse().map(UnixTime::from_secs))
                .transpose()
                .map_err(|_| usage("--exp wants UNIX seconds"))?;
            opts.issuer = args.one("--iss")?;
            opts.kid = args.one("--kid")?;
            if let Some(p) = args.one("--purpose")? {
                opts.purpose = p;
            }
            let bytes = issuer.publish(uri, format, &key, &opts)?;
            Ok(Out::Text(match format {
                passerelle::StatusListFormat::Cwt => b64url(&bytes),
                _ => String::from_utf8(bytes).map_err(|_| usage("the list is not text"))?,
            }))
        }
        other => Err(usage(format!("unknown status command {other}"))),
    }
}

/// `trust inspect FILE`: what a trust list says, after its signature is
/// checked (a VICAL against `--vical-authority`, a LoTE or TS 119 612 list
/// against `--list-anchor`).
fn cmd_trust(args: &Args) -> Result<Value, Failure> {
    args.check_known(&[
        "--list-anchor",
        "--vical-authority",
        "--at",
        "--allow-stale-lists",
    ])?;
    let [sub, file] = args.positional.as_slice() else {
        return Err(usage("trust inspect FILE"));
    };
    if sub != "inspect" {
        return Err(usage("trust inspect FILE"));
    }
    let mut anchors = String::new();
    for a in args.many("--list-anchor") {
        anchors.push_str(&read_text(a)?);
        anchors.push('\n');
    }
    let authority = match args.one("--vical-authority")? {
        Some(f) => Some(read_text(f)?),
        None => None,
    };
    let opts = passerelle::ListOptions {
        allow_stale: args.flag("--allow-stale-lists"),
        ..passerelle::ListOptions::default()
    };
    let j = passerelle::inspect_trust_list(
        &read_input(file)?,
        (!anchors.is_empty()).then_some(anchors.as_str()),
        authority.as_deref(),
        parse_time(args.one("--at")?)?,
        &opts,
    )?;
    Ok(json!({"valid": true, "list": j}))
}

fn cmd_did(args: &Args) -> Result<Value, Failure> {
    args.check_known(&["--log", "--document", "--at"])?;
    match args.positional.as_slice() {
        [sub, did] if sub == "resolve" => match (args.one("--log")?, args.one("--document")?) {
            (Some(log), None) => {
                let at = match args.one("--at")? {
                    Some(_) => Some(parse_time(args.one("--at")?)?),
                    None => None,
                };
                Ok(passerelle::resolve_did_webvh(
                    did,
                    &read_input(log)?,
                    UnixTime::now(),
                    at,
                )?)
            }
            (None, Some(doc)) => Ok(passerelle::resolve_did_web(did, &read_input(doc)?)?),
            (None, None) => Ok(passerelle::resolve_did_offline(did)?),
            _ => Err(usage("give --log or --document, not both")),
        },
        _ => Err(usage("did resolve DID")),
    }
}

fn error_json(e: &Error) -> Value {
    json!({"valid": false, "error": {"kind": e.kind().as_str(), "message": e.message()}})
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = raw.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let args = match Args::parse(rest) {
        Ok(a) => a,
        Err(Failure::Usage(Usage(m))) => {
            eprintln!("passerelle: {m}\n{USAGE}");
            return ExitCode::from(2);
        }
        Err(Failure::Input(e)) => {
            println!("{}", error_json(&e));
            return ExitCode::from(1);
        }
    };
    let res: Result<Out, Failure> = match cmd.as_str() {
        "keygen" => cmd_keygen(&args).map(Out::Json),
        "issue" => cmd_issue(&args).map(Out::Text),
        "present" => cmd_present(&args).map(Out::Text),
        "verify" => cmd_verify(&args).map(Out::Json),
        "did" => cmd_did(&args).map(Out::Json),
        "status" => cmd_status(&args),
        "wallet" => cmd_wallet(&args).map(Out::Json),
        "dcql" => cmd_dcql(&args).map(Out::Json),
        "verify-vp" => cmd_verify_vp(&args).map(Out::Json),
        "trust" => cmd_trust(&args).map(Out::Json),
        "demo" => demo::run().map(|()| Out::Text(String::new())),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(usage(format!("unknown command {other}"))),
    };
    match res {
        Ok(Out::Json(v)) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Ok(Out::Text(t)) => {
            if !t.is_empty() {
                println!("{t}");
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(Usage(m))) => {
            eprintln!("passerelle: {m}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Input(e)) => {
            println!("{}", error_json(&e));
            eprintln!("passerelle: {e}");
            ExitCode::from(1)
        }
    }
}
