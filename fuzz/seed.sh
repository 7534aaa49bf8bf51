#!/usr/bin/env bash
# Seeds each target's corpus from test-vectors/ (the corpora themselves are not committed).
set -euo pipefail
cd "$(dirname "$0")"
V=../test-vectors
mkdir -p corpus/jws corpus/sd_jwt_presentation corpus/vcdm corpus/trust_config corpus/jcs corpus/data_integrity corpus/did_document corpus/did_log corpus/cbor corpus/cose corpus/mdoc corpus/status_list corpus/certificate corpus/vical corpus/lote corpus/trusted_list_xml
i=0
for f in $(find "$V" -name '*.txt' -o -name '*.json' -o -name '*.jwt' -o -name '*.jsonl' -o -name '*.hex' | sort); do
  i=$((i + 1))
  cp "$f" "corpus/sd_jwt_presentation/seed-$i"
  # the issuer-signed JWT (everything before the first ~), and the whole file, for the JWS target
  head -c 65536 "$f" | cut -d'~' -f1 > "corpus/jws/seed-$i-jwt"
  cp "$f" "corpus/jws/seed-$i"
  case "$f" in
    *.json) for t in jcs vcdm trust_config data_integrity did_document status_list lote; do cp "$f" "corpus/$t/seed-$i"; done ;;
    *.jsonl) cp "$f" "corpus/did_log/seed-$i" ;;
    *.hex) python3 -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read().strip()))' "$f" "corpus/cbor/seed-$i" 2>/dev/null && cp "corpus/cbor/seed-$i" "corpus/cose/seed-$i" && cp "corpus/cbor/seed-$i" "corpus/mdoc/seed-$i" && cp "corpus/cbor/seed-$i" "corpus/status_list/seed-$i" ;;
    *.jwt) cp "$f" "corpus/vcdm/seed-$i" && cp "$f" "corpus/status_list/seed-$i" ;;
  esac
done

# trust lists: the AAMVA VICAL, and any XML in the vectors
for f in $(find "$V" -name '*.cbor' -o -name '*.xml' | sort); do
  i=$((i + 1))
  case "$f" in
    *.cbor) cp "$f" "corpus/vical/seed-$i" ;;
    *.xml) cp "$f" "corpus/trusted_list_xml/seed-$i" ;;
  esac
done
printf '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"/>' > corpus/trusted_list_xml/seed-min

# certificates: every PEM block in the vectors and the sources' fixtures, as DER
python3 - "$V" ../src <<'PY'
import base64, os, re, sys
n = 0
for root in sys.argv[1:]:
    for d, _, files in os.walk(root):
        for f in sorted(files):
            try:
                text = open(os.path.join(d, f), encoding="utf-8", errors="ignore").read()
            except OSError:
                continue
            for m in re.finditer(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
                body = re.sub(r"\\n|[^A-Za-z0-9+/=]", "", m.group(1))
                try:
                    der = base64.b64decode(body)
                except Exception:
                    continue
                n += 1
                open(f"corpus/certificate/seed-{n}", "wb").write(der)
print(f"certificate seeds: {n}")
PY
