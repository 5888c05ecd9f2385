//! Encrypted assertions through the library API: every algorithm round-trips, and every safety
//! rule of `verify/decrypt.rs` holds (each with the error kind written here, never read from the
//! crate's own tables).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{alice_params, idp_credential, issued, sp_policy};
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::{
    DataAlgorithm, DecryptionKey, DigestMethod, EncryptOptions, KeyTransport, OaepHash,
    SignatureMethod, encrypt_element,
};
use samlkit_saml::{
    ErrorKind, ResponseIds, SamlError, SignTarget, SigningProfile, VerifiedAssertion,
    build_response_with_ids, decrypt_document, encrypt_assertion, encrypt_name_id,
    explain_response, sign_document, verify_response,
};

const SP_KEY: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.key");
const SP_CERT: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.crt");
const OLD_KEY: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp-old.key");
const OLD_CERT: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp-old.crt");
const IDP_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");

fn now() -> DateTime<Utc> {
    issued() + Duration::seconds(60)
}

fn sp_cert() -> Certificate {
    Certificate::load(SP_CERT).unwrap()
}

fn sp_keys() -> Vec<DecryptionKey> {
    vec![DecryptionKey::new(&PrivateKey::load(SP_KEY).unwrap(), Some(&sp_cert())).unwrap()]
}

fn profile(target: SignTarget) -> SigningProfile {
    SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 }
}

fn unsigned_response() -> String {
    let ids = ResponseIds {
        response_id: "_r1".into(),
        assertion_id: "_a1".into(),
        session_index: "_s1".into(),
    };
    build_response_with_ids(&alice_params(), ids).xml
}

/// Signs the assertion (if asked), encrypts it, signs the Response (if asked): what an IdP does.
fn issue(assertion_signed: bool, response_signed: bool, opts: &EncryptOptions) -> String {
    let cred = idp_credential();
    let mut xml = unsigned_response();
    if assertion_signed {
        xml = sign_document(&xml, &cred, &profile(SignTarget::Assertion)).unwrap();
    }
    xml = encrypt_assertion(&xml, &sp_cert(), opts).unwrap();
    if response_signed {
        xml = sign_document(&xml, &cred, &profile(SignTarget::Response)).unwrap();
    }
    xml
}

fn verify_with(
    xml: &str,
    keys: &[DecryptionKey],
    allow_cbc: bool,
) -> Result<VerifiedAssertion, SamlError> {
    let trusted = [Certificate::load(IDP_CERT).unwrap()];
    let mut policy = sp_policy(&trusted, now()).decryption_keys(keys);
    if allow_cbc {
        policy = policy.allow_cbc_unsigned();
    }
    verify_response(xml.as_bytes(), &policy)
}

fn verify(xml: &str) -> Result<VerifiedAssertion, SamlError> {
    verify_with(xml, &sp_keys(), false)
}

fn transports() -> Vec<KeyTransport> {
    vec![
        KeyTransport::RsaOaepMgf1p { digest: OaepHash::Sha1 },
        KeyTransport::RsaOaepMgf1p { digest: OaepHash::Sha256 },
        KeyTransport::RsaOaep { digest: OaepHash::Sha1, mgf: OaepHash::Sha1 },
        KeyTransport::RsaOaep { digest: OaepHash::Sha256, mgf: OaepHash::Sha1 },
        KeyTransport::RsaOaep { digest: OaepHash::Sha256, mgf: OaepHash::Sha256 },
        KeyTransport::RsaOaep { digest: OaepHash::Sha512, mgf: OaepHash::Sha256 },
    ]
}

#[test]
fn every_algorithm_and_key_transport_round_trips() {
    for data in DataAlgorithm::ALL {
        for key_transport in transports() {
            let opts = EncryptOptions { data, key_transport };
            // CBC needs the Response signature over the ciphertext; GCM is fine either way.
            let xml = issue(true, data.is_cbc(), &opts);
            assert!(!xml.contains("alice@example.com"), "{data:?}: plaintext leaked");
            let login = verify(&xml).unwrap_or_else(|e| panic!("{data:?} {key_transport:?}: {e}"));
            assert_eq!(login.name_id(), "alice@example.com");
            assert!(login.encrypted());
            assert_eq!(login.encryption(), Some((data.uri(), key_transport.uri())));
            let json = serde_json::to_value(&login).unwrap();
            assert_eq!(json["encrypted"], true);
            assert_eq!(json["encryption"]["data"], data.uri());
            assert_eq!(json["encryption"]["key_transport"], key_transport.uri());
        }
    }
}

