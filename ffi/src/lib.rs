//! The C ABI of passerelle (`passerelle.h`), for mobile wallet and verifier apps.
//!
//! Conventions (also in `ffi/README.md`):
//! - every fallible function returns a [`passerelle_result`]; outputs are
//!   written only on `PASSERELLE_OK`; the failure's message is this thread's
//!   last error (`passerelle_last_error`), valid until the next call on it;
//! - handles are `uint64_t` values from a type-tagged registry, never
//!   pointers: 0 is `PASSERELLE_NULL_PARAMETER`, a freed or foreign handle is
//!   `PASSERELLE_INVALID_HANDLE` (double free included), ids are never reused;
//! - strings in are NUL-terminated UTF-8, bytes in are `(ptr, len)`; strings
//!   out are library-owned, released only with `passerelle_string_free`;
//! - every entry point runs inside `catch_unwind`; the crate refuses to build
//!   with `panic = "abort"` (below), and a Rust test drives a panicking
//!   callback through the boundary and expects `PASSERELLE_PANIC`.
#![allow(non_camel_case_types)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[cfg(panic = "abort")]
compile_error!(
    "passerelle-ffi must be built with panic = \"unwind\": its panic boundary relies on it"
);

mod callback;
mod error;
mod ptr;

pub use callback::{passerelle_key_agreement_callback, passerelle_sign_callback};
pub use error::passerelle_result;

use callback::{FfiKeyAgreement, FfiSigner, SigFormat};
use core::ffi::{c_char, c_void};
use error::{boundary, Code, Fail, FfiResult};
use passerelle::{
    ClaimPath, Disclosable, Expectations, HeldMdoc, HeldSdJwt, KeyBinding, Policy, PrivateKey,
    PublicKey, SessionTranscript, TrustStore, UnixTime, Verifier,
};
use ptr::Object;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A verifier: trust and policy, immutable. Shareable across threads.
pub type passerelle_verifier = u64;
/// A signer (a callback into secure hardware, or a software key). Shareable
/// across threads when its callback and `user_data` are.
pub type passerelle_signer = u64;
/// A key-agreement key for mdoc `deviceMac` (a callback). Same threading rules as a signer.
pub type passerelle_key_agreement = u64;

/// The ABI version: bumped only by an incompatible change (see ffi/README.md).
pub const PASSERELLE_ABI_VERSION: u32 = 1;
/// The library version (major).
pub const PASSERELLE_VERSION_MAJOR: u32 = 0;
/// The library version (minor).
pub const PASSERELLE_VERSION_MINOR: u32 = 1;
/// The library version (patch).
pub const PASSERELLE_VERSION_PATCH: u32 = 0;
/// Inputs longer than this many bytes are `PASSERELLE_LIMIT_EXCEEDED`.
pub const PASSERELLE_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// ECDSA P-256 with SHA-256.
pub const PASSERELLE_ALG_ES256: u32 = 1;
/// ECDSA P-384 with SHA-384.
pub const PASSERELLE_ALG_ES384: u32 = 2;
/// Ed25519.
pub const PASSERELLE_ALG_EDDSA: u32 = 3;
/// The signer callback returns `r || s` (fixed length).
pub const PASSERELLE_SIGNATURE_RAW: u32 = 0;
/// The signer callback returns ASN.1 DER (as iOS and Android key stores do).
pub const PASSERELLE_SIGNATURE_DER: u32 = 1;

fn misuse(msg: impl Into<String>) -> Fail {
    Fail::new(Code::PASSERELLE_API_MISUSE, msg)
}

fn malformed(msg: impl Into<String>) -> Fail {
    Fail::new(Code::PASSERELLE_MALFORMED, msg)
}

fn json_object(text: &str, what: &str) -> FfiResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(malformed(format!("{what} must be a JSON object"))),
        Err(e) => Err(malformed(format!("{what}: {e}"))),
    }
}

