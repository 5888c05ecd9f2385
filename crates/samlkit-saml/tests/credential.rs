//! `SigningCredential`: a key and certificate that belong together, or an error saying they
//! do not; what it signs verifies with its certificate.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{IDP_CERT, IDP_KEY, alice_params, idp_credential, issued, sp_policy};
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

const ATTACKER_CERT: &[u8] = include_bytes!("../data/attacker.crt");
const EC_KEY: &[u8] = include_bytes!("../../../fixtures/keys/ec-p256.key");
const EC_CERT: &[u8] = include_bytes!("../../../fixtures/certs/ec-p256.crt");

#[test]
fn a_key_with_another_certificate_is_refused() {
    let idp_key = PrivateKey::load(IDP_KEY).unwrap();
    let ec_key = PrivateKey::load(EC_KEY).unwrap();
    let attacker = Certificate::load(ATTACKER_CERT).unwrap();
    let idp = Certificate::load(IDP_CERT).unwrap();
    let cases = [
        (&idp_key, attacker.clone(), "\"CN=attacker.example.com, O=Mallory\""),
        (&ec_key, idp.clone(), "\"CN=idp.example.com, O=Example IdP\""),
        (&idp_key, Certificate::load(EC_CERT).unwrap(), "\"CN=ec.example.com\""),
    ];
    for (key, cert, subject) in cases {
        let err = SigningCredential::new(key, cert).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyMismatch, "{err}");
        assert_eq!(err.code(), "key_mismatch");
        assert!(err.is_input_error());
        assert_eq!(
            err.to_string(),
            format!(
                "key mismatch: the certificate for {subject} does not certify this private key"
            )
        );
    }
}

#[test]
fn a_matching_pair_signs_what_its_certificate_verifies() {
    for (key, cert, method) in [
        (IDP_KEY, IDP_CERT, SignatureMethod::RsaSha256),
        (EC_KEY, EC_CERT, SignatureMethod::EcdsaSha256),
    ] {
        let key = PrivateKey::load(key).unwrap();
        let cert = Certificate::load(cert).unwrap();
        let credential = SigningCredential::new(&key, cert.clone()).unwrap();
        assert_eq!(credential.certificate(), &cert);
        assert_eq!(credential.key_algorithm(), key.algorithm());
        let profile =
            SigningProfile { target: SignTarget::Assertion, method, digest: DigestMethod::Sha256 };
        let xml = build_response(&alice_params()).unwrap().xml;
        let signed = sign_document(&xml, &credential, &profile).unwrap();
        let trusted = [cert];
        let verified = verify_response(signed.as_bytes(), &sp_policy(&trusted, issued()));
        assert!(verified.is_ok(), "{verified:?}");
    }
}

#[test]
fn the_attacker_credential_is_the_bundled_pair() {
    let attacker = attacker_credential().unwrap();
    assert_eq!(attacker.certificate(), &Certificate::load(ATTACKER_CERT).unwrap());
    assert_ne!(attacker.certificate(), idp_credential().certificate());
}
