//! `docs/cli.md` keeps up with the binary: every command the binary's `help`
//! lists has a section (a heading naming `passerelle COMMAND`), and every
//! option that command's `--help` lists appears in that section.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "passerelle {args:?}");
    String::from_utf8(o.stdout).unwrap()
}

/// The commands of the overview (`passerelle help`): the first word of each
/// line under `commands:`, up to the blank line.
pub fn commands(overview: &str) -> Vec<String> {
    overview
        .lines()
        .skip_while(|l| l.trim() != "commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn option_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.match_indices("--").filter_map(move |(i, _)| {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        let rest = &text[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        (end > 0).then(|| format!("--{}", &rest[..end]))
    })
}

/// The options of one command's `--help`: those of its usage line and the
/// first word of each option line.
pub fn options(help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut lines = help.lines();
    if let Some(usage) = lines.next() {
        out.extend(option_tokens(usage));
    }
    for l in lines {
        let t = l.trim_start();
        if l.starts_with("  ") && t.starts_with("--") {
            out.extend(option_tokens(t.split_whitespace().next().unwrap_or("")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The text of the section whose heading names `passerelle CMD`, up to the
/// next heading of the same or a higher level.
pub fn section<'a>(doc: &'a str, cmd: &str) -> Option<&'a str> {
    let name = format!("`passerelle {cmd}`");
    let mut start = None;
    let mut level = 0;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if hashes > 0 && line[hashes..].starts_with(' ') {
            if let Some(s) = start {
                if hashes <= level {
                    return Some(&doc[s..offset]);
                }
            } else if line.contains(&name) {
                start = Some(offset);
                level = hashes;
            }
        }
        offset += line.len();
    }
    start.map(|s| &doc[s..])
}

fn mentions(text: &str, opt: &str) -> bool {
    option_tokens(text).any(|t| t == opt)
}

/// What `doc` lacks: each command without a section, each option missing
/// from its command's section.
pub fn undocumented(overview: &str, helps: &[(String, String)], doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    for flag in ["--help", "--version"] {
        if !mentions(doc, flag) {
            out.push(format!("{flag}: not documented"));
        }
    }
    for cmd in commands(overview) {
        let Some(sec) = section(doc, &cmd) else {
            out.push(format!("{cmd}: no section"));
            continue;
        };
        let help = helps
            .iter()
            .find(|(c, _)| *c == cmd)
            .map(|(_, h)| h.as_str())
            .unwrap_or("");
        for opt in options(help) {
            if opt != "--help" && !mentions(sec, &opt) {
                out.push(format!("{cmd}: {opt} not in its section"));
            }
        }
    }
    out
}

#[test]
fn every_command_and_option_is_in_docs_cli_md() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/cli.md")).unwrap();
    let overview = run(&["help"]);
    let cmds = commands(&overview);
    assert!(cmds.len() >= 12, "{cmds:?}");
    let helps: Vec<(String, String)> = cmds
        .iter()
        .map(|c| (c.clone(), run(&[c, "--help"])))
        .collect();
    assert!(options(&helps[0].1).contains(&"--alg".to_owned()));
    let missing = undocumented(&overview, &helps, &doc);
    assert!(
        missing.is_empty(),
        "docs/cli.md lacks:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_missing_command_or_option_is_reported() {
    let overview = "usage: ...\n\ncommands:\n  keygen  make a key\n  trust   lists\n\n  --help, -h  this\n  --version   v\n";
    let helps = vec![
        (
            "keygen".to_owned(),
            "usage: passerelle keygen [--alg ES256|ES384] [--public FILE]\n\noptions:\n  --alg ALG      which\n  --public FILE  where\n  --out-dir D    hidden\n".to_owned(),
        ),
        ("trust".to_owned(), "usage: passerelle trust inspect FILE\n".to_owned()),
    ];
    let doc = "# CLI\n\n`--help`, `--version`\n\n## `passerelle keygen`\n\n`--alg`, `--public`, `--out-dir`\n\n## `passerelle trust`\n\nnothing\n";
    assert_eq!(undocumented(overview, &helps, doc), Vec::<String>::new());
    // an option of the help text that the section lacks (mentioned elsewhere: not enough)
    let doc2 = doc
        .replace("`--out-dir`", "")
        .replace("nothing", "`--out-dir`");
    assert_eq!(
        undocumented(overview, &helps, &doc2),
        ["keygen: --out-dir not in its section"]
    );
    // a prefix is not the option: `--public-key` does not document `--public`
    let doc3 = doc.replace("`--public`", "`--public-key`");
    assert_eq!(
        undocumented(overview, &helps, &doc3),
        ["keygen: --public not in its section"]
    );
    // a command without a section
    let doc4 = doc.replace("## `passerelle trust`", "## trust lists");
    assert_eq!(undocumented(overview, &helps, &doc4), ["trust: no section"]);
    // a subsection stays inside its command's section
    let doc5 = doc.replace("\n`--alg`", "\n### details\n\n`--alg`");
    assert_eq!(undocumented(overview, &helps, &doc5), Vec::<String>::new());
}
