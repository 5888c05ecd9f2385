//! Turning what an operator captured into XML text: raw XML, the base64 `SAMLResponse` form
//! value (HTTP-POST binding), a whole URL-encoded form body (`SAMLResponse=…&RelayState=…`), or
//! DEFLATE + base64 (HTTP-Redirect binding encoding).

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use crate::ErrorKind;
use crate::SamlError;

/// The largest decoded message accepted (after base64): 10 MiB. Real responses are a few
/// kilobytes; a response with tens of thousands of attributes is a few megabytes.
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

/// The largest message accepted after inflating DEFLATE input: 1 MiB (the same cap as the
/// HTTP-Redirect binding's, [`crate::redirect::MAX_INFLATED_BYTES`]). DEFLATE turns 20 KB into
/// 10 MiB of markup, so compressed input gets the lower cap: a deflate bomb stops here.
pub const MAX_INFLATED_MESSAGE_BYTES: u64 = crate::redirect::MAX_INFLATED_BYTES as u64;

/// The most nodes (elements, text, comments, …) a SAML message may have: 250,000. A real
/// response has a few hundred; 60,000 attributes take about 180,000. The parser stops at the
/// first node beyond it, so the tree of any input costs at most about 11 MB (44 bytes a node).
pub const MAX_MESSAGE_NODES: usize = 250_000;

/// The parser limits for SAML messages and metadata: [`MAX_MESSAGE_BYTES`],
/// [`MAX_MESSAGE_NODES`], and the parser's defaults for depth, names and attributes.
///
/// ```
/// let limits = samlkit_saml::message_limits();
/// assert_eq!(limits.max_nodes, samlkit_saml::MAX_MESSAGE_NODES);
/// ```
pub fn message_limits() -> samlkit_xml::Limits {
    samlkit_xml::Limits {
        max_input_bytes: MAX_MESSAGE_BYTES as usize,
        max_nodes: MAX_MESSAGE_NODES,
        ..samlkit_xml::Limits::default()
    }
}

/// How the input was encoded, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputEncoding {
    /// The bytes were XML already.
    Xml,
    /// base64 of the XML (the HTTP-POST `SAMLResponse` value).
    Base64,
    /// A URL-encoded form body with a `SAMLResponse` (or `SAMLRequest`) field holding base64.
    FormBody,
    /// raw DEFLATE then base64 (possibly inside a form body or URL-encoded).
    DeflateBase64,
}

impl InputEncoding {
    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            InputEncoding::Xml => "raw XML",
            InputEncoding::Base64 => "base64 (HTTP-POST SAMLResponse value)",
            InputEncoding::FormBody => "URL-encoded form body with base64 SAMLResponse",
            InputEncoding::DeflateBase64 => "DEFLATE + base64",
        }
    }
}

