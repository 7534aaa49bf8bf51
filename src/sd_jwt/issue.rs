//! Issuance: turning claims into an SD-JWT payload and its disclosures (§4, §6).

use super::disclosure::digest_of;
use super::{ClaimPath, Disclosure};
use crate::crypto::{HashAlg, SecureRandom};
use crate::encoding::b64u_encode;
use crate::error::{misuse, policy, Result};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Which claims the issuer makes selectively disclosable.
///
/// ```
/// use passerelle::{ClaimPath, Disclosable};
/// let some = Disclosable::Paths(vec![ClaimPath::parse("/given_name")?, ClaimPath::parse("/address/locality")?]);
/// assert_ne!(some, Disclosable::All);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disclosable {
    /// Every object member at every depth and every array element, except the
    /// top-level names the format keeps always visible.
    All,
    /// Exactly these paths (each may sit inside another disclosable one:
    /// recursive disclosures).
    Paths(Vec<ClaimPath>),
}

/// Issuance options.
#[derive(Clone, Debug)]
pub(crate) struct IssueOptions {
    pub(crate) hash: HashAlg,
    /// Upper bound of decoy digests added to each `_sd` array (a random number
    /// between 0 and this).
    pub(crate) max_decoys: usize,
    /// Top-level claims that must stay visible (never selectively disclosable).
    pub(crate) always_visible: &'static [&'static str],
    /// Top-level claims that [`Disclosable::All`] leaves visible, though an
    /// explicit path may still make them disclosable.
    pub(crate) visible_unless_named: &'static [&'static str],
    /// When set, only claims strictly inside this top-level member may be
    /// selectively disclosable (W3C VCDM: `credentialSubject`).
    pub(crate) scope: Option<&'static str>,
}

struct Builder<'a> {
    opts: &'a IssueOptions,
    rng: &'a dyn SecureRandom,
    sel: &'a Disclosable,
    wanted: HashSet<&'a ClaimPath>,
    used: HashSet<ClaimPath>,
    disclosures: Vec<Disclosure>,
    /// Random bytes drawn in batches (one RNG call per 32 salts), zeroized on drop.
    pool: zeroize::Zeroizing<Vec<u8>>,
}

const POOL_BYTES: usize = 16 * 32;

/// Builds the SD-JWT payload (with `_sd`, `_sd_alg`) and the disclosures.
pub(crate) fn build_sd_payload(
    claims: &Map<String, Value>,
    sel: &Disclosable,
    opts: &IssueOptions,
    rng: &dyn SecureRandom,
) -> Result<(Map<String, Value>, Vec<Disclosure>)> {
    if claims.contains_key("_sd") || claims.contains_key("_sd_alg") || claims.contains_key("...") {
        return Err(misuse(
            "claims may not use the reserved names _sd, _sd_alg or ...",
        ));
    }
    let wanted: HashSet<&ClaimPath> = match sel {
        Disclosable::All => HashSet::new(),
        Disclosable::Paths(p) => p.iter().collect(),
    };
    for p in &wanted {
        if let Some(scope) = opts.scope {
            if p.segments().len() < 2 || p.segments().first().map(String::as_str) != Some(scope) {
                return Err(policy(format!(
                    "only claims inside {scope} may be selectively disclosable, not {p}"
                )));
            }
        }
        // neither the claim itself nor anything inside it (cnf.jwk, status.status_list)
        if let Some(first) = p.segments().first() {
            if opts.always_visible.contains(&first.as_str()) {
                return Err(policy(format!(
                    "claim {first:?} must not be selectively disclosable, nor anything inside it"
                )));
            }
        }
    }
    let mut b = Builder {
        opts,
        rng,
        sel,
        wanted,
        used: HashSet::new(),
        disclosures: Vec::new(),
        pool: zeroize::Zeroizing::new(Vec::new()),
    };
    let mut payload = b.object(claims, &ClaimPath::root())?;
    if let Disclosable::Paths(p) = sel {
        if let Some(missing) = p.iter().find(|p| !b.used.contains(*p)) {
            return Err(misuse(format!("no claim at path {missing}")));
        }
    }
    // SD-18: refuse a repeated digest (and so a repeated salt with equal content).
    let mut digests = HashSet::new();
    for d in &b.disclosures {
        if !digests.insert(d.digest.as_str()) {
            return Err(policy("two disclosures have the same digest"));
        }
    }
    payload.insert("_sd_alg".into(), opts.hash.iana_name().into());
    Ok((payload, b.disclosures))
}

