// ProtoJSON <-> Protobuf transcoding against the object paths, on realistic bodies: the baseline
// Nesting message with ASCII and with Chinese text (lists tripled, to about 11 KB of JSON), and
// e-commerce Orders (bench/realistic: Chinese and mixed text, ids above 2^53, 100-long int64
// lists, 256-byte binaries, nested repeated items).
//   fromJSON (native when the addon is loaded)  vs  its TypeScript twin,  vs  JSON.parse + base64
//   fix-up + heddle encode,  and  vs  @bufbuild fromJsonString + toBinary
//   toJSON (native when the addon is loaded)  vs  its TypeScript twin,  vs  heddle decode +
//   JSON.stringify (bigint/bytes replacer),  and  vs  @bufbuild fromBinary + toJsonString
// Rounds alternate between the paths; the table gives the median of the rounds' rates and the
// sustained rate (all calls over all rounds' time), and the load average while it ran.
// Run: npm run build && node bench/gateway/proto-json.mjs [--seconds 0.5] [--rounds 7]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createFileRegistry, fromBinary, fromJsonString, toBinary, toJsonString } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import heddle from '../../dist/index.js';
import { ProtoJsonTables } from '../../dist/gateway/proto-json/descriptor.js';
import { serializeProtoTable } from '../../dist/gateway/proto-json/native-table.js';
import { nativeAddon } from '../../dist/native.js';
import { ProtoJsonTranscoder } from '../../dist/gateway/proto-json/transcoder.js';
import { orders } from '../realistic/records.mjs';
import { nesting } from '../protobuf/values.mjs';
import { timedRound } from './timed-round.mjs';

const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const seconds = arg('--seconds', 0.5);
const rounds = arg('--rounds', 7);

const baseline = heddle.protobuf.parse(readFileSync(new URL('../../test/protobuf/fixtures/baseline.proto', import.meta.url), 'utf8'), { filename: 'baseline.proto' });
const ecommerce = heddle.protobuf.parse(readFileSync(new URL('../realistic/ecommerce.proto', import.meta.url), 'utf8'), { filename: 'ecommerce.proto' });

const CHINESE = '敏捷的棕色狐狸跳过了懒狗，这是一个用于测试的中文字符串';
const zh = (s) => CHINESE.slice(0, Math.max(1, Math.min(CHINESE.length, s.length)));
/** Nesting with its lists and maps three times as long: about 11 KB of ProtoJSON. */
function bigNesting(text) {
  const t = text === 'Chinese' ? zh : (s) => s;
  const simple = (s, i) => ({ ...s, stringField: t(`${s.stringField} ${i}`) });
  const triple = (list) => [...list, ...list, ...list];
  const tripleMap = (m, key = (k, i) => `${k}-${i}`) => Object.fromEntries([0, 1, 2].flatMap((i) => Object.entries(m).map(([k, v]) => [key(k, i), v])));
  const v = nesting;
  return {
    ...v,
    string: t(v.string),
    listSimple: triple(v.listSimple).map(simple),
    listI32: triple(v.listI32),
    mapStringString: Object.fromEntries(Object.entries(tripleMap(v.mapStringString)).map(([k, s]) => [k, t(s)])),
    simpleStruct: simple(v.simpleStruct, 0),
    listString: triple(v.listString).map(t),
    mapI64String: Object.fromEntries(Object.entries(tripleMap(v.mapI64String, (k, i) => String(BigInt(k) * 10n + BigInt(i)))).map(([k, s]) => [k, t(s)])),
    listI64: triple(v.listI64).map((x) => x * 1000003n + 9007199254740993n),
    mapStringSimple: Object.fromEntries(Object.entries(tripleMap(v.mapStringSimple)).map(([k, s], i) => [k, simple(s, i)])),
  };
}

/** An order with twice the items of a typical one, so the body is in the 6-11 KB range. */
function bigOrder() {
  const [a, b] = orders(2);
  return { ...a, items: [...a.items, ...b.items] };
}

const bodies = [
  { name: 'Nesting ASCII', root: baseline, type: 'baseline.Nesting', value: bigNesting('ASCII') },
  { name: 'Nesting Chinese', root: baseline, type: 'baseline.Nesting', value: bigNesting('Chinese') },
  { name: 'Order (mixed)', root: ecommerce, type: 'ecommerce.Order', value: bigOrder() },
];

/** Base64 strings back to bytes, where the schema has bytes: what a BFF does after JSON.parse. */
function fixupFor(type) {
  if (type === 'baseline.Nesting') {
    const simple = (s) => { s.binaryField = Buffer.from(s.binaryField ?? '', 'base64'); return s; };
    return (o) => {
      o.listSimple?.forEach(simple);
      if (o.simpleStruct) simple(o.simpleStruct);
      Object.values(o.mapStringSimple ?? {}).forEach(simple);
      o.binary = Buffer.from(o.binary ?? '', 'base64');
      return o;
    };
  }
  return (o) => {
    o.items?.forEach((it) => { it.thumbnail = Buffer.from(it.thumbnail ?? '', 'base64'); });
    o.signature = Buffer.from(o.signature ?? '', 'base64');
    return o;
  };
}

