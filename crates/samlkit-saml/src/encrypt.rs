//! Encrypted SAML elements (core §2.2.4, §2.3.4, §2.7.3.2): an IdP encrypts the signed Assertion
//! (and optionally the NameID) to the SP's certificate, and an operator opens one offline.
//!
//! Order, as the SAML profile expects: NameID encrypted first (inside the signed Assertion), the
//! Assertion signed, then encrypted, then the Response signed over the EncryptedAssertion.

use samlkit_cert::Certificate;
use samlkit_dsig::{
    DecryptOptions, DecryptionKey, EncryptOptions, EncryptedElement, SignatureError,
    encrypt_element,
};
use samlkit_xml::{Document, Node};

use crate::builder::{NS_ASSERTION, NS_PROTOCOL};
use crate::escape::escape_attr;
use crate::verify::parse_document;
use crate::{ErrorKind, SamlError, SignTarget, SigningCredential, SigningProfile, sign_document};

/// The element as text, standing alone: the namespace declarations in scope where it stands but
/// written on an ancestor are added to its start tag, so the SP can parse the plaintext in any
/// context (a declaration already in scope with the same URI changes no canonical form, so a
/// signature inside stays valid).
fn standalone(node: Node<'_, '_>) -> String {
    let input = node.document().input();
    let range = node.byte_range();
    let tag_end = node.start_tag_range().end;
    let own: Vec<&str> = node.namespace_declarations().map(|d| d.prefix).collect();
    let mut extra = String::new();
    for d in node.namespaces_in_scope() {
        if own.contains(&d.prefix) {
            continue;
        }
        if d.prefix.is_empty() {
            extra.push_str(&format!(" xmlns=\"{}\"", escape_attr(d.uri)));
        } else {
            extra.push_str(&format!(" xmlns:{}=\"{}\"", d.prefix, escape_attr(d.uri)));
        }
    }
    let start_tag = input.get(range.start..tag_end).unwrap_or("");
    // Insert before the `>` or `/>` that closes the start tag.
    let close = if start_tag.ends_with("/>") { 2 } else { 1 };
    let split = start_tag.len().saturating_sub(close);
    format!(
        "{}{}{}{}",
        start_tag.get(..split).unwrap_or(""),
        extra,
        start_tag.get(split..).unwrap_or(""),
        input.get(tag_end..range.end).unwrap_or("")
    )
}

fn encryption_error(e: SignatureError) -> SamlError {
    SamlError::new(ErrorKind::SigningFailed, format!("encrypting: {e}"))
}

/// Replaces `targets` (byte ranges of elements in `doc`) with `wrapper` elements holding their
/// encryption.
fn replace_encrypted(
    doc: &Document<'_>,
    targets: &[Node<'_, '_>],
    wrapper: &str,
    recipient: &Certificate,
    opts: &EncryptOptions,
) -> Result<String, SamlError> {
    let input = doc.input();
    let mut out = String::with_capacity(input.len() * 2);
    let mut at = 0;
    for node in targets {
        let range = node.byte_range();
        let data =
            encrypt_element(&standalone(*node), recipient, opts).map_err(encryption_error)?;
        out.push_str(input.get(at..range.start).unwrap_or(""));
        // The wrapper keeps the prefix of the element it replaces (`saml2:EncryptedAssertion`
        // for Okta's `saml2:Assertion`, an unprefixed one for a default-namespace Assertion),
        // so the response keeps its IdP's style.
        let name = match node.prefix() {
            "" => wrapper.to_string(),
            prefix => format!("{prefix}:{wrapper}"),
        };
        let declaration = match node.prefix() {
            "" => format!(" xmlns=\"{NS_ASSERTION}\""),
            prefix => format!(" xmlns:{prefix}=\"{NS_ASSERTION}\""),
        };
        out.push_str(&format!("<{name}{declaration}>{data}</{name}>"));
        at = range.end;
    }
    out.push_str(input.get(at..).unwrap_or(""));
    Ok(out)
}

