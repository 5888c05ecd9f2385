//! Private and public keys through the public API, against the fixtures (OpenSSL's view of them is
//! checked by the root package's `tests/cert_openssl_interop.rs`).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::{read_fixture, read_fixture_text};
use samlkit_cert::{
    CertError, Certificate, KeyAlgorithm, PrivateKey, PublicKey, RsaKeySize, SignatureAlgorithm,
};

fn idp_key() -> PrivateKey {
    PrivateKey::load(&read_fixture("keys/idp.key")).expect("idp key loads")
}

#[test]
fn every_supported_format_loads_to_the_same_key() {
    let reference = idp_key();
    assert_eq!(reference.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    for path in ["keys/idp-pkcs1.key", "keys/idp.key.der"] {
        let key = PrivateKey::load(&read_fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(key.public_key(), reference.public_key(), "{path}");
        // PKCS#1 input is converted to the same PKCS#8 OpenSSL writes.
        assert_eq!(key.pkcs8_der(), reference.pkcs8_der(), "{path}");
    }
    let cert = Certificate::load(&read_fixture("certs/idp.crt")).unwrap();
    assert!(cert.matches_key(&reference));
}

#[test]
fn ec_keys_load_from_pkcs8_and_sec1() {
    let cases = [
        ("keys/ec-p256.key", KeyAlgorithm::EcdsaP256),
        ("keys/ec-p256-sec1.key", KeyAlgorithm::EcdsaP256),
        ("keys/ec-p384.key", KeyAlgorithm::EcdsaP384),
    ];
    for (path, expected) in cases {
        let key = PrivateKey::load(&read_fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(key.algorithm(), expected, "{path}");
        assert_eq!(key.public_key().algorithm(), expected, "{path}");
    }
    let pkcs8 = PrivateKey::load(&read_fixture("keys/ec-p256.key")).unwrap();
    let sec1 = PrivateKey::load(&read_fixture("keys/ec-p256-sec1.key")).unwrap();
    assert_eq!(pkcs8.public_key(), sec1.public_key());
    let cert = Certificate::load(&read_fixture("certs/ec-p256.crt")).unwrap();
    assert!(cert.matches_key(&sec1));
    assert!(!cert.matches_key(&idp_key()));
}

#[test]
fn encrypted_keys_are_refused_with_a_clear_message() {
    for (path, format) in [
        ("keys/idp-encrypted.key", "PKCS#8 ENCRYPTED PRIVATE KEY"),
        ("keys/idp-encrypted-legacy.key", "OpenSSL legacy PEM encryption, Proc-Type: 4,ENCRYPTED"),
    ] {
        let err = PrivateKey::load(&read_fixture(path)).unwrap_err();
        assert_eq!(err, CertError::EncryptedKey { format }, "{path}");
        assert!(err.to_string().contains("decrypt it first"), "{err}");
    }
    // The DER form of an encrypted PKCS#8 key is recognised too.
    let pem = read_fixture_text("keys/idp-encrypted.key");
    let der = pem_body(&pem);
    assert!(matches!(PrivateKey::load(&der), Err(CertError::EncryptedKey { .. })));
}

#[test]
fn a_certificate_or_garbage_is_not_a_key() {
    let err = PrivateKey::load(&read_fixture("certs/idp.crt")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no private key found: the PEM blocks found are CERTIFICATE (line 1)"
    );
    let err = PrivateKey::load(&read_fixture("certs/idp.der")).unwrap_err();
    assert!(err.to_string().contains("a certificate"), "{err}");
    let err = PrivateKey::load(b"just some text").unwrap_err();
    assert!(matches!(err, CertError::NotFound { expected: "private key", .. }), "{err}");
    let err =
        PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .unwrap_err();
    assert!(matches!(err, CertError::InvalidKey { .. }), "{err}");
}

#[test]
fn pkcs8_pem_output_round_trips() {
    let key = PrivateKey::load(&read_fixture("keys/idp-pkcs1.key")).unwrap();
    let pem = key.to_pkcs8_pem();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(PrivateKey::from_pem(&pem).unwrap().pkcs8_der(), key.pkcs8_der());
}

#[test]
fn every_algorithm_signs_and_verifies_and_rejects_tampering() {
    let rsa = idp_key();
    let p256 = PrivateKey::load(&read_fixture("keys/ec-p256.key")).unwrap();
    let p384 = PrivateKey::load(&read_fixture("keys/ec-p384.key")).unwrap();
    // The algorithm's name in the error is written out here, not taken from `alg.name()`.
    let cases = [
        (&rsa, SignatureAlgorithm::RsaSha1, 256, "rsa-sha1"),
        (&rsa, SignatureAlgorithm::RsaSha256, 256, "rsa-sha256"),
        (&rsa, SignatureAlgorithm::RsaSha384, 256, "rsa-sha384"),
        (&rsa, SignatureAlgorithm::RsaSha512, 256, "rsa-sha512"),
        (&p256, SignatureAlgorithm::EcdsaP256Sha256, 64, "ecdsa-sha256"),
        (&p384, SignatureAlgorithm::EcdsaP384Sha384, 96, "ecdsa-sha384"),
    ];
    for (key, alg, len, name) in cases {
        let signer = key.signer().unwrap();
        let message = b"<ds:SignedInfo>...</ds:SignedInfo>";
        let signature = signer.sign(alg, message).unwrap();
        assert_eq!(signature.len(), len, "{alg}");
        let public = key.public_key();
        public.verify(alg, message, &signature).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(
            public.verify(alg, b"another message", &signature),
            Err(CertError::BadSignature { algorithm: name }),
            "{alg}"
        );
        let mut flipped = signature.clone();
        flipped[len / 2] ^= 1;
        assert!(public.verify(alg, message, &flipped).is_err(), "{alg}");
    }
}

#[test]
fn algorithm_and_key_must_fit() {
    let rsa = idp_key();
    let err = rsa.signer().unwrap().sign(SignatureAlgorithm::EcdsaP256Sha256, b"m").unwrap_err();
    assert_eq!(
        err.to_string(),
        "signature algorithm ecdsa-sha256 cannot be used with a RSA 2048 key"
    );
    let p256 = PrivateKey::load(&read_fixture("keys/ec-p256.key")).unwrap();
    assert!(p256.signer().unwrap().sign(SignatureAlgorithm::EcdsaP384Sha384, b"m").is_err());
    assert!(p256.public_key().verify(SignatureAlgorithm::RsaSha256, b"m", &[0; 256]).is_err());
}

#[test]
fn a_signature_from_another_key_does_not_verify() {
    let attacker = PrivateKey::load(&read_fixture("keys/attacker.key")).unwrap();
    let signature = attacker.signer().unwrap().sign(SignatureAlgorithm::RsaSha256, b"m").unwrap();
    let err = idp_key().public_key().verify(SignatureAlgorithm::RsaSha256, b"m", &signature);
    assert!(matches!(err, Err(CertError::BadSignature { .. })));
}

#[test]
fn public_keys_come_from_spki_and_compare_by_key() {
    let cert = Certificate::load(&read_fixture("certs/idp.crt")).unwrap();
    let public = PublicKey::from_spki_der(cert.public_key().spki_der()).unwrap();
    assert_eq!(&public, cert.public_key());
    assert_eq!(public.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    assert!(public.to_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(PublicKey::from_spki_der(b"\x30\x00").is_err());
    assert!(PublicKey::from_spki_der(cert.der()).is_err());
}

#[test]
fn generated_rsa_key_works() {
    // The only key generation in this crate's tests (debug builds are slow at it).
    let key = PrivateKey::generate_rsa(RsaKeySize::Bits2048).unwrap();
    assert_eq!(key.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    let signature = key.signer().unwrap().sign(SignatureAlgorithm::RsaSha256, b"m").unwrap();
    key.public_key().verify(SignatureAlgorithm::RsaSha256, b"m", &signature).unwrap();
    let reloaded = PrivateKey::from_pem(&key.to_pkcs8_pem()).unwrap();
    assert_eq!(reloaded.public_key(), key.public_key());
}

/// Decodes the body of the first PEM block without the crate's own reader.
fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).expect("PEM body is base64")
}

#[test]
fn key_types_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PrivateKey>();
    assert_send_sync::<PublicKey>();
    assert_send_sync::<samlkit_cert::Signer>();
    assert_send_sync::<Certificate>();
    // And a signer really is usable from several threads at once.
    let signer = idp_key().signer().unwrap();
    let public = idp_key().public_key();
    std::thread::scope(|scope| {
        for i in 0..4u8 {
            let (signer, public) = (&signer, &public);
            scope.spawn(move || {
                let signature = signer.sign(SignatureAlgorithm::RsaSha256, &[i]).unwrap();
                public.verify(SignatureAlgorithm::RsaSha256, &[i], &signature).unwrap();
            });
        }
    });
}
