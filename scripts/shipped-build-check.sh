#!/usr/bin/env bash
# The library as a user links it: no dev-dependencies, so none of their
# features. (josekit, a dev-dependency, turns on serde_json's
# `preserve_order`; every `cargo test` build therefore has insertion-ordered
# maps, and the shipped one sorted ones. A result that depends on map order
# passes the tests and fails here.) Issues an SD-JWT VC whose disclosed names
# sort before and between the visible ones, verifies it with the CLI of this
# build, and checks the provenance of every claim.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin passerelle
B=${CARGO_TARGET_DIR:-target}/debug/passerelle
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$B" keygen --public "$T/pub.jwk" > "$T/key.jwk"
echo '{"iss":"https://i.example","vct":"urn:x","zz":1,"m":"E","aa":2}' > "$T/claims.json"
"$B" issue --format dc+sd-jwt --issuer-key "$T/key.jwk" --claims "$T/claims.json" \
  --sd /m,/aa --at 1790000000 > "$T/cred.txt"
"$B" verify "$T/cred.txt" --issuer-jwk "$T/pub.jwk" --at 1790000100 > "$T/out.json"
python3 - "$T/out.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["provenance"]
want = {"/aa": "issuer_disclosed", "/m": "issuer_disclosed", "/iat": "issuer_signed",
        "/iss": "issuer_signed", "/vct": "issuer_signed", "/zz": "issuer_signed"}
if got != want:
    sys.exit(f"shipped build: provenance {got} != {want}")
PY
echo "shipped build: provenance of visible and disclosed claims as expected"
