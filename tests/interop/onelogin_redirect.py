"""python3-saml (OneLogin) side of the HTTP-Redirect interop test (Debian's /usr/bin/python3).

  login KEY CERT RELAY       print the signed redirect URL OneLogin's Auth.login() builds (SP key)
  login-sha1 KEY CERT RELAY  the same, signed with rsa-sha1 (a legacy SP's URL)
  validate URL CERT KIND     validate a redirect URL's signature with OneLogin's SP-side code,
                             rebuilding the signed octets from the raw query string; print
                             "valid" or "invalid: REASON"
"""
import sys
from urllib.parse import parse_qs, urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants


def settings(key, cert, sign, alg=OneLogin_Saml2_Constants.RSA_SHA256):
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": "https://sp.example.com/metadata",
            "assertionConsumerService": {"url": "https://sp.example.com/acs",
                                         "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST},
            "singleLogoutService": {"url": "https://sp.example.com/slo",
                                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT},
            "x509cert": cert,
            "privateKey": key,
        },
        "idp": {
            "entityId": "https://idp.example.com",
            "singleSignOnService": {"url": "https://idp.example.com/sso",
                                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT},
            "singleLogoutService": {"url": "https://idp.example.com/slo",
                                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT},
            "x509cert": cert,
        },
        "security": {
            "authnRequestsSigned": sign,
            "wantMessagesSigned": True,
            "signatureAlgorithm": alg,
        },
    }


def read(path):
    with open(path) as f:
        return f.read()


cmd = sys.argv[1]
if cmd in ("login", "login-sha1"):
    key, cert, relay = sys.argv[2:5]
    request = {"https": "on", "http_host": "sp.example.com", "script_name": "/login",
               "get_data": {}, "post_data": {}}
    alg = OneLogin_Saml2_Constants.RSA_SHA1 if cmd == "login-sha1" else OneLogin_Saml2_Constants.RSA_SHA256
    auth = OneLogin_Saml2_Auth(request, settings(read(key), read(cert), True, alg))
    print(auth.login(return_to=relay))
elif cmd == "validate":
    url, cert, kind = sys.argv[2:5]
    query = urlsplit(url).query
    get_data = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    request = {"https": "on", "http_host": "idp.example.com", "script_name": "/sso",
               "get_data": get_data, "post_data": {}, "query_string": query,
               "validate_signature_from_qs": True}
    auth = OneLogin_Saml2_Auth(request, settings("", read(cert), False))
    validate = auth.validate_request_signature if kind == "SAMLRequest" else auth.validate_response_signature
    print("valid" if validate(get_data) else "invalid: " + str(auth.get_last_error_reason()))
else:
    sys.exit(f"unknown command {cmd}")
