//! Strict verification of one `ds:Signature`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;

use crate::algorithms::{ENVELOPED_SIGNATURE, c14n_from_uri};
use crate::{DigestMethod, NS_DSIG, NS_EXC_C14N, SignatureError, SignatureMethod, Transform};
use samlkit_xml::{C14nAlgorithm, Document, Node, NodeId, NodeKind, canonicalize};

/// The smallest RSA modulus accepted by default, whatever the hash.
pub const MIN_RSA_BITS: usize = 2048;

/// The smallest RSA modulus [`VerifyOptions::allow_insecure_rsa1024`] lets through.
pub const LEGACY_MIN_RSA_BITS: usize = 1024;

/// Verification policy.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions {
    /// Accept rsa-sha1 and the sha1 digest (legacy IdPs). Off by default.
    pub allow_sha1: bool,
    /// Accept RSA keys from 1024 bits (legacy IdPs), instead of [`MIN_RSA_BITS`]. Off by
    /// default. One rule for every hash: SHA-1 with a small key needs this *and*
    /// [`VerifyOptions::allow_sha1`].
    pub allow_insecure_rsa1024: bool,
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
    /// How the certificate KeyInfo carried relates to that trusted certificate (a hint only).
    pub key_info: KeyInfoHint,
}

/// What KeyInfo's `X509Certificate` said, compared with the trusted certificate that verified.
/// KeyInfo is never a source of trust: it only decides which trusted certificate is tried first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyInfoHint {
    /// KeyInfo carries no certificate.
    Absent,
    /// KeyInfo carries the trusted certificate itself.
    Same,
    /// KeyInfo carries another certificate for the same key (a re-issued certificate).
    SameKey,
    /// KeyInfo carries a certificate for another key; the trusted key verified anyway.
    Other,
    /// KeyInfo's `X509Certificate` holds something that is not a DER certificate.
    NotACertificate,
}

/// Verifies the `ds:Signature` element `signature` of `doc` against `trusted` certificates, and
/// that its Reference resolves to `expected_reference`.
///
/// `expected_reference` is the element the caller is about to read (for SAML: the element that
/// contains the Signature). A Reference to any other element is refused before anything is
/// canonicalized or hashed: the document may be an attacker's, and a signature over some other
/// element says nothing about the one that will be read.
///
/// Trust comes from `trusted` only: a certificate in KeyInfo is a hint that decides which trusted
/// certificate is tried first, never a veto. Only when no trusted key verifies is a KeyInfo
/// certificate that is not trusted named in the error.
///
/// RSA keys under [`MIN_RSA_BITS`] are refused with [`SignatureError::KeyTooSmall`] (naming the
/// size) for every hash, unless [`VerifyOptions::allow_insecure_rsa1024`].
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
                    enveloped_transform_content(tr)?;
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

    let offered = OfferedCertificates::read(key_info)?;
    let order = offered.trial_order(trusted);
    let mut suitable = 0usize;
    let mut too_small: Option<(usize, usize)> = None;
    for index in order.iter().copied() {
        let Some(cert) = trusted.get(index) else { continue };
        let key = cert.public_key();
        let Some(hash) = signature_method.verification_hash(key.algorithm()) else { continue };
        suitable += 1;
        if key.verify_with_hash(hash, &si_canonical, &signature_bytes).is_err() {
            continue;
        }
        // The rule is about the key, whatever the hash: a genuine signature by a small key is
        // refused naming its size, so the caller can decide to allow it for a legacy peer.
        if let samlkit_cert::KeyAlgorithm::Rsa { bits } = key.algorithm()
            && bits < MIN_RSA_BITS
            && !(opts.allow_insecure_rsa1024 && bits >= LEGACY_MIN_RSA_BITS)
        {
            too_small.get_or_insert((index, bits));
            continue;
        }
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
            key_info: offered.hint_for(cert),
        });
    }
    if let Some((index, bits)) = too_small {
        let sha256 = trusted.get(index).map(|c| c.sha256_fingerprint()).unwrap_or_default();
        return Err(SignatureError::KeyTooSmall { bits, minimum: MIN_RSA_BITS, sha256 });
    }
    // Nothing trusted verified: now KeyInfo may explain why.
    if let Some(sha256) = offered.untrusted_fingerprint(trusted) {
        return Err(SignatureError::UntrustedCertificate { sha256 });
    }
    if suitable == 0 {
        return Err(SignatureError::NoSuitableKey { method: signature_method.name() });
    }
    let tried = match order.as_slice() {
        [one] => match trusted.get(*one) {
            Some(c) => format!("the trusted certificate SHA-256 {}", c.sha256_fingerprint()),
            None => "the trusted certificate".to_string(),
        },
        many => format!("any of the {} trusted certificates", many.len()),
    };
    if let Some(found) = offered.not_a_certificate() {
        return Err(SignatureError::KeyInfoNotCertificate { tried, found });
    }
    Err(SignatureError::SignatureMismatch { tried })
}

