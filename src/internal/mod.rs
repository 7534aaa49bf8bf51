//! Not part of the API, no stability promise: the status list core for the
//! integration tests and benches, and (only in a fuzz build) the fuzzers'
//! entries.

/// The status list decoding and encoding core (Token Status List, W3C Bitstring
/// Status List, bounded inflate, index permutation), reachable here for the
/// integration tests and the fuzzers until the verifier and the issuer expose it.
pub mod status {
    pub use crate::status::compression;
    pub use crate::status::{
        parse_status_claim_cbor_bytes, parse_status_claim_json, parse_status_list_aggregation,
        referenced_cwt_status, sign_status_list_cwt, sign_status_list_jwt, BitstringList,
        BitstringStatusEntry, BitstringStatusList, IdentifierListClaims, IdentifierListRef,
        IndexPermutation, StatusBits, StatusClaim, StatusList, StatusListClaims, StatusListRef,
        StatusMessage, TokenStatus, UnverifiedIdentifierListCwt, UnverifiedStatusListCwt,
        UnverifiedStatusListJwt, IDENTIFIERLIST_CWT_TYP, MIN_BITSTRING_ENTRIES, STATUSLIST_CWT_TYP,
        STATUSLIST_JWT_TYP,
    };
}

/// One entry per parser, each feeding arbitrary bytes through it. None may
/// panic, hang or allocate without bound, whatever the input.
#[cfg(any(fuzzing, test))]
pub mod fuzzing;
