//! `samlkit sp-audit` without a service provider: `--list`, `--dry-run`, and every usage error
//! with its exit code and message (missing flags, unknown cases, hosts outside loopback).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_error, assert_success, fixture, run, stdout};

/// The flags every audit needs, for an SP at `acs`.
fn base_args(acs: &str) -> Vec<String> {
    [
        "sp-audit",
        "--acs",
        acs,
        "--audience",
        "http://127.0.0.1/metadata",
        "--key",
        &fixture("keys/idp.key"),
        "--cert",
        &fixture("certs/idp.crt"),
        "--issuer",
        "https://idp.example.com",
        "--name-id",
        "alice@example.com",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_with(acs: &str, extra: &[&str]) -> std::process::Output {
    let mut args = base_args(acs);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

#[test]
fn list_describes_every_case_with_its_reference() {
    let out = run(&["sp-audit", "--list"]);
    assert_success(&out);
    let text = stdout(&out);
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for want in [
        "xsw1",
        "xsw8",
        "comment-in-nameid",
        "expired",
        "wrong-audience",
        "replay",
        "other-in-response-to",
        "destination-mismatch",
        "unsolicited",
        "unsigned",
        "cbc-unsigned",
    ] {
        assert!(names.contains(&want), "{want} missing from --list:\n{text}");
    }
    assert!(text.contains("see: SAML Raider: XSW1"), "{text}");
    assert!(text.contains("CVE-2017-11427"), "{text}");
    let references = text.lines().filter(|l| l.trim_start().starts_with("see: ")).count();
    assert_eq!(references, names.len(), "one reference per case:\n{text}");

    let json = run(&["sp-audit", "--list", "--json"]);
    assert_success(&json);
    let lines: Vec<serde_json::Value> =
        stdout(&json).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), names.len());
    let unsolicited = lines.iter().find(|v| v["case"] == "unsolicited").unwrap();
    assert_eq!(unsolicited["needs"], "--login-url");
}

#[test]
fn dry_run_writes_each_response_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("out");
    // Port 9 (discard) on loopback: nothing listens, and nothing is sent anyway.
    let out = run_with(
        "http://127.0.0.1:9/acs",
        &[
            "--dry-run",
            "--cases",
            "xsw1,comment-in-nameid,duplicate-field,unsolicited,replay",
            "--save",
            save.to_str().unwrap(),
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.starts_with("CASE"), "{text}");
    assert!(text.contains("POST http://127.0.0.1:9/acs"), "{text}");
    assert!(text.contains("unsolicited") && text.contains("skipped: needs --login-url"), "{text}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let xsw1 = std::fs::read_to_string(save.join("xsw1.xml")).unwrap();
    assert!(xsw1.contains("attacker@evil.example"), "{xsw1}");
    samlkit_xml::parse(&xsw1).unwrap();
    let comment = std::fs::read_to_string(save.join("comment-in-nameid.xml")).unwrap();
    assert!(comment.contains("alice@example.com<!---->.evil.example"), "{comment}");
    let form = std::fs::read_to_string(save.join("duplicate-field.form")).unwrap();
    assert_eq!(form.matches("SAMLResponse=").count(), 2, "{form}");
    assert!(!save.join("unsolicited.xml").exists());
    // The genuine replay response verifies with samlkit's own verifier.
    let replay = save.join("replay.xml");
    let verify = run(&[
        "verify",
        "--cert",
        &fixture("certs/idp.crt"),
        "--audience",
        "http://127.0.0.1/metadata",
        "--recipient",
        "http://127.0.0.1:9/acs",
        "--issuer",
        "https://idp.example.com",
        replay.to_str().unwrap(),
    ]);
    assert_success(&verify);
}

#[test]
fn dry_run_with_login_url_answers_a_placeholder_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(
        "http://127.0.0.1:9/acs",
        &[
            "--dry-run",
            "--login-url",
            "http://127.0.0.1:9/login",
            "--cases",
            "unsolicited,other-in-response-to",
            "--save",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_success(&out);
    let other = std::fs::read_to_string(dir.path().join("other-in-response-to.xml")).unwrap();
    assert!(other.contains("InResponseTo=\"_samlkit-dry-run-other-request\""), "{other}");
    let unsolicited = std::fs::read_to_string(dir.path().join("unsolicited.xml")).unwrap();
    assert!(!unsolicited.contains("InResponseTo"), "{unsolicited}");
}

#[test]
fn usage_errors_exit_2_with_one_message() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "http://sp.example.com/acs",
            &[],
            "--acs \"http://sp.example.com/acs\" is not a loopback address; sp-audit sends attacks only to 127.0.0.1, ::1 and localhost unless you name the host with --target sp.example.com",
        ),
        ("http://10.1.2.3/acs", &["--target", "sp.example.com"], "is not a loopback address"),
        (
            "http://127.0.0.1:9/acs",
            &["--whoami", "http://sp.example.com/whoami"],
            "--whoami \"http://sp.example.com/whoami\" is not a loopback address",
        ),
        (
            "ftp://127.0.0.1/acs",
            &[],
            "--acs \"ftp://127.0.0.1/acs\": sp-audit speaks http and https only",
        ),
        ("not a url", &[], "--acs \"not a url\" is not a URL"),
        (
            "http://127.0.0.1:9/acs",
            &["--cases", "xsw1,nope"],
            "--cases \"nope\" is not a case; `samlkit sp-audit --list` shows them",
        ),
        ("http://127.0.0.1:9/acs", &["--rate", "0"], "--rate 0 must be a positive number"),
        (
            "http://127.0.0.1:9/acs",
            &["--accepted-if", "("],
            "--accepted-if \"(\" is not a regular expression",
        ),
        ("http://127.0.0.1:9/acs", &["--attr", "novalue"], "--attr \"novalue\" is not NAME=VALUE"),
        // Nothing listens on port 9: the first baseline cannot be sent.
        ("http://127.0.0.1:9/acs", &["--cases", "xsw1"], "cannot reach http://127.0.0.1:9/acs"),
    ];
    for (acs, extra, message) in cases {
        let out = run_with(acs, extra);
        assert_error(&out, 2, message);
    }
}

