// JSON <-> Thrift transcoding on Simple, Nesting (~11 KB) and Order bodies (bench/thrift's
// baseline IDL and values), with ASCII and with Chinese text, Binary and Compact, all peers in one
// process:
//   fromJSON: native transcoder | its TypeScript twin | JSON.parse + base64 fix-up + heddle encode
//             | JSON.parse + the `thrift` package's generated code (Int64s, Buffers, classes) + write
//   toJSON:   native | twin | heddle decode + JSON.stringify | thrift package read + JSON.stringify
// Then CloudWeGo dynamicgo (Go, test/interop/dynamicgo-json) converts the same Binary bodies in
// its own process, after the Node rounds, for the side-by-side figure.
// Rounds alternate between the peers; each cell is the median of the rounds' rates. For the native
// transcoder, MB/s is sustained (JSON bytes over all rounds' wall time) and "MB/cpu-s" the same
// over the process's CPU time in those rounds, the figure a loaded machine disturbs least; the
// "cpu" ratios compare calls per CPU second of the process (GC threads included), for the same
// reason.
// Run: npm run build && node bench/gateway/json.mjs [--seconds 0.5] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import heddle from '../../dist/index.js';
import transcoders from '../../dist/gateway/thrift-json/index.js';
import { nesting, order, simple } from '../thrift/messages.mjs';
import { loadThriftPackage, thriftIdl } from '../thrift/peers.mjs';
import { buildGoProgram, goUnavailableReason } from '../../scripts/go-programs.mjs';
import { timedRound } from './timed-round.mjs';
import { b64, fixup } from './nesting-bodies.mjs';

const { thrift, native } = heddle;
const { ThriftJsonTranscoder, buildDescriptor } = transcoders;
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const seconds = arg('--seconds', 0.5);
const rounds = arg('--rounds', 5);
const doc = thrift.parse(readFileSync(thriftIdl, 'utf8'));
const pkg = loadThriftPackage();
const Int64 = pkg.thrift.Int64;

const CHINESE = '敏捷的棕色狐狸跳过了懒狗，这是一个用于测试的中文字符串，快速的棕色狐狸跳过懒惰的狗';
const zh = (s) => CHINESE.slice(0, s.length);
const zhSimple = (s) => ({ ...s, StringField: zh(s.StringField) });
/** The message with every string in Chinese (same lengths in characters). */
const chinese = {
  Simple: zhSimple,
  Nesting: (v) => ({
    ...v,
    String: zh(v.String),
    ListSimple: v.ListSimple.map(zhSimple),
    MapStringString: new Map([...v.MapStringString].map(([k, s]) => [k, zh(s)])),
    SimpleStruct: zhSimple(v.SimpleStruct),
    ListString: v.ListString.map(zh),
    MapI64String: new Map([...v.MapI64String].map(([k, s]) => [k, zh(s)])),
    MapStringSimple: new Map([...v.MapStringSimple].map(([k, s]) => [k, zhSimple(s)])),
  }),
  Order: (v) => ({ ...v, platform: zh(v.platform), buyer_id: zh(v.buyer_id), items: v.items.map((it) => ({ ...it, title: zh(it.title), tags: it.tags.map(zh) })), extra: new Map([...v.extra].map(([k, s]) => [k, zh(s)])) }),
};

/**
 * What a BFF does after JSON.parse for the `thrift` package: the generated classes, Int64 for
 * i64 (from the parsed number, as exact as JSON.parse left it), Buffers for binary. The package
 * writes an i64 map key given as a string as hex in Binary and as decimal in Compact.
 */
function toPackage(name, o, protocol) {
  const { types } = pkg;
  const i64 = (n) => new Int64(n);
  const i64Key = (k) => (protocol === 'binary' ? new Int64(Number(k)).toOctetString() : k);
  const simpleOf = (s) => new types.Simple({ ...s, I64Field: i64(s.I64Field), BinaryField: b64(s.BinaryField) });
  if (name === 'Simple') return simpleOf(o);
  if (name === 'Order') {
    return new types.Order({
      ...o,
      order_id: i64(o.order_id),
      created_at: i64(o.created_at),
      items: o.items.map((it) => new types.OrderItem({ ...it, sku_id: i64(it.sku_id), price_cents: i64(it.price_cents) })),
    });
  }
  const mapValues = (m, f) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)]));
  return new types.Nesting({
    ...o,
    ListSimple: o.ListSimple.map(simpleOf),
    I64: i64(o.I64),
    SimpleStruct: simpleOf(o.SimpleStruct),
    MapI32I64: mapValues(o.MapI32I64, i64),
    Binary: b64(o.Binary),
    MapI64String: Object.fromEntries(Object.entries(o.MapI64String).map(([k, v]) => [i64Key(k), v])),
    ListI64: o.ListI64.map(i64),
    MapStringSimple: mapValues(o.MapStringSimple, simpleOf),
  });
}

