//! The reasons behind the checks, kept beside the code (as rustls keeps its
//! `manual` module): read these before changing what a result reports.
//!
//! - [`architecture`]: the rooms of `src/`, which may import which, and where
//!   each check lives.
//! - [`threat_model`]: for every fact a result reports, who vouched for it and
//!   which check proved it.
//! - [`rules`]: the hostile inputs the tests cite by rule ID, with their
//!   outcome, reference and covering tests.
//! - [`cli`]: the `passerelle` command-line contract that interop harnesses
//!   drive.

#[doc = include_str!("../docs/architecture.md")]
pub mod architecture {}

#[doc = include_str!("../docs/threat-model.md")]
pub mod threat_model {}

#[doc = include_str!("../docs/rules.md")]
pub mod rules {}

#[doc = include_str!("../docs/cli.md")]
pub mod cli {}
