//! Trust decisions: which keys, certificates and identifiers vouch for an issuer.
//!
//! Keys come only from trust configuration: a key embedded in a token (`jwk`
//! header), or fetched from `jku`/`x5u`, is never trusted, and a root certificate
//! carried inside `x5c` is never an anchor.

pub(crate) mod did;
mod ds_cache;
mod lists;
mod registry;

#[cfg(any(fuzzing, test))]
pub(crate) use lists::{fuzz_lists, fuzz_lote, fuzz_tsl, fuzz_vical};
pub use lists::{
    inspect_trust_list, Capability, IdentityKind, ListFetcher, ListOptions, ListedIdentity, Lote,
    LoteEntity, LotePointer, LoteService, Provision, RefusedEntry, ServiceStatus, SignerInfo,
    Vical, VicalEntry,
};
pub(crate) mod x509;

pub use registry::TrustRegistry;

use crate::crypto::PublicKey;
use crate::encoding::{b64u_decode, parse_json_object};
use crate::error::{malformed, untrusted, Result};
use crate::jose::{public_key_from_jwk, Jws};
use crate::time::UnixTime;
use serde_json::{json, Map, Value};

/// Trusted issuer keys, X.509 anchors and DIDs.
///
/// ```
/// let issuer = passerelle::PrivateKey::generate(passerelle::Algorithm::Es256)?;
/// let mut trust = passerelle::TrustStore::new();
/// trust.add_issuer_key(issuer.public_key().clone(), Some("https://issuer.example"), None);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct TrustStore {
    keys: Vec<TrustedKey>,
    anchors: Vec<x509::TrustAnchorCert>,
    /// IACAs: anchors for mdoc document signers only (J-10).
    iacas: Vec<x509::TrustAnchorCert>,
    dids: Vec<String>,
    registries: Vec<TrustRegistry>,
    /// Framework and level per anchor certificate (its DER, never its name).
    anchor_assurance: Vec<(Vec<u8>, Assurance)>,
    /// Checked DID documents of trusted DIDs (did:key, did:web).
    did_documents: Vec<did::DidDocument>,
    /// did:webvh logs of trusted DIDs (the DID, the verified log), resolved
    /// at each verification's time.
    did_logs: Vec<(String, Vec<u8>)>,
    /// Anchors of list signers only (LoTE, TS 119 612): never of credentials.
    list_anchors: Vec<x509::TrustAnchorCert>,
    /// Anchors of VICAL signers only: never of credentials.
    vical_authorities: Vec<x509::TrustAnchorCert>,
    /// Checked lists of trusted entities (LoTE, TS 119 612), judged again at
    /// each lookup's time.
    lists: Vec<lists::HeldList>,
    /// Checked VICALs: IACAs scoped to their docTypes.
    vicals: Vec<lists::HeldVical>,
    /// Validated document-signer paths, content-checked on every use.
    ds_cache: ds_cache::DsCache,
}

#[derive(Debug, Clone)]
struct TrustedKey {
    key: PublicKey,
    iss: Option<String>,
    kid: Option<String>,
    assurance: Assurance,
}

/// The trust framework and assurance level configuration gives an issuer
/// (an anchor or a key), for mutual recognition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Assurance {
    pub(crate) framework: Option<String>,
    pub(crate) level: Option<String>,
}

/// How an issuer's key was vouched for.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustBasis {
    /// An `x5c` chain validated to a configured anchor.
    X509 {
        /// The leaf certificate's subject.
        subject: String,
        /// The anchor's subject.
        anchor: String,
    },
    /// A key configured for this issuer.
    ConfiguredKey {
        /// The key's `kid`, if one was configured.
        kid: Option<String>,
    },
    /// A trusted DID whose document gave the key.
    Did {
        /// The DID.
        did: String,
    },
    /// A key listed for the issuer by a trust registry.
    Registry {
        /// The registry's identifier.
        registry: String,
    },
    /// A certificate a signed trust list names for the issuer: an ETSI TS
    /// 119 602 LoTE service, a TS 119 612 service, or a VICAL entry.
    List {
        /// `lote`, `ts119612` or `vical`.
        kind: String,
        /// The list: its `LoTEType` / `TSLType`, or `VICAL of <provider>`.
        list: String,
        /// The scheme operator (or VICAL provider).
        operator: Option<String>,
        /// The list's sequence number (`LoTESequenceNumber`,
        /// `TSLSequenceNumber`, `vicalIssueID`).
        sequence_number: Option<u64>,
        /// The trusted entity (or the IACA's issuing authority).
        entity: Option<String>,
        /// The service type URI (or, for a VICAL, the docType).
        service: String,
        /// The leaf certificate's subject.
        subject: String,
        /// The listed certificate's subject (the leaf's own when it is
        /// trusted directly).
        anchor: String,
    },
}

impl TrustBasis {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            TrustBasis::X509 { subject, anchor } => {
                json!({"method": "x509", "subject": subject, "anchor": anchor})
            }
            TrustBasis::ConfiguredKey { kid } => json!({"method": "configured_key", "kid": kid}),
            TrustBasis::Did { did } => json!({"method": "did", "did": did}),
            TrustBasis::Registry { registry } => {
                json!({"method": "registry", "registry": registry})
            }
            TrustBasis::List {
                kind,
                list,
                operator,
                sequence_number,
                entity,
                service,
                subject,
                anchor,
            } => json!({
                "method": "trusted_list",
                "kind": kind,
                "list": list,
                "operator": operator,
                "sequence_number": sequence_number,
                "entity": entity,
                "service": service,
                "subject": subject,
                "anchor": anchor,
            }),
        }
    }
}

