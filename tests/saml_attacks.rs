//! One test per attack class: each builds the hostile document from a genuinely signed response
//! (exactly the way the attack is done in the wild, e.g. SAML Raider's XSW1–XSW8), runs
//! `samlkit verify --json`, and checks it fails closed with the expected error code.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::saml::*;

const EVIL: &str = "attacker@evil.example";

/// A response whose Assertion is signed.
fn assertion_signed() -> String {
    issue(&[])
}

/// A response whose Response is signed (not the Assertion).
fn response_signed() -> String {
    issue(&["--sign", "response"])
}

fn evil_values(s: &str) -> String {
    s.replace("alice@example.com", EVIL)
}

fn rejects(doc: &str, extra: &[&str], code: &str) -> Verdict {
    let v = verify(doc, extra);
    assert!(!v.valid(), "accepted a hostile document:\n{doc}");
    assert_eq!(v.error_code(), code, "error: {}", v.error());
    let exit = if code == "malformed_xml" || code == "malformed_input" { 2 } else { 1 };
    assert_eq!(v.code, exit, "exit code for {code}");
    v
}

#[test]
fn genuine_responses_verify_so_the_attacks_below_start_from_valid_input() {
    for doc in [assertion_signed(), response_signed(), issue(&["--sign", "both"])] {
        let v = verify(&doc, &["--audience", SP, "--recipient", ACS, "--issuer", IDP]);
        assert!(v.valid(), "{}", v.error());
        assert_eq!(v.json["name_id"], "alice@example.com");
    }
}

// ---- XML Signature Wrapping, as SAML Raider builds XSW1–XSW8 ----

#[test]
fn xsw1_original_response_moved_into_the_signature() {
    let r = response_signed();
    let unsigned_original = without_signatures(without_xml_decl(&r));
    let mut evil = evil_values(&with_id(&r, "_evil_response"));
    let at = evil.find("</ds:Signature>").unwrap();
    evil.insert_str(at, &unsigned_original);
    // The copied Assertion keeps its ID: the document now has that ID twice.
    rejects(&evil, &[], "duplicate_id");
}

#[test]
fn xsw2_original_response_placed_before_the_signature() {
    let r = response_signed();
    let unsigned_original = without_signatures(without_xml_decl(&r));
    let mut evil = evil_values(&with_id(&r, "_evil_response"));
    let at = evil.find("<ds:Signature").unwrap();
    evil.insert_str(at, &unsigned_original);
    rejects(&evil, &[], "duplicate_id");
}

#[test]
fn xsw3_evil_assertion_inserted_before_the_signed_one() {
    let r = assertion_signed();
    let evil_assertion = evil_values(&with_id(&without_signatures(assertion(&r)), "_evil"));
    let at = r.find("<saml:Assertion ").unwrap();
    let mut doc = r.clone();
    doc.insert_str(at, &evil_assertion);
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn xsw4_signed_assertion_wrapped_inside_the_evil_one() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let mut evil_assertion = evil_values(&with_id(&without_signatures(&original), "_evil"));
    let at = evil_assertion.rfind("</saml:Assertion>").unwrap();
    evil_assertion.insert_str(at, &original);
    let doc = r.replace(&original, &evil_assertion);
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn xsw5_signature_kept_in_modified_assertion_original_appended() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let modified = evil_values(&with_id(&original, "_evil"));
    let unsigned_copy = without_signatures(&original);
    let doc = r
        .replace(&original, &modified)
        .replace("</samlp:Response>", &format!("{unsigned_copy}</samlp:Response>"));
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn xsw6_original_assertion_moved_into_the_evil_assertions_signature() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let mut modified = evil_values(&with_id(&original, "_evil"));
    let at = modified.find("</ds:Signature>").unwrap();
    modified.insert_str(at, &without_signatures(&original));
    let doc = r.replace(&original, &modified);
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn xsw7_original_assertion_hidden_in_extensions() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let evil_assertion = evil_values(&with_id(&without_signatures(&original), "_evil"));
    let replacement = format!("<samlp:Extensions>{original}</samlp:Extensions>{evil_assertion}");
    let doc = r.replace(&original, &replacement);
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn xsw8_original_assertion_hidden_in_a_signature_object() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let mut modified = evil_values(&with_id(&original, "_evil"));
    let at = modified.find("</ds:Signature>").unwrap();
    modified.insert_str(at, &format!("<ds:Object>{}</ds:Object>", without_signatures(&original)));
    let doc = r.replace(&original, &modified);
    rejects(&doc, &[], "assertion_count");
}

// ---- Where the signature is and what it references ----

