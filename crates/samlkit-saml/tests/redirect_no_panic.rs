//! No URL makes the redirect verifier panic: arbitrary strings, and mutations of a valid signed
//! URL (which must then fail, not pass, unless the mutation left the signed octets unchanged).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use samlkit_cert::{PrivateKey, SignatureAlgorithm};
use samlkit_saml::redirect::{self, MessageKind};

const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
const XML: &[u8] = include_bytes!("../../../fixtures/redirect/authn-request.xml");

fn signed_url() -> String {
    let key = PrivateKey::from_pem(KEY).unwrap();
    redirect::sign_url(
        "https://idp.example.com/sso",
        MessageKind::Request,
        XML,
        Some("state"),
        SignatureAlgorithm::RsaSha256,
        &key.signer().unwrap(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_urls(url in any::<String>(), query in "[A-Za-z=&%+0-9]{0,200}") {
        let pk = PrivateKey::from_pem(KEY).unwrap().public_key();
        let _ = redirect::verify_url(&url, &pk, true);
        let _ = redirect::verify_url(&format!("https://x/?SAMLRequest=&{query}"), &pk, false);
        let _ = redirect::url_decode(&url);
        let _ = redirect::decode_and_inflate("SAMLRequest", &url);
    }

    #[test]
    fn mutated_signed_urls_never_verify_with_other_content(at in 0usize..2000, c in "[A-Za-z0-9%&=+]") {
        let pk = PrivateKey::from_pem(KEY).unwrap().public_key();
        let url = signed_url();
        let mut chars: Vec<char> = url.chars().collect();
        let i = at % chars.len();
        chars[i] = c.chars().next().unwrap();
        let mutated: String = chars.into_iter().collect();
        if let Ok(v) = redirect::verify_url(&mutated, &pk, false) {
            // Only a change outside the signed octets (e.g. in the destination) may still verify,
            // and then the message and RelayState are the signed ones.
            prop_assert_eq!(v.message, XML.to_vec());
            prop_assert_eq!(v.relay_state.as_deref(), Some("state"));
        }
    }
}
