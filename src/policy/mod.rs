//! The relying party's verification policy: the checks it requires beyond the
//! format rules, and which credentials it recognises (mutual recognition).

mod base;
mod identity;
mod recognition;

pub use base::Policy;
pub use identity::IdentityView;
pub(crate) use identity::Layout;
pub use recognition::{Clause, Recognition};

/// The mutual-recognition data file (attribute mapping and assurance levels).
pub(crate) const RECOGNITION_MAP_JSON: &str = include_str!("recognition-map.json");

#[cfg(test)]
mod tests;
