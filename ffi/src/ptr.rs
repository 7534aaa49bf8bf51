//! The only place raw pointers are read or written: a few typed helpers,
//! each with one-line unsafe blocks. The handle registry lives here too.

use crate::error::{Code, Fail, FfiResult};
use core::ffi::c_char;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Arc, Mutex};

/// The largest byte or string input accepted (`len` above it, including
/// `SIZE_MAX`, is refused before any slice is built).
pub(crate) const MAX_INPUT_BYTES: usize = crate::PASSERELLE_MAX_INPUT_BYTES;

fn null(what: &str) -> Fail {
    Fail::new(Code::PASSERELLE_NULL_PARAMETER, format!("{what} is NULL"))
}

/// A NUL-terminated UTF-8 input. The scan for the NUL stops after
/// `MAX_INPUT_BYTES`, so an unterminated string is refused rather than read on.
pub(crate) fn c_str<'a>(p: *const c_char, what: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(null(what));
    }
    let mut len = 0usize;
    loop {
        if len > MAX_INPUT_BYTES {
            return Err(Fail::new(
                Code::PASSERELLE_LIMIT_EXCEEDED,
                format!("{what} is longer than {MAX_INPUT_BYTES} bytes (or not NUL-terminated)"),
            ));
        }
        // SAFETY: the caller promises a NUL-terminated string; we stay within it, up to its NUL.
        let at = unsafe { p.add(len) };
        // SAFETY: `at` lies within the caller's string (not past its NUL), valid for reads.
        let byte = unsafe { *at };
        if byte == 0 {
            break;
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL were just read, so they are valid for reads.
    let bytes = unsafe { core::slice::from_raw_parts(p.cast::<u8>(), len) };
    core::str::from_utf8(bytes).map_err(|_| {
        Fail::new(
            Code::PASSERELLE_INVALID_UTF8,
            format!("{what} is not UTF-8"),
        )
    })
}

/// An optional string: NULL is `None`.
pub(crate) fn opt_c_str<'a>(p: *const c_char, what: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        c_str(p, what).map(Some)
    }
}

/// A `(ptr, len)` byte input; the length is checked before the slice is built.
pub(crate) fn bytes<'a>(p: *const u8, len: usize, what: &str) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        return Err(null(what));
    }
    if len > MAX_INPUT_BYTES {
        return Err(Fail::new(
            Code::PASSERELLE_LIMIT_EXCEEDED,
            format!("{what}: {len} bytes exceeds the limit of {MAX_INPUT_BYTES}"),
        ));
    }
    // SAFETY: the caller promises `p` is valid for `len` bytes; `len` is bounded above.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// A `(ptr, count)` array input of at most `max` elements; `(NULL, 0)` is empty.
pub(crate) fn array<'a, T>(
    p: *const T,
    count: usize,
    max: usize,
    what: &str,
) -> FfiResult<&'a [T]> {
    if count == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null(what));
    }
    if count > max {
        return Err(Fail::new(
            Code::PASSERELLE_LIMIT_EXCEEDED,
            format!("{what}: {count} elements exceeds the limit of {max}"),
        ));
    }
    // SAFETY: the caller promises `p` is valid for `count` elements; `count` is bounded above.
    Ok(unsafe { core::slice::from_raw_parts(p, count) })
}

/// An optional `(ptr, len)` input: `(NULL, 0)` is `None`, NULL with a length is an error.
pub(crate) fn opt_bytes<'a>(p: *const u8, len: usize, what: &str) -> FfiResult<Option<&'a [u8]>> {
    if p.is_null() && len == 0 {
        Ok(None)
    } else {
        bytes(p, len, what).map(Some)
    }
}

/// Checks an output pointer before any work is done.
pub(crate) fn out<T>(p: *mut T, what: &str) -> FfiResult<Out<T>> {
    if p.is_null() {
        Err(null(what))
    } else {
        Ok(Out(p))
    }
}

/// A non-NULL output location, written only on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL (checked in `out`), and the caller promises it is valid for a write.
        unsafe { self.0.write(value) }
    }
}

/// Writes a library-owned string (released with `passerelle_string_free`).
pub(crate) fn write_string(o: Out<*mut c_char>, s: String) -> FfiResult<()> {
    let c = CString::new(s).map_err(|_| {
        Fail::new(
            Code::PASSERELLE_MALFORMED,
            "the output holds a NUL byte and cannot be returned as a C string",
        )
    })?;
    o.write(c.into_raw());
    Ok(())
}

/// Releases a string made by `write_string`.
pub(crate) fn free_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: the caller promises `p` came from `write_string` and was not freed before.
        drop(unsafe { CString::from_raw(p) });
    }
}