function replacer(_key, v) {
  if (typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return v;
}

const round = (fn) => timedRound(fn, seconds);

function measure(paths) {
  for (const fn of Object.values(paths)) for (let i = 0; i < 300; i++) fn();
  const results = Object.fromEntries(Object.keys(paths).map((k) => [k, { rates: [], n: 0, s: 0, cpu: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(paths)) {
      const { rate, n, elapsed: s, cpu } = round(fn);
      results[k].rates.push(rate);
      results[k].n += n;
      results[k].s += s;
      results[k].cpu += cpu;
    }
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => {
    const sorted = v.rates.slice().sort((a, b) => a - b);
    return [k, { median: sorted[sorted.length >> 1], sustained: v.n / v.s, perCpuSecond: v.n / v.cpu }];
  }));
}

const loadBefore = loadavg();
const rows = [];
for (const b of bodies) {
  const codec = b.root.codec(b.type);
  const strings = b.root.codec(b.type, { int64: 'string' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, b.root.toDescriptorSet()));
  const desc = registry.getMessage(b.type);
  const wire = codec.encode(b.value).slice();
  const body = codec.toJSON(wire);
  const text = body.toString('utf8');
  const fixup = fixupFor(b.type);
  // The paths must agree before they are timed.
  if (text !== toJsonString(desc, fromBinary(desc, wire))) throw new Error(`${b.name}: toJSON differs from @bufbuild's toJsonString`);
  if (codec.toJSON(codec.fromJSON(body)).toString() !== text) throw new Error(`${b.name}: fromJSON does not round-trip`);
  if (codec.toJSON(strings.encode(fixup(JSON.parse(text)))).toString() !== text) throw new Error(`${b.name}: parse+encode differs`);
  // The TypeScript twin of the same codec, with the native transcoder switched off.
  const tables = new ProtoJsonTables((name) => { try { return b.root.lookupMessage(name); } catch { return undefined; } });
  const twin = new ProtoJsonTranscoder(tables.message(b.root.lookupMessage(b.type)), tables, { maxDepth: 64, maxSize: 64 * 1024 * 1024 }, false);
  if (Buffer.compare(Buffer.from(twin.fromJSON(body)), Buffer.from(codec.fromJSON(body))) !== 0) throw new Error(`${b.name}: native and twin fromJSON differ`);
  if (!twin.toJSON(wire).equals(body)) throw new Error(`${b.name}: native and twin toJSON differ`);
  // The native rows must time the native writer, not a deferral to the twin.
  if (heddle.native.loaded) {
    const { ints, bytes } = serializeProtoTable(tables.message(b.root.lookupMessage(b.type)), { maxDepth: 64, maxSize: 64 * 1024 * 1024 });
    if (nativeAddon.protoJsonToJsonInto(nativeAddon.protoJsonTable(ints, bytes), wire, 0, new Uint8Array(1 << 20)) === null) throw new Error(`${b.name}: native toJSON deferred to the twin`);
  }
  const from = measure({
    heddle: () => codec.fromJSON(body),
    twin: () => twin.fromJSON(body),
    parseEncode: () => strings.encode(fixup(JSON.parse(text))),
    bufbuild: () => toBinary(desc, fromJsonString(desc, text)),
  });
  const to = measure({
    heddle: () => codec.toJSON(wire),
    twin: () => twin.toJSON(wire),
    decodeStringify: () => Buffer.from(JSON.stringify(strings.decode(wire), replacer)),
    bufbuild: () => Buffer.from(toJsonString(desc, fromBinary(desc, wire))),
  });
  rows.push({ name: b.name, jsonBytes: body.length, wireBytes: wire.length, from, to });
}
const loadAfter = loadavg();

const k = (x) => `${(x / 1000).toFixed(1)}k/s`;
const mb = (x, bytes) => `${((x * bytes) / 1e6).toFixed(0)} MB/s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`ProtoJSON transcoding, median of ${rounds} alternating rounds of ${seconds}s (sustained = all calls / all time); MB/s of JSON`);
console.log(`fromJSON runs the ${heddle.native.loaded ? 'native transcoder' : 'TypeScript twin (no addon)'}; ratios are fromJSON / peer: medians (sustained, per CPU second)`);
console.log('body             JSON B  wire B | fromJSON median  sustained  MB/s | TS twin  ratio                 | parse+encode  ratio                 | bufbuild  ratio');
const both = (a, b) => `${ratio(a.median, b.median).padStart(6)} (${ratio(a.sustained, b.sustained)}, ${ratio(a.perCpuSecond, b.perCpuSecond)})`;
for (const r of rows) {
  const f = r.from;
  console.log(`${r.name.padEnd(16)} ${String(r.jsonBytes).padStart(6)} ${String(r.wireBytes).padStart(6)} | ${k(f.heddle.median).padStart(9)} ${k(f.heddle.sustained).padStart(10)} ${mb(f.heddle.median, r.jsonBytes).padStart(9)} | ` +
    `${k(f.twin.median).padStart(8)} ${both(f.heddle, f.twin)} | ${k(f.parseEncode.median).padStart(9)} ${both(f.heddle, f.parseEncode)} | ${k(f.bufbuild.median).padStart(8)} ${both(f.heddle, f.bufbuild)}`);
}
console.log(`toJSON runs the ${heddle.native.loaded ? 'native transcoder' : 'TypeScript twin (no addon)'}; ratios are toJSON / peer: medians (sustained, per CPU second)`);
console.log('body             JSON B  wire B | toJSON   median  sustained  MB/s | TS twin  ratio                 | decode+strfy  ratio                 | bufbuild  ratio');
for (const r of rows) {
  const t = r.to;
  console.log(`${r.name.padEnd(16)} ${String(r.jsonBytes).padStart(6)} ${String(r.wireBytes).padStart(6)} | ${k(t.heddle.median).padStart(9)} ${k(t.heddle.sustained).padStart(10)} ${mb(t.heddle.median, r.jsonBytes).padStart(9)} | ` +
    `${k(t.twin.median).padStart(8)} ${both(t.heddle, t.twin)} | ${k(t.decodeStringify.median).padStart(9)} ${both(t.heddle, t.decodeStringify)} | ${k(t.bufbuild.median).padStart(8)} ${both(t.heddle, t.bufbuild)}`);
}
console.log(`load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