fn opt_json_object(text: Option<&str>, what: &str) -> FfiResult<Map<String, Value>> {
    text.map_or_else(|| Ok(Map::new()), |t| json_object(t, what))
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// CBOR bytes, or base64url text of them (as the CLI reads them).
fn cbor_or_b64url(bytes: &[u8]) -> FfiResult<Vec<u8>> {
    use base64::Engine;
    let text = !bytes.is_empty()
        && bytes
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if text {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(bytes)
            .map_err(|_| malformed("not base64url"))
    } else {
        Ok(bytes.to_vec())
    }
}

/// A public key from JWK text that may also hold the private part.
fn public_from_any_jwk(text: &str) -> FfiResult<PublicKey> {
    let mut o = json_object(text, "JWK")?;
    o.remove("d");
    Ok(PublicKey::from_jwk(&Value::Object(o).to_string())?)
}

fn public_from_value(v: &Value, what: &str) -> FfiResult<PublicKey> {
    match v {
        Value::Object(_) => public_from_any_jwk(&v.to_string()),
        Value::String(s) => public_from_any_jwk(s),
        _ => Err(malformed(format!("{what} must be a JWK"))),
    }
}

// ---- version, errors, strings -------------------------------------------------

/// The library version as static text, e.g. `"passerelle-ffi 0.1.0 (ABI 1)"`. Never freed.
#[no_mangle]
pub extern "C" fn passerelle_version() -> *const c_char {
    c"passerelle-ffi 0.1.0 (ABI 1)".as_ptr()
}

/// The ABI version of the loaded library (compare with `PASSERELLE_ABI_VERSION`).
#[no_mangle]
pub extern "C" fn passerelle_abi_version() -> u32 {
    PASSERELLE_ABI_VERSION
}

/// The name of the group of `code` ("ok", "malformed", ..., "invalid_handle",
/// "panic", or "unknown"), static text never freed.
#[no_mangle]
pub extern "C" fn passerelle_result_kind(code: u32) -> *const c_char {
    error::kind_name(code).as_ptr()
}

/// This thread's last error message ("" after a success). The pointer is
/// valid until the next passerelle call on this thread other than
/// `passerelle_last_error*`; do not free it. Other threads have their own.
#[no_mangle]
pub extern "C" fn passerelle_last_error() -> *const c_char {
    error::last_message_ptr()
}

/// This thread's last result code (`PASSERELLE_OK` after a success).
#[no_mangle]
pub extern "C" fn passerelle_last_error_code() -> u32 {
    error::last_code()
}

/// Copies this thread's last error message, NUL included, into `buf` (`len`
/// bytes). `*needed` always receives the length needed (with the NUL); a
/// smaller buffer is `PASSERELLE_BUFFER_TOO_SMALL` and is left untouched.
#[no_mangle]
pub extern "C" fn passerelle_last_error_copy(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> passerelle_result {
    ptr::copy_out(&error::last_message_bytes(), buf, len, needed)
}

/// Releases a string the library returned. NULL is ignored. Passing anything
/// else (a string from `malloc`, one already freed) is undefined behaviour;
/// never release a library string with `free()`.
#[no_mangle]
pub extern "C" fn passerelle_string_free(s: *mut c_char) {
    let _ = std::panic::catch_unwind(|| ptr::free_string(s));
}

// ---- verifier -------------------------------------------------------------------

/// Makes a verifier from a trust file (the CLI's `--trust` JSON: issuers,
/// anchors, iacas, dids, registries, did_documents, did_logs) and a policy
/// (the CLI's `--policy` JSON; NULL for the default policy). `now` (Unix
/// seconds) is when did:webvh logs are first checked. Free with
/// `passerelle_verifier_free`.
#[no_mangle]
pub extern "C" fn passerelle_verifier_new(
    trust_json: *const c_char,
    policy_json: *const c_char,
    now: u64,
    out: *mut passerelle_verifier,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(out, "out")?;
        let trust = ptr::c_str(trust_json, "trust_json")?;
        let policy = ptr::opt_c_str(policy_json, "policy_json")?;
        let trust = TrustStore::from_json(trust, UnixTime::from_secs(now))?;
        let policy = match policy {
            Some(p) => Policy::from_json(p)?,
            None => Policy::default(),
        };
        let v = Verifier::new(trust, policy);
        out.write(ptr::insert(Object::Verifier(Arc::new(v))));
        Ok(())
    })
}

/// Frees a verifier. A second free, or a handle of another type, is
/// `PASSERELLE_INVALID_HANDLE`. A verification running on another thread
/// finishes normally.
#[no_mangle]
pub extern "C" fn passerelle_verifier_free(verifier: passerelle_verifier) -> passerelle_result {
    boundary(|| ptr::remove(verifier, "verifier", |o| matches!(o, Object::Verifier(_))))
}

/// Verifies a presentation (`input`, `input_len` bytes: an SD-JWT, a
/// `vc+jwt`, a `vc+cose`, a Data Integrity VC, or an mdoc DeviceResponse as
/// CBOR or base64url) at time `at` (Unix seconds). Optional expectations
/// (NULL, or `(NULL, 0)`, when absent): `nonce` and `audience` for the KB-JWT;
/// `transcript` the mdoc SessionTranscript as CBOR; `reader_key_jwk` the
/// reader's private JWK to check a `deviceMac`. On success `*result_json` is the
/// CLI's `{"valid": true, ...}` result (for a DeviceResponse with several
/// documents, the CLI's combined shape); on failure the code is the kind.
#[no_mangle]
pub extern "C" fn passerelle_verify(
    verifier: passerelle_verifier,
    input: *const u8,
    input_len: usize,
    at: u64,
    nonce: *const c_char,
    audience: *const c_char,
    transcript: *const u8,
    transcript_len: usize,
    reader_key_jwk: *const c_char,
    result_json: *mut *mut c_char,
) -> passerelle_result {
    passerelle_verify_with_status(
        verifier,
        input,
        input_len,
        at,
        nonce,
        audience,
        transcript,
        transcript_len,
        reader_key_jwk,
        core::ptr::null(),
        0,
        at,
        result_json,
    )
}

