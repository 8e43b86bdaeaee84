// Serialize and deserialize per message: heddle/grpc-loader against @grpc/proto-loader, each
// PackageDefinition's own functions, with the option set most grpc-node code passes.
import { deepStrictEqual } from 'node:assert';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import protobufjs from 'protobufjs';
import * as heddlePackage from '../../dist/index.js';
import * as heddleLoaderPackage from '../../dist/adapters/grpc-loader/index.js';
import * as values from '../protobuf/values.mjs';
import { DISTINCT, distinctFeatures, distinctLongs, distinctNestings, distinctOrders, distinctSimples } from './messages.mjs';

const heddle = heddlePackage.default ?? heddlePackage;
const heddleLoader = heddleLoaderPackage.default ?? heddleLoaderPackage;
const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', '..', 'shared', 'bench', 'baseline.proto');
export const baselinePath = existsSync(shared) ? shared : join(here, '..', '..', 'test', 'protobuf', 'fixtures', 'baseline.proto');
export const routeGuidePath = join(here, '..', '..', 'test', 'adapters', 'grpc-loader', 'protos', 'route_guide.proto');
export const LEGACY = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const quick = process.env.HEDDLE_BENCH_QUICK === '1';
/** Sustained-throughput rounds per row, and the wall time each peer runs in each. */
const SUSTAINED_ROUNDS = quick ? 3 : 5;
const SUSTAINED_MS = quick ? 100 : 300;

/** @param {import('../harness.mjs').Bench} bench */
export async function runCodec(bench) {
  const baseline = heddle.protobuf.load(baselinePath);
  const routeGuide = heddle.protobuf.load(routeGuidePath);
  const theirs = protoLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
  const ours = heddleLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
  const cases = codecCases(baseline, routeGuide);
  for (const [label, typeName, wires] of cases) {
    const reference = theirs[typeName];
    const mine = ours[typeName];
    // The values a grpc-js handler would receive and return: the legacy option set's form.
    const objects = wires.map((w) => mine.deserialize(w));
    checkEquivalent(label, typeName, mine, reference, wires, objects);
    const n = wires.length;
    const bytes = wires.reduce((sum, w) => sum + w.length, 0) / n;
    let i = 0;
    let j = 0;
    await bench.compare(`${label} serialize`, {
      'heddle/grpc-loader': () => mine.serialize(objects[i++ % n]),
      '@grpc/proto-loader': () => reference.serialize(objects[j++ % n]),
    }, { bytes });
    await bench.compare(`${label} deserialize`, {
      'heddle/grpc-loader': () => mine.deserialize(wires[i++ % n]),
      '@grpc/proto-loader': () => reference.deserialize(wires[j++ % n]),
    }, { bytes });
    if (n > 1) {
      sustained(bench, `${label} serialize, sustained`, objects, [mine.serialize, reference.serialize], (b) => b[b.length - 1]);
      sustained(bench, `${label} deserialize, sustained`, wires, [mine.deserialize, reference.deserialize], (o) => (o === null ? 0 : 1));
    }
  }
}

/**
 * The rows: [label, fully qualified type, wire bytes as Buffers (as grpc-js passes them)], encoded by
 * heddle's default codecs from heddle-shaped values: one repeated message (every peer's caches hit),
 * then distinct streams.
 */
