#!/usr/bin/env node
// Status list interop peer: drives npm @sd-jwt/jwt-status-list (IETF Token Status
// List, JWT form) and npm @digitalbazaar/vc-bitstring-status-list (W3C Bitstring
// Status List), both pinned in package-lock.json. Usage: see interop/README.md.
//
// Output: one JSON line. Exit 0 with {"valid": true, ...}; exit 1 with
// {"valid": false, "error": "..."} when the library (or the wrapper's signature
// check) refuses the input; exit 2 with "error: ..." on stderr for a usage error.
//
// The libraries decide everything about the list itself. The wrapper adds only:
// - ES256 signing and verification of the JWT (node:crypto; @sd-jwt/jwt-status-list
//   has neither), and reading the JWT header's typ (reported, not checked);
// - statusSize > 1 for Bitstring lists: @digitalbazaar/vc-bitstring-status-list
//   reads and writes single bits only (getStatus / setStatus take booleans), so a
//   `size`-bit entry i is composed from the library's bits i·size … i·size+size−1,
//   the first one most significant (the W3C Recommendation's order).
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import {
  StatusList,
  createHeaderAndPayload,
  getListFromStatusListJWT,
} from '@sd-jwt/jwt-status-list';
import {
  createList,
  decodeList,
} from '@digitalbazaar/vc-bitstring-status-list';

class Usage extends Error {}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Usage(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined) throw new Usage(`${a} needs a value`);
    opts[a.slice(2)] = v;
    i++;
  }
  return opts;
}

function need(opts, name) {
  if (opts[name] === undefined) throw new Usage(`--${name} is required`);
  return opts[name];
}

function int(opts, name, dflt) {
  const v = opts[name];
  if (v === undefined) {
    if (dflt === undefined) throw new Usage(`--${name} is required`);
    return dflt;
  }
  if (!/^\d+$/.test(v)) throw new Usage(`--${name} must be a non-negative integer`);
  return Number(v);
}

const text = (path) => readFileSync(path, 'utf8').trim();
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));
const b64u = (buf) => Buffer.from(buf).toString('base64url');

// "all" (default), or a comma-separated list of indices.
function indices(opts, count) {
  const spec = opts.indices ?? 'all';
  if (spec === 'all') return null;
  return spec.split(',').map((s) => {
    if (!/^\d+$/.test(s)) throw new Usage(`bad index ${s}`);
    return Number(s);
  });
}

function values(list, count, get, opts) {
  const which = indices(opts, count);
  if (which === null) {
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = get(i);
    return out;
  }
  return which.map(get);
}

function jwtParts(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  return parts;
}

function verifyJwt(jwt, jwkPath) {
  const [h, p, s] = jwtParts(jwt);
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') throw new Error(`alg ${header.alg} is not ES256`);
  const key = createPublicKey({ key: json(jwkPath), format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error('the JWT signature does not verify');
}

function signJwt(header, payload, jwkPath) {
  const key = createPrivateKey({ key: json(jwkPath), format: 'jwk' });
  const input = `${b64u(JSON.stringify({ alg: 'ES256', ...header }))}.${b64u(JSON.stringify(payload))}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64u(sig)}`;
}

// --- Token Status List (@sd-jwt/jwt-status-list) ------------------------------

// token-decode --jwt FILE [--jwk PUBLIC_JWK_FILE] [--indices all|i,j,…]
function tokenDecode(opts) {
  const jwt = text(need(opts, 'jwt'));
  if (opts.jwk !== undefined) verifyJwt(jwt, opts.jwk);
  const [h, p] = jwtParts(jwt);
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  const list = getListFromStatusListJWT(jwt);
  const count = list.statusList.length;
  return {
    typ: header.typ ?? null,
    sub: payload.sub ?? null,
    iat: payload.iat ?? null,
    exp: payload.exp ?? null,
    ttl: payload.ttl ?? null,
    bits: list.getBitsPerStatus(),
    entries: count,
    signature_checked: opts.jwk !== undefined,
    values: values(list, count, (i) => list.getStatus(i), opts),
  };
}

// token-decode-lst --bits N --lst LST_FILE [--indices …]: the list alone.
function tokenDecodeLst(opts) {
  const bits = int(opts, 'bits');
  const list = StatusList.decompressStatusList(text(need(opts, 'lst')), bits);
  const count = list.statusList.length;
  return {
    bits: list.getBitsPerStatus(),
    entries: count,
    values: values(list, count, (i) => list.getStatus(i), opts),
  };
}

// token-create --values FILE --bits N --sub URI --iat N [--exp N] [--ttl N] --key PRIVATE_JWK_FILE
function tokenCreate(opts) {
  const bits = int(opts, 'bits');
  const vals = json(need(opts, 'values'));
  const list = new StatusList(vals, bits);
  const payload = { sub: need(opts, 'sub'), iat: int(opts, 'iat') };
  if (opts.exp !== undefined) payload.exp = int(opts, 'exp');
  if (opts.ttl !== undefined) payload.ttl = int(opts, 'ttl');
  const { header, payload: full } = createHeaderAndPayload(list, payload, {});
  return {
    jwt: signJwt(header, full, need(opts, 'key')),
    header: { alg: 'ES256', ...header },
    lst: full.status_list.lst,
  };
}

// --- Bitstring Status List (@digitalbazaar/vc-bitstring-status-list) ----------

// bitstring-decode --encoded FILE [--size N] [--indices …]
async function bitstringDecode(opts) {
  const size = int(opts, 'size', 1);
  if (size < 1 || size > 8) throw new Usage('--size must be 1 to 8');
  const list = await decodeList({ encodedList: text(need(opts, 'encoded')) });
  const count = Math.floor(list.length / size);
  const get = (i) => {
    let v = 0;
    for (let k = 0; k < size; k++) v = (v << 1) | (list.getStatus(i * size + k) ? 1 : 0);
    return v;
  };
  return { length_bits: list.length, size, entries: count, values: values(list, count, get, opts) };
}

// bitstring-create --values FILE [--size N]: bits = values.length × size.
async function bitstringCreate(opts) {
  const size = int(opts, 'size', 1);
  if (size < 1 || size > 8) throw new Usage('--size must be 1 to 8');
  const vals = json(need(opts, 'values'));
  const list = await createList({ length: vals.length * size });
  vals.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= 1 << size) throw new Usage(`value ${v} at ${i} does not fit`);
    for (let k = 0; k < size; k++) {
      if ((v >> (size - 1 - k)) & 1) list.setStatus(i * size + k, true);
    }
  });
  return { length_bits: list.length, size, encodedList: await list.encode() };
}

const COMMANDS = {
  'token-decode': tokenDecode,
  'token-decode-lst': tokenDecodeLst,
  'token-create': tokenCreate,
  'bitstring-decode': bitstringDecode,
  'bitstring-create': bitstringCreate,
};

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const run = COMMANDS[cmd];
  if (!run) {
    process.stderr.write(`error: command must be one of ${Object.keys(COMMANDS).join(', ')}\n`);
    process.exit(2);
  }
  let opts;
  try {
    opts = parseArgs(rest);
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  try {
    const out = await run(opts);
    process.stdout.write(`${JSON.stringify({ valid: true, ...out })}\n`);
  } catch (e) {
    if (e instanceof Usage || e?.code === 'ENOENT') {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    process.stdout.write(`${JSON.stringify({ valid: false, error: String(e?.message ?? e) })}\n`);
    process.exit(1);
  }
}

main();
