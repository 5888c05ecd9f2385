//! Shared by the keystore, JWT and redirect end-to-end tests: the binary, fixtures, and the
//! interop rule (skip with a note when a tool is missing, fail when SAMLKIT_REQUIRE_INTEROP is set).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel).to_string_lossy().into_owned()
}

/// Path of a helper script under `tests/interop/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(name)
}

/// The samlkit binary under test.
pub fn samlkit() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("samlkit").expect("samlkit binary")
}

/// Whether `check` (a command that succeeds only when the tool is usable) works. When it does
/// not: a "skipped" note, or a panic under SAMLKIT_REQUIRE_INTEROP.
pub fn tool_available(what: &str, check: &mut Command) -> bool {
    let ok = check.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var_os("SAMLKIT_REQUIRE_INTEROP").is_some() {
            panic!(
                "{what} is required for this interop test (SAMLKIT_REQUIRE_INTEROP is set); run scripts/install-test-deps.sh"
            );
        }
        eprintln!("skipped: {what} not installed");
    }
    ok
}

/// Debian's Python with the given modules importable.
pub fn python_with(modules: &str) -> bool {
    tool_available(
        &format!("/usr/bin/python3 with {modules}"),
        Command::new("/usr/bin/python3").args(["-c", &format!("import {modules}")]),
    )
}

/// Runs a command and returns its output, panicking with everything it printed if it failed.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Asserts the process exited with `code` and printed exactly one `error: ` line containing
/// `needle` on stderr.
pub fn assert_error(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(needle), "expected {needle:?} in: {stderr}");
}
