//! Certificates for (mutual) TLS through the built binary: `cert new --usage/--san`,
//! `cert ca new`, `cert sign`, `cert chain`, the extensions `cert show` prints, and OpenSSL's
//! judgement of what they make (`openssl verify -purpose sslclient`, `openssl x509 -text`).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{assert_error, assert_success, fixture, mode, require, run_in, stdout, tools};

const NOW: &str = "2026-06-01T00:00:00Z";

/// A CA (`ca.crt`, `ca.key`), a CSR for the idp key (`client.csr`) and a client certificate
/// issued from it (`client.crt`), all in `dir`.
fn private_ca_and_client(dir: &Path) {
    assert_success(&run_in(
        dir,
        &[
            "cert",
            "ca",
            "new",
            "--cn",
            "Test mTLS CA",
            "--key-type",
            "ec-p256",
            "--out",
            "ca",
            "--now",
            NOW,
        ],
    ));
    let key = fixture("keys/idp.key");
    assert_success(&run_in(
        dir,
        &["cert", "csr", "--key", &key, "--cn", "client.example.com", "--out", "client.csr"],
    ));
    assert_success(&run_in(
        dir,
        &[
            "cert",
            "sign",
            "client.csr",
            "--ca",
            "ca.crt",
            "--ca-key",
            "ca.key",
            "--usage",
            "client",
            "--san",
            "DNS:client.example.com",
            "--out",
            "client.crt",
            "--now",
            NOW,
        ],
    ));
}

fn openssl_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs")
}

#[test]
fn ca_new_writes_a_ca_certificate_and_a_0600_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "cert",
            "ca",
            "new",
            "--cn",
            "Test mTLS CA",
            "--path-len",
            "1",
            "--out",
            "ca",
            "--now",
            NOW,
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.contains("wrote ca.crt (CA certificate, PEM)"), "{text}");
    assert!(text.contains("wrote ca.key (CA private key, PKCS#8 PEM, mode 0600)"), "{text}");
    assert!(text.contains("constraints  CA:TRUE, pathlen:1"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");
    assert_eq!(mode(&dir.path().join("ca.key")), 0o600);
    // Never overwritten without --force; both files are checked before either is written.
    let again = run_in(dir.path(), &["cert", "ca", "new", "--cn", "Test mTLS CA", "--out", "ca"]);
    assert_error(&again, 2, "ca.key already exists; use --force to overwrite it");
    assert_success(&run_in(
        dir.path(),
        &["cert", "ca", "new", "--cn", "Test mTLS CA", "--out", "ca", "--force"],
    ));
}

#[test]
fn new_with_usage_and_sans_shows_them_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "cert",
            "new",
            "--cn",
            "api.example.com",
            "--usage",
            "client+server",
            "--san",
            "DNS:api.example.com",
            "--san",
            "127.0.0.1",
            "--san",
            "email:ops@example.com",
            "--san",
            "URI:spiffe://example.com/api",
            "--out",
            "api",
            "--now",
            NOW,
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    for expected in [
        "serverAuth, clientAuth",
        "Digital Signature, Key Encipherment",
        "CA:FALSE",
        "DNS:api.example.com, IP Address:127.0.0.1, email:ops@example.com, URI:spiffe://example.com/api",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let json = run_in(dir.path(), &["cert", "show", "api.crt", "--json"]);
    assert_success(&json);
    let value: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    assert_eq!(value["extended_key_usage"], serde_json::json!(["serverAuth", "clientAuth"]));
    assert_eq!(value["key_usage"], serde_json::json!(["Digital Signature", "Key Encipherment"]));
    assert_eq!(value["basic_constraints"], serde_json::json!({"ca": false, "path_len": null}));
    assert_eq!(value["alt_names"][1], "IP Address:127.0.0.1");
    // The old fields are still there.
    assert!(value["sha256_fingerprint"].is_string());
}

#[test]
fn default_usage_is_still_the_signing_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["cert", "new", "--cn", "idp.example.com", "--out", "idp", "--json", "--now", NOW],
    );
    assert_success(&out);
    let value: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(value["key_usage"], serde_json::json!(["Digital Signature", "Key Encipherment"]));
    assert_eq!(value["extended_key_usage"], serde_json::json!([]));
    assert_eq!(value["alt_names"], serde_json::json!([]));
}

#[test]
fn bad_usage_and_san_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--usage", "tls"], "--usage must be one of signing, client, server, client+server"),
        (&["--san", "IP:999.1.1.1"], "\"999.1.1.1\" is not an IPv4 or IPv6 address"),
        (&["--san", "email:nobody"], "\"nobody\" is not an e-mail address"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["cert", "new", "--cn", "x.example.com", "--out", "x"];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dir.path().join("x.key").exists());
    }
}

#[test]
fn sign_issues_a_client_certificate_from_a_csr() {
    let dir = tempfile::tempdir().unwrap();
    private_ca_and_client(dir.path());
    let out =
        run_in(dir.path(), &["cert", "show", "client.crt", "--key", &fixture("keys/idp.key")]);
    assert_success(&out);
    let text = stdout(&out);
    for expected in [
        "CN=client.example.com",
        "CN=Test mTLS CA",
        "clientAuth",
        "DNS:client.example.com",
        "CA:FALSE",
        "key matches",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("serverAuth"), "{text}");
}

