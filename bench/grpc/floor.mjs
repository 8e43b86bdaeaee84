// node bench/grpc/floor.mjs
//
// A lower bound for any deserializer or serializer returning the legacy option set's values
// ({keepCase, longs: String, enums: String, defaults, oneofs}), against @grpc/proto-loader's own
// functions, per row of bench/grpc/codec.mjs. It answers "can 5x be reached at all on this row?".
//
// Deserialize floor: for each message, a function generated from the deserialized value (the
// legacy form both loaders return; int64 map keys in decimal), building the same value graph with no parsing, no checks and no field loop. Every
// string is made from its own UTF-8 bytes twice over: by one `Buffer#utf8Slice` (Node's way to make
// a fresh string from bytes, which proto-loader uses) and by heddle's strict reader (its short-text
// cache, Latin-1 and JavaScript UTF-8 paths, faster than Node's on short and Chinese text); every
// int64's decimal text is made the same way (generous: turning a number into decimal costs more
// than slicing its digits). Enum names are handed over ready-made,
// numbers are DataView reads, bytes are Buffer views, messages object literals, lists array
// literals.
// Serialize floor: one `Buffer.allocUnsafe` of the message's size plus one `Buffer#utf8Write` per
// string; nothing else of the message is written.
// Each row times proto-loader, heddle/grpc-loader and the floor over the same stream in interleaved
// rounds, by process CPU time (steadier than wall time on shared cores), and prints
// proto-loader's time over each: the floor's ratio is the most a loader that makes each string
// afresh and returns a fresh Buffer could reach (a cache that hits on repeated text can beat it).
import * as protoLoader from '@grpc/proto-loader';
import protobufjs from 'protobufjs';
import * as heddlePackage from '../../dist/index.js';
import * as heddleLoaderPackage from '../../dist/adapters/grpc-loader/index.js';
import { readStringStrict } from '../../dist/protobuf/codegen/wire-read.js';
import { baselinePath, codecCases, LEGACY, routeGuidePath } from './codec.mjs';

const heddle = heddlePackage.default ?? heddlePackage;
const heddleLoader = heddleLoaderPackage.default ?? heddleLoaderPackage;
const ROUNDS = 5;
const MIN_OPS = 20_000;

const baseline = heddle.protobuf.load(baselinePath);
const routeGuide = heddle.protobuf.load(routeGuidePath);
const theirs = protoLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
const ours = heddleLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
const types = new protobufjs.Root().loadSync([baselinePath, routeGuidePath], { keepCase: true });
const rows = codecCases(baseline, routeGuide);

/** Buffer views made without Buffer#subarray's argument handling, as a decoder's own would be. */
class View extends Uint8Array {}
Object.setPrototypeOf(View.prototype, Buffer.prototype);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const utf8Slice = Buffer.prototype.utf8Slice;
/** The two ways the floors make a string from its bytes: Node's decoder, and heddle's own reader. */
const nodeText = (bytes, start, end) => utf8Slice.call(bytes, start, end);
const heddleText = readStringStrict;

/**
 * The deserialize floor of one message: a function building `value` (proto-loader's result) from
 * the bytes of its strings, and the arguments it takes.
 */
function deserializeFloor(type, value, makeText) {
  const text = [];
  const ready = [];
  const scratch = Buffer.alloc(64);
  const str = (s) => `U(T[${text.push(Buffer.from(s, 'utf8')) - 1}], 0, ${Buffer.byteLength(s)})`;
  const scalar = (kind, resolved, v) => {
    if (resolved instanceof protobufjs.Enum) return `R[${ready.push(v) - 1}]`;
    if (resolved instanceof protobufjs.Type) return v === null ? 'null' : message(resolved, v);
    if (kind === 'string' || INT64.has(kind)) return str(String(v));
    if (kind === 'bytes') return `new V(b.buffer, b.byteOffset, ${v.length})`;
    if (kind === 'bool') return '(b[0] !== 0)';
    return kind === 'double' || kind === 'float' ? 'dv.getFloat64(0)' : 'dv.getInt32(0)';
  };
  const message = (t, v) => {
    const parts = [];
    for (const [key, x] of Object.entries(v)) {
      const field = t.fields[key];
      if (field === undefined) { parts.push(`${JSON.stringify(key)}: R[${ready.push(x) - 1}]`); continue; } // a oneof's name
      const resolved = field.resolve().resolvedType;
      let code;
      if (field.map) code = `{ ${Object.entries(x).map(([k, y]) => `[${str(k)}]: ${scalar(field.type, resolved, y)}`).join(', ')} }`;
      else if (field.repeated) code = `[${x.map((y) => scalar(field.type, resolved, y)).join(', ')}]`;
      else code = scalar(field.type, resolved, x);
      parts.push(`${JSON.stringify(key)}: ${code}`);
    }
    return `{ ${parts.join(', ')} }`;
  };
  const build = new Function('U', 'T', 'R', 'V', 'b', 'dv', `return ${message(type, value)};`);
  const dv = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  return () => build(makeText, text, ready, View, scratch, dv);
}

