//! did:web (W3C CCG did:web Method Specification), resolved offline: the host
//! fetches the document at [`did_web_url`] and hands in the bytes.
//!
//! Syntax is checked strictly before any host is contacted (DID-07):
//!
//! - method-specific id = host[`%3A`port] *(`:` path-segment), each part
//!   non-empty, DID Core `idchar`s only (`A-Z a-z 0-9 . - _` and `%HH`);
//! - host: a DNS name of lowercase LDH labels (≤ 63 each, ≤ 253 in all),
//!   at least two labels, not an IP address (the spec: "MUST NOT include IP
//!   addresses"). **Uppercase is rejected**: DNS would fold it, but DIDs
//!   compare as strings, so `did:web:Example.com` and `did:web:example.com`
//!   would be two DIDs for one document;
//! - the only percent-encoding accepted is the port colon `%3A` (the spec:
//!   "the colon MUST be percent encoded"); `%2F`, `%2E` and every other escape
//!   is `Malformed`, as are `.` / `..` segments;
//! - a port: 1–65535, digits only, no leading zero;
//! - **a first path segment of digits only** (`did:web:example.com:3000`) is
//!   `Malformed`: the spec reads it as the path `/3000`, but it is almost
//!   certainly an unencoded port, and accepting it resolves a different URL
//!   than its author meant. A deliberate strictness beyond the spec
//!   (HOSTILE-INPUTS DID-07).

use super::document::{DidDocument, MAX_DID_BYTES};
use crate::error::{limit, malformed, Result};

/// The parsed parts of a did:web (or the domain part of a did:webvh).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WebLocation {
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    pub(crate) path: Vec<String>,
}

impl WebLocation {
    /// `https://host[:port]/path…/` + `file`, or `/.well-known/` + `file` without a path.
    pub(crate) fn url(&self, file: &str) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        if self.path.is_empty() {
            format!("https://{}{port}/.well-known/{file}", self.host)
        } else {
            format!("https://{}{port}/{}/{file}", self.host, self.path.join("/"))
        }
    }
}

fn is_idchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'%')
}

fn check_host(host: &str) -> Result<()> {
    if host.is_empty() {
        return Err(malformed("did:web: empty host"));
    }
    if host.len() > 253 {
        return Err(malformed("did:web: host name longer than 253 characters"));
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(malformed("did:web: the host must be lowercase"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(malformed("did:web: the host is not a domain name"));
    }
    for l in &labels {
        let ok = !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-');
        if !ok {
            return Err(malformed("did:web: the host has an invalid DNS label"));
        }
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(malformed("did:web: IP addresses are not allowed"));
    }
    Ok(())
}

/// Parses `host[%3Aport]:path:…` (the part after `did:web:`, or after the SCID
/// of a did:webvh).
pub(crate) fn parse_location(msid: &str) -> Result<WebLocation> {
    if msid.len() > MAX_DID_BYTES {
        return Err(limit("DID is too long"));
    }
    if !msid.bytes().all(|b| is_idchar(b) || b == b':') {
        return Err(malformed(
            "did:web: only A-Z a-z 0-9 . - _ %HH and ':' may appear (no '/', '?', '#')",
        ));
    }
    let mut parts = msid.split(':');
    let first = parts.next().unwrap_or("");
    let lower = first.to_ascii_lowercase();
    let (host, port) = match lower.find("%3a") {
        Some(i) => {
            let host = first.get(..i).unwrap_or("");
            let port_text = first.get(i + 3..).unwrap_or("");
            let valid = !port_text.is_empty()
                && port_text.len() <= 5
                && port_text.bytes().all(|b| b.is_ascii_digit())
                && !port_text.starts_with('0');
            let port = port_text
                .parse::<u16>()
                .ok()
                .filter(|p| valid && *p > 0)
                .ok_or_else(|| malformed("did:web: invalid port"))?;
            (host, Some(port))
        }
        None => (first, None),
    };
    if host.contains('%') {
        return Err(malformed(
            "did:web: percent-encoding other than the port colon %3A is not allowed",
        ));
    }
    check_host(host)?;
    let mut path = Vec::new();
    for (i, seg) in parts.enumerate() {
        if seg.is_empty() {
            return Err(malformed("did:web: empty path segment"));
        }
        if seg.contains('%') {
            return Err(malformed(
                "did:web: percent-encoding in a path segment is not allowed (%2F, %2E, …)",
            ));
        }
        if seg == "." || seg == ".." {
            return Err(malformed(
                "did:web: '.' and '..' path segments are not allowed",
            ));
        }
        if i == 0 && seg.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(
                "did:web: a numeric first path segment looks like a port without %3A",
            ));
        }
        path.push(seg.to_owned());
    }
    Ok(WebLocation {
        host: host.to_owned(),
        port,
        path,
    })
}

/// Parses a did:web.
pub(crate) fn parse_did_web(did: &str) -> Result<WebLocation> {
    let msid = did
        .strip_prefix("did:web:")
        .ok_or_else(|| malformed("not a did:web"))?;
    parse_location(msid)
}

/// The HTTPS URL of a did:web's document (`…/did.json`).
pub(crate) fn did_web_url(did: &str) -> Result<String> {
    Ok(parse_did_web(did)?.url("did.json"))
}

/// Checks a did:web document the host fetched for `did`: the DID's syntax
/// (`Malformed`), the document's `id` (`Untrusted`, DID-01) and its methods'
/// controllers (`Untrusted`, DID-03).
pub(crate) fn check_did_web_document(did: &str, bytes: &[u8]) -> Result<DidDocument> {
    let _ = parse_did_web(did)?;
    DidDocument::parse(bytes, did)
}
