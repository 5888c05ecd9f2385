//! `samlkit metadata` and `samlkit verify --metadata`: structure in schema order, signing,
//! verification and its failure codes, usage errors, and interop with python3-saml's metadata
//! parser and xmlsec1.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command as Process;

use support::saml::*;
use support::*;

const SSO: &str = "https://idp.example.com/sso";
const SLO: &str = "https://idp.example.com/slo";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

fn metadata(extra: &[&str]) -> String {
    let out = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", SSO])
        .args(["--cert", &fixture("certs/idp.crt")])
        .args(extra)
        .output()
        .expect("samlkit runs");
    assert!(out.status.success(), "metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn signed_full() -> String {
    metadata(&[
        "--slo-url",
        SLO,
        "--next-cert",
        &fixture("certs/expires-2026-08-15.crt"),
        "--name-id-format",
        "email",
        "--name-id-format",
        "persistent",
        "--valid-until",
        "2027-01-01T00:00:00Z",
        "--sign",
        "--key",
        &fixture("keys/idp.key"),
    ])
}

fn verify_metadata(doc: &str, extra: &[&str]) -> Verdict {
    let now: &[&str] = if extra.contains(&"--now") { &[] } else { &["--now", ISSUED] };
    verify(doc, &[&["--metadata"][..], now, extra].concat())
}

fn usage_error(args: &[&str], needle: &str) {
    let out = samlkit().args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains(needle), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn elements_follow_the_metadata_schema_order() {
    let doc = signed_full();
    let order = [
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"",
        "entityID=\"https://idp.example.com\" validUntil=\"2027-01-01T00:00:00Z\">",
        // The Signature is the first child of the EntityDescriptor.
        "<ds:Signature xmlns:ds=",
        "</ds:Signature>",
        "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">",
        "<md:KeyDescriptor use=\"signing\">",
        "<md:KeyDescriptor use=\"signing\">",
        &format!("<md:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"{SLO}\"/>"),
        &format!("<md:SingleLogoutService Binding=\"{POST}\" Location=\"{SLO}\"/>"),
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>",
        &format!("<md:SingleSignOnService Binding=\"{REDIRECT}\" Location=\"{SSO}\"/>"),
        &format!("<md:SingleSignOnService Binding=\"{POST}\" Location=\"{SSO}\"/>"),
        "</md:IDPSSODescriptor>",
    ];
    let mut at = 0;
    for needle in order {
        let found = doc[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("missing or out of order: {needle}\n{doc}"));
        at += found + needle.len();
    }
    assert!(doc.contains("validUntil=\"2027-01-01T00:00:00Z\"><ds:Signature "), "{doc}");
    assert_eq!(doc.matches("<md:KeyDescriptor").count(), 2);
    // Same input, same bytes (the ID is derived from the content).
    assert_eq!(doc, signed_full());
}

#[test]
fn minimal_metadata_has_one_certificate_email_format_and_no_optional_parts() {
    let doc = metadata(&[]);
    assert_eq!(doc.matches("<md:KeyDescriptor use=\"signing\">").count(), 1);
    assert!(doc.contains("nameid-format:emailAddress"));
    for absent in ["SingleLogoutService", "validUntil", "ds:Signature"] {
        assert!(!doc.contains(absent), "{absent}\n{doc}");
    }
}

#[test]
fn valid_days_counts_from_now() {
    let doc = metadata(&["--valid-days", "30", "--now", "2026-11-29T10:00:00Z"]);
    assert!(doc.contains("validUntil=\"2026-12-29T10:00:00Z\""), "{doc}");
}

#[test]
fn signed_metadata_verifies_and_reports_entity_endpoints_and_both_certificates() {
    let v = verify_metadata(&signed_full(), &[]);
    assert!(v.valid(), "{}", v.error());
    assert_eq!(v.code, 0);
    assert_eq!(v.json["entity_id"], IDP);
    assert_eq!(v.json["valid_until"], "2027-01-01T00:00:00Z");
    let certs = v.json["signing_certs"].as_array().expect("array");
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["subject"], "CN=idp.example.com, O=Example IdP");
    assert_eq!(certs[1]["not_after"], "2026-08-15T00:00:00Z");
    assert_eq!(certs[0]["sha256"], v.json["cert_sha256"]);
    assert_eq!(v.json["sso"][0]["binding"], REDIRECT);
    assert_eq!(v.json["sso"][1]["location"], SSO);
    assert_eq!(v.json["slo"][0]["location"], SLO);

    // Human output names the same things.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("md.xml");
    std::fs::write(&path, signed_full()).expect("write");
    let out = samlkit()
        .args(["verify", "--metadata", "--now", ISSUED, "--cert", &fixture("certs/idp.crt")])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in
        ["valid metadata", "entity_id:       https://idp.example.com", "not after 2026-08-15"]
    {
        assert!(text.contains(needle), "{needle}\n{text}");
    }
}

#[test]
fn metadata_failures_have_their_codes() {
    let doc = signed_full();
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        (
            doc.replace("https://idp.example.com/sso", "https://evil.example/sso"),
            vec![],
            "digest_mismatch",
        ),
        (metadata(&[]), vec![], "signature_missing"),
        (doc.clone(), vec!["--now", "2027-01-01T00:00:00Z"], "metadata_expired"),
        (
            doc.replacen("<ds:SignatureValue>", "<ds:SignatureValue>AAAA", 1),
            vec![],
            "signature_invalid",
        ),
    ];
    for (doc, extra, code) in cases {
        let v = verify_metadata(&doc, &extra);
        assert!(!v.valid(), "{code} accepted");
        assert_eq!(v.error_code(), code, "{}", v.error());
        assert_eq!(v.code, 1, "{code}");
    }
    // Trusting only another certificate: the embedded one never creates trust.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("md.xml");
    std::fs::write(&path, &doc).expect("write");
    let out = samlkit()
        .args(["verify", "--metadata", "--json", "--now", ISSUED])
        .args(["--cert", &fixture("certs/attacker.crt")])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["error_code"], "untrusted_certificate", "{json}");
}

