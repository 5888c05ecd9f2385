"""A small service provider on Flask with OneLogin's python3-saml (Debian python3-onelogin-saml2
and python3-flask), laid out the way that library's Flask demo is: a settings dict, a helper that
turns the Flask request into the dict python3-saml wants, and routes for login, the ACS, logout
and the single-logout service. tests/idp_interop_sp.rs runs it against `samlkit idp serve`.

usage: /usr/bin/python3 onelogin_flask_sp.py SP_KEY SP_CERT IDP_SETTINGS.json [encrypted]

With `encrypted`, the SP requires encrypted assertions (security.wantAssertionsEncrypted, so its
metadata carries a KeyDescriptor use="encryption" with SP_CERT, and plaintext assertions are
refused).

It listens on a free port of 127.0.0.1 and prints `listening on http://127.0.0.1:PORT` first.
IDP_SETTINGS.json ({"entity_id", "sso_url", "slo_url", "cert_pem"}) is read on every request, so
the test can write it once the IdP is up.
"""
import json
import sys

from flask import Flask, redirect, request, session
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from werkzeug.serving import make_server

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def pem_body(text):
    return "".join(l for l in text.splitlines() if "-----" not in l)


def saml_settings(base):
    try:
        idp = json.load(open(IDP_SETTINGS))
    except FileNotFoundError:
        # The SP's own metadata does not depend on the IdP, which may not be running yet.
        idp = {"entity_id": "https://idp.invalid", "sso_url": "https://idp.invalid/sso",
               "slo_url": "https://idp.invalid/slo", "cert_pem": ""}
    return {
        "strict": True,
        "sp": {
            "entityId": base + "/metadata",
            "assertionConsumerService": {"url": base + "/acs", "binding": POST},
            "singleLogoutService": {"url": base + "/sls", "binding": REDIRECT},
            "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "x509cert": pem_body(open(SP_CERT).read()),
            "privateKey": pem_body(open(SP_KEY).read()),
        },
        "idp": {
            "entityId": idp["entity_id"],
            "singleSignOnService": {"url": idp["sso_url"], "binding": REDIRECT},
            "singleLogoutService": {"url": idp["slo_url"], "binding": REDIRECT},
            "x509cert": pem_body(idp["cert_pem"]),
        },
        "security": {
            "authnRequestsSigned": True,
            "logoutRequestSigned": True,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            "rejectDeprecatedAlgorithm": True,
            "wantAssertionsEncrypted": ENCRYPTED,
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


def init_saml_auth():
    return OneLogin_Saml2_Auth(prepare_flask_request(), saml_settings(request.host_url.rstrip("/")))


app = Flask(__name__)
app.secret_key = "samlkit-interop-test-only"


@app.route("/")
def index():
    if "name_id" not in session:
        return "<p id=\"status\">not logged in</p>"
    rows = "".join(
        f"<li>{name}: {', '.join(values)}</li>" for name, values in sorted(session["attributes"].items())
    )
    return f"<p id=\"status\">logged in as <b id=\"name-id\">{session['name_id']}</b></p><ul>{rows}</ul>"


@app.route("/login")
def login():
    auth = init_saml_auth()
    url = auth.login(return_to=request.host_url + "?from=login")
    session["request_id"] = auth.get_last_request_id()
    return redirect(url)


@app.route("/acs", methods=["POST"])
def acs():
    auth = init_saml_auth()
    try:
        auth.process_response(request_id=session.pop("request_id", None))
    except Exception as e:  # xmlsec raises on some undecryptable input; that is a refusal too
        return f"<p id=\"status\">refused: {type(e).__name__}: {e}</p>", 403
    errors = auth.get_errors()
    if errors or not auth.is_authenticated():
        return f"<p id=\"status\">refused: {', '.join(errors)}: {auth.get_last_error_reason()}</p>", 403
    session["name_id"] = auth.get_nameid()
    session["name_id_format"] = auth.get_nameid_format()
    session["session_index"] = auth.get_session_index()
    session["attributes"] = auth.get_attributes()
    return redirect("/")


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
    settings = OneLogin_Saml2_Settings(saml_settings(request.host_url.rstrip("/")), sp_validation_only=True)
    xml = settings.get_sp_metadata()
    errors = settings.validate_metadata(xml)
    if errors:
        return ", ".join(errors), 500
    return xml, 200, {"Content-Type": "text/xml"}


if __name__ == "__main__":
    SP_KEY, SP_CERT, IDP_SETTINGS = sys.argv[1:4]
    ENCRYPTED = sys.argv[4:5] == ["encrypted"]
    server = make_server("127.0.0.1", 0, app)
    # Cookies ignore ports: two SPs on 127.0.0.1 need their own cookie names.
    app.config["SESSION_COOKIE_NAME"] = f"sp{server.server_port}"
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
