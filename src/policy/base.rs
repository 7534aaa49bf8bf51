/// What a verifier requires beyond the format rules.
///
/// ```
/// let p = passerelle::Policy::default().require_holder_binding(true).clock_skew_secs(0);
/// assert!(p.requires_holder_binding());
/// ```
#[derive(Clone, Debug)]
pub struct Policy {
    recognition: super::Recognition,
    require_holder_binding: bool,
    clock_skew: u64,
    kb_max_age: u64,
    allow_legacy_typ: bool,
    accredited_at_issuance: bool,
    require_status: bool,
    accept_undetermined_status: bool,
    accept_application_status: bool,
}

impl Default for Policy {
    /// No holder binding required; 30 s clock skew; a KB-JWT may be 300 s old;
    /// the legacy `vc+sd-jwt` typ is refused for SD-JWT VC.
    fn default() -> Self {
        Policy {
            recognition: super::Recognition::default(),
            require_holder_binding: false,
            clock_skew: 30,
            kb_max_age: 300,
            allow_legacy_typ: false,
            accredited_at_issuance: false,
            require_status: false,
            accept_undetermined_status: false,
            accept_application_status: false,
        }
    }
}

/// Largest clock skew or KB-JWT age a policy file may set, in seconds (a day):
/// anything larger is a mistake, not a tolerance.
const MAX_POLICY_SECS: u64 = 86_400;

impl Policy {
    /// Reads a policy file with the strict JSON reader of the trust file
    /// (duplicate members, trailing data and bad UTF-8 refused):
    /// `{"require_holder_binding": bool, "allow_legacy_typ": bool,
    /// "accept_accreditation_at_issuance": bool, "require_status": bool,
    /// "accept_undetermined_status": bool, "accept_application_specific_status":
    /// bool, "clock_skew_secs": n,
    /// "kb_max_age_secs": n, "accept": [clause…], "require_attributes": […]}`
    /// (clauses as in [`Recognition`](super::Recognition)). Numbers are whole
    /// seconds from 0 to 86 400; a negative, fractional or larger number, an
    /// unknown member or a member of the wrong type is `Malformed`.
    ///
    /// ```
    /// let p = passerelle::Policy::from_json(r#"{"require_holder_binding": true, "clock_skew_secs": 5}"#)?;
    /// assert!(p.requires_holder_binding());
    /// assert!(passerelle::Policy::from_json(r#"{"clock_skew_secs": -1}"#).is_err());
    /// assert!(passerelle::Policy::from_json(r#"{"clock_skew_secs": 1, "clock_skew_secs": 2}"#).is_err());
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Self> {
        use crate::error::malformed;
        use serde_json::Value;
        let o = crate::encoding::parse_json_object(text.as_bytes(), "policy")?;
        let mut p = Policy::default();
        if o.contains_key("accept") || o.contains_key("require_attributes") {
            p = p.recognition(super::Recognition::from_object(&o)?);
        }
        let secs = |k: &str, v: &Value| -> crate::Result<u64> {
            v.as_u64().filter(|n| *n <= MAX_POLICY_SECS).ok_or_else(|| {
                malformed(format!(
                    "policy: {k} must be a whole number of seconds from 0 to {MAX_POLICY_SECS}"
                ))
            })
        };
        for (k, v) in &o {
            p = match (k.as_str(), v) {
                ("accept" | "require_attributes", _) => p,
                ("require_holder_binding", Value::Bool(b)) => p.require_holder_binding(*b),
                ("allow_legacy_typ", Value::Bool(b)) => p.allow_legacy_typ(*b),
                ("accept_accreditation_at_issuance", Value::Bool(b)) => {
                    p.accept_accreditation_at_issuance(*b)
                }
                ("require_status", Value::Bool(b)) => p.require_status(*b),
                ("accept_undetermined_status", Value::Bool(b)) => p.accept_undetermined_status(*b),
                ("accept_application_specific_status", Value::Bool(b)) => {
                    p.accept_application_specific_status(*b)
                }
                ("clock_skew_secs", n) => p.clock_skew_secs(secs(k, n)?),
                ("kb_max_age_secs", n) => p.kb_max_age_secs(secs(k, n)?),
                _ => {
                    return Err(malformed(format!(
                        "policy: unknown or mistyped member {k:?}"
                    )))
                }
            };
        }
        Ok(p)
    }