/** The serialize floor of one message: its size allocated, its strings written. */
function serializeFloor(type, value, size) {
  const strings = [];
  const walk = (t, v) => {
    for (const [key, x] of Object.entries(v)) {
      const field = t.fields[key];
      if (field === undefined || x === null) continue;
      const resolved = field.resolve().resolvedType;
      const each = field.map ? Object.values(x) : field.repeated ? x : [x];
      if (field.map) strings.push(...Object.keys(x).filter(() => field.keyType === 'string'));
      for (const y of each) {
        if (resolved instanceof protobufjs.Type) walk(resolved, y);
        else if (field.type === 'string') strings.push(y);
      }
    }
  };
  walk(type, value);
  return () => {
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const s of strings) at += out.utf8Write(s, at);
    return out;
  };
}

/** CPU nanoseconds per call of each function over the stream, median of interleaved rounds. */
function cpuTimes(fns, inputs) {
  const samples = fns.map(() => []);
  const passes = Math.max(1, Math.ceil(MIN_OPS / inputs.length));
  let sink = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    fns.forEach((fn, k) => {
      const start = process.cpuUsage();
      for (let p = 0; p < passes; p++) for (let i = 0; i < inputs.length; i++) sink ^= fn(inputs[i], i) === null ? 1 : 0;
      const used = process.cpuUsage(start);
      if (round > 0) samples[k].push(((used.user + used.system) * 1e3) / (passes * inputs.length)); // round 0 warms up
    });
  }
  if (sink === 0.5) console.log(sink);
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]);
}

console.log(`proto-loader's CPU time over each: heddle/grpc-loader and the floor (${ROUNDS} interleaved rounds, load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
console.log('row'.padEnd(50), 'op'.padEnd(12), 'pl ns'.padStart(9), 'heddle'.padStart(9), 'floor N'.padStart(9), 'floor H'.padStart(9));
console.log('(pl ns: proto-loader CPU ns per call; floor N: strings by Node\'s utf8Slice; floor H: strings by heddle\'s strict reader, short-text cache included)');
for (const [label, typeName, wires] of rows) {
  const type = types.lookupType(typeName);
  // heddle's values: proto-loader's, but int64 map keys in decimal form, which both serialize.
  const objects = wires.map((w) => ours[typeName].deserialize(w));
  const byNode = objects.map((o) => deserializeFloor(type, o, nodeText));
  const byHeddle = objects.map((o) => deserializeFloor(type, o, heddleText));
  const serialize = objects.map((o, i) => serializeFloor(type, o, wires[i].length));
  const d = cpuTimes([(w) => theirs[typeName].deserialize(w), (w) => ours[typeName].deserialize(w), (w, i) => byNode[i](), (w, i) => byHeddle[i]()], wires);
  const s = cpuTimes([(o) => theirs[typeName].serialize(o), (o) => ours[typeName].serialize(o), (o, i) => serialize[i]()], objects);
  const x = (pl, t) => (t === undefined ? '' : `${(pl / t).toFixed(2)}x`).padStart(9);
  for (const [op, [pl, mine, floor, floor2]] of [['deserialize', d], ['serialize', s]]) {
    console.log(label.padEnd(50), op.padEnd(12), pl.toFixed(0).padStart(9), x(pl, mine), x(pl, floor), x(pl, floor2));
  }
}
