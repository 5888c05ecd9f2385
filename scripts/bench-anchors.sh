#!/usr/bin/env bash
# samlkit against the tools people would otherwise use, in ONE run on the same generated inputs:
#
#   sign_batch          `samlkit sign --out-dir` of 1,000 small unsigned responses, one process,
#                       vs a python-xmlsec loop (libxmlsec1 + OpenSSL) and an xmlsec1 CLI loop
#   verify_batch        `samlkit verify --json` of 1,000 signed responses, one process,
#                       vs a python-xmlsec loop and an xmlsec1 CLI loop
#   c14n_throughput     `samlkit c14n --alg exc` of a 10.5 MB SAML-shaped document, whole
#                       process, vs lxml (python3) and `xmllint --exc-c14n`
#   c14n_rss_over_input samlkit's peak RSS for that document divided by the input size
#   one_process         one `samlkit verify` process on one small response vs one `xmlsec1 --verify`
#
# Prints the absolute figures, then one `ratio NAME = X` line per row (anchor time / samlkit
# time; for c14n_rss_over_input, samlkit's peak RSS / input bytes), with the CPU model and the
# load average at the start. Figures are measurements of this machine at this moment: run it on
# an otherwise idle machine. Nothing here is asserted by the tests.
#
# Usage: scripts/bench-anchors.sh [DIR]      (DIR keeps the generated inputs; default: a temp dir)
# Needs: hyperfine, GNU time (/usr/bin/time), xmlsec1, xmllint, and /usr/bin/python3 with the
# xmlsec and lxml modules (Debian: hyperfine time xmlsec1 libxml2-utils python3-xmlsec
# python3-lxml; scripts/install-test-deps.sh installs them). This script installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

py=/usr/bin/python3
missing=()
command -v hyperfine > /dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v xmlsec1 > /dev/null || missing+=(xmlsec1)
command -v xmllint > /dev/null || missing+=(libxml2-utils)
"$py" -c 'import xmlsec' 2> /dev/null || missing+=(python3-xmlsec)
"$py" -c 'import lxml' 2> /dev/null || missing+=(python3-lxml)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-anchors: missing ${missing[*]}" >&2
  echo "  install with: sudo apt-get install -y ${missing[*]}   (or: sudo bash scripts/install-test-deps.sh)" >&2
  exit 1
fi

echo "== bench-anchors $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) CPUs"
echo "load average at start: $(uptime | sed 's/.*load average: //')"

cargo build --release -q
cargo build --release -q -p samlkit-xml --example xml_throughput
key=$PWD/fixtures/keys/idp.key
cert=$PWD/fixtures/certs/idp.crt
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The binary runs from a copy, as an installed one does (`cargo install`, a package): the file
# the linker has just written sits in the page cache in small pieces, so each process start
# takes some 50 more page faults (about 0.3 ms here) than from a copy or after a reboot.
install -m 755 target/release/samlkit "$dir/samlkit"
bin=$dir/samlkit
now=2026-11-29T10:00:00Z

# The shared Python side: every loop loads the key or certificate once, like samlkit does.
cat > "$dir/anchors.py" << 'PY'
"""python-xmlsec (libxmlsec1 + OpenSSL) and lxml doing what the samlkit command does."""
import os
import sys

from lxml import etree

# xmlsec is imported only by the modes that sign or verify: it replaces libxml2's loader of
# external resources (so lxml can no longer open files by name); the loops read bytes instead.
xmlsec = None


def load_xmlsec():
    global xmlsec
    import xmlsec as module
    xmlsec = module


def read(path):
    with open(path, "rb") as f:
        return etree.ElementTree(etree.fromstring(f.read()))


def write(tree, path):
    with open(path, "wb") as f:
        f.write(etree.tostring(tree))

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"


