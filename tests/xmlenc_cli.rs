//! Encrypted assertions through the CLI: `issue --encrypt-for`, `verify --decrypt-key`,
//! `samlkit decrypt`, and the safety rules as a user sees them (exit codes, the one `error:`
//! line, the JSON `error_code`). Interop with xmlsec1 and the Python SPs is in
//! `tests/xmlenc_interop.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Output;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use support::saml::*;
use support::*;

fn sp_key() -> String {
    fixture("xmlenc/sp.key")
}

fn encrypted(extra: &[&str]) -> String {
    let cert = fixture("xmlenc/sp.crt");
    let mut args = vec!["--encrypt-for", cert.as_str()];
    args.extend_from_slice(extra);
    issue(&args)
}

/// `samlkit verify --json` and the human form of `doc` on standard input: (json run, human run).
fn verify_stdin(doc: &str, extra: &[&str]) -> (Output, Output) {
    let run = |json: bool| {
        let mut cmd = samlkit();
        cmd.args(["verify", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT]);
        cmd.args(["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
        if json {
            cmd.arg("--json");
        }
        cmd.args(extra).arg("-").write_stdin(doc).output().unwrap()
    };
    (run(true), run(false))
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).unwrap()
}

fn replace_cipher_value(doc: &str, nth_from_end: usize, flip_at: usize) -> String {
    let mut starts: Vec<usize> =
        doc.match_indices("<xenc:CipherValue>").map(|(i, _)| i + 18).collect();
    starts.reverse();
    let start = starts[nth_from_end];
    let end = doc[start..].find('<').unwrap() + start;
    let mut bytes = STANDARD.decode(&doc[start..end]).unwrap();
    let i = flip_at.min(bytes.len() - 1);
    bytes[i] ^= 1;
    format!("{}{}{}", &doc[..start], STANDARD.encode(&bytes), &doc[end..])
}

#[test]
fn issue_encrypt_for_then_verify_decrypt_key_for_every_algorithm() {
    for alg in ["aes256-gcm", "aes128-gcm", "aes256-cbc", "aes128-cbc"] {
        for kt in [
            &["--key-transport", "rsa-oaep-mgf1p"][..],
            &["--key-transport", "rsa-oaep", "--oaep-digest", "sha256"],
        ] {
            let mut extra = vec!["--enc-alg", alg, "--sign", "both"];
            extra.extend_from_slice(kt);
            let doc = encrypted(&extra);
            assert!(doc.contains("<saml:EncryptedAssertion"));
            assert!(!doc.contains(">alice@example.com<"), "{alg}: NameID in clear");
            let (j, human) = verify_stdin(&doc, &["--decrypt-key", &sp_key()]);
            assert_success(&j);
            let v = json(&j);
            assert_eq!(v["valid"], true);
            assert_eq!(v["name_id"], "alice@example.com");
            assert_eq!(v["encrypted"], true);
            assert!(v["encryption"]["data"].as_str().unwrap().ends_with(alg), "{v}");
            assert!(stdout(&human).contains(&format!("  encrypted:       assertion ({alg}, ")));
        }
    }
}

#[test]
fn plain_results_say_not_encrypted_in_json() {
    let (j, _) = verify_stdin(&issue(&[]), &[]);
    let v = json(&j);
    assert_eq!(v["encrypted"], false);
    assert!(v["encryption"].is_null());
    // A failure carries both fields too (null).
    let (j, _) = verify_stdin(&issue(&["--sign", "none"]), &[]);
    let v = json(&j);
    assert!(v.as_object().unwrap().contains_key("encrypted"));
    assert!(v.as_object().unwrap().contains_key("encryption"));
}

#[test]
fn every_decryption_failure_prints_the_same_bytes() {
    // Assertion-signed GCM and CBC (CBC allowed unsigned so that its padding is reached).
    let gcm = encrypted(&[]);
    let cbc = encrypted(&["--enc-alg", "aes128-cbc"]);
    let other_key = fixture("xmlenc/sp-old.key");
    // Flipping a bit of CBC's IV garbles the plaintext's first block (the `<saml:Assertion`
    // start tag): the padding is fine, the plaintext is malformed.
    let garbage_plaintext = replace_cipher_value(&cbc, 0, 0);
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        ("wrong key", gcm.clone(), vec!["--decrypt-key".into(), other_key]),
        ("bad OAEP", replace_cipher_value(&gcm, 1, 3), vec!["--decrypt-key".into(), sp_key()]),
        (
            "GCM tag",
            replace_cipher_value(&gcm, 0, usize::MAX),
            vec!["--decrypt-key".into(), sp_key()],
        ),
        (
            "CBC padding",
            replace_cipher_value(&cbc, 0, usize::MAX),
            vec!["--decrypt-key".into(), sp_key(), "--allow-cbc-unsigned".into()],
        ),
        (
            "CBC garbled plaintext",
            garbage_plaintext,
            vec!["--decrypt-key".into(), sp_key(), "--allow-cbc-unsigned".into()],
        ),
    ];
    let mut seen: Option<(Output, Output)> = None;
    for (name, doc, extra) in &cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (j, human) = verify_stdin(doc, &extra);
        assert_eq!(j.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&j.stderr));
        assert_eq!(json(&j)["error_code"], "decryption_failed", "{name}");
        assert_error(&human, 1, "Decryption Failed");
        match &seen {
            None => seen = Some((j, human)),
            Some((j0, h0)) => {
                for (a, b, what) in [(&j, j0, "--json"), (&human, h0, "human")] {
                    assert_eq!(a.status.code(), b.status.code(), "{name} {what}: exit code");
                    assert_eq!(a.stdout, b.stdout, "{name} {what}: stdout differs");
                    assert_eq!(a.stderr, b.stderr, "{name} {what}: stderr differs");
                }
            }
        }
    }
}

