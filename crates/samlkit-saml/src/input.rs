//! Turning what an operator captured into XML text: raw XML, the base64 `SAMLResponse` form
//! value (HTTP-POST binding), a whole URL-encoded form body (`SAMLResponse=…&RelayState=…`), or
//! DEFLATE + base64 (HTTP-Redirect binding encoding), or the HTML page of the HTTP-POST binding.

use std::borrow::Cow;

use crate::decode::Layer;
use crate::{ErrorKind, SamlError};

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

/// How the input was encoded, for `--explain`. [`crate::decode::decode`] gives the whole list
/// of layers.
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
    /// The HTML auto-POST page of the HTTP-POST binding, with a `SAMLResponse` field.
    HtmlForm,
}

impl InputEncoding {
    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            InputEncoding::Xml => "raw XML",
            InputEncoding::Base64 => "base64 (HTTP-POST SAMLResponse value)",
            InputEncoding::FormBody => "URL-encoded form body with base64 SAMLResponse",
            InputEncoding::DeflateBase64 => "DEFLATE + base64",
            InputEncoding::HtmlForm => "HTML auto-POST page with base64 SAMLResponse",
        }
    }
}

/// Decodes captured input into XML text and says which encoding it had: raw XML, base64, a
/// form body, DEFLATE + base64, or the HTML page of the HTTP-POST binding
/// ([`crate::decode::decode`] does the work and words the mistakes).
///
/// ```
/// use samlkit_saml::{decode_input, InputEncoding};
/// let (xml, enc) = decode_input(b"SAMLResponse=PHg%2BPC94Pg%3D%3D&RelayState=abc").unwrap();
/// assert_eq!(xml, "<x></x>");
/// assert_eq!(enc, InputEncoding::FormBody);
/// ```
pub fn decode_input(bytes: &[u8]) -> Result<(String, InputEncoding), SamlError> {
    decode_message(bytes).map(|(xml, encoding, _)| (xml.into_owned(), encoding))
}

/// [`decode_input`] with the notes for `--explain` (leading whitespace ignored, …).
pub(crate) fn decode_message(
    bytes: &[u8],
) -> Result<(Cow<'_, str>, InputEncoding, Vec<String>), SamlError> {
    if let Some(xml) = crate::decode::plain_xml(bytes) {
        return Ok((Cow::Borrowed(xml), InputEncoding::Xml, Vec::new()));
    }
    let decoded = crate::decode::decode(bytes)?;
    let Some(xml) = decoded.xml() else {
        return Err(SamlError::new(
            ErrorKind::MalformedInput,
            "this is a JWT (JSON Web Token), not a SAML message",
        ));
    };
    let has = |layer: Layer| decoded.layers.contains(&layer);
    let encoding = if has(Layer::Deflate) {
        InputEncoding::DeflateBase64
    } else if has(Layer::HtmlForm) {
        InputEncoding::HtmlForm
    } else if has(Layer::FormBody) || has(Layer::Url) {
        InputEncoding::FormBody
    } else if has(Layer::Base64) {
        InputEncoding::Base64
    } else {
        InputEncoding::Xml
    };
    Ok((Cow::Owned(xml.to_string()), encoding, decoded.notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
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

    /// Raw XML as it stands is borrowed instead of going through the full decoder
    /// (`decode::plain_xml`): whatever the input, the outcome must be the decoder's.
    #[test]
    fn plain_xml_takes_the_decoders_answer() {
        let html = "<html><body><form><input name=\"SAMLResponse\" value=\"PHg+PC94Pg==\"/></form></body></html>";
        let commented_html = format!(
            "<!-- {} --><HTML><form><input name=\"SAMLResponse\" value=\"PHg+PC94Pg==\"/></form></HTML>",
            "c".repeat(150)
        );
        let cases: Vec<Vec<u8>> = vec![
            XML.as_bytes().to_vec(),
            format!("{XML}\n\t ").into_bytes(),
            format!("  {XML}").into_bytes(),
            format!("\u{feff}{XML}").into_bytes(),
            html.as_bytes().to_vec(),
            html.to_uppercase().into_bytes(),
            commented_html.into_bytes(),
            b"<!-- no page here --><x/>".to_vec(),
            b"<x>\xff</x>".to_vec(),
            b"<\0x\0".to_vec(),
            b"<".to_vec(),
        ];
        for input in cases {
            let shown = String::from_utf8_lossy(&input).into_owned();
            match (decode_message(&input), crate::decode::decode(&input)) {
                (Ok((xml, encoding, notes)), Ok(full)) => {
                    assert_eq!(Some(xml.as_ref()), full.xml(), "{shown}");
                    assert_eq!(notes, full.notes, "{shown}");
                    if crate::decode::plain_xml(&input).is_some() {
                        assert!(matches!(xml, Cow::Borrowed(_)), "{shown}");
                        assert_eq!(encoding, InputEncoding::Xml, "{shown}");
                        assert_eq!(full.layers, [Layer::Xml], "{shown}");
                    }
                }
                (Err(ours), Err(full)) => assert_eq!(ours.to_string(), full.to_string(), "{shown}"),
                (ours, full) => {
                    panic!("{shown}: {:?} vs {:?}", ours.map(|o| o.0), full.map(|f| f.layers))
                }
            }
        }
        assert!(crate::decode::plain_xml(XML.as_bytes()).is_some(), "the common case is borrowed");
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
