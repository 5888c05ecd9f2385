"""A small, strict service provider on Flask with OneLogin's python3-saml (Debian
python3-onelogin-saml2 and python3-flask), laid out the way that library's Flask demo is: a
settings dict, a helper that turns the Flask request into the dict python3-saml wants, and routes
for login, the ACS, logout and the single-logout service. tests/idp_interop_sp.rs runs it against
`samlkit idp serve`; tests/test_sps.rs and the `samlkit sp-audit` tests post responses to it.

How sp-audit tests start it (the SP every attack must be REFUSED by):

    /usr/bin/python3 tests/interop/onelogin_flask_sp.py --idp-cert fixtures/certs/idp.crt \
        --idp-entity-id https://idp.example.com --sp-entity-id https://sp.example.com \
        [--require-in-response-to] [--want-response-signed] [--port 0]

then read the first stdout line, `listening on http://127.0.0.1:PORT` (BASE below), and issue
responses with `--audience` = the SP entity ID and `--recipient` = BASE/acs. Stop it with SIGTERM.

Endpoints: POST /acs (302 to / when accepted, 403 `refused: …` otherwise), GET /whoami (200
`logged in as NAMEID` / 401 `not logged in`), GET /login (SP-initiated login: 302 to the IdP's SSO
URL with an HTTP-Redirect AuthnRequest, signed when --sp-key is given), GET / (HTML status), GET
/metadata, GET /logout and /sls (single logout).

Strict: python3-saml `strict: True` (schema, signature on the assertion, and on the Response too
with --want-response-signed, audience, Recipient and Destination = BASE/acs, time conditions,
issuer, no SHA-1), plus what the library leaves to the application or this version of it lacks: SHA-1, duplicate IDs
and an Issuer Format other than entity are refused (sp_common.profile_problem), a replayed
assertion ID is
refused, an InResponseTo must match the request pending in this session (and one with no pending
request is refused), and with --require-in-response-to an unsolicited response is refused.

usage: onelogin_flask_sp.py [flags]                        (flags: --help)
       onelogin_flask_sp.py SP_KEY SP_CERT IDP_SETTINGS.json [encrypted]
                                                  (the form the idp serve tests use)

With --encrypted (or `encrypted` in the positional form) the SP requires encrypted assertions
(security.wantAssertionsEncrypted: its metadata carries a KeyDescriptor use="encryption" with
SP_CERT, and plaintext assertions are refused).

IDP_SETTINGS.json ({"entity_id", "sso_url", "slo_url", "cert_pem"}) is read on every request, so
a test can write it once the IdP is up. polite_sp.py reuses this SP with other answers.
"""
import json
import sys

from flask import Flask, redirect, request, session
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

import sp_common

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def pem_body(text):
    return "".join(l for l in text.splitlines() if "-----" not in l)


def parse_args(argv, description=__doc__, extra_flags=None):
    """The options; `extra_flags(parser)` adds a derived SP's own flags."""
    parser = sp_common.base_parser(description.split("\n\n")[0])
    sp_common.strict_flags(parser)
    if extra_flags:
        extra_flags(parser)
    parser.add_argument("--sp-key", help="PEM key that signs AuthnRequests and LogoutRequests")
    parser.add_argument("--sp-cert", help="PEM certificate of --sp-key, for the SP's metadata")
    parser.add_argument(
        "--encrypted",
        action="store_true",
        help="require encrypted assertions (wantAssertionsEncrypted; --sp-cert is the encryption "
        "certificate in the SP's metadata)",
    )
    parser.add_argument(
        "legacy", nargs="*", metavar="SP_KEY SP_CERT IDP_SETTINGS.json [encrypted]"
    )
    options = parser.parse_args(argv)
    options.idp_settings = None
    if options.legacy:
        if len(options.legacy) == 4 and options.legacy[3] == "encrypted":
            options.encrypted = True
            options.legacy = options.legacy[:3]
        if len(options.legacy) != 3:
            parser.error(
                "the positional form takes exactly SP_KEY SP_CERT IDP_SETTINGS.json [encrypted]"
            )
        options.sp_key, options.sp_cert, options.idp_settings = options.legacy
    elif not options.idp_cert:
        parser.error("--idp-cert is required")
    return options


def idp_settings(options):
    if options.idp_settings is None:
        return {
            "entity_id": options.idp_entity_id,
            "sso_url": options.idp_sso_url,
            "slo_url": options.idp_sso_url,
            "cert_pem": open(options.idp_cert).read(),
        }
    try:
        return json.load(open(options.idp_settings))
    except FileNotFoundError:
        # The SP's own metadata does not depend on the IdP, which may not be running yet.
        return {"entity_id": "https://idp.invalid", "sso_url": "https://idp.invalid/sso",
                "slo_url": "https://idp.invalid/slo", "cert_pem": ""}


