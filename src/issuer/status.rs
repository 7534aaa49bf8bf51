//! The issuer side of status lists: create, allocate, set, publish.

use crate::crypto::{SecureRandom, Signer, SystemRandom};
use crate::error::{misuse, ErrorKind, Result};
use crate::status::{BitstringList, IndexPermutation, StatusBits, StatusList, StatusListClaims};
use crate::store::StatusStore;
use crate::time::UnixTime;
use crate::x509::Certificate;
use serde_json::json;

/// How a list is published.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusListFormat {
    /// IETF Token Status List as a JWT (`typ` `statuslist+jwt`).
    Jwt,
    /// IETF Token Status List as a CWT (tagged COSE_Sign1, `application/statuslist+cwt`).
    Cwt,
    /// W3C `BitstringStatusListCredential`, secured as a `vc+jwt`.
    Bitstring,
}

impl StatusListFormat {
    /// `statuslist+jwt`, `statuslist+cwt` or `bitstring` (the CLI names).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "statuslist+jwt" => Ok(Self::Jwt),
            "statuslist+cwt" => Ok(Self::Cwt),
            "bitstring" => Ok(Self::Bitstring),
            other => Err(misuse(format!(
                "status list format {other:?}: statuslist+jwt, statuslist+cwt or bitstring"
            ))),
        }
    }
}

/// What goes into a published list besides its values.
#[derive(Clone, Debug)]
pub struct PublishOptions<'a> {
    /// When it is published (`iat`, `validFrom`).
    pub now: UnixTime,
    /// `ttl` in seconds (for Bitstring, in milliseconds in the credential).
    pub ttl: Option<u64>,
    /// `exp` (`validUntil` for Bitstring).
    pub exp: Option<UnixTime>,
    /// The issuer id: `iss` of a token, `issuer` of a list credential
    /// (required for Bitstring).
    pub issuer: Option<&'a str>,
    /// Certificate chain for `x5c` / `x5chain` (leaf first).
    pub chain: &'a [Certificate],
    /// `kid` in the header.
    pub kid: Option<&'a str>,
    /// The Bitstring `statusPurpose` (default `revocation`).
    pub purpose: &'a str,
}

impl PublishOptions<'_> {
    /// Published at `now`, no ttl, exp, chain or kid; purpose revocation.
    pub fn at(now: UnixTime) -> Self {
        PublishOptions {
            now,
            ttl: None,
            exp: None,
            issuer: None,
            chain: &[],
            kid: None,
            purpose: "revocation",
        }
    }
}

/// Allocates, sets and publishes status lists kept in a [`StatusStore`].
///
/// Indices are unpredictable and never repeat (Token Status List §12–13): a
/// per-list counter, taken atomically by the store, is mapped through a keyed
/// permutation of `[0, size)`; the store records each index under a
/// uniqueness constraint as a defence.
///
/// ```
/// use passerelle::*;
/// let dir = std::env::temp_dir().join(format!("pl-doc-status-{}", std::process::id()));
/// # let _ = std::fs::remove_file(&dir);
/// let store = SqliteStatusStore::open(&dir)?;
/// let issuer = StatusListIssuer::new(&store);
/// issuer.create("https://issuer.example/status/1", 1, 1024)?;
/// let idx = issuer.allocate("https://issuer.example/status/1")?;
/// issuer.set("https://issuer.example/status/1", idx, 1)?; // revoked
/// let key = PrivateKey::generate(Algorithm::Es256)?;
/// let jwt = issuer.publish("https://issuer.example/status/1", StatusListFormat::Jwt, &key,
///     &PublishOptions::at(UnixTime::from_secs(1_790_000_000)))?;
/// assert!(jwt.starts_with(b"ey"));
/// # let _ = std::fs::remove_file(&dir);
/// # Ok::<(), passerelle::Error>(())
/// ```
pub struct StatusListIssuer<'a> {
    store: &'a dyn StatusStore,
    rng: &'a dyn SecureRandom,
}