#[test]
fn plaintext_responses_say_not_encrypted() {
    let xml =
        sign_document(&unsigned_response(), &idp_credential(), &profile(SignTarget::Assertion))
            .unwrap();
    let login = verify(&xml).unwrap();
    assert!(!login.encrypted());
    let json = serde_json::to_value(&login).unwrap();
    assert_eq!(json["encrypted"], false);
    assert!(json["encryption"].is_null());
}

#[test]
fn response_signature_alone_covers_the_decrypted_assertion() {
    let login = verify(&issue(false, true, &EncryptOptions::default())).unwrap();
    assert_eq!(login.signed().iter().map(|p| p.name()).collect::<Vec<_>>(), ["response"]);
}

#[test]
fn an_unsigned_encrypted_assertion_is_refused() {
    // Anyone can encrypt to the SP's public certificate.
    let err = verify(&issue(false, false, &EncryptOptions::default())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionNotSigned);
    assert_eq!(err.code(), "assertion_not_signed");
}

#[test]
fn without_keys_an_encrypted_assertion_is_refused_not_skipped() {
    let err = verify_with(&issue(true, false, &EncryptOptions::default()), &[], false).unwrap_err();
    assert_eq!(err.code(), "encrypted_assertion_unsupported");
}

#[test]
fn the_response_signature_is_checked_before_anything_is_decrypted() {
    let xml = issue(false, true, &EncryptOptions::default());
    // Replace the ciphertext: with the signature checked first this is a digest mismatch, and
    // the decryption (which would fail) is never reached.
    let start = xml.rfind("<xenc:CipherValue>").unwrap() + "<xenc:CipherValue>".len();
    let end = xml[start..].find('<').unwrap() + start;
    let tampered = format!("{}{}{}", &xml[..start], "AAAA".repeat(20), &xml[end..]);
    let trusted = [Certificate::load(IDP_CERT).unwrap()];
    let keys = sp_keys();
    let explained =
        explain_response(tampered.as_bytes(), &sp_policy(&trusted, now()).decryption_keys(&keys));
    let err = explained.outcome().unwrap_err();
    assert_eq!(err.code(), "digest_mismatch");
    assert!(!explained.steps().iter().any(|s| s.starts_with("decrypt")), "{:?}", explained.steps());
}

#[test]
fn cbc_without_a_response_signature_is_refused_unless_allowed() {
    let opts =
        EncryptOptions { data: DataAlgorithm::Aes256Cbc, key_transport: KeyTransport::DEFAULT };
    let xml = issue(true, false, &opts);
    let err = verify(&xml).unwrap_err();
    assert_eq!(err.code(), "cbc_unsigned");
    assert!(err.to_string().contains("http://www.w3.org/2001/04/xmlenc#aes256-cbc"));
    assert_eq!(verify_with(&xml, &sp_keys(), true).unwrap().name_id(), "alice@example.com");
}

#[test]
fn rsa_1_5_key_transport_is_refused_naming_the_uri() {
    let xml = issue(true, false, &EncryptOptions::default()).replace(
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
    );
    let err = verify(&xml).unwrap_err();
    assert_eq!(err.code(), "algorithm_refused");
    assert!(err.to_string().contains("http://www.w3.org/2001/04/xmlenc#rsa-1_5"), "{err}");
    // And in the offline decrypt too: there is no flag for it.
    assert_eq!(decrypt_document(&xml, &sp_keys()).unwrap_err().code(), "algorithm_refused");
}

#[test]
fn triple_des_is_refused() {
    let xml = issue(true, false, &EncryptOptions::default()).replace(
        "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
    );
    assert_eq!(verify(&xml).unwrap_err().code(), "algorithm_refused");
}

/// An assertion-signed response whose EncryptedAssertion holds `data` (already encrypted).
fn with_encrypted_data(data: &str) -> String {
    let xml = issue(true, false, &EncryptOptions::default());
    let start = xml.find("<xenc:EncryptedData").unwrap();
    let end = xml.find("</xenc:EncryptedData>").unwrap() + "</xenc:EncryptedData>".len();
    format!("{}{}{}", &xml[..start], data, &xml[end..])
}

fn flip_cipher_value(xml: &str, nth_from_end: usize, byte: usize) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let mut starts: Vec<usize> =
        xml.match_indices("<xenc:CipherValue>").map(|(i, _)| i + 18).collect();
    starts.reverse();
    let start = starts[nth_from_end];
    let end = xml[start..].find('<').unwrap() + start;
    let mut bytes = STANDARD.decode(&xml[start..end]).unwrap();
    let i = byte.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
    format!("{}{}{}", &xml[..start], STANDARD.encode(&bytes), &xml[end..])
}

