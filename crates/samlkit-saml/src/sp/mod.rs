//! [`ServiceProvider`]: the safe way for a service provider to accept SAML logins.
//!
//! A `ServiceProvider` knows its own entity ID and ACS URL and the [`IdentityProvider`] it
//! trusts, so [`ServiceProvider::verify_post`] always checks everything that binds a response to
//! this SP and this IdP: signature (with the IdP's certificates only), audience, Destination and
//! Recipient, Issuer, InResponseTo against the requests still outstanding, the time conditions,
//! and, through a [`ReplayCache`], that the assertion was not used before. Loosening any of that
//! is a named builder method ([`ServiceProviderBuilder::allow_unsolicited`],
//! [`ServiceProviderBuilder::allow_insecure_sha1`], …).
//!
//! **Encrypted assertions**: give the SP's private keys to
//! [`ServiceProviderBuilder::decryption_keys`]; an EncryptedAssertion (and EncryptedID,
//! EncryptedAttribute) is then decrypted under the rules of [`crate::verify_response`] (Response
//! signature first, one `decryption_failed` for every failure, no RSA-1_5, CBC only under a
//! Response signature, the decrypted assertion accepted only when signed). Without keys such a
//! response is refused with [`crate::ErrorKind::EncryptedAssertionUnsupported`], never skipped.

mod authn_request;
mod idp;
mod replay;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use samlkit_dsig::DecryptionKey;

use crate::metadata::entity_descriptor;
use crate::verify::{child, parse_document};
use crate::{
    BINDING_HTTP_POST, DEFAULT_SKEW_SECONDS, Explanation, NS_METADATA, Require, SamlError,
    VerifiedAssertion, VerifyPolicy, decode_input, explain_response, verify_response,
};

pub use authn_request::{AuthnRequestBuilder, PostRequest, RedirectRequest};
pub use idp::IdentityProvider;
pub use replay::{InMemoryReplayCache, ReplayCache};

use idp::{check_entity_id, check_http_url, config_error};

/// The largest clock skew a [`ServiceProviderBuilder`] accepts: one hour.
pub const MAX_SKEW_SECONDS: i64 = 3600;

/// A SAML service provider: its entity ID, its AssertionConsumerService URL (where the IdP posts
/// responses) and the IdP it trusts. Build one with [`ServiceProvider::builder`] (or
/// [`ServiceProvider::builder_from_metadata`]), once, and share it: every method takes `&self`.
///
/// ```
/// # use base64::Engine;
/// # let idp_cert = samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?;
/// # let saml_response_field = base64::engine::general_purpose::STANDARD
/// #     .encode(include_str!("../../data/example-response.xml"));
/// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:01:00Z".parse()?;
/// use samlkit_saml::{IdentityProvider, InMemoryReplayCache, ServiceProvider};
///
/// let idp = IdentityProvider::new(
///     "https://idp.example.com",
///     "https://idp.example.com/sso",
///     vec![idp_cert],
/// )?;
/// let sp = ServiceProvider::builder("https://sp.example.com", "https://sp.example.com/acs", idp)
///     .build()?;
/// let replay_cache = InMemoryReplayCache::new();
///
/// // In the ACS handler: the SAMLResponse form field, and the IDs of the AuthnRequests this
/// // browser session has outstanding.
/// let login = sp.verify_post(&saml_response_field, ["_req1"], &replay_cache, now)?;
/// assert_eq!(login.name_id(), "alice@example.com");
///
/// // The same response again is a replay.
/// let again = sp.verify_post(&saml_response_field, ["_req1"], &replay_cache, now);
/// assert_eq!(again.unwrap_err().code(), "replayed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServiceProvider {
    entity_id: String,
    acs_url: String,
    idp: IdentityProvider,
    skew: Duration,
    require: Require,
    allow_unsolicited: bool,
    allow_bare_assertion: bool,
    allow_sha1: bool,
    decryption_keys: Arc<Vec<DecryptionKey>>,
}

