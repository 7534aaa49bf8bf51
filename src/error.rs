//! The one error type of passerelle.
//!
//! Every failure is an [`Error`] with a small [`ErrorKind`] a verifier UI can act on,
//! and a precise message for logs. Messages never carry secrets and, for signature
//! failures, carry no detail that could serve as an oracle.

use core::fmt;

/// What went wrong, at the granularity a relying party can act on.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input does not follow the format (raised by parsing rooms).
    Malformed,
    /// A well-formed input uses an algorithm, parameter or feature we do not support.
    Unsupported,
    /// A signature or MAC does not verify.
    Signature,
    /// The issuer or key is not vouched for by the configured trust.
    Untrusted,
    /// The credential (or a certificate) is past its validity.
    Expired,
    /// The credential (or a certificate) is not valid yet.
    NotYetValid,
    /// The status list says the credential is revoked.
    Revoked,
    /// The status list says the credential is suspended.
    Suspended,
    /// The proof of possession by the holder is missing or wrong.
    HolderBinding,
    /// The relying party's or issuer's policy refuses the input.
    Policy,
    /// The wallet store failed.
    Storage,
    /// A named limit of [`crate::limits`] was exceeded.
    LimitExceeded,
    /// The caller used the API wrongly (a bad argument, not bad input).
    ApiMisuse,
}

impl ErrorKind {
    /// The stable snake_case name used in JSON output and by the C ABI.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Signature => "signature",
            ErrorKind::Untrusted => "untrusted",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::Revoked => "revoked",
            ErrorKind::Suspended => "suspended",
            ErrorKind::HolderBinding => "holder_binding",
            ErrorKind::Policy => "policy",
            ErrorKind::Storage => "storage",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::ApiMisuse => "api_misuse",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error: a kind and a precise, human-readable message.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// Makes an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The precise message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How far a check got before this error, for choosing among
    /// alternatives that all failed (candidate keys, the signatures of a JWS
    /// JSON serialization): a signature that failed under a trusted key says
    /// more than a key nobody trusts, which says more than an unsupported or
    /// malformed alternative. The verifier reports the most specific error on
    /// purpose, as rustls-webpki ranks its path-building errors, not the
    /// first it happened to meet.
    pub(crate) fn specificity(&self) -> u8 {
        match self.kind {
            ErrorKind::Signature => 6,
            ErrorKind::Expired
            | ErrorKind::NotYetValid
            | ErrorKind::Revoked
            | ErrorKind::Suspended => 5,
            ErrorKind::HolderBinding | ErrorKind::Policy => 4,
            ErrorKind::Untrusted => 3,
            ErrorKind::LimitExceeded => 2,
            ErrorKind::Unsupported => 1,
            ErrorKind::Malformed | ErrorKind::Storage | ErrorKind::ApiMisuse => 0,
        }
    }

    /// The more specific of `kept` and `other` ([`specificity`](Self::specificity));
    /// on a tie, `kept` (the earlier one).
    pub(crate) fn most_specific(kept: Option<Error>, other: Error) -> Error {
        match kept {
            Some(k) if k.specificity() >= other.specificity() => k,
            _ => other,
        }
    }

    /// Prefixes the message with context, keeping the kind.
    pub(crate) fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.kind, self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;

macro_rules! ctor {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(
            #[inline]
            pub(crate) fn $name(message: impl Into<String>) -> Error {
                Error::new(ErrorKind::$kind, message)
            }
        )*
    };
}

ctor! {
    malformed => Malformed,
    unsupported => Unsupported,
    signature => Signature,
    untrusted => Untrusted,
    expired => Expired,
    not_yet_valid => NotYetValid,
    holder_binding => HolderBinding,
    policy => Policy,
    limit => LimitExceeded,
    misuse => ApiMisuse,
}
