//! Red-team C14N differential against libxmlsec1 on a deliberately awkward (but honest)
//! Response: a default namespace and an unused prefix on the unsigned Response, `xml:lang` and
//! `xml:space` there (inherited by inclusive C14N, not by exclusive), a default-namespace
//! Assertion, a PI and comments, CR/TAB character references, CDATA, `&amp;`/`"` and a line
//! feed in an attribute, astral characters, `xmlns=""` undeclaration.
//!
//! Both directions must agree, for every canonicalization that matters: samlkit signs (Response
//! and Assertion) and xmlsec1 verifies; xmlsec1 signs with inclusive C14N, exclusive C14N with
//! PrefixLists (`#default` included) and C14N with comments, and samlkit verifies, reporting
//! the values exactly as written.
//!
//! Without xmlsec1 these tests are reported as ignored, unless SAMLKIT_REQUIRE_INTEROP is set.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command as Process;

use support::saml::*;
use support::*;

const ODD: &str = include_str!("../fixtures/redteam/odd-response.xml");
const AT: &str = "2026-11-29T12:01:00Z";
const IDS: [&str; 4] = [
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
];

fn samlkit_verifies(doc: &str) -> Verdict {
    verify(doc, &["--now", AT])
}

fn assert_odd_values(v: &Verdict, what: &str) {
    assert!(v.valid(), "{what}: {}", v.error());
    assert_eq!(v.json["name_id"], "alice\r@example.com", "{what}");
    assert_eq!(v.json["recipient"], "https://sp.example/acs?a=1&b=\"2\"\n", "{what}");
    assert_eq!(v.json["attributes"]["x"][0], "v > < & é 😀", "{what}");
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn samlkit_signatures_on_an_awkward_response_pass_xmlsec1() {
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("odd.xml");
    std::fs::write(&input, ODD).unwrap();
    let out = samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--target", "both"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = String::from_utf8(out.stdout).unwrap();
    assert_odd_values(&samlkit_verifies(&signed), "samlkit-signed");

    let path = dir.path().join("signed.xml");
    std::fs::write(&path, &signed).unwrap();
    for xpath in [
        "//*[local-name()='Assertion']/*[local-name()='Signature']",
        "/*[local-name()='Response']/*[local-name()='Signature']",
    ] {
        let out = Process::new("xmlsec1")
            .args(["--verify", "--pubkey-cert-pem", &fixture("certs/idp.crt")])
            .args(IDS)
            .args(["--node-xpath", xpath])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xmlsec1 rejected {xpath}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The awkward Response with a signature template in the Assertion, whose Reference uses
/// `transform` (an algorithm URI) and, for exclusive C14N, `prefixes`.
fn template(transform: &str, prefixes: &str) -> String {
    let inclusive = if prefixes.is_empty() {
        String::new()
    } else {
        format!(
            r#"<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{prefixes}"/>"#
        )
    };
    let signature = format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_a1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="{transform}">{inclusive}</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##
    );
    let anchor = "<Issuer>https://idp.example</Issuer><?pi";
    assert!(ODD.contains(anchor));
    ODD.replacen(anchor, &anchor.replace("<?pi", &format!("{signature}<?pi")), 1)
}

#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn xmlsec1_signatures_on_an_awkward_response_pass_samlkit() {
    require(&tools::XMLSEC1);
    let cases = [
        ("http://www.w3.org/TR/2001/REC-xml-c14n-20010315", ""),
        ("http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", ""),
        ("http://www.w3.org/2001/10/xml-exc-c14n#", ""),
        ("http://www.w3.org/2001/10/xml-exc-c14n#", "xs #default"),
        ("http://www.w3.org/2001/10/xml-exc-c14n#", "xs xsi unused"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (transform, prefixes) in cases {
        let tmpl = dir.path().join("tmpl.xml");
        let signed = dir.path().join("signed.xml");
        std::fs::write(&tmpl, template(transform, prefixes)).unwrap();
        let out = Process::new("xmlsec1")
            .arg("--sign")
            .args([
                "--privkey-pem",
                &format!("{},{}", fixture("keys/idp.key"), fixture("certs/idp.crt")),
            ])
            .args(IDS)
            .arg("--output")
            .arg(&signed)
            .arg(&tmpl)
            .output()
            .unwrap();
        assert!(out.status.success(), "xmlsec1 --sign: {}", String::from_utf8_lossy(&out.stderr));
        let doc = std::fs::read_to_string(&signed).unwrap();
        assert_odd_values(&samlkit_verifies(&doc), &format!("{transform} [{prefixes}]"));
    }
}
