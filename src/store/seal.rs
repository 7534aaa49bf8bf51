//! AES-256-GCM sealing of rows, and the associated data that binds each
//! ciphertext to its place.

use super::storage;
use crate::crypto::SecureRandom;
use crate::error::Result;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

/// Bytes of the random nonce stored in front of every ciphertext (96 bits).
pub(super) const NONCE_LEN: usize = 12;
/// Bytes of the GCM tag stored after every ciphertext.
pub(super) const TAG_LEN: usize = 16;
/// What sealing adds to a plaintext.
pub(super) const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// The wallet key, kept zeroizing; ring's expanded key is rebuilt for each
/// operation so it lives only on the stack of that call.
pub(super) struct Sealer {
    key: Zeroizing<[u8; 32]>,
}

/// An AEAD failure: the tag did not verify, or the sealed bytes are too short.
/// Callers turn it into a `Storage` error naming what failed to open.
#[derive(Debug)]
pub(super) struct OpenFailed;

impl Sealer {
    pub(super) fn new(key: Zeroizing<[u8; 32]>) -> Self {
        Sealer { key }
    }

    fn ring_key(&self) -> Result<LessSafeKey> {
        UnboundKey::new(&aead::AES_256_GCM, self.key.as_slice())
            .map(LessSafeKey::new)
            .map_err(|_| storage("the wallet key cannot be used with AES-256-GCM"))
    }

    /// `nonce ‖ ciphertext ‖ tag`, with a fresh random nonce from `rng`.
    pub(super) fn seal(
        &self,
        rng: &dyn SecureRandom,
        plaintext: &[u8],
        aad: &AadBuilder,
    ) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)
            .map_err(|e| storage(format!("no random nonce: {}", e.message())))?;
        let key = self.ring_key()?;
        let mut buf = Zeroizing::new(plaintext.to_vec());
        let tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.bytes()),
                buf.as_mut_slice(),
            )
            .map_err(|_| storage("sealing failed"))?;
        let mut out = Vec::with_capacity(buf.len().saturating_add(OVERHEAD));
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Opens `nonce ‖ ciphertext ‖ tag`. On failure nothing of the plaintext is
    /// returned (ring checks the tag before it releases anything).
    pub(super) fn open(
        &self,
        sealed: &[u8],
        aad: &AadBuilder,
    ) -> core::result::Result<Zeroizing<Vec<u8>>, OpenFailed> {
        let (nonce, rest) = sealed.split_at_checked(NONCE_LEN).ok_or(OpenFailed)?;
        if rest.len() < TAG_LEN {
            return Err(OpenFailed);
        }
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| OpenFailed)?;
        let key = self.ring_key().map_err(|_| OpenFailed)?;
        let mut buf = Zeroizing::new(rest.to_vec());
        let len = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.bytes()),
                buf.as_mut_slice(),
            )
            .map_err(|_| OpenFailed)?
            .len();
        buf.truncate(len);
        Ok(buf)
    }
}

/// Associated data: a domain label, then fields, each length-prefixed or
/// fixed-width so that no two field lists encode alike.
pub(super) struct AadBuilder(Vec<u8>);

impl AadBuilder {
    /// Starts the associated data of one kind of sealed value in one store.
    pub(super) fn new(domain: &str, store_id: &[u8]) -> Self {
        AadBuilder(Vec::with_capacity(128))
            .bytes_field(b"passerelle/store")
            .bytes_field(domain.as_bytes())
            .bytes_field(store_id)
    }

    pub(super) fn bytes_field(mut self, b: &[u8]) -> Self {
        let len = u64::try_from(b.len()).unwrap_or(u64::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(b);
        self
    }

    pub(super) fn str_field(self, s: &str) -> Self {
        self.bytes_field(s.as_bytes())
    }

    pub(super) fn u64_field(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub(super) fn opt_u64_field(mut self, v: Option<u64>) -> Self {
        match v {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                self = self.u64_field(v);
            }
        }
        self
    }

    pub(super) fn opt_str_field(mut self, v: Option<&str>) -> Self {
        match v {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                self = self.str_field(v);
            }
        }
        self
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }
}
