//! Checking an AuthnRequest (SAML core §3.4.1) from the HTTP-Redirect or HTTP-POST binding the
//! way an identity provider must before it answers with an assertion.
//!
//! The order matters: the message is decoded under size limits, parsed with the secure parser,
//! its Issuer names the registered SP whose *registered* certificates alone can verify its
//! signature (a certificate inside the request proves nothing: anyone can sign with their own
//! key and attach their own certificate), and only a request that passed every other check is
//! recorded in the replay cache.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use flate2::read::DeflateDecoder;
use samlkit_dsig::{NS_DSIG, VerifyOptions};
use samlkit_xml::Node;

use super::response::StatusCode;
use super::sp::SpRegistration;
use crate::builder::{NS_ASSERTION, NS_PROTOCOL};
use crate::redirect::{self, url_decode};
use crate::verify::{child, parse_document};
use crate::{BINDING_HTTP_POST, ErrorKind, ReplayCache, SamlError, parse_instant};

/// The largest AuthnRequest accepted, after base64 and after inflating: 64 KiB. Real requests
/// are under 4 KiB; a deflate bomb stops reading here.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// An AuthnRequest as it arrived.
#[derive(Debug, Clone, Copy)]
pub enum IncomingRequest<'a> {
    /// HTTP-Redirect: the raw query string of the GET, exactly as received (still URL-encoded),
    /// because the signature covers those octets.
    Redirect {
        /// Everything after `?`.
        query: &'a str,
    },
    /// HTTP-POST: the form fields, as the web framework decoded them.
    Post {
        /// The `SAMLRequest` field (base64 of the XML).
        saml_request: &'a str,
        /// The `RelayState` field, if any.
        relay_state: Option<&'a str>,
    },
}

impl IncomingRequest<'_> {
    /// The binding's name for logs: `redirect` or `post`.
    pub fn binding_name(&self) -> &'static str {
        match self {
            IncomingRequest::Redirect { .. } => "redirect",
            IncomingRequest::Post { .. } => "post",
        }
    }
}

/// The identity provider's side of the checks.
#[derive(Debug, Clone)]
pub struct RequestCheck<'a> {
    /// The values a request's `Destination` may have (the IdP's SSO URL).
    pub destinations: &'a [String],
    /// The time the request is checked at.
    pub now: DateTime<Utc>,
    /// How old a request may be (its IssueInstant before `now`).
    pub max_age: Duration,
    /// Allowed clock difference with the SP, in both directions.
    pub skew: Duration,
}

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequestInfo {
    /// The request's ID: the response's InResponseTo.
    pub id: String,
    /// Index of the SP in the registrations given to [`check_authn_request`].
    pub sp_index: usize,
    /// The SP's entity ID (the request's Issuer).
    pub sp_entity_id: String,
    /// The registered ACS URL the response goes to.
    pub acs_url: String,
    /// `ForceAuthn="true"`: authenticate afresh, never reuse a session.
    pub force_authn: bool,
    /// `IsPassive="true"`: never show a page; answer `NoPassive` if there is no session.
    pub is_passive: bool,
    /// `NameIDPolicy/@Format`, if the request names one.
    pub name_id_format: Option<String>,
    /// The RelayState to send back.
    pub relay_state: Option<String>,
    /// Whether the request was signed (and the signature verified).
    pub signed: bool,
    /// The request's XML, for logs.
    pub xml: String,
}

/// A refused request: what failed, and, when the SP and a registered ACS URL are known, where a
/// SAML error Response may be sent (`None`: show an error page only).
#[derive(Debug, Clone)]
pub struct Refusal {
    /// What failed.
    pub error: SamlError,
    /// The error Response to send, if SAML allows one (boxed: it is the rare, large case).
    pub answer: Option<Box<ErrorAnswer>>,
    /// The decoded request, when it got that far (for logs).
    pub xml: Option<String>,
}

/// Where and how to answer a refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// The SP's entity ID (the error Response's audience in spirit; there is no assertion).
    pub sp_entity_id: String,
    /// A *registered* ACS URL (the default one if the request's own was not registered).
    pub acs_url: String,
    /// The request's ID.
    pub in_response_to: Option<String>,
    /// The RelayState to send back.
    pub relay_state: Option<String>,
    /// The status to answer with.
    pub status: StatusCode,
}

/// What the decoding step yields.
struct Decoded<'q> {
    xml: String,
    relay_state: Option<String>,
    /// The raw query when the Redirect message carries SigAlg and Signature.
    signed_query: Option<&'q str>,
}

