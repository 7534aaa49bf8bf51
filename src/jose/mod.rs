//! JOSE: JWK (RFC 7517/7518, with RFC 7638 thumbprints) and compact JWS (RFC 7515)
//! over the closed algorithm set of [`crate::crypto`].
//!
//! A parsed JWS keeps the exact bytes received: the signature is checked over the
//! signing input as it arrived, never over a re-encoding.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod claims;
mod jwk;
mod jws;

pub(crate) use claims::{check_validity, numeric_date, optional_str};
pub(crate) use jwk::{public_jwk, public_key_from_jwk};
pub(crate) use jws::{sign_compact, sign_compact_with_room, typ_matches, Jws};

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