#[test]
fn signature_copied_onto_an_unsigned_assertion_references_a_missing_id() {
    let signature = signature_at(&assertion_signed(), 0).to_string();
    let unsigned = evil_values(&issue(&["--sign", "none"]));
    let issuer_end = unsigned.find("<saml:Subject>").unwrap();
    let mut doc = unsigned.clone();
    doc.insert_str(issuer_end, &signature);
    rejects(&doc, &[], "reference_invalid");
}

#[test]
fn signature_copied_onto_an_unsigned_assertion_with_the_same_id_fails_the_digest() {
    let signed = assertion_signed();
    let signature = signature_at(&signed, 0).to_string();
    let id = attr_value(assertion(&signed), "ID").to_string();
    let unsigned = evil_values(&issue(&["--sign", "none"]));
    let original = assertion(&unsigned).to_string();
    let mut forged = with_id(&original, &id);
    let at = forged.find("<saml:Subject>").unwrap();
    forged.insert_str(at, &signature);
    let doc = unsigned.replace(&original, &forged);
    rejects(&doc, &[], "digest_mismatch");
}

#[test]
fn response_signature_moved_into_the_assertion_references_another_element() {
    // Still a valid signature over the Response (the enveloped transform removes it wherever it
    // sits inside), but it is not over the element that contains it.
    let r = response_signed();
    let signature = signature_at(&r, 0).to_string();
    let mut doc = r.replacen(&signature, "", 1);
    let at = doc.find("<saml:Subject>").unwrap();
    doc.insert_str(at, &signature);
    let v = rejects(&doc, &[], "reference_invalid");
    assert!(v.error().contains("not the element that contains it"), "{}", v.error());
}

#[test]
fn reference_to_the_whole_document_is_refused() {
    let r = assertion_signed();
    let id = attr_value(assertion(&r), "ID").to_string();
    let doc = r.replace(&format!("URI=\"#{id}\""), "URI=\"\"");
    rejects(&doc, &[], "reference_invalid");
}

#[test]
fn signature_inside_extensions_is_misplaced() {
    let r = assertion_signed();
    let signature = signature_at(&r, 0).to_string();
    let doc = r.replacen(&signature, "", 1).replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{signature}</samlp:Extensions><samlp:Status>"),
        1,
    );
    rejects(&doc, &[], "signature_misplaced");
}

#[test]
fn signature_with_an_object_is_malformed() {
    let r = assertion_signed();
    let doc = r.replacen("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><x/></ds:Object>", 1);
    rejects(&doc, &[], "signature_malformed");
}

#[test]
fn two_signed_infos_are_malformed() {
    let r = assertion_signed();
    let (a, b) = span(&r, "<ds:SignedInfo>", "</ds:SignedInfo>", 0);
    let mut doc = r.clone();
    doc.insert_str(b, &r[a..b]);
    rejects(&doc, &[], "signature_malformed");
}

#[test]
fn digest_value_with_a_comment_is_malformed() {
    let r = assertion_signed();
    let doc = r.replacen("<ds:DigestValue>", "<ds:DigestValue><!---->", 1);
    rejects(&doc, &[], "signature_malformed");
}

#[test]
fn two_assertions_are_refused() {
    let r = assertion_signed();
    let extra = evil_values(&with_id(&without_signatures(assertion(&r)), "_second"));
    let doc = r.replace("</samlp:Response>", &format!("{extra}</samlp:Response>"));
    rejects(&doc, &[], "assertion_count");
}

#[test]
fn duplicate_ids_are_refused() {
    let r = assertion_signed();
    let assertion_id = attr_value(assertion(&r), "ID").to_string();
    let response_start = &r[r.find("<samlp:Response").unwrap()..];
    let doc = r.replacen(
        &format!("ID=\"{}\"", attr_value(response_start, "ID")),
        &format!("ID=\"{assertion_id}\""),
        1,
    );
    rejects(&doc, &[], "duplicate_id");
}

// ---- Keys and algorithms ----

#[test]
fn attacker_key_with_attacker_certificate_in_keyinfo_is_not_trusted() {
    let doc = issue_with("keys/attacker.key", "certs/attacker.crt", &[]);
    let v = rejects(&doc, &[], "untrusted_certificate");
    assert!(v.error().contains("not trusted"), "{}", v.error());
}

