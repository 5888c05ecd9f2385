"""Second, independent verifier for samlkit-issued responses: OneLogin's python3-saml
(Debian python3-onelogin-saml2), run in strict mode as a real service provider would.

usage: /usr/bin/python3 onelogin_verify.py CERT.pem RESPONSE.xml IDP_ENTITY SP_ENTITY ACS_URL
       [assertion|response|both]   (which signatures to demand; default assertion)
Prints "OK <nameid>" and exits 0 when the response is valid, else prints the reason and exits 1.
"""
import base64
import sys
import urllib.parse

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings


def main():
    cert_path, response_path, idp, sp, acs = sys.argv[1:6]
    want = sys.argv[6] if len(sys.argv) > 6 else "assertion"
    cert = "".join(
        line for line in open(cert_path).read().splitlines() if "CERTIFICATE" not in line
    )
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": sp,
                "assertionConsumerService": {
                    "url": acs,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
            },
            "idp": {
                "entityId": idp,
                "singleSignOnService": {
                    "url": idp + "/sso",
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
                },
                "x509cert": cert,
            },
            "security": {
                "wantAssertionsSigned": want in ("assertion", "both"),
                "wantMessagesSigned": want in ("response", "both"),
                "rejectDeprecatedAlgorithm": True,
            },
        },
        sp_validation_only=True,
    )
    data = open(response_path, "rb").read()
    if data.startswith(b"SAMLResponse="):
        # A captured form body: read it the way Django's request.POST["SAMLResponse"] (and
        # PHP's $_POST) do, which is the last field of that name.
        fields = urllib.parse.parse_qs(data.decode("ascii"), keep_blank_values=True)
        encoded = fields["SAMLResponse"][-1].encode("ascii")
    else:
        encoded = base64.b64encode(data)
    response = OneLogin_Saml2_Response(settings, encoded)
    host = acs.split("://", 1)[1].split("/", 1)[0]
    path = "/" + acs.split("://", 1)[1].split("/", 1)[1]
    request = {"https": "on", "http_host": host, "script_name": path, "get_data": {}, "post_data": {}}
    if response.is_valid(request, raise_exceptions=False):
        print("OK", response.get_nameid())
        return 0
    print("INVALID", response.get_error())
    return 1


if __name__ == "__main__":
    sys.exit(main())
