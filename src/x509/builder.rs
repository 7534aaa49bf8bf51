//! A small certificate builder for test PKIs and the demo (the `test-pki`
//! feature: on for the CLI and the tests, off in a mobile build):
//! [`CertificateBuilder`] makes a CA, optional intermediates, and issuer
//! certificates with SAN entries.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::crypto::{sha256, Algorithm, SecureRandom, Signer, SystemRandom};
use crate::encoding::der::{context, seq, tlv, uint};
use crate::error::{misuse, Error, ErrorKind};
use crate::time::civil_from_unix;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Ca(Option<u8>),
    EndEntity,
}

/// Builds X.509 v3 certificates for test PKIs and demos: a CA, intermediates,
/// and end-entity (issuer) certificates with subjectAltName entries.
///
/// Certificates are signed with ecdsa-with-SHA256 by a P-256 issuer key,
/// ecdsa-with-SHA384 by a P-384 key and Ed25519 by an Ed25519 key. They carry
/// subjectKeyIdentifier and authorityKeyIdentifier (the first 20 bytes of
/// SHA-256 of the public key). Times are UTCTime before 2050 and
/// GeneralizedTime after.
///
/// This is not a CA product: it signs whatever it is told to, including
/// certificates a verifier must refuse, which is what tests need.
///
/// ```
/// use passerelle::{Algorithm, CertificateBuilder, PrivateKey, UnixTime};
/// let (from, to) = (UnixTime::from_secs(1_700_000_000), UnixTime::from_secs(2_000_000_000));
/// let ca_key = PrivateKey::generate(Algorithm::Es256)?;
/// let ca = CertificateBuilder::new("Example CA")
///     .organization("Example Org")
///     .country("DE")
///     .validity(from, to)
///     .ca(Some(0))
///     .self_signed(&ca_key)?;
/// let issuer_key = PrivateKey::generate(Algorithm::Es256)?;
/// let issuer = CertificateBuilder::new("Example Issuer")
///     .validity(from, to)
///     .end_entity()
///     .uri("https://issuer.example")
///     .issued_by(&ca, &ca_key, issuer_key.public_key())?;
/// assert_eq!(issuer.subject(), "CN=Example Issuer");
/// assert!(!issuer.is_self_signed());
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CertificateBuilder {
    common_name: String,
    organization: Option<String>,
    country: Option<String>,
    validity: Option<(UnixTime, UnixTime)>,
    role: Role,
    dns_names: Vec<String>,
    uris: Vec<String>,
    ekus: Vec<String>,
    serial: Option<Vec<u8>>,
    extra: Vec<(String, bool, Vec<u8>)>,
}

impl CertificateBuilder {
    /// A builder for a certificate whose subject has this common name (CN). By
    /// default the certificate is an end entity; a validity period is required.
    pub fn new(common_name: &str) -> Self {
        CertificateBuilder {
            common_name: common_name.to_owned(),
            organization: None,
            country: None,
            validity: None,
            role: Role::EndEntity,
            dns_names: Vec::new(),
            uris: Vec::new(),
            ekus: Vec::new(),
            serial: None,
            extra: Vec::new(),
        }
    }

    /// Adds the organization (O) to the subject.
    pub fn organization(mut self, organization: &str) -> Self {
        self.organization = Some(organization.to_owned());
        self
    }

    /// Adds the country (C, two letters, ISO 3166) to the subject.
    pub fn country(mut self, country: &str) -> Self {
        self.country = Some(country.to_owned());
        self
    }

    /// Sets the validity period (required).
    pub fn validity(mut self, not_before: UnixTime, not_after: UnixTime) -> Self {
        self.validity = Some((not_before, not_after));
        self
    }

    /// Makes a CA certificate: basicConstraints cA=TRUE (with `path_len` as
    /// pathLenConstraint when given) and keyUsage keyCertSign + cRLSign, both
    /// critical.
    pub fn ca(mut self, path_len: Option<u8>) -> Self {
        self.role = Role::Ca(path_len);
        self
    }

