#!/usr/bin/env python3
"""Status list CWT peer (draft-ietf-oauth-status-list, CWT form), written against
PyPI cbor2 and cryptography only (pinned in requirements.txt), independently of
passerelle's CBOR and COSE code. Usage: see interop/README.md.

  cwt_peer.py verify --cwt FILE --jwk PUBLIC_JWK_FILE [--indices all|i,j,...]
  cwt_peer.py build  --values FILE --bits N --sub URI --iat N [--exp N] [--ttl N]
                     [--iss S] [--level 0-9] --key PRIVATE_JWK_FILE --out FILE

verify checks: CBOR tag 18 (COSE_Sign1) around a 4-array; protected header a bstr
holding a map with alg (1) = -7 (ES256) and typ (16) = "application/statuslist+cwt";
the ES256 signature over Sig_structure ["Signature1", protected, h'', payload] with
the given P-256 key; claims sub (2) a text, iat (6) an int, status_list (65533) a
map {bits: 1|2|4|8, lst: bstr}; lst inflated with zlib.decompress (CPython's zlib,
default wbits: a zlib wrapper). Values are read LSB-first: entry i sits in byte
i*bits // 8 at bit offset (i*bits) % 8.

Output: one JSON line. Exit 0 {"valid": true, ...}; exit 1 {"valid": false,
"error": ...} when the token is refused; exit 2 on a usage error.
"""

import argparse
import base64
import json
import sys
import zlib
from collections.abc import Mapping

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

TYP = "application/statuslist+cwt"
ALG_ES256 = -7
CLAIMS = {1: "iss", 2: "sub", 4: "exp", 6: "iat", 65534: "ttl"}


class Refused(Exception):
    pass


def b64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def public_key(jwk):
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise SystemExit("error: the JWK must be an EC P-256 key")
    x = int.from_bytes(b64u(jwk["x"]), "big")
    y = int.from_bytes(b64u(jwk["y"]), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def private_key(jwk):
    d = int.from_bytes(b64u(jwk["d"]), "big")
    return ec.derive_private_key(d, ec.SECP256R1())


def sig_structure(protected, payload):
    return cbor2.dumps(["Signature1", protected, b"", payload])


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def value_at(lst, bits, i):
    per = 8 // bits
    return (lst[i // per] >> ((i % per) * bits)) & ((1 << bits) - 1)


def verify(args):
    with open(args.cwt, "rb") as f:
        data = f.read()
    try:
        msg = cbor2.loads(data)
    except Exception as e:  # cbor2 raises several types
        raise Refused(f"not CBOR: {e}")
    if not isinstance(msg, cbor2.CBORTag) or msg.tag != 18:
        raise Refused("not a tagged COSE_Sign1 (tag 18)")
    body = msg.value
    if not isinstance(body, (list, tuple)) or len(body) != 4:
        raise Refused("COSE_Sign1 is not a 4-element array")
    protected, unprotected, payload, signature = body
    if not isinstance(protected, bytes) or not isinstance(unprotected, Mapping):
        raise Refused("bad COSE_Sign1 headers")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise Refused("detached or non-bstr payload / signature")
    hdr = cbor2.loads(protected) if protected else {}
    if not isinstance(hdr, Mapping):
        raise Refused("protected header is not a map")
    if hdr.get(1) != ALG_ES256:
        raise Refused(f"alg {hdr.get(1)!r} is not ES256 (-7)")
    if hdr.get(16) != TYP:
        raise Refused(f"protected typ (16) is {hdr.get(16)!r}, not {TYP}")
    if len(signature) != 64:
        raise Refused("an ES256 signature is 64 bytes")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key(read_json(args.jwk)).verify(
            der, sig_structure(protected, payload), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise Refused("the COSE_Sign1 signature does not verify")
    claims = cbor2.loads(payload)
    if not isinstance(claims, Mapping):
        raise Refused("the payload is not a CBOR map")
    if not isinstance(claims.get(2), str):
        raise Refused("sub (2) is missing or not a text string")
    if not isinstance(claims.get(6), int):
        raise Refused("iat (6) is missing or not an integer")
    sl = claims.get(65533)
    if not isinstance(sl, Mapping):
        raise Refused("status_list (65533) is missing or not a map")
    bits, lst = sl.get("bits"), sl.get("lst")
    if bits not in (1, 2, 4, 8) or isinstance(bits, bool):
        raise Refused(f"bits {bits!r} is not 1, 2, 4 or 8")
    if not isinstance(lst, bytes):
        raise Refused("lst is not a byte string")
    try:
        packed = zlib.decompress(lst)
    except zlib.error as e:
        raise Refused(f"lst: {e}")
    entries = len(packed) * 8 // bits
    if args.indices == "all":
        which = range(entries)
    else:
        which = [int(i) for i in args.indices.split(",")]
    values = []
    for i in which:
        if i >= entries:
            raise Refused(f"index {i} is out of range ({entries} entries)")
        values.append(value_at(packed, bits, i))
    out = {
        "tag": msg.tag,
        "alg": hdr.get(1),
        "typ": hdr.get(16),
        "claims": {name: claims[k] for k, name in CLAIMS.items() if k in claims},
        "bits": bits,
        "entries": entries,
        "values": values,
    }
    if "aggregation_uri" in sl:
        out["claims"]["aggregation_uri"] = sl["aggregation_uri"]
    return out


def build(args):
    bits = args.bits
    if bits not in (1, 2, 4, 8):
        raise SystemExit("error: --bits must be 1, 2, 4 or 8")
    values = read_json(args.values)
    per = 8 // bits
    packed = bytearray((len(values) + per - 1) // per)
    for i, v in enumerate(values):
        if not 0 <= v < (1 << bits):
            raise SystemExit(f"error: value {v} at {i} does not fit in {bits} bits")
        packed[i // per] |= v << ((i % per) * bits)
    claims = {2: args.sub, 6: args.iat, 65533: {"bits": bits, "lst": zlib.compress(bytes(packed), args.level)}}
    if args.iss is not None:
        claims[1] = args.iss
    if args.exp is not None:
        claims[4] = args.exp
    if args.ttl is not None:
        claims[65534] = args.ttl
    protected = cbor2.dumps({1: ALG_ES256, 16: TYP})
    payload = cbor2.dumps(claims)
    der = private_key(read_json(args.key)).sign(
        sig_structure(protected, payload), ec.ECDSA(hashes.SHA256())
    )
    r, s = decode_dss_signature(der)
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    msg = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, sig]))
    with open(args.out, "wb") as f:
        f.write(msg)
    return {"bytes": len(msg), "entries": len(packed) * per}


def main():
    p = argparse.ArgumentParser(prog="cwt_peer.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--cwt", required=True)
    v.add_argument("--jwk", required=True)
    v.add_argument("--indices", default="all")
    b = sub.add_parser("build")
    b.add_argument("--values", required=True)
    b.add_argument("--bits", type=int, required=True)
    b.add_argument("--sub", required=True)
    b.add_argument("--iat", type=int, required=True)
    b.add_argument("--exp", type=int)
    b.add_argument("--ttl", type=int)
    b.add_argument("--iss")
    b.add_argument("--level", type=int, default=9, choices=range(10))
    b.add_argument("--key", required=True)
    b.add_argument("--out", required=True)
    args = p.parse_args()
    try:
        out = verify(args) if args.cmd == "verify" else build(args)
    except Exception as e:  # Refused, or a decoding error of cbor2 / zlib
        print(json.dumps({"valid": False, "error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
    print(json.dumps({"valid": True, **out}))


if __name__ == "__main__":
    main()
