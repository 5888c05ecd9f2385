#!/usr/bin/env bash
# Batch benchmark on 1,000 distinct ~5 KB responses (RSA-2048, 12 attributes):
#   - `verify --json` of the 1,000 signed ones, one process, with --jobs 1 and --jobs (all CPUs);
#   - `sign --out-dir` of the 1,000 unsigned ones, one process, with --jobs 1 and all CPUs;
#   - one process verifying one file;
#   - with strace installed, how many fsync/fdatasync/syncfs calls the batch sign makes.
# Usage: scripts/bench-batch.sh [DIR]   (builds the release binary; uses hyperfine if installed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/samlkit
dir=${1:-$(mktemp -d)}
mkdir -p "$dir/signed" "$dir/unsigned"
jobs=$(nproc)
attrs=()
for i in $(seq 0 11); do attrs+=(--attr "attribute$i=value number $i for alice@example.com"); done
issue=("$bin" issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt
       --issuer https://idp.example.com --audience https://sp.example.com
       --recipient https://sp.example.com/acs --now 2026-11-29T10:00:00Z "${attrs[@]}")
if [ ! -f "$dir/signed/r999.xml" ]; then
  for i in $(seq -w 0 999); do
    "${issue[@]}" --name-id "user$i@example.com" > "$dir/signed/r$i.xml"
    "${issue[@]}" --name-id "user$i@example.com" --sign none > "$dir/unsigned/r$i.xml"
  done
fi
echo "files: $(ls "$dir"/signed/r*.xml | wc -l), $(wc -c < "$dir/signed/r000.xml") bytes each; CPUs: $jobs"
verify=("$bin" verify --json --cert fixtures/certs/idp.crt --audience https://sp.example.com
        --recipient https://sp.example.com/acs --issuer https://idp.example.com
        --now 2026-11-29T10:01:00Z)
sign=("$bin" sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt --out-dir "$dir/out")
"${verify[@]}" "$dir/signed" | grep -c '"valid":true' | sed 's/^/valid: /'
if command -v hyperfine > /dev/null; then
  hyperfine -N -w 2 -r 10 \
    -n "verify --json 1,000 files --jobs 1" "${verify[*]} --jobs 1 $dir/signed" \
    -n "verify --json 1,000 files --jobs $jobs" "${verify[*]} --jobs $jobs $dir/signed" \
    -n "sign --out-dir 1,000 files --jobs 1" "${sign[*]} --jobs 1 $dir/unsigned" \
    -n "sign --out-dir 1,000 files --jobs $jobs" "${sign[*]} --jobs $jobs $dir/unsigned" \
    -n "verify 1 file" "${verify[*]} $dir/signed/r000.xml"
else
  for j in 1 "$jobs"; do
    echo "--jobs $j"
    time "${verify[@]}" --jobs "$j" "$dir/signed" > /dev/null
    time "${sign[@]}" --jobs "$j" "$dir/unsigned" 2> /dev/null
  done
  time "${verify[@]}" "$dir/signed/r000.xml" > /dev/null
fi
if command -v strace > /dev/null; then
  echo "flushes of one sign --out-dir of 1,000 files:"
  strace -f -c -e trace=fsync,fdatasync,syncfs "${sign[@]}" "$dir/unsigned" 2>&1 >/dev/null \
    | grep -E 'fsync|fdatasync|syncfs|total'
fi
