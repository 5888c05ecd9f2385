"""pysaml2 (Debian python3-pysaml2) as a second SP: decrypts the EncryptedAssertion with the
SP's key through its security context, and parses the result with its SAML schema classes.

usage: /usr/bin/python3 pysaml2_decrypt.py SP_KEY.pem RESPONSE.xml
Prints "OK <nameid>" and exits 0, or the reason and exits 1.
"""
import sys

from saml2 import extension_elements_to_elements, saml, samlp
from saml2.sigver import CryptoBackendXmlSec1, get_xmlsec_binary


def main():
    key, path = sys.argv[1:3]
    crypto = CryptoBackendXmlSec1(get_xmlsec_binary())
    decrypted = crypto.decrypt(open(path).read(), key)
    response = samlp.response_from_string(decrypted)
    # xmlsec1 leaves the Assertion inside saml:EncryptedAssertion; pysaml2's response code reads
    # it from there the same way (extension elements -> saml.Assertion).
    assertions = []
    for enc in response.encrypted_assertion or []:
        assertions += extension_elements_to_elements(enc.extension_elements, [saml, samlp])
    assertions = [a for a in assertions if isinstance(a, saml.Assertion)]
    if len(assertions) != 1:
        print("INVALID expected one decrypted Assertion, found", len(assertions))
        sys.exit(1)
    assertion = assertions[0]
    print("OK", assertion.subject.name_id.text)


try:
    main()
except Exception as e:
    print(f"FAILED {type(e).__name__}: {e}")
    sys.exit(1)
