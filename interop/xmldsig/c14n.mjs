// Exclusive XML canonicalization (without comments) by an independent
// implementation, xml-crypto 6.3.2 over @xmldom/xmldom 0.8.15.
//
//   node c14n.mjs [--inclusive] FILE [ID]
//
// Prints the exclusive C14N of the document element (or of the element whose
// Id attribute is ID), with every ds:Signature child of the document element
// removed first (the enveloped-signature transform). Exit 2 on a usage error.
import { readFileSync } from "node:fs";
import { DOMParser } from "@xmldom/xmldom";
import { C14nCanonicalization, ExclusiveCanonicalization } from "xml-crypto";

let args = process.argv.slice(2);
const inclusive = args[0] === "--inclusive";
if (inclusive) args = args.slice(1);
const [file, id] = args;
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
const c14n = inclusive ? new C14nCanonicalization() : new ExclusiveCanonicalization();
// Inclusive C14N of a subtree renders the namespaces in scope from ancestors.
const ancestorNamespaces = [];
if (inclusive) {
  for (let a = elem.parentNode; a && a.nodeType === 1; a = a.parentNode) {
    for (const at of Array.from(a.attributes)) {
      if (at.name === "xmlns" || at.name.startsWith("xmlns:")) {
        const prefix = at.name === "xmlns" ? "" : at.name.slice(6);
        if (!ancestorNamespaces.some((n) => n.prefix === prefix)) {
          ancestorNamespaces.push({ prefix, namespaceURI: at.value });
        }
      }
    }
  }
}
process.stdout.write(c14n.process(elem, { ancestorNamespaces }).toString());
