#!/usr/bin/env bash
# Batch verification benchmark: 1,000 distinct signed ~5 KB responses (RSA-2048, 12 attributes),
# verified by one `samlkit verify --json` process; then one process verifying one file.
# Usage: scripts/bench-batch.sh [DIR]   (needs a release build; hyperfine if installed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/samlkit
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
attrs=()
for i in $(seq 0 11); do attrs+=(--attr "attribute$i=value number $i for alice@example.com"); done
if [ ! -f "$dir/r0999.xml" ]; then
  for i in $(seq -w 0 999); do
    "$bin" issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
      --issuer https://idp.example.com --name-id "user$i@example.com" \
      --audience https://sp.example.com --recipient https://sp.example.com/acs \
      --now 2026-11-29T10:00:00Z "${attrs[@]}" > "$dir/r$i.xml"
  done
fi
echo "files: $(ls "$dir"/r*.xml | wc -l), $(wc -c < "$dir/r000.xml") bytes each"
verify=("$bin" verify --json --cert fixtures/certs/idp.crt --audience https://sp.example.com
        --recipient https://sp.example.com/acs --now 2026-11-29T10:01:00Z)
"${verify[@]}" "$dir"/r*.xml | grep -c '"valid":true' | sed 's/^/valid: /'
if command -v hyperfine > /dev/null; then
  hyperfine -N -w 3 -r 20 -n "verify 1,000 files" "${verify[*]} $(echo "$dir"/r*.xml)" \
    -n "verify 1 file" "${verify[*]} $dir/r000.xml"
else
  time "${verify[@]}" "$dir"/r*.xml > /dev/null
  time "${verify[@]}" "$dir/r000.xml" > /dev/null
fi
