//! The protocol side of a test identity provider: what `samlkit idp serve` does with each SAML
//! message, without any HTTP.
//!
//! - [`SpRegistration`]: what the IdP knows about one service provider (from its metadata or by
//!   hand): entity ID, AssertionConsumerService endpoints, SingleLogoutService, the certificates
//!   its requests are signed with, and whether it must sign them.
//! - [`check_authn_request`]: an AuthnRequest from the HTTP-Redirect or HTTP-POST binding,
//!   checked the way a real IdP must (signature against the *registered* certificate only, never
//!   one carried in the request; registered ACS URL or index; Destination; IssueInstant
//!   freshness; replayed request IDs; size limits before and after inflating).
//! - [`ResponseShape`]: responses shaped like those of Okta, ADFS, Entra ID or Salesforce, as
//!   data; [`build_shaped_response`] builds one, [`build_status_response`] a SAML error Response
//!   (`RequestDenied`, `NoPassive`, …).
//! - [`parse_logout_request`], [`build_logout_request`], [`build_logout_response`]: single logout;
//!   [`check_logout_signature`] checks a logout message's signature (either binding) like an
//!   AuthnRequest's.
//! - What an IdP remembers between requests, bounded whatever the traffic: [`RequestIdCache`]
//!   (answered AuthnRequest IDs, forgotten once stale, refusing rather than forgetting a live one
//!   when full) and [`ExpiringMap`] (sessions and pending logins, by lifetime and count).
//!
//! Like the rest of the crate it never reads the clock: `now` is a parameter.

mod expiring;
mod logout;
mod replay;
mod request;
mod response;
mod shape;
mod sp;

pub use expiring::ExpiringMap;
pub use logout::{
    LogoutRequestInfo, build_logout_request, build_logout_response, check_logout_signature,
    parse_logout_request, parse_logout_response,
};
pub use replay::RequestIdCache;
pub use request::{
    AuthnRequestInfo, ErrorAnswer, IncomingRequest, MAX_REQUEST_BYTES, Refusal, RequestCheck,
    check_authn_request,
};
#[cfg(feature = "test-harness")]
pub(crate) use response::write_shaped_response;
pub use response::{StatusCode, build_shaped_response, build_status_response};
pub use shape::{ResponseShape, SHAPES};
pub use sp::{AcsEndpoint, SpRegistration};
