//! The one verification result, for every format.

use crate::crypto::SignatureChecked;
use crate::policy::IdentityView;
use crate::status::Status;
use crate::trust::TrustBasis;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The credential format that was verified.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialFormat {
    /// IETF SD-JWT VC (`dc+sd-jwt`).
    SdJwtVc,
    /// A plain SD-JWT (RFC 9901) outside any credential profile.
    SdJwt,
    /// A W3C VCDM 2.0 credential secured as a JWT (`vc+jwt`).
    VcJwt,
    /// A W3C VCDM 2.0 credential secured with SD-JWT (`vc+sd-jwt`).
    VcSdJwt,
    /// A W3C VCDM 2.0 credential secured with Data Integrity (JCS cryptosuites);
    /// `ldp_vc` is its OpenID4VC format identifier.
    VcDataIntegrity,
    /// A W3C VCDM 2.0 credential secured with COSE (`vc+cose`).
    VcCose,
    /// An ISO/IEC 18013-5 mdoc in a DeviceResponse (`mso_mdoc`).
    MsoMdoc,
}

impl CredentialFormat {
    /// The format identifier used by OpenID4VP and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialFormat::SdJwtVc => "dc+sd-jwt",
            CredentialFormat::SdJwt => "sd-jwt",
            CredentialFormat::VcJwt => "vc+jwt",
            CredentialFormat::VcSdJwt => "vc+sd-jwt",
            CredentialFormat::VcDataIntegrity => "ldp_vc",
            CredentialFormat::MsoMdoc => "mso_mdoc",
            CredentialFormat::VcCose => "vc+cose",
        }
    }
}

/// Who issued the credential and what vouched for them.
#[derive(Clone, Debug, PartialEq)]
pub struct IssuerInfo {
    pub(crate) id: String,
    pub(crate) trust: TrustBasis,
    pub(crate) framework: Option<String>,
    pub(crate) registry: Option<String>,
    pub(crate) assurance_level: Option<String>,
}

impl IssuerInfo {
    /// The issuer identifier (`iss`, DID, or certificate subject).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How the issuer key was trusted.
    pub fn trust(&self) -> &TrustBasis {
        &self.trust
    }

    /// The trust framework that vouched for the issuer, when one did.
    pub fn framework(&self) -> Option<&str> {
        self.framework.as_deref()
    }

    /// The trust registry that accredited the issuer, when one did.
    pub fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    /// The assurance level the framework gives the issuer, when known.
    pub fn assurance_level(&self) -> Option<&str> {
        self.assurance_level.as_deref()
    }
}

/// The credential's validity window, seconds since the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    /// When it was issued.
    pub issued_at: Option<u64>,
    /// Not valid before.
    pub not_before: Option<u64>,
    /// Not valid from this instant on.
    pub expires: Option<u64>,
}

/// The outcome of the holder-binding check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HolderBinding {
    /// The holder proved possession of the bound key.
    Verified {
        /// RFC 7638 thumbprint of the holder key.
        key_thumbprint: String,
        /// When the holder signed the proof.
        signed_at: u64,
    },
    /// The credential is bound to a key, but no proof was presented (and policy
    /// did not require one): holder binding was not checked.
    NotChecked,
    /// The credential is bound to no key.
    NotBound,
}

/// Who vouched for a claim of the result.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// Signed by the issuer and visible in every presentation (the JWS / COSE
    /// payload itself, outside any disclosure).
    IssuerSigned,
    /// Signed by the issuer and selectively disclosed by the holder (an
    /// SD-JWT disclosure, an mdoc IssuerSignedItem).
    IssuerDisclosed,
    /// Signed by the holder (mdoc `deviceSigned`, a KB-JWT): what the holder
    /// asserts, never an issuer's statement.
    HolderSigned,
    /// Computed by the verifier from issuer-signed claims (the identity view,
    /// an age derived from a birth date).
    Derived,
}

impl Provenance {
    /// The name used in the CLI JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::IssuerSigned => "issuer_signed",
            Provenance::IssuerDisclosed => "issuer_disclosed",
            Provenance::HolderSigned => "holder_signed",
            Provenance::Derived => "derived",
        }
    }
}

/// A credential that passed every check. Only the verifier makes one, in one
/// place (a module-private constructor), and nothing changes it afterwards.
#[derive(Clone, Debug)]
pub struct VerificationResult {
    format: CredentialFormat,
    credential_type: String,
    issuer: IssuerInfo,
    validity: Validity,
    holder_binding: HolderBinding,
    status: Status,
    claims: Value,
    identity: IdentityView,
    policy_clause: Option<String>,
    /// Per claim path (JSON Pointer into `claims`), who vouched; a path not
    /// listed has the provenance of its longest listed prefix.
    provenance: BTreeMap<String, Provenance>,
    /// Holder-signed claims (mdoc `deviceSigned` elements), in the shape of
    /// `claims`; never part of `claims`, the identity view or the policy.
    holder_claims: Option<Value>,
}

/// What a verifier route established, before the recognition policy is
/// applied: every member was checked by the route that fills it in.
pub(super) struct Facts {
    pub(super) format: CredentialFormat,
    pub(super) credential_type: String,
    pub(super) issuer: IssuerInfo,
    pub(super) validity: Validity,
    pub(super) holder_binding: HolderBinding,
    pub(super) status: Status,
    pub(super) claims: Value,
    pub(super) identity: IdentityView,
    pub(super) provenance: BTreeMap<String, Provenance>,
    pub(super) holder_claims: Option<Value>,
}