/// Copies `src` (with its NUL) into a caller buffer, or reports the needed length.
pub(crate) fn copy_out(src: &[u8], buf: *mut c_char, len: usize, needed: *mut usize) -> Code {
    if needed.is_null() {
        return Code::PASSERELLE_NULL_PARAMETER;
    }
    // SAFETY: `needed` is non-NULL and the caller promises it is valid for a write.
    unsafe { needed.write(src.len()) };
    if buf.is_null() {
        return Code::PASSERELLE_NULL_PARAMETER;
    }
    if len < src.len() {
        return Code::PASSERELLE_BUFFER_TOO_SMALL;
    }
    // SAFETY: `buf` is valid for `len >= src.len()` bytes (caller's promise) and cannot overlap our buffer.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), buf.cast::<u8>(), src.len()) };
    Code::PASSERELLE_OK
}

// ---- the handle registry ----------------------------------------------------

/// What a handle stands for. The tag is checked on every use.
#[derive(Clone)]
pub(crate) enum Object {
    Verifier(Arc<passerelle::Verifier>),
    Wallet(Arc<std::sync::Mutex<passerelle::Wallet>>),
    Signer(Arc<crate::callback::FfiSigner>),
    KeyAgreement(Arc<crate::callback::FfiKeyAgreement>),
}

impl Object {
    fn type_name(&self) -> &'static str {
        match self {
            Object::Verifier(_) => "verifier",
            Object::Wallet(_) => "wallet",
            Object::Signer(_) => "signer",
            Object::KeyAgreement(_) => "key agreement",
        }
    }
}

struct Registry {
    /// Handles are never reused: a freed id stays dead for the life of the process.
    next: u64,
    live: BTreeMap<u64, Object>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 1,
    live: BTreeMap::new(),
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // the lock is held only for map operations that cannot panic halfway;
    // a poisoned lock still holds a consistent map
    REGISTRY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers `obj` and returns its handle (never 0).
pub(crate) fn insert(obj: Object) -> u64 {
    let mut r = registry();
    let id = r.next;
    r.next = r.next.saturating_add(1);
    r.live.insert(id, obj);
    id
}

/// The object of handle `id`, cloned out of the registry (the lock is released
/// before any work, so callbacks and other threads never wait on it).
pub(crate) fn get(id: u64, want: &str) -> FfiResult<Object> {
    if id == 0 {
        return Err(null(&format!("the {want} handle")));
    }
    registry().live.get(&id).cloned().ok_or_else(|| {
        Fail::new(
            Code::PASSERELLE_INVALID_HANDLE,
            format!("{id} is not a live handle (never made, or already freed)"),
        )
    })
}

fn wrong_type(id: u64, got: &Object, want: &str) -> Fail {
    Fail::new(
        Code::PASSERELLE_INVALID_HANDLE,
        format!("handle {id} is a {}, not a {want}", got.type_name()),
    )
}

pub(crate) fn verifier(id: u64) -> FfiResult<Arc<passerelle::Verifier>> {
    match get(id, "verifier")? {
        Object::Verifier(v) => Ok(v),
        other => Err(wrong_type(id, &other, "verifier")),
    }
}

pub(crate) fn wallet(id: u64) -> FfiResult<Arc<std::sync::Mutex<passerelle::Wallet>>> {
    match get(id, "wallet")? {
        Object::Wallet(v) => Ok(v),
        other => Err(wrong_type(id, &other, "wallet")),
    }
}

pub(crate) fn signer(id: u64) -> FfiResult<Arc<crate::callback::FfiSigner>> {
    match get(id, "signer")? {
        Object::Signer(v) => Ok(v),
        other => Err(wrong_type(id, &other, "signer")),
    }
}

pub(crate) fn key_agreement(id: u64) -> FfiResult<Arc<crate::callback::FfiKeyAgreement>> {
    match get(id, "key agreement")? {
        Object::KeyAgreement(v) => Ok(v),
        other => Err(wrong_type(id, &other, "key agreement")),
    }
}

/// Removes handle `id` if it is of the wanted type. An object still in use by
/// another thread lives on until that call returns (it holds an `Arc`).
pub(crate) fn remove(id: u64, want: &str, is: fn(&Object) -> bool) -> FfiResult<()> {
    if id == 0 {
        return Err(null(&format!("the {want} handle")));
    }
    let removed = {
        let mut r = registry();
        match r.live.get(&id) {
            None => None,
            Some(o) if !is(o) => return Err(wrong_type(id, o, want)),
            Some(_) => r.live.remove(&id),
        }
    };
    // dropped outside the lock: a callback signer's drop runs no user code, but keep it lock-free
    match removed {
        Some(obj) => {
            drop(obj);
            Ok(())
        }
        None => Err(Fail::new(
            Code::PASSERELLE_INVALID_HANDLE,
            format!("{id} is not a live handle (never made, or already freed)"),
        )),
    }
}
