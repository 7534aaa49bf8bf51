//! Lists a [`TrustStore`](crate::TrustStore) holds, and what they anchor at a
//! time. Each lookup judges again: service status at the time judged (from
//! the service history), and freshness at the verification time.
//!
//! # What a listed service anchors
//!
//! | list / service | anchors | framework / level |
//! |---|---|---|
//! | LoTE `.../SvcType/PID/Issuance` | SD-JWT VC `x5c` and mdoc `x5chain` of PID credentials only (vct `urn:eudi:pid:…` / `urn:eu.europa.ec.eudi:pid:…`, docType `eu.europa.ec.eudi.pid.1`) | `eIDAS` / `eIDAS-high` on an `EUPIDProvidersList`, `eIDAS` / none on another EU profile, none otherwise |
//! | LoTE `.../SvcType/PubEAA/Issuance` | SD-JWT VC `x5c` of any credential that is not a PID | `eIDAS` / none |
//! | LoTE `.../SvcType/{PID,PubEAA}/Revocation` | status-list signers (whose certificate must still name the credential's issuer) | — |
//! | wallet, relying-party and register services; TS 119 612 trust services | nothing a credential verifier uses | — |
//! | VICAL entry | mdoc document signers of the entry's docTypes only | — |
//!
//! A listed CA certificate anchors chains (path validation); a listed
//! end-entity certificate is trusted directly when it is the credential's
//! own signer certificate (`x5c[0]`), within its validity, and still must
//! name the issuer (`iss`) in its subjectAltName. A listed JWK anchors no
//! credential: the list binds it to no issuer identifier, so any `iss`
//! could claim it (it is shown by `trust inspect`, never used). A list
//! anchor (`--list-anchor`) and a VICAL authority anchor only list signers:
//! they are kept apart from the credential anchors and never reach a
//! credential lookup.

use super::lote::{Capability, IdentityKind, Lote, LoteService, Provision};
use super::vical::Vical;
use super::ListOptions;
use crate::error::{policy, Result};
use crate::time::UnixTime;
use crate::trust::x509::TrustAnchorCert;
use crate::trust::{Assurance, TrustBasis};

const LOTE_TYPE_EU_PID: &str = "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList";
const LOTE_TYPE_EU_PREFIX: &str = "http://uri.etsi.org/19602/LoTEType/EU";
/// The EU PID in mdoc.
const DOCTYPE_EU_PID: &str = "eu.europa.ec.eudi.pid.1";

/// Which format a held list came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// ETSI TS 119 602 LoTE (JAdES).
    Lote,
    /// ETSI TS 119 612 XML (XAdES).
    Tsl,
}

impl ListKind {
    fn name(self) -> &'static str {
        match self {
            ListKind::Lote => "lote",
            ListKind::Tsl => "ts119612",
        }
    }
}

/// A checked list of trusted entities, as held by the store.
#[derive(Clone, Debug)]
pub(crate) struct HeldList {
    pub(crate) kind: ListKind,
    pub(crate) list: Lote,
    pub(crate) opts: ListOptions,
}

/// A checked VICAL, as held by the store.
#[derive(Clone, Debug)]
pub(crate) struct HeldVical {
    pub(crate) vical: Vical,
    pub(crate) opts: ListOptions,
}

/// Whether `new` is a refresh of `held` (the same list from the same
/// operator): same format, type, operator and territory.
pub(crate) fn same_list(held: &HeldList, kind: ListKind, new: &Lote) -> bool {
    held.kind == kind
        && held.list.lote_type == new.lote_type
        && held.list.operator_name == new.operator_name
        && held.list.territory == new.territory
}

/// What vouched for an anchor a list supplied, and whether that list is
/// fresh at the verification time.
#[derive(Clone, Debug)]
pub(crate) struct Voucher {
    basis_list: String,
    kind: &'static str,
    operator: Option<String>,
    sequence_number: Option<u64>,
    entity: Option<String>,
    service: String,
    pub(crate) assurance: Assurance,
    /// `Some(next_update)` when the list is stale at the verification time
    /// and staleness was not accepted.
    stale: Option<UnixTime>,
}

impl Voucher {
    /// `Policy` when the list that vouched is stale at the verification time.
    pub(crate) fn require_fresh(&self, now: UnixTime) -> Result<()> {
        match self.stale {
            Some(next) => Err(policy(format!(
                "the {} list that vouches for this issuer is stale: its next update {} is before the time judged {}",
                self.kind,
                next.to_rfc3339(),
                now.to_rfc3339()
            ))),
            None => Ok(()),
        }
    }

    /// The trust basis reported in the result.
    pub(crate) fn basis(&self, subject: &str, anchor: &str) -> TrustBasis {
        TrustBasis::List {
            kind: self.kind.to_owned(),
            list: self.basis_list.clone(),
            operator: self.operator.clone(),
            sequence_number: self.sequence_number,
            entity: self.entity.clone(),
            service: self.service.clone(),
            subject: subject.to_owned(),
            anchor: anchor.to_owned(),
        }
    }
}

/// One certificate a list names for a service, with its voucher.
#[derive(Clone, Debug)]
pub(crate) struct Listed {
    /// A CA certificate (anchors chains).
    pub(crate) anchor: Option<TrustAnchorCert>,
    /// An end-entity certificate (trusted directly), DER.
    pub(crate) direct: Option<Vec<u8>>,
    pub(crate) voucher: Voucher,
}

/// Whether a credential type is the EU PID (SD-JWT VC vct or mdoc docType).
pub(crate) fn is_pid_type(t: &str) -> bool {
    t == DOCTYPE_EU_PID
        || t.starts_with("urn:eudi:pid:")
        || t.starts_with("urn:eu.europa.ec.eudi:pid:")
}

