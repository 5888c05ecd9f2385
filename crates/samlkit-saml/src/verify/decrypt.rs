//! Stage 0 and stage 2½: encrypted content (SAML core §2.2.4, §2.3.4, §2.7.3.2; XML Encryption
//! 1.1), opened under the safety rules:
//!
//! 1. An EncryptedAssertion is opened only with keys given; without them it is refused, never
//!    skipped.
//! 2. The Response signature, when there is one, is verified over the *ciphertext* before
//!    anything is decrypted (no decryption oracle behind a forged Response).
//! 3. RSA-1_5 key transport is refused always; AES-CBC only when that verified Response signature
//!    covers the ciphertext (or the caller explicitly allows unsigned CBC).
//! 4. Every decryption failure, malformed plaintext included, is the one `decryption_failed`.
//! 5. The plaintext is parsed where the EncryptedAssertion stood — spliced into the document
//!    text in its place, so the ancestors' namespace declarations are in scope exactly as for
//!    xmlsec's in-context parse — with the same limits, and must be exactly one `saml:Assertion`.
//! 6. The decrypted assertion is accepted only if it carries its own valid signature or the
//!    Response signature covers it (`assertion_not_signed` otherwise); the later stages apply
//!    every rule that holds for plaintext assertions.
//!
//! EncryptedID (in the Subject) and EncryptedAttribute are opened after the signatures are
//! verified (they sit inside signed content, so CBC there is covered) and before the conditions
//! are read.

use samlkit_dsig::{
    DataAlgorithm, DecryptOptions, DecryptionKey, EncryptedElement, KeyTransport, NS_DSIG,
    SignatureError,
};
use samlkit_xml::{Document, Node, NodeKind};

use super::profile::Shape;
use super::{Steps, VerifyPolicy, child, children, map_dsig_error};
use crate::builder::{NS_ASSERTION, NS_PROTOCOL};
use crate::{ErrorKind, Hint, SamlError};

/// What was decrypted, for the result (`encrypted`, `encryption` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Encryption {
    pub(crate) data: DataAlgorithm,
    pub(crate) key_transport: KeyTransport,
}

/// An opened EncryptedAssertion: the document text with the plaintext in its place.
pub(crate) struct Opened {
    pub(crate) xml: String,
    /// The trusted-certificate index of the Response signature verified before decryption.
    pub(crate) response_verified: Option<usize>,
    pub(crate) encryption: Encryption,
    /// Where the plaintext stands in `xml`.
    range: std::ops::Range<usize>,
}

/// The decryption limits: the SAML message limit for ciphertext and plaintext alike.
pub(crate) fn limits() -> DecryptOptions {
    let max = crate::message_limits().max_input_bytes;
    DecryptOptions { max_ciphertext_bytes: max, max_plaintext_bytes: max }
}

/// The one error for every decryption failure: same kind, same words, whatever the cause.
pub(crate) fn decryption_failed() -> SamlError {
    SamlError::new(
        ErrorKind::DecryptionFailed,
        "the encrypted content could not be decrypted with the keys given",
    )
}

/// Maps the errors met while reading encrypted content (before any decryption).
pub(crate) fn map_xmlenc_error(e: SignatureError) -> SamlError {
    match e {
        SignatureError::DecryptionFailed => decryption_failed(),
        SignatureError::Malformed { .. } | SignatureError::CiphertextTooLarge { .. } => {
            SamlError::new(ErrorKind::EncryptedDataMalformed, e.to_string())
        }
        other => map_dsig_error(other),
    }
}

