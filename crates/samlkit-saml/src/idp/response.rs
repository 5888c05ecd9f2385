//! Responses from the identity provider: a successful one in a [`ResponseShape`], and the SAML
//! error Response (SAML core §3.2.2.2) that answers a refused or unanswerable request.

use chrono::{DateTime, Utc};

use super::shape::ResponseShape;
use crate::builder::{ResponseStyle, write_response};
use crate::escape::{escape_attr, escape_text};
use crate::{
    Attribute, BuiltResponse, NS_ASSERTION, NS_PROTOCOL, ResponseIds, ResponseParams, SamlError,
    format_instant, new_id,
};

const STATUS_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:status:";

/// A non-success status: the top-level code (Requester, Responder, VersionMismatch) and the
/// second-level one the SP can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCode {
    /// The request was refused (bad signature, unregistered ACS, stale, replayed).
    RequestDenied,
    /// `IsPassive` was asked and the user has no session.
    NoPassive,
    /// The NameIDPolicy asks for a format the IdP does not give this SP.
    InvalidNameIdPolicy,
    /// The response binding asked for is not supported.
    UnsupportedBinding,
    /// The user could not be authenticated (the login was cancelled).
    AuthnFailed,
    /// Something else wrong with the request.
    Requester,
    /// The request's Version is not 2.0.
    VersionMismatch,
}

impl StatusCode {
    /// (top-level, second-level) status code URIs.
    pub fn uris(self) -> (String, Option<String>) {
        let (top, sub) = match self {
            StatusCode::RequestDenied => ("Requester", Some("RequestDenied")),
            StatusCode::NoPassive => ("Responder", Some("NoPassive")),
            StatusCode::InvalidNameIdPolicy => ("Responder", Some("InvalidNameIDPolicy")),
            StatusCode::UnsupportedBinding => ("Responder", Some("UnsupportedBinding")),
            StatusCode::AuthnFailed => ("Responder", Some("AuthnFailed")),
            StatusCode::Requester => ("Requester", None),
            StatusCode::VersionMismatch => ("VersionMismatch", None),
        };
        (format!("{STATUS_PREFIX}{top}"), sub.map(|s| format!("{STATUS_PREFIX}{s}")))
    }

    /// A short name for logs: `RequestDenied`, `NoPassive`, …
    pub fn name(self) -> &'static str {
        match self {
            StatusCode::RequestDenied => "RequestDenied",
            StatusCode::NoPassive => "NoPassive",
            StatusCode::InvalidNameIdPolicy => "InvalidNameIDPolicy",
            StatusCode::UnsupportedBinding => "UnsupportedBinding",
            StatusCode::AuthnFailed => "AuthnFailed",
            StatusCode::Requester => "Requester",
            StatusCode::VersionMismatch => "VersionMismatch",
        }
    }
}

/// Builds an unsigned Response in `shape`: the user fields in `params.attributes` renamed to the
/// shape's attribute names, its AuthnContextClassRef and attribute NameFormat. Sign it with
/// [`crate::sign_document`] and the shape's [`ResponseShape::sign`] (or the SP's choice).
///
/// ```
/// use samlkit_saml::idp::{ResponseShape, build_shaped_response};
/// let params = samlkit_saml::ResponseParams {
///     issuer: "https://idp.example.com".into(),
///     name_id: "alice@example.com".into(),
///     name_id_format: samlkit_saml::name_id_format_uri("email").unwrap_or_default(),
///     audiences: vec!["https://sp.example.com".into()],
///     recipient: Some("https://sp.example.com/acs".into()),
///     destination: Some("https://sp.example.com/acs".into()),
///     in_response_to: None,
///     attributes: samlkit_saml::group_attributes([("email", "alice@example.com")]),
///     session_index: None,
///     issue_instant: "2026-01-01T00:00:00Z".parse()?,
///     valid_for: chrono::Duration::minutes(5),
/// };
/// let entra = ResponseShape::by_name("entra").unwrap();
/// let built = build_shaped_response(&params, entra)?;
/// // Entra ID writes an unprefixed, default-namespace Assertion.
/// assert!(built.xml.contains(r#"<Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress">"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_shaped_response(
    params: &ResponseParams,
    shape: &ResponseShape,
) -> Result<BuiltResponse, SamlError> {
    let ids = ResponseIds::random(params.session_index.as_deref())?;
    Ok(write_shaped_response(params, ids, shape))
}

