//! `samlkit verify` says what it did not check: one `warning:` line per binding (audience,
//! recipient, issuer) whose expected value was not given, once per run; the `unchecked` list in
//! every `--json` line; and `--strict`, which refuses to run without all three.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::saml::*;
use support::*;

const AUDIENCE_WARNING: &str =
    "warning: audience not checked: pass --audience YOUR_SP_ENTITY_ID (or --strict to require it)";
const RECIPIENT_WARNING: &str =
    "warning: recipient not checked: pass --recipient YOUR_ACS_URL (or --strict to require it)";
const ISSUER_WARNING: &str =
    "warning: issuer not checked: pass --issuer IDP_ENTITY_ID (or --strict to require it)";

/// `samlkit verify --cert idp.crt --now VERIFY_AT FLAGS… FILES…`.
fn verify_files(flags: &[&str], files: &[&Path]) -> Output {
    samlkit()
        .args(["verify", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .args(flags)
        .args(files)
        .output()
        .expect("samlkit runs")
}

/// A valid response for the standard SP, written to `dir/name`.
fn valid_response(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, issue(&[])).expect("write");
    path
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Which flags are given -> which bindings go unchecked, and the warnings that say so.
const CASES: &[(&[&str], &[&str], &[&str])] = &[
    (
        &[],
        &["audience", "recipient", "issuer"],
        &[AUDIENCE_WARNING, RECIPIENT_WARNING, ISSUER_WARNING],
    ),
    (&["--audience", SP], &["recipient", "issuer"], &[RECIPIENT_WARNING, ISSUER_WARNING]),
    (&["--recipient", ACS], &["audience", "issuer"], &[AUDIENCE_WARNING, ISSUER_WARNING]),
    (&["--issuer", IDP], &["audience", "recipient"], &[AUDIENCE_WARNING, RECIPIENT_WARNING]),
    (&["--audience", SP, "--recipient", ACS], &["issuer"], &[ISSUER_WARNING]),
    (&["--audience", SP, "--issuer", IDP], &["recipient"], &[RECIPIENT_WARNING]),
    (&["--recipient", ACS, "--issuer", IDP], &["audience"], &[AUDIENCE_WARNING]),
    (&["--audience", SP, "--recipient", ACS, "--issuer", IDP], &[], &[]),
];

#[test]
fn a_valid_response_still_exits_0_with_one_warning_per_unchecked_binding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = valid_response(dir.path(), "r.xml");
    for (flags, _, warnings) in CASES {
        let out = verify_files(flags, &[&path]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(&out).contains(": valid\n"), "{flags:?}: {}", stdout(&out));
        assert_eq!(stderr_lines(&out), *warnings, "{flags:?}");
    }
}

#[test]
fn every_json_line_lists_the_unchecked_bindings_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = valid_response(dir.path(), "r.xml");
    for (flags, unchecked, warnings) in CASES {
        let out = verify_files(&[&["--json"][..], flags].concat(), &[&path]);
        assert_eq!(out.status.code(), Some(0), "{flags:?}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1, "{flags:?}");
        assert_eq!(lines[0]["valid"], true, "{flags:?}: {}", lines[0]["error"]);
        assert_eq!(lines[0]["unchecked"], serde_json::json!(unchecked), "{flags:?}");
        // The JSON is for scripts; the warnings still go to stderr, and only there.
        assert_eq!(stderr_lines(&out), *warnings, "{flags:?}");
        // The field is added after every field the SPEC lists, none of which is lost.
        let raw = stdout(&out);
        let expected_tail = format!(",\"unchecked\":{}}}", serde_json::json!(unchecked));
        assert!(raw.trim_end().ends_with(&expected_tail), "{raw}");
        for field in ["file", "valid", "error", "signed", "issuer", "name_id", "attributes"] {
            assert!(lines[0].get(field).is_some(), "{field} missing: {raw}");
        }
    }
}

#[test]
fn warnings_are_printed_once_per_run_not_once_per_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<PathBuf> =
        ["a.xml", "b.xml", "c.xml"].iter().map(|n| valid_response(dir.path(), n)).collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();

    let out = verify_files(&["--audience", SP, "--recipient", ACS], &paths);
    assert_eq!(out.status.code(), Some(0));
    // The warning once, then the batch's summary line.
    assert_eq!(stderr_lines(&out), [ISSUER_WARNING, "3 files: 3 valid"]);
    assert_eq!(stdout(&out).matches(": valid\n").count(), 3, "{}", stdout(&out));

    let out = verify_files(&["--json", "--audience", SP, "--recipient", ACS], &paths);
    assert_eq!(stderr_lines(&out), [ISSUER_WARNING]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_eq!(line["unchecked"], serde_json::json!(["issuer"]), "{line}");
    }
}