/// Opens the EncryptedAssertion, if the document has one (rules 1–5). `None`: nothing encrypted
/// at the assertion level.
pub(crate) fn open_assertion(
    doc: &Document<'_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Option<Opened>, SamlError> {
    let root = doc.node(doc.root_element());
    let encrypted: Vec<Node<'_, '_>> = root
        .descendants()
        .filter(|n| n.is_element() && n.has_name(NS_ASSERTION, "EncryptedAssertion"))
        .collect();
    let Some(&first) = encrypted.first() else { return Ok(None) };
    if policy.decryption_keys.is_empty() {
        return Err(SamlError::new(
            ErrorKind::EncryptedAssertionUnsupported,
            "the response carries an EncryptedAssertion and no decryption key was given",
        )
        .with_hint(Hint::NeedsDecryptionKey));
    }
    if !root.has_name(NS_PROTOCOL, "Response") || encrypted.len() != 1 {
        return Err(SamlError::new(
            ErrorKind::AssertionCount,
            format!(
                "expected exactly one EncryptedAssertion, a direct child of a samlp:Response; found {}",
                encrypted.len()
            ),
        ));
    }
    if first.parent().map(|p| p.id()) != Some(root.id()) {
        return Err(SamlError::new(
            ErrorKind::AssertionInvalid,
            format!(
                "the EncryptedAssertion at {} is not a direct child of the Response",
                first.position()
            ),
        ));
    }
    let plain_count = root
        .descendants()
        .filter(|n| n.is_element() && n.has_name(NS_ASSERTION, "Assertion"))
        .count();
    if plain_count != 0 {
        return Err(SamlError::new(
            ErrorKind::AssertionCount,
            format!(
                "expected exactly one Assertion, found an EncryptedAssertion and {plain_count} more"
            ),
        ));
    }

    // Rule 2: the Response signature first, over the ciphertext.
    let response_verified = match child(root, NS_DSIG, "Signature") {
        Some(sig) => {
            Some(super::signatures::verify_response_signature(doc, sig.id(), policy, steps)?)
        }
        None => None,
    };

    // Rule 3: algorithms, before any decryption.
    let element = EncryptedElement::parse(first, &limits()).map_err(map_xmlenc_error)?;
    let encryption =
        Encryption { data: element.data_algorithm(), key_transport: element.key_transport() };
    steps.add(|| describe("EncryptedAssertion", encryption));
    if encryption.data.is_cbc() && response_verified.is_none() && !policy.allow_cbc_unsigned {
        return Err(SamlError::new(
            ErrorKind::CbcUnsigned,
            format!(
                "the EncryptedAssertion uses {} (unauthenticated) and no Response signature covers it; without one the SP can be used as a padding oracle",
                encryption.data.uri()
            ),
        )
        .with_hint(Hint::AllowCbcUnsigned));
    }

    // Rule 4.
    let decrypted = decrypt(&element, policy.decryption_keys, steps)?;
    let range = first.byte_range();
    let input = doc.input();
    let mut xml = String::with_capacity(input.len() + decrypted.len());
    xml.push_str(input.get(..range.start).unwrap_or(""));
    xml.push_str(&decrypted);
    xml.push_str(input.get(range.end..).unwrap_or(""));
    let range = range.start..range.start + decrypted.len();
    Ok(Some(Opened { xml, response_verified, encryption, range }))
}

/// Rule 5, on the document re-parsed with the plaintext in place: the plaintext was exactly one
/// `saml:Assertion` element (whitespace around it aside).
pub(crate) fn check_plaintext(doc: &Document<'_>, opened: &Opened) -> Result<(), SamlError> {
    let root = doc.node(doc.root_element());
    let inside = |n: &Node<'_, '_>| {
        let r = n.byte_range();
        r.start >= opened.range.start && r.end <= opened.range.end
    };
    let mut elements = 0;
    for n in root.children().filter(inside) {
        match n.kind() {
            NodeKind::Element if n.has_name(NS_ASSERTION, "Assertion") => elements += 1,
            NodeKind::Text if n.text().is_some_and(|t| t.trim_matches(XML_WS).is_empty()) => {}
            _ => return Err(decryption_failed()),
        }
    }
    // Every node of the plaintext must be inside the Response's children counted above: a
    // plaintext that closed the Response and opened something else would leave nodes outside.
    let assertion = root.children().find(|n| inside(n) && n.is_element());
    match (elements, assertion) {
        (1, Some(a)) if covers(a, opened) => Ok(()),
        _ => Err(decryption_failed()),
    }
}

const XML_WS: &[char] = &[' ', '\t', '\r', '\n'];

/// The Assertion spans the plaintext, except whitespace on either side.
fn covers(assertion: Node<'_, '_>, opened: &Opened) -> bool {
    let r = assertion.byte_range();
    let before = opened.xml.get(opened.range.start..r.start);
    let after = opened.xml.get(r.end..opened.range.end);
    matches!((before, after), (Some(b), Some(a)) if b.trim_matches(XML_WS).is_empty() && a.trim_matches(XML_WS).is_empty())
}

/// Rule 6, before the signatures stage: a decrypted assertion with no Response signature must
/// carry its own (which stage 2 then verifies).
pub(crate) fn require_signature(shape: &Shape<'_, '_>, opened: &Opened) -> Result<(), SamlError> {
    if opened.response_verified.is_none() && shape.assertion_signature.is_none() {
        return Err(SamlError::new(
            ErrorKind::AssertionNotSigned,
            "the decrypted Assertion carries no signature and no Response signature covers the EncryptedAssertion; anyone can encrypt to the SP's certificate",
        ));
    }
    Ok(())
}

