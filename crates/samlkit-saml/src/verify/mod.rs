//! Verifying a SAML Response the way Java OpenSAML's profile validators do, and stricter where
//! signature wrapping lives.
//!
//! Four stages, each a module, each failure a [`SamlError`] with its [`crate::ErrorKind`]:
//! 1. **profile** (`profile.rs`): decode (raw XML, base64, form body, deflate) and parse (no
//!    DOCTYPE, bounded sizes); every ID unique; the root is a `samlp:Response` (a bare
//!    `saml:Assertion` only when the policy allows it); no EncryptedAssertion; exactly one
//!    `saml:Assertion` in the whole document, a direct child of the Response; every `ds:Signature`
//!    a direct child of the Response or of the Assertion, at most one per element;
//! 2. **signatures** (`signatures.rs`): each Signature verifies (see
//!    [`samlkit_dsig::verify_signature`]) with a trusted certificate **and** its Reference is the
//!    element that directly contains it; the required signature is present; no NameID, Issuer,
//!    Audience or AttributeValue contains a comment (see below);
//! 3. **conditions** (`conditions.rs`): Status is Success; Issuer, Destination, InResponseTo, the
//!    bearer SubjectConfirmationData (Recipient, NotOnOrAfter, NotBefore, InResponseTo) and the
//!    Conditions (NotBefore, NotOnOrAfter, AudienceRestriction) with `now` ± skew;
//! 4. **extract** (`assertion.rs`): the values, read from the one Assertion that stage 2 proved
//!    signed (directly, or as part of the signed Response).
//!
//! A value is the concatenation of all its text, so a comment can never truncate it. Beyond
//! that, a comment inside an identity value is refused outright: C14N drops comments, so
//! `alice@example.com<!---->.evil.example` keeps a signature made for
//! `alice@example.com.evil.example`, and SPs that read the first text node are fooled; no honest
//! IdP writes one.

mod assertion;
mod conditions;
mod policy;
mod profile;
mod signatures;

use samlkit_xml::{Document, ParseError, XmlError};

pub use assertion::{AttributeValue, CertStatus, ProxyRestriction, SignedPart, VerifiedAssertion};
pub use policy::{Binding, DEFAULT_SKEW_SECONDS, Require, VerifyPolicy};

pub(crate) use assertion::value;
pub(crate) use policy::InResponseTo;
pub(crate) use signatures::map_dsig_error;

use crate::{ErrorKind, SamlError};

/// Decodes, parses and verifies a SAML response (see the module docs for the checks), and
/// returns what it says only if everything holds.
///
/// `input` may be raw XML, the base64 `SAMLResponse` form value, a URL-encoded form body or
/// deflate+base64. A service provider normally calls [`crate::ServiceProvider::verify_post`],
/// which builds the policy from its configuration.
///
/// ```
/// # let response = include_str!("../../data/example-response.xml");
/// # let trusted = [samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?];
/// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:01:00Z".parse()?;
/// use samlkit_saml::{VerifyPolicy, verify_response};
/// let policy = VerifyPolicy::new(
///     &trusted,
///     "https://sp.example.com",
///     "https://sp.example.com/acs",
///     "https://idp.example.com",
///     now,
/// );
/// let login = verify_response(response.as_bytes(), &policy)?;
/// assert_eq!(login.name_id(), "alice@example.com");
/// assert!(login.unchecked().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_response(
    input: &[u8],
    policy: &VerifyPolicy<'_>,
) -> Result<VerifiedAssertion, SamlError> {
    run(input, policy, &mut Steps::off())
}

/// [`verify_response`], also recording each step taken in words, for people checking a
/// response by hand (`samlkit verify --explain`). The steps never contain key material.
///
/// ```
/// # let response = include_str!("../../data/example-response.xml");
/// # let trusted = [samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?];
/// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:01:00Z".parse()?;
/// use samlkit_saml::{VerifyPolicy, explain_response};
/// let policy = VerifyPolicy::without_binding_checks(&trusted, now);
/// let explained = explain_response(response.as_bytes(), &policy);
/// assert!(explained.outcome().is_ok());
/// assert!(explained.steps().iter().any(|s| s.starts_with("assertion signature:")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn explain_response(input: &[u8], policy: &VerifyPolicy<'_>) -> Explanation {
    let mut steps = Steps { enabled: true, lines: Vec::new() };
    let outcome = run(input, policy, &mut steps);
    if let Err(e) = &outcome {
        steps.add(|| format!("FAILED [{}] {e}", e.code()));
    }
    Explanation { steps: steps.lines, outcome }
}

