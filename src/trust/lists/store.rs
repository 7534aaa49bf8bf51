//! The public entry points: lists checked against anchors the host configured
//! for list signers only.
//!
//! These return what the list says; they do not yet change the store (the
//! fields that will hold the results are listed in the report of issue 11).

use super::lote::{check_lote, check_pointed_lote, Lote, LotePointer, SignerTrust};
use super::tsl::check_tsl;
use super::vical::{check_vical, Vical};
use super::ListOptions;
use crate::error::{limit, malformed, Result};
use crate::limits::{MAX_FOLLOWED_LISTS, MAX_LIST_POINTER_DEPTH};
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

    /// Checks a list of trusted entities whose signer must chain to a
    /// certificate of `list_anchor_pem` (trusted for list signers only, never
    /// for credentials), at `now`. `bytes`: an ETSI TS 119 602 LoTE as
    /// compact JAdES (`.jwt`), or an ETSI TS 119 612 XML list (detected by its
    /// `<`) with an enveloped XAdES-B-B signature; unsigned JSON is `Untrusted`.
    ///
    /// Errors: `LimitExceeded`, `Malformed`, `Unsupported`, `Untrusted` (no
    /// `x5c`, no path to the anchor), `Expired` (the signer's certificate),
    /// `Signature`, `NotYetValid` (issued or `sigT` in the future), `Policy`
    /// (stale: `NextUpdate` passed; a pointer that is not https).
    pub fn add_trusted_list(
        &mut self,
        bytes: &[u8],
        list_anchor_pem: &str,
        now: UnixTime,
    ) -> Result<Lote> {
        self.add_trusted_list_with(bytes, list_anchor_pem, now, &ListOptions::default())
    }

    /// [`Self::add_trusted_list`] with explicit freshness options.
    pub fn add_trusted_list_with(
        &mut self,
        bytes: &[u8],
        list_anchor_pem: &str,
        now: UnixTime,
        opts: &ListOptions,
    ) -> Result<Lote> {
        let anchors = authorities(list_anchor_pem, "list anchor")?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'<') {
            // TL-01, before any parsing: genuine trusted lists carry no DTD.
            let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
            if has(b"<!DOCTYPE") || has(b"<!ENTITY") {
                return Err(malformed(
                    "a trusted list must not carry a DTD or entity declarations",
                ));
            }
            let text = core::str::from_utf8(bytes)
                .map_err(|_| malformed("an XML trusted list is not UTF-8 text"))?;
            return check_tsl(text, SignerTrust::Anchors(&anchors), now, opts);
        }
        let text =
            core::str::from_utf8(bytes).map_err(|_| malformed("a LoTE is not UTF-8 text"))?;
        check_lote(text, &anchors, now, opts)
    }

    /// Checks the LoTE a pointer of an already checked LoTE points to (the
    /// host fetched `bytes` from the pointer's https location): its
    /// signer must be a certificate the pointer announces, or chain to an
    /// announced CA; configured list anchors play no part (TL-03).
    pub fn add_pointed_list(
        &mut self,
        bytes: &[u8],
        pointer: &LotePointer,
        now: UnixTime,
    ) -> Result<Lote> {
        let text = core::str::from_utf8(bytes)
            .map_err(|_| malformed("a trusted list is not UTF-8 text"))?;
        if text.trim_start().starts_with('<') {
            return check_tsl(
                text,
                SignerTrust::Announced(pointer.signers_all()),
                now,
                &ListOptions::default(),
            );
        }
        check_pointed_lote(text, pointer, now, &ListOptions::default())
    }
}

/// How the host fetches a list a pointer names. The core does no network
/// I/O: the host fetches, over https only (pointers to anything else were
/// already refused as `Policy` when their list was checked).
pub trait ListFetcher {
    /// The bytes served at `https_url`, as fetched.
    fn fetch(&self, https_url: &str) -> Result<Vec<u8>>;
}

impl TrustStore {
    /// Follows the pointers of a checked list (`root`, fetched from
    /// `root_location`) breadth first through `fetcher`, checking each
    /// pointed list against the signers its pointer announces. A location
    /// already visited is not fetched again (cycles end there); pointers
    /// deeper than [`MAX_LIST_POINTER_DEPTH`] are not followed; more than
    /// [`MAX_FOLLOWED_LISTS`] lists is `LimitExceeded`. Any failure stops the
    /// walk with its kind. Returns each list with its location.
    pub fn follow_pointers(
        &mut self,
        root: &Lote,
        root_location: &str,
        fetcher: &dyn ListFetcher,
        now: UnixTime,
    ) -> Result<Vec<(String, Lote)>> {
        let mut seen: Vec<String> = vec![root_location.to_owned()];
        let mut out: Vec<(String, Lote)> = Vec::new();
        let mut frontier: Vec<LotePointer> = root.pointers().to_vec();
        for _depth in 0..MAX_LIST_POINTER_DEPTH {
            let mut next = Vec::new();
            for pointer in frontier {
                if seen.iter().any(|s| s == pointer.location()) {
                    continue;
                }
                if out.len() >= MAX_FOLLOWED_LISTS {
                    return Err(limit(format!(
                        "more than {MAX_FOLLOWED_LISTS} lists reached through pointers"
                    )));
                }
                seen.push(pointer.location().to_owned());
                let bytes = fetcher.fetch(pointer.location())?;
                let list = self
                    .add_pointed_list(&bytes, &pointer, now)
                    .map_err(|e| e.context(pointer.location()))?;
                next.extend(list.pointers().iter().cloned());
                out.push((pointer.location().to_owned(), list));
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        Ok(out)
    }
}

fn authorities(pem: &str, what: &str) -> Result<Vec<TrustAnchorCert>> {
    let a = TrustAnchorCert::from_pem(pem).map_err(|e| e.context(what))?;
    if a.is_empty() {
        return Err(malformed(format!("{what}: no PEM certificate")));
    }
    Ok(a)
}
