//! Signers and key agreement whose private keys stay in the app's secure
//! hardware: the library calls a C function pointer, `user_data` first.

use crate::error::{callback_failed, in_callback, Code, Fail};
use core::ffi::c_void;
use passerelle::{Algorithm, Curve, Error, KeyAgreement, PrivateKey, PublicKey, Signer};
use zeroize::Zeroizing;

/// A signing callback: sign `message` (`message_len` bytes) and write the
/// signature into `signature` (room for `signature_capacity` bytes), its length
/// into `*signature_len`; return 0 on success, anything else on failure.
///
/// The library hashes nothing: the callback signs the message with the
/// algorithm it was registered for (ES256 = ECDSA P-256 with SHA-256, ES384,
/// EdDSA = Ed25519). It is called synchronously, on the thread that made the
/// library call, and never after that call returned.
pub type passerelle_sign_callback = Option<
    unsafe extern "C-unwind" fn(
        user_data: *mut c_void,
        message: *const u8,
        message_len: usize,
        signature: *mut u8,
        signature_capacity: usize,
        signature_len: *mut usize,
    ) -> u32,
>;

/// A key-agreement callback (ECDH, for an mdoc `deviceMac`): with the device
/// key, agree with `peer_public` (an uncompressed SEC 1 point, `0x04 || x || y`)
/// and write the shared secret (the x-coordinate, exactly the field length: 32
/// bytes on P-256) into `secret`, its length into `*secret_len`; return 0 on
/// success. Same threading rules as [`passerelle_sign_callback`].
pub type passerelle_key_agreement_callback = Option<
    unsafe extern "C-unwind" fn(
        user_data: *mut c_void,
        peer_public: *const u8,
        peer_public_len: usize,
        secret: *mut u8,
        secret_capacity: usize,
        secret_len: *mut usize,
    ) -> u32,
>;

/// The room given to a callback for its output.
const OUT_CAPACITY: usize = 256;

/// The signature encoding a callback returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigFormat {
    /// `r || s`, fixed length (JOSE/COSE); Ed25519 is always this.
    Raw,
    /// ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` (Apple `SecKeyCreateSignature`
    /// with `ecdsaSignatureMessageX962SHA256`, Android Keystore), converted once.
    Der,
}

/// The callback pointer and its opaque context.
pub(crate) struct Callback<F> {
    pub(crate) f: F,
    pub(crate) user_data: *mut c_void,
}

// SAFETY: the documented contract of passerelle_signer_new and
// passerelle_key_agreement_new: the callback and its user_data may be used from
// every thread that passes the handle to the library (the library never
// dereferences user_data, and calls the callback only inside a library call).
unsafe impl<F: Send> Send for Callback<F> {}
// SAFETY: as above; concurrent calls on one handle call the callback concurrently, as documented.
unsafe impl<F: Sync> Sync for Callback<F> {}

type SignFn =
    unsafe extern "C-unwind" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize) -> u32;

/// A signer handle's object: a key in this process, or a callback.
pub(crate) enum FfiSigner {
    Software(Box<PrivateKey>),
    Callback {
        alg: Algorithm,
        format: SigFormat,
        public: PublicKey,
        cb: Callback<SignFn>,
    },
}

fn invalid(msg: impl Into<String>) -> Error {
    callback_failed(Fail::new(Code::PASSERELLE_CALLBACK_INVALID_OUTPUT, msg))
}

/// Runs a callback writing at most `OUT_CAPACITY` bytes, and checks what it wrote.
fn call_out(
    run: impl FnOnce(*mut u8, usize, *mut usize) -> u32,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(vec![0u8; OUT_CAPACITY]);
    let mut len = usize::MAX;
    let (ptr, lenp) = (buf.as_mut_ptr(), core::ptr::addr_of_mut!(len));
    let status = in_callback(|| run(ptr, OUT_CAPACITY, lenp))?;
    if status != 0 {
        return Err(callback_failed(Fail::new(
            Code::PASSERELLE_CALLBACK_FAILED,
            format!("the {what} callback returned status {status}"),
        )));
    }
    if len > OUT_CAPACITY {
        return Err(invalid(format!(
            "the {what} callback reported {len} bytes, more than the {OUT_CAPACITY} it was given (or none)"
        )));
    }
    buf.truncate(len);
    Ok(buf)
}

impl Signer for FfiSigner {
    fn algorithm(&self) -> Algorithm {
        match self {
            FfiSigner::Software(k) => k.algorithm(),
            FfiSigner::Callback { alg, .. } => *alg,
        }
    }

    fn public_key(&self) -> &PublicKey {
        match self {
            FfiSigner::Software(k) => k.public_key(),
            FfiSigner::Callback { public, .. } => public,
        }
    }

    fn sign(&self, message: &[u8]) -> passerelle::Result<Vec<u8>> {
        let (alg, format, public, cb) = match self {
            FfiSigner::Software(k) => return k.sign(message),
            FfiSigner::Callback {
                alg,
                format,
                public,
                cb,
            } => (*alg, *format, public, cb),
        };
        let out = call_out(
            |sig, cap, len| {
                // SAFETY: the callback's contract (passerelle_signer_new): message is valid for
                // message.len() bytes, sig for cap bytes, len for one write, during the call.
                unsafe { (cb.f)(cb.user_data, message.as_ptr(), message.len(), sig, cap, len) }
            },
            "signer",
        )?;
        // exactly one conversion, chosen by the declared format, never by sniffing 0x30 (SIG-15)
        let raw = match format {
            SigFormat::Raw => out.to_vec(),
            SigFormat::Der => der_to_raw(&out, alg.curve().field_len())
                .ok_or_else(|| invalid("the signer callback returned bad DER"))?,
        };
        if raw.len() != alg.signature_len() {
            return Err(invalid(format!(
                "a raw {} signature is {} bytes; the signer callback returned {}",
                alg.jose_name(),
                alg.signature_len(),
                raw.len()
            )));
        }
        // a signature that does not verify never leaves the library
        let ring_alg: &dyn ring::signature::VerificationAlgorithm = match alg {
            Algorithm::Es256 => &ring::signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::Es384 => &ring::signature::ECDSA_P384_SHA384_FIXED,
            _ => &ring::signature::ED25519,
        };
        ring::signature::UnparsedPublicKey::new(ring_alg, public.raw())
            .verify(message, &raw)
            .map_err(|_| {
                invalid("the signer callback's signature does not verify under its public key")
            })?;
        Ok(raw)
    }
}

