//! A test-only mdoc forge: builds DeviceResponses field by field with
//! `ciborium` (an encoder nobody here wrote), signs COSE_Sign1 with our keys,
//! and lets a test change any part, also into something malformed.

use ciborium::Value;
use passerelle::*;

/// CBOR encoding of a value (ciborium: definite lengths, shortest heads,
/// map entries in the order given).
pub fn enc(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

pub fn t(s: &str) -> Value {
    Value::Text(s.into())
}

pub fn i(n: i64) -> Value {
    Value::Integer(n.into())
}

pub fn b(x: &[u8]) -> Value {
    Value::Bytes(x.to_vec())
}

pub fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

/// `#6.24(bstr .cbor v)`.
pub fn tag24(v: &Value) -> Value {
    Value::Tag(24, Box::new(Value::Bytes(enc(v))))
}

pub fn tdate(secs: u64) -> Value {
    Value::Tag(0, Box::new(t(&UnixTime::from_secs(secs).to_rfc3339())))
}

fn sha256(x: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, x)
        .as_ref()
        .to_vec()
}

pub fn cose_key(k: &PublicKey) -> Value {
    map(vec![
        (i(1), i(2)),
        (i(-1), i(1)),
        (i(-2), b(k.x())),
        (i(-3), b(k.y())),
    ])
}

/// A test PKI: an IACA (C=UT) and a document signer with the mdoc EKU.
pub struct Pki {
    pub iaca_key: PrivateKey,
    pub iaca: Certificate,
    pub ds_key: PrivateKey,
    pub ds: Certificate,
    pub now: u64,
}

pub const NOW: u64 = 1_790_000_000;

pub fn iaca_builder(cn: &str) -> CertificateBuilder {
    CertificateBuilder::new(cn).country("UT").validity(
        UnixTime::from_secs(NOW - 86_400),
        UnixTime::from_secs(NOW + 3650 * 86_400),
    )
}

pub fn ds_builder(cn: &str) -> CertificateBuilder {
    CertificateBuilder::new(cn)
        .country("UT")
        .end_entity()
        .extended_key_usage("1.0.18013.5.1.2")
        .validity(
            UnixTime::from_secs(NOW - 86_400),
            UnixTime::from_secs(NOW + 400 * 86_400),
        )
}

pub fn pki() -> Pki {
    let iaca_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let iaca = iaca_builder("Forge IACA")
        .ca(Some(0))
        .self_signed(&iaca_key)
        .unwrap();
    let ds_key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let ds = ds_builder("Forge DS")
        .issued_by(&iaca, &iaca_key, ds_key.public_key())
        .unwrap();
    Pki {
        iaca_key,
        iaca,
        ds_key,
        ds,
        now: NOW,
    }
}

/// How the device authenticates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeviceAuthKind {
    Signature,
    /// deviceMac with this forge's reader key.
    Mac,
    Both,
    Neither,
    /// a deviceSignature whose payload is attached.
    AttachedSignature,
}

/// An edit of a CBOR map's entries.
pub type MapEdit = Box<dyn Fn(&mut Vec<(Value, Value)>)>;
/// A bytes-to-bytes mapping.
pub type BytesMap = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// Every part of one DeviceResponse, as values a test may change before `build`.
pub struct Forge {
    pub pki: Pki,
    pub device: PrivateKey,
    pub reader: PrivateKey,
    pub doc_type: String,
    /// `(namespace, IssuerSignedItem map)`; each is wrapped and digested by `build`.
    pub items: Vec<(String, Value)>,
    /// Replaces the tag-24 wrapping of item `n` with these exact bytes (still digested).
    pub raw_items: Vec<(usize, Vec<u8>)>,
    /// Extra `valueDigests` entries: `(namespace, digestID, digest)`.
    pub extra_digests: Vec<(String, u64, Vec<u8>)>,
    /// Change the MSO map (as built from the fields above) before it is signed.
    pub mso_edit: MapEdit,
    /// The issuerAuth payload from the MSO encoding (default tag 24 around it).
    pub payload_of: BytesMap,
    pub protected: Vec<(Value, Value)>,
    pub unprotected: Vec<(Value, Value)>,
    /// The key that signs issuerAuth (default the DS key).
    pub issuer_signer: Option<PrivateKey>,
    pub sig_context: &'static str,
    pub issuer_aad: Vec<u8>,
    /// Wrap issuerAuth in this tag.
    pub issuer_tag: Option<u64>,
    /// Put `nil` as the issuerAuth payload (still signed over the MSO).
    pub detached_issuer_payload: bool,
    pub transcript: SessionTranscript,
    pub device_auth: DeviceAuthKind,
    /// The key that makes the deviceSignature (default the device key).
    pub device_signer: Option<PrivateKey>,
    /// The docType inside DeviceAuthentication (default the Document's).
    pub da_doc_type: Option<String>,
    /// DeviceNameSpaces (default empty).
    pub device_namespaces: Value,
    /// Change the whole response value before encoding.
    pub response_edit: Box<dyn Fn(&mut Value)>,
}