    /// Makes an end-entity certificate (the default): keyUsage
    /// digitalSignature, critical, and no basicConstraints.
    pub fn end_entity(mut self) -> Self {
        self.role = Role::EndEntity;
        self
    }

    /// Adds a subjectAltName dNSName entry.
    pub fn dns_name(mut self, name: &str) -> Self {
        self.dns_names.push(name.to_owned());
        self
    }

    /// Adds a subjectAltName uniformResourceIdentifier entry (e.g. the issuer's
    /// `iss` URL).
    pub fn uri(mut self, uri: &str) -> Self {
        self.uris.push(uri.to_owned());
        self
    }

    /// Adds an extendedKeyUsage purpose, as a dotted OID (e.g. `1.0.18013.5.1.2`
    /// for an mdoc document signer).
    pub fn extended_key_usage(mut self, oid_dotted: &str) -> Self {
        self.ekus.push(oid_dotted.to_owned());
        self
    }

    /// Sets the serial number (big-endian magnitude, at most 20 bytes). By
    /// default it is 16 random bytes.
    pub fn serial(mut self, serial: &[u8]) -> Self {
        self.serial = Some(serial.to_vec());
        self
    }

    /// Adds an arbitrary extension: dotted OID, critical flag and the DER of
    /// its value (the contents of extnValue). Meant for tests, such as an
    /// unknown critical extension a verifier must refuse.
    pub fn custom_extension(mut self, oid_dotted: &str, critical: bool, value_der: &[u8]) -> Self {
        self.extra
            .push((oid_dotted.to_owned(), critical, value_der.to_vec()));
        self
    }

    /// Signs the certificate with its own key (a root). `key` gives both the
    /// subject public key and the signature.
    pub fn self_signed(&self, key: &dyn Signer) -> Result<Certificate> {
        let name = self.subject_name()?;
        let ki = key_identifier(key.public_key());
        self.sign(key.public_key(), &name, &ki, key)
    }

    /// Signs a certificate for `subject_key`, issued by `issuer` whose private
    /// key is `issuer_key`. `issuer_key` must be the key of `issuer`'s
    /// certificate (`ApiMisuse` otherwise); whether `issuer` may issue
    /// certificates is not checked, so tests can build invalid chains.
    pub fn issued_by(
        &self,
        issuer: &Certificate,
        issuer_key: &dyn Signer,
        subject_key: &PublicKey,
    ) -> Result<Certificate> {
        let parsed = ParsedCert::parse(&issuer.der)?;
        let issuer_public = public_key_from_spki(parsed.spki)?;
        if &issuer_public != issuer_key.public_key() {
            return Err(misuse(
                "the signing key is not the issuer certificate's key",
            ));
        }
        let issuer_name = tlv(tag::SEQUENCE, parsed.subject);
        let ki = key_identifier(&issuer_public);
        self.sign(subject_key, &issuer_name, &ki, issuer_key)
    }

