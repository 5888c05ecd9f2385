//! samlkit-cert's library API (not the CLI) checked by OpenSSL: generated certificates, CSRs and
//! keys are read and verified by `openssl`, and RSA signatures match its bytes exactly.
//!
//! These live in the root package rather than in `crates/samlkit-cert/tests` because the root's
//! build script probes for the tool: without openssl they are reported as ignored (with the
//! reason), and under SAMLKIT_REQUIRE_INTEROP they fail. A library crate's own build script would
//! run that probe on every downstream build.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Duration, TimeZone, Utc};
use samlkit_cert::{Certificate, PrivateKey, RsaKeySize, SignatureAlgorithm, Subject, generate};
use support::{fixture, require, tools};

/// Runs `openssl ARGS` with `stdin` as its input.
fn openssl(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write to openssl");
    child.wait_with_output().expect("openssl ran")
}

/// Like [`openssl`] but asserts success and returns stdout as text.
fn openssl_ok(args: &[&str], stdin: &[u8]) -> String {
    let out = openssl(args, stdin);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn reference_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn idp_key() -> PrivateKey {
    PrivateKey::load(&std::fs::read(fixture("keys/idp.key")).unwrap()).unwrap()
}

fn full_subject() -> Subject {
    Subject {
        common_name: "idp.example.com".into(),
        organization: Some("Example Corp".into()),
        organizational_unit: Some("Identity".into()),
        locality: Some("San Francisco".into()),
        state: Some("California".into()),
        country: Some("US".into()),
        email: Some("identity@example.com".into()),
    }
}

const FULL_SUBJECT_OPENSSL: &str = "C = US, ST = California, L = San Francisco, O = Example Corp, OU = Identity, CN = idp.example.com, emailAddress = identity@example.com";

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn serial_and_fingerprints_agree_with_openssl() {
    require(&tools::OPENSSL);
    let pem = std::fs::read(fixture("certs/idp.crt")).unwrap();
    let cert = Certificate::load(&pem).unwrap();
    let serial = openssl_ok(&["x509", "-noout", "-serial"], &pem);
    assert_eq!(serial.trim(), format!("serial={}", cert.info().serial));
    let sha1 = openssl_ok(&["x509", "-noout", "-fingerprint", "-sha1"], &pem);
    assert_eq!(sha1.trim(), format!("sha1 Fingerprint={}", cert.sha1_fingerprint()));
    let sha256 = openssl_ok(&["x509", "-noout", "-fingerprint", "-sha256"], &pem);
    assert_eq!(sha256.trim(), format!("sha256 Fingerprint={}", cert.sha256_fingerprint()));
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_reads_a_generated_self_signed_certificate() {
    require(&tools::OPENSSL);
    let now = reference_day();
    let cert = generate::self_signed(&idp_key(), &full_subject(), now, 365).unwrap();
    let pem = cert.to_pem();
    let text = openssl_ok(&["x509", "-noout", "-text"], pem.as_bytes());
    for expected in [
        "Version: 3 (0x2)",
        "Signature Algorithm: sha256WithRSAEncryption",
        &format!("Subject: {FULL_SUBJECT_OPENSSL}"),
        "X509v3 Basic Constraints: critical\n                CA:FALSE",
        "Digital Signature, Key Encipherment",
        "X509v3 Subject Key Identifier",
        "Public-Key: (2048 bit)",
        "Not Before: Jun  1 00:00:00 2026 GMT",
        "Not After : Jun  1 00:00:00 2027 GMT",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A self-signed certificate verifies against itself (at a time inside its validity).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.crt");
    std::fs::write(&path, &pem).unwrap();
    let path = path.to_str().unwrap();
    let attime = (now + Duration::days(1)).timestamp().to_string();
    let out = openssl(&["verify", "-attime", &attime, "-CAfile", path, path], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn csr_verifies_with_openssl_and_carries_the_subject() {
    require(&tools::OPENSSL);
    let csr = generate::certificate_request(&idp_key(), &full_subject()).unwrap();
    let pem = csr.to_pem();
    let out = openssl(&["req", "-verify", "-noout", "-subject"], pem.as_bytes());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(format!("{stdout}{stderr}").contains("verify OK"), "{stdout}{stderr}");
    assert!(stdout.contains(FULL_SUBJECT_OPENSSL), "{stdout}");
    // The request's public key is the idp key.
    let pubkey = openssl_ok(&["req", "-noout", "-pubkey"], pem.as_bytes());
    assert_eq!(pubkey, idp_key().public_key().to_pem());
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_reads_our_pkcs8_pem() {
    require(&tools::OPENSSL);
    let key = PrivateKey::load(&std::fs::read(fixture("keys/idp-pkcs1.key")).unwrap()).unwrap();
    let text = openssl_ok(&["pkey", "-noout", "-text"], key.to_pkcs8_pem().as_bytes());
    assert!(text.contains("Private-Key: (2048 bit"), "{text}");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_checks_a_generated_rsa_key() {
    require(&tools::OPENSSL);
    let key = PrivateKey::generate_rsa(RsaKeySize::Bits2048).unwrap();
    let out = openssl(&["pkey", "-check", "-noout"], key.to_pkcs8_pem().as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Key is valid"), "{text}");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn rsa_signatures_match_openssl_byte_for_byte() {
    require(&tools::OPENSSL);
    let signer = idp_key().signer().unwrap();
    let message = b"interop message";
    let key_path = fixture("keys/idp.key");
    for (alg, digest) in [
        (SignatureAlgorithm::RsaSha1, "-sha1"),
        (SignatureAlgorithm::RsaSha256, "-sha256"),
        (SignatureAlgorithm::RsaSha512, "-sha512"),
    ] {
        let ours = signer.sign(alg, message).unwrap();
        let out = openssl(&["dgst", digest, "-sign", &key_path], message);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(ours, out.stdout, "{alg}: PKCS#1 v1.5 is deterministic");
    }
}
