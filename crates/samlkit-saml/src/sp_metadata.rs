//! What an IdP needs from a service provider's metadata to issue to it: the audience
//! (`entityID`), the recipient (an HTTP-POST AssertionConsumerService) and, for encrypted
//! assertions, the `KeyDescriptor use="encryption"` certificate and the algorithms it lists.

use samlkit_cert::Certificate;
use samlkit_dsig::{self as dsig, DataAlgorithm, NS_DSIG, NS_XENC, VerifyOptions};
use samlkit_xml::Node;

use crate::metadata::entity_descriptor;
use crate::verify::{child, map_dsig_error, parse_document};
use crate::{BINDING_HTTP_POST, ErrorKind, NS_METADATA, SamlError, decode_input};

/// A service provider as its metadata describes it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SpMetadata {
    /// The `entityID`: the audience.
    pub entity_id: String,
    /// The HTTP-POST AssertionConsumerService `Location`: the recipient and Destination.
    pub acs_url: String,
    /// The certificate of the first `KeyDescriptor use="encryption"` (or with no `use`).
    pub encryption_certificate: Option<Certificate>,
    /// The content algorithm to encrypt with: AES-256-GCM unless the SP lists only CBC (or only
    /// AES-128-GCM) among the `EncryptionMethod`s of that KeyDescriptor.
    pub preferred_data_algorithm: DataAlgorithm,
    /// Whether the metadata's signature was verified (only when trusted certificates were given).
    pub signature_verified: bool,
}

/// Reads SP metadata (raw XML or base64). `acs_index` picks the AssertionConsumerService with
/// that `index`; otherwise the HTTP-POST one marked `isDefault="true"`, else the lowest index.
/// With `trusted` certificates the metadata must carry a valid enveloped signature by one of
/// them.
///
/// # Errors
/// [`ErrorKind::UnexpectedDocument`] / [`ErrorKind::MalformedInput`] for metadata without the
/// parts needed, [`ErrorKind::SignatureMissing`] or the signature errors when `trusted` is given.
///
/// ```
/// let md = br#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com">
///   <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
///     <md:AssertionConsumerService index="1" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs"/>
///   </md:SPSSODescriptor>
/// </md:EntityDescriptor>"#;
/// let sp = samlkit_saml::read_sp_metadata(md, None, None)?;
/// assert_eq!(sp.acs_url, "https://sp.example.com/acs");
/// assert!(sp.encryption_certificate.is_none());
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub fn read_sp_metadata(
    input: &[u8],
    acs_index: Option<u32>,
    trusted: Option<&[Certificate]>,
) -> Result<SpMetadata, SamlError> {
    let bad = |m: String| SamlError::new(ErrorKind::MalformedInput, m);
    let (xml, _) = decode_input(input)?;
    let doc = parse_document(&xml)?;
    let root = entity_descriptor(&doc)?;
    let mut signature_verified = false;
    if let Some(trusted) = trusted {
        let sig = child(root, NS_DSIG, "Signature").ok_or_else(|| {
            SamlError::new(ErrorKind::SignatureMissing, "the SP metadata is not signed")
        })?;
        dsig::verify_signature(&doc, sig.id(), root.id(), trusted, &VerifyOptions::default())
            .map_err(map_dsig_error)?;
        signature_verified = true;
    }
    let entity_id = root
        .attribute("", "entityID")
        .ok_or_else(|| bad("the SP metadata's EntityDescriptor has no entityID".into()))?;
    let sp = child(root, NS_METADATA, "SPSSODescriptor")
        .ok_or_else(|| bad("the SP metadata has no md:SPSSODescriptor".into()))?;
    let index =
        |n: &Node<'_, '_>| n.attribute("", "index").and_then(|i| i.trim().parse::<u32>().ok());
    let services: Vec<Node<'_, '_>> = sp
        .element_children()
        .filter(|n| n.has_name(NS_METADATA, "AssertionConsumerService"))
        .collect();
    let chosen = match acs_index {
        Some(wanted) => services.iter().find(|n| index(n) == Some(wanted)).ok_or_else(|| {
            bad(format!("the SP metadata has no AssertionConsumerService with index {wanted}"))
        })?,
        None => {
            let post: Vec<&Node<'_, '_>> = services
                .iter()
                .filter(|n| n.attribute("", "Binding") == Some(BINDING_HTTP_POST))
                .collect();
            post.iter()
                .find(|n| n.attribute("", "isDefault").map(str::trim) == Some("true"))
                .or_else(|| post.iter().min_by_key(|n| index(n).unwrap_or(u32::MAX)))
                .copied()
                .ok_or_else(|| {
                    bad("the SP metadata has no HTTP-POST AssertionConsumerService".into())
                })?
        }
    };
    let acs_url = chosen
        .attribute("", "Location")
        .ok_or_else(|| bad("the AssertionConsumerService has no Location".into()))?;
    let key = sp
        .element_children()
        .filter(|n| n.has_name(NS_METADATA, "KeyDescriptor"))
        .find(|n| matches!(n.attribute("", "use"), None | Some("encryption")));
    let mut encryption_certificate = None;
    let mut preferred_data_algorithm = DataAlgorithm::Aes256Gcm;
    if let Some(key) = key {
        let der = key
            .descendants()
            .find(|n| n.has_name(NS_DSIG, "X509Certificate"))
            .map(|n| n.text_content())
            .ok_or_else(|| bad("the encryption KeyDescriptor has no X509Certificate".into()))?;
        let compact: String = der.split_ascii_whitespace().collect();
        encryption_certificate = Some(Certificate::load(compact.as_bytes()).or_else(|_| {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| bad(format!("the encryption certificate is not base64: {e}")))?;
            Certificate::from_der(&bytes).map_err(|e| bad(e.to_string()))
        })?);
        let listed: Vec<DataAlgorithm> = key
            .element_children()
            .filter(|n| {
                n.has_name(NS_METADATA, "EncryptionMethod")
                    || n.has_name(NS_XENC, "EncryptionMethod")
            })
            .filter_map(|n| n.attribute("", "Algorithm"))
            .filter_map(|uri| DataAlgorithm::from_uri(uri).ok())
            .collect();
        if !listed.is_empty() && !listed.contains(&DataAlgorithm::Aes256Gcm) {
            let order =
                [DataAlgorithm::Aes128Gcm, DataAlgorithm::Aes256Cbc, DataAlgorithm::Aes128Cbc];
            if let Some(alg) = order.into_iter().find(|a| listed.contains(a)) {
                preferred_data_algorithm = alg;
            }
        }
    }
    Ok(SpMetadata {
        entity_id: entity_id.to_string(),
        acs_url: acs_url.to_string(),
        encryption_certificate,
        preferred_data_algorithm,
        signature_verified,
    })
}
