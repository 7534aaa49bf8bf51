//! Named bounds on everything parsed from untrusted input.
//!
//! Each limit is checked before the work it bounds, with checked arithmetic, and
//! has a test at the limit (accepted) and one past it (`LimitExceeded`).

/// Largest SD-JWT / SD-JWT+KB presentation accepted, in bytes of compact text
/// (a presentation of 10 000 disclosures of a realistic size, about 1.2 MB,
/// fits). A [`Verifier`](crate::Verifier) may set a lower bound with
/// [`VerifierLimits`].
pub const MAX_SD_JWT_BYTES: usize = 2 * 1024 * 1024;
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
/// Largest decoded (inflated) status list, in bytes: 16 MiB, i.e. 2^27 one-bit or
/// 2^24 eight-bit entries. Checked while inflating, separately from the wire size,
/// so a small stream that inflates to gigabytes stops here (`LimitExceeded`).
pub const MAX_STATUS_LIST_DECODED_BYTES: usize = 16 * 1024 * 1024;
/// Largest compressed status list accepted, in bytes as it arrives: the base64url
/// text of a JWT `lst` or of a Bitstring `encodedList`, or the CWT `lst` bytes.
pub const MAX_STATUS_LIST_ENCODED_BYTES: usize = 1024 * 1024;
/// Widest W3C Bitstring Status List `statusSize` accepted, in bits.
pub const MAX_BITSTRING_STATUS_SIZE: u64 = 8;
/// Most certificates in an `x5c` chain.
pub const MAX_CHAIN_CERTS: usize = 8;
/// Largest certificate in an `x5c` chain, DER bytes.
pub const MAX_CERT_BYTES: usize = 16 * 1024;
/// Largest claims file / JSON document given to the issuer or the CLI.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Largest status list an issuer's store keeps, in entries (2^32: the Token
/// Status List index bound).
pub const MAX_STATUS_LIST_ENTRIES: u64 = 1 << 32;

/// Most documents in one mdoc DeviceResponse.
pub const MAX_MDOC_DOCUMENTS: usize = 16;
/// Most issuer-signed elements in one mdoc document.
pub const MAX_MDOC_ELEMENTS: usize = 1_024;
/// Largest single IssuerSignedItem, in bytes (a 90 KB portrait fits; a 20 MB one does not).
pub const MAX_MDOC_ELEMENT_BYTES: usize = 1024 * 1024;
/// Most digests an MSO may list over all namespaces, decoys included.
pub const MAX_MSO_DIGESTS: usize = 4_096;

/// Largest CBOR input accepted, in bytes (a DeviceResponse with portraits fits).
pub const MAX_CBOR_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of arrays, maps and tags (the top-level item is at depth 0).
pub const MAX_CBOR_DEPTH: usize = 32;
/// Most tags applied directly to one item (`tag(tag(tag(x)))`).
pub const MAX_CBOR_TAG_NESTING: usize = 4;
/// Most entries in one array or map (a map entry is one key and one value).
pub const MAX_CBOR_CONTAINER_LEN: usize = 65_536;
/// Most data items in one input, counting every key, value, element and chunk.
pub const MAX_CBOR_ITEMS: usize = 200_000;
/// Longest base58btc text decoded (a P-384 `proofValue` is ~132 characters,
/// a P-384 Multikey ~70; 1024 leaves room for any key or signature we accept).
pub const MAX_BASE58_CHARS: usize = 1024;
/// Most proofs in one proof set.
pub const MAX_DI_PROOFS: usize = 16;
/// Longest `verificationMethod` / `proofPurpose` / `challenge` / `domain` string.
pub const MAX_DI_PROOF_STRING_BYTES: usize = 2048;
/// Most entries in one registry.
pub const MAX_REGISTRY_ENTRIES: usize = 10_000;
/// Most verification methods (listed and embedded) in one DID document.
pub const MAX_VERIFICATION_METHODS: usize = 64;
/// Longest DID or DID URL accepted.
pub const MAX_DID_BYTES: usize = 2048;
/// Largest `did.jsonl` accepted, in bytes.
pub const MAX_DID_LOG_BYTES: usize = 4 * 1024 * 1024;
/// Most entries in a `did.jsonl`.
pub const MAX_DID_LOG_ENTRIES: usize = 1000;
/// Most `updateKeys` / `nextKeyHashes` in one entry.
pub const MAX_UPDATE_KEYS: usize = 32;

/// Largest credential the wallet store seals, in bytes of plaintext (an mdoc with
/// portraits, at [`MAX_CBOR_BYTES`], fits twice over).
pub const MAX_STORED_CREDENTIAL_BYTES: usize = 8 * 1024 * 1024;
/// Longest metadata string the wallet store keeps in clear (format, type, issuer,
/// batch) and longest hardware key reference, in bytes.
pub const MAX_STORE_FIELD_BYTES: usize = 4096;