/// Replaces each Assertion of a Response (its direct children) with a `saml:EncryptedAssertion`
/// encrypted to `recipient`. Sign the Assertion before, and the Response (if at all) after.
///
/// # Errors
/// [`ErrorKind::SigningFailed`] when there is no Assertion to encrypt or the certificate's key is
/// not RSA.
///
/// ```
/// # let crt = include_bytes!("../data/example-idp.crt");
/// # let response = include_str!("../data/example-response.xml");
/// use samlkit_dsig::EncryptOptions;
/// let sp_cert = samlkit_cert::Certificate::load(crt)?;
/// let encrypted = samlkit_saml::encrypt_assertion(response, &sp_cert, &EncryptOptions::default())?;
/// assert!(encrypted.contains("<saml:EncryptedAssertion"));
/// assert!(!encrypted.contains("alice@example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt_assertion(
    xml: &str,
    recipient: &Certificate,
    opts: &EncryptOptions,
) -> Result<String, SamlError> {
    let doc = parse_document(xml)?;
    let root = doc.node(doc.root_element());
    let targets: Vec<Node<'_, '_>> = if root.has_name(NS_PROTOCOL, "Response") {
        root.element_children().filter(|c| c.has_name(NS_ASSERTION, "Assertion")).collect()
    } else {
        Vec::new()
    };
    if targets.is_empty() {
        return Err(SamlError::new(
            ErrorKind::SigningFailed,
            "encrypting: the document is not a Response holding an Assertion",
        ));
    }
    replace_encrypted(&doc, &targets, "EncryptedAssertion", recipient, opts)
}

/// Replaces the NameID in each Assertion's Subject with a `saml:EncryptedID` encrypted to
/// `recipient`. Do this before signing the Assertion.
///
/// # Errors
/// [`ErrorKind::SigningFailed`] when there is no Subject NameID or the key is not RSA.
pub fn encrypt_name_id(
    xml: &str,
    recipient: &Certificate,
    opts: &EncryptOptions,
) -> Result<String, SamlError> {
    let doc = parse_document(xml)?;
    let targets: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_name(NS_ASSERTION, "NameID"))
        .filter(|n| n.parent_element().is_some_and(|p| p.has_name(NS_ASSERTION, "Subject")))
        .collect();
    if targets.is_empty() {
        return Err(SamlError::new(ErrorKind::SigningFailed, "encrypting: no Subject NameID"));
    }
    replace_encrypted(&doc, &targets, "EncryptedID", recipient, opts)
}

/// What an IdP encrypts to one service provider, and how.
#[derive(Clone, Debug)]
pub struct AssertionEncryption<'c> {
    /// The SP's encryption certificate (its metadata's `KeyDescriptor use="encryption"`).
    pub recipient: &'c Certificate,
    /// The content algorithm and key transport.
    pub options: EncryptOptions,
    /// Also encrypt the Subject's NameID as an `EncryptedID` (inside the signed Assertion).
    pub name_id: bool,
}

