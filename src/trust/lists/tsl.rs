//! ETSI TS 119 612 (V2.x) XML trusted lists and the EU LOTL, signed with an
//! enveloped XAdES-B-B signature (ETSI EN 319 132-1).
//!
//! # XML-DSig / XAdES rules applied
//!
//! - The document element is `tsl:TrustServiceStatusList`; the document holds
//!   exactly one `ds:Signature`, a child of it (none: `Untrusted`; more, or
//!   elsewhere: `Malformed`). Every `Id` is unique (`Malformed`), so a
//!   reference names one element.
//! - `SignedInfo`: `CanonicalizationMethod` exclusive C14N 1.0 or Canonical
//!   XML 1.0 (both without comments; an `InclusiveNamespaces` PrefixList or
//!   any other method is `Unsupported`); `SignatureMethod` ECDSA-SHA256 or
//!   ECDSA-SHA384 (RFC 6931; the value is `r || s`), or RSA PKCS #1 v1.5
//!   with SHA-256 / 384 / 512 (RFC 6931 `rsa-sha*`; most national lists are
//!   RSA-signed) with a signer key of 2048 to 8192 bits (shorter:
//!   `Unsupported`). A method of the other family than the signer's key is
//!   a `Signature` failure, never retried as another algorithm. RSA-PSS
//!   (`sha256-rsa-MGF1`) and SHA-1 methods are `Unsupported`.
//! - Exactly two references, both SHA-256: the list (`URI=""` or
//!   `"#<Id of the list>"`, transforms enveloped-signature then exclusive or
//!   inclusive C14N, or enveloped-signature alone), and the XAdES
//!   `SignedProperties` (`Type=".../01903#SignedProperties"`, `URI="#id"` of a
//!   `xades:SignedProperties` inside this signature; no transform, or one
//!   C14N). Any other reference or transform is `Unsupported`; a digest that
//!   does not match is `Signature`.
//! - `KeyInfo/X509Data/X509Certificate`: the signer first (absent:
//!   `Untrusted`); `SigningCertificateV2` (or `SigningCertificate`) must name
//!   it by its SHA-256 (absent: `Malformed`; another certificate:
//!   `Untrusted`). The signer chains to a configured list anchor, or, for a
//!   list a LOTL points to, is (or chains to) a certificate the LOTL
//!   announces for it (TL-03).
//! - No signature wrapping (TL-02): after the signature verified, the list is
//!   read from the canonical bytes that were digested, parsed again, never
//!   from the document as received.
//! - Base64 in `DigestValue`, `SignatureValue` and `X509Certificate` may carry
//!   XML whitespace (line breaks), which is removed before decoding.
//!
//! # What is read
//!
//! `SchemeInformation` (`TSLSequenceNumber`, `TSLType`, `SchemeOperatorName`,
//! `SchemeTerritory`, `ListIssueDateTime`, `NextUpdate`), the
//! `PointersToOtherTSL` (location, announced signer certificates, `TSLType`),
//! and each provider's services (`ServiceTypeIdentifier`, `ServiceName`,
//! `ServiceDigitalIdentity`, `ServiceStatus`, `StatusStartingTime`,
//! `ServiceHistory`), into the same [`Lote`] shape as a TS 119 602 list. TS
//! 119 612 service types (`.../TrstSvc/Svctype/...`) map to
//! [`Capability::Other`](super::Capability::Other): they anchor no EU wallet
//! role here. Freshness, https pointers and status at a time follow the LoTE
//! rules.

use super::lote::{
    cert_identity, trust_signer, verify_list_signature, Capability, IdentityKind, ListAlg,
    ListedIdentity, Lote, LoteEntity, LotePointer, LoteService, SignerInfo, SignerTrust,
    StatusPeriod,
};
use super::xml::{self, canonicalize, C14n};
use super::ListOptions;
use crate::crypto::{sha256, Algorithm, RsaHash};
use crate::encoding::b64_std_decode;
use crate::error::Result;
use crate::error::{limit, malformed, not_yet_valid, policy, signature, unsupported, untrusted};
use crate::limits::{
    MAX_CERT_BYTES, MAX_CHAIN_CERTS, MAX_LOTE_ENTITIES, MAX_LOTE_HISTORY, MAX_LOTE_IDENTITIES,
    MAX_LOTE_POINTERS, MAX_LOTE_SERVICES,
};
use crate::time::{parse_rfc3339, UnixTime};
use roxmltree::Node;

