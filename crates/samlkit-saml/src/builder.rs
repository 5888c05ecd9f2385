//! Building a SAML 2.0 Response with one Assertion as XML text.
//!
//! The text is written directly (no DOM): element order follows the SAML core schema, every value
//! is escaped, and the Assertion declares every namespace it uses (`saml`, `xs`, `xsi`) on itself,
//! so the Assertion can be cut out, canonicalized with exclusive C14N and signed on its own.

use chrono::{DateTime, Duration, Utc};

use crate::escape::{escape_attr, escape_text};
use crate::time::format_instant;
use crate::{SamlError, new_id};

/// SAML 2.0 assertion namespace.
pub const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace.
pub const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// XML Schema namespace (`xs:string`).
pub const NS_XS: &str = "http://www.w3.org/2001/XMLSchema";
/// XML Schema instance namespace (`xsi:type`).
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The top-level status code of a successful response.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// Bearer subject confirmation method (Web Browser SSO profile).
pub const CM_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// The authentication context the builder states: password over a protected transport.
pub const AC_PASSWORD_PROTECTED_TRANSPORT: &str =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
const ATTRNAME_FORMAT_BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";

/// Expands a NameID format short name (`email`, `persistent`, `transient`, `unspecified`) to its
/// URI; anything containing `:` is taken as a URI already. `None` for an unknown short name.
///
/// ```
/// assert_eq!(samlkit_saml::name_id_format_uri("email").unwrap(),
///            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
/// ```
pub fn name_id_format_uri(name: &str) -> Option<String> {
    let uri = match name {
        "email" => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "persistent" => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "transient" => "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
        "unspecified" => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        uri if uri.contains(':') => uri,
        _ => return None,
    };
    Some(uri.to_string())
}

/// One attribute with its values (in order), each written as `xsi:type="xs:string"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's `Name` (written with the `basic` NameFormat), e.g. `email` or `groups`.
    pub name: String,
    /// One `AttributeValue` per entry; several make a multi-valued attribute such as group
    /// membership.
    pub values: Vec<String>,
}

/// Groups `NAME=VALUE` pairs into attributes, keeping first-seen order: `groups=a`, `groups=b`
/// become one attribute `groups` with two values.
pub fn group_attributes<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::new();
    for (name, value) in pairs {
        match out.iter_mut().find(|a| a.name == name) {
            Some(a) => a.values.push(value.to_string()),
            None => out.push(Attribute { name: name.to_string(), values: vec![value.to_string()] }),
        }
    }
    out
}

/// What goes into the Response.
#[derive(Debug, Clone)]
pub struct ResponseParams {
    /// Entity ID of the identity provider (Issuer of Response and Assertion).
    pub issuer: String,
    /// The subject's NameID value.
    pub name_id: String,
    /// The NameID Format URI (see [`name_id_format_uri`]).
    pub name_id_format: String,
    /// Audiences, all in one AudienceRestriction (omitted when empty).
    pub audiences: Vec<String>,
    /// The SP's assertion consumer service URL (SubjectConfirmationData Recipient).
    pub recipient: Option<String>,
    /// Response Destination (usually the same ACS URL).
    pub destination: Option<String>,
    /// ID of the AuthnRequest this answers (SP-initiated flow); `None` for IdP-initiated.
    pub in_response_to: Option<String>,
    /// AttributeStatement content (omitted when empty).
    pub attributes: Vec<Attribute>,
    /// AuthnStatement SessionIndex; a fresh ID when `None`.
    pub session_index: Option<String>,
    /// IssueInstant, AuthnInstant and NotBefore.
    pub issue_instant: DateTime<Utc>,
    /// How long the assertion is valid: NotOnOrAfter = issue_instant + valid_for.
    pub valid_for: Duration,
}

/// The IDs used in a built response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseIds {
    /// The Response's `ID`: what a Response signature's Reference points at.
    pub response_id: String,
    /// The Assertion's `ID`: what an Assertion signature references, and what a service
    /// provider keeps in its replay cache.
    pub assertion_id: String,
    /// The AuthnStatement's `SessionIndex`, which the SP sends back in a LogoutRequest.
    pub session_index: String,
}

impl ResponseIds {
    /// Fresh random IDs (see [`new_id`]); `session_index` is used when given.
    pub fn random(session_index: Option<&str>) -> Result<ResponseIds, SamlError> {
        Ok(ResponseIds {
            response_id: new_id()?,
            assertion_id: new_id()?,
            session_index: match session_index {
                Some(s) => s.to_string(),
                None => new_id()?,
            },
        })
    }
}