/// A byte string that stands for raw item `n` until `build` splices it out.
fn placeholder(n: usize) -> Value {
    let mut m = b"\xfeFORGE-RAW-ITEM-".to_vec();
    m.push(u8::try_from(n).unwrap());
    Value::Bytes(m)
}

pub const NS: &str = "org.iso.18013.5.1";
pub const MDL: &str = "org.iso.18013.5.1.mDL";

pub fn item(digest_id: i64, name: &str, value: Value) -> Value {
    map(vec![
        (t("digestID"), i(digest_id)),
        (t("random"), b(&[0x5a; 16])),
        (t("elementIdentifier"), t(name)),
        (t("elementValue"), value),
    ])
}

impl Forge {
    pub fn new() -> Self {
        Forge {
            pki: pki(),
            device: PrivateKey::generate(Algorithm::Es256).unwrap(),
            reader: PrivateKey::generate(Algorithm::Es256).unwrap(),
            doc_type: MDL.into(),
            items: vec![
                (NS.into(), item(1, "family_name", t("Doe"))),
                (NS.into(), item(7, "given_name", t("Jane"))),
                (
                    NS.into(),
                    item(3, "birth_date", Value::Tag(1004, Box::new(t("1990-02-03")))),
                ),
            ],
            raw_items: Vec::new(),
            extra_digests: Vec::new(),
            mso_edit: Box::new(|_| {}),
            payload_of: Box::new(|mso| enc(&Value::Tag(24, Box::new(Value::Bytes(mso.to_vec()))))),
            protected: vec![(i(1), i(-7))],
            unprotected: Vec::new(),
            issuer_signer: None,
            sig_context: "Signature1",
            issuer_aad: Vec::new(),
            issuer_tag: None,
            detached_issuer_payload: false,
            transcript: SessionTranscript::openid4vp("c", "n", None, "https://r"),
            device_auth: DeviceAuthKind::Signature,
            device_signer: None,
            da_doc_type: None,
            device_namespaces: map(vec![]),
            response_edit: Box::new(|_| {}),
        }
    }

    pub fn x5chain_default(&self) -> Value {
        b(self.pki.ds.der())
    }

    /// The tagged item bytes of item `n`, as they go on the wire.
    pub fn item_bytes(&self, n: usize) -> Vec<u8> {
        match self.raw_items.iter().find(|(k, _)| *k == n) {
            Some((_, raw)) => raw.clone(),
            None => enc(&tag24(&self.items[n].1)),
        }
    }