const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const NS_TSL: &str = "http://uri.etsi.org/02231/v2#";
const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
const ALG_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ALG_C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const ALG_ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const ALG_ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const ALG_ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ALG_RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
const ALG_RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
const ALG_SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const TYPE_SIGNED_PROPERTIES: &str = "http://uri.etsi.org/01903#SignedProperties";

fn is(n: Node<'_, '_>, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
}

fn children<'a, 'i>(n: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(|c| c.is_element())
}

fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    children(n).find(|c| is(*c, ns, name))
}

fn req_child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Result<Node<'a, 'i>> {
    child(n, ns, name)
        .ok_or_else(|| malformed(format!("TSL: {} has no {name}", n.tag_name().name())))
}

fn text_of(n: Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

fn b64(n: Node<'_, '_>, max: usize, what: &str) -> Result<Vec<u8>> {
    let t: String = text_of(n)
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .collect();
    b64_std_decode(&t, max, what)
}

fn algorithm<'a>(n: Node<'a, '_>) -> Result<&'a str> {
    n.attribute("Algorithm")
        .ok_or_else(|| malformed(format!("TSL: {} has no Algorithm", n.tag_name().name())))
}

fn c14n_of(alg: &str) -> Result<C14n> {
    match alg {
        ALG_EXC_C14N => Ok(C14n::Exclusive),
        ALG_C14N => Ok(C14n::Inclusive),
        other => Err(unsupported(format!(
            "TSL: canonicalization {:?} is not supported",
            crate::crypto::clip(other)
        ))),
    }
}

fn digest_sha256(reference: Node<'_, '_>, bytes: &[u8], what: &str) -> Result<()> {
    let dm = req_child(reference, NS_DS, "DigestMethod")?;
    if algorithm(dm)? != ALG_SHA256 {
        return Err(unsupported(format!(
            "TSL: {what} is not digested with SHA-256"
        )));
    }
    let want = b64(
        req_child(reference, NS_DS, "DigestValue")?,
        128,
        "DigestValue",
    )?;
    if want.as_slice() != sha256(bytes).as_slice() {
        return Err(signature(format!(
            "TSL: the digest of {what} does not match"
        )));
    }
    Ok(())
}

/// The transforms of a reference, as algorithm URIs.
fn transforms<'a>(reference: Node<'a, '_>) -> Result<Vec<&'a str>> {
    let Some(ts) = child(reference, NS_DS, "Transforms") else {
        return Ok(Vec::new());
    };
    children(ts)
        .map(|t| {
            if !is(t, NS_DS, "Transform") {
                return Err(malformed(
                    "TSL: Transforms holds something else than Transform",
                ));
            }
            if children(t).next().is_some() {
                return Err(unsupported(
                    "TSL: transform parameters (InclusiveNamespaces, XPath) are not supported",
                ));
            }
            algorithm(t)
        })
        .collect()
}

/// Checks an XML trusted list (`text`) whose signer `trust` vouches for, at
/// `now`; returns what the signed bytes say.
pub(crate) fn check_tsl(
    text: &str,
    trust: SignerTrust<'_>,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    let doc = xml::parse(text)?;
    let root = doc.root_element();
    if !is(root, NS_TSL, "TrustServiceStatusList") {
        return Err(malformed(
            "TSL: the document element is not TrustServiceStatusList",
        ));
    }
    let sigs: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| is(*n, NS_DS, "Signature"))
        .collect();
    let sig = match sigs.as_slice() {
        [] => return Err(untrusted("TSL: the list is not signed")),
        [one] => *one,
        _ => return Err(malformed("TSL: more than one ds:Signature")),
    };
    if sig.parent() != Some(root) {
        return Err(malformed(
            "TSL: the ds:Signature is not a child of the list",
        ));
    }
    let mut ids: Vec<&str> = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        if let Some(id) = n.attribute("Id") {
            if ids.contains(&id) {
                return Err(malformed(format!("TSL: Id {id:?} is used twice")));
            }
            ids.push(id);
        }
    }

    let signed_info = req_child(sig, NS_DS, "SignedInfo")?;
    if children(sig).next() != Some(signed_info) {
        return Err(malformed(
            "TSL: SignedInfo is not the first child of Signature",
        ));
    }
    let cm = req_child(signed_info, NS_DS, "CanonicalizationMethod")?;
    if children(cm).next().is_some() {
        return Err(unsupported(
            "TSL: InclusiveNamespaces PrefixList is not supported",
        ));
    }
    let si_mode = c14n_of(algorithm(cm)?)?;
    let alg = match algorithm(req_child(signed_info, NS_DS, "SignatureMethod")?)? {
        ALG_ECDSA_SHA256 => ListAlg::Ec(Algorithm::Es256),
        ALG_ECDSA_SHA384 => ListAlg::Ec(Algorithm::Es384),
        ALG_RSA_SHA256 => ListAlg::Rsa(RsaHash::Sha256),
        ALG_RSA_SHA384 => ListAlg::Rsa(RsaHash::Sha384),
        ALG_RSA_SHA512 => ListAlg::Rsa(RsaHash::Sha512),
        other => {
            return Err(unsupported(format!(
            "TSL: signature method {:?} is not supported (ECDSA or RSA PKCS #1 v1.5 with SHA-2)",
            crate::crypto::clip(other)
        )))
        }
    };

    let root_id = root.attribute("Id");
    let mut list_bytes: Option<(Vec<u8>, C14n)> = None;
    let mut signed_properties: Option<Node<'_, '_>> = None;
    for r in children(signed_info).filter(|c| is(*c, NS_DS, "Reference")) {
        let uri = r.attribute("URI").unwrap_or("");
        let ts = transforms(r)?;
        if r.attribute("Type") == Some(TYPE_SIGNED_PROPERTIES) {
            let id = uri
                .strip_prefix('#')
                .ok_or_else(|| unsupported("TSL: SignedProperties reference is not #id"))?;
            let target = doc
                .descendants()
                .find(|n| n.is_element() && n.attribute("Id") == Some(id))
                .ok_or_else(|| malformed(format!("TSL: no element has Id {id:?}")))?;
            if !is(target, NS_XADES, "SignedProperties") || !target.ancestors().any(|a| a == sig) {
                return Err(malformed(
                    "TSL: the SignedProperties reference names something outside the signature",
                ));
            }
            let mode = match ts.as_slice() {
                [] => C14n::Inclusive,
                [one] => c14n_of(one)?,
                _ => {
                    return Err(unsupported(
                        "TSL: SignedProperties transforms not supported",
                    ))
                }
            };
            digest_sha256(r, &canonicalize(target, None, mode)?, "SignedProperties")?;
            if signed_properties.replace(target).is_some() {
                return Err(malformed("TSL: two SignedProperties references"));
            }
        } else if uri.is_empty() || uri.strip_prefix('#').is_some_and(|id| Some(id) == root_id) {
            let mode =
                match ts.as_slice() {
                    [ALG_ENVELOPED] => C14n::Inclusive,
                    [ALG_ENVELOPED, c] => c14n_of(c)?,
                    _ => return Err(unsupported(
                        "TSL: the list reference needs the enveloped-signature transform then C14N",
                    )),
                };
            let bytes = canonicalize(root, Some(sig.id()), mode)?;
            digest_sha256(r, &bytes, "the list")?;
            if list_bytes.replace((bytes, mode)).is_some() {
                return Err(malformed("TSL: two references to the list"));
            }
        } else {
            return Err(unsupported(format!(
                "TSL: reference {:?} is neither the list nor its SignedProperties",
                crate::crypto::clip(uri)
            )));
        }
    }
    let (list_bytes, _) =
        list_bytes.ok_or_else(|| malformed("TSL: no reference covers the list"))?;
    let signed_properties = signed_properties
        .ok_or_else(|| malformed("TSL: no SignedProperties reference (XAdES-B-B)"))?;

    let mut chain = Vec::new();
    if let Some(x509) = child(sig, NS_DS, "KeyInfo").and_then(|k| child(k, NS_DS, "X509Data")) {
        for c in children(x509).filter(|c| is(*c, NS_DS, "X509Certificate")) {
            if chain.len() >= MAX_CHAIN_CERTS {
                return Err(limit(format!(
                    "TSL: KeyInfo holds more than {MAX_CHAIN_CERTS} certificates"
                )));
            }
            chain.push(b64(c, MAX_CERT_BYTES / 3 * 4 + 1024, "X509Certificate")?);
        }
    }
    let leaf = chain
        .first()
        .ok_or_else(|| untrusted("TSL: KeyInfo carries no signer certificate"))?;
    let cert_digest = signed_properties
        .descendants()
        .find(|n| {
            is(*n, NS_XADES, "SigningCertificateV2") || is(*n, NS_XADES, "SigningCertificate")
        })
        .and_then(|sc| sc.descendants().find(|n| is(*n, NS_XADES, "CertDigest")))
        .ok_or_else(|| {
            malformed("TSL: SignedProperties has no SigningCertificateV2 (XAdES-B-B)")
        })?;
    digest_sha256(cert_digest, leaf, "the signing certificate").map_err(|e| {
        if e.kind() == crate::ErrorKind::Signature {
            untrusted("TSL: SigningCertificateV2 names another certificate than the KeyInfo signer")
        } else {
            e
        }
    })?;

    let signer = trust_signer(&chain, trust, now)?;
    let sig_value = b64(
        req_child(sig, NS_DS, "SignatureValue")?,
        1024,
        "SignatureValue",
    )?;
    let si_bytes = canonicalize(signed_info, None, si_mode)?;
    let _checked = verify_list_signature(alg, &signer.key, &si_bytes, &sig_value)
        .map_err(|e| e.context("TSL signature"))?;

    // TL-02: read only what was digested.
    let signed_text = core::str::from_utf8(&list_bytes)
        .map_err(|_| malformed("TSL: the canonical list is not UTF-8"))?;
    let signed_doc = xml::parse(signed_text)?;
    read_tsl(
        signed_doc.root_element(),
        SignerInfo {
            subject: signer.subject,
            anchor: signer.anchor,
        },
        now,
        opts,
    )
}