/// What a signed message says about its key: `alg`, `kid`, and an X.509 chain
/// (DER, leaf first), from a JWS header or a COSE bucket.
#[derive(Debug)]
pub(crate) struct KeyHints<'a> {
    pub(crate) alg: crate::crypto::Algorithm,
    pub(crate) kid: Option<&'a str>,
    pub(crate) x5c: Option<Vec<Vec<u8>>>,
}

/// An issuer key the trust store vouched for.
#[derive(Debug, Clone)]
pub(crate) struct IssuerKey {
    pub(crate) key: PublicKey,
    pub(crate) basis: TrustBasis,
    /// The issuer identifier: `iss`, or the certificate subject when `iss` is absent.
    pub(crate) issuer_id: String,
    /// What configuration says of the issuer's framework and level.
    pub(crate) assurance: Assurance,
    /// The registry accreditation of the entry that listed this key (or that
    /// accredits the DID this key was resolved from).
    pub(crate) accreditation: Option<registry::Accreditation>,
    /// The DER of the anchor an X.509 path ended at (an mdoc's IACA anchors
    /// its status lists too).
    pub(crate) anchor_der: Option<Vec<u8>>,
}

impl IssuerKey {
    /// Framework, registry and level, all from the source that supplied the key.
    pub(crate) fn vouched(&self) -> (Option<String>, Option<String>, Option<String>) {
        match &self.accreditation {
            Some(a) => (
                Some(a.framework.clone()),
                Some(a.registry.clone()),
                a.assurance_level.clone(),
            ),
            None => (
                self.assurance.framework.clone(),
                None,
                self.assurance.level.clone(),
            ),
        }
    }
}