impl ServiceProvider {
    /// Starts configuring the SP `sp_entity_id` (the audience its responses must name) whose
    /// AssertionConsumerService (HTTP-POST) is `acs_url` (their Destination and Recipient), trusting
    /// `idp`. Every check is on until loosened by a builder method.
    pub fn builder(
        sp_entity_id: impl Into<String>,
        acs_url: impl Into<String>,
        idp: IdentityProvider,
    ) -> ServiceProviderBuilder {
        ServiceProviderBuilder {
            sp: ServiceProvider {
                entity_id: sp_entity_id.into(),
                acs_url: acs_url.into(),
                idp,
                skew: Duration::seconds(DEFAULT_SKEW_SECONDS),
                require: Require::Any,
                allow_unsolicited: false,
                allow_bare_assertion: false,
                allow_sha1: false,
                decryption_keys: Arc::new(Vec::new()),
            },
        }
    }

    /// [`ServiceProvider::builder`] with the entity ID and ACS URL read from the SP's own
    /// metadata (an `md:EntityDescriptor` with an `md:SPSSODescriptor`, raw XML or base64): the
    /// `entityID`, and the HTTP-POST `AssertionConsumerService` marked `isDefault="true"`, else
    /// the one with the lowest `index`. The SP's metadata is its own configuration, so it need
    /// not be signed; the IdP's is read with [`IdentityProvider::from_metadata`].
    ///
    /// ```
    /// # let idp_cert = samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?;
    /// use samlkit_saml::{IdentityProvider, ServiceProvider};
    /// let sp_metadata = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com">
    ///   <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ///     <md:AssertionConsumerService index="0" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs"/>
    ///   </md:SPSSODescriptor>
    /// </md:EntityDescriptor>"#;
    /// let idp = IdentityProvider::new("https://idp.example.com", "https://idp.example.com/sso", vec![idp_cert])?;
    /// let sp = ServiceProvider::builder_from_metadata(sp_metadata.as_bytes(), idp)?.build()?;
    /// assert_eq!(sp.acs_url(), "https://sp.example.com/acs");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder_from_metadata(
        sp_metadata: &[u8],
        idp: IdentityProvider,
    ) -> Result<ServiceProviderBuilder, SamlError> {
        let (entity_id, acs_url) = read_sp_metadata(sp_metadata)?;
        Ok(ServiceProvider::builder(entity_id, acs_url, idp))
    }

    /// The SP's entity ID.
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The SP's AssertionConsumerService URL.
    pub fn acs_url(&self) -> &str {
        &self.acs_url
    }

    /// The trusted IdP.
    pub fn idp(&self) -> &IdentityProvider {
        &self.idp
    }

    /// Verifies the `SAMLResponse` field of a form posted to the ACS URL (its base64 value, as a
    /// web framework's form decoding yields it; raw XML is accepted too) and returns the login
    /// only if everything holds:
    ///
    /// - the signature profile of [`crate::verify_response`], with the IdP's certificates;
    /// - audience = this SP's entity ID, Destination and Recipient = this SP's ACS URL, Issuer =
    ///   the IdP's entity ID;
    /// - InResponseTo is one of `outstanding_request_ids` (the [`RedirectRequest::id`]s this
    ///   browser session started and has not finished); a response that answers no request is
    ///   refused unless [`ServiceProviderBuilder::allow_unsolicited`];
    /// - NotBefore / NotOnOrAfter against `now` with the configured skew;
    /// - and last, `replay_cache` has not seen the Assertion ID: it is recorded until
    ///   [`VerifiedAssertion::replay_window_end`], so the same response is refused next time.
    ///
    /// After a success, remove [`VerifiedAssertion::in_response_to`] from the outstanding IDs.
    /// Errors carry an [`crate::ErrorKind`]; show a browser only its title or code (the detail
    /// may quote attacker-chosen text, see [`SamlError::detail`]).
    ///
    /// ```
    /// # use base64::Engine;
    /// # let idp_cert = samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?;
    /// # let field = base64::engine::general_purpose::STANDARD
    /// #     .encode(include_str!("../../data/example-response.xml"));
    /// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:01:00Z".parse()?;
    /// use samlkit_saml::{ErrorKind, IdentityProvider, InMemoryReplayCache, ServiceProvider};
    /// let idp = IdentityProvider::new("https://idp.example.com", "https://idp.example.com/sso", vec![idp_cert])?;
    /// let sp = ServiceProvider::builder("https://sp.example.com", "https://sp.example.com/acs", idp)
    ///     .build()?;
    /// let cache = InMemoryReplayCache::new();
    ///
    /// // A response to a request this session did not make is refused.
    /// let err = sp.verify_post(&field, ["_someone_elses"], &cache, now).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InResponseToMismatched);
    ///
    /// let login = sp.verify_post(&field, ["_req1"], &cache, now)?;
    /// assert_eq!(login.in_response_to(), Some("_req1"));
    /// assert_eq!(login.attribute_texts("groups"), ["admins", "staff"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_post<I, R>(
        &self,
        saml_response: &str,
        outstanding_request_ids: I,
        replay_cache: &R,
        now: DateTime<Utc>,
    ) -> Result<VerifiedAssertion, SamlError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
        R: ReplayCache + ?Sized,
    {
        let policy = self.policy(outstanding_request_ids, now);
        let login = verify_response(saml_response.as_bytes(), &policy)?;
        replay_cache.check_and_insert(login.assertion_id(), login.replay_window_end(), now)?;
        Ok(login)
    }

    /// The checks of [`ServiceProvider::verify_post`] with each step recorded in words, for an
    /// administrator looking into a failed login. It does not consult or change a replay cache,
    /// so an [`Explanation`] with a valid outcome is not a login.
    pub fn explain_post<I>(
        &self,
        saml_response: &str,
        outstanding_request_ids: I,
        now: DateTime<Utc>,
    ) -> Explanation
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        explain_response(saml_response.as_bytes(), &self.policy(outstanding_request_ids, now))
    }

    /// Starts an AuthnRequest from this SP to its IdP, issued at `now`; see
    /// [`AuthnRequestBuilder`].
    ///
    /// ```
    /// # let idp_cert = samlkit_cert::Certificate::load(include_bytes!("../../data/example-idp.crt"))?;
    /// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse()?;
    /// use samlkit_saml::{IdentityProvider, ServiceProvider};
    /// let idp = IdentityProvider::new("https://idp.example.com", "https://idp.example.com/sso", vec![idp_cert])?;
    /// let sp = ServiceProvider::builder("https://sp.example.com", "https://sp.example.com/acs", idp)
    ///     .build()?;
    ///
    /// let request = sp.authn_request(now).relay_state("/reports").redirect()?;
    /// // Store request.id() with the browser session as outstanding, then redirect to the URL.
    /// assert!(request.url().starts_with("https://idp.example.com/sso?SAMLRequest="));
    /// assert!(request.url().ends_with("&RelayState=%2Freports"));
    /// assert!(request.xml().contains(&format!("ID=\"{}\"", request.id())));
    /// assert!(request.xml().contains("AssertionConsumerServiceURL=\"https://sp.example.com/acs\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authn_request(&self, now: DateTime<Utc>) -> AuthnRequestBuilder<'_> {
        AuthnRequestBuilder::new(self, now)
    }

    /// The verification policy for one response.
    fn policy<I>(&self, outstanding_request_ids: I, now: DateTime<Utc>) -> VerifyPolicy<'_>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ids: Vec<String> =
            outstanding_request_ids.into_iter().map(|id| id.as_ref().to_string()).collect();
        let mut policy = VerifyPolicy::new(
            self.idp.signing_certificates(),
            self.entity_id.as_str(),
            self.acs_url.as_str(),
            self.idp.entity_id(),
            now,
        )
        .in_response_to(ids)
        .skew(self.skew)
        .require(self.require)
        .decryption_keys(self.decryption_keys.as_slice());
        if self.allow_unsolicited {
            policy = policy.allow_unsolicited();
        }
        if self.allow_bare_assertion {
            policy = policy.allow_bare_assertion();
        }
        if self.allow_sha1 {
            policy = policy.allow_insecure_sha1();
        }
        policy
    }
}