#[test]
fn every_decryption_failure_is_the_same_error() {
    let gcm = EncryptOptions::default();
    let cbc =
        EncryptOptions { data: DataAlgorithm::Aes128Cbc, key_transport: KeyTransport::DEFAULT };
    let other_key = vec![DecryptionKey::new(&PrivateKey::load(OLD_KEY).unwrap(), None).unwrap()];
    let gcm_xml = issue(true, false, &gcm);
    let cbc_xml = issue(true, false, &cbc);
    // Last CipherValue is EncryptedData's; the one before is EncryptedKey's.
    let cases: Vec<(&str, Result<VerifiedAssertion, SamlError>)> =
        vec![
        ("wrong key", verify_with(&gcm_xml, &other_key, false)),
        ("bad OAEP", verify(&flip_cipher_value(&gcm_xml, 1, 5))),
        ("GCM tag", verify(&flip_cipher_value(&gcm_xml, 0, usize::MAX))),
        ("CBC padding", verify_with(&flip_cipher_value(&cbc_xml, 0, usize::MAX), &sp_keys(), true)),
        ("malformed plaintext", verify(&with_encrypted_data(
            &encrypt_element("<saml:Assertion", &sp_cert(), &gcm).unwrap(),
        ))),
        ("not an assertion", verify(&with_encrypted_data(
            &encrypt_element("<x/>", &sp_cert(), &gcm).unwrap(),
        ))),
        ("two elements", verify(&with_encrypted_data(
            &encrypt_element(
                "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"/><y/>",
                &sp_cert(),
                &gcm,
            )
            .unwrap(),
        ))),
        ("not UTF-8 / DOCTYPE", verify(&with_encrypted_data(
            &encrypt_element("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", &sp_cert(), &gcm).unwrap(),
        ))),
    ];
    let first = cases[0].1.as_ref().unwrap_err().clone();
    assert_eq!(first.code(), "decryption_failed");
    for (name, result) in &cases {
        let err = result.as_ref().unwrap_err();
        assert_eq!(err, &first, "{name}: {err}");
        assert_eq!(err.to_string(), first.to_string(), "{name}");
    }
}

