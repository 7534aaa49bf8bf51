//! passerelle
#![forbid(unsafe_code)]

mod crypto;
mod encoding;
mod error;
mod jose;
pub mod limits;
mod time;
mod trust;

pub use crypto::{Algorithm, Curve, PrivateKey, PublicKey, SecureRandom, Signer, SystemRandom};
pub use error::{Error, ErrorKind, Result};
pub use time::{Clock, FixedClock, SystemClock, UnixTime};
