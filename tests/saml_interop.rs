//! Interoperability with independent XML-DSig / SAML implementations, both directions:
//! - samlkit-signed documents must pass `xmlsec1 --verify` (libxmlsec1, the reference C
//!   implementation) and OneLogin's python3-saml in strict SP mode;
//! - documents signed by xmlsec1 from the templates in `fixtures/xmlsec/` (by its
//!   `generate.sh`) and documents signed by python3-saml must pass `samlkit verify`.
//!
//! A test whose tool is missing is reported as ignored, unless SAMLKIT_REQUIRE_INTEROP is set
//! (scripts/test.sh, CI), in which case it fails.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command as Process;

use support::saml::*;
use support::*;

const XMLSEC_IDS: [&str; 10] = [
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse",
];

/// `xmlsec1 --verify` of the Signature selected by `xpath` (the first one when `None`).
fn xmlsec_verifies(doc: &str, cert: &str, xpath: Option<&str>) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, doc).unwrap();
    let mut cmd = Process::new("xmlsec1");
    cmd.args(["--verify", "--pubkey-cert-pem", &fixture(cert)]).args(XMLSEC_IDS);
    if let Some(x) = xpath {
        cmd.args(["--node-xpath", x]);
    }
    let out = cmd.arg(&path).output().expect("xmlsec1 runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const ASSERTION_SIGNATURE: &str = "//*[local-name()='Assertion']/*[local-name()='Signature']";
const RESPONSE_SIGNATURE: &str = "/*[local-name()='Response']/*[local-name()='Signature']";

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn samlkit_signed_responses_pass_xmlsec1() {
    require(&tools::XMLSEC1);
    for (alg, digest) in [("rsa-sha256", "sha256"), ("rsa-sha512", "sha512")] {
        for target in ["assertion", "response", "both"] {
            let doc = issue(&["--sign", target, "--alg", alg, "--digest", digest]);
            let xpaths: &[&str] = match target {
                "assertion" => &[ASSERTION_SIGNATURE],
                "response" => &[RESPONSE_SIGNATURE],
                _ => &[RESPONSE_SIGNATURE, ASSERTION_SIGNATURE],
            };
            for xpath in xpaths {
                let (ok, err) = xmlsec_verifies(&doc, "certs/idp.crt", Some(xpath));
                assert!(ok, "xmlsec1 rejected {target} {alg}/{digest} ({xpath}): {err}\n{doc}");
            }
        }
    }
    // ECDSA P-256 too.
    let doc = issue_with("keys/ec-p256.key", "certs/ec-p256.crt", &[]);
    let (ok, err) = xmlsec_verifies(&doc, "certs/ec-p256.crt", None);
    assert!(ok, "xmlsec1 rejected the ECDSA signature: {err}");
    // Control: the same check fails on a tampered document, so a pass above means something.
    let tampered = issue(&[]).replace("alice@example.com", "mallory@example.com");
    assert!(!xmlsec_verifies(&tampered, "certs/idp.crt", None).0);
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn samlkit_signed_metadata_authn_request_and_logout_response_pass_xmlsec1() {
    require(&tools::XMLSEC1);
    let docs = [
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" ID=\"_m1\" entityID=\"https://idp.example.com\">\n  <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>\n</md:EntityDescriptor>\n",
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" IssueInstant=\"2026-11-29T10:00:00Z\">\n  <saml:Issuer>https://sp.example.com</saml:Issuer>\n</samlp:AuthnRequest>\n",
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_l1\" Version=\"2.0\" IssueInstant=\"2026-11-29T10:00:00Z\" InResponseTo=\"_lr1\">\n  <saml:Issuer>https://idp.example.com</saml:Issuer>\n  <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>\n</samlp:LogoutResponse>\n",
    ];
    for doc in docs {
        let out = sign_stdin(doc);
        assert!(out.status.success());
        let signed = String::from_utf8(out.stdout).unwrap();
        let (ok, err) = xmlsec_verifies(&signed, "certs/idp.crt", None);
        assert!(ok, "xmlsec1 rejected: {err}\n{signed}");
    }
}

fn verify_xmlsec_outputs(dir: &Path) {
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checks =
            ["--audience", SP, "--recipient", ACS, "--issuer", IDP, "--in-response-to", "_req1"];
        let mut v = verify_path(&path, &checks);
        if name.contains("sha1") {
            assert_eq!(v.error_code(), "algorithm_refused", "{name}: {}", v.error());
            let mut allowed = checks.to_vec();
            allowed.push("--allow-sha1");
            v = verify_path(&path, &allowed);
        }
        assert!(v.valid(), "{name}: {}", v.error());
        assert_eq!(v.json["attributes"]["groups"], serde_json::json!(["a", "b & c"]), "{name}");
        seen += 1;
    }
    assert!(seen >= 4, "expected the xmlsec1-signed fixtures in {}", dir.display());
}

#[test]
fn xmlsec1_signed_fixtures_pass_samlkit_verify() {
    verify_xmlsec_outputs(&root().join("fixtures/xmlsec/signed"));
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn templates_signed_by_xmlsec1_now_pass_samlkit_verify() {
    require(&tools::XMLSEC1);
    // Re-sign the templates now, so the script and the committed outputs cannot drift apart.
    let dir = tempfile::tempdir().unwrap();
    let status = Process::new("bash")
        .arg(root().join("fixtures/xmlsec/generate.sh"))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    verify_xmlsec_outputs(dir.path());
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn samlkit_responses_pass_onelogin_python3_saml() {
    require(&tools::PYTHON3_SAML);
    // OneLogin checks times against its own clock, so issue at the current time.
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for (target, alg, digest) in [
        ("assertion", "rsa-sha256", "sha256"),
        ("response", "rsa-sha512", "sha512"),
        ("both", "rsa-sha256", "sha512"),
    ] {
        let doc = issue(&["--now", &now, "--sign", target, "--alg", alg, "--digest", digest]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xml");
        for (content, expect_ok) in
            [(doc.clone(), true), (doc.replace("alice@example.com", "mallory@example.com"), false)]
        {
            std::fs::write(&path, &content).unwrap();
            let out = python_script("onelogin_verify.py")
                .arg(fixture("certs/idp.crt"))
                .arg(&path)
                .args([IDP, SP, ACS, target])
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                out.status.success(),
                expect_ok,
                "python3-saml ({target}, tampered: {}): {said}",
                !expect_ok
            );
        }
    }
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn responses_signed_by_onelogin_python3_saml_pass_samlkit_verify() {
    require(&tools::PYTHON3_SAML);
    let unsigned = issue(&["--sign", "none"]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("unsigned.xml");
    std::fs::write(&input, &unsigned).unwrap();
    for target in ["assertion", "response"] {
        let output = dir.path().join(format!("{target}.xml"));
        let status = python_script("onelogin_sign.py")
            .args([fixture("keys/idp.key"), fixture("certs/idp.crt")])
            .arg(&input)
            .arg(&output)
            .arg(target)
            .status()
            .unwrap();
        assert!(status.success(), "python3-saml failed to sign the {target}");
        let v = verify_path(&output, &["--audience", SP, "--recipient", ACS, "--require", target]);
        assert!(v.valid(), "{target}: {}", v.error());
        assert_eq!(v.json["signed"], serde_json::json!([target]));
        assert_eq!(v.json["name_id"], "alice@example.com");
    }
}

/// Keys made by `cert new --key-type ec-p256|ec-p384` sign `issue` and `sign` output with
/// ecdsa-sha256 / ecdsa-sha384 (chosen from the key), xmlsec1 verifies both, and the
/// SignatureValue is XML-DSig's fixed-size `r || s` (RFC 4050/6931), not a DER sequence.
#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn ecdsa_keys_from_cert_new_sign_for_xmlsec1() {
    use base64::Engine as _;
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().unwrap();
    for (key_type, alg, signature_len) in
        [("ec-p256", "ecdsa-sha256", 64), ("ec-p384", "ecdsa-sha384", 96)]
    {
        let prefix = dir.path().join(key_type);
        let made = samlkit()
            .args(["cert", "new", "--cn", "ec-idp.example.com", "--key-type", key_type, "--out"])
            .arg(&prefix)
            .output()
            .unwrap();
        assert_success(&made);
        assert!(stdout(&made).contains(&format!("EC P-{}", &key_type[4..])), "{}", stdout(&made));
        let key = format!("{}.key", prefix.display());
        let cert = format!("{}.crt", prefix.display());

        let issued = issue_with(&key, &cert, &[]);
        let unsigned = without_signatures(&issued);
        let signed = samlkit()
            .args(["sign", "--key", &key, "--cert", &cert, "-"])
            .write_stdin(unsigned)
            .output()
            .unwrap();
        assert_success(&signed);
        for doc in [issued, stdout(&signed)] {
            assert!(doc.contains(&format!("xmldsig-more#{alg}\"")), "{key_type}: {doc}");
            let (ok, err) = xmlsec_verifies(&doc, &cert, None);
            assert!(ok, "xmlsec1 rejected the {alg} signature: {err}\n{doc}");
            let (a, b) = span(&doc, "<ds:SignatureValue>", "</ds:SignatureValue>", 0);
            let value: String = doc
                [a + "<ds:SignatureValue>".len()..b - "</ds:SignatureValue>".len()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let raw = base64::engine::general_purpose::STANDARD.decode(value).unwrap();
            assert_eq!(raw.len(), signature_len, "{alg}: r || s of two curve-size integers");
        }
    }
}
