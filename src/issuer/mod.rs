//! The issuer role: SD-JWT VC issuance.

mod mdoc;
mod status;

pub use mdoc::MdocIssuer;
pub use status::{PublishOptions, StatusListFormat, StatusListIssuer};

use crate::crypto::{PublicKey, SecureRandom, Signer, SystemRandom};
use crate::encoding::b64_std_encode;
use crate::error::{misuse, Result};
use crate::formats::{sd_jwt_vc, w3c_vc};
use crate::jose::{public_jwk, sign_compact, sign_compact_with_room};
use crate::sd_jwt::{build_sd_payload, Disclosable, IssueOptions, DEFAULT_SD_ALG};
use crate::time::UnixTime;
use crate::x509::Certificate;
use serde_json::{Map, Value};

/// The claims the issuer adds to `claims`: `iat` (if absent) and `cnf.jwk`
/// for `holder`.
fn iat_and_cnf(
    claims: &Map<String, Value>,
    holder: Option<&PublicKey>,
    now: UnixTime,
) -> Result<Map<String, Value>> {
    if claims.contains_key("cnf") && holder.is_some() {
        return Err(misuse(
            "give the holder key either in claims.cnf or as holder, not both",
        ));
    }
    let mut extra = Map::new();
    if !claims.contains_key("iat") {
        extra.insert("iat".into(), now.as_secs().into());
    }
    if let Some(h) = holder {
        let mut cnf = Map::new();
        cnf.insert("jwk".into(), Value::Object(public_jwk(h)));
        extra.insert("cnf".into(), Value::Object(cnf));
    }
    Ok(extra)
}

/// Signs the SD-JWT payload and appends the disclosures: `<jwt>~<d1>~…~`.
fn sign_sd_jwt(
    header: Map<String, Value>,
    sd: &crate::sd_jwt::SdPayload,
    signer: &dyn Signer,
) -> Result<String> {
    let mut out = sign_compact_with_room(header, &sd.payload, signer, 1 + sd.disclosures.len())?;
    out.push('~');
    out.push_str(&sd.disclosures);
    Ok(out)
}

/// Issues SD-JWT VCs (`typ: dc+sd-jwt`) signed by one key.
///
/// ```
/// use passerelle::*;
/// let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
/// let holder_key = PrivateKey::generate(Algorithm::Es256)?;
/// let claims = serde_json::json!({
///     "iss": "https://pid-provider.example", "vct": "urn:eudi:pid:1",
///     "given_name": "Erika", "address": {"locality": "Köln", "country": "DE"}
/// });
/// let sd_jwt = SdJwtVcIssuer::new(&issuer_key).issue(
///     claims.as_object().unwrap(),
///     &Disclosable::Paths(vec![ClaimPath::parse("/given_name")?, ClaimPath::parse("/address/locality")?]),
///     Some(holder_key.public_key()),
///     UnixTime::from_secs(1_790_000_000),
/// )?;
/// assert_eq!(sd_jwt.matches('~').count(), 3); // two disclosures, then the final '~'
/// # Ok::<(), passerelle::Error>(())
/// ```
pub struct SdJwtVcIssuer<'a> {
    signer: &'a dyn Signer,
    rng: &'a dyn SecureRandom,
    x5c: Vec<String>,
    kid: Option<String>,
    max_decoys: usize,
    hash: crate::crypto::HashAlg,
}

/// The `_sd_alg` named `name` (IANA: sha-256, sha-384, sha-512, sha3-256,
/// sha3-384, sha3-512); another is `Unsupported`.
fn sd_alg(name: &str) -> Result<crate::crypto::HashAlg> {
    crate::crypto::HashAlg::from_iana(name).ok_or_else(|| {
        crate::error::unsupported(format!(
            "_sd_alg {:?} is not supported",
            crate::crypto::clip(name)
        ))
    })
}

impl<'a> SdJwtVcIssuer<'a> {
    /// An issuer signing with `signer`, with salts and decoys from the system RNG.
    pub fn new(signer: &'a dyn Signer) -> Self {
        SdJwtVcIssuer {
            signer,
            rng: &SystemRandom,
            x5c: Vec::new(),
            kid: None,
            max_decoys: 3,
            hash: DEFAULT_SD_ALG,
        }
    }

