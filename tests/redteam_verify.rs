//! Red-team regression table: hostile rewrites of genuinely signed responses that target the
//! places where an XML-Signature verifier and the code reading the values can disagree (ID
//! resolution, namespaces and prefixes, transforms, what C14N drops or keeps, input decoding).
//! Each must fail with a stable error code; the harmless rewrites that C14N erases must verify
//! and report exactly the signed values.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use support::saml::*;
use support::*;

/// The signed Assertion's ID and the Response's, read from the issued document.
fn ids(doc: &str) -> (String, String) {
    let attr_after = |marker: &str| {
        let start = doc.find(marker).expect("marker") + marker.len();
        let rest = &doc[start..];
        let id_at = rest.find(" ID=\"").expect("ID") + 5;
        rest[id_at..id_at + rest[id_at..].find('"').expect("quote")].to_string()
    };
    (attr_after("<saml:Assertion"), attr_after("<samlp:Response"))
}

/// The whole `<ds:Transform …>…</ds:Transform>` element whose Algorithm is `alg`.
fn transform(doc: &str, alg: &str) -> String {
    let start = doc.find(&format!("<ds:Transform Algorithm=\"{alg}\"")).expect("transform");
    let len = doc[start..].find("</ds:Transform>").expect("end tag") + "</ds:Transform>".len();
    doc[start..start + len].to_string()
}

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

fn replace_once(doc: &str, from: &str, to: &str) -> String {
    assert!(doc.contains(from), "mutation anchor {from:?} missing");
    doc.replacen(from, to, 1)
}

type Mutation = fn(&str) -> String;

const EVIL_ASSERTION: &str = r#"<saml:Assertion ID="_evil" Version="2.0" IssueInstant="2026-11-29T10:00:00Z"><saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject><saml:NameID>attacker@evil.example</saml:NameID></saml:Subject></saml:Assertion>"#;

/// (what, mutation of the Assertion-signed response, expected error code)
const REJECTED: &[(&str, Mutation, &str)] = &[
    (
        "Reference URI with a space after #",
        |d| replace_once(d, "URI=\"#", "URI=\"# "),
        "reference_invalid",
    ),
    (
        "Reference as an XPointer",
        |d| {
            let (a, _) = ids(d);
            replace_once(d, &format!("URI=\"#{a}\""), &format!("URI=\"#xpointer(id('{a}'))\""))
        },
        "reference_invalid",
    ),
    (
        "Reference percent-encoded",
        |d| replace_once(d, "URI=\"#_", "URI=\"#%5F"),
        "reference_invalid",
    ),
    (
        "the Assertion's ID repeated as Id on the Response",
        |d| {
            let (a, _) = ids(d);
            replace_once(d, "<samlp:Response ", &format!("<samlp:Response Id=\"{a}\" "))
        },
        "duplicate_id",
    ),
    (
        "the Assertion's ID repeated as lowercase id on an Extensions child",
        |d| {
            let (a, _) = ids(d);
            replace_once(
                d,
                "<samlp:Status>",
                &format!("<samlp:Extensions><x id=\"{a}\"/></samlp:Extensions><samlp:Status>"),
            )
        },
        "duplicate_id",
    ),
    (
        "ds:Signature moved to a look-alike namespace (so it is not seen) and values changed",
        |d| {
            d.replace(
                "http://www.w3.org/2000/09/xmldsig#\"",
                "http://www.w3.org/2000/09/xmldsig#x\"",
            )
            .replace("alice@example.com", "attacker@evil.example")
        },
        "signature_missing",
    ),
    (
        "NameID rewritten from the saml: prefix to a default-namespace declaration",
        |d| {
            d.replace("<saml:NameID ", "<NameID xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\" ")
                .replace("</saml:NameID>", "</NameID>")
        },
        "digest_mismatch",
    ),
    (
        "processing instruction appended inside NameID (C14N keeps PIs)",
        |d| {
            replace_once(
                d,
                "alice@example.com</saml:NameID>",
                "alice@example.com<?evil.example?></saml:NameID>",
            )
        },
        "digest_mismatch",
    ),
    (
        "a second Assertion hidden in Advice inside the unsigned wrapper's Extensions",
        |d| {
            let hidden = format!(
                "<samlp:Extensions><saml:Advice>{EVIL_ASSERTION}</saml:Advice></samlp:Extensions><samlp:Status>"
            );
            replace_once(d, "<samlp:Status>", &hidden)
        },
        "assertion_count",
    ),
    (
        "EncryptedAssertion next to the signed Assertion",
        |d| replace_once(d, "</samlp:Response>", "<saml:EncryptedAssertion/></samlp:Response>"),
        "encrypted_assertion_unsupported",
    ),
    (
        "transforms swapped (C14N before enveloped-signature)",
        |d| {
            let env = &transform(d, ENVELOPED);
            let exc = &transform(d, EXC_C14N);
            replace_once(d, &format!("{env}{exc}"), &format!("{exc}{env}"))
        },
        "signature_malformed",
    ),
    (
        "enveloped-signature transform twice",
        |d| {
            let env = &transform(d, ENVELOPED);
            replace_once(d, env, &format!("{env}{env}"))
        },
        "signature_malformed",
    ),
    (
        "InclusiveNamespaces under an inclusive C14N transform",
        |d| {
            replace_once(
                d,
                &transform(d, EXC_C14N),
                r#"<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="saml"/></ds:Transform>"#,
            )
        },
        "signature_malformed",
    ),
    (
        "SHA-1 DigestMethod under an rsa-sha256 SignatureMethod",
        |d| {
            replace_once(
                d,
                "http://www.w3.org/2001/04/xmlenc#sha256",
                "http://www.w3.org/2000/09/xmldsig#sha1",
            )
        },
        "algorithm_refused",
    ),
    (
        "SignatureValue split by a comment",
        |d| replace_once(d, "<ds:SignatureValue>", "<ds:SignatureValue><!---->"),
        "signature_malformed",
    ),
    (
        "UTF-16 declared in the XML declaration",
        |d| replace_once(d, "encoding=\"UTF-8\"", "encoding=\"UTF-16\""),
        "malformed_xml",
    ),
    (
        "SAMLResponse base64-encoded twice",
        |d| STANDARD.encode(STANDARD.encode(d)),
        "malformed_input",
    ),
    // Skipping it would fool downstream code that matches names by prefix: refused.
    (
        "an Assertion in a look-alike namespace beside the signed one",
        |d| {
            let lookalike = EVIL_ASSERTION.replace(
                "<saml:Assertion ",
                "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion \" ",
            );
            replace_once(d, "<samlp:Status>", &format!("{lookalike}<samlp:Status>"))
        },
        "unexpected_element",
    ),
];

