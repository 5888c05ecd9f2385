//! The SAML 2.0 HTTP-Redirect binding (SAML bindings §3.4): DEFLATE + base64 + URL-encoding of a
//! protocol message in the query string, and its query-string signature (§3.4.4.1).
//!
//! The signature covers the octets `SAMLRequest=…&RelayState=…&SigAlg=…` (or `SAMLResponse=…`),
//! with each value exactly as URL-encoded on the wire and `RelayState` present only when the
//! message carries one. Encodings of the same value differ between implementations (`%2f` or
//! `%2F`, `+` or `%20`), so a verifier must rebuild the signed octets from the raw query string it
//! received, never from decoded-and-re-encoded values: [`verify_url`] does exactly that.
//!
//! ```no_run
//! # fn demo(key: &samlkit_cert::PrivateKey, cert: &samlkit_cert::Certificate, xml: &[u8])
//! # -> Result<(), Box<dyn std::error::Error>> {
//! use samlkit_cert::SignatureAlgorithm;
//! use samlkit_saml::redirect::{self, MessageKind};
//!
//! let url = redirect::sign_url(
//!     "https://sp.example.com/sso",
//!     MessageKind::Request,
//!     xml,
//!     Some("state-1"),
//!     SignatureAlgorithm::RsaSha256,
//!     &key.signer()?,
//! )?;
//! let verified = redirect::verify_url(&url, cert.public_key(), false)?;
//! assert_eq!(verified.message, xml);
//! # Ok(()) }
//! ```

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use samlkit_cert::{PublicKey, SignatureAlgorithm, Signer};

use crate::SamlError;
use crate::{ErrorKind, Hint};

/// The only `SAMLEncoding` this binding defines (and the default when the parameter is absent).
pub const DEFLATE_ENCODING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE";
/// Largest inflated message accepted (a decompression bomb stops here).
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;
/// Largest URL accepted.
pub const MAX_URL_BYTES: usize = 256 * 1024;
/// RelayState must not exceed 80 bytes (SAML bindings §3.4.3); longer values are refused.
pub const MAX_RELAY_STATE_BYTES: usize = 80;

/// Which protocol message the query carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// `SAMLRequest` (AuthnRequest, LogoutRequest, …).
    Request,
    /// `SAMLResponse` (Response, LogoutResponse, …).
    Response,
}

impl MessageKind {
    /// The query parameter name.
    pub fn parameter(self) -> &'static str {
        match self {
            MessageKind::Request => "SAMLRequest",
            MessageKind::Response => "SAMLResponse",
        }
    }
}

/// A malformed URL, destination or parameter: [`ErrorKind::MalformedInput`] (exit 2 in the CLI).
fn malformed(detail: impl std::fmt::Display) -> SamlError {
    SamlError::new(ErrorKind::MalformedInput, format!("redirect URL: {detail}"))
}

/// A query without `SigAlg` or `Signature`: [`ErrorKind::SignatureMissing`] (exit 1 in the CLI).
fn unsigned(parameter: &str) -> SamlError {
    SamlError::new(
        ErrorKind::SignatureMissing,
        format!("the redirect URL is not signed (no {parameter} parameter)"),
    )
}

/// A verified redirect message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRedirect {
    /// Request or response.
    pub kind: MessageKind,
    /// The inflated protocol message (XML bytes).
    pub message: Vec<u8>,
    /// The decoded RelayState, if any.
    pub relay_state: Option<String>,
    /// The algorithm the signature was made with.
    pub algorithm: SignatureAlgorithm,
    /// The exact octets the signature covers, as rebuilt from the raw query string.
    pub signed_octets: String,
}

/// DEFLATE (raw, RFC 1951) then base64: the `SAMLRequest`/`SAMLResponse` value before
/// URL-encoding.
pub fn deflate_and_encode(message: &[u8]) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(message);
    let compressed = encoder.finish().unwrap_or_default();
    STANDARD.encode(compressed)
}

