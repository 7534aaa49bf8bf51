#!/usr/bin/env node
// SD-JWT VC interop peer driving the TypeScript implementation (@sd-jwt/sd-jwt-vc,
// @sd-jwt/core, @sd-jwt/crypto-nodejs; versions pinned in package-lock.json).
//
// Same command-line interface as ../py_peer.py:
//   keygen [--crv P-256]
//   issue   --issuer-key PRIV_JWK --holder-key PUB_JWK --claims CLAIMS_JSON --sd all|PATHS
//           [--typ dc+sd-jwt] [--iat N] [--exp N]
//   present --credential ISSUANCE --holder-key PRIV_JWK --disclose all|PATHS --nonce N --aud A [--iat N]
//   verify  --input PRESENTATION --issuer-jwk PUB_JWK [--nonce N] [--aud A] [--require-kb]
//           [--at UNIX_SECONDS] [--library-only]
// PATHS is a comma-separated list of RFC 6901 JSON Pointers.
import { readFileSync } from 'node:fs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, ES384, ES512, digest, generateSalt } from '@sd-jwt/crypto-nodejs';

const NEVER_SD = new Set(['iss', 'vct', 'cnf', 'iat', 'exp', 'nbf', 'status']);
const ALGS = { 'P-256': ES256, 'P-384': ES384, 'P-521': ES512 };

class PeerError extends Error {}

// ---------------------------------------------------------------------------- helpers

function parseArgs(argv, spec) {
  // spec: { name: 'value' | 'flag' | 'int' }, required: [...]
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new PeerError(`unexpected argument ${a}`);
    const name = a.slice(2);
    const kind = spec.opts[name];
    if (!kind) throw new PeerError(`unknown option --${name}`);
    if (kind === 'flag') { out[name] = true; continue; }
    if (i + 1 >= argv.length) throw new PeerError(`--${name} needs a value`);
    let v = argv[++i];
    if (kind === 'int') {
      if (!/^-?\d+$/.test(v)) throw new PeerError(`--${name} must be an integer`);
      v = Number.parseInt(v, 10);
    }
    out[name] = v;
  }
  for (const r of spec.required ?? []) {
    if (out[r] === undefined) throw new PeerError(`missing --${r}`);
  }
  return out;
}

const readText = (p) => readFileSync(p, 'utf8');
function readJson(p) {
  try { return JSON.parse(readText(p)); } catch (e) {
    if (e instanceof SyntaxError) throw new PeerError(`${p}: invalid JSON: ${e.message}`);
    throw e;
  }
}

function loadJwk(path, isPrivate) {
  const j = readJson(path);
  if (!j || typeof j !== 'object' || j.kty !== 'EC') throw new PeerError(`${path}: expected an EC JWK`);
  const names = ['kty', 'crv', 'x', 'y', ...(isPrivate ? ['d'] : [])];
  const out = {};
  for (const n of names) {
    if (typeof j[n] !== 'string') throw new PeerError(`${path}: JWK lacks member ${n}`);
    out[n] = j[n];
  }
  if (!ALGS[out.crv]) throw new PeerError(`unsupported curve ${out.crv}`);
  return out;
}
const algFor = (jwk) => ALGS[jwk.crv];

function parsePointers(spec) {
  if (spec === 'all') return null;
  return spec.split(',').map((s) => s.trim()).filter(Boolean).map((p) => {
    if (!p.startsWith('/')) throw new PeerError(`not a JSON Pointer: ${p}`);
    return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  });
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIndex = (tok, arr) => /^(0|[1-9]\d*)$/.test(tok) && Number(tok) < arr.length;
const b64urlJson = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

function makeInstance(extra = {}) {
  return new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    // never go to the network for status lists / type metadata
    statusListFetcher: async () => { throw new PeerError('status list fetching is disabled in the interop peer'); },
    loadTypeMetadataFormat: false,
    ...extra,
  });
}

// ---------------------------------------------------------------------------- keygen

async function cmdKeygen(o) {
  const alg = ALGS[o.crv ?? 'P-256'];
  if (!alg) throw new PeerError('unsupported curve');
  const { privateKey } = await alg.generateKeyPair();
  const { kty, crv, x, y, d } = privateKey;
  console.log(JSON.stringify({ kty, crv, x, y, d }));
}

