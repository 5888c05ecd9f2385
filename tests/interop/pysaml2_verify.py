"""pysaml2 (Debian python3-pysaml2, which checks signatures with xmlsec1) as an SP reading one
samlkit-issued Response from a file, unsolicited (IdP-initiated), the way its Saml2Client does for
a POST to the ACS: the IdP and its certificate come from IDP_METADATA.xml.

usage: /usr/bin/python3 pysaml2_verify.py IDP_METADATA.xml SP_ENTITY ACS_URL
       assertion|response|both RESPONSE.xml...   (which signatures to demand, then the files)
Prints one line per file, "OK <nameid>" when pysaml2 accepts it, else "INVALID <reason>"; exits 0
(one process for many files: importing pysaml2 takes seconds).
"""
import base64
import sys

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig


def main():
    metadata, sp, acs, want = sys.argv[1:5]
    conf = SPConfig()
    conf.load(
        {
            "entityid": sp,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"local": [metadata]},
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                    "allow_unsolicited": True,
                    "want_assertions_signed": want in ("assertion", "both"),
                    "want_response_signed": want in ("response", "both"),
                }
            },
        }
    )
    for path in sys.argv[5:]:
        encoded = base64.b64encode(open(path, "rb").read()).decode("ascii")
        try:
            # A fresh client per file: its replay cache must not see the previous responses.
            response = Saml2Client(config=conf).parse_authn_request_response(
                encoded, BINDING_HTTP_POST, {}
            )
            if response is None:
                raise ValueError("no response")
        except Exception as e:  # pysaml2 raises many kinds; any of them is a refusal
            print(f"INVALID {type(e).__name__}: {e}".replace("\n", " "), flush=True)
            continue
        print("OK", response.name_id.text, flush=True)


if __name__ == "__main__":
    main()
