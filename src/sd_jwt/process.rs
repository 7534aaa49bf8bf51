//! The verifier's processing of disclosures (RFC 9901 §7.1, steps 3–5).

use super::{ClaimPath, Disclosure};
use crate::crypto::SignatureChecked;
use crate::error::{limit, malformed, Result};
use crate::limits::{MAX_DISCLOSURE_DEPTH, MAX_JSON_DEPTH};
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The result of processing: the claims with disclosures in place, and for each
/// disclosure the path it revealed and the disclosure it sits inside.
#[derive(Debug, Clone)]
pub(crate) struct Processed {
    pub(crate) claims: Map<String, Value>,
    /// Per disclosure (same order as given): its claim path in `claims`.
    pub(crate) paths: Vec<ClaimPath>,
    /// Per disclosure: the index of the disclosure whose value contains it.
    pub(crate) parents: Vec<Option<usize>>,
    /// The top-level claims visible in the payload (not from a disclosure).
    /// Their names, not a count of the first keys: without serde_json's
    /// `preserve_order` (which only dev-dependencies turn on) `claims` is
    /// sorted, so the visible ones are not first.
    visible_top_level: Vec<String>,
}

impl Processed {
    /// Refuses (`Malformed`) a disclosure of any of `names` at the top level,
    /// or of anything inside them: claims a profile keeps always visible
    /// because trust, validity or status decisions read them.
    pub(crate) fn refuse_disclosed(&self, names: &[&str], profile: &str) -> Result<()> {
        for p in &self.paths {
            if let Some(first) = p.segments().first() {
                if names.contains(&first.as_str()) {
                    return Err(malformed(format!(
                        "{profile}: {p} arrives in a disclosure, but {first:?} must never be selectively disclosable"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Who vouched for each claim: every top-level claim (visible: `false`,
    /// or disclosed) and every disclosure's path (disclosed: `true`), as JSON
    /// Pointers, each once. A claim not listed inherits from its longest
    /// listed prefix.
    pub(crate) fn provenance(&self) -> Vec<(String, bool)> {
        let mut out = Vec::with_capacity(self.visible_top_level.len() + self.paths.len());
        // a disclosed top-level claim is its disclosure's path: listed below
        for k in &self.visible_top_level {
            out.push((ClaimPath::top_level_pointer(k), false));
        }
        for p in &self.paths {
            out.push((p.pointer(), true));
        }
        out
    }
}

struct Ctx<'a> {
    /// Each disclosure's index by its digest, and whether a digest in the
    /// payload or in a disclosure referenced it yet.
    by_digest: HashMap<&'a [u8], (usize, bool)>,
    disclosures: &'a [Disclosure],
    /// The digests referenced that match no disclosure (decoys, or the
    /// digests of disclosures not presented).
    unmatched: HashSet<&'a [u8]>,
    paths: Vec<Option<ClaimPath>>,
    parents: Vec<Option<usize>>,
}

/// Processes `payload` (the issuer-signed JWT's claims, whose signature was
/// checked) with `disclosures`.
///
/// Every rule of §7.1 is enforced: digests are unique across the payload and
/// all disclosures; an object-property disclosure may only be referenced from
/// `_sd` and an array-element one only from `{"...": digest}`; a disclosed name
/// must not already exist at its level; `_sd` must be an array of strings;
/// `_sd_alg` may appear only at the top level; and every disclosure must be
/// referenced. Unreferenced digests are decoys and are dropped.
pub(crate) fn process(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
    _proof: &SignatureChecked,
) -> Result<Processed> {
    process_structure(payload, disclosures)
}

/// The same rules without a signature proof: for the holder, who reads the
/// credential it was issued before presenting it.
pub(crate) fn process_structure(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Processed> {
    let mut by_digest = HashMap::with_capacity(disclosures.len());
    for (i, d) in disclosures.iter().enumerate() {
        if by_digest.insert(d.digest.as_bytes(), (i, false)).is_some() {
            return Err(malformed("the same disclosure is presented twice"));
        }
    }
    let mut ctx = Ctx {
        by_digest,
        disclosures,
        unmatched: HashSet::new(),
        paths: vec![None; disclosures.len()],
        parents: vec![None; disclosures.len()],
    };
    let mut visible_top_level = Vec::new();
    let claims = ctx.object(
        payload,
        1,
        0,
        &ClaimPath::root(),
        None,
        Some(&mut visible_top_level),
    )?;
    let mut paths = Vec::with_capacity(disclosures.len());
    for (i, p) in ctx.paths.into_iter().enumerate() {
        match p {
            Some(p) => paths.push(p),
            None => {
                return Err(malformed(format!(
                    "disclosure {} is not referenced by any digest",
                    i + 1
                )))
            }
        }
    }
    Ok(Processed {
        claims,
        paths,
        parents: ctx.parents,
        visible_top_level,
    })
}

impl<'a> Ctx<'a> {
    /// The disclosure `digest` references, if presented; refuses a digest
    /// referenced twice (in the payload or the disclosures, matched or not).
    fn claim_digest(&mut self, digest: &'a str) -> Result<Option<usize>> {
        let twice = || malformed("a digest appears more than once");
        let digest = digest.as_bytes();
        match self.by_digest.get_mut(digest) {
            Some((_, true)) => Err(twice()),
            Some((i, used)) => {
                *used = true;
                Ok(Some(*i))
            }
            None if !self.unmatched.insert(digest) => Err(twice()),
            None => Ok(None),
        }
    }

    fn object(
        &mut self,
        obj: &'a Map<String, Value>,
        depth: usize,
        sd_depth: usize,
        path: &ClaimPath,
        parent: Option<usize>,
        mut visible_top_level: Option<&mut Vec<String>>,
    ) -> Result<Map<String, Value>> {
        if depth > MAX_JSON_DEPTH {
            return Err(limit(format!(
                "claims nested deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        let mut out = Map::new();
        for (k, v) in obj {
            match k.as_str() {
                "_sd" => continue,
                "_sd_alg" if visible_top_level.is_some() => continue,
                "_sd_alg" => return Err(malformed("_sd_alg is only allowed at the top level")),
                _ => {}
            }
            let v = self.value(v, depth, sd_depth, path, k.as_str(), parent)?;
            out.insert(k.clone(), v);
            if let Some(top) = visible_top_level.as_deref_mut() {
                top.push(k.clone());
            }
        }
        let Some(sd) = obj.get("_sd") else {
            return Ok(out);
        };
        let sd = sd
            .as_array()
            .ok_or_else(|| malformed("_sd is not an array"))?;
        for digest in sd {
            let digest = digest
                .as_str()
                .ok_or_else(|| malformed("an _sd entry is not a string"))?;
            let Some(i) = self.claim_digest(digest)? else {
                continue;
            };
            let all: &'a [Disclosure] = self.disclosures;
            let d = all
                .get(i)
                .ok_or_else(|| malformed("disclosure index out of range"))?;
            let name = d.name.as_deref().ok_or_else(|| {
                malformed("an array-element disclosure is referenced from an object's _sd")
            })?;
            let Entry::Vacant(slot) = out.entry(name) else {
                return Err(malformed(format!(
                    "disclosed claim {name:?} already exists at its level"
                )));
            };
            if sd_depth + 1 > MAX_DISCLOSURE_DEPTH {
                return Err(limit(format!(
                    "disclosures nested deeper than {MAX_DISCLOSURE_DEPTH} levels"
                )));
            }
            let child = path.child(name);
            let v = self.nested(&d.value, depth, sd_depth + 1, &child, Some(i))?;
            if let Some(p) = self.paths.get_mut(i) {
                *p = Some(child);
            }
            if let Some(p) = self.parents.get_mut(i) {
                *p = parent;
            }
            slot.insert(v);
        }
        Ok(out)
    }

    fn array(
        &mut self,
        arr: &'a [Value],
        depth: usize,
        sd_depth: usize,
        path: &ClaimPath,
        parent: Option<usize>,
    ) -> Result<Vec<Value>> {
        if depth > MAX_JSON_DEPTH {
            return Err(limit(format!(
                "claims nested deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        let mut out = Vec::with_capacity(arr.len());
        for e in arr {
            let placeholder = match e {
                Value::Object(o) if o.contains_key("...") => match (o.len(), o.get("...")) {
                    (1, Some(Value::String(d))) => Some(d.as_str()),
                    _ => {
                        return Err(malformed(
                            "an array placeholder must be exactly {\"...\": \"<digest>\"}",
                        ))
                    }
                },
                _ => None,
            };
            match placeholder {
                None => {
                    let v = self.value(e, depth, sd_depth, path, out.len(), parent)?;
                    out.push(v);
                }
                Some(digest) => {
                    let Some(i) = self.claim_digest(digest)? else {
                        continue;
                    };
                    let all: &'a [Disclosure] = self.disclosures;
                    let d = all
                        .get(i)
                        .ok_or_else(|| malformed("disclosure index out of range"))?;
                    if d.name.is_some() {
                        return Err(malformed(
                            "an object-property disclosure is referenced from an array element",
                        ));
                    }
                    if sd_depth + 1 > MAX_DISCLOSURE_DEPTH {
                        return Err(limit(format!(
                            "disclosures nested deeper than {MAX_DISCLOSURE_DEPTH} levels"
                        )));
                    }
                    let child = path.child(out.len().to_string());
                    let v = self.nested(&d.value, depth, sd_depth + 1, &child, Some(i))?;
                    if let Some(slot) = self.paths.get_mut(i) {
                        *slot = Some(child);
                    }
                    if let Some(slot) = self.parents.get_mut(i) {
                        *slot = parent;
                    }
                    out.push(v);
                }
            }
        }
        Ok(out)
    }

    /// A value at `parent_path`/`segment`: the path is built only for a
    /// value with members to walk.
    fn value(
        &mut self,
        v: &'a Value,
        depth: usize,
        sd_depth: usize,
        parent_path: &ClaimPath,
        segment: impl Segment,
        parent: Option<usize>,
    ) -> Result<Value> {
        match v {
            Value::Object(_) | Value::Array(_) => {
                let path = parent_path.child(segment.text());
                self.nested(v, depth, sd_depth, &path, parent)
            }
            other => Ok(other.clone()),
        }
    }

    /// A value at `path`.
    fn nested(
        &mut self,
        v: &'a Value,
        depth: usize,
        sd_depth: usize,
        path: &ClaimPath,
        parent: Option<usize>,
    ) -> Result<Value> {
        Ok(match v {
            Value::Object(o) => {
                Value::Object(self.object(o, depth + 1, sd_depth, path, parent, None)?)
            }
            Value::Array(a) => Value::Array(self.array(a, depth + 1, sd_depth, path, parent)?),
            other => other.clone(),
        })
    }
}

/// A path segment, made into text only when needed.
trait Segment {
    fn text(self) -> String;
}

impl Segment for &str {
    fn text(self) -> String {
        self.to_owned()
    }
}

impl Segment for usize {
    fn text(self) -> String {
        self.to_string()
    }
}