def saml_settings(options, base):
    idp = idp_settings(options)
    signs = options.sp_key is not None
    return {
        "strict": True,
        "sp": {
            "entityId": options.sp_entity_id or base + "/metadata",
            "assertionConsumerService": {"url": base + "/acs", "binding": POST},
            "singleLogoutService": {"url": base + "/sls", "binding": REDIRECT},
            "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "x509cert": pem_body(open(options.sp_cert).read()) if options.sp_cert else "",
            "privateKey": pem_body(open(options.sp_key).read()) if signs else "",
        },
        "idp": {
            "entityId": idp["entity_id"],
            "singleSignOnService": {"url": idp["sso_url"], "binding": REDIRECT},
            "singleLogoutService": {"url": idp["slo_url"], "binding": REDIRECT},
            "x509cert": pem_body(idp["cert_pem"]),
        },
        "security": {
            "authnRequestsSigned": signs,
            "logoutRequestSigned": signs,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": options.want_response_signed,
            "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            "rejectDeprecatedAlgorithm": True,
            # A login needs no attributes (samlkit issue adds them only with --attr).
            "wantAttributeStatement": False,
            "wantAssertionsEncrypted": options.encrypted,
        },
    }


def prepare_flask_request():
    return {
        "https": "off",
        "http_host": request.host,
        "script_name": request.path,
        "get_data": request.args.copy(),
        "post_data": request.form.copy(),
        # Keep the query exactly as sent: the redirect binding's signature covers those octets.
        "query_string": request.query_string.decode("ascii"),
    }


def default_accepted(name_id):
    return redirect("/")


def default_refused(reason):
    return f"<p id=\"status\">refused: {reason}</p>", 403


def create_app(options, accepted=default_accepted, refused=default_refused):
    """The SP. `accepted(name_id)` and `refused(reason)` make the ACS's answer (the session is
    already set, or not, when they are called)."""
    app = Flask(__name__)
    app.secret_key = "samlkit-interop-test-only"
    replays = sp_common.ReplayCache()

    def settings():
        return saml_settings(options, request.host_url.rstrip("/"))

    def init_saml_auth():
        return OneLogin_Saml2_Auth(prepare_flask_request(), settings())

    @app.route("/")
    def index():
        if "name_id" not in session:
            return "<p id=\"status\">not logged in</p>"
        rows = "".join(
            f"<li>{name}: {', '.join(values)}</li>" for name, values in sorted(session["attributes"].items())
        )
        return f"<p id=\"status\">logged in as <b id=\"name-id\">{session['name_id']}</b></p><ul>{rows}</ul>"

    app.route("/whoami")(sp_common.whoami)

    @app.route("/login")
    def login():
        auth = init_saml_auth()
        url = auth.login(return_to=request.host_url + "?from=login")
        session["request_id"] = auth.get_last_request_id()
        return redirect(url)

    @app.route("/acs", methods=["POST"])
    def acs():
        if "SAMLResponse" not in request.form:
            return refused("no SAMLResponse in the form")
        pending = session.pop("request_id", None)
        problem = sp_common.profile_problem(request.form["SAMLResponse"])
        if problem:
            return refused(problem)
        auth = init_saml_auth()
        try:
            auth.process_response(request_id=pending)
        except Exception as e:  # undecodable input: python3-saml raises rather than reports
            return refused(f"{type(e).__name__}: {e}")
        errors = auth.get_errors()
        if errors or not auth.is_authenticated():
            return refused(f"{', '.join(errors)}: {auth.get_last_error_reason()}")
        # Valid, so the document parses: read its InResponseTo the way python3-saml does.
        in_response_to = OneLogin_Saml2_Response(
            auth.get_settings(), request.form["SAMLResponse"]
        ).get_in_response_to()
        problem = sp_common.in_response_to_problem(
            in_response_to, pending, options.require_in_response_to
        )
        if problem:
            return refused(problem)
        if not replays.first_use(auth.get_last_assertion_id()):
            return refused(f"replayed assertion {auth.get_last_assertion_id()}")
        session["name_id"] = auth.get_nameid()
        session["name_id_format"] = auth.get_nameid_format()
        session["session_index"] = auth.get_session_index()
        session["attributes"] = auth.get_attributes()
        return accepted(session["name_id"])

    @app.route("/logout")
    def logout():
        auth = init_saml_auth()
        return redirect(
            auth.logout(
                name_id=session.get("name_id"),
                session_index=session.get("session_index"),
                name_id_format=session.get("name_id_format"),
                return_to=request.host_url,
            )
        )

    @app.route("/sls")
    def sls():
        auth = init_saml_auth()
        url = auth.process_slo(delete_session_cb=session.clear)
        errors = auth.get_errors()
        if errors:
            return f"<p id=\"status\">logout refused: {', '.join(errors)}: {auth.get_last_error_reason()}</p>", 403
        session.clear()
        return redirect(url) if url else "<p id=\"status\">logged out</p>"

    @app.route("/metadata")
    def metadata():
        sp_settings = OneLogin_Saml2_Settings(settings(), sp_validation_only=True)
        xml = sp_settings.get_sp_metadata()
        errors = sp_settings.validate_metadata(xml)
        if errors:
            return ", ".join(errors), 500
        return xml, 200, {"Content-Type": "text/xml"}

    return app


if __name__ == "__main__":
    options = parse_args(sys.argv[1:])
    sp_common.serve(create_app(options), options.port, options.exit_on_stdin_eof)