/// A byte string input: `data` valid for `len` bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct passerelle_bytes {
    /// The bytes.
    pub data: *const u8,
    /// Their length.
    pub len: usize,
}

/// Most status lists one verification takes.
pub const PASSERELLE_MAX_STATUS_LISTS: usize = 64;

/// `passerelle_verify`, with the status lists the app fetched:
/// `status_lists[0..status_list_count]` (each a Token Status List JWT or CWT,
/// an identifier list, or a W3C `BitstringStatusListCredential`, as served),
/// matched to the credential's reference by the URI each names, fetched at
/// `fetched_at` (Unix seconds; a list's `ttl` counts from then). With lists,
/// a revoked credential fails with `PASSERELLE_REVOKED`, a suspended one with
/// `PASSERELLE_SUSPENDED`, and the result's `status` is `valid` (or what the
/// verifier's policy accepts: `undetermined`, `application_specific`).
/// `(NULL, 0)`: no lists, as `passerelle_verify`.
#[no_mangle]
pub extern "C" fn passerelle_verify_with_status(
    verifier: passerelle_verifier,
    input: *const u8,
    input_len: usize,
    at: u64,
    nonce: *const c_char,
    audience: *const c_char,
    transcript: *const u8,
    transcript_len: usize,
    reader_key_jwk: *const c_char,
    status_lists: *const passerelle_bytes,
    status_list_count: usize,
    fetched_at: u64,
    result_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(result_json, "result_json")?;
        let v = ptr::verifier(verifier)?;
        let input = ptr::bytes(input, input_len, "input")?;
        let mut expect = Expectations::at(UnixTime::from_secs(at));
        let lists = ptr::array(
            status_lists,
            status_list_count,
            PASSERELLE_MAX_STATUS_LISTS,
            "status_lists",
        )?;
        if !lists.is_empty() {
            let mut source = passerelle::StatusLists::new();
            for l in lists {
                let bytes = ptr::bytes(l.data, l.len, "status_lists[i]")?;
                let _ = source.add(bytes.to_vec(), UnixTime::from_secs(fetched_at))?;
            }
            expect = expect.status_lists(source);
        }
        if let Some(n) = ptr::opt_c_str(nonce, "nonce")? {
            expect = expect.nonce(n);
        }
        if let Some(a) = ptr::opt_c_str(audience, "audience")? {
            expect = expect.audience(a);
        }
        if let Some(t) = ptr::opt_bytes(transcript, transcript_len, "transcript")? {
            expect = expect.session_transcript(SessionTranscript::from_cbor(t)?);
        }
        if let Some(k) = ptr::opt_c_str(reader_key_jwk, "reader_key_jwk")? {
            expect = expect.reader_key(PrivateKey::from_jwk(k)?);
        }
        // the library's detection, as the CLI: a DeviceResponse may hold
        // several documents
        let json = match passerelle::detect(input)? {
            passerelle::Detected::DeviceResponse(cbor) => {
                passerelle::device_response_json(&v.verify_device_response(&cbor, &expect)?)
            }
            _ => v.verify(input, &expect)?.to_json(),
        };
        ptr::write_string(out, json.to_string())
    })
}

// ---- signers and key agreement --------------------------------------------------

fn new_callback_signer(
    alg: u32,
    format: u32,
    public_jwk: *const c_char,
    callback: passerelle_sign_callback,
    user_data: *mut c_void,
) -> FfiResult<FfiSigner> {
    let f =
        callback.ok_or_else(|| Fail::new(Code::PASSERELLE_NULL_PARAMETER, "callback is NULL"))?;
    let public = public_from_any_jwk(ptr::c_str(public_jwk, "public_jwk")?)?;
    let alg = callback::algorithm(alg).ok_or_else(|| misuse(format!("unknown algorithm {alg}")))?;
    if !callback::fits(alg, public.curve()) {
        return Err(misuse(format!(
            "{} cannot sign with a {} key",
            alg.jose_name(),
            public.curve().name()
        )));
    }
    let format = match (format, alg) {
        (PASSERELLE_SIGNATURE_RAW, _) => SigFormat::Raw,
        (PASSERELLE_SIGNATURE_DER, passerelle::Algorithm::EdDsa) => {
            return Err(misuse("Ed25519 signatures have no DER form"))
        }
        (PASSERELLE_SIGNATURE_DER, _) => SigFormat::Der,
        (other, _) => return Err(misuse(format!("unknown signature format {other}"))),
    };
    Ok(FfiSigner::Callback {
        alg,
        format,
        public,
        cb: callback::Callback { f, user_data },
    })
}