/// An unsigned response and its IDs.
#[derive(Debug, Clone)]
pub struct BuiltResponse {
    /// The unsigned `samlp:Response` document, ready for [`sign_document`](crate::sign_document).
    pub xml: String,
    /// The IDs written into `xml`, so callers can log them or sign a chosen element.
    pub ids: ResponseIds,
}

/// Builds an unsigned Response with fresh random IDs; sign it with [`crate::sign_document`].
///
/// ```
/// use samlkit_saml::{ResponseParams, build_response, name_id_format_uri};
///
/// let params = ResponseParams {
///     issuer: "https://idp.example.com".into(),
///     name_id: "alice@example.com".into(),
///     name_id_format: name_id_format_uri("email").unwrap_or_default(),
///     audiences: vec!["https://sp.example.com".into()],
///     recipient: Some("https://sp.example.com/acs".into()),
///     destination: Some("https://sp.example.com/acs".into()),
///     in_response_to: Some("_req1".into()),
///     attributes: samlkit_saml::group_attributes([("groups", "admins")]),
///     session_index: None,
///     issue_instant: "2026-01-01T00:00:00Z".parse()?,
///     valid_for: chrono::Duration::minutes(5),
/// };
/// let built = build_response(&params)?;
/// assert!(built.xml.contains(">alice@example.com</saml:NameID>"));
/// assert!(built.xml.contains(&format!("ID=\"{}\"", built.ids.assertion_id)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_response(params: &ResponseParams) -> Result<BuiltResponse, SamlError> {
    let ids = ResponseIds::random(params.session_index.as_deref())?;
    Ok(build_response_with_ids(params, ids))
}

/// Builds an unsigned Response with the given IDs (deterministic: for tests and fixtures).
pub fn build_response_with_ids(params: &ResponseParams, ids: ResponseIds) -> BuiltResponse {
    write_response(params, ids, &ResponseStyle::DEFAULT)
}

/// The namespace prefixes a response is written with. Identity providers differ here (see
/// [`crate::idp::ResponseShape::prefixes`]), and an SP's XML code must not care: the names are
/// namespace-qualified either way, and every signature covers the same canonical form of the
/// same names.
///
/// ```
/// use samlkit_saml::PrefixStyle;
/// assert_eq!(PrefixStyle::SAML.assertion_name("NameID"), "saml:NameID");
/// assert_eq!(PrefixStyle::SAML2.protocol_name("Response"), "saml2p:Response");
/// assert_eq!(PrefixStyle::DEFAULT_ASSERTION.assertion_name("NameID"), "NameID");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixStyle {
    /// The prefix of the protocol namespace ([`NS_PROTOCOL`]): `samlp`, `saml2p`. Never empty.
    pub protocol: &'static str,
    /// The prefix of the assertion namespace ([`NS_ASSERTION`]): `saml`, `saml2`, or empty for
    /// the default namespace (`<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion">`).
    pub assertion: &'static str,
}

impl PrefixStyle {
    /// `samlp:` and `saml:`: the SAML core specification's own examples, samlkit's default.
    pub const SAML: PrefixStyle = PrefixStyle { protocol: "samlp", assertion: "saml" };
    /// `saml2p:` and `saml2:`, as OpenSAML-based IdPs (Okta, Shibboleth) write them.
    pub const SAML2: PrefixStyle = PrefixStyle { protocol: "saml2p", assertion: "saml2" };
    /// `samlp:` with an unprefixed, default-namespace Assertion, as the Microsoft IdPs (AD FS,
    /// Entra ID) write them.
    pub const DEFAULT_ASSERTION: PrefixStyle = PrefixStyle { protocol: "samlp", assertion: "" };

    /// The qualified name of the protocol element `local` (`samlp:Status`).
    pub fn protocol_name(&self, local: &str) -> String {
        qualified(self.protocol, local)
    }

    /// The qualified name of the assertion element `local` (`saml:NameID`, or `NameID` for the
    /// default namespace).
    pub fn assertion_name(&self, local: &str) -> String {
        qualified(self.assertion, local)
    }

    /// The declaration of the assertion namespace: ` xmlns:saml="…"` or ` xmlns="…"`.
    pub(crate) fn assertion_xmlns(&self) -> String {
        xmlns(self.assertion, NS_ASSERTION)
    }
}

/// The one element-name helper: `prefix:local`, or `local` for the default namespace.
fn qualified(prefix: &str, local: &str) -> String {
    if prefix.is_empty() { local.to_string() } else { format!("{prefix}:{local}") }
}

/// ` xmlns:prefix="uri"`, or ` xmlns="uri"` for the empty prefix.
fn xmlns(prefix: &str, uri: &str) -> String {
    if prefix.is_empty() {
        format!(" xmlns=\"{uri}\"")
    } else {
        format!(" xmlns:{prefix}=\"{uri}\"")
    }
}

