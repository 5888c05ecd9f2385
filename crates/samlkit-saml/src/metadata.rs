//! SAML 2.0 IdP metadata: building an `md:EntityDescriptor` with one `md:IDPSSODescriptor`, and
//! verifying a signed one.
//!
//! The element order follows the SAML metadata schema (saml-schema-metadata-2.0.xsd):
//! `EntityDescriptor` = (ds:Signature?, Extensions?, role descriptors); `IDPSSODescriptor` =
//! (KeyDescriptor*, SingleLogoutService*, NameIDFormat*, SingleSignOnService+). Signing (see
//! [`crate::sign_document`]) puts the enveloped `ds:Signature` first in the EntityDescriptor, where
//! the schema wants it, because an EntityDescriptor has no Issuer.
//!
//! Service providers such as Salesforce, python3-saml or Shibboleth read the entity ID, the
//! SingleSignOnService URL per binding, the SingleLogoutService URL and every `use="signing"`
//! certificate; listing two signing certificates is how a rotation is announced in advance.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use samlkit_cert::Certificate;
use samlkit_dsig::{self as dsig, DigestMethod, NS_DSIG, VerifyOptions};
use samlkit_xml::Node;

use crate::ErrorKind;
use crate::escape::{escape_attr, escape_text};
use crate::time::{format_instant, parse_instant};
use crate::verify::parse_document;
use crate::{SamlError, decode_input};

/// SAML 2.0 metadata namespace.
pub const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// HTTP-Redirect binding URI.
pub const BINDING_HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// HTTP-POST binding URI.
pub const BINDING_HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// What goes into IdP metadata.
#[derive(Debug, Clone)]
pub struct IdpMetadataParams {
    /// The IdP's entity ID (the Issuer of its responses).
    pub entity_id: String,
    /// SingleSignOnService location, published for HTTP-Redirect and HTTP-POST.
    pub sso_url: String,
    /// SingleLogoutService location (HTTP-Redirect and HTTP-POST), if the IdP offers logout.
    pub slo_url: Option<String>,
    /// Signing certificates (DER), each in its own `KeyDescriptor use="signing"`: the current one
    /// first, then the next one during a rotation.
    pub signing_certs: Vec<Vec<u8>>,
    /// NameIDFormat URIs the IdP supports (see [`crate::name_id_format_uri`]).
    pub name_id_formats: Vec<String>,
    /// `validUntil` of the EntityDescriptor, if any.
    pub valid_until: Option<DateTime<Utc>>,
}

impl IdpMetadataParams {
    /// Checks what the metadata schema and service providers require: an entity ID of 1 to 1024
    /// characters (SAML core §8.3.6), absolute URLs for the endpoints, at least one certificate.
    pub fn check(&self) -> Result<(), SamlError> {
        let bad = |m: String| Err(SamlError::new(ErrorKind::MalformedInput, m));
        let len = self.entity_id.chars().count();
        if len == 0 || len > 1024 {
            return bad(format!("the entity ID must be 1 to 1024 characters, not {len}"));
        }
        for (what, url) in
            std::iter::once(("SSO", &self.sso_url)).chain(self.slo_url.iter().map(|u| ("SLO", u)))
        {
            let absolute = url.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty()
                    && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    && !rest.is_empty()
            });
            if !absolute || url.chars().any(char::is_whitespace) {
                return bad(format!("the {what} URL {url:?} is not an absolute URL"));
            }
        }
        if self.signing_certs.is_empty() {
            return bad("IdP metadata needs at least one signing certificate".into());
        }
        Ok(())
    }
}