function heddleReplacer(_key, v) {
  if (typeof v === 'bigint') return Number(v); // what JSON.stringify users do; inexact past 2^53
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return v;
}

/** For the thrift package's objects: Int64 as numbers, Buffers as base64 (`this[key]` is the value before Buffer's toJSON). */
function packageReplacer(key, v) {
  const raw = this[key];
  if (raw instanceof Int64) return raw.toNumber();
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  return v;
}

const round = (fn) => timedRound(fn, seconds);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Alternating rounds of every peer: the median rate of each, and sustained calls/s of each. */
function compare(peers) {
  const names = Object.keys(peers);
  for (const name of names) for (let i = 0; i < 500; i++) peers[name](); // warm up
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  const totals = Object.fromEntries(names.map((n) => [n, { n: 0, elapsed: 0, cpu: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      const { rate, n, elapsed, cpu } = round(peers[name]);
      rates[name].push(rate);
      totals[name].n += n;
      totals[name].elapsed += elapsed;
      totals[name].cpu += cpu;
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { median: median(rates[n]), sustained: totals[n].n / totals[n].elapsed, perCpuSecond: totals[n].n / totals[n].cpu }]),
  );
}

const values = { Simple: () => simple(3), Nesting: nesting, Order: order };
const rows = [];
const load = [loadavg()[0]];
for (const protocol of ['binary', 'compact']) {
  for (const name of ['Simple', 'Nesting', 'Order']) {
    const codec = doc.codec(name, { protocol });
    const numbers = doc.codec(name, { protocol, i64: 'number', map: 'object' });
    const limits = { compact: protocol === 'compact', maxDepth: 64, maxSize: 64 * 1024 * 1024 };
    const desc = buildDescriptor(doc.struct(name), (key) => doc.structByKey(key));
    const nat = new ThriftJsonTranscoder(desc, limits, true);
    const twin = new ThriftJsonTranscoder(desc, limits, false);
    if (!nat.isNative) throw new Error(`the native transcoder is not loaded: ${native.reason}`);
    for (const text of ['ASCII', 'Chinese']) {
      const value = text === 'ASCII' ? values[name]() : chinese[name](values[name]());
      const wire = codec.encode(value).slice();
      // The package reads Buffers (a plain Uint8Array sends it down slow paths).
      const wireBuffer = Buffer.from(wire);
      const body = codec.toJSON(wire);
      const bodyText = body.toString('utf8');
      // Every peer must produce the same message before it is timed.
      const same = (bytes) => JSON.stringify(codec.decode(bytes), heddleReplacer) === JSON.stringify(codec.decode(wire), heddleReplacer);
      for (const [peer, bytes] of [
        ['native', nat.fromJSON(body)],
        ['twin', twin.fromJSON(body)],
        ['parse+encode', numbers.encode(fixup[name](JSON.parse(bodyText)))],
        ['parse+thrift', pkg.encode(toPackage(name, JSON.parse(bodyText), protocol), protocol)],
      ]) {
        if (!same(bytes)) throw new Error(`${peer} gives another ${name} message`);
      }
      if (!nat.toJSON(wire).equals(body) || !twin.toJSON(wire).equals(body)) throw new Error('toJSON differs');
      const from = compare({
        native: () => nat.fromJSON(body),
        twin: () => twin.fromJSON(body),
        parseEncode: () => numbers.encode(fixup[name](JSON.parse(bodyText))),
        parseThrift: () => pkg.encode(toPackage(name, JSON.parse(bodyText), protocol), protocol),
      });
      const to = compare({
        native: () => nat.toJSON(wire),
        twin: () => twin.toJSON(wire),
        decodeStringify: () => Buffer.from(JSON.stringify(numbers.decode(wire), heddleReplacer)),
        thriftStringify: () => Buffer.from(JSON.stringify(pkg.decode(name, wireBuffer, protocol), packageReplacer)),
      });
      rows.push({ protocol, name, text, jsonBytes: body.length, wireBytes: wire.length, body, wire, from, to });
      load.push(loadavg()[0]);
    }
  }
}
pkg.dispose();

const k = (x) => (x >= 1e5 ? `${(x / 1000).toFixed(0)}k` : `${(x / 1000).toFixed(1)}k`);
const mb = (x, bytes) => `${((x * bytes) / 1e6).toFixed(0)}`;
const x = (a, b) => `${(a / b).toFixed(1)}x`;
const line = (cells, widths) => cells.map((c, i) => String(c)[i < 3 ? 'padEnd' : 'padStart'](widths[i])).join(' ');
const W = [8, 8, 8, 7, 8, 7, 9, 8, 9, 9, 7, 7, 8, 8];
console.log(`node ${process.version}, ${seconds}s rounds x ${rounds} alternating, medians in calls/s; MB/s and MB/cpu-s: native's sustained JSON throughput per wall and per CPU second`);
console.log(`load average (1 min) during the run: ${load.map((l) => l.toFixed(2)).join(' ')}`);
console.log('\nfromJSON (JSON bytes -> wire bytes)');
console.log(line(['protocol', 'message', 'text', 'JSON B', 'native', 'MB/s', 'MB/cpu-s', 'twin', 'parse+enc', 'parse+thr', 'vs enc', 'vs thr', 'cpu enc', 'cpu thr'], W));
for (const r of rows) {
  const f = r.from;
  console.log(line([r.protocol, r.name, r.text, r.jsonBytes, k(f.native.median), mb(f.native.sustained, r.jsonBytes), mb(f.native.perCpuSecond, r.jsonBytes), k(f.twin.median), k(f.parseEncode.median), k(f.parseThrift.median), x(f.native.median, f.parseEncode.median), x(f.native.median, f.parseThrift.median), x(f.native.perCpuSecond, f.parseEncode.perCpuSecond), x(f.native.perCpuSecond, f.parseThrift.perCpuSecond)], W));
}
console.log('\ntoJSON (wire bytes -> JSON bytes)');
console.log(line(['protocol', 'message', 'text', 'JSON B', 'native', 'MB/s', 'MB/cpu-s', 'twin', 'dec+str', 'thr+str', 'vs dec', 'vs thr', 'cpu dec', 'cpu thr'], W));
for (const r of rows) {
  const t = r.to;
  console.log(line([r.protocol, r.name, r.text, r.jsonBytes, k(t.native.median), mb(t.native.sustained, r.jsonBytes), mb(t.native.perCpuSecond, r.jsonBytes), k(t.twin.median), k(t.decodeStringify.median), k(t.thriftStringify.median), x(t.native.median, t.decodeStringify.median), x(t.native.median, t.thriftStringify.median), x(t.native.perCpuSecond, t.decodeStringify.perCpuSecond), x(t.native.perCpuSecond, t.thriftStringify.perCpuSecond)], W));
}

// dynamicgo on the Binary bodies: the Go program loads the same IDL (plus a service, which its
// descriptors come from) and times j2t and t2j for rounds x seconds each.
const goMissing = goUnavailableReason();
if (goMissing !== undefined) {
  console.log(`\ndynamicgo: not run (${goMissing})`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-dynamicgo-'));
  try {
    const idl = join(dir, 'bench.thrift');
    writeFileSync(idl, `${readFileSync(thriftIdl, 'utf8')}\nservice Bench { Simple simple(1: Simple req), Nesting nesting(1: Nesting req), Order order(1: Order req) }\n`);
    const binaryRows = rows.filter((r) => r.protocol === 'binary');
    const specs = binaryRows.map((r, i) => {
      writeFileSync(join(dir, `${i}.json`), r.body);
      writeFileSync(join(dir, `${i}.bin`), r.wire);
      return `${r.name.toLowerCase()}:${join(dir, `${i}.json`)}:${join(dir, `${i}.bin`)}`;
    });
    const goLoad = loadavg()[0];
    const out = execFileSync(buildGoProgram('dynamicgo-json'), [idl, String(seconds * rounds), ...specs], { encoding: 'utf8' });
    const results = out.trim().split('\n').map((l) => JSON.parse(l));
    console.log(`\ndynamicgo v0.8.0 (Go ${execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` } }).trim()}), Binary, one ${seconds * rounds}s run per direction, load ${goLoad.toFixed(2)}; heddle native medians from above`);
    const G = [8, 8, 7, 8, 7, 9, 8, 10, 8, 7, 9, 8, 10, 5];
    console.log(line(['message', 'text', 'JSON B', 'dg j2t', 'MB/s', 'MB/cpu-s', 'native', 'MB/cpu-s', 'dg t2j', 'MB/s', 'MB/cpu-s', 'native', 'MB/cpu-s', 'same'], G));
    binaryRows.forEach((r, i) => {
      const g = results[i];
      const b = r.jsonBytes;
      console.log(
        line([r.name, r.text, b, k(g.fromJSON), mb(g.fromJSON, b), mb(g.fromJSONPerCpuSecond, b), k(r.from.native.median), mb(r.from.native.perCpuSecond, b), k(g.toJSON), mb(g.toJSON, b), mb(g.toJSONPerCpuSecond, b), k(r.to.native.median), mb(r.to.native.perCpuSecond, b), g.sameWire ? 'yes' : 'no'], G),
      );
    });
    console.log("'same': dynamicgo's j2t bytes equal heddle's encode of the value.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
