// bench/realistic/protobuf-floor.mjs: how far any Protobuf decoder returning heddle's values can
// lead protobufjs on the realistic order stream, and where the time goes (issue 22's 1.5x target).
//
// One builder per message type, generated from heddle's decoded value (default options), makes
// each order's value graph with no parsing, no checks and no field loop, from a plan of where the
// order's values are in its wire bytes: the same object shapes (the decoder's defaults prototype,
// its property order), every string made from its UTF-8 bytes, every int64 a bigint made through
// a 64-bit scratch word (the decoder's own way), every `bytes` field a copy by heddle's copyBytes
// (slab views, as the decoder makes them), each map stored into `{}`, lists pushed, quantities
// read from the plan. Strings are made two ways: by one `Buffer#utf8Slice` each ("floor N",
// Node's decoder, what protobufjs uses for long text), and by heddle's strict reader with the
// ASCII window open as in a decode ("floor H": its short-string cache, Latin-1 and JavaScript
// UTF-8 paths). Each part's cost is the full floor H minus the floor H with that part handed over
// ready (made outside the timed loop); a ready map's strings are still made, so "maps" is the
// objects alone.
//
// Timed in interleaved rounds by process CPU time (every thread: GC on helper threads included):
// protobufjs's decode (Buffers: its fast path), heddle's decode with the default `bytes: 'copy'`
// and with `bytes: 'view'` (protobufjs returns views), and the floors; printed as protobufjs's time
// over each. The floor's ratio is the most a decoder that makes these values could reach.
// `--valgrind` also counts instructions per order of the main cases (bench/realistic/instructions.mjs).
//
//   npm run build && node bench/realistic/protobuf-floor.mjs [--valgrind]
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/protobuf-floor.mjs
//     adds heddle's decode from another build as a row.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { protobufjsType } from '../protobuf/peers.mjs';
import { countInstructions } from './instructions.mjs';
import { orders } from './records.mjs';
import { realisticProto } from './rows.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);
const ROUNDS = Number(process.env.HEDDLE_BENCH_ROUNDS ?? 15);
const heddle = require('../../dist/index.js');
const { readStringStrict } = require('../../dist/protobuf/codegen/wire-read.js');
const { copyBytes } = require('../../dist/protobuf/codegen/byte-pool.js');
const { closeAsciiWindow, openAsciiWindow } = require('../../dist/text/ascii-window.js');

