//! Sniffing pasted text: which encoding or wrapper it is, and the words for the usual mistakes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use super::malformed;
use crate::{ErrorKind, SamlError};

/// `UTF-16LE` / `UTF-16BE` (with or without a byte-order mark) when the bytes are UTF-16 text
/// that starts with ASCII, as Windows PowerShell's `>` writes it.
pub(super) fn utf16(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => Some("UTF-16LE (with a byte-order mark)"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE (with a byte-order mark)"),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Some("UTF-16LE"),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Some("UTF-16BE"),
        _ => None,
    }
}

/// Whole HTTP headers or requests pasted instead of the value they carry.
pub(super) fn refuse_pasted_header(text: &str) -> Result<(), SamlError> {
    let lower: String = text.chars().take(40).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("authorization:") || lower.starts_with("bearer ") {
        return Err(malformed(
            "this is a bearer header: pass only the token (what follows \"Bearer \")",
        ));
    }
    let first_line = lower.lines().next().unwrap_or("");
    if ["post ", "get "].iter().any(|m| first_line.starts_with(m)) && first_line.contains(" http/")
    {
        return Err(malformed(
            "this is a whole HTTP request: pass only its body (the form after the blank line) or its URL",
        ));
    }
    Ok(())
}

/// `xxx.yyy.zzz` in base64url whose header starts with `{"` (`eyJ`).
pub(super) fn looks_like_jwt(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    (parts.len() == 3 || parts.len() == 2)
        && text.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
        })
}

/// A URL (`https://…`) or anything with a query string (`/sso?SAMLRequest=…`). base64 and form
/// bodies never contain `?`.
pub(super) fn is_url(text: &str) -> bool {
    let lower: String = text.chars().take(8).collect::<String>().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || (text.contains('?') && !text.contains(char::is_whitespace))
}

/// `name=value&…`: a first `=` after a plausible field name, followed by more than base64
/// padding (`PHg+PC94Pg==` is not a form body).
pub(super) fn is_form_body(text: &str) -> bool {
    let Some((key, rest)) = text.split_once('=') else { return false };
    !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'%'))
        && (text.contains('&') || !rest.bytes().all(|b| b == b'='))
}

/// Every `name=value` pair, both URL-decoded (`+` is a space). SAMLResponse, SAMLRequest or
/// RelayState twice is refused: servers differ in which one they read (PHP and Django the last,
/// many others the first), so a verifier that checks one while the application reads the other
/// is fooled. Names are compared after decoding (`SAMLRespons%65` is `SAMLResponse`).
pub(super) fn form_fields(body: &str) -> Result<Vec<(String, String)>, SamlError> {
    let mut fields = Vec::new();
    for pair in body.split('&').filter(|p| !p.trim().is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key.trim(), true).ok_or_else(|| bad_escape(key))?;
        let value = percent_decode(value.trim(), true).ok_or_else(|| bad_escape(&key))?;
        fields.push((key, value));
    }
    for name in ["SAMLResponse", "SAMLRequest", "RelayState"] {
        let count = fields.iter().filter(|(k, _)| k == name).count();
        if count > 1 {
            return Err(SamlError::new(
                ErrorKind::DuplicateParameter,
                format!("the form body carries {name} {count} times; exactly one is accepted"),
            ));
        }
    }
    Ok(fields)
}

fn bad_escape(field: &str) -> SamlError {
    let field: String = field.chars().take(40).collect();
    malformed(format!(
        "the {field:?} field has a broken %-escape (% must be followed by two hex digits)"
    ))
}

/// The raw (still URL-encoded) value of the field named `name` after decoding.
pub(super) fn raw_form_value(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (percent_decode(key.trim(), true).as_deref() == Some(name))
            .then(|| value.trim().to_string())
    })
}

/// `%XX` decoding; `plus_is_space` applies the form rule. `None` on a broken escape or when the
/// result is not UTF-8.
pub(super) fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
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

/// base64 with line breaks and indentation ignored, the usual mistakes named.
pub(super) fn base64(value: &str) -> Result<Vec<u8>, SamlError> {
    let compact = |v: &str| -> Vec<u8> { v.bytes().filter(|b| !b.is_ascii_whitespace()).collect() };
    // A space between two base64 characters is a '+' that form decoding (or a tool) turned
    // into a space: decoding without it would give garbage.
    let interior_space = value.lines().any(|line| line.trim().contains(' '));
    if interior_space {
        let restored: String = value.lines().map(|line| line.trim().replace(' ', "+")).collect();
        if STANDARD_PAD_INDIFFERENT.decode(compact(&restored)).is_ok() {
            return Err(malformed(
                "the '+' signs were turned into spaces: pass the form body or value as captured (or put the '+' back)",
            ));
        }
    }
    if let Some((position, c)) = value.chars().enumerate().find(|(_, c)| {
        !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') || c.is_ascii_whitespace())
    }) {
        let base64url = matches!(c, '-' | '_');
        return Err(malformed(format!(
            "the input is not XML, base64, a form body, a URL, an HTML form page or a JWT: {c:?} at character {} cannot appear in base64{}",
            position + 1,
            if base64url {
                " (this looks like base64url, which SAML bindings do not use)"
            } else {
                ""
            }
        )));
    }
    STANDARD_PAD_INDIFFERENT.decode(compact(value)).map_err(|e| match e {
        base64::DecodeError::InvalidLength(n) => malformed(format!(
            "the base64 is cut short ({n} characters, a length no complete base64 has): copy the whole value"
        )),
        _ => malformed(
            "the base64 is damaged at its end (padding or last character): copy the whole value",
        ),
    })
}

/// ` (it looks like …)` for decoded bytes that are a known format other than XML or DEFLATE.
pub(super) fn what_it_looks_like(bytes: &[u8]) -> &'static str {
    match bytes {
        [b'{', ..] => " (it looks like JSON)",
        [0x1F, 0x8B, ..] => " (it is gzip; the HTTP-Redirect binding uses raw DEFLATE)",
        [0x78, 0x01 | 0x5E | 0x9C | 0xDA, ..] => {
            " (it is zlib; the HTTP-Redirect binding uses raw DEFLATE without the zlib header)"
        }
        [0x30, 0x82, ..] => " (it looks like DER: a certificate or key, not a SAML message)",
        _ => "",
    }
}