/// Makes a signer whose private key stays with the app: `callback` signs,
/// `user_data` is handed back to it untouched (it may be NULL; the library
/// never dereferences it). `alg` is a `PASSERELLE_ALG_*`, `format` says what the
/// callback returns (`PASSERELLE_SIGNATURE_RAW` or `_DER`; the library converts
/// DER exactly once, and checks every signature against `public_jwk` before
/// using it). The callback may run on any thread that uses the handle, and
/// concurrently when threads share it. Free with `passerelle_signer_free`;
/// `user_data` is yours to release after that.
#[no_mangle]
pub extern "C" fn passerelle_signer_new(
    alg: u32,
    format: u32,
    public_jwk: *const c_char,
    callback: passerelle_sign_callback,
    user_data: *mut c_void,
    out: *mut passerelle_signer,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(out, "out")?;
        let s = new_callback_signer(alg, format, public_jwk, callback, user_data)?;
        out.write(ptr::insert(Object::Signer(Arc::new(s))));
        Ok(())
    })
}

/// Makes a signer from a private JWK held in this process (issuance
/// services, tests). The key is zeroized when the handle is freed.
#[no_mangle]
pub extern "C" fn passerelle_signer_from_jwk(
    private_jwk: *const c_char,
    out: *mut passerelle_signer,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(out, "out")?;
        let key = PrivateKey::from_jwk(ptr::c_str(private_jwk, "private_jwk")?)?;
        out.write(ptr::insert(Object::Signer(Arc::new(FfiSigner::Software(
            Box::new(key),
        )))));
        Ok(())
    })
}

/// Frees a signer (double free and foreign handles: `PASSERELLE_INVALID_HANDLE`).
#[no_mangle]
pub extern "C" fn passerelle_signer_free(signer: passerelle_signer) -> passerelle_result {
    boundary(|| ptr::remove(signer, "signer", |o| matches!(o, Object::Signer(_))))
}

/// Makes a key-agreement key (the mdoc device key, for `deviceMac`) whose
/// private half stays with the app: `callback` computes ECDH with a peer key.
/// `public_jwk` is the device key's public JWK (P-256 or P-384).
#[no_mangle]
pub extern "C" fn passerelle_key_agreement_new(
    public_jwk: *const c_char,
    callback: passerelle_key_agreement_callback,
    user_data: *mut c_void,
    out: *mut passerelle_key_agreement,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(out, "out")?;
        let f = callback
            .ok_or_else(|| Fail::new(Code::PASSERELLE_NULL_PARAMETER, "callback is NULL"))?;
        let public = public_from_any_jwk(ptr::c_str(public_jwk, "public_jwk")?)?;
        if public.curve() == passerelle::Curve::Ed25519 {
            return Err(misuse("key agreement needs a P-256 or P-384 key"));
        }
        let ka = FfiKeyAgreement {
            public,
            cb: callback::Callback { f, user_data },
        };
        out.write(ptr::insert(Object::KeyAgreement(Arc::new(ka))));
        Ok(())
    })
}

/// Frees a key-agreement handle.
#[no_mangle]
pub extern "C" fn passerelle_key_agreement_free(
    key_agreement: passerelle_key_agreement,
) -> passerelle_result {
    boundary(|| {
        ptr::remove(key_agreement, "key agreement", |o| {
            matches!(o, Object::KeyAgreement(_))
        })
    })
}

// ---- issuers ----------------------------------------------------------------------

fn disclosable(v: Option<&Value>) -> FfiResult<Disclosable> {
    match v {
        None => Ok(Disclosable::All),
        Some(Value::String(s)) if s == "all" => Ok(Disclosable::All),
        Some(v) => Ok(Disclosable::Paths(paths(v)?)),
    }
}

fn paths(v: &Value) -> FfiResult<Vec<ClaimPath>> {
    let list = v
        .as_array()
        .ok_or_else(|| malformed("paths are \"all\" or an array of JSON Pointers"))?;
    list.iter()
        .map(|p| {
            let p = p
                .as_str()
                .ok_or_else(|| malformed("a path is a JSON Pointer string"))?;
            Ok(ClaimPath::parse(p)?)
        })
        .collect()
}

fn opt_str<'a>(o: &'a Map<String, Value>, k: &str) -> FfiResult<Option<&'a str>> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("options: {k} must be a string"))),
    }
}

fn opt_usize(o: &Map<String, Value>, k: &str) -> FfiResult<Option<usize>> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| malformed(format!("options: {k} must be a non-negative integer"))),
    }
}

fn check_options(o: &Map<String, Value>, known: &[&str]) -> FfiResult<()> {
    match o.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(misuse(format!("options: unknown member {k:?}"))),
        None => Ok(()),
    }
}

