use base64::engine::general_purpose::STANDARD;
use std::io::Write;

use super::*;

const XML: &str =
    "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">é+?</samlp:Response>";

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// A base64 value that contains '+' (so that the "+ became space" cases are real).
fn b64_with_plus() -> String {
    let mut xml = String::from("<x>");
    for i in 0..64 {
        xml.push_str(&format!("<y a=\"{i}\">~</y>"));
        let encoded = b64(format!("{xml}</x>").as_bytes());
        if encoded.contains('+') {
            return encoded;
        }
    }
    panic!("no '+' in any candidate")
}

#[test]
fn every_wrapping_decodes_with_its_layers() {
    use Layer::*;
    let encoded = b64(XML.as_bytes());
    let deflated = b64(&deflate(XML.as_bytes()));
    let url_encoded = crate::redirect::url_encode(&deflated);
    let page = crate::post_form("https://sp.example.com/acs", &encoded, Some("/a&b")).unwrap();
    let idp_page = format!(
        "<HTML><BODY Onload=\"document.forms[0].submit()\"><FORM METHOD=\"POST\" ACTION=\"https://sp/acs\"><INPUT TYPE=\"HIDDEN\" NAME=\"RelayState\" VALUE=\"rs\"/><INPUT TYPE=\"HIDDEN\" NAME=\"SAMLResponse\" VALUE=\"{}\"/></FORM></BODY></HTML>",
        encoded.replace('+', "&#x2b;")
    );
    let wrapped: String = encoded
        .as_bytes()
        .chunks(20)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let cases: Vec<(String, Found, Vec<Layer>, Option<&str>)> = vec![
        (XML.to_string(), Found::Xml, vec![Xml], None),
        (format!("\u{feff}\n  {XML}\n"), Found::Xml, vec![Xml], None),
        (encoded.clone(), Found::Xml, vec![Base64, Xml], None),
        (wrapped, Found::Xml, vec![Base64, Xml], None),
        (deflated.clone(), Found::Xml, vec![Base64, Deflate, Xml], None),
        (url_encoded.clone(), Found::Xml, vec![UrlEncoding, Base64, Deflate, Xml], None),
        (
            format!("SAMLResponse={}&RelayState=%2Fhome", crate::redirect::url_encode(&encoded)),
            Found::SamlResponse,
            vec![FormBody, Base64, Xml],
            Some("/home"),
        ),
        // A raw '+' kept by a sloppy capture.
        (
            format!("RelayState=x&SAMLResponse={encoded}"),
            Found::SamlResponse,
            vec![FormBody, Base64, Xml],
            Some("x"),
        ),
        (
            format!(
                "https://idp.example.com/sso?SAMLRequest={url_encoded}&RelayState=r%201&SigAlg=x&Signature=c2ln"
            ),
            Found::SamlRequest,
            vec![Url, Base64, Deflate, Xml],
            Some("r 1"),
        ),
        (page, Found::SamlResponse, vec![HtmlForm, Base64, Xml], Some("/a&b")),
        (idp_page, Found::SamlResponse, vec![HtmlForm, Base64, Xml], Some("rs")),
    ];
    for (input, found, layers, relay_state) in cases {
        let got = decode(input.as_bytes()).unwrap_or_else(|e| panic!("{e}: {input}"));
        assert_eq!(got.xml().map(str::trim_end), Some(XML), "{input}");
        assert_eq!((got.found, &got.layers), (found, &layers), "{input}");
        assert_eq!(got.relay_state.as_deref(), relay_state, "{input}");
    }
}

#[test]
fn a_redirect_url_keeps_sig_alg_and_signature_and_describes_its_layers() {
    let deflated = crate::redirect::url_encode(&b64(&deflate(XML.as_bytes())));
    let url =
        format!("https://idp/sso?SAMLRequest={deflated}&SigAlg=http%3A%2F%2Fx&Signature=c2ln%2B");
    let got = decode(url.as_bytes()).unwrap();
    assert_eq!(got.sig_alg.as_deref(), Some("http://x"));
    assert_eq!(got.signature.as_deref(), Some("c2ln+"));
    assert_eq!(got.describe(), "URL → base64 → deflate → XML SAMLRequest");
}

#[test]
fn leading_whitespace_is_dropped_with_a_note() {
    let got = decode(b"\n\n  <?xml version=\"1.0\"?><x/>").unwrap();
    assert_eq!(got.xml(), Some("<?xml version=\"1.0\"?><x/>"));
    assert_eq!(got.notes, ["4 bytes of whitespace before the XML declaration were ignored"]);
}

#[test]
fn a_jwt_shows_header_and_claims() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
    let claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"client","exp":2000000000}"#);
    let got = decode(format!("{header}.{claims}.c2ln\n").as_bytes()).unwrap();
    assert_eq!(got.found, Found::Jwt);
    assert_eq!(got.describe(), "JWT");
    let jwt = got.jwt.unwrap();
    assert_eq!(jwt.header["kid"], "k1");
    assert_eq!(jwt.claims["exp"], 2_000_000_000);
    assert!(jwt.has_signature);
}

