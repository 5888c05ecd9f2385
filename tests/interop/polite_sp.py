"""Two strict service providers whose answers fool a status-code oracle, for the `samlkit sp-audit`
tests (this is where a judge by HTTP status alone, like spid-sp-test, gets its verdicts wrong).
Both are onelogin_flask_sp.py (python3-saml, `strict: True`, same checks, same flags, same
/whoami, /login and /metadata) with other answers from the ACS:

- `--mode polite-200`: a refused response gets HTTP 200 and a friendly HTML page, "Sorry, we
  could not sign you in", instead of an error status; an accepted one gets 200 and a welcome page
  (the session cookie set). Only the cookie, the page or /whoami tell them apart.
- `--mode redirect-after-login`: an accepted response gets 302 to /app, with the session cookie
  set on the 302; /app answers 200 with the user's name (401 without a session). A refused one
  gets 403 `refused: …`.

How sp-audit tests start it:

    /usr/bin/python3 tests/interop/polite_sp.py --mode polite-200 \
        --idp-cert fixtures/certs/idp.crt --idp-entity-id https://idp.example.com \
        --sp-entity-id https://sp.example.com [--require-in-response-to] [--port 0]

then read the first stdout line, `listening on http://127.0.0.1:PORT` (BASE), and post to
BASE/acs (Recipient and Destination BASE/acs, audience = --sp-entity-id); BASE/whoami is the
login oracle. Stop it with SIGTERM. `--help` lists every flag.
"""
import sys

from flask import redirect, session

import onelogin_flask_sp
import sp_common

SORRY = (
    "<!doctype html><html><head><title>Sign-in</title></head><body>"
    "<h1>Sorry, we could not sign you in</h1>"
    "<p>Please try again later or contact your administrator.</p></body></html>"
)


def welcome(name_id):
    return f"<!doctype html><html><body><h1>Welcome, {name_id}</h1></body></html>"


def polite_200(app):
    def accepted(name_id):
        return welcome(name_id), 200

    def refused(_reason):
        return SORRY, 200

    return accepted, refused


def redirect_after_login(app):
    @app.route("/app")
    def app_page():
        if "name_id" not in session:
            return "<p>not logged in</p>", 401
        return welcome(session["name_id"])

    return (lambda _name_id: redirect("/app")), onelogin_flask_sp.default_refused


MODES = {"polite-200": polite_200, "redirect-after-login": redirect_after_login}


def main(argv):
    def mode_flag(parser):
        parser.add_argument("--mode", required=True, choices=sorted(MODES), help="how the ACS answers")

    options = onelogin_flask_sp.parse_args(argv, __doc__, mode_flag)
    if options.legacy:
        sys.exit("polite_sp.py: takes flags only")
    answers = {}
    app = onelogin_flask_sp.create_app(
        options,
        accepted=lambda name_id: answers["accepted"](name_id),
        refused=lambda reason: answers["refused"](reason),
    )
    answers["accepted"], answers["refused"] = MODES[options.mode](app)
    sp_common.serve(app, options.port, options.exit_on_stdin_eof)


if __name__ == "__main__":
    main(sys.argv[1:])
