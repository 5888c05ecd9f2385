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
    use crate::swar::{has_between, has_byte, has_less, word};
    let bytes = input.as_bytes();
    let mut i = 0;
    // Words without a forbidden control character or an 0xEF lead byte are clean; only the
    // others are looked at byte by byte. TAB, LF and CR are allowed, so a line end does not
    // send its word down the slow path.
    let suspect = |w: u64| {
        has_less(w, 0x09)
            | has_between(w, 0x0A, 0x0D)
            | has_between(w, 0x0D, 0x20)
            | has_byte(w, 0xEF)
    };
    while i + 16 <= bytes.len() {
        let (a, b) = (word(bytes, i), word(bytes, i + 8));
        if suspect(a) | suspect(b) != 0
            && let Some(found) = check_bytes(bytes, i, i + 16)
        {
            return Some(found);
        }
        i += 16;
    }
    check_bytes(bytes, i, bytes.len())
}

/// Bytes that may start an invalid character: C0 controls except TAB, LF, CR, and 0xEF (the
/// lead byte of U+FFFE and U+FFFF).
static SUSPECT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = (c != 0x09 && c != 0x0A && c != 0x0D) as u8;
        c += 1;
    }
    t[0xEF] = 1;
    t
};

fn check_bytes(bytes: &[u8], from: usize, to: usize) -> Option<(usize, u32)> {
    for i in from..to {
        let b = bytes[i];
        if SUSPECT[b as usize] == 0 {
            continue;
        }
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

/// ASCII NCName characters: 2 = may start a name, 1 = may continue one, 0 = neither (or not
/// ASCII: those take the full Unicode check).
static ASCII_NAME: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() || b == b'_' {
            2
        } else if b.is_ascii_digit() || b == b'-' || b == b'.' {
            1
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Whether `s` is an NCName (a Name without colons).
pub(crate) fn is_ncname(s: &str) -> bool {
    // Fast path: plain ASCII names.
    let b = s.as_bytes();
    if let Some(&first) = b.first()
        && ASCII_NAME[first as usize] == 2
        && b.iter().all(|&c| ASCII_NAME[c as usize] != 0)
    {
        return true;
    }
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
    match memchr::memchr(b':', s.as_bytes()) {
        Some(i) if is_ncname(&s[..i]) && is_ncname(&s[i + 1..]) => Some((&s[..i], &s[i + 1..])),
        Some(_) => None,
        None if is_ncname(s) => Some(("", s)),
        None => None,
    }
}

/// Decodes character data: CRLF and lone CR become LF (before anything else, so `&#xD;` stays a
/// CR) and references are expanded. Text without `&` or CR is returned as an input range
/// without copying.
// Inlined so the common case hands its range back in registers: returned through memory, the
// result cost a store-forwarding stall per node.
#[inline(always)]
pub(crate) fn decode_text(
    raw: &str,
    offset: usize,
    arena: &mut String,
) -> Result<StrRef, DecodeError> {
    if crate::swar::find_any(raw.as_bytes(), b"&\r").is_none() {
        return Ok(StrRef::input(offset..offset + raw.len()));
    }
    decode_text_slow(raw, arena)
}

#[inline(never)]
fn decode_text_slow(raw: &str, arena: &mut String) -> Result<StrRef, DecodeError> {
    let start = arena.len();
    decode_into(raw, false, arena)?;
    Ok(StrRef::arena(start..arena.len()))
}

/// Decodes an attribute value per XML 1.0 §3.3.3 (for CDATA attributes): line ends normalized
/// first, then each literal TAB, LF or CR becomes a space, references are expanded (a
/// character reference such as `&#xA;` keeps its character). A literal `<` is an error.
// Inlined for the same reason as `decode_text`.
#[inline(always)]
pub(crate) fn decode_attr(
    raw: &str,
    offset: usize,
    arena: &mut String,
) -> Result<StrRef, DecodeError> {
    // One pass finds the common case, a value with nothing to decode or refuse.
    if !needs_attr_decoding(raw.as_bytes()) {
        return Ok(StrRef::input(offset..offset + raw.len()));
    }
    decode_attr_slow(raw, arena)
}

#[inline(never)]
fn decode_attr_slow(raw: &str, arena: &mut String) -> Result<StrRef, DecodeError> {
    if let Some(i) = memchr::memchr(b'<', raw.as_bytes()) {
        return Err(DecodeError::LessThanInAttribute { at: i });
    }
    let start = arena.len();
    decode_into(raw, true, arena)?;
    Ok(StrRef::arena(start..arena.len()))
}

/// Whether an attribute value holds a reference or whitespace that §3.3.3 normalizes, or a
/// `<` (refused).
#[inline]
fn needs_attr_decoding(bytes: &[u8]) -> bool {
    use crate::swar::{has_byte, has_less, word};
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let w = word(bytes, i);
        // TAB, LF and CR are the only bytes below 0x0E an attribute value can hold.
        if has_byte(w, b'&') | has_byte(w, b'<') | has_less(w, 0x0E) != 0 {
            return true;
        }
        i += 8;
    }
    bytes[i..].iter().any(|&b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
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
