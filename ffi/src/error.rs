//! Result codes, the per-thread last error, and the panic boundary.

use passerelle::{Error, ErrorKind};
use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The result of every fallible entry point.
///
/// Values are fixed forever: a retired code is never reused. Codes are grouped
/// by the library's `ErrorKind` in blocks of 100 (`PASSERELLE_MALFORMED` is
/// 1000, any later, more precise malformed code will be 1001..1099), and the
/// C-ABI-only codes sit in the 7000 block. `passerelle_result_kind` names the
/// group of any code, including codes added after the caller was built.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum passerelle_result {
    /// Success; the outputs were written.
    PASSERELLE_OK = 0,
    /// The input does not follow its format.
    PASSERELLE_MALFORMED = 1000,
    /// A well-formed input uses an algorithm or feature that is not supported.
    PASSERELLE_UNSUPPORTED = 1100,
    /// A signature or MAC does not verify.
    PASSERELLE_SIGNATURE = 1200,
    /// The issuer or key is not vouched for by the configured trust.
    PASSERELLE_UNTRUSTED = 1300,
    /// The credential (or a certificate) is past its validity.
    PASSERELLE_EXPIRED = 1400,
    /// The credential (or a certificate) is not valid yet.
    PASSERELLE_NOT_YET_VALID = 1500,
    /// The status list says revoked.
    PASSERELLE_REVOKED = 1600,
    /// The status list says suspended.
    PASSERELLE_SUSPENDED = 1700,
    /// The holder's proof of possession is missing or wrong.
    PASSERELLE_HOLDER_BINDING = 1800,
    /// The policy refuses the input.
    PASSERELLE_POLICY = 1900,
    /// The wallet store failed.
    PASSERELLE_STORAGE = 2000,
    /// A named limit was exceeded (including a length above `PASSERELLE_MAX_INPUT_BYTES`).
    PASSERELLE_LIMIT_EXCEEDED = 2100,
    /// The caller used the API wrongly (a bad argument, not bad input).
    PASSERELLE_API_MISUSE = 2200,
    /// A required pointer (input, output, callback) was NULL, or a handle was 0.
    PASSERELLE_NULL_PARAMETER = 7000,
    /// A `const char *` input is not UTF-8.
    PASSERELLE_INVALID_UTF8 = 7001,
    /// The caller's buffer is too small; the needed length was written.
    PASSERELLE_BUFFER_TOO_SMALL = 7002,
    /// The handle is unknown (never made, or already freed) or of another type.
    PASSERELLE_INVALID_HANDLE = 7003,
    /// A panic was caught at the boundary (a bug); the call had no effect on handles.
    PASSERELLE_PANIC = 7004,
    /// A signer or key-agreement callback returned a non-zero status.
    PASSERELLE_CALLBACK_FAILED = 7005,
    /// A callback produced unusable output: the wrong length, bad DER, a
    /// signature that does not verify under the signer's public key.
    PASSERELLE_CALLBACK_INVALID_OUTPUT = 7006,
    /// A callback called back into the library (only `passerelle_last_error*`,
    /// `passerelle_result_kind` and `passerelle_version*` may be called there).
    PASSERELLE_REENTRANT_CALL = 7007,
}

pub(crate) use passerelle_result as Code;

impl Code {
    /// The code of a library error kind.
    pub(crate) fn of_kind(kind: ErrorKind) -> Code {
        match kind {
            ErrorKind::Malformed => Code::PASSERELLE_MALFORMED,
            ErrorKind::Unsupported => Code::PASSERELLE_UNSUPPORTED,
            ErrorKind::Signature => Code::PASSERELLE_SIGNATURE,
            ErrorKind::Untrusted => Code::PASSERELLE_UNTRUSTED,
            ErrorKind::Expired => Code::PASSERELLE_EXPIRED,
            ErrorKind::NotYetValid => Code::PASSERELLE_NOT_YET_VALID,
            ErrorKind::Revoked => Code::PASSERELLE_REVOKED,
            ErrorKind::Suspended => Code::PASSERELLE_SUSPENDED,
            ErrorKind::HolderBinding => Code::PASSERELLE_HOLDER_BINDING,
            ErrorKind::Policy => Code::PASSERELLE_POLICY,
            ErrorKind::Storage => Code::PASSERELLE_STORAGE,
            ErrorKind::LimitExceeded => Code::PASSERELLE_LIMIT_EXCEEDED,
            // ErrorKind is non_exhaustive: a kind added later is API misuse
            // here until it gets its own block
            _ => Code::PASSERELLE_API_MISUSE,
        }
    }
}

