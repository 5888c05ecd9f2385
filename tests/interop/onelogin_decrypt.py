"""OneLogin's python3-saml as an SP that wants encrypted assertions (Debian
python3-onelogin-saml2, strict mode, security.wantAssertionsEncrypted with the SP's key).

usage: /usr/bin/python3 onelogin_decrypt.py IDP_CERT.pem SP_KEY.pem SP_CERT.pem RESPONSE.xml
       IDP_ENTITY SP_ENTITY ACS_URL
Prints "OK <nameid>" and exits 0 when the response is valid, else the reason and exits 1.
"""
import base64
import sys

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings


def pem_body(path):
    return "".join(l for l in open(path).read().splitlines() if "-----" not in l)


def main():
    idp_cert, sp_key, sp_cert, response_path, idp, sp, acs = sys.argv[1:8]
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": sp,
                "assertionConsumerService": {
                    "url": acs,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
                "x509cert": pem_body(sp_cert),
                "privateKey": open(sp_key).read(),
            },
            "idp": {
                "entityId": idp,
                "singleSignOnService": {
                    "url": idp + "/sso",
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
                },
                "x509cert": pem_body(idp_cert),
            },
            "security": {
                "wantAssertionsEncrypted": True,
                "wantAssertionsSigned": True,
                "wantAttributeStatement": False,
            },
        },
        sp_validation_only=True,
    )
    response = OneLogin_Saml2_Response(settings, base64.b64encode(open(response_path, "rb").read()))
    host = acs.split("://", 1)[1].split("/", 1)[0]
    path = "/" + acs.split("://", 1)[1].split("/", 1)[1]
    request = {"https": "on", "http_host": host, "script_name": path, "get_data": {}, "post_data": {}}
    if response.is_valid(request, raise_exceptions=False):
        print("OK", response.get_nameid())
    else:
        print("INVALID", response.get_error())
        sys.exit(1)


main()
