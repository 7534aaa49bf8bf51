//! # passerelle
//!
//! Selective-disclosure credentials for wallets that must work across the EU
//! and Canada: issue, hold, present and verify SD-JWT VC (`dc+sd-jwt`),
//! ISO 18013-5 mdoc, and W3C VC Data Model 2.0 credentials (`vc+sd-jwt`,
//! `vc+jwt`, `vc+cose`, Data Integrity), with one [`VerificationResult`] and
//! one normalized [`IdentityView`] for all of them.
//!
//! Every step takes the time it judges at as an argument ([`UnixTime`]):
//! nothing reads the system clock behind the caller's back, and the core does
//! no network I/O (status lists, DID documents and trusted lists come from
//! the host, through [`StatusListSource`], [`resolve_did_web`] and
//! [`ListFetcher`]).
//!
//! ## An EU PID as an SD-JWT VC
//!
//! The issuer signs the PID with every claim selectively disclosable and the
//! holder's key in `cnf`; the wallet keeps it as issued and discloses only
//! what a relying party asks for, bound to its nonce by a Key Binding JWT; the
//! verifier checks the issuer's signature against its [`TrustStore`], every
//! disclosure's digest, the key binding and the validity window.
//!
//! ```
//! use passerelle::*;
//! let now = UnixTime::from_secs(1_790_000_000);
//! let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
//! let holder_key = PrivateKey::generate(Algorithm::Es256)?;
//!
//! // Issue.
//! let pid = passerelle::examples::eu_pid_claims("https://pid.example.de");
//! let issued = SdJwtVcIssuer::new(&issuer_key)
//!     .issue(&pid, &Disclosable::All, Some(holder_key.public_key()), now)?;
//!
//! // Hold and present: only the given name and the age attestation.
//! let held = HeldSdJwt::parse(&issued)?;
//! let shown = [ClaimPath::parse("/given_name")?, ClaimPath::parse("/age_equal_or_over/18")?];
//! let binding = KeyBinding { signer: &holder_key, nonce: "n-42", audience: "https://rp.example", iat: now };
//! let presentation = held.present(&shown, Some(binding))?;
//!
//! // Verify.
//! let mut trust = TrustStore::new();
//! trust.add_issuer_key(issuer_key.public_key().clone(), Some("https://pid.example.de"), None);
//! let verifier = Verifier::new(trust, Policy::default().require_holder_binding(true));
//! let expect = Expectations::at(now).nonce("n-42").audience("https://rp.example");
//! let result = verifier.verify(presentation.as_bytes(), &expect)?;
//! assert_eq!(result.format(), CredentialFormat::SdJwtVc);
//! assert_eq!(result.issuer().id(), "https://pid.example.de");
//! assert_eq!(result.identity().given_name(), Some("Erika"));
//! assert_eq!(result.identity().family_name(), None); // not disclosed
//! assert_eq!(result.provenance("/given_name"), Some(Provenance::IssuerDisclosed));
//!
//! // Another relying party's nonce, or a changed byte, is refused.
//! assert!(verifier.verify(presentation.as_bytes(), &Expectations::at(now).nonce("other")).is_err());
//! assert!(verifier.verify(presentation.replacen("~", "~x", 1).as_bytes(), &expect).is_err());
//! # Ok::<(), passerelle::Error>(())
//! ```
//!
//! An issuer identified by an X.509 chain sends it in `x5c`
//! ([`SdJwtVcIssuer::with_x5c`]); the verifier then needs the root among its
//! anchors ([`TrustStore::add_anchor_der`]) or on an ecosystem list it trusts
//! ([`TrustStore::add_list_anchor_pem`] for the list signers' root, then
//! [`TrustStore::add_list`] for an ETSI TS 119 602 LoTE or a TS 119 612
//! trusted list; the result's issuer then names the list that vouched).
//!
//! ## A Canadian person credential (W3C VCDM 2.0)
//!
//! The same flow for a VCDM 2.0 credential secured as `vc+sd-jwt`; the
//! identity view maps `credentialSubject.givenName` to the same field an EU
//! PID's `given_name` fills, so one relying-party policy reads both.
//!
//! ```
//! use passerelle::*;
//! let now = UnixTime::from_secs(1_790_000_000);
//! let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
//! let holder_key = PrivateKey::generate(Algorithm::Es256)?;
//! let vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
//! let issued = VcIssuer::new(&issuer_key)
//!     .issue_sd_jwt(&vc, &Disclosable::All, Some(holder_key.public_key()), now)?;
//!
//! let held = HeldSdJwt::parse(&issued)?;
//! let binding = KeyBinding { signer: &holder_key, nonce: "n-7", audience: "https://rp.example.ca", iat: now };
//! let presentation = held.present(&[ClaimPath::parse("/credentialSubject/givenName")?], Some(binding))?;
//!
//! let mut trust = TrustStore::new();
//! trust.add_issuer_key(issuer_key.public_key().clone(), Some("https://issuer.example.ca"), None);
//! let result = Verifier::new(trust, Policy::default())
//!     .verify(presentation.as_bytes(), &Expectations::at(now).nonce("n-7").audience("https://rp.example.ca"))?;
//! assert_eq!(result.format(), CredentialFormat::VcSdJwt);
//! assert_eq!(result.identity().given_name(), Some("Marie"));
//! # Ok::<(), passerelle::Error>(())
//! ```
//!
//! Canadian issuers are usually DIDs: [`TrustStore::add_did_webvh_log`]
//! trusts a did:webvh issuer once its log verifies,
//! [`TrustStore::add_did_web_document`] a did:web issuer from the document the
//! host fetched, [`TrustStore::add_did`] a did:jwk or did:key; a
//! [`TrustRegistry`] of accredited issuers carries their PCTF assurance
//! levels into the result. Data Integrity credentials go through
//! [`Verifier::verify_vc_data_integrity`].
//!
//! ## An mDL (ISO 18013-5 mdoc)
//!
//! The document signer's certificate chains to an IACA the verifier trusts;
//! the wallet answers a request with a DeviceResponse bound to the session
//! transcript by its device key.
//!
//! ```
//! use passerelle::*;
//! let now = UnixTime::from_secs(1_790_000_000);
//! let year = UnixTime::from_secs(now.as_secs() + 365 * 86_400);
//! let iaca_key = PrivateKey::generate(Algorithm::Es256)?;
//! let iaca = CertificateBuilder::new("Utopia IACA").country("UT").ca(Some(0))
//!     .validity(now, year).self_signed(&iaca_key)?;
//! let ds_key = PrivateKey::generate(Algorithm::Es256)?;
//! let ds = CertificateBuilder::new("Utopia DS").country("UT").end_entity()
//!     .extended_key_usage("1.0.18013.5.1.2")
//!     .validity(now, year).issued_by(&iaca, &iaca_key, ds_key.public_key())?;
//!
//! // Issue.
//! let device_key = PrivateKey::generate(Algorithm::Es256)?;
//! let elements = serde_json::json!({NAMESPACE_MDL: {
//!     "family_name": "Doe", "given_name": "Jane", "age_over_18": true}});
//! let issued = MdocIssuer::new(&ds_key, &[ds])
//!     .issue(DOCTYPE_MDL, elements.as_object().unwrap(), device_key.public_key(), now)?;
//!
//! // Hold and present one element.
//! let transcript = SessionTranscript::openid4vp("x509_san_dns:rp.example", "n-1", None,
//!     "https://rp.example/post");
//! let response = HeldMdoc::parse(&issued)?
//!     .present(&[(NAMESPACE_MDL, "age_over_18")], &transcript, &device_key)?;
//!
//! // Verify.
//! let mut trust = TrustStore::new();
//! trust.add_anchor_der(iaca.der())?;
//! let results = Verifier::new(trust, Policy::default()).verify_device_response(
//!     &response, &Expectations::at(now).session_transcript(transcript))?;
//! assert_eq!(results[0].claims()[DOCTYPE_MDL][NAMESPACE_MDL], serde_json::json!({"age_over_18": true}));
//! # Ok::<(), passerelle::Error>(())
//! ```
//!
//! IACAs can also come from a VICAL ([`TrustStore::add_vical`]), each scoped
//! to the docTypes the VICAL lists it for.
//!
//! ## The lifecycle
//!
//! - **Status**: issuers allocate indices and publish Token Status Lists or
//!   Bitstring Status Lists from a [`StatusStore`] ([`StatusListIssuer`];
//!   SQLite, or PostgreSQL for a fleet with the `postgres` feature);
//!   verifiers read them through [`Expectations::status_lists`] and report
//!   [`Status`].
//! - **The wallet**: [`CredentialStore`] is an encrypted, crash-safe store on
//!   SQLite; [`Wallet`] verifies credentials on receipt, keeps holder keys
//!   sealed beside them, and answers OpenID4VP requests with DCQL
//!   ([`DcqlQuery`], [`OpenId4VpRequest`]).
//! - **Recognition**: a [`Policy`] with [`Recognition`] clauses accepts, for
//!   example, "an EU PID at eIDAS high or a Canadian credential at PCTF LoA3";
//!   the result names the clause met.
//!
//! ## Where to read next
//!
//! [`manual`] holds the architecture (which room may import which, and where
//! each check lives), the threat model (who vouches for each fact a result
//! reports), the hostile inputs the tests cover, and the CLI contract. Errors
//! have a [`kind`](Error::kind) a caller can act on ([`ErrorKind`]); inputs
//! are bounded by [`limits`].
#![forbid(unsafe_code)]