/// Issues an SD-JWT VC (`dc+sd-jwt`) over `claims_json` (an object with `iss`
/// and `vct`), signed by `signer`, at `now`. `options_json` (NULL for none):
/// `{"holder_key": JWK, "sd": "all" | [JSON Pointer, ...], "kid": text,
/// "x5c": PEM chain, "decoys": n}`. `*credential` receives the SD-JWT.
#[no_mangle]
pub extern "C" fn passerelle_issue_sd_jwt_vc(
    signer: passerelle_signer,
    claims_json: *const c_char,
    options_json: *const c_char,
    now: u64,
    credential: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(credential, "credential")?;
        let s = ptr::signer(signer)?;
        let claims = json_object(ptr::c_str(claims_json, "claims_json")?, "claims_json")?;
        let o = opt_json_object(
            ptr::opt_c_str(options_json, "options_json")?,
            "options_json",
        )?;
        check_options(&o, &["holder_key", "sd", "kid", "x5c", "decoys"])?;
        let holder = o
            .get("holder_key")
            .map(|v| public_from_value(v, "holder_key"))
            .transpose()?;
        let chain = match opt_str(&o, "x5c")? {
            Some(pem) => passerelle::Certificate::from_pem(pem)?,
            None => Vec::new(),
        };
        let mut iss = passerelle::SdJwtVcIssuer::new(s.as_ref()).with_x5c(&chain);
        if let Some(kid) = opt_str(&o, "kid")? {
            iss = iss.with_kid(kid);
        }
        if let Some(n) = opt_usize(&o, "decoys")? {
            iss = iss.with_max_decoys(n);
        }
        let sd = iss.issue(
            &claims,
            &disclosable(o.get("sd"))?,
            holder.as_ref(),
            UnixTime::from_secs(now),
        )?;
        ptr::write_string(out, sd)
    })
}

/// Issues a W3C VCDM 2.0 credential (`claims_json`) as `format` `"vc+sd-jwt"`
/// or `"vc+jwt"`, signed by `signer`, at `now`. `options_json` (NULL for none):
/// `{"holder_key": JWK, "sd": ..., "kid": text, "decoys": n}` (`holder_key`
/// and `sd` for `vc+sd-jwt` only).
#[no_mangle]
pub extern "C" fn passerelle_issue_vc(
    signer: passerelle_signer,
    format: *const c_char,
    claims_json: *const c_char,
    options_json: *const c_char,
    now: u64,
    credential: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(credential, "credential")?;
        let s = ptr::signer(signer)?;
        let format = ptr::c_str(format, "format")?;
        let claims = json_object(ptr::c_str(claims_json, "claims_json")?, "claims_json")?;
        let o = opt_json_object(
            ptr::opt_c_str(options_json, "options_json")?,
            "options_json",
        )?;
        check_options(&o, &["holder_key", "sd", "kid", "decoys"])?;
        let mut iss = passerelle::VcIssuer::new(s.as_ref());
        if let Some(kid) = opt_str(&o, "kid")? {
            iss = iss.with_kid(kid);
        }
        if let Some(n) = opt_usize(&o, "decoys")? {
            iss = iss.with_max_decoys(n);
        }
        let vc = match format {
            "vc+jwt" => {
                if o.contains_key("holder_key") || o.contains_key("sd") {
                    return Err(misuse("a vc+jwt has no holder_key or sd options"));
                }
                iss.issue_jwt(&claims)?
            }
            "vc+sd-jwt" => {
                let holder = o
                    .get("holder_key")
                    .map(|v| public_from_value(v, "holder_key"))
                    .transpose()?;
                iss.issue_sd_jwt(
                    &claims,
                    &disclosable(o.get("sd"))?,
                    holder.as_ref(),
                    UnixTime::from_secs(now),
                )?
            }
            other => {
                return Err(Fail::new(
                    Code::PASSERELLE_UNSUPPORTED,
                    format!("format {other:?} is not vc+sd-jwt or vc+jwt"),
                ))
            }
        };
        ptr::write_string(out, vc)
    })
}

/// Issues an mdoc (`claims_json`: `{namespace: {element: value}}`) signed by
/// the document signer `signer` at `now`. `options_json` (required):
/// `{"device_key": JWK (required), "x5c": PEM chain of the document signer
/// (required), "doctype": text (default: from a lone mDL or EU PID namespace),
/// "decoys": n, "validity_secs": n}`. `*issuer_signed` receives IssuerSigned as
/// base64url (the OpenID4VCI form).
#[no_mangle]
pub extern "C" fn passerelle_issue_mdoc(
    signer: passerelle_signer,
    claims_json: *const c_char,
    options_json: *const c_char,
    now: u64,
    issuer_signed: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(issuer_signed, "issuer_signed")?;
        let s = ptr::signer(signer)?;
        let claims = json_object(ptr::c_str(claims_json, "claims_json")?, "claims_json")?;
        let o = json_object(ptr::c_str(options_json, "options_json")?, "options_json")?;
        check_options(
            &o,
            &["device_key", "x5c", "doctype", "decoys", "validity_secs"],
        )?;
        let device = public_from_value(
            o.get("device_key")
                .ok_or_else(|| misuse("options: device_key is required"))?,
            "device_key",
        )?;
        let chain = passerelle::Certificate::from_pem(
            opt_str(&o, "x5c")?.ok_or_else(|| misuse("options: x5c is required"))?,
        )?;
        let doc_type = match opt_str(&o, "doctype")? {
            Some(t) => t.to_owned(),
            None => match claims.keys().map(String::as_str).collect::<Vec<_>>().as_slice() {
                [passerelle::NAMESPACE_MDL] => passerelle::DOCTYPE_MDL.to_owned(),
                [passerelle::NAMESPACE_EU_PID] => passerelle::DOCTYPE_EU_PID.to_owned(),
                _ => return Err(misuse(
                    "options: doctype is needed unless the claims hold only the mDL or the EU PID namespace",
                )),
            },
        };
        let mut iss = passerelle::MdocIssuer::new(s.as_ref(), &chain);
        if let Some(n) = opt_usize(&o, "decoys")? {
            iss = iss.with_decoys(n);
        }
        if let Some(n) = opt_usize(&o, "validity_secs")? {
            iss = iss.with_validity_secs(u64::try_from(n).unwrap_or(u64::MAX));
        }
        let bytes = iss.issue(&doc_type, &claims, &device, UnixTime::from_secs(now))?;
        ptr::write_string(out, b64url(&bytes))
    })
}

