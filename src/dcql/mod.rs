//! OpenID4VP 1.0 DCQL (Digital Credentials Query Language, §6–7): parse and
//! validate a query, match it against the wallet's credentials, build the
//! `vp_token`, and check a `vp_token` against the query sent.
//!
//! Decisions where the specification leaves room (each tested in
//! `src/dcql/tests.rs` or `tests/dcql.rs`):
//!
//! - **Strict shapes, lenient members.** Unknown members are ignored at every
//!   level (§6). Known members of the wrong type, empty arrays where the spec
//!   says non-empty, duplicate credential or claim ids, `claim_sets` without
//!   `claims` or naming an unknown claim id, a claim without `id` when
//!   `claim_sets` is present, a credential set option naming an unknown
//!   credential query, and a missing `meta` (or its format-specific member)
//!   are `Malformed`. An unknown `format` is `Unsupported`.
//! - **mdoc paths** are exactly two strings (Annex B.2.4); `null`, integers or
//!   another length are `Malformed`, never read as "every element".
//! - **Types.** `vct_values` and `doctype_value` are compared exactly (no
//!   `vct` inheritance); `type_values` compares type strings as given (no
//!   JSON-LD expansion).
//! - **Claim values.** `values` match by JSON type and value; a claim whose
//!   value is JSON `null` exists (§7.1 removes only missing keys); with a
//!   `null` path component, the claim matches when at least one selected
//!   element matches, and only the matching elements are disclosed.
//! - **claim_sets.** The wallet takes the first satisfiable set; the verifier
//!   accepts any satisfiable set whose claims cover what was disclosed.
//! - **credential_sets.** The wallet answers the first satisfiable option of
//!   every set; a credential query no set names is not answered.
//! - **Extra claims** in a presentation (a selectively disclosed claim that
//!   is neither requested, nor beneath a requested claim, nor a container on
//!   the way to one) make the verifier refuse the presentation (`Policy`).
//!   §6.4 allows extras when the same credential answers another credential
//!   query of the request; passerelle refuses them anyway: the safer reading.
//! - **Array positions** in paths count the issued (fully disclosed) array in
//!   the wallet. A verifier sees only the disclosed elements of a selectively
//!   disclosable array, so there an index into an array holding a disclosed
//!   element is answered by any of its elements (npm `dcql` reads every index
//!   that way on the verifier side); an over-disclosure inside such an array
//!   is therefore not detected. Indexes into arrays without disclosed
//!   elements are exact. Prefer `null` paths with `values`.
//! - **trusted_authorities** are matched in the wallet against what the host
//!   tells about each candidate; the verifier ignores them and decides trust
//!   with its own configuration (§6.1.1 note).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod matching;
mod query;
mod vp;

pub use matching::{CandidateMatch, DcqlCandidate, DcqlMatch};
pub use query::{
    ClaimValue, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlFormat, DcqlMeta, DcqlQuery,
    PathElement, TrustedAuthority,
};
pub(crate) use vp::present as present_credential;
pub use vp::{OpenId4VpRequest, PresentationCheck, VpTokenCheck, WalletCredential};

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