/// [`build_shaped_response`] with the given IDs (the `--break` kinds rebuild a response with
/// the legitimate one's IDs).
pub(crate) fn write_shaped_response(
    params: &ResponseParams,
    ids: ResponseIds,
    shape: &ResponseShape,
) -> BuiltResponse {
    let mut shaped = params.clone();
    shaped.attributes = params
        .attributes
        .iter()
        .map(|a| Attribute {
            name: shape.attribute_name(&a.name).to_string(),
            values: a.values.clone(),
        })
        .collect();
    let style = ResponseStyle {
        authn_context: shape.authn_context,
        attribute_name_format: shape.attribute_name_format,
        prefixes: shape.prefixes,
    };
    write_response(&shaped, ids, &style)
}

/// Builds an unsigned error Response (no Assertion) with `status` and an optional
/// StatusMessage, to `destination` in answer to `in_response_to`.
///
/// ```
/// use samlkit_saml::idp::{StatusCode, build_status_response};
/// let xml = build_status_response("https://idp.example.com", "https://sp.example.com/acs",
///     Some("_r1"), StatusCode::NoPassive, Some("no session"), "2026-01-01T00:00:00Z".parse()?)?;
/// assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:status:NoPassive"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_status_response(
    issuer: &str,
    destination: &str,
    in_response_to: Option<&str>,
    status: StatusCode,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, SamlError> {
    let mut x = format!(
        "<samlp:Response xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\"",
        new_id()?,
        format_instant(now),
        escape_attr(destination)
    );
    if let Some(irt) = in_response_to {
        x.push_str(&format!(" InResponseTo=\"{}\"", escape_attr(irt)));
    }
    x.push_str(&format!("><saml:Issuer>{}</saml:Issuer>", escape_text(issuer)));
    x.push_str(&status_element(status, message));
    x.push_str("</samlp:Response>");
    Ok(x)
}

/// `<samlp:Status>` with the codes of `status` and an optional message.
pub(crate) fn status_element(status: StatusCode, message: Option<&str>) -> String {
    let (top, sub) = status.uris();
    let mut x = format!("<samlp:Status><samlp:StatusCode Value=\"{top}\"");
    match sub {
        Some(sub) => {
            x.push_str(&format!("><samlp:StatusCode Value=\"{sub}\"/></samlp:StatusCode>"))
        }
        None => x.push_str("/>"),
    }
    if let Some(m) = message {
        x.push_str(&format!("<samlp:StatusMessage>{}</samlp:StatusMessage>", escape_text(m)));
    }
    x.push_str("</samlp:Status>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{build_response_with_ids, group_attributes, name_id_format_uri};

    fn params() -> ResponseParams {
        ResponseParams {
            issuer: "https://idp.example.com".into(),
            name_id: "alice@example.com".into(),
            name_id_format: name_id_format_uri("email").unwrap_or_default(),
            audiences: vec!["https://sp.example.com".into()],
            recipient: Some("https://sp.example.com/acs".into()),
            destination: Some("https://sp.example.com/acs".into()),
            in_response_to: Some("_req1".into()),
            attributes: group_attributes([("email", "alice@example.com"), ("groups", "a")]),
            session_index: Some("_s1".into()),
            issue_instant: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
            valid_for: chrono::Duration::minutes(5),
        }
    }

    fn ids() -> ResponseIds {
        ResponseIds {
            response_id: "_r1".into(),
            assertion_id: "_a1".into(),
            session_index: "_s1".into(),
        }
    }

    #[test]
    fn the_generic_shape_is_the_plain_builder_byte_for_byte() {
        let generic = ResponseShape::by_name("generic").unwrap();
        assert_eq!(
            write_shaped_response(&params(), ids(), generic).xml,
            build_response_with_ids(&params(), ids()).xml
        );
    }

    #[test]
    fn each_prefix_style_names_every_element_of_its_namespace() {
        for shape in crate::idp::SHAPES {
            let xml = write_shaped_response(&params(), ids(), shape).xml;
            let doc = crate::verify::parse_document(&xml).unwrap();
            for node in doc.descendants().filter(|n| n.is_element()) {
                let expected = if node.namespace_uri() == crate::NS_PROTOCOL {
                    shape.prefixes.protocol
                } else {
                    assert_eq!(node.namespace_uri(), crate::NS_ASSERTION, "{}", node.name());
                    shape.prefixes.assertion
                };
                assert_eq!(node.prefix(), expected, "{}: <{}>", shape.name, node.name());
            }
        }
    }
}