def add_template(assertion):
    """The signature samlkit makes: enveloped, exclusive C14N, RSA-SHA256, SHA-256 digest,
    the certificate in KeyInfo, placed right after the Assertion's Issuer."""
    sig = xmlsec.template.create(assertion, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    ref = xmlsec.template.add_reference(sig, xmlsec.Transform.SHA256, uri="#" + assertion.get("ID"))
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.x509_data_add_certificate(
        xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(sig)))
    assertion.find("{%s}Issuer" % SAML).addnext(sig)
    return sig


def assertion_of(tree):
    return tree.getroot().find("{%s}Assertion" % SAML)


def templates(src, dst):
    """Inputs for the xmlsec1 CLI, which signs a template: each response with its template."""
    load_xmlsec()
    for name in sorted(os.listdir(src)):
        tree = read(os.path.join(src, name))
        add_template(assertion_of(tree))
        write(tree, os.path.join(dst, name))


def sign(key, cert, src, dst):
    """Per file: parse, add the template, sign (C14N, digest, RSA), write the signed file."""
    load_xmlsec()
    pkey = xmlsec.Key.from_file(key, xmlsec.KeyFormat.PEM)
    pkey.load_cert_from_file(cert, xmlsec.KeyFormat.PEM)
    for name in sorted(os.listdir(src)):
        tree = read(os.path.join(src, name))
        assertion = assertion_of(tree)
        sig = add_template(assertion)
        xmlsec.tree.add_ids(assertion, ["ID"])
        ctx = xmlsec.SignatureContext()
        ctx.key = pkey
        ctx.sign(sig)
        write(tree, os.path.join(dst, name))


def verify(cert, src):
    """Per file: parse, find the Assertion's Signature, verify it (reference digest over the
    enveloped, exclusive-C14N Assertion and the RSA signature) against the trusted
    certificate's key. samlkit verify does this and more (conditions, audience, recipient,
    time window, signature-wrapping checks), so this loop does less work than samlkit."""
    load_xmlsec()
    pkey = xmlsec.Key.from_file(cert, xmlsec.KeyFormat.CERT_PEM)
    valid = 0
    for name in sorted(os.listdir(src)):
        tree = read(os.path.join(src, name))
        assertion = assertion_of(tree)
        sig = assertion.find("{%s}Signature" % DS)
        xmlsec.tree.add_ids(assertion, ["ID"])
        ctx = xmlsec.SignatureContext()
        ctx.key = pkey
        try:
            ctx.verify(sig)
            valid += 1
        except xmlsec.Error:
            pass
    print("valid:", valid)


def c14n(src, dst):
    """lxml (libxml2): parse the whole document, write its exclusive C14N form."""
    etree.parse(src).write_c14n(dst, exclusive=True, with_comments=False)


if __name__ == "__main__":
    {"templates": templates, "sign": sign, "verify": verify, "c14n": c14n}[sys.argv[1]](*sys.argv[2:])
PY

# Inputs (generated once per DIR; deterministic): 1,000 distinct small unsigned responses
# (12 attributes each), their xmlsec1 templates, the samlkit-signed versions, the big document.
mkdir -p "$dir/unsigned" "$dir/templates" "$dir/signed" "$dir/out-samlkit" "$dir/out-python" "$dir/out-xmlsec1"
attrs=()
for i in $(seq 0 11); do attrs+=(--attr "attribute$i=value number $i for alice@example.com"); done
if [ ! -f "$dir/unsigned/r999.xml" ]; then
  for i in $(seq -w 0 999); do
    "$bin" issue --key "$key" --cert "$cert" --sign none --issuer https://idp.example.com \
      --name-id "user$i@example.com" --audience https://sp.example.com \
      --recipient https://sp.example.com/acs --now "$now" "${attrs[@]}" > "$dir/unsigned/r$i.xml"
  done
