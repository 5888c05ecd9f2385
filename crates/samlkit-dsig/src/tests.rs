//! Sign/verify round trips and the strictness rules, on small documents.

use samlkit_cert::{Certificate, PrivateKey};

use crate::sign::canonical_signed_info;
use crate::*;
use samlkit_xml::{C14nAlgorithm, canonicalize_to_vec, parse};

const IDP_KEY: &[u8] = include_bytes!("../tests/data/idp.key");
const IDP_CERT: &[u8] = include_bytes!("../tests/data/idp.crt");
const EC_KEY: &[u8] = include_bytes!("../tests/data/ec-p256.key");
const EC_CERT: &[u8] = include_bytes!("../tests/data/ec-p256.crt");
const ATTACKER_CERT: &[u8] = include_bytes!("../tests/data/attacker.crt");
const XMLSEC_PREFIXLIST: &str = include_str!("../tests/data/assertion-exc-prefixlist-sha512.xml");

const DOC: &str = "<r:Root xmlns:r=\"urn:r\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n  <r:Item ID=\"_i1\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><r:V xsi:type=\"xs:string\">v &amp; w</r:V></r:Item>\n  <r:Other ID=\"_o1\"/>\n</r:Root>";

fn sign_doc(key: &[u8], cert: &[u8], opts: &SignOptions<'_>) -> String {
    let key = PrivateKey::load(key).unwrap();
    let cert = Certificate::load(cert).unwrap();
    let at = DOC.find("<r:V").unwrap();
    sign_enveloped(DOC, "_i1", at, &key.signer().unwrap(), cert.der(), opts).unwrap()
}

fn rsa(method: SignatureMethod, digest: DigestMethod) -> SignOptions<'static> {
    SignOptions { method, digest, inclusive_prefixes: &[] }
}

fn verify(
    xml: &str,
    trusted: &[Certificate],
    allow_sha1: bool,
) -> Result<VerifiedSignature, SignatureError> {
    let doc = parse(xml).unwrap();
    let sig = doc.descendants().find(|n| n.has_name(NS_DSIG, "Signature")).unwrap().id();
    let parent = doc.node(sig).parent_element().unwrap().id();
    let opts = VerifyOptions { allow_sha1, ..VerifyOptions::default() };
    let v = verify_signature(&doc, sig, parent, trusted, &opts)?;
    assert_eq!(doc.node(v.signed_element).attribute("", "ID"), Some(v.reference_id.as_str()));
    Ok(v)
}

fn idp() -> Vec<Certificate> {
    vec![Certificate::load(IDP_CERT).unwrap()]
}

#[test]
fn signed_info_is_written_in_canonical_form() {
    for prefixes in [&[][..], &["xs"][..]] {
        let opts = SignOptions {
            inclusive_prefixes: prefixes,
            ..rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256)
        };
        let signed = sign_doc(IDP_KEY, IDP_CERT, &opts);
        let doc = parse(&signed).unwrap();
        let si = doc.descendants().find(|n| n.has_name(NS_DSIG, "SignedInfo")).unwrap();
        let canonical =
            canonicalize_to_vec(&doc, Some(si.id()), None, C14nAlgorithm::Exclusive, &[]).unwrap();
        let digest =
            doc.descendants().find(|n| n.has_name(NS_DSIG, "DigestValue")).unwrap().text_content();
        assert_eq!(
            String::from_utf8(canonical).unwrap(),
            canonical_signed_info("_i1", &digest, &opts)
        );
    }
}

