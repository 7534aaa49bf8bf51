//! Splitting an SD-JWT into its parts: compact (§4) and JWS JSON (§8).

use crate::encoding::parse_json_object;
use crate::error::{limit, malformed, Result};
use crate::limits::{MAX_DISCLOSURES, MAX_SD_JWT_BYTES};
use serde_json::{Map, Value};

/// An SD-JWT split into its parts, nothing verified.
#[derive(Debug, Clone)]
pub(crate) struct SdJwtParts {
    /// The issuer-signed JWT(s) in compact form (several for the general JSON
    /// serialization with more than one signature).
    pub(crate) issuer_jwts: Vec<String>,
    /// The disclosure strings as received (`UnverifiedSdJwt::parse` moves
    /// them into its disclosures).
    pub(crate) disclosures: Vec<String>,
    /// The KB-JWT, if present.
    pub(crate) kb_jwt: Option<String>,
    /// The text `sd_hash` covers: `<issuer-jwt>~<d1>~…~<dn>~`.
    pub(crate) sd_hash_input: String,
}

impl SdJwtParts {
    /// Parses either serialization: JSON when the text starts with `{`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_SD_JWT_BYTES {
            return Err(limit(format!(
                "SD-JWT of {} bytes exceeds the limit of {MAX_SD_JWT_BYTES}",
                text.len()
            )));
        }
        if text.starts_with('{') {
            Self::parse_json(text)
        } else {
            Self::parse_compact(text)
        }
    }

    fn parse_compact(text: &str) -> Result<Self> {
        let Some(last_tilde) = text.rfind('~') else {
            return Err(malformed("not an SD-JWT: no '~' separator"));
        };
        let (head, kb) = text.split_at(last_tilde + 1);
        let mut segs = head.split('~');
        let jwt = segs.next().unwrap_or_default();
        if jwt.is_empty() {
            return Err(malformed("the issuer-signed JWT is empty"));
        }
        // one pass: the count is checked as the segments are taken (the last
        // one, empty, closes the list)
        let mut disclosures = Vec::new();
        for d in segs {
            if disclosures.len() > MAX_DISCLOSURES {
                return Err(limit(format!("more than {MAX_DISCLOSURES} disclosures")));
            }
            disclosures.push(d.to_owned());
        }
        // `head` ends with '~', so split yields one trailing empty string.
        if disclosures.pop().as_deref() != Some("") {
            return Err(malformed("SD-JWT framing is broken"));
        }
        if disclosures.iter().any(String::is_empty) {
            return Err(malformed("empty disclosure between '~' separators"));
        }
        // `<jwt>~<disclosure>` without the closing '~': the last segment is
        // not a KB-JWT (a compact JWS has exactly two '.'), so the framing is
        // broken, whatever the verifier asked for
        if !kb.is_empty() && kb.bytes().filter(|&b| b == b'.').count() != 2 {
            return Err(malformed(
                "an SD-JWT ends with '~' or with a KB-JWT; the last segment is neither",
            ));
        }
        Ok(SdJwtParts {
            issuer_jwts: vec![jwt.to_owned()],
            disclosures,
            kb_jwt: (!kb.is_empty()).then(|| kb.to_owned()),
            sd_hash_input: head.to_owned(),
        })
    }

    fn parse_json(text: &str) -> Result<Self> {
        let obj = parse_json_object(text.as_bytes(), "SD-JWT JSON serialization")?;
        let payload = str_member(&obj, "payload")?;
        let mut sigs: Vec<SignatureEntry> = Vec::new();
        if let Some(list) = obj.get("signatures") {
            if obj.contains_key("signature") || obj.contains_key("protected") {
                return Err(malformed(
                    "a JWS JSON serialization is either general or flattened",
                ));
            }
            let list = list
                .as_array()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| malformed("signatures must be a non-empty array"))?;
            for s in list {
                let s = s
                    .as_object()
                    .ok_or_else(|| malformed("a signature entry is not an object"))?;
                sigs.push(signature_entry(s)?);
            }
        } else {
            sigs.push(signature_entry(&obj)?);
        }
        let mut disclosures = Vec::new();
        let mut kb_jwt = None;
        for (i, (protected, _, header)) in sigs.iter().enumerate() {
            let protected_header = parse_json_object(
                &crate::encoding::b64u_decode(
                    protected,
                    crate::limits::MAX_JOSE_HEADER_BYTES,
                    "protected header",
                )?,
                "protected header",
            )?;
            if protected_header.contains_key("disclosures")
                || protected_header.contains_key("kb_jwt")
            {
                return Err(malformed(
                    "disclosures and kb_jwt belong in the unprotected header",
                ));
            }
            let Some(h) = header else { continue };
            let has = h.contains_key("disclosures") || h.contains_key("kb_jwt");
            if i > 0 && has {
                return Err(malformed(
                    "disclosures and kb_jwt belong in the first signature's unprotected header",
                ));
            }
            if i == 0 {
                if let Some(d) = h.get("disclosures") {
                    let d = d
                        .as_array()
                        .ok_or_else(|| malformed("disclosures is not an array"))?;
                    if d.len() > MAX_DISCLOSURES {
                        return Err(limit(format!("more than {MAX_DISCLOSURES} disclosures")));
                    }
                    for e in d {
                        let s = e
                            .as_str()
                            .ok_or_else(|| malformed("a disclosure is not a string"))?;
                        if s.is_empty() {
                            return Err(malformed("empty disclosure"));
                        }
                        disclosures.push(s.to_owned());
                    }
                }
                if let Some(k) = h.get("kb_jwt") {
                    kb_jwt = Some(
                        k.as_str()
                            .ok_or_else(|| malformed("kb_jwt is not a string"))?
                            .to_owned(),
                    );
                }
            }
        }
        let issuer_jwts: Vec<String> = sigs
            .iter()
            .map(|(p, s, _)| format!("{p}.{payload}.{s}"))
            .collect();
        // §8.1: sd_hash covers the compact form built from the first signature.
        let mut sd_hash_input = issuer_jwts.first().cloned().unwrap_or_default();
        sd_hash_input.push('~');
        for d in &disclosures {
            sd_hash_input.push_str(d);
            sd_hash_input.push('~');
        }
        Ok(SdJwtParts {
            issuer_jwts,
            disclosures,
            kb_jwt,
            sd_hash_input,
        })
    }
}

fn str_member<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    obj.get(name).and_then(Value::as_str).ok_or_else(|| {
        malformed(format!(
            "JWS JSON serialization: {name} is missing or not a string"
        ))
    })
}

/// (protected header, signature, unprotected header) of one JWS JSON signature.
type SignatureEntry = (String, String, Option<Map<String, Value>>);

fn signature_entry(s: &Map<String, Value>) -> Result<SignatureEntry> {
    let protected = str_member(s, "protected")?.to_owned();
    let signature = str_member(s, "signature")?.to_owned();
    let header = match s.get("header") {
        None => None,
        Some(Value::Object(h)) => Some(h.clone()),
        Some(_) => return Err(malformed("the unprotected header is not an object")),
    };
    Ok((protected, signature, header))
}
