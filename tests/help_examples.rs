//! Every `--help` teaches with examples that paste as they are, and this test pastes them.
//!
//! It walks the command tree through `--help` itself (the `Commands:` section of each help,
//! recursively), so a command added later is covered without touching this file, and fails when
//! a command's help has no example.
//!
//! The convention every `--help` follows (and this test relies on):
//! - a line `Examples:` (or `Example:`) starts the examples; they are the lines indented below
//!   it, up to the next line that is not indented;
//! - a line ending in `\` continues on the next line (so a long example pastes as is);
//! - a line that starts with `#` is a comment;
//! - an example that is meant to fail ends with a comment `# exit N` (e.g. `# exit 1: expired`):
//!   the test expects exit N, else 0;
//! - the examples of one command run in order, in one bash process (`set -u -o pipefail`),
//!   in a fresh directory where `fixtures` is the repository's fixtures and `samlkit` on PATH
//!   is the binary under test: an example may use a file or a variable an earlier example of the
//!   same command made.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use support::root;

/// The `--help` text of `samlkit PATH…`.
fn help(path: &[String]) -> String {
    let out = support::samlkit().args(path).arg("--help").output().expect("samlkit runs");
    assert!(out.status.success(), "samlkit {path:?} --help failed");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The subcommands listed under `Commands:` (without clap's `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   ")) // a wrapped description line
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path: `[]` (samlkit itself), `["issue"]`, `["cert", "new"]`, …
fn command_paths() -> Vec<Vec<String>> {
    let mut paths = vec![Vec::new()];
    let mut i = 0;
    while i < paths.len() {
        let path = paths[i].clone();
        for sub in subcommands(&help(&path)) {
            let mut child = path.clone();
            child.push(sub);
            paths.push(child);
        }
        i += 1;
    }
    paths
}

/// One example: the command line as pasted (continuations joined) and its expected exit code.
#[derive(Debug)]
struct Example {
    line: String,
    exit: i32,
}

/// The examples of one help text, by the convention at the top of this file.
fn examples(help: &str) -> Vec<Example> {
    let mut lines = help.lines().skip_while(|l| !matches!(l.trim(), "Examples:" | "Example:"));
    if lines.next().is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            break;
        }
        let line = line.trim();
        if current.is_empty() && line.starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(line);
                let exit = expected_exit(&current);
                out.push(Example { line: std::mem::take(&mut current), exit });
            }
        }
    }
    assert!(current.is_empty(), "an example ends with a continuation: {current}");
    out
}

/// N from a trailing `# exit N…` comment, else 0.
fn expected_exit(line: &str) -> i32 {
    line.rsplit_once("# exit ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A bash script that runs `examples` in order and, after each, prints a marker with its exit
/// code on stderr.
fn script(examples: &[Example]) -> String {
    let mut s = String::from("set -u -o pipefail\n");
    for (i, e) in examples.iter().enumerate() {
        s.push_str(&e.line);
        s.push_str(&format!("\necho \"@@example {i} exit $?\" >&2\n"));
    }
    s
}

/// Runs the examples of one command; returns what went wrong (empty when all ran as documented).
fn run_examples(path: &[String], examples: &[Example], dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let bin = assert_cmd::cargo::cargo_bin("samlkit");
    let bin_dir = bin.parent().expect("bin dir");
    let search = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-c", &script(examples)])
        .current_dir(dir)
        .env("PATH", search)
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let name = format!("samlkit {}", path.join(" "));
    for (i, e) in examples.iter().enumerate() {
        let marker = format!("@@example {i} exit ");
        let code: Option<i32> = stderr
            .lines()
            .find_map(|l| l.strip_prefix(&marker))
            .and_then(|c| c.trim().parse().ok());
        if code != Some(e.exit) {
            problems.push(format!(
                "{name} --help example exited {code:?}, documented {}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                e.exit, e.line
            ));
        }
    }
    // A successful example says nothing on stderr but warnings; a failing one says why.
    for line in stderr.lines().filter(|l| !l.starts_with("@@example ")) {
        if !(line.starts_with("warning: ") || line.starts_with("error: ")) {
            problems.push(format!("{name}: unexpected stderr line {line:?}\n{stderr}"));
        }
    }
    let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    let failing = examples.iter().filter(|e| e.exit != 0).count();
    if errors != failing {
        problems
            .push(format!("{name}: {errors} error lines for {failing} failing examples\n{stderr}"));
    }
    problems
}

#[test]
fn every_command_has_examples_and_every_example_runs_as_documented() {
    let paths = command_paths();
    // The tree as the README's command table lists it; a command removed by mistake fails here.
    for wanted in [
        "issue",
        "sign",
        "verify",
        "metadata",
        "c14n",
        "jwt",
        "jwt verify",
        "redirect",
        "redirect sign",
        "redirect verify",
        "cert",
        "cert new",
        "cert csr",
        "cert show",
        "cert check",
        "cert export",
        "cert import",
        "inventory",
        "inventory scan",
    ] {
        assert!(paths.iter().any(|p| p.join(" ") == wanted), "no command {wanted:?} in {paths:?}");
    }
    let mut ran = 0;
    let mut problems = Vec::new();
    for path in &paths {
        let text = help(path);
        let examples = examples(&text);
        let name = format!("samlkit {}", path.join(" "));
        assert!(!examples.is_empty(), "{name} --help has no example:\n{text}");
        // At least one example runs the command itself (a group: one of its subcommands).
        let invocation = format!("samlkit {}", path.join(" "));
        assert!(
            examples.iter().any(|e| e.line.contains(invocation.trim_end())),
            "{name} --help has no example that runs it: {examples:?}"
        );
        // The paragraph of explanation: prose beyond the one-line summary and the options.
        let prose = text.lines().take_while(|l| !l.starts_with("Usage:")).count();
        assert!(prose >= 3 || text.contains("\n\n") && text.len() > 600, "{name}: {text}");
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(root().join("fixtures"), dir.path().join("fixtures"))
            .expect("symlink");
        problems.extend(run_examples(path, &examples, dir.path()));
        ran += examples.len();
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(ran >= 2 * paths.len(), "only {ran} examples for {} commands", paths.len());
}

#[test]
fn the_extractor_follows_the_convention() {
    let help = "Text\n\nExamples:\n  samlkit a \\\n      --b c\n  # a comment\n  samlkit d   # exit 1: bad\n\nAfter:\n  samlkit not-an-example\n";
    let found = examples(help);
    let lines: Vec<(&str, i32)> = found.iter().map(|e| (e.line.as_str(), e.exit)).collect();
    assert_eq!(lines, [("samlkit a --b c", 0), ("samlkit d   # exit 1: bad", 1)]);
    assert!(examples("no examples here\n  samlkit x\n").is_empty());
    let tree = "Commands:\n  new   Create\n          wrapped text\n  help  Print\n\nOptions:\n";
    assert_eq!(subcommands(tree), ["new"]);
}
