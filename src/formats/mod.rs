//! Credential formats: each parses, builds and checks its own rules.

pub(crate) mod mdoc;
pub(crate) mod profile;
pub(crate) mod sd_jwt_vc;
pub(crate) mod w3c_vc;
