//! Issuance: turning claims into an SD-JWT payload and its disclosures (§4, §6).

use super::disclosure::DigestText;
use super::ClaimPath;
use crate::crypto::{HashAlg, SecureRandom};
use crate::encoding::{b64u_encode, b64u_encode_append, b64u_encode_into};
use crate::error::{misuse, policy, Result};
use serde_json::{Map, Value};

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

/// The SD-JWT payload (JSON, with `_sd` and `_sd_alg`) and its disclosures
/// (encoded, each followed by `~`: what follows the issuer-signed JWT and its
/// `~`).
pub(crate) struct SdPayload {
    pub(crate) payload: Vec<u8>,
    pub(crate) disclosures: String,
}

/// The explicitly disclosable paths as a tree of their segments, walked
/// beside the claims: no path is built or hashed per claim.
struct Wanted<'p> {
    nodes: Vec<Node<'p>>,
}

#[derive(Default)]
struct Node<'p> {
    /// Children by segment, sorted for binary search.
    children: Vec<(&'p str, usize)>,
    /// The path that ends here, when one does (with its first position in
    /// the caller's list).
    path: Option<(usize, &'p ClaimPath)>,
    /// A claim exists at that path (so it was made disclosable).
    used: bool,
}

impl<'p> Wanted<'p> {
    fn new(paths: &'p [ClaimPath]) -> Self {
        let mut nodes =
            Vec::with_capacity(1 + paths.iter().map(|p| p.segments().len()).sum::<usize>());
        nodes.push(Node::default());
        for (index, p) in paths.iter().enumerate() {
            let mut at = 0;
            for seg in p.segments() {
                let Some(n) = nodes.get(at) else { break };
                at = match n.children.binary_search_by(|(s, _)| (*s).cmp(seg.as_str())) {
                    Ok(i) => n.children.get(i).map_or(0, |(_, c)| *c),
                    Err(i) => {
                        let child = nodes.len();
                        nodes.push(Node::default());
                        if let Some(n) = nodes.get_mut(at) {
                            n.children.insert(i, (seg.as_str(), child));
                        }
                        child
                    }
                };
            }
            if let Some(n) = nodes.get_mut(at) {
                n.path.get_or_insert((index, p));
            }
        }
        Wanted { nodes }
    }

    /// The child of `node` for segment `seg`.
    fn child(&self, node: Option<usize>, seg: &str) -> Option<usize> {
        let n = self.nodes.get(node?)?;
        n.children
            .binary_search_by(|(s, _)| (*s).cmp(seg))
            .ok()
            .and_then(|i| n.children.get(i))
            .map(|(_, c)| *c)
    }

    /// The first path (in the caller's order) at which no claim was found.
    fn missing(&self) -> Option<&'p ClaimPath> {
        self.nodes
            .iter()
            .filter(|n| !n.used)
            .filter_map(|n| n.path)
            .min_by_key(|(index, _)| *index)
            .map(|(_, p)| p)
    }
}

/// Where a claim sits: its depth (1 for a top-level claim), the top-level
/// claim it is in, and its node in the tree of wanted paths.
#[derive(Clone, Copy)]
struct At<'a> {
    depth: usize,
    top: &'a str,
    node: Option<usize>,
}

struct Builder<'a> {
    opts: &'a IssueOptions,
    rng: &'a dyn SecureRandom,
    /// `None`: [`Disclosable::All`].
    wanted: Option<Wanted<'a>>,
    /// The encoded disclosures, each followed by `~`.
    disclosures: String,
    /// Every salt used, to refuse a repeated one.
    salts: Vec<u128>,
    /// Random bytes drawn in batches (one RNG call per 32 salts), zeroized on drop.
    pool: zeroize::Zeroizing<Vec<u8>>,
}

const POOL_BYTES: usize = 16 * 32;