/// Adds a `KeyDescriptor use="encryption"` for `cert` (with the `EncryptionMethod`s samlkit
/// reads: AES-256-GCM, AES-128-GCM, AES-256-CBC, RSA-OAEP) after the signing KeyDescriptors of
/// metadata made by [`build_idp_metadata`], for SPs that encrypt to the IdP (LogoutRequests).
/// Sign the metadata after this.
///
/// # Errors
/// [`ErrorKind::MalformedInput`] when `xml` has no `md:IDPSSODescriptor` with a KeyDescriptor.
///
/// ```
/// # let der = samlkit_cert::Certificate::load(include_bytes!("../data/example-idp.crt"))?.der().to_vec();
/// use samlkit_saml::{IdpMetadataParams, add_encryption_key_descriptor, build_idp_metadata};
/// let xml = build_idp_metadata(&IdpMetadataParams {
///     entity_id: "https://idp.example.com".into(),
///     sso_url: "https://idp.example.com/sso".into(),
///     slo_url: None,
///     signing_certs: vec![der.clone()],
///     name_id_formats: Vec::new(),
///     valid_until: None,
/// });
/// let xml = add_encryption_key_descriptor(&xml, &der)?;
/// assert!(xml.contains("<md:KeyDescriptor use=\"encryption\">"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_encryption_key_descriptor(xml: &str, cert_der: &[u8]) -> Result<String, SamlError> {
    let doc = parse_document(xml)?;
    let last = doc
        .descendants()
        .filter(|n| n.has_name(NS_METADATA, "KeyDescriptor"))
        .filter(|n| n.parent_element().is_some_and(|p| p.has_name(NS_METADATA, "IDPSSODescriptor")))
        .last()
        .ok_or_else(|| {
            SamlError::new(
                ErrorKind::MalformedInput,
                "the metadata has no IDPSSODescriptor KeyDescriptor",
            )
        })?;
    let at = last.byte_range().end;
    let methods: String = [
        samlkit_dsig::DataAlgorithm::Aes256Gcm.uri(),
        samlkit_dsig::DataAlgorithm::Aes128Gcm.uri(),
        samlkit_dsig::DataAlgorithm::Aes256Cbc.uri(),
        samlkit_dsig::KeyTransport::DEFAULT.uri(),
    ]
    .iter()
    .map(|uri| format!("<md:EncryptionMethod Algorithm=\"{uri}\"/>"))
    .collect();
    let descriptor = format!(
        "\n    <md:KeyDescriptor use=\"encryption\"><ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>{methods}</md:KeyDescriptor>",
        STANDARD.encode(cert_der)
    );
    let mut out = String::with_capacity(xml.len() + descriptor.len());
    out.push_str(xml.get(..at).unwrap_or(""));
    out.push_str(&descriptor);
    out.push_str(xml.get(at..).unwrap_or(""));
    Ok(out)
}

/// Builds unsigned IdP metadata. The EntityDescriptor `ID` (which a signature references) is
/// derived from the content, so the same parameters give byte-identical output.
///
/// ```
/// let xml = samlkit_saml::build_idp_metadata(&samlkit_saml::IdpMetadataParams {
///     entity_id: "https://idp.example.com".into(),
///     sso_url: "https://idp.example.com/sso".into(),
///     slo_url: None,
///     signing_certs: vec![],
///     name_id_formats: vec![],
///     valid_until: None,
/// });
/// assert!(xml.contains("entityID=\"https://idp.example.com\""));
/// ```
pub fn build_idp_metadata(p: &IdpMetadataParams) -> String {
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" xmlns:ds=\"{NS_DSIG}\" ID=\"{}\" entityID=\"{}\"",
        content_id(p),
        escape_attr(&p.entity_id)
    ));
    if let Some(t) = p.valid_until {
        x.push_str(&format!(" validUntil=\"{}\"", format_instant(t)));
    }
    x.push_str(">\n");
    x.push_str(
        "  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n",
    );
    for der in &p.signing_certs {
        x.push_str(&format!(
            "    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n",
            STANDARD.encode(der)
        ));
    }
    if let Some(slo) = p.slo_url.as_deref() {
        for binding in [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST] {
            x.push_str(&format!(
                "    <md:SingleLogoutService Binding=\"{binding}\" Location=\"{}\"/>\n",
                escape_attr(slo)
            ));
        }
    }
    for f in &p.name_id_formats {
        x.push_str(&format!("    <md:NameIDFormat>{}</md:NameIDFormat>\n", escape_text(f)));
    }
    for binding in [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST] {
        x.push_str(&format!(
            "    <md:SingleSignOnService Binding=\"{binding}\" Location=\"{}\"/>\n",
            escape_attr(&p.sso_url)
        ));
    }
    x.push_str("  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n");
    x
}

