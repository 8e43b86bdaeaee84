// Field paths on raw Thrift and Protobuf bytes against the object path, on a Nesting message made to look like
// production (Chinese and mixed text, strings of 60-180 bytes, an int64-heavy list, 256-byte
// 128-byte binaries; 9-10 KB on the wire), Thrift Binary and Compact, and Protobuf:
//   peek of one field            vs  decode + read the field
//   peekMany of five fields      vs  decode + read five fields
//   patch one field and forward  vs  decode + modify + encode   (patch gives a LinkBuffer of views;
//                                    'bytes' is the same joined into one Uint8Array)
// Medians of interleaved rounds (bench/harness.mjs) and sustained throughput (wall time, GC
// included); the ratio column is peer time / heddle time.
// Run: npm run build && node --expose-gc bench/gateway/paths.mjs [--protobuf-only]   (HEDDLE_BENCH_QUICK=1 for a short run)
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import heddle from '../../dist/index.js';
import { Bench, formatTable } from '../harness.mjs';
import { FIVE, blob, production, readFive, text } from './nesting-bodies.mjs';
import { nesting as protoNesting } from '../protobuf/values.mjs';

const { thrift } = heddle;
const doc = thrift.parse(readFileSync(new URL('../thrift/fixtures/baseline.thrift', import.meta.url), 'utf8'));

const ONE = 'SimpleStruct.StringField';
const NEW_TEXT = '新的标题 new title';

const bench = new Bench('gateway-paths');
const sizes = [];
// --protobuf-only skips the Thrift rows.
const protocols = process.argv.includes('--protobuf-only') ? [] : ['binary', 'compact'];
for (const protocol of protocols) {
  const codec = doc.codec('Nesting', { protocol });
  const value = production();
  const wire = codec.encode(value).slice();
  sizes.push(`${protocol} ${wire.length} B`);
  const one = codec.path(ONE);
  const five = FIVE.map((p) => codec.path(p));

  // The figures mean something only if both sides give the same answer.
  const decoded = codec.decode(wire);
  if (codec.peek(wire, one) !== decoded.SimpleStruct.StringField) throw new Error('peek differs from decode');
  if (JSON.stringify(codec.peekMany(wire, five), (_, v) => (typeof v === 'bigint' ? String(v) : v)) !== JSON.stringify(readFive(decoded), (_, v) => (typeof v === 'bigint' ? String(v) : v))) throw new Error('peekMany differs from decode');
  const modified = { ...decoded, SimpleStruct: { ...decoded.SimpleStruct, StringField: NEW_TEXT } };
  if (!Buffer.from(codec.patch(wire, one, NEW_TEXT, { output: 'bytes' })).equals(Buffer.from(codec.encode(modified)))) throw new Error('patch differs from encode');

  await bench.compare(`${protocol}: one field`, {
    'heddle peek': () => codec.peek(wire, one),
    'decode + read': () => codec.decode(wire).SimpleStruct.StringField,
  }, { bytes: wire.length });
  await bench.compare(`${protocol}: five fields`, {
    'heddle peekMany': () => codec.peekMany(wire, five),
    'decode + read': () => readFive(codec.decode(wire)),
  }, { bytes: wire.length });
  const patchForward = () => {
    const out = codec.patch(wire, one, NEW_TEXT);
    const n = out.length;
    out.close(); // a socket write would take the chain here; closing returns its slabs
    return n;
  };
  const decodeModifyEncode = () => {
    const o = codec.decode(wire);
    o.SimpleStruct.StringField = NEW_TEXT;
    return codec.encode(o).length;
  };
  await bench.compare(`${protocol}: patch and forward`, {
    'heddle patch (LinkBuffer)': patchForward,
    'heddle patch (bytes)': () => codec.patch(wire, one, NEW_TEXT, { output: 'bytes' }).length,
    'decode + modify + encode': decodeModifyEncode,
  }, { bytes: wire.length });
  await bench.sustained(`${protocol}: five fields`, {
    'heddle peekMany': () => codec.peekMany(wire, five),
    'decode + read': () => readFive(codec.decode(wire)),
  }, { bytes: wire.length });
  await bench.sustained(`${protocol}: patch and forward`, {
    'heddle patch (LinkBuffer)': patchForward,
    'decode + modify + encode': decodeModifyEncode,
  }, { bytes: wire.length });
}

