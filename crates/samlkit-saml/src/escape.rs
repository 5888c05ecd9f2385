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
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&#39;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\n' if attr => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
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
    }
}
