//! `docs/rules.md` kept honest: the hostile-input rule IDs the tests cite
//! (`KB-13` in a comment or an assertion's row label, `kb_13` or `j01` in a
//! test's name) against the table that maps each ID to the tests covering it.
//!
//! - every ID cited anywhere in the test code has a row;
//! - every test a row names exists (a `#[test] fn` of that name in that file, or
//!   the C or script file itself) and cites the row's ID;
//! - an ID some test cites is not listed as "not covered";
//! - no ID has two rows.
//!
//! A citation is a whole ID (`PFX-NN`), a slash continuation (`FFI-05/06` cites
//! FFI-05 and FFI-06) or a test name's snake form (`stat_05_06_07_…`,
//! `j05_j06_…`). A range (`SIG-02..07`) is not read as citing each ID in it: a
//! file header that sums up a section is not a claim per row.

use crate::common::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The catalogue's ID prefixes (HOSTILE-INPUTS.md sections A–P).
const PREFIXES: &[&str] = &[
    "JWS", "SIG", "SD", "KB", "VC", "CBOR", "COSE", "MDOC", "STAT", "J", "TL", "DID", "M", "ENC",
    "FFI", "STORE",
];

/// The files of this checker, whose planted tables cite IDs they do not test.
const SELF: &[&str] = &["tests/rules.rs", "tests/cli_doc.rs"];

/// A test (a Rust fn, or a whole C or script file) and the IDs it cites.
#[derive(Debug, Clone)]
pub struct Unit {
    pub file: String,
    /// `None` for a file that is one test (a C program, a script).
    pub name: Option<String>,
    pub is_test: bool,
    pub ids: BTreeSet<String>,
}

/// What the test code cites: the units, and every ID cited anywhere in a test
/// region (module docs and helpers included).
#[derive(Debug, Default)]
pub struct Citations {
    pub units: Vec<Unit>,
    pub cited: BTreeSet<String>,
}

fn two_digits(b: &[u8], at: usize) -> Option<String> {
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if d(at) && d(at + 1) && !d(at + 2) {
        Some(String::from_utf8_lossy(&b[at..at + 2]).into_owned())
    } else {
        None
    }
}