/// What the verifier asks of the trust store: the issuer as the credential
/// names it in issuer-signed, always-visible data, the credential's types
/// (likewise), the time accreditation is judged at, and the verification time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyQuery<'a> {
    pub(crate) iss: Option<&'a str>,
    pub(crate) types: &'a [&'a str],
    pub(crate) accredited_at: UnixTime,
    pub(crate) now: UnixTime,
    pub(crate) skew: u64,
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `key` for the issuer `iss` (any issuer when `None`), under `kid`
    /// when given (then a token's `kid`, if present, must equal it).
    pub fn add_issuer_key(&mut self, key: PublicKey, iss: Option<&str>, kid: Option<&str>) {
        self.keys.push(TrustedKey {
            key,
            iss: iss.map(str::to_owned),
            kid: kid.map(str::to_owned),
            assurance: Assurance::default(),
        });
    }

    /// Trusts a key given as JWK text; optional `iss` and `kid` members bind it.
    pub fn add_issuer_jwk(&mut self, jwk: &str) -> Result<()> {
        let obj = parse_json_object(jwk.as_bytes(), "issuer JWK")?;
        self.add_issuer_jwk_object(&obj)
    }

    fn add_issuer_jwk_object(&mut self, obj: &Map<String, Value>) -> Result<()> {
        let key = public_key_from_jwk(obj)?;
        let get = |n: &str| -> Result<Option<String>> {
            match obj.get(n) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(malformed(format!("issuer JWK member {n} is not a string"))),
            }
        };
        let iss = get("iss")?;
        let kid = get("kid")?;
        self.add_issuer_key(key, iss.as_deref(), kid.as_deref());
        if let Some(k) = self.keys.last_mut() {
            k.assurance = Assurance {
                framework: get("framework")?,
                level: get("assurance_level")?,
            };
        }
        Ok(())
    }

    /// Trusts the certificates in PEM text as anchors of `framework` (e.g.
    /// `eIDAS`) at `assurance_level` (e.g. `eIDAS-high`): credentials whose
    /// chain ends at them are reported at that level.
    pub fn add_anchor_pem_with_level(
        &mut self,
        pem: &str,
        framework: &str,
        assurance_level: &str,
    ) -> Result<()> {
        self.add_pem(pem, Some((framework, assurance_level)), false)
    }

    /// Trusts every certificate in PEM text as an anchor.
    pub fn add_anchor_pem(&mut self, pem: &str) -> Result<()> {
        self.add_pem(pem, None, false)
    }

    /// Trusts the certificates in PEM text as IACAs: anchors of mdoc document
    /// signers only, never of SD-JWT VC or other `x5c` chains (an IACA
    /// trusted for the mDL must not vouch for anything else). With
    /// `level = Some((framework, assurance_level))` results are reported at it.
    pub fn add_iaca_pem(&mut self, pem: &str, level: Option<(&str, &str)>) -> Result<()> {
        self.add_pem(pem, level, true)
    }

    fn add_pem(&mut self, pem: &str, level: Option<(&str, &str)>, iaca: bool) -> Result<()> {
        let certs = x509::TrustAnchorCert::from_pem(pem)?;
        if certs.is_empty() {
            return Err(malformed("no certificate in the PEM text"));
        }
        for c in certs {
            if let Some((framework, level)) = level {
                self.anchor_assurance.push((
                    c.der().to_vec(),
                    Assurance {
                        framework: Some(framework.to_owned()),
                        level: Some(level.to_owned()),
                    },
                ));
            }
            if iaca {
                self.iacas.push(c);
            } else {
                self.anchors.push(c);
            }
        }
        Ok(())
    }

    /// Trusts one DER certificate as an IACA (see [`TrustStore::add_iaca_pem`]).
    pub fn add_iaca_der(&mut self, der: &[u8]) -> Result<()> {
        self.iacas
            .push(x509::TrustAnchorCert::from_der(der.to_vec())?);
        Ok(())
    }

    /// Trusts one DER certificate as an anchor.
    pub fn add_anchor_der(&mut self, der: &[u8]) -> Result<()> {
        self.anchors
            .push(x509::TrustAnchorCert::from_der(der.to_vec())?);
        Ok(())
    }

    /// Trusts a DID that resolves from the identifier itself (did:jwk, did:key)
    /// as an issuer. did:web and did:webvh need their document or log:
    /// [`TrustStore::add_did_web_document`], [`TrustStore::add_did_webvh_log`].
    pub fn add_did(&mut self, did: &str) -> Result<()> {
        if did.starts_with("did:jwk:") {
            let _ = resolve_did_jwk(did)?;
            self.dids.push(did.to_owned());
            Ok(())
        } else if did.starts_with("did:key:") {
            self.did_documents.push(did::did_key_document(did)?);
            Ok(())
        } else {
            Err(crate::error::unsupported(format!(
                "{:?} does not resolve from the identifier alone: hand in its document or log",
                crate::crypto::clip(did)
            )))
        }
    }

    /// Trusts a did:web issuer, given the DID document the host fetched from
    /// its URL. The document's `id` must be the DID (`Untrusted`, DID-01).
    pub fn add_did_web_document(&mut self, did: &str, document: &[u8]) -> Result<()> {
        self.did_documents
            .push(did::check_did_web_document(did, document)?);
        Ok(())
    }

    /// Trusts a did:webvh issuer, given its `did.jsonl` log: the whole log is
    /// verified (hash chain, SCID, update-key proofs) at `now` and kept; each
    /// verification resolves it again at its own time, so the version valid
    /// then is used, and a DID deactivated by then is `Untrusted` for its own
    /// credentials only. Returns the DID.
    pub fn add_did_webvh_log(&mut self, log: &[u8], now: UnixTime) -> Result<String> {
        let r = did::resolve_webvh_log(log, None, now, did::ResolveAt::Latest)?;
        self.did_logs.push((r.did.clone(), log.to_vec()));
        Ok(r.did)
    }

    /// The checked document of a trusted DID at `now`: a did:key or did:web
    /// document handed in, or a did:webvh log resolved to the version valid at
    /// `now` (a DID deactivated by then is `Untrusted`, for that DID only).
    pub(crate) fn did_document_at(
        &self,
        did: &str,
        now: UnixTime,
    ) -> Result<Option<std::borrow::Cow<'_, did::DidDocument>>> {
        if let Some(d) = self.did_documents.iter().find(|d| d.id() == did) {
            return Ok(Some(std::borrow::Cow::Borrowed(d)));
        }
        for (id, log) in &self.did_logs {
            if id == did {
                let r = did::resolve_webvh_log(log, Some(did), now, did::ResolveAt::Time(now))?;
                return Ok(Some(std::borrow::Cow::Owned(r.require_active()?.clone())));
            }
        }
        Ok(None)
    }

    /// Adds a trust registry: issuers it lists are trusted for the credential
    /// types and periods it accredits them for, and only for those.
    pub fn add_registry(&mut self, registry: TrustRegistry) {
        self.registries.push(registry);
    }

    /// Reads a trust file:
    /// `{"issuers": [JWK with optional iss/kid/framework/assurance_level, …],
    /// "anchors": [PEM | {"pem", "framework", "assurance_level"}, …],
    /// "iacas": [same shape; anchors of mdoc document signers only], "dids": [DID, …],
    /// "registries": [registry document | {"signed": JWS, "operator_jwk": JWK}, …]}`
    /// (the registry format is documented on [`TrustRegistry`]), "did_documents",
    /// "did_logs"}`. `now` is the time the did:webvh logs are first checked
    /// at (each verification resolves them again at its own time).
    ///
    /// Trust lists: `"list_anchors"` and `"vical_authorities"` (PEM text,
    /// anchors of list signers only), `"trusted_lists"` (a LoTE as compact
    /// JAdES, or TS 119 612 XML, as text) and `"vicals"` (the COSE_Sign1,
    /// base64 or base64url), checked at `now` once every anchor is read.
    pub fn from_json(text: &str, now: UnixTime) -> Result<Self> {
        let obj = parse_json_object(text.as_bytes(), "trust file")?;
        let mut t = TrustStore::new();
        let mut trusted_lists: Vec<&[u8]> = Vec::new();
        let mut vicals: Vec<Vec<u8>> = Vec::new();
        for (k, v) in &obj {
            let list = v
                .as_array()
                .ok_or_else(|| malformed(format!("trust file: {k} is not an array")))?;
            for e in list {
                match (k.as_str(), e) {
                    ("registries", Value::Object(o)) if o.contains_key("signed") => {
                        let jws = o.get("signed").and_then(Value::as_str).ok_or_else(|| {
                            malformed("trust file: signed registry is not a string")
                        })?;
                        let op = o
                            .get("operator_jwk")
                            .and_then(Value::as_object)
                            .ok_or_else(|| {
                                malformed("trust file: a signed registry needs operator_jwk")
                            })?;
                        t.add_registry(TrustRegistry::from_signed(jws, &public_key_from_jwk(op)?)?);
                    }
                    ("registries", Value::Object(_)) => {
                        t.add_registry(TrustRegistry::from_json(&e.to_string())?)
                    }
                    ("issuers", Value::Object(o)) => t.add_issuer_jwk_object(o)?,
                    ("anchors", Value::String(pem)) => t.add_anchor_pem(pem)?,
                    ("anchors", Value::Object(a)) => {
                        let f = |k: &str| {
                            a.get(k).and_then(Value::as_str).ok_or_else(|| {
                                malformed(format!("trust file: anchor {k} is missing"))
                            })
                        };
                        t.add_anchor_pem_with_level(
                            f("pem")?,
                            f("framework")?,
                            f("assurance_level")?,
                        )?;
                    }
                    ("iacas", Value::String(pem)) => t.add_iaca_pem(pem, None)?,
                    ("iacas", Value::Object(a)) => {
                        let f = |k: &str| {
                            a.get(k).and_then(Value::as_str).ok_or_else(|| {
                                malformed(format!("trust file: iaca {k} is missing"))
                            })
                        };
                        t.add_iaca_pem(f("pem")?, Some((f("framework")?, f("assurance_level")?)))?;
                    }
                    ("dids", Value::String(did)) => t.add_did(did)?,
                    ("did_documents", Value::Object(o)) => {
                        let did = o.get("did").and_then(Value::as_str).ok_or_else(|| {
                            malformed("trust file: did_documents entry needs did")
                        })?;
                        let doc = o.get("document").ok_or_else(|| {
                            malformed("trust file: did_documents entry needs document")
                        })?;
                        t.add_did_web_document(did, doc.to_string().as_bytes())?;
                    }
                    ("did_logs", Value::String(log)) => {
                        let _ = t.add_did_webvh_log(log.as_bytes(), now)?;
                    }
                    ("list_anchors", Value::String(pem)) => t.add_list_anchor_pem(pem)?,
                    ("vical_authorities", Value::String(pem)) => t.add_vical_authority_pem(pem)?,
                    ("trusted_lists", Value::String(list)) => trusted_lists.push(list.as_bytes()),
                    ("vicals", Value::String(b64)) => {
                        let b = crate::encoding::b64_std_decode(
                            b64,
                            crate::limits::MAX_VICAL_BYTES / 3 * 4 + 4,
                            "trust file vical",
                        )
                        .or_else(|_| {
                            b64u_decode(
                                b64,
                                crate::limits::MAX_VICAL_BYTES / 3 * 4 + 4,
                                "trust file vical",
                            )
                        })?;
                        vicals.push(b);
                    }
                    (
                        "issuers" | "anchors" | "iacas" | "dids" | "registries" | "did_documents"
                        | "did_logs" | "list_anchors" | "vical_authorities" | "trusted_lists"
                        | "vicals",
                        _,
                    ) => return Err(malformed(format!("trust file: bad entry in {k}"))),
                    _ => return Err(malformed(format!("trust file: unknown member {k:?}"))),
                }
            }
        }
        let opts = lists::ListOptions::default();
        let _ = t.add_lists(&trusted_lists, now, &opts)?;
        for v in &vicals {
            let _ = t.add_vical_anchored(v, now, &opts)?;
        }
        Ok(t)
    }

    /// The candidate issuer keys for an issuer-signed JWS; see
    /// [`TrustStore::issuer_keys`].
    pub(crate) fn issuer_keys_for_jws(
        &self,
        jws: &Jws,
        query: &KeyQuery<'_>,
    ) -> Result<Vec<IssuerKey>> {
        let hints = KeyHints {
            alg: jws.alg(),
            kid: jws.kid(),
            x5c: jws.x5c()?,
        };
        self.issuer_keys(&hints, query)
    }

    /// The keys that may have signed a credential of issuer `query.iss`, each
    /// with the trust basis, framework and level of *the source that supplied
    /// it* (the verifier tries them in order; the first that verifies wins).
    ///
    /// One source per credential, chosen from the message's hints: an
    /// `x5c`/`x5chain` to a configured anchor; else the keys of the registry
    /// entries that accredit the issuer (only active entries, only those whose
    /// authorization covers the type at the time judged, every key of such an
    /// entry, matched by `kid` when both sides name one); else a trusted DID
    /// (did:jwk, or a DID document: the `kid` names an assertion method); else
    /// configured keys (matched by `iss` and `kid`).
    ///
    /// A registry that lists the issuer but grants nothing at the time judged
    /// is `Untrusted` whatever other source knows a key (fail closed). A
    /// registry's accreditation is attached only to keys the registry itself
    /// listed, or to the key a DID it accredits resolves to: never to an
    /// x5c leaf or a configured key.
    pub(crate) fn issuer_keys(
        &self,
        hints: &KeyHints<'_>,
        query: &KeyQuery<'_>,
    ) -> Result<Vec<IssuerKey>> {
        let iss = query.iss;
        if hints.x5c.is_some() && iss.is_some_and(|i| i.starts_with("did:")) {
            return Err(crate::error::policy(
                "the issuer is a DID and the header carries x5c: one key source per credential",
            ));
        }
        let grants = match iss {
            Some(iss) => self.registry_grants(iss, query)?,
            None => Vec::new(),
        };
        if let Some(chain) = &hints.x5c {
            if !self.anchors.is_empty() || !self.lists.is_empty() || self.keys.is_empty() {
                return Ok(vec![self.key_from_x5c(chain, iss, query)?]);
            }
        }
        let Some(iss) = iss else {
            return self.configured_keys(None, hints.kid);
        };
        let listed: Vec<IssuerKey> = grants
            .iter()
            .flat_map(|g| {
                g.keys
                    .iter()
                    .filter(|(_, k)| match (k.as_deref(), hints.kid) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    })
                    .map(|(key, _)| IssuerKey {
                        key: key.clone(),
                        basis: TrustBasis::Registry {
                            registry: g.accreditation.registry.clone(),
                        },
                        issuer_id: iss.to_owned(),
                        assurance: Assurance::default(),
                        accreditation: Some(g.accreditation.clone()),
                        anchor_der: None,
                    })
            })
            .collect();
        let keyless = grants.iter().find(|g| g.keys.is_empty());
        if grants.iter().any(|g| !g.keys.is_empty()) && keyless.is_none() {
            // the registry names the keys: only those
            if listed.is_empty() {
                return Err(untrusted(format!(
                    "no key the registry lists for {:?} matches kid {:?}",
                    crate::crypto::clip(iss),
                    hints.kid.map(crate::crypto::clip)
                )));
            }
            return Ok(listed);
        }
        let accreditation = keyless.map(|g| g.accreditation.clone());
        let mut out = listed;
        if iss.starts_with("did:jwk:") {
            out.push(self.key_from_did_jwk(iss, hints, !grants.is_empty(), accreditation)?);
            return Ok(out);
        }
        if let Some(doc) = self.did_document_at(iss, query.now)? {
            out.push(key_from_did_document(&doc, iss, hints, accreditation)?);
            return Ok(out);
        }
        if iss.starts_with("did:key:") && !grants.is_empty() {
            let doc = did::did_key_document(iss)?;
            out.push(key_from_did_document(&doc, iss, hints, accreditation)?);
            return Ok(out);
        }
        out.extend(self.configured_keys(Some(iss), hints.kid)?);
        Ok(out)
    }

    /// Registry answers for `iss`: every active entry that accredits it for one
    /// of the types at the time judged, across registries. `Untrusted` when a
    /// registry lists `iss` and no registry grants; a signed registry that
    /// lists `iss` outside its own `nbf`/`exp` is `Expired` / `NotYetValid`.
    fn registry_grants(&self, iss: &str, query: &KeyQuery<'_>) -> Result<Vec<registry::Grant<'_>>> {
        let mut grants = Vec::new();
        let mut first_err = None;
        for r in self.registries.iter().filter(|r| r.lists(iss)) {
            r.check_time(query.now, query.skew)?;
            match r.grants(iss, "issue", query.types, query.accredited_at) {
                Ok(g) => grants.extend(g),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) if grants.is_empty() => Err(e),
            _ => Ok(grants),
        }
    }

    fn key_from_x5c(
        &self,
        chain: &[Vec<u8>],
        iss: Option<&str>,
        query: &KeyQuery<'_>,
    ) -> Result<IssuerKey> {
        if !self.lists.is_empty() {
            return self.key_from_x5c_listed(chain, iss, query);
        }
        let leaf = x509::validate_chain(
            chain,
            &self.anchors,
            query.now,
            x509::ChainPurpose::SdJwtVcIssuer,
        )?;
        if let Some(iss) = iss {
            if !x509::leaf_matches_issuer(&leaf, iss) {
                return Err(untrusted(format!(
                    "iss {:?} does not match the leaf certificate's subject alternative names",
                    crate::crypto::clip(iss)
                )));
            }
        }
        Ok(IssuerKey {
            key: leaf.public_key.clone(),
            issuer_id: iss
                .map(str::to_owned)
                .unwrap_or_else(|| leaf.subject.clone()),
            assurance: self.anchor_assurance_of(&leaf),
            accreditation: None,
            anchor_der: Some(leaf.anchor_der.clone()),
            basis: TrustBasis::X509 {
                subject: leaf.subject.clone(),
                anchor: leaf.anchor_subject.clone(),
            },
        })
    }

    /// What configuration says of the anchor a path ended at: bound to the
    /// anchor certificate itself (its DER), never to its subject name, so a
    /// second anchor with the same DN gets nothing from the first.
    fn anchor_assurance_of(&self, leaf: &x509::ValidatedLeaf) -> Assurance {
        self.anchor_assurance
            .iter()
            .find(|(der, _)| *der == leaf.anchor_der)
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    }

    /// A did:jwk issuer: trusted when the DID is configured, a registry
    /// accredits it, or a configured key bound to no other issuer is exactly
    /// the key the DID encodes.
    fn key_from_did_jwk(
        &self,
        iss: &str,
        hints: &KeyHints<'_>,
        in_registry: bool,
        accreditation: Option<registry::Accreditation>,
    ) -> Result<IssuerKey> {
        let key = resolve_did_jwk(iss)?;
        let configured = self
            .keys
            .iter()
            .any(|k| k.key == key && k.iss.as_deref().is_none_or(|i| i == iss));
        if !in_registry && !configured && !self.dids.iter().any(|d| d == iss) {
            return Err(untrusted("the issuer DID is not trusted"));
        }
        if let Some(kid) = hints.kid {
            if kid != format!("{iss}#0") && kid != "#0" {
                return Err(untrusted("kid does not name the did:jwk key (#0)"));
            }
        }
        Ok(IssuerKey {
            key,
            basis: TrustBasis::Did {
                did: iss.to_owned(),
            },
            issuer_id: iss.to_owned(),
            assurance: Assurance::default(),
            accreditation,
            anchor_der: None,
        })
    }

    /// Configured keys for `iss` (any-issuer keys too), matched by `kid`.
    fn configured_keys(&self, iss: Option<&str>, kid: Option<&str>) -> Result<Vec<IssuerKey>> {
        // Without iss, only keys configured for any issuer can match.
        let found: Vec<IssuerKey> = self
            .keys
            .iter()
            .filter(|k| {
                (match (k.iss.as_deref(), iss) {
                    (None, _) => true,
                    (Some(a), Some(b)) => a == b,
                    (Some(_), None) => false,
                }) && match (&k.kid, kid) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
            })
            .map(|k| IssuerKey {
                key: k.key.clone(),
                basis: TrustBasis::ConfiguredKey { kid: k.kid.clone() },
                issuer_id: iss
                    .or(k.kid.as_deref())
                    .unwrap_or("(unnamed issuer)")
                    .to_owned(),
                assurance: k.assurance.clone(),
                accreditation: None,
                anchor_der: None,
            })
            .collect();
        if found.is_empty() {
            return Err(untrusted(format!(
                "no trusted key for issuer {:?}",
                crate::crypto::clip(iss.unwrap_or("(no iss)"))
            )));
        }
        Ok(found)
    }

    /// The keys that may sign a status list for a credential of `issuer_id`
    /// whose signature verified with `credential_key` (DESIGN.md: "signed by
    /// a key trusted for the credential's issuer"): with an `x5c` / `x5chain`,
    /// its leaf, validated to the configured anchors, whose subject
    /// alternative names bind `issuer_id` (a chain to the same anchors);
    /// otherwise the credential's own key, or the key a DID issuer's document
    /// names by `kid`. Never a key the list names for itself.
    pub(crate) fn status_list_keys(
        &self,
        hints: &KeyHints<'_>,
        issuer_id: &str,
        credential_key: &PublicKey,
        now: UnixTime,
    ) -> Result<Vec<PublicKey>> {
        if let Some(chain) = &hints.x5c {
            let leaf = if self.lists.is_empty() {
                x509::validate_chain(chain, &self.anchors, now, x509::ChainPurpose::SdJwtVcIssuer)?
            } else {
                self.status_leaf_listed(chain, now)?
            };
            if !x509::leaf_matches_issuer(&leaf, issuer_id) {
                return Err(untrusted(
                    "the status list's certificate does not name the credential's issuer",
                ));
            }
            return Ok(vec![leaf.public_key.clone()]);
        }
        let mut keys = vec![credential_key.clone()];
        if let (Some(kid), Some(doc)) = (hints.kid, self.did_document_at(issuer_id, now)?) {
            if let Ok(k) = doc.resolve_key(kid, did::Relationship::AssertionMethod) {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    /// The key of an mdoc status or identifier list signer: its certificate
    /// (the list's `x5chain`, or the `certificate` the MSO reference names)
    /// must chain to the IACA that anchors the document signer (`iaca_der`).
    pub(crate) fn mdoc_status_list_key(
        &self,
        chain: &[Vec<u8>],
        iaca_der: &[u8],
        now: UnixTime,
    ) -> Result<PublicKey> {
        let from_lists = self.listed_iacas(None, now);
        let iaca: Vec<x509::TrustAnchorCert> = self
            .iacas
            .iter()
            .chain(&self.anchors)
            .chain(from_lists.iter().filter_map(|l| l.anchor.as_ref()))
            .filter(|a| a.der() == iaca_der)
            .take(1)
            .cloned()
            .collect();
        let leaf = x509::validate_chain(chain, &iaca, now, x509::ChainPurpose::StatusListSigner)?;
        Ok(leaf.public_key)
    }

    /// The accreditation registries give the DID `did` for a credential whose
    /// proof verified with an assertion method of its document (Data
    /// Integrity): a keyless entry, or one that lists `key`.
    pub(crate) fn did_accreditation(
        &self,
        did: &str,
        key: Option<&PublicKey>,
        query: &KeyQuery<'_>,
    ) -> Result<Option<registry::Accreditation>> {
        let grants = self.registry_grants(did, query)?;
        if grants.is_empty() {
            return Ok(None);
        }
        grants
            .into_iter()
            .find(|g| g.keys.is_empty() || key.is_some_and(|k| g.keys.iter().any(|(l, _)| l == k)))
            .map(|g| Some(g.accreditation))
            .ok_or_else(|| untrusted("the registry accredits the issuer DID with other keys"))
    }
}

/// The key a DID document gives for `hints`: the `kid` names an assertion
/// method (DID-02); without a kid, the first assertion method.
fn key_from_did_document(
    doc: &did::DidDocument,
    iss: &str,
    hints: &KeyHints<'_>,
    accreditation: Option<registry::Accreditation>,
) -> Result<IssuerKey> {
    let kid = match hints.kid {
        Some(k) => k.to_owned(),
        None => doc
            .relationship(did::Relationship::AssertionMethod)
            .first()
            .cloned()
            .ok_or_else(|| untrusted("the issuer's DID document has no assertion method"))?,
    };
    let key = doc.resolve_key(&kid, did::Relationship::AssertionMethod)?;
    did::check_key_algorithm(&key, hints.alg)?;
    Ok(IssuerKey {
        key,
        basis: TrustBasis::Did {
            did: iss.to_owned(),
        },
        issuer_id: iss.to_owned(),
        assurance: Assurance::default(),
        accreditation,
        anchor_der: None,
    })
}

impl TrustStore {
    /// The document signer of an mdoc `issuerAuth`: `x5chain` (DER, leaf first)
    /// validated to a configured anchor (an IACA) at `now`, with the mdoc
    /// document-signer EKU. IACAs and general anchors both count. No chain
    /// (COSE-11) or no anchors is `Untrusted`. Returns the key, the leaf's
    /// validity and the anchor's `countryName` (when it has one).
    pub(crate) fn issuer_key_for_x5chain(
        &self,
        chain: Option<&[Vec<u8>]>,
        doc_type: &str,
        now: UnixTime,
    ) -> Result<(IssuerKey, (UnixTime, UnixTime), Option<String>)> {
        let chain = chain.ok_or_else(|| {
            untrusted("issuerAuth carries no x5chain: the document signer is unknown")
        })?;
        // VICAL entries for this docType only (J-10), and PID providers of
        // the held LoTEs for the EU PID.
        let listed = self.listed_iacas(Some(doc_type), now);
        if self.anchors.is_empty() && self.iacas.is_empty() && listed.is_empty() {
            return Err(untrusted(
                "no IACA anchor is configured or listed for this docType",
            ));
        }
        let current = || {
            self.iacas
                .iter()
                .chain(&self.anchors)
                .chain(listed.iter().filter_map(|l| l.anchor.as_ref()))
        };
        let leaf = match self.ds_cache.get(chain, now, current()) {
            Some(leaf) => leaf,
            None => {
                let anchors: Vec<x509::TrustAnchorCert> = current().cloned().collect();
                let leaf = x509::validate_chain(
                    chain,
                    &anchors,
                    now,
                    x509::ChainPurpose::MdocDocumentSigner,
                )?;
                let used = anchors
                    .iter()
                    .find(|a| a.der() == leaf.anchor_der.as_slice());
                self.ds_cache.put(chain, &leaf, used);
                leaf
            }
        };
        let configured = self
            .iacas
            .iter()
            .chain(&self.anchors)
            .any(|a| a.der() == leaf.anchor_der.as_slice());
        let (basis, assurance) = match lists::voucher_for(&listed, &leaf.anchor_der) {
            Some(v) if !configured => {
                v.require_fresh(now)?;
                (
                    v.basis(&leaf.subject, &leaf.anchor_subject),
                    v.assurance.clone(),
                )
            }
            _ => (
                TrustBasis::X509 {
                    subject: leaf.subject.clone(),
                    anchor: leaf.anchor_subject.clone(),
                },
                self.anchor_assurance_of(&leaf),
            ),
        };
        Ok((
            IssuerKey {
                key: leaf.public_key.clone(),
                issuer_id: leaf.subject.clone(),
                assurance,
                accreditation: None,
                anchor_der: Some(leaf.anchor_der.clone()),
                basis,
            },
            (leaf.not_before, leaf.not_after),
            leaf.anchor_country.clone(),
        ))
    }
}

/// The public key of a did:jwk (`did:jwk:<base64url JWK>`). Private material or a
/// key type other than EC/OKP is `Malformed`.
pub(crate) fn resolve_did_jwk(did: &str) -> Result<PublicKey> {
    let enc = did
        .strip_prefix("did:jwk:")
        .ok_or_else(|| malformed("not a did:jwk"))?;
    let enc = enc.split('#').next().unwrap_or_default();
    let bytes = b64u_decode(enc, 4096, "did:jwk")?;
    let jwk = parse_json_object(&bytes, "did:jwk")?;
    match jwk.get("kty").and_then(Value::as_str) {
        Some("EC" | "OKP") => {}
        _ => return Err(malformed("did:jwk must hold an EC or OKP public key")),
    }
    public_key_from_jwk(&jwk)
}

/// The did:key of a public key (Multikey: P-256, P-384 or Ed25519).
///
/// ```
/// let k = passerelle::PrivateKey::generate(passerelle::Algorithm::EdDsa)?;
/// assert!(passerelle::did_key(k.public_key()).starts_with("did:key:z6Mk"));
/// # Ok::<(), passerelle::Error>(())
/// ```
pub fn did_key(key: &PublicKey) -> String {
    did::did_key_for(key)
}

/// A DID resolved offline and checked: its document and, for did:webvh, the
/// version that was resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct DidResolution {
    document: Value,
    version: Option<WebvhVersion>,
}

#[derive(Clone, Debug, PartialEq)]
struct WebvhVersion {
    id: String,
    time: UnixTime,
    deactivated: bool,
}

impl DidResolution {
    /// The DID document (JSON).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The did:webvh version id resolved (`None` for other methods).
    pub fn version_id(&self) -> Option<&str> {
        self.version.as_ref().map(|v| v.id.as_str())
    }

    /// When the resolved did:webvh version was published.
    pub fn version_time(&self) -> Option<UnixTime> {
        self.version.as_ref().map(|v| v.time)
    }

    /// Whether the did:webvh DID is deactivated (always `false` otherwise).
    pub fn deactivated(&self) -> bool {
        self.version.as_ref().is_some_and(|v| v.deactivated)
    }

    /// The JSON the CLI and the C ABI print: `{"valid": true, "document": …,
    /// "version_id": …}`, with `version_time` and `deactivated` for did:webvh.
    pub fn to_json(&self) -> Value {
        match &self.version {
            None => json!({"valid": true, "document": self.document, "version_id": null}),
            Some(v) => json!({
                "valid": true,
                "document": self.document,
                "version_id": v.id,
                "version_time": crate::time::format_rfc3339(v.time),
                "deactivated": v.deactivated,
            }),
        }
    }

    fn plain(document: Value) -> Self {
        DidResolution {
            document,
            version: None,
        }
    }
}

/// Resolves a did:web DID from the document the host fetched: the document is
/// checked to speak for the DID (its `id`, its methods' controllers).
pub fn resolve_did_web(did: &str, document: &[u8]) -> Result<DidResolution> {
    let doc = did::check_did_web_document(did, document)?;
    Ok(DidResolution::plain(Value::Object(doc.json().clone())))
}

/// Resolves a did:webvh DID from its `did.jsonl` log: the whole log is verified
/// (SCID, entry hashes, proofs by authorized update keys, pre-rotation, times),
/// then the version valid at `at` (the latest when `None`) is returned, with
/// `deactivated` reported. `now` bounds future version times.
pub fn resolve_did_webvh(
    did: &str,
    log: &[u8],
    now: UnixTime,
    at: Option<UnixTime>,
) -> Result<DidResolution> {
    let at = at.map_or(did::ResolveAt::Latest, did::ResolveAt::Time);
    let r = did::resolve_webvh_log(log, Some(did), now, at)?;
    Ok(DidResolution {
        document: Value::Object(r.document.json().clone()),
        version: Some(WebvhVersion {
            id: r.version_id,
            time: r.version_time,
            deactivated: r.deactivated,
        }),
    })
}

/// Resolves a DID without the network: did:jwk and did:key from the identifier itself. The
/// document follows the did:jwk specification (a `JsonWebKey2020` method `#0`;
/// with `use: enc` only keyAgreement, otherwise every relationship but that one).
///
/// ```
/// let did = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9";
/// let r = passerelle::resolve_did_offline(did)?;
/// assert_eq!(r.document()["assertionMethod"][0], format!("{did}#0"));
/// assert_eq!(r.version_id(), None);
/// # Ok::<(), passerelle::Error>(())
/// ```
pub fn resolve_did_offline(did: &str) -> Result<DidResolution> {
    if did.starts_with("did:key:") {
        let doc = did::did_key_document(did)?;
        return Ok(DidResolution::plain(Value::Object(doc.json().clone())));
    }
    if !did.starts_with("did:jwk:") {
        return Err(crate::error::unsupported(format!(
            "resolving {:?} needs its document or log (only did:jwk and did:key resolve from the identifier)",
            crate::crypto::clip(did)
        )));
    }
    let enc = did.trim_start_matches("did:jwk:");
    if enc.contains(['#', '/', '?']) {
        return Err(malformed("a DID, not a DID URL, is resolved"));
    }
    let bytes = b64u_decode(enc, 4096, "did:jwk")?;
    let jwk = parse_json_object(&bytes, "did:jwk")?;
    let vm = format!("{did}#0");
    let usage = jwk.get("use").and_then(Value::as_str);
    if usage == Some("enc") {
        // keyAgreement keys (X25519) are not signature keys we parse; check the shape only.
        if jwk.contains_key("d")
            || !matches!(jwk.get("kty").and_then(Value::as_str), Some("OKP" | "EC"))
        {
            return Err(malformed("did:jwk must hold an EC or OKP public key"));
        }
    } else {
        let _ = resolve_did_jwk(did)?;
    }
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1"
        ]),
    );
    doc.insert("id".into(), did.into());
    doc.insert(
        "verificationMethod".into(),
        json!([{"id": vm, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}]),
    );
    if usage != Some("enc") {
        for rel in [
            "assertionMethod",
            "authentication",
            "capabilityInvocation",
            "capabilityDelegation",
        ] {
            doc.insert(rel.into(), json!([vm]));
        }
    }
    if usage != Some("sig") {
        doc.insert("keyAgreement".into(), json!([vm]));
    }
    Ok(DidResolution::plain(Value::Object(doc)))
}
