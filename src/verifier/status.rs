//! The status route of the verifier: a verified credential's status
//! reference checked against the list the host handed in.
//!
//! Who vouches: the list must be signed by a key trusted for the
//! credential's issuer (the key that verified the credential, a certificate
//! chaining to the same anchors that names the issuer, the issuer DID's key;
//! for mdoc, a certificate chaining to the IACA that anchors the document
//! signer), its `sub` / `id` must be the reference's URI (no substitution),
//! and it must be fresh: `exp` and `ttl` (counted from when the host fetched
//! it) against the verification time. Only then is the one value read.
//!
//! Outcomes: 0 valid; revoked → `Revoked`; suspended → `Suspended`;
//! application-specific values (3, 0x0C–0x0F) → `Policy` unless the policy
//! accepts them; a failure to learn the status (no list while the policy
//! requires one, stale, expired, out of range, undecodable, untrusted, a
//! reserved value) fails with its cause's kind, message prefixed `status:`,
//! unless the policy accepts undetermined status — and is never revoked.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::{CredentialFormat, Expectations, Verifier};
use crate::crypto::PublicKey;
use crate::error::{malformed, policy, untrusted, Error, ErrorKind, Result};
use crate::status::{
    BitstringStatusEntry, FetchedStatusList, IdentifierListRef, Status, StatusClaim,
    StatusReference, TokenStatus, UnverifiedIdentifierListCwt, UnverifiedStatusListCwt,
    UnverifiedStatusListJwt,
};
use crate::time::UnixTime;
use crate::trust::KeyHints;

/// Who may sign the credential's status lists.
pub(super) enum ListSigner<'a> {
    /// A JOSE / COSE / Data Integrity credential of `issuer_id`, verified with `key`.
    Issuer {
        issuer_id: &'a str,
        key: &'a PublicKey,
    },
    /// An mdoc whose document signer chains to the IACA `iaca_der`.
    Iaca { iaca_der: &'a [u8] },
}

/// What a value of a list means for the credential.
enum Reading {
    Valid,
    Revoked,
    Suspended,
    Application(u8),
    Reserved(u8),
}

fn reading_of(v: u8) -> Reading {
    match TokenStatus::from_value(v) {
        TokenStatus::Valid => Reading::Valid,
        TokenStatus::Invalid => Reading::Revoked,
        TokenStatus::Suspended => Reading::Suspended,
        TokenStatus::ApplicationSpecific(v) => Reading::Application(v),
        _ => Reading::Reserved(v),
    }
}

impl Verifier {
    /// The status of a verified credential whose reference is `status`
    /// (`NotChecked(reference)` or `Absent` as the format parsed it).
    pub(super) fn check_status(
        &self,
        status: Status,
        signer: &ListSigner<'_>,
        expect: &Expectations,
    ) -> Result<Status> {
        let Status::NotChecked(reference) = status else {
            return Ok(status);
        };
        let outcome = match &reference {
            StatusReference::TokenStatusList { uri, index } => self
                .fetch(uri, expect)
                .map(|l| l.map(|l| self.token_value(&l, uri, *index, signer, expect.now))),
            // checked by their own routes (check_bitstring_status,
            // check_mdoc_status), or not interpreted
            _ => return Ok(Status::NotChecked(reference)),
        };
        self.decide(reference, outcome)
    }

    /// An mdoc MSO `status`: a status list and an identifier list may both be
    /// present, and then both must pass.
    pub(super) fn check_mdoc_status(
        &self,
        claim: &StatusClaim,
        iaca_der: &[u8],
        expect: &Expectations,
    ) -> Result<Status> {
        let signer = ListSigner::Iaca { iaca_der };
        let mut result = None;
        if let Some(sl) = claim.status_list() {
            let reference = StatusReference::TokenStatusList {
                uri: sl.uri().to_owned(),
                index: sl.idx(),
            };
            let outcome = self.fetch(sl.uri(), expect).map(|l| {
                l.map(|l| {
                    self.mdoc_token_value(
                        &l,
                        sl.uri(),
                        sl.idx(),
                        sl.certificate(),
                        iaca_der,
                        expect.now,
                    )
                })
            });
            result = Some(self.decide(reference, outcome)?);
        }
        if let Some(il) = claim.identifier_list() {
            let reference = StatusReference::IdentifierList {
                uri: il.uri().to_owned(),
                id: il.id().to_vec(),
            };
            let outcome = self
                .fetch(il.uri(), expect)
                .map(|l| l.map(|l| self.identifier_value(&l, il, &signer, expect.now)));
            let s = self.decide(reference, outcome)?;
            // the status list's outcome is reported when both pass
            if result.is_none() || !matches!(s, Status::Valid(_) | Status::NotChecked(_)) {
                result = Some(s);
            }
        }
        result.ok_or_else(|| malformed("the MSO status names no mechanism"))
    }

