// node bench/thrift/floor.mjs [Simple|Nesting|Order] [created|cached|free]
//
// A lower bound for any Thrift Binary decoder returning heddle's value mapping: a function
// generated from the decoded value that builds the same value graph with no parsing, no checks
// and no field loop. Every i64 is a bigint read from the buffer, every number a DataView read,
// each binary a view, lists array literals, maps `new Map()` + `set`, structs object literals.
// Strings are, by the second argument: `created` each with one native call (Buffer#latin1Slice,
// Node's cheapest way to make a fresh 30-40 byte string), `cached` free up to 32 bytes (as if
// every short string hit a cache) and created above, or `free` all handed over ready-made. The
// `thrift` package decodes the real bytes alongside; ratios are its time over the floor's.
import { readFileSync } from 'node:fs';
import heddle from '../../dist/index.js';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';
import * as messages from './messages.mjs';

const name = process.argv[2] ?? 'Order';
const strings = process.argv[3] ?? 'created';
const doc = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' });
const value = messages[name.toLowerCase()]();
const codec = doc.codec(name);
const bytes = codec.encode(value);
const pkg = loadThriftPackage();
const pkgBytes = pkg.encode(toThriftPackage(pkg, name, value, 'binary'), 'binary');
const given = [];
function gen(v) {
  if (typeof v === 'string') {
    if (strings === 'free' || (strings === 'cached' && v.length <= 32)) return `S[${given.push(v) - 1}]`;
    return `L.call(buf, 0, ${v.length})`;
  }
  if (typeof v === 'bigint') return 'dv.getBigInt64(8)';
  if (typeof v === 'number') return Number.isInteger(v) ? 'dv.getInt32(4)' : 'dv.getFloat64(16)';
  if (typeof v === 'boolean') return '(buf[3] !== 0)';
  if (v instanceof Uint8Array) return `new Uint8Array(buf.buffer, buf.byteOffset + 24, ${v.length})`;
  if (Array.isArray(v)) return `[${v.map(gen).join(', ')}]`;
  if (v instanceof Map) return `new Map()${[...v].map(([k, x]) => `.set(${gen(k)}, ${gen(x)})`).join('')}`;
  return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${gen(x)}`).join(', ')} }`;
}
const body = gen(codec.decode(bytes));
const floor = new Function('S', 'dv', 'buf', 'L', `return ${body};`);
const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
const latin1Slice = Buffer.prototype.latin1Slice;
const fns = { floor: () => floor(given, dv, bytes, latin1Slice), heddle: () => codec.decode(bytes), thrift: () => pkg.decode(name, pkgBytes, 'binary') };
const times = { floor: [], heddle: [], thrift: [] }; const sink = [];
const N = name === 'Simple' ? 20000 : 2000;
for (const k in fns) for (let i = 0; i < N; i++) fns[k]();
const orders = [['floor', 'heddle', 'thrift'], ['heddle', 'thrift', 'floor'], ['thrift', 'floor', 'heddle']];
for (let r = 0; r < 45; r++) for (const k of orders[r % 3]) { const fn = fns[k]; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink[i & 63] = fn(); times[k].push(Number(process.hrtime.bigint() - t) / N); }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ratio = (k) => med(times.thrift.map((t, i) => t / times[k][i]));
console.log(`${name} Binary decode: thrift package ${med(times.thrift).toFixed(0)} ns; floor (strings ${strings}) ${med(times.floor).toFixed(0)} ns = ${ratio('floor').toFixed(2)}x; heddle ${med(times.heddle).toFixed(0)} ns = ${ratio('heddle').toFixed(2)}x`);
pkg.dispose();