/// `_` + 32 hex digits of SHA-256 over the parameters: stable across runs, an NCName.
fn content_id(p: &IdpMetadataParams) -> String {
    let mut material = Vec::new();
    for part in [p.entity_id.as_bytes(), p.sso_url.as_bytes()] {
        material.extend_from_slice(part);
        material.push(0);
    }
    material.extend_from_slice(p.slo_url.as_deref().unwrap_or("").as_bytes());
    material.push(0);
    for der in &p.signing_certs {
        material.extend_from_slice(der);
        material.push(0);
    }
    for f in &p.name_id_formats {
        material.extend_from_slice(f.as_bytes());
        material.push(0);
    }
    material.extend_from_slice(p.valid_until.map(format_instant).unwrap_or_default().as_bytes());
    let digest = DigestMethod::Sha256.digest(&material);
    let mut id = String::from("_");
    for b in digest.iter().take(16) {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// A published endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The `Binding` URI, e.g. [`BINDING_HTTP_REDIRECT`] or [`BINDING_HTTP_POST`]; empty when
    /// the metadata omits it.
    pub binding: String,
    /// The `Location` URL messages for this binding are sent to; empty when omitted.
    pub location: String,
}

/// The verified content of signed IdP metadata. Everything comes from the signed
/// EntityDescriptor.
#[derive(Debug, Clone)]
pub struct VerifiedMetadata {
    /// The IdP's `entityID`: the Issuer its responses must carry.
    pub entity_id: String,
    /// The EntityDescriptor's `validUntil`, if any (already checked to lie after `now`); a
    /// caller caching the metadata should refetch it by then.
    pub valid_until: Option<DateTime<Utc>>,
    /// Index into the trusted certificates of the one that verified the signature.
    pub cert_index: usize,
    /// SHA-256 fingerprint of that certificate.
    pub cert_sha256: String,
    /// Certificates in `KeyDescriptor`s with `use="signing"` (or no `use`), in document order.
    pub signing_certs: Vec<Certificate>,
    /// `SingleSignOnService` endpoints in document order: where to send AuthnRequests.
    pub sso: Vec<Endpoint>,
    /// `SingleLogoutService` endpoints in document order (empty when the IdP offers no logout).
    pub slo: Vec<Endpoint>,
    /// `NameIDFormat` URIs the IdP supports, in document order.
    pub name_id_formats: Vec<String>,
}

/// Verifies signed IdP metadata (raw XML or base64) against `trusted` certificates.
///
/// The root must be an `md:EntityDescriptor` holding an `md:IDPSSODescriptor`; IDs must be unique;
/// a `ds:Signature` that is a direct child of the root must verify with a trusted certificate and
/// reference the root itself (so the whole document is signed); `validUntil`, when present, must
/// be after `now`. An unsigned document is refused: trust in metadata comes from its signature.
///
/// ```
/// let metadata = include_bytes!("../data/example-idp-metadata.xml");
/// let trusted = [samlkit_cert::Certificate::load(include_bytes!("../data/example-idp.crt"))?];
/// let now = "2026-01-01T00:00:00Z".parse()?;
/// let verified = samlkit_saml::verify_idp_metadata(metadata, &trusted, now, false)?;
/// assert_eq!(verified.entity_id, "https://idp.example.com");
/// assert_eq!(verified.signing_certs.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_idp_metadata(
    input: &[u8],
    trusted: &[Certificate],
    now: DateTime<Utc>,
    allow_sha1: bool,
) -> Result<VerifiedMetadata, SamlError> {
    let (xml, _) = decode_input(input)?;
    let doc = parse_document(&xml)?;
    let root = entity_descriptor(&doc)?;
    let signatures: Vec<Node<'_, '_>> =
        root.element_children().filter(|n| n.has_name(NS_DSIG, "Signature")).collect();
    let sig = match signatures.as_slice() {
        [] => {
            return Err(SamlError::new(
                ErrorKind::SignatureMissing,
                "the EntityDescriptor has no ds:Signature",
            ));
        }
        [one] => *one,
        [_, second, ..] => {
            return Err(SamlError::new(
                ErrorKind::SignatureMisplaced,
                format!("second ds:Signature at {} on the EntityDescriptor", second.position()),
            ));
        }
    };
    let opts = VerifyOptions { allow_sha1, ..VerifyOptions::default() };
    let v = dsig::verify_signature(&doc, sig.id(), root.id(), trusted, &opts).map_err(|e| {
        // Metadata has no switch for 1024-bit RSA keys: keep the refusal, drop the advice.
        let err = crate::verify::map_dsig_error(e);
        match err.hint() {
            Some(crate::Hint::AllowRsa1024) => SamlError::new(err.kind(), err.detail()),
            _ => err,
        }
    })?;
    if v.signed_element != root.id() {
        return Err(SamlError::new(
            ErrorKind::ReferenceInvalid,
            format!(
                "the Signature at {} references #{}, not the EntityDescriptor that contains it",
                sig.position(),
                v.reference_id
            ),
        ));
    }
    let cert_sha256 =
        trusted.get(v.certificate_index).map(|c| c.sha256_fingerprint()).unwrap_or_default();

    let idp = read_idp_entity(root, now)?;
    Ok(VerifiedMetadata {
        entity_id: idp.entity_id,
        valid_until: idp.valid_until,
        cert_index: v.certificate_index,
        cert_sha256,
        signing_certs: idp.signing_certs,
        sso: idp.sso,
        slo: idp.slo,
        name_id_formats: idp.name_id_formats,
    })
}

