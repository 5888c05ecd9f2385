//! `samlkit issue --break KIND`: every kind is rejected by `samlkit verify` (configured with the
//! legitimate certificate, audience, recipient and issuer, at the same --now) with exit 1 and
//! its own stable error code, while the unbroken response verifies.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::saml::*;
use support::*;

const STRICT: &[&str] = &["--audience", SP, "--recipient", ACS, "--issuer", IDP, "--now", ISSUED];

#[test]
fn the_unbroken_response_verifies_with_the_same_configuration() {
    for sign in ["assertion", "response", "both"] {
        let v = verify(&issue(&["--sign", sign]), STRICT);
        assert!(v.valid(), "--sign {sign}: {}", v.error());
        assert_eq!(v.code, 0);
        assert_eq!(v.json["name_id"], "alice@example.com");
    }
}

#[test]
fn every_break_kind_is_rejected_with_its_error_code() {
    for sign in ["assertion", "response", "both"] {
        for (kind, code) in BREAK_KINDS {
            let doc = issue(&["--break", kind, "--sign", sign]);
            let v = verify(&doc, STRICT);
            assert!(!v.valid(), "--break {kind} --sign {sign} was accepted:\n{doc}");
            assert_eq!(v.error_code(), *code, "--break {kind} --sign {sign}: {}", v.error());
            assert_eq!(v.code, 1, "--break {kind}: exit code");
            assert!(v.stderr.is_empty() || v.stderr.starts_with("error: "), "{}", v.stderr);
        }
    }
}

#[test]
fn every_kind_also_reaches_the_verifier_as_a_base64_form_value() {
    for (kind, code) in BREAK_KINDS {
        let doc = issue(&["--break", kind, "--format", "base64"]);
        let v = verify(&doc, STRICT);
        assert_eq!(v.error_code(), *code, "--break {kind}: {}", v.error());
    }
}

#[test]
fn wrapping_kinds_carry_the_evil_name_id_and_a_genuine_signature() {
    for kind in ["xsw1", "xsw2", "xsw3", "xsw4", "xsw5", "xsw6", "xsw7", "xsw8", "two-assertions"] {
        let doc = issue(&["--break", kind]);
        assert!(doc.contains(">attacker@evil.example</saml:NameID>"), "{kind}:\n{doc}");
        assert!(doc.contains(">alice@example.com</saml:NameID>"), "{kind}:\n{doc}");
        assert!(doc.contains("<ds:SignatureValue>"), "{kind}");
    }
    let doc = issue(&["--break", "comment-in-nameid"]);
    assert!(doc.contains(">alice@example.com<!---->.evil.example</saml:NameID>"), "{doc}");
}

#[test]
fn ecdsa_idp_keys_get_every_kind_except_sha1() {
    // The attacker key is RSA: wrong-key and keyinfo-swap pick a method it can make.
    for (kind, code) in BREAK_KINDS.iter().filter(|(k, _)| *k != "sha1") {
        let doc = issue_with("keys/ec-p256.key", "certs/ec-p256.crt", &["--break", kind]);
        let out = samlkit()
            .args(["verify", "--json", "--cert", &fixture("certs/ec-p256.crt")])
            .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP, "--now", ISSUED, "-"])
            .write_stdin(doc)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{kind}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(json["error_code"], *code, "{kind}: {json}");
    }
}

#[test]
fn time_breaks_are_relative_to_now() {
    // An hour later, the not-yet-valid response issued for 10:00 is valid, and the expired one
    // issued for 12:00 expired at 10:05 + 1h.
    let later = "2026-11-29T11:00:00Z";
    let doc = issue(&["--break", "not-yet-valid"]);
    assert!(verify(&doc, &["--now", later]).valid());
    let doc = issue(&["--break", "expired", "--now", "2026-11-29T12:00:00Z"]);
    let v = verify(&doc, &["--now", "2026-11-29T12:00:00Z"]);
    assert_eq!(v.error_code(), "assertion_expired");
    assert!(verify(&doc, &["--now", "2026-11-29T10:56:00Z"]).valid());
}

#[test]
fn break_list_prints_exactly_the_implemented_kinds_with_descriptions() {
    let out = samlkit().args(["issue", "--break", "list"]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let listed: Vec<(&str, &str)> = text
        .lines()
        .map(|l| {
            let (name, desc) = l.split_once(' ').expect("name, then a description");
            (name, desc.trim())
        })
        .collect();
    let names: Vec<&str> = listed.iter().map(|(n, _)| *n).collect();
    let expected: Vec<&str> =
        BREAK_KINDS.iter().chain(ENCRYPTED_BREAK_KINDS).map(|(k, _)| *k).collect();
    assert_eq!(names, expected);
    for (name, desc) in listed {
        assert!(desc.len() > 20, "{name} has no real description: {desc:?}");
    }
}

#[test]
fn break_errors_are_usage_errors() {
    let out = samlkit().args(["issue", "--break", "xsw9"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("--break \"xsw9\" is not a known kind"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // A kind that is not `list` still needs the legitimate values.
    let out = samlkit().args(["issue", "--break", "xsw1"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("--key"), "{err}");

    // wrong-audience / wrong-recipient need the value the SP expects.
    for (kind, flag) in [("wrong-audience", "--audience"), ("wrong-recipient", "--recipient")] {
        let out = samlkit()
            .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
            .args(["--issuer", IDP, "--name-id", "alice@example.com", "--break", kind])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{kind}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains(flag), "{kind}: {err}");
    }
    // sha1 needs an RSA key.
    let out = samlkit()
        .args([
            "issue",
            "--key",
            &fixture("keys/ec-p256.key"),
            "--cert",
            &fixture("certs/ec-p256.crt"),
        ])
        .args(["--issuer", IDP, "--name-id", "alice@example.com", "--break", "sha1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RSA"));
}

#[test]
fn the_attacker_pair_is_the_fixture_pair() {
    // samlkit-saml bundles its own copy (a packaged crate cannot reach `fixtures/`).
    let root = env!("CARGO_MANIFEST_DIR");
    for (bundled, fixture_path) in
        [("attacker.key", "keys/attacker.key"), ("attacker.crt", "certs/attacker.crt")]
    {
        let bundled = std::fs::read(format!("{root}/crates/samlkit-saml/data/{bundled}")).unwrap();
        assert_eq!(bundled, std::fs::read(fixture(fixture_path)).unwrap(), "{fixture_path}");
    }
    // What wrong-key signs with: the fixture key, whose certificate then verifies it.
    let doc = issue(&["--break", "wrong-key"]);
    let out = samlkit()
        .args(["verify", "--json", "--cert", &fixture("certs/attacker.crt")])
        .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP, "--now", ISSUED, "-"])
        .write_stdin(doc)
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["valid"], true, "{json}");
    assert_eq!(out.status.code(), Some(0));
}
