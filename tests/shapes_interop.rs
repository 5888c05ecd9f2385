//! Response shapes (`samlkit issue --shape NAME`, `idp serve`'s per-SP `shape`) in each IdP's own
//! namespace prefix style — `samlp:`/`saml:`, Okta's `saml2p:`/`saml2:`, the Microsoft IdPs'
//! unprefixed default-namespace `<Assertion xmlns="…">` — for every sign target: samlkit's own
//! verifier, xmlsec1, OneLogin's python3-saml and pysaml2 accept each one and refuse it tampered; the
//! shape survives encryption; and every `--break` kind, built in each shape, is still refused
//! with the code it claims.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command as Process;

use support::saml::*;
use support::*;

const SHAPES: [&str; 5] = ["generic", "salesforce", "adfs", "okta", "entra"];
const TARGETS: [&str; 3] = ["assertion", "response", "both"];
const STRICT: &[&str] = &["--audience", SP, "--recipient", ACS, "--issuer", IDP];

/// What each shape's response must start its elements with (from the shape table's prefix
/// column): the Response start tag, the Assertion start tag and the NameID end tag.
fn expected_names(shape: &str) -> (&'static str, &'static str, &'static str) {
    match shape {
        "okta" => ("<saml2p:Response ", "<saml2:Assertion xmlns:saml2=", "</saml2:NameID>"),
        "adfs" | "entra" => (
            "<samlp:Response ",
            "<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
            "</NameID>",
        ),
        _ => ("<samlp:Response ", "<saml:Assertion xmlns:saml=", "</saml:NameID>"),
    }
}

fn shaped(shape: &str, target: &str, extra: &[&str]) -> String {
    let mut args = vec!["--shape", shape, "--target", target];
    args.extend_from_slice(extra);
    issue(&args)
}

/// The NameID value replaced: what an attacker would do to a signed response.
fn tampered(doc: &str) -> String {
    let replaced = doc.replacen(">alice@example.com<", ">mallory@example.com<", 1);
    assert_ne!(replaced, doc, "no NameID to tamper with");
    replaced
}

