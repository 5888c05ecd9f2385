//! `samlkit verify` on legitimate documents other signers make, and on their hostile neighbours
//! (issue 9, items 17, 18, 19 and 22), through the built binary: exit codes, the one `error:`
//! line, `--json` codes. The inputs were signed by xmlsec1 (`fixtures/dsig-interop/generate.sh`)
//! and by xml-crypto (`tests/interop/node/sign_xml_crypto.js`); the interop tests re-sign with
//! those tools when they are installed and check that xmlsec1 accepts what samlkit accepts.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command as Process, Output};

use samlkit_cert::Certificate;
use support::saml::{ACS, IDP, SP, VERIFY_AT};
use support::*;

fn signed(name: &str) -> String {
    fixture(&format!("dsig-interop/signed/{name}.xml"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn fingerprint(cert: &str) -> String {
    Certificate::load(&std::fs::read(fixture(&format!("certs/{cert}.crt"))).unwrap())
        .unwrap()
        .sha256_fingerprint()
}

/// `samlkit verify` with every binding checked (no warnings on stderr), `cert` trusted, on `path`.
fn verify(path: &Path, cert: &str, extra: &[&str]) -> Output {
    let cert = fixture(&format!("certs/{cert}.crt"));
    let mut args = vec!["verify", "--now", VERIFY_AT, "--cert", &cert];
    args.extend(["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    args.extend(extra);
    let path = path.to_string_lossy().into_owned();
    args.push(&path);
    run(&args)
}

/// The same on a document given as text.
fn verify_doc(doc: &str, cert: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("response.xml");
    std::fs::write(&path, doc).unwrap();
    verify(&path, cert, extra)
}

fn assert_valid(out: &Output, cert: &str) {
    assert_success(out);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(out);
    assert!(text.contains(": valid\n"), "{text}");
    // The trusted certificate that matched is the one reported.
    assert!(text.contains(&format!("certificate:     SHA-256 {}", fingerprint(cert))), "{text}");
}

/// `--json` `error_code` of one run.
fn json_code(out: &Output) -> String {
    let json: serde_json::Value = serde_json::from_str(stdout(out).trim()).unwrap();
    json["error_code"].as_str().unwrap_or("").to_string()
}

const ENVELOPED_CHILD: &str = "<InclusiveNamespaces PrefixList=\"xs\" xmlns=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>";

#[test]
fn xml_crypto_prefix_list_in_the_enveloped_transform_verifies() {
    let path = signed("xml-crypto-prefixlist");
    assert!(read(&path).contains(ENVELOPED_CHILD));
    assert_valid(&verify(Path::new(&path), "idp", &[]), "idp");
}

#[test]
fn other_content_in_the_enveloped_transform_is_refused() {
    let doc = read(&signed("xml-crypto-prefixlist")).replacen(
        ENVELOPED_CHILD,
        "<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>",
        1,
    );
    let out = verify_doc(&doc, "idp", &[]);
    assert_error(
        &out,
        1,
        "response.xml:10:418: Signature Malformed: the enveloped-signature Transform must be empty (an xml-crypto InclusiveNamespaces is the one child tolerated), found <ds:XPath> in namespace http://www.w3.org/2000/09/xmldsig#",
    );
    assert_eq!(json_code(&verify_doc(&doc, "idp", &["--json"])), "signature_malformed");
}

#[test]
fn keyinfo_with_another_certificate_verifies_with_the_trusted_key() {
    for name in ["keyinfo-reissued", "keyinfo-unrelated"] {
        let out = verify(Path::new(&signed(name)), "idp", &[]);
        assert_valid(&out, "idp");
        let json = verify(Path::new(&signed(name)), "idp", &["--json"]);
        let json: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
        assert_eq!(json["cert_sha256"], fingerprint("idp").as_str(), "{name}");
    }
}

#[test]
fn an_untrusted_keyinfo_certificate_is_named_when_nothing_verifies() {
    let out = verify(Path::new(&signed("keyinfo-unrelated")), "ec-p256", &[]);
    assert_error(
        &out,
        1,
        &format!(
            "Certificate Not Trusted: KeyInfo carries a certificate that is not trusted (SHA-256 {}); only the configured certificates are trusted",
            fingerprint("attacker")
        ),
    );
    let out = verify(Path::new(&signed("keyinfo-unrelated")), "ec-p256", &["--json"]);
    assert_eq!(json_code(&out), "untrusted_certificate");
}

#[test]
fn a_keyinfo_certificate_holding_pem_text_is_reported_as_such() {
    use base64::Engine;
    let doc = read(&signed("xml-crypto-prefixlist"));
    let (start, end) = (
        doc.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len(),
        doc.find("</ds:X509Certificate>").unwrap(),
    );
    let pem = base64::engine::general_purpose::STANDARD.encode(read(&fixture("certs/idp.crt")));
    let adfs = format!("{}{pem}{}", &doc[..start], &doc[end..]);
    assert_valid(&verify_doc(&adfs, "idp", &[]), "idp");
    let out = verify_doc(&adfs, "attacker", &[]);
    assert_error(
        &out,
        1,
        &format!(
            "Signature Invalid: SignatureValue does not verify with the trusted certificate SHA-256 {}; KeyInfo's X509Certificate is not a certificate: it holds the base64 of PEM text, not of a DER certificate",
            fingerprint("attacker")
        ),
    );
}

#[test]
fn ecdsa_hash_and_curve_are_independent() {
    assert_valid(&verify(Path::new(&signed("p256-ecdsa-sha384")), "ec-p256", &[]), "ec-p256");
    assert_valid(&verify(Path::new(&signed("p384-ecdsa-sha256")), "ec-p384", &[]), "ec-p384");
}

#[test]
fn rsa_1024_is_one_rule_for_every_hash() {
    let key_too_small = format!(
        "Key Too Small: SignatureValue verifies with the trusted certificate SHA-256 {}, but its RSA key has 1024 bits; RSA keys under 2048 bits are refused; pass --allow-rsa1024 to accept it",
        fingerprint("legacy-rsa1024")
    );
    let sha256 = signed("rsa1024-sha256");
    let sha1 = signed("rsa1024-sha1");
    let cases: &[(&str, &[&str], Option<&str>)] = &[
        (&sha256, &[], Some(&key_too_small)),
        (&sha1, &["--allow-sha1"], Some(&key_too_small)),
        (
            &sha1,
            &["--allow-rsa1024"],
            Some(
                "Algorithm Refused: SignatureMethod algorithm \"http://www.w3.org/2000/09/xmldsig#rsa-sha1\" refused: SHA-1 is refused unless explicitly allowed; pass --allow-sha1 to accept it",
            ),
        ),
        (&sha256, &["--allow-rsa1024"], None),
        (&sha1, &["--allow-sha1", "--allow-rsa1024"], None),
    ];
    for (path, flags, error) in cases {
        let out = verify(Path::new(path), "legacy-rsa1024", flags);
        match error {
            Some(message) => assert_error(&out, 1, message),
            None => assert_valid(&out, "legacy-rsa1024"),
        }
    }
    let json = verify(Path::new(&sha1), "legacy-rsa1024", &["--json", "--allow-sha1"]);
    assert_eq!(json_code(&json), "key_too_small");
    // The switch is for responses: metadata verification has none.
    let cert = fixture("certs/legacy-rsa1024.crt");
    let out = run(&["verify", "--metadata", "--allow-rsa1024", "--cert", &cert, &sha256]);
    assert_error(&out, 2, "the argument '--metadata' cannot be used with '--allow-rsa1024'");
}

#[test]
fn a_rebound_ds_prefix_is_reported_with_namespace_uris() {
    let doc = read(&signed("xml-crypto-prefixlist")).replacen(
        "<ds:SignedInfo>",
        "<ds:SignedInfo xmlns:ds=\"urn:evil\">",
        1,
    );
    let out = verify_doc(&doc, "idp", &[]);
    assert_error(
        &out,
        1,
        "expected SignedInfo in namespace http://www.w3.org/2000/09/xmldsig#, found <ds:SignedInfo> in namespace urn:evil",
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("expected ds:SignedInfo"));
}

/// xml-crypto signs now (the committed output cannot drift from what the library does today), and
/// samlkit and xmlsec1 both accept it.
#[test]
#[cfg_attr(
    missing_node_xml_crypto,
    ignore = "node or xml-crypto missing: run scripts/install-test-deps.sh"
)]
fn xml_crypto_signed_now_passes_samlkit_verify() {
    require(&tools::NODE_XML_CRYPTO);
    let dir = tempfile::tempdir().unwrap();
    for prefixes in ["xs", "xs xsi"] {
        let out = run_ok(
            Process::new("node")
                .arg(root().join("tests/interop/node/sign_xml_crypto.js"))
                .arg(root().join("tests/interop/node/unsigned-response.xml"))
                .args([fixture("keys/idp.key"), fixture("certs/idp.crt"), prefixes.to_string()]),
        );
        let doc = String::from_utf8(out.stdout).unwrap();
        let child = format!(
            "<InclusiveNamespaces PrefixList=\"{prefixes}\" xmlns=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
        );
        assert!(doc.contains(&child), "{doc}");
        let path = dir.path().join("signed.xml");
        std::fs::write(&path, &doc).unwrap();
        assert_valid(&verify(&path, "idp", &[]), "idp");
    }
}

/// Differential: xmlsec1 accepts, with the same trusted certificate, what samlkit accepts above
/// (and, for the 1024-bit key, what samlkit accepts with --allow-rsa1024).
#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn xmlsec1_accepts_what_samlkit_accepts() {
    require(&tools::XMLSEC1);
    let cases = [
        ("xml-crypto-prefixlist", "idp"),
        ("keyinfo-reissued", "idp"),
        ("keyinfo-unrelated", "idp"),
        ("p256-ecdsa-sha384", "ec-p256"),
        ("p384-ecdsa-sha256", "ec-p384"),
        ("rsa1024-sha256", "legacy-rsa1024"),
        ("rsa1024-sha1", "legacy-rsa1024"),
    ];
    for (name, cert) in cases {
        xmlsec1_verify(&signed(name), cert);
    }
}

/// Re-signs the xmlsec1 fixtures now into a temporary directory: the script and the committed
/// outputs cannot drift apart, and samlkit accepts what xmlsec1 signs today.
#[test]
#[cfg_attr(missing_xmlsec1, ignore = "xmlsec1 not installed: run scripts/install-test-deps.sh")]
fn fixtures_signed_by_xmlsec1_now_pass_samlkit_verify() {
    require(&tools::XMLSEC1);
    let dir = tempfile::tempdir().unwrap();
    run_ok(Process::new("bash").arg(fixture("dsig-interop/generate.sh")).arg(dir.path()));
    for (name, cert, flags) in [
        ("p256-ecdsa-sha384", "ec-p256", &[][..]),
        ("p384-ecdsa-sha256", "ec-p384", &[]),
        ("keyinfo-reissued", "idp", &[]),
        ("keyinfo-unrelated", "idp", &[]),
        ("rsa1024-sha256", "legacy-rsa1024", &["--allow-rsa1024"]),
        ("rsa1024-sha1", "legacy-rsa1024", &["--allow-rsa1024", "--allow-sha1"]),
    ] {
        let path = dir.path().join(format!("{name}.xml"));
        assert_valid(&verify(&path, cert, flags), cert);
    }
}

fn xmlsec1_verify(path: &str, cert: &str) {
    // Only the given key: xmlsec1 must not take one from KeyInfo or its X.509 store.
    run_ok(Process::new("xmlsec1").args([
        "--verify",
        "--pubkey-cert-pem",
        &fixture(&format!("certs/{cert}.crt")),
        "--enabled-key-data",
        "rsa,ecdsa",
        "--id-attr:ID",
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        path,
    ]));
}
