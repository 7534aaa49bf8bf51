//! XML for ETSI TS 119 612 trusted lists: bounded parsing with no DTD and no
//! entities, and Exclusive XML Canonicalization 1.0 (without comments,
//! W3C REC 2002-07-18), the only canonicalization the trusted lists' XAdES
//! signatures use.
//!
//! # Parsing
//!
//! Before the parser sees a byte, input over [`MAX_TRUSTED_LIST_XML_BYTES`] is
//! `LimitExceeded`, and any `<!DOCTYPE` or `<!ENTITY` is `Malformed` (TL-01:
//! genuine trusted lists carry no DTD). roxmltree then refuses DTDs anyway,
//! resolves only the five predefined entities and character references, and
//! stops at [`MAX_XML_NODES`] nodes.
//!
//! # Exclusive C14N
//!
//! [`exclusive_c14n`] renders the subtree of one element, optionally without
//! one descendant subtree (the enveloped-signature transform), as the REC
//! says: no XML declaration, start and end tags for empty elements, comments
//! dropped, processing instructions kept, qualified names as written,
//! namespace declarations only where visibly utilized (the element's prefix
//! or an attribute's) and not already rendered by an output ancestor with the
//! same URI, `xmlns=""` when the default namespace is undeclared below a
//! rendered one, namespace declarations first (by prefix), then attributes by
//! namespace URI and local name; the REC's escapes in text and attribute
//! values. An `InclusiveNamespaces` PrefixList is not supported (the caller
//! refuses it). Cross-checked against xml-crypto (`interop/xmldsig/`).

use crate::error::{limit, malformed, Result};
use crate::limits::{MAX_TRUSTED_LIST_XML_BYTES, MAX_XML_DEPTH, MAX_XML_NODES};
use roxmltree::{Document, Node, NodeId, NodeType, ParsingOptions};

/// Parses a trusted list's XML, refusing DTDs and entity declarations first.
pub(crate) fn parse(text: &str) -> Result<Document<'_>> {
    if text.len() > MAX_TRUSTED_LIST_XML_BYTES {
        return Err(limit(format!(
            "XML trusted list of {} bytes exceeds the limit of {MAX_TRUSTED_LIST_XML_BYTES}",
            text.len()
        )));
    }
    if has_dtd(text.as_bytes()) {
        return Err(malformed(
            "a trusted list must not carry a DTD or entity declarations",
        ));
    }
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
    };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => limit(format!(
            "XML trusted list has more than {MAX_XML_NODES} nodes"
        )),
        other => malformed(format!("XML trusted list: {other}")),
    })
}

/// Whether `bytes` holds a `<!DOCTYPE` or `<!ENTITY` (any case).
pub(crate) fn has_dtd(bytes: &[u8]) -> bool {
    let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    has(b"<!DOCTYPE") || has(b"<!ENTITY")
}

/// The two canonicalizations XML-DSig signatures on trusted lists use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum C14n {
    /// Exclusive XML Canonicalization 1.0, without comments.
    Exclusive,
    /// Canonical XML 1.0, without comments (W3C REC 2001-03-15): every
    /// in-scope namespace is rendered, not only the visibly utilized ones.
    /// `xml:*` attributes of ancestors outside the subtree are not
    /// inherited (the subtrees signed here carry none): a known limit.
    Inclusive,
}

/// The exclusive canonical form of `apex`'s subtree, without the subtree of
/// `excluded` (when given).
#[cfg_attr(not(test), allow(dead_code))] // used by the unit tests only
pub(crate) fn exclusive_c14n(apex: Node<'_, '_>, excluded: Option<NodeId>) -> Result<Vec<u8>> {
    canonicalize(apex, excluded, C14n::Exclusive)
}

/// The canonical form of `apex`'s subtree under `mode`, without the subtree
/// of `excluded` (when given).
pub(crate) fn canonicalize(
    apex: Node<'_, '_>,
    excluded: Option<NodeId>,
    mode: C14n,
) -> Result<Vec<u8>> {
    if !apex.is_element() {
        return Err(malformed("C14N: the apex is not an element"));
    }
    let mut out = Vec::new();
    element(apex, excluded, &[], 0, mode, &mut out)?;
    Ok(out)
}

