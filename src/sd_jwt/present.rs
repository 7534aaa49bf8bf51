//! The holder's choice of disclosures.

use super::{ClaimPath, Processed};
use crate::error::{misuse, Result};
use serde_json::Value;

/// The indexes of the disclosures to present so that exactly the claims at
/// `paths` (with everything beneath them) become visible: each disclosure at or
/// under a requested path, and every disclosure such a claim is nested inside.
pub(crate) fn select_disclosures(full: &Processed, paths: &[ClaimPath]) -> Result<Vec<usize>> {
    for p in paths {
        // the empty path is the whole credential
        let found = match p.segments().split_first() {
            None => true,
            Some((first, rest)) => full
                .claims
                .get(first)
                .is_some_and(|v| lookup_segments(v, rest).is_some()),
        };
        if !found {
            return Err(misuse(format!("the credential has no claim at {p}")));
        }
    }
    let mut keep = vec![false; full.paths.len()];
    for (i, dp) in full.paths.iter().enumerate() {
        if paths.iter().any(|p| dp.starts_with(p) || p.starts_with(dp)) {
            mark(full, &mut keep, i);
        }
    }
    Ok(keep
        .iter()
        .enumerate()
        .filter_map(|(i, &k)| k.then_some(i))
        .collect())
}

fn mark(full: &Processed, keep: &mut [bool], mut i: usize) {
    loop {
        match keep.get_mut(i) {
            Some(slot) if !*slot => *slot = true,
            _ => return,
        }
        match full.parents.get(i).copied().flatten() {
            Some(p) => i = p,
            None => return,
        }
    }
}

/// The value at the path `segments` under `v`, reading array positions as indexes.
fn lookup_segments<'a>(v: &'a Value, segments: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in segments {
        cur = match cur {
            Value::Object(o) => o.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}