impl Builder<'_> {
    /// The next 16 random bytes.
    fn random16(&mut self) -> Result<[u8; 16]> {
        if self.pool.len() < 16 {
            self.pool.resize(POOL_BYTES, 0);
            self.rng.fill(&mut self.pool)?;
        }
        let at = self.pool.len() - 16;
        let mut out = [0u8; 16];
        out.copy_from_slice(self.pool.get(at..).unwrap_or_default());
        self.pool.iter_mut().skip(at).for_each(|b| *b = 0);
        self.pool.truncate(at);
        Ok(out)
    }

    fn selected(&mut self, path: &ClaimPath) -> bool {
        let out_of_scope = self.opts.scope.is_some_and(|scope| {
            path.segments().len() < 2 || path.segments().first().map(String::as_str) != Some(scope)
        });
        let yes = match self.sel {
            Disclosable::All if out_of_scope => false,
            Disclosable::All => {
                !(path.segments().len() == 1
                    && path.segments().first().is_some_and(|s| {
                        self.opts.always_visible.contains(&s.as_str())
                            || self.opts.visible_unless_named.contains(&s.as_str())
                    }))
            }
            Disclosable::Paths(_) => self.wanted.contains(path),
        };
        if yes {
            self.used.insert(path.clone());
        }
        yes
    }

    fn value(&mut self, v: &Value, path: &ClaimPath) -> Result<Value> {
        Ok(match v {
            Value::Object(o) => Value::Object(self.object(o, path)?),
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, e) in a.iter().enumerate() {
                    let child = path.child(i.to_string());
                    let inner = self.value(e, &child)?;
                    if self.selected(&child) {
                        let salt = zeroize::Zeroizing::new(self.random16()?);
                        let d = Disclosure::create(None, inner, self.opts.hash, &salt)?;
                        let mut ph = Map::new();
                        ph.insert("...".into(), d.digest.as_str().into());
                        out.push(Value::Object(ph));
                        self.disclosures.push(d);
                    } else {
                        out.push(inner);
                    }
                }
                Value::Array(out)
            }
            other => other.clone(),
        })
    }

    fn object(&mut self, obj: &Map<String, Value>, path: &ClaimPath) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        let mut sd: Vec<String> = Vec::new();
        for (k, v) in obj {
            if path.segments().is_empty() && k == "_sd_alg" {
                continue;
            }
            if k == "_sd" || k == "..." {
                return Err(misuse("claims may not use the reserved names _sd or ..."));
            }
            let child = path.child(k.as_str());
            let always_visible =
                path.segments().is_empty() && self.opts.always_visible.contains(&k.as_str());
            // Claims the format keeps visible are kept whole, nothing inside them hidden.
            let inner = if always_visible {
                v.clone()
            } else {
                self.value(v, &child)?
            };
            if !always_visible && self.selected(&child) {
                let salt = zeroize::Zeroizing::new(self.random16()?);
                let d = Disclosure::create(Some(k), inner, self.opts.hash, &salt)?;
                sd.push(d.digest.as_str().to_owned());
                self.disclosures.push(d);
            } else {
                out.insert(k.clone(), inner);
            }
        }
        if !sd.is_empty() && self.opts.max_decoys > 0 {
            let n = self.random16()?;
            let count = usize::from(n[0]) % (self.opts.max_decoys + 1);
            for _ in 0..count {
                let r = self.random16()?;
                sd.push(digest_of(&b64u_encode(r), self.opts.hash));
            }
        }
        if !sd.is_empty() {
            // Sorting hides the original order of the claims (§4.2.4.2 recommends it).
            sd.sort_unstable();
            out.insert(
                "_sd".into(),
                Value::Array(sd.into_iter().map(Value::String).collect()),
            );
        }
        Ok(out)
    }
}