fi
[ -f "$dir/templates/r999.xml" ] || "$py" "$dir/anchors.py" templates "$dir/unsigned" "$dir/templates"
[ -f "$dir/signed/r999.xml" ] || "$bin" sign --key "$key" --cert "$cert" --out-dir "$dir/signed" "$dir"/unsigned/*.xml
big=$dir/saml-10MiB.xml
[ -f "$big" ] || target/release/examples/xml_throughput --generate 10 "$big" > /dev/null
big_bytes=$(wc -c < "$big")
echo "inputs: 1,000 responses of ~$(wc -c < "$dir/unsigned/r000.xml") bytes unsigned, $(wc -c < "$dir/signed/r000.xml") signed; c14n document $big_bytes bytes"

# Sanity: every tool accepts what the others produce, so each loop does real work.
"$py" "$dir/anchors.py" verify "$cert" "$dir/signed" | grep -q "valid: 1000" \
  || { echo "bench-anchors: python-xmlsec does not verify samlkit's signatures" >&2; exit 1; }
xmlsec1 --verify --pubkey-cert-pem "$cert" --id-attr:ID "urn:oasis:names:tc:SAML:2.0:assertion:Assertion" \
  "$dir/signed/r000.xml" > /dev/null 2>&1 \
  || { echo "bench-anchors: xmlsec1 does not verify samlkit's signatures" >&2; exit 1; }

verify=("$bin" verify --json --cert "$cert" --issuer https://idp.example.com --audience https://sp.example.com
        --recipient https://sp.example.com/acs --now 2026-11-29T10:01:00Z)
xmlsec_verify="xmlsec1 --verify --pubkey-cert-pem $cert --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
xmlsec_sign="xmlsec1 --sign --privkey-pem $key,$cert --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
"${verify[@]}" "$dir"/signed/*.xml | grep -c '"valid":true' | grep -qx 1000 \
  || { echo "bench-anchors: samlkit does not verify its own batch" >&2; exit 1; }

json=$dir/hyperfine.json
# mean seconds of one hyperfine benchmark: hf NAME RUNS [hyperfine options…] COMMAND
hf() {
  local name=$1 runs=$2
  shift 2
  hyperfine --style none --runs "$runs" --export-json "$json" "$@" > /dev/null 2>&1 \
    || { echo "bench-anchors: $name failed: $*" >&2; exit 1; }
  "$py" -c 'import json,sys; print("%.6f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json"
}
# peak RSS in KiB of one run writing its stdout into a regular file: rss COMMAND…
rss() {
  /usr/bin/time -f %M -o "$dir/time.txt" "$@" > "$dir/c14n.out"
  tail -1 "$dir/time.txt"
}

# Batch sign: each output directory emptied before every run (sign replaces earlier outputs).
sign_samlkit=$(hf sign-samlkit 5 -w 1 --prepare "rm -rf $dir/out-samlkit/*" \
  "$bin sign --key $key --cert $cert --out-dir $dir/out-samlkit $dir/unsigned/*.xml")
sign_python=$(hf sign-python 3 -w 1 --prepare "rm -rf $dir/out-python/*" \
  "$py $dir/anchors.py sign $key $cert $dir/unsigned $dir/out-python")
# One xmlsec1 process per file (how the CLI is used): parse, sign the template, write.
sign_xmlsec1=$(hf sign-xmlsec1 1 --prepare "rm -rf $dir/out-xmlsec1/*" \
  "for f in $dir/templates/*.xml; do $xmlsec_sign --output $dir/out-xmlsec1/\${f##*/} \$f || exit 1; done")

verify_samlkit=$(hf verify-samlkit 30 -w 3 -N "${verify[*]} $(echo "$dir"/signed/*.xml)")
verify_python=$(hf verify-python 3 -w 1 "$py $dir/anchors.py verify $cert $dir/signed")
verify_xmlsec1=$(hf verify-xmlsec1 1 \
  "for f in $dir/signed/*.xml; do $xmlsec_verify \$f > /dev/null 2>&1 || exit 1; done")

one_samlkit=$(hf one-samlkit 200 -w 50 -N "${verify[*]} $dir/signed/r000.xml")
one_xmlsec1=$(hf one-xmlsec1 100 -w 10 -N "$xmlsec_verify $dir/signed/r000.xml")

