"""Signs a SAML document with OneLogin's python3-saml (libxmlsec1 through python-xmlsec), the
way many Python IdPs do, so samlkit verify can be checked against a second signer.

usage: /usr/bin/python3 onelogin_sign.py KEY.pem CERT.pem IN.xml OUT.xml assertion|response
"""
import sys

from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils


def main():
    key_path, cert_path, in_path, out_path, target = sys.argv[1:6]
    key = open(key_path).read()
    cert = open(cert_path).read()
    doc = etree.fromstring(open(in_path, "rb").read())
    node = doc
    if target == "assertion":
        node = doc.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    # add_sign signs the parent of the first Issuer it finds, so hand it the Assertion alone.
    signed = OneLogin_Saml2_Utils.add_sign(
        etree.tostring(node), key, cert, sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256
    )
    if target == "assertion":
        # add_sign returns the signed Assertion serialized; put it back into the Response.
        signed_node = etree.fromstring(signed)
        doc.replace(node, signed_node)
        signed = etree.tostring(doc)
    open(out_path, "wb").write(signed)


if __name__ == "__main__":
    main()