    pub fn mso_entries(&self) -> Vec<(Value, Value)> {
        let mut namespaces: Vec<String> = Vec::new();
        for (ns, _) in &self.items {
            if !namespaces.contains(ns) {
                namespaces.push(ns.clone());
            }
        }
        let mut vd = Vec::new();
        for ns in &namespaces {
            let mut ids = Vec::new();
            for (n, (ins, it)) in self.items.iter().enumerate() {
                if ins == ns {
                    let id = match it {
                        Value::Map(m) => m
                            .iter()
                            .find(|(k, _)| k.as_text() == Some("digestID"))
                            .map(|(_, v)| v.clone())
                            .unwrap_or(i(999)),
                        _ => i(998),
                    };
                    let id = if matches!(id, Value::Integer(_)) {
                        id
                    } else {
                        i(997)
                    };
                    ids.push((id, b(&sha256(&self.item_bytes(n)))));
                }
            }
            for (dns, id, d) in &self.extra_digests {
                if dns == ns {
                    ids.push((Value::Integer((*id).into()), b(d)));
                }
            }
            vd.push((t(ns), map(ids)));
        }
        for (dns, id, d) in &self.extra_digests {
            if !namespaces.contains(dns) {
                vd.push((t(dns), map(vec![(Value::Integer((*id).into()), b(d))])));
            }
        }
        let n = self.pki.now;
        vec![
            (t("version"), t("1.0")),
            (t("digestAlgorithm"), t("SHA-256")),
            (t("valueDigests"), map(vd)),
            (
                t("deviceKeyInfo"),
                map(vec![(t("deviceKey"), cose_key(self.device.public_key()))]),
            ),
            (t("docType"), t(&self.doc_type)),
            (
                t("validityInfo"),
                map(vec![
                    (t("signed"), tdate(n - 3600)),
                    (t("validFrom"), tdate(n - 3600)),
                    (t("validUntil"), tdate(n + 86_400 * 30)),
                ]),
            ),
        ]
    }

    pub fn sign1(
        key: &PrivateKey,
        context: &str,
        protected: &[u8],
        aad: &[u8],
        payload: &[u8],
    ) -> Vec<u8> {
        let tbs = enc(&Value::Array(vec![
            t(context),
            b(protected),
            b(aad),
            b(payload),
        ]));
        key.sign(&tbs).unwrap()
    }

    pub fn issuer_auth(&self) -> Value {
        let mut mso = self.mso_entries();
        (self.mso_edit)(&mut mso);
        let payload = (self.payload_of)(&enc(&map(mso)));
        let protected = if self.protected.is_empty() {
            Vec::new()
        } else {
            enc(&map(self.protected.clone()))
        };
        let signer = self.issuer_signer.as_ref().unwrap_or(&self.pki.ds_key);
        let sig = Self::sign1(
            signer,
            self.sig_context,
            &protected,
            &self.issuer_aad,
            &payload,
        );
        let mut unprotected = self.unprotected.clone();
        if !unprotected.iter().any(|(k, _)| *k == i(33))
            && !self.unprotected.iter().any(|(k, _)| *k == i(-33))
        {
            unprotected.push((i(33), self.x5chain_default()));
        }
        unprotected.retain(|(k, _)| *k != i(-33)); // -33: a marker meaning "no x5chain"
        let arr = Value::Array(vec![
            b(&protected),
            map(unprotected),
            if self.detached_issuer_payload {
                Value::Null
            } else {
                b(&payload)
            },
            b(&sig),
        ]);
        match self.issuer_tag {
            Some(tag) => Value::Tag(tag, Box::new(arr)),
            None => arr,
        }
    }

    pub fn issuer_signed(&self) -> Value {
        let mut namespaces: Vec<(Value, Value)> = Vec::new();
        for (n, (ns, _)) in self.items.iter().enumerate() {
            let raw = self.item_bytes(n);
            // bytes ciborium cannot read go in as a placeholder that `build` splices out
            let v: Value = ciborium::from_reader(raw.as_slice()).unwrap_or_else(|_| placeholder(n));
            match namespaces.iter_mut().find(|(k, _)| k.as_text() == Some(ns)) {
                Some((_, Value::Array(a))) => a.push(v),
                _ => namespaces.push((t(ns), Value::Array(vec![v]))),
            }
        }
        map(vec![
            (t("nameSpaces"), map(namespaces)),
            (t("issuerAuth"), self.issuer_auth()),
        ])
    }

    pub fn device_namespaces_bytes(&self) -> Value {
        tag24(&self.device_namespaces)
    }