/// What differs between the responses of different identity providers (see
/// [`crate::idp::ResponseShape`]); the plain builder uses [`ResponseStyle::DEFAULT`].
pub(crate) struct ResponseStyle<'a> {
    /// The AuthnContextClassRef URI.
    pub(crate) authn_context: &'a str,
    /// The attributes' NameFormat; `None` leaves it out (ADFS, Entra ID).
    pub(crate) attribute_name_format: Option<&'a str>,
    /// The namespace prefixes.
    pub(crate) prefixes: PrefixStyle,
}

impl ResponseStyle<'static> {
    pub(crate) const DEFAULT: ResponseStyle<'static> = ResponseStyle {
        authn_context: AC_PASSWORD_PROTECTED_TRANSPORT,
        attribute_name_format: Some(ATTRNAME_FORMAT_BASIC),
        prefixes: PrefixStyle::SAML,
    };
}

/// The response text in the given style.
pub(crate) fn write_response(
    params: &ResponseParams,
    ids: ResponseIds,
    style: &ResponseStyle<'_>,
) -> BuiltResponse {
    let p = style.prefixes;
    let (samlp, saml) = (|l: &str| p.protocol_name(l), |l: &str| p.assertion_name(l));
    let now = format_instant(params.issue_instant);
    let until = format_instant(params.issue_instant + params.valid_for);
    let issuer = escape_text(&params.issuer);
    // A prefixed assertion namespace is declared once on the Response (samlkit's and
    // Salesforce's way); the default namespace is declared on each element that uses it outside
    // the Assertion (the Microsoft way: `<Issuer xmlns="…">`), so the Response's own protocol
    // elements stay unaffected by it.
    let (response_xmlns, outer_xmlns) = if p.assertion.is_empty() {
        (String::new(), p.assertion_xmlns())
    } else {
        (p.assertion_xmlns(), String::new())
    };
    let mut x = String::with_capacity(2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<{r}{}{response_xmlns} ID=\"{}\" Version=\"2.0\" IssueInstant=\"{now}\"",
        xmlns(p.protocol, NS_PROTOCOL),
        escape_attr(&ids.response_id),
        r = samlp("Response"),
    ));
    if let Some(d) = params.destination.as_deref() {
        x.push_str(&format!(" Destination=\"{}\"", escape_attr(d)));
    }
    if let Some(irt) = params.in_response_to.as_deref() {
        x.push_str(&format!(" InResponseTo=\"{}\"", escape_attr(irt)));
    }
    x.push('>');
    x.push_str(&format!("<{i}{outer_xmlns}>{issuer}</{i}>", i = saml("Issuer")));
    x.push_str(&format!(
        "<{s}><{c} Value=\"{STATUS_SUCCESS}\"/></{s}>",
        s = samlp("Status"),
        c = samlp("StatusCode")
    ));

    x.push_str(&format!(
        "<{a}{} xmlns:xs=\"{NS_XS}\" xmlns:xsi=\"{NS_XSI}\" ID=\"{}\" Version=\"2.0\" IssueInstant=\"{now}\">",
        p.assertion_xmlns(),
        escape_attr(&ids.assertion_id),
        a = saml("Assertion"),
    ));
    x.push_str(&format!("<{i}>{issuer}</{i}>", i = saml("Issuer")));

    x.push_str(&format!(
        "<{s}><{n} Format=\"{}\">{}</{n}>",
        escape_attr(&params.name_id_format),
        escape_text(&params.name_id),
        s = saml("Subject"),
        n = saml("NameID"),
    ));
    x.push_str(&format!(
        "<{} Method=\"{CM_BEARER}\"><{} NotOnOrAfter=\"{until}\"",
        saml("SubjectConfirmation"),
        saml("SubjectConfirmationData")
    ));
    if let Some(r) = params.recipient.as_deref() {
        x.push_str(&format!(" Recipient=\"{}\"", escape_attr(r)));
    }
    if let Some(irt) = params.in_response_to.as_deref() {
        x.push_str(&format!(" InResponseTo=\"{}\"", escape_attr(irt)));
    }
    x.push_str(&format!("/></{}></{}>", saml("SubjectConfirmation"), saml("Subject")));

    x.push_str(&format!("<{} NotBefore=\"{now}\" NotOnOrAfter=\"{until}\">", saml("Conditions")));
    if !params.audiences.is_empty() {
        x.push_str(&format!("<{}>", saml("AudienceRestriction")));
        for a in &params.audiences {
            x.push_str(&format!("<{au}>{}</{au}>", escape_text(a), au = saml("Audience")));
        }
        x.push_str(&format!("</{}>", saml("AudienceRestriction")));
    }
    x.push_str(&format!("</{}>", saml("Conditions")));

    x.push_str(&format!(
        "<{st} AuthnInstant=\"{now}\" SessionIndex=\"{}\"><{ac}><{cr}>{}</{cr}></{ac}></{st}>",
        escape_attr(&ids.session_index),
        escape_text(style.authn_context),
        st = saml("AuthnStatement"),
        ac = saml("AuthnContext"),
        cr = saml("AuthnContextClassRef"),
    ));

    if !params.attributes.is_empty() {
        x.push_str(&format!("<{}>", saml("AttributeStatement")));
        for attr in &params.attributes {
            x.push_str(&format!("<{} Name=\"{}\"", saml("Attribute"), escape_attr(&attr.name)));
            if let Some(format) = style.attribute_name_format {
                x.push_str(&format!(" NameFormat=\"{}\"", escape_attr(format)));
            }
            x.push('>');
            for v in &attr.values {
                x.push_str(&format!(
                    "<{av} xsi:type=\"xs:string\">{}</{av}>",
                    escape_text(v),
                    av = saml("AttributeValue")
                ));
            }
            x.push_str(&format!("</{}>", saml("Attribute")));
        }
        x.push_str(&format!("</{}>", saml("AttributeStatement")));
    }
    x.push_str(&format!("</{}></{}>\n", saml("Assertion"), samlp("Response")));
    BuiltResponse { xml: x, ids }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn params() -> ResponseParams {
        ResponseParams {
            issuer: "https://idp.example.com".into(),
            name_id: "alice@example.com".into(),
            name_id_format: name_id_format_uri("email").unwrap(),
            audiences: vec!["https://sp.example.com".into()],
            recipient: Some("https://sp.example.com/acs".into()),
            destination: Some("https://sp.example.com/acs".into()),
            in_response_to: Some("_req1".into()),
            attributes: group_attributes([
                ("email", "alice@example.com"),
                ("groups", "a"),
                ("groups", "b&<c>"),
            ]),
            session_index: Some("_s1".into()),
            issue_instant: Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap(),
            valid_for: Duration::seconds(300),
        }
    }

    #[test]
    fn builds_schema_ordered_escaped_response() {
        let built = build_response(&params()).unwrap();
        let x = &built.xml;
        assert!(crate::is_ncname(&built.ids.response_id));
        assert_ne!(built.ids.response_id, built.ids.assertion_id);
        assert_eq!(built.ids.session_index, "_s1");
        let order = [
            "<samlp:Response",
            "<saml:Issuer>https://idp.example.com</saml:Issuer><samlp:Status>",
            "<saml:Assertion xmlns:saml=",
            "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">alice@example.com</saml:NameID>",
            "NotOnOrAfter=\"2026-11-29T10:05:00Z\" Recipient=\"https://sp.example.com/acs\" InResponseTo=\"_req1\"/>",
            "<saml:Conditions NotBefore=\"2026-11-29T10:00:00Z\" NotOnOrAfter=\"2026-11-29T10:05:00Z\">",
            "<saml:Audience>https://sp.example.com</saml:Audience>",
            "SessionIndex=\"_s1\"",
            "PasswordProtectedTransport",
            "<saml:AttributeValue xsi:type=\"xs:string\">a</saml:AttributeValue><saml:AttributeValue xsi:type=\"xs:string\">b&amp;&lt;c&gt;</saml:AttributeValue>",
        ];
        let mut at = 0;
        for needle in order {
            let found = x[at..]
                .find(needle)
                .unwrap_or_else(|| panic!("missing or out of order: {needle}\n{x}"));
            at += found + needle.len();
        }
        assert!(x.contains(&format!("xmlns:xs=\"{NS_XS}\" xmlns:xsi=\"{NS_XSI}\"")));
    }

    #[test]
    fn optional_parts_are_omitted() {
        let mut p = params();
        p.audiences.clear();
        p.attributes.clear();
        p.recipient = None;
        p.destination = None;
        p.in_response_to = None;
        let x = build_response(&p).unwrap().xml;
        for absent in [
            "AudienceRestriction",
            "AttributeStatement",
            "Recipient=",
            "Destination=",
            "InResponseTo=",
        ] {
            assert!(!x.contains(absent), "{absent}");
        }
    }

    #[test]
    fn name_id_formats() {
        assert!(name_id_format_uri("persistent").unwrap().ends_with("persistent"));
        assert_eq!(name_id_format_uri("urn:x:y").unwrap(), "urn:x:y");
        assert!(name_id_format_uri("bogus").is_none());
    }
}
