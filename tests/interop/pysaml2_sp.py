"""A small, strict service provider with pysaml2 (Debian python3-pysaml2, which checks signatures
with xmlsec1) on Flask. tests/idp_interop_sp.rs runs it against `samlkit idp serve`;
tests/test_sps.rs and the `samlkit sp-audit` tests post responses to it.

How sp-audit tests start it (the SP every attack must be REFUSED by):

    /usr/bin/python3 tests/interop/pysaml2_sp.py --idp-cert fixtures/certs/idp.crt \
        --idp-entity-id https://idp.example.com --sp-entity-id https://sp.example.com \
        [--require-in-response-to] [--want-response-signed] [--port 0]

then read the first stdout line, `listening on http://127.0.0.1:PORT` (BASE below), and issue
responses with `--audience` = the SP entity ID and `--recipient` = BASE/acs. Stop it with SIGTERM.

Endpoints: POST /acs (200 `logged in as <b>NAMEID</b>` with the session cookie set when
accepted, 403 `refused: …` otherwise), GET /whoami (200 `logged in as NAMEID` / 401 `not logged
in`), GET /login (SP-initiated login: 302 to the IdP's SSO URL with an unsigned HTTP-Redirect
AuthnRequest), GET /metadata.

Strict: pysaml2's checks (signed assertion required, and a signed Response with
--want-response-signed; audience; Destination and Recipient = BASE/acs; time conditions; issuer
known from the IdP metadata), plus what it lets through (sp_common.profile_problem: SHA-1,
duplicate IDs, an Issuer Format other than entity), a replay check on the assertion ID, and an InResponseTo must
name a request this SP sent and has not seen answered. With --require-in-response-to (pysaml2's
`allow_unsolicited: False`) an unsolicited response is refused.

usage: pysaml2_sp.py [flags]                            (flags: --help)
       pysaml2_sp.py SP_KEY SP_CERT IDP_METADATA.xml [encrypted]
                                     (the form the idp serve tests use; it implies
                                      --require-in-response-to)

With --encrypted (or `encrypted` in the positional form) SP_KEY/SP_CERT are also its encryption
key pair: its metadata carries a KeyDescriptor use="encryption" and it decrypts EncryptedAssertions.

IDP_METADATA.xml is read when a login starts, so a test can write it once the IdP is up. With
--idp-cert the SP writes the IdP's metadata itself from --idp-entity-id, --idp-cert and
--idp-sso-url.
"""
import atexit
import os
import sys
import tempfile
from xml.sax.saxutils import escape, quoteattr

from flask import Flask, redirect, request, session
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

import sp_common


def parse_args(argv):
    parser = sp_common.base_parser(__doc__.split("\n\n")[0])
    sp_common.strict_flags(parser)
    parser.add_argument("--sp-key", help="PEM key of the SP (its metadata's certificate's key)")
    parser.add_argument("--sp-cert", help="PEM certificate of the SP, for its metadata")
    parser.add_argument(
        "--encrypted",
        action="store_true",
        help="--sp-key/--sp-cert are also the encryption key pair (encryption_keypairs)",
    )
    parser.add_argument("legacy", nargs="*", metavar="SP_KEY SP_CERT IDP_METADATA.xml [encrypted]")
    options = parser.parse_args(argv)
    if options.legacy:
        if len(options.legacy) == 4 and options.legacy[3] == "encrypted":
            options.encrypted = True
            options.legacy = options.legacy[:3]
        if len(options.legacy) != 3:
            parser.error(
                "the positional form takes exactly SP_KEY SP_CERT IDP_METADATA.xml [encrypted]"
            )
        options.sp_key, options.sp_cert, options.idp_metadata = options.legacy
        options.require_in_response_to = True
    elif not options.idp_cert:
        parser.error("--idp-cert is required")
    else:
        options.idp_metadata = write_idp_metadata(options)
    return options