/// The certificates KeyInfo offers (`X509Data/X509Certificate`, decoded from base64), read as a
/// hint: each is parsed if it can be, and what cannot be is remembered for the error message.
struct OfferedCertificates {
    offered: Vec<Offered>,
}

/// One KeyInfo `X509Certificate`: its bytes, parsed only when a question needs more than a
/// byte comparison. KeyInfo normally carries the trusted certificate itself, which equal bytes
/// show without parsing it (an X.509 parse per message was a measurable part of a batch).
struct Offered {
    der: Vec<u8>,
    /// The certificate, or (`Err`) what the bytes hold instead, for people.
    parsed: std::cell::OnceCell<Result<Box<Certificate>, String>>,
}

impl Offered {
    fn parsed(&self) -> &Result<Box<Certificate>, String> {
        self.parsed.get_or_init(|| {
            Certificate::from_der(&self.der)
                .map(Box::new)
                .map_err(|_| describe_non_certificate(&self.der))
        })
    }
}

impl OfferedCertificates {
    fn read(key_info: Option<Node<'_, '_>>) -> Result<Self, SignatureError> {
        let mut offered = Vec::new();
        if let Some(ki) = key_info {
            for data in ki.element_children().filter(|n| n.has_name(NS_DSIG, "X509Data")) {
                for c in data.element_children().filter(|n| n.has_name(NS_DSIG, "X509Certificate"))
                {
                    let der = base64_value(c)?;
                    offered.push(Offered { der, parsed: std::cell::OnceCell::new() });
                }
            }
        }
        Ok(OfferedCertificates { offered })
    }

    fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.offered.iter().filter_map(|o| o.parsed().as_ref().ok().map(|c| c.as_ref()))
    }

    /// Every trusted certificate, in the order to try them: the ones KeyInfo carries (same DER),
    /// then those with the key of a KeyInfo certificate (re-issued), then all the others.
    fn trial_order(&self, trusted: &[Certificate]) -> Vec<usize> {
        let rank = |t: &Certificate| match self.hint_for(t) {
            KeyInfoHint::Same => 0,
            KeyInfoHint::SameKey => 1,
            _ => 2,
        };
        let mut order: Vec<usize> = (0..trusted.len()).collect();
        order.sort_by_key(|&i| trusted.get(i).map_or(2, rank));
        order
    }

    /// How KeyInfo relates to the trusted certificate `trusted`.
    fn hint_for(&self, trusted: &Certificate) -> KeyInfoHint {
        if self.offered.is_empty() {
            return KeyInfoHint::Absent;
        }
        // Equal bytes are the trusted certificate itself: no parse needed.
        if self.offered.iter().any(|o| o.der == trusted.der()) {
            return KeyInfoHint::Same;
        }
        if self.certificates().any(|c| c.public_key() == trusted.public_key()) {
            return KeyInfoHint::SameKey;
        }
        if self.certificates().next().is_some() {
            KeyInfoHint::Other
        } else {
            KeyInfoHint::NotACertificate
        }
    }

    /// The SHA-256 fingerprint of the first KeyInfo certificate whose key no trusted certificate
    /// has, if any.
    fn untrusted_fingerprint(&self, trusted: &[Certificate]) -> Option<String> {
        self.certificates()
            .find(|c| !trusted.iter().any(|t| t.public_key() == c.public_key()))
            .map(Certificate::sha256_fingerprint)
    }

    /// What the first KeyInfo `X509Certificate` that is not a certificate holds, if any.
    fn not_a_certificate(&self) -> Option<String> {
        self.offered.iter().find_map(|o| o.parsed().as_ref().err().cloned())
    }
}

