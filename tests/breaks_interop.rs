//! The broken responses are broken for an independent SP too: OneLogin's python3-saml in strict
//! mode (tests/interop/onelogin_verify.py) accepts the genuine response and rejects every
//! `--break` kind, with three documented exceptions where it does not reject but is still not
//! fooled (see `TOLERATED`).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::saml::*;
use support::*;

/// Kinds python3-saml 1.12 (Debian 12) lets through, and why that is not a login as alice:
/// - `comment-in-nameid`: it reads the whole NameID text, `alice@example.com.evil.example`;
/// - `sha1`: it has no setting to refuse RSA-SHA1 before 1.15 (`rejectDeprecatedAlgorithm`); the
///   signature is genuine, only the algorithm is deprecated;
/// - `issuer-format`: it does not check the Issuer's Format (profiles §4.1.4.2); the assertion is
///   the genuine one, signed by the IdP, only its Issuer is mislabelled.
///
/// Every other kind it refuses; for `duplicate-field` it reads the last SAMLResponse field, as a
/// Django or PHP application does, and refuses that unsigned response.
const TOLERATED: &[(&str, &str)] = &[
    ("comment-in-nameid", "OK alice@example.com.evil.example"),
    ("sha1", "OK alice@example.com"),
    ("issuer-format", "OK alice@example.com"),
];

fn onelogin(doc: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.xml");
    std::fs::write(&path, doc).expect("write");
    let out = python_script("onelogin_verify.py")
        .arg(fixture("certs/idp.crt"))
        .arg(&path)
        .args([IDP, SP, ACS, "assertion"])
        .output()
        .expect("python3 runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn python3_saml_rejects_every_break_kind() {
    require(&tools::PYTHON3_SAML);
    // python3-saml checks times against its own clock, so issue at the current time.
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (ok, said) = onelogin(&issue(&["--now", &now]));
    assert!(ok, "python3-saml refused the genuine response: {said}");
    assert_eq!(said, "OK alice@example.com");

    for (kind, _) in BREAK_KINDS {
        let (ok, said) = onelogin(&issue(&["--now", &now, "--break", kind]));
        match TOLERATED.iter().find(|(k, _)| k == kind) {
            Some((_, expected)) if ok => assert_eq!(said, *expected, "{kind}"),
            Some(_) => {}
            None => assert!(!ok, "python3-saml accepted --break {kind}: {said}"),
        }
        assert_ne!(said, "OK attacker@evil.example", "{kind}");
    }
}
