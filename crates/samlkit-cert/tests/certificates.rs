//! Certificate loading and inspection through the public API (OpenSSL's view of the same
//! certificates is checked by the root package's `tests/cert_openssl_interop.rs`).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{TimeZone, Utc};
use common::read_fixture;
use samlkit_cert::{CertError, Certificate, KeyAlgorithm, PrivateKey};

#[test]
fn idp_certificate_facts() {
    let cert = Certificate::load(&read_fixture("certs/idp.crt")).unwrap();
    let info = cert.info();
    assert_eq!(info.subject, "CN=idp.example.com, O=Example IdP");
    assert_eq!(info.issuer, info.subject);
    assert!(info.self_issued);
    assert_eq!(info.common_name.as_deref(), Some("idp.example.com"));
    assert_eq!(info.not_before, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    assert_eq!(info.not_after, Utc.with_ymd_and_hms(2036, 1, 1, 0, 0, 0).unwrap());
    assert_eq!(info.key, KeyAlgorithm::Rsa { bits: 2048 });
    assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(info.serial.len(), 32, "16-byte serial: {}", info.serial);
    assert!(cert.to_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
}

#[test]
fn pem_and_der_load_to_the_same_certificate() {
    let pem = Certificate::load(&read_fixture("certs/idp.crt")).unwrap();
    let der = Certificate::load(&read_fixture("certs/idp.der")).unwrap();
    assert_eq!(pem, der);
    assert_eq!(der.der(), read_fixture("certs/idp.der"));
    assert_eq!(Certificate::from_der(pem.der()).unwrap(), pem);
    assert_eq!(Certificate::load(pem.to_pem().as_bytes()).unwrap(), pem);
}

#[test]
fn a_bundle_yields_every_certificate_in_order() {
    let all = Certificate::load_all(&read_fixture("certs/bundle.pem")).unwrap();
    let names: Vec<_> = all.iter().map(|c| c.info().common_name.clone().unwrap()).collect();
    assert_eq!(names, ["idp.example.com", "attacker.example.com"]);
    let first = Certificate::load(&read_fixture("certs/bundle.pem")).unwrap();
    assert_eq!(first, all[0]);
}

#[test]
fn matches_key_tells_the_pairs_apart() {
    let idp = Certificate::load(&read_fixture("certs/idp.crt")).unwrap();
    let attacker = Certificate::load(&read_fixture("certs/attacker.crt")).unwrap();
    let idp_key = PrivateKey::load(&read_fixture("keys/idp.key")).unwrap();
    let attacker_key = PrivateKey::load(&read_fixture("keys/attacker.key")).unwrap();
    assert!(idp.matches_key(&idp_key));
    assert!(attacker.matches_key(&attacker_key));
    assert!(!idp.matches_key(&attacker_key));
    assert!(!attacker.matches_key(&idp_key));
    // The expiry fixtures are all issued for the idp key.
    let expired = Certificate::load(&read_fixture("certs/expired.crt")).unwrap();
    assert!(expired.matches_key(&idp_key));
}

#[test]
fn ec_certificate_facts() {
    let cert = Certificate::load(&read_fixture("certs/ec-p256.crt")).unwrap();
    assert_eq!(cert.info().key, KeyAlgorithm::EcdsaP256);
    assert_eq!(cert.info().signature_algorithm, "ecdsa-with-SHA256");
}

#[test]
fn bad_inputs_say_what_they_are() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "no certificate found: the input is neither PEM (no -----BEGIN line) nor DER"),
        (
            b"hello world",
            "no certificate found: the input is neither PEM (no -----BEGIN line) nor DER",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
            "malformed PEM at line 1: the base64 body of the CERTIFICATE block is invalid",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\nAAAA\n",
            "malformed PEM at line 1: BEGIN CERTIFICATE has no matching END CERTIFICATE line",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
            "invalid certificate: not a DER X.509 certificate",
        ),
        (b"\x30\x03\x02\x01\x00", "invalid certificate: not a DER X.509 certificate"),
    ];
    for (input, expected) in cases {
        let err = Certificate::load(input).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{input:?}: {err}");
    }
    let err = Certificate::load(&read_fixture("keys/idp.key")).unwrap_err();
    assert_eq!(
        err,
        CertError::NotFound {
            expected: "certificate",
            found: "the PEM blocks found are PRIVATE KEY (line 1)".into()
        }
    );
}

#[test]
fn a_broken_second_certificate_is_numbered() {
    let mut bundle = read_fixture("certs/idp.crt");
    bundle.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    let err = Certificate::load_all(&bundle).unwrap_err().to_string();
    assert!(err.starts_with("invalid certificate #2:"), "{err}");
}
