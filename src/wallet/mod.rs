//! The wallet (holder) role: keep an issued SD-JWT, choose what to disclose,
//! and bind the presentation to the holder key.

mod mdoc;

pub use mdoc::HeldMdoc;

use crate::crypto::Signer;
use crate::error::{malformed, Result};
use crate::sd_jwt::{
    make_kb_jwt, process_structure, select_disclosures, ClaimPath, Processed, UnverifiedSdJwt,
};
use crate::time::UnixTime;
use serde_json::Value;

/// What the holder signs into the Key Binding JWT.
pub struct KeyBinding<'a> {
    /// The holder key (the one in `cnf`).
    pub signer: &'a dyn Signer,
    /// The verifier's nonce.
    pub nonce: &'a str,
    /// The verifier's identifier (the KB-JWT `aud`).
    pub audience: &'a str,
    /// When the proof is made.
    pub iat: UnixTime,
}

/// An SD-JWT as the wallet holds it, with all its disclosures.
///
/// ```
/// use passerelle::*;
/// # let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let holder_key = PrivateKey::generate(Algorithm::Es256)?;
/// # let claims = serde_json::json!({"iss": "https://i.example", "vct": "urn:eudi:pid:1",
/// #     "given_name": "Erika", "address": {"locality": "Köln", "country": "DE"}});
/// # let now = UnixTime::from_secs(1_790_000_000);
/// # let issued = SdJwtVcIssuer::new(&issuer_key)
/// #     .issue(claims.as_object().unwrap(), &Disclosable::All, Some(holder_key.public_key()), now)?;
/// let held = HeldSdJwt::parse(&issued)?;
/// assert!(held.disclosable_paths().contains(&ClaimPath::parse("/address/locality")?));
/// // Disclosing a nested claim brings the disclosure of its parent along.
/// let vp = held.present(&[ClaimPath::parse("/address/locality")?],
///     Some(KeyBinding { signer: &holder_key, nonce: "n", audience: "https://rp.example", iat: now }))?;
/// assert_eq!(vp.matches('~').count(), 3);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HeldSdJwt {
    sd: UnverifiedSdJwt,
    full: Processed,
}

impl HeldSdJwt {
    /// Reads an issued SD-JWT (it must end with `~`: a credential received at
    /// issuance carries no KB-JWT).
    pub fn parse(issued: &str) -> Result<Self> {
        let sd = UnverifiedSdJwt::parse(issued)?;
        if sd.parts.kb_jwt.is_some() {
            return Err(malformed(
                "an issued SD-JWT must not carry a Key Binding JWT",
            ));
        }
        let full = process_structure(sd.issuer_jwt()?.payload(), &sd.disclosures)?;
        Ok(HeldSdJwt { sd, full })
    }

    /// Every claim, all disclosures applied.
    pub fn claims(&self) -> Value {
        Value::Object(self.full.claims.clone())
    }

    /// The paths of the selectively disclosable claims.
    pub fn disclosable_paths(&self) -> Vec<ClaimPath> {
        self.full.paths.clone()
    }

    /// Builds a presentation that discloses exactly the claims at `paths` (with
    /// what lies beneath them and the disclosures they sit inside), optionally
    /// with a Key Binding JWT.
    pub fn present(&self, paths: &[ClaimPath], kb: Option<KeyBinding<'_>>) -> Result<String> {
        let chosen = select_disclosures(&self.full, paths)?;
        let mut out = self
            .sd
            .parts
            .issuer_jwts
            .first()
            .cloned()
            .ok_or_else(|| malformed("no issuer-signed JWT"))?;
        out.push('~');
        for i in chosen {
            if let Some(d) = self.sd.disclosures.get(i) {
                out.push_str(&d.encoded);
                out.push('~');
            }
        }
        if let Some(kb) = kb {
            let jwt = make_kb_jwt(kb.signer, &out, self.sd.hash, kb.nonce, kb.audience, kb.iat)?;
            out.push_str(&jwt);
        }
        Ok(out)
    }
}
