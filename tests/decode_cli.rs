//! `samlkit decode` and the forgiving input `verify` shares with it, through the built binary:
//! every wrapping users paste, the stderr report, `--raw`, `--json`, and the mistakes in words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{assert_error, fixture, samlkit, stdout};

fn decode_stdin(input: &[u8], extra: &[&str]) -> std::process::Output {
    samlkit().arg("decode").args(extra).arg("-").write_stdin(input.to_vec()).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn html_page(relay_state: Option<&str>) -> String {
    let mut extra = vec!["--format", "html"];
    if let Some(rs) = relay_state {
        extra.extend(["--relay-state", rs]);
    }
    issue(&extra)
}

fn redirect_url() -> String {
    let out = samlkit()
        .args([
            "redirect",
            "sign",
            "--key",
            &fixture("keys/idp.key"),
            "--destination",
            "https://idp.example.com/sso",
            "--saml-request-file",
            &fixture("redirect/authn-request.xml"),
            "--relay-state",
            "deep/link",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

#[test]
fn every_wrapping_prints_pretty_xml_and_says_what_it_took_off() {
    let xml = issue(&[]);
    let b64 = STANDARD.encode(&xml);
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        (xml.clone(), "decoded: XML (samlp:Response)", None),
        (format!("\n\n{xml}"), "decoded: XML (samlp:Response)", None),
        (b64.clone(), "decoded: base64 → XML (samlp:Response)", None),
        (
            format!(
                "SAMLResponse={}&RelayState=%2Fhome",
                b64.replace('+', "%2B").replace('=', "%3D")
            ),
            "decoded: form body → base64 → XML SAMLResponse (samlp:Response)",
            Some("RelayState: /home"),
        ),
        (
            html_page(Some("/after")),
            "decoded: HTML form → base64 → XML SAMLResponse (samlp:Response)",
            Some("RelayState: /after"),
        ),
        (
            std::fs::read_to_string(fixture("captured/form-body.txt")).unwrap(),
            "decoded: form body → base64 → XML SAMLResponse (samlp:Response)",
            None,
        ),
    ];
    for (input, layers, extra_line) in cases {
        let out = decode_stdin(input.as_bytes(), &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(err.contains(layers), "expected {layers:?} in {err}");
        assert!(err.contains("NOTHING WAS VERIFIED"), "{err}");
        if let Some(line) = extra_line {
            assert!(err.contains(line), "expected {line:?} in {err}");
        }
        let text = stdout(&out);
        assert!(text.starts_with("<samlp:Response "), "{text}");
        assert!(text.contains("\n  <saml:Issuer>"), "indented: {text}");
    }
}

#[test]
fn a_redirect_url_shows_its_parameters() {
    let out = decode_stdin(redirect_url().as_bytes(), &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("decoded: URL → base64 → deflate → XML SAMLRequest (samlp:AuthnRequest)"),
        "{err}"
    );
    assert!(err.contains("RelayState: deep/link"), "{err}");
    assert!(err.contains("SigAlg: http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"), "{err}");
    assert!(err.contains("Signature: "), "{err}");
    assert!(stdout(&out).starts_with("<samlp:AuthnRequest "), "{}", stdout(&out));
}

#[test]
fn raw_writes_the_exact_bytes_and_json_describes_them() {
    let xml = issue(&[]);
    let out = decode_stdin(STANDARD.encode(&xml).as_bytes(), &["--raw"]);
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap(), xml);
    assert!(stderr(&out).contains("NOTHING WAS VERIFIED"));

    let page = html_page(Some("rs1"));
    let raw = decode_stdin(page.as_bytes(), &["--raw"]).stdout;
    assert!(raw.starts_with(b"<?xml"), "{}", String::from_utf8_lossy(&raw));
    let out = decode_stdin(page.as_bytes(), &["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["kind"], "SAMLResponse");
    assert_eq!(json["layers"], serde_json::json!(["html_form", "base64", "xml"]));
    assert_eq!(json["relay_state"], "rs1");
    assert_eq!(json["verified"], false);
    assert_eq!(json["root"], "samlp:Response");
    assert_eq!(json["xml"].as_str().unwrap().as_bytes(), raw.as_slice());
}

#[test]
fn a_jwt_shows_header_and_claims() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"client-id","sub":"alice@example.com"}"#);
    let out = decode_stdin(format!("{header}.{claims}.c2ln").as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\n  \"alg\": \"RS256\"\n}\n{\n  \"iss\": \"client-id\",\n  \"sub\": \"alice@example.com\"\n}\n"
    );
    assert!(stderr(&out).starts_with("decoded: JWT\n"), "{}", stderr(&out));
}

#[test]
fn mistakes_are_named_in_words() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(issue(&[]).encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"RelayState=x&other=1".to_vec(), "form body has no SAMLResponse field"),
        (
            b"Authorization: Bearer abc.def.ghi".to_vec(),
            "this is a bearer header: pass only the token",
        ),
        (b"not base64 at all!".to_vec(), "cannot appear in base64"),
        (
            utf16,
            "UTF-16LE (with a byte-order mark) text (PowerShell's `>` writes it); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8",
        ),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>".to_vec(), "DOCTYPE"),
        (b"".to_vec(), "the input is empty"),
    ];
    for (input, needle) in cases {
        let out = decode_stdin(&input, &[]);
        assert_error(&out, 2, needle);
        assert!(stderr(&out).starts_with("error: <stdin>: "), "{}", stderr(&out));
    }
    // '+' turned into spaces: a base64 value with a '+' in it, spaces in its place.
    let b64 = STANDARD.encode(issue(&[]));
    assert!(b64.contains('+'), "the fixture response has a '+' in its base64");
    let out = decode_stdin(b64.replace('+', " ").as_bytes(), &[]);
    assert_error(
        &out,
        2,
        "the '+' signs were turned into spaces: pass the form body or value as captured",
    );
}

#[test]
fn verify_reads_the_html_page_and_xml_after_a_newline() {
    let page = html_page(None);
    let xml = issue(&[]);
    for (input, decode_step) in [
        (page, "1. decode: HTML auto-POST page with base64 SAMLResponse"),
        (
            format!("\n  {xml}"),
            "decode: note: 3 bytes of whitespace before the XML declaration were ignored",
        ),
    ] {
        let out = samlkit()
            .args([
                "verify",
                "--cert",
                &fixture("certs/idp.crt"),
                "--audience",
                SP,
                "--recipient",
                ACS,
            ])
            .args(["--issuer", IDP, "--now", VERIFY_AT, "--explain", "-"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(decode_step), "{text}");
        assert!(text.contains("-: valid"), "{text}");
    }
}

#[test]
fn verify_names_utf16_input_and_how_to_convert_it() {
    let xml = issue(&[]);
    for (bytes, encoding) in [
        (
            [0xFF, 0xFE]
                .into_iter()
                .chain(xml.encode_utf16().flat_map(u16::to_le_bytes))
                .collect::<Vec<u8>>(),
            "UTF-16LE (with a byte-order mark)",
        ),
        (xml.encode_utf16().flat_map(u16::to_le_bytes).collect(), "UTF-16LE text"),
    ] {
        let out = samlkit()
            .args(["verify", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT, "-"])
            .write_stdin(bytes)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains(encoding), "{err}");
        assert!(err.contains("iconv -f UTF-16 -t UTF-8"), "{err}");
    }
}

#[test]
fn issue_writes_relay_state_and_out_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let path_s = path.to_str().unwrap();
    issue(&["--format", "html", "--relay-state", "/a\"b", "--out", path_s]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.contains(r#"name="RelayState" value="/a&quot;b""#), "{page}");

    let again = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "a@example.com", "--out", path_s])
        .output()
        .unwrap();
    assert_error(&again, 2, "already exists; use --force to overwrite it");
    issue(&["--out", path_s, "--force"]);
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("<?xml"));

    let xml_rs = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "a@example.com", "--relay-state", "x"])
        .output()
        .unwrap();
    assert_error(&xml_rs, 2, "--relay-state goes into the --format html page");
}
