//! `samlkit issue`, `sign` and `verify` end to end through the built binary: the happy paths,
//! every input encoding, batch mode, and each usage error with its exit code and message.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use predicates::prelude::*;
use support::saml::*;
use support::*;

#[test]
fn readme_pipeline_issue_then_verify_on_stdin() {
    let doc = issue(&[]);
    samlkit()
        .args([
            "verify",
            "--cert",
            &fixture("certs/idp.crt"),
            "--audience",
            SP,
            "--now",
            VERIFY_AT,
            "-",
        ])
        .write_stdin(doc)
        .assert()
        .success()
        .stdout(predicate::str::contains("-: valid"))
        .stdout(predicate::str::contains("name_id:         alice@example.com"))
        .stdout(predicate::str::contains(
            "attribute:       groups = a\n  attribute:       groups = b\n",
        ));
}

#[test]
fn json_result_has_the_spec_fields_in_order() {
    let v = verify(&issue(&[]), &["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    assert!(v.valid(), "{}", v.error());
    assert_eq!(v.code, 0);
    let j = &v.json;
    assert_eq!(j["signed"], serde_json::json!(["assertion"]));
    assert_eq!(j["issuer"], IDP);
    assert_eq!(j["name_id_format"], "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    assert_eq!(j["session_index"], "_s1");
    assert_eq!(j["audiences"], serde_json::json!([SP]));
    assert_eq!(j["recipient"], ACS);
    assert_eq!(j["not_before"], ISSUED);
    assert_eq!(j["not_on_or_after"], "2026-11-29T10:05:00Z");
    assert_eq!(j["attributes"]["groups"], serde_json::json!(["a", "b"]));
    assert!(j["cert_sha256"].as_str().unwrap().len() == 95, "{}", j["cert_sha256"]);
    // Fields keep the SPEC's order (serde_json::Value would sort them, so look at the text).
    let order = [
        "\"file\"",
        "\"valid\"",
        "\"error\"",
        "\"signed\"",
        "\"cert_sha256\"",
        "\"issuer\"",
        "\"name_id\"",
        "\"name_id_format\"",
        "\"session_index\"",
        "\"audiences\"",
        "\"recipient\"",
        "\"not_before\"",
        "\"not_on_or_after\"",
        "\"attributes\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| v.raw.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", v.raw);
}

#[test]
fn every_input_encoding_verifies() {
    let doc = issue(&[]);
    let b64 = issue(&["--format", "base64"]);
    assert!(STANDARD.decode(b64.trim()).is_ok());
    let form = format!(
        "SAMLResponse={}&RelayState=%2Fhome",
        STANDARD.encode(&doc).replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    );
    for input in [doc.clone(), b64, form] {
        let v = verify(&input, &[]);
        assert!(v.valid(), "{}", v.error());
    }
}

#[test]
fn html_format_is_an_auto_submitting_escaped_post_form() {
    let html =
        issue(&["--format", "html", "--recipient", "https://sp.example.com/acs?a=1&b=\"2\""]);
    let value = html.split("name=\"SAMLResponse\" value=\"").nth(1).unwrap();
    let value = &value[..value.find('"').unwrap()];
    let xml = String::from_utf8(STANDARD.decode(value).unwrap()).unwrap();
    assert!(xml.contains("<saml:NameID"));
    // The whole page, byte for byte: the action escaped, no RelayState, a button without JS.
    let expected = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Signing in…</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n\
         <form method=\"post\" action=\"https://sp.example.com/acs?a=1&amp;b=&quot;2&quot;\">\n\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"{value}\">\n\
         <noscript><p>JavaScript is off. Press Continue to sign in.</p><input type=\"submit\" value=\"Continue\"></noscript>\n\
         </form>\n</body>\n</html>\n"
    );
    assert_eq!(html, expected);
}

#[test]
fn sign_both_then_verify_requiring_each_signature() {
    let unsigned = issue(&["--sign", "none"]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("unsigned.xml");
    std::fs::write(&input, &unsigned).unwrap();
    let sign = |target: &str| {
        let out = samlkit()
            .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
            .args(["--target", target])
            .arg(&input)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let both = sign("both");
    assert_eq!(both, sign("both"), "RSA signing is deterministic");
    assert_eq!(both.matches("<ds:Signature xmlns").count(), 2);
    // Schema order: Issuer, then Signature, in both elements.
    assert_eq!(both.matches("</saml:Issuer><ds:Signature").count(), 2);
    for require in ["response", "assertion", "any"] {
        let v = verify(&both, &["--require", require]);
        assert!(v.valid(), "{require}: {}", v.error());
        assert_eq!(v.json["signed"], serde_json::json!(["response", "assertion"]));
    }
}

#[test]
fn sign_out_dir_and_batch_verify_one_json_line_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    let outputs = dir.path().join("out");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&outputs).unwrap();
    for name in ["a.xml", "b.xml"] {
        std::fs::write(inputs.join(name), issue(&["--sign", "none"])).unwrap();
    }
    samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .arg("--out-dir")
        .arg(&outputs)
        .arg(inputs.join("a.xml"))
        .arg(inputs.join("b.xml"))
        .assert()
        .success();
    std::fs::write(outputs.join("c.xml"), "<not-saml/>").unwrap();
    let out = samlkit()
        .args(["verify", "--json", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .arg(outputs.join("a.xml"))
        .arg(outputs.join("b.xml"))
        .arg(outputs.join("c.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one file fails the check");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["valid"], true);
    assert_eq!(lines[2]["valid"], false);
    assert_eq!(lines[2]["error_code"], "unexpected_document");
    assert!(lines[2]["file"].as_str().unwrap().ends_with("c.xml"));
}

#[test]
fn explain_prints_each_step() {
    let doc = issue(&[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xml");
    std::fs::write(&path, &doc).unwrap();
    samlkit()
        .args(["verify", "--explain", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .args(["--audience", SP])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("1. decode: raw XML"))
        .stdout(predicate::str::contains("digest sha256 over"))
        .stdout(predicate::str::contains("= expected"))
        .stdout(predicate::str::contains("verified with trusted certificate #1"))
        .stdout(predicate::str::contains("NotOnOrAfter 2026-11-29T10:05:00Z (in 4m 0s)"))
        .stdout(predicate::str::contains("audience \"https://sp.example.com\" allowed"));
    // A failing response explains where it failed, and the error still goes to stderr: one
    // `error:` line, after the run's warnings for the bindings left unchecked (no --audience,
    // --recipient or --issuer here).
    std::fs::write(&path, doc.replace("alice@example.com", "mallory@example.com")).unwrap();
    samlkit()
        .args(["verify", "--explain", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("MISMATCH"))
        .stdout(predicate::str::contains("FAILED [digest_mismatch]"))
        .stderr(predicate::function(|s: &str| {
            let lines: Vec<&str> = s.lines().collect();
            lines.len() == 4
                && lines[..3].iter().all(|l| l.starts_with("warning: "))
                && lines[3].starts_with("error: ")
                && lines[3].contains("Digest Mismatch")
        }));
}

#[test]
fn ecdsa_p256_keys_sign_and_verify() {
    let doc = issue_with("keys/ec-p256.key", "certs/ec-p256.crt", &[]);
    assert!(doc.contains("xmldsig-more#ecdsa-sha256"));
    let out = samlkit()
        .args([
            "verify",
            "--json",
            "--cert",
            &fixture("certs/ec-p256.crt"),
            "--now",
            VERIFY_AT,
            "-",
        ])
        .write_stdin(doc)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true, "{}", v["error"]);
}

#[test]
fn usage_and_input_errors_exit_2_with_one_error_line() {
    let key = fixture("keys/idp.key");
    let cert = fixture("certs/idp.crt");
    let base = ["--issuer", IDP, "--name-id", "a@example.com"];
    let mismatch = format!(
        "error: the certificate {cert} does not belong to the private key {}\n",
        fixture("keys/attacker.key")
    );
    // `issue --key KEY --cert CERT EXTRA… BASE…`
    let issue_args = |key: &str, extra: &[&str]| -> Vec<String> {
        ["issue", "--key", key, "--cert", &cert]
            .iter()
            .chain(extra)
            .chain(&base)
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["verify".into()], "required arguments"),
        (
            vec!["verify".into(), "--cert".into(), "/nonexistent.crt".into(), "x.xml".into()],
            "cannot read /nonexistent.crt",
        ),
        (issue_args(&fixture("keys/attacker.key"), &[]), mismatch.as_str()),
        (issue_args(&key, &["--attr", "novalue"]), "is not NAME=VALUE"),
        (issue_args(&key, &["--now", "yesterday"]), "expected RFC 3339 such as"),
        (issue_args(&key, &["--format", "html"]), "--format html needs --recipient"),
        (
            issue_args(&key, &["--format", "html", "--recipient", "javascript:alert(1)"]),
            "the POST form's action must be an http or https URL, not \"javascript:alert(1)\"",
        ),
        (issue_args(&key, &["--alg", "ecdsa-sha256"]), "does not fit the key"),
        (issue_args(&key, &["--digest", "md5"]), "--digest \"md5\" is not one of"),
        (
            vec![
                "sign".into(),
                "--key".into(),
                key.clone(),
                "--cert".into(),
                cert.clone(),
                "a.xml".into(),
                "b.xml".into(),
            ],
            "several input files need --out-dir",
        ),
    ];
    for (args, message) in cases {
        samlkit()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("error: ").and(predicate::str::contains(message)))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
}

#[test]
fn malformed_documents_exit_2_naming_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.xml");
    std::fs::write(
        &path,
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n<a></b>",
    )
    .unwrap();
    samlkit()
        .args(["verify", "--cert", &fixture("certs/idp.crt")])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.xml:2:"));
    samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Malformed XML"));
}

#[test]
fn sign_places_the_signature_where_each_schema_wants_it() {
    let docs = [
        (
            "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" ID=\"_m1\" entityID=\"https://idp.example.com\"><md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/></md:EntityDescriptor>",
            "ID=\"_m1\" entityID=\"https://idp.example.com\"><ds:Signature",
        ),
        (
            "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" IssueInstant=\"2026-11-29T10:00:00Z\"><saml:Issuer>https://sp.example.com</saml:Issuer><samlp:NameIDPolicy AllowCreate=\"true\"/></samlp:AuthnRequest>",
            "</saml:Issuer><ds:Signature",
        ),
    ];
    for (doc, expected) in docs {
        let out = sign_stdin(doc);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let signed = String::from_utf8(out.stdout).unwrap();
        assert!(signed.contains(expected), "{signed}");
    }
    // An element without an ID cannot be referenced.
    samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt"), "-"])
        .write_stdin("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no ID attribute"));
}

#[test]
fn issue_sign_and_metadata_help_show_their_examples_and_a_summary() {
    // `<command> --help` prints the Args struct's long text (with its examples); a doc comment on
    // the subcommand variant would silently replace it.
    let long_help: &[(&str, &[&str])] = &[
        ("issue", &["Examples:", "--attr groups=admins", "--break xsw3"]),
        ("sign", &["Examples:", "--target both \\\n      unsigned.xml > signed.xml"]),
        ("verify", &["Examples:", "--explain fixtures/captured/form-body.txt"]),
        ("metadata", &["Examples:", "samlkit verify --metadata --cert CERT FILE"]),
    ];
    for (command, needles) in long_help {
        let out = run(&[command, "--help"]);
        assert_success(&out);
        let help = stdout(&out);
        for needle in *needles {
            assert!(help.contains(needle), "{command} --help lacks {needle:?}:\n{help}");
        }
    }

    // `samlkit --help` still gives each of them a one-line summary (the long text's first line).
    let out = run(&["--help"]);
    assert_success(&out);
    let help = stdout(&out);
    for (command, summary) in [
        ("issue", "Build a signed SAML 2.0 Response (one Assertion) for a service provider"),
        ("sign", "Sign existing SAML documents with enveloped XML signatures"),
        ("verify", "Verify signed SAML responses against trusted certificates"),
        ("metadata", "Write SAML 2.0 metadata for an identity provider"),
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("no `{command}` line in:\n{help}"));
        assert!(line.contains(summary), "{command}: {line:?} should contain {summary:?}");
    }
}
