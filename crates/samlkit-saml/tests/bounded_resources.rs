//! Issue 9 items 14 and 16 at the library level: hostile inputs are refused at the limit that
//! names them (nodes while parsing, inflated size while inflating, input size), and a signed
//! response with tens of thousands of attributes still verifies in full.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use common::{alice_params, idp_credential, issued, sp_policy};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A Response root holding `count` repetitions of `unit` (`<a/>x` is two nodes in five bytes).
fn node_dense(unit: &str, count: usize) -> String {
    format!("<samlp:Response xmlns:samlp=\"{PROTOCOL}\">{}</samlp:Response>", unit.repeat(count))
}

fn verify_error(input: &[u8]) -> SamlError {
    let trusted = [idp_credential().certificate().clone()];
    let policy = VerifyPolicy::without_binding_checks(&trusted, issued());
    verify_response(input, &policy).unwrap_err()
}

#[test]
fn node_limit_refuses_a_node_dense_message_while_parsing() {
    // Document node + root + 2 per unit: one unit more than fits is refused, at the node that
    // crosses the limit (so the tree never holds more than the limit).
    let fits = (MAX_MESSAGE_NODES - 2) / 2;
    let cases = [
        ("10 MiB of <a/>x", node_dense("<a/>x", 10 * 1024 * 1024 / 5 - 20)),
        ("one unit over", node_dense("<a/>x", fits + 1)),
        ("comments", node_dense("<!---->", MAX_MESSAGE_NODES)),
    ];
    for (name, input) in cases {
        let err = verify_error(input.as_bytes());
        assert_eq!(err.code(), "malformed_xml", "{name}: {err}");
        assert!(
            err.to_string().contains(&format!(
                "the document has more than {MAX_MESSAGE_NODES} nodes (the limit for SAML messages)"
            )),
            "{name}: {err}"
        );
    }
    // At the limit the document parses, and verification goes on to the next stage.
    let err = verify_error(node_dense("<a/>x", fits).as_bytes());
    assert!(!err.to_string().contains("nodes"), "{err}");
}

#[test]
fn deflated_input_is_capped_at_one_mebibyte_when_inflated() {
    // 10 MiB of markup deflates to about 20 KB of base64: refused while inflating, not parsed.
    let bomb = STANDARD.encode(deflate(node_dense("<a/>x", 2_000_000).as_bytes()));
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let err = verify_error(bomb.as_bytes());
    assert_eq!(err.code(), "malformed_input", "{err}");
    assert!(err.to_string().contains("inflated message exceeds 1 MiB"), "{err}");

    // The same inside a form body, URL-encoded as a browser posts it.
    let form = format!("SAMLResponse={}", bomb.replace('+', "%2B").replace('=', "%3D"));
    let err = verify_error(form.as_bytes());
    assert!(err.to_string().contains("inflated message exceeds 1 MiB"), "{err}");
}

#[test]
fn oversized_input_is_refused_with_its_limit_in_units() {
    let big = node_dense("x", MAX_MESSAGE_BYTES as usize);
    let err = verify_error(big.as_bytes());
    assert_eq!(err.code(), "malformed_input", "{err}");
    assert!(err.to_string().contains("the limit is 10 MiB"), "{err}");
}

#[test]
fn sixty_thousand_distinct_attributes_verify_and_are_all_reported() {
    // Issue 9 item 16: the merge of attributes by name was quadratic (3.7 s for this response);
    // it must stay linear. The count is also what MAX_MESSAGE_NODES is sized for.
    // Written compactly (no NameFormat, no xsi:type) as in the 5.6 MB response: the
    // builder's verbose form of 60,000 attributes would pass MAX_MESSAGE_BYTES.
    const COUNT: usize = 60_000;
    let statement: String = (0..COUNT)
        .map(|i| {
            format!(
                "<saml:Attribute Name=\"a{i}\"><saml:AttributeValue>v{i}</saml:AttributeValue></saml:Attribute>"
            )
        })
        .collect();
    let built = build_response(&alice_params()).unwrap();
    let unsigned = built.xml.replacen(
        "</saml:Assertion>",
        &format!("<saml:AttributeStatement>{statement}</saml:AttributeStatement></saml:Assertion>"),
        1,
    );
    let credential = idp_credential();
    let profile = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let signed = sign_document(&unsigned, &credential, &profile).unwrap();
    assert!(signed.len() as u64 <= MAX_MESSAGE_BYTES, "{} bytes", signed.len());

    let trusted = [credential.certificate().clone()];
    let policy = sp_policy(&trusted, issued() + Duration::seconds(60));
    let verified = verify_response(signed.as_bytes(), &policy).unwrap();
    let reported = verified.attributes();
    assert_eq!(reported.len(), COUNT);
    for (i, (name, values)) in reported.iter().enumerate() {
        assert_eq!(
            (name.as_str(), values.as_slice()),
            (format!("a{i}").as_str(), &[AttributeValue::Text(format!("v{i}"))][..])
        );
    }
    assert_eq!(verified.attribute_texts("a59999"), ["v59999"]);
}