#[test]
fn the_plaintext_is_parsed_in_the_context_of_the_encrypted_assertion() {
    // The plaintext uses the `saml` and `samlp` prefixes without declaring them: they are in
    // scope where the EncryptedAssertion stands (the Response declares them), as xmlsec parses.
    let signed =
        sign_document(&unsigned_response(), &idp_credential(), &profile(SignTarget::Assertion))
            .unwrap();
    let start = signed.find("<saml:Assertion").unwrap();
    let end = signed.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let assertion = &signed[start..end];
    let bare = assertion.replacen(" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"", "", 1);
    let response_declares_saml = signed[..start].contains("xmlns:saml=");
    if bare == assertion || !response_declares_saml {
        // The builder declares saml only on the Assertion: declare it on the Response instead.
        let moved = signed.replacen(
            "<samlp:Response ",
            "<samlp:Response xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ",
            1,
        );
        let data = encrypt_element(&bare, &sp_cert(), &EncryptOptions::default()).unwrap();
        let s = moved.find("<saml:Assertion").unwrap();
        let e = moved.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        let xml = format!(
            "{}<saml:EncryptedAssertion>{data}</saml:EncryptedAssertion>{}",
            &moved[..s],
            &moved[e..]
        );
        assert_eq!(verify(&xml).unwrap().name_id(), "alice@example.com");
    } else {
        let data = encrypt_element(&bare, &sp_cert(), &EncryptOptions::default()).unwrap();
        let xml = format!(
            "{}<saml:EncryptedAssertion>{data}</saml:EncryptedAssertion>{}",
            &signed[..start],
            &signed[end..]
        );
        assert_eq!(verify(&xml).unwrap().name_id(), "alice@example.com");
    }
}

#[test]
fn encrypted_name_id_round_trips_and_is_refused_without_a_key() {
    let cred = idp_credential();
    let mut xml =
        encrypt_name_id(&unsigned_response(), &sp_cert(), &EncryptOptions::default()).unwrap();
    assert!(xml.contains("<saml:EncryptedID"));
    xml = sign_document(&xml, &cred, &profile(SignTarget::Assertion)).unwrap();
    let login = verify(&xml).unwrap();
    assert_eq!(login.name_id(), "alice@example.com");
    assert!(!login.encrypted(), "the assertion itself was not encrypted");
    assert!(login.encryption().is_some());
    assert_eq!(verify_with(&xml, &[], false).unwrap_err().code(), "assertion_invalid");
    // Both: NameID inside an encrypted assertion.
    let both = encrypt_assertion(&xml, &sp_cert(), &EncryptOptions::default()).unwrap();
    assert_eq!(verify(&both).unwrap().name_id(), "alice@example.com");
    let opened = decrypt_document(&both, &sp_keys()).unwrap();
    assert_eq!(opened.decrypted, 2);
    assert!(opened.xml.contains(">alice@example.com</saml:NameID>"));
}

#[test]
fn with_several_keys_the_one_the_encrypted_key_names_decrypts() {
    let old = DecryptionKey::new(
        &PrivateKey::load(OLD_KEY).unwrap(),
        Some(&Certificate::load(OLD_CERT).unwrap()),
    )
    .unwrap();
    let mut keys = vec![old];
    keys.extend(sp_keys());
    let trusted = [Certificate::load(IDP_CERT).unwrap()];
    let explained = explain_response(
        issue(true, false, &EncryptOptions::default()).as_bytes(),
        &sp_policy(&trusted, now()).decryption_keys(&keys),
    );
    assert!(explained.outcome().is_ok());
    assert!(
        explained
            .steps()
            .iter()
            .any(|s| s.starts_with("decrypt: succeeded with decryption key #2")),
        "{:?}",
        explained.steps()
    );
    // Keys never appear in the explanation.
    let pem = String::from_utf8_lossy(SP_KEY).to_string();
    let body: String = pem.lines().nth(1).unwrap().to_string();
    assert!(!explained.steps().iter().any(|s| s.contains(&body)));
}

#[test]
fn a_decryption_key_must_be_rsa_and_match_its_certificate() {
    let ec = PrivateKey::load(include_bytes!("../../../fixtures/keys/ec-p256.key")).unwrap();
    assert!(DecryptionKey::new(&ec, None).is_err());
    let key = PrivateKey::load(SP_KEY).unwrap();
    assert!(DecryptionKey::new(&key, Some(&Certificate::load(OLD_CERT).unwrap())).is_err());
}

/// The shapes real IdPs send, made by xmlsec1 and Python's cryptography
/// (`fixtures/xmlenc/generate.sh`; `tests/xmlenc_interop.rs` re-makes them when xmlsec1 is
/// installed): name, expected signatures, expected data and key transport URIs.
#[test]
fn responses_made_by_other_implementations_decrypt_and_verify() {
    const CBC256: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
    const CBC128: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
    const GCM256: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
    const MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
    const OAEP11: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
    let cases: [(&str, &str, &[&str], &str, &str); 4] = [
        (
            "ADFS",
            include_str!("../../../fixtures/xmlenc/generated/adfs-cbc-oaep-sha1.xml"),
            &["response", "assertion"],
            CBC256,
            MGF1P,
        ),
        (
            "Okta",
            include_str!("../../../fixtures/xmlenc/generated/okta-sibling-key.xml"),
            &["response", "assertion"],
            CBC128,
            MGF1P,
        ),
        (
            "GCM",
            include_str!("../../../fixtures/xmlenc/generated/gcm-oaep-sha1.xml"),
            &["assertion"],
            GCM256,
            MGF1P,
        ),
        (
            "xmlenc11",
            include_str!("../../../fixtures/xmlenc/generated/gcm-rsa-oaep-sha256.xml"),
            &["assertion"],
            GCM256,
            OAEP11,
        ),
    ];
    for (name, xml, signed, data, transport) in cases {
        let login = verify(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(login.name_id(), "alice@example.com", "{name}");
        assert_eq!(login.signed().iter().map(|p| p.name()).collect::<Vec<_>>(), signed, "{name}");
        assert_eq!(login.encryption(), Some((data, transport)), "{name}");
        assert!(login.encrypted());
    }
}

#[test]
fn a_service_provider_with_decryption_keys_accepts_an_encrypted_login() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use samlkit_saml::{IdentityProvider, InMemoryReplayCache, ServiceProvider};
    let idp = IdentityProvider::new(
        common::IDP,
        "https://idp.example.com/sso",
        vec![Certificate::load(IDP_CERT).unwrap()],
    )
    .unwrap();
    let field = STANDARD.encode(issue(true, false, &EncryptOptions::default()));
    let plain_sp = ServiceProvider::builder(common::SP, common::ACS, idp.clone()).build().unwrap();
    let cache = InMemoryReplayCache::new();
    let err = plain_sp.verify_post(&field, ["_req1"], &cache, now()).unwrap_err();
    assert_eq!(err.code(), "encrypted_assertion_unsupported");
    let sp = ServiceProvider::builder(common::SP, common::ACS, idp)
        .decryption_keys(sp_keys())
        .build()
        .unwrap();
    let login = sp.verify_post(&field, ["_req1"], &cache, now()).unwrap();
    assert_eq!(login.name_id(), "alice@example.com");
    assert!(login.encrypted());
    assert!(!format!("{sp:?}").contains("PRIVATE"), "keys are not printed");
}