// ---- holder -------------------------------------------------------------------------

/// Presents an issued SD-JWT (`credential`, ending with `~`), disclosing
/// `disclose_json` (`"all"` or an array of JSON Pointers), with a Key Binding
/// JWT signed by the holder `signer` for `nonce` and `audience` at `iat`.
/// `*presentation` receives the SD-JWT+KB.
#[no_mangle]
pub extern "C" fn passerelle_present_sd_jwt(
    credential: *const c_char,
    disclose_json: *const c_char,
    signer: passerelle_signer,
    nonce: *const c_char,
    audience: *const c_char,
    iat: u64,
    presentation: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(presentation, "presentation")?;
        let cred = ptr::c_str(credential, "credential")?;
        let disclose = ptr::c_str(disclose_json, "disclose_json")?;
        let s = ptr::signer(signer)?;
        let nonce = ptr::c_str(nonce, "nonce")?;
        let audience = ptr::c_str(audience, "audience")?;
        let held = HeldSdJwt::parse(cred)?;
        let disclose: Value =
            serde_json::from_str(disclose).map_err(|e| malformed(format!("disclose_json: {e}")))?;
        let paths = match &disclose {
            Value::String(s) if s == "all" => held.disclosable_paths(),
            v => paths(v)?,
        };
        let kb = KeyBinding {
            signer: s.as_ref(),
            nonce,
            audience,
            iat: UnixTime::from_secs(iat),
        };
        ptr::write_string(out, held.present(&paths, Some(kb))?)
    })
}

/// What an mdoc presentation needs: the held mdoc, the elements, the transcript.
type MdocRequest = (HeldMdoc, Vec<(String, String)>, SessionTranscript);

fn mdoc_request(
    issuer_signed: *const u8,
    len: usize,
    disclose_json: *const c_char,
    transcript: *const u8,
    transcript_len: usize,
) -> FfiResult<MdocRequest> {
    // every pointer is checked before anything is parsed
    let issuer_signed = ptr::bytes(issuer_signed, len, "issuer_signed")?;
    let disclose = ptr::c_str(disclose_json, "disclose_json")?;
    let transcript = ptr::bytes(transcript, transcript_len, "transcript")?;
    let held = HeldMdoc::parse(&cbor_or_b64url(issuer_signed)?)?;
    let transcript = SessionTranscript::from_cbor(transcript)?;
    let v: Value =
        serde_json::from_str(disclose).map_err(|e| malformed(format!("disclose_json: {e}")))?;
    let wanted = match &v {
        Value::String(s) if s == "all" => held.elements(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(e)]) => Ok((n.clone(), e.clone())),
                _ => Err(malformed("disclose_json items are [namespace, element]")),
            })
            .collect::<FfiResult<_>>()?,
        _ => {
            return Err(malformed(
                "disclose_json is \"all\" or [[namespace, element], ...]",
            ))
        }
    };
    Ok((held, wanted, transcript))
}

/// Presents an mdoc (`issuer_signed`: IssuerSigned as CBOR or base64url),
/// disclosing `disclose_json` (`"all"` or `[[namespace, element], ...]`) for
/// the SessionTranscript `transcript` (CBOR), authenticated by a
/// `deviceSignature` of `signer` (the device key). `*device_response`
/// receives the DeviceResponse as base64url (the `vp_token` form).
#[no_mangle]
pub extern "C" fn passerelle_present_mdoc(
    issuer_signed: *const u8,
    issuer_signed_len: usize,
    disclose_json: *const c_char,
    transcript: *const u8,
    transcript_len: usize,
    signer: passerelle_signer,
    device_response: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(device_response, "device_response")?;
        let s = ptr::signer(signer)?;
        let (held, wanted, transcript) = mdoc_request(
            issuer_signed,
            issuer_signed_len,
            disclose_json,
            transcript,
            transcript_len,
        )?;
        let pairs: Vec<(&str, &str)> = wanted
            .iter()
            .map(|(n, e)| (n.as_str(), e.as_str()))
            .collect();
        let response = held.present(&pairs, &transcript, s.as_ref())?;
        ptr::write_string(out, b64url(&response))
    })
}

