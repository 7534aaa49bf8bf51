#!/usr/bin/env bash
# Installs the DCQL peer's pinned dependencies (npm dcql 3.0.0 and valibot 1.2.0,
# from package-lock.json) into interop/dcql/node_modules. Idempotent: a stamp
# (the hash of package-lock.json) skips work already done. Quiet on success.
# Needs Node 20+ and npm, and network access to the npm registry only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$HERE/node_modules/.interop-stamp" 2>/dev/null)" == "$want" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "interop/dcql/setup.sh: npm not found (Node 20+ needed)" >&2; exit 1; }
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" > "$HERE/node_modules/.interop-stamp"