/// Builds the SD-JWT payload (with `_sd`, `_sd_alg`) and the disclosures
/// from `claims` and `extra` (claims the issuer adds, such as `iat` and
/// `cnf`, under names `claims` does not use), written straight out as JSON:
/// no claim value is cloned and no tree is built.
pub(crate) fn build_sd_payload(
    claims: &Map<String, Value>,
    extra: &Map<String, Value>,
    sel: &Disclosable,
    opts: &IssueOptions,
    rng: &dyn SecureRandom,
) -> Result<SdPayload> {
    if claims.contains_key("_sd") || claims.contains_key("_sd_alg") || claims.contains_key("...") {
        return Err(misuse(
            "claims may not use the reserved names _sd, _sd_alg or ...",
        ));
    }
    if let Some(k) = extra.keys().find(|k| claims.contains_key(*k)) {
        return Err(misuse(format!("claim {k:?} is given twice")));
    }
    let paths: &[ClaimPath] = match sel {
        Disclosable::All => &[],
        Disclosable::Paths(p) => p,
    };
    for p in paths {
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
        wanted: match sel {
            Disclosable::All => None,
            Disclosable::Paths(p) => Some(Wanted::new(p)),
        },
        // room for the disclosures: one per path, or under All about one per claim
        disclosures: String::with_capacity(
            96 * if paths.is_empty() {
                claims.len()
            } else {
                paths.len()
            },
        ),
        salts: Vec::with_capacity(paths.len()),
        pool: zeroize::Zeroizing::new(Vec::new()),
    };
    let mut payload = Vec::with_capacity(256 + 64 * claims.len());
    let root = At {
        depth: 0,
        top: "",
        node: b.wanted.as_ref().map(|_| 0),
    };
    b.object(claims.iter().chain(extra), root, &mut payload, true)?;
    if let Some(missing) = b.wanted.as_ref().and_then(Wanted::missing) {
        return Err(misuse(format!("no claim at path {missing}")));
    }
    // SD-18: refuse a repeated salt, and so a repeated digest (equal content
    // under one salt): the random source is broken.
    if crate::encoding::first_repeat(&mut b.salts).is_some() {
        return Err(policy(
            "two disclosures have the same salt (and could have the same digest)",
        ));
    }
    Ok(SdPayload {
        payload,
        disclosures: b.disclosures,
    })
}

/// Writes `v` as JSON.
fn write_json(out: &mut Vec<u8>, v: &Value) -> Result<()> {
    serde_json::to_writer(out, v).map_err(|_| misuse("claim value not serializable"))
}

