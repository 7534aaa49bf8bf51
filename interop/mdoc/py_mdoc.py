#!/usr/bin/env python3
"""Python mdoc interop peer (pymdoccbor 1.4.0, cbor2, cryptography).

  make-pki      --out DIR
      writes iaca.pem iaca_key.pem ds.pem ds.jwk device.jwk device_pub.jwk
  issue         --ds-key DS.jwk --ds-cert DS.pem --device-key DEVICE_PUB.jwk
                --doctype DT --claims CLAIMS.json
                [--signed T --valid-from T --valid-until T]
      prints base64url(CBOR IssuerSigned), made with pymdoccbor's MdocCborIssuer
      (see NOTES.md for the validity times it cannot honour)
  verify-issuer --response FILE [--anchor IACA.pem]
      FILE holds a DeviceResponse or an IssuerSigned (base64url text or raw CBOR);
      checks it with pymdoccbor's MdocCbor.verify (issuerAuth signature with the
      x5chain certificate, SHA-256 value digests, and with --anchor the DS
      certificate's signature by the IACA and its validity period).
  decode        --response FILE
      prints a JSON dump of a DeviceResponse / IssuerSigned (for debugging and
      for the self test's tamper step)

Exit codes: 0 success; 1 failure (one-line JSON {"error": ...} on stdout,
or for verify-issuer {"valid": false, ...}); 2 usage.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import logging
import os
import re
import sys

import cbor2


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_dec(s: str) -> bytes:
    s = re.sub(r"\s+", "", s)
    s = s.replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def read_cbor_or_b64(path: str) -> bytes:
    raw = open(path, "rb").read()
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        return raw
    if text and re.fullmatch(r"[A-Za-z0-9_\-+/=\s]+", text):
        return b64u_dec(text)
    return raw


def out(obj) -> None:
    print(obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"), sort_keys=False))


def fail(msg: str, code: int = 1):
    out({"error": " ".join(str(msg).split())})
    sys.exit(code)


def parse_time(s: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc)


# --------------------------------------------------------------------------- make-pki
def int_b64u(n: int, length: int = 32) -> str:
    return b64u(n.to_bytes(length, "big"))


def ec_jwk(key, private: bool) -> dict:
    pub = key.public_key().public_numbers() if private else key.public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": int_b64u(pub.x), "y": int_b64u(pub.y)}
    if private:
        jwk["d"] = int_b64u(key.private_numbers().private_value)
    return jwk


def cmd_make_pki(a) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ObjectIdentifier

    os.makedirs(a.out, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    nb, na = now - dt.timedelta(days=1), now + dt.timedelta(days=365)

    iaca_key = ec.generate_private_key(ec.SECP256R1())
    ds_key = ec.generate_private_key(ec.SECP256R1())
    dev_key = ec.generate_private_key(ec.SECP256R1())

    iaca_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "UT"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "passerelle interop"),
        x509.NameAttribute(NameOID.COMMON_NAME, "passerelle interop IACA"),
    ])
    ds_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "UT"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "passerelle interop"),
        x509.NameAttribute(NameOID.COMMON_NAME, "passerelle interop DS"),
    ])
    ian = x509.IssuerAlternativeName([x509.UniformResourceIdentifier("https://iaca.example.invalid")])
    crldp = x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier("https://iaca.example.invalid/crl")],
        relative_name=None, reasons=None, crl_issuer=None)])
    iaca_ski = x509.SubjectKeyIdentifier.from_public_key(iaca_key.public_key())

    iaca = (
        x509.CertificateBuilder()
        .subject_name(iaca_name).issuer_name(iaca_name)
        .public_key(iaca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(nb).not_valid_after(na)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True,
            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(iaca_ski, critical=False)
        .add_extension(ian, critical=False)
        .add_extension(crldp, critical=False)
        .sign(iaca_key, hashes.SHA256())
    )
    ds = (
        x509.CertificateBuilder()
        .subject_name(ds_name).issuer_name(iaca_name)
        .public_key(ds_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(nb).not_valid_after(na)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ObjectIdentifier("1.0.18013.5.1.2")]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ds_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(iaca_ski), critical=False)
        .add_extension(ian, critical=False)
        .add_extension(crldp, critical=False)
        .sign(iaca_key, hashes.SHA256())
    )

    def write(name: str, data: bytes | str) -> None:
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(a.out, name), mode) as f:
            f.write(data)

    pem = serialization.Encoding.PEM
    write("iaca.pem", iaca.public_bytes(pem))
    write("iaca_key.pem", iaca_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    write("ds.pem", ds.public_bytes(pem))
    write("ds.jwk", json.dumps(ec_jwk(ds_key, True)) + "\n")
    write("device.jwk", json.dumps(ec_jwk(dev_key, True)) + "\n")
    write("device_pub.jwk", json.dumps(ec_jwk(dev_key.public_key(), False)) + "\n")
    out({"out": a.out, "files": ["iaca.pem", "iaca_key.pem", "ds.pem", "ds.jwk",
                                 "device.jwk", "device_pub.jwk"]})


# --------------------------------------------------------------------------- issue
# pymdoccbor (settings.CBORTAGS_ATTR_MAP) wraps the values of these element names
# in tag 1004 itself, in any namespace; give it the bare string for them.
PYMDOC_AUTO_1004 = {"birth_date", "expiry_date", "issue_date", "issuance_date"}


def claim_value(v, key: str | None = None):
    if isinstance(v, dict):
        if set(v) == {"$full-date"}:
            return v["$full-date"] if key in PYMDOC_AUTO_1004 else cbor2.CBORTag(1004, v["$full-date"])
        if set(v) == {"$tdate"}:
            if key in PYMDOC_AUTO_1004:
                raise ValueError(f"pymdoccbor forces tag 1004 on '{key}'; a tdate cannot be issued there")
            return cbor2.CBORTag(0, v["$tdate"])
        if set(v) == {"$bytes"}:
            return b64u_dec(v["$bytes"])
        return {k: claim_value(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [claim_value(x) for x in v]
    return v


def cmd_issue(a) -> None:
    from pymdoccbor.mdoc.issuer import MdocCborIssuer

    ds = json.load(open(a.ds_key))
    dev = json.load(open(a.device_key))
    claims = json.load(open(a.claims))
    data = {ns: {k: claim_value(v, k) for k, v in els.items()} for ns, els in claims.items()}

    # pymdoccbor's validity input is {"issuance_date": "YYYY-MM-DD", "expiry_date": "YYYY-MM-DD"}:
    # signed = utcnow (fixed), validFrom = max(issuance_date 00:00:00, utcnow),
    # validUntil = expiry_date 23:59:59.  Map our RFC 3339 options onto that.
    today = dt.datetime.now(dt.timezone.utc)
    vf = parse_time(a.valid_from) if a.valid_from else today
    vu = parse_time(a.valid_until) if a.valid_until else today + dt.timedelta(days=365)
    validity = {"issuance_date": vf.strftime("%Y-%m-%d"), "expiry_date": vu.strftime("%Y-%m-%d")}
    if a.signed or a.valid_from or a.valid_until:
        print("py_mdoc issue: pymdoccbor cannot set exact validity times: signed=now, "
              "validFrom=max(day of --valid-from, now), validUntil=day of --valid-until 23:59:59Z",
              file=sys.stderr)

    private_key = {
        "KTY": "EC2", "CURVE": "P_256", "ALG": "ES256",
        "D": b64u_dec(ds["d"]), "X": b64u_dec(ds["x"]), "Y": b64u_dec(ds["y"]),
    }
    if ds.get("kid"):
        private_key["KID"] = ds["kid"].encode()
    device_key = {"KTY": "EC2", "CURVE": "P_256", "X": b64u_dec(dev["x"]), "Y": b64u_dec(dev["y"])}

    issuer = MdocCborIssuer(private_key=private_key, alg="ES256")
    signed = issuer.new(
        data=data,
        doctype=a.doctype,
        validity=validity,
        devicekeyinfo=device_key,
        cert_path=a.ds_cert,
    )
    issuer_signed = signed["documents"][0]["issuerSigned"]
    out(b64u(cbor2.dumps(issuer_signed)))


# --------------------------------------------------------------------------- verify-issuer
def as_device_response(raw: bytes) -> tuple[bytes, str]:
    """Return (DeviceResponse bytes, kind) for DeviceResponse or IssuerSigned input."""
    top = cbor2.loads(raw)
    if not hasattr(top, "get"):
        raise ValueError("top-level CBOR item is not a map")
    if "documents" in top:
        return raw, "DeviceResponse"
    if "issuerAuth" in top and "nameSpaces" in top:
        ia = top["issuerAuth"]
        if isinstance(ia, cbor2.CBORTag):
            ia = ia.value
        mso = cbor2.loads(cbor2.loads(ia[2]).value)
        doc = {"docType": mso["docType"], "issuerSigned": top}
        return cbor2.dumps({"version": "1.0", "documents": [doc], "status": 0}), "IssuerSigned"
    raise ValueError("neither a DeviceResponse nor an IssuerSigned")


def jsonable(v, tags: bool = False):
    """CBOR -> JSON. bytes -> base64url; tags 0/1004 -> their string unless `tags`."""
    if isinstance(v, cbor2.CBORTag):
        if v.tag in (0, 1004) and not tags:
            return v.value
        if v.tag == 24:
            inner = jsonable(cbor2.loads(v.value), tags)
            return {"$tag": 24, "value": inner} if tags else inner
        return {"$tag": v.tag, "value": jsonable(v.value, tags)}
    if isinstance(v, (bytes, bytearray)):
        return b64u(bytes(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if hasattr(v, "items"):
        return {str(k): jsonable(x, tags) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x, tags) for x in v]
    return v


def cmd_verify_issuer(a) -> None:
    from cryptography import x509
    from pymdoccbor.mdoc.verifier import MdocCbor

    logging.getLogger("pymdoccbor").setLevel(logging.CRITICAL)
    try:
        dr, kind = as_device_response(read_cbor_or_b64(a.response))
    except Exception as e:  # noqa: BLE001
        fail(f"cannot parse: {e}")
    roots = None
    if a.anchor:
        roots = x509.load_pem_x509_certificates(open(a.anchor, "rb").read())
    m = MdocCbor()
    m.loads(dr)
    try:
        ok = m.verify(trusted_root_certs=roots, verify_hashes=True)
    except Exception as e:  # noqa: BLE001
        fail(f"pymdoccbor: {e}")
    docs = []
    for d in m.documents:
        docs.append({"docType": d.doctype, "valid": True, "hashes": jsonable(d.hash_verification)})
    for d in m.documents_invalid:
        if hasattr(d, "doctype"):
            docs.append({"docType": d.doctype, "valid": False, "hashes": jsonable(d.hash_verification)})
        else:
            docs.append({"docType": jsonable(d.get("docType")), "valid": False,
                         "hashes": None, "note": "exception during verification"})
    result = {
        "valid": bool(ok) and bool(m.documents),
        "input": kind,
        "chain_checked": roots is not None,
        "documents": docs,
        "claims": jsonable(m.disclosure_map),
    }
    out(result)
    sys.exit(0 if result["valid"] else 1)


def cmd_decode(a) -> None:
    raw = read_cbor_or_b64(a.response)
    out(json.dumps(jsonable(cbor2.loads(raw), tags=True), indent=1))


def main() -> None:
    p = argparse.ArgumentParser(prog="py_mdoc.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("make-pki")
    s.add_argument("--out", required=True)
    s = sub.add_parser("issue")
    for o in ("--ds-key", "--ds-cert", "--device-key", "--doctype", "--claims"):
        s.add_argument(o, required=True)
    for o in ("--signed", "--valid-from", "--valid-until"):
        s.add_argument(o)
    s = sub.add_parser("verify-issuer")
    s.add_argument("--response", required=True)
    s.add_argument("--anchor")
    s = sub.add_parser("decode")
    s.add_argument("--response", required=True)
    a = p.parse_args()  # exits 2 on usage errors
    try:
        {"make-pki": cmd_make_pki, "issue": cmd_issue, "verify-issuer": cmd_verify_issuer,
         "decode": cmd_decode}[a.cmd](a)
    except SystemExit:
        raise
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
