//! Text from documents made safe to show: on a terminal (human output and every `error:` and
//! `warning:` line) and in line-delimited JSON.
//!
//! A signed value is still chosen by whoever the IdP let choose it (a display name, an attribute),
//! and an unsigned document is chosen by anyone: a carriage return or line feed could print a
//! fake `name_id:` line, an escape sequence could rewrite the terminal, and a right-to-left
//! override (U+202E) could make `moc.evil@alice` read as something else.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls (U+0085 NEL included), DEL,
/// the Unicode line and paragraph separators, and the bidirectional formatting characters.
fn unsafe_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `value` with every character a terminal would interpret written as a Rust-style escape
/// (`\n`, `\u{202e}`); everything else, non-ASCII letters included, as is.
pub(crate) fn terminal(value: &str) -> Cow<'_, str> {
    if !value.chars().any(unsafe_on_terminal) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if unsafe_on_terminal(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A JSON text (one line) with U+2028, U+2029 and U+0085 escaped: JSON allows them raw, but
/// readers that split lines on them (JavaScript, Python's `str.splitlines`) would cut one record
/// in two. They can only occur inside strings, where `\uXXXX` means the same character.
pub(crate) fn json_line(line: String) -> String {
    // Their UTF-8 starts with byte E2 (U+2028, U+2029) or C2 (U+0085): a line with neither
    // byte (most lines, ASCII) needs no search character by character.
    let bytes = line.as_bytes();
    if !bytes.contains(&0xE2) && !bytes.contains(&0xC2)
        || !line.contains(['\u{2028}', '\u{2029}', '\u{85}'])
    {
        return line;
    }
    line.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029").replace('\u{85}', "\\u0085")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_separators_and_bidi_only() {
        let cases = [
            ("alice@example.com", "alice@example.com"),
            ("é 😀 Ω", "é 😀 Ω"),
            ("a\nname_id: admin", "a\\nname_id: admin"),
            ("\u{1b}[2J", "\\u{1b}[2J"),
            ("x\u{85}y", "x\\u{85}y"),
            ("moc.live\u{202e}@alice", "moc.live\\u{202e}@alice"),
            ("\u{2066}a\u{2069}", "\\u{2066}a\\u{2069}"),
            ("a\u{2028}b\u{2029}c", "a\\u{2028}b\\u{2029}c"),
            ("tab\there", "tab\\there"),
        ];
        for (input, expected) in cases {
            assert_eq!(terminal(input), expected, "{input:?}");
        }
    }

    #[test]
    fn json_lines_keep_one_record_per_line() {
        let line = serde_json::json!({"v": "a\u{2028}b\u{2029}c\u{85}d"}).to_string();
        let safe = json_line(line);
        assert_eq!(safe, r#"{"v":"a\u2028b\u2029c\u0085d"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["v"], "a\u{2028}b\u{2029}c\u{85}d");
        assert_eq!(safe.lines().count(), 1);
    }
}
