//! Creating an enveloped signature.
//!
//! The SignedInfo is written directly in its exclusive-C14N canonical form (attributes in
//! canonical order, empty elements as start+end tags, `xmlns:ds` on SignedInfo when it stands
//! alone), so no second parse is needed to sign it: exclusive C14N renders only the prefixes an
//! element visibly uses (`ds`, `ec`), which makes SignedInfo's canonical bytes independent of where
//! the Signature is placed. A unit test checks this against the canonicalizer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Signer;

use crate::algorithms::ENVELOPED_SIGNATURE;
use crate::{DigestMethod, NS_DSIG, NS_EXC_C14N, SignatureError, SignatureMethod};
use samlkit_xml::{C14nAlgorithm, Document, NodeId, canonicalize};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// How to sign.
#[derive(Clone, Copy, Debug)]
pub struct SignOptions<'p> {
    /// The SignatureMethod; must fit the key (RSA methods for RSA keys, the curve's ECDSA).
    pub method: SignatureMethod,
    /// The DigestMethod of the Reference.
    pub digest: DigestMethod,
    /// Prefixes to treat inclusively in the Reference's exclusive C14N transform (written as
    /// `ec:InclusiveNamespaces PrefixList`), e.g. `["xs"]` when values use `xsi:type="xs:string"`
    /// so the `xs` declaration is part of the signed content.
    pub inclusive_prefixes: &'p [&'p str],
}

/// Builds the complete `ds:Signature` element (text, declaring `xmlns:ds` itself) that signs the
/// element `target` of `doc` by its `ID`/`Id`/`id` attribute. The Signature is meant to be inserted
/// as a child of `target` (enveloped), e.g. with [`sign_enveloped`]; `target` must not contain a
/// Signature over itself yet.
pub fn build_signature(
    doc: &Document<'_>,
    target: NodeId,
    signer: &Signer,
    cert_der: &[u8],
    opts: &SignOptions<'_>,
) -> Result<String, SignatureError> {
    let node = doc.node(target);
    let id =
        ["ID", "Id", "id"].iter().find_map(|name| node.attribute("", name)).ok_or_else(|| {
            SignatureError::Malformed {
                pos: node.position(),
                message: format!("<{}> has no ID attribute to reference", node.name()),
            }
        })?;
    let key_alg = signer.algorithm();
    let alg = opts.method.for_key(key_alg).ok_or_else(|| {
        SignatureError::SigningFailed(format!(
            "signature method {} does not fit a {key_alg:?} key",
            opts.method.name()
        ))
    })?;

    let mut canonical = Vec::with_capacity(doc.input().len());
    canonicalize(
        doc,
        Some(target),
        None,
        C14nAlgorithm::Exclusive,
        opts.inclusive_prefixes,
        &mut canonical,
    )?;
    let digest = STANDARD.encode(opts.digest.digest(&canonical));

    let signed_info = canonical_signed_info(id, &digest, opts);
    let value = signer
        .sign(alg, signed_info.as_bytes())
        .map_err(|e| SignatureError::SigningFailed(e.to_string()))?;

    // In the document, `xmlns:ds` is declared once on Signature; canonicalization of SignedInfo
    // re-renders it there, giving exactly `signed_info` back.
    let ds_decl = format!(" xmlns:ds=\"{NS_DSIG}\"");
    let embedded = signed_info.replacen(&ds_decl, "", 1);
    let mut out =
        String::with_capacity(embedded.len() + value.len() * 2 + cert_der.len() * 2 + 256);
    out.push_str("<ds:Signature");
    out.push_str(&ds_decl);
    out.push('>');
    out.push_str(&embedded);
    out.push_str("<ds:SignatureValue>");
    out.push_str(&STANDARD.encode(value));
    out.push_str("</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>");
    out.push_str(&STANDARD.encode(cert_der));
    out.push_str("</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>");
    Ok(out)
}