/// Signs `xml` (an unsigned Response) as `profile` says and encrypts it in the SAML order:
/// the NameID (if asked), sign the Assertion, encrypt it, sign the Response over the
/// EncryptedAssertion. `profile` `None` encrypts without signing anything.
///
/// # Errors
/// [`ErrorKind::SigningFailed`] when signing or encrypting fails (no Assertion, a non-RSA
/// certificate).
///
/// ```
/// # let response = include_str!("../data/example-response.xml");
/// use samlkit_saml::*;
/// // Any key pair shows the order; a real IdP signs with its own and encrypts to the SP's.
/// let key = samlkit_cert::PrivateKey::from_pem(include_str!("../data/attacker.key"))?;
/// let sp_cert = samlkit_cert::Certificate::load(include_bytes!("../data/attacker.crt"))?;
/// let idp = SigningCredential::new(&key, sp_cert.clone())?;
/// let encryption = AssertionEncryption {
///     recipient: &sp_cert,
///     options: samlkit_dsig::EncryptOptions::default(),
///     name_id: false,
/// };
/// // The example's Assertion is signed already: sign the Response over the encryption.
/// let profile = SigningProfile {
///     target: SignTarget::Response,
///     method: samlkit_dsig::SignatureMethod::RsaSha256,
///     digest: samlkit_dsig::DigestMethod::Sha256,
/// };
/// let xml = sign_and_encrypt(response, &idp, Some(profile), &encryption)?;
/// assert!(xml.contains("EncryptedAssertion"));
/// assert!(!xml.contains("alice@example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_and_encrypt(
    xml: &str,
    signing: &SigningCredential,
    profile: Option<SigningProfile>,
    encryption: &AssertionEncryption<'_>,
) -> Result<String, SamlError> {
    let (recipient, opts) = (encryption.recipient, &encryption.options);
    let mut text = xml.to_string();
    if encryption.name_id {
        text = encrypt_name_id(&text, recipient, opts)?;
    }
    let signs =
        |t: SignTarget| profile.is_some_and(|p| p.target == t || p.target == SignTarget::Both);
    if let Some(p) = profile.filter(|_| signs(SignTarget::Assertion)) {
        text =
            sign_document(&text, signing, &SigningProfile { target: SignTarget::Assertion, ..p })?;
    }
    text = encrypt_assertion(&text, recipient, opts)?;
    if let Some(p) = profile.filter(|_| signs(SignTarget::Response)) {
        text =
            sign_document(&text, signing, &SigningProfile { target: SignTarget::Response, ..p })?;
    }
    Ok(text)
}

/// What [`decrypt_document`] opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptedDocument {
    /// The document with every encrypted element replaced by its plaintext.
    pub xml: String,
    /// How many elements were decrypted.
    pub decrypted: usize,
}

/// Replaces every `EncryptedAssertion`, `EncryptedID` and `EncryptedAttribute` with its
/// plaintext, for reading a captured response offline. **Nothing is verified**: not the
/// signatures, not whether the ciphertext was authentic (AES-CBC is accepted here). RSA-1_5 key
/// transport is refused as everywhere.
///
/// # Errors
/// [`ErrorKind::DecryptionFailed`] (one answer for every cause),
/// [`ErrorKind::EncryptedDataMalformed`], [`ErrorKind::AlgorithmRefused`], or a parse error.
pub fn decrypt_document(xml: &str, keys: &[DecryptionKey]) -> Result<DecryptedDocument, SamlError> {
    let opts: DecryptOptions = crate::verify::decrypt_limits();
    let mut text = xml.to_string();
    let mut decrypted = 0;
    // An EncryptedAssertion may hold an EncryptedID: one level per pass.
    for _ in 0..3 {
        let doc = parse_document(&text)?;
        let outermost: Vec<Node<'_, '_>> = doc
            .descendants()
            .filter(|n| is_encrypted(n))
            .filter(|n| !n.ancestors().any(|a| is_encrypted(&a)))
            .collect();
        if outermost.is_empty() {
            break;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for node in &outermost {
            let element = EncryptedElement::parse(*node, &opts).map_err(map_error)?;
            let plain = element.decrypt(keys, &opts).map_err(map_error)?;
            let range = node.byte_range();
            out.push_str(text.get(at..range.start).unwrap_or(""));
            out.push_str(&plain.plaintext);
            at = range.end;
            decrypted += 1;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        // The result must still be one well-formed document.
        parse_document(&out).map_err(|_| crate::verify::decryption_failed())?;
        text = out;
    }
    Ok(DecryptedDocument { xml: text, decrypted })
}

fn is_encrypted(n: &Node<'_, '_>) -> bool {
    n.is_element()
        && n.namespace_uri() == NS_ASSERTION
        && matches!(n.local_name(), "EncryptedAssertion" | "EncryptedID" | "EncryptedAttribute")
}

fn map_error(e: SignatureError) -> SamlError {
    crate::verify::map_xmlenc_error(e)
}