/// Names what an `X509Certificate` holds instead of DER (ADFS exports have been seen to hold the
/// base64 of PEM text), without quoting it: it is the sender's data.
fn describe_non_certificate(bytes: &[u8]) -> String {
    if bytes.starts_with(b"-----BEGIN") {
        "it holds the base64 of PEM text, not of a DER certificate".to_string()
    } else if bytes.is_empty() {
        "it is empty".to_string()
    } else {
        format!("its {} bytes do not parse as a DER X.509 certificate", bytes.len())
    }
}

/// The enveloped-signature transform takes no parameters, but xml-crypto (node-saml,
/// passport-saml) writes its `InclusiveNamespaces` PrefixList into every Transform of a
/// Reference, this one included, in the namespace of the transform's URI (xmlsec1 ignores it).
/// Exactly that child is accepted, and ignored: it cannot change what is digested. Anything else
/// is refused.
fn enveloped_transform_content(transform: Node<'_, '_>) -> Result<(), SignatureError> {
    let children = element_sequence(transform)?;
    match children.as_slice() {
        [] => Ok(()),
        [one]
            if (one.has_name(ENVELOPED_SIGNATURE, "InclusiveNamespaces")
                || one.has_name(NS_EXC_C14N, "InclusiveNamespaces"))
                && one.children().all(|c| c.is_text() && c.text().is_some_and(is_xml_space)) =>
        {
            Ok(())
        }
        [first, ..] => Err(malformed(
            *first,
            &format!(
                "the enveloped-signature Transform must be empty (an xml-crypto InclusiveNamespaces is the one child tolerated), found {}",
                describe_element(*first)
            ),
        )),
    }
}

fn is_xml_space(text: &str) -> bool {
    text.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// `<prefix:local>` and its namespace URI, for messages about element names.
fn describe_element(node: Node<'_, '_>) -> String {
    match node.namespace_uri() {
        "" => format!("<{}> in no namespace", node.name()),
        ns => format!("<{}> in namespace {ns}", node.name()),
    }
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
        // Name the namespaces: with the `ds` prefix re-bound, "expected ds:SignedInfo, found
        // <ds:SignedInfo>" would say nothing.
        Err(malformed(
            node,
            &format!("expected {local} in namespace {NS_DSIG}, found {}", describe_element(node)),
        ))
    }
}

fn required_attr<'d>(node: Node<'d, '_>, name: &str) -> Result<&'d str, SignatureError> {
    node.attribute("", name)
        .ok_or_else(|| malformed(node, &format!("{} has no {name} attribute", node.name())))
}

/// The base64 content of DigestValue, SignatureValue or X509Certificate. Only text is allowed
/// inside: a comment or element there is refused rather than silently skipped or truncated.
pub(crate) fn base64_value(node: Node<'_, '_>) -> Result<Vec<u8>, SignatureError> {
    // One text node without whitespace (what most signers write) decodes as it stands; base64
    // refuses whitespace, so any other text takes the way below and gets the same result.
    let mut children = node.children();
    if let (Some(only), None) = (children.next(), children.next())
        && let Some(text) = only.text().filter(|_| only.kind() == NodeKind::Text)
        && let Ok(bytes) = STANDARD.decode(text)
    {
        return Ok(bytes);
    }
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

pub(crate) fn malformed(node: Node<'_, '_>, message: &str) -> SignatureError {
    SignatureError::Malformed { pos: node.position(), message: message.to_string() }
}
