#!/usr/bin/env bash
# Installs what the interop tests need, idempotently: xmlsec1 and openssl (Debian) and the
# Python verifiers (PyPI). Anything already present is left alone, so a second run does nothing.
# Needs root for apt-get; without root it says what is missing and carries on (the interop tests
# then fail with a clear message when SAMLKIT_REQUIRE_INTEROP=1).
set -euo pipefail

apt_packages=()
command -v xmlsec1 >/dev/null 2>&1 || apt_packages+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || apt_packages+=(openssl)
# OneLogin's python3-saml: the second SAML verifier (Debian's /usr/bin/python3).
/usr/bin/python3 -c "import onelogin.saml2.response" >/dev/null 2>&1 \
  || apt_packages+=(python3-onelogin-saml2)

if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: apt-get install ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "install-test-deps: missing ${apt_packages[*]} and cannot apt-get install (not root?)" >&2
  fi
fi

# Python verifiers used by the interop tests (each test says which module it needs).
python_modules=(jwt:PyJWT)
missing=()
for entry in "${python_modules[@]}"; do
  module=${entry%%:*}
  package=${entry#*:}
  python3 -c "import $module" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: pip install ${missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${missing[@]}"
fi
