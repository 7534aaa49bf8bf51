//! The folder tree is the architecture: a room may only import rooms below it
//! (DESIGN.md; the table is in `docs/architecture.md`). This fails on an upward
//! import, however it is spelled: `use crate::room::…`, a use-group
//! `use crate::{a::X, room::{Y, Z}}` over several lines, a path written inline,
//! a `super::super::room` chain that climbs out of the room, or a crate-root
//! re-export (`crate::Verifier`) that names an item of a higher room. Below the
//! roles, crate-root re-exports are refused altogether (except the base items:
//! `crate::Result`, `crate::Error`, `crate::UnixTime`, …): a format or a decision
//! names the room it depends on. The planted imports at the end show that each
//! spelling is caught.

use crate::common::root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rooms every room may use.
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
/// The roles and the rooms beside them; below them, crate-root re-exports
/// are refused.
const ROLES: &[&str] = &["verifier", "issuer", "wallet", "dcql", "holder"];
/// Modules of `lib.rs` that are not rooms of the layer table: the base, the
/// docs, and the fuzzers' entries (compiled only under `cfg(fuzzing)` or for
/// the tests, allowed to reach everything they fuzz).
const NOT_ROOMS: &[&str] = &["error", "limits", "time", "manual", "internal", "examples"];

/// Each room and the rooms it may import (besides error, limits, time).
fn allowed(room: &str) -> Option<Vec<&'static str>> {
    let below: &[&[&str]] = match room {
        "encoding" => &[],
        "crypto" => &[&["encoding"]],
        "jose" => &[&["crypto", "encoding"]],
        "x509" => &[&["crypto", "encoding"]],
        "sd_jwt" | "cose" | "data_integrity" => &[&["jose", "crypto", "encoding"]],
        "formats" => &[ENVELOPES],
        "trust" | "status" | "policy" => &[ENVELOPES, &["formats"]],
        "store" => &[ENVELOPES],
        "verifier" | "issuer" | "wallet" => &[ENVELOPES, DECISIONS],
        // DCQL sits beside the roles: it matches what the wallet holds and
        // checks what the verifier verified
        "dcql" => &[ENVELOPES, DECISIONS, &["verifier", "wallet"]],
        // the holder's wallet service: store + verifier + DCQL
        "holder" => &[ENVELOPES, DECISIONS, &["verifier", "wallet", "dcql"]],
        _ => return None,
    };
    let mut v: Vec<&'static str> = BASE.to_vec();
    for b in below {
        v.extend_from_slice(b);
    }
    Some(v)
}

/// Rust source with comments, string and character literals blanked out, so
/// a doc link or a message naming `crate::Verifier` is not an import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let mut depth = 0usize;
            while i < b.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            let end = text[body..]
                .find(&close)
                .map_or(b.len(), |n| body + n + close.len());
            out.extend(text[i..end].chars().filter(|c| *c == '\n'));
            out.push_str("\"\"");
            i = end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // a character literal ('x', '\n', '"'); a lifetime has no closing quote
            let lit = if b.get(i + 1) == Some(&b'\\') {
                text[i + 2..].find('\'').map(|n| i + 2 + n + 1)
            } else {
                let c = rest[1..].chars().next();
                c.and_then(|c| {
                    let after = i + 1 + c.len_utf8();
                    (b.get(after) == Some(&b'\'')).then_some(after + 1)
                })
            };
            match lit {
                Some(end) => {
                    out.push_str("' '");
                    i = end;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn raw_string_start(s: &str) -> Option<usize> {
    let r = s.strip_prefix('r').or_else(|| s.strip_prefix("br"))?;
    let hashes = r.bytes().take_while(|b| *b == b'#').count();
    let prefix = s.len() - r.len();
    (r.as_bytes().get(hashes) == Some(&b'"')).then_some(hashes + prefix - 1)
}

fn ident(s: &str) -> &str {
    let n = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..n]
}

/// The first segment of each item of a use-group body (`a::X, b::{Y, Z}, W`),
/// with nested groups kept to their first segment.
fn group_heads(body: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(ident(body[start..i].trim()).to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    heads.push(ident(body[start..].trim()).to_string());
    heads.retain(|h| !h.is_empty() && h != "self");
    heads
}

/// What follows `crate::` at `at`: the names it reaches at the crate root
/// (one, or a use-group's heads).
fn crate_targets(code: &str, at: usize) -> Vec<String> {
    let rest = code[at..].trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let end = group
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(group.len(), |(i, _)| i);
        group_heads(&group[..end])
    } else {
        vec![ident(rest).to_string()]
    }
}

/// The module path of a file inside `src/` (`formats/mdoc/cbor.rs` →
/// `formats::mdoc::cbor`; `mod.rs` names its folder).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// Crate-root names re-exported by `lib.rs` and the room each comes from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut map = BTreeMap::new();
    for stmt in code.split(';') {
        let s = stmt.trim();
        let s = s.rsplit(']').next().unwrap_or(s).trim();
        let Some(path) = s.strip_prefix("pub use ") else {
            continue;
        };
        let room = ident(path.trim()).to_string();
        let names: Vec<String> = match (path.find('{'), path.rfind('}')) {
            (Some(a), Some(b)) => path[a + 1..b]
                .split(',')
                .map(|n| n.trim().to_string())
                .collect(),
            _ => vec![path.rsplit("::").next().unwrap_or(path).trim().to_string()],
        };
        for n in names.into_iter().filter(|n| !n.is_empty()) {
            let name = n.rsplit(" as ").next().unwrap_or(&n).trim().to_string();
            map.insert(name, room.clone());
        }
    }
    map
}