/// The canonical (exclusive C14N) bytes of the SignedInfo for one reference.
pub(crate) fn canonical_signed_info(id: &str, digest_b64: &str, opts: &SignOptions<'_>) -> String {
    let mut s = String::with_capacity(1024);
    s.push_str("<ds:SignedInfo xmlns:ds=\"");
    s.push_str(NS_DSIG);
    s.push_str("\"><ds:CanonicalizationMethod Algorithm=\"");
    s.push_str(EXC_C14N);
    s.push_str("\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"");
    s.push_str(opts.method.uri());
    s.push_str("\"></ds:SignatureMethod><ds:Reference URI=\"#");
    s.push_str(&escape_c14n_attr(id));
    s.push_str("\"><ds:Transforms><ds:Transform Algorithm=\"");
    s.push_str(ENVELOPED_SIGNATURE);
    s.push_str("\"></ds:Transform><ds:Transform Algorithm=\"");
    s.push_str(EXC_C14N);
    s.push_str("\">");
    if !opts.inclusive_prefixes.is_empty() {
        s.push_str("<ec:InclusiveNamespaces xmlns:ec=\"");
        s.push_str(NS_EXC_C14N);
        s.push_str("\" PrefixList=\"");
        s.push_str(&escape_c14n_attr(&opts.inclusive_prefixes.join(" ")));
        s.push_str("\"></ec:InclusiveNamespaces>");
    }
    s.push_str("</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"");
    s.push_str(opts.digest.uri());
    s.push_str("\"></ds:DigestMethod><ds:DigestValue>");
    s.push_str(digest_b64);
    s.push_str("</ds:DigestValue></ds:Reference></ds:SignedInfo>");
    s
}

/// Attribute value escaping as C14N defines it.
fn escape_c14n_attr(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Signs the element whose ID is `target_id` in `xml` and returns the document with the
/// Signature inserted at byte offset `insert_at`, which must lie inside that element's content
/// (between the end of its start tag and the start of its end tag; SAML wants it right after
/// the Issuer element).
///
/// ```
/// use samlkit_cert::{Certificate, PrivateKey};
/// use samlkit_dsig::{DigestMethod, SignOptions, SignatureMethod};
///
/// let key = PrivateKey::load(include_bytes!("../tests/data/idp.key"))?;
/// let cert = Certificate::load(include_bytes!("../tests/data/idp.crt"))?;
/// let xml = concat!(
///     r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1">"#,
///     "<saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject/></saml:Assertion>",
/// );
/// let options = SignOptions {
///     method: SignatureMethod::RsaSha256,
///     digest: DigestMethod::Sha256,
///     inclusive_prefixes: &[],
/// };
/// // SAML's schema puts the Signature right after the Issuer.
/// let after_issuer = xml.find("<saml:Subject").ok_or("no Subject")?;
/// let signer = key.signer()?;
/// let signed =
///     samlkit_dsig::sign_enveloped(xml, "_a1", after_issuer, &signer, cert.der(), &options)?;
/// assert!(signed.contains("</saml:Issuer><ds:Signature "));
/// assert!(signed.contains(r##"<ds:Reference URI="#_a1">"##));
///
/// // A position outside the signed element's content is refused.
/// assert!(samlkit_dsig::sign_enveloped(xml, "_a1", 0, &signer, cert.der(), &options).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_enveloped(
    xml: &str,
    target_id: &str,
    insert_at: usize,
    signer: &Signer,
    cert_der: &[u8],
    opts: &SignOptions<'_>,
) -> Result<String, SignatureError> {
    let doc = samlkit_xml::parse(xml)?;
    if doc.duplicate_ids().iter().any(|d| d == target_id) {
        return Err(SignatureError::DuplicateId { id: target_id.to_string() });
    }
    let target = doc
        .element_by_id(target_id)
        .ok_or_else(|| SignatureError::ReferenceUnresolved { id: target_id.to_string() })?;
    let node = doc.node(target);
    let content_start = node.start_tag_range().end;
    let node_end = node.byte_range().end;
    // The end tag starts at the last `</` of the element (none for `<a/>`).
    let content_end = xml
        .get(content_start..node_end)
        .and_then(|inner| inner.rfind("</"))
        .map_or(content_start, |i| content_start + i);
    let inside = content_start < node_end && (content_start..=content_end).contains(&insert_at);
    if !inside || !xml.is_char_boundary(insert_at) {
        return Err(SignatureError::SigningFailed(format!(
            "insert position {insert_at} is not inside the content of the element with ID {target_id:?}"
        )));
    }
    let signature = build_signature(&doc, target, signer, cert_der, opts)?;
    let mut out = String::with_capacity(xml.len() + signature.len());
    out.push_str(&xml[..insert_at]);
    out.push_str(&signature);
    out.push_str(&xml[insert_at..]);
    Ok(out)
}