    fn subject_name(&self) -> Result<Vec<u8>> {
        let rdn = |oid: &[u8], t: u8, value: &str| {
            tlv(
                tag::SET,
                &seq(&[&tlv(tag::OID, oid), &tlv(t, value.as_bytes())]),
            )
        };
        let mut rdns = Vec::new();
        if let Some(c) = &self.country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(misuse("the country must be two ASCII letters (ISO 3166)"));
            }
            rdns.push(rdn(OID_C, tag::PRINTABLE_STRING, c));
        }
        if let Some(o) = &self.organization {
            rdns.push(rdn(OID_O, tag::UTF8_STRING, o));
        }
        rdns.push(rdn(OID_CN, tag::UTF8_STRING, &self.common_name));
        Ok(tlv(tag::SEQUENCE, &rdns.concat()))
    }

    fn extensions(&self, subject_key: &PublicKey, authority_key_id: &[u8]) -> Result<Vec<u8>> {
        let ext = |oid: &[u8], critical: bool, value: &[u8]| {
            let mut parts = vec![tlv(tag::OID, oid)];
            if critical {
                parts.push(tlv(tag::BOOLEAN, &[0xff]));
            }
            parts.push(tlv(tag::OCTET_STRING, value));
            tlv(tag::SEQUENCE, &parts.concat())
        };
        let mut exts = Vec::new();
        match self.role {
            Role::Ca(path_len) => {
                let mut bc = vec![tlv(tag::BOOLEAN, &[0xff])];
                if let Some(n) = path_len {
                    bc.push(uint(&[n]));
                }
                exts.push(ext(
                    OID_BASIC_CONSTRAINTS,
                    true,
                    &tlv(tag::SEQUENCE, &bc.concat()),
                ));
                // keyCertSign (bit 5) and cRLSign (bit 6); one unused bit.
                exts.push(ext(
                    OID_KEY_USAGE,
                    true,
                    &tlv(tag::BIT_STRING, &[0x01, 0x06]),
                ));
            }
            Role::EndEntity => {
                // digitalSignature (bit 0); seven unused bits.
                exts.push(ext(
                    OID_KEY_USAGE,
                    true,
                    &tlv(tag::BIT_STRING, &[0x07, 0x80]),
                ));
            }
        }
        exts.push(ext(
            OID_SKI,
            false,
            &tlv(tag::OCTET_STRING, &key_identifier(subject_key)),
        ));
        exts.push(ext(
            OID_AKI,
            false,
            &seq(&[&tlv(context(0, false), authority_key_id)]),
        ));
        if !self.dns_names.is_empty() || !self.uris.is_empty() {
            let mut names = Vec::new();
            for d in &self.dns_names {
                if !d.is_ascii() || d.is_empty() {
                    return Err(misuse(format!("dNSName {d:?} is not non-empty ASCII")));
                }
                names.push(tlv(context(2, false), d.as_bytes()));
            }
            for u in &self.uris {
                if !u.is_ascii() || u.is_empty() {
                    return Err(misuse(format!("URI {u:?} is not non-empty ASCII")));
                }
                names.push(tlv(context(6, false), u.as_bytes()));
            }
            exts.push(ext(OID_SAN, false, &tlv(tag::SEQUENCE, &names.concat())));
        }
        if !self.ekus.is_empty() {
            let mut oids = Vec::new();
            for e in &self.ekus {
                let oid = der::oid_from_dotted(e).map_err(|e| misuse(e.message()))?;
                oids.push(tlv(tag::OID, &oid));
            }
            exts.push(ext(OID_EKU, false, &tlv(tag::SEQUENCE, &oids.concat())));
        }
        for (oid, critical, value) in &self.extra {
            let oid = der::oid_from_dotted(oid).map_err(|e| misuse(e.message()))?;
            exts.push(ext(&oid, *critical, value));
        }
        Ok(tlv(context(3, true), &tlv(tag::SEQUENCE, &exts.concat())))
    }

    fn sign(
        &self,
        subject_key: &PublicKey,
        issuer_name: &[u8],
        authority_key_id: &[u8],
        signer: &dyn Signer,
    ) -> Result<Certificate> {
        let (not_before, not_after) = self
            .validity
            .ok_or_else(|| misuse("a certificate needs a validity period"))?;
        if not_before > not_after {
            return Err(misuse("notBefore is after notAfter"));
        }
        let serial = match &self.serial {
            Some(s) if s.len() > 20 => {
                return Err(misuse("a serial number is at most 20 bytes"));
            }
            Some(s) => s.clone(),
            None => {
                let mut s = vec![0u8; 16];
                SystemRandom.fill(&mut s)?;
                if let Some(first) = s.first_mut() {
                    *first = (*first & 0x7f) | 0x01;
                }
                s
            }
        };
        let alg = signer.algorithm();
        let sig_alg = match alg {
            Algorithm::Es256 => seq(&[&tlv(tag::OID, OID_ECDSA_SHA256)]),
            Algorithm::Es384 => seq(&[&tlv(tag::OID, OID_ECDSA_SHA384)]),
            Algorithm::EdDsa => seq(&[&tlv(tag::OID, OID_ED25519)]),
        };
        let tbs = seq(&[
            &tlv(context(0, true), &uint(&[2])),
            &uint(&serial),
            &sig_alg,
            issuer_name,
            &seq(&[&write_time(not_before)?, &write_time(not_after)?]),
            &self.subject_name()?,
            &spki_for(subject_key),
            &self.extensions(subject_key, authority_key_id)?,
        ]);
        let raw_sig = signer.sign(&tbs)?;
        let sig = match alg {
            Algorithm::EdDsa => raw_sig,
            Algorithm::Es256 | Algorithm::Es384 => ecdsa_fixed_to_der(&raw_sig, alg)?,
        };
        let der = seq(&[&tbs, &sig_alg, &bit_string(&sig)]);
        Certificate::from_der(&der)
    }
}

