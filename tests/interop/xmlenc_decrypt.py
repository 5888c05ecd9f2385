"""An independent XML Encryption decryptor (Python's `cryptography`, i.e. OpenSSL) for what
xmlsec1 1.2 cannot read: xmlenc 1.1 rsa-oaep with its DigestMethod and MGF choices.

usage: /usr/bin/python3 xmlenc_decrypt.py SP_KEY.pem RESPONSE.xml
Prints the decrypted Assertion and exits 0, or prints why not and exits 1.
"""
import base64
import sys
import xml.etree.ElementTree as ET

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

XENC = "{http://www.w3.org/2001/04/xmlenc#}"
XENC11 = "{http://www.w3.org/2009/xmlenc11#}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
HASHES = {
    "http://www.w3.org/2000/09/xmldsig#sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
    "http://www.w3.org/2009/xmlenc11#mgf1sha1": hashes.SHA1,
    "http://www.w3.org/2009/xmlenc11#mgf1sha256": hashes.SHA256,
    "http://www.w3.org/2009/xmlenc11#mgf1sha512": hashes.SHA512,
}


def main():
    key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
    root = ET.parse(sys.argv[2]).getroot()
    data = root.find(f".//{XENC}EncryptedData")
    ek = data.find(f".//{XENC}EncryptedKey")
    method = ek.find(f"{XENC}EncryptionMethod")
    digest = method.find(f"{DS}DigestMethod")
    mgf = method.find(f"{XENC11}MGF")
    digest = HASHES[digest.get("Algorithm")] if digest is not None else hashes.SHA1
    if method.get("Algorithm").endswith("rsa-oaep-mgf1p"):
        mgf = hashes.SHA1
    else:
        mgf = HASHES[mgf.get("Algorithm")] if mgf is not None else hashes.SHA1
    wrapped = base64.b64decode(ek.find(f"{XENC}CipherData/{XENC}CipherValue").text)
    cek = key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(mgf()), algorithm=digest(), label=None))
    alg = data.find(f"{XENC}EncryptionMethod").get("Algorithm")
    blob = base64.b64decode(data.find(f"{XENC}CipherData/{XENC}CipherValue").text)
    if alg.endswith("-gcm"):
        plain = AESGCM(cek).decrypt(blob[:12], blob[12:], None)
    else:
        d = Cipher(algorithms.AES(cek), modes.CBC(blob[:16])).decryptor()
        padded = d.update(blob[16:]) + d.finalize()
        plain = padded[: -padded[-1]]
    print(plain.decode())


try:
    main()
except Exception as e:  # the test prints this
    print(f"FAILED {type(e).__name__}: {e}")
    sys.exit(1)
