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
            ErrorKind::UnexpectedDocument,
            "the document is a bare saml:Assertion, not a samlp:Response (the Web Browser SSO profile sends a Response)",
        ));
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
