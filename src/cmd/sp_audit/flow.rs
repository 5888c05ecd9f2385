//! One case at the service provider: start the login at the SP (with `--login-url`) and take
//! its AuthnRequest, post the case's response to the ACS as a browser would, follow the
//! redirects, and ask the whoami page who is logged in.

use samlkit_saml::audit::{Observation, Payload, find_identity};
use samlkit_saml::decode::{Found, decode};
use samlkit_saml::{EVIL_NAME_ID, NS_PROTOCOL};
use url::Url;

use super::http::{Browser, Hop, Send, form_encode};
use crate::error::CliError;

/// What the SP's AuthnRequest told us.
#[derive(Debug, Clone)]
pub(crate) struct SpRequest {
    pub(crate) id: String,
    pub(crate) relay_state: Option<String>,
}

/// Where the SP is and how it is asked.
pub(crate) struct Endpoints {
    pub(crate) acs: Url,
    pub(crate) login: Option<Url>,
    pub(crate) whoami: Option<Url>,
    pub(crate) whoami_regex: Option<regex::Regex>,
    pub(crate) relay_state: Option<String>,
    pub(crate) name_id: String,
}

/// Starts a login at the SP: GET `--login-url`, following redirects in scope, until a hop
/// carries a SAMLRequest, in a redirect's Location (HTTP-Redirect) or an auto-POST form
/// (HTTP-POST).
pub(crate) fn start_login(browser: &mut Browser<'_>, login: &Url) -> Result<SpRequest, CliError> {
    let hops = browser.follow(login, Send::Get, |hop| saml_request_in(hop).is_some())?;
    let found = hops.iter().find_map(saml_request_in).ok_or_else(|| {
        let last = hops.last().map(|h| format!("{} {}", h.status, h.url)).unwrap_or_default();
        CliError::input(format!(
            "--login-url {login} led to no AuthnRequest (no SAMLRequest in a redirect or a form; the last answer was {last})"
        ))
    })??;
    Ok(found)
}

/// The AuthnRequest a hop carries, if any: `Some(Err)` when it carries one that cannot be read.
fn saml_request_in(hop: &Hop) -> Option<Result<SpRequest, CliError>> {
    let carrier = match &hop.location {
        Some(location) if location.contains("SAMLRequest=") => location.as_str(),
        _ if hop.status == 200 && hop.body.contains("SAMLRequest") => hop.body.as_str(),
        _ => return None,
    };
    Some(read_request(carrier))
}

fn read_request(carrier: &str) -> Result<SpRequest, CliError> {
    let bad = |m: String| CliError::input(format!("the SP's AuthnRequest cannot be read: {m}"));
    let decoded = decode(carrier.as_bytes()).map_err(|e| bad(e.to_string()))?;
    if decoded.found != Found::SamlRequest {
        return Err(bad(format!("found {}, not a SAMLRequest", decoded.describe())));
    }
    let xml = decoded.xml().ok_or_else(|| bad("not UTF-8 XML".into()))?;
    let doc = samlkit_xml::parse(xml).map_err(|e| bad(e.to_string()))?;
    let root = doc.node(doc.root_element());
    if !root.has_name(NS_PROTOCOL, "AuthnRequest") {
        return Err(bad(format!("the root element is {}, not samlp:AuthnRequest", root.name())));
    }
    let id = root.attribute("", "ID").ok_or_else(|| bad("it has no ID".into()))?;
    Ok(SpRequest { id: id.to_string(), relay_state: decoded.relay_state.clone() })
}

/// What a posting produced, and the final page to save.
pub(crate) struct Posted {
    pub(crate) observation: Observation,
}

/// Posts `payload` to the ACS (the HTTP-POST binding's form: SAMLResponse, RelayState), follows
/// the redirects, and fetches the whoami page with the same cookies.
pub(crate) fn post_response(
    browser: &mut Browser<'_>,
    endpoints: &Endpoints,
    payload: &Payload,
    relay_state: Option<&str>,
) -> Result<Posted, CliError> {
    use base64::Engine;
    let mut body = match payload {
        Payload::Xml(xml) => format!(
            "SAMLResponse={}",
            form_encode(&base64::engine::general_purpose::STANDARD.encode(xml))
        ),
        Payload::FormBody(form) => form.trim().to_string(),
    };
    if let Some(state) = relay_state {
        body.push_str(&format!("&RelayState={}", form_encode(state)));
    }
    // Cookies set before the posting (the SP's session for its AuthnRequest) are not evidence.
    browser.take_new_cookies();
    let hops = browser.follow(&endpoints.acs, Send::Form(&body), |_| false)?;
    let new_cookies = browser.take_new_cookies();
    let whoami = match &endpoints.whoami {
        Some(url) => {
            let page = browser.follow(url, Send::Get, |_| false)?;
            page.last().and_then(|hop| identity(endpoints, &hop.body))
        }
        None => None,
    };
    let last = hops.last();
    let page_identity = last.and_then(|hop| known_identity(endpoints, &hop.body));
    let observation = Observation {
        statuses: hops.iter().map(|h| h.status).collect(),
        final_url: last.map(|h| h.url.to_string()).unwrap_or_default(),
        new_cookies,
        page: last.map(|h| h.body.clone()).unwrap_or_default(),
        whoami,
        page_identity,
    };
    Ok(Posted { observation })
}

/// Who the whoami page shows: `--whoami-regex`'s first group (or whole match), else the first
/// of the identities a case can log in as.
fn identity(endpoints: &Endpoints, page: &str) -> Option<String> {
    match &endpoints.whoami_regex {
        Some(re) => re
            .captures(page)
            .and_then(|c| c.get(1).or_else(|| c.get(0)).map(|m| m.as_str().trim().to_string()))
            .filter(|s| !s.is_empty()),
        None => known_identity(endpoints, page),
    }
}

/// Which of the identities a case can log in as a page names: the --name-id, the whole signed
/// value of comment-in-nameid, or the attacker's.
fn known_identity(endpoints: &Endpoints, page: &str) -> Option<String> {
    let suffixed = format!("{}.evil.example", endpoints.name_id);
    find_identity(page, &[&endpoints.name_id, &suffixed, EVIL_NAME_ID])
}
