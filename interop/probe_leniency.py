#!/usr/bin/env python3
"""Probe how lenient each peer verifier is (results are recorded in NOTES.md).

Run with interop/.venv/bin/python after setup.sh.  Crafts (mostly invalid) SD-JWT
presentations with throw-away keys -- re-signing the issuer JWT / KB-JWT where needed so
that only the property under test is wrong -- and prints one line per probe with each
peer's verdict:  ACCEPT = {"valid": true}, reject = {"valid": false}.  "py-lib" is
py_peer.py with --library-only (without the exp/nbf/iat check the wrapper adds); the
node peer's --library-only only drops the wrapper's KB aud check.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

HERE = os.path.dirname(os.path.abspath(__file__))
PY = [sys.executable, os.path.join(HERE, "py_peer.py")]
NODE = ["node", os.path.join(HERE, "node", "peer.mjs")]
NOW = int(time.time())
NONCE, AUD = "nonce-123", "https://verifier.example"

b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
digest = lambda s: b64(hashlib.sha256(s.encode()).digest())


def disclosure(*arr):
    return b64(json.dumps(list(arr)).encode())


def sign(key, header, payload):
    j = JWS(json.dumps(payload).encode())
    j.add_signature(key, alg=header["alg"], protected=json.dumps(header))
    return j.serialize(compact=True)


issuer = JWK.generate(kty="EC", crv="P-256")
holder = JWK.generate(kty="EC", crv="P-256")
tmp = tempfile.mkdtemp()
issuer_pub = os.path.join(tmp, "issuer.pub.jwk")
with open(issuer_pub, "w") as f:
    f.write(issuer.export_public())


def issuer_jwt(claims, header=None, cnf=True):
    p = {"iss": "https://pid-provider.example", "vct": "urn:eudi:pid:1", "_sd_alg": "sha-256"}
    p.update(claims)
    if cnf:
        p["cnf"] = {"jwk": holder.export_public(as_dict=True)}
    return sign(issuer, header or {"alg": "ES256", "typ": "dc+sd-jwt"}, p)


def with_kb(jwt, discs, nonce=NONCE, aud=AUD, iat=None, typ="kb+jwt", key=None, sd_hash=None):
    base = "~".join([jwt, *discs, ""])
    payload = {"iat": NOW if iat is None else iat, "aud": aud, "nonce": nonce,
               "sd_hash": sd_hash or digest(base)}
    return base + sign(key or holder, {"alg": "ES256", "typ": typ}, payload)


def verdict(cmd, text, extra):
    path = os.path.join(tmp, "in.txt")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run(cmd + ["verify", "--input", path, "--issuer-jwk", issuer_pub, *extra],
                       capture_output=True, text=True)
    try:
        out = json.loads(r.stdout)
    except ValueError:
        return f"CRASH rc={r.returncode} {r.stderr.strip()[:80]}"
    return "ACCEPT" if out.get("valid") else "reject: " + out.get("error", "")[:60]


given = disclosure("salt-given", "given_name", "Erika")
family = disclosure("salt-family", "family_name", "Mustermann")
elem = disclosure("salt-elem", "DE")
base_claims = {"_sd": sorted([digest(given), digest(family)])}
good = issuer_jwt(base_claims)
kbargs = ["--nonce", NONCE, "--aud", AUD]

probes = []  # (name, presentation, verify-args)
probes.append(("baseline: valid presentation with KB", with_kb(good, [given, family]), kbargs))
probes.append(("baseline: valid SD-JWT without KB, no KB requested", "~".join([good, given, ""]), []))
probes.append(("issuer JWT exp in the past (no --at)",
               with_kb(issuer_jwt({**base_claims, "exp": NOW - 3600}), [given]), kbargs))
probes.append(("--at after exp",
               with_kb(issuer_jwt({**base_claims, "exp": NOW + 3600}), [given]), kbargs + ["--at", str(NOW + 7200)]))
probes.append(("issuer JWT nbf in the future",
               with_kb(issuer_jwt({**base_claims, "nbf": NOW + 3600}), [given]), kbargs))
probes.append(("issuer JWT iat in the future",
               with_kb(issuer_jwt({**base_claims, "iat": NOW + 3600}), [given]), kbargs))
probes.append(("KB-JWT wrong aud", with_kb(good, [given], aud="https://evil.example"), kbargs))
probes.append(("KB-JWT wrong nonce", with_kb(good, [given], nonce="other"), kbargs))
probes.append(("KB-JWT iat one year old", with_kb(good, [given], iat=NOW - 365 * 86400), kbargs))
probes.append(("KB-JWT iat one day in the future", with_kb(good, [given], iat=NOW + 86400), kbargs))
probes.append(("KB-JWT typ 'JWT'", with_kb(good, [given], typ="JWT"), kbargs))
probes.append(("KB-JWT signed by a non-holder key", with_kb(good, [given], key=JWK.generate(kty="EC", crv="P-256")), kbargs))
probes.append(("KB-JWT sd_hash wrong", with_kb(good, [given], sd_hash=digest("x")), kbargs))
probes.append(("KB-JWT missing though --nonce/--aud given", "~".join([good, given, ""]), kbargs))
probes.append(("KB-JWT present but not requested (wrong aud inside)",
               with_kb(good, [given], aud="https://evil.example"), []))
probes.append(("issuer header typ 'JWT'", with_kb(issuer_jwt(base_claims, {"alg": "ES256", "typ": "JWT"}), [given]), kbargs))
probes.append(("issuer header without typ", with_kb(issuer_jwt(base_claims, {"alg": "ES256"}), [given]), kbargs))
probes.append(("duplicated disclosure (KB valid)", with_kb(good, [given, given]), kbargs))
probes.append(("duplicated disclosure, no KB", "~".join([good, given, given, ""]), []))
other = disclosure("salt-other", "other", "x")
probes.append(("unreferenced disclosure (KB valid)", with_kb(good, [given, other]), kbargs))
probes.append(("unreferenced disclosure, no KB", "~".join([good, given, other, ""]), []))
tampered = given[:10] + ("B" if given[10] != "B" else "C") + given[11:]
probes.append(("tampered disclosure, no KB", "~".join([good, tampered, ""]), []))
probes.append(("same digest twice in _sd",
               with_kb(issuer_jwt({"_sd": [digest(given), digest(given)]}), [given]), kbargs))
probes.append(("disclosed name collides with plain claim",
               with_kb(issuer_jwt({"given_name": "Plain", "_sd": [digest(given)]}), [given]), kbargs))
sd_named = disclosure("salt-sd", "_sd", ["x"])
probes.append(("disclosure claim name '_sd'",
               with_kb(issuer_jwt({"_sd": [digest(sd_named)]}), [sd_named]), kbargs))
probes.append(("array-element disclosure referenced from _sd",
               with_kb(issuer_jwt({"_sd": [digest(elem)]}), [elem]), kbargs))
probes.append(("object disclosure referenced from array '...'",
               with_kb(issuer_jwt({"nationalities": [{"...": digest(given)}]}), [given]), kbargs))
probes.append(("_sd_alg sha-512 (digests are sha-256)",
               with_kb(sign(issuer, {"alg": "ES256", "typ": "dc+sd-jwt"},
                            {"iss": "x", "vct": "y", "_sd_alg": "sha-512", **base_claims,
                             "cnf": {"jwk": holder.export_public(as_dict=True)}}), [given]), kbargs))
probes.append(("no cnf, --require-kb", with_kb(issuer_jwt(base_claims, cnf=False), [given]), ["--require-kb"]))
probes.append(("issuer JWT signature from another key",
               with_kb(sign(JWK.generate(kty="EC", crv="P-256"), {"alg": "ES256", "typ": "dc+sd-jwt"},
                            {"iss": "x", "_sd_alg": "sha-256", **base_claims}), [given]), kbargs))
probes.append(("garbage input", "not-an-sd-jwt~", []))

w = max(len(p[0]) for p in probes)
print(f"{'probe':<{w}}  {'py':<22} {'py-lib':<22} {'node':<22} node-lib")
for name, text, extra in probes:
    cols = [verdict(PY, text, extra), verdict(PY, text, extra + ["--library-only"]),
            verdict(NODE, text, extra), verdict(NODE, text, extra + ["--library-only"])]
    print(f"{name:<{w}}  " + " ".join(f"{c[:22]:<22}" for c in cols[:3]) + " " + cols[3][:40])
