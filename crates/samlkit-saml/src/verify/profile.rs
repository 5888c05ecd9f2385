//! Stage 1: the shape of the document. Which element is the Response, which is the one
//! Assertion, and where the signatures are, before any of them is trusted.

use samlkit_dsig::NS_DSIG;
use samlkit_xml::{Document, Node, NodeId};

use super::{Steps, VerifyPolicy, conditions};
use crate::builder::{NS_ASSERTION, NS_PROTOCOL};
use crate::{ErrorKind, Hint, SamlError};

/// The parts of a response the later stages read.
pub(crate) struct Shape<'d, 'a> {
    /// The `samlp:Response`, or `None` for a bare Assertion.
    pub(crate) response: Option<Node<'d, 'a>>,
    /// The one `saml:Assertion`.
    pub(crate) assertion: Node<'d, 'a>,
    /// The Signature that is a direct child of the Response.
    pub(crate) response_signature: Option<NodeId>,
    /// The Signature that is a direct child of the Assertion.
    pub(crate) assertion_signature: Option<NodeId>,
}

pub(crate) fn check<'d, 'a>(
    doc: &'d Document<'a>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Shape<'d, 'a>, SamlError> {
    if let Some(dup) = doc.duplicate_ids().first() {
        return Err(SamlError::new(
            ErrorKind::DuplicateId,
            format!("the ID \"{dup}\" appears on more than one element"),
        ));
    }
    let root = doc.node(doc.root_element());
    let response = if root.has_name(NS_PROTOCOL, "Response") {
        Some(root)
    } else if root.has_name(NS_ASSERTION, "Assertion") && policy.allow_bare_assertion {
        None
    } else if root.has_name(NS_ASSERTION, "Assertion") {
        return Err(SamlError::new(
            ErrorKind::BareAssertion,
            "the document is a bare saml:Assertion, not a samlp:Response (the Web Browser SSO profile sends a Response)",
        )
        .with_hint(Hint::AllowBareAssertion));
    } else {
        let err = SamlError::new(
            ErrorKind::UnexpectedDocument,
            format!(
                "the root element is <{}> ({}), not a samlp:Response",
                root.name(),
                if root.namespace_uri().is_empty() { "no namespace" } else { root.namespace_uri() }
            ),
        );
        return Err(if root.has_name(crate::NS_METADATA, "EntityDescriptor") {
            err.with_hint(Hint::VerifyAsMetadata)
        } else {
            err
        });
    };

    if let Some(resp) = response {
        check_version(resp)?;
        check_response_children(resp)?;
    }

    // One pass over the document collects what the profile looks at.
    let mut assertions: Vec<Node<'d, 'a>> = Vec::with_capacity(1);
    let mut signatures: Vec<Node<'d, 'a>> = Vec::with_capacity(2);
    for n in doc.node(doc.root()).descendants().filter(|n| n.is_element()) {
        match (n.local_name(), n.namespace_uri()) {
            ("Assertion", NS_ASSERTION) => assertions.push(n),
            ("Signature", NS_DSIG) => signatures.push(n),
            ("EncryptedAssertion", NS_ASSERTION) => {
                return Err(SamlError::new(
                    ErrorKind::EncryptedAssertionUnsupported,
                    "the response carries an EncryptedAssertion; samlkit does not decrypt assertions",
                ));
            }
            _ => {}
        }
    }
    // An error response usually carries no Assertion: say what the IdP said (a rejection may
    // rest on unsigned data; an acceptance never does).
    if let (Some(resp), true) = (response, assertions.is_empty()) {
        conditions::check_status(resp)?;
    }
    let [assertion] = assertions.as_slice() else {
        return Err(SamlError::new(
            ErrorKind::AssertionCount,
            format!("expected exactly one Assertion, found {}", assertions.len()),
        ));
    };
    let assertion = *assertion;
    if let Some(resp) = response
        && assertion.parent().map(|p| p.id()) != Some(resp.id())
    {
        return Err(SamlError::new(
            ErrorKind::AssertionInvalid,
            format!(
                "the Assertion at {} is not a direct child of the Response",
                assertion.position()
            ),
        ));
    }
    check_version(assertion)?;
    steps.add(|| {
        format!(
            "profile: {} with one Assertion (ID {:?})",
            if response.is_some() { "Response" } else { "bare Assertion" },
            assertion.attribute("", "ID").unwrap_or("")
        )
    });

    let mut response_signature = None;
    let mut assertion_signature = None;
    for sig in signatures {
        let parent = sig.parent_element();
        let slot = match parent {
            Some(p) if Some(p.id()) == response.map(|r| r.id()) => &mut response_signature,
            Some(p) if p.id() == assertion.id() => &mut assertion_signature,
            _ => {
                return Err(SamlError::new(
                    ErrorKind::SignatureMisplaced,
                    format!(
                        "ds:Signature at {} inside <{}> is not a direct child of the Response or the Assertion",
                        sig.position(),
                        parent.map_or("", |p| p.name())
                    ),
                ));
            }
        };
        if slot.is_some() {
            return Err(SamlError::new(
                ErrorKind::SignatureMisplaced,
                format!("second ds:Signature at {} on the same element", sig.position()),
            ));
        }
        *slot = Some(sig.id());
    }
    Ok(Shape { response, assertion, response_signature, assertion_signature })
}

/// SAML 2.0 messages say `Version="2.0"`; anything else is another protocol.
fn check_version(element: Node<'_, '_>) -> Result<(), SamlError> {
    match element.attribute("", "Version") {
        Some("2.0") => Ok(()),
        found => Err(SamlError::new(
            ErrorKind::VersionInvalid,
            format!(
                "<{}> at {} has Version {}, expected \"2.0\"",
                element.name(),
                element.position(),
                found.map_or("absent".to_string(), |v| format!("{v:?}"))
            ),
        )),
    }
}

/// The Response's children, as the SAML schema lists them (core §3.2.2 and §3.3.3). Anything
/// else — an element named `saml:Assertion` whose prefix is bound elsewhere, an `Assertion` in no
/// namespace — is refused rather than skipped: code downstream that matches names by prefix would
/// read it. Where the Signature stands among them is not a security property (the enveloped
/// signature covers the whole Response), so any position is accepted.
fn check_response_children(response: Node<'_, '_>) -> Result<(), SamlError> {
    const ALLOWED: [(&str, &str); 6] = [
        (NS_ASSERTION, "Issuer"),
        (NS_DSIG, "Signature"),
        (NS_PROTOCOL, "Extensions"),
        (NS_PROTOCOL, "Status"),
        (NS_ASSERTION, "Assertion"),
        (NS_ASSERTION, "EncryptedAssertion"),
    ];
    for child in response.element_children() {
        if !ALLOWED.iter().any(|(ns, local)| child.has_name(ns, local)) {
            let ns = child.namespace_uri();
            return Err(SamlError::new(
                ErrorKind::UnexpectedElement,
                format!(
                    "<{}> ({}) at {} is not a child the SAML schema allows in a Response",
                    child.name(),
                    if ns.is_empty() { "no namespace" } else { ns },
                    child.position()
                ),
            ));
        }
    }
    Ok(())
}