/// Checks an AuthnRequest against the registered SPs and returns what to answer, or why not.
///
/// Checks, in order: size (the encoded and the inflated message at most [`MAX_REQUEST_BYTES`]),
/// well-formed XML without DTD, root `samlp:AuthnRequest` with Version 2.0 and an ID, an Issuer
/// that is a registered SP; the signature (query-string signature for Redirect, enveloped
/// `ds:Signature` for POST) against that SP's registered certificates only, and present when the
/// SP must sign; Destination (required when signed) is one of `check.destinations`; IssueInstant
/// within `max_age` (plus skew) before `now` and not after `now + skew`; the ACS URL or index is
/// registered, and ProtocolBinding (if given) is HTTP-POST; last, the ID was not seen before
/// (`seen` records it until it would be stale anyway).
pub fn check_authn_request(
    incoming: IncomingRequest<'_>,
    sps: &[SpRegistration],
    check: &RequestCheck<'_>,
    seen: &dyn ReplayCache,
) -> Result<AuthnRequestInfo, Refusal> {
    let decoded = decode(incoming).map_err(|error| Refusal { error, answer: None, xml: None })?;
    let xml = decoded.xml.clone();
    let refuse = |error: SamlError| Refusal { error, answer: None, xml: Some(xml.clone()) };
    let doc = parse_document(&decoded.xml).map_err(refuse)?;
    let root = doc.node(doc.root_element());
    if !root.has_name(NS_PROTOCOL, "AuthnRequest") {
        return Err(refuse(SamlError::new(
            ErrorKind::UnexpectedDocument,
            format!("the SAMLRequest is <{}>, not a samlp:AuthnRequest", root.name()),
        )));
    }
    let issuer = child(root, NS_ASSERTION, "Issuer")
        .map(|n| n.text_content().trim().to_string())
        .ok_or_else(|| {
        refuse(SamlError::new(ErrorKind::AssertionInvalid, "the AuthnRequest has no Issuer"))
    })?;
    let (sp_index, sp) =
        sps.iter().enumerate().find(|(_, sp)| sp.entity_id == issuer).ok_or_else(|| {
            refuse(SamlError::new(
                ErrorKind::UnknownServiceProvider,
                format!("no service provider {issuer:?} is registered"),
            ))
        })?;
    let request_id = root.attribute("", "ID").map(str::to_string);
    // From here on the SP is known: an error Response may go to a registered ACS URL.
    let acs = resolve_acs(root, sp);
    let answer_to = |status: StatusCode| {
        let acs_url = match &acs {
            Ok(url) => Some(url.clone()),
            Err(_) => sp.default_acs().map(|a| a.location.clone()),
        };
        acs_url.map(|acs_url| {
            Box::new(ErrorAnswer {
                sp_entity_id: sp.entity_id.clone(),
                acs_url,
                in_response_to: request_id.clone(),
                relay_state: decoded.relay_state.clone(),
                status,
            })
        })
    };
    let deny = |error: SamlError, status: StatusCode| Refusal {
        error,
        answer: answer_to(status),
        xml: Some(xml.clone()),
    };

    let signed = check_message_signature(&doc, root, decoded.signed_query, sp, "AuthnRequest")
        .map_err(|e| deny(e, StatusCode::RequestDenied))?;

    if root.attribute("", "Version") != Some("2.0") {
        return Err(deny(
            SamlError::new(ErrorKind::VersionInvalid, "the AuthnRequest's Version is not 2.0"),
            StatusCode::VersionMismatch,
        ));
    }
    let id = request_id.clone().filter(|id| crate::is_ncname(id)).ok_or_else(|| {
        deny(
            SamlError::new(ErrorKind::AssertionInvalid, "the AuthnRequest has no valid ID"),
            StatusCode::Requester,
        )
    })?;
    match root.attribute("", "Destination") {
        Some(d) if !check.destinations.iter().any(|ok| ok == d) => {
            return Err(deny(
                SamlError::new(
                    ErrorKind::DestinationMismatched,
                    format!(
                        "Destination {d:?} is not this IdP's SSO endpoint {:?}",
                        check.destinations
                    ),
                ),
                StatusCode::RequestDenied,
            ));
        }
        None if signed => {
            return Err(deny(
                SamlError::new(
                    ErrorKind::DestinationMismatched,
                    "a signed AuthnRequest must carry a Destination (SAML bindings §3.4.5.2, §3.5.5.2)",
                ),
                StatusCode::RequestDenied,
            ));
        }
        _ => {}
    }
    let issued = root
        .attribute("", "IssueInstant")
        .ok_or_else(|| SamlError::new(ErrorKind::AssertionInvalid, "no IssueInstant"))
        .and_then(|t| parse_instant(t, "the AuthnRequest's IssueInstant"))
        .map_err(|e| deny(e, StatusCode::Requester))?;
    if issued + check.max_age + check.skew < check.now || issued > check.now + check.skew {
        return Err(deny(
            SamlError::new(
                ErrorKind::RequestStale,
                format!(
                    "IssueInstant {} is outside [{} - {} s, + {} s skew]",
                    crate::format_instant(issued),
                    crate::format_instant(check.now),
                    (check.max_age + check.skew).num_seconds(),
                    check.skew.num_seconds()
                ),
            ),
            StatusCode::RequestDenied,
        ));
    }
    let acs_url = acs.clone().map_err(|(e, status)| deny(e, status))?;
    let name_id_format = child(root, NS_PROTOCOL, "NameIDPolicy")
        .and_then(|p| p.attribute("", "Format"))
        .map(|f| f.trim().to_string());
    seen.check_and_insert(&id, issued + check.max_age + check.skew, check.now).map_err(|e| {
        let error = match e.kind() {
            ErrorKind::Replayed => SamlError::new(
                ErrorKind::RequestReplayed,
                format!("the AuthnRequest ID {id:?} was already answered"),
            ),
            _ => e,
        };
        deny(error, StatusCode::RequestDenied)
    })?;
    let flag = |name: &str| root.attribute("", name).map(str::trim) == Some("true");
    Ok(AuthnRequestInfo {
        id,
        sp_index,
        sp_entity_id: sp.entity_id.clone(),
        acs_url,
        force_authn: flag("ForceAuthn"),
        is_passive: flag("IsPassive"),
        name_id_format,
        relay_state: decoded.relay_state.clone(),
        signed,
        xml: decoded.xml.clone(),
    })
}