#[test]
fn each_shape_writes_its_prefix_style_and_generic_is_unchanged() {
    for shape in SHAPES {
        let doc = shaped(shape, "both", &[]);
        let (response, assertion, name_id) = expected_names(shape);
        for needle in [response, assertion, name_id] {
            assert!(doc.contains(needle), "{shape}: no {needle}\n{doc}");
        }
    }
    // Byte for byte, but for the random IDs: the generic shape is the plain builder.
    let without_ids = |doc: String| -> String {
        doc.split("ID=\"_")
            .enumerate()
            .map(|(i, part)| if i == 0 { part } else { part.split_once('"').unwrap().1 })
            .collect::<Vec<_>>()
            .join("ID=")
    };
    let plain = without_ids(issue(&["--target", "none"]));
    assert_eq!(plain, without_ids(issue(&["--target", "none", "--shape", "generic"])));
    assert!(plain.contains("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID= Version=\"2.0\""), "{plain}");
    // The Microsoft style keeps the assertion namespace off the Response: its Issuer declares it.
    let entra = shaped("entra", "assertion", &[]);
    assert!(entra.contains("<Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">"), "{entra}");
    assert!(!entra.contains("xmlns:saml="), "{entra}");
}

#[test]
fn every_shape_and_sign_target_passes_samlkit_verify_and_fails_tampered() {
    for shape in SHAPES {
        for target in TARGETS {
            let doc = shaped(shape, target, &[]);
            let require = ["--require", target];
            let v = verify(&doc, &[STRICT, &require[..]].concat());
            assert!(v.valid(), "{shape} {target}: {}\n{doc}", v.error());
            assert_eq!(v.json["name_id"], "alice@example.com", "{shape} {target}");
            let bad = verify(&tampered(&doc), STRICT);
            assert_eq!(bad.error_code(), "digest_mismatch", "{shape} {target} tampered");
        }
    }
}

const XMLSEC_IDS: [&str; 4] = [
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
];
const ASSERTION_SIGNATURE: &str = "//*[local-name()='Assertion']/*[local-name()='Signature']";
const RESPONSE_SIGNATURE: &str = "/*[local-name()='Response']/*[local-name()='Signature']";

fn xmlsec_verifies(doc: &str, xpath: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, doc).unwrap();
    let out = Process::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem", &fixture("certs/idp.crt")])
        .args(XMLSEC_IDS)
        .args(["--node-xpath", xpath])
        .arg(&path)
        .output()
        .expect("xmlsec1 runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn every_shape_and_sign_target_passes_xmlsec1() {
    require(&tools::XMLSEC1);
    for shape in SHAPES {
        for target in TARGETS {
            let doc = shaped(shape, target, &[]);
            let signatures: &[&str] = match target {
                "assertion" => &[ASSERTION_SIGNATURE],
                "response" => &[RESPONSE_SIGNATURE],
                _ => &[ASSERTION_SIGNATURE, RESPONSE_SIGNATURE],
            };
            for xpath in signatures {
                let (ok, err) = xmlsec_verifies(&doc, xpath);
                assert!(ok, "xmlsec1 rejected {shape} {target} ({xpath}): {err}\n{doc}");
                let (ok, _) = xmlsec_verifies(&tampered(&doc), xpath);
                assert!(!ok, "xmlsec1 accepted {shape} {target} tampered ({xpath})");
            }
        }
    }
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn every_shape_and_sign_target_passes_onelogin_python3_saml() {
    require(&tools::PYTHON3_SAML);
    // OneLogin checks times against its own clock, so issue at the current time.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xml");
    for shape in SHAPES {
        for target in TARGETS {
            let doc = shaped(shape, target, &["--now", &now]);
            for (content, expect_ok) in [(doc.clone(), true), (tampered(&doc), false)] {
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
                    "python3-saml {shape} {target} (tampered: {}): {said}\n{content}",
                    !expect_ok
                );
                if expect_ok {
                    assert_eq!(said.trim(), "OK alice@example.com", "{shape} {target}");
                }
            }
        }
    }
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2 and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn every_shape_and_sign_target_passes_pysaml2() {
    require(&tools::PYTHON3_PYSAML2);
    let dir = tempfile::tempdir().unwrap();
    let metadata = dir.path().join("idp-metadata.xml");
    let out = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", "https://idp.example.com/sso"])
        .args(["--cert", &fixture("certs/idp.crt"), "--out"])
        .arg(&metadata)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // pysaml2 checks times against its own clock, so issue at the current time.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // One pysaml2 process per sign target (its import takes seconds): each shape's response,
    // then the same tampered.
    for target in TARGETS {
        let mut files = Vec::new();
        let mut expected = Vec::new();
        for shape in SHAPES {
            let doc = shaped(shape, target, &["--now", &now]);
            for (content, ok) in [(doc.clone(), true), (tampered(&doc), false)] {
                let path = dir.path().join(format!("{shape}-{target}-{ok}.xml"));
                std::fs::write(&path, &content).unwrap();
                files.push(path);
                expected.push((shape, ok));
            }
        }
        let out = python_script("pysaml2_verify.py")
            .arg(&metadata)
            .args([SP, ACS, target])
            .args(&files)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines.len(), expected.len(), "{said}");
        for (line, (shape, ok)) in lines.iter().zip(expected) {
            if ok {
                assert_eq!(*line, "OK alice@example.com", "pysaml2 {shape} {target}");
            } else {
                assert!(line.starts_with("INVALID "), "pysaml2 {shape} {target} tampered: {line}");
            }
        }
    }
}

/// An unprefixed Assertion signed, then cut out and encrypted, must still verify once the SP
/// decrypts it and splices it back: the wrapper keeps the shape's prefix style.
#[test]
fn every_shape_encrypted_to_the_sp_decrypts_and_verifies() {
    let sp_cert = fixture("xmlenc/sp.crt");
    let sp_key = fixture("xmlenc/sp.key");
    for shape in SHAPES {
        for target in TARGETS {
            let doc = shaped(shape, target, &["--encrypt-for", &sp_cert]);
            let wrapper = match shape {
                "okta" => "<saml2:EncryptedAssertion xmlns:saml2=",
                "adfs" | "entra" => {
                    "<EncryptedAssertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">"
                }
                _ => "<saml:EncryptedAssertion xmlns:saml=",
            };
            assert!(doc.contains(wrapper), "{shape} {target}: no {wrapper}\n{doc}");
            assert!(!doc.contains("alice@example.com"), "{shape} {target}: plaintext left");
            let require = ["--require", target, "--decrypt-key", &sp_key];
            let v = verify(&doc, &[STRICT, &require[..]].concat());
            assert!(v.valid(), "{shape} {target}: {}", v.error());
            assert_eq!(v.json["encrypted"], true);
            assert_eq!(v.json["name_id"], "alice@example.com");
        }
    }
}

#[test]
fn every_break_kind_in_every_shape_is_refused_with_its_code() {
    let sp_cert = fixture("xmlenc/sp.crt");
    let sp_key = fixture("xmlenc/sp.key");
    let plain = BREAK_KINDS.iter().map(|(k, c)| (*k, *c, false));
    let encrypted = ENCRYPTED_BREAK_KINDS.iter().map(|(k, c)| (*k, *c, true));
    for shape in SHAPES {
        let (_, assertion, _) = expected_names(shape);
        for (kind, code, encrypts) in plain.clone().chain(encrypted.clone()) {
            let mut args = vec!["--shape", shape, "--break", kind];
            let mut verify_args = vec!["--now", ISSUED];
            verify_args.extend_from_slice(STRICT);
            if encrypts {
                args.extend(["--encrypt-for", sp_cert.as_str()]);
                verify_args.extend(["--decrypt-key", sp_key.as_str()]);
            }
            let doc = issue(&args);
            // The broken response is still in the shape's style (the ones that keep a readable
            // Assertion), so an SP meets the defect in the form its IdP sends.
            if !encrypts && !["duplicate-field", "bare-assertion"].contains(&kind) {
                assert!(doc.contains(assertion), "{shape} {kind}: not in its style\n{doc}");
            }
            let v = verify(&doc, &verify_args);
            assert_eq!(v.code, 1, "{shape} --break {kind} exit code: {}\n{doc}", v.error());
            assert_eq!(v.error_code(), code, "{shape} --break {kind}: {}\n{doc}", v.error());
        }
    }
}
