//! Message IDs: unpredictable (CSPRNG) and valid `xs:ID` values (NCNames).

use crate::ErrorKind;
use crate::SamlError;

/// A fresh ID: `_` followed by 32 lowercase hex digits from the operating system's CSPRNG
/// (128 bits, as SAML core §1.3.4 asks: unpredictable, and unique with overwhelming probability).
/// The leading underscore makes it an NCName (an NCName may not start with a digit).
///
/// ```
/// let id = samlkit_saml::new_id().unwrap();
/// assert!(samlkit_saml::is_ncname(&id));
/// assert_eq!(id.len(), 33);
/// ```
pub fn new_id() -> Result<String, SamlError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        SamlError::new(ErrorKind::SigningFailed, format!("the system random source failed: {e}"))
    })?;
    let mut id = String::with_capacity(33);
    id.push('_');
    for b in bytes {
        id.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(b & 0x0f), 16).unwrap_or('0'));
    }
    Ok(id)
}

/// True if `s` is an NCName (ASCII subset of the XML Namespaces production: a letter or `_`,
/// then letters, digits, `.`, `-`, `_`; non-ASCII letters are accepted as name characters).
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ncnames_and_distinct() {
        let a = new_id().unwrap();
        let b = new_id().unwrap();
        assert_ne!(a, b);
        assert!(is_ncname(&a) && is_ncname(&b));
        assert!(a[1..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn ncname_rules() {
        for ok in ["_a", "a1", "abc-def.g_h", "Resp"] {
            assert!(is_ncname(ok), "{ok}");
        }
        for bad in ["", "1abc", "-a", "a:b", "a b", "#a"] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }
}
