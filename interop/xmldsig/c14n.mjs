// Exclusive XML canonicalization (without comments) by an independent
// implementation, xml-crypto 6.3.2 over @xmldom/xmldom 0.8.15.
//
//   node c14n.mjs FILE [ID]
//
// Prints the exclusive C14N of the document element (or of the element whose
// Id attribute is ID), with every ds:Signature child of the document element
// removed first (the enveloped-signature transform). Exit 2 on a usage error.
import { readFileSync } from "node:fs";
import { DOMParser } from "@xmldom/xmldom";
import { ExclusiveCanonicalization } from "xml-crypto";

const [file, id] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node c14n.mjs FILE [ID]\n");
  process.exit(2);
}
const doc = new DOMParser().parseFromString(readFileSync(file, "utf8"), "application/xml");
let elem = doc.documentElement;
if (id) {
  const all = doc.getElementsByTagName("*");
  elem = null;
  for (let i = 0; i < all.length; i++) {
    if (all[i].getAttribute("Id") === id) elem = all[i];
  }
  if (!elem) {
    process.stderr.write(`no element with Id ${id}\n`);
    process.exit(1);
  }
} else {
  const DS = "http://www.w3.org/2000/09/xmldsig#";
  for (const child of Array.from(elem.childNodes)) {
    if (child.nodeType === 1 && child.namespaceURI === DS && child.localName === "Signature") {
      elem.removeChild(child);
    }
  }
}
process.stdout.write(new ExclusiveCanonicalization().process(elem, {}).toString());
