// Signs an XML document with an enveloped XAdES-B-B signature using an
// independent implementation, xadesjs 2.6.8 (xmldsigjs 2.8.8) on Node's WebCrypto.
//
//   node sign.mjs [--exc] XML_FILE PRIVATE_JWK_FILE CERTS_PEM [SIGNING_TIME_RFC3339]
//
// ECDSA P-256 / SHA-256 with the key of PRIVATE_JWK_FILE, or RSASSA-PKCS1-v1_5
// / SHA-256 when that JWK is an RSA key (kty "RSA"); CERTS_PEM holds the
// signer certificate first, then any others for KeyInfo. The list reference
// is URI="" with the enveloped-signature and exclusive C14N transforms;
// SigningCertificateV2 carries the SHA-256 of the signer certificate. Prints
// the signed document. Exit 2 on usage.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import * as xadesjs from "xadesjs";
import { setNodeDependencies } from "xml-core";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import * as xpath from "xpath";

let argv = process.argv.slice(2);
// --exc: canonicalize SignedInfo with exclusive C14N (as EU lists do)
// instead of xadesjs's default, inclusive Canonical XML 1.0.
const exc = argv[0] === "--exc";
if (exc) argv = argv.slice(1);
const [xmlFile, keyFile, certFile, when] = argv;
if (!certFile) {
  process.stderr.write("usage: node sign.mjs XML_FILE PRIVATE_JWK_FILE CERTS_PEM [TIME]\n");
  process.exit(2);
}
// xml-core is pinned at the top level so xadesjs and xmldsigjs share it.
setNodeDependencies({ DOMParser, XMLSerializer, xpath });
xadesjs.Application.setEngine("NodeJS", webcrypto);
const jwk = JSON.parse(readFileSync(keyFile, "utf8"));
const rsa = jwk.kty === "RSA";
const importAlg = rsa
  ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
  : { name: "ECDSA", namedCurve: "P-256" };
const key = await webcrypto.subtle.importKey("jwk", jwk, importAlg, false, ["sign"]);
const certs = readFileSync(certFile, "utf8")
  .split("-----END CERTIFICATE-----")
  .map((b) => b.replace(/-----BEGIN CERTIFICATE-----/, "").replace(/\s+/g, ""))
  .filter((b) => b.length > 0);
const cert = certs[0];
const doc = xadesjs.Parse(readFileSync(xmlFile, "utf8"));
const signed = new xadesjs.SignedXml();
if (exc) {
  signed.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = "http://www.w3.org/2001/10/xml-exc-c14n#";
}
const signAlg = rsa ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
await signed.Sign(signAlg, key, doc, {
  references: [{ uri: "", hash: "SHA-256", transforms: ["enveloped", "exc-c14n"] }],
  x509: certs,
  signingCertificateV2: { certificate: cert, digestAlgorithm: "SHA-256" },
  signingTime: { value: when ? new Date(when) : new Date() },
});
doc.documentElement.appendChild(signed.GetXml());
process.stdout.write(new XMLSerializer().serializeToString(doc));
