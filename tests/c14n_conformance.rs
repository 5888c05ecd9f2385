//! The C14N conformance set (`fixtures/c14n/cases.json`): every case runs through the built
//! `samlkit c14n` binary and its stdout is compared byte for byte with the expected output;
//! error cases must exit 2 with one `error: ` line and nothing on stdout. The CLI streams a
//! whole document and builds the tree for `--id`; a second test runs both library paths on
//! every case's input and compares them byte for byte (and error for error).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;

use samlkit_xml::{C14nAlgorithm, Limits, XmlError};
use serde_json::Value;
use support::{fixture, samlkit};

fn fixtures() -> PathBuf {
    PathBuf::from(fixture("c14n"))
}

fn cases() -> Vec<Value> {
    let manifest = std::fs::read_to_string(fixtures().join("cases.json")).expect("read cases.json");
    let manifest: Value = serde_json::from_str(&manifest).expect("parse cases.json");
    manifest["cases"].as_array().expect("cases array").clone()
}

fn algorithm(name: &str) -> C14nAlgorithm {
    match name {
        "exc" => C14nAlgorithm::Exclusive,
        "exc-comments" => C14nAlgorithm::ExclusiveWithComments,
        "inclusive" => C14nAlgorithm::Inclusive,
        "inclusive-comments" => C14nAlgorithm::InclusiveWithComments,
        other => panic!("unknown algorithm {other:?} in cases.json"),
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

#[test]
fn every_c14n_case_matches_byte_for_byte() {
    let dir = fixtures();
    let cases = cases();
    assert_eq!(cases.len(), 374, "the conformance set has 374 cases");
    let mut failures = Vec::new();
    for case in &cases {
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

/// Every case's input, canonicalized as a whole document with the case's algorithm and
/// PrefixList by both library paths: parse-then-canonicalize (the tree) and streaming, the latter
/// with the tokenizer on the calling thread and on a second one (as inputs of a megabyte and more
/// get it). They must give the same bytes or the same error; where the case is itself a
/// whole-document case, all must also equal the expected output.
#[test]
fn every_case_gives_the_same_result_streamed_and_from_the_tree() {
    let dir = fixtures();
    let cases = cases();
    assert_eq!(cases.len(), 374, "the conformance set has 374 cases");
    let (mut compared, mut against_expected, mut errors) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let alg = algorithm(case["alg"].as_str().expect("alg"));
        let prefixes: Vec<&str> =
            case.get("prefixes").and_then(Value::as_str).unwrap_or("").split_whitespace().collect();
        let input = std::fs::read(dir.join(case["input"].as_str().expect("input"))).expect("input");
        let limits = Limits::default();
        let tree: Result<Vec<u8>, XmlError> = samlkit_xml::parse_bytes_with_limits(&input, &limits)
            .and_then(|doc| samlkit_xml::canonicalize_to_vec(&doc, None, None, alg, &prefixes));
        let mut out = Vec::new();
        let streamed =
            samlkit_xml::canonicalize_streaming_bytes(&input, &limits, alg, &prefixes, &mut out)
                .map(|()| out);
        let mut out = Vec::new();
        let aside = samlkit_xml::canonicalize_streaming_bytes_tokenizing_aside(
            &input, &limits, alg, &prefixes, &mut out, true,
        )
        .map(|()| out);
        if aside != streamed {
            failures.push(format!("{name}: the tokenizer on a second thread changes the result"));
        }
        compared += 1;
        match (&tree, &streamed) {
            (Ok(t), Ok(s)) if t != s => failures.push(format!(
                "{name}: streaming differs from the tree at byte {}",
                first_difference(t, s)
            )),
            (Err(t), Err(s)) if t != s => {
                failures.push(format!("{name}: tree error {t:?}, streaming error {s:?}"));
            }
            (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
                failures.push(format!("{name}: only one path failed: {e}"));
            }
            _ => {}
        }
        if tree.is_err() {
            errors += 1;
        }
        let whole_document = case.get("id").is_none();
        if whole_document && case.get("expect_error").and_then(Value::as_bool) != Some(true) {
            let expected = std::fs::read(dir.join(case["expected"].as_str().expect("expected")))
                .expect("read expected");
            against_expected += 1;
            if streamed.as_deref().ok() != Some(&expected[..]) {
                failures.push(format!("{name}: streaming output is not the expected output"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(compared, 374);
    // 374 = 96 `--id` cases + 6 error cases + 272 whole-document outputs.
    assert_eq!(against_expected, 272, "whole-document cases checked against their expected output");
    assert!(errors >= 6, "the error cases fail on both paths ({errors} errors)");
}
