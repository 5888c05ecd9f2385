//! Strict verification of one `ds:Signature`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;

use crate::algorithms::c14n_from_uri;
use crate::{DigestMethod, NS_DSIG, NS_EXC_C14N, SignatureError, SignatureMethod, Transform};
use samlkit_xml::{C14nAlgorithm, Document, Node, NodeId, NodeKind, canonicalize};

/// Verification policy.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions {
    /// Accept rsa-sha1 and the sha1 digest (legacy IdPs). Off by default.
    pub allow_sha1: bool,
}

/// A signature that verified, and exactly what it covers.
#[derive(Clone, Debug)]
pub struct VerifiedSignature {
    /// The `ds:Signature` element.
    pub signature: NodeId,
    /// The element the Reference resolved to: the only content this signature vouches for.
    pub signed_element: NodeId,
    /// The referenced ID (the URI without `#`).
    pub reference_id: String,
    /// SignedInfo's SignatureMethod, the algorithm SignatureValue was checked with.
    pub signature_method: SignatureMethod,
    /// The Reference's DigestMethod.
    pub digest_method: DigestMethod,
    /// SignedInfo's CanonicalizationMethod.
    pub signed_info_c14n: C14nAlgorithm,
    /// The canonicalization applied to the referenced element.
    pub reference_c14n: C14nAlgorithm,
    /// Whether the enveloped-signature transform was applied.
    pub enveloped: bool,
    /// The digest (base64), computed and equal to DigestValue.
    pub digest_value: String,
    /// Length of the canonical bytes that were digested.
    pub canonical_len: usize,
    /// Index into the trusted certificates of the one whose key verified SignatureValue.
    pub certificate_index: usize,
}

