//! `samlkit jwt` and `samlkit jwt verify` end to end, and interop with PyJWT.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_error, fixture, python_script, require, run_ok, samlkit, tools};

const NOW: &str = "2026-03-01T12:00:00Z";
const EXP: i64 = 1_772_366_400 + 180; // NOW + the default ttl

fn issue(extra: &[&str]) -> std::process::Output {
    samlkit()
        .args([
            "jwt",
            "--key",
            &fixture("keys/idp.key"),
            "--iss",
            "client-1",
            "--sub",
            "alice@example.com",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn token(extra: &[&str]) -> String {
    let out = issue(extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn verify(token: &str, extra: &[&str]) -> std::process::Output {
    samlkit()
        .args(["jwt", "verify", "--cert", &fixture("certs/idp.crt")])
        .args(extra)
        .arg(token)
        .output()
        .unwrap()
}

#[test]
fn issues_and_verifies_with_json_claims() {
    let t = token(&["--now", NOW, "--kid", "sso-2026"]);
    assert_eq!(t.matches('.').count(), 2);
    let out = verify(&t, &["--now", "2026-03-01T12:01:00Z", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["header"], serde_json::json!({"alg": "RS256", "kid": "sso-2026"}));
    assert_eq!(
        v["claims"],
        serde_json::json!({"iss": "client-1", "sub": "alice@example.com", "aud": "https://login.salesforce.com", "exp": EXP})
    );
    assert_eq!(v["expires_in"], 120);

    let human = verify(&t, &["--now", NOW]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.starts_with("valid: RS256 signature by CN=idp.example.com"), "{text}");
    assert!(text.contains("sub: alice@example.com\n"), "{text}");
    assert!(text.contains("exp: 1772366580 (2026-03-01T12:03:00Z, in 3m 0s)"), "{text}");
}

#[test]
fn same_inputs_same_token_and_jti_makes_them_unique() {
    assert_eq!(token(&["--now", NOW]), token(&["--now", NOW]));
    let a = token(&["--now", NOW, "--jti"]);
    let b = token(&["--now", NOW, "--jti"]);
    assert_ne!(a, b);
}

#[test]
fn token_from_stdin() {
    let t = token(&["--now", NOW]);
    let out = samlkit()
        .args(["jwt", "verify", "--cert", &fixture("certs/idp.crt"), "--now", NOW, "-"])
        .write_stdin(format!("{t}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("valid: RS256 signature by CN=idp.example.com"), "{text}");
    for claim in [
        "iss: client-1\n",
        "sub: alice@example.com\n",
        "aud: https://login.salesforce.com\n",
        "exp: 1772366580 (2026-03-01T12:03:00Z, in 3m 0s)\n",
    ] {
        assert!(text.contains(claim), "no {claim:?} in\n{text}");
    }
    // A forged token read from standard input fails the same way: this token's header and claims
    // with the signature of another token (one with a `kid`).
    let other = token(&["--now", NOW, "--kid", "k1"]);
    let forged = format!("{}.{}", t.rsplit_once('.').unwrap().0, other.rsplit_once('.').unwrap().1);
    let out = samlkit()
        .args(["jwt", "verify", "--cert", &fixture("certs/idp.crt"), "--now", NOW, "-"])
        .write_stdin(format!("{forged}\n"))
        .output()
        .unwrap();
    assert_error(&out, 1, "signature invalid: the token was not signed by this certificate's key");
}

#[test]
fn issue_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["--ttl", "181"], "--valid-for 181 is longer than the 180 s Salesforce accepts"),
        (&["--ttl", "0", "--force"], "--valid-for 0 must be between 1 and"),
        (&["--aud", "http://login.salesforce.com"], "is not a Salesforce login URL"),
        (&["--aud", "login.salesforce.com"], "is not a Salesforce login URL"),
        (&["--now", "tomorrow"], "invalid value 'tomorrow' for '--now <RFC3339>'"),
        (&["--bogus"], "unexpected argument '--bogus'"),
    ];
    for (extra, needle) in cases {
        assert_error(&issue(extra), 2, needle);
    }
    // --force lifts the Salesforce rules.
    assert!(
        issue(&["--ttl", "3600", "--aud", "http://localhost:8080/token", "--force"])
            .status
            .success()
    );
    assert!(issue(&["--aud", "https://test.salesforce.com"]).status.success());

    let ec = samlkit()
        .args(["jwt", "--key", &fixture("keys/ec-p256.key"), "--iss", "c", "--sub", "u"])
        .output()
        .unwrap();
    assert_error(&ec, 2, "RS256 needs an RSA key, but this key is EC P-256");
    let missing_file = samlkit()
        .args(["jwt", "--key", "/nonexistent.key", "--iss", "c", "--sub", "u"])
        .output()
        .unwrap();
    assert_error(&missing_file, 2, "cannot read /nonexistent.key: no such file or directory");
    let missing_flag = samlkit().args(["jwt", "--key", "k"]).output().unwrap();
    assert_error(&missing_flag, 2, "--issuer <CLIENT_ID> --subject <USERNAME>");
    let both = samlkit().args(["jwt", "--iss", "c", "verify"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn verify_failures_exit_1_and_input_errors_exit_2() {
    let t = token(&["--now", NOW]);
    assert_error(
        &verify(&t, &["--now", "2026-03-01T12:03:31Z"]),
        1,
        "token expired at 2026-03-01T12:03:00Z (31s before now",
    );
    assert!(verify(&t, &["--now", "2026-03-01T12:03:30Z"]).status.success(), "30 s skew");
    assert_error(
        &verify(&t, &["--now", NOW, "--aud", "https://test.salesforce.com"]),
        1,
        "audience mismatch",
    );
    let wrong_cert = samlkit()
        .args(["jwt", "verify", "--cert", &fixture("certs/attacker.crt"), "--now", NOW, &t])
        .output()
        .unwrap();
    assert_error(&wrong_cert, 1, "signature invalid");

    let (_, rest) = t.split_once('.').unwrap();
    // {"alg":"none"} and {"alg":"HS256"}
    assert_error(
        &verify(&format!("eyJhbGciOiJub25lIn0.{rest}"), &["--now", NOW]),
        1,
        "algorithm refused: the token says alg=\"none\"",
    );
    assert_error(
        &verify(&format!("eyJhbGciOiJIUzI1NiJ9.{rest}"), &["--now", NOW]),
        1,
        "only RS256 is accepted",
    );

    assert_error(
        &verify("not-a-token", &["--now", NOW, "--token"]),
        2,
        "malformed token: expected 3 dot-separated parts",
    );
    assert_error(&verify("e30.e30.", &["--now", NOW]), 2, "malformed token: the header has no alg");
    let bad_cert =
        samlkit().args(["jwt", "verify", "--cert", &fixture("keys/idp.key"), &t]).output().unwrap();
    assert_eq!(bad_cert.status.code(), Some(2));
}

#[test]
#[cfg_attr(
    missing_python3_jwt,
    ignore = "PyJWT for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn pyjwt_verifies_our_tokens_and_we_verify_pyjwt_tokens() {
    require(&tools::PYTHON3_JWT);
    // Ours -> PyJWT (real clock: PyJWT checks exp against time.time()).
    let t = token(&["--kid", "k1", "--jti"]);
    let out = run_ok(python_script("pyjwt_tokens.py").args([
        "verify",
        &t,
        &fixture("certs/idp.crt"),
        "https://login.salesforce.com",
    ]));
    let decoded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["header"]["alg"], "RS256");
    assert_eq!(decoded["header"]["kid"], "k1");
    assert_eq!(decoded["claims"]["sub"], "alice@example.com");
    assert_eq!(decoded["claims"]["iss"], "client-1");

    // PyJWT -> ours.
    let out = run_ok(python_script("pyjwt_tokens.py").args([
        "issue",
        &fixture("keys/idp.key"),
        "client-2",
        "bob@example.com",
        "https://test.salesforce.com",
    ]));
    let theirs = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let ok = verify(&theirs, &["--aud", "https://test.salesforce.com", "--json"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["claims"]["sub"], "bob@example.com");
    assert_eq!(v["header"]["kid"], "pyjwt");

    // The algorithm-confusion forgery (HS256 keyed with the public key) is refused.
    let out =
        run_ok(python_script("pyjwt_tokens.py").args(["hs256-forgery", &fixture("certs/idp.crt")]));
    let forged = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_error(&verify(&forged, &[]), 1, "algorithm refused");
}

#[test]
fn help_teaches_each_command() {
    let cases: &[(&[&str], &str)] = &[
        (&["jwt", "--help"], "needs --force"),
        (&["jwt", "verify", "--help"], "never be abused as an HMAC secret"),
        (&["redirect", "--help"], "SAMLRequest=…&RelayState=…&SigAlg=…"),
        (&["redirect", "sign", "--help"], "appended with &"),
        (&["redirect", "verify", "--help"], "rebuilt from the raw query string"),
        (&["cert", "export", "--help"], "never a plain flag"),
        (&["cert", "import", "--help"], "writes nothing"),
    ];
    for (args, needle) in cases {
        let out = samlkit().args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Example") || args.contains(&"verify") || args.contains(&"sign"),
            "{args:?}: {text}"
        );
        assert!(text.contains(needle), "{args:?} should mention {needle:?}: {text}");
    }
}

#[test]
fn several_trusted_certificates_for_a_rotation() {
    let t = token(&["--now", NOW]);
    let rotated = samlkit()
        .args([
            "jwt",
            "verify",
            "--now",
            NOW,
            "--cert",
            &fixture("certs/ec-p256.crt"),
            "--cert",
            &fixture("certs/attacker.crt"),
        ])
        .args(["--cert", &fixture("certs/idp.crt"), &t])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("by CN=idp.example.com"));
    let untrusted = samlkit()
        .args(["jwt", "verify", "--now", NOW, "--cert", &fixture("certs/attacker.crt"), &t])
        .output()
        .unwrap();
    assert_error(&untrusted, 1, "signature invalid");
}

#[test]
fn json_mode_reports_failed_checks_on_stdout_too() {
    let t = token(&["--now", NOW]);
    let out = verify(&t, &["--now", "2026-03-02T00:00:00Z", "--json"]);
    assert_error(&out, 1, "token expired");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(
        v["error"].as_str().unwrap().starts_with("token expired at 2026-03-01T12:03:00Z"),
        "{v}"
    );
    // Input errors (exit 2) stay on stderr only.
    let bad = verify("garbage", &["--json", "--token"]);
    assert_error(&bad, 2, "malformed token");
    assert!(bad.stdout.is_empty());
}