/// The IDs written in `text` (`KB-13`, `FFI-05/06`), in order of appearance.
pub fn ids_in_text(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_uppercase() || (i > 0 && word(b[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_uppercase() {
            i += 1;
        }
        let prefix = &text[start..i];
        if !PREFIXES.contains(&prefix) || b.get(i) != Some(&b'-') {
            continue;
        }
        let Some(n) = two_digits(b, i + 1) else {
            continue;
        };
        out.push(format!("{prefix}-{n}"));
        i += 3;
        while b.get(i) == Some(&b'/') {
            let Some(n) = two_digits(b, i + 1) else { break };
            out.push(format!("{prefix}-{n}"));
            i += 3;
        }
    }
    out
}

/// The IDs a test's name cites: `cbor_05_…`, `stat_05_06_07_…`, `j01_j02_…`.
pub fn ids_in_name(name: &str) -> Vec<String> {
    let toks: Vec<&str> = name.split('_').collect();
    let is_nn = |t: &str| t.len() == 2 && t.bytes().all(|c| c.is_ascii_digit());
    let prefix = |t: &str| {
        let up = t.to_ascii_uppercase();
        PREFIXES.iter().find(|p| **p == up).map(|p| p.to_string())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let split = t.find(|c: char| c.is_ascii_digit()).unwrap_or(t.len());
        let (letters, digits) = t.split_at(split);
        let (p, mut j) = if digits.is_empty() && i + 1 < toks.len() && is_nn(toks[i + 1]) {
            (prefix(letters), i + 1)
        } else if is_nn(digits) {
            match prefix(letters) {
                Some(p) => {
                    out.push(format!("{p}-{digits}"));
                    (Some(p), i + 1)
                }
                None => (None, i + 1),
            }
        } else {
            (None, i + 1)
        };
        if let Some(p) = p {
            while j < toks.len() && is_nn(toks[j]) {
                out.push(format!("{p}-{}", toks[j]));
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// The name of the fn a line declares, if it declares one.
fn fn_name(line: &str) -> Option<&str> {
    let mut t = line.trim_start();
    for kw in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "async ",
        "unsafe ",
        "const ",
    ] {
        t = t.strip_prefix(kw).unwrap_or(t);
    }
    if let Some(rest) = t.strip_prefix("extern \"") {
        t = rest.split_once("\" ").map_or(rest, |(_, r)| r);
    }
    let rest = t.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The fns of a Rust file (each with its doc comments, attributes and body)
/// and the IDs cited in its test region: the whole file when `whole`, else
/// from the first `#[cfg(test)]` on.
pub fn scan_rust(file: &str, text: &str, whole: bool) -> Citations {
    let lines: Vec<&str> = text.lines().collect();
    let region = if whole {
        0
    } else {
        lines
            .iter()
            .position(|l| l.trim_start().starts_with("#[cfg(test)]"))
            .unwrap_or(lines.len())
    };
    let mut c = Citations::default();
    for l in &lines[region..] {
        c.cited.extend(ids_in_text(l));
    }
    for (at, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let mut top = at;
        while top > 0 {
            let t = lines[top - 1].trim_start();
            if t.starts_with("//") || t.starts_with("#[") {
                top -= 1;
            } else {
                break;
            }
        }
        let is_test = lines[top..at].iter().any(|l| l.trim() == "#[test]");
        let close = format!("{}}}", " ".repeat(indent(line)));
        let t = line.trim_end();
        let end = if t.ends_with('}') || t.ends_with(';') {
            at
        } else {
            (at + 1..lines.len())
                .find(|&k| lines[k].trim_end() == close)
                .unwrap_or(lines.len() - 1)
        };
        let mut ids: BTreeSet<String> = ids_in_name(name).into_iter().collect();
        if is_test || at >= region {
            c.cited.extend(ids.iter().cloned());
        }
        for l in &lines[top..=end] {
            ids.extend(ids_in_text(l));
        }
        c.units.push(Unit {
            file: file.to_string(),
            name: Some(name.to_string()),
            is_test,
            ids,
        });
    }
    c
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "target" | "node_modules" | ".venv" | "venv" | ".git") {
                walk(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

/// Every citation in the repository's test code: `tests/`, the `tests.rs` /
/// `*_tests.rs` files and `#[cfg(test)]` regions of `src/` and `ffi/src/`,
/// `ffi/tests/` (Rust and C) and `interop/` (the harness scripts).
pub fn scan_repo(root: &Path) -> Citations {
    let mut all = Citations::default();
    let mut files = Vec::new();
    for d in ["tests", "src", "ffi/src", "ffi/tests", "interop"] {
        walk(&root.join(d), &mut files);
    }
    for p in files {
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        if SELF.contains(&rel.as_str()) {
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "rs" | "c" | "h" | "py" | "js" | "mjs" | "sh") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let c = if ext == "rs" {
            let whole = rel.starts_with("tests/")
                || rel.starts_with("ffi/tests/")
                || rel.starts_with("interop/")
                || rel.ends_with("/tests.rs")
                || rel.ends_with("_tests.rs")
                || rel.contains("/tests/");
            scan_rust(&rel, &text, whole)
        } else {
            let ids: BTreeSet<String> = ids_in_text(&text).into_iter().collect();
            Citations {
                cited: ids.clone(),
                units: vec![Unit {
                    file: rel.clone(),
                    name: None,
                    is_test: true,
                    ids,
                }],
            }
        };
        all.cited.extend(c.cited);
        all.units.extend(c.units);
    }
    all
}

const TEST_FILE_EXT: &[&str] = &[".rs", ".c", ".py", ".sh", ".mjs", ".js"];

/// One row of the table: the ID, whether it sits under "Not covered", and the
/// tests its last cell names (`file::fn`, or a file). A covered row's tests
/// must cite its ID; those a "not covered" row names (tests that exercise the
/// input without citing it) must exist.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub id: String,
    pub covered: bool,
    pub tests: Vec<(String, Option<String>)>,
}

/// The rows of `docs/rules.md`: table lines whose first cell is one ID. A
/// heading starting "Not covered" switches to the uncovered rows.
pub fn parse_table(md: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut covered = true;
    for line in md.lines() {
        if let Some(h) = line.strip_prefix('#') {
            covered = !h
                .trim_start_matches('#')
                .trim()
                .to_ascii_lowercase()
                .starts_with("not covered");
            continue;
        }
        let Some(body) = line.trim().strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = body.trim_end_matches('|').split('|').collect();
        let first = cells[0].trim().trim_matches('*').trim_matches('`');
        let ids = ids_in_text(first);
        if ids.len() != 1 || ids[0] != first {
            continue;
        }
        let tests = cells
            .last()
            .copied()
            .unwrap_or("")
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|r| r.contains("::") || TEST_FILE_EXT.iter().any(|e| r.ends_with(e)))
            .map(|r| match r.split_once("::") {
                Some((f, n)) => (f.to_string(), Some(n.to_string())),
                None => (r.to_string(), None),
            })
            .collect();
        rows.push(Row {
            id: first.to_string(),
            covered,
            tests,
        });
    }
    rows
}

/// Every way the table and the test code disagree, one line each.
pub fn problems(rows: &[Row], c: &Citations, file_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *seen.entry(&r.id).or_default() += 1;
    }
    for (id, n) in &seen {
        if *n > 1 {
            out.push(format!("{id}: {n} rows"));
        }
    }
    for id in &c.cited {
        if !seen.contains_key(id.as_str()) {
            out.push(format!("{id}: cited by the tests, no row"));
        }
    }
    let cited_by_unit: BTreeSet<&str> = c
        .units
        .iter()
        .filter(|u| u.is_test)
        .flat_map(|u| u.ids.iter().map(String::as_str))
        .collect();
    for r in rows {
        if !r.covered && cited_by_unit.contains(r.id.as_str()) {
            out.push(format!(
                "{}: listed as not covered, but a test cites it",
                r.id
            ));
        }
        if r.covered && r.tests.is_empty() {
            out.push(format!("{}: covered row names no test", r.id));
        }
        for (file, name) in &r.tests {
            let shown = match name {
                Some(n) => format!("{file}::{n}"),
                None => file.clone(),
            };
            if !file_exists(file) {
                out.push(format!("{}: {shown}: no such file", r.id));
                continue;
            }
            if name.is_none() && !r.covered {
                continue; // a file named in a note
            }
            let unit = c
                .units
                .iter()
                .find(|u| &u.file == file && &u.name == name && u.is_test);
            match unit {
                None => out.push(format!("{}: {shown}: no such test", r.id)),
                Some(u) if r.covered && !u.ids.contains(&r.id) => {
                    out.push(format!("{}: {shown} does not cite it", r.id))
                }
                Some(_) => {}
            }
        }
    }
    out
}

#[test]
fn the_rule_table_matches_the_tests() {
    let root = root();
    let c = scan_repo(&root);
    if let Ok(path) = std::env::var("PASSERELLE_RULES_DUMP") {
        // the covering tests per ID, for regenerating the table's last column
        let mut s = String::new();
        for u in c.units.iter().filter(|u| u.is_test) {
            for id in &u.ids {
                let name = u
                    .name
                    .as_deref()
                    .map(|n| format!("::{n}"))
                    .unwrap_or_default();
                s.push_str(&format!("{id}\t{}{name}\n", u.file));
            }
        }
        for id in &c.cited {
            s.push_str(&format!("{id}\t\n"));
        }
        std::fs::write(path, s).unwrap();
    }
    let md = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let rows = parse_table(&md);
    assert!(rows.len() > 200, "only {} rows parsed", rows.len());
    assert!(c.cited.len() > 200, "only {} IDs cited", c.cited.len());
    let p = problems(&rows, &c, &|f| root.join(f).is_file());
    assert!(p.is_empty(), "docs/rules.md:\n{}", p.join("\n"));
}

#[test]
fn ids_are_read_from_text_and_names() {
    assert_eq!(
        ids_in_text("/* FFI-05/06: double free; KB-13, J-10 (SD-JWT, SHA-256, XJ-10, J-100) */"),
        ["FFI-05", "FFI-06", "KB-13", "J-10"]
    );
    assert_eq!(ids_in_text("SIG-02..07"), ["SIG-02"]);
    assert_eq!(
        ids_in_name("stat_05_06_07_zlib_framing"),
        ["STAT-05", "STAT-06", "STAT-07"]
    );
    assert_eq!(ids_in_name("j01_j02_ds_expired"), ["J-01", "J-02"]);
    assert_eq!(ids_in_name("mdoc_19_device_signed"), ["MDOC-19"]);
    assert_eq!(ids_in_name("sd_case"), Vec::<String>::new());
    assert_eq!(ids_in_name("x5c_token_p256"), Vec::<String>::new());
}

const PLANTED_TESTS: &str = r#"
/// KB-13: a replayed presentation.
#[test]
fn replay_is_policy() {
    assert_kind(r, ErrorKind::Policy, "KB-13");
}

#[test]
fn tl_04_stale_list() {
    fn inner() {}
}

fn helper_j_10() {}
"#;

fn planted(md: &str) -> Vec<String> {
    let c = scan_rust("tests/x.rs", PLANTED_TESTS, true);
    problems(&parse_table(md), &c, &|f| f == "tests/x.rs")
}

#[test]
fn planted_failures_are_reported() {
    let good = "| ID | input | tests |\n|---|---|---|\n\
        | KB-13 | replay | `tests/x.rs::replay_is_policy` |\n\
        | TL-04 | stale | `tests/x.rs::tl_04_stale_list` |\n\
        | J-10 | scope | `tests/x.rs::tl_04_stale_list` |\n";
    // J-10 is cited (a helper's name in a test file) but no test cites it
    assert_eq!(
        planted(good),
        ["J-10: tests/x.rs::tl_04_stale_list does not cite it"]
    );
    let good = good.replace("| J-10 | scope | `tests/x.rs::tl_04_stale_list` |\n", "");
    let good =
        format!("{good}\n## Not covered\n\n| ID | why |\n|---|---|\n| J-10 | helper only |\n");
    assert_eq!(planted(&good), Vec::<String>::new());

    // a cited ID without a row
    let missing = good.replace("| TL-04 | stale | `tests/x.rs::tl_04_stale_list` |\n", "");
    assert_eq!(planted(&missing), ["TL-04: cited by the tests, no row"]);
    // a test that does not exist, in a file that does and one that does not
    let ghost = good.replace("replay_is_policy`", "replay_is_refused`");
    assert_eq!(
        planted(&ghost),
        ["KB-13: tests/x.rs::replay_is_refused: no such test"]
    );
    let ghost = good.replace("tests/x.rs::replay", "tests/y.rs::replay");
    assert_eq!(
        planted(&ghost),
        ["KB-13: tests/y.rs::replay_is_policy: no such file"]
    );
    // a helper is not a test
    let helper = good.replace(
        "`tests/x.rs::tl_04_stale_list`",
        "`tests/x.rs::helper_j_10`",
    );
    assert_eq!(
        planted(&helper),
        ["TL-04: tests/x.rs::helper_j_10: no such test"]
    );
    // a "not covered" note naming a test that does not exist (one that exists
    // need not cite the row)
    let note = good.replace(
        "| J-10 | helper only |",
        "| J-10 | see `tests/x.rs::replay_is_policy` |",
    );
    assert_eq!(planted(&note), Vec::<String>::new());
    let note = good.replace(
        "| J-10 | helper only |",
        "| J-10 | see `tests/x.rs::gone` |",
    );
    assert_eq!(planted(&note), ["J-10: tests/x.rs::gone: no such test"]);
    // a duplicate row
    let dup = good.replace(
        "| TL-04 |",
        "| KB-13 | again | `tests/x.rs::replay_is_policy` |\n| TL-04 |",
    );
    assert_eq!(planted(&dup), ["KB-13: 2 rows"]);
    // a cited ID listed as not covered
    let lie = format!("{good}| TL-04 | not done |\n")
        .replace("| TL-04 | stale | `tests/x.rs::tl_04_stale_list` |\n", "");
    assert_eq!(
        planted(&lie),
        ["TL-04: listed as not covered, but a test cites it"]
    );
}
