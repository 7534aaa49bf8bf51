//! SD-JWT (RFC 9901): issuance of selectively disclosable payloads, the holder's
//! choice of disclosures with a Key Binding JWT, and the verifier's processing
//! rules of §7, over the compact serialization and the JWS JSON serialization (§8).
//!
//! Digests are always computed over the disclosure strings as received.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod compact;
mod disclosure;
mod issue;
mod kb;
mod path;
mod present;
mod process;

pub use path::ClaimPath;

pub(crate) use compact::SdJwtParts;
pub(crate) use disclosure::Disclosure;
pub use issue::Disclosable;
pub(crate) use issue::{build_sd_payload, IssueOptions, SdPayload};
pub(crate) use kb::{make_kb_jwt, verify_kb_jwt, KbCheck};
pub(crate) use present::select_disclosures;
pub(crate) use process::{process, process_structure, Processed};

/// The default digest algorithm (`_sd_alg` absent means SHA-256).
pub(crate) const DEFAULT_SD_ALG: crate::crypto::HashAlg = crate::crypto::HashAlg::Sha256;

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;

use crate::crypto::{HashAlg, SignatureChecked};
use crate::error::{malformed, unsupported, Result};
use crate::jose::Jws;

/// An SD-JWT as received, split and decoded, nothing verified.
#[derive(Debug, Clone)]
pub(crate) struct UnverifiedSdJwt {
    pub(crate) parts: SdJwtParts,
    /// The issuer-signed JWT(s), parsed (one per signature).
    pub(crate) issuer: Vec<Jws>,
    pub(crate) hash: HashAlg,
    pub(crate) disclosures: Vec<Disclosure>,
}

impl UnverifiedSdJwt {
    /// Splits and decodes `text` (compact or JSON serialization).
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let mut parts = SdJwtParts::parse(text)?;
        let mut issuer = Vec::with_capacity(parts.issuer_jwts.len());
        for j in &parts.issuer_jwts {
            issuer.push(Jws::parse(j).map_err(|e| e.context("issuer-signed JWT"))?);
        }
        let first = issuer
            .first()
            .ok_or_else(|| malformed("no issuer-signed JWT"))?;
        let hash = match first.payload().get("_sd_alg") {
            None => DEFAULT_SD_ALG,
            Some(serde_json::Value::String(s)) => HashAlg::from_iana(s).ok_or_else(|| {
                unsupported(format!(
                    "_sd_alg {:?} is not supported (sha-256, sha-384, sha-512, sha3-256, sha3-384, sha3-512 are)",
                    crate::crypto::clip(s)
                ))
            })?,
            Some(_) => return Err(malformed("_sd_alg is not a string")),
        };
        // the strings move into their disclosures: nothing reads them from
        // `parts` afterwards
        let received = std::mem::take(&mut parts.disclosures);
        let mut disclosures = Vec::with_capacity(received.len());
        let mut scratch = Vec::new();
        for d in received {
            disclosures.push(Disclosure::parse_with(d, hash, &mut scratch)?);
        }
        Ok(UnverifiedSdJwt {
            parts,
            issuer,
            hash,
            disclosures,
        })
    }

    /// The (first) issuer-signed JWT.
    pub(crate) fn issuer_jwt(&self) -> Result<&Jws> {
        self.issuer
            .first()
            .ok_or_else(|| malformed("no issuer-signed JWT"))
    }

    /// Refuses (`Malformed`), before any key is looked up, a disclosure of one
    /// of `names` referenced from the payload's top-level `_sd`: a claim the
    /// profile keeps always visible, hidden where the trust decision cannot
    /// see it. (Disclosures deeper inside such claims are refused after
    /// processing, by [`Processed::refuse_disclosed`].)
    pub(crate) fn refuse_top_level(&self, names: &[&str], profile: &str) -> Result<()> {
        let Some(serde_json::Value::Array(top)) = self.issuer_jwt()?.payload().get("_sd") else {
            return Ok(());
        };
        for d in &self.disclosures {
            if let Some(name) = d.name.as_deref().filter(|n| names.contains(n)) {
                if top.iter().any(|h| h.as_str() == Some(d.digest.as_str())) {
                    return Err(malformed(format!(
                        "{profile}: {name:?} arrives in a disclosure, but it must never be selectively disclosable"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Runs the §7.1 processing over the payload, after the signature check.
    pub(crate) fn process(&self, proof: &SignatureChecked) -> Result<Processed> {
        process(self.issuer_jwt()?.payload(), &self.disclosures, proof)
    }
}
