//! Shared by the samlkit-saml integration tests: the bundled IdP credential, the instant test
//! responses are issued at, and the response and policy every test starts from (each test
//! overrides what it is about).
#![allow(dead_code)]
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use samlkit_cert::{Certificate, PrivateKey, Signer};
use samlkit_saml::{ResponseParams, SigningCredential, VerifyPolicy, name_id_format_uri};

pub(crate) const IDP_KEY: &[u8] = include_bytes!("../../../../fixtures/keys/idp.key");
pub(crate) const IDP_CERT: &[u8] = include_bytes!("../../../../fixtures/certs/idp.crt");
pub(crate) const IDP: &str = "https://idp.example.com";
pub(crate) const SP: &str = "https://sp.example.com";
pub(crate) const ACS: &str = "https://sp.example.com/acs";

/// The instant every test response is issued at.
pub(crate) fn issued() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap()
}

/// The IdP's signer and certificate.
pub(crate) fn idp() -> (Signer, Certificate) {
    let key = PrivateKey::load(IDP_KEY).unwrap();
    (key.signer().unwrap(), Certificate::load(IDP_CERT).unwrap())
}

/// The IdP's key and certificate as a signing credential.
pub(crate) fn idp_credential() -> SigningCredential {
    let key = PrivateKey::load(IDP_KEY).unwrap();
    SigningCredential::new(&key, Certificate::load(IDP_CERT).unwrap()).unwrap()
}

/// A response for alice@example.com from [`IDP`] to [`SP`], issued at [`issued`], valid for
/// five minutes, answering `_req1`, with no attributes.
pub(crate) fn alice_params() -> ResponseParams {
    ResponseParams {
        issuer: IDP.into(),
        name_id: "alice@example.com".into(),
        name_id_format: name_id_format_uri("email").unwrap(),
        audiences: vec![SP.into()],
        recipient: Some(ACS.into()),
        destination: Some(ACS.into()),
        in_response_to: Some("_req1".into()),
        attributes: Vec::new(),
        session_index: Some("_s1".into()),
        issue_instant: issued(),
        valid_for: Duration::seconds(300),
    }
}

/// The SP's policy for [`alice_params`] responses at `now`: audience, recipient and issuer
/// checked, InResponseTo not, 180 s skew, either signature accepted, no SHA-1.
pub(crate) fn sp_policy(trusted: &[Certificate], now: DateTime<Utc>) -> VerifyPolicy<'_> {
    VerifyPolicy::new(trusted, SP, ACS, IDP, now)
}
