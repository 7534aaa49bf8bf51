#!/usr/bin/env bash
# Builds libpasserelle_ffi, checks the header, compiles the C tests in
# ffi/tests/*.c against the checked-in header with gcc, and runs each under
# valgrind memcheck (0 errors, 0 leaks) and the thread test under helgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
FFI=$PWD
TARGET=${CARGO_TARGET_DIR:-$FFI/../target}
NICE="nice -n 19"

need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== header is current (pinned cbindgen)"
bash scripts/header.sh --check

echo "== the header compiles as C99 and as C++11"
gcc -fsyntax-only -std=c99 -Wall -Wextra -Werror -x c include/passerelle.h
g++ -fsyntax-only -std=c++11 -Wall -Wextra -Werror -x c++ include/passerelle.h

echo "== clippy (the ffi crate; the core is linted by scripts/test-all.sh)"
$NICE cargo clippy -q -p passerelle-ffi --all-targets -- -D warnings

echo "== Rust tests of the boundary (panicking callback, DER conversion)"
$NICE cargo test -q -p passerelle-ffi

echo "== build the library"
$NICE cargo build -q -p passerelle-ffi
LIB=$TARGET/debug
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

for src in tests/*.c; do
  name=$(basename "$src" .c)
  $NICE gcc -std=c11 -Wall -Wextra -Werror -g -O1 -pthread -I include \
    -DFIXTURES="\"$FFI/tests/fixtures\"" "$src" -o "$OUT/$name" \
    -L "$LIB" -lpasserelle_ffi -lcrypto -Wl,-rpath,"$LIB"
  echo "== $name under valgrind memcheck"
  $NICE valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=1 --log-file="$OUT/$name.vg" "$OUT/$name" || { cat "$OUT/$name.vg"; exit 1; }
  grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|All heap blocks" "$OUT/$name.vg" | sed 's/^==[0-9]*== /   /'
done

echo "== threads under helgrind"
$NICE valgrind --tool=helgrind --error-exitcode=1 --log-file="$OUT/helgrind.vg" "$OUT/threads" \
  || { cat "$OUT/helgrind.vg"; exit 1; }
grep -E "ERROR SUMMARY" "$OUT/helgrind.vg" | sed 's/^==[0-9]*== /   /'
echo "ffi: all C tests passed"
