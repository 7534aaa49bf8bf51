//! Trust decisions: which keys, certificates and identifiers vouch for an issuer.

pub(crate) mod x509;