/// The inverse of [`deflate_and_encode`], refusing output above [`MAX_INFLATED_BYTES`].
pub fn decode_and_inflate(parameter: &'static str, value: &str) -> Result<Vec<u8>, SamlError> {
    let decode_err = |reason: String| {
        SamlError::new(ErrorKind::MalformedInput, format!("cannot decode {parameter}: {reason}"))
    };
    // A raw '+' left unencoded by a sloppy sender reaches us as a space after form decoding;
    // base64 has no spaces, so turning them back is lossless.
    let cleaned: String = value
        .chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let compressed = STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|e| decode_err(format!("invalid base64 ({e})")))?;
    let mut inflated = Vec::new();
    DeflateDecoder::new(compressed.as_slice())
        .take(MAX_INFLATED_BYTES as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| decode_err(format!("not raw DEFLATE data ({e})")))?;
    if inflated.len() > MAX_INFLATED_BYTES {
        return Err(decode_err(format!("inflates to more than {MAX_INFLATED_BYTES} bytes")));
    }
    if inflated.is_empty() {
        return Err(decode_err("the message is empty".to_string()));
    }
    Ok(inflated)
}

/// Percent-encodes everything except the RFC 3986 unreserved characters, with upper-case hex.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` text: `%XX` escapes and `+` for space.
pub fn url_decode(value: &str) -> Result<String, SamlError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let decoded =
                    hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                        malformed(format!("bad percent-escape at character {} of '{value}'", i + 1))
                    })?;
                out.push(decoded);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| malformed(format!("'{value}' does not decode to UTF-8")))
}

/// The algorithms a redirect signature may use when signing. SHA-1 is never produced.
pub fn signing_algorithm_allowed(alg: SignatureAlgorithm) -> bool {
    alg != SignatureAlgorithm::RsaSha1
}

/// Builds the signed HTTP-Redirect URL for `message` to `destination`. A destination that already
/// has a query string gets the SAML parameters appended with `&`.
pub fn sign_url(
    destination: &str,
    kind: MessageKind,
    message: &[u8],
    relay_state: Option<&str>,
    alg: SignatureAlgorithm,
    signer: &Signer,
) -> Result<String, SamlError> {
    if !signing_algorithm_allowed(alg) {
        return Err(SamlError::new(
            ErrorKind::AlgorithmRefused,
            format!("{alg} is not used for new signatures"),
        ));
    }
    check_destination(destination)?;
    check_message(kind, message)?;
    if let Some(rs) = relay_state.filter(|rs| rs.len() > MAX_RELAY_STATE_BYTES) {
        return Err(malformed(format!(
            "RelayState is {} bytes; SAML bindings §3.4.3 allows at most {MAX_RELAY_STATE_BYTES}",
            rs.len()
        )));
    }
    let mut signed = format!("{}={}", kind.parameter(), url_encode(&deflate_and_encode(message)));
    if let Some(rs) = relay_state {
        signed.push_str("&RelayState=");
        signed.push_str(&url_encode(rs));
    }
    signed.push_str("&SigAlg=");
    signed.push_str(&url_encode(alg.xmldsig_uri()));
    let signature = signer
        .sign(alg, signed.as_bytes())
        .map_err(|e| SamlError::new(ErrorKind::SigningFailed, e.to_string()))?;
    let separator = if destination.contains('?') {
        if destination.ends_with('?') || destination.ends_with('&') { "" } else { "&" }
    } else {
        "?"
    };
    Ok(format!(
        "{destination}{separator}{signed}&Signature={}",
        url_encode(&STANDARD.encode(signature))
    ))
}

fn check_destination(destination: &str) -> Result<(), SamlError> {
    let lower = destination.to_ascii_lowercase();
    let has_host = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', '#']));
    if !has_host {
        return Err(malformed(format!(
            "destination '{destination}' is not an absolute http(s) URL"
        )));
    }
    if destination.contains('#') {
        return Err(malformed(format!(
            "destination '{destination}' has a #fragment; the SAML parameters must be the last part of the URL"
        )));
    }
    if destination.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(malformed(format!("destination '{destination}' contains whitespace")));
    }
    Ok(())
}

/// One raw `name=value` pair of the query string, still URL-encoded.
#[derive(Debug)]
struct RawParam<'a> {
    name: &'a str,
    value: &'a str,
}

/// The SAML parameters of a redirect query, raw (as received) and decoded.
#[derive(Debug)]
struct RedirectQuery<'a> {
    kind: MessageKind,
    message: RawParam<'a>,
    relay_state: Option<RawParam<'a>>,
    sig_alg: Option<RawParam<'a>>,
    signature: Option<RawParam<'a>>,
}

