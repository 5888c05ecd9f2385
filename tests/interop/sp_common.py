"""What the test service providers under tests/interop/ share (onelogin_flask_sp.py, polite_sp.py,
pysaml2_sp.py, vulnerable_sp.py): the command-line flags every one of them takes, the session
oracle `/whoami`, the replay and InResponseTo policy a strict SP adds on top of its SAML library,
and serving on 127.0.0.1 with a one-line readiness report.

The contract every SP script keeps (tests/test_sps.rs checks it, `samlkit sp-audit` tests rely
on it):
- it binds 127.0.0.1 only, on `--port` (0, the default, picks a free port), and prints exactly
  one line `listening on http://127.0.0.1:PORT` on stdout once it accepts connections;
- POST BASE/acs takes the HTTP-POST binding (`SAMLResponse`, optional `RelayState`);
- GET BASE/whoami answers 200 `logged in as NAMEID` (text/plain) with the session cookie of a
  login and 401 `not logged in` without one;
- SIGTERM makes it exit (status 0); so does end of file on stdin with `--exit-on-stdin-eof`, for
  a parent that may die without killing it.
"""
import argparse
import base64
import binascii
import os
import signal
import sys
import threading

from flask import Response, session
from lxml import etree
from werkzeug.serving import make_server

# Unless told otherwise, the SPs trust the samlkit fixture IdP.
DEFAULT_IDP_ENTITY_ID = "https://idp.example.com"
# Where /login sends the AuthnRequest; nothing needs to listen there: a tester (sp-audit) reads
# the request off the redirect and answers it itself.
DEFAULT_IDP_SSO_URL = "https://idp.example.com/sso"


def base_parser(description):
    """The flags every SP script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--idp-cert", help="PEM certificate of the IdP whose signatures are trusted")
    parser.add_argument("--idp-entity-id", default=DEFAULT_IDP_ENTITY_ID, help="the IdP's entity ID (Issuer)")
    parser.add_argument("--idp-sso-url", default=DEFAULT_IDP_SSO_URL, help="where /login redirects")
    parser.add_argument(
        "--sp-entity-id",
        help="this SP's entity ID, the audience it accepts (default: http://127.0.0.1:PORT/metadata)",
    )
    parser.add_argument(
        "--exit-on-stdin-eof", action="store_true", help="exit when standard input reaches end of file"
    )
    return parser


def strict_flags(parser):
    """The flags of the strict (library-based) SPs."""
    parser.add_argument(
        "--require-in-response-to",
        action="store_true",
        help="accept only answers to an AuthnRequest this SP sent from /login (no IdP-initiated login)",
    )
    parser.add_argument(
        "--want-response-signed",
        action="store_true",
        help="require a signature on the Response itself, not only on the Assertion",
    )


def whoami():
    """The login oracle: which NameID this session is logged in as."""
    if "name_id" not in session:
        return Response("not logged in\n", status=401, mimetype="text/plain")
    return Response(f"logged in as {session['name_id']}\n", status=200, mimetype="text/plain")


class ReplayCache:
    """Assertion IDs already accepted by this process: a second use is a replay (SAML 2.0 profiles
    4.1.4.5). The libraries leave this to the application, so a strict SP keeps one."""

    def __init__(self):
        self._seen = set()
        self._lock = threading.Lock()

    def first_use(self, assertion_id):
        with self._lock:
            if assertion_id in self._seen:
                return False
            self._seen.add(assertion_id)
            return True


def in_response_to_problem(in_response_to, pending, required):
    """Why the Response's InResponseTo is not acceptable, or None. `pending` is the ID of the
    AuthnRequest this browser session is waiting for (None for IdP-initiated login)."""
    if pending is not None:
        if in_response_to != pending:
            return f"InResponseTo {in_response_to!r} is not the pending request {pending!r}"
        return None
    if required:
        return "unsolicited response: this SP accepts only answers to its own AuthnRequests"
    if in_response_to is not None:
        return f"InResponseTo {in_response_to!r} names a request this SP did not send"
    return None


DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ENTITY_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
# SHA-1 signatures and digests (what newer python3-saml's rejectDeprecatedAlgorithm refuses).
DEPRECATED_ALGORITHMS = {
    DS + "rsa-sha1",
    DS + "dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig-more#hmac-sha1",
    DS + "sha1",
}


def profile_problem(saml_response):
    """What a strict SP refuses that the Debian versions of python3-saml (1.12) and pysaml2 (7.0)
    let through, in the posted (base64) SAMLResponse, or None: SHA-1 signatures or digests, two
    elements with one ID, an Issuer whose Format is not entity (SAML 2.0 profiles 4.1.4.2).
    Undecodable input is left for the library to refuse."""
    try:
        document = base64.b64decode(saml_response)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(document, parser)
    except (binascii.Error, ValueError, etree.XMLSyntaxError):
        return None
    # Only signature algorithms: a ds:DigestMethod under xenc:EncryptionMethod is RSA-OAEP's
    # digest, where SHA-1 is the standard default and not deprecated.
    for signed_info in root.iter(f"{{{DS}}}SignedInfo"):
        for method in ("SignatureMethod", "Reference/{%s}DigestMethod" % DS):
            for element in signed_info.iterfind(f"{{{DS}}}{method}"):
                if element.get("Algorithm") in DEPRECATED_ALGORITHMS:
                    return f"deprecated algorithm {element.get('Algorithm')}"
    ids = [element.get("ID") for element in root.iter(etree.Element) if element.get("ID")]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        return f"duplicate ID {duplicates[0]}"
    for issuer in root.iter(f"{{{SAML}}}Issuer"):
        if issuer.get("Format") not in (None, ENTITY_FORMAT):
            return f"Issuer Format {issuer.get('Format')} is not entity"
    return None


def serve(app, port, exit_on_stdin_eof=False):
    """Serves `app` on 127.0.0.1:`port` until SIGTERM, after printing the readiness line."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    # Cookies ignore ports: two SPs on 127.0.0.1 need their own cookie names.
    app.config["SESSION_COOKIE_NAME"] = f"sp{server.server_port}"
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"

    def stop(_signum, _frame):
        # serve_forever runs in this (main) thread: leave it through SystemExit.
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    if exit_on_stdin_eof:
        def watch_stdin():
            # The raw descriptor: a buffered read would hold a lock that interpreter shutdown
            # (after SIGTERM) cannot take from this daemon thread.
            while os.read(sys.stdin.fileno(), 4096):
                pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"listening on {app.config['BASE_URL']}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