/// Verifies the `ds:Signature` element `signature` of `doc` against `trusted` certificates, and
/// that its Reference resolves to `expected_reference`.
///
/// `expected_reference` is the element the caller is about to read (for SAML: the element that
/// contains the Signature). A Reference to any other element is refused before anything is
/// canonicalized or hashed: the document may be an attacker's, and a signature over some other
/// element says nothing about the one that will be read.
///
/// Trust comes from `trusted` only: certificates in KeyInfo merely select among them, and one
/// that is not trusted is an error.
///
/// ```
/// use samlkit_cert::{Certificate, PrivateKey};
/// use samlkit_dsig::{DigestMethod, SignOptions, SignatureMethod, VerifyOptions};
///
/// let key = PrivateKey::load(include_bytes!("../tests/data/idp.key"))?;
/// let cert = Certificate::load(include_bytes!("../tests/data/idp.crt"))?;
/// let xml = r#"<r:Item xmlns:r="urn:r" ID="_item"><r:V>42</r:V></r:Item>"#;
/// let options = SignOptions {
///     method: SignatureMethod::RsaSha256,
///     digest: DigestMethod::Sha256,
///     inclusive_prefixes: &[],
/// };
/// // The Signature goes right after the start tag of the signed element.
/// let at = xml.find("<r:V>").unwrap();
/// let signed = samlkit_dsig::sign_enveloped(xml, "_item", at, &key.signer()?, cert.der(), &options)?;
///
/// let doc = samlkit_xml::parse(&signed)?;
/// let item = doc.element_by_id("_item").unwrap();
/// let signature = doc.node(item).first_element_child().unwrap();
/// let verified = samlkit_dsig::verify_signature(
///     &doc,
///     signature.id(),
///     item,
///     &[cert],
///     &VerifyOptions::default(),
/// )?;
/// assert_eq!(verified.signed_element, item);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_signature(
    doc: &Document<'_>,
    signature: NodeId,
    expected_reference: NodeId,
    trusted: &[Certificate],
    opts: &VerifyOptions,
) -> Result<VerifiedSignature, SignatureError> {
    let sig = doc.node(signature);
    expect_name(sig, "Signature")?;
    let parts = element_sequence(sig)?;
    let (signed_info, signature_value, key_info) = match parts.as_slice() {
        [si, sv] => (*si, *sv, None),
        [si, sv, ki] => (*si, *sv, Some(*ki)),
        _ => {
            return Err(malformed(
                sig,
                "Signature must contain SignedInfo, SignatureValue and an optional KeyInfo, in that order",
            ));
        }
    };
    expect_name(signed_info, "SignedInfo")?;
    expect_name(signature_value, "SignatureValue")?;
    if let Some(ki) = key_info {
        expect_name(ki, "KeyInfo")?;
    }

    // SignedInfo: CanonicalizationMethod, SignatureMethod, exactly one Reference.
    let si_parts = element_sequence(signed_info)?;
    let [c14n_method, sig_method, reference] = si_parts.as_slice() else {
        let refs = si_parts.iter().filter(|n| n.has_name(NS_DSIG, "Reference")).count();
        let msg = if refs > 1 {
            format!("SignedInfo holds {refs} References; exactly one is accepted")
        } else {
            "SignedInfo must contain CanonicalizationMethod, SignatureMethod and exactly one Reference, in that order".to_string()
        };
        return Err(malformed(signed_info, &msg));
    };
    expect_name(*c14n_method, "CanonicalizationMethod")?;
    expect_name(*sig_method, "SignatureMethod")?;
    expect_name(*reference, "Reference")?;

    let si_uri = required_attr(*c14n_method, "Algorithm")?;
    let signed_info_c14n =
        c14n_from_uri(si_uri).ok_or_else(|| SignatureError::AlgorithmRefused {
            role: "CanonicalizationMethod",
            uri: si_uri.to_string(),
            reason: "only exclusive C14N and C14N 1.0 (with or without comments) are accepted",
        })?;
    let si_prefixes = inclusive_namespaces(*c14n_method, signed_info_c14n)?;

    let method_uri = required_attr(*sig_method, "Algorithm")?;
    let signature_method = SignatureMethod::from_uri(method_uri, opts.allow_sha1)?;
    if let Some(child) = sig_method.element_children().next() {
        return Err(malformed(child, "SignatureMethod must be empty"));
    }

    // Reference: URI="#ID", Transforms?, DigestMethod, DigestValue.
    let uri = reference.attribute("", "URI").unwrap_or("");
    let reference_id = match uri.strip_prefix('#') {
        Some(id) if !id.is_empty() && !id.starts_with("xpointer(") => id.to_string(),
        _ => {
            return Err(SignatureError::ReferenceForm {
                pos: reference.position(),
                uri: uri.to_string(),
            });
        }
    };
    let ref_parts = element_sequence(*reference)?;
    let (transforms, digest_method_el, digest_value_el) = match ref_parts.as_slice() {
        [t, dm, dv] => (Some(*t), *dm, *dv),
        [dm, dv] => (None, *dm, *dv),
        _ => {
            return Err(malformed(
                *reference,
                "Reference must contain Transforms (optional), DigestMethod and DigestValue, in that order",
            ));
        }
    };
    if let Some(t) = transforms {
        expect_name(t, "Transforms")?;
    }
    expect_name(digest_method_el, "DigestMethod")?;
    expect_name(digest_value_el, "DigestValue")?;
    let digest_method =
        DigestMethod::from_uri(required_attr(digest_method_el, "Algorithm")?, opts.allow_sha1)?;
    let expected_digest = base64_value(digest_value_el)?;

    let mut enveloped = false;
    let mut reference_c14n = None;
    let mut ref_prefixes = Vec::new();
    if let Some(t) = transforms {
        let list = element_sequence(t)?;
        if list.is_empty() {
            return Err(malformed(t, "Transforms must hold at least one Transform"));
        }
        for tr in list {
            expect_name(tr, "Transform")?;
            match Transform::from_uri(required_attr(tr, "Algorithm")?)? {
                Transform::EnvelopedSignature => {
                    if enveloped || reference_c14n.is_some() {
                        return Err(malformed(
                            tr,
                            "enveloped-signature must appear once, before the canonicalization transform",
                        ));
                    }
                    if let Some(child) = tr.element_children().next() {
                        return Err(malformed(
                            child,
                            "the enveloped-signature Transform must be empty",
                        ));
                    }
                    enveloped = true;
                }
                Transform::Canonicalize(alg) => {
                    if reference_c14n.is_some() {
                        return Err(malformed(
                            tr,
                            "only one canonicalization transform is accepted",
                        ));
                    }
                    ref_prefixes = inclusive_namespaces(tr, alg)?;
                    reference_c14n = Some(alg);
                }
            }
        }
    }
    // A same-document reference by ID ("#ID") selects the element without comments (XML-DSig
    // §4.3.3.3), so a "WithComments" transform has no comments to keep; without a
    // canonicalization transform the node-set is serialized with C14N 1.0.
    let reference_c14n = match reference_c14n.unwrap_or(C14nAlgorithm::Inclusive) {
        C14nAlgorithm::ExclusiveWithComments => C14nAlgorithm::Exclusive,
        C14nAlgorithm::InclusiveWithComments => C14nAlgorithm::Inclusive,
        other => other,
    };

    // Resolve through the ID index; an ambiguous ID is an error, never a choice.
    if doc.duplicate_ids().contains(&reference_id) {
        return Err(SignatureError::DuplicateId { id: reference_id });
    }
    let signed_element = doc
        .element_by_id(&reference_id)
        .ok_or_else(|| SignatureError::ReferenceUnresolved { id: reference_id.clone() })?;
    if expected_reference != signed_element {
        let found = doc.node(signed_element);
        return Err(SignatureError::ReferenceUnexpected {
            pos: reference.position(),
            id: reference_id,
            found: format!("<{}> at {}", found.name(), found.position()),
        });
    }

    // 1. Digest of the referenced element.
    // The canonical bytes stream straight into the hasher (never collected in memory).
    let mut hasher = digest_method.writer();
    let prefixes: Vec<&str> = ref_prefixes.iter().map(String::as_str).collect();
    canonicalize(
        doc,
        Some(signed_element),
        enveloped.then_some(signature),
        reference_c14n,
        &prefixes,
        &mut hasher,
    )?;
    let (canonical_len, computed) = hasher.finish();
    if computed != expected_digest {
        return Err(SignatureError::DigestMismatch {
            id: reference_id,
            computed: STANDARD.encode(&computed),
            expected: STANDARD.encode(&expected_digest),
        });
    }

    // 2. SignatureValue over canonical SignedInfo, with trusted keys only.
    let signature_bytes = base64_value(signature_value)?;
    let mut si_canonical = Vec::with_capacity(1024);
    let si_prefix_refs: Vec<&str> = si_prefixes.iter().map(String::as_str).collect();
    canonicalize(
        doc,
        Some(signed_info.id()),
        None,
        signed_info_c14n,
        &si_prefix_refs,
        &mut si_canonical,
    )?;

    let candidates = select_candidates(key_info, trusted)?;
    let mut suitable = 0usize;
    for index in candidates.iter().copied() {
        let Some(cert) = trusted.get(index) else { continue };
        let key = cert.public_key();
        let Some(alg) = signature_method.for_key(key.algorithm()) else { continue };
        suitable += 1;
        if key.verify(alg, &si_canonical, &signature_bytes).is_ok() {
            return Ok(VerifiedSignature {
                signature,
                signed_element,
                reference_id,
                signature_method,
                digest_method,
                signed_info_c14n,
                reference_c14n,
                enveloped,
                digest_value: STANDARD.encode(&computed),
                canonical_len,
                certificate_index: index,
            });
        }
    }
    if suitable == 0 {
        return Err(SignatureError::NoSuitableKey { method: signature_method.name() });
    }
    let tried = match candidates.as_slice() {
        [one] => match trusted.get(*one) {
            Some(c) => format!("the trusted certificate SHA-256 {}", c.sha256_fingerprint()),
            None => "the trusted certificate".to_string(),
        },
        many => format!("any of the {} trusted certificates", many.len()),
    };
    Err(SignatureError::SignatureMismatch { tried })
}