/// Writes `s` as a JSON string.
fn write_str(out: &mut Vec<u8>, s: &str) -> Result<()> {
    serde_json::to_writer(out, s).map_err(|_| misuse("claim name not serializable"))
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

    /// Whether the claim at `at` is made disclosable (marking a wanted path
    /// as found).
    fn selected(&mut self, at: At<'_>) -> bool {
        match &mut self.wanted {
            Some(w) => match at.node.and_then(|i| w.nodes.get_mut(i)) {
                Some(n) if n.path.is_some() => {
                    n.used = true;
                    true
                }
                _ => false,
            },
            None => {
                let o = self.opts;
                if o.scope.is_some_and(|scope| at.depth < 2 || at.top != scope) {
                    false
                } else {
                    !(at.depth == 1
                        && (o.always_visible.contains(&at.top)
                            || o.visible_unless_named.contains(&at.top)))
                }
            }
        }
    }

    /// The child of `at` for member name or index `seg`.
    fn child<'t>(&self, at: At<'t>, seg: &'t str) -> At<'t> {
        At {
            depth: at.depth + 1,
            top: if at.depth == 0 { seg } else { at.top },
            node: self.wanted.as_ref().and_then(|w| w.child(at.node, seg)),
        }
    }

    /// A disclosure of `v` (at `at`, named `name` unless an array element),
    /// its value processed in turn; returns its digest.
    fn disclose(&mut self, name: Option<&str>, v: &Value, at: At<'_>) -> Result<DigestText> {
        let salt = zeroize::Zeroizing::new(self.random16()?);
        self.salts.push(u128::from_be_bytes(*salt));
        let mut salt_text = zeroize::Zeroizing::new([0u8; 22]);
        let n =
            b64u_encode_into(&*salt, &mut *salt_text).ok_or_else(|| misuse("salt does not fit"))?;
        // The JSON array written straight out: the same bytes as serializing
        // `[salt, name, value]`.
        // room for the salt, the name and a short value (one growth for a long one)
        let room = 40 + name.map_or(0, str::len) + v.as_str().map_or(96, |s| s.len() + 8);
        let mut json = zeroize::Zeroizing::new(Vec::with_capacity(room));
        json.extend_from_slice(b"[\"");
        json.extend_from_slice(salt_text.get(..n).unwrap_or_default()); // base64url: nothing to escape
        json.extend_from_slice(b"\",");
        if let Some(n) = name {
            write_str(&mut json, n)?;
            json.push(b',');
        }
        self.value(v, at, &mut json)?;
        json.push(b']');
        let start = self.disclosures.len();
        b64u_encode_append(&json, &mut self.disclosures);
        let encoded = self.disclosures.get(start..).unwrap_or_default();
        let digest = DigestText::of(encoded, self.opts.hash);
        self.disclosures.push('~');
        Ok(digest)
    }

    /// Writes `v` (at `at`) with what inside it is disclosable replaced by digests.
    fn value(&mut self, v: &Value, at: At<'_>, out: &mut Vec<u8>) -> Result<()> {
        match v {
            Value::Object(o) => self.object(o.iter(), at, out, false),
            Value::Array(a) => {
                out.push(b'[');
                let mut index = [0u8; 20];
                for (i, e) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let i = u64::try_from(i).unwrap_or(u64::MAX);
                    let child = self.child(at, crate::encoding::decimal(&mut index, i));
                    if self.selected(child) {
                        let d = self.disclose(None, e, child)?;
                        out.extend_from_slice(b"{\"...\":\"");
                        out.extend_from_slice(d.as_bytes());
                        out.extend_from_slice(b"\"}");
                    } else {
                        self.value(e, child, out)?;
                    }
                }
                out.push(b']');
                Ok(())
            }
            other => write_json(out, other),
        }
    }

    /// Writes an object of `members` (at `at`) with its disclosable members
    /// replaced by `_sd` digests (and decoys); `top` adds `_sd_alg`.
    fn object<'m>(
        &mut self,
        members: impl Iterator<Item = (&'m String, &'m Value)>,
        at: At<'_>,
        out: &mut Vec<u8>,
        top: bool,
    ) -> Result<()> {
        out.push(b'{');
        let mut first = true;
        let mut sd: Vec<DigestText> = Vec::new();
        for (k, v) in members {
            if k == "_sd" || k == "..." || (top && k == "_sd_alg") {
                return Err(misuse(
                    "claims may not use the reserved names _sd, _sd_alg or ...",
                ));
            }
            let child = self.child(at, k.as_str());
            // Claims the format keeps visible are kept whole, nothing inside them hidden.
            let always_visible = top && self.opts.always_visible.contains(&k.as_str());
            if !always_visible && self.selected(child) {
                sd.push(self.disclose(Some(k), v, child)?);
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_str(out, k)?;
            out.push(b':');
            if always_visible {
                write_json(out, v)?;
            } else {
                self.value(v, child, out)?;
            }
        }
        if !sd.is_empty() && self.opts.max_decoys > 0 {
            let n = self.random16()?;
            let count = usize::from(n[0]) % (self.opts.max_decoys + 1);
            for _ in 0..count {
                let r = self.random16()?;
                sd.push(DigestText::of(&b64u_encode(r), self.opts.hash));
            }
        }
        if !sd.is_empty() {
            // Sorting hides the original order of the claims (§4.2.4.2 recommends it).
            let mut sorted: Vec<&[u8]> = sd.iter().map(DigestText::as_bytes).collect();
            sorted.sort_unstable();
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(b"\"_sd\":[");
            for (i, d) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(d);
                out.push(b'"');
            }
            out.push(b']');
        }
        if top {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(b"\"_sd_alg\":");
            write_str(out, self.opts.hash.iana_name())?;
        }
        out.push(b'}');
        Ok(())
    }
}
