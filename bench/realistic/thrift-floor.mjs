// bench/realistic/thrift-floor.mjs: how far any Thrift decoder can lead the `thrift` package on the
// realistic order stream, measured from what every decoder must make. For each order, in
// alternating rounds over the 2,000 orders:
// - the package's decode of its Binary bytes (the target's reference);
// - its strings, each made from its UTF-8 bytes by one Buffer#utf8Slice call (the call the package
//   itself makes), and by heddle's strict reader (readUtf8: its short-string cache, JavaScript
//   loops for multi-byte text); the cheaper of the two bounds every decoder;
// - its i64 values as bigints (each through the BigInt64Array scratch, the cheapest bytes-to-bigint
//   path measured on V8), or as node-int64 objects (gen-nodejs's values: one object each over the
//   8 bytes, not even copied);
// - heddle's whole decode, with heddle's values and with gen-nodejs's.
// The bound printed is package time over (strings + i64s): no decoder that makes those values can
// reach a higher ratio, since objects, arrays, binaries and parsing only add to it.
//
//   npm run build && node bench/realistic/thrift-floor.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadThriftPackage } from '../thrift/peers.mjs';
import { orders } from './records.mjs';
import { realisticThrift } from './rows.mjs';

const require = createRequire(import.meta.url);
const heddle = require('../../dist/index.js');
const compat = require('../../dist/adapters/thrift-compat/index.js');
const Int64 = require('node-int64');
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);
const ROUNDS = 15;

const doc = heddle.thrift.parse(readFileSync(realisticThrift, 'utf8'), { filename: 'ecommerce.thrift' });
const codec = doc.codec('Order', { map: 'object' });
const compatCodec = doc.codec('Order', compat.GEN_NODEJS_VALUES);
const list = orders(COUNT);
const wires = list.map((o) => Buffer.from(codec.encode(o)));

/** Each order's strings as one Buffer of their UTF-8 bytes and the [start, end) of each. */
const textsOf = list.map((o) => {
  const parts = [];
  const walk = (v) => {
    if (typeof v === 'string') parts.push(Buffer.from(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) for (const [k, x] of Object.entries(v)) {
      if (o.items.some((it) => it.attrs === v)) parts.push(Buffer.from(k)); // map keys are strings to make too
      walk(x);
    }
  };
  walk(o);
  const ends = [];
  let at = 0;
  for (const p of parts) ends.push((at += p.length));
  return { bytes: Buffer.concat(parts), ends };
});
/** Each order's i64 count (ids, prices, totals, times), read from its bytes' first 8 * count bytes. */
const i64Counts = list.map((o) => 4 + o.priceHistory.length + 2 * o.items.length);
const scratch = new ArrayBuffer(8);
const halves = new Int32Array(scratch);
const asBigInt = new BigInt64Array(scratch);
function I(buffer, offset) {
  this.buffer = buffer;
  this.offset = offset;
}
I.prototype = Int64.prototype;

const pkg = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
const utf8Slice = Buffer.prototype.utf8Slice;
const { readUtf8 } = require('../../dist/thrift/runtime/read-text.js');
const sink = [];
const cases = {
  'thrift package decode': (i) => pkg.decode('Order', wires[i], 'binary'),
  'strings (utf8Slice each)': (i) => {
    const { bytes, ends } = textsOf[i];
    let start = 0;
    for (let k = 0; k < ends.length; k++) sink[k & 63] = utf8Slice.call(bytes, start, (start = ends[k]));
  },
  "strings (heddle's strict reader each)": (i) => {
    const { bytes, ends } = textsOf[i];
    let start = 0;
    for (let k = 0; k < ends.length; k++) sink[k & 63] = readUtf8(bytes, start, (start = ends[k]));
  },
  'i64s as bigints': (i) => {
    const b = wires[i];
    for (let k = 0, pos = 0; k < i64Counts[i]; k++, pos += 8) {
      halves[1] = (b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
      halves[0] = (b[pos + 4] << 24) | (b[pos + 5] << 16) | (b[pos + 6] << 8) | b[pos + 7];
      sink[k & 63] = asBigInt[0];
    }
  },
  'i64s as node-int64 objects': (i) => {
    const b = wires[i];
    for (let k = 0; k < i64Counts[i]; k++) sink[k & 63] = new I(b, 8 * k);
  },
  'heddle decode': (i) => codec.decode(wires[i]),
  'heddle decode (gen-nodejs values)': (i) => compatCodec.decode(wires[i]),
};
const names = Object.keys(cases);
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    const fn = cases[name];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < COUNT; i++) sink[i & 63] = fn(i);
    if (round > 0) times[name].push(Number(process.hrtime.bigint() - t0) / COUNT);
  }
}
pkg.dispose();
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const m = Object.fromEntries(names.map((n) => [n, med(times[n])]));
const reference = m['thrift package decode'];
for (const n of names) console.log(`${n.padEnd(36)} ${m[n].toFixed(0).padStart(7)} ns/order   package/this ${(reference / m[n]).toFixed(2)}x`);
// The cheaper of the two ways of making the strings bounds every decoder.
const strings = Math.min(m['strings (utf8Slice each)'], m["strings (heddle's strict reader each)"]);
console.log(`bound, heddle's values (strings + bigints): ${(reference / (strings + m['i64s as bigints'])).toFixed(2)}x the package`);
console.log(`bound, gen-nodejs values (strings + node-int64 objects): ${(reference / (strings + m['i64s as node-int64 objects'])).toFixed(2)}x the package`);
console.log(`strings per order: ${(textsOf.reduce((n, t) => n + t.ends.length, 0) / COUNT).toFixed(1)}, i64s per order: ${(i64Counts.reduce((a, b) => a + b, 0) / COUNT).toFixed(1)}`);
