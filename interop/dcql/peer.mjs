// DCQL peer: npm `dcql` 3.0.0 (the engine Credo uses), pinned in package-lock.json.
//
//   node interop/dcql/peer.mjs INPUT.json     (or the JSON on stdin when INPUT is "-")
//
// INPUT: {"query": <DCQL query>, "credentials": [<credential in that library's
// input shape>, ...]}, where a credential is
//   {"credential_format": "dc+sd-jwt", "vct": ..., "claims": {...}, "cryptographic_holder_binding": bool}
//   {"credential_format": "mso_mdoc", "doctype": ..., "namespaces": {ns: {el: v}}, "cryptographic_holder_binding": bool}
//   {"credential_format": "jwt_vc_json" | "ldp_vc", "type": [...], "claims": {...}, "cryptographic_holder_binding": bool}
// (optionally "authority": {"type": ..., "values": [...]}).
//
// Prints one JSON line and exits 0:
//   {"valid": true, "satisfied": bool,
//    "matches": {query_id: [input credential index, ...]},
//    "claim_sets": {query_id: [first valid claim set index or null, ...]}}
// or, when the library refuses the query:
//   {"valid": false, "error": "<library message>"}
import { readFileSync } from "node:fs";
import { DcqlQuery } from "dcql";

const arg = process.argv[2];
if (!arg) {
  process.stderr.write("usage: peer.mjs INPUT.json|-\n");
  process.exit(2);
}
const input = JSON.parse(readFileSync(arg === "-" ? 0 : arg, "utf8"));

let query;
try {
  query = DcqlQuery.parse(input.query);
  DcqlQuery.validate(query);
} catch (e) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(e?.message ?? e) }) + "\n");
  process.exit(0);
}

let result;
try {
  result = DcqlQuery.query(query, input.credentials ?? []);
} catch (e) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(e?.message ?? e) }) + "\n");
  process.exit(0);
}

const matches = {};
const claimSets = {};
for (const [id, r] of Object.entries(result.credential_matches)) {
  const valid = r.success ? r.valid_credentials : [];
  matches[id] = valid.map((c) => c.input_credential_index);
  // the library lists every valid claim set; the first is the one a wallet picks
  claimSets[id] = valid.map((c) => c.claims.valid_claim_sets[0]?.claim_set_index ?? null);
}
process.stdout.write(
  JSON.stringify({ valid: true, satisfied: result.can_be_satisfied, matches, claim_sets: claimSets }) + "\n",
);