/// The name of the group a code belongs to (a static string, never freed).
pub(crate) fn kind_name(code: u32) -> &'static core::ffi::CStr {
    match code / 100 {
        0 => c"ok",
        10 => c"malformed",
        11 => c"unsupported",
        12 => c"signature",
        13 => c"untrusted",
        14 => c"expired",
        15 => c"not_yet_valid",
        16 => c"revoked",
        17 => c"suspended",
        18 => c"holder_binding",
        19 => c"policy",
        20 => c"storage",
        21 => c"limit_exceeded",
        22 => c"api_misuse",
        70 => match code {
            7000 => c"null_parameter",
            7001 => c"invalid_utf8",
            7002 => c"buffer_too_small",
            7003 => c"invalid_handle",
            7004 => c"panic",
            7005 => c"callback_failed",
            7006 => c"callback_invalid_output",
            7007 => c"reentrant_call",
            _ => c"unknown",
        },
        _ => c"unknown",
    }
}

/// A failure on its way to C: a code and a message.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) code: Code,
    pub(crate) message: String,
}

impl Fail {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        // a callback that misbehaved inside this call left its precise code
        if let Some(f) = CALLBACK_FAILURE.with(|c| c.borrow_mut().take()) {
            return f;
        }
        Fail::new(
            Code::of_kind(e.kind()),
            format!("{}: {}", e.kind(), e.message()),
        )
    }
}

pub(crate) type FfiResult<T> = Result<T, Fail>;

thread_local! {
    /// The last error of this thread: its code and message (NUL-terminated).
    static LAST: RefCell<(u32, CString)> = RefCell::new((0, CString::default()));
    /// Set while a callback runs on this thread.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
    /// Set when a callback re-entered the library.
    static REENTERED: Cell<bool> = const { Cell::new(false) };
    /// The precise failure of a callback, read when the core returns its error.
    static CALLBACK_FAILURE: RefCell<Option<Fail>> = const { RefCell::new(None) };
}

fn set_last(code: Code, message: &str) {
    // a message never holds a NUL (they are our own texts), but be total
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    // try_with: during thread teardown the slot may be gone; then there is nothing to keep
    let _ = LAST.try_with(|l| *l.borrow_mut() = (code as u32, text));
}

/// Records the precise failure of a callback for the current call.
pub(crate) fn callback_failed(f: Fail) -> Error {
    let core = Error::new(ErrorKind::ApiMisuse, f.message.clone());
    CALLBACK_FAILURE.with(|c| *c.borrow_mut() = Some(f));
    core
}

/// Runs `f` as a callback: re-entry is refused while it runs, and a re-entry
/// attempt fails the callback even when it then returned success.
pub(crate) fn in_callback<T>(f: impl FnOnce() -> T) -> Result<T, Error> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_CALLBACK.with(|c| c.set(false));
        }
    }
    IN_CALLBACK.with(|c| c.set(true));
    REENTERED.with(|c| c.set(false));
    let reset = Reset;
    let out = f();
    drop(reset);
    if REENTERED.with(|c| c.replace(false)) {
        return Err(callback_failed(Fail::new(
            Code::PASSERELLE_REENTRANT_CALL,
            "a callback called back into passerelle",
        )));
    }
    Ok(out)
}

/// Whether a callback is running on this thread (for the read-only functions).
pub(crate) fn callback_running() -> bool {
    IN_CALLBACK.with(Cell::get)
}

/// The panic boundary every fallible entry point runs in.
///
/// Clears the last error, refuses re-entry from a callback, catches any panic
/// (the crate is built with `panic = "unwind"`, checked at compile time in
/// lib.rs), and records a failure as this thread's last error.
pub(crate) fn boundary(f: impl FnOnce() -> FfiResult<()>) -> Code {
    if callback_running() {
        REENTERED.with(|c| c.set(true));
        set_last(
            Code::PASSERELLE_REENTRANT_CALL,
            "passerelle was called from inside a callback",
        );
        return Code::PASSERELLE_REENTRANT_CALL;
    }
    set_last(Code::PASSERELLE_OK, "");
    CALLBACK_FAILURE.with(|c| *c.borrow_mut() = None);
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CALLBACK_FAILURE.with(|c| *c.borrow_mut() = None);
    IN_CALLBACK.with(|c| c.set(false));
    match outcome {
        Ok(Ok(())) => Code::PASSERELLE_OK,
        Ok(Err(fail)) => {
            set_last(fail.code, &fail.message);
            fail.code
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            set_last(
                Code::PASSERELLE_PANIC,
                &format!("panic caught at the C boundary: {what}"),
            );
            Code::PASSERELLE_PANIC
        }
    }
}

/// The last error's message pointer (valid until the next call on this thread).
pub(crate) fn last_message_ptr() -> *const core::ffi::c_char {
    LAST.try_with(|l| l.borrow().1.as_ptr())
        .unwrap_or(c"".as_ptr())
}

/// The last error's code.
pub(crate) fn last_code() -> u32 {
    LAST.try_with(|l| l.borrow().0).unwrap_or(0)
}

/// The last error's message bytes, with the NUL.
pub(crate) fn last_message_bytes() -> Vec<u8> {
    LAST.try_with(|l| l.borrow().1.as_bytes_with_nul().to_vec())
        .unwrap_or_else(|_| vec![0])
}