#[test]
fn every_allowed_algorithm_round_trips_and_rsa_is_deterministic() {
    let cases = [
        (SignatureMethod::RsaSha256, DigestMethod::Sha256),
        (SignatureMethod::RsaSha384, DigestMethod::Sha384),
        (SignatureMethod::RsaSha512, DigestMethod::Sha512),
    ];
    for (method, digest) in cases {
        let signed = sign_doc(IDP_KEY, IDP_CERT, &rsa(method, digest));
        assert_eq!(signed, sign_doc(IDP_KEY, IDP_CERT, &rsa(method, digest)));
        let v = verify(&signed, &idp(), false).unwrap();
        assert_eq!((v.signature_method, v.digest_method), (method, digest));
        assert!(v.enveloped);
        assert_eq!(v.reference_id, "_i1");
    }
    let signed =
        sign_doc(EC_KEY, EC_CERT, &rsa(SignatureMethod::EcdsaSha256, DigestMethod::Sha256));
    verify(&signed, &[Certificate::load(EC_CERT).unwrap()], false).unwrap();
}

#[test]
fn the_certificate_that_verified_is_reported() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    let trusted =
        vec![Certificate::load(ATTACKER_CERT).unwrap(), Certificate::load(IDP_CERT).unwrap()];
    assert_eq!(verify(&signed, &trusted, false).unwrap().certificate_index, 1);
    let err = verify(&signed, &trusted[..1], false).unwrap_err();
    assert!(matches!(err, SignatureError::UntrustedCertificate { .. }), "{err}");
}

#[test]
fn prefix_list_on_the_reference_is_honoured() {
    let with = SignOptions {
        inclusive_prefixes: &["xs"],
        ..rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256)
    };
    let without = rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256);
    let moved_xs = |s: &str| {
        s.replace("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"", "xmlns:xs=\"urn:evil\"")
    };
    // With PrefixList="xs" the xs binding is signed: rebinding it breaks the digest ...
    let signed = sign_doc(IDP_KEY, IDP_CERT, &with);
    assert!(signed.contains("PrefixList=\"xs\""));
    verify(&signed, &idp(), false).unwrap();
    let err = verify(&moved_xs(&signed), &idp(), false).unwrap_err();
    assert!(matches!(err, SignatureError::DigestMismatch { .. }), "{err}");
    // ... without it, exclusive C14N leaves it out (the reason signers add the PrefixList).
    let signed = sign_doc(IDP_KEY, IDP_CERT, &without);
    verify(&moved_xs(&signed), &idp(), false).unwrap();
}

#[test]
fn prefix_list_on_signed_info_canonicalization_is_honoured() {
    // xmlsec1 signed this with PrefixList="xs" on CanonicalizationMethod: the xs declaration in
    // scope is part of the signed SignedInfo bytes, so ignoring the list would fail the signature.
    let doc = parse(XMLSEC_PREFIXLIST).unwrap();
    let si = doc.descendants().find(|n| n.has_name(NS_DSIG, "SignedInfo")).unwrap().id();
    let plain = canonicalize_to_vec(&doc, Some(si), None, C14nAlgorithm::Exclusive, &[]).unwrap();
    let listed =
        canonicalize_to_vec(&doc, Some(si), None, C14nAlgorithm::Exclusive, &["xs"]).unwrap();
    assert_ne!(plain, listed);
    verify(XMLSEC_PREFIXLIST, &idp(), false).unwrap();
}

#[test]
fn reference_forms_other_than_a_bare_id_are_refused() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    for uri in ["", "#", "#xpointer(/)", "#xpointer(id('_i1'))", "http://example.com/doc.xml#_i1"] {
        let doc = signed.replace("URI=\"#_i1\"", &format!("URI=\"{uri}\""));
        let err = verify(&doc, &idp(), false).unwrap_err();
        assert!(matches!(err, SignatureError::ReferenceForm { .. }), "{uri}: {err}");
    }
    let doc = signed.replace("URI=\"#_i1\"", "URI=\"#_missing\"");
    assert!(matches!(
        verify(&doc, &idp(), false).unwrap_err(),
        SignatureError::ReferenceUnresolved { .. }
    ));
    let doc = signed.replace("ID=\"_o1\"", "ID=\"_i1\"");
    assert!(matches!(verify(&doc, &idp(), false).unwrap_err(), SignatureError::DuplicateId { .. }));
}

