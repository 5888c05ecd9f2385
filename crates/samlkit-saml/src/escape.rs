//! Escaping text for XML and HTML output.

/// Escapes character data for XML text content (`&`, `<`, `>`; `\r` as `&#xD;` so it survives
/// parsing).
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value for a double-quoted XML or HTML attribute (also `"`, `'`, tab and
/// newlines, which attribute-value normalisation would otherwise turn into spaces).
///
/// ```
/// assert_eq!(samlkit_saml::escape_attr(r#"a<b & "c""#), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    // Copies the runs between special characters in one go (a POST form's base64 value is one
    // run of kilobytes); every special character is ASCII, so each index is a char boundary.
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#xD;",
            b'"' if attr => "&quot;",
            b'\'' if attr => "&#39;",
            b'\t' if attr => "&#x9;",
            b'\n' if attr => "&#xA;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(replacement);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("a<b>&c\"'"), "a&lt;b&gt;&amp;c\"'");
        assert_eq!(escape_attr("x\"'\t\n\r"), "x&quot;&#39;&#x9;&#xA;&#xD;");
        assert_eq!(escape_text("plain é"), "plain é");
        assert_eq!(escape_attr("é<ü>\"ß"), "é&lt;ü&gt;&quot;ß");
        assert_eq!(escape_text(""), "");
        assert_eq!(escape_text("&"), "&amp;");
    }
}
