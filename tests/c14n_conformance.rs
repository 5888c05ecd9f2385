//! The C14N conformance set (`fixtures/c14n/cases.json`): every case runs through the built
//! `samlkit c14n` binary and its stdout is compared byte for byte with the expected output;
//! error cases must exit 2 with one `error: ` line and nothing on stdout.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{fixture, samlkit};

fn fixtures() -> PathBuf {
    PathBuf::from(fixture("c14n"))
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

#[test]
fn every_c14n_case_matches_byte_for_byte() {
    let dir = fixtures();
    let manifest = std::fs::read_to_string(dir.join("cases.json")).expect("read cases.json");
    let manifest: Value = serde_json::from_str(&manifest).expect("parse cases.json");
    let cases = manifest["cases"].as_array().expect("cases array");
    assert_eq!(cases.len(), 374, "the conformance set has 374 cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let mut cmd = samlkit();
        cmd.arg("c14n").arg("--alg").arg(case["alg"].as_str().expect("alg"));
        if let Some(id) = case.get("id").and_then(Value::as_str) {
            cmd.arg("--id").arg(id);
        }
        if let Some(p) = case.get("prefixes").and_then(Value::as_str) {
            cmd.arg("--prefixes").arg(p);
        }
        cmd.arg(dir.join(case["input"].as_str().expect("input")));
        let out = cmd.output().expect("run samlkit");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if case.get("expect_error").and_then(Value::as_bool) == Some(true) {
            if out.status.code() != Some(2)
                || !out.stdout.is_empty()
                || !stderr.starts_with("error: ")
            {
                failures.push(format!(
                    "{name}: expected exit 2, empty stdout and an `error: ` line; got exit {:?}, {} stdout bytes, stderr {stderr:?}",
                    out.status.code(),
                    out.stdout.len()
                ));
            } else if stderr.lines().count() != 1 {
                failures.push(format!("{name}: the error must be one line, got {stderr:?}"));
            }
            continue;
        }
        let expected = std::fs::read(dir.join(case["expected"].as_str().expect("expected")))
            .expect("read expected");
        if out.status.code() != Some(0) {
            failures.push(format!("{name}: exit {:?}: {stderr}", out.status.code()));
        } else if out.stdout != expected {
            let at = first_difference(&out.stdout, &expected);
            failures.push(format!(
                "{name}: first differing byte at offset {at} (got {} bytes, expected {})",
                out.stdout.len(),
                expected.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
