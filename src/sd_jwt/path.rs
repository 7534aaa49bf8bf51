//! Claim paths, written as JSON Pointers (RFC 6901).

use crate::error::{misuse, Result};
use core::fmt;

/// The path of a claim inside a credential's claims, as a JSON Pointer
/// (RFC 6901): `/address/locality`, `/nationalities/0`. Array positions count
/// the elements of the fully disclosed array. `~1` escapes `/` and `~0` escapes
/// `~`, so a claim named `a.b` or `a/b` is unambiguous.
///
/// ```
/// use passerelle::ClaimPath;
/// let p = ClaimPath::parse("/address/locality")?;
/// assert_eq!(p.segments(), ["address", "locality"]);
/// assert_eq!(p.to_string(), "/address/locality");
/// assert_eq!(ClaimPath::parse("/a~1b")?.segments(), ["a/b"]);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimPath(Vec<String>);

impl ClaimPath {
    /// Parses a JSON Pointer. The empty pointer (the whole document) is refused.
    pub fn parse(pointer: &str) -> Result<Self> {
        let rest = pointer
            .strip_prefix('/')
            .ok_or_else(|| misuse(format!("claim path {pointer:?} must start with '/'")))?;
        let mut segs = Vec::new();
        for raw in rest.split('/') {
            let mut out = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => {
                            return Err(misuse(format!(
                                "claim path {pointer:?} has a bad ~ escape"
                            )))
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            segs.push(out);
        }
        Ok(ClaimPath(segs))
    }

    /// A path from its segments.
    pub fn from_segments<I: IntoIterator<Item = S>, S: Into<String>>(segs: I) -> Self {
        ClaimPath(segs.into_iter().map(Into::into).collect())
    }

    /// The unescaped segments.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Whether `self` equals `other` or lies under it.
    pub fn starts_with(&self, other: &ClaimPath) -> bool {
        self.0.starts_with(&other.0)
    }

    pub(crate) fn child(&self, seg: impl Into<String>) -> ClaimPath {
        let mut v = self.0.clone();
        v.push(seg.into());
        ClaimPath(v)
    }

    pub(crate) fn root() -> ClaimPath {
        ClaimPath(Vec::new())
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.0 {
            write_segment(f, s)?;
        }
        Ok(())
    }
}

impl ClaimPath {
    /// The JSON Pointer, as `to_string` writes it, built in one allocation.
    pub(crate) fn pointer(&self) -> String {
        Self::pointer_of(self.0.iter().map(String::as_str))
    }

    /// The pointer of the path `segments`, without building the path.
    pub(crate) fn pointer_of<'s>(segments: impl IntoIterator<Item = &'s str> + Clone) -> String {
        let len = segments.clone().into_iter().map(|s| s.len() + 1).sum();
        let mut out = String::with_capacity(len);
        for s in segments {
            // writing to a String cannot fail
            let _ = write_segment(&mut out, s);
        }
        out
    }

    /// The pointer of the top-level claim `name`, without building its path.
    pub(crate) fn top_level_pointer(name: &str) -> String {
        Self::pointer_of([name])
    }
}

/// Writes `/` and `segment`, with `~` as `~0` and `/` as `~1`.
fn write_segment(f: &mut impl fmt::Write, segment: &str) -> fmt::Result {
    f.write_str("/")?;
    if !segment.contains(['~', '/']) {
        return f.write_str(segment);
    }
    for part in segment.split_inclusive(['~', '/']) {
        if let Some(head) = part.strip_suffix('~') {
            f.write_str(head)?;
            f.write_str("~0")?;
        } else if let Some(head) = part.strip_suffix('/') {
            f.write_str(head)?;
            f.write_str("~1")?;
        } else {
            f.write_str(part)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::ClaimPath;

    /// RFC 6901 escaping in both directions, on the fast path (no `~` or
    /// `/`) and the slow one (each at the start, middle and end, doubled).
    #[test]
    fn pointers_escape_tilde_and_slash_and_read_back() {
        for seg in [
            "plain", "", "~", "/", "a~b", "a/b", "~a/", "/~", "~~//", "~0", "~1", "é/~ü",
        ] {
            let p = ClaimPath::from_segments(["x", seg]);
            let text = p.to_string();
            assert_eq!(p.pointer(), text, "{seg:?}");
            assert_eq!(ClaimPath::pointer_of(["x", seg]), text, "{seg:?}");
            let want = format!("/x/{}", seg.replace('~', "~0").replace('/', "~1"));
            assert_eq!(text, want, "{seg:?}");
            assert_eq!(ClaimPath::parse(&text).unwrap(), p, "{seg:?}");
            let top = ClaimPath::from_segments([seg]);
            assert_eq!(
                ClaimPath::top_level_pointer(seg),
                top.to_string(),
                "{seg:?}"
            );
        }
    }
}