/// Rewrites C14N erases: they verify and the reported values are the signed ones.
const HARMLESS: &[(&str, Mutation)] = &[
    ("NameID as CDATA plus a character reference", |d| {
        replace_once(
            d,
            ">alice@example.com</saml:NameID>",
            "><![CDATA[alice@]]>&#101;xample.com</saml:NameID>",
        )
    }),
    ("comments between the Assertion's elements", |d| {
        replace_once(d, "<saml:Subject>", "<!--x--><saml:Subject><!--y-->")
    }),
];

#[test]
fn hostile_rewrites_are_rejected_with_stable_codes() {
    let signed = issue(&[]);
    assert!(verify(&signed, &[]).valid(), "the starting point must verify");
    for (what, mutate, code) in REJECTED {
        let doc = mutate(&signed);
        let v = verify(&doc, &[]);
        assert!(!v.valid(), "{what}: accepted\n{doc}");
        assert_eq!(v.error_code(), *code, "{what}: {}", v.error());
    }
}

#[test]
fn rewrites_that_canonicalization_erases_report_only_signed_values() {
    let signed = issue(&[]);
    let genuine = verify(&signed, &[]);
    for (what, mutate) in HARMLESS {
        let doc = mutate(&signed);
        let v = verify(&doc, &[]);
        assert!(v.valid(), "{what}: {}", v.error());
        for field in ["name_id", "issuer", "audiences", "recipient", "attributes"] {
            assert_eq!(v.json[field], genuine.json[field], "{what}: {field}");
        }
    }
}

/// A signed value is still the user's words when the IdP copies them (a display name): in the
/// human-readable report a line feed in it must not print a second, fake `name_id:` line, nor
/// may C1 controls (U+0085 NEL) reach the terminal raw.
#[test]
fn control_characters_in_signed_values_cannot_forge_report_lines() {
    let forged = "Bob\n  name_id:         admin@example.com";
    let signed = issue(&["--attr", &format!("displayName={forged}"), "--attr", "n=x\u{85}y é"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xml");
    std::fs::write(&path, &signed).unwrap();
    let out = samlkit()
        .args(["verify", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        report.lines().filter(|l| l.trim_start().starts_with("name_id:")).count(),
        1,
        "{report}"
    );
    assert!(
        report.contains(r"displayName = Bob\n  name_id:         admin@example.com"),
        "{report}"
    );
    assert!(report.contains(r"n = x\u{85}y é"), "{report}");
    // JSON keeps the exact values (JSON escaping is already unambiguous).
    let v = verify(&signed, &[]);
    assert_eq!(v.json["attributes"]["displayName"][0], forged);
}