#[test]
fn failed_and_unreadable_files_carry_the_unchecked_list_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tampered = dir.path().join("tampered.xml");
    std::fs::write(&tampered, issue(&[]).replace("alice@example.com", "mallory@example.com"))
        .expect("write");
    let missing = dir.path().join("missing.xml");

    let out = verify_files(&["--json", "--issuer", IDP], &[&tampered, &missing]);
    assert_eq!(out.status.code(), Some(2), "an unreadable file is an input error");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error_code"], "digest_mismatch");
    assert_eq!(lines[1]["error_code"], "unreadable_file");
    for line in &lines {
        assert_eq!(line["valid"], false);
        assert_eq!(line["unchecked"], serde_json::json!(["audience", "recipient"]), "{line}");
    }
    // In human mode: the run's warnings first, then one `error:` line per failed file, then
    // the summary.
    let out = verify_files(&["--issuer", IDP], &[&tampered, &missing]);
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[4], "2 files: 1 invalid, 1 unreadable");
    assert_eq!(lines[..2], [AUDIENCE_WARNING, RECIPIENT_WARNING]);
    assert!(lines[2].starts_with("error: ") && lines[2].contains("Digest Mismatch"), "{lines:?}");
    assert!(lines[3].starts_with("error: ") && lines[3].contains("cannot read"), "{lines:?}");
}

#[test]
fn strict_without_every_binding_exits_2_naming_the_missing_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = valid_response(dir.path(), "r.xml");
    let cases: [(&[&str], &str); 4] = [
        (
            &[],
            "--strict requires --audience, --recipient and --issuer; missing --audience, --recipient, --issuer",
        ),
        (&["--audience", SP], "missing --recipient, --issuer"),
        (&["--audience", SP, "--issuer", IDP], "missing --recipient"),
        (&["--recipient", ACS, "--issuer", IDP], "missing --audience"),
    ];
    for (flags, message) in cases {
        for json in [false, true] {
            let mut args = vec!["--strict"];
            args.extend_from_slice(flags);
            if json {
                args.push("--json");
            }
            let out = verify_files(&args, &[&path]);
            // Exactly one `error:` line and no warning: nothing was verified.
            assert_error(&out, 2, message);
            assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        }
    }
}

#[test]
fn strict_with_every_binding_verifies_silently_and_still_checks_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = valid_response(dir.path(), "r.xml");
    let all = ["--strict", "--json", "--audience", SP, "--recipient", ACS, "--issuer", IDP];
    let out = verify_files(&all, &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_lines(&out)[0]["unchecked"], serde_json::json!([]));

    // Given values are checked as without --strict: another SP's audience fails (exit 1).
    let other = ["--strict", "--audience", "https://other-sp.example.com"];
    let out =
        verify_files(&[&other[..], &["--recipient", ACS, "--issuer", IDP]].concat(), &[&path]);
    assert_error(&out, 1, "Audience Invalid");
}

#[test]
fn metadata_mode_neither_warns_nor_accepts_strict() {
    let out = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", "https://idp.example.com/sso"])
        .args(["--cert", &fixture("certs/idp.crt"), "--sign", "--key", &fixture("keys/idp.key")])
        .output()
        .expect("samlkit runs");
    assert_success(&out);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("idp-metadata.xml");
    std::fs::write(&path, &out.stdout).expect("write");

    let out = verify_files(&["--metadata", "--json"], &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["valid"], true, "{}", lines[0]);
    assert!(lines[0].get("unchecked").is_none(), "{}", lines[0]);

    let out = verify_files(&["--metadata", "--strict"], &[&path]);
    assert_error(&out, 2, "cannot be used with '--strict'");
}

#[test]
fn verify_help_explains_the_warnings_and_strict() {
    let out = samlkit().args(["verify", "--help"]).output().expect("samlkit runs");
    assert_success(&out);
    let help = stdout(&out);
    for needle in [
        "--strict makes all",
        "three required (exit 2 without them)",
        "warning: … not checked",
        "\"unchecked\" list of every --json line",
    ] {
        assert!(help.contains(needle), "{needle:?} not in:\n{help}");
    }
}