/// Configures a [`ServiceProvider`]; see [`ServiceProvider::builder`]. Every check is on by
/// default; each method that turns one off says what it costs.
#[derive(Clone, Debug)]
#[must_use = "a ServiceProviderBuilder does nothing until build()"]
pub struct ServiceProviderBuilder {
    sp: ServiceProvider,
}

impl ServiceProviderBuilder {
    /// The allowed clock difference with the IdP for every time condition (default 3 minutes,
    /// at most [`MAX_SKEW_SECONDS`]).
    pub fn skew(mut self, skew: Duration) -> Self {
        self.sp.skew = skew;
        self
    }

    /// Which signature must be present (default: the Response's or the Assertion's).
    pub fn require(mut self, require: Require) -> Self {
        self.sp.require = require;
        self
    }

    /// Accepts IdP-initiated logins: a response that answers no request. Such a response can be
    /// pushed to a victim's browser by anyone holding one (login CSRF), so allow it only when
    /// the IdP-initiated flow is needed. A response that answers a request must still answer
    /// an outstanding one.
    pub fn allow_unsolicited(mut self) -> Self {
        self.sp.allow_unsolicited = true;
        self
    }

    /// Accepts a signed `saml:Assertion` posted without a `samlp:Response` around it (some
    /// legacy IdPs). The Web Browser SSO profile always sends a Response.
    pub fn allow_bare_assertion(mut self) -> Self {
        self.sp.allow_bare_assertion = true;
        self
    }