mod cose;
mod crypto;
mod data_integrity;
mod dcql;
mod encoding;
mod error;
pub mod examples;
mod formats;
mod holder;
#[doc(hidden)]
pub mod internal;
mod issuer;
mod jose;
pub mod limits;
pub mod manual;
mod policy;
mod sd_jwt;
mod status;
mod store;
mod time;
mod trust;
mod verifier;
mod wallet;
mod x509;

pub use crypto::{
    Algorithm, Curve, KeyAgreement, PrivateKey, PublicKey, SecureRandom, Signer, SystemRandom,
};
pub use dcql::{
    CandidateMatch, ClaimValue, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlCandidate,
    DcqlFormat, DcqlMatch, DcqlMeta, DcqlQuery, OpenId4VpRequest, PathElement, PresentationCheck,
    TrustedAuthority, VpTokenCheck, WalletCredential,
};
pub use error::{Error, ErrorKind, Result};
pub use formats::mdoc::{
    SessionTranscript, DOCTYPE_EU_PID, DOCTYPE_MDL, NAMESPACE_EU_PID, NAMESPACE_MDL,
};
pub use holder::{HardwareKeys, Presented, Wallet, DEFAULT_PARSED_CACHE};
pub use issuer::{
    MdocIssuer, PublishOptions, SdJwtVcIssuer, StatusListFormat, StatusListIssuer, VcIssuer,
};
pub use policy::{Clause, Policy, Recognition};
pub use sd_jwt::{ClaimPath, Disclosable};
pub use status::{
    FetchedStatusList, Status, StatusListCache, StatusListSource, StatusLists, StatusReference,
};
#[cfg(feature = "postgres")]
pub use store::PgStatusStore;
pub use store::{open_status_store, Allocation, ListSnapshot, SqliteStatusStore, StatusStore};
pub use store::{
    BatchCounts, CredentialId, CredentialMetadata, CredentialRecord, CredentialStore,
    EnvKeyProvider, FileKeyProvider, HolderKey, HolderKeyId, KeyProvider, StoreOptions,
    StoredCredential, TakenCopy, DEFAULT_BUSY_TIMEOUT,
};
pub use time::{Clock, FixedClock, SystemClock, UnixTime};
pub use trust::{
    did_key, inspect_trust_list, resolve_did_offline, resolve_did_web, resolve_did_webvh,
    Capability, IdentityKind, ListFetcher, ListOptions, ListedIdentity, Lote, LoteEntity,
    LotePointer, LoteService, Provision, RefusedEntry, ServiceStatus, SignerInfo, TrustBasis,
    TrustRegistry, TrustStore, Vical, VicalEntry,
};
pub use verifier::{
    detect, device_response_json, CredentialFormat, Detected, Expectations, HolderBinding,
    IdentityView, IssuerInfo, NonceRegistry, Provenance, Validity, VerificationResult, Verifier,
};
pub use wallet::{HeldMdoc, HeldSdJwt, KeyBinding};
pub use x509::Certificate;
#[cfg(feature = "test-pki")]
pub use x509::CertificateBuilder;
