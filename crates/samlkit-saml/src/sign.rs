//! The signing profile: which elements get an enveloped signature and where it goes.

use samlkit_cert::Signer;
use samlkit_dsig::{self as dsig, DigestMethod, NS_DSIG, SignOptions, SignatureMethod};
use samlkit_xml::{Document, Node, NodeId};

use crate::builder::{NS_ASSERTION, NS_PROTOCOL, NS_XSI};
use crate::verify::parse_document;
use crate::{ErrorKind, Hint, SamlError, SigningCredential};

/// Which element(s) of a Response to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignTarget {
    /// The Assertion (what most service providers require).
    Assertion,
    /// The Response as a whole; its digest covers the unsigned Assertion inside it.
    Response,
    /// The Assertion first, then the Response (whose digest then covers the signed Assertion).
    Both,
}

impl SignTarget {
    /// Parses `assertion`, `response` or `both`.
    pub fn from_name(name: &str) -> Option<SignTarget> {
        match name {
            "assertion" => Some(SignTarget::Assertion),
            "response" => Some(SignTarget::Response),
            "both" => Some(SignTarget::Both),
            _ => None,
        }
    }
}

/// Algorithms and target for [`sign_document`].
#[derive(Clone, Copy, Debug)]
pub struct SigningProfile {
    /// What to sign in a Response (other documents sign their root element).
    pub target: SignTarget,
    /// The signature algorithm; it must fit the key.
    pub method: SignatureMethod,
    /// The digest algorithm of the Reference.
    pub digest: DigestMethod,
}

/// Adds enveloped signatures to a SAML document and returns the new text.
///
/// For a `samlp:Response`, `target` picks the Assertion(s), the Response or both (Assertion
/// first). Any other root element (a bare Assertion, EntityDescriptor, AuthnRequest,
/// LogoutRequest, LogoutResponse) is itself signed. The Signature goes where the SAML schemas
/// put it: right after the element's `saml:Issuer`, or first when there is no Issuer
/// (EntityDescriptor). The output is deterministic for RSA keys.
///
/// ```
/// use samlkit_cert::{PrivateKey, RsaKeySize, Subject, generate};
/// use samlkit_dsig::{DigestMethod, SignatureMethod};
/// use samlkit_saml::{SignTarget, SigningCredential, SigningProfile, sign_document};
///
/// let key = PrivateKey::generate_rsa(RsaKeySize::Bits2048)?;
/// let not_before = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
/// let cert = generate::self_signed(&key, &Subject::new("idp.example.com"), not_before, 365)?;
/// let credential = SigningCredential::new(&key, cert)?;
/// let profile = SigningProfile {
///     target: SignTarget::Assertion,
///     method: SignatureMethod::RsaSha256,
///     digest: DigestMethod::Sha256,
/// };
/// let assertion = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-09-21T10:00:00Z"><saml:Issuer>https://idp.example.com</saml:Issuer></saml:Assertion>"#;
/// let signed = sign_document(assertion, &credential, &profile)?;
/// assert!(signed.contains("</saml:Issuer><ds:Signature"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_document(
    xml: &str,
    credential: &SigningCredential,
    profile: &SigningProfile,
) -> Result<String, SamlError> {
    sign_with(xml, credential.signer(), credential.certificate().der(), profile)
}

/// [`sign_document`] with a key and KeyInfo certificate that need not belong together: only for
/// deliberately broken test responses.
pub(crate) fn sign_with(
    xml: &str,
    signer: &Signer,
    cert_der: &[u8],
    profile: &SigningProfile,
) -> Result<String, SamlError> {
    let doc = parse_document(xml)?;
    let root = doc.node(doc.root_element());
    let is_response = root.has_name(NS_PROTOCOL, "Response");
    let sign_assertions = is_response && profile.target != SignTarget::Response;
    let sign_root = !is_response || profile.target != SignTarget::Assertion;

    let mut text = xml.to_string();
    if sign_assertions {
        let assertions: Vec<NodeId> = root
            .element_children()
            .filter(|n| n.has_name(NS_ASSERTION, "Assertion"))
            .map(|n| n.id())
            .collect();
        if assertions.is_empty() {
            return Err(SamlError::new(
                ErrorKind::SigningFailed,
                "the Response holds no Assertion to sign",
            )
            .with_hint(Hint::SignTheResponse));
        }
        // Last first, so the byte offsets of earlier assertions stay valid.
        let mut out = xml.to_string();
        for id in assertions.into_iter().rev() {
            let (at, signature) = signature_for(&doc, id, signer, cert_der, profile)?;
            out.insert_str(at, &signature);
        }
        text = out;
    }
    if sign_root {
        // Re-parse: the root's digest must cover the assertion signatures just added.
        let doc = parse_document(&text)?;
        let root = doc.root_element();
        let (at, signature) = signature_for(&doc, root, signer, cert_der, profile)?;
        let mut out = text.clone();
        out.insert_str(at, &signature);
        text = out;
    }
    Ok(text)
}

/// The Signature text for `target` and the byte offset to insert it at.
fn signature_for(
    doc: &Document<'_>,
    target: NodeId,
    signer: &Signer,
    cert_der: &[u8],
    profile: &SigningProfile,
) -> Result<(usize, String), SamlError> {
    let node = doc.node(target);
    if node.element_children().any(|c| c.has_name(NS_DSIG, "Signature")) {
        let pos = node.position();
        return Err(SamlError::new(
            ErrorKind::SigningFailed,
            format!("<{}> at {pos} is already signed", node.name()),
        ));
    }
    let at = match node.first_element_child() {
        Some(first) if first.has_name(NS_ASSERTION, "Issuer") => first.byte_range().end,
        _ => node.start_tag_range().end,
    };
    let prefixes = xsi_type_prefixes(node);
    let prefix_refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let opts = SignOptions {
        method: profile.method,
        digest: profile.digest,
        inclusive_prefixes: &prefix_refs,
    };
    let signature = dsig::build_signature(doc, target, signer, cert_der, &opts)
        .map_err(|e| SamlError::new(ErrorKind::SigningFailed, e.to_string()))?;
    Ok((at, signature))
}

/// Prefixes used inside `xsi:type` values below `node` (`xs` for `xsi:type="xs:string"`).
/// Exclusive C14N only keeps namespace declarations that element or attribute *names* use, so
/// these are listed in the transform's InclusiveNamespaces PrefixList to keep them signed.
fn xsi_type_prefixes(node: Node<'_, '_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in node.descendants().filter(|n| n.is_element()) {
        if let Some((prefix, _)) =
            n.attribute(NS_XSI, "type").and_then(|v| v.trim().split_once(':'))
            && !out.iter().any(|p| p == prefix)
        {
            out.push(prefix.to_string());
        }
    }
    out
}