#[test]
fn attacker_key_with_the_idp_certificate_in_keyinfo_fails_the_signature() {
    let doc = issue_with("keys/attacker.key", "certs/attacker.crt", &[]);
    let attacker_b64 = &doc[span(&doc, "<ds:X509Certificate>", "</ds:X509Certificate>", 0).0..];
    let attacker_b64 =
        &attacker_b64["<ds:X509Certificate>".len()..attacker_b64.find("</").unwrap()];
    let genuine = issue(&[]);
    let (a, _) = span(&genuine, "<ds:X509Certificate>", "</ds:X509Certificate>", 0);
    let idp_b64 = &genuine[a + "<ds:X509Certificate>".len()..];
    let idp_b64 = &idp_b64[..idp_b64.find("</").unwrap()];
    let doc = doc.replace(attacker_b64, idp_b64);
    rejects(&doc, &[], "signature_invalid");
}

#[test]
fn attacker_key_without_keyinfo_fails_the_signature() {
    let doc = issue_with("keys/attacker.key", "certs/attacker.crt", &[]);
    let (a, b) = span(&doc, "<ds:KeyInfo>", "</ds:KeyInfo>", 0);
    let mut doc = doc.clone();
    doc.replace_range(a..b, "");
    rejects(&doc, &[], "signature_invalid");
}

#[test]
fn hmac_signature_method_is_refused_naming_the_uri() {
    let r = assertion_signed();
    let uri = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
    let doc = r.replace("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", uri);
    let v = rejects(&doc, &[], "algorithm_refused");
    assert!(v.error().contains(uri), "{}", v.error());
}

#[test]
fn xpath_and_xslt_transforms_are_refused_naming_the_uri() {
    for uri in [
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
        "http://www.w3.org/TR/1999/REC-xslt-19991116",
    ] {
        let r = assertion_signed();
        let doc = r.replacen(
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
            &format!("<ds:Transform Algorithm=\"{uri}\">"),
            1,
        );
        let v = rejects(&doc, &[], "algorithm_refused");
        assert!(v.error().contains(uri), "{}", v.error());
    }
}

#[test]
fn sha1_is_refused_without_the_flag() {
    let r = assertion_signed();
    let doc = r.replace(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    );
    let v = rejects(&doc, &[], "algorithm_refused");
    assert!(v.error().contains("SHA-1"), "{}", v.error());
    // With --allow-sha1 the algorithm passes the allowlist, and the forged value then fails.
    rejects(&doc, &["--allow-sha1"], "signature_invalid");
    let digest = r.replace(
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2000/09/xmldsig#sha1",
    );
    rejects(&digest, &[], "algorithm_refused");
}

#[test]
fn tampered_content_fails_the_digest_and_tampered_value_fails_the_signature() {
    let r = assertion_signed();
    let v = rejects(&evil_values(&r), &[], "digest_mismatch");
    assert!(v.error().contains("computed"), "{}", v.error());
    let (a, _) = span(&r, "<ds:SignatureValue>", "</ds:SignatureValue>", 0);
    let at = a + "<ds:SignatureValue>".len() + 10;
    let mut doc = r.clone();
    let c = if &doc[at..at + 1] == "A" { "B" } else { "A" };
    doc.replace_range(at..at + 1, c);
    rejects(&doc, &[], "signature_invalid");
}

// ---- Parsing ----

#[test]
fn doctype_with_external_entity_is_refused() {
    let r = assertion_signed();
    let doc = r.replacen(
        "<samlp:Response",
        "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><samlp:Response",
        1,
    );
    rejects(&doc, &[], "doctype_refused");
}

#[test]
fn entity_expansion_bomb_is_refused() {
    let r = assertion_signed();
    let bomb = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>";
    let doc = r.replacen("<samlp:Response", &format!("{bomb}<samlp:Response"), 1).replacen(
        "alice@example.com</saml:NameID>",
        "&c;</saml:NameID>",
        1,
    );
    rejects(&doc, &[], "doctype_refused");
}

#[test]
fn hundred_thousand_deep_nesting_is_refused_without_a_crash() {
    let r = assertion_signed();
    let deep = format!("{}{}", "<x>".repeat(100_000), "</x>".repeat(100_000));
    let doc = r.replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{deep}</samlp:Extensions><samlp:Status>"),
        1,
    );
    let v = rejects(&doc, &[], "malformed_xml");
    assert!(v.error().contains("limit"), "{}", v.error());
}

#[test]
fn hundred_thousand_attributes_are_refused_without_a_crash() {
    let r = assertion_signed();
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let doc = r.replacen("<samlp:Response ", &format!("<samlp:Response{attrs} "), 1);
    rejects(&doc, &[], "malformed_xml");
}

// ---- Comment injection: a comment inside a signed identity value is refused ----