/// Decodes captured input into XML text and says which encoding it had.
///
/// ```
/// use samlkit_saml::{decode_input, InputEncoding};
/// let (xml, enc) = decode_input(b"SAMLResponse=PHg%2BPC94Pg%3D%3D&RelayState=abc").unwrap();
/// assert_eq!(xml, "<x></x>");
/// assert_eq!(enc, InputEncoding::FormBody);
/// ```
pub fn decode_input(bytes: &[u8]) -> Result<(String, InputEncoding), SamlError> {
    if bytes.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(SamlError::new(
            ErrorKind::MalformedInput,
            format!(
                "input is {} bytes; the limit is {}",
                bytes.len(),
                samlkit_xml::format_size(MAX_MESSAGE_BYTES)
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(SamlError::new(ErrorKind::MalformedInput, "the input is empty"));
    }
    if trimmed.first() == Some(&b'<') {
        return utf8(bytes.to_vec()).map(|xml| (xml, InputEncoding::Xml));
    }
    let text = std::str::from_utf8(trimmed).map_err(|_| {
        SamlError::new(
            ErrorKind::MalformedInput,
            "input is neither XML nor base64 text (not UTF-8)",
        )
    })?;

    refuse_duplicate_parameters(text)?;
    let form_value = form_field(text, "SAMLResponse").or_else(|| form_field(text, "SAMLRequest"));
    let (value, from_form) = match form_value {
        Some(v) => (v, true),
        None => (text.to_string(), false),
    };
    // URL decoding: standard form semantics ('+' is a space) first; captured bodies sometimes keep
    // a raw '+' from base64, so fall back to keeping '+' if the first reading is not base64.
    let candidates = [percent_decode(&value, true), percent_decode(&value, false)];
    let mut last_err = None;
    for candidate in candidates.into_iter().flatten() {
        match decode_base64_message(&candidate) {
            Ok((xml, deflated)) => {
                let enc = match (deflated, from_form) {
                    (true, _) => InputEncoding::DeflateBase64,
                    (false, true) => InputEncoding::FormBody,
                    (false, false) => InputEncoding::Base64,
                };
                return Ok((xml, enc));
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        SamlError::new(
            ErrorKind::MalformedInput,
            "input has an invalid %-escape in its URL encoding",
        )
    }))
}

/// base64 (whitespace ignored), then either XML or raw DEFLATE of XML.
fn decode_base64_message(value: &str) -> Result<(String, bool), SamlError> {
    let compact: Vec<u8> = value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let decoded = STANDARD_PAD_INDIFFERENT.decode(&compact).map_err(|e| {
        SamlError::new(
            ErrorKind::MalformedInput,
            format!("input is not XML and not valid base64 ({e})"),
        )
    })?;
    let decoded_trimmed = decoded.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&decoded);
    if decoded_trimmed.trim_ascii_start().first() == Some(&b'<') {
        return utf8(decoded).map(|xml| (xml, false));
    }
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(decoded.as_slice())
        .take(MAX_INFLATED_MESSAGE_BYTES + 1)
        .read_to_end(&mut inflated)
        .map_err(|_| {
            SamlError::new(
                ErrorKind::MalformedInput,
                "base64 decoded to neither XML nor DEFLATE-compressed XML",
            )
        })?;
    if inflated.len() as u64 > MAX_INFLATED_MESSAGE_BYTES {
        return Err(SamlError::new(
            ErrorKind::MalformedInput,
            format!(
                "inflated message exceeds {}",
                samlkit_xml::format_size(MAX_INFLATED_MESSAGE_BYTES)
            ),
        ));
    }
    if inflated.trim_ascii_start().first() != Some(&b'<') {
        return Err(SamlError::new(
            ErrorKind::MalformedInput,
            "base64 decoded to neither XML nor DEFLATE-compressed XML",
        ));
    }
    utf8(inflated).map(|xml| (xml, true))
}

fn utf8(bytes: Vec<u8>) -> Result<String, SamlError> {
    String::from_utf8(bytes).map_err(|e| {
        SamlError::new(
            ErrorKind::MalformedInput,
            format!("XML is not valid UTF-8 (byte offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// The raw (still URL-encoded) value of `name` in an `a=b&c=d` form body.
/// A form body that carries SAMLResponse, SAMLRequest or RelayState twice is refused: servers
/// differ in which one they read (PHP and Django the last, many others the first), so a
/// verifier that checks one while the application reads the other is fooled. Keys are compared
/// after URL decoding (`SAMLRespons%65` is `SAMLResponse`).
fn refuse_duplicate_parameters(body: &str) -> Result<(), SamlError> {
    if !body.contains('=') {
        return Ok(());
    }
    for name in ["SAMLResponse", "SAMLRequest", "RelayState"] {
        let count = body
            .split('&')
            .filter_map(|pair| pair.split_once('=').map(|(key, _)| key.trim()))
            .filter(|key| *key == name || percent_decode(key, true).as_deref() == Some(name))
            .count();
        if count > 1 {
            return Err(SamlError::new(
                ErrorKind::DuplicateParameter,
                format!("the form body carries {name} {count} times; exactly one is accepted"),
            ));
        }
    }
    Ok(())
}

fn form_field(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim().to_string())
    })
}

/// `%XX` decoding; `plus_is_space` applies the form rule. `None` on a broken escape.
fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use std::io::Write;

    const XML: &str =
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">é+?</samlp:Response>";

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn url_encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    #[test]
    fn every_encoding_decodes_to_the_same_xml() {
        let b64 = STANDARD.encode(XML);
        let wrapped: String = b64
            .as_bytes()
            .chunks(20)
            .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let deflated = STANDARD.encode(deflate(XML.as_bytes()));
        let cases: Vec<(Vec<u8>, InputEncoding)> = vec![
            (XML.as_bytes().to_vec(), InputEncoding::Xml),
            (format!("\u{feff}  {XML}\n").into_bytes(), InputEncoding::Xml),
            (b64.clone().into_bytes(), InputEncoding::Base64),
            (wrapped.into_bytes(), InputEncoding::Base64),
            (
                format!("SAMLResponse={}&RelayState=%2Fhome", url_encode(&b64)).into_bytes(),
                InputEncoding::FormBody,
            ),
            (format!("RelayState=x&SAMLResponse={b64}").into_bytes(), InputEncoding::FormBody),
            (deflated.clone().into_bytes(), InputEncoding::DeflateBase64),
            (
                format!("SAMLRequest={}", url_encode(&deflated)).into_bytes(),
                InputEncoding::DeflateBase64,
            ),
        ];
        for (input, enc) in cases {
            let (xml, got) = decode_input(&input)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&input)));
            assert_eq!(xml.trim_start_matches('\u{feff}').trim(), XML);
            assert_eq!(got, enc);
        }
    }

    #[test]
    fn garbage_is_a_malformed_input_error() {
        for (input, what) in [
            (
                "SAMLResponse=PHg%2BPC94Pg%3D%3D&SAMLResponse=PHk%2BPC95Pg%3D%3D",
                "SAMLResponse 2 times",
            ),
            (
                "SAMLResponse=PHg%2BPC94Pg%3D%3D&SAMLRespons%65=PHk%2BPC95Pg%3D%3D",
                "SAMLResponse 2 times",
            ),
            ("SAMLResponse=PHg%2BPC94Pg%3D%3D&RelayState=a&RelayState=b", "RelayState 2 times"),
        ] {
            let err = decode_input(input.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DuplicateParameter, "{input}");
            assert!(err.detail().contains(what), "{err}");
        }
        for input in [&b"not base64 !!"[..], b"SAMLResponse=%ZZ", b"\xff\xfe", b"aGVsbG8="] {
            let err = decode_input(input).unwrap_err();
            assert_eq!(err.code(), "malformed_input", "{err}");
        }
    }

    #[test]
    fn deflate_bomb_is_capped() {
        let big = vec![b'<'; (MAX_INFLATED_MESSAGE_BYTES + 1) as usize];
        let encoded = STANDARD.encode(deflate(&big));
        let err = decode_input(encoded.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "malformed_input");
        assert!(err.to_string().contains("inflated message exceeds 1 MiB"), "{err}");
        // Exactly at the cap still inflates.
        let at_cap = vec![b'<'; MAX_INFLATED_MESSAGE_BYTES as usize];
        let (xml, enc) = decode_input(STANDARD.encode(deflate(&at_cap)).as_bytes()).unwrap();
        assert_eq!(
            (xml.len() as u64, enc),
            (MAX_INFLATED_MESSAGE_BYTES, InputEncoding::DeflateBase64)
        );
    }
}