/// Which trusted certificates may check this signature: those KeyInfo names (by exact DER), or
/// all of them when KeyInfo carries no certificate. A KeyInfo certificate that is not trusted is an
/// error: trust never comes from the message.
fn select_candidates(
    key_info: Option<Node<'_, '_>>,
    trusted: &[Certificate],
) -> Result<Vec<usize>, SignatureError> {
    let mut offered = Vec::new();
    if let Some(ki) = key_info {
        for data in ki.element_children().filter(|n| n.has_name(NS_DSIG, "X509Data")) {
            for c in data.element_children().filter(|n| n.has_name(NS_DSIG, "X509Certificate")) {
                offered.push(base64_value(c)?);
            }
        }
    }
    if offered.is_empty() {
        return Ok((0..trusted.len()).collect());
    }
    let matching: Vec<usize> = trusted
        .iter()
        .enumerate()
        .filter(|(_, t)| offered.iter().any(|o| o.as_slice() == t.der()))
        .map(|(i, _)| i)
        .collect();
    if matching.is_empty() {
        let sha256 = offered.first().map(|der| fingerprint(der)).unwrap_or_default();
        return Err(SignatureError::UntrustedCertificate { sha256 });
    }
    Ok(matching)
}

fn fingerprint(der: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, der);
    d.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The element children of a Signature-structure element. Between them only whitespace and
