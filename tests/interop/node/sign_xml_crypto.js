// Signs the Assertion of a SAML Response with xml-crypto, configured the way node-saml
// (passport-saml) configures it: enveloped-signature + exclusive C14N transforms, exclusive C14N
// for SignedInfo, rsa-sha256 / sha256, the Signature placed right after the Assertion's Issuer,
// the certificate in KeyInfo; plus an inclusiveNamespacesPrefixList on the Reference, which makes
// xml-crypto write an <InclusiveNamespaces> into *every* Transform, the enveloped-signature one
// included (samlkit issue 9, item 17).
//
// usage: node sign_xml_crypto.js UNSIGNED.xml KEY.pem CERT.pem "PREFIX LIST" > signed.xml
"use strict";
const fs = require("fs");
const { SignedXml } = require("xml-crypto");

const [input, keyFile, certFile, prefixList] = process.argv.slice(2);
if (!input || !keyFile || !certFile || prefixList === undefined) {
  process.stderr.write("usage: node sign_xml_crypto.js UNSIGNED.xml KEY.pem CERT.pem PREFIXES\n");
  process.exit(2);
}
const xml = fs.readFileSync(input, "utf8");
const sig = new SignedXml({
  privateKey: fs.readFileSync(keyFile),
  publicCert: fs.readFileSync(certFile),
  signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  idAttribute: "ID",
});
sig.addReference({
  xpath: "//*[local-name(.)='Assertion']",
  transforms: [
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
  ],
  digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  inclusiveNamespacesPrefixList: prefixList.split(" ").filter((p) => p.length > 0),
});
sig.computeSignature(xml, {
  prefix: "ds",
  location: {
    reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']",
    action: "after",
  },
});
process.stdout.write(sig.getSignedXml());
