#!/usr/bin/env bash
# Cross-checks the two interop peers against each other:
#   python issues -> node presents -> python (and node) verify
#   node issues   -> python presents -> node (and python) verify
#   a presentation with one disclosure character changed fails in both verifiers
# plus a few negative KB checks.  Ends with "selftest: N passed, N failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/setup.sh" || { echo "selftest: setup.sh failed"; exit 1; }

PYBIN="$HERE/.venv/bin/python"
PY() { "$PYBIN" "$HERE/py_peer.py" "$@"; }
NODE() { node "$HERE/node/peer.mjs" "$@"; }

W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); [[ -n "${VERBOSE:-}" ]] && echo "  ok   $1"; return 0; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; [[ -n "${2:-}" ]] && echo "       $2"; return 0; }

pubof() { "$PYBIN" -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("d",None); print(json.dumps(d))' "$1"; }
PY keygen > "$W/issuer.jwk" && PY keygen > "$W/holder.jwk" || { echo "selftest: keygen failed"; exit 1; }
pubof "$W/issuer.jwk" > "$W/issuer.pub.jwk"
pubof "$W/holder.jwk" > "$W/holder.pub.jwk"

cat > "$W/claims.json" <<'EOF'
{"iss":"https://pid-provider.example","vct":"urn:eudi:pid:1","given_name":"Erika","family_name":"Mustermann","birthdate":"1963-08-12","nationalities":["DE"],"age_equal_or_over":{"18":true,"65":false},"address":{"street_address":"Heidestraße 17","locality":"Köln","postal_code":"51147","country":"DE"}}
EOF

NOW=$(date +%s)
IAT=$((NOW - 60)); EXP=$((NOW + 86400))
NONCE="n-$RANDOM$RANDOM"; AUD="https://verifier.example"
DISCLOSE="/given_name,/address/locality,/nationalities/0,/age_equal_or_over/18"

# expect_claims FILE: verify output must be valid and show exactly the disclosed subset
expect_claims() {
  "$PYBIN" - "$1" <<'EOF'
import json, sys
out = json.loads(open(sys.argv[1]).read())
assert out.get("valid") is True, out
c = out["claims"]
assert c["given_name"] == "Erika", c
assert c["address"] == {"locality": "Köln"}, c
assert c["nationalities"] == ["DE"], c
assert c["age_equal_or_over"] == {"18": True}, c
for hidden in ("family_name", "birthdate"):
    assert hidden not in c, hidden
assert c["iss"] == "https://pid-provider.example" and c["vct"] == "urn:eudi:pid:1", c
assert "jwk" in c["cnf"], c
EOF
}

# expect_invalid NAME VERIFIER ARGS...: verifier must exit 1 with {"valid": false}
expect_invalid() {
  local name="$1"; shift
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  if [[ $rc -eq 1 && "$out" == '{"valid":false,'* ]]; then ok "$name"; else bad "$name" "rc=$rc out=${out:0:300}"; fi
}

# tamper FILE: change one character of the first disclosure such that it still
# base64url/JSON-decodes (so a rejection must come from the digest / sd_hash checks)
tamper() {
  "$PYBIN" - "$1" <<'EOF'
import base64, json, sys
parts = open(sys.argv[1]).read().strip().split("~")
d = parts[1]
def decodes(s):
    try:
        v = json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode("utf-8"))
        return isinstance(v, list) and len(v) in (2, 3)
    except Exception:
        return False
for i in list(range(len(d) // 2, len(d) - 4)) + list(range(4, len(d) // 2)):
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
        t = d[:i] + c + d[i + 1:]
        if c != d[i] and decodes(t):
            parts[1] = t
            print("~".join(parts))
            sys.exit(0)
sys.exit("no decodable one-character change found")
EOF
}

flow() {  # flow LABEL ISSUER HOLDER
  local label="$1" issuer="$2" holder="$3" v out
  local cred="$W/$label.cred" pres="$W/$label.pres"
  if ! $issuer issue --issuer-key "$W/issuer.jwk" --holder-key "$W/holder.pub.jwk" \
        --claims "$W/claims.json" --sd all --iat "$IAT" --exp "$EXP" > "$cred"; then
    bad "$label: issue"; return
  fi
  ok "$label: issue"
  if ! $holder present --credential "$cred" --holder-key "$W/holder.jwk" --disclose "$DISCLOSE" \
        --nonce "$NONCE" --aud "$AUD" --iat "$NOW" > "$pres"; then
    bad "$label: present"; return
  fi
  ok "$label: present"
  for v in PY NODE; do
    $v verify --input "$pres" --issuer-jwk "$W/issuer.pub.jwk" --nonce "$NONCE" --aud "$AUD" \
      --require-kb > "$W/$label.$v.out"
    if expect_claims "$W/$label.$v.out" 2> "$W/err"; then ok "$label: $v verify"
    else bad "$label: $v verify" "$(tail -n 2 "$W/err") $(head -c 300 "$W/$label.$v.out")"; fi
    expect_invalid "$label: $v rejects wrong nonce" $v verify --input "$pres" \
      --issuer-jwk "$W/issuer.pub.jwk" --nonce wrong --aud "$AUD"
    expect_invalid "$label: $v rejects wrong aud" $v verify --input "$pres" \
      --issuer-jwk "$W/issuer.pub.jwk" --nonce "$NONCE" --aud https://evil.example
    expect_invalid "$label: $v rejects wrong issuer key" $v verify --input "$pres" \
      --issuer-jwk "$W/holder.pub.jwk" --nonce "$NONCE" --aud "$AUD"
  done
  tamper "$pres" > "$W/$label.tampered"
  for v in PY NODE; do
    expect_invalid "$label: $v rejects tampered disclosure" $v verify --input "$W/$label.tampered" \
      --issuer-jwk "$W/issuer.pub.jwk" --nonce "$NONCE" --aud "$AUD"
  done
}

flow py-issues-node-presents PY NODE
flow node-issues-py-presents NODE PY

# explicit JSON-Pointer issuance: only the listed claims become disclosable
for pair in "PY NODE" "NODE PY"; do
  set -- $pair
  label="paths-$1-issues-$2-presents"
  if $1 issue --issuer-key "$W/issuer.jwk" --holder-key "$W/holder.pub.jwk" --claims "$W/claims.json" \
       --sd /given_name,/address/locality,/nationalities/0 > "$W/$label.cred" &&
     $2 present --credential "$W/$label.cred" --holder-key "$W/holder.jwk" --disclose /address \
       --nonce "$NONCE" --aud "$AUD" > "$W/$label.pres" &&
     $1 verify --input "$W/$label.pres" --issuer-jwk "$W/issuer.pub.jwk" --nonce "$NONCE" --aud "$AUD" \
       > "$W/$label.out" &&
     "$PYBIN" - "$W/$label.out" <<'EOF'
import json, sys
c = json.loads(open(sys.argv[1]).read())["claims"]
assert "given_name" not in c and c["nationalities"] == [] and c["family_name"] == "Mustermann", c
assert c["address"]["locality"] == "Köln" and c["address"]["country"] == "DE", c
EOF
  then ok "$label"; else bad "$label" "$(head -c 300 "$W/$label.out" 2>/dev/null)"; fi
done

echo "selftest: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