/// Input bounds a [`Verifier`](crate::Verifier) applies before parsing, at
/// most the crate's hard limits ([`MAX_SD_JWT_BYTES`], [`MAX_DISCLOSURES`]):
/// a relying party that never expects large presentations can refuse them
/// sooner. A value above the hard limit is held at the hard limit.
///
/// ```
/// use passerelle::limits::VerifierLimits;
/// let l = VerifierLimits::default().max_presentation_bytes(64 * 1024).max_disclosures(100);
/// assert_eq!(l.presentation_bytes(), 64 * 1024);
/// assert_eq!(VerifierLimits::default().max_disclosures(usize::MAX).disclosures(), passerelle::limits::MAX_DISCLOSURES);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifierLimits {
    presentation_bytes: usize,
    disclosures: usize,
}

impl Default for VerifierLimits {
    /// The hard limits.
    fn default() -> Self {
        VerifierLimits {
            presentation_bytes: MAX_SD_JWT_BYTES,
            disclosures: MAX_DISCLOSURES,
        }
    }
}

impl VerifierLimits {
    /// Largest text presentation accepted, in bytes (SD-JWT, JWS, JSON; CBOR
    /// keeps its own bound, [`MAX_CBOR_BYTES`]).
    pub fn max_presentation_bytes(mut self, n: usize) -> Self {
        self.presentation_bytes = n.min(MAX_SD_JWT_BYTES);
        self
    }

    /// Most disclosures in one SD-JWT.
    pub fn max_disclosures(mut self, n: usize) -> Self {
        self.disclosures = n.min(MAX_DISCLOSURES);
        self
    }

    /// The presentation bound in force.
    pub fn presentation_bytes(&self) -> usize {
        self.presentation_bytes
    }

    /// The disclosure bound in force.
    pub fn disclosures(&self) -> usize {
        self.disclosures
    }
}

// DCQL and vp_token bounds: each is tested at and past it in src/dcql/tests.rs
// (limit_*) and tests/dcql.rs (limit_vp_token_presentations).

/// Most credential queries in one DCQL query (`credentials`); also the most
/// ids in one `credential_sets` option.
pub const MAX_DCQL_CREDENTIAL_QUERIES: usize = 64;
/// Most claims queries in one credential query (`claims`); also the most ids
/// in one `claim_sets` entry. An mDL has about 40 elements, a PID about 50.
pub const MAX_DCQL_CLAIMS_PER_QUERY: usize = 256;
/// Longest claims path pointer, in components. Claims nest at most
/// [`MAX_JSON_DEPTH`] deep, so a longer path could never select anything.
pub const MAX_DCQL_PATH_SEGMENTS: usize = 32;
/// Most entries in one DCQL `values`, `vct_values`, `type_values` (and each
/// inner array), and `trusted_authorities[].values`.
pub const MAX_DCQL_VALUES: usize = 64;
/// Most `claim_sets` of a credential query, `credential_sets` of a query,
/// `options` of a credential set, and `trusted_authorities` of a credential query.
pub const MAX_DCQL_SETS: usize = 64;
/// Most presentations one `vp_token` may carry, over all its credential
/// queries; each costs signature checks, so the count is bounded before any.
pub const MAX_VP_TOKEN_PRESENTATIONS: usize = 64;

/// Largest VICAL accepted (the whole COSE_Sign1), in bytes. The AAMVA VICAL
/// of 2025-11 is 21 KB for 14 IACAs.
pub const MAX_VICAL_BYTES: usize = 4 * 1024 * 1024;
/// Most `certificateInfos` entries in one VICAL.
pub const MAX_VICAL_ENTRIES: usize = 4_096;
/// Most docTypes one VICAL entry may list.
pub const MAX_VICAL_DOCTYPES: usize = 64;
/// Largest LoTE accepted as compact JWS text, in bytes. Its decoded payload is
/// also bounded by [`MAX_JSON_BYTES`].
pub const MAX_LOTE_BYTES: usize = 2 * 1024 * 1024;
/// Most trusted entities in one LoTE.
pub const MAX_LOTE_ENTITIES: usize = 10_000;
/// Most services, over all entities, in one LoTE.
pub const MAX_LOTE_SERVICES: usize = 10_000;
/// Most digital identities (certificates, keys, names, SKIs) of one service
/// or history instance.
pub const MAX_LOTE_IDENTITIES: usize = 64;
/// Most history instances of one service.
pub const MAX_LOTE_HISTORY: usize = 256;
/// Most pointers to other LoTEs.
pub const MAX_LOTE_POINTERS: usize = 256;
/// Largest TS 119 612 XML trusted list accepted, in bytes (the EU LOTL is
/// about 0.3 MB, national lists reach a few MB).
pub const MAX_TRUSTED_LIST_XML_BYTES: usize = 16 * 1024 * 1024;
/// Most nodes in one XML trusted list (elements, attributes, text).
pub const MAX_XML_NODES: u32 = 1_000_000;
/// Deepest element nesting canonicalized (trusted lists nest about 15 deep).
pub const MAX_XML_DEPTH: usize = 64;
/// Deepest chain of list pointers followed from a configured list (a LOTL
/// pointing to national lists is depth 1).
pub const MAX_LIST_POINTER_DEPTH: usize = 3;
/// Most lists fetched while following pointers from one configured list.
pub const MAX_FOLLOWED_LISTS: usize = 64;
