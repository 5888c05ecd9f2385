"""A small service provider with pysaml2 (Debian python3-pysaml2, which checks signatures with
xmlsec1) on Flask, for tests/idp_interop_sp.rs: GET /login sends an AuthnRequest by
HTTP-Redirect, POST /acs checks the response (signed assertion required), /metadata is the SP's
metadata.

usage: /usr/bin/python3 pysaml2_sp.py SP_KEY SP_CERT IDP_METADATA.xml [encrypted]

With `encrypted`, SP_KEY/SP_CERT are also its encryption key pair (encryption_keypairs: its
metadata carries a KeyDescriptor use="encryption", and it decrypts EncryptedAssertions with it).

Listens on a free port of 127.0.0.1 and prints `listening on http://127.0.0.1:PORT` first.
IDP_METADATA.xml is read when a login starts, so the test can write it once the IdP is up.
"""
import os
import sys

from flask import Flask, redirect, request
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from werkzeug.serving import make_server

app = Flask(__name__)
OUTSTANDING = {}


def config(base, with_idp=True):
    conf = {
        "entityid": base + "/metadata",
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "key_file": SP_KEY,
        "cert_file": SP_CERT,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(base + "/acs", BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
            }
        },
    }
    if ENCRYPTED:
        conf["encryption_keypairs"] = [{"key_file": SP_KEY, "cert_file": SP_CERT}]
    if with_idp and os.path.exists(IDP_METADATA):
        conf["metadata"] = {"local": [IDP_METADATA]}
    c = SPConfig()
    c.load(conf)
    return c


def client():
    return Saml2Client(config=config(request.host_url.rstrip("/")))


@app.route("/login")
def login():
    request_id, info = client().prepare_for_authenticate(binding=BINDING_HTTP_REDIRECT)
    OUTSTANDING[request_id] = "/"
    location = dict(info["headers"])["Location"]
    return redirect(location)


@app.route("/acs", methods=["POST"])
def acs():
    try:
        response = client().parse_authn_request_response(
            request.form["SAMLResponse"], BINDING_HTTP_POST, OUTSTANDING
        )
        if response is None:
            raise ValueError("no response")
    except Exception as e:  # pysaml2 raises many kinds; any of them is a refusal
        return f"<p id=\"status\">refused: {type(e).__name__}: {e}</p>", 403
    OUTSTANDING.pop(response.in_response_to, None)
    attributes = "".join(f"<li>{k}: {', '.join(v)}</li>" for k, v in sorted(response.ava.items()))
    return f"<p id=\"status\">logged in as <b>{response.name_id.text}</b></p><ul>{attributes}</ul>"


@app.route("/metadata")
def metadata():
    xml = create_metadata_string(None, config=config(request.host_url.rstrip("/"), with_idp=False))
    return xml, 200, {"Content-Type": "text/xml"}


if __name__ == "__main__":
    SP_KEY, SP_CERT, IDP_METADATA = sys.argv[1:4]
    ENCRYPTED = sys.argv[4:5] == ["encrypted"]
    server = make_server("127.0.0.1", 0, app)
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
