//! What an operator pastes, unwrapped: base64, DEFLATE + base64 (HTTP-Redirect encoding), a
//! URL-encoded form body (`SAMLResponse=…&RelayState=…`), a whole HTTP-Redirect URL, the HTML
//! auto-POST page of the HTTP-POST binding, raw XML, or a JWT.
//!
//! [`decode`] takes the bytes and returns what it found ([`Decoded`]): the message, the layers it
//! took off on the way ([`Layer`]), and the parameters that travel with it (RelayState, SigAlg,
//! Signature). **Nothing is verified**: this is the local, offline replacement for pasting a
//! production message into an online decoder. [`pretty_xml`] lays the XML out for reading with
//! the secure parser. `samlkit verify` reads its input through the same code, so both accept the
//! same captures and word the same mistakes the same way.
//!
//! Errors name the mistake instead of the decoder's internals: a form body without a
//! `SAMLResponse` field, `+` signs turned into spaces, an `Authorization: Bearer` header, UTF-16
//! text, base64 cut short.
//!
//! ```
//! use samlkit_saml::decode::{decode, Found, Layer};
//! let found = decode(b"SAMLResponse=PHg%2BPC94Pg%3D%3D&RelayState=%2Fhome")?;
//! assert_eq!(found.found, Found::SamlResponse);
//! assert_eq!(found.layers, [Layer::FormBody, Layer::Base64, Layer::Xml]);
//! assert_eq!(found.xml(), Some("<x></x>"));
//! assert_eq!(found.relay_state.as_deref(), Some("/home"));
//! assert_eq!(found.describe(), "form body → base64 → XML SAMLResponse");
//! # Ok::<(), samlkit_saml::SamlError>(())
//! ```

mod html;
mod pretty;
mod text;

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::{ErrorKind, MAX_INFLATED_MESSAGE_BYTES, MAX_MESSAGE_BYTES, SamlError};
pub use pretty::{PrettyXml, pretty_xml};

/// One wrapping taken off the input, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The HTML page of the HTTP-POST binding: a form field's value was taken.
    HtmlForm,
    /// An HTTP-Redirect URL (or its query string): a query parameter was taken.
    Url,
    /// A URL-encoded form body (`SAMLResponse=…&RelayState=…`): a field was taken.
    FormBody,
    /// `%XX` escapes in a value pasted on its own.
    UrlEncoding,
    /// base64 (whitespace and line breaks ignored).
    Base64,
    /// Raw DEFLATE (RFC 1951), the HTTP-Redirect binding's compression.
    Deflate,
    /// The result is XML.
    Xml,
    /// The result is a JSON Web Token (three base64url parts).
    Jwt,
}

impl Layer {
    /// The layer's name for people (`base64`, `deflate`, `HTML form`).
    ///
    /// ```
    /// assert_eq!(samlkit_saml::decode::Layer::Deflate.name(), "deflate");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Layer::HtmlForm => "HTML form",
            Layer::Url => "URL",
            Layer::FormBody => "form body",
            Layer::UrlEncoding => "URL encoding",
            Layer::Base64 => "base64",
            Layer::Deflate => "deflate",
            Layer::Xml => "XML",
            Layer::Jwt => "JWT",
        }
    }
}

/// What the innermost layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Found {
    /// XML that came in a `SAMLRequest` parameter or field.
    #[serde(rename = "SAMLRequest")]
    SamlRequest,
    /// XML that came in a `SAMLResponse` parameter or field.
    #[serde(rename = "SAMLResponse")]
    SamlResponse,
    /// XML that came without a parameter name (raw, or base64 on its own).
    #[serde(rename = "xml")]
    Xml,
    /// A JSON Web Token.
    #[serde(rename = "jwt")]
    Jwt,
}

impl Found {
    /// `SAMLRequest`, `SAMLResponse`, `XML` or `JWT`.
    pub fn name(self) -> &'static str {
        match self {
            Found::SamlRequest => "SAMLRequest",
            Found::SamlResponse => "SAMLResponse",
            Found::Xml => "XML",
            Found::Jwt => "JWT",
        }
    }
}

/// The header and claims of a JWT, decoded but **not verified**.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JwtParts {
    /// The JOSE header (`alg`, `kid`, …).
    pub header: serde_json::Value,
    /// The claims (`iss`, `sub`, `aud`, `exp`, …).
    pub claims: serde_json::Value,
    /// Whether the token has a signature part at all (an empty third part means unsigned).
    pub has_signature: bool,
}

/// What [`decode`] found. Nothing in it has been verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// What the innermost content is.
    pub found: Found,
    /// The layers taken off, outermost first, ending with [`Layer::Xml`] or [`Layer::Jwt`].
    pub layers: Vec<Layer>,
    /// The decoded bytes: the XML exactly as it was inside the layers (a UTF-8 byte-order mark
    /// and whitespace before the first `<` removed), or for a JWT its claims' JSON as encoded.
    pub content: Vec<u8>,
    /// The RelayState that travelled with the message, decoded.
    pub relay_state: Option<String>,
    /// The SigAlg parameter of a redirect URL, decoded.
    pub sig_alg: Option<String>,
    /// The Signature parameter of a redirect URL, decoded (base64).
    pub signature: Option<String>,
    /// The JWT's header and claims, when [`Decoded::found`] is [`Found::Jwt`].
    pub jwt: Option<JwtParts>,
    /// Things worth knowing that did not stop decoding (leading whitespace ignored, …).
    pub notes: Vec<String>,
}