    pub fn device_authentication_bytes(&self) -> Vec<u8> {
        let transcript: Value = ciborium::from_reader(self.transcript.cbor()).unwrap();
        let da = Value::Array(vec![
            t("DeviceAuthentication"),
            transcript,
            t(self.da_doc_type.as_deref().unwrap_or(&self.doc_type)),
            self.device_namespaces_bytes(),
        ]);
        enc(&tag24(&da))
    }

    fn device_signature(&self, attached: bool) -> Value {
        let da = self.device_authentication_bytes();
        let protected = enc(&map(vec![(i(1), i(-7))]));
        let key = self.device_signer.as_ref().unwrap_or(&self.device);
        let sig = Self::sign1(key, "Signature1", &protected, b"", &da);
        Value::Array(vec![
            b(&protected),
            map(vec![]),
            if attached { b(&da) } else { Value::Null },
            b(&sig),
        ])
    }

    fn device_mac(&self) -> Value {
        let da = self.device_authentication_bytes();
        let shared = self.device.agree(self.reader.public_key()).unwrap();
        let salt = sha256(&enc(&Value::Tag(24, Box::new(b(self.transcript.cbor())))));
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &salt).extract(&shared);
        let okm = prk.expand(&[b"EMacKey"], ring::hkdf::HKDF_SHA256).unwrap();
        let mut key = [0u8; 32];
        okm.fill(&mut key).unwrap();
        let protected = enc(&map(vec![(i(1), i(5))]));
        let tbm = enc(&Value::Array(vec![
            t("MAC0"),
            b(&protected),
            b(b""),
            b(&da),
        ]));
        let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key), &tbm);
        Value::Array(vec![
            b(&protected),
            map(vec![]),
            Value::Null,
            b(tag.as_ref()),
        ])
    }

    pub fn document(&self) -> Value {
        let auth = match self.device_auth {
            DeviceAuthKind::Signature => vec![(t("deviceSignature"), self.device_signature(false))],
            DeviceAuthKind::AttachedSignature => {
                vec![(t("deviceSignature"), self.device_signature(true))]
            }
            DeviceAuthKind::Mac => vec![(t("deviceMac"), self.device_mac())],
            DeviceAuthKind::Both => vec![
                (t("deviceSignature"), self.device_signature(false)),
                (t("deviceMac"), self.device_mac()),
            ],
            DeviceAuthKind::Neither => vec![],
        };
        map(vec![
            (t("docType"), t(&self.doc_type)),
            (t("issuerSigned"), self.issuer_signed()),
            (
                t("deviceSigned"),
                map(vec![
                    (t("nameSpaces"), self.device_namespaces_bytes()),
                    (t("deviceAuth"), map(auth)),
                ]),
            ),
        ])
    }

    pub fn response_value(&self) -> Value {
        let mut v = map(vec![
            (t("version"), t("1.0")),
            (t("documents"), Value::Array(vec![self.document()])),
            (t("status"), i(0)),
        ]);
        (self.response_edit)(&mut v);
        v
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = enc(&self.response_value());
        for (n, raw) in &self.raw_items {
            let marker = enc(&placeholder(*n));
            if let Some(pos) = out
                .windows(marker.len())
                .position(|w| w == marker.as_slice())
            {
                out.splice(pos..pos + marker.len(), raw.iter().copied());
            }
        }
        out
    }

    pub fn trust(&self) -> TrustStore {
        let mut trust = TrustStore::new();
        trust.add_iaca_der(self.pki.iaca.der()).unwrap();
        trust
    }

    pub fn expect(&self) -> Expectations {
        Expectations::at(UnixTime::from_secs(self.pki.now))
            .session_transcript(self.transcript.clone())
            .reader_key(PrivateKey::from_jwk(&self.reader.to_jwk()).unwrap())
    }

    /// Verifies `bytes` with this forge's trust and expectations.
    pub fn verify(&self, bytes: &[u8]) -> Result<Vec<VerificationResult>> {
        Verifier::new(self.trust(), Policy::default()).verify_device_response(bytes, &self.expect())
    }

    pub fn run(&self) -> Result<Vec<VerificationResult>> {
        self.verify(&self.build())
    }
}

impl Default for Forge {
    fn default() -> Self {
        Self::new()
    }
}
