#!/usr/bin/env python3
"""SD-JWT interop peer driving the Python reference implementation (PyPI `sd-jwt`,
openwallet-foundation-labs/sd-jwt-python, pinned in requirements.txt).

Run with interop/.venv/bin/python.  Subcommands (same interface as node/peer.mjs):

  keygen [--crv P-256]
  issue   --issuer-key PRIV_JWK --holder-key PUB_JWK --claims CLAIMS_JSON --sd all|PATHS
          [--typ dc+sd-jwt] [--iat N] [--exp N]
  present --credential ISSUANCE --holder-key PRIV_JWK --disclose all|PATHS --nonce N --aud A [--iat N]
  verify  --input PRESENTATION --issuer-jwk PUB_JWK [--nonce N] [--aud A] [--require-kb]
          [--at UNIX_SECONDS] [--library-only]

PATHS is a comma-separated list of RFC 6901 JSON Pointers ("/address/locality,/nationalities/0").
See README.md / NOTES.md for details and for what the wrapper adds on top of the library.
"""
import argparse
import base64
import json
import sys
import time

# Keys that are never made selectively disclosable by `--sd all`.
NEVER_SD = {"iss", "vct", "cnf", "iat", "exp", "nbf", "status"}
JWK_PUBLIC_MEMBERS = {
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
    "RSA": ("kty", "n", "e"),
}
JWK_PRIVATE_MEMBERS = {"EC": ("d",), "OKP": ("d",), "RSA": ("d", "p", "q", "dp", "dq", "qi")}
CRV_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "Ed25519": "EdDSA"}


class PeerError(Exception):
    pass


# ----------------------------------------------------------------------------- helpers

def read_text(path):
    with open(path, "r", encoding="utf-8") as f:
        return f.read()


def read_json(path):
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise PeerError(f"{path}: invalid JSON: {e}") from None


def clean_jwk(jwk, private):
    """Keep only the key material members (drop kid, iss, alg, use, ...)."""
    if not isinstance(jwk, dict) or "kty" not in jwk:
        raise PeerError("JWK file does not contain a JWK object")
    kty = jwk["kty"]
    names = list(JWK_PUBLIC_MEMBERS.get(kty, ()))
    if not names:
        raise PeerError(f"unsupported kty {kty!r}")
    if private:
        names += JWK_PRIVATE_MEMBERS[kty]
    out = {k: jwk[k] for k in names if k in jwk}
    missing = [k for k in names if k not in out]
    if missing:
        raise PeerError(f"JWK lacks member(s) {missing}")
    return out


def load_jwk(path, private):
    from jwcrypto.jwk import JWK

    d = clean_jwk(read_json(path), private)
    return d, JWK(**d)


def alg_for(jwk_dict):
    if jwk_dict["kty"] == "RSA":
        return "RS256"
    alg = CRV_ALG.get(jwk_dict.get("crv"))
    if not alg:
        raise PeerError(f"unsupported curve {jwk_dict.get('crv')!r}")
    return alg


def parse_pointers(spec):
    """'all' -> None; otherwise list of token tuples from comma-separated JSON Pointers."""
    if spec == "all":
        return None
    out = []
    for p in spec.split(","):
        p = p.strip()
        if not p:
            continue
        if not p.startswith("/"):
            raise PeerError(f"not a JSON Pointer: {p!r}")
        out.append(tuple(t.replace("~1", "/").replace("~0", "~") for t in p[1:].split("/")))
    return out


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def decode_jwt_payload(jwt):
    try:
        return json.loads(b64url_decode(jwt.split(".")[1]))
    except Exception as e:  # noqa: BLE001
        raise PeerError(f"cannot decode JWT payload: {e}") from None


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


# ----------------------------------------------------------------------------- keygen

def cmd_keygen(args):
    from jwcrypto.jwk import JWK

    key = JWK.generate(kty="EC", crv=args.crv)
    print(json.dumps(key.export_private(as_dict=True)))
    return 0


# ----------------------------------------------------------------------------- issue

def mark_sd(value, marks, prefix=()):
    """Return a copy of value with SDObj wrappers at the marked pointer paths."""
    from sd_jwt.common import SDObj

    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            path = prefix + (k,)
            nv = mark_sd(v, marks, path)
            out[SDObj(k) if path in marks else k] = nv
        return out
    if isinstance(value, list):
        out = []
        for i, e in enumerate(value):
            path = prefix + (str(i),)
            ne = mark_sd(e, marks, path)
            out.append(SDObj(ne) if path in marks else ne)
        return out
    return value