impl Decoded {
    /// The XML text, unless a JWT was found.
    pub fn xml(&self) -> Option<&str> {
        match self.found {
            Found::Jwt => None,
            _ => std::str::from_utf8(&self.content).ok(),
        }
    }

    /// The layers and what was found, for people: `URL → base64 → deflate → XML SAMLRequest`.
    pub fn describe(&self) -> String {
        let words: Vec<&str> = self.layers.iter().map(|l| l.name()).collect();
        match self.found {
            Found::SamlRequest | Found::SamlResponse => {
                format!("{} {}", words.join(" → "), self.found.name())
            }
            Found::Xml | Found::Jwt => words.join(" → "),
        }
    }
}

fn malformed(detail: impl Into<String>) -> SamlError {
    SamlError::new(ErrorKind::MalformedInput, detail)
}

/// Unwraps captured input down to XML (or a JWT). Input above [`MAX_MESSAGE_BYTES`] is refused,
/// and DEFLATE output above [`MAX_INFLATED_MESSAGE_BYTES`] (a deflate bomb stops there). The
/// XML itself is not parsed here: [`pretty_xml`] does that.
///
/// Errors ([`ErrorKind::MalformedInput`], or [`ErrorKind::DuplicateParameter`] for a form body or
/// URL with SAMLResponse, SAMLRequest or RelayState twice) say what the input looks like and
/// what to pass instead.
pub fn decode(input: &[u8]) -> Result<Decoded, SamlError> {
    if input.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(malformed(format!(
            "input is {} bytes; the limit is {}",
            input.len(),
            samlkit_xml::format_size(MAX_MESSAGE_BYTES)
        )));
    }
    if let Some(encoding) = text::utf16(input) {
        return Err(malformed(format!(
            "the input is {encoding} text (PowerShell's `>` writes it); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8 (or Out-File -Encoding utf8)"
        )));
    }
    let mut out = Decoded {
        found: Found::Xml,
        layers: Vec::new(),
        content: Vec::new(),
        relay_state: None,
        sig_alg: None,
        signature: None,
        jwt: None,
        notes: Vec::new(),
    };
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(malformed("the input is empty"));
    }
    if trimmed.first() == Some(&b'<') {
        let text = std::str::from_utf8(trimmed).map_err(|e| not_utf8(e.valid_up_to()))?;
        if html::is_html(text) {
            out.layers.push(Layer::HtmlForm);
            let fields = html::input_fields(text);
            let (found, value) = message_field(&fields).ok_or_else(|| {
                malformed(format!(
                    "the HTML page has no SAMLResponse or SAMLRequest form field{}",
                    field_list(&fields)
                ))
            })?;
            out.found = found;
            out.relay_state = field(&fields, "RelayState");
            return decode_value(&value, out);
        }
        return xml(body.to_vec(), out);
    }
    let text = std::str::from_utf8(trimmed).map_err(|_| {
        malformed("the input is neither XML nor text (binary data that is not UTF-8)")
    })?;
    text::refuse_pasted_header(text)?;
    if text::looks_like_jwt(text) {
        return jwt(text, out);
    }
    if text::is_url(text) {
        out.layers.push(Layer::Url);
        let query = text.split_once('?').map_or("", |(_, q)| q);
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let fields = text::form_fields(query)?;
        let (found, value) = message_field(&fields).ok_or_else(|| {
            malformed(format!(
                "the URL has no SAMLRequest or SAMLResponse parameter{}",
                field_list(&fields)
            ))
        })?;
        out.found = found;
        out.relay_state = field(&fields, "RelayState");
        out.sig_alg = field(&fields, "SigAlg");
        out.signature = field(&fields, "Signature");
        return decode_value(&value, out);
    }
    if text::is_form_body(text) {
        let fields = text::form_fields(text)?;
        out.sig_alg = field(&fields, "SigAlg");
        out.signature = field(&fields, "Signature");
        // A query string on its own (with SigAlg/Signature) is a redirect URL's query.
        out.layers.push(if out.sig_alg.is_some() || out.signature.is_some() {
            Layer::Url
        } else {
            Layer::FormBody
        });
        let Some((found, value)) = message_field(&fields) else {
            return Err(malformed(format!(
                "the form body has no SAMLResponse field{}",
                field_list(&fields)
            )));
        };
        out.found = found;
        out.relay_state = field(&fields, "RelayState");
        // A captured body may keep a raw '+' of the base64 (form decoding made it a space).
        let raw = text::raw_form_value(text, found.name()).unwrap_or_default();
        return match decode_value(&value, out.clone()) {
            Err(first) => match text::percent_decode(&raw, false) {
                Some(kept_plus) if kept_plus != value => {
                    decode_value(&kept_plus, out).map_err(|_| first)
                }
                _ => Err(first),
            },
            ok => ok,
        };
    }
    if let Some(unescaped) = text::percent_decode(text, false).filter(|u| u != text) {
        out.layers.push(Layer::UrlEncoding);
        return decode_value(&unescaped, out);
    }
    decode_value(text, out)
}

