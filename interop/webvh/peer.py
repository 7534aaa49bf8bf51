#!/usr/bin/env python3
"""did:webvh interop peer for passerelle, on PyPI did-webvh==1.0.1.

  peer.py create [--out DIR] [--domain D] [--prerotation] [--deactivate] [--time T]
      Makes a DID log with the package: a genesis entry and one update that
      rotates the update key (with --prerotation, the genesis commits to the
      next key in nextKeyHashes and the update reveals it; with --deactivate, a
      third entry deactivates the DID). Writes DIR/did.jsonl (and DIR/keys.json
      with the public multikeys) and prints JSON info on stdout.

  peer.py verify FILE [--version-time T]
      Resolves and verifies the log with the package (all Data Integrity
      proofs checked) and prints {"valid": ..., "document": ..., "version_id": ...}.
      Exit 0 when valid, 1 when not.

Only stdout carries JSON; diagnostics go to stderr.
"""

import argparse
import asyncio
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from did_webvh.askar import AskarSigningKey
from did_webvh.core.hash_utils import DEFAULT_HASH, HashInfo
from did_webvh.core.state import DocumentState
from did_webvh.history import load_local_history
from did_webvh.provision import provision_did

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def _genesis(domain: str, assertion_key: AskarSigningKey) -> dict:
    did = f"did:webvh:{{SCID}}:{domain}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": assertion_key.multikey,
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
        "authentication": [f"{did}#key-1"],
    }


def create(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = (
        datetime.fromisoformat(args.time.replace("Z", "+00:00"))
        if args.time
        else datetime(2025, 1, 1, tzinfo=timezone.utc)
    )
    hash_info = HashInfo.from_name(DEFAULT_HASH)
    key1 = AskarSigningKey.generate("ed25519")
    key2 = AskarSigningKey.generate("ed25519")
    assertion = AskarSigningKey.generate("ed25519")
    params = {"updateKeys": [key1.multikey]}
    if args.prerotation:
        params["nextKeyHashes"] = [hash_info.formatted_hash(key2.multikey.encode())]
    state = provision_did(_genesis(args.domain, assertion), params=params, timestamp=t0)
    state.sign(key1, timestamp=t0)
    lines = [state.history_json()]

    # update: rotate the update key (key1 -> key2)
    t1 = t0 + timedelta(days=30)
    update = {"updateKeys": [key2.multikey]}
    if args.prerotation:
        key3 = AskarSigningKey.generate("ed25519")
        update["nextKeyHashes"] = [hash_info.formatted_hash(key3.multikey.encode())]
        signer = key2  # pre-rotation: the entry is signed by its own, revealed key
    else:
        signer = key1  # otherwise by the previous entry's update key
    state = state.create_next(params_update=update, timestamp=t1)
    state.sign(signer, timestamp=t1)
    lines.append(state.history_json())
    final_signer = key3 if args.prerotation else key2

    if args.deactivate:
        t2 = t1 + timedelta(days=30)
        deact = {"deactivated": True, "updateKeys": []}
        if args.prerotation:
            # reveal key3 as the last update key, then end pre-rotation
            deact = {"deactivated": True, "updateKeys": [key3.multikey], "nextKeyHashes": []}
        state = state.create_next(params_update=deact, timestamp=t2)
        state.sign(final_signer, timestamp=t2)
        lines.append(state.history_json())

    (out / "did.jsonl").write_text("".join(line + "\n" for line in lines))
    info = {
        "did": state.document_id,
        "scid": state.scid,
        "version_id": state.version_id,
        "version_time": state.timestamp_raw,
        "update_keys": {
            "genesis": key1.multikey,
            "rotated": key2.multikey,
        },
        "assertion_key": assertion.multikey,
        "prerotation": bool(args.prerotation),
        "deactivated": state.deactivated,
        "log": str(out / "did.jsonl"),
    }
    (out / "keys.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info))
    return 0


def verify(args) -> int:
    async def run():
        return await load_local_history(Path(args.file), verify_proofs=True)

    try:
        state, meta = asyncio.run(run())
    except Exception as err:  # the package raises several types; all mean "not valid"
        detail = getattr(err, "problem_details", None) or getattr(err, "error", None)
        print(
            json.dumps(
                {
                    "valid": False,
                    "error": {"type": type(err).__name__, "message": str(err) or str(detail)},
                }
            )
        )
        return 1
    print(
        json.dumps(
            {
                "valid": True,
                "document": state.document,
                "version_id": meta.version_id,
                "version_time": state.timestamp_raw,
                "deactivated": meta.deactivated,
            }
        )
    )
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create")
    c.add_argument("--out", default=".")
    c.add_argument("--domain", default="example.com")
    c.add_argument("--prerotation", action="store_true")
    c.add_argument("--deactivate", action="store_true")
    c.add_argument("--time", help="genesis versionTime, RFC 3339 (default 2025-01-01T00:00:00Z)")
    v = sub.add_parser("verify")
    v.add_argument("file")
    args = p.parse_args()
    return create(args) if args.cmd == "create" else verify(args)


if __name__ == "__main__":
    sys.exit(main())