fn parse_query(url: &str) -> Result<RedirectQuery<'_>, SamlError> {
    if url.len() > MAX_URL_BYTES {
        return Err(malformed(format!("URL is longer than {MAX_URL_BYTES} bytes")));
    }
    let url = url.trim();
    // Accept a full URL or just its query string.
    let query = match url.split_once('?') {
        Some((_, q)) => q,
        None if url.contains('=') => url,
        None => return Err(malformed("no query string (nothing after '?')")),
    };
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let mut message: Option<(MessageKind, RawParam<'_>)> = None;
    let mut relay_state = None;
    let mut sig_alg = None;
    let mut signature = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let param = RawParam { name, value };
        let slot = match name {
            "SAMLRequest" | "SAMLResponse" => {
                let kind = if name == "SAMLRequest" {
                    MessageKind::Request
                } else {
                    MessageKind::Response
                };
                if message.is_some() {
                    return Err(malformed("more than one SAMLRequest/SAMLResponse parameter"));
                }
                message = Some((kind, param));
                continue;
            }
            "RelayState" => &mut relay_state,
            "SigAlg" => &mut sig_alg,
            "Signature" => &mut signature,
            "SAMLEncoding" => {
                let encoding = url_decode(value)?;
                if encoding != DEFLATE_ENCODING {
                    return Err(malformed(format!(
                        "unsupported SAMLEncoding '{encoding}' (only DEFLATE is defined)"
                    )));
                }
                continue;
            }
            _ => continue,
        };
        if slot.is_some() {
            return Err(malformed(format!("the {name} parameter appears more than once")));
        }
        *slot = Some(param);
    }
    let (kind, message) =
        message.ok_or_else(|| malformed("no SAMLRequest or SAMLResponse parameter"))?;
    Ok(RedirectQuery { kind, message, relay_state, sig_alg, signature })
}

/// The message must be a well-formed SAML protocol message (parsed with the secure parser: no
/// DTD, bounded) whose root fits the parameter: a `samlp:…Request` (AuthnRequest, LogoutRequest,
/// …) under SAMLRequest, a `samlp:…Response` under SAMLResponse.
fn check_message(kind: MessageKind, message: &[u8]) -> Result<(), SamlError> {
    let xml = std::str::from_utf8(message)
        .map_err(|_| malformed(format!("the {} message is not UTF-8 XML", kind.parameter())))?;
    let doc = crate::verify::parse_document(xml)?;
    let root = doc.node(doc.root_element());
    let suffix = match kind {
        MessageKind::Request => "Request",
        MessageKind::Response => "Response",
    };
    if root.namespace_uri() != crate::NS_PROTOCOL || !root.local_name().ends_with(suffix) {
        let ns = root.namespace_uri();
        return Err(SamlError::new(
            ErrorKind::UnexpectedDocument,
            format!(
                "the {} message is <{}> ({}), not a SAML protocol {}",
                kind.parameter(),
                root.name(),
                if ns.is_empty() { "no namespace" } else { ns },
                suffix.to_ascii_lowercase()
            ),
        ));
    }
    Ok(())
}

impl serde::Serialize for VerifiedRedirect {
    /// `{"parameter", "sig_alg", "relay_state", "message"}`: the shape `samlkit redirect verify
    /// --json` prints (which adds `valid` and `cert_sha256`). The message is shown as text (bytes
    /// that are not UTF-8 as U+FFFD).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("VerifiedRedirect", 4)?;
        s.serialize_field("parameter", self.kind.parameter())?;
        s.serialize_field("sig_alg", self.algorithm.xmldsig_uri())?;
        s.serialize_field("relay_state", &self.relay_state)?;
        s.serialize_field("message", &String::from_utf8_lossy(&self.message))?;
        s.end()
    }
}

/// Verifies a signed HTTP-Redirect URL against several trusted certificates (a key rotation) and
/// returns the index of the certificate whose key verified.
///
/// A certificate whose key did not make the signature is skipped; any other failure (malformed
/// URL, refused algorithm) does not depend on the key and is returned at once.
pub fn verify_url_with_certificates(
    url: &str,
    trusted: &[samlkit_cert::Certificate],
    allow_sha1: bool,
) -> Result<(VerifiedRedirect, usize), SamlError> {
    let mut outcome =
        Err(SamlError::new(ErrorKind::SignatureInvalid, "no trusted certificate was given"));
    for (index, candidate) in trusted.iter().enumerate() {
        outcome = verify_url(url, candidate.public_key(), allow_sha1).map(|v| (v, index));
        if !matches!(&outcome, Err(e) if e.kind() == ErrorKind::SignatureInvalid) {
            break;
        }
    }
    outcome
}

