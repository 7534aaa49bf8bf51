//! PEM (RFC 7468) certificates: `-----BEGIN CERTIFICATE-----` blocks, strict
//! base64 inside, bounded.

pub(crate) const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
pub(crate) const PEM_END: &str = "-----END CERTIFICATE-----";

/// The DER of every CERTIFICATE block of PEM text. Other block types are
/// skipped; a block without its END line, or bad base64 inside, is `Malformed`.
use crate::encoding::{b64_std_decode, b64_std_encode};
use crate::error::{limit, malformed, Result};
use crate::limits::MAX_CERT_BYTES;

pub(crate) fn pem_certificates(text: &str) -> Result<Vec<Vec<u8>>> {
    enum State {
        Outside,
        InCert(String),
        InOther(String),
    }
    let max_b64 = MAX_CERT_BYTES.div_ceil(3) * 4;
    let mut out = Vec::new();
    let mut state = State::Outside;
    for line in text.lines() {
        let line = line.trim();
        state = match state {
            State::Outside if line == PEM_BEGIN => State::InCert(String::new()),
            State::Outside => match line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                Some(label) => State::InOther(format!("-----END {label}-----")),
                None => State::Outside,
            },
            State::InOther(end) if line == end => State::Outside,
            State::InOther(end) => State::InOther(end),
            State::InCert(body) if line == PEM_END => {
                let der = b64_std_decode(&body, max_b64, "PEM certificate")?;
                if der.len() > MAX_CERT_BYTES {
                    return Err(limit(format!(
                        "PEM certificate of {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                        der.len()
                    )));
                }
                out.push(der);
                State::Outside
            }
            State::InCert(_) if line.starts_with("-----") => {
                return Err(malformed(
                    "PEM: unexpected boundary inside a CERTIFICATE block",
                ))
            }
            State::InCert(mut body) => {
                if body.len().saturating_add(line.len()) > max_b64 {
                    return Err(limit(format!(
                        "PEM certificate exceeds the limit of {MAX_CERT_BYTES} bytes"
                    )));
                }
                body.push_str(line);
                State::InCert(body)
            }
        };
    }
    match state {
        State::InCert(_) => Err(malformed("PEM: CERTIFICATE block without its END line")),
        State::InOther(_) | State::Outside => Ok(out),
    }
}

pub(crate) fn to_pem(der: &[u8]) -> String {
    let b64 = b64_std_encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
    out.push_str(PEM_BEGIN);
    out.push('\n');
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(PEM_END);
    out.push('\n');
    out
}