/// The SAMLResponse (or SAMLRequest) among decoded fields.
fn message_field(fields: &[(String, String)]) -> Option<(Found, String)> {
    fields.iter().find_map(|(name, value)| match name.as_str() {
        "SAMLResponse" => Some((Found::SamlResponse, value.clone())),
        "SAMLRequest" => Some((Found::SamlRequest, value.clone())),
        _ => None,
    })
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

/// ` (it has: a, b)` naming the fields that are there, or nothing when there are none.
fn field_list(fields: &[(String, String)]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let names: Vec<String> = fields.iter().take(8).map(|(n, _)| format!("{n:?}")).collect();
    format!(" (it has: {})", names.join(", "))
}

/// A base64 value: XML, or DEFLATE-compressed XML.
fn decode_value(value: &str, mut out: Decoded) -> Result<Decoded, SamlError> {
    let decoded = text::base64(value)?;
    out.layers.push(Layer::Base64);
    let stripped = decoded.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&decoded);
    if stripped.trim_ascii_start().first() == Some(&b'<') {
        return xml(decoded, out);
    }
    if let Some(encoding) = text::utf16(&decoded) {
        return Err(malformed(format!(
            "the base64 decodes to {encoding} text; SAML messages are UTF-8"
        )));
    }
    let mut inflated = Vec::new();
    let inflate = flate2::read::DeflateDecoder::new(decoded.as_slice())
        .take(MAX_INFLATED_MESSAGE_BYTES + 1)
        .read_to_end(&mut inflated);
    if inflate.is_err() || inflated.trim_ascii_start().first() != Some(&b'<') {
        return Err(malformed(format!(
            "the base64 decodes to {} bytes that are neither XML nor DEFLATE-compressed XML{}",
            decoded.len(),
            text::what_it_looks_like(&decoded)
        )));
    }
    if inflated.len() as u64 > MAX_INFLATED_MESSAGE_BYTES {
        return Err(malformed(format!(
            "inflated message exceeds {}",
            samlkit_xml::format_size(MAX_INFLATED_MESSAGE_BYTES)
        )));
    }
    out.layers.push(Layer::Deflate);
    xml(inflated, out)
}

/// The input itself when [`decode`] would find it to be plain XML as it stands (UTF-8, no
/// byte-order mark, no leading whitespace, not an HTML page): the common case of a batch, which
/// then needs neither a copy nor a second UTF-8 check. `None` sends the input through [`decode`].
pub(crate) fn plain_xml(input: &[u8]) -> Option<&str> {
    if input.first() != Some(&b'<')
        || input.len() as u64 > MAX_MESSAGE_BYTES
        || text::utf16(input).is_some()
    {
        return None;
    }
    // Valid UTF-8 exactly when the trimmed text `decode` checks is: only ASCII whitespace
    // differs.
    let text = std::str::from_utf8(input).ok()?;
    (!html::is_html(text.trim_ascii())).then_some(text)
}

/// The innermost XML: UTF-8, without a byte-order mark or whitespace before its first `<`.
fn xml(mut bytes: Vec<u8>, mut out: Decoded) -> Result<Decoded, SamlError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let leading = bytes.len() - bytes.trim_ascii_start().len();
    if leading > 0 {
        bytes.drain(..leading);
        out.notes.push(format!(
            "{leading} byte{} of whitespace before the XML {} ignored",
            if leading == 1 { "" } else { "s" },
            if bytes.starts_with(b"<?xml") { "declaration were" } else { "were" }
        ));
    }
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(not_utf8(e.valid_up_to()));
    }
    out.layers.push(Layer::Xml);
    out.content = bytes;
    Ok(out)
}

fn not_utf8(offset: usize) -> SamlError {
    malformed(format!("XML is not valid UTF-8 (byte offset {offset})"))
}

/// `header.claims.signature`, each part base64url.
fn jwt(token: &str, mut out: Decoded) -> Result<Decoded, SamlError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), signature) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("a JWT has three parts separated by dots"));
    };
    let part = |name: &str, value: &str| -> Result<(Vec<u8>, serde_json::Value), SamlError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(value.trim_end_matches('='))
            .map_err(|_| malformed(format!("the JWT's {name} is not base64url")))?;
        let json = serde_json::from_slice(&bytes)
            .map_err(|_| malformed(format!("the JWT's {name} is not JSON")))?;
        Ok((bytes, json))
    };
    let (_, header) = part("header", header)?;
    let (claims_bytes, claims) = part("claims", claims)?;
    out.found = Found::Jwt;
    out.layers.push(Layer::Jwt);
    out.content = claims_bytes;
    out.jwt =
        Some(JwtParts { header, claims, has_signature: signature.is_some_and(|s| !s.is_empty()) });
    Ok(out)
}

#[cfg(test)]
mod tests;
