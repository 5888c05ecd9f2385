"""A DELIBERATELY VULNERABLE service provider (Flask), for the `samlkit sp-audit` tests: the audit
must report its holes as ACCEPTED. Never use it for anything else.

It is written the way vulnerable SPs were: the signature is checked for real, with the xmlsec1
command-line tool and the trusted IdP certificate only (`xmlsec1 --verify --pubkey-cert-pem
IDP.crt --id-attr:ID …` on the posted document, so a broken, missing or foreign signature is
refused), but what it then believes is read from the document without regard to what was signed:
- the FIRST saml:NameID in document order, wherever it is (signature wrapping, XSW: xmlsec1 is
  happy that *a* signature holds, the evil unsigned assertion before it is the one read);
- its first text node only, as libraries did before CVE-2017-11427 (comment injection:
  `admin@example.com<!---->.evil.example`, signed as a whole, reads as `admin@example.com`);
- nothing else: no audience, no time conditions (NotBefore/NotOnOrAfter), no Recipient or
  Destination, no InResponseTo, no Issuer, no Status, no replay check.

How sp-audit tests start it:

    /usr/bin/python3 tests/interop/vulnerable_sp.py --idp-cert fixtures/certs/idp.crt [--port 0]

then read the first stdout line, `listening on http://127.0.0.1:PORT` (BASE). Endpoints: POST
BASE/acs (200 `logged in as NAMEID`, session cookie set, when the signature holds; 403
`refused: …` otherwise), GET BASE/whoami (200 `logged in as NAMEID` / 401 `not logged in`), GET
BASE/ (the same text as /whoami). Stop it with SIGTERM. `--idp-entity-id`, `--sp-entity-id` and
`--idp-sso-url` are accepted (and ignored, as everything they would check is) so that every SP
script takes the same flags.
"""
import base64
import binascii
import subprocess
import sys
import tempfile

from flask import Flask, Response, request, session
from lxml import etree

import sp_common

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
# Bounds: what one posted response may cost this SP.
MAX_RESPONSE_BYTES = 1 << 20
XMLSEC1_SECONDS = 10


def refused(reason):
    return Response(f"refused: {reason}\n", status=403, mimetype="text/plain")


def signature_holds(document, idp_cert):
    """xmlsec1's verdict on the first ds:Signature of `document`, with only `idp_cert` trusted."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(document)
        f.flush()
        try:
            run = subprocess.run(
                [
                    "xmlsec1", "--verify", "--pubkey-cert-pem", idp_cert,
                    "--id-attr:ID", f"{SAMLP}:Response", "--id-attr:ID", f"{SAML}:Assertion",
                    f.name,
                ],
                capture_output=True,
                timeout=XMLSEC1_SECONDS,
            )
        except subprocess.TimeoutExpired:
            return False, "xmlsec1 timed out"
    lines = run.stderr.decode("utf-8", "replace").strip().splitlines()
    # xmlsec1 also complains that the self-signed certificate in KeyInfo has no chain, even when
    # the signature holds with --pubkey-cert-pem: the last other error says why it failed.
    errors = [l for l in lines if "error=" in l and "x509-store" not in l]
    return run.returncode == 0, (errors or lines or ["xmlsec1 failed"])[-1]


def first_name_id(document):
    """The naive read: the first NameID element in document order, its first text node."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(document, parser)
    for element in root.iter(f"{{{SAML}}}NameID"):
        return (element.text or "").strip()
    return None


def create_app(options):
    app = Flask(__name__)
    app.secret_key = "samlkit-interop-test-only"

    @app.route("/acs", methods=["POST"])
    def acs():
        posted = request.form.get("SAMLResponse", "")
        if len(posted) > MAX_RESPONSE_BYTES:
            return refused("response too large")
        try:
            document = base64.b64decode(posted, validate=False)
        except (binascii.Error, ValueError):
            return refused("SAMLResponse is not base64")
        ok, why = signature_holds(document, options.idp_cert)
        if not ok:
            return refused(f"signature: {why}")
        try:
            name_id = first_name_id(document)
        except etree.XMLSyntaxError as e:
            return refused(f"XML: {e}")
        if not name_id:
            return refused("no NameID")
        session["name_id"] = name_id
        return Response(f"logged in as {name_id}\n", status=200, mimetype="text/plain")

    app.route("/whoami")(sp_common.whoami)
    app.route("/")(sp_common.whoami)
    return app


if __name__ == "__main__":
    parser = sp_common.base_parser(__doc__.split("\n\n")[0])
    options = parser.parse_args(sys.argv[1:])
    if not options.idp_cert:
        parser.error("--idp-cert is required")
    sp_common.serve(create_app(options), options.port, options.exit_on_stdin_eof)
