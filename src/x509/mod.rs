//! X.509 certificates, parsed: our own strict DER reader (the certificate,
//! its names, extensions, validity and key), the public [`Certificate`] type,
//! and, behind the `test-pki` feature, [`CertificateBuilder`] for test PKIs and
//! the demo. Path validation — who is trusted — is the trust room's
//! (`trust/x509.rs`, with rustls-webpki); PEM is `encoding/pem.rs`; the
//! calendar is `time.rs`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "test-pki")]
pub(crate) mod builder;
#[cfg(feature = "test-pki")]
pub use builder::CertificateBuilder;

use crate::crypto::{Curve, PublicKey, RsaPublicKey, VerifyKey};
use crate::encoding::der::{self, context, tag, tlv, Reader};
use crate::encoding::pem::{pem_certificates, to_pem};
use crate::error::{limit, malformed, unsupported, Result};
use crate::limits::MAX_CERT_BYTES;
use crate::time::UnixTime;
use core::fmt;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};

// ---------------------------------------------------------------------------
// Object identifiers (content octets).

/// id-ecPublicKey, 1.2.840.10045.2.1.
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// prime256v1 / P-256, 1.2.840.10045.3.1.7.
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1 / P-384, 1.3.132.0.34.
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// id-Ed25519, 1.3.101.112 (key and signature algorithm).
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// rsaEncryption (RFC 8017 / RFC 3279).
pub(crate) const OID_RSA_ENCRYPTION: &[u8] =
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// ecdsa-with-SHA256, 1.2.840.10045.4.3.2.
pub(crate) const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// ecdsa-with-SHA384, 1.2.840.10045.4.3.3.
pub(crate) const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
/// id-ce-subjectAltName, 2.5.29.17.
pub(crate) const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
/// id-ce-basicConstraints, 2.5.29.19.
pub(crate) const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// id-ce-extKeyUsage, 2.5.29.37.
pub(crate) const OID_EKU: &[u8] = &[0x55, 0x1d, 0x25];
/// id-at-countryName, 2.5.4.6.
pub(crate) const OID_C: &[u8] = &[0x55, 0x04, 0x06];
/// The ISO/IEC 18013-5 key purposes 1.0.18013.5.1.1 … 1.0.18013.5.1.15
/// (document signer, reader authentication, ...): scoped to mdoc.
pub(crate) const MDOC_KEY_PURPOSES: [[u8; 7]; 15] = [
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 1],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 2],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 3],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 4],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 5],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 6],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 7],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 8],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 9],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 10],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 11],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 12],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 13],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 14],
    [0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 15],
];
/// ISO/IEC 18013-5 mdoc document signer EKU, 1.0.18013.5.1.2.
pub(crate) const OID_MDOC_DS_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x02];
/// ISO/IEC 18013-5 Annex C VICAL signer EKU, 1.0.18013.5.1.8.
pub(crate) const OID_VICAL_SIGNER_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x08];

// ---------------------------------------------------------------------------
// Certificate parsing (our own, strict DER; webpki does the trust part).

/// One extension; criticality is checked by webpki, not kept here.
pub(crate) struct Extension<'a> {
    pub(crate) oid: &'a [u8],
    pub(crate) value: &'a [u8],
}

pub(crate) struct BasicConstraints {
    pub(crate) ca: bool,
    pub(crate) path_len: Option<u64>,
}

/// The fields of a certificate passerelle reads itself.
pub(crate) struct ParsedCert<'a> {
    pub(crate) tbs_raw: &'a [u8],
    pub(crate) signature_alg: &'a [u8],
    pub(crate) signature: &'a [u8],
    /// Name contents (inside the outer SEQUENCE), as webpki gives them.
    pub(crate) issuer: &'a [u8],
    pub(crate) subject: &'a [u8],
    pub(crate) not_before: UnixTime,
    pub(crate) not_after: UnixTime,
    /// The whole SubjectPublicKeyInfo TLV.
    pub(crate) spki: &'a [u8],
    pub(crate) extensions: Vec<Extension<'a>>,
}

