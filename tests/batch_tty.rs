//! What a batch shows on a terminal, through the built binary on a pseudo-terminal
//! (tests/interop/tty_run.py): the progress bar on stderr, and what `verify` waits for when it
//! reads standard input from the terminal. Off a terminal neither appears.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fs;

use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{fixture, python_script, require, run_ok, samlkit, tools};

/// Set to 0 so the bar appears at once instead of after a second (no clock in the test).
const DELAY: &str = "SAMLKIT_PROGRESS_DELAY_MS";

/// Runs samlkit on a pseudo-terminal; once it shows `wait_for`, types `send`.
fn on_tty(wait_for: &str, send: &str, args: &[&str]) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("samlkit");
    let out = run_ok(
        python_script("tty_run.py").env(DELAY, "0").args([wait_for, send]).arg(bin).args(args),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (json["code"].as_i64().unwrap() as i32, json["shown"].as_str().unwrap().to_string())
}

#[test]
#[cfg_attr(
    missing_python3,
    ignore = "/usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn a_batch_on_a_terminal_shows_a_progress_bar_and_a_pipe_never_does() {
    require(&tools::PYTHON3);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..5 {
        let path = dir.path().join(format!("r{i}.xml"));
        fs::write(&path, issue(&["--name-id", &format!("user{i}@example.com")])).unwrap();
        files.push(path.display().to_string());
    }
    let cert = fixture("certs/idp.crt");
    let mut args = vec!["verify", "--quiet", "--cert", &cert, "--audience", SP, "--recipient", ACS];
    args.extend(["--issuer", IDP, "--now", VERIFY_AT, "--jobs", "2"]);
    args.extend(files.iter().map(String::as_str));
    let (code, shown) = on_tty("", "", &args);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("verifying ["), "a progress bar: {shown:?}");
    assert!(shown.contains("/5 files"), "{shown:?}");
    // Not a terminal: nothing but the results.
    let out = samlkit().env(DELAY, "0").args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
#[cfg_attr(
    missing_python3,
    ignore = "/usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn verify_at_a_terminal_says_what_it_waits_for() {
    require(&tools::PYTHON3);
    let cert = fixture("certs/idp.crt");
    let waiting = "reading a SAMLResponse from standard input (paste it, then Ctrl-D)…";
    // Ctrl-D on an empty line: end of input, nothing pasted.
    let (code, shown) = on_tty("Ctrl-D", "\\x04", &["verify", "--cert", &cert, "--audience", SP]);
    assert!(shown.contains(waiting), "{shown:?}");
    assert_eq!(code, 2, "{shown}");
    assert!(shown.contains("error: "), "an empty input is refused: {shown:?}");
    // Standard input not a terminal: no such line.
    let out = samlkit()
        .args(["verify", "--cert", &cert, "--audience", SP])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("reading a SAMLResponse"));
}