/// What IdP metadata says, read without looking at any signature.
pub(crate) struct IdpEntity {
    pub(crate) entity_id: String,
    pub(crate) valid_until: Option<DateTime<Utc>>,
    pub(crate) signing_certs: Vec<Certificate>,
    pub(crate) sso: Vec<Endpoint>,
    pub(crate) slo: Vec<Endpoint>,
    pub(crate) name_id_formats: Vec<String>,
}

/// Reads IdP metadata whose authenticity the caller vouches for (fetched over a channel it
/// trusts, or its own configuration): the same checks as [`verify_idp_metadata`] except the
/// signature, which is neither required nor checked.
pub(crate) fn read_unverified_idp_metadata(
    input: &[u8],
    now: DateTime<Utc>,
) -> Result<IdpEntity, SamlError> {
    let (xml, _) = decode_input(input)?;
    let doc = parse_document(&xml)?;
    let root = entity_descriptor(&doc)?;
    read_idp_entity(root, now)
}

/// The root `md:EntityDescriptor` of a document whose IDs are unique.
pub(crate) fn entity_descriptor<'d, 'a>(
    doc: &'d samlkit_xml::Document<'a>,
) -> Result<Node<'d, 'a>, SamlError> {
    if let Some(dup) = doc.duplicate_ids().first() {
        return Err(SamlError::new(
            ErrorKind::DuplicateId,
            format!("the ID \"{dup}\" appears on more than one element"),
        ));
    }
    let root = doc.node(doc.root_element());
    if !root.has_name(NS_METADATA, "EntityDescriptor") {
        return Err(SamlError::new(
            ErrorKind::UnexpectedDocument,
            format!("the root element is <{}>, not an md:EntityDescriptor", root.name()),
        ));
    }
    Ok(root)
}

/// The entity ID, validity, IDPSSODescriptor endpoints and signing certificates of `root`.
fn read_idp_entity(root: Node<'_, '_>, now: DateTime<Utc>) -> Result<IdpEntity, SamlError> {
    let entity_id = root.attribute("", "entityID").map(str::to_string).ok_or_else(|| {
        SamlError::new(ErrorKind::AssertionInvalid, "the EntityDescriptor has no entityID")
    })?;
    let valid_until = root
        .attribute("", "validUntil")
        .map(|t| parse_instant(t, "EntityDescriptor validUntil"))
        .transpose()?;
    if let Some(t) = valid_until.filter(|t| *t <= now) {
        return Err(SamlError::new(
            ErrorKind::MetadataExpired,
            format!("validUntil {} is not after now ({})", format_instant(t), format_instant(now)),
        ));
    }
    let idp = root
        .element_children()
        .find(|n| n.has_name(NS_METADATA, "IDPSSODescriptor"))
        .ok_or_else(|| {
            SamlError::new(
                ErrorKind::UnexpectedDocument,
                "the EntityDescriptor has no md:IDPSSODescriptor",
            )
        })?;
    let mut signing_certs = Vec::new();
    for kd in idp.element_children().filter(|n| n.has_name(NS_METADATA, "KeyDescriptor")) {
        if !matches!(kd.attribute("", "use"), None | Some("signing")) {
            continue;
        }
        for c in kd.descendants().filter(|n| n.has_name(NS_DSIG, "X509Certificate")) {
            let b64: String =
                c.text_content().chars().filter(|ch| !ch.is_ascii_whitespace()).collect();
            let der = STANDARD.decode(b64.as_bytes()).map_err(|e| {
                SamlError::new(
                    ErrorKind::AssertionInvalid,
                    format!("X509Certificate at {} is not base64: {e}", c.position()),
                )
            })?;
            let cert = Certificate::from_der(&der).map_err(|e| {
                SamlError::new(
                    ErrorKind::AssertionInvalid,
                    format!("X509Certificate at {} is not a certificate: {e}", c.position()),
                )
            })?;
            signing_certs.push(cert);
        }
    }
    let endpoints = |local: &str| -> Vec<Endpoint> {
        idp.element_children()
            .filter(|n| n.has_name(NS_METADATA, local))
            .map(|n| Endpoint {
                binding: n.attribute("", "Binding").unwrap_or("").to_string(),
                location: n.attribute("", "Location").unwrap_or("").to_string(),
            })
            .collect()
    };
    let name_id_formats = idp
        .element_children()
        .filter(|n| n.has_name(NS_METADATA, "NameIDFormat"))
        .map(|n| n.text_content().trim().to_string())
        .collect();
    Ok(IdpEntity {
        entity_id,
        valid_until,
        signing_certs,
        sso: endpoints("SingleSignOnService"),
        slo: endpoints("SingleLogoutService"),
        name_id_formats,
    })
}