#[test]
fn an_unsigned_encrypted_assertion_is_refused() {
    let (j, _) = verify_stdin(&encrypted(&["--sign", "none"]), &["--decrypt-key", &sp_key()]);
    assert_eq!(j.status.code(), Some(1));
    assert_eq!(json(&j)["error_code"], "assertion_not_signed");
}

#[test]
fn cbc_without_a_response_signature_needs_the_flag() {
    let doc = encrypted(&["--enc-alg", "aes256-cbc"]);
    let (j, human) = verify_stdin(&doc, &["--decrypt-key", &sp_key()]);
    assert_eq!(j.status.code(), Some(1));
    assert_eq!(json(&j)["error_code"], "cbc_unsigned");
    assert_error(&human, 1, "--allow-cbc-unsigned");
    let (j, _) = verify_stdin(&doc, &["--decrypt-key", &sp_key(), "--allow-cbc-unsigned"]);
    assert_success(&j);
    // With the Response signed over the ciphertext, no flag is needed.
    let (j, _) = verify_stdin(
        &encrypted(&["--enc-alg", "aes256-cbc", "--sign", "both"]),
        &["--decrypt-key", &sp_key()],
    );
    assert_success(&j);
}

#[test]
fn rsa_1_5_key_transport_is_refused_by_verify_and_decrypt() {
    let doc = encrypted(&[]).replace("xmlenc#rsa-oaep-mgf1p", "xmlenc#rsa-1_5");
    let (j, _) = verify_stdin(&doc, &["--decrypt-key", &sp_key()]);
    assert_eq!(j.status.code(), Some(1));
    assert_eq!(json(&j)["error_code"], "algorithm_refused");
    assert!(
        json(&j)["error"].as_str().unwrap().contains("http://www.w3.org/2001/04/xmlenc#rsa-1_5")
    );
    let out =
        samlkit().args(["decrypt", "--key", &sp_key(), "-"]).write_stdin(doc).output().unwrap();
    assert_error(&out, 1, "http://www.w3.org/2001/04/xmlenc#rsa-1_5");
}

#[test]
fn without_a_key_verify_says_how_to_decrypt() {
    let (_, human) = verify_stdin(&encrypted(&[]), &[]);
    assert_error(&human, 1, "pass the SP's key with --decrypt-key");
}

#[test]
fn key_rotation_two_keys_either_order() {
    let doc = encrypted(&[]);
    let old = fixture("xmlenc/sp-old.key");
    for keys in [[old.as_str(), sp_key().as_str()], [sp_key().as_str(), old.as_str()]] {
        let (j, _) = verify_stdin(&doc, &["--decrypt-key", keys[0], "--decrypt-key", keys[1]]);
        assert_success(&j);
    }
}