#[test]
fn a_response_verifier_never_accepts_metadata() {
    // Signed metadata is public; without --metadata it is not a login.
    let v = verify(&signed_full(), &[]);
    assert_eq!(v.error_code(), "unexpected_document");
    assert_eq!(v.code, 1);
    assert!(v.error().contains("--metadata"), "{}", v.error());
    // And a response is not metadata.
    let v = verify_metadata(&issue(&[]), &[]);
    assert_eq!(v.error_code(), "unexpected_document");
}

#[test]
fn usage_errors_are_one_line_exit_2() {
    let (idp_crt, idp_key) = (fixture("certs/idp.crt"), fixture("keys/idp.key"));
    let base = ["metadata", "--entity-id", IDP, "--sso-url", SSO, "--cert", idp_crt.as_str()];
    usage_error(&[&base[..], &["--sign"]].concat(), "--key");
    usage_error(&[&base[..], &["--next-cert", idp_crt.as_str()]].concat(), "same certificate");
    usage_error(&[&base[..], &["--name-id-format", "bogus"]].concat(), "--name-id-format");
    usage_error(&[&base[..], &["--valid-until", "tomorrow"]].concat(), "--valid-until");
    usage_error(
        &[&base[..], &["--valid-until", "2027-01-01T00:00:00Z", "--valid-days", "3"]].concat(),
        "--valid-days",
    );
    usage_error(
        &[&base[..], &["--sign", "--key", &fixture("keys/attacker.key")]].concat(),
        "does not belong",
    );
    usage_error(
        &["metadata", "--entity-id", IDP, "--sso-url", SSO, "--cert", "/nonexistent.crt"],
        "/nonexistent.crt",
    );
    usage_error(&["verify", "--metadata", "--audience", SP, "--cert", &idp_crt], "--audience");
    let long = format!("https://idp.example.com/{}", "x".repeat(1024));
    for (flag, value, needle) in [
        ("--entity-id", "", "1 to 1024 characters, not 0"),
        ("--entity-id", long.as_str(), "not 1048"),
        ("--sso-url", "/sso", "SSO URL \"/sso\" is not an absolute URL"),
        ("--slo-url", "https://idp.example.com/ slo", "SLO URL"),
    ] {
        let mut args = vec!["metadata", "--entity-id", IDP, "--sso-url", SSO, "--cert", &idp_crt];
        match flag {
            "--entity-id" => args[2] = value,
            "--sso-url" => args[4] = value,
            _ => args.extend([flag, value]),
        }
        usage_error(&args, needle);
    }

    // --out refuses to overwrite without --force.
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("md.xml");
    let out = out_path.to_string_lossy().into_owned();
    let with_out = [&base[..], &["--sign", "--key", &idp_key, "--out", &out]].concat();
    samlkit().args(&with_out).assert().success();
    assert!(std::fs::read_to_string(&out_path).expect("written").contains("ds:Signature"));
    usage_error(&with_out, "md.xml");
    samlkit().args(&with_out).arg("--force").assert().success();
}