    /// W3C `credentialStatus`: every `BitstringStatusListEntry` is checked;
    /// other entry types are carried as not checked.
    pub(super) fn check_bitstring_status(
        &self,
        credential_status: Option<&serde_json::Value>,
        issuer_id: &str,
        expect: &Expectations,
    ) -> Result<Status> {
        let Some(cs) = credential_status else {
            return Ok(Status::Absent);
        };
        let entries = BitstringStatusEntry::from_credential_status(cs)?;
        if entries.is_empty() {
            return Ok(Status::NotChecked(StatusReference::Other(cs.clone())));
        }
        let mut first = None;
        for e in &entries {
            let reference = StatusReference::Bitstring {
                uri: e.list_credential().to_owned(),
                index: e.index(),
                purpose: e.purpose().to_owned(),
            };
            let outcome = self
                .fetch(e.list_credential(), expect)
                .map(|l| l.map(|l| self.bitstring_value(&l, e, issuer_id, expect.now)));
            let s = self.decide(reference, outcome)?;
            if first.is_none()
                || matches!(
                    s,
                    Status::Undetermined(..) | Status::ApplicationSpecific(..)
                )
            {
                first = Some(s);
            }
        }
        first.ok_or_else(|| malformed("credentialStatus names no entry"))
    }

    /// The list for `uri`: `Ok(None)` when the host supplied no source (not
    /// checked); a source without the list is `Policy` when status is required.
    fn fetch(&self, uri: &str, expect: &Expectations) -> Result<Option<FetchedStatusList>> {
        let fetched = expect
            .status_lists
            .as_ref()
            .and_then(|source| source.fetch(uri, expect.now));
        if fetched.is_none() && self.policy.requires_status() {
            return Err(policy(format!(
                "no status list was supplied for {}",
                crate::crypto::clip(uri)
            )));
        }
        Ok(fetched)
    }

    /// Turns what was learned into the status, or the error the policy asks for.
    fn decide(
        &self,
        reference: StatusReference,
        outcome: Result<Option<Result<Reading>>>,
    ) -> Result<Status> {
        let reading = match outcome {
            Ok(None) => return Ok(Status::NotChecked(reference)),
            Ok(Some(Ok(r))) => Ok(r),
            Ok(Some(Err(e))) | Err(e) => Err(e),
        };
        let undetermined = |e: Error| -> Result<Status> {
            if self.policy.accepts_undetermined_status() {
                Ok(Status::Undetermined(
                    reference.clone(),
                    e.message().to_owned(),
                ))
            } else {
                Err(Error::new(e.kind(), format!("status: {}", e.message())))
            }
        };
        match reading {
            Ok(Reading::Valid) => Ok(Status::Valid(reference)),
            Ok(Reading::Revoked) => Err(Error::new(
                ErrorKind::Revoked,
                "status: the issuer's status list says the credential is revoked",
            )),
            Ok(Reading::Suspended) => Err(Error::new(
                ErrorKind::Suspended,
                "status: the issuer's status list says the credential is suspended",
            )),
            Ok(Reading::Application(v)) if self.policy.accepts_application_status() => {
                Ok(Status::ApplicationSpecific(reference, v))
            }
            Ok(Reading::Application(v)) => Err(policy(format!(
                "status: the list gives the application-specific value {v:#04x}, which the policy does not accept"
            ))),
            Ok(Reading::Reserved(v)) => {
                undetermined(policy(format!("the list gives the reserved value {v:#04x}")))
            }
            Err(e) => undetermined(e),
        }
    }

