//! [`SpRegistration`]: one service provider as the identity provider knows it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;
use samlkit_dsig::NS_DSIG;

use crate::metadata::entity_descriptor;
use crate::verify::{child, parse_document};
use crate::{
    BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, Endpoint, ErrorKind, NS_METADATA, SamlError,
    decode_input,
};

/// One registered AssertionConsumerService.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsEndpoint {
    /// Where responses are posted.
    pub location: String,
    /// The binding URI (this IdP answers with [`BINDING_HTTP_POST`]).
    pub binding: String,
    /// The `index` an AuthnRequest may name instead of the URL.
    pub index: Option<u32>,
    /// `isDefault="true"` in the metadata.
    pub is_default: bool,
}

/// What the identity provider knows about one service provider. Everything here comes from the
/// IdP's own configuration (or the SP metadata it was given): nothing in a request can add to it.
#[derive(Debug, Clone)]
pub struct SpRegistration {
    /// The SP's entity ID: the Issuer of its requests and the audience of its assertions.
    pub entity_id: String,
    /// Registered AssertionConsumerService endpoints, in metadata order.
    pub acs: Vec<AcsEndpoint>,
    /// SingleLogoutService endpoints, in metadata order.
    pub slo: Vec<Endpoint>,
    /// Certificates the SP signs its requests with (`KeyDescriptor use="signing"` or no `use`).
    /// The only keys a request signature is checked against.
    pub signing_certs: Vec<Certificate>,
    /// Refuse unsigned AuthnRequests (metadata `AuthnRequestsSigned="true"`, or configuration).
    pub want_authn_requests_signed: bool,
}

impl SpRegistration {
    /// A registration by hand: one HTTP-POST ACS URL (index 0, default), optional SLO URL
    /// (HTTP-Redirect), no certificates.
    ///
    /// ```
    /// let sp = samlkit_saml::idp::SpRegistration::new("https://sp.example.com", "https://sp.example.com/acs", None);
    /// assert_eq!(sp.default_acs().map(|a| a.location.as_str()), Some("https://sp.example.com/acs"));
    /// ```
    pub fn new(entity_id: &str, acs_url: &str, slo_url: Option<&str>) -> SpRegistration {
        SpRegistration {
            entity_id: entity_id.to_string(),
            acs: vec![AcsEndpoint {
                location: acs_url.to_string(),
                binding: BINDING_HTTP_POST.to_string(),
                index: Some(0),
                is_default: true,
            }],
            slo: slo_url
                .map(|u| {
                    vec![Endpoint {
                        binding: BINDING_HTTP_REDIRECT.to_string(),
                        location: u.to_string(),
                    }]
                })
                .unwrap_or_default(),
            signing_certs: Vec::new(),
            want_authn_requests_signed: false,
        }
    }

    /// Reads SP metadata (an `md:EntityDescriptor` with an `md:SPSSODescriptor`, raw XML or
    /// base64). The SP's metadata is the IdP's configuration, so it need not be signed.
    ///
    /// Errors ([`ErrorKind::MalformedInput`] and the parser's): no entityID, no SPSSODescriptor,
    /// no HTTP-POST AssertionConsumerService, a certificate that does not parse.
    pub fn from_metadata(input: &[u8]) -> Result<SpRegistration, SamlError> {
        let bad = |m: String| SamlError::new(ErrorKind::MalformedInput, m);
        let (xml, _) = decode_input(input)?;
        let doc = parse_document(&xml)?;
        let root = entity_descriptor(&doc)?;
        let entity_id = root
            .attribute("", "entityID")
            .ok_or_else(|| bad("the SP metadata's EntityDescriptor has no entityID".into()))?
            .trim()
            .to_string();
        let descriptor = child(root, NS_METADATA, "SPSSODescriptor")
            .ok_or_else(|| bad("the SP metadata has no md:SPSSODescriptor".into()))?;
        let mut acs = Vec::new();
        let mut slo = Vec::new();
        let mut signing_certs = Vec::new();
        for n in descriptor.element_children() {
            let attr = |name: &str| n.attribute("", name).map(str::trim).unwrap_or("").to_string();
            if n.has_name(NS_METADATA, "AssertionConsumerService") {
                acs.push(AcsEndpoint {
                    location: attr("Location"),
                    binding: attr("Binding"),
                    index: attr("index").parse().ok(),
                    is_default: attr("isDefault") == "true",
                });
            } else if n.has_name(NS_METADATA, "SingleLogoutService") {
                slo.push(Endpoint { binding: attr("Binding"), location: attr("Location") });
            } else if n.has_name(NS_METADATA, "KeyDescriptor")
                && matches!(n.attribute("", "use"), None | Some("signing"))
            {
                for c in n.descendants().filter(|c| c.has_name(NS_DSIG, "X509Certificate")) {
                    let b64: String =
                        c.text_content().chars().filter(|ch| !ch.is_ascii_whitespace()).collect();
                    let cert = STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|e| e.to_string())
                        .and_then(|der| Certificate::from_der(&der).map_err(|e| e.to_string()))
                        .map_err(|e| {
                            bad(format!("X509Certificate at {} is unusable: {e}", c.position()))
                        })?;
                    signing_certs.push(cert);
                }
            }
        }
        if !acs.iter().any(|a| a.binding == BINDING_HTTP_POST && !a.location.is_empty()) {
            return Err(bad(format!(
                "the SP metadata of {entity_id:?} has no HTTP-POST AssertionConsumerService with a Location"
            )));
        }
        let want_authn_requests_signed =
            descriptor.attribute("", "AuthnRequestsSigned").map(str::trim) == Some("true");
        Ok(SpRegistration { entity_id, acs, slo, signing_certs, want_authn_requests_signed })
    }

    /// The HTTP-POST ACS used when a request names none: the one marked default, else the
    /// lowest index, else the first.
    pub fn default_acs(&self) -> Option<&AcsEndpoint> {
        let post = || self.acs.iter().filter(|a| a.binding == BINDING_HTTP_POST);
        post()
            .find(|a| a.is_default)
            .or_else(|| post().filter(|a| a.index.is_some()).min_by_key(|a| a.index))
            .or_else(|| post().next())
    }

    /// The SingleLogoutService to send a LogoutRequest to (HTTP-Redirect preferred).
    pub fn slo_endpoint(&self) -> Option<&Endpoint> {
        self.slo
            .iter()
            .find(|e| e.binding == BINDING_HTTP_REDIRECT)
            .or_else(|| self.slo.iter().find(|e| e.binding == BINDING_HTTP_POST))
    }
}
