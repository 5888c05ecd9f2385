//! `samlkit redirect sign|verify` end to end, and interop with python3-saml (OneLogin).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Output;

use support::{assert_error, fixture, python_script, require, run_ok, samlkit, tools};

const SIG_ALG_256: &str = "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256";

fn sign(extra: &[&str]) -> Output {
    samlkit()
        .args(["redirect", "sign", "--key", &fixture("keys/idp.key")])
        .args(extra)
        .output()
        .unwrap()
}

fn signed_url(extra: &[&str]) -> String {
    let out = sign(extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn request_url(relay: Option<&str>) -> String {
    let file = fixture("redirect/authn-request.xml");
    let relay_args = relay.map(|r| vec!["--relay-state", r]).unwrap_or_default();
    signed_url(&to_sso(&file, &relay_args))
}

/// `--destination https://idp.example.com/sso --saml-request-file FILE EXTRA…`
fn to_sso<'a>(request_file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--destination", "https://idp.example.com/sso", "--saml-request-file"];
    args.push(request_file);
    args.extend_from_slice(extra);
    args
}

fn verify(url: &str, extra: &[&str]) -> Output {
    samlkit()
        .args(["redirect", "verify", "--cert", &fixture("certs/idp.crt")])
        .args(extra)
        .arg(url)
        .output()
        .unwrap()
}

/// A redirect URL signed by OneLogin (python3-saml) with the IdP fixture key; `mode` is `login`
/// or `login-sha1` (tests/interop/onelogin_redirect.py).
fn onelogin_login(mode: &str, relay_state: &str) -> String {
    let out = run_ok(python_script("onelogin_redirect.py").args([
        mode,
        &fixture("keys/idp.key"),
        &fixture("certs/idp.crt"),
        relay_state,
    ]));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// OneLogin's SP-side validation of `url` with the IdP certificate: its stdout, `valid` or
/// `invalid…`.
fn onelogin_validate(url: &str, parameter: &str) -> String {
    let out = run_ok(python_script("onelogin_redirect.py").args([
        "validate",
        url,
        &fixture("certs/idp.crt"),
        parameter,
    ]));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn signs_a_request_and_verifies_it() {
    let url = request_url(Some("/home?tab=1"));
    assert!(url.starts_with("https://idp.example.com/sso?SAMLRequest="), "{url}");
    assert!(
        url.contains(&format!("&RelayState=%2Fhome%3Ftab%3D1&{SIG_ALG_256}&Signature=")),
        "{url}"
    );
    let out = verify(&url, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected_xml = std::fs::read_to_string(fixture("redirect/authn-request.xml")).unwrap();
    assert!(
        text.starts_with("valid: SAMLRequest signed with rsa-sha256 by CN=idp.example.com"),
        "{text}"
    );
    assert!(text.contains("RelayState: /home?tab=1\n"), "{text}");
    assert!(text.ends_with(&expected_xml), "{text}");

    let json = verify(&url, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["parameter"], "SAMLRequest");
    assert_eq!(v["relay_state"], "/home?tab=1");
    assert_eq!(v["message"], expected_xml);
    // Same input, same URL (RSA PKCS#1 v1.5 is deterministic).
    assert_eq!(url, request_url(Some("/home?tab=1")));
}

#[test]
fn responses_existing_queries_stdin_and_other_algorithms() {
    let url = signed_url(&[
        "--destination",
        "https://sp.example.com/slo?tenant=acme",
        "--saml-response-file",
        &fixture("redirect/logout-response.xml"),
        "--alg",
        "rsa-sha512",
    ]);
    assert!(url.starts_with("https://sp.example.com/slo?tenant=acme&SAMLResponse="), "{url}");
    assert!(!url.contains("RelayState"));
    let out = samlkit()
        .args(["redirect", "verify", "--cert", &fixture("certs/idp.crt"), "-"])
        .write_stdin(format!("{url}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("valid: SAMLResponse signed with rsa-sha512")
    );

    // The message may come from stdin too.
    let from_stdin = samlkit()
        .args([
            "redirect",
            "sign",
            "--key",
            &fixture("keys/idp.key"),
            "--destination",
            "https://idp.example.com/sso",
        ])
        .args(["--saml-request-file", "-"])
        .write_stdin(std::fs::read(fixture("redirect/authn-request.xml")).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(from_stdin.stdout).unwrap().trim(), request_url(None));

    // ECDSA with an EC key.
    let ec = samlkit()
        .args([
            "redirect",
            "sign",
            "--key",
            &fixture("keys/ec-p256.key"),
            "--destination",
            "https://idp.example.com/sso",
        ])
        .args([
            "--saml-request-file",
            &fixture("redirect/authn-request.xml"),
            "--alg",
            "ecdsa-sha256",
        ])
        .output()
        .unwrap();
    let ec_url = String::from_utf8(ec.stdout).unwrap();
    let ok = samlkit()
        .args(["redirect", "verify", "--cert", &fixture("certs/ec-p256.crt"), ec_url.trim()])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn verification_failures_exit_1() {
    let url = request_url(Some("state"));
    assert_error(
        &verify(&url.replace("RelayState=state", "RelayState=other"), &[]),
        1,
        "Signature Invalid: ",
    );
    assert_error(&verify(&url.replace("&RelayState=state", ""), &[]), 1, "Signature Invalid: ");
    let wrong_cert = samlkit()
        .args(["redirect", "verify", "--cert", &fixture("certs/attacker.crt"), &url])
        .output()
        .unwrap();
    assert_error(&wrong_cert, 1, "Signature Invalid: ");
    // Re-encoding a value (lower-case hex) changes the signed octets: the raw query is what counts.
    let (base, rest) = url.split_once("SAMLRequest=").unwrap();
    let (message, tail) = rest.split_once('&').unwrap();
    let lowered = message.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d");
    assert_ne!(lowered, message);
    assert_error(
        &verify(&format!("{base}SAMLRequest={lowered}&{tail}"), &[]),
        1,
        "Signature Invalid: ",
    );
    // Parameter order on the wire does not matter.
    let (_, query) = url.split_once('?').unwrap();
    let mut params: Vec<&str> = query.split('&').collect();
    params.reverse();
    assert!(
        verify(&format!("https://idp.example.com/sso?{}", params.join("&")), &[]).status.success()
    );

    let (unsigned, _) = url.split_once("&SigAlg=").unwrap();
    assert_error(&verify(unsigned, &[]), 1, "not signed (no SigAlg parameter)");
    let downgraded = url.replace("xmldsig-more%23rsa-sha256", "xmldsig-more%23hmac-sha256");
    assert_error(
        &verify(&downgraded, &[]),
        1,
        "unknown SigAlg 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256'",
    );
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn sha1_is_refused_unless_allowed() {
    require(&tools::PYTHON3_SAML);
    // OneLogin signs with rsa-sha1 when asked: a real legacy SP's URL.
    let url = onelogin_login("login-sha1", "legacy");
    assert!(url.contains("xmldsig%23rsa-sha1"), "{url}");
    assert_error(&verify(&url, &[]), 1, "rsa-sha1 is refused (SHA-1 is broken); pass --allow-sha1");
    let ok = verify(&url, &["--allow-sha1"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn input_errors_exit_2() {
    let req = fixture("redirect/authn-request.xml");
    let der = fixture("certs/idp.der");
    let pem = fixture("certs/idp.crt");
    let long = "x".repeat(81);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--destination", "https://idp.example.com/sso"],
            "--saml-request-file <FILE>|--saml-response-file <FILE>",
        ),
        (to_sso(&req, &["--saml-response-file", &req]), "cannot be used with"),
        (
            vec!["--destination", "idp.example.com/sso", "--saml-request-file", &req],
            "is not an absolute http(s) URL",
        ),
        (
            vec!["--destination", "https://idp.example.com/sso#top", "--saml-request-file", &req],
            "has a #fragment",
        ),
        (
            to_sso("/nonexistent.xml", &[]),
            "cannot read /nonexistent.xml: no such file or directory",
        ),
        (to_sso(&der, &[]), "not UTF-8 text"),
        (to_sso(&pem, &[]), "does not look like XML"),
        (to_sso(&req, &["--alg", "rsa-sha1"]), "invalid value 'rsa-sha1' for '--alg <ALG>'"),
        (to_sso(&req, &["--relay-state", &long]), "RelayState is 81 bytes"),
    ];
    for (extra, needle) in cases {
        assert_error(&sign(&extra), 2, needle);
    }
    let ec = sign(&to_sso(&req, &["--alg", "ecdsa-sha256"]));
    assert_error(&ec, 2, "signature algorithm ecdsa-sha256 cannot be used with a RSA 2048 key");

    let url = request_url(None);
    let verify_cases: Vec<(String, &str)> = vec![
        ("https://idp.example.com/sso".into(), "no query string"),
        (
            "https://idp.example.com/sso?RelayState=x".into(),
            "no SAMLRequest or SAMLResponse parameter",
        ),
        (format!("{url}&SAMLResponse=abc"), "more than one SAMLRequest/SAMLResponse"),
        (format!("{url}&Signature=abc"), "the Signature parameter appears more than once"),
        (url.replacen("SAMLRequest=", "SAMLRequest=%%", 1), "bad percent-escape"),
        (url.replacen("SAMLRequest=", "SAMLRequest=AAAA", 1), "cannot decode SAMLRequest"),
    ];
    for (bad, needle) in verify_cases {
        assert_error(&verify(&bad, &[]), 2, needle);
    }
    let not_cert = samlkit()
        .args(["redirect", "verify", "--cert", &fixture("keys/idp.key"), &url])
        .output()
        .unwrap();
    assert_eq!(not_cert.status.code(), Some(2));
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn onelogin_accepts_our_urls_and_we_accept_onelogins() {
    require(&tools::PYTHON3_SAML);
    // Ours -> OneLogin's SP-side validation (signed octets rebuilt from the raw query string).
    let url = request_url(Some("a b/c?d=e"));
    assert_eq!(onelogin_validate(&url, "SAMLRequest").trim(), "valid");
    let response = signed_url(&[
        "--destination",
        "https://sp.example.com/slo",
        "--saml-response-file",
        &fixture("redirect/logout-response.xml"),
        "--relay-state",
        "xyz",
    ]);
    assert_eq!(onelogin_validate(&response, "SAMLResponse").trim(), "valid");
    // ...and it rejects what we reject.
    let tampered = url.replace("RelayState=a", "RelayState=b");
    assert!(onelogin_validate(&tampered, "SAMLRequest").starts_with("invalid"));

    // OneLogin's Auth.login() (quote_plus encoding, '+' for spaces) -> ours.
    let theirs = onelogin_login("login", "https://sp.example.com/after login");
    assert!(theirs.contains("RelayState=https%3A%2F%2Fsp.example.com%2Fafter+login"), "{theirs}");
    let ok = verify(&theirs, &[]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let text = String::from_utf8(ok.stdout).unwrap();
    assert!(text.contains("RelayState: https://sp.example.com/after login\n"), "{text}");
    assert!(text.contains("<saml:Issuer>https://sp.example.com/metadata</saml:Issuer>"), "{text}");
}

#[test]
fn several_trusted_certificates_for_a_rotation() {
    let url = request_url(Some("r"));
    let rotated = samlkit()
        .args([
            "redirect",
            "verify",
            "--cert",
            &fixture("certs/ec-p256.crt"),
            "--cert",
            &fixture("certs/attacker.crt"),
        ])
        .args(["--cert", &fixture("certs/idp.crt"), &url])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("by CN=idp.example.com"));
    let untrusted = samlkit()
        .args([
            "redirect",
            "verify",
            "--cert",
            &fixture("certs/ec-p256.crt"),
            "--cert",
            &fixture("certs/attacker.crt"),
            &url,
        ])
        .output()
        .unwrap();
    assert_error(&untrusted, 1, "Signature Invalid: ");
}

#[test]
fn json_mode_reports_failed_checks_on_stdout_too() {
    let url = request_url(Some("r")).replace("RelayState=r", "RelayState=x");
    let out = verify(&url, &["--json"]);
    assert_error(&out, 1, "Signature Invalid: ");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().starts_with("Signature Invalid: "), "{v}");
    let bad = verify("https://idp.example.com/sso", &["--json"]);
    assert_error(&bad, 2, "no query string");
    assert!(bad.stdout.is_empty());
}

#[test]
fn the_message_is_parsed_and_must_fit_its_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.xml");
    let request = std::fs::read_to_string(fixture("redirect/authn-request.xml")).unwrap();
    std::fs::write(&truncated, &request[..request.len() / 2]).unwrap();
    let truncated = truncated.to_string_lossy().into_owned();
    assert_error(&sign(&to_sso(&truncated, &[])), 2, "Malformed XML: ");

    // A Response is not an AuthnRequest: refused under --saml-request-file.
    let response = dir.path().join("response.xml");
    std::fs::write(
        &response,
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>",
    )
    .unwrap();
    let response = response.to_string_lossy().into_owned();
    assert_error(
        &sign(&to_sso(&response, &[])),
        2,
        "the SAMLRequest message is <samlp:Response> (urn:oasis:names:tc:SAML:2.0:protocol), not a SAML protocol request",
    );
    // The same Response under SAMLResponse signs and verifies.
    let url = signed_url(&[
        "--destination",
        "https://sp.example.com/slo",
        "--saml-response-file",
        &response,
    ]);
    assert!(verify(&url, &[]).status.success());
}