    /// Require a Key Binding JWT (holder binding). Whether one is required comes
    /// from here, never from whether the presentation carries one.
    pub fn require_holder_binding(mut self, yes: bool) -> Self {
        self.require_holder_binding = yes;
        self
    }

    /// Tolerated clock difference in seconds for `exp`, `nbf`, `iat`. A credential
    /// is expired when `now >= exp + skew`.
    pub fn clock_skew_secs(mut self, secs: u64) -> Self {
        self.clock_skew = secs;
        self
    }

    /// Oldest acceptable KB-JWT `iat`, in seconds before now.
    pub fn kb_max_age_secs(mut self, secs: u64) -> Self {
        self.kb_max_age = secs;
        self
    }

    /// Accept the legacy `vc+sd-jwt` header on an SD-JWT VC payload (one with
    /// `vct` and no `@context`). A compatibility option, weaker than the default.
    pub fn allow_legacy_typ(mut self, yes: bool) -> Self {
        self.allow_legacy_typ = yes;
        self
    }

    /// Judge a registry accreditation at the credential's issuance time (its
    /// issuer-signed, always-visible `iat`, `validFrom`, or the MSO's
    /// `signed`) instead of at the verification time, so that a credential
    /// issued while an accreditation that has since ended was valid is still
    /// accepted. **Weaker than the default**: it trusts the issuer's clock
    /// (an issuer whose accreditation ended can back-date). Without an
    /// always-visible issuance time the verification time is used.
    pub fn accept_accreditation_at_issuance(mut self, yes: bool) -> Self {
        self.accredited_at_issuance = yes;
        self
    }

    /// Require the status of a credential that names a status list: a
    /// reference whose list the host did not supply fails (`Policy`, status
    /// undetermined) instead of being reported `not_checked`.
    pub fn require_status(mut self, yes: bool) -> Self {
        self.require_status = yes;
        self
    }

    /// Accept a credential whose status could not be learned (list missing
    /// while required, stale, expired, untrusted, undecodable): it is reported
    /// `undetermined` with the reason instead of failing. **Weaker than the
    /// default**; a revoked or suspended credential still fails.
    pub fn accept_undetermined_status(mut self, yes: bool) -> Self {
        self.accept_undetermined_status = yes;
        self
    }

    /// Accept the application-specific Token Status List values (3,
    /// 0x0C–0x0F) instead of failing with `Policy`; the result reports the value.
    pub fn accept_application_specific_status(mut self, yes: bool) -> Self {
        self.accept_application_status = yes;
        self
    }

    pub(crate) fn requires_status(&self) -> bool {
        self.require_status
    }

    pub(crate) fn accepts_undetermined_status(&self) -> bool {
        self.accept_undetermined_status
    }

    pub(crate) fn accepts_application_status(&self) -> bool {
        self.accept_application_status
    }

    pub(crate) fn accreditation_at_issuance(&self) -> bool {
        self.accredited_at_issuance
    }

    /// Accept only credentials that meet one clause of `recognition` and
    /// disclose the attributes it requires.
    pub fn recognition(mut self, recognition: super::Recognition) -> Self {
        self.recognition = recognition;
        self
    }

    pub(crate) fn recognition_rules(&self) -> &super::Recognition {
        &self.recognition
    }

    /// Whether holder binding is required.
    pub fn requires_holder_binding(&self) -> bool {
        self.require_holder_binding
    }

    pub(crate) fn skew(&self) -> u64 {
        self.clock_skew
    }

    pub(crate) fn kb_max_age(&self) -> u64 {
        self.kb_max_age
    }

    pub(crate) fn legacy_typ_allowed(&self) -> bool {
        self.allow_legacy_typ
    }
}
