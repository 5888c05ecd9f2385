//! A generated SAML-shaped document of a given size: many namespaced elements and attributes,
//! attribute sorting work, a namespace redeclared on many elements, references in text.

use std::fmt::Write;

/// About `target_bytes` of XML (it stops after the first assertion that crosses the target).
pub(crate) fn generate(target_bytes: usize) -> String {
    let mut s = String::with_capacity(target_bytes + 2048);
    s.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ",
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ",
        "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "ID=\"_r\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\">\n",
    ));
    let mut i = 0u64;
    while s.len() < target_bytes {
        let _ = write!(
            s,
            concat!(
                "  <saml:Assertion ID=\"_a{i}\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\">\n",
                "    <saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">https://idp.example.com/{i}</saml:Issuer>\n",
                "    <saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\" ",
                "SPNameQualifier=\"https://sp.example.com\">user{i}@example.com</saml:NameID></saml:Subject>\n",
                "    <saml:AttributeStatement>\n",
                "      <saml:Attribute Name=\"groups\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\">",
                "<saml:AttributeValue xsi:type=\"xs:string\">a &amp; b &lt;{i}&gt;</saml:AttributeValue>",
                "<saml:AttributeValue xsi:type=\"xs:string\">admins</saml:AttributeValue></saml:Attribute>\n",
                "      <ds:Note xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" ds:Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\" b=\"x\" a=\"y\"/>\n",
                "    </saml:AttributeStatement>\n",
                "  </saml:Assertion>\n",
            ),
            i = i
        );
        i += 1;
    }
    s.push_str("</samlp:Response>\n");
    s
}
