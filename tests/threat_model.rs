//! `docs/threat-model.md` kept honest: every attack test its tables name
//! exists. A name is written `module::test`, `module::*` (every test of a
//! test module), or a bare `test` continuing the module of the name before it
//! in the same cell; `trust::lists::tests::x` names a unit test in `src/`;
//! `module::prefix_*` names the tests of a module that start so.

use crate::common::root;
use std::collections::BTreeSet;
use std::path::Path;

/// Every `fn NAME(` under `dir` (recursively), with the file it is in.
fn fns_in(dir: &Path, out: &mut BTreeSet<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            // a room's folder holds its unit tests: `policy::*` names them
            out.insert((e.file_name().to_string_lossy().into_owned(), String::new()));
            fns_in(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            for line in text.lines() {
                let l = line.trim_start();
                if let Some(rest) = l.strip_prefix("fn ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    out.insert((stem.clone(), name));
                }
            }
        }
    }
}

/// The names of the "attack test" cells (the last column) of `text`'s
/// tables, each as `(module, name)`; `name` is `*` for a whole module.
fn named_tests(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').collect();
        if cells.len() < 4 || line.contains("---") {
            continue;
        }
        let last = cells[cells.len() - 2];
        let mut module = String::new();
        for tok in last.split('`').skip(1).step_by(2) {
            if !tok
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '*')
            {
                continue;
            }
            match tok.rsplit_once("::") {
                Some((m, n)) => {
                    module = m
                        .rsplit("::")
                        .find(|s| *s != "tests")
                        .unwrap_or(m)
                        .to_owned();
                    out.push((module.clone(), n.to_owned()));
                }
                None if !module.is_empty() => out.push((module.clone(), tok.to_owned())),
                None => {}
            }
        }
    }
    out
}

/// The names that do not exist among `fns`: a module (file stem) must
/// hold the fn (or, for `*`, exist).
fn missing(named: &[(String, String)], fns: &BTreeSet<(String, String)>) -> Vec<String> {
    named
        .iter()
        .filter(|(m, n)| {
            if n == "*" {
                !fns.iter().any(|(f, _)| f == m)
            } else if let Some(prefix) = n.strip_suffix('*') {
                !fns.iter()
                    .any(|(f, name)| f == m && name.starts_with(prefix) && !name.is_empty())
            } else {
                // a unit test module `x/tests.rs` is named by its room `x`
                !fns.contains(&(m.clone(), n.clone()))
                    && !fns.iter().any(|(f, name)| name == n && f == "tests")
            }
        })
        .map(|(m, n)| format!("{m}::{n}"))
        .collect()
}

#[test]
fn every_attack_test_the_threat_model_names_exists() {
    let r = root();
    let text = std::fs::read_to_string(r.join("docs/threat-model.md")).unwrap();
    let mut fns = BTreeSet::new();
    fns_in(&r.join("tests"), &mut fns);
    fns_in(&r.join("src"), &mut fns);
    let named = named_tests(&text);
    assert!(named.len() > 40, "only {} names read", named.len());
    let gone = missing(&named, &fns);
    assert!(
        gone.is_empty(),
        "docs/threat-model.md names tests that do not exist: {gone:?}"
    );
}

#[test]
fn a_planted_missing_name_is_caught() {
    let doc = "| fact | who | check | code | test |\n|---|---|---|---|---|\n\
               | a | b | c | d | `trust_lists::list_anchor_never_anchors_a_credential`, `no_such_test` |\n\
               | e | f | g | h | `no_such_module::*` |\n";
    let named = named_tests(doc);
    assert_eq!(named.len(), 3);
    let mut fns = BTreeSet::new();
    fns.insert((
        "trust_lists".to_owned(),
        "list_anchor_never_anchors_a_credential".to_owned(),
    ));
    assert_eq!(
        missing(&named, &fns),
        vec!["trust_lists::no_such_test", "no_such_module::*"]
    );
}
