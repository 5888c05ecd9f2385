//! The SAML 2.0 model and builder, the signing profile, signature-wrapping-safe verification of
//! responses, and IdP metadata.
//!
//! This crate never reads the clock or the environment: `now` and all policy are parameters.
#![forbid(unsafe_code)]

mod breaks;
mod builder;
mod error;
mod escape;
mod id;
mod input;
mod metadata;
mod sign;
mod time;
mod verify;

pub use breaks::{
    BreakInput, BreakKind, EVIL_NAME_ID, SigningCredential, WRONG_AUDIENCE, WRONG_ISSUER,
    WRONG_RECIPIENT, attacker_key_pair, build_broken_response,
};
pub use builder::{
    AC_PASSWORD_PROTECTED_TRANSPORT, Attribute, BuiltResponse, CM_BEARER, NS_ASSERTION,
    NS_PROTOCOL, NS_XS, NS_XSI, ResponseIds, ResponseParams, STATUS_SUCCESS, build_response,
    build_response_with_ids, group_attributes, name_id_format_uri,
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
    VerifiedMetadata, build_idp_metadata, verify_idp_metadata,
};
pub use sign::{SignTarget, SigningProfile, sign_document};
pub use time::{format_instant, parse_instant};
pub use verify::{
    Binding, DEFAULT_SKEW_SECONDS, Explanation, Require, SignedPart, VerifiedAssertion,
    VerifyPolicy, explain_response, verify_response,
};
pub mod redirect;