// ---------------------------------------------------------------------------- issue

// Disclosure frame making everything below `value` selectively disclosable.
function frameAll(value) {
  if (Array.isArray(value)) {
    const f = { _sd: value.map((_, i) => i) };
    value.forEach((e, i) => { if (typeof e === 'object' && e !== null) f[i] = frameAll(e); });
    return f;
  }
  if (isObj(value)) {
    const f = { _sd: Object.keys(value) };
    for (const [k, v] of Object.entries(value)) if (typeof v === 'object' && v !== null) f[k] = frameAll(v);
    return f;
  }
  return undefined;
}

function frameForPointers(claims, ptrs) {
  const root = {};
  for (const ptr of ptrs) {
    let node = claims;
    let frame = root;
    ptr.forEach((tok, idx) => {
      const last = idx === ptr.length - 1;
      let key;
      if (Array.isArray(node) && isIndex(tok, node)) key = Number(tok);
      else if (isObj(node) && Object.hasOwn(node, tok)) key = tok;
      else throw new PeerError(`no such claim: /${ptr.join('/')}`);
      if (last) {
        frame._sd = frame._sd ?? [];
        if (!frame._sd.includes(key)) frame._sd.push(key);
      } else {
        frame[key] = frame[key] ?? {};
        frame = frame[key];
        node = node[key];
      }
    });
  }
  return root;
}

async function cmdIssue(o) {
  const issuerJwk = loadJwk(o['issuer-key'], true);
  const holderJwk = loadJwk(o['holder-key'], false);
  const claims = readJson(o.claims);
  if (!isObj(claims)) throw new PeerError('claims file must contain a JSON object');
  if (o.iat !== undefined) claims.iat = o.iat;
  if (o.exp !== undefined) claims.exp = o.exp;
  claims.cnf = { jwk: holderJwk };

  const ptrs = parsePointers(o.sd);
  let frame;
  if (ptrs === null) {
    frame = { _sd: [] };
    for (const [k, v] of Object.entries(claims)) {
      if (NEVER_SD.has(k)) continue;
      frame._sd.push(k);
      if (typeof v === 'object' && v !== null) frame[k] = frameAll(v);
    }
  } else {
    frame = frameForPointers(claims, ptrs);
  }
  const alg = algFor(issuerJwk);
  const sdjwt = makeInstance({ signer: await alg.getSigner(issuerJwk), signAlg: alg.alg });
  const out = await sdjwt.issue(claims, frame, { header: { typ: o.typ ?? 'dc+sd-jwt' } });
  process.stdout.write(out + '\n');
}

// ---------------------------------------------------------------------------- present

// Presentation frame selecting `value` and everything below it.
function selectAll(value) {
  if (Array.isArray(value)) {
    const f = {};
    value.forEach((e, i) => { f[i] = selectAll(e); });
    return Object.keys(f).length ? f : true;
  }
  if (isObj(value)) {
    const f = {};
    for (const [k, v] of Object.entries(value)) f[k] = selectAll(v);
    return Object.keys(f).length ? f : true;
  }
  return true;
}

function presentationFrame(claims, ptrs) {
  const add = (sel, node, toks) => {
    if (toks.length === 0) return selectAll(node);
    const [tok, ...rest] = toks;
    let key;
    if (Array.isArray(node) && isIndex(tok, node)) key = Number(tok);
    else if (isObj(node) && Object.hasOwn(node, tok)) key = tok;
    else return sel; // unknown path: ignored
    const s = isObj(sel) ? sel : {};
    s[key] = add(s[key], node[key], rest);
    return s;
  };
  let sel = {};
  for (const p of ptrs) sel = add(sel, claims, p);
  return sel;
}

async function cmdPresent(o) {
  const holderJwk = loadJwk(o['holder-key'], true);
  const credential = readText(o.credential).trim();
  const alg = algFor(holderJwk);
  const sdjwt = makeInstance({ kbSigner: await alg.getSigner(holderJwk), kbSignAlg: alg.alg });
  const ptrs = parsePointers(o.disclose);
  let frame; // undefined => library presents every disclosure
  if (ptrs !== null) {
    const claims = await sdjwt.getClaims(credential); // unverified unpack
    frame = presentationFrame(claims, ptrs);
  }
  const iat = o.iat ?? Math.floor(Date.now() / 1000);
  const out = await sdjwt.present(credential, frame, {
    kb: { payload: { iat, aud: o.aud, nonce: o.nonce } },
  });
  process.stdout.write(out + '\n');
}