const source = readFileSync(realisticProto, 'utf8');
const codec = heddle.protobuf.parse(source, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
const viewCodec = heddle.protobuf.parse(source, { filename: 'ecommerce.proto' }).codec('ecommerce.Order', { bytes: 'view' });
const list = orders(COUNT);
const wires = list.map((o) => Buffer.from(codec.encode(o)));
const type = protobufjsType(source, 'ecommerce.Order');
/**
 * One decoded order: the property order and prototypes of heddle's messages. The floor's plans are
 * made from the generator's records (`list`, heddle-shaped values), not from decoded ones: with
 * the 2,000 decoded orders kept alive (the heap grew past 100 MB, against 45 MB without them)
 * heddle's decode measured 0.7-0.8x protobufjs here instead of 1.1-1.2x, V8 having started to
 * pretenure the decoder's literals (fixed since: see bench/realistic/README.md).
 */
const sample = codec.decode(wires[0]);

/** The parts of a value the floor can be told to take ready-made instead of making them. */
const PARTS = ['strings', 'bigints', 'bytes', 'maps'];

/**
 * The floor, for the parts not in `ready`: one generated builder per message type (its fields in
 * the decoder's property order, on the decoder's defaults prototype), called for every order with
 * that order's plan: its wire bytes (T and Y, where its strings and bytes fields are), a stream of ints
 * (P: string and bytes offsets, int64 halves, quantities, list and map sizes, in field order) and
 * the ready-made values (R). One builder for all orders, as a decoder is one function: it gets
 * optimized; the per-order data is what a parser would have found, without the parsing.
 */
function floorOf(makeText, makeBytes, ready = new Set()) {
  const messages = [['Order', sample, type], ['Item', sample.items[0], type.lookupType('ecommerce.Item')], ['Address', sample.address, type.lookupType('ecommerce.Address')]];
  const index = new Map(messages.map(([name], k) => [name, k]));
  const protos = messages.map(([, v]) => Object.getPrototypeOf(v));
  const scalar = (kind) => {
    if (kind === 'string') return ready.has('strings') ? 'R[r++]' : 'U(T, P[k++], P[k++])';
    if (kind === 'int64') return ready.has('bigints') ? 'R[r++]' : '(W[0] = P[k++], W[1] = P[k++], B[0])';
    if (kind === 'bytes') return ready.has('bytes') ? 'R[r++]' : 'C(Y, P[k++], P[k++])';
    return 'P[k++]';
  };
  const fieldCode = (t, key) => {
    const field = t.fields[key] ?? t.fields[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
    const resolved = field.resolve().resolvedType;
    const one = resolved ? `m${index.get(resolved.name)}()` : scalar(field.type);
    if (field.map) {
      // Ready maps still have their strings made (and dropped): the part is the objects alone.
      if (ready.has('maps')) return `((n) => { for (let e = 0; e < 2 * n; e++) ${scalar('string')}; return R[r++]; })(P[k++])`;
      // Stores into `{}` (213 ns a map of 1-4 attributes over reading its strings, against more
      // for a literal with computed keys or collecting the entries first).
      return `((n) => { const o = {}; for (let e = 0; e < n; e++) o[${scalar('string')}] = ${scalar('string')}; return o; })(P[k++])`;
    }
    if (field.repeated) return `listOf(P[k++], () => ${one})`;
    return one;
  };
  const builders = messages.map(([, v, t], k) => `function m${k}() { return { __proto__: S[${k}], ${Object.keys(v).map((key) => `${JSON.stringify(key)}: ${fieldCode(t, key)}`).join(', ')} }; }`);
  const run = new Function('U', 'C', 'S', 'W', 'B', `
    let T, Y, P, R, k, r;
    function listOf(n, make) { const list = []; for (let i = 0; i < n; i++) list.push(make()); return list; }
    ${builders.join('\n')}
    return (t, y, p, given) => { T = t; Y = y; P = p; R = given; k = 0; r = 0; return m0(); };`);
  const scratch = new ArrayBuffer(8);
  const build = run(makeText, makeBytes, protos, new Int32Array(scratch), new BigInt64Array(scratch));
  // Each order's plan, walked in the builders' order. Strings and bytes are made from the order's
  // own wire bytes (where the same bytes first occur in it), so the floor reads the memory a
  // decoder reads and keeps no copy of the stream alive (a larger heap slows every case's GC).
  const keysOf = new Map(messages.map(([, v, t]) => [t, Object.keys(v)]));
  const zero = { string: '', int64: 0n, bytes: new Uint8Array(0) };
  const plans = list.map((value, i) => {
    const wire = wires[i];
    const ints = [];
    const given = [];
    const span = (bytes) => {
      const at = bytes.length === 0 ? 0 : wire.indexOf(bytes);
      if (at < 0) throw new Error(`order ${i}: bytes not found in its wire`);
      return ints.push(at, at + bytes.length);
    };
    const put = (x, kind) => {
      if (kind === 'string') return ready.has('strings') ? given.push(x) : span(Buffer.from(x, 'utf8'));
      if (kind === 'int64') return ready.has('bigints') ? given.push(x) : ints.push(Number(x & 0xffffffffn) | 0, Number((x >> 32n) & 0xffffffffn) | 0);
      if (kind === 'bytes') return ready.has('bytes') ? given.push(x) : span(x);
      return ints.push(x);
    };
    const walk = (v, t) => {
      for (const key of keysOf.get(t)) {
        const field = t.fields[key] ?? t.fields[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
        const resolved = field.resolve().resolvedType;
        const one = (x) => (resolved ? walk(x, resolved) : put(x ?? zero[field.type], field.type));
        if (field.map) {
          ints.push(Object.keys(v[key]).length);
          for (const [mk, mv] of Object.entries(v[key])) put(mk, 'string'), put(mv, 'string');
          if (ready.has('maps')) given.push({ ...v[key] });
        } else if (field.repeated) {
          const items = v[key] ?? [];
          ints.push(items.length);
          items.forEach(one);
        } else one(v[key]);
      }
    };
    walk(value, type);
    return [wire, wire, Int32Array.from(ints), given];
  });
  // heddle's reader cuts short ASCII strings from one Latin-1 copy of the input while a decode
  // has the window open: the floor opens it around each order as codec.decode does.
  if (makeText === readStringStrict) {
    return plans.map(([t, y, p, given]) => () => {
      openAsciiWindow();
      try {
        return build(t, y, p, given);
      } finally {
        closeAsciiWindow();
      }
    });
  }
  return plans.map(([t, y, p, given]) => () => build(t, y, p, given));
}

const utf8Slice = Buffer.prototype.utf8Slice;
const nodeText = (bytes, start, end) => utf8Slice.call(bytes, start, end);
const viewBytes = (bytes, start, end) => new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);


/** @type {Record<string, (i: number) => unknown>} one decode (or floor) of order i each */
const cases = {
  protobufjs: (i) => type.decode(wires[i]),
  heddle: (i) => codec.decode(wires[i]),
  "heddle, bytes: 'view'": (i) => viewCodec.decode(wires[i]),
};
if (process.env.HEDDLE_BENCH_BEFORE) {
  const before = require(`${process.env.HEDDLE_BENCH_BEFORE}/index.js`);
  const beforeCodec = before.protobuf.parse(source, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  cases[`heddle (${process.env.HEDDLE_BENCH_BEFORE})`] = (i) => beforeCodec.decode(wires[i]);
}
// HEDDLE_BENCH_CASES=regexp keeps only the matching cases (protobufjs, the reference, always).
const kept = (name) => !process.env.HEDDLE_BENCH_CASES || name === 'protobufjs' || new RegExp(process.env.HEDDLE_BENCH_CASES).test(name);
const floorCases = {
  'floor N (utf8Slice)': () => floorOf(nodeText, copyBytes),
  "floor H (heddle's reader)": () => floorOf(readStringStrict, copyBytes),
  'floor H, bytes as views': () => floorOf(readStringStrict, viewBytes),
  ...Object.fromEntries(PARTS.map((part) => [`floor H, ${part} ready`, () => floorOf(readStringStrict, copyBytes, new Set([part]))])),
  'floor H, all four ready': () => floorOf(readStringStrict, copyBytes, new Set(PARTS)),
};
for (const [name, make] of Object.entries(floorCases)) {
  if (!kept(name)) continue;
  const built = make();
  cases[name] = (i) => built[i]();
}
for (const name of Object.keys(cases)) if (!kept(name)) delete cases[name];

// Every case must make the same values as heddle's decode (bytes compared by content).
const same = (a, b) => {
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (typeof a !== 'object' || a === null) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => same(a[k], b[k]));
};
for (const [name, fn] of Object.entries(cases)) {
  if (name === 'protobufjs') continue;
  for (let i = 0; i < COUNT; i += 97) if (!same(fn(i), codec.decode(wires[i]))) throw new Error(`${name} differs from heddle's decode on order ${i}`);
}

if (process.argv[2] === '--case') {
  // One valgrind child: a warm-up pass, then `passes` passes of one case.
  const fn = cases[process.argv[3]];
  let sink = 0;
  for (let pass = 0; pass <= Number(process.argv[4]); pass++) for (let i = 0; i < COUNT; i++) sink += fn(i) === undefined ? 1 : 0;
  if (sink !== 0) console.log(sink);
} else {
  const names = Object.keys(cases);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const sink = [];
  for (let round = 0; round <= ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const fn = cases[name];
      const start = process.cpuUsage();
      for (let i = 0; i < COUNT; i++) sink[i & 63] = fn(i);
      const used = process.cpuUsage(start);
      if (round > 0) samples[name].push(((used.user + used.system) * 1000) / COUNT); // round 0 warms up
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const m = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
  const reference = m.protobufjs;
  console.log(`realistic orders (${COUNT}), CPU ns per decode, median of ${ROUNDS} interleaved rounds; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${'case'.padEnd(40)} ${'CPU ns'.padStart(8)}   protobufjs/case   sustained`);
  for (const n of names) {
    const sustained = sum(samples.protobufjs) / sum(samples[n]);
    console.log(`${n.padEnd(40)} ${m[n].toFixed(0).padStart(8)}   ${(reference / m[n]).toFixed(2).padStart(14)}x   ${sustained.toFixed(2).padStart(8)}x`);
  }
  const floorH = m["floor H (heddle's reader)"];
  console.log("\nparts of floor H (floor H minus floor H with the part ready), CPU ns per order:");
  for (const part of PARTS) console.log(`  ${part.padEnd(10)} ${(floorH - m[`floor H, ${part} ready`]).toFixed(0).padStart(6)}`);
  console.log(`  the rest   ${m['floor H, all four ready'].toFixed(0).padStart(6)}  (objects, arrays, numbers, the calls)`);
  console.log(`heddle over floor H: ${(m.heddle - floorH).toFixed(0)} ns per order of parsing and decoder overhead`);

  if (process.argv[2] === '--valgrind') {
    const RUNS = Number(process.env.HEDDLE_BENCH_RUNS ?? 3);
    const LOW = 2;
    const HIGH = 6;
    console.log(`\ninstructions per order (valgrind; median of ${RUNS}, lowest-highest), protobufjs/case`);
    const counted = {};
    for (const name of ['protobufjs', 'heddle', "heddle, bytes: 'view'", 'floor N (utf8Slice)', "floor H (heddle's reader)"]) {
      const counts = [];
      for (let run = 0; run < RUNS; run++) {
        const [low, high] = await Promise.all([LOW, HIGH].map((passes) => countInstructions(self, ['--case', name, String(passes)])));
        counts.push((high - low) / ((HIGH - LOW) * COUNT));
      }
      counts.sort((a, b) => a - b);
      counted[name] = counts[counts.length >> 1];
      const k = (x) => `${Math.round(x / 1000)}k`;
      console.log(`${name.padEnd(40)} ${Math.round(counted[name]).toString().padStart(8)} ${`${k(counts[0])}-${k(counts[counts.length - 1])}`.padStart(12)}   ${(counted.protobufjs / counted[name]).toFixed(2)}x`);
    }
  }
}