    /// A Token Status List (JWT or CWT) for a JOSE / COSE credential.
    fn token_value(
        &self,
        fetched: &FetchedStatusList,
        uri: &str,
        idx: u64,
        signer: &ListSigner<'_>,
        now: UnixTime,
    ) -> Result<Reading> {
        let claims = match core::str::from_utf8(&fetched.bytes) {
            Ok(text) if text.trim_start().starts_with("ey") => {
                let jwt = UnverifiedStatusListJwt::parse(text.trim())?;
                let jws = jwt.jws();
                let hints = KeyHints {
                    alg: jws.alg(),
                    kid: jws.kid(),
                    x5c: jws.x5c()?,
                };
                let keys = self.list_keys(&hints, signer, now)?;
                let _checked = first_ok(&keys, |k| jws.verify(k))?;
                jwt.claims().clone()
            }
            _ => {
                let cwt = UnverifiedStatusListCwt::parse(&fetched.bytes)?;
                let sign1 = cwt.sign1().ok_or_else(|| {
                    crate::error::unsupported(
                        "a MAC-secured status list needs a shared key this verifier does not have",
                    )
                })?;
                let kid = sign1.kid().and_then(|k| core::str::from_utf8(k).ok());
                let hints = KeyHints {
                    alg: sign1.alg(),
                    kid,
                    x5c: sign1.x5chain()?,
                };
                let keys = self.list_keys(&hints, signer, now)?;
                let _checked = first_ok(&keys, |k| sign1.verify(k, b"", None))?;
                cwt.claims().clone()
            }
        };
        self.check_list_times(
            claims.sub(),
            uri,
            claims.iat(),
            claims.exp(),
            claims.ttl(),
            fetched,
            now,
        )?;
        Ok(reading_of(claims.list().get(idx)?))
    }

    /// An mdoc's status list: a CWT, signed by a certificate chaining to the
    /// document signer's IACA (the reference's `certificate`, else the list's
    /// `x5chain`).
    fn mdoc_token_value(
        &self,
        fetched: &FetchedStatusList,
        uri: &str,
        idx: u64,
        certificate: Option<&[u8]>,
        iaca_der: &[u8],
        now: UnixTime,
    ) -> Result<Reading> {
        let cwt = UnverifiedStatusListCwt::parse(&fetched.bytes)
            .map_err(|e| e.context("an mdoc status list must be a CWT"))?;
        let sign1 = cwt
            .sign1()
            .ok_or_else(|| crate::error::unsupported("a MAC-secured status list"))?;
        let chain = match certificate {
            Some(c) => vec![c.to_vec()],
            None => sign1
                .x5chain()?
                .ok_or_else(|| untrusted("the status list carries no certificate"))?,
        };
        let key = self.trust.mdoc_status_list_key(&chain, iaca_der, now)?;
        let _checked = sign1.verify(&key, b"", None)?;
        let c = cwt.claims();
        self.check_list_times(c.sub(), uri, c.iat(), c.exp(), c.ttl(), fetched, now)?;
        Ok(reading_of(c.list().get(idx)?))
    }

    /// An ISO 18013-5 identifier list: listed means revoked.
    fn identifier_value(
        &self,
        fetched: &FetchedStatusList,
        reference: &IdentifierListRef,
        signer: &ListSigner<'_>,
        now: UnixTime,
    ) -> Result<Reading> {
        let ListSigner::Iaca { iaca_der } = signer else {
            return Err(crate::error::unsupported(
                "identifier lists are defined for mdoc only",
            ));
        };
        let idl = UnverifiedIdentifierListCwt::parse(&fetched.bytes)?;
        let sign1 = idl
            .sign1()
            .ok_or_else(|| crate::error::unsupported("a MAC-secured identifier list"))?;
        let chain = match reference.certificate() {
            Some(c) => vec![c.to_vec()],
            None => sign1
                .x5chain()?
                .ok_or_else(|| untrusted("the identifier list carries no certificate"))?,
        };
        let key = self.trust.mdoc_status_list_key(&chain, iaca_der, now)?;
        let _checked = sign1.verify(&key, b"", None)?;
        let c = idl.claims();
        self.check_list_times(
            c.sub(),
            reference.uri(),
            c.iat(),
            Some(c.exp()),
            c.ttl(),
            fetched,
            now,
        )?;
        Ok(if c.contains(reference.id()) {
            Reading::Revoked
        } else {
            Reading::Valid
        })
    }