/// comments are allowed: stray text, CDATA or processing instructions are refused.
fn element_sequence<'d, 'a>(node: Node<'d, 'a>) -> Result<Vec<Node<'d, 'a>>, SignatureError> {
    let mut out = Vec::new();
    for child in node.children() {
        match child.kind() {
            NodeKind::Element => out.push(child),
            NodeKind::Text if child.text().unwrap_or("").trim().is_empty() => {}
            NodeKind::Comment => {}
            _ => {
                return Err(malformed(
                    child,
                    &format!("unexpected content inside {}", node.name()),
                ));
            }
        }
    }
    Ok(out)
}

fn expect_name(node: Node<'_, '_>, local: &str) -> Result<(), SignatureError> {
    if node.has_name(NS_DSIG, local) {
        Ok(())
    } else {
        Err(malformed(node, &format!("expected ds:{local}, found <{}>", node.name())))
    }
}

fn required_attr<'d>(node: Node<'d, '_>, name: &str) -> Result<&'d str, SignatureError> {
    node.attribute("", name)
        .ok_or_else(|| malformed(node, &format!("{} has no {name} attribute", node.name())))
}

/// The base64 content of DigestValue, SignatureValue or X509Certificate. Only text is allowed
/// inside: a comment or element there is refused rather than silently skipped or truncated.
fn base64_value(node: Node<'_, '_>) -> Result<Vec<u8>, SignatureError> {
    // Whitespace removed run by run (base64 lines are long), straight from the text nodes.
    let mut compact = Vec::new();
    for child in node.children() {
        match child.kind() {
            NodeKind::Text => {
                let text = child.text().unwrap_or("");
                compact.reserve(text.len());
                for run in text.split_ascii_whitespace() {
                    compact.extend_from_slice(run.as_bytes());
                }
            }
            _ => {
                return Err(malformed(
                    child,
                    &format!("{} may only contain base64 text", node.name()),
                ));
            }
        }
    }
    STANDARD
        .decode(&compact)
        .map_err(|e| malformed(node, &format!("{} is not valid base64 ({e})", node.name())))
}

/// The PrefixList of an `ec:InclusiveNamespaces` child (exclusive C14N only).
fn inclusive_namespaces(
    method: Node<'_, '_>,
    alg: C14nAlgorithm,
) -> Result<Vec<String>, SignatureError> {
    let children = element_sequence(method)?;
    let exclusive = matches!(alg, C14nAlgorithm::Exclusive | C14nAlgorithm::ExclusiveWithComments);
    match children.as_slice() {
        [] => Ok(Vec::new()),
        [one] if exclusive && one.has_name(NS_EXC_C14N, "InclusiveNamespaces") => {
            let list = one.attribute("", "PrefixList").unwrap_or("");
            Ok(list.split_ascii_whitespace().map(str::to_string).collect())
        }
        [first, ..] => Err(malformed(
            *first,
            &format!("unexpected <{}> inside {}", first.name(), method.name()),
        )),
    }
}

fn malformed(node: Node<'_, '_>, message: &str) -> SignatureError {
    SignatureError::Malformed { pos: node.position(), message: message.to_string() }
}