/// The modules `lib.rs` declares.
fn lib_modules(lib: &str) -> Vec<String> {
    let code = code_only(lib);
    code.split(';')
        .filter_map(|stmt| {
            let s = stmt.trim();
            let s = s.rsplit(']').next().unwrap_or(s).trim();
            let s = s.strip_prefix("pub ").unwrap_or(s);
            s.strip_prefix("mod ").map(|m| m.trim().to_string())
        })
        .collect()
}

struct Tree {
    rooms: Vec<String>,
    reexports: BTreeMap<String, String>,
}

/// The violations in one file of `room`, at module path `module`.
fn violations_in(tree: &Tree, room: &str, module: &[String], text: &str) -> Vec<String> {
    let allowed = allowed(room).unwrap_or_default();
    let below_roles = !ROLES.contains(&room);
    let code = code_only(text);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut check = |target: &str, at: usize, via: &str| {
        if target.is_empty() || target == room || target == "self" || target == "super" {
            return;
        }
        let (target_room, reexport) = if tree.rooms.iter().any(|r| r == target) {
            (target.to_string(), false)
        } else if let Some(r) = tree.reexports.get(target) {
            (r.clone(), true)
        } else {
            out.push(format!(
                "line {}: {room} uses {via}{target}, which is neither a room nor a re-export",
                line_of(at)
            ));
            return;
        };
        if reexport && below_roles && !BASE.contains(&target_room.as_str()) {
            out.push(format!(
                "line {}: {room} uses the crate-root re-export {via}{target} (from {target_room}): \
                 below the roles, name the room",
                line_of(at)
            ));
        } else if target_room != room && !allowed.contains(&target_room.as_str()) {
            out.push(format!(
                "line {}: {room} uses {via}{target} (room {target_room}, not below it)",
                line_of(at)
            ));
        }
    };
    // crate::…, crate::{…}
    let mut from = 0;
    while let Some(n) = code[from..].find("crate::") {
        let at = from + n;
        from = at + 7;
        let preceded = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if preceded {
            continue;
        }
        for t in crate_targets(&code, from) {
            check(&t, at, "crate::");
        }
    }
    // super::super::… climbing to the crate root (inline `mod x { … }` blocks
    // add a level)
    let inline = inline_module_depths(&code);
    let mut from = 0;
    while let Some(n) = code[from..].find("super::") {
        let at = from + n;
        let mut rest = &code[at..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r.trim_start();
        }
        from = at + 7 * ups;
        if ups >= module.len() + inline[at] {
            let targets = if let Some(g) = rest.strip_prefix('{') {
                crate_targets(&format!("{{{g}"), 0)
            } else {
                vec![ident(rest).to_string()]
            };
            for t in targets {
                check(&t, at, "super::…::");
            }
        }
    }
    out
}

/// For each byte of `code`, how many inline `mod name { … }` blocks enclose it.
fn inline_module_depths(code: &str) -> Vec<usize> {
    let mut depths = vec![0; code.len() + 1];
    let mut braces = 0usize;
    let mut open: Vec<usize> = Vec::new();
    let b = code.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'{' => {
                braces += 1;
                let before = code[..i].trim_end();
                let name_start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |n| n + 1);
                let head = before[..name_start].trim_end();
                let is_mod = head.ends_with("mod")
                    && !head[..head.len() - 3]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if is_mod && name_start < before.len() {
                    open.push(braces);
                }
            }
            b'}' => {
                if open.last() == Some(&braces) {
                    open.pop();
                }
                braces = braces.saturating_sub(1);
            }
            _ => {}
        }
        depths[i] = open.len();
    }
    depths
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
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

fn tree() -> Tree {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let rooms = lib_modules(&lib);
    Tree {
        reexports: root_reexports(&lib),
        rooms,
    }
}