/// The registered ACS URL the request asks for (by URL or index), or the default one.
fn resolve_acs(root: Node<'_, '_>, sp: &SpRegistration) -> Result<String, (SamlError, StatusCode)> {
    if let Some(binding) = root.attribute("", "ProtocolBinding").map(str::trim)
        && binding != BINDING_HTTP_POST
    {
        return Err((
            SamlError::new(
                ErrorKind::RequestUnsupported,
                format!("ProtocolBinding {binding:?}: this IdP answers with HTTP-POST only"),
            ),
            StatusCode::UnsupportedBinding,
        ));
    }
    let post = || sp.acs.iter().filter(|a| a.binding == BINDING_HTTP_POST);
    if let Some(url) = root.attribute("", "AssertionConsumerServiceURL").map(str::trim) {
        return post().find(|a| a.location == url).map(|a| a.location.clone()).ok_or_else(|| {
            (
                SamlError::new(
                    ErrorKind::AcsNotRegistered,
                    format!(
                        "AssertionConsumerServiceURL {url:?} is not registered for {:?}",
                        sp.entity_id
                    ),
                ),
                StatusCode::RequestDenied,
            )
        });
    }
    if let Some(index) = root.attribute("", "AssertionConsumerServiceIndex") {
        let wanted = index.trim().parse::<u32>().ok();
        return post()
            .find(|a| wanted.is_some() && a.index == wanted)
            .map(|a| a.location.clone())
            .ok_or_else(|| {
                (
                    SamlError::new(
                        ErrorKind::AcsNotRegistered,
                        format!(
                            "AssertionConsumerServiceIndex {index:?} is not registered for {:?}",
                            sp.entity_id
                        ),
                    ),
                    StatusCode::RequestDenied,
                )
            });
    }
    sp.default_acs().map(|a| a.location.clone()).ok_or_else(|| {
        (
            SamlError::new(ErrorKind::AcsNotRegistered, "the SP has no HTTP-POST ACS registered"),
            StatusCode::RequestDenied,
        )
    })
}

