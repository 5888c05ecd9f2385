//! SAML 2.0 Web Browser SSO for both sides: a service provider that accepts logins safely, and
//! the identity-provider tools to build, sign and break responses and metadata.
//!
//! # For a service provider: [`ServiceProvider`]
//!
//! Configure a [`ServiceProvider`] once with its entity ID, its AssertionConsumerService URL and
//! the [`IdentityProvider`] it trusts (by hand, or from the IdP's signed metadata). Then:
//!
//! 1. **Login starts**: [`ServiceProvider::authn_request`] builds an AuthnRequest for the
//!    HTTP-Redirect or HTTP-POST binding. Keep its ID with the browser session: it is
//!    *outstanding* until the response comes back.
//! 2. **The IdP posts a response** to the ACS URL: [`ServiceProvider::verify_post`] takes the
//!    `SAMLResponse` form field, the outstanding request IDs, a [`ReplayCache`] and `now`, and
//!    returns a [`VerifiedAssertion`] only if the signature, audience, Destination, Recipient,
//!    Issuer, InResponseTo and time conditions all hold and the assertion was not used before.
//!    A `VerifiedAssertion` cannot be made any other way.
//! 3. **On failure**, the [`SamlError`] says what failed ([`SamlError::kind`]). Show a browser only
//!    [`ErrorKind::title`] or [`ErrorKind::code`]: [`SamlError::detail`] may quote text an
//!    attacker chose. [`ServiceProvider::explain_post`] lists every step for an administrator.
//!
//! An ACS handler, from the form field to the login:
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use samlkit_saml::{
//!     IdentityProvider, InMemoryReplayCache, SamlError, ServiceProvider, VerifiedAssertion,
//! };
//!
//! /// What the web framework hands the ACS handler.
//! struct AcsRequest<'a> {
//!     saml_response: &'a str,
//!     outstanding_request_ids: Vec<String>,
//! }
//!
//! fn acs(
//!     sp: &ServiceProvider,
//!     replay_cache: &InMemoryReplayCache,
//!     request: &AcsRequest<'_>,
//!     now: DateTime<Utc>,
//! ) -> Result<VerifiedAssertion, SamlError> {
//!     sp.verify_post(request.saml_response, &request.outstanding_request_ids, replay_cache, now)
//! }
//!
//! # use base64::Engine;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let idp_cert = samlkit_cert::Certificate::load(include_bytes!("../data/example-idp.crt"))?;
//! let idp = IdentityProvider::new(
//!     "https://idp.example.com",
//!     "https://idp.example.com/sso",
//!     vec![idp_cert],
//! )?;
//! let sp = ServiceProvider::builder("https://sp.example.com", "https://sp.example.com/acs", idp)
//!     .build()?;
//! let replay_cache = InMemoryReplayCache::new();
//!
//! // The browser posts SAMLResponse=<base64 of the signed response> to the ACS URL, in answer
//! // to the AuthnRequest "_req1" this session sent.
//! let field = base64::engine::general_purpose::STANDARD
//!     .encode(include_str!("../data/example-response.xml"));
//! let request =
//!     AcsRequest { saml_response: &field, outstanding_request_ids: vec!["_req1".into()] };
//! let now: DateTime<Utc> = "2026-01-01T00:01:00Z".parse()?;
//!
//! let login = acs(&sp, &replay_cache, &request, now)?;
//! assert_eq!(login.name_id(), "alice@example.com");
//! assert_eq!(login.session_index(), Some("_s1"));
//!
//! // Posting the same response again is refused, and so is any response after it expired.
//! let replayed = acs(&sp, &replay_cache, &request, now).unwrap_err();
//! assert_eq!(replayed.kind().title(), "Assertion Replayed");
//! let late: DateTime<Utc> = "2026-01-01T01:00:00Z".parse()?;
//! assert_eq!(acs(&sp, &InMemoryReplayCache::new(), &request, late).unwrap_err().code(), "assertion_expired");
//! # Ok(())
//! # }
//! ```
//!
//! `examples/axum_sp.rs` is a complete web SP on axum (login redirect, ACS, replay cache).
//!
//! # Lower level
//!
//! [`verify_response`] with a [`VerifyPolicy`] verifies a response without an SP configuration
//! (the `samlkit verify` command uses it); [`build_response`] and [`sign_document`] make
//! responses as an IdP does; [`build_idp_metadata`] and [`verify_idp_metadata`] handle IdP
//! metadata; [`redirect`] is the HTTP-Redirect binding.
//!
//! This crate never reads the clock or the environment: `now` and all policy are parameters.
#![forbid(unsafe_code)]

#[cfg(feature = "test-harness")]
pub mod audit;
#[cfg(feature = "test-harness")]
mod breaks;
mod builder;
mod credential;
pub mod decode;
mod encrypt;
mod error;
mod escape;
mod id;
pub mod idp;
mod input;
mod metadata;
pub mod pin;
mod post;
mod sign;
mod sp;
mod sp_metadata;
mod time;
mod verify;

#[cfg(feature = "test-harness")]
pub use breaks::{
    BreakInput, BreakKind, EVIL_NAME_ID, WRONG_AUDIENCE, WRONG_ISSUER, WRONG_RECIPIENT,
    attacker_credential, build_broken_response, build_shaped_broken_response,
};
pub use builder::{
    AC_PASSWORD_PROTECTED_TRANSPORT, Attribute, BuiltResponse, CM_BEARER, NS_ASSERTION,
    NS_PROTOCOL, NS_XS, NS_XSI, PrefixStyle, ResponseIds, ResponseParams, STATUS_SUCCESS,
    build_response, build_response_with_ids, group_attributes, name_id_format_uri,
};
pub use credential::SigningCredential;
pub use encrypt::{
    AssertionEncryption, DecryptedDocument, decrypt_document, encrypt_assertion, encrypt_name_id,
    sign_and_encrypt,
};
pub use error::{ErrorKind, Hint, SamlError};
pub use escape::{escape_attr, escape_text};
pub use id::{is_ncname, new_id};
pub use input::{
    InputEncoding, MAX_INFLATED_MESSAGE_BYTES, MAX_MESSAGE_BYTES, MAX_MESSAGE_NODES, decode_input,
    message_limits,
};
pub use metadata::{
    BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, Endpoint, IdpMetadataParams, NS_METADATA,
    VerifiedMetadata, add_encryption_key_descriptor, build_idp_metadata, verify_idp_metadata,
};
pub use post::post_form;
pub use sign::{SignTarget, SigningProfile, sign_document};
pub use sp::{
    AuthnRequestBuilder, IdentityProvider, InMemoryReplayCache, MAX_SKEW_SECONDS, PostRequest,
    RedirectRequest, ReplayCache, ServiceProvider, ServiceProviderBuilder,
};
pub use sp_metadata::{SpMetadata, read_sp_metadata};
pub use time::{format_instant, parse_instant};
pub use verify::{
    AttributeValue, Binding, CertStatus, DEFAULT_SKEW_SECONDS, Explanation, ProxyRestriction,
    Require, SignedPart, VerifiedAssertion, VerifyPolicy, explain_response, verify_response,
};
pub mod redirect;
