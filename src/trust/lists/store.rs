//! The public entry points: lists checked against anchors the host configured
//! for list signers only.
//!
//! Each checked list is also held by the store (a refresh of a held list
//! replaces it, and must not go backwards), and feeds the store's lookups;
//! see [`held`](super::held) for what each service anchors.

use super::held::{self, HeldList, HeldVical, ListKind, Listed};
use super::lote::{check_lote, check_pointed_lote, Lote, LotePointer, SignerTrust};
use super::tsl::check_tsl;
use super::vical::{check_vical, Vical};
use super::ListOptions;
use crate::error::{limit, malformed, untrusted, ErrorKind, Result};
use crate::limits::{MAX_FOLLOWED_LISTS, MAX_LIST_POINTER_DEPTH};
use crate::time::UnixTime;
use crate::trust::x509::{self, TrustAnchorCert, ValidatedLeaf};
use crate::trust::{IssuerKey, KeyQuery, TrustBasis, TrustStore};

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
        let v = check_vical(bytes, &authorities, now, opts)?;
        self.hold_vical(&v, opts)?;
        Ok(v)
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
        let (kind, list) = check_list(bytes, SignerTrust::Anchors(&anchors), None, now, opts)?;
        self.hold_list(kind, &list, opts)?;
        Ok(list)
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
        let opts = ListOptions::default();
        let (kind, list) = check_list(
            bytes,
            SignerTrust::Announced(pointer.signers_all()),
            Some(pointer),
            now,
            &opts,
        )?;
        self.hold_list(kind, &list, &opts)?;
        Ok(list)
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

/// Checks a list in either format (`pointer`: the pointer of an already
/// checked list that announced its signer, for a LoTE).
fn check_list(
    bytes: &[u8],
    trust: SignerTrust<'_>,
    pointer: Option<&LotePointer>,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<(ListKind, Lote)> {
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
        return Ok((ListKind::Tsl, check_tsl(text, trust, now, opts)?));
    }
    let text = core::str::from_utf8(bytes).map_err(|_| malformed("a LoTE is not UTF-8 text"))?;
    let list = match (pointer, trust) {
        (Some(p), _) => check_pointed_lote(text, p, now, opts)?,
        (None, SignerTrust::Anchors(a)) => check_lote(text, a, now, opts)?,
        (None, SignerTrust::Announced(_)) => {
            return Err(untrusted("LoTE: an announced signer needs its pointer"))
        }
    };
    Ok((ListKind::Lote, list))
}

/// Whether `bytes` look like a VICAL (a COSE_Sign1: tag 18 or a 4-array).
pub(crate) fn looks_like_vical(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(0xd2 | 0x84))
}

impl TrustStore {
    /// Trusts the certificates in PEM text as anchors of **list signers
    /// only** (ETSI TS 119 602 LoTE, TS 119 612): lists checked by
    /// [`Self::add_list`] must chain to one. They never anchor a credential
    /// or a status list, so a list operator's root cannot sign a credential.
    pub fn add_list_anchor_pem(&mut self, pem: &str) -> Result<()> {
        self.list_anchors.extend(authorities(pem, "list anchor")?);
        Ok(())
    }

    /// Trusts the certificates in PEM text as VICAL authorities (anchors of
    /// VICAL signers only, never of a document signer).
    pub fn add_vical_authority_pem(&mut self, pem: &str) -> Result<()> {
        self.vical_authorities
            .extend(authorities(pem, "VICAL authority")?);
        Ok(())
    }

    /// Checks a list of trusted entities (LoTE as compact JAdES, or TS 119
    /// 612 XML, detected) and holds it: its signer must chain to an anchor of
    /// [`Self::add_list_anchor_pem`], or be announced for it by a pointer of
    /// a list already held (a national list under the LOTL, TL-03). A list
    /// that refreshes a held one (same format, type, operator, territory)
    /// replaces it, and must not go backwards (`Policy`).
    pub fn add_list(&mut self, bytes: &[u8], now: UnixTime, opts: &ListOptions) -> Result<Lote> {
        let anchored = if self.list_anchors.is_empty() {
            Err(untrusted("no list anchor is configured"))
        } else {
            check_list(
                bytes,
                SignerTrust::Anchors(&self.list_anchors),
                None,
                now,
                opts,
            )
        };
        let (kind, list) = match anchored {
            Ok(r) => r,
            Err(e) if e.kind() == ErrorKind::Untrusted => {
                let pointers: Vec<LotePointer> = self
                    .lists
                    .iter()
                    .flat_map(|h| h.list.pointers().iter().cloned())
                    .collect();
                let mut found = None;
                for p in &pointers {
                    if let Ok(r) = check_list(
                        bytes,
                        SignerTrust::Announced(p.signers_all()),
                        Some(p),
                        now,
                        opts,
                    ) {
                        found = Some(r);
                        break;
                    }
                }
                found.ok_or(e)?
            }
            Err(e) => return Err(e),
        };
        self.hold_list(kind, &list, opts)?;
        Ok(list)
    }

