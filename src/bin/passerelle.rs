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

/// One command's help: its usage, what it does, and one line per option.
/// Options shared by several commands are kept as slices so a new one is one
/// line (see [`TRUST_OPTIONS_HELP`]).
struct Help {
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    sections: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const PATHS_NOTE: (&str, &str) = (
    "PATHS",
    "`all`, comma-separated JSON Pointers (/given_name,/address/locality), or a JSON array of them; for an mdoc, namespace/element items (org.iso.18013.5.1/family_name)",
);

const KEYGEN_HELP: Help = Help {
    name: "keygen",
    usage: "passerelle keygen [--alg ES256|ES384|EdDSA] [--public FILE]",
    about: "Makes a key pair and prints the private JWK on stdout.",
    sections: &[(
        "options",
        &[
            ("--alg ALG", "ES256 (P-256, the default), ES384 (P-384) or EdDSA (Ed25519)"),
            ("--public FILE", "also write the public JWK into FILE (for --issuer-jwk, --holder-key of a credential)"),
        ],
    )],
};

const PKI_HELP: Help = Help {
    name: "pki",
    usage: "passerelle pki [--out DIR] [--issuer URI] [--country CC] [--at UNIX_SECONDS]",
    about: "Makes a test PKI (ES256) and prints JSON naming its files: an IACA and a document signer \
(EKU 1.0.18013.5.1.2) for mdoc, and an SD-JWT VC issuer CA with an issuer certificate. \
For tests only: the private keys are written as plain JWK files.",
    sections: &[
        (
            "options",
            &[
                ("--out DIR", "where to write the files (created; default ./passerelle-pki)"),
                ("--issuer URI", "the SAN URI of the SD-JWT VC issuer certificate, the credential's iss (default https://issuer.example)"),
                ("--country CC", "countryName of every certificate; an mdoc's issuing_country must equal it (default UT)"),
                ("--at UNIX_SECONDS", "validity starts an hour before this time (default: now); the CAs last 10 years, the signers 1 year"),
            ],
        ),
        (
            "files",
            &[
                ("iaca.pem, iaca.jwk", "the IACA (mdoc root): verify --anchor iaca.pem"),
                ("ds.pem, ds.jwk", "the document signer: issue --format mso_mdoc --x5c ds.pem --issuer-key ds.jwk"),
                ("issuer-ca.pem, issuer-ca.jwk", "the SD-JWT VC issuer CA (root): verify --anchor issuer-ca.pem"),
                ("issuer.pem, issuer.jwk", "the issuer certificate: issue --format dc+sd-jwt --x5c issuer.pem --issuer-key issuer.jwk"),
            ],
        ),
    ],
};

const ISSUE_HELP: Help = Help {
    name: "issue",
    usage: "passerelle issue --format FORMAT --issuer-key JWK --claims CLAIMS.json [options]",
    about: "Issues a credential and prints it (mdoc IssuerSigned and vc+cose as base64url). \
Warns on stderr when the credential is already expired.",
    sections: &[
        (
            "options",
            &[
                ("--format FORMAT", "dc+sd-jwt, mso_mdoc, vc+sd-jwt, vc+jwt, vc+cose or ldp_vc"),
                ("--issuer-key JWK", "the issuer's private JWK (for mso_mdoc, the document signer's)"),
                ("--claims CLAIMS.json", "the claims as a JSON object; for mso_mdoc {namespace: {element: value}}"),
                ("--x5c CHAIN.pem", "the issuer's certificate chain (required for mso_mdoc: the document signer)"),
                ("--holder-key JWK", "the holder's key (public or private JWK) to bind the credential to (required for mso_mdoc)"),
                ("--sd PATHS|all", "which claims are selectively disclosable (default all)"),
                ("--kid KID", "the kid header (for ldp_vc, the verification method)"),
                ("--at UNIX_SECONDS", "the issuance time (default: now)"),
                ("--decoys N", "at most N decoy digests"),
                ("--doctype DOCTYPE", "the mdoc docType (implied by a lone mDL or EU PID namespace)"),
                ("--status-store STORE", "with --status-uri: allocate a status list index in STORE and carry it"),
                ("--status-uri URI", "the status list the index is allocated in"),
            ],
        ),
        ("", &[PATHS_NOTE]),
    ],
};

const PRESENT_HELP: Help = Help {
    name: "present",
    usage: "passerelle present --credential FILE --holder-key JWK (--disclose PATHS | --dcql QUERY.json) --nonce N --aud A [options]",
    about: "Makes a presentation of an issued credential: an SD-JWT with a Key Binding JWT, or an mdoc DeviceResponse (base64url).",
    sections: &[
        (
            "options",
            &[
                ("--credential FILE", "the credential as issued (SD-JWT text, or mdoc IssuerSigned as base64url or CBOR)"),
                ("--holder-key JWK", "the holder's private JWK"),
                ("--disclose PATHS", "the claims to disclose, or all"),
                ("--dcql QUERY.json", "disclose what the first credential query the credential meets asks for"),
                ("--nonce N", "the verifier's nonce"),
                ("--aud A", "the verifier's client_id (the KB-JWT audience)"),
                ("--at UNIX_SECONDS", "the KB-JWT iat (default: now)"),
            ],
        ),
        (
            "mdoc",
            &[
                ("--openid4vp-handover URI", "build the OpenID4VP SessionTranscript with this response_uri, --aud and --nonce"),
                ("--dc-api-origin ORIGIN", "build the Digital Credentials API SessionTranscript with --nonce"),
                ("--transcript FILE", "the SessionTranscript array as CBOR bytes or hex"),
                ("--reader-key JWK", "the reader's ephemeral key: a deviceMac instead of a deviceSignature"),
            ],
        ),
        ("", &[PATHS_NOTE]),
    ],
};

/// Help for [`TRUST_OPTIONS`], shared by `verify`, `wallet add` and `verify-vp`.
const TRUST_OPTIONS_HELP: &[(&str, &str)] = &[
    (
        "--trust TRUST.json",
        "a trust file (issuer keys, anchors, registries)",
    ),
    (
        "--anchor CERT.pem",
        "trust a certificate as an anchor (repeatable; an IACA for mdoc)",
    ),
    (
        "--iaca CERT.pem",
        "trust an IACA for mdoc only (repeatable)",
    ),
    (
        "--issuer-jwk JWK",
        "trust one issuer public key, bound to its iss/kid members when present (repeatable)",
    ),
    (
        "--policy POLICY.json",
        "a policy file (holder binding, clock skew, accepted credentials, required attributes)",
    ),
    (
        "--require-holder-binding",
        "refuse a presentation without holder binding",
    ),
    (
        "--allow-legacy-typ",
        "accept the older vc+sd-jwt typ on an SD-JWT VC",
    ),
    (
        "--require-status",
        "refuse a credential whose status cannot be learned",
    ),
    ("--at UNIX_SECONDS", "the verification time (default: now)"),
    (
        "--trusted-list FILE",
        "an ETSI TS 119 602 LoTE (JWS or JSON) or TS 119 612 XML list, checked before use (repeatable)",
    ),
    (
        "--list-anchor CERT.pem",
        "trust a root for list signers only, never for credentials (repeatable)",
    ),
    (
        "--vical FILE",
        "an ISO 18013-5 VICAL: its IACAs anchor mdocs of their docTypes (repeatable)",
    ),
    (
        "--vical-authority CERT.pem",
        "trust a root for VICAL signers only (repeatable)",
    ),
    (
        "--allow-stale-lists",
        "accept a list past its next update (weaker)",
    ),
];

const TRUST_HELP: Help = Help {
    name: "trust",
    usage: "passerelle trust inspect FILE [--list-anchor CERT.pem]... [--vical-authority CERT.pem] [--at UNIX_SECONDS] [--allow-stale-lists]",
    about: "Checks a trust list's signature and prints what it says ({\"valid\": true, \"list\": ...}): \
a LoTE, a TS 119 612 XML list or a VICAL, detected.",
    sections: &[(
        "options",
        &[
            ("--list-anchor CERT.pem", "a root trusted for list signers (repeatable)"),
            ("--vical-authority CERT.pem", "the root a VICAL signer must chain to"),
            ("--at UNIX_SECONDS", "the time the list is judged at (default: now)"),
            ("--allow-stale-lists", "accept a list past its next update"),
        ],
    )],
};

const VERIFY_HELP: Help = Help {
    name: "verify",
    usage: "passerelle verify INPUT [options]",
    about: "Verifies a presentation or credential (format detected: SD-JWT, JWS, Data Integrity, COSE, mdoc DeviceResponse) \
and prints {\"valid\": true, ...} (exit 0) or {\"valid\": false, \"error\": {...}} (exit 1). INPUT may be - for standard input.",
    sections: &[
        ("trust", TRUST_OPTIONS_HELP),
        (
            "expectations",
            &[
                ("--nonce N", "the nonce the verifier sent"),
                ("--aud A", "the verifier's own identifier (the audience)"),
                ("--status-list FILE", "a status list as fetched (repeatable)"),
                ("--status-fetched-at UNIX_SECONDS", "when the lists were fetched (default: the verification time)"),
            ],
        ),
        (
            "mdoc",
            &[
                ("--transcript FILE", "the expected SessionTranscript array as CBOR bytes or hex"),
                ("--openid4vp-handover URI", "build the OpenID4VP SessionTranscript with this response_uri, --aud and --nonce"),
                ("--dc-api-origin ORIGIN", "build the Digital Credentials API SessionTranscript with --nonce"),
                ("--reader-key JWK", "the reader's ephemeral private key, to check a deviceMac"),
            ],
        ),
    ],
};

const DID_HELP: Help = Help {
    name: "did",
    usage: "passerelle did resolve DID [--log FILE | --document FILE] [--at UNIX_SECONDS]",
    about: "Resolves a DID offline and prints {\"valid\": true, \"document\": ...}: did:jwk and did:key from the identifier, \
did:web from the document the host fetched, did:webvh from its log.",
    sections: &[(
        "options",
        &[
            ("--log FILE", "the did:webvh log (did.jsonl)"),
            ("--document FILE", "the did:web document as fetched"),
            ("--at UNIX_SECONDS", "resolve the did:webvh version valid at this time"),
        ],
    )],
};

const STATUS_HELP: Help = Help {
    name: "status",
    usage: "passerelle status new|allocate|set|publish --uri URI [options]",
    about: "The issuer's status lists in a store. new: create a list; allocate: draw an index; \
set: set an entry; publish: print the signed list, as served.",
    sections: &[(
        "options",
        &[
            ("--uri URI", "the list's URI"),
            (
                "--store STORE",
                "a file path (embedded SQLite, default passerelle-status.db) or postgres://...",
            ),
            ("--bits 1|2|4|8", "new: bits per entry (default 1)"),
            ("--size N", "new: number of entries (default 131072)"),
            ("--idx N", "set: the entry"),
            ("--value V", "set: valid, revoked, suspended or 0..255"),
            (
                "--format F",
                "publish: statuslist+jwt, statuslist+cwt or bitstring",
            ),
            ("--issuer-key JWK", "publish: the signing key"),
            ("--x5c CHAIN.pem", "publish: the signer's certificate chain"),
            (
                "--ttl S",
                "publish: how long a copy may be cached, in seconds",
            ),
            ("--exp UNIX_SECONDS", "publish: when the list expires"),
            ("--iss ISSUER", "publish: the iss of the list"),
            ("--kid KID", "publish: the kid header"),
            (
                "--at UNIX_SECONDS",
                "publish: the issuance time (default: now)",
            ),
            ("--purpose P", "publish bitstring: revocation or suspension"),
        ],
    )],
};

const WALLET_HELP: Help = Help {
    name: "wallet",
    usage: "passerelle wallet add FILE | list | remove ID | present --dcql QUERY.json --nonce N --aud A [options]",
    about: "A wallet in an encrypted store. add: verify a credential, then store it (with its holder key); \
list: the stored credentials, no secrets; remove: delete one; present: answer a DCQL query with a vp_token.",
    sections: &[
        (
            "options",
            &[
                ("--store STORE", "the store (default $PASSERELLE_WALLET, else the user's data directory)"),
                ("--holder-key JWK", "add: the credential's holder key, stored encrypted"),
                ("--dcql QUERY.json", "present: the verifier's DCQL query"),
                ("--nonce N", "present: the verifier's nonce"),
                ("--aud A", "present: the verifier's client_id"),
                ("--openid4vp-handover URI", "present: the response_uri (default --aud)"),
            ],
        ),
        ("trust (add)", TRUST_OPTIONS_HELP),
    ],
};

const DCQL_HELP: Help = Help {
    name: "dcql",
    usage: "passerelle dcql match QUERY.json CREDENTIAL...",
    about: "Prints {\"satisfied\": bool, \"matches\": {query_id: [argument index of each matching CREDENTIAL]}}. \
A CREDENTIAL is as issued: SD-JWT text or mdoc IssuerSigned.",
    sections: &[],
};

const VERIFY_VP_HELP: Help = Help {
    name: "verify-vp",
    usage: "passerelle verify-vp VP_TOKEN.json --dcql QUERY.json --nonce N --aud A [options]",
    about: "Verifies every presentation of a vp_token against the DCQL query that was sent. Prints {\"valid\": true, \"satisfied\": true, \"presentations\": [...]} (exit 0), or the same with false (exit 1) when the query is not met.",
    sections: &[
        (
            "options",
            &[
                ("--dcql QUERY.json", "the query that was sent"),
                ("--nonce N", "the nonce that was sent"),
                ("--aud A", "the verifier's client_id"),
                (
                    "--openid4vp-handover URI",
                    "the response_uri, for mdoc (default --aud)",
                ),
            ],
        ),
        ("trust", TRUST_OPTIONS_HELP),
    ],
};

const DEMO_HELP: Help = Help {
    name: "demo",
    usage: "passerelle demo [--json]",
    about: "The whole journey, both sides: issue, hold, present and verify an EU PID (SD-JWT VC and mdoc) \
and a Canadian person credential, the attacks that fail, cross-border acceptance, revocation and the wallet.",
    sections: &[("options", &[("--json", "also print each verification result in full, and each refusal's message")])],
};

const COMMANDS: &[(&Help, &str)] = &[
    (&KEYGEN_HELP, "make a key pair (private JWK on stdout)"),
    (
        &PKI_HELP,
        "make a test IACA, document signer and SD-JWT VC issuer chain",
    ),
    (&ISSUE_HELP, "issue a credential"),
    (
        &PRESENT_HELP,
        "present a credential (SD-JWT + KB-JWT, mdoc DeviceResponse)",
    ),
    (&VERIFY_HELP, "verify a presentation or credential"),
    (&DID_HELP, "resolve a DID"),
    (&STATUS_HELP, "the issuer's status lists"),
    (&WALLET_HELP, "a wallet: add, list, remove, present"),
    (&DCQL_HELP, "match a DCQL query against credentials"),
    (&VERIFY_VP_HELP, "verify a vp_token against a DCQL query"),
    (&TRUST_HELP, "check a trust list and print what it says"),
    (&DEMO_HELP, "the whole journey, told"),
];

impl Help {
    fn render(&self) -> String {
        let mut s = format!("usage: {}\n\n{}\n", self.usage, self.about);
        for (title, options) in self.sections {
            if title.is_empty() {
                s.push('\n');
            } else {
                s.push_str(&format!("\n{title}:\n"));
            }
            let width = options.iter().map(|(o, _)| o.len()).max().unwrap_or(0);
            for (o, what) in *options {
                s.push_str(&format!("  {o:width$}  {what}\n"));
            }
        }
        s.push_str("\nResults on stdout, diagnostics on stderr; exit 0 success, 1 the input failed, 2 a usage error.");
        s
    }
}

fn overview() -> String {
    let mut s = format!(
        "passerelle {}: issue, hold, present and verify SD-JWT VC, mdoc and W3C VC credentials\n\nusage: passerelle COMMAND [options]   (passerelle COMMAND --help for its options)\n\ncommands:\n",
        env!("CARGO_PKG_VERSION")
    );
    for (h, what) in COMMANDS {
        s.push_str(&format!("  {:10} {what}\n", h.name));
    }
    s.push_str("\n  --help, -h     this text\n  --version, -V  the version\n\nINPUT and FILE may be `-` for standard input.");
    s
}

fn help_for(cmd: &str) -> Option<&'static Help> {
    COMMANDS.iter().map(|(h, _)| *h).find(|h| h.name == cmd)
}

