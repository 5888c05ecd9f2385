"""python3-saml (OneLogin) reading an AuthnRequest made by samlkit's ServiceProvider (Debian's
/usr/bin/python3), the way an IdP built on it receives one.

  redirect URL       decode the SAMLRequest of an HTTP-Redirect URL (base64 + DEFLATE)
  post SAMLREQUEST   decode the base64 SAMLRequest field of an HTTP-POST form

Then validate the XML against the SAML 2.0 protocol schema python3-saml ships and print one JSON
object with what an IdP reads from it, or "schema: invalid_xml" (and exit 1) when it does not
validate.
"""
import json
import sys
from urllib.parse import parse_qs, urlsplit

from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"

mode, value = sys.argv[1:3]
if mode == "redirect":
    query = parse_qs(urlsplit(value).query, keep_blank_values=True)
    xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(query["SAMLRequest"][0])
    relay_state = query.get("RelayState", [None])[0]
elif mode == "post":
    xml = OneLogin_Saml2_Utils.b64decode(value)
    relay_state = None
else:
    sys.exit(f"unknown mode {mode}")

root = OneLogin_Saml2_XML.validate_xml(xml, "saml-schema-protocol-2.0.xsd")
if isinstance(root, str):
    print(f"schema: {root}")
    sys.exit(1)
if root.tag != "{%s}AuthnRequest" % SAMLP:
    print(f"schema: root is {root.tag}")
    sys.exit(1)
policy = root.find("{%s}NameIDPolicy" % SAMLP)
print(json.dumps({
    "id": root.get("ID"),
    "version": root.get("Version"),
    "issue_instant": root.get("IssueInstant"),
    "destination": root.get("Destination"),
    "acs_url": root.get("AssertionConsumerServiceURL"),
    "protocol_binding": root.get("ProtocolBinding"),
    "force_authn": root.get("ForceAuthn"),
    "issuer": root.findtext("{%s}Issuer" % SAML),
    "name_id_format": None if policy is None else policy.get("Format"),
    "relay_state": relay_state,
}))