/// The outcome of [`explain_response`] and the steps that led to it.
#[must_use]
#[derive(Clone, Debug)]
pub struct Explanation {
    steps: Vec<String>,
    outcome: Result<VerifiedAssertion, SamlError>,
}

impl Explanation {
    /// Each step taken, in order, in words.
    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    /// The verification result, as [`verify_response`] would have returned it.
    pub fn outcome(&self) -> Result<&VerifiedAssertion, &SamlError> {
        self.outcome.as_ref()
    }

    /// The steps and the result, taken apart.
    pub fn into_parts(self) -> (Vec<String>, Result<VerifiedAssertion, SamlError>) {
        (self.steps, self.outcome)
    }
}

/// The explanation being written, when asked for.
pub(crate) struct Steps {
    enabled: bool,
    lines: Vec<String>,
}

impl Steps {
    fn off() -> Steps {
        Steps { enabled: false, lines: Vec::new() }
    }

    pub(crate) fn add(&mut self, line: impl FnOnce() -> String) {
        if self.enabled {
            self.lines.push(line());
        }
    }
}

/// Parses with the limits for SAML messages ([`crate::message_limits`]: the node limit is
/// checked while parsing, so a hostile input never costs more than that many nodes), mapping a
/// DOCTYPE and the size limits to their own messages.
pub(crate) fn parse_document(xml: &str) -> Result<Document<'_>, SamlError> {
    samlkit_xml::parse_with_limits(xml, &crate::message_limits()).map_err(|e| match e {
        XmlError::Parse(ParseError::LimitExceeded { pos, limit: "node count", max }) => {
            SamlError::new(
                ErrorKind::MalformedXml,
                format!(
                    "{pos}: the document has more than {max} nodes (the limit for SAML messages)"
                ),
            )
        }
        XmlError::Parse(ParseError::Doctype { pos }) => SamlError::new(
            ErrorKind::DoctypeRefused,
            format!(
                "the document contains a DOCTYPE declaration at {pos}; DTDs and entities are never processed"
            ),
        ),
        other => SamlError::new(ErrorKind::MalformedXml, other.to_string()),
    })
}

fn run(
    input: &[u8],
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<VerifiedAssertion, SamlError> {
    let (xml, encoding, notes) = crate::input::decode_message(input)?;
    steps.add(|| format!("decode: {} -> {} bytes of XML", encoding.describe(), xml.len()));
    for note in notes {
        steps.add(|| format!("decode: note: {note}"));
    }
    let doc = parse_document(&xml)?;
    steps.add(|| "parse: well-formed, no DOCTYPE".to_string());

    let shape = profile::check(&doc, policy, steps)?;
    let signed = signatures::check(&doc, &shape, policy, steps)?;
    let checked = conditions::check(&shape, policy, steps)?;
    let verified = assertion::extract(&shape, signed, checked, policy)?;
    steps.add(|| "result: valid".to_string());
    Ok(verified)
}

/// The first child element of `node` named `{ns}local`.
pub(crate) fn child<'d, 'a>(
    node: samlkit_xml::Node<'d, 'a>,
    ns: &str,
    local: &str,
) -> Option<samlkit_xml::Node<'d, 'a>> {
    node.element_children().find(|c| c.has_name(ns, local))
}

/// Every child element of `node` named `{ns}local`.
pub(crate) fn children<'d, 'a>(
    node: samlkit_xml::Node<'d, 'a>,
    ns: &'d str,
    local: &'d str,
) -> impl Iterator<Item = samlkit_xml::Node<'d, 'a>> + 'd
where
    'a: 'd,
{
    std::iter::successors(node.first_element_child(), |n| n.next_sibling_element())
        .filter(move |c| c.has_name(ns, local))
}