/// Writes `text` and a newline on stdout. A closed stdout (`| head`, a broken
/// pipe) is not an error worth a panic: the output is dropped quietly.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// Writes a diagnostic on stderr; never panics.
fn warn(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// What a command prints.
enum Out {
    Json(Value),
    Text(String),
    /// JSON that reports a refusal (`"valid": false`): printed, exit 1.
    Refused(Value, String),
}

/// A usage error (exit 2).
struct Usage(String);

enum Failure {
    Usage(Usage),
    Input(Error),
    /// Standard output was closed (`| head`): stop quietly.
    Closed,
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
    "--json",
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
            if a == "-h" {
                opts.push(("--help".to_owned(), None));
            } else if let Some(stripped) = a.strip_prefix("--") {
                if let Some((k, v)) = stripped.split_once('=') {
                    opts.push((format!("--{k}"), Some(v.to_owned())));
                } else if SWITCHES.contains(&a.as_str()) {
                    opts.push((a.clone(), None));
                } else {
                    // a missing value is reported after the option is
                    // known to exist (check_known), so a misspelt last
                    // option reads "unknown", not "needs a value"
                    opts.push((a.clone(), it.next().cloned()));
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
        for (k, v) in &self.opts {
            if v.is_none() && !SWITCHES.contains(&k.as_str()) {
                return Err(usage(format!("{k} needs a value")));
            }
        }
        Ok(())
    }

    fn one(&self, name: &str) -> Result<Option<&str>, Failure> {
        let mut found = self.opts.iter().filter(|(k, _)| k == name);
        let first = match found.next() {
            Some((_, Some(v))) => Some(v.as_str()),
            Some((_, None)) if !SWITCHES.contains(&name) => {
                return Err(usage(format!("{name} needs a value")))
            }
            _ => None,
        };
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
    if buf.iter().all(u8::is_ascii_whitespace) {
        let name = if path == "-" { "standard input" } else { path };
        return Err(Failure::Input(Error::new(
            ErrorKind::Malformed,
            format!("{name} is empty"),
        )));
    }
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

/// The claim paths a DCQL query asks of `candidate` (the library's matcher).
fn dcql_paths(
    query_file: &str,
    candidate: passerelle::DcqlCandidate,
) -> Result<Vec<ClaimPath>, Failure> {
    Ok(read_dcql(query_file)?.claim_paths_for(&candidate)?)
}

fn cmd_keygen(args: &Args) -> Result<Value, Failure> {
    args.check_known(&["--alg", "--public"])?;
    if !args.positional.is_empty() {
        return Err(usage("keygen takes no arguments"));
    }
    let alg = match args.one("--alg")?.unwrap_or("ES256") {
        "ES256" => Algorithm::Es256,
        "ES384" => Algorithm::Es384,
        "EdDSA" => Algorithm::EdDsa,
        other => {
            return Err(usage(format!(
                "unknown --alg {other} (ES256, ES384 or EdDSA)"
            )))
        }
    };
    let key = PrivateKey::generate(alg)?;
    if let Some(f) = args.one("--public")? {
        write_file(f, &key.public_key().to_jwk(), false)?;
    }
    let jwk: Value = serde_json::from_str(&key.to_jwk()).map_err(|e| usage(e.to_string()))?;
    Ok(jwk)
}

/// Writes `text` (and a newline) into `path`; a secret is made readable by
/// its owner only (on Unix).
fn write_file(path: &str, text: &str, secret: bool) -> Result<(), Failure> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    o.open(path)
        .and_then(|mut f| writeln!(f, "{text}"))
        .map_err(|e| usage(format!("cannot write {path}: {e}")))
}

/// `pki`: a test PKI for harnesses (see [`PKI_HELP`]).
fn cmd_pki(args: &Args) -> Result<Value, Failure> {
    use passerelle::CertificateBuilder;
    args.check_known(&["--out", "--issuer", "--country", "--at"])?;
    if !args.positional.is_empty() {
        return Err(usage("pki takes no arguments"));
    }
    let dir = std::path::PathBuf::from(args.one("--out")?.unwrap_or("passerelle-pki"));
    let iss = args.one("--issuer")?.unwrap_or("https://issuer.example");
    let country = args.one("--country")?.unwrap_or("UT");
    if country.len() != 2 || !country.bytes().all(|c| c.is_ascii_uppercase()) {
        return Err(usage(format!(
            "--country wants two capital letters, not {country:?}"
        )));
    }
    let now = parse_time(args.one("--at")?)?;
    let year = 365 * 24 * 3600;
    let from = UnixTime::from_secs(now.as_secs().saturating_sub(3600));
    let until = |years: u64| UnixTime::from_secs(now.as_secs().saturating_add(years * year));
    std::fs::create_dir_all(&dir)
        .map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let org = "passerelle test PKI";

    let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
    let iaca = CertificateBuilder::new("passerelle test IACA")
        .organization(org)
        .country(country)
        .validity(from, until(10))
        .ca(Some(0))
        .self_signed(&iaca_key)?;
    let ds_key = PrivateKey::generate(Algorithm::Es256)?;
    let ds = CertificateBuilder::new("passerelle test document signer")
        .organization(org)
        .country(country)
        .validity(from, until(1))
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .issued_by(&iaca, &iaca_key, ds_key.public_key())?;
    let ca_key = PrivateKey::generate(Algorithm::Es256)?;
    let ca = CertificateBuilder::new("passerelle test issuer CA")
        .organization(org)
        .country(country)
        .validity(from, until(10))
        .ca(Some(0))
        .self_signed(&ca_key)?;
    let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
    let mut issuer = CertificateBuilder::new("passerelle test issuer")
        .organization(org)
        .country(country)
        .validity(from, until(1))
        .end_entity()
        .uri(iss);
    if let Some(host) = iss
        .strip_prefix("https://")
        .and_then(|r| r.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
    {
        issuer = issuer.dns_name(host);
    }
    let issuer = issuer.issued_by(&ca, &ca_key, issuer_key.public_key())?;

    for (name, text, secret) in [
        ("iaca.pem", iaca.to_pem(), false),
        ("iaca.jwk", iaca_key.to_jwk().to_string(), true),
        ("ds.pem", ds.to_pem(), false),
        ("ds.jwk", ds_key.to_jwk().to_string(), true),
        ("issuer-ca.pem", ca.to_pem(), false),
        ("issuer-ca.jwk", ca_key.to_jwk().to_string(), true),
        ("issuer.pem", issuer.to_pem(), false),
        ("issuer.jwk", issuer_key.to_jwk().to_string(), true),
    ] {
        write_file(&path(name), text.trim_end(), secret)?;
    }
    Ok(json!({
        "dir": dir.to_string_lossy(),
        "mdoc": {
            "iaca": path("iaca.pem"),
            "iaca_key": path("iaca.jwk"),
            "document_signer": path("ds.pem"),
            "document_signer_key": path("ds.jwk"),
            "country": country,
        },
        "sd_jwt_vc": {
            "anchor": path("issuer-ca.pem"),
            "anchor_key": path("issuer-ca.jwk"),
            "x5c": path("issuer.pem"),
            "issuer_key": path("issuer.jwk"),
            "iss": iss,
        },
        "not_before": from.as_secs(),
        "not_after": until(1).as_secs(),
    }))
}

/// `issue`, then a warning on stderr when what was issued is already
/// expired at the issuance time (the library's own validity check, with the
/// issuer's key trusted; an mdoc's MSO validity starts at issuance).
fn cmd_issue(args: &Args) -> Result<String, Failure> {
    let issued = issue_credential(args)?;
    if args.one("--format")? != Some("mso_mdoc") {
        let key = PrivateKey::from_jwk(&read_text(args.required("--issuer-key")?)?)?;
        let now = parse_time(args.one("--at")?)?;
        let mut trust = TrustStore::new();
        trust.add_issuer_key(key.public_key().clone(), None, None);
        if let Err(e) = Verifier::new(trust, Policy::default())
            .verify(issued.as_bytes(), &Expectations::at(now))
        {
            if e.kind() == ErrorKind::Expired {
                warn(&format!(
                    "passerelle issue: warning: the credential is already expired ({})",
                    e.message()
                ));
            }
        }
    }
    Ok(issued)
}

fn issue_credential(args: &Args) -> Result<String, Failure> {
    if !args.positional.is_empty() {
        return Err(usage(
            "issue takes no arguments; the claims go in --claims FILE",
        ));
    }
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
            let (member, value) = passerelle::StatusListIssuer::status_claim(format, uri, idx)?;
            claims.insert(member.into(), value);
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
    if args.one("--status-store")?.is_some() || args.one("--status-uri")?.is_some() {
        return Err(usage(
            "--status-store and --status-uri are not supported for mso_mdoc yet",
        ));
    }
    let ds = PrivateKey::from_jwk(&read_text(args.required("--issuer-key")?)?)?;
    let chain = passerelle::Certificate::from_pem(&read_text(args.required("--x5c")?)?)?;
    let device = public_from_any_jwk(&read_text(args.required("--holder-key")?)?)?;
    let claims: Value = serde_json::from_str(&read_text(args.required("--claims")?)?)
        .map_err(|e| Failure::Input(Error::new(ErrorKind::Malformed, format!("claims: {e}"))))?;
    let claims = claims.as_object().ok_or_else(|| {
        Failure::Input(Error::new(ErrorKind::Malformed, "claims must be an object"))
    })?;
    let doc_type = match args.one("--doctype")? {
        Some(t) => t,
        None => passerelle::MdocIssuer::implied_doc_type(claims).ok_or_else(|| {
            usage("--doctype is needed unless the claims hold only the mDL or the EU PID namespace")
        })?,
    };
    let mut iss = passerelle::MdocIssuer::new(&ds, &chain);
    if let Some(n) = args.one("--decoys")? {
        iss = iss.with_decoys(n.parse().map_err(|_| usage("--decoys wants a number"))?);
    }
    let bytes = iss.issue(doc_type, claims, &device, parse_time(args.one("--at")?)?)?;
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
    Ok(PublicKey::from_public_or_private_jwk(text)?)
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
                warn("passerelle: every copy of a batch was used before: this presentation is linkable");
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
fn cmd_verify_vp(args: &Args) -> Result<Out, Failure> {
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
    let out = json!({"valid": check.satisfied(), "satisfied": check.satisfied(), "presentations": presentations});
    // like verify: "valid": false exits 1, so a harness that reads only the
    // exit code never takes a refused vp_token for an accepted one
    Ok(if check.satisfied() {
        Out::Json(out)
    } else {
        Out::Refused(out, "the vp_token does not satisfy the query".to_owned())
    })
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
        let results = verifier
            .verify_device_response(&cbor, &expect)
            .map_err(|e| issuer_signed_hint(e, &cbor))?;
        return Ok(passerelle::device_response_json(&results));
    }
    let result = verifier.verify(&bytes, &expect)?;
    Ok(result.to_json())
}

/// An mdoc credential as issued (IssuerSigned) given where a presentation
/// is expected: the error says how to make one.
fn issuer_signed_hint(e: Error, cbor: &[u8]) -> Error {
    if passerelle::HeldMdoc::parse(cbor).is_ok() {
        Error::new(
            e.kind(),
            format!(
                "{}; make a DeviceResponse with `passerelle present --credential FILE --holder-key JWK --disclose PATHS ...`",
                e.message()
            ),
        )
    } else {
        e
    }
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
            if matches!(format, passerelle::StatusListFormat::Bitstring) && opts.issuer.is_none() {
                return Err(usage(
                    "--iss is required for --format bitstring (the list credential's issuer)",
                ));
            }
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
                Ok(
                    passerelle::resolve_did_webvh(did, &read_input(log)?, UnixTime::now(), at)?
                        .to_json(),
                )
            }
            (None, Some(doc)) => Ok(passerelle::resolve_did_web(did, &read_input(doc)?)?.to_json()),
            (None, None) => Ok(passerelle::resolve_did_offline(did)?.to_json()),
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
        warn("passerelle: no command given (see passerelle --help)");
        return ExitCode::from(2);
    };
    match cmd.as_str() {
        "--help" | "-h" => {
            emit(&overview());
            return ExitCode::SUCCESS;
        }
        "help" => {
            match rest.first().map(String::as_str) {
                None => emit(&overview()),
                Some(c) => match help_for(c) {
                    Some(h) => emit(&h.render()),
                    None => {
                        warn(&format!(
                            "passerelle help: unknown command {c} (see passerelle --help)"
                        ));
                        return ExitCode::from(2);
                    }
                },
            }
            return ExitCode::SUCCESS;
        }
        "--version" | "-V" => {
            emit(&format!("passerelle {}", env!("CARGO_PKG_VERSION")));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let Some(help) = help_for(cmd) else {
        warn(&format!(
            "passerelle: unknown command {cmd} (see passerelle --help)"
        ));
        return ExitCode::from(2);
    };
    let res = Args::parse(rest).and_then(|args| {
        if args.flag("--help") {
            emit(&help.render());
            return Ok(Out::Text(String::new()));
        }
        match cmd.as_str() {
            "keygen" => cmd_keygen(&args).map(Out::Json),
            "pki" => cmd_pki(&args).map(Out::Json),
            "issue" => cmd_issue(&args).map(Out::Text),
            "present" => cmd_present(&args).map(Out::Text),
            "verify" => cmd_verify(&args).map(Out::Json),
            "did" => cmd_did(&args).map(Out::Json),
            "status" => cmd_status(&args),
            "wallet" => cmd_wallet(&args).map(Out::Json),
            "dcql" => cmd_dcql(&args).map(Out::Json),
            "verify-vp" => cmd_verify_vp(&args),
            "trust" => cmd_trust(&args).map(Out::Json),
            "demo" => {
                args.check_known(&["--json"])?;
                if !args.positional.is_empty() {
                    return Err(usage("demo takes no arguments"));
                }
                demo::run(args.flag("--json")).map(|()| Out::Text(String::new()))
            }
            other => Err(usage(format!("unknown command {other}"))),
        }
    });
    match res {
        Ok(Out::Json(v)) => {
            emit(&v.to_string());
            ExitCode::SUCCESS
        }
        Ok(Out::Text(t)) => {
            if !t.is_empty() {
                emit(&t);
            }
            ExitCode::SUCCESS
        }
        Ok(Out::Refused(v, why)) => {
            emit(&v.to_string());
            warn(&format!("passerelle {cmd}: {why}"));
            ExitCode::from(1)
        }
        Err(Failure::Usage(Usage(m))) => {
            warn(&format!(
                "passerelle {cmd}: {m} (see passerelle {cmd} --help)"
            ));
            ExitCode::from(2)
        }
        Err(Failure::Input(e)) => {
            emit(&error_json(&e).to_string());
            warn(&format!("passerelle {cmd}: {e}"));
            ExitCode::from(1)
        }
        Err(Failure::Closed) => ExitCode::SUCCESS,
    }
}