    /// A W3C BitstringStatusListCredential: verified as a credential of the
    /// same issuer (any of the project's W3C securings), its `id` the entry's
    /// `statusListCredential`, fresh, then the entry's value by purpose.
    fn bitstring_value(
        &self,
        fetched: &FetchedStatusList,
        entry: &BitstringStatusEntry,
        issuer_id: &str,
        now: UnixTime,
    ) -> Result<Reading> {
        // the list credential is verified without status lists of its own
        // (no recursion) and without holder binding (it is a bearer document)
        let r = self
            .verify(&fetched.bytes, &Expectations::at(now))
            .map_err(|e| e.context("the status list credential"))?;
        if !matches!(
            r.format(),
            CredentialFormat::VcJwt
                | CredentialFormat::VcSdJwt
                | CredentialFormat::VcCose
                | CredentialFormat::VcDataIntegrity
        ) {
            return Err(malformed(
                "a Bitstring status list must be a W3C credential",
            ));
        }
        if r.issuer().id() != issuer_id {
            return Err(untrusted(
                "the status list credential was issued by another issuer than the credential",
            ));
        }
        let claims = r
            .claims()
            .as_object()
            .ok_or_else(|| malformed("the status list credential is not an object"))?;
        let list = crate::status::BitstringStatusList::from_credential(claims)?;
        if list.credential_id() != Some(entry.list_credential()) {
            return Err(untrusted(
                "the status list credential's id is not the entry's statusListCredential",
            ));
        }
        if let Some(ttl_ms) = list.ttl_millis() {
            let until_ms = fetched
                .fetched_at
                .as_secs()
                .saturating_mul(1000)
                .saturating_add(ttl_ms);
            if now.as_secs().saturating_mul(1000) >= until_ms {
                return Err(crate::error::expired(
                    "the status list credential is older than its ttl",
                ));
            }
        }
        let v = list.value(entry)?;
        Ok(match (entry.purpose(), v) {
            (_, 0) => Reading::Valid,
            ("revocation", _) => Reading::Revoked,
            ("suspension", _) => Reading::Suspended,
            (_, v) => Reading::Application(v),
        })
    }

    /// `sub` is the reference's URI; `iat`, `exp` and `ttl` hold at `now`.
    #[allow(clippy::too_many_arguments)]
    fn check_list_times(
        &self,
        sub: &str,
        uri: &str,
        iat: u64,
        exp: Option<u64>,
        ttl: Option<u64>,
        fetched: &FetchedStatusList,
        now: UnixTime,
    ) -> Result<()> {
        if sub != uri {
            return Err(untrusted(format!(
                "the status list is published for {}, not for the credential's {}",
                crate::crypto::clip(sub),
                crate::crypto::clip(uri)
            )));
        }
        let (t, skew) = (now.as_secs(), self.policy.skew());
        if iat > t.saturating_add(skew) {
            return Err(crate::error::not_yet_valid(
                "the status list was issued in the future",
            ));
        }
        if let Some(exp) = exp {
            if t >= exp.saturating_add(skew) {
                return Err(crate::error::expired(format!(
                    "the status list expired at {exp}"
                )));
            }
        }
        if let Some(ttl) = ttl {
            let until = fetched.fetched_at.as_secs().saturating_add(ttl);
            if t >= until {
                return Err(crate::error::expired(format!(
                    "the status list is stale: fetched at {}, ttl {ttl} s",
                    fetched.fetched_at.as_secs()
                )));
            }
        }
        Ok(())
    }

    fn list_keys(
        &self,
        hints: &KeyHints<'_>,
        signer: &ListSigner<'_>,
        now: UnixTime,
    ) -> Result<Vec<PublicKey>> {
        match signer {
            ListSigner::Issuer { issuer_id, key } => {
                self.trust.status_list_keys(hints, issuer_id, key, now)
            }
            ListSigner::Iaca { iaca_der } => {
                let chain = hints
                    .x5c
                    .as_deref()
                    .ok_or_else(|| untrusted("the status list carries no certificate"))?;
                Ok(vec![self
                    .trust
                    .mdoc_status_list_key(chain, iaca_der, now)?])
            }
        }
    }
}

fn first_ok<P>(keys: &[PublicKey], check: impl Fn(&PublicKey) -> Result<P>) -> Result<P> {
    let mut first = None;
    for k in keys {
        match check(k) {
            Ok(p) => return Ok(p),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| untrusted("no key is trusted to sign the status list"))).map_err(
        |e| {
            if e.kind() == ErrorKind::Signature {
                untrusted(format!(
                "the status list is not signed by a key trusted for the credential's issuer ({})",
                e.message()
            ))
            } else {
                e
            }
        },
    )
}