/// Strict DER `SEQUENCE { INTEGER r, INTEGER s }` to `r || s`, each left-padded
/// to `n` bytes. Any other encoding (BER lengths, negative or non-minimal
/// integers, trailing bytes, a value longer than `n`) is `None`.
pub(crate) fn der_to_raw(der: &[u8], n: usize) -> Option<Vec<u8>> {
    fn len_of(b: &[u8]) -> Option<(usize, &[u8])> {
        let (&first, rest) = b.split_first()?;
        match first {
            0..=0x7f => Some((usize::from(first), rest)),
            0x81 => {
                let (&l, rest) = rest.split_first()?;
                (l >= 0x80).then_some((usize::from(l), rest))
            }
            _ => None,
        }
    }
    fn integer(b: &[u8], n: usize) -> Option<(Vec<u8>, &[u8])> {
        let (&tag, rest) = b.split_first()?;
        if tag != 0x02 {
            return None;
        }
        let (len, rest) = len_of(rest)?;
        if len == 0 || rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        let first = *value.first()?;
        if first & 0x80 != 0 {
            return None; // negative
        }
        let value = if first == 0 {
            // a leading zero only to clear the sign bit
            let v = value.get(1..)?;
            if v.first().is_some_and(|&c| c & 0x80 == 0) {
                return None;
            }
            v
        } else {
            value
        };
        if value.len() > n {
            return None;
        }
        let mut out = vec![0u8; n - value.len()];
        out.extend_from_slice(value);
        Some((out, rest))
    }
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (len, body) = len_of(rest)?;
    if body.len() != len {
        return None;
    }
    let (mut r, body) = integer(body, n)?;
    let (s, body) = integer(body, n)?;
    if !body.is_empty() {
        return None;
    }
    r.extend_from_slice(&s);
    Some(r)
}

type AgreeFn = SignFn;

/// A key-agreement handle's object.
pub(crate) struct FfiKeyAgreement {
    pub(crate) public: PublicKey,
    pub(crate) cb: Callback<AgreeFn>,
}

impl KeyAgreement for FfiKeyAgreement {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn agree(&self, peer: &PublicKey) -> passerelle::Result<Zeroizing<Vec<u8>>> {
        if peer.curve() != self.public.curve() {
            return Err(Error::new(
                passerelle::ErrorKind::Malformed,
                "the peer key is on another curve than the device key",
            ));
        }
        let peer_raw = peer.raw();
        let secret = call_out(
            |out, cap, len| {
                // SAFETY: the callback's contract (passerelle_key_agreement_new): peer_raw is
                // valid for its length, out for cap bytes, len for one write, during the call.
                unsafe {
                    (self.cb.f)(
                        self.cb.user_data,
                        peer_raw.as_ptr(),
                        peer_raw.len(),
                        out,
                        cap,
                        len,
                    )
                }
            },
            "key agreement",
        )?;
        let want = self.public.curve().field_len();
        if secret.len() != want {
            return Err(invalid(format!(
                "an ECDH secret on {} is {want} bytes; the callback returned {}",
                self.public.curve().name(),
                secret.len()
            )));
        }
        Ok(secret)
    }
}

/// The algorithm of a `PASSERELLE_ALG_*` value.
pub(crate) fn algorithm(alg: u32) -> Option<Algorithm> {
    match alg {
        1 => Some(Algorithm::Es256),
        2 => Some(Algorithm::Es384),
        3 => Some(Algorithm::EdDsa),
        _ => None,
    }
}

/// Whether `alg` signs with a key on `curve`.
pub(crate) fn fits(alg: Algorithm, curve: Curve) -> bool {
    alg.curve() == curve
}

#[cfg(test)]
mod tests {
    use super::der_to_raw;

    #[test]
    fn der_is_converted_strictly() {
        // SEQUENCE { INTEGER 0x01, INTEGER 0x00ff } -> 0..01 || 0..ff
        let raw = der_to_raw(&[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0xff], 4);
        assert_eq!(raw, Some(vec![0, 0, 0, 1, 0, 0, 0, 0xff]));
        // a non-minimal leading zero, a negative integer, trailing data, a wrong length
        assert_eq!(
            der_to_raw(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01], 4),
            None
        );
        assert_eq!(
            der_to_raw(&[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01], 4),
            None
        );
        assert_eq!(
            der_to_raw(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00], 4),
            None
        );
        assert_eq!(
            der_to_raw(&[0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], 4),
            None
        );
        // an integer longer than the field
        assert_eq!(
            der_to_raw(&[0x30, 0x08, 0x02, 0x03, 1, 2, 3, 0x02, 0x01, 0x01], 2),
            None
        );
        // 64 raw bytes are not DER
        assert_eq!(der_to_raw(&[0x30; 64], 32), None);
    }
}