/// The qualified name of an element as written: after `<`, up to
/// whitespace, `/` or `>`.
fn element_qname<'a>(node: Node<'a, '_>) -> Result<&'a str> {
    let src = node.document().input_text();
    let start = node.range().start.saturating_add(1);
    let rest = src
        .get(start..)
        .ok_or_else(|| malformed("C14N: element position out of range"))?;
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .ok_or_else(|| malformed("C14N: unterminated start tag"))?;
    rest.get(..end)
        .ok_or_else(|| malformed("C14N: element name out of range"))
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// One rendered namespace declaration: prefix ("" for the default) and URI.
type Rendered = Vec<(String, String)>;

fn element(
    node: Node<'_, '_>,
    excluded: Option<NodeId>,
    rendered: &[(String, String)],
    depth: usize,
    mode: C14n,
    out: &mut Vec<u8>,
) -> Result<()> {
    if depth > MAX_XML_DEPTH {
        return Err(limit(format!(
            "XML nested deeper than {MAX_XML_DEPTH} elements"
        )));
    }
    let src = node.document().input_text();
    let qname = element_qname(node)?;

    // Attributes, with their qualified names as written.
    let mut attrs: Vec<(&str, &str, &str, &str)> = Vec::new(); // (uri, local, qname, value)
    for a in node.attributes() {
        let q = src
            .get(a.range_qname())
            .ok_or_else(|| malformed("C14N: attribute position out of range"))?;
        attrs.push((a.namespace().unwrap_or(""), a.name(), q, a.value()));
    }

    // Visibly utilized prefixes: the element's, and each prefixed attribute's.
    let mut used: Vec<&str> = vec![prefix_of(qname)];
    for (_, _, q, _) in &attrs {
        let p = prefix_of(q);
        if !p.is_empty() && p != "xml" && !used.contains(&p) {
            used.push(p);
        }
    }
    if mode == C14n::Inclusive {
        // Every namespace in scope, and the default even when unused.
        for ns in node.namespaces() {
            let p = ns.name().unwrap_or("");
            if !used.contains(&p) {
                used.push(p);
            }
        }
        if !used.contains(&"") {
            used.push("");
        }
    }
    let mut decls: Rendered = Vec::new();
    for p in used {
        if p == "xml" {
            continue;
        }
        let uri = node
            .lookup_namespace_uri(if p.is_empty() { None } else { Some(p) })
            .unwrap_or("");
        let prior = rendered
            .iter()
            .rev()
            .find(|(rp, _)| rp == p)
            .map(|(_, u)| u.as_str());
        let needed = match prior {
            Some(u) => u != uri,
            // Nothing rendered yet: an empty default needs no declaration.
            None => !(p.is_empty() && uri.is_empty()),
        };
        if needed {
            if !p.is_empty() && uri.is_empty() {
                return Err(malformed(format!("C14N: prefix {p:?} is not declared")));
            }
            decls.push((p.to_owned(), uri.to_owned()));
        }
    }
    decls.sort();
    attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    for (p, uri) in &decls {
        if p.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attr(uri, out);
        out.push(b'"');
    }
    for (_, _, q, v) in &attrs {
        out.push(b' ');
        out.extend_from_slice(q.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attr(v, out);
        out.push(b'"');
    }
    out.push(b'>');

    let mut below: Rendered = rendered.to_vec();
    below.extend(decls);
    for child in node.children() {
        if Some(child.id()) == excluded {
            continue;
        }
        match child.node_type() {
            NodeType::Element => {
                element(child, excluded, &below, depth.saturating_add(1), mode, out)?
            }
            NodeType::Text => escape_text(child.text().unwrap_or(""), out),
            NodeType::PI => {
                if let Some(pi) = child.pi() {
                    out.extend_from_slice(b"<?");
                    out.extend_from_slice(pi.target.as_bytes());
                    if let Some(v) = pi.value {
                        out.push(b' ');
                        out.extend_from_slice(v.as_bytes());
                    }
                    out.extend_from_slice(b"?>");
                }
            }
            NodeType::Comment | NodeType::Root => {}
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
    Ok(())
}

fn escape_text(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn escape_attr(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}