#[test]
fn structure_is_checked_in_schema_order() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    let enveloped = "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>";
    let exc = "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform>";
    let (sv_start, sv_end) = (
        signed.find("<ds:SignatureValue>").unwrap(),
        signed.find("</ds:SignatureValue>").unwrap() + 20,
    );
    let cases = [
        // SignatureValue missing.
        format!("{}{}", &signed[..sv_start], &signed[sv_end..]),
        // Transforms out of order, and twice the canonicalization.
        signed.replace(&format!("{enveloped}{exc}"), &format!("{exc}{enveloped}")),
        signed.replace(&format!("{enveloped}{exc}"), &format!("{enveloped}{exc}{exc}")),
        // Two References.
        signed.replace("</ds:Reference>", "</ds:Reference><ds:Reference URI=\"#_o1\"/>"),
        // Text where only elements belong.
        signed.replace("<ds:SignatureMethod", "junk<ds:SignatureMethod"),
        // KeyInfo before SignatureValue.
        signed.replace("<ds:SignatureValue>", "<ds:KeyInfo/><ds:SignatureValue>"),
    ];
    for doc in cases {
        assert_ne!(doc, signed);
        let err = verify(&doc, &idp(), false).unwrap_err();
        assert!(matches!(err, SignatureError::Malformed { .. }), "{err}\n{doc}");
        assert!(err.to_string().contains(':'), "has a position: {err}");
    }
}

#[test]
fn canonicalization_outside_the_allowlist_is_refused_naming_it() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    let c14n11 = "http://www.w3.org/2006/12/xml-c14n11";
    let doc = signed.replacen("http://www.w3.org/2001/10/xml-exc-c14n#", c14n11, 1);
    let err = verify(&doc, &idp(), false).unwrap_err();
    assert!(
        matches!(err, SignatureError::AlgorithmRefused { role: "CanonicalizationMethod", .. }),
        "{err}"
    );
    assert!(err.to_string().contains(c14n11));
}

#[test]
fn wrong_key_type_for_the_method_is_reported() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    let (a, b) = (
        signed.find("<ds:KeyInfo>").unwrap(),
        signed.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len(),
    );
    let no_keyinfo = format!("{}{}", &signed[..a], &signed[b..]);
    let err = verify(&no_keyinfo, &[Certificate::load(EC_CERT).unwrap()], false).unwrap_err();
    assert!(matches!(err, SignatureError::NoSuitableKey { .. }), "{err}");
}

#[test]
fn signing_needs_an_id_and_a_position_inside_the_element() {
    let key = PrivateKey::load(IDP_KEY).unwrap();
    let cert = Certificate::load(IDP_CERT).unwrap();
    let opts = rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256);
    let signer = key.signer().unwrap();
    assert!(sign_enveloped(DOC, "_i1", 0, &signer, cert.der(), &opts).is_err());
    assert!(sign_enveloped(DOC, "_nope", 10, &signer, cert.der(), &opts).is_err());
    let other = DOC.find("<r:Other").unwrap() + 3;
    assert!(
        sign_enveloped(DOC, "_o1", other, &signer, cert.der(), &opts).is_err(),
        "<r:Other/> has no content"
    );
    let ec = SignOptions { method: SignatureMethod::EcdsaSha256, ..opts };
    let at = DOC.find("<r:V").unwrap();
    assert!(matches!(
        sign_enveloped(DOC, "_i1", at, &signer, cert.der(), &ec),
        Err(SignatureError::SigningFailed(_))
    ));
}