export function codecCases(baseline, routeGuide) {
  const wire = (root, typeName, list) => list.map((v) => {
    const bytes = root.codec(typeName).encode(v);
    return Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  });
  const feature = { name: '北京市朝阳区 Patriots Path, Mendham, NJ 07945, USA', location: { latitude: 407838351, longitude: -746143763 } };
  return [
    ['Simple', 'baseline.Simple', wire(baseline, 'baseline.Simple', [values.simple])],
    ['Nesting', 'baseline.Nesting', wire(baseline, 'baseline.Nesting', [values.nesting])],
    ['Order', 'baseline.Order', wire(baseline, 'baseline.Order', [values.order])],
    ['route_guide Feature', 'routeguide.Feature', wire(routeGuide, 'routeguide.Feature', [feature])],
    [`Simple, ${DISTINCT} distinct (mixed text)`, 'baseline.Simple', wire(baseline, 'baseline.Simple', distinctSimples(DISTINCT))],
    [`Nesting, ${DISTINCT} distinct`, 'baseline.Nesting', wire(baseline, 'baseline.Nesting', distinctNestings(DISTINCT))],
    [`Order, ${DISTINCT} distinct (Chinese titles)`, 'baseline.Order', wire(baseline, 'baseline.Order', distinctOrders(DISTINCT))],
    [`Feature, ${DISTINCT} distinct (mixed names)`, 'routeguide.Feature', wire(routeGuide, 'routeguide.Feature', distinctFeatures(DISTINCT))],
    [`Feature, ${DISTINCT} distinct (2,000-char names)`, 'routeguide.Feature', wire(routeGuide, 'routeguide.Feature', distinctFeatures(DISTINCT, 2000))],
    [`Longs, ${DISTINCT} distinct (256 int64 each)`, 'baseline.Longs', wire(baseline, 'baseline.Longs', distinctLongs(DISTINCT))],
  ];
}

/**
 * Both loaders agree on every message of the stream: equal serialized bytes (zeros included, as
 * the legacy form sets every field) (which grpc-js copies
 * into its frame with Buffer#copy, so the result must be a real Buffer) and deep-equal
 * deserialized values, int64 map keys compared in decimal form.
 */
function checkEquivalent(label, typeName, mine, reference, wires, objects) {
  wires.forEach((w, k) => {
    const serialized = mine.serialize(objects[k]);
    if (!Buffer.isBuffer(serialized)) throw new Error(`${label}: serialize did not return a Buffer`);
    const frame = Buffer.alloc(serialized.length + 5);
    serialized.copy(frame, 5);
    if (!frame.subarray(5).equals(reference.serialize(objects[k]))) {
      throw new Error(`${label}: serialized bytes differ at message ${k}`);
    }
    const theirs = reference.deserialize(w);
    if (typeName === 'baseline.Nesting') theirs.map_i64_string = decimalKeys(theirs.map_i64_string);
    deepStrictEqual(objects[k], theirs, `${label}: deserialized values differ at message ${k}`);
  });
}

/** protobufjs's 8-char hash keys of an int64-keyed map, as decimal keys. */
function decimalKeys(map) {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [protobufjs.util.LongBits.fromHash(key).toLong(false).toString(), value]));
}

/**
 * Sustained throughput: each function runs over the whole stream for SUSTAINED_MS of wall time,
 * garbage collection included (nothing is forced or excluded), in interleaved rounds. Records
 * ops/s (median of rounds) and the ratio heddle ops / peer ops (median of per-round ratios).
 */
function sustained(bench, title, inputs, [subject, peer], use) {
  const names = ['heddle/grpc-loader', '@grpc/proto-loader'];
  const fns = [subject, peer];
  const rates = [[], []];
  let sink = 0;
  for (let round = 0; round < SUSTAINED_ROUNDS; round++) {
    for (let k = 0; k < 2; k++) {
      const index = (round + k) % 2;
      const fn = fns[index];
      let ops = 0;
      const start = performance.now();
      let elapsed = 0;
      do {
        for (let i = 0; i < inputs.length; i++) sink ^= use(fn(inputs[i]));
        ops += inputs.length;
        elapsed = performance.now() - start;
      } while (elapsed < SUSTAINED_MS);
      rates[index].push(ops / elapsed * 1e3);
    }
  }
  if (sink === 0.5) console.log(sink); // keeps the results alive
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  names.forEach((name, index) => bench.record({
    title,
    name,
    opsPerSec: median(rates[index]),
    baseline: names[0],
    ratio: index === 0 ? 1 : median(rates[0].map((r, k) => r / rates[1][k])),
  }));
}