    /// Digest disclosures with `_sd_alg` `name` (default `sha-256`; also
    /// `sha-384`, `sha-512`, `sha3-256`, `sha3-384`, `sha3-512`).
    ///
    /// ```
    /// let key = passerelle::PrivateKey::generate(passerelle::Algorithm::Es256)?;
    /// let issuer = passerelle::SdJwtVcIssuer::new(&key).with_sd_alg("sha3-256")?;
    /// assert!(passerelle::SdJwtVcIssuer::new(&key).with_sd_alg("md5").is_err());
    /// # let _ = issuer;
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn with_sd_alg(mut self, name: &str) -> Result<Self> {
        self.hash = sd_alg(name)?;
        Ok(self)
    }

    /// Use `rng` for salts and decoys (tests inject a seeded one).
    pub fn with_rng(mut self, rng: &'a dyn SecureRandom) -> Self {
        self.rng = rng;
        self
    }

    /// Put this certificate chain (leaf first) in the `x5c` header. A
    /// self-signed root at the end is left out, as trust anchors are never sent.
    pub fn with_x5c(mut self, chain: &[Certificate]) -> Self {
        self.x5c = chain
            .iter()
            .filter(|c| !c.is_self_signed())
            .map(|c| b64_std_encode(c.der()))
            .collect();
        self
    }

    /// Put `kid` in the header.
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.kid = Some(kid.to_owned());
        self
    }

    /// Add up to `n` decoy digests to each `_sd` array (default 3; 0 for none).
    pub fn with_max_decoys(mut self, n: usize) -> Self {
        self.max_decoys = n;
        self
    }

    /// Issues an SD-JWT VC over `claims` (which must hold `iss` and `vct`).
    /// `iat` is set to `now`; `cnf.jwk` to `holder` when given. The claims the
    /// draft keeps visible (`iss`, `nbf`, `exp`, `cnf`, `vct`, `status`) cannot
    /// be made disclosable: asking for it is a `Policy` error.
    pub fn issue(
        &self,
        claims: &Map<String, Value>,
        disclosable: &Disclosable,
        holder: Option<&PublicKey>,
        now: UnixTime,
    ) -> Result<String> {
        match claims.get("vct") {
            Some(Value::String(_)) => {}
            _ => return Err(misuse("SD-JWT VC claims need a vct string")),
        }
        if !matches!(claims.get("iss"), Some(Value::String(_))) && self.x5c.is_empty() {
            return Err(misuse(
                "SD-JWT VC claims need an iss string (or an x5c chain)",
            ));
        }
        let extra = iat_and_cnf(claims, holder, now)?;
        let opts = IssueOptions {
            hash: self.hash,
            max_decoys: self.max_decoys,
            always_visible: sd_jwt_vc::ALWAYS_VISIBLE,
            visible_unless_named: &["iat"],
            scope: None,
        };
        let sd = build_sd_payload(claims, &extra, disclosable, &opts, self.rng)?;
        let mut header = Map::new();
        header.insert("typ".into(), sd_jwt_vc::TYP.into());
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), kid.clone().into());
        }
        if !self.x5c.is_empty() {
            header.insert(
                "x5c".into(),
                Value::Array(self.x5c.iter().cloned().map(Value::String).collect()),
            );
        }
        sign_sd_jwt(header, &sd, self.signer)
    }
}

/// Issues W3C VCDM 2.0 credentials secured per W3C VC-JOSE-COSE: as a JWT
/// (`vc+jwt`) or with SD-JWT (`vc+sd-jwt`, disclosable claims inside
/// `credentialSubject` only).
///
/// ```
/// use passerelle::*;
/// let key = PrivateKey::generate(Algorithm::Es256)?;
/// let holder = PrivateKey::generate(Algorithm::Es256)?;
/// let vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
/// let issuer = VcIssuer::new(&key);
/// let jwt = issuer.issue_jwt(&vc)?;
/// assert_eq!(jwt.matches('.').count(), 2);
/// let sd = issuer.issue_sd_jwt(&vc, &Disclosable::All, Some(holder.public_key()), UnixTime::from_secs(1_790_000_000))?;
/// assert!(sd.ends_with('~'));
/// # Ok::<(), passerelle::Error>(())
/// ```
pub struct VcIssuer<'a> {
    signer: &'a dyn Signer,
    rng: &'a dyn SecureRandom,
    kid: Option<String>,
    max_decoys: usize,
    hash: crate::crypto::HashAlg,
}

impl<'a> VcIssuer<'a> {
    /// An issuer signing with `signer`.
    pub fn new(signer: &'a dyn Signer) -> Self {
        VcIssuer {
            signer,
            rng: &SystemRandom,
            kid: None,
            max_decoys: 3,
            hash: DEFAULT_SD_ALG,
        }
    }

