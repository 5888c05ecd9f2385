//! The commands that sign or publish with a credential say when its certificate is expired or
//! inside the 60-day renewal window: what they produce will be refused, or soon be, by an SP that
//! checks the certificate's dates.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{fixture, samlkit};

/// A fresh key and a certificate valid for `days` from now, in `dir`.
fn credential(dir: &std::path::Path, days: &str) -> (String, String) {
    let prefix = dir.join("soon");
    let out = samlkit()
        .args(["cert", "new", "--cn", "idp.example.com", "--days", days, "--out"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = |ext: &str| format!("{}.{ext}", prefix.display());
    (path("key"), path("crt"))
}

fn warnings(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn each_signing_command_warns_when_the_certificate_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = credential(dir.path(), "20");
    let unsigned = dir.path().join("unsigned.xml");
    let issued = samlkit()
        .args(["issue", "--key", &key, "--cert", &cert, "--issuer", "https://idp.example.com"])
        .args(["--name-id", "alice@example.com", "--sign", "none"])
        .output()
        .unwrap();
    std::fs::write(&unsigned, &issued.stdout).unwrap();
    let unsigned = unsigned.to_string_lossy().into_owned();
    let keystore = dir.path().join("out.p12").to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "issue",
            "--key",
            &key,
            "--cert",
            &cert,
            "--issuer",
            "https://idp.example.com",
            "--name-id",
            "a@b",
        ],
        vec!["sign", "--key", &key, "--cert", &cert, &unsigned],
        vec![
            "metadata",
            "--entity-id",
            "https://idp.example.com",
            "--sso-url",
            "https://idp.example.com/sso",
            "--cert",
            &cert,
        ],
        vec!["jwt", "--key", &key, "--cert", &cert, "--iss", "client", "--sub", "user@example.com"],
        vec![
            "cert",
            "export",
            "--format",
            "p12",
            "--key",
            &key,
            "--cert",
            &cert,
            "--out",
            &keystore,
            "--password-env",
            "SAMLKIT_TEST_PASSWORD",
        ],
    ];
    for args in commands {
        let out = samlkit().args(&args).env("SAMLKIT_TEST_PASSWORD", "changeit").output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let warned = warnings(&out);
        assert_eq!(warned.len(), 1, "{args:?}: {warned:?}");
        assert!(
            warned[0].contains("the signing certificate CN=idp.example.com")
                // 20 days from a moment ago: 19 or 20 whole days, depending on the second.
                && (warned[0].contains("expires in 19 days") || warned[0].contains("expires in 20 days"))
                && warned[0].contains("inside the 60-day renewal window")
                && warned[0].contains("Salesforce's 30-day reminder threshold crossed"),
            "{args:?}: {}",
            warned[0]
        );
    }
}

#[test]
fn an_expired_certificate_is_named_and_a_valid_one_is_silent() {
    let expired = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", "https://idp.example.com", "--name-id", "a@b"])
        .args(["--now", "2090-01-01T00:00:00Z"])
        .output()
        .unwrap();
    assert!(expired.status.success());
    let warned = warnings(&expired);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("expired on 2036-01-01"), "{}", warned[0]);

    let fine = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", "https://idp.example.com", "--name-id", "a@b"])
        .args(["--now", "2026-11-29T10:00:00Z"])
        .output()
        .unwrap();
    assert!(warnings(&fine).is_empty());
}
