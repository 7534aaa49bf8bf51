//! passerelle
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
pub use holder::{HardwareKeys, Presented, Wallet};
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