def all_paths(value, prefix=()):
    paths = set()
    if isinstance(value, dict):
        for k, v in value.items():
            paths.add(prefix + (k,))
            paths |= all_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, e in enumerate(value):
            paths.add(prefix + (str(i),))
            paths |= all_paths(e, prefix + (str(i),))
    return paths


def check_pointer_exists(claims, ptr):
    node = claims
    for tok in ptr:
        if isinstance(node, dict) and tok in node:
            node = node[tok]
        elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
            node = node[int(tok)]
        else:
            raise PeerError("no such claim: /" + "/".join(ptr))


def cmd_issue(args):
    from sd_jwt.issuer import SDJWTIssuer

    issuer_dict, issuer_key = load_jwk(args.issuer_key, private=True)
    _, holder_key = load_jwk(args.holder_key, private=False)
    claims = read_json(args.claims)
    if not isinstance(claims, dict):
        raise PeerError("claims file must contain a JSON object")
    if args.iat is not None:
        claims["iat"] = args.iat
    if args.exp is not None:
        claims["exp"] = args.exp

    ptrs = parse_pointers(args.sd)
    if ptrs is None:
        marks = set()
        for k, v in claims.items():
            if k in NEVER_SD:
                continue
            marks.add((k,))
            marks |= all_paths(v, (k,))
    else:
        for p in ptrs:
            check_pointer_exists(claims, p)
        marks = set(ptrs)

    issuer = SDJWTIssuer(
        mark_sd(claims, marks),
        issuer_key,
        holder_key=holder_key,  # library adds cnf: {jwk: <public members>}
        sign_alg=alg_for(issuer_dict),
        serialization_format="compact",
        extra_header_parameters={"typ": args.typ},
    )
    sys.stdout.write(issuer.sd_jwt_issuance + "\n")
    return 0


# ----------------------------------------------------------------------------- present

def unpack_unverified(node, decoded):
    """Resolve all disclosures (no signature check) -> plain claims, for building selections."""
    if isinstance(node, list):
        out = []
        for e in node:
            if isinstance(e, dict) and len(e) == 1 and isinstance(e.get("..."), str):
                if e["..."] in decoded:
                    out.append(unpack_unverified(decoded[e["..."]][-1], decoded))
            else:
                out.append(unpack_unverified(e, decoded))
        return out
    if isinstance(node, dict):
        out = {k: unpack_unverified(v, decoded) for k, v in node.items() if k not in ("_sd", "_sd_alg")}
        for dg in node.get("_sd", []):
            if dg in decoded and len(decoded[dg]) == 3:
                out[decoded[dg][1]] = unpack_unverified(decoded[dg][2], decoded)
        return out
    return node


def select_all(value):
    """claims_to_disclose structure selecting everything (leaves -> True)."""
    if isinstance(value, dict):
        return {k: select_all(v) for k, v in value.items()} or True
    if isinstance(value, list):
        return [select_all(e) for e in value] or True
    return True


def select_paths(claims, ptrs):
    """claims_to_disclose structure for a list of pointers.  A pointer selects that claim,
    its parents (as needed) and everything beneath it.  Unknown paths are ignored."""

    def add(sel, node, toks):
        if not toks:
            return select_all(node)
        tok, rest = toks[0], toks[1:]
        if isinstance(node, dict) and tok in node:
            sel = sel if isinstance(sel, dict) else {}
            sel[tok] = add(sel.get(tok), node[tok], rest)
        elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
            i = int(tok)
            sel = sel if isinstance(sel, list) else []
            sel.extend([None] * (i + 1 - len(sel)))
            sel[i] = add(sel[i], node[i], rest)
        return sel

    sel = {}
    for ptr in ptrs:
        sel = add(sel, claims, ptr)
    return sel


def cmd_present(args):
    import sd_jwt.holder as holder_mod
    from sd_jwt.holder import SDJWTHolder

    holder_dict, holder_key = load_jwk(args.holder_key, private=True)
    issuance = read_text(args.credential).strip()
    holder = SDJWTHolder(issuance, serialization_format="compact")
    decoded = holder._hash_to_decoded_disclosure  # digest -> [salt, (key,) value]
    claims = unpack_unverified(holder.sd_jwt_payload, decoded)
    ptrs = parse_pointers(args.disclose)
    selection = select_all(claims) if ptrs is None else select_paths(claims, ptrs)
    if selection is True:
        selection = {}

    if args.iat is not None:
        # the library hard-codes iat=int(time()) in the KB-JWT
        holder_mod.time = lambda: args.iat
    holder.create_presentation(
        selection,
        nonce=args.nonce,
        aud=args.aud,
        holder_key=holder_key,
        sign_alg=alg_for(holder_dict),
    )
    sys.stdout.write(holder.sd_jwt_presentation + "\n")
    return 0


