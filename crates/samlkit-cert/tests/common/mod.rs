//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure is a test failure

use std::path::PathBuf;

/// `fixtures/` at the workspace root.
pub(crate) fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(path)
}

pub(crate) fn read_fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixture(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub(crate) fn read_fixture_text(path: &str) -> String {
    String::from_utf8(read_fixture(path)).expect("fixture is UTF-8")
}
