//! Shared by every end-to-end test under `tests/`: the binary under test, fixture and script
//! paths, the one-line `error:` contract, and the interop rule: a test that needs an external
//! tool is reported as ignored (with the reason) when the tool is missing, or fails when
//! SAMLKIT_REQUIRE_INTEROP is set, as scripts/test.sh and CI do (see [`tools`] and [`require`]).
//! SAML-specific helpers (issuing and verifying responses, cutting signed documents apart) are in
//! [`saml`].
#![allow(dead_code)]
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub(crate) mod browser;
pub(crate) mod html;
pub(crate) mod mtls;
pub(crate) mod saml;
pub(crate) mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `Cargo.toml`, `fixtures/` and `README.md` are).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path of a file under `fixtures/`.
pub(crate) fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).to_string_lossy().into_owned()
}

/// Path of a helper script under `tests/interop/`.
pub(crate) fn script(name: &str) -> PathBuf {
    root().join("tests/interop").join(name)
}

/// Debian's Python (`/usr/bin/python3`, where the python3-* packages are) running
/// `tests/interop/NAME`; add the script's arguments.
pub(crate) fn python_script(name: &str) -> Command {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(script(name));
    cmd
}

/// The samlkit binary under test.
pub(crate) fn samlkit() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("samlkit").expect("samlkit binary")
}

/// Runs `samlkit` with `args` and returns what it did.
pub(crate) fn run(args: &[&str]) -> Output {
    samlkit().args(args).output().expect("samlkit runs")
}

/// Runs `samlkit` with `args` in the directory `dir`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Output {
    samlkit().current_dir(dir).args(args).output().expect("samlkit runs")
}

/// Standard output as text.
pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the process succeeded, showing its stderr if not.
pub(crate) fn assert_success(out: &Output) {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

/// Asserts the process exited with `code` and printed exactly one `error: ` line containing
/// `needle` on stderr.
pub(crate) fn assert_error(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}\nstdout: {}", stdout(out));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(needle), "expected {needle:?} in: {stderr}");
}

/// Unix permission bits of `path` (`0o600` for a private key).
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("exists").permissions().mode() & 0o777
}

/// The run-time half of the interop rule (see [`tools`]): panics, saying what to install, unless
/// `tool` is usable. Every test that runs an external tool calls this first and carries the
/// matching `#[cfg_attr(missing_<name>, ignore = "…")]`, so that it only gets here when the build
/// probe found the tool or `SAMLKIT_REQUIRE_INTEROP` is set.
pub(crate) fn require(tool: &tools::Tool) {
    if let Err(why) = tools::probe(tool) {
        let rule = if tools::interop_required() {
            format!("{} is set, so every interop tool is required", tools::REQUIRE_ENV)
        } else {
            "the build found it, so it went missing since; rebuild to have the test ignored".into()
        };
        panic!(
            "{} is needed by this test and is not usable: {why}\n({rule}); run scripts/install-test-deps.sh",
            tool.name
        );
    }
}

/// Runs a command and returns its output, panicking with everything it printed if it failed.
pub(crate) fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `samlkit sp-audit --json` output: each case's object, by case name.
pub(crate) fn audit_verdicts(out: &Output) -> std::collections::HashMap<String, serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .map(|v| (v["case"].as_str().unwrap().to_string(), v))
        .collect()
}