#[test]
fn several_metadata_files_give_one_result_each_and_the_worst_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.xml");
    let bad = dir.path().join("bad.xml");
    std::fs::write(&good, signed_full()).expect("write");
    std::fs::write(&bad, metadata(&[])).expect("write");
    let out = samlkit()
        .args([
            "verify",
            "--metadata",
            "--json",
            "--now",
            ISSUED,
            "--cert",
            &fixture("certs/idp.crt"),
        ])
        .args([&good, &bad])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["error_code"], "signature_missing");
}

#[test]
fn sign_alg_is_honoured() {
    let doc = metadata(&["--sign", "--key", &fixture("keys/idp.key"), "--alg", "rsa-sha512"]);
    assert!(doc.contains("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"), "{doc}");
    assert!(verify_metadata(&doc, &[]).valid());
}

// ---- Interop ----

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn python3_saml_metadata_parser_reads_entity_endpoints_and_both_certificates() {
    require(&tools::PYTHON3_SAML);
    let script = r#"
import json, sys
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser as P
data = P.parse(sys.stdin.read())
print(json.dumps(data))
"#;
    let doc = signed_full();
    let mut child = Process::new("/usr/bin/python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child.stdin.take().expect("stdin").write_all(doc.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let idp = &parsed["idp"];
    assert_eq!(idp["entityId"], IDP);
    assert_eq!(idp["singleSignOnService"]["url"], SSO);
    assert_eq!(idp["singleSignOnService"]["binding"], REDIRECT);
    assert_eq!(idp["singleLogoutService"]["url"], SLO);
    assert_eq!(
        parsed["sp"]["NameIDFormat"],
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    );
    let signing = idp["x509certMulti"]["signing"].as_array().expect("two signing certificates");
    let pem_body = |path: &str| -> String {
        std::fs::read_to_string(fixture(path))
            .expect("fixture")
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect()
    };
    assert_eq!(signing.len(), 2);
    assert_eq!(signing[0], pem_body("certs/idp.crt").as_str());
    assert_eq!(signing[1], pem_body("certs/expires-2026-08-15.crt").as_str());
}

/// python3-saml's `validate_xml` against the OASIS metadata schema it ships
/// (saml-schema-metadata-2.0.xsd): "ok" or its error word.
fn schema_check(doc: &str) -> String {
    let script = r#"
import sys
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML as X
r = X.validate_xml(sys.stdin.read(), 'saml-schema-metadata-2.0.xsd', False)
print(r if isinstance(r, str) else 'ok')
"#;
    let mut child = Process::new("/usr/bin/python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child.stdin.take().expect("stdin").write_all(doc.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 finishes");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn metadata_is_valid_against_the_oasis_metadata_schema() {
    require(&tools::PYTHON3_SAML);
    assert_eq!(schema_check(&signed_full()), "ok");
    assert_eq!(schema_check(&metadata(&[])), "ok");
    // The check can fail: NameIDFormat after SingleSignOnService breaks the schema's sequence.
    let doc = metadata(&[]);
    let (a, b) = span(&doc, "    <md:NameIDFormat>", "</md:NameIDFormat>\n", 0);
    let moved = doc[a..b].to_string();
    let mut bad = doc.clone();
    bad.replace_range(a..b, "");
    let bad = bad.replace("  </md:IDPSSODescriptor>", &format!("{moved}  </md:IDPSSODescriptor>"));
    assert_eq!(schema_check(&bad), "invalid_xml");
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn xmlsec1_verifies_signed_metadata_and_rejects_a_tampered_copy() {
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |doc: &str| {
        let path = dir.path().join("md.xml");
        std::fs::write(&path, doc).expect("write");
        let out = Process::new("xmlsec1")
            .args(["--verify", "--pubkey-cert-pem", &fixture("certs/idp.crt")])
            .args(["--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"])
            .arg(&path)
            .output()
            .expect("xmlsec1 runs");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let doc = signed_full();
    let (ok, err) = run(&doc);
    assert!(ok, "xmlsec1 rejected samlkit-signed metadata: {err}");
    let (ok, _) = run(&doc.replace(SSO, "https://evil.example/sso"));
    assert!(!ok, "xmlsec1 accepted tampered metadata");
    // ECDSA-signed metadata too.
    let ec = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", SSO])
        .args([
            "--cert",
            &fixture("certs/ec-p256.crt"),
            "--sign",
            "--key",
            &fixture("keys/ec-p256.key"),
        ])
        .output()
        .expect("runs");
    assert!(ec.status.success());
    let path = dir.path().join("ec.xml");
    std::fs::write(&path, &ec.stdout).expect("write");
    let out = Process::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem", &fixture("certs/ec-p256.crt")])
        .args(["--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"])
        .arg(&path)
        .output()
        .expect("xmlsec1 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
