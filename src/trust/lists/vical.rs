//! ISO/IEC 18013-5 Annex C VICAL: a signed list of IACA certificates, each
//! scoped to the docTypes it may anchor. Decisions are in the room's docs.

use super::ListOptions;
use crate::cose::{decode, CoseSign1, Item, Value};
use crate::error::{limit, malformed, not_yet_valid, policy, untrusted, ErrorKind, Result};
use crate::limits::{MAX_VICAL_BYTES, MAX_VICAL_DOCTYPES, MAX_VICAL_ENTRIES};
use crate::time::UnixTime;
use crate::trust::x509::{validate_chain, ChainPurpose, TrustAnchorCert};

/// A VICAL whose signature and signer chain were checked.
#[derive(Clone, Debug)]
pub struct Vical {
    pub(crate) version: String,
    pub(crate) provider: String,
    pub(crate) date: UnixTime,
    pub(crate) issue_id: Option<u64>,
    pub(crate) next_update: Option<UnixTime>,
    pub(crate) signer_subject: String,
    pub(crate) authority_subject: String,
    pub(crate) entries: Vec<VicalEntry>,
    pub(crate) refused: Vec<RefusedEntry>,
}

/// One IACA a VICAL lists, and the docTypes it may anchor.
#[derive(Clone, Debug)]
pub struct VicalEntry {
    pub(crate) anchor: TrustAnchorCert,
    pub(crate) doc_types: Vec<String>,
    pub(crate) issuing_authority: Option<String>,
    pub(crate) issuing_country: Option<String>,
}

/// An entry that is listed but never used as an anchor, and why.
#[derive(Clone, Debug)]
pub struct RefusedEntry {
    /// Its index in `certificateInfos`.
    pub index: usize,
    /// Why it was refused.
    pub kind: ErrorKind,
    /// The precise reason.
    pub message: String,
}

impl Vical {
    /// `vicalProvider`.
    pub fn provider(&self) -> &str {
        &self.provider
    }
    /// `version`.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// `date`, the issue time.
    pub fn date(&self) -> UnixTime {
        self.date
    }
    /// `vicalIssueID`, when present (must not go backwards on refresh).
    pub fn issue_id(&self) -> Option<u64> {
        self.issue_id
    }
    /// `nextUpdate`, when present.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }
    /// The subject of the certificate that signed the VICAL.
    pub fn signer_subject(&self) -> &str {
        &self.signer_subject
    }
    /// The subject of the configured VICAL authority the signer chains to.
    pub fn authority_subject(&self) -> &str {
        &self.authority_subject
    }
    /// The IACAs that may anchor document signers, each scoped to its docTypes.
    pub fn entries(&self) -> &[VicalEntry] {
        &self.entries
    }
    /// Entries never used as anchors.
    pub fn refused(&self) -> &[RefusedEntry] {
        &self.refused
    }
    /// Fails with `Policy` when `newer`, a refreshed VICAL, goes backwards:
    /// a lower `vicalIssueID` (monotonically increasing per Annex C) or an
    /// earlier `date`.
    pub fn check_successor(&self, newer: &Vical) -> Result<()> {
        if let (Some(old), Some(new)) = (self.issue_id, newer.issue_id) {
            if new < old {
                return Err(policy(format!(
                    "VICAL: refreshed vicalIssueID {new} is below the {old} already seen"
                )));
            }
        }
        if newer.date < self.date {
            return Err(policy(
                "VICAL: refreshed VICAL is dated before the one already seen",
            ));
        }
        Ok(())
    }

    /// The IACAs this VICAL lists for `doc_type` (J-10: an IACA listed for
    /// another docType is not among them).
    #[cfg_attr(not(test), allow(dead_code))] // used by the unit tests only
    pub(crate) fn anchors_for(&self, doc_type: &str) -> Vec<TrustAnchorCert> {
        self.entries
            .iter()
            .filter(|e| e.doc_types.iter().any(|d| d == doc_type))
            .map(|e| e.anchor.clone())
            .collect()
    }
}

