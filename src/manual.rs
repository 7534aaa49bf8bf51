//! The reasons behind the checks, kept beside the code (as rustls keeps its
//! `manual` module): read these before changing what a result reports.

#[doc = include_str!("../docs/threat-model.md")]
pub mod threat_model {}
