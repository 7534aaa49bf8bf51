#!/usr/bin/env node
// Interop peer for ISO/IEC 18013-5 mdoc, backed by @auth0/mdl 3.0.1.
//
//   issue   --ds-key DS.jwk --ds-cert DS.pem --device-key DEVICE_PUB.jwk --doctype DT
//           --claims CLAIMS.json [--signed T --valid-from T --valid-until T]
//           -> base64url(CBOR IssuerSigned {"nameSpaces", "issuerAuth"})
//   present --issuer-signed FILE --doctype DT --device-key DEVICE.jwk --transcript FILE
//           --disclose ns/el[,ns/el...]
//           -> base64url(CBOR DeviceResponse) with a detached COSE_Sign1 DeviceSignature
//   verify  --response FILE --anchor IACA.pem --transcript FILE [--now T]
//           -> {"valid": true, "claims": {docType: {ns: {el: value}}}}
//
// Exit codes: 0 success; 1 failure (one-line JSON {"error": "..."} on stdout); 2 usage.
// See NOTES.md for what @auth0/mdl checks and how it encodes things.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mdl = require('@auth0/mdl');
// Not re-exported from the package index; same module instances (cbor-x extensions).
const { cborEncode, cborDecode, DateOnly, DataItem } = require('@auth0/mdl/lib/cbor');

// @auth0/mdl logs with console.log in places (e.g. "No matching field found");
// keep stdout for our one-line result only.
const realLog = console.log.bind(console);
console.log = (...a) => console.error(...a);

class UsageError extends Error {}

function out(obj) { realLog(typeof obj === 'string' ? obj : JSON.stringify(obj)); }
function fail(msg) { out({ error: String(msg).replace(/\s+/g, ' ').trim() }); process.exit(1); }

