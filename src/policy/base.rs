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
        }
    }
}

impl Policy {
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
