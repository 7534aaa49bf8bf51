//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file under `test-vectors/`.
pub fn vector(path: &str) -> String {
    let p = root().join("test-vectors").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
pub mod mdoc_forge;