# ----------------------------------------------------------------------------- verify

def cmd_verify(args):
    from sd_jwt.verifier import SDJWTVerifier

    _, issuer_key = load_jwk(args.issuer_jwk, private=False)
    presentation = read_text(args.input).strip()
    parts = presentation.split("~")
    if len(parts) < 2:
        raise PeerError("not an SD-JWT (no '~' separator)")
    kb_jwt = parts[-1]

    nonce, aud = args.nonce, args.aud
    want_kb = args.require_kb or nonce is not None or aud is not None
    if want_kb:
        if not kb_jwt:
            raise PeerError("Key Binding JWT required but missing")
        # The library verifies the KB-JWT only when BOTH aud and nonce are
        # expected; a value the caller did not give is taken from the KB-JWT
        # itself (i.e. not checked).
        kb_payload = decode_jwt_payload(kb_jwt)
        if nonce is None:
            nonce = kb_payload.get("nonce")
        if aud is None:
            aud = kb_payload.get("aud")
        if not nonce or not aud:
            raise PeerError("KB-JWT lacks nonce or aud")

    def cb_get_issuer_key(_iss, _header):
        return issuer_key

    verifier = SDJWTVerifier(
        presentation,
        cb_get_issuer_key,
        expected_aud=aud if want_kb else None,
        expected_nonce=nonce if want_kb else None,
        serialization_format="compact",
    )
    claims = verifier.get_verified_payload()

    if not args.library_only:
        # sd-jwt 0.10.4 has "TODO: Check exp/nbf/iat"; mirror @sd-jwt/core's rules
        # (no skew; iat/nbf in the future -> invalid, exp in the past -> invalid).
        now = args.at if args.at is not None else int(time.time())
        payload = verifier._sd_jwt_payload
        for name in ("iat", "nbf"):
            if isinstance(payload.get(name), (int, float)) and payload[name] > now:
                raise PeerError(f"JWT is not yet valid ({name})")
        if isinstance(payload.get("exp"), (int, float)) and payload["exp"] < now:
            raise PeerError("JWT is expired")
    emit({"valid": True, "claims": claims})
    return 0


# ----------------------------------------------------------------------------- main

def build_parser():
    p = argparse.ArgumentParser(prog="py_peer.py", description="SD-JWT interop peer (Python sd-jwt)")
    sub = p.add_subparsers(dest="cmd", required=True)

    k = sub.add_parser("keygen", help="print a fresh private EC JWK")
    k.add_argument("--crv", default="P-256", choices=["P-256", "P-384", "P-521"])

    i = sub.add_parser("issue")
    i.add_argument("--issuer-key", required=True)
    i.add_argument("--holder-key", required=True)
    i.add_argument("--claims", required=True)
    i.add_argument("--sd", required=True)
    i.add_argument("--typ", default="dc+sd-jwt")
    i.add_argument("--iat", type=int)
    i.add_argument("--exp", type=int)

    pr = sub.add_parser("present")
    pr.add_argument("--credential", required=True)
    pr.add_argument("--holder-key", required=True)
    pr.add_argument("--disclose", required=True)
    pr.add_argument("--nonce", required=True)
    pr.add_argument("--aud", required=True)
    pr.add_argument("--iat", type=int)

    v = sub.add_parser("verify")
    v.add_argument("--input", required=True)
    v.add_argument("--issuer-jwk", required=True)
    v.add_argument("--nonce")
    v.add_argument("--aud")
    v.add_argument("--require-kb", action="store_true")
    v.add_argument("--at", type=int)
    v.add_argument("--library-only", action="store_true",
                   help="skip the checks this wrapper adds on top of the library (exp/nbf/iat)")
    return p


def main(argv=None):
    try:
        sys.stdout.reconfigure(encoding="utf-8")
    except AttributeError:
        pass
    args = build_parser().parse_args(argv)
    handler = {"keygen": cmd_keygen, "issue": cmd_issue, "present": cmd_present, "verify": cmd_verify}[args.cmd]
    try:
        return handler(args)
    except Exception as e:  # noqa: BLE001 - report, never dump a traceback
        msg = f"{type(e).__name__}: {e}" if not isinstance(e, PeerError) else str(e)
        msg = " ".join(msg.split())[:500]
        if args.cmd == "verify":
            emit({"valid": False, "error": msg})
            return 1
        sys.stderr.write(f"error: {msg}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