impl<'a> ParsedCert<'a> {
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self> {
        let mut outer = Reader::new(der);
        let cert = outer.expect(tag::SEQUENCE)?;
        outer.finish()?;
        let mut c = Reader::new(cert);
        let (tbs_raw, tbs) = c.expect_raw(tag::SEQUENCE)?;
        let signature_alg = c.expect(tag::SEQUENCE)?;
        let bits = c.expect(tag::BIT_STRING)?;
        c.finish()?;
        let signature = match bits.split_first() {
            Some((0, s)) => s,
            _ => {
                return Err(malformed(
                    "certificate signature is not a whole-byte BIT STRING",
                ))
            }
        };

        let mut t = Reader::new(tbs);
        let version = match t.optional(context(0, true))? {
            Some(v) => {
                let mut vr = Reader::new(v);
                let n = der::read_uint(&mut vr)?;
                vr.finish()?;
                match n {
                    [1] => 2,
                    [2] => 3,
                    _ => return Err(malformed("certificate version is not v2 or v3")),
                }
            }
            None => 1,
        };
        t.expect(tag::INTEGER)?; // serialNumber, as webpki reads it (leniently)
        let tbs_alg = t.expect(tag::SEQUENCE)?;
        if tbs_alg != signature_alg {
            return Err(malformed(
                "the certificate's two signature algorithm fields differ",
            ));
        }
        let issuer = t.expect(tag::SEQUENCE)?;
        let mut validity = Reader::new(t.expect(tag::SEQUENCE)?);
        let not_before = read_time(&mut validity)?;
        let not_after = read_time(&mut validity)?;
        validity.finish()?;
        let subject = t.expect(tag::SEQUENCE)?;
        let (spki, _) = t.expect_raw(tag::SEQUENCE)?;
        t.optional(context(1, false))?; // issuerUniqueID
        t.optional(context(2, false))?; // subjectUniqueID
        let mut extensions = Vec::new();
        if let Some(exts) = t.optional(context(3, true))? {
            if version != 3 {
                return Err(malformed("extensions in a certificate before v3"));
            }
            let mut outer = Reader::new(exts);
            let mut list = Reader::new(outer.expect(tag::SEQUENCE)?);
            outer.finish()?;
            while !list.is_empty() {
                let mut e = Reader::new(list.expect(tag::SEQUENCE)?);
                let oid = e.expect(tag::OID)?;
                match e.optional(tag::BOOLEAN)? {
                    None | Some([0xff]) => {}
                    Some(_) => {
                        return Err(malformed(
                            "extension critical flag is not a DER TRUE (FALSE must be omitted)",
                        ))
                    }
                };
                let value = e.expect(tag::OCTET_STRING)?;
                e.finish()?;
                if extensions.iter().any(|x: &Extension<'_>| x.oid == oid) {
                    return Err(malformed("an extension appears twice in a certificate"));
                }
                extensions.push(Extension { oid, value });
            }
        }
        t.finish()?;
        Ok(ParsedCert {
            tbs_raw,
            signature_alg,
            signature,
            issuer,
            subject,
            not_before,
            not_after,
            spki,
            extensions,
        })
    }