impl core::fmt::Debug for StatusListIssuer<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("StatusListIssuer")
    }
}

impl<'a> StatusListIssuer<'a> {
    /// An issuer over `store`, with permutation keys from the system RNG.
    pub fn new(store: &'a dyn StatusStore) -> Self {
        StatusListIssuer {
            store,
            rng: &SystemRandom,
        }
    }

    /// The claim that carries a status reference in a credential of
    /// `format`, as `(member, value)` to add to its claims: for `dc+sd-jwt`,
    /// `status: {"status_list": {"idx", "uri"}}` (IETF Token Status List);
    /// for the W3C formats (`vc+sd-jwt`, `vc+jwt`, `vc+cose`, `ldp_vc`),
    /// `credentialStatus`, a revocation `BitstringStatusListEntry` (W3C
    /// Bitstring Status List v1.0). Another format is `ApiMisuse` (an mdoc
    /// carries its status in the MSO, which this issuer does not write yet).
    ///
    /// ```
    /// use passerelle::StatusListIssuer;
    /// let (member, value) = StatusListIssuer::status_claim("dc+sd-jwt", "https://issuer.example/status/1", 7)?;
    /// assert_eq!(member, "status");
    /// assert_eq!(value["status_list"]["idx"], 7);
    /// let (member, value) = StatusListIssuer::status_claim("vc+jwt", "https://issuer.example/status/1", 7)?;
    /// assert_eq!((member, &value["statusListIndex"]), ("credentialStatus", &serde_json::json!("7")));
    /// assert!(StatusListIssuer::status_claim("mso_mdoc", "https://issuer.example/status/1", 7).is_err());
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn status_claim(
        format: &str,
        uri: &str,
        idx: u64,
    ) -> Result<(&'static str, serde_json::Value)> {
        match format {
            "dc+sd-jwt" => Ok(("status", json!({"status_list": {"idx": idx, "uri": uri}}))),
            "vc+sd-jwt" | "vc+jwt" | "vc+cose" | "ldp_vc" => Ok((
                "credentialStatus",
                json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                       "statusListIndex": idx.to_string(), "statusListCredential": uri}),
            )),
            other => Err(misuse(format!(
                "no status reference claim is defined here for {other}"
            ))),
        }
    }

    /// Use `rng` for permutation keys.
    pub fn with_rng(mut self, rng: &'a dyn SecureRandom) -> Self {
        self.rng = rng;
        self
    }

    /// Creates a list of `size` entries of `bits` bits at `uri`.
    pub fn create(&self, uri: &str, bits: u8, size: u64) -> Result<()> {
        let _ = StatusBits::from_bits(u64::from(bits)).map_err(|e| misuse(e.message()))?;
        let _ = IndexPermutation::new(&[0; 32], size)?;
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        self.rng.fill(&mut key[..])?;
        self.store.create_list(uri, bits, size, &key)
    }

    /// A fresh index in the list at `uri`; `LimitExceeded` when it is full.
    pub fn allocate(&self, uri: &str) -> Result<u64> {
        let a = self.store.next_counter(uri)?;
        let idx = IndexPermutation::new(&a.key, a.size)?.permute(a.counter)?;
        self.store.record_allocation(uri, idx)?;
        Ok(idx)
    }

    /// A fresh index in the newest list under `prefix` (`{prefix}/1`,
    /// `{prefix}/2`, ...), starting a new list of `bits` and `size` when the
    /// newest is full (or none exists). Returns the list's URI and the index.
    pub fn allocate_rolling(&self, prefix: &str, bits: u8, size: u64) -> Result<(String, u64)> {
        let newest = self
            .store
            .lists()?
            .into_iter()
            .filter_map(|u| {
                u.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('/'))
                    .and_then(|n| n.parse::<u64>().ok())
            })
            .max();
        if let Some(n) = newest {
            let uri = format!("{prefix}/{n}");
            match self.allocate(&uri) {
                Ok(idx) => return Ok((uri, idx)),
                Err(e) if e.kind() == ErrorKind::LimitExceeded => {}
                Err(e) => return Err(e),
            }
        }
        let uri = format!("{prefix}/{}", newest.map_or(1, |n| n.saturating_add(1)));
        match self.create(&uri, bits, size) {
            Ok(()) => {}
            // another server started it first: use it
            Err(e) if e.kind() == ErrorKind::ApiMisuse => {}
            Err(e) => return Err(e),
        }
        Ok((uri.clone(), self.allocate(&uri)?))
    }

    /// Sets the status of `idx` in `uri` (0 valid, 1 revoked, 2 suspended, ...).
    pub fn set(&self, uri: &str, idx: u64, value: u8) -> Result<()> {
        self.store.set_value(uri, idx, value)
    }

    /// Publishes the list at `uri` from a consistent snapshot, signed by
    /// `signer`, as `format`; records the published version and returns the
    /// list as served.
    pub fn publish(
        &self,
        uri: &str,
        format: StatusListFormat,
        signer: &dyn Signer,
        opts: &PublishOptions<'_>,
    ) -> Result<Vec<u8>> {
        let snap = self.store.snapshot(uri)?;
        let chain: Vec<Vec<u8>> = opts
            .chain
            .iter()
            .filter(|c| !c.is_self_signed())
            .map(|c| c.der().to_vec())
            .collect();
        let bytes = match format {
            StatusListFormat::Jwt | StatusListFormat::Cwt => {
                let bits = StatusBits::from_bits(u64::from(snap.bits))?;
                let mut list = StatusList::new(bits, snap.size)?;
                for (i, v) in &snap.values {
                    list.set(*i, *v)?;
                }
                let mut claims = StatusListClaims::new(uri, opts.now.as_secs(), list);
                if let Some(t) = opts.ttl {
                    claims = claims.with_ttl(t);
                }
                if let Some(e) = opts.exp {
                    claims = claims.with_exp(e.as_secs());
                }
                if let Some(i) = opts.issuer {
                    claims = claims.with_issuer(i);
                }
                if format == StatusListFormat::Jwt {
                    crate::status::sign_status_list_jwt(&claims, signer, opts.kid, &chain)?
                        .into_bytes()
                } else {
                    crate::status::sign_status_list_cwt(
                        &claims,
                        signer,
                        opts.kid.map(str::as_bytes),
                        &chain,
                    )?
                }
            }
            StatusListFormat::Bitstring => {
                let issuer = opts
                    .issuer
                    .ok_or_else(|| misuse("a Bitstring status list credential needs its issuer"))?;
                let mut list = BitstringList::new(snap.bits, snap.size)?;
                for (i, v) in &snap.values {
                    list.set(*i, *v)?;
                }
                let mut vc = json!({
                    "@context": [crate::formats::w3c_vc::V2_CONTEXT],
                    "id": uri,
                    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                    "issuer": issuer,
                    "validFrom": opts.now.to_rfc3339(),
                    "credentialSubject": list.credential_subject(
                        Some(&format!("{uri}#list")),
                        opts.purpose,
                        opts.ttl.map(|t| t.saturating_mul(1000)),
                    ),
                });
                if let Some(e) = opts.exp {
                    vc["validUntil"] = json!(e.to_rfc3339());
                }
                let vc = vc
                    .as_object()
                    .ok_or_else(|| misuse("the list credential is not an object"))?;
                let mut i = super::VcIssuer::new(signer);
                if let Some(k) = opts.kid {
                    i = i.with_kid(k);
                }
                i.issue_jwt(vc)?.into_bytes()
            }
        };
        self.store.record_publication(uri, snap.version, &bytes)?;
        Ok(bytes)
    }
}