// ---------------------------------------------------------------------------- verify

async function cmdVerify(o) {
  const issuerJwk = loadJwk(o['issuer-jwk'], false);
  const presentation = readText(o.input).trim();
  const parts = presentation.split('~');
  if (parts.length < 2) throw new PeerError("not an SD-JWT (no '~' separator)");
  const kbJwt = parts[parts.length - 1];

  const wantKb = Boolean(o['require-kb'] || o.nonce !== undefined || o.aud !== undefined);
  let nonce = o.nonce;
  if (wantKb) {
    if (!kbJwt) throw new PeerError('Key Binding JWT required but missing');
    // The library verifies the KB-JWT only when a nonce is expected; without
    // --nonce the KB-JWT's own nonce is used (i.e. not checked).
    if (nonce === undefined) {
      try { nonce = b64urlJson(kbJwt.split('.')[1]).nonce; } catch { throw new PeerError('cannot decode KB-JWT'); }
    }
    if (!nonce) throw new PeerError('KB-JWT lacks nonce');
  }

  const alg = algFor(issuerJwk);
  const kbVerifier = async (data, sig, payload) => {
    const jwk = payload?.cnf?.jwk;
    if (!jwk) throw new PeerError('no cnf.jwk in SD-JWT payload');
    const kalg = ALGS[jwk.crv];
    if (!kalg) throw new PeerError(`unsupported holder key curve ${jwk.crv}`);
    return (await kalg.getVerifier(jwk))(data, sig);
  };
  const sdjwt = makeInstance({ verifier: await alg.getVerifier(issuerJwk), kbVerifier });
  const options = {};
  if (o.at !== undefined) options.currentDate = o.at;
  if (wantKb) options.keyBindingNonce = nonce;
  const res = await sdjwt.verify(presentation, options);

  if (!o['library-only'] && o.aud !== undefined) {
    // @sd-jwt/core 0.19.0 checks the KB-JWT nonce but never its aud.
    const aud = res.kb?.payload?.aud;
    const ok = Array.isArray(aud) ? aud.includes(o.aud) : aud === o.aud;
    if (!ok) throw new PeerError('Invalid audience in KB-JWT');
  }
  emit({ valid: true, claims: res.payload });
}

// ---------------------------------------------------------------------------- main

const COMMANDS = {
  keygen: { fn: cmdKeygen, opts: { crv: 'value' } },
  issue: {
    fn: cmdIssue,
    opts: { 'issuer-key': 'value', 'holder-key': 'value', claims: 'value', sd: 'value', typ: 'value', iat: 'int', exp: 'int' },
    required: ['issuer-key', 'holder-key', 'claims', 'sd'],
  },
  present: {
    fn: cmdPresent,
    opts: { credential: 'value', 'holder-key': 'value', disclose: 'value', nonce: 'value', aud: 'value', iat: 'int' },
    required: ['credential', 'holder-key', 'disclose', 'nonce', 'aud'],
  },
  verify: {
    fn: cmdVerify,
    opts: { input: 'value', 'issuer-jwk': 'value', nonce: 'value', aud: 'value', 'require-kb': 'flag', at: 'int', 'library-only': 'flag' },
    required: ['input', 'issuer-jwk'],
  },
};

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const spec = COMMANDS[cmd];
  if (!spec) {
    process.stderr.write(`usage: peer.mjs {${Object.keys(COMMANDS).join('|')}} [options]\n`);
    return 2;
  }
  try {
    const o = parseArgs(rest, spec);
    await spec.fn(o);
    return 0;
  } catch (e) {
    const msg = String(e?.message ?? e).split(/\s+/).join(' ').slice(0, 500);
    if (cmd === 'verify') { emit({ valid: false, error: msg }); return 1; }
    process.stderr.write(`error: ${msg}\n`);
    return 2;
  }
}

process.exitCode = await main();
