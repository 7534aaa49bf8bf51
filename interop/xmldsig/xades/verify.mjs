// Verifies an enveloped XML-DSig / XAdES signature with xadesjs 2.6.8, using
// the first KeyInfo certificate's key (no trust decision: a cross-check of
// canonicalization, digests and the signature value only).
//
//   node verify.mjs FILE      -> prints "valid" or "invalid"; exit 0 / 1
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import * as xadesjs from "xadesjs";
import { setNodeDependencies } from "xml-core";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import * as xpath from "xpath";

setNodeDependencies({ DOMParser, XMLSerializer, xpath });
xadesjs.Application.setEngine("NodeJS", webcrypto);
const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node verify.mjs FILE\n");
  process.exit(2);
}
const doc = xadesjs.Parse(readFileSync(file, "utf8"));
const sigs = doc.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature");
const signed = new xadesjs.SignedXml(doc);
signed.LoadXml(sigs[0]);
let ok = false;
try {
  ok = await signed.Verify();
} catch (e) {
  ok = false;
}
process.stdout.write(ok ? "valid\n" : "invalid\n");
process.exit(ok ? 0 : 1);
