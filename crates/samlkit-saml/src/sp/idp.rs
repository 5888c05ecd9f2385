//! [`IdentityProvider`]: what a service provider knows about the IdP it trusts, given by hand or
//! read from the IdP's metadata.

use chrono::{DateTime, Utc};
use samlkit_cert::Certificate;

use crate::metadata::{Endpoint, read_unverified_idp_metadata, verify_idp_metadata};
use crate::{BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ErrorKind, SamlError};

/// The identity provider a [`crate::ServiceProvider`] accepts logins from: its entity ID (the
/// Issuer of its responses), its SingleSignOnService URLs (where AuthnRequests go) and the
/// certificates its responses must be signed with. Listing two certificates accepts both, which
/// is how a key rotation is ridden through.
///
/// ```
/// # let cert = samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?;
/// use samlkit_saml::IdentityProvider;
/// let idp = IdentityProvider::new(
///     "https://idp.example.com",
///     "https://idp.example.com/sso",
///     vec![cert],
/// )?;
/// assert_eq!(idp.entity_id(), "https://idp.example.com");
/// assert_eq!(idp.sso_redirect_url(), Some("https://idp.example.com/sso"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityProvider {
    entity_id: String,
    sso_redirect: Option<String>,
    sso_post: Option<String>,
    certificates: Vec<Certificate>,
}

impl IdentityProvider {
    /// An IdP with entity ID `entity_id` whose SingleSignOnService is `sso_url` for both the
    /// HTTP-Redirect and the HTTP-POST binding, and whose responses are signed with one of
    /// `signing_certificates`.
    ///
    /// Errors ([`ErrorKind::MalformedInput`]): an entity ID that is empty or longer than 1024
    /// characters, an SSO URL that is not an absolute http(s) URL, no certificate.
    pub fn new(
        entity_id: impl Into<String>,
        sso_url: impl Into<String>,
        signing_certificates: Vec<Certificate>,
    ) -> Result<IdentityProvider, SamlError> {
        let sso_url = sso_url.into();
        IdentityProvider {
            entity_id: entity_id.into(),
            sso_redirect: Some(sso_url.clone()),
            sso_post: Some(sso_url),
            certificates: signing_certificates,
        }
        .checked()
    }