    pub(crate) fn extension(&self, oid: &[u8]) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// Whether the extKeyUsage extension lists `oid` (absent: false).
    pub(crate) fn has_eku(&self, oid: &[u8]) -> Result<bool> {
        let Some(ext) = self.extension(OID_EKU) else {
            return Ok(false);
        };
        let mut outer = Reader::new(ext.value);
        let mut r = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        while !r.is_empty() {
            if r.expect(tag::OID)? == oid {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(crate) fn basic_constraints(&self) -> Result<Option<BasicConstraints>> {
        let Some(ext) = self.extension(OID_BASIC_CONSTRAINTS) else {
            return Ok(None);
        };
        let mut outer = Reader::new(ext.value);
        let mut r = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        let ca = match r.optional(tag::BOOLEAN)? {
            None => false,
            Some([0xff]) => true,
            Some(_) => return Err(malformed("basicConstraints cA is not a DER TRUE")),
        };
        let path_len = if r.is_empty() {
            None
        } else {
            let v = der::read_uint(&mut r)?;
            if v.len() > 8 {
                return Err(malformed("basicConstraints pathLenConstraint too large"));
            }
            Some(v.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        };
        r.finish()?;
        Ok(Some(BasicConstraints { ca, path_len }))
    }

    /// subjectAltName dNSName and uniformResourceIdentifier entries; other
    /// GeneralName forms are skipped.
    pub(crate) fn subject_alt_names(&self) -> Result<(Vec<String>, Vec<String>)> {
        let mut dns = Vec::new();
        let mut uris = Vec::new();
        let Some(ext) = self.extension(OID_SAN) else {
            return Ok((dns, uris));
        };
        let mut outer = Reader::new(ext.value);
        let mut names = Reader::new(outer.expect(tag::SEQUENCE)?);
        outer.finish()?;
        while !names.is_empty() {
            let (t, v) = names.any()?;
            let list = match t {
                0x82 => &mut dns,
                0x86 => &mut uris,
                _ => continue,
            };
            let s = core::str::from_utf8(v)
                .ok()
                .filter(|s| s.is_ascii())
                .ok_or_else(|| malformed("subjectAltName entry is not IA5 text"))?;
            list.push(s.to_owned());
        }
        Ok((dns, uris))
    }
}

/// Reads a UTCTime (`YYMMDDHHMMSSZ`, 1950–2049) or GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`), as RFC 5280 §4.1.2.5 profiles them.
pub(crate) fn read_time(r: &mut Reader<'_>) -> Result<UnixTime> {
    let (t, v) = r.any()?;
    let bad = || malformed("certificate time is not in the RFC 5280 form");
    let digits = |s: &[u8]| -> Result<u64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(s.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0')))
    };
    let (year, rest) = match (t, v.len()) {
        (tag::UTC_TIME, 13) => {
            let yy = digits(v.get(..2).ok_or_else(bad)?)?;
            (
                if yy >= 50 { 1900 + yy } else { 2000 + yy },
                v.get(2..).ok_or_else(bad)?,
            )
        }
        (tag::GENERALIZED_TIME, 15) => (
            digits(v.get(..4).ok_or_else(bad)?)?,
            v.get(4..).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    let field = |i: usize| -> Result<u64> { digits(rest.get(i..i + 2).ok_or_else(bad)?) };
    if rest.get(10) != Some(&b'Z') {
        return Err(bad());
    }
    let (month, day, hour, min, sec) = (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > crate::time::days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return Err(bad());
    }
    if year < 1970 {
        return Err(malformed("certificate time before 1970 is not supported"));
    }
    let days = crate::time::days_from_civil(year, month, day).ok_or_else(bad)?;
    Ok(UnixTime::from_secs(
        days * 86_400 + hour * 3600 + min * 60 + sec,
    ))
}

/// The short names of RFC 4514 §3 and a few common others.
pub(crate) fn attribute_name(oid: &[u8]) -> Result<String> {
    let dotted = der::oid_to_dotted(oid)?;
    let short = match dotted.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.42" => "GN",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => return Ok(dotted),
    };
    Ok(short.to_owned())
}

/// Renders Name contents (the RDNSequence inside its SEQUENCE) in the style of
/// RFC 4514: last RDN first, `,` between RDNs, `+` inside a multi-valued RDN,
/// special characters escaped, unknown string types as `#hex`.
pub(crate) fn render_name(name: &[u8]) -> Result<String> {
    let mut rdns = Vec::new();
    let mut r = Reader::new(name);
    while !r.is_empty() {
        let mut set = Reader::new(r.expect(tag::SET)?);
        let mut parts = Vec::new();
        while !set.is_empty() {
            let mut atv = Reader::new(set.expect(tag::SEQUENCE)?);
            let oid = atv.expect(tag::OID)?;
            let (t, v) = atv.any()?;
            atv.finish()?;
            parts.push(format!("{}={}", attribute_name(oid)?, render_value(t, v)));
        }
        if parts.is_empty() {
            return Err(malformed("empty RDN in a name"));
        }
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    Ok(rdns.join(","))
}

/// The value of the name's `countryName` attribute (2.5.4.6), when it has
/// exactly one; read from the attribute, never from rendered DN text. Two
/// different countries in one name are `Malformed`.
pub(crate) fn name_country(name: &[u8]) -> Result<Option<String>> {
    let mut found: Option<String> = None;
    let mut r = Reader::new(name);
    while !r.is_empty() {
        let mut set = Reader::new(r.expect(tag::SET)?);
        while !set.is_empty() {
            let mut atv = Reader::new(set.expect(tag::SEQUENCE)?);
            let oid = atv.expect(tag::OID)?;
            let (t, v) = atv.any()?;
            atv.finish()?;
            if oid == OID_C {
                let c = render_value(t, v);
                if found.as_ref().is_some_and(|f| *f != c) {
                    return Err(malformed(
                        "a name with two different countryName attributes",
                    ));
                }
                found = Some(c);
            }
        }
    }
    Ok(found)
}

pub(crate) fn render_value(t: u8, v: &[u8]) -> String {
    let text: Option<String> = match t {
        tag::UTF8_STRING => core::str::from_utf8(v).ok().map(str::to_owned),
        tag::PRINTABLE_STRING | tag::IA5_STRING => core::str::from_utf8(v)
            .ok()
            .filter(|s| s.is_ascii())
            .map(str::to_owned),
        // T.61 in theory; Latin-1 in practice.
        tag::TELETEX_STRING => Some(v.iter().map(|&b| char::from(b)).collect()),
        tag::BMP_STRING if v.len() % 2 == 0 => char::decode_utf16(v.chunks_exact(2).map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        }))
        .collect::<core::result::Result<String, _>>()
        .ok(),
        tag::UNIVERSAL_STRING if v.len() % 4 == 0 => v
            .chunks_exact(4)
            .map(|c| {
                <[u8; 4]>::try_from(c)
                    .ok()
                    .and_then(|b| char::from_u32(u32::from_be_bytes(b)))
            })
            .collect(),
        _ => None,
    };
    match text {
        Some(s) => escape_rfc4514(&s),
        None => {
            let mut out = String::from("#");
            for b in tlv(t, v) {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

pub(crate) fn escape_rfc4514(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.chars().count().saturating_sub(1);
    for (i, ch) in s.chars().enumerate() {
        match ch {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The public key of a SubjectPublicKeyInfo: P-256 / P-384 uncompressed points
/// and Ed25519. Other algorithms, curves and point forms are `Unsupported`.
pub(crate) fn public_key_from_spki(spki: &[u8]) -> Result<PublicKey> {
    let mut outer = Reader::new(spki);
    let mut s = Reader::new(outer.expect(tag::SEQUENCE)?);
    outer.finish()?;
    let mut alg = Reader::new(s.expect(tag::SEQUENCE)?);
    let bits = s.expect(tag::BIT_STRING)?;
    s.finish()?;
    let key = match bits.split_first() {
        Some((0, k)) => k,
        _ => return Err(malformed("subjectPublicKey is not a whole-byte BIT STRING")),
    };
    let alg_oid = alg.expect(tag::OID)?;
    if alg_oid == OID_EC_PUBLIC_KEY {
        let curve_oid = alg.expect(tag::OID)?;
        alg.finish()?;
        let curve = match curve_oid {
            OID_P256 => Curve::P256,
            OID_P384 => Curve::P384,
            other => {
                return Err(unsupported(format!(
                    "certificate key on curve {} (P-256 and P-384 are supported)",
                    der::oid_to_dotted(other)?
                )))
            }
        };
        if key.first() != Some(&4) {
            return Err(unsupported(
                "certificate EC key is not an uncompressed point",
            ));
        }
        PublicKey::from_sec1(curve, key)
    } else if alg_oid == OID_ED25519 {
        alg.finish()
            .map_err(|_| malformed("Ed25519 key algorithm must have no parameters"))?;
        PublicKey::from_ed25519(key)
    } else if alg_oid == OID_RSA_ENCRYPTION {
        Err(unsupported(
            "an RSA certificate key signs no credential (EC P-256/P-384 and Ed25519 are supported; RSA only for trusted-list signers)",
        ))
    } else {
        Err(unsupported(format!(
            "certificate key algorithm {} (EC P-256/P-384 and Ed25519 are supported)",
            der::oid_to_dotted(alg_oid)?
        )))
    }
}

/// The key of a SubjectPublicKeyInfo a trusted-list signature is verified
/// with: what [`public_key_from_spki`] reads, or an RSA key (rsaEncryption
/// with NULL parameters, 2048 to 8192 bits).
pub(crate) fn signature_key_from_spki(spki: &[u8]) -> Result<VerifyKey> {
    let mut outer = Reader::new(spki);
    let mut s = Reader::new(outer.expect(tag::SEQUENCE)?);
    outer.finish()?;
    let mut alg = Reader::new(s.expect(tag::SEQUENCE)?);
    let bits = s.expect(tag::BIT_STRING)?;
    s.finish()?;
    if alg.expect(tag::OID)? != OID_RSA_ENCRYPTION {
        return public_key_from_spki(spki).map(VerifyKey::Ec);
    }
    if alg.expect(tag::NULL).ok() != Some(&[][..]) {
        return Err(malformed("rsaEncryption parameters must be NULL"));
    }
    alg.finish()?;
    match bits.split_first() {
        Some((0, k)) => RsaPublicKey::from_pkcs1(k).map(VerifyKey::Rsa),
        _ => Err(malformed("subjectPublicKey is not a whole-byte BIT STRING")),
    }
}

/// The webpki algorithm that verifies a signature with `sig_alg` (AlgorithmIdentifier
/// contents) under a key on `curve`.
pub(crate) fn verification_alg(
    sig_alg: &[u8],
    curve: Curve,
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    let mut r = Reader::new(sig_alg);
    let oid = r.expect(tag::OID).ok()?;
    if !r.is_empty() {
        return None;
    }
    match (oid, curve) {
        (OID_ECDSA_SHA256, Curve::P256) => Some(webpki::ring::ECDSA_P256_SHA256),
        (OID_ECDSA_SHA256, Curve::P384) => Some(webpki::ring::ECDSA_P384_SHA256),
        (OID_ECDSA_SHA384, Curve::P256) => Some(webpki::ring::ECDSA_P256_SHA384),
        (OID_ECDSA_SHA384, Curve::P384) => Some(webpki::ring::ECDSA_P384_SHA384),
        (OID_ED25519, Curve::Ed25519) => Some(webpki::ring::ED25519),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Certificate and builder (public).

/// An X.509 certificate (DER), as made by [`CertificateBuilder`] or read from
/// PEM / DER. Parsing checks the structure only; nothing about a `Certificate`
/// is trusted until a verifier validates its chain to a configured anchor.
///
/// ```
/// use passerelle::{Algorithm, Certificate, CertificateBuilder, PrivateKey, UnixTime};
/// let key = PrivateKey::generate(Algorithm::Es256)?;
/// let root = CertificateBuilder::new("Example Root")
///     .validity(UnixTime::from_secs(1_700_000_000), UnixTime::from_secs(2_000_000_000))
///     .ca(None)
///     .self_signed(&key)?;
/// let again = Certificate::from_pem(&root.to_pem())?;
/// assert_eq!(again, vec![root.clone()]);
/// assert_eq!(root.subject(), "CN=Example Root");
/// assert!(root.is_self_signed());
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    subject: String,
    self_signed: bool,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Certificate({:?}, {} bytes)",
            self.subject,
            self.der.len()
        )
    }
}

impl Certificate {
    /// Reads a DER certificate. Bad DER is `Malformed`; more than
    /// [`MAX_CERT_BYTES`](crate::limits::MAX_CERT_BYTES) is `LimitExceeded`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.len() > MAX_CERT_BYTES {
            return Err(limit(format!(
                "certificate of {} bytes exceeds the limit of {MAX_CERT_BYTES}",
                der.len()
            )));
        }
        let parsed = ParsedCert::parse(der)?;
        let subject = render_name(parsed.subject)?;
        let self_signed = parsed.subject == parsed.issuer && verifies_itself(der, &parsed);
        Ok(Certificate {
            der: der.to_vec(),
            subject,
            self_signed,
        })
    }

    /// Reads every `-----BEGIN CERTIFICATE-----` block of PEM text, in order.
    /// Text outside the blocks and other block types are ignored.
    pub fn from_pem(text: &str) -> Result<Vec<Self>> {
        pem_certificates(text)?
            .iter()
            .map(|d| Self::from_der(d))
            .collect()
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding (one CERTIFICATE block, 64-character lines).
    pub fn to_pem(&self) -> String {
        to_pem(&self.der)
    }

    /// The subject, RFC 4514 style, e.g. `CN=Demo PID Provider,O=Demo Member State,C=DE`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether the certificate is self-signed: issued by its own subject and
    /// its signature verifies under its own key (a root).
    pub fn is_self_signed(&self) -> bool {
        self.self_signed
    }

    /// The certificate's public key. Keys other than P-256, P-384 and Ed25519
    /// are `Unsupported`.
    pub fn subject_public_key(&self) -> Result<PublicKey> {
        public_key_from_spki(ParsedCert::parse(&self.der)?.spki)
    }

    /// The subject's key for verifying a trusted list's signature: EC,
    /// Ed25519 or RSA (see [`signature_key_from_spki`]).
    pub(crate) fn signature_key(&self) -> Result<VerifyKey> {
        signature_key_from_spki(ParsedCert::parse(&self.der)?.spki)
    }

    /// The validity period `(notBefore, notAfter)`.
    pub fn validity(&self) -> Result<(UnixTime, UnixTime)> {
        let p = ParsedCert::parse(&self.der)?;
        Ok((p.not_before, p.not_after))
    }
}

/// Whether `der`'s signature verifies under its own public key.
pub(crate) fn verifies_itself(der: &[u8], parsed: &ParsedCert<'_>) -> bool {
    let Ok(key) = public_key_from_spki(parsed.spki) else {
        return false;
    };
    let Some(alg) = verification_alg(parsed.signature_alg, key.curve()) else {
        return false;
    };
    let cert_der = CertificateDer::from(der);
    // webpki refuses certificates with unknown critical extensions; those are
    // then reported as not self-signed.
    match webpki::EndEntityCert::try_from(&cert_der) {
        Ok(ee) => ee
            .verify_signature(alg, parsed.tbs_raw, parsed.signature)
            .is_ok(),
        Err(_) => false,
    }
}
