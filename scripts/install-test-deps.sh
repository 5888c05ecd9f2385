#!/usr/bin/env bash
# Installs what the interop tests need, idempotently: xmlsec1 and openssl, the JDK's keytool, and
# Debian's Python verifiers (python3-xmlsec, python3-onelogin-saml2, python3-jwt, used through
# /usr/bin/python3), python3-icalendar and prometheus's promtool (they check `inventory scan
# --format ics|prometheus`). Anything already installed is left alone, so a second run does
# nothing.
# Needs root for apt-get; without root it says what is missing and carries on (the interop tests
# then fail with a clear message when SAMLKIT_REQUIRE_INTEROP=1).
set -euo pipefail

wanted=(xmlsec1 openssl python3-xmlsec python3-onelogin-saml2 python3-jwt python3-lxml)
# PyJWT only Recommends python3-cryptography, which --no-install-recommends skips; RS256 needs it.
wanted+=(python3-cryptography)
# `inventory scan`: the calendar must parse with icalendar, the metrics pass `promtool check`.
wanted+=(python3-icalendar prometheus)
command -v keytool >/dev/null 2>&1 || wanted+=(openjdk-17-jre-headless)

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all interop tools present"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${missing[*]} and cannot apt-get install (not root?)" >&2
  exit 0
fi

echo "install-test-deps: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