/// Converts a JOSE fixed-length `r‖s` ECDSA signature to the DER
/// ECDSA-Sig-Value X.509 carries: SEQUENCE { INTEGER r, INTEGER s }, minimal.
pub(crate) fn ecdsa_fixed_to_der(sig: &[u8], alg: Algorithm) -> Result<Vec<u8>> {
    if sig.len() != alg.signature_len() {
        return Err(Error::new(
            ErrorKind::Signature,
            format!(
                "the signer returned {} bytes, not a {} signature",
                sig.len(),
                alg.jose_name()
            ),
        ));
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    Ok(seq(&[&uint(r), &uint(s)]))
}

// ---------------------------------------------------------------------------
// Writing: names, times, keys.

/// id-ce-subjectKeyIdentifier, 2.5.29.14.
pub(crate) const OID_SKI: &[u8] = &[0x55, 0x1d, 0x0e];

/// id-ce-keyUsage, 2.5.29.15.
pub(crate) const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];

/// id-ce-authorityKeyIdentifier, 2.5.29.35.
pub(crate) const OID_AKI: &[u8] = &[0x55, 0x1d, 0x23];

/// id-at-commonName, 2.5.4.3.
pub(crate) const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// id-at-organizationName, 2.5.4.10.
pub(crate) const OID_O: &[u8] = &[0x55, 0x04, 0x0a];

/// 9999-12-31T23:59:59Z, the last time a GeneralizedTime can hold.
pub(crate) const MAX_CERT_TIME: u64 = 253_402_300_799;

/// Writes a certificate time: UTCTime before 2050, GeneralizedTime from 2050.
pub(crate) fn write_time(t: UnixTime) -> Result<Vec<u8>> {
    if t.as_secs() > MAX_CERT_TIME {
        return Err(misuse("certificate times end at 9999-12-31T23:59:59Z"));
    }
    let (y, mo, d, h, mi, s) = civil_from_unix(t);
    Ok(if y < 2050 {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(tag::UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        tlv(tag::GENERALIZED_TIME, text.as_bytes())
    })
}

pub(crate) fn spki_for(key: &PublicKey) -> Vec<u8> {
    let alg = match key.curve() {
        Curve::P256 => seq(&[&tlv(tag::OID, OID_EC_PUBLIC_KEY), &tlv(tag::OID, OID_P256)]),
        Curve::P384 => seq(&[&tlv(tag::OID, OID_EC_PUBLIC_KEY), &tlv(tag::OID, OID_P384)]),
        Curve::Ed25519 => seq(&[&tlv(tag::OID, OID_ED25519)]),
    };
    seq(&[&alg, &bit_string(key.raw())])
}

pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(0);
    v.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &v)
}

/// Key identifier: the first 20 bytes of SHA-256 of the subjectPublicKey bits
/// (RFC 7093 §2 method 1; SHA-1 is not used).
pub(crate) fn key_identifier(key: &PublicKey) -> Vec<u8> {
    sha256(key.raw()).iter().take(20).copied().collect()
}
