#!/usr/bin/env bash
# Installs the pinned xml-crypto peer (npm ci). Idempotent; prints nothing on success.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.passerelle-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then exit 0; fi
npm ci --no-audit --no-fund --silent >/dev/null
echo "$want" > "$stamp"
