#!/usr/bin/env bash
# Installs the pinned peers (npm ci): xml-crypto here, xadesjs in xades/.
# Idempotent (a stamp holds each lock file's hash); prints nothing on success.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# tests call this concurrently: one npm ci at a time, the others wait and
# then find the stamp
exec 9>"$here/.setup.lock"
flock 9
for dir in "$here" "$here/xades"; do
  stamp="$dir/node_modules/.passerelle-stamp"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then continue; fi
  (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null)
  echo "$want" > "$stamp"
done