def write_idp_metadata(options):
    """The IdP's metadata, made from the flags, in a file pysaml2 can load."""
    cert = "".join(l for l in open(options.idp_cert).read().splitlines() if "-----" not in l)
    xml = (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        f"entityID={quoteattr(options.idp_entity_id)}>"
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{escape(cert)}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleSignOnService Binding="{BINDING_HTTP_REDIRECT}" '
        f"Location={quoteattr(options.idp_sso_url)}/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )
    f = tempfile.NamedTemporaryFile("w", prefix="pysaml2-sp-idp-", suffix=".xml", delete=False)
    with f:
        f.write(xml)
    atexit.register(os.remove, f.name)
    return f.name


def create_app(options):
    app = Flask(__name__)
    app.secret_key = "samlkit-interop-test-only"
    # Requests sent from /login and not answered yet (pysaml2's outstanding queries).
    outstanding = {}
    replays = sp_common.ReplayCache()

    def config(base, with_idp=True):
        sp = {
            "endpoints": {"assertion_consumer_service": [(base + "/acs", BINDING_HTTP_POST)]},
            "allow_unsolicited": not options.require_in_response_to,
            "authn_requests_signed": False,
            "want_assertions_signed": True,
            "want_response_signed": options.want_response_signed,
        }
        conf = {
            "entityid": options.sp_entity_id or base + "/metadata",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "service": {"sp": sp},
        }
        if options.sp_key:
            conf["key_file"] = options.sp_key
        if options.sp_cert:
            conf["cert_file"] = options.sp_cert
        if options.encrypted and options.sp_key and options.sp_cert:
            # Its metadata then carries a KeyDescriptor use="encryption", and it decrypts with it.
            conf["encryption_keypairs"] = [
                {"key_file": options.sp_key, "cert_file": options.sp_cert}
            ]
        if with_idp and os.path.exists(options.idp_metadata):
            conf["metadata"] = {"local": [options.idp_metadata]}
        c = SPConfig()
        c.load(conf)
        return c

    def client():
        return Saml2Client(config=config(request.host_url.rstrip("/")))

    app.route("/whoami")(sp_common.whoami)

    @app.route("/login")
    def login():
        request_id, info = client().prepare_for_authenticate(binding=BINDING_HTTP_REDIRECT)
        outstanding[request_id] = "/"
        location = dict(info["headers"])["Location"]
        return redirect(location)

    @app.route("/acs", methods=["POST"])
    def acs():
        problem = sp_common.profile_problem(request.form.get("SAMLResponse", ""))
        if problem:
            return f"<p id=\"status\">refused: {problem}</p>", 403
        try:
            response = client().parse_authn_request_response(
                request.form["SAMLResponse"], BINDING_HTTP_POST, outstanding
            )
            # pysaml2 drops an assertion it finds wrong (a Recipient not this ACS) and goes on.
            if response is None or response.assertion is None or response.name_id is None:
                raise ValueError("no valid assertion")
        except Exception as e:  # pysaml2 raises many kinds; any of them is a refusal
            return f"<p id=\"status\">refused: {type(e).__name__}: {e}</p>", 403
        irt = response.in_response_to
        pending = irt if irt in outstanding else None
        problem = sp_common.in_response_to_problem(irt, pending, options.require_in_response_to)
        if problem:
            return f"<p id=\"status\">refused: {problem}</p>", 403
        outstanding.pop(irt, None)
        if not replays.first_use(response.assertion.id):
            return f"<p id=\"status\">refused: replayed assertion {response.assertion.id}</p>", 403
        session["name_id"] = response.name_id.text
        attributes = "".join(f"<li>{k}: {', '.join(v)}</li>" for k, v in sorted(response.ava.items()))
        return f"<p id=\"status\">logged in as <b>{response.name_id.text}</b></p><ul>{attributes}</ul>"

    @app.route("/metadata")
    def metadata():
        xml = create_metadata_string(None, config=config(request.host_url.rstrip("/"), with_idp=False))
        return xml, 200, {"Content-Type": "text/xml"}

    return app


if __name__ == "__main__":
    options = parse_args(sys.argv[1:])
    sp_common.serve(create_app(options), options.port, options.exit_on_stdin_eof)