    /// Reads the IdP from its **signed** metadata (an `md:EntityDescriptor` with an
    /// `md:IDPSSODescriptor`, raw XML or base64): the signature must verify with one of
    /// `metadata_signers` (see [`crate::verify_idp_metadata`]) and `validUntil`, when present,
    /// must be after `now`. The entity ID, the SingleSignOnService URLs (HTTP-Redirect and
    /// HTTP-POST) and every signing certificate come from the signed document.
    ///
    /// ```
    /// # use samlkit_saml::*;
    /// # let key = samlkit_cert::PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key"))?;
    /// # let cert = samlkit_cert::Certificate::load(include_bytes!("../../../../fixtures/certs/idp.crt"))?;
    /// # let now: chrono::DateTime<chrono::Utc> = "2026-11-29T10:00:00Z".parse()?;
    /// # let unsigned = build_idp_metadata(&IdpMetadataParams {
    /// #     entity_id: "https://idp.example.com".into(),
    /// #     sso_url: "https://idp.example.com/sso".into(),
    /// #     slo_url: None,
    /// #     signing_certs: vec![cert.der().to_vec()],
    /// #     name_id_formats: vec![],
    /// #     valid_until: None,
    /// # });
    /// # let profile = SigningProfile {
    /// #     target: SignTarget::Response,
    /// #     method: samlkit_dsig::SignatureMethod::RsaSha256,
    /// #     digest: samlkit_dsig::DigestMethod::Sha256,
    /// # };
    /// # let credential = SigningCredential::new(&key, cert.clone())?;
    /// # let metadata = sign_document(&unsigned, &credential, &profile)?;
    /// // `metadata` is the IdP's signed metadata; `cert` the certificate it is signed with.
    /// let idp = IdentityProvider::from_metadata(metadata.as_bytes(), &[cert.clone()], now)?;
    /// assert_eq!(idp.entity_id(), "https://idp.example.com");
    /// assert_eq!(idp.signing_certificates(), &[cert]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_metadata(
        metadata: &[u8],
        metadata_signers: &[Certificate],
        now: DateTime<Utc>,
    ) -> Result<IdentityProvider, SamlError> {
        let verified = verify_idp_metadata(metadata, metadata_signers, now, false)?;
        IdentityProvider::from_parts(verified.entity_id, &verified.sso, verified.signing_certs)
    }

    /// Reads the IdP from metadata **without checking any signature**: whoever can change the
    /// document chooses which certificates this SP trusts. Use it only for metadata whose origin
    /// is already established, such as a file an administrator installed or a download over
    /// HTTPS from the IdP's own host; prefer [`IdentityProvider::from_metadata`] whenever the IdP
    /// signs its metadata. Every other check of `from_metadata` applies (document shape, unique
    /// IDs, `validUntil` after `now`, at least one signing certificate and SSO endpoint).
    pub fn from_unverified_metadata(
        metadata: &[u8],
        now: DateTime<Utc>,
    ) -> Result<IdentityProvider, SamlError> {
        let entity = read_unverified_idp_metadata(metadata, now)?;
        IdentityProvider::from_parts(entity.entity_id, &entity.sso, entity.signing_certs)
    }

    fn from_parts(
        entity_id: String,
        sso: &[Endpoint],
        certificates: Vec<Certificate>,
    ) -> Result<IdentityProvider, SamlError> {
        let location =
            |binding: &str| sso.iter().find(|e| e.binding == binding).map(|e| e.location.clone());
        let sso_redirect = location(BINDING_HTTP_REDIRECT);
        let sso_post = location(BINDING_HTTP_POST);
        if sso_redirect.is_none() && sso_post.is_none() {
            return Err(config_error(
                "the IdP metadata has no SingleSignOnService for the HTTP-Redirect or HTTP-POST binding",
            ));
        }
        IdentityProvider { entity_id, sso_redirect, sso_post, certificates }.checked()
    }

    fn checked(self) -> Result<IdentityProvider, SamlError> {
        check_entity_id("IdP", &self.entity_id)?;
        for url in self.sso_redirect.iter().chain(&self.sso_post) {
            check_http_url("IdP SingleSignOnService", url)?;
        }
        if self.certificates.is_empty() {
            return Err(config_error(format!(
                "no signing certificate for the IdP {:?}: its responses could not be verified",
                self.entity_id
            )));
        }
        Ok(self)
    }

    /// The IdP's entity ID: the Issuer its responses must carry.
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// Where AuthnRequests go with the HTTP-Redirect binding, if the IdP offers it.
    pub fn sso_redirect_url(&self) -> Option<&str> {
        self.sso_redirect.as_deref()
    }

    /// Where AuthnRequests go with the HTTP-POST binding, if the IdP offers it.
    pub fn sso_post_url(&self) -> Option<&str> {
        self.sso_post.as_deref()
    }

    /// The certificates a response may be signed with (the only source of trust).
    pub fn signing_certificates(&self) -> &[Certificate] {
        &self.certificates
    }
}

/// An unusable configuration value.
pub(crate) fn config_error(detail: impl Into<String>) -> SamlError {
    SamlError::new(ErrorKind::MalformedInput, detail)
}

/// An entity ID of 1 to 1024 characters (SAML core §8.3.6).
pub(crate) fn check_entity_id(whose: &str, entity_id: &str) -> Result<(), SamlError> {
    let len = entity_id.chars().count();
    if len == 0 || len > 1024 {
        return Err(config_error(format!(
            "the {whose} entity ID must be 1 to 1024 characters, not {len}"
        )));
    }
    Ok(())
}

/// An absolute `http://` or `https://` URL with a host, without whitespace or a fragment.
pub(crate) fn check_http_url(what: &str, url: &str) -> Result<(), SamlError> {
    let lower = url.to_ascii_lowercase();
    let has_host = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', '#']));
    if !has_host || url.contains('#') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(config_error(format!(
            "the {what} URL {url:?} is not an absolute http(s) URL without a #fragment"
        )));
    }
    Ok(())
}
