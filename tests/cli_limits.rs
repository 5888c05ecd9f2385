//! Issue 9 items 14 and 15 end to end: every reader stops at its limit + 1 byte (a huge standard
//! input is refused while the writer is still writing), limits are named with units, `c14n
//! --max-size` moves its limit, and hostile documents are refused at the node and inflate caps.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::saml::{ACS, IDP, SP};
use support::{assert_error, fixture, samlkit};

/// What the child is offered on standard input: far more than any limit.
const HUGE_STDIN: usize = 200 * 1024 * 1024;

/// Runs samlkit with `args` while another thread writes [`HUGE_STDIN`] zero bytes to its
/// standard input. Returns the output and whether the writer was cut off (EPIPE): the proof
/// that samlkit stopped reading and exited instead of reading the whole stream.
fn run_with_huge_stdin(args: &[String]) -> (std::process::Output, bool) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("samlkit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("samlkit starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![0u8; 1024 * 1024];
        let mut written = 0;
        while written < HUGE_STDIN {
            stdin.write_all(&chunk)?;
            written += chunk.len();
        }
        Ok::<usize, std::io::Error>(written)
    });
    let out = child.wait_with_output().expect("samlkit runs");
    let cut_off = match writer.join().expect("writer thread") {
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    };
    (out, cut_off)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_stdin_reader_refuses_a_huge_stream_without_reading_it_all() {
    let cert = fixture("certs/idp.crt");
    let key = fixture("keys/idp.key");
    let checked = ["--audience", SP, "--recipient", ACS, "--issuer", IDP];
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            args(&["jwt", "verify", "--cert", &cert, "-"]),
            "-: larger than 64 KiB (the limit for a token)",
        ),
        (
            [args(&["verify", "--cert", &cert]), args(&checked), args(&["-"])].concat(),
            "-: larger than 10 MiB (the limit for a SAML message)",
        ),
        (
            args(&["sign", "--key", &key, "--cert", &cert, "-"]),
            "-: larger than 10 MiB (the limit for a SAML message)",
        ),
        (
            args(&["c14n", "-"]),
            "-: larger than 64 MiB (the limit for a c14n document; raise it with --max-size)",
        ),
        (
            args(&["c14n", "--max-size", "1MiB"]),
            "-: larger than 1 MiB (the limit for a c14n document; raise it with --max-size)",
        ),
        (
            args(&["redirect", "verify", "--cert", &cert, "-"]),
            "-: larger than 256 KiB (the limit for a redirect URL)",
        ),
        (
            args(&[
                "redirect",
                "sign",
                "--key",
                &key,
                "--destination",
                "https://idp.example.com/sso",
                "--saml-request-file",
                "-",
            ]),
            "-: larger than 1 MiB (the limit for an HTTP-Redirect message)",
        ),
        (
            [args(&["verify", "--cert", "-"]), args(&checked), args(&[&fixture("certs/idp.crt")])]
                .concat(),
            "-: larger than 4 MiB (the limit for a certificate or key file)",
        ),
        (
            args(&["cert", "import", "-", "--password-env", "SAMLKIT_UNSET", "--out", "x"]),
            "-: larger than 16 MiB (the limit for a keystore)",
        ),
        (
            args(&["inventory", "--file", "-"]),
            "-: larger than 4 MiB (the limit for an inventory file)",
        ),
    ];
    for (argv, message) in cases {
        let (out, cut_off) = run_with_huge_stdin(&argv);
        assert_error(&out, 2, message);
        assert!(cut_off, "{argv:?}: samlkit read the whole {HUGE_STDIN}-byte stream");
    }
}

#[test]
fn a_file_over_the_limit_is_refused_by_name_and_one_at_the_limit_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A document of exactly 1 KiB: accepted at --max-size 1KiB, refused at 1023 bytes.
    let doc = format!("<a>{}</a>", "x".repeat(1024 - 7));
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, &doc).expect("write");
    let path = path.to_str().expect("UTF-8 path");

    let out = samlkit().args(["c14n", "--max-size", "1KiB", path]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), doc);

    let out = samlkit().args(["c14n", "--max-size", "1023", path]).output().expect("runs");
    assert_error(
        &out,
        2,
        &format!(
            "{path}: larger than 1023 bytes (the limit for a c14n document; raise it with --max-size)"
        ),
    );
    assert!(out.stdout.is_empty());

    // verify names the file once per result, with the limit in units.
    let big = dir.path().join("big.xml");
    std::fs::write(&big, vec![b' '; 10 * 1024 * 1024 + 1]).expect("write");
    let big = big.to_str().expect("UTF-8 path");
    let out = samlkit()
        .args(["verify", "--cert", &fixture("certs/idp.crt")])
        .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP, big])
        .output()
        .expect("runs");
    assert_error(&out, 2, "larger than 10 MiB (the limit for a SAML message)");
}

#[test]
fn c14n_max_size_raises_the_limit_for_big_documents() {
    // Over the default node limit (4,000,000 for 64 MiB) but within --max-size 128MiB, which
    // doubles it.
    let units = 4_100_000;
    let doc = format!("<r>{}</r>", "<a/>".repeat(units));
    let out = samlkit().args(["c14n"]).write_stdin(doc.clone()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{} bytes on stdout", out.stdout.len());
    assert_error(&out, 2, "node count exceeds the limit of 4000000 nodes");
    let out =
        samlkit().args(["c14n", "--max-size", "128MiB"]).write_stdin(doc).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), 7 + units * 7);
}

#[test]
fn c14n_max_size_values_are_checked() {
    let cases = [
        ("12XB", "unknown unit \"XB\""),
        ("MiB", "is not a size"),
        ("0", "out of range"),
        ("2GiB", "out of range: from 1 byte to 2147483647 bytes (2 GiB - 1)"),
        ("99999999999999999999", "is not a size"),
    ];
    for (value, message) in cases {
        let out = samlkit().args(["c14n", "--max-size", value, "-"]).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {stderr}");
        assert!(stderr.contains(message), "{value}: expected {message:?} in {stderr}");
    }
}

#[test]
fn hostile_saml_messages_are_refused_at_the_node_and_inflate_limits() {
    // The fuzz seeds of fixtures/fuzz/hostile.py, and the uncompressed 10 MiB original.
    let dir = tempfile::tempdir().expect("temp dir");
    let dense = dir.path().join("nodes.xml");
    let response = "urn:oasis:names:tc:SAML:2.0:protocol";
    let body = "<a/>x".repeat(2_097_000);
    std::fs::write(&dense, format!("<p:Response xmlns:p=\"{response}\">{body}</p:Response>"))
        .expect("write");
    let cases = [
        (dense, "the document has more than 250000 nodes (the limit for SAML messages)"),
        (
            fixture("fuzz/verify/hostile-nodes.b64").into(),
            "the document has more than 250000 nodes (the limit for SAML messages)",
        ),
        (fixture("fuzz/verify/hostile-deflate-bomb.b64").into(), "inflated message exceeds 1 MiB"),
        (
            fixture("fuzz/verify/hostile-xmlns-empty-prefix.xml").into(),
            "hostile-xmlns-empty-prefix.xml:2:17: Malformed XML: invalid namespace declaration: \"xmlns:\" declares an empty prefix",
        ),
    ];
    for (path, message) in cases {
        let out = samlkit()
            .args(["verify", "--cert", &fixture("certs/idp.crt")])
            .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP])
            .arg(&path)
            .output()
            .expect("runs");
        assert_error(&out, 2, message);
    }
}