impl VerificationResult {
    /// The one constructor: the facts a route checked, the proof that the
    /// issuer's signature over them verified (no route can make a result
    /// without one), and the recognition-policy clause they met.
    pub(super) fn new(
        facts: Facts,
        policy_clause: Option<String>,
        _signed: &SignatureChecked,
    ) -> Self {
        let Facts {
            format,
            credential_type,
            issuer,
            validity,
            holder_binding,
            status,
            claims,
            identity,
            provenance,
            holder_claims,
        } = facts;
        VerificationResult {
            format,
            credential_type,
            issuer,
            validity,
            holder_binding,
            status,
            claims,
            identity,
            policy_clause,
            provenance,
            holder_claims,
        }
    }

    /// Every listed claim path with who vouched for it.
    pub(crate) fn provenance_map(&self) -> &BTreeMap<String, Provenance> {
        &self.provenance
    }
}

impl VerificationResult {
    /// The format.
    pub fn format(&self) -> CredentialFormat {
        self.format
    }

    /// The credential type (`vct`, docType, or VC `type`).
    pub fn credential_type(&self) -> &str {
        &self.credential_type
    }

    /// The issuer and its trust.
    pub fn issuer(&self) -> &IssuerInfo {
        &self.issuer
    }

    /// The validity window.
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// The holder-binding outcome.
    pub fn holder_binding(&self) -> &HolderBinding {
        &self.holder_binding
    }

    /// The status outcome.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The verified claims as JSON: for SD-JWT the processed payload with the
    /// disclosed claims in place and `_sd`/`_sd_alg` removed.
    pub fn claims(&self) -> &Value {
        &self.claims
    }

    /// The normalized identity view.
    pub fn identity(&self) -> &IdentityView {
        &self.identity
    }

    /// Who vouched for the claim at `path` (a JSON Pointer into
    /// [`claims`](Self::claims)): the entry of its longest listed prefix.
    /// `None` for a path outside the claims.
    ///
    /// ```
    /// # use passerelle::*;
    /// # let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
    /// # let now = UnixTime::from_secs(1_790_000_000);
    /// # let claims = serde_json::json!({"iss": "https://issuer.example", "vct": "urn:eudi:pid:1", "given_name": "Erika"});
    /// # let issued = SdJwtVcIssuer::new(&issuer_key)
    /// #     .issue(claims.as_object().unwrap(), &Disclosable::Paths(vec![ClaimPath::parse("/given_name")?]), None, now)?;
    /// # let mut trust = TrustStore::new();
    /// # trust.add_issuer_key(issuer_key.public_key().clone(), Some("https://issuer.example"), None);
    /// let r = Verifier::new(trust, Policy::default()).verify(issued.as_bytes(), &Expectations::at(now))?;
    /// assert_eq!(r.provenance("/vct"), Some(Provenance::IssuerSigned));
    /// assert_eq!(r.provenance("/given_name"), Some(Provenance::IssuerDisclosed));
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn provenance(&self, path: &str) -> Option<Provenance> {
        let mut p = path;
        loop {
            if let Some(v) = self.provenance.get(p) {
                return Some(*v);
            }
            match p.rfind('/') {
                Some(i) if i > 0 => p = p.get(..i)?,
                _ => return None,
            }
        }
    }

    /// Holder-signed claims (mdoc `deviceSigned` elements), when the
    /// presentation carried any: `{docType: {namespace: {element: value}}}`.
    pub fn holder_claims(&self) -> Option<&Value> {
        self.holder_claims.as_ref()
    }

    /// The recognition-policy clause the credential met, when a policy was set.
    pub fn policy_clause(&self) -> Option<&str> {
        self.policy_clause.as_deref()
    }

    /// The whole result as the JSON the CLI prints (with `"valid": true`).
    pub fn to_json(&self) -> Value {
        let hb = match &self.holder_binding {
            HolderBinding::Verified {
                key_thumbprint,
                signed_at,
            } => {
                json!({"state": "verified", "key_thumbprint": key_thumbprint, "signed_at": signed_at})
            }
            HolderBinding::NotChecked => json!({"state": "not_checked"}),
            HolderBinding::NotBound => json!({"state": "not_bound"}),
        };
        json!({
            "valid": true,
            "format": self.format.as_str(),
            "credential_type": self.credential_type,
            "issuer": {
                "id": self.issuer.id,
                "trust": self.issuer.trust.to_json(),
                "framework": self.issuer.framework,
                "registry": self.issuer.registry,
                "assurance_level": self.issuer.assurance_level,
            },
            "validity": {
                "issued_at": self.validity.issued_at,
                "not_before": self.validity.not_before,
                "expires": self.validity.expires,
            },
            "holder_binding": hb,
            "status": self.status.to_json(),
            "claims": self.claims,
            "provenance": self.provenance.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect::<serde_json::Map<String, Value>>(),
            "holder_claims": self.holder_claims,
            "identity": self.identity.to_json(),
            "identity_sources": self.identity.sources(),
            "policy_clause": self.policy_clause,
        })
    }
}
