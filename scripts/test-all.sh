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
cargo clippy --all-targets --features postgres -- -D warnings
# the benchmarks' own package (the library as shipped, benches/Cargo.toml)
cargo clippy -p passerelle-bench --all-targets -- -D warnings
cargo clippy -p passerelle-bench --all-targets --features postgres -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

step "benches compile"
cargo bench -p passerelle-bench --no-run --quiet

step "doc tests"
cargo test --doc --quiet

step "fuzz smoke run (${FUZZ_SECONDS:=15} s per target)"
bash fuzz/smoke.sh "$FUZZ_SECONDS"

step "PostgreSQL: a throwaway cluster for the status-store fleet tests"
PG_DIR="$(mktemp -d)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PASSERELLE_PG_URL="$(bash scripts/pg-test-cluster.sh start "$PG_DIR/c" "$PG_PORT")"
trap 'bash scripts/pg-test-cluster.sh stop "$PG_DIR/c"; rm -rf "$PG_DIR"' EXIT
echo "$PASSERELLE_PG_URL"

step "unit, integration and interop tests"
if command -v cargo-nextest >/dev/null; then
  # the bench package too: each workload runs once as a test
  cargo nextest run -p passerelle -p passerelle-bench --all-targets --features postgres --no-fail-fast
else
  cargo test -p passerelle -p passerelle-bench --all-targets --features postgres --no-fail-fast
fi

step "the shipped build (no dev-dependency features): CLI issue and verify"
bash scripts/shipped-build-check.sh

step "C ABI: header check, C tests under valgrind and helgrind"
bash ffi/tests/run.sh
