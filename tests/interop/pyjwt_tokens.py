"""PyJWT side of the JWT interop test (run with Debian's /usr/bin/python3 and python3-jwt).

  verify TOKEN CERT AUD [ALG]   decode a samlkit token with the certificate's public key, accepting
                                only ALG (default RS256); print header and claims
  issue KEY ISS SUB AUD [ALG]   print a token made by PyJWT with ALG (default RS256; ES256, ES384)
  hs256-forgery CERT         print an HS256 token keyed with the certificate's public-key PEM
                             (the algorithm-confusion attack a verifier must refuse)
"""
import base64, hashlib, hmac, json, sys, time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import load_pem_x509_certificate


def public_pem(cert_path):
    with open(cert_path, "rb") as f:
        key = load_pem_x509_certificate(f.read()).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


cmd = sys.argv[1]
if cmd == "verify":
    token, cert, aud = sys.argv[2:5]
    alg = sys.argv[5] if len(sys.argv) > 5 else "RS256"
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, public_pem(cert), algorithms=[alg], audience=aud,
                        options={"require": ["exp", "iss", "sub", "aud"]})
    print(json.dumps({"header": header, "claims": claims}, sort_keys=True))
elif cmd == "issue":
    key, iss, sub, aud = sys.argv[2:6]
    alg = sys.argv[6] if len(sys.argv) > 6 else "RS256"
    with open(key, "rb") as f:
        pem = f.read()
    claims = {"iss": iss, "sub": sub, "aud": aud, "exp": int(time.time()) + 120}
    print(jwt.encode(claims, pem, algorithm=alg, headers={"kid": "pyjwt"}))
elif cmd == "hs256-forgery":
    secret = public_pem(sys.argv[2])
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"iss": "x", "sub": "admin@example.com",
                             "aud": "https://login.salesforce.com",
                             "exp": int(time.time()) + 120}).encode())
    signing_input = f"{header}.{claims}".encode()
    print(f"{header}.{claims}.{b64(hmac.new(secret, signing_input, hashlib.sha256).digest())}")
else:
    sys.exit(f"unknown command {cmd}")
