#!/usr/bin/env python3
"""Generates COSE_Sign1 vectors with an implementation independent of passerelle:
cbor2 (CBOR) and pyca/cryptography (ECDSA, EdDSA). See PROVENANCE.md.

Run from this folder:  .venv/bin/python gen_vectors.py
Writes <name>.hex (the COSE_Sign1), <name>.jwk (the public key) and manifest.json.
Keys are fresh on every run; the committed files are the record.
"""
import base64
import json

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def new_key(alg):
    if alg == -7:
        return ec.generate_private_key(ec.SECP256R1())
    if alg == -35:
        return ec.generate_private_key(ec.SECP384R1())
    return ed25519.Ed25519PrivateKey.generate()


def jwk(key) -> dict:
    pub = key.public_key()
    if isinstance(pub, ed25519.Ed25519PublicKey):
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return {"kty": "OKP", "crv": "Ed25519", "x": b64u(pub.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    n = pub.curve.key_size // 8
    nums = pub.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256" if n == 32 else "P-384",
        "x": b64u(nums.x.to_bytes(n, "big")),
        "y": b64u(nums.y.to_bytes(n, "big")),
    }


def sign(key, alg, msg: bytes) -> bytes:
    if alg == -8:
        return key.sign(msg)
    h = hashes.SHA256() if alg == -7 else hashes.SHA384()
    n = 32 if alg == -7 else 48
    r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(h)))
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")


def sign1(key, alg, protected_bytes, unprotected, payload, aad, detached, tag):
    tbs = cbor2.dumps(["Signature1", protected_bytes, aad, payload])
    sig = sign(key, alg, tbs)
    msg = [protected_bytes, unprotected, None if detached else payload, sig]
    if tag:
        msg = cbor2.CBORTag(18, msg)
    return cbor2.dumps(msg)


CASES = [
    # name, alg, protected map (insertion order kept by cbor2), tagged, detached, aad
    ("es256_attached", -7, {1: -7}, False, False, b""),
    ("es256_detached_aad", -7, {1: -7}, True, True, b"external"),
    ("es256_unsorted_protected", -7, {4: b"kid-1", 1: -7}, False, False, b""),
    ("es384_attached_tagged", -35, {1: -35}, True, False, b""),
    ("es384_detached", -35, {1: -35}, False, True, b""),
    ("eddsa_attached", -8, {1: -8}, False, False, b"aad"),
    ("eddsa_detached_tagged", -8, {1: -8}, True, True, b""),
]


def main():
    manifest = []
    keys = {}
    for name, alg, prot, tagged, detached, aad in CASES:
        key = keys.setdefault(alg, new_key(alg))
        payload = cbor2.dumps({"vector": name, "n": 1})
        protected_bytes = cbor2.dumps(prot)
        unprotected = {4: b"kid-1"} if 4 not in prot else {}
        data = sign1(key, alg, protected_bytes, unprotected, payload, aad, detached, tagged)
        with open(f"{name}.hex", "w") as f:
            f.write(data.hex() + "\n")
        key_file = {-7: "es256", -35: "es384", -8: "eddsa"}[alg] + ".jwk"
        with open(key_file, "w") as f:
            json.dump(jwk(key), f)
            f.write("\n")
        manifest.append(
            {
                "file": f"{name}.hex",
                "key": key_file,
                "external_aad_hex": aad.hex(),
                "detached_payload_hex": payload.hex() if detached else None,
                "expect": "valid",
            }
        )
    # A wrong external_aad must fail (same message as es256_detached_aad).
    manifest.append(
        {
            "file": "es256_detached_aad.hex",
            "key": "es256.jwk",
            "external_aad_hex": b"other".hex(),
            "detached_payload_hex": cbor2.dumps({"vector": "es256_detached_aad", "n": 1}).hex(),
            "expect": "signature",
        }
    )
    with open("manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
