//! A cache of validated document-signer paths (mdoc `x5chain` → IACA), so a
//! verifier that sees the same document signer again skips path building and
//! the DS certificate's signature check.
//!
//! What makes a hit sound: a path's validation depends only on the chain's
//! bytes, the anchor it ended at, the purpose, and the time (every other check
//! — signatures, constraints, EKU — is time-independent). So an entry is keyed
//! by the exact chain bytes and used only when
//! - the anchor it validated to is still among the caller's current anchors
//!   (configured or listed *at the time judged*: a withdrawn list entry or a
//!   changed trust store is a miss, never a stale hit), and
//! - the time judged lies inside the validity of every certificate of the
//!   chain and of the anchor (a conservative window: a narrower one only
//!   costs a miss).
//!
//! Entries are content-checked, so clones of a `TrustStore` (and threads
//! sharing a verifier) share one cache safely. Bounded: at
//! [`MAX_DS_CACHE_ENTRIES`] the cache is emptied before the next insert.

use super::x509::{TrustAnchorCert, ValidatedLeaf};
use crate::time::UnixTime;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most validated document-signer paths kept.
pub(crate) const MAX_DS_CACHE_ENTRIES: usize = 256;

struct Entry {
    leaf: ValidatedLeaf,
    not_before: UnixTime,
    not_after: UnixTime,
}

/// The shared cache (cheap to clone: one `Arc`).
#[derive(Clone, Default)]
pub(crate) struct DsCache(
    Arc<Mutex<HashMap<Vec<Vec<u8>>, Entry>>>,
    #[cfg(test)] Arc<std::sync::atomic::AtomicUsize>,
);

impl core::fmt::Debug for DsCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self.0.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "DsCache({n} paths)")
    }
}

impl DsCache {
    /// The validated leaf of `chain` at `now`, when a sound entry exists: its
    /// anchor is one of `anchors` and `now` is inside its window.
    pub(crate) fn get<'a>(
        &self,
        chain: &[Vec<u8>],
        now: UnixTime,
        mut anchors: impl Iterator<Item = &'a TrustAnchorCert>,
    ) -> Option<ValidatedLeaf> {
        let map = self.0.lock().ok()?;
        let e = map.get(chain)?;
        if now < e.not_before || now > e.not_after {
            return None;
        }
        if !anchors.any(|a| a.der() == e.leaf.anchor_der.as_slice()) {
            return None;
        }
        #[cfg(test)]
        let _ = self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(e.leaf.clone())
    }

    /// Keeps `leaf`, the result of validating `chain` to `anchor`.
    pub(crate) fn put(
        &self,
        chain: &[Vec<u8>],
        leaf: &ValidatedLeaf,
        anchor: Option<&TrustAnchorCert>,
    ) {
        let Some(anchor) = anchor else { return };
        let (mut nb, mut na) = anchor.validity();
        for der in chain {
            match crate::x509::Certificate::from_der(der).and_then(|c| c.validity()) {
                Ok((b, a)) => {
                    nb = nb.max(b);
                    na = na.min(a);
                }
                // a certificate that does not parse here never makes an entry
                Err(_) => return,
            }
        }
        let Ok(mut map) = self.0.lock() else { return };
        if map.len() >= MAX_DS_CACHE_ENTRIES {
            map.clear();
        }
        map.insert(
            chain.to_vec(),
            Entry {
                leaf: leaf.clone(),
                not_before: nb,
                not_after: na,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    #[cfg(test)]
    pub(crate) fn hits(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }
}
