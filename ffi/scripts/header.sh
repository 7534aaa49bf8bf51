#!/usr/bin/env bash
# Regenerates ffi/include/passerelle.h with the pinned cbindgen.
#   header.sh          regenerate
#   header.sh --check  regenerate, then fail if the checked-in header differs
set -euo pipefail
CBINDGEN_VERSION=0.29.0
cd "$(dirname "$0")/.."
if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen $CBINDGEN_VERSION" ]; then
  cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --quiet
fi
cbindgen --quiet --config cbindgen.toml --crate passerelle-ffi --output include/passerelle.h .
if [ "${1:-}" = "--check" ]; then
  git diff --exit-code -- include/passerelle.h
fi
