#!/usr/bin/env bash
# Runs every fuzz target for a bounded time; fails on a crash. Installs the
# pinned cargo-fuzz if needed (it needs the nightly toolchain, used only here).
set -euo pipefail
cd "$(dirname "$0")"
SECS="${1:-20}"
CARGO_FUZZ_VERSION=0.13.1
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --quiet
fi
bash seed.sh
mkdir -p logs
for t in $(cargo +nightly fuzz list); do
  echo "fuzz: $t for ${SECS}s"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
      > "logs/$t.log" 2>&1; then
    tail -n 60 "logs/$t.log"
    echo "fuzz: $t crashed (artifacts in fuzz/artifacts/$t)"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "logs/$t.log" | tail -n 1 || true
done
