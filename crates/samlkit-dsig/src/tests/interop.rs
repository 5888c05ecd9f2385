//! Legitimate documents from other signers that must verify, and the hostile neighbours of each
//! that must not (issue 9, items 17, 18, 19 and 22). The signed inputs were made by xmlsec1 and
//! xml-crypto (`fixtures/dsig-interop/`), not by samlkit.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;

use crate::*;
use samlkit_xml::parse;

const XML_CRYPTO: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/xml-crypto-prefixlist.xml");
const P256_SHA384: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/p256-ecdsa-sha384.xml");
const P384_SHA256: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/p384-ecdsa-sha256.xml");
const RSA1024_SHA256: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/rsa1024-sha256.xml");
const RSA1024_SHA1: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/rsa1024-sha1.xml");
const KEYINFO_REISSUED: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/keyinfo-reissued.xml");
const KEYINFO_UNRELATED: &str =
    include_str!("../../../../fixtures/dsig-interop/signed/keyinfo-unrelated.xml");

fn cert(name: &str) -> Certificate {
    let path = format!("{}/../../fixtures/certs/{name}.crt", env!("CARGO_MANIFEST_DIR"));
    Certificate::load(&std::fs::read(path).unwrap()).unwrap()
}

/// Verifies the one Signature of `xml` (it sits in the element it signs).
fn verify_with(
    xml: &str,
    trusted: &[Certificate],
    opts: VerifyOptions,
) -> Result<VerifiedSignature, SignatureError> {
    let doc = parse(xml).unwrap();
    let sig = doc.descendants().find(|n| n.has_name(NS_DSIG, "Signature")).unwrap();
    verify_signature(&doc, sig.id(), sig.parent_element().unwrap().id(), trusted, &opts)
}

fn strict() -> VerifyOptions {
    VerifyOptions::default()
}

const ENVELOPED_OPEN: &str =
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\">";
const XML_CRYPTO_CHILD: &str = "<InclusiveNamespaces PrefixList=\"xs\" xmlns=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>";

/// Item 17: xml-crypto writes its PrefixList into the enveloped-signature Transform too.
#[test]
fn xml_crypto_inclusive_namespaces_in_the_enveloped_transform_is_accepted() {
    assert!(XML_CRYPTO.contains(&format!("{ENVELOPED_OPEN}{XML_CRYPTO_CHILD}")));
    let v = verify_with(XML_CRYPTO, &[cert("idp")], strict()).unwrap();
    assert!(v.enveloped);
    assert_eq!(v.reference_id, "_assert1");
    assert_eq!(v.key_info, KeyInfoHint::Same);
}

