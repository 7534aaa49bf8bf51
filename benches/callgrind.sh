#!/bin/sh
# Instruction counts (valgrind --tool=callgrind) for every workload of
# benches/workloads and for the cryptographic floor (S, V, H, and K =
# SHA-256 of 10 KB for the mDL portrait), with each workload's
# ratio to its floor in the same units. A benchmark run by hand, not a test:
#
#   benches/callgrind.sh [ITERS] [WORKLOAD_PREFIX]
#
# Counts are per operation: the harness runs each workload once to warm up,
# then ITERS times (default 20; the 10 000-disclosure and wallet ones 2) with
# collection on only inside `measured`. Instruction counts do not move with
# the load of a shared machine, so they judge a change where wall-clock
# timings (±30 % here) cannot. Needs valgrind; builds the bench profile.
set -eu
ITERS=${1:-20}
PREFIX=${2:-}
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
# the bench profile, as `cargo bench` (symbols are kept: callgrind matches `measured` by name)
cargo bench -p passerelle-bench --bench callgrind --no-run >&2
BIN=$(ls -t "$TARGET"/release/deps/callgrind-* | grep -v '\.d$' | head -n 1)
# the C ABI's harness (ffi/benches/ffi_callgrind.rs), same protocol
cargo bench -p passerelle-ffi --bench ffi_callgrind --no-run >&2
FFI_BIN=$(ls -t "$TARGET"/release/deps/ffi_callgrind-* | grep -v '\.d$' | head -n 1)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

ir() { # id iters -> instructions per operation
    n=$2
    bin=$BIN
    case $1 in ffi/*) bin=$FFI_BIN ;; esac
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
        --callgrind-out-file="$OUT/cg.out" "$bin" "$1" "$n" >/dev/null 2>"$OUT/log" || {
        cat "$OUT/log" >&2
        exit 1
    }
    total=$(grep -E '^(summary|totals):' "$OUT/cg.out" | head -n 1 | awk '{print $2}')
    ops=1
    [ "$1" = status/lookup_warm ] && ops=1000
    echo "$total $n $ops" | awk '{printf "%.0f", $1 / $2 / $3}'
}

iters_for() {
    case $1 in
    scale/verify_10000 | wallet/*) echo 2 ;;
    scale/verify_1000) echo 5 ;;
    *) echo "$ITERS" ;;
    esac
}

S=$(ir floor/es256_sign "$ITERS")
V=$(ir floor/es256_verify "$ITERS")
H=$(ir floor/sha256_100 "$ITERS")
K=$(ir floor/sha256_10k "$ITERS")
echo "callgrind, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $ITERS iterations"
echo
echo "| workload | floor | Ir per op | floor Ir | ratio |"
echo "|---|---|---:|---:|---:|"
echo "| ring ES256 sign (S) | | $S | | |"
echo "| ring ES256 verify (V) | | $V | | |"
echo "| ring SHA-256 of 100 B (H) | | $H | | |"
echo "| ring SHA-256 of 10 KB (K) | | $K | | |"
{ "$BIN" --workloads; "$FFI_BIN" --workloads; } | while IFS="$(printf '\t')" read -r id f desc; do
    case $id in floor/*) continue ;; esac
    case $id in "$PREFIX"*) ;; *) continue ;; esac
    x=$(ir "$id" "$(iters_for "$id")")
    if [ "$f" = - ]; then
        echo "| $desc | — | $x | | |"
    else
        set -- $f
        fl=$(echo "$1 $2 $3 $4 $S $V $H $K" | awk '{printf "%.0f", $1*$5 + $2*$6 + $3*$7 + $4*$8}')
        name=$(echo "$1 $2 $3 $4" | awk '{s=""; if($1>0) s=s ($1==1?"S":$1"S"); if($2>0) s=s (s?" + ":"") ($2==1?"V":$2"V"); if($3>0) s=s (s?" + ":"") $3"H"; if($4>0) s=s (s?" + ":"") ($4==1?"K":$4"K"); print s}')
        echo "| $desc | $name | $x | $fl | $(echo "$x $fl" | awk '{printf "%.2f", $1/$2}') |"
    fi
done
