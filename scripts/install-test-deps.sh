#!/usr/bin/env bash
# Installs what the interop tests need, idempotently: xmlsec1 and openssl, the JDK's keytool,
# Debian's Python verifiers (python3-xmlsec, python3-onelogin-saml2, python3-jwt, used through
# /usr/bin/python3), python3-icalendar and prometheus's promtool (they check `inventory scan
# --format ics|prometheus`), and Node.js with xml-crypto from npm (into tests/interop/node).
# Anything already installed is left alone, so a second run does nothing.
# Needs root for apt-get; without root it says what is missing and carries on (the interop tests
# then fail with a clear message when SAMLKIT_REQUIRE_INTEROP=1).
set -euo pipefail

wanted=(xmlsec1 openssl python3-xmlsec python3-onelogin-saml2 python3-jwt python3-lxml)
# PyJWT only Recommends python3-cryptography, which --no-install-recommends skips; RS256 needs it.
wanted+=(python3-cryptography)
# `inventory scan`: the calendar must parse with icalendar, the metrics pass `promtool check`.
wanted+=(python3-icalendar prometheus)
# strace counts the flushes of a batch (tests/atomic_write_cli.rs).
wanted+=(strace)
# curl is a mutual-TLS client against `samlkit mtls serve` (tests/mtls_serve_cli.rs).
wanted+=(curl)
# `mtls probe` without --ca-file checks the server against the system roots
# (tests/mtls_probe_trust_cli.rs expects a non-empty store).
wanted+=(ca-certificates)
# scripts/bench-anchors.sh (`just bench-anchors`): hyperfine, GNU time for peak RSS, xmllint.
wanted+=(hyperfine time libxml2-utils)
# scripts/idp-load.sh (`just idp-load`): wrk, the closed-loop HTTP load generator.
wanted+=(wrk)
# `idp serve` against a real SP: tests/interop/onelogin_flask_sp.py (python3-saml on Flask).
wanted+=(python3-flask)
# ... and in a real browser: headless Chromium through chromedriver and python3-selenium.
wanted+=(chromium chromium-driver python3-selenium)
# pysaml2: the second SP library (tests/interop/pysaml2_sp.py) and a second decryptor of
# samlkit's encrypted responses.
wanted+=(python3-pysaml2)
command -v keytool >/dev/null 2>&1 || wanted+=(openjdk-17-jre-headless)
command -v node >/dev/null 2>&1 || wanted+=(nodejs)
command -v npm >/dev/null 2>&1 || wanted+=(npm)

# xml-crypto (what node-saml and passport-saml sign with) for tests/dsig_interop_cli.rs, from npm
# into the project-local tests/interop/node (pinned by its package-lock.json; node_modules is
# git-ignored). Skipped when already there; needs node and npm (Debian's nodejs and npm).
install_xml_crypto() {
  local project
  project="$(cd "$(dirname "$0")/.." && pwd)/tests/interop/node"
  if [ -f "$project/node_modules/xml-crypto/package.json" ]; then
    echo "install-test-deps: xml-crypto present"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-test-deps: npm is missing, cannot install xml-crypto" >&2
    return 0
  fi
  echo "install-test-deps: npm ci (xml-crypto) in tests/interop/node"
  (cd "$project" && npm ci --no-audit --no-fund --silent)
}

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all interop tools present"
  install_xml_crypto
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${missing[*]} and cannot apt-get install (not root?)" >&2
  install_xml_crypto
  exit 0
fi

echo "install-test-deps: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_xml_crypto