#[test]
fn missing_flags_are_named() {
    let out = run(&["sp-audit", "--acs", "http://127.0.0.1:9/acs"]);
    assert_error(
        &out,
        2,
        "the following required argument was not provided: --audience <SP_ENTITY_ID> (or --sp-metadata <FILE>)",
    );
    let out = run(&["sp-audit", "--acs", "http://127.0.0.1:9/acs", "--audience", "x"]);
    assert_error(&out, 2, "the following required argument was not provided: --key <KEY>");
    let out = run(&["sp-audit", "--whoami-regex", "x", "--list"]);
    assert_error(&out, 2, "--whoami <URL>");
}

#[test]
fn fixture_key_outside_loopback_is_warned_about() {
    // Allowed by --target, warned about, and then unreachable (the .invalid name never resolves).
    let out = run_with(
        "http://sp.samlkit.invalid/acs",
        &["--target", "sp.samlkit.invalid", "--cases", "xsw1"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("warning: --cert is a certificate samlkit ships in fixtures/"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("error: cannot reach http://sp.samlkit.invalid/acs"), "{stderr}");
    // On loopback there is no warning.
    let out = run_with("http://127.0.0.1:9/acs", &["--cases", "xsw1"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning:"));
}

#[test]
fn sp_metadata_gives_the_audience_and_the_encryption_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert, md) =
        (fixture("keys/idp.key"), fixture("certs/idp.crt"), fixture("xmlenc/sp-metadata.xml"));
    let common = [
        "sp-audit",
        "--sp-metadata",
        &md,
        "--key",
        &key,
        "--cert",
        &cert,
        "--issuer",
        "https://idp.example.com",
        "--name-id",
        "alice@example.com",
    ];
    // Its ACS is https://sp.example.com/acs: outside loopback, so it is refused.
    let out = run(&common);
    assert_error(&out, 2, "--acs \"https://sp.example.com/acs\"");
    // With a loopback --acs, the metadata's entityID is the audience and its encryption
    // certificate lets the encryption cases run.
    let mut args = common.to_vec();
    args.extend([
        "--acs",
        "http://127.0.0.1:9/acs",
        "--dry-run",
        "--cases",
        "unsigned-encrypted,expired",
        "--save",
        dir.path().to_str().unwrap(),
    ]);
    let out = run(&args);
    assert_success(&out);
    let encrypted = std::fs::read_to_string(dir.path().join("unsigned-encrypted.xml")).unwrap();
    assert!(encrypted.contains("EncryptedAssertion"), "{encrypted}");
    let expired = std::fs::read_to_string(dir.path().join("expired.xml")).unwrap();
    assert!(expired.contains("<saml:Audience>https://sp.example.com</saml:Audience>"), "{expired}");
}
