//! The public entry points: lists checked against anchors the host configured
//! for list signers only.
//!
//! These return what the list says; they do not yet change the store (the
//! fields that will hold the results are listed in the report of issue 11).

use super::vical::{check_vical, Vical};
use super::ListOptions;
use crate::error::{malformed, Result};
use crate::time::UnixTime;
use crate::trust::x509::TrustAnchorCert;
use crate::trust::TrustStore;

impl TrustStore {
    /// Checks a VICAL (ISO/IEC 18013-5 Annex C; `bytes`: its COSE_Sign1,
    /// tagged or not) whose signer must chain to a certificate of
    /// `authority_pem` (one or more PEM certificates, trusted for VICAL
    /// signers only), at `now`. Returns its IACAs, each scoped to its docTypes.
    ///
    /// Errors: `LimitExceeded`, `Malformed`, `Untrusted` (no `x5chain`, no
    /// path to the authority), `Expired` (the signer's certificate),
    /// `Signature`, `NotYetValid` (`date` in the future), `Policy` (stale:
    /// `nextUpdate` passed; see [`Self::add_vical_with`]).
    pub fn add_vical(&mut self, bytes: &[u8], authority_pem: &str, now: UnixTime) -> Result<Vical> {
        self.add_vical_with(bytes, authority_pem, now, &ListOptions::default())
    }

    /// [`Self::add_vical`] with explicit freshness options.
    pub fn add_vical_with(
        &mut self,
        bytes: &[u8],
        authority_pem: &str,
        now: UnixTime,
        opts: &ListOptions,
    ) -> Result<Vical> {
        let authorities = authorities(authority_pem, "VICAL authority")?;
        check_vical(bytes, &authorities, now, opts)
    }
}

fn authorities(pem: &str, what: &str) -> Result<Vec<TrustAnchorCert>> {
    let a = TrustAnchorCert::from_pem(pem).map_err(|e| e.context(what))?;
    if a.is_empty() {
        return Err(malformed(format!("{what}: no PEM certificate")));
    }
    Ok(a)
}
