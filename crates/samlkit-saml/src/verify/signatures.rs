//! Stage 2: the signatures. Each one verifies with a trusted certificate and covers exactly the
//! element that contains it; the signature the policy requires is there; identity values hold
//! no comment.

use samlkit_dsig::{self as dsig, SignatureError, VerifiedSignature, VerifyOptions};
use samlkit_xml::{Document, Node, NodeId, NodeKind};

use super::profile::Shape;
use super::{Require, SignedPart, Steps, VerifyPolicy, child, value};
use crate::builder::NS_ASSERTION;
use crate::{ErrorKind, Hint, SamlError};

/// What stage 2 proved: which parts are signed, and by which trusted certificate.
pub(crate) struct Signed {
    pub(crate) parts: Vec<SignedPart>,
    pub(crate) cert_index: usize,
}

pub(crate) fn check(
    doc: &Document<'_>,
    shape: &Shape<'_, '_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Signed, SamlError> {
    let opts = VerifyOptions {
        allow_sha1: policy.allow_sha1,
        allow_insecure_rsa1024: policy.allow_rsa1024,
    };
    let mut parts = Vec::new();
    let mut cert_index = None;
    for (part, sig) in [
        (SignedPart::Response, shape.response_signature),
        (SignedPart::Assertion, shape.assertion_signature),
    ] {
        let Some(sig) = sig else { continue };
        let v = check_signature(doc, sig, policy, &opts, part, steps)?;
        parts.push(part);
        cert_index = Some(v.certificate_index);
    }
    let missing = match policy.require {
        Require::Response if shape.response_signature.is_none() => {
            Some("the Response is not signed (required: response)")
        }
        Require::Assertion if shape.assertion_signature.is_none() => {
            Some("the Assertion is not signed (required: assertion)")
        }
        Require::Both if shape.response_signature.is_none() => {
            Some("the Response is not signed (required: both)")
        }
        Require::Both if shape.assertion_signature.is_none() => {
            Some("the Assertion is not signed (required: both)")
        }
        Require::Any if parts.is_empty() => {
            Some("neither the Response nor the Assertion is signed")
        }
        _ => None,
    };
    if let Some(m) = missing {
        return Err(SamlError::new(ErrorKind::SignatureMissing, m));
    }
    let cert_index =
        cert_index.ok_or_else(|| SamlError::new(ErrorKind::SignatureMissing, "no signature"))?;
    refuse_comments_in_identity_values(shape.response, shape.assertion)?;
    steps.add(|| "values: no comments inside NameID, Issuer, Audience or AttributeValue".into());
    Ok(Signed { parts, cert_index })
}

fn check_signature(
    doc: &Document<'_>,
    sig: NodeId,
    policy: &VerifyPolicy<'_>,
    opts: &VerifyOptions,
    part: SignedPart,
    steps: &mut Steps,
) -> Result<VerifiedSignature, SamlError> {
    let sig_node = doc.node(sig);
    let parent = sig_node.parent_element();
    let what = part.name();
    // The Reference must name the element that contains the Signature: dsig refuses any other
    // target before canonicalizing it (and the check below says so again, in SAML terms).
    let expected = parent.map_or(sig, |p| p.id());
    let v =
        dsig::verify_signature(doc, sig, expected, policy.trusted, opts).map_err(|e| {
            if let SignatureError::DigestMismatch { computed, expected, .. } = &e {
                steps.add(|| format!(
                "{what} signature: digest computed {computed}, expected {expected}: MISMATCH"
            ));
            }
            map_dsig_error(e)
        })?;
    let signed = doc.node(v.signed_element);
    if parent.map(|p| p.id()) != Some(v.signed_element) {
        return Err(SamlError::new(
            ErrorKind::ReferenceInvalid,
            format!(
                "the {what} Signature at {} references #{} (<{}> at {}), not the element that contains it",
                sig_node.position(),
                v.reference_id,
                signed.name(),
                signed.position()
            ),
        ));
    }
    steps.add(|| {
        format!(
            "{what} signature: Reference #{} -> <{}> at {} (the element containing the Signature)",
            v.reference_id,
            signed.name(),
            signed.position()
        )
    });
    steps.add(|| format!(
        "{what} signature: transforms {}{:?}; digest {} over {} canonical bytes: computed {} = expected",
        if v.enveloped { "enveloped-signature + " } else { "" },
        v.reference_c14n,
        v.digest_method.name(),
        v.canonical_len,
        v.digest_value
    ));
    let cert = policy.trusted.get(v.certificate_index);
    steps.add(|| format!(
        "{what} signature: {} over SignedInfo ({:?}) verified with trusted certificate #{} ({}, SHA-256 {})",
        v.signature_method.name(),
        v.signed_info_c14n,
        v.certificate_index + 1,
        cert.map_or(String::new(), |c| c.info().subject.to_string()),
        cert.map_or(String::new(), |c| c.sha256_fingerprint()),
    ));
    Ok(v)
}

/// Maps an XML-DSig failure to the SAML vocabulary. Every variant is listed so that a new one
/// is a decision, not an accident; `SignatureError` is `#[non_exhaustive]`, so a variant added
/// later falls through to the last arm, which refuses the signature.
pub(crate) fn map_dsig_error(e: SignatureError) -> SamlError {
    let msg = e.to_string();
    match e {
        SignatureError::Malformed { .. } => SamlError::new(ErrorKind::SignatureMalformed, msg),
        SignatureError::AlgorithmRefused { .. } if e.is_sha1_refusal() => {
            SamlError::new(ErrorKind::AlgorithmRefused, msg).with_hint(Hint::AllowSha1)
        }
        SignatureError::AlgorithmRefused { .. } => SamlError::new(ErrorKind::AlgorithmRefused, msg),
        SignatureError::ReferenceForm { .. }
        | SignatureError::ReferenceUnresolved { .. }
        | SignatureError::ReferenceUnexpected { .. } => {
            SamlError::new(ErrorKind::ReferenceInvalid, msg)
        }
        SignatureError::DuplicateId { id } => SamlError::new(
            ErrorKind::DuplicateId,
            format!("the ID \"{id}\" appears on more than one element"),
        ),
        SignatureError::DigestMismatch { .. } => SamlError::new(ErrorKind::DigestMismatch, msg),
        SignatureError::UntrustedCertificate { .. } => {
            SamlError::new(ErrorKind::UntrustedCertificate, msg)
        }
        SignatureError::KeyTooSmall { bits, .. } => {
            let err = SamlError::new(ErrorKind::KeyTooSmall, msg);
            if bits >= dsig::LEGACY_MIN_RSA_BITS { err.with_hint(Hint::AllowRsa1024) } else { err }
        }
        SignatureError::SignatureMismatch { .. }
        | SignatureError::KeyInfoNotCertificate { .. }
        | SignatureError::NoSuitableKey { .. }
        | SignatureError::SigningFailed(_) => SamlError::new(ErrorKind::SignatureInvalid, msg),
        // Parsing and canonicalization errors met while checking the signature.
        SignatureError::Xml(_) => SamlError::new(ErrorKind::MalformedXml, msg),
        _ => SamlError::new(ErrorKind::SignatureInvalid, msg),
    }
}

/// Refuses an XML comment inside a value an SP keys identity or trust on. Exclusive C14N drops
/// comments, so `alice@example.com<!---->.evil.com` keeps a signature made over
/// `alice@example.com.evil.com` valid, and an SP that reads only the first text node logs the
/// attacker in as alice. samlkit reads the whole text, but no honest IdP writes a comment there,
/// so the secure answer is to refuse the message outright (a test harness expects a rejection).
fn refuse_comments_in_identity_values(
    response: Option<Node<'_, '_>>,
    assertion: Node<'_, '_>,
) -> Result<(), SamlError> {
    let identity = |n: &Node<'_, '_>| {
        n.has_name(NS_ASSERTION, "NameID")
            || n.has_name(NS_ASSERTION, "Issuer")
            || n.has_name(NS_ASSERTION, "Audience")
            || n.has_name(NS_ASSERTION, "AttributeValue")
    };
    let is_comment = |n: &Node<'_, '_>| n.kind() == NodeKind::Comment;
    // Comments are rare: find each one and look up its ancestors, rather than searching below
    // every identity element. The outermost identity ancestor of the first such comment is the
    // first identity element (in document order) that contains a comment.
    for comment in assertion.descendants().filter(is_comment) {
        let outermost = std::iter::successors(comment.parent(), |p| p.parent())
            .take_while(|p| p.id() != assertion.id())
            .filter(identity)
            .last();
        if let Some(element) = outermost {
            return Err(comment_in_value(element, comment));
        }
    }
    if let Some(issuer) = response.and_then(|r| child(r, NS_ASSERTION, "Issuer"))
        && let Some(comment) = issuer.descendants().find(is_comment)
    {
        return Err(comment_in_value(issuer, comment));
    }
    Ok(())
}

fn comment_in_value(element: Node<'_, '_>, comment: Node<'_, '_>) -> SamlError {
    SamlError::new(
        ErrorKind::CommentInValue,
        format!(
            "<{}> at {} contains a comment at {}; its text would read {:?} to an SP that stops at the comment, {:?} in full",
            element.name(),
            element.position(),
            comment.position(),
            first_text(element),
            value(element)
        ),
    )
}

/// The text before the first comment (what a naive SP reads).
fn first_text(node: Node<'_, '_>) -> String {
    node.children()
        .find(|c| c.is_text())
        .and_then(|c| c.text())
        .map(super::assertion::trim_xml_whitespace)
        .unwrap_or("")
        .to_string()
}