/// Red-team regression: a Reference to an element other than the expected one is refused before
/// that element is canonicalized and hashed (the attacker picks it, and its digest).
#[test]
fn a_reference_to_an_unexpected_element_is_refused_before_digesting() {
    let signed =
        sign_doc(IDP_KEY, IDP_CERT, &rsa(SignatureMethod::RsaSha256, DigestMethod::Sha256));
    let moved = signed.replace("URI=\"#_i1\"", "URI=\"#_o1\"");
    let doc = parse(&moved).unwrap();
    let sig = doc.descendants().find(|n| n.has_name(NS_DSIG, "Signature")).unwrap();
    let item = sig.parent_element().unwrap().id();

    // Expecting the element the attacker pointed at, the digest (made for _i1) fails.
    let other = doc.element_by_id("_o1").unwrap();
    let unexpected = verify_signature(&doc, sig.id(), other, &idp(), &VerifyOptions::default());
    assert!(matches!(unexpected, Err(SignatureError::DigestMismatch { .. })), "{unexpected:?}");

    let err =
        verify_signature(&doc, sig.id(), item, &idp(), &VerifyOptions::default()).unwrap_err();
    assert!(matches!(err, SignatureError::ReferenceUnexpected { .. }), "{err:?}");
    assert!(err.to_string().contains("\"#_o1\" resolves to <r:Other>"), "{err}");

    // The genuine document passes with the same expectation.
    let doc = parse(&signed).unwrap();
    let sig = doc.descendants().find(|n| n.has_name(NS_DSIG, "Signature")).unwrap();
    let parent = sig.parent_element().unwrap().id();
    assert!(verify_signature(&doc, sig.id(), parent, &idp(), &VerifyOptions::default()).is_ok());
}

/// Signature error messages reach users through the CLI and SAML error codes: each is pinned here
/// with the position it reports.
#[test]
fn signature_error_messages_and_positions() {
    let pos = samlkit_xml::Position { line: 3, column: 7 };
    let cases: &[(SignatureError, &str, Option<samlkit_xml::Position>)] = &[
        (
            SignatureError::Malformed { pos, message: "SignedInfo is missing".into() },
            "3:7: SignedInfo is missing",
            Some(pos),
        ),
        (
            SignatureError::AlgorithmRefused {
                role: "DigestMethod",
                uri: "urn:md5".into(),
                reason: "weak",
            },
            "DigestMethod algorithm \"urn:md5\" refused: weak",
            None,
        ),
        (
            SignatureError::ReferenceForm { pos, uri: "".into() },
            "3:7: Reference URI \"\" refused: only a same-document reference by ID (\"#ID\") is accepted",
            Some(pos),
        ),
        (
            SignatureError::ReferenceUnresolved { id: "_a".into() },
            "Reference URI \"#_a\" does not match any element's ID",
            None,
        ),
        (
            SignatureError::ReferenceUnexpected {
                pos,
                id: "_a".into(),
                found: "<X> at 1:1".into(),
            },
            "3:7: Reference URI \"#_a\" resolves to <X> at 1:1, not the element that contains it (the only element accepted as signed)",
            Some(pos),
        ),
        (
            SignatureError::DuplicateId { id: "_a".into() },
            "the ID \"_a\" appears on more than one element",
            None,
        ),
        (
            SignatureError::DigestMismatch {
                id: "_a".into(),
                computed: "AA==".into(),
                expected: "AQ==".into(),
            },
            "digest of the element with ID \"_a\" does not match DigestValue (computed AA==, expected AQ==): the signed content was changed",
            None,
        ),
        (
            SignatureError::SignatureMismatch { tried: "the trusted certificate".into() },
            "SignatureValue does not verify with the trusted certificate",
            None,
        ),
        (
            SignatureError::UntrustedCertificate { sha256: "AB:CD".into() },
            "KeyInfo carries a certificate that is not trusted (SHA-256 AB:CD); only the configured certificates are trusted",
            None,
        ),
        (
            SignatureError::NoSuitableKey { method: "ecdsa-sha256" },
            "no trusted certificate can check a ecdsa-sha256 signature",
            None,
        ),
        (SignatureError::SigningFailed("bad key".into()), "signing failed: bad key", None),
    ];
    for (err, message, position) in cases {
        assert_eq!(err.to_string(), *message, "{err:?}");
        assert_eq!(err.position(), *position, "{err:?}");
    }
    // A parse error met while verifying keeps its position.
    let parse = SignatureError::from(samlkit_xml::parse("<a>").unwrap_err());
    assert_eq!(parse.position(), Some(samlkit_xml::Position { line: 1, column: 1 }));
}

mod interop;
