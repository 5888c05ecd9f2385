//! XML Encryption interop, both directions:
//! - xmlsec1 (`--decrypt` with the SP key) decrypts what `samlkit issue --encrypt-for` makes, for
//!   every `--enc-alg` with rsa-oaep-mgf1p (xmlsec1 1.2 reads no xmlenc11 rsa-oaep: Python's
//!   `cryptography` decrypts those), and the decrypted document still verifies;
//! - OneLogin's python3-saml (wantAssertionsEncrypted, strict) and pysaml2 accept/decrypt
//!   samlkit's encrypted responses;
//! - `fixtures/xmlenc/generate.sh` re-makes the ADFS-, Okta- and GCM-shaped responses with xmlsec1
//!   (and the xmlenc11 one with Python's cryptography), and `samlkit verify --decrypt-key` accepts
//!   each.
//!
//! A test whose tool is missing is reported as ignored, unless SAMLKIT_REQUIRE_INTEROP is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command as Process;

use support::saml::*;
use support::*;

const ENC_ALGS: [&str; 4] = ["aes256-gcm", "aes128-gcm", "aes256-cbc", "aes128-cbc"];

fn encrypted(extra: &[&str]) -> String {
    let cert = fixture("xmlenc/sp.crt");
    let mut args = vec!["--encrypt-for", cert.as_str()];
    args.extend_from_slice(extra);
    issue(&args)
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "needs xmlsec1 (scripts/install-test-deps.sh)")]
fn xmlsec1_decrypts_samlkit_output_for_every_enc_alg() {
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().unwrap();
    for alg in ENC_ALGS {
        let doc = encrypted(&["--enc-alg", alg, "--sign", "assertion"]);
        let path = dir.path().join(format!("{alg}.xml"));
        std::fs::write(&path, &doc).unwrap();
        let out = run_ok(
            Process::new("xmlsec1")
                .args([
                    "--decrypt",
                    "--privkey-pem",
                    &fixture("xmlenc/sp.key"),
                    "--trusted-pem",
                    &fixture("xmlenc/sp.crt"),
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                ])
                .arg(&path),
        );
        let plain = String::from_utf8(out.stdout).unwrap();
        assert!(plain.contains(">alice@example.com</saml:NameID>"), "{alg}: {plain}");
        // xmlsec1 leaves the Assertion inside EncryptedAssertion; unwrapped, the document is the
        // signed response samlkit encrypted, and verifies.
        let unwrapped = plain
            .replace(
                "<saml:EncryptedAssertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">",
                "",
            )
            .replace("</saml:EncryptedAssertion>", "");
        let verdict = verify(&unwrapped, &["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
        assert!(verdict.valid(), "{alg}: {}", verdict.raw);
    }
}

#[test]
#[cfg_attr(
    missing_python3_cryptography,
    ignore = "needs python3-cryptography (scripts/install-test-deps.sh)"
)]
fn python_cryptography_decrypts_xmlenc11_rsa_oaep() {
    require(&tools::PYTHON3_CRYPTOGRAPHY);
    let dir = tempfile::tempdir().unwrap();
    for alg in ["aes256-gcm", "aes128-cbc"] {
        for digest in ["sha1", "sha256"] {
            let doc = encrypted(&[
                "--enc-alg",
                alg,
                "--key-transport",
                "rsa-oaep",
                "--oaep-digest",
                digest,
            ]);
            let path = dir.path().join("r.xml");
            std::fs::write(&path, &doc).unwrap();
            let out =
                run_ok(python_script("xmlenc_decrypt.py").arg(fixture("xmlenc/sp.key")).arg(&path));
            let plain = String::from_utf8(out.stdout).unwrap();
            assert!(plain.starts_with("<saml:Assertion"), "{alg}/{digest}: {plain}");
            assert!(plain.contains(">alice@example.com</saml:NameID>"), "{alg}/{digest}");
        }
    }
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "needs python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn onelogin_python3_saml_accepts_samlkit_encrypted_responses() {
    require(&tools::PYTHON3_SAML);
    // OneLogin checks times against its own clock, so issue at the current time.
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dir = tempfile::tempdir().unwrap();
    for alg in ENC_ALGS {
        for sign in ["assertion", "both"] {
            let doc = encrypted(&["--enc-alg", alg, "--sign", sign, "--now", &now]);
            let path = dir.path().join("r.xml");
            std::fs::write(&path, &doc).unwrap();
            let out = python_script("onelogin_decrypt.py")
                .args([
                    fixture("certs/idp.crt"),
                    fixture("xmlenc/sp.key"),
                    fixture("xmlenc/sp.crt"),
                ])
                .arg(&path)
                .args([IDP, SP, ACS])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{alg}/{sign}: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(text.trim(), "OK alice@example.com");
        }
    }
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2 (scripts/install-test-deps.sh)"
)]
fn pysaml2_decrypts_samlkit_encrypted_responses() {
    require(&tools::PYTHON3_PYSAML2);
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().unwrap();
    for alg in ENC_ALGS {
        let doc = encrypted(&["--enc-alg", alg, "--sign", "both"]);
        let path = dir.path().join("r.xml");
        std::fs::write(&path, &doc).unwrap();
        let out = python_script("pysaml2_decrypt.py")
            .arg(fixture("xmlenc/sp.key"))
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{alg}: {text}{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(text.trim(), "OK alice@example.com");
    }
}

#[test]
#[cfg_attr(
    any(missing_xmlsec1, missing_python3_cryptography),
    ignore = "needs xmlsec1 and python3-cryptography"
)]
fn responses_encrypted_by_xmlsec1_pass_samlkit_verify() {
    require(&tools::XMLSEC1);
    require(&tools::PYTHON3_CRYPTOGRAPHY);
    let dir = tempfile::tempdir().unwrap();
    // generate.sh runs `python3`: Debian's, where python3-cryptography is.
    let path = format!("/usr/bin:{}", std::env::var("PATH").unwrap_or_default());
    run_ok(
        Process::new("bash").arg(fixture("xmlenc/generate.sh")).arg(dir.path()).env("PATH", path),
    );
    let cases = [
        ("adfs-cbc-oaep-sha1.xml", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
        ("okta-sibling-key.xml", "http://www.w3.org/2001/04/xmlenc#aes128-cbc"),
        ("gcm-oaep-sha1.xml", "http://www.w3.org/2009/xmlenc11#aes256-gcm"),
        ("gcm-rsa-oaep-sha256.xml", "http://www.w3.org/2009/xmlenc11#aes256-gcm"),
    ];
    for (name, data) in cases {
        let verdict = verify_path(
            &dir.path().join(name),
            &[
                "--decrypt-key",
                &fixture("xmlenc/sp.key"),
                "--audience",
                SP,
                "--recipient",
                ACS,
                "--issuer",
                IDP,
            ],
        );
        assert!(verdict.valid(), "{name}: {}", verdict.raw);
        assert_eq!(verdict.json["encryption"]["data"], data, "{name}");
        assert_eq!(verdict.json["name_id"], "alice@example.com");
    }
}
