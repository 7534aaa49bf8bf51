#!/usr/bin/env bash
# Installs the did:webvh interop peer: interop/webvh/.venv <- requirements.txt
# (PyPI did-webvh==1.0.1 and its dependencies, pinned exactly).
# Idempotent: a stamp (hash of the pin file) skips work already done. Needs PyPI only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"
want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
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