impl VicalEntry {
    /// The IACA certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        self.anchor.der()
    }
    /// The IACA's subject.
    pub fn subject(&self) -> &str {
        self.anchor.subject()
    }
    /// The docTypes it may anchor.
    pub fn doc_types(&self) -> &[String] {
        &self.doc_types
    }
    /// `issuingAuthority`, as the VICAL provider wrote it (informational).
    pub fn issuing_authority(&self) -> Option<&str> {
        self.issuing_authority.as_deref()
    }
    /// `issuingCountry`, as the VICAL provider wrote it (informational).
    pub fn issuing_country(&self) -> Option<&str> {
        self.issuing_country.as_deref()
    }
}

/// Checks a VICAL (`bytes`: the COSE_Sign1) against `authorities` at `now`.
pub(crate) fn check_vical(
    bytes: &[u8],
    authorities: &[TrustAnchorCert],
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Vical> {
    if bytes.len() > MAX_VICAL_BYTES {
        return Err(limit(format!(
            "VICAL of {} bytes exceeds the limit of {MAX_VICAL_BYTES}",
            bytes.len()
        )));
    }
    let sign1 = CoseSign1::parse(bytes).map_err(|e| e.context("VICAL"))?;
    let payload = sign1
        .payload()
        .ok_or_else(|| malformed("VICAL: the COSE_Sign1 payload is detached (nil)"))?;
    let chain = sign1
        .x5chain()
        .map_err(|e| e.context("VICAL"))?
        .ok_or_else(|| untrusted("VICAL: no x5chain, so no signer certificate to check"))?;
    if authorities.is_empty() {
        return Err(untrusted("VICAL: no VICAL authority is configured"));
    }
    let leaf = validate_chain(&chain, authorities, now, ChainPurpose::VicalSigner)
        .map_err(|e| e.context("VICAL signer"))?;
    let _checked = sign1
        .verify(&leaf.public_key, &[], None)
        .map_err(|e| e.context("VICAL signature"))?;

    // Only now is the payload read.
    read_vical(payload, leaf.subject, leaf.anchor_subject, now, opts)
}

/// Reads a VICAL payload whose signature was checked (or, for the fuzzer, not).
pub(crate) fn read_vical(
    payload: &[u8],
    signer_subject: String,
    authority_subject: String,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Vical> {
    let item = decode(payload).map_err(|e| e.context("VICAL payload"))?;
    let map = item.as_map("VICAL payload")?;
    let version = req(map, "version")?.as_text("VICAL version")?.to_owned();
    let provider = req(map, "vicalProvider")?
        .as_text("VICAL vicalProvider")?
        .to_owned();
    let date = req(map, "date")?.tdate("VICAL date")?.time;
    let issue_id = match get(map, "vicalIssueID") {
        Some(i) => Some(i.as_uint("VICAL vicalIssueID")?),
        None => None,
    };
    let next_update = match get(map, "nextUpdate") {
        Some(i) => Some(i.tdate("VICAL nextUpdate")?.time),
        None => None,
    };
    if date.as_secs() > now.as_secs().saturating_add(opts.skew) {
        return Err(not_yet_valid(format!(
            "VICAL: issued at {} (date), after the time judged {}",
            date.to_rfc3339(),
            now.to_rfc3339()
        )));
    }
    if let Some(next) = next_update {
        if next < now && !opts.allow_stale {
            return Err(policy(format!(
                "VICAL: stale, its nextUpdate {} is before the time judged {}",
                next.to_rfc3339(),
                now.to_rfc3339()
            )));
        }
    }
    let infos = req(map, "certificateInfos")?.as_array("VICAL certificateInfos")?;
    if infos.len() > MAX_VICAL_ENTRIES {
        return Err(limit(format!(
            "VICAL: {} certificateInfos exceed the limit of {MAX_VICAL_ENTRIES}",
            infos.len()
        )));
    }
    let mut entries: Vec<VicalEntry> = Vec::new();
    let mut refused = Vec::new();
    let mut seen: Vec<&[u8]> = Vec::with_capacity(infos.len());
    for (index, info) in infos.iter().enumerate() {
        let what = format!("VICAL certificateInfos[{index}]");
        let info = info.as_map(&what)?;
        let cert = req(info, "certificate")
            .map_err(|e| e.context(&what))?
            .as_bytes(&what)?;
        if seen.contains(&cert) {
            return Err(malformed(format!(
                "{what}: the same certificate is listed twice"
            )));
        }
        seen.push(cert);
        serial_number(
            req(info, "serialNumber").map_err(|e| e.context(&what))?,
            &what,
        )?;
        let _ski = req(info, "ski")
            .map_err(|e| e.context(&what))?
            .as_bytes(&what)?;
        let doc_types = doc_types(req(info, "docType").map_err(|e| e.context(&what))?, &what)?;
        let issuing_authority = opt_text(info, "issuingAuthority", &what)?;
        let issuing_country = opt_text(info, "issuingCountry", &what)?;
        match TrustAnchorCert::from_der(cert.to_vec()) {
            Ok(anchor) => entries.push(VicalEntry {
                anchor,
                doc_types,
                issuing_authority,
                issuing_country,
            }),
            Err(e) => refused.push(RefusedEntry {
                index,
                kind: e.kind(),
                message: e.message().to_owned(),
            }),
        }
    }
    Ok(Vical {
        version,
        provider,
        date,
        issue_id,
        next_update,
        signer_subject,
        authority_subject,
        entries,
        refused,
    })
}

fn get<'a>(map: &'a [(Item, Item)], key: &str) -> Option<&'a Item> {
    map.iter().find(|(k, _)| k.is_text(key)).map(|(_, v)| v)
}