#[test]
fn mistakes_get_their_own_words() {
    let with_plus = b64_with_plus();
    let spaced = with_plus.replace('+', " ");
    let utf16: Vec<u8> = "<x/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16_bom: Vec<u8> = [0xFF, 0xFE].into_iter().chain(utf16.iter().copied()).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "the input is empty"),
        (b"  \n".to_vec(), "the input is empty"),
        (
            b"RelayState=abc&foo=bar".to_vec(),
            "the form body has no SAMLResponse field (it has: \"RelayState\", \"foo\")",
        ),
        (spaced.clone().into_bytes(), "the '+' signs were turned into spaces"),
        (
            format!("SAMLResponse={}", spaced.replace(' ', "%20")).into_bytes(),
            "the '+' signs were turned into spaces",
        ),
        (
            b"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x".to_vec(),
            "this is a bearer header: pass only the token",
        ),
        (b"Bearer abc.def.ghi".to_vec(), "this is a bearer header: pass only the token"),
        (
            b"POST /acs HTTP/1.1\r\nHost: sp\r\n\r\nSAMLResponse=x".to_vec(),
            "this is a whole HTTP request",
        ),
        (
            utf16,
            "the input is UTF-16LE text (PowerShell's `>` writes it); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8",
        ),
        (utf16_bom, "UTF-16LE (with a byte-order mark)"),
        (
            b"https://idp.example.com/sso?foo=1".to_vec(),
            "the URL has no SAMLRequest or SAMLResponse parameter (it has: \"foo\")",
        ),
        (
            b"<html><body><form><input name=\"x\" value=\"1\"></form></body></html>".to_vec(),
            "the HTML page has no SAMLResponse or SAMLRequest form field (it has: \"x\")",
        ),
        (b"not base64 !!".to_vec(), "'!' at character 12 cannot appear in base64"),
        (b"PHg-PC94Pg".to_vec(), "looks like base64url"),
        (b"PHg+P".to_vec(), "the base64 is cut short (5 characters"),
        (
            b"aGVsbG8=".to_vec(),
            "the base64 decodes to 5 bytes that are neither XML nor DEFLATE-compressed XML",
        ),
        (b64(b"{\"a\":1}").into_bytes(), "(it looks like JSON)"),
        (b"SAMLResponse=%ZZ".to_vec(), "the \"SAMLResponse\" field has a broken %-escape"),
        (b"\xff\xfe\xfd".to_vec(), "UTF-16LE"),
        (b"\x80\x81abc".to_vec(), "neither XML nor text"),
        (b"<x>\xff</x>".to_vec(), "XML is not valid UTF-8 (byte offset 3)"),
        (b"SAMLResponse=a&SAMLResponse=b".to_vec(), "the form body carries SAMLResponse 2 times"),
        (b"SAMLResponse=a&SAMLRespons%65=b".to_vec(), "the form body carries SAMLResponse 2 times"),
    ];
    for (input, expected) in cases {
        let err = decode(&input).unwrap_err();
        assert!(
            err.detail().contains(expected),
            "{:?}: got {:?}, expected {expected:?}",
            String::from_utf8_lossy(&input),
            err.detail()
        );
        // No decoder internals reach the user.
        assert!(!err.detail().contains("Invalid symbol"), "{}", err.detail());
        assert!(!err.detail().contains("Invalid byte"), "{}", err.detail());
    }
}

#[test]
fn deflate_bomb_is_capped() {
    let big = vec![b'<'; (MAX_INFLATED_MESSAGE_BYTES + 1) as usize];
    let err = decode(b64(&deflate(&big)).as_bytes()).unwrap_err();
    assert!(err.to_string().contains("inflated message exceeds 1 MiB"), "{err}");
    let at_cap = vec![b'<'; MAX_INFLATED_MESSAGE_BYTES as usize];
    let got = decode(b64(&deflate(&at_cap)).as_bytes()).unwrap();
    assert_eq!(got.content.len() as u64, MAX_INFLATED_MESSAGE_BYTES);
}

#[test]
fn no_input_panics() {
    // Prefixes of every wrapping, and single bytes: an error or a result, never a panic.
    let encoded = b64(XML.as_bytes());
    let page = crate::post_form("https://sp/acs", &encoded, Some("r")).unwrap();
    for whole in [
        page,
        format!("SAMLResponse={encoded}&RelayState=r"),
        format!("https://x/?SAMLRequest={encoded}"),
    ] {
        for end in 0..whole.len() {
            if let Some(prefix) = whole.get(..end) {
                let _ = decode(prefix.as_bytes());
            }
        }
    }
    for b in 0..=255u8 {
        let _ = decode(&[b]);
        let _ = decode(&[b, 0, b, 0]);
    }
}

#[test]
fn html_pages_are_told_from_xml_by_their_first_200_characters() {
    let far = format!("<!--{}--><html>", "é".repeat(196));
    let near = format!("<!--{}--><html>", "é".repeat(188));
    let cases = [
        ("<!DOCTYPE html><html></html>", true),
        ("<!doctype HTML>", true),
        ("<HTML><BODY>", true),
        ("<Head>", true),
        ("<body onload=x>", true),
        ("<FORM method=post>", true),
        ("<!-- page --><HtMl>", true),
        (near.as_str(), true),
        // Characters, not bytes, are counted: here "<html" ends at the 200th, there it starts
        // at the 204th.
        (far.as_str(), false),
        ("<!-- comment --><samlp:Response/>", false),
        ("<samlp:Response><html/></samlp:Response>", false),
        ("<htm", false),
        ("", false),
    ];
    for (text, expected) in cases {
        assert_eq!(html::is_html(text), expected, "{text}");
    }
}
