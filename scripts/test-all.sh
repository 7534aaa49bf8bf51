#!/usr/bin/env bash
# Every test of passerelle, from a fresh clone: installs the pinned interop peers
# and cargo-fuzz, checks formatting and lints, runs the unit, integration, doc and
# interop tests, builds the benches, and runs each fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "interop peers (pinned PyPI sd-jwt and did-webvh, npm @sd-jwt/*)"
bash interop/setup.sh

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

step "benches compile"
cargo bench --no-run --quiet

step "doc tests"
cargo test --doc --quiet

step "fuzz smoke run (${FUZZ_SECONDS:=15} s per target)"
bash fuzz/smoke.sh "$FUZZ_SECONDS"

step "unit, integration and interop tests"
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --all-targets --no-fail-fast
else
  cargo test --all-targets --no-fail-fast
fi

step "C ABI: header check, C tests under valgrind and helgrind"
bash ffi/tests/run.sh
