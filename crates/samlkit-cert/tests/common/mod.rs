//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// `fixtures/` at the workspace root.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(path)
}

pub fn read_fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixture(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub fn read_fixture_text(path: &str) -> String {
    String::from_utf8(read_fixture(path)).expect("fixture is UTF-8")
}

/// Runs `openssl ARGS`, or returns `None` when openssl is missing and interop is optional
/// (the interop rule: skip loudly, or fail when `SAMLKIT_REQUIRE_INTEROP` is set).
pub fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Option<Output> {
    use std::io::Write;
    let child = Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            if std::env::var_os("SAMLKIT_REQUIRE_INTEROP").is_some() {
                panic!("openssl is required (SAMLKIT_REQUIRE_INTEROP is set) but cannot run: {e}");
            }
            eprintln!("skipped: openssl not installed");
            return None;
        }
    };
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input).expect("write to openssl");
    } else {
        drop(child.stdin.take());
    }
    Some(child.wait_with_output().expect("openssl ran"))
}

/// Like [`openssl`] but asserts success and returns stdout as text.
pub fn openssl_ok(args: &[&str], stdin: Option<&[u8]>) -> Option<String> {
    let out = openssl(args, stdin)?;
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
