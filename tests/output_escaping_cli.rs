//! What `samlkit verify` prints can never be mistaken for something else: one value per line,
//! control, separator and bidi characters escaped on the terminal (stdout and stderr, signed or
//! not), and U+2028, U+2029 and U+0085 escaped in `--json` so each record stays one line.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{fixture, samlkit, stdout};

fn verify(doc: &str, json: bool) -> std::process::Output {
    let mut cmd = samlkit();
    cmd.args(["verify", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT]);
    cmd.args(["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    if json {
        cmd.arg("--json");
    }
    cmd.arg("-").write_stdin(doc).output().unwrap()
}

#[test]
fn one_value_with_a_comma_prints_unlike_two_values() {
    let one = verify(&issue(&["--attr", "role=staff, admins"]), false);
    let two = verify(&issue(&["--attr", "role=staff", "--attr", "role=admins"]), false);
    let lines = |out: &std::process::Output| -> Vec<String> {
        stdout(out).lines().filter(|l| l.contains("role =")).map(str::to_string).collect()
    };
    assert_eq!(lines(&one), vec!["  attribute:       role = staff, admins"]);
    assert_eq!(
        lines(&two),
        vec!["  attribute:       role = staff", "  attribute:       role = admins"]
    );
}

#[test]
fn signed_values_with_controls_and_bidi_are_escaped_on_the_terminal() {
    // XML 1.0 forbids C0 controls but allows C1 ones: U+009B is the one-byte CSI.
    let sneaky = "moc.live\u{202e}@alice\u{9b}2J\u{85}x";
    let out = verify(&issue(&["--attr", &format!("display={sneaky}")]), false);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("display = moc.live\\u{202e}@alice\\u{9b}2J\\u{85}x"), "{text}");
    assert!(!text.contains('\u{202e}') && !text.contains('\u{9b}') && !text.contains('\u{85}'));
}

#[test]
fn unsigned_status_messages_are_escaped_on_stderr() {
    let response = issue(&["--sign", "none"]);
    let start = response.find("<saml:Assertion ").unwrap();
    let end = response.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let failed = format!("{}{}", &response[..start], &response[end..]).replace(
        "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>",
        "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"/><samlp:StatusMessage>denied\u{9b}31m\u{202e}&#10;error: fake</samlp:StatusMessage>",
    );
    let out = verify(&failed, false);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("denied\\u{9b}31m\\u{202e}"), "{stderr}");
    assert!(!stderr.contains('\u{9b}') && !stderr.contains('\u{202e}'), "{stderr}");
}

#[test]
fn json_escapes_line_separators_so_one_record_stays_one_line() {
    let value = "a\u{2028}b\u{2029}c\u{85}d";
    let out = verify(&issue(&["--attr", &format!("x={value}")]), true);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.contains(r"a\u2028b\u2029c\u0085d"), "{text}");
    let parsed: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(parsed["attributes"]["x"][0], value);
}

#[test]
fn element_and_nil_values_print_as_what_they_are() {
    let unsigned = issue(&["--sign", "none", "--attr", "x=placeholder"]);
    let edited = unsigned.replace(
        "<saml:AttributeValue xsi:type=\"xs:string\">placeholder</saml:AttributeValue>",
        "<saml:AttributeValue><r:Role xmlns:r=\"urn:r\">ad</r:Role><r:Role xmlns:r=\"urn:r\">min</r:Role></saml:AttributeValue><saml:AttributeValue xsi:nil=\"true\"/>",
    );
    assert_ne!(edited, unsigned, "the placeholder value is where the test expects it");
    let signed = samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt"), "-"])
        .write_stdin(edited)
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let doc = String::from_utf8(signed.stdout).unwrap();

    let human = stdout(&verify(&doc, false));
    assert!(
        human.contains(
            "  attribute:       x holds XML <r:Role xmlns:r=\"urn:r\">ad</r:Role><r:Role xmlns:r=\"urn:r\">min</r:Role>\n"
        ),
        "{human}"
    );
    assert!(human.contains("  attribute:       x is nil\n"), "{human}");
    assert!(!human.contains("= admin"), "{human}");

    let json: serde_json::Value = serde_json::from_str(stdout(&verify(&doc, true)).trim()).unwrap();
    assert_eq!(json["attributes"]["x"], serde_json::json!([null]));
    assert_eq!(
        json["attributes_xml"]["x"],
        serde_json::json!([
            "<r:Role xmlns:r=\"urn:r\">ad</r:Role><r:Role xmlns:r=\"urn:r\">min</r:Role>"
        ])
    );
}