function parseArgs(argv, spec) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument: ${a}`);
    const name = a.slice(2);
    if (!spec.required.includes(name) && !spec.optional.includes(name)) {
      throw new UsageError(`unknown option: ${a}`);
    }
    if (i + 1 >= argv.length) throw new UsageError(`missing value for ${a}`);
    opts[name] = argv[++i];
  }
  for (const r of spec.required) {
    if (!(r in opts)) throw new UsageError(`missing --${r}`);
  }
  return opts;
}

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');

// A file that holds either base64url (or base64) text, or raw CBOR bytes.
function readCborOrB64(path) {
  const raw = readFileSync(path);
  const text = raw.toString('latin1').trim();
  if (text.length > 0 && /^[A-Za-z0-9_\-+/=\s]+$/.test(text)) {
    return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64url'));
  }
  return new Uint8Array(raw);
}

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

function parseTime(s, what) {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new UsageError(`bad RFC 3339 time for ${what}: ${s}`);
  return d;
}

// CLAIMS.json conventions -> values @auth0/mdl's cbor-x encoder understands.
function claimValue(v) {
  if (Array.isArray(v)) return v.map(claimValue);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$full-date') return new DateOnly(v['$full-date']); // tag 1004
    if (keys.length === 1 && keys[0] === '$tdate') return new Date(v['$tdate']); // tag 0
    if (keys.length === 1 && keys[0] === '$bytes') return new Uint8Array(Buffer.from(v['$bytes'], 'base64url'));
    return Object.fromEntries(keys.map((k) => [k, claimValue(v[k])]));
  }
  return v;
}

// Decoded CBOR -> JSON for the verify output.
function toJson(v) {
  if (v instanceof DateOnly) return v.toISOString(); // "YYYY-MM-DD"
  if (v instanceof Date) return `${v.toISOString().split('.')[0]}Z`;
  if (v instanceof DataItem) return toJson(v.data);
  if (v instanceof Uint8Array) return b64u(v);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJson(x)]));
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    if (typeof v.tag === 'number' && 'value' in v) return { $tag: v.tag, value: toJson(v.value) };
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  }
  if (typeof v === 'bigint') return v.toString();
  return v === undefined ? null : v;
}

// The unprotected header {4 (kid): undefined} that @auth0/mdl / cose-kit put there when
// the JWK has no "kid" would be encoded as CBOR `undefined`; drop it (unprotected
// headers are not covered by the signature).
function dropUndefinedKid(sign1) {
  const h = sign1 && sign1.unprotectedHeaders;
  if (h instanceof Map && h.has(4) && h.get(4) === undefined) h.delete(4);
}

async function cmdIssue(argv) {
  const o = parseArgs(argv, {
    required: ['ds-key', 'ds-cert', 'device-key', 'doctype', 'claims'],
    optional: ['signed', 'valid-from', 'valid-until'],
  });
  const dsKey = readJson(o['ds-key']);
  const dsCert = readFileSync(o['ds-cert'], 'utf8');
  const deviceKey = readJson(o['device-key']);
  delete deviceKey.d; // never put a private part into the MSO
  const claims = readJson(o.claims);

  const validity = {};
  if (o.signed) validity.signed = parseTime(o.signed, '--signed');
  if (o['valid-from']) validity.validFrom = parseTime(o['valid-from'], '--valid-from');
  if (o['valid-until']) validity.validUntil = parseTime(o['valid-until'], '--valid-until');

  const doc = new mdl.Document(o.doctype);
  for (const [ns, elements] of Object.entries(claims)) {
    doc.addIssuerNameSpace(ns, Object.fromEntries(
      Object.entries(elements).map(([k, v]) => [k, claimValue(v)]),
    ));
  }
  doc.useDigestAlgorithm('SHA-256');
  doc.addValidityInfo(validity);
  doc.addDeviceKeyInfo({ deviceKey });
  const signed = await doc.sign({ issuerPrivateKey: dsKey, issuerCertificate: dsCert, alg: 'ES256' });
  dropUndefinedKid(signed.issuerSigned.issuerAuth);
  // IssuerSignedDocument.prepare() -> Map{docType, issuerSigned: {nameSpaces, issuerAuth}}
  const issuerSigned = signed.prepare().get('issuerSigned');
  out(b64u(cborEncode(issuerSigned)));
}

// Wrap an IssuerSigned into a one-document DeviceResponse so @auth0/mdl's parser
// (the only public way in) can read it.
function issuerSignedToMDoc(issuerSignedBytes, docType) {
  const issuerSigned = cborDecode(issuerSignedBytes);
  if (!(issuerSigned instanceof Map) || !issuerSigned.has('issuerAuth') || !issuerSigned.has('nameSpaces')) {
    throw new Error('not an IssuerSigned structure (need nameSpaces and issuerAuth)');
  }
  const wrapper = new Map([
    ['version', '1.0'],
    ['documents', [new Map([['docType', docType], ['issuerSigned', issuerSigned]])]],
    ['status', 0],
  ]);
  return mdl.parse(cborEncode(wrapper));
}

// Raw SessionTranscript bytes (the CBOR array) -> the #6.24-wrapped form that
// @auth0/mdl's usingSessionTranscriptBytes / encodedSessionTranscript expect.
function wrapTranscript(path) {
  const raw = new Uint8Array(readFileSync(path));
  const decoded = cborDecode(raw);
  if (!Array.isArray(decoded)) throw new Error('the transcript file must hold a CBOR array');
  return Buffer.from(cborEncode(new DataItem({ buffer: raw })));
}

async function cmdPresent(argv) {
  const o = parseArgs(argv, {
    required: ['issuer-signed', 'doctype', 'device-key', 'transcript', 'disclose'],
    optional: [],
  });
  const wanted = o.disclose.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.lastIndexOf('/');
    if (i <= 0 || i === s.length - 1) throw new UsageError(`bad --disclose entry (want ns/element): ${s}`);
    return [s.slice(0, i), s.slice(i + 1)];
  });
  if (!wanted.length) throw new UsageError('--disclose is empty');
  const deviceJwk = readJson(o['device-key']);
  const transcript = wrapTranscript(o.transcript);
  let mdoc;
  try {
    mdoc = issuerSignedToMDoc(readCborOrB64(o['issuer-signed']), o.doctype);
  } catch (e) {
    fail(`cannot parse issuer-signed: ${e.message}`);
  }
  const nameSpaces = mdoc.documents[0].issuerSigned.nameSpaces;
  for (const [ns, el] of wanted) {
    if (!(nameSpaces[ns] || []).some((it) => it.elementIdentifier === el)) {
      fail(`element not in credential: ${ns}/${el}`);
    }
  }
  // Presentation Exchange 2.0 definition: the only selection API @auth0/mdl has.
  const pd = {
    id: 'interop',
    input_descriptors: [{
      id: o.doctype,
      format: { mso_mdoc: { alg: ['ES256'] } },
      constraints: {
        limit_disclosure: 'required',
        fields: wanted.map(([ns, el]) => ({ path: [`$['${ns}']['${el}']`], intent_to_retain: false })),
      },
    }],
  };
  const response = await mdl.DeviceResponse.from(mdoc)
    .usingPresentationDefinition(pd)
    .usingSessionTranscriptBytes(transcript)
    .authenticateWithSignature(deviceJwk, 'ES256')
    .sign();
  for (const d of response.documents) dropUndefinedKid(d.deviceSigned?.deviceAuth?.deviceSignature);
  out(b64u(response.encode()));
}

async function cmdVerify(argv) {
  const o = parseArgs(argv, { required: ['response', 'anchor', 'transcript'], optional: ['now'] });
  const anchor = readFileSync(o.anchor, 'utf8');
  const transcript = wrapTranscript(o.transcript);
  const now = o.now ? parseTime(o.now, '--now') : null;
  const encoded = readCborOrB64(o.response);
  const ids = mdl.VerificationAssessmentId;

  // @auth0/mdl always uses `new Date()` for (a) the MSO validityInfo check and (b) the
  // X.509 chain validation (pkijs without checkDate).  With --now, we re-evaluate those
  // two checks at the given time through the library's onCheck hook.
  let chainAtNow = null;
  let msoAtNow = null;
  if (now) {
    let pre;
    try { pre = mdl.parse(encoded); } catch (e) { fail(e.message); }
    chainAtNow = [];
    msoAtNow = [];
    const pkijs = require('pkijs');
    const fromPem = (pem) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    for (const d of pre.documents) {
      const ia = d.issuerSigned.issuerAuth;
      const vi = ia.decodedPayload.validityInfo;
      msoAtNow.push(!(vi && (now < vi.validFrom || now > vi.validUntil)));
      try {
        const engine = new pkijs.CertificateChainValidationEngine({
          certs: (ia.x5chain || []).map((c) => pkijs.Certificate.fromBER(c)),
          trustedCerts: [pkijs.Certificate.fromBER(fromPem(anchor))],
          checkDate: now,
        });
        const r = await engine.verify();
        chainAtNow.push(r.result ? null : (r.resultMessage || 'invalid chain'));
      } catch (e) {
        chainAtNow.push(e.message);
      }
    }
  }
  let docIndex = -1;
  const onCheck = (check, defaultCb) => {
    if (check.id === ids.ISSUER_AUTH.IssuerCertificateValidity) docIndex += 1; // first issuer check per doc
    if (now && check.id === ids.ISSUER_AUTH.IssuerCertificateValidity) {
      const err = chainAtNow[docIndex];
      return defaultCb({ ...check, status: err ? 'FAILED' : 'PASSED', reason: err || undefined });
    }
    if (now && check.id === ids.ISSUER_AUTH.MsoValidityAtVerificationTime) {
      const ok = msoAtNow[docIndex];
      return defaultCb({
        ...check,
        status: ok ? 'PASSED' : 'FAILED',
        reason: `The MSO must be valid at the time of verification (${now.toUTCString()})`,
      });
    }
    return defaultCb(check);
  };

  let dr;
  try {
    dr = await new mdl.Verifier([anchor]).verify(encoded, {
      encodedSessionTranscript: transcript,
      onCheck,
    });
  } catch (e) {
    fail(e.message || String(e));
  }
  const claims = {};
  for (const d of dr.documents) {
    const nss = {};
    for (const [ns, items] of Object.entries(d.issuerSigned.nameSpaces || {})) {
      nss[ns] = Object.fromEntries(items.map((it) => [it.elementIdentifier, toJson(it.elementValue)]));
    }
    claims[d.docType] = nss;
  }
  out({ valid: true, claims });
}

const USAGE = 'usage: peer.mjs issue|present|verify --option value ... (see header of peer.mjs)';

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const cmds = { issue: cmdIssue, present: cmdPresent, verify: cmdVerify };
  if (!cmds[cmd]) {
    console.error(USAGE);
    process.exit(2);
  }
  try {
    await cmds[cmd](rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${USAGE}`);
      process.exit(2);
    }
    fail(e && e.message ? e.message : String(e));
  }
}

main();