fn decrypt(
    element: &EncryptedElement,
    keys: &[DecryptionKey],
    steps: &mut Steps,
) -> Result<String, SamlError> {
    match element.decrypt(keys, &limits()) {
        Ok(d) => {
            steps.add(|| {
                format!(
                    "decrypt: succeeded with decryption key #{}{}",
                    d.key_index + 1,
                    keys.get(d.key_index).and_then(|k| k.certificate()).map_or(
                        String::new(),
                        |c| format!(" (certificate SHA-256 {})", c.sha256_fingerprint())
                    )
                )
            });
            Ok(d.plaintext)
        }
        Err(_) => {
            steps.add(|| "decrypt: FAILED (no detail is given, by design)".to_string());
            Err(decryption_failed())
        }
    }
}

fn describe(what: &str, e: Encryption) -> String {
    format!("decrypt: {what}: data {}, key transport {}", e.data.uri(), e.key_transport.describe())
}

/// The assertion's EncryptedID and EncryptedAttributes, opened: the document text with each
/// replaced by its plaintext.
pub(crate) struct Inner {
    pub(crate) xml: String,
    pub(crate) encryption: Encryption,
    /// Where each plaintext stands in `xml` (whitespace trimmed), and the element it must be.
    ranges: Vec<(std::ops::Range<usize>, &'static str)>,
}

/// Opens the assertion's EncryptedID (Subject) and EncryptedAttributes, which the verified
/// signatures cover. `None` when there is none, or no key (the later stages then refuse them
/// as before).
pub(crate) fn open_inner(
    doc: &Document<'_>,
    shape: &Shape<'_, '_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Option<Inner>, SamlError> {
    if policy.decryption_keys.is_empty() {
        return Ok(None);
    }
    let mut targets: Vec<(Node<'_, '_>, &'static str, &'static str)> = Vec::new();
    if let Some(subject) = child(shape.assertion, NS_ASSERTION, "Subject")
        && let Some(id) = child(subject, NS_ASSERTION, "EncryptedID")
    {
        targets.push((id, "EncryptedID", "NameID"));
    }
    for statement in children(shape.assertion, NS_ASSERTION, "AttributeStatement") {
        for a in children(statement, NS_ASSERTION, "EncryptedAttribute") {
            targets.push((a, "EncryptedAttribute", "Attribute"));
        }
    }
    targets.sort_by_key(|(n, _, _)| n.byte_range().start);
    let mut encryption = None;
    let mut pieces = Vec::with_capacity(targets.len());
    for (node, what, expected) in targets {
        let element = EncryptedElement::parse(node, &limits()).map_err(map_xmlenc_error)?;
        let e =
            Encryption { data: element.data_algorithm(), key_transport: element.key_transport() };
        encryption.get_or_insert(e);
        steps.add(|| describe(what, e));
        let plain = decrypt(&element, policy.decryption_keys, steps)?;
        pieces.push((node.byte_range(), plain, expected));
    }
    let Some(encryption) = encryption else { return Ok(None) };
    let input = doc.input();
    let mut xml = String::with_capacity(input.len());
    let mut ranges = Vec::with_capacity(pieces.len());
    let mut at = 0;
    for (range, plain, expected) in pieces {
        xml.push_str(input.get(at..range.start).unwrap_or(""));
        let lead = plain.len() - plain.trim_start_matches(XML_WS).len();
        let start = xml.len() + lead;
        ranges.push((start..start + plain.trim_matches(XML_WS).len(), expected));
        xml.push_str(&plain);
        at = range.end;
    }
    xml.push_str(input.get(at..).unwrap_or(""));
    Ok(Some(Inner { xml, encryption, ranges }))
}

/// After the re-parse: each inner plaintext is exactly one element of the expected name (an
/// element spanning the whole plaintext is balanced inside it, so it cannot have closed or
/// opened anything around it).
pub(crate) fn check_inner(doc: &Document<'_>, inner: &Inner) -> Result<(), SamlError> {
    for (range, expected) in &inner.ranges {
        let found = doc.node(doc.root()).descendants().any(|n| {
            n.is_element() && n.byte_range() == *range && n.has_name(NS_ASSERTION, expected)
        });
        if !found {
            return Err(decryption_failed());
        }
    }
    Ok(())
}
