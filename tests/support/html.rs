//! Reading the HTML pages the test IdP serves: attribute values of a tag, unescaped.

/// `s` with the five entities the IdP's pages use turned back into characters.
pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in the first tag containing `marker`.
pub(crate) fn attr(body: &str, marker: &str, name: &str) -> Option<String> {
    let at = body.find(marker)?;
    let tag_start = body[..at + 1].rfind('<')?;
    let tag = &body[tag_start..tag_start + body[tag_start..].find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(&tag[start..start + tag[start..].find('"')?]))
}