/// Verifies a message's signature, if any, with the SP's registered certificates only (never a
/// certificate carried in the message); refuses an unsigned message when the SP must sign.
/// `signed_query` is the raw query of an HTTP-Redirect message that carries a `Signature`
/// parameter; otherwise an enveloped signature (HTTP-POST) must reference the root element
/// (`what` names it in errors). Returns whether the message was signed. Shared by AuthnRequests
/// and logout messages so both bindings are checked the same way.
pub(crate) fn check_message_signature(
    doc: &samlkit_xml::Document<'_>,
    root: Node<'_, '_>,
    signed_query: Option<&str>,
    sp: &SpRegistration,
    what: &str,
) -> Result<bool, SamlError> {
    let embedded = child(root, NS_DSIG, "Signature");
    let signed = signed_query.is_some() || embedded.is_some();
    if !signed {
        if sp.want_authn_requests_signed {
            return Err(SamlError::new(
                ErrorKind::SignatureMissing,
                format!("{:?} must sign its {what}s, and this one is unsigned", sp.entity_id),
            ));
        }
        return Ok(false);
    }
    if sp.signing_certs.is_empty() {
        return Err(SamlError::new(
            ErrorKind::UntrustedCertificate,
            format!(
                "the {what} is signed, but {:?} has no registered signing certificate to check it with (a certificate inside the message is never trusted)",
                sp.entity_id
            ),
        ));
    }
    match (signed_query, embedded) {
        (Some(query), _) => {
            redirect::verify_url_with_certificates(query, &sp.signing_certs, false)?;
        }
        (None, Some(sig)) => {
            let opts = VerifyOptions::default();
            let v =
                samlkit_dsig::verify_signature(doc, sig.id(), root.id(), &sp.signing_certs, &opts)
                    .map_err(crate::verify::map_dsig_error)?;
            if v.signed_element != root.id() {
                return Err(SamlError::new(
                    ErrorKind::ReferenceInvalid,
                    format!("the signature does not cover the {what}"),
                ));
            }
        }
        (None, None) => {}
    }
    Ok(true)
}

fn too_big(what: &str) -> SamlError {
    SamlError::new(
        ErrorKind::MalformedInput,
        format!("the {what} is larger than {MAX_REQUEST_BYTES} bytes"),
    )
}

/// Base64 (and for Redirect, inflate) under [`MAX_REQUEST_BYTES`].
fn decode(incoming: IncomingRequest<'_>) -> Result<Decoded<'_>, SamlError> {
    let malformed = |m: String| SamlError::new(ErrorKind::MalformedInput, m);
    let b64_limit = MAX_REQUEST_BYTES / 3 * 4 + 4;
    match incoming {
        IncomingRequest::Redirect { query } => {
            if query.len() > redirect::MAX_URL_BYTES {
                return Err(too_big("query string"));
            }
            let mut message = None;
            let mut relay_state = None;
            let mut signature = false;
            for pair in query.split('&') {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let slot = match name {
                    "SAMLRequest" => &mut message,
                    "RelayState" => &mut relay_state,
                    "Signature" | "SigAlg" => {
                        signature = true;
                        continue;
                    }
                    _ => continue,
                };
                if slot.is_some() {
                    return Err(SamlError::new(
                        ErrorKind::DuplicateParameter,
                        format!("the query carries {name} more than once"),
                    ));
                }
                *slot = Some(value);
            }
            let raw = message.ok_or_else(|| malformed("no SAMLRequest parameter".into()))?;
            let value = url_decode(raw)?;
            if value.len() > b64_limit {
                return Err(too_big("SAMLRequest"));
            }
            let compressed = STANDARD
                .decode(value.replace(' ', "+").trim())
                .map_err(|e| malformed(format!("SAMLRequest is not base64 ({e})")))?;
            let mut inflated = Vec::new();
            DeflateDecoder::new(compressed.as_slice())
                .take(MAX_REQUEST_BYTES as u64 + 1)
                .read_to_end(&mut inflated)
                .map_err(|e| malformed(format!("SAMLRequest is not raw DEFLATE data ({e})")))?;
            if inflated.len() > MAX_REQUEST_BYTES {
                return Err(too_big("inflated SAMLRequest"));
            }
            let xml = String::from_utf8(inflated)
                .map_err(|_| malformed("the inflated SAMLRequest is not UTF-8".into()))?;
            Ok(Decoded {
                xml,
                relay_state: relay_state.map(url_decode).transpose()?,
                signed_query: signature.then_some(query),
            })
        }
        IncomingRequest::Post { saml_request, relay_state } => {
            if saml_request.len() > b64_limit {
                return Err(too_big("SAMLRequest"));
            }
            let compact: String =
                saml_request.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let bytes = STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| malformed(format!("SAMLRequest is not base64 ({e})")))?;
            let xml = String::from_utf8(bytes)
                .map_err(|_| malformed("the SAMLRequest is not UTF-8 XML".into()))?;
            Ok(Decoded { xml, relay_state: relay_state.map(str::to_string), signed_query: None })
        }
    }
}