#[test]
fn sign_refusals() {
    let dir = tempfile::tempdir().unwrap();
    private_ca_and_client(dir.path());
    let d = dir.path();
    // A CSR whose signature does not hold: flip a byte inside the signature (the end of the DER).
    let pem = std::fs::read_to_string(d.join("client.csr")).unwrap();
    let der = {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    };
    let mut tampered = der.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    std::fs::write(d.join("tampered.csr"), &tampered).unwrap();
    let cases: [(&[&str], i32, &str); 4] = [
        (
            &[
                "cert",
                "sign",
                "tampered.csr",
                "--ca",
                "ca.crt",
                "--ca-key",
                "ca.key",
                "--out",
                "t.crt",
            ],
            1,
            "tampered.csr: the certificate signing request's signature does not verify",
        ),
        (
            &[
                "cert",
                "sign",
                "client.csr",
                "--ca",
                "client.crt",
                "--ca-key",
                "ca.key",
                "--out",
                "t.crt",
            ],
            2,
            "the CA key does not match the CA certificate (CN=client.example.com)",
        ),
        (
            &[
                "cert",
                "sign",
                "client.csr",
                "--ca",
                "ca.crt",
                "--ca-key",
                &fixture("keys/idp.key"),
                "--out",
                "t.crt",
            ],
            2,
            "the CA key does not match the CA certificate (CN=Test mTLS CA)",
        ),
        (
            &[
                "cert",
                "sign",
                "client.csr",
                "--ca",
                "ca.crt",
                "--ca-key",
                "ca.key",
                "--out",
                "client.crt",
            ],
            2,
            "client.crt already exists; use --force to overwrite it",
        ),
    ];
    for (args, code, needle) in cases {
        assert_error(&run_in(d, args), code, needle);
    }
    assert!(!d.join("t.crt").exists());
    // Not a CA: the leaf with its own key.
    let not_ca = run_in(
        d,
        &[
            "cert",
            "sign",
            "client.csr",
            "--ca",
            "client.crt",
            "--ca-key",
            &fixture("keys/idp.key"),
            "--out",
            "t.crt",
        ],
    );
    assert_error(&not_ca, 2, "CN=client.example.com is not a certificate authority");
}

#[test]
fn chain_writes_leaf_first_and_refuses_a_wrong_order() {
    let dir = tempfile::tempdir().unwrap();
    private_ca_and_client(dir.path());
    let d = dir.path();
    let out = run_in(d, &["cert", "chain", "client.crt", "ca.crt", "-o", "chain.pem"]);
    assert_success(&out);
    assert!(stdout(&out).contains("wrote chain.pem (2 certificates, leaf first)"));
    let chain = std::fs::read_to_string(d.join("chain.pem")).unwrap();
    let leaf = std::fs::read_to_string(d.join("client.crt")).unwrap();
    let ca = std::fs::read_to_string(d.join("ca.crt")).unwrap();
    assert_eq!(chain, format!("{leaf}{ca}"));

    let wrong = run_in(d, &["cert", "chain", "ca.crt", "client.crt", "-o", "wrong.pem"]);
    assert_error(
        &wrong,
        1,
        "the chain is out of order: certificate 1 (CN=Test mTLS CA) is not signed by the certificate after it (CN=client.example.com)",
    );
    assert!(!d.join("wrong.pem").exists());
    let unrelated = run_in(d, &["cert", "chain", "client.crt", &fixture("certs/idp.crt")]);
    assert_error(&unrelated, 1, "is not signed by the certificate after it (CN=idp.example.com");
    let swapped = run_in(d, &["cert", "chain", "chain.pem", "client.crt"]);
    assert_error(&swapped, 1, "certificate 2 (CN=Test mTLS CA) is not signed");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_accepts_the_client_certificate_for_sslclient() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    private_ca_and_client(dir.path());
    let d = dir.path();
    let at = "-attime";
    let when = "1780358400"; // 2026-06-02, inside the validity
    let ok = openssl_in(
        d,
        &["verify", at, when, "-purpose", "sslclient", "-CAfile", "ca.crt", "client.crt"],
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "client.crt: OK");
    // The same certificate is not a TLS server certificate.
    let server = openssl_in(
        d,
        &["verify", at, when, "-purpose", "sslserver", "-CAfile", "ca.crt", "client.crt"],
    );
    assert!(!server.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&server.stdout),
        String::from_utf8_lossy(&server.stderr)
    );
    assert!(said.contains("unsuitable certificate purpose"), "{said}");

    let text = String::from_utf8_lossy(
        &openssl_in(d, &["x509", "-in", "client.crt", "-noout", "-text"]).stdout,
    )
    .into_owned();
    for expected in [
        "TLS Web Client Authentication",
        "DNS:client.example.com",
        "CA:FALSE",
        "Digital Signature",
        "Authority Key Identifier",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let ca_text = String::from_utf8_lossy(
        &openssl_in(d, &["x509", "-in", "ca.crt", "-noout", "-text"]).stdout,
    )
    .into_owned();
    for expected in ["CA:TRUE, pathlen:0", "Certificate Sign, CRL Sign", "critical"] {
        assert!(ca_text.contains(expected), "{expected:?} in {ca_text}");
    }

    // cert new --usage server with SANs: OpenSSL sees serverAuth and the names.
    assert_success(&run_in(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "localhost",
            "--usage",
            "server",
            "--san",
            "DNS:localhost",
            "--san",
            "IP:127.0.0.1",
            "--out",
            "srv",
            "--now",
            NOW,
        ],
    ));
    let srv = String::from_utf8_lossy(
        &openssl_in(d, &["x509", "-in", "srv.crt", "-noout", "-text"]).stdout,
    )
    .into_owned();
    assert!(
        srv.contains("TLS Web Server Authentication")
            && srv.contains("DNS:localhost, IP Address:127.0.0.1"),
        "{srv}"
    );
    let self_ok = openssl_in(
        d,
        &["verify", at, when, "-purpose", "sslserver", "-CAfile", "srv.crt", "srv.crt"],
    );
    assert!(self_ok.status.success(), "{}", String::from_utf8_lossy(&self_ok.stderr));
}
