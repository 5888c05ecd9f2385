//! The SAML 2.0 model and builder, the signing profile, signature-wrapping-safe verification of
//! responses, and IdP metadata.
#![forbid(unsafe_code)]

pub mod redirect;
