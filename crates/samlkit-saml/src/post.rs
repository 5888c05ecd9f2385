//! The HTTP-POST binding's page (SAML bindings §3.5.4): the HTML an identity provider returns to
//! the browser so that it carries the response to the service provider.

use crate::escape::escape_attr;
use crate::{ErrorKind, SamlError};

/// The auto-submitting HTML page that POSTs `saml_response_b64` (the base64 of a signed
/// Response) as `SAMLResponse`, and `relay_state` as `RelayState` when given, to `action_url`
/// (the service provider's assertion consumer service URL).
///
/// The page submits itself on load; a `<noscript>` button does it in browsers without JavaScript.
/// Every value is escaped for a double-quoted HTML attribute, so quotes, `<` and `&` in the URL or
/// the RelayState cannot end the attribute or the tag.
///
/// Take `action_url` from the service provider's metadata or configuration, never unchecked from
/// a request: the browser sends the user's assertion wherever the form points.
///
/// Errors: [`ErrorKind::MalformedInput`] when `action_url` is not an `http:` or `https:` URL (a
/// `javascript:` action would run script in the identity provider's origin).
///
/// ```
/// let page = samlkit_saml::post_form(
///     "https://sp.example.com/acs?tenant=a&b",
///     "PHNhbWxwOlJlc3BvbnNlLz4=",
///     Some("/after\"login"),
/// )?;
/// assert!(page.contains(r#"action="https://sp.example.com/acs?tenant=a&amp;b""#));
/// assert!(page.contains(r#"name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4=""#));
/// assert!(page.contains(r#"name="RelayState" value="/after&quot;login""#));
/// assert!(samlkit_saml::post_form("javascript:alert(1)", "PHg+", None).is_err());
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub fn post_form(
    action_url: &str,
    saml_response_b64: &str,
    relay_state: Option<&str>,
) -> Result<String, SamlError> {
    if !is_http_url(action_url) {
        return Err(SamlError::new(
            ErrorKind::MalformedInput,
            format!("the POST form's action must be an http or https URL, not {action_url:?}"),
        ));
    }
    let relay_state = relay_state.map_or_else(String::new, |value| {
        format!("<input type=\"hidden\" name=\"RelayState\" value=\"{}\">\n", escape_attr(value))
    });
    Ok(format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Signing in…</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n\
         <form method=\"post\" action=\"{}\">\n\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"{}\">\n\
         {relay_state}\
         <noscript><p>JavaScript is off. Press Continue to sign in.</p><input type=\"submit\" value=\"Continue\"></noscript>\n\
         </form>\n</body>\n</html>\n",
        escape_attr(action_url),
        escape_attr(saml_response_b64),
    ))
}

/// `http:` or `https:` (any case, as URL schemes are case-insensitive), followed by `//`.
fn is_http_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else { return false };
    (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
        && rest.starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the attribute `name` of the element that contains `marker`.
    fn attribute<'p>(page: &'p str, marker: &str, name: &str) -> &'p str {
        let element = &page[page.find(marker).unwrap()..];
        let element = &element[..element.find('>').unwrap()];
        let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        &element[start..start + element[start..].find('"').unwrap()]
    }

    #[test]
    fn every_value_is_escaped_for_a_double_quoted_attribute() {
        let cases = [
            ("https://sp.example.com/acs", "https://sp.example.com/acs", "relay", "relay"),
            (
                "https://sp.example.com/acs?a=1&b=\"2\"",
                "https://sp.example.com/acs?a=1&amp;b=&quot;2&quot;",
                "x\"><script>alert(1)</script>",
                "x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            (
                "https://sp.example.com/<acs>'",
                "https://sp.example.com/&lt;acs&gt;&#39;",
                "a&b=c'd\ne",
                "a&amp;b=c&#39;d&#xA;e",
            ),
        ];
        for (action, escaped_action, relay, escaped_relay) in cases {
            let page = post_form(action, "UEhO+/=", Some(relay)).unwrap();
            assert_eq!(attribute(&page, "<form ", "action"), escaped_action, "{page}");
            assert_eq!(attribute(&page, "name=\"RelayState\"", "value"), escaped_relay, "{page}");
            assert_eq!(attribute(&page, "name=\"SAMLResponse\"", "value"), "UEhO+/=", "{page}");
            // Nothing the caller gave can open a tag or end an attribute.
            assert_eq!(
                page.matches('<').count(),
                post_form(action, "x", Some("r")).unwrap().matches('<').count()
            );
        }
    }

    #[test]
    fn relay_state_is_optional_and_the_page_works_without_javascript() {
        let page = post_form("https://sp.example.com/acs", "PHg+", None).unwrap();
        assert!(!page.contains("RelayState"), "{page}");
        assert!(page.contains("<body onload=\"document.forms[0].submit()\">"), "{page}");
        let noscript = &page[page.find("<noscript>").unwrap()..page.find("</noscript>").unwrap()];
        assert!(noscript.contains("<input type=\"submit\" value=\"Continue\">"), "{page}");
        assert!(page.find("</noscript>").unwrap() < page.find("</form>").unwrap(), "{page}");
    }

    #[test]
    fn only_http_and_https_actions_are_accepted() {
        let cases = [
            ("https://sp.example.com/acs", true),
            ("HTTP://sp.example.com/acs", true),
            ("javascript:alert(document.domain)", false),
            ("JavaScript://%0aalert(1)", false),
            ("data:text/html,<script>x</script>", false),
            ("//sp.example.com/acs", false),
            ("/acs", false),
            ("https:acs", false),
            ("", false),
        ];
        for (action, accepted) in cases {
            let result = post_form(action, "PHg+", None);
            assert_eq!(result.is_ok(), accepted, "{action}: {result:?}");
            if let Err(err) = result {
                assert_eq!(err.kind(), ErrorKind::MalformedInput);
                assert!(err.detail().contains("must be an http or https URL"), "{err}");
            }
        }
    }
}
