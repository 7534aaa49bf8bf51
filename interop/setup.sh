#!/usr/bin/env bash
# Installs the two interop peers' pinned dependencies:
#   interop/.venv              <- requirements.txt  (Python sd-jwt reference implementation)
#   interop/node/node_modules  <- node/package-lock.json (@sd-jwt/* TypeScript implementation)
# Idempotent: a stamp (hash of the pin file) skips work that is already done.
# Only the package registries (PyPI, npm) are needed.  Quiet on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- Python venv --------------------------------------------------------------
VENV="$HERE/.venv"
want="$(hash_of "$HERE/requirements.txt")"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.interop-stamp" 2>/dev/null)" != "$want" ]]; then
  if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV" || {
      echo "setup.sh: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2
      exit 1
    }
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input -r "$HERE/requirements.txt"
  echo "$want" > "$VENV/.interop-stamp"
fi

# --- Node packages ------------------------------------------------------------
NODE_DIR="$HERE/node"
want="$(hash_of "$NODE_DIR/package-lock.json")"
if [[ "$(cat "$NODE_DIR/node_modules/.interop-stamp" 2>/dev/null)" != "$want" ]]; then
  command -v npm >/dev/null || { echo "setup.sh: npm not found (Node 20+ needed)" >&2; exit 1; }
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$NODE_DIR/node_modules/.interop-stamp"
fi
