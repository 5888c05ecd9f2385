//! Single logout messages (SAML core §3.7): the LogoutRequest an SP sends to end a session, the
//! LogoutRequests the IdP sends to the session's other SPs, and the LogoutResponses.

use chrono::{DateTime, Utc};

use super::request::check_message_signature;
use super::response::{StatusCode, status_element};
use super::sp::SpRegistration;
use crate::builder::{NS_ASSERTION, NS_PROTOCOL, STATUS_SUCCESS};
use crate::escape::{escape_attr, escape_text};
use crate::verify::{child, parse_document};
use crate::{ErrorKind, SamlError, format_instant, new_id};

/// What a LogoutRequest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequestInfo {
    /// Its ID (the LogoutResponse's InResponseTo).
    pub id: String,
    /// The sender's entity ID.
    pub issuer: String,
    /// The NameID of the user to log out.
    pub name_id: String,
    /// The sessions to end (empty: all of that user's).
    pub session_indexes: Vec<String>,
}

fn root_named<'d, 'a>(
    doc: &'d samlkit_xml::Document<'a>,
    local: &str,
) -> Result<samlkit_xml::Node<'d, 'a>, SamlError> {
    let root = doc.node(doc.root_element());
    if !root.has_name(NS_PROTOCOL, local) {
        return Err(SamlError::new(
            ErrorKind::UnexpectedDocument,
            format!("the message is <{}>, not a samlp:{local}", root.name()),
        ));
    }
    Ok(root)
}

/// Reads a LogoutRequest (its signature is the caller's business: the binding decides where it
/// is).
///
/// ```
/// let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://sp.example.com</saml:Issuer><saml:NameID>alice@example.com</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>"#;
/// let info = samlkit_saml::idp::parse_logout_request(xml)?;
/// assert_eq!((info.id.as_str(), info.name_id.as_str()), ("_l1", "alice@example.com"));
/// assert_eq!(info.session_indexes, ["_s1"]);
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub fn parse_logout_request(xml: &str) -> Result<LogoutRequestInfo, SamlError> {
    let doc = parse_document(xml)?;
    let root = root_named(&doc, "LogoutRequest")?;
    let text =
        |local: &str| child(root, NS_ASSERTION, local).map(|n| n.text_content().trim().to_string());
    let missing = |what: &str| {
        SamlError::new(ErrorKind::AssertionInvalid, format!("the LogoutRequest has no {what}"))
    };
    Ok(LogoutRequestInfo {
        id: root.attribute("", "ID").ok_or_else(|| missing("ID"))?.to_string(),
        issuer: text("Issuer").ok_or_else(|| missing("Issuer"))?,
        name_id: text("NameID").ok_or_else(|| missing("NameID"))?,
        session_indexes: root
            .element_children()
            .filter(|n| n.has_name(NS_PROTOCOL, "SessionIndex"))
            .map(|n| n.text_content().trim().to_string())
            .collect(),
    })
}

/// Reads a LogoutResponse: (issuer, InResponseTo, whether its status is Success).
pub fn parse_logout_response(xml: &str) -> Result<(String, Option<String>, bool), SamlError> {
    let doc = parse_document(xml)?;
    let root = root_named(&doc, "LogoutResponse")?;
    let issuer = child(root, NS_ASSERTION, "Issuer").map(|n| n.text_content().trim().to_string());
    let success = child(root, NS_PROTOCOL, "Status")
        .and_then(|s| child(s, NS_PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("", "Value"))
        == Some(STATUS_SUCCESS);
    Ok((
        issuer.unwrap_or_default(),
        root.attribute("", "InResponseTo").map(str::to_string),
        success,
    ))
}

/// Checks the signature of a LogoutRequest or LogoutResponse from `sp` the way an AuthnRequest's
/// is checked: against the SP's *registered* certificates only (a certificate in the message's
/// KeyInfo is never trusted). `signed_query` is the raw query string of an HTTP-Redirect message
/// that carries a `Signature` parameter; without it, an enveloped XML signature (HTTP-POST) must
/// reference the message's root element. An unsigned message is refused when the SP must sign
/// (`want_authn_requests_signed`). Returns whether the message was signed.
///
/// ```
/// use samlkit_saml::idp::{SpRegistration, check_logout_signature};
/// let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://sp.example.com</saml:Issuer><saml:NameID>alice@example.com</saml:NameID></samlp:LogoutRequest>"#;
/// let mut sp = SpRegistration::new("https://sp.example.com", "https://sp.example.com/acs", None);
/// assert_eq!(check_logout_signature(xml, None, &sp)?, false);
/// sp.want_authn_requests_signed = true;
/// let refused = check_logout_signature(xml, None, &sp).unwrap_err();
/// assert_eq!(refused.code(), "signature_missing");
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub fn check_logout_signature(
    xml: &str,
    signed_query: Option<&str>,
    sp: &SpRegistration,
) -> Result<bool, SamlError> {
    let doc = parse_document(xml)?;
    let root = doc.node(doc.root_element());
    let what = if root.has_name(NS_PROTOCOL, "LogoutResponse") {
        "LogoutResponse"
    } else {
        root_named(&doc, "LogoutRequest")?;
        "LogoutRequest"
    };
    check_message_signature(&doc, root, signed_query, sp, what)
}

/// Builds an unsigned LogoutRequest from `issuer` to `destination` for `name_id` (with its
/// format URI) and `session_index`; returns its ID and XML.
pub fn build_logout_request(
    issuer: &str,
    destination: &str,
    name_id: &str,
    name_id_format: &str,
    session_index: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, String), SamlError> {
    let id = new_id()?;
    let mut x = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\"><saml:Issuer>{}</saml:Issuer><saml:NameID Format=\"{}\">{}</saml:NameID>",
        format_instant(now),
        escape_attr(destination),
        escape_text(issuer),
        escape_attr(name_id_format),
        escape_text(name_id),
    );
    if let Some(s) = session_index {
        x.push_str(&format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape_text(s)));
    }
    x.push_str("</samlp:LogoutRequest>");
    Ok((id, x))
}

/// Builds an unsigned LogoutResponse: Success, or `RequestDenied` when `success` is false.
pub fn build_logout_response(
    issuer: &str,
    destination: &str,
    in_response_to: &str,
    success: bool,
    now: DateTime<Utc>,
) -> Result<String, SamlError> {
    let status = if success {
        format!("<samlp:Status><samlp:StatusCode Value=\"{STATUS_SUCCESS}\"/></samlp:Status>")
    } else {
        status_element(StatusCode::RequestDenied, None)
    };
    Ok(format!(
        "<samlp:LogoutResponse xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" InResponseTo=\"{}\"><saml:Issuer>{}</saml:Issuer>{status}</samlp:LogoutResponse>",
        new_id()?,
        format_instant(now),
        escape_attr(destination),
        escape_attr(in_response_to),
        escape_text(issuer),
    ))
}
