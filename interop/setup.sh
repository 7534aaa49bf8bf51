#!/usr/bin/env bash
# Installs the interop peers' pinned dependencies:
#   interop/.venv              <- requirements.txt  (Python sd-jwt reference implementation)
#   interop/webvh/.venv        <- webvh/requirements.txt (Python did-webvh)
#   interop/mdoc/.venv         <- mdoc/requirements.txt (Python pymdoccbor)
#   interop/node/node_modules  <- node/package-lock.json (@sd-jwt/* TypeScript implementation)
#   interop/mdoc/node_modules  <- mdoc/package-lock.json (@auth0/mdl)
#   interop/status/.venv       <- status/requirements.txt (cbor2 + cryptography: the CWT status list peer)
#   interop/status/node_modules <- status/package-lock.json (@sd-jwt/jwt-status-list,
#                                  @digitalbazaar/vc-bitstring-status-list)
#   interop/dcql/node_modules  <- dcql/package-lock.json (dcql)
#   interop/xmldsig/node_modules, interop/xmldsig/xades/node_modules
#                              <- xmldsig/setup.sh (xml-crypto, xadesjs)
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
venv "$HERE/mdoc"     # PyPI pymdoccbor (the Python mdoc peer)
venv "$HERE/status"   # PyPI cbor2 + cryptography (the status list CWT peer)

# --- Node packages ------------------------------------------------------------
# node_dir DIR: DIR/node_modules <- DIR/package-lock.json (npm ci), skipped when the stamp matches.
node_dir() {
  local dir="$1" want
  want="$(hash_of "$dir/package-lock.json")"
  if [[ "$(cat "$dir/node_modules/.interop-stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  command -v npm >/dev/null || { echo "setup.sh: npm not found (Node 20+ needed)" >&2; exit 1; }
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$dir/node_modules/.interop-stamp"
}
node_dir "$HERE/node"   # @sd-jwt/* (the TypeScript SD-JWT implementation)
node_dir "$HERE/mdoc"   # @auth0/mdl (ISO/IEC 18013-5 mdoc)
node_dir "$HERE/status" # @sd-jwt/jwt-status-list + @digitalbazaar/vc-bitstring-status-list
node_dir "$HERE/dcql"   # dcql (the DCQL engine Credo uses)
bash "$HERE/xmldsig/setup.sh" # xml-crypto and xadesjs (the XML-DSig / XAdES peers)
