//! The panic boundary and SIG-15, driven from Rust through the C entry points:
//! a C callback cannot panic, a Rust one (declared `extern "C-unwind"`, as the
//! callback type is) can, and the panic must come back as `PASSERELLE_PANIC`.

use passerelle::{Algorithm, PrivateKey, Signer};
use passerelle_ffi::*;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};

const AT: u64 = 1_790_000_000;

struct Holder {
    key: PrivateKey,
    panic: bool,
    raw_starting_0x30: AtomicUsize,
}

unsafe extern "C-unwind" fn sign(
    user_data: *mut c_void,
    msg: *const u8,
    msg_len: usize,
    sig: *mut u8,
    cap: usize,
    sig_len: *mut usize,
) -> u32 {
    // SAFETY: user_data is the &Holder given at registration, alive for the test.
    let holder = unsafe { &*user_data.cast::<Holder>() };
    if holder.panic {
        panic!("boom from the signer callback");
    }
    // SAFETY: the library passes msg valid for msg_len bytes.
    let msg = unsafe { std::slice::from_raw_parts(msg, msg_len) };
    let Ok(raw) = holder.key.sign(msg) else {
        return 1;
    };
    if raw.first() == Some(&0x30) {
        holder.raw_starting_0x30.fetch_add(1, Ordering::Relaxed);
    }
    assert!(raw.len() <= cap);
    // SAFETY: sig is valid for cap >= raw.len() bytes.
    unsafe { std::ptr::copy_nonoverlapping(raw.as_ptr(), sig, raw.len()) };
    // SAFETY: sig_len is valid for one write.
    unsafe { sig_len.write(raw.len()) };
    0
}

fn last_error() -> String {
    // SAFETY: the library returns a NUL-terminated thread-local string.
    unsafe { CStr::from_ptr(passerelle_last_error()) }
        .to_string_lossy()
        .into_owned()
}

fn take(p: *mut c_char) -> String {
    // SAFETY: p is a library string, freed right after.
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    passerelle_string_free(p);
    s
}

fn issue_for(holder: &PrivateKey) -> (u64, String) {
    let issuer = PrivateKey::generate(Algorithm::Es256).unwrap();
    let jwk = CString::new(issuer.to_jwk().as_str()).unwrap();
    let mut s = 0;
    assert_eq!(
        passerelle_signer_from_jwk(jwk.as_ptr(), &mut s),
        passerelle_result::PASSERELLE_OK
    );
    let claims = CString::new(
        r#"{"iss":"https://issuer.example","vct":"urn:eudi:pid:1","given_name":"Erika"}"#,
    )
    .unwrap();
    let options = CString::new(format!(
        r#"{{"holder_key": {}}}"#,
        holder.public_key().to_jwk()
    ))
    .unwrap();
    let mut out = std::ptr::null_mut();
    assert_eq!(
        passerelle_issue_sd_jwt_vc(s, claims.as_ptr(), options.as_ptr(), AT, &mut out),
        passerelle_result::PASSERELLE_OK
    );
    (s, take(out))
}

fn present(cred: &str, signer: u64, nonce: &str) -> (passerelle_result, Option<String>) {
    let cred = CString::new(cred).unwrap();
    let nonce = CString::new(nonce).unwrap();
    let mut out = std::ptr::null_mut();
    let r = passerelle_present_sd_jwt(
        cred.as_ptr(),
        c"\"all\"".as_ptr(),
        signer,
        nonce.as_ptr(),
        c"https://rp.example".as_ptr(),
        AT,
        &mut out,
    );
    (r, (!out.is_null()).then(|| take(out)))
}

fn callback_signer(holder: &Holder) -> u64 {
    let jwk = CString::new(holder.key.public_key().to_jwk()).unwrap();
    let mut s = 0;
    assert_eq!(
        passerelle_signer_new(
            PASSERELLE_ALG_ES256,
            PASSERELLE_SIGNATURE_RAW,
            jwk.as_ptr(),
            Some(sign),
            std::ptr::from_ref(holder).cast_mut().cast(),
            &mut s,
        ),
        passerelle_result::PASSERELLE_OK
    );
    s
}

#[test]
fn a_panicking_callback_is_caught_at_the_boundary() {
    let holder = Holder {
        key: PrivateKey::generate(Algorithm::Es256).unwrap(),
        panic: true,
        raw_starting_0x30: AtomicUsize::new(0),
    };
    let (issuer, cred) = issue_for(&holder.key);
    let s = callback_signer(&holder);
    let (r, out) = present(&cred, s, "n");
    assert_eq!(r, passerelle_result::PASSERELLE_PANIC);
    assert!(out.is_none());
    assert!(
        last_error().contains("boom from the signer callback"),
        "{}",
        last_error()
    );
    // the library is usable again on this thread (the callback flag was reset)
    let mut v = 0;
    assert_eq!(
        passerelle_verifier_new(c"{}".as_ptr(), std::ptr::null(), AT, &mut v),
        passerelle_result::PASSERELLE_OK
    );
    assert_eq!(
        passerelle_verifier_free(v),
        passerelle_result::PASSERELLE_OK
    );
    assert_eq!(passerelle_signer_free(s), passerelle_result::PASSERELLE_OK);
    assert_eq!(
        passerelle_signer_free(issuer),
        passerelle_result::PASSERELLE_OK
    );
}

/// SIG-15: a raw signature that happens to begin with 0x30 is taken as raw
/// (the format is declared, never sniffed).
#[test]
fn raw_signatures_starting_with_0x30_are_raw() {
    let holder = Holder {
        key: PrivateKey::generate(Algorithm::Es256).unwrap(),
        panic: false,
        raw_starting_0x30: AtomicUsize::new(0),
    };
    let (issuer, cred) = issue_for(&holder.key);
    let s = callback_signer(&holder);
    let mut i = 0;
    while holder.raw_starting_0x30.load(Ordering::Relaxed) < 2 {
        i += 1;
        assert!(i < 20_000, "no signature began with 0x30");
        let (r, out) = present(&cred, s, &format!("n-{i}"));
        assert_eq!(r, passerelle_result::PASSERELLE_OK, "{}", last_error());
        assert!(out.is_some());
    }
    assert_eq!(passerelle_signer_free(s), passerelle_result::PASSERELLE_OK);
    assert_eq!(
        passerelle_signer_free(issuer),
        passerelle_result::PASSERELLE_OK
    );
}
