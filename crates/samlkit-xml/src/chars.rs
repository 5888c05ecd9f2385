//! Character-level rules: which characters XML allows, what a name is, and how references and
//! line ends in text and attribute values are decoded.

use crate::tree::StrRef;

/// Why a piece of text could not be decoded: the byte offset (relative to the decoded slice) and
/// what was found there.
#[derive(Debug)]
pub(crate) enum DecodeError {
    UndefinedEntity { at: usize, name: String },
    BadReference { at: usize, text: String },
    InvalidChar { at: usize, code: u32 },
    LessThanInAttribute { at: usize },
}

/// Finds the first character XML 1.0 forbids: C0 controls other than TAB, LF, CR, and the
/// non-characters U+FFFE and U+FFFF (surrogates cannot occur in a `str`).
pub(crate) fn find_invalid_char(input: &str) -> Option<(usize, u32)> {
    let bytes = input.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 {
            if b != b'\t' && b != b'\n' && b != b'\r' {
                return Some((i, b as u32));
            }
        } else if b == 0xEF
            && bytes.get(i + 1) == Some(&0xBF)
            && matches!(bytes.get(i + 2), Some(0xBE) | Some(0xBF))
        {
            let code = if bytes[i + 2] == 0xBE { 0xFFFE } else { 0xFFFF };
            return Some((i, code));
        }
    }
    None
}

/// Whether `c` is a Char of XML 1.0 (fifth edition).
pub(crate) fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '_' | ':'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `s` is an NCName (a Name without colons).
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c != ':' && is_name_start_char(c) => {}
        _ => return false,
    }
    // ASCII fast path: most names are plain ASCII.
    chars.all(|c| {
        c != ':' && (c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') || is_name_char(c))
    })
}

/// Splits a QName into (prefix, local); `None` when it is not a valid QName.
pub(crate) fn split_qname(s: &str) -> Option<(&str, &str)> {
    match s.split_once(':') {
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Some((p, l)),
        Some(_) => None,
        None if is_ncname(s) => Some(("", s)),
        None => None,
    }
}

/// Decodes character data: CRLF and lone CR become LF (before anything else, so `&#xD;` stays a
/// CR) and references are expanded. Text without `&` or CR is returned as an input range
/// without copying.
pub(crate) fn decode_text(
    raw: &str,
    offset: usize,
    arena: &mut String,
) -> Result<StrRef, DecodeError> {
    if memchr::memchr2(b'&', b'\r', raw.as_bytes()).is_none() {
        return Ok(StrRef::input(offset..offset + raw.len()));
    }
    let start = arena.len();
    decode_into(raw, false, arena)?;
    Ok(StrRef::arena(start..arena.len()))
}

/// Decodes an attribute value per XML 1.0 §3.3.3 (for CDATA attributes): line ends normalized
/// first, then each literal TAB, LF or CR becomes a space, references are expanded (a
/// character reference such as `&#xA;` keeps its character). A literal `<` is an error.
pub(crate) fn decode_attr(
    raw: &str,
    offset: usize,
    arena: &mut String,
) -> Result<StrRef, DecodeError> {
    let bytes = raw.as_bytes();
    if let Some(i) = memchr::memchr(b'<', bytes) {
        return Err(DecodeError::LessThanInAttribute { at: i });
    }
    if !bytes.iter().any(|&b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
        return Ok(StrRef::input(offset..offset + raw.len()));
    }
    let start = arena.len();
    decode_into(raw, true, arena)?;
    Ok(StrRef::arena(start..arena.len()))
}

/// Normalizes line ends only (comments, PI data).
pub(crate) fn normalize_newlines(raw: &str, offset: usize, arena: &mut String) -> StrRef {
    if memchr::memchr(b'\r', raw.as_bytes()).is_none() {
        return StrRef::input(offset..offset + raw.len());
    }
    let start = arena.len();
    let mut rest = raw;
    while let Some(i) = rest.find('\r') {
        arena.push_str(&rest[..i]);
        arena.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    arena.push_str(rest);
    StrRef::arena(start..arena.len())
}

fn decode_into(raw: &str, attribute: bool, out: &mut String) -> Result<(), DecodeError> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\r' => {
                out.push_str(&raw[run..i]);
                out.push(if attribute { ' ' } else { '\n' });
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                run = i;
            }
            b'\t' | b'\n' if attribute => {
                out.push_str(&raw[run..i]);
                out.push(' ');
                i += 1;
                run = i;
            }
            b'&' => {
                out.push_str(&raw[run..i]);
                let end = match memchr::memchr(b';', &bytes[i..]) {
                    Some(e) => i + e,
                    None => {
                        return Err(DecodeError::BadReference { at: i, text: snippet(&raw[i..]) });
                    }
                };
                let name = &raw[i + 1..end];
                out.push(resolve_reference(name, i)?);
                i = end + 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[run..]);
    Ok(())
}

fn snippet(s: &str) -> String {
    s.chars().take(12).collect()
}

/// Resolves the reference `&name;` found at offset `at`.
fn resolve_reference(name: &str, at: usize) -> Result<char, DecodeError> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            if let Some(num) = name.strip_prefix('#') {
                let code = if let Some(hex) = num.strip_prefix('x') {
                    parse_digits(hex, 16)
                } else {
                    parse_digits(num, 10)
                };
                let bad = || DecodeError::BadReference { at, text: format!("&{name};") };
                let code = code.ok_or_else(bad)?;
                if !is_xml_char(code) {
                    return Err(DecodeError::InvalidChar { at, code });
                }
                return char::from_u32(code).ok_or_else(bad);
            }
            if is_ncname(name) || split_qname(name).is_some() {
                return Err(DecodeError::UndefinedEntity { at, name: name.to_string() });
            }
            return Err(DecodeError::BadReference { at, text: format!("&{};", snippet(name)) });
        }
    };
    Ok(c)
}

fn parse_digits(s: &str, radix: u32) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let significant = s.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    if significant.len() > 8 {
        return None;
    }
    u32::from_str_radix(significant, radix).ok()
}
