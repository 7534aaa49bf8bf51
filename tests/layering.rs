//! The folder tree is the architecture: a room may only `use crate::` rooms
//! below it (DESIGN.md). This fails on an upward import.

use crate::common::root;

const BASE: &[&str] = &["error", "limits", "time"];
const ENVELOPES: &[&str] = &[
    "sd_jwt",
    "cose",
    "data_integrity",
    "jose",
    "x509",
    "crypto",
    "encoding",
];
// `store` sits at the decisions level but only roles may use it: no decision or
// format room lists it among the rooms it may import.
const DECISIONS: &[&str] = &["trust", "status", "policy", "formats", "store"];

/// Each room and the rooms it may import (besides error, limits, time).
fn allowed(room: &str) -> Vec<&'static str> {
    let below: &[&[&str]] = match room {
        "encoding" => &[],
        "crypto" => &[&["encoding"]],
        "jose" => &[&["crypto", "encoding"]],
        "x509" => &[&["crypto", "encoding"]],
        "sd_jwt" | "cose" | "data_integrity" => &[&["jose", "crypto", "encoding"]],
        "formats" => &[ENVELOPES],
        "trust" | "status" | "policy" => &[ENVELOPES, &["formats"]],
        "store" => &[ENVELOPES],
        // DCQL sits beside the roles: it matches what the wallet holds and
        // checks what the verifier verified
        "dcql" => &[ENVELOPES, DECISIONS, &["verifier", "wallet"]],
        // the holder's wallet service: store + verifier + DCQL
        "holder" => &[ENVELOPES, DECISIONS, &["verifier", "wallet", "dcql"]],
        _ => &[ENVELOPES, DECISIONS],
    };
    let mut v: Vec<&'static str> = BASE.to_vec();
    for b in below {
        v.extend_from_slice(b);
    }
    v
}

const ROOMS: &[&str] = &[
    "encoding",
    "crypto",
    "jose",
    "x509",
    "sd_jwt",
    "cose",
    "data_integrity",
    "formats",
    "trust",
    "status",
    "policy",
    "store",
    "verifier",
    "issuer",
    "wallet",
    "dcql",
    "holder",
];

fn rs_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs")
            // unit tests may use higher rooms to build their fixtures
            && !p.file_name().is_some_and(|n| n == "tests.rs" || n.to_string_lossy().ends_with("_tests.rs"))
        {
            out.push(p);
        }
    }
}

#[test]
fn no_upward_imports() {
    let src = root().join("src");
    let mut violations = Vec::new();
    for room in ROOMS {
        let allowed = allowed(room);
        let mut files = Vec::new();
        rs_files(&src.join(room), &mut files);
        assert!(!files.is_empty(), "room {room} has no files");
        let room = *room;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                let mut rest = line;
                while let Some(at) = rest.find("crate::") {
                    rest = &rest[at + 7..];
                    let target: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    // items re-exported at the crate root are named by type, not room; allow
                    // only rooms below, the room itself, and shared files
                    let is_room = target.chars().next().is_some_and(|c| c.is_lowercase());
                    if is_room && target != room && !allowed.contains(&target.as_str()) {
                        violations.push(format!(
                            "{}:{}: {room} uses crate::{target}",
                            f.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

#[test]
fn unsafe_is_forbidden_in_the_core() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    assert!(lib.contains("#![forbid(unsafe_code)]"));
}
