//! The form fields of an HTTP-POST binding page: the auto-submitting HTML an identity provider
//! (or `samlkit issue --format html`) returns to the browser. Only `<input>` tags are read, with
//! their attributes in any order and quoted either way; nothing else of the page is interpreted.

/// The `name="…" value="…"` pairs of every `<input>` tag, values with HTML references decoded.
pub(crate) fn input_fields(page: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let lower = page.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find("<input")) {
        let start = from + at + "<input".len();
        let end =
            page.get(start..).and_then(|rest| rest.find('>')).map_or(page.len(), |e| start + e);
        let tag = page.get(start..end).unwrap_or("");
        let attrs = attributes(tag);
        let get = |wanted: &str| {
            attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(wanted)).map(|(_, v)| v.clone())
        };
        if let Some(name) = get("name") {
            fields.push((name, get("value").unwrap_or_default()));
        }
        from = end;
    }
    fields
}

/// Whether the text looks like an HTML page rather than an XML document.
pub(crate) fn is_html(text: &str) -> bool {
    // The first 200 characters, compared without regard to ASCII case (no copy: this runs on
    // every XML message).
    let head = &text.as_bytes()[..text.char_indices().nth(200).map_or(text.len(), |(i, _)| i)];
    let starts =
        |tag: &str| head.get(..tag.len()).is_some_and(|h| h.eq_ignore_ascii_case(tag.as_bytes()));
    starts("<!doctype html")
        || starts("<html")
        || starts("<head")
        || starts("<body")
        || starts("<form")
        || (starts("<!--") && head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html")))
}

/// The attributes of a tag's inside (`name="a" value='b' hidden`), names as written.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let name_end =
            rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        let name = rest.get(..name_end).unwrap_or("").to_string();
        rest = rest.get(name_end..).unwrap_or("").trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            out.push((name, String::new()));
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, remaining) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = after_eq.get(1..).unwrap_or("");
                let close = body.find(q).unwrap_or(body.len());
                (body.get(..close).unwrap_or(""), body.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                (after_eq.get(..end).unwrap_or(""), after_eq.get(end..).unwrap_or(""))
            }
        };
        out.push((name, unescape(value)));
        rest = remaining;
    }
    out
}

/// HTML character references: the named ones a form value holds (`&amp; &quot; &lt; &gt;
/// &apos;`) and numeric ones (`&#43;`, `&#x2B;`). Anything else stays as written.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let reference = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = after.get(..semi)?;
            let c = match name {
                "amp" => '&',
                "quot" => '"',
                "lt" => '<',
                "gt" => '>',
                "apos" => '\'',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, semi))
        });
        match reference {
            Some((c, semi)) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_any_attribute_order_and_quoting() {
        let page = r#"<!DOCTYPE html><html><body><FORM method=post action="https://sp/acs">
            <input type="hidden" name="SAMLResponse" value="PHg&#43;PC94Pg=="/>
            <INPUT value='a&amp;b' NAME='RelayState' type=hidden>
            <input type=submit value=Go>
            <input name=bare value=x1></form></body></html>"#;
        assert_eq!(
            input_fields(page),
            vec![
                ("SAMLResponse".to_string(), "PHg+PC94Pg==".to_string()),
                ("RelayState".to_string(), "a&b".to_string()),
                ("bare".to_string(), "x1".to_string()),
            ]
        );
    }

    #[test]
    fn html_is_told_from_xml() {
        for (text, html) in [
            ("<!DOCTYPE html>\n<html>", true),
            ("<html><body>", true),
            ("<!-- idp --><html>", true),
            ("<samlp:Response/>", false),
            ("<?xml version=\"1.0\"?><x/>", false),
            ("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", false),
        ] {
            assert_eq!(is_html(text), html, "{text}");
        }
    }

    #[test]
    fn unknown_references_stay_as_written() {
        assert_eq!(unescape("a&nbsp;b&#x41;&#66;&"), "a&nbsp;bAB&");
    }
}
