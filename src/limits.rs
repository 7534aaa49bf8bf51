//! Named bounds on everything parsed from untrusted input.
//!
//! Each limit is checked before the work it bounds, with checked arithmetic, and
//! has a test at the limit (accepted) and one past it (`LimitExceeded`).

/// Largest SD-JWT / SD-JWT+KB presentation accepted, in bytes of compact text.
pub const MAX_SD_JWT_BYTES: usize = 1024 * 1024;
/// Largest single compact JWS accepted (issuer JWT, KB-JWT), in bytes.
pub const MAX_JWS_BYTES: usize = 1024 * 1024;
/// Largest encoded JOSE protected header, in bytes of base64url text.
pub const MAX_JOSE_HEADER_BYTES: usize = 16 * 1024;
/// Most disclosures in one SD-JWT.
pub const MAX_DISCLOSURES: usize = 10_000;
/// Largest single disclosure, in bytes of base64url text.
pub const MAX_DISCLOSURE_BYTES: usize = 64 * 1024;
/// Deepest nesting of JSON arrays and objects.
pub const MAX_JSON_DEPTH: usize = 64;
/// Deepest chain of recursive disclosures (a disclosure revealing a disclosure ...).
pub const MAX_DISCLOSURE_DEPTH: usize = 32;
/// Longest `kid` accepted as a lookup key.
pub const MAX_KID_BYTES: usize = 1024;
/// Largest index into a status list (2^32 − 1: lists are bounded far below that).
pub const MAX_STATUS_INDEX: u64 = 4_294_967_295;
/// Most certificates in an `x5c` chain.
pub const MAX_CHAIN_CERTS: usize = 8;
/// Largest certificate in an `x5c` chain, DER bytes.
pub const MAX_CERT_BYTES: usize = 16 * 1024;
/// Largest claims file / JSON document given to the issuer or the CLI.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Most documents in one mdoc DeviceResponse.
pub const MAX_MDOC_DOCUMENTS: usize = 16;
/// Most issuer-signed elements in one mdoc document.
pub const MAX_MDOC_ELEMENTS: usize = 1_024;
/// Largest single IssuerSignedItem, in bytes (a 90 KB portrait fits; a 20 MB one does not).
pub const MAX_MDOC_ELEMENT_BYTES: usize = 1024 * 1024;
/// Most digests an MSO may list over all namespaces, decoys included.
pub const MAX_MSO_DIGESTS: usize = 4_096;