/// Like `passerelle_present_mdoc`, authenticated by a `deviceMac`: the device
/// key `key_agreement` agrees with the reader's ephemeral public key
/// `reader_public_jwk` (through its callback), then HKDF over the transcript.
#[no_mangle]
pub extern "C" fn passerelle_present_mdoc_mac(
    issuer_signed: *const u8,
    issuer_signed_len: usize,
    disclose_json: *const c_char,
    transcript: *const u8,
    transcript_len: usize,
    key_agreement: passerelle_key_agreement,
    reader_public_jwk: *const c_char,
    device_response: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(device_response, "device_response")?;
        let ka = ptr::key_agreement(key_agreement)?;
        let reader = ptr::c_str(reader_public_jwk, "reader_public_jwk")?;
        let (held, wanted, transcript) = mdoc_request(
            issuer_signed,
            issuer_signed_len,
            disclose_json,
            transcript,
            transcript_len,
        )?;
        let pairs: Vec<(&str, &str)> = wanted
            .iter()
            .map(|(n, e)| (n.as_str(), e.as_str()))
            .collect();
        let reader = public_from_any_jwk(reader)?;
        let response = held.present_with_mac(&pairs, &transcript, ka.as_ref(), &reader)?;
        ptr::write_string(out, b64url(&response))
    })
}

// ---- DIDs -----------------------------------------------------------------------------

/// Resolves a DID, as `passerelle did resolve`: did:jwk and did:key from the
/// identifier; did:web from the `document` the host fetched; did:webvh from its
/// `did.jsonl` `log` (checked at `now`, the version valid at `at`, 0 for the
/// latest). Give at most one of `document` and `log` (`(NULL, 0)` when
/// absent). `*result_json` receives `{"valid": true, "document": ..., ...}`.
#[no_mangle]
pub extern "C" fn passerelle_did_resolve(
    did: *const c_char,
    document: *const u8,
    document_len: usize,
    log: *const u8,
    log_len: usize,
    now: u64,
    at: u64,
    result_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(result_json, "result_json")?;
        let did = ptr::c_str(did, "did")?;
        let doc = ptr::opt_bytes(document, document_len, "document")?;
        let log = ptr::opt_bytes(log, log_len, "log")?;
        let v = match (doc, log) {
            (None, None) => passerelle::resolve_did_offline(did)?,
            (Some(d), None) => passerelle::resolve_did_web(did, d)?,
            (None, Some(l)) => passerelle::resolve_did_webvh(
                did,
                l,
                UnixTime::from_secs(now),
                (at != 0).then(|| UnixTime::from_secs(at)),
            )?,
            (Some(_), Some(_)) => return Err(misuse("give a document or a log, not both")),
        };
        ptr::write_string(out, v.to_json().to_string())
    })
}

// ---- the wallet -----------------------------------------------------------------

/// A wallet: the encrypted credential store and the verifier that admits
/// what enters it. One call at a time per wallet (the handle holds a lock;
/// several wallets, or several processes, may share one store file).
pub type passerelle_wallet = u64;

fn with_wallet<T>(
    wallet: passerelle_wallet,
    f: impl FnOnce(&mut passerelle::Wallet) -> FfiResult<T>,
) -> FfiResult<T> {
    let w = ptr::wallet(wallet)?;
    let mut guard = w
        .lock()
        .map_err(|_| Fail::new(Code::PASSERELLE_STORAGE, "the wallet's lock is poisoned"))?;
    f(&mut guard)
}

/// Opens (creating if needed) the wallet store at `path`, sealed under the
/// 32-byte wallet key `key` (from the platform keystore), admitting what a
/// verifier of `trust_json` / `policy_json` (as `passerelle_verifier_new`)
/// accepts. Free with `passerelle_wallet_free`.
#[no_mangle]
pub extern "C" fn passerelle_wallet_open(
    path: *const c_char,
    key: *const u8,
    key_len: usize,
    trust_json: *const c_char,
    policy_json: *const c_char,
    now: u64,
    out: *mut passerelle_wallet,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(out, "out")?;
        let path = ptr::c_str(path, "path")?;
        let key = ptr::bytes(key, key_len, "key")?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| misuse("the wallet key is 32 bytes"))?;
        let key = zeroize::Zeroizing::new(key);
        let provider = move || -> passerelle::Result<zeroize::Zeroizing<[u8; 32]>> {
            Ok(zeroize::Zeroizing::new(*key))
        };
        let trust = TrustStore::from_json(
            ptr::c_str(trust_json, "trust_json")?,
            UnixTime::from_secs(now),
        )?;
        let policy = match ptr::opt_c_str(policy_json, "policy_json")? {
            Some(p) => Policy::from_json(p)?,
            None => Policy::default(),
        };
        let store = passerelle::CredentialStore::open(
            std::path::Path::new(path),
            &provider,
            passerelle::StoreOptions::new(),
        )?;
        let w = passerelle::Wallet::new(store, Verifier::new(trust, policy));
        out.write(ptr::insert(Object::Wallet(Arc::new(
            std::sync::Mutex::new(w),
        ))));
        Ok(())
    })
}

