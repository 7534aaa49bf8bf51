#!/usr/bin/env bash
# Installs the two interop peers' pinned dependencies:
#   interop/.venv              <- requirements.txt  (Python sd-jwt reference implementation)
#   interop/webvh/.venv        <- webvh/requirements.txt (Python did-webvh)
#   interop/node/node_modules  <- node/package-lock.json (@sd-jwt/* TypeScript implementation)
# Idempotent: a stamp (hash of the pin file) skips work that is already done.
# Only the package registries (PyPI, npm) are needed.  Quiet on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- Python venvs --------------------------------------------------------------
# venv DIR: DIR/.venv <- DIR/requirements.txt, skipped when the stamp matches.
venv() {
  local dir="$1" venv="$1/.venv" want
  want="$(hash_of "$dir/requirements.txt")"
  if [[ -x "$venv/bin/python" && "$(cat "$venv/.interop-stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  if [[ ! -x "$venv/bin/python" ]]; then
    "$PYTHON" -m venv "$venv" || {
      echo "setup.sh: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2
      exit 1
    }
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input -r "$dir/requirements.txt"
  echo "$want" > "$venv/.interop-stamp"
}
venv "$HERE"          # PyPI sd-jwt (the SD-JWT reference implementation)
venv "$HERE/webvh"    # PyPI did-webvh (the did:webvh peer)

# --- Node packages ------------------------------------------------------------
NODE_DIR="$HERE/node"
want="$(hash_of "$NODE_DIR/package-lock.json")"
if [[ "$(cat "$NODE_DIR/node_modules/.interop-stamp" 2>/dev/null)" != "$want" ]]; then
  command -v npm >/dev/null || { echo "setup.sh: npm not found (Node 20+ needed)" >&2; exit 1; }
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$NODE_DIR/node_modules/.interop-stamp"
fi