/// Verifies a signed HTTP-Redirect URL (or bare query string) against a trusted public key and
/// returns the inflated message. The signed octets are rebuilt from the raw query parameters in
/// the order §3.4.4.1 fixes, whatever order they arrived in. SHA-1 is refused unless
/// `allow_sha1`.
pub fn verify_url(
    url: &str,
    trusted: &PublicKey,
    allow_sha1: bool,
) -> Result<VerifiedRedirect, SamlError> {
    let query = parse_query(url)?;
    let sig_alg_raw = query.sig_alg.as_ref().ok_or_else(|| unsigned("SigAlg"))?;
    let signature_raw = query.signature.as_ref().ok_or_else(|| unsigned("Signature"))?;

    let alg_uri = url_decode(sig_alg_raw.value)?;
    let algorithm = SignatureAlgorithm::from_xmldsig_uri(&alg_uri).ok_or_else(|| {
        SamlError::new(ErrorKind::AlgorithmRefused, format!("unknown SigAlg '{alg_uri}'"))
    })?;
    if algorithm == SignatureAlgorithm::RsaSha1 && !allow_sha1 {
        return Err(SamlError::new(
            ErrorKind::AlgorithmRefused,
            "rsa-sha1 is refused (SHA-1 is broken)",
        )
        .with_hint(Hint::AllowSha1));
    }
    let signature_b64 = url_decode(signature_raw.value)?.replace(' ', "+");
    let signature = STANDARD
        .decode(signature_b64.as_bytes())
        .map_err(|e| malformed(format!("Signature is not base64 ({e})")))?;

    let mut signed_octets = format!("{}={}", query.message.name, query.message.value);
    if let Some(rs) = &query.relay_state {
        signed_octets.push_str(&format!("&{}={}", rs.name, rs.value));
    }
    signed_octets.push_str(&format!("&{}={}", sig_alg_raw.name, sig_alg_raw.value));

    // Decode before checking the signature so a garbled message is reported as such (exit 2);
    // nothing decoded is returned unless the signature verifies.
    let message = decode_and_inflate(query.kind.parameter(), &url_decode(query.message.value)?)?;
    check_message(query.kind, &message)?;
    let relay_state = query.relay_state.as_ref().map(|rs| url_decode(rs.value)).transpose()?;

    // A key of the wrong type (an EC certificate for an RSA SigAlg) cannot have made the
    // signature: that is an invalid signature for this certificate, like a wrong RSA key.
    trusted
        .verify(algorithm, signed_octets.as_bytes(), &signature)
        .map_err(|e| SamlError::new(ErrorKind::SignatureInvalid, e.to_string()))?;
    Ok(VerifiedRedirect { kind: query.kind, message, relay_state, algorithm, signed_octets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_round_trip_and_bomb_limit() {
        let xml = b"<samlp:AuthnRequest ID=\"_1\"/>";
        let encoded = deflate_and_encode(xml);
        assert_eq!(decode_and_inflate("SAMLRequest", &encoded).unwrap(), xml);
        let bomb = deflate_and_encode(&vec![b'a'; MAX_INFLATED_BYTES + 10]);
        let err = decode_and_inflate("SAMLRequest", &bomb).unwrap_err().to_string();
        assert!(err.contains("inflates to more than"), "{err}");
        assert!(decode_and_inflate("SAMLRequest", "!!!").is_err());
        assert!(decode_and_inflate("SAMLRequest", "").is_err());
        let empty =
            decode_and_inflate("SAMLRequest", &deflate_and_encode(b"")).unwrap_err().to_string();
        assert!(empty.contains("the message is empty"), "{empty}");
        assert!(decode_and_inflate("SAMLRequest", &STANDARD.encode(b"\xff\xff\xff")).is_err());
    }

    #[test]
    fn url_encoding_is_strict_and_decoding_is_lenient() {
        assert_eq!(url_encode("a+b/c=d e~"), "a%2Bb%2Fc%3Dd%20e~");
        assert_eq!(url_decode("a%2bb%2Fc+d").unwrap(), "a+b/c d");
        for bad in ["%", "%4", "%zz", "%ff"] {
            assert!(url_decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_parameters_in_any_order_and_refuses_duplicates() {
        let q = parse_query("https://x/?Signature=s&SigAlg=a&RelayState=r&SAMLRequest=m&foo=bar")
            .unwrap();
        assert_eq!(q.kind, MessageKind::Request);
        assert_eq!(q.message.value, "m");
        assert_eq!(q.relay_state.unwrap().value, "r");
        for bad in [
            "https://x/?SAMLRequest=a&SAMLResponse=b",
            "https://x/?SAMLRequest=a&SigAlg=b&SigAlg=c",
            "https://x/?RelayState=a",
            "https://x/",
            "https://x/?SAMLRequest=a&SAMLEncoding=urn%3Aother",
        ] {
            assert!(
                matches!(parse_query(bad), Err(e) if e.kind() == ErrorKind::MalformedInput),
                "{bad}"
            );
        }
        assert!(parse_query("SAMLResponse=a&SAMLEncoding=urn%3Aoasis%3Anames%3Atc%3ASAML%3A2.0%3Abindings%3AURL-Encoding%3ADEFLATE").is_ok());
    }

    #[test]
    fn destinations_are_checked() {
        for good in ["https://sp.example.com/sso", "http://localhost:8080/a?b=c"] {
            assert!(check_destination(good).is_ok(), "{good}");
        }
        for bad in [
            "sp.example.com",
            "https://",
            "https:///path",
            "ftp://x",
            "https://x/#frag",
            "https://x/a b",
        ] {
            assert!(check_destination(bad).is_err(), "{bad}");
        }
    }

    const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
    const XML: &[u8] = b"<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_a1\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>";

    #[test]
    fn a_verified_url_serializes_to_the_cli_json_shape() {
        let signer = key().signer().unwrap();
        let url = sign_url(
            "https://idp/sso",
            MessageKind::Request,
            XML,
            Some("rs"),
            SignatureAlgorithm::RsaSha256,
            &signer,
        )
        .unwrap();
        let verified = verify_url(&url, &key().public_key(), false).unwrap();
        let json = serde_json::to_value(&verified).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "parameter": "SAMLRequest",
                "sig_alg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "relay_state": "rs",
                "message": std::str::from_utf8(XML).unwrap(),
            })
        );
    }

    #[test]
    fn the_message_must_be_a_protocol_message_that_fits_the_parameter() {
        let signer = key().signer().unwrap();
        let sign = |kind, xml: &[u8]| {
            sign_url("https://idp/sso", kind, xml, None, SignatureAlgorithm::RsaSha256, &signer)
        };
        let response = b"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>";
        let cases: [(MessageKind, &[u8], Option<ErrorKind>); 6] = [
            (MessageKind::Request, XML, None),
            (MessageKind::Response, response, None),
            (MessageKind::Response, XML, Some(ErrorKind::UnexpectedDocument)),
            (MessageKind::Request, response, Some(ErrorKind::UnexpectedDocument)),
            (
                MessageKind::Request,
                b"<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
                Some(ErrorKind::MalformedXml),
            ),
            (MessageKind::Request, b"<AuthnRequest/>", Some(ErrorKind::UnexpectedDocument)),
        ];
        for (kind, xml, expected) in cases {
            let outcome = sign(kind, xml);
            assert_eq!(outcome.as_ref().err().map(|e| e.kind()), expected, "{outcome:?}");
            if let Ok(url) = outcome {
                assert!(verify_url(&url, &key().public_key(), false).is_ok());
            }
        }
    }

    fn key() -> samlkit_cert::PrivateKey {
        samlkit_cert::PrivateKey::from_pem(KEY).unwrap()
    }

    fn signed(dest: &str, relay: Option<&str>) -> String {
        sign_url(
            dest,
            MessageKind::Request,
            XML,
            relay,
            SignatureAlgorithm::RsaSha256,
            &key().signer().unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn sign_then_verify() {
        let pk = key().public_key();
        let url = signed("https://sp.example.com/sso", Some("state 1/2"));
        assert!(url.starts_with("https://sp.example.com/sso?SAMLRequest="), "{url}");
        assert!(url.contains("&RelayState=state%201%2F2&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="));
        let v = verify_url(&url, &pk, false).unwrap();
        assert_eq!(v.message, XML);
        assert_eq!(v.relay_state.as_deref(), Some("state 1/2"));
        assert_eq!(v.kind, MessageKind::Request);
        assert!(
            v.signed_octets.starts_with("SAMLRequest=") && !v.signed_octets.contains("Signature=")
        );

        let no_relay = signed("https://sp.example.com/sso?tenant=a", None);
        assert!(no_relay.starts_with("https://sp.example.com/sso?tenant=a&SAMLRequest="));
        assert_eq!(verify_url(&no_relay, &pk, false).unwrap().relay_state, None);
    }

    #[test]
    fn verification_uses_the_raw_octets_in_the_fixed_order() {
        let pk = key().public_key();
        let url = signed("https://sp.example.com/sso", Some("rs"));
        let (_, query) = url.split_once('?').unwrap();
        let mut params: Vec<&str> = query.split('&').collect();
        params.reverse();
        let reordered = format!("https://sp.example.com/sso?{}", params.join("&"));
        assert!(verify_url(&reordered, &pk, false).is_ok(), "order on the wire does not matter");

        // Same decoded values, different encoding: the signature covers the wire form.
        let message = params.iter().find(|p| p.starts_with("SAMLRequest=")).unwrap();
        let lowered_message = message.replace("%2B", "%2b").replace("%2F", "%2f");
        assert_ne!(&lowered_message, message, "the fixture encodes a base64 '+' or '/'");
        let lowered = url.replacen(*message, &lowered_message, 1);
        assert!(matches!(
            verify_url(&lowered, &pk, false),
            Err(e) if e.kind() == ErrorKind::SignatureInvalid
        ));
        let tampered = url.replace("RelayState=rs", "RelayState=rt");
        assert!(matches!(
            verify_url(&tampered, &pk, false),
            Err(e) if e.kind() == ErrorKind::SignatureInvalid
        ));
        let dropped = url.replace("&RelayState=rs", "");
        assert!(matches!(
            verify_url(&dropped, &pk, false),
            Err(e) if e.kind() == ErrorKind::SignatureInvalid
        ));
        let other =
            samlkit_cert::PrivateKey::generate_rsa(samlkit_cert::RsaKeySize::Bits2048).unwrap();
        assert!(matches!(
            verify_url(&url, &other.public_key(), false),
            Err(e) if e.kind() == ErrorKind::SignatureInvalid
        ));
    }

    #[test]
    fn unsigned_sha1_and_unknown_algorithms() {
        let pk = key().public_key();
        let unsigned = format!("https://sp/?SAMLRequest={}", url_encode(&deflate_and_encode(XML)));
        assert!(matches!(
            verify_url(&unsigned, &pk, false),
            Err(e) if e.kind() == ErrorKind::SignatureMissing && e.detail().contains("(no SigAlg parameter)")
        ));

        let signer = key().signer().unwrap();
        let octets = format!(
            "SAMLRequest={}&SigAlg={}",
            url_encode(&deflate_and_encode(XML)),
            url_encode(SignatureAlgorithm::RsaSha1.xmldsig_uri())
        );
        let sig = signer.sign(SignatureAlgorithm::RsaSha1, octets.as_bytes()).unwrap();
        let sha1_url =
            format!("https://sp/?{octets}&Signature={}", url_encode(&STANDARD.encode(sig)));
        let err = verify_url(&sha1_url, &pk, false).unwrap_err();
        assert!(err.kind() == ErrorKind::AlgorithmRefused && !err.is_input_error(), "{err}");
        assert_eq!(
            verify_url(&sha1_url, &pk, true).unwrap().algorithm,
            SignatureAlgorithm::RsaSha1
        );

        let unknown = sha1_url.replace("rsa-sha1", "hmac-sha1");
        assert!(matches!(
            verify_url(&unknown, &pk, true),
            Err(e) if e.kind() == ErrorKind::AlgorithmRefused
        ));
        assert!(matches!(
            sign_url(
                "https://sp/",
                MessageKind::Response,
                XML,
                None,
                SignatureAlgorithm::RsaSha1,
                &signer
            ),
            Err(e) if e.kind() == ErrorKind::AlgorithmRefused
        ));
        let long = "x".repeat(81);
        assert!(matches!(
            sign_url(
                "https://sp/",
                MessageKind::Request,
                XML,
                Some(&long),
                SignatureAlgorithm::RsaSha256,
                &signer
            ),
            Err(e) if e.kind() == ErrorKind::MalformedInput
        ));
    }

    #[test]
    fn sloppy_senders_that_leave_base64_unencoded_still_verify() {
        // Some senders put the base64 value in the query as is ('+', '/', '=' unescaped). The
        // signature then covers those raw octets, and a '+' reads back as a space when decoded.
        let signer = key().signer().unwrap();
        let raw = deflate_and_encode(XML);
        let octets = format!(
            "SAMLRequest={raw}&SigAlg={}",
            url_encode(SignatureAlgorithm::RsaSha256.xmldsig_uri())
        );
        let sig = signer.sign(SignatureAlgorithm::RsaSha256, octets.as_bytes()).unwrap();
        let url = format!("https://sp/?{octets}&Signature={}", STANDARD.encode(sig));
        let v = verify_url(&url, &key().public_key(), false).unwrap();
        assert_eq!(v.message, XML);
        assert_eq!(v.signed_octets, octets);
    }
}