fn req<'a>(map: &'a [(Item, Item)], key: &str) -> Result<&'a Item> {
    get(map, key).ok_or_else(|| malformed(format!("VICAL: {key:?} is missing")))
}

fn opt_text(map: &[(Item, Item)], key: &str, what: &str) -> Result<Option<String>> {
    match get(map, key) {
        Some(v) => Ok(Some(v.as_text(&format!("{what} {key}"))?.to_owned())),
        None => Ok(None),
    }
}

/// `serialNumber`: `biguint` (tag 2 over a bstr), or a plain uint.
fn serial_number(item: &Item, what: &str) -> Result<()> {
    match item.value() {
        Value::Int(i) if *i >= 0 => Ok(()),
        Value::Tag(2, inner) => inner.as_bytes(what).map(|_| ()),
        _ => Err(malformed(format!(
            "{what}: serialNumber is not an unsigned integer"
        ))),
    }
}

fn doc_types(item: &Item, what: &str) -> Result<Vec<String>> {
    let arr = item.as_array(what)?;
    if arr.is_empty() {
        return Err(malformed(format!("{what}: docType is empty")));
    }
    if arr.len() > MAX_VICAL_DOCTYPES {
        return Err(limit(format!(
            "{what}: {} docTypes exceed the limit of {MAX_VICAL_DOCTYPES}",
            arr.len()
        )));
    }
    let mut out: Vec<String> = Vec::with_capacity(arr.len());
    for d in arr {
        let d = d.as_text(what)?;
        if out.iter().any(|o| o == d) {
            return Err(malformed(format!("{what}: docType {d:?} is listed twice")));
        }
        out.push(d.to_owned());
    }
    Ok(out)
}

impl Vical {
    /// What the VICAL says, as JSON (for `passerelle trust inspect`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        json!({
            "list": "vical",
            "version": self.version,
            "provider": self.provider,
            "date": self.date.to_rfc3339(),
            "issue_id": self.issue_id,
            "next_update": self.next_update.map(UnixTime::to_rfc3339),
            "signer": {"subject": self.signer_subject, "anchor": self.authority_subject},
            "entries": self.entries.iter().map(|e| json!({
                "subject": e.subject(),
                "doc_types": e.doc_types,
                "issuing_authority": e.issuing_authority,
                "issuing_country": e.issuing_country,
                "certificate": crate::encoding::b64_std_encode(e.certificate_der()),
            })).collect::<Vec<_>>(),
            "refused": self.refused.iter().map(|r| json!({
                "index": r.index, "kind": r.kind.as_str(), "message": r.message,
            })).collect::<Vec<_>>(),
        })
    }
}