#[test]
fn a_decrypt_key_that_is_not_rsa_or_not_a_key_is_a_usage_error() {
    let (j, _) = verify_stdin(&encrypted(&[]), &["--decrypt-key", &fixture("keys/ec-p256.key")]);
    assert_error(&j, 2, "RSA");
    let (j, _) = verify_stdin(&encrypted(&[]), &["--decrypt-key", &fixture("certs/idp.crt")]);
    assert_eq!(j.status.code(), Some(2));
}

#[test]
fn decrypt_writes_the_plaintext_and_says_nothing_was_verified() {
    let doc = encrypted(&["--encrypt-name-id", "--sign", "both"]);
    let out = samlkit()
        .args(["decrypt", "--key", &sp_key(), "-"])
        .write_stdin(doc.clone())
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.contains(">alice@example.com</saml:NameID>"), "{text}");
    assert!(!text.contains("EncryptedAssertion") && !text.contains("EncryptedID"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was verified"), "{stderr}");
    // Base64 input (a SAMLResponse field) works too.
    let out = samlkit()
        .args(["decrypt", "--key", &sp_key(), "-"])
        .write_stdin(STANDARD.encode(&doc))
        .output()
        .unwrap();
    assert_success(&out);
    // Failure: exit 1, one error line, no output.
    let out = samlkit()
        .args(["decrypt", "--key", &fixture("xmlenc/sp-old.key"), "-"])
        .write_stdin(doc)
        .output()
        .unwrap();
    assert_error(&out, 1, "Decryption Failed");
    assert!(out.stdout.is_empty());
}

#[test]
fn keys_are_never_printed() {
    let pem = std::fs::read_to_string(sp_key()).unwrap();
    let body = pem.lines().nth(1).unwrap();
    let doc = encrypted(&[]);
    let key = sp_key();
    for extra in [&["--explain"][..], &["--json"][..], &[][..]] {
        let mut args = vec!["--decrypt-key", key.as_str()];
        args.extend_from_slice(extra);
        let (_, out) = verify_stdin(&doc, &args);
        assert!(
            !stdout(&out).contains(body) && !String::from_utf8_lossy(&out.stderr).contains(body)
        );
    }
}

#[test]
fn encryption_flags_need_encrypt_for() {
    let out = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "a@b.c", "--enc-alg", "aes128-gcm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--encrypt-for"));
}

#[test]
fn encrypted_break_kinds_are_refused_each_with_its_code() {
    let cert = fixture("xmlenc/sp.crt");
    for (kind, code) in ENCRYPTED_BREAK_KINDS {
        for sign in ["assertion", "response", "both"] {
            let doc = issue(&["--break", kind, "--encrypt-for", &cert, "--sign", sign]);
            assert!(doc.contains("<saml:EncryptedAssertion"), "{kind}");
            let v = verify(
                &doc,
                &[
                    "--decrypt-key",
                    &sp_key(),
                    "--audience",
                    SP,
                    "--recipient",
                    ACS,
                    "--issuer",
                    IDP,
                ],
            );
            assert_eq!(v.code, 1, "{kind} {sign}");
            assert_eq!(v.error_code(), *code, "{kind} {sign}: {}", v.error());
        }
    }
    // Without the SP certificate the kind says what it needs (exit 2).
    let out = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "a@b.c", "--break", "cbc-unsigned"])
        .output()
        .unwrap();
    assert_error(&out, 2, "--encrypt-for SP_CERT");
}

#[test]
fn metadata_encryption_cert_adds_an_encryption_key_descriptor_and_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", "https://idp.example.com/sso"])
        .args(["--cert", &fixture("certs/idp.crt"), "--encryption-cert", &fixture("xmlenc/sp.crt")])
        .args(["--sign", "--key", &fixture("keys/idp.key")])
        .output()
        .unwrap();
    assert_success(&out);
    let md = stdout(&out);
    assert_eq!(md.matches("<md:KeyDescriptor use=\"encryption\">").count(), 1, "{md}");
    assert_eq!(md.matches("<md:KeyDescriptor use=\"signing\">").count(), 1, "{md}");
    assert!(md.contains(
        "<md:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/>"
    ));
    let path = dir.path().join("md.xml");
    std::fs::write(&path, &md).unwrap();
    let out = samlkit()
        .args(["verify", "--metadata", "--json", "--cert", &fixture("certs/idp.crt")])
        .arg(&path)
        .output()
        .unwrap();
    assert_success(&out);
    let v = json(&out);
    // The encryption certificate is not a signing certificate.
    assert_eq!(v["signing_certs"].as_array().map(Vec::len), Some(1), "{v}");
}