fn opt_text(n: Node<'_, '_>, name: &str) -> Option<String> {
    child(n, NS_TSL, name)
        .map(text_of)
        .map(|t| t.trim().to_owned())
}

fn opt_time(n: Node<'_, '_>, name: &str) -> Result<Option<UnixTime>> {
    match opt_text(n, name) {
        None => Ok(None),
        Some(t) => parse_rfc3339(&t)
            .map(Some)
            .ok_or_else(|| malformed(format!("TSL: {name} is not a dateTime"))),
    }
}

/// The first `Name` of a multilingual list (`SchemeOperatorName`, `TSPName`, ...).
fn first_name(n: Node<'_, '_>, list: &str) -> Option<String> {
    child(n, NS_TSL, list)
        .and_then(|l| child(l, NS_TSL, "Name"))
        .map(|x| text_of(x).trim().to_owned())
}

fn bounded<'a, 'i>(n: Node<'a, 'i>, name: &str, max: usize) -> Result<Vec<Node<'a, 'i>>> {
    let v: Vec<Node<'a, 'i>> = children(n).filter(|c| is(*c, NS_TSL, name)).collect();
    if v.len() > max {
        return Err(limit(format!(
            "TSL: {} {name} entries exceed the limit of {max}",
            v.len()
        )));
    }
    Ok(v)
}