/// Frees a wallet (the store file stays).
#[no_mangle]
pub extern "C" fn passerelle_wallet_free(wallet: passerelle_wallet) -> passerelle_result {
    boundary(|| ptr::remove(wallet, "wallet", |o| matches!(o, Object::Wallet(_))))
}

/// Verifies `credential` at `now` (an issued SD-JWT VC, an mdoc IssuerSigned
/// as CBOR or base64url, a W3C credential) and stores it with the holder's
/// software key `holder_jwk` (a private JWK; NULL for none; an mdoc needs
/// it). Nothing that fails is stored. `*id_json` is `{"id": ...}`.
#[no_mangle]
pub extern "C" fn passerelle_wallet_add(
    wallet: passerelle_wallet,
    credential: *const u8,
    credential_len: usize,
    holder_jwk: *const c_char,
    now: u64,
    id_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(id_json, "id_json")?;
        let credential = ptr::bytes(credential, credential_len, "credential")?;
        let key = match ptr::opt_c_str(holder_jwk, "holder_jwk")? {
            Some(j) => Some(PrivateKey::from_jwk(j)?),
            None => None,
        };
        let id = with_wallet(wallet, |w| {
            Ok(w.add(credential, key, UnixTime::from_secs(now))?)
        })?;
        ptr::write_string(out, serde_json::json!({"id": id.as_str()}).to_string())
    })
}

/// The stored credentials' metadata as a JSON array (as `wallet list`; no secrets).
#[no_mangle]
pub extern "C" fn passerelle_wallet_list(
    wallet: passerelle_wallet,
    list_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(list_json, "list_json")?;
        let list = with_wallet(wallet, |w| Ok(w.list()?))?;
        let v: Vec<Value> = list
            .iter()
            .map(passerelle::CredentialMetadata::to_json)
            .collect();
        ptr::write_string(out, Value::Array(v).to_string())
    })
}

/// Removes the credential `id`.
#[no_mangle]
pub extern "C" fn passerelle_wallet_remove(
    wallet: passerelle_wallet,
    id: *const c_char,
) -> passerelle_result {
    boundary(|| {
        let id = passerelle::CredentialId::parse(ptr::c_str(id, "id")?)?;
        with_wallet(wallet, |w| Ok(w.remove(&id)?))
    })
}

/// Which stored credentials satisfy the DCQL query `query_json` (each
/// credential query on its own): `{"satisfied", "matches": {id: [index,
/// ...]}, "credentials": [stored id, ...]}` (indices into `credentials`).
#[no_mangle]
pub extern "C" fn passerelle_wallet_match_dcql(
    wallet: passerelle_wallet,
    query_json: *const c_char,
    match_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(match_json, "match_json")?;
        let q = passerelle::DcqlQuery::parse(ptr::c_str(query_json, "query_json")?.as_bytes())?;
        let (ids, m) = with_wallet(wallet, |w| Ok(w.match_dcql(&q)?))?;
        let mut j = m.to_json();
        if let Value::Object(o) = &mut j {
            o.insert(
                "credentials".into(),
                Value::Array(ids.iter().map(|i| Value::from(i.as_str())).collect()),
            );
        }
        ptr::write_string(out, j.to_string())
    })
}

/// Answers the DCQL query `query_json` of an OpenID4VP request (`client_id`,
/// `nonce`, `response_uri`) at `now`: `*vp_token_json` is the `vp_token`.
/// A query the wallet cannot meet is `PASSERELLE_POLICY` (nothing presented).
#[no_mangle]
pub extern "C" fn passerelle_wallet_present(
    wallet: passerelle_wallet,
    query_json: *const c_char,
    client_id: *const c_char,
    nonce: *const c_char,
    response_uri: *const c_char,
    now: u64,
    vp_token_json: *mut *mut c_char,
) -> passerelle_result {
    boundary(|| {
        let out = ptr::out(vp_token_json, "vp_token_json")?;
        let q = passerelle::DcqlQuery::parse(ptr::c_str(query_json, "query_json")?.as_bytes())?;
        let request = passerelle::OpenId4VpRequest {
            client_id: ptr::c_str(client_id, "client_id")?,
            nonce: ptr::c_str(nonce, "nonce")?,
            response_uri: ptr::c_str(response_uri, "response_uri")?,
            jwk_thumbprint: None,
        };
        let p = with_wallet(wallet, |w| {
            Ok(w.present_dcql(&q, &request, UnixTime::from_secs(now))?)
        })?;
        ptr::write_string(out, Value::Object(p.vp_token).to_string())
    })
}