fn issue_from_metadata(extra: &[&str]) -> Output {
    samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "alice@example.com", "--now", ISSUED])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn sp_metadata_gives_audience_recipient_and_the_encryption_certificate() {
    let md = fixture("xmlenc/sp-metadata.xml");
    let out = issue_from_metadata(&["--sp-metadata", &md, "--encrypt", "--sign", "both"]);
    assert_success(&out);
    let doc = stdout(&out);
    // The SP lists only AES-256-CBC: that is what it gets.
    assert!(doc.contains("http://www.w3.org/2001/04/xmlenc#aes256-cbc"), "{doc}");
    let v = verify(&doc, &["--decrypt-key", &sp_key(), "--audience", SP, "--recipient", ACS]);
    assert!(v.valid(), "{}", v.raw);
    // --acs-index picks another endpoint; an explicit flag wins over the metadata.
    let out = issue_from_metadata(&["--sp-metadata", &md, "--acs-index", "1"]);
    assert!(stdout(&out).contains("Recipient=\"https://sp.example.com/acs2\""));
    let out = issue_from_metadata(&["--sp-metadata", &md, "--encrypt", "--enc-alg", "aes128-gcm"]);
    assert!(stdout(&out).contains("xmlenc11#aes128-gcm"));
    let out =
        issue_from_metadata(&["--sp-metadata", &md, "--recipient", "https://other.example/acs"]);
    assert!(stdout(&out).contains("Recipient=\"https://other.example/acs\""));
    let out = issue_from_metadata(&["--sp-metadata", &md, "--acs-index", "7"]);
    assert_error(&out, 2, "no AssertionConsumerService with index 7");
}

#[test]
fn signed_sp_metadata_is_verified_with_sp_metadata_cert() {
    let md = std::fs::read_to_string(fixture("xmlenc/sp-metadata.xml")).unwrap();
    let signed = sign_stdin(&md);
    assert_success(&signed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sp.xml");
    std::fs::write(&path, &signed.stdout).unwrap();
    let path = path.to_str().unwrap();
    let idp_cert = fixture("certs/idp.crt");
    let out =
        issue_from_metadata(&["--sp-metadata", path, "--sp-metadata-cert", &idp_cert, "--encrypt"]);
    assert_success(&out);
    // Tampered: the entityID changed after signing.
    let tampered = dir.path().join("tampered.xml");
    std::fs::write(
        &tampered,
        stdout(&signed).replace("https://sp.example.com\"", "https://evil.example\""),
    )
    .unwrap();
    let out = issue_from_metadata(&[
        "--sp-metadata",
        tampered.to_str().unwrap(),
        "--sp-metadata-cert",
        &idp_cert,
    ]);
    assert_error(&out, 1, "Digest Mismatch");
    // Unsigned metadata with --sp-metadata-cert is refused.
    let out = issue_from_metadata(&[
        "--sp-metadata",
        &fixture("xmlenc/sp-metadata.xml"),
        "--sp-metadata-cert",
        &idp_cert,
    ]);
    assert_error(&out, 1, "not signed");
}

#[test]
fn decrypt_key_from_a_keystore_with_password_env() {
    let dir = tempfile::tempdir().unwrap();
    let doc = encrypted(&[]);
    for format in ["p12", "jks"] {
        let store = dir.path().join(format!("sp.{format}"));
        let out = samlkit()
            .args(["cert", "export", "--format", format, "--key", &sp_key()])
            .args(["--cert", &fixture("xmlenc/sp.crt"), "--out"])
            .arg(&store)
            .args(["--password-env", "SP_KS_PASS"])
            .env("SP_KS_PASS", "s3cret-pass")
            .output()
            .unwrap();
        assert_success(&out);
        let store = store.to_str().unwrap();
        let run = |password: &str| {
            samlkit()
                .args(["verify", "--json", "--cert", &fixture("certs/idp.crt"), "--now", VERIFY_AT])
                .args(["--decrypt-key", store, "--password-env", "SP_KS_PASS", "-"])
                .env("SP_KS_PASS", password)
                .write_stdin(doc.clone())
                .output()
                .unwrap()
        };
        let out = run("s3cret-pass");
        assert_success(&out);
        assert_eq!(json(&out)["encrypted"], true, "{format}");
        // A wrong password is a usage error naming the file, before anything is verified.
        let out = run("wrong-pass");
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(store), "{format}");
    }
}