fn identities(sdi: Node<'_, '_>, what: &str) -> Result<Vec<ListedIdentity>> {
    let ids = bounded(sdi, "DigitalId", MAX_LOTE_IDENTITIES)?;
    let mut out = Vec::with_capacity(ids.len());
    for d in ids {
        if let Some(c) = child(d, NS_TSL, "X509Certificate") {
            out.push(cert_identity(
                b64(c, MAX_CERT_BYTES / 3 * 4 + 1024, what)?,
                what,
            )?);
        } else {
            out.push(ListedIdentity {
                kind: IdentityKind::NameOnly,
                der: None,
                subject: child(d, NS_TSL, "X509SubjectName").map(|s| text_of(s).trim().to_owned()),
                key: None,
                anchor: None,
            });
        }
    }
    Ok(out)
}

fn read_tsl(
    root: Node<'_, '_>,
    signer: SignerInfo,
    now: UnixTime,
    opts: &ListOptions,
) -> Result<Lote> {
    let info = req_child(root, NS_TSL, "SchemeInformation")?;
    let num = |name: &str| -> Result<Option<u64>> {
        match opt_text(info, name) {
            None => Ok(None),
            Some(t) => t
                .parse::<u64>()
                .map(Some)
                .map_err(|_| malformed(format!("TSL: {name} is not an unsigned integer"))),
        }
    };
    let version = num("TSLVersionIdentifier")?;
    let sequence_number = num("TSLSequenceNumber")?;
    let lote_type = opt_text(info, "TSLType");
    let operator_name = first_name(info, "SchemeOperatorName");
    let territory = opt_text(info, "SchemeTerritory");
    let issued = opt_time(info, "ListIssueDateTime")?
        .ok_or_else(|| malformed("TSL: SchemeInformation has no ListIssueDateTime"))?;
    let next_update = match child(info, NS_TSL, "NextUpdate") {
        Some(n) => opt_time(n, "dateTime")?,
        None => None,
    };
    if issued.as_secs() > now.as_secs().saturating_add(opts.skew) {
        return Err(not_yet_valid(format!(
            "TSL: issued at {}, after the time judged {}",
            issued.to_rfc3339(),
            now.to_rfc3339()
        )));
    }
    if let Some(next) = next_update {
        if next < now && !opts.allow_stale {
            return Err(policy(format!(
                "TSL: stale, its NextUpdate {} is before the time judged {}",
                next.to_rfc3339(),
                now.to_rfc3339()
            )));
        }
    }

    let mut pointers = Vec::new();
    if let Some(pts) = child(info, NS_TSL, "PointersToOtherTSL") {
        for (i, p) in bounded(pts, "OtherTSLPointer", MAX_LOTE_POINTERS)?
            .into_iter()
            .enumerate()
        {
            let what = format!("OtherTSLPointer[{i}]");
            let location = opt_text(p, "TSLLocation")
                .ok_or_else(|| malformed(format!("TSL: {what} has no TSLLocation")))?;
            if !location.starts_with("https://") {
                return Err(policy(format!(
                    "TSL: {what} points to {:?}; only https locations are fetched",
                    crate::crypto::clip(&location)
                )));
            }
            let mut signers = Vec::new();
            if let Some(sdis) = child(p, NS_TSL, "ServiceDigitalIdentities") {
                for sdi in bounded(sdis, "ServiceDigitalIdentity", MAX_LOTE_IDENTITIES)? {
                    signers.extend(identities(sdi, &what)?);
                }
            }
            let lote_type = p
                .descendants()
                .find(|n| is(*n, NS_TSL, "TSLType"))
                .map(|n| text_of(n).trim().to_owned());
            pointers.push(LotePointer {
                location,
                lote_type,
                signers,
            });
        }
    }

    let mut entities = Vec::new();
    let mut services_seen: usize = 0;
    if let Some(list) = child(root, NS_TSL, "TrustServiceProviderList") {
        for tsp in bounded(list, "TrustServiceProvider", MAX_LOTE_ENTITIES)? {
            let name = child(tsp, NS_TSL, "TSPInformation").and_then(|i| first_name(i, "TSPName"));
            let mut services = Vec::new();
            if let Some(svcs) = child(tsp, NS_TSL, "TSPServices") {
                let list = bounded(svcs, "TSPService", MAX_LOTE_SERVICES)?;
                services_seen = services_seen.saturating_add(list.len());
                if services_seen > MAX_LOTE_SERVICES {
                    return Err(limit(format!(
                        "TSL: more than {MAX_LOTE_SERVICES} services in all"
                    )));
                }
                for (j, svc) in list.into_iter().enumerate() {
                    services.push(read_service(svc, &format!("TSPService[{j}]"))?);
                }
            }
            entities.push(LoteEntity { name, services });
        }
    }
    Ok(Lote {
        version,
        sequence_number,
        lote_type,
        operator_name,
        territory,
        issued,
        next_update,
        signed_at: None,
        signer,
        variants: Vec::new(),
        entities,
        pointers,
    })
}

