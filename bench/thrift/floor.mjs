// node bench/thrift/floor.mjs [Simple|Nesting|Order] [created|cached|free] [heddle|compat]
//
// A lower bound for any Thrift Binary decoder returning heddle's value mapping: a function
// generated from the decoded value that builds the same value graph with no parsing, no checks
// and no field loop. Every i64 is a bigint read from the buffer, every number a DataView read,
// each binary a view, lists array literals, maps `new Map()` + `set`, structs object literals.
// Strings are, by the second argument: `created` each with one native call (Buffer#latin1Slice,
// Node's cheapest way to make a fresh 30-40 byte string), `cached` free up to 32 bytes (as if
// every short string hit a cache) and created above, `windowed` cut with `substring` from one
// latin1 copy of the whole input made per decode, or `free` all handed over ready-made. The
// `thrift` package decodes the real bytes alongside; ratios are its time over the floor's.
// With `compat` (third argument) the value graph is heddle/thrift-compat's, gen-nodejs's shapes:
// each i64 a node-int64 object (made without its constructor's dispatch, its 8 bytes not even
// copied), each binary a Buffer view, maps object literals, and heddle runs with those options.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import heddle from '../../dist/index.js';
import compat from '../../dist/adapters/thrift-compat/index.js';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';
import * as messages from './messages.mjs';

const name = process.argv[2] ?? 'Order';
const strings = process.argv[3] ?? 'created';
const gen_nodejs = process.argv[4] === 'compat';
const doc = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' });
const value = messages[name.toLowerCase()]();
const codec = doc.codec(name, gen_nodejs ? compat.GEN_NODEJS_VALUES : {});
const bytes = doc.codec(name).encode(value).slice();
const pkg = loadThriftPackage();
const pkgBytes = pkg.encode(toThriftPackage(pkg, name, value, 'binary'), 'binary');
const given = [];
function gen(v) {
  if (typeof v === 'string') {
    if (strings === 'free' || (strings === 'cached' && v.length <= 32)) return `S[${given.push(v) - 1}]`;
    if (strings === 'windowed') return `W.substring(0, ${v.length})`;
    return `L.call(buf, 0, ${v.length})`;
  }
  if (typeof v === 'bigint') return 'dv.getBigInt64(8)';
  if (v === null) return 'null';
  if (gen_nodejs && v instanceof Int64) return 'new I(buf8, 0)';
  if (gen_nodejs && v instanceof Uint8Array) return `new B(buf.buffer, buf.byteOffset + 24, ${v.length})`;
  if (typeof v === 'number') return Number.isInteger(v) ? 'dv.getInt32(4)' : 'dv.getFloat64(16)';
  if (typeof v === 'boolean') return '(buf[3] !== 0)';
  if (v instanceof Uint8Array) return `new Uint8Array(buf.buffer, buf.byteOffset + 24, ${v.length})`;
  if (Array.isArray(v)) return `[${v.map(gen).join(', ')}]`;
  if (v instanceof Map) return `new Map()${[...v].map(([k, x]) => `.set(${gen(k)}, ${gen(x)})`).join('')}`;
  return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${gen(x)}`).join(', ')} }`;
}
const require = createRequire(import.meta.url);
const Int64 = require('node-int64');
function I(b, o) { this.buffer = b; this.offset = o; }
I.prototype = Int64.prototype;
class B extends Uint8Array {}
Object.setPrototypeOf(B.prototype, Buffer.prototype);
const buf8 = Buffer.alloc(8);
const body = gen(codec.decode(bytes));
const floor = new Function('S', 'dv', 'buf', 'L', 'I', 'B', 'buf8', `${strings === 'windowed' ? 'const W = L.call(buf, 0, buf.length); ' : ''}return ${body};`);
const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
const latin1Slice = Buffer.prototype.latin1Slice;
const fns = { floor: () => floor(given, dv, bytes, latin1Slice, I, B, buf8), heddle: () => codec.decode(bytes), thrift: () => pkg.decode(name, pkgBytes, 'binary') };
const times = { floor: [], heddle: [], thrift: [] }; const sink = [];
const N = name === 'Simple' ? 20000 : 2000;
for (const k in fns) for (let i = 0; i < N; i++) fns[k]();
const orders = [['floor', 'heddle', 'thrift'], ['heddle', 'thrift', 'floor'], ['thrift', 'floor', 'heddle']];
for (let r = 0; r < 45; r++) for (const k of orders[r % 3]) { const fn = fns[k]; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink[i & 63] = fn(); times[k].push(Number(process.hrtime.bigint() - t) / N); }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ratio = (k) => med(times.thrift.map((t, i) => t / times[k][i]));
console.log(`${name} Binary decode${gen_nodejs ? ' (gen-nodejs values)' : ''}: thrift package ${med(times.thrift).toFixed(0)} ns; floor (strings ${strings}) ${med(times.floor).toFixed(0)} ns = ${ratio('floor').toFixed(2)}x; heddle ${med(times.heddle).toFixed(0)} ns = ${ratio('heddle').toFixed(2)}x`);
pkg.dispose();