    /// [`Self::add_list`] for several lists in any order: a national list
    /// given before the LOTL that announces its signer is retried once the
    /// LOTL is held. The first list that cannot be trusted stops with its
    /// error.
    pub fn add_lists(
        &mut self,
        lists: &[&[u8]],
        now: UnixTime,
        opts: &ListOptions,
    ) -> Result<Vec<Lote>> {
        let mut pending: Vec<&[u8]> = lists.to_vec();
        let mut out = Vec::new();
        loop {
            let mut left = Vec::new();
            let mut first_err = None;
            for b in &pending {
                match self.add_list(b, now, opts) {
                    Ok(l) => out.push(l),
                    Err(e) if e.kind() == ErrorKind::Untrusted => {
                        first_err.get_or_insert(e);
                        left.push(*b);
                    }
                    Err(e) => return Err(e),
                }
            }
            match first_err {
                None => return Ok(out),
                Some(e) if left.len() == pending.len() => return Err(e),
                Some(_) => pending = left,
            }
        }
    }

    /// Checks a VICAL against the authorities of
    /// [`Self::add_vical_authority_pem`] and holds it (a refresh of the
    /// same provider's VICAL replaces it and must not go backwards).
    pub fn add_vical_anchored(
        &mut self,
        bytes: &[u8],
        now: UnixTime,
        opts: &ListOptions,
    ) -> Result<Vical> {
        let v = check_vical(bytes, &self.vical_authorities, now, opts)?;
        self.hold_vical(&v, opts)?;
        Ok(v)
    }

    fn hold_list(&mut self, kind: ListKind, list: &Lote, opts: &ListOptions) -> Result<()> {
        if let Some(h) = self
            .lists
            .iter_mut()
            .find(|h| held::same_list(h, kind, list))
        {
            h.list.check_successor(list)?;
            h.list = list.clone();
            h.opts = *opts;
            return Ok(());
        }
        self.lists.push(HeldList {
            kind,
            list: list.clone(),
            opts: *opts,
        });
        Ok(())
    }

    fn hold_vical(&mut self, v: &Vical, opts: &ListOptions) -> Result<()> {
        if let Some(h) = self
            .vicals
            .iter_mut()
            .find(|h| h.vical.provider() == v.provider())
        {
            h.vical.check_successor(v)?;
            h.vical = v.clone();
            h.opts = *opts;
            return Ok(());
        }
        self.vicals.push(HeldVical {
            vical: v.clone(),
            opts: *opts,
        });
        Ok(())
    }

    /// The key of an `x5c` issuer when lists are held: the chain validates
    /// to a configured anchor or to a CA an active issuance service lists for
    /// the credential's types, or its leaf is a listed end-entity
    /// certificate (direct trust). A configured anchor wins the report.
    pub(in crate::trust) fn key_from_x5c_listed(
        &self,
        chain: &[Vec<u8>],
        iss: Option<&str>,
        query: &KeyQuery<'_>,
    ) -> Result<IssuerKey> {
        let listed =
            held::credential_anchors(&self.lists, query.types, query.accredited_at, query.now);
        let (leaf, voucher) = self.leaf_listed(chain, &listed, query.now)?;
        if let Some(iss) = iss {
            if !x509::leaf_matches_issuer(&leaf, iss) {
                return Err(untrusted(format!(
                    "iss {:?} does not match the leaf certificate's subject alternative names",
                    crate::crypto::clip(iss)
                )));
            }
        }
        let (basis, assurance) = match voucher {
            Some(v) => (
                v.basis(&leaf.subject, &leaf.anchor_subject),
                v.assurance.clone(),
            ),
            None => (
                TrustBasis::X509 {
                    subject: leaf.subject.clone(),
                    anchor: leaf.anchor_subject.clone(),
                },
                self.anchor_assurance_of(&leaf),
            ),
        };
        Ok(IssuerKey {
            key: leaf.public_key.clone(),
            issuer_id: iss
                .map(str::to_owned)
                .unwrap_or_else(|| leaf.subject.clone()),
            assurance,
            accreditation: None,
            anchor_der: Some(leaf.anchor_der.clone()),
            basis,
        })
    }