fn period(n: Node<'_, '_>) -> Result<StatusPeriod> {
    Ok(StatusPeriod {
        status: opt_text(n, "ServiceStatus"),
        start: opt_time(n, "StatusStartingTime")?,
    })
}

fn read_service(svc: Node<'_, '_>, what: &str) -> Result<LoteService> {
    let info = req_child(svc, NS_TSL, "ServiceInformation")?;
    let type_uri = opt_text(info, "ServiceTypeIdentifier")
        .ok_or_else(|| malformed(format!("TSL: {what} has no ServiceTypeIdentifier")))?;
    let identities = match child(info, NS_TSL, "ServiceDigitalIdentity") {
        Some(sdi) => identities(sdi, what)?,
        None => Vec::new(),
    };
    let current = period(info)?;
    let mut history = Vec::new();
    if let Some(h) = child(svc, NS_TSL, "ServiceHistory") {
        for inst in bounded(h, "ServiceHistoryInstance", MAX_LOTE_HISTORY)? {
            let p = period(inst)?;
            if p.status.is_none() || p.start.is_none() {
                return Err(malformed(format!(
                    "TSL: {what} history needs ServiceStatus and StatusStartingTime"
                )));
            }
            history.push(p);
        }
    }
    Ok(LoteService {
        name: first_name(info, "ServiceName"),
        capability: Capability::Other,
        type_uri,
        identities,
        current,
        history,
    })
}