/// What the services of the held lists that grant `want` (a predicate on the
/// capability) name, for services active at `at`; freshness is judged at `now`.
fn listed(
    lists: &[HeldList],
    want: impl Fn(Capability) -> bool,
    at: UnixTime,
    now: UnixTime,
) -> Vec<Listed> {
    let mut out = Vec::new();
    for held in lists {
        let l = &held.list;
        let stale = l.next_update.filter(|n| *n < now && !held.opts.allow_stale);
        for e in &l.entities {
            for s in &e.services {
                if !want(s.capability) || s.require_active_at(at).is_err() {
                    continue;
                }
                let voucher = Voucher {
                    basis_list: l
                        .lote_type
                        .clone()
                        .unwrap_or_else(|| "(untyped list)".into()),
                    kind: held.kind.name(),
                    operator: l.operator_name.clone(),
                    sequence_number: l.sequence_number,
                    entity: e.name.clone(),
                    service: s.type_uri.clone(),
                    assurance: assurance(held.kind, l, s),
                    stale,
                };
                for id in &s.identities {
                    match id.kind {
                        IdentityKind::CaCertificate => out.push(Listed {
                            anchor: id.anchor.clone(),
                            direct: None,
                            voucher: voucher.clone(),
                        }),
                        IdentityKind::EndEntityCertificate => out.push(Listed {
                            anchor: None,
                            direct: id.der.clone(),
                            voucher: voucher.clone(),
                        }),
                        // TL-06, and keys the list binds to no issuer id.
                        IdentityKind::PublicKey | IdentityKind::NameOnly => {}
                    }
                }
            }
        }
    }
    out
}

/// The framework and level a listed service implies (see the room's table).
fn assurance(kind: ListKind, l: &Lote, s: &LoteService) -> Assurance {
    let eu = kind == ListKind::Lote
        && l.lote_type
            .as_deref()
            .is_some_and(|t| t.starts_with(LOTE_TYPE_EU_PREFIX));
    if !eu {
        return Assurance::default();
    }
    let level = (s.capability == Capability::Issuance(Provision::Pid)
        && l.lote_type.as_deref() == Some(LOTE_TYPE_EU_PID))
    .then(|| "eIDAS-high".to_owned());
    Assurance {
        framework: Some("eIDAS".to_owned()),
        level,
    }
}

/// What may anchor the issuer of a credential of `types`: issuance services
/// whose provision admits the types, active at `at`.
pub(crate) fn credential_anchors(
    lists: &[HeldList],
    types: &[&str],
    at: UnixTime,
    now: UnixTime,
) -> Vec<Listed> {
    let pid = types.iter().any(|t| is_pid_type(t));
    let typed = !types.is_empty();
    listed(
        lists,
        |c| match c {
            Capability::Issuance(Provision::Pid) => pid,
            Capability::Issuance(Provision::PubEaa) => typed && !pid,
            _ => false,
        },
        at,
        now,
    )
}

/// What may anchor a status-list signer: the revocation services of the
/// credential-issuing provisions, and the issuance services themselves (a
/// chain to the same anchors), active at `now`.
pub(crate) fn status_anchors(lists: &[HeldList], now: UnixTime) -> Vec<Listed> {
    listed(
        lists,
        |c| {
            matches!(
                c,
                Capability::Revocation(Provision::Pid | Provision::PubEaa)
                    | Capability::Issuance(Provision::Pid | Provision::PubEaa)
            )
        },
        now,
        now,
    )
}

/// The IACAs the held VICALs list for `doc_type`, with their voucher.
pub(crate) fn vical_anchors(
    vicals: &[HeldVical],
    doc_type: Option<&str>,
    now: UnixTime,
) -> Vec<Listed> {
    let mut out = Vec::new();
    for held in vicals {
        let v = &held.vical;
        let stale = v.next_update.filter(|n| *n < now && !held.opts.allow_stale);
        for e in &v.entries {
            let service = match doc_type {
                Some(d) if e.doc_types.iter().any(|x| x == d) => d.to_owned(),
                Some(_) => continue,
                None => e.doc_types.join(" "),
            };
            out.push(Listed {
                anchor: Some(e.anchor.clone()),
                direct: None,
                voucher: Voucher {
                    basis_list: format!("VICAL of {}", v.provider),
                    kind: "vical",
                    operator: Some(v.provider.clone()),
                    sequence_number: v.issue_id,
                    entity: e.issuing_authority.clone(),
                    service,
                    assurance: Assurance::default(),
                    stale,
                },
            });
        }
    }
    out
}

/// The listed anchors as a plain anchor set.
pub(crate) fn anchors_of(listed: &[Listed]) -> Vec<TrustAnchorCert> {
    listed.iter().filter_map(|l| l.anchor.clone()).collect()
}

/// The voucher of the listed CA whose DER is `der` (the first, in list order).
pub(crate) fn voucher_for<'a>(listed: &'a [Listed], der: &[u8]) -> Option<&'a Voucher> {
    listed
        .iter()
        .find(|l| l.anchor.as_ref().is_some_and(|a| a.der() == der))
        .map(|l| &l.voucher)
}

/// The voucher of the listed end-entity certificate `der`, if any.
pub(crate) fn direct_voucher<'a>(listed: &'a [Listed], der: &[u8]) -> Option<&'a Voucher> {
    listed
        .iter()
        .find(|l| l.direct.as_deref() == Some(der))
        .map(|l| &l.voucher)
}