#[test]
fn comment_in_name_id_is_refused_naming_both_readings() {
    // The attacker registers alice@example.com.evil.example, gets a genuine response for it and
    // inserts a comment; the signature still verifies (C14N drops comments), and an SP reading
    // the first text node would see alice@example.com. samlkit refuses the message.
    let r = issue(&["--name-id", "alice@example.com.evil.example"]);
    let doc =
        r.replacen("alice@example.com.evil.example<", "alice@example.com<!---->.evil.example<", 1);
    assert_ne!(doc, r);
    let v = rejects(&doc, &[], "comment_in_value");
    assert!(v.error().contains("\"alice@example.com\""), "{}", v.error());
    assert!(v.error().contains("\"alice@example.com.evil.example\""), "{}", v.error());
    // Without the comment the same signed response is valid, for the full value.
    let v = verify(&r, &[]);
    assert!(v.valid(), "{}", v.error());
    assert_eq!(v.json["name_id"], "alice@example.com.evil.example");
}

#[test]
fn comment_in_issuer_audience_or_attribute_value_is_refused() {
    let r = issue(&[
        "--issuer",
        "https://idp.example.com.evil.example",
        "--audience",
        "https://sp.example.com.evil.example",
        "--attr",
        "email=alice@example.com.evil.example",
    ]);
    let cases = [
        ("https://idp.example.com.evil.example<", "https://idp.example.com<!---->.evil.example<"),
        ("https://sp.example.com.evil.example<", "https://sp.example.com<!---->.evil.example<"),
        (
            ">alice@example.com.evil.example</saml:AttributeValue>",
            ">alice@example.com<!---->.evil.example</saml:AttributeValue>",
        ),
    ];
    for (honest, commented) in cases {
        let doc = r.replacen(honest, commented, 1);
        assert_ne!(doc, r, "{honest}");
        rejects(&doc, &["--issuer", IDP], "comment_in_value");
    }
}

// ---- SAML conditions ----

#[test]
fn status_other_than_success_is_refused() {
    let r = assertion_signed();
    let doc = r.replace("status:Success", "status:Responder");
    let v = rejects(&doc, &[], "status_not_success");
    assert!(v.error().contains("Responder"), "{}", v.error());
}

#[test]
fn an_error_response_without_assertion_reports_the_status() {
    let doc = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_e1\" Version=\"2.0\" IssueInstant=\"{ISSUED}\">\
         <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\">\
         <samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode>\
         <samlp:StatusMessage>wrong password</samlp:StatusMessage></samlp:Status></samlp:Response>"
    );
    let v = rejects(&doc, &[], "status_not_success");
    assert!(
        v.error().contains("AuthnFailed") && v.error().contains("wrong password"),
        "{}",
        v.error()
    );
}

#[test]
fn expired_and_not_yet_valid_assertions_are_refused() {
    let r = assertion_signed();
    let v = rejects(&r, &["--now", "2026-11-29T11:00:00Z"], "assertion_expired");
    assert!(v.error().contains("NotOnOrAfter"), "{}", v.error());
    rejects(&r, &["--now", "2026-11-29T09:00:00Z"], "assertion_not_yet_valid");
    // Inside the skew it is still fine; --skew 0 makes it strict.
    assert!(verify(&r, &["--now", "2026-11-29T10:06:00Z"]).valid());
    rejects(&r, &["--now", "2026-11-29T10:06:00Z", "--skew", "0"], "assertion_expired");
}

#[test]
fn wrong_audience_recipient_issuer_and_in_response_to_are_refused() {
    let r = assertion_signed();
    rejects(&r, &["--audience", "https://other-sp.example.com"], "audience_invalid");
    rejects(&r, &["--recipient", "https://other-sp.example.com/acs"], "recipient_mismatched");
    rejects(&r, &["--issuer", "https://other-idp.example.com"], "issuer_mismatched");
    rejects(&r, &["--in-response-to", "_other"], "in_response_to_mismatched");
    let ok = verify(
        &r,
        &["--audience", SP, "--recipient", ACS, "--issuer", IDP, "--in-response-to", "_req1"],
    );
    assert!(ok.valid(), "{}", ok.error());
}

#[test]
fn unsigned_responses_and_missing_required_signatures_are_refused() {
    rejects(&issue(&["--sign", "none"]), &[], "signature_missing");
    rejects(&assertion_signed(), &["--require", "response"], "signature_missing");
    rejects(&response_signed(), &["--require", "assertion"], "signature_missing");
    assert!(verify(&issue(&["--sign", "both"]), &["--require", "response"]).valid());
}

#[test]
fn encrypted_assertion_is_reported_as_unsupported() {
    let r = assertion_signed();
    let original = assertion(&r).to_string();
    let doc = r.replace(
        &original,
        "<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/></saml:EncryptedAssertion>",
    );
    rejects(&doc, &[], "encrypted_assertion_unsupported");
}