// Protobuf: the baseline Nesting message (test/protobuf/fixtures/baseline.proto) with the same
// production-like contents. Every field of the top-level message is scanned by any path (a
// singular field's last occurrence wins), so one field and five fields cost about the same.
const { protobuf } = heddle;
const baseline = protobuf.parse(readFileSync(new URL('../../test/protobuf/fixtures/baseline.proto', import.meta.url), 'utf8'), { filename: 'baseline.proto' });
/** bench/protobuf's Nesting with production-like contents, as the Thrift one above. */
function productionProto() {
  const v = protoNesting;
  const simple = (s, i) => ({ ...s, stringField: text(i, 1), binaryField: blob(i), i64Field: 2n ** 60n + BigInt(i) * 7919n });
  return {
    ...v,
    string: text(1, 3),
    listSimple: v.listSimple.map(simple),
    mapStringString: Object.fromEntries(Object.keys(v.mapStringString).map((k, i) => [k, text(i, 1)])),
    simpleStruct: simple(v.simpleStruct, 77),
    listString: v.listString.map((_, i) => text(i + 3, 1)),
    binary: blob(5),
    mapI64String: Object.fromEntries(Object.keys(v.mapI64String).map((k, i) => [String(BigInt(k) * 1_000_007n), text(i + 5, 1)])),
    listI64: Array.from({ length: 100 }, (_, i) => BigInt(i) * -9_123_456_789_013n - 2n ** 62n),
    mapStringSimple: Object.fromEntries(Object.entries(v.mapStringSimple).map(([k, s], i) => [k, simple(s, i + 30)])),
  };
}
{
  const codec = baseline.codec('baseline.Nesting');
  const wire = codec.encode(productionProto()).slice();
  sizes.push(`protobuf ${wire.length} B`);
  const one = codec.path('simple_struct.string_field');
  const five = ['string', 'i64', 'simple_struct.i64_field', 'list_simple.3.string_field', 'map_string_simple["simple-4"].i64_field'].map((p) => codec.path(p));
  const readFiveProto = (o) => [o.string, o.i64, o.simpleStruct.i64Field, o.listSimple[3].stringField, o.mapStringSimple['simple-4'].i64Field];
  const decoded = codec.decode(wire);
  if (codec.peek(wire, one) !== decoded.simpleStruct.stringField) throw new Error('protobuf peek differs from decode');
  const big = (_, v) => (typeof v === 'bigint' ? String(v) : v);
  if (JSON.stringify(codec.peekMany(wire, five), big) !== JSON.stringify(readFiveProto(decoded), big)) throw new Error('protobuf peekMany differs from decode');
  const modified = { ...decoded, simpleStruct: { ...decoded.simpleStruct, stringField: NEW_TEXT } };
  if (!Buffer.from(codec.patch(wire, one, NEW_TEXT, { output: 'bytes' })).equals(Buffer.from(codec.encode(modified)))) throw new Error('protobuf patch differs from encode');
  const patchForward = () => {
    const out = codec.patch(wire, one, NEW_TEXT);
    const n = out.length;
    out.close();
    return n;
  };
  const decodeModifyEncode = () => {
    const o = codec.decode(wire);
    o.simpleStruct.stringField = NEW_TEXT;
    return codec.encode(o).length;
  };
  await bench.compare('protobuf: one field', {
    'heddle peek': () => codec.peek(wire, one),
    'decode + read': () => codec.decode(wire).simpleStruct.stringField,
  }, { bytes: wire.length });
  await bench.compare('protobuf: five fields', {
    'heddle peekMany': () => codec.peekMany(wire, five),
    'decode + read': () => readFiveProto(codec.decode(wire)),
  }, { bytes: wire.length });
  await bench.compare('protobuf: patch and forward', {
    'heddle patch (LinkBuffer)': patchForward,
    'heddle patch (bytes)': () => codec.patch(wire, one, NEW_TEXT, { output: 'bytes' }).length,
    'decode + modify + encode': decodeModifyEncode,
  }, { bytes: wire.length });
  await bench.sustained('protobuf: one field', {
    'heddle peek': () => codec.peek(wire, one),
    'decode + read': () => codec.decode(wire).simpleStruct.stringField,
  }, { bytes: wire.length });
  await bench.sustained('protobuf: five fields', {
    'heddle peekMany': () => codec.peekMany(wire, five),
    'decode + read': () => readFiveProto(codec.decode(wire)),
  }, { bytes: wire.length });
  await bench.sustained('protobuf: patch and forward', {
    'heddle patch (LinkBuffer)': patchForward,
    'decode + modify + encode': decodeModifyEncode,
  }, { bytes: wire.length });
}

console.log(formatTable(bench.rows));
console.log(`message: Nesting, ${sizes.join(', ')}; native ${heddle.native.loaded ? 'loaded' : 'not loaded'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores, shared)`);