# Canonicalization: whole processes writing into a pipe; peak RSS from GNU time, writing into a
# file (the lxml loop writes to the file by name, the others to stdout redirected there).
c14n_samlkit=$(hf c14n-samlkit 30 -w 3 -N --output=pipe "$bin c14n --alg exc $big")
c14n_lxml=$(hf c14n-lxml 5 -w 1 -N --output=pipe "$py $dir/anchors.py c14n $big /dev/stdout")
c14n_xmllint=$(hf c14n-xmllint 5 -w 1 -N --output=pipe "xmllint --exc-c14n $big")
rss_samlkit=$(rss "$bin" c14n --alg exc "$big")
rss_lxml=$(rss "$py" "$dir/anchors.py" c14n "$big" /dev/stdout)
rss_xmllint=$(rss xmllint --exc-c14n "$big")
# Into anything but a regular file (here /dev/null, as into a pipe) samlkit cannot take output back
# on error, so it holds it back until the document is valid: 512 KiB buffers in memory, the
# rest in an anonymous temporary file.
rss_samlkit_pipe=$(/usr/bin/time -f %M "$bin" c14n --alg exc "$big" 2>&1 > /dev/null | tail -1)
"$bin" c14n --alg exc "$big" | cmp -s - <("$py" "$dir/anchors.py" c14n "$big" /dev/stdout) \
  && echo "c14n: samlkit and lxml give identical bytes" \
  || echo "c14n: NOTE samlkit and lxml outputs differ"

"$py" - "$big_bytes" << PY
import sys
big = int(sys.argv[1])
ms = lambda s: "%.2f ms" % (float(s) * 1000)
s = lambda x: "%.3f s" % float(x)
mbs = lambda t: big / float(t) / 1e6
mib = lambda k: int(k) / 1024
print()
print("absolute figures (mean wall time of whole processes)")
print("  sign 1,000:    samlkit %s | python-xmlsec loop %s | xmlsec1 loop %s" % (s($sign_samlkit), s($sign_python), s($sign_xmlsec1)))
print("  verify 1,000:  samlkit %s | python-xmlsec loop %s | xmlsec1 loop %s" % (ms($verify_samlkit), ms($verify_python), s($verify_xmlsec1)))
print("  one verify:    samlkit %s | xmlsec1 %s" % (ms($one_samlkit), ms($one_xmlsec1)))
print("  c14n exc %.1f MB: samlkit %.0f MB/s, %.1f MiB peak (%.1f MiB into a pipe) | lxml %.0f MB/s, %.1f MiB | xmllint %.0f MB/s, %.1f MiB"
      % (big / 1e6, mbs($c14n_samlkit), mib($rss_samlkit), mib($rss_samlkit_pipe), mbs($c14n_lxml), mib($rss_lxml), mbs($c14n_xmllint), mib($rss_xmllint)))
print()
print("ratio sign_batch = %.2f  (python-xmlsec / samlkit; vs xmlsec1 loop %.1f)" % ($sign_python / $sign_samlkit, $sign_xmlsec1 / $sign_samlkit))
print("ratio verify_batch = %.2f  (python-xmlsec / samlkit; vs xmlsec1 loop %.1f)" % ($verify_python / $verify_samlkit, $verify_xmlsec1 / $verify_samlkit))
print("ratio c14n_throughput = %.2f  (samlkit MB/s / lxml MB/s; vs xmllint %.2f)" % ($c14n_lxml / $c14n_samlkit, $c14n_xmllint / $c14n_samlkit))
print("ratio c14n_rss_over_input = %.2f  (samlkit peak RSS / input bytes, output into a file; into a pipe %.2f; lxml %.2f, xmllint %.2f)" % ($rss_samlkit * 1024 / big, $rss_samlkit_pipe * 1024 / big, $rss_lxml * 1024 / big, $rss_xmllint * 1024 / big))
print("ratio one_process = %.2f  (xmlsec1 / samlkit)" % ($one_xmlsec1 / $one_samlkit))
PY
echo "load average at end: $(uptime | sed 's/.*load average: //')"