#[test]
fn every_module_of_lib_rs_is_ranked() {
    let t = tree();
    assert!(
        t.rooms.len() > 15,
        "lib.rs modules not found: {:?}",
        t.rooms
    );
    for m in &t.rooms {
        assert!(
            allowed(m).is_some() || NOT_ROOMS.contains(&m.as_str()),
            "module {m} of lib.rs has no place in the layer table"
        );
    }
    // every re-export resolves to a module lib.rs declares
    assert!(t.reexports.len() > 50);
    for (name, room) in &t.reexports {
        assert!(
            t.rooms.contains(room),
            "{name} re-exported from unknown {room}"
        );
    }
    assert_eq!(
        t.reexports.get("Verifier").map(String::as_str),
        Some("verifier")
    );
    assert_eq!(
        t.reexports.get("eu_pid_example"),
        None,
        "demo fixtures live in examples"
    );
}

#[test]
fn no_upward_imports() {
    let t = tree();
    let src = root().join("src");
    let mut violations = Vec::new();
    let mut files_seen = 0;
    for room in t.rooms.iter().filter(|r| allowed(r).is_some()) {
        let dir = src.join(room);
        let mut files = Vec::new();
        if dir.is_dir() {
            rs_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{room}.rs")));
        }
        assert!(!files.is_empty(), "room {room} has no files");
        for f in files {
            files_seen += 1;
            let text = std::fs::read_to_string(&f).unwrap();
            let module = module_path(f.strip_prefix(&src).unwrap());
            for v in violations_in(&t, room, &module, &text) {
                violations.push(format!("{}: {v}", f.display()));
            }
        }
    }
    assert!(files_seen > 60, "only {files_seen} files read");
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

/// A planted upward import in each spelling is reported; the same text in a
/// comment, a doc link or a string is not.
#[test]
fn planted_upward_imports_are_caught() {
    let t = tree();
    let m = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
    let caught = |room: &str, module: &str, text: &str| {
        !violations_in(&t, room, &m(module), text).is_empty()
    };
    // a plain path, a group, a nested group across lines, an inline path
    assert!(caught(
        "formats",
        "formats::mdoc",
        "use crate::verifier::Verifier;"
    ));
    assert!(caught(
        "formats",
        "formats",
        "use crate::{error::Error, verifier::Verifier};"
    ));
    assert!(caught(
        "trust",
        "trust::did",
        "use crate::{\n    encoding::json,\n    issuer::{\n        VcIssuer,\n    },\n};"
    ));
    assert!(caught(
        "crypto",
        "crypto::keys",
        "fn f() { let _ = crate::jose::parse(x); }"
    ));
    // a crate-root re-export naming a higher room's item, and one below the
    // roles naming even a lower room's item
    assert!(caught("formats", "formats", "use crate::Verifier;"));
    assert!(caught(
        "formats",
        "formats",
        "use crate::{Result, TrustStore};"
    ));
    assert!(caught("trust", "trust", "use crate::PublicKey;"));
    // super chains that climb out of the room
    assert!(caught(
        "formats",
        "formats::mdoc::cbor",
        "use super::super::super::verifier::X;"
    ));
    assert!(caught(
        "status",
        "status::token",
        "use super::super::{time::UnixTime, issuer::X};"
    ));
    assert!(caught(
        "status",
        "status",
        "mod a { mod b { use super::super::super::issuer::X; } }"
    ));
    // an unknown crate-root name is reported, not waved through
    assert!(caught("policy", "policy", "use crate::Nonexistent;"));
    // and the lawful spellings pass
    for (room, module, text) in [
        (
            "formats",
            "formats",
            "use crate::{error::Error, jose::Jws, Result, UnixTime};",
        ),
        (
            "verifier",
            "verifier::mdoc",
            "use crate::{Verifier, TrustStore, formats::mdoc::X};",
        ),
        (
            "formats",
            "formats::mdoc",
            "use super::cbor; use super::super::jose::Jws;",
        ),
        (
            "status",
            "status",
            "pub mod compression { pub use super::inflate::gzip; }",
        ),
        (
            "formats",
            "formats",
            "/// see [`Verifier`](crate::Verifier)\nfn a() {}",
        ),
        (
            "formats",
            "formats",
            "// crate::verifier::x\nconst S: &str = \"crate::verifier\";",
        ),
        (
            "formats",
            "formats",
            "/* crate::verifier /* nested */ crate::issuer */ fn a() {}",
        ),
        (
            "formats",
            "formats",
            "const S: &str = r#\"crate::verifier\"#; fn b<'a>(_: &'a str) {}",
        ),
        (
            "formats",
            "formats",
            "const Q: char = '\"'; use crate::jose::Jws;",
        ),
    ] {
        let v = violations_in(&t, room, &m(module), text);
        assert!(v.is_empty(), "{text}: {v:?}");
    }
}

#[test]
fn unsafe_is_forbidden_in_the_core() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    assert!(lib.contains("#![forbid(unsafe_code)]"));
}