    /// Accepts rsa-sha1 signatures and SHA-1 digests. SHA-1 collisions are practical: allow it
    /// only for a legacy IdP that cannot be upgraded.
    pub fn allow_insecure_sha1(mut self) -> Self {
        self.sp.allow_sha1 = true;
        self
    }

    /// The SP's private keys for encrypted assertions (the ones whose certificates its metadata
    /// publishes with `use="encryption"`; several during a rotation). The keys stay inside the
    /// `ServiceProvider` and are never printed.
    pub fn decryption_keys(mut self, keys: Vec<DecryptionKey>) -> Self {
        self.sp.decryption_keys = Arc::new(keys);
        self
    }

    /// Checks the configuration and returns the service provider.
    ///
    /// Errors ([`crate::ErrorKind::MalformedInput`]): an entity ID that is empty or longer than
    /// 1024 characters, an ACS URL that is not an absolute http(s) URL, a skew below zero or
    /// above [`MAX_SKEW_SECONDS`].
    pub fn build(self) -> Result<ServiceProvider, SamlError> {
        let sp = self.sp;
        check_entity_id("SP", &sp.entity_id)?;
        check_http_url("ACS", &sp.acs_url)?;
        let seconds = sp.skew.num_seconds();
        if !(0..=MAX_SKEW_SECONDS).contains(&seconds) {
            return Err(config_error(format!(
                "the clock skew must be 0 to {MAX_SKEW_SECONDS} seconds, not {seconds}"
            )));
        }
        Ok(sp)
    }
}

/// The entity ID and the default HTTP-POST ACS URL in SP metadata.
fn read_sp_metadata(input: &[u8]) -> Result<(String, String), SamlError> {
    let (xml, _) = decode_input(input)?;
    let doc = parse_document(&xml)?;
    let root = entity_descriptor(&doc)?;
    let entity_id = root
        .attribute("", "entityID")
        .ok_or_else(|| config_error("the SP metadata's EntityDescriptor has no entityID"))?;
    let descriptor = child(root, NS_METADATA, "SPSSODescriptor")
        .ok_or_else(|| config_error("the SP metadata has no md:SPSSODescriptor"))?;
    let post_services: Vec<_> = descriptor
        .element_children()
        .filter(|n| n.has_name(NS_METADATA, "AssertionConsumerService"))
        .filter(|n| n.attribute("", "Binding") == Some(BINDING_HTTP_POST))
        .collect();
    let index = |n: &samlkit_xml::Node<'_, '_>| {
        n.attribute("", "index").and_then(|i| i.trim().parse::<u32>().ok()).unwrap_or(u32::MAX)
    };
    let chosen = post_services
        .iter()
        .find(|n| n.attribute("", "isDefault").map(str::trim) == Some("true"))
        .or_else(|| post_services.iter().min_by_key(|n| index(n)))
        .and_then(|n| n.attribute("", "Location"))
        .ok_or_else(|| {
            config_error(
                "the SP metadata has no HTTP-POST AssertionConsumerService with a Location",
            )
        })?;
    Ok((entity_id.to_string(), chosen.to_string()))
}