    /// Digest `vc+sd-jwt` disclosures with `_sd_alg` `name` (as
    /// [`SdJwtVcIssuer::with_sd_alg`]).
    pub fn with_sd_alg(mut self, name: &str) -> Result<Self> {
        self.hash = sd_alg(name)?;
        Ok(self)
    }

    /// Put `kid` (for a DID issuer, a DID URL of an assertion method) in the header.
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.kid = Some(kid.to_owned());
        self
    }

    /// Use `rng` for salts and decoys.
    pub fn with_rng(mut self, rng: &'a dyn SecureRandom) -> Self {
        self.rng = rng;
        self
    }

    /// Add up to `n` decoy digests to each `_sd` array (default 3).
    pub fn with_max_decoys(mut self, n: usize) -> Self {
        self.max_decoys = n;
        self
    }

    fn header(&self, typ: &str) -> Map<String, Value> {
        let mut h = Map::new();
        h.insert("typ".into(), typ.into());
        if let Some(kid) = &self.kid {
            h.insert("kid".into(), kid.clone().into());
        }
        h
    }

    fn check(credential: &Map<String, Value>) -> Result<()> {
        // the data model, at the credential's own validFrom (or the epoch) so
        // that issuing ahead of time is possible
        let at = credential
            .get("validFrom")
            .and_then(Value::as_str)
            .and_then(crate::time::parse_rfc3339)
            .unwrap_or(UnixTime::from_secs(0));
        w3c_vc::check_credential(credential, at, 0)
            .map(|_| ())
            .map_err(|e| misuse(e.message()))
    }

    /// Issues `credential` secured with a Data Integrity proof
    /// (`cryptosuite` = `eddsa-jcs-2022` or `ecdsa-jcs-2019`) by the verification
    /// method `verification_method` (a DID URL naming the signer's key), created
    /// at `created`. Returns the secured credential as JSON text.
    pub fn issue_data_integrity(
        &self,
        credential: &Map<String, Value>,
        cryptosuite: &str,
        verification_method: &str,
        created: UnixTime,
    ) -> Result<String> {
        use crate::data_integrity::{create_proof, Cryptosuite, ProofOptions};
        Self::check(credential)?;
        let opts = ProofOptions::new(
            Cryptosuite::from_name(cryptosuite)?,
            verification_method,
            "assertionMethod",
            Some(created),
        );
        let proof = create_proof(credential, &opts, self.signer)?;
        let mut secured = credential.clone();
        secured.insert("proof".into(), Value::Object(proof));
        Ok(Value::Object(secured).to_string())
    }

    /// Issues `credential` as `vc+cose` (W3C VC-JOSE-COSE §3.3): a COSE_Sign1
    /// (tag 18, as the Recommendation's examples) whose attached payload is
    /// the credential's JSON, with protected `alg`, `typ` (16)
    /// `application/vc+cose`, content type (3) `application/vc`, and `kid`
    /// when one was set. The data model is checked first (`ApiMisuse`).
    pub fn issue_cose(&self, credential: &Map<String, Value>) -> Result<Vec<u8>> {
        Self::check(credential)?;
        w3c_vc::sign_cose(credential, self.signer, self.kid.as_deref())
    }

    /// Issues `credential` as a `vc+jwt`.
    pub fn issue_jwt(&self, credential: &Map<String, Value>) -> Result<String> {
        Self::check(credential)?;
        sign_compact(
            self.header(w3c_vc::TYP_JWT),
            Value::Object(credential.clone()).to_string().as_bytes(),
            self.signer,
        )
    }

    /// Issues `credential` as a `vc+sd-jwt`, binding it to `holder` when given.
    /// Disclosable paths must lie inside `credentialSubject`; `All` makes every
    /// claim there disclosable.
    pub fn issue_sd_jwt(
        &self,
        credential: &Map<String, Value>,
        disclosable: &Disclosable,
        holder: Option<&PublicKey>,
        now: UnixTime,
    ) -> Result<String> {
        Self::check(credential)?;
        let extra = iat_and_cnf(credential, holder, now)?;
        let opts = IssueOptions {
            hash: self.hash,
            max_decoys: self.max_decoys,
            always_visible: &[
                "@context",
                "type",
                "issuer",
                "cnf",
                "validFrom",
                "validUntil",
                "credentialStatus",
                "id",
                "iss",
                "nbf",
                "exp",
                "status",
            ],
            visible_unless_named: &["iat"],
            scope: Some("credentialSubject"),
        };
        let sd = build_sd_payload(credential, &extra, disclosable, &opts, self.rng)?;
        sign_sd_jwt(self.header(w3c_vc::TYP_SD_JWT), &sd, self.signer)
    }
}