/// Item 17, hostile side: only that one child is tolerated. Each case edits SignedInfo, so the
/// signature would fail anyway: the point is the structural refusal, made before any crypto.
#[test]
fn anything_else_inside_the_enveloped_transform_is_refused() {
    let exc_child = "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xs\"/>";
    let cases = [
        (
            "<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>",
            "<ds:XPath> in namespace http://www.w3.org/2000/09/xmldsig#",
        ),
        (
            &format!("{XML_CRYPTO_CHILD}{XML_CRYPTO_CHILD}") as &str,
            "<InclusiveNamespaces> in namespace http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        ),
        (
            "<InclusiveNamespaces xmlns=\"urn:other\" PrefixList=\"xs\"/>",
            "<InclusiveNamespaces> in namespace urn:other",
        ),
        ("<InclusiveNamespaces PrefixList=\"xs\"/>", "<InclusiveNamespaces> in no namespace"),
        (
            "<InclusiveNamespaces xmlns=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"><x/></InclusiveNamespaces>",
            "<InclusiveNamespaces> in namespace http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        ),
    ];
    for (child, found) in cases {
        let doc = XML_CRYPTO.replacen(XML_CRYPTO_CHILD, child, 1);
        let err = verify_with(&doc, &[cert("idp")], strict()).unwrap_err();
        assert!(matches!(err, SignatureError::Malformed { .. }), "{child}: {err}");
        let message = err.to_string();
        assert!(message.contains("the enveloped-signature Transform must be empty"), "{message}");
        assert!(message.contains(&format!("found {found}")), "{message}");
    }
    // The exc-c14n spelling of the same child is the tolerated one too (it changes nothing); the
    // changed SignedInfo then fails the signature, not the structure.
    let doc = XML_CRYPTO.replacen(XML_CRYPTO_CHILD, exc_child, 1);
    let err = verify_with(&doc, &[cert("idp")], strict()).unwrap_err();
    assert!(matches!(err, SignatureError::SignatureMismatch { .. }), "{err}");
}

/// Item 18: KeyInfo is a hint. A re-issued certificate for the trusted key, or an unrelated one,
/// does not stop the trusted key from verifying; the result says which trusted one matched.
#[test]
fn keyinfo_is_a_hint_never_a_veto() {
    let idp = cert("idp");
    let v = verify_with(KEYINFO_REISSUED, std::slice::from_ref(&idp), strict()).unwrap();
    assert_eq!((v.certificate_index, v.key_info), (0, KeyInfoHint::SameKey));
    let v = verify_with(KEYINFO_UNRELATED, std::slice::from_ref(&idp), strict()).unwrap();
    assert_eq!((v.certificate_index, v.key_info), (0, KeyInfoHint::Other));
    // KeyInfo names a trusted certificate that did not sign: the next trusted one is tried.
    let trusted = [cert("attacker"), idp.clone()];
    let v = verify_with(KEYINFO_UNRELATED, &trusted, strict()).unwrap();
    assert_eq!((v.certificate_index, v.key_info), (1, KeyInfoHint::Other));
    // A re-issued certificate is tried first, but trust still comes only from the list.
    let trusted = [cert("ec-p256"), cert("attacker"), idp];
    assert_eq!(verify_with(KEYINFO_REISSUED, &trusted, strict()).unwrap().certificate_index, 2);
}

/// Item 18, refusal side: when nothing trusted verifies, an untrusted KeyInfo certificate is
/// named by its fingerprint, and one with a trusted key is not called untrusted.
#[test]
fn when_nothing_verifies_keyinfo_explains_why() {
    let attacker = cert("attacker");
    let err = verify_with(KEYINFO_UNRELATED, &[cert("ec-p256")], strict()).unwrap_err();
    assert_eq!(err, SignatureError::UntrustedCertificate { sha256: attacker.sha256_fingerprint() });
    // KeyInfo's certificate is trusted but did not sign: a plain mismatch.
    let err =
        verify_with(KEYINFO_UNRELATED, std::slice::from_ref(&attacker), strict()).unwrap_err();
    assert!(matches!(err, SignatureError::SignatureMismatch { .. }), "{err}");
    // Same key as a trusted certificate, SignatureValue altered: not "untrusted" either.
    let err = verify_with(&alter_signature_value(KEYINFO_REISSUED), &[cert("idp")], strict());
    assert!(matches!(err, Err(SignatureError::SignatureMismatch { .. })), "{err:?}");
}

/// Flips one byte of SignatureValue.
fn alter_signature_value(xml: &str) -> String {
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let end = xml.find("</ds:SignatureValue>").unwrap();
    let compact: String = xml[start..end].split_whitespace().collect();
    let mut bytes = STANDARD.decode(compact).unwrap();
    bytes[10] ^= 1;
    format!("{}{}{}", &xml[..start], STANDARD.encode(bytes), &xml[end..])
}

/// Item 18: an X509Certificate holding the base64 of PEM text (seen in ADFS fixtures) is reported
/// as such, not by a hash of its bytes, and does not stop the trusted key from verifying.
#[test]
fn a_keyinfo_certificate_that_is_not_one_is_reported_as_such() {
    let idp = cert("idp");
    let pem_b64 = STANDARD.encode(idp.to_pem());
    let start = XML_CRYPTO.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
    let end = XML_CRYPTO.find("</ds:X509Certificate>").unwrap();
    let adfs = format!("{}{pem_b64}{}", &XML_CRYPTO[..start], &XML_CRYPTO[end..]);
    let v = verify_with(&adfs, std::slice::from_ref(&idp), strict()).unwrap();
    assert_eq!(v.key_info, KeyInfoHint::NotACertificate);

    let err = verify_with(&adfs, &[cert("attacker")], strict()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SignatureError::KeyInfoNotCertificate { .. }), "{err}");
    assert!(message.contains("base64 of PEM text"), "{message}");
    assert!(!message.contains(&idp.sha256_fingerprint()), "{message}");

    let junk =
        format!("{}{}{}", &XML_CRYPTO[..start], STANDARD.encode(b"junk"), &XML_CRYPTO[end..]);
    let err = verify_with(&junk, &[cert("attacker")], strict()).unwrap_err();
    assert!(
        err.to_string().contains("its 4 bytes do not parse as a DER X.509 certificate"),
        "{err}"
    );
}

/// Item 19: the URI names the hash, the key names the curve.
#[test]
fn ecdsa_hash_and_curve_are_independent() {
    for (xml, name, method) in [
        (P256_SHA384, "ec-p256", SignatureMethod::EcdsaSha384),
        (P384_SHA256, "ec-p384", SignatureMethod::EcdsaSha256),
    ] {
        let v = verify_with(xml, &[cert(name)], strict()).unwrap();
        assert_eq!(v.signature_method, method);
        let err = verify_with(&alter_signature_value(xml), &[cert(name)], strict()).unwrap_err();
        assert!(matches!(err, SignatureError::SignatureMismatch { .. }), "{err}");
        // Trusting only an RSA certificate: nothing can check it, and KeyInfo's is not trusted.
        let err = verify_with(xml, &[cert("idp")], strict()).unwrap_err();
        assert!(matches!(err, SignatureError::UntrustedCertificate { .. }), "{err}");
    }
}

/// Item 19: one rule for RSA key sizes, whatever the hash.
#[test]
fn rsa_1024_is_refused_naming_its_size_unless_allowed() {
    let legacy = cert("legacy-rsa1024");
    let allow_sha1 = VerifyOptions { allow_sha1: true, ..strict() };
    let allow_rsa1024 = VerifyOptions { allow_insecure_rsa1024: true, ..strict() };
    let allow_both = VerifyOptions { allow_sha1: true, allow_insecure_rsa1024: true };
    let too_small = SignatureError::KeyTooSmall {
        bits: 1024,
        minimum: 2048,
        sha256: legacy.sha256_fingerprint(),
    };
    let trusted = std::slice::from_ref(&legacy);
    assert_eq!(verify_with(RSA1024_SHA256, trusted, strict()).unwrap_err(), too_small);
    assert_eq!(verify_with(RSA1024_SHA1, trusted, allow_sha1).unwrap_err(), too_small);
    assert!(verify_with(RSA1024_SHA1, trusted, allow_rsa1024).unwrap_err().is_sha1_refusal());
    assert!(verify_with(RSA1024_SHA256, trusted, allow_rsa1024).is_ok());
    assert!(verify_with(RSA1024_SHA1, trusted, allow_both).is_ok());
    assert_eq!(
        too_small.to_string(),
        format!(
            "SignatureValue verifies with the trusted certificate SHA-256 {}, but its RSA key has 1024 bits; RSA keys under 2048 bits are refused",
            legacy.sha256_fingerprint()
        )
    );
    // A forged signature is a mismatch, not a size problem, even with the switch off.
    let err = verify_with(&alter_signature_value(RSA1024_SHA256), trusted, strict()).unwrap_err();
    assert!(matches!(err, SignatureError::SignatureMismatch { .. }), "{err}");
    // A 2048-bit signer among the trusted certificates is found past the small one.
    let err = verify_with(KEYINFO_REISSUED, &[legacy.clone(), cert("idp")], strict());
    assert_eq!(err.unwrap().certificate_index, 1);
}

/// Item 22: with the `ds` prefix bound to another namespace, the message names both URIs.
#[test]
fn a_rebound_ds_prefix_is_reported_with_namespace_uris() {
    let doc = XML_CRYPTO.replacen("<ds:SignedInfo>", "<ds:SignedInfo xmlns:ds=\"urn:evil\">", 1);
    let err = verify_with(&doc, &[cert("idp")], strict()).unwrap_err();
    assert!(matches!(err, SignatureError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().ends_with(
            "expected SignedInfo in namespace http://www.w3.org/2000/09/xmldsig#, found <ds:SignedInfo> in namespace urn:evil"
        ),
        "{err}"
    );
}