    /// The leaf of a status list's `x5c` when lists are held: to a configured
    /// anchor, or to what an active revocation (or issuance) service lists.
    pub(in crate::trust) fn status_leaf_listed(
        &self,
        chain: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<ValidatedLeaf> {
        let listed = held::status_anchors(&self.lists, now);
        Ok(self.leaf_listed(chain, &listed, now)?.0)
    }

    /// Validates `chain` to the configured anchors and the listed CAs, or
    /// trusts its leaf directly when it is a listed end-entity certificate;
    /// the voucher is the list's when no configured anchor is the end.
    fn leaf_listed<'a>(
        &self,
        chain: &[Vec<u8>],
        listed: &'a [Listed],
        now: UnixTime,
    ) -> Result<(ValidatedLeaf, Option<&'a held::Voucher>)> {
        let leaf_der = chain
            .first()
            .ok_or_else(|| malformed("the certificate chain is empty"))?;
        if let Some(v) = held::direct_voucher(listed, leaf_der) {
            v.require_fresh(now)?;
            return Ok((x509::directly_trusted_leaf(leaf_der, now)?, Some(v)));
        }
        let mut anchors = self.anchors.clone();
        anchors.extend(held::anchors_of(listed));
        let leaf = x509::validate_chain(chain, &anchors, now, x509::ChainPurpose::SdJwtVcIssuer)?;
        if self
            .anchors
            .iter()
            .any(|a| a.der() == leaf.anchor_der.as_slice())
        {
            return Ok((leaf, None));
        }
        let v = held::voucher_for(listed, &leaf.anchor_der)
            .ok_or_else(|| untrusted("the validated path ends at an unknown anchor"))?;
        v.require_fresh(now)?;
        Ok((leaf, Some(v)))
    }

    /// The IACAs the held lists supply for `doc_type` (every docType when
    /// `None`): VICAL entries scoped to it, and, for the EU PID, the CAs of
    /// the held LoTEs' active PID issuance services.
    pub(in crate::trust) fn listed_iacas(
        &self,
        doc_type: Option<&str>,
        now: UnixTime,
    ) -> Vec<Listed> {
        let mut out = held::vical_anchors(&self.vicals, doc_type, now);
        if doc_type.is_none_or(held::is_pid_type) {
            out.extend(held::credential_anchors(
                &self.lists,
                &["eu.europa.ec.eudi.pid.1"],
                now,
                now,
            ));
        }
        out
    }
}

/// Checks a trust list's signature and returns what it says, as JSON (for
/// `passerelle trust inspect`): a VICAL (a COSE_Sign1, detected by its first
/// byte) against the certificates of `vical_authority_pem`, otherwise a LoTE
/// or TS 119 612 list against those of `list_anchor_pem`, each judged at
/// `at` (service status, freshness). Nothing is trusted without its anchor:
/// a missing one is `Untrusted`.
pub fn inspect_trust_list(
    bytes: &[u8],
    list_anchor_pem: Option<&str>,
    vical_authority_pem: Option<&str>,
    at: UnixTime,
    opts: &ListOptions,
) -> Result<serde_json::Value> {
    let mut t = TrustStore::new();
    if looks_like_vical(bytes) {
        let pem = vical_authority_pem
            .ok_or_else(|| untrusted("a VICAL is checked against a VICAL authority"))?;
        return Ok(t.add_vical_with(bytes, pem, at, opts)?.to_json());
    }
    let pem = list_anchor_pem
        .ok_or_else(|| untrusted("a trusted list is checked against a list anchor"))?;
    Ok(t.add_trusted_list_with(bytes, pem, at, opts)?.to_json(at))
}
