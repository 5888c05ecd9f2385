//! `samlkit verify` and the profile rules that show on the command line: a bare Assertion only
//! with `--allow-bare-assertion`, the same Assertion twice in one run, a form body with two
//! SAMLResponse fields, an expired trusted certificate, and the replay-cache fields of `--json`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::saml::{ACS, IDP, SP, VERIFY_AT, issue, verify};
use support::{fixture, samlkit, stdout};

#[test]
fn a_bare_assertion_is_refused_unless_allowed() {
    let response = issue(&["--sign", "none"]);
    let start = response.find("<saml:Assertion ").unwrap();
    let end = response.find("</samlp:Response>").unwrap();
    let bare = &response[start..end];
    let signed = samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt"), "-"])
        .write_stdin(bare)
        .output()
        .unwrap();
    assert!(signed.status.success());
    let bare_signed = String::from_utf8(signed.stdout).unwrap();

    let refused = verify(&bare_signed, &[]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert_eq!(refused.error_code(), "bare_assertion");
    assert!(
        refused.error().contains("Bare Assertion Refused")
            && refused.error().contains("pass --allow-bare-assertion to accept it"),
        "{}",
        refused.error()
    );
    let allowed = verify(&bare_signed, &["--allow-bare-assertion"]);
    assert!(allowed.valid(), "{}", allowed.raw);
    assert_eq!(allowed.json["response_id"], serde_json::Value::Null);
}

#[test]
fn the_same_assertion_twice_in_one_run_is_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let response = issue(&[]);
    let first = dir.path().join("first.xml");
    let again = dir.path().join("again.xml");
    std::fs::write(&first, &response).unwrap();
    std::fs::write(&again, &response).unwrap();
    let out = samlkit()
        .args(["verify", "--json", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP])
        .arg(&first)
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["error_code"], "replayed");
    let message = lines[1]["error"].as_str().unwrap();
    assert!(message.contains("already accepted in this run") && message.contains("first.xml"));
    // The fields a caller needs for a replay cache across runs.
    let assertion_id = lines[0]["assertion_id"].as_str().unwrap();
    assert!(response.contains(&format!("ID=\"{assertion_id}\"")), "{assertion_id}");
    assert!(lines[0]["response_id"].as_str().unwrap().starts_with('_'));
    assert_eq!(lines[0]["issue_instant"], "2026-11-29T10:00:00Z");
    assert_eq!(lines[0]["in_response_to"], "_req1");
    assert_eq!(lines[0]["authn_instant"], "2026-11-29T10:00:00Z");
    assert_eq!(lines[0]["cert_status"], "ok");
}

#[test]
fn a_form_body_with_two_saml_responses_is_refused() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(issue(&[]));
    let encoded = b64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    for (body, what) in [
        (format!("SAMLResponse={encoded}&SAMLResponse={encoded}"), "SAMLResponse 2 times"),
        (format!("SAMLResponse={encoded}&RelayState=a&RelayState=b"), "RelayState 2 times"),
    ] {
        let v = verify(&body, &[]);
        assert_eq!(v.code, 1, "{what}: {}", v.stderr);
        assert_eq!(v.error_code(), "duplicate_parameter");
        assert!(v.error().contains(what), "{}", v.error());
    }
}

#[test]
fn an_expired_trusted_certificate_warns_and_strict_refuses() {
    // The IdP certificate fixture's notAfter, then a response issued a day later.
    let show =
        samlkit().args(["cert", "show", "--json", &fixture("certs/idp.crt")]).output().unwrap();
    let info: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let not_after: chrono::DateTime<chrono::Utc> =
        info["not_after"].as_str().unwrap().parse().unwrap();
    let issued = (not_after + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let at = (not_after + chrono::Duration::days(1) + chrono::Duration::seconds(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let response = issue(&["--now", &issued]);

    let warned =
        verify(&response, &["--now", &at, "--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    assert!(warned.valid(), "{}", warned.raw);
    assert_eq!(warned.json["cert_status"], "expired");
    let warning: Vec<&str> = warned.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warning.len(), 1, "{}", warned.stderr);
    assert!(warning[0].contains("expired on") && warning[0].contains("--strict refuses it"));

    let strict = verify(
        &response,
        &["--now", &at, "--audience", SP, "--recipient", ACS, "--issuer", IDP, "--strict"],
    );
    assert_eq!(strict.code, 1);
    assert_eq!(strict.error_code(), "certificate_expired");
    assert!(strict.error().contains("Certificate Expired"), "{}", strict.error());
}

#[test]
fn no_command_signs_with_rsa_sha1() {
    let cert = fixture("certs/idp.crt");
    let key = fixture("keys/idp.key");
    let unsigned = issue(&["--sign", "none"]);
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (
            vec![
                "issue",
                "--key",
                &key,
                "--cert",
                &cert,
                "--issuer",
                IDP,
                "--name-id",
                "a@b",
                "--alg",
                "rsa-sha1",
            ],
            None,
        ),
        (
            vec!["sign", "--key", &key, "--cert", &cert, "--alg", "rsa-sha1", "-"],
            Some(unsigned.as_str()),
        ),
        (
            vec![
                "metadata",
                "--entity-id",
                IDP,
                "--sso-url",
                "https://idp.example.com/sso",
                "--cert",
                &cert,
                "--sign",
                "--key",
                &key,
                "--alg",
                "rsa-sha1",
            ],
            None,
        ),
    ];
    for (args, stdin) in cases {
        let mut cmd = samlkit();
        cmd.args(&args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = cmd.output().unwrap();
        support::assert_error(&out, 2, "--alg rsa-sha1 is refused: SHA-1 signatures are broken");
    }
}
